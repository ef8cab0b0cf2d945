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
  CPUs take turns (only the share of a task spent computing, ``cpu_fraction``,
  needs a CPU: a task that waits on a network does not).

What travels is counted per *chunk*, as pickle writes it (``Traffic``): an
object that every task of a chunk refers to is pickled once per chunk, not
once per task. Pickling plus the pipe move large messages more slowly than
small ones, so ``transfer_seconds`` reads the throughput off a curve probed
at a few message sizes (``Overheads.bandwidth``) and interpolates on log scales.

Threads ("threads") share one process: the part of a task that holds the GIL
runs one thread at a time, the part that releases it (``gil_free``: NumPy,
waiting, most C extensions) runs side by side, as Amdahl's law says.

This module is arithmetic only: it starts no process and times nothing.
``helpers.probe.predict(func, inputs, ...)`` measures and predicts for a
learner's own function; ``crossover`` and ``fit_error`` read a sweep.
"""

from __future__ import annotations

import heapq
import math
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from itertools import accumulate, pairwise

from helpers.args import check_choice, check_int
from helpers.bench import pool_chunksize

STRATEGIES = ("serial", "pool", "executor", "threads")
#: Above this many chunks the schedule is not played chunk by chunk (it is steady by then).
_SIMULATED = 5000


@dataclass(frozen=True)
class Overheads:
    """What a warm pool costs on this machine, measured by ``probe`` (seconds)."""

    start_method: str
    cpus: float                                     # CPUs the workers really got
    latency: float | dict[str, float]               # one tiny map on a warm pool
    per_chunk: dict[str, float] = field(default_factory=dict)  # parent, per chunk
    per_item: dict[str, float] = field(default_factory=dict)   # each task in a chunk
    startup: dict[str, float] = field(default_factory=dict)    # create, first map, close
    bytes_per_second: float = 1e9                   # pickling + pipe throughput, 1 MiB
    # (message size in bytes, bytes per second) from small to large; empty: one rate
    bandwidth: tuple[tuple[float, float], ...] = ()

    def as_dict(self) -> dict:
        return asdict(self)

    def round_trip(self, strategy: str) -> float:
        """Seconds for one tiny map on a warm pool of this strategy."""
        if isinstance(self.latency, dict):
            return self.latency.get(strategy, 0.0)
        return self.latency

    def summary(self) -> str:
        lines = [f"start method: {self.start_method}, "
                 f"the workers got {self.cpus:.2f}x one CPU's worth of compute"]
        if self.bandwidth:
            lines.append("pickling + pipe: " + ", ".join(
                f"{_size_label(n)} at {rate / 1e6:.0f} MB/s" for n, rate in self.bandwidth))
        else:
            lines.append(f"pickling + pipe: {self.bytes_per_second / 1e6:.1f} MB/s")
        for s in self.per_chunk:
            if s == "threads":
                lines.append(f"threads  per task {self.per_chunk[s] * 1e6:.1f} µs")
                continue
            lines.append(f"{s:<8} start-up {self.startup.get(s, 0) * 1e3:.1f} ms, "
                         f"round trip {self.round_trip(s) * 1e3:.3f} ms, "
                         f"per chunk {self.per_chunk[s] * 1e6:.1f} µs, "
                         f"per task in a chunk {self.per_item[s] * 1e6:.2f} µs")
        return "\n".join(lines)


def slowed(ov: Overheads, factor: float, cpus: float | None = None) -> Overheads:
    """``ov`` on a machine where the parent runs ``factor`` times slower (it waits for a
    CPU that other programs hold), and whose workers get ``cpus`` CPUs.

    The parent's costs (per chunk, per task, the round trip, pickling and the
    pipe) stretch by ``factor``; ``helpers.probe.sweep`` measures both in the
    same rounds as the runs they predict.
    """
    if factor <= 0:
        raise ValueError(f"factor must be a positive number, got {factor!r}")

    def stretch(d: dict) -> dict:
        return {k: v * factor for k, v in d.items()}

    latency = (stretch(ov.latency) if isinstance(ov.latency, dict)
               else ov.latency * factor)
    return replace(ov, cpus=ov.cpus if cpus is None else cpus, latency=latency,
                   per_chunk=stretch(ov.per_chunk), per_item=stretch(ov.per_item),
                   bytes_per_second=ov.bytes_per_second / factor,
                   bandwidth=tuple((n, r / factor) for n, r in ov.bandwidth))


def _size_label(n: float) -> str:
    for unit, size in (("MiB", 1 << 20), ("KiB", 1 << 10)):
        if n >= size:
            return f"{n / size:g} {unit}"
    return f"{n:g} B"


def transfer_seconds(ov: Overheads, nbytes: float) -> float:
    """Seconds to pickle, send and unpickle one message of ``nbytes`` bytes.

    The throughput comes from ``ov.bandwidth``, interpolated between the two
    probed sizes around ``nbytes`` on log scales, and held flat beyond the
    smallest and the largest; with no curve, ``ov.bytes_per_second``.
    """
    if nbytes <= 0:
        return 0.0
    curve = sorted(ov.bandwidth)
    if not curve:
        return nbytes / ov.bytes_per_second
    if nbytes <= curve[0][0]:
        return nbytes / curve[0][1]
    if nbytes >= curve[-1][0]:
        return nbytes / curve[-1][1]
    for (n0, r0), (n1, r1) in pairwise(curve):
        if n0 <= nbytes <= n1:
            frac = math.log(nbytes / n0) / math.log(n1 / n0)
            return nbytes / math.exp(math.log(r0) + frac * math.log(r1 / r0))
    raise AssertionError("unreachable: nbytes lies within the curve")


@dataclass(frozen=True)
class Traffic:
    """What a map sends, counted the way pickle writes a chunk: bytes, and the seconds
    it takes to pickle and unpickle them (a dict of a million small objects is far
    slower to rebuild than a bytes object of the same size).

    ``shared`` is written once per chunk (an object every task refers to),
    ``per_task`` for each task's own argument, ``result_per_task`` for each
    result on the way back. The ``pickle_*`` seconds are spent in the parent,
    the ``unpickle_*`` seconds in the worker that receives the chunk;
    ``result_codec`` is a result's pickling plus unpickling.
    ``helpers.probe.measure_traffic`` measures all of them on a real chunk.
    """

    shared: float = 0.0
    per_task: float = 0.0
    result_per_task: float = 0.0
    pickle_shared: float = 0.0
    pickle_per_task: float = 0.0
    unpickle_shared: float = 0.0
    unpickle_per_task: float = 0.0
    result_codec: float = 0.0

    def arguments(self, tasks: int) -> float:
        """Bytes of one chunk of ``tasks`` arguments."""
        return self.shared + tasks * self.per_task if tasks else 0.0

    def results(self, tasks: int) -> float:
        """Bytes of the results of one chunk of ``tasks``."""
        return tasks * self.result_per_task

    def naive(self, tasks: int) -> float:
        """What multiplying one task's bytes by the number of tasks would count."""
        return tasks * (self.shared + self.per_task + self.result_per_task)

    def parent_seconds(self, tasks: int) -> float:
        """Pickling a chunk's arguments and half its results' codec, in the parent."""
        return (self.pickle_shared + tasks * self.pickle_per_task
                + tasks * self.result_codec / 2)

    def worker_seconds(self, tasks: int) -> float:
        """Unpickling a chunk's arguments and half its results' codec, in the worker."""
        return (self.unpickle_shared + tasks * self.unpickle_per_task
                + tasks * self.result_codec / 2)


