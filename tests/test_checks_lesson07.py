"""Lesson 07's checks: for each exercise a right answer, a different right answer,
a wrong value, and a right-looking value reached the wrong way."""

import multiprocessing as mp

import pytest

from helpers.checks import lesson07
from helpers.solutions import lesson07 as solution

CHUNKS_RIGHT = ("from helpers.costmodel import predict_time\n\n"
                "def best_chunksize(ov, task_seconds, tasks, workers):\n"
                "    sizes = [1, 2, 4, 8, 16, 32, 64, 128, 256]\n"
                "    return min(sizes, key=lambda c: predict_time(ov, task_seconds, 'pool',"
                " workers, c, tasks))\n")
CHUNKS_LOOP = ("from helpers.costmodel import predict_time\n\n"
               "def best_chunksize(ov, task_seconds, tasks, workers):\n"
               "    best, best_t = None, None\n"
               "    for c in (256, 128, 64, 32, 16, 8, 4, 2, 1):\n"
               "        t = predict_time(ov, task_seconds, 'pool', workers, c, tasks)\n"
               "        if best_t is None or t <= best_t:\n"
               "            best, best_t = c, t\n"
               "    return best\n")
CHUNKS_LE = CHUNKS_LOOP.replace("(256, 128, 64, 32, 16, 8, 4, 2, 1)",
                                "(1, 2, 4, 8, 16, 32, 64, 128, 256)")
CHUNKS_EXECUTOR = CHUNKS_RIGHT.replace("'pool'", "'executor'")
CHUNKS_FORMULA = ("def best_chunksize(ov, task_seconds, tasks, workers):\n"
                  "    return max(1, tasks // (4 * workers))\n")

SIZING_RIGHT = ("import math\n\ndef usable(cpu_count, affinity, quota):\n"
                "    known = [c for c in (cpu_count, affinity) if c]\n"
                "    if quota is not None:\n        known.append(max(1, math.ceil(quota)))\n"
                "    return max(1, min(known)) if known else 1\n")
SIZING_OTHER = ("import math\n\ndef usable(cpu_count, affinity, quota):\n"
                "    best = min(cpu_count or 10**9, affinity or 10**9,\n"
                "               math.ceil(quota) if quota else 10**9)\n"
                "    return 1 if best == 10**9 else max(1, best)\n")
SIZING_WRONG = "def usable(cpu_count, affinity, quota):\n    return cpu_count or 1\n"
SIZING_FLOAT = SIZING_RIGHT.replace("return max(1, min(known)) if known else 1",
                                    "return float(max(1, min(known)) if known else 1)")

BLAS_RIGHT = ("def one_thread():\n    import numpy\n"
              "    from threadpoolctl import threadpool_limits\n"
              "    threadpool_limits(limits=1)\n")
BLAS_GLOBAL = ("def one_thread():\n    import numpy\n"
               "    import threadpoolctl\n"
               "    global LIMIT\n    LIMIT = threadpoolctl.threadpool_limits(1, 'blas')\n")
BLAS_NOTHING = "def one_thread():\n    pass\n"
BLAS_ENVIRON = ("import os\n\ndef one_thread():\n"
                "    os.environ['OPENBLAS_NUM_THREADS'] = '1'\n"
                "    os.environ['OMP_NUM_THREADS'] = '1'\n"
                "    os.environ['MKL_NUM_THREADS'] = '1'\n")

CHECKS = {"my_chunks": lesson07.check_chunksize, "my_sizing": lesson07.check_sizing,
          "my_blas": lesson07.check_blas}
FORK = "fork" in mp.get_all_start_methods()

CASES = [
    ("my_chunks", CHUNKS_RIGHT, True, "fastest"),
    ("my_chunks", CHUNKS_LOOP, True, "fastest"),
    ("my_chunks", CHUNKS_FORMULA, False, "the model prefers"),
    ("my_chunks", CHUNKS_LE, False, "tie"),
    ("my_chunks", CHUNKS_EXECUTOR, False, "Pool.map"),
    ("my_sizing", SIZING_RIGHT, True, "sized right"),
    ("my_sizing", SIZING_OTHER, True, "sized right"),
    ("my_sizing", SIZING_WRONG, False, "expected"),
    ("my_sizing", SIZING_FLOAT, False, "float"),
    ("my_blas", BLAS_RIGHT, True, "one thread"),
    ("my_blas", BLAS_GLOBAL, True, "one thread"),
    ("my_blas", BLAS_NOTHING, False, "BLAS threads"),
    pytest.param("my_blas", BLAS_ENVIRON, False, "under fork",
                 marks=pytest.mark.skipif(not FORK, reason="fork is not available here")),
]


def write(tmp_path, monkeypatch, name, source):
    (tmp_path / f"{name}.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))


@pytest.mark.parametrize("name, source, ok, words", CASES)
def test_each_answer_gets_its_verdict(tmp_path, monkeypatch, capsys, name, source, ok, words):
    write(tmp_path, monkeypatch, name, source)
    assert CHECKS[name]() is ok
    out = capsys.readouterr().out
    assert out.startswith("✅ Correct:" if ok else "❌ Not yet:")
    assert words in out
    assert out.count("\n") == 1  # one line


def test_the_solutions_pass_without_writing_a_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert lesson07.check_chunksize(func=solution.best_chunksize)
    assert lesson07.check_sizing(func=solution.usable)
    assert lesson07.check_blas(func=solution.one_thread)
    assert list(tmp_path.iterdir()) == []


def test_the_tie_cases_really_tie_and_the_executor_case_really_differs():
    ties = 0
    for ov, seconds, tasks, workers in lesson07.CHUNK_CASES:
        times = [lesson07.costmodel.predict_time(ov, seconds, "pool", workers, c, tasks)
                 for c in lesson07.CANDIDATES]
        ties += times.count(min(times)) > 1
    assert ties >= 2
    ov, seconds, tasks, workers = lesson07.CHUNK_CASES[2]
    pool = lesson07.expected_chunksize(ov, seconds, tasks, workers)
    executor = min(lesson07.CANDIDATES, key=lambda c: lesson07.costmodel.predict_time(
        ov, seconds, "executor", workers, c, tasks))
    assert pool != executor


def test_the_blas_check_leaves_the_environment_as_it_was(tmp_path, monkeypatch, capsys):
    import os

    before = {k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")}
    write(tmp_path, monkeypatch, "my_blas", BLAS_NOTHING)
    lesson07.check_blas()
    assert {k: os.environ.get(k) for k in before} == before


def test_missing_module_is_a_hint_not_a_crash(tmp_path, monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(tmp_path))
    assert lesson07.check_sizing("my_sizing_absent") is False
    assert "failed" in capsys.readouterr().out


def test_reference_usable_matches_the_cases():
    for args, expected in lesson07.SIZING_CASES:
        assert lesson07.expected_usable(*args) == expected
