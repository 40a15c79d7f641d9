"""Leaderboards and the link between accuracy and chaos.

:func:`leaderboard` ranks models on one metric, :func:`wide_leaderboard` renders it as the
README's table, :func:`best_model` names the one best model (the report and the reproduction
table both use it), and :func:`invariant_correlations` gives the Spearman correlation, with its
p-value, between each model's per-system error and each invariant of the catalog.

The rules (one set, used by every function here, by the report and by the reproduction table):

* **One data version.** Every successful job of a task (protocol, system, initial condition,
  variant) must have been computed on the same data (one ``data_sha256``; rows without one are
  not checked). :func:`check_data_versions` raises :class:`~chaoszoo.errors.DataVersionError`
  otherwise, naming the tasks: ranking models that saw different data is meaningless.
* **Failures count.** A failed job (status not ``ok``, or a non-finite value of the metric
  where another job of the same task has a finite one) is scored as the baseline's score on
  the same task (``baseline``, default ``naive-mean``); where the baseline has no score there,
  as the worst score any non-reference model got on that task; where no model has one, the
  job stays unscored (NaN) and is counted as ``uncovered``. This is fev-bench's rule (Shchur
  et al. 2025, *fev-bench: A Realistic Benchmark for Time Series Forecasting*,
  arXiv:2509.26468; ``fev.analysis.leaderboard(missing_strategy="impute",
  baseline_model=...)`` in autogluon/fev), with the worst-score fallback added. The imputed
  score enters every median, rank, win rate and skill. A task on which no job at all has a
  score says nothing about any model: its data could not be generated, or the metric is
  undefined there (a valid prediction time without a Lyapunov time, say). Its jobs stay
  unscored, are counted as ``uncovered`` and are left out of ``coverage``, the share of a
  model's jobs that succeeded among its jobs on tasks that some job could score; ``failed``
  counts the jobs that failed where another job succeeded (the imputed ones, unless no
  competitor had a score either).
* **Per system first.** A model's score on a system is the median over its jobs there (its
  initial conditions, ICs); ``median``, ``q25`` and ``q75`` are over systems of those.
  ``ci_low``/``ci_high``: a 95% two-level bootstrap interval of the median (resample systems
  with replacement, then each drawn system's ICs with replacement; percentile interval),
  computed from the model's own rows with a random stream seeded by (``seed``, model, group),
  so a model's interval does not change with the other models in the table; NaN with fewer
  than two systems. ``ic_min``/``ic_max``: for each IC index, the median over systems of that
  IC's scores, and the range of those medians over IC indices (NaN with one IC). IC ``i`` of
  one system and IC ``i`` of another are independent draws, so each IC index is an
  independent replicate of the whole benchmark and the range shows how much the headline
  median moves from one replicate to the next.
* **Ranks per task.** ``mean_rank`` and ``win_rate`` are over tasks (system, IC, variant):
  on each task the non-reference models with a score are ranked (1 = best; ties share the
  average rank and split the win); a model is ranked only on the tasks it has a job on.
  ``skill`` (errors only): ``1 - score / baseline score`` per job, the median over a system's
  jobs, then the median over systems (the baseline's own, successful, score; tasks where it
  has none are left out).
* **References apart.** Models of the family ``oracle`` (or ``reference``) are references, not
  competitors: ``oracle`` integrates the true equations from the true last state of the
  history perturbed at the variant's noise level (a one-member perfect-model forecast: the
  ceiling that the noise alone allows), and ``oracle-ensemble`` is the mean of a perfect-model
  ensemble. They are scored like any model but left out of ranks, win rates, the imputation
  fallback and :func:`best_model`, and listed after the competitors (``reference`` column;
  their own rows in :func:`wide_leaderboard`).
* **The best model** (:func:`best_model`) is the non-reference model with the best median over
  systems, among those run on at least ``min_coverage`` of the systems; ties go to the better
  mean rank, then to the name.
"""

from __future__ import annotations

import hashlib

import numpy as np

from chaoszoo.errors import DataVersionError, InvalidArgumentError

#: Metrics for which larger is better (every other metric is an error).
HIGHER_IS_BETTER = frozenset({"r2_score", "spearman", "pearson", "kendall", "mutual_information", "vpt_smape",
                              "vpt_nrmse", "clean_vpt_smape", "clean_vpt_nrmse",
                              "crps_skill", "pvpt"})  # the last two: the probabilistic track's

