"""Symbolic-regression benchmark scored against the declarations' exact equations.

``chaoszoo symbolic run`` runs it; see ``docs/symbolic.md``.
"""

from chaoszoo.symbolic.benchmark import (
    FAST, SHIPPED_FORECAST, Protocol, best_forecast_scores, correlate_with_forecast, correlate_with_invariants,
    exact_derivatives, flow_data, forecast_scores, load_results, record_correlations, run_benchmark, run_one, smape,
    summarise,
)
from chaoszoo.symbolic.methods import METHODS, Discovered, OperonBudget
from chaoszoo.symbolic.terms import score_equation, score_system, term_dict, true_terms

__all__ = [
    "FAST", "METHODS", "SHIPPED_FORECAST", "Discovered", "OperonBudget", "Protocol", "best_forecast_scores",
    "correlate_with_forecast", "correlate_with_invariants", "exact_derivatives", "flow_data", "forecast_scores",
    "load_results", "record_correlations", "run_benchmark", "run_one", "score_equation", "score_system", "smape",
    "summarise", "term_dict", "true_terms",
]
