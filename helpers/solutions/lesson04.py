"""Worked solutions to lesson 04's exercises (start methods and pickling)."""

from __future__ import annotations


def square_plus_one(x: int) -> int:
    """Exercise 1: ``x * x + 1``, defined at the top level of a module so it pickles by
    name. Runs in a worker process."""
    return x * x + 1


#: Exercise 2: a class pickles by reference even when its instances cannot; a
#: partial pickles its function (by reference) and its arguments.
PREDICTIONS = {
    "square (from helpers)": True,
    "lambda x: x * x": False,
    "a nested function": False,
    "functools.partial(square)": True,
    "LockedCounter().add": False,
    "the class LockedCounter": True,
    "a list of 1,000 floats": True,
    "a generator": False,
}
