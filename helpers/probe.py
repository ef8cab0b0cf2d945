"""Measure what a pool costs on this machine, and a function's own task time.

``probe`` measures the overheads that ``helpers.costmodel`` turns into a
prediction, each from a short run where it dominates; ``predict`` times a
learner's function and predicts its map; ``sweep`` measures and predicts a
list of points side by side, so that a lesson can show where the model holds.
Everything here starts processes and takes time (about a second for
``probe``); the arithmetic lives in ``helpers.costmodel``.
"""

from __future__ import annotations

import multiprocessing as mp
import pickle
import statistics
import time
from collections.abc import Callable, Sequence

from helpers.args import check_choice
from helpers.costmodel import Overheads, Prediction, Sample, predict_time, resolve_chunksize
from helpers.machine import default_start_method, machine_info
from helpers.plumbing import check_sendable, make_pool, run_map, start_workers
from helpers.timing import serial_map, timed, timed_result
from helpers.workloads import cpu_task, whoami

_BLOB = 1 << 20  # 1 MiB: big enough that the pipe, not the call, dominates


def nothing(x: object) -> object:
    """Return ``x``: a task that costs only its dispatch. Runs in a worker process."""
    return x


def blob_size(blob: bytes) -> int:
    """Return ``len(blob)``: the argument travels, the result is tiny. Runs in a worker process."""
    return len(blob)


def probe(workers: int | None = None, start_method: str | None = None,
          strategies: Sequence[str] = ("pool", "executor"), repeats: int = 3) -> Overheads:
    """Measure the overheads of ``strategies`` on this machine (about a second).

    Each number comes from a run where it dominates: a tiny map (latency), many
    one-task chunks of a task that does nothing (per chunk), one chunk of many
    such tasks (per task), a few 1 MiB arguments (bytes per second), and a cold
    pool (start-up).
    """
    info = machine_info()
    workers = workers or info.usable_cpus
    method = start_method or default_start_method()
    ctx = mp.get_context(method)
    per_chunk, per_item, startup, bandwidth, latency = {}, {}, {}, [], {}
    many, tiny = 200, list(range(4000))
    blobs = [bytes(_BLOB)] * 6
    nothing_serial = timed(serial_map, repeats, nothing, tiny) / len(tiny)
    for s in strategies:
        startup[s] = timed(_cold, 2, s, workers, ctx)
        with make_pool(s, workers, ctx) as pool:
            start_workers(s, pool, workers)  # every worker up
            lat = timed(run_map, repeats * 3, s, pool, nothing, [0], 1)
            latency[s] = lat  # the executor's extra threads make its round trip longer
            t = timed(run_map, repeats, s, pool, nothing, list(range(many)), 1)
            one = max((t - lat) / many, 0.0)
            t = timed(run_map, repeats, s, pool, nothing, tiny, len(tiny))
            per_item[s] = max((t - lat - one) / len(tiny) - nothing_serial, 0.0)
            per_chunk[s] = max(one - per_item[s], 1e-7)
            t = timed(run_map, repeats, s, pool, blob_size, blobs, 1)
            spent = t - lat - len(blobs) * one
            bandwidth.append(len(blobs) * _BLOB / spent if spent > 0 else 1e10)
            if s == strategies[0]:
                cpus = _effective_cpus(s, pool, workers, info.usable_cpus, lat, repeats)
    return Overheads(method, cpus, latency, per_chunk,
                     per_item, startup, statistics.median(bandwidth))


def _effective_cpus(strategy: str, pool, workers: int, usable: int, latency: float,
                    repeats: int) -> float:
    """How many CPUs' worth of compute the workers get now: serial work / parallel time.

    On an idle machine this is about min(workers, usable CPUs); when other
    programs are busy it is less, and the model should know.
    """
    n = 40_000  # a few ms per task: long enough that dispatch hardly counts
    tasks = [n] * (4 * workers)
    serial = timed(cpu_task, repeats, n) * len(tasks)
    parallel = timed(run_map, repeats, strategy, pool, cpu_task, tasks, 1) - latency
    return min(float(min(workers, usable)), max(1.0, serial / parallel))


def _cold(strategy: str, workers: int, ctx) -> None:
    with make_pool(strategy, workers, ctx) as pool:
        run_map(strategy, pool, whoami, list(range(workers)), 1)
        if strategy == "pool":
            pool.close()
            pool.join()


