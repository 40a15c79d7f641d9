"""Sampling grids: which times a trajectory is reported at."""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass

import numpy as np

from chaoszoo.errors import InvalidArgumentError

#: Default sampling of flows and delay equations: 100 samples per dominant period (what dysts
#: and chaoszoo's command line use). The declarations' ``dt`` is far finer for many systems
#: (Lorenz: a fifth of a period in 1,000 samples), so it is not the default.
DEFAULT_PTS_PER_PERIOD = 100


@dataclass(frozen=True)
class TimeGrid:
    """``n`` samples ``t_k = t0 + k * dt`` (``k = 0..n-1``); for maps ``dt`` is 1 iteration."""

    n: int
    dt: float
    t0: float = 0.0

    def times(self) -> np.ndarray:
        return self.t0 + np.arange(self.n, dtype=np.float64) * self.dt

    @property
    def t_end(self) -> float:
        return self.t0 + (self.n - 1) * self.dt


def positive_int(value, name: str) -> int:
    if isinstance(value, (bool, np.bool_)):
        raise InvalidArgumentError(f"{name} must be a positive integer; got {value!r} (a boolean).")
    try:
        v = operator.index(value)
    except TypeError:
        if isinstance(value, float) and value.is_integer():
            v = int(value)
        else:
            raise InvalidArgumentError(f"{name} must be a positive integer; got {value!r}.") from None
    if v <= 0:
        raise InvalidArgumentError(f"{name} must be a positive integer; got {value!r}.")
    return v


def positive_float(value, name: str) -> float:
    if isinstance(value, (bool, np.bool_, str, bytes)):
        raise InvalidArgumentError(f"{name} must be a positive number; got {value!r}.")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"{name} must be a positive number; got {value!r}.") from None
    if not (math.isfinite(v) and v > 0):
        raise InvalidArgumentError(f"{name} must be a positive, finite number; got {value!r}.")
    return v


def resolve_grid(n, *, kind: str, period: float, default_dt: float | None = None, pts_per_period=None,
                 dt=None, t_end=None, transient=0, pts_per_lyapunov_time=None,
                 max_lyapunov=None) -> tuple[TimeGrid, int]:
    """Resolve the user's grid options to a :class:`TimeGrid` and a transient length.

    Exactly one of ``pts_per_period`` (``dt = period / pts_per_period``), ``dt`` or
    ``t_end`` (``dt = t_end / (n - 1)``) may be given; with none, the step is ``default_dt``
    if given, else ``period / DEFAULT_PTS_PER_PERIOD`` (100 samples per period). A fourth
    option, ``pts_per_lyapunov_time``, gives ``dt = (1 / max_lyapunov) / pts_per_lyapunov_time`` with the system's recorded largest exponent ``max_lyapunov``.
    Maps always step by one iteration (``pts_per_period``, ``dt`` and
    ``t_end`` are rejected for them). ``transient`` samples are integrated first and
    discarded, so the returned grid starts at ``transient * dt``.
    """
    n = positive_int(n, "n")
    given = {k: v for k, v in dict(pts_per_period=pts_per_period, dt=dt, t_end=t_end,
                                   pts_per_lyapunov_time=pts_per_lyapunov_time).items() if v is not None}
    if len(given) > 1:
        raise InvalidArgumentError(
            f"Give at most one of pts_per_period, dt, t_end and pts_per_lyapunov_time; got {', '.join(sorted(given))}."
        )
    try:
        if isinstance(transient, (bool, np.bool_)):
            raise TypeError
        transient = operator.index(transient)
    except TypeError:
        raise InvalidArgumentError(f"transient must be a non-negative integer (a number of samples); got {transient!r}.") from None
    if transient < 0:
        raise InvalidArgumentError(f"transient must be a non-negative integer (a number of samples); got {transient!r}.")
    if kind == "map":
        if given:
            raise InvalidArgumentError(
                f"Maps are sampled once per iteration; {', '.join(sorted(given))} does not apply to a map."
            )
        step = 1.0
    elif pts_per_period is not None:
        step = period / positive_int(pts_per_period, "pts_per_period")
    elif pts_per_lyapunov_time is not None:
        pts = positive_int(pts_per_lyapunov_time, "pts_per_lyapunov_time")
        if max_lyapunov is None or not max_lyapunov > 0:
            raise InvalidArgumentError(
                "pts_per_lyapunov_time needs a positive recorded largest Lyapunov exponent; "
                + ("this system has none recorded (run `chaoszoo annotate`)" if max_lyapunov is None
                   else f"this system's is {max_lyapunov:.4g}, so it has no Lyapunov time")
                + ". Use pts_per_period or dt instead.")
        step = 1.0 / float(max_lyapunov) / pts
    elif dt is not None:
        step = positive_float(dt, "dt")
    elif t_end is not None:
        t_end = positive_float(t_end, "t_end")
        if n < 2:
            raise InvalidArgumentError("t_end needs n >= 2 samples (the grid spans [0, t_end]).")
        step = t_end / (n - 1)
    elif default_dt is not None:
        step = positive_float(default_dt, "default_dt")
    else:
        step = period / DEFAULT_PTS_PER_PERIOD
    return TimeGrid(n=n, dt=step, t0=transient * step), transient
