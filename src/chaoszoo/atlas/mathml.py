"""Equations as presentation MathML, derived from the declaration's SymPy form.

Browsers render MathML Core natively (Chromium since 109, Firefox, Safari), so the atlas
needs no math renderer and fetches nothing. SymPy's presentation printer writes the
right-hand sides; the left-hand sides (dotted variables, ``x_{n+1}`` for maps) and the
aligned table are ours.
"""

from __future__ import annotations

#: Spatially extended systems show their first and last equations only.
MAX_ROWS = 8


def _mi(name: str) -> str:
    """A variable name as MathML (SymPy's printer handles Greek letters and subscripts)."""
    import sympy as sp

    return sp.mathml(sp.Symbol(name), printer="presentation")


def _lhs(var: str, kind: str) -> str:
    v = _mi(var)
    if kind == "map":
        return f"<msub>{v}<mrow><mi>n</mi><mo>+</mo><mn>1</mn></mrow></msub>"
    # d x / d t rather than a dotted x: the over-dot needs a math font that many systems lack
    return f"<mfrac><mrow><mi>d</mi>{v}</mrow><mrow><mi>d</mi><mi>t</mi></mrow></mfrac>"


def equations_mathml(decl) -> str:
    """One ``<math display="block">`` element: an aligned table, one row per state variable."""
    import sympy as sp

    from chaoszoo.catalog.symbolic import expressions

    exprs = expressions(decl)
    rows = list(zip(decl.variables, exprs))
    if decl.kind == "map":  # write the right-hand side in terms of x_n
        subs = {sp.Symbol(w): sp.Symbol(f"{w}_n") for w in decl.variables}
        rows = [(v, e.subs(subs)) for v, e in rows]
    elided = len(rows) > MAX_ROWS
    if elided:
        rows = rows[:3] + [None] + rows[-2:]
    out = ['<math display="block" class="equations"><mtable columnalign="right center left">']
    for row in rows:
        if row is None:
            out.append("<mtr><mtd><mo>⋮</mo></mtd><mtd></mtd><mtd><mtext>"
                       f"({len(exprs) - 5} more equations of the same form)</mtext></mtd></mtr>")
            continue
        var, expr = row
        rhs = sp.mathml(expr, printer="presentation")
        out.append(f"<mtr><mtd>{_lhs(var, decl.kind)}</mtd><mtd><mo>=</mo></mtd><mtd>{rhs}</mtd></mtr>")
    out.append("</mtable></math>")
    return "".join(out)
