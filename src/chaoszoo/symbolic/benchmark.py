"""The symbolic-regression benchmark: discover each flow's equations from on-attractor samples
with exact derivatives, and score the result two ways.

Protocol (one flow): one trajectory from the declared initial condition, sampled at
``pts_per_period`` points per period after ``transient`` discarded samples; the first ``n_train``
samples train, the following ``n_test`` test. Derivatives are exact: the declaration's vector field
evaluated at the samples. Scores:

* derivative sMAPE per dimension on the test samples (Gilpin 2021's metric, 0-200 scale),
  and its mean over dimensions;
* structure recovery against the declaration's SymPy form (:mod:`chaoszoo.symbolic.terms`):
  precision, recall, coefficient error on correct terms, exact recovery.

Flows whose equations are polynomials of degree <= 3 lie inside SINDy's polynomial library;
the others (rational, transcendental or time-forced right-hand sides) are reported apart.
Results are one row per (system, method) in a Parquet file written after every system, so an
interrupted run resumes where it stopped.
"""

from __future__ import annotations

import io
import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from chaoszoo.errors import ChaoszooError, InvalidArgumentError, MissingExtraError, UnknownSystemError

RESULTS_PATH = Path(__file__).with_name("data") / "results.parquet"
#: Gilpin (2021): Spearman correlation between each system's best symbolic score and its best
#: forecast error (quoted in issue 11).
PUBLISHED_FORECAST_RHO = -0.16


@dataclass(frozen=True)
class Protocol:
    n_train: int = 2000
    n_test: int = 1000
    pts_per_period: int = 100
    transient: int = 1000


FAST = Protocol(n_train=400, n_test=200, pts_per_period=50, transient=200)


def smape(true, pred) -> np.ndarray:
    """Symmetric mean absolute percentage error per column, 0-200 scale:
    ``200/n Σ |ŷ - y| / (|ŷ| + |y|)`` (terms with ``|ŷ| + |y| = 0`` count as 0)."""
    true = np.asarray(true, dtype=np.float64)
    pred = np.asarray(pred, dtype=np.float64)
    den = np.abs(true) + np.abs(pred)
    ratio = np.divide(np.abs(pred - true), den, out=np.zeros_like(den), where=den > 0)
    return 200.0 * ratio.mean(axis=0)


def exact_derivatives(system, x, t) -> np.ndarray:
    """The declaration's vector field at every row of ``x`` (shape ``(n, d)``), vectorised."""
    from chaoszoo.catalog.declaration import Params
    from chaoszoo.catalog.ops import NUMPY

    x = np.asarray(x, dtype=np.float64)
    t = np.asarray(t, dtype=np.float64)
    p = Params({k: (int(v) if k in system.declaration.integer_params else float(v)) for k, v in system.params.items()})
    with np.errstate(all="ignore"):
        out = system.declaration.equations(x.T, t, p, NUMPY)
    parts = np.broadcast_arrays(*[np.asarray(o, dtype=np.float64) for o in out], t)[:-1]
    return np.stack(parts, axis=1)


def flow_data(system, protocol: Protocol = Protocol()) -> dict:
    """Training and test samples of ``system`` with exact derivatives (see the module docstring)."""
    if system.kind != "flow":
        raise InvalidArgumentError(f"{system.name} is a {system.kind}; the symbolic benchmark takes flows only.")
    tr = system.trajectory(protocol.n_train + protocol.n_test, pts_per_period=protocol.pts_per_period,
                           transient=protocol.transient)
    xd = exact_derivatives(system, tr.values, tr.t)
    if not np.all(np.isfinite(xd)):
        raise InvalidArgumentError(f"{system.name}: the vector field is not finite on the trajectory.")
    k = protocol.n_train
    return {"x_train": tr.values[:k], "xd_train": xd[:k], "x_test": tr.values[k:], "xd_test": xd[k:],
            "t_train": tr.t[:k], "t_test": tr.t[k:]}


