"""Results you can regenerate and trust (issue 24): initial conditions on orbits of their own,
bounded observables, data fingerprints that tie every row to its data (stale rows re-done),
``forecast verify``, the oracle's clock for time-dependent fields, the perfect-model ensemble,
damaged stores and refused merges."""

import json
import socket
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import chaoszoo as cz
from chaoszoo.data.generate import decorrelation_span, generate_system
from chaoszoo.data.presets import Preset
from chaoszoo.errors import DataVersionError, InvalidArgumentError, ResultsStoreError
from chaoszoo.forecast import get_protocol, load_results, run
from chaoszoo.forecast.store import ResultsStore, merge, repair
from chaoszoo.forecast.tasks import make_task
from chaoszoo.forecast.verification import verify

pytestmark = [pytest.mark.xdist_group("forecast-trust"), pytest.mark.usefixtures("private_cache")]

TESTS = Path(__file__).parent
PROTO = get_protocol("short-coarse").replace(
    name="test-trust", preset=Preset(name="forecast-trust", n_ics=3, periods=12.0, fine_pts=30, coarse_pts=15,
                                     noise_level=0.0, lyapunov=False, transient_periods=10.0), default_ics=2)


# --- initial conditions on orbits of their own --------------------------------------------------

def _orbit_distance(system, x0, p, periods: float, pts: int = 2000) -> float:
    """The smallest distance from the point ``p`` to the orbit of ``x0`` over ``periods``
    periods: the orbit sampled at ``pts`` per period, and between the closest samples its
    cubic Hermite interpolant (values and the field's derivatives; error O(h^4), about 1e-10 of
    the attractor here), searched at 2,000 points per step."""
    tr = system.trajectory(int(periods * pts) + 1, ic=x0, pts_per_period=pts)
    y, t = tr.values, tr.t
    h = t[1] - t[0]
    s = np.linspace(0.0, 1.0, 2001)[:, None]
    basis = (2 * s**3 - 3 * s**2 + 1, s**3 - 2 * s**2 + s, -2 * s**3 + 3 * s**2, s**3 - s**2)
    best = np.inf
    for i in np.argsort(np.linalg.norm(y - p, axis=1))[:6]:
        for j in (i - 1, i):
            if 0 <= j < len(y) - 1:
                f0, f1 = np.asarray(system.rhs(y[j], t[j])), np.asarray(system.rhs(y[j + 1], t[j + 1]))
                curve = basis[0] * y[j] + basis[1] * h * f0 + basis[2] * y[j + 1] + basis[3] * h * f1
                best = min(best, float(np.linalg.norm(curve - p, axis=1).min()))
    return best


