"""Start methods side by side: what each one costs to start, and what a child inherits.

``startup_costs`` times the life of a small ``Pool`` (created, one trivial
``map``, closed and joined) under each start method, and returns one record per
run; ``startup_table`` and ``helpers.plots.startup_bars`` show them. Every
method is chosen with ``multiprocessing.get_context``, never by changing the
global default, so a notebook can compare them in one kernel.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from helpers.args import check_int, check_start_method
from helpers.timing import startup_summary
from helpers.units import duration
from helpers.workloads import whoami

METHODS = ("fork", "spawn", "forkserver")

#: A module-level value a lesson changes in the parent; ``read_note`` shows
#: whether a worker sees the change (fork: inherited memory) or not (spawn,
#: forkserver: a fresh import of this module).
NOTE = "the value this module sets when it is imported"


def forkserver_running() -> bool:
    """Whether this process has already started its forkserver.

    The server is started by the first forkserver process and then reused for
    the life of the parent, which is why the first forkserver pool is slower.
    Reads a private attribute of ``multiprocessing.forkserver`` (present in
    3.10-3.14); returns False where it is missing.
    """
    try:
        from multiprocessing import forkserver
    except ImportError:  # Windows has no forkserver module to speak of
        return False
    return getattr(getattr(forkserver, "_forkserver", None), "_forkserver_pid", None) is not None


@dataclass(frozen=True)
class StartupRecord:
    """One timed pool life: created, one trivial map, closed and joined."""

    method: str
    run: int
    workers: int
    seconds: float
    server_started: bool  # forkserver only: this run had to start the server first


def time_startup(method: str, workers: int = 2,
                 timer: Callable[[], float] = time.perf_counter) -> float:
    """Seconds to create a ``Pool(workers)`` with ``method``, map a trivial task, close it."""
    ctx = mp.get_context(check_start_method(method))
    start = timer()
    pool = ctx.Pool(workers)
    try:
        # every worker has started and answered; bounded, as a fork child of a
        # multi-threaded parent can deadlock (gh-100228)
        pool.map_async(whoami, range(workers)).get(timeout=60)
        pool.close()
    finally:
        pool.terminate()  # a no-op after close(); tidies up if map raised
        pool.join()
    return timer() - start


def startup_costs(methods: Iterable[str] | None = None, repeats: int = 5, workers: int = 2,
                  timer: Callable[[], float] = time.perf_counter,
                  measure: Callable[..., float] | None = None) -> list[StartupRecord]:
    """Time ``repeats`` pool lives per start method, in order; one record per run.

    Args:
        methods: default: every method this platform has.
        repeats: runs per method (the first forkserver run may start the server).
        workers: pool size.
        timer: the clock (tests inject a fake one).
        measure: the function that times one run (tests inject a fake one).

    Raises:
        TypeError, ValueError: an unknown method, or ``repeats``/``workers`` below 1.
    """
    methods = list(mp.get_all_start_methods() if methods is None else methods)
    for m in methods:
        check_start_method(m)
    check_int("repeats", repeats, minimum=1)
    check_int("workers", workers, minimum=1)
    measure = measure or time_startup
    records = []
    for m in methods:
        for run in range(repeats):
            cold = m == "forkserver" and not forkserver_running()
            seconds = measure(m, workers=workers, timer=timer)
            records.append(StartupRecord(m, run, workers, seconds, cold))
    return records


def startup_table(records: Sequence[StartupRecord]) -> str:
    """One line per method in the course's printed form ("12.3 ms")."""
    lines = []
    for m, s in startup_summary(records).items():
        why = " (it started the server)" if s["server_started"] else ""
        lines.append(f"{m:<11} first run {duration(s['first'])}{why}, "
                     f"later runs median {duration(s['later_median'])}")
    return "\n".join(lines)


def read_note(_: object = None) -> str:
    """Return this module's ``NOTE`` as the worker sees it. Runs in a worker process."""
    return NOTE


def capture_stderr(path: str) -> None:
    """Send this worker's stderr (the file descriptor and ``sys.stderr``) to the end of ``path``.

    A pool ``initializer``: a child that dies prints its traceback to stderr,
    which JupyterLab shows only after the cell's own output and a test run
    does not show at all; collected in a file, the notebook can show it.
    Runs in a worker process.
    """
    stream = open(path, "a", buffering=1)  # noqa: SIM115 - it must outlive this call
    os.dup2(stream.fileno(), 2)
    sys.stderr = stream


class ChildLog:
    """A temporary file that pool workers write their stderr to (see ``capture_stderr``).

    Use as a context manager; the file is deleted on exit::

        with ChildLog() as log:
            pool = ctx.Pool(2, initializer=capture_stderr, initargs=(log.path,))
            ...
            print(log.errors())
    """

    def __init__(self) -> None:
        self._dir = tempfile.mkdtemp(prefix="course-children-")
        self.path = os.path.join(self._dir, "stderr.log")
        open(self.path, "w").close()

    def __enter__(self) -> ChildLog:
        return self

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self._dir, ignore_errors=True)

    def text(self) -> str:
        with open(self.path) as f:
            return f.read()

    def deaths(self) -> int:
        """How many worker processes printed a traceback (each one then died)."""
        return self.text().count("Traceback (most recent call last)")

    def errors(self) -> list[str]:
        """The distinct final lines of the tracebacks, cut to what 3.10-3.14 all print.

        The child's message ends differently by version: "<module '__main__'
        (built-in)>" up to 3.12, "(<class '_frozen_importlib.BuiltinImporter'>)"
        in 3.13; the text up to "<module '__main__'" is the same.
        """
        found = []
        for line in self.text().splitlines():
            if re.match(r"^\w+(Error|Exception): ", line):
                line = re.sub(r"(<module '__main__').*$", r"\1 ...>", line)
                if line not in found:
                    found.append(line)
        return found
