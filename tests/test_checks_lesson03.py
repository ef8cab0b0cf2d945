"""Lesson 03's checks: a right answer, a different right one, a wrong value, a wrong way."""

from concurrent.futures import FIRST_COMPLETED, as_completed, wait

from helpers.checks import lesson03
from helpers.solutions import lesson03 as solution


def collect_with_wait(executor, func, inputs):
    """A different right answer: wait(FIRST_COMPLETED) in a loop, also as they finish."""
    pending = {executor.submit(func, x): x for x in inputs}
    out = {}
    while pending:
        done, _ = wait(pending, timeout=10, return_when=FIRST_COMPLETED)
        for f in done:
            out[pending.pop(f)] = f.result()
    return out


def collect_zipped(executor, func, inputs):
    futures = [executor.submit(func, x) for x in inputs]
    return dict(zip(inputs, (f.result() for f in as_completed(futures)), strict=True))


def test_collect_right_answers_pass(capsys):
    assert lesson03.check_collect(solution.collect) is True
    assert lesson03.check_collect(collect_with_wait) is True
    assert capsys.readouterr().out.count("✅ Correct:") == 2


def test_collect_wrong_values_fail(capsys):
    # Task 0 finishes last, so zipping inputs with completion order mismatches.
    assert lesson03.check_collect(collect_zipped) is False
    assert "order they finish" in capsys.readouterr().out
    assert lesson03.check_collect(lambda ex, f, xs: [f(x) for x in xs]) is False
    assert "return a dict" in capsys.readouterr().out


def test_collect_without_as_completed_fails(capsys):
    # Right dicts, collected in input order rather than as the tasks finished.
    in_input_order = [
        lambda ex, f, xs: dict(zip(xs, ex.map(f, xs), strict=True)),
        lambda ex, f, xs: {x: ex.submit(f, x).result() for x in xs},
        lambda ex, f, xs: {x: f(x) for x in xs},
    ]
    for collect in in_input_order:
        assert lesson03.check_collect(collect) is False
        assert "not collected as they finished" in capsys.readouterr().out


def test_fast_map_right_answers_pass(capsys):
    def at_least_a_hundred(executor, func, items, workers):
        items = list(items)
        return list(executor.map(func, items, chunksize=max(100, len(items) // workers)))

    assert lesson03.check_fast_map(solution.fast_map) is True
    out = capsys.readouterr().out
    assert "2 workers -> chunksize 1250, 8 chunks" in out
    assert "4 workers -> chunksize 625, 16 chunks" in out
    assert lesson03.check_fast_map(at_least_a_hundred) is True


def test_fast_map_wrong_values_fail(capsys):
    def lazy(executor, func, items, workers):
        return executor.map(func, items, chunksize=500)

    def reversed_results(executor, func, items, workers):
        return list(executor.map(func, items, chunksize=500))[::-1]

    assert lesson03.check_fast_map(lazy) is False
    assert "iterator" in capsys.readouterr().out
    assert lesson03.check_fast_map(reversed_results) is False
    assert "in order" in capsys.readouterr().out


def test_fast_map_wrong_chunksizes_fail(capsys):
    def default_chunksize(executor, func, items, workers):
        return list(executor.map(func, items))

    def one_chunk(executor, func, items, workers):
        items = list(items)
        return list(executor.map(func, items, chunksize=len(items)))

    def hard_coded(executor, func, items, workers):
        return list(executor.map(func, items, chunksize=5000))  # right for 2 workers only

    def serial(executor, func, items, workers):
        return [func(x) for x in items]

    assert lesson03.check_fast_map(default_chunksize) is False
    assert "chunksize=1 for" in capsys.readouterr().out
    assert lesson03.check_fast_map(one_chunk) is False
    assert "1 chunk(s) for 2 workers" in capsys.readouterr().out
    assert lesson03.check_fast_map(hard_coded) is False
    assert "2 chunk(s) for 4 workers" in capsys.readouterr().out
    assert lesson03.check_fast_map(serial) is False
    assert "never called executor.map" in capsys.readouterr().out


def test_errors_right_answers_pass(capsys):
    def with_exception_method(executor, func, inputs):
        futures = [executor.submit(func, x) for x in inputs]
        return [f.result() if f.exception() is None
                else f"{type(f.exception()).__name__}: {f.exception()}" for f in futures]

    assert lesson03.check_errors(solution.results_or_errors) is True
    assert lesson03.check_errors(with_exception_method) is True
    assert capsys.readouterr().out.count("✅ Correct:") == 2


def test_errors_wrong_values_fail(capsys):
    def plain_map(executor, func, inputs):
        return list(executor.map(func, inputs))

    def message_only(executor, func, inputs):
        out = []
        for future in [executor.submit(func, x) for x in inputs]:
            try:
                out.append(future.result())
            except Exception as exc:
                out.append(str(exc))
        return out

    assert lesson03.check_errors(plain_map) is False
    assert "re-raises the first failure" in capsys.readouterr().out
    assert lesson03.check_errors(message_only) is False
    assert "type(exc).__name__" in capsys.readouterr().out


def test_errors_computed_in_this_process_fail(capsys):
    def serial(executor, func, inputs):
        out = []
        for x in inputs:
            try:
                out.append(func(x))
            except Exception as exc:
                out.append(f"{type(exc).__name__}: {exc}")
        return out

    assert lesson03.check_errors(serial) is False
    assert "ran in this process" in capsys.readouterr().out