def time_per_task(func: Callable, inputs: Sequence, budget: float = 0.3,
                  timer=time.perf_counter) -> tuple[float, int]:
    """Serial seconds per task over inputs spread through ``inputs``, and how many ran.

    Runs inputs taken evenly from the list until ``budget`` seconds are spent,
    so a slow function is sampled only a few times.
    """
    if not inputs:
        raise ValueError("inputs is empty: give at least one task")
    order = _spread(len(inputs))
    spent, count = 0.0, 0
    while count < len(order) and spent < budget:
        start = timer()
        func(inputs[order[count]])
        spent += timer() - start
        count += 1
    return spent / count, count


def _spread(n: int) -> list[int]:
    """Indices 0..n-1 in an order that covers the whole range early (0, n/2, n/4, ...)."""
    seen, order, step = set(), [], n
    while step >= 1:
        for i in range(0, n, step):
            if i not in seen:
                seen.add(i)
                order.append(i)
        step //= 2
    return order


_PROBED: dict[tuple[str, int], Overheads] = {}


def predict(func: Callable, inputs: Sequence, workers: int | None = None,
            chunksize: int | None = None, strategy: str = "pool",
            overheads: Overheads | None = None, budget: float = 0.3) -> Prediction:
    """Predict serial and parallel time of ``map(func, inputs)`` on this machine.

    Times ``func`` serially on a few inputs (at most ``budget`` seconds), measures
    the pickled size of an argument and its result, and probes the pool's
    overheads once per start method and pool size (cached).
    """
    check_choice("strategy", strategy, ("pool", "executor"))
    inputs = list(inputs)
    workers = workers or machine_info().usable_cpus
    method = overheads.start_method if overheads else default_start_method()
    check_sendable(func, method)
    seconds, _ = time_per_task(func, inputs, budget)
    sample = inputs[0]
    nbytes = len(pickle.dumps(sample)) + len(pickle.dumps(func(sample)))
    if overheads is None:
        key = (method, workers)
        if key not in _PROBED:
            _PROBED[key] = probe(workers, method)
        overheads = _PROBED[key]
    size = resolve_chunksize(strategy, len(inputs), workers, chunksize)
    parallel = predict_time(overheads, seconds, strategy, workers, size, len(inputs), nbytes)
    return Prediction(strategy, workers, size, len(inputs), seconds, nbytes,
                      seconds * len(inputs), parallel, overheads.startup.get(strategy, 0.0))


def seconds_per_unit(func: Callable[[int], object] | None = None, n: int = 200_000,
                     repeats: int = 3) -> float:
    """Serial seconds per unit of ``func(n)`` (default ``cpu_task``), to pick task sizes."""
    func = func or cpu_task
    return timed(func, repeats, n) / n


def _task_time(func: Callable, size: int, repeats: int) -> float:
    calls = 1
    while timed(serial_map, 1, func, [size] * calls) < 2e-3 and calls < 10_000:
        calls *= 4  # time a batch of tiny calls: one call is below the clock's noise
    return timed(serial_map, repeats, func, [size] * calls) / calls


def sweep(func: Callable[[int], object], points: Sequence[tuple[str, int, int, int | None]],
          workers: int, overheads: Overheads, repeats: int = 3,
          progress: Callable[[str], None] | None = None) -> list[Sample]:
    """Measure and predict each ``(strategy, size, tasks, chunksize)`` point.

    One warm pool per strategy serves all its points (start-up not counted).
    Each point's task time is measured just before it, and every result is
    checked against serial.
    """
    ctx = mp.get_context(overheads.start_method)
    check_sendable(func, overheads.start_method)
    samples, task_times = [], {}
    for strategy in dict.fromkeys(p[0] for p in points):
        mine = [p for p in points if p[0] == strategy]
        pool = None if strategy == "serial" else make_pool(strategy, workers, ctx)
        try:
            if pool is not None:
                start_workers(strategy, pool, workers)
            for i, (_, size, tasks, chunksize) in enumerate(mine):
                if progress:
                    progress(f"{strategy}: point {i + 1} of {len(mine)}")
                inputs, expected = [size] * tasks, func(size)
                if pool is None:
                    t, out = timed_result(serial_map, repeats, func, inputs)
                else:
                    t, out = timed_result(run_map, repeats, strategy, pool, func, inputs,
                                           chunksize)
                if any(r != expected for r in out):
                    raise AssertionError(f"{strategy} returned a wrong result for size {size}")
                if size not in task_times:  # once per size, shared by every strategy
                    task_times[size] = _task_time(func, size, repeats)
                d = task_times[size]
                samples.append(Sample(strategy, size, tasks, chunksize, workers, d, t,
                                      predict_time(overheads, d, strategy, workers,
                                                   chunksize, tasks)))
        finally:
            if pool is not None:
                pool.__exit__(None, None, None)
    return samples
