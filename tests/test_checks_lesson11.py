"""The lesson 11 checks: a right answer, a different right answer, a wrong value
and a right value reached the wrong way, for each exercise."""

from __future__ import annotations

import pytest

from helpers.checks import lesson11

# --- exercise 1 ------------------------------------------------------------------------

FILES_RIGHT = """
import multiprocessing as mp
from helpers import realjob as rj

def summarise_folder(paths, workers):
    chunks = rj.chunked(paths, 4)
    with mp.Pool(workers) as pool:
        return rj.merge(pool.imap_unordered(rj.parse_chunk, chunks))
"""
FILES_EXECUTOR = """
from concurrent.futures import ProcessPoolExecutor
from helpers import realjob as rj

def summarise_folder(paths, workers):
    chunks = [paths[i::6] for i in range(6)]
    with ProcessPoolExecutor(workers) as ex:
        return rj.merge(ex.map(rj.parse_chunk, chunks))
"""
FILES_WRONG_VALUE = """
import multiprocessing as mp
from helpers import realjob as rj

def summarise_folder(paths, workers):
    chunks = rj.chunked(paths, 4)
    with mp.Pool(workers) as pool:
        return rj.merge(pool.imap_unordered(rj.parse_chunk, chunks[1:]))
"""
FILES_SERIAL = """
from helpers import realjob as rj

def summarise_folder(paths, workers):
    return rj.merge(rj.parse_chunk(c) for c in rj.chunked(paths, 4))
"""
FILES_ONE_PER_FILE = """
import multiprocessing as mp
from helpers import realjob as rj

def summarise_folder(paths, workers):
    with mp.Pool(workers) as pool:
        return rj.merge(pool.map(rj.parse_chunk, [[p] for p in paths]))
"""
FILES_THREADS = """
from concurrent.futures import ThreadPoolExecutor
from helpers import realjob as rj

def summarise_folder(paths, workers):
    with ThreadPoolExecutor(workers) as ex:
        return rj.merge(ex.map(rj.parse_chunk, rj.chunked(paths, 4)))
"""


@pytest.mark.parametrize("source", [FILES_RIGHT, FILES_EXECUTOR])
def test_summarise_folder_right(learner, capsys, source):
    learner("my_files", source)
    assert lesson11.check_summarise_folder() is True
    assert capsys.readouterr().out.startswith("✅")


@pytest.mark.parametrize("source, hint", [
    (FILES_WRONG_VALUE, "counts differ"),
    (FILES_SERIAL, "parsed in this process"),
    (FILES_THREADS, "parsed in this process"),
    (FILES_ONE_PER_FILE, "one message per file"),
])
def test_summarise_folder_wrong(learner, capsys, source, hint):
    learner("my_files", source)
    assert lesson11.check_summarise_folder() is False
    out = capsys.readouterr().out
    assert out.startswith("❌") and hint in out


def test_summarise_folder_one_chunk(learner, capsys):
    learner("my_files", """
import multiprocessing as mp
from helpers import realjob as rj

def summarise_folder(paths, workers):
    with mp.Pool(workers) as pool:
        return rj.merge(pool.map(rj.parse_chunk, [paths]))
""")
    assert lesson11.check_summarise_folder() is False
    out = capsys.readouterr().out
    assert "one worker process" in out or "one task" in out


def test_summarise_folder_solution(capsys):
    assert lesson11.check_summarise_folder("helpers.solutions.lesson11") is True


# --- exercise 2 ------------------------------------------------------------------------

SEEDS_RIGHT = """
import numpy as np

def make_tasks(seed, points, workers):
    children = np.random.SeedSequence(seed).spawn(10)
    sizes = [points // 10] * 10
    sizes[-1] += points - sum(sizes)
    return list(zip(children, sizes))
"""
SEEDS_INTS = """
def make_tasks(seed, points, workers):
    return [([seed, i], points // 8) for i in range(8)]
"""
SEEDS_WRONG_TOTAL = """
import numpy as np

def make_tasks(seed, points, workers):
    return list(zip(np.random.SeedSequence(seed).spawn(8), [points // 9] * 8))
"""
SEEDS_SAME = """
def make_tasks(seed, points, workers):
    return [(seed, points // 8)] * 8
"""
SEEDS_PER_WORKER = """
import numpy as np

def make_tasks(seed, points, workers):
    sizes = [points // workers] * workers
    sizes[-1] += points - sum(sizes)
    return list(zip(np.random.SeedSequence(seed).spawn(workers), sizes))
"""
SEEDS_FRESH = """
import numpy as np

def make_tasks(seed, points, workers):
    return list(zip(np.random.SeedSequence().spawn(8), [points // 8] * 8))
"""
SEEDS_IGNORES_SEED = """
import numpy as np

def make_tasks(seed, points, workers):
    return list(zip(np.random.SeedSequence(1234).spawn(8), [points // 8] * 8))
"""
SEEDS_GENERATORS = """
import numpy as np

def make_tasks(seed, points, workers):
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(8)]
    return list(zip(rngs, [points // 8] * 8))
"""


