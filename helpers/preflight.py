"""Before class: is this machine idle enough for the live demos?

A speedup needs free CPUs. On a busy machine (a video call, a browser with many
tabs, an update running) each worker gets only part of a CPU, and the lessons'
live numbers come out below what their text calls the limit: that is what the
check measures, in about 2 s.

Each of ``min(2, usable CPUs)`` pool workers runs the same fixed CPU loop and
reports the CPU time it got against the wall-clock time it took: on a free
CPU the two are equal (a share of 100%); a share of 60% means other programs
had the CPU 40% of the time. The parent runs the same loop alone in the same
rounds (serial, pool, serial, pool, ...), so a burst of other work hits both.
``make preflight`` runs it; so does ``from helpers.preflight import preflight;
preflight()`` in a notebook.
"""

from __future__ import annotations

import multiprocessing as mp
import statistics
import time
from dataclasses import dataclass

from helpers.machine import machine_info

IDLE = 0.9  # each worker got at least 90% of a CPU: the demos show what the text says
BUSY = 0.6  # below 60%, speedups fall well short of the limit and serial may win
ROUNDS = 3
LOOP_SECONDS = 0.2  # one loop, on a free CPU
MAX_WORKERS = 2  # enough to see whether a pool's workers get CPUs of their own


@dataclass(frozen=True)
class Preflight:
    """What the check measured, and what it means for the live demos."""

    workers: int
    usable_cpus: int
    worker_share: float  # CPU time / wall time of one pool worker's loop (median)
    serial_share: float  # the same for the loop run alone in this process
    speedup: float  # the pool's loops against one serial loop: at most `workers`
    idle: bool
    verdict: str

    def __repr__(self) -> str:
        return (f"Preflight(idle={self.idle}, worker_share={self.worker_share:.0%}, "
                f"serial_share={self.serial_share:.0%}, speedup={self.speedup:.2f}x "
                f"with {self.workers} workers on {self.usable_cpus} usable CPUs)")


def spin(loops: int) -> tuple[float, float]:
    """A fixed CPU loop; returns (CPU seconds, wall seconds) it took in this process.

    Runs in a worker process (and once in the parent, as the serial reference).
    """
    cpu0, wall0 = time.process_time(), time.perf_counter()
    total = 0
    for i in range(loops):
        total += i * i
    return time.process_time() - cpu0, time.perf_counter() - wall0


def _share(cpu_s: float, wall_s: float) -> float:
    return min(1.0, cpu_s / wall_s) if wall_s > 0 else 1.0


def _loops_for(seconds: float) -> int:
    """How many iterations of ``spin`` take about ``seconds`` here (measured, ~20 ms)."""
    loops = 10_000
    while True:
        _, wall = spin(loops)
        if wall >= 0.02:
            return max(1, int(loops * seconds / wall))
        loops *= 4


def verdict(worker_share: float, serial_share: float, *, workers: int, usable_cpus: int,
            speedup: float | None = None) -> tuple[bool, str]:
    """Whether the machine is idle enough, and what to expect, from the measured shares.

    Args:
        worker_share: CPU time / wall time of a pool worker's loop (0 to 1).
        serial_share: the same for the loop run alone in this process.
        workers, usable_cpus: the pool's size and the CPUs this process may use.
        speedup: the pool's loops against the serial loop, if measured.

    Raises:
        ValueError: a share outside 0..1, fewer than 1 worker or CPU, a speedup not above 0.
    """
    for name, value in (("worker_share", worker_share), ("serial_share", serial_share)):
        if not 0 <= value <= 1:
            raise ValueError(f"{name} must be between 0 and 1, got {value!r}")
    for name, value in (("workers", workers), ("usable_cpus", usable_cpus)):
        if value < 1:
            raise ValueError(f"{name} must be at least 1, got {value!r}")
    if speedup is not None and not speedup > 0:
        raise ValueError(f"speedup must be above 0, got {speedup!r}")
    share = min(worker_share, serial_share)
    limit = min(workers, usable_cpus)
    who = f"each of the {workers} pool workers" if workers > 1 else "the pool worker"
    got = f"{who} got {worker_share:.0%} of a CPU (a process alone: {serial_share:.0%})"
    if speedup is not None and workers > 1:
        got += f", and {workers} loops ran {speedup:.2f}x faster in the pool than in a row"
    if share >= IDLE:
        expect = (f"Speedups should come close to the text's limit ({limit}x here)."
                  if limit > 1 else
                  "With 1 usable CPU, processes cannot be faster than serial: the "
                  "lessons say so, and show what the overheads cost.")
        return True, f"✅ Idle enough for the live demos: {got}. {expect}"
    if share >= BUSY:
        expect = (f"Speedups will come out lower than the text's limit ({limit}x here) "
                  "and vary from run to run." if limit > 1 else
                  "Timings will come out slower than on an idle machine and vary "
                  "from run to run.")
        return False, (f"⚠️ Somewhat busy: {got}. {expect} Close other programs and run "
                       "the check again.")
    expect = (f"Speedups will come out well below the text's limit ({limit}x here), serial "
              "may win where the text expects processes to, and a crossover may say "
              '"never".' if limit > 1 else
              "Timings will come out much slower than on an idle machine and vary a lot.")
    return False, (f"❌ Busy: {got}. {expect} Close other programs (or present the "
                   "stored outputs) and run the check again.")


def preflight(*, rounds: int = ROUNDS, loop_seconds: float = LOOP_SECONDS,
              quiet: bool = False) -> Preflight:
    """Measure the CPU share a pool's workers get now; print and return the verdict.

    Args:
        rounds: serial and pool rounds, interleaved (the median of each is used).
        loop_seconds: how long one loop takes on a free CPU (about 2 s in all).
        quiet: return the result without printing it.

    Raises:
        TypeError: ``rounds`` not an int.
        ValueError: ``rounds`` below 1, or ``loop_seconds`` not in (0, 5].
    """
    if not isinstance(rounds, int) or isinstance(rounds, bool):
        raise TypeError(f"rounds must be an int, got {type(rounds).__name__}")
    if rounds < 1:
        raise ValueError(f"rounds must be at least 1, got {rounds!r}")
    if not 0 < loop_seconds <= 5:
        raise ValueError(f"loop_seconds must be above 0 and at most 5, got {loop_seconds!r}")
    usable = machine_info().usable_cpus
    workers = min(MAX_WORKERS, usable)
    loops = _loops_for(loop_seconds)
    serial, shares, speedups = [], [], []
    with mp.get_context().Pool(workers) as pool:
        pool.map(spin, [1] * workers, chunksize=1)  # every worker started and idle
        for _ in range(rounds):
            cpu, wall = spin(loops)
            serial.append(_share(cpu, wall))
            start = time.perf_counter()
            results = pool.map(spin, [loops] * workers, chunksize=1)
            elapsed = time.perf_counter() - start
            shares.append(statistics.mean(_share(c, w) for c, w in results))
            speedups.append(workers * wall / elapsed)
        pool.close()
        pool.join()
    worker_share, serial_share = statistics.median(shares), statistics.median(serial)
    speedup = statistics.median(speedups)
    idle, text = verdict(worker_share, serial_share, workers=workers, usable_cpus=usable,
                         speedup=speedup)
    result = Preflight(workers, usable, worker_share, serial_share, speedup, idle, text)
    if not quiet:
        print(text)
    return result


if __name__ == "__main__":
    # Through the package, so that workers find ``spin`` under spawn too.
    from helpers.preflight import preflight as run

    run()
