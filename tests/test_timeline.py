import os

import pytest
from matplotlib.figure import Figure

from helpers import timeline
from helpers.workloads import cpu_task, square


def test_timed_call_returns_result_and_span_of_this_process():
    result, span = timeline.timed_call(square, (4, 3))
    assert result == 9
    assert (span.index, span.pid) == (4, os.getpid())
    assert span.start_ns <= span.end_ns


@pytest.mark.parametrize("how", timeline.HOW)
def test_record_times_every_task_in_a_worker(how):
    inputs = [2_000, 10, 30_000, 5, 700, 0, 9_000]
    results, tl = timeline.record(cpu_task, inputs, workers=2, chunksize=2, how=how,
                                  start_method="fork")
    assert results == [cpu_task(n) for n in inputs]
    assert [s.index for s in tl.spans] == list(range(len(inputs)))
    assert os.getpid() not in {s.pid for s in tl.spans}
    assert len(tl.rows()) <= 2
    assert all(tl.start_ns <= s.start_ns <= s.end_ns <= tl.end_ns for s in tl.spans)
    assert 0 < tl.busy() <= 1


def test_record_under_spawn_too():
    results, tl = timeline.record(square, [1, 2, 3], workers=1, start_method="spawn")
    assert results == [1, 4, 9] and len(tl.rows()) == 1


@pytest.mark.parametrize("kwargs, message", [
    (dict(how="apply"), "unknown how"),
    (dict(workers=0), "workers must be at least 1"),
    (dict(chunksize=0), "chunksize must be at least 1"),
])
def test_bad_settings_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        timeline.record(square, [1], **kwargs)


def made_up():
    spans = (timeline.Span(0, 11, 0, 4_000_000), timeline.Span(1, 22, 1_000_000, 2_000_000),
             timeline.Span(2, 22, 2_000_000, 4_000_000))
    return timeline.Timeline(spans, 0, 4_000_000, "map", 2, 1)


def test_rows_follow_first_start_and_busy_counts_idle_time():
    tl = made_up()
    assert tl.rows() == {11: 0, 22: 1}
    assert tl.busy() == pytest.approx(7 / 8)
    assert tl.seconds == pytest.approx(0.004)


def test_gantt_draws_one_bar_per_task_and_names_the_workers():
    fig = timeline.gantt(made_up())
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(ax.collections) == 3
    assert [t.get_text() for t in ax.get_yticklabels()] == ["worker 1", "worker 2"]
    assert "busy 88%" in ax.get_title()
    with pytest.raises(ValueError):
        timeline.gantt(timeline.Timeline((), 0, 1, "map", 1, 1))
