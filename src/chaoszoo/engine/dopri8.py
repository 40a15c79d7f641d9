"""The Dormand-Prince 8(7) step written out stage by stage, in one ``lax.while_loop``.

This is diffrax's ``Dopri8`` method, step for step: the same Butcher tableau (Prince &
Dormand 1981, 13 stages plus the first-same-as-last evaluation), the same dense-output
polynomial, read from ``diffrax.Dopri8`` itself so the coefficients cannot drift, and the
same integral step-size controller as ``diffrax.PIDController`` with its defaults (safety
0.9, step factor in [0.2, 10], RMS error norm, error order 8 (the embedded 7th-order pair), ``dtmin`` forced, the final
step clipped within 100 ULPs of the end) and the same first step (0.01: diffrax 0.7 hands
its controller a wrapped term, for which it skips the Hairer-Norsett-Wanner initial-step
rule and starts at 0.01; that is what chaoszoo's results have always used). Results agree
with ``diffrax.diffeqsolve(..., Dopri8(), PIDController(...))`` with the same number of
steps and, over one period, to ~1e-12 of the attractor's size on Lorenz, HyperRossler and
DoubleGyre (the test suite checks this against diffrax directly); on Rossler the two differ
by 2e-8 relative at an equal step count (rounding in the stage sums, amplified where the
step controller's decision is borderline).

Why not diffrax's own loop: on a CPU, diffrax runs the 14 stages of a step as a loop of
small separate kernels, then a saving loop per output time, and the per-kernel overhead
dominates for the small states of the catalog (Lorenz at ``rtol = atol = 1e-10``: 10 us per
step through ``diffeqsolve``, measured for issue 14). Here the stages are unrolled at trace
time, every output time that falls inside an accepted step is interpolated at once
(``window`` times per pass, a second pass only when a step spans more than ``window``
samples), and on a CPU the whole solve is compiled as a single kernel
(:mod:`chaoszoo.engine.kernels`). Lorenz, 10,000 samples: 0.35 us per attempted step, against
2.5 us with one kernel per fused operation and 13 us through ``diffeqsolve``; figures against a
numba DOP853 are printed by ``benchmarks/bench_engine.py --native-only`` and quoted in the README.

The output grid is equally spaced, ``t_k = t0 + k dt``, given as the padded array ``ts``
whose first ``n`` entries are used; ``n`` and the step budget are runtime values, so one
compiled solver serves every length up to the padded one, and the budget costs one integer
comparison per step.
"""

from __future__ import annotations

import functools

import numpy as np

#: Status codes returned by the solver.
OK, BUDGET, NONFINITE = 0, 1, 2


@functools.cache
def coefficients():
    """``(A, c, b, e, P)``: the stage matrix rows (stages 2..14), nodes, weights, error
    weights and the dense-output polynomial coefficients (14 x 6), all from diffrax."""
    import diffrax

    tab = diffrax.Dopri8.tableau
    A = [np.asarray(row, dtype=np.float64) for row in tab.a_lower]
    c = np.asarray(tab.c, dtype=np.float64)
    b = np.asarray(tab.b_sol, dtype=np.float64)
    e = np.asarray(tab.b_error, dtype=np.float64)
    P = np.asarray(diffrax.Dopri8.interpolation_cls.eval_coeffs, dtype=np.float64)
    assert len(A) == 13 and P.shape == (14, 6) and len(b) == 14
    return A, c, b, e, P


def _combine(weights, fs):
    """``sum_j w_j f_j`` over the non-zero weights (unrolled at trace time)."""
    acc = None
    for w, f in zip(weights, fs):
        if w != 0.0:
            term = float(w) * f
            acc = term if acc is None else acc + term
    return acc


def _setup(field, y0, ts, n, dtmin):
    """End time, its clipping threshold, the first step and the first evaluation."""
    import jax.numpy as jnp

    dtype = y0.dtype
    tend = ts[n - 1]
    floor = tend
    for _ in range(100):  # the end minus 100 ULPs, as diffrax clips the last step
        floor = jnp.nextafter(floor, jnp.asarray(-jnp.inf, dtype))
    # diffrax wraps the term before PIDController.init sees it, so its initial-step rule
    # falls back to a first step of 0.01 for every system; so does this solver
    tnext = jnp.minimum(ts[0] + jnp.maximum(jnp.asarray(0.01, dtype), dtmin), tend)
    return tend, floor, tnext


