"""A conformance checker that any forecasting model can be run through.

In the spirit of scikit-learn's ``check_estimator``: :func:`check_model` fits the model on a
short Lorenz trajectory and checks what the benchmark relies on. Each check that fails is
reported by name with the reason; ``strict=True`` raises :class:`~chaoszoo.errors.ModelError`.

>>> from chaoszoo.forecast.conformance import check_model
>>> report = check_model("drift")                       # doctest: +SKIP
>>> report.passed                                       # doctest: +SKIP
True
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass, field

import numpy as np

from chaoszoo.errors import ModelError
from chaoszoo.forecast.interface import ForecastInfo


@dataclass
class ConformanceReport:
    model: str
    checks: dict = field(default_factory=dict)  # name -> "ok" or the failure reason

    @property
    def passed(self) -> bool:
        return all(v == "ok" for v in self.checks.values())

    def failures(self) -> dict:
        return {k: v for k, v in self.checks.items() if v != "ok"}

    def __str__(self) -> str:
        lines = [f"conformance of {self.model}: {'passed' if self.passed else 'FAILED'}"]
        lines += [f"  {k}: {v}" for k, v in self.checks.items()]
        return "\n".join(lines)


def lorenz_fixture(n: int = 300, horizon: int = 30, pts_per_period: int = 30):
    """A short Lorenz history and the info a protocol would pass (cached per process)."""
    key = (n, horizon, pts_per_period)
    if key not in _FIXTURES:
        import chaoszoo as cz

        s = cz.get("Lorenz")
        tr = s.trajectory(n + horizon, pts_per_period=pts_per_period, transient=200)
        dt = float(tr.t[1] - tr.t[0])
        info = ForecastInfo(system="Lorenz", dt=dt, pts_per_period=float(pts_per_period),
                            lyapunov_time=s.lyapunov_time, kind="flow", variables=("x", "y", "z"), seed=1234,
                            privileged_state={"state": tr.values[n - 1].copy(), "params": dict(s.params),
                                              "std": tr.values.std(axis=0)})
        _FIXTURES[key] = (tr.values[:n].copy(), tr.values[n:].copy(), info)
    return _FIXTURES[key]


_FIXTURES: dict = {}


def _make(model, fast):
    if isinstance(model, str):
        from chaoszoo.forecast.registry import make

        return lambda: make(model, fast=fast)
    if isinstance(model, type) or callable(model) and not hasattr(model, "fit"):
        return model
    raise ModelError("check_model takes a registry name, a class or a zero-argument factory (not an instance): "
                     "it must make fresh instances to test determinism and the unfitted state.")


def check_model(model, *, fast: bool = True, univariate: bool = True, multivariate: bool = True,
                horizon: int = 30, strict: bool = False) -> ConformanceReport:
    """Run the benchmark's contract checks on a model.

    Checks: refuses ``predict`` before ``fit`` (raises); fits Lorenz (univariate and/or
    multivariate) and returns a finite ``(horizon, d)`` forecast; the same seed gives the same
    forecast; a fitted model survives pickling and predicts the same afterwards.
    """
    factory = _make(model, fast)
    name = model if isinstance(model, str) else getattr(model, "__name__", repr(model))
    report = ConformanceReport(str(name))
    hist, _, info = lorenz_fixture(horizon=horizon)

    try:
        factory().predict(horizon)
        report.checks["predict_before_fit"] = "predict() before fit() returned instead of raising"
    except Exception:  # noqa: BLE001 - any exception is a refusal
        report.checks["predict_before_fit"] = "ok"

    cases = []
    if univariate:
        cases.append(("univariate", hist[:, :1], info.replace(variables=("x",))))
    if multivariate:
        cases.append(("multivariate", hist, info))
    for label, h, inf in cases:
        try:
            m = factory()
            m.fit(h.copy(), inf)
            y = np.asarray(m.predict(horizon))
        except Exception as err:  # noqa: BLE001
            report.checks[f"fit_predict_{label}"] = f"raised {type(err).__name__}: {err}"
            continue
        if y.shape != (horizon, h.shape[1]):
            report.checks[f"fit_predict_{label}"] = f"forecast shape {y.shape}, expected {(horizon, h.shape[1])}"
            continue
        if not np.all(np.isfinite(y)):
            report.checks[f"fit_predict_{label}"] = "forecast has non-finite values"
            continue
        report.checks[f"fit_predict_{label}"] = "ok"
        try:
            m2 = factory()
            m2.fit(h.copy(), inf)
            y2 = np.asarray(m2.predict(horizon))
            same = y2.shape == y.shape and np.array_equal(y, y2)
            report.checks[f"deterministic_{label}"] = "ok" if same else (
                f"two fits with seed {inf.seed} differ by up to {np.max(np.abs(y - y2)):.3g}")
        except Exception as err:  # noqa: BLE001
            report.checks[f"deterministic_{label}"] = f"raised {type(err).__name__}: {err}"
        try:
            m3 = pickle.loads(pickle.dumps(m))
            y3 = np.asarray(m3.predict(horizon))
            report.checks[f"pickle_{label}"] = "ok" if np.allclose(y3, y, rtol=1e-9, atol=1e-9, equal_nan=False) else (
                "the unpickled model predicts differently")
        except Exception as err:  # noqa: BLE001
            report.checks[f"pickle_{label}"] = f"raised {type(err).__name__}: {err}"
    if strict and not report.passed:
        raise ModelError(str(report))
    return report
