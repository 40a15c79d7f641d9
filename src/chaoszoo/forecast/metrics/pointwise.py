"""Pointwise forecast metrics and valid prediction time, vectorised over a batch of forecasts.

Every metric is written once, as a kernel over a batch ``(B, H, d)`` of targets and forecasts;
the public single-forecast functions (``smape(y_true, y_pred)``, ...) run the same kernel on a
batch of one, so :func:`~chaoszoo.forecast.metrics.compute` and
:func:`~chaoszoo.forecast.metrics.compute_batch` agree by construction.

Conventions (so that tables compare with the published ones): a forecast ``(H, d)`` is scored
over all its values at once ("flattened", as ``dysts.metrics`` does), except where a
statistic is per variable (``nrmse``'s scale, the correlations, averaged over variables).
Names follow ``dysts.metrics`` (used by Gilpin 2021, 2023) and darts (used by the 2021
benchmark). Differences from dysts 0.96 are deliberate and stated in each docstring: no
``eps`` added to denominators (an undefined value is reported missing, not made finite),
``smape`` on the 0-200 scale of the 2021 and 2023 papers (dysts 0.96 halves it, 0-100).

A kernel returns ``(values (B,), reasons)`` where ``reasons`` is a list of
``(mask (B,), text)``: rows where the metric is undefined, and why.
"""

from __future__ import annotations

import numpy as np

from chaoszoo.forecast.metrics import _ranks
from chaoszoo.forecast.metrics._arrays import MetricUndefined, as_pair, as_train, positive_or_none

#: the pointwise metrics, in table order
POINTWISE = (
    "mse", "mae", "rmse", "nrmse", "smape", "mape", "wape", "marre", "mase", "rmsle", "r2_score",
    "spearman", "pearson", "kendall", "coefficient_of_variation", "mutual_information",
)
#: valid prediction times (in Lyapunov times)
VPT = ("vpt_smape", "vpt_nrmse")

VPT_SMAPE_THRESHOLD = 30.0
VPT_NRMSE_THRESHOLD = 0.5

_CONST_T = "constant target variable: {what} undefined"
_CONST_P = "constant forecast variable: {what} undefined"


class Batch:
    """A batch of finite targets and forecasts with the intermediate arrays the kernels share."""

    def __init__(self, yt: np.ndarray, yp: np.ndarray, y_train: np.ndarray | None = None):
        self.yt, self.yp, self.y_train = yt, yp, y_train
        self.B, self.H, self.d = yt.shape
        self._cache: dict = {}

    def _get(self, key, fn):
        if key not in self._cache:
            self._cache[key] = fn()
        return self._cache[key]

    @property
    def e(self):
        return self._get("e", lambda: self.yp - self.yt)

    @property
    def abs_e(self):
        return self._get("abs_e", lambda: np.abs(self.e))

    @property
    def e2(self):
        return self._get("e2", lambda: np.square(self.e))

    @property
    def smape_terms(self):
        """``|e| / (|y| + |yhat|)``, with ``0 / 0 = 0`` (both zero: a perfect forecast)."""
        def f():
            den = np.abs(self.yt) + np.abs(self.yp)
            with np.errstate(invalid="ignore", divide="ignore"):
                r = self.abs_e / den
            r[den == 0] = 0.0
            return r
        return self._get("smape_terms", f)

    def rows(self, which: str) -> np.ndarray:
        """Variables as rows: ``(B * d, H)``."""
        a = self.yt if which == "t" else self.yp
        return self._get(("rows", which), lambda: np.ascontiguousarray(a.transpose(0, 2, 1)).reshape(-1, self.H))

    def const(self, which: str) -> np.ndarray:
        """``(B,)``: some variable is constant over the horizon."""
        def f():
            r = self.rows(which)
            return (r.max(axis=1) == r.min(axis=1)).reshape(self.B, self.d).any(axis=1)
        return self._get(("const", which), f)

    def ranks(self, which: str):
        return self._get(("ranks", which), lambda: _ranks.ranks(self.rows(which)))

    def per_var(self, v: np.ndarray) -> np.ndarray:
        """Mean over variables of a per-row ``(B * d,)`` statistic."""
        return v.reshape(self.B, self.d).mean(axis=1)


