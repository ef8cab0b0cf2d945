"""Small ipywidgets panels for the lessons (imported on demand: widgets need a front end)."""

from __future__ import annotations

import ipywidgets as w

from helpers.workloads import cpu_task_expected


def widget_check() -> w.VBox:
    """A slider and a label that updates as it moves: proof that widgets render here.

    If a learner sees text like ``VBox(children=...)`` instead of a slider, the
    JupyterLab widget extension is missing (``pip install ipywidgets``).
    """
    slider = w.IntSlider(value=1_000, min=0, max=100_000, step=1_000,
                         description="n", continuous_update=True)
    label = w.Label()

    def update(change=None) -> None:
        n = slider.value
        label.value = f"sum of squares below {n:,}: {cpu_task_expected(n):,}"

    slider.observe(update, names="value")
    update()
    return w.VBox([w.HTML("<b>Move the slider:</b> the line below should follow it."),
                   slider, label])

