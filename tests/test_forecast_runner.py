"""The forecasting runner end to end: rows, failure modes, kill -9 and resume, determinism,
leaderboard and report. Runs on the Henon map (cheap data, an exact oracle) with a small
protocol of the same shape as short-coarse, in a private data cache."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from chaoszoo.data.presets import Preset
from chaoszoo.errors import InvalidArgumentError, ResultsStoreError, UnknownSystemError
from chaoszoo.forecast import get_protocol, leaderboard, load_results, run, write_report
from extras import require

pytestmark = [pytest.mark.xdist_group("forecast-runner"), pytest.mark.usefixtures("private_cache")]

TESTS = Path(__file__).parent
PROTO = get_protocol("short-coarse").replace(
    name="test-short", preset=Preset(name="forecast-test", n_ics=3, periods=12.0, fine_pts=30, coarse_pts=15,
                                     noise_level=0.0, lyapunov=False, transient_periods=10.0), default_ics=1)
COMPARE = ["job_id", "status", "smape", "mse", "vpt_smape", "params", "seed", "data_sha256"]


def _compare(a, b):
    a = a.sort_values("job_id").reset_index(drop=True)[COMPARE]
    b = b.sort_values("job_id").reset_index(drop=True)[COMPARE]
    assert a.astype(str).equals(b.astype(str))


def test_rows_resume_and_determinism(tmp_path):
    models = ["naive-mean", "nvar", "analogues", "oracle"]
    s = run(PROTO, models, systems=["Henon"], out=tmp_path / "a", jobs=0, progress=False)
    assert (s.total, s.ok, s.failed) == (16, 16, 0)
    df = load_results(tmp_path / "a")
    assert set(df["variant"]) == {"uni-clean", "uni-noisy", "multi-clean", "multi-noisy"}
    assert df["protocol_version"].eq(PROTO.version).all() and df["data_sha256"].str.len().eq(64).all()
    clean = df[df["noise"] == 0]
    # the exact map from the exact state: the oracle is right to round-off for the whole horizon
    assert clean[clean["model"] == "oracle"]["smape"].max() < 1e-6
    # NVAR's quadratic features represent the Henon map exactly (multivariate): its error stays
    # small over 30 iterations (a factor e^(0.42 x 30) ~ 3e5 of growth), the mean's does not
    multi = clean[clean["variant"] == "multi-clean"].set_index("model")["smape"]
    assert multi["nvar"] < 1.0 and multi["naive-mean"] > 50
    # the noisy oracle starts from a perturbed state: worse than the clean one, and scored against clean too
    noisy = df[(df["noise"] > 0) & (df["model"] == "oracle")]
    assert (noisy["smape"] > 1.0).all() and noisy["clean_smape"].notna().all()
    # resume: nothing to do
    again = run(PROTO, models, systems=["Henon"], out=tmp_path / "a", jobs=0, progress=False)
    assert again.skipped == 16 and again.ok == 0
    # same settings in another directory (worker processes this time): the same numbers
    run(PROTO, models, systems=["Henon"], out=tmp_path / "b", jobs=2, progress=False)
    _compare(df, load_results(tmp_path / "b"))


def test_failure_modes_are_rows(tmp_path):
    bad = {"forecast_user_models:Raises": "always fails", "forecast_user_models:WrongShape": "shape",
           "forecast_user_models:NonFinite": "non-finite", "forecast_user_models:Sleeps": "time limit",
           "forecast_user_models:Crashes": "worker process died (exit code 3)"}
    s = run(PROTO, [*bad, "naive-mean"], systems=["Henon"], variants="uni-clean", out=tmp_path / "f", jobs=2,
            timeout=30, attractor_metrics=False, progress=False)
    assert (s.ok, s.failed) == (1, 5)
    df = load_results(tmp_path / "f").set_index("model")
    assert df.loc["naive-mean", "status"] == "ok"
    for model, words in bad.items():
        assert df.loc[model, "status"] == "failed"
        assert words in df.loc[model, "error"], df.loc[model, "error"]


def test_bad_input_is_refused_before_work(tmp_path):
    with pytest.raises(InvalidArgumentError, match="naive-mean"):
        run(PROTO, ["naive-meen"], systems=["Henon"], out=tmp_path / "x", jobs=0)
    with pytest.raises(UnknownSystemError, match="Henon"):
        run(PROTO, ["naive-mean"], systems=["Henonn"], out=tmp_path / "x", jobs=0)
    with pytest.raises(InvalidArgumentError, match="ics"):
        run(PROTO, ["naive-mean"], systems=["Henon"], ics=99, out=tmp_path / "x", jobs=0)
    with pytest.raises(InvalidArgumentError, match="variant"):
        run(PROTO, ["naive-mean"], systems=["Henon"], variants="uni-dirty", out=tmp_path / "x", jobs=0)
    with pytest.raises(InvalidArgumentError, match="broken on purpose"):
        run(PROTO, ["forecast_broken_module:M"], systems=["Henon"], out=tmp_path / "x", jobs=0)
    # zero-shot samples at points per Lyapunov time: a map named by the user is refused with the reason
    with pytest.raises(InvalidArgumentError, match=r"does not apply to Henon, Lozi: a map is sampled once per iteration"):
        run("zero-shot", ["naive-mean"], systems=["Lorenz", "Henon", "Lozi"], out=tmp_path / "x", jobs=0)
    assert not (tmp_path / "x").exists()
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("x")
    with pytest.raises(ResultsStoreError, match="holds no chaoszoo results"):
        run(PROTO, ["naive-mean"], systems=["Henon"], out=tmp_path / "mine", jobs=0)
    assert os.listdir(tmp_path / "mine") == ["thesis.tex"]


def _rows_in(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        con = sqlite3.connect(str(db), timeout=1)
        n = con.execute("SELECT count(*) FROM results").fetchone()[0]
        con.close()
        return n
    except sqlite3.Error:
        return 0


def test_kill_9_then_resume_equals_uninterrupted(tmp_path):
    psutil = require("psutil", "test")
    out = tmp_path / "k"
    script = ("import sys; from chaoszoo.forecast.runner import run; from chaoszoo.forecast import get_protocol; "
              "import test_forecast_runner as t; "
              "run(t.PROTO, ['forecast_user_models:Slow', 'naive-mean'], systems=['Henon'], ics=2, "
              f"out={str(out)!r}, jobs=2, progress=False)")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    # build the data first, so the kill lands among jobs
    run(PROTO, ["naive-mean"], systems=["Henon"], ics=1, variants="uni-clean", out=tmp_path / "warm", jobs=0,
        progress=False)
    proc = subprocess.Popen([sys.executable, "-c", script], env=env, cwd=str(TESTS))
    deadline = time.time() + 240
    while _rows_in(out / "results.sqlite") < 3 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.2)
    assert proc.poll() is None, "the run finished before it could be killed"
    workers = psutil.Process(proc.pid).children(recursive=True)
    assert workers
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    killed_at = time.time()
    gone, alive = psutil.wait_procs(workers, timeout=5)
    assert not alive, f"workers outlived the killed run: {alive}"
    partial = _rows_in(out / "results.sqlite")
    assert 3 <= partial < 16
    s = run(PROTO, ["forecast_user_models:Slow", "naive-mean"], systems=["Henon"], ics=2, out=out, jobs=2,
            progress=False)
    assert s.skipped == partial and s.ok + s.skipped == 16
    run(PROTO, ["forecast_user_models:Slow", "naive-mean"], systems=["Henon"], ics=2, out=tmp_path / "u", jobs=0,
        progress=False)
    _compare(load_results(out), load_results(tmp_path / "u"))
    print(f"workers gone {max(0.0, time.time() - killed_at):.2f} s after the kill")


def test_sigterm_stops_a_run_like_ctrl_c_and_records_its_wall_time(tmp_path):
    """A run started in the background by a shell ignores SIGINT; SIGTERM (kill, timeout, batch
    schedulers) must stop it as Ctrl-C does: KeyboardInterrupt (the CLI turns it into exit code
    130 and the resume hint), the workers gone, finished rows and the run's wall time saved."""
    psutil = require("psutil", "test")
    from chaoszoo.forecast.store import ResultsStore

    out = tmp_path / "t"
    run(PROTO, ["naive-mean"], systems=["Henon"], ics=1, variants="uni-clean", out=tmp_path / "warm", jobs=0,
        progress=False)  # build the data first, so the signal lands among jobs
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS), os.environ.get("PYTHONPATH", "")])}
    code = ("import sys; from chaoszoo.forecast.runner import run; import test_forecast_runner as t\n"
            "try:\n"
            "    run(t.PROTO, ['forecast_user_models:Slow', 'naive-mean'], systems=['Henon'], ics=2, "
            f"out={str(out)!r}, jobs=2, progress=False)\n"
            "except KeyboardInterrupt:\n"
            "    sys.exit(130)\n")
    started = time.time()
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=str(TESTS), stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 240
    while _rows_in(out / "results.sqlite") < 2 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.2)
    assert proc.poll() is None, "the run finished before it could be stopped"
    workers = psutil.Process(proc.pid).children(recursive=True)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    elapsed = time.time() - started
    assert proc.returncode == 130, err  # the run raised KeyboardInterrupt, as on Ctrl-C
    gone, alive = psutil.wait_procs(workers, timeout=5)
    assert not alive, f"workers outlived the stopped run: {alive}"
    with ResultsStore(out, create=False) as st:
        assert 2 <= len(st.done()) < 16
        assert 0 < st.wall_seconds <= elapsed


