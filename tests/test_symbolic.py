"""Symbolic-regression benchmark: term scoring, exact derivatives, SINDy recovery, errors."""

import sys

import numpy as np
import pandas as pd
import pytest
import sympy as sp
from scipy.integrate import solve_ivp

import chaoszoo as cz
from chaoszoo.errors import InvalidArgumentError, MissingExtraError
from chaoszoo.symbolic import (
    OperonBudget, correlate_with_forecast, exact_derivatives, run_one, score_equation, smape, term_dict, true_terms,
)
from chaoszoo.symbolic.methods import operon

x, y, z = sp.symbols("x y z")


def _scipy_data(system, n_train=800, n_test=200, transient=300):
    """On-attractor samples from SciPy's DOP853 (an integrator independent of chaoszoo's engine)."""
    dt = system.period / 100
    from chaoszoo.catalog.declaration import Params
    from chaoszoo.catalog.ops import NUMPY

    p = Params(system.params)
    f = lambda t, u: system.declaration.equations(u, t, p, NUMPY)  # noqa: E731
    n = transient + n_train + n_test
    t = np.arange(n) * dt
    sol = solve_ivp(f, (0, t[-1]), system.ic, t_eval=t, method="DOP853", rtol=1e-10, atol=1e-10)
    X = sol.y.T[transient:]
    Xd = exact_derivatives(system, X, t[transient:])
    return {"x_train": X[:n_train], "xd_train": Xd[:n_train], "x_test": X[n_train:], "xd_test": Xd[n_train:]}


def test_smape_known_values():
    assert smape([[1.0]], [[1.0]])[0] == 0.0
    assert smape([[1.0]], [[-1.0]])[0] == pytest.approx(200.0)
    assert smape([[1.0], [0.0]], [[3.0], [0.0]])[0] == pytest.approx(50.0)  # (100 + 0) / 2


def test_term_dict_expands_and_canonicalises():
    assert term_dict(x * (y - 2) + 0.5 * z) == {x * y: 1.0, x: -2.0, z: 0.5}
    assert term_dict(3.0 * sp.sin(2.0 * x) + 1.5) == {sp.sin(2 * x): 3.0, sp.Integer(1): 1.5}
    assert term_dict(x - x + 1e-15 * y) == {}


def test_score_equation_hand_built_cases():
    truth = {x * y: 1.0, x: -2.0}
    s = score_equation(truth, term_dict(x * (y - 2) + 0.5 * z))
    assert (s.precision, s.recall, s.coef_error, s.exact) == (pytest.approx(2 / 3), 1.0, 0.0, False)
    s = score_equation(truth, {x * y: 1.015, x: -2.0})
    assert s.precision == s.recall == 1.0 and s.coef_error == pytest.approx(0.0075) and not s.exact
    s = score_equation(truth, {x * y: 1.005, x: -2.0})
    assert s.exact
    s = score_equation(truth, {z: 1.0})
    assert s.precision == s.recall == 0.0 and np.isnan(s.coef_error) and not s.exact


def test_true_terms_of_lorenz_match_the_textbook_equations():
    s = cz.get("Lorenz")
    p = s.params
    sig, rho, beta = p["sigma"], p["rho"], p["beta"]
    assert true_terms(s) == [{x: -sig, y: sig}, {x: rho, y: -1.0, x * z: -1.0}, {x * y: 1.0, z: -beta}]


def test_exact_derivatives_match_rhs_pointwise():
    for name in ("Lorenz", "Duffing", "Thomas"):
        s = cz.get(name)
        X = s.ic + np.random.default_rng(0).normal(size=(4, s.dimension))
        t = np.array([0.0, 0.3, 1.1, 2.5])
        got = exact_derivatives(s, X, t)
        want = np.stack([s.rhs(X[i], t[i]) for i in range(4)])
        np.testing.assert_allclose(got, want, rtol=1e-14, atol=1e-14)


def test_sindy_recovers_lorenz_exactly():
    s = cz.get("Lorenz")
    row = run_one(s, "sindy-poly", data=_scipy_data(s))
    assert row["precision"] == 1.0 and row["recall"] == 1.0
    assert row["coef_error"] < 0.01 and row["exact"]
    assert row["smape"] < 1e-6 and row["polynomial"] and row["degree"] == 2


def test_sindy_fourier_recovers_thomas_and_polynomial_cannot():
    s = cz.get("Thomas")  # dx = sin(y) - b x, ...: outside the polynomial library
    data = _scipy_data(s, n_train=600, n_test=200, transient=200)
    four = run_one(s, "sindy-fourier", data=data)
    poly = run_one(s, "sindy-poly", data=data)
    assert four["exact"] and four["recall"] == 1.0 and not four["polynomial"]
    assert not poly["exact"] and poly["recall"] < 1.0


def test_operon_runs_offline_and_returns_a_predictor():
    s = cz.get("Lorenz")
    d = _scipy_data(s, n_train=300, n_test=100, transient=200)
    found = operon(d["x_train"], d["xd_train"], s.variables, seed=1,
                   budget=OperonBudget(population_size=50, generations=3, max_evaluations=3000, samples=100))
    assert len(found.expressions) == 3
    pred = found.predict(d["x_test"])
    assert pred.shape == (100, 3) and np.all(np.isfinite(pred))
    # the expressions are the models: evaluating them reproduces the predictions
    f = sp.lambdify([x, y, z], found.expressions[0], "numpy")
    np.testing.assert_allclose(np.broadcast_to(f(*d["x_test"].T), (100,)), pred[:, 0], rtol=1e-6, atol=1e-6)


def test_bad_inputs_raise_clear_errors(monkeypatch):
    with pytest.raises(InvalidArgumentError, match="no symbolic form"):
        true_terms(cz.get("KuramotoSivashinsky"))
    with pytest.raises(InvalidArgumentError, match="flows"):
        true_terms(cz.get("Henon"))
    with pytest.raises(InvalidArgumentError, match="Unknown symbolic-regression method"):
        run_one(cz.get("Lorenz"), "pysr")
    monkeypatch.setitem(sys.modules, "pysindy", None)
    from chaoszoo.symbolic.methods import sindy_polynomial

    with pytest.raises(MissingExtraError, match=r"chaoszoo\[symbolic\]"):
        sindy_polynomial(np.zeros((10, 3)), np.zeros((10, 3)), ("x", "y", "z"))


def test_correlate_with_forecast():
    names = [f"S{i}" for i in range(8)]
    results = pd.DataFrame({"system": names, "method": "m", "status": "ok", "smape": np.arange(8.0),
                            "recall": 1.0, "exact": False})
    perfect = correlate_with_forecast(results, pd.DataFrame({"system": names, "score": np.arange(8.0) ** 2}))
    assert perfect["rho"] == pytest.approx(1.0) and perfect["n"] == 8
    reverse = correlate_with_forecast(results, pd.DataFrame({"system": names, "score": -np.arange(8.0)}))
    assert reverse["rho"] == pytest.approx(-1.0)
    with pytest.raises(InvalidArgumentError, match="columns"):
        correlate_with_forecast(results, pd.DataFrame({"name": names}))