def run_one(system, method: str, protocol: Protocol = Protocol(), data: dict | None = None,
            operon_budget=None) -> dict:
    """Fit one method to one flow and score it; returns one results row."""
    from chaoszoo.engine import derived_seed
    from chaoszoo.symbolic import terms
    from chaoszoo.symbolic.methods import get_method, operon

    fn = get_method(method)
    truths = terms.true_terms(system)       # raises for a flow without a symbolic form
    data = flow_data(system, protocol) if data is None else data
    polynomial = terms.is_polynomial(system)
    degree = terms.polynomial_degree(system) if polynomial else -1
    seed = derived_seed("symbolic", system.name, method) % (2**31)
    t0 = time.perf_counter()
    if method == "operon" and operon_budget is not None:
        found = operon(data["x_train"], data["xd_train"], system.variables, seed=seed, budget=operon_budget)
    else:
        found = fn(data["x_train"], data["xd_train"], system.variables, seed=seed)
    seconds = time.perf_counter() - t0
    pred = found.predict(data["x_test"])
    if not np.all(np.isfinite(pred)):
        per_dim = np.full(system.dimension, 200.0)  # a non-finite prediction scores the worst value
    else:
        per_dim = smape(data["xd_test"], pred)
    recovered = [terms.term_dict(e) for e in found.expressions]
    struct = terms.score_system(truths, recovered)
    return {
        "system": system.name, "method": method, "dimension": system.dimension,
        "polynomial": polynomial, "degree": degree,
        "smape": float(np.mean(per_dim)), "smape_dims": json.dumps([round(float(v), 6) for v in per_dim]),
        **struct, "seconds": round(seconds, 3), "status": "ok",
        "expressions": json.dumps(found.strings()),
    }


def _skip_row(system, method: str, reason: str) -> dict:
    return {"system": system.name, "method": method, "dimension": system.dimension, "status": reason}


def load_results(path: Path = RESULTS_PATH):
    import pandas as pd

    path = Path(path)
    return pd.read_parquet(path) if path.exists() else pd.DataFrame()


def _write(frame, path: Path, meta: dict) -> None:
    from chaoszoo.data.storage import atomic_write, json_bytes

    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False)
    atomic_write(path, buf.getvalue())
    atomic_write(path.with_suffix(".json"), json_bytes(meta))


def run_benchmark(names=None, methods=("sindy-poly", "sindy-fourier", "operon"), protocol: Protocol = Protocol(),
                  out: Path = RESULTS_PATH, operon_budget=None, command: str = "chaoszoo symbolic run",
                  progress: bool = True, resume: bool = True, retry: bool = False):
    """Run ``methods`` on every flow in ``names`` (default: all flows); resumable.

    Rows already in ``out`` for the same protocol are kept and not recomputed; with ``retry``, rows
    of ``names`` that were skipped or failed are computed again. A flow without a symbolic form
    gets a ``skipped: no symbolic form ...`` row per method, saying why. Returns the table.
    """
    import pandas as pd
    from tqdm import tqdm

    import chaoszoo as cz
    from chaoszoo.engine import shared_solvers
    from chaoszoo.symbolic import terms
    from chaoszoo.symbolic.methods import OperonBudget, get_method

    for m in methods:
        get_method(m)
    names = list(cz.names(kind="flow") if names is None else names)
    out = Path(out)
    meta_path = out.with_suffix(".json")
    settings = {"protocol": asdict(protocol), "methods": list(methods),
                "operon_budget": asdict(operon_budget or OperonBudget())}
    old = load_results(out) if resume else pd.DataFrame()
    if len(old) and meta_path.exists():
        prev = json.loads(meta_path.read_text())
        if prev.get("settings", {}).get("protocol") != settings["protocol"]:
            raise InvalidArgumentError(f"{out} was written with another protocol ({prev.get('settings')}); "
                                       "choose another --out or delete it.")
        old_meta = prev
    else:
        old_meta = {}
    rows = old.to_dict("records") if len(old) else []
    if retry:
        again = set(names)
        rows = [r for r in rows if r["status"] == "ok" or r["system"] not in again]
    done = {(r["system"], r["method"]) for r in rows}
    wall = float(old_meta.get("wall_seconds", 0.0))
    t_start = time.perf_counter()
    todo = [n for n in names if any((n, m) not in done for m in methods)]
    with shared_solvers():
        for name in tqdm(todo, desc="symbolic regression", unit="flow", disable=not progress):
            s = cz.get(name)
            if s.kind != "flow":
                raise InvalidArgumentError(f"{name} is a {s.kind}; the symbolic benchmark takes flows only.")
            new = []
            data = None
            try:
                terms.true_terms(s)
                symbolic_form = None
            except InvalidArgumentError as exc:
                symbolic_form = str(exc)
            for m in methods:
                if (name, m) in done:
                    continue
                if symbolic_form is not None:
                    new.append(_skip_row(s, m, f"skipped: {symbolic_form[:400]}"))
                    continue
                try:
                    if data is None:
                        data = flow_data(s, protocol)
                    new.append(run_one(s, m, protocol, data, operon_budget))
                except MissingExtraError:
                    raise
                except (ChaoszooError, np.linalg.LinAlgError, ValueError) as exc:
                    new.append(_skip_row(s, m, f"failed: {type(exc).__name__}: {str(exc)[:300]}"))
            rows.extend(new)
            meta = {**old_meta, "command": command, "settings": settings, "rows": len(rows),
                    "wall_seconds": round(wall + time.perf_counter() - t_start, 1),
                    "chaoszoo_version": cz.__version__}
            _write(pd.DataFrame(rows), out, meta)
    return pd.DataFrame(rows)