def test_leaderboard_report_and_cli(tmp_path):
    from click.testing import CliRunner

    from chaoszoo.cli import main

    run(PROTO, ["naive-mean", "last-value", "nvar"], systems=["Henon", "Logistic"], variants="uni-clean,multi-clean",
        out=tmp_path / "r", jobs=0, progress=False)
    lb = leaderboard(tmp_path / "r", metric="smape")
    assert set(lb["variant"]) == {"uni-clean", "multi-clean"}
    uni = lb[lb["variant"] == "uni-clean"].set_index("model")
    assert uni["mean_rank"].between(1, 3).all() and uni["n"].eq(2).all()
    md = write_report(tmp_path / "r", tmp_path / "rep")
    text = md.read_text()
    assert "## Leaderboard" in text and (tmp_path / "rep" / "ranks.png").stat().st_size > 1000
    res = CliRunner().invoke(main, ["forecast", "leaderboard", str(tmp_path / "r"), "--metric", "vpt_smape"])
    assert res.exit_code == 0 and "nvar" in res.output
    res = CliRunner().invoke(main, ["forecast", "leaderboard", str(tmp_path / "r"), "--metric", "nonsense"])
    assert res.exit_code != 0 and "Unknown metric" in res.output and "Traceback" not in res.output


def test_ray_executor_gives_the_same_rows(tmp_path):
    require("ray", "ray")
    models = ["naive-mean", "drift"]
    run(PROTO, models, systems=["Henon"], variants="uni-clean,multi-clean", out=tmp_path / "local", jobs=0,
        progress=False)
    s = run(PROTO, models, systems=["Henon"], variants="uni-clean,multi-clean", out=tmp_path / "ray",
            executor="ray", progress=False)
    assert (s.ok, s.failed) == (4, 0)
    _compare(load_results(tmp_path / "local"), load_results(tmp_path / "ray"))


