"""Measure one workload under several strategies, on the same inputs.

``compare`` runs a function serially, with ``multiprocessing.Pool.map``, with
``ProcessPoolExecutor.map`` and with a thread pool, checks that every strategy
returned what serial returned, and gives back one ``Record`` per strategy and
worker count. It measures; ``helpers.plots`` draws.

The method: **interleaved rounds.** For each worker count, the pools are
started and warmed up first; then each round runs every strategy once, in
the same order (serial, pool, executor, serial, pool, executor, ...).
A burst of load from another program then lands on every strategy alike,
instead of on whichever was being timed at that moment. Each record keeps
every round's time, and reports

- its fastest time (``best``: other programs only ever slow a run down) and
  its spread (slowest minus fastest), with the median;
- its speedup: in each round, serial's time divided by the strategy's time
  *in that same round*, and the median of those ratios. Serial is run again
  in every round of every worker count, so a machine whose single-core speed
  drifts (a laptop clocking down, a shared VM) still gets fair ratios.

``schedule`` gives the order of the runs, so a test can check it.

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
           "pool_chunksize", "rescale", "schedule", "summarize", "table", "to_frame",
           "validate"]


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
    round_speedups: tuple[float, ...] = ()  # serial / this, round by round

    @property
    def best(self) -> float:
        """The fastest round: the least disturbed estimate of the cost itself."""
        return min(self.times)

    def as_dict(self) -> dict:
        return {**asdict(self), "best": self.best}


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


def schedule(strategies: Sequence[str], workers: Sequence[int],
             repeats: int) -> list[tuple[int, int, str, int]]:
    """The order of the timed runs: ``(group, round, strategy, workers)`` tuples.

    One group per worker count (serial alone when it is the only strategy);
    within a group, ``repeats`` rounds that each run serial first, then the
    other strategies in the order given.
    """
    order = sorted(dict.fromkeys(strategies), key=lambda s: s != "serial")
    parallel = [s for s in order if s != "serial"]
    head = ["serial"] if "serial" in order else []
    groups = [[(s, 1) for s in head] + [(s, w) for s in parallel] for w in workers]
    if not parallel:
        groups = [[("serial", 1)]]
    return [(g, r, s, w) for g, group in enumerate(groups) for r in range(repeats)
            for s, w in group]


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
    """Time ``func`` over ``inputs`` with each strategy in interleaved rounds; check results.

    Args:
        func: a top-level function of an importable module (see ``helpers.workloads``).
        inputs: the arguments, one task each.
        strategies: any of ``STRATEGIES``.
        workers: an int or a list of ints to sweep; default: the usable CPUs.
        chunksize: ``None`` keeps each API's own default (Pool's formula, the
            executor's 1), which is itself worth measuring.
        start_method: ``"fork"``, ``"spawn"`` or ``"forkserver"``; default: the platform's.
        repeats: rounds per worker count; every strategy runs once per round.
        include_startup: count creating and closing the pool in each timed run
            (cold), or start it once, warm it up, and time only the work (warm).
        timer: the clock; tests inject a fake one.
        progress: called with a short message before each round.

    Returns:
        One ``Record`` per strategy and worker count, serial first. Serial's
        record holds every serial round of every worker count.

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

    runs = schedule(strategies, worker_list, repeats)
    times: dict[tuple[str, int], list[float]] = {}
    serial_by_round: dict[tuple[int, int], float] = {}
    ratios: dict[tuple[str, int], list[float]] = {}
    reference: list | None = None
    for group in dict.fromkeys(g for g, *_ in runs):
        mine = [run for run in runs if run[0] == group]
        pools = {} if include_startup else _warm_pools(mine, ctx)
        try:
            for g, rnd, strategy, w in mine:
                if progress and (strategy, w) == mine[0][2:]:
                    progress(f"round {rnd + 1} of {repeats}" + (
                        f", {w} workers" if len(worker_list) > 1 else ""))
                start = timer()
                result = _run(strategy, func, inputs, w, chunksize, ctx,
                              pools.get((strategy, w)))
                seconds = timer() - start
                if reference is None:
                    reference = result
                elif result != reference:
                    raise ResultMismatch(
                        f"{strategy} with {w} workers returned different results than "
                        f"{runs[0][2]}: a worker must return the same values as the serial "
                        "code")
                times.setdefault((strategy, w), []).append(seconds)
                if strategy == "serial":
                    serial_by_round[g, rnd] = seconds
                elif (g, rnd) in serial_by_round and seconds > 0:
                    ratios.setdefault((strategy, w), []).append(serial_by_round[g, rnd] / seconds)
        finally:
            for pool in pools.values():
                pool.__exit__(None, None, None)

    records = []
    for strategy, w in dict.fromkeys((s, w) for _, _, s, w in runs):
        mine = times[strategy, w]
        median, spread = summarize(mine)
        if strategy == "serial":
            round_speedups = (1.0,) * len(mine)
        else:
            round_speedups = tuple(ratios.get((strategy, w), ()))
        speedup = statistics.median(round_speedups) if round_speedups else None
        records.append(Record(
            strategy=strategy, workers=w,
            chunksize=_effective_chunksize(strategy, chunksize, len(inputs), w),
            start_method=method if strategy in PROCESS_STRATEGIES else None,
            tasks=len(inputs),
            include_startup=include_startup or strategy == "processes",
            times=tuple(mine), median=median, spread=spread, speedup=speedup,
            efficiency=speedup / w if speedup is not None else None,
            round_speedups=round_speedups,
        ))
    return records


def _warm_pools(runs, ctx) -> dict:
    """Start the pools a group of runs needs, with every worker up; the caller closes them."""
    pools = {}
    try:
        for _, _, strategy, w in runs:
            if strategy in ("pool", "executor", "threads") and (strategy, w) not in pools:
                pool = make_pool(strategy, w, ctx)
                pools[strategy, w] = pool.__enter__()
                start_workers(strategy, pool, w)  # start every worker before timing
    except BaseException:
        for pool in pools.values():
            pool.__exit__(None, None, None)
        raise
    return pools


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
        lines.append(f"{who:<30} fastest {duration(r.best)}  spread {duration(r.spread)}"
                     f"{speed}{method}")
    return "\n".join(lines)


def to_frame(records: Iterable[Record]):
    """The records as a pandas DataFrame, one row each (pandas is imported on demand)."""
    import pandas as pd

    return pd.DataFrame([r.as_dict() for r in records])
