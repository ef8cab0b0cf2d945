import pytest

from helpers import costmodel, explorer


def overheads():
    return costmodel.Overheads("fork", 2.0, 0.0, {"pool": 1e-4, "executor": 1e-4},
                               {"pool": 0.0, "executor": 0.0},
                               {"pool": 0.05, "executor": 0.05}, 1e9)


def test_estimate_counts_serial_startup_and_parallel_in_every_round():
    s = explorer.Settings(task_seconds=0.01, tasks=100, workers=2, chunksize=10)
    # a round: serial 1 s; parallel: start-up 0.05 + half of 1 s
    assert explorer.estimate(overheads(), s) == pytest.approx(explorer.ROUNDS * 1.55, rel=0.01)


def test_run_interleaves_serial_and_pool_and_keeps_the_fastest(monkeypatch):
    order, pool_times = [], iter([0.5, 0.2, 0.4])

    class Timeline:
        def __init__(self, seconds):
            self.seconds = seconds

    def record(func, inputs, *args):
        order.append("pool")
        return list(inputs), Timeline(next(pool_times))

    def cpu_task(x):
        order.append("serial") if not order or order[-1] != "serial" else None
        return x

    monkeypatch.setattr(explorer.timeline, "record", record)
    monkeypatch.setattr(explorer, "cpu_task", cpu_task)
    s = explorer.Settings(task_seconds=1e-4, tasks=3)
    serial, tl = explorer.run(s, per_unit=1e-6, rounds=3)
    assert order == ["serial", "pool"] * 3
    assert tl.seconds == 0.2 and serial > 0
    with pytest.raises(ValueError, match="rounds must be at least 1"):
        explorer.run(s, per_unit=1e-6, rounds=0)


def test_plan_runs_what_fits_and_scales_down_what_does_not():
    small = explorer.Settings(task_seconds=0.001, tasks=10)
    assert explorer.plan(overheads(), small, cap=3)[0] == small
    big = explorer.Settings(task_seconds=0.1, tasks=400, chunksize=1)
    fitted, note = explorer.plan(overheads(), big, cap=3)
    assert fitted.tasks < 400 and explorer.estimate(overheads(), fitted) <= 3
    assert f"running {fitted.tasks} tasks instead of 400" in note
    none, why = explorer.plan(overheads(), big, cap=0.01)
    assert none is None and "choose shorter tasks" in why
    with pytest.raises(ValueError):
        explorer.plan(overheads(), small, cap=0)


def test_panel_updates_when_a_slider_moves():
    e = explorer.Explorer(overheads=overheads(), run_now=False, cap=1.0,
                          settings=explorer.Settings(task_seconds=1e-4, tasks=8))
    e.tasks.value = 6  # observe -> update: measures and redraws
    assert "speedup" in e.message.value and e.bar.value == 3
    e.size.value = 0.1
    e.tasks.value = 400
    assert "instead of 400" in e.message.value