def test_export_then_restore_resumes_on_another_machine(tmp_path):
    from click.testing import CliRunner

    from chaoszoo.cli import main
    from chaoszoo.forecast.store import ResultsStore, export_parquet, import_parquet

    models = ["naive-mean", "nvar"]
    first = run(PROTO, models, systems=["Henon"], variants="uni-clean,multi-noisy", out=tmp_path / "a", jobs=0,
                progress=False)
    export_parquet(tmp_path / "a", tmp_path / "x.parquet")
    with ResultsStore(tmp_path / "a", create=False) as st:
        # the store keeps the run's wall time: at least its jobs' time, at most the whole call's
        rows_s = sum(r["seconds"] for r in st.rows())
        assert rows_s <= st.wall_seconds <= first.seconds
        (tmp_path / "x.json").write_text(json.dumps({"protocol": st.protocol, "wall_seconds": 1000.0}))
    assert import_parquet(tmp_path / "x.parquet", tmp_path / "c") == 4
    export_parquet(tmp_path / "c", tmp_path / "y.parquet")  # a restored store exports the same bytes
    assert (tmp_path / "x.parquet").read_bytes() == (tmp_path / "y.parquet").read_bytes()
    a, c = load_results(tmp_path / "a"), load_results(tmp_path / "c")
    _compare(a, c)
    assert a.sort_values("job_id")["clean_smape"].astype(str).tolist() == c.sort_values("job_id")["clean_smape"].astype(str).tolist()
    # the restored directory resumes: the four jobs are done, a new model's two are not
    s = run(PROTO, models + ["last-value"], systems=["Henon"], variants="uni-clean,multi-noisy", out=tmp_path / "c",
            jobs=0, progress=False)
    assert (s.skipped, s.ok) == (4, 2)
    with ResultsStore(tmp_path / "c", create=False) as st:  # the shipped wall time plus the resumed run's
        assert 1000.0 < st.wall_seconds <= 1000.0 + s.seconds
        wall = st.wall_seconds
    s = run(PROTO, models, systems=["Henon"], variants="uni-clean", out=tmp_path / "c", jobs=0, progress=False)
    with ResultsStore(tmp_path / "c", create=False) as st:  # a run with nothing to do adds nothing
        assert s.skipped == 2 and st.wall_seconds == wall
    res = CliRunner().invoke(main, ["forecast", "restore", str(tmp_path / "x.parquet"), "--out", str(tmp_path / "d")])
    assert res.exit_code == 0 and "restored 4 rows" in res.output, res.output
    res = CliRunner().invoke(main, ["forecast", "restore", "--shipped", "nonsense", "--out", str(tmp_path / "e")])
    assert res.exit_code != 0 and "No shipped results" in res.output and "Traceback" not in res.output


