"""Proper scoring rules (chaoszoo.forecast.metrics.proper) against independent references:
direct O(m^2) sums written here, the defining integral of the CRPS, closed forms, hand-worked
cases and the maintained library scoringrules (the test extra installs it)."""

import math

import numpy as np
import pytest
import scoringrules as sr
from scipy import integrate, stats

from chaoszoo.errors import InvalidArgumentError
from chaoszoo.forecast.metrics import proper

RNG = np.random.default_rng(20261206)


def direct_crps(y, x, fair=True):
    """E|X - y| - sum_{i,j} |x_i - x_j| / (2 m (m - 1)) by a double loop (one value)."""
    m = len(x)
    e1 = sum(abs(v - y) for v in x) / m
    e2 = sum(abs(a - b) for a in x for b in x)
    return e1 - e2 / (2 * (m * (m - 1) if fair else m * m))


def direct_es(y, x, fair=True):
    """The energy score of members x (m, d) at y (d,) by a double loop."""
    m = len(x)
    e1 = sum(np.linalg.norm(v - y) for v in x) / m
    e2 = sum(np.linalg.norm(a - b) for a in x for b in x)
    return e1 - e2 / (2 * (m * (m - 1) if fair else m * m))


def crps_integral(y, x):
    """The CRPS of the empirical distribution of x at y: integral of (F(t) - 1{y <= t})^2, exactly
    (the integrand is piecewise constant between the sorted points)."""
    pts = np.sort(np.append(x, y))
    total = 0.0
    for a, b in zip(pts[:-1], pts[1:]):
        t = 0.5 * (a + b)
        total += (np.mean(x <= t) - float(y <= t)) ** 2 * (b - a)
    return total


def test_fair_crps_equals_the_double_sum_and_scoringrules():
    y = RNG.standard_normal((7, 3))
    x = RNG.standard_normal((20, 7, 3)) * 2 + 0.5
    got = proper.crps_ensemble(y, x)
    want = np.array([[direct_crps(y[t, j], x[:, t, j]) for j in range(3)] for t in range(7)])
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(got, sr.crps_ensemble(y, x, m_axis=0, estimator="fair", backend="numpy"),
                               rtol=1e-12, atol=1e-14)


def test_plain_crps_is_the_integral_definition():
    x = RNG.standard_normal(15)
    for y in (-3.0, 0.1, x[4], 2.5):  # below, inside, on a member, above
        got = float(proper.crps_ensemble(np.array(y), x[:, None].reshape(15), fair=False))
        assert got == pytest.approx(crps_integral(y, x), rel=1e-12, abs=1e-14)
        assert got == pytest.approx(direct_crps(y, x, fair=False), rel=1e-12)


def test_crps_of_a_gaussian():
    # the closed form against numerical integration of its definition
    for y, mu, s in ((0.3, 0.0, 1.0), (-2.0, 1.0, 0.5), (4.0, 4.0, 3.0)):
        integral = integrate.quad(lambda t: (stats.norm.cdf(t, mu, s) - (y <= t)) ** 2, -50, 50, points=[y],
                                  limit=200)[0]
        assert float(proper.crps_gaussian(y, mu, s)) == pytest.approx(integral, rel=1e-8)
    # a large sample of N(mu, s): the fair ensemble CRPS converges to the closed form
    mu, s, y = 1.0, 2.0, np.array([-1.0, 0.5, 3.0])
    x = mu + s * RNG.standard_normal((20_000, 3))
    np.testing.assert_allclose(proper.crps_ensemble(y, x), proper.crps_gaussian(y, mu, s), rtol=0.02)


def test_fair_crps_is_unbiased_for_small_ensembles():
    # E over many draws of 5-member ensembles of N(0, 1) equals the CRPS of N(0, 1) (the plain one is biased)
    y = np.full(40_000, 0.7)
    x = RNG.standard_normal((5, 40_000))
    exact = float(proper.crps_gaussian(0.7, 0.0, 1.0))
    assert proper.crps_ensemble(y, x).mean() == pytest.approx(exact, rel=0.01)
    assert proper.crps_ensemble(y, x, fair=False).mean() > exact * 1.03


