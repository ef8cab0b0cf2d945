"""Measure a web app from an async client: how long ``/health`` waits while CPU work runs.

``probe`` sends a few ``/work`` requests at once and, until they are all
answered, a ``/health`` request every few milliseconds without waiting for the
previous one, so a blocked event loop shows as health requests piling up.
``verdict`` and ``latency_plot`` turn what it saw into a sentence and a figure.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from matplotlib.figure import Figure

from helpers.plots import colour
from helpers.units import duration


@dataclass(frozen=True)
class Probe:
    """What the client saw: each health request's send time and latency, and the jobs."""

    sent: tuple[float, ...]
    latency: tuple[float, ...]
    jobs_seconds: float
    job_pids: tuple[int, ...]
    values: tuple[int, ...]

    @property
    def worst(self) -> float:
        return max(self.latency, default=0.0)

    @property
    def median(self) -> float:
        return statistics.median(self.latency) if self.latency else 0.0


async def probe(url: str, jobs: int = 4, n: int = 1_000_000, every: float = 0.02) -> Probe:
    """Send ``jobs`` requests to ``/work?n=`` at once, and ``/health`` every ``every`` s meanwhile.

    Raises:
        httpx.HTTPError: the server could not be reached or did not answer in 30 s.
    """
    import httpx

    async with httpx.AsyncClient(base_url=url, timeout=30, trust_env=False) as client:
        async def timed_health(sent: float) -> float:
            (await client.get("/health")).raise_for_status()
            return time.perf_counter() - sent

        start = time.perf_counter()
        work = [asyncio.ensure_future(client.get("/work", params={"n": n}))
                for _ in range(jobs)]
        sent, checks = [], []
        try:
            while not all(w.done() for w in work):
                await asyncio.sleep(every)
                sent.append(time.perf_counter())
                checks.append(asyncio.ensure_future(timed_health(sent[-1])))
            answers = [w.result().raise_for_status().json() for w in work]
            jobs_seconds = time.perf_counter() - start
            latency = await asyncio.gather(*checks)
        finally:  # a failure leaves no request running
            for task in work + checks:
                task.cancel()
    return Probe(tuple(s - start for s in sent), tuple(latency), jobs_seconds,
                 tuple(a["pid"] for a in answers), tuple(a["value"] for a in answers))


def probe_sync(url: str, **kwargs) -> Probe:
    """``probe`` from code that is not async, even where an event loop already runs (Jupyter)."""
    with ThreadPoolExecutor(1) as ex:
        return ex.submit(asyncio.run, probe(url, **kwargs)).result(timeout=120)


def merge(probes: list[Probe]) -> Probe:
    """Several rounds as one: every health request, the slowest round's job time."""
    return Probe(tuple(s for p in probes for s in p.sent),
                 tuple(x for p in probes for x in p.latency),
                 max(p.jobs_seconds for p in probes),
                 tuple(x for p in probes for x in p.job_pids),
                 tuple(x for p in probes for x in p.values))


def verdict(inline: Probe, pool: Probe) -> str:
    """One sentence on the health check's worst wait, inline against in the pool."""
    if not inline.latency or not pool.latency:
        return "no health request was sent: the work finished before the first one."
    if pool.worst < inline.worst:
        return (f"here /health waited up to {duration(inline.worst)} while the work ran "
                f"inline, and at most {duration(pool.worst)} with the pool: "
                f"{inline.worst / pool.worst:.2f}x shorter.")
    return (f"here the pool did not shorten the worst wait ({duration(pool.worst)} against "
            f"{duration(inline.worst)} inline): something else kept the CPUs busy; "
            "run the cell again.")


def latency_plot(probes: dict[str, Probe], jobs: int,
                 title: str = "/health latency while CPU work runs") -> Figure:
    """Latency of each health request against when it was sent, one series per app."""
    fig = Figure(figsize=(6.5, 3.6), layout="constrained")
    ax = fig.subplots()
    for (label, p), key, marker in zip(probes.items(), ("serial", "pool"), ("s", "o"),
                                       strict=False):
        ax.plot(p.sent, [x * 1e3 for x in p.latency], marker=marker, linestyle="",
                color=colour(key), label=f"{label} (worst {duration(p.worst)})")
    ax.set_yscale("log")
    ax.set_xlabel("when the health request was sent (s after the first of "
                  f"{jobs} CPU requests)")
    ax.set_ylabel("latency (ms, log scale)")
    ax.set_title(title)
    ax.legend(loc="best")
    return fig
