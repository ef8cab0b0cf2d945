"""Build the lessons' reveal.js decks so that they work with no internet.

``make slides`` runs ``python -m tools.decks``: one deck per lesson in
``slides/``, from the stored outputs (nothing re-runs). reveal.js 4 and
require.js are fetched once from the npm registry (``npm pack``) and unpacked
into ``slides/vendor/`` (ignored by git, like the decks); the template in
``tools/templates/course`` loads nothing else from a CDN. Copy the whole
``slides/`` folder to the presenting machine.

``python -m tools.decks --hour`` (``make slides-hour``) builds the one-hour
deck: each lesson's title cell and its cells tagged ``one-hour``, in lesson
order, as one deck ``slides/one-hour.slides.html``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SLIDES = ROOT / "slides"
VENDOR = SLIDES / "vendor"
TEMPLATES = Path(__file__).resolve().parent / "templates"
# Pinned so that every machine presents the same deck; reveal.js 4.x keeps the
# API nbconvert's template uses (Reveal.initialize, the notes plugin).
REVEAL = "reveal.js@4.6.1"
REQUIREJS = "requirejs@2.3.8"
HOUR_TAG = "one-hour"
HOUR_PLAN = {"01", "02", "04", "07"}  # README's one-hour class (00 is homework)
HOUR_DECK = "one-hour"
WIDTH, HEIGHT = 960, 700  # reveal's slide, the size every slide must fit


def lessons() -> list[Path]:
    """Every lesson notebook, in teaching order."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


def vendored(vendor: Path = VENDOR) -> bool:
    return ((vendor / "reveal.js" / "dist" / "reveal.js").is_file()
            and (vendor / "reveal.js" / "plugin" / "notes" / "notes.js").is_file()
            and (vendor / "require.js").is_file())


def _unpack(archive: Path, into: Path) -> None:
    """Unpack an npm tarball (every path starts with ``package/``) into ``into``."""
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            parts = Path(member.name).parts
            if not parts or parts[0] != "package" or ".." in parts:
                continue
            if not (member.isfile() or member.isdir()):
                continue  # no links or devices from a tarball
            target = into.joinpath(*parts[1:])
            if member.isdir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            assert source is not None
            with source, target.open("wb") as out:
                shutil.copyfileobj(source, out)


def vendor(dest: Path = VENDOR, *, quiet: bool = False) -> Path:
    """Fetch reveal.js and require.js from the npm registry into ``dest`` (once).

    ``npm pack`` writes its tarballs into a temporary folder, so nothing is
    left in the repository but ``dest``.

    Raises:
        RuntimeError: npm is missing or the registry cannot be reached.
    """
    if vendored(dest):
        return dest
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError(
            "npm is needed once, to fetch reveal.js and require.js for offline decks "
            f"(install Node.js), or unpack {REVEAL} into {dest / 'reveal.js'} and "
            f"{REQUIREJS}'s require.js into {dest} by hand")
    with tempfile.TemporaryDirectory(prefix="decks-npm-") as tmp:
        done = subprocess.run([npm, "pack", "--silent", REVEAL, REQUIREJS], cwd=tmp,
                              capture_output=True, text=True, timeout=300)
        if done.returncode:
            raise RuntimeError(f"`npm pack {REVEAL} {REQUIREJS}` failed:\n{done.stderr}")
        archives = {p.name.split("-")[0]: p for p in Path(tmp).glob("*.tgz")}
        shutil.rmtree(dest / "reveal.js", ignore_errors=True)
        _unpack(archives["reveal.js"], dest / "reveal.js")
        _unpack(archives["requirejs"], Path(tmp) / "requirejs")
        shutil.copy2(Path(tmp) / "requirejs" / "require.js", dest / "require.js")
    if not quiet:
        print(f"fetched {REVEAL} and {REQUIREJS} into {dest}")
    return dest