def _stages(field, args, tprev, dt, y, f0):
    """The 14 stage derivatives of a step, unrolled at trace time (a list of ``(d,)`` arrays)."""
    A, c, _, _, _ = coefficients()
    fs = [f0]
    for row, ci in zip(A, c):
        yi = y + dt * _combine(row, fs)
        fs.append(field(tprev + ci * dt, yi, args))
    return fs


def _stages_loop(field, args, tprev, dt, y, f0):
    """The 14 stage derivatives as a ``(14, d)`` array, computed by a loop over the stages.

    Inside a single kernel (:mod:`chaoszoo.engine.kernels`) a loop costs nothing per stage,
    and the vector field appears once in the program instead of 13 times: for a solver shared
    by 105 three-dimensional flows (a ``lax.switch`` over their fields) compilation drops from
    44 s to 4 s, for a run time within 25% of the unrolled form. The sums run in a different
    order from :func:`_stages`, so values differ from it by rounding (~1e-16 per step).
    """
    import jax
    import jax.numpy as jnp

    A, c, _, _, _ = coefficients()
    rows = np.zeros((14, 14))
    for i, row in enumerate(A):
        rows[i + 1, : len(row)] = row
    rows, nodes = jnp.asarray(rows, y.dtype), jnp.asarray(np.concatenate([[0.0], c]), y.dtype)
    K = jnp.zeros((14, y.shape[0]), y.dtype).at[0].set(f0)

    def stage(i, K):
        yi = y + dt * jnp.sum(rows[i][:, None] * K, axis=0)
        return K.at[i].set(field(tprev + nodes[i] * dt, yi, args))

    return jax.lax.fori_loop(1, 14, stage, K)


def _attempt(field, args, tprev, tnext, y, f0, at_dtmin, rtol, atol, dtmin, tend, floor, loop=False):
    """One attempted step from ``tprev`` to ``tnext``; returns the controller's decision
    ``keep``, the next ``(tprev, tnext)``, ``at_dtmin``, the candidate ``y1``, its derivative
    and the dense-output coefficients ``Q`` (6 vectors, highest power first). ``loop``
    selects :func:`_stages_loop` over the unrolled :func:`_stages`."""
    import jax
    import jax.numpy as jnp

    _, _, b, e, P = coefficients()
    d = y.shape[0]
    dt = tnext - tprev
    if loop:
        K = _stages_loop(field, args, tprev, dt, y, f0)
        y1 = y + dt * jnp.sum(jnp.asarray(b, y.dtype)[:, None] * K, axis=0)
        err = dt * jnp.sum(jnp.asarray(e, y.dtype)[:, None] * K, axis=0)
        f1 = K[13]
    else:
        fs = _stages(field, args, tprev, dt, y, f0)
        K = jnp.stack(fs)
        y1 = y + dt * _combine(b, fs)
        err = dt * _combine(e, fs)
        f1 = fs[-1]
    # the error control of diffrax.PIDController (integral control, its defaults)
    y1c = jnp.where(jnp.any(jnp.isnan(y1)), y, y1)
    err = jnp.where(jnp.isnan(err), jnp.inf, err)
    ratio = err / (atol + jnp.maximum(jnp.abs(y), jnp.abs(y1c)) * rtol)
    scaled = jnp.sqrt(jnp.sum(ratio * ratio)) / np.sqrt(d)
    keep = (scaled < 1) | at_dtmin
    factor = jnp.clip(0.9 * (1.0 / scaled) ** (1.0 / 8.0), jnp.where(keep, 1.0, 0.2), jnp.where(keep, 10.0, 0.9))
    new_dt = dt * factor
    new_dt = jnp.where(at_dtmin & (factor == 1), dtmin, new_dt)
    at_dtmin = new_dt <= dtmin
    new_dt = jnp.maximum(new_dt, dtmin)
    nprev = jnp.minimum(jnp.where(keep, tnext, tprev), tend)
    nnext = nprev + new_dt
    nnext = jnp.where(nnext > floor, jnp.where(keep, tend, nprev + 0.5 * (tend - nprev)), nnext)
    # a matrix product (not an unrolled sum), or XLA fuses the stages into the per-sample
    # interpolation and recomputes them for every sample
    Q = dt * jnp.einsum("jm,jd->md", P, K, precision=jax.lax.Precision.HIGHEST)
    return keep, nprev, nnext, at_dtmin, y1, f1, Q


