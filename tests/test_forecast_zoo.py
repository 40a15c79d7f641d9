"""The model zoo: every adapter passes conformance at its fast setting; extras; models that learn."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

from chaoszoo.errors import InvalidArgumentError, MissingExtraError
from chaoszoo.forecast import registry
from chaoszoo.forecast.conformance import check_model, lorenz_fixture
from chaoszoo.forecast.interface import ForecastInfo

ZOO_MODULES = ("darts_models", "statistical", "reservoir", "sindy", "neural_ode", "plrnn")
ZOO = [s for s in registry.list_models() if s.target.split(":")[0].rsplit(".", 1)[-1] in ZOO_MODULES]
ROOT = Path(__file__).resolve().parents[1]


def test_zoo_is_registered_and_large_enough():
    names = {s.name for s in ZOO}
    assert {"nbeats", "nhits", "tcn", "transformer", "lstm", "block-rnn", "dlinear", "nlinear", "tide", "tsmixer",
            "linear-regression", "random-forest", "lightgbm", "kalman", "auto-arima", "ets", "theta", "four-theta",
            "esn", "sindy", "neural-ode", "plrnn"} <= names
    assert len(registry.list_models()) >= 25


def test_listing_the_registry_imports_no_heavy_library():
    code = ("import sys; from chaoszoo.forecast.registry import list_models; list_models(); "
            "print(sorted(m for m in ('torch', 'darts', 'statsforecast', 'reservoirpy', 'pysindy', 'lightning') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


@pytest.mark.parametrize("spec", ZOO, ids=[s.name for s in ZOO])
def test_extra_is_declared_and_named_when_missing(spec, monkeypatch):
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert spec.extra in extras, f"{spec.name} names extra {spec.extra!r}, which pyproject.toml does not declare"
    assert spec.requires
    hidden = spec.requires[0]
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == hidden else real(name, *a))
    with pytest.raises(MissingExtraError) as err:
        registry.make(spec.name, fast=True)
    assert err.value.extra == spec.extra
    assert f"chaoszoo[{spec.extra}]" in str(err.value)


@pytest.mark.parametrize("spec", ZOO, ids=[s.name for s in ZOO])
def test_conformance_fast(spec):
    report = check_model(spec.name, fast=True, horizon=10)
    assert report.passed, str(report)


@pytest.mark.parametrize("name", ["nbeats", "lstm", "linear-regression", "plrnn", "neural-ode"])
def test_history_shorter_than_the_window_is_refused_clearly(name):
    with pytest.raises(InvalidArgumentError, match="history"):
        registry.make(name).fit(np.linspace(0.0, 1.0, 6)[:, None], ForecastInfo(pts_per_period=100.0))


def test_sindy_recovers_the_lorenz_equations():
    """Reference: the catalog declaration's parameters (dx = s(y-x), dy = x(r-z)-y, dz = xy-bz)."""
    import chaoszoo as cz

    s = cz.get("Lorenz")
    tr = s.trajectory(3000, pts_per_period=400, transient=200)
    info = ForecastInfo(system="Lorenz", dt=float(tr.t[1] - tr.t[0]), kind="flow")
    m = registry.make("sindy").fit(tr.values, info)
    p = s.params
    expected = np.zeros_like(m.coefficients_)
    col = {name: j for j, name in enumerate(m.feature_names_)}
    expected[0, col["x0"]], expected[0, col["x1"]] = -p["sigma"], p["sigma"]
    expected[1, col["x0"]], expected[1, col["x1"]], expected[1, col["x0 x2"]] = p["rho"], -1.0, -1.0
    expected[2, col["x0 x1"]], expected[2, col["x2"]] = 1.0, -p["beta"]
    support = expected != 0
    assert np.array_equal(m.coefficients_ != 0, support), m.equations()
    rel = np.abs(m.coefficients_[support] / expected[support] - 1)
    assert rel.max() < 0.01, (rel, m.equations())


@pytest.mark.parametrize("name", ["esn", "sindy"])
def test_models_learn_lorenz_beyond_the_naive_mean(name):
    hist, future, info = lorenz_fixture(horizon=10)  # the conformance fixture (already compiled)
    steps = max(2, int(round(0.1 * info.lyapunov_steps)))  # a tenth of a Lyapunov time
    pred = registry.make(name, fast=True).fit(hist, info).predict(len(future))[:steps]
    err = np.sqrt(np.mean((pred - future[:steps]) ** 2))
    naive = np.sqrt(np.mean((hist.mean(axis=0) - future[:steps]) ** 2))
    assert err < 0.1 * naive, (err, naive)


def test_esn_auto_ridge_keeps_a_zero_shot_forecast_bounded_where_a_fixed_small_penalty_blows_up():
    """The zero-shot setting (512 samples at 30 per Lyapunov time, no tuning): with the old fixed
    penalty 1e-6 the closed-loop ESN diverges on SprottM, which is reported as a ModelError; the
    default ``ridge="auto"`` picks a larger penalty on the history's last fifth and stays on the
    attractor (reference: the true continuation's range)."""
    import chaoszoo as cz
    from chaoszoo.errors import ModelError
    from chaoszoo.forecast.models.reservoir import AUTO_RIDGES

    s = cz.get("SprottM")
    tr = s.trajectory(812, dt=s.lyapunov_time / 30, transient=200)
    hist, future = tr.values[:512], tr.values[512:]
    info = ForecastInfo(system="SprottM", dt=float(tr.t[1] - tr.t[0]), lyapunov_time=s.lyapunov_time, seed=5)
    with pytest.raises(ModelError, match="blew up"):
        registry.make("esn", fast=True, ridge=1e-6).fit(hist, info).predict(len(future))
    m = registry.make("esn", fast=True).fit(hist, info)
    pred = m.predict(len(future))
    assert m.ridge_ in AUTO_RIDGES and m.ridge_ > 1e-6
    lo, hi = future.min(axis=0), future.max(axis=0)
    pad = 0.25 * (hi - lo)
    assert np.all((pred >= lo - pad) & (pred <= hi + pad))
    steps = 3  # a tenth of a Lyapunov time
    err = np.sqrt(np.mean((pred[:steps] - future[:steps]) ** 2))
    naive = np.sqrt(np.mean((hist.mean(axis=0) - future[:steps]) ** 2))
    assert err < 0.2 * naive, (err, naive)


def test_esn_refuses_a_ridge_that_is_neither_a_number_nor_auto():
    with pytest.raises(InvalidArgumentError, match="auto"):
        registry.make("esn", ridge="large")
    with pytest.raises(InvalidArgumentError, match="auto"):
        registry.make("esn", ridge=-1.0)
