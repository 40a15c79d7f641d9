"""Input checks and the "undefined metric" signal shared by every metric module."""

from __future__ import annotations

import difflib

import numpy as np

from chaoszoo.errors import InvalidArgumentError


class MetricUndefined(InvalidArgumentError):
    """A metric has no value for this input (a constant forecast for a correlation, ...).

    ``reason`` is the short text that :func:`chaoszoo.forecast.metrics.compute` stores in
    ``Scores.missing``; the metric is then ``None``, never a number that looks valid.
    """

    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def as_pair(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    """Two float64 arrays of the same shape ``(H, d)`` (1-D input is read as ``(H, 1)``).

    ``y_true`` must be finite (it comes from the benchmark's data); a non-finite ``y_pred``
    is a property of the forecast, reported by the caller as a missing metric.
    """
    t = _as_2d(y_true, "y_true")
    p = _as_2d(y_pred, "y_pred")
    if t.shape != p.shape:
        raise InvalidArgumentError(
            f"y_true and y_pred must have the same shape; got {t.shape} and {p.shape}. "
            "A forecast has one row per step and one column per variable."
        )
    if not np.isfinite(t).all():
        raise InvalidArgumentError("y_true contains NaN or infinity; the target of a forecast must be finite.")
    return t, p


def _as_2d(x, name: str) -> np.ndarray:
    try:
        a = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"{name} must be a numeric array; got {type(x).__name__}.") from None
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2 or a.shape[0] < 1 or a.shape[1] < 1:
        raise InvalidArgumentError(f"{name} must have shape (H, d) or (H,); got shape {np.shape(x)}.")
    return a


def as_batch(y_true, y_pred) -> tuple[np.ndarray, np.ndarray]:
    """Two float64 arrays of the same shape ``(B, H, d)`` (``(B, H)`` is read as ``(B, H, 1)``)."""
    t = np.asarray(y_true, dtype=np.float64)
    p = np.asarray(y_pred, dtype=np.float64)
    if t.ndim == 2:
        t = t[:, :, None]
    if p.ndim == 2:
        p = p[:, :, None]
    if t.ndim != 3 or t.shape != p.shape or min(t.shape) < 1:
        raise InvalidArgumentError(
            f"y_true and y_pred must both have shape (B, H, d); got {np.shape(y_true)} and {np.shape(y_pred)}."
        )
    if not np.isfinite(t).all():
        raise InvalidArgumentError("y_true contains NaN or infinity; the target of a forecast must be finite.")
    return t, p


def as_train(y_train, d: int, batch: int | None = None) -> np.ndarray | None:
    """The history as ``(n, d)`` (or ``(B, n, d)`` in a batch), finite, or ``None``."""
    if y_train is None:
        return None
    a = np.asarray(y_train, dtype=np.float64)
    if batch is None:
        if a.ndim == 1:
            a = a[:, None]
        ok = a.ndim == 2 and a.shape[1] == d and a.shape[0] >= 2
    else:
        if a.ndim == 2 and a.shape[1] == d:
            a = np.broadcast_to(a, (batch,) + a.shape)
        elif a.ndim == 2 and d == 1:
            a = a[:, :, None]
        ok = a.ndim == 3 and a.shape[0] == batch and a.shape[2] == d and a.shape[1] >= 2
    if not ok:
        want = f"(n, {d})" if batch is None else f"(n, {d}) or ({batch}, n, {d})"
        raise InvalidArgumentError(f"y_train must have shape {want} with n >= 2; got {np.shape(y_train)}.")
    if not np.isfinite(a).all():
        raise InvalidArgumentError("y_train contains NaN or infinity; the history must be finite.")
    return a


def positive_or_none(value, name: str):
    """A positive finite float, or ``None``."""
    if value is None:
        return None
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"{name} must be a positive number or None; got {value!r}.") from None
    if not np.isfinite(v) or v <= 0:
        raise InvalidArgumentError(f"{name} must be a positive finite number or None; got {value!r}.")
    return v


def check_names(names, known: tuple[str, ...]) -> tuple[str, ...]:
    """Validate metric names (unknown names raise with close suggestions); keep the given order."""
    if isinstance(names, str):
        names = (names,)
    out = []
    for n in names:
        if n not in known:
            close = difflib.get_close_matches(str(n), known, n=3, cutoff=0.5)
            hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
            raise InvalidArgumentError(
                f"Unknown metric {n!r}.{hint} Known metrics: {', '.join(known)}."
            )
        if n not in out:
            out.append(n)
    return tuple(out)
