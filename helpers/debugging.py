"""Find out where a stuck worker is, without a debugger's prompt.

A worker's stdin is ``os.devnull`` (multiprocessing replaces it when the
process starts), so ``pdb`` in a worker reads end-of-file and quits at once.
What works instead: ``faulthandler.dump_traceback_later`` armed in an
initializer, which prints every thread's stack if the worker is still busy
after N seconds; ``py-spy dump --pid`` from outside, which reads the stack of a
running process (it needs ptrace rights); ``multiprocessing.log_to_stderr``;
and on Python 3.14, ``python -m pdb -p PID`` (PEP 768).
"""

from __future__ import annotations

import faulthandler
import os
import re
import shutil
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path


def arm_watchdog(seconds: float, exit: bool = True) -> None:
    """Initializer: dump this worker's stack to stderr if it is still running after ``seconds``.

    With ``exit=True`` the worker then exits, so the parent sees
    ``BrokenProcessPool`` instead of waiting for ever. Runs in a worker process.
    """
    faulthandler.dump_traceback_later(seconds, exit=exit)


def deadlock(seconds: float = 10.0) -> bool:
    """Take a lock this thread already holds: stuck, but only for ``seconds``.

    Returns False (the lock never came). Runs in a worker process.
    """
    lock = threading.Lock()
    lock.acquire()
    return lock.acquire(timeout=seconds)


def read_stdin(_: object = None) -> str:
    """What reading this process's stdin gives: ``""`` at once in a worker (end of file).

    Runs in a worker process.
    """
    return sys.stdin.read()


def ask_pdb(x: int) -> int:
    """Stop in pdb, as a learner would to debug a task. Runs in a worker process."""
    breakpoint()
    return x


_FRAME = re.compile(r'File "([^"]+)", line \d+ in ([\w.<>]+)|^\s+([\w.<>]+) \(([^)]+?):\d+\)')


def frames(text: str, limit: int = 8) -> list[str]:
    """The stack frames in a faulthandler or py-spy dump, as ``function (file)``.

    Paths and line numbers differ between machines and versions; the file's
    name and the function do not.
    """
    found = []
    for line in text.splitlines():
        m = _FRAME.search(line)
        if m:
            path, func = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
            found.append(f"{func} ({Path(path).name})")
    return found[:limit]


@dataclass(frozen=True)
class Dump:
    """What ``py-spy dump`` gave: the stack, or why there is none."""

    ok: bool
    text: str
    reason: str = ""


def py_spy() -> str | None:
    """The py-spy program installed with this Python, or on the PATH."""
    here = Path(sys.executable).parent / ("py-spy.exe" if os.name == "nt" else "py-spy")
    return str(here) if here.exists() else shutil.which("py-spy")


_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # py-spy colours its output in some terminals
_REFUSED = ("Permission denied", "Operation not permitted", "ptrace", "access is denied",
            "root", "sudo")


def spy_dump(pid: int, timeout: float = 15.0) -> Dump:
    """``py-spy dump --pid PID``: the Python stack of another running process.

    Never raises for an environment problem: a missing py-spy, refused ptrace
    rights (a container without CAP_SYS_PTRACE, Yama's ptrace_scope, macOS
    without sudo) or a timeout come back as ``ok=False`` with the reason.
    """
    exe = py_spy()
    if exe is None:
        return Dump(False, "", "py-spy is not installed (pip install py-spy)")
    try:
        done = subprocess.run([exe, "dump", "--pid", str(pid)], capture_output=True,
                              text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return Dump(False, "", f"py-spy did not finish within {timeout:g} s")
    if done.returncode == 0:
        return Dump(True, _ANSI.sub("", done.stdout))
    message = (done.stderr or done.stdout).strip().splitlines()
    last = message[-1] if message else f"exit code {done.returncode}"
    if any(word.lower() in (done.stderr + done.stdout).lower() for word in _REFUSED):
        return Dump(False, "", "this system refused py-spy the right to read another "
                    f"process (ptrace): {last}")
    return Dump(False, "", f"py-spy failed: {last}")
