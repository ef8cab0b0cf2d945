"""Checks for lesson 05 (queues and pipes).

Exercise 1: ``my_stage.square_stage(inbox, outbox)``, a pipeline stage that
squares numbers until it reads ``None``, then passes one ``None`` on.
Exercise 2: ``my_collect.collect_blobs(sizes)``, which starts one process per
size and returns the sizes received, without the join-before-get deadlock.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import queue
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from helpers.checks import feedback, get_function
from helpers.sandbox import run_snippet


def stage_runner(func, inbox, outbox, errors) -> None:
    """Call a learner's stage; report an exception on ``errors`` instead of printing it.

    Runs in a worker process.
    """
    try:
        func(inbox, outbox)
    except BaseException as exc:  # anything the learner's code raises is a hint
        errors.put(f"{type(exc).__name__}: {exc}")


def _function(given: str | ModuleType | Callable, name: str) -> Callable | None:
    """The function to check: given directly, or ``name`` from a module (or its name)."""
    if isinstance(given, ModuleType):
        func = getattr(given, name, None)
        if not callable(func):
            feedback(False, "", f"{given.__name__} has no function called {name!r}.")
            return None
        return func
    if callable(given):
        return given
    return get_function(given, name)


def _drain(q, wait: float = 0.5) -> list:
    """Everything still on ``q``: items until none comes for ``wait`` seconds."""
    items = []
    while True:
        try:
            items.append(q.get(timeout=wait))
        except queue.Empty:
            return items


def _collect(outbox, procs, sentinels: int, deadline: float) -> tuple[list, int]:
    """Items and sentinels from ``outbox`` until all sentinels came, or no one can send more."""
    items, seen = [], 0
    while seen < sentinels and time.monotonic() < deadline:
        try:
            x = outbox.get(timeout=0.2)
        except queue.Empty:
            if not any(p.is_alive() for p in procs):
                try:  # a last look: a process may have put something just before it ended
                    x = outbox.get(timeout=0.5)
                except queue.Empty:
                    break
            else:
                continue
        if x is None:
            seen += 1
        else:
            items.append(x)
    return items, seen


def check_square_stage(module: str | ModuleType | Callable = "my_stage", workers: int = 2,
                       n: int = 20, timeout: float = 10.0) -> bool:
    """Run ``workers`` copies of the learner's stage under spawn and judge what comes out.

    Each stage must consume exactly one None from its inbox and put exactly one
    on its outbox: after the stages end, the check reads whatever is left on
    both queues, so a second None or a None put back on the inbox is seen.
    """
    func = _function(module, "square_stage")
    if func is None:
        return False
    ctx = mp.get_context("spawn")
    inbox, outbox, errors = ctx.Queue(), ctx.Queue(), ctx.Queue()
    procs = [ctx.Process(target=stage_runner, args=(func, inbox, outbox, errors))
             for _ in range(workers)]
    for p in procs:
        p.start()
    try:
        for x in range(n):
            inbox.put(x)
        for _ in procs:
            inbox.put(None)
        items, seen = _collect(outbox, procs, workers, time.monotonic() + timeout)
        for p in procs:
            p.join(timeout=2)
        stuck = sum(p.is_alive() for p in procs)
        late = _drain(outbox) if not stuck else []
        seen += late.count(None)
        items += [x for x in late if x is not None]
        left_on_inbox = _drain(inbox, wait=0.2) if not stuck else []
        try:
            error = errors.get(timeout=0.2)
        except queue.Empty:
            error = None
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
            p.join()
    if error:
        return feedback(False, "", f"square_stage raised {error}. Stop the loop when you "
                        "read None, before you try to square it.")
    if stuck:
        return feedback(False, "", f"{stuck} of {workers} stages were still running after "
                        "their None arrived: leave the loop when you read None.")
    if sorted(items) != [x * x for x in range(n)]:
        return feedback(False, "", f"the stages sent {sorted(items)[:6]}...; expected the "
                        "squares 0, 1, 4, 9, ... one per number, each once.")
    if left_on_inbox:
        return feedback(False, "", f"{len(left_on_inbox)} item(s) were left on the inbox "
                        f"({left_on_inbox[:3]}): a stage put its None back. Here each stage "
                        "gets its own None, so it consumes it and passes one on to the outbox.")
    if seen > workers:
        return feedback(False, "", f"{workers} stages passed {seen} None on: the next stage "
                        "counts one None per worker of this stage, so put exactly one, after "
                        "the loop.")
    return feedback(seen == workers,
                    f"{workers} stages squared {n} numbers and each passed one None on.",
                    f"{workers} stages stopped but only {seen} None reached the next stage: "
                    "put None on the outbox after the loop, or the next stage waits forever.")


# Counts, in the learner's process, the processes started and the blobs read from
# a queue, so that an answer which never starts a process cannot pass.
SNIPPET = """
import json
import multiprocessing.process
import multiprocessing.queues

