"""Predict how long a process pool will take, from overheads measured on this machine.

A pool pays four costs: starting its processes (once), sending each *chunk*
of tasks and getting its results back (in the parent, one chunk after the
other), pickling the bytes of arguments and results, and the work itself,
shared by the workers. ``helpers.probe`` measures those overheads with short
runs; ``predict_time`` turns them into a time by playing the schedule: chunks
leave the parent one after the other, each idle worker takes the next one.
Three limits bound the result, and the slowest wins:

- the parent: it handles every chunk in turn;
- the workers: the busiest one finishes last (chunking can leave it alone);
- the CPUs: parent and workers share ``cpus`` cores, so more workers than
  CPUs take turns.

This module is arithmetic only: it starts no process and times nothing.
``helpers.probe.predict(func, inputs, ...)`` measures and predicts for a
learner's own function; ``crossover`` and ``fit_error`` read a sweep.
"""

from __future__ import annotations

import heapq
import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from helpers.args import check_choice, check_int
from helpers.bench import pool_chunksize

STRATEGIES = ("serial", "pool", "executor")


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
    if check_int("chunksize", chunksize, minimum=1, allow_none=True) is not None:
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
    check_choice("strategy", strategy, STRATEGIES)
    if strategy == "serial":
        return sum(durations)
    check_int("workers", workers, minimum=1)
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
        check_int("tasks", tasks, minimum=1)
        return [float(task_seconds)] * tasks
    durations = [float(t) for t in task_seconds]
    if not durations:
        raise ValueError("task_seconds is empty: give at least one task")
    return durations


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
