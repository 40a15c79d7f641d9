"""Issue 25, the forecasting commands: bad and unusual inputs, each with its exact outcome.

Every case is one bad or unusual input to ``chaoszoo forecast protocols | models | check | run |
leaderboard | report | restore | forget | verify | repair | merge | export | reproduce | costs``
or to their Python API (``run``, ``plan``, ``load_results``, ``leaderboard``,
``wide_leaderboard``, ``write_report``, ``merge``, ``export_parquet``, ``import_parquet``,
``verify``, ``check_model``, ``registry.make/get_spec/register``, ``ResultsStore``), and asserts
one outcome:

* ``clear``: a chaoszoo error. On the command line: a non-zero exit status, exactly one line that
  starts with ``error:`` or ``Error:`` (a chaoszoo error, or click's usage error), output that
  matches ``match`` (a fragment that says what is wrong or what to do), no ``Traceback`` and no
  ``error: unexpected ...`` line (the error boundary's "a bug" line). In Python: an exception of ``chaoszoo.errors`` (the class named by ``error``)
  whose message matches ``match``. Argument errors that need no computation (``instant``) appear
  within 2 s of CPU time. Unless a case says otherwise, nothing in the case's folder changed
  (the stores it was given, the files it was asked to write, the damaged store it read).
* ``accepted``: a documented accept; ``check`` verifies the result.

The ids say which failure class of issue 25 a case guards against: ``hang-`` (no time limit, a
wait on nothing), ``traceback-`` (a raw traceback on the command line, a foreign exception type
from the API), ``silent-`` (a silent reinterpretation: an empty list meaning everything, a file
overwritten, a wrong result), ``mixing-`` (results of other settings or other data combined),
``damaged-`` (a damaged store accepted or written to) and ``own-model-`` (one's own model as a
first-class input).

Counts by outcome on the 197 cases (166 expecting a clear error, 31 an accept), measured with
``python tests/test_campaign_forecast.py --probe`` against the package of commit 209244d (before
the issue 25 work on the forecast commands) and of commit 78bb5d6:

=====================================================  =======  =======
outcome                                                209244d  78bb5d6
=====================================================  =======  =======
right: the expected clear error                             96      133
right: the documented accept, result checked                19       31
hang (no answer within the case's limit)                     0        0
raw traceback (``error: unexpected ...`` on the CLI)         3        0
foreign exception type from the Python API                  18       12
silent (went on, wrong result, changed a file)              51       20
unclear (a chaoszoo error, not the one expected)             6        1
refused (an error where an accept was due)                   4        0
=====================================================  =======  =======

(At 209244d the whole-catalog runs of an empty ``--systems`` were stopped by this module's guard
and count as silent, not as hangs; the ``forecast check`` time limit did not exist, so its case
stopped at once on the unknown option.)

Runs use the tiny protocol ``campaign-tiny`` (short-coarse's shape, 3 initial conditions of 12
periods, two variants) on the Henon and Logistic maps, whose data cost nothing, in a private data
cache shared by the module; the protocol is registered under its name for the command line while
this module runs. ``python tests/test_campaign_forecast.py --probe`` prints each case's outcome
class against the code as it is (for the counts in a report).
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pytest
from click.testing import CliRunner

from chaoszoo.cli import main
from chaoszoo.data.presets import Preset
from chaoszoo.forecast import registry, runner
from chaoszoo.forecast.protocols import PROTOCOLS, Variant, get_protocol

pytestmark = pytest.mark.xdist_group("forecast-campaign")

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
PACKAGE = REPO / "src" / "chaoszoo"
CHAOSZOO = Path(sys.executable).parent / "chaoszoo"

TINY = get_protocol("short-coarse").replace(
    name="campaign-tiny", preset=Preset(name="forecast-campaign", n_ics=3, periods=12.0, fine_pts=30, coarse_pts=15,
                                        noise_level=0.0, lyapunov=False, transient_periods=10.0),
    default_ics=1, variants=(Variant(True), Variant(False)))
#: The first line of tests/forecast_campaign_models.py's Documented docstring (read from the file, by hand).
DOCUMENTED_LINE = "Repeat the mean of the last three observations."
#: The tampered row of store C (another data fingerprint than the rest of its task).
TAMPERED = "Henon|ic0|uni-clean|last-value|default"
RANDOM_BYTES = np.random.default_rng(0).bytes(8192)
GARBAGE = b"\x00\xff\xfe not a table \x89PNG\r\n\x1a\n\x00" * 8

_STORES: dict[str, Path] = {}  # A: naive-mean and last-value; B: another horizon; C: A with mixed data
_CACHE: dict[str, str] = {}


# --- the module's stores ------------------------------------------------------------------------
def _build_stores(root: Path, cache: Path) -> None:
    """Private data cache; ``campaign-tiny`` registered by name; stores A, B and C built once."""
    os.environ["CHAOSZOO_CACHE"] = _CACHE["dir"] = str(cache)
    PROTOCOLS[TINY.name] = TINY
    common = dict(jobs=0, progress=False, attractor_metrics=False)
    runner.run(TINY, ["naive-mean", "last-value"], systems=["Henon", "Logistic"], ics=2, out=root / "A", **common)
    runner.run(TINY.replace(horizon=10, horizon_fraction=None), ["naive-mean"], systems=["Henon"], ics=1,
               out=root / "B", **common)
    shutil.copytree(root / "A", root / "C")
    con = sqlite3.connect(root / "C" / "results.sqlite")
    row = json.loads(con.execute("SELECT row FROM results WHERE job_id = ?", (TAMPERED,)).fetchone()[0])
    row["data_sha256"] = "f" * 64
    con.execute("UPDATE results SET row = ? WHERE job_id = ?", (json.dumps(row), TAMPERED))
    con.commit()
    con.close()
    _STORES.update(A=root / "A", B=root / "B", C=root / "C")
    import pandas  # noqa: F401 - imports paid once, not by the first timed case
    import pyarrow.parquet  # noqa: F401

    registry.list_models()


@pytest.fixture(scope="module", autouse=True)
def stores(tmp_path_factory):
    old = os.environ.get("CHAOSZOO_CACHE")
    try:
        _build_stores(tmp_path_factory.mktemp("stores"), tmp_path_factory.mktemp("cache"))
        yield _STORES
    finally:
        PROTOCOLS.pop(TINY.name, None)
        if old is None:
            os.environ.pop("CHAOSZOO_CACHE", None)
        else:
            os.environ["CHAOSZOO_CACHE"] = old


# --- the case type and its helpers -------------------------------------------------------------
@dataclass
class Case:
    id: str
    args: list | None = None             # command line; {tmp} {A} {B} {C} {D} {port} are filled in
    call: Callable | None = None         # Python API: call(ctx)
    expect: str = "clear"                # "clear" or "accepted"
    match: str = ""                      # regex the error message (or output) must contain
    error: str = "ChaoszooError"         # Python: the chaoszoo.errors class expected
    setup: Callable | None = None        # setup(ctx): input files
    check: Callable | None = None        # accepted: check(ctx, result); clear: extra check after the error
    instant: bool = True                 # an argument error: within 2 s of CPU time
    untouched: bool = True               # clear: the case's folder is left exactly as set up
    exit_code: int = 0                   # accepted command lines: the exit status (1: a failed report)
    wall: float | None = None            # clear: the error must also come within this many wall seconds


@dataclass
class Ctx:
    tmp: Path
    work_started: list = field(default_factory=list)

    def __getattr__(self, name):  # ctx.A, ctx.B, ctx.C: this case's copies of the stores
        if name in ("A", "B", "C"):
            return self.tmp / name
        if name == "D":
            return self.tmp / "D"
        raise AttributeError(name)


class Hang(Exception):
    """A subprocess gave no answer within its limit."""


class WorkStarted(Exception):
    """The run started building data for more systems than any case names (the whole catalog)."""


def _write(path: Path, data) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


def _tree(root: Path) -> dict:
    """``{relative path: sha256}`` of every file under ``root`` (directories as ``'dir'``)."""
    out = {}
    for p in sorted(root.rglob("*")):
        if "cache" in p.relative_to(root).parts[:1]:
            continue
        out[str(p.relative_to(root))] = "dir" if p.is_dir() else hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def _job_ids(store: Path) -> dict:
    """``{job_id: (status, smape)}`` of a store, read with sqlite3 directly (not with chaoszoo)."""
    con = sqlite3.connect(f"file:{store / 'results.sqlite'}?mode=ro", uri=True)
    try:
        return {j: (s, v) for j, s, v in con.execute(
            "SELECT job_id, status, json_extract(row, '$.metrics.smape') FROM results")}
    finally:
        con.close()


def _rows(store: Path) -> list[dict]:
    con = sqlite3.connect(f"file:{store / 'results.sqlite'}?mode=ro", uri=True)
    try:
        return [json.loads(r[0]) for r in con.execute("SELECT row FROM results")]
    finally:
        con.close()


def _dead_port() -> int:
    with socket.socket() as s:  # bound, then closed: nothing listens there
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _spawn(argv, ctx, limit: float, stdin: str | None = None, env: dict | None = None) -> tuple[int, str]:
    """Run ``argv`` in a fresh process (its own process group) in the case's folder; a process
    still running after ``limit`` seconds is killed with its group and the case is a hang."""
    path = os.pathsep.join(p for p in (str(TESTS), os.environ.get("PYTHONPATH", "")) if p)
    full_env = {**os.environ, "CHAOSZOO_CACHE": _CACHE["dir"], "PYTHONPATH": path, **(env or {})}
    full_env.pop("CHAOSZOO_DEBUG", None)
    proc = subprocess.Popen(argv, cwd=ctx.tmp, env=full_env, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        out, _ = proc.communicate(stdin, timeout=limit)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise Hang(f"no answer in {limit:g} s: {' '.join(map(str, argv))[:200]}") from None
    return proc.returncode, out


# setups
def damaged(kind: str):
    """``D``: a copy of store A damaged in one way."""
    def make(ctx):
        data = (_STORES["A"] / "results.sqlite").read_bytes()
        page = 4096
        n = len(data) // page
        if kind == "random":
            data = RANDOM_BYTES
        elif kind == "truncated":
            data = data[: len(data) // 2]
        elif kind == "page":
            assert n >= 8, n
            data = data[: (n // 2) * page] + b"\xff" * page + data[(n // 2 + 1) * page:]
        elif kind == "empty":
            data = b""
        elif kind == "foreign":
            ctx.D.mkdir()
            con = sqlite3.connect(ctx.D / "results.sqlite")
            con.execute("CREATE TABLE notes (text TEXT)")
            con.execute("INSERT INTO notes VALUES ('mine')")
            con.commit()
            con.close()
            return
        _write(ctx.D / "results.sqlite", data)
    return make


def files(named: dict):
    """Files in the case's folder: ``{relative path: bytes or str}``."""
    def make(ctx):
        for name, data in named.items():
            _write(ctx.tmp / name, data)
    return make


