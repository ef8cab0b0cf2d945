"""The benchmark report for this machine: ``make bench`` (``python -m helpers.report``).

Measures, outside Jupyter, everything lesson 07 measures, at a larger size,
and writes into one folder:

- ``summary.md``: the machine and, section by section, what was found;
- ``<section>.csv`` and ``records.json``: every measurement;
- ``<section>*.png``: the figures.

Sections: the headline comparison (serial vs ``Pool.map`` vs
``ProcessPoolExecutor.map``, 1..N workers, every start method), the
crossover, the chunksize sweep, the worker sweep, the cost model's accuracy
(every point of lesson 07's grid, as the machine is and with another program
keeping one CPU busy), ``helpers.advise`` on four jobs nothing else uses,
BLAS threads, and lesson 10's tools. Lesson 07's experiments come from
``helpers.experiments``, the same code the lesson runs. Every comparison is
measured in interleaved rounds, and the accuracy is judged on speedups
against serial from the same rounds, each with a one-line verdict against
its target. Each is a function ``(Context) -> Section``
listed in ``SECTIONS``; to add one, write such a function and append it.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from helpers import (
    advisor,
    bench,
    costmodel,
    experiments,
    jobs,
    plots,
    probe,
    timing,
    verdict,
)
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
    """Serial, Pool and executor in interleaved rounds: 1..max_workers for the first
    start method, then max_workers only for each other one (with serial again in
    its rounds, so that every speedup divides by serial from the same rounds)."""
    records: list[bench.Record] = []
    for i, method in enumerate(methods):
        strategies = ("serial", "pool", "executor")
        rows = bench.compare(
            cpu_task, [size] * tasks, strategies=strategies,
            workers=list(range(1, max_workers + 1)) if i == 0 else [max_workers],
            start_method=method,
            repeats=repeats, progress=lambda msg, m=method: progress(f"{m}: {msg}"),
        )
        records.extend(rows if i == 0 else rows[1:])  # each method against its own rounds
    return records


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
             "(start-up not counted); interleaved rounds (serial, pool, executor, ...); "
             "fastest round, and the speedup against serial in the same rounds.", "",
             "| strategy | start method | best workers | fastest (s) | speedup | efficiency |",
             "| --- | --- | --- | --- | --- | --- |",
             f"| serial | - | 1 | {records[0].best:.3f} | 1.00x | - |"]
    for (strategy, method), r in sorted(best.items()):
        lines.append(f"| {strategy} | {method} | {r.workers} | {r.best:.3f} | "
                     f"{r.speedup:.2f}x | {r.efficiency:.2f} |")
    top = max(best.values(), key=lambda r: r.speedup)
    lines += ["", verdict.speedup(1.0, 1.0 / top.speedup, workers=top.workers,
                                  usable_cpus=info.usable_cpus, tasks=top.tasks,
                                  label=f"{top.strategy} ({top.start_method})")]
    default = [r for r in records if r.start_method in (None, info.default_start_method)]
    return Section("headline", [r.as_dict() for r in records],
                   {"headline": plots.bar_timings(default),
                    "speedup": plots.speedup_vs_workers(default)}, lines)


def crossover_section(ctx: Context) -> Section:
    top = -2 if ctx.args.quick else -1  # up to 0.01 s (quick) or 0.1 s, in half decades
    durations = [10 ** (e / 2) for e in range(-12, top)]
    cpus, ov = ctx.info.usable_cpus, ctx.overheads()
    samples = experiments.crossover(ctx.per_unit(), ov, cpus, durations,
                                    budget=0.1 / ctx.args.scale, most=2000, least=4,
                                    repeats=ctx.args.repeats,
                                    progress=lambda m: ctx.progress(f"crossover, {m}"))
    lines = [f"- {experiments.crossover_verdict(samples, s, ov, cpus, 2000)}"
             for s in ("pool", "executor")]
    return Section("crossover", [s.as_dict() for s in samples],
                   {"crossover": experiments.speedup_plot(samples, cpus=cpus)}, lines)


def chunks_section(ctx: Context) -> Section:
    samples = experiments.chunk_sweep(ctx.per_unit(), ctx.overheads(), ctx.info.usable_cpus,
                                      tasks=4000 // ctx.args.scale, repeats=ctx.args.repeats,
                                      progress=lambda m: ctx.progress(f"chunksize, {m}"))
    lines = []
    for s in ("pool", "executor"):
        rows = [x for x in samples if x.strategy == s]
        best = max(rows, key=lambda x: x.measured_speedup)
        one = next(x for x in rows if x.chunksize == 1)
        lines.append(f"- {s}: chunksize 1 ran at {one.measured_speedup:.2f}x serial, the "
                     f"best (chunksize {best.chunksize}) at {best.measured_speedup:.2f}x")
    return Section("chunksize", [s.as_dict() for s in samples],
                   {"chunksize": plots.chunksize_sweep(samples)}, lines)


def workers_section(ctx: Context) -> Section:
    cpus = ctx.info.usable_cpus
    records = experiments.worker_sweep(ctx.per_unit(), range(1, 2 * cpus + 1), 0.02,
                                       max(2, 12 * cpus // ctx.args.scale),
                                       repeats=ctx.args.repeats,
                                       progress=lambda m: ctx.progress(f"workers, {m}"))
    lines = [f"- {line}" for line in experiments.worker_verdict(records, cpus,
                                                                 ctx.overheads().cpus)]
    return Section("workers", [r.as_dict() for r in records],
                   {"workers": experiments.worker_plot(records, cpus)}, lines)


def _grid(ctx: Context, label: str) -> list:
    return experiments.model_grid(ctx.per_unit(), ctx.overheads(), ctx.info.usable_cpus,
                                  repeats=ctx.args.repeats,
                                  progress=lambda m: ctx.progress(f"{label}, {m}"))


def _table(rows: list[tuple[str, float, float]]) -> list[str]:
    out = ["| point | predicted | measured | error |", "| --- | --- | --- | --- |"]
    out += [f"| {name} | {p:.2f}x | {m:.2f}x | {p / m - 1:+.0%} |" for name, p, m in rows]
    return out


def _point(s) -> str:
    return (f"{s.strategy}, {s.tasks} x {s.task_seconds * 1e3:.3g} ms, "
            f"chunksize {s.chunksize}, CPU share {s.cpus:.2f}")


def _judge(acc: experiments.Accuracy, target: float, what: str, valid: str = "") -> str:
    met = "met" if acc.share >= target else "NOT met"
    if valid:
        met = f"not judged ({valid})"
    return f"- **{what}**: {acc.summary()}; target ≥{target:.0%}: {met}."


@contextlib.contextmanager
def one_cpu_busy(seconds: float = 120.0):
    """Another program keeping one CPU busy, for as long as the ``with`` block lasts."""
    import multiprocessing as mp

    proc = mp.get_context("spawn").Process(target=jobs.spin, args=(seconds,), daemon=True)
    proc.start()
    try:
        time.sleep(0.3)  # let it start spinning
        yield proc
    finally:
        proc.terminate()
        proc.join()


def model_section(ctx: Context) -> Section:
    """The cost model on lesson 07's grid, idle and with one CPU kept busy: every point."""
    ov, cpus = ctx.overheads(), ctx.info.usable_cpus
    idle = _grid(ctx, "cost model, as the machine is")
    with one_cpu_busy():
        busy = _grid(ctx, "cost model, one CPU kept busy")
    acc_idle = experiments.accuracy([s.error for s in idle])
    acc_busy = experiments.accuracy([s.error for s in busy])
    share = statistics.median(s.cpus for s in idle)
    idle_note = "" if share >= 0.9 * cpus else (
        f"the workers got {share:.2f} of {cpus} CPUs: the machine was not idle")
    lines = ["```", ov.summary(), "```", "",
             "Speedups predicted against measured, serial measured in the same rounds "
             "(and the CPU share the workers got):", "",
             "### As the machine is", "", *_table([(_point(s), s.predicted_speedup,
                                                     s.measured_speedup) for s in idle]),
             "", "### With another program keeping one CPU busy", "",
             *_table([(_point(s), s.predicted_speedup, s.measured_speedup) for s in busy]),
             "", "### Verdicts", "",
             _judge(acc_idle, 0.9, "lesson 07's grid, idle machine", idle_note),
             _judge(acc_busy, 0.75, "lesson 07's grid, one CPU kept busy")]
    rows = [{**s.as_dict(), "run": "as is"} for s in idle]
    rows += [{**s.as_dict(), "run": "one CPU busy"} for s in busy]
    return Section("costmodel", rows, {"costmodel": plots.model_fit(idle)}, lines)


