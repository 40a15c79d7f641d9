"""``compute`` (one forecast, every metric, missing values with reasons) and ``compute_batch``
(many forecasts, the pointwise metrics and valid prediction times, vectorised)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from chaoszoo.forecast.metrics import attractor as _att
from chaoszoo.forecast.metrics import longterm as _long
from chaoszoo.forecast.metrics._arrays import (
    MetricUndefined, as_batch, as_pair, as_train, check_names, positive_or_none,
)
from chaoszoo.forecast.metrics.attractor import ATTRACTOR
from chaoszoo.forecast.metrics.longterm import LONGTERM
from chaoszoo.forecast.metrics.pointwise import POINTWISE, VPT, evaluate

#: every metric name, in table order
METRICS = POINTWISE + VPT + ATTRACTOR + LONGTERM

#: forecasts per vectorised chunk of compute_batch (bounds memory: ~ 8 arrays of chunk * H * d floats)
_CHUNK_VALUES = 300_000


@dataclass(frozen=True)
class Scores:
    """The metrics of one forecast.

    Attributes:
        values: metric name -> float, or ``None`` where the metric is missing.
        missing: metric name -> why it is missing (only the missing ones).
    """

    values: dict = field(default_factory=dict)
    missing: dict = field(default_factory=dict)

    def __getitem__(self, name: str):
        return self.values[name]

    def as_dict(self) -> dict:
        """A flat dict for a results row: every metric (``None`` where missing) and
        ``metrics_missing``, a JSON object ``{name: reason}`` (``"{}"`` when none is missing)."""
        row = dict(self.values)
        row["metrics_missing"] = json.dumps(self.missing, sort_keys=True)
        return row


def compute(y_true, y_pred, *, y_train=None, lyapunov_steps=None, dt=None, metrics=None,
            attractor: bool = True, seed: int = 0) -> Scores:
    """Score one forecast on every metric (or on ``metrics``).

    Arguments:
        y_true, y_pred: ``(H, d)`` target and forecast (``(H,)`` is read as ``(H, 1)``).
        y_train: the history ``(n, d)`` the model saw: the scale of ``mase`` and of ``vpt_nrmse``.
        lyapunov_steps: samples per Lyapunov time (``None``: the VPTs are missing).
        dt: sampling step (``None``: ``lyapunov_error`` is missing).
        metrics: names to compute (default :data:`METRICS`); unknown names raise with suggestions.
        attractor: ``False`` skips the attractor-level metrics (the slow ones) and the long-term
            measures of the reconstruction literature (:mod:`.longterm`).
        seed: seed of the Monte Carlo estimate of ``kl_divergence``.

    A metric that cannot be computed is ``None`` in ``values`` with its reason in ``missing``
    (a constant forecast for a correlation, a non-finite forecast, a series too short for a
    dimension, ...). Bad input (shapes, a non-finite target) raises ``InvalidArgumentError``.
    """
    names = METRICS if metrics is None else check_names(metrics, METRICS)
    if not attractor:
        names = tuple(n for n in names if n not in ATTRACTOR and n not in LONGTERM)
    t, p = as_pair(y_true, y_pred)
    tr = as_train(y_train, t.shape[1])
    ls = positive_or_none(lyapunov_steps, "lyapunov_steps")
    dt = positive_or_none(dt, "dt")
    values, missing = {}, {}
    fast = [n for n in names if n not in ATTRACTOR and n not in LONGTERM]
    if fast:
        res = evaluate(fast, t[None], p[None], None if tr is None else tr[None], ls)
        for n in fast:
            v, why = res[n]
            values[n] = None if why[0] is not None else float(v[0])
            if why[0] is not None:
                missing[n] = why[0]
    for n in names:
        if n not in ATTRACTOR and n not in LONGTERM:
            continue
        try:
            if n in LONGTERM:  # the reconstruction literature's measures (metrics.longterm)
                v = getattr(_long, n)(t, p)
            elif n == "kl_divergence":
                v = _att.kl_divergence(t, p, seed=seed)
            elif n == "lyapunov_error":
                v = _att.lyapunov_error(t, p, dt=dt)
            else:
                v = getattr(_att, n)(t, p)
        except MetricUndefined as exc:
            values[n], missing[n] = None, exc.reason
            continue
        values[n] = float(v)
    return Scores({n: values[n] for n in names}, {n: missing[n] for n in names if n in missing})


def compute_batch(y_true, y_pred, lyapunov_steps=None, y_train=None) -> dict:
    """Every pointwise metric and both valid prediction times for a batch of forecasts.

    Arguments:
        y_true, y_pred: ``(B, H, d)`` (``(B, H)`` is read as ``(B, H, 1)``).
        lyapunov_steps: samples per Lyapunov time: ``None``, one number, or one per forecast ``(B,)``.
        y_train: histories ``(B, n, d)``, or one ``(n, d)`` shared by all (for ``mase`` and ``vpt_nrmse``).

    Returns:
        ``{name: (B,) float array}`` with NaN where the metric is missing; the values equal
        :func:`compute`'s for each forecast (the same kernels run on the whole batch).
    """
    t, p = as_batch(y_true, y_pred)
    B, H, d = t.shape
    tr = as_train(y_train, d, batch=B)
    if lyapunov_steps is not None:
        ls = np.broadcast_to(np.asarray(lyapunov_steps, dtype=np.float64), (B,))
        if np.any(ls <= 0):
            from chaoszoo.errors import InvalidArgumentError

            raise InvalidArgumentError("lyapunov_steps must be positive (NaN for a forecast without one).")
    else:
        ls = None
    names = POINTWISE + VPT
    out = {n: np.empty(B) for n in names}
    step = max(1, _CHUNK_VALUES // (H * d))
    for a in range(0, B, step):
        z = slice(a, min(B, a + step))
        res = evaluate(names, t[z], p[z], None if tr is None else tr[z], None if ls is None else ls[z])
        for n in names:
            out[n][z] = res[n][0]
    return out
