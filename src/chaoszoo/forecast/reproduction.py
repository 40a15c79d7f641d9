"""The published forecasting results beside ours.

Each published statement is a :class:`Claim` (study, protocol, variant, statistic, model and the
published number or sentence); :func:`reproduce` evaluates every claim on a table of benchmark
rows (by default the results shipped in the package) and returns one row per claim with our
value, its 95% bootstrap interval over systems, the number of systems behind it and the model
setting used. A claim with no rows is reported as not run, with the command that would run it.

Sources:

* 2021: Gilpin, W. (2021). Chaos as an interpretable benchmark for forecasting and data-driven
  modelling. NeurIPS Datasets and Benchmarks Track. Median sMAPE (0-200 scale) over systems,
  univariate series; Spearman correlation of the best model's error with the largest Lyapunov
  exponent.
* 2023: Gilpin, W. (2023). Model scale versus domain knowledge in statistical forecasting of
  chaotic systems. Physical Review Research 5, 043252. Large models stay accurate "up to two
  dozen Lyapunov times" on long horizons, where accuracy "decorrelates" from the Lyapunov
  exponent; physics-based hybrid methods lead when data are scarce.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chaoszoo.errors import InvalidArgumentError

GILPIN_2021 = ("Gilpin, W. (2021). Chaos as an interpretable benchmark for forecasting and data-driven modelling. "
               "NeurIPS Datasets and Benchmarks Track.")
GILPIN_2023 = ("Gilpin, W. (2023). Model scale versus domain knowledge in statistical forecasting of chaotic "
               "systems. Physical Review Research 5, 043252.")

#: Families the 2023 study calls physics-based (dynamical-systems inductive biases).
PHYSICS_BASED = ("reservoir", "equation-learning", "dynamical-systems")


@dataclass(frozen=True)
class Claim:
    """One published statement. ``statistic``: ``median`` (median of ``metric`` over systems for
    ``model``), ``spearman`` (rank correlation of the best model's per-system error with the
    largest Lyapunov exponent), ``vpt`` (median valid prediction time of the best models, in
    Lyapunov times), ``family`` (the best model family per history length)."""

    study: str
    protocol: str
    variant: str
    statistic: str
    published: float | None
    text: str
    model: str | None = None
    metric: str = "smape"


CLAIMS: tuple[Claim, ...] = (
    Claim("2021", "short-coarse", "uni-clean", "median", 50.6, "N-BEATS median sMAPE", "nbeats"),
    Claim("2021", "short-coarse", "uni-clean", "median", 67.8, "LSTM median sMAPE", "lstm"),
    Claim("2021", "short-coarse", "uni-clean", "median", 89.6, "random forest median sMAPE", "random-forest"),
    Claim("2021", "short-coarse", "uni-clean", "median", 153.5, "naive mean median sMAPE", "naive-mean"),
    Claim("2021", "short-fine", "uni-clean", "median", 67.7, "N-BEATS median sMAPE", "nbeats"),
    Claim("2021", "short-fine", "uni-clean", "median", 101.4, "Transformer median sMAPE", "transformer"),
    Claim("2021", "short-fine", "uni-clean", "median", 102.0, "LSTM median sMAPE", "lstm"),
    Claim("2021", "short-coarse", "uni-noisy", "median", 84.9, "LSTM median sMAPE", "lstm"),
    Claim("2021", "short-coarse", "uni-noisy", "median", 85.4, "N-BEATS median sMAPE", "nbeats"),
    Claim("2021", "short-coarse", "uni-clean", "spearman", 0.46,
          "Spearman rho, best model's sMAPE vs largest Lyapunov exponent"),
    Claim("2021", "short-fine", "uni-clean", "spearman", 0.41,
          "Spearman rho, best model's sMAPE vs largest Lyapunov exponent"),
    Claim("2023", "long-horizon", "multi-clean", "vpt", 24.0,
          "best models stay valid up to about two dozen Lyapunov times (max over systems)", metric="vpt_smape"),
    Claim("2023", "long-horizon", "multi-clean", "spearman", None,
          "accuracy decorrelates from the largest Lyapunov exponent (|rho| small)", metric="vpt_smape"),
    Claim("2023", "data-limited", "multi-clean-h50", "family", None,
          "physics-based models (reservoir, neural ODE, SINDy) lead with scarce data"),
    Claim("2023", "data-limited", "multi-clean-h400", "family", None,
          "physics-based models (reservoir, neural ODE, SINDy) lead with scarce data"),
)


def _prefer_setting(rows, preference):
    """The rows of the most preferred setting present (``default`` before ``fast``)."""
    if "setting" not in rows.columns or not len(rows):
        return rows, None
    for s in preference:
        sub = rows[rows["setting"] == s]
        if len(sub):
            return sub, s
    return rows, str(rows["setting"].iloc[0])


def _per_system(rows, metric):
    ok = rows[(rows["status"] == "ok") & np.isfinite(rows[metric].astype(float))]
    return ok.groupby("system")[metric].median()


def _bootstrap(values: np.ndarray, stat, n_boot: int, rng) -> tuple[float, float]:
    if len(values) < 3:
        return float("nan"), float("nan")
    idx = rng.integers(0, len(values), size=(n_boot, len(values)))
    boots = np.array([stat(values[i]) for i in idx])
    return float(np.nanpercentile(boots, 2.5)), float(np.nanpercentile(boots, 97.5))


def _preferred(task, preference):
    """Every model's rows at its most preferred setting, concatenated."""
    import pandas as pd

    parts = [_prefer_setting(g, preference)[0] for _, g in task.groupby("model")]
    return pd.concat(parts) if parts else task


