"""``advise(func, inputs)``: which way to run *your* function, measured and predicted.

One call on a learner's own function. It measures a sample, within a time
budget:

- task time: at least 3 tasks taken across the whole input list, their
  spread, and whether they are uneven (``helpers.probe.sample_tasks``);
- what travels: the pickled bytes (and pickling time) of a real chunk of the
  arguments and of the results, so that an object shared by every task counts
  once per chunk (``measure_traffic``);
- how much of a task releases the GIL, from the sample run on 2 threads
  (``gil_free_share``), and how much of it computes rather than waits;
- this machine's pool overheads (``helpers.probe.probe``, once per session).

It then predicts serial, a thread pool, ``Pool.map`` and
``ProcessPoolExecutor.map``, each at its best worker count and chunksize,
start-up included, with ``helpers.costmodel``, and recommends one with a
short reason: that may be "stay serial", or "vectorise first" when tasks are
too short for any pool to pay. With ``verify=True`` it runs the
recommendation and serial in interleaved rounds on a bounded subset of the
inputs and prints predicted against measured. It never starts a measurement
its own estimate says would cross the budget; beyond it, it subsamples and
says so.

``options`` and ``recommend`` are the pure half: they take measured numbers
and give the choice, so tests can try cases whose answer is known.
"""

from __future__ import annotations

import multiprocessing as mp
import pickle
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from helpers.args import check_int, check_number
from helpers.bench import compare
from helpers.costmodel import Overheads, Traffic, predict_time
from helpers.machine import default_start_method, machine_info
from helpers.plumbing import check_sendable, make_pool, start_workers
from helpers.probe import (
    TaskSample,
    cpu_share,
    gil_free_share,
    measure_traffic,
    overheads_for,
    sample_tasks,
)

__all__ = ["Advice", "Option", "Verification", "advise", "options", "recommend"]

CHUNKSIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256, 1024, 4096)
#: Parallel must beat serial by this much to be worth the extra code.
WORTH = 1.15
#: Tasks shorter than this are "tiny": a process pool can hardly pay for them.
TINY = 20e-6


@dataclass(frozen=True)
class Option:
    """One way to run the map, with its predicted time (start-up included)."""

    strategy: str            # serial, threads, pool, executor
    workers: int
    chunksize: int | None
    seconds: float
    serial: float

    @property
    def speedup(self) -> float:
        return self.serial / self.seconds if self.seconds > 0 else float("inf")

    def label(self) -> str:
        if self.strategy == "serial":
            return "serial"
        name = {"threads": "ThreadPoolExecutor", "pool": "Pool.map",
                "executor": "ProcessPoolExecutor.map"}[self.strategy]
        chunks = "" if self.chunksize is None else f", chunksize={self.chunksize}"
        return f"{name}, {self.workers} worker{'s' if self.workers != 1 else ''}{chunks}"


@dataclass(frozen=True)
class Verification:
    """The recommendation and serial, run in interleaved rounds on ``tasks`` inputs."""

    option: Option
    tasks: int
    predicted_speedup: float
    measured_speedup: float
    serial_seconds: float
    parallel_seconds: float

    @property
    def error(self) -> float:
        """+0.10: the prediction promised a 10% higher speedup than measured."""
        return self.predicted_speedup / self.measured_speedup - 1


