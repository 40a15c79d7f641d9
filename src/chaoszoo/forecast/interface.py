"""The one model interface of the forecasting benchmark.

A model is any object with two methods; it does not inherit from anything of ours::

    class MyModel:
        def fit(self, history, info):        # history: (n, d) float64 array; info: ForecastInfo
            ...
            return self
        def predict(self, horizon):          # -> (horizon, d) array, continuing the history
            ...

``info`` carries what a model may want to know about the series (the sampling step, points
per period, Lyapunov time, system name and a seed derived from the job's name); most models
ignore it. Randomness must come from ``info.seed`` so that a job is reproducible.

Hyperparameters are keyword arguments of the constructor. A model may declare a search grid
(see :mod:`chaoszoo.forecast.registry`); grid values may be numbers, or the strings
``"period"``, ``"period/2"``, ``"period/4"`` (a fraction of a period, in samples), resolved
per series by :func:`resolve_value`.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

import numpy as np

from chaoszoo.errors import InvalidArgumentError


@dataclass(frozen=True)
class ForecastInfo:
    """What a model is told about the series it fits.

    Attributes:
        system: catalog name of the system that generated the series.
        dt: sampling step in the system's time units (``1`` for maps).
        pts_per_period: samples per dominant period (``None`` if unknown).
        lyapunov_time: Lyapunov time in the system's time units (``None`` if not chaotic or unknown).
        kind: ``"flow"``, ``"delay"`` or ``"map"``.
        variables: names of the observed columns of ``history``.
        seed: the job's seed (derived from protocol, system, initial condition, variant and model).
        noise: relative measurement-noise level of the history (``0`` for clean data).
        privileged_state: a dict with the true, noise-free full state at the last history sample
            (``"state"``), the parameters (``"params"``) and each variable's standard deviation on
            the attractor (``"std"``). Only oracle models may use it: it exists so that every
            leaderboard shows the predictability ceiling. ``None`` where unavailable.
    """

    system: str = "unknown"
    dt: float = 1.0
    pts_per_period: float | None = None
    lyapunov_time: float | None = None
    kind: str = "flow"
    variables: tuple[str, ...] = ()
    seed: int = 0
    noise: float = 0.0
    privileged_state: dict | None = field(default=None, repr=False, compare=False)

    @property
    def lyapunov_steps(self) -> float | None:
        """Samples per Lyapunov time (``None`` when there is no Lyapunov time)."""
        if self.lyapunov_time is None or not math.isfinite(self.lyapunov_time) or self.lyapunov_time <= 0:
            return None
        return self.lyapunov_time / self.dt

    def replace(self, **changes) -> "ForecastInfo":
        return dataclasses.replace(self, **changes)


@runtime_checkable
class Model(Protocol):
    """The structural type every forecasting model meets (no inheritance needed)."""

    def fit(self, history: np.ndarray, info: ForecastInfo) -> Any: ...

    def predict(self, horizon: int) -> np.ndarray: ...


_FRACTIONS = {"period": 1.0, "period/2": 0.5, "period/4": 0.25, "2period": 2.0}


def resolve_value(value, info: ForecastInfo, *, default_pts: float = 15.0):
    """Resolve a grid value: numbers pass through; ``"period"``-strings become sample counts.

    ``"period/4"`` is a quarter of ``info.pts_per_period`` samples, rounded, at least 2.
    """
    if isinstance(value, str):
        if value not in _FRACTIONS:
            raise InvalidArgumentError(
                f"Unknown grid value {value!r}; use a number or one of {', '.join(map(repr, _FRACTIONS))}."
            )
        pts = info.pts_per_period if info.pts_per_period else default_pts
        return max(2, int(round(_FRACTIONS[value] * pts)))
    return value


def resolve_params(params: dict, info: ForecastInfo) -> dict:
    """Resolve the ``"period"``-strings of a hyperparameter dict (:func:`resolve_value`); other
    values, such as a model's own keywords (the ESN's ``ridge="auto"``), reach the model as given,
    and the model checks them."""
    return {k: resolve_value(v, info) if not isinstance(v, str) or v in _FRACTIONS else v
            for k, v in params.items()}


def derive_seed(*parts) -> int:
    """A 31-bit seed from names and indices (stable across processes and machines)."""
    text = "\x1f".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little") & 0x7FFFFFFF


def as_history(history) -> np.ndarray:
    """Validate and convert a history to a C-contiguous ``(n, d)`` float64 array."""
    h = np.asarray(history, dtype=np.float64)
    if h.ndim == 1:
        h = h[:, None]
    if h.ndim != 2 or h.shape[0] < 2 or h.shape[1] < 1:
        raise InvalidArgumentError(f"history must be an (n, d) array with n >= 2; got shape {np.shape(history)}.")
    if not np.all(np.isfinite(h)):
        raise InvalidArgumentError("history contains non-finite values.")
    return np.ascontiguousarray(h)
