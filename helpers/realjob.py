"""Lesson 11: three real jobs, taken from serial to parallel and measured end to end.

1. **A folder of log files** parsed in pure Python (``write_logs``,
   ``parse_chunk``, ``merge``): I/O and CPU mixed, a combine step in each
   worker and a reduce step in the parent.
2. **A Monte Carlo estimate of pi** in NumPy (``pi_tasks``, ``pi_hits_task``):
   one independent, reproducible random stream per task from
   ``numpy.random.SeedSequence(seed).spawn(n)``.
3. **Many tasks that read one big table** (``make_table``, ``lookup_tasks``),
   given to the workers four ways (``run_way``): as an argument of every task,
   through an initializer, by fork inheritance, and in shared memory. Each
   worker measures its own memory at the end of its task (``Lookup``).

Worker functions say "Runs in a worker process" and return, never print.
``rounds`` times strategies in interleaved rounds; ``try_it`` takes any
function and inputs from ``helpers.advise`` to a verified speedup; ``bench_jobs``
is what ``make bench`` reports for this lesson.
"""

from __future__ import annotations

import cProfile
import gc
import multiprocessing as mp
import os
import pstats
import random
import secrets
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing import shared_memory
from pathlib import Path
from typing import NamedTuple

import numpy as np
import psutil

from helpers.args import check_int
from helpers.machine import default_start_method, machine_info
from helpers.units import duration
from helpers.verdict import speedup as verdict

__all__ = ["Summary", "write_logs", "parse_chunk", "merge", "pi_tasks", "pi_hits_task",
           "make_table", "lookup_tasks", "run_way", "WAYS", "rounds", "try_it", "bench_jobs"]


def _positive_int(name: str, value: object) -> int:
    return check_int(name, value, minimum=1)


def chunked(items: Sequence, size: int) -> list[list]:
    """``items`` cut into lists of ``size`` (the last may be shorter)."""
    _positive_int("size", size)
    items = list(items)
    return [items[i:i + size] for i in range(0, len(items), size)]


# --- measuring: interleaved rounds, profiles, arrival times -------------------------


@dataclass
class Timing:
    """The times of one strategy over the rounds, and the result it returned."""

    name: str
    times: list[float] = field(default_factory=list)
    result: object = None

    @property
    def best(self) -> float:
        return min(self.times)


