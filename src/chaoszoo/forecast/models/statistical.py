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

# Published settings. The 2021 benchmark (Gilpin, NeurIPS Datasets and Benchmarks 2021) ran darts's
# AutoARIMA, ExponentialSmoothing, Theta and FourTheta; its search space is
# ``parameter_candidates`` in williamgilpin/dysts benchmarks/find_hyperparameters.py
# @ 18883c92b07e5b314370ca36e3b8d45164c12f72:
#   AutoARIMA {} (no search); ExponentialSmoothing {"seasonal": [ADDITIVE, NONE]};
#   Theta and FourTheta {"season_mode": [ADDITIVE, NONE]} (MULTIPLICATIVE commented out),
# and benchmarks/compute_benchmarks.py @ fb3cff25a7461b1c561b09231d79b73db8a2263b builds each
# model from those values alone, so everything else is the default of darts 0.9.1/0.10.1 (read
# from those wheels) or of the library it wraps. The 2023 study ran none of these four.
# statsforecast implements the same methods under other argument names; each mapping is stated
# where it is made. The fast settings restore what this registry used before, so they are
# unchanged.

# AutoARIMA. darts's AutoARIMA() is pmdarima's AutoARIMA with its defaults (pmdarima
# auto_arima: m=1, start_p=2, start_q=2, max_p=5, max_q=5, max_d=2, max_order=5,
# information_criterion='aic', test='kpss', stepwise=True), searched over nothing: so no season
# (m = 1) and no grid. statsforecast's argument names: ic for information_criterion,
# season_length for m; its default ic is 'aicc', set here to pmdarima's 'aic'. Not mappable:
# pmdarima fits each candidate by exact likelihood (statsmodels SARIMAX, lbfgs), statsforecast
# with its own port of R's forecast::auto.arima fitting. The registry searched season_length {1, period} before.
# The fast setting (unchanged): no seasonal AR or MA terms. With a season of one period (100
# samples at 100 points per period) a seasonal ARMA term makes the state space 100+ dimensional:
# on Lorenz (short-fine, 1,000 samples) one fit with max_P = max_Q = 1 took over 440 s, against
# 0.9 s with max_P = max_Q = 0; at 15 points per period it is a few seconds.
_ARIMA = {"sf_class": "AutoARIMA", "season_length": 1, "start_p": 2, "start_q": 2, "max_p": 5, "max_q": 5,
          "max_d": 2, "max_order": 5, "ic": "aic", "test": "kpss", "stepwise": True}

# ExponentialSmoothing. darts 0.9.1/0.10.1: statsmodels Holt-Winters with trend=ADDITIVE,
# damped=False, seasonal in {ADDITIVE, NONE}; the seasonal period defaults to 12 samples
# (0.9.1: seasonal_periods=12; 0.10.1: None, replaced by 12 for a series without dates, as the
# benchmark's were). Mapped to statsforecast's AutoETS with a fixed model: "AAA" (additive
# error, trend and season) or "AAN" (no season), damped=False, season_length=12. The additive-error
# ETS model has the Holt-Winters point forecasts; statsforecast estimates it by likelihood,
# statsmodels by least squares. season_length and damped sit in the grid as single values too,
# so that a tuned --fast run (whose fast dict restores the former automatic AutoETS search)
# searches the published pair instead of a seasonal model without a season.
_ETS = {"sf_class": "AutoETS", "model": "AAA", "damped": False, "season_length": 12}
_ETS_GRID = {"model": ["AAA", "AAN"], "season_length": [12], "damped": [False]}

# Theta and FourTheta: season_mode ADDITIVE -> decomposition_type "additive" (statsforecast's
# default is "multiplicative"); season_mode NONE -> season_length 1. Not mappable: with
# ADDITIVE, darts inferred the period by an autocorrelation test (check_seasonality, max_lag =
# half the history, alpha 0.05) and deseasonalised only if one was found; statsforecast takes
# the period given (here the system's period in samples) and runs its own seasonality test.
# darts's Theta used theta = 2, as statsforecast's standard Theta does; darts's FourTheta
# (theta 2, additive model, linear trend, normalisation) has no statsforecast counterpart and
# Dynamic Optimized Theta, which fits theta, stands in for it.
_SEASON_GRID = {"season_length": [1, "period"]}

SPECS = [
    ModelSpec("auto-arima", _T, "statistical", "ARIMA with orders chosen by AIC (Hyndman-Khandakar stepwise search)",
              extra="stats", requires=_REQ, multivariate=False,
              params=dict(_ARIMA), grid={},
              fast={"max_p": 3, "max_q": 3, "max_P": 0, "max_Q": 0, "approximation": True, "ic": "aicc"},
              citation="Hyndman, R. J. & Khandakar, Y. Automatic time series forecasting: the forecast package for R. "
                       "J. Stat. Softw. 27 (2008)."),
    ModelSpec("ets", _T, "statistical",
              "Holt-Winters exponential smoothing: additive-error ETS with additive trend, seasonal or not (AAA / AAN)",
              extra="stats", requires=_REQ, multivariate=False,
              params=dict(_ETS), grid=dict(_ETS_GRID),
              fast={"model": "ZZZ", "damped": None, "season_length": 1},
              citation="Hyndman, R. J. et al. A state space framework for automatic forecasting using exponential "
                       "smoothing methods. Int. J. Forecast. 18, 439 (2002)."),
    ModelSpec("theta", _T, "statistical", "the Theta method (SES with drift; seasonally adjusted when seasonal)",
              extra="stats", requires=_REQ, multivariate=False,
              params={"sf_class": "Theta", "decomposition_type": "additive"}, grid=dict(_SEASON_GRID),
              fast={"decomposition_type": "multiplicative"},
              citation="Assimakopoulos, V. & Nikolopoulos, K. The theta model. Int. J. Forecast. 16, 521 (2000)."),
    ModelSpec("four-theta", _T, "statistical",
              "Dynamic Optimized Theta (statsforecast's closest method to darts's FourTheta of the 2021 benchmark)",
              extra="stats", requires=_REQ, multivariate=False,
              params={"sf_class": "DynamicOptimizedTheta", "decomposition_type": "additive"}, grid=dict(_SEASON_GRID),
              fast={"decomposition_type": "multiplicative"},
              citation="Fiorucci, J. A. et al. Models for optimising the theta method and their relationship to state "
                       "space models. Int. J. Forecast. 32, 1151 (2016); FourTheta: Spiliotis, E. et al. "
                       "Generalizing the theta method for automatic forecasting. Eur. J. Oper. Res. 284, 550 (2020)."),
]
