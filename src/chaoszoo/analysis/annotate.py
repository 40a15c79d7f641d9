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

An estimate that becomes non-finite raises :class:`ConvergenceError`: it is reported and
never written. One whose standard error of the largest exponent stays above
``max(0.10 |lambda_1|, 0.01 / period)`` (batch means) after every attempt is written with
``"lyapunov_converged": false``, its standard error and the reason, and reported - the
sticky chaotic seas of area-preserving maps (Chirikov at the critical k, BlinkingVortexMap)
converge that slowly.
"""

from __future__ import annotations

import math
import time

import numpy as np

from chaoszoo.analysis.lyapunov import (
    RK4_FLOOR,
    RK4_TOL,
    accurate_steps_per_period,
    kaplan_yorke_dimension,
    lyapunov_spectrum_with_error,
    pesin_entropy,
    sample_attractor,
)
from chaoszoo.analysis.series import correlation_dimension, dominant_period, multiscale_entropy
from chaoszoo.errors import ChaoszooError, ConvergenceError, InvalidArgumentError

MAX_EXPONENTS = 24
#: Largest number of RK4 steps in one flow run, and the shortest acceptable run (periods).
MAX_STEPS = 120_000
MIN_PERIODS = 20.0
#: A run that does not converge is repeated this many times longer (within LONG_MAX_STEPS):
#: the standard error falls like 1/sqrt(length), so weakly chaotic systems converge on the
#: second attempt and the cost lands only on them.
LONG_FACTOR = 5
LONG_MAX_STEPS = 800_000
#: Largest accepted standard error of lambda_1, relative (or 0.01 per period absolute).
#: With the batch-means error of overlapping windows this is what 5 % across four initial
#: conditions on one orbit claimed before (that spread underestimated the error about 2x).
ACCEPT_REL = 0.10
ACCEPT_ABS = 0.01
#: When every attempt is too noisy, the longest fixed-step run (RK4, map, delay, ETDRK4) is
#: made once more at the length its standard error asks for (x 1.3), if that is at most
#: this many times longer (a rule in steps, not seconds, so results do not depend on the machine).
EXTEND_MAX_FACTOR = 20.0

#: Settings recorded with every entry; an entry with other settings is recomputed.
SETTINGS = {
    "format": 4,
    "acceptance": "stderr of lambda_1 (batch means over 8 segments per initial condition, for overlapping windows) <= max(10 % |lambda_1|, 0.01/period); a short run without lambda_1 > 2 stderr repeated at the long length; RK4 results without lambda_1 > 2 stderr re-checked by the adaptive method",
    "integrators": "flows: RK4, then diffrax Tsit5 at rtol=atol=1e-8; ETDRK4 if semilinear",
    "long_factor": LONG_FACTOR,
    "extend_max_factor": EXTEND_MAX_FACTOR,
    "lyapunov": {"n_ics": 4, "ic_spacing_periods": 10.0, "seed": 0, "flow": {"t_total": 300.0, "transient": 30.0, "steps_per_period": 100},
                 "map": {"t_total": 20000, "transient": 1000}, "delay": {"t_total": 150.0, "transient": 20.0},
                 "max_exponents": MAX_EXPONENTS, "rk4_one_period_tol": RK4_TOL, "rk4_floor_factor": RK4_FLOOR},
    "orbit": {"n": 4096, "samples_per_period": 20, "transient": 30.0},
    "correlation_dimension": {"max_points": 2500},
    "multiscale_entropy": {"scales": 10, "order": 2, "r": 0.15, "statistic": "mean over scales, first variable"},
    "dominant_period": {"n_surrogates": 19, "seed": 0},
}


def _attempts(system, kind_cfg):
    """The runs tried in turn: short then long; for flows the fixed-step RK4 first (at the
    steps per period that keep one period within 1e-5 of the orbit's extent, where that fits
    the budget), then the adaptive integrator."""
    long = dict(kind_cfg, t_total=kind_cfg["t_total"] * LONG_FACTOR)
    if system.kind != "flow":
        return [kind_cfg, long]
    if "semilinear" in system.declaration.extra:
        return [dict(kind_cfg, method="etdrk4"), dict(long, method="etdrk4")]
    runs = []
    spp = accurate_steps_per_period(system)
    periods = 0.0 if spp is None else min(kind_cfg["t_total"], MAX_STEPS / spp)
    if periods >= MIN_PERIODS:
        runs.append(dict(kind_cfg, method="rk4", steps_per_period=spp, t_total=periods,
                         transient=min(kind_cfg["transient"], periods / 4)))
        long_periods = min(kind_cfg["t_total"] * LONG_FACTOR, LONG_MAX_STEPS / spp)
        if long_periods >= 2 * kind_cfg["t_total"]:
            runs.append(dict(kind_cfg, method="rk4", steps_per_period=spp, t_total=long_periods))
    runs += [dict(kind_cfg, method="adaptive"), dict(long, method="adaptive")]
    return runs


def _clearly_positive(res) -> bool:
    return float(res.mean[0]) > 2 * float(res.stderr[0]) and float(res.mean[0]) > 0


def _spectrum(system):
    k = None if system.kind == "delay" else min(system.dimension, SETTINGS["lyapunov"]["max_exponents"])
    try:
        res = _converged_spectrum(system, k)
        if res.settings.get("method") == "rk4" and not _clearly_positive(res):
            # a fixed step of 1/100 period can turn a chaotic orbit into a spurious stable
            # cycle (Bouali: RK4 gave lambda_1 = 0.000, the adaptive method 0.02-0.03): a
            # non-positive result is only accepted once the adaptive method agrees
            try:
                return _converged_spectrum(system, k, methods=("adaptive",))
            except ConvergenceError:
                return res
        return res
    except ConvergenceError as exc:
        if k is None or k <= 3 and k < system.dimension or "non-finite" not in str(exc):
            raise
    # the most contracting directions of a stiff system can fall below round-off between two
    # re-orthonormalisations (R_kk = 0): the leading exponents alone are still well defined
    return _converged_spectrum(system, min(3, system.dimension - 1))


def _converged_spectrum(system, k, methods=None):
    cfg = SETTINGS["lyapunov"]
    kind_cfg = dict(cfg[system.kind])
    scale = 1.0 if system.kind == "map" else system.period
    last = None
    failed_method = None
    noisy = []  # (method, opts, factor) of finite fixed-step runs that were too short
    best = None  # the longest finite estimate, kept with the error when none converges

    def run(method, opts):
        return lyapunov_spectrum_with_error(system, n_exponents=k, n_ics=cfg["n_ics"], seed=cfg["seed"],
                                            method=None if method == "etdrk4" else method, **opts)

    def target(res):
        return max(ACCEPT_REL * abs(float(res.mean[0])), ACCEPT_ABS / scale)

    def not_converged(res, after=""):
        return ConvergenceError(
            f"{system.name}: largest Lyapunov exponent {float(res.mean[0]):.4g} +- {float(res.stderr[0]):.2g} "
            f"did not converge (standard error above {ACCEPT_REL:.0%}{after}).")

    attempts = _attempts(system, kind_cfg)
    settled, settled_method = None, None  # a converged estimate a longer run may still sharpen
    for i, opts in enumerate(attempts):
        method = opts.pop("method", None)
        if methods is not None and method not in methods:
            continue
        if method is not None and method == failed_method:
            continue  # that integrator already went non-finite on this orbit
        if settled is not None and method != settled_method:
            return settled
        try:
            res = run(method, opts)
        except ConvergenceError as exc:
            if settled is not None:
                return settled
            last, failed_method = exc, method
            continue
        err = float(res.stderr[0])
        if err <= target(res):
            longer = any(a.get("method") == method and a["t_total"] > opts["t_total"] for a in attempts[i + 1:])
            if _clearly_positive(res) or not longer:
                return res
            # whether lambda_1 > 0 is what users look for first: a converged short run that
            # cannot tell (weakly chaotic SprottMore: 0.0011 +- 0.0007) is repeated at the long
            # length, whose estimate is kept if it converges too
            settled, settled_method = res, method
            continue
        if settled is not None:
            return settled
        last = not_converged(res)
        if math.isfinite(err):
            if best is None or _length(res) >= _length(best):
                best = res
            if method != "adaptive":
                # the standard error falls like 1/sqrt(length): the length that should reach the target
                noisy.append((method, opts, 1.3 * (err / target(res)) ** 2))
    if noisy:
        method, opts, factor = max(noisy, key=lambda x: x[1]["t_total"])  # the longest run
        if factor <= EXTEND_MAX_FACTOR:
            opts = dict(opts, t_total=opts["t_total"] * factor)
            res = run(method, opts)
            if float(res.stderr[0]) <= target(res):
                return res
            if math.isfinite(float(res.stderr[0])):
                best = res
            unit = "iterations" if system.kind == "map" else "periods"
            last = not_converged(res, f" after {opts['t_total']:.4g} {unit}")
    if last is None:
        raise ConvergenceError(f"{system.name}: no Lyapunov run applies (methods={methods}).")
    last.result = best
    raise last


def _length(res) -> float:
    return float(res.settings["averaging_time"])


def compute(name: str, params=None) -> dict:
    """Every recorded invariant of system ``name`` (a JSON-ready dict with provenance).

    An estimate that stays finite but does not reach the accepted standard error is
    returned with ``"lyapunov_converged": False`` and the reason in ``"lyapunov_note"``
    (its standard error says how uncertain it is); converged entries carry ``True``.

    Raises:
        ConvergenceError: the Lyapunov spectrum became non-finite (nothing should be written).
    """
    import chaoszoo as cz

    t0 = time.perf_counter()
    system = cz.get(name)
    if params:
        system = system.with_params(**params)
    try:
        res, note = _spectrum(system), None
    except ConvergenceError as exc:
        res, note = getattr(exc, "result", None), str(exc)
        if res is None:
            raise
    spec = [float(v) for v in res.mean]
    entry = {
        "lyapunov_spectrum": spec,
        "lyapunov_stderr": [float(v) for v in res.stderr],
        "max_lyapunov": spec[0],
        "lyapunov_converged": note is None,
        "kaplan_yorke_dimension": kaplan_yorke_dimension(res.mean),
        "pesin_entropy": pesin_entropy(res.mean),
        "params": dict(system.params),
        "settings": SETTINGS,
        "lyapunov_settings": {k: v for k, v in res.settings.items() if k != "seed"},
        "version": cz.__version__,
    }
    if note is not None:
        entry["lyapunov_note"] = note
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
            # a delay equation's state is its whole history: its sampled scalar output is
            # delay-embedded (an (n, 1) array would be taken as a one-dimensional state)
            state = values[:, 0] if system.kind == "delay" and values.shape[1] == 1 else values
            cd = correlation_dimension(state, max_points=SETTINGS["correlation_dimension"]["max_points"])
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
