"""The lesson 06 checks pass the reference solutions and fail wrong answers."""

from __future__ import annotations

import pytest

from helpers.checks import lesson06

LOCKED = """
def add_many(counter, times):
    for _ in range(times):
        with counter.get_lock():
            counter.value += 1
"""

ACQUIRE_RELEASE = """
def add_many(counter, times):
    lock = counter.get_lock()
    for _ in range(times):
        lock.acquire()
        try:
            counter.value += 1
        finally:
            lock.release()
"""

UNLOCKED = """
def add_many(counter, times):
    for _ in range(times):
        counter.value += 1
"""

LOCK_ONLY_THE_WRITE = """
def add_many(counter, times):
    for _ in range(times):
        new = counter.value + 1
        with counter.get_lock():
            counter.value = new
"""

IN_PLACE = """
from helpers.sharedarray import attach

def double_in_place(spec):
    with attach(spec) as arr:
        arr *= 2
"""

COPY = IN_PLACE.replace("arr *= 2", "arr = arr * 2")
TRIPLE = IN_PLACE.replace("arr *= 2", "arr *= 3")


@pytest.mark.parametrize("source", [LOCKED, ACQUIRE_RELEASE])
def test_add_many_right_answers_pass(learner, capsys, source):
    assert lesson06.check_add_many(learner("my_counter_ok", source), workers=2,
                                   times=500) is True
    assert "✅ Correct" in capsys.readouterr().out


@pytest.mark.parametrize("source", [UNLOCKED, LOCK_ONLY_THE_WRITE])
def test_add_many_unlocked_reads_fail_deterministically(learner, capsys, source):
    assert lesson06.check_add_many(learner("my_counter_bad", source)) is False
    assert "without holding counter.get_lock()" in capsys.readouterr().out


def test_recording_counter_counts_only_unlocked_accesses():
    counter = lesson06.RecordingCounter()
    with counter.get_lock():
        counter.value += 1
    assert counter.unlocked_accesses == 0
    counter.value += 1
    assert counter.unlocked_accesses == 2 and counter.value == 2


def test_double_in_place_right_answer_passes(learner, capsys):
    assert lesson06.check_double_in_place(learner("my_scale_ok", IN_PLACE)) is True
    assert "✅ Correct" in capsys.readouterr().out


@pytest.mark.parametrize(("source", "hint"), [
    (COPY, "did not change"),
    (TRIPLE, "not to twice its old values"),
])
def test_double_in_place_wrong_answers_fail(learner, capsys, source, hint):
    assert lesson06.check_double_in_place(learner("my_scale_bad", source)) is False
    assert hint in capsys.readouterr().out
