"""One sentence that says what a measurement showed, printed from the numbers.

A lesson's markdown explains the mechanism; the verdict line states the outcome
on this machine, so that the words follow the numbers on 1 CPU or 64, idle or
busy: "here the pool was 1.86x faster, close to the 2x limit", "here serial
won: ...". Every lesson prints its speedups through ``speedup``.
"""

from __future__ import annotations

from helpers.args import check_int, check_number

# Within 5% of serial counts as a tie: run-to-run noise on a laptop is larger.
TIE = 0.05
# At 80% of the limit or more, the run is "close to the limit".
CLOSE = 0.8


def limit(workers: int, usable_cpus: int, tasks: int | None = None) -> int:
    """The best speedup possible: no more than the workers, the CPUs or the tasks."""
    bound = min(workers, usable_cpus)
    return max(1, min(bound, tasks) if tasks is not None else bound)


def speedup(serial_s: float, parallel_s: float, *, workers: int, usable_cpus: int,
            tasks: int | None = None, label: str = "the pool",
            why_slow: str = "each task is too short to pay for sending it") -> str:
    """The verdict on one parallel timing against serial, measured in the same rounds.

    Args:
        serial_s, parallel_s: the two times in seconds (fastest of interleaved rounds).
        workers: how many workers the parallel run used.
        usable_cpus: the CPUs this process may use (``machine_info().usable_cpus``).
        tasks: how many tasks there were, when fewer tasks than workers cap the speedup.
        label: what ran in parallel, as the sentence should name it.
        why_slow: the reason to give when serial wins.

    Raises:
        TypeError: a time that is not a number, or a count that is not an int.
        ValueError: a time that is not positive, or a count below 1.
    """
    check_number("serial_s", serial_s, unit="seconds")
    check_number("parallel_s", parallel_s, unit="seconds")
    check_int("workers", workers, minimum=1)
    if serial_s <= 0 or parallel_s <= 0:
        raise ValueError(f"times must be positive, got serial {serial_s!r} and "
                         f"parallel {parallel_s!r}")
    ratio = serial_s / parallel_s
    best = limit(workers, usable_cpus, tasks)
    if ratio < 1 - TIE:
        return f"here serial won: {label} was {1 / ratio:.2f}x slower ({why_slow})."
    if ratio <= 1 + TIE:
        if best == 1:
            return (f"here {label} and serial took about the same time, as expected: "
                    f"with 1 usable CPU (or 1 task) there is nothing to gain.")
        return f"here {label} and serial took about the same time: nothing was gained."
    if ratio > best * (1 + TIE):
        return (f"here {label} was {ratio:.2f}x faster, above the {best}x limit: "
                "the serial rounds were slowed by something else (another program, "
                "a CPU clocking down); run the cell again to see it settle.")
    if ratio >= best * CLOSE:
        return f"here {label} was {ratio:.2f}x faster, close to the {best}x limit."
    return (f"here {label} was {ratio:.2f}x faster, short of the {best}x limit: "
            "start-up, sending the work, or other programs on the CPUs took the rest.")
