"""environment.yml (conda, Binder) and pyproject.toml (pip, make) install the same course."""

import re
import sys
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
# Conda-only entries with no PyPI requirement of their own.
CONDA_ONLY = {"python", "pip"}


def pyproject_requirements() -> dict[str, SpecifierSet]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    parsed = [Requirement(r) for r in reqs]
    # Requirements with an environment marker (a backport for old Pythons) are pip-only.
    return {canonical(r.name): r.specifier for r in parsed if r.marker is None}


def conda_requirements() -> dict[str, SpecifierSet]:
    found = {}
    text = (ROOT / "environment.yml").read_text()
    for line in text.split("\ndependencies:", 1)[1].splitlines():
        match = re.fullmatch(r"\s+-\s+([A-Za-z0-9_.\-]+)\s*([<>=!~,.\d\s]*)", line)
        if match and match.group(1) not in CONDA_ONLY:
            found[canonical(match.group(1))] = SpecifierSet(match.group(2).replace(" ", ""))
    return found


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_conda_and_pip_list_the_same_packages():
    pip, conda = pyproject_requirements(), conda_requirements()
    assert sorted(set(pip) - set(conda)) == [], "in pyproject.toml but not environment.yml"
    assert sorted(set(conda) - set(pip)) == [], "in environment.yml but not pyproject.toml"


def test_conda_and_pip_allow_the_same_versions():
    pip, conda = pyproject_requirements(), conda_requirements()
    differ = {name: (str(pip[name]), str(conda[name])) for name in pip
              if name in conda and pip[name] != conda[name]}
    assert differ == {}


def test_every_dependency_has_a_version_range():
    bare = [name for name, spec in pyproject_requirements().items() if not str(spec)]
    assert bare == []


def test_binder_installs_the_helpers_package():
    post_build = (ROOT / "postBuild").read_text()
    assert "pip install --no-deps -e ." in post_build
    assert (ROOT / "postBuild").stat().st_mode & 0o111, "postBuild must be executable"


def test_readme_names_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()
