"""Symbolic-regression benchmark scored against the declarations' exact equations.

``chaoszoo symbolic run`` runs it; see ``docs/symbolic.md``.
"""

from chaoszoo.symbolic.benchmark import (
    FAST, Protocol, correlate_with_forecast, correlate_with_invariants, exact_derivatives, flow_data,
    load_results, run_benchmark, run_one, smape, summarise,
)
from chaoszoo.symbolic.methods import METHODS, Discovered, OperonBudget
from chaoszoo.symbolic.terms import score_equation, score_system, term_dict, true_terms

__all__ = [
    "FAST", "METHODS", "Discovered", "OperonBudget", "Protocol", "correlate_with_forecast",
    "correlate_with_invariants", "exact_derivatives", "flow_data", "load_results", "run_benchmark", "run_one",
    "score_equation", "score_system", "smape", "summarise", "term_dict", "true_terms",
]
