"""Checks for lesson 05 (queues and pipes).

Exercise 1: ``my_stage.square_stage(inbox, outbox)``, a pipeline stage that
squares numbers until it reads ``None``, then passes one ``None`` on.
Exercise 2: ``my_collect.collect_blobs(sizes)``, which starts one process per
size and returns the sizes received, without the join-before-get deadlock.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import queue
import time
from pathlib import Path

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


def check_square_stage(module: str = "my_stage", workers: int = 2, n: int = 20,
                       timeout: float = 10.0) -> bool:
    """Run ``workers`` copies of the learner's stage under spawn and judge what comes out."""
    func = get_function(module, "square_stage")
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
    return feedback(seen == workers,
                    f"{workers} stages squared {n} numbers and each passed one None on.",
                    f"{workers} stages stopped but only {seen} None reached the next stage: "
                    "put None on the outbox after the loop, or the next stage waits forever.")


SNIPPET = """
if __name__ == "__main__":
    from {module} import collect_blobs
    print(repr(collect_blobs({sizes!r})))
"""


def check_collect_blobs(module: str = "my_collect",
                        sizes: tuple[int, ...] = (300_000, 2_000_000, 70_000, 1_000_000),
                        timeout: float = 8.0) -> bool:
    """Run the learner's ``collect_blobs`` in a separate process with a time limit."""
    func = get_function(module, "collect_blobs")
    if func is None:
        return False
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
    answer = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
    expected = repr(list(sizes))
    return feedback(answer == expected,
                    f"all {len(sizes)} blobs arrived, in index order, and nothing hung.",
                    f"it returned {answer or 'nothing'}, expected {expected}: the sizes in "
                    "the order of the indexes (items arrive in any order; sort by index).")
