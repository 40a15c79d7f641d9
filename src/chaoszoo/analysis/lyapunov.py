"""Lyapunov exponents computed from the equations (tangent dynamics + QR re-orthonormalisation).

For a flow ``x' = f(x, t)`` the tangent vectors obey the variational equation
``V' = J(x, t) V`` with ``J = df/dx``. Integrating the state and ``k`` tangent vectors
together and re-orthonormalising ``V = Q R`` every ``q`` steps, the exponents are

.. math:: \\lambda_i = \\frac{1}{T} \\sum_{\\text{QR steps}} \\ln |R_{ii}|,

(Benettin, Galgani, Giorgilli & Strelcyn 1980; Shimada & Nagashima 1979). Here the
augmented system is advanced with a fixed-step classical Runge-Kutta method (RK4) inside
one jitted XLA loop; the Jacobian-vector products come from ``jax.linearize`` of
:func:`chaoszoo.engine.fields.jax_field`, so no Jacobian is ever written by hand. A batch
of initial conditions is processed with ``jax.vmap``.

* Maps ``x_{n+1} = F(x_n)``: ``V_{n+1} = DF(x_n) V_n``; one QR per ``q`` iterations,
  exponents per iteration.
* Delay equations ``x' = f(x(t), x(t - \\tau))``: the state is the history segment on
  ``[t - \\tau, t]``, discretised into a buffer of ``m + 2`` points spaced ``h = \\tau / m``.
  One RK4 step (the delayed midpoint value is the 4-point Lagrange interpolant
  ``(-B_0 + 9 B_1 + 9 B_2 - B_3) / 16``) is a smooth map of the buffer, and its tangent map
  propagates tangent buffers. This is the finite-dimensional approximation of
  Farmer (1982); it converges as ``m`` grows. Only the leading few exponents are computed
  by default.

Design measured on a 2-core CPU (Lorenz, full spectrum): with 100 RK4 steps per period and
QR every 10 steps, 500 periods take about 0.3 s warm and reproduce the published spectrum
to better than 1 %. The adaptive method (``method="adaptive"``: Tsit5 at 1e-8 with diffrax's
step-size controller, written out in :mod:`chaoszoo.engine.tsit5`) on the same augmented system
is 1.7x slower on Lorenz (0.106 s against 0.062 s for 4 x 300 periods, warm, one kernel per
block between QR decompositions; through ``diffrax.diffeqsolve`` it was 4.0 s) with the same
accuracy, so it is the fallback, not the default: it is needed where
a fixed step fails - orbits with fast excursions or stiff spikes (OlsenPeroxidase, whose
stiffest eigenvalue goes from -42 at the initial condition to about -400 in a spike), and
systems where RK4 at 100 steps per period turns the chaotic orbit into a spurious cycle
(Bouali). diffrax's implicit Kvaerno5 was tried for the systems tagged ``stiff`` and was
slower still (75 s for 2 periods of OlsenPeroxidase) and failed its step budget, so it
is not used. Semilinear flows (Kuramoto-Sivashinsky) linearise the engine's ETDRK4 step,
which is stable at 100 steps per period (h = 0.25 for KS, L = 22: 6 exponents over 5,000
time units from 2 initial conditions in 5 s; the leading exponent 0.0487 +- 0.0002 does
not change at h = 0.0625). The QR interval then follows the spread of the linear rates of
the tracked directions, not the Jacobian's spectral radius (about 7,000, from the most
damped mode, which the ETDRK4 step integrates exactly).

With several initial conditions, they are taken along one orbit (``IC_SPACING`` periods
apart after the transient), never as perturbations of ``ic``: in a conservative system a
1 % perturbation put half of them on invariant tori (ABC flow: exponents 0.11-0.12 on the
chaotic sea, 0.0005-0.0014 on tori), and in multistable ones into another basin.
Their averaging windows overlap, so their spread alone understates the error (Lorenz,
3 x 300 periods: spread/sqrt(3) = 0.002, repeated runs differ by 0.01; GumowskiMira:
four points of one orbit gave 0.1790-0.1795 over 20,000 iterations, a run of 100,000 gave
-0.006 +- 0.039). The reported standard error is therefore the batch-means error of one
run (8 consecutive segments), reduced only by the number of independent windows covered.

The default RK4 step is chosen for accuracy, not only stability: the fewest steps per
period (100, 200, 400, ...) for which one period of the orbit, estimated by step doubling,
is within ``RK4_TOL = 1e-5`` of the orbit's extent. At a flat 100 steps per period RK4
turned the chaotic orbits of Lorenz84, LuChen, CharneyDeVore and BelousovZhabotinsky into
spurious stable cycles (one-period errors 0.45, 1.3e-3, 0.19 and more of the extent).

References:
    Benettin, G., Galgani, L., Giorgilli, A. & Strelcyn, J.-M. (1980). Meccanica 15, 9-30.
    Shimada, I. & Nagashima, T. (1979). Prog. Theor. Phys. 61(6), 1605-1616.
    Farmer, J. D. (1982). Chaotic attractors of an infinite-dimensional dynamical system.
    Physica D 4(3), 366-393.
    Kaplan, J. L. & Yorke, J. A. (1979). Lecture Notes in Mathematics 730, 204-227.
    Pesin, Ya. B. (1977). Russian Math. Surveys 32(4), 55-114.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from chaoszoo.engine._jax import x64
from chaoszoo.engine.fields import jax_field
from chaoszoo.engine.limits import MAX_PERIODS, interruptible
from chaoszoo.errors import ConvergenceError, InvalidArgumentError

#: Default settings; times for flows and delays are in units of the system's period.
DEFAULTS = MappingProxyType(dict(
    flow=dict(t_total=1000.0, transient=30.0, steps_per_period=None, qr_every=10),
    map=dict(t_total=50_000, transient=1_000, qr_every=1),
    delay=dict(t_total=400.0, transient=30.0, points_per_delay=40, qr_every=5),
))
#: Nominal steps per period of the adaptive method (sets the QR interval: ``qr_every`` of them).
DEFAULT_STEPS = 100
#: Number of exponents computed for delay equations when ``n_exponents`` is not given.
DELAY_EXPONENTS = 3
#: Number of consecutive segments the averaging run is split into (batch-means error).
N_SEGMENTS = 8
#: Spacing, in periods (iterations for maps), of the initial conditions taken along one orbit.
IC_SPACING = 10.0
#: Tolerance and step budget per QR interval of the adaptive tangent integration.
ADAPTIVE_TOL = 1e-8
ADAPTIVE_MAX_STEPS = 20_000
#: Largest growth exponent (rate x time) allowed between two QR re-orthonormalisations.
QR_GROWTH = 10.0


@dataclass(frozen=True)
class LyapunovResult:
    """Lyapunov exponents with their uncertainty.

    Attributes:
        mean: exponents sorted in descending order (per unit time; per iteration for maps).
        stderr: standard error of each exponent from batch means over consecutive segments
            of each run, reduced by the square root of the number of independent windows the
            initial conditions cover (they lie ``IC_SPACING`` periods apart on one orbit), and
            never below the spread across initial conditions divided by ``sqrt(n_ics)``.
        settings: the numerical settings used (integration time, step, QR interval, ...).
        per_ic: ``(n_ics, k)`` estimates, one row per initial condition.
    """

    mean: np.ndarray
    stderr: np.ndarray
    settings: Mapping[str, object] = field(default_factory=dict)
    per_ic: np.ndarray | None = None

    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.mean, dtype=dtype)


# --------------------------------------------------------------------------- kernels
def _rk4_tangent(field_fn, t, y, V, p, h, loop=False):
    """One RK4 step of the state ``y`` and tangent matrix ``V`` (columns) of a flow.

    ``loop`` computes the four stages in a ``fori_loop`` (the same formulas and order of
    summation; values can still differ by rounding where XLA fuses multiply-adds differently),
    so the linearised field appears once in the program instead of four times. Compilation is
    then cheaper (MacArthur, 10 variables and 60 parameters: first call 18.0 s -> 7.3 s) but
    each step ~40% slower (Lorenz, Hopfield), so it is used only for very large fields.
    """
    import jax
    import jax.numpy as jnp

    def aug(t, y, V):
        f, lin = jax.linearize(lambda yy: field_fn(t, yy, p), y)
        return f, jax.vmap(lin, in_axes=1, out_axes=1)(V)

    if not loop:
        k1, K1 = aug(t, y, V)
        k2, K2 = aug(t + h / 2, y + h / 2 * k1, V + h / 2 * K1)
        k3, K3 = aug(t + h / 2, y + h / 2 * k2, V + h / 2 * K2)
        k4, K4 = aug(t + h, y + h * k3, V + h * K3)
        return y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4), V + h / 6 * (K1 + 2 * K2 + 2 * K3 + K4)

    half = h / 2
    shift = jnp.stack([jnp.zeros_like(h), half, half, h])  # stage i is evaluated at t + shift[i]
    weight = jnp.asarray([1.0, 2.0, 2.0, 1.0], dtype=y.dtype)

    def stage(i, c):
        k, K, acc, Acc = c
        at = shift[i]
        k, K = aug(t + at, y + at * k, V + at * K)
        return k, K, acc + weight[i] * k, Acc + weight[i] * K

    zero, Zero = jnp.zeros_like(y), jnp.zeros_like(V)
    _, _, acc, Acc = jax.lax.fori_loop(0, 4, stage, (zero, Zero, zero, Zero))
    return y + h / 6 * acc, V + h / 6 * Acc


#: Operations in a field's Jacobian-vector product above which the RK4 tangent step computes
#: its stages in a loop (catalog: MacArthur 1,236; the next largest 580; median 59).
LOOP_STAGES_ABOVE = 800


def _field_size(field_fn, n: int, p) -> int:
    """Number of operations in the Jacobian-vector product of ``field_fn`` (traced abstractly)."""
    import jax
    import jax.numpy as jnp

    y = jax.ShapeDtypeStruct((n,), jnp.float64)
    args = {k: jax.ShapeDtypeStruct(jnp.shape(v), jnp.result_type(v)) for k, v in p.items()}
    jaxpr = jax.make_jaxpr(lambda y, p: jax.jvp(lambda yy: field_fn(0.0, yy, p), (y,), (y,)))(y, args)
    return len(jaxpr.eqns)


def _delay_step_fn(field_fn):
    """A function ``(t, B, p, h) -> B'`` advancing a history buffer by one RK4 step."""
    import jax.numpy as jnp

    def step(t, B, p, h):
        y = B[-1]
        x0, x1 = B[1], B[2]
        xm = (-B[0] + 9.0 * B[1] + 9.0 * B[2] - B[3]) / 16.0
        k1 = field_fn(t, y, p, x0)
        k2 = field_fn(t + h / 2, y + h / 2 * k1, p, xm)
        k3 = field_fn(t + h / 2, y + h / 2 * k2, p, xm)
        k4 = field_fn(t + h, y + h * k3, p, x1)
        y_next = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        return jnp.concatenate([B[1:], y_next[None]], axis=0)

    return step


