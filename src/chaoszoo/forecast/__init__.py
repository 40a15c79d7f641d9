"""The forecasting benchmark: protocols, the model interface and registry, metrics, runner, store, report.

>>> import chaoszoo as cz
>>> m = cz.forecast.make("drift")                                   # doctest: +SKIP
"""

from chaoszoo.forecast.conformance import ConformanceReport, check_model
from chaoszoo.forecast.interface import ForecastInfo, Model, derive_seed
from chaoszoo.forecast.registry import ModelSpec, get_spec, list_models, make, register

__all__ = ["ConformanceReport", "ForecastInfo", "Model", "ModelSpec", "check_model", "derive_seed", "get_spec",
           "list_models", "make", "register"]
