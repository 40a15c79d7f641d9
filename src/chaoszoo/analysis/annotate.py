"""Compute the recorded invariants of one catalog system (used by ``chaoszoo annotate``).

Per system, within a budget of roughly ten CPU-seconds:

1. Lyapunov spectrum from the equations (:func:`lyapunov_spectrum_with_error`), several
   initial conditions in one vectorised run; mean and standard error. At most
   ``MAX_EXPONENTS`` exponents (all of them for small systems; 3 for delay equations).
2. Kaplan-Yorke dimension and Pesin entropy from that spectrum.
3. A sampled orbit (:func:`sample_attractor`, 20 samples per period) for the dominant period
   (Welch peak, red-noise test), the correlation dimension (Grassberger-Procaccia on the
   full state) and the multiscale entropy (mean sample entropy of the first variable over
   scales 1-10, ``m = 2``, ``r = 0.15`` standard deviations).

An estimate that does not converge (non-finite, or a standard error of the largest exponent
above ``max(0.05 |lambda_1|, 0.01 / period)``) raises :class:`ConvergenceError`, so it is
reported and never written.
"""

from __future__ import annotations

import math
import time

import numpy as np

from chaoszoo.analysis.lyapunov import (
    auto_steps_per_period,
    kaplan_yorke_dimension,
    lyapunov_spectrum_with_error,
    pesin_entropy,
    sample_attractor,
)
from chaoszoo.analysis.series import correlation_dimension, dominant_period, multiscale_entropy
from chaoszoo.errors import ChaoszooError, ConvergenceError, InvalidArgumentError

MAX_EXPONENTS = 12
#: Largest number of RK4 steps in one flow run, and the shortest acceptable run (periods).
MAX_STEPS = 60_000
MIN_PERIODS = 20.0
#: A run that does not converge is repeated this many times longer (within LONG_MAX_STEPS):
#: the standard error falls like 1/sqrt(length), so weakly chaotic systems converge on the
#: second attempt and the cost lands only on them.
LONG_FACTOR = 5
LONG_MAX_STEPS = 400_000

#: Settings recorded with every entry; an entry with other settings is recomputed.
SETTINGS = {
    "format": 2,
    "long_factor": LONG_FACTOR,
    "lyapunov": {"n_ics": 4, "seed": 0, "flow": {"t_total": 300.0, "transient": 30.0, "steps_per_period": 100},
                 "map": {"t_total": 20000, "transient": 1000}, "delay": {"t_total": 150.0, "transient": 20.0},
                 "max_exponents": MAX_EXPONENTS},
    "orbit": {"n": 4096, "samples_per_period": 20, "transient": 30.0},
    "correlation_dimension": {"max_points": 2500},
    "multiscale_entropy": {"scales": 10, "order": 2, "r": 0.15, "statistic": "mean over scales, first variable"},
    "dominant_period": {"n_surrogates": 19, "seed": 0},
}


def _spectrum(system):
    cfg = SETTINGS["lyapunov"]
    kind_cfg = dict(cfg[system.kind])
    k = None if system.kind == "delay" else min(system.dimension, cfg["max_exponents"])
    attempts = [kind_cfg, dict(kind_cfg, t_total=kind_cfg["t_total"] * LONG_FACTOR)]
    if system.kind == "flow":
        # stiff systems need more steps per period; the run is shortened to keep within the
        # step budget, and refused when even MIN_PERIODS would not fit
        spp = max(kind_cfg["steps_per_period"], auto_steps_per_period(system))
        attempts = []
        for factor in (1, 4):  # 4x finer steps when the tangent integration is unstable
            steps = spp * factor
            periods = min(kind_cfg["t_total"], MAX_STEPS / steps)
            if periods >= MIN_PERIODS:
                attempts.append(dict(kind_cfg, steps_per_period=steps, t_total=periods,
                                     transient=min(kind_cfg["transient"], periods / 4)))
            long_periods = min(kind_cfg["t_total"] * LONG_FACTOR, LONG_MAX_STEPS / steps)
            if long_periods >= 2 * kind_cfg["t_total"]:
                attempts.append(dict(kind_cfg, steps_per_period=steps, t_total=long_periods,
                                     transient=kind_cfg["transient"]))
        if not attempts:
            raise ConvergenceError(
                f"{system.name}: too stiff for the fixed-step tangent integration within the budget "
                f"({spp} RK4 steps per period needed; at most {MAX_STEPS} steps per run).")
    last = None
    for opts in attempts:
        try:
            res = lyapunov_spectrum_with_error(system, n_exponents=k, n_ics=cfg["n_ics"], seed=cfg["seed"], **opts)
        except ConvergenceError as exc:
            last = exc
            continue
        lam, err = float(res.mean[0]), float(res.stderr[0])
        scale = 1.0 if system.kind == "map" else system.period
        if math.isfinite(err) and err <= max(0.05 * abs(lam), 0.01 / scale):
            return res
        last = ConvergenceError(
            f"{system.name}: largest Lyapunov exponent {lam:.4g} +- {err:.2g} did not converge "
            "(standard error above 5 %).")
    raise last


def compute(name: str, params=None) -> dict:
    """Every recorded invariant of system ``name`` (a JSON-ready dict with provenance).

    Raises:
        ConvergenceError: the Lyapunov spectrum did not converge (nothing should be written).
    """
    import chaoszoo as cz

    t0 = time.perf_counter()
    system = cz.get(name)
    if params:
        system = system.with_params(**params)
    res = _spectrum(system)
    spec = [float(v) for v in res.mean]
    entry = {
        "lyapunov_spectrum": spec,
        "lyapunov_stderr": [float(v) for v in res.stderr],
        "max_lyapunov": spec[0],
        "kaplan_yorke_dimension": kaplan_yorke_dimension(res.mean),
        "pesin_entropy": pesin_entropy(res.mean),
        "params": dict(system.params),
        "settings": SETTINGS,
        "lyapunov_settings": {k: v for k, v in res.settings.items() if k != "seed"},
        "version": cz.__version__,
    }
    unit = "iterations" if system.kind == "map" else "time"
    notes = []
    o = SETTINGS["orbit"]
    try:
        values, dt = sample_attractor(system, n=o["n"], samples_per_period=o["samples_per_period"],
                                      transient=o["transient"] if system.kind != "map" else 1000)
    except ChaoszooError as exc:
        values, dt = None, None
        notes.append(f"orbit: {exc}")
    if values is not None:
        try:
            per = dominant_period(values, dt, **SETTINGS["dominant_period"])
            entry["dominant_period"] = float(per.period)
            entry["dominant_period_p_value"] = float(per.p_value)
        except ChaoszooError as exc:
            notes.append(f"dominant_period: {exc}")
        try:
            cd = correlation_dimension(values, max_points=SETTINGS["correlation_dimension"]["max_points"])
            entry["correlation_dimension"] = float(cd.value)
            entry["correlation_dimension_stderr"] = float(cd.stderr)
        except ChaoszooError as exc:
            notes.append(f"correlation_dimension: {exc}")
        try:
            m = SETTINGS["multiscale_entropy"]
            mse = multiscale_entropy(values[:, 0], m["scales"], m["order"], m["r"])
            if np.isfinite(mse).any():
                entry["multiscale_entropy"] = float(np.nanmean(mse))
        except (ChaoszooError, InvalidArgumentError) as exc:
            notes.append(f"multiscale_entropy: {exc}")
    entry["time_unit"] = unit
    if notes:
        entry["notes"] = notes
    entry["seconds"] = round(time.perf_counter() - t0, 2)
    return entry