def _adaptive_block(field_fn, n: int, k: int):
    """``(t, y, V, p, dt) -> (y, V, ok)``: the state and tangent frame advanced over ``dt`` with
    step-size control (Tsit5 at ``ADAPTIVE_TOL``, :mod:`chaoszoo.engine.tsit5`: diffrax's
    method and controller written out), for orbits whose fast excursions or stiff spikes
    defeat a fixed step. Compiled as one kernel on a CPU: the 17 catalog systems that need this
    method took 520 of the 1,117 per-system seconds of ``chaoszoo annotate --all`` through
    ``diffrax.diffeqsolve`` (ExcitableCell 89 s), and take 126 of 544 s (ExcitableCell 13 s)."""
    import jax.numpy as jnp

    from chaoszoo.engine.kernels import one_kernel
    from chaoszoo.engine.tsit5 import make_interval

    def aug(t, u, p):
        y, V = _tangent(lambda yy: field_fn(t, yy, p), u[:n], u[n:].reshape(n, k))
        return jnp.concatenate([y, V.reshape(-1)])

    solve = one_kernel(make_interval(aug, ADAPTIVE_TOL, ADAPTIVE_TOL, ADAPTIVE_MAX_STEPS))

    def block(t, y, V, p, dt):
        u, ok, _ = solve(t, t + dt, jnp.concatenate([y, V.reshape(-1)]), p)
        return u[:n], u[n:].reshape(V.shape), ok

    return block


