"""Make spawn the default start method, as it is on macOS and Windows.

``make test`` puts this folder on PYTHONPATH for its second notebook pass, so
the kernel nbval starts (and every process it starts) uses spawn unless a
lesson asks for another method by name. A lesson that only works under fork
fails that pass.
"""

import multiprocessing

multiprocessing.set_start_method("spawn", force=True)
