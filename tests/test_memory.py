import pytest

from helpers import memory


@pytest.fixture(scope="module")
def rows():
    return memory.measure()


def test_every_setup_and_phase_is_measured(rows):
    assert [(r.setup, r.phase) for r in rows] == [
        (s, p) for s in ("fork", "fork + gc.freeze()", "spawn") for p in memory.PHASES]
    assert all(r.uss > 0 for r in rows)


def test_fork_shares_until_written_and_freeze_spares_the_collection(rows):
    by = {(r.setup, r.phase): r.uss for r in rows}
    data = 10 * 2**20  # the data is about 20 MB; half of it is a clear signal
    assert by["fork", "after gc.collect()"] - by["fork", "started"] > data
    assert by["fork + gc.freeze()", "after gc.collect()"] - by["fork + gc.freeze()",
                                                             "started"] < data / 4
    assert by["fork + gc.freeze()", "after reading every item"] - by[
        "fork + gc.freeze()", "started"] > data
    assert by["spawn", "started"] > by["fork", "started"] + data


def test_plot_has_a_bar_per_setup_and_phase(rows):
    fig = memory.uss_plot(rows)
    assert len(fig.axes[0].patches) == len(rows)


def test_mib():
    assert memory.mib(3 * 2**20) == "3.0 MiB"
