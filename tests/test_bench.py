import itertools
import multiprocessing as mp

import pytest

from helpers import bench
from helpers.workloads import cpu_task, fail_if, square, whoami

METHODS = mp.get_all_start_methods()


class FakeClock:
    """Each call advances by the next step, so every timed run lasts a known time."""

    def __init__(self, durations):
        self._durations = itertools.cycle(durations)
        self._now = 0.0
        self._started = False

    def __call__(self):
        if self._started:
            self._now += next(self._durations)
        self._started = not self._started
        return self._now


def test_summarize_median_and_spread():
    assert bench.summarize([3.0, 1.0, 2.0]) == (2.0, 2.0)
    assert bench.summarize([1.0, 2.0, 3.0, 10.0]) == (2.5, 9.0)
    with pytest.raises(ValueError):
        bench.summarize([])


@pytest.mark.parametrize("tasks, workers, expected", [
    (100, 2, 13),    # divmod(100, 8) = (12, 4) -> 13
    (16, 2, 2),      # divmod(16, 8) = (2, 0) -> 2
    (3, 4, 1),       # divmod(3, 16) = (0, 3) -> 1
    (100_000, 2, 12_500),
])
def test_pool_chunksize_follows_cpython(tasks, workers, expected):
    assert bench.pool_chunksize(tasks, workers) == expected


@pytest.mark.parametrize("method", METHODS)
def test_all_strategies_agree_with_serial(method):
    records = bench.compare(cpu_task, [1000, 2000, 3000], strategies=bench.STRATEGIES,
                            workers=2, start_method=method, repeats=1)
    assert [r.strategy for r in records] == ["serial", "processes", "pool", "executor",
                                             "threads"]
    assert all(r.tasks == 3 for r in records)
    assert {r.start_method for r in records if r.strategy in bench.PROCESS_STRATEGIES} == {method}
    assert records[0].speedup == 1.0


def test_statistics_from_injected_timings():
    # rounds run serial, threads, serial, threads, ...: the clock's steps alternate
    clock = FakeClock([2.0, 1.0, 4.0, 1.0, 3.0, 2.0])
    records = bench.compare(square, [1, 2], strategies=("serial", "threads"), workers=[2],
                            repeats=3, timer=clock)
    serial, threads = records
    assert serial.times == (2.0, 4.0, 3.0)
    assert (serial.median, serial.spread, serial.best) == (3.0, 2.0, 2.0)
    assert threads.times == (1.0, 1.0, 2.0)
    assert (threads.median, threads.best) == (1.0, 1.0)
    # speedup from the same round: 2/1, 4/1, 3/2 -> median 2.0 (not 3.0 / 1.0)
    assert threads.round_speedups == (2.0, 4.0, 1.5)
    assert threads.speedup == 2.0
    assert threads.efficiency == 1.0


def test_a_burst_in_one_round_hits_both_strategies_and_cancels():
    # round 2 is slowed 3x for everything: the ratio stays 2 in every round
    clock = FakeClock([2.0, 1.0, 6.0, 3.0, 2.0, 1.0])
    _, threads = bench.compare(square, [1], strategies=("serial", "threads"), workers=1,
                               repeats=3, timer=clock)
    assert threads.round_speedups == (2.0, 2.0, 2.0)


def test_schedule_interleaves_rounds_serial_first_in_each_group():
    runs = bench.schedule(("pool", "serial", "executor"), [1, 2], 2)
    assert runs == [
        (0, 0, "serial", 1), (0, 0, "pool", 1), (0, 0, "executor", 1),
        (0, 1, "serial", 1), (0, 1, "pool", 1), (0, 1, "executor", 1),
        (1, 0, "serial", 1), (1, 0, "pool", 2), (1, 0, "executor", 2),
        (1, 1, "serial", 1), (1, 1, "pool", 2), (1, 1, "executor", 2),
    ]
    assert bench.schedule(("serial",), [1, 2, 3], 2) == [(0, 0, "serial", 1),
                                                         (0, 1, "serial", 1)]
    assert bench.schedule(("pool",), [2], 2) == [(0, 0, "pool", 2), (0, 1, "pool", 2)]


def test_the_real_run_order_follows_the_schedule(monkeypatch):
    seen = []
    real = bench._run

    def spy(strategy, func, inputs, workers, *rest):
        seen.append((strategy, workers))
        return real(strategy, func, inputs, workers, *rest)

    monkeypatch.setattr(bench, "_run", spy)
    bench.compare(square, [1, 2], strategies=("serial", "threads"), workers=[1, 2], repeats=2)
    assert seen == [(s, w) for _, _, s, w in bench.schedule(("serial", "threads"), [1, 2], 2)]


