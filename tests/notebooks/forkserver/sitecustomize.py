"""Make forkserver the default start method, as it is on Linux from Python 3.14.

Python 3.14 changed the default start method on POSIX platforms other than
macOS from fork to forkserver (What's New in Python 3.14, gh-84559). This
machine's Python cannot be 3.14, so ``make test`` puts this folder on
PYTHONPATH for its forkserver pass: the kernel nbval starts, and every process
it starts, then uses forkserver unless a lesson asks for another method by
name. A lesson that relies on fork's copy of the parent (a worker defined in a
cell, state set before the pool) fails that pass, as it would on 3.14.
"""

import multiprocessing

multiprocessing.set_start_method("forkserver", force=True)
