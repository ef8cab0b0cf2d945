import threading

import pytest

import helpers
from helpers import advisor
from helpers.costmodel import Overheads, Traffic
from helpers.workloads import cpu_task, sleepy, square

# A made-up 2-core machine, close to what probe() measures on a laptop.
OV = Overheads("spawn", 2.0, {"pool": 2e-4, "executor": 4e-4},
               {"pool": 5e-5, "executor": 1e-4, "threads": 1e-5},
               {"pool": 1e-6, "executor": 2e-6}, {"pool": 0.05, "executor": 0.06}, 2e8,
               ((1e3, 5e7), (1e6, 5e8), (6.4e7, 2.5e8)))
SMALL = Traffic(per_task=40, result_per_task=20)


def choose(seconds, tasks, cpu_fraction=1.0, gil_free=0.0, traffic=SMALL, ov=OV, usable=2):
    found = advisor.options([seconds] * tasks, traffic, ov, usable, cpu_fraction, gil_free)
    return advisor.recommend(found, seconds, ov.per_chunk["pool"], gil_free)


def test_ten_microsecond_tasks_stay_serial_or_go_in_big_chunks():
    choice, reason = choose(10e-6, 10_000)
    assert choice.strategy == "serial" or (choice.strategy in ("pool", "executor")
                                           and choice.chunksize >= 64)
    assert reason


def test_sleep_like_tasks_go_to_threads():
    choice, reason = choose(0.01, 100, cpu_fraction=0.0, gil_free=1.0)
    assert choice.strategy == "threads" and choice.workers > 2
    assert "GIL" in reason


def test_numpy_like_tasks_that_release_the_gil_go_to_threads():
    choice, _ = choose(0.025, 16, cpu_fraction=1.0, gil_free=0.95)
    assert choice.strategy == "threads"


def test_fifty_millisecond_pure_python_tasks_go_to_a_pool():
    choice, reason = choose(0.05, 16)
    assert choice.strategy in ("pool", "executor") and choice.workers == 2
    assert choice.speedup > 1.5 and "GIL" in reason


def test_a_short_run_stays_serial_and_says_why():
    choice, reason = choose(1e-3, 5)
    assert choice.strategy == "serial" and reason.startswith("stay serial")


def test_tiny_tasks_on_one_cpu_are_told_to_vectorise():
    one = Overheads("spawn", 1.0, OV.latency, OV.per_chunk, OV.per_item, OV.startup, 2e8)
    choice, reason = choose(2e-6, 1_000_000, ov=one, usable=1)
    assert choice.strategy == "serial" and "vectorise" in reason


def test_a_big_shared_object_is_priced_per_chunk_not_per_task():
    shared = Traffic(shared=50e6, per_task=100, pickle_shared=0.02, unpickle_shared=0.02)
    found = advisor.options([0.02] * 64, shared, OV, 2)
    pool = {o.chunksize: o for o in found if o.strategy == "pool" and o.workers == 2}
    assert pool[32].seconds < pool[1].seconds  # fewer chunks, fewer copies of the object


def test_options_cover_every_strategy_and_chunksize():
    found = advisor.options([1e-3] * 100, SMALL, OV, 2)
    assert {o.strategy for o in found} == {"serial", "threads", "pool", "executor"}
    assert {o.chunksize for o in found if o.strategy == "pool"} >= {None, 1, 64}
    assert all(o.seconds > 0 for o in found)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(inputs=[]), ValueError, "inputs is empty"),
    (dict(inputs=iter([1, 2])), TypeError, "inputs must be a sequence"),
    (dict(inputs=5), TypeError, "inputs must be a sequence"),
    (dict(inputs="abc"), TypeError, "inputs must be a sequence"),
    (dict(inputs=[1, threading.Lock(), 3]), TypeError, r"inputs\[1\] cannot be sent"),
    (dict(inputs=[1, 2], workers=0), ValueError, "workers must be at least 1"),
    (dict(inputs=[1, 2], workers=1.5), TypeError, "workers must be"),
    (dict(inputs=[1, 2], budget=0), ValueError, "budget must be a positive number"),
    (dict(inputs=[1, 2], budget=-1.0), ValueError, "budget must be a positive number"),
    (dict(inputs=[1, 2], budget="3"), TypeError, "budget must be a number"),
])
def test_bad_input_gets_a_clear_error(kwargs, error, message):
    inputs = kwargs.pop("inputs")
    with pytest.raises(error, match=message):
        helpers.advise(square, inputs, **kwargs)


def test_a_lambda_is_refused_with_the_fix():
    with pytest.raises(TypeError, match="define it at the top level of a module"):
        helpers.advise(lambda x: x, [1, 2])


def test_a_notebook_function_under_spawn_is_refused_with_the_fix():
    def f(x):
        return x

    f.__module__ = "__main__"
    f.__qualname__ = "f"
    import __main__

    __main__.f = f
    try:
        with pytest.raises(ValueError, match="defined in __main__.*%%writefile"):
            helpers.advise(f, [1, 2], start_method="spawn")
    finally:
        del __main__.f


def test_advise_measures_predicts_and_verifies_a_real_function():
    advice = helpers.advise(cpu_task, [20_000] * 12, verify=True, budget=4.0,
                            start_method="fork" if "fork" in helpers.machine.
                            default_start_method() else None)
    assert len(advice.sample.seconds) >= 3
    assert {o.strategy for o in advice.options} >= {"serial", "threads", "pool"}
    assert advice.choice in advice.options and advice.reason
    v = advice.verification
    assert v is None or (v.measured_speedup > 0 and v.predicted_speedup > 0)
    text = str(advice)
    assert "Advice:" in text and "Predicted" in text


def test_advise_subsamples_and_says_so():
    advice = helpers.advise(sleepy, [0.02] * 200, budget=1.5)
    assert len(advice.sample.seconds) < 200
    assert any("of 200 tasks" in n for n in advice.notes)
