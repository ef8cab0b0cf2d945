"""Solutions to lesson 12's exercises: a web app that keeps its event loop free,
and a bounded submitter that yields results as they finish."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, ProcessPoolExecutor, wait
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

from helpers.webapp import cpu_work


@asynccontextmanager
async def lifespan(app):
    app.state.pool = ProcessPoolExecutor(2)  # one pool for the app's whole life
    try:
        yield
    finally:
        app.state.pool.shutdown(cancel_futures=True)


async def health(request):
    return JSONResponse({"ok": True})


async def work(request):
    n = int(request.query_params["n"])
    loop = asyncio.get_running_loop()
    return JSONResponse(await loop.run_in_executor(request.app.state.pool, cpu_work, n))


app = Starlette(routes=[Route("/health", health), Route("/work", work)], lifespan=lifespan)


def bounded_unordered(executor: Executor, fn: Callable, items: Iterable,
                      limit: int) -> Iterator:
    """``fn(x)`` for every item, yielded as each finishes, at most ``limit`` in flight."""
    running = set()
    try:
        for x in items:
            if len(running) >= limit:
                done, running = wait(running, return_when=FIRST_COMPLETED)
                yield from (f.result() for f in done)
            running.add(executor.submit(fn, x))
        while running:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            yield from (f.result() for f in done)
    finally:
        for f in running:
            f.cancel()
