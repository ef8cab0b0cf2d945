import multiprocessing as mp
import os
import time
from concurrent.futures import ProcessPoolExecutor

from helpers import debugging
from helpers.sandbox import run_snippet

FAULTHANDLER = '''Thread 0x00007f (most recent call first):
  File "/x/helpers/debugging.py", line 41 in deadlock
  File "/usr/lib/python3.11/concurrent/futures/process.py", line 261 in _process_worker
'''
PY_SPY = '''Thread 123 (idle): "MainThread"
    deadlock (helpers/debugging.py:41)
    BaseProcess.run (multiprocessing/process.py:108)
'''


def test_frames_read_both_formats():
    assert debugging.frames(FAULTHANDLER) == ["deadlock (debugging.py)",
                                              "_process_worker (process.py)"]
    assert debugging.frames(PY_SPY) == ["deadlock (debugging.py)",
                                        "BaseProcess.run (process.py)"]


def test_watchdog_dumps_the_stuck_worker_and_ends_it():
    out = run_snippet('''
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor
        from helpers.debugging import arm_watchdog, deadlock

        if __name__ == "__main__":
            with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn"),
                                     initializer=arm_watchdog, initargs=(0.5,)) as ex:
                try:
                    ex.submit(deadlock, 10).result(timeout=8)
                except Exception as exc:
                    print(type(exc).__name__)
    ''', timeout=20)
    assert out.ok and "BrokenProcessPool" in out.stdout
    assert "deadlock (debugging.py)" in debugging.frames(out.stderr)


def test_a_worker_reads_end_of_file_from_stdin():
    with ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as ex:
        assert ex.submit(debugging.read_stdin).result(timeout=20) == ""


def test_deadlock_is_bounded():
    start = time.perf_counter()
    assert debugging.deadlock(0.1) is False
    assert time.perf_counter() - start < 2


def test_spy_dump_reads_a_stuck_worker_or_says_why_not():
    ex = ProcessPoolExecutor(1, mp_context=mp.get_context("spawn"))
    pid = None
    try:
        pid = ex.submit(os.getpid).result(timeout=20)
        ex.submit(debugging.deadlock, 5)
        time.sleep(0.3)
        dump = debugging.spy_dump(pid)
    finally:
        for proc in mp.active_children():
            if proc.pid == pid:
                proc.terminate()
        ex.shutdown()
    if dump.ok:
        assert "deadlock (debugging.py)" in debugging.frames(dump.text)
    else:
        assert dump.reason and not dump.text


def test_spy_dump_of_a_missing_process_fails_with_a_reason():
    dump = debugging.spy_dump(2**22 + 12345)
    assert not dump.ok and dump.reason
