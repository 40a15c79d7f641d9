"""Integration of ordinary (and additive-noise stochastic) differential equations.

Deterministic flows use the adaptive 8th-order Dormand-Prince method (``Dopri8``'s
coefficients and dense output, diffrax's PID step-size controller) in the written-out form
of :mod:`chaoszoo.engine.dopri8`: the same steps and values as ``diffrax.diffeqsolve`` with
``Dopri8`` (to ~1e-12 over a period), compiled on a CPU as one kernel per batch chunk
(:mod:`chaoszoo.engine.kernels`). Lorenz (10,000 samples at 100 per period,
``rtol = atol = 1e-10``) takes 7,507 attempted steps (6,627 accepted, 13 right-hand-side
evaluations each); times and ratios against a compiled native DOP853 are printed by
``benchmarks/bench_engine.py``. The step budget and the number of samples are runtime
values: one compiled solver serves every length up to its power-of-two bucket.

With dynamical noise the equation is ``dX = f(X, t) dt + noise dW`` (additive, diagonal),
solved by ShARK (strong order 1.5 for additive noise, :mod:`chaoszoo.engine.shark`) at a fixed
step that divides the sampling interval, its Brownian increments drawn from an explicit key.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import math

import numpy as np

from chaoszoo.catalog.declaration import Declaration
from chaoszoo.engine.fields import jax_field
from chaoszoo.engine.kernels import MemberMap

#: Step budget: a solve may take at most this many steps per declared period (plus
#: ``BASE_STEPS``). Non-stiff entries need ~75 (Lorenz at 1e-10: 7,507 attempted steps for
#: 100 periods); an escaping solution with ever faster oscillations exhausts it quickly and
#: is reported instead of running for minutes. A runtime argument: it costs one comparison
#: per step and no recompilation.
STEPS_PER_PERIOD = 10_000
BASE_STEPS = 100_000


#: The budget is an int32 inside the solver: larger values would wrap to negative and stop
#: the solve at its first step (a 2.1-million-sample Lorenz run did, before this cap).
MAX_BUDGET = 2**31 - 1


def step_budget(span: float, period: float) -> int:
    return min(MAX_BUDGET, bucket(int(BASE_STEPS + STEPS_PER_PERIOD * span / period), minimum=BASE_STEPS))


def bucket(n: int, minimum: int = 64) -> int:
    """Round a length up to a power of two, so compiled solvers are reused across lengths."""
    return max(minimum, 1 << max(0, (n - 1).bit_length()))


class Group(tuple):
    """The flows of one dimension that share a compiled solver (see :func:`shared_solvers`)."""

    __slots__ = ()


_SHARED = contextvars.ContextVar("chaoszoo_shared_solvers", default=False)


@contextlib.contextmanager
def shared_solvers(enabled: bool = True):
    """Within this context, flows of equal dimension share one compiled solver.

    Compiling a solver costs about a second per system. Catalog-wide jobs (dataset builds,
    ``chaoszoo run``, annotation, the conformance suite) instead compile, once per state
    dimension, a solver whose vector field is a ``lax.switch`` over every catalog flow of
    that dimension; the system is chosen by a runtime index and its parameters travel as a
    padded vector, and the Runge-Kutta stages run as a loop so that the switch appears once.
    Measured on 2 cores: the 105 three-dimensional flows compile in one go in ~4 s (16 s
    with the stages unrolled), and a Lorenz trajectory of 1,000 samples then takes 0.7 ms.
    Results agree with the per-system solver to ~1e-12 (not bitwise: the stage sums run in
    another order), so a job uses one mode throughout; the mode is a deterministic setting,
    never chosen automatically.
    """
    token = _SHARED.set(bool(enabled))
    try:
        yield
    finally:
        _SHARED.reset(token)


def _group_of(decl: Declaration) -> Group | None:
    from chaoszoo.catalog.registry import declarations

    def eligible(d):
        return d.kind == "flow" and not d.resizable and "semilinear" not in d.extra and not d.integer_params

    if not eligible(decl):
        return None
    members = Group(d for d in declarations().values() if eligible(d) and d.dimension == decl.dimension)
    return members if decl in members else None


@functools.cache
def _vector_field(key):
    """``f(t, y, args)`` for one declaration (args: params dict) or a group (args: (index, pvec))."""
    if isinstance(key, Group):
        import jax

        def branch(d):
            f = jax_field(d)
            names = list(d.params)
            return lambda t, y, pvec: f(t, y, {n: pvec[i] for i, n in enumerate(names)})

        branches = [branch(d) for d in key]
        return lambda t, y, args: jax.lax.switch(args[0], branches, t, y, args[1])
    field = jax_field(key)
    return lambda t, y, args: field(t, y, args)


def _args_axes(key):
    return (None, 0) if isinstance(key, Group) else 0


@functools.cache
def _ode_solver(key):
    """The Dormand-Prince 8(7) solver of :mod:`chaoszoo.engine.dopri8` for one declaration or
    group, run over a batch by :class:`~chaoszoo.engine.kernels.MemberMap`:
    ``solve(y0, args, ts, n, rtol, atol, dtmin, max_steps)``. A group's solver loops over the
    stages (one copy of its ``lax.switch`` of vector fields, so it compiles in seconds)."""
    from chaoszoo.engine.dopri8 import make_solve, make_solve_batched

    field = _vector_field(key)
    return MemberMap(make_solve(field, loop=isinstance(key, Group)),
                     (0, _args_axes(key), None, None, None, None, None, None), ("ode", key),
                     vmap_one=make_solve_batched(field))


@functools.cache
def _sde_solver(key):
    """The fixed-step ShARK solver of :mod:`chaoszoo.engine.shark` for one declaration or group,
    run over a batch: ``solve(y0, args, ts, n, h, sub, sigma, keys) -> (ys, status)``."""
    from chaoszoo.engine.shark import make_solve

    return MemberMap(make_solve(_vector_field(key)), (0, _args_axes(key), None, None, None, None, None, 0),
                     ("sde", key))


def integrate(decl: Declaration, y0, params, ts: np.ndarray, *, rtol: float, atol: float,
              noise: float = 0.0, keys=None, sample_dt: float | None = None):
    """Integrate a batch of initial conditions; returns ``(ys (k, n, d), ok (k,))`` as NumPy.

    ``y0`` is ``(k, d)``; ``params`` maps each name to a ``(k,)`` array; ``ts`` holds the
    sample times (increasing, ``ts[0]`` the initial time).
    """
    import jax.numpy as jnp

    n = len(ts)
    padded = np.concatenate([ts, np.full(bucket(n) - n, ts[-1])]) if bucket(n) > n else ts
    if n == 1:
        ys = np.asarray(y0)[:, None, :]
        return ys, np.ones(len(ys), bool)
    span = float(ts[-1] - ts[0])
    group = _group_of(decl) if _SHARED.get() else None
    if group is not None:
        width = max(len(d.params) for d in group)
        pvec = np.zeros((len(y0), width))
        for i, name in enumerate(decl.params):
            pvec[:, i] = np.asarray(params[name])
        key, args = group, (group.index(decl), jnp.asarray(pvec))
        # one budget for every member: 2,000 steps per sample (Lorenz needs ~0.5)
        budget = min(MAX_BUDGET, bucket(BASE_STEPS + 2_000 * len(padded), minimum=BASE_STEPS))
    else:
        key, args = decl, params
        budget = step_budget(span, decl.period)
    if np.any(np.asarray(noise) > 0):
        sample_dt = float(ts[1] - ts[0])
        sub = max(1, math.ceil(sample_dt / (decl.period / 200)))
        ys, res = _sde_solver(key)(jnp.asarray(y0), args, jnp.asarray(padded), n, sample_dt / sub, sub,
                                   jnp.asarray(noise), keys)
    else:
        dtmin = span * 1e-14 + 1e-300
        ys, res, _, _ = _ode_solver(key)(jnp.asarray(y0), args, jnp.asarray(padded), n, rtol, atol, dtmin, budget)
    ys = np.asarray(ys)[:, :n]
    return ys, np.asarray(res) == 0
