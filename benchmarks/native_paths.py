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


@numba.njit(cache=True)
def _lorenz(y, s, r, b, out):
    out[0] = s * (y[1] - y[0])
    out[1] = y[0] * (r - y[2]) - y[1]
    out[2] = y[0] * y[1] - b * y[2]


@numba.njit(cache=True)
def lorenz_shark(y0, s, r, b, sigma, h, n_steps, WH, coef):
    """``n_steps`` ShARK steps of Lorenz with additive noise ``sigma`` (per variable), fed the
    increments ``WH[j] = (W, H)``; ``coef = (a21, c2, b1, b2, aw1, aw2, ah1, ah2, bw, bh)``,
    the coefficients of ``chaoszoo.engine.shark`` (autonomous, so ``c2`` is unused)."""
    a21, _, b1, b2, aw1, aw2, ah1, ah2, bw, bh = coef
    y = y0.copy()
    z = np.empty(3)
    f1 = np.empty(3)
    f2 = np.empty(3)
    for j in range(n_steps):
        W, H = WH[j, 0], WH[j, 1]
        for i in range(3):
            z[i] = y[i] + sigma[i] * (aw1 * W[i] + ah1 * H[i])
        _lorenz(z, s, r, b, f1)
        for i in range(3):
            z[i] = y[i] + a21 * h * f1[i] + sigma[i] * (aw2 * W[i] + ah2 * H[i])
        _lorenz(z, s, r, b, f2)
        for i in range(3):
            y[i] = y[i] + h * (b1 * f1[i] + b2 * f2[i]) + sigma[i] * (bw * W[i] + bh * H[i])
    return y


@numba.njit(cache=True)
def _lorenz_aug(y, V, s, r, b, dy, dV):
    _lorenz(y, s, r, b, dy)
    for c in range(V.shape[1]):
        dV[0, c] = s * (V[1, c] - V[0, c])
        dV[1, c] = (r - y[2]) * V[0, c] - V[1, c] - y[0] * V[2, c]
        dV[2, c] = y[1] * V[0, c] + y[0] * V[1, c] - b * V[2, c]


@numba.njit(cache=True)
def lorenz_lyapunov(y0, V0, s, r, b, h, q, n_transient, n_qr):
    """Lorenz's spectrum by RK4 on the state and tangent frame (the scheme of chaoszoo's
    ``lyapunov`` module with ``method="rk4"``): ``q`` steps of ``h`` between QR
    decompositions, ``n_transient`` decompositions discarded, then ``n_qr`` averaged."""
    y = y0.copy()
    V = V0.copy()
    k1, k2, k3, k4 = np.empty(3), np.empty(3), np.empty(3), np.empty(3)
    K1, K2, K3, K4 = np.empty((3, 3)), np.empty((3, 3)), np.empty((3, 3)), np.empty((3, 3))
    logs = np.zeros(3)
    for blk in range(n_transient + n_qr):
        for _ in range(q):
            _lorenz_aug(y, V, s, r, b, k1, K1)
            _lorenz_aug(y + h / 2 * k1, V + h / 2 * K1, s, r, b, k2, K2)
            _lorenz_aug(y + h / 2 * k2, V + h / 2 * K2, s, r, b, k3, K3)
            _lorenz_aug(y + h * k3, V + h * K3, s, r, b, k4, K4)
            y = y + h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
            V = V + h / 6 * (K1 + 2 * K2 + 2 * K3 + K4)
        Q, R = np.linalg.qr(V)
        V = np.ascontiguousarray(Q)
        if blk >= n_transient:
            for i in range(3):
                logs[i] += np.log(abs(R[i, i]))
    return np.sort(logs / (n_qr * q * h))[::-1]
