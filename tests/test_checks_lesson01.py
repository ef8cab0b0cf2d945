import sys

import pytest

from helpers.checks import lesson01
from helpers.workloads import cpu_task_expected


@pytest.fixture
def my_vowels(learner):
    return lambda body: learner("my_vowels", f"def count_vowels(text):\n    {body}\n")


def test_exitcode_right_and_wrong_answers(capsys):
    assert lesson01.measured_exitcode_of_raising_target() == 1
    assert lesson01.check_exitcode(1) is True
    assert lesson01.check_exitcode(0) is False
    assert lesson01.check_exitcode(None) is False
    assert "whole number" in capsys.readouterr().out


def test_count_vowels_reference_passes(my_vowels):
    my_vowels('return sum(ch in "aeiouAEIOU" for ch in text)')
    assert lesson01.check_count_vowels() is True


@pytest.mark.parametrize("wrong", [
    "return 0",                                   # the starter
    'return sum(ch in "aeiou" for ch in text)',   # forgets capitals
    "return len(text)",
])
def test_count_vowels_wrong_answers_fail(my_vowels, wrong, capsys):
    my_vowels(wrong)
    assert lesson01.check_count_vowels() is False
    assert "Not yet" in capsys.readouterr().out


def test_count_vowels_missing_module_fails(capsys):
    sys.modules.pop("my_vowels_absent", None)
    assert lesson01.check_count_vowels("my_vowels_absent") is False


def test_results_in_order_pass_and_others_fail(capsys):
    sizes = [30, 10, 20]
    right = [cpu_task_expected(n) for n in sizes]
    assert lesson01.check_results(right, sizes) is True
    assert lesson01.check_results(sorted(right), sizes) is False
    assert "wrong order" in capsys.readouterr().out
    assert lesson01.check_results([], sizes) is False
    assert lesson01.check_results(tuple(right), sizes) is False
