"""``dysts.utils``: array helpers, spectra, surrogates, finite-difference Jacobians and integration.

Pure NumPy/SciPy helpers with dysts 0.96's names and signatures. Random surrogates take a
``random_state`` (default: a fresh generator) instead of drawing from NumPy's global state.
Differences from dysts: ``integrate_dyn`` with ``noise > 0`` is refused (dysts needed
``sdeint`` and scaled the noise by the initial condition; use ``System.trajectory(noise=...)``);
bad input raises :class:`~chaoszoo.errors.InvalidArgumentError`, which for the checks dysts
made with ``assert`` is also an ``AssertionError``.
"""

from __future__ import annotations

import math

import numpy as np

from chaoszoo.errors import InvalidArgumentError

__all__ = [
    "cartesian_to_polar", "find_characteristic_timescale", "find_psd", "find_significant_frequencies",
    "freq_from_fft", "generate_ic_ensemble", "integrate_dyn", "jac_fd", "make_epsilon_ball", "make_surrogate",
    "nan_fill", "pad_axis", "polar_to_cartesian", "signif", "standardize_ts",
]


class UtilsArgumentError(InvalidArgumentError, AssertionError):
    """Bad input where dysts used ``assert`` (so both exception types catch it)."""


def polar_to_cartesian(r, th):
    """``(r cos th, r sin th)``."""
    return r * np.cos(th), r * np.sin(th)


def cartesian_to_polar(x, y):
    """``(sqrt(x^2 + y^2), atan2(y, x))``."""
    return np.sqrt(x ** 2 + y ** 2), np.arctan2(y, x)


def signif(x, figs: int = 6):
    """``x`` rounded to ``figs`` significant figures (0 and non-finite values unchanged)."""
    if x == 0 or not np.isfinite(x):
        return x
    return round(x, int(figs - math.ceil(math.log10(abs(x)))))


def standardize_ts(a, scale: float = 1.0) -> np.ndarray:
    """Z-score along axis ``-2`` of a ``(T, D)`` series or ``(B, T, D)`` batch, dividing by
    ``scale`` standard deviations (a zero standard deviation counts as 1)."""
    a = np.asarray(a, dtype=np.float64)
    if a.ndim not in (2, 3):
        raise UtilsArgumentError(f"standardize_ts needs a (T, D) series or a (B, T, D) batch; got shape {a.shape}.")
    sd = a.std(axis=-2, keepdims=True)
    sd[sd == 0] = 1.0
    return (a - a.mean(axis=-2, keepdims=True)) / (scale * sd)


def nan_fill(a, axis: int = 0, mode: str = "forward") -> np.ndarray:
    """Replace NaNs by the last (``"forward"``) or next (``"backward"``) finite value along ``axis``."""
    a = np.moveaxis(np.array(a, dtype=np.float64), axis, 0)
    if mode == "backward":
        a = a[::-1]
    elif mode != "forward":
        raise InvalidArgumentError(f"mode must be 'forward' or 'backward'; got {mode!r}.")
    for i in range(1, len(a)):
        a[i] = np.where(np.isnan(a[i]), a[i - 1], a[i])
    if mode == "backward":
        a = a[::-1]
    return np.moveaxis(a, 0, axis)


def pad_axis(arr, d: int, axis: int = -1, padding=0) -> np.ndarray:
    """Pad ``arr`` at the end of ``axis`` to length ``d`` with ``padding``."""
    arr = np.asarray(arr)
    width = [(0, 0)] * arr.ndim
    width[axis] = (0, max(0, d - arr.shape[axis]))
    return np.pad(arr, width, constant_values=padding)


def find_psd(y, window: bool = True) -> np.ndarray:
    """One-sided power spectrum ``|rfft(y w)|^2`` (``w`` a Blackman-Harris window when ``window``)."""
    from scipy.signal.windows import blackmanharris

    y = np.asarray(y, dtype=np.float64)
    if window:
        y = y * blackmanharris(len(y))
    return np.abs(np.fft.rfft(y)) ** 2


