"""A live panel for class: move a slider, the pool runs again and the timeline redraws.

Sliders set the duration of one task, the number of tasks, the workers and
the chunksize; menus pick the API and the start method. Before each run the
cost model (``helpers.costmodel``) estimates how long the run will take; if
that exceeds the cap (3 s by default) the number of tasks is scaled down,
and the panel says so, so that a teacher never waits on a frozen slider.

Serial and the pool run in interleaved rounds (serial, pool, serial, pool),
and the fastest of each is shown, as ``helpers.bench`` does: a burst of load
from another program then lands on both, not on one.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from dataclasses import dataclass, replace

import ipywidgets as w

from helpers import costmodel, plotstyle, probe, timeline  # noqa: F401 (plotstyle: PNG display)
from helpers.args import check_int, check_number
from helpers.workloads import cpu_task

HOW = {"Pool.map": ("map", "pool"), "Pool.imap_unordered": ("imap_unordered", "pool"),
       "ProcessPoolExecutor.map": ("executor", "executor")}


@dataclass(frozen=True)
class Settings:
    """What the sliders say."""

    task_seconds: float = 0.005
    tasks: int = 40
    workers: int = 2
    chunksize: int = 1
    how: str = "Pool.map"
    start_method: str = "fork"


#: Interleaved rounds of serial and pool per update.
ROUNDS = 2


def estimate(ov: costmodel.Overheads, s: Settings) -> float:
    """Seconds one update costs: ``ROUNDS`` serial runs and cold pools with their map."""
    strategy = HOW[s.how][1]
    serial = s.task_seconds * s.tasks
    parallel = costmodel.predict_time(ov, s.task_seconds, strategy, s.workers, s.chunksize,
                                      s.tasks, include_startup=True)
    return ROUNDS * (serial + parallel)


def plan(ov: costmodel.Overheads, s: Settings, cap: float) -> tuple[Settings | None, str]:
    """The settings to run within ``cap`` seconds, and a message; None if nothing fits.

    Scales the number of tasks down (halving) until the estimate fits.
    """
    check_number("cap", cap, positive=True, unit="seconds")
    wanted = estimate(ov, s)
    if wanted <= cap:
        return s, f"estimated {wanted:.2f} s"
    fitted = s
    while fitted.tasks > 1 and estimate(ov, fitted) > cap:
        fitted = replace(fitted, tasks=fitted.tasks // 2)
    if estimate(ov, fitted) > cap:
        return None, (f"estimated {wanted:.1f} s, over the {cap:g} s cap even with one task: "
                      "choose shorter tasks")
    return fitted, (f"estimated {wanted:.1f} s, over the {cap:g} s cap: "
                    f"running {fitted.tasks} tasks instead of {s.tasks}")


def run(s: Settings, per_unit: float, progress=None,
        rounds: int = ROUNDS) -> tuple[float, timeline.Timeline]:
    """Run the settings in interleaved rounds: the fastest serial time, and the
    timeline of the fastest pool run (start-up not counted)."""
    check_int("rounds", rounds, minimum=1)
    size = costmodel.size_for(s.task_seconds, per_unit)
    inputs = [size] * s.tasks
    how = HOW[s.how][0]
    serial, best = float("inf"), None
    for _ in range(rounds):
        start = time.perf_counter()
        expected = [cpu_task(x) for x in inputs]
        serial = min(serial, time.perf_counter() - start)
        if progress:
            progress()
        results, tl = timeline.record(cpu_task, inputs, s.workers, s.chunksize, how,
                                      s.start_method)
        if results != expected:
            raise AssertionError("the pool returned different results than the serial run")
        if best is None or tl.seconds < best.seconds:
            best = tl
    return serial, best


class Explorer:
    """The panel. ``Explorer(...).panel`` is the widget to show."""

    def __init__(self, overheads: costmodel.Overheads | None = None, cap: float = 3.0,
                 settings: Settings | None = None, run_now: bool = True):
        self.cap = cap
        self._overheads = {overheads.start_method: overheads} if overheads else {}
        self.per_unit = probe.seconds_per_unit()
        s = settings or Settings(start_method=(overheads.start_method if overheads
                                               else mp.get_all_start_methods()[0]))
        self.size = w.FloatLogSlider(value=s.task_seconds, base=10, min=-6, max=-1, step=0.25,
                                     description="task (s)", continuous_update=False)
        self.tasks = w.IntSlider(value=s.tasks, min=1, max=400, description="tasks",
                                 continuous_update=False)
        self.workers = w.IntSlider(value=s.workers, min=1, max=8, description="workers",
                                   continuous_update=False)
        self.chunksize = w.IntSlider(value=s.chunksize, min=1, max=64, description="chunksize",
                                     continuous_update=False)
        self.how = w.Dropdown(options=list(HOW), value=s.how, description="API")
        self.method = w.Dropdown(options=mp.get_all_start_methods(), value=s.start_method,
                                 description="start")
        self.bar = w.IntProgress(value=0, min=0, max=3, description="measuring")
        self.message = w.HTML()
        self.out = w.Output()
        controls = [self.size, self.tasks, self.workers, self.chunksize, self.how, self.method]
        for c in controls:
            c.observe(self.update, names="value")
        self.panel = w.VBox([w.HBox([w.VBox(controls[:3]), w.VBox(controls[3:])]),
                             w.HBox([self.bar, self.message]), self.out])
        if run_now:
            self.update()

    def settings(self) -> Settings:
        return Settings(self.size.value, self.tasks.value, self.workers.value,
                        self.chunksize.value, self.how.value, self.method.value)

    def overheads(self, method: str) -> costmodel.Overheads:
        if method not in self._overheads:
            self._overheads[method] = probe.probe(start_method=method, repeats=2)
        return self._overheads[method]

    def update(self, change=None) -> str:
        """Estimate, scale down if needed, measure, redraw; return the message shown."""
        self.bar.value = 0
        s = self.settings()
        ov = self.overheads(s.start_method)
        fitted, note = plan(ov, s, self.cap)
        self.bar.value = 1
        if fitted is None:
            self.message.value = f"<b>Not run:</b> {note}"
            return self.message.value
        serial, tl = run(fitted, self.per_unit, progress=lambda: setattr(self.bar, "value", 2))
        predicted = costmodel.predict_time(ov, fitted.task_seconds, HOW[fitted.how][1],
                                           fitted.workers, fitted.chunksize, fitted.tasks)
        self.bar.value = 3
        self.message.value = (f"{note}. serial {serial:.3f} s, {fitted.how} {tl.seconds:.3f} s "
                              f"(model: {predicted:.3f} s), speedup {serial / tl.seconds:.2f}x")
        self.out.clear_output(wait=True)
        with self.out:
            from IPython.display import display

            display(timeline.gantt(tl, labels=fitted.tasks <= 60))
        return self.message.value
