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

ONCE = """
_data = b""


def init(data):
    global _data
    _data = data


def count(byte):
    return _data.count(byte)
"""


def test_guarded_script_passes(learner, capsys):
    learner("my_script", GUARDED)
    assert lesson09.check_main_guard() is True


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


def test_once_per_worker_reference_passes(learner, capsys):
    learner("my_once", ONCE)
    assert lesson09.check_once_per_worker() is True


@pytest.mark.parametrize("body, hint", [
    ("def init(data):\n    pass\n\n\ndef count(byte):\n    return 0\n", "count gave [0, 0, 0]"),
    ("def init(data):\n    data = data\n\n\ndef count(byte):\n    return _data.count(byte)\n",
     "failed"),
    ("def init(data):\n    pass\n", "needs two functions"),
])
def test_once_per_worker_wrong_answers_fail(learner, capsys, body, hint):
    learner("my_once", body)
    assert lesson09.check_once_per_worker() is False
    assert hint in capsys.readouterr().out
