"""Cheap baselines: naive forecasts, linear autoregression, FFT extrapolation, analogues, NVAR, oracle.

Each class meets the model interface (``fit(history, info)``, ``predict(horizon)``) and works on
any number of columns.
"""

from __future__ import annotations

import numpy as np

from chaoszoo.errors import IntegrationError, InvalidArgumentError, ModelError, NotFittedError
from chaoszoo.forecast.interface import ForecastInfo, as_history, resolve_value
from chaoszoo.forecast.registry import ModelSpec


class _Fitted:
    """Mixin: remembers the history and refuses ``predict`` before ``fit``."""

    _h: np.ndarray | None = None

    def _check(self, horizon) -> int:
        if self._h is None:
            raise NotFittedError(f"{type(self).__name__}.predict() called before fit().")
        h = int(horizon)
        if h < 1:
            from chaoszoo.errors import InvalidArgumentError

            raise InvalidArgumentError(f"horizon must be a positive integer; got {horizon!r}.")
        return h


class NaiveMean(_Fitted):
    """Forecast the mean of the history (the 2021 benchmark's "naive mean")."""

    def fit(self, history, info: ForecastInfo | None = None):
        self._h = as_history(history)
        self._mean = self._h.mean(axis=0)
        return self

    def predict(self, horizon: int) -> np.ndarray:
        n = self._check(horizon)
        return np.tile(self._mean, (n, 1))


class LastValue(_Fitted):
    """Repeat the last observed value (persistence)."""

    def fit(self, history, info: ForecastInfo | None = None):
        self._h = as_history(history)
        return self

    def predict(self, horizon: int) -> np.ndarray:
        n = self._check(horizon)
        return np.tile(self._h[-1], (n, 1))


class Drift(_Fitted):
    """Continue the straight line through the first and last observations (Hyndman's drift)."""

    def fit(self, history, info: ForecastInfo | None = None):
        self._h = as_history(history)
        self._slope = (self._h[-1] - self._h[0]) / (len(self._h) - 1)
        return self

    def predict(self, horizon: int) -> np.ndarray:
        k = np.arange(1, self._check(horizon) + 1)[:, None]
        return self._h[-1] + k * self._slope



