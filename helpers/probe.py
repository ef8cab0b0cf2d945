"""Measure what a pool costs on this machine, and a function's own task time.

``probe`` measures the overheads that ``helpers.costmodel`` turns into a
prediction, each from a short run where it dominates, including the
throughput of pickling plus the pipe at a few message sizes (1 KiB to
64 MiB, within a time bound) and what a thread pool costs per task.
``cpu_share`` measures how much CPU the workers really get *now*.

For a learner's function: ``sample_tasks`` times at least three tasks taken
across the whole input list (and says when they are uneven),
``measure_traffic`` pickles a real chunk of the inputs and the results, and
``gil_free_share`` runs the sample on two threads to see how much of a task
releases the GIL. ``helpers.advisor`` puts them together.

``sweep`` measures and predicts a list of points in interleaved rounds
(serial, then the pool, then again), with the CPU share measured in the
same rounds, so that a lesson can show where the model holds. Everything
here starts processes or threads and takes time; the arithmetic lives in
``helpers.costmodel``.
"""

from __future__ import annotations

import multiprocessing as mp
import pickle
import statistics
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from helpers.args import check_choice, check_int, check_number
from helpers.costmodel import (
    Overheads,
    Prediction,
    Sample,
    Traffic,
    predict_time,
    resolve_chunksize,
    slowed,
)
from helpers.machine import default_start_method, machine_info
from helpers.plumbing import check_sendable, make_pool, run_map, start_workers
from helpers.timing import serial_map, timed, timed_result
from helpers.workloads import cpu_task, whoami

_BLOB = 1 << 20  # 1 MiB: big enough that the pipe, not the call, dominates
#: Message sizes whose throughput ``probe`` measures, smallest first.
MESSAGE_SIZES = (1 << 10, 1 << 15, 1 << 20, 1 << 23, 1 << 26)


def nothing(x: object) -> object:
    """Return ``x``: a task that costs only its dispatch. Runs in a worker process."""
    return x


def blob_size(blob: bytes) -> int:
    """Return ``len(blob)``: the argument travels, the result is tiny. Runs in a worker process."""
    return len(blob)


def probe(workers: int | None = None, start_method: str | None = None,
          strategies: Sequence[str] = ("pool", "executor"), repeats: int = 3,
          bandwidth_budget: float = 0.8) -> Overheads:
    """Measure the overheads of ``strategies`` on this machine (about a second or two).

    Each number comes from a run where it dominates: a tiny map (latency), many
    one-task chunks of a task that does nothing (per chunk), one chunk of many
    such tasks (per task), arguments of 1 KiB to 64 MiB (throughput by message
    size: larger sizes are skipped once ``bandwidth_budget`` seconds are spent),
    a thread pool's map of tiny tasks (per task), a cold pool (start-up), and
    the CPU share the workers get.
    """
    info = machine_info()
    workers = workers or info.usable_cpus
    method = start_method or default_start_method()
    ctx = mp.get_context(method)
    per_chunk, per_item, startup, latency = {}, {}, {}, {}
    many, tiny = 200, list(range(4000))
    nothing_serial = timed(serial_map, repeats, nothing, tiny) / len(tiny)
    curve: list[tuple[float, float]] = []
    cpus = float(min(workers, info.usable_cpus))
    for s in strategies:
        startup[s] = timed(_cold, 2, s, workers, ctx)
        with make_pool(s, workers, ctx) as pool:
            start_workers(s, pool, workers)  # every worker up
            lat = timed(run_map, repeats * 3, s, pool, nothing, [0], 1)
            latency[s] = lat  # the executor's extra threads make its round trip longer
            t = timed(run_map, repeats, s, pool, nothing, list(range(many)), 1)
            one = max((t - lat) / many, 0.0)
            t = timed(run_map, repeats, s, pool, nothing, tiny, len(tiny))
            per_item[s] = max((t - lat - one) / len(tiny) - nothing_serial, 0.0)
            per_chunk[s] = max(one - per_item[s], 1e-7)
            if s == strategies[0]:
                curve = _bandwidth_curve(s, pool, lat, one, bandwidth_budget)
                cpus = cpu_share(s, pool, workers, lat, repeats)
    with ThreadPoolExecutor(workers) as threads:
        list(threads.map(nothing, range(workers * 4)))
        t = timed(run_map, repeats, "threads", threads, nothing, tiny, None)
        per_chunk["threads"] = max(t / len(tiny) - nothing_serial, 1e-7)
    rate = dict(curve).get(_BLOB) or (curve[-1][1] if curve else 1e9)
    return Overheads(method, cpus, latency, per_chunk, per_item, startup, rate, tuple(curve))


