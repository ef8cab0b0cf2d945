"""The lessons as files: listed, stored from a clean run, and shaped like a lesson.

Running them and comparing outputs is nbval's job (make nbval); this checks what
can be read without a kernel.
"""

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
LESSONS = [nb for nb in NOTEBOOKS if not nb.name.startswith("00_")]


def cells(nb: Path) -> list[dict]:
    return json.loads(nb.read_text())["cells"]


def source(cell: dict) -> str:
    return "".join(cell["source"])


def test_there_are_lessons():
    assert len(NOTEBOOKS) >= 2


def test_numbers_are_unique_and_in_sequence():
    numbers = [int(nb.name[:2]) for nb in NOTEBOOKS]
    assert numbers == list(range(len(numbers)))


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_readme_and_start_here_list_the_lesson(nb):
    assert f"(notebooks/{nb.name})" in (ROOT / "README.md").read_text()
    start_here = "\n".join(source(c) for c in cells(ROOT / "notebooks" / "00_start_here.ipynb"))
    assert f"({nb.name})" in start_here


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_outputs_are_stored_from_one_clean_run(nb):
    counts = [c.get("execution_count") for c in cells(nb)
              if c["cell_type"] == "code" and source(c).strip()]
    assert None not in counts, "a code cell was not run: make notebooks NB=..."
    assert counts == list(range(1, len(counts) + 1)), "run top to bottom in a fresh kernel"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_stored_errors_or_stderr(nb):
    for c in cells(nb):
        for out in c.get("outputs", []):
            tags = c["metadata"].get("tags", [])
            allowed = "raises-exception" in tags or "nbval-raises-exception" in tags
            assert out["output_type"] != "error" or allowed, source(c)[:80]
            assert out.get("name") != "stderr" or allowed, source(c)[:80]


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_kernel_is_the_course_python(nb):
    assert json.loads(nb.read_text())["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_title_has_a_heading_and_the_lesson_a_time(nb):
    first = source(cells(nb)[0])
    assert first.startswith("# ")
    text = "\n".join(source(c) for c in cells(nb) if c["cell_type"] == "markdown")
    assert re.search(r"\*\*Time\*\*\s*\|\s*\d+ min", text)


@pytest.mark.parametrize("nb", LESSONS, ids=lambda p: p.stem)
def test_lesson_ends_with_summary_exercises_and_whats_next(nb):
    headings = [line for c in cells(nb) if c["cell_type"] == "markdown"
                for line in source(c).splitlines() if line.startswith("## ")]
    assert any("Summary" in h for h in headings)
    assert any("Exercise" in h for h in headings)
    assert any("What's next" in h for h in headings)


@pytest.mark.parametrize("nb", LESSONS, ids=lambda p: p.stem)
def test_solutions_are_collapsed(nb):
    code = [c for c in cells(nb) if c["cell_type"] == "code"]
    hidden = [c for c in code if c["metadata"].get("jupyter", {}).get("source_hidden")]
    assert hidden, "each lesson has exercises with collapsed solution cells"
    for c in code:
        if re.search(r"(?m)^# Solution", source(c)):
            assert c in hidden, source(c)[:60]
