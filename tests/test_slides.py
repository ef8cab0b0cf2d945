"""Every lesson presents as slides: metadata on each cell, speaker notes, short cells, a deck.

The same ``metadata.slideshow.slide_type`` drives jupyterlab-rise inside
JupyterLab and ``jupyter nbconvert --to slides`` (``make slides``). The tests
run over whatever notebooks exist, so a lesson added later is checked too.
Decks are built from the stored outputs; nothing is executed. Whether each
slide fits 960x700 is measured in a browser: ``tests/browser/test_slides_fit.py``.
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
MAX_CODE_LINE = 80  # characters: what fits the slide's width at the deck's code size
NOTE_MARK = "**Teacher's note:**"

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


def is_teachers_note(cell) -> bool:
    """A speaker note as the course writes them: hidden markdown that says what it is."""
    return (cell.cell_type == "markdown" and slide_type(cell) == "notes"
            and cell.metadata.get("jupyter", {}).get("source_hidden") is True
            and cell.source.lstrip().startswith(NOTE_MARK))


@lessons
def test_speaker_notes_are_marked_and_hidden(path, read):
    wrong = []
    for i, cell in enumerate(read(path).cells):
        if slide_type(cell) != "notes" or is_teachers_note(cell):
            continue
        why = []
        if cell.cell_type != "markdown":
            why.append(f"a {cell.cell_type} cell")
        if cell.metadata.get("jupyter", {}).get("source_hidden") is not True:
            why.append('no "jupyter": {"source_hidden": true}')
        if not cell.source.lstrip().startswith(NOTE_MARK):
            why.append(f"does not start with {NOTE_MARK!r}")
        wrong.append(f"cell {i} ({first_line(cell)!r}): {'; '.join(why)}")
    if wrong:
        pytest.fail(f"{len(wrong)} speaker notes are not in the course's form (markdown, "
                    f"slide_type 'notes', source hidden, text starting {NOTE_MARK!r}):\n"
                    + "\n".join(wrong))


def test_the_notes_form_is_what_the_check_accepts():
    good = nbformat.v4.new_markdown_cell(
        f"{NOTE_MARK} 10 min. Ask who has 1 CPU.",
        metadata={"slideshow": {"slide_type": "notes"}, "jupyter": {"source_hidden": True}})
    assert is_teachers_note(good)
    unmarked = nbformat.from_dict(good)
    unmarked.source = "Speaker notes: 10 min."
    shown = nbformat.from_dict(good)
    shown.metadata.pop("jupyter")
    a_slide = nbformat.from_dict(good)
    a_slide.metadata.slideshow.slide_type = "slide"
    as_code = nbformat.v4.new_code_cell(good.source, metadata=good.metadata)
    assert not any(map(is_teachers_note, [unmarked, shown, a_slide, as_code]))


@lessons
def test_code_lines_fit_a_slide(path, read):
    long = [f"cell {i}, line {n}: {len(line)} characters: {line[:50]!r}..."
            for i, cell in enumerate(read(path).cells) if cell.cell_type == "code"
            for n, line in enumerate(cell.source.splitlines(), 1) if len(line) > MAX_CODE_LINE]
    if long:
        pytest.fail(f"{len(long)} code lines longer than {MAX_CODE_LINE} characters, "
                    "wider than a slide:\n" + "\n".join(long))


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


# The one-hour class: cells tagged one-hour in the lessons of README's plan.


def test_one_hour_cut_keeps_the_title_and_the_tagged_cells():
    from tools import decks

    nb = made_up(["slide", "-", "slide", "subslide", "notes", "slide"])
    for i in (2, 3):
        nb.cells[i].metadata["tags"] = [decks.HOUR_TAG]
    nb.cells[3].metadata["slideshow"]["slide_type"] = "-"
    cut = decks.hour_cells(nb)
    assert [c.source for c in cut] == ["## Part 0", "## Part 2", "## Part 3"]
    assert [slide_type(c) for c in cut] == ["slide", "slide", "-"]
    assert slide_type(nb.cells[3]) == "-", "the lesson itself is not changed"
    assert decks.hour_cells(made_up(["slide", "-"])) == [], "nothing tagged, nothing cut"
    check_deck(nbformat.v4.new_notebook(cells=cut))


def test_one_hour_cut_makes_its_first_cell_a_slide():
    from tools import decks

    nb = made_up(["slide", "-", "-"])
    nb.cells[2].metadata["tags"] = [decks.HOUR_TAG, "nbval-ignore-output"]
    cut = decks.hour_cells(nb)
    assert [slide_type(c) for c in cut] == ["slide", "slide"]


def tagged_lessons() -> list[Path]:
    from tools import decks

    return [p for p in NOTEBOOKS
            if any(decks.HOUR_TAG in c.metadata.get("tags", [])
                   for c in nbformat.read(p, as_version=4).cells)]


def test_one_hour_deck_builds_from_the_plan():
    from tools import decks

    tagged = tagged_lessons()
    if not tagged:
        pytest.skip(f"no lesson has cells tagged {decks.HOUR_TAG!r} yet: the one-hour deck "
                    f"waits for lessons {', '.join(sorted(decks.HOUR_PLAN))} to tag theirs")
    prefixes = {p.name[:2] for p in tagged}
    assert prefixes <= decks.HOUR_PLAN, (
        f"cells tagged {decks.HOUR_TAG!r} outside the one-hour plan "
        f"({sorted(decks.HOUR_PLAN)}): lessons {sorted(prefixes - decks.HOUR_PLAN)}")
    assert prefixes == decks.HOUR_PLAN, (
        f"lessons {sorted(decks.HOUR_PLAN - prefixes)} of the one-hour plan have no cell "
        f"tagged {decks.HOUR_TAG!r}")
    nb = decks.hour_notebook(NOTEBOOKS)
    assert nb is not None
    check_deck(nb)
    titles = [c for c in nb.cells if c.source.lstrip().startswith("# ")]
    assert len(titles) == len(tagged), "one title slide per lesson"
    assert len(nb.cells) > 2 * len(tagged), "the cut deck holds more than the titles"
    notes = [c for c in nb.cells if slide_type(c) == "notes"]
    assert notes, "the one-hour deck has no speaker notes (tag the notes with the cut timings)"


def test_a_deck_loads_its_scripts_from_the_vendor_folder_only(tmp_path):
    """What ``make slides`` writes names no CDN (the browser test opens it offline)."""
    from tools import decks

    nb = made_up(["slide", "-", "notes", "subslide"])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    html = decks.write_deck(nb, "made_up", tmp_path / "out", tmp_path / "vendor").read_text()
    for cdn in ("unpkg.com", "cdnjs.cloudflare.com", "cdn.jsdelivr.net",
                "fonts.googleapis.com", "MathJax", "jquery", "mermaid"):
        assert cdn not in html, f"the deck still names {cdn}"
    assert 'src="../vendor/require.js"' in html
    assert '"../vendor/reveal.js/dist/reveal.js"' in html
    assert "../vendor/reveal.js/dist/theme/white.css" in html
    script = html.split("Reveal.initialize", 1)[1]
    assert "$(" not in script and "MathJax" not in script, "the slide-change code needs jQuery"
