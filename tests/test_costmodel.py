import math

import pytest

from helpers import costmodel as cm
from helpers.workloads import cpu_task


def overheads(**kw):
    base = dict(start_method="fork", cpus=2.0, latency=0.0,
                per_chunk={"pool": 0.0, "executor": 0.0}, per_item={"pool": 0.0, "executor": 0.0},
                startup={"pool": 0.5, "executor": 0.7}, bytes_per_second=1e6)
    base.update(kw)
    return cm.Overheads(**base)


def test_serial_is_the_sum_of_the_tasks():
    assert cm.predict_time(overheads(), [1.0, 2.0, 3.0], "serial", 4) == 6.0
    assert cm.predict_time(overheads(), 0.5, "serial", 4, tasks=10) == 5.0


def test_free_dispatch_splits_the_work_between_workers():
    assert cm.predict_time(overheads(), 1.0, "pool", 2, chunksize=1, tasks=8) == pytest.approx(4)


def test_big_chunks_leave_a_worker_alone():
    # 4 tasks in chunks of 3: one worker gets 3 tasks, the other 1
    assert cm.predict_time(overheads(), 1.0, "pool", 2, chunksize=3, tasks=4) == pytest.approx(3)


def test_uneven_tasks_are_scheduled_greedily():
    # chunks [5], [1], [1], [1] on 2 workers: the 5 decides
    assert cm.predict_time(overheads(), [5, 1, 1, 1], "pool", 2, chunksize=1) == pytest.approx(5)


def test_the_parent_bounds_tiny_tasks():
    ov = overheads(per_chunk={"pool": 1e-3, "executor": 1e-3})
    t = cm.predict_time(ov, 0.0, "pool", 2, chunksize=1, tasks=100)
    assert t == pytest.approx(0.1)
    assert cm.predict_time(ov, 0.0, "pool", 2, chunksize=10, tasks=100) == pytest.approx(0.01)


def test_more_workers_than_cpus_take_turns():
    ov = overheads(cpus=2.0)
    assert cm.predict_time(ov, 1.0, "pool", 4, chunksize=1, tasks=8) == pytest.approx(4)


def test_startup_latency_and_bytes_add_up():
    ov = overheads(latency=0.01, bytes_per_second=100.0)
    t = cm.predict_time(ov, 0.0, "executor", 1, chunksize=1, tasks=2, bytes_per_task=10,
                        include_startup=True)
    assert t == pytest.approx(0.7 + 0.01 + 0.2)


def test_default_chunksizes_follow_each_api():
    assert cm.resolve_chunksize("pool", 100, 2, None) == 13
    assert cm.resolve_chunksize("executor", 100, 2, None) == 1
    assert cm.resolve_chunksize("executor", 100, 2, 7) == 7
    with pytest.raises(ValueError, match="chunksize must be"):
        cm.resolve_chunksize("pool", 100, 2, 0)


