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

REFERENCE_LOGGING = """
import logging
import logging.handlers


def init_worker(queue):
    root = logging.getLogger()
    root.handlers[:] = [logging.handlers.QueueHandler(queue)]
    root.setLevel(logging.INFO)
"""


def test_partial_reference_passes(learner, capsys):
    learner("my_partial", REFERENCE_PARTIAL)
    assert lesson08.check_partial() is True
    assert "Correct" in capsys.readouterr().out


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


def test_queue_logging_reference_passes(learner, capsys):
    learner("my_logging", REFERENCE_LOGGING)
    assert lesson08.check_queue_logging() is True
    assert "all 6 records" in capsys.readouterr().out


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
