"""Forecast metrics against analytic values and independent implementations (SciPy, scikit-learn)."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats
from sklearn import metrics as skm

from chaoszoo.errors import InvalidArgumentError
from chaoszoo.forecast import metrics as fm
from chaoszoo.forecast.metrics import MetricUndefined


@pytest.fixture(scope="module")
def rng():
    return np.random.default_rng(12345)


def _pair(rng, H=200, d=3, noise=0.3):
    y = np.cumsum(rng.standard_normal((H, d)), axis=0) + 5.0
    return y, y + noise * rng.standard_normal((H, d))


# --------------------------------------------------------------------------- analytic values
def test_smape_of_doubled_series_is_two_thirds_of_200():
    y = np.linspace(1.0, 4.0, 50)
    assert fm.smape(y, 2 * y) == pytest.approx(200.0 / 3.0, abs=1e-12)  # |y - 2y| / (|y| + |2y|) = 1/3
    assert fm.smape(y, -y) == pytest.approx(200.0)  # the maximum
    assert fm.smape(np.zeros(5), np.zeros(5)) == 0.0  # 0/0 terms count as perfect


def test_simple_error_metrics_analytic():
    y = np.linspace(0.0, 10.0, 101)
    assert fm.mae(y, y + 1) == pytest.approx(1.0)
    assert fm.mse(y, y + 2) == pytest.approx(4.0)
    assert fm.rmse(y, y - 3) == pytest.approx(3.0)
    assert fm.marre(y, y + 1) == pytest.approx(10.0)  # 100 * 1 / range 10
    yp = np.linspace(1.0, 2.0, 20)
    assert fm.wape(yp, 1.1 * yp) == pytest.approx(10.0)
    assert fm.nrmse(y, y + 0.5 * y.std()) == pytest.approx(0.5)
    e = np.array([1.0, -1.0, 1.0, -1.0])
    assert fm.coefficient_of_variation(5 + e, 5 + 2 * e) == pytest.approx(20.0)  # 100 * std(e) / mean 5
    hist = np.arange(30.0)  # naive one-step error of the history: exactly 1
    assert fm.mase(y, y + 2.0, y_train=hist) == pytest.approx(2.0)
    # rmsle after the shift to the minimum: log1p values [0, 1] and [0, 2]
    assert fm.rmsle([0.0, math.e - 1], [0.0, math.e**2 - 1]) == pytest.approx(math.sqrt(0.5))


def test_correlations_of_lines():
    y = np.linspace(-3, 7, 40)
    for f in (fm.pearson, fm.spearman, fm.kendall):
        assert f(y, 3 * y + 1) == pytest.approx(1.0)
        assert f(y, -y) == pytest.approx(-1.0)
    assert fm.r2_score(y, y) == 1.0


def test_mutual_information_of_gaussians_matches_closed_form(rng):
    rho = 0.8
    n = 4000
    x = rng.standard_normal(n)
    y = rho * x + math.sqrt(1 - rho**2) * rng.standard_normal(n)
    exact = -0.5 * math.log(1 - rho**2)  # 0.5108 nats
    assert fm.mutual_information(x, y) == pytest.approx(exact, abs=0.03)
    assert fm.mutual_information(x, rng.standard_normal(n)) == pytest.approx(0.0, abs=0.01)
    # dysts' estimator (scikit-learn's KSG), seeded, on the same data
    assert fm.mutual_information(x[:1500], y[:1500], method="ksg", seed=0) == pytest.approx(exact, abs=0.06)


# --------------------------------------------------------------------------- independent implementations
def test_against_sklearn(rng):
    y, p = _pair(rng)
    assert fm.mse(y, p) == pytest.approx(skm.mean_squared_error(y.ravel(), p.ravel()), rel=1e-12)
    assert fm.mae(y, p) == pytest.approx(skm.mean_absolute_error(y.ravel(), p.ravel()), rel=1e-12)
    assert fm.mape(y, p) == pytest.approx(100 * skm.mean_absolute_percentage_error(y.ravel(), p.ravel()), rel=1e-12)
    assert fm.r2_score(y[:, 0], p[:, 0]) == pytest.approx(skm.r2_score(y[:, 0], p[:, 0]), rel=1e-12)
    assert fm.r2_score(y, p) == pytest.approx(skm.r2_score(y.ravel(), p.ravel()), rel=1e-12)
    a, b = np.abs(y[:, :1]), np.abs(p[:, :1])
    a, b = a - a.min(), b - b.min()
    assert fm.rmsle(a, b) == pytest.approx(math.sqrt(skm.mean_squared_log_error(a, b)), rel=1e-12)


def test_against_scipy_with_ties(rng):
    y = rng.integers(0, 6, (80, 3)).astype(float)
    p = y + rng.integers(-2, 3, (80, 3))
    for ours, ref in ((fm.spearman, stats.spearmanr), (fm.pearson, stats.pearsonr), (fm.kendall, stats.kendalltau)):
        expected = np.mean([ref(y[:, i], p[:, i])[0] for i in range(3)])
        assert ours(y, p) == pytest.approx(expected, abs=1e-12)


def test_batch_kendall_path_equals_scipy(rng):
    # 40 forecasts x 3 variables = 120 rows: the vectorised merge-sort path (not SciPy's loop)
    y = rng.integers(0, 9, (40, 97, 3)).astype(float)
    p = y + rng.integers(-3, 4, y.shape)
    got = fm.compute_batch(y, p)["kendall"]
    expected = [np.mean([stats.kendalltau(y[b, :, i], p[b, :, i])[0] for i in range(3)]) for b in range(40)]
    np.testing.assert_allclose(got, expected, atol=1e-12)


# --------------------------------------------------------------------------- valid prediction time
def test_vpt_of_a_forecast_that_diverges_at_a_known_step():
    H, k0, per_lyap = 200, 50, 10.0
    y = 2.0 + np.sin(np.linspace(0, 20, H))[:, None] * np.ones((1, 2))
    p = y.copy()
    p[k0:] = -y[k0:]  # sMAPE term 1 (200 %) from step k0 on
    # cumulative sMAPE after step j >= k0 is 200 (j - k0 + 1) / (j + 1): first above 30 at
    j = next(j for j in range(k0, H) if 200 * (j - k0 + 1) / (j + 1) > 30)
    assert fm.vpt_smape(y, p, lyapunov_steps=per_lyap) == pytest.approx(j / per_lyap)
    assert fm.vpt_smape(y, p) == j  # in steps without a Lyapunov time
    assert fm.vpt_nrmse(y, p, lyapunov_steps=per_lyap) == pytest.approx(k0 / per_lyap)
    assert fm.vpt_smape(y, p, threshold=1000) == H  # never exceeded: the whole horizon
    s = fm.compute(y, p, lyapunov_steps=per_lyap, metrics=["vpt_smape", "vpt_nrmse"])
    assert s.values == {"vpt_smape": j / per_lyap, "vpt_nrmse": k0 / per_lyap}


# --------------------------------------------------------------------------- attractor level
def test_kl_divergence_identical_and_two_gaussians(rng):
    y, p = _pair(rng, H=300)
    assert fm.kl_divergence(y, y, seed=3) == pytest.approx(0.0, abs=1e-12)
    # 1-D: target N(0, 1) samples, forecast N(1, 1.5^2). Standardised by the target and smoothed
    # by the kernel sigma, the mixtures approach N(0, 1 + s^2) and N(m, v + s^2): closed-form KL.
    t = rng.standard_normal(1500)
    f = 1.0 + 1.5 * rng.standard_normal(1500)
    s = 0.25
    m = (f.mean() - t.mean()) / t.std()
    v = (f.std() / t.std()) ** 2
    v1, v2 = 1 + s**2, v + s**2
    exact = 0.5 * (math.log(v2 / v1) + (v1 + m**2) / v2 - 1)
    got = fm.kl_divergence(t, f, sigma=s, n_samples=2000, seed=1)
    assert got == pytest.approx(exact, rel=0.12)
    assert fm.kl_divergence(t, f, sigma=s, n_samples=500, seed=7) == fm.kl_divergence(t, f, sigma=s, n_samples=500, seed=7)


def test_hellinger_identical_and_disjoint_spectra():
    n = 512
    k = np.arange(n)
    a = np.sin(2 * np.pi * 10 * k / n)[:, None]
    b = np.sin(2 * np.pi * 120 * k / n)[:, None]
    assert fm.hellinger_spectrum(a, a) == pytest.approx(0.0, abs=1e-6)
    assert fm.hellinger_spectrum(a, b) == pytest.approx(1.0, abs=1e-6)
    assert fm.hellinger_spectrum(a, b, smoothing=0) == pytest.approx(1.0, abs=1e-9)


def test_spectral_divergence_and_residual_analytic():
    n = 256
    k = np.arange(n)
    s1, s2 = np.sin(2 * np.pi * 5 * k / n), np.sin(2 * np.pi * 40 * k / n)
    y = (s1 + s2)[:, None]  # power 1/2, 1/2 at two bins
    p = (math.sqrt(3) * s1 + s2)[:, None]  # power 3/4, 1/4
    kl = 0.5 * math.log(0.5 / 0.75) + 0.5 * math.log(0.5 / 0.25)
    assert fm.spectral_divergence(y, p, percentile=0.0) == pytest.approx(kl, abs=1e-9)
    n_bins = n // 2  # rfft bins without the zero frequency
    assert fm.spectral_residual(y, p, percentile=0.0) == pytest.approx(math.sqrt(2 * 0.25**2 / n_bins), rel=1e-9)
    assert fm.spectral_divergence(y, y) == pytest.approx(0.0, abs=1e-12)


def test_dimension_error_circle_against_filled_square(rng):
    n = 1500
    th = rng.uniform(0, 2 * np.pi, n)
    circle = np.c_[np.cos(th), np.sin(th)]  # D2 = 1
    square = rng.uniform(-1, 1, (n, 2))  # D2 = 2
    assert fm.dimension_error(square, square) == 0.0
    assert fm.dimension_error(square, circle) == pytest.approx(1.0, abs=0.25)


def _henon(n, x0):
    h = np.empty((n, 2))
    h[0] = (x0, 0.1)
    for i in range(1, n):
        h[i] = (1 - 1.4 * h[i - 1, 0] ** 2 + h[i - 1, 1], 0.3 * h[i - 1, 0])
    return h[100:]


def test_lyapunov_error_henon():
    a, b = _henon(1600, 0.1), _henon(1600, -0.3)  # two orbits of one attractor: lambda1 = 0.419 both (Sprott 2003)
    k = np.arange(len(a))
    circle = np.c_[np.cos(2 * np.pi * k / 7.3), np.sin(2 * np.pi * k / 7.3)]  # periodic: lambda1 = 0
    assert fm.lyapunov_error(a, a, dt=1.0) == 0.0
    same = fm.lyapunov_error(a, b, dt=1.0)
    assert same < 0.08
    assert fm.lyapunov_error(a, circle, dt=1.0) > same + 0.15
    # an exponent is per unit time: half the sampling step doubles the error
    assert fm.lyapunov_error(a, b, dt=0.5) == pytest.approx(2 * same, rel=1e-12)


# --------------------------------------------------------------------------- missing, with reasons
def test_missing_values_have_reasons(rng):
    y, _ = _pair(rng, H=60)
    flat = np.ones_like(y)
    s = fm.compute(y, flat, lyapunov_steps=10)
    for n in ("spearman", "pearson", "kendall", "mutual_information"):
        assert s.values[n] is None and "constant forecast" in s.missing[n]
    assert s.values["mase"] is None and "y_train" in s.missing["mase"]
    assert s.values["lyapunov_error"] is None and "dt" in s.missing["lyapunov_error"]
    assert s.values["dimension_error"] is None and "too short" in s.missing["dimension_error"]
    assert s.values["hellinger_spectrum"] is None and "constant forecast" in s.missing["hellinger_spectrum"]
    assert isinstance(s.values["smape"], float)
    row = s.as_dict()
    assert row["pearson"] is None and json.loads(row["metrics_missing"]) == s.missing

    bad = y.copy()
    bad[3, 1] = np.nan
    s = fm.compute(y, bad, lyapunov_steps=10, dt=0.1)
    assert all(v is None for v in s.values.values())
    assert all("non-finite" in r for r in s.missing.values()) and set(s.missing) == set(fm.METRICS)

    s = fm.compute(y, y, metrics=["vpt_smape", "mape"])
    assert "Lyapunov" in s.missing["vpt_smape"]
    z = y.copy()
    z[0, 0] = 0.0
    assert "zeros" in fm.compute(z, y, metrics=["mape"]).missing["mape"]
    with pytest.raises(MetricUndefined, match="constant forecast"):
        fm.pearson(y, flat)
    huge = np.full_like(y, 1e300)
    assert "overflow" in fm.compute(y, huge, metrics=["mse"]).missing["mse"]


def test_enormous_forecast_degrades_to_missing(rng):
    t = np.linspace(0, 40, 150)
    y = np.c_[np.sin(t), np.cos(1.3 * t), np.sin(0.7 * t) ** 3]
    s = fm.compute(y, 1e200 * rng.standard_normal(y.shape), y_train=y, lyapunov_steps=10, dt=0.1)
    assert all(v is None or math.isfinite(v) for v in s.values.values())
    assert "overflow" in s.missing["mse"] and "overflow" in s.missing["kl_divergence"]


def test_bad_input_raises(rng):
    y, p = _pair(rng, H=30)
    with pytest.raises(InvalidArgumentError, match="smape"):
        fm.compute(y, p, metrics=["smap"])
    with pytest.raises(InvalidArgumentError, match="same shape"):
        fm.compute(y, p[:-1])
    with pytest.raises(InvalidArgumentError, match="y_true"):
        fm.compute(np.full_like(y, np.nan), p)
    with pytest.raises(InvalidArgumentError, match="percentile"):
        fm.spectral_divergence(y, p, percentile=1.5)


# --------------------------------------------------------------------------- batch, curves, determinism
def test_compute_batch_equals_compute_row_by_row(rng):
    B, H, d = 24, 120, 3
    y = np.cumsum(rng.standard_normal((B, H, d)), axis=1) + 3.0
    p = y + rng.standard_normal((B, H, d)) * np.linspace(0.01, 2, B)[:, None, None]
    p[1] = 1.0  # constant forecast
    p[2, 5, 0] = np.inf  # non-finite forecast
    y[3, :, 1] = 0.0  # zeros and a constant target variable
    y_train = rng.standard_normal((B, 50, d))
    ls = np.linspace(5, 40, B)
    batch = fm.compute_batch(y, p, lyapunov_steps=ls, y_train=y_train)
    assert set(batch) == set(fm.POINTWISE + fm.VPT)
    for b in range(B):
        s = fm.compute(y[b], p[b], y_train=y_train[b], lyapunov_steps=ls[b], attractor=False)
        for n, v in s.values.items():
            if v is None:
                assert np.isnan(batch[n][b]), (b, n)
            else:
                assert batch[n][b] == pytest.approx(v, rel=1e-12, abs=1e-12), (b, n)
    assert np.isnan(batch["pearson"][1]) and np.isnan(batch["smape"][2]) and np.isnan(batch["mape"][3])


def test_horizon_curve_is_the_metric_on_prefixes(rng):
    y, p = _pair(rng, H=90)
    t, v = fm.horizon_curve(y, p, "smape", lyapunov_steps=30)
    assert t[-1] == pytest.approx(3.0) and t[0] == pytest.approx(1 / 30)
    assert v[-1] == pytest.approx(fm.smape(y, p))
    assert v[9] == pytest.approx(fm.smape(y[:10], p[:10]))
    t, v = fm.horizon_curve(y, p, "pearson")
    assert t[0] == 1 and np.isnan(v[0]) and v[-1] == pytest.approx(fm.pearson(y, p))


def test_compute_is_deterministic(rng):
    y, p = _pair(rng, H=150)
    a = fm.compute(y, p, dt=0.05, lyapunov_steps=20, seed=4).as_dict()
    b = fm.compute(y, p, dt=0.05, lyapunov_steps=20, seed=4).as_dict()
    assert a == b
    assert fm.compute(y, p, seed=5, metrics=["kl_divergence"]).values != fm.compute(y, p, seed=4, metrics=["kl_divergence"]).values
