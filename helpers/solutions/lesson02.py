"""Worked solutions to lesson 02's exercises (Pool)."""

from __future__ import annotations

PREFIX = None  # set in each worker by setup()


def pool_default_chunksize(tasks: int, workers: int) -> int:
    """Exercise 1: the chunksize ``Pool.map`` picks for ``tasks`` items on ``workers``."""
    chunksize, extra = divmod(tasks, workers * 4)
    return chunksize + 1 if extra else chunksize


def setup(prefix: str) -> None:
    """Exercise 2: remember ``prefix``. Runs once in each worker process, when it starts."""
    global PREFIX  # without it, PREFIX = ... makes a local variable
    PREFIX = prefix


def tag(x: object) -> str:
    """Exercise 2: the prefix ``setup`` stored, then ``x``. Runs in a worker process."""
    return f"{PREFIX}{x}"