@pytest.mark.parametrize("source", [SEEDS_RIGHT, SEEDS_INTS])
def test_make_tasks_right(learner, capsys, source):
    learner("my_seeds", source)
    assert lesson11.check_make_tasks() is True
    assert capsys.readouterr().out.startswith("✅")


@pytest.mark.parametrize("source, hint", [
    (SEEDS_WRONG_TOTAL, "points, not"),
    (SEEDS_SAME, "same random numbers"),
    (SEEDS_PER_WORKER, "changes with the number of workers"),
    (SEEDS_FRESH, "same seed gave another answer"),
    (SEEDS_IGNORES_SEED, "another seed gave the same answer"),
    (SEEDS_GENERATORS, "not Generators"),
])
def test_make_tasks_wrong(learner, capsys, source, hint):
    learner("my_seeds", source)
    assert lesson11.check_make_tasks() is False
    out = capsys.readouterr().out
    assert out.startswith("❌") and hint in out


def test_make_tasks_solution():
    assert lesson11.check_make_tasks("helpers.solutions.lesson11") is True


# --- exercise 3 ------------------------------------------------------------------------

TABLE_SHARED = """
import multiprocessing as mp
from helpers import realjob as rj

def run_lookups(table, tasks, workers):
    with rj.shared_table(table) as spec, \\
            mp.get_context("spawn").Pool(workers, rj.attach_table, (spec,)) as pool:
        return pool.map(rj.lookup_kept, tasks)
"""
TABLE_FORK = """
import multiprocessing as mp
from helpers import realjob as rj

def run_lookups(table, tasks, workers):
    rj.keep_table(table)
    try:
        with mp.get_context("fork").Pool(workers) as pool:
            return pool.map(rj.lookup_kept, tasks)
    finally:
        rj.keep_table(None)
"""
TABLE_WRONG_ORDER = """
import multiprocessing as mp
from helpers import realjob as rj

def run_lookups(table, tasks, workers):
    with rj.shared_table(table) as spec, mp.Pool(workers, rj.attach_table, (spec,)) as pool:
        return pool.map(rj.lookup_kept, tasks[::-1])
"""
TABLE_ARGUMENT = """
import multiprocessing as mp
from helpers import realjob as rj

def run_lookups(table, tasks, workers):
    with mp.get_context("spawn").Pool(workers) as pool:
        return pool.starmap(rj.lookup_arg, [(table, t) for t in tasks])
"""
TABLE_INITIALIZER_SPAWN = """
import multiprocessing as mp
from helpers import realjob as rj

def run_lookups(table, tasks, workers):
    with mp.get_context("spawn").Pool(workers, rj.keep_table, (table,)) as pool:
        return pool.map(rj.lookup_kept, tasks)
"""
TABLE_SERIAL = """
from helpers import realjob as rj

def run_lookups(table, tasks, workers):
    return [rj.lookup_arg(table, t) for t in tasks]
"""

fork_only = pytest.mark.skipif(not lesson11.rj.fork_available(), reason="needs fork")


@pytest.mark.parametrize("source", [TABLE_SHARED, pytest.param(TABLE_FORK, marks=fork_only)])
def test_run_lookups_right(learner, capsys, source):
    learner("my_table", source)
    assert lesson11.check_run_lookups() is True
    assert capsys.readouterr().out.startswith("✅")


@pytest.mark.parametrize("source, hint", [
    (TABLE_WRONG_ORDER, "values differ"),
    (TABLE_ARGUMENT, "private copy"),
    (TABLE_INITIALIZER_SPAWN, "private copy"),
    (TABLE_SERIAL, "ran in this process"),
])
def test_run_lookups_wrong(learner, capsys, source, hint):
    learner("my_table", source)
    assert lesson11.check_run_lookups() is False
    out = capsys.readouterr().out
    assert out.startswith("❌") and hint in out


def test_run_lookups_solution():
    assert lesson11.check_run_lookups("helpers.solutions.lesson11") is True


# --- the starter files -----------------------------------------------------------------


def test_write_starter_never_overwrites(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    lesson11.write_starter("my_x.py", "x = 1\n")
    assert (tmp_path / "my_x.py").read_text() == "x = 1\n"
    (tmp_path / "my_x.py").write_text("x = 2  # the learner's own\n")
    lesson11.write_starter("my_x.py", "x = 1\n")
    assert (tmp_path / "my_x.py").read_text() == "x = 2  # the learner's own\n"
    assert capsys.readouterr().out.count("Your file: my_x.py") == 2


def test_missing_module(capsys):
    assert lesson11.check_summarise_folder("my_files_that_does_not_exist") is False
    assert "❌" in capsys.readouterr().out
