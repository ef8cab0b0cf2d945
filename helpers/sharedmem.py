"""A NumPy array in shared memory that several processes read and write without copying.

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
import multiprocessing as mp
import os
import secrets
import statistics
import struct
import sys
import time
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from multiprocessing import resource_tracker, shared_memory
from typing import NamedTuple

import numpy as np

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
        raise ValueError(f"segment {shm.name!r} was not made by helpers.sharedmem."
                         "shared_array: attach to it with SharedMemory(name) instead")
    (length,) = struct.unpack("<I", raw[len(MAGIC):len(MAGIC) + 4])
    meta = json.loads(raw[len(MAGIC) + 4:len(MAGIC) + 4 + length])
    return tuple(meta["shape"]), np.dtype(meta["dtype"])


def _validate(shape: Sequence[int] | int, dtype) -> tuple[tuple[int, ...], np.dtype]:
    shape = (shape,) if isinstance(shape, int) else tuple(shape)
    if not shape or any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in shape):
        raise ValueError(f"shape must be one or more ints of at least 1, got {shape!r}")
    try:
        dtype = np.dtype(dtype)
    except TypeError as exc:
        raise TypeError(f"{dtype!r} is not a NumPy dtype (try 'float64' or 'int64')") from exc
    if dtype.hasobject:
        raise TypeError("an object dtype holds pointers into one process's memory; "
                        "shared memory needs a numeric dtype such as 'float64'")
    return shape, dtype


def _close(shm: shared_memory.SharedMemory) -> None:
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


def _open_borrowed(name: str) -> shared_memory.SharedMemory:
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
        _close(self._shm)

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
        shm = _open_borrowed(name)
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
        _close(shm)


def segment_exists(name: str) -> bool:
    """Whether a shared-memory segment of that name exists now (on any platform)."""
    try:
        shm = _open_borrowed(name)
    except FileNotFoundError:
        return False
    shm.close()
    return True


# --- workers ------------------------------------------------------------------------


def scale_rows(spec: SharedArraySpec, start: int, stop: int, factor: float) -> float:
    """Multiply rows ``start:stop`` of the shared array by ``factor`` in place.

    Returns the sum of those rows afterwards, as proof of what this worker saw.
    Nothing but ``spec`` (a name, a shape, a dtype) is pickled.
    Runs in a worker process.
    """
    with attach(spec) as arr:
        arr[start:stop] *= factor
        return float(arr[start:stop].sum())


def sum_segment(name: str, count: int) -> float:
    """Sum the first ``count`` float64 numbers of a plain ``SharedMemory`` segment.

    For segments made without ``shared_array`` (e.g. by ``SharedMemoryManager``),
    so there is no header: the caller must know dtype and length.
    Runs in a worker process.
    """
    shm = _open_borrowed(name)
    try:
        return float(np.ndarray((count,), "float64", buffer=shm.buf).sum())
    finally:
        _close(shm)


def fail_after_attach(spec: SharedArraySpec) -> None:
    """Attach, then raise: shows that cleanup still happens. Runs in a worker process."""
    with attach(spec) as arr:
        raise ValueError(f"worker failed on purpose after seeing {arr.size} numbers")


# --- moving a large array to a worker ----------------------------------------------


class Transfer(NamedTuple):
    """Median seconds to get ``nbytes`` into a worker (or into a copy) by one method."""

    method: str
    nbytes: int
    times: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    @property
    def fastest(self) -> float:
        """The fastest round: the one another program disturbed least."""
        return min(self.times)

    @property
    def mb_per_s(self) -> float:
        return self.nbytes / self.fastest / 1e6


TRANSFER_METHODS = ("pickle through a Queue", "copy into shared memory + name",
                    "shared memory, name only", "numpy.copyto in one process")


def receive_arrays(inbox, outbox) -> None:
    """Answer each message with ``(bytes seen, first, last)`` until ``None`` arrives.

    A message is an array (it came pickled) or a ``SharedArraySpec`` (only the
    name came; the data is read where it lies). Runs in a worker process.
    """
    while (msg := inbox.get()) is not None:
        if isinstance(msg, SharedArraySpec):
            with attach(msg) as arr:
                outbox.put((arr.nbytes, float(arr.flat[0]), float(arr.flat[-1])))
        else:
            outbox.put((msg.nbytes, float(msg.flat[0]), float(msg.flat[-1])))


def transfer_times(nbytes: int = 100 * 2**20, repeats: int = 3, ctx=None,
                   timer=time.perf_counter) -> list[Transfer]:
    """Time handing a float64 array of ``nbytes`` to one warm worker, by each method.

    The methods take turns in each of ``repeats`` rounds (interleaved), so a
    burst of other work slows them all alike; compare their ``fastest``.

    Every timed run ends when the worker has answered with the array's size
    and its first and last values (checked against the original), so a
    method cannot win by not delivering. Process start-up is not counted.
    ``numpy.copyto`` into a preallocated array is the physical limit: any
    method that moves the bytes must at least copy them once.

    Raises:
        ValueError: ``nbytes`` below 8 or ``repeats`` below 1.
        RuntimeError: the worker saw other data than was sent.
    """
    if isinstance(nbytes, bool) or not isinstance(nbytes, int) or nbytes < 8:
        raise ValueError(f"nbytes must be an int of at least 8, got {nbytes!r}")
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be an int of at least 1, got {repeats!r}")
    ctx = ctx or mp.get_context()
    data = np.arange(nbytes // 8, dtype="float64")
    expected = (data.nbytes, float(data[0]), float(data[-1]))
    times: dict[str, list[float]] = {m: [] for m in TRANSFER_METHODS}
    inbox, outbox = ctx.Queue(), ctx.Queue()
    worker = ctx.Process(target=receive_arrays, args=(inbox, outbox))
    worker.start()

    def ask(message, expected=expected) -> None:
        inbox.put(message)
        if outbox.get(timeout=60) != expected:
            raise RuntimeError("the worker saw other data than was sent")

    try:
        ask(data[:2], (16, 0.0, 1.0))  # warm-up: the worker has started and imported NumPy
        with shared_array(data.shape, data.dtype) as ready:  # data already lives there
            np.copyto(ready.array, data)
            target = np.empty_like(data)
            np.copyto(target, data)  # touch its pages now: a fresh page costs a fault
            for _ in range(repeats):
                for method in TRANSFER_METHODS:
                    start = timer()
                    if method == TRANSFER_METHODS[0]:
                        ask(data)
                    elif method == TRANSFER_METHODS[1]:
                        with shared_array(data.shape, data.dtype, fill=data) as owner:
                            ask(owner.spec)
                    elif method == TRANSFER_METHODS[2]:
                        ask(ready.spec)
                    else:
                        np.copyto(target, data)
                    times[method].append(timer() - start)
    finally:
        inbox.put(None)
        worker.join(timeout=10)
        if worker.is_alive():
            worker.terminate()
            worker.join()
    return [Transfer(m, data.nbytes, tuple(t)) for m, t in times.items()]


# --- what sharing costs per access ---------------------------------------------------


def update_costs(count: int = 500, ctx=None, timer=time.perf_counter) -> dict[str, float]:
    """Seconds per update of one shared number, by four ways of sharing it.

    A ``Manager`` dict proxy does ``d["n"] += 1`` as two round trips to the
    manager's process (a get, then a set); a queue round trip sends a number
    to a worker and waits for its answer; shared memory is a plain store to
    RAM that every attached process sees; a local dict is the baseline.
    Manager and worker start-up are not counted.
    """
    from helpers.messaging import round_trip

    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValueError(f"count must be an int of at least 1, got {count!r}")
    ctx = ctx or mp.get_context()

    def per_update(update) -> float:
        update()  # warm-up
        start = timer()
        for _ in range(count):
            update()
        return (timer() - start) / count

    local = {"n": 0}
    costs = {"dict in one process": per_update(lambda: local.__setitem__("n", local["n"] + 1))}
    with ctx.Manager() as manager:
        proxy = manager.dict(n=0)

        def bump_proxy() -> None:
            proxy["n"] += 1

        costs["Manager().dict() proxy"] = per_update(bump_proxy)
    costs["Queue round trip"] = round_trip("queue", count, ctx, timer)
    with shared_array(1, "int64") as owner:

        def bump_shared() -> None:
            owner.array[0] += 1

        costs["SharedMemory (NumPy)"] = per_update(bump_shared)
    return costs


# --- copy-on-write after fork --------------------------------------------------------


def private_bytes() -> int | None:
    """Bytes of this process's memory that no other process shares (Linux), else None."""
    try:
        with open("/proc/self/smaps_rollup") as f:
            text = f.read()
    except OSError:
        return None
    fields = dict(line.split(":", 1) for line in text.splitlines()[1:] if ":" in line)
    return sum(int(fields[k].split()[0]) * 1024 for k in ("Private_Dirty",) if k in fields)