def test_worker_sweep_gives_one_record_per_count():
    records = bench.compare(square, range(10), strategies=("serial", "threads"),
                            workers=[1, 2, 3], repeats=1)
    assert [(r.strategy, r.workers) for r in records] == [
        ("serial", 1), ("threads", 1), ("threads", 2), ("threads", 3)]


def test_effective_chunksizes_are_recorded():
    records = bench.compare(square, range(100), strategies=("pool", "executor", "processes"),
                            workers=2, repeats=1, start_method="fork"
                            if "fork" in METHODS else None)
    by = {r.strategy: r for r in records}
    assert by["pool"].chunksize == 13
    assert by["executor"].chunksize == 1
    assert by["processes"].chunksize == 50
    assert by["processes"].include_startup  # a hand-made process is always started per run


def test_startup_is_counted_when_asked():
    records = bench.compare(square, range(4), strategies=("pool",), workers=1, repeats=1,
                            include_startup=True)
    assert records[0].include_startup
    assert records[0].speedup is None  # no serial baseline measured


def test_mismatched_results_are_reported():
    with pytest.raises(bench.ResultMismatch, match="different results than serial"):
        bench.compare(whoami, range(4), strategies=("serial", "pool"), workers=1, repeats=1)


def test_an_exception_in_a_worker_reaches_the_caller():
    with pytest.raises(ValueError, match="task 3 failed on purpose"):
        bench.compare(fail_if, range(5), strategies=("executor",), workers=1, repeats=1)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"workers": 0}, ValueError, "workers must be at least 1, got 0"),
    ({"workers": [2, -1]}, ValueError, "workers must be at least 1, got -1"),
    ({"workers": 1.5}, TypeError, "workers must be an int"),
    ({"strategies": ("serial", "gpu")}, ValueError, "unknown strategy 'gpu'; choose from serial"),
    ({"start_method": "clone"}, ValueError, "unknown start method 'clone'; choose from"),
    ({"chunksize": 0}, ValueError, "chunksize must be at least 1, got 0"),
    ({"repeats": 0}, ValueError, "repeats must be at least 1, got 0"),
])
def test_invalid_settings_name_the_valid_choices(kwargs, error, message):
    with pytest.raises(error, match=message):
        bench.compare(square, [1, 2], **kwargs)


def test_empty_inputs_are_refused():
    with pytest.raises(ValueError, match="inputs is empty"):
        bench.compare(square, [])


@pytest.mark.skipif("fork" in METHODS, reason="only where fork is missing (Windows, macOS 3.14+)")
def test_a_missing_start_method_is_named():
    with pytest.raises(ValueError, match="is not available on"):
        bench.compare(square, [1], start_method="fork")


def test_unpicklable_function_gets_a_teaching_error():
    with pytest.raises(TypeError, match="cannot be sent to a worker process.*top level"):
        bench.compare(lambda x: x, [1], strategies=("pool",), workers=1)


def test_main_module_function_under_spawn_is_refused_before_it_can_hang():
    def f(x):
        return x

    f.__module__ = "__main__"
    f.__qualname__ = "f"
    import __main__

    __main__.f = f  # picklable by reference in this process, but not importable by a child
    try:
        with pytest.raises(ValueError, match="defined in __main__.*Pool.map would wait forever"):
            bench.compare(f, [1], strategies=("pool",), workers=1, start_method="spawn")
    finally:
        del __main__.f


def test_rescale_and_table():
    records = bench.compare(square, range(3), strategies=("serial", "threads"), workers=2,
                            repeats=1, timer=FakeClock([2.0, 0.5]))
    rescaled = bench.rescale(records[1], 4.0)
    assert rescaled.speedup == 8.0 and rescaled.efficiency == 4.0
    text = bench.table(records)
    assert text.splitlines()[0].startswith("serial")
    assert "fastest 2.000 s" in text and "speedup 4.00x" in text


def test_to_frame_has_one_row_per_record():
    records = bench.compare(square, range(3), strategies=("serial", "threads"), workers=[1, 2],
                            repeats=1)
    frame = bench.to_frame(records)
    assert list(frame["strategy"]) == ["serial", "threads", "threads"]
    wanted = {"median", "best", "spread", "speedup", "efficiency", "start_method"}
    assert wanted <= set(frame.columns)
