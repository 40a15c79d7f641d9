"""Independent reference computations for the tests (SciPy; no chaoszoo engine code).

The reference integrator evaluates the system's NumPy vector field (``System.rhs``) with
SciPy's DOP853 at tight tolerances; delay equations use a method-of-steps built on SciPy's
dense output. Lyapunov and spectral checks here are deliberately simple and independent
of ``chaoszoo.analysis``.
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp


def reference_flow(system, t_eval, ic=None, rtol=1e-13, atol=1e-13):
    ic = system.ic if ic is None else ic
    sol = solve_ivp(lambda t, y: system.rhs(y, t), (t_eval[0], t_eval[-1]), ic, method="DOP853",
                    t_eval=t_eval, rtol=rtol, atol=atol)
    assert sol.success, sol.message
    return sol.y.T


def reference_delay(system, t_eval, rtol=1e-13, atol=1e-13):
    """Method of steps: on each interval [k tau, (k+1) tau] the delayed state is known."""
    tau = system.params[system.delay]
    ic = system.ic
    pieces = []  # dense solutions of earlier intervals

    def history(s):
        if s <= 0:
            return ic
        for (a, b, sol) in pieces:
            if a <= s <= b:
                return sol(s)
        raise RuntimeError("history query outside the computed range")

    y = ic.copy()
    t0 = 0.0
    while t0 < t_eval[-1]:
        t1 = t0 + tau
        sol = solve_ivp(lambda t, x: system.rhs(x, t, x_delayed=history(t - tau)), (t0, t1), y,
                        method="DOP853", rtol=rtol, atol=atol, dense_output=True)
        assert sol.success, sol.message
        pieces.append((t0, t1, sol.sol))
        y = sol.y[:, -1]
        t0 = t1
    return np.array([history(t) if t > 0 else ic for t in t_eval])


def reference_map(system, n):
    x = system.ic.copy()
    out = [x]
    for k in range(1, n):
        x = system.rhs(x, float(k - 1))
        out.append(x)
    return np.array(out)


def finite_difference_jacobian(system, x, t=0.0, eps=1e-6):
    """Central differences of ``rhs``; for delay systems the delayed state is held fixed
    (the Jacobian is with respect to the current state)."""
    x = np.asarray(x, dtype=float)
    kw = {"x_delayed": x.copy()} if system.kind == "delay" else {}
    d = len(x)
    J = np.zeros((d, d))
    for j in range(d):
        h = eps * max(1.0, abs(x[j]))
        e = np.zeros(d)
        e[j] = h
        J[:, j] = (system.rhs(x + e, t, **kw) - system.rhs(x - e, t, **kw)) / (2 * h)
    return J


def largest_lyapunov_two_trajectories(system, x0, n_segments=60, segment=None, d0=1e-8):
    """Benettin's two-trajectory estimate with renormalisation, using the engine's ensemble.

    (The engine produces the trajectories; the estimate itself is computed here.)
    """
    segment = system.period if segment is None else segment
    x = np.asarray(x0, float)
    rng = np.random.default_rng(0)
    v = rng.standard_normal(len(x))
    v *= d0 / np.linalg.norm(v)
    logs = []
    for _ in range(n_segments):
        if system.kind == "map":
            ys = system.ensemble(int(segment) + 1, ics=np.stack([x, x + v]))
        else:
            ys = system.ensemble(2, ics=np.stack([x, x + v]), t_end=segment)
        a, b = ys[0, -1], ys[1, -1]
        dist = np.linalg.norm(b - a)
        logs.append(np.log(dist / d0))
        x = a
        v = (b - a) * (d0 / dist)
    return float(np.mean(logs[5:]) / segment)


def divergence_rate(a, b, t, scale):
    """Exponential separation rate of two nearby trajectories ``a``, ``b`` (``(n, d)``).

    Fits ``log |a - b|`` against ``t`` over the stretch where the separation has grown
    past 20x its start but is still below 1e-3 of the attractor's size; a simple,
    independent estimate of the largest Lyapunov exponent.
    """
    dist = np.linalg.norm(a - b, axis=1)
    dist = np.maximum(dist, 1e-300)
    logd = np.log(dist)
    # running maximum removes the oscillation of the distance around its growth trend
    env = np.maximum.accumulate(logd)
    lo, hi = logd[0] + np.log(20.0), np.log(1e-3 * scale)
    sel = (env > lo) & (env < hi)
    if sel.sum() < 4:
        return float("nan") if env[-1] < hi else float("inf")
    idx = np.nonzero(sel)[0]
    return float(np.polyfit(t[idx], env[idx], 1)[0])


def _welch(x, dt):
    from scipy.signal import welch

    x = np.asarray(x, float)
    x = (x - x.mean(0)) / (x.std(0) + 1e-300)
    f, p = welch(x, fs=1.0 / dt, nperseg=min(len(x), 512), axis=0)
    return f, (p.sum(axis=1) if p.ndim == 2 else p)


def spectral_period(x, dt):
    """Period of the highest peak of a Welch power spectrum, summed over the variables."""
    f, p = _welch(x, dt)
    k = 1 + int(np.argmax(p[1:]))
    return 1.0 / f[k]


def relative_power_at(x, dt, period):
    """Welch power at frequency ``1 / period`` relative to the spectrum's highest peak."""
    f, p = _welch(x, dt)
    return float(np.interp(1.0 / period, f[1:], p[1:]) / p[1:].max())