def _dominant_lag(h: np.ndarray) -> int:
    """Samples per dominant period of a history, from the peak of its mean power spectrum."""
    x = h - h.mean(axis=0)
    power = (np.abs(np.fft.rfft(x, axis=0)) ** 2).sum(axis=1)
    power[0] = 0.0
    k = int(np.argmax(power))
    return max(2, int(round(len(h) / k))) if k > 0 else max(2, len(h) // 2)


class Seasonal(_Fitted):
    """Repeat the last period (seasonal naive). The period is ``period`` samples, else the
    series' points per period, else the dominant period of its spectrum."""

    def __init__(self, period: int | str = "period"):
        self.period = period

    def fit(self, history, info: ForecastInfo | None = None):
        h = as_history(history)
        if isinstance(self.period, (int, np.integer)):
            p = int(self.period)
        elif info is not None and info.pts_per_period:
            p = resolve_value(self.period, info)
        else:
            p = _dominant_lag(h)
        self._p = max(1, min(p, len(h)))
        self._h = h
        return self

    def predict(self, horizon: int) -> np.ndarray:
        n = self._check(horizon)
        season = self._h[-self._p:]
        return season[np.arange(n) % self._p]


def _ridge(X: np.ndarray, Y: np.ndarray, alpha: float) -> np.ndarray:
    """Ridge solution of ``X W = Y`` (the constant column, if any, is penalised too, lightly).

    Written out (normal equations, Cholesky-free ``solve``) because scikit-learn's Ridge costs
    ~0.5 ms of validation per call and the grid search calls it hundreds of times per job.
    """
    A = X.T @ X
    A[np.diag_indices_from(A)] += alpha * max(1.0, float(np.trace(A)) / len(A))
    return np.linalg.solve(A, X.T @ Y)


class _Standardised(_Fitted):
    """Mixin: z-scores the history column by column (constant columns keep scale 1)."""

    def _standardise(self, history) -> np.ndarray:
        h = as_history(history)
        self._mu = h.mean(axis=0)
        sd = h.std(axis=0)
        self._sd = np.where(sd > 0, sd, 1.0)
        self._h = h
        return (h - self._mu) / self._sd

    def _unstandardise(self, z: np.ndarray) -> np.ndarray:
        return z * self._sd + self._mu


def _blowup_guard(z: np.ndarray, limit: float = 1e6) -> np.ndarray:
    """Freeze an iterated forecast once it leaves ``|z| < limit`` (a standardised scale), so a
    diverging linear model reports a huge but finite error instead of overflowing."""
    bad = ~np.all(np.abs(z) < limit, axis=1)
    if bad.any():
        first = int(np.argmax(bad))
        z[first:] = z[first - 1] if first > 0 else 0.0
    return z


class RidgeAR(_Standardised):
    """Linear autoregression on the last ``lags`` states (all columns), ridge-regularised,
    iterated one step at a time (the 2021 benchmark's linear regression on lags)."""

    def __init__(self, lags: int | str = 10, alpha: float = 1e-6):
        self.lags = lags
        self.alpha = float(alpha)

    def fit(self, history, info: ForecastInfo | None = None):
        z = self._standardise(history)
        p = resolve_value(self.lags, info or ForecastInfo())
        p = int(max(1, min(p, len(z) // 2)))
        X = np.hstack([z[p - 1 - j: len(z) - 1 - j] for j in range(p)] + [np.ones((len(z) - p, 1))])
        self._W = _ridge(X, z[p:], self.alpha)
        self._p = p
        self._z = z
        return self

    def predict(self, horizon: int) -> np.ndarray:
        n = self._check(horizon)
        p, d = self._p, self._z.shape[1]
        buf = list(self._z[-p:][::-1])  # most recent first
        out = np.empty((n, d))
        for k in range(n):
            x = np.concatenate(buf[:p] + [np.ones(1)])
            out[k] = x @ self._W
            buf.insert(0, out[k])
        return self._unstandardise(_blowup_guard(out))


class FFTExtrapolation(_Fitted):
    """Extend the mean and the ``harmonics`` strongest Fourier components of the history
    periodically into the future (no trend: the series of the catalog are stationary, and a
    fitted line would leak into every harmonic of a periodic signal)."""

    def __init__(self, harmonics: int = 10):
        self.harmonics = int(harmonics)

    def fit(self, history, info: ForecastInfo | None = None):
        h = as_history(history)
        F = np.fft.rfft(h, axis=0)
        keep = np.zeros_like(F)
        keep[0] = F[0]
        for c in range(h.shape[1]):
            idx = np.argsort(np.abs(F[1:, c]), kind="stable")[::-1][: self.harmonics] + 1
            keep[idx, c] = F[idx, c]
        self._F, self._n, self._h = keep, len(h), h
        return self

    def predict(self, horizon: int) -> np.ndarray:
        m = self._check(horizon)
        n = self._n
        t = np.arange(n, n + m)
        k = np.arange(self._F.shape[0])
        # the inverse real DFT evaluated beyond the window: the periodic continuation of the fit
        w = np.where((k == 0) | ((n % 2 == 0) & (k == n // 2)), 1.0, 2.0)[:, None]
        phase = np.exp(2j * np.pi * np.outer(t, k) / n)
        return np.real(phase @ (w * self._F)) / n


class Analogues(_Standardised):
    """The method of analogues (Lorenz 1969): find the past stretch of ``window`` samples
    closest to the last one and copy what followed it, repeating the match on the forecast
    itself when the copied continuation runs out. With ``neighbours > 1`` the continuations of
    the nearest matches are averaged with inverse-distance weights. The series is standardised
    first and windows may overlap; context parroting as Zhang & Gilpin (2025) define it is the
    separate ``parroting`` model (:mod:`chaoszoo.forecast.models.parroting`)."""

    def __init__(self, window: int | str = 10, neighbours: int = 1):
        self.window = window
        self.neighbours = int(neighbours)

    def fit(self, history, info: ForecastInfo | None = None):
        z = self._standardise(history)
        m = resolve_value(self.window, info or ForecastInfo())
        self._m = int(max(1, min(m, len(z) // 2)))
        self._z = z
        return self

    def predict(self, horizon: int) -> np.ndarray:
        n = self._check(horizon)
        z = self._z
        m = self._m
        series = z.copy()
        out = []
        # library of windows: every stretch of m samples that has at least one successor
        lib = np.lib.stride_tricks.sliding_window_view(z, m, axis=0)[:-1]  # (N-m, d, m)
        lib = lib.reshape(len(lib), -1)
        while len(out) < n:
            query = np.ascontiguousarray(series[-m:].T).reshape(-1)
            dist = np.sqrt(((lib - query) ** 2).sum(axis=1))
            # exclude the query itself (the last window has no successor and is not in lib)
            k = min(self.neighbours, len(dist))
            idx = np.argsort(dist, kind="stable")[:k]
            # copy as far as the best match's continuation goes, at most what is still needed
            starts = idx + m
            run = int(min(n - len(out), min(len(z) - s for s in starts)))
            run = max(1, run)
            wts = 1.0 / (dist[idx] + 1e-12)
            wts /= wts.sum()
            seg = sum(w * z[s: s + run] for w, s in zip(wts, starts))
            out.extend(seg)
            series = np.vstack([series, seg])
        return self._unstandardise(np.asarray(out[:n]))

    def predict_samples(self, horizon: int, n: int) -> np.ndarray:
        """``n`` members ``(n, horizon, d)``: member ``i`` copies what followed the ``i``-th closest
        past stretch to the last one (the k nearest continuations, k = ``n``), and where that
        continuation runs out goes on as the one-neighbour method from its own last stretch.
        With fewer past stretches than members, the closest are used again in turn."""
        h = self._check(horizon)
        n = int(n)
        if n < 1:
            raise InvalidArgumentError(f"n must be a positive integer; got {n!r}.")
        z, m = self._z, self._m
        lib = np.lib.stride_tricks.sliding_window_view(z, m, axis=0)[:-1]
        lib = lib.reshape(len(lib), -1)
        query = np.ascontiguousarray(z[-m:].T).reshape(-1)
        order = np.argsort(np.sqrt(((lib - query) ** 2).sum(axis=1)), kind="stable")
        members = []
        for i in range(n):
            start = int(order[i % len(order)]) + m
            seg = z[start: start + h]
            series = np.vstack([z, seg])
            out = list(seg)
            while len(out) < h:  # the one-neighbour method from the member's own last stretch
                q = np.ascontiguousarray(series[-m:].T).reshape(-1)
                s = int(np.argmin(np.sqrt(((lib - q) ** 2).sum(axis=1)))) + m
                nxt = z[s: s + min(h - len(out), len(z) - s)]
                out.extend(nxt)
                series = np.vstack([series, nxt])
            members.append(np.asarray(out[:h]))
        return self._unstandardise(np.stack(members))


class NVAR(_Standardised):
    """Next-generation reservoir computing (Gauthier, Bollt, Griffith & Barbosa 2021, Nat.
    Commun. 12, 5564): features are a constant, ``k`` delayed states spaced ``skip`` apart and
    their unique quadratic monomials; a ridge regression predicts the next increment, and the
    forecast iterates it. Univariate series use more delays (``k_univariate``)."""

    def __init__(self, k: int = 2, skip: int = 1, alpha: float = 1e-6, k_univariate: int = 6):
        self.k, self.skip, self.alpha, self.k_univariate = int(k), int(skip), float(alpha), int(k_univariate)

    def _features(self, lin: np.ndarray) -> np.ndarray:
        iu = np.triu_indices(lin.shape[1])
        quad = (lin[:, :, None] * lin[:, None, :])[:, iu[0], iu[1]]
        return np.hstack([np.ones((len(lin), 1)), lin, quad])

    def fit(self, history, info: ForecastInfo | None = None):
        z = self._standardise(history)
        k = self.k if z.shape[1] > 1 else self.k_univariate
        s = self.skip
        span = (k - 1) * s
        if len(z) < span + 3:
            from chaoszoo.errors import InvalidArgumentError

            raise InvalidArgumentError(f"NVAR with k={k}, skip={s} needs at least {span + 3} samples; got {len(z)}.")
        idx = np.arange(span, len(z) - 1)
        lin = np.hstack([z[idx - j * s] for j in range(k)])
        X = self._features(lin)
        self._W = _ridge(X, z[idx + 1] - z[idx], self.alpha)
        self._kk, self._span, self._z = k, span, z
        self._X, self._dz = X, z[idx + 1] - z[idx]  # for the residuals of predict_samples
        self._seed = int(info.seed) if info is not None else 0
        return self

    def predict(self, horizon: int) -> np.ndarray:
        n = self._check(horizon)
        k, s, span = self._kk, self.skip, self._span
        buf = list(self._z[-(span + 1):])
        out = np.empty((n, self._z.shape[1]))
        for i in range(n):
            lin = np.concatenate([buf[-1 - j * s] for j in range(k)])[None, :]
            nxt = buf[-1] + (self._features(lin) @ self._W)[0]
            if not np.all(np.abs(nxt) < 1e6):
                out[i:] = buf[-1]
                break
            out[i] = nxt
            buf.append(nxt)
            buf.pop(0)
        return self._unstandardise(out)

    def predict_samples(self, horizon: int, n: int) -> np.ndarray:
        """``n`` members ``(n, horizon, d)``: the fitted map iterated with noise, each step's
        increment plus a one-step residual of the fit drawn at random (a residual bootstrap,
        seeded by ``info.seed``), so the spread is the model's own one-step error propagated by
        its dynamics. A member that leaves ``|z| < 1e6`` (standardised) is frozen there, as in
        ``predict``."""
        h = self._check(horizon)
        n = int(n)
        if n < 1:
            raise InvalidArgumentError(f"n must be a positive integer; got {n!r}.")
        k, s, span = self._kk, self.skip, self._span
        resid = self._dz - self._X @ self._W
        rng = np.random.default_rng([self._seed, 29])
        draws = rng.integers(0, len(resid), size=(h, n))
        buf = np.repeat(self._z[-(span + 1):][None], n, axis=0)  # (n, span + 1, d)
        out = np.empty((n, h, self._z.shape[1]))
        alive = np.ones(n, dtype=bool)
        for i in range(h):
            lin = np.concatenate([buf[:, -1 - j * s] for j in range(k)], axis=1)
            nxt = buf[:, -1] + self._features(lin) @ self._W + resid[draws[i]]
            ok = np.all(np.abs(nxt) < 1e6, axis=1) & alive
            nxt = np.where(ok[:, None], nxt, buf[:, -1])
            alive = ok
            out[:, i] = nxt
            buf = np.concatenate([buf[:, 1:], nxt[:, None]], axis=1)
        return self._unstandardise(out)


class Oracle(_Fitted):
    """A reference, not a competitor: the true equations integrated from the true last state,
    perturbed at the history's noise level (``info.noise`` times each variable's attractor
    standard deviation, seeded), reported through the same observables as the series (the
    bounded transform of a winding variable included). On clean data it is exact up to the
    integration tolerance; on noisy data it is one perfect-model member, which a model that
    averages over the noise can beat (:class:`OracleEnsemble` is the reference there).

    It reads ``info.privileged_state`` (which only oracles may use); a series without one
    (a user's own data, a delay equation's infinite-dimensional state) is refused.
    """

    members = 1

    def __init__(self, floor: float = 0.0):
        self.floor = float(floor)

    def fit(self, history, info: ForecastInfo | None = None):
        h = as_history(history)
        if info is None or not info.privileged_state:
            from chaoszoo.errors import ModelError

            raise ModelError("The oracle needs info.privileged_state (the true state and parameters); "
                             "the benchmark's protocols provide it, a user's own series does not.")
        priv = dict(info.privileged_state)
        if info.kind == "delay":
            from chaoszoo.errors import ModelError

            raise ModelError("The oracle cannot restart a delay equation from one state (its state is a history).")
        import chaoszoo as cz

        system = cz.get(info.system).with_params(**priv["params"])
        state = np.asarray(priv["state"], dtype=np.float64)
        level = max(info.noise, self.floor)
        m = self.members if level > 0 else 1  # without noise every member is the same
        states = np.repeat(state[None, :], m, axis=0)
        self._kick = np.zeros_like(state)
        if level > 0:
            rng = np.random.default_rng(info.seed)
            std = np.asarray(priv.get("std", np.ones_like(state)), dtype=np.float64)
            self._kick = level * std
            states = states + self._kick * rng.standard_normal(states.shape)
        # keep names and numbers only (a System holds its declaration's function, which is
        # not picklable by reference from every process)
        self._params, self._states, self._info, self._h = dict(priv["params"]), states, info, h
        self._state = state
        self._postprocess = bool(priv.get("postprocess", False))
        self._t_start = float(priv.get("time") or 0.0)  # the clock, for a field that depends on time
        self._cols = [system.variables.index(v) for v in info.variables] if info.variables else list(range(h.shape[1]))
        return self

    def predict(self, horizon: int) -> np.ndarray:
        return self._trajectories(self._check(horizon)).mean(axis=0)

    def _trajectories(self, n: int) -> np.ndarray:
        """The members ``(m, n, d)`` integrated from ``self._states``, seen through the series' observables."""
        import chaoszoo as cz

        kw = {} if self._info.kind == "map" else {"dt": self._info.dt, "t_start": self._t_start}
        system = cz.get(self._info.system).with_params(**self._params)
        try:
            ys = system.ensemble(n + 1, ics=self._states, **kw)[:, 1:]
        except IntegrationError:
            ys = self._redrawn(system, n, kw)
        transform = system.declaration.extra.get("postprocess") if self._postprocess else None
        if transform is not None:
            ys = np.stack([np.asarray(transform(y, dict(system.params)), dtype=np.float64) for y in ys])
        return ys[:, :, self._cols]


    #: Perturbations drawn again for a member that leaves the basin before it gives up.
    REDRAWS = 10

    def _redrawn(self, system, n: int, kw: dict) -> np.ndarray:
        """The members one by one, a member whose perturbed start escapes the basin (Henon's is
        small: a kick at the noise level can send it to infinity) drawn again, up to
        :attr:`REDRAWS` times: the ideal observer's estimate of the state lies in the basin."""
        rng = np.random.default_rng([int(self._info.seed), 1])
        out = []
        for x0 in self._states:
            for _ in range(self.REDRAWS + 1):
                try:
                    out.append(system.ensemble(n + 1, ics=x0[None, :], **kw)[0, 1:])
                    break
                except IntegrationError:
                    if not np.any(self._kick):
                        raise
                    x0 = self._state + self._kick * rng.standard_normal(self._state.shape)
            else:
                raise ModelError(f"every perturbed start of {system.name} at the noise level left the basin "
                                 f"({self.REDRAWS + 1} draws)")
        return np.stack(out)


class OracleEnsemble(Oracle):
    """The perfect-model ensemble mean: ``members`` copies of the true last state, each perturbed
    at the noise level as :class:`Oracle` perturbs its one (seeded), integrated with the true
    equations, and averaged. The predictability reference of noisy variants: on noisy data the
    mean over the perturbations is the best a perfect model of the dynamics can forecast in the
    mean-square sense, where one member is not. Without noise it equals :class:`Oracle`."""

    def __init__(self, members: int = 32, floor: float = 0.0):
        if isinstance(members, bool) or not isinstance(members, (int, np.integer)) or members < 1:
            raise InvalidArgumentError(f"members must be a positive integer; got {members!r}.")
        super().__init__(floor)
        self.members = int(members)


SPECS = [
    ModelSpec("naive-mean", "chaoszoo.forecast.models.baselines:NaiveMean", "baseline",
              "the mean of the history, repeated"),
    ModelSpec("last-value", "chaoszoo.forecast.models.baselines:LastValue", "baseline",
              "the last observation, repeated (persistence)"),
    ModelSpec("drift", "chaoszoo.forecast.models.baselines:Drift", "baseline",
              "the line through the first and last observations",
              citation="Hyndman, R. J. & Athanasopoulos, G. Forecasting: Principles and Practice, sec. 5.2."),
    ModelSpec("seasonal", "chaoszoo.forecast.models.baselines:Seasonal", "baseline",
              "the last period, repeated (seasonal naive)",
              citation="Hyndman, R. J. & Athanasopoulos, G. Forecasting: Principles and Practice, sec. 5.2."),
    ModelSpec("ridge-ar", "chaoszoo.forecast.models.baselines:RidgeAR", "statistical",
              "linear autoregression on lags of every column (ridge), iterated",
              grid={"lags": [3, 5, 10, "period/4"]}),
    ModelSpec("fft", "chaoszoo.forecast.models.baselines:FFTExtrapolation", "baseline",
              "periodic continuation of the strongest Fourier components",
              grid={"harmonics": [5, 10, 20]}),
    ModelSpec("analogues", "chaoszoo.forecast.models.baselines:Analogues", "baseline",
              "method of analogues: copy what followed the closest past stretch (standardised)",
              grid={"window": [5, 10, "period/4", "period/2"]},
              citation="Lorenz, E. N. (1969). Atmospheric predictability as revealed by naturally occurring "
                       "analogues. J. Atmos. Sci. 26, 636-646."),
    ModelSpec("nvar", "chaoszoo.forecast.models.baselines:NVAR", "reservoir",
              "next-generation reservoir computing: ridge on delays and their quadratic monomials",
              grid={"k": [2, 3], "alpha": [1e-8, 1e-6, 1e-4]},
              citation="Gauthier, D. J., Bollt, E., Griffith, A. & Barbosa, W. A. S. (2021). Next generation "
                       "reservoir computing. Nat. Commun. 12, 5564."),
    ModelSpec("oracle", "chaoszoo.forecast.models.baselines:Oracle", "oracle",
              "reference: the true equations from the true last state, perturbed at the noise level (one member)"),
    ModelSpec("oracle-ensemble", "chaoszoo.forecast.models.baselines:OracleEnsemble", "oracle",
              "reference: mean of 32 perfect-model members from the true last state perturbed at the noise level"),
]