@dataclass(frozen=True)
class Advice:
    """What ``advise`` found and recommends; ``print(advice)`` shows it."""

    choice: Option
    reason: str
    options: tuple[Option, ...]
    sample: TaskSample
    traffic: Traffic
    gil_free: float
    overheads: Overheads
    notes: tuple[str, ...] = ()
    verification: Verification | None = None
    gil_measured: bool = True
    seconds_spent: float = 0.0
    extra: dict = field(default_factory=dict)

    def best(self, strategy: str) -> Option:
        """The predicted-fastest option of one strategy."""
        return min((o for o in self.options if o.strategy == strategy),
                   key=lambda o: o.seconds)

    def __str__(self) -> str:
        gil = (f"{self.gil_free:.0%} of a task releases the GIL" if self.gil_measured
               else "GIL release not measured")
        lines = [f"Measured: {self.sample.summary()}; {gil}, "
                 f"{self.sample.cpu_fraction:.0%} of it computes; "
                 f"a chunk of 16 sends {_bytes(self.traffic.arguments(16))} "
                 f"(shared once per chunk: {_bytes(self.traffic.shared)})."]
        lines.append("Predicted, start-up included:")
        for s in ("serial", "threads", "pool", "executor"):
            if any(o.strategy == s for o in self.options):
                o = self.best(s)
                lines.append(f"  {o.label():<50} {o.seconds:.3f} s  ({o.speedup:.2f}x)")
        lines.append(f"Advice: {self.choice.label()}. {self.reason}")
        lines += [f"Note: {n}" for n in self.notes]
        v = self.verification
        if v is not None:
            lines.append(f"Checked on {v.tasks} inputs, serial and {v.option.strategy} in "
                         f"turn: predicted {v.predicted_speedup:.2f}x, measured "
                         f"{v.measured_speedup:.2f}x (prediction off by {v.error:+.0%}).")
        lines.append(f"(advise took {self.seconds_spent:.1f} s)")
        return "\n".join(lines)


def _bytes(n: float) -> str:
    for unit, size in (("MB", 1e6), ("kB", 1e3)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n:.0f} B"


def _worker_counts(most: int) -> list[int]:
    counts = {most}
    w = 1
    while w < most:
        counts.add(w)
        w *= 2
    return sorted(counts)


def options(durations: Sequence[float], traffic: Traffic, ov: Overheads, usable_cpus: int,
            cpu_fraction: float = 1.0, gil_free: float = 0.0,
            workers: int | None = None) -> list[Option]:
    """Every option the advisor weighs, each with its predicted time (start-up included).

    Pure arithmetic on measured numbers. Process pools get up to ``workers``
    (default: the usable CPUs; more when tasks mostly wait), threads up to 4x
    that when tasks mostly wait, and every chunksize in ``CHUNKSIZES`` up to
    the number of tasks, plus each API's default.
    """
    n = len(durations)
    serial = float(sum(durations))
    most = workers or usable_cpus
    if workers is None and cpu_fraction < 0.5:
        most = 4 * usable_cpus  # waiting tasks do not need a CPU each
    found = [Option("serial", 1, None, serial, serial)]
    for w in _worker_counts(most):
        t = predict_time(ov, durations, "threads", w, cpu_fraction=cpu_fraction,
                         gil_free=gil_free, include_startup=True)
        found.append(Option("threads", w, None, t, serial))
    for strategy in ("pool", "executor"):
        if strategy not in ov.per_chunk:
            continue
        for w in _worker_counts(most):
            sizes = [None, *(c for c in CHUNKSIZES if c <= max(1, n))]
            for c in sizes:
                t = predict_time(ov, durations, strategy, w, c, traffic=traffic,
                                 cpu_fraction=cpu_fraction, include_startup=True)
                found.append(Option(strategy, w, c, t, serial))
    return found


