import multiprocessing as mp

import pytest

from helpers import failures
from helpers.pitfalls import alive, bounded_map
from helpers.plumbing import worker_pids
from helpers.workloads import square


def test_bounded_map_returns_results_error_or_timeout():
    ctx = mp.get_context("spawn")
    ok = bounded_map(ctx.Pool(2), square, range(4), timeout=30)
    assert ok.results == [0, 1, 4, 9] and ok.error is None and not ok.timed_out
    err = bounded_map(ctx.Pool(2), failures.parse_number, ["1", "x"], timeout=30)
    assert isinstance(err.error, ValueError) and err.results is None
    assert err.verdict().startswith("failed with ValueError")
    pool = ctx.Pool(2)
    pids = worker_pids(pool)
    lost = bounded_map(pool, failures.die_if, range(6), timeout=2)  # Pool never delivers
    assert lost.timed_out and lost.results is None
    assert alive(pids + worker_pids(pool)) == []
    with pytest.raises(ValueError, match="timeout"):
        bounded_map(pool, square, [1], timeout=0)


@pytest.mark.parametrize("bad, error", [(0, ValueError), ("3", TypeError)])
def test_bounded_map_checks_its_timeout_before_it_runs(bad, error):
    pool = mp.get_context("spawn").Pool(1)
    try:
        with pytest.raises(error, match="timeout must be"):
            bounded_map(pool, square, [1], timeout=bad)
    finally:
        pool.terminate()
        pool.join()
