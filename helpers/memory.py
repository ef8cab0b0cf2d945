"""How much memory workers really use under fork and spawn, measured with psutil.

A forked worker starts with the parent's pages *shared* (copy-on-write): its
unique memory (USS) is small until it writes to them. Reading a Python object
writes to it (its reference count), and a full ``gc.collect()`` writes to the
GC header of every tracked object, so both unshare pages. ``gc.freeze()`` just
before forking moves the parent's objects out of the collector's reach (cpython
docs, gc.freeze). A spawned worker shares nothing: it must receive its own copy.

The experiment runs in a fresh interpreter (``python -m helpers.memory``), so
that the notebook's own heap and threads stay out of it; ``measure`` starts it
with a time limit and returns the rows it printed.
"""

from __future__ import annotations

import gc
import json
import multiprocessing as mp
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import psutil

SIZE = 300_000  # lists of one int each: about 20 MB of small objects
PHASES = ("started", "after gc.collect()", "after reading every item")
_DATA: list = []


@dataclass(frozen=True)
class Row:
    """One worker's memory at one phase, in bytes: unique (USS) and proportional (PSS)."""

    setup: str
    phase: str
    uss: int
    pss: int


def keep(data: list) -> None:
    """Initializer: keep the data the parent sent (spawn). Runs in a worker process."""
    global _DATA
    _DATA = data


def _inherit(data: list) -> None:
    global _DATA
    _DATA = data


def own_memory(_: object = None) -> tuple[int, int]:
    """This process's USS and PSS in bytes (PSS 0 where the OS has none).

    Runs in a worker process.
    """
    info = psutil.Process().memory_full_info()
    return info.uss, getattr(info, "pss", 0)


def collect(_: object = None) -> tuple[int, int]:
    """A full garbage collection, then ``own_memory``. Runs in a worker process."""
    gc.collect()
    return own_memory()


def read_all(_: object = None) -> tuple[int, int]:
    """Touch every item of the data (reference counts change), then ``own_memory``.

    Runs in a worker process.
    """
    total = 0
    for item in _DATA:
        total += item[0]
    return own_memory()


def run(setup: str, data: list) -> list[Row]:
    """One worker under ``setup`` ("fork", "fork + gc.freeze()", "spawn"), at each phase."""
    method = setup.split()[0]
    kwargs = {"initializer": keep, "initargs": (data,)} if method != "fork" else {}
    if setup.endswith("gc.freeze()"):
        gc.freeze()
    try:
        with ProcessPoolExecutor(1, mp_context=mp.get_context(method), **kwargs) as ex:
            sizes = [ex.submit(step).result(timeout=30) for step in (own_memory, collect, read_all)]
    finally:
        gc.unfreeze()
    return [Row(setup, phase, uss, pss) for phase, (uss, pss) in zip(PHASES, sizes, strict=True)]


def main() -> None:
    data = [[i] for i in range(SIZE)]
    _inherit(data)  # what a forked worker will find already there
    setups = ["fork", "fork + gc.freeze()", "spawn"]
    if "fork" not in mp.get_all_start_methods():  # Windows
        setups = ["spawn"]
    rows = [row for setup in setups for row in run(setup, data)]
    print(json.dumps([row.__dict__ for row in rows]))


def measure(timeout: float = 60.0) -> list[Row]:
    """Run the experiment in a fresh interpreter and return its rows.

    Raises:
        RuntimeError: the experiment failed; subprocess.TimeoutExpired: it took too long.
    """
    done = subprocess.run([sys.executable, "-m", "helpers.memory"], capture_output=True,
                          text=True, timeout=timeout)
    if done.returncode != 0:
        raise RuntimeError(f"the memory experiment failed: {done.stderr.strip()[-400:]}")
    return [Row(**r) for r in json.loads(done.stdout.strip().splitlines()[-1])]


if __name__ == "__main__":
    main()


def mib(n: int) -> str:
    """Bytes as ``12.3 MiB``."""
    return f"{n / 2**20:.1f} MiB"


def uss_plot(rows: list[Row], title: str = "A worker's own memory (USS) by start method"):
    """Grouped bars: one group per phase, one bar per setup."""
    from matplotlib.figure import Figure

    from helpers.plots import colour

    setups = list(dict.fromkeys(r.setup for r in rows))
    fig = Figure(figsize=(6.5, 3.6), layout="constrained")
    ax = fig.subplots()
    width = 0.8 / len(setups)
    for i, (setup, key, hatch) in enumerate(zip(setups, ("pool", "executor", "serial"),
                                                ("//", "..", ""), strict=False)):
        mine = [r for r in rows if r.setup == setup]
        ax.bar([p + i * width for p in range(len(mine))], [r.uss / 2**20 for r in mine],
               width, label=setup, color=colour(key), hatch=hatch, edgecolor="white")
    ax.set_xticks([p + width * (len(setups) - 1) / 2 for p in range(len(PHASES))], PHASES)
    ax.set_ylabel("USS (MiB)")
    ax.set_title(title)
    ax.set_ylim(0, max(r.uss for r in rows) / 2**20 * 1.3)  # room for the legend
    ax.legend(loc="upper center", ncols=len(setups))
    return fig
