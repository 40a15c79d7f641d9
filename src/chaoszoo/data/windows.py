"""Sliding context/target windows over trajectories, as a PyTorch ``Dataset``.

For a trajectory ``x_0 .. x_{n-1}``, window ``j`` (start ``s = j * stride``) is the pair

    context = x_s .. x_{s+c-1}   (shape (c, d)),   target = x_{s+c} .. x_{s+c+h-1}   (shape (h, d)),

for every ``s`` with ``s + c + h <= n``. Windows of all trajectories are concatenated in
order. PyTorch is an optional dependency (``pip install 'chaoszoo[torch]'``); the class is
created on first access, so importing :mod:`chaoszoo.data` never imports torch.
"""

from __future__ import annotations

import functools

import numpy as np

from chaoszoo.errors import InvalidArgumentError


def _torch():
    try:
        import torch
    except ImportError:
        raise ImportError("WindowDataset needs PyTorch: pip install 'chaoszoo[torch]'") from None
    return torch


def window_index(lengths, context: int, horizon: int, stride: int = 1) -> np.ndarray:
    """``(m, 2)`` array of ``(trajectory, start)`` for every complete window."""
    for name, v in (("context", context), ("horizon", horizon), ("stride", stride)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
            raise InvalidArgumentError(f"{name} must be a positive integer; got {v!r}.")
    rows = []
    for i, n in enumerate(lengths):
        starts = np.arange(0, int(n) - context - horizon + 1, stride)
        rows.append(np.stack([np.full(len(starts), i), starts], axis=1))
    idx = np.concatenate(rows) if rows else np.zeros((0, 2), dtype=np.int64)
    if not len(idx):
        raise InvalidArgumentError(
            f"No trajectory is long enough for context {context} + horizon {horizon} "
            f"(longest: {max(lengths, default=0)} samples); shorten the windows.")
    return idx.astype(np.int64)


@functools.cache
def _window_class():
    torch = _torch()

    class WindowDataset(torch.utils.data.Dataset):
        """Sliding ``(context (c, d), target (h, d))`` windows over a list of ``(n, d)`` arrays.

        Arguments:
            values: trajectories, each ``(n, d)`` (the same ``d`` for all).
            context, horizon: window lengths; stride: step between window starts.
            dtype: torch dtype of the tensors (default ``torch.float32``).
        """

        def __init__(self, values, context: int, horizon: int, stride: int = 1, dtype=None):
            self.values = [np.asarray(v, dtype=np.float64) for v in values]
            if len({v.shape[1] for v in self.values}) > 1:
                raise InvalidArgumentError("All trajectories of a WindowDataset need the same number of variables; "
                                           "load with univariate=True/False and a single system or observable.")
            self.context, self.horizon, self.stride = int(context), int(horizon), int(stride)
            self.index = window_index([len(v) for v in self.values], context, horizon, stride)
            self.dtype = torch.float32 if dtype is None else dtype

        def __len__(self) -> int:
            return len(self.index)

        def __getitem__(self, j):
            i, s = self.index[j]
            v = self.values[i]
            c = torch.tensor(v[s: s + self.context], dtype=self.dtype)
            t = torch.tensor(v[s + self.context: s + self.context + self.horizon], dtype=self.dtype)
            return c, t

    WindowDataset.__module__ = __name__
    return WindowDataset


def __getattr__(name):
    if name == "WindowDataset":
        return _window_class()
    raise AttributeError(name)
