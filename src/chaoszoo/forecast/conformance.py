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

import contextlib
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
    """A zero-argument factory of fresh instances; a name that is not a model, a class that cannot
    be made or an object without ``fit``/``predict`` is an error now (not a list of failed checks)."""
    from chaoszoo.errors import InvalidArgumentError

    if isinstance(model, str):
        from chaoszoo.forecast.registry import get_spec, make

        get_spec(model)  # an unknown name raises, with suggestions
        make(model, fast=fast)  # a model that cannot be made, or has no fit/predict, raises
        return lambda: make(model, fast=fast)
    if isinstance(model, type) or callable(model) and not hasattr(model, "fit"):
        try:
            probe = model()
        except Exception as err:  # noqa: BLE001 - the user's constructor
            raise ModelError(f"{getattr(model, '__name__', model)!r} cannot be made without arguments "
                             f"({type(err).__name__}: {err}); pass a zero-argument factory.") from None
        if not (callable(getattr(probe, "fit", None)) and callable(getattr(probe, "predict", None))):
            raise ModelError(f"{getattr(model, '__name__', model)!r} does not meet the model interface: it needs "
                             "fit(history, info) and predict(horizon).")
        return model
    raise InvalidArgumentError("check_model takes a registry name, a class or a zero-argument factory (not an "
                               f"instance, got {type(model).__name__}): it must make fresh instances to test "
                               "determinism and the unfitted state.")


#: Exceptions that betray an accident rather than a deliberate refusal when ``predict`` is
#: called before ``fit`` (a missing attribute, a ``None`` used as an array).
_ACCIDENTS = (AttributeError, TypeError, NameError, KeyError, IndexError)


@contextlib.contextmanager
def _time_limit(seconds):
    """Raise :class:`TimeoutError` in this thread after ``seconds`` (main thread on POSIX only;
    elsewhere no limit)."""
    import signal
    import threading

    if not seconds or threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGALRM"):
        yield
        return

    def expire(signum, frame):
        raise TimeoutError(f"the conformance check exceeded its time limit of {seconds:g} s")

    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, float(seconds))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def check_model(model, *, fast: bool = True, univariate: bool = True, multivariate: bool = True,
                horizon: int = 30, strict: bool = False, timeout: float | None = 300.0) -> ConformanceReport:
    """Run the benchmark's contract checks on a model.

    Checks: refuses ``predict`` before ``fit`` with a deliberate error (an ``AttributeError`` or
    ``TypeError`` from a missing fitted state is an accident, reported as a failure: raise
    :class:`~chaoszoo.errors.NotFittedError` or another error that says ``fit`` comes first);
    fits Lorenz (univariate and/or multivariate) and returns a finite ``(horizon, d)`` forecast;
    the same seed gives the same forecast; a fitted model survives pickling and predicts the same
    afterwards; a model with ``predict_samples`` or ``predict_quantiles`` gives a distribution the
    probabilistic track accepts, the same from two fits with one seed. The whole check stops after ``timeout`` seconds (``None``: no limit), the check
    it was in failing with that reason.

    Raises:
        InvalidArgumentError: an unknown model name, or something that is not a name, class or factory.
        ModelError: a model that cannot be made or does not have ``fit`` and ``predict``; with
            ``strict``, any failed check.
    """
    import math

    from chaoszoo.errors import InvalidArgumentError

    if timeout is not None and (isinstance(timeout, bool) or not isinstance(timeout, (int, float))
                                or not math.isfinite(timeout) or timeout < 0):
        raise InvalidArgumentError(f"timeout must be a non-negative number of seconds or None; got {timeout!r}.")
    if isinstance(horizon, bool) or not isinstance(horizon, int) or horizon < 1:
        raise InvalidArgumentError(f"horizon must be a positive integer; got {horizon!r}.")
    if not (univariate or multivariate):
        raise InvalidArgumentError("Check univariate, multivariate or both (not neither).")
    factory = _make(model, fast)
    name = model if isinstance(model, str) else getattr(model, "__name__", repr(model))
    report = ConformanceReport(str(name))
    hist, _, info = lorenz_fixture(horizon=horizon)
    current = {"check": "predict_before_fit"}
    try:
        with _time_limit(timeout):
            _run_checks(factory, report, hist, info, horizon, univariate, multivariate, current)
    except TimeoutError as err:
        report.checks[current["check"]] = str(err)
    if strict and not report.passed:
        raise ModelError(str(report))
    return report


