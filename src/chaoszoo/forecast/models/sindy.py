"""SINDy: sparse polynomial equations fitted to the history, integrated forward.

pysindy fits ``dx/dt = Theta(x) Xi`` (polynomial library ``Theta``, sparse coefficients ``Xi``
by sequentially thresholded least squares) with derivatives estimated from the samples by
finite differences at the sampling step ``info.dt``. The fitted polynomial field is then
integrated from the last observed state with diffrax (Tsit5, adaptive steps, rtol 1e-8) in
float64, the stack of chaoszoo's engine; maps (``info.kind == "map"``) get pysindy's
discrete-time model, iterated.

A univariate history is delay-embedded (``embed_dim`` copies of the series lagged by ``delay``
samples, ``"period/4"`` by default, after Takens) and the forecast is the first coordinate of
the integrated embedding. The embedded field is only approximately an ODE, so expect much
shorter valid times than with the full state.

Reference: Brunton, S. L., Proctor, J. L. & Kutz, J. N. Discovering governing equations from
data by sparse identification of nonlinear dynamical systems. PNAS 113, 3932 (2016);
de Silva, B. M. et al. PySINDy. J. Open Source Softw. 5, 2104 (2020).
"""

from __future__ import annotations

import functools
import warnings

import numpy as np

from chaoszoo.errors import InvalidArgumentError, ModelError, NotFittedError
from chaoszoo.forecast.interface import ForecastInfo, as_history, resolve_value
from chaoszoo.forecast.registry import ModelSpec

_BLOWUP = 1e3  # a forecast leaving this many history ranges around the data has blown up


def delay_embed(x: np.ndarray, dim: int, delay: int) -> np.ndarray:
    """Rows ``[x_t, x_{t-delay}, ..., x_{t-(dim-1) delay}]`` for every ``t`` where all exist."""
    n = len(x) - (dim - 1) * delay
    if n < 1:
        raise InvalidArgumentError(f"A history of {len(x)} samples is too short to delay-embed in {dim} "
                                   f"dimensions with delay {delay}.")
    return np.column_stack([x[(dim - 1 - k) * delay:(dim - 1 - k) * delay + n] for k in range(dim)])


@functools.cache
def _integrator():
    """A jitted diffrax integration of a polynomial field ``f(y) = coef @ prod(y ** powers)``."""
    import diffrax
    import jax
    import jax.numpy as jnp

    def field(t, y, args):
        coef, powers = args
        return coef @ jnp.prod(y[None, :] ** powers, axis=1)

    @jax.jit
    def solve(y0, coef, powers, ts):
        sol = diffrax.diffeqsolve(
            diffrax.ODETerm(field), diffrax.Tsit5(), t0=0.0, t1=ts[-1], dt0=ts[0] / 4, y0=y0,
            args=(coef, powers), saveat=diffrax.SaveAt(ts=ts),
            stepsize_controller=diffrax.PIDController(rtol=1e-8, atol=1e-10),
            max_steps=100_000, throw=False)
        return sol.ys, sol.result == diffrax.RESULTS.successful

    return solve


