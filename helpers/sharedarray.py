"""A NumPy array in shared memory that several processes read and write without copying.

The reusable library behind lesson 06 (its demos live in ``helpers.sharedmem``).

``shared_array`` (in the owner) and ``attach`` (in a worker) wrap
``multiprocessing.shared_memory.SharedMemory`` in the one pattern the course
uses everywhere::

    with shared_array((1000, 1000), "float64") as owner:   # create
        pool.map(worker, [owner.spec] * 4)                 # share by name
    # here the segment is closed and unlinked, even if a worker failed

    def worker(spec):                                      # in helpers, or my_*.py
        with attach(spec) as arr:                          # attach, use, close
            return float(arr.sum())

Rules (docs, multiprocessing.shared_memory): every process that opened a
segment calls ``close()``; exactly one, the owner, calls ``unlink()``, which
removes the name from ``/dev/shm``. The segment starts with a small header
holding the dtype and shape, so that attaching with the wrong dtype or shape
is a clear ``ValueError`` rather than garbage numbers.
"""

from __future__ import annotations

import json
import os
import secrets
import struct
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from multiprocessing import resource_tracker, shared_memory
from typing import NamedTuple

import numpy as np

from helpers.args import check_int

PREFIX = "course_"
MAGIC = b"MPCOURSE"
HEADER = 128  # bytes; a multiple of 64 keeps the data aligned for every dtype


class SharedArraySpec(NamedTuple):
    """What a worker needs to find a shared array: small and cheap to pickle."""

    name: str
    shape: tuple[int, ...]
    dtype: str


def _header(shape: tuple[int, ...], dtype: np.dtype) -> bytes:
    meta = json.dumps({"dtype": dtype.str, "shape": list(shape)}).encode()
    if len(meta) > HEADER - len(MAGIC) - 4:
        raise ValueError(f"shape {shape} has too many dimensions for the header")
    return MAGIC + struct.pack("<I", len(meta)) + meta


def _read_header(shm: shared_memory.SharedMemory) -> tuple[tuple[int, ...], np.dtype]:
    raw = bytes(shm.buf[:HEADER]) if shm.size >= HEADER else b""
    if not raw.startswith(MAGIC):
        raise ValueError(f"segment {shm.name!r} was not made by helpers.sharedarray."
                         "shared_array: attach to it with SharedMemory(name) instead")
    (length,) = struct.unpack("<I", raw[len(MAGIC):len(MAGIC) + 4])
    meta = json.loads(raw[len(MAGIC) + 4:len(MAGIC) + 4 + length])
    return tuple(meta["shape"]), np.dtype(meta["dtype"])


def _validate(shape: Sequence[int] | int, dtype) -> tuple[tuple[int, ...], np.dtype]:
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if not shape:
        raise ValueError("shape must have at least one dimension, got ()")
    for i, n in enumerate(shape):
        check_int(f"shape[{i}]", n, minimum=1)
    try:
        dtype = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"{dtype!r} is not a NumPy dtype (try 'float64' or 'int64')") from exc
    if dtype.hasobject:
        raise TypeError("an object dtype holds pointers into one process's memory; "
                        "shared memory needs a numeric dtype such as 'float64'")
    return shape, dtype


def close_segment(shm: shared_memory.SharedMemory) -> None:
    """Close our handle; the memory stays mapped while a NumPy view of it is alive.

    ``SharedMemory.close()`` unmaps at once. NumPy 2 keeps a reference to the
    mmap but no buffer export, so ``close()`` succeeds even while arrays still
    point into the mapping, and touching them afterwards crashes the process
    (a segmentation fault). With NumPy 1, ``close()`` raises ``BufferError:
    cannot close exported pointers exist`` instead. So we only drop *our*
    references and close the file descriptor: the mmap object unmaps itself
    when its last user, ours or an array, goes away, which is at once if none
    is left.
    """
    buf, shm._buf = shm._buf, None
    if buf is not None:
        try:
            buf.release()
        except BufferError:
            pass  # arrays made on shm.buf keep the memoryview, and it the mmap
    shm._mmap = None
    shm.close()  # only the file descriptor is left to close


