"""Process pools under asyncio, and inputs too large to submit at once.

``gather_bounded`` runs many tasks in an executor from asyncio with a
semaphore as back-pressure; ``bounded_map`` is the same idea without asyncio:
an ``Executor.map`` that never holds more than ``limit`` tasks, for Python
3.10-3.13 (3.14 adds ``Executor.map(..., buffersize=)``, gh-74028).
``Executor.map`` submits the whole input before it returns, and ``Pool.imap``
reads ahead as fast as its workers go (python/cpython#101586): ``upfront``
measures how much of a generator each has pulled when the first result arrives.
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import threading
import time
import tracemalloc
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass


def jittery_square(x: int) -> int:
    """``x * x`` after a short wait that differs by ``x``, so tasks finish out of order.

    Every fourth task (0, 4, 8, ...) waits 40 ms, the others 2 ms. Runs in a worker process.
    """
    time.sleep(0.04 if x % 4 == 0 else 0.002)
    return x * x


class Counted:
    """An iterator over ``range(n)`` that counts how many items were taken from it."""

    def __init__(self, n: int) -> None:
        self.n, self.pulled = n, 0

    def __iter__(self) -> Counted:
        return self

    def __next__(self) -> int:
        if self.pulled >= self.n:
            raise StopIteration
        self.pulled += 1
        return self.pulled - 1


class Watched(Executor):
    """An executor seen through a counter: how many tasks were submitted and in flight.

    ``submit`` passes each task on (``map`` is ``Executor``'s, which calls
    ``submit``); a task is in flight from its submission until it finishes.
    ``peak`` is the most that were in flight at once.
    """

    def __init__(self, executor: Executor) -> None:
        self.executor = executor
        self.submitted = self.peak = 0
        self._live: set[Future] = set()
        self._lock = threading.Lock()

    @property
    def in_flight(self) -> int:
        """Tasks submitted and not finished yet."""
        with self._lock:
            self._live = {f for f in self._live if not f.done()}
            return len(self._live)

    def submit(self, fn: Callable, /, *args, **kwargs) -> Future:
        # A future is done as soon as its result is set, before its waiters
        # wake: counting with done() (not a done-callback, which runs after
        # them) never counts a finished task as still in flight.
        future = self.executor.submit(fn, *args, **kwargs)
        with self._lock:
            self.submitted += 1
            self._live = {f for f in self._live if not f.done()}
            self._live.add(future)
            self.peak = max(self.peak, len(self._live))
        return future


async def gather_bounded(executor: Executor, fn: Callable, items: Iterable,
                         limit: int) -> tuple[list, int]:
    """``fn(x)`` for every item in ``executor``, at most ``limit`` at a time, from asyncio.

    Returns the results in input order and the most tasks that were in flight at once.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    loop = asyncio.get_running_loop()
    gate = asyncio.Semaphore(limit)
    in_flight = peak = 0

    async def one(x):
        nonlocal in_flight, peak
        async with gate:  # waits here while `limit` tasks are running
            in_flight += 1
            peak = max(peak, in_flight)
            try:
                return await loop.run_in_executor(executor, fn, x)
            finally:
                in_flight -= 1

    return list(await asyncio.gather(*(one(x) for x in items))), peak


def bounded_map(executor: Executor, fn: Callable, items: Iterable, limit: int) -> Iterator:
    """Like ``executor.map(fn, items)``, in order, but with at most ``limit`` tasks submitted.

    Takes the next item only when the oldest result has been handed out, so a
    generator of a million items is never held in memory. Leaving the loop
    early cancels the tasks still waiting.
    """
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit}")
    pending: deque[Future] = deque()
    try:
        for x in items:
            pending.append(executor.submit(fn, x))
            if len(pending) >= limit:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        for future in pending:
            future.cancel()


def imap_read_ahead(n: int = 200_000, wait: float = 0.2, processes: int = 2) -> int:
    """How many of ``n`` items ``Pool.imap`` takes while its reader takes one result and waits.

    The pool (spawn) is terminated and dropped before returning, so no queue
    or semaphore of it outlives the call.
    """
    items = Counted(n)
    with mp.get_context("spawn").Pool(processes) as pool:
        results = pool.imap(abs, items, chunksize=1)
        next(results)
        time.sleep(wait)  # a slow reader
        pulled = items.pulled
    del results, pool
    return pulled


@dataclass(frozen=True)
class Upfront:
    """What a map had taken from its input, and the memory it held, at its first result."""

    n: int
    pulled: int
    peak_bytes: int
    seconds: float


def upfront(make_iter: Callable[[Iterable], Iterator], n: int) -> Upfront:
    """Start ``make_iter(input)`` on a counted input of ``n`` items and take one result.

    ``peak_bytes`` is the most memory Python allocated meanwhile (tracemalloc,
    every thread). The iterator is then closed, which cancels what is left.
    """
    items = Counted(n)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        results = make_iter(items)
        next(results)
        seconds = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    close = getattr(results, "close", None)
    if close is not None:
        close()
    return Upfront(n, items.pulled, peak, seconds)
