import pytest

from helpers.units import duration


@pytest.mark.parametrize("seconds, text", [
    (2.5, "2.500 s"), (1.0, "1.000 s"), (0.4521, "452.1 ms"), (0.001, "1.0 ms"),
    (0.0000456, "45.6 µs"), (0.0, "0.0 µs"),
])
def test_duration_picks_the_unit_that_reads_best(seconds, text):
    assert duration(seconds) == text
