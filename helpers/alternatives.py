"""The course's CPU-bound workload without a process pool: NumPy, Numba, threads, joblib, Dask.

Each version computes exactly what ``helpers.workloads.cpu_task(n)`` computes
(the sum of the squares of ``range(n)``), so that lesson 10 and ``make bench``
can time them side by side. ``measure`` times any of them into a
``helpers.bench.Record`` and checks every result against the closed form.

NumPy and Numba add in fixed-width 64-bit integers, which wrap around silently
on overflow (numpy docs, "Overflow errors"); Python's int never does. So the
fixed-width versions refuse an ``n`` whose sum would not fit (``MAX_EXACT_N``).
"""

from __future__ import annotations

import contextlib
import os
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
from numba import njit, prange

from helpers.args import check_int
from helpers.bench import Record, ResultMismatch, rescale, summarize
from helpers.units import duration
from helpers.workloads import cpu_task_expected

INT64_MAX = int(np.iinfo(np.int64).max)


def _largest_exact_n() -> int:
    """The largest n whose sum of squares fits in int64 (found by bisection)."""
    low, high = 0, 1 << 22
    while low < high:
        mid = (low + high + 1) // 2
        low, high = (mid, high) if cpu_task_expected(mid) <= INT64_MAX else (low, mid - 1)
    return low


#: ``cpu_task_numpy(n)`` and the Numba versions are exact up to this n (3,024,617).
MAX_EXACT_N = _largest_exact_n()


def _check_n(n: object) -> int:
    n = int(n) if isinstance(n, np.integer) else n
    try:
        return check_int("n", n, minimum=0, maximum=MAX_EXACT_N)
    except ValueError as exc:
        raise ValueError(f"{exc}, so that the sum fits in int64 (beyond that NumPy and "
                         "Numba wrap around silently)") from None


def cpu_task_numpy(n: int) -> int:
    """``cpu_task(n)`` vectorised: one array of 0..n-1, squared and summed in C.

    Runs in a worker process (or anywhere: it is an ordinary function).
    """
    values = np.arange(_check_n(n), dtype=np.int64)
    return int(np.dot(values, values))  # sum of values * values, without a temporary array


@njit(cache=False)  # cache=False: compile in memory, write no __pycache__ files
def _numba_loop(n):
    total = 0
    for i in range(n):
        total += i * i
    return total


@njit(cache=False)
def _numba_array_loop(n):
    values = np.arange(n)
    total = 0
    for i in range(n):
        total += values[i] * values[i]
    return total


@njit(parallel=True, cache=False)
def _numba_prange(n):
    values = np.arange(n)
    total = 0
    for i in prange(n):  # Numba splits the range over its threads and adds the partial sums
        total += values[i] * values[i]
    return total


def cpu_task_numba(n: int) -> int:
    """The very loop of ``cpu_task``, compiled by Numba (LLVM) on first call."""
    return int(_numba_loop(_check_n(n)))


def cpu_task_numba_array(n: int) -> int:
    """The loop over an array of 0..n-1, compiled by Numba: the compiler must really loop."""
    return int(_numba_array_loop(_check_n(n)))


def cpu_task_numba_parallel(n: int) -> int:
    """The array loop with ``parallel=True`` and ``prange``: every core, one process."""
    return int(_numba_prange(_check_n(n)))


def describe_array(values: np.ndarray) -> tuple[str, bool]:
    """The type of the array this worker received and whether it may write to it.

    Shows joblib's memmapping: big arrays arrive as a read-only ``memmap``.
    Runs in a worker process.
    """
    return type(values).__name__, bool(values.flags.writeable)


def exit_if(x: int, bad: int, parent_pid: int) -> int:
    """Return ``x * x``, but end the worker process abruptly when ``x == bad``.

    Simulates a crash (a segfault, the out-of-memory killer). It refuses to run
    in ``parent_pid`` so it can never take a notebook's kernel down.
    Runs in a worker process.
    """
    if os.getpid() == parent_pid:
        raise RuntimeError("exit_if would end the calling process; send it to a worker")
    if x == bad:
        os._exit(1)
    return x * x


