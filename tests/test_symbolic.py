"""Symbolic-regression benchmark: term scoring, exact derivatives, SINDy recovery, errors."""

import json
import sys

import numpy as np
import pandas as pd
import pytest
import sympy as sp
from scipy.integrate import solve_ivp

import chaoszoo as cz
from chaoszoo.errors import InvalidArgumentError, MissingExtraError
from chaoszoo.symbolic import (
    SHIPPED_FORECAST, OperonBudget, best_forecast_scores, correlate_with_forecast, exact_derivatives,
    record_correlations, run_benchmark, run_one, score_equation, smape, term_dict, true_terms,
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


def _forecast_rows(best):
    """Forecasting-benchmark rows where ``best[i]`` is system S{i}'s best non-oracle clean sMAPE:
    a worse model beside it, a better oracle, better noisy-variant rows and a better failed row,
    all of which must be ignored."""
    rows = []
    for i, b in enumerate(best):
        sysname = f"S{i}"
        rows += [dict(system=sysname, model="good", variant="uni-clean", status="ok", smape=b),
                 dict(system=sysname, model="bad", variant="uni-clean", status="ok", smape=b + 50.0),
                 dict(system=sysname, model="oracle", variant="uni-clean", status="ok", smape=0.0),
                 dict(system=sysname, model="good", variant="uni-noisy", status="ok", smape=199.0 - b),
                 dict(system=sysname, model="bad", variant="uni-clean", status="failed", smape=np.nan),
                 dict(system=sysname, model="broken", variant="uni-clean", status="failed", smape=0.0)]
    return pd.DataFrame(rows)


def test_correlation_with_a_forecasting_results_table_matches_scipy(tmp_path):
    from scipy.stats import spearmanr

    rng = np.random.default_rng(3)
    n = 12
    sym = rng.uniform(0, 100, n)
    fc = rng.uniform(0, 150, n)
    names = [f"S{i}" for i in range(n)]
    # two methods per system: the better one (lower sMAPE) is ``sym``
    results = pd.DataFrame({"system": names * 2, "method": ["a"] * n + ["b"] * n, "status": "ok",
                            "smape": np.concatenate([sym, sym + rng.uniform(1, 20, n)]), "recall": 1.0,
                            "exact": False})
    table = _forecast_rows(fc)
    best = best_forecast_scores(table)
    assert list(best.sort_values("system", key=lambda c: c.str[1:].astype(int))["score"]) == pytest.approx(list(fc))
    assert set(best["best_model"]) == {"good"} and best.attrs["models"] == ["bad", "good"]
    got = correlate_with_forecast(results, table)
    want = spearmanr(sym, fc)
    assert got["rho"] == pytest.approx(want.statistic) and got["p"] == pytest.approx(want.pvalue)
    assert got["n"] == n and got["models"] == ["bad", "good"] and got["variant"] == "uni-clean"
    # the same from a Parquet file of the rows, and from a per-system CSV
    table.to_parquet(tmp_path / "rows.parquet")
    assert correlate_with_forecast(results, tmp_path / "rows.parquet")["rho"] == pytest.approx(want.statistic)
    pd.DataFrame({"system": names, "score": fc}).to_csv(tmp_path / "best.csv", index=False)
    assert correlate_with_forecast(results, tmp_path / "best.csv")["rho"] == pytest.approx(want.statistic)
    with pytest.raises(InvalidArgumentError, match="variant 'uni-noisy-x'"):
        best_forecast_scores(table, variant="uni-noisy-x")
    # the sidecar JSON records it beside the published value
    out = tmp_path / "sym.parquet"
    results.to_parquet(out)
    corr = record_correlations(results, out, tmp_path / "rows.parquet")
    meta = json.loads(out.with_suffix(".json").read_text())
    assert meta["correlations"]["forecast"]["rho"] == pytest.approx(want.statistic) == corr["forecast"]["rho"]
    assert meta["correlations"]["published_forecast_rho"] == -0.16


def test_shipped_forecast_results_reduce_to_one_best_score_per_system():
    rows = pd.read_parquet(SHIPPED_FORECAST)
    best = best_forecast_scores()
    assert "oracle" not in best.attrs["models"] and best["system"].is_unique
    ok = rows[(rows["status"] == "ok") & (rows["variant"] == "uni-clean") & (rows["model"] != "oracle")]
    lorenz = ok[ok["system"] == "Lorenz"]
    assert best.set_index("system").loc["Lorenz", "score"] == pytest.approx(lorenz["smape"].min())


def test_flow_without_symbolic_form_is_skipped_with_the_reason(tmp_path):
    out = tmp_path / "r.parquet"
    res = run_benchmark(["KuramotoSivashinsky"], ("sindy-poly", "operon"), out=out, progress=False)
    assert list(res["method"]) == ["sindy-poly", "operon"]
    assert all(s.startswith("skipped: KuramotoSivashinsky has no symbolic form") for s in res["status"])


def test_library_degree_keeps_least_squares_overdetermined():
    from chaoszoo.symbolic.methods import library_degree

    # columns: C(d + k, k); at most n // 2 of them
    assert library_degree(2000, 10, 3) == 3           # C(13, 3) = 286
    assert library_degree(2000, 40, 3) == 2           # C(43, 3) = 12341 > 1000 >= C(42, 2) = 861
    assert library_degree(2000, 64, 3) == 1           # C(66, 2) = 2145 > 1000
    assert library_degree(2000, 40, 2, extra_columns=160) == 1   # 861 + 160 = 1021 > 1000
    with pytest.raises(InvalidArgumentError, match="more samples"):
        library_degree(100, 60, 3)


def test_cli_correlates_with_the_shipped_forecast_results(tmp_path):
    """`chaoszoo symbolic run` on a finished results file: nothing is fitted again; the Spearman
    correlation with the shipped forecasting results is printed, recorded and drawn."""
    from dataclasses import asdict

    from click.testing import CliRunner
    from scipy.stats import spearmanr

    from chaoszoo.cli import main
    from chaoszoo.symbolic import FAST

    names = ["Lorenz", "Rossler", "Thomas", "Chen", "Aizawa", "Halvorsen", "SprottA"]
    sym = np.array([3.0, 1e-12, 40.0, 2.0, 17.0, 0.5, 9.0])
    out = tmp_path / "r.parquet"
    pd.DataFrame({"system": names, "method": "sindy-poly", "dimension": 3, "polynomial": True, "degree": 2,
                  "status": "ok", "smape": sym, "recall": 1.0, "precision": 1.0, "coef_error": 0.0,
                  "exact": False, "seconds": 0.1}).to_parquet(out)
    out.with_suffix(".json").write_text(json.dumps({"generator": "chaoszoo symbolic run",
                                                    "settings": {"protocol": asdict(FAST)}}))
    res = CliRunner().invoke(main, ["symbolic", "run", "--fast", "--methods", "sindy-poly", "--systems",
                                    ",".join(names), "--out", str(out), "--figure", str(tmp_path / "f.png")])
    assert res.exit_code == 0, res.output
    rows = pd.read_parquet(SHIPPED_FORECAST)
    rows = rows[(rows["status"] == "ok") & (rows["variant"] == "uni-clean") & (rows["model"] != "oracle")]
    best = rows.groupby("system")["smape"].min()
    want = spearmanr(sym, best.loc[names].to_numpy())
    meta = json.loads(out.with_suffix(".json").read_text())
    assert meta["correlations"]["forecast"]["rho"] == pytest.approx(want.statistic)
    assert meta["correlations"]["forecast"]["n"] == len(names)
    assert f"rho = {want.statistic:.3f}" in res.output and "published: -0.16" in res.output
    assert (tmp_path / "f.png").stat().st_size > 0
    assert len(pd.read_parquet(out)) == len(names)                      # nothing refitted or added