def chain(*setups):
    def make(ctx):
        for s in setups:
            s(ctx)
    return make


def exported(name="e.parquet", sidecar=True, table=None, side_text=None):
    """An export of store A written by hand (pandas), with a sidecar holding A's settings (read
    from A's meta table with sqlite3), or the given table / sidecar text."""
    def make(ctx):
        import pandas as pd

        path = ctx.tmp / name
        if table == "garbage":
            _write(path, GARBAGE)
        elif table == "foreign":
            pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}).to_parquet(path)
        else:
            rows = []
            for r in _rows(ctx.A):
                flat = {k: v for k, v in r.items() if k not in ("metrics", "missing") and not isinstance(v, (dict, list))}
                flat.update(r.get("metrics") or {})
                rows.append(flat)
            pd.DataFrame(rows).to_parquet(path)
        if sidecar:
            con = sqlite3.connect(f"file:{ctx.A / 'results.sqlite'}?mode=ro", uri=True)
            settings = json.loads(con.execute("SELECT value FROM meta WHERE key = 'protocol'").fetchone()[0])
            con.close()
            text = side_text if side_text is not None else json.dumps({"protocol": settings})
            _write(path.with_suffix(".json"), text)
    return make


# checks
def no_rows(name="out"):
    """No result row was written into ``name`` (it may not exist)."""
    def check(ctx, res):
        db = ctx.tmp / name / "results.sqlite"
        assert not db.exists() or not _job_ids(ctx.tmp / name), f"rows were written into {name}"
    return check


def rows_ok(name="out", n=1, model=None):
    def check(ctx, res):
        got = _job_ids(ctx.tmp / name)
        assert len(got) == n and all(s == "ok" for s, _ in got.values()), got
        if model is not None:
            assert all(model in j.split("|")[3] for j in got), list(got)
        return True
    return check


def output_has(*fragments, absent=()):
    def check(ctx, res):
        for f in fragments:
            assert f in res.output, (f, res.output[-600:])
        for a in absent:
            assert a not in res.output, (a, res.output[-600:])
        return True
    return check


def same_rows_as_a(name):
    """The store ``name`` holds exactly store A's rows (job ids, statuses, sMAPE bit for bit)."""
    def check(ctx, res):
        assert _job_ids(ctx.tmp / name) == _job_ids(ctx.A)
        return True
    return check


# API helpers
def _run(ctx, models=("naive-mean",), out="out", **kw):
    options = dict(systems=["Henon"], variants="uni-clean", ics=1, jobs=0, progress=False, attractor_metrics=False)
    options.update(kw)
    if isinstance(models, tuple):
        models = list(models)
    return runner.run(TINY, models, out=(ctx.tmp / out) if isinstance(out, str) else out, **options)


def _verify():
    try:
        from chaoszoo.forecast.verification import verify
    except ImportError:
        from chaoszoo.forecast.verify import verify
    return verify


def _api(name):
    """A function of the forecast API by module: ``store.merge``, ``ranking.leaderboard``..."""
    import importlib

    module, attr = name.rsplit(".", 1)
    return getattr(importlib.import_module(f"chaoszoo.forecast.{module}"), attr)


def _frame(ctx, store="A"):
    return _api("store.load_results")(ctx.tmp / store)


def _user(name):
    import forecast_user_models

    return getattr(forecast_user_models, name)


def _campaign(name):
    import forecast_campaign_models

    return getattr(forecast_campaign_models, name)


def run_args(*extra, m="naive-mean", systems="Henon", out="{tmp}/out"):
    args = ["forecast", "run", "-p", TINY.name, "-m", m]
    if systems is not None:
        args += ["--systems", systems]
    return args + ["--variants", "uni-clean", "--ics", "1", "--jobs", "0", "--no-progress", "--no-attractor-metrics",
                   "--out", out, *extra]


def _local_class(ctx):
    class Local:
        """Defined inside a function: no worker process can import it."""

        def fit(self, history, info):
            self.h = np.asarray(history)
            return self

        def predict(self, horizon):
            return np.tile(self.h[-1], (horizon, 1))

    return _run(ctx, [Local], jobs=1)


def _wide_with_documented(ctx):
    """The wide leaderboard's method column of a user's model: its docstring's first line."""
    _run(ctx, ["naive-mean", "forecast_campaign_models:Documented"])
    return _api("ranking.wide_leaderboard")(ctx.tmp / "out")


def _bootstrap_independent(ctx, lb):
    """A model's interval does not change when other models are added to the table."""
    df = _frame(ctx)
    full = _api("ranking.leaderboard")(df)
    alone = _api("ranking.leaderboard")(df[df["model"] == "naive-mean"].reset_index(drop=True))
    cols = ["variant", "ci_low", "ci_high"]
    a = full[full["model"] == "naive-mean"][cols].sort_values("variant").reset_index(drop=True)
    b = alone[alone["model"] == "naive-mean"][cols].sort_values("variant").reset_index(drop=True)
    assert len(a) == 2 and np.isfinite(a[["ci_low", "ci_high"]].to_numpy()).all(), a
    assert a.equals(b), (a, b)
    return True


