"""Checking that stored results can be regenerated: re-run a seeded sample of rows from scratch
with the current code and compare every number.

>>> report = verify("results/short-coarse", sample=20)          # doctest: +SKIP
>>> print(report)                                                # doctest: +SKIP

A row is re-run as a new job (data cut from the cache, the hyperparameter search repeated,
the model fitted and scored in a worker process like the runner's) and compared with the
stored row: the task's data fingerprint, the chosen hyperparameters and every metric the row
holds (a metric added to the code after the row was written is not compared). A metric
agrees *bitwise* when the two float64 values are identical (NaN matching NaN), *within
tolerance* when they differ by at most ``rtol`` relative (least-squares solvers and BLAS may
round differently across machines and thread counts); anything else is a disagreement, as is
a different fingerprint (the row was computed on other data), a different choice of
hyperparameters, or a job that now fails. Rows of models declared non-deterministic
(``ModelSpec.deterministic = False``), failed rows and forecasts made elsewhere
(``chaoszoo forecast import-forecasts``) are not sampled.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from chaoszoo.errors import InvalidArgumentError, ResultsStoreError

#: Relative tolerance of "within tolerance" (least squares rounding differently).
RTOL = 1e-9
OUTCOMES = ("bitwise", "within tolerance", "differs", "other data", "failed")


@dataclass(frozen=True)
class Verdict:
    """The comparison of one stored row with its re-run."""

    job_id: str
    model: str
    outcome: str  # one of OUTCOMES
    detail: str = ""
    max_rel: float = 0.0  # the largest relative difference over the metrics


@dataclass(frozen=True)
class VerifyReport:
    """What :func:`verify` found (``str()`` gives the summary and every disagreement)."""

    source: str
    eligible: int
    verdicts: tuple[Verdict, ...]
    seconds: float
    skipped: dict = field(default_factory=dict)  # reason -> rows not eligible

    def count(self, outcome: str) -> int:
        return sum(v.outcome == outcome for v in self.verdicts)

    @property
    def passed(self) -> bool:
        return all(v.outcome in ("bitwise", "within tolerance") for v in self.verdicts)

    def __str__(self) -> str:
        n = len(self.verdicts)
        agree = self.count("bitwise") + self.count("within tolerance")
        lines = [f"verified {n} rows of {self.source} (a seeded sample of {self.eligible} eligible) in "
                 f"{self.seconds:.1f} s: {agree} of {n} agree ({self.count('bitwise')} bitwise, "
                 f"{self.count('within tolerance')} within {RTOL:g} relative)"]
        if self.skipped:
            lines.append("not sampled: " + "; ".join(f"{k}: {v}" for k, v in sorted(self.skipped.items())))
        bad = [v for v in self.verdicts if v.outcome not in ("bitwise", "within tolerance")]
        if bad:
            lines.append(f"{len(bad)} disagree:")
            lines += [f"  {v.job_id}: {v.outcome}: {v.detail}" for v in bad]
        else:
            close = [v for v in self.verdicts if v.outcome == "within tolerance"]
            if close:
                worst = max(close, key=lambda v: v.max_rel)
                lines.append(f"largest relative difference: {worst.max_rel:.2g} ({worst.job_id})")
        return "\n".join(lines)


def _metrics(row: dict) -> dict:
    """The metric values of a row, whether nested (a store's) or flat (a shipped table's)."""
    from chaoszoo.forecast.store import ROW_FIELDS

    if isinstance(row.get("metrics"), dict):
        return dict(row["metrics"])
    out = {}
    for k, v in row.items():
        if k in ROW_FIELDS or k == "metrics":
            continue
        if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
            out[k] = float(v)
    return out


def _same(a, b) -> tuple[bool, bool, float]:
    """``(bitwise, within tolerance, relative difference)`` of two metric values."""
    a = float("nan") if a is None else float(a)
    b = float("nan") if b is None else float(b)
    if math.isnan(a) and math.isnan(b):
        return True, True, 0.0
    if a == b:
        return True, True, 0.0
    if math.isnan(a) or math.isnan(b) or math.isinf(a) or math.isinf(b):
        return False, False, math.inf
    rel = abs(a - b) / max(abs(a), abs(b))
    return False, rel <= RTOL, rel


def compare(stored: dict, fresh: dict) -> Verdict:
    """The :class:`Verdict` of a stored row against the row of its re-run."""
    job_id, model = str(stored.get("job_id")), str(stored.get("model"))
    if fresh.get("status") != "ok":
        return Verdict(job_id, model, "failed", str(fresh.get("error", "the re-run failed"))[:300], math.inf)
    if stored.get("data_sha256") != fresh.get("data_sha256"):
        return Verdict(job_id, model, "other data",
                       f"stored data fingerprint {str(stored.get('data_sha256'))[:12]}, current "
                       f"{str(fresh.get('data_sha256'))[:12]}: the row was computed on data the current code no "
                       "longer generates", math.inf)
    sp, fp = stored.get("params"), fresh.get("params")
    if isinstance(sp, str):
        sp = json.loads(sp)
    if (sp or {}) != (fp or {}):
        return Verdict(job_id, model, "differs", f"hyperparameters: stored {sp}, now {fp}", math.inf)
    a, b = _metrics(stored), _metrics(fresh)
    worst, outcome, detail = 0.0, "bitwise", ""
    # every number the stored row holds must come back; a metric added to the code since the
    # row was written is not a disagreement (the row never stated it)
    for k in sorted(a):
        if k not in b and a[k] is not None and not (isinstance(a[k], float) and math.isnan(a[k])):
            return Verdict(job_id, model, "differs", f"{k}: stored {a[k]!r}, not computed any more", math.inf)
        bit, close, rel = _same(a.get(k), b.get(k))
        if bit:
            continue
        if not close:
            return Verdict(job_id, model, "differs", f"{k}: stored {a.get(k)!r}, now {b.get(k)!r}", rel)
        if rel > worst:
            worst, outcome, detail = rel, "within tolerance", f"{k}: relative difference {rel:.2g}"
    return Verdict(job_id, model, outcome, detail, worst)


def _protocol_of(settings: dict):
    """The protocol of the rows: the registered one of that name, which must have the same
    settings, or (a protocol of the user's own) the one the settings describe."""
    from chaoszoo.forecast.protocols import PROTOCOLS, ForecastProtocol

    p = PROTOCOLS.get(settings.get("name"))
    if p is None:
        try:
            return ForecastProtocol.from_settings(settings)
        except InvalidArgumentError as err:
            raise ResultsStoreError(f"The rows' protocol cannot be rebuilt by this code: {err}") from None
    if json.loads(json.dumps(p.settings(), default=str)) != json.loads(json.dumps(settings, default=str)):
        raise ResultsStoreError(
            f"The rows were written with other settings of {p.name!r} (stored v{settings.get('version')}, current "
            f"v{p.version}), so they cannot be regenerated by this code: run the protocol again into a new directory.")
    return p


def _source(results, shipped):
    """``(label, protocol settings, rows as dicts)`` of results directories or a shipped table."""
    from chaoszoo.forecast.store import NESTED_COLUMNS, shipped_files, stored_rows

    if bool(results) == bool(shipped):
        raise InvalidArgumentError("Give results directories or a shipped protocol (one of the two).")
    if shipped:
        import pandas as pd

        f = shipped_files(shipped)[0]
        side = json.loads(f.with_suffix(".json").read_text())
        df = pd.read_parquet(f)
        rows = []
        for rec in df.to_dict("records"):
            for col in NESTED_COLUMNS:
                if isinstance(rec.get(col), str) and rec[col][:1] in "[{":
                    rec[col] = json.loads(rec[col])
            rows.append(rec)
        return f"the shipped {shipped} table", side["protocol"], rows
    settings, rows = stored_rows(results)
    paths = [results] if isinstance(results, (str, Path)) else list(results)
    return ", ".join(map(str, paths)), settings, rows


def verify(results=None, *, shipped: str | None = None, sample: int = 20, seed: int = 0, models=None,
           jobs: int | None = None, timeout: float | None = None, progress: bool = True) -> VerifyReport:
    """Re-run a seeded random sample of stored rows and compare them (see the module docstring).

    Arguments:
        results: results directories; or ``shipped``: a protocol whose shipped table to check.
        sample: rows to re-run (at most the eligible rows: ok rows of deterministic models).
        seed: the sample's seed (the same seed picks the same rows).
        models: only rows of these models (names, or a comma-separated string).
        jobs, timeout: worker processes and per-job time limit, as in :func:`chaoszoo.forecast.run`.
    """
    from chaoszoo.forecast.jobs import Job
    from chaoszoo.forecast.registry import get_spec
    from chaoszoo.forecast.runner import DEFAULT_TIMEOUT, _dispatch, _ensure_data, _limit, _progress

    t0 = time.perf_counter()
    if isinstance(sample, bool) or not isinstance(sample, int) or sample < 1:
        raise InvalidArgumentError(f"sample must be a positive integer; got {sample!r}.")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise InvalidArgumentError(f"seed must be a non-negative integer; got {seed!r}.")
    if jobs is None:
        import os

        jobs = os.cpu_count() or 1
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 0:
        raise InvalidArgumentError(f"jobs must be a non-negative integer; got {jobs!r}.")
    timeout = _limit(DEFAULT_TIMEOUT if timeout is None else timeout, "timeout", "seconds")
    label, settings, rows = _source(results, shipped)
    protocol = _protocol_of(settings)
    if isinstance(models, str):
        models = [m for m in models.split(",") if m]
    if models:
        have = {r.get("model") for r in rows}
        unknown = [m for m in models if m not in have]
        if unknown:
            raise InvalidArgumentError(f"No rows of {unknown} in {label}; it has {', '.join(sorted(map(str, have)))}.")
        rows = [r for r in rows if r.get("model") in set(models)]
    skipped: dict = {}
    eligible = []
    deterministic: dict = {}
    for r in rows:
        if r.get("status") != "ok":
            skipped["failed rows"] = skipped.get("failed rows", 0) + 1
            continue
        if r.get("setting") == "external":
            skipped["forecasts made elsewhere"] = skipped.get("forecasts made elsewhere", 0) + 1
            continue
        m = str(r.get("model"))
        if m not in deterministic:
            try:
                deterministic[m] = get_spec(m).deterministic
            except Exception:  # noqa: BLE001 - a user model no longer importable cannot be re-run
                deterministic[m] = None
        if deterministic[m] is None:
            skipped[f"{m} (cannot be imported)"] = skipped.get(f"{m} (cannot be imported)", 0) + 1
        elif not deterministic[m]:
            skipped[f"{m} (not deterministic)"] = skipped.get(f"{m} (not deterministic)", 0) + 1
        else:
            eligible.append(r)
    if not eligible:
        raise InvalidArgumentError(f"{label} has no rows that can be verified (ok rows of deterministic models).")
    if sample > len(eligible):
        raise InvalidArgumentError(
            f"sample={sample} is larger than the {len(eligible)} rows of {label} that can be verified (ok rows of "
            f"deterministic models); ask for at most {len(eligible)}.")
    rng = np.random.default_rng(seed)
    eligible.sort(key=lambda r: str(r["job_id"]))
    picked = [eligible[i] for i in sorted(rng.choice(len(eligible), size=sample, replace=False))]
    stored_by_id = {str(r["job_id"]): r for r in picked}
    items = [("job", Job.from_row(protocol, r)) for r in picked]
    data_failed = _ensure_data(protocol, sorted({j.system for _, j in items}), jobs, "local", None, progress)
    fresh: dict = {}
    bar = _progress(len(items), progress, f"chaoszoo forecast verify {protocol.name}")

    def on_result(item, res):
        fresh[item[1].job_id] = res[0]
        bar.update(1)

    def on_failure(item, reason):
        fresh[item[1].job_id] = {"status": "failed", "error": reason}
        bar.update(1)

    for item in [i for i in items if i[1].system in data_failed]:
        on_failure(item, f"DatasetError: {data_failed[item[1].system]}")
    items = [i for i in items if i[1].system not in data_failed]
    try:
        _dispatch(items, jobs, "local", timeout, None, None, on_result, on_failure)
    finally:
        bar.close()
    verdicts = tuple(compare(stored_by_id[j], fresh.get(j, {"status": "failed", "error": "no result"}))
                     for j in sorted(stored_by_id))
    return VerifyReport(label, len(eligible), verdicts, time.perf_counter() - t0, skipped)
