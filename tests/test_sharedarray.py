"""Tests for helpers.sharedarray: the owner and attach pattern, cleanup, clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import sharedarray as sa
from helpers import sharedmem as sm


def test_close_survives_views_that_outlive_the_block():
    with sa.shared_array(10, "int64", fill=7) as owner:
        view = owner.array[2:5]
        with sa.attach(owner.spec) as arr:
            kept = arr  # still referenced after attach closed its handle
    assert view.tolist() == [7, 7, 7] and int(kept.sum()) == 70  # still mapped, no error
    assert not sa.segment_exists(owner.name)


def test_attach_by_name_reads_shape_and_dtype_from_the_header():
    with sa.shared_array((3, 2), "int32", fill=5) as owner:
        with sa.attach(owner.name) as arr:
            assert arr.shape == (3, 2) and arr.dtype == np.int32 and int(arr.sum()) == 30


def test_attach_errors_name_what_is_wrong():
    with pytest.raises(FileNotFoundError, match="never created, or its owner already unlinked"):
        with sa.attach("course_does_not_exist"):
            pass
    with sa.shared_array((4, 4), "float64") as owner:
        with pytest.raises(ValueError, match=r"holds float64 of shape \(4, 4\), not int32"):
            with sa.attach(owner.spec._replace(dtype="int32")):
                pass
        with pytest.raises(ValueError, match=r"not float64 of shape \(16,\)"):
            with sa.attach(owner.name, shape=16):
                pass
    with pytest.raises(TypeError, match="SharedArraySpec or a name"):
        with sa.attach(42):
            pass


def test_a_foreign_segment_is_refused():
    from multiprocessing import shared_memory

    raw = shared_memory.SharedMemory(create=True, size=256)
    try:
        with pytest.raises(ValueError, match="not made by helpers.sharedarray"):
            with sa.attach(raw.name):
                pass
        assert sm.sum_segment(raw.name, 4) == 0.0  # the demo reads it without the header
    finally:
        raw.close()
        raw.unlink()


@pytest.mark.parametrize(("shape", "dtype", "error"), [
    ((0,), "float64", ValueError), ((2, -1), "float64", ValueError),
    (3, "not-a-dtype", TypeError), (3, object, TypeError),
])
def test_shared_array_rejects_bad_shapes_and_dtypes(shape, dtype, error):
    with pytest.raises(error):
        sa.SharedArray(shape, dtype)


def test_a_bool_or_float_in_a_shape_is_a_type_error():
    with pytest.raises(TypeError, match=r"shape\[1\] must be an int, got float 2.0"):
        sa.SharedArray((3, 2.0))
    with pytest.raises(ValueError, match="shape must have at least one dimension"):
        sa.SharedArray(())