def freq_from_fft(sig, fs: float = 1) -> float:
    """Dominant frequency: the peak of the windowed power spectrum, refined by a parabola through
    the log-amplitudes of the peak and its neighbours."""
    from scipy.signal.windows import blackmanharris

    sig = np.asarray(sig, dtype=np.float64)
    amp = np.abs(np.fft.rfft(sig * blackmanharris(len(sig))))
    i = int(np.argmax(amp))
    if 0 < i < len(amp) - 1 and np.all(amp[i - 1: i + 2] > 0):
        a, b, c = np.log(amp[i - 1: i + 2])
        den = a - 2 * b + c
        i = i + (0.5 * (a - c) / den if den != 0 else 0.0)
    return fs * i / len(sig)


def find_characteristic_timescale(y, k: int = 1, window: bool = True) -> float:
    """``1 / f`` for the ``k``-th strongest nonzero frequency of the spectrum (in samples)."""
    psd = find_psd(y, window=window)
    freqs = np.fft.rfftfreq(len(y))
    order = np.argsort(psd[1:])[::-1] + 1
    return float(1 / freqs[order[k - 1]])


def make_surrogate(data, method: str = "rp", random_state=None) -> np.ndarray:
    """A surrogate of a 1-D series: random Fourier phases (``"rp"``, the power spectrum's shape on
    average; see the comment) or a random shuffle (``"rs"``, the same values)."""
    rng = np.random.default_rng(random_state)
    data = np.asarray(data, dtype=np.float64)
    if method == "rp":
        # dysts's "random phase" surrogate: the real part of the inverse FFT of |F| with independent
        # uniform phases. The phases are not made Hermitian, so the surrogate keeps the spectrum's
        # shape only on average (each amplitude is scaled by |cos| of a random angle); that
        # randomness is what find_significant_frequencies tests against, so it is kept as dysts had it
        amp = np.abs(np.fft.fft(data))
        return np.real(np.fft.ifft(amp * np.exp(2j * np.pi * rng.random(amp.shape))))
    if method == "rs":
        return rng.permutation(data)
    raise InvalidArgumentError(f"method must be 'rp' (random phases) or 'rs' (shuffle); got {method!r}.")


def find_significant_frequencies(sig, window: bool = True, fs: float = 1, n_samples: int = 100,
                                 significance_threshold: float = 0.95, surrogate_method: str = "rp",
                                 show: bool = False, return_amplitudes: bool = False, random_state=0):
    """Frequencies whose spectral power exceeds that of ``n_samples`` surrogates in at least a
    fraction ``significance_threshold`` of them (lowered by 0.01 until one qualifies); the lowest
    frequencies (below ``20 / len(sig)``) are dropped. Returns ``freqs`` (and the powers)."""
    from scipy.signal.windows import blackmanharris

    sig = np.asarray(sig, dtype=np.float64)
    n = len(sig)
    w = blackmanharris(n) if window else np.ones(n)
    psd = np.abs(np.fft.rfft(sig * w)) ** 2
    rng = np.random.default_rng(random_state)
    surr = np.array([np.abs(np.fft.rfft(make_surrogate(sig, surrogate_method, rng) * w)) ** 2
                     for _ in range(n_samples)])
    frac = (psd > surr).mean(axis=0)
    thr = significance_threshold
    sel = frac >= thr
    while not sel.any() and thr > 0:
        thr -= 0.01
        sel = frac >= thr
    freqs = fs * np.arange(len(psd))[sel] / n
    amps = psd[sel]
    keep = freqs > fs * 20 / n
    return (freqs[keep], amps[keep]) if return_amplitudes else freqs[keep]


