"""Worked solutions to lesson 03's exercises (ProcessPoolExecutor)."""

from __future__ import annotations

from concurrent.futures import as_completed

from helpers.bench import pool_chunksize


def collect(executor, func, inputs) -> dict:
    """Exercise 1: ``{x: func(x)}``, filled with ``as_completed`` as the tasks finish."""
    futures = {executor.submit(func, x): x for x in inputs}
    return {futures[f]: f.result() for f in as_completed(futures)}


def fast_map(executor, func, items, workers: int) -> list:
    """Exercise 2: ``executor.map`` with Pool's chunksize rule (about 4 chunks per worker)."""
    items = list(items)
    return list(executor.map(func, items, chunksize=pool_chunksize(len(items), workers)))


def results_or_errors(executor, func, inputs) -> list:
    """Exercise 3: each task's result, or ``"ExcType: message"`` where it raised."""
    out = []
    for future in [executor.submit(func, x) for x in inputs]:
        try:
            out.append(future.result())
        except Exception as exc:
            out.append(f"{type(exc).__name__}: {exc}")
    return out
