"""Lesson 07's experiments, written once: the lesson and ``make bench`` both call them.

- ``crossover``: tasks from 1 µs to 0.1 s, serial against each pool, in
  interleaved rounds; where each pool starts to win, measured and predicted.
- ``chunk_sweep``: many tiny tasks sent in chunks of 1 to 256.
- ``model_grid``: the cost model's accuracy on a grid of task durations,
  chunksizes and both APIs, judged on speedups measured in the same rounds.
- ``worker_sweep``: 1 to 2x the usable CPUs, against the best the tasks and
  CPUs allow.
- ``blas``: matrix products serially and on pools with BLAS threads
  unlimited or limited to one per worker, in interleaved rounds.

Each returns data, and a ``*_verdict`` function turns it into the sentence
the lesson prints, so that the words follow this machine's numbers. The
sizes are parameters: the lesson runs them small, ``make bench`` larger.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from matplotlib.figure import Figure

from helpers import bench, costmodel, probe, verdict
from helpers.costmodel import Overheads, Sample
from helpers.machine import default_start_method
from helpers.plotstyle import MARKERS, PALETTE, colour, styled
from helpers.timing import serial_map, timed
from helpers.workloads import blas_threads, cpu_task, limit_blas_threads, matmul_task

__all__ = ["Accuracy", "BlasResult", "accuracy", "blas", "blas_verdicts", "chunk_sweep",
           "crossover", "crossover_verdict", "model_grid", "speedup_plot", "task_limit",
           "worker_plot", "worker_sweep", "worker_verdict"]

#: A point counts as a win (or a loss) only beyond the run-to-run noise.
TIE = verdict.TIE


# --- crossover ---

def crossover(per_unit: float, ov: Overheads, workers: int,
              durations: Sequence[float] = (1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1),
              budget: float = 0.02, most: int = 500, least: int = 2, repeats: int = 2,
              progress: Callable[[str], None] | None = None) -> list[Sample]:
    """Serial, ``Pool.map`` and ``ProcessPoolExecutor.map`` (default chunksizes, warm
    pools) on tasks of each duration, about ``budget`` seconds of serial work each."""
    points = costmodel.crossover_points(per_unit, durations, budget=budget, most=most,
                                        least=least)
    return probe.sweep(cpu_task, points, workers, ov, repeats=repeats, progress=progress)


def crossover_verdict(samples: Sequence[Sample], strategy: str, ov: Overheads,
                      workers: int, tasks: int) -> str:
    """One line: where ``strategy`` beat serial here, and where the model says it should."""
    rows = sorted((s for s in samples if s.strategy == strategy and s.measured_speedup),
                  key=lambda s: s.task_seconds)
    won = [s for s in rows if s.measured_speedup > 1 + TIE]
    at = costmodel.crossover(samples, strategy)
    model = costmodel.model_crossover(ov, strategy, workers, tasks)
    said = "never" if model is None else f"above {model * 1e3:.3g} ms"
    if at is not None:
        head = f"{strategy}: beat serial from {at * 1e3:.3g} ms a task upwards"
    elif won:
        head = (f"{strategy}: beat serial at {_span(won)} a task but not at the longest "
                f"tasks ({rows[-1].measured_speedup:.2f}x there): another program probably "
                "took CPUs during those rounds; run the cell again")
    else:
        head = (f"{strategy}: never beat serial here, up to {rows[-1].task_seconds:.3g} s "
                "a task" if rows else f"{strategy}: not measured")
    return f"{head} (the cost model says: {said})."


def _span(rows: Sequence[Sample]) -> str:
    low, high = rows[0].task_seconds, rows[-1].task_seconds
    return f"{low * 1e3:.3g} ms" if low == high else f"{low * 1e3:.3g}-{high * 1e3:.3g} ms"


@styled
def speedup_plot(samples: Sequence[Sample], title: str = "When do processes pay off?",
                 cpus: int | None = None) -> Figure:
    """Speedup against serial (same rounds) per task duration, measured and predicted."""
    fig = Figure(figsize=(8.4, 4.6), layout="constrained")
    ax = fig.subplots()
    for strategy in dict.fromkeys(s.strategy for s in samples if s.strategy != "serial"):
        rows = sorted((s for s in samples if s.strategy == strategy),
                      key=lambda s: s.task_seconds)
        xs = [s.task_seconds for s in rows]
        ax.plot(xs, [s.measured_speedup for s in rows], marker=MARKERS.get(strategy, "o"),
                color=colour(strategy), label=f"{strategy}, measured")
        ax.plot(xs, [s.predicted_speedup for s in rows], linestyle="--",
                marker=MARKERS.get(strategy, "o"), fillstyle="none", color=colour(strategy),
                label=f"{strategy}, cost model")
    ax.axhline(1.0, color=PALETTE["serial"], linewidth=1.2, label="serial (1x)")
    if cpus:
        ax.axhline(cpus, color=PALETTE["ideal"], linestyle=":", label=f"{cpus} CPUs ({cpus}x)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("duration of one task (s)")
    ax.set_ylabel("speedup over serial")
    ax.set_title(title)
    ax.legend(loc="upper left", frameon=False, fontsize=11)
    return fig


# --- chunksize ---

def chunk_sweep(per_unit: float, ov: Overheads, workers: int, task_seconds: float = 5e-6,
                tasks: int = 1000, chunksizes: Sequence[int] = (1, 4, 16, 64, 256),
                repeats: int = 2, progress: Callable[[str], None] | None = None
                ) -> list[Sample]:
    """Tiny tasks on both APIs with each chunksize, measured and predicted."""
    size = costmodel.size_for(task_seconds, per_unit)
    points = [(s, size, tasks, c) for s in ("pool", "executor") for c in chunksizes]
    return probe.sweep(cpu_task, points, workers, ov, repeats=repeats, progress=progress)


# --- the cost model's accuracy ---

def model_grid(per_unit: float, ov: Overheads, workers: int,
               durations: Sequence[float] = (1e-5, 1e-4, 1e-3, 1e-2),
               chunksizes: Sequence[int] = (1, 8, 64), budget: float = 0.02, most: int = 400,
               repeats: int = 2, progress: Callable[[str], None] | None = None
               ) -> list[Sample]:
    """Lesson 07's grid: both APIs x ``durations`` x ``chunksizes``, about ``budget``
    seconds of serial work per point."""
    points = [(s, costmodel.size_for(d, per_unit), max(4, min(most, round(budget / d))), c)
              for s in ("pool", "executor") for d in durations for c in chunksizes]
    return probe.sweep(cpu_task, points, workers, ov, repeats=repeats, progress=progress)


@dataclass(frozen=True)
class Accuracy:
    """How close predicted speedups came to measured ones, over some points."""

    inside: int
    total: int
    median: float
    worst: float
    band: float = 0.2

    @property
    def share(self) -> float:
        return self.inside / self.total if self.total else 0.0

    def summary(self) -> str:
        return (f"{self.inside} of {self.total} points within ±{self.band:.0%} "
                f"({self.share:.0%}); median error {self.median:.0%}, worst {self.worst:.0%}")


def accuracy(errors: Sequence[float], band: float = 0.2) -> Accuracy:
    """``Accuracy`` of relative errors (0.1 = 10% off), e.g. ``[s.error for s in samples]``."""
    errors = sorted(abs(e) for e in errors)
    if not errors:
        raise ValueError("no errors to judge: measure at least one point")
    return Accuracy(sum(e <= band for e in errors), len(errors), statistics.median(errors),
                    errors[-1], band)


# --- workers ---

def task_limit(tasks: int, workers: int, cpus: float) -> float:
    """The best speedup ``tasks`` equal tasks allow on ``workers`` workers and ``cpus`` CPUs.

    The tasks go out in waves of ``min(workers, cpus)``; the last wave may be
    part empty, so 12 tasks on 8 CPUs need 2 waves: 6x, not 8x.
    """
    lanes = max(1.0, min(workers, cpus))
    return tasks / math.ceil(tasks / lanes) if lanes >= 1 else 1.0


def worker_sweep(per_unit: float, workers: Sequence[int], task_seconds: float = 0.01,
                 tasks: int = 12, repeats: int = 2,
                 progress: Callable[[str], None] | None = None) -> list[bench.Record]:
    """Serial and warm ``Pool.map`` at each worker count, in interleaved rounds."""
    size = costmodel.size_for(task_seconds, per_unit)
    return bench.compare(cpu_task, [size] * tasks, strategies=("serial", "pool"),
                         workers=list(workers), repeats=repeats, progress=progress)


def worker_verdict(records: Sequence[bench.Record], cpus: int, share: float) -> list[str]:
    """Lines that read the sweep: the best count, what capped it, anything odd."""
    pool = [r for r in records if r.strategy == "pool"]
    best = max(pool, key=lambda r: r.speedup)
    tasks = best.tasks
    lines = [f"best: {best.workers} workers, {best.speedup:.2f}x; with {tasks} tasks on "
             f"{cpus} usable CPU(s) the best possible is "
             f"{task_limit(tasks, best.workers, cpus):.2f}x."]
    if tasks < 2 * cpus:
        lines.append(f"only {tasks} tasks for {cpus} CPUs: the tasks, not the CPUs, cap the "
                     "speedup here, in steps (a last wave of tasks leaves CPUs idle).")
    above = [r for r in pool if r.speedup > task_limit(tasks, r.workers, cpus) * (1 + TIE)]
    if above:
        lines.append(f"{', '.join(str(r.workers) for r in above)} worker(s) measured above "
                     "the limit: serial was slowed in those rounds by something else (another "
                     "program, a CPU clocking down); run the cell again.")
    if share < 0.8 * min(cpus, best.workers):
        lines.append(f"the workers got only {share:.2f} CPUs' worth of compute when probed: "
                     "other programs are using this machine, and every speedup is smaller.")
    return lines


@styled
def worker_plot(records: Sequence[bench.Record], cpus: int,
                title: str = "How many workers?") -> Figure:
    """Measured speedup per worker count, and the best the tasks and CPUs allow."""
    pool = [r for r in records if r.strategy == "pool"]
    fig = Figure(figsize=(7.5, 4.4), layout="constrained")
    ax = fig.subplots()
    counts = [r.workers for r in pool]
    ax.plot(counts, [task_limit(pool[0].tasks, w, cpus) for w in counts], linestyle="--",
            drawstyle="steps-mid", color=PALETTE["ideal"],
            label=f"best possible ({pool[0].tasks} tasks, {cpus} CPUs)")
    ax.plot(counts, [r.speedup for r in pool], marker="o", linestyle="", markersize=9,
            color=PALETTE["pool"], label="measured (Pool.map, warm)")
    ax.set_xticks(counts)
    ax.set_xlabel("workers")
    ax.set_ylabel("speedup over serial")
    ax.set_title(title)
    ax.legend(loc="upper left", frameon=False, fontsize=11)
    return fig


# --- BLAS threads ---

@dataclass(frozen=True)
class BlasResult:
    """Fastest seconds of each way to run the matrix products, from interleaved rounds."""

    tasks: int
    n: int
    workers: int
    serial: float
    unlimited: float
    limited: float
    threads_unlimited: list[int]
    threads_limited: list[int]


def blas(workers: int, n: int = 400, tasks: int | None = None, repeats: int = 2,
         start_method: str | None = None) -> BlasResult:
    """``matmul_task(n)`` serially, on a pool with BLAS unlimited, and on one limited to
    one BLAS thread per worker (``limit_blas_threads``); rounds interleave the three."""
    tasks = tasks or 4 * workers
    ctx = mp.get_context(start_method or default_start_method())
    inputs = [n] * tasks
    with ctx.Pool(workers) as free, ctx.Pool(workers, limit_blas_threads, (1,)) as limited:
        seen = [sorted(set(p.map(blas_threads, range(workers), 1))) for p in (free, limited)]
        for p in (free, limited):
            p.map(matmul_task, [8] * workers)
        times: list[list[float]] = [[], [], []]
        for _ in range(repeats):
            times[0].append(timed(serial_map, 1, matmul_task, inputs))
            times[1].append(timed(free.map, 1, matmul_task, inputs, 1))
            times[2].append(timed(limited.map, 1, matmul_task, inputs, 1))
        for p in (free, limited):
            p.close()
            p.join()
    return BlasResult(tasks, n, workers, min(times[0]), min(times[1]), min(times[2]), *seen)


def blas_verdicts(r: BlasResult, usable_cpus: int) -> list[str]:
    """One verdict line per pool against serial (which itself uses BLAS threads)."""
    return [verdict.speedup(r.serial, t, workers=r.workers, usable_cpus=usable_cpus,
                            label=f"the pool with BLAS {how}",
                            why_slow="serial NumPy already runs BLAS on every CPU")
            for how, t in (("unlimited", r.unlimited), ("limited to 1 thread", r.limited))]
