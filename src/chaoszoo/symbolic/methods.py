"""Equation-discovery methods: SINDy (pysindy) with polynomial and Fourier libraries, and
genetic-programming symbolic regression (pyoperon, runs offline).

Each method fits ``x -> dx/dt`` on samples with exact derivatives and returns a
:class:`Discovered` model: its right-hand sides as SymPy expressions in the system's variables
and a vectorised predictor. Budgets are fixed numbers of evaluations (not wall-clock limits), so
a run is reproducible on any machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb
from typing import Callable

import numpy as np

from chaoszoo.errors import InvalidArgumentError, MissingExtraError, ModelError

#: STLSQ keeps a term when its RMS contribution exceeds this fraction of the derivative's RMS.
SINDY_RELATIVE_THRESHOLD = 1e-3
SINDY_POLY_DEGREE = 3
FOURIER_POLY_DEGREE = 2
FOURIER_FREQUENCIES = 2


@dataclass
class Discovered:
    method: str
    expressions: list          # SymPy expressions, one per state variable
    predict: Callable          # (n, d) states -> (n, d) derivatives

    def strings(self) -> list[str]:
        return [str(e) for e in self.expressions]


def _pysindy():
    try:
        import pysindy
    except ImportError:
        raise MissingExtraError("SINDy", "symbolic", "pysindy") from None
    return pysindy


def _sindy(x, xdot, variables, library, name: str) -> Discovered:
    import sympy as sp

    ps = _pysindy()
    n, d = x.shape
    # fit on derivatives scaled to unit RMS, so one relative threshold fits every equation;
    # with normalize_columns, STLSQ thresholds coefficients of unit-L2-norm columns, whose size is
    # (RMS contribution) * sqrt(n)
    scale = np.sqrt(np.mean(xdot**2, axis=0))
    scale = np.where(scale > 0, scale, 1.0)
    opt = ps.STLSQ(threshold=SINDY_RELATIVE_THRESHOLD * np.sqrt(n), alpha=1e-12, normalize_columns=True,
                   max_iter=50)
    model = ps.SINDy(optimizer=opt, feature_library=library)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(x, t=1.0, x_dot=xdot / scale)
    coefs = model.coefficients() * scale[:, None]
    if not np.all(np.isfinite(coefs)):
        raise ModelError(f"{name} produced non-finite coefficients.")
    syms = {f"x{i}": sp.Symbol(v) for i, v in enumerate(variables)}
    feats = [sp.sympify(f.replace(" ", "*").replace("^", "**"), locals=syms) for f in model.get_feature_names()]
    exprs = [sp.Add(*[sp.Float(c) * f for c, f in zip(row, feats) if c != 0.0]) for row in coefs]

    def predict(z):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return np.asarray(model.predict(np.asarray(z, dtype=np.float64)), dtype=np.float64) * scale

    return Discovered(name, exprs, predict)


def library_degree(n_samples: int, dimension: int, max_degree: int, extra_columns: int = 0) -> int:
    """The largest polynomial degree ``<= max_degree`` whose library (all monomials in
    ``dimension`` variables, constant included, plus ``extra_columns``) has at most half as many
    columns as there are samples, so that least squares stays overdetermined.

    Raises:
        InvalidArgumentError: not even the linear library fits.
    """
    for degree in range(max_degree, 0, -1):
        if comb(dimension + degree, degree) + extra_columns <= n_samples // 2:
            return degree
    raise InvalidArgumentError(
        f"A linear library in {dimension} variables has {dimension + 1 + extra_columns} columns, more than "
        f"half the {n_samples} training samples; SINDy needs more samples for a flow this large.")


def sindy_polynomial(x, xdot, variables, seed: int = 0) -> Discovered:
    """SINDy, sequentially thresholded least squares over monomials up to degree 3 (lower when the
    degree-3 library would have more than half as many columns as samples: degree 2 for
    Lorenz96TwoScale's 40 variables, see :func:`library_degree`)."""
    ps = _pysindy()
    degree = library_degree(len(x), x.shape[1], SINDY_POLY_DEGREE)
    return _sindy(x, xdot, variables, ps.PolynomialLibrary(degree=degree), "sindy-poly")


def sindy_fourier(x, xdot, variables, seed: int = 0) -> Discovered:
    """SINDy over monomials up to degree 2 plus sin/cos of each variable at frequencies 1 and 2
    (the polynomial degree lowered as in :func:`sindy_polynomial` for a large flow)."""
    ps = _pysindy()
    d = x.shape[1]
    degree = library_degree(len(x), d, FOURIER_POLY_DEGREE, extra_columns=2 * FOURIER_FREQUENCIES * d)
    lib = ps.PolynomialLibrary(degree=degree) + ps.FourierLibrary(n_frequencies=FOURIER_FREQUENCIES)
    return _sindy(x, xdot, variables, lib, "sindy-fourier")


@dataclass(frozen=True)
class OperonBudget:
    population_size: int = 300
    generations: int = 40
    max_evaluations: int = 200_000
    max_length: int = 25
    samples: int = 500

    def __post_init__(self):
        from chaoszoo.data.files import positive_int

        for name in ("population_size", "generations", "max_evaluations", "max_length", "samples"):
            positive_int(getattr(self, name), f"OperonBudget.{name}", 1)


OPERON_SYMBOLS = "add,sub,mul,div,sin,cos,exp,constant,variable"


def operon(x, xdot, variables, seed: int = 0, budget: OperonBudget = OperonBudget()) -> Discovered:
    """Genetic programming (pyoperon's ``SymbolicRegressor``), one regression per equation, on
    ``budget.samples`` evenly spaced training samples; single-threaded and seeded."""
    import sympy as sp

    try:
        from pyoperon.sklearn import SymbolicRegressor
    except ImportError:
        raise MissingExtraError("Genetic-programming symbolic regression", "symbolic", "pyoperon") from None
    n, d = x.shape
    idx = np.linspace(0, n - 1, min(n, budget.samples)).round().astype(int)
    names = [f"v{i}" for i in range(d)]
    syms = {f"v{i}": sp.Symbol(v) for i, v in enumerate(variables)}
    models, exprs = [], []
    for j in range(d):
        reg = SymbolicRegressor(allowed_symbols=OPERON_SYMBOLS, population_size=budget.population_size,
                                generations=budget.generations, max_evaluations=budget.max_evaluations,
                                max_length=budget.max_length, n_threads=1, random_state=int(seed + j) % (2**31),
                                max_time=None)
        reg.fit(x[idx], xdot[idx, j])
        text = reg.get_model_string(reg.model_, 12, names)
        exprs.append(sp.sympify(text, locals=syms))
        models.append(reg)

    def predict(z):
        z = np.asarray(z, dtype=np.float64)
        return np.stack([m.predict(z) for m in models], axis=1)

    return Discovered("operon", exprs, predict)


METHODS: dict[str, Callable] = {
    "sindy-poly": sindy_polynomial,
    "sindy-fourier": sindy_fourier,
    "operon": operon,
}


def get_method(name: str) -> Callable:
    if name not in METHODS:
        raise InvalidArgumentError(f"Unknown symbolic-regression method {name!r}; choose from {sorted(METHODS)}.")
    return METHODS[name]
