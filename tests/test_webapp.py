import psutil
import pytest

from helpers import webapp, webclient
from helpers.workloads import cpu_task_expected


def test_serve_stops_the_server_its_workers_and_frees_the_port():
    with webapp.serve("helpers.webapp:pool_app") as server:
        assert server.url == f"http://127.0.0.1:{server.port}"
        workers = psutil.Process(server.pid).children(recursive=True)
        assert workers, "the lifespan starts the pool's workers before serving"
        seen = webclient.probe_sync(server.url, jobs=2, n=300_000)
    assert not psutil.pid_exists(server.pid) or psutil.Process(server.pid).status() == "zombie"
    assert not any(p.is_running() and p.status() != "zombie" for p in workers)
    assert webapp.port_is_free(server.port)
    assert seen.values == (cpu_task_expected(300_000),) * 2
    assert server.pid not in seen.job_pids


def test_serve_stops_the_server_when_the_block_raises():
    with pytest.raises(KeyError):
        with webapp.serve("helpers.webapp:inline_app") as server:
            raise KeyError("boom")
    assert webapp.port_is_free(server.port)
    assert server.process.poll() is not None


def test_inline_app_blocks_health_and_works_in_its_own_process():
    with webapp.serve("helpers.webapp:inline_app") as server:
        seen = webclient.probe_sync(server.url, jobs=3, n=1_000_000)
    assert set(seen.job_pids) == {server.pid}
    # While one task ran, a health request sent then could not be answered.
    assert seen.worst >= seen.jobs_seconds / 3 * 0.5


def test_a_broken_app_is_reported_and_leaves_nothing():
    with pytest.raises(RuntimeError, match="exited at start-up"):
        with webapp.serve("helpers.no_such_module:app"):
            pass


def test_make_app_rejects_an_unknown_mode():
    with pytest.raises(ValueError, match="'inline' or 'pool'"):
        webapp.make_app("threads")


def test_free_port_is_free():
    assert webapp.port_is_free(webapp.free_port())


def probe(latencies, pids=(1,)):
    return webclient.Probe(tuple(range(len(latencies))), tuple(latencies), 1.0, pids, (0,))


def test_verdict_follows_the_numbers():
    assert "20.00x shorter" in webclient.verdict(probe([0.1, 0.2]), probe([0.01]))
    assert "did not shorten" in webclient.verdict(probe([0.01]), probe([0.2]))
    assert "no health request" in webclient.verdict(probe([]), probe([0.01]))


def test_merge_and_plot():
    both = webclient.merge([probe([0.1]), probe([0.3, 0.2])])
    assert both.latency == (0.1, 0.3, 0.2) and both.worst == 0.3 and both.median == 0.2
    fig = webclient.latency_plot({"inline": both, "in the pool": probe([0.01])}, jobs=4)
    assert len(fig.axes[0].lines) == 2 and fig.axes[0].get_yscale() == "log"