def equation_class(rows) -> np.ndarray:
    """``polynomial (deg <= 3)`` (inside SINDy's library), ``polynomial (deg > 3)`` or ``non-polynomial``
    (rational, transcendental or time-forced right-hand sides)."""
    poly = rows["polynomial"].astype(bool).to_numpy()
    deg = rows["degree"].to_numpy(dtype=float)
    return np.where(poly & (deg <= 3), "polynomial (deg <= 3)", np.where(poly, "polynomial (deg > 3)", "non-polynomial"))


def summarise(results):
    """Per equation class and method: systems, medians and exact-recovery rate."""
    import pandas as pd

    ok = results[results["status"] == "ok"].copy()
    if ok.empty:
        return pd.DataFrame()
    ok["class"] = equation_class(ok)
    g = ok.groupby(["class", "method"])
    return pd.DataFrame({
        "systems": g.size(),
        "median_smape": g["smape"].median(),
        "median_precision": g["precision"].median(),
        "median_recall": g["recall"].median(),
        "mean_precision": g["precision"].mean(),
        "mean_recall": g["recall"].mean(),
        "median_coef_error": g["coef_error"].median(),
        "exact_rate": g["exact"].mean(),
        "median_seconds": g["seconds"].median(),
    }).reset_index()


def best_scores(results):
    """Per system: the best (lowest) sMAPE over the methods and the best recall/exactness."""
    ok = results[results["status"] == "ok"]
    g = ok.groupby("system")
    import pandas as pd

    return pd.DataFrame({"best_smape": g["smape"].min(), "best_recall": g["recall"].max(),
                         "any_exact": g["exact"].max()})


def correlate_with_invariants(results, invariants=("max_lyapunov", "kaplan_yorke_dimension",
                                                    "correlation_dimension", "pesin_entropy",
                                                    "multiscale_entropy")):
    """Spearman ρ (with p-value and n) between each system's best sMAPE and each recorded invariant."""
    import pandas as pd
    from scipy.stats import spearmanr

    import chaoszoo as cz

    best = best_scores(results)
    rows = []
    for inv in invariants:
        vals = []
        for name in best.index:
            try:
                v = (cz.get(name).invariants or {}).get(inv)
            except UnknownSystemError:  # a results table with systems this catalog lacks
                v = None
            vals.append(float(v) if isinstance(v, (int, float)) else np.nan)
        vals = np.asarray(vals)
        score = best["best_smape"].to_numpy(dtype=float)
        ok = np.isfinite(vals) & np.isfinite(score)
        rho, p = spearmanr(score[ok], vals[ok]) if ok.sum() >= 5 else (np.nan, np.nan)
        rows.append({"invariant": inv, "rho": float(rho), "p": float(p), "n": int(ok.sum())})
    return pd.DataFrame(rows)


#: The forecasting benchmark's shipped results (short-coarse protocol): the default forecast table.
SHIPPED_FORECAST = Path(__file__).resolve().parents[1] / "forecast" / "data" / "results" / "short-coarse.parquet"
#: The forecast variant and the models left out of "best forecast error" by default (the oracle
#: integrates the true equations: it measures the data, not forecastability).
FORECAST_VARIANT = "uni-clean"
FORECAST_EXCLUDE = ("oracle",)


def _read_table(table):
    import pandas as pd

    if isinstance(table, pd.DataFrame):
        return table
    path = Path(table)
    if not path.exists():
        raise InvalidArgumentError(f"Forecast table {path} does not exist; pass a results Parquet of "
                                   "`chaoszoo forecast run` or a CSV/Parquet with columns system, score.")
    return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)


