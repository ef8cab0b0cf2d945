import sys
import textwrap

import pytest


@pytest.fixture
def learner(tmp_path, monkeypatch):
    """Write a learner's module (what ``%%writefile my_x.py`` makes) where checks find it.

    The folder goes on sys.path and becomes the working directory, so the
    module imports here and in spawned workers alike (they inherit both).
    ``learner(name, source)`` writes ``name.py`` and returns ``name``.
    """
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.chdir(tmp_path)

    def write(name: str, source: str) -> str:
        (tmp_path / f"{name}.py").write_text(textwrap.dedent(source))
        sys.modules.pop(name, None)
        return name

    return write


@pytest.fixture(scope="module")
def stop_loky_tracker():
    """loky's resource tracker process lives until its parent exits; pytest's guard would
    count it as left behind, so stop it once a module's joblib tests are done
    (``pytestmark = pytest.mark.usefixtures("stop_loky_tracker")``)."""
    yield
    from joblib.externals.loky.backend import resource_tracker

    stop = getattr(resource_tracker._resource_tracker, "_stop", None)
    if stop is not None:
        stop()