def jac_fd(func0, y0, eps: float = 1e-3, m: int = 1, method: str = "central", verbose: bool = False) -> np.ndarray:
    """Finite-difference Jacobian ``J_ij = d f_i / d y_j`` of ``func0`` at ``y0`` (central
    differences with step ``eps``; ``method="forward"`` for one-sided ones)."""
    y0 = np.asarray(y0, dtype=np.float64)
    f0 = np.asarray(func0(y0), dtype=np.float64)
    J = np.empty((len(f0), len(y0)))
    for j in range(len(y0)):
        e = np.zeros_like(y0)
        e[j] = eps
        if method == "central":
            J[:, j] = (np.asarray(func0(y0 + e)) - np.asarray(func0(y0 - e))) / (2 * eps)
        elif method == "forward":
            J[:, j] = (np.asarray(func0(y0 + e)) - f0) / eps
        else:
            raise InvalidArgumentError(f"method must be 'central' or 'forward'; got {method!r}.")
    return J


def make_epsilon_ball(pt, n: int, eps: float = 1e-5, random_state=None) -> np.ndarray:
    """``n`` points drawn uniformly from the ball of radius ``eps`` around ``pt``."""
    rng = np.random.default_rng(random_state)
    pt = np.asarray(pt, dtype=np.float64)
    d = pt.size
    v = rng.standard_normal((n, d))
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    r = eps * rng.random(n) ** (1 / d)
    return pt.reshape(1, -1) + v * r[:, None]


def integrate_dyn(f, ic, tvals, noise=0.0, dtval=None, **kwargs) -> np.ndarray:
    """Integrate ``dy/dt = f(t, y)`` (SciPy ``solve_ivp`` signature) from ``ic``; returns ``(d, len(tvals))``.

    ``kwargs`` go to ``scipy.integrate.solve_ivp`` (``method``, ``rtol``, ``atol``, ...);
    ``dtval`` is its ``first_step``. Raises ``InvalidArgumentError`` for ``noise > 0`` (use
    ``chaoszoo.System.trajectory(noise=...)``) and :class:`~chaoszoo.errors.IntegrationError`
    when the solver fails (dysts returned whatever SciPy produced).
    """
    from scipy.integrate import solve_ivp

    from chaoszoo.errors import IntegrationError

    if np.any(np.abs(np.asarray(noise, dtype=np.float64)) > 0):
        raise InvalidArgumentError("integrate_dyn(noise=...) is not supported: integrate a catalog system with "
                                   "chaoszoo.System.trajectory(noise=...) (additive noise, seeded).")
    tvals = np.asarray(tvals, dtype=np.float64)
    sol = solve_ivp(f, (tvals[0], tvals[-1]), np.asarray(ic, dtype=np.float64), t_eval=tvals,
                    first_step=dtval, **kwargs)
    if not sol.success or sol.y.shape[1] != len(tvals):
        raise IntegrationError("integrate_dyn", float(sol.t[-1]) if len(sol.t) else None, {}, sol.message)
    return sol.y


def generate_ic_ensemble(model, tpts0, n_samples: int, frac_perturb_param: float = 0.1,
                         frac_transient: float = 0.1, ic_range=None, random_state: int = 0) -> np.ndarray:
    """Trajectories from ``n_samples`` initial conditions ``ic (1 + frac_perturb_param u)``,
    ``u ~ U(-1, 1)``, each run ``frac_transient`` longer than ``tpts0`` and cut to its last
    ``len(tpts0)`` samples; returns ``(n_samples, d, len(tpts0))`` as dysts did. ``model`` is a
    ``chaoszoo.compat.dysts`` flow (integrated by chaoszoo in one vectorised call).
    """
    rng = np.random.default_rng(random_state)
    tpts0 = np.asarray(tpts0, dtype=np.float64)
    n = len(tpts0)
    dt = float(tpts0[1] - tpts0[0])
    total = int(round((tpts0[-1] - tpts0[0]) * (1 + frac_transient) / dt)) + 1
    ic = np.asarray(model.ic if ic_range is None else ic_range, dtype=np.float64)
    ics = ic * (1 + frac_perturb_param * (2 * rng.random((n_samples, len(ic))) - 1))
    ys = model.system.ensemble(total, ics=ics, dt=dt)
    return np.transpose(ys[:, -n:], (0, 2, 1))
