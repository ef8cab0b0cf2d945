"""The benchmark report for this machine: ``make bench`` (``python -m helpers.report``).

Measures, outside Jupyter, everything lesson 07 measures, at a larger size,
and writes into one folder:

- ``summary.md``: the machine and, section by section, what was found;
- ``<section>.csv`` and ``records.json``: every measurement;
- ``<section>*.png``: the figures.

Sections: the headline comparison (serial vs ``Pool.map`` vs
``ProcessPoolExecutor.map``, 1..N workers, every start method), the
crossover, the chunksize sweep, the worker sweep with Amdahl's law, the cost
model's fit, and BLAS threads. Each is a function ``(Context) -> Section``
listed in ``SECTIONS``; to add one, write such a function and append it.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from helpers import bench, costmodel, plots, probe, timing
from helpers.alternatives import (
    MAX_EXACT_N,
    cpu_task_numba_parallel,
    cpu_task_numpy,
    measure,
    run_dask,
    run_joblib,
    run_threads,
    shutdown_joblib,
)
from helpers.bench import Record, rescale
from helpers.cluster import dask_session
from helpers.machine import MachineInfo, machine_info
from helpers.workloads import (
    DEFAULT_SIZE,
    cpu_task,
    cpu_task_expected,
    limit_blas_threads,
    matmul_task,
)


@dataclass
class Context:
    """What every section gets: settings, the machine, progress, shared measurements."""

    args: argparse.Namespace
    info: MachineInfo
    progress: Callable[[str], None]
    cache: dict = field(default_factory=dict)

    def overheads(self) -> costmodel.Overheads:
        if "overheads" not in self.cache:
            self.progress("probing the pool's overheads")
            self.cache["overheads"] = probe.probe(self.info.usable_cpus)
        return self.cache["overheads"]

    def per_unit(self) -> float:
        if "per_unit" not in self.cache:
            self.cache["per_unit"] = probe.seconds_per_unit()
        return self.cache["per_unit"]


@dataclass
class Section:
    """One part of the report: raw rows, figures by file stem, markdown lines."""

    name: str
    rows: list[dict]
    figures: dict = field(default_factory=dict)
    lines: list[str] = field(default_factory=list)


def headline(tasks: int, size: int, repeats: int, methods: list[str],
             max_workers: int, progress) -> list[bench.Record]:
    """Serial once, Pool and executor at 1..max_workers for the first start method,
    then at max_workers only for each other one."""
    records: list[bench.Record] = []
    for i, method in enumerate(methods):
        strategies = ("serial", "pool", "executor") if i == 0 else ("pool", "executor")
        rows = bench.compare(
            cpu_task, [size] * tasks, strategies=strategies,
            workers=list(range(1, max_workers + 1)) if i == 0 else [max_workers],
            start_method=method,
            repeats=repeats, progress=lambda msg, m=method: progress(f"{m}: {msg}"),
        )
        if i > 0:  # speedups against the one serial baseline measured first
            base = records[0].median
            rows = [bench.rescale(r, base) for r in rows]
        records.extend(rows)
    return records


def interleaved_speedup(func, inputs: list, workers: int, repeats: int) -> tuple[float, float]:
    """Serial and warm-pool times, fastest of ``repeats`` runs taken in turn (serial, pool, ...).

    Taking them in turn exposes both to the same background load, and the
    fastest run of each is the least disturbed: a fairer speedup on a busy
    machine than medians measured one strategy after the other.
    """
    import multiprocessing as mp

    from helpers.machine import default_start_method

    serial, pool_time = [], []
    with mp.get_context(default_start_method()).Pool(workers) as pool:
        pool.map(func, inputs[:workers], 1)
        for _ in range(repeats):
            serial.append(timing.timed(timing.serial_map, 1, func, inputs))
            pool_time.append(timing.timed(pool.map, 1, func, inputs))
        pool.close()
        pool.join()
    return min(serial), min(pool_time)


def headline_section(ctx: Context) -> Section:
    a, info = ctx.args, ctx.info
    methods = [info.default_start_method]
    if not a.quick:
        methods += [m for m in info.start_methods if m != info.default_start_method]
    records = headline(a.tasks, a.size, a.repeats, methods, info.usable_cpus, ctx.progress)
    best: dict[tuple, bench.Record] = {}
    for r in records:
        key = (r.strategy, r.start_method)
        if r.strategy != "serial" and (key not in best or r.speedup > best[key].speedup):
            best[key] = r
    lines = [f"Workload: {records[0].tasks} tasks of `cpu_task({a.size})`; warm pools "
             "(start-up not counted); median of the repeats.", "",
             "| strategy | start method | best workers | median (s) | speedup | efficiency |",
             "| --- | --- | --- | --- | --- | --- |",
             f"| serial | - | 1 | {records[0].median:.3f} | 1.00x | - |"]
    for (strategy, method), r in sorted(best.items()):
        lines.append(f"| {strategy} | {method} | {r.workers} | {r.median:.3f} | "
                     f"{r.speedup:.2f}x | {r.efficiency:.2f} |")
    ctx.progress("headline: serial and pool in turn")
    serial, pooled = interleaved_speedup(cpu_task, [a.size] * a.tasks, info.usable_cpus,
                                         a.repeats + 2)
    speedup = serial / pooled
    lines += ["", f"On {info.usable_cpus} usable CPUs the ideal speedup is {info.usable_cpus}x.",
              "", f"Serial and a warm `Pool.map` x{info.usable_cpus} measured in turn, fastest "
              f"of {a.repeats + 2} each: {serial:.3f} s vs {pooled:.3f} s, speedup "
              f"{speedup:.2f}x, efficiency {speedup / info.usable_cpus:.2f}."]
    default = [r for r in records if r.start_method in (None, info.default_start_method)]
    return Section("headline", [r.as_dict() for r in records],
                   {"headline": plots.bar_timings(default),
                    "speedup": plots.speedup_vs_workers(default)}, lines)


def crossover_section(ctx: Context) -> Section:
    top = -2 if ctx.args.quick else -1  # up to 0.01 s (quick) or 0.1 s, in half decades
    durations = [10 ** (e / 2) for e in range(-12, top)]
    points = costmodel.crossover_points(ctx.per_unit(), durations, budget=0.1 / ctx.args.scale)
    samples = probe.sweep(cpu_task, points, ctx.info.usable_cpus, ctx.overheads(),
                              progress=lambda m: ctx.progress(f"crossover, {m}"))
    marks = {s: costmodel.crossover(samples, s) for s in ("pool", "executor")}
    lines = [f"- {s}: beats serial for tasks longer than "
             + ("(never, up to the longest task measured)" if t is None else f"{t * 1e3:.3g} ms")
             for s, t in marks.items()]
    return Section("crossover", [s.as_dict() for s in samples],
                   {"crossover": plots.crossover(samples, marks)}, lines)


def chunks_section(ctx: Context) -> Section:
    size = costmodel.size_for(5e-6, ctx.per_unit())
    tasks = 4000 // ctx.args.scale
    points = [(s, size, tasks, c) for s in ("pool", "executor") for c in (1, 4, 16, 64, 256)]
    samples = probe.sweep(cpu_task, points, ctx.info.usable_cpus, ctx.overheads(),
                              progress=lambda m: ctx.progress(f"chunksize, {m}"))
    lines = []
    for s in ("pool", "executor"):
        rows = [x for x in samples if x.strategy == s]
        best = min(rows, key=lambda x: x.measured)
        one = next(x for x in rows if x.chunksize == 1)
        lines.append(f"- {s}: chunksize 1 took {one.measured:.3f} s, the best "
                     f"(chunksize {best.chunksize}) {best.measured:.3f} s: "
                     f"{one.measured / best.measured:.1f}x faster")
    return Section("chunksize", [s.as_dict() for s in samples],
                   {"chunksize": plots.chunksize_sweep(samples)}, lines)


def workers_section(ctx: Context) -> Section:
    cpus = ctx.info.usable_cpus
    workers = list(range(1, 2 * cpus + 1))
    size = costmodel.size_for(0.02, ctx.per_unit())
    records = bench.compare(cpu_task, [size] * (12 * cpus // ctx.args.scale or 1),
                            strategies=("serial", "pool"), workers=workers,
                            repeats=ctx.args.repeats,
                            progress=lambda m: ctx.progress(f"workers, {m}"))
    pool = [r for r in records if r.strategy == "pool"]
    p = costmodel.fit_amdahl([r.workers for r in pool], [r.speedup for r in pool], cpus)
    at_cpus = next(r for r in pool if r.workers == cpus)
    most = pool[-1]
    lines = [f"- {cpus} workers: {at_cpus.speedup:.2f}x (efficiency {at_cpus.efficiency:.2f}); "
             f"{most.workers} workers: {most.speedup:.2f}x",
             f"- Amdahl's law fits with a parallel fraction of {p:.3f}"]
    return Section("workers", [r.as_dict() for r in records],
                   {"workers": plots.amdahl([r.workers for r in pool],
                                            [r.speedup for r in pool], p, cpus)}, lines)


def model_section(ctx: Context) -> Section:
    per_unit, ov = ctx.per_unit(), ctx.overheads()
    points = []
    for d in (3e-6, 3e-5, 3e-4, 3e-3, 3e-2):
        tasks = max(4, min(2000, round(0.06 / ctx.args.scale / d)))
        for s in ("pool", "executor"):
            for c in (1, 4, 16, 64):
                if s == "executor" and c == 1:
                    t = min(tasks, 400)  # 100+ µs a task: keep the slowest point short
                else:
                    t = tasks
                points.append((s, costmodel.size_for(d, per_unit), t, c))
    samples = probe.sweep(cpu_task, points, ctx.info.usable_cpus, ov,
                              progress=lambda m: ctx.progress(f"cost model, {m}"))
    median, worst = costmodel.fit_error(samples)
    inside = sum(abs(s.error) <= 0.2 for s in samples)
    lines = ["```", ov.summary(), "```", "",
             f"Over {len(samples)} points (5 task durations x 4 chunksizes x 2 APIs) the "
             f"prediction was off by {median:.0%} (median) and {worst:.0%} (worst); "
             f"{inside} of {len(samples)} within ±20%."]
    return Section("costmodel", [s.as_dict() for s in samples],
                   {"costmodel": plots.model_fit(samples)}, lines)


def blas_section(ctx: Context) -> Section:
    import multiprocessing as mp

    from helpers.machine import default_start_method

    cpus, n = ctx.info.usable_cpus, 400
    inputs = [n] * (4 * cpus)
    ctx.progress("BLAS threads: serial")
    serial = timing.timed(timing.serial_map, ctx.args.repeats, matmul_task, inputs)
    rows, times = [{"how": "serial, BLAS threads unlimited", "seconds": serial}], [serial]
    ctx_mp = mp.get_context(default_start_method())
    for label, init in (("unlimited", None), ("1 per worker", limit_blas_threads)):
        ctx.progress(f"BLAS threads: pool, {label}")
        with ctx_mp.Pool(cpus, initializer=init, initargs=(1,) if init else ()) as pool:
            pool.map(matmul_task, [8] * cpus)
            t = timing.timed(pool.map, ctx.args.repeats, matmul_task, inputs, 1)
        rows.append({"how": f"pool x{cpus}, BLAS threads {label}", "seconds": t})
        times.append(t)
    lines = [f"- {r['how']}: {r['seconds']:.3f} s" for r in rows]
    fig = plots.labelled_bars(["serial", "pool\nthreads unlimited", "pool\n1 thread each"],
                              times, f"{len(inputs)} matrix products of {n}x{n}",
                              [f"{times[0] / t:.2f}x" for t in times])
    return Section("blas", rows, {"blas": fig}, lines)


#: The report, in order. Add a section: write ``def mine(ctx) -> Section`` and append it.
# --- lesson 10: the tools beyond a process pool ----------------------------------


def bench_records(serial_median: float, tasks: int, size: int, repeats: int, workers: int,
                  progress: Callable[[str], None] | None = None) -> list[Record]:
    """NumPy, Numba, threads, joblib and Dask on ``tasks`` x ``cpu_task(size)``, warm.

    For ``make bench``: speedups are against ``serial_median``, the pure-Python
    serial time measured by the headline benchmark on the same tasks.
    """
    inputs = [size] * tasks
    expected = [cpu_task_expected(size)] * tasks
    say = progress or (lambda msg: None)
    common = {"expected": expected, "repeats": repeats, "baseline": serial_median}
    records = []
    if size <= MAX_EXACT_N:
        say("numpy")
        records.append(measure("numpy", lambda: [cpu_task_numpy(n) for n in inputs], **common))
        say("numba prange")
        records.append(measure("numba prange", lambda: [cpu_task_numba_parallel(n) for n in inputs],
                               workers=workers, warmup=True, **common))
    say(f"threads x{workers}")
    records.append(measure("threads", lambda: run_threads(cpu_task, inputs, workers),
                           workers=workers, **common))
    say(f"joblib x{workers}")
    try:
        records.append(measure("joblib", lambda: run_joblib(cpu_task, inputs, workers),
                               workers=workers, warmup=True, **common))
    finally:
        shutdown_joblib()
    say(f"dask x{workers}")
    with dask_session(n_workers=workers) as session:
        records.append(measure("dask", lambda: run_dask(session.client, cpu_task, inputs),
                               workers=workers, warmup=True, **common))
    return records


def alternatives_section(ctx: Context) -> Section:
    """``make bench``'s section for lesson 10: serial, then every tool of ``helpers.alternatives``.

    ``ctx`` is a ``Context``; returns a ``Section``.
    """
    a, cpus = ctx.args, ctx.info.usable_cpus
    size = min(a.size // getattr(a, "scale", 1), MAX_EXACT_N)
    inputs = [size] * a.tasks
    expected = [cpu_task_expected(size)] * a.tasks
    ctx.progress("alternatives: serial")
    serial = measure("serial", lambda: [cpu_task(n) for n in inputs], expected,
                     repeats=a.repeats)
    serial = rescale(serial, serial.median)
    records = [serial, *bench_records(serial.median, a.tasks, size, a.repeats, cpus,
                                      lambda msg: ctx.progress(f"alternatives: {msg}"))]
    lines = [f"Workload: {a.tasks} tasks of `cpu_task({size})`; warm workers; "
             "median of the repeats; lesson 10's tools.", "",
             "| strategy | workers | median (s) | speedup |", "| --- | --- | --- | --- |"]
    lines += [f"| {r.strategy} | {r.workers} | {r.median:.4f} | {r.speedup:.2f}x |"
              for r in records]
    return Section("alternatives", [r.as_dict() for r in records],
                   {"alternatives": plots.strategy_overview(records)}, lines)


SECTIONS: list[Callable[[Context], Section]] = [
    headline_section, crossover_section, chunks_section, workers_section, model_section,
    blas_section, alternatives_section,
]


def write(out: Path, section: Section) -> list[str]:
    """Write a section's CSV and figures; return the names of the files written."""
    import pandas as pd

    names = []
    if section.rows:
        pd.DataFrame(section.rows).to_csv(out / f"{section.name}.csv", index=False)
        names.append(f"{section.name}.csv")
    for stem, fig in section.figures.items():
        fig.savefig(out / f"{stem}.png", dpi=120)
        names.append(f"{stem}.png")
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("results"))
    parser.add_argument("--tasks", type=int, default=16)
    parser.add_argument("--size", type=int, default=DEFAULT_SIZE)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true",
                        help="smaller sweeps and the default start method only (for tests)")
    parser.add_argument("--sections", default=",".join(f.__name__.removesuffix("_section")
                                                       for f in SECTIONS))
    args = parser.parse_args(argv)
    args.scale = 8 if args.quick else 1
    wanted = args.sections.split(",")
    chosen = [f for f in SECTIONS if f.__name__.removesuffix("_section") in wanted]

    info = machine_info()
    started = time.perf_counter()

    def progress(msg: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {msg}", flush=True)

    print(info.summary(), flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    ctx = Context(args, info, progress)
    md = ["# Benchmark report", "", "```", info.summary(), "```"]
    raw, files = {}, []
    for i, make in enumerate(chosen, 1):
        progress(f"section {i} of {len(chosen)}: {make.__name__}")
        section = make(ctx)
        raw[section.name] = section.rows
        files += write(args.out, section)
        md += ["", f"## {section.name}", "", *section.lines]
    seconds = time.perf_counter() - started
    md += ["", f"The report took {seconds:.0f} s."]
    (args.out / "records.json").write_text(json.dumps(
        {"machine": info.as_dict(), "sections": raw}, indent=1, default=str))
    text = "\n".join(md) + "\n"
    (args.out / "summary.md").write_text(text)
    print(text)
    print(f"Wrote {args.out}/: summary.md, records.json, {', '.join(files)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
