"""One log for many processes: a QueueHandler in each worker, a QueueListener in the parent.

A worker started with spawn or forkserver begins with an unconfigured
``logging`` module: its INFO records are dropped and its warnings go to its
own stderr, which a notebook may never show. A forked worker inherits the
parent's handlers and writes to the same files without coordination. The
logging cookbook's answer ("Logging to a single file from multiple
processes"): every worker sends its records through a queue, and one
listener in the parent hands them to the real handlers.
"""

from __future__ import annotations

import logging
import logging.handlers
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from helpers.args import check_int

LOGGER_NAME = "course.worker"
FORMAT = "%(processName)s %(levelname)s %(message)s"


class ListHandler(logging.Handler):
    """Keep every record it handles in ``self.records`` (a notebook can print them sorted)."""

    def __init__(self, level: int = logging.NOTSET) -> None:
        super().__init__(level)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def worker_init(queue, level: int = logging.INFO) -> None:
    """Initializer: send every record of this worker to ``queue``.

    Pass it as ``initializer=worker_init, initargs=(queue,)``. It replaces the
    root logger's handlers, so that a forked worker stops writing through the
    handlers it inherited. Runs in a worker process.
    """
    root = logging.getLogger()
    for handler in root.handlers[:]:
        root.removeHandler(handler)
    root.addHandler(logging.handlers.QueueHandler(queue))
    root.setLevel(level)


def log_task(x: int) -> int:
    """Log one INFO record about task ``x`` (and a WARNING when ``x`` is odd); return ``x * x``.

    Runs in a worker process.
    """
    log = logging.getLogger(LOGGER_NAME)
    log.info("task %d started", x)
    if x % 2:
        log.warning("task %d: odd input", x)
    return x * x


@contextmanager
def listening(queue, *handlers: logging.Handler) -> Iterator[ListHandler]:
    """Run a ``QueueListener`` on ``queue`` while the block runs; yield the ``ListHandler``.

    Records go to a fresh ``ListHandler`` and to any extra ``handlers``. The
    listener is stopped on exit, which first handles every record still in
    the queue, so none is lost.
    """
    collected = ListHandler()
    listener = logging.handlers.QueueListener(queue, collected, *handlers,
                                              respect_handler_level=True)
    listener.start()
    try:
        yield collected
    finally:
        listener.stop()


def mask_process(name: str) -> str:
    """``'SpawnPoolWorker-7'`` -> ``'SpawnPoolWorker-N'``: numbering depends on earlier pools."""
    return re.sub(r"-\d+(:\d+)?$", "-N", name)


def format_records(records: Iterable[logging.LogRecord], sort: bool = True,
                   mask: bool = True) -> list[str]:
    """One line per record, ``"<process> <LEVEL> <message>"``.

    Args:
        records: what a ``ListHandler`` collected.
        sort: order by message text, so the lines are the same on every run
            (their arrival order depends on how the workers were scheduled).
        mask: replace worker numbers with ``N`` (see ``mask_process``).
    """
    lines = []
    for r in records:
        name = mask_process(r.processName) if mask else r.processName
        lines.append(f"{name} {r.levelname} {r.getMessage()}")
    return sorted(lines, key=_natural) if sort else lines


def _natural(line: str) -> list:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", line)]


def configure_parent(handler: logging.Handler, level: int = logging.INFO) -> None:
    """Give the parent's root logger exactly ``handler`` (what a script would do at start)."""
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)


def text_bar(done: int, total: int, width: int = 20) -> str:
    """A progress bar as text, ``'[##########..........]  5/10 tasks'``, for plain terminals.

    Raises:
        TypeError: ``done``, ``total`` or ``width`` is not an int.
        ValueError: ``total`` is below 1 or ``done`` is outside 0..total.
    """
    check_int("total", total, minimum=1)
    check_int("done", done, minimum=0, maximum=total)
    check_int("width", width, minimum=1)
    filled = round(width * done / total)
    return f"[{'#' * filled}{'.' * (width - filled)}] {done:>{len(str(total))}}/{total} tasks"
