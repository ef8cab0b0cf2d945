import json

import pytest

from helpers import report

pytestmark = pytest.mark.usefixtures("stop_loky_tracker")


def test_a_new_section_is_one_function_appended(tmp_path, monkeypatch):
    def extra(ctx):
        ctx.progress("extra")
        return report.Section("extra", [{"how": "x", "seconds": 1.0}], {}, ["- extra line"])

    monkeypatch.setattr(report, "SECTIONS", [*report.SECTIONS, extra])
    assert report.main(["--out", str(tmp_path), "--sections", "extra"]) == 0
    assert (tmp_path / "extra.csv").read_text().startswith("how,seconds")
    assert "## extra" in (tmp_path / "summary.md").read_text()
    assert json.loads((tmp_path / "records.json").read_text())["sections"]["extra"]


def test_quick_report_measures_and_draws(tmp_path, capsys):
    assert report.main(["--out", str(tmp_path), "--quick", "--repeats", "1",
                        "--sections", "chunks,blas"]) == 0
    written = {p.name for p in tmp_path.iterdir()}
    assert {"chunksize.csv", "chunksize.png", "blas.csv", "blas.png", "summary.md",
            "records.json"} <= written
    text = (tmp_path / "summary.md").read_text()
    assert "## chunksize" in text and "## blas" in text
    assert "section 1 of 2" in capsys.readouterr().out


def test_bench_records_cover_the_new_strategies():
    records = report.bench_records(serial_median=1.0, tasks=2, size=1_000, repeats=1, workers=1)
    assert [r.strategy for r in records] == ["numpy", "numba prange", "threads", "joblib", "dask"]
    assert all(r.tasks == 2 and r.speedup is not None for r in records)


def test_each_accuracy_target_gets_a_verdict_line():
    from helpers.experiments import accuracy

    good = accuracy([0.1] * 9 + [0.5])
    assert report._judge(good, 0.9, "grid").endswith("target ≥90%: met.")
    assert "NOT met" in report._judge(accuracy([0.5, 0.1]), 0.9, "grid")
    assert "not judged (busy)" in report._judge(good, 0.9, "grid", "busy")
    table = report._table([("pool", 2.0, 1.6)])
    assert table[-1] == "| pool | 2.00x | 1.60x | +25% |"


def test_real_jobs_section_reports_each_job_with_its_verdict(tmp_path, monkeypatch):
    from helpers import realjob

    rows = [{"job": "log files", "serial_s": 1.0, "parallel_s": 0.52, "best": "pool",
             "workers": 2, "speedup": 1.0 / 0.52},
            {"job": "big table", "serial_s": 0.4, "parallel_s": 0.5, "best": "fork",
             "workers": 2, "speedup": 0.8}]
    monkeypatch.setattr(realjob, "bench_jobs", lambda repeats: rows)
    assert report.main(["--out", str(tmp_path), "--sections", "realjobs"]) == 0
    text = (tmp_path / "summary.md").read_text()
    assert "| log files | 1.000 | pool x2 | 0.520 | 1.92x |" in text
    assert "here serial won" in text.split("| big table |")[1]
    assert (tmp_path / "realjobs.csv").read_text().startswith("job,")
