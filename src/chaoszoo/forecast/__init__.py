"""The forecasting benchmark: protocols, the model interface and registry, metrics, runner,
results store, leaderboards and reports.

>>> import chaoszoo as cz
>>> summary = cz.forecast.run("short-coarse", ["naive-mean", "nvar"], systems=["Lorenz"],
...                           out="results/short-coarse")                      # doctest: +SKIP
>>> cz.forecast.leaderboard("results/short-coarse")                           # doctest: +SKIP

Submodules are imported on first use, so ``import chaoszoo.forecast`` stays cheap.
"""

from __future__ import annotations

import importlib

_EXPORTS = {
    "ForecastInfo": "interface", "Model": "interface", "derive_seed": "interface",
    "ModelSpec": "registry", "get_spec": "registry", "list_models": "registry", "make": "registry",
    "register": "registry",
    "ConformanceReport": "conformance", "check_model": "conformance",
    "ForecastProtocol": "protocols", "Variant": "protocols", "PROTOCOLS": "protocols", "get_protocol": "protocols",
    "run": "runner", "RunSummary": "runner",
    "ResultsStore": "store", "load_results": "store", "merge": "store", "export_parquet": "store",
    "export_results": "store", "import_results": "store", "repair": "store",
    "shipped_results": "store", "reproduce": "reproduction", "format_reproduction": "reproduction",
    "cost_table": "ranking", "best_model": "ranking", "check_data_versions": "ranking",
    "leaderboard": "ranking", "wide_leaderboard": "ranking", "invariant_correlations": "ranking",
    "verify": "verification", "VerifyReport": "verification",
    "write_report": "report",
    "make_task": "tasks",
}

__all__ = sorted(_EXPORTS) + ["metrics"]


def __getattr__(name):
    if name == "metrics":
        return importlib.import_module("chaoszoo.forecast.metrics")
    if name in _EXPORTS:
        return getattr(importlib.import_module(f"chaoszoo.forecast.{_EXPORTS[name]}"), name)
    raise AttributeError(f"module 'chaoszoo.forecast' has no attribute {name!r}")


def __dir__():
    return __all__
