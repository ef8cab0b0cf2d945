"""Every lesson presents as slides: metadata on each cell, speaker notes, short cells, a deck.

The same ``metadata.slideshow.slide_type`` drives jupyterlab-rise inside
JupyterLab and ``jupyter nbconvert --to slides`` (``make slides``). The tests
run over whatever notebooks exist, so a lesson added later is checked too.
Decks are built from the stored outputs; nothing is executed.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", "-"}
MAX_LINES = 14  # non-empty lines in one markdown cell: about what fits on a slide
MAX_CHARS = 1_000

lessons = pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])


def slide_type(cell) -> str | None:
    return cell.metadata.get("slideshow", {}).get("slide_type")


def first_line(cell) -> str:
    line = next((x for x in cell.source.splitlines() if x.strip()), "")
    return line[:60]


@pytest.fixture(scope="module")
def read():
    cache: dict[Path, nbformat.NotebookNode] = {}

    def _read(path: Path) -> nbformat.NotebookNode:
        if path not in cache:
            cache[path] = nbformat.read(path, as_version=4)
        return cache[path]

    return _read


def test_there_are_lessons():
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@lessons
def test_every_cell_has_a_slide_type(path, read):
    cells = read(path).cells
    missing = [f"cell {i} ({first_line(c)!r}): {slide_type(c)!r}"
               for i, c in enumerate(cells) if slide_type(c) not in SLIDE_TYPES]
    if missing:
        pytest.fail(f"{len(missing)} of {len(cells)} cells lack metadata.slideshow.slide_type "
                    f"(one of {sorted(SLIDE_TYPES)}):\n" + "\n".join(missing))


@lessons
def test_first_cell_is_a_slide(path, read):
    cell = read(path).cells[0]
    assert slide_type(cell) == "slide", (
        f"the first cell ({first_line(cell)!r}) must have slide_type 'slide', "
        f"not {slide_type(cell)!r}")


@lessons
def test_has_speaker_notes(path, read):
    notes = [c for c in read(path).cells if slide_type(c) == "notes"]
    if not notes:
        pytest.fail("no speaker notes: add markdown cells with slide_type 'notes' "
                    "(time per part, the usual question, which cell to run live)")
    assert all(c.cell_type == "markdown" for c in notes), "notes cells must be markdown"


@lessons
def test_markdown_cells_are_one_idea(path, read):
    too_long = []
    for i, cell in enumerate(read(path).cells):
        if cell.cell_type != "markdown" or slide_type(cell) == "notes":
            continue
        lines = [x for x in cell.source.splitlines() if x.strip()]
        if len(lines) > MAX_LINES or len(cell.source) > MAX_CHARS:
            too_long.append(f"cell {i} ({first_line(cell)!r}): "
                            f"{len(lines)} lines, {len(cell.source)} characters")
    if too_long:
        pytest.fail(f"markdown cells longer than one slide ({MAX_LINES} non-empty lines, "
                    f"{MAX_CHARS} characters); split them:\n" + "\n".join(too_long))


class _Sections(HTMLParser):
    """Counts <section> elements by depth and <aside class="notes"> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.by_depth: dict[int, int] = {}
        self.notes = 0

    def handle_starttag(self, tag, attrs):
        if tag == "section":
            self.by_depth[self.depth] = self.by_depth.get(self.depth, 0) + 1
            self.depth += 1
        elif tag == "aside" and "notes" in (dict(attrs).get("class") or "").split():
            self.notes += 1

    def handle_endtag(self, tag):
        if tag == "section":
            self.depth -= 1


def check_deck(nb: nbformat.NotebookNode) -> None:
    """Build the reveal.js deck in-process and compare its sections with the metadata."""
    from nbconvert import SlidesExporter

    html, _ = SlidesExporter().from_notebook_node(nb)
    parsed = _Sections()
    parsed.feed(html)
    types = [slide_type(c) or "-" for c in nb.cells]
    visible = [t for t in types if t not in {"skip", "notes"}]
    # nbconvert makes the first visible cell a slide whatever its metadata says.
    slides = visible[1:].count("slide") + 1
    subslides = visible[1:].count("subslide")
    assert parsed.depth == 0, "unbalanced <section> tags in the deck"
    assert parsed.by_depth.get(0, 0) == slides, (
        f"expected {slides} slides, the deck has {parsed.by_depth.get(0, 0)}")
    assert parsed.by_depth.get(1, 0) == slides + subslides, (
        f"expected {slides + subslides} vertical slides, the deck has {parsed.by_depth.get(1, 0)}")
    assert parsed.notes == types.count("notes"), "every notes cell becomes speaker notes"


@lessons
def test_deck_builds(path, read):
    check_deck(read(path))


def made_up(types: list[str]) -> nbformat.NotebookNode:
    cells = [nbformat.v4.new_markdown_cell(f"## Part {i}",
                                           metadata={"slideshow": {"slide_type": t}})
             for i, t in enumerate(types)]
    return nbformat.v4.new_notebook(cells=cells)


def test_deck_check_counts_slides_subslides_and_notes():
    from nbconvert import SlidesExporter

    nb = made_up(["slide", "-", "fragment", "subslide", "notes", "skip", "slide", "-"])
    parsed = _Sections()
    parsed.feed(SlidesExporter().from_notebook_node(nb)[0])
    assert (parsed.by_depth.get(0), parsed.by_depth.get(1), parsed.notes) == (2, 3, 1)
    check_deck(nb)
