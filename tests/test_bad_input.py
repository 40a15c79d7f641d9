"""Every bad input is a typed error from ``chaoszoo.errors``, raised within seconds, before any work.

One test per category of issue 13: sizes checked before allocation (naming the memory),
wrong types, unbounded step counts (the step budget), Ctrl-C, the Lyapunov grid of a
non-chaotic system, CLI output paths, corrupted dataset shards, the Ray executor without Ray,
and building a preset from a script without a ``__main__`` guard.
"""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
from click.testing import CliRunner

import chaoszoo as cz
from chaoszoo.cli import main as cli
from chaoszoo.data import load
from chaoszoo.errors import ChaoszooError, DatasetError, InvalidArgumentError, MissingExtraError
from test_data_fixtures import TINY, tiny_copy, tiny_dir  # noqa: F401

L = cz.get("Lorenz")
MG = cz.get("MackeyGlass")


def _raises_fast(fn, error=InvalidArgumentError, match=None, limit=2.0):
    # CPU time of this process: a check that comes before the work costs milliseconds, however
    # loaded the machine is (integrating or allocating first would cost far more)
    t0 = time.process_time()
    with pytest.raises(error, match=match) as info:
        fn()
    assert time.process_time() - t0 < limit, "the error came too late: work started before the check"
    return str(info.value)


SIZES = {
    "trajectory(10**12)": lambda: L.trajectory(10**12),
    "transient=10**12": lambda: L.trajectory(10, transient=10**12),
    "ensemble(n_ics=10**9)": lambda: L.ensemble(1000, n_ics=10**9),
    "ensemble(10**9 samples, 8 members)": lambda: L.ensemble(10**9, n_ics=8),
    "map trajectory(10**12)": lambda: cz.get("Henon").trajectory(10**12),
    "delay history of 1e9 time units": lambda: MG.trajectory(10, params={MG.delay: 1e9}),
    "noisy trajectory(10**11)": lambda: L.trajectory(10**11, noise=0.1),
}


@pytest.mark.parametrize("case", SIZES)
def test_sizes_are_checked_before_allocating(case):
    """The memory a request would need is named, and nothing is allocated (the call is instant)."""
    msg = _raises_fast(SIZES[case], match="would need about .* of memory")
    assert "allowed on this machine" in msg


def test_memory_estimate_is_the_array_size(monkeypatch):
    """10**8 samples x 3 variables of float64 is 2.4 GB per copy; the error names at least that."""
    monkeypatch.setenv("CHAOSZOO_MAX_MEMORY", "1G")
    msg = _raises_fast(lambda: L.trajectory(10**8, dt=1e-5), match="at most 1.0 GB")
    amount, unit = msg.split("would need about ")[1].split(" ")[:2]
    assert unit == "GB" and float(amount) >= 10**8 * 3 * 8 / 2**30
    monkeypatch.setenv("CHAOSZOO_MAX_MEMORY", "lots")
    _raises_fast(lambda: L.trajectory(10), match="CHAOSZOO_MAX_MEMORY")


WRONG_TYPES = {
    "ic='abc'": lambda: L.trajectory(10, ic="abc"),
    "ic=['a','b','c']": lambda: L.trajectory(10, ic=["a", "b", "c"]),
    "ic=None-filled": lambda: L.trajectory(10, ic=[None, 1.0, 2.0]),
    "ic ragged": lambda: L.trajectory(10, ic=[[1.0], [1.0, 2.0]]),
    "ensemble ics strings": lambda: L.ensemble(10, ics=[["a", "b", "c"]]),
    "params value 'abc'": lambda: L.trajectory(10, params={"rho": "abc"}),
    "params value '28' (a string)": lambda: L.trajectory(10, params={"rho": "28"}),
    "params value True": lambda: L.trajectory(10, params={"rho": True}),
    "params not a mapping": lambda: L.trajectory(10, params=[1, 2]),
    "ensemble params strings": lambda: L.ensemble(10, params={"rho": ["a", "b"]}),
    "ensemble params rows strings": lambda: L.ensemble(10, params=[{"rho": "a"}]),
    "with_params(rho='abc')": lambda: L.with_params(rho="abc"),
    "with_params(rho=[1, 2])": lambda: L.with_params(rho=[1.0, 2.0]),
    "with_ic('abc')": lambda: L.with_ic("abc"),
    "n=True": lambda: L.trajectory(True),
    "n=2.5": lambda: L.trajectory(2.5),
    "n='10'": lambda: L.trajectory("10"),
    "n=np.bool_": lambda: L.trajectory(np.bool_(True)),
    "postprocess='yes'": lambda: L.trajectory(10, postprocess="yes"),
    "seed=1.5": lambda: L.trajectory(10, noise=0.1, seed=1.5),
    "seed=True": lambda: L.trajectory(10, noise=0.1, seed=True),
    "obs_noise=True": lambda: L.trajectory(10, obs_noise=True),
    "obs_noise='0.1'": lambda: L.trajectory(10, obs_noise="0.1"),
    "noise='0.1'": lambda: L.trajectory(10, noise="0.1"),
    "dt=True": lambda: L.trajectory(10, dt=True),
    "dt='0.1'": lambda: L.trajectory(10, dt="0.1"),
    "pts_per_period=True": lambda: L.trajectory(10, pts_per_period=True),
    "transient=True": lambda: L.trajectory(10, transient=True),
    "rtol='1e-3'": lambda: L.trajectory(10, rtol="1e-3"),
    "atol=True": lambda: L.trajectory(10, atol=True),
    "n_ics=True": lambda: L.ensemble(10, n_ics=True),
    "rhs('abc')": lambda: L.rhs("abc"),
    "jacobian(strings)": lambda: L.jacobian(["a", "b", "c"]),
    "rhs params string": lambda: L.rhs(L.ic, params={"rho": "x"}),
    "names(kind=3)": lambda: cz.names(kind=3),
}


