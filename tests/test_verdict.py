import pytest

from helpers import verdict


def test_limit_is_the_smallest_of_workers_cpus_and_tasks():
    assert verdict.limit(4, 2) == 2
    assert verdict.limit(2, 64) == 2
    assert verdict.limit(16, 16, tasks=12) == 12
    assert verdict.limit(1, 1) == 1


def test_serial_wins_is_said_with_the_reason():
    line = verdict.speedup(0.010, 0.050, workers=2, usable_cpus=2, why_slow="tasks too short")
    assert line.startswith("here serial won") and "5.00x slower" in line
    assert "tasks too short" in line


def test_a_tie_on_one_cpu_is_expected():
    assert "as expected" in verdict.speedup(1.0, 1.02, workers=2, usable_cpus=1)
    assert "nothing was gained" in verdict.speedup(1.0, 1.02, workers=2, usable_cpus=2)


def test_close_short_and_above_the_limit():
    assert "close to the 2x limit" in verdict.speedup(1.0, 0.53, workers=2, usable_cpus=2)
    assert "short of the 2x limit" in verdict.speedup(1.0, 0.8, workers=2, usable_cpus=2)
    above = verdict.speedup(1.0, 0.4, workers=2, usable_cpus=2)
    assert "above the 2x limit" in above and "2.50x" in above


def test_tasks_cap_the_limit():
    assert "close to the 12x limit" in verdict.speedup(
        12.0, 1.1, workers=16, usable_cpus=16, tasks=12)


@pytest.mark.parametrize("serial, parallel", [(0, 1.0), (1.0, 0), (-1.0, 1.0)])
def test_times_must_be_positive(serial, parallel):
    with pytest.raises(ValueError, match="times must be positive"):
        verdict.speedup(serial, parallel, workers=2, usable_cpus=2)


def test_a_time_that_is_not_a_number_is_a_type_error():
    with pytest.raises(TypeError, match="serial_s must be a number of seconds, got str '1'"):
        verdict.speedup("1", 0.5, workers=2, usable_cpus=2)
    with pytest.raises(TypeError, match="workers must be an int, got float 2.0"):
        verdict.speedup(1.0, 0.5, workers=2.0, usable_cpus=2)
