"""The reconstruction literature's long-term measures (D_stsp, D_H) against their published formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest

from chaoszoo.errors import InvalidArgumentError
from chaoszoo.forecast import metrics as fm
from chaoszoo.forecast.metrics import MetricUndefined, d_h, d_stsp


def _lorenz(n=900):
    import chaoszoo as cz

    return cz.get("Lorenz").trajectory(n, pts_per_period=30, transient=200).values


# --------------------------------------------------------------------------- D_stsp
def test_d_stsp_by_hand_two_bins_against_one():
    """True states split evenly between two bins, forecast states all in the first: with
    K = 30 bins, N true and M forecast states and pseudo-count a, the published formula gives
    p = (N/2 + a)/(N + aK) in both occupied bins, q = (M + a)/(M + aK) in the first,
    a/(M + aK) in the second, and a/(. + aK) in the 28 empty ones."""
    N, M, K, a = 200, 200, 30, 1e-5
    t = np.repeat([0.0, 10.0], N // 2)          # grid [-0.1 sd, 10 + 0.1 sd]: bins 1 and 28
    p_ = np.full(M, 0.05)                       # all in bin 1, with the first half of t
    pa = (N / 2 + a) / (N + a * K)
    q1, q2 = (M + a) / (M + a * K), a / (M + a * K)
    p0, q0 = a / (N + a * K), a / (M + a * K)
    expected = pa * math.log(pa / q1) + pa * math.log(pa / q2) + (K - 2) * p0 * math.log(p0 / q0)
    assert d_stsp(t, p_) == pytest.approx(expected, rel=1e-12)
    assert d_stsp(t, p_, alpha=a, bins=K) == d_stsp(t, p_)


def _dense_reference(t, p, bins=30, alpha=1e-5):
    """The published definition written out densely: numpy's histogram on the grid
    [min - 0.1 sd, max + 0.1 sd] of the target, Laplace smoothing, scipy's KL."""
    from scipy.stats import entropy

    sd = t.std(axis=0, ddof=1)
    edges = [np.linspace(lo, hi, bins + 1) for lo, hi in zip(t.min(0) - 0.1 * sd, t.max(0) + 0.1 * sd)]
    ht, _ = np.histogramdd(t, bins=edges)
    hp, _ = np.histogramdd(p, bins=edges)
    ht, hp = ht.ravel(), hp.ravel()
    P = (ht + alpha) / (ht.sum() + alpha * ht.size)
    Q = (hp + alpha) / (hp.sum() + alpha * hp.size)
    return float(entropy(P, Q))


@pytest.mark.parametrize("dims", [1, 2, 3])
def test_d_stsp_equals_the_dense_formula(dims):
    x = _lorenz()[:, :dims]
    t, p = x[:300], x[300:600]
    assert d_stsp(t, p) == pytest.approx(_dense_reference(t, p), rel=1e-10)
    # part of the forecast outside the grid is not counted
    q = p.copy()
    q[::7] += 1e3
    assert d_stsp(t, q) == pytest.approx(_dense_reference(t, q), rel=1e-10)
    assert d_stsp(t, t) == 0.0


def test_d_stsp_in_many_dimensions_without_a_dense_grid():
    rng = np.random.default_rng(0)
    t, p = rng.standard_normal((300, 12)), rng.standard_normal((300, 12))   # 30^12 bins
    v = d_stsp(t, p)
    assert math.isfinite(v) and v > 0 and d_stsp(t, t) == 0.0


def test_d_stsp_missing_and_refusals():
    t = _lorenz(300)
    with pytest.raises(MetricUndefined, match="no forecast state"):
        d_stsp(t, t + 1e4)
    flat = t.copy()
    flat[:, 1] = 2.0
    with pytest.raises(MetricUndefined, match="constant target"):
        d_stsp(flat, t)
    with pytest.raises(InvalidArgumentError):
        d_stsp(t, t, bins=0)
    with pytest.raises(InvalidArgumentError):
        d_stsp(t, t, alpha=0.0)


# --------------------------------------------------------------------------- D_H
def test_d_h_disjoint_and_equal_spectra():
    n = 256
    k = np.arange(n)
    a = np.sin(2 * np.pi * 8 * k / n)                 # all power in bin 8
    b = 3.0 * np.sin(2 * np.pi * 40 * k / n + 0.7)    # all power in bin 40
    assert d_h(a, b, sigma=0) == pytest.approx(1.0, abs=1e-12)
    assert d_h(a, 5 * np.sin(2 * np.pi * 8 * k / n + 1.0) - 2.0, sigma=0) == pytest.approx(0.0, abs=1e-12)


def _reflect_smooth(S, sigma):
    """Gaussian smoothing written out: kernel exp(-j^2 / 2 sigma^2), |j| <= round(4 sigma), normalised,
    the signal extended by reflection about its edges (d c b a | a b c d | d c b a)."""
    r = int(4.0 * sigma + 0.5)
    j = np.arange(-r, r + 1)
    w = np.exp(-0.5 * j ** 2 / sigma ** 2)
    w /= w.sum()
    n = len(S)
    out = np.zeros_like(S)
    for i in range(n):
        for jj, wj in zip(j, w):
            m = i + jj
            while m < 0 or m >= n:                    # reflect (half-sample symmetric)
                m = -m - 1 if m < 0 else 2 * n - m - 1
            out[i] += wj * S[m]
    return out


def test_d_h_equals_the_published_formula_with_smoothing_20():
    x = _lorenz()
    t, p = x[:300], x[300:600]
    hs = []
    for c in range(3):
        spec = []
        for y in (t[:, c], p[:, c]):
            z = (y - y.mean()) / y.std(ddof=1)
            S = _reflect_smooth(np.abs(np.fft.rfft(z)) ** 2, 20.0)
            S[S < 0] = 0
            spec.append(S / S.sum())
        hs.append(np.sqrt(np.sum((np.sqrt(spec[0]) - np.sqrt(spec[1])) ** 2)) / np.sqrt(2))
    assert d_h(t, p) == pytest.approx(float(np.mean(hs)), rel=1e-10)
    assert d_h(t, t) == 0.0


def test_d_h_missing_for_constant_series():
    t = _lorenz(300)
    with pytest.raises(MetricUndefined, match="constant forecast"):
        d_h(t, np.ones_like(t))
    with pytest.raises(MetricUndefined, match="non-finite"):
        d_h(t, np.full_like(t, np.nan))


# --------------------------------------------------------------------------- in compute()
def test_compute_reports_both_under_their_own_names():
    x = _lorenz()
    t, p = x[:300], x[300:600]
    s = fm.compute(t, p)
    assert s.values["d_stsp"] == d_stsp(t, p) and s.values["d_h"] == d_h(t, p)
    assert s.values["kl_divergence"] != s.values["d_stsp"] and s.values["hellinger_spectrum"] != s.values["d_h"]
    assert fm.LONGTERM == ("d_stsp", "d_h") and set(fm.LONGTERM) <= set(fm.METRICS)
    assert "d_stsp" not in fm.compute(t, p, attractor=False).values
