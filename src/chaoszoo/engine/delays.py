"""A method-of-steps solver for delay differential equations ``x' = f(x(t), x(t - tau), t)``.

diffrax has no delay-equation solver, so this one is ours. The step ``h = tau / m``
divides the delay exactly, so delayed values at step starts and ends fall on stored grid
points; the midpoint values that classical 4th-order Runge-Kutta needs come from the cubic
Hermite interpolant of the stored states and derivatives (error ``O(h^4)``, the order of
the method). The history before ``t = 0`` is constant and equal to the initial condition.
Samples between steps are read off the same Hermite interpolant. The step is tied to the
tolerance: ``h <= 0.3 * period * rtol ** 0.25``.
"""

from __future__ import annotations

import functools
import math

import numpy as np

from chaoszoo.catalog.declaration import Declaration
from chaoszoo.engine.fields import jax_field
from chaoszoo.engine.kernels import MemberMap
from chaoszoo.errors import InvalidArgumentError


def step_count(decl: Declaration, tau: float, rtol: float, sample_dt: float) -> int:
    """Number of steps per delay interval, ``m``, so that ``h = tau / m``."""
    h_target = min(0.3 * decl.period * rtol**0.25, sample_dt, 2 * decl.dt)
    return max(4, math.ceil(tau / h_target))


@functools.cache
def _solver(decl: Declaration, m: int, n_steps: int, noisy: bool):
    """The method of steps over ``n_steps`` steps of ``h = tau / m``, run over a batch.

    The steps go one delay interval (``m`` steps) at a time: every delayed value a step
    reads lies in the previous interval (or is the current interval's first state), so an
    interval reads a fixed history of ``m + 1`` states and derivatives and writes only its
    own outputs. A history that is read and overwritten step by step (a ring buffer) made
    XLA copy it at every step, ~5 us per step for Mackey-Glass's 7,069-entry history.
    """
    import jax
    import jax.numpy as jnp

    field = jax_field(decl)
    n_blocks = -(-n_steps // m)

    def one(y0, params, h, noise, key):
        d = y0.shape[0]

        def interval(carry, b):
            y, X_prev, F_prev = carry  # the previous interval's states and derivatives
            # the noise of interval b, from the member's key folded with b: a path does not
            # depend on the run's length, and no (steps, d) array is held
            e_b = (jax.random.normal(jax.random.fold_in(key, b), (m, d), dtype=y0.dtype) * jnp.sqrt(h) * noise
                   if noisy else jnp.zeros((m, d), y0.dtype))
            t_b = b * m * h
            # the interval's first derivative, x'(t_b), delayed state X_prev[0]; before t = 0
            # the history is constant, so the derivative it offers at t = 0 is zero
            f_start = field(t_b, y, params, X_prev[0])
            X = jnp.concatenate([X_prev, y[None]])
            F = jnp.concatenate([F_prev, jnp.where(b == 0, 0.0, f_start)[None]])

            def step(y, inp):
                i, e = inp
                t = (b * m + i) * h
                x0, f0, x1, f1 = X[i], F[i], X[i + 1], F[i + 1]
                xmid = 0.5 * (x0 + x1) + h * (f0 - f1) / 8.0
                k1 = field(t, y, params, x0)
                k2 = field(t + h / 2, y + h / 2 * k1, params, xmid)
                k3 = field(t + h / 2, y + h / 2 * k2, params, xmid)
                k4 = field(t + h, y + h * k3, params, x1)
                return y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4) + e, (y, k1)

            y, (xs, fs) = jax.lax.scan(step, y, (jnp.arange(m), e_b))
            return (y, xs, fs), (xs, fs)

        # before t = 0 the state is y0 with zero derivative
        start = (y0, jnp.broadcast_to(y0, (m, d)), jnp.zeros((m, d), y0.dtype))
        _, (ys, fs) = jax.lax.scan(interval, start, jnp.arange(n_blocks))
        return ys.reshape(n_blocks * m, d)[:n_steps], fs.reshape(n_blocks * m, d)[:n_steps]

    return MemberMap(one, (0, 0, None, None, 0), ("delay", decl, m, n_steps, noisy))


def integrate(decl: Declaration, y0, params, ts: np.ndarray, *, rtol: float, noise: float = 0.0, keys=None):
    """Integrate a batch; returns ``(ys (k, n, d), ok (k,))`` sampled at ``ts`` (``ts[0] = 0``)."""
    import jax.numpy as jnp

    from chaoszoo.engine.flows import bucket

    taus = np.unique(np.asarray(params[decl.delay]))
    if len(taus) != 1 or not taus[0] > 0:
        raise InvalidArgumentError(
            f"{decl.name}: the delay {decl.delay!r} must be positive and the same for every "
            f"member of an ensemble; got {taus.tolist()}."
        )
    tau = float(taus[0])
    sample_dt = float(ts[1] - ts[0]) if len(ts) > 1 else decl.dt
    m = step_count(decl, tau, rtol, sample_dt)
    h = tau / m
    n_needed = int(math.ceil(ts[-1] / h)) + 2
    n_steps = bucket(n_needed)
    if keys is None:
        keys = jnp.zeros((len(y0), 2), dtype=jnp.uint32)
    noisy = bool(np.any(np.asarray(noise) > 0))
    ys, fs = _solver(decl, m, n_steps, noisy)(jnp.asarray(y0), params, h, jnp.asarray(noise), keys)
    # cubic Hermite interpolation of the steps at the sample times
    # (a member that blew up holds inf; it is reported by the caller, not warned about here)
    with np.errstate(invalid="ignore", over="ignore"):
        j = np.minimum((ts / h).astype(np.int64), n_steps - 2)
        s = (ts / h - j)[None, :, None]
        x0, x1, f0, f1 = ys[:, j], ys[:, j + 1], fs[:, j], fs[:, j + 1]
        h00 = 2 * s**3 - 3 * s**2 + 1
        h10 = s**3 - 2 * s**2 + s
        h01 = -2 * s**3 + 3 * s**2
        h11 = s**3 - s**2
        out = h00 * x0 + h10 * h * f0 + h01 * x1 + h11 * h * f1
    return out, np.isfinite(out).all(axis=(1, 2))
