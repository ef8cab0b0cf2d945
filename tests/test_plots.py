import pytest
from matplotlib.figure import Figure

from helpers import bench, plots


def record(strategy, workers, median, speedup, times=None):
    times = times or (median * 0.9, median, median * 1.2)
    return bench.Record(strategy=strategy, workers=workers, chunksize=None, start_method=None,
                        tasks=8, include_startup=False, times=times, median=median,
                        spread=max(times) - min(times), speedup=speedup,
                        efficiency=None if speedup is None else speedup / workers)


RECORDS = [record("serial", 1, 1.0, 1.0), record("pool", 1, 1.0, 1.0),
           record("pool", 2, 0.55, 1.82), record("executor", 2, 0.6, 1.67)]


def test_bar_timings_draws_one_bar_per_record_with_spread():
    fig = plots.bar_timings(RECORDS, cpus=2)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    bars = ax.patches
    assert [round(b.get_height(), 3) for b in bars] == [1.0, 1.0, 0.55, 0.6]
    assert "2 usable CPUs" in ax.get_title() and "8 tasks" in ax.get_title()
    assert ax.get_ylabel().startswith("wall-clock time (s)")
    assert [t.get_text() for t in ax.texts] == ["1.00x", "1.00x", "1.82x", "1.67x"]
    # error bars from min to max: one line collection per bar
    assert len(ax.containers) == 2 * len(RECORDS)


def test_bar_colours_are_the_palette_and_hatches_differ():
    ax = plots.bar_timings(RECORDS, cpus=2).axes[0]
    pool_bar, executor_bar = ax.patches[2], ax.patches[3]
    assert pool_bar.get_hatch() != executor_bar.get_hatch()
    from matplotlib.colors import to_hex

    assert to_hex(pool_bar.get_facecolor()) == plots.PALETTE["pool"].lower()


def test_speedup_plot_has_ideal_line_and_one_line_per_strategy():
    fig = plots.speedup_vs_workers(RECORDS, cpus=2)
    ax = fig.axes[0]
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[0].startswith("ideal")
    assert "pool" in labels and "executor" in labels and "serial" not in labels
    pool = next(line for line in ax.get_lines() if line.get_label() == "pool")
    assert list(pool.get_xdata()) == [1, 2] and list(pool.get_ydata()) == [1.0, 1.82]
    assert pool.get_marker() != next(
        line for line in ax.get_lines() if line.get_label() == "executor").get_marker()
    assert ax.get_xlabel() == "workers" and "speedup" in ax.get_ylabel()


def test_singular_cpu_in_title():
    assert "(1 usable CPU)" in plots.bar_timings(RECORDS, cpus=1).axes[0].get_title()


def test_empty_records_get_a_clear_error():
    with pytest.raises(ValueError, match="no records to plot"):
        plots.bar_timings([])
    with pytest.raises(ValueError, match="no records to plot"):
        plots.speedup_vs_workers([record("serial", 1, 1.0, 1.0)])


def test_a_single_worker_is_named_in_the_singular():
    labels = [t.get_text() for t in plots.bar_timings(RECORDS, cpus=2).axes[0].get_xticklabels()]
    assert "pool\n1 worker" in labels and "pool\n2 workers" in labels
