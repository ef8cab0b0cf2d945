"""Checks for lesson 08 (failures, timeouts and logging)."""

from __future__ import annotations

from helpers.checks import feedback, get_function
from helpers.sandbox import here_env, run_snippet

PARTIAL_INPUTS = ["1", "x", "3", "oops", "5"]
PARTIAL_EXPECTED = ({"1": 2, "3": 6, "5": 10}, {"x": "ValueError", "oops": "ValueError"})

# Runs in a separate process (spawned workers' stderr would otherwise reach the
# notebook in JupyterLab but not under nbval). Prints one line: the record count.
_LOGGING_SCRIPT = """
import multiprocessing as mp
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
"""


def check_partial(module: str = "my_partial") -> bool:
    """``run_all(texts)`` returns ``(results, errors)`` and loses no good result."""
    run_all = get_function(module, "run_all")
    if run_all is None:
        return False
    try:
        answer = run_all(list(PARTIAL_INPUTS))
    except Exception as exc:
        return feedback(False, "", f"run_all raised {type(exc).__name__}: {exc}. One failing "
                        "task must not stop the others: submit each text and ask each "
                        "future for its exception().")
    if not (isinstance(answer, tuple) and len(answer) == 2):
        return feedback(False, "", "run_all should return a pair (results, errors), "
                        f"got {answer!r}.")
    results, errors = answer
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
    outcome = run_snippet(_LOGGING_SCRIPT.format(module=module), timeout=timeout,
                          env=here_env())
    if outcome.timed_out:
        return feedback(False, "", f"the workers did not finish within {timeout:g} s.")
    counts = [line.split()[1:] for line in outcome.stdout.splitlines()
              if line.startswith("records")]
    if outcome.returncode != 0 or not counts:
        last = (outcome.stderr.strip().splitlines() or ["no output"])[-1]
        return feedback(False, "", f"the pool with your initializer failed: {last}")
    info, warning = map(int, counts[0])
    if info == 4 and warning == 2:
        return feedback(True, "all 6 records of 4 tasks reached the parent's listener.", "")
    if info == warning == 0:
        return feedback(False, "", "no record reached the parent: add a "
                        "logging.handlers.QueueHandler(queue) to the root logger.")
    return feedback(False, "", f"the parent got {info} of 4 INFO and {warning} of 2 WARNING "
                    "records: set the root logger's level to logging.INFO, and add the "
                    "QueueHandler only once.")
