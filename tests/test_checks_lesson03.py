from concurrent.futures import as_completed

from helpers.bench import pool_chunksize
from helpers.checks import lesson03


def collect_right(executor, func, inputs):
    futures = {executor.submit(func, x): x for x in inputs}
    return {futures[f]: f.result() for f in as_completed(futures)}


def collect_zipped(executor, func, inputs):
    futures = [executor.submit(func, x) for x in inputs]
    return dict(zip(inputs, (f.result() for f in as_completed(futures)), strict=True))


def test_collect_right_and_wrong(capsys):
    assert lesson03.check_collect(collect_right) is True
    assert capsys.readouterr().out.startswith("✅ Correct:")
    # Task 0 finishes last, so zipping inputs with completion order mismatches.
    assert lesson03.check_collect(collect_zipped) is False
    assert "order they finish" in capsys.readouterr().out
    assert lesson03.check_collect(lambda ex, f, xs: [f(x) for x in xs]) is False
    assert "return a dict" in capsys.readouterr().out


def test_fast_map_right_and_wrong(capsys):
    def right(executor, func, items, workers):
        return list(executor.map(func, items, chunksize=pool_chunksize(len(items), workers)))

    def default_chunksize(executor, func, items, workers):
        return list(executor.map(func, items))

    def lazy(executor, func, items, workers):
        return executor.map(func, items, chunksize=500)

    assert lesson03.check_fast_map(right) is True
    assert "chunksize=1250" in capsys.readouterr().out
    assert lesson03.check_fast_map(default_chunksize) is False
    assert "chunksize=1 for" in capsys.readouterr().out
    assert lesson03.check_fast_map(lazy) is False
    assert "iterator" in capsys.readouterr().out


def test_errors_right_and_wrong(capsys):
    def right(executor, func, inputs):
        out = []
        for future in [executor.submit(func, x) for x in inputs]:
            try:
                out.append(future.result())
            except Exception as exc:
                out.append(f"{type(exc).__name__}: {exc}")
        return out

    def plain_map(executor, func, inputs):
        return list(executor.map(func, inputs))

    assert lesson03.check_errors(right) is True
    assert capsys.readouterr().out.startswith("✅ Correct:")
    assert lesson03.check_errors(plain_map) is False
    assert "re-raises the first failure" in capsys.readouterr().out
