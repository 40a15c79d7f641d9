"""One entry point for simulating a declaration: validation, dispatch, failure reporting."""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Mapping

import numpy as np

from chaoszoo.catalog.declaration import Declaration
from chaoszoo.engine import delays, etdrk4, flows, limits, maps
from chaoszoo.engine._jax import x64
from chaoszoo.engine.grid import TimeGrid
from chaoszoo.errors import IntegrationError, InvalidArgumentError

#: States larger than this in absolute value count as a blow-up.
BLOWUP = 1e100  # noqa: E305


def derived_seed(*parts) -> int:
    """A 63-bit seed derived from names and indices (stable across machines and runs)."""
    text = "\x1f".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.sha256(text).digest()[:8], "little") >> 1


def check_ics(decl: Declaration, ics) -> np.ndarray:
    """Validate a ``(k, d)`` batch of initial conditions."""
    try:
        arr = np.asarray(ics, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"{decl.name}: initial conditions must be numeric; got {ics!r}.") from None
    if arr.ndim != 2 or arr.shape[0] == 0:
        raise InvalidArgumentError(f"{decl.name}: expected initial conditions of shape (k, d); got shape {arr.shape}.")
    if arr.shape[1] != decl.dimension and not (decl.resizable and arr.shape[1] >= 4):
        raise InvalidArgumentError(
            f"{decl.name}: initial condition has length {arr.shape[1]} but the system has "
            f"dimension {decl.dimension} (variables {', '.join(decl.variables)})."
            + (" It is resizable: any length >= 4 is accepted." if decl.resizable else "")
        )
    if not np.isfinite(arr).all():
        raise InvalidArgumentError(f"{decl.name}: the initial condition contains NaN or infinity: {arr[~np.isfinite(arr).all(1)][0].tolist()}.")
    return arr


def check_params(decl: Declaration, params: Mapping[str, np.ndarray], k: int) -> dict:
    """Validate a mapping of parameter arrays, broadcasting each to ``(k,)``."""
    from chaoszoo.errors import UnknownParameterError

    unknown = set(params) - set(decl.params)
    if unknown:
        raise UnknownParameterError(decl.name, unknown, decl.params)
    out = {}
    for name, default in decl.params.items():
        try:
            v = np.broadcast_to(np.asarray(params.get(name, default), dtype=np.float64), (k,))
        except (TypeError, ValueError):
            raise InvalidArgumentError(
                f"{decl.name}: parameter {name!r} must be a number or an array of {k} numbers; got {params.get(name)!r}."
            ) from None
        if not np.isfinite(v).all():
            raise InvalidArgumentError(f"{decl.name}: parameter {name!r} must be finite; got {params.get(name)!r}.")
        out[name] = np.ascontiguousarray(v)
    for name in decl.integer_params:
        if not np.all(out[name] == out[name][0]) or not float(out[name][0]).is_integer():
            raise InvalidArgumentError(f"{decl.name}: structural parameter {name!r} must be one integer for the whole batch.")
    return out


def _noise_vector(noise, d: int) -> np.ndarray:
    """Validate the dynamical-noise amplitude: a scalar, or one non-negative value per variable."""
    try:
        arr = None if isinstance(noise, (str, bytes, bool, np.bool_)) else np.asarray(noise, dtype=np.float64)
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.ndim > 1 or (arr.ndim == 1 and len(arr) != d) or not np.isfinite(arr).all() or (arr < 0).any():
        raise InvalidArgumentError(
            f"noise must be a non-negative number or {d} non-negative numbers (one per variable); got {noise!r}."
        )
    return np.ascontiguousarray(np.broadcast_to(arr, (d,)))


