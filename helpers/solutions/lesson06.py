"""Worked solutions to lesson 06's exercises (shared state).

The lesson's solution cells run the checks on these functions; they never
write to the learner's ``my_counter.py`` or ``my_scale.py``.
"""

from __future__ import annotations

from helpers.sharedarray import attach


def add_many(counter, times: int) -> None:
    """Exercise 1: add 1 to ``counter.value`` ``times`` times, losing no update.

    The read and the write of each ``+= 1`` happen under one lock, so no
    other process can write in between. Runs in a worker process.
    """
    for _ in range(times):
        with counter.get_lock():
            counter.value += 1


def double_in_place(spec) -> None:
    """Exercise 2: double a shared array where it lies.

    ``arr *= 2`` writes into the attached array; ``arr = arr * 2`` would make
    a new, private array and leave the shared one as it was. Runs in a worker
    process.
    """
    with attach(spec) as arr:
        arr *= 2
