"""Invariants estimated from data: plain arrays ``(n,)`` or ``(n, d)`` in, numbers out.

No dependency beyond NumPy/SciPy: neighbour searches use ``scipy.spatial.cKDTree``.
(nolds and antropy implement some of these; neither is installed here, and each estimator
below is short, vectorised and checked against analytic results in the tests.)

* :func:`lyapunov_from_series` - largest exponent from the mean log-divergence of nearest
  neighbours: Rosenstein, Collins & De Luca (1993) or Kantz (1994).
* :func:`correlation_dimension` - Grassberger & Procaccia (1983) with an automatic scaling
  range: the window of ``log C(r)`` vs ``log r`` in which the local slope is flattest.
* :func:`sample_entropy` (Richman & Moorman 2000), :func:`multiscale_entropy` (Costa,
  Goldberger & Peng 2002), :func:`permutation_entropy` (Bandt & Pompe 2002).
* :func:`dominant_period` - the peak of the Welch power spectrum, with a surrogate test.
* :func:`zero_one_test` - Gottwald & Melbourne's 0-1 test for chaos (2004, 2009).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from chaoszoo.analysis._validate import pos_float, pos_int, seed_ok, series
from chaoszoo.analysis.embedding import delay_embedding, embed, embedding_delay, embedding_dimension  # noqa: F401 (re-export)
from chaoszoo.errors import ConvergenceError, InvalidArgumentError


@dataclass(frozen=True)
class Estimate:
    """A scalar estimate with its uncertainty and the choices that produced it."""

    value: float
    stderr: float
    details: dict

    def __float__(self) -> float:
        return float(self.value)


def _state(x, delay, dimension, min_length):
    """Validated state vectors: an ``(n, d)`` input is used as is, an ``(n,)`` input is embedded."""
    arr = series(x, min_length=min_length)
    if np.ndim(x) == 2:  # an explicit (n, 1) array is a one-dimensional state, not a series to embed
        arr = arr.reshape(len(arr), -1)
    if arr.ndim == 2:
        if delay is not None or dimension is not None:
            raise InvalidArgumentError("delay and dimension apply to a scalar series; an (n, d) array is used as the state directly.")
        return arr, {"embedded": False}
    delay = embedding_delay(arr) if delay is None else pos_int(delay, "delay")
    dimension = embedding_dimension(arr, delay) if dimension is None else pos_int(dimension, "dimension")
    return embed(arr, delay, dimension), {"embedded": True, "delay": delay, "dimension": dimension}


def _mean_period_samples(Y: np.ndarray) -> float:
    """Mean period (in samples) from the power-weighted mean frequency of the first coordinate."""
    v = Y[:, 0] - Y[:, 0].mean()
    P = np.abs(np.fft.rfft(v)) ** 2
    f = np.fft.rfftfreq(len(v))
    P[0] = 0
    fm = float(np.sum(f * P) / np.sum(P)) if P.sum() > 0 else 0.0
    return 1.0 / fm if fm > 0 else 1.0


# --------------------------------------------------------------------------- Lyapunov
def lyapunov_from_series(x, dt: float = 1.0, method: str = "rosenstein", delay: int | None = None,
                         dimension: int | None = None, theiler: int | None = None,
                         horizon: int | None = None, fit_range: tuple[int, int] | None = None,
                         max_points: int = 4000) -> Estimate:
    """The largest Lyapunov exponent from a time series.

    For each reference point ``i`` the divergence from its nearest neighbour ``j`` (not
    within ``theiler`` samples in time) is followed: Rosenstein averages
    ``ln |y_{i+k} - y_{j+k}|`` over pairs; Kantz averages ``ln`` of the mean distance to all
    neighbours within a radius. The exponent is the slope of ``S(k)`` against ``k dt`` over the
    linear part of the curve.

    Arguments:
        x: ``(n,)`` series (embedded automatically) or ``(n, d)`` states.
        dt: sampling interval (the result is per unit of time).
        method: ``"rosenstein"`` or ``"kantz"``.
        theiler: temporal exclusion window in samples (default: one mean period).
        horizon: number of steps followed (default: two mean periods, at least 20).
        fit_range: ``(k0, k1)`` fixed fit window; default automatic (the stretch of ``S``
            with the most constant slope before 70 % of its rise to saturation).
        max_points: number of reference points (a uniform subsample of longer series).

    Returns:
        :class:`Estimate` with ``value`` (the exponent), ``stderr`` (slope standard error)
        and ``details`` (``curve``, ``fit_range``, embedding).
    """
    dt = pos_float(dt, "dt")
    Y, info = _state(x, delay, dimension, 100)
    n = len(Y)
    period = _mean_period_samples(Y)
    theiler = int(math.ceil(period)) if theiler is None else pos_int(theiler, "theiler", 0)
    horizon = max(20, int(2 * period)) if horizon is None else pos_int(horizon, "horizon", 2)
    horizon = min(horizon, n // 4)
    if horizon < 5:
        raise InvalidArgumentError(f"series of {n} states is too short to follow divergence; give a longer series.")
    m = n - horizon
    ref = np.arange(m) if m <= max_points else np.linspace(0, m - 1, pos_int(max_points, "max_points", 10)).astype(np.int64)
    tree = cKDTree(Y[:m])
    if method == "rosenstein":
        k_nb = min(m, 2 * theiler + 3)
        dist, nb = tree.query(Y[ref], k=k_nb)
        valid = (np.abs(nb - ref[:, None]) > theiler) & (dist > 0)
        has = valid.any(axis=1)
        if not has.any():
            raise InvalidArgumentError("no neighbours outside the Theiler window; use a longer series or a smaller theiler.")
        first = np.argmax(valid, axis=1)
        ri, nj = ref[has], nb[has, first[has]]
        ks = np.arange(horizon)
        d = np.linalg.norm(Y[ri[:, None] + ks] - Y[nj[:, None] + ks], axis=2)
        with np.errstate(divide="ignore"):
            logd = np.log(d)
        logd[~np.isfinite(logd)] = np.nan
        S = np.nanmean(logd, axis=0)
    elif method == "kantz":
        scale = np.std(Y, axis=0).mean()
        eps = 0.02 * scale
        S = np.zeros(horizon)
        count = 0
        for _ in range(6):
            neigh = tree.query_ball_point(Y[ref], r=eps)
            acc = np.zeros(horizon)
            count = 0
            for i, lst in zip(ref, neigh):
                js = np.asarray([j for j in lst if abs(j - i) > theiler], dtype=np.int64)
                if len(js) == 0:
                    continue
                ks = np.arange(horizon)
                dd = np.linalg.norm(Y[js[:, None] + ks] - Y[i + ks], axis=2).mean(axis=0)
                acc += np.log(np.maximum(dd, 1e-300))
                count += 1
            if count >= max(20, len(ref) // 20):
                S = acc / count
                break
            eps *= 2
        if count == 0:
            raise ConvergenceError("Kantz estimate: no neighbours found within any radius; use a longer series.")
    else:
        raise InvalidArgumentError(f"method must be 'rosenstein' or 'kantz'; got {method!r}.")
    if fit_range is None:
        k0, k1 = _linear_part(S, min_width=int(period))
    else:
        k0, k1 = (pos_int(v, "fit_range", 0) for v in fit_range)
        if not 0 <= k0 < k1 - 1 < horizon:
            raise InvalidArgumentError(f"fit_range must satisfy 0 <= k0 < k1 - 1 < {horizon}; got {fit_range!r}.")
    ks = np.arange(k0, k1) * dt
    A = np.vstack([ks, np.ones_like(ks)]).T
    coef, res, *_ = np.linalg.lstsq(A, S[k0:k1], rcond=None)
    resid = S[k0:k1] - A @ coef
    dof = max(1, len(ks) - 2)
    se = math.sqrt(float(resid @ resid) / dof / float(((ks - ks.mean()) ** 2).sum()))
    return Estimate(float(coef[0]), se, dict(curve=S, fit_range=(k0, k1), theiler=theiler, method=method, **info))


def _linear_part(S: np.ndarray, min_width: int = 5) -> tuple[int, int]:
    """The fit window of a divergence curve: before 70 % of the rise to the plateau, the window
    (a third of that stretch, at least ``min_width`` points - one mean period, so that
    oscillations of the local slope average out) whose local slopes vary least, which skips
    the initial fast alignment of the separation with the unstable direction."""
    S0, Smax = S[0], np.max(S)
    top = S0 + 0.7 * (Smax - S0)
    above = np.nonzero(S >= top)[0]
    end = int(above[0]) + 1 if len(above) else len(S)
    end = max(end, 6)
    w = min(max(5, min_width, end // 3), len(S))
    end = max(end, w)
    g = np.gradient(S[:end])
    best, best_score = (0, end), np.inf
    for a in range(0, max(1, end - w + 1)):
        seg = g[a:a + w]
        if np.mean(seg) <= 0:
            continue
        score = np.std(seg) / np.mean(seg)
        if score < best_score:
            best_score, best = score, (a, a + w)
    return best


# --------------------------------------------------------------------------- dimension
def correlation_dimension(x, delay: int | None = None, dimension: int | None = None,
                          theiler: int | None = None, max_points: int = 3000, n_radii: int = 40,
                          min_decades: float = 0.6) -> Estimate:
    """The correlation dimension by the Grassberger-Procaccia algorithm.

    The correlation sum ``C(r) = #{pairs (i, j), |i - j| > w : |y_i - y_j| < r} / #pairs``
    scales as ``r^{D_2}`` for small ``r``. ``C`` is evaluated on ``n_radii`` log-spaced radii
    between the radius holding 100 pairs and the radius where ``C = 0.2``; every window at
    least ``min_decades`` wide is fitted, and the window whose local slopes vary least
    gives ``D_2`` (least-squares slope) and its uncertainty (standard deviation of the local
    slopes in the window).

    Arguments:
        x: ``(n,)`` series (embedded) or ``(n, d)`` states.
        theiler: temporal exclusion ``w`` in samples (default: one mean period, up to n/10).
        max_points: points used (a uniform subsample), so at most ``max_points^2 / 2`` pairs.

    Returns:
        :class:`Estimate` (value, stderr, details with ``radii``, ``C``, ``range``).

    Raises:
        InvalidArgumentError: bad input; ConvergenceError: no scaling range could be found.
    """
    from scipy.spatial.distance import pdist

    Y, info = _state(x, delay, dimension, 100)
    n = len(Y)
    idx = np.arange(n) if n <= max_points else np.linspace(0, n - 1, pos_int(max_points, "max_points", 50)).astype(np.int64)
    P = Y[idx]
    w = min(int(math.ceil(_mean_period_samples(Y))), n // 10) if theiler is None else pos_int(theiler, "theiler", 0)
    d_all = np.sort(pdist(P))
    # pairs closer than w in time, subtracted from the counts
    stride = max(1, int(np.median(np.diff(idx)))) if len(idx) > 1 else 1
    lags = range(1, w // stride + 1)
    near = np.sort(np.concatenate([np.linalg.norm(P[l:] - P[:-l], axis=1) for l in lags])) if len(lags) else np.zeros(0)
    total = len(d_all) - len(near)
    if total < 1000:
        raise InvalidArgumentError(f"too few point pairs ({total}) for a correlation sum; give a longer series.")

    def C(r):
        return (np.searchsorted(d_all, r) - np.searchsorted(near, r)) / total

    net = np.arange(1, len(d_all) + 1) - np.searchsorted(near, d_all, side="right")
    first = np.nonzero((net >= 100) & (d_all > 0))[0]
    if not len(first):
        raise InvalidArgumentError("too few distinct point pairs for a correlation sum; give a longer series.")
    r_lo = d_all[first[0]]
    r_hi = np.quantile(d_all, 0.2)
    if not r_hi > r_lo * 1.5:
        raise ConvergenceError("correlation sum spans too small a range of radii; give a longer series.")
    radii = np.geomspace(r_lo, r_hi, pos_int(n_radii, "n_radii", 8))
    Cr = np.array([C(r) for r in radii])
    ok = Cr > 0
    lr, lc = np.log10(radii[ok]), np.log10(Cr[ok])
    slopes = np.gradient(lc, lr)
    step = lr[1] - lr[0]
    wmin = max(4, int(math.ceil(min_decades / step)))
    if len(lr) < wmin:
        raise ConvergenceError("not enough radii for a scaling range; lower min_decades or give a longer series.")
    best = None
    for a in range(0, len(lr) - wmin + 1):
        s = slopes[a:a + wmin]
        score = np.std(s)
        if best is None or score < best[0]:
            best = (score, a)
    _, a = best
    b = a + wmin
    # extend the window while the local slope stays within 2 standard deviations + 3 %
    centre = np.median(slopes[a:b])
    tol = 2 * best[0] + 0.03 * abs(centre)
    while a > 0 and abs(slopes[a - 1] - centre) <= tol:
        a -= 1
    while b < len(lr) and abs(slopes[b] - centre) <= tol:
        b += 1
    D = float(np.polyfit(lr[a:b], lc[a:b], 1)[0])
    err = float(np.std(slopes[a:b]))
    return Estimate(D, err, dict(radii=radii[ok], C=Cr[ok], range=(float(10 ** lr[a]), float(10 ** lr[b - 1])),
                                 theiler=w, n_points=len(P), **info))


# --------------------------------------------------------------------------- entropies
def _scalar(x, name="x", min_length=10):
    return series(x, name=name, min_length=min_length, allow_2d=False)


def _count_pairs(T: np.ndarray, r: float) -> int:
    """Number of unordered pairs of distinct rows within Chebyshev distance ``r``."""
    tree = cKDTree(T)
    return int((tree.count_neighbors(tree, r, p=np.inf) - len(T)) // 2)


def sample_entropy(x, order: int = 2, r: float | None = None, tolerance: str = "relative") -> float:
    """Sample entropy ``SampEn(m, r) = -ln(A / B)``.

    ``B`` counts pairs of length-``m`` templates within Chebyshev distance ``r``, ``A`` the
    pairs that still match at length ``m + 1`` (self-matches excluded; ``n - m`` templates
    for both). ``r`` defaults to 0.2 of the standard deviation (``tolerance="relative"``
    multiplies a given ``r`` by the standard deviation; ``"absolute"`` uses it as is).

    Raises:
        InvalidArgumentError: bad input; ConvergenceError: no matches (``B = 0`` or ``A = 0``).
    """
    x = _scalar(x, min_length=order + 10)
    m = pos_int(order, "order")
    r = 0.2 if r is None else pos_float(r, "r")
    if tolerance == "relative":
        r = r * float(np.std(x))
    elif tolerance != "absolute":
        raise InvalidArgumentError(f"tolerance must be 'relative' or 'absolute'; got {tolerance!r}.")
    n = len(x) - m
    B = _count_pairs(embed(x, 1, m)[:n], r)
    A = _count_pairs(embed(x, 1, m + 1)[:n], r)
    if A == 0 or B == 0:
        raise ConvergenceError(f"sample entropy undefined: no template matches (A={A}, B={B}); use a larger r or a longer series.")
    return float(-math.log(A / B))


def multiscale_entropy(x, scales=10, order: int = 2, r: float = 0.15) -> np.ndarray:
    """Sample entropy of the coarse-grained series at scales ``1..scales`` (Costa et al. 2002).

    The coarse-grained series at scale ``s`` averages non-overlapping windows of ``s``
    samples; the tolerance is ``r`` times the standard deviation of the *original* series at
    every scale. ``scales`` may be an int (``1..scales``) or a sequence of scales.

    Returns:
        ``(len(scales),)`` sample entropies (NaN where no matches occur).
    """
    x = _scalar(x, min_length=order + 10)
    scale_list = list(range(1, pos_int(scales, "scales") + 1)) if np.ndim(scales) == 0 else [pos_int(s, "scales") for s in scales]
    tol = pos_float(r, "r") * float(np.std(x))
    out = []
    for s in scale_list:
        k = len(x) // s
        if k < order + 10:
            raise InvalidArgumentError(f"series of {len(x)} samples is too short for scale {s}; use fewer scales or more data.")
        cg = x[: k * s].reshape(k, s).mean(axis=1)
        try:
            out.append(sample_entropy(cg, order, tol, tolerance="absolute"))
        except (ConvergenceError, InvalidArgumentError):
            out.append(float("nan"))
    return np.asarray(out)


def permutation_entropy(x, order: int = 3, delay: int = 1, normalize: bool = True) -> float:
    """Permutation entropy: Shannon entropy of the ordinal patterns of ``order`` samples.

    Returns ``H / ln(order!)`` when ``normalize`` (0 for a monotone series, 1 for i.i.d. noise).
    """
    x = _scalar(x, min_length=2)
    order = pos_int(order, "order", 2)
    delay = pos_int(delay, "delay")
    Y = embed(x, delay, order)
    patterns = np.argsort(Y, axis=1, kind="stable")
    codes = patterns @ (order ** np.arange(order))
    _, counts = np.unique(codes, return_counts=True)
    p = counts / counts.sum()
    H = float(-np.sum(p * np.log(p)))
    return H / math.log(math.factorial(order)) if normalize else H


# --------------------------------------------------------------------------- period
@dataclass(frozen=True)
class PeriodEstimate:
    """Dominant period of a series and its significance.

    Attributes:
        period: ``1 / f_peak`` in units of ``dt``.
        frequency: ``f_peak``.
        power_fraction: share of the spectral power within one bin of the peak.
        p_value: Monte-Carlo p-value of the peak against red-noise surrogates.
    """

    period: float
    frequency: float
    power_fraction: float
    p_value: float

    def __float__(self) -> float:
        return float(self.period)


def _welch(V: np.ndarray, dt: float, nperseg: int):
    """Welch spectra of the columns of ``V``: ``(f, P (n_freq, n_cols))``."""
    from scipy.signal import welch

    return welch(V, fs=1.0 / dt, nperseg=nperseg, axis=0, detrend="constant")


def _refine(f, P, i):
    """Parabolic refinement (in log power) of a spectral peak at bin ``i``."""
    if 1 < i < len(P) - 1 and P[i - 1] > 0 and P[i + 1] > 0 and P[i] > 0:
        a, b, c = np.log(P[i - 1]), np.log(P[i]), np.log(P[i + 1])
        den = a - 2 * b + c
        if den < 0:
            return float(f[i] + 0.5 * (a - c) / den * (f[1] - f[0]))
    return float(f[i])


def _red_background(phi: np.ndarray, f: np.ndarray, dt: float, P: np.ndarray) -> np.ndarray:
    """AR(1) spectral shapes ``1 / (1 + phi^2 - 2 phi cos(2 pi f dt))`` scaled to the power of ``P``."""
    shape = 1.0 / (1 + phi[None, :] ** 2 - 2 * phi[None, :] * np.cos(2 * np.pi * f[:, None] * dt))
    return shape * (P[1:].sum(axis=0) / shape[1:].sum(axis=0))[None, :]


def dominant_period(values, dt: float = 1.0, n_surrogates: int = 99, seed: int | None = None,
                    nperseg: int | None = None) -> PeriodEstimate:
    """The dominant period: the highest peak of the Welch power spectrum (zero frequency excluded).

    For ``(n, d)`` input the spectra of the standardised components are summed. Significance
    is tested against red noise (Schulz & Mudelsee 2002): each component is modelled as an
    AR(1) process with its lag-1 autocorrelation ``phi``; the statistic is the largest ratio
    of the summed spectrum to the summed AR(1) background, and ``n_surrogates`` AR(1)
    surrogate series give its null distribution. Phase-randomised (Fourier) surrogates are
    not used here because they reproduce the periodogram exactly and so cannot test a peak;
    they test nonlinearity instead.

    Arguments:
        values: ``(n,)`` or ``(n, d)`` samples at spacing ``dt``.
        n_surrogates: surrogates for the p-value (0 skips the test; ``p_value`` is then NaN).
        nperseg: Welch segment length (default ``max(256, n // 4)``).

    Raises:
        InvalidArgumentError: bad input (empty, constant, NaN, shorter than 16 samples).
    """
    from scipy.signal import lfilter

    v = series(values, name="values", min_length=16)
    dt = pos_float(dt, "dt")
    seed_ok(seed)
    V = v if v.ndim == 2 else v[:, None]
    V = V[:, np.ptp(V, axis=0) > 0]
    V = (V - V.mean(0)) / V.std(0)
    n, d = V.shape
    nperseg = min(n, max(256, n // 4)) if nperseg is None else min(n, pos_int(nperseg, "nperseg", 8))
    f, P = _welch(V, dt, nperseg)
    total = P.sum(axis=1)
    i = 1 + int(np.argmax(total[1:]))
    frac = float(total[max(1, i - 1): i + 2].sum() / total[1:].sum())
    fpk = _refine(f, total, i)
    p_value = float("nan")
    n_surrogates = 0 if not n_surrogates else pos_int(n_surrogates, "n_surrogates")
    if n_surrogates:
        phi = np.clip([np.corrcoef(V[:-1, j], V[1:, j])[0, 1] for j in range(d)], -0.9999, 0.9999)
        bg = _red_background(phi, f, dt, P).sum(axis=1)
        stat = float(total[i] / bg[i])
        rng = np.random.default_rng(seed)
        exceed = 0
        for _ in range(n_surrogates):
            e = rng.standard_normal((n, d))
            S = np.column_stack([lfilter([1.0], [1.0, -phi[j]], e[:, j]) for j in range(d)])
            S = (S - S.mean(0)) / S.std(0)
            fs, Ps = _welch(S, dt, nperseg)
            bgs = _red_background(phi, fs, dt, Ps).sum(axis=1)
            exceed += float(np.max(Ps.sum(axis=1)[1:] / bgs[1:])) >= stat
        p_value = (exceed + 1) / (n_surrogates + 1)
    return PeriodEstimate(period=1.0 / fpk if fpk > 0 else float("inf"), frequency=fpk,
                          power_fraction=frac, p_value=float(p_value))


# --------------------------------------------------------------------------- 0-1 test
def zero_one_test(x, n_c: int = 100, seed: int | None = None) -> float:
    """Gottwald-Melbourne 0-1 test for chaos: ``K`` near 1 for chaos, near 0 for regular motion.

    For random ``c`` in ``(pi/5, 4 pi/5)`` the translation variables
    ``p(n) = sum_j x_j cos(j c)``, ``q(n) = sum_j x_j sin(j c)`` are formed; the modified mean
    square displacement ``D_c(n) = M_c(n) - (E x)^2 (1 - cos n c) / (1 - cos c)`` for
    ``n <= N/10`` is correlated with ``n``; ``K`` is the median correlation over ``c``
    (Gottwald & Melbourne 2009, the "correlation method"). Flows should be subsampled to
    roughly one to a few samples per period before testing, as the authors recommend.

    References:
        Gottwald, G. A. & Melbourne, I. (2004). Proc. R. Soc. A 460, 603-611.
        Gottwald, G. A. & Melbourne, I. (2009). SIAM J. Appl. Dyn. Syst. 8(1), 129-145.
    """
    x = _scalar(x, min_length=100)
    seed_ok(seed)
    rng = np.random.default_rng(seed)
    N = len(x)
    ncut = N // 10
    j = np.arange(1, N + 1)
    ns = np.arange(1, ncut + 1)
    Ex2 = x.mean() ** 2
    Ks = []
    for c in rng.uniform(np.pi / 5, 4 * np.pi / 5, pos_int(n_c, "n_c")):
        p = np.cumsum(x * np.cos(j * c))
        q = np.cumsum(x * np.sin(j * c))
        M = np.array([np.mean((p[k:] - p[:-k]) ** 2 + (q[k:] - q[:-k]) ** 2) for k in ns])
        D = M - Ex2 * (1 - np.cos(ns * c)) / (1 - np.cos(c))
        if np.std(D) == 0:
            continue
        Ks.append(np.corrcoef(ns, D)[0, 1])
    if not Ks:
        raise ConvergenceError("0-1 test: the displacement was constant for every c.")
    return float(np.median(Ks))


__all__ = ["Estimate", "PeriodEstimate", "correlation_dimension", "delay_embedding", "dominant_period",
           "lyapunov_from_series", "multiscale_entropy", "permutation_entropy", "sample_entropy", "zero_one_test"]