#: Invariants correlated with forecast error (names of :attr:`chaoszoo.System.invariants` entries).
INVARIANTS = ("max_lyapunov", "kaplan_yorke_dimension", "correlation_dimension", "multiscale_entropy", "pesin_entropy")

#: The columns that name a task (with ``protocol`` in front when the table has it).
TASK = ["system", "ic", "variant"]

#: Model families that are references (shown apart, never ranked): see the module docstring.
REFERENCE_FAMILIES = frozenset({"oracle", "reference"})

#: The model whose score a failed job gets (:func:`imputation_rule`).
DEFAULT_BASELINE = "naive-mean"

_STATS = ("model", "median", "q25", "q75", "ci_low", "ci_high", "ic_min", "ic_max", "coverage", "mean_rank",
          "win_rate", "skill", "systems", "n", "failed", "uncovered", "reference")


def check_baseline(df, baseline) -> None:
    """A baseline other than the default must be a model of the results (the default, when
    absent, leaves failures to the worst-score fallback and the skill column empty)."""
    if baseline is None or baseline == DEFAULT_BASELINE and baseline not in set(df["model"]):
        return
    if not isinstance(baseline, str):
        raise InvalidArgumentError(f"baseline must be a model name; got {baseline!r}.")
    if baseline not in set(df["model"]):
        raise InvalidArgumentError(f"The baseline {baseline!r} is not a model of these results; they have "
                                   f"{', '.join(sorted(map(str, set(df['model']))))}.")


def imputation_rule(baseline: str = DEFAULT_BASELINE) -> str:
    """The rule that scores a failed job, in one sentence (the report quotes it)."""
    return (f"A failed job (status not ok, or a non-finite metric) is scored as the baseline's ({baseline}) score "
            "on the same task (system, initial condition, variant), the rule of fev-bench (Shchur et al. 2025); "
            "where the baseline has no score there, as the worst score any non-reference model got on that task; "
            "where no model has one, the job stays unscored (uncovered). The imputed score enters every median, "
            "rank, win rate and skill. Tasks on which no job has a score (data that could not be generated, a "
            "metric undefined there) are left out of coverage.")


#: Columns a results frame must have to be ranked.
REQUIRED_COLUMNS = ("system", "model", "status")


def _frame(results):
    import os

    import pandas as pd

    from chaoszoo.forecast.store import load_results

    if isinstance(results, pd.DataFrame):
        df = results
        missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
        if missing and len(df):
            raise InvalidArgumentError(f"The results frame has no column {', '.join(map(repr, missing))}; give rows "
                                       "from chaoszoo.forecast.load_results or shipped_results, or results directories.")
    elif isinstance(results, (str, os.PathLike)) or (
            isinstance(results, (list, tuple)) and results and all(isinstance(r, (str, os.PathLike)) for r in results)):
        df = load_results(results)
    else:
        raise InvalidArgumentError("Results are a DataFrame of rows (chaoszoo.forecast.load_results) or results "
                                   f"directories; got {type(results).__name__}.")
    if len(df) and not {"ic", "variant"} <= set(df.columns):
        df = df.copy()
        if "ic" not in df.columns:
            df["ic"] = 0
        if "variant" not in df.columns:
            df["variant"] = "all"
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


def _task_cols(df) -> list[str]:
    return (["protocol"] if "protocol" in df.columns else []) + TASK


def _task_id(df):
    """One string per row naming its task (protocol, system, ic, variant)."""
    cols = _task_cols(df)
    tid = df[cols[0]].astype(str)
    for c in cols[1:]:
        tid = tid + "\x1f" + df[c].astype(str)
    return tid


def _ic_label(ic) -> str:
    try:
        return f"ic{int(ic)}"
    except (TypeError, ValueError):
        return f"ic{ic}"


