"""Run code that may hang or crash in a separate Python process, safely.

A lesson that shows a deadlock, a crash or a script without the
``if __name__ == "__main__":`` guard must not take the kernel down with it.
``run_snippet`` writes the code to a temporary script, runs it with this
interpreter in a process group of its own, and on timeout kills the whole
group (the script and every process it started). It returns what happened
as a value the notebook can show.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import psutil

from helpers.args import check_number


@dataclass(frozen=True)
class Outcome:
    """What happened to a snippet run by ``run_snippet``."""

    returncode: int | None
    stdout: str
    stderr: str
    timed_out: bool
    seconds: float

    @property
    def ok(self) -> bool:
        return not self.timed_out and self.returncode == 0

    def verdict(self) -> str:
        if self.timed_out:
            return "timed out: killed after the time limit (it would have hung)"
        if self.returncode == 0:
            return "finished normally (exit code 0)"
        if self.returncode is not None and self.returncode < 0:
            return f"killed by signal {-self.returncode}"
        return f"failed with exit code {self.returncode}"

    def report(self, lines: int = 6) -> str:
        """The verdict, then the last ``lines`` lines of stdout and of stderr."""
        parts = [self.verdict()]
        for name, text in (("stdout", self.stdout), ("stderr", self.stderr)):
            tail = text.strip().splitlines()[-lines:]
            if tail:
                parts.append(f"--- {name} (last {len(tail)} lines) ---")
                parts.extend(tail)
        return "\n".join(parts)

    def __str__(self) -> str:
        return self.report()

    def excerpt(self, *patterns: str, limit: int = 6, from_match: bool = False) -> str:
        """The verdict, then the distinct lines of output that contain one of ``patterns``.

        Tracebacks differ between machines and Python versions (paths, line
        numbers, pids); the lines a lesson talks about do not. Each kept line
        is stripped, shown once, and the first ``limit`` are kept. With
        ``from_match``, a line starts at its first pattern (drops a path before it).
        """
        kept: list[str] = []
        for line in (self.stdout + "\n" + self.stderr).splitlines():
            found = [line.index(p) for p in patterns if p in line]
            line = line[min(found):].strip() if found and from_match else line.strip()
            if found and line not in kept:
                kept.append(line)
        shown = [f"  {line}" for line in kept[:limit]]
        if len(kept) > limit:
            shown.append(f"  ... {len(kept) - limit} more matching lines")
        return "\n".join([self.verdict(), *shown])

    def count(self, text: str) -> int:
        """How many lines of stdout and stderr contain ``text``."""
        return sum(text in line for line in (self.stdout + "\n" + self.stderr).splitlines())


def _is_resource_tracker(p: psutil.Process) -> bool:
    try:
        return any("resource_tracker" in part for part in p.cmdline())
    except psutil.Error:
        return False


def _kill_tree(proc: subprocess.Popen) -> None:
    """Kill ``proc``, its process group and any descendant that left the group.

    multiprocessing's resource tracker is killed last: once every other
    process is gone it unlinks the semaphores and shared memory they left
    registered (with a warning on stderr). Killed together with them, it
    could not, and /dev/shm would keep them.
    """
    try:
        descendants = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        descendants = []
    trackers = [p for p in descendants if _is_resource_tracker(p)]
    others = [p for p in descendants if p not in trackers]
    for p in [*others, proc]:
        try:
            p.kill()
        except (psutil.NoSuchProcess, ProcessLookupError):
            pass
    proc.wait()
    psutil.wait_procs(others, timeout=5)
    psutil.wait_procs(trackers, timeout=5)  # it exits by itself once its clients are gone
    _kill_group(proc.pid)
    for p in descendants:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(descendants, timeout=5)


# Imported by every Python process of a snippet (its children too, through
# PYTHONPATH): names their semaphores /mp-<tag>-..., so that run_snippet can
# remove those a killed or crashed process left in /dev/shm, and only those.
# A child that dies between creating a semaphore and registering it with the
# resource tracker (a spawn Pool respawning workers that fail) leaves one.
# Then it runs the sitecustomize it shadows, if any (the course's spawn switch).
_SITE = """
import multiprocessing.process, os, sys
multiprocessing.process.current_process()._config["semprefix"] = "/mp-" + os.environ["{var}"]
_here = os.path.dirname(os.path.abspath(__file__))
for _d in sys.path:
    _f = os.path.join(_d, "sitecustomize.py")
    if _d and os.path.abspath(_d) != _here and os.path.isfile(_f):
        exec(compile(open(_f).read(), _f, "exec"))
        break
"""
_TAG_VAR = "COURSE_SNIPPET_SEM_TAG"


def _tag_semaphores(tmp: Path, env: dict[str, str]) -> str:
    tag = "course" + uuid.uuid4().hex[:8]
    site = tmp / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(_SITE.format(var=_TAG_VAR))
    env[_TAG_VAR] = tag
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(site), env.get("PYTHONPATH")) if p)
    return tag


def _unlink_tagged(tag: str) -> None:
    shm = Path("/dev/shm")
    if shm.is_dir():
        for entry in shm.glob(f"sem.mp-{tag}-*"):
            entry.unlink(missing_ok=True)


def _kill_group(pgid: int) -> None:
    if hasattr(os, "killpg"):
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def run_snippet(code: str, timeout: float = 5.0, args: tuple[str, ...] = (),
                env: dict[str, str] | None = None, like_notebook: bool = False) -> Outcome:
    """Run ``code`` as a script (``__name__ == "__main__"``) in a new Python process.

    Args:
        code: Python source; it is dedented, so an indented triple-quoted string works.
        timeout: seconds before the process and all its children are killed.
        args: extra command-line arguments for the script.
        env: extra environment variables for the script.
        like_notebook: run the code with ``python -c`` instead of from a file. Its
            ``__main__`` then has no file, as in a notebook, so spawn and
            forkserver children cannot import functions defined in it.

    Returns:
        An ``Outcome``: exit code, captured output, and whether it timed out.

    Raises:
        TypeError, ValueError: ``timeout`` is not a positive number.
    """
    check_number("timeout", timeout, positive=True, unit="seconds")
    with tempfile.TemporaryDirectory(prefix="course-snippet-") as tmp:
        script = Path(tmp, "snippet.py")
        script.write_text(textwrap.dedent(code))
        full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        tag = _tag_semaphores(Path(tmp), full_env)
        popen_kwargs = (
            {"start_new_session": True} if os.name == "posix"
            else {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
        )
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, *(("-c", script.read_text()) if like_notebook else (str(script),)),
             *args], cwd=tmp, env=full_env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **popen_kwargs,
        )
        try:
            out, err = proc.communicate(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
            _kill_tree(proc)
            out, err = proc.communicate(timeout=5)
        seconds = time.perf_counter() - start
        _kill_group(proc.pid)  # children the script left running go too
        _unlink_tagged(tag)
    return Outcome(None if timed_out else proc.returncode, out, err, timed_out, seconds)


def here_env() -> dict[str, str]:
    """Environment for ``run_snippet`` that lets the snippet import what this process can.

    Puts the current directory (where a learner's ``my_*.py`` files are) and
    this process's ``sys.path`` on ``PYTHONPATH``.
    """
    return {"PYTHONPATH": os.pathsep.join([os.getcwd(), *[p for p in sys.path if p]])}
