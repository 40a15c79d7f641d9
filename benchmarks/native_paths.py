"""Compiled (numba) references for the engine's other paths: the delay solver and a map's iteration.

Each is the *same algorithm* as chaoszoo's, written as a plain loop, so that the benchmark
measures the cost of running it, not a difference of method:

* :func:`mackey_glass`: the method of steps of ``chaoszoo.engine.delays`` (classical RK4 with
  step ``h = tau / m``; the delayed value at a step's midpoint from the cubic Hermite
  interpolant of the stored states and derivatives; constant history ``x0`` with zero slope
  before ``t = 0``) for the Mackey-Glass equation ``x' = beta x_tau / (1 + x_tau^n) - gamma x``
  (Mackey & Glass 1977). It returns the states and derivatives at every step, which chaoszoo
  then samples; ``verify_delay`` checks it against chaoszoo's solver to rounding.
* :func:`henon`: ``n`` iterations of the Henon map (Henon 1976).
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(cache=True)
def _mg(xd, beta, gamma, npow, x):
    return beta * xd / (1.0 + xd**npow) - gamma * x


@numba.njit(cache=True)
def mackey_glass(x0, beta, gamma, npow, h, m, n_steps):
    """States and derivatives at the ``n_steps`` steps (scalar Mackey-Glass, constant history)."""
    xs = np.empty(n_steps)
    fs = np.empty(n_steps)
    y = x0
    for j in range(n_steps):
        if j - m < 0:
            xa, fa = x0, 0.0
        else:
            xa, fa = xs[j - m], fs[j - m]
        if j - m + 1 < 0:
            xb, fb = x0, 0.0
        else:
            xb, fb = xs[j - m + 1], fs[j - m + 1]
        if j - m + 1 == 0:
            fb = 0.0
        xmid = 0.5 * (xa + xb) + h * (fa - fb) / 8.0
        k1 = _mg(xa, beta, gamma, npow, y)
        xs[j] = y
        fs[j] = k1
        k2 = _mg(xmid, beta, gamma, npow, y + h / 2 * k1)
        k3 = _mg(xmid, beta, gamma, npow, y + h / 2 * k2)
        k4 = _mg(xb, beta, gamma, npow, y + h * k3)
        y = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
    return xs, fs


@numba.njit(cache=True)
def henon(x0, y0, a, b, n):
    out = np.empty((n, 2))
    x, y = x0, y0
    for i in range(n):
        out[i, 0] = x
        out[i, 1] = y
        x, y = 1.0 - a * x * x + y, b * x
    return out


@numba.njit(cache=True, parallel=True)
def henon_ensemble(ics, a, b, n):
    out = np.empty((len(ics), n, 2))
    for k in numba.prange(len(ics)):
        out[k] = henon(ics[k, 0], ics[k, 1], a, b, n)
    return out
