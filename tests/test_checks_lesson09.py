import pytest

from helpers.checks import lesson09

GUARDED = """
import multiprocessing as mp

from helpers.workloads import square

if __name__ == "__main__":
    with mp.get_context("spawn").Pool(2) as pool:
        print(pool.map(square, range(5)))
"""

UNGUARDED = """
import multiprocessing as mp

from helpers.workloads import square

with mp.get_context("spawn").Pool(2) as pool:
    print(pool.map(square, range(5)))
"""

GUARDED_EXECUTOR = """
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor

from helpers.workloads import square


def main():
    with ProcessPoolExecutor(2, mp_context=mp.get_context("spawn")) as ex:
        print(list(ex.map(square, range(5))))


if __name__ == "__main__":
    main()
"""

# Runs, and prints the squares, under fork without a guard: not what was asked.
FORK_UNGUARDED = UNGUARDED.replace('"spawn"', '"fork"')
FORK_GUARDED = GUARDED.replace('"spawn"', '"fork"')
SET_FORK = """
import multiprocessing as mp

from helpers.workloads import square

mp.set_start_method("fork")
with mp.Pool(2) as pool:
    print(pool.map(square, range(5)))
"""
# The right output, and no process at all.
SERIAL = """
from helpers.workloads import square

print([square(x) for x in range(5)])
"""

ONCE = """
_data = b""


def init(data):
    global _data
    _data = data


def count(byte):
    return _data.count(byte)
"""


@pytest.mark.parametrize("body", [GUARDED, GUARDED_EXECUTOR])
def test_guarded_scripts_pass(learner, capsys, body):
    learner("my_script", body)
    assert lesson09.check_main_guard() is True
    assert "starts 2 worker processes" in capsys.readouterr().out


@pytest.mark.parametrize("body, hint", [
    (FORK_UNGUARDED, "another start method than spawn"),
    (FORK_GUARDED, "another start method than spawn"),
    (SET_FORK, "another start method than spawn"),
    (SERIAL, "no worker process was started"),
])
def test_right_output_the_wrong_way_fails(learner, capsys, body, hint):
    learner("my_script", body)
    assert lesson09.check_main_guard() is False
    out = capsys.readouterr().out
    assert hint in out and "runs under spawn" not in out


def test_source_instead_of_a_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert lesson09.check_main_guard(source=GUARDED) is True
    assert not (tmp_path / "my_script.py").exists()


@pytest.mark.parametrize("body, hint", [
    (UNGUARDED, "__main__"),
    (GUARDED.replace("range(5)", "range(4)"), "should print [0, 1, 4, 9, 16]"),
    ("raise SystemExit('no')\n", "the script failed"),
])
def test_wrong_scripts_fail(learner, capsys, body, hint):
    learner("my_script", body)
    assert lesson09.check_main_guard(timeout=5) is False
    assert hint in capsys.readouterr().out


def test_missing_script_fails(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert lesson09.check_main_guard() is False
    assert "does not exist" in capsys.readouterr().out


ONCE_DICT = """
_store = {}


def init(data):
    _store["data"] = data


def count(byte):
    return _store["data"].count(byte)
"""

# Counts of the check's old fixed data, worked out in advance: no data used at all.
HARD_CODED_ONCE = """
_fixed = bytes(range(256)) * 64 + b"\\x00" * 100


def init(data):
    pass


def count(byte):
    return _fixed.count(byte)
"""


@pytest.mark.parametrize("body", [ONCE, ONCE_DICT])
def test_once_per_worker_right_answers_pass(learner, capsys, body):
    learner("my_once", body)
    assert lesson09.check_once_per_worker() is True


def test_once_per_worker_hard_coded_fails(learner, capsys):
    learner("my_once", HARD_CODED_ONCE)
    assert lesson09.check_once_per_worker() is False
    assert "count gave" in capsys.readouterr().out


@pytest.mark.parametrize("body, hint", [
    ("def init(data):\n    pass\n\n\ndef count(byte):\n    return 0\n", "count gave [0, 0, 0]"),
    (ONCE.replace("_data.count(byte)", "_data.count(byte) + 1"), "count gave"),
    ("def init(data):\n    data = data\n\n\ndef count(byte):\n    return _data.count(byte)\n",
     "failed"),
    ("def init(data):\n    pass\n", "needs two functions"),
])
def test_once_per_worker_wrong_answers_fail(learner, capsys, body, hint):
    learner("my_once", body)
    assert lesson09.check_once_per_worker() is False
    assert hint in capsys.readouterr().out


def test_solutions_pass(capsys):
    from helpers.solutions import lesson09 as solution

    assert lesson09.check_main_guard(source=solution.MAIN_GUARD_SCRIPT) is True
    assert lesson09.check_once_per_worker("helpers.solutions.lesson09") is True
