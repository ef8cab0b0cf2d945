"""The lesson 05 checks pass the reference solutions and fail wrong answers."""

from __future__ import annotations

import pytest

from helpers.checks import lesson05

GOOD_STAGE = """
def square_stage(inbox, outbox):
    while (x := inbox.get()) is not None:
        outbox.put(x * x)
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

GOOD_COLLECT = """
import multiprocessing as mp
from helpers.messaging import put_blob

def collect_blobs(sizes):
    q = mp.Queue()
    procs = [mp.Process(target=put_blob, args=(q, i, s)) for i, s in enumerate(sizes)]
    for p in procs:
        p.start()
    got = dict(q.get() for _ in procs)
    for p in procs:
        p.join()
    return [len(got[i]) for i in range(len(sizes))]
"""

JOIN_FIRST_COLLECT = GOOD_COLLECT.replace(
    "    got = dict(q.get() for _ in procs)\n    for p in procs:\n        p.join()\n",
    "    for p in procs:\n        p.join()\n    got = dict(q.get() for _ in procs)\n")

OFF_BY_ONE_COLLECT = GOOD_COLLECT.replace(
    "return [len(got[i]) for i in range(len(sizes))]",
    "return [len(got[i]) for i in range(len(sizes) - 1)]")


def test_square_stage_right_answer_passes(learner, capsys):
    assert lesson05.check_square_stage(learner("my_stage_ok", GOOD_STAGE)) is True
    assert "✅ Correct" in capsys.readouterr().out


@pytest.mark.parametrize(("source", "hint"), [
    (NO_SENTINEL_STAGE, "put None on the outbox after the loop"),
    (CRASHING_STAGE, "square_stage raised TypeError"),
])
def test_square_stage_wrong_answers_fail_with_a_hint(learner, capsys, source, hint):
    assert lesson05.check_square_stage(learner("my_stage_bad", source)) is False
    assert hint in capsys.readouterr().out


def test_collect_blobs_right_answer_passes(learner, capsys):
    assert lesson05.check_collect_blobs(learner("my_collect_ok", GOOD_COLLECT)) is True
    assert "✅ Correct" in capsys.readouterr().out


def test_collect_blobs_join_first_is_caught_as_a_hang(learner, capsys):
    assert JOIN_FIRST_COLLECT != GOOD_COLLECT
    name = learner("my_collect_hang", JOIN_FIRST_COLLECT)
    assert lesson05.check_collect_blobs(name, timeout=4) is False
    assert "it hung" in capsys.readouterr().out


def test_collect_blobs_wrong_result_fails(learner, capsys):
    name = learner("my_collect_short", OFF_BY_ONE_COLLECT)
    assert lesson05.check_collect_blobs(name, sizes=(2_000_000, 10)) is False
    assert "it returned [2000000], expected [2000000, 10]" in capsys.readouterr().out
