import multiprocessing as mp
import os

import pytest

from helpers import machine


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_cgroup_v2_quota(tmp_path):
    write(tmp_path / "cpu.max", "150000 100000\n")
    assert machine.cgroup_cpu_quota(tmp_path) == 1.5


def test_cgroup_v2_no_quota(tmp_path):
    write(tmp_path / "cpu.max", "max 100000\n")
    assert machine.cgroup_cpu_quota(tmp_path) is None


def test_cgroup_v1_quota(tmp_path):
    write(tmp_path / "cpu" / "cpu.cfs_quota_us", "200000\n")
    write(tmp_path / "cpu" / "cpu.cfs_period_us", "100000\n")
    assert machine.cgroup_cpu_quota(tmp_path) == 2.0


def test_cgroup_v1_unlimited(tmp_path):
    write(tmp_path / "cpu" / "cpu.cfs_quota_us", "-1\n")
    write(tmp_path / "cpu" / "cpu.cfs_period_us", "100000\n")
    assert machine.cgroup_cpu_quota(tmp_path) is None


def test_no_cgroup_files(tmp_path):
    assert machine.cgroup_cpu_quota(tmp_path) is None


@pytest.mark.parametrize("counts, expected", [
    ((16, 4, None), 4),       # affinity limits
    ((16, 16, 1.5), 2),       # a fractional quota rounds up
    ((16, None, 0.5), 1),     # never below one
    ((None, None, None), 1),  # nothing known
    ((8, None, None), 8),
])
def test_usable_cpus_takes_the_tightest_limit(counts, expected):
    assert machine.usable_cpus(*counts) == expected


def test_machine_info_describes_this_process():
    info = machine.machine_info()
    assert info.cpu_count == os.cpu_count()
    assert info.default_start_method in info.start_methods
    assert set(info.start_methods) == set(mp.get_all_start_methods())
    assert 1 <= info.usable_cpus <= (os.cpu_count() or 1)
    text = info.summary()
    assert f"default start method: {info.default_start_method}" in text
    assert f"usable CPUs: {info.usable_cpus}" in text


def test_default_start_method_does_not_fix_the_context():
    # Reading the default must leave set_start_method usable afterwards.
    code = ("import multiprocessing as mp\nfrom helpers.machine import default_start_method\n"
            "default_start_method()\nassert mp.get_start_method(allow_none=True) is None\n"
            "mp.set_start_method('spawn')\n")
    from helpers.sandbox import run_snippet

    outcome = run_snippet(code, timeout=30)
    assert outcome.ok, outcome.report()


def test_missing_packages_names_what_is_absent():
    assert machine.missing_packages({"os": "os-dist"}) == []
    assert machine.missing_packages({"no_such_module_xyz": "nope"}) == ["nope"]
    assert machine.package_versions({"x": "no-such-dist-xyz"}) == {"no-such-dist-xyz": "missing"}
