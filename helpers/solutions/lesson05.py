"""Worked solutions to lesson 05's exercises (queues and pipes)."""

from __future__ import annotations

import multiprocessing as mp

from helpers.messaging import put_blob


def square_stage(inbox, outbox) -> None:
    """Exercise 1: square numbers until None, then pass one None on.

    The next stage counts one None per worker of this stage. Runs in a worker process.
    """
    while (x := inbox.get()) is not None:
        outbox.put(x * x)
    outbox.put(None)


def collect_blobs(sizes: list[int]) -> list[int]:
    """Exercise 2: one process per size puts a blob; drain the queue first, then join."""
    q = mp.Queue()
    procs = [mp.Process(target=put_blob, args=(q, i, size)) for i, size in enumerate(sizes)]
    for p in procs:
        p.start()
    received = dict(q.get() for _ in procs)  # drain first: they arrive in any order
    for p in procs:
        p.join()  # then join: every child has handed its blob over
    return [len(received[i]) for i in range(len(sizes))]
