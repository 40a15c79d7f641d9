"""The probabilistic track: forecasts as distributions, scored by proper scoring rules.

Chaos makes a single trajectory forecast meaningless beyond a few Lyapunov times; what can
still be right is the distribution. A protocol of this track
(:class:`~chaoszoo.forecast.protocols.ProbabilisticProtocol`, e.g. ``short-fine-prob``) has the
tasks of a point protocol and asks each model for a distribution:

* ``predict_samples(horizon, n)`` -> ``(n, horizon, d)``: ``n`` members (samples of the
  predictive distribution, each a trajectory), or
* ``predict_quantiles(horizon, levels)`` -> ``(len(levels), horizon, d)``: quantiles at the
  protocol's levels (0.05 to 0.95), not crossing.

A model with neither (or whose method raises ``NotImplementedError``, as a darts model
without a likelihood does) is scored from ``predict`` as a one-member ensemble, and its row
says so (``members: 1`` and a note): its CRPS is its absolute error, its energy score its
Euclidean error, and it has no spread (the spread/skill ratio is missing with that reason).

Each row (:func:`score_distribution`) holds, besides the point metrics of the ensemble mean
(the median of a quantile forecast):

==========================  =================================================================
``crps``                    CRPS (fair ensemble estimator), each variable divided by its
                            standard deviation over the history, mean over steps and variables
``energy_score``            energy score (fair) of the standardised state at each step, mean
``wis``                     weighted interval score of the median and the 50% and 90% intervals
``coverage_50/90``          share of target values inside the central 50% / 90% interval
``coverage_50/90_error``    its distance to 0.5 / 0.9 (an error: lower is better)
``spread_skill``            spread/skill ratio (1: reliable; below 1: overconfident)
``spread_skill_error``      ``|log spread_skill|`` (an error)
``crps_skill``              ``1 - crps / crps of the history's climatology`` (exact CRPS of the
                            empirical distribution of the history's values)
``pvpt``                    probabilistic valid prediction time: Lyapunov times before the
                            cumulative CRPS skill against that climatology first falls below
                            :data:`PVPT_THRESHOLD` (the horizon when it never does)
``clean_crps`` ...          in noisy variants, the CRPS and energy score against the clean target
==========================  =================================================================

and ``prob`` (the distribution's kind, member count, note, the rank (PIT) histogram, each
variable's CRPS in its own units, and the scores in :attr:`lead_bins
<chaoszoo.forecast.protocols.ProbabilisticProtocol.lead_bins>` lead-time bins). With
``keep_forecasts`` the members (or quantiles) are kept as float32 in the store.

The ceiling is ``perfect-ensemble`` (the true equations integrated from perturbations of the
true last state at the observation-noise level: the best achievable score per system and lead
time), the floor ``climatology`` (states drawn from the history);
:func:`skill_between` places every model between the two.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

from chaoszoo.errors import InvalidArgumentError, ModelError
from chaoszoo.forecast.metrics import proper

#: The cumulative CRPS skill against the history's climatology below which a forecast is no
#: longer "valid" (:func:`pvpt`).
PVPT_THRESHOLD = 0.5

#: Bins of the rank (PIT) histogram kept in a row.
PIT_BINS = 10

#: What a point forecast's row says.
POINT_NOTE = ("point forecast scored as a one-member ensemble: CRPS = absolute error, energy score = Euclidean error, "
              "no spread")

#: The floor and the ceiling of the track (model names).
FLOOR, CEILING = "climatology", "perfect-ensemble"

def is_probabilistic(protocol) -> bool:
    """Whether ``protocol`` belongs to the probabilistic track."""
    return getattr(protocol, "members", None) is not None and hasattr(protocol, "quantile_levels")


@dataclass(frozen=True)
class Distribution:
    """A checked probabilistic forecast.

    Attributes:
        kind: ``"samples"``, ``"quantiles"`` or ``"point"`` (one member).
        values: ``(m, H, d)`` members, ``(Q, H, d)`` quantiles, or ``(1, H, d)`` for a point.
        levels: the quantile levels (quantile forecasts only).
        note: what the row should say about it.
    """

    kind: str
    values: np.ndarray
    levels: tuple | None = None
    note: str = ""

    @property
    def members(self) -> int | None:
        return None if self.kind == "quantiles" else int(self.values.shape[0])

    def point(self) -> np.ndarray:
        """The point forecast the point metrics score: the members' mean, or the median."""
        if self.kind == "quantiles":
            return self.values[list(self.levels).index(0.5)]
        return self.values.mean(axis=0)

    def stored(self) -> np.ndarray:
        """What ``keep_forecasts`` stores: the members or quantiles as float32."""
        return self.values.astype(np.float32)


