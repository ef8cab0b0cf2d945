"""The course in a real browser: JupyterLab in headless Chromium, every cell run.

For ``00_start_here`` and one lesson with a plot (07's live explorer when it
exists, else 01), the test clears the stored outputs, runs all cells from the
Run menu, waits until every code cell has finished, and checks what a learner
sees: no cell shows an error, the widget is drawn as a widget (not as the text
``VBox(...)``), and the lesson shows a plot image. Screenshots go to
``results/screenshots/``. Run with ``make test-browser``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest

pytestmark = [
    pytest.mark.skipif(not os.environ.get("MP_COURSE_BROWSER"),
                       reason="browser test: run it with `make test-browser`"),
    pytest.mark.timeout(240),
]

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
RUN_SECONDS = 150  # the whole notebook; each lesson takes < 20 s on 2 idle cores
# Every selector is scoped to the notebook on screen (JupyterLab keeps other tabs in the DOM).
NB = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"
PROMPTS = f"{NB} .jp-CodeCell .jp-InputArea-prompt"  # not the placeholder of a hidden input
OUTPUT = f"{NB} .jp-OutputArea-output"
STDERR = f'{OUTPUT}[data-mime-type="application/vnd.jupyter.stderr"]'
WIDGET = f"{OUTPUT} .jupyter-widgets"
PLOT = f"{OUTPUT} img"
WIDGET_AS_TEXT = re.compile(r"\b(VBox|HBox|Box|Tab|IntSlider|FloatSlider|Dropdown)\(")


def has_explorer(path: Path) -> bool:
    """Whether a lesson builds an ipywidgets explorer (helpers.explorer) in a code cell."""
    if not path.exists():
        return False
    nb = nbformat.read(path, as_version=4)
    return any(c.cell_type == "code" and "explorer" in c.source.lower() for c in nb.cells)


def lesson_with_plot() -> str:
    performance = NOTEBOOKS / "07_performance_lab.ipynb"
    return performance.name if has_explorer(performance) else "01_processes.ipynb"


def raising_cells(name: str) -> set[int]:
    """Indices of the cells that raise on purpose (nbval's tag or comment marker)."""
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    return {i for i, c in enumerate(nb.cells)
            if "raises-exception" in c.metadata.get("tags", [])
            or "nbval-raises-exception" in c.metadata.get("tags", [])
            or "# NBVAL_RAISES_EXCEPTION" in c.source.splitlines()}


def click_menu(page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{menu}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()


def accept_kernel_dialog(page) -> None:
    """Answer JupyterLab's "Select Kernel" dialog with its default (the notebook's kernel).

    JupyterLab can show it when the notebook opens before the list of kernels
    has loaded, as happens on a busy machine; a learner would press Select too.
    """
    dialog = page.locator(".jp-Dialog", has_text="Select Kernel")
    if dialog.count():
        dialog.locator("button.jp-mod-accept").click()
        dialog.wait_for(state="detached")


def wait_for_idle_kernel(page, timeout_ms: int = 60_000) -> None:
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]"
        ".some(x => /\\| Idle$/.test(x.textContent.trim()))", timeout=timeout_ms)
    page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) '
                 '.jp-Notebook-ExecutionIndicator[data-status="idle"]').wait_for(timeout=timeout_ms)


def open_notebook(page, lab, name: str) -> None:
    page.goto(lab.tree(name))
    page.locator(f"{NB} .jp-Cell").first.wait_for(timeout=60_000)
    wait_for_idle_kernel(page)
    page.wait_for_timeout(1_000)  # let a late "Select Kernel" dialog appear, if it will
    accept_kernel_dialog(page)
    wait_for_idle_kernel(page)


def prompts(page) -> list[str]:
    return [t.strip() for t in page.locator(PROMPTS).all_text_contents()]


