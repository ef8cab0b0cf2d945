"""Checks for lesson 09 (pitfalls). Each runs the learner's code in a separate
process with a time limit, so a broken answer can hang or crash without
harming the notebook."""

from __future__ import annotations

from pathlib import Path

from helpers.checks import feedback, load_fresh
from helpers.sandbox import here_env, run_snippet

GUARD_EXPECTED = "[0, 1, 4, 9, 16]"

_ONCE_SCRIPT = """
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor
from {module} import count, init

if __name__ == "__main__":
    data = bytes(range(256)) * 64 + b"\\x00" * 100
    with ProcessPoolExecutor(2, mp_context=mp.get_context("spawn"), initializer=init,
                             initargs=(data,)) as ex:
        got = list(ex.map(count, [0, 1, 255]))
    print("answer", got == [data.count(b) for b in [0, 1, 255]], got)
"""


def check_main_guard(path: str = "my_script.py", timeout: float = 6.0) -> bool:
    """The script at ``path`` runs under spawn, finishes, and prints ``[0, 1, 4, 9, 16]``."""
    file = Path(path)
    if not file.is_file():
        return feedback(False, "", f"{path} does not exist: run the %%writefile cell first.")
    outcome = run_snippet(file.read_text(), timeout=timeout)
    if outcome.timed_out or "bootstrapping phase" in outcome.stderr:
        return feedback(False, "", "the script re-runs itself in every spawned child: put the "
                        "code that starts the pool under `if __name__ == \"__main__\":`.")
    if outcome.returncode != 0:
        last = (outcome.stderr.strip().splitlines() or ["no output"])[-1]
        return feedback(False, "", f"the script failed: {last}")
    if GUARD_EXPECTED not in outcome.stdout:
        return feedback(False, "", f"the script should print {GUARD_EXPECTED}, "
                        f"printed {outcome.stdout.strip()!r}.")
    return feedback(True, "the script runs under spawn and prints the squares.", "")


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
