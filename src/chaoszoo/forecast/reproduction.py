"""The published forecasting results beside ours.

Each published statement is a :class:`Claim` (study, protocol, variant, statistic, model and the
published number or sentence); :func:`reproduce` evaluates every claim on a table of benchmark
rows (by default the results shipped in the package) and returns one row per claim with our
value, its 95% bootstrap interval (two-level: systems, then their initial conditions), the
number of systems behind it and the model setting used. A claim with no rows is reported as not
run, with the command that would run it. Failed jobs count with the baseline's score and "the
best model" is :func:`chaoszoo.forecast.ranking.best_model`, as in the leaderboard and the report.

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


def _preferred(task, preference):
    """Every model's rows at its most preferred setting, concatenated."""
    import pandas as pd

    parts = [_prefer_setting(g, preference)[0] for _, g in task.groupby("model")]
    return pd.concat(parts) if parts else task


def _model_systems(frame, model: str, metric: str, baseline: str):
    """(systems, arrays): ``model``'s scores in ``frame`` per system (one value per initial
    condition), failures imputed by the rule of :mod:`chaoszoo.forecast.ranking` (the baseline's
    score on the task, else the worst competitor's)."""
    from chaoszoo.forecast.ranking import _by_system, _scored

    sc = _scored(frame, metric, baseline)
    return _by_system(sc[sc["model"] == model])


def _lyapunov(systems) -> "object":
    import pandas as pd

    from chaoszoo.forecast.ranking import invariants_table

    return invariants_table(list(systems))["max_lyapunov"] if len(systems) else pd.Series(dtype=float)


def _command(claim: Claim) -> str:
    models = claim.model or "<models>"
    return (f"chaoszoo forecast run -p {claim.protocol} -m {models} --variants {claim.variant} "
            f"--out results/{claim.protocol}")


def _split_label(label: str, rows) -> tuple[str, str | None]:
    """``"nbeats (fast)"`` -> (``nbeats``, ``fast``): a leaderboard label and the setting of its rows."""
    setting = str(rows["setting"].iloc[0]) if "setting" in rows.columns and len(rows) else None
    if setting is not None and label.endswith(f" ({setting})"):
        return label[: -len(f" ({setting})")], setting
    return label, setting


def reproduce(results=None, *, preference=("default", "fast"), n_boot: int = 2000, seed: int = 0,
              baseline: str = "naive-mean", min_coverage: float = 0.9):
    """Every :data:`CLAIMS` entry evaluated on ``results`` (a DataFrame of benchmark rows, or
    results directories; default: every table shipped in the package).

    Our numbers follow the rules of :mod:`chaoszoo.forecast.ranking`: a failed job is scored as
    ``baseline``'s score on the same task (else the worst competitor's); a model's score on a
    system is the median over its initial conditions, and a claim's number is over systems, with
    a 95% two-level bootstrap interval (systems, then their initial conditions; a random stream
    per claim, so no claim's interval depends on another's data). A claim about a named model
    uses that model at its most preferred setting (``preference``); a claim about "the best
    model" uses :func:`~chaoszoo.forecast.ranking.best_model` on the protocol's rows (every
    setting competing, at least ``min_coverage`` of the systems run), the model the report names.

    Returns a ``pandas.DataFrame`` with ``study, protocol, variant, claim, published, ours,
    ci_low, ci_high, n, model, setting, note``. Raises
    :class:`~chaoszoo.errors.DataVersionError` when a task mixes data versions.
    """
    import pandas as pd
    from scipy.stats import spearmanr

    from chaoszoo.forecast.ranking import (HIGHER_IS_BETTER, _ranked, check_data_versions, median_interval,
                                           two_level_resample, with_setting_labels)
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
    if len(df) and "ic" not in df.columns:
        df = df.assign(ic=0)
    check_data_versions(df)
    out = []
    for i, c in enumerate(CLAIMS):
        rng = np.random.default_rng([seed, i])  # a claim's interval does not depend on which others have data
        row = dict(study=c.study, protocol=c.protocol, variant=c.variant, claim=c.text, published=c.published,
                   ours=np.nan, ci_low=np.nan, ci_high=np.nan, n=0, model=c.model, setting=None, note="")
        proto = df[df["protocol"] == c.protocol] if len(df) else df
        if c.metric not in proto.columns:
            proto = proto.iloc[0:0]
        task = proto[proto["variant"] == c.variant] if len(proto) else proto
        if c.statistic == "median":
            rows, setting = _prefer_setting(task[task["model"] == c.model], preference)
            if len(rows):
                _, groups = _model_systems(_preferred(task, preference), c.model, c.metric, baseline)
                if groups:
                    lo, hi = median_interval(groups, n_boot, rng) if len(groups) >= 3 else (np.nan, np.nan)
                    row.update(ours=float(np.median([np.median(a) for a in groups])), ci_low=lo, ci_high=hi,
                               n=len(groups), setting=setting)
                    total = task["system"].nunique()
                    if len(groups) < min_coverage * total:  # a run in progress: its median is of a subset
                        row["note"] = f"partial: run so far on {len(groups)} of the {total} systems"
        elif c.statistic in ("spearman", "vpt", "family"):
            ranked = _ranked(proto, c.metric, c.variant, min_coverage, baseline) if len(task) else None
            if ranked is not None and len(ranked):
                best = str(ranked["model"].iloc[0])
                labelled = with_setting_labels(proto)
                ltask = labelled[labelled["variant"] == c.variant]
                systems, groups = _model_systems(ltask, best, c.metric, baseline)
                model, setting = _split_label(best, ltask[ltask["model"] == best])
                row.update(model=model, setting=setting)
                per_sys = np.array([np.median(a) for a in groups])
                if c.statistic == "vpt" and len(per_sys):
                    lo, hi = median_interval(groups, n_boot, rng) if len(groups) >= 3 else (np.nan, np.nan)
                    row.update(ours=float(np.median(per_sys)), ci_low=lo, ci_high=hi, n=len(per_sys),
                               note=f"median over systems; max {np.max(per_sys):.1f}, 90th percentile "
                                    f"{np.percentile(per_sys, 90):.1f} Lyapunov times")
                elif c.statistic == "spearman":
                    lam = _lyapunov(systems).to_numpy(dtype=float) if systems else np.array([])
                    keep = np.isfinite(lam)
                    err, lam = per_sys[keep], lam[keep]
                    kept = [g for g, k in zip(groups, keep) if k]
                    if len(err) >= 3:
                        r = spearmanr(err, lam)
                        # two-level bootstrap: resample systems, then each drawn system's ICs
                        idx, meds = two_level_resample(kept, min(n_boot, 1000), rng)
                        boots = np.array([spearmanr(m, lam[j]).statistic for m, j in zip(meds, idx)])
                        row.update(ours=float(r.statistic), ci_low=float(np.nanpercentile(boots, 2.5)),
                                   ci_high=float(np.nanpercentile(boots, 97.5)), n=len(err),
                                   note=f"p = {r.pvalue:.2g}")
                elif c.statistic == "family":
                    order = list(ranked["model"])
                    meds = dict(zip(ranked["model"], ranked["median"]))

                    def family(m):
                        try:
                            return get_spec(m.split(" (")[0]).family
                        except Exception:  # noqa: BLE001 - a user model outside the registry
                            return "user"

                    phys = [m for m in order if family(m) in PHYSICS_BASED]
                    rank_phys = order.index(phys[0]) + 1 if phys else None
                    row.update(ours=float(meds[best]), n=len(per_sys),
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
