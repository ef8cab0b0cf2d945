import multiprocessing as mp
import os

import pytest
from matplotlib.figure import Figure

from helpers import plots, startmethods
from helpers.startmethods import (
    ChildLog,
    StartupRecord,
    capture_stderr,
    read_note,
    startup_costs,
    startup_table,
)
from helpers.timing import startup_summary
from helpers.workloads import whoami


def fake_measure(seconds_by_method):
    calls = []

    def measure(method, workers, timer):
        calls.append((method, workers))
        return seconds_by_method[method].pop(0)

    return measure, calls


def test_startup_costs_returns_one_record_per_run_in_order(monkeypatch):
    monkeypatch.setattr(startmethods, "forkserver_running", lambda: False)
    measure, calls = fake_measure({"fork": [0.02, 0.01, 0.012], "spawn": [0.1, 0.05, 0.06]})
    records = startup_costs(["fork", "spawn"], repeats=3, workers=2, measure=measure)
    assert calls == [("fork", 2)] * 3 + [("spawn", 2)] * 3
    assert [(r.method, r.run, r.seconds) for r in records][:2] == [("fork", 0, 0.02),
                                                                   ("fork", 1, 0.01)]
    assert not any(r.server_started for r in records)  # only forkserver starts a server


def test_startup_costs_marks_the_run_that_started_the_forkserver(monkeypatch):
    running = iter([False, True, True])
    monkeypatch.setattr(startmethods, "forkserver_running", lambda: next(running))
    measure, _ = fake_measure({"forkserver": [0.07, 0.015, 0.017]})
    records = startup_costs(["forkserver"], repeats=3, measure=measure)
    assert [r.server_started for r in records] == [True, False, False]
    summary = startup_summary(records)["forkserver"]
    assert summary == {"first": 0.07, "later_median": 0.016, "runs": 3, "server_started": True}
    assert startup_table(records) == ("forkserver  first run 70.0 ms (it started the server), "
                                      "later runs median 16.0 ms")


@pytest.mark.parametrize("kwargs, error", [
    ({"methods": ["vfork"]}, ValueError), ({"repeats": 0}, ValueError),
    ({"workers": 0}, ValueError), ({"repeats": 1.5}, TypeError), ({"workers": True}, TypeError),
])
def test_startup_costs_rejects_bad_settings(kwargs, error):
    with pytest.raises(error):
        startup_costs(measure=lambda *a, **k: 0.0, **kwargs)


def test_time_startup_really_starts_a_pool():
    seconds = startmethods.time_startup("spawn", workers=1)
    assert seconds > 0


def test_startup_bars_draws_first_and_later_per_method():
    records = [StartupRecord("fork", i, 2, s, False) for i, s in enumerate([0.02, 0.01, 0.01])]
    records += [StartupRecord("spawn", i, 2, s, False) for i, s in enumerate([0.2, 0.05, 0.07])]
    fig = plots.startup_bars(records)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert [round(b.get_height(), 1) for b in ax.patches] == [20.0, 10.0, 200.0, 60.0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["fork", "spawn"]
    assert "2 workers" in ax.get_title()


def test_a_spawn_worker_sees_the_module_as_imported_a_fork_worker_inherits(monkeypatch):
    monkeypatch.setattr(startmethods, "NOTE", "changed in the parent")
    with mp.get_context("spawn").Pool(1) as pool:
        assert pool.apply(read_note) == "the value this module sets when it is imported"
        pool.close()
        pool.join()
    if "fork" in mp.get_all_start_methods():
        with mp.get_context("fork").Pool(1) as pool:
            assert pool.apply(read_note) == "changed in the parent"
            pool.close()
            pool.join()


def test_child_log_collects_a_dead_workers_error_and_is_removed():
    with ChildLog() as log:
        with open(log.path, "a") as f:
            f.write("Traceback (most recent call last):\n  File ...\n"
                    "AttributeError: Can't get attribute 'f' on <module '__main__' "
                    "(<class '_frozen_importlib.BuiltinImporter'>)>\n")
            f.write("Traceback (most recent call last):\nAttributeError: Can't get attribute "
                    "'f' on <module '__main__' (built-in)>\n")
        assert log.deaths() == 2
        stable = "AttributeError: Can't get attribute 'f' on <module '__main__' ...>"
        assert log.errors() == [stable]
        path = log.path
    assert not os.path.exists(path)


def test_capture_stderr_in_a_real_worker_lands_in_the_log():
    with ChildLog() as log:
        ctx = mp.get_context("spawn")
        with ctx.Pool(1, initializer=capture_stderr, initargs=(log.path,)) as pool:
            assert pool.apply(whoami) > 0
            pool.close()
            pool.join()
        assert log.text() == ""  # a healthy worker writes nothing