def test_protocols_say_which_systems_they_apply_to():
    import chaoszoo as cz
    from chaoszoo.forecast.runner import _applicable

    zs = get_protocol("zero-shot")
    assert zs.excludes(cz.get("Lorenz")) is None and "map" in zs.excludes(cz.get("Henon"))
    assert get_protocol("short-coarse").excludes(cz.get("Henon")) is None
    maps = [n for n in cz.names() if cz.get(n).kind == "map"]
    kept = _applicable(zs, cz.names(), explicit=False)  # every system by default: the maps are left out
    assert len(maps) > 10 and not set(maps) & set(kept) and len(kept) + len(maps) <= len(cz.names())


def test_a_run_given_a_parameter_tunes_the_others_once_and_records_it(tmp_path):
    """``--param alpha=...`` fixes alpha in every row; the grid search still chooses k (2 candidates,
    not 6), on initial condition 0, and the other initial conditions reuse its choice."""
    from click.testing import CliRunner

    from chaoszoo.cli import main

    out = tmp_path / "p"
    res = CliRunner().invoke(main, ["forecast", "run", "-p", "short-coarse", "-m", "nvar", "--systems", "Henon",
                                    "--ics", "2", "--variants", "uni-clean", "--param", "alpha=1e-6",
                                    "--out", str(out), "--jobs", "0", "--no-progress"])
    assert res.exit_code == 0, res.output
    rows = load_results(out).sort_values("ic")
    assert list(rows["status"]) == ["ok", "ok"]
    for params in rows["params"]:
        params = json.loads(params) if isinstance(params, str) else params
        assert params["alpha"] == 1e-6 and params["k"] in (2, 3)
    tuning = [json.loads(t) if isinstance(t, str) else t for t in rows["tuning"]]
    assert tuning[0]["candidates"] == 2
    res = CliRunner().invoke(main, ["forecast", "run", "-p", "short-coarse", "-m", "nvar", "--systems", "Henon",
                                    "--param", "alpha", "--out", str(tmp_path / "q")])
    assert res.exit_code == 2 and "KEY=VALUE" in res.output