def recommend(found: Sequence[Option], mean_task: float, per_chunk: float,
              gil_free: float) -> tuple[Option, str]:
    """The option to take and why, from ``options``: the fastest, unless it is not worth it."""
    serial = next(o for o in found if o.strategy == "serial")
    best = min(found, key=lambda o: (o.seconds, o.strategy != "serial"))
    if best.strategy == "serial" or best.speedup < WORTH:
        if mean_task < TINY and serial.seconds > 1.0:
            return serial, (f"each task takes {mean_task * 1e6:.3g} µs, less than sending "
                            f"it to a process ({per_chunk * 1e6:.3g} µs a chunk), and no "
                            f"pool is predicted to gain more than {best.speedup:.2f}x: "
                            "vectorise first (NumPy on the whole list), or give each task "
                            "more work, then ask again.")
        if best.strategy == "serial":
            why = "every pool is predicted to be slower than the plain loop"
        else:
            why = (f"the best pool is predicted at only {best.speedup:.2f}x, not worth "
                   "the processes")
        return serial, (f"stay serial: {why} (the whole run takes about "
                        f"{serial.seconds:.3g} s; start-up and sending the tasks cost more "
                        "than they save).")
    if best.strategy == "threads":
        return best, (f"{gil_free:.0%} of each task releases the GIL (NumPy, waiting), so "
                      f"threads share it with nothing to pickle: {best.speedup:.2f}x "
                      "predicted.")
    why = "tasks hold the GIL, so threads cannot share them" if gil_free < 0.5 else (
        "processes beat threads here")
    chunks = "" if best.chunksize in (None, 1) else (
        f"; chunks of {best.chunksize} tasks spread the sending cost")
    return best, f"{why}{chunks}: {best.speedup:.2f}x predicted."


def _check_inputs(inputs: object) -> Sequence:
    if isinstance(inputs, (str, bytes)) or not isinstance(inputs, Sequence):
        raise TypeError(f"inputs must be a sequence of arguments (a list or a tuple), got "
                        f"{type(inputs).__name__}: pass list(...) of what you would map over")
    if len(inputs) == 0:
        raise ValueError("inputs is empty: give the list of arguments you would map over")
    return inputs


def _check_picklable(inputs: Sequence, indices: Sequence[int]) -> None:
    try:
        pickle.dumps(tuple(inputs[i] for i in indices))
    except Exception:
        for i in indices:
            try:
                pickle.dumps(inputs[i])
            except Exception as exc:
                raise TypeError(
                    f"inputs[{i}] cannot be sent to a worker process ({type(exc).__name__}: "
                    f"{exc}); a process pool pickles every argument. Pass plain data (numbers, "
                    "strings, lists, arrays, paths) and open files, locks or connections "
                    "inside the function.") from None
        raise


