"""Leaderboards and the link between accuracy and chaos.

:func:`leaderboard` ranks models on one metric: median and interquartile range over jobs,
a bootstrap confidence interval of the median (resampling systems), the mean rank across
models on the same task (a failed job ranks last), the win rate, and the skill against the
naive-mean forecast. :func:`invariant_correlations` gives the Spearman correlation, with its
p-value, between each model's per-system error and each invariant of the catalog.
"""

from __future__ import annotations

import numpy as np

from chaoszoo.errors import InvalidArgumentError

#: Metrics for which larger is better (every other metric is an error).
HIGHER_IS_BETTER = frozenset({"r2_score", "spearman", "pearson", "kendall", "mutual_information", "vpt_smape",
                              "vpt_nrmse", "clean_vpt_smape", "clean_vpt_nrmse"})

#: Invariants correlated with forecast error (names of :attr:`chaoszoo.System.invariants` entries).
INVARIANTS = ("max_lyapunov", "kaplan_yorke_dimension", "correlation_dimension", "multiscale_entropy", "pesin_entropy")

TASK = ["system", "ic", "variant"]


def _frame(results):
    import pandas as pd

    from chaoszoo.forecast.store import load_results

    df = results if isinstance(results, pd.DataFrame) else load_results(results)
    return with_setting_labels(df)


def with_setting_labels(df):
    """``df`` with a model that was run at more than one setting named ``"model (setting)"``
    (e.g. ``nbeats (fast)`` beside ``nbeats (default)``), so that the two are ranked apart."""
    if "setting" not in df.columns or not len(df):
        return df
    n_settings = df.groupby("model")["setting"].nunique()
    mixed = set(n_settings[n_settings > 1].index)
    if not mixed:
        return df
    df = df.copy()
    hit = df["model"].isin(mixed)
    df.loc[hit, "model"] = df.loc[hit, "model"] + " (" + df.loc[hit, "setting"].astype(str) + ")"
    return df


def _groups(df, by):
    if not by:
        return [((), df)]
    by = [by] if isinstance(by, str) else list(by)
    aliases = {"granularity": "protocol", "noise": "noise", "univariate": "univariate"}
    cols = [aliases.get(b, b) for b in by]
    bad = [b for b, c in zip(by, cols) if c not in df.columns]
    if bad:
        raise InvalidArgumentError(f"Cannot group by {bad}; columns include variant, noise, univariate, protocol.")
    return list(df.groupby(cols, sort=True, dropna=False))


