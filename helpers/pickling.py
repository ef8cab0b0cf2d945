"""What pickle sends to a worker, what it refuses, and what sending costs.

Every argument, function and result that crosses to another process is
pickled. A function travels by reference: its module and qualified name,
never its code (docs: pickle, "What can be pickled and unpickled?"), so the
child must be able to import it. ``picklability`` says whether an object can
make the trip and why not; ``pickle_cost`` and ``task_cost`` measure the bytes
and seconds a large argument adds to each task.
"""

from __future__ import annotations

import pickle
import pickletools
import re
import statistics
import threading
import time
from collections.abc import Callable, Sized
from dataclasses import dataclass

from helpers.args import check_int
from helpers.units import duration


class LockedCounter:
    """A counter guarded by a lock: its bound method ``add`` cannot be pickled.

    Pickling ``counter.add`` pickles ``counter`` too, and a ``threading.Lock``
    cannot be pickled (a lock means nothing in another process).
    """

    def __init__(self) -> None:
        self.total = 0
        self.lock = threading.Lock()

    def add(self, x: int) -> int:
        with self.lock:
            self.total += x
            return self.total


def names_in_pickle(data: bytes) -> list[str]:
    """The strings inside a pickle, in order: for a function, its module and name."""
    return [arg for op, arg, _ in pickletools.genops(data) if isinstance(arg, str)]


@dataclass(frozen=True)
class PickleReport:
    """Whether one object can be pickled and, if not, the error it raised."""

    name: str
    ok: bool
    error_type: str | None = None
    reason: str | None = None

    def line(self) -> str:
        if self.ok:
            return f"{self.name:<26} pickles"
        return f"{self.name:<26} fails: {self.error_type}: ...{self.reason}..."


def stable_reason(exc: BaseException) -> str:
    """The part of a pickling error message that is the same in Python 3.10 to 3.14.

    The wording moved between versions: a nested function gives "Can't pickle
    local object 'f.<locals>.g'" up to 3.12.4, "Can't get local object ..." in
    3.12.5+/3.13, and a PicklingError instead of an AttributeError in 3.14
    (gh-122311, gh-139806). The qualified name and the type name survive.
    """
    message = str(exc)
    if m := re.search(r"local object '?(?:<\w+ )?([\w.<>]+)", message):
        return f"local object {m.group(1)}"
    if "<lambda>" in message:
        return "Can't pickle <function <lambda>"
    if m := re.search(r"cannot pickle '([\w.]+)'", message):
        return f"cannot pickle '{m.group(1)}'"
    return re.sub(r" at 0x[0-9a-fA-F]+", "", message.splitlines()[0] if message else "")


def picklability(obj: object, name: str | None = None) -> PickleReport:
    """Try ``pickle.dumps(obj)``; report success, or the error type and its stable reason."""
    name = name or getattr(obj, "__qualname__", type(obj).__name__)
    try:
        pickle.dumps(obj)
    except Exception as exc:  # any failure is the answer, not a crash
        return PickleReport(name, False, type(exc).__name__, stable_reason(exc))
    return PickleReport(name, True)


def payload_size(data: Sized) -> int:
    """Return ``len(data)``: a task whose cost is almost all in receiving its argument.

    Runs in a worker process.
    """
    return len(data)


@dataclass(frozen=True)
class ArgumentCost:
    """What one argument costs to send: its pickle size and the seconds to (un)pickle it."""

    label: str
    items: int
    nbytes: int
    dumps_s: float
    loads_s: float
    task_s: float | None = None  # one round trip through a warm pool, if measured

    @property
    def mb_per_s(self) -> float:
        """Pickling plus unpickling throughput."""
        total = self.dumps_s + self.loads_s
        return self.nbytes / total / 1e6 if total > 0 else float("inf")


def pickle_cost(obj: object, label: str = "", repeats: int = 5,
                timer: Callable[[], float] = time.perf_counter) -> ArgumentCost:
    """Median seconds to pickle and to unpickle ``obj``, and the size of its pickle.

    Raises:
        TypeError, ValueError: ``repeats`` is not an int of at least 1.
        pickle.PicklingError and friends: ``obj`` cannot be pickled.
    """
    check_int("repeats", repeats, minimum=1)
    dumps, loads = [], []
    data = b""
    for _ in range(repeats):
        start = timer()
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)  # what multiprocessing uses
        middle = timer()
        pickle.loads(data)
        loads.append(timer() - middle)
        dumps.append(middle - start)
    items = len(obj) if isinstance(obj, Sized) else 1
    return ArgumentCost(label or type(obj).__name__, items, len(data),
                        statistics.median(dumps), statistics.median(loads))


def task_cost(pool, obj: Sized, repeats: int = 3,
              timer: Callable[[], float] = time.perf_counter) -> float:
    """Median seconds for one ``payload_size(obj)`` task on an already started ``Pool``.

    Sending ``obj`` dominates: the parent pickles it, writes it to a pipe, the
    worker reads and unpickles it, and a small int comes back.
    """
    check_int("repeats", repeats, minimum=1)
    times = []
    for _ in range(repeats):
        start = timer()
        if pool.apply(payload_size, (obj,)) != len(obj):
            raise RuntimeError("the worker received a different object than was sent")
        times.append(timer() - start)
    return statistics.median(times)


def cost_table(costs: list[ArgumentCost]) -> str:
    """One line per argument in the course's printed form ("12.3 ms", "123.4 MB/s").

    The MB/s is the throughput of pickling plus unpickling, not of the task.
    """
    lines = []
    for c in costs:
        task = "" if c.task_s is None else f", one task {duration(c.task_s)}"
        lines.append(f"{c.label:<14} {c.items:>9,} items {c.nbytes / 1e6:>8.2f} MB pickled: "
                     f"dumps {duration(c.dumps_s)}, loads {duration(c.loads_s)} "
                     f"(pickle+unpickle {c.mb_per_s:.1f} MB/s){task}")
    return "\n".join(lines)


def size_verdict(costs: list[ArgumentCost]) -> str:
    """Say, per kind of argument, from which size on one task's time grew with the bytes.

    Read from the measurements: below that size a task's fixed cost (two
    messages, waking a worker) dominated, so a larger argument was not
    always slower. One line per label, sizes in MB as ``cost_table`` prints.
    """
    lines = []
    for label in dict.fromkeys(c.label for c in costs):
        runs = sorted((c for c in costs if c.label == label and c.task_s is not None),
                      key=lambda c: c.nbytes)
        if len(runs) < 2:
            continue
        start = len(runs) - 1
        while start > 0 and runs[start - 1].task_s < runs[start].task_s:
            start -= 1
        first, last = runs[start], runs[-1]
        span = f"{duration(first.task_s)} at {first.nbytes / 1e6:.2f} MB to " \
               f"{duration(last.task_s)} at {last.nbytes / 1e6:.2f} MB"
        if start == len(runs) - 1:
            lines.append(f"{label}: one task's time did not grow steadily with the size "
                         "here: fixed costs or other programs dominated the timings.")
        elif start == 0:
            lines.append(f"{label}: one task's time grew with the size at every step "
                         f"here ({span}).")
        else:
            lines.append(f"{label}: below {first.nbytes / 1e6:.2f} MB a task's fixed cost "
                         f"dominated (a bigger argument was not always slower); from there "
                         f"on, time grew with the bytes ({span}).")
    return "\n".join(lines)