def rounds(runs: dict[str, Callable[[], object]], repeats: int = 3,
           same: Callable[[object, object], bool] | None = None) -> dict[str, Timing]:
    """Time each callable once per round, interleaved, ``repeats`` rounds.

    The first callable is the reference (serial): every other one must return
    an equal result (``same(reference, result)``, default ``==``), else
    AssertionError. Another program's burst then slows every strategy alike.
    """
    _positive_int("repeats", repeats)
    if not runs:
        raise ValueError("runs is empty: give at least one callable to time")
    same = same or (lambda a, b: a == b)
    out = {name: Timing(name) for name in runs}
    reference = None
    for _ in range(repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            result = run()
            out[name].times.append(time.perf_counter() - start)
            out[name].result = result
            if reference is None:
                reference = result
            elif not same(reference, result):
                raise AssertionError(f"{name} returned a different result than "
                                     f"{next(iter(runs))}: parallel must equal serial")
    return out


def best_time(func: Callable, *args, repeats: int = 3) -> float:
    """The fastest of ``repeats`` timed calls of ``func(*args)``, in seconds."""
    _positive_int("repeats", repeats)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func(*args)
        times.append(time.perf_counter() - start)
    return min(times)


def profile_top(func: Callable, *args, limit: int = 6) -> list[tuple[str, int, float]]:
    """Run ``func(*args)`` under cProfile: the ``limit`` functions with the most own time.

    Returns (function, calls, share of the total time) rows, biggest first.
    """
    profiler = cProfile.Profile()
    profiler.runcall(func, *args)
    stats = pstats.Stats(profiler).stats
    total = sum(row[2] for row in stats.values()) or 1.0
    rows = sorted(stats.items(), key=lambda kv: kv[1][2], reverse=True)[:limit]
    return [(_where(key), row[1], row[2] / total) for key, row in rows]


def _where(key: tuple[str, int, str]) -> str:
    filename, _, name = key
    if filename == "~":  # a built-in: its name says it all
        return name
    return f"{Path(filename).name}:{name}"


def arrival_times(start_map: Callable[[], Iterable]) -> list[float]:
    """Call ``start_map()`` and iterate it: the seconds at which each result arrived.

    ``lambda: pool.map(...)`` returns only when every task is done, so all its
    results arrive at once; ``lambda: pool.imap_unordered(...)`` yields each
    result as soon as a worker sends it.
    """
    start = time.perf_counter()
    return [time.perf_counter() - start for _ in start_map()]


def decide(advice) -> str:
    """The decision an ``Advice`` (``helpers.advise``) supports, as one sentence."""
    choice = advice.choice
    if choice.strategy == "serial":
        return "the advice is serial: the lesson parallelises anyway, to test it."
    return (f"the advice is {choice.label()}, predicted {choice.speedup:.2f}x "
            "faster than serial, start-up included.")


# --- job 1: a folder of log files ----------------------------------------------------

PATHS = ("/", "/login", "/api/items", "/api/items/42", "/api/search", "/static/app.js",
         "/static/style.css", "/cart", "/checkout", "/help")
STATUSES = (200, 200, 200, 200, 200, 200, 304, 301, 404, 500)


@dataclass(frozen=True)
class Summary:
    """What a set of log files says. Equal summaries have equal counts.

    ``pids`` (the processes that parsed) and ``tasks`` (how many parse calls
    were merged) show how the work was done; they do not take part in ``==``.
    """

    files: int = 0
    lines: int = 0
    bad_lines: int = 0
    status: Counter = field(default_factory=Counter)
    paths: Counter = field(default_factory=Counter)
    bytes_sent: int = 0
    latency_us: int = 0
    pids: frozenset = field(default=frozenset(), compare=False)
    tasks: int = field(default=0, compare=False)

    def top_paths(self, n: int = 3) -> list[tuple[str, int]]:
        return sorted(self.paths.items(), key=lambda kv: (-kv[1], kv[0]))[:n]


def write_logs(folder: str | os.PathLike, files: int = 32, lines: int = 4000,
               seed: int = 0) -> list[str]:
    """Write ``files`` CSV access logs of ``lines`` lines into ``folder``; their paths.

    About one line in a hundred is damaged, as in real logs. The same seed
    gives the same files.
    """
    _positive_int("files", files)
    _positive_int("lines", lines)
    folder = Path(folder)
    if not folder.is_dir():
        raise ValueError(f"folder must be an existing directory, got {str(folder)!r}")
    out = []
    for i in range(files):
        rng = random.Random(seed * 100_003 + i)
        rows = ["time,host,method,path,status,bytes,latency_us"]
        for j in range(lines):
            if rng.random() < 0.01:
                rows.append("#### truncated line")
                continue
            rows.append(f"{i:03d}:{j:06d},10.0.{rng.randrange(256)}.{rng.randrange(256)},"
                        f"{rng.choice(('GET', 'GET', 'POST'))},{rng.choice(PATHS)},"
                        f"{rng.choice(STATUSES)},{rng.randrange(100, 60_000)},"
                        f"{int(rng.expovariate(1 / 20_000))}")
        path = folder / f"access-{i:03d}.csv"
        path.write_text("\n".join(rows) + "\n")
        out.append(str(path))
    return out


def parse_text(text: str) -> Summary:
    """Summarise the text of one log file (pure Python: split, int, count)."""
    status: Counter = Counter()
    paths: Counter = Counter()
    lines = bad = sent = latency = 0
    for line in text.splitlines()[1:]:
        lines += 1
        parts = line.split(",")
        try:
            code, nbytes, micros = int(parts[4]), int(parts[5]), int(parts[6])
        except (IndexError, ValueError):
            bad += 1
            continue
        status[code] += 1
        paths[parts[3]] += 1
        sent += nbytes
        latency += micros
    return Summary(1, lines, bad, status, paths, sent, latency)


def parse_chunk(paths: Sequence[str]) -> Summary:
    """Read and summarise a chunk of files, merged into one Summary (a combine step).

    Runs in a worker process; returns one small Summary per chunk, not per file.
    """
    merged = merge(parse_text(Path(p).read_text()) for p in paths)
    return Summary(merged.files, merged.lines, merged.bad_lines, merged.status,
                   merged.paths, merged.bytes_sent, merged.latency_us,
                   frozenset({os.getpid()}), 1)


def merge(summaries: Iterable[Summary]) -> Summary:
    """The reduce step: add summaries up, in any order (all counts are integers)."""
    files = lines = bad = sent = latency = tasks = 0
    status: Counter = Counter()
    paths: Counter = Counter()
    pids: set = set()
    for s in summaries:
        files, lines, bad = files + s.files, lines + s.lines, bad + s.bad_lines
        sent, latency, tasks = sent + s.bytes_sent, latency + s.latency_us, tasks + s.tasks
        status.update(s.status)
        paths.update(s.paths)
        pids |= s.pids
    return Summary(files, lines, bad, status, paths, sent, latency, frozenset(pids), tasks)


def stage_times(paths: Sequence[str]) -> tuple[dict[str, float], Summary]:
    """The serial job split by stage: read the files, parse them, merge the parts."""
    t0 = time.perf_counter()
    texts = [Path(p).read_text() for p in paths]
    t1 = time.perf_counter()
    parts = [parse_text(t) for t in texts]
    t2 = time.perf_counter()
    total = merge(parts)
    t3 = time.perf_counter()
    return {"read": t1 - t0, "parse": t2 - t1, "merge": t3 - t2}, total


def read_bytes(paths: Sequence[str]) -> int:
    """Read every file (the I/O stage alone); the number of bytes read."""
    return sum(len(Path(p).read_bytes()) for p in paths)


def evict(paths: Sequence[str]) -> bool:
    """Ask the OS to drop these files from its page cache (Linux); False where it cannot.

    ``posix_fadvise(POSIX_FADV_DONTNEED)`` drops clean cached pages of a file
    without root. A file system kept in RAM (tmpfs) has nowhere to drop them to.
    """
    if not hasattr(os, "posix_fadvise"):
        return False
    for p in paths:
        fd = os.open(p, os.O_RDONLY)
        try:
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
        finally:
            os.close(fd)
    return True


def cache_times(paths: Sequence[str], repeats: int = 3) -> tuple[float | None, float]:
    """(fastest read right after ``evict``, fastest warm read) of all ``paths``.

    The cold time is None where the OS cannot drop files from its cache.
    """
    cold: list[float] = []
    warm: list[float] = []
    for _ in range(repeats):
        if evict(paths):
            start = time.perf_counter()
            read_bytes(paths)
            cold.append(time.perf_counter() - start)
        start = time.perf_counter()
        read_bytes(paths)
        warm.append(time.perf_counter() - start)
    return (min(cold) if cold else None), min(warm)


def cache_verdict(cold: float | None, warm: float, parse: float, fs: str) -> str:
    """What the cache measurement means for this job, from its numbers."""
    if fs == "tmpfs":
        return ("here the folder is in RAM (tmpfs): there is no disk behind it, so "
                "no cold read to show. A folder on a disk would add its read time.")
    if cold is None:
        return (f"here the OS cannot drop files on request; the warm read took "
                f"{duration(warm)}. A first read from a disk can take much longer.")
    if cold > parse:
        return (f"here a cold read ({duration(cold)}) costs more than parsing "
                f"({duration(parse)}): cold, this job waits for the disk, and more "
                "processes do not make a disk faster.")
    return (f"here even a cold read ({duration(cold)}, warm {duration(warm)}) is "
            f"small next to parsing ({duration(parse)}): warm or cold, the job is "
            "CPU-bound, so processes can help.")


def file_system(path: str | os.PathLike) -> str:
    """The type of file system ``path`` is on (ext4, apfs, ntfs, tmpfs...), or '?'."""
    path = os.path.realpath(path)
    best = ("", "?")
    for part in psutil.disk_partitions(all=True):
        mount = part.mountpoint
        if (path == mount or path.startswith(mount.rstrip(os.sep) + os.sep)) \
                and len(mount) > len(best[0]):
            best = (mount, part.fstype or "?")
    return best[1]


# --- job 2: Monte Carlo pi with one random stream per task ---------------------------

BLOCK = 1 << 18  # points drawn at a time: 4 MB of arrays, whatever the task's size


def pi_hits(seed: np.random.SeedSequence | int | Sequence[int], points: int) -> int:
    """How many of ``points`` random points in the unit square fall in the quarter circle.

    The stream comes from ``seed`` alone, so the same seed gives the same count
    in any process. NumPy releases the GIL while it draws and computes.
    """
    rng = np.random.default_rng(seed)
    hits, left = 0, points
    while left > 0:
        n = min(left, BLOCK)
        x, y = rng.random(n), rng.random(n)
        hits += int(np.count_nonzero(x * x + y * y <= 1.0))
        left -= n
    return hits


def pi_stages(seed, points: int) -> dict[str, float]:
    """One task of ``points`` points split by stage: draw the points, then count hits.

    cProfile sees Python-level calls only: time spent inside NumPy's operators
    lands on the function that uses them, so stage times tell more here.
    """
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    x, y = rng.random(points), rng.random(points)
    t1 = time.perf_counter()
    np.count_nonzero(x * x + y * y <= 1.0)
    t2 = time.perf_counter()
    return {"draw": t1 - t0, "count": t2 - t1}


def pi_hits_task(task: tuple) -> int:
    """``pi_hits(*task)`` for ``map``. Runs in a worker process (or thread)."""
    seed, points = task
    return pi_hits(seed, points)


def pi_tasks(seed: int, points: int, tasks: int = 16) -> list[tuple]:
    """Split ``points`` over ``tasks`` tasks, each with its own child SeedSequence.

    The split depends on ``tasks``, never on the number of workers: that is
    what makes the answer the same on 1 worker or 64.
    """
    _positive_int("points", points)
    _positive_int("tasks", tasks)
    children = np.random.SeedSequence(seed).spawn(tasks)
    sizes = [points // tasks + (i < points % tasks) for i in range(tasks)]
    return list(zip(children, sizes, strict=True))


def pi_hits_python(seed: int, points: int) -> int:
    """The same count with a pure-Python loop (``random.Random``), one point at a time."""
    rng = random.Random(seed)
    draw = rng.random
    return sum(1 for _ in range(points) if draw() ** 2 + draw() ** 2 <= 1.0)


def legacy_draws(queue, count: int = 3) -> None:
    """Put this process's pid and its next ``count`` legacy ``np.random`` draws on ``queue``.

    Runs in a worker process. ``np.random.random`` uses one global RandomState
    per process; fork copies the parent's, so every fork child draws the same.
    """
    queue.put((os.getpid(), [float(x) for x in np.random.random(count)]))


#: Run with ``run_snippet`` (a subprocess with a time limit): two fork children
#: and two spawn children each report their first legacy draws as JSON.
LEGACY_SNIPPET = """
import json, multiprocessing as mp, warnings
import numpy as np
from helpers.realjob import legacy_draws

if __name__ == "__main__":
    np.random.random()  # the parent uses the global state before starting workers
    report = {}
    for method in ("fork", "spawn"):
        if method not in mp.get_all_start_methods():
            continue
        ctx = mp.get_context(method)
        queue = ctx.Queue()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            procs = [ctx.Process(target=legacy_draws, args=(queue,)) for _ in range(2)]
            for p in procs:
                p.start()
        draws = [queue.get(timeout=20) for _ in procs]
        for p in procs:
            p.join(timeout=10)
        report[method] = draws
    print(json.dumps(report))
"""


def run_threads(func: Callable, inputs: Sequence, workers: int) -> list:
    """``map(func, inputs)`` on a thread pool of ``workers`` threads."""
    with ThreadPoolExecutor(workers) as ex:
        return list(ex.map(func, inputs))


# --- job 3: one big read-only table for many tasks -----------------------------------


class Lookup(NamedTuple):
    """One task's answer and the memory of the process that computed it."""

    value: float
    pid: int
    uss: int | None  # bytes only this process holds (None where psutil cannot tell)
    rss: int         # bytes resident, counting pages shared with other processes


def memory_now() -> tuple[int | None, int]:
    """(USS, RSS) of this process in bytes; USS is None where psutil cannot read it."""
    proc = psutil.Process()
    try:
        info = proc.memory_full_info()
        return info.uss, info.rss
    except (psutil.AccessDenied, AttributeError):
        return None, proc.memory_info().rss


def make_table(megabytes: int = 64, seed: int = 0) -> np.ndarray:
    """A read-only lookup table of float64 values, ``megabytes`` MiB big."""
    _positive_int("megabytes", megabytes)
    table = np.random.default_rng(seed).random(megabytes * 2**20 // 8)
    table.flags.writeable = False
    return table


def lookup_tasks(tasks: int = 8, lookups: int = 1_000_000) -> list[tuple[int, int]]:
    """(seed, how many lookups) per task: each task reads the table at random places."""
    _positive_int("tasks", tasks)
    _positive_int("lookups", lookups)
    return [(i, lookups) for i in range(tasks)]


def lookup(table: np.ndarray, task: tuple[int, int]) -> float:
    """Sum the table at ``task``'s random positions (the work of one task)."""
    seed, count = task
    where = np.random.default_rng(seed).integers(0, len(table), count)
    return float(table[where].sum())


def lookup_stages(table: np.ndarray, task: tuple[int, int]) -> dict[str, float]:
    """One task split by stage: draw the positions, then gather and add the values."""
    seed, count = task
    t0 = time.perf_counter()
    where = np.random.default_rng(seed).integers(0, len(table), count)
    t1 = time.perf_counter()
    float(table[where].sum())
    t2 = time.perf_counter()
    return {"positions": t1 - t0, "gather and sum": t2 - t1}


def _measured(value: float) -> Lookup:
    uss, rss = memory_now()
    return Lookup(value, os.getpid(), uss, rss)


def lookup_arg(table: np.ndarray, task: tuple[int, int]) -> Lookup:
    """One task with the table as its argument (pickled with every task).

    Runs in a worker process; measures its memory while the table is alive.
    """
    return _measured(lookup(table, task))


_TABLE: np.ndarray | None = None  # the table a worker got once (initializer, fork, shm)
_SEGMENT: shared_memory.SharedMemory | None = None


def keep_table(table: np.ndarray | None) -> None:
    """Initializer: keep ``table`` for every later task of this worker (None forgets it)."""
    global _TABLE
    _TABLE = table


def lookup_kept(task: tuple[int, int]) -> Lookup:
    """One task on the table this worker was given once. Runs in a worker process."""
    if _TABLE is None:
        raise RuntimeError("this worker has no table: start the pool with "
                           "initializer=keep_table or attach_table, or fork after keep_table")
    return _measured(lookup(_TABLE, task))


def worker_memory(_: object = None) -> Lookup:
    """A worker's memory before it touches any table (the baseline). Runs in a worker."""
    return _measured(0.0)


class TableSpec(NamedTuple):
    """What a worker needs to find a table in shared memory."""

    name: str
    length: int


@contextmanager
def shared_table(table: np.ndarray):
    """Copy ``table`` into a new shared-memory segment; yield its TableSpec.

    The segment is closed and unlinked on leaving the block, also on an error.
    """
    shm = shared_memory.SharedMemory(create=True, size=table.nbytes,
                                     name=f"course_{secrets.token_hex(6)}")
    try:
        view = np.ndarray(table.shape, table.dtype, buffer=shm.buf)
        view[:] = table
        del view  # no array may point into the segment when it closes
        yield TableSpec(shm.name, len(table))
    finally:
        shm.close()
        shm.unlink()


def attach_table(spec: TableSpec) -> None:
    """Initializer: map the shared segment and keep a read-only view of it as the table.

    Before 3.13, opening registers the segment with the resource tracker that
    spawn and fork workers share with their parent: harmless, the owner
    unregisters it when it unlinks. 3.13 added ``track=False`` (gh-82300).
    """
    global _SEGMENT
    extra = {"track": False} if sys.version_info >= (3, 13) else {}
    _SEGMENT = shared_memory.SharedMemory(name=spec.name, **extra)
    view = np.ndarray((spec.length,), np.float64, buffer=_SEGMENT.buf)
    view.flags.writeable = False
    keep_table(view)


WAYS = ("argument", "initializer", "fork", "shared memory")


def fork_available() -> bool:
    return "fork" in mp.get_all_start_methods()


def run_way(way: str, table: np.ndarray, tasks: Sequence[tuple[int, int]],
            workers: int) -> list[Lookup]:
    """Run ``tasks`` on a new pool of ``workers`` that gets ``table`` by ``way``.

    "argument", "initializer" and "shared memory" use spawn, the start method
    every platform has (with fork, an initializer's arguments are inherited,
    not sent). "fork" needs fork: ValueError where it does not exist.
    """
    _positive_int("workers", workers)
    try:
        return _run_way(way, table, list(tasks), workers)
    finally:
        # A closed spawn Pool keeps its queues' named semaphores in /dev/shm until
        # the Pool object, caught in reference cycles, is collected: collect now.
        gc.collect()


def _run_way(way: str, table: np.ndarray, tasks: list, workers: int) -> list[Lookup]:
    if way == "argument":
        with mp.get_context("spawn").Pool(workers) as pool:
            return pool.starmap(lookup_arg, [(table, t) for t in tasks], chunksize=1)
    if way == "initializer":
        with mp.get_context("spawn").Pool(workers, keep_table, (table,)) as pool:
            return pool.map(lookup_kept, tasks, chunksize=1)
    if way == "shared memory":
        with shared_table(table) as spec, \
                mp.get_context("spawn").Pool(workers, attach_table, (spec,)) as pool:
            return pool.map(lookup_kept, tasks, chunksize=1)
    if way == "fork":
        if not fork_available():
            raise ValueError("fork is not available on this platform (Windows)")
        keep_table(table)  # the children get the parent's memory, this global included
        try:
            with warnings.catch_warnings():
                # 3.12+ warns that fork() in a multi-threaded process (a kernel) may
                # deadlock (gh-100228); these children only read an array.
                warnings.simplefilter("ignore", DeprecationWarning)
                pool = mp.get_context("fork").Pool(workers)
            with pool:
                return pool.map(lookup_kept, tasks, chunksize=1)
        finally:
            keep_table(None)
    raise ValueError(f"way must be one of {', '.join(WAYS)}; got {way!r}")


class PeakRSS:
    """Samples this process's RSS every few milliseconds in a thread; ``extra`` is the peak
    above the RSS at the start. A context manager."""

    def __init__(self, every: float = 0.005) -> None:
        self.every = every
        self.start = self.peak = psutil.Process().memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        proc = psutil.Process()
        while not self._stop.wait(self.every):
            self.peak = max(self.peak, proc.memory_info().rss)

    def __enter__(self) -> PeakRSS:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, psutil.Process().memory_info().rss)

    @property
    def extra(self) -> int:
        return self.peak - self.start


@dataclass
class WayResult:
    """One way of giving the table: its fastest time and the memory it took."""

    way: str
    best: float
    worker_uss: int | None   # the largest USS of a worker at the end of a task
    worker_rss: int          # the largest RSS of a worker at the end of a task
    parent_extra: int        # the parent's peak RSS above its start
    workers: int             # how many worker pids computed the results


def compare_ways(table: np.ndarray, tasks: Sequence[tuple[int, int]],
                 ways: Sequence[str], workers: int, repeats: int = 2
                 ) -> tuple[float, list[WayResult]]:
    """Serial and each way, in interleaved rounds, pool start-up included.

    Returns the fastest serial time and one WayResult per way. Raises
    AssertionError when a way returns other values than serial.
    """
    _positive_int("repeats", repeats)
    tasks = list(tasks)
    serial_times: list[float] = []
    found: dict[str, dict] = {w: {"times": [], "uss": [], "rss": [], "extra": [],
                                  "pids": set()} for w in ways}
    expected = None
    for _ in range(repeats):
        start = time.perf_counter()
        expected = [lookup(table, t) for t in tasks]
        serial_times.append(time.perf_counter() - start)
        for way in ways:
            with PeakRSS() as peak:
                start = time.perf_counter()
                got = run_way(way, table, tasks, workers)
                found[way]["times"].append(time.perf_counter() - start)
            if [r.value for r in got] != expected:
                raise AssertionError(f"{way} returned other values than serial")
            f = found[way]
            f["uss"] += [r.uss for r in got]
            f["rss"] += [r.rss for r in got]
            f["extra"].append(peak.extra)
            f["pids"] |= workers_seen(got)
    out = []
    for way, f in found.items():
        uss = None if None in f["uss"] else max(f["uss"])
        out.append(WayResult(way, min(f["times"]), uss, max(f["rss"]),
                             max(f["extra"]), len(f["pids"])))
    return min(serial_times), out


def way_lines(serial: float, results: Sequence[WayResult]) -> list[str]:
    """The memory table as text, one line per way, serial first."""
    lines = [f"{'way':>14} {'time':>10} {'worker USS':>11} {'worker RSS':>11} "
             f"{'parent +RSS':>11}", f"{'serial':>14} {duration(serial):>10}"]
    for r in results:
        lines.append(f"{r.way:>14} {duration(r.best):>10} {mib(r.worker_uss):>11} "
                     f"{mib(r.worker_rss):>11} {mib(r.parent_extra):>11}")
    return lines


def memory_verdict(table_bytes: int, results: Sequence[WayResult]) -> str:
    """Which ways gave each worker a private copy, from the measured USS."""
    if any(r.worker_uss is None for r in results):
        return "here psutil cannot read USS, so only RSS is shown."
    copied = [r.way for r in results if r.worker_uss >= table_bytes * 0.9]
    shared = [r.way for r in results if r.worker_uss < table_bytes * 0.5]
    parts = []
    if copied:
        parts.append(f"a private copy of the table in each worker: {', '.join(copied)}")
    if shared:
        parts.append(f"no private copy (USS under half the table): {', '.join(shared)}")
    return "here " + "; ".join(parts) + "." if parts else "here no way stood out."


def workers_seen(results: Sequence[Lookup], parent: int | None = None) -> set[int]:
    """The pids that computed ``results``, the parent's excluded."""
    parent = os.getpid() if parent is None else parent
    return {r.pid for r in results} - {parent}


def mib(nbytes: int | None) -> str:
    """``64.0 MiB``, or ``n/a`` when a size could not be measured."""
    return "n/a" if nbytes is None else f"{nbytes / 2**20:.1f} MiB"


# --- your own function: measure, advise, parallelise, verify --------------------------


@dataclass
class Trial:
    """What ``try_it`` found for one function and its inputs."""

    tasks: int
    strategy: str
    start_method: str
    serial: float
    parallel: float
    advice: object  # a helpers.advisor.Advice
    same: bool
    verdict: str

    def lines(self) -> list[str]:
        choice = self.advice.choice
        return [
            f"{self.tasks} tasks of about {duration(self.advice.sample.mean)} each",
            f"advice: {choice.label()} (predicted {choice.speedup:.2f}x). "
            f"{self.advice.reason}",
            f"measured: serial {duration(self.serial)}, {self.strategy} "
            f"{duration(self.parallel)} (start-up included, start method: "
            f"{self.start_method})",
            f"same results as serial: {self.same}",
            self.verdict,
        ]


def try_it(func: Callable, inputs: Sequence, repeats: int = 3,
           budget: float = 2.0) -> Trial:
    """Advise on ``func`` over ``inputs``, then run the advice and serial in rounds.

    When the advice is serial, a Pool with a worker per usable CPU (2 at least)
    is run instead, so that the verdict shows what parallel would have cost. Every parallel run
    starts its pool or executor (start-up counted: end to end).
    """
    from helpers.advisor import advise  # here: spawn workers need not load it

    inputs = list(inputs)
    if not inputs:
        raise ValueError("inputs is empty: give at least one input")
    _positive_int("repeats", repeats)
    advice = advise(func, inputs, budget=budget)
    cpus = machine_info().usable_cpus
    choice = advice.choice
    method = default_start_method()
    ctx = mp.get_context(method)
    if choice.strategy == "serial":  # measure what it advised against: a full Pool
        strategy, workers, chunksize = "pool", max(2, cpus), None
        label = f"Pool.map with {workers} workers (advised against)"
    else:
        strategy, workers, chunksize = choice.strategy, choice.workers, choice.chunksize
        label = choice.label()

    def parallel() -> list:
        if strategy == "threads":
            return run_threads(func, inputs, workers)
        if strategy == "executor":
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(workers, mp_context=ctx) as ex:
                return list(ex.map(func, inputs, chunksize=chunksize or 1))
        with ctx.Pool(workers) as pool:
            return pool.map(func, inputs, chunksize=chunksize)

    timed = rounds({"serial": lambda: [func(x) for x in inputs], "parallel": parallel},
                   repeats, same=lambda a, b: True)
    same = timed["serial"].result == timed["parallel"].result
    line = verdict(timed["serial"].best, timed["parallel"].best, workers=workers,
                   usable_cpus=cpus, tasks=len(inputs),
                   label=label, why_slow="start-up and sending the work cost more "
                   "than they saved")
    return Trial(len(inputs), label, method, timed["serial"].best,
                 timed["parallel"].best, advice, same, line)


# --- make bench -----------------------------------------------------------------------


def bench_jobs(repeats: int = 3) -> list[dict]:
    """Each job's serial time, best parallel time and speedup, for ``make bench``.

    Jobs 1 and 2 are timed with warm pools (started before the rounds) and one
    worker per usable CPU; job 3 counts start-up, since providing the table is
    start-up work. Times are the fastest of interleaved rounds.
    """
    cpus = machine_info().usable_cpus
    ctx = mp.get_context(default_start_method())
    rows = []
    with tempfile.TemporaryDirectory(prefix="course-realjob-") as tmp:
        paths = write_logs(tmp, files=32, lines=6000)
        chunks = chunked(paths, max(1, len(paths) // (cpus * 4)))
        pi = pi_tasks(2026, 32_000_000)
        with ctx.Pool(cpus) as pool:
            pool.map(abs, range(cpus * 4))  # every worker up before the rounds
            jobs = {
                "log files": {
                    "serial": lambda: parse_chunk(paths),
                    "pool": lambda: merge(pool.imap_unordered(parse_chunk, chunks)),
                },
                "monte carlo": {
                    "serial": lambda: [pi_hits_task(t) for t in pi],
                    "pool": lambda: pool.map(pi_hits_task, pi, chunksize=1),
                    "threads": lambda: run_threads(pi_hits_task, pi, cpus),
                },
            }
            for job, runs in jobs.items():
                rows.append(_bench_row(job, rounds(runs, repeats), cpus))
    table = make_table(64)
    tasks = lookup_tasks(4, 2_000_000)
    runs = {"serial": lambda: [lookup(table, t) for t in tasks]}
    for way in WAYS:
        if way != "fork" or fork_available():
            runs[way] = lambda w=way: [r.value for r in run_way(w, table, tasks, cpus)]
    rows.append(_bench_row("big table", rounds(runs, repeats), cpus))
    return rows


def _bench_row(job: str, timed: dict[str, Timing], cpus: int) -> dict:
    serial = timed.pop("serial").best
    best = min(timed.values(), key=lambda t: t.best)
    return {"job": job, "serial_s": serial, "parallel_s": best.best, "best": best.name,
            "workers": cpus, "speedup": serial / best.best}