def method_for(system, method=None) -> str:
    """The tangent integration used for ``system``: ``"map"``, ``"delay"``, ``"etdrk4"`` (flows
    declaring a semilinear stiff part), or for other flows ``method`` (default ``"rk4"``;
    ``"adaptive"`` for diffrax step-size control)."""
    if system.kind in ("map", "delay"):
        return system.kind
    if "semilinear" in system.declaration.extra:
        return "etdrk4"
    if method is None:
        return "rk4"
    if method not in ("rk4", "adaptive"):
        raise InvalidArgumentError(f"method must be 'rk4' or 'adaptive' for a flow; got {method!r}.")
    return method


def _tangent(step, x, V, axis=1):
    """``step(x)`` and its tangent map (``jax.linearize``) applied to the columns of ``V``
    (the vectors lie along ``axis``)."""
    import jax

    x2, lin = jax.linearize(step, x)
    return x2, jax.vmap(lin, in_axes=axis, out_axes=axis)(V)


@functools.cache
def _kernel(decl, k: int, method: str):
    """Jitted ``(t0, ys, Vs, params, h, q, n_qr) -> (t, ys, Vs, log_sums)`` vmapped over ics.

    ``q`` steps of length ``h`` between QR decompositions, ``n_qr`` decompositions; both are
    traced, so one compilation serves every run length of a system (for a given ``k``).
    Each method gives ``make(p, h, n) -> block(t, y, V, q) -> (t, y, V, ok)``, built once per
    run (outside the QR loop) for a state of length ``n``.
    """
    import jax
    import jax.numpy as jnp
    from jax import lax

    from chaoszoo.engine.kernels import on_cpu, one_kernel, single_kernel_enabled

    field_fn = jax_field(decl)

    def stepwise(make_advance, kernel=True):
        # the q steps between two QR decompositions compiled as one kernel on a CPU
        # (chaoszoo.engine.kernels; p and h passed in, not closed over, so they are packed)
        def steps(t, y, V, q, p, h):
            advance = make_advance(p, h, y.shape[-1])
            return lax.fori_loop(0, q, lambda j, c: advance(*c), (t, y, V))

        def make(p, h, n):
            if kernel:
                run = one_kernel(steps)
            else:  # ETDRK4's coefficients are computed once per run, outside the QR loop
                advance = make_advance(p, h, n)
                def run(t, y, V, q, p, h):
                    return lax.fori_loop(0, q, lambda j, c: advance(*c), (t, y, V))

            def block(t, y, V, q):
                t, y, V = run(t, y, V, q, p, h)
                return t, y, V, jnp.array(True)
            return block
        return make

    if method == "rk4":
        def make_advance(p, h, n):
            # stages in a loop only for very large fields: a loop makes each step ~40% slower
            # (Lorenz, Hopfield), which outweighs the compilation it saves below that size
            loop = on_cpu() and single_kernel_enabled() and _field_size(field_fn, n, p) > LOOP_STAGES_ABOVE

            def advance(t, y, V):
                y, V = _rk4_tangent(field_fn, t, y, V, p, h, loop=loop)
                return t + h, y, V
            return advance
        make = stepwise(make_advance)
    elif method == "adaptive":
        def make(p, h, n):
            adaptive = _adaptive_block(field_fn, n, k)

            def block(t, y, V, q):
                y, V, ok = adaptive(t, y, V, p, q * h)
                return t + q * h, y, V, ok
            return block
    elif method == "etdrk4":
        from chaoszoo.engine.etdrk4 import physical_step

        def make_advance(p, h, n):
            step = physical_step(decl, n, p, h)  # its coefficients once per run, not per block

            def advance(t, y, V):
                return (t + h, *_tangent(lambda u: step(u, t), y, V))
            return advance
        make = stepwise(make_advance, kernel=False)
    elif method == "map":
        def make_advance(p, h, n):
            def advance(t, y, V):
                return (t + 1.0, *_tangent(lambda yy: field_fn(t, yy, p), y, V))
            return advance
        make = stepwise(make_advance)
    else:
        step = _delay_step_fn(field_fn)

        def make_advance(p, h, n):
            def advance(t, B, V):
                return (t + h, *_tangent(lambda bb: step(t, bb, p, h), B, V, axis=-1))
            return advance
        make = stepwise(make_advance)

    def one(t0, y, V, p, h, q, n_qr):
        shape = V.shape
        block_fn = make(p, h, y.shape[-1])

        def block(i, carry):
            t, y, V, logs = carry
            t, y, V, ok = block_fn(t, y, V, q)
            Q, R = jnp.linalg.qr(V.reshape(-1, k))
            logs = logs + jnp.where(ok, jnp.log(jnp.abs(jnp.diagonal(R))), jnp.nan)
            return t, y, Q.reshape(shape), logs

        return lax.fori_loop(0, n_qr, block, (t0, y, V, jnp.zeros(k, y.dtype)))

    return jax.jit(jax.vmap(one, in_axes=(None, 0, 0, None, None, None, None)))


