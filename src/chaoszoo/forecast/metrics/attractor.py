"""Attractor-level metrics: does the forecast reproduce the system's long-term statistics?

Pointwise errors saturate after a few Lyapunov times; these compare distributions instead:
of states (:func:`kl_divergence`), of power over frequencies (:func:`hellinger_spectrum`,
:func:`spectral_divergence`, :func:`spectral_residual`) and invariants estimated from the
forecast (:func:`dimension_error`, :func:`lyapunov_error`, reusing :mod:`chaoszoo.analysis`).

Each takes ``(H, d)`` arrays and returns a float, or raises
:class:`~chaoszoo.forecast.metrics._arrays.MetricUndefined` with the reason (a forecast too
short, constant, or non-finite); :func:`~chaoszoo.forecast.metrics.compute` stores that as
missing. The only random one, :func:`kl_divergence`, takes a ``seed``.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from chaoszoo.errors import InvalidArgumentError
from chaoszoo.forecast.metrics._arrays import MetricUndefined, as_pair, positive_or_none

ATTRACTOR = ("kl_divergence", "hellinger_spectrum", "spectral_divergence", "spectral_residual",
             "dimension_error", "lyapunov_error")

#: fewest samples for the invariant estimators of chaoszoo.analysis (they need 100)
MIN_INVARIANT_LENGTH = 100


def _guarded(fn):
    """Floating-point overflow inside a metric (a forecast of enormous magnitude) makes the metric
    missing with that reason instead of a warning, an infinity or a NaN."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            v = fn(*args, **kwargs)
        if not math.isfinite(v):
            raise MetricUndefined(f"non-finite value of {fn.__name__} (the forecast's magnitude overflows float64)")
        return v
    return wrapper


def _checked(y_true, y_pred, min_length: int, what: str):
    t, p = as_pair(y_true, y_pred)
    if not np.isfinite(p).all():
        raise MetricUndefined("non-finite forecast (NaN or infinity)")
    if len(t) < min_length:
        raise MetricUndefined(f"forecast too short for {what}: {len(t)} steps, needs at least {min_length}")
    return t, p


# --------------------------------------------------------------------------- state space
@_guarded
def kl_divergence(y_true, y_pred, *, sigma: float = 1.0, n_samples: int = 1000, seed: int = 0) -> float:
    """Kullback-Leibler divergence ``KL(p_true || p_forecast)`` between the state distributions.

    Both trajectories are standardised with the target's mean and standard deviation per
    variable; each becomes a Gaussian mixture with one isotropic component
    ``N(x_t, sigma^2 I)`` per state, and ``KL = mean_k log(p(x_k) / q(x_k))`` over ``n_samples``
    Monte Carlo draws ``x_k ~ p`` (the state-space divergence ``D_stsp`` of Hess, Monfared,
    Brenner & Durstewitz 2023, ICML, "Generalized teacher forcing for learning chaotic
    dynamics"; ``sigma = 1`` and 1000 samples as dysts' ``estimate_kl_divergence``, settings
    from memory of the paper, unchecked). Deterministic for a given ``seed``; 0 for identical
    trajectories. Monte Carlo error makes small negative values possible.
    """
    t, p = _checked(y_true, y_pred, 2, "a state distribution")
    sigma = positive_or_none(sigma, "sigma")
    mu, sd = t.mean(axis=0), t.std(axis=0)
    if (sd == 0).any():
        raise MetricUndefined("constant target variable: state distribution cannot be standardised")
    zt, zp = (t - mu) / sd, (p - mu) / sd
    rng = np.random.default_rng(seed)
    comp = rng.integers(0, len(zt), size=int(n_samples))
    x = zt[comp] + sigma * rng.standard_normal((int(n_samples), zt.shape[1]))
    return float(np.mean(_log_mixture(x, zt, sigma) - _log_mixture(x, zp, sigma)))


def _log_mixture(x: np.ndarray, centres: np.ndarray, sigma: float) -> np.ndarray:
    """``log (1/n) sum_j N(x; c_j, sigma^2 I)`` for every row of ``x`` (log-sum-exp, no underflow)."""
    from scipy.special import logsumexp

    d2 = (np.square(x).sum(1)[:, None] + np.square(centres).sum(1)[None, :] - 2.0 * x @ centres.T)
    d2 = np.maximum(d2, 0.0)
    d = x.shape[1]
    return (logsumexp(-0.5 * d2 / sigma**2, axis=1) - math.log(len(centres))
            - 0.5 * d * math.log(2 * math.pi * sigma**2))


# --------------------------------------------------------------------------- spectra
def _power(a: np.ndarray) -> np.ndarray:
    """One-sided periodogram of each column without the zero frequency: ``(n_freq, d)``."""
    a = a - a.mean(axis=0)
    return np.square(np.abs(np.fft.rfft(a, axis=0)))[1:]


@_guarded
def hellinger_spectrum(y_true, y_pred, *, smoothing: float = 2.0) -> float:
    """Hellinger distance between the power spectra, averaged over variables (after Mikhaeil,
    Monfared & Durstewitz 2022, NeurIPS, "On the difficulty of learning chaotic dynamics with RNNs").

    Per variable: the periodogram of the series (zero frequency removed), smoothed with a
    Gaussian kernel of ``smoothing`` frequency bins (0: none), normalised to sum 1 (``p``, ``q``);
    ``H = sqrt(1 - sum_f sqrt(p_f q_f))``, 0 for identical spectra, 1 for disjoint ones.
    """
    t, p = _checked(y_true, y_pred, 4, "a power spectrum")
    St, Sp = _power(t), _power(p)
    if smoothing and smoothing > 0:
        from scipy.ndimage import gaussian_filter1d

        St = gaussian_filter1d(St, float(smoothing), axis=0, mode="nearest")
        Sp = gaussian_filter1d(Sp, float(smoothing), axis=0, mode="nearest")
    Pt, Pp = _normalised(St, Sp)
    bc = np.sqrt(Pt * Pp).sum(axis=0)
    return float(np.mean(np.sqrt(np.clip(1.0 - bc, 0.0, None))))


