import pytest

from helpers import checks
from helpers.workloads import square


def test_feedback_prints_one_line_and_returns_the_verdict(capsys):
    assert checks.feedback(True, "well done", "hint") is True
    assert checks.feedback(False, "well done", "try again") is False
    assert capsys.readouterr().out.splitlines() == [f"{checks.PASS} well done",
                                                    f"{checks.FAIL} try again"]


def test_check_equal_names_what_was_expected(capsys):
    assert checks.check_equal(3, 3, "the answer", "hint") is True
    assert checks.check_equal(4, 3, "the answer", "look again") is False
    assert "got 4, expected 3. look again" in capsys.readouterr().out


def test_load_fresh_sees_a_rewritten_module(learner):
    name = learner("my_mod", "VALUE = 1\n")
    assert checks.load_fresh(name).VALUE == 1
    learner("my_mod", "VALUE = 2\n")
    assert checks.load_fresh(name).VALUE == 2


def test_get_function_gives_hints_for_missing_module_and_function(learner, capsys):
    assert checks.get_function("my_absent_module", "f") is None
    assert "Run the %%writefile cell" in capsys.readouterr().out
    name = learner("my_mod2", "def g():\n    return 1\n")
    assert checks.get_function(name, "f") is None
    assert "has no function called 'f'" in capsys.readouterr().out
    assert checks.get_function(name, "g")() == 1


def test_get_function_reports_a_syntax_error_as_a_hint(learner, capsys):
    name = learner("my_broken", "def f(:\n")
    assert checks.get_function(name, "f") is None
    assert "SyntaxError" in capsys.readouterr().out


def test_run_in_child_returns_the_result():
    assert checks.run_in_child(square, 9) == 81


def test_run_in_child_runs_a_learner_module_under_spawn(learner):
    name = learner("my_double", "def double(x):\n    return 2 * x\n")
    func = checks.get_function(name, "double")
    assert checks.run_in_child(func, 21, start_method="spawn") == 42


def test_run_in_child_explains_unpicklable_functions():
    with pytest.raises(checks.ChildFailed, match="cannot be sent to a worker process"):
        checks.run_in_child(lambda x: x, 1)


def test_run_in_child_explains_notebook_functions():
    def f(x):
        return x

    f.__module__ = "__main__"
    f.__qualname__ = "f"
    import __main__

    __main__.f = f
    try:
        with pytest.raises(checks.ChildFailed, match="defined in __main__"):
            checks.run_in_child(f, 1, start_method="spawn")
    finally:
        del __main__.f


def test_run_in_child_times_out_and_leaves_nothing_running(learner):
    name = learner("my_slow", "import time\ndef slow():\n    time.sleep(60)\n")
    func = checks.get_function(name, "slow")
    with pytest.raises(checks.ChildFailed, match="did not finish within 1 s"):
        checks.run_in_child(func, timeout=1)
    # tests/guard.py fails the run if the sleeping worker survived


def test_run_in_child_passes_on_the_learners_exception(learner):
    name = learner("my_raise", "def f():\n    raise KeyError('oops')\n")
    with pytest.raises(KeyError, match="oops"):
        checks.run_in_child(checks.get_function(name, "f"))


def test_run_in_child_refuses_a_bad_timeout_or_start_method_before_starting_a_process():
    with pytest.raises(ValueError, match="timeout must be a positive number of seconds"):
        checks.run_in_child(abs, -1, timeout=0)
    with pytest.raises(ValueError, match="unknown start method 'thread'"):
        checks.run_in_child(abs, -1, start_method="thread")
