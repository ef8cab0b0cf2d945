"""Worked solutions to lesson 07's exercises (performance lab).

Each function is what the learner writes into their own ``my_*.py``; the
lesson's collapsed solution cell runs the check on it, so the learner's file
is never touched.
"""

from __future__ import annotations

import math

from helpers.costmodel import predict_time

CANDIDATES = [1, 2, 4, 8, 16, 32, 64, 128, 256]


def best_chunksize(ov, task_seconds, tasks, workers):
    """Exercise 1: the candidate the model predicts fastest; min() keeps the first of a tie."""
    return min(CANDIDATES, key=lambda c: predict_time(ov, task_seconds, "pool", workers, c, tasks))


def usable(cpu_count, affinity, quota):
    """Exercise 2: the smallest known count, a quota rounded up, never less than 1."""
    known = [c for c in (cpu_count, affinity) if c]
    if quota is not None:
        known.append(max(1, math.ceil(quota)))
    return max(1, min(known)) if known else 1


def one_thread():
    """Exercise 3: a Pool initializer; threadpoolctl limits BLAS even when it is loaded.

    Runs in a worker process. Its return value need not be kept: the limit
    stays until something else changes it.
    """
    import numpy  # noqa: F401  (threadpoolctl limits only libraries already loaded)
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=1)