# --------------------------------------------------------------------------- helpers
def _as_system(system):
    from chaoszoo.system import System, get

    if isinstance(system, System):
        return system
    if isinstance(system, str):
        return get(system)
    raise InvalidArgumentError(f"system must be a chaoszoo System or a catalog name; got {type(system).__name__}.")


def _positive(value, name, integer=False):
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"{name} must be a positive number; got {value!r}.") from None
    if not (math.isfinite(v) and v > 0) or (integer and not v.is_integer()):
        kind = "integer" if integer else "number"
        raise InvalidArgumentError(f"{name} must be a positive, finite {kind}; got {value!r}.")
    return int(v) if integer else v


def _settings(sys, n_exponents, t_total, transient, steps_per_period, points_per_delay, qr_every):
    kind = sys.kind
    base = dict(DEFAULTS[kind])
    d = sys.dimension
    if kind == "delay":
        m = base["points_per_delay"] if points_per_delay is None else _positive(points_per_delay, "points_per_delay", True)
        if m < 4:
            raise InvalidArgumentError(f"points_per_delay must be at least 4; got {m}.")
        base["points_per_delay"] = m
        state_dim = (m + 2) * d
        default_k = min(DELAY_EXPONENTS, state_dim)
    else:
        state_dim = d
        default_k = d
        if kind == "flow":
            base["steps_per_period"] = (None if steps_per_period is None
                                        else _positive(steps_per_period, "steps_per_period", True))
    k = default_k if n_exponents is None else _positive(n_exponents, "n_exponents", True)
    if k > state_dim:
        raise InvalidArgumentError(
            f"{sys.name} has {state_dim} tangent directions; n_exponents={k} is too many "
            f"(give at most {state_dim}{', or raise points_per_delay' if kind == 'delay' else ''}).")
    if t_total is not None:
        base["t_total"] = _positive(t_total, "t_total")
    if transient is not None:
        if transient != 0:
            base["transient"] = _positive(transient, "transient")
        else:
            base["transient"] = 0.0
    if qr_every is not None:
        base["qr_every"] = _positive(qr_every, "qr_every", True)
    base["n_exponents"] = k
    return base


def _spectral_radius(sys, params=None, ic=None) -> float:
    """Largest modulus of the Jacobian's eigenvalues at ``ic`` (0 when it cannot be evaluated)."""
    try:
        J = sys.jacobian(sys.ic if ic is None else ic, params=params)
        rho = float(np.max(np.abs(np.linalg.eigvals(J))))
    except (np.linalg.LinAlgError, ValueError):
        return 0.0
    return rho if math.isfinite(rho) else 0.0


def _semilinear_spread(sys, params, k: int) -> float:
    """Spread between the fastest-growing and the ``k``-th linear rate of a semilinear flow:
    its diagonal operator ``L`` on the real-FFT modes, each mode counted once per real
    direction (twice except the mean and the Nyquist mode), sorted descending. It estimates
    ``lambda_1 - lambda_k`` where the linear part dominates (the strongly damped modes)."""
    n = sys.dimension
    L = np.real(np.asarray(sys.declaration.extra["semilinear"](n, params), dtype=complex))
    mult = np.full(L.shape, 2)
    mult[0] = 1
    if n % 2 == 0:
        mult[-1] = 1
    rates = np.sort(np.repeat(L, mult))[::-1]
    return float(rates[0] - rates[min(k, len(rates)) - 1])


#: Largest one-period RK4 error, relative to the orbit's extent, accepted by
#: :func:`accurate_steps_per_period` (estimated by step doubling).
RK4_TOL = 1e-5
#: Most RK4 steps per period it will propose.
RK4_MAX_STEPS = 3200
#: For fields with kinks (MacArthur's min: the one-period error stalls near 1e-5 from 1,600
#: steps on) a stalled error up to this multiple of ``RK4_TOL`` is accepted.
RK4_FLOOR = 10.0


