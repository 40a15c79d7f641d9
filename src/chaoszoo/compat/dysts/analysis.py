"""``dysts.analysis`` names over :mod:`chaoszoo.analysis`.

Lyapunov exponents of a model come from its equations (tangent dynamics with QR, chaoszoo's
:func:`~chaoszoo.analysis.lyapunov_spectrum`) rather than from dysts's finite-difference
Jacobian along a trajectory; data-driven estimators (Rosenstein, Grassberger-Procaccia, the
0-1 test) are chaoszoo's, with their automatic fit windows. Arguments that only tuned dysts's
own procedures are accepted and ignored where the docstring says so.
"""

from __future__ import annotations

import numpy as np

from chaoszoo import analysis as _an
from chaoszoo.errors import InvalidArgumentError

__all__ = [
    "calculate_lyapunov_exponent", "compute_timestep", "find_lyapunov_exponents", "gp_dim",
    "kaplan_yorke_dimension", "logarithmic_n", "max_lyapunov_exponent", "max_lyapunov_exponent_rosenstein",
    "mutual_information", "sample_initial_conditions", "zero_one_test",
]


def logarithmic_n(min_n: int, max_n: int, factor: float) -> list[int]:
    """Integers from ``min_n`` below ``max_n``, each about ``factor`` times the previous (no repeats)."""
    if factor <= 1 or min_n < 1:
        raise InvalidArgumentError("logarithmic_n needs min_n >= 1 and factor > 1.")
    out, x = [], float(min_n)
    while x < max_n:
        if not out or int(x) != out[-1]:
            out.append(int(x))
        x *= factor
    return out


def sample_initial_conditions(model, points_to_sample: int, traj_length: int = 1000, pts_per_period: int = 30,
                              random_state=None) -> np.ndarray:
    """``points_to_sample`` distinct states drawn from a trajectory of ``traj_length`` samples."""
    traj = model.make_trajectory(traj_length, resample=True, pts_per_period=pts_per_period, postprocess=False)
    if points_to_sample > len(traj):
        raise InvalidArgumentError(f"points_to_sample ({points_to_sample}) exceeds traj_length ({traj_length}).")
    rng = np.random.default_rng(random_state)
    return traj[rng.choice(len(traj), points_to_sample, replace=False)]


def compute_timestep(system, total_length: int = 40000, transient_fraction: float = 0.2, num_iters: int = 20,
                     pts_per_period: int = 1000, timescale: str = "Fourier") -> tuple[float, float]:
    """``(dt, period)``: the dominant period of the model's trajectory (chaoszoo's
    :func:`~chaoszoo.analysis.dominant_period`, with a surrogate significance test, on 50 periods
    at 64 points per period after a transient) and ``dt = period / pts_per_period``.
    ``total_length`` and ``num_iters`` (dysts refined its estimate iteratively) are ignored."""
    n = 50 * 64
    t, x = system.make_trajectory(n, resample=True, pts_per_period=64, return_times=True, timescale=timescale)
    x = np.asarray(x)
    x = (x[:, None] if x.ndim == 1 else x)[int(transient_fraction * n):]
    est = _an.dominant_period(x, dt=float(t[1] - t[0]))
    period = float(est.period)
    if not np.isfinite(period) or period <= 0:
        raise InvalidArgumentError(f"{system.name}: no dominant period could be found in its trajectory.")
    return period / pts_per_period, period


def find_lyapunov_exponents(model, traj_length: int = 3000, pts_per_period: int = 500, tol: float = 1e-8,
                            min_tpts: int = 10, **kwargs) -> np.ndarray:
    """The Lyapunov spectrum of ``model`` (descending) from its equations, at its current
    parameters. ``traj_length / pts_per_period`` periods are averaged (at least 100)."""
    periods = max(100.0, traj_length / pts_per_period)
    sys = model.system
    return np.asarray(_an.lyapunov_spectrum(sys, t_total=periods * sys.period))


def max_lyapunov_exponent(model, max_walltime=None, rtol: float = 1e-3, atol: float = 1e-10, n_samples: int = 1000,
                          traj_length: int = 5000, **kwargs) -> float:
    """The largest Lyapunov exponent of ``model`` from its equations."""
    return float(_an.max_lyapunov(model.system))


def kaplan_yorke_dimension(spectrum0) -> float:
    """Kaplan-Yorke dimension of a Lyapunov spectrum (any order)."""
    return float(_an.kaplan_yorke_dimension(np.sort(np.asarray(spectrum0, dtype=np.float64))[::-1]))


def max_lyapunov_exponent_rosenstein(data, lag=None, min_tsep=None, tau: float = 1, trajectory_len: int = 64,
                                     fit: str = "RANSAC", fit_offset: int = 0) -> float:
    """Largest Lyapunov exponent of a series by Rosenstein's method (per unit ``tau``, the
    sampling step); ``lag`` is the embedding delay and ``min_tsep`` the Theiler window (both
    automatic by default). ``fit``/``fit_offset`` are ignored: the linear region is found
    automatically."""
    est = _an.lyapunov_from_series(data, dt=tau, method="rosenstein", delay=lag, theiler=min_tsep,
                                   horizon=trajectory_len)
    return float(est.value)


def calculate_lyapunov_exponent(traj1, traj2, dt: float = 1.0) -> float:
    """Separation rate of two nearby trajectories: slope of ``log |traj1 - traj2|`` against time."""
    d = np.linalg.norm(np.atleast_2d(np.asarray(traj1).T).T - np.atleast_2d(np.asarray(traj2).T).T, axis=-1)
    t = np.arange(len(d)) * dt
    ok = d > 0
    if ok.sum() < 2:
        raise InvalidArgumentError("the two trajectories coincide; no separation rate.")
    return float(np.polyfit(t[ok], np.log(d[ok]), 1)[0])


def gp_dim(data, y_data=None, rvals=None, nmax: int = 100) -> float:
    """Correlation dimension (Grassberger-Procaccia) of ``data`` ``(n, d)`` or ``(n,)``.
    ``y_data``, ``rvals``, ``nmax`` are ignored (the scaling range is chosen automatically)."""
    if y_data is not None:
        raise InvalidArgumentError("gp_dim(y_data=...) (a cross-correlation sum) is not supported.")
    return float(_an.correlation_dimension(np.asarray(data, dtype=np.float64)).value)


def zero_one_test(phi, c=None, random_state=0) -> float:
    """Gottwald-Melbourne 0-1 test: about 1 for chaos, 0 for regular motion (median over random
    ``c``; a fixed ``c`` is not supported and raises)."""
    if c is not None:
        raise InvalidArgumentError("zero_one_test(c=...) is not supported: the median over random c is used.")
    return float(_an.zero_one_test(np.asarray(phi, dtype=np.float64), seed=random_state))


def mutual_information(x, y, bins: int = 64) -> float:
    """Mutual information (nats) of two series from their 2-D histogram with ``bins`` bins."""
    pxy, _, _ = np.histogram2d(np.ravel(x), np.ravel(y), bins=bins)
    pxy /= pxy.sum()
    px, py = pxy.sum(axis=1, keepdims=True), pxy.sum(axis=0, keepdims=True)
    nz = pxy > 0
    return float(np.sum(pxy[nz] * np.log(pxy[nz] / (px @ py)[nz])))
