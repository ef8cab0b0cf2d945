import asyncio
import multiprocessing as mp
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import pytest

from helpers import asyncwork
from helpers.workloads import square


@pytest.fixture(scope="module")
def pool():
    with ProcessPoolExecutor(2, mp_context=mp.get_context("spawn")) as ex:
        yield ex


def test_gather_bounded_keeps_order_and_the_limit(pool):
    results, peak = asyncio.run(asyncwork.gather_bounded(pool, asyncwork.jittery_square,
                                                         range(12), limit=3))
    assert results == [x * x for x in range(12)]
    assert peak == 3


def test_bounded_map_keeps_order_and_the_limit(pool):
    watched = asyncwork.Watched(pool)
    items = asyncwork.Counted(40)
    got, ahead = [], 0
    for r in asyncwork.bounded_map(watched, asyncwork.jittery_square, items, limit=4):
        got.append(r)
        ahead = max(ahead, items.pulled - len(got))
    assert got == [x * x for x in range(40)]
    assert watched.peak <= 4 and watched.submitted == 40 and ahead <= 4


def test_leaving_bounded_map_early_cancels_the_rest():
    with ThreadPoolExecutor(1) as ex:
        gen = asyncwork.bounded_map(ex, asyncwork.jittery_square, range(100), limit=5)
        assert next(gen) == 0
        gen.close()


@pytest.mark.parametrize("func", [asyncwork.bounded_map])
def test_limits_below_one_are_refused(func, pool):
    with pytest.raises(ValueError, match="limit must be at least 1"):
        next(func(pool, square, [1], 0))
    with pytest.raises(ValueError, match="limit must be at least 1"):
        asyncio.run(asyncwork.gather_bounded(pool, square, [1], 0))


def test_executor_map_takes_everything_bounded_map_does_not(pool):
    whole = asyncwork.upfront(lambda items: pool.map(abs, items), 1_000)
    bounded = asyncwork.upfront(lambda items: asyncwork.bounded_map(pool, abs, items, 4), 1_000)
    assert whole.pulled == 1_000 and bounded.pulled == 4
    assert whole.peak_bytes > 10 * bounded.peak_bytes


@pytest.mark.skipif(sys.version_info < (3, 14), reason="buffersize= is new in 3.14")
def test_buffersize_bounds_executor_map(pool):
    assert asyncwork.upfront(lambda items: pool.map(abs, items, buffersize=4), 1_000).pulled <= 5


def test_imap_reads_ahead_of_a_slow_reader():
    assert asyncwork.imap_read_ahead(5_000, wait=0.3) > 100


def test_watched_counts_map_as_submissions(pool):
    watched = asyncwork.Watched(pool)
    assert list(watched.map(square, range(5))) == [0, 1, 4, 9, 16]
    assert watched.submitted == 5 and 1 <= watched.peak <= 5
