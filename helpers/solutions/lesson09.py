"""Worked solutions to lesson 09's exercises (pitfalls).

The lesson's solution cells run the checks on these; they never write to the
learner's ``my_script.py`` or ``my_once.py``.
"""

from __future__ import annotations

#: Exercise 1: the script, guarded. Under spawn each child imports the main
#: script again; the guard keeps the pool from starting again in every child.
MAIN_GUARD_SCRIPT = """\
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor

from helpers.workloads import square

if __name__ == "__main__":
    with ProcessPoolExecutor(2, mp_context=mp.get_context("spawn")) as ex:
        print(list(ex.map(square, range(5))))
"""

_data = b""


def init(data: bytes) -> None:
    """Exercise 2: keep ``data`` in this worker, once. A pool initializer.

    Runs in a worker process.
    """
    global _data
    _data = data


def count(byte: int) -> int:
    """Exercise 2: count ``byte`` in the data ``init`` stored. Runs in a worker process."""
    return _data.count(byte)
