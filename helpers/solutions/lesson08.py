"""Worked solutions to lesson 08's exercises (failures and logging).

The lesson's solution cells run the checks on these functions; they never
write to the learner's ``my_partial.py`` or ``my_logging.py``.
"""

from __future__ import annotations

import logging
import logging.handlers
from concurrent.futures import ProcessPoolExecutor

from helpers.failures import parse_number


def run_all(texts: list[str]) -> tuple[dict, dict]:
    """Exercise 1: run ``parse_number`` on every text in 2 workers; keep every result.

    One future per text: a failing task leaves the others' results intact.
    Returns ``({text: result}, {text: exception type name})``.
    """
    results, errors = {}, {}
    with ProcessPoolExecutor(2) as ex:
        futures = {ex.submit(parse_number, t): t for t in texts}
    for fut, text in futures.items():
        if fut.exception() is None:
            results[text] = fut.result()
        else:
            errors[text] = type(fut.exception()).__name__
    return results, errors


def init_worker(queue) -> None:
    """Exercise 2: send every record of this worker (INFO and above) to ``queue``.

    A pool initializer. Runs in a worker process.
    """
    root = logging.getLogger()
    root.handlers[:] = [logging.handlers.QueueHandler(queue)]
    root.setLevel(logging.INFO)
