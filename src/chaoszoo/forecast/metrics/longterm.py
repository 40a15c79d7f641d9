"""The long-term measures of the dynamical-systems-reconstruction literature, as published.

Two measures that the reconstruction literature (Brenner et al. 2022, Hess et al. 2023, Hemmer &
Durstewitz 2025) reports for every model, computed exactly as its published definition and the
authors' evaluation code (DurstewitzLab/DynaMix-julia, ``src/measures/``) state them, under their
own names so that they never mix with the benchmark's older attractor metrics
(:func:`~chaoszoo.forecast.metrics.kl_divergence` is a Gaussian-mixture Monte Carlo estimate,
:func:`~chaoszoo.forecast.metrics.hellinger_spectrum` smooths with 2 bins and drops the zero
frequency):

``d_stsp``
    The binned state-space divergence ``D_stsp``: the Kullback-Leibler divergence
    ``KL(p || q) = sum_k p_k log(p_k / q_k)`` between the occupation histograms of the target
    (``p``) and of the forecast (``q``), 30 bins per dimension, Laplace-smoothed.
``d_h``
    The power-spectrum distance ``D_H``: per variable, the Hellinger distance between the
    normalised, Gaussian-smoothed (sigma 20 frequency bins) power spectra, averaged over
    variables.

Both take ``(H, d)`` arrays, return a float (0 for identical trajectories) or raise
:class:`~chaoszoo.forecast.metrics._arrays.MetricUndefined` with the reason.

References:
    Brenner, M., Hess, F., Mikhaeil, J. M., Bereska, L., Monfared, Z., Kuo, P.-C. & Durstewitz, D.
    (2022). Tractable dendritic RNNs for reconstructing nonlinear dynamical systems. ICML, PMLR 162.
    Hess, F., Monfared, Z., Brenner, M. & Durstewitz, D. (2023). Generalized teacher forcing for
    learning chaotic dynamics. ICML, PMLR 202.
    Hemmer, C. J. & Durstewitz, D. (2025). True zero-shot inference of dynamical systems preserving
    long-term statistics. NeurIPS 2025 (arXiv:2505.13192): ``D_stsp`` with 30 bins per dimension,
    ``D_H`` with smoothing sigma 20 (the evaluation settings of ``settings/defaults.json`` of
    DurstewitzLab/DynaMix-julia: ``D_stsp_bins`` 30, ``PSE_smoothing`` 20).
"""

from __future__ import annotations

import math

import numpy as np

from chaoszoo.errors import InvalidArgumentError
from chaoszoo.forecast.metrics._arrays import MetricUndefined
from chaoszoo.forecast.metrics.attractor import _checked, _guarded

#: the long-term measures of the reconstruction literature, in table order
LONGTERM = ("d_stsp", "d_h")

#: bins per dimension of ``d_stsp`` (Hemmer & Durstewitz 2025)
STSP_BINS = 30
#: Laplace pseudo-count added to every bin of ``d_stsp`` (the authors' ``state_space_divergence``)
STSP_ALPHA = 1e-5
#: the bins span the target's range widened by this many of its standard deviations on each side
STSP_MARGIN = 0.1
#: Gaussian smoothing of the power spectra of ``d_h``, in frequency bins (Hemmer & Durstewitz 2025)
PSE_SIGMA = 20.0


def _positive_int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise InvalidArgumentError(f"{name} must be a positive integer; got {value!r}.")
    return int(value)