def open_segment(name: str) -> shared_memory.SharedMemory:
    """Open an existing segment without making this process responsible for it.

    Before 3.13, opening a segment registers it with a resource tracker. A
    worker that shares its parent's tracker (spawn children, and fork children
    started after the tracker) only repeats the owner's registration, which is
    harmless. A process without a tracker would start its own, and that one
    would unlink the owner's segment and warn "leaked shared_memory objects"
    when this process exits (gh-82300). Python 3.13 added ``track=False`` for
    this; before it, we skip the registration in that one case.
    """
    if sys.version_info >= (3, 13):
        return shared_memory.SharedMemory(name=name, track=False)
    tracker = resource_tracker._resource_tracker
    if os.name != "posix" or getattr(tracker, "_fd", None) is not None:
        return shared_memory.SharedMemory(name=name)
    register = resource_tracker.register
    resource_tracker.register = lambda *args: None
    try:
        return shared_memory.SharedMemory(name=name)
    finally:
        resource_tracker.register = register


class SharedArray:
    """The owner's handle: the array, its ``spec`` for workers, and ``close``/``unlink``."""

    def __init__(self, shape: Sequence[int] | int, dtype="float64") -> None:
        shape, dtype = _validate(shape, dtype)
        nbytes = int(np.prod(shape)) * dtype.itemsize
        name = PREFIX + secrets.token_hex(6)
        self._shm = shared_memory.SharedMemory(name=name, create=True, size=HEADER + nbytes)
        self._shm.buf[:HEADER] = _header(shape, dtype).ljust(HEADER, b"\0")
        self.spec = SharedArraySpec(name, shape, dtype.str)
        self.array = np.ndarray(shape, dtype, buffer=self._shm.buf, offset=HEADER)
        self._unlinked = False

    @property
    def name(self) -> str:
        return self.spec.name

    def close(self) -> None:
        """Stop using the segment in this process (it stays in /dev/shm)."""
        self.array = None
        close_segment(self._shm)

    def unlink(self) -> None:
        """Remove the segment's name; it is freed when every process has closed it."""
        if not self._unlinked:
            self._unlinked = True
            self._shm.unlink()


@contextmanager
def shared_array(shape: Sequence[int] | int, dtype="float64",
                 fill: float | np.ndarray | None = None) -> Iterator[SharedArray]:
    """Create a shared array, give its handle, then close and unlink it whatever happens.

    Args:
        shape: the array's shape, e.g. ``(1000,)`` or ``(100, 100)``.
        dtype: a numeric NumPy dtype.
        fill: a value or an array to copy in (``numpy.copyto``); default zeros.
    """
    owner = SharedArray(shape, dtype)
    try:
        owner.array[...] = 0 if fill is None else fill
        yield owner
    finally:
        owner.unlink()  # first: even if close fails, /dev/shm is clean
        owner.close()


@contextmanager
def attach(spec: SharedArraySpec | str, shape: Sequence[int] | int | None = None,
           dtype=None) -> Iterator[np.ndarray]:
    """Open a shared array made by ``shared_array``; close it (never unlink) on exit.

    ``spec`` is the owner's ``.spec``, or just a name (then ``shape`` and
    ``dtype`` are read from the segment). A ``shape`` or ``dtype`` given here,
    or in the spec, must match what the owner created.

    Raises:
        FileNotFoundError: no segment of that name (never created, or already unlinked).
        ValueError: the segment holds another dtype or shape, or was not made here.
    """
    if isinstance(spec, SharedArraySpec):
        name, shape, dtype = spec.name, spec.shape, spec.dtype
    elif isinstance(spec, str):
        name = spec
    else:
        raise TypeError(f"attach needs a SharedArraySpec or a name, got {type(spec).__name__}")
    try:
        shm = open_segment(name)
    except FileNotFoundError:
        raise FileNotFoundError(
            f"no shared-memory segment named {name!r}: it was never created, or its owner "
            "already unlinked it (did the owner's `with shared_array(...)` block end?)"
        ) from None
    try:
        real_shape, real_dtype = _read_header(shm)
        want_shape = real_shape if shape is None else _validate(shape, "u1")[0]
        want_dtype = real_dtype if dtype is None else np.dtype(dtype)
        if (want_shape, want_dtype) != (real_shape, real_dtype):
            raise ValueError(
                f"segment {name!r} holds {real_dtype.name} of shape {real_shape}, "
                f"not {want_dtype.name} of shape {want_shape}: pass the owner's .spec")
        arr = np.ndarray(real_shape, real_dtype, buffer=shm.buf, offset=HEADER)
        yield arr
    finally:
        arr = None
        close_segment(shm)


def segment_exists(name: str) -> bool:
    """Whether a shared-memory segment of that name exists now (on any platform)."""
    try:
        shm = open_segment(name)
    except FileNotFoundError:
        return False
    shm.close()
    return True
