"""Context parroting (Zhang & Gilpin 2025): copy what followed the best match of the latest motif.

Zhang, Y. & Gilpin, W. (2025). Context parroting: a simple but tough-to-beat baseline for foundation
models in scientific machine learning. arXiv:2505.11349 (ICLR 2026), Section 3 and Algorithm 1.
The paper shows that time-series foundation models forecast chaotic systems largely by copying
from their context, and that a model doing only that beats them. Its definition, implemented
here:

motif
    the last ``D`` samples of the context, ``x[N-D], ..., x[N-1]`` (a point of the
    ``D``-dimensional delay embedding with delay 1).
distance
    the Euclidean (L2) distance between the motif and every earlier stretch of ``D``
    consecutive samples of the context that ends before the motif begins (a stretch that
    overlaps the motif would match it trivially); the closest one, ending at ``s*``, is the
    match (the first one on a tie).
what is copied
    the samples that followed the match, ``x[s*+1], ..., x[N-1]``, as the forecast of
    ``x[N], x[N+1], ...``; a horizon longer than that stretch repeats it: the copied stretch
    ends with the present sample, whose analogue is the end of the match, so the continuation
    of the copy is the copy again (a period of ``N - 1 - s*`` samples). That is,
    ``forecast[k] = x[s* + 1 + (k mod (N - 1 - s*))]``.

A univariate series is parroted as above. The published parroting is univariate, as the
foundation models it was compared with are: a multivariate context is parroted variable by
variable (each finds its own match) by default, or, with ``joint=True``, with one match for all
variables (the distance summed over them). No value is fitted: the history is the context.
"""

from __future__ import annotations

import numpy as np

from chaoszoo.errors import InvalidArgumentError, NotFittedError
from chaoszoo.forecast.interface import ForecastInfo, as_history
from chaoszoo.forecast.registry import ModelSpec

CITATION = ("Zhang, Y. & Gilpin, W. (2025). Context parroting: a simple but tough-to-beat baseline for foundation "
            "models in scientific machine learning. arXiv:2505.11349 (ICLR 2026).")


def parrot_match(x: np.ndarray, motif: int) -> tuple[int, float]:
    """``(s*, distance)``: the end index of the stretch of ``motif`` samples of ``x`` (``(N, k)``)
    closest in Euclidean distance to its last ``motif`` samples, among the stretches that end
    before those begin."""
    n, D = len(x), int(motif)
    n_candidates = n - 2 * D + 1  # stretches starting at 0 .. N - 2D
    if n_candidates < 1:
        raise InvalidArgumentError(f"context parroting with a motif of {D} samples needs a context of at least "
                                   f"{2 * D} samples (the motif and one earlier stretch); got {n}.")
    query = x[n - D:].reshape(-1)
    windows = np.lib.stride_tricks.sliding_window_view(x[: n - D], D, axis=0)  # (N-2D+1, k, D)
    windows = np.swapaxes(windows, 1, 2).reshape(len(windows), -1)            # time-major, as query
    dist = np.sqrt(np.sum(np.square(windows - query), axis=1))
    start = int(np.argmin(dist))
    return start + D - 1, float(dist[start])


def parrot(x: np.ndarray, horizon: int, motif: int) -> np.ndarray:
    """The context-parroting forecast of ``horizon`` samples of the context ``x`` (``(N, k)``)."""
    s, _ = parrot_match(x, motif)
    period = len(x) - 1 - s
    return x[s + 1 + np.arange(int(horizon)) % period]


class ContextParroting:
    """Context parroting (Zhang & Gilpin 2025): match the last ``motif`` samples against every
    earlier stretch of the context (Euclidean distance), copy what followed the best match, and
    repeat that copy for longer horizons. Variable by variable, or with one match for all
    variables when ``joint`` is true. Nothing is fitted."""

    def __init__(self, motif: int = 30, joint: bool = False):
        if isinstance(motif, bool) or not isinstance(motif, (int, np.integer)) or motif < 1:
            raise InvalidArgumentError(f"motif must be a positive integer (samples); got {motif!r}.")
        if not isinstance(joint, (bool, np.bool_)):
            raise InvalidArgumentError(f"joint must be True or False; got {joint!r}.")
        self.motif, self.joint = int(motif), bool(joint)
        self._h: np.ndarray | None = None

    def fit(self, history, info: ForecastInfo | None = None):
        h = as_history(history)
        if len(h) < 2 * self.motif:
            raise InvalidArgumentError(f"context parroting with motif={self.motif} needs a history of at least "
                                       f"{2 * self.motif} samples (the motif and one earlier stretch); got {len(h)}.")
        self._h = h
        return self

    def matches(self) -> list[tuple[int, float]]:
        """``(s*, distance)`` of each match: one per variable, or one for all with ``joint``."""
        if self._h is None:
            raise NotFittedError("ContextParroting.matches() called before fit().")
        if self.joint:
            return [parrot_match(self._h, self.motif)]
        return [parrot_match(self._h[:, [c]], self.motif) for c in range(self._h.shape[1])]

    def predict(self, horizon: int) -> np.ndarray:
        if self._h is None:
            raise NotFittedError("ContextParroting.predict() called before fit().")
        if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
            raise InvalidArgumentError(f"horizon must be a positive integer; got {horizon!r}.")
        if self.joint:
            return parrot(self._h, int(horizon), self.motif).copy()
        return np.column_stack([parrot(self._h[:, [c]], int(horizon), self.motif)[:, 0]
                                for c in range(self._h.shape[1])])


SPECS = [
    ModelSpec("parroting", "chaoszoo.forecast.models.parroting:ContextParroting", "baseline",
              "context parroting: copy what followed the closest earlier match of the last 30 samples, per variable",
              params={"motif": 30}, fast={"motif": 10}, multivariate=False, citation=CITATION),
]
