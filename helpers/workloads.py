"""The work the lessons send to other processes.

Every function here is defined at the top level of an importable module, so
that it can be pickled by reference (module and name) and found again in a
child started with spawn or forkserver. A function defined in a notebook cell
cannot: the child has no way to import the notebook's ``__main__``.

Like Fluent Python's ``primes.py``, one workload module serves every lesson,
so that a lesson changes only the mechanism while the work stays the same.
All workers return their results; none of them prints.
"""

from __future__ import annotations

import os
import sys
import time

from helpers.args import check_int, check_number

#: Size of ``cpu_task`` that takes roughly 0.1 s on a laptop (CPython 3.11).
DEFAULT_SIZE = 1_000_000


def cpu_task(n: int = DEFAULT_SIZE) -> int:
    """Sum the squares of ``range(n)``: pure-Python CPU work, cost proportional to ``n``.

    Demonstrates CPU-bound work that holds the GIL, so threads cannot speed it
    up but processes can. Runs in a worker process.

    Raises:
        TypeError: ``n`` is not an int.
        ValueError: ``n`` is negative.
    """
    check_int("n", n, minimum=0)
    total = 0
    for i in range(n):
        total += i * i
    return total


def cpu_task_expected(n: int) -> int:
    """The closed form of ``cpu_task(n)``, for checking results without re-running the work."""
    check_int("n", n, minimum=0)
    return (n - 1) * n * (2 * n - 1) // 6


def square(x: int | float) -> int | float:
    """Return ``x * x``: a task so small that sending it costs more than doing it.

    Runs in a worker process.
    """
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        raise TypeError(f"square needs a number, got {type(x).__name__} {x!r}")
    return x * x


def sleepy(seconds: float = 0.1) -> float:
    """Wait ``seconds`` without using the CPU, like a network call; return ``seconds``.

    Demonstrates I/O-like work, where threads do as well as processes.
    Runs in a worker process.
    """
    check_number("seconds", seconds, minimum=0)
    time.sleep(seconds)
    return seconds


def cpu_task_with_pid(n: int = DEFAULT_SIZE) -> tuple[int, int]:
    """Like ``cpu_task``, but also return the id of the process that did the work.

    Shows which worker ran which task. Runs in a worker process.
    """
    return os.getpid(), cpu_task(n)


def add(a: int | float, b: int | float) -> int | float:
    """Return ``a + b``; a two-argument task for ``starmap``. Runs in a worker process."""
    return a + b


def fail_if(x: int, bad: int = 3) -> int:
    """Return ``x * x``, but raise ``ValueError`` when ``x == bad``.

    Demonstrates how an exception in a worker reaches the parent.
    Runs in a worker process.
    """
    if x == bad:
        raise ValueError(f"task {x} failed on purpose")
    return x * x


def run_slice(func, items: list, index: int, queue) -> None:
    """Apply ``func`` to each item and put ``(index, results)`` on ``queue``.

    The body of a hand-made worker ``Process``: a Process discards its
    target's return value, so results travel back through a queue.
    Runs in a worker process.
    """
    queue.put((index, [func(x) for x in items]))


def exit_with(code: int) -> None:
    """End the process with exit code ``code``, silently.

    Demonstrates ``Process.exitcode``. Runs in a worker process.
    """
    sys.exit(check_int("code", code, minimum=0))


def whoami(_: object = None) -> int:
    """Return the id of the process this runs in. Runs in a worker process."""
    return os.getpid()


def uneven_task(task: tuple[int, float]) -> int:
    """Sleep ``task[1]`` seconds, then return the task's number ``task[0]``.

    Tasks of uneven length show the order in which results arrive
    (``imap`` against ``imap_unordered``, ``as_completed``).
    Runs in a worker process.
    """
    number, seconds = task
    sleepy(seconds)
    return number


def matmul_task(n: int = 300) -> float:
    """Multiply two ``n`` x ``n`` matrices with NumPy; return the trace of the product.

    Demonstrates work done by BLAS, which may start its own threads inside
    each worker process. Runs in a worker process.
    """
    import numpy as np

    check_int("n", n, minimum=1)
    a = np.ones((n, n)) / n
    return float(np.trace(a @ a))


def limit_blas_threads(threads: int = 1) -> None:
    """Pool initializer: limit BLAS/OpenMP threads in this worker to ``threads``.

    Uses threadpoolctl, which works even after NumPy was imported (under fork
    the child inherits an imported NumPy, so setting OPENBLAS_NUM_THREADS there
    would be too late). Runs in a worker process.
    """
    import numpy  # noqa: F401  threadpoolctl limits only libraries already loaded
    from threadpoolctl import threadpool_limits

    check_int("threads", threads, minimum=1)
    global _BLAS_LIMIT
    _BLAS_LIMIT = threadpool_limits(limits=threads)  # kept: the limit lasts for the worker


_BLAS_LIMIT = None


def blas_threads(_: object = None) -> int:
    """The number of threads BLAS would use in this process now. Runs in a worker process."""
    import numpy  # noqa: F401  (loads BLAS so that threadpoolctl can see it)
    from threadpoolctl import threadpool_info

    found = [p["num_threads"] for p in threadpool_info() if p.get("user_api") == "blas"]
    return max(found, default=1)


def cpu_task_batch(sizes: list[int]) -> list[int]:
    """Run ``cpu_task`` on each size of a batch: one dispatch carries many tiny tasks.

    Batching by hand, the same idea as ``chunksize``. Runs in a worker process.
    """
    return [cpu_task(n) for n in sizes]


def batches(items: list, size: int) -> list[list]:
    """Split ``items`` into lists of ``size`` (the last may be shorter)."""
    check_int("size", size, minimum=1)
    return [items[i:i + size] for i in range(0, len(items), size)]


def unsafe_increment(counter, times: int, barrier=None) -> None:
    """Read ``counter.value``, then write it back plus one, ``times`` times, unlocked.

    Each read and each write of a ``multiprocessing.Value`` takes its lock on
    its own, but nothing holds the lock *between* them: another process can
    write in that gap, and its update is lost. ``barrier`` (optional) makes all
    workers start together, so that they overlap however slowly they started.
    Runs in a worker process.
    """
    check_int("times", times, minimum=0)
    if barrier is not None:
        barrier.wait()
    for _ in range(times):
        current = counter.value
        counter.value = current + 1


def locked_increment(counter, times: int, barrier=None) -> None:
    """Like ``unsafe_increment``, but read and write under ``counter.get_lock()``.

    Runs in a worker process.
    """
    check_int("times", times, minimum=0)
    if barrier is not None:
        barrier.wait()
    for _ in range(times):
        with counter.get_lock():
            counter.value += 1


def fill_squares(array, start: int, stop: int) -> None:
    """Write ``i * i`` into ``array[i]`` for ``start <= i < stop``.

    Workers that write disjoint slices of a ``multiprocessing.Array`` need no
    lock. Runs in a worker process.
    """
    for i in range(start, stop):
        array[i] = i * i
