"""Worked solutions to lesson 01's exercises (Run work in other processes)."""

from __future__ import annotations

import multiprocessing as mp

from helpers.workloads import run_slice

#: Exercise 1: an uncaught exception ends the child the way ``sys.exit(1)`` does.
EXITCODE = 1


def count_vowels(text: str) -> int:
    """Exercise 2: how many vowels (a, e, i, o, u, in either case) ``text`` has.

    Runs in a worker process.
    """
    return sum(ch in "aeiouAEIOU" for ch in text)


def in_order(func, items: list) -> list:
    """Exercise 3: ``func(item)`` for each item, each in its own Process, in input order."""
    queue = mp.Queue()
    procs = [mp.Process(target=run_slice, args=(func, [item], i, queue))
             for i, item in enumerate(items)]
    for p in procs:
        p.start()
    parts = dict(queue.get(timeout=60) for _ in procs)  # index -> [result], any order
    for p in procs:
        p.join()
    queue.close()
    return [parts[i][0] for i in range(len(items))]
