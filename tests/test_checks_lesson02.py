"""Lesson 02's checks: a right answer, a different right one, a wrong value, a wrong way."""

from helpers.checks import lesson02
from helpers.solutions import lesson02 as solution

OTHER_RIGHT_SETUP = """
    import sys

    def setup(prefix):
        sys.modules[__name__].stored = prefix

    def tag(x):
        return stored + str(x)
"""

WRONG_SETUP = """
    PREFIX = None

    def setup(prefix):
        PREFIX = prefix  # a local: the module's PREFIX stays None

    def tag(x):
        return f"{PREFIX}{x}"
"""

HARD_CODED = """
    def setup(prefix):
        pass

    def tag(x):
        return f"item-{x}"
"""

CONSTANT = """
    PREFIX = "item-"

    def setup(prefix):
        pass

    def tag(x):
        return PREFIX + str(x)
"""


def test_chunksize_formula_right_answers_pass(capsys):
    assert lesson02.check_chunksize(solution.pool_default_chunksize) is True
    assert lesson02.check_chunksize(lambda tasks, workers: -(-tasks // (workers * 4))) is True
    assert capsys.readouterr().out.count("✅ Correct:") == 2


def test_chunksize_formula_wrong_values_fail(capsys):
    assert lesson02.check_chunksize(lambda tasks, workers: tasks // (workers * 4)) is False
    out = capsys.readouterr().out
    assert out.startswith("❌ Not yet:") and "divmod" in out
    assert lesson02.check_chunksize(lambda tasks, workers: tasks // workers) is False
    assert lesson02.check_chunksize(lambda tasks, workers: 1 / 0) is False
    assert "ZeroDivisionError" in capsys.readouterr().out


def test_chunksize_formula_wrong_kind_fails(capsys):
    # Right numbers as floats: Pool.map would reject chunksize=2500.0.
    assert lesson02.check_chunksize(
        lambda tasks, workers: float(solution.pool_default_chunksize(tasks, workers))) is False


def test_initializer_right_answers_pass(learner, capsys):
    assert lesson02.check_initializer(solution) is True
    assert lesson02.check_initializer(learner("my_setup_other", OTHER_RIGHT_SETUP)) is True
    out = capsys.readouterr().out
    assert out.count("✅ Correct:") == 2 and "ran once in each worker" in out


def test_initializer_wrong_value_fails_with_a_hint(learner, capsys):
    assert lesson02.check_initializer(learner("my_setup_bad", WRONG_SETUP)) is False
    out = capsys.readouterr().out
    assert out.startswith("❌ Not yet:") and "global" in out


def test_hard_coded_prefix_fails(learner, capsys):
    # setup does nothing and tag knows the example's prefix: the check's own prefix differs.
    for source in (HARD_CODED, CONSTANT):
        assert lesson02.check_initializer(learner("my_setup_hard", source)) is False
        out = capsys.readouterr().out
        assert "'item-0'" in out and "setup ran" not in out and "ran once" not in out


def test_initializer_missing_function_fails(learner, capsys):
    assert lesson02.check_initializer(learner("my_setup_empty", "x = 1\n")) is False
    assert "no function called 'setup'" in capsys.readouterr().out
