"""Fixtures for the browser test: a JupyterLab server and a headless Chromium.

``make test-browser`` installs Debian's chromium and Playwright, then runs
these tests with ``MP_COURSE_BROWSER=1``; a plain ``pytest tests`` skips them.
The server runs on 127.0.0.1 with a random port and token, in a temporary copy
of ``notebooks/`` (so the repository is never changed), with its own empty
settings, workspaces and runtime folders. Both fixtures stop what they started
in a finalizer, whatever the test did; ``tests/guard.py`` checks that nothing
was left behind.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
# The flags Chromium needs here: as root (--no-sandbox), with no GPU, and with no
# background connections, which this machine's closed network refuses.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# JupyterLab settings for a quiet, predictable page: every cell stays in the DOM
# (no windowing), no news or update checks pop up over the notebook.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false", "checkForUpdates": False},
}
SERVER_START_SECONDS = 90


@dataclass(frozen=True)
class Lab:
    url: str
    token: str
    root: Path  # the temporary copy of notebooks/ the server works in
    log: Path

    def tree(self, name: str) -> str:
        """The notebook alone in a workspace of its own (no tabs restored from before)."""
        workspace = Path(name).stem.replace("_", "-")
        return f"{self.url}/lab/workspaces/{workspace}/tree/{name}?reset&token={self.token}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _request(url: str, token: str, method: str = "GET") -> int:
    req = urllib.request.Request(url, method=method, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(req, timeout=5) as resp:
        return resp.status


def _stop(proc: subprocess.Popen, lab: Lab) -> None:
    """Ask the server to shut down (it stops its kernels), then make sure."""
    try:
        family = psutil.Process(proc.pid).children(recursive=True)
    except psutil.Error:
        family = []
    if proc.poll() is None:
        try:
            _request(f"{lab.url}/api/shutdown", lab.token, method="POST")
            proc.wait(timeout=20)
        except (OSError, urllib.error.URLError, subprocess.TimeoutExpired):
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(proc.pid, sig)
                    proc.wait(timeout=10)
                    break
                except ProcessLookupError:
                    break
                except subprocess.TimeoutExpired:
                    continue
    _, alive = psutil.wait_procs(family, timeout=10)
    for child in alive:  # a kernel or pool worker the shutdown missed
        try:
            child.kill()
        except psutil.Error:
            pass


@pytest.fixture(scope="session")
def lab(request, tmp_path_factory) -> Lab:
    """A JupyterLab server on loopback, serving a fresh copy of notebooks/."""
    base = tmp_path_factory.mktemp("lab")
    root = base / "notebooks"
    shutil.copytree(ROOT / "notebooks", root,
                    ignore=shutil.ignore_patterns("my_*.py", ".ipynb_checkpoints", "__pycache__"))
    settings = base / "settings"
    for name, values in LAB_SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    port, token = _free_port(), secrets.token_hex(24)
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_CURRENT_TEST"}
    env.update(JUPYTER_CONFIG_DIR=str(base / "config"), JUPYTER_RUNTIME_DIR=str(base / "runtime"),
               JUPYTERLAB_WORKSPACES_DIR=str(base / "workspaces"))
    log = base / "jupyter.log"
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
           "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
           f"--ServerApp.root_dir={root}",
           f"--LabApp.user_settings_dir={settings}",
           f"--LabApp.workspaces_dir={base / 'workspaces'}",
           "--LabApp.news_url=None",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # CI runs as root
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    server = Lab(url=f"http://127.0.0.1:{port}", token=token, root=root, log=log)
    request.addfinalizer(lambda: _stop(proc, server))
    deadline = time.monotonic() + SERVER_START_SECONDS
    while True:
        if proc.poll() is not None:
            pytest.fail(f"jupyter lab exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            if _request(f"{server.url}/api/status", token) == 200:
                break
        except (OSError, urllib.error.URLError):
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"jupyter lab did not answer in {SERVER_START_SECONDS} s:\n"
                        f"{log.read_text()[-3000:]}")
        time.sleep(0.5)
    return server


@pytest.fixture(scope="session")
def browser(request, tmp_path_factory):
    """A headless Debian Chromium driven by Playwright, with a fresh profile."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run `make test-browser`, which installs it")
    from playwright.sync_api import sync_playwright

    driver = sync_playwright().start()
    request.addfinalizer(driver.stop)
    # launch_persistent_context because Playwright refuses --user-data-dir in args.
    context = driver.chromium.launch_persistent_context(
        str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM,
        headless=True, args=CHROMIUM_ARGS, viewport={"width": 1400, "height": 1000})
    request.addfinalizer(context.close)
    context.set_default_timeout(30_000)
    return context


@pytest.fixture(scope="session")
def screenshots() -> Path:
    folder = ROOT / "results" / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def page(request, browser, screenshots):
    """A new tab, closed after the test; a failed test leaves a screenshot of it."""
    tab = browser.new_page()
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        try:
            tab.screenshot(path=screenshots / f"FAILED_{request.node.name}.png")
        except Exception as error:  # noqa: BLE001 - the test's own failure matters more
            print(f"no screenshot of the failure: {error}")
    tab.close()