@pytest.mark.parametrize("kwargs, message", [
    (dict(task_seconds=1.0, strategy="threads", workers=2, tasks=3), "unknown strategy"),
    (dict(task_seconds=1.0, strategy="pool", workers=0, tasks=3), "workers must be at least 1"),
    (dict(task_seconds=1.0, strategy="pool", workers=2), "tasks must be at least 1"),
    (dict(task_seconds=[], strategy="pool", workers=2), "empty"),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        cm.predict_time(overheads(), **kwargs)


def sample(strategy, size, seconds, measured, predicted=None):
    return cm.Sample(strategy, size, 10, None, 2, seconds, measured, predicted or measured)


def test_crossover_interpolates_where_speedup_crosses_one():
    samples = [sample("serial", 1, 1e-6, 1.0), sample("serial", 2, 1e-4, 1.0),
               sample("pool", 1, 1e-6, 2.0), sample("pool", 2, 1e-4, 0.5)]
    # log-speedup goes from -log2 to +log2: halfway on a log scale, 1e-5
    assert cm.crossover(samples, "pool") == pytest.approx(1e-5)


def test_crossover_is_none_when_processes_never_win_and_first_point_when_always():
    losing = [sample("serial", 1, 1e-3, 1.0), sample("pool", 1, 1e-3, 2.0)]
    assert cm.crossover(losing, "pool") is None
    winning = [sample("serial", 1, 1e-3, 1.0), sample("pool", 1, 1e-3, 0.5)]
    assert cm.crossover(winning, "pool") == 1e-3


def test_fit_error_ignores_serial_and_reports_median_and_worst():
    samples = [sample("serial", 1, 1, 1.0, 9.0), sample("pool", 1, 1, 1.0, 1.1),
               sample("pool", 2, 1, 1.0, 0.7), sample("executor", 1, 1, 1.0, 1.2)]
    median, worst = cm.fit_error(samples)
    assert median == pytest.approx(0.2)
    assert worst == pytest.approx(0.3)
    with pytest.raises(ValueError):
        cm.fit_error(samples[:1])


def test_fit_amdahl_recovers_the_parallel_fraction():
    speedups = [cm.amdahl_speedup(w, 0.9, 4) for w in (1, 2, 3, 4, 6, 8)]
    assert cm.fit_amdahl([1, 2, 3, 4, 6, 8], speedups, 4) == pytest.approx(0.9)
    assert cm.amdahl_speedup(8, 1.0, 2) == 2


def test_spread_visits_every_index_once_starting_wide():
    order = cm._spread(10)
    assert sorted(order) == list(range(10))
    assert order[:2] == [0, 5]


def test_time_per_task_stops_at_the_budget():
    ticks = iter(range(100))
    seconds, count = cm.time_per_task(abs, list(range(50)), budget=3,
                                      timer=lambda: next(ticks))
    assert (seconds, count) == (1.0, 3)


def test_size_for_inverts_seconds_per_unit():
    assert cm.size_for(0.01, 1e-8) == 1_000_000
    assert cm.size_for(0.0, 1e-8) == 1


def test_predict_checks_the_function_can_be_sent():
    with pytest.raises(TypeError, match="cannot be sent"):
        cm.predict(lambda x: x, [1, 2], overheads=overheads())


def test_predict_for_a_learner_function_uses_its_measured_time():
    ov = overheads(bytes_per_second=1e15)
    p = cm.predict(cpu_task, [20_000] * 40, workers=2, chunksize=5, overheads=ov)
    assert (p.tasks, p.chunksize, p.workers) == (40, 5, 2)
    assert p.serial == pytest.approx(40 * p.task_seconds)
    assert p.parallel == pytest.approx(p.serial / 2)  # free dispatch, 2 CPUs: half
    assert p.startup == 0.5 and p.bytes_per_task > 0
    assert "speedup" in p.summary()


def test_probe_and_sweep_measure_positive_costs():
    ov = cm.probe(2, "fork", repeats=1)
    assert set(ov.per_chunk) == {"pool", "executor"}
    assert all(v > 0 for v in [*ov.per_chunk.values(), *ov.startup.values(),
                               *ov.latency.values()])
    assert ov.round_trip("executor") == ov.latency["executor"]
    assert 1.0 <= ov.cpus <= 2.0
    points = cm.crossover_points(1e-8, [1e-5, 1e-3], budget=0.004, least=4)
    assert [p[2] for p in points] == [400] * 3 + [4] * 3
    samples = cm.sweep(cpu_task, points, 2, ov, repeats=1)
    assert [s.strategy for s in samples] == ["serial"] * 2 + ["pool"] * 2 + ["executor"] * 2
    assert all(s.measured > 0 and s.predicted > 0 and math.isfinite(s.error) for s in samples)


def test_round_trip_per_strategy_or_one_for_all():
    ov = overheads(latency={"pool": 0.001, "executor": 0.003})
    assert cm.predict_time(ov, 0.0, "executor", 2, 1, 1) == pytest.approx(0.003)
    assert overheads(latency=0.002).round_trip("pool") == 0.002
