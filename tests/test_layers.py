"""The helpers package keeps its layers: every import is read with ``ast`` and checked.

Layers, from the bottom (a module may import from its own layer and the ones below):

- base: argument checks, units, the machine, verdict lines;
- work: the worker functions every lesson shares;
- measure: timing, pool plumbing, the harness, the cost model, the sandbox, ...;
- show: the plot style, plots, timelines, widgets, the live explorer;
- lesson topic: every other module, one or two lessons each. They may not
  import one another, so that a lesson's module can change without breaking
  another lesson; a module nobody listed (a new lesson's) lands here;
- top: exercise checks, solutions and ``make bench``'s report.

A module inside a package (``helpers/checks/lesson03.py``) takes its
package's layer. Also refused: importing a private name (``_x``) of another
helpers module, by ``from ... import _x`` or as ``module._x``, and any
cycle of imports.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

HELPERS = Path(__file__).resolve().parent.parent / "helpers"

LAYERS: dict[str, tuple[str, ...]] = {
    "base": ("args", "units", "machine", "verdict"),
    "work": ("workloads",),
    "measure": ("timing", "plumbing", "bench", "probe", "costmodel", "sandbox", "sharedarray",
                "advisor", "preflight", "sizing"),
    "show": ("plotstyle", "plots", "timeline", "widgets", "explorer"),
    "lesson topic": (),  # every module not named elsewhere
    "top": ("checks", "solutions", "report"),
}
ORDER = list(LAYERS)
LESSON = "lesson topic"


def layer_of(module: str, layers: dict[str, tuple[str, ...]] = LAYERS) -> str:
    """The layer of ``module`` ("checks.lesson03" is in the layer of "checks")."""
    if module == "":  # the package itself: its docstring, and helpers.advise for learners
        return ORDER[-1]
    top = module.split(".")[0]
    return next((name for name, members in layers.items() if top in members), LESSON)


@dataclass(frozen=True)
class Import:
    """One import in a helpers module: who imports what, at which line."""

    importer: str
    imported: str      # a helpers module ("" for the package itself)
    line: int
    private: str = ""  # a private name taken from ``imported``, if any


def modules(root: Path) -> dict[str, Path]:
    """Every module under ``root`` by dotted name relative to it ("" is __init__.py)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The helpers module that ``name`` (dotted, relative to helpers) names, or None."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name if name in known else ("" if "" in known else None)


def imports(root: Path, package: str = "helpers") -> list[Import]:
    """Every import of one helpers module by another, anywhere in its code."""
    known = modules(root)
    found: list[Import] = []
    for me, path in known.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        is_package = path.name == "__init__.py"
        aliases: dict[str, str] = {}  # a local name bound to a helpers module
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == package or alias.name.startswith(package + "."):
                        target = _resolve(alias.name[len(package) + 1:], known)
                        if target is not None:
                            found.append(Import(me, target, node.lineno))
                            if alias.asname:
                                aliases[alias.asname] = target
            elif isinstance(node, ast.ImportFrom):
                base = _absolute(node, me, is_package, package)
                if base is None:
                    continue
                for alias in node.names:
                    sub = f"{base}.{alias.name}" if base else alias.name
                    if sub in known:  # from helpers import costmodel: a module
                        found.append(Import(me, sub, node.lineno))
                        aliases[alias.asname or alias.name] = sub
                        continue
                    target = _resolve(base, known)
                    if target is None:
                        continue
                    private = alias.name if _is_private(alias.name) else ""
                    found.append(Import(me, target, node.lineno, private))
        for node in ast.walk(tree):  # costmodel._timed(...) after "from helpers import costmodel"
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in aliases and _is_private(node.attr)):
                found.append(Import(me, aliases[node.value.id], node.lineno, node.attr))
    return found


def _absolute(node: ast.ImportFrom, me: str, is_package: bool, package: str) -> str | None:
    """The module an ``ImportFrom`` reads from, relative to helpers; None if not helpers."""
    if node.level == 0:
        name = node.module or ""
        if name == package:
            return ""
        return name[len(package) + 1:] if name.startswith(package + ".") else None
    parts = me.split(".") if me else []
    if not is_package:
        parts = parts[:-1]
    parts = parts[:len(parts) - (node.level - 1)] if node.level > 1 else parts
    return ".".join([*parts, *(node.module.split(".") if node.module else [])])


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def problems(root: Path, layers: dict[str, tuple[str, ...]] = LAYERS) -> list[str]:
    """Every import that breaks the layers, one sentence each (empty: all is well)."""
    found = imports(root)
    out = []
    for imp in found:
        if imp.importer == imp.imported or imp.importer.split(".")[0] == imp.imported:
            same = True  # a module, or a package's own module importing its package
        else:
            same = False
        mine, theirs = layer_of(imp.importer, layers), layer_of(imp.imported, layers)
        where = f"helpers/{imp.importer or '__init__'} line {imp.line}"
        target = imp.imported or "helpers"
        if imp.private and imp.importer != imp.imported:
            out.append(f"{where}: private name {imp.private} of {target}")
        if same:
            continue
        if ORDER.index(theirs) > ORDER.index(mine):
            out.append(f"{where}: upward import of {target} ({mine} imports {theirs})")
        elif (mine == theirs == LESSON
              and imp.importer.split(".")[0] != imp.imported.split(".")[0]):
            out.append(f"{where}: lesson-topic module imports lesson-topic module {target}")
    out += [f"import cycle: {' -> '.join(c)}" for c in cycles(found)]
    return out


