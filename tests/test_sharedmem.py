"""Tests for helpers.sharedmem: zero-copy sharing, cleanup, clear errors, the probes."""

from __future__ import annotations

import multiprocessing as mp

import numpy as np
import pytest

from helpers import sharedmem as sm

CTX = mp.get_context("spawn")


def test_workers_change_the_owners_array_in_place():
    data = np.arange(12.0).reshape(4, 3)
    with sm.shared_array(data.shape, "float64", fill=data) as owner:
        with CTX.Pool(2) as pool:
            sums = pool.starmap(sm.scale_rows, [(owner.spec, 0, 2, 10.0),
                                                (owner.spec, 2, 4, 10.0)])
        pool.join()
        assert np.array_equal(owner.array, data * 10)
        assert sums == [float((data[:2] * 10).sum()), float((data[2:] * 10).sum())]
        name = owner.name
    assert not sm.segment_exists(name)


def test_segment_is_unlinked_even_when_a_worker_fails():
    with pytest.raises(ValueError, match="failed on purpose"):
        with sm.shared_array(100) as owner:
            name = owner.name
            with CTX.Pool(1) as pool:
                pool.apply(sm.fail_after_attach, (owner.spec,))
    pool.join()
    assert not sm.segment_exists(name)


def test_close_survives_views_that_outlive_the_block():
    with sm.shared_array(10, "int64", fill=7) as owner:
        view = owner.array[2:5]
        with sm.attach(owner.spec) as arr:
            kept = arr  # still referenced after attach closed its handle
    assert view.tolist() == [7, 7, 7] and int(kept.sum()) == 70  # still mapped, no error
    assert not sm.segment_exists(owner.name)


def test_attach_by_name_reads_shape_and_dtype_from_the_header():
    with sm.shared_array((3, 2), "int32", fill=5) as owner:
        with sm.attach(owner.name) as arr:
            assert arr.shape == (3, 2) and arr.dtype == np.int32 and int(arr.sum()) == 30


def test_attach_errors_name_what_is_wrong():
    with pytest.raises(FileNotFoundError, match="never created, or its owner already unlinked"):
        with sm.attach("course_does_not_exist"):
            pass
    with sm.shared_array((4, 4), "float64") as owner:
        with pytest.raises(ValueError, match=r"holds float64 of shape \(4, 4\), not int32"):
            with sm.attach(owner.spec._replace(dtype="int32")):
                pass
        with pytest.raises(ValueError, match=r"not float64 of shape \(16,\)"):
            with sm.attach(owner.name, shape=16):
                pass
    with pytest.raises(TypeError, match="SharedArraySpec or a name"):
        with sm.attach(42):
            pass


def test_a_foreign_segment_is_refused():
    from multiprocessing import shared_memory

    raw = shared_memory.SharedMemory(create=True, size=256)
    try:
        with pytest.raises(ValueError, match="not made by helpers.sharedmem"):
            with sm.attach(raw.name):
                pass
        assert sm.sum_segment(raw.name, 4) == 0.0
    finally:
        raw.close()
        raw.unlink()


@pytest.mark.parametrize(("shape", "dtype", "error"), [
    ((0,), "float64", ValueError), ((2, -1), "float64", ValueError),
    (3, "not-a-dtype", TypeError), (3, object, TypeError),
])
def test_shared_array_rejects_bad_shapes_and_dtypes(shape, dtype, error):
    with pytest.raises(error):
        sm.SharedArray(shape, dtype)


def test_transfer_times_delivers_every_method_with_an_injected_clock():
    clock = iter(range(1000))
    records = sm.transfer_times(8 * 1000, repeats=2, ctx=CTX, timer=lambda: next(clock))
    assert [r.method for r in records] == list(sm.TRANSFER_METHODS)
    assert all(r.nbytes == 8000 and len(r.times) == 2 and r.median == 1 for r in records)


def test_update_costs_reports_all_four_ways():
    costs = sm.update_costs(5, CTX)
    assert set(costs) == {"dict in one process", "Manager().dict() proxy",
                          "Queue round trip", "SharedMemory (NumPy)"}
    assert all(c > 0 for c in costs.values())


@pytest.mark.skipif(sm.private_bytes() is None, reason="needs Linux /proc")
def test_reading_a_list_after_fork_copies_pages_and_an_array_does_not():
    listed = sm.copied_after_fork(list(range(10**6, 10**6 + 300_000)))
    array = sm.copied_after_fork(np.arange(300_000))
    assert listed > 4 * 1024 * 1024  # ~10 MB of int objects had their refcounts written
    assert array < listed / 4
