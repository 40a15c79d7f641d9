"""The written-out adaptive Tsit5 interval (chaoszoo.engine.tsit5) against diffrax.

Reference: ``diffrax.diffeqsolve(ODETerm(f), Tsit5(), t0, t1, None, y0,
stepsize_controller=PIDController(rtol, atol), saveat=SaveAt(t1=True))``, the integrator the
adaptive Lyapunov method used before. Same method and controller, so the same number of steps
and the same end state to rounding; here on the state-and-tangent system of the Lyapunov code.
"""

import numpy as np
import pytest

import chaoszoo as cz
from chaoszoo.engine import tsit5
from chaoszoo.engine._jax import x64
from chaoszoo.engine.fields import jax_field
from chaoszoo.engine.kernels import one_kernel


def _augmented(name):
    import jax
    import jax.numpy as jnp

    s = cz.get(name)
    f, n = jax_field(s.declaration), s.dimension

    def aug(t, u, p):
        y, V = u[:n], u[n:].reshape(n, n)
        fy, lin = jax.linearize(lambda yy: f(t, yy, p), y)
        return jnp.concatenate([fy, jax.vmap(lin, in_axes=1, out_axes=1)(V).ravel()])

    return s, aug


# ExcitableCell: bursting spikes (58 steps in a tenth of its period) and 31 parameters;
# Bouali2: hundreds of steps with rejections
@pytest.mark.parametrize("name", ["Lorenz", "ExcitableCell", "Bouali2"])
def test_interval_matches_diffrax_tsit5(name):
    import diffrax
    import jax
    import jax.numpy as jnp

    s, aug = _augmented(name)
    with x64():
        p = {k: jnp.asarray(float(v)) for k, v in s.params.items()}
        u0 = jnp.concatenate([jnp.asarray(s.ic), jnp.eye(s.dimension).ravel()])
        t1 = 0.1 * s.period
        ref = diffrax.diffeqsolve(diffrax.ODETerm(aug), diffrax.Tsit5(), 0.0, t1, None, u0, args=p,
                                  stepsize_controller=diffrax.PIDController(rtol=1e-8, atol=1e-8),
                                  saveat=diffrax.SaveAt(t1=True), max_steps=20_000)
        solve = tsit5.make_interval(aug, 1e-8, 1e-8, 20_000)
        y, ok, steps = jax.jit(solve)(0.0, t1, u0, p)
        # the same computation compiled as one kernel (with its inputs packed)
        y1, ok1, steps1 = jax.jit(one_kernel(solve))(jnp.asarray(0.0), jnp.asarray(t1), u0, p)
    expected = np.asarray(ref.ys[-1])
    assert bool(ok) and bool(ok1)
    assert int(steps) == int(steps1) == int(ref.stats["num_steps"]) > 10
    scale = np.abs(expected).max()
    np.testing.assert_allclose(np.asarray(y), expected, rtol=0, atol=1e-11 * scale)
    np.testing.assert_allclose(np.asarray(y1), expected, rtol=0, atol=1e-11 * scale)


def test_a_spent_budget_is_reported():
    import jax
    import jax.numpy as jnp

    s, aug = _augmented("Lorenz")
    with x64():
        p = {k: jnp.asarray(float(v)) for k, v in s.params.items()}
        u0 = jnp.concatenate([jnp.asarray(s.ic), jnp.eye(3).ravel()])
        y, ok, steps = jax.jit(tsit5.make_interval(aug, 1e-8, 1e-8, 5))(0.0, s.period, u0, p)
    assert not bool(ok) and int(steps) == 5