def _job_inputs(make):
    """The inputs a job's builder makes; a context manager (files) stays open meanwhile."""
    made = make()
    if hasattr(made, "__enter__"):
        return made
    return contextlib.nullcontext(made)


def _job_rounds(func, inputs, advice, option, repeats: int) -> tuple[float, float]:
    """Predicted and measured speedup of one option, from interleaved rounds.

    Each round measures the CPU share the workers get, then serial (and how
    long it waited for a CPU), then the option with its start-up; the round's
    prediction uses that round's serial time, share and slowdown, as
    ``probe.sweep`` does for the grid. Returns the medians over the rounds.
    """
    import multiprocessing as mp

    from helpers.plumbing import make_pool, run_map, start_workers

    ctx = mp.get_context(advice.overheads.start_method)
    sampled = advice.sample.durations()
    predicted, measured = [], []
    with make_pool("pool", option.workers, ctx) as probe_pool:
        start_workers("pool", probe_pool, option.workers)
        for _ in range(repeats):
            share = probe.cpu_share("pool", probe_pool, option.workers, repeats=3)
            waited = probe.run_queue_wait()
            serial = timing.timed(timing.serial_map, 1, func, inputs)
            waited = probe.run_queue_wait() - waited
            started = time.perf_counter()
            with make_pool(option.strategy, option.workers, ctx) as pool:
                run_map(option.strategy, pool, func, inputs, option.chunksize)
            parallel = time.perf_counter() - started
            factor = serial / max(serial - waited, 0.2 * serial)
            scale = serial / sum(sampled)
            guess = costmodel.predict_time(
                costmodel.slowed(advice.overheads, factor, share), [d * scale for d in sampled],
                option.strategy, option.workers, option.chunksize, traffic=advice.traffic,
                cpu_fraction=advice.sample.cpu_fraction, gil_free=advice.gil_free,
                include_startup=True)
            predicted.append(serial / guess)
            measured.append(serial / parallel)
    return statistics.median(predicted), statistics.median(measured)


