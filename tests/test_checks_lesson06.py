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

ONCE_UNDER_THE_LOCK = """
def add_many(counter, times):
    with counter.get_lock():
        counter.value += times
"""

ADDS_TWO = """
def add_many(counter, times):
    for _ in range(times):
        with counter.get_lock():
            counter.value += 2
"""

# Right in one process, wrong across processes: each spawned process has a lock of its own.
PRIVATE_LOCK = """
import multiprocessing

_lock = multiprocessing.Lock()

def add_many(counter, times):
    for _ in range(times):
        with _lock:
            counter.value += 1
"""

IN_PLACE = """
from helpers.sharedarray import attach

def double_in_place(spec):
    with attach(spec) as arr:
        arr *= 2
"""

SLICE_ASSIGN = IN_PLACE.replace("arr *= 2", "arr[:] = arr + arr")
COPY = IN_PLACE.replace("arr *= 2", "arr = arr * 2")
TRIPLE = IN_PLACE.replace("arr *= 2", "arr *= 3")
# Writes numbers worked out in advance instead of doubling what is there.
HARD_CODED = """
import numpy as np
from helpers.sharedarray import attach

def double_in_place(spec):
    with attach(spec) as arr:
        arr[:] = 2 * np.arange(arr.size)
"""
# The stdlib pattern on a helper segment: the view starts at the header.
STDLIB_VIEW = """
import numpy as np
from multiprocessing import shared_memory

def double_in_place(spec):
    shm = shared_memory.SharedMemory(name=spec.name)
    arr = np.ndarray(spec.shape, spec.dtype, buffer=shm.buf)
    arr *= 2
    del arr
    shm.close()
"""


@pytest.mark.parametrize("source", [LOCKED, ACQUIRE_RELEASE, ONCE_UNDER_THE_LOCK])
def test_add_many_right_answers_pass(learner, capsys, source):
    assert lesson06.check_add_many(learner("my_counter_ok", source), workers=2,
                                   times=500) is True
    assert "✅ Correct" in capsys.readouterr().out


@pytest.mark.parametrize("source", [UNLOCKED, LOCK_ONLY_THE_WRITE])
def test_add_many_unlocked_reads_fail_deterministically(learner, capsys, source):
    assert lesson06.check_add_many(learner("my_counter_bad", source)) is False
    assert "without holding counter.get_lock()" in capsys.readouterr().out


def test_add_many_wrong_value_fails(learner, capsys):
    assert lesson06.check_add_many(learner("my_counter_two", ADDS_TWO)) is False
    assert "added 100, not 50" in capsys.readouterr().out


def test_add_many_private_lock_fails(learner, capsys):
    assert lesson06.check_add_many(learner("my_counter_private", PRIVATE_LOCK)) is False
    assert "without holding counter.get_lock()" in capsys.readouterr().out


def test_recording_counter_counts_only_unlocked_accesses():
    counter = lesson06.RecordingCounter()
    with counter.get_lock():
        counter.value += 1
    assert counter.unlocked_accesses == 0
    counter.value += 1
    assert counter.unlocked_accesses == 2 and counter.value == 2


@pytest.mark.parametrize("source", [IN_PLACE, SLICE_ASSIGN])
def test_double_in_place_right_answers_pass(learner, capsys, source):
    assert lesson06.check_double_in_place(learner("my_scale_ok", source)) is True
    assert "✅ Correct" in capsys.readouterr().out


@pytest.mark.parametrize(("source", "hint"), [
    (COPY, "did not change"),
    (TRIPLE, "not to twice its old values"),
    (HARD_CODED, "not to twice its old values"),
    (STDLIB_VIEW, "128-byte header"),
])
def test_double_in_place_wrong_answers_fail(learner, capsys, source, hint):
    assert lesson06.check_double_in_place(learner("my_scale_bad", source)) is False
    assert hint in capsys.readouterr().out


def test_solutions_pass(capsys):
    assert lesson06.check_add_many("helpers.solutions.lesson06", workers=2, times=200) is True
    assert lesson06.check_double_in_place("helpers.solutions.lesson06") is True
