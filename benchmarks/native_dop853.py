"""A compiled (numba) DOP853 integrator: the native reference for chaoszoo's engine benchmark.

Hairer, Norsett & Wanner's explicit Runge-Kutta method of order 8 with the 5th- and 3rd-order
error estimators and the 7th-order dense output (Hairer, Norsett & Wanner, *Solving Ordinary
Differential Equations I*, 2nd ed., Springer 1993, section II.10, and their published Fortran
code ``dop853.f``). The coefficient table is the published one, read from SciPy
(``scipy.integrate._ivp.dop853_coefficients``, which reproduces it) rather than retyped.

The integration loop is written here for numba: the step-size control is the textbook one
(safety 0.9, factor in [0.2, 10], exponent -1/8, no growth right after a rejection, as
SciPy's ``DOP853`` does), the first step follows Hairer's rule (as SciPy's
``select_initial_step``), and every sample time of an equally spaced output grid that falls
in an accepted step is read off that step's dense output (3 extra right-hand-side
evaluations per step that contains a sample). ``verify()`` checks the result against SciPy's
``solve_ivp(method="DOP853")``.

Use::

    from native_dop853 import lorenz_rhs, solve, solve_ensemble
    ys, stats = solve(lorenz_rhs, y0, params, dt=0.015, n=10_000, rtol=1e-10, atol=1e-10)
    # stats = (attempted steps, accepted steps, right-hand-side evaluations)
"""

from __future__ import annotations

import numba
import numpy as np
from scipy.integrate._ivp import dop853_coefficients as _C

A = np.ascontiguousarray(_C.A, dtype=np.float64)  # (16, 16): stages 1..12 then 3 dense-output stages
B = np.ascontiguousarray(_C.B, dtype=np.float64)  # (12,)
C = np.ascontiguousarray(_C.C, dtype=np.float64)  # (16,)
E3 = np.ascontiguousarray(_C.E3, dtype=np.float64)  # (13,)
E5 = np.ascontiguousarray(_C.E5, dtype=np.float64)  # (13,)
D = np.ascontiguousarray(_C.D, dtype=np.float64)  # (4, 16)
N_STAGES, N_EXT = 12, 16


@numba.njit(cache=True, fastmath=False)
def lorenz_rhs(t, y, p, out):
    """Lorenz (1963); ``p = (sigma, rho, beta)``."""
    out[0] = p[0] * (y[1] - y[0])
    out[1] = y[0] * (p[1] - y[2]) - y[1]
    out[2] = y[0] * y[1] - p[2] * y[2]


@numba.njit(cache=True)
def _rms(x):
    s = 0.0
    for v in x:
        s += v * v
    return np.sqrt(s / x.shape[0])


@numba.njit(cache=True)
def _solve(rhs, y0, p, dt, n, rtol, atol, out):
    """Integrate from t = 0, writing ``out[k] = y(k dt)`` for k < n; returns the counters."""
    d = y0.shape[0]
    K = np.empty((N_EXT, d))
    y = y0.copy()
    y_new = np.empty(d)
    yi = np.empty(d)
    F = np.empty((7, d))
    scale = np.empty(d)
    e3 = np.empty(d)
    e5 = np.empty(d)
    t = 0.0
    t_end = (n - 1) * dt
    rhs(t, y, p, K[0])
    nfev = 1
    # first step (Hairer's rule, order 7 estimator -> exponent 1/8)
    for j in range(d):
        scale[j] = atol + abs(y[j]) * rtol
    for j in range(d):
        e3[j] = y[j] / scale[j]
        e5[j] = K[0, j] / scale[j]
    d0, d1 = _rms(e3), _rms(e5)
    h0 = 1e-6 if (d0 < 1e-5 or d1 < 1e-5) else 0.01 * d0 / d1
    for j in range(d):
        yi[j] = y[j] + h0 * K[0, j]
    rhs(t + h0, yi, p, K[1])
    nfev += 1
    for j in range(d):
        e3[j] = (K[1, j] - K[0, j]) / scale[j]
    d2 = _rms(e3) / h0
    mx = max(d1, d2)
    h1 = max(1e-6, h0 * 1e-3) if mx <= 1e-15 else (0.01 / mx) ** (1.0 / 8.0)
    h = min(100 * h0, h1)
    out[0, :] = y
    k_out = 1
    steps = 0
    accepted = 0
    rejected_last = False
    while t < t_end and k_out < n:
        if t + h > t_end:
            h = t_end - t
        steps += 1
        for s in range(1, N_STAGES):
            for j in range(d):
                acc = 0.0
                for m in range(s):
                    acc += A[s, m] * K[m, j]
                yi[j] = y[j] + h * acc
            rhs(t + C[s] * h, yi, p, K[s])
        for j in range(d):
            acc = 0.0
            for m in range(N_STAGES):
                acc += B[m] * K[m, j]
            y_new[j] = y[j] + h * acc
        rhs(t + h, y_new, p, K[N_STAGES])
        nfev += N_STAGES
        for j in range(d):
            scale[j] = atol + max(abs(y[j]), abs(y_new[j])) * rtol
            a3 = 0.0
            a5 = 0.0
            for m in range(N_STAGES + 1):
                a3 += E3[m] * K[m, j]
                a5 += E5[m] * K[m, j]
            e3[j] = a3 / scale[j]
            e5[j] = a5 / scale[j]
        n5 = 0.0
        n3 = 0.0
        for j in range(d):
            n5 += e5[j] * e5[j]
            n3 += e3[j] * e3[j]
        if n5 == 0.0 and n3 == 0.0:
            err = 0.0
        else:
            err = abs(h) * n5 / np.sqrt((n5 + 0.01 * n3) * d)
        if err < 1.0:
            factor = 10.0 if err == 0.0 else min(10.0, 0.9 * err ** (-1.0 / 8.0))
            if rejected_last:
                factor = min(1.0, factor)
            t_new = t + h
            # samples inside (t, t_new]: dense output from 3 extra stages
            if k_out < n and k_out * dt <= t_new:
                for s in range(N_STAGES + 1, N_EXT):
                    for j in range(d):
                        acc = 0.0
                        for m in range(s):
                            acc += A[s, m] * K[m, j]
                        yi[j] = y[j] + h * acc
                    rhs(t + C[s] * h, yi, p, K[s])
                nfev += 3
                for j in range(d):
                    dy = y_new[j] - y[j]
                    F[0, j] = dy
                    F[1, j] = h * K[0, j] - dy
                    F[2, j] = 2 * dy - h * (K[N_STAGES, j] + K[0, j])
                    for r in range(4):
                        acc = 0.0
                        for m in range(N_EXT):
                            acc += D[r, m] * K[m, j]
                        F[3 + r, j] = h * acc
                while k_out < n and k_out * dt <= t_new:
                    x = (k_out * dt - t) / h
                    for j in range(d):
                        v = 0.0
                        for i in range(7):
                            v += F[6 - i, j]
                            v *= x if i % 2 == 0 else 1.0 - x
                        out[k_out, j] = v + y[j]
                    k_out += 1
            t = t_new
            for j in range(d):
                y[j] = y_new[j]
                K[0, j] = K[N_STAGES, j]
            h *= factor
            accepted += 1
            rejected_last = False
        else:
            h *= max(0.2, 0.9 * err ** (-1.0 / 8.0))
            rejected_last = True
    return steps, accepted, nfev