def jobs_section(ctx: Context) -> Section:
    """``advise`` on four jobs nothing else uses: each strategy's best option, predicted
    against measured in interleaved rounds (serial, the option with its start-up), with
    the CPU share and the parent's slowdown measured in the same rounds."""
    lines, rows, verdicts = [], [], []
    for name, (func, make) in jobs.JOBS.items():
        ctx.progress(f"jobs: {name}")
        with _job_inputs(make) as inputs:
            advice = advisor.advise(func, inputs, budget=4.0)
            points = []
            for strategy in ("threads", "pool", "executor"):
                o = advice.best(strategy)
                predicted, measured = _job_rounds(func, inputs, advice, o, ctx.args.repeats)
                points.append((o.label(), predicted, measured))
                rows.append({"job": name, "option": o.label(), "predicted": predicted,
                             "measured": measured, "error": predicted / measured - 1,
                             "advice": advice.choice.label()})
        acc = experiments.accuracy([p / m - 1 for _, p, m in points])
        lines += [f"### {name}", "", f"Advice: {advice.choice.label()}. {advice.reason}", "",
                  *_table(points), ""]
        verdicts.append(_judge(acc, 1.0, name))
    return Section("jobs", rows, {}, [*lines, "### Verdicts", "", *verdicts])


def blas_section(ctx: Context) -> Section:
    cpus = ctx.info.usable_cpus
    ctx.progress("BLAS threads: serial and both pools in turn")
    r = experiments.blas(cpus, repeats=ctx.args.repeats)
    rows = [{"how": "serial, BLAS threads unlimited", "seconds": r.serial},
            {"how": f"pool x{cpus}, BLAS threads unlimited", "seconds": r.unlimited},
            {"how": f"pool x{cpus}, 1 BLAS thread per worker", "seconds": r.limited}]
    lines = [f"- {x['how']}: {x['seconds']:.3f} s" for x in rows]
    lines += [f"- {line}" for line in experiments.blas_verdicts(r, cpus)]
    times = [x["seconds"] for x in rows]
    fig = plots.labelled_bars(["serial", "pool\nthreads unlimited", "pool\n1 thread each"],
                              times, f"{r.tasks} matrix products of {r.n}x{r.n}",
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


def realjobs_section(ctx: Context) -> Section:
    """``make bench``'s section for lesson 11: each real job's serial time, its best
    parallel way and the speedup, from interleaved rounds (``realjob.bench_jobs``)."""
    from helpers import realjob
    from helpers.verdict import speedup

    def said(r: dict) -> str:
        return speedup(r["serial_s"], r["parallel_s"], workers=r["workers"],
                       usable_cpus=ctx.info.usable_cpus, label=r["best"])

    ctx.progress("real jobs: log files, Monte Carlo, big table")
    rows = realjob.bench_jobs(ctx.args.repeats)
    lines = ["Lesson 11's three jobs end to end; jobs 1 and 2 with warm workers, job 3 "
             "with start-up (providing the table is start-up work); fastest of "
             "interleaved rounds.", "",
             "| job | serial (s) | best parallel | time (s) | speedup | verdict |",
             "| --- | --- | --- | --- | --- | --- |"]
    lines += [f"| {r['job']} | {r['serial_s']:.3f} | {r['best']} x{r['workers']} | "
              f"{r['parallel_s']:.3f} | {r['speedup']:.2f}x | "
              f"{said(r)} |" for r in rows]
    return Section("realjobs", rows, {}, lines)


SECTIONS: list[Callable[[Context], Section]] = [
    headline_section, crossover_section, chunks_section, workers_section, model_section,
    jobs_section, blas_section, alternatives_section, realjobs_section,
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
    parser.add_argument("--tasks", type=int, default=8)
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