def gil_status() -> str:
    """One line: does this interpreter have a GIL, and is it on? (sys._is_gil_enabled, 3.13+)."""
    free_build = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    is_enabled = getattr(sys, "_is_gil_enabled", None)
    if not free_build:
        return "standard build: the GIL is always on (free-threaded builds exist from 3.13)"
    if is_enabled is not None and not is_enabled():
        return "free-threaded build, GIL off: threads run Python code in parallel"
    return "free-threaded build, but the GIL was turned back on (PYTHON_GIL=1 or an extension)"


def measure(strategy: str, run: Callable[[], list], expected: Sequence, *, workers: int = 1,
            repeats: int = 3, warmup: bool = False, include_startup: bool = False,
            baseline: float | None = None,
            timer: Callable[[], float] = time.perf_counter) -> Record:
    """Time ``run()`` ``repeats`` times; check every result equals ``expected``.

    Args:
        strategy: the label of the record ("numpy", "joblib", ...).
        run: does all the tasks once and returns their results as a list.
        expected: what serial ``cpu_task`` returns for the same tasks.
        warmup: call ``run`` once untimed first (compile, start workers).
        baseline: the serial median, for speedup and efficiency.

    Raises:
        ResultMismatch: a run returned other results than ``expected``.
        TypeError, ValueError: ``repeats`` or ``workers`` is not an int of at least 1.
    """
    check_int("repeats", repeats, minimum=1)
    check_int("workers", workers, minimum=1)
    expected = list(expected)
    times = []
    for _ in range(repeats + warmup):
        start = timer()
        result = list(run())
        elapsed = timer() - start
        if result != expected:
            raise ResultMismatch(f"{strategy} returned {result[:3]}..., expected "
                                 f"{expected[:3]}...: a version must compute the same sums")
        times.append(elapsed)
    times = times[1:] if warmup else times
    median, spread = summarize(times)
    record = Record(strategy=strategy, workers=workers, chunksize=None, start_method=None,
                    tasks=len(expected), include_startup=include_startup, times=tuple(times),
                    median=median, spread=spread, speedup=None, efficiency=None)
    return rescale(record, baseline) if baseline else record


def line(record: Record, label: str | None = None) -> str:
    """One record as ``label  time  speedup`` (no worker count: that depends on the machine)."""
    speed = "" if record.speedup is None else f"  {record.speedup:.2f}x"
    return f"{label or record.strategy:<22} {duration(record.median)}{speed}"


def run_threads(func: Callable, inputs: Sequence, workers: int) -> list:
    with ThreadPoolExecutor(workers) as ex:
        return list(ex.map(func, inputs))


def run_joblib(func: Callable, inputs: Sequence, workers: int) -> list:
    """``joblib.Parallel`` with the loky backend; its workers stay up for the next call."""
    from joblib import Parallel, delayed

    return Parallel(n_jobs=workers, backend="loky")(delayed(func)(x) for x in inputs)


def shutdown_joblib() -> None:
    """Stop loky's reusable workers and remove joblib's memmapping folders (in /dev/shm).

    ``get_reusable_executor().shutdown(wait=True)`` stops the workers, but the
    temporary folders of joblib's executor would stay until the interpreter
    exits; its ``terminate()`` removes them too. joblib keeps that executor in
    loky's module-level ``_executor`` (there is no public accessor).
    """
    from joblib.externals.loky import get_reusable_executor, reusable_executor

    executor = getattr(reusable_executor, "_executor", None)
    terminate = getattr(executor, "terminate", None)
    if terminate is not None:
        terminate(kill_workers=False)
    get_reusable_executor().shutdown(wait=True)
    # One empty folder per process can survive terminate(); remove the empty ones of
    # this process so nothing stays in /dev/shm (rmdir refuses a non-empty folder).
    bases = {"/dev/shm", tempfile.gettempdir(), os.environ.get("JOBLIB_TEMP_FOLDER") or "/dev/shm"}
    for base in bases:
        for folder in Path(base).glob(f"joblib_memmapping_folder_{os.getpid()}_*"):
            with contextlib.suppress(OSError):
                folder.rmdir()


def run_dask(client, func: Callable, inputs: Sequence) -> list:
    """``client.map`` then ``gather``. ``pure=False``: equal calls are separate tasks."""
    return client.gather(client.map(func, inputs, pure=False))
