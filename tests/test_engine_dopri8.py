"""The written-out Dormand-Prince 8(7) solver against diffrax's Dopri8 (an independent
implementation of the same method and controller) and against SciPy's DOP853 at 1e-13."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import chaoszoo as cz
from chaoszoo.engine import dopri8, flows
from chaoszoo.engine._jax import x64


def _decl(name):
    from chaoszoo.catalog.registry import declarations

    return declarations()[name]


def _diffrax(decl, y0, ts, rtol=1e-10, atol=1e-10):
    import diffrax
    import jax.numpy as jnp

    field = flows._vector_field(decl)
    args = {k: jnp.asarray(float(v)) for k, v in decl.params.items()}
    span = float(ts[-1] - ts[0])
    sol = diffrax.diffeqsolve(
        diffrax.ODETerm(field), diffrax.Dopri8(), ts[0], ts[-1], None, jnp.asarray(y0), args,
        saveat=diffrax.SaveAt(ts=jnp.asarray(ts)),
        stepsize_controller=diffrax.PIDController(rtol=rtol, atol=atol, dtmin=span * 1e-14 + 1e-300),
        max_steps=200_000)
    return np.asarray(sol.ys), int(sol.stats["num_steps"])


@pytest.mark.parametrize("name", ["Lorenz", "HyperRossler", "DoubleGyre"])  # 3-D, 4-D, time-dependent
def test_same_steps_and_values_as_diffrax_over_a_period(name):
    decl = _decl(name)
    assert decl.kind == "flow" and "semilinear" not in decl.extra  # the cases are plain ODE flows
    n = 101
    ts = np.arange(n) * decl.period / 100
    y0 = np.asarray(decl.ic, dtype=np.float64)
    with x64():
        import jax
        import jax.numpy as jnp

        ref, ref_steps = _diffrax(decl, y0, ts)
        args = {k: jnp.asarray(float(v)) for k, v in decl.params.items()}
        pad = np.concatenate([ts, np.full(128 - n, ts[-1])])
        field = flows._vector_field(decl)
        ys, status, steps, _ = jax.jit(dopri8.make_solve(field))(
            jnp.asarray(y0), args, jnp.asarray(pad), n, 1e-10, 1e-10, ts[-1] * 1e-14 + 1e-300, 10**6)
        bargs = {k: v[None] for k, v in args.items()}
        yb, sb, stb, _ = jax.jit(jax.vmap(dopri8.make_solve_batched(field), in_axes=(0, 0) + (None,) * 6))(
            jnp.asarray(y0)[None], bargs, jnp.asarray(pad), n, 1e-10, 1e-10, ts[-1] * 1e-14 + 1e-300, 10**6)
    assert int(status) == dopri8.OK and int(sb[0]) == dopri8.OK
    assert int(steps) == ref_steps == int(stb[0])
    scale = np.abs(ref).max()
    np.testing.assert_allclose(np.asarray(ys)[:n], ref, rtol=0, atol=1e-12 * scale)
    np.testing.assert_allclose(np.asarray(yb)[0, :n], ref, rtol=0, atol=1e-12 * scale)


def test_one_period_error_against_scipy_dop853_at_1e13():
    s = cz.get("Lorenz")
    tr = s.trajectory(101, pts_per_period=100)
    ref = solve_ivp(lambda t, y: s.rhs(y, t), (0, tr.t[-1]), s.ic, method="DOP853", t_eval=tr.t,
                    rtol=1e-13, atol=1e-13).y.T
    err = np.abs(tr.values - ref).max()
    # local errors at rtol = atol = 1e-10 amplified over one period; the attractor spans ~50
    assert err < 1e-7
    assert err / np.ptp(ref) < 2e-9


def test_many_samples_per_step_and_odd_lengths():
    # 1,000 samples per period: a step spans ~20 samples (several write passes per step)
    decl = _decl("Lorenz")
    n = 777
    ts = np.arange(n) * decl.period / 1000
    y0 = np.asarray(decl.ic, dtype=np.float64)
    with x64():
        ref, _ = _diffrax(decl, y0, ts)
    s = cz.get("Lorenz")
    tr = s.trajectory(n, pts_per_period=1000)
    np.testing.assert_allclose(tr.values, ref, rtol=0, atol=1e-10)
    ens = np.asarray(s.ensemble(n, ics=np.stack([y0, y0]), pts_per_period=1000))
    np.testing.assert_allclose(ens[1], ref, rtol=0, atol=1e-10)


def test_budget_and_blowup_are_reported():
    decl = _decl("Lorenz")
    with x64():
        import jax
        import jax.numpy as jnp

        field = flows._vector_field(decl)
        args = {k: jnp.asarray(float(v)) for k, v in decl.params.items()}
        ts = jnp.asarray(np.arange(64) * 0.1)
        ys, status, steps, _ = jax.jit(dopri8.make_solve(field))(
            jnp.asarray(decl.ic, dtype=jnp.float64), args, ts, 64, 1e-10, 1e-10, 1e-13, 5)
        assert int(status) == dopri8.BUDGET and int(steps) == 5
        assert np.isinf(np.asarray(ys)[-1]).all()

        def blowup(t, y, args):  # y' = y^2 escapes to infinity at t = 1 / y0 = 0.5
            return y * y

        ys, status, _, _ = jax.jit(dopri8.make_solve(blowup))(
            jnp.asarray([2.0]), None, ts, 64, 1e-10, 1e-10, 1e-13, 10**6)
        assert int(status) != dopri8.OK
        got = np.asarray(ys)[:, 0]
        t = np.asarray(ts)
        ok = np.isfinite(got) & (t < 0.45)
        np.testing.assert_allclose(got[ok], 2.0 / (1 - 2.0 * t[ok]), rtol=1e-8)