def exporter(out_dir: Path, vendor_dir: Path = VENDOR):
    """nbconvert's SlidesExporter set up for an offline deck written to ``out_dir``."""
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    prefix = Path(os.path.relpath(vendor_dir, out_dir)).as_posix()
    config = Config()
    config.TemplateExporter.extra_template_basedirs = [str(TEMPLATES)]
    config.SlidesExporter.template_name = "course"
    config.SlidesExporter.reveal_url_prefix = f"{prefix}/reveal.js"
    config.SlidesExporter.require_js_url = f"{prefix}/require.js"
    config.SlidesExporter.reveal_theme = "white"  # "simple" imports fonts from Google
    config.SlidesExporter.reveal_number = "h.v"  # the numbers slidefit reports
    config.SlidesExporter.reveal_width = str(WIDTH)
    config.SlidesExporter.reveal_height = str(HEIGHT)
    # Not used by the template, but never left pointing at a CDN.
    config.SlidesExporter.jquery_url = ""
    config.SlidesExporter.mathjax_url = ""
    config.SlidesExporter.font_awesome_url = ""
    return SlidesExporter(config=config)


def write_deck(nb: nbformat.NotebookNode, name: str, out_dir: Path = SLIDES,
               vendor_dir: Path = VENDOR) -> Path:
    """Write ``out_dir/<name>.slides.html`` for ``nb`` and return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    html, _ = exporter(out_dir, vendor_dir).from_notebook_node(
        nb, resources={"metadata": {"name": name}})
    path = out_dir / f"{name}.slides.html"
    path.write_text(html, encoding="utf-8")
    return path


def build(paths: list[Path], out_dir: Path = SLIDES, vendor_dir: Path = VENDOR) -> list[Path]:
    """One deck per notebook, from its stored outputs."""
    return [write_deck(nbformat.read(p, as_version=4), p.stem, out_dir, vendor_dir)
            for p in paths]


def tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def hour_cells(nb: nbformat.NotebookNode, tag: str = HOUR_TAG) -> list:
    """The lesson's title cell and its cells tagged ``tag``, or [] if none is tagged.

    The title cell opens a slide; so does the first tagged cell, so that a cut
    never joins the title's slide by accident.
    """
    tagged = [c for c in nb.cells[1:] if tag in tags(c)]
    if not tagged:
        return []
    title = nbformat.from_dict(nb.cells[0])
    title.metadata.setdefault("slideshow", {})["slide_type"] = "slide"
    first = nbformat.from_dict(tagged[0])
    if first.metadata.get("slideshow", {}).get("slide_type") in {None, "-", "fragment"}:
        first.metadata.setdefault("slideshow", {})["slide_type"] = "slide"
    return [title, first, *tagged[1:]]


def hour_notebook(paths: list[Path], tag: str = HOUR_TAG) -> nbformat.NotebookNode | None:
    """The one-hour deck's notebook: every lesson's cut, in order; None if nothing is tagged."""
    cells = []
    metadata = {}
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        cut = hour_cells(nb, tag)
        if cut:
            metadata = metadata or {k: v for k, v in nb.metadata.items() if k != "widgets"}
            cells.extend(cut)
    if not cells:
        return None
    hour = nbformat.v4.new_notebook(cells=cells, metadata=metadata)
    hour.metadata["title"] = "One-hour class"
    return hour


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.decks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="lessons to build (default: every lesson)")
    parser.add_argument("--hour", action="store_true",
                        help=f"build the one-hour deck from the cells tagged {HOUR_TAG!r}")
    parser.add_argument("--out", type=Path, default=SLIDES, help="folder for the decks")
    args = parser.parse_args(argv)
    paths = args.notebooks or lessons()
    try:
        vendor(VENDOR)
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.hour:
        nb = hour_notebook(paths)
        if nb is None:
            print(f"no cell is tagged {HOUR_TAG!r} in {len(paths)} notebooks: "
                  "nothing to build", file=sys.stderr)
            return 1
        path = write_deck(nb, HOUR_DECK, args.out)
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        return 0
    for path in build(paths, args.out):
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
