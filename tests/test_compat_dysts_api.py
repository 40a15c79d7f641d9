"""The rest of dysts 0.96's API in chaoszoo.compat.dysts: metrics, utils, sampling, analysis,
array parameters, integer parameters, delay Jacobians and the ensemble helper's blow-ups.

References: hand-computed values (the formulas are in each assertion), SciPy/scikit-learn,
analytic results, and dysts 0.96's own parameter arrays (its chaotic_attractors.json, values
copied here as data). dysts's own test suite runs in tests/test_compat_dysts_suite.py.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.stats

from chaoszoo.compat.dysts import analysis, flows, metrics, sampling, systems, utils
from chaoszoo.errors import InvalidArgumentError

YT = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
YP = np.array([1.1, 1.9, 3.2, 4.1, 5.1])


def test_metrics_match_their_formulas_on_dysts_example():
    e = YT - YP
    assert metrics.mse(YT, YP) == pytest.approx(np.mean(e ** 2))                 # 0.016
    assert metrics.mae(YT, YP) == pytest.approx(np.mean(np.abs(e)))              # 0.12
    assert metrics.rmse(YT, YP) == pytest.approx(np.sqrt(0.016))
    assert metrics.r2_score(YT, YP) == pytest.approx(1 - 0.08 / 10.0)            # 0.992
    assert metrics.mape(YT, YP) == pytest.approx(100 * np.mean(np.abs(e / YT)))  # 5.2333
    # dysts 0.96's smape is on the 0-100 scale: 100 mean |e| / (|y| + |yhat|) = 2.5553
    assert metrics.smape(YT, YP) == pytest.approx(100 * np.mean(np.abs(e) / (YT + YP)))
    assert metrics.smape(YT, YP, scaled=False) == pytest.approx(2 * metrics.smape(YT, YP))
    assert metrics.marre(YT, YP) == pytest.approx(100 * 0.12 / 4.0)               # 3.0
    assert metrics.ope(YT, YP) == pytest.approx(0.6 / 6.0)                        # 0.1
    assert metrics.wape(YT, YP) == pytest.approx(100 * 0.6 / 15.0)
    assert metrics.coefficient_of_variation(YT, YP) == pytest.approx(100 * np.std(e) / 3.0)
    shifted_t, shifted_p = YT - YT.min(), YP - YP.min()
    assert metrics.rmsle(YT, YP) == pytest.approx(np.sqrt(np.mean((np.log1p(shifted_p) - np.log1p(shifted_t)) ** 2)))
    rng = np.random.default_rng(1)
    a = rng.standard_normal((300, 3))
    b = a + 0.5 * rng.standard_normal((300, 3))
    assert metrics.spearman(a, b) == pytest.approx(np.mean([scipy.stats.spearmanr(a[:, i], b[:, i])[0] for i in range(3)]))
    assert metrics.pearson(a, b) == pytest.approx(np.mean([scipy.stats.pearsonr(a[:, i], b[:, i])[0] for i in range(3)]))
    assert metrics.kendall(a, b) == pytest.approx(np.mean([scipy.stats.kendalltau(a[:, i], b[:, i])[0] for i in range(3)]))
    assert metrics.nrmse(a, b) == pytest.approx(np.sqrt(np.mean((a - b) ** 2 / a.std(axis=0) ** 2)))
    assert np.isnan(metrics.mape(np.array([0.0, 1.0]), np.array([1.0, 1.0])))   # undefined: nan, not 1e10


def test_hellinger_and_kl():
    p = np.array([0.5, 0.5, 0.0])
    q = np.array([0.0, 0.5, 0.5])
    assert metrics.hellinger_distance(p, q) == pytest.approx(np.sqrt(1 - 0.5))  # overlap sqrt(.25) = .5
    t = np.sin(np.linspace(0, 40, 400))
    assert metrics.average_hellinger_distance(t, t) == pytest.approx(0.0, abs=1e-7)
    rng = np.random.default_rng(0)
    orbit = rng.standard_normal((200, 2))
    assert metrics.estimate_kl_divergence(orbit, orbit) == pytest.approx(0.0, abs=1e-12)
    assert metrics.estimate_kl_divergence(orbit, orbit + 3.0) > 1.0


def test_compute_metrics_batches_and_rejects_bad_input_as_dysts_did():
    rng = np.random.default_rng(2)
    yt = rng.standard_normal((4, 50, 2))
    yp = yt + 0.1 * rng.standard_normal((4, 50, 2))
    out = metrics.compute_metrics(yt, yp, include=["mse", "smape"], batch_axis=0)
    assert set(out) == {"mse", "smape"}
    assert out["mse"] == pytest.approx(np.mean([metrics.mse(yt[i], yp[i]) for i in range(4)]))
    assert out["smape"] == pytest.approx(np.mean([metrics.smape(yt[i], yp[i]) for i in range(4)]))
    for bad in (dict(include=["nope"]), dict(y_pred=yp[:, :10])):
        kw = dict(y_true=yt, y_pred=yp, batch_axis=0, **{k: v for k, v in bad.items() if k != "y_pred"})
        if "y_pred" in bad:
            kw["y_pred"] = bad["y_pred"]
        with pytest.raises(AssertionError):
            metrics.compute_metrics(**kw)
        with pytest.raises(InvalidArgumentError):
            metrics.compute_metrics(**kw)


# dysts 0.96's chaotic_attractors.json (data): the arrays that chaoszoo flattens into scalars
DYSTS_ARRAYS = {
    ("BeerRNN", "theta"): [-4.108, -2.787, -1.114],
    ("BeerRNN", "w"): [[5.422, -0.018, 2.75], [-0.24, 4.59, 1.21], [0.535, -2.25, 3.885]],
    ("MultiChua", "c"): [0.0, 1.0, 2.15, 3.6, 8.2, 13.0],
    ("InteriorSquirmer", "a"): [0.5, 0.5, 0.5, 0.5, 0.5],
}


@pytest.mark.parametrize("name,array", sorted(DYSTS_ARRAYS))
def test_array_parameters_read_with_dysts_names_and_layout(name, array):
    np.testing.assert_array_equal(getattr(getattr(flows, name)(), array), np.array(DYSTS_ARRAYS[name, array]))


def test_array_parameters_are_settable_and_take_effect():
    m = flows.BeerRNN()
    w = m.w
    w[0, 1] = 1.0                                    # row 0 = receiving neuron 1, column 1 = neuron 2
    m.w = w
    assert m.w12 == 1.0 and m.w[0, 1] == 1.0
    x = np.array([0.3, -0.2, 0.1])
    sig = 1 / (1 + np.exp(-(x + m.theta)))
    assert m.rhs(x)[0] == pytest.approx((-x[0] + m.w[0] @ sig) / m.tau[0])   # the model's own equation
    m2 = flows.Hopfield(parameters={"k": np.eye(6)})
    assert m2.k00 == 1.0 and m2.k01 == 0.0
    with pytest.raises(InvalidArgumentError):
        m.w = np.zeros((2, 2))
    mc = flows.MultiChua()
    with pytest.raises(InvalidArgumentError):        # c[0] is not used by the equations
        mc.c = np.arange(1.0, 7.0)


def test_integer_parameters_are_rejected_when_set():
    m = flows.CircadianRhythm()
    with pytest.raises(InvalidArgumentError, match="integer"):
        m.n = 2.5
    with pytest.raises(InvalidArgumentError):
        flows.CircadianRhythm(parameters={"n": 3.3})
    m.n = 3
    assert m.n == 3.0
    # the parameter sampler perturbs every parameter except the integer ones
    before = m.params
    assert m.transform_params(sampling.SignedGaussianParamSampler(scale=0.1, random_seed=0))
    after = m.params
    assert after["n"] == before["n"] and all(after[k] != before[k] for k in before if k != "n")


def test_delay_systems_have_no_flow_jacobian():
    assert not flows.MackeyGlass().has_jacobian()
    assert flows.Lorenz().has_jacobian()


def test_ensemble_helper_returns_none_for_a_member_that_blows_up():
    blow = flows.Rossler()
    blow.ic = (20.0, 0.0, -5.0)                      # z < 0 with x > c: z diverges
    with pytest.warns(UserWarning, match="blew up"):
        out = systems.make_trajectory_ensemble(50, subset=[blow, "Lorenz"], use_tqdm=False)
    assert out["Rossler"] is None and out["Lorenz"].shape == (50, 3)


def test_samplers_have_the_documented_statistics():
    ic = np.array([1.0, -2.0, 4.0])
    s = sampling.GaussianInitialConditionSampler(scale=0.1, random_seed=0)
    draws = np.array([s(ic, None) for _ in range(4000)])
    np.testing.assert_allclose(draws.std(axis=0), 0.1 * np.abs(ic), rtol=0.05)
    np.testing.assert_allclose(draws.mean(axis=0), ic, atol=0.02)
    p = sampling.SignedGaussianParamSampler(scale=0.1, eps=0.0, sign_match_probability=1.0, random_seed=1)
    vals = np.array([p("a", 2.0) for _ in range(500)])
    assert (vals >= 2.0).all() and 0.15 < (vals - 2).mean() < 0.17     # half-normal mean 0.2 sqrt(2/pi)
    m = flows.Lorenz()
    m.transform_ic(sampling.OnAttractorInitCondSampler(reference_traj_length=400, reference_traj_n_periods=20))
    assert np.abs(m.ic[2] - 23.5) < 20                                   # a point on the butterfly


def test_utils():
    a = np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]], float)
    np.testing.assert_allclose(utils.standardize_ts(a)[:, 0], [-np.sqrt(1.5), 0, np.sqrt(1.5)])
    with pytest.raises(AssertionError):
        utils.standardize_ts(np.arange(3.0))
    assert utils.signif(1.2345678, figs=4) == 1.235
    r, th = utils.cartesian_to_polar(*utils.polar_to_cartesian(5.0, np.pi / 4))
    assert (r, th) == pytest.approx((5.0, np.pi / 4))
    m = flows.Lorenz()
    np.testing.assert_allclose(utils.jac_fd(m.rhs, m.ic, eps=1e-6), m.jac(m.ic), rtol=1e-6, atol=1e-6)
    sig = np.sin(2 * np.pi * 0.05 * np.arange(2000))
    assert utils.freq_from_fft(sig) == pytest.approx(0.05, rel=1e-3)
    freqs = utils.find_significant_frequencies(sig + 0.1 * np.random.default_rng(0).standard_normal(2000))
    assert np.any(np.abs(freqs - 0.05) <= 1.5 / 2000)                      # the sine's bin (0.0005 wide)
    surr = utils.make_surrogate(sig, "rp", random_state=0)
    # |Re(ifft(|F| e^{i phi}))| spectrum: each amplitude scaled by |cos| of a uniform angle -> mean 2/pi
    ratio = np.abs(np.fft.fft(surr))[100] / np.abs(np.fft.fft(sig))[100]
    assert len(surr) == len(sig) and 0 <= ratio <= 1.0 + 1e-9
    np.testing.assert_array_equal(np.sort(utils.make_surrogate(sig, "rs", random_state=0)), np.sort(sig))
    t = np.linspace(0, 1, 11)
    np.testing.assert_allclose(utils.integrate_dyn(lambda t, y: -y, [1.0], t, rtol=1e-10, atol=1e-12)[0], np.exp(-t), rtol=1e-8)


def test_analysis():
    assert analysis.kaplan_yorke_dimension([0.9056, 0.0, -14.5723]) == pytest.approx(2 + 0.9056 / 14.5723)
    rng = np.random.default_rng(0)
    x = np.empty(3000)
    x[0] = 0.3
    for i in range(1, 3000):
        x[i] = 4 * x[i - 1] * (1 - x[i - 1])
    assert analysis.zero_one_test(x) > 0.9
    assert analysis.zero_one_test(np.sin(0.7 * np.arange(3000))) < 0.2
    # mutual information of a bivariate Gaussian with correlation r: -0.5 log(1 - r^2)
    z = rng.standard_normal((2, 200_000))
    y = 0.8 * z[0] + 0.6 * z[1]
    assert analysis.mutual_information(z[0], y, bins=64) == pytest.approx(-0.5 * np.log(1 - 0.64), rel=0.05)
    assert analysis.logarithmic_n(1, 100, 2.0) == [1, 2, 4, 8, 16, 32, 64]
