"""helpers.realjob: lesson 11's three jobs, their measurements and their plots."""

from __future__ import annotations

import gc
import json
import multiprocessing as mp
import os
import time
from collections import Counter
from types import SimpleNamespace

import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers import realjob as rj
from helpers import realjobplots
from helpers.sandbox import run_snippet

fork_only = pytest.mark.skipif(not rj.fork_available(), reason="needs fork")


@pytest.fixture(scope="module")
def logs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("logs")
    return rj.write_logs(folder, files=12, lines=800, seed=5)


# --- plumbing -------------------------------------------------------------------------


def test_chunked():
    assert rj.chunked(range(7), 3) == [[0, 1, 2], [3, 4, 5], [6]]
    assert rj.chunked([], 2) == []
    with pytest.raises(ValueError, match="size must be at least 1"):
        rj.chunked([1], 0)
    with pytest.raises(TypeError, match="size must be an int"):
        rj.chunked([1], 2.5)


def test_rounds_interleave_and_compare():
    calls = []
    timed = rj.rounds({"a": lambda: calls.append("a") or 1,
                       "b": lambda: calls.append("b") or 1}, repeats=3)
    assert calls == ["a", "b"] * 3
    assert len(timed["a"].times) == 3 and timed["b"].result == 1
    assert timed["a"].best == min(timed["a"].times)
    with pytest.raises(AssertionError, match="b returned a different result"):
        rj.rounds({"a": lambda: 1, "b": lambda: 2}, repeats=1)
    with pytest.raises(ValueError, match="runs is empty"):
        rj.rounds({})
    with pytest.raises(ValueError, match="repeats must be at least 1"):
        rj.rounds({"a": lambda: 1}, repeats=0)


def test_profile_top_names_the_hot_function(logs):
    rows = rj.profile_top(rj.parse_chunk, logs, limit=3)
    assert len(rows) == 3
    assert any("parse_text" in where for where, _, _ in rows)
    shares = [share for _, _, share in rows]
    assert shares == sorted(shares, reverse=True) and 0 < sum(shares) <= 1.0001


def test_arrival_times_map_waits_for_all_imap_does_not():
    with mp.Pool(2) as pool:
        lazy = rj.arrival_times(lambda: pool.imap(time.sleep, [0.0, 0.3, 0.3, 0.3]))
        eager = rj.arrival_times(lambda: pool.map(time.sleep, [0.0, 0.3, 0.3, 0.3]))
    assert len(lazy) == len(eager) == 4
    assert lazy[0] < 0.2 < lazy[-1]           # the first result came before the last task ended
    assert eager[-1] - eager[0] < 0.05        # map handed over everything at once
    assert eager[0] > 0.2


def test_decide_follows_the_advice():
    serial = SimpleNamespace(strategy="serial")
    assert "anyway" in rj.decide(SimpleNamespace(choice=serial))
    pool = SimpleNamespace(strategy="pool", speedup=1.8, label=lambda: "Pool.map, 2 workers")
    assert "Pool.map, 2 workers, predicted 1.80x" in rj.decide(SimpleNamespace(choice=pool))


# --- job 1 ----------------------------------------------------------------------------


