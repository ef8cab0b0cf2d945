"""Measure one workload under several strategies, on the same inputs.

``compare`` runs a function serially, with ``multiprocessing.Pool.map``, with
``ProcessPoolExecutor.map`` and with a thread pool, checks that every strategy
returned what serial returned, and gives back one ``Record`` per strategy and
worker count. It measures; ``helpers.plots`` draws.

Start methods are chosen with ``multiprocessing.get_context`` and never by
changing the global default, so a lesson can compare them side by side.
"""

from __future__ import annotations

import multiprocessing as mp
import statistics
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from itertools import pairwise

from helpers.args import check_choice, check_int, check_start_method
from helpers.machine import default_start_method, machine_info
from helpers.plumbing import check_sendable, make_pool, run_map, start_workers
from helpers.timing import serial_map
from helpers.units import duration
from helpers.workloads import run_slice

STRATEGIES = ("serial", "processes", "pool", "executor", "threads")
PROCESS_STRATEGIES = ("processes", "pool", "executor")

__all__ = ["PROCESS_STRATEGIES", "STRATEGIES", "Record", "ResultMismatch", "compare",
           "pool_chunksize", "rescale", "summarize", "table", "to_frame", "validate"]


class ResultMismatch(AssertionError):
    """A parallel strategy returned something other than the serial run did."""


@dataclass(frozen=True)
class Record:
    """The timings of one strategy at one worker count, in seconds."""

    strategy: str
    workers: int
    chunksize: int | None
    start_method: str | None
    tasks: int
    include_startup: bool
    times: tuple[float, ...]
    median: float
    spread: float
    speedup: float | None
    efficiency: float | None

    def as_dict(self) -> dict:
        return asdict(self)


def summarize(times: Sequence[float]) -> tuple[float, float]:
    """Return the median and the spread (max - min) of repeated timings."""
    if not times:
        raise ValueError("need at least one timing to summarize")
    return statistics.median(times), max(times) - min(times)


def rescale(record: Record, serial_median: float) -> Record:
    """The same record with speedup and efficiency against another serial baseline."""
    speedup = serial_median / record.median if record.median > 0 else None
    return replace(record, speedup=speedup,
                   efficiency=speedup / record.workers if speedup is not None else None)


def pool_chunksize(tasks: int, workers: int) -> int:
    """The chunksize ``Pool.map`` picks when given none (multiprocessing/pool.py, _map_async)."""
    if tasks == 0:
        return 0
    chunksize, extra = divmod(tasks, workers * 4)
    return chunksize + 1 if extra else chunksize


def validate(
    strategies: Iterable[str], workers: Iterable[int], start_method: str | None,
    chunksize: int | None, repeats: int,
) -> None:
    """Raise a ValueError or TypeError that names the valid choices, or return None."""
    for s in strategies:
        check_choice("strategy", s, STRATEGIES)
    for w in workers:
        check_int("workers", w, minimum=1)
    if start_method is not None:
        check_start_method(start_method)
    check_int("chunksize", chunksize, minimum=1, allow_none=True)
    check_int("repeats", repeats, minimum=1)


def _run(strategy: str, func: Callable, inputs: list, workers: int,
         chunksize: int | None, ctx, executor=None) -> list:
    """Run ``func`` over ``inputs`` once, on an already started pool if one is given."""
    if strategy == "serial":
        return serial_map(func, inputs)
    if strategy == "processes":
        return _run_processes(func, inputs, workers, ctx)
    if executor is not None:
        return run_map(strategy, executor, func, inputs, chunksize)
    with make_pool(strategy, workers, ctx) as ex:
        return _run(strategy, func, inputs, workers, chunksize, ctx, ex)


