"""Issue 25, the commands other than ``forecast``: bad and unusual inputs, each with its exact outcome.

Every case is one bad or unusual input to ``chaoszoo list/show/simulate/plot/run``, ``dataset``,
``annotate``, ``features``, ``symbolic``, ``experiment`` or ``atlas``, or to their Python APIs,
and asserts one outcome class:

* ``clear``: a chaoszoo error. On the command line: exit status 2, one ``error:`` line (or click's
  usage error) whose text matches ``match`` (a fragment that says what to do), no ``Traceback``,
  no ``unexpected``. In Python: an exception of ``chaoszoo.errors`` (``error``) matching ``match``.
  Argument errors that need no computation (``instant``) appear in under 2 s.
* ``accepted``: a documented accept; ``check`` verifies the result.

Where a case must also leave a file untouched, ``check`` runs after the error too.

Counts by class, on the 181 cases of this file (12 of them accepts), each case run in its own
process against the code as found (the CLI's error boundary already in place) and after the
fixes, by ``python tests/test_campaign_commands.py --probe SRC`` (120 s per case):

=========================================================  ======  =====
class                                                      before  after
=========================================================  ======  =====
right (the clear error, or the accept with a right result)     45    181
traceback (an "unexpected ..." exception at the CLI, or a
foreign exception type from the Python API)                    44      0
silent wrong result (exit 0 / a normal return where an
error was due, a user's file overwritten, a wrong result,
or work that went on for minutes: a whole-catalog run
started by an empty --systems)                                 59      0
unclear error (a chaoszoo error with exit status 1, after
the work, or with a message that does not say what to do)      28      0
refused (an error where the accept was due)                      4      0
hang (waited on a Ray address where nothing listens)            1      0
=========================================================  ======  =====

Eight of the "unclear" and "refused" cases before use options the fixes added (``--ship``,
``--force``, ``--no-results``, ``--no-features``): six usage errors, two refusals. Argument
errors appear in under 2 s in-process (asserted per case) and from a cold start
(``test_argument_errors_are_fast_from_a_cold_start``: 0.2-0.5 s measured on this 2-core machine).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest
from click.testing import CliRunner

from chaoszoo.cli import main

REPO = Path(__file__).resolve().parents[1]
GARBAGE = b"\x00\xff\xfe garbage \x89PNG\r\n\x1a\n\x00" * 8
FAST12 = ("Lorenz", "Rossler", "Thomas", "Chen", "Duffing", "DoublePendulum", "Henon", "Logistic", "Ikeda",
          "MackeyGlass", "HindmarshRose", "Lorenz96")


@dataclass
class Case:
    id: str
    args: list | None = None             # command line ({tmp} is the case's folder)
    call: Callable | None = None         # Python API: call(tmp)
    expect: str = "clear"                # "clear" or "accepted"
    match: str = ""                      # regex the error message must contain
    error: str = "ChaoszooError"         # Python: the chaoszoo.errors class expected
    setup: Callable | None = None        # setup(tmp): input files
    check: Callable | None = None        # check(tmp, result): for "accepted", and "nothing changed" after errors
    instant: bool = True                 # an argument error: under 2 s
    slow: bool = False
    hang_risk: bool = False              # the code as found could wait forever (the probe calls a timeout a hang)
    env: dict = field(default_factory=dict)


# --- helpers for setups and checks ------------------------------------------------------------
def _write(path: Path, data) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())
    return path


def garbage(*names):
    return lambda tmp: [_write(tmp / n, GARBAGE) for n in names]


def text(name, content):
    return lambda tmp: _write(tmp / name, content)


def foreign_parquet(name):
    def make(tmp):
        import pandas as pd

        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}).to_parquet(tmp / name)
    return make


def unchanged(name, content=GARBAGE):
    """After the error: ``tmp/name`` still holds ``content`` (nothing was overwritten)."""
    def check(tmp, res):
        assert (tmp / name).read_bytes() == (content if isinstance(content, bytes) else content.encode()), name
    return check


def parquet_unchanged(name):
    def check(tmp, res):
        import pandas as pd

        assert list(pd.read_parquet(tmp / name).columns) == ["a", "b"], name
    return check


def nothing_new(*allowed):
    """After the error: the case folder holds only ``allowed`` names and the cache."""
    def check(tmp, res):
        extra = sorted(p.name for p in tmp.iterdir() if p.name not in {"cache", *allowed})
        assert extra == [], extra
    return check


def both(*checks):
    def check(tmp, res):
        for c in checks:
            c(tmp, res)
    return check


def chain(*setups):
    def make(tmp):
        for s in setups:
            s(tmp)
    return make


def manifest(tmp, doc, folder="ds"):
    _write(tmp / folder / "manifest.json", json.dumps(doc))


GOOD_MANIFEST = {"format": "chaoszoo-dataset", "format_version": 1, "preset": {"name": "quick"}, "systems": {},
                 "failed": {}, "files": {}, "trajectories": 0, "package_version": "0.1.0", "catalog_version": "x"}


def features_table(systems, name="table.parquet"):
    """Rows of the shipped catch22 table for ``systems`` (data, not a result of the code under test)."""
    def make(tmp):
        import pandas as pd

        from chaoszoo.features import CATCH22_PATH

        t = pd.read_parquet(CATCH22_PATH)
        t[t["system"].isin(systems)].to_parquet(tmp / name)
    return make


def symbolic_results(name="r.parquet", systems=("Lorenz",), altered=False, sidecar=True):
    """A finished results file of `symbolic run --fast --methods sindy-poly` (made by hand)."""
    def make(tmp):
        import hashlib
        from dataclasses import asdict

        import pandas as pd

        from chaoszoo.symbolic import FAST

        path = tmp / name
        pd.DataFrame({"system": list(systems), "method": "sindy-poly", "dimension": 3, "polynomial": True,
                      "degree": 2, "status": "ok", "smape": 1.0, "recall": 1.0, "precision": 1.0,
                      "coef_error": 0.0, "exact": False, "seconds": 0.1}).to_parquet(path)
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        if altered:
            data = bytearray(path.read_bytes())
            data[len(data) // 2] ^= 0xFF
            path.write_bytes(bytes(data))
        if sidecar:
            path.with_suffix(".json").write_text(json.dumps({
                "command": "chaoszoo symbolic run --fast", "generator": "chaoszoo symbolic run", "sha256": sha,
                "settings": {"protocol": asdict(FAST)}}))
    return make


def importance_results(tmp):
    """An importance-sampling results file of `--fast` with one system (made by hand)."""
    from dataclasses import asdict

    from chaoszoo.experiments.importance import FAST

    row = {"system": "Lorenz", "full_smape": 0.5, "full_seconds": 1.0, "importance_smape": 0.4,
           "importance_seconds": 2.0, "random_smape": 0.6, "random_seconds": 3.0}
    _write(tmp / "exp" / "importance_sampling.json", json.dumps({
        "settings": asdict(FAST), "seed": 0, "systems": {"Lorenz": row}, "failed": {}}))


def fake_site(tmp):
    from chaoszoo.atlas import MARKER

    _write(tmp / "site" / "index.html", "<html></html>")
    _write(tmp / "site" / MARKER, json.dumps({"format": 1, "files": ["index.html"]}))


def run_folder(tmp):
    """A `chaoszoo forecast run` folder with one result (through the forecast store's public API)."""
    from chaoszoo.forecast.store import ResultsStore

    with ResultsStore(tmp / "run", {"name": "toy-run", "version": 1}) as st:
        st.put({"job_id": "j1", "system": "Lorenz", "model": "mymodel", "status": "ok", "variant": "multi-clean",
                "metrics": {"smape": 12.5}})


def listed(*want, absent=()):
    def check(tmp, res):
        names = [ln.split()[0] for ln in res.output.splitlines() if ln.strip() and not ln[0].isdigit()
                 and ":" not in ln.split()[0]]
        for w in want:
            assert w in names, (w, res.output[-500:])
        for a in absent:
            assert a not in names, (a, res.output[-500:])
    return check


def every_tag(*tags):
    def check(tmp, res):
        import chaoszoo as cz

        names = [ln.split()[0] for ln in res.output.splitlines() if ln.strip() and ln.split()[0] in cz.names()]
        assert names, res.output
        for n in names:
            assert set(tags) <= set(cz.get(n).tags), n
        each = [set(cz.names(tag=t)) for t in tags]
        assert set(names) == set.intersection(*each)
        assert all(len(names) < len(e) for e in each)  # an intersection, not the last tag only
    return check


# --- the cases -------------------------------------------------------------------------------
def _features_api(tmp):
    from chaoszoo.features import compute

    return compute


CASES = [
    # ---- list / show ----
    Case("list-tag-unknown", ["list", "--tag", "nonsense"], match="Unknown tag 'nonsense'. Known tags:"),
    Case("list-tag-empty", ["list", "--tag", ""], match="Unknown tag ''"),
    Case("list-tag-repeated-checks-each", ["list", "--tag", "chaotic", "--tag", "map"], match="Unknown tag 'chaotic'"),
    Case("list-two-tags-intersect", ["list", "--tag", "chemistry", "--tag", "stiff"], expect="accepted",
         check=every_tag("chemistry", "stiff")),
    Case("list-kind-bogus", ["list", "--kind", "bogus"], match="Invalid value for '--kind'"),
    Case("show-misspelt", ["show", "Lornez"], match="Did you mean 'Lorenz'"),
    Case("show-empty", ["show", ""], match="Unknown system ''.*chaoszoo list"),
    Case("show-wrong-case", ["show", "lorenz"], match="Did you mean 'Lorenz'"),
    # ---- simulate / plot / run ----
    Case("simulate-n-negative", ["simulate", "Lorenz", "--n", "-5", "--out", "{tmp}/x.npy"], match="positive integer"),
    Case("simulate-pts-zero", ["simulate", "Lorenz", "--pts-per-period", "0", "--out", "{tmp}/x.npy"],
         match="pts_per_period must be a positive integer"),
    Case("simulate-dt-nan", ["simulate", "Lorenz", "--dt", "nan", "--out", "{tmp}/x.npy"],
         match="dt must be a positive, finite number"),
    Case("simulate-noise-negative", ["simulate", "Lorenz", "--noise", "-1", "--out", "{tmp}/x.npy"],
         match="noise must be a non-negative number"),
    Case("simulate-transient-negative", ["simulate", "Lorenz", "--transient", "-1", "--out", "{tmp}/x.npy"],
         match="transient must be a non-negative integer"),
    Case("simulate-param-nan", ["simulate", "Lorenz", "-p", "rho=nan", "--out", "{tmp}/x.npy"],
         match="'rho' must be finite"),
    Case("simulate-param-no-value", ["simulate", "Lorenz", "-p", "rho", "--out", "{tmp}/x.npy"],
         match="--param expects NAME=VALUE"),
    Case("simulate-param-no-name", ["simulate", "Lorenz", "-p", "=3", "--out", "{tmp}/x.npy"],
         match="--param expects NAME=VALUE"),
    Case("simulate-param-twice", ["simulate", "Lorenz", "-p", "rho=10", "-p", "rho=28", "--out", "{tmp}/x.npy"],
         match="--param rho is given twice", check=nothing_new()),
    Case("simulate-param-misspelt", ["simulate", "Lorenz", "-p", "rh0=3", "--out", "{tmp}/x.npy"], match="'rho'"),
    Case("simulate-map-pts", ["simulate", "Henon", "--pts-per-period", "10", "--out", "{tmp}/x.npy"],
         match="does not apply to a map"),
    Case("simulate-dt-and-pts", ["simulate", "Lorenz", "--dt", "0.01", "--pts-per-period", "5", "--out", "{tmp}/x.npy"],
         match="Give at most one of"),
    Case("simulate-seed-negative", ["simulate", "Lorenz", "--noise", "0.1", "--seed", "-1", "--out", "{tmp}/x.npy"],
         match="seed must be a non-negative integer"),
    Case("simulate-out-directory", ["simulate", "Lorenz", "--out", "{tmp}"], match="is a directory"),
    Case("simulate-unknown", ["simulate", "Lornez", "--out", "{tmp}/x.csv"], match="Did you mean 'Lorenz'"),
    Case("plot-out-missing-dir", ["plot", "Lorenz", "--out", "{tmp}/no/such/x.png"], match="create it first"),
    Case("run-periods-negative", ["run", "--periods", "-3", "--out", "{tmp}/g.png"], match="--periods must be"),
    Case("run-jobs-negative", ["run", "--jobs", "-1", "--out", "{tmp}/g.png"], match="--jobs must be"),
    # ---- dataset ----
    Case("dataset-preset-unknown", ["dataset", "build", "--preset", "huge", "--out", "{tmp}/d"],
         match="quick, standard, large", check=nothing_new()),
    Case("dataset-systems-empty", ["dataset", "build", "--systems", "", "--out", "{tmp}/d"],
         match="give at least one name", check=nothing_new()),
    Case("dataset-systems-commas", ["dataset", "build", "--systems", " , ", "--out", "{tmp}/d"],
         match="give at least one name", check=nothing_new()),
    Case("dataset-systems-misspelt", ["dataset", "build", "--systems", "Lornez", "--out", "{tmp}/d"],
         match="Did you mean 'Lorenz'", check=nothing_new()),
    Case("dataset-out-is-file", ["dataset", "build", "--systems", "Lorenz", "--out", "{tmp}/f"],
         setup=garbage("f"), match="is a file", check=unchanged("f")),
    Case("dataset-out-foreign", ["dataset", "build", "--systems", "Lorenz", "--out", "{tmp}/d", "--no-progress"],
         setup=text("d/notes.txt", "mine"), match="Choose an empty or new directory", check=unchanged("d/notes.txt", "mine")),
    Case("dataset-out-unwritable", ["dataset", "build", "--systems", "Lorenz", "--out", "/proc/chaoszoo-d"],
         match="choose another"),
    Case("dataset-address-without-ray", ["dataset", "build", "--systems", "Lorenz", "--address", "127.0.0.1:9",
                                         "--out", "{tmp}/d"], match="needs --executor ray", check=nothing_new()),
    Case("dataset-ray-address-dead", ["dataset", "build", "--systems", "Lorenz", "--executor", "ray", "--address",
                                      "127.0.0.1:9", "--out", "{tmp}/d", "--no-progress"],
         match="Nothing answers at the Ray address.*ray start --head", check=nothing_new(), hang_risk=True),
    Case("dataset-ray-address-malformed", ["dataset", "build", "--systems", "Lorenz", "--executor", "ray",
                                           "--address", "nonsense", "--out", "{tmp}/d"], match="must be host:port"),
    Case("dataset-jobs-zero", ["dataset", "build", "--jobs", "0", "--out", "{tmp}/d"], match="Invalid value for '--jobs'"),
    Case("dataset-info-no-manifest", ["dataset", "info", "{tmp}/ds"], setup=text("ds/x.txt", "x"),
         match="no manifest.json.*chaoszoo dataset build"),
    Case("dataset-info-garbage-manifest", ["dataset", "info", "{tmp}/ds"], setup=garbage("ds/manifest.json"),
         match="not valid JSON.*rebuild"),
    Case("dataset-info-incomplete-manifest", ["dataset", "info", "{tmp}/ds"],
         setup=lambda tmp: manifest(tmp, {"format": "chaoszoo-dataset", "format_version": 1}),
         match="damaged or was edited.*Rebuild"),
    Case("dataset-info-manifest-list", ["dataset", "info", "{tmp}/ds"], setup=text("ds/manifest.json", "[1, 2]"),
         match="not a chaoszoo dataset manifest"),
    Case("dataset-verify-garbage-manifest", ["dataset", "verify", "{tmp}/ds"], setup=garbage("ds/manifest.json"),
         match="not valid JSON.*rebuild"),
    Case("dataset-verify-files-not-a-dict", ["dataset", "verify", "{tmp}/ds"],
         setup=lambda tmp: manifest(tmp, {**GOOD_MANIFEST, "files": []}), match="'files' entry is missing"),
    Case("dataset-verify-path-escape", ["dataset", "verify", "{tmp}/ds"],
         setup=lambda tmp: manifest(tmp, {**GOOD_MANIFEST, "files": {"../outside": {"sha256": "0", "bytes": 1}}}),
         match="not inside the dataset folder"),
    Case("dataset-info-skipped-not-an-object", ["dataset", "info", "{tmp}/ds"],
         setup=lambda tmp: manifest(tmp, {**GOOD_MANIFEST, "systems": {"Lorenz": {"file": "systems/Lorenz.parquet",
                                                                                  "skipped": 3}}}),
         match="'skipped' entry that is not an object.*Rebuild"),
    Case("dataset-info-on-file", ["dataset", "info", "{tmp}/f"], setup=garbage("f"), match="is a file"),
    Case("dataset-api-info-none", call=lambda tmp: __import__("chaoszoo.data").data.info(None),
         error="InvalidArgumentError", match="path must be a path"),
    Case("dataset-api-verify-none", call=lambda tmp: __import__("chaoszoo.data").data.verify(None),
         error="InvalidArgumentError", match="must be a path"),
    Case("dataset-api-systems-in-int", call=lambda tmp: __import__("chaoszoo.data").data.systems_in(123),
         error="InvalidArgumentError", match="must be a path"),
    Case("dataset-api-load-garbage", call=lambda tmp: __import__("chaoszoo.data").data.load(tmp / "ds"),
         setup=garbage("ds/manifest.json"), error="DatasetError", match="rebuild"),
    Case("dataset-api-info-incomplete", call=lambda tmp: __import__("chaoszoo.data").data.info(tmp / "ds"),
         setup=lambda tmp: manifest(tmp, {**GOOD_MANIFEST, "systems": {"Lorenz": {"file": None}}}),
         error="DatasetError", match="names no shard file"),
    # ---- annotate ----
    Case("annotate-misspelt", ["annotate", "Lornez", "--output", "{tmp}/i.json"], match="Did you mean 'Lorenz'",
         check=nothing_new()),
    Case("annotate-output-txt", ["annotate", "Lorenz", "--output", "{tmp}/i.txt"], match="must end in .json",
         check=nothing_new()),
    Case("annotate-output-garbage", ["annotate", "Lorenz", "--output", "{tmp}/i.json"], setup=garbage("i.json"),
         match="not text.*delete it", check=unchanged("i.json")),
    Case("annotate-output-foreign-json", ["annotate", "Lorenz", "--output", "{tmp}/i.json"],
         setup=text("i.json", '{"mine": 1}'), match="not an invariants table.*Choose another --output",
         check=unchanged("i.json", '{"mine": 1}')),
    Case("annotate-output-entry-not-an-object", ["annotate", "Lorenz", "--output", "{tmp}/i.json"],
         setup=text("i.json", '{"format": 1, "systems": {"Lorenz": 5}}'), match="not an invariants table",
         check=unchanged("i.json", '{"format": 1, "systems": {"Lorenz": 5}}')),
    Case("annotate-output-missing-dir", ["annotate", "Lorenz", "--output", "{tmp}/no/i.json"],
         match="create it first"),
    Case("annotate-output-and-ship", ["annotate", "Lorenz", "--ship", "--output", "{tmp}/i.json"],
         match="--output or --ship, not both"),
    Case("annotate-jobs-zero", ["annotate", "Lorenz", "-j", "0"], match="Invalid value for '--jobs'"),
    Case("annotate-default-output-is-cwd", ["annotate", "Lorenz"], setup=garbage("invariants.json"),
         match="invariants.json is not .*delete it", check=unchanged("invariants.json")),
    Case("annotate-up-to-date", ["annotate", "Lorenz", "--output", "{tmp}/i.json"], expect="accepted",
         setup=lambda tmp: _annotated(tmp / "i.json"),
         check=lambda tmp, res: "Nothing to do" in res.output and "already annotated" in res.output),
    # ---- features compute ----
    Case("features-systems-empty", ["features", "compute", "--systems", "", "--out", "{tmp}/c.parquet"],
         match="give at least one name", check=nothing_new()),
    Case("features-systems-commas", ["features", "compute", "--systems", " , ,", "--out", "{tmp}/c.parquet"],
         match="give at least one name", check=nothing_new()),
    Case("features-systems-misspelt", ["features", "compute", "--systems", "Lornez", "--out", "{tmp}/c.parquet"],
         match="Did you mean 'Lorenz'", check=nothing_new()),
    Case("features-out-wrong-suffix", ["features", "compute", "--systems", "Henon", "--out", "{tmp}/afile.txt"],
         setup=garbage("afile.txt"), match="must end in .parquet", check=unchanged("afile.txt")),
    Case("features-out-foreign-parquet", ["features", "compute", "--systems", "Henon", "--out", "{tmp}/c.parquet"],
         setup=foreign_parquet("c.parquet"), match="not written by `chaoszoo features compute`.*--force",
         check=parquet_unchanged("c.parquet")),
    Case("features-out-foreign-sidecar", ["features", "compute", "--systems", "Henon", "--out", "{tmp}/c.parquet"],
         setup=text("c.json", '{"mine": 1}'), match="c.json exists and was not written.*--force",
         check=unchanged("c.json", '{"mine": 1}')),
    Case("features-out-directory", ["features", "compute", "--systems", "Henon", "--out", "{tmp}/d.parquet"],
         setup=text("d.parquet/x", "x"), match="is a directory"),
    Case("features-out-missing-dir", ["features", "compute", "--systems", "Henon", "--out", "{tmp}/no/c.parquet"],
         match="create it first", check=nothing_new()),
    Case("features-out-unwritable", ["features", "compute", "--systems", "Henon", "--out", "/proc/c.parquet"],
         match="cannot write in '/proc'"),
    Case("features-ship-with-out", ["features", "compute", "--ship", "--out", "{tmp}/c.parquet"],
         match="--ship .* takes no --out"),
    Case("features-ship-with-fast", ["features", "compute", "--ship", "--fast"], match="--ship .* takes no"),
    Case("features-method-bogus", ["features", "compute", "--method", "bogus"], match="Invalid value for '--method'"),
    Case("features-tsfresh-missing", ["features", "compute", "--method", "tsfresh", "--systems", "Henon", "--out",
                                      "{tmp}/t.parquet"], match=r"pip install 'chaoszoo\[tsfresh\]'",
         check=nothing_new()),
    Case("features-force-overwrites-foreign", ["features", "compute", "--systems", "Henon", "--fast", "--force",
                                               "--out", "{tmp}/c.parquet"],
         setup=foreign_parquet("c.parquet"), expect="accepted", instant=False,
         check=lambda tmp, res: _table_rows(tmp / "c.parquet") == ["Henon", "Henon"]),
    Case("features-duplicate-names-refused", ["features", "compute", "--systems", "Henon,Henon, ,", "--fast"],
         match="names 'Henon' twice", check=nothing_new()),
    Case("features-api-out-none", call=lambda tmp: _features_api(tmp).compute_and_write(None, ["Henon"]),
         error="InvalidArgumentError", match="--out must be a path"),
    Case("features-api-out-txt", call=lambda tmp: _features_api(tmp).compute_and_write(tmp / "x.txt", ["Henon"]),
         error="InvalidArgumentError", match="must end in .parquet"),
    Case("features-api-no-names", call=lambda tmp: _features_api(tmp).compute_table([]),
         error="InvalidArgumentError", match="names: no system named"),
    Case("features-api-misspelt", call=lambda tmp: _features_api(tmp).compute_table(["Lornez"]),
         error="UnknownSystemError", match="Did you mean 'Lorenz'"),
    Case("features-api-method", call=lambda tmp: _features_api(tmp).compute_table(["Henon"], method="bogus"),
         error="InvalidArgumentError", match="use 'catch22' or 'tsfresh'"),
    Case("features-api-sampling-short", call=lambda tmp: _features_api(tmp).Sampling(n=5),
         error="InvalidArgumentError", match="Sampling.n must be an integer >= 10"),
    Case("features-api-load-garbage", call=lambda tmp: _features_api(tmp).load_table(tmp / "g.parquet"),
         setup=garbage("g.parquet"), error="DatasetError", match="not a readable Parquet.*features compute"),
    Case("features-api-load-none", call=lambda tmp: _features_api(tmp).load_table(None),
         error="InvalidArgumentError", match="must be a path"),
    Case("features-api-embedding-garbage",
         call=lambda tmp: __import__("chaoszoo.features").features.load_embedding(tmp / "e.parquet"),
         setup=garbage("e.parquet"), error="DatasetError", match="features analyse"),
    # ---- features analyse ----
    Case("analyse-table-garbage", ["features", "analyse", "--table", "{tmp}/g.parquet"], setup=garbage("g.parquet"),
         match="not a readable Parquet features table.*features compute", check=nothing_new("g.parquet")),
    Case("analyse-table-text", ["features", "analyse", "--table", "{tmp}/notes.txt"], setup=text("notes.txt", "a,b\n"),
         match="not a readable Parquet", check=nothing_new("notes.txt")),
    Case("analyse-table-foreign", ["features", "analyse", "--table", "{tmp}/f.parquet"],
         setup=foreign_parquet("f.parquet"), match="lacks the column.*system"),
    Case("analyse-table-unknown-systems", ["features", "analyse", "--table", "{tmp}/t.parquet"],
         setup=lambda tmp: __import__("pandas").DataFrame({"system": ["Foo"] * 6, "f": range(6)}).to_parquet(
             tmp / "t.parquet"), match="not in the catalog.*features compute"),
    Case("analyse-table-too-few", ["features", "analyse", "--table", "{tmp}/table.parquet"],
         setup=features_table(("Lorenz", "Henon", "Chen")), match="at least 5"),
    Case("analyse-min-cluster-size-one", ["features", "analyse", "--min-cluster-size", "1"],
         match="Invalid value for '--min-cluster-size'"),
    Case("analyse-min-cluster-size-too-big", ["features", "analyse", "--table", "{tmp}/table.parquet",
                                              "--min-cluster-size", "40"],
         setup=features_table(FAST12), match="larger than the 12 systems.*at most 12"),
    Case("analyse-embedding-out-txt", ["features", "analyse", "--embedding-out", "{tmp}/e.txt"],
         match="must end in .parquet"),
    Case("analyse-report-dir-is-file", ["features", "analyse", "--report-dir", "{tmp}/r"], setup=garbage("r"),
         match="is a file", check=unchanged("r")),
    Case("analyse-report-dir-foreign", ["features", "analyse", "--report-dir", "{tmp}/r"],
         setup=text("r/summary.json", '{"mine": 1}'), match="not written by .*--force",
         check=unchanged("r/summary.json", '{"mine": 1}')),
    Case("analyse-embedding-out-foreign", ["features", "analyse", "--embedding-out", "{tmp}/e.parquet"],
         setup=foreign_parquet("e.parquet"), match="not written by .*--force", check=parquet_unchanged("e.parquet")),
    Case("analyse-ship-with-report-dir", ["features", "analyse", "--ship", "--report-dir", "{tmp}/r"],
         match="--ship .* takes no"),
    Case("analyse-api-too-few",
         call=lambda tmp: __import__("chaoszoo.features").features.analyse(
             __import__("pandas").read_parquet(tmp / "table.parquet")),
         setup=features_table(("Lorenz", "Henon", "Chen")), error="InvalidArgumentError", match="at least 5"),
    Case("analyse-api-not-a-table", call=lambda tmp: __import__("chaoszoo.features").features.analyse("table"),
         error="InvalidArgumentError", match="must be a pandas DataFrame"),
    Case("analyse-api-min-cluster-size",
         call=lambda tmp: __import__("chaoszoo.features").features.analyse(
             __import__("pandas").read_parquet(tmp / "table.parquet"), min_cluster_size=1),
         setup=features_table(FAST12), error="InvalidArgumentError", match="min_cluster_size must be"),
    Case("analyse-infinite-feature-is-undefined",
         call=lambda tmp: __import__("chaoszoo.features.analysis").features.analysis.system_matrix(_with_inf(tmp)),
         setup=features_table(FAST12), expect="accepted",
         check=lambda tmp, res: len(res[0]) == 12 and bool(__import__("numpy").isfinite(res[1]).all())),
    Case("analyse-no-cluster-reports-none", ["features", "analyse", "--table", "{tmp}/table.parquet",
                                             "--min-cluster-size", "12"],
         setup=features_table(FAST12), expect="accepted", instant=False, slow=True,
         check=lambda tmp, res: _no_cluster(tmp, res)),
    # ---- symbolic ----
    Case("symbolic-systems-empty", ["symbolic", "run", "--systems", "", "--out", "{tmp}/r.parquet"],
         match="give at least one name", check=nothing_new()),
    Case("symbolic-methods-empty", ["symbolic", "run", "--methods", "", "--out", "{tmp}/r.parquet"],
         match="--methods: no symbolic-regression method named", check=nothing_new()),
    Case("symbolic-methods-unknown", ["symbolic", "run", "--methods", "pysr", "--out", "{tmp}/r.parquet"],
         match="Unknown symbolic-regression method 'pysr'; choose from"),
    Case("symbolic-map", ["symbolic", "run", "--systems", "Henon", "--out", "{tmp}/r.parquet"],
         match="Henon is a map; .*flows only", check=nothing_new()),
    Case("symbolic-delay", ["symbolic", "run", "--systems", "MackeyGlass", "--out", "{tmp}/r.parquet"],
         match="flows only"),
    Case("symbolic-misspelt", ["symbolic", "run", "--systems", "Lornez", "--out", "{tmp}/r.parquet"],
         match="Did you mean 'Lorenz'"),
    Case("symbolic-out-txt", ["symbolic", "run", "--fast", "--out", "{tmp}/r.txt"], match="must end in .parquet"),
    Case("symbolic-resume-garbage", ["symbolic", "run", "--fast", "--methods", "sindy-poly", "--out",
                                     "{tmp}/r.parquet"],
         setup=chain(symbolic_results(), garbage("r.parquet")), match="checksum.*--restart",
         check=unchanged("r.parquet")),
    Case("symbolic-resume-garbage-no-checksum", ["symbolic", "run", "--fast", "--methods", "sindy-poly", "--out",
                                                 "{tmp}/r.parquet"],
         setup=chain(garbage("r.parquet"), text("r.json", '{"command": "chaoszoo symbolic run --fast"}')),
         match="not a readable Parquet.*--restart", check=unchanged("r.parquet")),
    Case("symbolic-resume-altered", ["symbolic", "run", "--fast", "--methods", "sindy-poly", "--out",
                                     "{tmp}/r.parquet"],
         setup=symbolic_results(altered=True), match="does not match the SHA-256.*Delete"),
    Case("symbolic-sidecar-garbage", ["symbolic", "run", "--fast", "--methods", "sindy-poly", "--out",
                                      "{tmp}/r.parquet"],
         setup=chain(symbolic_results(sidecar=False), garbage("r.json")), match="not written by .*--force",
         check=unchanged("r.json")),
    Case("symbolic-out-foreign", ["symbolic", "run", "--fast", "--out", "{tmp}/r.parquet"],
         setup=foreign_parquet("r.parquet"), match="not written by `chaoszoo symbolic run`.*--force",
         check=parquet_unchanged("r.parquet")),
    Case("symbolic-figure-txt", ["symbolic", "run", "--fast", "--out", "{tmp}/r.parquet", "--figure", "{tmp}/f.txt"],
         match="--figure must end in .png or .pdf or .svg"),
    Case("symbolic-default-figure-foreign", ["symbolic", "run", "--fast", "--out", "{tmp}/r.parquet"],
         setup=garbage("r.png"), match="r.png exists and was not written.*--force", check=unchanged("r.png")),
    Case("symbolic-forecast-table-garbage", ["symbolic", "run", "--fast", "--out", "{tmp}/r.parquet",
                                             "--forecast-table", "{tmp}/f.parquet"],
         setup=garbage("f.parquet"), match="not a readable Parquet forecast table", check=nothing_new("f.parquet")),
    Case("symbolic-ship-with-out", ["symbolic", "run", "--ship", "--out", "{tmp}/r.parquet"], match="--ship .* takes no"),
    Case("symbolic-resume-writes-beside-out", ["symbolic", "run", "--fast", "--methods", "sindy-poly", "--systems",
                                               "Lorenz", "--out", "{tmp}/sub/r.parquet"],
         setup=chain(lambda tmp: (tmp / "sub").mkdir(), symbolic_results("sub/r.parquet")), expect="accepted",
         instant=False, check=lambda tmp, res: (tmp / "sub" / "r.png").stat().st_size > 1000
         and not (tmp / "docs").exists() and "figure: " in res.output),
    Case("symbolic-api-out-none",
         call=lambda tmp: __import__("chaoszoo.symbolic").symbolic.run_benchmark(
             ["KuramotoSivashinsky"], ("sindy-poly",), out=None, progress=False),
         expect="accepted", check=lambda tmp, res: list(res["status"].str[:8]) == ["skipped:"]
         and [p for p in tmp.iterdir() if p.name != "cache"] == []),
    Case("symbolic-api-methods-string",
         call=lambda tmp: __import__("chaoszoo.symbolic").symbolic.run_benchmark(
             "KuramotoSivashinsky", "sindy-poly", out=None, progress=False),
         expect="accepted", check=lambda tmp, res: list(res["method"]) == ["sindy-poly"]),
    Case("symbolic-api-no-methods", call=lambda tmp: __import__("chaoszoo.symbolic").symbolic.run_benchmark(
        ["Lorenz"], (), out=None), error="InvalidArgumentError", match="methods: no symbolic-regression method named"),
    Case("symbolic-api-map", call=lambda tmp: __import__("chaoszoo.symbolic").symbolic.run_benchmark(
        ["Henon"], out=tmp / "r.parquet"), error="InvalidArgumentError", match="flows only",
        check=nothing_new()),
    Case("symbolic-api-no-names", call=lambda tmp: __import__("chaoszoo.symbolic").symbolic.run_benchmark(
        [], out=None), error="InvalidArgumentError", match="names: no system named"),
    Case("symbolic-api-out-txt", call=lambda tmp: __import__("chaoszoo.symbolic").symbolic.run_benchmark(
        ["Lorenz"], out=tmp / "r.txt"), error="InvalidArgumentError", match="must end in .parquet"),
    Case("symbolic-api-protocol", call=lambda tmp: __import__("chaoszoo.symbolic").symbolic.Protocol(n_train=-1),
         error="InvalidArgumentError", match="Protocol.n_train must be an integer"),
    Case("symbolic-api-budget", call=lambda tmp: __import__("chaoszoo.symbolic").symbolic.OperonBudget(generations=0),
         error="InvalidArgumentError", match="OperonBudget.generations"),
    Case("symbolic-api-operon-missing", call=lambda tmp: _blocked("pyoperon", lambda: __import__(
        "chaoszoo.symbolic").symbolic.run_benchmark(["Lorenz"], ("operon",), out=None, progress=False)),
         error="MissingExtraError", match=r"pip install 'chaoszoo\[symbolic\]'"),
    Case("symbolic-api-load-garbage", call=lambda tmp: __import__("chaoszoo.symbolic").symbolic.load_results(
        tmp / "g.parquet"), setup=garbage("g.parquet"), error="DatasetError", match="not a readable Parquet"),
    Case("symbolic-api-forecast-garbage", call=lambda tmp: __import__("chaoszoo.symbolic").symbolic.forecast_scores(
        tmp / "g.parquet"), setup=garbage("g.parquet"), error="DatasetError", match="forecast table"),
    Case("symbolic-api-forecast-txt", call=lambda tmp: __import__("chaoszoo.symbolic").symbolic.forecast_scores(
        tmp / "g.txt"), setup=garbage("g.txt"), error="InvalidArgumentError", match=".parquet or .csv"),
    # ---- experiments ----
    Case("importance-map", ["experiment", "importance", "--system", "Henon", "--out", "{tmp}/e"],
         match="Henon is a map; .*flows only", check=nothing_new()),
    Case("importance-misspelt", ["experiment", "importance", "--system", "Lornez", "--out", "{tmp}/e"],
         match="Did you mean 'Lorenz'", check=nothing_new()),
    Case("importance-system-empty", ["experiment", "importance", "--system", "", "--out", "{tmp}/e"],
         match="give at least one name", check=nothing_new()),
    Case("importance-budget-negative", ["experiment", "importance", "--fast", "--budget", "-5", "--out", "{tmp}/e"],
         match="--budget must be a number of seconds >= 0", check=nothing_new()),
    Case("importance-budget-nan", ["experiment", "importance", "--fast", "--budget", "nan", "--out", "{tmp}/e"],
         match="--budget must be", check=nothing_new()),
    Case("importance-out-is-file", ["experiment", "importance", "--fast", "--out", "{tmp}/e"], setup=garbage("e"),
         match="is a file", check=unchanged("e")),
    Case("importance-resume-garbage", ["experiment", "importance", "--fast", "--out", "{tmp}/e"],
         setup=garbage("e/importance_sampling.json"), match="not text.*Delete",
         check=unchanged("e/importance_sampling.json")),
    Case("importance-resume-foreign", ["experiment", "importance", "--fast", "--out", "{tmp}/e"],
         setup=text("e/importance_sampling.json", "[1, 2]"), match="JSON list.*Delete",
         check=unchanged("e/importance_sampling.json", "[1, 2]")),
    Case("importance-resume-other-settings", ["experiment", "importance", "--system", "Lorenz", "--out", "{tmp}/exp"],
         setup=importance_results, match="other settings.*Rerun with the same options"),
    Case("importance-budget-zero-summarises", ["experiment", "importance", "--fast", "--budget", "0", "--out",
                                               "{tmp}/exp"],
         setup=importance_results, expect="accepted", instant=False,
         check=lambda tmp, res: re.search(r"importance\s+0\.400\s+2\.0", res.output)
         and (tmp / "exp" / "importance_sampling.png").exists()),
    Case("importance-budget-zero-nothing-yet", ["experiment", "importance", "--fast", "--budget", "0", "--out",
                                                "{tmp}/e"], match="No system has results yet", instant=False),
    Case("transfer-dataset-unknown", ["experiment", "transfer", "--dataset", "Nope", "--out", "{tmp}/e"],
         match="No data set 'Nope'.*Available: .*ItalyPowerDemand", check=nothing_new()),
    Case("transfer-dataset-misspelt", ["experiment", "transfer", "--dataset", "ItalyPowerDemnd", "--out", "{tmp}/e"],
         match="Did you mean 'ItalyPowerDemand'"),
    Case("transfer-dataset-empty", ["experiment", "transfer", "--dataset", "", "--out", "{tmp}/e"],
         match="give at least one name"),
    Case("transfer-resume-garbage", ["experiment", "transfer", "--fast", "--out", "{tmp}/e"],
         setup=garbage("e/transfer.json"), match="not text.*Delete", check=unchanged("e/transfer.json")),
    Case("transfer-resume-foreign", ["experiment", "transfer", "--fast", "--out", "{tmp}/e"],
         setup=text("e/transfer.json", '{"datasets": 3}'), match="not a transfer results file.*Delete"),
    Case("transfer-out-is-file", ["experiment", "transfer", "--fast", "--out", "{tmp}/e"], setup=garbage("e"),
         match="is a file"),
    Case("transfer-bank-only-empty", ["experiment", "transfer", "--bank-only", "--dataset", "ItalyPowerDemand",
                                      "--out", "{tmp}/e"],
         match="surrogate bank is empty.*run without --bank-only", instant=False, check=nothing_new()),
    Case("importance-api-map", call=lambda tmp: _importance().run(["Henon"]), error="InvalidArgumentError",
         match="flows only"),
    Case("importance-api-no-names", call=lambda tmp: _importance().run([]), error="InvalidArgumentError",
         match="names: no system named"),
    Case("importance-api-deadline-nan", call=lambda tmp: _importance().run(["Lorenz"], deadline=float("nan")),
         error="InvalidArgumentError", match="deadline must be a finite number"),
    Case("importance-api-resume-garbage", call=lambda tmp: _importance().run(["Lorenz"], tmp / "r.json"),
         setup=garbage("r.json"), error="DatasetError", match="Delete"),
    Case("importance-api-settings", call=lambda tmp: _importance().Settings(n_points=100),
         error="InvalidArgumentError", match="training part"),
    Case("transfer-api-unknown", call=lambda tmp: _transfer().run(["Nope"], bank={}), error="DatasetError",
         match="'Nope'.*ItalyPowerDemand"),
    Case("transfer-api-settings", call=lambda tmp: _transfer().Settings(window=50), error="InvalidArgumentError",
         match="1 more than a multiple of 3"),
    Case("transfer-api-empty-bank", call=lambda tmp: _transfer().run(["ItalyPowerDemand"], bank={}),
         error="DatasetError", match="bank is empty", instant=False),
    # ---- atlas ----
    Case("atlas-systems-empty", ["atlas", "build", "--systems", "", "--out", "{tmp}/s"],
         match="give at least one name", check=nothing_new()),
    Case("atlas-systems-commas", ["atlas", "build", "--systems", ",", "--out", "{tmp}/s"],
         match="give at least one name", check=nothing_new()),
    Case("atlas-systems-misspelt", ["atlas", "build", "--systems", "Lornez", "--out", "{tmp}/s"],
         match="Did you mean 'Lorenz'", check=nothing_new()),
    Case("atlas-results-dir-missing", ["atlas", "build", "--systems", "Lorenz", "--results-dir", "{tmp}/nope",
                                       "--out", "{tmp}/s"], match="--results-dir: .*does not exist",
         check=nothing_new()),
    Case("atlas-results-dir-empty", ["atlas", "build", "--systems", "Lorenz", "--results-dir", "{tmp}/r",
                                     "--out", "{tmp}/s"], setup=text("r/notes.txt", "x"),
         match="holds no forecasting results.*--no-results", check=nothing_new("r")),
    Case("atlas-results-dir-garbage", ["atlas", "build", "--systems", "Lorenz", "--results-dir", "{tmp}/r",
                                       "--out", "{tmp}/s"], setup=garbage("r/p.parquet"),
         match="cannot be read.*chaoszoo forecast export", check=nothing_new("r")),
    Case("atlas-results-dir-is-run-folder", ["atlas", "build", "--systems", "Lorenz", "--preview", "--no-features",
                                             "-q", "--results-dir", "{tmp}/run", "--out", "{tmp}/s"],
         setup=run_folder, expect="accepted", instant=False,
         check=lambda tmp, res: "mymodel" in (tmp / "s" / "leaderboard" / "toy-run.html").read_text()),
    Case("atlas-results-and-no-results", ["atlas", "build", "--no-results", "--results-dir", "{tmp}",
                                          "--out", "{tmp}/s"], match="not both"),
    Case("atlas-features-dir-missing", ["atlas", "build", "--systems", "Lorenz", "--features-dir", "{tmp}/nope",
                                        "--out", "{tmp}/s"], match="--features-dir: .*does not exist"),
    Case("atlas-features-dir-empty", ["atlas", "build", "--systems", "Lorenz", "--features-dir", "{tmp}/f",
                                      "--out", "{tmp}/s"], setup=text("f/x.txt", "x"),
         match="holds no catch22.parquet.*--no-features", check=nothing_new("f")),
    Case("atlas-features-dir-garbage", ["atlas", "build", "--systems", "Lorenz", "--features-dir", "{tmp}/f",
                                        "--out", "{tmp}/s"], setup=garbage("f/catch22.parquet"),
         match="not a readable Parquet.*features compute", check=nothing_new("f")),
    Case("atlas-dataset-not-a-dataset", ["atlas", "build", "--systems", "Lorenz", "--dataset", "{tmp}/ds",
                                         "--out", "{tmp}/s"], setup=text("ds/x.txt", "x"),
         match="no manifest.json", check=nothing_new("ds")),
    Case("atlas-out-is-file", ["atlas", "build", "--systems", "Lorenz", "--out", "{tmp}/s"], setup=garbage("s"),
         match="is a file", check=unchanged("s")),
    Case("atlas-out-foreign", ["atlas", "build", "--systems", "Lorenz", "--out", "{tmp}/s"],
         setup=text("s/notes.txt", "mine"), match="not written by `chaoszoo atlas build`.*Choose an empty"),
    Case("atlas-jobs-zero", ["atlas", "build", "--jobs", "0", "--out", "{tmp}/s"], match="Invalid value for '--jobs'"),
    Case("atlas-serve-nothing-built", ["atlas", "serve", "--out", "{tmp}/s"], match="holds no built atlas.*atlas build"),
    Case("atlas-serve-bad-host", ["atlas", "serve", "--out", "{tmp}/site", "--host", "nonsense.invalid"],
         setup=fake_site, match="Cannot serve on nonsense.invalid.*--host"),
    Case("atlas-serve-port-in-use", ["atlas", "serve", "--out", "{tmp}/site", "--port", "{port}"],
         setup=fake_site, match="already in use.*Choose another --port"),
    Case("atlas-api-out-none", call=lambda tmp: _atlas().build(None, ["Lorenz"]), error="InvalidArgumentError",
         match="--out must be a path"),
    Case("atlas-api-no-names", call=lambda tmp: _atlas().build(tmp / "s", []), error="InvalidArgumentError",
         match="names: no system named", check=nothing_new()),
    Case("atlas-api-jobs-zero", call=lambda tmp: _atlas().build(tmp / "s", ["Lorenz"], jobs=0),
         error="InvalidArgumentError", match="jobs must be an integer >= 1", check=nothing_new()),
    Case("atlas-api-jobs-text", call=lambda tmp: _atlas().build(tmp / "s", ["Lorenz"], jobs="2"),
         error="InvalidArgumentError", match="jobs must be an integer"),
    Case("atlas-api-name-string", call=lambda tmp: _atlas().build(tmp / "s", "Henon", render=False, progress=False,
                                                                  results_dir=False, features_dir=False),
         expect="accepted", instant=False,
         check=lambda tmp, res: res.systems == 1 and (tmp / "s" / "systems" / "Henon.html").exists()),
    Case("atlas-api-serve-port", call=lambda tmp: _atlas().serve(tmp / "site", port=70000), setup=fake_site,
         error="InvalidArgumentError", match="--port must be an integer from 0 to 65535"),
]


def _importance():
    from chaoszoo.experiments import importance

    return importance


def _transfer():
    from chaoszoo.experiments import transfer

    return transfer


def _atlas():
    import chaoszoo.atlas

    return chaoszoo.atlas


def _with_inf(tmp):
    """The features table of ``tmp`` with one infinite value (catch22 can return inf)."""
    import numpy as np
    import pandas as pd

    t = pd.read_parquet(tmp / "table.parquet")
    t.iloc[0, t.columns.get_loc("DN_HistogramMode_5")] = np.inf
    return t


def _blocked(module, fn):
    """``fn()`` as if ``module`` were not installed."""
    saved = sys.modules.get(module, "absent")
    sys.modules[module] = None
    try:
        return fn()
    finally:
        if saved == "absent":
            del sys.modules[module]
        else:
            sys.modules[module] = saved


def _table_rows(path):
    import pandas as pd

    return list(pd.read_parquet(path)["system"])


def _annotated(path: Path):
    """An invariants table in which Lorenz is up to date (so `annotate Lorenz` has nothing to do)."""
    import chaoszoo as cz
    from chaoszoo.analysis.annotate import SETTINGS

    entry = {"settings": SETTINGS, "params": cz.get("Lorenz").params, "version": cz.__version__}
    _write(path, json.dumps({"format": 1, "systems": {"Lorenz": entry}}))


def _no_cluster(tmp, res):
    """HDBSCAN found nothing: said so, with null (not 1.0) agreement; outputs under ./features-analysis."""
    summary = json.loads((tmp / "features-analysis" / "summary.json").read_text())
    assert summary["clusters"] == 0 and "no cluster" in summary["note"]
    hdb = {k: v for k, v in summary["ari"].items() if k.startswith("hdbscan")}
    assert hdb and all(v is None for v in hdb.values()), hdb
    assert "no cluster found" in res.output and '"hdbscan_vs_field": null' in res.output
    assert (tmp / "features-analysis" / "embedding.parquet").exists()
    return True


# --- running a case ---------------------------------------------------------------------------
def _free_busy_port():
    """A port with a listening socket on it (the caller keeps the socket)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    return s, s.getsockname()[1]


def outcome(case: Case, tmp: Path) -> tuple[str, str, float]:
    """Run ``case`` in folder ``tmp`` (the current directory): ``(class, detail, seconds)``.

    Classes: ``clear`` / ``accepted`` (the expected outcome), ``traceback`` (a raw or
    "unexpected" exception, or a foreign exception type from Python), ``silent`` (it went on
    where an error was due, or gave a wrong result, or changed a file it had to leave alone),
    ``unclear`` (a chaoszoo error, but not the exit status or message expected), ``refused`` (an
    error where an accept was due).
    """
    import chaoszoo.errors as errors

    if case.setup:
        case.setup(tmp)
    busy = None
    if case.args is not None:
        args = list(case.args)
        if any("{port}" in a for a in args):
            busy, port = _free_busy_port()
            args = [a.replace("{port}", str(port)) for a in args]
        args = [a.replace("{tmp}", str(tmp)) for a in args]
        t0 = time.perf_counter()
        res = CliRunner().invoke(main, args)
        seconds = time.perf_counter() - t0
        if busy is not None:
            busy.close()
        out = res.output
        crashed = res.exception is not None and not isinstance(res.exception, SystemExit)
        if "Traceback" in out or "unexpected" in out or crashed:
            return "traceback", (repr(res.exception) if crashed else out)[-400:], seconds
        if case.expect == "accepted":
            if res.exit_code != 0:
                return "refused", out[-400:], seconds
            try:
                ok = case.check(tmp, res) if case.check else True
            except Exception as err:  # noqa: BLE001 - a check that fails: a wrong result
                return "silent", f"check failed: {err!r}", seconds
            return ("accepted" if ok is not False else "silent"), out[-400:], seconds
        if res.exit_code == 0:
            return "silent", out[-400:], seconds
        if case.check:
            try:
                case.check(tmp, res)
            except Exception as err:  # noqa: BLE001
                return "silent", f"changed what it had to leave alone: {err!r}", seconds
        if res.exit_code != 2 or not re.search(case.match, out, flags=re.S):
            return "unclear", f"exit {res.exit_code}: {out[-400:]}", seconds
        return "clear", out[-400:], seconds
    t0 = time.perf_counter()
    try:
        value = case.call(tmp)
    except Exception as err:  # noqa: BLE001 - classified below
        seconds = time.perf_counter() - t0
        if case.expect == "accepted":
            return ("refused" if isinstance(err, errors.ChaoszooError) else "traceback"), repr(err)[:400], seconds
        if not isinstance(err, errors.ChaoszooError):
            return "traceback", f"{type(err).__name__}: {str(err)[:300]}", seconds
        if case.check:
            try:
                case.check(tmp, None)
            except Exception as cerr:  # noqa: BLE001
                return "silent", f"changed what it had to leave alone: {cerr!r}", seconds
        expected = getattr(errors, case.error)
        if not isinstance(err, expected) or not re.search(case.match, str(err), flags=re.S):
            return "unclear", f"{type(err).__name__}: {str(err)[:300]}", seconds
        return "clear", str(err)[:400], seconds
    seconds = time.perf_counter() - t0
    if case.expect != "accepted":
        return "silent", f"returned {str(value)[:200]!r}", seconds
    try:
        ok = case.check(tmp, value) if case.check else True
    except Exception as err:  # noqa: BLE001
        return "silent", f"check failed: {err!r}", seconds
    return ("accepted" if ok is not False else "silent"), "", seconds


# --- the tests --------------------------------------------------------------------------------
PROTECTED = [REPO / "src" / "chaoszoo" / p for p in (
    "features/data/catch22.parquet", "features/data/catch22.json", "features/data/embedding.parquet",
    "symbolic/data/results.parquet", "symbolic/data/results.json", "catalog/data/invariants.json")] + [
    REPO / "docs" / "symbolic.png", *sorted((REPO / "docs" / "features").glob("*"))]


@pytest.fixture(scope="module", autouse=True)
def package_and_docs_untouched():
    """No case writes into the package or the docs (the shipped tables, docs/symbolic.png, docs/features)."""
    before = {p: p.stat().st_mtime_ns for p in PROTECTED if p.exists()}
    yield
    after = {p: p.stat().st_mtime_ns for p in PROTECTED if p.exists()}
    assert after == before, [str(p) for p in before if after.get(p) != before[p]]


def _param(case):
    marks = [pytest.mark.slow] if case.slow else []
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_case(case, tmp_path, monkeypatch):
    monkeypatch.setenv("CHAOSZOO_CACHE", str(tmp_path / "cache"))
    for k, v in case.env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.chdir(tmp_path)
    cls, detail, seconds = outcome(case, tmp_path)
    assert cls == case.expect, f"{cls}: {detail}"
    if case.expect == "clear" and case.instant:
        assert seconds < 2.0, f"the argument error took {seconds:.2f} s"


def test_the_campaign_has_enough_cases():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)) and len(ids) >= 80
    assert sum(c.expect == "accepted" for c in CASES) >= 10


COLD = [["features", "compute", "--systems", ""], ["symbolic", "run", "--methods", ""],
        ["experiment", "importance", "--system", "Henon", "--out", "x"], ["atlas", "build", "--systems", ","],
        ["dataset", "build", "--systems", "", "--out", "x"], ["annotate", "Lornez"]]


@pytest.mark.parametrize("args", COLD, ids=[" ".join(a[:2]) for a in COLD])
def test_argument_errors_are_fast_from_a_cold_start(args, tmp_path):
    """In a fresh process (imports included) an argument error appears in under 2 s."""
    env = {**os.environ, "CHAOSZOO_CACHE": str(tmp_path / "cache")}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", "from chaoszoo.cli import main; main()", *args],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=60)
    seconds = time.perf_counter() - t0
    assert proc.returncode == 2 and proc.stderr.startswith("error: ") and "Traceback" not in proc.stderr, proc.stderr
    assert seconds < 2.0, f"{seconds:.2f} s"
    assert sorted(p.name for p in tmp_path.iterdir()) in ([], ["cache"])


# --- the measurement of the counts in the module docstring ------------------------------------
def _probe_one(index: int) -> None:  # pragma: no cover - run by --probe in a child process
    import tempfile

    case = CASES[index]
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        os.environ["CHAOSZOO_CACHE"] = str(tmp / "cache")
        os.chdir(tmp)
        cls, detail, seconds = outcome(case, tmp)
    print("PROBE" + json.dumps({"id": case.id, "class": cls, "detail": detail[-300:], "seconds": round(seconds, 2)}))


def _probe(src: str, ids=(), timeout: float = 120.0) -> None:  # pragma: no cover - a measurement, not a test
    """Run every case (or those in ``ids``) in its own process against the package under ``src``
    and count the classes."""
    import collections

    env = {**os.environ, "PYTHONPATH": f"{src}{os.pathsep}{Path(__file__).parent}",
           "JAX_PLATFORMS": "cpu", "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"}
    counts, rows = collections.Counter(), []
    for i, case in enumerate(CASES):
        if ids and case.id not in ids:
            continue
        try:
            proc = subprocess.run([sys.executable, "-c", f"import test_campaign_commands as t; t._probe_one({i})"],
                                  capture_output=True, text=True, env=env, timeout=timeout, start_new_session=True)
            line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("PROBE")), None)
            row = json.loads(line[5:]) if line else {"id": case.id, "class": "traceback",
                                                     "detail": proc.stderr[-300:], "seconds": None}
        except subprocess.TimeoutExpired:
            # still waiting: a hang where the code could wait forever, otherwise work that went on
            # where an error was due (a whole-catalog run started by an empty --systems, say)
            row = {"id": case.id, "class": "hang" if case.hang_risk else "silent",
                   "detail": f"no answer in {timeout:g} s", "seconds": timeout}
        expected = row["class"] == case.expect
        counts["right" if expected else row["class"]] += 1
        rows.append(row)
        print(f"{'ok ' if expected else 'BAD'} {row['class']:9s} {case.id:45s} {str(row['detail'])[:150]!r}",
              flush=True)
    print(json.dumps(dict(counts), indent=1))


if __name__ == "__main__":  # pragma: no cover
    if len(sys.argv) >= 3 and sys.argv[1] == "--probe":
        _probe(sys.argv[2], sys.argv[3:])