def test_write_logs_is_reproducible(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = rj.write_logs(tmp_path / "a", files=2, lines=50, seed=1)
    second = rj.write_logs(tmp_path / "b", files=2, lines=50, seed=1)
    assert [open(p).read() for p in first] == [open(p).read() for p in second]
    with pytest.raises(ValueError, match="existing directory"):
        rj.write_logs(tmp_path / "missing")
    with pytest.raises(ValueError, match="files must be at least 1"):
        rj.write_logs(tmp_path, files=0)


def test_parse_text_counts():
    text = ("time,host,method,path,status,bytes,latency_us\n"
            "t,h,GET,/a,200,10,5\nt,h,GET,/a,404,20,7\n#### truncated line\n"
            "t,h,POST,/b,200,x,1\n")
    s = rj.parse_text(text)
    assert (s.files, s.lines, s.bad_lines) == (1, 4, 2)
    assert s.status == Counter({200: 1, 404: 1}) and s.paths == Counter({"/a": 2})
    assert (s.bytes_sent, s.latency_us) == (30, 12)


def test_merge_ignores_order_and_how(logs):
    parts = [rj.parse_chunk(c) for c in rj.chunked(logs, 5)]
    whole = rj.parse_chunk(logs)
    assert rj.merge(parts) == rj.merge(reversed(parts)) == whole
    assert rj.merge(parts).tasks == 3 and whole.tasks == 1
    assert whole.pids == {os.getpid()}
    assert whole.files == 12 and whole.lines == 12 * 800


def test_parallel_equals_serial_and_records_workers(logs):
    serial = rj.parse_chunk(logs)
    with mp.Pool(2) as pool:
        parallel = rj.merge(pool.imap_unordered(rj.parse_chunk, rj.chunked(logs, 2)))
    assert parallel == serial
    assert parallel.tasks == 6 and os.getpid() not in parallel.pids


def test_stage_times(logs):
    stages, total = rj.stage_times(logs)
    assert set(stages) == {"read", "parse", "merge"} and all(v >= 0 for v in stages.values())
    assert total == rj.parse_chunk(logs)


def test_cache_measurements(logs):
    assert rj.read_bytes(logs) == sum(os.path.getsize(p) for p in logs)
    cold, warm = rj.cache_times(logs, repeats=1)
    assert warm > 0 and (cold is None or cold > 0)
    assert isinstance(rj.file_system(logs[0]), str)


def test_cache_verdict_follows_the_numbers():
    assert "tmpfs" in rj.cache_verdict(0.1, 0.01, 0.2, "tmpfs")
    assert "cannot drop" in rj.cache_verdict(None, 0.01, 0.2, "ext4")
    assert "waits for the disk" in rj.cache_verdict(0.5, 0.01, 0.2, "ext4")
    assert "CPU-bound" in rj.cache_verdict(0.05, 0.01, 0.2, "ext4")


# --- job 2 ----------------------------------------------------------------------------


def test_pi_tasks_split_and_streams():
    tasks = rj.pi_tasks(1, 1_000_003, tasks=8)
    assert sum(n for _, n in tasks) == 1_000_003 and len(tasks) == 8
    firsts = {tuple(np.random.default_rng(s).random(3)) for s, _ in tasks}
    assert len(firsts) == 8
    with pytest.raises(ValueError, match="tasks must be at least 1"):
        rj.pi_tasks(1, 10, tasks=0)
    with pytest.raises(TypeError, match="points must be an int"):
        rj.pi_tasks(1, 1e6)


def test_pi_is_reproducible_and_independent_of_workers():
    tasks = rj.pi_tasks(3, 400_000, tasks=8)
    serial = [rj.pi_hits_task(t) for t in tasks]
    assert serial == [rj.pi_hits_task(t) for t in rj.pi_tasks(3, 400_000, tasks=8)]
    assert abs(4 * sum(serial) / 400_000 - np.pi) < 0.02
    for workers in (1, 3):
        with mp.get_context("spawn").Pool(workers) as pool:
            assert pool.map(rj.pi_hits_task, tasks) == serial
    assert rj.run_threads(rj.pi_hits_task, tasks, 2) == serial
    del pool
    gc.collect()  # a closed spawn Pool's semaphores go when the Pool object does


def test_pi_hits_blocks_do_not_change_the_answer(monkeypatch):
    whole = rj.pi_hits(9, 1000)
    monkeypatch.setattr(rj, "BLOCK", 1000)
    assert rj.pi_hits(9, 1000) == whole


def test_pi_python_estimates_pi():
    assert abs(4 * rj.pi_hits_python(0, 100_000) / 100_000 - np.pi) < 0.05


@fork_only
def test_legacy_snippet_shows_duplicate_draws_under_fork_only():
    outcome = run_snippet(rj.LEGACY_SNIPPET, timeout=60)
    assert outcome.ok, outcome.report()
    report = json.loads(outcome.stdout)
    fork, spawn = report["fork"], report["spawn"]
    assert fork[0][0] != fork[1][0] and fork[0][1] == fork[1][1]
    assert spawn[0][1] != spawn[1][1]


# --- job 3 ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def table():
    return rj.make_table(64, seed=1)


def test_make_table_and_lookup(table):
    assert table.nbytes == 64 * 2**20 and not table.flags.writeable
    tasks = rj.lookup_tasks(2, 1000)
    assert tasks == [(0, 1000), (1, 1000)]
    assert rj.lookup(table, tasks[0]) == rj.lookup(table, tasks[0])
    with pytest.raises(ValueError, match="megabytes must be at least 1"):
        rj.make_table(0)


@pytest.mark.parametrize("way", [w for w in rj.WAYS if w != "fork" or rj.fork_available()])
def test_every_way_returns_serial_values_and_measures_memory(table, way):
    tasks = rj.lookup_tasks(2, 200_000)
    got = rj.run_way(way, table, tasks, 2)
    assert [r.value for r in got] == [rj.lookup(table, t) for t in tasks]
    assert rj.workers_seen(got) and all(r.pid != os.getpid() for r in got)
    uss = max(r.uss for r in got)
    if way in ("argument", "initializer"):
        assert uss > table.nbytes          # a private copy in the worker
    else:
        assert uss < table.nbytes // 2     # shared pages are not the worker's own
    assert max(r.rss for r in got) > table.nbytes  # RSS counts the pages it read


def test_run_way_errors(table, monkeypatch):
    with pytest.raises(ValueError, match="way must be one of"):
        rj.run_way("pigeon", table, [(0, 1)], 1)
    monkeypatch.setattr(rj, "fork_available", lambda: False)
    with pytest.raises(ValueError, match="fork is not available"):
        rj.run_way("fork", table, [(0, 1)], 1)


def test_shared_table_is_removed_even_after_an_error(table):
    from multiprocessing import shared_memory

    with pytest.raises(RuntimeError), rj.shared_table(table) as spec:
        assert spec.length == len(table)
        raise RuntimeError("boom")
    with pytest.raises(FileNotFoundError):
        shared_memory.SharedMemory(name=spec.name)


def test_lookup_kept_without_a_table_teaches():
    with pytest.raises(RuntimeError, match="initializer=keep_table"):
        rj.lookup_kept((0, 1))


def test_peak_rss_sees_an_allocation():
    with rj.PeakRSS() as peak:
        block = np.ones(32 * 2**20 // 8)
        time.sleep(0.05)
        del block
    assert peak.extra > 16 * 2**20


def test_compare_ways_and_its_text(table):
    ways = ["shared memory", "initializer"]
    serial, results = rj.compare_ways(table, rj.lookup_tasks(2, 100_000), ways, 2, repeats=1)
    assert serial > 0 and [r.way for r in results] == ways
    lines = rj.way_lines(serial, results)
    assert len(lines) == 4 and "serial" in lines[1]
    verdict = rj.memory_verdict(table.nbytes, results)
    assert "private copy of the table in each worker: initializer" in verdict
    assert "no private copy (USS under half the table): shared memory" in verdict
    assert rj.mib(None) == "n/a" and rj.mib(2**20) == "1.0 MiB"


# --- your own function and make bench ---------------------------------------------------


def test_try_it_advises_measures_verifies_and_says_it():
    from helpers.workloads import cpu_task

    trial = rj.try_it(cpu_task, [20_000] * 4, repeats=1, budget=1.0)
    assert trial.same and trial.tasks == 4
    assert trial.strategy != "serial"  # serial advice: the pool is measured instead
    lines = trial.lines()
    assert len(lines) == 5 and lines[1].startswith("advice: ") and lines[-1].startswith("here ")
    with pytest.raises(ValueError, match="inputs is empty"):
        rj.try_it(cpu_task, [])


def test_bench_jobs_reports_each_job():
    rows = rj.bench_jobs(repeats=1)
    assert [r["job"] for r in rows] == ["log files", "monte carlo", "big table"]
    for row in rows:
        assert row["serial_s"] > 0 and row["parallel_s"] > 0
        assert row["speedup"] == pytest.approx(row["serial_s"] / row["parallel_s"])


# --- plots ----------------------------------------------------------------------------


def test_plots():
    assert isinstance(realjobplots.arrivals({"map": [0.3, 0.3], "imap": [0.1, 0.3]}), Figure)
    fig = realjobplots.memory_bars(["a", "b"], [2**20, None], [2**21, 2**21], [0, 2**20])
    assert isinstance(fig, Figure)
    with pytest.raises(ValueError):
        realjobplots.arrivals({})
    with pytest.raises(ValueError):
        realjobplots.memory_bars(["a"], [], [], [])


def test_best_time():
    assert 0.01 <= rj.best_time(time.sleep, 0.01, repeats=2) < 0.5
    with pytest.raises(ValueError, match="repeats must be at least 1"):
        rj.best_time(time.sleep, 0, repeats=0)


def test_stage_splits_of_the_numpy_jobs(table):
    assert set(rj.pi_stages(0, 10_000)) == {"draw", "count"}
    stages = rj.lookup_stages(table, (0, 10_000))
    assert set(stages) == {"positions", "gather and sum"} and min(stages.values()) > 0
