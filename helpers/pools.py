"""Helpers for lessons 02 (Pool) and 03 (ProcessPoolExecutor).

Per-worker set-up for ``initializer=``, a clock for results as they arrive,
a bounded demo of what leaving ``with Pool()`` does to pending work, the cost
per task of a measured run, and a worker's traceback made readable.
Everything that runs in a worker is a top-level function, so it pickles by
reference under every start method.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from helpers.args import check_choice, check_int
from helpers.bench import Record
from helpers.workloads import sleepy

# Set once per worker process by ``load_table``; the parent never sets it.
_TABLE: list[int] | None = None
_LOADS = 0


def load_table(size: int) -> None:
    """Build a lookup table of squares in this worker's memory: an ``initializer``.

    Stands for expensive per-worker set-up (a model, a connection, a big
    table) done once per process instead of once per task.
    Runs in a worker process.
    """
    global _TABLE, _LOADS
    check_int("size", size, minimum=1)
    _TABLE = [i * i for i in range(size)]
    _LOADS += 1


def lookup(x: int) -> int:
    """Return ``x * x`` from the table ``load_table`` built. Runs in a worker process.

    Raises:
        RuntimeError: the pool was made without ``initializer=load_table``.
    """
    if _TABLE is None:
        raise RuntimeError("no table in this worker: create the pool with "
                           "initializer=load_table, initargs=(size,)")
    return _TABLE[x]


def loads_here(_: object = None) -> tuple[int, int]:
    """Return ``(pid, how many times load_table ran in this process)``.

    Shows that an initializer runs once per worker, not once per task.
    Runs in a worker process.
    """
    return os.getpid(), _LOADS


def arrivals(results: Iterable, clock: Callable[[], float] = time.perf_counter
             ) -> list[tuple[object, float]]:
    """Consume ``results`` and note when each item arrived, in seconds since the call.

    Use it on ``pool.imap(...)``, ``pool.imap_unordered(...)`` or
    ``as_completed(...)`` to see results arriving in the parent.
    """
    start = clock()
    return [(item, clock() - start) for item in results]


@dataclass(frozen=True)
class Teardown:
    """What happened to the tasks of a pool that was closed or terminated."""

    how: str
    submitted: int
    finished: int
    seconds: float

    def __str__(self) -> str:
        lost = self.submitted - self.finished
        return (f"{self.how:<12} finished {self.finished} of {self.submitted} tasks, "
                f"lost {lost}, in {self.seconds:.3f} s")


def teardown_demo(ctx, how: str, tasks: int = 8, seconds: float = 0.2,
                  workers: int = 2) -> Teardown:
    """Submit ``tasks`` sleeps to a fresh pool, then end the pool ``how``.

    ``"close"`` calls ``close()`` then ``join()``: every task finishes.
    ``"with-block"`` leaves ``with ctx.Pool() as pool:`` right after
    submitting, which calls ``terminate()``: tasks not yet done are dropped
    and their results never arrive. Bounded: at most ``tasks * seconds /
    workers`` plus start-up, and no worker survives the call.

    Raises:
        ValueError: ``how`` is not ``"close"`` or ``"with-block"``.
    """
    check_choice("how", how, ("close", "with-block"))
    check_int("tasks", tasks, minimum=1)
    check_int("workers", workers, minimum=1)
    done: list[float] = []
    lock = threading.Lock()

    def note(value: float) -> None:  # runs in the pool's result thread, in this process
        with lock:
            done.append(value)

    start = time.perf_counter()
    with ctx.Pool(workers) as pool:
        for _ in range(tasks):
            pool.apply_async(sleepy, (seconds,), callback=note)
        if how == "close":
            pool.close()
            pool.join()
    # Leaving the block called terminate(): the workers are gone now.
    elapsed = time.perf_counter() - start
    with lock:
        finished = len(done)
    return Teardown(how, tasks, finished, elapsed)


def per_task(record: Record) -> float:
    """Seconds per task of a measured run: its median time divided by its task count."""
    if record.tasks < 1:
        raise ValueError(f"record has no tasks: {record!r}")
    return record.median / record.tasks


def describe_per_task(record: Record, extrapolate_to: int = 100_000) -> str:
    """One line: time per task in µs, and what ``extrapolate_to`` tasks would take."""
    each = per_task(record)
    return (f"{record.strategy} chunksize={record.chunksize}: {each * 1e6:.1f} µs per task; "
            f"{extrapolate_to:,} tasks would take about {each * extrapolate_to:.2f} s")
