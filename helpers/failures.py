"""Workers that fail on purpose, for lessons 08 (failures) and 09 (pitfalls).

Each one shows one way a task goes wrong: it raises, it kills its own
process, it leaks memory, it runs past a timeout, it mutates a global the
parent never sees, it takes a lock. All are top-level functions of an
importable module, so they work under every start method, and all return
their results; none prints.
"""

from __future__ import annotations

import os
import signal
import threading
import time

import psutil

from helpers.args import check_int, check_number

#: Memory that ``leaky_task`` keeps on purpose, one block per call (per process).
_LEAKED: list[bytes] = []

#: A module-level list a child appends to; the parent's copy never changes.
SEEN: list[int] = []

#: A lock a thread of the parent may hold while a child is forked (lesson 09).
LOCK = threading.Lock()

#: Data an initializer stores once per worker (lesson 09: send big objects once).
_DATA: bytes | None = None


def _parse_digits(text: str) -> int:
    return int(text)  # the line a worker traceback points at


def parse_number(text: str) -> int:
    """Return ``int(text) * 2``; raises ValueError for text that is not a number.

    Demonstrates an exception inside a worker, two calls deep, so that the
    worker's traceback has something to show. Runs in a worker process.
    """
    return _parse_digits(text) * 2


def die_if(x: int, bad: int = 3, code: int = 1) -> int:
    """Return ``x * x``, but end the whole worker process with ``os._exit(code)`` when ``x == bad``.

    ``os._exit`` skips every ``except`` and ``finally``: to the pool it looks
    like a crash, an out-of-memory kill or a segfault. Runs in a worker process.
    """
    if x == bad:
        os._exit(code)
    return x * x


def kill_self(_: object = None) -> int:
    """Send SIGKILL to the process this runs in, as the kernel's OOM killer would.

    Never returns. Runs in a worker process.
    """
    os.kill(os.getpid(), signal.SIGKILL)
    time.sleep(10)  # not reached: SIGKILL cannot be caught
    return os.getpid()


def timed_sleep(seconds: float) -> float:
    """Sleep ``seconds`` and return how long the task really ran, measured inside the worker.

    Shows that a parent's timeout does not stop a task. Runs in a worker process.
    """
    check_number("seconds", seconds, minimum=0)
    start = time.perf_counter()
    time.sleep(seconds)
    return time.perf_counter() - start


def leaky_task(x: int, megabytes: int = 8) -> tuple[int, float, int]:
    """Keep ``megabytes`` MB alive; return ``(pid, resident MB, blocks this process holds)``.

    A stand-in for a library that leaks a little on every call: the worker
    grows until it is replaced (``maxtasksperchild`` / ``max_tasks_per_child``).
    Runs in a worker process.
    """
    check_int("megabytes", megabytes, minimum=0)
    _LEAKED.append(b"x" * (megabytes * 2**20))  # b"x" * n writes every page, so RSS grows
    return os.getpid(), psutil.Process().memory_info().rss / 2**20, len(_LEAKED)


def append_to_global(x: int) -> int:
    """Append ``x`` to the module's ``SEEN`` list and return its new length.

    The list that grows is the child's copy: the parent's ``SEEN`` stays as it
    was. Runs in a worker process.
    """
    SEEN.append(x)
    return len(SEEN)


def hold_lock(seconds: float) -> None:
    """Hold ``LOCK`` for ``seconds``; the parent runs this in a thread (lesson 09)."""
    with LOCK:
        time.sleep(seconds)


def use_lock(_: object = None) -> str:
    """Take ``LOCK`` and release it; return "got the lock".

    After a fork while another thread held it, the child's copy is locked
    forever and this blocks. Runs in a worker process.
    """
    with LOCK:
        return "got the lock"


def store_data(data: bytes) -> None:
    """Initializer: keep ``data`` in this worker, once. Runs in a worker process."""
    global _DATA
    _DATA = data


def count_in(data: bytes, byte: int) -> int:
    """How many times ``byte`` occurs in ``data`` (data sent with every task).

    Runs in a worker process.
    """
    return data.count(byte)


def count_in_stored(byte: int) -> int:
    """Like ``count_in``, on the data ``store_data`` kept (sent once per worker).

    Runs in a worker process.
    """
    if _DATA is None:
        raise RuntimeError("no data in this worker: pass initializer=store_data, initargs=(data,)")
    return _DATA.count(byte)


def put_payload(queue, nbytes: int) -> None:
    """Put ``nbytes`` bytes on ``queue``. Runs in a worker process.

    A payload bigger than the pipe's buffer (64 KiB on Linux) keeps the
    child's feeder thread writing until someone reads: join the child before
    draining the queue and both wait forever (multiprocessing docs,
    "Joining processes that use queues").
    """
    queue.put(b"x" * nbytes)


def matmul_seconds(n: int = 400, repeats: int = 3) -> float:
    """Multiply two ``n`` x ``n`` matrices ``repeats`` times; return the seconds it took.

    BLAS runs this on several threads of its own. Runs in a worker process.
    """
    import numpy as np

    rng = np.random.default_rng(0)
    a, b = rng.random((n, n)), rng.random((n, n))
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return time.perf_counter() - start