def _stdin_script(ctx):
    script = textwrap.dedent(f"""
        import chaoszoo as cz
        cz.forecast.run("short-coarse", ["naive-mean"], systems=["Henon"], out={str(ctx.tmp / 'o')!r}, jobs=2)
    """)
    return _spawn([sys.executable, "-"], ctx, 90, stdin=script)


def _stdin_stops(ctx, res):
    code, out = res
    assert code != 0 and "standard input" in out and "jobs=0" in out, out[-800:]
    assert out.count("Traceback") <= 1, out[-800:]  # one error, not a worker respawned for ever
    assert not (ctx.tmp / "o").exists()
    return True


def _check_with_limit(ctx):
    t0 = time.perf_counter()
    code, out = _spawn([str(CHAOSZOO), "forecast", "check", "forecast_user_models:Sleeps", "--timeout", "3"], ctx, 120)
    return code, out, time.perf_counter() - t0


def _check_stops(ctx, res):
    code, out, seconds = res
    assert code == 1 and re.search(r"time limit|timed out|exceeded", out), out[-800:]
    assert "Traceback" not in out and "No such option" not in out, out[-800:]
    assert seconds < 60, seconds
    return True


def _debug_traceback(ctx):
    (ctx.tmp / "empty").mkdir()
    return _spawn([str(CHAOSZOO), "--debug", "forecast", "leaderboard", str(ctx.tmp / "empty")], ctx, 90)


def _debug_shows(ctx, res):
    code, out = res
    assert code != 0 and "Traceback" in out and "ResultsStoreError" in out, out[-800:]
    return True


def _cwd_model(ctx):
    """A model module in the current folder only (not on sys.path)."""
    _write(ctx.tmp / "campaign_cwd_model.py", '"""A model in the current folder."""\n'
           "import numpy as np\n\n\nclass Here:\n    \"\"\"The last value, from a module in the current folder.\"\"\"\n\n"
           "    def fit(self, history, info):\n        self.h = np.asarray(history)\n        return self\n\n"
           "    def predict(self, horizon):\n        return np.tile(self.h[-1], (horizon, 1))\n")


def _raising_module(ctx):
    _write(ctx.tmp / "campaign_raising_module.py", 'raise RuntimeError("this module fails at import")\n')


def _horizon_recorded(ctx, res):
    con = sqlite3.connect(f"file:{ctx.tmp / 'out' / 'results.sqlite'}?mode=ro", uri=True)
    settings = json.loads(con.execute("SELECT value FROM meta WHERE key = 'protocol'").fetchone()[0])
    con.close()
    assert settings["horizon"] == 10 and settings["history"] == 40, settings
    rows = _rows(ctx.tmp / "out")
    assert len(rows) == 1 and rows[0]["status"] == "ok", rows
    assert rows[0]["horizon"] == 10 and rows[0]["history_len"] == 40, rows[0]
    return True


def _described(ctx, res):
    rows = _rows(ctx.tmp / "out")
    assert rows and all(r["status"] == "ok" for r in rows), rows
    for r in rows:
        assert DOCUMENTED_LINE in (r.get("description"), r.get("method")), (r.get("description"), r.get("method"))
    return True


def _csv_written(ctx, res):
    import pandas as pd

    data = (ctx.tmp / "x.csv").read_bytes()
    assert not data.startswith(b"PAR1"), "a Parquet file was written under the .csv name"
    df = pd.read_csv(ctx.tmp / "x.csv")
    assert sorted(df["job_id"]) == sorted(_job_ids(ctx.A)), df.columns
    return True


def _parquet_of_a(name):
    def check(ctx, res):
        import pandas as pd

        df = pd.read_parquet(ctx.tmp / name)
        assert sorted(df["job_id"]) == sorted(_job_ids(ctx.A))
        return True
    return check


def _restored(fmt):
    def call(ctx):
        res = CliRunner().invoke(main, ["forecast", "export", str(ctx.A), "--out", str(ctx.tmp / f"x.{fmt}")])
        assert res.exit_code == 0, res.output
        return CliRunner().invoke(main, ["forecast", "restore", str(ctx.tmp / f"x.{fmt}"), "--out", str(ctx.tmp / "r")])
    return call


def _repaired(ctx, res):
    got = _job_ids(ctx.tmp / "fixed")
    assert 1 <= len(got) <= len(_job_ids(ctx.A)), len(got)
    full = _job_ids(ctx.A)
    assert all(full[j] == v for j, v in got.items())  # every copied row is a row of the undamaged store
    assert (ctx.D / "results.sqlite").read_bytes() != (ctx.A / "results.sqlite").read_bytes()
    return True


def _register(spec_kw):
    def call(ctx):
        return registry.register(registry.ModelSpec(**{
            "name": "campaign-mine", "target": "forecast_campaign_models:Documented", "family": "user",
            "description": "a model", **spec_kw}))
    return call


DAMAGED = r"damaged.*chaoszoo forecast repair"

