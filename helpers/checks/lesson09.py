"""Checks for lesson 09 (pitfalls). Each runs the learner's code in a separate
process with a time limit, so a broken answer can hang or crash without
harming the notebook."""

from __future__ import annotations

import re
from pathlib import Path

from helpers.checks import feedback, load_fresh
from helpers.sandbox import here_env, run_snippet

GUARD_EXPECTED = "[0, 1, 4, 9, 16]"

# Put in front of the learner's script: spawn is the only start method left
# (asking for fork or forkserver raises "cannot find context"), and the main
# process reports at exit how many processes it started. A script that works
# under fork without the guard, or that starts no process, is then caught.
_SPAWN_ONLY = """\
import atexit as _ax, multiprocessing as _mp, multiprocessing.context as _mpc, sys as _sys
_mp.set_start_method("spawn", force=True)
for _m in ("fork", "forkserver"):
    _mpc._concrete_contexts.pop(_m, None)
_started = []
_start = _mp.process.BaseProcess.start
def _counting_start(self, _start=_start):
    _started.append(1)
    return _start(self)
_mp.process.BaseProcess.start = _counting_start
_ax.register(lambda: _mp.parent_process() is None and print(
    f"\\ncourse-check: {len(_started)} processes started", file=_sys.stderr))
"""

_ONCE_SCRIPT = """
import multiprocessing as mp, os
from concurrent.futures import ProcessPoolExecutor
from {module} import count, init

if __name__ == "__main__":
    data = os.urandom(16_384)  # new on every run: a count worked out in advance fails
    with ProcessPoolExecutor(2, mp_context=mp.get_context("spawn"), initializer=init,
                             initargs=(data,)) as ex:
        got = list(ex.map(count, [0, 1, 255]))
    print("answer", got == [data.count(b) for b in [0, 1, 255]], got)
"""


def check_main_guard(path: str = "my_script.py", timeout: float = 6.0,
                     source: str | None = None) -> bool:
    """The script at ``path`` (or the text ``source``) runs under spawn, starts worker
    processes, finishes, and prints ``[0, 1, 4, 9, 16]``."""
    if source is None:
        file = Path(path)
        if not file.is_file():
            return feedback(False, "", f"{path} does not exist: run the %%writefile cell first.")
        source = file.read_text()
    outcome = run_snippet(_SPAWN_ONLY + source, timeout=timeout)
    if ("cannot find context for" in outcome.stderr
            or "context has already been set" in outcome.stderr):
        return feedback(False, "", "the script asks for another start method than spawn. "
                        "Under fork it runs without the guard, but not on macOS, Windows or "
                        "Python 3.14's Linux: keep spawn and add the guard.")
    if outcome.timed_out or "bootstrapping phase" in outcome.stderr:
        return feedback(False, "", "the script re-runs itself in every spawned child: put the "
                        "code that starts the pool under `if __name__ == \"__main__\":`.")
    if outcome.returncode != 0:
        lines = [line for line in outcome.stderr.strip().splitlines()
                 if line.strip() and not line.startswith("course-check:")]
        return feedback(False, "", f"the script failed: {(lines or ['no output'])[-1]}")
    if GUARD_EXPECTED not in outcome.stdout:
        return feedback(False, "", f"the script should print {GUARD_EXPECTED}, "
                        f"printed {outcome.stdout.strip()!r}.")
    started = re.search(r"course-check: (\d+) processes started", outcome.stderr)
    if started is None or int(started.group(1)) == 0:
        return feedback(False, "", "the squares are right, but no worker process was "
                        "started: keep the ProcessPoolExecutor and guard it.")
    return feedback(True, f"the script runs under spawn, starts {started.group(1)} worker "
                    "processes and prints the squares.", "")


def check_once_per_worker(module: str = "my_once", timeout: float = 30.0) -> bool:
    """``init(data)`` keeps the data in the worker; ``count(byte)`` counts in it."""
    mod = load_fresh(module)
    if mod is None:
        return False
    if not (callable(getattr(mod, "init", None)) and callable(getattr(mod, "count", None))):
        return feedback(False, "", f"{module}.py needs two functions, init(data) and count(byte).")
    outcome = run_snippet(_ONCE_SCRIPT.format(module=module), timeout=timeout, env=here_env())
    if outcome.timed_out:
        return feedback(False, "", f"the pool did not finish within {timeout:g} s.")
    answer = [line for line in outcome.stdout.splitlines() if line.startswith("answer")]
    if outcome.returncode != 0 or not answer:
        last = (outcome.stderr.strip().splitlines() or ["no output"])[-1]
        return feedback(False, "", f"the pool with your init and count failed: {last}")
    if not answer[0].startswith("answer True"):
        return feedback(False, "", f"count gave {answer[0].split(' ', 2)[2]}: init must store "
                        "data in a module-level (global) variable, and count must read it.")
    return feedback(True, "the data travels once per worker, and the counts are right.", "")