def _run_processes(func: Callable, inputs: list, workers: int, ctx) -> list:
    """One ``Process`` per worker, each on a contiguous slice; results come back on a Queue."""
    queue = ctx.Queue()
    bounds = [len(inputs) * i // workers for i in range(workers + 1)]
    procs = [ctx.Process(target=run_slice, args=(func, inputs[a:b], i, queue))
             for i, (a, b) in enumerate(pairwise(bounds))]
    for p in procs:
        p.start()
    parts = dict(queue.get() for _ in procs)  # drain the queue before joining
    for p in procs:
        p.join()
    return [y for i in range(workers) for y in parts[i]]


def _effective_chunksize(strategy: str, chunksize: int | None, tasks: int, workers: int):
    if strategy == "serial":
        return None
    if strategy == "processes":
        return -(-tasks // workers)
    if chunksize is not None:
        return chunksize
    return pool_chunksize(tasks, workers) if strategy == "pool" else 1


def compare(
    func: Callable,
    inputs: Iterable,
    strategies: Sequence[str] = ("serial", "pool", "executor"),
    workers: int | Sequence[int] | None = None,
    chunksize: int | None = None,
    start_method: str | None = None,
    repeats: int = 3,
    include_startup: bool = False,
    timer: Callable[[], float] = time.perf_counter,
    progress: Callable[[str], None] | None = None,
) -> list[Record]:
    """Time ``func`` over ``inputs`` with each strategy; check all results agree.

    Args:
        func: a top-level function of an importable module (see ``helpers.workloads``).
        inputs: the arguments, one task each.
        strategies: any of ``STRATEGIES``.
        workers: an int or a list of ints to sweep; default: the usable CPUs.
        chunksize: ``None`` keeps each API's own default (Pool's formula, the
            executor's 1), which is itself worth measuring.
        start_method: ``"fork"``, ``"spawn"`` or ``"forkserver"``; default: the platform's.
        repeats: timed runs per strategy; the median and spread are reported.
        include_startup: count creating and closing the pool in each timed run
            (cold), or start it once, warm it up, and time only the work (warm).
        timer: the clock; tests inject a fake one.
        progress: called with a short message before each measurement.

    Returns:
        One ``Record`` per strategy and worker count, serial first.

    Raises:
        ValueError, TypeError: invalid settings, or a function workers cannot run.
        ResultMismatch: a strategy returned something other than serial did.
    """
    inputs = list(inputs)
    if not inputs:
        raise ValueError("inputs is empty: give at least one task")
    if workers is None:
        workers = [machine_info().usable_cpus]
    worker_list = list(workers) if isinstance(workers, (list, tuple, range)) else [workers]
    validate(strategies, worker_list, start_method, chunksize, repeats)
    method = start_method or default_start_method()
    if any(s in PROCESS_STRATEGIES for s in strategies):
        check_sendable(func, method)
    ctx = mp.get_context(method)

    records: list[Record] = []
    reference = None
    serial_median = None
    order = sorted(strategies, key=lambda s: s != "serial")  # serial first, as the baseline
    for strategy in order:
        for w in [1] if strategy == "serial" else worker_list:
            if progress:
                progress(f"{strategy} x{w}")
            times, result = _time_strategy(
                strategy, func, inputs, w, chunksize, ctx, repeats, include_startup, timer
            )
            if reference is None:
                reference = result
            elif result != reference:
                raise ResultMismatch(
                    f"{strategy} with {w} workers returned different results than "
                    f"{order[0]}: a worker must return the same values as the serial code"
                )
            median, spread = summarize(times)
            if strategy == "serial":
                serial_median = median
            speedup = serial_median / median if serial_median and median > 0 else None
            records.append(Record(
                strategy=strategy, workers=w,
                chunksize=_effective_chunksize(strategy, chunksize, len(inputs), w),
                start_method=method if strategy in PROCESS_STRATEGIES else None,
                tasks=len(inputs),
                include_startup=include_startup or strategy == "processes",
                times=tuple(times), median=median, spread=spread, speedup=speedup,
                efficiency=speedup / w if speedup is not None else None,
            ))
    return records


def _time_strategy(strategy, func, inputs, workers, chunksize, ctx, repeats,
                   include_startup, timer) -> tuple[list[float], list]:
    times: list[float] = []
    result: list = []
    if strategy in ("serial", "processes") or include_startup:
        for _ in range(repeats):
            start = timer()
            result = _run(strategy, func, inputs, workers, chunksize, ctx)
            times.append(timer() - start)
        return times, result
    with make_pool(strategy, workers, ctx) as ex:
        start_workers(strategy, ex, workers)  # start every worker before timing
        for _ in range(repeats):
            start = timer()
            result = _run(strategy, func, inputs, workers, chunksize, ctx, ex)
            times.append(timer() - start)
    return times, result


def table(records: Iterable[Record]) -> str:
    """One line per record, numbers in the course's printed form ("0.452 s", "1.86x")."""
    lines = []
    for r in records:
        who = "serial" if r.strategy == "serial" else f"{r.strategy} x{r.workers}"
        if r.strategy in ("pool", "executor"):
            who += f", chunksize {r.chunksize}"
        speed = "" if r.speedup is None else f"  speedup {r.speedup:.2f}x"
        # Nothing after a machine-dependent value is padded, so masked output lines up.
        method = f"  (start method: {r.start_method})" if r.start_method else ""
        lines.append(f"{who:<30} median {duration(r.median)}  spread {duration(r.spread)}"
                     f"{speed}{method}")
    return "\n".join(lines)


def to_frame(records: Iterable[Record]):
    """The records as a pandas DataFrame, one row each (pandas is imported on demand)."""
    import pandas as pd

    return pd.DataFrame([r.as_dict() for r in records])
