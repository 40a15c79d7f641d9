"""Symbolic form of a declaration (SymPy): expressions and LaTeX, derived from the equations."""

from __future__ import annotations

import functools

import numpy as np

from chaoszoo.catalog.declaration import Declaration, Params
from chaoszoo.catalog.ops import sympy_ops


def _symbol(sp, name: str):
    return sp.Symbol(name)


@functools.cache
def expressions(decl: Declaration) -> tuple:
    """The right-hand sides as SymPy expressions, one per state variable."""
    import sympy as sp

    xp = sympy_ops()
    X = np.array([_symbol(sp, v) for v in decl.variables], dtype=object)
    t = sp.Symbol("n" if decl.kind == "map" else "t")
    p = Params({k: (int(v) if k in decl.integer_params else _symbol(sp, k)) for k, v in decl.params.items()})
    if decl.kind == "delay":
        tau = sp.Symbol(decl.delay)
        Xd = np.array([sp.Function(v)(t - tau) for v in decl.variables], dtype=object)
        out = decl.equations(X, Xd, t, p, xp)
    else:
        out = decl.equations(X, t, p, xp)
    return tuple(sp.sympify(e) for e in np.asarray(out, dtype=object).ravel())


def latex(decl: Declaration) -> str:
    """The equations in LaTeX (an ``aligned`` block, one line per variable)."""
    if decl.latex is not None:
        return decl.latex
    import sympy as sp

    exprs = expressions(decl)
    lines = []
    for v, e in zip(decl.variables, exprs):
        lhs_sym = sp.latex(sp.Symbol(v))
        if decl.kind == "map":
            lhs = f"{lhs_sym}_{{n+1}}"
            rhs = sp.latex(e.subs({sp.Symbol(w): sp.Symbol(f"{w}_n") for w in decl.variables}))
        else:
            lhs = f"\\dot{{{lhs_sym}}}"
            rhs = sp.latex(e)
        lines.append(f"{lhs} &= {rhs}")
    return "\\begin{aligned}\n" + " \\\\\n".join(lines) + "\n\\end{aligned}"
