"""Tests for helpers.sharedmem: lesson 06's workers on shared arrays, and the probes."""

from __future__ import annotations

import multiprocessing as mp

import numpy as np
import pytest

from helpers import sharedarray as sa
from helpers import sharedmem as sm

CTX = mp.get_context("spawn")


def test_workers_change_the_owners_array_in_place():
    data = np.arange(12.0).reshape(4, 3)
    with sa.shared_array(data.shape, "float64", fill=data) as owner:
        with CTX.Pool(2) as pool:
            sums = pool.starmap(sm.scale_rows, [(owner.spec, 0, 2, 10.0),
                                                (owner.spec, 2, 4, 10.0)])
        pool.join()
        assert np.array_equal(owner.array, data * 10)
        assert sums == [float((data[:2] * 10).sum()), float((data[2:] * 10).sum())]
        name = owner.name
    assert not sa.segment_exists(name)


def test_segment_is_unlinked_even_when_a_worker_fails():
    with pytest.raises(ValueError, match="failed on purpose"):
        with sa.shared_array(100) as owner:
            name = owner.name
            with CTX.Pool(1) as pool:
                pool.apply(sm.fail_after_attach, (owner.spec,))
    pool.join()
    assert not sa.segment_exists(name)


def test_transfer_times_delivers_every_method_with_an_injected_clock():
    clock = iter(range(1000))
    records = sm.transfer_times(8 * 1000, repeats=2, ctx=CTX, timer=lambda: next(clock))
    assert [r.method for r in records] == list(sm.TRANSFER_METHODS)
    assert all(r.nbytes == 8000 and len(r.times) == 2 and r.median == 1 for r in records)


@pytest.mark.skipif(sm.private_bytes() is None, reason="needs Linux /proc")
def test_reading_a_list_after_fork_copies_pages_and_an_array_does_not():
    listed = sm.copied_after_fork(list(range(10**6, 10**6 + 300_000)))
    array = sm.copied_after_fork(np.arange(300_000))
    assert listed > 4 * 1024 * 1024  # ~10 MB of int objects had their refcounts written
    assert array < listed / 4
