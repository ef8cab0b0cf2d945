"""Lesson 05's checks: a right answer, a different right one, a wrong value, a wrong way."""

from __future__ import annotations

import pytest

from helpers.checks import lesson05
from helpers.solutions import lesson05 as solution

OTHER_STAGE = """
def square_stage(inbox, outbox):
    for x in iter(inbox.get, None):
        outbox.put(x ** 2)
    outbox.put(None)
"""

NO_SENTINEL_STAGE = """
def square_stage(inbox, outbox):
    while True:
        x = inbox.get()
        if x is None:
            break
        outbox.put(x * x)
"""

CRASHING_STAGE = """
def square_stage(inbox, outbox):
    while True:
        outbox.put(inbox.get() ** 2)
"""

TWO_SENTINELS_STAGE = """
def square_stage(inbox, outbox):
    while (x := inbox.get()) is not None:
        outbox.put(x * x)
    outbox.put(None)
    outbox.put(None)
"""

PUT_BACK_STAGE = """
def square_stage(inbox, outbox):
    while (x := inbox.get()) is not None:
        outbox.put(x * x)
    inbox.put(None)  # the pattern for one shared sentinel: wrong here
    outbox.put(None)
"""

OTHER_COLLECT = """
import multiprocessing as mp
from helpers.messaging import put_blob

def collect_blobs(sizes):
    ctx = mp.get_context("spawn")
    q = ctx.SimpleQueue()
    procs = [ctx.Process(target=put_blob, args=(q, i, s)) for i, s in enumerate(sizes)]
    for p in procs:
        p.start()
    got = sorted(q.get() for _ in procs)
    for p in procs:
        p.join()
    return [len(blob) for _, blob in got]
"""

JOIN_FIRST_COLLECT = solution.__loader__.get_source(solution.__name__)
JOIN_FIRST_COLLECT = JOIN_FIRST_COLLECT.replace(
    "    received = dict(q.get() for _ in procs)  # drain first: they arrive in any order\n"
    "    for p in procs:\n"
    "        p.join()  # then join: every child has handed its blob over\n",
    "    for p in procs:\n        p.join()\n    received = dict(q.get() for _ in procs)\n")

OFF_BY_ONE_COLLECT = OTHER_COLLECT.replace(
    "return [len(blob) for _, blob in got]", "return [len(blob) for _, blob in got][:-1]")

ECHO_COLLECT = "def collect_blobs(sizes):\n    return list(sizes)\n"

ONE_PROCESS_COLLECT = """
import multiprocessing as mp
from helpers.messaging import put_blob

def collect_blobs(sizes):
    q = mp.Queue()
    p = mp.Process(target=put_blob, args=(q, 0, sizes[0]))
    p.start()
    q.get()
    p.join()
    return list(sizes)
"""


def test_square_stage_right_answers_pass(learner, capsys):
    assert lesson05.check_square_stage(solution.square_stage) is True
    assert lesson05.check_square_stage(learner("my_stage_other", OTHER_STAGE)) is True
    assert capsys.readouterr().out.count("✅ Correct") == 2


@pytest.mark.parametrize(("source", "hint"), [
    (NO_SENTINEL_STAGE, "put None on the outbox after the loop"),
    (CRASHING_STAGE, "square_stage raised TypeError"),
])
def test_square_stage_wrong_values_fail_with_a_hint(learner, capsys, source, hint):
    assert lesson05.check_square_stage(learner("my_stage_bad", source)) is False
    assert hint in capsys.readouterr().out


@pytest.mark.parametrize(("source", "hint"), [
    (TWO_SENTINELS_STAGE, "passed 4 None on"),
    (PUT_BACK_STAGE, "left on the inbox"),
])
def test_square_stage_wrong_sentinel_handling_fails(learner, capsys, source, hint):
    # The squares and the first two Nones are right; what is left over gives it away.
    assert lesson05.check_square_stage(learner("my_stage_sentinels", source)) is False
    assert hint in capsys.readouterr().out


def test_collect_blobs_right_answers_pass(learner, capsys):
    assert lesson05.check_collect_blobs(solution.collect_blobs) is True
    assert lesson05.check_collect_blobs(learner("my_collect_other", OTHER_COLLECT)) is True
    out = capsys.readouterr().out
    assert out.count("✅ Correct") == 2 and "from 4 processes" in out


def test_collect_blobs_join_first_is_caught_as_a_hang(learner, capsys):
    assert "p.join()\n    received" in JOIN_FIRST_COLLECT
    name = learner("my_collect_hang", JOIN_FIRST_COLLECT)
    assert lesson05.check_collect_blobs(name, timeout=4) is False
    assert "it hung" in capsys.readouterr().out


def test_collect_blobs_wrong_result_fails(learner, capsys):
    name = learner("my_collect_short", OFF_BY_ONE_COLLECT)
    assert lesson05.check_collect_blobs(name, sizes=(2_000_000, 10)) is False
    assert "it returned [2000000], expected [2000000, 10]" in capsys.readouterr().out


def test_collect_blobs_without_processes_fails(learner, capsys):
    assert lesson05.check_collect_blobs(learner("my_collect_echo", ECHO_COLLECT)) is False
    assert "0 process(es) started for 4 sizes" in capsys.readouterr().out
    assert lesson05.check_collect_blobs(learner("my_collect_one", ONE_PROCESS_COLLECT)) is False
    assert "1 process(es) started for 4 sizes" in capsys.readouterr().out
