
import pytest

from helpers.checks import lesson04

RIGHT = """
def square_plus_one(x):
    return x * x + 1
"""

WRONG = {
    "lambda": "square_plus_one = lambda x: x * x + 1\n",
    "wrong value": "def square_plus_one(x):\n    return x * x\n",
    "missing": "def something_else(x):\n    return x\n",
    "syntax": "def square_plus_one(x)\n    return x\n",
}


def test_the_reference_worker_passes_under_spawn(learner, capsys):
    learner("my_worker_ok", RIGHT)
    assert lesson04.check_worker("my_worker_ok") is True
    assert capsys.readouterr().out.startswith("✅ Correct:")


@pytest.mark.parametrize("kind", WRONG)
def test_wrong_workers_fail_with_a_hint(learner, capsys, kind):
    learner(f"my_worker_{kind.replace(' ', '_')}", WRONG[kind])
    assert lesson04.check_worker(f"my_worker_{kind.replace(' ', '_')}") is False
    out = capsys.readouterr().out
    assert out.startswith("❌ Not yet:")
    if kind == "lambda":
        assert "cannot be sent to a worker process" in out
    if kind == "wrong value":
        assert "expected [1, 10, 5, 101]" in out


def right_predictions():
    return {"square (from helpers)": True, "lambda x: x * x": False, "a nested function": False,
            "functools.partial(square)": True, "LockedCounter().add": False,
            "the class LockedCounter": True, "a list of 1,000 floats": True,
            "a generator": False}


def test_right_predictions_pass(capsys):
    assert lesson04.actual_picklability() == right_predictions()
    assert lesson04.check_predictions(right_predictions()) is True
    assert "✅ Correct: all 8" in capsys.readouterr().out


def test_wrong_or_unfinished_predictions_fail(capsys):
    everything = dict.fromkeys(right_predictions(), True)
    assert lesson04.check_predictions(everything) is False
    out = capsys.readouterr().out
    assert "4 of 8 wrong" in out and "a generator" in out and "square (from" not in out
    unfinished = dict.fromkeys(right_predictions(), ...)
    assert lesson04.check_predictions(unfinished) is False
    assert "answer True or False" in capsys.readouterr().out
    assert lesson04.check_predictions(["lambda"]) is False
