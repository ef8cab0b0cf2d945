"""How many worker processes to start, with the reasons.

``os.cpu_count()`` counts the machine's CPUs, not the ones this process may
use: an affinity mask (``taskset``, a batch scheduler) and a cgroup CPU quota
(a container, CI, Binder) both give fewer (cpython docs, os.cpu_count). On
3.13+ ``os.process_cpu_count()`` honours affinity, and ``PYTHON_CPU_COUNT``
or ``-X cpu_count=N`` override both counts (gh-109649); ``Pool()`` and
``ProcessPoolExecutor()`` size themselves by it from 3.13 and by
``os.cpu_count()`` before. ``helpers.machine`` reads all of these.

Memory can cap the count before the CPUs do: give ``max_workers`` what one
worker needs (``memory_per_worker``, bytes, measured as its USS) and it fits
the workers into the available RAM (``psutil.virtual_memory().available``).
"""

from __future__ import annotations

import math
import os
import sys
from dataclasses import dataclass

from helpers.args import check_int
from helpers.machine import MachineInfo, machine_info

WINDOWS_LIMIT = 61  # ProcessPoolExecutor refuses more on Windows (concurrent/futures/process.py)


@dataclass(frozen=True)
class Sizing:
    """A worker count and the reasons, one line each."""

    workers: int
    reasons: tuple[str, ...]

    def __str__(self) -> str:
        return f"max_workers = {self.workers}\n" + "\n".join(f"- {r}" for r in self.reasons)


def _size(n: int) -> str:
    return f"{n / 2**30:.1f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"


def _memory_limit(workers: int, per_worker: int, available: int | None) -> tuple[int, str]:
    """Lower ``workers`` to as many of ``per_worker`` bytes as fit in ``available``."""
    if available is None:
        import psutil

        available = psutil.virtual_memory().available
    fit = available // per_worker
    head = f"{_size(available)} of RAM available and {_size(per_worker)} per worker"
    if fit < 1:
        return 1, (f"{head}: not even one worker fits; 1 worker, and expect swapping or the "
                   "out-of-memory killer: make each task hold less")
    if fit < workers:
        return fit, f"{head}: room for {fit}, fewer than the CPUs allow"
    return workers, f"{head}: room for {fit}: memory is not the limit"


def max_workers(tasks: int | None = None, blas_threads: int = 1,
                info: MachineInfo | None = None, platform: str = sys.platform,
                env: dict[str, str] | None = None, memory_per_worker: int | None = None,
                available_memory: int | None = None) -> Sizing:
    """A sensible ``max_workers`` for CPU-bound work on this machine, with why.

    Args:
        tasks: how many tasks there are; more workers than tasks only sit idle.
        blas_threads: threads each worker's NumPy/BLAS will use; workers x
            threads should not exceed the CPUs.
        info: the machine (default: measured now); tests pass a made-up one.
        platform, env: for tests; default this interpreter's.
        memory_per_worker: bytes one busy worker needs (its peak USS, with the
            data it holds); None sizes by CPUs only.
        available_memory: bytes of RAM free for the workers (default:
            ``psutil.virtual_memory().available``, read now); used only with
            ``memory_per_worker``.

    Raises:
        TypeError: ``tasks``, ``blas_threads``, ``memory_per_worker`` or
            ``available_memory`` is not an int (the last two may be None).
        ValueError: ``tasks`` or ``blas_threads`` is below 1, ``memory_per_worker``
            below 1 or ``available_memory`` below 0.
    """
    check_int("tasks", tasks, minimum=1, allow_none=True)
    check_int("blas_threads", blas_threads, minimum=1)
    per_worker = check_int("memory_per_worker", memory_per_worker, minimum=1, allow_none=True)
    available = check_int("available_memory", available_memory, minimum=0, allow_none=True)
    info = info or machine_info()
    env = os.environ if env is None else env
    reasons = [f"os.cpu_count() = {info.cpu_count}: every CPU of the machine"]
    limit = info.cpu_count or 1
    if env.get("PYTHON_CPU_COUNT"):
        reasons.append(f"PYTHON_CPU_COUNT={env['PYTHON_CPU_COUNT']} is set: from Python 3.13 "
                       "it overrides both counts; earlier versions ignore it")
    if info.affinity_cpus is not None:
        reasons.append(f"the affinity mask allows {info.affinity_cpus}")
        limit = min(limit, info.affinity_cpus)
    if info.process_cpu_count is not None:
        reasons.append(f"os.process_cpu_count() = {info.process_cpu_count} (Python 3.13+)")
        limit = min(limit, info.process_cpu_count)
    if info.cgroup_quota_cpus is None:
        reasons.append("no cgroup CPU quota")
    else:
        quota = max(1, math.ceil(info.cgroup_quota_cpus))  # rounded up, as helpers.machine
        reasons.append(f"a cgroup quota of {info.cgroup_quota_cpus:g} CPUs: {quota} workers "
                       "use all of it, more would only be throttled")
        limit = min(limit, quota)
    workers = max(1, limit)
    if blas_threads > 1:
        workers = max(1, workers // blas_threads)
        reasons.append(f"{blas_threads} BLAS threads per worker: {workers} workers keep "
                       "workers x threads within the CPUs")
    if per_worker is not None:
        workers, reason = _memory_limit(workers, per_worker, available)
        reasons.append(reason)
    if tasks is not None and tasks < workers:
        workers = tasks
        reasons.append(f"only {tasks} tasks: more workers would sit idle")
    if platform == "win32" and workers > WINDOWS_LIMIT:
        workers = WINDOWS_LIMIT
        reasons.append(f"Windows: ProcessPoolExecutor allows at most {WINDOWS_LIMIT}")
    return Sizing(workers, tuple(reasons))
