import matplotlib as mpl
import pytest
from matplotlib.figure import Figure

from helpers import plots, plotstyle, timeline
from helpers.plotstyle import (
    CHUNK_COLOURS,
    EXTRA_COLOURS,
    PALETTE,
    TICK_SIZE,
    colour,
    styled,
    text_width,
)
from helpers.timeline import Span, Timeline


def test_unknown_strategy_gets_a_stable_colour():
    assert colour("dask") == colour("dask")
    assert colour("dask") in EXTRA_COLOURS
    assert colour("pool") == PALETTE["pool"]


def test_chunk_colours_are_the_palette_without_black():
    assert "#000000" not in CHUNK_COLOURS
    assert set(CHUNK_COLOURS) <= {c.upper() for c in [*PALETTE.values(), *EXTRA_COLOURS]}


@styled
def _figure(title="t", xlabel="x", names=("a", "b"), log=False):
    fig = Figure(figsize=(6, 4), layout="constrained")
    ax = fig.subplots()
    ax.bar(range(len(names)), [1] * len(names))
    ax.set_xticks(range(len(names)), names)
    if log:
        ax.set_yscale("log")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.plot([0, 1], [1, 2])
    return fig


def _drawn_tick_sizes(fig):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig).draw()
    ax = fig.axes[0]
    return {t.get_fontsize() for t in ax.get_xticklabels() + ax.get_yticklabels()}


def test_styled_figures_keep_presentation_sizes_after_drawing():
    fig = _figure(log=True)  # a log scale makes its ticks again when drawn
    assert _drawn_tick_sizes(fig) == {TICK_SIZE}
    ax = fig.axes[0]
    assert ax.xaxis.label.get_fontsize() == TICK_SIZE
    assert ax.get_lines()[0].get_linewidth() == plotstyle.PRESENTATION["lines.linewidth"]
    assert fig.dpi == 100


def test_the_style_stays_inside_the_figure_function():
    before = dict(mpl.rcParams)
    _figure()
    assert mpl.rcParams["xtick.labelsize"] == before["xtick.labelsize"]
    assert mpl.rcParams["lines.linewidth"] == before["lines.linewidth"]


def test_a_title_wider_than_the_figure_is_wrapped_when_drawn():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    long = "A title that goes on and on about what it compares, far too long for a slide"
    fig = _figure(title=long)
    ax = fig.axes[0]
    assert ax.get_title() == long and ax.title.get_wrap()  # the text itself is kept
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    box = ax.title.get_window_extent(canvas.get_renderer())
    assert box.x0 >= 0 and box.x1 <= fig.get_figwidth() * fig.dpi
    assert box.height > 1.5 * ax.title.get_fontsize() * fig.dpi / 72  # two lines


def test_names_that_would_touch_make_the_figure_wider_up_to_a_slide():
    assert _figure(names=("a", "b")).get_figwidth() == 6
    wide = _figure(names=tuple(f"executor\nchunksize={10 ** k}" for k in range(5)))
    assert 6 < wide.get_figwidth() <= plotstyle.MAX_WIDTH


def test_text_width_grows_with_text_and_size():
    assert text_width("ab", 14) < text_width("abcd", 14) < text_width("abcd", 20)
    assert text_width("short\nmuch longer line", 14) == text_width("much longer line", 14)


@pytest.mark.parametrize("name", ["bar_timings", "crossover", "amdahl"])
def test_every_course_figure_is_styled(name):
    assert getattr(plots, name).__wrapped__  # made by styled, which keeps the original
    assert timeline.gantt.__wrapped__


def _timeline(tasks, chunksize, ms_each):
    spans = tuple(Span(i, 100 + i % 2, (i // 2) * ms_each * 10**6, (i // 2 + 1) * ms_each * 10**6)
                  for i in range(tasks))
    return Timeline(spans, 0, (tasks // 2 + 1) * ms_each * 10**6, "map", 2, chunksize)


def test_a_timeline_numbers_its_tasks_when_they_fit_at_a_legible_size():
    fig = timeline.gantt(_timeline(8, 2, 5))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.texts] == [str(i) for i in range(8)]
    assert all(t.get_fontsize() >= 12 for t in ax.texts)
    assert not fig.legends and "number = task" in ax.get_title()


def test_a_crowded_timeline_gives_way_to_a_legend():
    fig = timeline.gantt(_timeline(200, 5, 1))
    ax = fig.axes[0]
    assert len(ax.texts) == 0 and "number = task" not in ax.get_title()
    (legend,) = fig.legends
    names = [t.get_text() for t in legend.get_texts()]
    assert names[:2] == ["tasks 0-4", "tasks 5-9"] and len(names) == len(CHUNK_COLOURS)
    assert "repeating every 7 chunks" in legend.get_title().get_text()


@pytest.mark.parametrize("module", ["helpers.plots", "helpers.timeline", "helpers.explorer"])
def test_every_drawing_module_installs_the_png_display(module):
    # A fresh interpreter: nothing else has imported helpers.plots first.
    import subprocess
    import sys

    code = f"import sys, {module}; print('helpers.plotstyle' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True)
    assert out.stdout.strip() == "True"