def solve(rhs, y0, params, *, dt, n, rtol=1e-10, atol=1e-10):
    """``(ys (n, d), (attempted steps, accepted steps, rhs evaluations))``."""
    y0 = np.ascontiguousarray(y0, dtype=np.float64)
    out = np.empty((n, len(y0)))
    stats = _solve(rhs, y0, np.ascontiguousarray(params, dtype=np.float64), float(dt), int(n), rtol, atol, out)
    return out, stats


def _make_ensemble(parallel: bool):
    @numba.njit(parallel=parallel, cache=True)
    def ens(rhs, ics, p, dt, n, rtol, atol, out, stats):
        for i in numba.prange(ics.shape[0]):
            s = _solve(rhs, ics[i], p, dt, n, rtol, atol, out[i])
            stats[i, 0] = s[0]
            stats[i, 1] = s[1]
            stats[i, 2] = s[2]
    return ens


_ENSEMBLE = {False: _make_ensemble(False), True: _make_ensemble(True)}


def solve_ensemble(rhs, ics, params, *, dt, n, rtol=1e-10, atol=1e-10, parallel=False):
    """Every initial condition in a loop (``parallel``: numba ``prange`` over all threads)."""
    ics = np.ascontiguousarray(ics, dtype=np.float64)
    out = np.empty((len(ics), n, ics.shape[1]))
    stats = np.zeros((len(ics), 3), np.int64)
    _ENSEMBLE[parallel](rhs, ics, np.ascontiguousarray(params, dtype=np.float64), float(dt), int(n), rtol, atol, out, stats)
    return out, stats.sum(axis=0)


def verify(periods: float = 1.0, pts: int = 100, tol: float = 1e-13):
    """Maximum deviation from SciPy's DOP853 over ``periods`` Lorenz periods at ``tol``."""
    from scipy.integrate import solve_ivp

    import chaoszoo as cz

    s = cz.get("Lorenz")
    p = np.array([s.params[k] for k in ("sigma", "rho", "beta")])
    period, y0 = s.period, np.asarray(s.ic, dtype=np.float64)
    n = int(periods * pts) + 1
    dt = period / pts
    ys, stats = solve(lorenz_rhs, y0, p, dt=dt, n=n, rtol=tol, atol=tol)

    def f(t, y):
        return [p[0] * (y[1] - y[0]), y[0] * (p[1] - y[2]) - y[1], y[0] * y[1] - p[2] * y[2]]

    t = np.arange(n) * dt
    ref = solve_ivp(f, (0, t[-1]), y0, method="DOP853", t_eval=t, rtol=tol, atol=tol)
    return float(np.abs(ys - ref.y.T).max()), stats, int(ref.nfev)


if __name__ == "__main__":
    err, stats, nfev = verify()
    print(f"native DOP853 vs SciPy DOP853 (rtol = atol = 1e-13, one Lorenz period): max |diff| = {err:.2e}; "
          f"steps {stats[0]} (accepted {stats[1]}), rhs evaluations {stats[2]} (SciPy: {nfev})")
