import os
import time

import pytest

from helpers.pitfalls import alive
from helpers.sandbox import run_snippet
from tests.guard import foreign_shm_entries


def test_snippet_that_succeeds():
    out = run_snippet("print('hello'); import __main__; print(__name__)", timeout=20)
    assert out.ok and out.returncode == 0 and not out.timed_out
    assert out.stdout.split() == ["hello", "__main__"]
    assert out.verdict() == "finished normally (exit code 0)"


def test_snippet_that_crashes():
    out = run_snippet("""
        import sys
        print("before")
        raise SystemExit("boom")
    """, timeout=20)
    assert not out.ok and not out.timed_out
    assert out.returncode == 1
    assert "boom" in out.stderr and out.stdout.strip() == "before"
    assert out.verdict() == "failed with exit code 1"


def test_snippet_killed_by_a_signal():
    out = run_snippet("import os, signal; os.kill(os.getpid(), signal.SIGKILL)", timeout=20)
    assert out.returncode == -9 and out.verdict() == "killed by signal 9"


def test_snippet_that_hangs_is_killed_with_its_whole_tree():
    # The script starts a child, which starts a grandchild that leaves the
    # process group (a new session); all three print their pid and sleep.
    out = run_snippet("""
        import os, subprocess, sys, time
        code = "import os, time; print(os.getpid(), flush=True); time.sleep(60)"
        child = subprocess.Popen([sys.executable, "-c",
            "import os, subprocess, sys, time; print(os.getpid(), flush=True);"
            f"subprocess.Popen([sys.executable, '-c', {code!r}], start_new_session=True);"
            "time.sleep(60)"])
        print(os.getpid(), flush=True)
        time.sleep(60)
    """, timeout=3)
    assert out.timed_out and out.returncode is None
    assert out.verdict().startswith("timed out")
    pids = [int(x) for x in out.stdout.split()]
    assert len(pids) == 3, out.stdout
    deadline = time.monotonic() + 5
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert alive(pids) == []
    assert out.seconds >= 3


def test_snippet_env_args_and_like_notebook():
    out = run_snippet("import os, sys; print(os.environ['COURSE_X'], sys.argv[1:])",
                      env={"COURSE_X": "42"}, args=("a",), timeout=20)
    assert out.stdout.strip() == "42 ['a']"
    nb = run_snippet("import __main__; print(hasattr(__main__, '__file__'))",
                     like_notebook=True, timeout=20)
    assert nb.stdout.strip() == "False"


@pytest.mark.parametrize("bad", [0, -1])
def test_snippet_rejects_bad_timeouts(bad):
    with pytest.raises(ValueError, match="timeout must be a positive number"):
        run_snippet("pass", timeout=bad)


@pytest.mark.parametrize("bad", ["3", True])
def test_snippet_rejects_a_timeout_that_is_not_a_number(bad):
    with pytest.raises(TypeError, match="timeout must be a number of seconds"):
        run_snippet("pass", timeout=bad)


def test_excerpt_and_count():
    out = run_snippet("""
        import sys
        print("/some/path/x.py:3: Warning: keep me")
        print("noise"); print("keep me too"); print("keep me too")
        print("line", file=sys.stderr)
    """, timeout=20)
    text = out.excerpt("keep me", limit=5)
    assert text.splitlines() == ["finished normally (exit code 0)",
                                 "  /some/path/x.py:3: Warning: keep me", "  keep me too"]
    assert out.excerpt("Warning", from_match=True).splitlines()[1] == "  Warning: keep me"
    assert out.excerpt("keep", limit=1).splitlines()[-1] == "  ... 1 more matching lines"
    assert out.count("keep me") == 3 and out.count("line") == 1


def test_killed_snippet_leaves_no_semaphores(tmp_path):
    # A spawn Pool whose task never ends is killed on timeout; its resource
    # tracker, killed last, must still unlink the pool's named semaphores.

    shm = "/dev/shm"
    if not os.path.isdir(shm):
        pytest.skip("needs Linux /dev/shm")
    before = set(os.listdir(shm))
    out = run_snippet("""
        import multiprocessing as mp
        from helpers.workloads import sleepy
        if __name__ == "__main__":
            with mp.get_context("spawn").Pool(2) as pool:
                print(pool.map(sleepy, [60, 60]))
    """, timeout=3)
    assert out.timed_out
    assert "leaked semaphore" in out.stderr  # the tracker did the cleaning
    # the snippet's semaphores carry run_snippet's tag; other programs make others
    left = {n for n in set(os.listdir(shm)) - before if n.startswith("sem.mp-course")}
    assert left - foreign_shm_entries(left) == set()


def test_snippet_without_main_guard_leaves_no_semaphores():
    # Spawned children re-run the script, create the executor's semaphores and
    # die before registering them with a resource tracker; run_snippet names
    # the snippet's semaphores with a tag of its own and removes them.

    if not os.path.isdir("/dev/shm"):
        pytest.skip("needs Linux /dev/shm")
    before = set(os.listdir("/dev/shm"))
    out = run_snippet("""
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor
        from helpers.workloads import square
        with ProcessPoolExecutor(2, mp_context=mp.get_context("spawn")) as ex:
            print(list(ex.map(square, range(5))))
    """, timeout=30)
    assert "bootstrapping phase" in out.stderr and "BrokenProcessPool" in out.stderr
    left = {n for n in set(os.listdir("/dev/shm")) - before if n.startswith("sem.mp-course")}
    assert left - foreign_shm_entries(left) == set()


def test_snippet_keeps_a_shadowed_sitecustomize(tmp_path):
    (tmp_path / "sitecustomize.py").write_text("import builtins; builtins.COURSE_SITE = 1\n")
    out = run_snippet("import builtins; print(getattr(builtins, 'COURSE_SITE', 0))",
                      env={"PYTHONPATH": str(tmp_path)}, timeout=20)
    assert out.stdout.strip() == "1"