def test_energy_score_equals_the_double_sum_and_scoringrules():
    y = RNG.standard_normal((6, 3))
    x = RNG.standard_normal((12, 6, 3))
    got = proper.energy_score(y, x)
    want = np.array([direct_es(y[t], x[:, t]) for t in range(6)])
    np.testing.assert_allclose(got, want, rtol=1e-12)
    np.testing.assert_allclose(got, sr.es_ensemble(y, np.moveaxis(x, 0, 1), estimator="fair", backend="numpy"),
                               rtol=1e-12)
    np.testing.assert_allclose(proper.energy_score(y, x, fair=False),
                               [direct_es(y[t], x[:, t], fair=False) for t in range(6)], rtol=1e-12)
    # one variable: the energy score is the CRPS
    np.testing.assert_allclose(proper.energy_score(y[:, :1], x[:, :, :1]), proper.crps_ensemble(y[:, 0], x[:, :, 0]),
                               rtol=1e-12)
    # one member, plain: the Euclidean error
    np.testing.assert_allclose(proper.energy_score(y, x[:1], fair=False), np.linalg.norm(x[0] - y, axis=1), rtol=1e-12)


def test_crps_of_an_empirical_distribution():
    v = RNG.standard_normal((300, 2))
    y = np.concatenate([RNG.standard_normal((10, 2)) * 2, v[:3]])  # some targets equal to values
    want = np.array([[direct_crps(y[k, j], v[:, j], fair=False) for j in range(2)] for k in range(len(y))])
    np.testing.assert_allclose(proper.crps_empirical(y, v), want, rtol=1e-11, atol=1e-13)


def test_interval_and_weighted_interval_scores_by_hand():
    # [-1, 1] at 50%: inside, width 2; below by 1: 2 + 2/0.5 * 1 = 6; above by 2: 2 + 4 * 2 = 10
    np.testing.assert_allclose(proper.interval_score([0.0, -2.0, 3.0], -1.0, 1.0, 0.5), [2.0, 6.0, 10.0])
    # WIS of median 0, 50% [-1, 1], 90% [-2, 2] at y = 1.5: (0.5*1.5 + 0.25*(2 + 4*0.5) + 0.05*4) / 2.5
    got = proper.weighted_interval_score(1.5, 0.0, (-1.0, -2.0), (1.0, 2.0), (0.5, 0.1))
    assert float(got) == pytest.approx((0.75 + 1.0 + 0.2) / 2.5)
    # scoringrules' numba backend (its numpy and jax backends of 0.10 add the median itself, not |y - median|)
    y = RNG.standard_normal(20)
    lo = np.stack([y - 1 + RNG.random(20), y - 3 + RNG.random(20)], axis=-1)
    hi = lo + np.array([1.5, 4.0])
    med = y + 0.3 * RNG.standard_normal(20)
    ref = sr.weighted_interval_score(y, med, lo, hi, np.array([0.5, 0.1]), backend="numba")
    np.testing.assert_allclose(proper.weighted_interval_score(y, med, lo.T, hi.T, (0.5, 0.1)), ref, rtol=1e-12)


def test_quantile_crps_approaches_the_crps_as_levels_get_dense():
    levels = (np.arange(1, 400) / 400)
    q = stats.norm.ppf(levels, 0.0, 1.0)[:, None]
    got = proper.crps_quantiles(np.array([0.4]), q, levels)
    assert float(got[0]) == pytest.approx(float(proper.crps_gaussian(0.4, 0.0, 1.0)), rel=0.01)
    np.testing.assert_allclose(proper.quantile_score(1.0, 0.0, 0.9), 0.9)
    np.testing.assert_allclose(proper.quantile_score(-1.0, 0.0, 0.9), 0.1)


def test_calibration_of_an_exchangeable_ensemble():
    # target and members drawn from one distribution: spread/skill near 1, PIT uniform, coverage nominal
    m, n = 20, 30_000
    y = RNG.standard_normal(n)
    x = RNG.standard_normal((m, n))
    assert proper.spread_skill(y, x) == pytest.approx(1.0, abs=0.03)
    pit = proper.pit_values(y, x, seed=1)
    counts = proper.rank_histogram(pit, 10)
    assert stats.chisquare(counts).pvalue > 1e-3
    q = proper.sample_quantiles(x, (0.05, 0.95))
    # the interpolated order statistics sit at ranks 1 + 0.05 (m - 1) and 1 + 0.95 (m - 1) of m + 1 places
    assert proper.coverage(y, q[0], q[1]) == pytest.approx(0.9 * (m - 1) / (m + 1), abs=0.015)
    # an overconfident ensemble (half the spread): ratio about 0.5 * sqrt(2)/sqrt(1.25), a U-shaped histogram
    narrow = 0.5 * x
    assert proper.spread_skill(y, narrow) < 0.7
    c = proper.rank_histogram(proper.pit_values(y, narrow), 10)
    assert c[0] > 2 * c[5] and c[-1] > 2 * c[5]