# --- the cases ----------------------------------------------------------------------------------
CASES = [
    # ================= hang: no wait without a limit ===================================
    Case("hang-run-default-timeout-1800", call=lambda ctx: inspect.signature(runner.run).parameters["timeout"].default,
         expect="accepted", check=lambda ctx, v: v == 1800),
    Case("hang-run-help-shows-timeout", ["forecast", "run", "--help"], expect="accepted",
         check=output_has("--timeout", "1800")),
    Case("hang-run-timeout-zero-is-no-limit", run_args("--timeout", "0"), expect="accepted", check=rows_ok()),
    Case("hang-run-timeout-negative", run_args("--timeout", "-1"), match="timeout"),
    Case("hang-run-timeout-nan", run_args("--timeout", "nan"), match="timeout"),
    Case("hang-run-max-memory-negative", run_args("--max-memory", "-5"), match="max.memory"),
    Case("hang-api-timeout-string", call=lambda ctx: _run(ctx, timeout="x"), error="InvalidArgumentError",
         match="timeout"),
    Case("hang-api-timeout-negative", call=lambda ctx: _run(ctx, timeout=-5), error="InvalidArgumentError",
         match="timeout"),
    Case("hang-api-max-memory-nan", call=lambda ctx: _run(ctx, max_memory_mb=float("nan")),
         error="InvalidArgumentError", match="max_memory"),
    Case("hang-check-default-limit", call=lambda ctx: inspect.signature(_api("conformance.check_model"))
         .parameters["timeout"].default, expect="accepted", check=lambda ctx, v: 0 < v < float("inf")),
    Case("hang-check-stops-at-its-time-limit", call=_check_with_limit, expect="accepted", check=_check_stops),
    Case("hang-check-timeout-negative", ["forecast", "check", "naive-mean", "--timeout", "-1"], match="timeout"),
    Case("hang-ray-dead-address", run_args("--executor", "ray", "--address", "127.0.0.1:{port}"),
         match="Nothing answers|address", instant=False, wall=15),
    Case("hang-ray-dead-address-api",
         call=lambda ctx: _run(ctx, executor="ray", address=f"127.0.0.1:{_dead_port()}"),
         error="InvalidArgumentError", match="address", instant=False, wall=15),
    Case("hang-ray-address-not-host-port", run_args("--executor", "ray", "--address", "nonsense"), match="host:port"),
    Case("hang-address-without-ray-executor", run_args("--address", "127.0.0.1:{port}"), match="address",
         instant=False, wall=15),
    Case("hang-stdin-script-with-workers", call=_stdin_script, expect="accepted", check=_stdin_stops),
    Case("hang-verify-timeout-negative", ["forecast", "verify", "{A}", "--timeout", "-5"], match="timeout"),
    Case("hang-verify-api-timeout-string", call=lambda ctx: _verify()(ctx.A, timeout="x", jobs=0, progress=False),
         error="InvalidArgumentError", match="timeout"),

    # ================= traceback: one chaoszoo error, never a foreign exception =========
    Case("traceback-run-out-none", call=lambda ctx: _run(ctx, out=None), error="InvalidArgumentError", match="out"),
    Case("traceback-run-out-int", call=lambda ctx: _run(ctx, out=42), error="InvalidArgumentError", match="out"),
    Case("traceback-run-jobs-negative", call=lambda ctx: _run(ctx, jobs=-1), error="InvalidArgumentError",
         match="jobs"),
    Case("traceback-run-jobs-string", call=lambda ctx: _run(ctx, jobs="2"), error="InvalidArgumentError",
         match="jobs"),
    Case("traceback-run-ics-zero", call=lambda ctx: _run(ctx, ics=0), error="InvalidArgumentError", match="ics"),
    Case("traceback-run-ics-string", call=lambda ctx: _run(ctx, ics="2"), error="InvalidArgumentError", match="ics"),
    Case("traceback-run-ics-above-preset", run_args("--ics", "99"), match="ics must be an integer from 1 to 3"),
    Case("traceback-run-jobs-negative-cli", run_args("--jobs", "-1"), match="--jobs"),
    Case("traceback-run-ics-not-a-number", run_args("--ics", "abc"), match="--ics"),
    Case("traceback-protocols-extra-argument", ["forecast", "protocols", "short-coarse"], match="unexpected extra|Got"),
    Case("traceback-run-executor-unknown", call=lambda ctx: _run(ctx, executor="dask"),
         error="InvalidArgumentError", match="executor"),
    Case("traceback-run-protocol-unknown", ["forecast", "run", "-p", "short-corse", "-m", "naive-mean", "--out",
                                            "{tmp}/out"], match="Did you mean 'short-coarse'"),
    Case("traceback-run-protocol-int", call=lambda ctx: runner.run(3, ["naive-mean"], out=ctx.tmp / "out", jobs=0),
         error="InvalidArgumentError", match="Unknown protocol"),
    Case("traceback-run-systems-int", call=lambda ctx: _run(ctx, systems=3), error="InvalidArgumentError",
         match="systems"),
    Case("traceback-run-variants-int", call=lambda ctx: _run(ctx, variants=3), error="InvalidArgumentError",
         match="variant"),
    Case("traceback-run-params-not-dict", call=lambda ctx: _run(ctx, params="k=3"), error="InvalidArgumentError",
         match="params"),
    Case("traceback-run-model-int", call=lambda ctx: _run(ctx, [3]), error="InvalidArgumentError", match="model"),
    Case("traceback-run-models-none", call=lambda ctx: _run(ctx, None), error="InvalidArgumentError",
         match="at least one model"),
    Case("traceback-leaderboard-metric-unknown", call=lambda ctx: _api("ranking.leaderboard")(_frame(ctx),
                                                                                              metric="nosuch"),
         error="InvalidArgumentError", match="Unknown metric 'nosuch'"),
    Case("traceback-leaderboard-not-a-frame", call=lambda ctx: _api("ranking.leaderboard")(42),
         error="InvalidArgumentError"),
    Case("traceback-leaderboard-list-of-dicts", call=lambda ctx: _api("ranking.leaderboard")([{"model": "x"}]),
         error="InvalidArgumentError"),
    Case("traceback-leaderboard-by-unknown", call=lambda ctx: _api("ranking.leaderboard")(_frame(ctx), by="nosuch"),
         error="InvalidArgumentError", match="Cannot group by"),
    Case("traceback-leaderboard-by-int", call=lambda ctx: _api("ranking.leaderboard")(_frame(ctx), by=3),
         error="InvalidArgumentError", match="by"),
    Case("traceback-leaderboard-frame-without-rows-columns",
         call=lambda ctx: _api("ranking.leaderboard")(__import__("pandas").DataFrame({"smape": [1.0, 2.0]})),
         error="InvalidArgumentError"),
    Case("traceback-leaderboard-n-boot-string", call=lambda ctx: _api("ranking.leaderboard")(_frame(ctx),
                                                                                             n_boot="many"),
         error="InvalidArgumentError", match="n_boot"),
    Case("traceback-wide-leaderboard-variant-unknown",
         call=lambda ctx: _api("ranking.wide_leaderboard")(_frame(ctx), variants=["nosuch"]),
         error="InvalidArgumentError", match="Unknown variants"),
    Case("traceback-load-results-int", call=lambda ctx: _api("store.load_results")(42), error="InvalidArgumentError"),
    Case("traceback-load-results-status-unknown", call=lambda ctx: _api("store.load_results")(ctx.A, status="good"),
         error="InvalidArgumentError", match="status must be"),
    Case("traceback-report-out-none", call=lambda ctx: _api("report.write_report")(ctx.A, None),
         error="InvalidArgumentError", match="out"),
    Case("traceback-report-metric-unknown", ["forecast", "report", "{A}", "--out", "{tmp}/rep", "--metric", "nosuch"],
         match="nosuch"),
    Case("traceback-report-variant-unknown", ["forecast", "report", "{A}", "--out", "{tmp}/rep", "--variant",
                                              "nosuch"], match="Unknown variant 'nosuch'"),
    Case("traceback-merge-out-none", call=lambda ctx: _api("store.merge")([ctx.A], None),
         error="InvalidArgumentError", match="out"),
    Case("traceback-merge-sources-int", call=lambda ctx: _api("store.merge")(3, ctx.tmp / "m"),
         error="InvalidArgumentError"),
    Case("traceback-export-out-none", call=lambda ctx: _api("store.export_parquet")(ctx.A, None),
         error="InvalidArgumentError"),
    Case("traceback-restore-garbage-table", ["forecast", "restore", "{tmp}/e.parquet", "--out", "{tmp}/r"],
         setup=exported(table="garbage"), match="e.parquet"),
    Case("traceback-restore-foreign-table", ["forecast", "restore", "{tmp}/e.parquet", "--out", "{tmp}/r"],
         setup=exported(table="foreign"), match="e.parquet"),
    Case("traceback-restore-sidecar-not-json", ["forecast", "restore", "{tmp}/e.parquet", "--out", "{tmp}/r"],
         setup=exported(side_text="{not json"), match="e.json"),
    Case("traceback-import-sidecar-without-protocol",
         call=lambda ctx: _api("store.import_parquet")(ctx.tmp / "e.parquet", ctx.tmp / "r"),
         setup=exported(side_text='{"rows": 3}'), error="InvalidArgumentError", match="protocol"),
    Case("traceback-import-no-file", call=lambda ctx: _api("store.import_parquet")(ctx.tmp / "no.parquet",
                                                                                   ctx.tmp / "r"),
         error="InvalidArgumentError", match="no.parquet"),
    Case("traceback-restore-neither-file-nor-shipped", ["forecast", "restore", "--out", "{tmp}/r"],
         match="one of the two"),
    Case("traceback-restore-shipped-unknown", ["forecast", "restore", "--shipped", "nosuch", "--out", "{tmp}/r"],
         match="No shipped results"),
    Case("traceback-verify-sample-string", call=lambda ctx: _verify()(ctx.A, sample="3", jobs=0, progress=False),
         error="InvalidArgumentError", match="sample"),
    Case("traceback-verify-nothing-given", call=lambda ctx: _verify()(None, jobs=0, progress=False),
         error="InvalidArgumentError", match="one of the two"),
    Case("traceback-verify-model-not-in-results", ["forecast", "verify", "{A}", "-m", "nvar", "--jobs", "0"],
         match="No rows of"),
    Case("traceback-verify-sample-zero", ["forecast", "verify", "{A}", "--sample", "0"], match="sample"),
    Case("traceback-check-horizon-zero",
         call=lambda ctx: __import__("chaoszoo.forecast.conformance", fromlist=["x"]).check_model("naive-mean",
                                                                                                  horizon=0),
         error="InvalidArgumentError", match="horizon"),
    Case("traceback-check-instance", call=lambda ctx: __import__(
        "chaoszoo.forecast.conformance", fromlist=["x"]).check_model(_user("MeanOfLast")()), match="instance"),
    Case("traceback-check-int", call=lambda ctx: __import__(
        "chaoszoo.forecast.conformance", fromlist=["x"]).check_model(42)),
    Case("traceback-make-unknown", call=lambda ctx: registry.make("naive-maen"), error="InvalidArgumentError",
         match="Did you mean 'naive-mean'"),
    Case("traceback-make-bad-argument", call=lambda ctx: registry.make("naive-mean", window=3),
         error="InvalidArgumentError", match="does not accept"),
    Case("traceback-get-spec-none", call=lambda ctx: registry.get_spec(None), error="InvalidArgumentError",
         match="non-empty string"),
    Case("traceback-get-spec-bad-path", call=lambda ctx: registry.get_spec(":Documented"),
         error="InvalidArgumentError", match="package.module:Class"),
    Case("traceback-register-not-a-spec", call=lambda ctx: registry.register("campaign-mine"),
         error="InvalidArgumentError", match="ModelSpec"),
    Case("traceback-register-taken-name", call=_register({"name": "naive-mean"}), error="InvalidArgumentError",
         match="already registered"),
    Case("traceback-store-none", call=lambda ctx: _api("store.ResultsStore")(None), error="InvalidArgumentError"),
    Case("traceback-store-settings-without-name",
         call=lambda ctx: _api("store.ResultsStore")(ctx.tmp / "new", {"horizon": 3}), error="InvalidArgumentError"),
    Case("traceback-store-settings-not-a-dict",
         call=lambda ctx: _api("store.ResultsStore")(ctx.tmp / "new", "short-coarse"), error="InvalidArgumentError"),
    Case("traceback-forget-nothing-named", ["forecast", "forget", "{A}"], match="models or systems"),
    Case("traceback-debug-shows-the-traceback", call=_debug_traceback, expect="accepted", check=_debug_shows),

    # ================= silent: no reinterpretation, no overwrite =========================
    Case("silent-run-systems-empty", run_args(systems=""), match="systems"),
    Case("silent-run-systems-comma", run_args(systems=","), match="systems"),
    Case("silent-run-models-empty", run_args(m=""), match="model"),
    Case("silent-api-run-systems-empty-list", call=lambda ctx: _run(ctx, systems=[]), error="InvalidArgumentError",
         match="systems"),
    Case("silent-api-run-systems-empty-string", call=lambda ctx: _run(ctx, systems=""),
         error="InvalidArgumentError", match="systems"),
    Case("silent-run-tag-repeated", run_args("--tag", "map", "--tag", "chaotic"), match="--tag"),
    Case("silent-run-model-twice-comma", run_args(m="naive-mean,naive-mean"), match="naive-mean"),
    Case("silent-run-model-twice-repeated", run_args("-m", "naive-mean"), match="naive-mean"),
    Case("silent-api-run-model-twice", call=lambda ctx: _run(ctx, ["naive-mean", "naive-mean"]),
         error="InvalidArgumentError", match="twice"),
    Case("silent-plan-model-twice", call=lambda ctx: runner.plan(TINY, "naive-mean,naive-mean", ["Henon"]),
         error="InvalidArgumentError", match="twice"),
    Case("silent-plan-no-systems", call=lambda ctx: runner.plan(TINY, ["naive-mean"], []),
         error="InvalidArgumentError", match="system"),
    Case("silent-plan-unknown-system", call=lambda ctx: runner.plan(TINY, ["naive-mean"], ["Nosuch"]),
         error="UnknownSystemError", match="Nosuch"),
    Case("silent-run-variants-empty", run_args("--variants", ""), match="variant"),
    Case("silent-run-variant-twice", run_args("--variants", "uni-clean,uni-clean"), match="uni-clean"),
    Case("silent-run-out-folder-of-other-files", run_args(), setup=files({"out/notes.txt": "mine"}),
         match="not empty"),
    Case("silent-run-out-is-a-file", run_args(out="{tmp}/f.txt"), setup=files({"f.txt": "mine"}), match="f.txt"),
    Case("silent-run-horizon-and-history-recorded", run_args("--horizon", "10", "--history", "40"),
         expect="accepted", check=_horizon_recorded),
    Case("silent-run-horizon-zero", run_args("--horizon", "0"), match="horizon"),
    Case("silent-run-history-one", run_args("--history", "1"), match="history"),
    Case("silent-run-horizon-longer-than-the-data", run_args("--horizon", "100000"), match="horizon|100000",
         instant=False),
    Case("silent-models-family-unknown", ["forecast", "models", "--family", "nosuch"], match="nosuch"),
    Case("silent-forget-model-not-in-results", ["forecast", "forget", "{A}", "-m", "nvar"], match="nvar"),
    Case("silent-forget-models-empty", ["forecast", "forget", "{A}", "-m", ""], match="models"),
    Case("silent-export-csv-is-csv", ["forecast", "export", "{A}", "--out", "{tmp}/x.csv"], expect="accepted",
         check=_csv_written),
    Case("silent-export-other-extension", ["forecast", "export", "{A}", "--out", "{tmp}/x.txt"], match=r"\.parquet"),
    Case("silent-export-no-extension", ["forecast", "export", "{A}", "--out", "{tmp}/x"], match=r"\.parquet"),
    Case("silent-api-export-other-extension", call=lambda ctx: _api("store.export_parquet")(ctx.A, ctx.tmp / "x.xlsx"),
         error="InvalidArgumentError", match=r"\.parquet"),
    Case("silent-export-foreign-parquet-kept", ["forecast", "export", "{A}", "--out", "{tmp}/x.parquet"],
         setup=files({"x.parquet": GARBAGE}), match="--force"),
    Case("silent-export-foreign-csv-kept", ["forecast", "export", "{A}", "--out", "{tmp}/x.csv"],
         setup=files({"x.csv": "my,own\n1,2\n"}), match="--force"),
    Case("silent-export-force-replaces", ["forecast", "export", "{A}", "--out", "{tmp}/x.parquet", "--force"],
         setup=files({"x.parquet": GARBAGE}), expect="accepted", check=_parquet_of_a("x.parquet")),
    Case("silent-export-replaces-its-own-export", ["forecast", "export", "{A}", "--out", "{tmp}/x.parquet"],
         setup=lambda ctx: CliRunner().invoke(main, ["forecast", "export", str(ctx.B), "--out",
                                                     str(ctx.tmp / "x.parquet")]),
         expect="accepted", check=_parquet_of_a("x.parquet")),
    Case("silent-export-restore-parquet-round-trip", call=_restored("parquet"), expect="accepted",
         check=same_rows_as_a("r")),
    Case("silent-export-restore-csv-round-trip", call=_restored("csv"), expect="accepted", check=same_rows_as_a("r")),
    Case("silent-leaderboard-baseline-not-in-results", ["forecast", "leaderboard", "{A}", "--baseline", "nvar"],
         match="nvar"),
    Case("silent-wide-leaderboard-baseline-not-in-results", ["forecast", "leaderboard", "{A}", "--wide",
                                                             "--baseline", "nvar"], match="nvar"),
    Case("silent-api-leaderboard-baseline-not-in-results",
         call=lambda ctx: _api("ranking.leaderboard")(_frame(ctx), baseline="nvar"), error="InvalidArgumentError",
         match="nvar"),
    Case("silent-wide-leaderboard-top-negative", ["forecast", "leaderboard", "{A}", "--wide", "--top", "-1"],
         match="top"),
    Case("silent-api-wide-leaderboard-top-negative",
         call=lambda ctx: _api("ranking.wide_leaderboard")(_frame(ctx), top=-1), error="InvalidArgumentError",
         match="top"),
    Case("silent-leaderboard-by-nothing", ["forecast", "leaderboard", "{A}", "--by", ""], expect="accepted",
         check=lambda ctx, res: res.output.splitlines()[0].startswith("| model |") or res.output),
    Case("silent-leaderboard-a-file", ["forecast", "leaderboard", "{tmp}/f.txt"], setup=files({"f.txt": "mine"}),
         match="f.txt"),
    Case("silent-leaderboard-empty-folder", ["forecast", "leaderboard", "{tmp}/empty"],
         setup=lambda ctx: (ctx.tmp / "empty").mkdir(), match="No results in"),
    Case("silent-leaderboard-folder-of-other-files", ["forecast", "leaderboard", "{tmp}/other"],
         setup=files({"other/a.txt": "x", "other/b.csv": "1,2"}), match="No results in"),
    Case("silent-report-empty-folder", ["forecast", "report", "{tmp}/empty", "--out", "{tmp}/rep"],
         setup=lambda ctx: (ctx.tmp / "empty").mkdir(), match="No results in"),
    Case("silent-merge-folder-of-other-files", ["forecast", "merge", "{tmp}/other", "--out", "{tmp}/m"],
         setup=files({"other/a.txt": "x"}), match="No results in"),
    Case("silent-export-empty-folder", ["forecast", "export", "{tmp}/empty", "--out", "{tmp}/x.parquet"],
         setup=lambda ctx: (ctx.tmp / "empty").mkdir(), match="No results in"),
    Case("silent-costs-folder-of-other-files", ["forecast", "costs", "{tmp}/other"],
         setup=files({"other/a.txt": "x"}), match="No results in"),
    Case("silent-verify-empty-folder", ["forecast", "verify", "{tmp}/empty"],
         setup=lambda ctx: (ctx.tmp / "empty").mkdir(), match="No results in"),
    Case("silent-forget-empty-folder", ["forecast", "forget", "{tmp}/empty", "-m", "naive-mean"],
         setup=lambda ctx: (ctx.tmp / "empty").mkdir(), match="No results in"),
    Case("silent-repair-empty-folder", ["forecast", "repair", "{tmp}/empty", "--out", "{tmp}/fixed"],
         setup=lambda ctx: (ctx.tmp / "empty").mkdir(), match="No results in"),
    Case("silent-reproduce-empty-folder", ["forecast", "reproduce", "{tmp}/empty"],
         setup=lambda ctx: (ctx.tmp / "empty").mkdir(), match="No results in"),
    Case("silent-models-family-empty", ["forecast", "models", "--family", ""], match="family"),
    Case("silent-api-load-results-a-file", call=lambda ctx: _api("store.load_results")(ctx.tmp / "f.txt"),
         setup=files({"f.txt": "mine"}), error="ResultsStoreError", match="is a file"),
    Case("silent-report-shipped-needs-out", ["forecast", "report", "--shipped", "short-coarse"], match="--out"),

    # ================= mixing: other settings, other data ==============================
    Case("mixing-merge-other-horizon", ["forecast", "merge", "{A}", "{B}", "--out", "{tmp}/m"], match="horizon"),
    Case("mixing-merge-into-other-horizon", ["forecast", "merge", "{A}", "--out", "{B}"], match="horizon"),
    Case("mixing-leaderboard-other-horizon", ["forecast", "leaderboard", "{A}", "{B}"], match="horizon"),
    Case("mixing-export-other-horizon", ["forecast", "export", "{A}", "{B}", "--out", "{tmp}/x.parquet"],
         match="horizon"),
    Case("mixing-costs-other-horizon", ["forecast", "costs", "{A}", "{B}"], match="horizon"),
    Case("mixing-reproduce-other-horizon", ["forecast", "reproduce", "{A}", "{B}"], match="horizon"),
    Case("mixing-api-load-other-horizon", call=lambda ctx: _api("store.load_results")([ctx.A, ctx.B]),
         error="ResultsStoreError", match="horizon"),
    Case("mixing-api-merge-other-horizon", call=lambda ctx: _api("store.merge")([ctx.A, ctx.B], ctx.tmp / "m"),
         error="ResultsStoreError", match="horizon"),
    Case("mixing-api-verify-other-horizon", call=lambda ctx: _verify()([ctx.A, ctx.B], jobs=0, progress=False),
         error="ResultsStoreError", match="horizon"),
    Case("mixing-merge-mixed-data", ["forecast", "merge", "{A}", "{C}", "--out", "{tmp}/m"],
         match="different versions"),
    Case("mixing-api-merge-mixed-data", call=lambda ctx: _api("store.merge")([ctx.A, ctx.C], ctx.tmp / "m"),
         error="DataVersionError", match=re.escape(TAMPERED.rsplit("|", 2)[0])),
    Case("mixing-leaderboard-mixed-data", ["forecast", "leaderboard", "{C}"], match="different versions"),
    Case("mixing-api-leaderboard-mixed-data", call=lambda ctx: _api("ranking.leaderboard")(_frame(ctx, "C")),
         error="DataVersionError", match="Henon"),
    Case("mixing-api-wide-leaderboard-mixed-data", call=lambda ctx: _api("ranking.wide_leaderboard")(ctx.C),
         error="DataVersionError", match="Henon"),
    Case("mixing-report-mixed-data", ["forecast", "report", "{C}", "--out", "{tmp}/rep"], match="different versions"),
    Case("mixing-bootstrap-independent-of-other-models", call=lambda ctx: None, expect="accepted",
         check=_bootstrap_independent),

    # ================= damaged stores: refused, named, nothing written ===================
    Case("damaged-random-leaderboard", ["forecast", "leaderboard", "{D}"], setup=damaged("random"), match=DAMAGED),
    Case("damaged-random-load", call=lambda ctx: _api("store.load_results")(ctx.D), setup=damaged("random"),
         error="ResultsStoreError", match=DAMAGED),
    Case("damaged-random-run-into", run_args(out="{D}"), setup=damaged("random"), match=DAMAGED),
    Case("damaged-random-merge-from", ["forecast", "merge", "{D}", "--out", "{tmp}/m"], setup=damaged("random"),
         match=DAMAGED),
    Case("damaged-random-merge-into", ["forecast", "merge", "{A}", "--out", "{D}"], setup=damaged("random"),
         match=DAMAGED),
    Case("damaged-random-export", ["forecast", "export", "{D}", "--out", "{tmp}/x.parquet"], setup=damaged("random"),
         match=DAMAGED),
    Case("damaged-random-forget", ["forecast", "forget", "{D}", "-m", "naive-mean"], setup=damaged("random"),
         match=DAMAGED),
    Case("damaged-random-verify", ["forecast", "verify", "{D}", "--jobs", "0"], setup=damaged("random"),
         match=DAMAGED),
    Case("damaged-random-costs", ["forecast", "costs", "{D}"], setup=damaged("random"), match=DAMAGED),
    Case("damaged-random-restore-into", ["forecast", "restore", "{tmp}/e.parquet", "--out", "{D}"],
         setup=chain(damaged("random"), exported()), match="damaged|holds results"),
    Case("damaged-random-repair-refused", ["forecast", "repair", "{D}", "--out", "{tmp}/fixed"],
         setup=damaged("random"), match="damaged"),
    Case("damaged-truncated-load", call=lambda ctx: _api("store.load_results")(ctx.D), setup=damaged("truncated"),
         error="ResultsStoreError", match=DAMAGED),
    Case("damaged-truncated-report", ["forecast", "report", "{D}", "--out", "{tmp}/rep"], setup=damaged("truncated"),
         match=DAMAGED),
    Case("damaged-page-load", call=lambda ctx: _api("store.load_results")(ctx.D), setup=damaged("page"),
         error="ResultsStoreError", match=DAMAGED),
    Case("damaged-page-run-into", call=lambda ctx: _run(ctx, out=ctx.D), setup=damaged("page"),
         error="ResultsStoreError", match=DAMAGED),
    Case("damaged-page-repair", ["forecast", "repair", "{D}", "--out", "{tmp}/fixed"], setup=damaged("page"),
         expect="accepted", check=_repaired),
    Case("damaged-empty-file-load", call=lambda ctx: _api("store.load_results")(ctx.D), setup=damaged("empty"),
         error="ResultsStoreError"),
    Case("damaged-foreign-sqlite-load", call=lambda ctx: _api("store.load_results")(ctx.D), setup=damaged("foreign"),
         error="ResultsStoreError", match="not written by chaoszoo|not a chaoszoo"),
    Case("damaged-foreign-sqlite-run-into", run_args(out="{D}"), setup=damaged("foreign"),
         match="not written by chaoszoo|not a chaoszoo"),

    # ================= one's own model, first-class ===================================
    Case("own-model-run-class", call=lambda ctx: _run(ctx, [_user("MeanOfLast")]), expect="accepted",
         check=rows_ok(model="MeanOfLast")),
    Case("own-model-run-path", call=lambda ctx: _run(ctx, ["forecast_user_models:MeanOfLast"]), expect="accepted",
         check=rows_ok(model="MeanOfLast")),
    Case("own-model-rows-carry-docstring-line", call=lambda ctx: _run(ctx, ["forecast_campaign_models:Documented"]),
         expect="accepted", check=_described),
    Case("own-model-check-class", call=lambda ctx: __import__(
        "chaoszoo.forecast.conformance", fromlist=["x"]).check_model(_user("MeanOfLast")),
         expect="accepted", check=lambda ctx, rep: rep.passed or str(rep)),
    Case("own-model-check-path", call=lambda ctx: _api("conformance.check_model")("forecast_user_models:MeanOfLast"),
         expect="accepted", check=lambda ctx, rep: rep.passed or str(rep)),
    Case("own-model-wide-leaderboard-method", call=_wide_with_documented, expect="accepted",
         check=lambda ctx, text: DOCUMENTED_LINE in text or text),
    Case("own-model-check-raises-is-a-failed-report", ["forecast", "check", "forecast_user_models:Raises"],
         expect="accepted", exit_code=1, check=output_has("FAILED", "always fails")),
    Case("own-model-check-unknown-name", call=lambda ctx: __import__(
        "chaoszoo.forecast.conformance", fromlist=["x"]).check_model("nosuchmodel"),
         error="InvalidArgumentError", match="Unknown model 'nosuchmodel'"),
    Case("own-model-check-unknown-name-cli", ["forecast", "check", "nosuchmodel"], match="Unknown model 'nosuchmodel'"),
    Case("own-model-check-missing-class-cli", ["forecast", "check", "forecast_user_models:Nope"], match="Nope"),
    Case("own-model-no-predict", call=lambda ctx: _run(ctx, ["forecast_campaign_models:NoPredict"]),
         match="predict", check=no_rows()),
    Case("own-model-no-predict-cli", run_args(m="forecast_campaign_models:NoPredict"), match="predict",
         check=no_rows()),
    Case("own-model-predict-not-callable", call=lambda ctx: _run(ctx, ["forecast_campaign_models:PredictNotCallable"]),
         match="predict", check=no_rows()),
    Case("own-model-constructor-needs-argument", call=lambda ctx: _run(ctx, ["forecast_campaign_models:NeedsArgument"]),
         match="width|argument", check=no_rows()),
    Case("own-model-constructor-rejects-params",
         call=lambda ctx: _run(ctx, ["forecast_campaign_models:NoArguments"], params={"k": 5}),
         match="argument|k", check=no_rows()),
    Case("own-model-not-a-class", run_args(m="forecast_campaign_models:NOT_A_CLASS"), match="not a class|class",
         check=no_rows()),
    Case("own-model-a-function", call=lambda ctx: _run(ctx, ["forecast_campaign_models:a_function"]),
         match="class|fit", check=no_rows()),
    Case("own-model-instance", call=lambda ctx: _run(ctx, [_campaign("Documented")()]),
         error="InvalidArgumentError", match="class", check=no_rows()),
    Case("own-model-local-class", call=_local_class, error="InvalidArgumentError", match="top level|module",
         check=no_rows()),
    Case("own-model-module-raises-on-import", run_args(m="campaign_raising_module:X"), setup=_raising_module,
         match="campaign_raising_module.*fails at import|RuntimeError"),
    Case("own-model-module-import-error", run_args(m="forecast_broken_module:Model"), match="forecast_broken_module"),
    Case("own-model-missing-attribute", run_args(m="forecast_user_models:Nope"), match="Nope"),
    Case("own-model-unknown-name", run_args(m="nvr"), match="Did you mean 'nvar'"),
    Case("own-model-in-current-folder", run_args(m="campaign_cwd_model:Here"), setup=_cwd_model, expect="accepted",
         check=rows_ok(model="Here")),

    # ================= documented accepts of every command ============================
    Case("accept-protocols", ["forecast", "protocols"], expect="accepted", check=output_has("short-coarse",
                                                                                         "zero-shot")),
    Case("accept-models-family", ["forecast", "models", "--family", "baseline"], expect="accepted",
         check=output_has("naive-mean", absent=("nbeats",))),
    Case("accept-leaderboard", ["forecast", "leaderboard", "{A}"], expect="accepted",
         check=output_has("naive-mean", "last-value", "uni-clean", "multi-clean")),
    Case("accept-costs", ["forecast", "costs", "{A}"], expect="accepted", check=output_has("naive-mean", "last-value")),
    Case("accept-merge", ["forecast", "merge", "{A}", "--out", "{tmp}/m"], expect="accepted",
         check=same_rows_as_a("m")),
    Case("accept-verify-one-row", ["forecast", "verify", "{A}", "--sample", "1", "--jobs", "0", "--no-progress"],
         expect="accepted", check=output_has("1 of 1 agree")),
    Case("accept-forget-one-model", ["forecast", "forget", "{A}", "-m", "last-value"], expect="accepted",
         check=lambda ctx, res: sorted({j.split("|")[3] for j in _job_ids(ctx.A)}) == ["naive-mean"]),
]


