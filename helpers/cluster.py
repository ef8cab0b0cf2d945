"""A Dask cluster for the lessons: loopback-only by default, always closed.

``dask_session()`` starts a ``LocalCluster`` of worker *processes* on this
machine, bound to 127.0.0.1, or connects to the scheduler named in the
environment variable ``COURSE_DASK_SCHEDULER`` (for example
``tcp://10.0.0.5:8786``) when it is set. Either way the caller gets a
``distributed.Client`` and the same code runs on one laptop or a real cluster.

Whatever this module opened, it closes: on ``close()``, on leaving a ``with``
block (also when the body raised) and, as a last resort, when the interpreter
exits. A cluster it merely connected to is left running: it belongs to someone
else.

``LocalCluster`` binds its scheduler and workers to 127.0.0.1 (dask/distributed
PR 5427), but the dashboard's default ``:8787`` has listened on every interface
in some versions (dask/distributed issue 5918), so the dashboard address is
always given explicitly. Whoever can reach a scheduler can run code on its
workers: never expose one to a network you do not trust.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import weakref
from collections.abc import Iterable
from urllib.parse import urlparse

import psutil

from helpers.args import check_int

ENV_VAR = "COURSE_DASK_SCHEDULER"
LOOPBACK = "127.0.0.1"


class DaskSession:
    """A client plus, when we started it, the local cluster behind it.

    Use it as a context manager, or keep it across notebook cells and call
    ``close()`` at the end (an interpreter-exit hook closes it otherwise).
    """

    def __init__(self, address: str | None = None, n_workers: int = 2,
                 timeout: float = 10.0) -> None:
        from distributed import Client, LocalCluster

        check_int("n_workers", n_workers, minimum=1)
        address = address or os.environ.get(ENV_VAR) or None
        # A Nanny sets OMP/MKL/OPENBLAS_NUM_THREADS=1 and more in *this* process's
        # environment before spawning its worker (distributed/nanny.py, the
        # pre-spawn-environ config) and never undoes it: every pool the notebook
        # starts afterwards would run BLAS on one thread. close() restores it.
        environ = dict(os.environ)
        self.cluster = None
        self.client = None
        try:
            if address is None:
                self.cluster = LocalCluster(
                    n_workers=n_workers, threads_per_worker=1, processes=True,
                    host=LOOPBACK, dashboard_address=f"{LOOPBACK}:0",
                    silence_logs=logging.ERROR,  # start-up chatter would land in stderr
                )
                self.client = Client(self.cluster, timeout=timeout)
            else:
                self.client = Client(address, timeout=timeout)
        except BaseException:
            _close(self.client, self.cluster, environ)
            raise
        self.remote = address
        # Runs at close() or at interpreter exit, whichever comes first.
        self._finalizer = weakref.finalize(self, _close, self.client, self.cluster, environ)

    @property
    def kind(self) -> str:
        """'local cluster' or 'remote scheduler'."""
        return "local cluster" if self.cluster is not None else "remote scheduler"

    @property
    def scheduler_address(self) -> str:
        return self.client.scheduler.address

    @property
    def dashboard_link(self) -> str:
        return self.client.dashboard_link

    def close(self) -> None:
        """Close the client and, if this session started it, the cluster. Safe to repeat."""
        self._finalizer()

    @property
    def closed(self) -> bool:
        return not self._finalizer.alive

    def __enter__(self) -> DaskSession:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


def _close(client, cluster, environ: dict[str, str]) -> None:
    for thing in (client, cluster):
        if thing is not None:
            try:
                thing.close()
            except Exception:  # already closed, or its event loop is gone at exit
                pass
    if cluster is not None:
        _restore_environ(environ)


def _restore_environ(saved: dict[str, str]) -> None:
    """Put back the variables that differ from ``saved``, and remove the added ones."""
    for key in set(os.environ) - set(saved):
        del os.environ[key]
    for key, value in saved.items():
        if os.environ.get(key) != value:
            os.environ[key] = value


def dask_session(address: str | None = None, n_workers: int = 2) -> DaskSession:
    """Start (or connect to) a Dask cluster; see ``DaskSession``."""
    return DaskSession(address=address, n_workers=n_workers)


def host_of(address: str) -> str:
    """The host part of ``tcp://127.0.0.1:8786`` or ``http://127.0.0.1:8787/status``."""
    host = urlparse(address).hostname
    if host is None:
        raise ValueError(f"no host in address {address!r}; expected e.g. tcp://127.0.0.1:8786")
    return host


def is_loopback(host: str) -> bool:
    """True for 127.x.y.z, ::1 and localhost; False for anything reachable from outside."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def worker_pids(session: DaskSession) -> list[int]:
    """The process ids of the cluster's workers (each asked with ``client.run``)."""
    return sorted(set(session.client.run(os.getpid).values()))


def listening_sockets(pids: Iterable[int]) -> list[tuple[str, int]]:
    """(ip, port) of every TCP socket on which one of ``pids`` listens."""
    pids = set(pids)
    return sorted((c.laddr.ip, c.laddr.port) for c in psutil.net_connections(kind="tcp")
                  if c.status == psutil.CONN_LISTEN and c.pid in pids)


def cluster_listeners(session: DaskSession) -> list[tuple[str, int]]:
    """Where the scheduler, its dashboard, the nannies and the workers listen.

    The scheduler and the nannies of a ``LocalCluster`` run inside this process,
    so their addresses come from the cluster itself; the worker processes are
    also asked the operating system (psutil), which sees every socket they opened.
    """
    addresses = [session.scheduler_address, session.dashboard_link]
    for address, info in session.client.scheduler_info()["workers"].items():
        addresses += [address, info.get("nanny") or address]
    found = {(urlparse(a).hostname, urlparse(a).port) for a in addresses}
    if session.cluster is not None:  # a remote cluster's pids mean nothing here
        found.update(listening_sockets(worker_pids(session)))
    return sorted(found)


def loopback_only(session: DaskSession) -> bool:
    """True when every address the cluster listens on is a loopback address."""
    return all(is_loopback(ip) for ip, _ in cluster_listeners(session))