def variant_order(labels) -> list[str]:
    """Variant labels in reading order: univariate before multivariate (the 2021 study's main
    setting first), clean before noisy, and numbers compare as numbers (``multi-clean-h50``
    before ``multi-clean-h100``)."""
    import re

    def key(v):
        v = str(v)
        return [not v.startswith("uni")] + [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", v)]

    return sorted(set(labels), key=key)


def _bootstrap_median(per_system: np.ndarray, n_boot: int, rng) -> tuple[float, float]:
    if len(per_system) < 2:
        return (float("nan"), float("nan"))
    idx = rng.integers(0, len(per_system), size=(n_boot, len(per_system)))
    meds = np.median(per_system[idx], axis=1)
    return float(np.percentile(meds, 2.5)), float(np.percentile(meds, 97.5))


def leaderboard(results, metric: str = "smape", by=("variant",), baseline: str = "naive-mean",
                n_boot: int = 1000, seed: int = 0):
    """The leaderboard of ``results`` (a DataFrame from ``load_results`` or results directories).

    Returns a ``pandas.DataFrame`` with one row per (group, model): ``median``, ``q25``,
    ``q75``, ``ci_low``/``ci_high`` (95% bootstrap over systems), ``mean_rank``, ``win_rate``,
    ``skill`` (median over tasks of ``1 - error / baseline error``; errors only), ``n`` jobs
    scored and ``failed``.
    """
    import pandas as pd

    df = _frame(results)
    if not len(df):
        raise InvalidArgumentError("There are no results to rank.")
    if metric not in df.columns:
        known = sorted(c for c in df.columns if df[c].dtype.kind == "f")
        raise InvalidArgumentError(f"Unknown metric {metric!r}; the results have {', '.join(known)}.")
    higher = metric in HIGHER_IS_BETTER
    rng = np.random.default_rng(seed)
    out = []
    for key, g in _groups(df, by):
        key = key if isinstance(key, tuple) else (key,)
        g = g.copy()
        ok = (g["status"] == "ok") & np.isfinite(g[metric].astype(float))
        g["_v"] = np.where(ok, g[metric].astype(float), np.nan)
        wide = g.pivot_table(index=TASK, columns="model", values="_v", aggfunc="first", dropna=False)
        worst = -np.inf if higher else np.inf
        filled = wide.fillna(worst)
        ranks = filled.rank(axis=1, ascending=not higher, method="average")
        best = ranks.min(axis=1)
        wins = ranks.eq(best, axis=0)
        share = wins.div(wins.sum(axis=1), axis=0)
        base = wide[baseline] if baseline in wide.columns and not higher else None
        for model in wide.columns:
            vals = wide[model].dropna()
            per_sys = g[g["model"] == model].groupby("system")["_v"].median().dropna().to_numpy()
            lo, hi = _bootstrap_median(per_sys, n_boot, rng)
            row = dict(zip(by if not isinstance(by, str) else [by], key)) if by else {}
            skill = np.nan
            if base is not None:
                both = wide[[model]].join(base.rename("_b")).dropna()
                both = both[both["_b"] > 0]
                if len(both):
                    skill = float(np.median(1.0 - both[model] / both["_b"]))
            row.update(model=model, median=float(vals.median()) if len(vals) else np.nan,
                       q25=float(vals.quantile(0.25)) if len(vals) else np.nan,
                       q75=float(vals.quantile(0.75)) if len(vals) else np.nan,
                       ci_low=lo, ci_high=hi, mean_rank=float(ranks[model].mean()),
                       win_rate=float(share[model].mean()), skill=skill, n=int(len(vals)),
                       failed=int((g[g["model"] == model]["status"] != "ok").sum()))
            out.append(row)
    lb = pd.DataFrame(out)
    group_cols = [c for c in lb.columns if c not in ("model", "median", "q25", "q75", "ci_low", "ci_high", "mean_rank",
                                                      "win_rate", "skill", "n", "failed")]

    def natural(col):
        return col.map({v: i for i, v in enumerate(variant_order(col.dropna()))}) if col.name == "variant" else col

    lb = lb.sort_values(group_cols + ["median"], ascending=[True] * len(group_cols) + [not higher],
                        na_position="last", key=natural).reset_index(drop=True)
    return lb


def _fmt(v: float) -> str:
    if not np.isfinite(v):
        return "-"
    return f"{v:.2g}" if abs(v) < 0.01 and v != 0 else f"{v:.3g}"


def wide_leaderboard(results, metric: str = "smape", variants=None, top: int = 10, always=("naive-mean",),
                     min_coverage: float = 0.9) -> str:
    """A Markdown table with one row per model and one column per variant: the median over
    systems with its 95% bootstrap interval (the README's leaderboard is this table).

    The rows are the ``top`` models by the first variant's median, then the models of
    ``always``; models scored on fewer than ``min_coverage`` of the systems (a run on a
    sample) are left out, and in the other variants such a cell gives only how many systems
    were run (a run still in progress). The last column is the mean rank in the first variant.
    """
    from chaoszoo.forecast.registry import list_models

    specs = {s.name: s for s in list_models()}
    lb = leaderboard(results, metric=metric, by=("variant",))
    have = list(dict.fromkeys(lb["variant"]))
    variants = list(variants) if variants else have
    bad = [v for v in variants if v not in have]
    if bad:
        raise InvalidArgumentError(f"Unknown variants {bad}; the results have {', '.join(have)}.")
    first = lb[lb["variant"] == variants[0]]
    n_models = len(first)
    runs = lb["n"] + lb["failed"]
    n_sys = runs.groupby(lb["variant"]).max()  # systems of each variant (the most any model ran)
    first = first[first["n"] + first["failed"] >= min_coverage * n_sys[variants[0]]]
    models = list(first["model"][:top]) + [m for m in always if m in set(first["model"][top:])]
    lines = [f"| model | method | {' | '.join(variants)} | mean rank of {n_models} ({variants[0]}) |",
             "|---" * (len(variants) + 3) + "|"]
    for model in models:
        base = model.split(" (")[0]
        spec = specs.get(base)
        label = f"{model} | {spec.description if spec is not None else ''}"
        cells = []
        for v in variants:
            r = lb[(lb["variant"] == v) & (lb["model"] == model)]
            if not len(r):
                cells.append("-")
                continue
            r = r.iloc[0]
            if r["n"] + r["failed"] < min_coverage * n_sys[v]:
                cells.append(f"- ({int(r['n'] + r['failed'])} of {int(n_sys[v])} systems run)")
                continue
            cells.append(f"{_fmt(r['median'])} [{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}]")
        rank = float(first.loc[first["model"] == model, "mean_rank"].iloc[0])
        lines.append(f"| {label} | {' | '.join(cells)} | {rank:.1f} |")
    return "\n".join(lines)


def per_system(results, metric: str = "smape", variant: str | None = None):
    """Median of ``metric`` over initial conditions, per (system, model) (successful jobs only)."""
    df = _frame(results)
    df = df[df["status"] == "ok"]
    if variant is not None:
        df = df[df["variant"] == variant]
    return df.pivot_table(index="system", columns="model", values=metric, aggfunc="median")


def invariants_table(systems) -> "object":
    """The catalog's stored invariants of ``systems`` as a DataFrame (NaN where absent)."""
    import pandas as pd

    import chaoszoo as cz

    rows = {}
    for s in systems:
        inv = cz.get(s).invariants or {}
        rows[s] = {k: (float(inv[k]) if isinstance(inv.get(k), (int, float)) else np.nan) for k in INVARIANTS}
    return pd.DataFrame.from_dict(rows, orient="index")


def invariant_correlations(results, metric: str = "smape", variant: str | None = None, models=None):
    """Spearman correlation (and two-sided p-value) between each model's per-system error
    and each invariant. Returns a DataFrame with ``model, invariant, rho, p, n``."""
    import pandas as pd
    from scipy.stats import spearmanr

    table = per_system(results, metric, variant)
    inv = invariants_table(table.index)
    out = []
    for model in (models or table.columns):
        for name in INVARIANTS:
            both = pd.concat([table[model], inv[name]], axis=1).dropna()
            if len(both) < 3 or both.iloc[:, 0].nunique() < 2 or both.iloc[:, 1].nunique() < 2:
                out.append(dict(model=model, invariant=name, rho=np.nan, p=np.nan, n=len(both)))
                continue
            r = spearmanr(both.iloc[:, 0], both.iloc[:, 1])
            out.append(dict(model=model, invariant=name, rho=float(r.statistic), p=float(r.pvalue), n=len(both)))
    return pd.DataFrame(out)


def cost_table(results, by=("model", "setting")):
    """What each model costs: per model (and setting), the median over jobs of the fit, predict
    and whole-job wall seconds (a job includes tuning on the train split and scoring), the memory
    the final fit and forecast added to the worker (``extra_mb``) and the worker's peak resident
    memory, libraries included (``peak_rss_mb``; NaN in rows written before it was recorded), and the job seconds
    summed over all jobs (``total_s``). Failed jobs count in ``jobs`` and ``failed`` only."""
    import pandas as pd

    df = results if isinstance(results, pd.DataFrame) else _frame(results)
    if not len(df):
        raise InvalidArgumentError("There are no results to cost.")
    by = [b for b in ([by] if isinstance(by, str) else list(by)) if b in df.columns]
    rows = []
    for key, g in df.groupby(by, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        ok = g[g["status"] == "ok"]
        med = {c: float(ok[c].median()) if c in ok and len(ok) and ok[c].notna().any() else np.nan
               for c in ("fit_seconds", "predict_seconds", "seconds", "peak_memory_mb", "peak_rss_mb")}
        rows.append({**dict(zip(by, key)), "fit_s": med["fit_seconds"], "predict_s": med["predict_seconds"],
                     "job_s": med["seconds"], "extra_mb": med["peak_memory_mb"], "peak_rss_mb": med["peak_rss_mb"],
                     "total_s": float(g["seconds"].sum()) if "seconds" in g else np.nan,
                     "jobs": int(len(g)), "failed": int((g["status"] != "ok").sum())})
    return pd.DataFrame(rows).sort_values("job_s", na_position="last").reset_index(drop=True)


def format_table(lb, digits: int = 3) -> str:
    """A plain-text rendering of a leaderboard (Markdown pipe table)."""
    cols = list(lb.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _, r in lb.iterrows():
        cells = []
        for c in cols:
            v = r[c]
            if isinstance(v, float):
                cells.append("-" if not np.isfinite(v) else f"{v:.{digits}g}" if abs(v) < 1e4 else f"{v:.3e}")
            else:
                cells.append(str(v))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