# --- running a case -----------------------------------------------------------------------------
def outcome(case: Case, ctx: Ctx) -> tuple[str, str, float, float]:
    """Run ``case``: ``(class, detail, cpu seconds, wall seconds)``.

    Classes: ``clear`` / ``accepted`` (the expected outcomes), ``hang`` (no answer within the
    case's limit), ``traceback`` (a ``Traceback`` or ``unexpected`` on the command line),
    ``foreign`` (the API raised an exception that is not a chaoszoo error), ``silent`` (it went
    on where an error was due, gave a wrong result, or changed what it had to leave alone),
    ``unclear`` (a chaoszoo error of another class, exit status or message than expected), and
    ``refused`` (an error where an accept was due).
    """
    import chaoszoo.errors as errors

    if case.setup:
        case.setup(ctx)
    before = _tree(ctx.tmp)
    t_cpu, t_wall = time.process_time(), time.perf_counter()

    def elapsed():
        return time.process_time() - t_cpu, time.perf_counter() - t_wall

    def left_alone() -> str | None:
        if case.check:
            try:
                case.check(ctx, None)
            except Exception as err:  # noqa: BLE001
                return f"check after the error: {err!r}"[:400]
        if case.untouched:
            after = _tree(ctx.tmp)
            if after != before:
                changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
                return f"changed the case's folder: {changed[:6]}"
        return None

    if case.args is not None:
        args = [a.replace("{tmp}", str(ctx.tmp)).replace("{A}", str(ctx.A)).replace("{B}", str(ctx.B))
                .replace("{C}", str(ctx.C)).replace("{D}", str(ctx.D)) for a in case.args]
        if any("{port}" in a for a in args):
            port = str(_dead_port())
            args = [a.replace("{port}", port) for a in args]
        res = CliRunner().invoke(main, args)
        cpu, wall = elapsed()
        out = res.output
        crashed = res.exception is not None and not isinstance(res.exception, SystemExit)
        if ctx.work_started:
            return "silent", f"started work on {ctx.work_started[0]} systems: {out[-300:]}", cpu, wall
        if "Traceback" in out or re.search(r"^error: unexpected ", out, flags=re.M) or crashed:
            return "traceback", (repr(res.exception) if crashed else out)[-400:], cpu, wall
        if case.expect == "accepted":
            if res.exit_code != case.exit_code:
                return "refused", f"exit {res.exit_code}: {out[-400:]}", cpu, wall
            try:
                ok = case.check(ctx, res) if case.check else True
            except Exception as err:  # noqa: BLE001 - a check that fails: a wrong result
                return "silent", f"check failed: {err!r}"[:500], cpu, wall
            return ("accepted" if ok is True else "silent"), f"check: {str(ok)[:300]}", cpu, wall
        if res.exit_code == 0:
            return "silent", f"exit 0: {out[-400:]}", cpu, wall
        why = left_alone()
        if why:
            return "silent", why, cpu, wall
        lines = [ln for ln in out.splitlines() if re.match(r"(error|Error): ", ln)]
        if len(lines) != 1 or not re.search(case.match, out, flags=re.S):
            return "unclear", f"exit {res.exit_code}: {out[-400:]}", cpu, wall
        return "clear", out[-400:], cpu, wall

    try:
        value = case.call(ctx)
    except Hang as err:
        cpu, wall = elapsed()
        return "hang", str(err), cpu, wall
    except Exception as err:  # noqa: BLE001 - classified below
        cpu, wall = elapsed()
        if ctx.work_started:
            return "silent", f"started work on {ctx.work_started[0]} systems", cpu, wall
        text = f"{type(err).__name__}: {str(err)[:300]}"
        if not isinstance(err, errors.ChaoszooError):
            return "foreign", text, cpu, wall
        if case.expect == "accepted":
            return "refused", text, cpu, wall
        why = left_alone()
        if why:
            return "silent", why, cpu, wall
        if not isinstance(err, getattr(errors, case.error)) or not re.search(case.match, str(err), flags=re.S):
            return "unclear", text, cpu, wall
        return "clear", text, cpu, wall
    cpu, wall = elapsed()
    if case.expect != "accepted":
        return "silent", f"returned {str(value)[:300]!r}", cpu, wall
    try:
        ok = case.check(ctx, value) if case.check else True
    except Exception as err:  # noqa: BLE001
        return "silent", f"check failed: {err!r}"[:500], cpu, wall
    return ("accepted" if ok is True else "silent"), f"check: {str(ok)[:300]}", cpu, wall


