"""The pre-class check: its verdict from fed numbers, and one real short run."""

from __future__ import annotations

import pytest

from helpers import preflight as pf


def test_idle_machine_with_two_cpus_expects_the_limit():
    idle, text = pf.verdict(0.97, 0.99, workers=2, usable_cpus=2, speedup=1.93)
    assert idle
    assert text.startswith("✅")
    assert "97% of a CPU" in text and "1.93x" in text
    assert "close to the text's limit (2x here)" in text


def test_idle_machine_with_one_cpu_is_idle_and_promises_no_speedup():
    idle, text = pf.verdict(0.98, 0.99, workers=1, usable_cpus=1, speedup=0.97)
    assert idle
    assert "the pool worker got 98%" in text
    assert "cannot be faster than serial" in text
    assert "0.97x" not in text  # one loop in a pool says nothing about speedups


def test_somewhat_busy_machine_warns_of_lower_speedups():
    idle, text = pf.verdict(0.75, 0.95, workers=2, usable_cpus=8)
    assert not idle
    assert text.startswith("⚠️")
    assert "lower than the text's limit (2x here)" in text


def test_busy_machine_says_serial_may_win():
    idle, text = pf.verdict(0.3, 0.5, workers=2, usable_cpus=2, speedup=1.1)
    assert not idle
    assert text.startswith("❌")
    assert "serial may win" in text


def test_a_busy_parent_counts_even_when_the_workers_are_free():
    """The lower of the two shares decides: the serial reference was starved."""
    idle, _ = pf.verdict(0.95, 0.5, workers=2, usable_cpus=2)
    assert not idle


@pytest.mark.parametrize("share", [pf.IDLE, pf.IDLE - 0.01, pf.BUSY, pf.BUSY - 0.01])
def test_thresholds_are_where_the_constants_say(share):
    idle, text = pf.verdict(share, 1.0, workers=2, usable_cpus=2)
    assert idle == (share >= pf.IDLE)
    assert text.startswith("✅" if share >= pf.IDLE else "⚠️" if share >= pf.BUSY else "❌")


@pytest.mark.parametrize("kwargs, match", [
    ({"worker_share": 1.2}, "worker_share must be between 0 and 1"),
    ({"serial_share": -0.1}, "serial_share must be between 0 and 1"),
    ({"workers": 0}, "workers must be at least 1"),
    ({"usable_cpus": 0}, "usable_cpus must be at least 1"),
    ({"speedup": 0.0}, "speedup must be above 0"),
])
def test_verdict_rejects_impossible_numbers(kwargs, match):
    args = {"worker_share": 0.9, "serial_share": 0.9, "workers": 2, "usable_cpus": 2,
            **kwargs}
    with pytest.raises(ValueError, match=match):
        pf.verdict(args.pop("worker_share"), args.pop("serial_share"), **args)


def test_preflight_rejects_bad_arguments():
    with pytest.raises(TypeError, match="rounds must be an int"):
        pf.preflight(rounds=2.0)
    with pytest.raises(ValueError, match="rounds must be at least 1"):
        pf.preflight(rounds=0)
    with pytest.raises(ValueError, match="loop_seconds must be above 0"):
        pf.preflight(loop_seconds=0)


def test_spin_reports_its_cpu_and_wall_time():
    cpu, wall = pf.spin(200_000)
    assert 0 < cpu and 0 < wall
    assert cpu <= wall * 1.05 + 0.01  # one thread cannot use more CPU than time passed


def test_a_real_short_run_measures_and_prints(capsys):
    from helpers.machine import machine_info

    result = pf.preflight(rounds=2, loop_seconds=0.05)
    printed = capsys.readouterr().out
    assert printed.strip() == result.verdict
    assert result.workers == min(2, machine_info().usable_cpus)
    assert 0 < result.worker_share <= 1 and 0 < result.serial_share <= 1
    assert 0 < result.speedup
    assert result.idle == (min(result.worker_share, result.serial_share) >= pf.IDLE)
    assert result.verdict[0] in "✅⚠❌"
    assert "idle=" in repr(result) and "usable CPUs" in repr(result)


def test_quiet_run_prints_nothing(capsys):
    pf.preflight(rounds=1, loop_seconds=0.02, quiet=True)
    assert capsys.readouterr().out == ""
