"""Lesson 06's demos of sharing state: workers on a shared array, and what sharing costs.

Workers that scale rows of a shared array in place, sum a plain segment, or
fail after attaching (cleanup still happens); the time to hand a large array
to a worker by each method; and the pages a fork child copies just by
reading. The shared-array library itself is ``helpers.sharedarray``; what a
shared update costs, next to a queue round trip, is ``helpers.messaging.update_costs``.
"""

from __future__ import annotations

import multiprocessing as mp
import statistics
import time
import warnings
from typing import NamedTuple

import numpy as np

from helpers.args import check_int
from helpers.plumbing import stop_process
from helpers.sharedarray import SharedArraySpec, attach, close_segment, open_segment, shared_array

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
    shm = open_segment(name)
    try:
        return float(np.ndarray((count,), "float64", buffer=shm.buf).sum())
    finally:
        close_segment(shm)


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
    def mb_per_s(self) -> float:
        return self.nbytes / self.median / 1e6


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

    Every timed run ends when the worker has answered with the array's size
    and its first and last values (checked against the original), so a
    method cannot win by not delivering. Process start-up is not counted.
    ``numpy.copyto`` into a preallocated array is the physical limit: any
    method that moves the bytes must at least copy them once.

    Raises:
        TypeError, ValueError: ``nbytes`` not an int of at least 8, or ``repeats`` below 1.
        RuntimeError: the worker saw other data than was sent.
    """
    check_int("nbytes", nbytes, minimum=8)
    check_int("repeats", repeats, minimum=1)
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
        stop_process(worker)
    return [Transfer(m, data.nbytes, tuple(t)) for m, t in times.items()]


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
        stop_process(proc)
