"""A pause or stop sent while a crawl worker is still starting: the run ends as asked, not `crashed`.

The mechanism (`nachtwacht.jobs.signals`) is tested on its own in real processes, then through the
real job layer against the served demo market.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from nachtwacht.jobs.signals import EarlyStop, blocked_in_children
from nachtwacht.jobs.status import read_status
from tests.jobs.conftest import wait_for

# The child sleeps before it handles SIGTERM: without the blocked mask the signal would kill it.
_LATE_HANDLER = textwrap.dedent("""
    import signal, sys, time
    time.sleep(1.0)
    from nachtwacht.jobs.signals import EarlyStop
    early = EarlyStop()
    early.install()
    print("recorded", early.signum, flush=True)
""")


def test_a_signal_during_start_up_waits_for_the_child_handler():
    with blocked_in_children():
        child = subprocess.Popen([sys.executable, "-c", _LATE_HANDLER], stdout=subprocess.PIPE,
                                 text=True, cwd=os.getcwd())
    child.send_signal(signal.SIGTERM)
    out, _ = child.communicate(timeout=60)
    assert child.returncode == 0, "the early SIGTERM killed the child"
    assert out.split() == ["recorded", str(int(signal.SIGTERM))]


def test_the_calling_thread_keeps_its_own_signal_mask():
    before = signal.pthread_sigmask(signal.SIG_BLOCK, [])
    with blocked_in_children():
        assert signal.SIGTERM in signal.pthread_sigmask(signal.SIG_BLOCK, [])
    assert signal.pthread_sigmask(signal.SIG_BLOCK, []) == before


def test_a_recorded_signal_is_forwarded_once_the_crawl_handler_is_in_place():
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    received = []
    try:
        early = EarlyStop()
        early.install()
        os.kill(os.getpid(), signal.SIGTERM)
        assert early.requested and early.signum == signal.SIGTERM
        assert early.forward() is False, "nothing to forward to before the crawl's handler"
        signal.signal(signal.SIGTERM, lambda signum, _frame: received.append(signum))  # Scrapy's
        assert early.forward() is True
        assert received == [signal.SIGTERM]
        assert early.forward() is False and received == [signal.SIGTERM], "forwarded once"
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


@pytest.mark.parametrize("action", ["pause", "stop"])
def test_an_immediate_pause_or_stop_is_not_a_crash(demo_world, manager, action):
    from nachtwacht.demomarket import DemoServer

    with DemoServer(demo_world.sites["noordzee"]) as server:
        manager.create("demo-noordzee", via="direct", base_url=server.base_url, max_pages=5)
        manager.run("demo-noordzee")
        job = getattr(manager, action)("demo-noordzee", timeout=60)  # at once: the worker is importing
        run = manager.store.last_run("demo-noordzee")
        assert (job.state, run.outcome) == ({"pause": "paused", "stop": "stopped"}[action],) * 2, run
        assert run.error == "" and run.exit_code == 0
        assert server.hits == [], "asked to stop before it started: nothing fetched"
        manager.resume("demo-noordzee")
        done = manager.wait("demo-noordzee", timeout=300)
        assert done.state == "finished" and len(server.hits) >= 5


def test_a_pause_while_the_crawl_sets_up_is_not_a_crash(demo_world, manager):
    from nachtwacht.demomarket import DemoServer

    with DemoServer(demo_world.sites["noordzee"]) as server:
        manager.create("demo-noordzee", via="direct", base_url=server.base_url, max_pages=5)
        run = manager.run("demo-noordzee")
        job_dir = manager.store.job_dir("demo-noordzee")
        # the worker handles signals before it writes this; Scrapy's handlers come later
        wait_for(lambda: read_status(job_dir).get("run_id") == run.id, timeout=60,
                 what="the worker to start")
        job = manager.pause("demo-noordzee", timeout=60)
        run = manager.store.last_run("demo-noordzee")
        assert (job.state, run.outcome, run.error) == ("paused", "paused", ""), run
