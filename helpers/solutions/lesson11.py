"""Worked solutions to lesson 11's exercises (the collapsed solution cells check these)."""

from __future__ import annotations

import multiprocessing as mp

import numpy as np

from helpers import realjob as rj


def summarise_folder(paths, workers):
    """Exercise 1: chunks of files on a pool, merged in the parent."""
    chunks = rj.chunked(paths, max(1, len(paths) // (workers * 4)))
    with mp.Pool(workers) as pool:
        return rj.merge(pool.imap_unordered(rj.parse_chunk, chunks))


def make_tasks(seed, points, workers):
    """Exercise 2: 16 tasks whatever ``workers`` is, one child SeedSequence each."""
    tasks = 16
    children = np.random.SeedSequence(seed).spawn(tasks)
    sizes = [points // tasks + (i < points % tasks) for i in range(tasks)]
    return list(zip(children, sizes, strict=True))


def run_lookups(table, tasks, workers):
    """Exercise 3: the table in shared memory, attached once per worker (any start method)."""
    with rj.shared_table(table) as spec, mp.Pool(workers, rj.attach_table, (spec,)) as pool:
        return pool.map(rj.lookup_kept, tasks)
