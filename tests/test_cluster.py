"""Tests for helpers.cluster: loopback only, and always closed."""

from __future__ import annotations

import os

import psutil
import pytest

from helpers import cluster
from helpers.workloads import cpu_task


@pytest.fixture(scope="module")
def session():
    with cluster.dask_session(n_workers=2) as s:
        yield s
    assert s.closed


def test_local_cluster_by_default(session, monkeypatch):
    assert session.kind == "local cluster"
    assert session.client.gather(session.client.map(cpu_task, [10, 10], pure=False)) == [285] * 2
    assert len(cluster.worker_pids(session)) == 2


def test_binds_only_to_loopback(session):
    assert cluster.host_of(session.scheduler_address) == "127.0.0.1"
    assert cluster.host_of(session.dashboard_link) == "127.0.0.1"
    # what the OS says the worker processes listen on, not only what Dask reports
    sockets = cluster.listening_sockets(cluster.worker_pids(session))
    assert sockets, "the workers should listen somewhere"
    assert all(ip == "127.0.0.1" for ip, _ in sockets)
    listeners = cluster.cluster_listeners(session)
    assert set(sockets) <= set(listeners)
    assert cluster.loopback_only(session)


def test_environment_variable_points_at_another_scheduler(session, monkeypatch):
    monkeypatch.setenv(cluster.ENV_VAR, session.scheduler_address)
    with cluster.dask_session() as remote:
        assert remote.kind == "remote scheduler"
        assert remote.cluster is None
        assert remote.client.submit(cpu_task, 4).result() == 14
    assert remote.closed
    assert session.client.submit(cpu_task, 3).result() == 5  # the cluster it used is still up


def test_closed_even_when_the_body_raises():
    with pytest.raises(RuntimeError, match="boom"):
        with cluster.dask_session(n_workers=1) as s:
            pids = cluster.worker_pids(s)
            raise RuntimeError("boom")
    assert s.closed
    assert s.client.status == "closed"
    assert s.cluster.status.name == "closed"
    gone, alive = psutil.wait_procs([psutil.Process(p) for p in pids if psutil.pid_exists(p)],
                                    timeout=10)
    assert not alive


def test_closing_restores_the_environment_the_nannies_changed():
    # Dask's nannies set OPENBLAS_NUM_THREADS=1 (and more) in this process;
    # left in place, every later pool would run BLAS on one thread.
    before = dict(os.environ)
    with cluster.dask_session(n_workers=1) as s:
        assert s.client.submit(cpu_task, 3).result() == 5
    assert dict(os.environ) == before


def test_close_twice_is_harmless():
    s = cluster.DaskSession(n_workers=1)
    s.close()
    s.close()
    assert s.closed


def test_unreachable_scheduler_fails_and_leaves_nothing_open():
    with pytest.raises(OSError):
        cluster.DaskSession(address="tcp://127.0.0.1:1", timeout=1)


def test_bad_worker_count():
    with pytest.raises(ValueError, match="at least 1"):
        cluster.DaskSession(n_workers=0)


@pytest.mark.parametrize("host, expected", [
    ("127.0.0.1", True), ("127.0.1.1", True), ("::1", True), ("localhost", True),
    ("0.0.0.0", False), ("192.168.1.5", False), ("example.org", False),
])
def test_is_loopback(host, expected):
    assert cluster.is_loopback(host) is expected


def test_host_of():
    assert cluster.host_of("tcp://127.0.0.1:8786") == "127.0.0.1"
    assert cluster.host_of("http://127.0.0.1:8787/status") == "127.0.0.1"
    with pytest.raises(ValueError, match="no host"):
        cluster.host_of("8786")