def _dense(tprev, tnext, y, Q, t):
    """The step's interpolant at times ``t`` (shape ``(m,)``) -> ``(m, d)``."""
    import jax.numpy as jnp

    span = jnp.where(tnext == tprev, 1.0, tnext - tprev)
    theta = jnp.where(tnext == tprev, 0.0, (t - tprev) / span)[:, None]
    poly = Q[0]
    for m in range(1, 6):
        poly = poly * theta + Q[m]
    return y + theta * poly


def make_solve(field, window: int = 4, loop: bool = False):
    """A JAX function ``solve(y0, args, ts, n, rtol, atol, dtmin, max_steps)`` for one
    trajectory (not for ``vmap``: see :func:`make_solve_batched`; ``loop``: the stages as a
    loop, see :func:`_stages_loop`).

    ``field(t, y, args)`` is the vector field. Returns ``(ys, status, steps, accepted)``:
    ``ys`` has ``ts``'s length (rows past ``n`` are unused, unwritten rows are ``inf``),
    ``status`` is :data:`OK`, :data:`BUDGET` (the step budget ran out) or :data:`NONFINITE`
    (the state became NaN or infinite), ``steps`` counts attempted steps and ``accepted``
    accepted ones. Each attempted step costs 13 evaluations of ``field`` (plus 1 at the start).
    """
    import jax
    import jax.numpy as jnp

    K = int(window)

    def solve(y0, args, ts, n, rtol, atol, dtmin, max_steps):
        dtype, d = y0.dtype, y0.shape[0]
        tend, floor, tnext = _setup(field, y0, ts, n, dtmin)
        ys = jnp.full((ts.shape[0] + K, d), jnp.inf, dtype)
        ts_pad = jnp.concatenate([ts, jnp.full((K,), jnp.inf, dtype)])
        offsets = jnp.arange(K)

        def save(tprev, tnext, y, Q, ys, i):
            """Write every sample with ``ts[idx] <= tnext``, ``window`` rows per pass."""

            def write(carry):
                ys, i = carry
                tk = jax.lax.dynamic_slice(ts_pad, (i,), (K,))
                mask = (tk <= tnext) & (i + offsets < n)
                vals = _dense(tprev, tnext, y, Q, tk)
                old = jax.lax.dynamic_slice(ys, (i, 0), (K, d))
                ys = jax.lax.dynamic_update_slice(ys, jnp.where(mask[:, None], vals, old), (i, 0))
                return ys, i + jnp.sum(mask, dtype=i.dtype)

            def more(carry):
                _, i = carry
                return (ts_pad[i] <= tnext) & (i < n)

            return jax.lax.while_loop(more, write, write((ys, i)))

        def cond(s):
            tprev, _, _, _, _, _, steps, _, _, status = s
            return (tprev < tend) & (steps < max_steps) & (status == OK)

        def body(s):
            tprev, tnext, y, f0, ys, i, steps, accepted, at_dtmin, status = s
            keep, nprev, nnext, at_dtmin, y1, f1, Q = _attempt(
                field, args, tprev, tnext, y, f0, at_dtmin, rtol, atol, dtmin, tend, floor, loop)
            ys, i = jax.lax.cond(keep, lambda ys, i: save(tprev, tnext, y, Q, ys, i), lambda ys, i: (ys, i), ys, i)
            status = jnp.where(keep & ~jnp.all(jnp.isfinite(y1)), NONFINITE, status)
            y = jnp.where(keep, y1, y)
            f0 = jnp.where(keep, f1, f0)
            return (nprev, nnext, y, f0, ys, i, steps + 1, accepted + keep, at_dtmin, status)

        zero = jnp.zeros((), jnp.int32)
        f0 = field(ts[0], y0, args)
        init = (ts[0], tnext, y0, f0, ys, jnp.zeros((), jnp.int64), zero, zero, jnp.zeros((), bool), zero)
        tprev, _, _, _, ys, _, steps, accepted, _, status = jax.lax.while_loop(cond, body, init)
        status = jnp.where((status == OK) & (tprev < tend), BUDGET, status)
        return ys[: ts.shape[0]], status, steps, accepted

    return solve


