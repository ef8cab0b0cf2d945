import math

import pytest

from helpers import costmodel as cm
from helpers import probe as pm
from helpers.workloads import cpu_task


def overheads(**kw):
    base = dict(start_method="fork", cpus=2.0, latency=0.0,
                per_chunk={"pool": 0.0, "executor": 0.0}, per_item={"pool": 0.0, "executor": 0.0},
                startup={"pool": 0.5, "executor": 0.7}, bytes_per_second=1e6)
    base.update(kw)
    return cm.Overheads(**base)


def test_spread_visits_every_index_once_starting_wide():
    order = pm._spread(10)
    assert sorted(order) == list(range(10))
    assert order[:2] == [0, 5]


def test_time_per_task_stops_at_the_budget():
    ticks = iter(range(100))
    seconds, count = pm.time_per_task(abs, list(range(50)), budget=3,
                                      timer=lambda: next(ticks))
    assert (seconds, count) == (1.0, 3)


def test_predict_checks_the_function_can_be_sent():
    with pytest.raises(TypeError, match="cannot be sent"):
        pm.predict(lambda x: x, [1, 2], overheads=overheads())


def test_predict_for_a_learner_function_uses_its_measured_time():
    ov = overheads(bytes_per_second=1e15)
    p = pm.predict(cpu_task, [20_000] * 40, workers=2, chunksize=5, overheads=ov)
    assert (p.tasks, p.chunksize, p.workers) == (40, 5, 2)
    assert p.serial == pytest.approx(40 * p.task_seconds)
    assert p.parallel == pytest.approx(p.serial / 2)  # free dispatch, 2 CPUs: half
    assert p.startup == 0.5 and p.bytes_per_task > 0
    assert "speedup" in p.summary()


def test_probe_and_sweep_measure_positive_costs():
    ov = pm.probe(2, "fork", repeats=1)
    assert set(ov.per_chunk) == {"pool", "executor"}
    assert all(v > 0 for v in [*ov.per_chunk.values(), *ov.startup.values(),
                               *ov.latency.values()])
    assert ov.round_trip("executor") == ov.latency["executor"]
    assert 1.0 <= ov.cpus <= 2.0
    points = cm.crossover_points(1e-8, [1e-5, 1e-3], budget=0.004, least=4)
    assert [p[2] for p in points] == [400] * 3 + [4] * 3
    samples = pm.sweep(cpu_task, points, 2, ov, repeats=1)
    assert [s.strategy for s in samples] == ["serial"] * 2 + ["pool"] * 2 + ["executor"] * 2
    assert all(s.measured > 0 and s.predicted > 0 and math.isfinite(s.error) for s in samples)