def wait_for_prompts(page, test: str, what: str, timeout_ms: int) -> None:
    """Wait until every code cell's prompt passes ``test`` (a JS regex), or fail saying which."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            "([sel, re]) => { const p = [...document.querySelectorAll(sel)];"
            "  return p.length > 0 && p.every(x => new RegExp(re).test(x.textContent.trim())); }",
            arg=[PROMPTS, test], timeout=timeout_ms)
    except PlaywrightTimeout:
        pytest.fail(f"not every code cell {what} within {timeout_ms / 1000:.0f} s; "
                    f"prompts: {' '.join(prompts(page))}")


def run_all(page) -> None:
    """Clear the stored outputs, run every cell, wait until each code cell has a count."""
    click_menu(page, "Edit", "Clear Outputs of All Cells")
    wait_for_prompts(page, r"^\[ \]:$", "was cleared", 30_000)
    click_menu(page, "Run", "Run All Cells")
    wait_for_prompts(page, r"^\[\d+\]:$", "finished", RUN_SECONDS * 1000)
    wait_for_idle_kernel(page)
    assert not page.locator(".jp-Dialog").count(), page.locator(".jp-Dialog").inner_text()


def errors_shown(page, allowed: set[int]) -> list[str]:
    """The first line of every traceback or error output, by cell, outside the allowed cells."""
    found = []
    cells = page.locator(f"{NB} .jp-Cell")
    for i in range(cells.count()):
        if i in allowed:
            continue
        stderr = cells.nth(i).locator(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
        for text in stderr.all_inner_texts():
            if "Traceback" in text or re.search(r"^\w+(Error|Exception)\b", text, re.M):
                found.append(f"cell {i}: {text.strip().splitlines()[0][:200]}")
    return found


def widgets_as_text(page) -> list[str]:
    return [t[:120] for t in page.locator(OUTPUT).all_inner_texts() if WIDGET_AS_TEXT.search(t)]


def test_start_here_runs_and_draws_its_widget(page, lab, screenshots):
    name = "00_start_here.ipynb"
    open_notebook(page, lab, name)
    run_all(page)
    widget = page.locator(WIDGET).first
    widget.wait_for(timeout=30_000)
    widget.scroll_into_view_if_needed()
    page.screenshot(path=screenshots / "00_start_here.png")
    assert errors_shown(page, raising_cells(name)) == []
    assert page.locator(f"{WIDGET}.widget-slider, {WIDGET} .widget-slider").count() >= 1
    assert widgets_as_text(page) == [], "a widget is shown as text, not drawn"
    # The widget is live: moving the slider makes the kernel update the label under it.
    page.locator(f"{WIDGET} .widget-slider .noUi-handle").first.focus()
    page.keyboard.press("End")
    page.wait_for_function(
        "(sel) => [...document.querySelectorAll(sel)]"
        ".some(x => x.textContent.includes('below 100,000'))", arg=f"{WIDGET}.widget-label")
    widget.screenshot(path=screenshots / "00_start_here_widget.png")


def test_lesson_runs_and_shows_a_plot(page, lab, screenshots):
    name = lesson_with_plot()
    if not (NOTEBOOKS / name).exists():
        pytest.skip(f"{name} is not written yet")
    stem = Path(name).stem
    open_notebook(page, lab, name)
    run_all(page)
    plot = page.locator(PLOT).first
    if not page.locator(PLOT).count():
        as_text = [t for t in page.locator(OUTPUT).all_inner_texts() if t.startswith("<Figure")]
        pytest.fail(f"{name} shows no plot image; {len(as_text)} figures appear as text, "
                    f"e.g. {as_text[:1]}: IPython has no PNG formatter for a Figure made "
                    "without pyplot unless the inline backend is on (%matplotlib inline)")
    plot.scroll_into_view_if_needed()
    page.screenshot(path=screenshots / f"{stem}.png")
    assert errors_shown(page, raising_cells(name)) == []
    box = plot.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100, f"plot image too small: {box}"
    assert widgets_as_text(page) == [], "a widget is shown as text, not drawn"
    if has_explorer(NOTEBOOKS / name):
        explorer = page.locator(WIDGET).last
        explorer.wait_for(timeout=30_000)
        explorer.scroll_into_view_if_needed()
        page.screenshot(path=screenshots / f"{stem}_explorer.png")
        assert explorer.locator("img").count() >= 1, "the explorer drew no plot"
