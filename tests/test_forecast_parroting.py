"""Context parroting (Zhang & Gilpin 2025) checked against its definition on constructed series."""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from chaoszoo.errors import InvalidArgumentError, NotFittedError
from chaoszoo.forecast import registry
from chaoszoo.forecast.conformance import check_model
from chaoszoo.forecast.interface import ForecastInfo
from chaoszoo.forecast.models.parroting import ContextParroting, parrot_match


def _planted(rng, D=8):
    """A series whose last D samples repeat exactly one earlier stretch: the match is known,
    and so is what context parroting must copy (and repeat)."""
    noise = lambda n: 100.0 + rng.standard_normal(n)  # noqa: E731 - far from the motif's values
    motif = rng.standard_normal(D)
    after = rng.standard_normal(40)
    x = np.concatenate([noise(50), motif, after, noise(30), motif])
    s_star = 50 + D - 1
    return x, s_star, D


def test_the_match_is_the_planted_stretch_and_what_followed_it_is_copied_then_repeated():
    rng = np.random.default_rng(0)
    x, s_star, D = _planted(rng)
    m = ContextParroting(motif=D).fit(x[:, None], ForecastInfo())
    assert m.matches() == [(s_star, 0.0)]
    period = len(x) - 1 - s_star                 # the copy runs from the match to the present sample
    y = m.predict(3 * period + 5)[:, 0]
    copy = x[s_star + 1:]                        # what followed the match: after, noise, motif
    assert len(copy) == period and copy[-1] == x[-1]
    np.testing.assert_array_equal(y[:period], copy)
    np.testing.assert_array_equal(y[period:2 * period], copy)     # a longer horizon repeats the copy
    np.testing.assert_array_equal(y, np.tile(copy, 4)[:len(y)])
    np.testing.assert_array_equal(m.predict(7)[:, 0], copy[:7])     # a shorter one is its beginning


def test_the_distance_is_euclidean():
    """Stretch A differs from the motif by (1, 1, 1, 1): L2 = 2, L1 = 4; stretch B by (3, 0, 0, 0):
    L2 = 3, L1 = 3. The Euclidean match is A (an L1 match would be B)."""
    motif = np.array([0.0, 1.0, 2.0, 3.0])
    a, b = motif + 1.0, motif + np.array([3.0, 0.0, 0.0, 0.0])
    far = lambda n: np.full(n, 50.0) + np.arange(n)  # noqa: E731
    x = np.concatenate([far(5), b, far(6), a, far(7), motif])
    s, dist = parrot_match(x[:, None], 4)
    assert s == 5 + 4 + 6 + 4 - 1 and dist == pytest.approx(2.0)
    # with A removed, B (distance 3) is the match
    y = np.concatenate([far(5), b, far(17), motif])
    assert parrot_match(y[:, None], 4) == (5 + 4 - 1, pytest.approx(3.0))


def test_a_stretch_overlapping_the_motif_is_not_a_candidate():
    """A constant tail matches every shifted copy of itself; only stretches ending before the
    motif begins count, so the copy is at least one motif long."""
    x = np.concatenate([np.linspace(-1.0, 1.0, 20), np.zeros(12)])
    s, _ = parrot_match(x[:, None], 5)
    assert s <= len(x) - 1 - 5
    y = ContextParroting(motif=5).fit(x[:, None]).predict(30)
    assert np.all(np.isfinite(y))


def test_variables_are_parroted_one_by_one_unless_joint():
    rng = np.random.default_rng(1)
    x0, s0, D = _planted(rng)
    x1 = rng.standard_normal(len(x0))             # no planted repeat: its own, different match
    h = np.column_stack([x0, x1])
    m = ContextParroting(motif=D).fit(h)
    (sa, _), (sb, _) = m.matches()
    assert sa == s0 and sb == parrot_match(x1[:, None], D)[0]
    y = m.predict(20)
    np.testing.assert_array_equal(y[:, 0], ContextParroting(motif=D).fit(x0[:, None]).predict(20)[:, 0])
    np.testing.assert_array_equal(y[:, 1], ContextParroting(motif=D).fit(x1[:, None]).predict(20)[:, 0])
    # joint: one match for both variables, by the distance summed over them
    j = ContextParroting(motif=D, joint=True).fit(h)
    (s, dist), = j.matches()
    win = np.lib.stride_tricks.sliding_window_view(h[:-D], D, axis=0)
    brute = [np.sqrt(np.sum((w.T - h[-D:]) ** 2)) for w in win]
    assert s == int(np.argmin(brute)) + D - 1 and dist == pytest.approx(min(brute))
    np.testing.assert_array_equal(j.predict(10), h[s + 1 + np.arange(10) % (len(h) - 1 - s)])


def test_refusals():
    with pytest.raises(NotFittedError):
        ContextParroting().predict(3)
    with pytest.raises(InvalidArgumentError, match="at least 60 samples"):
        ContextParroting(motif=30).fit(np.zeros((59, 1)))
    for bad in (0, -1, 2.5, True, "10"):
        with pytest.raises(InvalidArgumentError):
            ContextParroting(motif=bad)
    m = ContextParroting(motif=4).fit(np.arange(20.0))
    with pytest.raises(InvalidArgumentError):
        m.predict(0)
    assert pickle.loads(pickle.dumps(m)).predict(5).tolist() == m.predict(5).tolist()


def test_registered_and_conforms():
    spec = registry.get_spec("parroting")
    assert spec.family == "baseline" and "2505.11349" in spec.citation
    assert check_model("parroting", fast=True, horizon=40).passed
    assert check_model("parroting", fast=False, horizon=40).passed
