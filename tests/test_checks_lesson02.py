from helpers.checks import lesson02

RIGHT_SETUP = """
    PREFIX = None

    def setup(prefix):
        global PREFIX
        PREFIX = prefix

    def tag(x):
        return f"{PREFIX}{x}"
"""

WRONG_SETUP = """
    PREFIX = None

    def setup(prefix):
        PREFIX = prefix  # a local: the module's PREFIX stays None

    def tag(x):
        return f"{PREFIX}{x}"
"""


def test_chunksize_formula_right_and_wrong(capsys):
    def right(tasks, workers):
        chunksize, extra = divmod(tasks, workers * 4)
        return chunksize + 1 if extra else chunksize

    assert lesson02.check_chunksize(right) is True
    assert capsys.readouterr().out.startswith("✅ Correct:")
    assert lesson02.check_chunksize(lambda tasks, workers: tasks // (workers * 4)) is False
    out = capsys.readouterr().out
    assert out.startswith("❌ Not yet:") and "divmod" in out
    assert lesson02.check_chunksize(lambda tasks, workers: 1 / 0) is False
    assert "ZeroDivisionError" in capsys.readouterr().out


def test_initializer_right_answer_passes(learner, capsys):
    name = learner("my_setup_ok", RIGHT_SETUP)
    assert lesson02.check_initializer(name) is True
    assert "item-0" in capsys.readouterr().out


def test_initializer_wrong_answer_fails_with_a_hint(learner, capsys):
    name = learner("my_setup_bad", WRONG_SETUP)
    assert lesson02.check_initializer(name) is False
    out = capsys.readouterr().out
    assert out.startswith("❌ Not yet:") and "global" in out


def test_initializer_missing_function_fails(learner, capsys):
    name = learner("my_setup_empty", "x = 1\n")
    assert lesson02.check_initializer(name) is False
    assert "no function called 'setup'" in capsys.readouterr().out