class SINDyForecaster:
    """Sparse polynomial ODE (or map) fitted with pysindy and integrated forward.

    Arguments:
        degree: degree of the polynomial library.
        threshold: STLSQ sparsity threshold (coefficients below it are zeroed).
        alpha: ridge penalty of STLSQ.
        embed_dim: delay-embedding dimension for a univariate history (``1``: refuse univariate).
        delay: embedding delay in samples, or ``"period/4"``-style.
        fd_order: order of the finite-difference derivative estimate.
    """

    def __init__(self, degree: int = 2, threshold: float = 0.1, alpha: float = 0.05, embed_dim: int = 3,
                 delay="period/4", fd_order: int = 2):
        self.degree = int(degree)
        self.threshold = float(threshold)
        self.alpha = float(alpha)
        self.embed_dim = int(embed_dim)
        self.delay = delay
        self.fd_order = int(fd_order)
        if self.degree < 1 or self.threshold < 0 or self.embed_dim < 1:
            raise InvalidArgumentError("degree and embed_dim must be positive integers, threshold non-negative.")
        self._coef = None

    def fit(self, history, info: ForecastInfo | None = None):
        info = info if info is not None else ForecastInfo()
        h = as_history(history)
        self._univariate = h.shape[1] == 1 and self.embed_dim > 1
        if self._univariate:
            delay = int(resolve_value(self.delay, info))
            if delay < 1:
                raise InvalidArgumentError(f"delay must be a positive number of samples; got {self.delay!r}.")
            y = delay_embed(h[:, 0], self.embed_dim, delay)
        else:
            delay = 0
            y = h
        if len(y) < 10:
            raise InvalidArgumentError(f"SINDy needs at least 10 (embedded) samples; got {len(y)}.")
        self._discrete = info.kind == "map"
        self._dt = float(info.dt) if info.dt and info.dt > 0 else 1.0

        import pysindy as ps

        lib = ps.PolynomialLibrary(degree=self.degree)
        opt = ps.STLSQ(threshold=self.threshold, alpha=self.alpha)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                if self._discrete:
                    model = ps.DiscreteSINDy(optimizer=opt, feature_library=lib)
                    model.fit(y, t=1)  # pysindy 2: discrete-time fit takes the (unit) step
                else:
                    model = ps.SINDy(optimizer=opt, feature_library=lib,
                                     differentiation_method=ps.FiniteDifference(order=self.fd_order))
                    model.fit(y, t=self._dt)
            except Exception as err:  # noqa: BLE001
                raise ModelError(f"SINDy failed to fit: {type(err).__name__}: {err}") from err
        self.coefficients_ = np.asarray(model.coefficients(), dtype=np.float64)  # (d, n_features)
        self.feature_names_ = list(model.get_feature_names())
        self.powers_ = np.asarray(lib.powers_, dtype=np.float64)  # (n_features, d)
        if not np.all(np.isfinite(self.coefficients_)):
            raise ModelError("SINDy fitted non-finite coefficients; raise the threshold or alpha.")
        self._coef = self.coefficients_
        self._y0 = y[-1].copy()
        lo, hi = y.min(axis=0), y.max(axis=0)
        span = np.maximum(hi - lo, 1e-12)
        self._bounds = (lo - _BLOWUP * span, hi + _BLOWUP * span)
        return self

    def equations(self, precision: int = 3) -> list[str]:
        """The fitted right-hand sides, one string per (embedded) variable."""
        if self._coef is None:
            raise NotFittedError("SINDyForecaster.equations() called before fit().")
        out = []
        for row in self._coef:
            terms = [f"{c:.{precision}g} {n}" if n != "1" else f"{c:.{precision}g}"
                     for c, n in zip(row, self.feature_names_) if c != 0]
            out.append(" + ".join(terms) or "0")
        return out

    def predict(self, horizon: int) -> np.ndarray:
        if self._coef is None:
            raise NotFittedError("SINDyForecaster.predict() called before fit().")
        n = int(horizon)
        if n < 1:
            raise InvalidArgumentError(f"horizon must be a positive integer; got {horizon!r}.")
        if self._discrete:
            ys = np.empty((n, self._y0.size))
            y = self._y0
            with np.errstate(all="ignore"):
                for k in range(n):
                    y = self._coef @ np.prod(y[None, :] ** self.powers_, axis=1)
                    ys[k] = y
            ok = True
        else:
            from chaoszoo.engine._jax import x64

            with x64():
                import jax.numpy as jnp

                ts = jnp.arange(1, n + 1, dtype=jnp.float64) * self._dt
                ys, ok = _integrator()(jnp.asarray(self._y0), jnp.asarray(self._coef), jnp.asarray(self.powers_), ts)
                ys, ok = np.asarray(ys, dtype=np.float64), bool(ok)
        finite = np.all(np.isfinite(ys), axis=1) & np.all((ys >= self._bounds[0]) & (ys <= self._bounds[1]), axis=1)
        if not ok or not finite.all():
            bad = int(np.argmin(finite)) + 1 if not finite.all() else None
            where = f" at step {bad}" if bad else ""
            raise ModelError(f"The fitted SINDy model blew up{where} (the learned equations are unstable); "
                             "try a larger threshold, a lower degree, or a longer history.")
        return ys[:, :1] if self._univariate else ys


SPECS = [
    ModelSpec("sindy", "chaoszoo.forecast.models.sindy:SINDyForecaster", "equation-learning",
              "SINDy sparse polynomial ODE from finite-difference derivatives, integrated with diffrax "
              "(univariate: delay-embedded)",
              extra="sindy", requires=("pysindy",),
              params={"degree": 2, "threshold": 0.1}, grid={"threshold": [0.01, 0.05, 0.1, 0.5], "degree": [2, 3]},
              fast={"degree": 2},
              citation="Brunton, S. L., Proctor, J. L. & Kutz, J. N. PNAS 113, 3932 (2016); de Silva, B. M. et al. "
                       "PySINDy, JOSS 5, 2104 (2020)."),
]