def advise(func: Callable, inputs: Sequence, *, verify: bool = False, budget: float = 5.0,
           workers: int | None = None, start_method: str | None = None) -> Advice:
    """Measure ``func`` on a sample of ``inputs``, predict each strategy, recommend one.

    Args:
        func: a top-level function of an importable module, as every worker must be.
        inputs: the list of arguments you would ``map`` over (one task each).
        verify: also run the recommendation and serial in interleaved rounds on a
            subset of the inputs, and report predicted against measured speedup.
        budget: seconds ``advise`` may spend (probing the pool once per session
            included); beyond it, it measures fewer tasks and says so.
        workers: the most workers to consider; default: the usable CPUs.
        start_method: for the process pools; default: the platform's.

    Returns:
        An ``Advice``; ``print`` it to read it.

    Raises:
        TypeError: ``inputs`` is not a sequence, an argument cannot be pickled, or
            ``func`` cannot be sent to a worker (a lambda, a nested function).
        ValueError: ``inputs`` is empty, ``workers`` < 1, ``budget`` <= 0, or ``func``
            is defined in ``__main__`` (a notebook cell) and the start method is not fork.
    """
    started = time.perf_counter()
    check_number("budget", budget, positive=True, unit="seconds")
    check_int("workers", workers, minimum=1, allow_none=True)
    inputs = _check_inputs(inputs)
    method = start_method or default_start_method()
    check_sendable(func, method)
    n = len(inputs)
    _check_picklable(inputs, sorted({*range(min(16, n)), n // 2, n - 1}))
    usable = machine_info().usable_cpus
    most = workers or usable
    notes = []

    def left() -> float:
        return budget - (time.perf_counter() - started)

    ov = overheads_for(method, most)
    ov = replace(ov, cpus=_cpu_share_now(method, most, ov))
    sample = sample_tasks(func, inputs, budget=max(0.05, 0.3 * left()))
    if sample.capped:
        notes.append(f"one task takes {sample.mean:.3g} s, so only {len(sample.seconds)} "
                     f"could be timed within the {budget:g} s budget: the prediction rests "
                     "on them; raise budget= to time at least 3.")
    elif len(sample.seconds) < n:
        notes.append(f"timed {len(sample.seconds)} of {n} tasks (across the whole list) "
                     f"within the {budget:g} s budget; the others are assumed alike to their "
                     "nearest timed neighbour.")
    if sample.uneven:
        notes.append(f"tasks are uneven (from {min(sample.seconds) * 1e3:.3g} to "
                     f"{max(sample.seconds) * 1e3:.3g} ms): small chunks balance them.")
    traffic = measure_traffic(inputs, sample.results)
    g = gil_free_share(func, sample, inputs, budget=max(0.0, 0.25 * left()))
    gil_measured = g is not None
    if g is None:
        g = 0.0
        notes.append("could not time the tasks on two threads (under 0.1 ms each, or too "
                     "long for the budget): threads are assumed to hold the GIL.")
    durations = sample.durations()
    found = options(durations, traffic, ov, usable, sample.cpu_fraction, g, workers)
    choice, reason = recommend(found, sample.mean, ov.per_chunk.get("pool", 0.0), g)
    verification = None
    if verify:
        verification, note = _verify(func, inputs, choice, found, sample, traffic, ov, g,
                                     usable, method, left())
        if note:
            notes.append(note)
    return Advice(choice, reason, tuple(found), sample, traffic, g, ov, tuple(notes),
                  verification, gil_measured, time.perf_counter() - started)


def _cpu_share_now(method: str, workers: int, ov: Overheads) -> float:
    """The CPU share the workers get now (the probe's may be minutes old)."""
    ctx = mp.get_context(method)
    with make_pool("pool", workers, ctx) as pool:
        start_workers("pool", pool, workers)
        share = cpu_share("pool", pool, workers, ov.round_trip("pool"))
        pool.close()
        pool.join()
    return share


def _verify(func, inputs, choice: Option, found, sample: TaskSample, traffic, ov, g,
            usable, method, remaining: float) -> tuple[Verification | None, str]:
    """Run ``choice`` and serial in turn; when serial is the choice, the best process pool
    (what a learner would try instead) against serial, to show why."""
    target = choice
    if choice.strategy == "serial":
        target = min((o for o in found if o.strategy in ("pool", "executor")),
                     key=lambda o: o.seconds)
    rounds = 2
    per_task = sample.mean + target.seconds / len(inputs)
    startup = ov.startup.get(target.strategy, 0.0)
    fits = int((0.8 * remaining / rounds - startup) / per_task) if per_task > 0 else 0
    if fits < 2:
        return None, ("no budget left to check the prediction: raise budget= to run "
                      "verify=True.")
    order = sorted(range(len(inputs)), key=lambda i: (i * 7919) % len(inputs))
    subset_idx = sorted(order[:fits]) if fits < len(inputs) else list(range(len(inputs)))
    subset = [inputs[i] for i in subset_idx]
    every = sample.durations()
    durations = [every[i] for i in subset_idx]
    predicted = predict_time(ov, durations, target.strategy, target.workers, target.chunksize,
                             traffic=traffic, cpu_fraction=sample.cpu_fraction, gil_free=g,
                             include_startup=True)
    records = compare(func, subset, strategies=("serial", target.strategy),
                      workers=target.workers, chunksize=target.chunksize,
                      start_method=method, repeats=rounds, include_startup=True)
    serial, parallel = records
    v = Verification(target, len(subset), sum(durations) / predicted, parallel.speedup,
                     serial.best, parallel.best)
    note = "" if len(subset) == len(inputs) else (
        f"checked on {len(subset)} of {len(inputs)} inputs (taken across the list) to stay "
        "within the budget.")
    return v, note
