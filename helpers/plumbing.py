"""Pools and executors: make them, start their workers, stop them, read their errors.

The pieces every measuring and checking module needs around a pool, written
once: ``make_pool`` and ``run_map`` give ``Pool`` and ``ProcessPoolExecutor``
one interface; ``check_sendable`` fails early, with the reason, for a
function a worker could not run; ``stop_process`` and ``stop_executor`` stop
workers without ever waiting on a stuck one; ``remote_traceback`` and
``worker_frames`` read the traceback a worker sent back.
"""

from __future__ import annotations

import pickle
import re
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

from helpers.args import check_choice, check_int
from helpers.workloads import whoami

POOL_STRATEGIES = ("pool", "executor", "threads")

__all__ = ["POOL_STRATEGIES", "check_sendable", "make_pool", "remote_traceback", "run_map",
           "start_workers", "stop_executor", "stop_process", "worker_frames", "worker_pids"]


def make_pool(strategy: str, workers: int, ctx):
    """A started ``Pool`` ("pool"), ``ProcessPoolExecutor`` ("executor") or
    ``ThreadPoolExecutor`` ("threads") of ``workers``; use it in a ``with`` block."""
    check_choice("strategy", strategy, POOL_STRATEGIES)
    check_int("workers", workers, minimum=1)
    if strategy == "pool":
        return ctx.Pool(workers)
    if strategy == "executor":
        return ProcessPoolExecutor(workers, mp_context=ctx)
    return ThreadPoolExecutor(workers)


def run_map(strategy: str, pool, func: Callable, inputs: list, chunksize: int | None) -> list:
    """One map on a started pool, with the API's default chunksize when None."""
    if strategy == "pool":
        return pool.map(func, inputs, chunksize)
    return list(pool.map(func, inputs, chunksize=chunksize or 1))


def start_workers(strategy: str, pool, workers: int) -> None:
    """Make every worker start now (pools start them lazily), before anything is timed."""
    run_map(strategy, pool, whoami, list(range(workers * 4)), 1)


def check_sendable(func: Callable, start_method: str, args: tuple = ()) -> None:
    """Fail early, with the reason, for a function a worker process could not run.

    Raises:
        TypeError: ``func`` (or one of ``args``) cannot be pickled.
        ValueError: ``func`` lives in ``__main__`` and the start method is not fork:
            the worker cannot import it, and ``Pool.map`` would wait forever.
    """
    name = getattr(func, "__qualname__", func)
    try:
        pickle.dumps((func, args) if args else func)
    except Exception as exc:
        raise TypeError(
            f"{name!r} cannot be sent to a worker process "
            f"({type(exc).__name__}: {exc}). Lambdas and functions defined inside other "
            "functions cannot be pickled: define it at the top level of a module."
        ) from None
    if getattr(func, "__module__", None) == "__main__" and start_method != "fork":
        raise ValueError(
            f"{name!r} is defined in __main__ (a notebook cell or a script run "
            f"directly); a {start_method} worker cannot import it, and Pool.map would wait "
            "forever. Put the function in a module (helpers, or a file you write with "
            "%%writefile) and import it."
        )


def stop_process(proc, timeout: float = 10) -> None:
    """Wait up to ``timeout`` seconds for ``proc`` to end, then terminate it; always join."""
    proc.join(timeout=timeout)
    if proc.is_alive():
        proc.terminate()
        proc.join()


def worker_pids(pool) -> list[int]:
    """The pids of a ``Pool``'s or ``ProcessPoolExecutor``'s current worker processes.

    Reads private attributes (``Pool._pool``, ``ProcessPoolExecutor._processes``):
    there is no public API for this before Python 3.14.
    """
    procs = getattr(pool, "_pool", None)
    if procs is None:
        procs = list((getattr(pool, "_processes", None) or {}).values())
    return [p.pid for p in procs if p.pid is not None]


def stop_executor(executor) -> None:
    """Stop a ``ProcessPoolExecutor`` now: kill its workers, then shut it down.

    ``shutdown()`` alone waits for running tasks (and, without
    ``cancel_futures=True``, for pending ones too). ``cancel_futures=True`` is
    avoided on purpose: after a pickling error it can deadlock (CPython
    gh-116685). Python 3.14 adds ``terminate_workers()`` for this.
    """
    for proc in list((getattr(executor, "_processes", None) or {}).values()):
        proc.terminate()
    executor.shutdown(wait=True)


def _sent_traceback(exc: BaseException) -> str:
    """The formatted traceback a worker attached to ``exc``, or "".

    ``Pool`` and ``ProcessPoolExecutor`` attach it as ``exc.__cause__``, a
    ``RemoteTraceback`` whose ``tb`` is the text (concurrent/futures/process.py
    ``_ExceptionWithTraceback``; multiprocessing/pool.py ``ExceptionWithTraceback``).
    """
    text = getattr(exc.__cause__, "tb", None)
    return text.strip().strip('"').strip() if isinstance(text, str) else ""


_PATH = re.compile(r'File "[^"]*?([^"/\\]+\.py)"')


def remote_traceback(exc: BaseException) -> str:
    """The traceback a worker sent along with ``exc``, directories stripped.

    Returns an empty string when the exception did not come from a worker.
    """
    text = _PATH.sub(r'File ".../\1"', _sent_traceback(exc))
    # 3.11+ underlines the failing expression with ^^^; drop those lines so
    # that the text reads the same on every version.
    return "\n".join(line for line in text.splitlines() if set(line.strip()) - {"^", "~"})


def worker_frames(exc: BaseException, package: str = "helpers") -> list[str]:
    """The worker's side of an exception a pool brought back: its frames in ``package``, then
    the error line. Stable across machines (no paths, no line numbers)."""
    text = _sent_traceback(exc)
    frames = re.findall(r'File "([^"]+)", line \d+, in (\S+)', text)
    lines = [f"in {name}() ({Path(file).parent.name}/{Path(file).name})"
             for file, name in frames if Path(file).parent.name == package]
    last = [line.strip() for line in text.splitlines() if line.strip().strip('"')]
    return [*lines, last[-1] if last else f"{type(exc).__name__}: {exc}"]
