"""The report of a results directory: figures and a Markdown summary that embeds them.

Figures: mean rank per competing model; error against horizon in Lyapunov times; the best
model's per-system error against each invariant; a heat map of Spearman correlations (with
p-values) between every model's error and every invariant.

Every statistic follows the rules of :mod:`chaoszoo.forecast.ranking` (failures imputed by the
baseline's score, per-system medians over initial conditions first, references apart), and
the best model is :func:`~chaoszoo.forecast.ranking.best_model`, the one the reproduction table
names too; the report states the rules it used.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from chaoszoo.errors import InvalidArgumentError
from chaoszoo.forecast.ranking import (DEFAULT_BASELINE, HIGHER_IS_BETTER, INVARIANTS, best_model,
                                       check_data_versions, cost_table, format_table, imputation_rule,
                                       invariant_correlations, invariants_table, leaderboard, per_system,
                                       variant_order, with_setting_labels)
from chaoszoo.io import replacing


#: Models drawn in colour in the horizon figure (the best by mean rank).
HIGHLIGHT = 8


def _save(fig, path: Path) -> None:
    with replacing(path) as tmp:
        fig.savefig(tmp, dpi=110, bbox_inches="tight")


def _curves(df, model: str, grid: np.ndarray):
    rows = df[(df["model"] == model) & (df["status"] == "ok")]
    curves = []
    for c in rows["curve"].dropna():
        t, v = np.asarray(c["t"], float), np.asarray(c["smape"], float)
        if len(t) >= 2:
            curves.append(np.interp(grid, t, v, right=np.nan))
    return np.nanmedian(np.array(curves), axis=0) if curves else None


def _ics_sentence(df) -> str:
    """How many initial conditions each system was forecast from, in words."""
    if not {"ic", "variant"} <= set(df.columns):
        return "one initial condition per system"
    per = df.groupby(["variant", "system"])["ic"].nunique()
    if not len(per):
        return "no initial conditions"
    lo, hi = int(per.min()), int(per.max())
    if lo == hi:
        return f"{lo} initial condition{'s' if lo > 1 else ''} (IC{'s' if lo > 1 else ''}) per system and variant"
    return f"{lo} to {hi} initial conditions (ICs) per system and variant (median {float(per.median()):g})"


def write_report(results, out, *, metric: str = "smape", variant: str | None = None, title: str | None = None,
                 baseline: str = DEFAULT_BASELINE, min_coverage: float = 0.9) -> Path:
    """Write ``out/report.md`` and its figures for the results directory(ies) ``results``.

    ``variant`` chooses the variant the per-system figures use (default: the first one, e.g.
    ``uni-clean``). ``baseline`` is the model whose score a failed job gets (and the skill's
    reference); ``min_coverage`` is the share of systems a model must have run to be named the
    best (:func:`~chaoszoo.forecast.ranking.best_model`). Returns the Markdown file's path.
    Raises :class:`~chaoszoo.errors.DataVersionError` when the table mixes data versions.
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from chaoszoo.forecast.store import load_results

    raw = results if hasattr(results, "columns") else load_results(results)
    if not len(raw):
        raise InvalidArgumentError("There are no results to report on.")
    check_data_versions(raw)
    df = with_setting_labels(raw)  # the names the leaderboard gives (``nbeats (fast)``), in every figure
    import os

    if isinstance(out, bytes) or not isinstance(out, (str, os.PathLike)) or not str(out):
        raise InvalidArgumentError(f"out must be the path of a report directory; got {out!r}.")
    out = Path(out).expanduser()
    if out.exists() and not out.is_dir():
        raise InvalidArgumentError(f"{out} is a file; choose a directory for the report.")
    if out.exists() and any(out.iterdir()) and not (out / "report.md").exists():
        raise InvalidArgumentError(f"{out} is not empty and holds no report; choose a new directory.")
    variants = variant_order(df["variant"].dropna())
    variant = variant or variants[0]
    if variant not in variants:
        raise InvalidArgumentError(f"Unknown variant {variant!r}; the results have {', '.join(variants)}.")
    protocol = df["protocol"].iloc[0]
    lb = leaderboard(df, metric=metric, by=("variant",), baseline=baseline)  # checks metric and baseline
    out.mkdir(parents=True, exist_ok=True)  # only once every argument has passed
    sub = lb[lb["variant"] == variant].reset_index(drop=True)
    refs = list(sub[sub["reference"]]["model"])
    higher = metric in HIGHER_IS_BETTER
    figs = []

    # 1. mean rank per competing model (references are not ranked)
    order = sub[~sub["reference"]].sort_values(["mean_rank", "model"], na_position="last")
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(order) + 1.2))
    ax.barh(order["model"], order["mean_rank"], color="#4477aa")
    ax.invert_yaxis()
    ax.set_xlabel(f"mean rank by {metric} (1 = best)")
    ax.set_title(f"{protocol}, {variant}")
    _save(fig, out / "ranks.png")
    plt.close(fig)
    figs.append(("ranks.png", f"Mean rank of each model by {metric} on {protocol} ({variant}); failed jobs count "
                 f"with the score of {baseline}, references are not ranked."))

    # 2. error against horizon
    dsub = df[df["variant"] == variant]
    ok = dsub[dsub["status"] == "ok"]
    if "curve" in ok.columns and ok["curve"].notna().any():
        # up to the horizon that half of the jobs reach: beyond it the median is over a
        # shrinking, different set of systems
        tmax = float(np.median([max(c["t"]) for c in ok["curve"].dropna() if c["t"]]))
        unit = next(iter(ok["curve"].dropna()))["unit"]
        grid = np.linspace(0, tmax, 60)
        fig, ax = plt.subplots(figsize=(7, 4.2))
        # the best HIGHLIGHT models by mean rank in colour, the naive mean dashed and the
        # references dotted, every other model in light grey (31 coloured lines cannot be told apart)
        ranked = list(order["model"])
        shown = ranked[:HIGHLIGHT]
        for model in ranked + refs:
            med = _curves(dsub, model, grid)
            if med is None:
                continue
            if model in refs:
                ax.plot(grid, med, label=f"{model} (reference)", color="k", ls=":", lw=1.2, zorder=2)
            elif model in shown:
                ax.plot(grid, med, label=model, lw=1.6, zorder=3)
            elif model == "naive-mean":
                ax.plot(grid, med, label=model, color="k", ls="--", lw=1.2, zorder=2)
            else:
                ax.plot(grid, med, color="0.8", lw=0.8, zorder=1)
        ax.set_xlabel("forecast horizon (Lyapunov times)" if unit == "lyapunov" else "forecast horizon (steps)")
        ax.set_ylabel("cumulative sMAPE (median over successful jobs)")
        ax.legend(fontsize=7, ncol=2)
        _save(fig, out / "horizon.png")
        plt.close(fig)
        rest = len(ranked) - len(shown) - ("naive-mean" in ranked[HIGHLIGHT:])
        figs.append(("horizon.png", "Median cumulative sMAPE of the successful jobs against forecast horizon: the "
                     f"{len(shown)} best models by mean rank" + (f", the other {rest} in grey" if rest > 0 else "")
                     + (", the references dotted" if refs else "") + "."))

    # 3. best model's error against each invariant
    table = per_system(df, metric, variant, baseline=baseline)
    best = best_model(df, metric, variant, min_coverage, baseline=baseline)
    inv = invariants_table(table.index)
    corr = invariant_correlations(df, metric, variant, baseline=baseline)
    if best is not None and best in table.columns and len(table) >= 3:
        fig, axes = plt.subplots(1, len(INVARIANTS), figsize=(3.2 * len(INVARIANTS), 3.2))
        for ax, name in zip(axes, INVARIANTS):
            ax.scatter(inv[name], table[best], s=10, alpha=0.7)
            r = corr[(corr["model"] == best) & (corr["invariant"] == name)].iloc[0]
            ax.set_xlabel(name.replace("_", " "))
            ax.set_title(f"rho = {r['rho']:.2f}, p = {r['p']:.1g}" if np.isfinite(r["rho"]) else "n/a", fontsize=9)
            if name == "max_lyapunov":
                ax.set_xscale("symlog", linthresh=1e-2)
        axes[0].set_ylabel(f"{best}: {metric}")
        _save(fig, out / "invariants.png")
        plt.close(fig)
        figs.append(("invariants.png", f"Per-system {metric} (median over ICs) of {best} (the best model) against "
                     "each invariant."))

        # 4. heat map of Spearman correlations
        wide = corr.pivot(index="model", columns="invariant", values="rho").reindex(columns=list(INVARIANTS))
        pv = corr.pivot(index="model", columns="invariant", values="p").reindex(columns=list(INVARIANTS))
        fig, ax = plt.subplots(figsize=(1.3 * len(INVARIANTS) + 2, 0.4 * len(wide) + 1.5))
        im = ax.imshow(wide.to_numpy(dtype=float), cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
        ax.set_xticks(range(len(INVARIANTS)), [n.replace("_", "\n") for n in INVARIANTS], fontsize=7)
        ax.set_yticks(range(len(wide)), wide.index, fontsize=7)
        for i in range(wide.shape[0]):
            for j in range(wide.shape[1]):
                rho, p = wide.iat[i, j], pv.iat[i, j]
                if np.isfinite(rho):
                    ax.text(j, i, f"{rho:.2f}\n{'p<.001' if p < 1e-3 else f'p={p:.2f}'}", ha="center", va="center", fontsize=6)
        fig.colorbar(im, ax=ax, label="Spearman rho")
        _save(fig, out / "correlations.png")
        plt.close(fig)
        figs.append(("correlations.png", f"Spearman correlation of each model's per-system {metric} with each invariant."))

    prob_lines = []
    if "prob" in df.columns and df["prob"].notna().any():  # the probabilistic track's figures and skill table
        from chaoszoo.forecast.probabilistic import report_section

        prob_figs, prob_lines = report_section(df, out, variant=variant)
        figs += prob_figs

    n_sys = df["system"].nunique()
    n_fail = int((df["status"] != "ok").sum())
    rule = imputation_rule(baseline)
    lines = [f"# {title or f'Forecasting benchmark: {protocol}'}", "",
             f"{len(df)} jobs over {n_sys} systems and {df['model'].nunique()} models ({n_fail} failed), "
             f"{_ics_sentence(df)}. Metric: {metric} ({'higher' if higher else 'lower'} is better).", "",
             "## How the leaderboard is computed", "",
             f"- Failures: {rule[0].lower() + rule[1:]} `coverage` is the share of a model's jobs that succeeded, "
             "`failed` counts the imputed jobs, `uncovered` the jobs left unscored.",
             "- Per system first: a model's score on a system is the median over its ICs; `median`, `q25` and `q75` "
             "are over systems. `ci_low`-`ci_high` is a 95% two-level bootstrap interval of the median (systems "
             "resampled with replacement, then each drawn system's ICs), from the model's own rows.",
             "- IC spread: `ic_min`-`ic_max` is the range, over IC indices, of the median over systems of that IC's "
             "scores (each IC index is an independent replicate of the benchmark; `-` with one IC).",
             "- `mean_rank` and `win_rate` are over tasks (system, IC, variant), among the non-reference models "
             f"(ties share the average rank and split the win); `skill` (errors only) is the median over systems of "
             f"1 - score / {baseline}'s score.",
             "- References (the oracle: the true equations integrated from the true last state perturbed at the "
             "noise level, a perfect-model forecast) are not ranked and are listed after the competitors.",
             f"- The best model: the non-reference model with the best median among those run on at least "
             f"{min_coverage:.0%} of the systems (ties: mean rank, then name); here {best or 'none'} ({variant}).", "",
             "## Leaderboard", "", format_table(lb), ""] + prob_lines
    if best is not None and len(table) >= 3:
        c = corr[corr["model"] == best][["invariant", "rho", "p", "n"]]
        lines += [f"## Error against chaos ({best}, {variant})", "", format_table(c.reset_index(drop=True)), ""]
    coverage = df.groupby("model")["system"].nunique()
    if coverage.nunique() > 1:
        lines += ["Systems per model differ (a model is ranked on the tasks it ran): "
                  + ", ".join(f"{m} {n}" for m, n in coverage.sort_values().items()) + ".", ""]
    if {"fit_seconds", "seconds"} <= set(raw.columns):
        lines += ["## Cost", "", "Medians over jobs (wall seconds of the worker; a job includes tuning on the "
                  "train split and scoring); `total_s` sums the job seconds.", "",
                  format_table(cost_table(raw)), ""]
    for f, cap in figs:
        lines += [f"![{cap}]({f})", "", f"*{cap}*", ""]
    failed = df[df["status"] != "ok"]
    if len(failed):
        lines += ["## Failed jobs", "", "| model | system | ic | variant | reason |", "|---|---|---|---|---|"]
        for _, r in failed.head(50).iterrows():
            lines.append(f"| {r['model']} | {r['system']} | {r.get('ic', '')} | {r['variant']} | "
                         f"{str(r.get('error', ''))[:120]} |")
        if len(failed) > 50:
            lines.append(f"| ... | {len(failed) - 50} more | | | |")
    md = out / "report.md"
    with replacing(md) as tmp:
        tmp.write_text("\n".join(lines) + "\n")
    return md
