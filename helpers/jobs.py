"""Four jobs of the kind learners bring, for ``helpers.advise`` and ``make bench``.

Nothing else in the course uses them, so they test the cost model on work it
was not tuned on:

- ``parse_log``: pure-Python parsing of text files (reads a file, splits lines);
- ``monte_carlo_pi``: a NumPy Monte Carlo with its own seed per task, which
  releases the GIL for most of its time;
- ``score_document``: tasks that each carry a reference to one big shared
  lookup table, which pickle writes once per chunk;
- ``collatz_longest``: pure-Python tasks of very uneven length.

Each job has a function that builds its inputs (``log_files`` writes files in
a temporary folder and removes them afterwards). Every worker returns its
result and never prints. Runs in a worker process, each of them.
"""

from __future__ import annotations

import contextlib
import random
import tempfile
from collections.abc import Iterator
from pathlib import Path

from helpers.args import check_int

__all__ = ["JOBS", "collatz_longest", "log_files", "monte_carlo_pi", "monte_carlo_tasks",
           "parse_log", "score_document", "scoring_tasks", "spin", "uneven_spans"]

_METHODS = ("GET", "GET", "GET", "POST", "PUT", "DELETE")
_STATUS = ("200", "200", "200", "200", "304", "404", "500")


def parse_log(path: str) -> dict[str, int]:
    """Count requests per status code and bytes sent in one access log; pure Python.

    Each line reads ``2024-05-01T12:00:00 GET /items/42 200 5120``. Demonstrates
    CPU-bound parsing that holds the GIL, where the argument (a path) is tiny.
    Runs in a worker process.
    """
    counts: dict[str, int] = {"bytes": 0}
    with open(path, encoding="ascii") as f:
        for line in f:
            _, method, _, status, size = line.split()
            counts[status] = counts.get(status, 0) + 1
            counts[method] = counts.get(method, 0) + 1
            counts["bytes"] += int(size)
    return counts


@contextlib.contextmanager
def log_files(files: int = 8, lines: int = 20_000, seed: int = 7) -> Iterator[list[str]]:
    """Write ``files`` access logs of ``lines`` lines in a temporary folder; yield their paths.

    The folder and the files are removed when the ``with`` block ends.
    """
    check_int("files", files, minimum=1)
    check_int("lines", lines, minimum=1)
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="course-logs-") as folder:
        paths = []
        for i in range(files):
            path = Path(folder) / f"access-{i:03d}.log"
            path.write_text("".join(
                f"2024-05-01T12:{j // 60 % 60:02d}:{j % 60:02d} {rng.choice(_METHODS)} "
                f"/items/{rng.randrange(10_000)} {rng.choice(_STATUS)} {rng.randrange(100_000)}\n"
                for j in range(lines)), encoding="ascii")
            paths.append(str(path))
        yield paths


def monte_carlo_pi(task: tuple) -> float:
    """Estimate pi from ``samples`` random points, with the task's own seed.

    ``task`` is ``(seed, samples)``, the seed a ``numpy.random.SeedSequence``
    (``monte_carlo_tasks`` makes independent ones). NumPy draws and compares in
    C and releases the GIL meanwhile, so threads can share this work.
    Runs in a worker process.
    """
    import numpy as np

    seed, samples = task
    rng = np.random.default_rng(seed)
    inside = 0
    for _ in range(max(1, samples // 100_000)):  # in blocks: memory stays small
        x = rng.random(100_000)
        y = rng.random(100_000)
        inside += int(np.count_nonzero(x * x + y * y < 1.0))
    return 4.0 * inside / (max(1, samples // 100_000) * 100_000)


def monte_carlo_tasks(tasks: int = 16, samples: int = 1_000_000, seed: int = 2024) -> list:
    """``(seed, samples)`` per task, with independent streams from ``SeedSequence.spawn``."""
    import numpy as np

    check_int("tasks", tasks, minimum=1)
    check_int("samples", samples, minimum=1)
    return [(s, samples) for s in np.random.SeedSequence(seed).spawn(tasks)]


def score_document(task: tuple[dict[str, float], list[str]]) -> float:
    """Score one document: the sum of the table's weights of its words; pure Python.

    ``task`` is ``(table, words)``, and every task refers to the *same* table:
    pickle writes it once per chunk of tasks, not once per task.
    Runs in a worker process.
    """
    table, words = task
    return round(sum(table.get(w, 0.0) for w in words), 6)


def scoring_tasks(documents: int = 48, words: int = 20_000, vocabulary: int = 50_000,
                  seed: int = 11) -> list[tuple[dict[str, float], list[str]]]:
    """Tasks ``(table, words)`` that all share one lookup table of ``vocabulary`` words."""
    check_int("documents", documents, minimum=1)
    rng = random.Random(seed)
    table = {f"w{i}": rng.random() for i in range(vocabulary)}
    keys = list(table)
    return [(table, [rng.choice(keys) for _ in range(words)]) for _ in range(documents)]


def collatz_longest(span: tuple[int, int]) -> tuple[int, int]:
    """The start in ``range(*span)`` whose Collatz sequence is longest, and its length.

    Pure Python; a wide span takes much longer than a narrow one, so a list of
    spans gives tasks of very uneven length. Runs in a worker process.
    """
    best, best_len = span[0], 0
    for n in range(*span):
        length, x = 1, n
        while x != 1:
            x = x // 2 if x % 2 == 0 else 3 * x + 1
            length += 1
        if length > best_len:
            best, best_len = n, length
    return best, best_len


def uneven_spans(tasks: int = 24, total: int = 40_000, seed: int = 3) -> list[tuple[int, int]]:
    """``tasks`` consecutive spans covering ``1..total``, widths up to about 30x apart."""
    check_int("tasks", tasks, minimum=1)
    rng = random.Random(seed)
    weights = [rng.choice((1, 1, 1, 2, 4, 8, 30)) for _ in range(tasks)]
    edges, start = [], 1
    for w in weights:
        width = max(1, total * w // sum(weights))
        edges.append((start, start + width))
        start += width
    return edges


#: name -> (worker function, a function that builds its inputs or a context manager)
JOBS = {
    "parsing files": (parse_log, log_files),
    "NumPy Monte Carlo": (monte_carlo_pi, monte_carlo_tasks),
    "shared lookup table": (score_document, scoring_tasks),
    "uneven tasks": (collatz_longest, uneven_spans),
}


def spin(seconds: float) -> None:
    """Keep one CPU busy for ``seconds``: the "other program" of ``make bench``'s busy runs.

    Runs in a worker process.
    """
    import time

    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        pass
