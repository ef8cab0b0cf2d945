"""What the course does on Pythons this machine cannot run: 3.14, free-threaded builds.

The version (or the attribute a newer Python adds) is mocked, and the branch the
helpers or a lesson take on it is checked.

- 3.14 changed the default start method on POSIX other than macOS from fork to
  forkserver (What's New in Python 3.14, gh-84559). CPython keeps the platform
  default as the ``DefaultContext`` ``multiprocessing.context._default_context``,
  whose ``_default_context`` 3.14 sets to the forkserver context
  (Lib/multiprocessing/context.py): that is what is mocked here.
- ``concurrent.futures.InterpreterPoolExecutor`` is new in 3.14 (gh-124548).
- ``sys._is_gil_enabled()`` is new in 3.13, with the free-threaded build
  (``Py_GIL_DISABLED``; PEP 703, What's New in Python 3.13).
- ``SharedMemory(track=False)`` is new in 3.13 (gh-82300).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import sys
import sysconfig
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest

from helpers import alternatives, bench, machine, sharedarray
from helpers.workloads import cpu_task, cpu_task_expected, square

ROOT = Path(__file__).resolve().parents[1]
POSIX_ONLY = pytest.mark.skipif(sys.platform == "win32", reason="forkserver is POSIX only")


@pytest.fixture
def platform_default(monkeypatch):
    """``platform_default("forkserver")``: as if this Python's default were that method,
    with no start method chosen yet (a fresh kernel on 3.14's Linux)."""
    default = mp.context._default_context

    def set_default(method: str) -> None:
        monkeypatch.setattr(default, "_default_context", mp.get_context(method))
        monkeypatch.setattr(default, "_actual_context", None)

    return set_default


# --- 3.14: forkserver becomes the default start method on Linux -----------------

@POSIX_ONLY
@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
def test_default_start_method_follows_the_platform_default(platform_default, method):
    platform_default(method)
    assert machine.default_start_method() == method
    assert mp.get_start_method(allow_none=True) is None, "reading it must not fix it"


@POSIX_ONLY
def test_machine_info_reports_forkserver_as_3_14_would(platform_default):
    platform_default("forkserver")
    info = machine.machine_info()
    assert info.default_start_method == "forkserver"
    assert "default start method: forkserver" in info.summary()


@POSIX_ONLY
def test_a_chosen_start_method_wins_over_the_platform_default(platform_default, monkeypatch):
    platform_default("forkserver")
    monkeypatch.setattr(mp.context._default_context, "_actual_context", mp.get_context("spawn"))
    assert machine.default_start_method() == "spawn"


@POSIX_ONLY
def test_bench_uses_forkserver_when_it_is_the_default(platform_default):
    platform_default("forkserver")
    records = bench.compare(square, range(8), strategies=("serial", "pool", "executor"),
                            workers=1, repeats=1)
    methods = {r.strategy: r.start_method for r in records}
    assert methods["pool"] == methods["executor"] == "forkserver"


# --- free-threaded builds (3.13+): sys._is_gil_enabled ------------------------

def _build(monkeypatch, *, free_threaded: bool, gil_enabled: bool | None):
    real = sysconfig.get_config_var

    def get_config_var(name):
        return int(free_threaded) if name == "Py_GIL_DISABLED" else real(name)

    monkeypatch.setattr(sysconfig, "get_config_var", get_config_var)
    if gil_enabled is None:
        monkeypatch.delattr(sys, "_is_gil_enabled", raising=False)
    else:
        monkeypatch.setattr(sys, "_is_gil_enabled", lambda: gil_enabled, raising=False)


@pytest.mark.parametrize("gil_enabled", [None, True])
def test_gil_status_standard_build(monkeypatch, gil_enabled):
    _build(monkeypatch, free_threaded=False, gil_enabled=gil_enabled)  # 3.12, or 3.13 default
    assert alternatives.gil_status().startswith("standard build: the GIL is always on")


def test_gil_status_free_threaded_gil_off(monkeypatch):
    _build(monkeypatch, free_threaded=True, gil_enabled=False)
    assert alternatives.gil_status().startswith("free-threaded build, GIL off")


def test_gil_status_free_threaded_gil_turned_back_on(monkeypatch):
    _build(monkeypatch, free_threaded=True, gil_enabled=True)  # PYTHON_GIL=1, or an extension
    assert alternatives.gil_status().startswith("free-threaded build, but the GIL was turned")


# --- 3.13: SharedMemory(track=False) ------------------------------------------

class _Recorder:
    calls: list[dict] = []

    def __init__(self, **kwargs):
        _Recorder.calls.append(kwargs)


def test_open_borrowed_asks_3_13_not_to_track(monkeypatch):
    _Recorder.calls = []
    monkeypatch.setattr(sharedarray.shared_memory, "SharedMemory", _Recorder)
    monkeypatch.setattr(sys, "version_info", (3, 13, 0, "final", 0))
    sharedarray.open_segment("course_000000000000")
    assert _Recorder.calls == [{"name": "course_000000000000", "track": False}]


@pytest.mark.skipif(sys.platform == "win32", reason="the resource tracker is POSIX only")
def test_open_borrowed_before_3_13_skips_registering_without_a_tracker(monkeypatch):
    registered = []

    class Opening:
        def __init__(self, name):
            sharedarray.resource_tracker.register(name, "shared_memory")  # as SharedMemory does

    monkeypatch.setattr(sharedarray.shared_memory, "SharedMemory", Opening)
    monkeypatch.setattr(sharedarray.resource_tracker, "register",
                        lambda *args: registered.append(args))
    monkeypatch.setattr(sys, "version_info", (3, 12, 4, "final", 0))
    monkeypatch.setattr(sharedarray.resource_tracker._resource_tracker, "_fd", None)
    sharedarray.open_segment("course_000000000000")
    assert registered == []
    monkeypatch.setattr(sharedarray.resource_tracker._resource_tracker, "_fd", 99)
    sharedarray.open_segment("course_000000000000")  # a tracker runs: register as usual
    assert registered == [("course_000000000000", "shared_memory")]


# --- lesson 10's cell on free threading and InterpreterPoolExecutor -----------
# The branch lives in the lesson's code cell, not in a helper: run that cell in a
# namespace that holds what the lesson defined above it, with the 3.14 / 3.13t
# features present or absent.

def _lesson10_cell() -> str:
    nb = json.loads((ROOT / "notebooks" / "10_beyond_pools.ipynb").read_text())
    found = [c for c in nb["cells"] if c["cell_type"] == "code"
             and "InterpreterPoolExecutor" in "".join(c["source"])]
    assert len(found) == 1, "lesson 10 has one cell that looks for InterpreterPoolExecutor"
    return "".join(found[0]["source"])


def _run_lesson10_cell(capsys, futures: SimpleNamespace) -> dict:
    tasks = [2_000] * 4
    expected = [cpu_task_expected(2_000)] * 4
    serial = alternatives.measure("serial", lambda: [cpu_task(n) for n in tasks], expected)
    namespace = {
        "alt": alternatives, "sys": sys, "concurrent": SimpleNamespace(futures=futures),
        "cpu_task": cpu_task, "TASKS": tasks, "EXPECTED": expected, "CPUS": 2, "serial": serial,
        "threads_record": alternatives.measure("threads", lambda: [cpu_task(n) for n in tasks],
                                               expected, baseline=serial.median),
    }
    exec(compile(_lesson10_cell(), "lesson10-cell", "exec"), namespace)
    namespace["printed"] = capsys.readouterr().out
    return namespace


def test_lesson10_measures_interpreter_pool_where_it_exists(capsys):
    ns = _run_lesson10_cell(capsys, SimpleNamespace(InterpreterPoolExecutor=ThreadPoolExecutor))
    record = ns["interpreter_record"]
    assert record is not None and record.strategy == "interpreters"
    assert record.speedup is not None
    assert "interpreters" in ns["printed"]


def test_lesson10_says_there_is_nothing_to_measure_before_3_14(capsys):
    ns = _run_lesson10_cell(capsys, SimpleNamespace())
    assert ns["interpreter_record"] is None
    assert "No InterpreterPoolExecutor (new in 3.14)" in ns["printed"]


def test_lesson10_shows_threads_when_the_gil_is_off(capsys, monkeypatch):
    _build(monkeypatch, free_threaded=True, gil_enabled=False)
    ns = _run_lesson10_cell(capsys, SimpleNamespace())
    assert "GIL off" in ns["printed"] and "threads ran cpu_task at" in ns["printed"]
    _build(monkeypatch, free_threaded=False, gil_enabled=None)
    ns = _run_lesson10_cell(capsys, SimpleNamespace())
    assert "the GIL is always on" in ns["printed"]