def _pearson_rows(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    xc = x - x.mean(axis=1, keepdims=True)
    yc = y - y.mean(axis=1, keepdims=True)
    den = np.sqrt(np.einsum("ij,ij->i", xc, xc) * np.einsum("ij,ij->i", yc, yc))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.einsum("ij,ij->i", xc, yc) / den
    return np.clip(r, -1.0, 1.0)


def _corr_reasons(b: Batch, what: str):
    return [(b.const("t"), _CONST_T.format(what=what)), (b.const("p"), _CONST_P.format(what=what))]


# --------------------------------------------------------------------------- kernels
def _mse(b):
    return b.e2.mean(axis=(1, 2)), []


def _mae(b):
    return b.abs_e.mean(axis=(1, 2)), []


def _rmse(b):
    return np.sqrt(b.e2.mean(axis=(1, 2))), []


def _nrmse(b):
    sd = b.yt.std(axis=1)  # (B, d)
    bad = (sd == 0).any(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        v = np.sqrt((b.e2 / np.square(sd)[:, None, :]).mean(axis=(1, 2)))
    return v, [(bad, "constant target variable: nrmse undefined (zero standard deviation)")]


def _smape(b):
    return 200.0 * b.smape_terms.mean(axis=(1, 2)), []


def _mape(b):
    zero = (b.yt == 0).any(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        v = 100.0 * (b.abs_e / np.abs(b.yt)).mean(axis=(1, 2))
    return v, [(zero, "target contains zeros: mape undefined")]


def _wape(b):
    den = np.abs(b.yt).sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        v = 100.0 * b.abs_e.sum(axis=(1, 2)) / den
    return v, [(den == 0, "target is identically zero: wape undefined")]


def _marre(b):
    rng = b.yt.max(axis=(1, 2)) - b.yt.min(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        v = 100.0 * b.abs_e.mean(axis=(1, 2)) / rng
    return v, [(rng == 0, "constant target: marre undefined (zero range)")]


def _mase(b):
    if b.y_train is None:
        return np.full(b.B, np.nan), [(np.ones(b.B, bool), "needs y_train (the history) for its scale")]
    scale = np.abs(np.diff(b.y_train, axis=1)).mean(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        v = b.abs_e.mean(axis=(1, 2)) / scale
    return v, [(scale == 0, "constant history: mase scale (naive-forecast error) is zero")]


def _rmsle(b):
    lt = np.log1p(b.yt - b.yt.min(axis=1, keepdims=True))
    lp = np.log1p(b.yp - b.yp.min(axis=1, keepdims=True))
    return np.sqrt(np.square(lp - lt).mean(axis=(1, 2))), []


def _r2(b):
    ss_res = b.e2.sum(axis=(1, 2))
    ss_tot = np.square(b.yt - b.yt.mean(axis=(1, 2), keepdims=True)).sum(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        v = 1.0 - ss_res / ss_tot
    return v, [(ss_tot == 0, "constant target: r2_score undefined")]


def _pearson(b):
    return b.per_var(_pearson_rows(b.rows("t"), b.rows("p"))), _corr_reasons(b, "correlation")


def _spearman(b):
    return b.per_var(_pearson_rows(b.ranks("t")[0], b.ranks("p")[0])), _corr_reasons(b, "correlation")


def _kendall(b):
    tau = _ranks.kendall_tau_b(b.rows("t"), b.rows("p"), b.ranks("t"), b.ranks("p"))
    return b.per_var(tau), _corr_reasons(b, "correlation")


def _cv(b):
    m = b.yt.mean(axis=(1, 2))
    with np.errstate(invalid="ignore", divide="ignore"):
        v = 100.0 * b.e.std(axis=(1, 2)) / m
    return v, [(m == 0, "target has zero mean: coefficient_of_variation undefined")]


def _mutual_information(b):
    from scipy.special import ndtri

    # average ranks are multiples of 1/2: the normal scores are a table lookup
    H = b.H
    table = ndtri(np.arange(2, 2 * H + 1) / (2.0 * (H + 1)))  # rank r -> table[2 r - 2]
    zt = table[(2.0 * b.ranks("t")[0]).astype(np.intp) - 2]
    zp = table[(2.0 * b.ranks("p")[0]).astype(np.intp) - 2]
    r = _pearson_rows(zt, zp)
    one_minus = (1.0 - r * r).reshape(b.B, b.d)
    degenerate = (one_minus < 1e-12).any(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        v = (-0.5 * np.log(one_minus)).mean(axis=1)
    return v, _corr_reasons(b, "mutual information") + [
        (degenerate, "forecast ranks equal (or reverse) the target's in some variable: "
                     "the Gaussian-copula mutual information is unbounded")]


def vpt_steps_smape(b: Batch, threshold: float = VPT_SMAPE_THRESHOLD) -> np.ndarray:
    """Steps before the cumulative sMAPE first exceeds ``threshold`` (``H`` if it never does)."""
    per_step = 200.0 * b.smape_terms.mean(axis=2)  # (B, H)
    cum = np.cumsum(per_step, axis=1) / np.arange(1, b.H + 1)
    return _first_exceed(cum > threshold)


def vpt_steps_nrmse(b: Batch, threshold: float = VPT_NRMSE_THRESHOLD):
    """Steps before the instantaneous normalised RMSE first exceeds ``threshold``; and the rows
    whose scale is zero. The scale is each variable's standard deviation over the history
    when one is given (the attractor's spread, as Vlachas et al. 2020), else over the target."""
    ref = b.y_train if b.y_train is not None else b.yt
    var = ref.var(axis=1)  # (B, d)
    bad = (var == 0).any(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        err = np.sqrt((b.e2 / var[:, None, :]).mean(axis=2))  # (B, H)
    return _first_exceed(err > threshold), bad


def _first_exceed(mask: np.ndarray) -> np.ndarray:
    any_ = mask.any(axis=1)
    return np.where(any_, np.argmax(mask, axis=1), mask.shape[1]).astype(np.float64)


KERNELS = {
    "mse": _mse, "mae": _mae, "rmse": _rmse, "nrmse": _nrmse, "smape": _smape, "mape": _mape,
    "wape": _wape, "marre": _marre, "mase": _mase, "rmsle": _rmsle, "r2_score": _r2,
    "spearman": _spearman, "pearson": _pearson, "kendall": _kendall,
    "coefficient_of_variation": _cv, "mutual_information": _mutual_information,
}


def evaluate(names, yt, yp, y_train=None, lyapunov_steps=None):
    """Every metric of ``names`` (pointwise or VPT) on a batch.

    ``lyapunov_steps``: ``None``, a float, or one value per forecast ``(B,)`` (NaN: none).
    Returns ``{name: (values (B,) with NaN where missing, reasons: list of str or None per row)}``.
    Forecast rows with non-finite values are missing with reason "non-finite forecast".
    """
    B = yt.shape[0]
    finite = np.isfinite(yp).all(axis=(1, 2))
    if not finite.all():
        yp = np.where(finite[:, None, None], yp, 0.0)
    b = Batch(yt, yp, y_train)
    if lyapunov_steps is None:
        lyap = np.full(B, np.nan)
    else:
        lyap = np.broadcast_to(np.asarray(lyapunov_steps, dtype=np.float64), (B,))
    out = {}
    for name in names:
        reasons = [(~finite, "non-finite forecast (NaN or infinity)")]
        if name in KERNELS:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # checked below
                v, extra = KERNELS[name](b)
            reasons += extra
        elif name == "vpt_smape":
            v = vpt_steps_smape(b) / lyap
            reasons.append((~np.isfinite(lyap), "no Lyapunov time (lyapunov_steps is None): VPT is in Lyapunov times"))
        elif name == "vpt_nrmse":
            steps, bad = vpt_steps_nrmse(b)
            v = steps / lyap
            reasons += [(bad, "constant variable in the scale: normalised RMSE undefined"),
                        (~np.isfinite(lyap), "no Lyapunov time (lyapunov_steps is None): VPT is in Lyapunov times")]
        else:  # pragma: no cover - names are validated by the caller
            raise KeyError(name)
        v = np.array(v, dtype=np.float64)
        why: list = [None] * B
        for mask, text in reasons:
            for i in np.flatnonzero(mask):
                if why[i] is None:
                    why[i] = text
        overflow = ~np.isfinite(v)
        for i in np.flatnonzero(overflow):
            if why[i] is None:
                why[i] = "non-finite value (the forecast's magnitude overflows float64)"
        v[[w is not None for w in why]] = np.nan
        out[name] = (v, why)
    return out


# --------------------------------------------------------------------------- public, one forecast
def _single(name, y_true, y_pred, y_train=None, lyapunov_steps=None) -> float:
    t, p = as_pair(y_true, y_pred)
    tr = as_train(y_train, t.shape[1])
    v, why = evaluate((name,), t[None], p[None], None if tr is None else tr[None], lyapunov_steps)[name]
    if why[0] is not None:
        raise MetricUndefined(why[0])
    return float(v[0])


def mse(y_true, y_pred) -> float:
    """Mean squared error ``mean((yhat - y)^2)`` over all steps and variables.

    Reference: ``mse`` of dysts.metrics and darts.metrics; equals ``sklearn.metrics.mean_squared_error``
    on the flattened arrays.
    """
    return _single("mse", y_true, y_pred)


def mae(y_true, y_pred) -> float:
    """Mean absolute error ``mean|yhat - y|`` (dysts, darts; ``sklearn.metrics.mean_absolute_error``)."""
    return _single("mae", y_true, y_pred)


def rmse(y_true, y_pred) -> float:
    """Root mean squared error ``sqrt(mean((yhat - y)^2))`` (dysts, darts)."""
    return _single("rmse", y_true, y_pred)


def nrmse(y_true, y_pred) -> float:
    """Normalised RMSE ``sqrt(mean_{t,i} (yhat_ti - y_ti)^2 / sigma_i^2)``, ``sigma_i`` the standard
    deviation of target variable ``i`` over the horizon (dysts.metrics.nrmse, without its eps).
    Undefined for a constant target variable."""
    return _single("nrmse", y_true, y_pred)


def smape(y_true, y_pred) -> float:
    """Symmetric mean absolute percentage error on the 0-200 scale:
    ``200 mean(|yhat - y| / (|y| + |yhat|))``, a term with ``y = yhat = 0`` counting 0.

    This is the scale of Gilpin (2021, NeurIPS Datasets and Benchmarks) and Gilpin (2023, Phys.
    Rev. Research) and of darts. The dysts package halved it in 2025 (``smape(..., scaled=True)``,
    0-100, the default of dysts 0.96): divide ours by 2 to compare with those numbers.
    """
    return _single("smape", y_true, y_pred)


def mape(y_true, y_pred) -> float:
    """Mean absolute percentage error ``100 mean(|yhat - y| / |y|)`` (darts; sklearn's
    ``mean_absolute_percentage_error`` times 100). Undefined when the target has a zero."""
    return _single("mape", y_true, y_pred)


def wape(y_true, y_pred) -> float:
    """Weighted absolute percentage error ``100 sum|yhat - y| / sum|y|`` (dysts.metrics.wape)."""
    return _single("wape", y_true, y_pred)


def marre(y_true, y_pred) -> float:
    """Mean absolute ranged relative error ``100 mean|yhat - y| / (max y - min y)``, the range
    taken over all values of the target (dysts.metrics.marre; darts for one variable)."""
    return _single("marre", y_true, y_pred)


def mase(y_true, y_pred, y_train) -> float:
    """Mean absolute scaled error ``mean|yhat - y| / mean|x_{t+1} - x_t|``, the scale being the
    in-sample error of the naive (last value) forecast on the history ``y_train``
    (Hyndman & Koehler 2006; darts and dysts with season ``m = 1``)."""
    return _single("mase", y_true, y_pred, y_train=y_train)


def rmsle(y_true, y_pred) -> float:
    """Root mean squared log error ``sqrt(mean((log(1 + yhat') - log(1 + y'))^2))`` where each
    variable of each series is first shifted by its own minimum over the horizon (``y' = y - min y``),
    as dysts.metrics.rmsle does so that chaotic variables of either sign are accepted."""
    return _single("rmsle", y_true, y_pred)


def r2_score(y_true, y_pred) -> float:
    """Coefficient of determination ``1 - sum (y - yhat)^2 / sum (y - mean y)^2`` over all values
    (dysts.metrics.r2_score; for one variable equal to ``sklearn.metrics.r2_score``)."""
    return _single("r2_score", y_true, y_pred)


def spearman(y_true, y_pred) -> float:
    """Spearman rank correlation per variable (ties: average ranks), averaged over variables
    (dysts.metrics.spearman; equals ``scipy.stats.spearmanr`` per variable)."""
    return _single("spearman", y_true, y_pred)


def pearson(y_true, y_pred) -> float:
    """Pearson correlation per variable, averaged over variables (dysts.metrics.pearson, whose
    one-variable branch returns Spearman's coefficient by mistake; ours is Pearson's throughout)."""
    return _single("pearson", y_true, y_pred)


def kendall(y_true, y_pred) -> float:
    """Kendall's tau-b per variable, averaged over variables (dysts.metrics.kendall; equals
    ``scipy.stats.kendalltau``)."""
    return _single("kendall", y_true, y_pred)


def coefficient_of_variation(y_true, y_pred) -> float:
    """``100 std(yhat - y) / mean(y)`` over all values (dysts.metrics.coefficient_of_variation;
    darts uses the RMSE instead of the standard deviation of the error). Undefined for a
    zero-mean target; signed, as published."""
    return _single("coefficient_of_variation", y_true, y_pred)


def mutual_information(y_true, y_pred, *, method: str = "copula", seed: int = 0) -> float:
    """Mutual information (nats) between target and forecast per variable, averaged over variables.

    ``method="copula"`` (the one :func:`~chaoszoo.forecast.metrics.compute` uses): the
    Gaussian-copula estimator (Ince et al. 2017, Hum. Brain Mapp. 38:1541),
    ``I = -0.5 log(1 - r^2)``, ``r`` the Pearson correlation of the normal scores
    ``Phi^{-1}(rank / (H + 1))``. Deterministic, rank-based (invariant to monotone transforms)
    and vectorised over thousands of forecasts; exact for Gaussian dependence, a lower bound
    otherwise. Undefined when the ranks of a variable coincide (the information is unbounded).

    ``method="ksg"``: scikit-learn's ``mutual_info_regression`` (the k-nearest-neighbour
    estimator of Kraskov, Stoegbauer & Grassberger 2004, k = 3), which is what dysts.metrics
    calls, seeded with ``seed`` (it adds a small random jitter). Use it to reproduce numbers
    computed with dysts; the two estimators are not numerically interchangeable.
    """
    if method == "copula":
        return _single("mutual_information", y_true, y_pred)
    if method != "ksg":
        from chaoszoo.errors import InvalidArgumentError

        raise InvalidArgumentError(f"method must be 'copula' or 'ksg'; got {method!r}.")
    t, p = as_pair(y_true, y_pred)
    if not np.isfinite(p).all():
        raise MetricUndefined("non-finite forecast (NaN or infinity)")
    b = Batch(t[None], p[None])
    for mask, text in _corr_reasons(b, "mutual information"):
        if mask[0]:
            raise MetricUndefined(text)
    from sklearn.feature_selection import mutual_info_regression

    return float(np.mean([mutual_info_regression(t[:, [i]], p[:, i], random_state=seed)[0]
                          for i in range(t.shape[1])]))


def vpt_smape(y_true, y_pred, lyapunov_steps=None, threshold: float = VPT_SMAPE_THRESHOLD) -> float:
    """Valid prediction time: the number of steps before the cumulative sMAPE
    ``200 / (k + 1) sum_{j <= k} mean_i |e_ji| / (|y_ji| + |yhat_ji|)`` first exceeds ``threshold``
    (30, as Zhang & Gilpin 2025, ICLR), divided by ``lyapunov_steps`` (samples per Lyapunov time)
    when given. A forecast that never exceeds it scores the whole horizon (a lower bound)."""
    t, p = as_pair(y_true, y_pred)
    if not np.isfinite(p).all():
        raise MetricUndefined("non-finite forecast (NaN or infinity)")
    steps = vpt_steps_smape(Batch(t[None], p[None]), float(threshold))[0]
    ls = positive_or_none(lyapunov_steps, "lyapunov_steps")
    return float(steps if ls is None else steps / ls)


def vpt_nrmse(y_true, y_pred, lyapunov_steps=None, threshold: float = VPT_NRMSE_THRESHOLD, y_train=None) -> float:
    """Valid prediction time by the normalised error (Pathak et al. 2018; Vlachas et al. 2020):
    steps before ``sqrt(mean_i (yhat_ti - y_ti)^2 / sigma_i^2)`` first exceeds ``threshold`` (0.5),
    ``sigma_i`` the standard deviation of variable ``i`` over ``y_train`` (else over the target),
    divided by ``lyapunov_steps`` when given."""
    t, p = as_pair(y_true, y_pred)
    if not np.isfinite(p).all():
        raise MetricUndefined("non-finite forecast (NaN or infinity)")
    tr = as_train(y_train, t.shape[1])
    steps, bad = vpt_steps_nrmse(Batch(t[None], p[None], None if tr is None else tr[None]), float(threshold))
    if bad[0]:
        raise MetricUndefined("constant variable in the scale: normalised RMSE undefined")
    ls = positive_or_none(lyapunov_steps, "lyapunov_steps")
    return float(steps[0] if ls is None else steps[0] / ls)
