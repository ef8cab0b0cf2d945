import functools
import multiprocessing as mp
import pickle
import threading

import pytest
from matplotlib.figure import Figure

from helpers import plots
from helpers.pickling import (
    ArgumentCost,
    LockedCounter,
    cost_table,
    names_in_pickle,
    payload_size,
    picklability,
    pickle_cost,
    size_verdict,
    stable_reason,
    task_cost,
)
from helpers.workloads import square


def test_a_function_pickles_as_its_module_and_name():
    assert names_in_pickle(pickle.dumps(square)) == ["helpers.workloads", "square"]


def outer():
    def inner(x):
        return x

    return inner


@pytest.mark.parametrize("obj, error_types, reason", [
    (lambda x: x, {"PicklingError", "AttributeError"}, "Can't pickle <function <lambda>"),
    (outer(), {"AttributeError", "PicklingError"}, "local object outer.<locals>.inner"),
    (LockedCounter().add, {"TypeError"}, "cannot pickle '_thread.lock'"),
    ((i for i in range(2)), {"TypeError"}, "cannot pickle 'generator'"),
])
def test_picklability_reports_type_and_stable_reason(obj, error_types, reason):
    report = picklability(obj, "x")
    assert not report.ok
    assert report.error_type in error_types
    assert report.reason == reason
    assert report.line().startswith("x") and "fails" in report.line()


def test_picklability_of_what_travels():
    for obj in (square, functools.partial(square, 3), LockedCounter, [1.0, 2.0]):
        assert picklability(obj).ok
    assert picklability(square).line().endswith("pickles")
    assert picklability(square).name == "square"


@pytest.mark.parametrize("message, reason", [
    ("Can't pickle local object 'f.<locals>.g'", "local object f.<locals>.g"),  # 3.10-3.12.4
    ("Can't get local object 'f.<locals>.g'", "local object f.<locals>.g"),  # 3.12.5-3.13
    ("Can't pickle local object <function f.<locals>.g at 0x7f01>", "local object f.<locals>.g"),
    ("cannot pickle 'TextIOWrapper' instances", "cannot pickle 'TextIOWrapper'"),
    ("something else at 0xdeadbeef\nmore", "something else"),
])
def test_stable_reason_across_python_versions(message, reason):
    assert stable_reason(Exception(message)) == reason


def ticking(step=0.5):
    t = [0.0]

    def timer():
        t[0] += step
        return t[0]

    return timer


def test_pickle_cost_counts_bytes_and_medians_with_a_fake_clock():
    data = list(range(1000))
    cost = pickle_cost(data, "ints", repeats=3, timer=ticking())
    assert cost.nbytes == len(pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
    assert cost.items == 1000 and cost.label == "ints"
    assert cost.dumps_s == cost.loads_s == 0.5
    assert cost.mb_per_s == pytest.approx(cost.nbytes / 1.0 / 1e6)


def test_pickle_cost_rejects_bad_repeats_and_unpicklable_objects():
    with pytest.raises(ValueError, match="at least 1, got 0"):
        pickle_cost([1], repeats=0)
    with pytest.raises(TypeError):
        pickle_cost(threading.Lock())


def test_task_cost_sends_the_argument_to_a_real_worker():
    with mp.get_context("spawn").Pool(1) as pool:
        seconds = task_cost(pool, list(range(10_000)), repeats=2)
        pool.close()
        pool.join()
    assert seconds > 0
    assert payload_size([1, 2, 3]) == 3


def test_cost_table_and_plot():
    costs = [ArgumentCost("list", n, n * 9, 0.001 * n / 1000, 0.002 * n / 1000,
                          task_s=0.01 * n / 1000) for n in (1000, 10_000)]
    text = cost_table(costs)
    assert "10,000 items" in text and "one task 100.0 ms" in text and "MB/s" in text
    fig = plots.pickling_costs(costs)
    assert isinstance(fig, Figure)
    assert len(fig.axes[0].lines) == 2  # pickle + unpickle, and the task line
    with pytest.raises(ValueError, match="no costs"):
        plots.pickling_costs([])


def test_size_verdict_reads_where_time_starts_to_grow():
    def cost(label, n, task_s):
        return ArgumentCost(label, n, n * 9, 0.0, 0.0, task_s=task_s)

    costs = [cost("list", 1000, 0.002), cost("list", 10_000, 0.0013),
             cost("list", 100_000, 0.01), cost("list", 1_000_000, 0.08),
             cost("array", 1000, 0.001), cost("array", 10_000, 0.002),
             cost("flat", 1000, 0.002), cost("flat", 10_000, 0.001)]
    lines = size_verdict(costs).splitlines()
    assert lines[0].startswith("list: below 0.09 MB a task's fixed cost dominated")
    assert "1.3 ms at 0.09 MB to 80.0 ms at 9.00 MB" in lines[0]
    assert lines[1].startswith("array: one task's time grew with the size at every step")
    assert lines[2].startswith("flat: one task's time did not grow steadily")
    assert "pickle+unpickle" in cost_table(costs)
