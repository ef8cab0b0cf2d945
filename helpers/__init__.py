"""The course's own package: everything the lessons send to other processes, and more.

A function defined in a notebook cell cannot be pickled by reference, so a
spawn or forkserver worker could not import it: spawn is the default on macOS
and Windows, and from Python 3.14 forkserver is the default on Linux and every
other POSIX platform except macOS (What's New in 3.14, gh-84559). So the
lessons import their workers from here.

The modules stand in layers; each imports only from its own layer and below.

- base: ``args`` (argument checks: TypeError for a wrong type, ValueError for a
  wrong range, one wording each), ``units`` (printed numbers), ``machine``
  (Python, start methods, usable CPUs), ``verdict`` (a line read from a speedup).
- work: ``workloads`` (the workers every lesson shares).
- measure: ``timing`` (the fastest of a few runs), ``plumbing`` (make, start
  and stop pools; check that a function can be sent; read a worker's
  traceback), ``bench`` (one workload, several strategies), ``probe`` (what a
  pool costs here), ``costmodel`` (the arithmetic of a prediction), ``sandbox``
  (``run_snippet``: code that may hang or crash, in a subprocess with a time
  limit), ``sharedarray`` (a NumPy array in shared memory), ``sizing``.
- show: ``plotstyle`` (colours, markers, sizes for a projector, PNG display),
  ``plots``, ``timeline``, ``widgets``, ``explorer``.
- lesson topic: every other module, one or two lessons each (their docstrings
  say which). They do not import one another.
- top: ``checks`` (one module per lesson), ``solutions``, ``report`` (``make bench``).

``tests/test_layers.py`` enforces it: no import upward, none between two
lesson-topic modules, no private name (``_x``) of another module, no cycle.
"""

__all__ = ["advise"]


def __getattr__(name: str):
    """``helpers.advise``, imported on first use so that ``import helpers.x`` stays light."""
    if name == "advise":
        from helpers.advisor import advise

        return advise
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")
