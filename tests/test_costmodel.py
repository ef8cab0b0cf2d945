import pytest

from helpers import costmodel as cm


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
    (dict(task_seconds=1.0, strategy="gpu", workers=2, tasks=3), "unknown strategy"),
    (dict(task_seconds=1.0, strategy="pool", workers=0, tasks=3), "workers must be at least 1"),
    (dict(task_seconds=1.0, strategy="pool", workers=2, tasks=0), "tasks must be at least 1"),
    (dict(task_seconds=[], strategy="pool", workers=2), "empty"),
])
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        cm.predict_time(overheads(), **kwargs)


def test_a_missing_task_count_is_a_type_error():
    with pytest.raises(TypeError, match="tasks must be an int, got NoneType None"):
        cm.predict_time(overheads(), 1.0, "pool", 2)


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
    median, worst = cm.fit_error(samples)  # time errors stand in: 1/1.1, 1/0.7, 1/1.2
    assert median == pytest.approx(1 - 1 / 1.2)
    assert worst == pytest.approx(1 / 0.7 - 1)
    with pytest.raises(ValueError):
        cm.fit_error(samples[:1])


def test_fit_amdahl_recovers_the_parallel_fraction():
    speedups = [cm.amdahl_speedup(w, 0.9, 4) for w in (1, 2, 3, 4, 6, 8)]
    assert cm.fit_amdahl([1, 2, 3, 4, 6, 8], speedups, 4) == pytest.approx(0.9)
    assert cm.amdahl_speedup(8, 1.0, 2) == 2


def test_size_for_inverts_seconds_per_unit():
    assert cm.size_for(0.01, 1e-8) == 1_000_000
    assert cm.size_for(0.0, 1e-8) == 1


def test_round_trip_per_strategy_or_one_for_all():
    ov = overheads(latency={"pool": 0.001, "executor": 0.003})
    assert cm.predict_time(ov, 0.0, "executor", 2, 1, 1) == pytest.approx(0.003)
    assert overheads(latency=0.002).round_trip("pool") == 0.002


def test_error_is_on_the_speedup_when_the_sweep_measured_one():
    s = cm.Sample("pool", 1, 10, 1, 2, 1e-3, 0.01, 0.008, serial=0.02,
                  measured_speedup=2.0, predicted_speedup=2.5)
    assert s.error == pytest.approx(0.25)


def test_crossover_uses_same_round_speedups():
    rows = [cm.Sample("pool", 1, 10, None, 2, 1e-4, 1, 1, measured_speedup=0.5),
            cm.Sample("pool", 2, 10, None, 2, 1e-2, 1, 1, measured_speedup=2.0)]
    assert cm.crossover(rows, "pool") == pytest.approx(1e-3)


def test_transfer_interpolates_the_bandwidth_curve_on_log_scales():
    ov = overheads(bandwidth=((1e3, 1e8), (1e7, 1e9)))
    assert cm.transfer_seconds(ov, 0) == 0.0
    assert cm.transfer_seconds(ov, 500) == pytest.approx(500 / 1e8)     # flat below
    assert cm.transfer_seconds(ov, 1e8) == pytest.approx(1e8 / 1e9)     # flat above
    # halfway on a log scale of size (1e5) the rate is halfway on a log scale: 10**8.5
    assert cm.transfer_seconds(ov, 1e5) == pytest.approx(1e5 / 10 ** 8.5)
    assert cm.transfer_seconds(overheads(), 1e6) == pytest.approx(1.0)  # one rate: 1 MB/s


def test_shared_bytes_travel_once_per_chunk():
    traffic = cm.Traffic(shared=1000, per_task=10, result_per_task=5)
    assert traffic.arguments(4) == 1040 and traffic.results(4) == 20
    assert traffic.naive(4) == 4060
    ov = overheads(bytes_per_second=1000.0)  # 1 s per 1000 bytes
    one_chunk = cm.predict_time(ov, 0.0, "pool", 1, chunksize=4, tasks=4, traffic=traffic)
    assert one_chunk == pytest.approx(1.06)
    four_chunks = cm.predict_time(ov, 0.0, "pool", 1, chunksize=1, tasks=4, traffic=traffic)
    assert four_chunks == pytest.approx(4 * 1.015)


def test_waiting_tasks_are_not_bound_by_the_cpus():
    ov = overheads(cpus=2.0)
    assert cm.predict_time(ov, 1.0, "pool", 8, 1, 8) == pytest.approx(4)
    assert cm.predict_time(ov, 1.0, "pool", 8, 1, 8, cpu_fraction=0.0) == pytest.approx(1)


def test_threads_follow_amdahl_on_the_gil_free_share():
    ov = overheads(cpus=2.0, per_chunk={"pool": 0, "executor": 0, "threads": 0.0})
    # all of it holds the GIL: no gain whatever the threads
    assert cm.predict_time(ov, 1.0, "threads", 4, tasks=8) == pytest.approx(8)
    # sleep-like: nothing computes, 8 threads share 8 s of waiting
    assert cm.predict_time(ov, 1.0, "threads", 8, tasks=8, cpu_fraction=0.0,
                           gil_free=1.0) == pytest.approx(1)
    # NumPy-like: releases the GIL but computes, so 2 CPUs bound it
    assert cm.predict_time(ov, 1.0, "threads", 8, tasks=8, gil_free=1.0) == pytest.approx(4)
    # half released on 2 threads: 4 s held + 4 s shared by 2 = 6 s
    assert cm.predict_time(ov, 1.0, "threads", 2, tasks=8, gil_free=0.5) == pytest.approx(6)
    ov = overheads(per_chunk={"pool": 0, "executor": 0, "threads": 0.01})
    assert cm.predict_time(ov, 0.0, "threads", 2, tasks=100) == pytest.approx(1.0)


def test_slowed_stretches_the_parents_costs_only():
    ov = overheads(latency={"pool": 1e-3, "executor": 2e-3},
                   per_chunk={"pool": 1e-4, "executor": 2e-4}, bandwidth=((1e6, 1e8),))
    slow = cm.slowed(ov, 2.0, cpus=1.5)
    assert slow.per_chunk == {"pool": 2e-4, "executor": 4e-4}
    assert slow.latency == {"pool": 2e-3, "executor": 4e-3}
    assert slow.bandwidth == ((1e6, 5e7),) and slow.bytes_per_second == 5e5
    assert slow.cpus == 1.5 and slow.startup == ov.startup
    assert cm.slowed(ov, 1.0) == ov
    with pytest.raises(ValueError, match="factor must be"):
        cm.slowed(ov, 0)