# --- what a model gives ---------------------------------------------------------------------------

def check_samples(samples, horizon: int, d: int, n: int) -> np.ndarray:
    """A model's samples as ``(n, horizon, d)`` float64, or :class:`ModelError` with the reason."""
    try:
        x = np.asarray(samples, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ModelError(f"predict_samples did not return a numeric array ({err})") from None
    if x.ndim == 2 and d == 1:
        x = x[:, :, None]
    if x.ndim == 3 and x.shape[0] == 1 and x.shape[1:] == (horizon, d) and n > 1:
        raise ModelError(f"predict_samples returned a single member where {n} were asked: a distribution needs a "
                         "spread (a model without one gives a point forecast from predict instead)")
    if x.shape != (n, horizon, d):
        raise ModelError(f"predict_samples returned shape {x.shape}, expected (members, horizon, d) = {(n, horizon, d)}")
    if not np.all(np.isfinite(x)):
        m, t, _ = np.argwhere(~np.isfinite(x))[0]
        raise ModelError(f"predict_samples returned non-finite values (first in member {m} at step {t} of {horizon})")
    return x


def check_quantile_forecast(quantiles, levels, horizon: int, d: int) -> np.ndarray:
    """A model's quantiles as ``(Q, horizon, d)`` float64, or :class:`ModelError` with the reason
    (wrong shape, non-finite values, quantiles that cross)."""
    try:
        q = np.asarray(quantiles, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ModelError(f"predict_quantiles did not return a numeric array ({err})") from None
    if q.ndim == 2 and d == 1:
        q = q[:, :, None]
    want = (len(levels), horizon, d)
    if q.shape != want:
        raise ModelError(f"predict_quantiles returned shape {q.shape}, expected (levels, horizon, d) = {want}")
    if not np.all(np.isfinite(q)):
        k, t, _ = np.argwhere(~np.isfinite(q))[0]
        raise ModelError(f"predict_quantiles returned non-finite values (first at level {levels[k]:g}, step {t})")
    crossed = np.diff(q, axis=0) < 0
    if crossed.any():
        k, t, j = np.argwhere(crossed)[0]
        raise ModelError(f"the quantiles cross: at step {t}, variable {j}, the {levels[k + 1]:g} quantile "
                         f"({q[k + 1, t, j]:.6g}) is below the {levels[k]:g} quantile ({q[k, t, j]:.6g})")
    return q


def predict_distribution(model, horizon: int, d: int, members: int, levels) -> Distribution:
    """Ask a fitted model for its distribution (see the module docstring) and check it."""
    from chaoszoo.forecast.jobs import _checked

    why = ""
    for method, kind in (("predict_samples", "samples"), ("predict_quantiles", "quantiles")):
        fn = getattr(model, method, None)
        if not callable(fn):
            continue
        try:
            raw = fn(horizon, members) if kind == "samples" else fn(horizon, tuple(levels))
        except NotImplementedError as err:  # this instance gives no distribution (a darts model without likelihood)
            why = str(err)
            continue
        if kind == "samples":
            return Distribution("samples", check_samples(raw, horizon, d, members))
        lv = tuple(float(v) for v in levels)
        return Distribution("quantiles", check_quantile_forecast(raw, lv, horizon, d), lv,
                            "quantile forecast: CRPS is twice the mean pinball loss over the levels")
    y = _checked(model.predict(horizon), horizon, d)
    return Distribution("point", y[None], note=POINT_NOTE + (f" ({why})" if why else ""))


def fit_predict_distribution(name: str, fast: bool, params: dict, history, info, horizon: int, protocol):
    """Make, fit and ask model ``name`` for its distribution: ``(point, distribution, fit s, predict s)``."""
    from chaoszoo.forecast.interface import resolve_params
    from chaoszoo.forecast.registry import make

    model = make(name, fast=fast, **resolve_params(params, info))
    t0 = time.perf_counter()
    model.fit(history.copy(), info)
    t1 = time.perf_counter()
    dist = predict_distribution(model, horizon, history.shape[1], protocol.members, protocol.quantile_levels)
    t2 = time.perf_counter()
    return dist.point(), dist, t1 - t0, t2 - t1


# --- scoring --------------------------------------------------------------------------------------

def _scale(history: np.ndarray) -> np.ndarray:
    sd = history.std(axis=0)
    return np.where(sd > 0, sd, 1.0)


def pvpt(crps_steps, climatology_steps, lyapunov_steps=None, threshold: float = PVPT_THRESHOLD) -> float:
    """Probabilistic valid prediction time: the steps before the cumulative CRPS skill
    ``1 - sum_{s<=t} crps(s) / sum_{s<=t} climatology(s)`` first falls below ``threshold``
    (the whole horizon when it never does: a lower bound), in Lyapunov times when
    ``lyapunov_steps`` is given. The probabilistic analogue of ``vpt_smape`` (which bounds a
    cumulative error)."""
    c = np.cumsum(np.asarray(crps_steps, dtype=np.float64))
    r = np.cumsum(np.asarray(climatology_steps, dtype=np.float64))
    with np.errstate(invalid="ignore", divide="ignore"):
        skill = np.where(r > 0, 1.0 - c / r, np.where(c > 0, -np.inf, 1.0))
    bad = skill < threshold
    steps = float(np.argmax(bad)) if bad.any() else float(len(c))
    return steps / lyapunov_steps if lyapunov_steps else steps


def _quantile_scores(zt: np.ndarray, q: np.ndarray, levels: tuple, seed: int) -> dict:
    """The per-value scores of a quantile forecast (standardised)."""
    pos = {v: i for i, v in enumerate(levels)}
    med, l50, u50, l90, u90 = (q[pos[v]] for v in (0.5, 0.25, 0.75, 0.05, 0.95))
    lv = np.asarray(levels)
    # PIT: the target's level by linear interpolation between the quantiles (a uniform draw
    # inside the tail beyond the outermost ones)
    u = np.random.default_rng(seed).random(zt.shape)
    pit = np.empty(zt.shape)
    for idx in np.ndindex(zt.shape):
        col = q[(slice(None),) + idx]
        y = zt[idx]
        if y < col[0]:
            pit[idx] = u[idx] * lv[0]
        elif y > col[-1]:
            pit[idx] = lv[-1] + u[idx] * (1 - lv[-1])
        else:
            pit[idx] = np.interp(y, col, lv)
    return {"crps": 2.0 * np.mean([proper.quantile_score(zt, q[k], lv[k]) for k in range(lv.size)], axis=0),
            "wis": proper.weighted_interval_score(zt, med, (l50, l90), (u50, u90), (0.5, 0.1)),
            "covered_50": (zt >= l50) & (zt <= u50), "covered_90": (zt >= l90) & (zt <= u90),
            "mean": med, "var": np.full(zt.shape, np.nan), "pit": pit}


def _bins(h: int, n_bins: int) -> list[np.ndarray]:
    return [b for b in np.array_split(np.arange(h), min(n_bins, h)) if len(b)]


def score_distribution(target, dist: Distribution, history, *, lyapunov_steps=None, target_clean=None,
                       lead_bins: int = 20, seed: int = 0) -> tuple[dict, dict, dict]:
    """The probabilistic metrics of one forecast: ``(metrics, missing reasons, prob)`` (see the
    module docstring for each). Every variable is divided by its standard deviation over the
    history first, so that the scores of systems and variables compare."""
    target = np.asarray(target, dtype=np.float64)
    history = np.asarray(history, dtype=np.float64)
    H, d = target.shape
    sd = _scale(history)
    zt = target / sd
    z = dist.values / sd
    metrics, missing = {}, {}
    if dist.kind == "quantiles":
        sc = _quantile_scores(zt, z, dist.levels, seed)
        if d == 1:
            sc["energy_score"] = sc["crps"][:, 0]
        else:
            missing["energy_score"] = "quantile forecast: no joint distribution of the variables"
        missing["spread_skill"] = missing["spread_skill_error"] = "quantile forecast: no members"
        m = None
    else:
        m = z.shape[0]
        sc = proper.score_ensembles(zt[None], z[None], fair=m > 1, seed=seed, pit_bins=PIT_BINS)
        sc = {k: v[0] for k, v in sc.items() if k not in ("quantiles", "pit_counts")}
        if m == 1:
            missing["spread_skill"] = missing["spread_skill_error"] = "one member: no spread"
    crps_t = sc["crps"].mean(axis=1)
    metrics["crps"] = float(crps_t.mean())
    if "energy_score" in sc:
        metrics["energy_score"] = float(sc["energy_score"].mean())
    metrics["wis"] = float(sc["wis"].mean())
    for p in (50, 90):
        cov = float(sc[f"covered_{p}"].mean())
        metrics[f"coverage_{p}"] = cov
        metrics[f"coverage_{p}_error"] = abs(cov - p / 100)
    err2 = (sc["mean"] - zt) ** 2
    if m is not None and m > 1:
        mse, var = float(err2.mean()), float(sc["var"].mean())
        if mse > 0 and var > 0:
            ssr = math.sqrt((m + 1) / m) * math.sqrt(var / mse)
            metrics["spread_skill"], metrics["spread_skill_error"] = ssr, abs(math.log(ssr))
        else:
            why = "the ensemble mean equals the target" if mse == 0 else "the members are identical: no spread"
            missing["spread_skill"] = missing["spread_skill_error"] = why
    clim = proper.crps_empirical(zt, history / sd).mean(axis=1)  # (H,): the history's climatology
    if clim.sum() > 0:
        metrics["crps_skill"] = 1.0 - metrics["crps"] / float(clim.mean())
    else:
        missing["crps_skill"] = "the history is constant: its climatology has no spread"
    if lyapunov_steps:
        metrics["pvpt"] = pvpt(crps_t, clim, lyapunov_steps)
    else:
        missing["pvpt"] = "no Lyapunov time"
    if target_clean is not None:
        zc = np.asarray(target_clean, dtype=np.float64) / sd
        if dist.kind == "quantiles":
            metrics["clean_crps"] = float(_quantile_scores(zc, z, dist.levels, seed)["crps"].mean())
        else:
            cl = proper.score_ensembles(zc[None], z[None], fair=m > 1, seed=seed)
            metrics["clean_crps"] = float(cl["crps"].mean())
            metrics["clean_energy_score"] = float(cl["energy_score"].mean())
    for k in ("spread_skill", "spread_skill_error", "energy_score", "crps_skill", "pvpt"):
        if k in missing:
            metrics[k] = None
    bins = _bins(H, lead_bins)
    ends = np.array([b[-1] + 1 for b in bins], dtype=float)
    curve = {"t": (ends / lyapunov_steps if lyapunov_steps else ends).tolist(),
             "unit": "lyapunov" if lyapunov_steps else "steps"}
    per_step = {"crps": crps_t, "wis": sc["wis"].mean(axis=1), "coverage_50": sc["covered_50"].mean(axis=1),
                "coverage_90": sc["covered_90"].mean(axis=1), "rmse": err2.mean(axis=1), "climatology_crps": clim}
    if "energy_score" in sc:
        per_step["energy_score"] = sc["energy_score"]
    if m is not None and m > 1:
        per_step["spread"] = sc["var"].mean(axis=1)
    for k, v in per_step.items():
        means = [float(v[b].mean()) for b in bins]
        curve[k] = [math.sqrt(x) for x in means] if k in ("rmse", "spread") else means
    prob = {"kind": dist.kind, "members": m, "note": dist.note, "pit": proper.rank_histogram(sc["pit"], PIT_BINS).tolist(),
            "crps_by_variable": (sc["crps"].mean(axis=0) * sd).tolist(), "curve": curve}
    if dist.kind == "quantiles":
        prob["levels"] = list(dist.levels)
    return metrics, missing, prob


def score_row(row: dict, task, dist: Distribution, job) -> None:
    """Add the probabilistic metrics of ``dist`` (forecast of ``task``) to a result row."""
    noisy = task.variant.noise > 0
    metrics, missing, prob = score_distribution(
        task.target, dist, task.history, lyapunov_steps=task.info.lyapunov_steps,
        target_clean=task.target_clean if noisy else None, lead_bins=job.protocol.lead_bins, seed=job.seed)
    row["metrics"].update(metrics)
    row["missing"].update(missing)
    row["prob"] = prob
    row["members"] = prob["members"]


# --- tables -------------------------------------------------------------------------------------

def skill_between(results, metric: str = "crps", *, floor: str = FLOOR, ceiling: str = CEILING):
    """Each model's place between the floor and the ceiling on ``metric`` (an error), per task:
    ``(floor - model) / (floor - ceiling)`` (0: no better than the climatology; 1: as good as
    the perfect-model ensemble), then the median over a system's initial conditions and the
    median over systems, by variant. Tasks where the two references do not differ (or one is
    missing) are left out. Returns a DataFrame ``variant, model, skill, systems``."""
    import pandas as pd

    from chaoszoo.forecast.ranking import _frame

    df = _frame(results)
    if metric not in df.columns:
        raise InvalidArgumentError(f"Unknown metric {metric!r}; the results have no such column.")
    for ref in (floor, ceiling):
        if ref not in set(df["model"]):
            raise InvalidArgumentError(f"The results have no rows of {ref!r}, which skill_between needs.")
    ok = df[df["status"] == "ok"]
    wide = ok.pivot_table(index=["variant", "system", "ic"], columns="model", values=metric, aggfunc="median")
    span = wide[floor] - wide[ceiling]
    keep = span.abs() > 0
    out = []
    for model in wide.columns:
        s = ((wide[floor] - wide[model]) / span)[keep].dropna()
        for variant, g in s.groupby(level="variant"):
            per_sys = g.groupby(level="system").median()
            out.append({"variant": variant, "model": model, "skill": float(per_sys.median()),
                        "systems": int(len(per_sys))})
    return pd.DataFrame(out, columns=["variant", "model", "skill", "systems"])


def lead_time_curves(results, metric: str = "crps", variant: str | None = None):
    """The median over systems (of the median over initial conditions) of ``metric`` in each
    lead-time bin, per model: a DataFrame indexed by the bins' end (Lyapunov times where the
    rows have them) with a column per model."""
    import pandas as pd

    from chaoszoo.forecast.ranking import _frame

    df = _frame(results)
    if "prob" not in df.columns:
        raise InvalidArgumentError("These results hold no probabilistic scores (run a probabilistic protocol, e.g. "
                                   "short-fine-prob).")
    ok = df[(df["status"] == "ok") & df["prob"].notna()]
    if variant is not None:
        ok = ok[ok["variant"] == variant]
    recs = []
    for _, r in ok.iterrows():
        c = r["prob"]["curve"]
        if metric not in c:
            continue
        for k, (t, v) in enumerate(zip(c["t"], c[metric])):
            recs.append((r["model"], r["system"], r["ic"], k, t, v))
    if not recs:
        return pd.DataFrame()
    long = pd.DataFrame(recs, columns=["model", "system", "ic", "bin", "t", "v"])
    per_sys = long.groupby(["model", "bin", "system"]).agg(v=("v", "median"), t=("t", "median")).reset_index()
    med = per_sys.groupby(["model", "bin"]).agg(v=("v", "median"), t=("t", "median")).reset_index()
    t = med.groupby("bin")["t"].median()
    table = med.pivot(index="bin", columns="model", values="v")
    table.index = t.reindex(table.index).to_numpy()
    return table


def ceiling_gaps(results, metric: str = "crps", *, ceiling: str = CEILING, variant: str | None = None):
    """Where a model beats the ceiling: the (system, ic, variant, model, bin) at which a
    competitor's ``metric`` in a lead-time bin is below the perfect-model ensemble's on the same
    task. An empty frame means the ceiling is ahead of every model at every lead time."""
    import pandas as pd

    from chaoszoo.forecast.ranking import _frame

    df = _frame(results)
    ok = df[(df["status"] == "ok") & df["prob"].notna()] if "prob" in df.columns else df.iloc[:0]
    if variant is not None:
        ok = ok[ok["variant"] == variant]
    ref = {(r["system"], r["ic"], r["variant"]): r["prob"]["curve"][metric]
           for _, r in ok[ok["model"] == ceiling].iterrows()}
    out = []
    for _, r in ok[ok["model"] != ceiling].iterrows():
        c = ref.get((r["system"], r["ic"], r["variant"]))
        if c is None:
            continue
        for k, (a, b) in enumerate(zip(r["prob"]["curve"][metric], c)):
            if a < b:
                out.append({"system": r["system"], "ic": r["ic"], "variant": r["variant"], "model": r["model"],
                            "bin": k, "model_score": a, "ceiling_score": b})
    return pd.DataFrame(out, columns=["system", "ic", "variant", "model", "bin", "model_score", "ceiling_score"])


def report_section(df, out, *, variant: str, metric: str = "crps") -> tuple[list, list]:
    """The probabilistic part of a report (:func:`chaoszoo.forecast.report.write_report` calls it
    for a probabilistic protocol): figures of score against lead time with the ceiling and the
    floor, calibration (coverage of the 90% interval, spread/skill) against the largest Lyapunov
    exponent, the rank histograms; and Markdown lines with the skill between floor and ceiling.
    Returns ``(figures as (file, caption), lines)``."""
    import matplotlib.pyplot as plt

    from chaoszoo.forecast.ranking import format_table, invariants_table
    from chaoszoo.forecast.report import _save

    figs, lines = [], []
    curves = lead_time_curves(df, metric, variant)
    if len(curves):
        fig, ax = plt.subplots(figsize=(7, 4.2))
        for model in curves.columns:
            style = dict(color="k", ls=":", lw=1.6) if model == CEILING else (
                dict(color="k", ls="--", lw=1.4) if model == FLOOR else dict(lw=1.3))
            ax.plot(curves.index, curves[model], label=model, **style)
        ax.set_xlabel("lead time (Lyapunov times)" if df["prob"].dropna().iloc[0]["curve"]["unit"] == "lyapunov"
                      else "lead time (steps)")
        ax.set_ylabel(f"{metric} (standardised; median over systems)")
        ax.set_yscale("symlog", linthresh=1e-3)
        ax.legend(fontsize=7, ncol=2)
        _save(fig, out / "prob_lead_time.png")
        plt.close(fig)
        figs.append(("prob_lead_time.png", f"{metric} against lead time ({variant}): the perfect-model ensemble "
                     f"({CEILING}, dotted) is the ceiling, the climatology of the history ({FLOOR}, dashed) the floor."))
    ok = df[(df["status"] == "ok") & (df["variant"] == variant)]
    if {"coverage_90", "spread_skill"} <= set(ok.columns) and ok["system"].nunique() >= 3:
        inv = invariants_table(sorted(ok["system"].unique()))
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.6))
        for ax, col, nominal in ((axes[0], "coverage_90", 0.9), (axes[1], "spread_skill", 1.0)):
            per = ok.groupby(["model", "system"])[col].median()
            for model in sorted(ok["model"].unique()):
                if model not in per.index.get_level_values(0):
                    continue
                v = per.loc[model]
                ax.scatter(inv.reindex(v.index)["max_lyapunov"], v, s=10, alpha=0.7, label=model)
            ax.axhline(nominal, color="k", lw=0.8)
            ax.set_xscale("symlog", linthresh=1e-2)
            ax.set_xlabel("largest Lyapunov exponent")
            ax.set_ylabel(col.replace("_", " "))
        axes[1].legend(fontsize=6)
        _save(fig, out / "prob_calibration.png")
        plt.close(fig)
        figs.append(("prob_calibration.png", "Calibration against the largest Lyapunov exponent: per system (median "
                     "over ICs), the coverage of the central 90% interval (nominal 0.9) and the spread/skill ratio "
                     f"(1 for a reliable ensemble), {variant}."))
    if "prob" in ok.columns and ok["prob"].notna().any():
        models = sorted(ok["model"].unique())
        fig, axes = plt.subplots(1, len(models), figsize=(1.9 * len(models), 2.2), squeeze=False)
        for ax, model in zip(axes[0], models):
            counts = np.sum([np.asarray(p["pit"], float) for p in ok[ok["model"] == model]["prob"].dropna()], axis=0)
            if np.ndim(counts) and counts.sum() > 0:
                ax.bar(np.arange(len(counts)) / len(counts), counts / counts.mean(), width=1 / len(counts),
                       align="edge", color="#4477aa")
            ax.axhline(1.0, color="k", lw=0.8)
            ax.set_title(model, fontsize=7)
            ax.set_xticks([0, 0.5, 1])
        _save(fig, out / "prob_pit.png")
        plt.close(fig)
        figs.append(("prob_pit.png", f"Rank (PIT) histograms over every job and value ({variant}), relative to flat: "
                     "a U is overconfident, a hump underconfident, a slope biased."))
    if {FLOOR, CEILING} <= set(df["model"]):
        sk = skill_between(df, metric)
        sk = sk[sk["variant"] == variant].sort_values("skill", ascending=False).reset_index(drop=True)
        lines += [f"## Between the floor and the ceiling ({variant})", "",
                  f"Skill on {metric} per task, `(floor - model) / (floor - ceiling)`: 0 is the climatology of the "
                  "history, 1 the perfect-model ensemble; median over ICs, then over systems.", "",
                  format_table(sk), ""]
    gaps = ceiling_gaps(df, metric, variant=variant)
    lines += [f"The perfect-model ensemble is ahead of every model in every lead-time bin on {metric} ({variant})."
              if not len(gaps) else
              f"In {len(gaps)} (task, model, lead-time bin) cases a model's {metric} is below the perfect-model "
              f"ensemble's ({variant}; finite ensembles, or noise the ensemble cannot know), e.g. "
              + ", ".join(f"{r.model} on {r.system} ic{r.ic} bin {r.bin}" for r in gaps.head(5).itertuples()) + ".", ""]
    return figs, lines
