"""Worked solutions to lesson 10's exercises (beyond pools).

The lesson's solution cells run the checks on these; they never write to the
learner's ``my_vector.py`` or ``my_dask.py``.
"""

from __future__ import annotations

import numpy as np

from helpers.alternatives import MAX_EXACT_N
from helpers.workloads import cpu_task


def sum_of_squares(n: int) -> int:
    """Exercise 1: the sum of ``i * i`` for ``i`` in ``range(n)``, exact, with NumPy.

    An int64 holds the sum up to ``n = MAX_EXACT_N``; above it the sum would
    wrap around silently, so this raises instead.

    Raises:
        ValueError: ``n`` is above ``MAX_EXACT_N``.
    """
    if n > MAX_EXACT_N:
        raise ValueError(f"n must be at most {MAX_EXACT_N:,} for an exact int64 sum, got {n:,}")
    values = np.arange(n, dtype=np.int64)
    return int(np.dot(values, values))


def submit_all(client, sizes):
    """Exercise 2: one Dask task of ``cpu_task`` per size, repeated sizes included.

    ``pure=False`` gives every call a key of its own, so equal calls all run.
    """
    return client.map(cpu_task, sizes, pure=False)


#: Exercise 3: the tool the decision guide leads to for each situation.
CHOICES = {
    "fetch 500 web pages": "threads",
    "square and sum a million floats already in a NumPy array": "numpy",
    "a loop with an if/else per element that NumPy cannot express": "numba",
    "run 16 independent pure-Python simulations on your laptop": "pool",
    "run 10,000 one-hour simulations on the 40 machines of your lab": "dask",
}