@pytest.mark.parametrize("name", ["Lorenz", "Rossler", "Halvorsen"])
def test_test_targets_lie_on_no_train_orbit(name):
    """With every initial condition a point of one orbit (the old design, decorrelation_times=0),
    some test target starts on a train trajectory's orbit (to 1e-6 of the attractor: the same
    orbit up to integration error); with each initial condition integrated from a perturbed start
    for 10 Lyapunov times, every test target stays at least 5e-5 of the attractor away from every
    train orbit (measured: 1e-4 to 2e-3), so no train trajectory holds part of a test target."""
    system = cz.get(name)
    base = Preset(name="orbits", systems=(name,), n_ics=4, periods=12.0, fine_pts=30, coarse_pts=10,
                  granularities=("fine",), noise_level=0.0, univariate=False, lyapunov=False)
    nearest = {}
    for label, preset in (("one orbit", base.replace(decorrelation_times=0.0)), ("own orbits", base)):
        res = generate_system(system, preset)
        block = next(b for b in res.blocks if b.granularity == "fine" and not b.univariate)
        split = np.asarray(block.split)
        train, test = block.values[split == "train"], block.values[split == "test"]
        scale = float(np.ptp(train.reshape(-1, train.shape[-1]), axis=0).max())
        nearest[label] = min(_orbit_distance(system, a[0], b[-len(b) // 6], 12.0) / scale
                             for a in train for b in test)
        if label == "own orbits":
            assert res.info["ic_decorrelation"]["lyapunov_times"] == pytest.approx(10.0)
    assert nearest["one orbit"] < 1e-5, nearest
    assert nearest["own orbits"] > 5e-5, nearest


def test_decorrelation_span_bounds():
    """10 Lyapunov times, but at least 2 and at most 100 periods; 0 keeps the starts."""
    preset = Preset(name="x")
    lorenz = cz.get("Lorenz")
    assert decorrelation_span(lorenz, preset) == pytest.approx(
        min(100 * lorenz.period, max(2 * lorenz.period, 10 * lorenz.lyapunov_time)))
    capped = []
    for n in cz.names(kind="flow"):
        s = cz.get(n)
        span = decorrelation_span(s, preset)
        assert 2 * s.period - 1e-9 <= span <= 100 * s.period + 1e-9, n
        if s.lyapunov_time is not None and 10 * s.lyapunov_time > 100 * s.period:
            capped.append(n)
            assert span == pytest.approx(100 * s.period)
    assert capped  # weakly chaotic flows exist, and they are bounded
    assert decorrelation_span(lorenz, preset.replace(decorrelation_times=0.0)) == 0.0


# --- bounded observables --------------------------------------------------------------------------

def _drifting_systems():
    return [n for n in cz.names() if cz.get(n).declaration.extra.get("unbounded_indices")
            or "postprocess" in cz.get(n).declaration.extra]


def test_every_unbounded_variable_has_a_bounded_transform():
    names = _drifting_systems()
    assert len(names) >= 24
    for n in names:
        assert callable(cz.get(n).declaration.extra.get("postprocess")), n


@pytest.mark.slow
@pytest.mark.parametrize("name", _drifting_systems())
def test_no_benchmark_observable_drifts(name):
    """What a model sees does not grow with the run: the spread of each observable over a run
    four times longer stays within 1.5 times its spread over the shorter run (a drifting angle
    or phase grows about four times)."""
    s = cz.get(name)
    kw = {} if s.kind == "map" else {"pts_per_period": 20}
    long = s.trajectory(2400, postprocess=True, **kw).values
    short = long[:600]
    raw = s.trajectory(2400, **kw).values
    unbounded = list(s.declaration.extra.get("unbounded_indices", ()))
    for i in range(long.shape[1]):
        assert np.ptp(long[:, i]) <= 1.5 * np.ptp(short[:, i]) + 1e-9, (name, i)
    if unbounded and s.kind != "map":  # and the raw variables did drift (the test can fail)
        assert max(np.ptp(raw[:, i]) / max(np.ptp(raw[:600, i]), 1e-12) for i in unbounded) > 1.5, name


def test_tasks_see_the_bounded_observable():
    """ForcedPendulum's univariate observable is sin(theta) in the task (bounded by 1), and the
    oracle, integrating the raw state from the task's time, reproduces the clean target."""
    task = make_task(PROTO, "ForcedPendulum", 0, PROTO.variants[0])
    assert task.variant.univariate
    assert np.abs(task.history).max() <= 1.0 and np.abs(task.target).max() <= 1.0
    assert np.ptp(task.history) > 0.5  # the angle swings: a real signal, not a constant


# --- the oracle's clock and the perfect-model ensemble ---------------------------------------------

def test_restart_at_a_later_time_needs_the_clock():
    """ForcedPendulum's field reads t (forcing cos(omega_d t)): continuing a trajectory from its
    101st sample matches it only with t_start set to that sample's time (independent check: the
    one uninterrupted integration)."""
    s = cz.get("ForcedPendulum")
    tr = s.trajectory(200, pts_per_period=50)
    dt = tr.t[1]
    again = s.trajectory(99, ic=tr.values[101], dt=dt, t_start=tr.t[101])
    assert again.t[0] == pytest.approx(tr.t[101])
    assert np.abs(again.values - tr.values[101:]).max() < 1e-6
    wrong = s.trajectory(99, ic=tr.values[101], dt=dt)
    assert np.abs(wrong.values - tr.values[101:]).max() > 1e-2
    with pytest.raises(InvalidArgumentError, match="t_start"):
        cz.get("Henon").trajectory(10, t_start=1.0)


@pytest.mark.parametrize("name", ["ForcedPendulum", "SeasonalSEIR", "Torus"])
def test_oracle_is_exact_on_time_dependent_fields(name):
    """The five flows whose field reads t: the oracle continues from the task's clock, so it is
    exact to the integration error (normalised RMSE; sMAPE is not used because SeasonalSEIR's
    variables come within 1e-9 of zero)."""
    s = run(PROTO, ["oracle"], systems=[name], variants="multi-clean", ics=1, out=_tmp(name), jobs=0,
            attractor_metrics=False, progress=False)
    assert s.ok == 1
    row = load_results(_tmp(name)).iloc[0]
    assert row["nrmse"] < 1e-4, row["nrmse"]


_TMP = {}


def _tmp(name):
    import tempfile

    return _TMP.setdefault(name, Path(tempfile.mkdtemp()) / "r")


def test_oracle_ensemble_is_the_mean_of_perturbed_members():
    """Independent reference: the members integrated one by one with ``trajectory`` from the same
    perturbed states, then averaged."""
    from chaoszoo.forecast import registry

    task = make_task(PROTO, "Lorenz", 0, [v for v in PROTO.variants if v.label == "multi-noisy"][0])
    info = task.info.replace(seed=7)
    m = registry.make("oracle-ensemble", members=5).fit(task.history, info)
    y = m.predict(20)
    priv = task.info.privileged_state
    rng = np.random.default_rng(7)
    states = priv["state"] + info.noise * priv["std"] * rng.standard_normal((5, 3))
    lorenz = cz.get("Lorenz")
    ref = np.mean([lorenz.trajectory(21, ic=x, dt=info.dt).values[1:] for x in states], axis=0)
    assert np.abs(y - ref).max() < 1e-6 * np.abs(ref).max()
    one = registry.make("oracle").fit(task.history, info).predict(20)
    assert np.abs(one - y).max() > 1e-3  # one member is not the mean
    with pytest.raises(InvalidArgumentError, match="members"):
        registry.make("oracle-ensemble", members=0)


# --- rows tied to their data ----------------------------------------------------------------------

def test_a_changed_task_fingerprint_reruns_the_row_and_verify_catches_tampering(tmp_path):
    out = tmp_path / "r"
    models = ["naive-mean", "nvar", "oracle"]
    first = run(PROTO, models, systems=["Henon"], out=out, jobs=0, progress=False)
    assert first.failed == 0 and first.redone == 0
    df = load_results(out)
    assert df["data_sha256"].str.len().eq(64).all()
    # one fingerprint per task, and the tasks of different ICs differ
    assert df.groupby(["system", "ic", "variant"])["data_sha256"].nunique().eq(1).all()
    assert df[df["variant"] == "uni-clean"]["data_sha256"].nunique() == PROTO.default_ics
    # hyperparameters searched once per system: IC 1 reuses IC 0's choice
    nvar = df[(df["model"] == "nvar")].set_index(["variant", "ic"])
    for v in ("uni-clean", "multi-noisy"):
        assert nvar.loc[(v, 1), "params"] == nvar.loc[(v, 0), "params"]
        assert nvar.loc[(v, 1), "tuning"].get("shared") is True
    # a row computed on other data (as if the engine had changed): the next run re-does it
    job = "Henon|ic1|uni-clean|nvar|default"
    con = sqlite3.connect(out / "results.sqlite")
    row = json.loads(con.execute("SELECT row FROM results WHERE job_id = ?", (job,)).fetchone()[0])
    good = json.loads(json.dumps(row))  # a deep copy
    row["data_sha256"] = "0" * 64
    row["metrics"]["smape"] = 1.0
    con.execute("UPDATE results SET row = ? WHERE job_id = ?", (json.dumps(row), job))
    con.commit()
    # verify finds the stale row (a sample covering every row of the table)
    report = verify(out, sample=len(df), jobs=0, progress=False)
    assert not report.passed and report.count("other data") == 1 and report.count("bitwise") == len(df) - 1
    again = run(PROTO, models, systems=["Henon"], out=out, jobs=0, progress=False)
    assert again.redone == 1 and again.ok == 1 and "run again" in str(again)
    fixed = load_results(out).set_index("job_id").loc[job]
    assert fixed["data_sha256"] == good["data_sha256"] and fixed["smape"] == good["metrics"]["smape"]
    # tamper with a metric only: verify says which, the CLI exits 1
    row = dict(good)
    row["metrics"] = dict(good["metrics"], smape=good["metrics"]["smape"] * (1 + 1e-6))
    con.execute("UPDATE results SET row = ? WHERE job_id = ?", (json.dumps(row), job))
    con.commit()
    con.close()
    from chaoszoo.cli import main

    res = CliRunner().invoke(main, ["forecast", "verify", str(out), "--sample", str(len(df)), "--jobs", "0",
                                    "--no-progress"])
    assert res.exit_code == 1, res.output
    assert "1 disagree" in res.output and "smape" in res.output and job in res.output
    # a sample larger than the table is refused, naming the size
    with pytest.raises(InvalidArgumentError, match=f"at most {len(df)}"):
        verify(out, sample=len(df) + 1, jobs=0, progress=False)


def test_merge_refuses_other_settings_and_mixed_data(tmp_path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    run(PROTO, ["naive-mean"], systems=["Henon"], variants="uni-clean", ics=1, out=a, jobs=0, progress=False)
    run(PROTO.replace(horizon=None, horizon_fraction=1 / 4), ["naive-mean"], systems=["Henon"],
        variants="uni-clean", ics=1, out=b, jobs=0, progress=False)
    with pytest.raises(ResultsStoreError, match="horizon_fraction"):
        merge([a, b], tmp_path / "m")
    with pytest.raises(ResultsStoreError, match="horizon_fraction"):
        load_results([a, b])
    assert not (tmp_path / "m").exists()
    # same settings, but one store's row carries another data version of the same task
    run(PROTO, ["last-value"], systems=["Henon"], variants="uni-clean", ics=1, out=c, jobs=0, progress=False)
    con = sqlite3.connect(c / "results.sqlite")
    (text,) = con.execute("SELECT row FROM results").fetchone()
    row = json.loads(text)
    row["data_sha256"] = "f" * 64
    con.execute("UPDATE results SET row = ?", (json.dumps(row),))
    con.commit()
    con.close()
    with pytest.raises(DataVersionError, match="Henon|ic0|uni-clean"):
        merge([a, c], tmp_path / "m2")
    assert not (tmp_path / "m2" / "results.sqlite").exists()


# --- damaged stores ---------------------------------------------------------------------------------

def test_damaged_stores_are_refused_and_repaired(tmp_path):
    from chaoszoo.cli import main

    garbage = tmp_path / "garbage"
    garbage.mkdir()
    (garbage / "results.sqlite").write_bytes(np.random.default_rng(0).bytes(8192))
    before = (garbage / "results.sqlite").read_bytes()
    for args in (["forecast", "leaderboard", str(garbage)], ["forecast", "report", str(garbage), "--out",
                                                                 str(tmp_path / "rep")]):
        res = CliRunner().invoke(main, args)
        assert res.exit_code != 0 and "damaged" in res.output and "repair" in res.output, res.output
        assert "Traceback" not in res.output
    assert (garbage / "results.sqlite").read_bytes() == before  # nothing written
    with pytest.raises(ResultsStoreError, match="damaged"):
        run(PROTO, ["naive-mean"], systems=["Henon"], out=garbage, jobs=0, progress=False)

    # a store partly overwritten in the middle: found by the integrity check, and repair keeps
    # every row it can read
    good = tmp_path / "good"
    run(PROTO, ["naive-mean", "last-value", "drift"], systems=["Henon", "Logistic"], out=good, jobs=0,
        progress=False)
    n = len(load_results(good))
    db = good / "results.sqlite"
    data = bytearray(db.read_bytes())
    page = 4096
    n_pages = len(data) // page
    assert n_pages > 20
    mid = n_pages * 3 // 4  # a page of the rows' tree, far from its root (page 4)
    data[mid * page: (mid + 1) * page] = b"\xff" * page
    db.write_bytes(bytes(data))
    with pytest.raises(ResultsStoreError, match="damaged"):
        load_results(good)
    copied, lost = repair(good, tmp_path / "fixed")
    assert copied + lost <= n and copied >= n // 2
    assert len(load_results(tmp_path / "fixed")) == copied


# --- no hang ---------------------------------------------------------------------------------------

def test_a_dead_ray_address_fails_fast():
    import time

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t0 = time.perf_counter()
    with pytest.raises(InvalidArgumentError, match="Nothing answers"):
        run(PROTO, ["naive-mean"], systems=["Henon"], out=None or _tmp("ray"), executor="ray",
            address=f"127.0.0.1:{port}", progress=False)
    assert time.perf_counter() - t0 < 15


def test_a_script_on_stdin_stops_at_once_with_the_reason(tmp_path):
    script = textwrap.dedent(f"""
        import chaoszoo as cz
        cz.forecast.run("short-coarse", ["naive-mean"], systems=["Henon"], out={str(tmp_path / 'o')!r}, jobs=2)
    """)
    res = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True, timeout=120,
                         cwd=tmp_path)
    assert res.returncode != 0
    assert "standard input" in res.stderr and "jobs=0" in res.stderr
    assert res.stderr.count("Traceback") <= 1  # one error, not a worker respawned for ever


def test_a_system_whose_data_fail_gives_failed_rows_on_every_run(tmp_path, monkeypatch):
    """A system whose data do not generate (as PiecewiseCircuit's in the short preset: its delay
    solver runs out of steps; here Rossler's, made to fail) gives failed rows with the reason on
    the first run, and again on a second run, which finds the failed build in the cache
    (regression: that run stopped with the DatasetError)."""
    import chaoszoo.data.generate as generate
    from chaoszoo.errors import IntegrationError

    real = generate.generate_system

    def failing(system, preset):
        if system.name == "Rossler":
            raise IntegrationError("Rossler", 1.0, {}, "made to fail by the test")
        return real(system, preset)

    monkeypatch.setattr(generate, "generate_system", failing)
    proto = PROTO.replace(preset=PROTO.preset.replace(seed=7))  # data of its own in the cache
    for _ in range(2):
        run(proto, ["naive-mean"], systems=["Rossler", "Henon"], variants="uni-clean", ics=1,
            out=tmp_path / "r", jobs=0, retry_failed=True, progress=False)
        df = load_results(tmp_path / "r").set_index("system")
        assert df.loc["Henon", "status"] == "ok"
        assert df.loc["Rossler", "status"] == "failed"
        assert "DatasetError" in df.loc["Rossler", "error"] and "made to fail" in df.loc["Rossler", "error"]
