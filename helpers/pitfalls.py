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
from dataclasses import dataclass
from pathlib import Path

import psutil


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


def _kill_tree(proc: subprocess.Popen) -> None:
    """Kill ``proc``, its process group and any descendant that left the group."""
    try:
        descendants = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        descendants = []
    _kill_group(proc.pid)
    for p in [*descendants, proc]:
        try:
            p.kill()
        except (psutil.NoSuchProcess, ProcessLookupError):
            pass
    proc.wait()
    psutil.wait_procs(descendants, timeout=5)


def _kill_group(pgid: int) -> None:
    if hasattr(os, "killpg"):
        try:
            os.killpg(pgid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def run_snippet(code: str, timeout: float = 5.0, args: tuple[str, ...] = (),
                env: dict[str, str] | None = None) -> Outcome:
    """Run ``code`` as a script (``__name__ == "__main__"``) in a new Python process.

    Args:
        code: Python source; it is dedented, so an indented triple-quoted string works.
        timeout: seconds before the process and all its children are killed.
        args: extra command-line arguments for the script.
        env: extra environment variables for the script.

    Returns:
        An ``Outcome``: exit code, captured output, and whether it timed out.

    Raises:
        ValueError: ``timeout`` is not a positive number.
    """
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or timeout <= 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    with tempfile.TemporaryDirectory(prefix="course-snippet-") as tmp:
        script = Path(tmp, "snippet.py")
        script.write_text(textwrap.dedent(code))
        full_env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        popen_kwargs = (
            {"start_new_session": True} if os.name == "posix"
            else {"creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}
        )
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, str(script), *args], cwd=tmp, env=full_env, text=True,
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
    return Outcome(None if timed_out else proc.returncode, out, err, timed_out, seconds)