def _package_files() -> dict:
    """Every file of the package but its Python sources and caches: what a default could write."""
    return {str(p): p.stat().st_mtime_ns for p in PACKAGE.rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts}


def _prepare(ctx: Ctx, monkeypatch) -> None:
    for name in ("A", "B", "C"):
        shutil.copytree(_STORES[name], ctx.tmp / name)
    monkeypatch.chdir(ctx.tmp)
    monkeypatch.delenv("CHAOSZOO_DEBUG", raising=False)
    monkeypatch.setattr(registry, "_USER", dict(registry._USER))
    # the current folder is importable only if the CLI makes it so
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", ".", str(ctx.tmp), os.getcwd())])
    real = runner._ensure_data

    def guarded(protocol, systems, *args, **kwargs):
        if len(systems) > 3:  # no case names more than two systems: this is the whole catalog
            ctx.work_started.append(len(systems))
            raise WorkStarted(f"data for {len(systems)} systems")
        return real(protocol, systems, *args, **kwargs)

    monkeypatch.setattr(runner, "_ensure_data", guarded)


@pytest.mark.timeout(240)
@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_case(case, tmp_path, monkeypatch):
    ctx = Ctx(tmp_path)
    _prepare(ctx, monkeypatch)
    package = _package_files()
    try:
        cls, detail, cpu, wall = outcome(case, ctx)
    finally:
        for mod in ("campaign_cwd_model", "campaign_raising_module"):
            sys.modules.pop(mod, None)
    assert _package_files() == package, "the case wrote into the package"
    assert cls == case.expect, f"{cls}: {detail}"
    if case.expect == "clear" and case.instant:
        assert cpu < 2.0, f"the argument error took {cpu:.2f} s of CPU: work started before the check"
    if case.wall is not None:
        assert wall < case.wall, f"the error took {wall:.1f} s"