def run(decl: Declaration, ics, params: Mapping[str, np.ndarray], grid: TimeGrid, transient: int, *,
        noise: float = 0.0, obs_noise: float = 0.0, seed: int | None = None,
        rtol: float = 1e-10, atol: float = 1e-10, t_start: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Simulate a batch; returns ``(t (n,), values (k, n, d))``.

    ``t_start`` is the time at which the initial conditions hold (the clock of a flow whose
    field depends on time explicitly; the returned times start at ``t_start + transient * dt``).

    Raises :class:`IntegrationError` naming the first failing member's time and parameters.
    """
    ics = check_ics(decl, ics)
    k = len(ics)
    params = check_params(decl, params, k)
    if isinstance(obs_noise, (bool, np.bool_)) or not (
            isinstance(obs_noise, (int, float, np.floating, np.integer)) and math.isfinite(obs_noise) and obs_noise >= 0):
        raise InvalidArgumentError(f"obs_noise must be a non-negative number; got {obs_noise!r}.")
    noise = _noise_vector(noise, ics.shape[1])
    for name, v in (("rtol", rtol), ("atol", atol)):
        if isinstance(v, (bool, np.bool_)) or not (isinstance(v, (int, float, np.floating)) and 0 < v < 1):
            raise InvalidArgumentError(f"{name} must be a number in (0, 1); got {v!r}.")
    if seed is None:
        seed = derived_seed(decl.name)
    elif isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InvalidArgumentError(f"seed must be a non-negative integer or None; got {seed!r}.")
    n_total = grid.n + transient
    noisy = bool(np.any(noise > 0))
    limits.check_run(decl.name, decl.kind, k, n_total, ics.shape[1], grid.dt, decl.period,
                     delay_steps=_delay_steps(decl, params, rtol, grid.dt, n_total), noisy=noisy)
    if isinstance(t_start, (bool, np.bool_)) or not isinstance(t_start, (int, float, np.floating, np.integer)) \
            or not math.isfinite(t_start):
        raise InvalidArgumentError(f"t_start must be a finite number; got {t_start!r}.")
    if t_start and decl.kind != "flow":
        raise InvalidArgumentError(f"{decl.name}: t_start applies to flows only (a {decl.kind} starts at 0).")
    ts = float(t_start) + np.arange(n_total, dtype=np.float64) * grid.dt
    ys, ok = _integrate(decl, ics, params, ts, n_total, noise, seed, k, rtol, atol)
    if t_start:
        grid = TimeGrid(n=grid.n, dt=grid.dt, t0=grid.t0 + float(t_start))
    return _report(decl, ys, ok, ts, params, k, transient, obs_noise, seed, grid)


def _delay_steps(decl: Declaration, params, rtol, dt, n_total) -> tuple[int, int] | None:
    """``(steps per delay, total steps)`` of the method of steps, for the memory check."""
    if decl.kind != "delay":
        return None
    tau = float(np.max(params[decl.delay]))
    if not tau > 0:
        return None  # rejected with its own message by the solver
    m = delays.step_count(decl, tau, float(rtol), dt)
    return m, int(math.ceil((n_total - 1) * dt / (tau / m))) + 2


@functools.cache
def _member_keys():
    """Jitted ``(seed, indices) -> keys``: ``fold_in(PRNGKey(seed), i)`` per member (compiled
    once; run op by op it cost ~2.5 ms per call, half of a 1,000-sample noisy Lorenz run)."""
    import jax

    def keys(seed, idx):
        base = jax.random.PRNGKey(seed)
        return jax.vmap(lambda i: jax.random.fold_in(base, i))(idx)

    return jax.jit(keys)


@limits.interruptible  # Ctrl-C returns control at once, even while XLA computes
def _integrate(decl, ics, params, ts, n_total, noise, seed, k, rtol, atol):
    with x64():
        import jax
        import jax.numpy as jnp

        jparams = {name: jnp.asarray(v) for name, v in params.items()}
        keys = None
        if np.any(noise > 0):
            keys = _member_keys()(jnp.asarray(int(seed) % (2**63), dtype=jnp.int64), jnp.arange(k))
        if decl.kind == "map":
            ys, ok = maps.iterate(decl, ics, jparams, n_total, noise=noise, keys=keys)
        elif decl.kind == "delay":
            ys, ok = delays.integrate(decl, ics, jparams, ts, rtol=float(rtol), noise=noise, keys=keys)
        elif "semilinear" in decl.extra:
            ys, ok = etdrk4.integrate(decl, ics, jparams, ts, rtol=float(rtol), noise=noise, keys=keys)
        else:
            ys, ok = flows.integrate(decl, ics, jparams, ts, rtol=float(rtol), atol=float(atol),
                                     noise=noise, keys=keys)
    return ys, ok


def _report(decl, ys, ok, ts, params, k, transient, obs_noise, seed, grid):
    """Raise :class:`IntegrationError` for the first failing member; else the sampled values."""
    # one pass over the values in the usual case (NaN fails the comparison, so it is caught)
    clean = bool(ok.all()) and bool(np.all(np.abs(ys) <= BLOWUP))
    bad_vals = None if clean else ~np.isfinite(ys) | (np.abs(np.nan_to_num(ys, nan=0.0, posinf=np.inf)) > BLOWUP)
    bad_member = np.zeros(len(ys), bool) if clean else bad_vals.any(axis=(1, 2)) | ~ok
    if bad_member.any():
        i = int(np.argmax(bad_member))
        rows = np.nonzero(bad_vals[i].any(axis=1))[0]
        when = float(ts[rows[0]]) if len(rows) else None
        if ok[i]:
            reason = "the state became non-finite or exceeded 1e100 (a blow-up)"
        else:
            reason = ("the solver stopped before the end of the trajectory: the state escaped (a blow-up) "
                      "or the step size collapsed / the step budget ran out")
        member = {name: float(v[i]) for name, v in params.items()}
        raise IntegrationError(decl.name + (f" (ensemble member {i})" if k > 1 else ""), when, member, reason)
    ys = ys[:, transient:]
    if obs_noise > 0:
        rng = np.random.default_rng([int(seed) % (2**63), 1])
        std = ys.std(axis=1, keepdims=True)
        ys = ys + obs_noise * std * rng.standard_normal(ys.shape)
    return grid.times(), ys