def best_forecast_scores(table=None, variant: str = FORECAST_VARIANT, exclude=FORECAST_EXCLUDE,
                         metric: str = "smape"):
    """Per system, the best (lowest) ``metric`` over the models of a forecasting-benchmark table.

    ``table``: benchmark rows (a DataFrame or a Parquet/CSV path with columns ``system, model,
    <metric>`` and optionally ``variant, status``); default: the shipped short-coarse results
    (:data:`SHIPPED_FORECAST`), whatever models they hold. Rows that failed, of another variant, or of
    a model in ``exclude`` are left out. Returns a DataFrame ``system, score, best_model``; its
    ``attrs`` record the models and variant used.
    """
    table = _read_table(SHIPPED_FORECAST if table is None else table)
    need = {"system", "model", metric}
    if not need <= set(table.columns):
        raise InvalidArgumentError(f"A forecasting results table needs the columns {sorted(need)}; "
                                   f"it has {list(table.columns)}.")
    rows = table
    if "status" in rows.columns:
        rows = rows[rows["status"] == "ok"]
    if "variant" in rows.columns:
        if variant not in set(rows["variant"]):
            raise InvalidArgumentError(f"The forecast table has no rows of variant {variant!r}; it has "
                                       f"{sorted(set(rows['variant']))}.")
        rows = rows[rows["variant"] == variant]
    rows = rows[~rows["model"].isin(list(exclude))]
    rows = rows[np.isfinite(rows[metric].to_numpy(dtype=float))]
    if rows.empty:
        raise InvalidArgumentError("No usable forecast rows (status ok, finite score) are left after the filters.")
    best = rows.loc[rows.groupby("system")[metric].idxmin(), ["system", metric, "model"]]
    best = best.rename(columns={metric: "score", "model": "best_model"}).reset_index(drop=True)
    best.attrs.update(models=sorted(map(str, rows["model"].unique())), variant=variant, metric=metric,
                      excluded=list(exclude))
    return best


def forecast_scores(forecast=None, score_column: str = "score", variant: str = FORECAST_VARIANT,
                    exclude=FORECAST_EXCLUDE):
    """A per-system forecast table ``system, score``: ``forecast`` as given when it already is one;
    reduced by :func:`best_forecast_scores` when it holds forecasting-benchmark rows (a ``model``
    column); the shipped short-coarse results when ``None``. DataFrame or CSV/Parquet path."""
    table = _read_table(SHIPPED_FORECAST if forecast is None else forecast)
    if "model" in table.columns and score_column not in table.columns:
        table = best_forecast_scores(table, variant, exclude)
        score_column = "score"
    if "system" not in table.columns or score_column not in table.columns:
        raise InvalidArgumentError(f"The forecast table needs columns 'system' and {score_column!r} (or a "
                                   f"forecasting results table with 'model'); it has {list(table.columns)}.")
    out = table[["system", score_column]].rename(columns={score_column: "score"})
    out.attrs.update(table.attrs)
    return out


def correlate_with_forecast(results, forecast=None, score_column: str = "score", variant: str = FORECAST_VARIANT,
                            exclude=FORECAST_EXCLUDE):
    """Spearman ρ between the best symbolic sMAPE and the best forecast error, per system.

    ``forecast``: anything :func:`forecast_scores` takes: ``None`` (the shipped forecasting
    results: each system's best model on ``variant``, the models in ``exclude`` left out), a
    forecasting-benchmark results table, or a per-system table with ``system`` and
    ``score_column``. Gilpin (2021) reports ρ = -0.16 between the best symbolic score and the best
    forecast error. Returns ``{"rho", "p", "n"}`` and, when the models are known, ``"models"``,
    ``"variant"`` and ``"excluded"``.
    """
    from scipy.stats import spearmanr

    f = forecast_scores(forecast, score_column, variant, exclude)
    info = {k: f.attrs[k] for k in ("models", "variant", "excluded") if k in f.attrs}
    f = f.set_index("system")["score"].astype(float)
    best = best_scores(results)
    common = best.index.intersection(f.index)
    a = best.loc[common, "best_smape"].to_numpy(dtype=float)
    b = f.loc[common].to_numpy(dtype=float)
    ok = np.isfinite(a) & np.isfinite(b)
    if ok.sum() < 5:
        raise InvalidArgumentError(f"Only {int(ok.sum())} systems have both scores; need at least 5.")
    rho, p = spearmanr(a[ok], b[ok])
    return {"rho": float(rho), "p": float(p), "n": int(ok.sum()), **info}


