"""Equations as sets of terms, and structure-recovery scores against the declaration.

A right-hand side is expanded (SymPy ``expand`` with the parameters substituted by their
numbers) into a sum ``Σ c_k m_k`` of numeric coefficients ``c_k`` times terms ``m_k`` (products of
state variables, of functions of them, and of ``t``). A recovered model is expanded the same
way, so that e.g. ``x*(y - z)`` and ``x*y - x*z`` are the same two terms. Integral floats inside
terms are made integers (``sin(2.0*x)`` equals ``sin(2*x)``) and other floats rounded to
:data:`DIGITS` significant digits, so that keys compare exactly.

Scores of one equation, with ``T`` the true and ``R`` the recovered term sets:
precision ``|T ∩ R| / |R|``, recall ``|T ∩ R| / |T|``, coefficient error: the mean of
``|ĉ - c| / |c|`` over the correct terms, and exact recovery: ``R == T`` with every coefficient
within :data:`EXACT_COEF_TOL` (relative).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from chaoszoo.errors import InvalidArgumentError

DIGITS = 10
#: Relative coefficient tolerance of an exact recovery.
EXACT_COEF_TOL = 1e-2
#: Recovered coefficients smaller than this (absolute) are not terms.
ZERO = 1e-12


def _canonical(expr):
    import sympy as sp

    def fix(f):
        v = float(f)
        if v == int(v) and abs(v) < 1e15:
            return sp.Integer(int(v))
        return sp.Float(float(f"{v:.{DIGITS}g}"), DIGITS + 5)

    floats = {f: fix(f) for f in expr.atoms(sp.Float)}
    return expr.xreplace(floats) if floats else expr


def term_dict(expr, zero: float = ZERO) -> dict:
    """``{term: coefficient}`` of an expression (numeric coefficients, terms canonical)."""
    import sympy as sp

    expr = sp.expand(sp.sympify(expr), power_base=False, log=False)
    out: dict = {}
    for term, coef in expr.as_coefficients_dict().items():
        # as_coefficients_dict keeps numeric factors of the term apart only at the top level
        c, rest = term.as_coeff_Mul()
        try:
            value = float(coef) * float(c)
        except TypeError:  # a non-numeric coefficient: the expression still has free parameters
            raise InvalidArgumentError(f"Term {term} has a non-numeric coefficient {coef}; substitute the parameters.") from None
        key = _canonical(rest)
        if key.is_number:  # a constant term
            value *= float(key)
            key = sp.Integer(1)
        out[key] = out.get(key, 0.0) + value
    return {k: v for k, v in out.items() if abs(v) > zero}


_TRUE_TERMS: dict = {}


def true_terms(system) -> list[dict]:
    """The declaration's right-hand sides of ``system`` as term dicts (parameters substituted).

    Memoised per declaration and parameter values (expanding MacArthur's ``Min`` of ratios takes
    SymPy about 30 s); each call returns fresh dicts.

    Raises:
        InvalidArgumentError: the system has no symbolic form (its equations cannot be run by SymPy),
            or is not a flow.
    """
    if system.kind != "flow":
        raise InvalidArgumentError(f"{system.name} is a {system.kind}; the symbolic benchmark takes flows "
                                   "(ordinary differential equations) only.")
    key = (id(system.declaration), system.name, tuple(sorted((k, float(v)) for k, v in system.params.items())))
    if key not in _TRUE_TERMS:
        _TRUE_TERMS[key] = _true_terms(system)
    return [dict(d) for d in _TRUE_TERMS[key]]


def _true_terms(system) -> list[dict]:
    import sympy as sp

    from chaoszoo.catalog.symbolic import expressions

    try:
        exprs = expressions(system.declaration)
    except Exception as exc:  # the declaration uses operations SymPy cannot trace
        raise InvalidArgumentError(
            f"{system.name} has no symbolic form ({type(exc).__name__}: {exc}); its equations are not "
            "expressible in SymPy, so structure recovery cannot be scored. Choose another flow; "
            "`chaoszoo symbolic run` records it as skipped.") from None
    subs = {sp.Symbol(k): v for k, v in system.params.items() if k not in system.declaration.integer_params}
    return [term_dict(sp.sympify(e).xreplace({k: sp.Float(v) for k, v in subs.items()})) for e in exprs]


def is_polynomial(system) -> bool:
    """Whether every right-hand side is a polynomial in the state variables (no ``t``)."""
    import sympy as sp

    X = [sp.Symbol(v) for v in system.declaration.variables]
    for terms in true_terms(system):
        for term in terms:
            if term.free_symbols - set(X) or not term.is_polynomial(*X):
                return False
    return True


def polynomial_degree(system) -> int:
    import sympy as sp

    X = [sp.Symbol(v) for v in system.declaration.variables]
    return max((sp.Poly(t, *X).total_degree() for terms in true_terms(system) for t in terms), default=0)


@dataclass(frozen=True)
class StructureScore:
    true_terms: int
    recovered_terms: int
    correct_terms: int
    precision: float
    recall: float
    coef_error: float        # mean relative error over the correct terms (NaN when none)
    exact: bool


def score_equation(truth: dict, recovered: dict, tol: float = EXACT_COEF_TOL) -> StructureScore:
    """Structure scores of one recovered right-hand side against the true one (term dicts)."""
    common = set(truth) & set(recovered)
    errs = [abs(recovered[k] - truth[k]) / abs(truth[k]) for k in common]
    precision = len(common) / len(recovered) if recovered else (1.0 if not truth else 0.0)
    recall = len(common) / len(truth) if truth else 1.0
    coef = float(np.mean(errs)) if errs else float("nan")
    exact = set(truth) == set(recovered) and all(e <= tol for e in errs)
    return StructureScore(len(truth), len(recovered), len(common), precision, recall, coef, exact)


def score_system(truths: list[dict], recovered: list[dict], tol: float = EXACT_COEF_TOL) -> dict:
    """Scores of a whole system: term counts summed over equations (micro averages), the mean
    coefficient error over every correct term, the fraction of equations recovered exactly,
    and ``exact`` (every equation exact)."""
    if len(truths) != len(recovered):
        raise InvalidArgumentError(f"{len(truths)} true equations but {len(recovered)} recovered ones.")
    per = [score_equation(a, b, tol) for a, b in zip(truths, recovered)]
    n_true = sum(s.true_terms for s in per)
    n_rec = sum(s.recovered_terms for s in per)
    n_ok = sum(s.correct_terms for s in per)
    errs = [abs(b[k] - a[k]) / abs(a[k]) for a, b in zip(truths, recovered) for k in set(a) & set(b)]
    return {
        "precision": n_ok / n_rec if n_rec else (1.0 if not n_true else 0.0),
        "recall": n_ok / n_true if n_true else 1.0,
        "coef_error": float(np.mean(errs)) if errs else float("nan"),
        "exact_equations": float(np.mean([s.exact for s in per])),
        "exact": all(s.exact for s in per),
        "true_terms": n_true, "recovered_terms": n_rec, "correct_terms": n_ok,
    }
