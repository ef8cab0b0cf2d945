import multiprocessing as mp
import os
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import pytest

from helpers import failures
from helpers.workloads import blas_threads, limit_blas_threads

FORK = "fork" in mp.get_all_start_methods()


def test_parse_number_doubles_and_raises_on_text():
    assert failures.parse_number("21") == 42
    with pytest.raises(ValueError, match="invalid literal"):
        failures.parse_number("x")


def test_die_if_returns_square_for_good_input():
    assert failures.die_if(4) == 16


def test_die_if_breaks_an_executor():
    with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as ex:
        with pytest.raises(BrokenProcessPool):
            ex.submit(failures.die_if, 3).result(timeout=30)


def test_timed_sleep_measures_and_rejects_negative():
    assert failures.timed_sleep(0.01) >= 0.01
    with pytest.raises(ValueError, match="at least 0"):
        failures.timed_sleep(-1)


def test_leaky_task_grows_its_process():
    # In a fresh worker: this process's allocator may hold freed memory from
    # earlier tests and hand it back without the resident size growing.
    ctx = mp.get_context("spawn")
    with ProcessPoolExecutor(1, mp_context=ctx) as ex:
        pid, first, held = ex.submit(failures.leaky_task, 0, 16).result(timeout=60)
        pid2, second, held_after = ex.submit(failures.leaky_task, 1, 16).result(timeout=60)
    assert pid == pid2 != os.getpid() and (held, held_after) == (1, 2)
    assert second - first > 8  # 16 MB more resident, allowing for the allocator
    with pytest.raises(ValueError, match="megabytes"):
        failures.leaky_task(0, megabytes=-1)


def test_global_changed_in_child_stays_unchanged_in_parent():
    before = list(failures.SEEN)
    with mp.get_context("spawn").Pool(1) as pool:
        assert pool.map(failures.append_to_global, [1, 2]) == [1, 2]
    assert failures.SEEN == before


def test_data_once_per_worker_matches_data_per_task():
    data = bytes(range(256)) * 4
    with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn"),
                             initializer=failures.store_data, initargs=(data,)) as ex:
        assert ex.submit(failures.count_in_stored, 7).result(timeout=30) == 4
    assert failures.count_in(data, 7) == 4


def test_count_in_stored_without_initializer_explains():
    with pytest.raises(RuntimeError, match="initializer=store_data"):
        failures.count_in_stored(0)


def test_put_payload_arrives_when_drained_before_join():
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    child = ctx.Process(target=failures.put_payload, args=(queue, 200_000))
    child.start()
    assert len(queue.get(timeout=30)) == 200_000
    child.join(timeout=30)
    assert child.exitcode == 0
    queue.close()
    queue.join_thread()


def test_use_lock_when_free():
    assert failures.use_lock() == "got the lock"


def test_blas_threads_can_be_limited_in_a_worker():
    with mp.get_context("spawn").Pool(1, initializer=limit_blas_threads) as pool:
        assert pool.apply(blas_threads) == 1
    assert failures.matmul_seconds(20, repeats=1) >= 0