def test_pit_with_ties_and_sample_quantiles():
    # members all equal to the target: the rank is uniform over all m + 1 places
    y = np.zeros(50_000)
    x = np.zeros((4, 50_000))
    counts = proper.rank_histogram(proper.pit_values(y, x, seed=3), 5)
    assert stats.chisquare(counts).pvalue > 1e-3
    s = RNG.standard_normal((13, 4, 2))
    levels = (0.05, 0.25, 0.5, 0.75, 0.95)
    np.testing.assert_allclose(proper.sample_quantiles(s, levels), np.quantile(s, levels, axis=0), rtol=1e-13)


def test_score_ensembles_agrees_with_the_single_functions():
    y = RNG.standard_normal((3, 8, 2))
    x = RNG.standard_normal((3, 9, 8, 2))
    out = proper.score_ensembles(y, x, seed=0)
    for b in range(3):
        np.testing.assert_allclose(out["crps"][b], proper.crps_ensemble(y[b], x[b]), rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(out["energy_score"][b], proper.energy_score(y[b], x[b]), rtol=1e-12)
        np.testing.assert_allclose(out["mean"][b], x[b].mean(axis=0), rtol=1e-12)
        np.testing.assert_allclose(out["var"][b], x[b].var(axis=0, ddof=1), rtol=1e-10)
        q = np.quantile(x[b], (0.05, 0.25, 0.5, 0.75, 0.95), axis=0)
        np.testing.assert_allclose(out["quantiles"][:, b], q, rtol=1e-12)
        np.testing.assert_allclose(out["wis"][b], proper.weighted_interval_score(y[b], q[2], (q[1], q[0]), (q[3], q[4]),
                                                                                 (0.5, 0.1)), rtol=1e-12)
        assert np.array_equal(out["covered_90"][b], (y[b] >= q[0]) & (y[b] <= q[4]))
        ranks = (x[b] < y[b]).sum(axis=0)
        assert np.all((out["pit"][b] >= ranks / 10) & (out["pit"][b] <= (ranks + 1) / 10))
        assert out["pit_counts"][b].sum() == 16
    # identical members: no spread, exactly
    same = np.repeat(x[:, :1], 9, axis=1) * 1.1
    assert np.all(proper.score_ensembles(y, same)["var"] == 0)


@pytest.mark.parametrize("call, match", [
    (lambda: proper.crps_ensemble(np.zeros(3), np.array([[0, np.nan, 0]] * 4)), "NaN"),
    (lambda: proper.crps_ensemble(np.zeros((5, 2)), np.zeros((4, 5, 3))), "shape"),
    (lambda: proper.crps_ensemble(np.zeros(3), np.zeros((1, 3))), "at least 2 members"),
    (lambda: proper.energy_score(np.zeros((3, 2)), np.zeros((1, 3, 2))), "at least 2 members"),
    (lambda: proper.spread_skill(np.zeros(3), np.ones((1, 3))), "at least 2 members"),
    (lambda: proper.crps_quantiles(np.zeros(2), np.array([[0.0, 1.0], [-1.0, 2.0]]), (0.25, 0.75)), "cross"),
    (lambda: proper.crps_quantiles(np.zeros(2), np.zeros((2, 2)), (0.75, 0.25)), "increasing"),
    (lambda: proper.sample_quantiles(np.zeros((3, 2)), (0.0, 0.5)), "inside"),
    (lambda: proper.interval_score(0.0, 1.0, -1.0, 0.5), "cross"),
    (lambda: proper.score_ensembles(np.zeros((2, 3, 1)), np.zeros((2, 1, 3, 1))), "at least 2 members"),
    (lambda: proper.crps_gaussian(0.0, 0.0, 0.0), "positive"),
])
def test_bad_input_is_a_clear_error(call, match):
    with pytest.raises(InvalidArgumentError, match=match):
        call()


def test_one_member_plain_scores_are_the_errors():
    y = RNG.standard_normal((5, 3))
    x = RNG.standard_normal((1, 5, 3))
    np.testing.assert_allclose(proper.crps_ensemble(y, x, fair=False), np.abs(x[0] - y))
    out = proper.score_ensembles(y[None], x[None], fair=False)
    np.testing.assert_allclose(out["crps"][0], np.abs(x[0] - y))
    np.testing.assert_allclose(out["wis"][0], np.abs(x[0] - y), rtol=1e-12)  # (0.5 + 0.25*4 + 0.05*20) / 2.5 = 1
    assert np.isnan(out["var"]).all()
    assert math.isclose(float(proper.crps_gaussian(0.0, 0.0, 1.0)), (math.sqrt(2) - 1) / math.sqrt(math.pi))
