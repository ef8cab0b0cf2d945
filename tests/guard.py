"""A pytest plugin: fail the run if it leaves a process or a shared-memory segment behind.

Loaded for every pytest run of the course (``addopts`` in pyproject.toml), the
unit tests and the notebook runs alike. At start it puts a random token in the
environment, which every kernel, pool worker, manager and resource tracker
started by the run inherits; at the end, any live process that still carries
the token was left behind. New entries in ``/dev/shm`` (shared memory and
POSIX semaphores) are leaks too. Both checks need Linux's ``/proc`` and
``/dev/shm``; elsewhere they are skipped.

It also makes nbval patient on a busy machine (every wait here ends as soon as
its condition holds, so an idle run is not slowed down):

- kernels get SIGTERM and ``KERNEL_SHUTDOWN_SECONDS`` to exit before they are
  killed;
- nbval waits ``OUTPUT_SECONDS`` (instead of 5 s) for a cell's last outputs
  after the kernel has replied;
- leaked processes and ``/dev/shm`` entries get ``GRACE_SECONDS`` to go away;
- a ``/dev/shm`` entry that a process outside this run has open or mapped is
  another program's (another test run on a shared machine), not a leak.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import psutil
import pytest

MARK = "MP_COURSE_TEST_RUN"
SHM = Path("/dev/shm")
# Resource trackers and forkservers exit shortly after their kernel. The guard's
# own test shortens the wait through the environment.
GRACE_SECONDS = float(os.environ.get("MP_COURSE_GUARD_GRACE", "60"))
KERNEL_SHUTDOWN_SECONDS = 60.0  # for a kernel to exit after SIGTERM
OUTPUT_SECONDS = 60.0  # nbval's default is 5 s

_state: dict = {}


def _shm_entries() -> set[str]:
    return set(os.listdir(SHM)) if SHM.is_dir() else set()


def _held_paths(pid: int) -> set[str]:
    """The files process ``pid`` has mapped or open, read from ``/proc``."""
    held = set()
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
            fields = line.split(maxsplit=5)
            if len(fields) == 6:
                held.add(fields[5].removesuffix(" (deleted)"))
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                held.add(os.readlink(fd))
    return held


def foreign_shm_entries(names: set[str], token: str | None = None) -> set[str]:
    """The ``/dev/shm`` entries among ``names`` that a live process outside this run
    (one without this run's ``token``) has open or mapped: another program's.

    Tests that compare ``/dev/shm`` before and after use it too, since other
    programs on the machine make and remove entries at the same time.
    """
    token = token or os.environ.get(MARK)
    paths = {str(SHM / name): name for name in names}
    found: set[str] = set()
    for proc in psutil.process_iter():
        try:
            if proc.pid == os.getpid() or proc.environ().get(MARK) == token:
                continue
        except psutil.Error:
            continue
        found |= {paths[p] for p in _held_paths(proc.pid) if p in paths}
    return found


def _leaked_shm(token: str) -> set[str]:
    """New ``/dev/shm`` entries since the run began, but for other programs' ones."""
    new = _shm_entries() - _state["shm"]
    return new - foreign_shm_entries(new, token) if new else new


def lasting(sample: Callable[[], set[str]], deadline: float, pause: float = 0.5) -> set[str]:
    """What ``sample()`` finds now and still finds at each look until ``deadline``.

    Once this run's processes are gone it makes no new ``/dev/shm`` entries, so
    an entry is its leak only if it was there then and stays. Other programs
    keep making and removing entries meanwhile: waiting for none at all could
    end with whatever they had at that moment.
    """
    found = sample()
    while found and time.monotonic() < deadline:
        time.sleep(pause)
        found &= sample()
    return found


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
    """Make nbval end its kernels with SIGTERM instead of killing them.

    nbval ends each notebook's kernel with ``shutdown_kernel(now=True)``, a
    SIGKILL to the kernel's whole process group that takes multiprocessing's
    resource tracker with it; a lesson's queue or lock still alive under spawn
    then leaves its named semaphore in /dev/shm. A shutdown request is no better
    and slow: ipykernel then signals its own children before exiting, and since
    the resource tracker ignores SIGTERM it waits about 14 s and SIGKILLs it,
    while jupyter_client SIGTERMs the kernel after half its
    ``shutdown_wait_time``. So: SIGTERM to the group (the kernel, its workers
    and its forkserver end; the tracker ignores it, sees its clients gone,
    unlinks what they left and exits), wait for the kernel to be gone, and kill
    the group only if it is still there after ``KERNEL_SHUTDOWN_SECONDS``.
    """
    try:
        from nbval.kernel import RunningKernel
    except ImportError:
        return

    def stop(self) -> None:
        self.kc.stop_channels()
        km = self.km
        with contextlib.suppress(Exception):
            km.signal_kernel(signal.SIGTERM)
        deadline = time.monotonic() + KERNEL_SHUTDOWN_SECONDS
        while km.is_alive() and time.monotonic() < deadline:
            time.sleep(0.05)
        if km.is_alive():
            km.shutdown_kernel(now=True)
        else:
            km.cleanup_resources()
        del self.km

    RunningKernel.stop = stop


def _wait_longer_for_outputs() -> None:
    """Give a cell's outputs ``OUTPUT_SECONDS`` to arrive once the kernel has replied.

    nbval reads a cell's outputs with a 5 s limit per message (``IPyNbCell.
    output_timeout``) and fails the cell with "Timeout of 5 seconds exceeded
    waiting for output" past it: on a loaded machine the kernel's output
    thread can be that late.
    """
    try:
        from nbval.plugin import IPyNbCell
    except ImportError:
        return
    init = IPyNbCell.__init__

    def patient_init(self, *args, **kwargs) -> None:
        init(self, *args, **kwargs)
        self.output_timeout = OUTPUT_SECONDS

    IPyNbCell.__init__ = patient_init


def pytest_configure(config: pytest.Config) -> None:
    _stop_kernels_gracefully()
    _wait_longer_for_outputs()
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
    segments = lasting(lambda: _leaked_shm(token), deadline)
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
