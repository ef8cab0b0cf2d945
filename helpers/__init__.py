"""The course's own package: everything the lessons send to other processes, and more.

A function defined in a notebook cell cannot be pickled under spawn (the
default on macOS, Windows and, from Python 3.14, forkserver on Linux), so the
lessons import their workers from here. Modules, by role:

- ``workloads``: the shared worker functions (CPU-bound, trivial, I/O-like).
- ``bench``: measures one workload under several strategies; ``plots`` draws it.
- ``machine``: Python, start methods and the CPUs a pool may really use.
- ``pitfalls``: runs code that may hang or crash in a separate process, safely.
- ``checks``: feedback for the exercises, one module per lesson.

The other modules each serve one or two lessons; their docstrings say which.
"""

__all__ = ["advise"]


def __getattr__(name: str):
    """``helpers.advise``, imported on first use so that ``import helpers.x`` stays light."""
    if name == "advise":
        from helpers.advisor import advise

        return advise
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")
