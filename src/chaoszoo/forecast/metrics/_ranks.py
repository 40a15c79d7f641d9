"""Row-wise ranks and Kendall's tau for many short series at once (vectorised NumPy).

``scipy.stats`` computes one pair of series per call; the benchmark scores tens of thousands
of forecasts, so ranks and Kendall's tau-b are computed here for every row of an ``(R, H)``
array in one pass. Kendall's discordant-pair count is a bottom-up merge sort run on all rows at
once (``O(R H log H)``); the results equal
``scipy.stats.kendalltau`` (tau-b), which the tests check. Below ``_SCIPY_ROWS`` rows the
per-row SciPy routine is faster and is used instead.
"""

from __future__ import annotations

import numpy as np

_SCIPY_ROWS = 48


def ranks(a: np.ndarray):
    """Average ranks (1-based, ties averaged as ``scipy.stats.rankdata``), dense ranks
    (1-based ints), the number of tied pairs, and the sorting permutation, for every row
    of ``a`` ``(R, H)``."""
    R, H = a.shape
    order = np.argsort(a, axis=1)
    s = np.take_along_axis(a, order, axis=1)
    new = np.empty((R, H), dtype=bool)
    new[:, 0] = True
    np.not_equal(s[:, 1:], s[:, :-1], out=new[:, 1:])
    rows = np.arange(R)[:, None]
    dense = np.empty((R, H), dtype=np.int32)
    dense[rows, order] = np.cumsum(new, axis=1, dtype=np.int32)
    avg = np.empty((R, H), dtype=np.float64)
    if new.all():
        avg[rows, order] = np.arange(1, H + 1, dtype=np.float64)
        ties = np.zeros(R, dtype=np.int64)
    else:
        j = np.arange(H)
        start = np.maximum.accumulate(np.where(new, j, 0), axis=1)
        is_end = np.empty((R, H), dtype=bool)
        is_end[:, -1] = True
        is_end[:, :-1] = new[:, 1:]
        end = np.minimum.accumulate(np.where(is_end, j, H - 1)[:, ::-1], axis=1)[:, ::-1]
        avg[rows, order] = (start + end) / 2.0 + 1.0
        ties = (j - start).sum(axis=1, dtype=np.int64)
    return avg, dense, ties, order


def _tied_pairs_sorted(s: np.ndarray) -> np.ndarray:
    """Number of tied pairs in each row of a row-sorted integer array."""
    R, H = s.shape
    new = np.empty((R, H), dtype=bool)
    new[:, 0] = True
    np.not_equal(s[:, 1:], s[:, :-1], out=new[:, 1:])
    if new.all():
        return np.zeros(R, dtype=np.int64)
    j = np.arange(H)
    start = np.maximum.accumulate(np.where(new, j, 0), axis=1)
    return (j - start).sum(axis=1, dtype=np.int64)


def _inversions(q: np.ndarray) -> np.ndarray:
    """Number of pairs ``i < j`` with ``q[i] > q[j]`` in each row of ``q`` (ints in ``1..H``).

    Blocks of 16 values are counted pair by pair and sorted; then a bottom-up merge sort runs
    over all rows at once. Merging a left and a right sorted block of
    ``s`` values: each value is tagged with its side (``2 q + side``, so that equal values
    put the left one first) and the block is sorted; a right value is an inversion with
    every left value placed after it. The ``m``-th right value (0-based) at merged place ``p``
    has ``s - (p - m)`` left values after it, so a block adds
    ``s^2 + s (s - 1) / 2 - sum_{right places} p``: one weighted sum of the side tags.
    """
    R, H = q.shape
    P = 1 << max(1, (H - 1).bit_length())
    dt = np.int16 if 2 * P + 3 < np.iinfo(np.int16).max else np.int32
    a = np.full((R, P), H + 1, dtype=dt)  # padding: larger than every value, at the end
    a[:, :H] = q
    # blocks of up to 16 values: count their inversions pair by pair, then sort them
    s = min(16, P)
    blk = a.reshape(R, P // s, s)
    inv = np.zeros(R, dtype=np.int64)
    for i in range(s - 1):
        inv += np.count_nonzero(blk[:, :, i:i + 1] > blk[:, :, i + 1:], axis=(1, 2))
    a = np.sort(blk, axis=-1).reshape(R, P)
    while s < P:
        nb = P // (2 * s)
        k = a.reshape(R, nb, 2, s) << 1
        k[:, :, 1, :] |= 1
        k = k.reshape(R * nb, 2 * s)
        k.sort(axis=-1, kind="stable" if s >= 64 else "quicksort")
        side = (k & 1).astype(np.float32)
        places = np.einsum("ij,j->i", side, np.arange(2 * s, dtype=np.float32))  # exact: integers < 2^24
        inv += nb * (s * s + s * (s - 1) // 2) - places.reshape(R, nb).sum(axis=1, dtype=np.int64)
        a = (k >> 1).reshape(R, P)
        s *= 2
    return inv


def kendall_tau_b(x: np.ndarray, y: np.ndarray, rx=None, ry=None) -> np.ndarray:
    """Kendall's tau-b between the rows of ``x`` and ``y`` ``(R, H)``; NaN where a row is constant.

    ``rx``, ``ry``: optional precomputed ``ranks`` results of ``x`` and ``y``.
    """
    R, H = x.shape
    if R <= _SCIPY_ROWS:
        from scipy.stats import kendalltau

        out = np.full(R, np.nan)
        for i in range(R):
            if np.ptp(x[i]) > 0 and np.ptp(y[i]) > 0:
                out[i] = kendalltau(x[i], y[i]).statistic
        return out
    _, dx, tx, ox = rx if rx is not None else ranks(x)
    _, dy, ty, _ = ry if ry is not None else ranks(y)
    # order by x, ties in x broken by y (so that pairs tied in x are not counted discordant)
    q = np.take_along_axis(dy, ox, axis=1)
    txy = np.zeros(R, dtype=np.int64)
    tied = np.flatnonzero(tx > 0)
    if len(tied):
        key = dx[tied].astype(np.int64) * (H + 1) + dy[tied]
        key.sort(axis=1)
        txy[tied] = _tied_pairs_sorted(key)
        q[tied] = (key % (H + 1)).astype(q.dtype)
    dis = _inversions(q)
    tot = H * (H - 1) // 2
    num = (tot - tx - ty + txy - 2 * dis).astype(np.float64)
    den2 = (tot - tx).astype(np.float64) * (tot - ty).astype(np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        tau = num / np.sqrt(den2)
    tau[den2 <= 0] = np.nan
    return np.clip(tau, -1.0, 1.0)
