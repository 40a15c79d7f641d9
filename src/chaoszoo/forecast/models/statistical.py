"""Classical statistical forecasters from statsforecast: AutoARIMA, exponential smoothing, Theta.

statsforecast (Nixtla) implements the same methods as darts's statistical models, compiled with
numba, and is much faster; it is univariate, so a multivariate history is forecast column by
column. Its models are imported only when a model is fitted.

The 2021 benchmark's "FourTheta" (Spiliotis et al. 2020) is not in statsforecast; its closest
relative there is the Dynamic Optimized Theta method (Fiorucci et al. 2016), registered as
``four-theta`` with that substitution stated in its description.
"""

from __future__ import annotations

import warnings

import numpy as np

from chaoszoo.errors import InvalidArgumentError, ModelError, NotFittedError
from chaoszoo.forecast.interface import ForecastInfo, as_history, resolve_value
from chaoszoo.forecast.registry import ModelSpec


class StatsForecaster:
    """A statsforecast model fitted to each column of the history.

    Arguments:
        sf_class: class name in :mod:`statsforecast.models` (``"AutoARIMA"``, ``"AutoETS"``...).
        season_length: seasonal period in samples (``1``: none); may be ``"period"``.
        kwargs: passed to the statsforecast constructor.
    """

    def __init__(self, sf_class: str, *, season_length=1, **kwargs):
        self.sf_class = str(sf_class)
        self.season_length = season_length
        self.kwargs = dict(kwargs)
        self._models = None

    def fit(self, history, info: ForecastInfo | None = None):
        info = info if info is not None else ForecastInfo()
        h = as_history(history)
        m = int(resolve_value(self.season_length, info))
        if m < 1:
            raise InvalidArgumentError(f"season_length must be a positive integer; got {self.season_length!r}.")
        if m > 1 and len(h) < 2 * m + 2:
            m = 1  # too short for a seasonal model: fit the non-seasonal one rather than fail
        if len(h) < 8:
            raise InvalidArgumentError(f"{self.sf_class} needs at least 8 samples of history; got {len(h)}.")
        import statsforecast.models as sfm

        cls = getattr(sfm, self.sf_class, None)
        if cls is None:
            raise InvalidArgumentError(f"statsforecast has no model {self.sf_class!r}.")
        models = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for j in range(h.shape[1]):
                try:
                    models.append(cls(season_length=m, **self.kwargs).fit(h[:, j].copy()))
                except Exception as err:  # noqa: BLE001 - report statsforecast's failure as ours
                    raise ModelError(f"{self.sf_class} failed to fit column {j}: {type(err).__name__}: {err}") from err
        self._models = models
        self._season = m
        return self

    def predict(self, horizon: int) -> np.ndarray:
        if self._models is None:
            raise NotFittedError(f"{self.sf_class}.predict() called before fit().")
        n = int(horizon)
        if n < 1:
            raise InvalidArgumentError(f"horizon must be a positive integer; got {horizon!r}.")
        cols = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for j, model in enumerate(self._models):
                try:
                    cols.append(np.asarray(model.predict(h=n)["mean"], dtype=np.float64))
                except Exception as err:  # noqa: BLE001
                    raise ModelError(f"{self.sf_class} failed to predict column {j}: {type(err).__name__}: {err}") from err
        return np.column_stack(cols)


_T = "chaoszoo.forecast.models.statistical:StatsForecaster"
_REQ = ("statsforecast",)
_SEASON_GRID = {"season_length": [1, "period"]}
# AutoARIMA's fast setting allows seasonal differencing but no seasonal AR or MA terms. With a
# season of one period (100 samples at 100 points per period) a seasonal ARMA term makes the state
# space 100+ dimensional: on Lorenz (short-fine, 1,000 samples) one fit with max_P = max_Q = 1 took
# over 440 s, against 0.9 s with max_P = max_Q = 0; at 15 points per period it is a few seconds.
# The default setting keeps statsforecast's full seasonal search (max_P = max_Q = 2).

SPECS = [
    ModelSpec("auto-arima", _T, "statistical", "ARIMA with orders chosen by AICc (Hyndman-Khandakar stepwise search)",
              extra="stats", requires=_REQ, multivariate=False,
              params={"sf_class": "AutoARIMA"}, grid=dict(_SEASON_GRID),
              fast={"max_p": 3, "max_q": 3, "max_P": 0, "max_Q": 0, "approximation": True},
              citation="Hyndman, R. J. & Khandakar, Y. Automatic time series forecasting: the forecast package for R. "
                       "J. Stat. Softw. 27 (2008)."),
    ModelSpec("ets", _T, "statistical", "exponential smoothing state-space model chosen by AICc (AutoETS)",
              extra="stats", requires=_REQ, multivariate=False,
              params={"sf_class": "AutoETS"}, grid=dict(_SEASON_GRID),
              citation="Hyndman, R. J. et al. A state space framework for automatic forecasting using exponential "
                       "smoothing methods. Int. J. Forecast. 18, 439 (2002)."),
    ModelSpec("theta", _T, "statistical", "the Theta method (SES with drift; seasonally adjusted when seasonal)",
              extra="stats", requires=_REQ, multivariate=False,
              params={"sf_class": "Theta"}, grid=dict(_SEASON_GRID),
              citation="Assimakopoulos, V. & Nikolopoulos, K. The theta model. Int. J. Forecast. 16, 521 (2000)."),
    ModelSpec("four-theta", _T, "statistical",
              "Dynamic Optimized Theta (statsforecast's closest method to darts's FourTheta of the 2021 benchmark)",
              extra="stats", requires=_REQ, multivariate=False,
              params={"sf_class": "DynamicOptimizedTheta"}, grid=dict(_SEASON_GRID),
              citation="Fiorucci, J. A. et al. Models for optimising the theta method and their relationship to state "
                       "space models. Int. J. Forecast. 32, 1151 (2016); FourTheta: Spiliotis, E. et al. "
                       "Generalizing the theta method for automatic forecasting. Eur. J. Oper. Res. 284, 550 (2020)."),
]