@_guarded
def d_stsp(y_true, y_pred, *, bins: int = STSP_BINS, alpha: float = STSP_ALPHA) -> float:
    """The binned state-space divergence ``D_stsp`` of the reconstruction literature.

    Both trajectories are binned on one grid of ``bins`` equal bins per dimension spanning the
    target's range widened by 0.1 of its standard deviation on each side (``[min - 0.1 sd,
    max + 0.1 sd]`` per variable, the authors' default binning); forecast states outside the
    grid are not counted. With ``n_k`` and ``m_k`` the counts of bin ``k`` (``K = bins^d`` bins,
    ``N`` and ``M`` states in the grid), the Laplace-smoothed occupation probabilities are
    ``p_k = (n_k + alpha) / (N + alpha K)`` and ``q_k = (m_k + alpha) / (M + alpha K)`` and

        ``D_stsp = KL(p || q) = sum_k p_k log(p_k / q_k)``   (nats).

    Every empty bin contributes the same term, so the sum runs over the occupied bins plus that
    term times the number of empty ones: any dimension works without a dense ``bins^d`` array.
    Missing when a target variable is constant (no grid) or no forecast state lies in the grid.
    ``alpha = 1e-5`` is the authors' default (``state_space_divergence`` of
    DurstewitzLab/DynaMix-julia, ``src/measures/stsp_divergence.jl``).
    """
    bins = _positive_int(bins, "bins")
    try:
        alpha = float(alpha)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"alpha must be a positive number; got {alpha!r}.") from None
    if not (math.isfinite(alpha) and alpha > 0):
        raise InvalidArgumentError(f"alpha must be a positive number; got {alpha!r}.")
    t, p = _checked(y_true, y_pred, 2, "a state distribution")
    sd = t.std(axis=0, ddof=1)
    if (sd == 0).any():
        raise MetricUndefined("constant target variable: no state-space grid")
    lo = t.min(axis=0) - STSP_MARGIN * sd
    hi = t.max(axis=0) + STSP_MARGIN * sd
    it, _ = _bin_index(t, lo, hi, bins)
    ip, inside = _bin_index(p, lo, hi, bins)
    ip = ip[inside]
    if not len(ip):
        raise MetricUndefined("no forecast state lies in the target's state-space grid")
    n_true, n_pred = len(it), len(ip)
    cells, codes = np.unique(np.concatenate([it, ip]), axis=0, return_inverse=True)
    codes = codes.ravel()
    n = np.bincount(codes[:n_true], minlength=len(cells)).astype(np.float64)
    m = np.bincount(codes[n_true:], minlength=len(cells)).astype(np.float64)
    total = bins ** t.shape[1]  # a Python integer: exact for any dimension
    empty = total - len(cells)
    den_p = n_true + alpha * float(total)
    den_q = n_pred + alpha * float(total)
    pk, qk = (n + alpha) / den_p, (m + alpha) / den_q
    kl = float(np.sum(pk * np.log(pk / qk)))
    if empty:
        p0, q0 = alpha / den_p, alpha / den_q
        kl += float(empty) * p0 * math.log(p0 / q0)
    return kl


def _bin_index(x: np.ndarray, lo: np.ndarray, hi: np.ndarray, bins: int):
    """Bin indices ``(n, d)`` of the rows of ``x`` on the grid, and which rows lie inside it
    (left-closed bins ``[e_k, e_{k+1})``, as StatsBase's histograms the authors use)."""
    u = (x - lo) / (hi - lo) * bins
    inside = np.all((u >= 0) & (u < bins), axis=1)
    idx = np.clip(np.floor(np.where(np.isfinite(u), u, 0.0)), 0, bins - 1).astype(np.int64)
    return idx, inside


@_guarded
def d_h(y_true, y_pred, *, sigma: float = PSE_SIGMA) -> float:
    """The power-spectrum distance ``D_H`` of the reconstruction literature: the Hellinger
    distance between smoothed power spectra, averaged over variables.

    Per variable: the series is standardised (z-score), its power spectrum is ``|rfft|^2`` (all
    ``H // 2 + 1`` frequencies), smoothed with a Gaussian kernel of standard deviation ``sigma``
    bins (``scipy.ndimage.gaussian_filter1d``: reflecting edges, kernel radius ``4 sigma``; 0:
    no smoothing), negative rounding residues set to 0, and normalised to sum 1 (``p`` for the
    target, ``q`` for the forecast);

        ``H(p, q) = sqrt(sum_f (sqrt(p_f) - sqrt(q_f))^2) / sqrt(2)``,

    0 for equal spectra, 1 for disjoint ones. As ``power_spectrum_error`` of
    DurstewitzLab/DynaMix-julia (``src/measures/pse.jl``; sigma 20 in the DynaMix evaluations).
    Missing when a variable of the target or of the forecast is constant.
    """
    try:
        sigma = float(sigma)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"sigma must be a non-negative number; got {sigma!r}.") from None
    if not (math.isfinite(sigma) and sigma >= 0):
        raise InvalidArgumentError(f"sigma must be a non-negative number; got {sigma!r}.")
    t, p = _checked(y_true, y_pred, 4, "a power spectrum")
    P = _smoothed_spectrum(t, sigma, "target")
    Q = _smoothed_spectrum(p, sigma, "forecast")
    h = np.sqrt(np.sum(np.square(np.sqrt(P) - np.sqrt(Q)), axis=0)) / math.sqrt(2.0)
    return float(np.mean(h))


def _smoothed_spectrum(x: np.ndarray, sigma: float, what: str) -> np.ndarray:
    sd = x.std(axis=0, ddof=1)
    if (sd == 0).any():
        raise MetricUndefined(f"constant {what} variable: power spectrum undefined")
    z = (x - x.mean(axis=0)) / sd
    S = np.square(np.abs(np.fft.rfft(z, axis=0)))
    if sigma > 0:
        from scipy.ndimage import gaussian_filter1d

        S = gaussian_filter1d(S, sigma, axis=0, mode="reflect", truncate=4.0)
        S[S < 0] = 0.0
    tot = S.sum(axis=0)
    if (tot <= 0).any():
        raise MetricUndefined(f"{what} has no power: power spectrum undefined")
    return S / tot
