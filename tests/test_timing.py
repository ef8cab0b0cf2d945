from types import SimpleNamespace

import pytest

from helpers.timing import serial_map, startup_summary, timed, timed_result


def fake_clock(*readings):
    ticks = iter(readings)
    return lambda: next(ticks)


def test_timed_keeps_the_fastest_run():
    # three runs: 0->5 (5 s), 5->7 (2 s), 7->11 (4 s)
    assert timed(abs, 3, -1, timer=fake_clock(0, 5, 5, 7, 7, 11)) == 2


def test_timed_result_returns_the_last_result_and_calls_once_per_repeat():
    calls = []

    def work(x):
        calls.append(x)
        return len(calls)

    best, result = timed_result(work, 3, "a", timer=fake_clock(0, 1, 1, 3, 3, 4))
    assert (best, result, calls) == (1, 3, ["a"] * 3)


@pytest.mark.parametrize("repeats, error", [(0, ValueError), (True, TypeError), (1.0, TypeError)])
def test_repeats_must_be_a_positive_int(repeats, error):
    with pytest.raises(error, match="repeats must be"):
        timed(abs, repeats, 1)


def test_serial_map_is_a_list_in_input_order():
    assert serial_map(abs, iter([-3, 2, -1])) == [3, 2, 1]


def test_timed_measures_real_time_with_the_default_clock():
    assert timed(sum, 2, range(1000)) > 0


def test_summary_of_a_single_run_uses_it_as_later_median():
    one = SimpleNamespace(method="spawn", run=0, seconds=0.2, server_started=False)
    s = startup_summary([one])["spawn"]
    assert s["first"] == s["later_median"] == 0.2
    with pytest.raises(ValueError, match="no records"):
        startup_summary([])