@pytest.mark.parametrize("case", WRONG_TYPES)
def test_wrong_types_raise_chaoszoo_errors(case):
    msg = _raises_fast(WRONG_TYPES[case], error=ChaoszooError)
    assert "must" in msg or "Unknown" in msg


def test_load_wrong_types(tiny_dir):
    for kw in (dict(noisy=1), dict(univariate="yes"), dict(split=3), dict(granularity=["fine", 2])):
        _raises_fast(lambda: load(tiny_dir, **kw), error=InvalidArgumentError)
    _raises_fast(lambda: load(3.5), error=InvalidArgumentError)


STEPS = {
    "trajectory(10, dt=1e6)": lambda: L.trajectory(10, dt=1e6),
    "t_end=1e12": lambda: L.trajectory(10, t_end=1e12),
    "2 x 10**7 periods at 1 sample per period": lambda: L.trajectory(10**7, pts_per_period=1, transient=10**7),
    "noisy, dt=1e6": lambda: L.trajectory(10, dt=1e6, noise=0.1),
    "ensemble dt=1e6": lambda: L.ensemble(10, n_ics=2, dt=1e6),
    "delay equation, dt=1e5": lambda: MG.trajectory(1000, dt=1e5),
    "lyapunov_spectrum(t_total=1e9)": lambda: __import__("chaoszoo.analysis", fromlist=["x"]).lyapunov_spectrum(
        L, t_total=1e9),
}


@pytest.mark.parametrize("case", STEPS)
def test_unbounded_step_counts_hit_the_step_budget(case):
    msg = _raises_fast(STEPS[case])
    assert "step budget" in msg or "memory" in msg


def test_lyapunov_grid_of_a_system_without_lyapunov_time():
    """Torus's recorded exponent (3e-16) is zero within its error: no Lyapunov time, no overflow."""
    torus = cz.get("Torus")
    assert torus.max_lyapunov is not None and abs(torus.max_lyapunov) < 1e-10
    assert torus.lyapunov_time is None
    _raises_fast(lambda: torus.trajectory(10, pts_per_lyapunov_time=10), match="no finite Lyapunov time")
    assert L.lyapunov_time == pytest.approx(1 / L.max_lyapunov)  # a chaotic system keeps its own


CTRL_C = textwrap.dedent("""
    import sys, time
    import chaoszoo as cz
    s = cz.get("Lorenz")
    s.trajectory(100, pts_per_period=10)   # compiled: what follows is integration only
    print("ready", flush=True)
    t0 = time.time()
    try:
        # the same 100 samples as above (the compiled solver is reused: no uninterruptible
        # compilation), spread over 400,000 time units: ~1 minute of integration on one core
        s.trajectory(100, dt=4000.0)
        print("finished", flush=True)
    except KeyboardInterrupt:
        print("interrupted", flush=True)
""")