def record_correlations(results, out: Path = RESULTS_PATH, forecast=None) -> dict:
    """Correlations of the best symbolic sMAPE with forecastability (:func:`correlate_with_forecast`)
    and with the invariants, added to the results' sidecar JSON (``correlations``); returns them."""
    from chaoszoo.data.storage import atomic_write, json_bytes

    corr = {"published_forecast_rho": PUBLISHED_FORECAST_RHO,
            "forecast": correlate_with_forecast(results, forecast),
            "forecast_by_class": {},
            "invariants": correlate_with_invariants(results).to_dict("records")}
    ok = results[results["status"] == "ok"]
    if "polynomial" in ok.columns and "degree" in ok.columns:
        classes = equation_class(ok)
        for cls in np.unique(classes):  # within a class: the exact recoveries (sMAPE ~1e-13) do not drive it
            try:
                corr["forecast_by_class"][str(cls)] = correlate_with_forecast(ok[classes == cls], forecast)
            except InvalidArgumentError as err:  # too few systems in this class: say so, not a gap
                corr["forecast_by_class"][str(cls)] = {"skipped": str(err)}
    if forecast is None:
        corr["forecast"]["table"] = str(SHIPPED_FORECAST.relative_to(SHIPPED_FORECAST.parents[4]))
    elif isinstance(forecast, (str, Path)):
        corr["forecast"]["table"] = str(forecast)
    meta_path = Path(out).with_suffix(".json")
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    meta["correlations"] = corr
    atomic_write(meta_path, json_bytes(meta))
    return corr


def plot_results(results, out, forecast=None) -> None:
    """sMAPE and recall per method, polynomial flows and the rest side by side; with ``forecast``
    (a per-system table ``system, score`` such as :func:`best_forecast_scores`'s), a third panel:
    best symbolic sMAPE against best forecast sMAPE, with Spearman's ρ."""
    from chaoszoo.plotting import _pyplot, _save

    plt = _pyplot()
    ok = results[results["status"] == "ok"].copy()
    ok["class"] = equation_class(ok)
    classes = [c for c in ("polynomial (deg <= 3)", "polynomial (deg > 3)", "non-polynomial") if (ok["class"] == c).any()]
    methods = sorted(ok["method"].unique())
    panels = 3 if forecast is not None else 2
    fig, axes = plt.subplots(1, panels, figsize=(6.5 * panels, 4.8),
                             gridspec_kw={"width_ratios": [1.6, 1.6, 1][:panels]})
    for ax, col, label in ((axes[0], "smape", "derivative sMAPE (test)"), (axes[1], "recall", "term recall")):
        data, labels = [], []
        for m in methods:
            for cls in classes:
                v = ok[(ok["method"] == m) & (ok["class"] == cls)][col].dropna().to_numpy(dtype=float)
                if col == "smape":
                    v = np.clip(v, 1e-14, None)  # exact recoveries reach ~1e-13: show them on the log axis
                data.append(v if len(v) else np.array([np.nan]))
                labels.append(f"{m}\n{cls} ({len(v)})")
        ax.boxplot(data, showfliers=True)
        ax.set_xticks(range(1, len(labels) + 1), labels, fontsize=7, rotation=30)
        ax.set_ylabel(label)
        if col == "smape":
            ax.set_yscale("log")
    if forecast is not None:
        ax = axes[2]
        forecast = forecast_scores(forecast)
        best = best_scores(results)
        f = forecast.set_index("system")["score"].astype(float)
        common = best.index.intersection(f.index)
        cls = ok.drop_duplicates("system").set_index("system").loc[common, "class"]
        for c, colour in zip(("polynomial (deg <= 3)", "polynomial (deg > 3)", "non-polynomial"), ("C0", "C1", "C2")):
            sel = common[(cls == c).to_numpy()]
            ax.scatter(f.loc[sel], np.clip(best.loc[sel, "best_smape"], 1e-14, None), s=10, color=colour, label=c)
        corr = correlate_with_forecast(results, forecast)
        ax.set_yscale("log")
        models = forecast.attrs.get("models")
        ax.set_xlabel("best forecast sMAPE" + (f" ({forecast.attrs['variant']}, best of {len(models)} models)" if models else ""))
        ax.set_ylabel("best symbolic sMAPE")
        ax.set_title(f"Spearman ρ = {corr['rho']:.2f} (p = {corr['p']:.2g}, n = {corr['n']}); "
                     f"published {PUBLISHED_FORECAST_RHO}", fontsize=9)
        ax.legend(fontsize=7)
    fig.suptitle("Symbolic regression on the chaoszoo flows (exact derivatives)")
    fig.tight_layout()
    _save(fig, out, dpi=110)
