"""Tests for helpers.messaging: the workers really pass messages, the probe measures."""

from __future__ import annotations

import multiprocessing as mp
import queue
import threading

import pytest

from helpers import messaging as m
from helpers.workloads import square

CTX = mp.get_context("spawn")  # the strictest start method: works here, works everywhere


def test_square_worker_stops_at_its_sentinel_in_a_thread():
    inbox, outbox = queue.Queue(), queue.Queue()
    for x in [1, 2, 3, None, 99]:
        inbox.put(x)
    m.square_worker(inbox, outbox)
    assert [outbox.get_nowait() for _ in range(3)] == [(1, 1), (2, 4), (3, 9)]
    assert outbox.empty() and inbox.get_nowait() == 99  # stopped at the sentinel


def test_pipeline_stages_in_threads_count_one_sentinel_per_worker():
    numbers, squares, totals = queue.Queue(), queue.Queue(), queue.Queue()
    threads = [threading.Thread(target=m.produce, args=(numbers, 100, 3))]
    threads += [threading.Thread(target=m.map_stage, args=(square, numbers, squares))
                for _ in range(3)]
    threads.append(threading.Thread(target=m.sum_stage, args=(squares, totals, 3)))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert totals.get_nowait() == sum(x * x for x in range(100))


def test_joinable_worker_marks_every_item_done():
    tasks, results = queue.Queue(), queue.Queue()  # queue.Queue has task_done/join too
    for x in [4, 5, None]:
        tasks.put(x)
    m.joinable_worker(tasks, results)
    tasks.join()  # returns at once only if task_done was called three times
    assert sorted(results.queue) == [(4, 16), (5, 25)]


def test_pool_queue_initializer_and_missing_initializer(monkeypatch):
    q = queue.Queue()
    monkeypatch.setattr(m, "_pool_queue", None)
    with pytest.raises(RuntimeError, match="initializer=set_pool_queue"):
        m.put_on_pool_queue(2)
    m.set_pool_queue(q)
    assert m.put_on_pool_queue(3) == 3 and q.get_nowait() == 9


def test_join_before_get_blocks_and_draining_fixes_it():
    q = CTX.Queue()
    p = CTX.Process(target=m.put_blob, args=(q, 7, 1_000_000))
    p.start()
    p.join(timeout=1)
    assert p.is_alive()  # stuck: its 1 MB item is still in the pipe
    index, blob = q.get(timeout=30)
    p.join(timeout=30)
    assert (index, len(blob), p.exitcode) == (7, 1_000_000, 0)


def test_plain_queue_cannot_be_a_pool_argument():
    q = CTX.Queue()
    with CTX.Pool(1) as pool:
        with pytest.raises(RuntimeError, match="through inheritance"):
            pool.apply_async(m.put_on, (q, 1)).get(timeout=30)
    pool.join()


def test_pipe_squarer_and_sender_over_real_pipes():
    here, there = CTX.Pipe()
    p = CTX.Process(target=m.pipe_squarer, args=(there,))
    p.start()
    here.send(12)
    assert here.recv() == 144
    here.send(None)
    p.join(timeout=30)
    receiver, sender = CTX.Pipe(duplex=False)
    p = CTX.Process(target=m.pipe_sender, args=(sender, 3))
    p.start()
    sender.close()
    assert [receiver.recv() for _ in range(4)] == [0, 1, 2, None]
    p.join(timeout=30)


@pytest.mark.parametrize("kind", m.KINDS)
def test_throughput_counts_every_byte_with_an_injected_clock(kind):
    ticks = iter(range(100))
    rate = m.throughput(kind, 1000, 50, CTX, repeats=3, timer=lambda: next(ticks))
    assert rate.seconds == 1  # each round is two ticks apart: start, stop
    assert rate.messages_per_s == 50 and rate.mb_per_s == pytest.approx(0.05)
    assert "msg/s" in rate.line() and "MB/s" in rate.line()


def test_round_trip_uses_the_clock_it_is_given():
    ticks = iter([0.0, 2.0])
    assert m.round_trip("pipe", 4, CTX, timer=lambda: next(ticks)) == 0.5


@pytest.mark.parametrize(("args", "message"), [
    (("bottle", 10, 10), "choose from queue, pipe"),
    (("queue", 0, 10), "size must be at least 1, got 0"),
])
def test_throughput_rejects_bad_input(args, message):
    with pytest.raises(ValueError, match=message):
        m.throughput(*args)


def test_throughput_refuses_a_float_count_with_a_type_error():
    with pytest.raises(TypeError, match="count must be an int, got float 1.5"):
        m.throughput("pipe", 10, 1.5)


def test_update_costs_reports_all_four_ways():
    costs = m.update_costs(5, CTX)
    assert set(costs) == {"dict in one process", "Manager().dict() proxy",
                          "Queue round trip", "SharedMemory (NumPy)"}
    assert all(c > 0 for c in costs.values())
