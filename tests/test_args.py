import math
import multiprocessing as mp
import sys

import pytest

from helpers.args import check_choice, check_int, check_number, check_start_method


@pytest.mark.parametrize("value", [0, 1, 10**12])
def test_check_int_returns_a_valid_int(value):
    assert check_int("n", value, minimum=0) == value


def test_check_int_allows_none_only_when_asked():
    assert check_int("chunksize", None, minimum=1, allow_none=True) is None
    with pytest.raises(TypeError, match="chunksize must be an int, got NoneType None"):
        check_int("chunksize", None, minimum=1)


@pytest.mark.parametrize("value, shown", [
    (True, "bool True"), (False, "bool False"), (1.5, "float 1.5"), (2.0, "float 2.0"),
    ("3", "str '3'"),
])
def test_check_int_refuses_other_types_with_typeerror(value, shown):
    with pytest.raises(TypeError, match=f"workers must be an int, got {shown}"):
        check_int("workers", value, minimum=1)


def test_check_int_names_none_in_the_type_message_when_allowed():
    with pytest.raises(TypeError, match="chunksize must be None or an int, got float 1.5"):
        check_int("chunksize", 1.5, minimum=1, allow_none=True)


@pytest.mark.parametrize("kwargs, value, message", [
    (dict(minimum=1), 0, "workers must be at least 1, got 0"),
    (dict(maximum=8), 9, "workers must be at most 8, got 9"),
    (dict(minimum=0, maximum=3_024_617), 3_024_618,
     "workers must be between 0 and 3,024,617, got 3024618"),
])
def test_check_int_refuses_a_wrong_range_with_valueerror(kwargs, value, message):
    with pytest.raises(ValueError, match=message):
        check_int("workers", value, **kwargs)


def test_check_int_accepts_both_bounds():
    assert check_int("n", 0, minimum=0, maximum=5) == 0
    assert check_int("n", 5, minimum=0, maximum=5) == 5


@pytest.mark.parametrize("value", [0.5, 3, 1e-9])
def test_check_number_accepts_ints_and_floats(value):
    assert check_number("timeout", value, positive=True) == value


@pytest.mark.parametrize("value", [True, "1", None, [1]])
def test_check_number_refuses_other_types(value):
    with pytest.raises(TypeError, match="timeout must be a number of seconds, got"):
        check_number("timeout", value, positive=True, unit="seconds")


@pytest.mark.parametrize("value", [0, -1.0, math.nan])
def test_check_number_refuses_zero_negative_and_nan_when_positive(value):
    with pytest.raises(ValueError, match="timeout must be a .*number of seconds"):
        check_number("timeout", value, positive=True, unit="seconds")


def test_check_number_minimum_includes_zero():
    assert check_number("seconds", 0, minimum=0) == 0
    with pytest.raises(ValueError, match="seconds must be at least 0, got -0.1"):
        check_number("seconds", -0.1, minimum=0)


def test_check_choice_names_every_choice():
    assert check_choice("strategy", "pool", ("pool", "executor")) == "pool"
    with pytest.raises(ValueError, match="unknown strategy 'gpu'; choose from pool, executor"):
        check_choice("strategy", "gpu", ("pool", "executor"))


def test_check_choice_refuses_a_non_string_with_typeerror():
    with pytest.raises(TypeError, match="strategy must be a string, one of pool, executor, "
                                        "got NoneType None"):
        check_choice("strategy", None, ["pool", "executor"])


def test_check_start_method_accepts_every_available_method():
    for m in mp.get_all_start_methods():
        assert check_start_method(m) == m


@pytest.mark.parametrize("bad, error, words", [
    ("thread", ValueError, "unknown start method 'thread'; choose from"),
    ("Spawn", ValueError, "unknown start method 'Spawn'"),
    (None, TypeError, "must be a string"),
    (3, TypeError, "got int 3"),
])
def test_check_start_method_rejects_with_the_choices(bad, error, words):
    with pytest.raises(error, match=words) as info:
        check_start_method(bad)
    if error is ValueError:
        assert "spawn" in str(info.value)


def test_check_start_method_names_the_platform_when_unavailable(monkeypatch):
    monkeypatch.setattr(mp, "get_all_start_methods", lambda: ["spawn"])
    with pytest.raises(ValueError, match=f"'fork' is not available on {sys.platform}"):
        check_start_method("fork")
