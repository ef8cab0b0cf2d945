"""Lesson 12's checks, each tried with a right answer, a different right answer,
a wrong value and a wrong mechanism."""

import pytest

from helpers.checks import lesson12

APP_HEAD = """
import asyncio
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from helpers.webapp import cpu_work


@asynccontextmanager
async def lifespan(app):
    app.state.pool = {pool}(2)
    try:
        yield
    finally:
        app.state.pool.shutdown()


async def health(request):
    return JSONResponse({{"ok": True}})


async def work(request):
    n = int(request.query_params["n"])
    pool = request.app.state.pool
    {body}


app = Starlette(routes=[Route("/health", health), Route("/work", work)], lifespan=lifespan)
"""

RUN_IN_EXECUTOR = ("return JSONResponse(await asyncio.get_running_loop()"
                   ".run_in_executor(pool, cpu_work, n))")
WRAP_FUTURE = "return JSONResponse(await asyncio.wrap_future(pool.submit(cpu_work, n)))"
OFF_BY_ONE = ("answer = await asyncio.wrap_future(pool.submit(cpu_work, n - 1))\n"
              "    return JSONResponse(answer)")
BLOCKING = "return JSONResponse(pool.submit(cpu_work, n).result())"


def app(pool: str, body: str) -> str:
    return APP_HEAD.format(pool=pool, body=body)


@pytest.mark.parametrize("source", [app("ProcessPoolExecutor", RUN_IN_EXECUTOR),
                                    app("ProcessPoolExecutor", WRAP_FUTURE)],
                         ids=["run_in_executor", "wrap_future"])
def test_responsive_app_passes(learner, capsys, source):
    learner("my_app", source)
    assert lesson12.check_responsive_app("my_app:app") is True
    assert "✅" in capsys.readouterr().out


@pytest.mark.parametrize("source, hint", [
    (app("ProcessPoolExecutor", OFF_BY_ONE), "expected"),
    (app("ThreadPoolExecutor", RUN_IN_EXECUTOR), "server's own process"),
    (app("ProcessPoolExecutor", BLOCKING), "blocks the event loop"),
    ("app = None\n", "could not be served"),
], ids=["wrong value", "threads", "waits on .result()", "no app"])
def test_responsive_app_fails(learner, capsys, source, hint):
    learner("my_app", source)
    assert lesson12.check_responsive_app("my_app:app") is False
    assert hint in capsys.readouterr().out


AS_COMPLETED = """
from concurrent.futures import FIRST_COMPLETED, wait


def bounded_unordered(executor, fn, items, limit):
    running = set()
    for x in items:
        if len(running) >= limit:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            yield from (f.result() for f in done)
        running.add(executor.submit(fn, x))
    while running:
        done, running = wait(running, return_when=FIRST_COMPLETED)
        yield from (f.result() for f in done)
"""

CALLBACKS = """
import queue
import threading


def bounded_unordered(executor, fn, items, limit):
    gate = threading.Semaphore(limit)
    finished = queue.Queue()
    sent = 0

    def done(future):
        gate.release()
        finished.put(future)

    for x in items:
        gate.acquire()
        while not finished.empty():
            sent -= 1
            yield finished.get().result()
        executor.submit(fn, x).add_done_callback(done)
        sent += 1
    for _ in range(sent):
        yield finished.get().result()
"""

DROPS_LAST = AS_COMPLETED.replace("    while running:", "    while False:")
IN_ORDER = """
from helpers.asyncwork import bounded_map as bounded_unordered
"""
UNBOUNDED = """
from concurrent.futures import as_completed


def bounded_unordered(executor, fn, items, limit):
    for future in as_completed([executor.submit(fn, x) for x in items]):
        yield future.result()
"""
SERIAL = """
def bounded_unordered(executor, fn, items, limit):
    return sorted((fn(x) for x in items), key=lambda r: -r)
"""


@pytest.mark.parametrize("source", [AS_COMPLETED, CALLBACKS], ids=["wait", "callbacks"])
def test_bounded_unordered_passes(learner, capsys, source):
    learner("my_bounded", source)
    assert lesson12.check_bounded_unordered("my_bounded") is True
    assert "✅" in capsys.readouterr().out


@pytest.mark.parametrize("source, hint", [
    (DROPS_LAST, "squares once each"),
    (IN_ORDER, "input order"),
    (UNBOUNDED, "in flight at once"),
    (SERIAL, "no task went through the executor"),
    ("raise ImportError('broken')\n", "failed"),
], ids=["drops the last", "in input order", "unbounded", "serial", "broken module"])
def test_bounded_unordered_fails(learner, capsys, source, hint):
    learner("my_bounded", source)
    assert lesson12.check_bounded_unordered("my_bounded") is False
    assert hint in capsys.readouterr().out


def test_the_solutions_pass(capsys):
    assert lesson12.check_bounded_unordered("helpers.solutions.lesson12") is True
    assert lesson12.check_responsive_app("helpers.solutions.lesson12:app") is True