def cycles(found: list[Import]) -> list[list[str]]:
    """The import cycles among the modules (each found once, from its smallest name)."""
    graph: dict[str, set[str]] = {}
    for imp in found:
        if imp.importer != imp.imported:
            graph.setdefault(imp.importer, set()).add(imp.imported)
    seen_cycles, out = set(), []

    def visit(node: str, path: list[str]) -> None:
        for nxt in sorted(graph.get(node, ())):
            if nxt in path:
                cycle = path[path.index(nxt):]
                key = frozenset(cycle)
                if key not in seen_cycles:
                    seen_cycles.add(key)
                    start = cycle.index(min(cycle))
                    ordered = cycle[start:] + cycle[:start]
                    out.append([*ordered, ordered[0]])
            elif len(path) < 50:
                visit(nxt, [*path, nxt])

    for node in sorted(graph):
        visit(node, [node])
    return out


# --- the real package -------------------------------------------------------------------


def test_the_helpers_package_keeps_its_layers():
    assert problems(HELPERS) == []


def test_every_listed_module_exists():
    # A listed name that is not there is a typo, unless another branch is adding it now.
    expected_later = {"advisor", "preflight"}
    have = {name.split(".")[0] for name in modules(HELPERS) if name}
    listed = {m for members in LAYERS.values() for m in members}
    assert listed - have <= expected_later


def test_the_reader_finds_the_real_imports():
    found = {(i.importer, i.imported) for i in imports(HELPERS)}
    assert ("probe", "costmodel") in found          # from helpers.costmodel import ...
    assert ("report", "probe") in found             # from helpers import ..., probe, ...
    assert ("checks.lesson01", "checks") in found   # a package's module and its package
    assert ("checks.lesson01", "sandbox") in found


# --- proof that the test can fail: a made-up package --------------------------------------


def tree(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "helpers"
    for name, text in {"__init__.py": '"""A package."""\n', **files}.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def test_a_clean_tree_has_no_problems(tmp_path):
    root = tree(tmp_path, {
        "args.py": "import os\n",
        "workloads.py": "from helpers.args import check_int\n",
        "bench.py": "from helpers import workloads\nfrom helpers.args import check_int\n",
        "plots.py": "import helpers.bench as b\n",
        "pools.py": "from helpers.bench import Record\nfrom helpers.plots import bar\n",
        "checks/__init__.py": "from helpers.plots import bar\n",
        "checks/lesson02.py": "from helpers.checks import feedback\nfrom helpers import pools\n",
        "report.py": "from helpers import pools, checks\nfrom helpers.checks import lesson02\n",
    })
    assert problems(root) == []


@pytest.mark.parametrize("files, words", [
    ({"workloads.py": "from helpers.bench import compare\n", "bench.py": ""},
     "helpers/workloads line 1: upward import of bench (work imports measure)"),
    ({"plots.py": "def f():\n    from helpers.pools import x\n", "pools.py": ""},
     "helpers/plots line 2: upward import of pools (show imports lesson topic)"),
    ({"args.py": "import helpers.report\n", "report.py": ""},
     "helpers/args line 1: upward import of report (base imports top)"),
    ({"pools.py": "from helpers import messaging\n", "messaging.py": ""},
     "helpers/pools line 1: lesson-topic module imports lesson-topic module messaging"),
    ({"lesson11_topic.py": "from helpers.failures import f\n", "failures.py": ""},
     "helpers/lesson11_topic line 1: lesson-topic module imports lesson-topic module failures"),
    ({"pools.py": "from helpers.workloads import _check_count\n", "workloads.py": ""},
     "helpers/pools line 1: private name _check_count of workloads"),
    ({"report.py": "from helpers import costmodel\nx = costmodel._timed\n",
      "costmodel.py": ""},
     "helpers/report line 2: private name _timed of costmodel"),
    ({"checks/lesson03.py": "from . import _runner\n", "checks/__init__.py": ""},
     "helpers/checks.lesson03 line 1: private name _runner of checks"),
    ({"sharedmem.py": "from .messaging import round_trip\n", "messaging.py": ""},
     "helpers/sharedmem line 1: lesson-topic module imports lesson-topic module messaging"),
])
def test_each_kind_of_broken_import_is_named(tmp_path, files, words):
    assert words in problems(tree(tmp_path, files))


def test_a_cycle_is_named_once(tmp_path):
    root = tree(tmp_path, {
        "bench.py": "from helpers import probe\n",
        "probe.py": "from helpers.costmodel import x\n",
        "costmodel.py": "def f():\n    import helpers.bench\n",
    })
    assert problems(root) == ["import cycle: bench -> probe -> costmodel -> bench"]


def test_a_cycle_across_layers_is_named_with_its_upward_import(tmp_path):
    root = tree(tmp_path, {
        "report.py": "from helpers import alternatives\n",
        "alternatives.py": "def section():\n    from helpers.report import Section\n",
    })
    found = problems(root)
    assert "helpers/alternatives line 2: upward import of report (lesson topic imports top)" \
        in found
    assert "import cycle: alternatives -> report -> alternatives" in found


def test_a_module_of_a_package_takes_the_package_layer():
    assert layer_of("checks.lesson03") == "top"
    assert layer_of("solutions.lesson01") == "top"
    assert layer_of("lesson12_memory") == LESSON  # not listed: lesson topic
    assert layer_of("sandbox") == "measure"


def test_a_private_name_of_the_same_module_or_a_dunder_is_fine(tmp_path):
    root = tree(tmp_path, {
        "bench.py": "import helpers.bench as me\nx = me._run\n",
        "plots.py": "from helpers.bench import __all__\n",
    })
    assert problems(root) == []


def test_names_outside_helpers_are_ignored(tmp_path):
    root = tree(tmp_path, {"args.py": "import numpy._core\nfrom os import _exit\n"})
    assert problems(root) == []
