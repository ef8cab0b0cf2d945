import sys

import pytest

from helpers.checks import lesson08

REFERENCE_PARTIAL = """
from concurrent.futures import ProcessPoolExecutor

from helpers.failures import parse_number


def run_all(texts):
    results, errors = {}, {}
    with ProcessPoolExecutor(2) as ex:
        futures = {ex.submit(parse_number, t): t for t in texts}
    for fut, text in futures.items():
        if fut.exception() is None:
            results[text] = fut.result()
        else:
            errors[text] = type(fut.exception()).__name__
    return results, errors
"""

STARTER_PARTIAL = """
from concurrent.futures import ProcessPoolExecutor

from helpers.failures import parse_number


def run_all(texts):
    with ProcessPoolExecutor(2) as ex:
        results = dict(zip(texts, ex.map(parse_number, texts)))
    return results, {}
"""

# A different right answer: a Pool, one apply_async per text, with an error_callback.
POOL_PARTIAL = """
import multiprocessing as mp

from helpers.failures import parse_number


def run_all(texts):
    results, errors = {}, {}
    with mp.get_context("spawn").Pool(2) as pool:
        pending = [pool.apply_async(parse_number, (t,),
                                    callback=lambda r, t=t: results.__setitem__(t, r),
                                    error_callback=lambda e, t=t: errors.__setitem__(
                                        t, type(e).__name__))
                   for t in texts]
        for p in pending:
            p.wait(10)
    return results, errors
"""

# The right values, but no worker process: a plain loop in the parent.
SERIAL_PARTIAL = """
from helpers.failures import parse_number


def run_all(texts):
    results, errors = {}, {}
    for t in texts:
        try:
            results[t] = parse_number(t)
        except Exception as exc:
            errors[t] = type(exc).__name__
    return results, errors
"""

# The same through the module, with threads: still the parent's process.
THREADS_PARTIAL = """
from concurrent.futures import ThreadPoolExecutor

import helpers.failures


def run_all(texts):
    results, errors = {}, {}
    with ThreadPoolExecutor(2) as ex:
        futures = {ex.submit(helpers.failures.parse_number, t): t for t in texts}
    for fut, text in futures.items():
        if fut.exception() is None:
            results[text] = fut.result()
        else:
            errors[text] = type(fut.exception()).__name__
    return results, errors
"""

REFERENCE_LOGGING = """
import logging
import logging.handlers


def init_worker(queue):
    root = logging.getLogger()
    root.handlers[:] = [logging.handlers.QueueHandler(queue)]
    root.setLevel(logging.INFO)
"""


@pytest.mark.parametrize("body", [REFERENCE_PARTIAL, POOL_PARTIAL])
def test_partial_right_answers_pass(learner, capsys, body):
    learner("my_partial", body)
    assert lesson08.check_partial() is True
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize("body", [SERIAL_PARTIAL, THREADS_PARTIAL])
def test_partial_without_processes_fails(learner, capsys, body):
    learner("my_partial", body)
    assert lesson08.check_partial() is False
    assert "not in a worker" in capsys.readouterr().out


def test_partial_restores_parse_number(learner):
    import helpers.failures

    original = helpers.failures.parse_number
    learner("my_partial", SERIAL_PARTIAL)
    lesson08.check_partial()
    assert helpers.failures.parse_number is original


@pytest.mark.parametrize("body, hint", [
    (STARTER_PARTIAL, "run_all raised ValueError"),
    ("def run_all(texts):\n    return {}, {}\n", "results for"),
    ("def run_all(texts):\n    return [1, 2]\n", "should return a pair"),
    (REFERENCE_PARTIAL.replace("type(fut.exception()).__name__", "str(fut.exception())"),
     "errors should map"),
])
def test_partial_wrong_answers_fail(learner, capsys, body, hint):
    learner("my_partial", body)
    assert lesson08.check_partial() is False
    assert hint in capsys.readouterr().out


BASICCONFIG_LOGGING = """
import logging
import logging.handlers


def init_worker(queue):
    logging.basicConfig(level=logging.INFO, force=True,
                        handlers=[logging.handlers.QueueHandler(queue)])
"""

# Six records of the right levels, made up by the initializer, not logged by the tasks.
FAKE_LOGGING = """
import logging


def init_worker(queue):
    if not hasattr(init_worker, "done"):
        init_worker.done = True
        for level, n in ((logging.INFO, 2), (logging.WARNING, 1)):
            for _ in range(n):
                queue.put(logging.makeLogRecord({"levelno": level,
                                                 "levelname": logging.getLevelName(level),
                                                 "msg": "made up"}))
"""


@pytest.mark.parametrize("body", [REFERENCE_LOGGING, BASICCONFIG_LOGGING])
def test_queue_logging_right_answers_pass(learner, capsys, body):
    learner("my_logging", body)
    assert lesson08.check_queue_logging() is True
    assert "all 6 records" in capsys.readouterr().out


def test_queue_logging_made_up_records_fail(learner, capsys):
    learner("my_logging", FAKE_LOGGING)
    assert lesson08.check_queue_logging() is False
    assert "not the ones log_task logged" in capsys.readouterr().out


@pytest.mark.parametrize("body, hint", [
    ("import logging\n\ndef init_worker(queue):\n    logging.basicConfig(level=logging.INFO)\n",
     "no record reached the parent"),
    (REFERENCE_LOGGING.replace("    root.setLevel(logging.INFO)\n", ""), "0 of 4 INFO"),
    ("def init_worker(queue):\n    raise RuntimeError('nope')\n", "failed"),
])
def test_queue_logging_wrong_answers_fail(learner, capsys, body, hint):
    learner("my_logging", body)
    assert lesson08.check_queue_logging() is False
    assert hint in capsys.readouterr().out


def test_missing_module_fails(capsys):
    sys.modules.pop("my_partial_absent", None)
    assert lesson08.check_partial("my_partial_absent") is False


def test_solutions_pass(capsys):
    assert lesson08.check_partial("helpers.solutions.lesson08") is True
    assert lesson08.check_queue_logging("helpers.solutions.lesson08") is True