def _normalised(St, Sp):
    tot_t, tot_p = St.sum(axis=0), Sp.sum(axis=0)
    if (tot_t <= 0).any():
        raise MetricUndefined("constant target variable: power spectrum undefined")
    if (tot_p <= 0).any():
        raise MetricUndefined("constant forecast variable: power spectrum undefined")
    return St / tot_t, Sp / tot_p


def _band(y_true, y_pred, percentile: float):
    t, p = _checked(y_true, y_pred, 8, "a power spectrum")
    if not 0.0 <= percentile < 1.0:
        raise InvalidArgumentError(f"percentile must be in [0, 1); got {percentile!r}.")
    St, Sp = _power(t), _power(p)
    k0 = int(len(St) * percentile)
    return _normalised(St[k0:], Sp[k0:])


@_guarded
def spectral_divergence(y_true, y_pred, *, percentile: float = 0.9) -> float:
    """ChaosBench's spectral divergence (Nathaniel et al. 2024, "ChaosBench: a multi-channel,
    physics-based benchmark for subseasonal-to-seasonal climate prediction"), for time series:
    ``SpecDiv = sum_f S(f) log(S(f) / S_hat(f))``, the KL divergence between the target's and the
    forecast's power spectra over the highest frequencies (the bins above the ``percentile``
    quantile of frequency; ChaosBench's 0.9 by default), each normalised to sum 1; averaged over
    variables. It penalises forecasts that lose (blur) or invent high-frequency power.
    Undefined (infinite) when the forecast has no power where the target has some.
    """
    Pt, Pp = _band(y_true, y_pred, percentile)
    pos = Pt > 0
    if (pos & (Pp <= 0)).any():
        raise MetricUndefined("forecast has no power at a frequency where the target has some: divergence infinite")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(pos, Pt * np.log(np.where(pos, Pt, 1.0) / np.where(pos, Pp, 1.0)), 0.0)
    return float(np.mean(terms.sum(axis=0)))


@_guarded
def spectral_residual(y_true, y_pred, *, percentile: float = 0.9) -> float:
    """ChaosBench's spectral residual (Nathaniel et al. 2024): the root mean square difference
    ``sqrt(mean_f (S_hat(f) - S(f))^2)`` of the normalised power spectra over the same
    high-frequency band as :func:`spectral_divergence`, averaged over variables."""
    Pt, Pp = _band(y_true, y_pred, percentile)
    return float(np.mean(np.sqrt(np.square(Pp - Pt).mean(axis=0))))


# --------------------------------------------------------------------------- invariants
def _state_args(t: np.ndarray):
    """Delay and dimension for a one-variable series, chosen on the target (and reused for the
    forecast, so both are embedded alike); ``{}`` for a multivariate state."""
    if t.shape[1] > 1:
        return t, {}
    from chaoszoo.analysis import embedding_delay, embedding_dimension

    x = t[:, 0]
    delay = embedding_delay(x)
    return x, {"delay": delay, "dimension": embedding_dimension(x, delay)}


def _estimate(fn, what, t, p, **kw):
    import warnings

    from chaoszoo.errors import ChaoszooError

    try:
        with warnings.catch_warnings():
            # a degenerate forecast (huge, collapsed) can warn inside the estimator; the result
            # is checked for finiteness below and reported missing, so the warning adds nothing
            warnings.simplefilter("ignore", RuntimeWarning)
            xt, emb = _state_args(t)
            xp = p if t.shape[1] > 1 else p[:, 0]
            a = fn(xt, **emb, **kw).value
            b = fn(xp, **emb, **kw).value
    except ChaoszooError as exc:
        raise MetricUndefined(f"{what} could not be estimated: {exc}") from None
    if not (math.isfinite(a) and math.isfinite(b)):
        raise MetricUndefined(f"{what} estimate is not finite")
    return a, b


@_guarded
def dimension_error(y_true, y_pred) -> float:
    """``|D2(forecast) - D2(target)|``: the error of the correlation dimension
    (Grassberger & Procaccia 1983, :func:`chaoszoo.analysis.correlation_dimension`) of the
    forecast's states, as the attractor-geometry check of Zhang & Gilpin (2025). One-variable
    series are delay-embedded with the delay and dimension chosen on the target."""
    from chaoszoo.analysis import correlation_dimension

    t, p = _checked(y_true, y_pred, MIN_INVARIANT_LENGTH, "a correlation dimension")
    a, b = _estimate(correlation_dimension, "correlation dimension", t, p)
    return abs(b - a)


@_guarded
def lyapunov_error(y_true, y_pred, dt=None) -> float:
    """``|lambda1(forecast) - lambda1(target)|``: the error of the largest Lyapunov exponent
    estimated from each series by Rosenstein's method (:func:`chaoszoo.analysis.lyapunov_from_series`),
    per unit of time (``dt`` is the sampling step). One-variable series are delay-embedded
    with the delay and dimension chosen on the target."""
    from chaoszoo.analysis import lyapunov_from_series

    dt = positive_or_none(dt, "dt")
    if dt is None:
        raise MetricUndefined("needs dt (the sampling step) for a Lyapunov exponent per unit time")
    t, p = _checked(y_true, y_pred, MIN_INVARIANT_LENGTH, "a Lyapunov exponent")
    a, b = _estimate(lyapunov_from_series, "largest Lyapunov exponent", t, p, dt=dt)
    return abs(b - a)
