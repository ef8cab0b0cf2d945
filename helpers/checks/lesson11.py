"""Checks for the exercises of lesson 11 (Speed up a real job, end to end).

Each check looks at how the answer was reached as well as at the answer:
the worker pids and the number of chunks behind a summary, the random
streams behind an estimate, the memory of the workers behind the lookups.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import tempfile
from pathlib import Path

import numpy as np

from helpers import realjob as rj
from helpers.checks import feedback, get_function


def write_starter(filename: str, source: str) -> None:
    """Write an exercise's starter file next to the notebook, unless the learner has one.

    A learner's own file is never overwritten: delete it to get the starter back.
    """
    path = Path(filename)
    if not path.exists():
        path.write_text(source)
    print(f"Your file: {filename}. Open it from JupyterLab's file browser, edit it, "
          "save it, then run the check.")


# --- exercise 1: parallelise the folder job --------------------------------------------


def check_summarise_folder(module: str = "my_files", files: int = 24,
                           workers: int = 2) -> bool:
    """``summarise_folder(paths, workers)``: serial's Summary, from chunks on worker processes."""
    func = get_function(module, "summarise_folder")
    if func is None:
        return False
    with tempfile.TemporaryDirectory(prefix="course-check11-") as tmp:
        paths = rj.write_logs(tmp, files=files, lines=1500, seed=11)
        expected = rj.parse_chunk(paths)
        try:
            got = func(paths, workers)
        except Exception as exc:
            return feedback(False, "", f"summarise_folder raised {type(exc).__name__}: {exc}")
    if not isinstance(got, rj.Summary):
        return feedback(False, "", f"return the merged Summary (rj.merge of the parts), "
                        f"not a {type(got).__name__}.")
    if got != expected:
        return feedback(False, "", f"the counts differ from serial's ({got.lines:,} lines "
                        f"instead of {expected.lines:,}): merge every chunk's Summary once.")
    pids = set(got.pids) - {os.getpid()}
    if not pids or os.getpid() in got.pids:
        return feedback(False, "", "the files were parsed in this process: map parse_chunk "
                        "over the chunks with a Pool or ProcessPoolExecutor.")
    if len(pids) < 2:
        return feedback(False, "", f"only one worker process (pid {min(pids)}) did the work: "
                        f"give the pool {workers} workers and more than one chunk.")
    if got.tasks <= 1:
        return feedback(False, "", "all the files went in one task: cut them into chunks "
                        "(rj.chunked(paths, size)).")
    if got.tasks >= files:
        return feedback(False, "", f"{got.tasks} tasks for {files} files: one message per "
                        "file. Group several files per task (rj.chunked).")
    return feedback(True, f"serial's counts, from {got.tasks} chunks on {len(pids)} "
                    "worker processes.", "")


# --- exercise 2: seed the Monte Carlo job ----------------------------------------------


def _hits(tasks) -> int:
    return sum(rj.pi_hits_task(t) for t in tasks)


