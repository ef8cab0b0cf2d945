"""A small ASGI web app with a CPU-bound endpoint, served by uvicorn, and a client that probes it.

``/work?n=N`` runs ``cpu_work(N)``; ``/health`` answers at once. In the
*inline* app the work runs on the event loop and blocks every other request
(Kludex/starlette#1094, fastapi/fastapi#841); in the *pool* app it runs in a
``ProcessPoolExecutor`` that the app's lifespan creates once, at start-up, and
shuts down at exit. ``serve`` starts an app with uvicorn on 127.0.0.1 in a
subprocess and always stops it (and its pool) and frees the port;
``helpers.webclient`` measures it.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field

import psutil

from helpers.workloads import cpu_task

WORKERS = 2  # processes in the pool app's executor


def cpu_work(n: int) -> dict:
    """``cpu_task(n)`` and the pid that ran it, as JSON for a response. Runs in a worker process."""
    return {"pid": os.getpid(), "value": cpu_task(n)}


def make_app(mode: str):
    """A Starlette app whose ``/work`` runs ``"inline"`` or in a process ``"pool"``."""
    from starlette.applications import Starlette
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    if mode not in ("inline", "pool"):
        raise ValueError(f"mode must be 'inline' or 'pool', got {mode!r}")

    @asynccontextmanager
    async def lifespan(app):
        # One pool for the app's whole life: created after uvicorn started the
        # process, never at import time, and shut down when the server stops.
        app.state.pool = ProcessPoolExecutor(WORKERS) if mode == "pool" else None
        try:
            if app.state.pool is not None:  # start the workers before the first request
                list(app.state.pool.map(cpu_task, [1] * WORKERS))
            yield
        finally:
            if app.state.pool is not None:
                app.state.pool.shutdown(cancel_futures=True)

    async def health(request):
        return JSONResponse({"ok": True})

    async def work(request):
        n = int(request.query_params.get("n", "1000"))
        pool = request.app.state.pool
        if pool is None:
            return JSONResponse(cpu_work(n))  # blocks the event loop for the whole task
        loop = asyncio.get_running_loop()
        return JSONResponse(await loop.run_in_executor(pool, cpu_work, n))

    return Starlette(routes=[Route("/health", health), Route("/work", work)],
                     lifespan=lifespan)


def __getattr__(name: str):
    """``inline_app`` and ``pool_app``, made when uvicorn asks for them.

    Made lazily, so that a spawned pool worker, which imports this module to
    find ``cpu_work``, does not import Starlette too.
    """
    if name in ("inline_app", "pool_app"):
        return make_app(name.removesuffix("_app"))
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


@dataclass
class Server:
    """A running uvicorn server: its address and the pid of its process."""

    url: str
    port: int
    pid: int
    process: subprocess.Popen = field(repr=False)


def _wait_until_up(server: Server, timeout: float) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            err = server.process.stderr.read() if server.process.stderr else ""
            raise RuntimeError(f"the server exited at start-up: {err.strip()[-400:]}")
        try:
            if httpx.get(server.url + "/health", timeout=1, trust_env=False).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.05)
    raise TimeoutError(f"the server did not answer within {timeout:g} s")


def _stop(proc: subprocess.Popen, port: int) -> None:
    """Ask uvicorn to stop (its lifespan shuts the pool down), then kill whatever is left."""
    try:
        family = psutil.Process(proc.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        family = []
    if proc.poll() is None:
        proc.terminate()  # SIGTERM: uvicorn's graceful shutdown
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    _, alive = psutil.wait_procs(family, timeout=3)
    for p in alive:
        p.kill()
    psutil.wait_procs(alive, timeout=3)
    deadline = time.monotonic() + 5
    while not port_is_free(port) and time.monotonic() < deadline:
        time.sleep(0.05)


@contextmanager
def serve(app: str, timeout: float = 20.0):
    """Run ``app`` ("module:attribute") with uvicorn on 127.0.0.1 and a free port.

    Yields a ``Server``; on leaving, in every case, the server, its pool's
    workers and the port are released.
    """
    port = free_port()
    cmd = [sys.executable, "-m", "helpers.webapp", app, str(port), os.getcwd()]
    kwargs = {"start_new_session": True} if os.name == "posix" else {}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            **kwargs)
    server = Server(f"http://127.0.0.1:{port}", port, proc.pid, proc)
    try:
        _wait_until_up(server, timeout)
        yield server
    finally:
        _stop(proc, port)
        if proc.stderr:
            proc.stderr.close()


def _exit_with_parent(parent: int) -> None:
    """Stop this server if the process that started it is gone (a killed kernel)."""
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def main(app: str, port: int, app_dir: str) -> None:
    """Serve ``app`` with uvicorn on 127.0.0.1:``port``, for as long as the parent lives."""
    import threading

    import uvicorn

    sys.path.insert(0, app_dir)  # where a learner's my_app.py is, as uvicorn's --app-dir
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
