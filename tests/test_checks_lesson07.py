import pytest

from helpers.checks import lesson07

RIGHT = {
    "my_chunks": "from helpers.costmodel import predict_time\n\n"
                 "def best_chunksize(ov, task_seconds, tasks, workers):\n"
                 "    sizes = [1, 2, 4, 8, 16, 32, 64, 128, 256]\n"
                 "    return min(sizes, key=lambda c: predict_time(ov, task_seconds, 'pool',"
                 " workers, c, tasks))\n",
    "my_sizing": "import math\n\ndef usable(cpu_count, affinity, quota):\n"
                 "    known = [c for c in (cpu_count, affinity) if c]\n"
                 "    if quota is not None:\n        known.append(max(1, math.ceil(quota)))\n"
                 "    return max(1, min(known)) if known else 1\n",
    "my_blas": "def one_thread():\n    import numpy\n"
               "    from threadpoolctl import threadpool_limits\n"
               "    global LIMIT\n    LIMIT = threadpool_limits(limits=1)\n",
}
WRONG = {
    "my_chunks": "def best_chunksize(ov, task_seconds, tasks, workers):\n"
                 "    return max(1, tasks // (4 * workers))\n",
    "my_sizing": "import os\n\ndef usable(cpu_count, affinity, quota):\n"
                 "    return cpu_count or 1\n",
    "my_blas": "def one_thread():\n    pass\n",
}
CHECKS = {"my_chunks": lesson07.check_chunksize, "my_sizing": lesson07.check_sizing,
          "my_blas": lesson07.check_blas}


def write(tmp_path, monkeypatch, name, source):
    (tmp_path / f"{name}.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))


@pytest.mark.parametrize("name", list(RIGHT))
def test_reference_solution_passes(tmp_path, monkeypatch, capsys, name):
    write(tmp_path, monkeypatch, name, RIGHT[name])
    assert CHECKS[name]() is True
    assert capsys.readouterr().out.startswith("✅ Correct:")


@pytest.mark.parametrize("name", list(WRONG))
def test_wrong_answer_fails_with_a_hint(tmp_path, monkeypatch, capsys, name):
    write(tmp_path, monkeypatch, name, WRONG[name])
    assert CHECKS[name]() is False
    assert capsys.readouterr().out.startswith("❌ Not yet:")


def test_missing_module_is_a_hint_not_a_crash(tmp_path, monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(tmp_path))
    assert lesson07.check_sizing("my_sizing_absent") is False
    assert "failed" in capsys.readouterr().out


def test_reference_usable_matches_the_cases():
    for args, expected in lesson07.SIZING_CASES:
        assert lesson07.expected_usable(*args) == expected