def chunk_transfer(ov: Overheads, traffic: Traffic, tasks: int) -> float:
    """Seconds of the parent for one chunk of ``tasks``: arguments out, results back."""
    return (transfer_seconds(ov, traffic.arguments(tasks))
            + transfer_seconds(ov, traffic.results(tasks)) + traffic.parent_seconds(tasks))


def _chunks(tasks: int, chunksize: int) -> list[tuple[int, int]]:
    return [(a, min(a + chunksize, tasks)) for a in range(0, tasks, chunksize)]


def resolve_chunksize(strategy: str, tasks: int, workers: int, chunksize: int | None) -> int:
    """The chunksize the API really uses: Pool's formula or the executor's 1 when None."""
    if check_int("chunksize", chunksize, minimum=1, allow_none=True) is not None:
        return chunksize
    return max(1, pool_chunksize(tasks, workers)) if strategy == "pool" else 1


def predict_time(ov: Overheads, task_seconds: float | Sequence[float], strategy: str,
                 workers: int, chunksize: int | None = None, tasks: int | None = None,
                 bytes_per_task: float = 0.0, include_startup: bool = False,
                 traffic: Traffic | None = None, cpu_fraction: float = 1.0,
                 gil_free: float = 0.0) -> float:
    """Predicted wall-clock time of one map, in seconds.

    Args:
        ov: measured overheads (``helpers.probe.probe``).
        task_seconds: the serial time of one task, or of each task in order.
        strategy: "serial", "pool", "executor" or "threads".
        workers: the pool size (may exceed the CPUs: then they take turns).
        chunksize: None means the API's default (threads always take one task).
        tasks: the number of tasks when ``task_seconds`` is one number.
        bytes_per_task: pickled size of one argument plus one result, when no
            ``traffic`` is given (then nothing is shared between tasks).
        include_startup: add the cold start-up of the pool.
        traffic: the bytes that travel, counted per chunk (``Traffic``).
        cpu_fraction: the share of a task's time spent computing (0..1).
        gil_free: for threads, the share of a task that runs without the GIL (0..1).
    """
    durations = _durations(task_seconds, tasks)
    check_choice("strategy", strategy, STRATEGIES)
    if strategy == "serial":
        return sum(durations)
    check_int("workers", workers, minimum=1)
    if strategy == "threads":
        return _predict_threads(ov, durations, workers, cpu_fraction, gil_free,
                                include_startup)
    if traffic is None:
        traffic = Traffic(per_task=bytes_per_task)
    n = len(durations)
    size = resolve_chunksize(strategy, n, workers, chunksize)
    chunks = -(-n // size)
    free = [0.0] * min(workers, chunks)  # idle times of the workers that get work
    ready = work = longest = job = 0.0
    prefix = [0.0, *accumulate(durations)]
    costs: dict[int, tuple[float, float]] = {}  # chunk length -> (parent, worker) seconds
    for a in range(0, n, size):
        b = min(a + size, n)
        if b - a not in costs:
            costs[b - a] = (ov.per_chunk[strategy] + chunk_transfer(ov, traffic, b - a),
                            (b - a) * ov.per_item[strategy] + traffic.worker_seconds(b - a))
        send, extra = costs[b - a]
        ready += send  # the parent, chunk by chunk
        job = prefix[b] - prefix[a] + extra
        work += job
        if chunks <= _SIMULATED:
            start = max(heapq.heappop(free), ready)
            heapq.heappush(free, start + job)
        elif job > longest:
            longest = job
    parent = ready
    if chunks <= _SIMULATED:
        busiest = max(free)
    else:  # so many chunks that the schedule is steady: the workers share the work evenly
        busiest = max(work / len(free) + longest, parent + job)
    computing = work - (1 - cpu_fraction) * sum(durations)
    cpu_bound = (parent + computing) / ov.cpus
    startup = ov.startup.get(strategy, 0.0) if include_startup else 0.0
    return startup + ov.round_trip(strategy) + max(busiest, parent, cpu_bound)


def _predict_threads(ov: Overheads, durations: list[float], workers: int,
                     cpu_fraction: float, gil_free: float, include_startup: bool) -> float:
    """A thread pool: the GIL-holding part runs one thread at a time (Amdahl's law),
    the rest is shared by the threads, and what computes is shared by the CPUs."""
    total = sum(durations)
    held = (1 - gil_free) * total
    released = gil_free * total
    computing_released = max(0.0, cpu_fraction * total - held)
    dispatch = len(durations) * ov.per_chunk.get("threads", 0.0)
    spread = max(released / workers, computing_released / max(ov.cpus, 1.0))
    startup = ov.startup.get("threads", 0.0) if include_startup else 0.0
    return startup + max(held + spread + dispatch, max(durations))


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
    """One point of a sweep, measured and predicted (seconds; speedups against serial).

    ``helpers.probe.sweep`` fills the speedups from interleaved rounds: serial
    and the pool run in turn, and each round's speedup divides by the serial
    time of that same round, which is also the task time the prediction uses.
    """

    strategy: str
    size: int
    tasks: int
    chunksize: int | None
    workers: int
    task_seconds: float
    measured: float
    predicted: float
    serial: float | None = None             # serial time in the same rounds
    measured_speedup: float | None = None
    predicted_speedup: float | None = None
    cpus: float | None = None                # CPU share the workers got, same rounds

    @property
    def error(self) -> float:
        """Relative error of the predicted speedup: +0.10 means it promised 10% too much.

        Without speedups (no serial in the same rounds) the times stand in for
        them: ``measured / predicted - 1``.
        """
        if self.measured_speedup and self.predicted_speedup:
            return self.predicted_speedup / self.measured_speedup - 1
        return self.measured / self.predicted - 1

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
    first where it won; None if it did not win at the largest size. Speedups
    come from the same rounds where the sweep measured them.
    """
    serial = {s.size: s for s in samples if s.strategy == "serial"}
    rows = sorted((s for s in samples if s.strategy == strategy
                   and (s.measured_speedup or s.size in serial)), key=lambda s: s.task_seconds)
    ratios = [(s.task_seconds, s.measured_speedup or serial[s.size].measured / s.measured)
              for s in rows]
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
                     strategies: Sequence[str] = ("serial", "pool", "executor"),
                     ) -> list[tuple]:
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
