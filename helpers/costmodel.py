"""Predict how long a process pool will take, from overheads measured on this machine.

A pool pays four costs: starting its processes (once), sending each *chunk*
of tasks and getting its results back (in the parent, one chunk after the
other), pickling the bytes of arguments and results, and the work itself,
shared by the workers. ``probe`` measures those overheads with short runs;
``predict_time`` turns them into a time by playing the schedule: chunks
leave the parent one after the other, each idle worker takes the next one.
Three limits bound the result, and the slowest wins:

- the parent: it handles every chunk in turn;
- the workers: the busiest one finishes last (chunking can leave it alone);
- the CPUs: parent and workers share ``cpus`` cores, so more workers than
  CPUs take turns.

``predict(func, inputs, ...)`` does all of it for a learner's own function.
"""

from __future__ import annotations

import heapq
import math
import multiprocessing as mp
import pickle
import statistics
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field

from helpers.bench import check_sendable, pool_chunksize
from helpers.machine import default_start_method, machine_info
from helpers.workloads import whoami

STRATEGIES = ("serial", "pool", "executor")
_BLOB = 1 << 20  # 1 MiB: big enough that the pipe, not the call, dominates


def nothing(x: object) -> object:
    """Return ``x``: a task that costs only its dispatch. Runs in a worker process."""
    return x


def blob_size(blob: bytes) -> int:
    """Return ``len(blob)``: the argument travels, the result is tiny. Runs in a worker process."""
    return len(blob)


@dataclass(frozen=True)
class Overheads:
    """What a warm pool costs on this machine, measured by ``probe`` (seconds)."""

    start_method: str
    cpus: float                                     # CPUs the workers really got
    latency: float | dict[str, float]               # one tiny map on a warm pool
    per_chunk: dict[str, float] = field(default_factory=dict)  # parent, per chunk
    per_item: dict[str, float] = field(default_factory=dict)   # each task in a chunk
    startup: dict[str, float] = field(default_factory=dict)    # create, first map, close
    bytes_per_second: float = 1e9                   # pickling + pipe throughput

    def as_dict(self) -> dict:
        return asdict(self)

    def round_trip(self, strategy: str) -> float:
        """Seconds for one tiny map on a warm pool of this strategy."""
        if isinstance(self.latency, dict):
            return self.latency.get(strategy, 0.0)
        return self.latency

    def summary(self) -> str:
        lines = [f"start method: {self.start_method}, "
                 f"the workers got {self.cpus:.2f}x one CPU's worth of compute",
                 f"pickling + pipe: {self.bytes_per_second / 1e6:.1f} MB/s"]
        for s in self.per_chunk:
            lines.append(f"{s:<8} start-up {self.startup.get(s, 0) * 1e3:.1f} ms, "
                         f"round trip {self.round_trip(s) * 1e3:.3f} ms, "
                         f"per chunk {self.per_chunk[s] * 1e6:.1f} µs, "
                         f"per task in a chunk {self.per_item[s] * 1e6:.2f} µs")
        return "\n".join(lines)


def _chunks(tasks: int, chunksize: int) -> list[tuple[int, int]]:
    return [(a, min(a + chunksize, tasks)) for a in range(0, tasks, chunksize)]


def resolve_chunksize(strategy: str, tasks: int, workers: int, chunksize: int | None) -> int:
    """The chunksize the API really uses: Pool's formula or the executor's 1 when None."""
    if chunksize is not None:
        if isinstance(chunksize, bool) or not isinstance(chunksize, int) or chunksize < 1:
            raise ValueError(f"chunksize must be None or an int of at least 1, got {chunksize!r}")
        return chunksize
    return max(1, pool_chunksize(tasks, workers)) if strategy == "pool" else 1