@pytest.mark.signals
def test_ctrl_c_interrupts_a_long_integration(tmp_path):
    # SIGINT's default action in the child: a test run started in the background inherits it
    # ignored, and Python then never raises KeyboardInterrupt (right for a background job)
    proc = subprocess.Popen([sys.executable, "-c", CTRL_C], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(1.0)
    t0 = time.monotonic()
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    waited = time.monotonic() - t0
    assert out.strip() == "interrupted", err
    assert waited < 10.0 and proc.returncode == 130 and "terminate called" not in err, (waited, err)


def _cli(args, tmp_path):
    t0 = time.process_time()
    res = CliRunner().invoke(cli, args, catch_exceptions=False)
    return res, time.process_time() - t0


CLI_OUTPUTS = [
    ["simulate", "Lorenz", "--out", "{missing}/x.csv"],
    ["simulate", "Lorenz", "--out", "/proc/x.csv"],
    ["simulate", "Lorenz", "--out", "{tmp}/x.txt"],
    ["simulate", "Lorenz", "--out", "{tmp}/x"],
    ["plot", "Lorenz", "--out", "{missing}/x.png"],
    ["plot", "Lorenz", "--out", "/proc/x.png"],
    ["plot", "Lorenz", "--out", "{tmp}/x.csv"],
    ["run", "--out", "{missing}/g.png"],
    ["run", "--out", "/proc/g.png"],
    ["run", "--out", "{tmp}/g.txt"],
    ["run", "--out", "{tmp}/g.png", "--jobs", "0"],
    ["run", "--out", "{tmp}/g.png", "--periods", "0"],
    ["simulate", "Lorenz", "--n", "10000000000", "--out", "{tmp}/x.npy"],
    ["simulate", "Lorenz", "--n", "10", "--dt", "1e6", "--out", "{tmp}/x.npy"],
    ["simulate", "Lorenz", "--n", "1e10", "--out", "{tmp}/x.npy"],
    ["simulate", "Lorenz", "--param", "rho=abc", "--out", "{tmp}/x.npy"],
]


@pytest.mark.parametrize("args", CLI_OUTPUTS, ids=[" ".join(a) for a in CLI_OUTPUTS])
def test_cli_checks_outputs_before_any_work(args, tmp_path, monkeypatch):
    monkeypatch.setenv("CHAOSZOO_CACHE", str(tmp_path / "cache"))
    args = [a.format(missing=tmp_path / "no" / "such", tmp=tmp_path) for a in args]
    res, seconds = _cli(args, tmp_path)
    assert res.exit_code == 2, res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert "Traceback" not in res.output and seconds < 3.0
    assert lines[-1].lower().startswith(("error", "error:")) and len(lines) <= 3, res.output
    assert not [p for p in tmp_path.iterdir() if p.name != "cache"]  # nothing written


def test_altered_shard_raises_dataset_error(tiny_copy):
    shard = tiny_copy / "systems" / "Lorenz.parquet"
    load(tiny_copy, system="Lorenz")  # checked once and cached
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0xFF  # same size: only the checksum can tell
    shard.write_bytes(bytes(data))
    os.utime(shard, ns=(time.time_ns(), time.time_ns() + 10**9))  # a new modification time
    _raises_fast(lambda: load(tiny_copy, system="Lorenz"), error=DatasetError, match="SHA-256")
    load(tiny_copy, system="Rossler")  # the other shard still loads


def test_truncated_shard_raises_dataset_error(tiny_copy):
    shard = tiny_copy / "systems" / "Rossler.parquet"
    shard.write_bytes(shard.read_bytes()[:-100])
    _raises_fast(lambda: load(tiny_copy, system="Rossler"), error=DatasetError, match="truncated")
    (tiny_copy / "systems" / "Lorenz.parquet").unlink()
    _raises_fast(lambda: load(tiny_copy, system="Lorenz"), error=DatasetError, match="missing")


def test_ray_executor_without_ray_fails_before_creating_anything(tmp_path, monkeypatch):
    import importlib.util

    from chaoszoo.data import build

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "ray" else real(name, *a))
    _raises_fast(lambda: build(TINY, tmp_path / "out", executor="ray", progress=False), error=MissingExtraError,
                 match=r"chaoszoo\[ray\]")
    assert not (tmp_path / "out").exists()
    res = CliRunner().invoke(cli, ["dataset", "build", "--executor", "ray", "--out", str(tmp_path / "cli")])
    assert res.exit_code == 2 and "Traceback" not in res.output and not (tmp_path / "cli").exists()


NO_GUARD = textwrap.dedent("""
    import chaoszoo.data
    from chaoszoo.data import Preset
    p = Preset(name="noguard", systems=("Lorenz", "Rossler"), n_ics=2, periods=2.0, fine_pts=20, coarse_pts=5,
               transient_periods=5.0, lyapunov_pts=5, lyapunov_times=2.0, noise_level=0.2)
    d = chaoszoo.data.load(p, system="Lorenz", split="train", progress=False)
    print("loaded", len(d))
""")


def test_preset_builds_from_a_script_without_main_guard(tmp_path):
    """No `if __name__ == "__main__":` guard: the build runs in a child process (two workers)."""
    script = tmp_path / "plain.py"
    script.write_text(NO_GUARD)
    # two workers although the preset is small, so the spawn pool really runs
    env = dict(os.environ, CHAOSZOO_CACHE=str(tmp_path / "cache"), CHAOSZOO_JOBS="2")
    res = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=900)
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.split() == ["loaded", str(2 * 2 * 5)]  # 2 ics x (multi, uni) x 5 variants
    assert "separate process" in res.stderr and "Traceback" not in res.stderr
    manifest = json.loads(next((tmp_path / "cache" / "datasets").glob("noguard-*/manifest.json")).read_text())
    assert sorted(manifest["systems"]) == ["Lorenz", "Rossler"]
