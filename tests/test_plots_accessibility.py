"""The course's figures read without colour: titles, axis labels, markers, hatches, safe colours.

For every plotting function of ``helpers.plots`` (fed small made-up data),
each figure must say what it compares (a title; an axis label or named
categories on both axes), use only the Okabe-Ito colours (safe for
colour-blind readers), and keep series apart without colour: two labelled
lines differ in marker or line style, two labelled scatters in marker, and
two bars of different colours differ in hatch unless each sits on a tick that
names it. ``helpers.plots``'s own tests check what the figures show.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from matplotlib.colors import to_hex
from matplotlib.container import BarContainer
from matplotlib.figure import Figure

from helpers import bench, plots

# Okabe & Ito (2008), plus the greys the course draws ideal lines and edges in.
SAFE = {"#000000", "#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00",
        "#cc79a7", "#999999", "#ffffff"}


def record(strategy, workers, median, speedup, chunksize=None):
    times = (median * 0.9, median, median * 1.2)
    return bench.Record(strategy=strategy, workers=workers, chunksize=chunksize,
                        start_method="fork", tasks=8, include_startup=False, times=times,
                        median=median, spread=max(times) - min(times), speedup=speedup,
                        efficiency=None if speedup is None else speedup / workers)


RECORDS = [record("serial", 1, 1.0, 1.0), record("pool", 1, 1.0, 1.0),
           record("pool", 2, 0.55, 1.82), record("executor", 2, 0.6, 1.67),
           record("threads", 2, 1.1, 0.91)]
CHUNKS = [record("serial", 1, 0.01, 1.0), record("pool", 2, 0.02, 0.5, chunksize=1),
          record("pool", 2, 0.008, 1.25, chunksize=100), record("executor", 2, 2.0, 0.005, 1),
          record("executor", 2, 0.009, 1.1, chunksize=100)]


def sample(strategy, task_seconds, chunksize=None, measured=None):
    measured = measured if measured is not None else task_seconds * 10 + 0.001
    return SimpleNamespace(strategy=strategy, size=int(task_seconds * 1e7), tasks=10,
                           chunksize=chunksize, workers=2, task_seconds=task_seconds,
                           measured=measured, predicted=measured * 1.1)


SAMPLES = [sample(s, d) for s in ("serial", "pool", "executor") for d in (1e-5, 1e-4, 1e-3)]
CHUNK_SAMPLES = [sample(s, 1e-5, chunksize=c, measured=0.1 / c + 0.01)
                 for s in ("pool", "executor") for c in (1, 4, 16)]
COSTS = [SimpleNamespace(label=label, nbytes=n, dumps_s=n * 1e-9, loads_s=n * 1e-9,
                         task_s=n * 3e-9 if label == "bytes" else None)
         for label in ("bytes", "list") for n in (10**3, 10**6)]
RATES = [SimpleNamespace(kind=k, size=s, messages_per_s=1e5 / s ** 0.5, mb_per_s=s / 1e3)
         for k in ("Queue", "Pipe") for s in (100, 10_000)]

CASES = {
    "bar_timings": lambda f: f(RECORDS, cpus=2),
    "speedup_vs_workers": lambda f: f(RECORDS, cpus=2),
    "bar_chunksizes": lambda f: f(CHUNKS, cpus=2),
    "strategy_overview": lambda f: f(RECORDS, cpus=2),
    "crossover": lambda f: f(SAMPLES, {"pool": 1e-4, "executor": 1e-3}),
    "model_fit": lambda f: f(SAMPLES),
    "chunksize_sweep": lambda f: f(CHUNK_SAMPLES),
    "amdahl": lambda f: f([1, 2, 3, 4], [1.0, 1.8, 1.9, 1.85], 0.95, cpus=2),
    "labelled_bars": lambda f: f(["serial", "fork", "spawn"], [1.0, 0.6, 0.7], "Three ways"),
    "log_barh": lambda f: f(["Python loop", "NumPy", "pool"], [1.0, 0.01, 0.5], "Tools"),
    "pickling_costs": lambda f: f(COSTS),
    "throughput_bars": lambda f: f(RATES),
}


def draw(name: str) -> Figure:
    func = getattr(plots, name, None)
    if func is None:
        pytest.skip(f"helpers.plots.{name} does not exist (any more)")
    return CASES[name](func)


def _hex(colour) -> str:
    return to_hex(colour, keep_alpha=False).lower()


def _is_name(text: str) -> bool:
    """Whether a tick label names a category (not a number such as 0.8 or −1)."""
    text = text.strip()
    return bool(text) and not text.replace(".", "").replace("−", "").replace("-", "").isdigit()


def _named_ticks(labels) -> list[str]:
    return [t.get_text() for t in labels if _is_name(t.get_text())]


def problems(fig: Figure) -> list[str]:
    """Everything that keeps ``fig`` from reading without colour; empty when it reads."""
    found = []
    suptitle = fig._suptitle.get_text() if fig._suptitle else ""
    for n, ax in enumerate(fig.axes):
        where = f"axes {n}"
        if not (ax.get_title() or suptitle):
            found.append(f"{where}: no title")
        if not (ax.get_xlabel() or _named_ticks(ax.get_xticklabels())):
            found.append(f"{where}: x axis has no label")
        if not (ax.get_ylabel() or _named_ticks(ax.get_yticklabels())):
            found.append(f"{where}: y axis has no label")
        found += [f"{where}: {p}" for p in _series_problems(ax)]
    return found


def _series_problems(ax) -> list[str]:
    found = []
    lines = [ln for ln in ax.get_lines() if not ln.get_label().startswith("_")]
    for ln in lines:
        if _hex(ln.get_color()) not in SAFE:
            found.append(f"line {ln.get_label()!r} has colour {_hex(ln.get_color())}")
    styles: dict[tuple, str] = {}
    for ln in lines:
        key = (ln.get_marker() if ln.get_marker() not in (None, "None", "") else "",
               ln.get_linestyle())
        if key in styles and _hex(ln.get_color()) != styles[key][1]:
            found.append(f"lines {styles[key][0]!r} and {ln.get_label()!r} differ only in colour")
        styles.setdefault(key, (ln.get_label(), _hex(ln.get_color())))
    scatters = [c for c in ax.collections
                if hasattr(c, "get_offsets") and c.get_paths() and not c.get_label().startswith("_")
                and len(c.get_offsets())]
    shapes: dict[bytes, str] = {}
    for c in scatters:
        shape = c.get_paths()[0].vertices.round(3).tobytes()
        if shape in shapes:
            found.append(f"scatters {shapes[shape]!r} and {c.get_label()!r} share a marker")
        shapes.setdefault(shape, c.get_label())
        colours = {_hex(fc) for fc in c.get_facecolors()}
        found += [f"scatter {c.get_label()!r} has colour {col}" for col in colours - SAFE]
    found += _bar_problems(ax)
    return found


def _bar_problems(ax) -> list[str]:
    bars = [b for c in ax.containers if isinstance(c, BarContainer) for b in c]
    if not bars:
        return []
    # barh bars all start at x = 0; vertical bars all start at y = 0.
    horizontal = all(b.get_x() == 0 for b in bars) and not all(b.get_y() == 0 for b in bars)
    ticks = ax.get_yticklabels() if horizontal else ax.get_xticklabels()
    named = {round(t.get_position()[1 if horizontal else 0], 6)
             for t in ticks if _is_name(t.get_text())}
    found, groups = [], {}
    for b in bars:
        face = _hex(b.get_facecolor())
        if face not in SAFE:
            found.append(f"a bar has colour {face}")
        centre = b.get_y() + b.get_height() / 2 if horizontal else b.get_x() + b.get_width() / 2
        if round(centre, 6) in named:
            continue  # the tick under the bar names it
        # Grouped bars: the nearest tick names the group; inside it only hatches tell apart.
        group = min(named, key=lambda t: abs(t - centre)) if named else None
        groups.setdefault(group, []).append((face, b.get_hatch() or ""))
    for members in groups.values():
        hatches: dict[str, str] = {}
        for face, hatch in members:
            if hatch in hatches and hatches[hatch] != face:
                found.append(f"bars of colours {hatches[hatch]} and {face} share hatch {hatch!r}")
            hatches.setdefault(hatch, face)
    return sorted(set(found))


@pytest.mark.parametrize("name", sorted(CASES))
def test_figure_reads_without_colour(name):
    fig = draw(name)
    assert isinstance(fig, Figure)
    assert problems(fig) == []


# The checker itself: each rule catches the figure it is meant to catch.

def _figure() -> tuple[Figure, object]:
    fig = Figure()
    ax = fig.subplots()
    ax.set_title("t")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    return fig, ax


def test_checker_accepts_a_readable_figure():
    fig, ax = _figure()
    ax.plot([1, 2], [1, 2], marker="o", color="#0072B2", label="pool")
    ax.plot([1, 2], [2, 1], marker="^", color="#E69F00", label="executor")
    ax.bar([0.8, 1.2], [1, 2], width=0.4, color=["#0072B2", "#E69F00"], hatch="//")
    ax.containers[-1][1].set_hatch("..")
    assert problems(fig) == []


def test_checker_wants_title_and_axis_labels():
    fig = Figure()
    fig.subplots().plot([1, 2], [1, 2])
    assert problems(fig) == ["axes 0: no title", "axes 0: x axis has no label",
                             "axes 0: y axis has no label"]


def test_checker_catches_lines_that_differ_only_in_colour():
    fig, ax = _figure()
    ax.plot([1, 2], [1, 2], color="#0072B2", label="pool")
    ax.plot([1, 2], [2, 1], color="#E69F00", label="executor")
    assert problems(fig) == ["axes 0: lines 'pool' and 'executor' differ only in colour"]


def test_checker_catches_unsafe_colours_and_unhatched_grouped_bars():
    fig, ax = _figure()
    ax.bar([0.8, 1.2], [1, 2], width=0.4, color=["#ff0000", "#00ff00"])
    assert problems(fig) == ["axes 0: a bar has colour #00ff00", "axes 0: a bar has colour #ff0000",
                             "axes 0: bars of colours #ff0000 and #00ff00 share hatch ''"]


def test_checker_accepts_bars_named_by_their_ticks():
    fig, ax = _figure()
    ax.bar([0, 1], [1, 2], color=["#0072B2", "#E69F00"])
    ax.set_xticks([0, 1], ["pool", "executor"])
    assert problems(fig) == []


def test_checker_accepts_grouped_bars_told_apart_by_hatch():
    fig, ax = _figure()
    for i, colour in enumerate(["#0072B2", "#E69F00"]):  # colour: the group; hatch: the series
        ax.bar([i - 0.2, i + 0.2], [1, 2], width=0.4, color=colour)
        ax.containers[-1][0].set_hatch("//")
    ax.set_xticks([0, 1], ["fork", "spawn"])
    assert problems(fig) == []
    ax.containers[-1][0].set_hatch("")  # spawn's bars: two colours, no hatch to tell them
    ax.containers[-1][1].set_facecolor("#009E73")
    assert problems(fig) == ["axes 0: bars of colours #e69f00 and #009e73 share hatch ''"]