started, received = [], []


def counting_start(original):
    def start(self):
        started.append(1)
        return original(self)
    return start


def counting_get(original):
    def get(self, *args, **kwargs):
        item = original(self, *args, **kwargs)
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], bytes):
            received.append(len(item[1]))
        return item
    return get


if __name__ == "__main__":
    process = multiprocessing.process.BaseProcess
    process.start = counting_start(process.start)
    for cls in (multiprocessing.queues.Queue, multiprocessing.queues.SimpleQueue):
        cls.get = counting_get(cls.get)
    from {module} import collect_blobs
    result = collect_blobs({sizes!r})
    print(json.dumps({{"result": repr(result), "started": len(started),
                      "received": sorted(received)}}))
"""


def check_collect_blobs(module: str | ModuleType | Callable = "my_collect",
                        sizes: tuple[int, ...] = (300_000, 2_000_000, 70_000, 1_000_000),
                        timeout: float = 8.0) -> bool:
    """Run the learner's ``collect_blobs`` in a separate process with a time limit.

    Besides the answer, that process counts the processes started and the
    blobs read from a queue: one of each per size, or the answer came some
    other way (``return list(sizes)``).
    """
    func = _function(module, "collect_blobs")
    if func is None:
        return False
    module = func.__module__
    folder = str(Path(func.__code__.co_filename).resolve().parent)
    path = os.pathsep.join(p for p in (folder, os.environ.get("PYTHONPATH")) if p)
    out = run_snippet(SNIPPET.format(module=module, sizes=list(sizes)), timeout=timeout,
                      env={"PYTHONPATH": path})
    if out.timed_out:
        return feedback(False, "", f"it hung and was stopped after {timeout:g} s: a process "
                        "cannot end while its large item is still in the pipe. Call get() "
                        "once per process first, then join().")
    if not out.ok:
        last = (out.stderr.strip().splitlines() or ["no error output"])[-1]
        return feedback(False, "", f"it failed: {last}")
    try:
        report = json.loads(out.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return feedback(False, "", "collect_blobs printed something else than the check "
                        "expected: return the list instead of printing it.")
    answer, expected = report["result"], repr(list(sizes))
    if answer != expected:
        return feedback(False, "", f"it returned {answer}, expected {expected}: the sizes in "
                        "the order of the indexes (items arrive in any order; sort by index).")
    if report["started"] < len(sizes):
        return feedback(False, "", f"the right list, but {report['started']} process(es) "
                        f"started for {len(sizes)} sizes: start one Process per size running "
                        "put_blob, and return what came back.")
    if report["received"] != sorted(sizes):
        return feedback(False, "", "the right list, but not every blob was read from the "
                        "queue: get one (i, blob) per process and return the blob lengths.")
    return feedback(True, f"all {len(sizes)} blobs came through the queue from "
                    f"{report['started']} processes, in index order, and nothing hung.", "")
