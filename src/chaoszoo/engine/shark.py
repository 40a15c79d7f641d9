"""Additive-noise stochastic differential equations at a fixed step: ShARK, written out.

The equation is ``dX = f(X, t) dt + diag(sigma) dW`` (additive, diagonal, constant noise).
ShARK, the shifted additive-noise Runge-Kutta method of Foster, dos Reis & Strange (2023,
equation 6.1; strong order 1.5 for additive noise, two drift evaluations per step), advances
a step of length ``h`` with the Brownian increment ``W`` and the space-time Levy area ``H``:

.. math::

    z_1 &= y + \\sigma H, \\qquad
    z_2 = y + a_{21} h f(t, z_1) + \\sigma (a^W_2 W + a^H_2 H), \\\\
    y_+ &= y + h \\big(b_1 f(t, z_1) + b_2 f(t + c_2 h, z_2)\\big) + \\sigma (b^W W + b^H H),

with the coefficients of diffrax's ``ShARK`` tableau (read from it, so they cannot drift).
For a fixed step the pair ``(W, H)`` of each step is drawn directly: ``W ~ N(0, h)`` and
``H ~ N(0, h / 12)``, independent (the space-time Levy area of Brownian motion over a step is
Gaussian with variance ``h / 12`` and independent of the increment), from the member's key
folded with the step's index, so a path is the same whatever the run length.

Why not ``diffrax.diffeqsolve`` with a ``VirtualBrownianTree``: the tree rebuilds every
step's increment by bisection from the whole interval, and XLA runs the solve as many small
kernels; measured on Lorenz (1,000 samples, 1,998 steps): 80-125 us per step, where this
solver, compiled as one kernel (:mod:`chaoszoo.engine.kernels`), takes 1.5 us, most of it
drawing the increments (threefry and the normal transform: 0.9 us per step). The test suite
checks this step against ``diffrax.ShARK`` driven by the same increments.

Reference: Foster, J., dos Reis, G., Strange, C. (2023). High order splitting methods for
SDEs satisfying a commutativity condition. arXiv:2210.17543.
"""

from __future__ import annotations

import functools

import numpy as np


@functools.cache
def coefficients() -> dict:
    """ShARK's coefficients, from ``diffrax.ShARK.tableau``."""
    import diffrax

    tab = diffrax.ShARK.tableau
    out = dict(a21=float(np.asarray(tab.a[0])[0]), c2=float(np.asarray(tab.c)[0]),
               b=np.asarray(tab.b_sol, dtype=np.float64),
               aw=np.asarray(tab.coeffs_w.a, dtype=np.float64), bw=float(tab.coeffs_w.b_sol),
               ah=np.asarray(tab.coeffs_hh.a, dtype=np.float64), bh=float(tab.coeffs_hh.b_sol))
    assert len(out["b"]) == 2 and tab.coeffs_kk is None
    return out


def step(field, args, t, y, h, sigma, W, H):
    """One ShARK step from ``(t, y)`` with increment ``W`` and space-time Levy area ``H``."""
    k = coefficients()
    z1 = y + sigma * (k["aw"][0] * W + k["ah"][0] * H)
    f1 = field(t, z1, args)
    z2 = y + k["a21"] * h * f1 + sigma * (k["aw"][1] * W + k["ah"][1] * H)
    f2 = field(t + k["c2"] * h, z2, args)
    return y + h * (k["b"][0] * f1 + k["b"][1] * f2) + sigma * (k["bw"] * W + k["bh"] * H)


def increments(key, j, h, d: int, dtype):
    """Step ``j``'s ``(W, H)``: independent, ``N(0, h)`` and ``N(0, h / 12)`` per variable."""
    import jax
    import jax.numpy as jnp

    z = jax.random.normal(jax.random.fold_in(key, j), (2, d), dtype=dtype)
    return z[0] * jnp.sqrt(h), z[1] * jnp.sqrt(h / 12.0)


def make_solve(field):
    """``solve(y0, args, ts, n, h, sub, sigma, key) -> (ys, status)`` for one member.

    ``ys`` has ``len(ts)`` rows: the state at ``ts[0] + i * sub * h`` for ``i < n`` (``sub``
    steps of ``h`` between samples), ``inf`` beyond and from the first non-finite state on
    (the solve stops there; ``status`` is 0, or 2 after a blow-up).
    """
    import jax
    import jax.numpy as jnp

    def solve(y0, args, ts, n, h, sub, sigma, key):
        d, dtype = y0.shape[0], y0.dtype
        t0 = ts[0]
        ys = jnp.full((ts.shape[0], d), jnp.inf, dtype).at[0].set(y0)

        def advance(s, c):
            y, j = c
            W, H = increments(key, j, h, d, dtype)
            return step(field, args, t0 + j * h, y, h, sigma, W, H), j + 1

        def cond(c):
            i, y, _, _ = c
            return (i < n) & jnp.all(jnp.isfinite(y))

        def body(c):
            i, y, j, ys = c
            y, j = jax.lax.fori_loop(0, sub, advance, (y, j))
            ys = jax.lax.dynamic_update_index_in_dim(ys, jnp.where(jnp.isfinite(y), y, jnp.inf), i, 0)
            return i + 1, y, j, ys

        i, y, _, ys = jax.lax.while_loop(cond, body, (jnp.ones((), n.dtype), y0, jnp.zeros((), jnp.int64), ys))
        return ys, jnp.where(jnp.all(jnp.isfinite(y)), 0, 2).astype(jnp.int32)

    return solve
