"""Checks for lesson 08 (failures, timeouts and logging)."""

from __future__ import annotations

import os
import sys

from helpers import failures
from helpers.checks import feedback, get_function
from helpers.sandbox import here_env, run_snippet

# The pid of the process that runs check_partial, for parse_number_in_worker.
# An environment variable, because workers inherit it under every start method.
_PARENT_VAR = "COURSE_CHECK_PARENT_PID"


_parse_number = failures.parse_number  # the real one, while the check swaps it out


class RanInParent(Exception):
    """parse_number ran in the checking process itself, not in a worker."""


def parse_number_in_worker(text: str) -> int:
    """``parse_number``, which refuses to run in the process that runs the check.

    The check puts it in place of ``parse_number`` so that an answer that
    never starts a worker (a plain loop, threads) shows itself. Runs in a
    worker process.
    """
    if os.environ.get(_PARENT_VAR) == str(os.getpid()):
        raise RanInParent("parse_number ran in the notebook's own process")
    return _parse_number(text)

PARTIAL_INPUTS = ["1", "x", "3", "oops", "5"]
PARTIAL_EXPECTED = ({"1": 2, "3": 6, "5": 10}, {"x": "ValueError", "oops": "ValueError"})

# Runs in a separate process (spawned workers' stderr would otherwise reach the
# notebook in JupyterLab but not under nbval). Prints one line: the record count.
_LOGGING_SCRIPT = """
import multiprocessing as mp, os
from concurrent.futures import ProcessPoolExecutor
from helpers.logs import listening, log_task
from {module} import init_worker

if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    with listening(queue) as collected:
        with ProcessPoolExecutor(2, mp_context=ctx, initializer=init_worker,
                                 initargs=(queue,)) as ex:
            print("results", list(ex.map(log_task, range(4))))
    levels = sorted(r.levelname for r in collected.records)
    print("records", levels.count("INFO"), levels.count("WARNING"))
    # A formatter in the worker may put the level or logger name in front.
    messages = sorted(r.getMessage() for r in collected.records)
    print("messages", all(any(m.endswith(e) for m in messages) for e in {expected!r}))
    print("from workers", all(r.process != os.getpid() for r in collected.records))
"""
# What helpers.logs.log_task logs for inputs 0..3.
EXPECTED_MESSAGES = ["task 0 started", "task 1 started", "task 1: odd input",
                     "task 2 started", "task 3 started", "task 3: odd input"]


def check_partial(module: str = "my_partial") -> bool:
    """``run_all(texts)`` returns ``(results, errors)`` and loses no good result."""
    run_all = get_function(module, "run_all")
    if run_all is None:
        return False
    learner_module = sys.modules[module]
    # parse_number_in_worker in place of parse_number, however the answer refers to it.
    swapped = [(m, "parse_number", getattr(m, "parse_number", None))
               for m in (learner_module, failures) if hasattr(m, "parse_number")]
    for m, name, _ in swapped:
        setattr(m, name, parse_number_in_worker)
    os.environ[_PARENT_VAR] = str(os.getpid())
    try:
        answer = run_all(list(PARTIAL_INPUTS))
    except RanInParent:
        answer = RanInParent
    except Exception as exc:
        return feedback(False, "", f"run_all raised {type(exc).__name__}: {exc}. One failing "
                        "task must not stop the others: submit each text and ask each "
                        "future for its exception().")
    finally:
        os.environ.pop(_PARENT_VAR, None)
        for m, name, original in swapped:
            setattr(m, name, original)
    in_parent = ("parse_number ran in this process, not in a worker: submit each text to "
                 "a ProcessPoolExecutor(2).")
    if answer is RanInParent:
        return feedback(False, "", in_parent)
    if not (isinstance(answer, tuple) and len(answer) == 2):
        return feedback(False, "", "run_all should return a pair (results, errors), "
                        f"got {answer!r}.")
    results, errors = answer
    if isinstance(errors, dict) and "RanInParent" in map(str, errors.values()):
        return feedback(False, "", in_parent)
    if results != PARTIAL_EXPECTED[0]:
        return feedback(False, "", f"results for {PARTIAL_INPUTS} should be "
                        f"{PARTIAL_EXPECTED[0]!r}, got {results!r}.")
    if errors != PARTIAL_EXPECTED[1]:
        return feedback(False, "", f"errors should map each failed text to its exception's type "
                        f"name, {PARTIAL_EXPECTED[1]!r}; got {errors!r}.")
    return feedback(True, "every good result kept, every failure named.", "")


def check_queue_logging(module: str = "my_logging", timeout: float = 30.0) -> bool:
    """``init_worker(queue)`` sends each spawned worker's INFO+ records to the parent's queue."""
    if get_function(module, "init_worker") is None:
        return False
    script = _LOGGING_SCRIPT.format(module=module, expected=sorted(EXPECTED_MESSAGES))
    outcome = run_snippet(script, timeout=timeout,
                          env=here_env())
    if outcome.timed_out:
        return feedback(False, "", f"the workers did not finish within {timeout:g} s.")
    counts = [line.split()[1:] for line in outcome.stdout.splitlines()
              if line.startswith("records")]
    if outcome.returncode != 0 or not counts:
        last = (outcome.stderr.strip().splitlines() or ["no output"])[-1]
        return feedback(False, "", f"the pool with your initializer failed: {last}")
    info, warning = map(int, counts[0])
    same_messages = "messages True" in outcome.stdout
    from_workers = "from workers True" in outcome.stdout
    if info == 4 and warning == 2 and same_messages and from_workers:
        return feedback(True, "all 6 records of 4 tasks reached the parent's listener.", "")
    if info == 4 and warning == 2:
        return feedback(False, "", "6 records arrived, but not the ones log_task logged in "
                        "the workers: let the QueueHandler pass on the workers' own records.")
    if info == warning == 0:
        return feedback(False, "", "no record reached the parent: add a "
                        "logging.handlers.QueueHandler(queue) to the root logger.")
    return feedback(False, "", f"the parent got {info} of 4 INFO and {warning} of 2 WARNING "
                    "records: set the root logger's level to logging.INFO, and add the "
                    "QueueHandler only once.")
