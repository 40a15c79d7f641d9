"""``dysts.metrics`` names over chaoszoo's forecast metrics (:mod:`chaoszoo.forecast.metrics`).

Each function keeps dysts 0.96's name, argument order and scale; the computation is
chaoszoo's (one kernel per metric, shared with the benchmark's scoring), except for the few
metrics chaoszoo does not have (``ope``, ``hellinger_distance``, ``average_hellinger_distance``,
``dtw``), written here from their formulas. Deliberate differences from dysts 0.96, also
listed in ``docs/compat-dysts.md``:

* no ``eps`` in denominators: a metric that is undefined for the input (a zero in the target
  for ``mape``, a constant variable for a correlation) is ``nan``, not a huge finite number;
* ``pearson`` of a one-variable series is Pearson's coefficient (dysts returned Spearman's);
* ``mutual_information`` uses chaoszoo's Gaussian-copula estimator (deterministic) instead of
  scikit-learn's nearest-neighbour estimator, so values differ;
* ``estimate_kl_divergence`` draws its Monte Carlo samples from a seeded generator
  (``seed=0``), not from NumPy's global state.

``smape`` is on dysts 0.96's 0-100 scale (``scaled=True``, half of chaoszoo's 0-200 scale of
the 2021 benchmark); ``scaled=False`` gives the 0-200 value.
"""

from __future__ import annotations

import numpy as np

from chaoszoo.errors import InvalidArgumentError
from chaoszoo.forecast import metrics as _m
from chaoszoo.forecast.metrics import MetricUndefined

__all__ = [
    "are_broadcastable", "average_hellinger_distance", "coefficient_of_variation", "compute_metrics", "dtw",
    "estimate_kl_divergence", "hellinger_distance", "horizoned_metric", "kendall", "mae", "mape", "marre",
    "mase", "mse", "mutual_information", "nrmse", "ope", "pearson", "r2_score", "rmse", "rmsle", "smape",
    "spearman", "wape",
]


class MetricArgumentError(InvalidArgumentError, AssertionError):
    """Bad arguments to :func:`compute_metrics` (dysts raised ``AssertionError``; this is both)."""


def _pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    """Broadcast the two arrays and fold every axis but the last into time: ``(T, D)``."""
    try:
        t, p = np.broadcast_arrays(np.asarray(y_true, dtype=np.float64), np.asarray(y_pred, dtype=np.float64))
    except ValueError:
        raise MetricArgumentError(
            f"y_true and y_pred must have broadcastable shapes; got {np.shape(y_true)} and {np.shape(y_pred)}.") from None
    if t.ndim > 2:
        t, p = t.reshape(-1, t.shape[-1]), p.reshape(-1, p.shape[-1])
    return t, p


def _wrap(fn, y_true, y_pred, **kw) -> float:
    t, p = _pair(y_true, y_pred)
    try:
        return float(fn(t, p, **kw))
    except MetricUndefined:
        return float("nan")


def mse(y_true, y_pred) -> float:
    """Mean squared error over all values."""
    return _wrap(_m.mse, y_true, y_pred)


def rmse(x, y) -> float:
    """Root mean squared error."""
    return _wrap(_m.rmse, x, y)


def mae(y_true, y_pred) -> float:
    """Mean absolute error."""
    return _wrap(_m.mae, y_true, y_pred)


def nrmse(y_true, y_pred, eps: float = 1e-10, scale=None) -> float:
    """RMSE with each variable scaled by its standard deviation over ``y_true`` (or by ``scale``)."""
    if scale is None:
        return _wrap(_m.nrmse, y_true, y_pred)
    t, p = _pair(y_true, y_pred)
    sig = np.asarray(scale, dtype=np.float64)
    return float(np.sqrt(np.mean((t - p) ** 2 / sig ** 2)))


def coefficient_of_variation(y_true, y_pred, eps: float = 1e-10) -> float:
    """``100 std(y - yhat) / mean(y)``."""
    return _wrap(_m.coefficient_of_variation, y_true, y_pred)


def marre(y_true, y_pred, eps: float = 1e-10) -> float:
    """``100 mean|y - yhat| / (max y - min y)``."""
    return _wrap(_m.marre, y_true, y_pred)


def ope(y_true, y_pred) -> float:
    """Optimality percentage error ``sum|y - yhat| / sum|y - mean y|`` (the error relative to
    that of the constant mean forecast)."""
    t, p = _pair(y_true, y_pred)
    den = np.sum(np.abs(t - t.mean()))
    return float(np.sum(np.abs(t - p)) / den) if den > 0 else float("nan")


def rmsle(y_true, y_pred, eps: float = 1e-10) -> float:
    """Root mean squared log error, each variable shifted by its minimum first."""
    return _wrap(_m.rmsle, y_true, y_pred)


def r2_score(y_true, y_pred) -> float:
    """Coefficient of determination over all values."""
    return _wrap(_m.r2_score, y_true, y_pred)


