"""The written-out ShARK step (chaoszoo.engine.shark) against diffrax's ShARK, and its noise.

Reference: ``diffrax.diffeqsolve(..., diffrax.ShARK(), ConstantStepSize())`` driven by a
``VirtualBrownianTree``; chaoszoo's step is fed the very increments ``(W, H)`` that the tree
gives for each step, so the two must agree to rounding. The increments chaoszoo draws itself
are checked against their law: ``W ~ N(0, h)``, ``H ~ N(0, h/12)``, independent.
"""

import numpy as np
import pytest

import chaoszoo as cz
from chaoszoo.engine import flows, shark
from chaoszoo.engine._jax import x64


@pytest.mark.parametrize("name", ["Lorenz", "Rossler", "Duffing"])
def test_step_matches_diffrax_shark_with_the_same_increments(name):
    import diffrax
    import jax
    import jax.numpy as jnp
    import lineax

    s = cz.get(name)
    decl = s.declaration
    field = flows._vector_field(decl)
    h, n_steps = s.period / 200, 400
    with x64():
        p = {k: jnp.asarray(float(v)) for k, v in s.params.items()}
        y0 = jnp.asarray(s.ic)
        sigma = jnp.asarray(0.3 * (1.0 + np.arange(len(s.ic))))
        t1 = n_steps * h
        bm = diffrax.VirtualBrownianTree(0.0, t1, tol=h / 4, shape=y0.shape, key=jax.random.PRNGKey(3),
                                         levy_area=diffrax.SpaceTimeLevyArea)
        terms = diffrax.MultiTerm(
            diffrax.ODETerm(field),
            diffrax.ControlTerm(lambda t, y, a: lineax.DiagonalLinearOperator(sigma * jnp.ones_like(y)), bm))
        ts = jnp.arange(n_steps + 1) * h
        ref = diffrax.diffeqsolve(terms, diffrax.ShARK(), 0.0, t1, h, y0, p, saveat=diffrax.SaveAt(ts=ts),
                                  stepsize_controller=diffrax.ConstantStepSize(), max_steps=n_steps + 8).ys
        y, ours = y0, [y0]
        for j in range(n_steps):
            inc = bm.evaluate(ts[j], ts[j + 1], use_levy=True)
            y = shark.step(field, p, ts[j], y, h, sigma, inc.W, inc.H)
            ours.append(y)
        ours = np.asarray(jnp.stack(ours))
    ref = np.asarray(ref)
    scale = np.abs(ref).max()
    # two periods of a chaotic flow: rounding grows, but stays far below the noise's effect
    assert np.abs(ours - ref).max() <= 1e-9 * scale


def test_drawn_increments_have_the_brownian_law():
    import jax
    import jax.numpy as jnp

    h, n = 0.02, 20_000
    with x64():
        key = jax.random.PRNGKey(11)
        W, H = jax.vmap(lambda j: shark.increments(key, j, h, 2, jnp.float64))(jnp.arange(n))
        W, H = np.asarray(W).ravel(), np.asarray(H).ravel()
    m = len(W)
    # variances within 4 standard errors (var of a sample variance: 2 sigma^4 / m)
    assert abs(W.var() - h) < 4 * h * np.sqrt(2 / m)
    assert abs(H.var() - h / 12) < 4 * (h / 12) * np.sqrt(2 / m)
    assert abs(np.corrcoef(W, H)[0, 1]) < 4 / np.sqrt(m)
    assert abs(W.mean()) < 4 * np.sqrt(h / m)


def test_noisy_runs_are_reproducible_and_independent_of_length_and_batch():
    s = cz.get("Lorenz")
    a = s.trajectory(300, pts_per_period=100, noise=0.5, seed=5).values
    b = s.trajectory(600, pts_per_period=100, noise=0.5, seed=5).values
    np.testing.assert_array_equal(a, b[:300])  # one step's increment depends on its index only
    ics = np.stack([s.ic, s.ic + 1.0])
    e1 = s.ensemble(300, ics=ics, pts_per_period=100, noise=0.5, seed=5)
    e2 = s.ensemble(300, ics=ics[:1], pts_per_period=100, noise=0.5, seed=5)
    np.testing.assert_allclose(e1[0], e2[0], rtol=0, atol=1e-9 * np.abs(e1).max())
