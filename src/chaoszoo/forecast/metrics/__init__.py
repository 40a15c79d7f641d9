"""Forecast metrics of the benchmark: pointwise errors, valid prediction time, attractor-level distances.

>>> from chaoszoo.forecast.metrics import compute, compute_batch, horizon_curve
>>> scores = compute(y_true, y_pred, y_train=history, lyapunov_steps=30, dt=0.01)   # doctest: +SKIP
>>> scores.values["smape"], scores.missing                                             # doctest: +SKIP

Every metric is also a pure function of ``(y_true, y_pred)`` with its formula and reference in
its docstring (:mod:`.pointwise`, :mod:`.attractor`); one that cannot be computed raises
:class:`MetricUndefined`, which :func:`compute` records as missing with the reason. The
catalogue with one-line meanings is in ``docs/metrics.md``.
"""

from chaoszoo.forecast.metrics._arrays import MetricUndefined
from chaoszoo.forecast.metrics.attractor import (
    ATTRACTOR, dimension_error, hellinger_spectrum, kl_divergence, lyapunov_error, spectral_divergence,
    spectral_residual,
)
from chaoszoo.forecast.metrics.compute import METRICS, Scores, compute, compute_batch
from chaoszoo.forecast.metrics.horizon import horizon_curve
from chaoszoo.forecast.metrics.longterm import LONGTERM, d_h, d_stsp
from chaoszoo.forecast.metrics.pointwise import (
    POINTWISE, VPT, coefficient_of_variation, kendall, mae, mape, marre, mase, mse, mutual_information,
    nrmse, pearson, r2_score, rmse, rmsle, smape, spearman, vpt_nrmse, vpt_smape, wape,
)

__all__ = [
    "ATTRACTOR", "LONGTERM", "METRICS", "MetricUndefined", "POINTWISE", "Scores", "VPT", "coefficient_of_variation",
    "compute", "compute_batch", "d_h", "d_stsp", "dimension_error", "hellinger_spectrum", "horizon_curve", "kendall",
    "kl_divergence", "lyapunov_error", "mae", "mape", "marre", "mase", "mse", "mutual_information", "nrmse",
    "pearson", "r2_score", "rmse", "rmsle", "smape", "spearman", "spectral_divergence", "spectral_residual",
    "vpt_nrmse", "vpt_smape", "wape",
]
