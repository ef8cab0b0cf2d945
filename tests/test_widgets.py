import ipywidgets as w

from helpers.widgets import widget_check
from helpers.workloads import cpu_task_expected


def test_widget_check_label_follows_the_slider():
    panel = widget_check()
    assert isinstance(panel, w.VBox)
    _, slider, label = panel.children
    assert isinstance(slider, w.IntSlider)
    assert label.value == f"sum of squares below 1,000: {cpu_task_expected(1_000):,}"
    slider.value = 5_000
    assert label.value == f"sum of squares below 5,000: {cpu_task_expected(5_000):,}"
