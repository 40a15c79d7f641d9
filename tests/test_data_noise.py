"""The dataset's dynamical-noise model: one amplitude per variable from its robust spread."""

import math

import numpy as np
import pytest

import chaoszoo as cz
from chaoszoo.data.generate import attractor_scales
from chaoszoo.errors import IntegrationError


def test_scales_equal_the_std_of_a_gaussian_variable():
    # analytic: the interquartile range of N(0, s^2) is 2 * 0.6745 * s = 1.349 s
    rng = np.random.default_rng(0)
    s = np.array([0.5, 2.0, 7.0])
    pool = rng.standard_normal((200_000, 3)) * s
    np.testing.assert_allclose(attractor_scales(cz.get("Lorenz"), pool), s, rtol=1e-2)


def test_rossler_at_noise_level_02_stays_on_the_attractor():
    # Rossler's z spends most of its time just above 0, where the flow diverges below it.
    # Noise scaled by each variable's standard deviation (z: 2.8) pushes it across and the
    # solution blows up; the dataset's robust scales (z: IQR / 1.349 = 0.13) keep it bounded.
    s = cz.get("Rossler")
    pool = s.trajectory(600, pts_per_period=15, transient=300).values
    ics = pool[::75][:8]
    level, root_t = 0.2, math.sqrt(s.period)
    robust = level * attractor_scales(s, pool) / root_t
    assert robust[2] < 0.1 * robust[0]
    kw = dict(ics=ics, pts_per_period=20, seed=3)
    with pytest.raises(IntegrationError):
        s.ensemble(240, noise=level * pool.std(axis=0) / root_t, **kw)
    noisy = s.ensemble(240, noise=robust, **kw)
    clean = s.ensemble(240, ics=ics, pts_per_period=20)
    assert np.isfinite(noisy).all() and noisy[..., 2].min() > -1.0 and noisy[..., 2].max() < 40.0
    assert not np.allclose(noisy, clean)                       # the noise is applied ...
    assert abs(noisy[..., 0].std() / clean[..., 0].std() - 1) < 0.3   # ... on the same attractor


def test_noise_fallback_ends_in_measurement_noise_never_a_skipped_variant():
    # BeddingtonPredatorPrey's predator sits near 0 and the map diverges below it: additive
    # dynamical noise of any of the tried sizes (1 down to 1/8 of the robust level) eventually
    # pushes a member across. Its noisy variant is then the clean trajectories plus measurement
    # noise of the preset's level (0.2 x each variable's robust spread), recorded as such.
    from chaoszoo.data import Preset
    from chaoszoo.data.generate import NOISE_FACTORS, generate_system

    p = Preset(name="noise", systems=("BeddingtonPredatorPrey",), n_ics=20, periods=12.0, fine_pts=100,
               coarse_pts=20, noise_level=0.2, univariate=True, lyapunov=False)
    res = generate_system(cz.get("BeddingtonPredatorPrey"), p)
    assert "noisy" not in res.skipped and res.info["noise_kind"] == "observation"
    assert f"{NOISE_FACTORS[-1]:g} times" in res.info["noise_fallback"] and "blow-up" in res.info["noise_fallback"]
    key = lambda b: (b.granularity, b.univariate)  # noqa: E731
    clean = {key(b): b for b in res.blocks if not b.noisy}
    noisy = {key(b): b for b in res.blocks if b.noisy}
    assert set(clean) == set(noisy) and len(clean) == 4
    for k, nb in noisy.items():
        diff = nb.values - clean[k].values
        assert np.isfinite(nb.values).all() and abs(diff.mean()) < 0.05 * diff.std()
    multi = noisy[("fine", False)]
    diff = multi.values - clean[("fine", False)].values          # (members, samples, variables)
    x = clean[("fine", False)].values.reshape(-1, diff.shape[-1])
    q75, q25 = np.percentile(x, [75, 25], axis=0)
    robust = (q75 - q25) / 1.349                                   # each variable's spread, from the data
    np.testing.assert_allclose(diff.reshape(-1, diff.shape[-1]).std(axis=0), 0.2 * robust, rtol=0.35)
    obs = multi.variables.index(noisy[("fine", True)].variables[0])
    np.testing.assert_array_equal(noisy[("fine", True)].values[..., 0], multi.values[..., obs])
