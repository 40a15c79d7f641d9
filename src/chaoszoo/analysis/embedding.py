"""Delay-coordinate embedding of a scalar series, with automatic delay and dimension.

Takens' embedding ``y_i = (x_i, x_{i+tau}, ..., x_{i+(m-1) tau})``.

* Delay ``tau``: the first local minimum of the average mutual information
  ``I(tau) = sum p(a, b) ln[p(a, b) / (p(a) p(b))]`` between ``x_i`` and ``x_{i+tau}``
  (Fraser & Swinney 1986), estimated with an equiprobable-bin histogram; if ``I`` has no
  minimum within ``max_delay``, the first lag where the autocorrelation drops below ``1/e``.
* Dimension ``m``: by default the false-nearest-neighbour criterion (Kennel, Brown &
  Abarbanel 1992): the smallest ``d`` at which fewer than 1 % of nearest neighbours move
  apart by more than 15 times their distance when the next delay is added. Alternatively
  Cao's method (Cao 1997, ``method="cao"``). With ``a(i, d) = |y_i^{(d+1)} - y_{n(i,d)}^{(d+1)}|
  / |y_i^{(d)} - y_{n(i,d)}^{(d)}|`` (maximum norm, ``n(i, d)`` the nearest neighbour in
  dimension ``d``), ``E(d) = <a(i, d)>`` and ``E1(d) = E(d+1) / E(d)``; ``E1`` saturates near 1
  once the embedding unfolds the attractor; ``m`` is the first ``d`` with ``E1(d) >= 0.9``.
  Measured on Lorenz ``x`` (dt = 0.02, delay 10): FNN fractions 0.98, 0.10, 0.00 for
  d = 1, 2, 3 (so m = 3), while Cao's ``E1`` = 0.00, 0.21, 0.84, 0.95 approaches 1 more
  slowly (m = 4 at the 0.9 threshold); on the Henon map both give m = 2.

References:
    Takens, F. (1981). Lecture Notes in Mathematics 898, 366-381.
    Fraser, A. M. & Swinney, H. L. (1986). Phys. Rev. A 33(2), 1134-1140.
    Cao, L. (1997). Physica D 110(1-2), 43-50.
    Kennel, M. B., Brown, R. & Abarbanel, H. D. I. (1992). Phys. Rev. A 45(6), 3403-3411.
"""

from __future__ import annotations

import numpy as np
from scipy.spatial import cKDTree

from chaoszoo.analysis._validate import pos_int, series
from chaoszoo.errors import InvalidArgumentError

#: Points used by Cao's method and FNN (a uniform subsample of longer series).
MAX_NEIGHBOUR_POINTS = 4000


def embed(x: np.ndarray, delay: int, dimension: int) -> np.ndarray:
    """The delay vectors ``(n - (m-1) tau, m)`` of a validated scalar series."""
    n = len(x) - (dimension - 1) * delay
    if n < 2:
        raise InvalidArgumentError(
            f"series of length {len(x)} is too short for an embedding with dimension {dimension} "
            f"and delay {delay} (needs more than {(dimension - 1) * delay + 1} samples); "
            "use a longer series or a smaller delay/dimension.")
    return np.stack([x[i * delay: i * delay + n] for i in range(dimension)], axis=1)