def _model_medians(rows, metric) -> dict:
    """Median over systems per non-oracle model scored on at least 3 systems."""
    meds = {}
    for m, g in rows[rows["model"] != "oracle"].groupby("model"):
        v = _per_system(g, metric)
        if len(v) >= 3:
            meds[m] = float(v.median())
    return meds


def _best_model(rows, metric, higher: bool):
    """The non-oracle model with the best median over systems (each model at its preferred setting)."""
    meds = _model_medians(rows, metric)
    return (max if higher else min)(meds, key=meds.get) if meds else None


def _lyapunov(systems) -> "object":
    import pandas as pd

    from chaoszoo.forecast.ranking import invariants_table

    return invariants_table(list(systems))["max_lyapunov"] if len(systems) else pd.Series(dtype=float)


def _command(claim: Claim) -> str:
    models = claim.model or "<models>"
    return (f"chaoszoo forecast run -p {claim.protocol} -m {models} --variants {claim.variant} "
            f"--out results/{claim.protocol}")


def reproduce(results=None, *, preference=("default", "fast"), n_boot: int = 2000, seed: int = 0):
    """Every :data:`CLAIMS` entry evaluated on ``results`` (a DataFrame of benchmark rows, or
    results directories; default: every table shipped in the package).

    Returns a ``pandas.DataFrame`` with ``study, protocol, variant, claim, published, ours,
    ci_low, ci_high, n, model, setting, note``.
    """
    import pandas as pd
    from scipy.stats import spearmanr

    from chaoszoo.forecast.ranking import HIGHER_IS_BETTER
    from chaoszoo.forecast.registry import get_spec

    if results is None:
        from chaoszoo.forecast.store import shipped_results

        df = shipped_results()
    elif isinstance(results, pd.DataFrame):
        df = results
    else:
        from chaoszoo.forecast.store import load_results

        df = load_results(results)
    needed = {"protocol", "variant", "model", "system", "status"}
    if len(df) and not needed <= set(df.columns):
        raise InvalidArgumentError(f"The results lack the columns {sorted(needed - set(df.columns))}.")
    out = []
    for i, c in enumerate(CLAIMS):
        rng = np.random.default_rng([seed, i])  # a claim's interval does not depend on which others have data
        row = dict(study=c.study, protocol=c.protocol, variant=c.variant, claim=c.text, published=c.published,
                   ours=np.nan, ci_low=np.nan, ci_high=np.nan, n=0, model=c.model, setting=None, note="")
        task = df[(df["protocol"] == c.protocol) & (df["variant"] == c.variant)] if len(df) else df
        if c.metric not in task.columns:
            task = task.iloc[0:0]
        higher = c.metric in HIGHER_IS_BETTER
        if c.statistic == "median":
            rows, setting = _prefer_setting(task[task["model"] == c.model], preference)
            v = _per_system(rows, c.metric).to_numpy(dtype=float) if len(rows) else np.array([])
            if len(v):
                lo, hi = _bootstrap(v, np.median, n_boot, rng)
                row.update(ours=float(np.median(v)), ci_low=lo, ci_high=hi, n=len(v), setting=setting)
        elif c.statistic in ("spearman", "vpt"):
            pool = _preferred(task, preference)
            best = _best_model(pool, c.metric, higher) if len(pool) else None
            if best is not None:
                rows = pool[pool["model"] == best]
                v = _per_system(rows, c.metric)
                row.update(model=best, setting=str(rows["setting"].iloc[0]) if "setting" in rows else None)
                if c.statistic == "vpt":
                    arr = v.to_numpy(dtype=float)
                    lo, hi = _bootstrap(arr, np.median, n_boot, rng)
                    row.update(ours=float(np.median(arr)), ci_low=lo, ci_high=hi, n=len(arr),
                               note=f"median over systems; max {np.max(arr):.1f}, 90th percentile "
                                    f"{np.percentile(arr, 90):.1f} Lyapunov times")
                else:
                    both = pd.concat([v.rename("err"), _lyapunov(v.index).rename("lam")], axis=1).dropna()
                    if len(both) >= 3:
                        r = spearmanr(both["err"], both["lam"])
                        a, b = both["err"].to_numpy(), both["lam"].to_numpy()

                        def rho(i, a=a, b=b):
                            return spearmanr(a[i], b[i]).statistic

                        idx = rng.integers(0, len(a), size=(min(n_boot, 1000), len(a)))
                        boots = np.array([rho(i) for i in idx])
                        row.update(ours=float(r.statistic), ci_low=float(np.nanpercentile(boots, 2.5)),
                                   ci_high=float(np.nanpercentile(boots, 97.5)), n=len(both),
                                   note=f"p = {r.pvalue:.2g}")
        elif c.statistic == "family":
            pool = _preferred(task, preference)
            meds = _model_medians(pool, c.metric) if len(pool) else {}
            if meds:
                order = sorted(meds, key=meds.get, reverse=higher)

                def family(m):
                    try:
                        return get_spec(m.split(" (")[0]).family
                    except Exception:  # noqa: BLE001 - a user model outside the registry
                        return "user"

                best = order[0]
                phys = [m for m in order if family(m) in PHYSICS_BASED]
                rank_phys = order.index(phys[0]) + 1 if phys else None
                row.update(model=best, ours=meds[best], n=int(_per_system(pool[pool["model"] == best], c.metric).size),
                           setting=str(pool["setting"].iloc[0]) if "setting" in pool else None,
                           note=(f"best: {best} ({family(best)}); best physics-based: "
                                 + (f"{phys[0]} ({family(phys[0])}), rank {rank_phys} of {len(order)}, "
                                    f"median {meds[phys[0]]:.3g}" if phys else "none run")))
        if row["n"] == 0:
            row["note"] = f"not run: {_command(c)}"
        out.append(row)
    return pd.DataFrame(out)


def format_reproduction(table) -> str:
    """The reproduction table as Markdown."""
    lines = ["| study | protocol / variant | claim | published | ours [95% CI] | n | model (setting) | note |",
             "|---|---|---|---|---|---|---|---|"]

    def num(v):
        return "-" if v is None or not np.isfinite(v) else f"{v:.3g}"

    for _, r in table.iterrows():
        ours = "-" if not np.isfinite(r["ours"]) else (
            f"{num(r['ours'])} [{num(r['ci_low'])}, {num(r['ci_high'])}]" if np.isfinite(r["ci_low"]) else num(r["ours"]))
        model = "-" if r["model"] is None else f"{r['model']}" + (f" ({r['setting']})" if r["setting"] else "")
        pub = num(r["published"]) if r["published"] is not None else "(qualitative)"
        lines.append(f"| {r['study']} | {r['protocol']} / {r['variant']} | {r['claim']} | {pub} | {ours} | "
                     f"{r['n']} | {model} | {r['note']} |")
    return "\n".join(lines)