def check_data_versions(df):
    """Raise :class:`~chaoszoo.errors.DataVersionError` when the successful jobs of one task
    (protocol, system, initial condition, variant) were computed on different data (more than
    one ``data_sha256``; rows without one are not checked). Returns ``df`` unchanged otherwise.

    The message gives the number of mixed tasks and up to five of them as
    ``system|icN|variant`` with each fingerprint's models."""
    if df is None or not len(df) or "data_sha256" not in df.columns:
        return df
    status = df["status"] if "status" in df.columns else "ok"
    ok = df[(status == "ok") & df["data_sha256"].notna()]
    if not len(ok):
        return df
    tid = _task_id(ok)
    n = ok["data_sha256"].astype(str).groupby(tid, sort=True).nunique()
    bad = list(n[n > 1].index)
    if not bad:
        return df
    several = "protocol" in ok.columns and ok["protocol"].nunique() > 1
    examples = []
    for t in bad[:5]:
        rows = ok[tid == t]
        r = rows.iloc[0]
        name = f"{r['system']}|{_ic_label(r['ic'])}|{r['variant']}" + (f" ({r['protocol']})" if several else "")
        parts = []
        for sha, g in sorted(rows.groupby(rows["data_sha256"].astype(str)), key=lambda kv: (-len(kv[1]), kv[0])):
            models = sorted(g["model"].astype(str).unique())
            shown = ", ".join(models[:4]) + (f" and {len(models) - 4} more" if len(models) > 4 else "")
            parts.append(f"{sha[:8]} {shown}")
        examples.append(f"  {name}: {'; '.join(parts)}")
    if len(bad) > 5:
        examples.append(f"  and {len(bad) - 5} more")
    raise DataVersionError(
        f"{len(bad)} task{'s' if len(bad) > 1 else ''} mix results computed on different versions of their data "
        "(the successful jobs of one task have different data_sha256; fingerprint and models):\n"
        + "\n".join(examples) + "\nTo fix: re-run those jobs with the current code (`chaoszoo forecast run` re-does "
        "stale rows) or restrict the table to one data version.")


def model_families(df) -> dict:
    """The family of each model label of ``df``: its rows' ``family`` column where present,
    else the registry's (``"user"`` for a model outside it)."""
    models = [str(m) for m in df["model"].unique()]
    fam = {}
    if "family" in df.columns:
        known = df.dropna(subset=["family"])
        fam.update({str(m): str(f) for m, f in known.groupby("model")["family"].first().items()})
    missing = [m for m in models if m not in fam]
    if missing:
        try:
            from chaoszoo.forecast.registry import list_models

            specs = {s.name: s.family for s in list_models()}
        except Exception:  # noqa: BLE001 - a broken optional module must not stop a leaderboard
            specs = {}
        for m in missing:
            fam[m] = specs.get(m, specs.get(m.split(" (")[0], "user"))
    return fam


def is_reference(family) -> bool:
    """Whether a model family is a reference (shown apart, never ranked)."""
    return str(family) in REFERENCE_FAMILIES


def _scored(df, metric: str, baseline: str | None = DEFAULT_BASELINE, *, higher: bool | None = None):
    """``df`` with the columns the statistics use: ``_tid`` (task), ``_ref`` (reference model),
    ``_fin`` (a successful job with a finite metric), ``_undef`` (no job of the task has a
    score), ``_fail`` (a failed job on a task that another job could score), ``_base`` (the
    baseline's score on the task) and ``_score`` (the metric, imputed by the module's rule;
    without imputation when ``baseline`` is None)."""
    import pandas as pd

    if higher is None:
        higher = metric in HIGHER_IS_BETTER
    status = df["status"] if "status" in df.columns else pd.Series("ok", index=df.index)
    val = pd.to_numeric(df[metric], errors="coerce").astype(float)
    fin = (status == "ok") & np.isfinite(val)
    val = val.where(fin)
    tid = _task_id(df)
    fams = model_families(df)
    ref = df["model"].astype(str).map(lambda m: is_reference(fams.get(m))).astype(bool)
    defined = val.groupby(tid).transform("count") > 0  # some job of the task has a score
    undef = ~defined
    fail = ~fin & defined
    if baseline is not None:
        base = val.where(df["model"] == baseline).groupby(tid).transform("median")
    else:
        base = pd.Series(np.nan, index=df.index)
    score = val.copy()
    if baseline is not None:
        worst = val.where(~ref).groupby(tid).transform("min" if higher else "max")
        score = score.where(~fail, base.where(base.notna(), worst))
    return df.assign(_tid=tid, _ref=ref, _fin=fin, _undef=undef, _fail=fail, _base=base, _score=score)


