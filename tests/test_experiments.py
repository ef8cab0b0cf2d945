import pytest

from helpers import experiments as ex
from helpers.bench import Record
from helpers.costmodel import Overheads, Sample

OV = Overheads("fork", 2.0, 1e-4, {"pool": 5e-5, "executor": 1e-4},
               {"pool": 1e-6, "executor": 1e-6}, {}, 1e9)


def point(strategy, seconds, speedup):
    return Sample(strategy, 1, 100, None, 2, seconds, 1.0, 1.0, serial=1.0,
                  measured_speedup=speedup, predicted_speedup=speedup)


def test_task_limit_steps_with_the_task_count():
    assert ex.task_limit(12, 16, 16) == 12
    assert ex.task_limit(12, 8, 16) == 6      # two waves: 8 then 4
    assert ex.task_limit(12, 4, 2) == 2
    assert ex.task_limit(12, 1, 2) == 1


def test_accuracy_counts_the_band_and_the_errors():
    acc = ex.accuracy([0.1, -0.3, 0.05, 0.2])
    assert (acc.inside, acc.total) == (3, 4)
    assert acc.median == pytest.approx(0.15) and acc.worst == pytest.approx(0.3)
    assert "3 of 4 points" in acc.summary()
    with pytest.raises(ValueError):
        ex.accuracy([])


def test_crossover_verdict_never_says_never_when_the_pool_won_somewhere():
    rows = [point("pool", 1e-5, 0.3), point("pool", 1e-3, 1.6), point("pool", 1e-2, 1.8),
            point("pool", 1e-1, 0.9)]
    text = ex.crossover_verdict(rows, "pool", OV, 2, 100)
    assert "beat serial at 1-10 ms" in text and "run the cell again" in text
    assert "never beat" not in text


def test_crossover_verdict_reads_a_clean_crossover_and_a_loss():
    rows = [point("pool", 1e-5, 0.3), point("pool", 1e-4, 3.0)]
    assert "from 0.0" in ex.crossover_verdict(rows, "pool", OV, 2, 100)
    losing = [point("executor", 1e-5, 0.3), point("executor", 1e-4, 0.5)]
    assert "never beat serial here" in ex.crossover_verdict(losing, "executor", OV, 2, 100)


def record(workers, speedup, tasks=12):
    return Record("pool", workers, 1, "fork", tasks, False, (1.0,), 1.0, 0.0, speedup,
                  speedup / workers)


def test_worker_verdict_names_the_cap_and_readings_above_the_limit():
    lines = ex.worker_verdict([record(1, 1.0), record(2, 2.4), record(3, 1.9)], 2, 2.0)
    assert lines[0].startswith("best: 2 workers, 2.40x")
    assert any("above the limit" in line for line in lines)
    lines = ex.worker_verdict([record(w, min(w, 6)) for w in (4, 8, 16)], 16, 16.0)
    assert any("the tasks, not the CPUs, cap" in line for line in lines)
    busy = ex.worker_verdict([record(2, 1.2)], 2, 1.1)
    assert any("other programs" in line for line in busy)


def test_blas_verdicts_say_when_serial_won():
    r = ex.BlasResult(8, 400, 2, 0.03, 0.06, 0.035, [2], [1])
    lines = ex.blas_verdicts(r, 2)
    assert all(line.startswith("here serial won") for line in lines)
