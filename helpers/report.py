"""The benchmark report for this machine: ``make bench`` (``python -m helpers.report``).

Runs the headline comparison (serial vs ``Pool.map`` vs ``ProcessPoolExecutor.map``
on the CPU-bound workload, 1 to N workers, every start method the platform
has) outside Jupyter, and writes into one folder:

- ``records.csv`` and ``records.json``: every measurement;
- ``headline.png`` and ``speedup.png``: the figures;
- ``summary.md``: the machine and the best speedups, in words.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from helpers import bench, plots
from helpers.machine import machine_info
from helpers.workloads import DEFAULT_SIZE, cpu_task


def headline(tasks: int, size: int, repeats: int, methods: list[str],
             max_workers: int, progress) -> list[bench.Record]:
    """Serial once, then Pool and executor at 1..max_workers for each start method."""
    records: list[bench.Record] = []
    for i, method in enumerate(methods):
        strategies = ("serial", "pool", "executor") if i == 0 else ("pool", "executor")
        rows = bench.compare(
            cpu_task, [size] * tasks, strategies=strategies,
            workers=list(range(1, max_workers + 1)), start_method=method,
            repeats=repeats, progress=lambda msg, m=method: progress(f"{m}: {msg}"),
        )
        if i > 0:  # speedups against the one serial baseline measured first
            base = records[0].median
            rows = [bench.rescale(r, base) for r in rows]
        records.extend(rows)
    return records


def summary_markdown(records: list[bench.Record], seconds: float) -> str:
    info = machine_info()
    best: dict[tuple, bench.Record] = {}
    for r in records:
        key = (r.strategy, r.start_method)
        if r.strategy != "serial" and (key not in best or r.speedup > best[key].speedup):
            best[key] = r
    lines = ["# Benchmark report", "", "```", info.summary(), "```", "",
             f"Workload: {records[0].tasks} tasks of `cpu_task`; warm pools "
             "(start-up not counted); median of the repeats.", "",
             "| strategy | start method | best workers | median (s) | speedup | efficiency |",
             "| --- | --- | --- | --- | --- | --- |"]
    serial = records[0]
    lines.append(f"| serial | - | 1 | {serial.median:.3f} | 1.00x | - |")
    for (strategy, method), r in sorted(best.items()):
        lines.append(f"| {strategy} | {method} | {r.workers} | {r.median:.3f} | "
                     f"{r.speedup:.2f}x | {r.efficiency:.2f} |")
    lines += ["", f"On {info.usable_cpus} usable CPUs the ideal speedup is "
              f"{info.usable_cpus}x.", "", f"The report took {seconds:.0f} s."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("results"))
    parser.add_argument("--tasks", type=int, default=16)
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)

    info = machine_info()
    started = time.perf_counter()

    def progress(msg: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {msg}", flush=True)

    print(info.summary(), flush=True)
    records = headline(args.tasks, args.size, args.repeats, list(info.start_methods),
                       info.usable_cpus, progress)
    args.out.mkdir(parents=True, exist_ok=True)
    bench.to_frame(records).to_csv(args.out / "records.csv", index=False)
    (args.out / "records.json").write_text(json.dumps(
        {"machine": info.as_dict(), "records": [r.as_dict() for r in records]}, indent=1))
    default = [r for r in records if r.start_method in (None, info.default_start_method)]
    plots.bar_timings(default).savefig(args.out / "headline.png", dpi=120)
    plots.speedup_vs_workers(default).savefig(args.out / "speedup.png", dpi=120)
    text = summary_markdown(records, time.perf_counter() - started)
    (args.out / "summary.md").write_text(text)
    print(text)
    print(f"Wrote {args.out}/: records.csv, records.json, headline.png, speedup.png, summary.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
