"""A pytest plugin: fail the run if it leaves a process or a shared-memory segment behind.

Loaded for every pytest run of the course (``addopts`` in pyproject.toml), the
unit tests and the notebook runs alike. At start it puts a random token in the
environment, which every kernel, pool worker, manager and resource tracker
started by the run inherits; at the end, any live process that still carries
the token was left behind. New entries in ``/dev/shm`` (shared memory and
POSIX semaphores) are leaks too. Both checks need Linux's ``/proc`` and
``/dev/shm``; elsewhere they are skipped.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from pathlib import Path

import psutil
import pytest

MARK = "MP_COURSE_TEST_RUN"
SHM = Path("/dev/shm")
GRACE_SECONDS = 10.0  # resource trackers and forkserver exit shortly after their kernel

_state: dict = {}


def _shm_entries() -> set[str]:
    return set(os.listdir(SHM)) if SHM.is_dir() else set()


def _own_helper(proc: psutil.Process, me: int) -> bool:
    """The resource tracker or forkserver of this pytest process: they end when it does."""
    if proc.ppid() != me:
        return False
    cmdline = " ".join(proc.cmdline())
    return "multiprocessing.resource_tracker" in cmdline or "multiprocessing.forkserver" in cmdline


def _marked_processes(token: str) -> list[psutil.Process]:
    me = os.getpid()
    ancestors = {p.pid for p in psutil.Process(me).parents()}
    found = []
    for proc in psutil.process_iter():
        if proc.pid == me or proc.pid in ancestors:
            continue
        try:
            if (proc.environ().get(MARK) == token and proc.status() != psutil.STATUS_ZOMBIE
                    and not _own_helper(proc, me)):
                found.append(proc)
        except (psutil.AccessDenied, psutil.NoSuchProcess, psutil.ZombieProcess):
            continue
    return found


def _describe(proc: psutil.Process) -> str:
    try:
        return f"pid {proc.pid}: {' '.join(proc.cmdline())[:160]}"
    except psutil.Error:
        return f"pid {proc.pid}"


def _stop_kernels_gracefully() -> None:
    """Make nbval shut its kernels down cleanly instead of killing them.

    nbval ends each notebook's kernel with ``shutdown_kernel(now=True)``, a kill
    of the kernel's whole process group that takes multiprocessing's resource
    tracker with it; a lesson's queue or lock still alive under spawn then
    leaves its named semaphore in /dev/shm. A shutdown request lets the kernel
    exit normally and the tracker unlink what remains (jupyter_client still
    kills a kernel that has not exited after its ``shutdown_wait_time``).
    """
    try:
        from nbval.kernel import RunningKernel
    except ImportError:
        return

    def stop(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=False)
        del self.km

    RunningKernel.stop = stop


def pytest_configure(config: pytest.Config) -> None:
    _stop_kernels_gracefully()
    if not sys.platform.startswith("linux"):
        return
    _state["token"] = os.environ.setdefault(MARK, uuid.uuid4().hex)
    _state["shm"] = _shm_entries()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    token = _state.get("token")
    if token is None:
        return
    deadline = time.monotonic() + GRACE_SECONDS
    while (procs := _marked_processes(token)) and time.monotonic() < deadline:
        time.sleep(0.2)
    while (segments := _shm_entries() - _state["shm"]) and time.monotonic() < deadline:
        time.sleep(0.2)
    problems = [f"process left running, {_describe(p)}" for p in procs]
    problems += [f"shared-memory entry left in /dev/shm: {name}" for name in sorted(segments)]
    if not problems:
        return
    for p in procs:  # ours alone (they carry this run's token): end them
        try:
            p.kill()
        except psutil.Error:
            pass
    # /dev/shm entries are only reported: the next run takes them as its baseline.
    _state["problems"] = problems
    session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter) -> None:
    problems = _state.get("problems")
    if problems:
        terminalreporter.section("leaks: processes and shared memory", red=True)
        for line in problems:
            terminalreporter.write_line(line)