def make_solve_batched(field, block: int = 16):
    """Like :func:`make_solve`, written to be ``vmap``-ped over initial conditions.

    Under ``vmap`` every member steps with its own step size, but a write at a per-member
    position of the output becomes a scatter into the whole output array, which XLA's CPU
    backend copies each step (95% of the time of a 256-member Lorenz ensemble). So the
    samples are produced ``block`` at a time: a ``lax.scan`` over blocks, inside it a
    ``while_loop`` that steps each member until its last accepted step covers the block,
    and each accepted step writes the samples it covers with a mask over the block. A
    member that is done waits (masked) for the others within the block, which costs a few
    percent of steps; the step sequence of every member is exactly that of
    :func:`make_solve`. ``ts`` must have a multiple of ``block`` entries.
    """
    import jax
    import jax.numpy as jnp

    S = int(block)

    def solve(y0, args, ts, n, rtol, atol, dtmin, max_steps):
        dtype, d = y0.dtype, y0.shape[0]
        tend, floor, tnext = _setup(field, y0, ts, n, dtmin)
        n_blocks = ts.shape[0] // S
        ts_b = ts.reshape(n_blocks, S)
        valid_b = (jnp.arange(n_blocks * S) < n).reshape(n_blocks, S)
        zeroQ = jnp.zeros((6, d), dtype)

        def write(out, tb, valid, sp, sn, sy, Q, keep=True):
            mask = keep & valid & (tb > sp) & (tb <= sn)
            return jnp.where(mask[:, None], _dense(sp, sn, sy, Q, tb), out)

        def one_block(carry, xs):
            tb, valid = xs
            state, last = carry
            out = write(jnp.full((S, d), jnp.inf, dtype), tb, valid, *last)
            t_last = jnp.max(jnp.where(valid, tb, -jnp.inf))

            def cond(c):
                (tprev, _, _, _, steps, _, _, status), (_, sn, _, _), _ = c
                return (sn < t_last) & (tprev < tend) & (steps < max_steps) & (status == OK)

            def body(c):
                (tprev, tnext, y, f0, steps, accepted, at_dtmin, status), last, out = c
                keep, nprev, nnext, at_dtmin, y1, f1, Q = _attempt(
                    field, args, tprev, tnext, y, f0, at_dtmin, rtol, atol, dtmin, tend, floor)
                out = write(out, tb, valid, tprev, tnext, y, Q, keep)
                last = jax.tree.map(lambda new, old: jnp.where(keep, new, old), (tprev, tnext, y, Q), last)
                status = jnp.where(keep & ~jnp.all(jnp.isfinite(y1)), NONFINITE, status)
                state = (nprev, nnext, jnp.where(keep, y1, y), jnp.where(keep, f1, f0),
                         steps + 1, accepted + keep, at_dtmin, status)
                return state, last, out

            state, last, out = jax.lax.while_loop(cond, body, (state, last, out))
            return (state, last), out

        zero = jnp.zeros((), jnp.int32)
        f0 = field(ts[0], y0, args)
        state = (ts[0], tnext, y0, f0, zero, zero, jnp.zeros((), bool), zero)
        # a degenerate first "step" that covers exactly t0 and returns y0 there
        last = (ts[0] - 1.0, ts[0], y0, zeroQ)
        (state, _), out = jax.lax.scan(one_block, (state, last), (ts_b, valid_b))
        tprev, _, _, _, steps, accepted, _, status = state
        status = jnp.where((status == OK) & (tprev < tend), BUDGET, status)
        return out.reshape(n_blocks * S, d), status, steps, accepted

    return solve
