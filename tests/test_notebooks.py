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


# --- The learner's view: solutions, their own files, notes, no maintainer words ------------

WRITES_MY = re.compile(r"""(?x)
    ^%%(?:writefile|file)\s+(?:-a\s+)?(?P<magic>\S*my_\w+\.py)   # a %%writefile cell
  | (?P<call>(?:open|Path|write_text|copy\w*|move|rename)\b[^\n]*my_\w+\.py)  # or code
""", re.MULTILINE)
MAINTAINER_WORDS = re.compile(
    r"nbval|sitecustomize|noqa|\bCI\b|\bthe issue\b", re.IGNORECASE)  # nbval: NBVAL_ too
#: The words above that are fine in one sense: "CI" only in capitals means the service.
CASE_SENSITIVE = {"ci"}


def tags(cell: dict) -> list[str]:
    return cell["metadata"].get("tags", [])


def jupyter(cell: dict) -> dict:
    return cell["metadata"].get("jupyter", {})


def slide_type(cell: dict) -> str | None:
    return cell["metadata"].get("slideshow", {}).get("slide_type")


def my_files_written(cell: dict) -> list[str]:
    """The learner files (``my_*.py``) a cell writes, by %%writefile or by code."""
    found = []
    for m in WRITES_MY.finditer(source(cell)):
        found.append(m.group("magic") or re.search(r"my_\w+\.py", m.group("call")).group())
    return found


def where(nb: Path, i: int, cell: dict) -> str:
    first = next((line for line in source(cell).splitlines() if line.strip()), "")
    return f"{nb.stem} cell {i} ({first[:50]!r})"


@pytest.mark.parametrize("nb", LESSONS, ids=lambda p: p.stem)
def test_solution_cells_are_hidden_code_that_writes_no_learner_file(nb):
    solutions = [(i, c) for i, c in enumerate(cells(nb)) if "solution" in tags(c)]
    assert solutions, "each lesson's exercises have solution cells tagged 'solution'"
    wrong = []
    for i, c in solutions:
        why = []
        if c["cell_type"] != "code":
            why.append(f"a {c['cell_type']} cell")
        if jupyter(c).get("source_hidden") is not True:
            why.append("source not hidden")
        if jupyter(c).get("outputs_hidden") is not True:
            why.append("outputs not hidden")
        if my_files_written(c):
            why.append(f"writes {', '.join(my_files_written(c))}")
        if why:
            wrong.append(f"{where(nb, i, c)}: {'; '.join(why)}")
    assert not wrong, "solution cells must be collapsed code that checks a module of " \
        "helpers/solutions:\n" + "\n".join(wrong)


@pytest.mark.parametrize("nb", LESSONS, ids=lambda p: p.stem)
def test_hidden_solutions_are_tagged(nb):
    # A cell that reads as a solution (a "# Solution" comment, helpers.solutions) is one.
    # Importing the solutions module (the lesson's imports cell) is not a solution.
    for i, c in enumerate(cells(nb)):
        code = re.sub(r"(?m)^(from|import) .*$", "", source(c))
        if c["cell_type"] == "code" and re.search(
                r"(?m)^# Solution|helpers\.solutions", code):
            assert "solution" in tags(c), where(nb, i, c)


def test_only_the_learners_own_cell_writes_each_learner_file():
    writers: dict[str, list[str]] = {}
    wrong = []
    for nb in NOTEBOOKS:
        for i, c in enumerate(cells(nb)):
            for name in my_files_written(c):
                writers.setdefault(name, []).append(where(nb, i, c))
                own = (c["cell_type"] == "code" and source(c).startswith("%%writefile")
                       and "solution" not in tags(c) and not jupyter(c).get("source_hidden"))
                if not own:
                    wrong.append(f"{where(nb, i, c)} writes {name}, and it is not a "
                                 "visible %%writefile cell a learner edits")
    wrong += [f"{name} is written by {len(cells_)} cells: {'; '.join(cells_)}"
              for name, cells_ in writers.items() if len(cells_) > 1]
    assert not wrong, "running a lesson must never overwrite a learner's file:\n" + \
        "\n".join(wrong)


def test_the_learner_file_detector_sees_every_way_of_writing():
    def code(text: str) -> dict:
        return {"cell_type": "code", "source": [text], "metadata": {}}

    assert my_files_written(code("%%writefile my_stage.py\ndef f(): ...")) == ["my_stage.py"]
    assert my_files_written(code("%%writefile -a my_stage.py\nx = 1")) == ["my_stage.py"]
    assert my_files_written(code('Path("my_x.py").write_text(src)')) == ["my_x.py"]
    assert my_files_written(code('with open("my_y.py", "w") as f:')) == ["my_y.py"]
    assert my_files_written(code("import my_stage\ncheck('my_stage')")) == []


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_speaker_notes_are_marked_for_the_teacher_and_collapsed(nb):
    wrong = []
    for i, c in enumerate(cells(nb)):
        if slide_type(c) != "notes":
            continue
        if not (c["cell_type"] == "markdown" and jupyter(c).get("source_hidden") is True
                and source(c).lstrip().startswith("**Teacher's note:**")):
            wrong.append(where(nb, i, c))
    assert not wrong, "speaker notes are markdown, collapsed (source_hidden) and start " \
        "with **Teacher's note:**\n" + "\n".join(wrong)


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_maintainer_words_in_lesson_cells(nb):
    wrong = []
    for i, c in enumerate(cells(nb)):
        for m in MAINTAINER_WORDS.finditer(source(c)):
            word = m.group()
            if word.lower() in CASE_SENSITIVE and word != word.upper():
                continue  # "ci" inside another word or in lower case is not the service
            wrong.append(f"{where(nb, i, c)}: {word!r}")
    assert not wrong, "words for maintainers (nbval, NBVAL_ comments, CI, sitecustomize, " \
        "noqa, the issue) do not belong in a lesson; use cell tags instead:\n" + \
        "\n".join(wrong)


def test_the_maintainer_word_check_catches_each_word():
    hits = [m.group() for m in MAINTAINER_WORDS.finditer(
        "# NBVAL_IGNORE_OUTPUT\nx = 1  # noqa: E731\nunder nbval and CI, sitecustomize.py; "
        "the issue that started this course")]
    assert [h.lower() for h in hits] == ["nbval", "noqa", "nbval", "ci", "sitecustomize",
                                         "the issue"]
    assert not MAINTAINER_WORDS.search("a CPython issue; special; circle; Cinema")


PRIVATE_HELPER = re.compile(r"\bfrom helpers[\w.]* import [^\n]*\b_[a-z]\w*"
                            r"|\b(?:helpers|[a-z]\w*)\.(?!_replace\b|_asdict\b|_make\b|_fields\b"
                            r"|_exit\b)_[a-z]\w*\(")


def private_helpers(code: str) -> list[str]:
    return [m.group(0) for m in PRIVATE_HELPER.finditer(code)]


@pytest.mark.parametrize("nb", NOTEBOOKS, ids=lambda p: p.stem)
def test_lessons_use_only_public_helper_names(nb):
    found = [name for c in cells(nb) if c["cell_type"] == "code"
             for name in private_helpers(source(c))]
    assert found == []


def test_the_private_name_check_catches_both_forms():
    assert private_helpers("from helpers.costmodel import _timed\n")
    assert private_helpers("x = costmodel._serial_map(f, xs)\n")
    assert not private_helpers("os._exit(1)\nspec._replace(n=1)\nfrom helpers import timing\n")
