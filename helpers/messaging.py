"""Workers that talk through queues and pipes, and a probe that measures how fast.

Every worker here is a top-level function, so it can be started with any
start method, and it **returns or sends** its results; none of them prints.
A worker that reads from a queue stops when it receives ``SENTINEL`` (None):
one sentinel per worker, because each worker consumes exactly one.

``throughput`` measures messages per second and MB/s through a ``Queue`` or
a ``Pipe``; ``helpers.plots.throughput_bars`` draws what it returns.
``round_trip`` times one request and its answer, and ``update_costs``
(lesson 06) sets it beside a Manager proxy and a shared array.
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from helpers.args import check_choice, check_int
from helpers.plumbing import stop_process
from helpers.sharedarray import shared_array

SENTINEL = None
KINDS = ("queue", "pipe")

# --- results back through a queue -------------------------------------------------


def put_square(queue, x: int) -> None:
    """Put ``(x, x * x)`` on ``queue``: the classic first queue example.

    Runs in a worker process.
    """
    queue.put((x, x * x))


def put_blob(queue, index: int, nbytes: int) -> None:
    """Put ``(index, <nbytes zero bytes>)`` on ``queue``.

    A payload larger than the pipe's buffer (64 KiB on Linux) cannot be fully
    written until someone reads it, so this process cannot exit before the
    parent calls ``get``: the deadlock the docs warn about ("Joining processes
    that use queues", multiprocessing programming guidelines).
    Runs in a worker process.
    """
    queue.put((index, bytes(nbytes)))


def square_worker(inbox, outbox) -> None:
    """Take numbers from ``inbox`` until ``SENTINEL``; put ``(x, x * x)`` on ``outbox``.

    Works with ``Queue`` and ``SimpleQueue`` alike. Runs in a worker process.
    """
    while (x := inbox.get()) is not SENTINEL:
        outbox.put((x, x * x))


def joinable_worker(tasks, results) -> None:
    """Like ``square_worker`` on a ``JoinableQueue``: call ``task_done`` once per ``get``.

    ``tasks.join()`` in the parent returns when every item put on ``tasks``
    has been marked done, the sentinels included. Runs in a worker process.
    """
    while True:
        x = tasks.get()
        try:
            if x is SENTINEL:
                return
            results.put((x, x * x))
        finally:
            tasks.task_done()


# --- a pipeline: produce -> square (several workers) -> sum ---------------------


def produce(outbox, n: int, consumers: int) -> None:
    """Put ``0 .. n-1`` on ``outbox``, then one ``SENTINEL`` per consumer.

    The first stage of a pipeline. Runs in a worker process.
    """
    for x in range(n):
        outbox.put(x)
    for _ in range(consumers):
        outbox.put(SENTINEL)


def map_stage(func: Callable, inbox, outbox) -> None:
    """Apply ``func`` to each item until ``SENTINEL``, then pass one ``SENTINEL`` on.

    A middle stage; several copies can share one inbox. Runs in a worker process.
    """
    while (x := inbox.get()) is not SENTINEL:
        outbox.put(func(x))
    outbox.put(SENTINEL)


def sum_stage(inbox, results, upstream: int) -> None:
    """Add up items until ``upstream`` sentinels arrived; put the total on ``results``.

    The last stage: it must count one sentinel per worker of the stage before
    it, or it would stop while others are still sending. Runs in a worker process.
    """
    total, done = 0, 0
    while done < upstream:
        x = inbox.get()
        if x is SENTINEL:
            done += 1
        else:
            total += x
    results.put(total)


# --- pipes ---------------------------------------------------------------------------


def pipe_squarer(conn) -> None:
    """On a duplex connection: receive numbers until ``SENTINEL``, send back their squares.

    Runs in a worker process.
    """
    while (x := conn.recv()) is not SENTINEL:
        conn.send(x * x)
    conn.close()


def pipe_sender(conn, n: int) -> None:
    """On the sending end of a one-way pipe: send ``0 .. n-1``, then ``SENTINEL``.

    Runs in a worker process.
    """
    for x in range(n):
        conn.send(x)
    conn.send(SENTINEL)
    conn.close()


# --- queues and pools ------------------------------------------------------------------

_pool_queue = None


def put_on(queue, x: int) -> int:
    """Put ``x * x`` on ``queue`` and return ``x``. Runs in a pool worker."""
    queue.put(x * x)
    return x


def set_pool_queue(queue) -> None:
    """Pool initializer: keep ``queue`` in this worker for ``put_on_pool_queue``.

    Arguments of an initializer travel when the worker is created, which is
    the one moment a plain ``Queue`` may be pickled. Runs in a pool worker.
    """
    global _pool_queue
    _pool_queue = queue


def put_on_pool_queue(x: int) -> int:
    """Put ``x * x`` on the queue the initializer stored; return ``x``. Runs in a pool worker."""
    if _pool_queue is None:
        raise RuntimeError("no queue here: create the Pool with initializer=set_pool_queue")
    _pool_queue.put(x * x)
    return x


# --- throughput ------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    """How fast ``count`` messages of ``size`` bytes went through one channel."""

    kind: str
    size: int
    count: int
    seconds: float

    @property
    def messages_per_s(self) -> float:
        return self.count / self.seconds

    @property
    def mb_per_s(self) -> float:
        return self.count * self.size / self.seconds / 1e6

    def line(self) -> str:
        return (f"{self.kind:<5} {_size_label(self.size):>6} x {self.count:<5} "
                f"{self.seconds * 1000:8.1f} ms  {self.messages_per_s:9.0f} msg/s  "
                f"{self.mb_per_s:8.1f} MB/s")


def _size_label(size: int) -> str:
    for unit, scale in (("MB", 10**6), ("kB", 10**3)):
        if size >= scale:
            return f"{size / scale:g} {unit}"
    return f"{size} B"


def sink(kind: str, channel, count: int, rounds: int, done) -> None:
    """``rounds`` times: say ready, receive ``count`` messages, say how many bytes came.

    The far end of ``throughput``. Runs in a worker process.
    """
    receive = channel.recv if kind == "pipe" else channel.get
    reply = channel.send if kind == "pipe" else done.put
    for _ in range(rounds):
        reply("ready")
        seen = 0
        for _ in range(count):
            seen += len(receive())
        reply(seen)


ANSWER_TIMEOUT = 60.0  # seconds; a child that died must not leave the parent waiting forever


def _pipe_answer(conn, proc_alive: Callable[[], bool]) -> object:
    deadline = time.monotonic() + ANSWER_TIMEOUT
    while not conn.poll(0.2):
        if not proc_alive() or time.monotonic() > deadline:
            raise RuntimeError("the child process stopped answering (did it fail to start?)")
    return conn.recv()


def _queue_answer(q, proc_alive: Callable[[], bool]) -> object:
    deadline = time.monotonic() + ANSWER_TIMEOUT
    while True:
        try:
            return q.get(timeout=0.2)
        except queue.Empty:
            if not proc_alive() or time.monotonic() > deadline:
                raise RuntimeError(
                    "the child process stopped answering (did it fail to start?)") from None


def _channel(kind: str, ctx, proc_alive: Callable[[], bool]):
    """(send, answer, far end, done queue) for one probe; answers never wait forever."""
    if kind == "queue":
        channel, done = ctx.Queue(), ctx.Queue()
        return channel.put, lambda: _queue_answer(done, proc_alive), channel, done
    near, far = ctx.Pipe()
    return near.send, lambda: _pipe_answer(near, proc_alive), far, None


def throughput(kind: str, size: int, count: int, ctx=None, repeats: int = 3,
               timer: Callable[[], float] = time.perf_counter) -> Rate:
    """Send ``count`` messages of ``size`` bytes to one child; return the median ``Rate``.

    Each of the ``repeats`` rounds starts its clock after the child said it is
    ready (process start-up is not counted) and stops when the child confirmed
    it received every byte.

    Raises:
        TypeError, ValueError: unknown ``kind``, or ``size``/``count``/``repeats``
            not an int of at least 1.
    """
    check_choice("kind", kind, KINDS)
    for name, value in (("size", size), ("count", count), ("repeats", repeats)):
        check_int(name, value, minimum=1)
    ctx = ctx or mp.get_context()
    payload = bytes(size)
    procs: list = []
    send, answer, far, done = _channel(kind, ctx, lambda: procs[0].is_alive())
    proc = ctx.Process(target=sink, args=(kind, far, count, repeats, done))
    procs.append(proc)
    proc.start()
    times = []
    try:
        for _ in range(repeats):
            answer()  # "ready"
            start = timer()
            for _ in range(count):
                send(payload)
            seen = answer()
            times.append(timer() - start)
            if seen != size * count:
                raise RuntimeError(f"the child received {seen} bytes, expected {size * count}")
    finally:
        stop_process(proc)
    return Rate(kind, size, count, statistics.median(times))


def round_trip(kind: str, count: int = 1000, ctx=None,
               timer: Callable[[], float] = time.perf_counter) -> float:
    """Mean time of one request and its answer, over ``count`` round trips.

    A duplex ``Pipe`` to ``pipe_squarer``, or two queues to ``square_worker``.
    Start-up is not counted: one warm-up round trip comes first.
    """
    check_choice("kind", kind, KINDS)
    check_int("count", count, minimum=1)
    ctx = ctx or mp.get_context()
    if kind == "pipe":
        near, far = ctx.Pipe()
        proc = ctx.Process(target=pipe_squarer, args=(far,))
        ask, get = near.send, near.recv
    else:
        inbox, outbox = ctx.Queue(), ctx.Queue()
        proc = ctx.Process(target=square_worker, args=(inbox, outbox))
        ask, get = inbox.put, outbox.get
    first = _pipe_answer if kind == "pipe" else _queue_answer
    proc.start()
    try:
        ask(1)
        first(near if kind == "pipe" else outbox, proc.is_alive)  # started and answering
        start = timer()
        for x in range(count):
            ask(x)
            get()
        seconds = (timer() - start) / count
        ask(SENTINEL)
    finally:
        stop_process(proc)
    return seconds


# --- what sharing costs per access ---------------------------------------------------


def update_costs(count: int = 500, ctx=None, timer=time.perf_counter) -> dict[str, float]:
    """Seconds per update of one shared number, by four ways of sharing it.

    A ``Manager`` dict proxy does ``d["n"] += 1`` as two round trips to the
    manager's process (a get, then a set); a queue round trip sends a number
    to a worker and waits for its answer; shared memory is a plain store to
    RAM that every attached process sees; a local dict is the baseline.
    Manager and worker start-up are not counted.
    """
    check_int("count", count, minimum=1)
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