def test_the_campaign_has_enough_cases():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)) and len(ids) >= 75
    prefixes = {i.split("-")[0] for i in ids}
    assert {"hang", "traceback", "silent", "mixing", "damaged", "own"} <= prefixes, prefixes
    assert sum(c.expect == "accepted" for c in CASES) >= 15


COLD = [["forecast", "run", "-p", "short-corse", "-m", "naive-mean", "--out", "x"],
        ["forecast", "run", "-p", "short-coarse", "-m", "naive-mean", "--systems", "", "--out", "x"],
        ["forecast", "check", "nosuchmodel"],
        ["forecast", "leaderboard", "."]]


@pytest.mark.parametrize("args", COLD, ids=["-".join(a[1:3]) + f"-{i}" for i, a in enumerate(COLD)])
def test_argument_errors_are_fast_from_a_cold_start(args, tmp_path):
    """In a fresh process (imports included) an argument error costs under 2 s of CPU, writes
    nothing, and prints one error line without a traceback."""
    import resource

    env = {**os.environ, "CHAOSZOO_CACHE": str(tmp_path / "cache")}
    env.pop("CHAOSZOO_DEBUG", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run([str(CHAOSZOO), *args], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    lines = [ln for ln in proc.stderr.splitlines() if re.match(r"(error|Error): ", ln)]
    assert proc.returncode != 0 and len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr[-600:]
    assert cpu < 2.0, f"{cpu:.2f} s of CPU"
    assert wall < 20.0, f"{wall:.1f} s"
    assert sorted(p.name for p in tmp_path.iterdir()) in ([], ["cache"])


# --- the measurement behind a report's counts -------------------------------------------------
def _probe() -> None:  # pragma: no cover - a measurement, not a test
    """Print every case's outcome class against the code as it is, and the counts by class."""
    import collections
    import tempfile

    class MP:  # a minimal monkeypatch
        def __init__(self):
            self.undo = []

        def setattr(self, obj, name, value):
            self.undo.append((obj, name, getattr(obj, name)))
            setattr(obj, name, value)

        def chdir(self, path):
            old = os.getcwd()
            self.undo.append((os, "chdir", old))
            os.chdir(path)

        def delenv(self, name, raising=False):
            os.environ.pop(name, None)

        def restore(self):
            for obj, name, old in reversed(self.undo):
                if obj is os and name == "chdir":
                    os.chdir(old)
                else:
                    setattr(obj, name, old)

    _build_stores(Path(tempfile.mkdtemp(prefix="stores")), Path(tempfile.mkdtemp(prefix="cache")))
    counts = collections.Counter()
    for case in CASES:
        with tempfile.TemporaryDirectory() as d:
            ctx, mp = Ctx(Path(d)), MP()
            _prepare(ctx, mp)
            try:
                cls, detail, cpu, wall = outcome(case, ctx)
            except Exception as err:  # noqa: BLE001
                cls, detail, cpu, wall = "probe-error", repr(err), 0.0, 0.0
            finally:
                mp.restore()
        slow = case.expect == "clear" and case.instant and cpu >= 2.0
        right = cls == case.expect and not slow
        counts[cls if not right else ("accepted" if cls == "accepted" else "clear")] += 1
        print(f"{'ok ' if right else 'BAD'} {cls:9s} {case.id:50s} {cpu:5.2f}s {detail[:160]!r}", flush=True)
    print(json.dumps(dict(counts), indent=1))


if __name__ == "__main__":  # pragma: no cover
    if "--probe" in sys.argv:
        sys.path.insert(0, str(TESTS))
        _probe()