def mape(y_true, y_pred, eps: float = 1e-10) -> float:
    """``100 mean|(y - yhat) / y|`` (``nan`` when the target has a zero)."""
    return _wrap(_m.mape, y_true, y_pred)


def wape(y_true, y_pred, eps: float = 1e-10) -> float:
    """``100 sum|y - yhat| / sum|y|``."""
    return _wrap(_m.wape, y_true, y_pred)


def smape(x, y, eps: float = 1e-10, scaled: bool = True) -> float:
    """Symmetric MAPE: ``100 mean(|x - y| / (|x| + |y|))`` (0-100, dysts 0.96's default), or
    twice that with ``scaled=False`` (0-200, the 2021 benchmark's and chaoszoo's scale)."""
    v = _wrap(_m.smape, x, y)
    return v / 2 if scaled else v


def mase(y, yhat, y_train=None, m: int = 1, time_dim: int = -1, eps: float = 1e-10) -> float:
    """Mean absolute scaled error: ``mean|y - yhat|`` over the mean absolute ``m``-step change of
    ``y_train`` (default: ``y`` itself) along ``time_dim``."""
    y = np.asarray(y, dtype=np.float64)
    yhat = np.asarray(yhat, dtype=np.float64)
    tr = y if y_train is None else np.asarray(y_train, dtype=np.float64)
    length = tr.shape[time_dim]
    if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or not 0 < m < length:
        raise MetricArgumentError(f"m (the season) must be an integer in 1..{length - 1}; got {m!r}.")
    season = np.mean(np.abs(np.take(tr, range(m, length), axis=time_dim) - np.take(tr, range(length - m), axis=time_dim)))
    return float(np.mean(np.abs(y - yhat)) / season) if season > 0 else float("nan")


def spearman(y_true, y_pred) -> float:
    """Spearman rank correlation per variable, averaged."""
    return _wrap(_m.spearman, y_true, y_pred)


def pearson(y_true, y_pred) -> float:
    """Pearson correlation per variable, averaged."""
    return _wrap(_m.pearson, y_true, y_pred)


def kendall(y_true, y_pred) -> float:
    """Kendall's tau-b per variable, averaged."""
    return _wrap(_m.kendall, y_true, y_pred)


def mutual_information(y_true, y_pred) -> float:
    """Mutual information (nats) per variable, averaged (Gaussian-copula estimator)."""
    return _wrap(_m.mutual_information, y_true, y_pred)


def horizoned_metric(y_true, y_pred, metric, *args, horizon=None, **kwargs) -> list:
    """``[metric(y_true[:h], y_pred[:h]) for h = 1..horizon]``."""
    horizon = len(y_true) if horizon is None else horizon
    return [metric(y_true[: i + 1], y_pred[: i + 1], *args, **kwargs) for i in range(horizon)]


def dtw(y_true, y_pred) -> tuple[float, np.ndarray, list, list]:
    """Dynamic time warping of two series: ``(cost, accumulated cost matrix, path_true, path_pred)``
    (Euclidean local cost; Sakoe & Chiba 1978)."""
    a = np.asarray(y_true, dtype=np.float64)
    b = np.asarray(y_pred, dtype=np.float64)
    a = a[:, None] if a.ndim == 1 else a
    b = b[:, None] if b.ndim == 1 else b
    local = np.linalg.norm(a[:, None, :] - b[None, :, :], axis=-1)
    n, m = local.shape
    acc = np.full((n + 1, m + 1), np.inf)
    acc[0, 0] = 0.0
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            acc[i, j] = local[i - 1, j - 1] + min(acc[i - 1, j], acc[i, j - 1], acc[i - 1, j - 1])
    D = acc[1:, 1:]
    i, j = n - 1, m - 1
    p, q = [i], [j]
    while i > 0 and j > 0:
        step = int(np.argmin((D[i, j - 1], D[i - 1, j], D[i - 1, j - 1])))
        i, j = (i, j - 1) if step == 0 else (i - 1, j) if step == 1 else (i - 1, j - 1)
        p.insert(0, i)
        q.insert(0, j)
    return float(D[-1, -1]), D, p, q


def estimate_kl_divergence(true_orbit, generated_orbit, n_samples: int = 1000, sigma_scale: float | None = 1.0,
                           seed: int = 0) -> float:
    """Monte Carlo estimate of ``KL(p || q)`` between Gaussian mixtures centred on the two orbits'
    points (Hess et al. 2023, ICML), with bandwidth ``sigma_scale``. ``None``: the bandwidth is the
    median distance from a point of ``true_orbit`` to its 10th nearest neighbour (dysts fitted one
    bandwidth per point)."""
    t = np.asarray(true_orbit, dtype=np.float64)
    g = np.asarray(generated_orbit, dtype=np.float64)
    t = t[:, None] if t.ndim == 1 else t
    g = g[:, None] if g.ndim == 1 else g
    if sigma_scale is None:
        from scipy.spatial import cKDTree

        k = min(10, len(t) - 1)
        dist, _ = cKDTree(t).query(t, k=k + 1)
        sigma_scale = float(np.median(dist[:, -1])) or 1.0
    try:
        return float(_m.kl_divergence(t, g, sigma=float(sigma_scale), n_samples=n_samples, seed=seed))
    except MetricUndefined:
        return float("nan")