def check_make_tasks(module: str = "my_seeds", points: int = 200_000,
                     seed: int = 7) -> bool:
    """``make_tasks(seed, points, workers)``: independent, reproducible streams whose
    answer does not depend on the number of workers."""
    func = get_function(module, "make_tasks")
    if func is None:
        return False
    try:
        by_workers = {w: list(func(seed, points, w)) for w in (1, 2, 4)}
    except Exception as exc:
        return feedback(False, "", f"make_tasks raised {type(exc).__name__}: {exc}")
    for w, tasks in by_workers.items():
        if not tasks or not all(isinstance(t, tuple) and len(t) == 2 for t in tasks):
            return feedback(False, "", "return a list of (seed, points) pairs, one per task.")
        if sum(n for _, n in tasks) != points:
            return feedback(False, "", f"with {w} worker(s) the tasks cover "
                            f"{sum(n for _, n in tasks):,} points, not {points:,}.")
    if any(isinstance(s, (np.random.Generator, np.random.BitGenerator))
           for tasks in by_workers.values() for s, _ in tasks):
        return feedback(False, "", "send seeds (SeedSequence children or ints), not "
                        "Generators: a Generator changes as it draws, so the answer would "
                        "depend on what drew from it before.")
    firsts = [tuple(np.random.default_rng(s).random(4)) for s, _ in by_workers[2]]
    if len(set(firsts)) < len(firsts):
        return feedback(False, "", "two tasks draw the same random numbers: give each task "
                        "its own child of SeedSequence(seed).spawn(n).")
    hits = {w: _hits(tasks) for w, tasks in by_workers.items()}
    if _hits(func(seed, points, 2)) != hits[2]:
        return feedback(False, "", "the same seed gave another answer: build the streams "
                        "from `seed` (SeedSequence(seed)), not from fresh entropy.")
    if len(set(hits.values())) > 1:
        return feedback(False, "", "the answer changes with the number of workers: fix the "
                        "number of tasks (and their seeds) whatever `workers` is.")
    if _hits(func(seed + 1, points, 2)) == hits[2]:
        return feedback(False, "", "another seed gave the same answer: use `seed`.")
    with mp.get_context("spawn").Pool(2) as pool:
        remote = sum(pool.map(rj.pi_hits_task, list(func(seed, points, 2)), chunksize=1))
    del pool
    gc.collect()  # a closed spawn Pool's semaphores go when the Pool object does
    if remote != hits[2]:
        return feedback(False, "", "worker processes got other numbers than this process: "
                        "send seeds (SeedSequence children or ints) that travel whole.")
    return feedback(True, f"{len(by_workers[2])} distinct streams, the same answer for 1, 2 "
                    "and 4 workers, in this process and in spawned workers.", "")


# --- exercise 3: give the big table the cheapest way -----------------------------------


def baseline_uss() -> int | None:
    """USS of a fresh spawn worker that has imported the course (no table yet)."""
    with mp.get_context("spawn").Pool(1) as pool:
        uss = pool.apply(rj.worker_memory).uss
    del pool
    gc.collect()  # a closed spawn Pool's semaphores go when the Pool object does
    return uss


def check_run_lookups(module: str = "my_table", megabytes: int = 48,
                      tasks: int = 4) -> bool:
    """``run_lookups(table, tasks, workers)``: serial's values, from worker processes,
    each holding much less than a private copy of the table."""
    func = get_function(module, "run_lookups")
    if func is None:
        return False
    table = rj.make_table(megabytes, seed=3)
    work = rj.lookup_tasks(tasks, 300_000)
    expected = [rj.lookup(table, t) for t in work]
    try:
        got = list(func(table, work, 2))
    except Exception as exc:
        return feedback(False, "", f"run_lookups raised {type(exc).__name__}: {exc}")
    if not all(isinstance(r, rj.Lookup) for r in got):
        return feedback(False, "", "return the Lookups the course's workers return "
                        "(rj.lookup_arg or rj.lookup_kept), in task order.")
    if [r.value for r in got] != expected:
        return feedback(False, "", "the values differ from serial's: one Lookup per task, "
                        "in the order of the tasks (map keeps it).")
    if any(r.pid == os.getpid() for r in got) or not rj.workers_seen(got):
        return feedback(False, "", "the lookups ran in this process: use a pool.")
    peak = [r.uss for r in got]
    if None in peak:
        return feedback(True, "serial's values from worker processes (this platform "
                        "cannot measure USS, so memory was not checked).", "")
    bound = (baseline_uss() or 0) + table.nbytes // 2
    if max(peak) > bound:
        return feedback(False, "", f"a worker held {rj.mib(max(peak))} of its own, above "
                        f"{rj.mib(bound)} (an empty worker plus half the table): it has a "
                        "private copy. Share the table (fork or shared memory).")
    return feedback(True, "serial's values, and no worker held a private copy of the "
                    "table (each one's USS stayed under an empty worker's plus half the "
                    "table).", "")
