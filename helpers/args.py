"""Argument checks shared by every helper: one wording for each kind of mistake.

A wrong type raises ``TypeError`` and a wrong value raises ``ValueError``;
each message names the argument, says what is allowed, and shows what came
(``"workers must be at least 1, got 0"``). ``True`` and ``False`` are not
accepted as numbers, although ``bool`` is a subclass of ``int``: ``Pool(True)``
is almost always a mistake.
"""

from __future__ import annotations

import multiprocessing as mp
import sys
from collections.abc import Iterable

__all__ = ["START_METHODS", "check_choice", "check_int", "check_number", "check_start_method"]

START_METHODS = ("fork", "spawn", "forkserver")


def _type_error(name: str, kind: str, value: object) -> TypeError:
    return TypeError(f"{name} must be {kind}, got {type(value).__name__} {value!r}")


def check_int(name: str, value: object, minimum: int | None = None,
              maximum: int | None = None, allow_none: bool = False) -> int | None:
    """Return ``value`` if it is an int within ``minimum..maximum`` (either may be None).

    Raises:
        TypeError: not an int (a bool is not an int here), or None when not allowed.
        ValueError: below ``minimum`` or above ``maximum``.
    """
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise _type_error(name, "None or an int" if allow_none else "an int", value)
    _check_range(name, value, minimum, maximum)
    return value


def check_number(name: str, value: object, minimum: float | None = None,
                 maximum: float | None = None, positive: bool = False,
                 unit: str = "") -> float:
    """Return ``value`` if it is an int or a float within the bounds.

    Args:
        positive: the value must be greater than 0 (a timeout, a duration).
        unit: what the number counts, for the message ("seconds").

    Raises:
        TypeError: not an int or a float (a bool is not a number here).
        ValueError: not positive, below ``minimum`` or above ``maximum``, or NaN.
    """
    of = f" of {unit}" if unit else ""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _type_error(name, f"a number{of}", value)
    if value != value:  # NaN compares unequal to itself and passes every bound
        raise ValueError(f"{name} must be a number{of}, got {value!r}")
    if positive and value <= 0:
        raise ValueError(f"{name} must be a positive number{of}, got {value!r}")
    _check_range(name, value, minimum, maximum)
    return value


def check_choice(name: str, value: object, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of the strings ``choices``.

    Raises:
        TypeError: not a string.
        ValueError: a string that is not one of ``choices``.
    """
    choices = tuple(choices)
    listed = ", ".join(choices)
    if not isinstance(value, str):
        raise _type_error(name, f"a string, one of {listed}", value)
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; choose from {listed}")
    return value


def check_start_method(method: object) -> str:
    """Return ``method`` if this platform offers it, else raise an error naming the choices.

    Raises:
        TypeError: ``method`` is not a string.
        ValueError: it is not a start method, or not one this platform has
            (Windows has only spawn).
    """
    available = mp.get_all_start_methods()
    if method not in START_METHODS:
        check_choice("start method", method, available)
    if method not in available:
        raise ValueError(f"start method {method!r} is not available on {sys.platform}; "
                         f"choose from {', '.join(available)}")
    return method


def _check_range(name: str, value: float, minimum: float | None,
                 maximum: float | None) -> None:
    if minimum is not None and maximum is not None:
        if not minimum <= value <= maximum:
            raise ValueError(f"{name} must be between {minimum:,} and {maximum:,}, "
                             f"got {value!r}")
    elif minimum is not None and value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value!r}")
    elif maximum is not None and value > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {value!r}")
