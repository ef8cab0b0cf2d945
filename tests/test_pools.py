import multiprocessing as mp

import pytest
from matplotlib.figure import Figure

from helpers import bench, plots, pools
from helpers.workloads import uneven_task


def record(strategy, chunksize, median, tasks=1000):
    return bench.Record(strategy=strategy, workers=2, chunksize=chunksize, start_method="fork",
                        tasks=tasks, include_startup=False, times=(median,), median=median,
                        spread=0.0, speedup=None, efficiency=None)


def test_lookup_needs_the_initializer_then_reads_the_table(monkeypatch):
    monkeypatch.setattr(pools, "_TABLE", None)
    monkeypatch.setattr(pools, "_LOADS", 0)
    with pytest.raises(RuntimeError, match="initializer=load_table"):
        pools.lookup(3)
    pools.load_table(10)
    assert pools.lookup(3) == 9
    assert pools.loads_here()[1] == 1
    with pytest.raises(ValueError, match="size must be at least 1"):
        pools.load_table(0)


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_initializer_runs_once_per_worker(method):
    ctx = mp.get_context(method)
    with ctx.Pool(2, initializer=pools.load_table, initargs=(50,)) as pool:
        assert pool.map(pools.lookup, range(50), chunksize=5) == [i * i for i in range(50)]
        counts = {n for _, n in pool.map(pools.loads_here, range(20), chunksize=1)}
        pool.close()
        pool.join()
    assert counts == {1}


def test_arrivals_uses_the_clock_it_is_given():
    ticks = iter([10.0, 10.5, 11.25])
    assert pools.arrivals(["a", "b"], clock=lambda: next(ticks)) == [("a", 0.5), ("b", 1.25)]


def test_teardown_close_finishes_everything_and_with_block_drops_pending_work():
    ctx = mp.get_context("fork")
    closed = pools.teardown_demo(ctx, "close", tasks=4, seconds=0.05)
    assert (closed.submitted, closed.finished) == (4, 4)
    dropped = pools.teardown_demo(ctx, "with-block", tasks=4, seconds=0.5)
    assert dropped.finished == 0  # no 0.5 s sleep can end before terminate() a moment later
    assert "lost 4" in str(dropped)
    with pytest.raises(ValueError, match="unknown how 'kill'; choose from close, with-block"):
        pools.teardown_demo(ctx, "kill")


def test_per_task_and_its_description():
    r = record("executor", 1, 2.0, tasks=10_000)
    assert pools.per_task(r) == pytest.approx(2e-4)
    text = pools.describe_per_task(r)
    assert "200.0 µs per task" in text and "100,000 tasks would take about 20.00 s" in text
    with pytest.raises(ValueError, match="no tasks"):
        pools.per_task(record("pool", 1, 1.0, tasks=0))


def test_uneven_task_returns_its_number():
    assert uneven_task((7, 0.0)) == 7


def test_bar_chunksizes_labels_chunksizes_on_a_log_axis():
    recs = [record("serial", None, 0.01), record("executor", 1, 2.0),
            record("executor", 1000, 0.02)]
    fig = plots.bar_chunksizes(recs, cpus=2)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"
    assert [t.get_text() for t in ax.get_xticklabels()] == [
        "serial", "executor\nchunksize=1", "executor\nchunksize=1000"]
    assert [t.get_text() for t in ax.texts] == ["10 ms", "2000 ms", "20 ms"]
    assert "1,000 tasks" in ax.get_title()
    assert plots.bar_chunksizes(recs, log=False, cpus=2).axes[0].get_yscale() == "linear"
    with pytest.raises(ValueError, match="no records"):
        plots.bar_chunksizes([])