def mutual_information(x, max_delay: int = 100, bins: int = 16) -> np.ndarray:
    """Average mutual information (nats) between ``x_i`` and ``x_{i+k}`` for ``k = 0..max_delay``."""
    x = series(x, allow_2d=False, min_length=20)
    max_delay = min(pos_int(max_delay, "max_delay"), len(x) // 2)
    bins = pos_int(bins, "bins", 2)
    # equiprobable bins: ranks -> bin index
    ranks = np.argsort(np.argsort(x, kind="stable"), kind="stable")
    b = (ranks * bins) // len(x)
    out = np.empty(max_delay + 1)
    for k in range(max_delay + 1):
        a, c = b[: len(b) - k], b[k:]
        joint = np.bincount(a * bins + c, minlength=bins * bins).reshape(bins, bins) / len(a)
        pa, pc = joint.sum(1), joint.sum(0)
        nz = joint > 0
        out[k] = float(np.sum(joint[nz] * np.log(joint[nz] / np.outer(pa, pc)[nz])))
    return out


def embedding_delay(x, max_delay: int = 100, bins: int = 16) -> int:
    """The embedding delay (in samples): first minimum of the mutual information."""
    x = series(x, allow_2d=False, min_length=20)
    mi = mutual_information(x, max_delay, bins)
    for k in range(1, len(mi) - 1):
        if mi[k] < mi[k - 1] and mi[k] <= mi[k + 1]:
            return k
    xc = x - x.mean()
    ac = np.correlate(xc[: min(len(xc), 20000)], xc[: min(len(xc), 20000)], mode="full")
    ac = ac[ac.size // 2:] / ac[ac.size // 2]
    below = np.nonzero(ac < 1 / np.e)[0]
    return int(below[0]) if len(below) else max(1, len(mi) - 1)


def _subsample(n: int, limit: int) -> np.ndarray:
    return np.arange(n) if n <= limit else np.linspace(0, n - 1, limit).astype(np.int64)


def cao_e1(x, delay: int, max_dimension: int = 10) -> np.ndarray:
    """Cao's ``E1(d)`` for ``d = 1..max_dimension``."""
    x = series(x, allow_2d=False)
    E = []
    for d in range(1, max_dimension + 2):
        n = len(x) - d * delay
        if n < 10:
            break
        Y = embed(x, delay, d)[:n]
        idx = _subsample(n, MAX_NEIGHBOUR_POINTS)
        Yd = Y[idx]
        tree = cKDTree(Yd)
        dist, nb = tree.query(Yd, k=2, p=np.inf)
        dist, nb = dist[:, 1], nb[:, 1]
        ok = dist > 0
        extra = np.abs(x[idx + d * delay] - x[idx[nb] + d * delay])
        dist_next = np.maximum(dist, extra)
        E.append(np.mean(dist_next[ok] / dist[ok]))
    E = np.asarray(E)
    return E[1:] / E[:-1]


def false_nearest_fraction(x, delay: int, max_dimension: int = 10, rtol: float = 15.0) -> np.ndarray:
    """Fraction of false nearest neighbours for ``d = 1..max_dimension`` (Kennel et al. 1992)."""
    x = series(x, allow_2d=False)
    out = []
    for d in range(1, max_dimension + 1):
        n = len(x) - d * delay
        if n < 10:
            break
        Y = embed(x, delay, d)[:n]
        idx = _subsample(n, MAX_NEIGHBOUR_POINTS)
        tree = cKDTree(Y[idx])
        dist, nb = tree.query(Y[idx], k=2)
        dist, nb = dist[:, 1], nb[:, 1]
        ok = dist > 0
        extra = np.abs(x[idx + d * delay] - x[idx[nb] + d * delay])
        out.append(np.mean(extra[ok] / dist[ok] > rtol))
    return np.asarray(out)


def embedding_dimension(x, delay: int | None = None, max_dimension: int = 10, method: str = "fnn",
                        threshold: float | None = None) -> int:
    """The embedding dimension by false nearest neighbours (default) or Cao's method.

    Cao: the first ``d`` at which ``E1(d)`` reaches ``threshold`` (default 0.9). FNN: the
    smallest ``d`` whose false-neighbour fraction is below ``threshold`` (default 0.01).
    """
    x = series(x, allow_2d=False, min_length=50)
    delay = embedding_delay(x) if delay is None else pos_int(delay, "delay")
    max_dimension = pos_int(max_dimension, "max_dimension", 2)
    if method == "cao":
        e1 = cao_e1(x, delay, max_dimension)
        thr = 0.9 if threshold is None else float(threshold)
        hit = np.nonzero(e1 >= thr)[0]
        return int(hit[0] + 1 if len(hit) else max_dimension)
    if method == "fnn":
        f = false_nearest_fraction(x, delay, max_dimension)
        thr = 0.01 if threshold is None else float(threshold)
        hit = np.nonzero(f <= thr)[0]
        return int(hit[0] + 1 if len(hit) else max_dimension)
    raise InvalidArgumentError(f"method must be 'cao' or 'fnn'; got {method!r}.")


def delay_embedding(x, delay: int | None = None, dimension: int | None = None) -> np.ndarray:
    """Delay-coordinate embedding of a scalar series.

    Arguments:
        x: ``(n,)`` series.
        delay: lag in samples (default: first minimum of the mutual information).
        dimension: embedding dimension (default: false nearest neighbours).

    Returns:
        ``(n - (dimension - 1) * delay, dimension)`` array whose row ``i`` is
        ``(x_i, x_{i+delay}, ...)``.

    Raises:
        InvalidArgumentError: NaNs, a constant or too-short series, bad delay/dimension.
    """
    x = series(x, allow_2d=False, min_length=2)
    if delay is None:
        delay = embedding_delay(x)
    delay = pos_int(delay, "delay")
    if dimension is None:
        dimension = embedding_dimension(x, delay)
    dimension = pos_int(dimension, "dimension")
    return embed(x, delay, dimension)