def predict_time(ov: Overheads, task_seconds: float | Sequence[float], strategy: str,
                 workers: int, chunksize: int | None = None, tasks: int | None = None,
                 bytes_per_task: float = 0.0, include_startup: bool = False) -> float:
    """Predicted wall-clock time of one map, in seconds.

    Args:
        ov: measured overheads (``probe``).
        task_seconds: the serial time of one task, or of each task in order.
        strategy: "serial", "pool" or "executor".
        workers: the pool size (may exceed the CPUs: then they take turns).
        chunksize: None means the API's default.
        tasks: the number of tasks when ``task_seconds`` is one number.
        bytes_per_task: pickled size of one argument plus one result.
        include_startup: add the cold start-up of the pool.
    """
    durations = _durations(task_seconds, tasks)
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}; choose from {', '.join(STRATEGIES)}")
    if strategy == "serial":
        return sum(durations)
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers!r}")
    n = len(durations)
    size = resolve_chunksize(strategy, n, workers, chunksize)
    per_byte = bytes_per_task / ov.bytes_per_second
    free = [0.0] * min(workers, -(-n // size))  # idle times of the workers that get work
    ready = parent = work = 0.0
    for a, b in _chunks(n, size):
        ready += ov.per_chunk[strategy] + (b - a) * per_byte  # the parent, chunk by chunk
        job = sum(durations[a:b]) + (b - a) * ov.per_item[strategy]
        start = max(heapq.heappop(free), ready)
        heapq.heappush(free, start + job)
        work += job
    parent = ready
    busiest = max(free)
    cpu_bound = (parent + work) / ov.cpus
    startup = ov.startup.get(strategy, 0.0) if include_startup else 0.0
    return startup + ov.round_trip(strategy) + max(busiest, parent, cpu_bound)


def _durations(task_seconds, tasks) -> list[float]:
    if isinstance(task_seconds, (int, float)):
        if tasks is None or tasks < 1:
            raise ValueError(f"tasks must be at least 1 with one task time, got {tasks!r}")
        return [float(task_seconds)] * tasks
    durations = [float(t) for t in task_seconds]
    if not durations:
        raise ValueError("task_seconds is empty: give at least one task")
    return durations


def _timed(fn: Callable, repeats: int, *args, timer=time.perf_counter) -> float:
    """The fastest of ``repeats`` runs of ``fn(*args)``, in seconds.

    Other programs on the machine can only slow a run down, so the fastest run
    is the best estimate of the cost itself (the advice of the timeit docs);
    the model predicts that cost.
    """
    return _timed_result(fn, repeats, *args, timer=timer)[0]


def _timed_result(fn: Callable, repeats: int, *args, timer=time.perf_counter):
    """The fastest time of ``repeats`` runs of ``fn(*args)`` and the last result."""
    best, result = math.inf, None
    for _ in range(repeats):
        start = timer()
        result = fn(*args)
        best = min(best, timer() - start)
    return best, result


def _serial_map(func: Callable, inputs: list) -> list:
    return [func(x) for x in inputs]


def make_pool(strategy: str, workers: int, ctx):
    """A started Pool or ProcessPoolExecutor; use it in a ``with`` block."""
    if strategy == "pool":
        return ctx.Pool(workers)
    if strategy == "executor":
        return ProcessPoolExecutor(workers, mp_context=ctx)
    raise ValueError(f"unknown pool strategy {strategy!r}; choose from pool, executor")


def run_map(strategy: str, pool, func: Callable, inputs: list, chunksize: int | None) -> list:
    """One map on a warm pool, with the API's default chunksize when None."""
    if strategy == "pool":
        return pool.map(func, inputs, chunksize)
    return list(pool.map(func, inputs, chunksize=chunksize or 1))


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
    nothing_serial = _timed(_serial_map, repeats, nothing, tiny) / len(tiny)
    for s in strategies:
        startup[s] = _timed(_cold, 2, s, workers, ctx)
        with make_pool(s, workers, ctx) as pool:
            run_map(s, pool, whoami, list(range(workers * 4)), 1)  # every worker up
            lat = _timed(run_map, repeats * 3, s, pool, nothing, [0], 1)
            latency[s] = lat  # the executor's extra threads make its round trip longer
            t = _timed(run_map, repeats, s, pool, nothing, list(range(many)), 1)
            one = max((t - lat) / many, 0.0)
            t = _timed(run_map, repeats, s, pool, nothing, tiny, len(tiny))
            per_item[s] = max((t - lat - one) / len(tiny) - nothing_serial, 0.0)
            per_chunk[s] = max(one - per_item[s], 1e-7)
            t = _timed(run_map, repeats, s, pool, blob_size, blobs, 1)
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
    from helpers.workloads import cpu_task

    n = 40_000  # a few ms per task: long enough that dispatch hardly counts
    tasks = [n] * (4 * workers)
    serial = _timed(cpu_task, repeats, n) * len(tasks)
    parallel = _timed(run_map, repeats, strategy, pool, cpu_task, tasks, 1) - latency
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


@dataclass(frozen=True)
class Prediction:
    """What ``predict`` expects for a function on a list of inputs."""

    strategy: str
    workers: int
    chunksize: int
    tasks: int
    task_seconds: float
    bytes_per_task: float
    serial: float
    parallel: float
    startup: float

    @property
    def speedup(self) -> float:
        return self.serial / (self.parallel + self.startup)

    def summary(self) -> str:
        return (f"{self.tasks} tasks of {self.task_seconds * 1e3:.3f} ms, "
                f"{self.strategy} x{self.workers}, chunksize {self.chunksize}: "
                f"serial {self.serial:.3f} s, parallel {self.parallel:.3f} s "
                f"+ start-up {self.startup:.3f} s, speedup {self.speedup:.2f}x")


_PROBED: dict[tuple[str, int], Overheads] = {}


def predict(func: Callable, inputs: Sequence, workers: int | None = None,
            chunksize: int | None = None, strategy: str = "pool",
            overheads: Overheads | None = None, budget: float = 0.3) -> Prediction:
    """Predict serial and parallel time of ``map(func, inputs)`` on this machine.

    Times ``func`` serially on a few inputs (at most ``budget`` seconds), measures
    the pickled size of an argument and its result, and probes the pool's
    overheads once per start method and pool size (cached).
    """
    if strategy not in ("pool", "executor"):
        raise ValueError(f"unknown strategy {strategy!r}; choose from pool, executor")
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
    from helpers.workloads import cpu_task

    func = func or cpu_task
    return _timed(func, repeats, n) / n


def size_for(seconds: float, per_unit: float) -> int:
    """The ``cpu_task`` size that takes about ``seconds`` at ``per_unit`` seconds per unit."""
    return max(1, round(seconds / per_unit))


@dataclass(frozen=True)
class Sample:
    """One point of a sweep: measured (fastest of the repeats) and predicted, in seconds."""

    strategy: str
    size: int
    tasks: int
    chunksize: int | None
    workers: int
    task_seconds: float
    measured: float
    predicted: float

    @property
    def error(self) -> float:
        """Relative error of the prediction: +0.10 means 10% too slow."""
        return self.predicted / self.measured - 1

    def as_dict(self) -> dict:
        return {**asdict(self), "error": self.error}


def _task_time(func: Callable, size: int, repeats: int) -> float:
    calls = 1
    while _timed(_serial_map, 1, func, [size] * calls) < 2e-3 and calls < 10_000:
        calls *= 4  # time a batch of tiny calls: one call is below the clock's noise
    return _timed(_serial_map, repeats, func, [size] * calls) / calls


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
                run_map(strategy, pool, whoami, list(range(workers * 4)), 1)
            for i, (_, size, tasks, chunksize) in enumerate(mine):
                if progress:
                    progress(f"{strategy}: point {i + 1} of {len(mine)}")
                inputs, expected = [size] * tasks, func(size)
                if pool is None:
                    t, out = _timed_result(_serial_map, repeats, func, inputs)
                else:
                    t, out = _timed_result(run_map, repeats, strategy, pool, func, inputs,
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


def fit_error(samples: Sequence[Sample]) -> tuple[float, float]:
    """Median and worst absolute relative error of the predictions (0.2 means 20%)."""
    errors = sorted(abs(s.error) for s in samples if s.strategy != "serial")
    if not errors:
        raise ValueError("no parallel samples: sweep at least one pool strategy")
    return statistics.median(errors), errors[-1]


def crossover(samples: Sequence[Sample], strategy: str) -> float | None:
    """The task time above which ``strategy`` beats serial at every measured size.

    Interpolated (on log scales) between the last size where it lost and the
    first where it won; None if it never won at the largest size.
    """
    serial = {s.size: s for s in samples if s.strategy == "serial"}
    rows = sorted((s for s in samples if s.strategy == strategy and s.size in serial),
                  key=lambda s: s.task_seconds)
    ratios = [(s.task_seconds, serial[s.size].measured / s.measured) for s in rows]
    if not ratios or ratios[-1][1] <= 1:
        return None
    i = len(ratios) - 1
    while i > 0 and ratios[i - 1][1] > 1:
        i -= 1
    if i == 0:
        return ratios[0][0]
    (t0, r0), (t1, r1) = ratios[i - 1], ratios[i]
    frac = math.log(r0) / (math.log(r0) - math.log(r1))  # where log(speedup) crosses 0
    return math.exp(math.log(t0) + frac * (math.log(t1) - math.log(t0)))


def amdahl_speedup(workers: int, parallel_fraction: float, cpus: int) -> float:
    """Amdahl's law, with no more than ``cpus`` workers running at once."""
    p = parallel_fraction
    return 1 / ((1 - p) + p / min(workers, cpus))


def fit_amdahl(workers: Sequence[int], speedups: Sequence[float], cpus: int) -> float:
    """The parallel fraction (0..1) whose Amdahl curve best fits the speedups (least squares)."""
    if not workers or len(workers) != len(speedups):
        raise ValueError("need one speedup per worker count, and at least one")
    grid = [i / 1000 for i in range(1001)]
    return min(grid, key=lambda p: sum((amdahl_speedup(w, p, cpus) - s) ** 2
                                       for w, s in zip(workers, speedups, strict=True)))


def crossover_points(per_unit: float, durations: Sequence[float], budget: float = 0.05,
                     most: int = 2000, least: int = 4,
                     strategies: Sequence[str] = STRATEGIES) -> list[tuple]:
    """Sweep points (strategy, size, tasks, None) for a crossover: tasks of each duration.

    The number of tasks keeps the serial total near ``budget`` seconds, between
    ``least`` and ``most`` tasks, so that tiny and long tasks cost about the same to run.
    """
    points = []
    for d in durations:
        tasks = max(least, min(most, round(budget / d)))
        points += [(s, size_for(d, per_unit), tasks, None) for s in strategies]
    return points


def model_crossover(ov: Overheads, strategy: str, workers: int, tasks: int,
                    chunksize: int | None = None) -> float | None:
    """The task time at which the model says ``strategy`` starts to beat serial (warm pool).

    Found by bisection on a log scale between 100 ns and 10 s; None if it never does.
    """
    def gain(d: float) -> float:
        return d * tasks - predict_time(ov, d, strategy, workers, chunksize, tasks)

    low, high = 1e-7, 10.0
    if gain(high) <= 0:
        return None
    if gain(low) > 0:
        return low
    for _ in range(50):
        mid = math.sqrt(low * high)
        low, high = (mid, high) if gain(mid) <= 0 else (low, mid)
    return high
