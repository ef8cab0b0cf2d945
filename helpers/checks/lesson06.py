"""Checks for lesson 06 (shared state).

Exercise 1: ``my_counter.add_many(counter, times)`` adds ``times`` to a
shared ``Value`` without losing updates. Exercise 2:
``my_scale.double_in_place(spec)`` doubles a shared array where it lies.
"""

from __future__ import annotations

import multiprocessing as mp
import queue

import numpy as np

from helpers.checks import ChildFailed, feedback, get_function, run_in_child
from helpers.plumbing import stop_process
from helpers.sharedarray import shared_array


class _RecordingLock:
    """A lock that tells its counter whether it is held (``with`` or acquire/release)."""

    def __init__(self, counter: RecordingCounter) -> None:
        self._counter = counter

    def acquire(self, *args, **kwargs) -> bool:
        self._counter.locked = True
        return True

    def release(self) -> None:
        self._counter.locked = False

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


class RecordingCounter:
    """Looks like a ``multiprocessing.Value``; counts accesses made without its lock."""

    def __init__(self) -> None:
        self._value = 0
        self.locked = False
        self.unlocked_accesses = 0
        self._lock = _RecordingLock(self)

    def get_lock(self) -> _RecordingLock:
        return self._lock

    @property
    def value(self) -> int:
        self.unlocked_accesses += not self.locked
        return self._value

    @value.setter
    def value(self, new: int) -> None:
        self.unlocked_accesses += not self.locked
        self._value = new


def call_quietly(func, args: tuple, errors) -> None:
    """Call a learner's function; report an exception on ``errors``. Runs in a worker process."""
    try:
        func(*args)
    except BaseException as exc:  # the learner's error becomes a hint
        errors.put(f"{type(exc).__name__}: {exc}")


def check_add_many(module: str = "my_counter", workers: int = 4, times: int = 2_000) -> bool:
    """First in this process with a recording counter, then for real in ``workers`` processes."""
    func = get_function(module, "add_many")
    if func is None:
        return False
    fake = RecordingCounter()
    try:
        func(fake, 50)
    except Exception as exc:
        return feedback(False, "", f"add_many raised {type(exc).__name__}: {exc}")
    if fake.unlocked_accesses:
        return feedback(False, "", f"{fake.unlocked_accesses} reads or writes of "
                        "counter.value happened without holding counter.get_lock(): another "
                        "process can write between your read and your write.")
    if fake._value != 50:
        return feedback(False, "", f"add_many(counter, 50) added {fake._value}, not 50.")
    ctx = mp.get_context("spawn")
    counter, errors = ctx.Value("i", 0), ctx.Queue()
    procs = [ctx.Process(target=call_quietly, args=(func, (counter, times), errors))
             for _ in range(workers)]
    for p in procs:
        p.start()
    for p in procs:
        stop_process(p, timeout=30)
    try:
        error = errors.get(timeout=0.2)
    except queue.Empty:
        error = None
    if error:
        return feedback(False, "", f"add_many raised {error} in a worker process.")
    expected = workers * times
    return feedback(counter.value == expected,
                    f"{workers} processes added {times} each and the counter reads {expected}.",
                    f"the counter reads {counter.value}, expected {expected}.")


def check_double_in_place(module: str = "my_scale", size: int = 1_000) -> bool:
    """Run the learner's worker in a spawn child on a shared array; look at ours afterwards."""
    func = get_function(module, "double_in_place")
    if func is None:
        return False
    original = np.arange(size, dtype="float64")
    with shared_array(size, "float64", fill=original) as owner:
        try:
            run_in_child(func, owner.spec)
        except ChildFailed as exc:
            return feedback(False, "", str(exc))
        except Exception as exc:
            return feedback(False, "", f"double_in_place raised {type(exc).__name__}: {exc}")
        ok = bool(np.array_equal(owner.array, 2 * original))
        unchanged = bool(np.array_equal(owner.array, original))
    if unchanged:
        return feedback(False, "", "the parent's array did not change: write into the "
                        "attached array itself (arr *= 2 or arr[:] = ...), not into a copy.")
    return feedback(ok, f"the worker doubled all {size} numbers where they lie.",
                    "the parent's array changed, but not to twice its old values.")
