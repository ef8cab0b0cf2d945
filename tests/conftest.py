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
