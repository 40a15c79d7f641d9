"""Tsitouras's 5(4) method with step-size control, written out, for one interval at a time.

This is what ``diffrax.diffeqsolve(ODETerm(f), Tsit5(), t0, t1, None, y0,
stepsize_controller=PIDController(rtol, atol), saveat=SaveAt(t1=True), max_steps=m)``
computes, step for step: the same Butcher tableau (Tsitouras 2011, six stages plus the
first-same-as-last evaluation), read from ``diffrax.Tsit5`` so the coefficients cannot drift,
and the same controller as ``diffrax.PIDController`` with its defaults (integral control,
error order 5, safety 0.9, step factor in [0.2, 10], RMS norm of the error relative to
``atol + rtol max(|y0|, |y1|)``), the same first step (0.01: diffrax 0.7 hands the controller a
wrapped term, for which it skips its initial-step rule), the final step clipped within 100
ULPs of ``t1`` as diffrax does, and the same budget (``max_steps`` attempted steps; beyond it
the result is marked failed). The test suite checks it against diffrax directly.

It integrates the state and tangent frame of the adaptive Lyapunov method
(:mod:`chaoszoo.analysis.lyapunov`), one interval between two re-orthonormalisations per call.
Why not diffrax's loop: on a CPU it runs the stages as a loop of small kernels and cannot be
compiled as a single kernel here (XLA's single-kernel emitter aborts on the loops it
outlines in it: ExcitableCell, jaxlib 0.10.2), so the 17 catalog systems that need the
adaptive method cost half of ``chaoszoo annotate --all``. The stages here are unrolled at
trace time in one ``lax.while_loop``, which compiles as one kernel
(:func:`chaoszoo.engine.kernels.one_kernel`).
"""

from __future__ import annotations

import functools

import numpy as np

from chaoszoo.engine.dopri8 import _combine  # sum_j w_j f_j over the non-zero weights

#: diffrax's controller defaults.
SAFETY, FACTOR_MIN, FACTOR_MAX = 0.9, 0.2, 10.0
FIRST_STEP = 0.01


@functools.cache
def coefficients():
    """``(A, c, b, e)``: stage matrix rows (stages 2..7), nodes, weights and error weights,
    from ``diffrax.Tsit5``; the error order (5) from diffrax's rule (the method's order)."""
    import diffrax

    tab = diffrax.Tsit5.tableau
    A = [np.asarray(row, dtype=np.float64) for row in tab.a_lower]
    c = np.asarray(tab.c, dtype=np.float64)
    b = np.asarray(tab.b_sol, dtype=np.float64)
    e = np.asarray(tab.b_error, dtype=np.float64)
    assert len(A) == 6 and len(b) == 7 and tab.fsal
    return A, c, b, e


def make_interval(field, rtol: float, atol: float, max_steps: int):
    """``solve(t0, t1, y0, args) -> (y1, ok, steps)``: ``y`` (a flat vector) carried from
    ``t0`` to ``t1`` by ``field(t, y, args)``; ``ok`` is false when the budget ran out or the
    state became non-finite; ``steps`` counts attempted steps."""
    import jax.numpy as jnp
    from jax import lax

    A, c, b, e = coefficients()
    order = 5.0

    def solve(t0, t1, y0, args):
        dtype = y0.dtype
        d = y0.shape[0]
        floor = t1
        for _ in range(100):  # the end minus 100 ULPs, where diffrax clips the last step
            floor = jnp.nextafter(floor, jnp.asarray(-jnp.inf, dtype))
        tnext = jnp.minimum(t0 + FIRST_STEP, t1)
        f0 = field(t0, y0, args)

        def cond(s):
            tprev, _, _, _, steps = s
            return (tprev < t1) & (steps < max_steps)

        def body(s):
            tprev, tnext, y, f0, steps = s
            dt = tnext - tprev
            fs = [f0]
            for row, ci in zip(A, c):
                fs.append(field(tprev + ci * dt, y + dt * _combine(row, fs), args))
            y1 = y + dt * _combine(b, fs)
            err = dt * _combine(e, fs)
            y1c = jnp.where(jnp.any(jnp.isnan(y1)), y, y1)
            ratio = err / (atol + jnp.maximum(jnp.abs(y), jnp.abs(y1c)) * rtol)
            scaled = jnp.sqrt(jnp.sum(ratio * ratio)) / np.sqrt(d)
            keep = scaled < 1
            factor = jnp.clip(SAFETY * (1.0 / scaled) ** (1.0 / order),
                              jnp.where(keep, 1.0, FACTOR_MIN), jnp.where(keep, FACTOR_MAX, SAFETY))
            nprev = jnp.minimum(jnp.where(keep, tnext, tprev), t1)
            nnext = nprev + dt * factor
            nnext = jnp.where(nnext > floor, jnp.where(keep, t1, nprev + 0.5 * (t1 - nprev)), nnext)
            return (nprev, nnext, jnp.where(keep, y1, y), jnp.where(keep, fs[-1], f0), steps + 1)

        tprev, _, y, _, steps = lax.while_loop(cond, body, (t0, tnext, y0, f0, jnp.asarray(0, jnp.int32)))
        ok = (tprev >= t1) & jnp.all(jnp.isfinite(y))
        return y, ok, steps

    return solve
