"""Input checks shared by the data-driven estimators (plain NumPy arrays in, clear errors out)."""

from __future__ import annotations

import math
import operator

import numpy as np

from chaoszoo.engine.grid import positive_float as pos_float  # noqa: F401 (re-exported)
from chaoszoo.errors import InvalidArgumentError


def series(x, name: str = "x", min_length: int = 10, allow_2d: bool = True) -> np.ndarray:
    """A finite, non-constant float array of shape ``(n,)`` or ``(n, d)``."""
    try:
        arr = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"{name} must be a numeric array; got {type(x).__name__}.") from None
    if arr.ndim == 2 and arr.shape[1] == 1:
        arr = arr[:, 0]
    if arr.ndim not in ((1, 2) if allow_2d else (1,)):
        shape_hint = "(n,) or (n, d)" if allow_2d else "(n,) (one variable)"
        raise InvalidArgumentError(f"{name} must have shape {shape_hint}; got shape {arr.shape}.")
    if arr.shape[0] == 0:
        raise InvalidArgumentError(f"{name} is empty.")
    if not np.isfinite(arr).all():
        bad = int((~np.isfinite(arr)).reshape(len(arr), -1).any(axis=1).sum())
        raise InvalidArgumentError(f"{name} contains {bad} sample(s) with NaN or infinity; remove or interpolate them first.")
    if arr.shape[0] < min_length:
        raise InvalidArgumentError(f"{name} has {arr.shape[0]} samples; this estimator needs at least {min_length}.")
    spread = np.ptp(arr, axis=0)
    if np.all(spread == 0):
        raise InvalidArgumentError(f"{name} is constant; the estimate is undefined for a constant series.")
    return arr


def pos_int(value, name: str, minimum: int = 1) -> int:
    try:
        v = operator.index(value)
    except TypeError:
        if isinstance(value, float) and value.is_integer():
            v = int(value)
        else:
            raise InvalidArgumentError(f"{name} must be an integer >= {minimum}; got {value!r}.") from None
    if v < minimum:
        raise InvalidArgumentError(f"{name} must be an integer >= {minimum}; got {value!r}.")
    return v


def seed_ok(seed):
    if seed is not None and not (isinstance(seed, (int, np.integer)) and seed >= 0):
        raise InvalidArgumentError(f"seed must be a non-negative integer or None; got {seed!r}.")
    return seed
