"""Horizon curves: a pointwise metric on growing prefixes of the forecast."""

from __future__ import annotations

import numpy as np

from chaoszoo.forecast.metrics._arrays import as_pair, as_train, check_names, positive_or_none
from chaoszoo.forecast.metrics.pointwise import POINTWISE, evaluate


def horizon_curve(y_true, y_pred, metric: str = "smape", lyapunov_steps=None, *, y_train=None,
                  max_points: int = 300) -> tuple[np.ndarray, np.ndarray]:
    """``metric`` on the prefixes ``y[:k]`` of the forecast, for growing ``k``.

    Returns ``(t, values)``: ``t = k / lyapunov_steps`` (Lyapunov times) when ``lyapunov_steps``
    is given, else ``k`` (steps); ``values`` NaN where the metric is undefined on that prefix
    (a correlation on one point). At most ``max_points`` prefix lengths, evenly spaced,
    always including the full horizon.
    """
    (metric,) = check_names(metric, POINTWISE)
    t, p = as_pair(y_true, y_pred)
    tr = as_train(y_train, t.shape[1])
    ls = positive_or_none(lyapunov_steps, "lyapunov_steps")
    H = len(t)
    ks = np.unique(np.round(np.linspace(1, H, min(H, max(2, int(max_points))))).astype(int))
    vals = np.empty(len(ks))
    trb = None if tr is None else tr[None]
    for i, k in enumerate(ks):
        vals[i] = evaluate((metric,), t[None, :k], p[None, :k], trb)[metric][0][0]
    return (ks / ls if ls is not None else ks.astype(np.float64)), vals
