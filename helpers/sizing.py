"""How many worker processes to start, with the reasons.

``os.cpu_count()`` counts the machine's CPUs, not the ones this process may
use: an affinity mask (``taskset``, a batch scheduler) and a cgroup CPU quota
(a container, CI, Binder) both give fewer (cpython docs, os.cpu_count). On
3.13+ ``os.process_cpu_count()`` honours affinity, and ``PYTHON_CPU_COUNT``
or ``-X cpu_count=N`` override both counts (gh-109649); ``Pool()`` and
``ProcessPoolExecutor()`` size themselves by it from 3.13 and by
``os.cpu_count()`` before. ``helpers.machine`` reads all of these.
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


def max_workers(tasks: int | None = None, blas_threads: int = 1,
                info: MachineInfo | None = None, platform: str = sys.platform,
                env: dict[str, str] | None = None) -> Sizing:
    """A sensible ``max_workers`` for CPU-bound work on this machine, with why.

    Args:
        tasks: how many tasks there are; more workers than tasks only sit idle.
        blas_threads: threads each worker's NumPy/BLAS will use; workers x
            threads should not exceed the CPUs.
        info: the machine (default: measured now); tests pass a made-up one.
        platform, env: for tests; default this interpreter's.

    Raises:
        TypeError: ``tasks`` or ``blas_threads`` is not an int.
        ValueError: ``tasks`` or ``blas_threads`` is below 1.
    """
    check_int("tasks", tasks, minimum=1, allow_none=True)
    check_int("blas_threads", blas_threads, minimum=1)
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
    if tasks is not None and tasks < workers:
        workers = tasks
        reasons.append(f"only {tasks} tasks: more workers would sit idle")
    if platform == "win32" and workers > WINDOWS_LIMIT:
        workers = WINDOWS_LIMIT
        reasons.append(f"Windows: ProcessPoolExecutor allows at most {WINDOWS_LIMIT}")
    return Sizing(workers, tuple(reasons))