def _run_checks(factory, report, hist, info, horizon, univariate, multivariate, current):
    try:
        factory().predict(horizon)
        report.checks["predict_before_fit"] = "predict() before fit() returned instead of raising"
    except TimeoutError:
        raise
    except _ACCIDENTS as err:
        report.checks["predict_before_fit"] = (
            f"predict() before fit() raised {type(err).__name__} ({err}), an accident rather than a refusal: raise "
            "chaoszoo.errors.NotFittedError (or an error saying fit() comes first)")
    except Exception:  # noqa: BLE001 - a deliberate refusal
        report.checks["predict_before_fit"] = "ok"

    cases = []
    if univariate:
        cases.append(("univariate", hist[:, :1], info.replace(variables=("x",))))
    if multivariate:
        cases.append(("multivariate", hist, info))
    for label, h, inf in cases:
        current["check"] = f"fit_predict_{label}"
        try:
            m = factory()
            m.fit(h.copy(), inf)
            y = np.asarray(m.predict(horizon))
        except TimeoutError:
            raise
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
        current["check"] = f"deterministic_{label}"
        try:
            m2 = factory()
            m2.fit(h.copy(), inf)
            y2 = np.asarray(m2.predict(horizon))
            same = y2.shape == y.shape and np.array_equal(y, y2)
            report.checks[f"deterministic_{label}"] = "ok" if same else (
                f"two fits with seed {inf.seed} differ by up to {np.max(np.abs(y - y2)):.3g}")
        except TimeoutError:
            raise
        except Exception as err:  # noqa: BLE001
            report.checks[f"deterministic_{label}"] = f"raised {type(err).__name__}: {err}"
        current["check"] = f"pickle_{label}"
        try:
            m3 = pickle.loads(pickle.dumps(m))
            y3 = np.asarray(m3.predict(horizon))
            report.checks[f"pickle_{label}"] = "ok" if np.allclose(y3, y, rtol=1e-9, atol=1e-9, equal_nan=False) else (
                "the unpickled model predicts differently")
        except TimeoutError:
            raise
        except Exception as err:  # noqa: BLE001
            report.checks[f"pickle_{label}"] = f"raised {type(err).__name__}: {err}"
        if callable(getattr(m, "predict_samples", None)) or callable(getattr(m, "predict_quantiles", None)):
            current["check"] = f"distribution_{label}"
            report.checks[f"distribution_{label}"] = _check_distribution(factory, m, h, inf, horizon)


def _check_distribution(factory, fitted, h, info, horizon: int) -> str:
    """The probabilistic track's checks of a model with ``predict_samples`` or ``predict_quantiles``
    (:func:`chaoszoo.forecast.probabilistic.predict_distribution`: 8 members, or the protocol's
    quantile levels, of the right shape, finite, not crossing), and the same distribution from a
    second fit with the same seed."""
    from chaoszoo.forecast.probabilistic import predict_distribution
    from chaoszoo.forecast.protocols import QUANTILE_LEVELS

    try:
        a = predict_distribution(fitted, horizon, h.shape[1], 8, QUANTILE_LEVELS)
        m2 = factory()
        m2.fit(h.copy(), info)
        b = predict_distribution(m2, horizon, h.shape[1], 8, QUANTILE_LEVELS)
    except TimeoutError:
        raise
    except Exception as err:  # noqa: BLE001
        return f"raised {type(err).__name__}: {err}"
    if not np.array_equal(a.values, b.values):
        return f"two fits with seed {info.seed} give different distributions (up to {np.max(np.abs(a.values - b.values)):.3g})"
    return "ok"