def _by_system(rows, value: str = "_score") -> tuple[list, list]:
    """(systems, arrays): one model's finite values per system (its initial conditions), systems sorted."""
    names, arrays = [], []
    for s, v in rows.groupby("system", sort=True)[value]:
        a = v.to_numpy(dtype=float)
        a = a[np.isfinite(a)]
        if len(a):
            names.append(s)
            arrays.append(a)
    return names, arrays


def _seeded(seed: int, *parts) -> np.random.Generator:
    """A random stream determined by ``seed`` and ``parts`` alone (e.g. a model and its group)."""
    h = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return np.random.default_rng([int(seed), *np.frombuffer(h[:16], dtype=np.uint32).tolist()])


def two_level_resample(groups, n_boot: int, rng):
    """The two-level bootstrap of per-system values: ``groups`` holds one array per system (its
    initial conditions' scores). Each of ``n_boot`` draws resamples the systems with
    replacement, then, within each drawn system, its values with replacement, and takes the
    median of those. Returns ``(systems, medians)``, two ``(n_boot, len(groups))`` arrays: the
    indices of the drawn systems and their resampled medians."""
    n = len(groups)
    k = np.array([len(a) for a in groups])
    kmax = int(k.max())
    pad = np.full((n, kmax), np.nan)
    for i, a in enumerate(groups):
        pad[i, :len(a)] = a
    sys_idx = rng.integers(0, n, size=(n_boot, n))
    if kmax == 1:
        return sys_idx, pad[sys_idx, 0]
    kk = k[sys_idx]
    ic_idx = rng.integers(0, kk[..., None], size=(n_boot, n, kmax))
    drawn = pad[sys_idx[..., None], ic_idx]
    drawn[np.arange(kmax) >= kk[..., None]] = np.nan  # a system with fewer ICs draws fewer values
    drawn.sort(axis=2)  # NaN last
    lo = np.take_along_axis(drawn, ((kk - 1) // 2)[..., None], 2)[..., 0]
    hi = np.take_along_axis(drawn, (kk // 2)[..., None], 2)[..., 0]
    return sys_idx, (lo + hi) / 2


def median_interval(groups, n_boot: int, rng) -> tuple[float, float]:
    """95% percentile interval of the median over systems by :func:`two_level_resample`
    (NaN with fewer than two systems or ``n_boot`` 0)."""
    if len(groups) < 2 or n_boot <= 0:
        return float("nan"), float("nan")
    _, meds = two_level_resample(groups, n_boot, rng)
    stat = np.median(meds, axis=1)
    return float(np.percentile(stat, 2.5)), float(np.percentile(stat, 97.5))


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


def _median(v) -> float:
    return float(np.median(v)) if len(v) else float("nan")


def leaderboard(results, metric: str = "smape", by=("variant",), baseline: str = DEFAULT_BASELINE,
                n_boot: int = 1000, seed: int = 0):
    """The leaderboard of ``results`` (a DataFrame from ``load_results`` or results directories),
    by the rules of the module docstring (failures imputed, per system first, references apart).

    Returns a ``pandas.DataFrame`` with one row per (group, model): ``median``, ``q25``,
    ``q75`` (over systems of the per-system medians over initial conditions), ``ci_low`` /
    ``ci_high`` (95% two-level bootstrap: systems, then their initial conditions; ``n_boot`` 0
    skips it), ``ic_min`` / ``ic_max`` (range over initial-condition indices of the median over
    systems), ``coverage`` (successful jobs / jobs, on the tasks some job could score),
    ``mean_rank`` and ``win_rate`` (per task, among non-reference models; NaN for a
    reference), ``skill`` (against ``baseline``; errors only), ``systems`` run, ``n`` jobs
    scored, ``failed`` jobs (failed where another job succeeded: imputed), ``uncovered`` jobs
    (left unscored), and ``reference``. Within each group the competitors come first, by median, then the
    references. Raises :class:`~chaoszoo.errors.DataVersionError` on mixed data versions.
    """
    import pandas as pd

    df = _frame(results)
    if not len(df):
        raise InvalidArgumentError("There are no results to rank.")
    if not isinstance(metric, str) or metric not in df.columns:
        known = sorted(c for c in df.columns if df[c].dtype.kind == "f")
        raise InvalidArgumentError(f"Unknown metric {metric!r}; the results have {', '.join(known)}.")
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 0:
        raise InvalidArgumentError(f"n_boot must be a non-negative integer; got {n_boot!r}.")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InvalidArgumentError(f"seed must be a non-negative integer; got {seed!r}.")
    if by is not None and not isinstance(by, str) and not (
            isinstance(by, (list, tuple)) and all(isinstance(b, str) for b in by)):
        raise InvalidArgumentError(f"by must be a column name or a list of them; got {by!r}.")
    check_baseline(df, baseline)
    check_data_versions(df)
    higher = metric in HIGHER_IS_BETTER
    sc = _scored(df, metric, baseline, higher=higher)
    by_names = [] if not by else ([by] if isinstance(by, str) else list(by))
    out = []
    for key, g in _groups(sc, by):
        key = key if isinstance(key, tuple) else (key,)
        group_id = "|".join(map(str, key))
        ref = g.groupby("model")["_ref"].first()
        wide = g.groupby(["_tid", "model"])["_score"].median().unstack("model")
        comp = [m for m in wide.columns if not ref[m]]
        ranks = wide[comp].rank(axis=1, ascending=not higher, method="average")
        wins = ranks.eq(ranks.min(axis=1), axis=0)
        share = wins.div(wins.sum(axis=1), axis=0).where(ranks.notna())
        for model, gm in g.groupby("model", sort=True):
            systems, arrays = _by_system(gm)
            per_sys = np.array([np.median(a) for a in arrays])
            lo, hi = median_interval(arrays, n_boot, _seeded(seed, model, group_id))
            per_ic = gm.groupby(["ic", "system"])["_score"].median().groupby(level="ic").median().dropna()
            skill = np.nan
            if not higher:
                s = 1.0 - gm["_score"] / gm["_base"]
                s = s.where((gm["_base"] > 0) & np.isfinite(gm["_base"]) & np.isfinite(gm["_score"]))
                _, sk = _by_system(gm.assign(_skill=s), "_skill")
                skill = _median([np.median(a) for a in sk])
            defined = int((~gm["_undef"]).sum())
            is_ref = bool(ref[model])
            row = dict(zip(by_names, key))
            row.update(model=model, median=_median(per_sys),
                       q25=float(np.quantile(per_sys, 0.25)) if len(per_sys) else np.nan,
                       q75=float(np.quantile(per_sys, 0.75)) if len(per_sys) else np.nan,
                       ci_low=lo, ci_high=hi,
                       ic_min=float(per_ic.min()) if len(per_ic) > 1 else np.nan,
                       ic_max=float(per_ic.max()) if len(per_ic) > 1 else np.nan,
                       coverage=float(gm["_fin"].sum() / defined) if defined else np.nan,
                       mean_rank=np.nan if is_ref else float(ranks[model].mean()),
                       win_rate=np.nan if is_ref else float(share[model].mean()),
                       skill=skill, systems=int(gm["system"].nunique()), n=int(gm["_fin"].sum()),
                       failed=int(gm["_fail"].sum()), uncovered=int(gm["_score"].isna().sum()), reference=is_ref)
            out.append(row)
    lb = pd.DataFrame(out, columns=by_names + list(_STATS))
    group_cols = by_names

    def natural(col):
        return col.map({v: i for i, v in enumerate(variant_order(col.dropna()))}) if col.name == "variant" else col

    lb = lb.sort_values(group_cols + ["reference", "median", "model"],
                        ascending=[True] * len(group_cols) + [True, not higher, True],
                        na_position="last", key=natural).reset_index(drop=True)
    return lb


def _ranked(frame, metric: str, variant=None, min_coverage: float = 0.9, baseline: str = DEFAULT_BASELINE):
    """The leaderboard rows of the candidates for "best model", best first (see :func:`best_model`)."""
    df = _frame(frame)
    if variant is not None:
        df = df[df["variant"] == variant] if len(df) else df
    if not len(df) or metric not in df.columns:
        return None
    lb = leaderboard(df, metric=metric, by=(), baseline=baseline, n_boot=0)
    n_sys = df["system"].nunique()
    cand = lb[~lb["reference"] & (lb["systems"] >= min_coverage * n_sys) & np.isfinite(lb["median"])]
    return cand.sort_values(["median", "mean_rank", "model"], ascending=[metric not in HIGHER_IS_BETTER, True, True],
                            na_position="last").reset_index(drop=True)


def best_model(frame, metric: str, variant: str | None = None, min_coverage: float = 0.9, *,
               baseline: str = DEFAULT_BASELINE) -> str | None:
    """The best model of ``frame`` on ``metric`` (the one definition the report and the
    reproduction table use): the non-reference model with the best median over systems
    (per-system medians over initial conditions, failures imputed by ``baseline`` as in
    :func:`leaderboard`), among the models run on at least ``min_coverage`` of the systems of
    ``variant`` (every row when None); ties go to the better mean rank, then to the name.
    A model run at several settings competes once per setting (``"nbeats (fast)"``). None when
    no model qualifies."""
    ranked = _ranked(frame, metric, variant, min_coverage, baseline)
    return None if ranked is None or not len(ranked) else str(ranked["model"].iloc[0])


def _fmt(v: float) -> str:
    if not np.isfinite(v):
        return "-"
    return f"{v:.2g}" if abs(v) < 0.01 and v != 0 else f"{v:.3g}"


def _cell(r, systems_of_variant: int, min_coverage: float) -> str:
    if r["systems"] < min_coverage * systems_of_variant:
        return f"- ({int(r['systems'])} of {int(systems_of_variant)} systems run)"
    cell = f"{_fmt(r['median'])} [{_fmt(r['ci_low'])}, {_fmt(r['ci_high'])}]"
    cov = r["coverage"]
    if np.isfinite(cov) and cov < 1:
        cell += f" ({int(np.floor(cov * 100))}% ok)"  # floor: a model with failures never reads 100%
    return cell


def wide_leaderboard(results, metric: str = "smape", variants=None, top: int = 10, always=("naive-mean",),
                     min_coverage: float = 0.9, *, baseline: str = DEFAULT_BASELINE, n_boot: int = 1000,
                     seed: int = 0) -> str:
    """A Markdown table with one row per model and one column per variant (the README's
    leaderboard is this table): the median over systems with its 95% bootstrap interval,
    ``median [ci_low, ci_high]``, followed by ``(97% ok)`` where fewer than all of the model's
    jobs succeeded (failures are imputed, see :func:`leaderboard`).

    The rows are the ``top`` competitors by the first variant's median, then the models of
    ``always``; models run on fewer than ``min_coverage`` of the systems (a run on a sample, or
    still in progress) are left out, named in a line below the table, and not ranked with the
    others; in the other variants such a cell gives only how many systems were run (a run
    still in progress). With more than one initial condition, a column gives the first
    variant's range over initial conditions of the median over systems. The last column is the
    mean rank in the first variant. Reference models (the oracle) follow in their own rows
    below a separator row "reference (not ranked)".
    """
    from chaoszoo.forecast.registry import list_models

    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1:
        raise InvalidArgumentError(f"top must be a positive integer; got {top!r}.")
    if isinstance(min_coverage, bool) or not isinstance(min_coverage, (int, float)) or not 0 <= min_coverage <= 1:
        raise InvalidArgumentError(f"min_coverage must be a number from 0 to 1; got {min_coverage!r}.")
    specs = {s.name: s for s in list_models()}
    df = _frame(results)
    have = variant_order(df["variant"].dropna()) if len(df) else []
    variants = list(variants) if variants else have
    bad = [v for v in variants if v not in have]
    if bad:
        raise InvalidArgumentError(f"Unknown variants {bad}; the results have {', '.join(have)}.")
    n_sys = df.groupby("variant")["system"].nunique()  # systems of each variant (every model's rows together)
    # competitors run on fewer than min_coverage of the first variant's systems (a sample, or a run
    # in progress) are left out before ranking: they would rank the others on some systems only
    fams = model_families(df)
    run = df[df["variant"] == variants[0]].groupby("model")["system"].nunique()
    sampled = {m: int(k) for m, k in run.items()
               if not is_reference(fams.get(m)) and k < min_coverage * n_sys[variants[0]]}
    df = df[~df["model"].isin(list(sampled))]
    lb = leaderboard(df, metric=metric, by=("variant",), baseline=baseline, n_boot=n_boot, seed=seed)
    first = lb[lb["variant"] == variants[0]]
    eligible = comp = first[~first["reference"]]
    models = list(eligible["model"][:top]) + [m for m in always if m in set(eligible["model"][top:])]
    refs = list(first[first["reference"]]["model"])
    spread = df[df["variant"] == variants[0]]["ic"].nunique() > 1
    head = ["model", "method", *variants] + ([f"range over ICs ({variants[0]})"] if spread else []) + [
        f"mean rank of {len(comp)} ({variants[0]})"]
    lines = ["| " + " | ".join(head) + " |", "|---" * len(head) + "|"]

    described = {}  # a user's model: the description its rows carry (its docstring's first line)
    if "description" in df.columns:
        described = df.dropna(subset=["description"]).groupby("model")["description"].first().to_dict()

    def line(model):
        spec = specs.get(model.split(" (")[0])
        cells = [model, spec.description if spec is not None else str(described.get(model, ""))]
        for v in variants:
            r = lb[(lb["variant"] == v) & (lb["model"] == model)]
            cells.append(_cell(r.iloc[0], n_sys[v], min_coverage) if len(r) else "-")
        r0 = first[first["model"] == model].iloc[0]
        if spread:
            cells.append(f"{_fmt(r0['ic_min'])} to {_fmt(r0['ic_max'])}" if np.isfinite(r0["ic_min"]) else "-")
        cells.append("-" if r0["reference"] or not np.isfinite(r0["mean_rank"]) else f"{r0['mean_rank']:.1f}")
        return "| " + " | ".join(cells) + " |"

    lines += [line(m) for m in models]
    if refs:
        lines.append("| *reference (not ranked)* |" + " |" * (len(head) - 1))
        lines += [line(m) for m in refs]
    if sampled:
        left = ", ".join(f"{m} {k}" for m, k in sorted(sampled.items()))
        lines += ["", f"Left out (run so far on fewer than {min_coverage:.0%} of the {n_sys[variants[0]]} systems of "
                      f"{variants[0]}; systems run): {left}."]
    return "\n".join(lines)


def per_system(results, metric: str = "smape", variant: str | None = None, *, baseline: str | None = None):
    """Median of ``metric`` over initial conditions, per (system, model): a DataFrame with one
    row per system and one column per model. Without ``baseline``, over the successful jobs
    only; with one, failed jobs count with their imputed score (the rule of :func:`leaderboard`).
    Raises :class:`~chaoszoo.errors.DataVersionError` on mixed data versions."""
    df = _frame(results)
    if len(df) and metric not in df.columns:
        raise InvalidArgumentError(f"Unknown metric {metric!r}.")
    check_data_versions(df)
    sc = _scored(df, metric, baseline) if len(df) else df.assign(_score=np.nan)
    if variant is not None:
        sc = sc[sc["variant"] == variant]
    table = sc.groupby(["system", "model"])["_score"].median().unstack("model")
    return table.dropna(axis=1, how="all").dropna(axis=0, how="all")


def invariants_table(systems) -> "object":
    """The catalog's stored invariants of ``systems`` as a DataFrame (NaN where absent)."""
    import pandas as pd

    import chaoszoo as cz

    rows = {}
    for s in systems:
        inv = cz.get(s).invariants or {}
        rows[s] = {k: (float(inv[k]) if isinstance(inv.get(k), (int, float)) else np.nan) for k in INVARIANTS}
    return pd.DataFrame.from_dict(rows, orient="index")


def invariant_correlations(results, metric: str = "smape", variant: str | None = None, models=None, *,
                           baseline: str | None = None):
    """Spearman correlation (and two-sided p-value) between each model's per-system error (the
    median over initial conditions, :func:`per_system`; failures imputed when ``baseline`` is
    given) and each invariant. Returns a DataFrame with ``model, invariant, rho, p, n``."""
    import pandas as pd
    from scipy.stats import spearmanr

    table = per_system(results, metric, variant, baseline=baseline)
    inv = invariants_table(table.index)
    out = []
    for model in (models or table.columns):
        for name in INVARIANTS:
            col = table[model] if model in table.columns else pd.Series(np.nan, index=table.index)
            both = pd.concat([col, inv[name]], axis=1).dropna()
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
