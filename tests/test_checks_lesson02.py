import sys
import textwrap

import pytest

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


@pytest.fixture
def learner_module(tmp_path, monkeypatch):
    """Write a learner's module into tmp_path, importable here and in spawned workers."""
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)

    def write(name, source):
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
        sys.modules.pop(name, None)
        return name

    yield write


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


def test_initializer_right_answer_passes(learner_module, capsys):
    name = learner_module("my_setup_ok", RIGHT_SETUP)
    assert lesson02.check_initializer(name) is True
    assert "item-0" in capsys.readouterr().out


def test_initializer_wrong_answer_fails_with_a_hint(learner_module, capsys):
    name = learner_module("my_setup_bad", WRONG_SETUP)
    assert lesson02.check_initializer(name) is False
    out = capsys.readouterr().out
    assert out.startswith("❌ Not yet:") and "global" in out


def test_initializer_missing_function_fails(learner_module, capsys):
    name = learner_module("my_setup_empty", "x = 1\n")
    assert lesson02.check_initializer(name) is False
    assert "no function called 'setup'" in capsys.readouterr().out