def hellinger_distance(p, q, axis: int = 0) -> float:
    """Hellinger distance ``sqrt(1 - sum sqrt(p q))`` between two normalised distributions."""
    p = np.asarray(p, dtype=np.float64)
    q = np.asarray(q, dtype=np.float64)
    if not np.allclose(1.0, [p.sum(), q.sum()]):
        raise MetricArgumentError("p and q must be normalised (each summing to 1).")
    return np.sqrt(np.maximum(0.0, 1 - np.sum(np.sqrt(p * q), axis=axis)))


def average_hellinger_distance(ts_true, ts_gen, num_freq_bins: int = 100) -> float:
    """Hellinger distance between the normalised power spectra (first ``num_freq_bins`` FFT bins)
    of each variable, averaged over variables (Mikhaeil et al. 2022, NeurIPS)."""
    a = np.asarray(ts_true, dtype=np.float64)
    b = np.asarray(ts_gen, dtype=np.float64)
    a = a[:, None] if a.ndim == 1 else a
    b = b[:, None] if b.ndim == 1 else b
    out = []
    for i in range(a.shape[1]):
        pa = (np.abs(np.fft.fft(a[:, i])) ** 2)[:num_freq_bins]
        pb = (np.abs(np.fft.fft(b[:, i])) ** 2)[:num_freq_bins]
        if pa.sum() == 0 or pb.sum() == 0:
            out.append(np.nan)
            continue
        out.append(hellinger_distance(pa / pa.sum(), pb / pb.sum()))
    return float(np.mean(out))


def are_broadcastable(shape1: tuple[int, ...], shape2: tuple[int, ...]) -> bool:
    """Whether arrays of the two shapes broadcast together."""
    return all(a == b or a == 1 or b == 1 for a, b in zip(shape1[::-1], shape2[::-1]))


#: the metrics of :func:`compute_metrics`, under dysts's names
METRIC_FUNCTIONS = {
    "mse": mse, "mae": mae, "rmse": rmse, "nrmse": nrmse, "marre": marre, "r2_score": r2_score,
    "rmsle": rmsle, "smape": smape, "mape": mape, "wape": wape, "spearman": spearman, "pearson": pearson,
    "kendall": kendall, "coefficient_of_variation": coefficient_of_variation,
    "mutual_information": mutual_information, "kl_divergence": estimate_kl_divergence,
    "hellinger_distance": average_hellinger_distance,
}


def compute_metrics(y_true, y_pred, verbose: bool = False, include: list[str] | None = None,
                    batch_axis: int | None = None) -> dict[str, float]:
    """Several metrics at once, averaged over ``batch_axis`` (default: no batch axis).

    Arguments:
        y_true, y_pred: arrays of broadcastable shapes, ``(T, D)`` per batch member.
        verbose: print each value.
        include: metric names (default: all of :data:`METRIC_FUNCTIONS`).
        batch_axis: the axis of independent forecasts; each metric is the mean over it.

    Raises:
        MetricArgumentError (an ``InvalidArgumentError`` and an ``AssertionError``, as dysts
        raised): unknown metric names, batch sizes that differ, shapes that do not broadcast.
    """
    y_true = np.asarray(y_true, dtype=np.float64)
    y_pred = np.asarray(y_pred, dtype=np.float64)
    if batch_axis is None:
        batch_axis, y_true, y_pred = 0, y_true[None], y_pred[None]
    if y_true.shape[batch_axis] != y_pred.shape[batch_axis]:
        raise MetricArgumentError(f"batch axis {batch_axis} has {y_true.shape[batch_axis]} members in y_true "
                                  f"but {y_pred.shape[batch_axis]} in y_pred.")
    if not are_broadcastable(y_true.shape, y_pred.shape):
        raise MetricArgumentError(f"y_true and y_pred must have broadcastable shapes; got {y_true.shape} and {y_pred.shape}.")
    names = list(METRIC_FUNCTIONS) if include is None else list(include)
    unknown = [n for n in names if n not in METRIC_FUNCTIONS]
    if unknown:
        raise MetricArgumentError(f"Unknown metric(s) {unknown}; choose from {list(METRIC_FUNCTIONS)}.")
    B = y_true.shape[batch_axis]
    out = {}
    for name in names:
        fn = METRIC_FUNCTIONS[name]
        vals = [fn(np.take(y_true, i, axis=batch_axis), np.take(y_pred, i, axis=batch_axis)) for i in range(B)]
        out[name] = float(np.mean(vals))
    if verbose:
        for key, value in out.items():
            print(f"{key}: {value:.4f}")
    return out
