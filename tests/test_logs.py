import logging
import multiprocessing as mp
import queue as queue_module
from concurrent.futures import ProcessPoolExecutor

import pytest

from helpers import logs


def test_queue_logging_collects_every_record_from_spawned_workers():
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    with logs.listening(q) as collected:
        with ProcessPoolExecutor(2, mp_context=ctx, initializer=logs.worker_init,
                                 initargs=(q,)) as ex:
            assert list(ex.map(logs.log_task, range(4))) == [0, 1, 4, 9]
    lines = logs.format_records(collected.records)
    assert lines == [
        "SpawnProcess-N INFO task 0 started", "SpawnProcess-N INFO task 1 started",
        "SpawnProcess-N INFO task 2 started", "SpawnProcess-N INFO task 3 started",
        "SpawnProcess-N WARNING task 1: odd input", "SpawnProcess-N WARNING task 3: odd input",
    ]
    assert all(r.processName.startswith("SpawnProcess-") for r in collected.records)


def test_listening_handles_records_already_queued_when_it_stops():
    q = queue_module.Queue()
    with logs.listening(q) as collected:
        q.put(logging.makeLogRecord({"msg": "late", "levelname": "INFO", "levelno": logging.INFO,
                                     "processName": "SpawnPoolWorker-12"}))
    assert logs.format_records(collected.records) == ["SpawnPoolWorker-N INFO late"]


def test_worker_init_replaces_inherited_handlers():
    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    try:
        root.addHandler(logging.StreamHandler())
        q = queue_module.Queue()
        logs.worker_init(q)
        assert [type(h).__name__ for h in root.handlers] == ["QueueHandler"]
        logs.log_task(1)
        assert q.qsize() == 2
    finally:
        root.handlers[:] = saved
        root.setLevel(level)


def test_mask_and_sort():
    assert logs.mask_process("ForkProcess-3:1") == "ForkProcess-N"
    assert logs.mask_process("MainProcess") == "MainProcess"
    records = [logging.makeLogRecord({"msg": f"task {i}", "levelname": "INFO",
                                      "levelno": logging.INFO, "processName": "X-1"})
               for i in (10, 2)]
    assert logs.format_records(records) == ["X-N INFO task 2", "X-N INFO task 10"]
    assert logs.format_records(records, sort=False, mask=False)[0] == "X-1 INFO task 10"


def test_text_bar():
    assert logs.text_bar(5, 10, width=10) == "[#####.....]  5/10 tasks"
    assert logs.text_bar(0, 3, width=3) == "[...] 0/3 tasks"
    with pytest.raises(ValueError, match="total must be at least 1"):
        logs.text_bar(0, 0)
    with pytest.raises(ValueError, match="done must be between"):
        logs.text_bar(4, 3)