def _bandwidth_curve(strategy: str, pool, latency: float, per_chunk: float,
                     budget: float) -> list[tuple[float, float]]:
    """(size, bytes per second) for each message size measured within ``budget`` seconds.

    A size whose bytes cost less than the noise of the per-chunk cost (small
    messages, often) is left out: below the smallest size kept, its rate holds.
    """
    curve, spent, rate = [], 0.0, 2e8
    for size in MESSAGE_SIZES:
        count = max(1, min(8, (4 << 20) // size))  # a few MiB per size, at least one message
        if spent + 2 * count * size / rate > budget:
            break  # larger messages would cross the bound: the largest measured rate holds
        blobs = [bytes(size)] * count
        started = time.perf_counter()
        t = timed(run_map, 2, strategy, pool, blob_size, blobs, 1)
        spent += time.perf_counter() - started
        moving = t - latency - count * per_chunk
        if moving > 0:
            rate = count * size / moving
            curve.append((float(size), rate))
    return curve


def cpu_share(strategy: str, pool, workers: int, latency: float = 0.0,
              repeats: int = 2) -> float:
    """How many CPUs' worth of compute the workers of a started ``pool`` get now.

    The same tasks of a few ms (so that dispatch hardly counts) run serially
    and on the pool, in turn, ``repeats`` times; the share is the median of
    serial time over pool time (about 25 ms in all). On an idle machine it is
    about min(workers, usable CPUs); when other programs are busy it is less,
    and a prediction made with it knows. Serial and the pool are timed alike,
    so a slow moment for both cancels out. Call it in the same rounds as the
    runs it predicts.
    """
    n = 40_000
    tasks = [n] * (2 * workers)
    ratios = []
    for _ in range(repeats):
        serial = timed(serial_map, 1, cpu_task, tasks)
        parallel = timed(run_map, 1, strategy, pool, cpu_task, tasks, 1) - latency
        ratios.append(serial / max(parallel, 1e-9))
    usable = machine_info().usable_cpus
    return min(float(min(workers, usable)), max(0.25, statistics.median(ratios)))


def _cold(strategy: str, workers: int, ctx) -> None:
    with make_pool(strategy, workers, ctx) as pool:
        run_map(strategy, pool, whoami, list(range(workers)), 1)
        if strategy == "pool":
            pool.close()
            pool.join()


def time_per_task(func: Callable, inputs: Sequence, budget: float = 0.3,
                  timer=time.perf_counter) -> tuple[float, int]:
    """Serial seconds per task over inputs spread through ``inputs``, and how many ran.

    Runs inputs taken evenly from the list until ``budget`` seconds are spent,
    so a slow function is sampled only a few times.
    """
    if not inputs:
        raise ValueError("inputs is empty: give at least one task")
    order = _spread(len(inputs))
    spent, count = 0.0, 0
    while count < len(order) and spent < budget:
        start = timer()
        func(inputs[order[count]])
        spent += timer() - start
        count += 1
    return spent / count, count


@dataclass(frozen=True)
class TaskSample:
    """Task times measured on a sample of the inputs, in input order."""

    indices: tuple[int, ...]        # which inputs were timed
    seconds: tuple[float, ...]      # serial seconds of each
    cpu_fraction: float             # CPU time / wall time over the sample (0..1)
    results: tuple                  # what each returned
    tasks: int                      # how many inputs there are in all
    capped: bool = False            # the budget stopped it before the least wanted

    @property
    def mean(self) -> float:
        return statistics.fmean(self.seconds)

    @property
    def spread(self) -> float:
        """Slowest minus fastest sampled task, in seconds."""
        return max(self.seconds) - min(self.seconds)

    @property
    def uneven(self) -> bool:
        """The slowest sampled task took more than twice the fastest."""
        return max(self.seconds) > 2 * min(self.seconds) + 1e-6

    def durations(self) -> list[float]:
        """A time for every task: each input gets the time of the nearest sampled one."""
        pairs = sorted(zip(self.indices, self.seconds, strict=True))
        out, j = [], 0
        for i in range(self.tasks):
            while j + 1 < len(pairs) and abs(pairs[j + 1][0] - i) <= abs(pairs[j][0] - i):
                j += 1
            out.append(pairs[j][1])
        return out

    def summary(self) -> str:
        text = (f"{len(self.seconds)} of {self.tasks} tasks timed: mean "
                f"{_ms(self.mean)}, fastest {_ms(min(self.seconds))}, slowest "
                f"{_ms(max(self.seconds))}")
        if self.uneven:
            text += " (uneven tasks)"
        return text


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.3g} ms"


def run_queue_wait() -> float:
    """Seconds this thread has waited for a CPU so far (Linux ``schedstat``), else 0.

    Wall time minus CPU time mixes two kinds of waiting: for a network or a
    disk, and for a CPU that other programs hold. Only Linux tells them apart.
    """
    try:
        with open("/proc/thread-self/schedstat") as f:
            return int(f.read().split()[1]) / 1e9
    except (OSError, ValueError, IndexError):
        return 0.0


def sample_tasks(func: Callable, inputs: Sequence, budget: float = 0.5, least: int = 3,
                 most: int = 64, timer=time.perf_counter) -> TaskSample:
    """Time ``func`` serially on inputs taken across the whole list (0, n/2, n/4, 3n/4, ...).

    At least ``least`` tasks when the budget allows, then more until ``budget``
    seconds are spent or ``most`` were timed: short tasks get many samples,
    long ones few. A task shorter than 2 ms is timed again in batches that
    last at least 0.2 ms, and one shorter than 20 ms once more; the fastest
    counts, so that neither the clock's resolution nor one interruption
    decides it. If the first tasks
    alone would cross ``budget``, sampling stops early and ``capped`` says so.
    ``cpu_fraction`` is CPU time over the time not spent waiting for a CPU.

    Raises:
        ValueError: ``inputs`` is empty, or ``budget`` is not positive.
    """
    check_number("budget", budget, positive=True, unit="seconds")
    check_int("least", least, minimum=1)
    if not inputs:
        raise ValueError("inputs is empty: give at least one task")
    order = _spread(len(inputs))
    indices, seconds, results = [], [], []
    spent = cpu = waited = 0.0
    capped = False
    for i in order[:most]:
        if len(indices) >= least and spent >= budget:
            break
        if indices and spent + statistics.fmean(seconds) > budget:
            capped = len(indices) < least
            break
        cpu_start, queue_start, start = time.process_time(), run_queue_wait(), timer()
        result = func(inputs[i])
        took = timer() - start
        wall = took
        if 2e-3 <= took < 2e-2 and spent + 2 * took < budget:
            start = timer()  # once more: one interruption should not decide it
            func(inputs[i])
            again = timer() - start
            wall += again
            took = min(took, again)
        elif took < 2e-3:
            calls = max(1, min(10_000, int(2e-4 / max(took, 1e-8)) + 1))
            for _ in range(3):
                start = timer()
                for _ in range(calls):
                    func(inputs[i])
                batch = timer() - start
                wall += batch
                took = min(took, batch / calls)
        spent += wall
        cpu += time.process_time() - cpu_start
        waited += run_queue_wait() - queue_start
        indices.append(i)
        seconds.append(max(took, 1e-9))
        results.append(result)
    running = spent - waited
    fraction = min(1.0, max(0.0, cpu / running)) if running > 1e-3 else 1.0
    return TaskSample(tuple(indices), tuple(seconds), fraction, tuple(results), len(inputs),
                      capped)


def measure_traffic(inputs: Sequence, results: Sequence, chunk: int = 16) -> Traffic:
    """Pickled bytes of a real chunk of ``inputs`` and of the ``results``, and their codec time.

    Pickles one argument alone and ``chunk`` consecutive arguments together, as
    a pool sends them: an object that every task refers to is written once per
    message, so the difference tells what each task adds and what the chunk
    shares. Pickling and unpickling are timed the same way (fastest of two).
    The results are counted as one list.

    Raises:
        ValueError: ``inputs`` is empty.
        TypeError: an argument cannot be pickled (the message names which).
    """
    if not inputs:
        raise ValueError("inputs is empty: give at least one task")
    k = max(1, min(chunk, len(inputs)))
    one, one_dump, one_load = _codec(tuple(inputs[:1]))
    many, many_dump, many_load = _codec(tuple(inputs[:k]))
    shared, per_task = _split(one, many, k)
    pickle_shared, pickle_per_task = _split(one_dump, many_dump, k)
    unpickle_shared, unpickle_per_task = _split(one_load, many_load, k)
    result_per_task = codec = 0.0
    if results:
        nbytes, dump, load = _codec(list(results))
        result_per_task, codec = nbytes / len(results), (dump + load) / len(results)
    return Traffic(shared, per_task, result_per_task, pickle_shared, pickle_per_task,
                   unpickle_shared, unpickle_per_task, codec)


def _codec(obj: object) -> tuple[int, float, float]:
    """Pickled size of ``obj``, and the fastest of two pickling and unpickling times."""
    dump = load = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        data = pickle.dumps(obj)
        middle = time.perf_counter()
        pickle.loads(data)
        dump, load = min(dump, middle - start), min(load, time.perf_counter() - middle)
    return len(data), dump, load


def _split(one: float, many: float, k: int) -> tuple[float, float]:
    """(shared, per task) from the cost of one item and of ``k`` items together."""
    if k == 1:
        return 0.0, float(one)
    per_task = max(0.0, (many - one) / (k - 1))
    return max(0.0, one - per_task), per_task


def gil_free_share(func: Callable, sample: TaskSample, inputs: Sequence,
                   budget: float = 0.5) -> float | None:
    """The share of a task (0..1) that runs while another thread holds the GIL.

    Takes sampled inputs, each twice, and runs them serially and on two
    threads, in turn, twice (the fastest of each counts). Were the whole task
    to hold the GIL, the threads take as long as serial; were none of it to,
    half as long (on 2 CPUs, or when the task waits). In between, Amdahl's
    law gives the share. None when it cannot tell: not even one input fits in
    ``budget``, or tasks are so short (under 0.1 ms) that the thread pool's
    own cost per task would decide.
    """
    if max(sample.seconds) < 1e-4:
        return None  # a thread pool's own cost per task (~10 µs) would hide the answer
    picked, total = [], 0.0
    for i, t in sorted(zip(sample.indices, sample.seconds, strict=True), key=lambda p: p[1]):
        cost = 8 * t + 1e-4  # 2 rounds x (serial twice + threads, about twice at worst)
        if total + cost > budget:
            break
        picked.append(i)
        total += cost
    if not picked:
        return None
    twice = [inputs[i] for i in picked for _ in range(2)]
    serial = both = float("inf")
    with ThreadPoolExecutor(2) as threads:
        list(threads.map(func, twice[:2]))  # both threads up
        for _ in range(2):
            start = time.perf_counter()
            serial_map(func, twice)
            serial = min(serial, time.perf_counter() - start)
            start = time.perf_counter()
            list(threads.map(func, twice))
            both = min(both, time.perf_counter() - start)
    # both = held + released / 2, with held + released = serial
    return min(1.0, max(0.0, 2 * (1 - both / serial)))


def _spread(n: int) -> list[int]:
    """Indices 0..n-1 in an order that covers the whole range early (0, n/2, n/4, ...)."""
    seen, order, step = set(), [], n
    while step >= 1:
        for i in range(0, n, step):
            if i not in seen:
                seen.add(i)
                order.append(i)
        step //= 2
    return order


_PROBED: dict[tuple[str, int], Overheads] = {}


def overheads_for(method: str, workers: int) -> Overheads:
    """``probe(workers, method)``, measured once per start method and pool size, then kept."""
    key = (method, workers)
    if key not in _PROBED:
        _PROBED[key] = probe(workers, method)
    return _PROBED[key]


def predict(func: Callable, inputs: Sequence, workers: int | None = None,
            chunksize: int | None = None, strategy: str = "pool",
            overheads: Overheads | None = None, budget: float = 0.3) -> Prediction:
    """Predict serial and parallel time of ``map(func, inputs)`` on this machine.

    Times ``func`` serially on a few inputs across the list (about ``budget``
    seconds), pickles a real chunk of the inputs and the results, and probes
    the pool's overheads once per start method and pool size (cached).
    ``helpers.advise`` goes further: it compares every strategy and says which.
    """
    check_choice("strategy", strategy, ("pool", "executor"))
    inputs = list(inputs)
    workers = workers or machine_info().usable_cpus
    method = overheads.start_method if overheads else default_start_method()
    check_sendable(func, method)
    sample = sample_tasks(func, inputs, budget)
    traffic = measure_traffic(inputs, sample.results)
    overheads = overheads or overheads_for(method, workers)
    size = resolve_chunksize(strategy, len(inputs), workers, chunksize)
    parallel = predict_time(overheads, sample.durations(), strategy, workers, size,
                            traffic=traffic, cpu_fraction=sample.cpu_fraction)
    nbytes = traffic.arguments(1) + traffic.results(1)
    serial = sum(sample.durations())
    return Prediction(strategy, workers, size, len(inputs), serial / len(inputs), nbytes,
                      serial, parallel, overheads.startup.get(strategy, 0.0))


def seconds_per_unit(func: Callable[[int], object] | None = None, n: int = 200_000,
                     repeats: int = 3) -> float:
    """Serial seconds per unit of ``func(n)`` (default ``cpu_task``), to pick task sizes."""
    func = func or cpu_task
    return timed(func, repeats, n) / n


def _task_time(func: Callable, size: int, repeats: int) -> float:
    calls = 1
    while timed(serial_map, 1, func, [size] * calls) < 2e-3 and calls < 10_000:
        calls *= 4  # time a batch of tiny calls: one call is below the clock's noise
    return timed(serial_map, repeats, func, [size] * calls) / calls


def sweep(func: Callable[[int], object], points: Sequence[tuple[str, int, int, int | None]],
          workers: int, overheads: Overheads, repeats: int = 3,
          progress: Callable[[str], None] | None = None) -> list[Sample]:
    """Measure and predict each ``(strategy, size, tasks, chunksize)`` point.

    One warm pool per strategy serves all its points (start-up not counted).
    Each point runs ``repeats`` interleaved rounds; a round measures the CPU
    share the workers get (``cpu_share``), then serial, then the pool. The
    prediction of a round uses that round's serial time per task, CPU share
    and slowdown of the parent (how long serial waited for a CPU, on Linux),
    and its speedup is divided by that round's serial time, so that a
    machine whose speed drifts, or another program that takes a CPU for a
    while, moves measurement and prediction alike. Each sample reports the
    median over its rounds; every result is checked against serial.
    """
    ctx = mp.get_context(overheads.start_method)
    check_sendable(func, overheads.start_method)
    check_int("repeats", repeats, minimum=1)
    parallel = [p for p in points if p[0] != "serial"]
    pools = {}
    samples: dict[tuple, Sample] = {}
    serial_seen: dict[tuple[int, int], list[float]] = {}
    try:
        for strategy in dict.fromkeys(p[0] for p in parallel):
            pools[strategy] = make_pool(strategy, workers, ctx).__enter__()
            start_workers(strategy, pools[strategy], workers)
        for k, (strategy, size, tasks, chunksize) in enumerate(parallel):
            if progress:
                progress(f"point {k + 1} of {len(parallel)}: {strategy}")
            pool, inputs, expected = pools[strategy], [size] * tasks, func(size)
            lat = overheads.round_trip(strategy)
            rounds = []
            for _ in range(repeats):
                share = cpu_share(strategy, pool, workers, lat, repeats=3)
                waited = run_queue_wait()
                serial, _ = timed_result(serial_map, 1, func, inputs)
                waited = run_queue_wait() - waited
                t, out = timed_result(run_map, 1, strategy, pool, func, inputs, chunksize)
                if any(r != expected for r in out):
                    raise AssertionError(f"{strategy} returned a wrong result for size {size}")
                # the parent is as slow as serial was: it waited for a CPU as often
                factor = serial / max(serial - waited, 0.2 * serial)
                guess = predict_time(slowed(overheads, factor, share), serial / tasks,
                                     strategy, workers, chunksize, tasks)
                rounds.append((serial, t, guess, share))
            serial_seen.setdefault((size, tasks), []).extend(r[0] for r in rounds)
            med = [statistics.median(r[i] for r in rounds) for i in range(4)]
            samples[strategy, size, tasks, chunksize] = Sample(
                strategy, size, tasks, chunksize, workers, med[0] / tasks, med[1], med[2],
                serial=med[0],
                measured_speedup=statistics.median(r[0] / r[1] for r in rounds),
                predicted_speedup=statistics.median(r[0] / r[2] for r in rounds),
                cpus=med[3])
    finally:
        for pool in pools.values():
            pool.__exit__(None, None, None)
    for strategy, size, tasks, chunksize in points:
        if strategy != "serial":
            continue
        times = serial_seen.get((size, tasks))
        if not times:
            t, _ = timed_result(serial_map, repeats, func, [size] * tasks)
            times = [t]
        seconds = statistics.median(times)
        samples[strategy, size, tasks, chunksize] = Sample(
            "serial", size, tasks, None, 1, seconds / tasks, seconds, seconds, serial=seconds,
            measured_speedup=1.0, predicted_speedup=1.0)
    order = list(dict.fromkeys(p[0] for p in points))
    return sorted(samples.values(), key=lambda x: order.index(x.strategy))
