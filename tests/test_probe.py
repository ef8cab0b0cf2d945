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
    # free dispatch on 2 CPUs: the busiest worker's share, never less than half
    assert p.serial / 2 <= p.parallel <= p.serial
    assert p.startup == 0.5 and p.bytes_per_task > 0
    assert "speedup" in p.summary()


def test_probe_and_sweep_measure_positive_costs():
    ov = pm.probe(2, "fork", repeats=1)
    assert set(ov.per_chunk) == {"pool", "executor", "threads"}
    sizes = [n for n, _ in ov.bandwidth]
    # sizes too small for their bytes to show above the per-chunk cost are left out
    assert sizes and sizes == sorted(sizes) and set(sizes) <= set(pm.MESSAGE_SIZES)
    assert all(r > 0 for _, r in ov.bandwidth)
    assert all(v > 0 for v in [*ov.per_chunk.values(), *ov.startup.values(),
                               *ov.latency.values()])
    assert ov.round_trip("executor") == ov.latency["executor"]
    assert 0.25 <= ov.cpus <= 2.0  # a busy machine gives the workers less than a CPU each
    points = cm.crossover_points(1e-8, [1e-5, 1e-3], budget=0.004, least=4)
    assert [p[2] for p in points] == [400] * 3 + [4] * 3
    samples = pm.sweep(cpu_task, points, 2, ov, repeats=1)
    assert [s.strategy for s in samples] == ["serial"] * 2 + ["pool"] * 2 + ["executor"] * 2
    assert all(s.measured > 0 and s.predicted > 0 and math.isfinite(s.error) for s in samples)
    pooled = [s for s in samples if s.strategy != "serial"]
    assert all(s.serial > 0 and s.measured_speedup > 0 and s.cpus > 0 for s in pooled)


def test_sample_tasks_takes_at_least_three_across_the_list_and_says_uneven():
    from helpers.workloads import sleepy

    inputs = [0.001] * 10 + [0.02] * 10
    sample = pm.sample_tasks(sleepy, inputs, budget=0.05)
    assert len(sample.indices) >= 3 and 0 in sample.indices and 10 in sample.indices
    assert sample.uneven and "uneven" in sample.summary()
    assert sample.cpu_fraction < 0.5  # sleeping uses no CPU
    assert len(sample.durations()) == 20


def test_sample_tasks_stops_at_the_budget_and_says_so():
    ticks = iter(range(0, 1000, 10))  # every task "takes" 10 s
    sample = pm.sample_tasks(abs, list(range(50)), budget=15, timer=lambda: next(ticks))
    assert len(sample.seconds) == 1 and sample.capped


@pytest.mark.parametrize("inputs, message", [([], "inputs is empty")])
def test_sample_tasks_refuses_empty_inputs(inputs, message):
    with pytest.raises(ValueError, match=message):
        pm.sample_tasks(abs, inputs)


def test_measure_traffic_counts_a_shared_object_once_per_chunk():
    big = bytes(100_000)
    inputs = [(big, i) for i in range(40)]
    traffic = pm.measure_traffic(inputs, [i for i in range(40)])
    assert 100_000 <= traffic.shared <= 100_100
    assert 0 < traffic.per_task < 20
    assert traffic.arguments(10) < 101_000  # one copy per chunk of 10
    assert traffic.naive(10) > 1_000_000    # what counting per task would say
    own = pm.measure_traffic([bytes(1000 + i) for i in range(40)], [])
    assert own.shared < 50 and 1000 <= own.per_task <= 1050


def test_gil_free_share_tells_sleeping_from_pure_python():
    from helpers.workloads import sleepy

    inputs = [0.02] * 4
    sleep = pm.gil_free_share(sleepy, pm.sample_tasks(sleepy, inputs, budget=0.1), inputs)
    assert sleep > 0.7
    spin = [20_000] * 4
    held = pm.gil_free_share(cpu_task, pm.sample_tasks(cpu_task, spin, budget=0.1), spin)
    assert held < 0.5
