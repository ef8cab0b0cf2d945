"""What this machine offers to a process pool: Python, start methods and CPUs.

``os.cpu_count()`` counts every logical CPU of the system. It ignores the
affinity mask (``taskset``, some schedulers) and the CPU quota a container or
CI runner may set through cgroups, so a pool sized by it can be far too big
(cpython docs, os.cpu_count). This module reports all three.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import platform
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")


@dataclass(frozen=True)
class MachineInfo:
    """A snapshot of what a process pool on this machine can use."""

    python: str
    implementation: str
    platform: str
    default_start_method: str
    start_methods: tuple[str, ...]
    cpu_count: int | None
    affinity_cpus: int | None
    process_cpu_count: int | None
    cgroup_quota_cpus: float | None
    usable_cpus: int

    def as_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        """A few lines a learner can read; numbers only, no judgement."""
        quota = "none" if self.cgroup_quota_cpus is None else f"{self.cgroup_quota_cpus:g} CPUs"
        lines = [
            f"Python {self.python} ({self.implementation}) on {self.platform}",
            f"default start method: {self.default_start_method}",
            f"start methods available: {', '.join(self.start_methods)}",
            f"os.cpu_count(): {self.cpu_count}",
            f"CPUs this process may run on (affinity): {self.affinity_cpus}",
            f"CPU quota (cgroup): {quota}",
            f"usable CPUs: {self.usable_cpus}",
        ]
        if self.process_cpu_count is not None:
            lines.insert(4, f"os.process_cpu_count(): {self.process_cpu_count}")
        return "\n".join(lines)


def cgroup_cpu_quota(root: Path = CGROUP_ROOT) -> float | None:
    """Return the CPU quota of this process's cgroup in CPUs, or None if there is none.

    Reads cgroup v2 (``cpu.max``: ``"max 100000"`` or ``"150000 100000"``) and
    cgroup v1 (``cpu/cpu.cfs_quota_us``, -1 for no quota, with
    ``cpu.cfs_period_us``). ``root`` is a parameter so tests can point it at a
    fake tree.
    """
    v2 = root / "cpu.max"
    if v2.is_file():
        fields = v2.read_text().split()
        if len(fields) == 2 and fields[0] != "max":
            return _ratio(fields[0], fields[1])
        return None
    quota_file = root / "cpu" / "cpu.cfs_quota_us"
    period_file = root / "cpu" / "cpu.cfs_period_us"
    if quota_file.is_file() and period_file.is_file():
        quota = quota_file.read_text().strip()
        if quota.lstrip("-").isdigit() and int(quota) > 0:
            return _ratio(quota, period_file.read_text().strip())
    return None


def _ratio(quota: str, period: str) -> float | None:
    try:
        q, p = int(quota), int(period)
    except ValueError:
        return None
    return q / p if q > 0 and p > 0 else None


def affinity_cpus() -> int | None:
    """CPUs this process may be scheduled on, where the OS tells (Linux), else None."""
    getaffinity = getattr(os, "sched_getaffinity", None)
    if getaffinity is None:
        return None
    return len(getaffinity(0))


def usable_cpus(
    cpu_count: int | None, affinity: int | None, quota: float | None
) -> int:
    """The smallest of the counts that are known, rounding a quota up; at least 1."""
    candidates = [c for c in (cpu_count, affinity) if c]
    if quota is not None:
        candidates.append(max(1, math.ceil(quota)))
    return max(1, min(candidates)) if candidates else 1


def default_start_method() -> str:
    """The start method a pool would use, without fixing it as a side effect.

    ``multiprocessing.get_start_method()`` with no argument *sets* the default
    context, after which ``set_start_method`` raises; so when nothing has been
    chosen yet we read the platform default that multiprocessing would pick.
    """
    chosen = mp.get_start_method(allow_none=True)
    if chosen is not None:
        return chosen
    return mp.context._default_context._default_context.get_start_method()


def machine_info() -> MachineInfo:
    """Describe this interpreter and the CPUs a pool started from it could use."""
    cpu_count = os.cpu_count()
    affinity = affinity_cpus()
    quota = cgroup_cpu_quota() if sys.platform.startswith("linux") else None
    process_cpu_count = getattr(os, "process_cpu_count", None)  # new in 3.13
    return MachineInfo(
        python=platform.python_version(),
        implementation=platform.python_implementation(),
        platform=f"{platform.system()} {platform.machine()}",
        default_start_method=default_start_method(),
        start_methods=tuple(mp.get_all_start_methods()),
        cpu_count=cpu_count,
        affinity_cpus=affinity,
        process_cpu_count=process_cpu_count() if process_cpu_count else None,
        cgroup_quota_cpus=quota,
        usable_cpus=usable_cpus(cpu_count, affinity, quota),
    )


#: Import name -> distribution name of what the lessons import.
COURSE_PACKAGES = {
    "jupyterlab": "jupyterlab", "ipykernel": "ipykernel", "ipywidgets": "ipywidgets",
    "matplotlib": "matplotlib", "numpy": "numpy", "pandas": "pandas", "psutil": "psutil",
    "threadpoolctl": "threadpoolctl", "joblib": "joblib", "numba": "numba",
    "Cython": "cython", "dask": "dask", "distributed": "distributed",
}


def missing_packages(packages: dict[str, str] = COURSE_PACKAGES) -> list[str]:
    """The distributions among ``packages`` that cannot be imported here."""
    import importlib.util

    return [dist for module, dist in packages.items() if importlib.util.find_spec(module) is None]


def package_versions(packages: dict[str, str] = COURSE_PACKAGES) -> dict[str, str]:
    """Installed version of each course distribution ('missing' where absent)."""
    from importlib.metadata import PackageNotFoundError, version

    found = {}
    for dist in packages.values():
        try:
            found[dist] = version(dist)
        except PackageNotFoundError:
            found[dist] = "missing"
    return found
