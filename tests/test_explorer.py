import pytest

from helpers import costmodel, explorer


def overheads():
    return costmodel.Overheads("fork", 2.0, 0.0, {"pool": 1e-4, "executor": 1e-4},
                               {"pool": 0.0, "executor": 0.0},
                               {"pool": 0.05, "executor": 0.05}, 1e9)


def test_estimate_counts_serial_startup_and_parallel():
    s = explorer.Settings(task_seconds=0.01, tasks=100, workers=2, chunksize=10)
    # serial 1 s; parallel: start-up 0.05 + half of 1 s
    assert explorer.estimate(overheads(), s) == pytest.approx(1.55, rel=0.01)


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
