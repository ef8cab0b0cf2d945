"""Lesson 04's checks: a right answer, a different right one, a wrong value, a wrong way."""

import pytest

from helpers.checks import lesson04
from helpers.solutions import lesson04 as solution

RIGHT = """
def square_plus_one(x):
    return x ** 2 + 1
"""

WRONG_VALUE = "def square_plus_one(x):\n    return x * x\n"

WRONG_WAY = {
    # Right values, but no worker can find these functions by name.
    "lambda": "square_plus_one = lambda x: x * x + 1\n",
    "nested": ("def make():\n    def inner(x):\n        return x * x + 1\n    return inner\n\n"
               "square_plus_one = make()\n"),
}

BROKEN = {
    "missing": "def something_else(x):\n    return x\n",
    "syntax": "def square_plus_one(x)\n    return x\n",
}


def test_worker_right_answers_pass(learner, capsys):
    assert lesson04.check_worker(solution.square_plus_one) is True
    assert lesson04.check_worker(solution) is True
    learner("my_worker_ok", RIGHT)
    assert lesson04.check_worker("my_worker_ok") is True
    assert capsys.readouterr().out.count("✅ Correct:") == 3


def test_worker_wrong_value_fails(learner, capsys):
    learner("my_worker_value", WRONG_VALUE)
    assert lesson04.check_worker("my_worker_value") is False
    assert "expected [1, 10, 5, 101]" in capsys.readouterr().out


@pytest.mark.parametrize("kind", WRONG_WAY)
def test_worker_that_cannot_be_sent_fails(learner, capsys, kind):
    learner(f"my_worker_{kind}", WRONG_WAY[kind])
    assert lesson04.check_worker(f"my_worker_{kind}") is False
    out = capsys.readouterr().out
    assert out.startswith("❌ Not yet:") and "cannot be sent to a worker process" in out


@pytest.mark.parametrize("kind", BROKEN)
def test_broken_modules_fail_with_a_hint(learner, capsys, kind):
    learner(f"my_worker_{kind}", BROKEN[kind])
    assert lesson04.check_worker(f"my_worker_{kind}") is False
    assert capsys.readouterr().out.startswith("❌ Not yet:")


def test_right_predictions_pass(capsys):
    assert lesson04.actual_picklability() == solution.PREDICTIONS
    assert lesson04.check_predictions(solution.PREDICTIONS) is True
    # The same answers, listed in another order.
    assert lesson04.check_predictions(dict(reversed(solution.PREDICTIONS.items()))) is True
    assert capsys.readouterr().out.count("✅ Correct: all 8") == 2


def test_wrong_predictions_fail(capsys):
    everything = dict.fromkeys(solution.PREDICTIONS, True)
    assert lesson04.check_predictions(everything) is False
    out = capsys.readouterr().out
    assert "4 of 8 wrong" in out and "a generator" in out and "square (from" not in out


def test_unfinished_or_wrongly_typed_predictions_fail(capsys):
    unfinished = dict.fromkeys(solution.PREDICTIONS, ...)
    assert lesson04.check_predictions(unfinished) is False
    assert "answer True or False" in capsys.readouterr().out
    as_numbers = {k: int(v) for k, v in solution.PREDICTIONS.items()}  # 1 == True, but no
    assert lesson04.check_predictions(as_numbers) is False
    assert "answer True or False" in capsys.readouterr().out
    assert lesson04.check_predictions(["lambda"]) is False
