"""Cheap baselines: naive forecasts, linear autoregression, FFT extrapolation, analogues, NVAR, oracle.

Each class meets the model interface (``fit(history, info)``, ``predict(horizon)``) and works on
any number of columns.
"""

from __future__ import annotations

import numpy as np

from chaoszoo.errors import NotFittedError
from chaoszoo.forecast.interface import ForecastInfo, as_history
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
        return np.tile(self._mean, (self._check(horizon), 1))


class LastValue(_Fitted):
    """Repeat the last observed value (persistence)."""

    def fit(self, history, info: ForecastInfo | None = None):
        self._h = as_history(history)
        return self

    def predict(self, horizon: int) -> np.ndarray:
        return np.tile(self._h[-1], (self._check(horizon), 1))


class Drift(_Fitted):
    """Continue the straight line through the first and last observations (Hyndman's drift)."""

    def fit(self, history, info: ForecastInfo | None = None):
        self._h = as_history(history)
        self._slope = (self._h[-1] - self._h[0]) / (len(self._h) - 1)
        return self

    def predict(self, horizon: int) -> np.ndarray:
        k = np.arange(1, self._check(horizon) + 1)[:, None]
        return self._h[-1] + k * self._slope


SPECS = [
    ModelSpec("naive-mean", "chaoszoo.forecast.models.baselines:NaiveMean", "baseline",
              "the mean of the history, repeated"),
    ModelSpec("last-value", "chaoszoo.forecast.models.baselines:LastValue", "baseline",
              "the last observation, repeated (persistence)"),
    ModelSpec("drift", "chaoszoo.forecast.models.baselines:Drift", "baseline",
              "the line through the first and last observations",
              citation="Hyndman, R. J. & Athanasopoulos, G. Forecasting: Principles and Practice, sec. 5.2."),
]