def touch_and_measure(data, results) -> None:
    """Read every element of ``data``; put how many bytes this process copied on ``results``.

    Under fork the child starts sharing all of its parent's pages. Reading a
    Python list still *writes*: each element's reference count goes up and
    down, so every page holding an element is copied. Reading a NumPy array
    touches only its data buffer, which no one writes. Runs in a worker process.
    """
    before = private_bytes()
    if isinstance(data, np.ndarray):
        float(data.sum())
    else:
        for _ in data:
            pass
    after = private_bytes()
    results.put(None if before is None or after is None else after - before)


def copied_after_fork(data) -> int | None:
    """Bytes a fork child copies just by reading ``data``; None where fork or /proc is missing."""
    if "fork" not in mp.get_all_start_methods() or private_bytes() is None:
        return None
    ctx = mp.get_context("fork")
    results = ctx.Queue()
    with warnings.catch_warnings():
        # 3.12+ warns that fork() in a multi-threaded process (every Jupyter
        # kernel) may deadlock (gh-100228); this child only reads and exits.
        warnings.simplefilter("ignore", DeprecationWarning)
        proc = ctx.Process(target=touch_and_measure, args=(data, results))
        proc.start()
    try:
        return results.get(timeout=30)
    finally:
        proc.join(timeout=10)
        if proc.is_alive():
            proc.terminate()
            proc.join()
