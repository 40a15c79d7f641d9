"""Workers never outlive the command that started them (issue 15).

A real ``chaoszoo dataset build`` runs in a subprocess with two workers; once they are busy
the parent is killed with SIGKILL, and the workers must be gone within 5 s (measured: well
under a second). The same for Ctrl-C delivered to the whole process group, and for the
watchdog thread alone (the fallback where the kernel's parent-death signal is unavailable).
"""

import os
import signal
import subprocess
import sys
import textwrap
import time

import psutil
import pytest

from test_data_fixtures import tiny_dir  # noqa: F401

BUILD = textwrap.dedent("""
    import sys
    from chaoszoo.cli import main
    sys.argv = ["chaoszoo", "dataset", "build", "--preset", "quick", "--out", sys.argv[1], "--jobs", "2",
                "--no-progress"]
    main()
""")


def _busy_workers(proc: subprocess.Popen, n: int = 2, cpu_s: float = 1.5, timeout: float = 120.0):
    """The parent's worker processes, once ``n`` of them have used ``cpu_s`` CPU-seconds each."""
    parent = psutil.Process(proc.pid)
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else "the command ended early"
        kids = parent.children(recursive=True)
        busy = []
        for k in kids:
            try:
                if k.cpu_times().user + k.cpu_times().system >= cpu_s:
                    busy.append(k)
            except psutil.NoSuchProcess:
                pass
        if len(busy) >= n:
            return kids
        time.sleep(0.2)
    pytest.fail("the workers never got busy")


def _time_until_gone(procs, limit: float = 5.0) -> float:
    t0 = time.monotonic()
    while time.monotonic() - t0 < 2 * limit:
        alive = [p for p in procs if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
        if not alive:
            return time.monotonic() - t0
        time.sleep(0.02)
    for p in procs:  # do not leak them into the rest of the test session
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    pytest.fail(f"{len(alive)} worker(s) outlived their parent by more than {2 * limit} s: {alive}")


def _default_sigint() -> None:
    """In the child, before exec: Ctrl-C's default action. A test run started in the background
    (``make test &``, nohup) inherits SIGINT *ignored*, and Python then never raises
    KeyboardInterrupt, which is right for a background job but not what these tests simulate."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(tmp_path, script: str, *args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", script, *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True, cwd=tmp_path,
                            preexec_fn=_default_sigint)


def test_killed_build_takes_its_workers_down(tmp_path):
    proc = _start(tmp_path, BUILD, tmp_path / "d")
    kids = _busy_workers(proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    outlived = _time_until_gone(kids)
    print(f"workers outlived the killed build by {outlived:.3f} s")
    assert outlived < 5.0


@pytest.mark.signals
def test_ctrl_c_stops_the_whole_process_group_cleanly(tmp_path):
    proc = _start(tmp_path, BUILD, tmp_path / "d")
    kids = _busy_workers(proc)
    os.killpg(proc.pid, signal.SIGINT)  # what the terminal does on Ctrl-C
    # the parent handles the interrupt when it regains control from native code (an XLA
    # compilation cannot be interrupted; under a loaded 2-core CI run that took over 30 s)
    _, err = proc.communicate(timeout=180)
    assert proc.returncode != 0
    assert _time_until_gone(kids) < 5.0
    assert b"Traceback" not in err, err.decode()  # neither the parent nor a worker prints one
    leftovers = [p.name for p in (tmp_path / "d").rglob("*") if ".tmp" in p.name]
    assert not leftovers  # nothing half-written


POOL = textwrap.dedent("""
    import sys, time
    from chaoszoo.workers import process_pool

    def spin(i):
        while True:
            pass

    if __name__ == "__main__":
        try:
            with process_pool(2) as pool:
                futures = [pool.submit(spin, i) for i in range(4)]
                futures[0].result()
        except KeyboardInterrupt as exc:
            print("clean-up ran:", exc, flush=True)
            sys.exit(130)
""")


def test_sigterm_runs_the_clean_up(tmp_path):
    """``kill PID`` (the parent only) raises KeyboardInterrupt in it: clean-up runs, workers end."""
    (tmp_path / "pool.py").write_text(POOL)
    proc = subprocess.Popen([sys.executable, str(tmp_path / "pool.py")], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True, cwd=tmp_path)
    kids = _busy_workers(proc, cpu_s=0.3)
    os.kill(proc.pid, signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and b"clean-up ran: terminated by signal 15" in out, err.decode()
    assert _time_until_gone(kids) < 1.0


WATCHDOG = textwrap.dedent("""
    import os, sys, time
    import chaoszoo.workers as w
    if sys.argv[1] == "watchdog-only":
        w._set_parent_death_signal = lambda sig: False   # as on a system without prctl
    pid = os.fork()
    if pid == 0:
        w.die_with_parent(poll_interval=0.05)
        time.sleep(60)
        os._exit(0)
    print(pid, flush=True)
    time.sleep(60)
""")


@pytest.mark.parametrize("mode", ["prctl", "watchdog-only"])
def test_die_with_parent(tmp_path, mode):
    proc = _start(tmp_path, WATCHDOG, mode)
    child = psutil.Process(int(proc.stdout.readline()))
    time.sleep(0.3)
    assert child.is_running()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert _time_until_gone([child]) < 1.0


def test_small_builds_run_in_one_process_and_the_bar_counts_trajectories(tiny_dir, monkeypatch):
    """The quick preset (3 systems) took 25 s in one process and 52-113 s with two workers, so a
    build starts a pool only with at least 8 systems per worker; the bar's unit is trajectories."""
    import json

    from chaoszoo.data.build import SYSTEMS_PER_WORKER, default_jobs, expected_trajectories
    from test_data_fixtures import TINY

    monkeypatch.delenv("CHAOSZOO_JOBS", raising=False)
    assert default_jobs(3) == default_jobs(SYSTEMS_PER_WORKER - 1) == 1
    assert default_jobs(186) == min(os.cpu_count() or 1, 186 // SYSTEMS_PER_WORKER)
    monkeypatch.setenv("CHAOSZOO_JOBS", "3")
    assert default_jobs(1) == 3
    manifest = json.loads((tiny_dir / "manifest.json").read_text())
    # Lorenz skips nothing: 2 splits x 2 ics x (multi, uni) x (fine, coarse) x (clean, noisy) + Lyapunov grid
    assert expected_trajectories("Lorenz", TINY) == manifest["systems"]["Lorenz"]["rows"] == 2 * 2 * 2 * 5
    for name, rec in manifest["systems"].items():
        assert expected_trajectories(name, TINY) >= rec["rows"]