def accurate_steps_per_period(system, params=None, ic=None, tol: float = RK4_TOL,
                              max_steps: int = RK4_MAX_STEPS) -> int | None:
    """RK4 steps per period for which one period of the orbit from ``ic`` is accurate to
    ``tol`` of the orbit's extent (step doubling: the error of step ``h`` is about 16/15 of
    the difference from step ``h/2``), starting from :func:`auto_steps_per_period` and
    doubling; where halving the step stops cutting the error at least 4x (a kink in the
    field) an error up to ``RK4_FLOOR * tol`` is accepted. ``None`` when even ``max_steps``
    is not enough or the orbit is not finite.

    Stability alone is not enough: at 100 steps per period RK4 turns the chaotic orbits of
    Lorenz84 (one-period error 0.45 of the orbit's extent) and CharneyDeVore (0.19) into
    spurious stable cycles; at 1e-5 they need 800 and 1,600 steps, Lorenz 200.
    """
    sys = _as_system(system)
    p = sys._p(params)
    y0 = sys.ic if ic is None else sys._x(ic)
    spp = int(math.ceil(auto_steps_per_period(sys, dict(p), y0) / 20.0)) * 20
    with x64():
        import jax.numpy as jnp

        fn = _sampler(sys.declaration, 20)
        jp = {name: jnp.asarray(v, dtype=jnp.float64) for name, v in p.items()}
        y = jnp.asarray(y0)

        def period(steps):
            _, ys = fn(y, jp, jnp.asarray(sys.period / steps, dtype=jnp.float64), steps // 20)
            return np.asarray(ys)

        coarse, previous = period(spp), None
        while spp <= max_steps:
            fine = period(2 * spp)
            extent = float(np.max(np.ptp(fine, axis=0)))
            if not (np.isfinite(coarse).all() and np.isfinite(fine).all() and extent > 0):
                return None
            error = float(np.max(np.abs(coarse[-1] - fine[-1]))) * 16 / 15 / extent
            if error <= tol:
                return spp
            if previous is not None and error > previous / 4 and error <= RK4_FLOOR * tol:
                # halving the step no longer cuts the error (16x for a smooth field): a kink
                # (min, max, abs) sets a floor that more steps cannot lower
                return spp
            spp, coarse, previous = 2 * spp, fine, error
    return None


def auto_steps_per_period(sys, params=None, ic=None, minimum: int = 100) -> int:
    """RK4 steps per period: at least ``minimum``, and enough that ``h |mu| <= 2`` for every
    eigenvalue ``mu`` of the Jacobian at the initial condition (RK4 is stable for
    ``|h mu| <~ 2.8`` on both axes), so stiff systems get a stable step."""
    rho = _spectral_radius(sys, params, ic)
    return max(minimum, int(math.ceil(sys.period * rho / 2.0)))


def _step(sys, st, params) -> float:
    """The integration step: period / steps (flows), tau / m (delays), 1 (maps)."""
    if sys.kind == "flow":
        return sys.period / st["steps_per_period"]
    if sys.kind == "delay":
        tau = float(params[sys.delay])
        if not tau > 0:
            raise InvalidArgumentError(f"{sys.name}: the delay {sys.delay!r} must be positive; got {tau}.")
        return tau / st["points_per_delay"]
    return 1.0


def _initial(sys, ics: np.ndarray, st, k: int, seed: int):
    """Initial states and orthonormal tangent frames (random, seeded) for a batch."""
    rng = np.random.default_rng(seed)
    n = len(ics)
    if sys.kind == "delay":
        m = st["points_per_delay"]
        Y = np.repeat(ics[:, None, :], m + 2, axis=1)  # constant history
        shape = (m + 2, sys.dimension)
    else:
        Y = ics
        shape = (sys.dimension,)
    size = int(np.prod(shape))
    V = np.empty((n, *shape, k))
    for i in range(n):
        q, _ = np.linalg.qr(rng.standard_normal((size, k)))
        V[i] = q.reshape(*shape, k)
    return Y, V


@interruptible  # Ctrl-C returns control at once, even inside one long XLA loop
def _run(sys, n_exponents=None, t_total=None, transient=None, ic=None, params=None, n_ics=1,
         seed=None, steps_per_period=None, points_per_delay=None, qr_every=None, method=None) -> LyapunovResult:
    from chaoszoo.engine.simulate import derived_seed

    sys = _as_system(sys)
    st = _settings(sys, n_exponents, t_total, transient, steps_per_period, points_per_delay, qr_every)
    if st["t_total"] + st["transient"] > MAX_PERIODS:  # the engine's step budget
        raise InvalidArgumentError(
            f"{sys.name}: t_total + transient = {st['t_total'] + st['transient']:.3g} periods; at most "
            f"{MAX_PERIODS:,} periods are integrated in one call (the step budget). Use a shorter t_total.")
    method = method_for(sys, method)
    k = st["n_exponents"]
    n_ics = _positive(n_ics, "n_ics", True)
    if seed is not None and not (isinstance(seed, (int, np.integer)) and seed >= 0):
        raise InvalidArgumentError(f"seed must be a non-negative integer or None; got {seed!r}.")
    p = sys._p(params)
    base_ic = sys.ic if ic is None else sys._x(ic)
    if method == "etdrk4":
        # the stiff linear part is integrated exactly, so the step follows the nonlinear time
        # scale (DEFAULT_STEPS per period: h = 0.25 for Kuramoto-Sivashinsky, as in Kassam &
        # Trefethen 2005); only the spread of the k tracked directions limits the QR interval
        rho = _semilinear_spread(sys, p, k)
        if st["steps_per_period"] is None:
            st["steps_per_period"] = DEFAULT_STEPS
    else:
        rho = _spectral_radius(sys, dict(p), base_ic) if sys.kind == "flow" else 0.0
    if sys.kind == "flow" and st["steps_per_period"] is None:
        # RK4 needs h * rho <~ 2 for stability; the adaptive method only needs QR intervals
        # short enough (below) that no tangent direction falls below round-off of the others
        if method == "rk4":
            spp = accurate_steps_per_period(sys, dict(p), base_ic)
            if spp is None:
                raise ConvergenceError(
                    f"{sys.name}: RK4 needs more than {RK4_MAX_STEPS} steps per period for a "
                    f"one-period error below {RK4_TOL:g} of the orbit's extent; use method='adaptive'.")
            st["steps_per_period"] = spp
        else:
            st["steps_per_period"] = max(DEFAULT_STEPS, int(math.ceil(sys.period * rho / QR_GROWTH)))
    h = _step(sys, st, p)
    if qr_every is None and rho * h > 0:
        # contraction over one QR interval at most exp(-QR_GROWTH) relative to the others
        st["qr_every"] = max(1, min(st["qr_every"], int(QR_GROWTH / (rho * h))))
    rng = np.random.default_rng(derived_seed(sys.name, "lyapunov", seed))
    ics = np.repeat(base_ic[None, :], n_ics, axis=0)
    Y, V = _initial(sys, ics, st, k, int(rng.integers(2**31)))

    q = st["qr_every"]
    # times are given in periods (iterations for maps; for delays the longer of period and delay)
    unit = 1.0 if sys.kind == "map" else sys.period if sys.kind == "flow" else max(sys.period, float(p[sys.delay]))
    n_trans = int(math.ceil(st["transient"] * unit / h / q))
    n_sep = int(math.ceil(IC_SPACING * unit / h / q))
    n_qr = max(N_SEGMENTS, int(math.ceil(st["t_total"] * unit / h / q)))
    seg = int(math.ceil(n_qr / N_SEGMENTS))
    with x64():
        import jax.numpy as jnp

        fn = _kernel(sys.declaration, k, method)
        jp = {name: jnp.asarray(v, dtype=jnp.float64) for name, v in p.items()}
        t, Yj, Vj = 0.0, jnp.asarray(Y), jnp.asarray(V)
        hj = jnp.asarray(h, dtype=jnp.float64)
        if n_trans:
            t_arr, Yj, Vj, _ = fn(jnp.asarray(0.0), Yj, Vj, jp, hj, q, n_trans)
            t = float(t_arr[0])
        if n_ics > 1:
            # the initial conditions are points of one orbit, IC_SPACING periods apart, so they
            # lie on the attractor of ``ic`` (perturbing ``ic`` could change basin or, in a
            # conservative system, jump between the chaotic sea and a torus)
            states, frames = [Yj[0]], [Vj[0]]
            for _ in range(n_ics - 1):
                t_arr, Yj, Vj, _ = fn(jnp.asarray(t), Yj, Vj, jp, hj, q, n_sep)
                t = float(t_arr[0])
                states.append(Yj[0])
                frames.append(Vj[0])
            Yj, Vj = jnp.stack(states), jnp.stack(frames)
        logs = []
        for _ in range(N_SEGMENTS):
            t_arr, Yj, Vj, lg = fn(jnp.asarray(t), Yj, Vj, jp, hj, q, seg)
            t = float(t_arr[0])
            logs.append(np.asarray(lg))
    logs = np.stack(logs, axis=1)  # (n_ics, segments, k)
    if not np.isfinite(logs).all() or not np.isfinite(np.asarray(Yj)).all():
        raise ConvergenceError(
            f"{sys.name}: the tangent integration became non-finite (fixed step {h:.3g}). "
            + ("Increase steps_per_period, or start from an initial condition on the attractor."
               if sys.kind == "flow" else "Start from an initial condition on the attractor, or check the parameters."))
    seg_time = seg * q * h
    rates = logs / seg_time  # per segment
    per_ic = np.sort(rates.mean(axis=1), axis=1)[:, ::-1]
    mean = per_ic.mean(axis=0)
    # batch means: the standard error of one initial condition's estimate from its segments
    seg_rates = np.sort(rates, axis=2)[:, :, ::-1]
    within = np.sqrt(np.mean(seg_rates.var(axis=1, ddof=1), axis=0) / N_SEGMENTS)
    if n_ics > 1:
        # the initial conditions are IC_SPACING periods apart on one orbit, so their averaging
        # windows overlap: together they cover only n_eff windows' worth of independent orbit
        # (measured: Coullet's per-IC spread was 0.001 while repeated runs differed by 0.1)
        n_eff = 1.0 + (n_ics - 1) * min(1.0, IC_SPACING / st["t_total"])
        stderr = np.maximum(per_ic.std(axis=0, ddof=1) / math.sqrt(n_ics), within / math.sqrt(n_eff))
    else:
        stderr = within
    settings = dict(kind=sys.kind, method=method, n_exponents=k, n_ics=n_ics, seed=seed, step=h, qr_every=q,
                    transient=st["transient"], t_total=st["t_total"],
                    time_unit="iterations" if sys.kind == "map" else "periods",
                    averaging_time=N_SEGMENTS * seg_time)
    if sys.kind == "flow":
        settings["steps_per_period"] = st["steps_per_period"]
    if sys.kind == "delay":
        settings["points_per_delay"] = st["points_per_delay"]
    return LyapunovResult(mean=mean, stderr=stderr, settings=MappingProxyType(settings), per_ic=per_ic)


# --------------------------------------------------------------------------- public API
def lyapunov_spectrum_with_error(system, n_exponents: int | None = None, t_total: float | None = None,
                                 transient: float | None = None, ic=None, params=None, n_ics: int = 1,
                                 seed: int | None = None, *, steps_per_period: int | None = None,
                                 points_per_delay: int | None = None, qr_every: int | None = None,
                                 method: str | None = None) -> LyapunovResult:
    """The Lyapunov spectrum with its standard error; see :func:`lyapunov_spectrum`.

    Returns:
        :class:`LyapunovResult` with ``mean`` (descending), ``stderr`` and ``settings``.
    """
    return _run(system, n_exponents, t_total, transient, ic, params, n_ics, seed,
                steps_per_period, points_per_delay, qr_every, method)


def lyapunov_spectrum(system, n_exponents: int | None = None, t_total: float | None = None,
                      transient: float | None = None, ic=None, params=None, n_ics: int = 1,
                      seed: int | None = None, *, steps_per_period: int | None = None,
                      points_per_delay: int | None = None, qr_every: int | None = None,
                      method: str | None = None) -> np.ndarray:
    """The leading Lyapunov exponents of a catalog system, from its equations.

    The state and ``k`` tangent vectors are integrated together (fixed-step RK4 for flows and
    delays, exact iteration for maps), re-orthonormalised by QR every ``qr_every`` steps, and
    ``lambda_i = (1/T) sum ln|R_ii|``. A transient is first run from the initial condition so
    that the averaging starts on the attractor.

    Arguments:
        system: a :class:`chaoszoo.System` or a catalog name.
        n_exponents: how many exponents (default: all ``d`` for flows and maps, 3 for delays).
        t_total: averaging length, in periods of the system (iterations for maps; for delay
            equations in units of the longer of period and delay); defaults: 1,000 periods,
            50,000 iterations, 400 units (delays).
        transient: discarded lead-in, same units (defaults 30 periods, 1,000 iterations).
        ic: starting state (default: the system's); params: parameter overrides.
        n_ics: number of initial conditions averaged, run together with ``vmap``: the state
            reached after the transient and the states ``IC_SPACING`` (10) periods apart
            further along the same orbit, so all lie on the attractor of ``ic``.
        seed: seed of the initial tangent frames.
        steps_per_period: RK4 steps per period for flows (default: the fewest, from 100 up
            and doubling, that keep one period within 1e-5 of the orbit's extent - see
            :func:`accurate_steps_per_period`); with ``method="adaptive"`` it only sets the
            QR interval.
        points_per_delay: buffer points per delay interval for delay equations (default 40).
        qr_every: steps between re-orthonormalisations.
        method: for flows, ``"rk4"`` (default: fixed-step classical Runge-Kutta, fastest) or
            ``"adaptive"`` (Tsit5 with diffrax's step-size control at ``rtol = atol = 1e-8``),
            for orbits with fast excursions or stiff spikes. Semilinear flows (Kuramoto-Sivashinsky) always use
            the linearised ETDRK4 step of the engine; maps and delays have one scheme.

    Returns:
        ``(k,)`` exponents in descending order, per unit time (per iteration for maps),
        averaged over the initial conditions.

    Raises:
        InvalidArgumentError: bad options; ConvergenceError: the run became non-finite.
    """
    return _run(system, n_exponents, t_total, transient, ic, params, n_ics, seed,
                steps_per_period, points_per_delay, qr_every, method).mean


def max_lyapunov(system, t_total: float | None = None, transient: float | None = None, ic=None,
                 params=None, n_ics: int = 1, seed: int | None = None, **options) -> float:
    """The largest Lyapunov exponent alone (one tangent vector, so cheaper than the spectrum).

    Arguments as in :func:`lyapunov_spectrum`. Returns a float.
    """
    return float(_run(system, 1, t_total, transient, ic, params, n_ics, seed,
                      options.get("steps_per_period"), options.get("points_per_delay"),
                      options.get("qr_every"), options.get("method")).mean[0])


def _check_spectrum(spectrum) -> np.ndarray:
    try:
        s = np.asarray(spectrum, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"spectrum must be a sequence of numbers; got {spectrum!r}.") from None
    if s.size == 0:
        raise InvalidArgumentError("spectrum is empty; pass the Lyapunov exponents in descending order.")
    if not np.isfinite(s).all():
        raise InvalidArgumentError(f"spectrum contains NaN or infinity: {s.tolist()}.")
    if np.any(np.diff(s) > 0):
        raise InvalidArgumentError(
            f"spectrum must be sorted in descending order (largest first); got {s.tolist()}. "
            "Sort it with np.sort(spectrum)[::-1].")
    return s


def kaplan_yorke_dimension(spectrum) -> float:
    """The Kaplan-Yorke (Lyapunov) dimension of a descending spectrum.

    .. math:: D_{KY} = j + \\frac{\\sum_{i \\le j} \\lambda_i}{|\\lambda_{j+1}|},

    with ``j`` the largest index whose partial sum is non-negative. Returns 0 when
    ``lambda_1 < 0`` and ``len(spectrum)`` when every partial sum is non-negative (the
    spectrum is then too short to bound the dimension).

    Raises:
        InvalidArgumentError: empty, non-finite or unsorted spectrum.
    """
    s = _check_spectrum(spectrum)
    c = np.cumsum(s)
    if c[0] < 0:
        return 0.0
    nonneg = np.nonzero(c >= 0)[0]
    j = int(nonneg[-1]) + 1  # number of exponents in the non-negative partial sum
    if j == len(s):
        return float(len(s))
    return float(j + c[j - 1] / abs(s[j]))


def pesin_entropy(spectrum) -> float:
    """Pesin's upper bound on the Kolmogorov-Sinai entropy: the sum of positive exponents.

    Raises:
        InvalidArgumentError: empty, non-finite or unsorted spectrum.
    """
    s = _check_spectrum(spectrum)
    return float(s[s > 0].sum())


# --------------------------------------------------------------------------- sampling
@functools.cache
def _sampler(decl, n: int):
    """Jitted ``(y0, params, h, steps_per_sample) -> (n, ...)`` fixed-step samples of one orbit."""
    import jax
    import jax.numpy as jnp
    from jax import lax

    field_fn = jax_field(decl)
    if decl.kind == "flow" and "semilinear" in decl.extra:
        from chaoszoo.engine.etdrk4 import physical_step

        def make_advance(p, h, m):
            step = physical_step(decl, m, p, h)  # its coefficients once per call
            return lambda t, y: (t + h, step(y, t))
    elif decl.kind == "flow":
        def make_advance(p, h, m):
            def advance(t, y):
                k1 = field_fn(t, y, p)
                k2 = field_fn(t + h / 2, y + h / 2 * k1, p)
                k3 = field_fn(t + h / 2, y + h / 2 * k2, p)
                k4 = field_fn(t + h, y + h * k3, p)
                return t + h, y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
            return advance
    elif decl.kind == "map":
        def make_advance(p, h, m):
            return lambda t, y: (t + 1.0, field_fn(t, y, p))
    else:
        step = _delay_step_fn(field_fn)

        def make_advance(p, h, m):
            return lambda t, B: (t + h, step(t, B, p, h))

    def run(y0, p, h, every):
        advance = make_advance(p, h, y0.shape[-1])

        def body(c, _):
            t, y = lax.fori_loop(0, every, lambda j, c: advance(*c), c)
            return (t, y), (y[-1] if decl.kind == "delay" else y)

        (_, y_end), ys = lax.scan(body, (jnp.zeros((), y0.dtype), y0), None, length=n)
        return y_end, ys

    return jax.jit(run)


def sample_attractor(system, n: int = 4096, samples_per_period: int = 20, transient: float = 30.0,
                     params=None, steps_per_period: int | None = None,
                     points_per_delay: int | None = None) -> tuple[np.ndarray, float]:
    """``n`` states on the attractor, sampled ``samples_per_period`` times per period, from the
    same fixed-step scheme as the Lyapunov computation (RK4; ETDRK4 for semilinear flows),
    cheap to compile; for analysis, not for reference trajectories - use
    :meth:`chaoszoo.System.trajectory` for those.

    ``transient`` is in periods (iterations for maps). Returns ``(values (n, d), dt)`` with
    ``dt`` the actual sampling interval (the nearest whole number of integration steps).

    Raises:
        ConvergenceError: the orbit became non-finite.
    """
    sys = _as_system(system)
    n = _positive(n, "n", True)
    p = sys._p(params)
    spp = _positive(samples_per_period, "samples_per_period", True)
    if sys.kind == "map":
        h, every, n_trans = 1.0, 1, int(transient)
        y0 = sys.ic
    else:
        if sys.kind == "flow":
            if steps_per_period is not None:
                spp_int = _positive(steps_per_period, "steps_per_period", True)
            elif method_for(sys) == "etdrk4":
                spp_int = DEFAULT_STEPS  # the stiff linear part is exact: no stability limit
            else:
                spp_int = auto_steps_per_period(sys, dict(p))
            h = sys.period / spp_int
        else:
            m = DEFAULTS["delay"]["points_per_delay"] if points_per_delay is None else _positive(points_per_delay, "points_per_delay", True)
            h = float(p[sys.delay]) / m
        every = max(1, int(round(sys.period / spp / h)))
        n_trans = int(math.ceil(transient * sys.period / h / every))
        y0 = sys.ic if sys.kind == "flow" else np.repeat(sys.ic[None, :], int(round(float(p[sys.delay]) / h)) + 2, axis=0)
    with x64():
        import jax.numpy as jnp

        jp = {name: jnp.asarray(v, dtype=jnp.float64) for name, v in p.items()}
        fn = _sampler(sys.declaration, n)
        hj = jnp.asarray(h, dtype=jnp.float64)
        y = jnp.asarray(y0)
        if n_trans:  # one call of n blocks long enough to cover the transient
            y, _ = fn(y, jp, hj, every * int(math.ceil(n_trans / n)))
        _, ys = fn(y, jp, hj, every)
        ys = np.asarray(ys)
    if not np.isfinite(ys).all():
        raise ConvergenceError(f"{sys.name}: the sampled orbit became non-finite; try more steps_per_period.")
    return ys, float(every * h)
