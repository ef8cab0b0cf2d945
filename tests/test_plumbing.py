import multiprocessing as mp
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import psutil
import pytest

from helpers import failures
from helpers.pitfalls import alive
from helpers.plumbing import (
    check_sendable,
    make_pool,
    remote_traceback,
    run_map,
    start_workers,
    stop_executor,
    stop_process,
    worker_frames,
    worker_pids,
)
from helpers.workloads import fail_if, sleepy, square

CTX = mp.get_context("spawn")


@pytest.mark.parametrize("strategy", ["pool", "executor", "threads"])
def test_make_pool_and_run_map_give_one_interface(strategy):
    with make_pool(strategy, 2, CTX) as pool:
        start_workers(strategy, pool, 2)
        assert run_map(strategy, pool, square, [1, 2, 3], None) == [1, 4, 9]
        assert run_map(strategy, pool, square, [4, 5], 2) == [16, 25]


def test_make_pool_names_the_choices_and_checks_workers():
    with pytest.raises(ValueError, match="unknown strategy 'gpu'; choose from pool, executor"):
        make_pool("gpu", 2, CTX)
    with pytest.raises(ValueError, match="workers must be at least 1, got 0"):
        make_pool("pool", 0, CTX)
    with pytest.raises(TypeError, match="workers must be an int, got bool True"):
        make_pool("pool", True, CTX)


def test_make_pool_returns_the_kinds_it_names():
    with make_pool("executor", 1, CTX) as ex:
        assert isinstance(ex, ProcessPoolExecutor)
    with make_pool("threads", 1, CTX) as ex:
        assert isinstance(ex, ThreadPoolExecutor)


def test_check_sendable_refuses_what_cannot_be_pickled():
    with pytest.raises(TypeError, match="cannot be sent to a worker process.*top level"):
        check_sendable(lambda x: x, "fork")
    with pytest.raises(TypeError, match="cannot be sent"):
        check_sendable(square, "spawn", args=(lambda: 0,))


def test_check_sendable_refuses_main_functions_except_under_fork():
    def f(x):
        return x

    f.__module__ = "__main__"
    f.__qualname__ = "f"
    import __main__

    __main__.f = f  # picklable by reference in this process, but not importable by a child
    try:
        with pytest.raises(ValueError, match="defined in __main__.*Pool.map would wait forever"):
            check_sendable(f, "spawn")
        check_sendable(f, "fork")  # fork children inherit __main__: nothing to refuse
    finally:
        del __main__.f
    check_sendable(square, "spawn", args=(3,))


def test_stop_process_terminates_what_does_not_end():
    proc = CTX.Process(target=sleepy, args=(30,))
    proc.start()
    start = time.perf_counter()
    stop_process(proc, timeout=0.2)
    assert not proc.is_alive() and proc.exitcode is not None
    assert time.perf_counter() - start < 10


def test_worker_pids_reads_a_pool():
    with CTX.Pool(2) as pool:
        pids = worker_pids(pool)
        assert len(pids) == 2 and all(isinstance(p, int) for p in pids)


def test_stop_executor_kills_running_tasks():
    ex = ProcessPoolExecutor(2, mp_context=mp.get_context("spawn"))
    ex.submit(sleepy, 0).result(timeout=30)
    futures = [ex.submit(sleepy, 30) for _ in range(3)]
    pids = worker_pids(ex)
    assert pids and all(psutil.pid_exists(p) for p in pids)
    start = time.perf_counter()
    stop_executor(ex)
    assert time.perf_counter() - start < 20  # not the 30 s the tasks would take
    assert alive(pids) == []
    assert all(f.done() for f in futures)



def test_worker_frames_show_the_workers_side():
    with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as ex:
        exc = ex.submit(failures.parse_number, "x").exception(timeout=30)
    assert worker_frames(exc) == [
        "in parse_number() (helpers/failures.py)",
        "in _parse_digits() (helpers/failures.py)",
        "ValueError: invalid literal for int() with base 10: 'x'",
    ]
    assert worker_frames(ValueError("local")) == ["ValueError: local"]



def test_remote_traceback_names_the_worker_frame_without_directories():
    with ProcessPoolExecutor(1, mp_context=mp.get_context("fork")) as ex:
        with pytest.raises(ValueError) as info:
            ex.submit(fail_if, 3).result(timeout=10)
    text = remote_traceback(info.value)
    assert 'File ".../workloads.py"' in text and "in fail_if" in text
    assert text.endswith("ValueError: task 3 failed on purpose")
    assert "^^^" not in text and "/work/" not in text
    assert remote_traceback(ValueError("local")) == ""
