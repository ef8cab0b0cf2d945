"""Checks for lesson 12 (processes in production). Each runs the learner's code
where it cannot harm the notebook: the web app in a uvicorn subprocess that is
always stopped, the submitter in a script with a time limit."""

from __future__ import annotations

import json

from helpers.checks import feedback
from helpers.sandbox import here_env, run_snippet
from helpers.units import duration
from helpers.webapp import serve
from helpers.webclient import probe_sync
from helpers.workloads import cpu_task_expected


def check_responsive_app(app: str = "my_app:app", jobs: int = 4, n: int = 2_000_000) -> bool:
    """``app`` answers ``/work?n=`` right, in other processes, while ``/health`` stays fast.

    After a short warm-up, one ``/work`` request alone gives the time of one
    task; then ``jobs`` run at once while ``/health`` is asked every 20 ms (a
    second round if the first was slow). The worst wait must stay under half a
    task's time, and the work must run in pids other than the server's.
    """
    try:
        with serve(app) as server:
            probe_sync(server.url, jobs=jobs, n=n // 10)  # starts a lazy pool's workers
            alone = probe_sync(server.url, jobs=1, n=n)
            busy = alone if server.pid in alone.job_pids else probe_sync(
                server.url, jobs=jobs, n=n)
            # A burst of another program: once more.
            if busy.worst >= alone.jobs_seconds / 2 and server.pid not in busy.job_pids:
                busy = min(busy, probe_sync(server.url, jobs=jobs, n=n),
                           key=lambda p: p.worst)
    except Exception as exc:  # any failure of the learner's app is a hint, not a crash
        return feedback(False, "", f"the app could not be served or asked: "
                        f"{type(exc).__name__}: {str(exc)[-300:]}")
    expected = cpu_task_expected(n)
    if any(v != expected for v in alone.values + busy.values):
        return feedback(False, "", f"/work?n={n} answered {busy.values[0]}, expected "
                        f"{expected}: return cpu_work(n)'s dict as it is.")
    if server.pid in alone.job_pids + busy.job_pids:
        return feedback(False, "", "the work ran in the server's own process (on its event "
                        "loop or in a thread): run cpu_work in a ProcessPoolExecutor.")
    bound = alone.jobs_seconds / 2
    if len(busy.latency) < 3 or busy.worst >= bound:
        return feedback(False, "", f"/health waited up to {duration(busy.worst)} while the "
                        f"work ran (a task takes {duration(alone.jobs_seconds)}): something "
                        "blocks the event loop; await the pool's result instead of waiting "
                        "for it (no .result() in an async endpoint).")
    return feedback(True, f"/health waited at most {duration(busy.worst)} while {jobs} tasks "
                    f"ran in worker processes (a task takes {duration(alone.jobs_seconds)}).",
                    "")


_SUBMITTER = """
import json, multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor
from helpers.asyncwork import Counted, Watched, jittery_square
from {module} import {name}

if __name__ == "__main__":
    items = Counted({n})
    got, ahead = [], 0
    with ProcessPoolExecutor(2, mp_context=mp.get_context("spawn")) as ex:
        watched = Watched(ex)
        for result in {name}(watched, jittery_square, items, {limit}):
            got.append(result)
            ahead = max(ahead, items.pulled - len(got))
    print("RESULT " + json.dumps({{"got": got, "ahead": ahead, "peak": watched.peak,
                                  "submitted": watched.submitted}}))
"""


def check_bounded_unordered(module: str = "my_bounded", name: str = "bounded_unordered",
                            limit: int = 3, n: int = 24, timeout: float = 30.0) -> bool:
    """``name(executor, fn, items, limit)`` yields each result as it finishes, ``limit`` in flight.

    Every fourth task is slow, so a submitter that yields in input order (or
    waits for a whole batch) is told apart from one that yields as tasks finish.
    """
    script = _SUBMITTER.format(module=module, name=name, n=n, limit=limit)
    outcome = run_snippet(script, timeout=timeout, env=here_env())
    lines = [x for x in outcome.stdout.splitlines() if x.startswith("RESULT ")]
    if outcome.timed_out:
        return feedback(False, "", f"it did not finish within {timeout:g} s: does it wait "
                        "for a task it never submitted?")
    if outcome.returncode != 0 or not lines:
        last = (outcome.stderr.strip().splitlines() or ["no output"])[-1]
        return feedback(False, "", f"running {module}.{name} failed: {last}")
    r = json.loads(lines[0][len("RESULT "):])
    expected = [x * x for x in range(n)]
    if r["submitted"] == 0:
        return feedback(False, "", "no task went through the executor: call "
                        "executor.submit(fn, item) for each item.")
    if sorted(r["got"]) != expected:
        return feedback(False, "", f"it yielded {len(r['got'])} results, expected the {n} "
                        "squares once each: are the last tasks' results handed out too?")
    if r["peak"] > limit or r["ahead"] > limit + 1:
        return feedback(False, "", f"{max(r['peak'], r['ahead'])} tasks were in flight at "
                        f"once (limit {limit}): take a new item only when one has finished.")
    if r["got"] == expected:
        return feedback(False, "", "the results came in input order: a slow task held back "
                        "the finished ones. Yield each as it completes "
                        "(concurrent.futures.wait with return_when=FIRST_COMPLETED).")
    return feedback(True, f"all {n} results, as they finished, with at most {r['peak']} "
                    f"tasks in flight (limit {limit}).", "")
