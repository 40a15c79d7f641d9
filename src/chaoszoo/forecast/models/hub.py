"""Pretrained models from a model hub, through their own packages: Chronos (extra ``chronos``).

Ansari, A. F. et al. (2024). Chronos: learning the language of time series. TMLR. Its package,
``chronos-forecasting``, loads Chronos, Chronos-Bolt and Chronos-2 checkpoints by name from the
Hugging Face hub or from a local folder (``BaseChronosPipeline.from_pretrained``); this adapter
runs any of them zero-shot, each variable as its own univariate series (as the 2025 zero-shot
study ran Chronos), and forecasts the median (quantile 0.5). Nothing is fitted: the history is
the context.

The benchmark's machines cannot reach the hub: run hub models where it can (a machine with a
GPU, say) on the tasks ``chaoszoo forecast export-tasks`` writes, with
:func:`chaoszoo.forecast.external.forecast_tasks`, and score the returned file with
``chaoszoo forecast import-forecasts`` (docs/forecasting.md, "Forecasts made elsewhere"). A
model name that is not a local folder and cannot be downloaded is a :class:`ModelError` that
says so.
"""

from __future__ import annotations

import functools
import os

import numpy as np

from chaoszoo.errors import InvalidArgumentError, ModelError, NotFittedError
from chaoszoo.forecast.interface import ForecastInfo, as_history
from chaoszoo.forecast.registry import ModelSpec

CHRONOS_CITATION = ("Ansari, A. F. et al. (2024). Chronos: learning the language of time series. TMLR; "
                    "package chronos-forecasting (Amazon, Apache-2.0).")


@functools.lru_cache(maxsize=2)
def _chronos_pipeline(model: str, device: str):
    """The loaded pipeline (once per process and model)."""
    import torch
    from chronos import BaseChronosPipeline

    try:
        return BaseChronosPipeline.from_pretrained(model, device_map=device, dtype=torch.float32)
    except (OSError, ValueError, AssertionError) as err:
        where = "local folder" if os.path.isdir(model) else "hub name (this machine may be offline)"
        raise ModelError(f"Chronos could not load {model!r} as a {where}: {type(err).__name__}: {str(err)[:300]}. "
                         "Pass a folder that holds a Chronos checkpoint, or run it where the hub is reachable "
                         "(chaoszoo forecast export-tasks / import-forecasts).") from None


class Chronos:
    """A Chronos model (Chronos, Chronos-Bolt or Chronos-2, by hub name or local folder), zero-shot,
    each variable forecast on its own; the forecast is the median. Sampling models are seeded
    from ``info.seed``.

    Arguments:
        model: hub name (``"amazon/chronos-bolt-small"``) or a folder holding a checkpoint.
        device: torch device (``"cpu"``, ``"cuda"``).
        context_length: use at most this many of the latest samples (default: all).
    """

    def __init__(self, model: str = "amazon/chronos-bolt-small", device: str = "cpu", context_length: int | None = None):
        if not isinstance(model, (str, os.PathLike)) or not str(model):
            raise InvalidArgumentError(f"model must be a hub name or a folder; got {model!r}.")
        if not isinstance(device, str) or not device:
            raise InvalidArgumentError(f"device must be a torch device name; got {device!r}.")
        if context_length is not None and (isinstance(context_length, bool) or not isinstance(context_length, int)
                                           or context_length < 2):
            raise InvalidArgumentError(f"context_length must be an integer of at least 2; got {context_length!r}.")
        self.model, self.device, self.context_length = os.fspath(model), device, context_length
        self._h: np.ndarray | None = None

    def fit(self, history, info: ForecastInfo | None = None):
        h = as_history(history)
        self._h = h[-self.context_length:] if self.context_length else h
        self._seed = int((info or ForecastInfo()).seed)
        return self

    def predict(self, horizon: int) -> np.ndarray:
        if self._h is None:
            raise NotFittedError("Chronos.predict() called before fit().")
        if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
            raise InvalidArgumentError(f"horizon must be a positive integer; got {horizon!r}.")
        import torch

        pipeline = _chronos_pipeline(self.model, self.device)
        torch.manual_seed(self._seed)
        inputs = [torch.tensor(self._h[:, c], dtype=torch.float32) for c in range(self._h.shape[1])]
        with torch.no_grad():
            quantiles, _ = pipeline.predict_quantiles(inputs, prediction_length=int(horizon), quantile_levels=[0.5])
        y = np.asarray(quantiles[:, :, 0].to(torch.float64).cpu().numpy()).T
        if y.shape != (int(horizon), self._h.shape[1]):
            raise ModelError(f"Chronos returned a forecast of shape {y.shape}, expected {(int(horizon), self._h.shape[1])}")
        return y

    def predict_quantiles(self, horizon: int, levels) -> np.ndarray:
        """Quantiles ``(len(levels), horizon, d)`` of each variable's forecast, for the
        probabilistic track (:mod:`chaoszoo.forecast.probabilistic`), seeded as ``predict``. A
        pipeline that forecasts fixed quantiles (Chronos-Bolt, Chronos-2: ``pipeline.quantiles``,
        0.1 to 0.9) gives those, sorted where its heads cross, and the asked levels are
        interpolated linearly between them and held at the outermost beyond them (Chronos-Bolt's own interpolation assumes an evenly
        spaced grid of trained levels); Chronos estimates the asked levels from its samples."""
        if self._h is None:
            raise NotFittedError("Chronos.predict_quantiles() called before fit().")
        if isinstance(horizon, bool) or not isinstance(horizon, (int, np.integer)) or horizon < 1:
            raise InvalidArgumentError(f"horizon must be a positive integer; got {horizon!r}.")
        import torch

        levels = [float(v) for v in levels]
        pipeline = _chronos_pipeline(self.model, self.device)
        trained = getattr(pipeline, "quantiles", None)
        trained = [float(v) for v in trained] if trained is not None else []
        ask = sorted(trained) if trained else levels
        torch.manual_seed(self._seed)
        inputs = [torch.tensor(self._h[:, c], dtype=torch.float32) for c in range(self._h.shape[1])]
        with torch.no_grad():
            quantiles, _ = pipeline.predict_quantiles(inputs, prediction_length=int(horizon), quantile_levels=ask)
        q = np.asarray(quantiles.to(torch.float64).cpu().numpy())  # (d, horizon, len(ask))
        if q.shape != (self._h.shape[1], int(horizon), len(ask)):
            raise ModelError(f"Chronos returned quantiles of shape {q.shape}, expected "
                             f"{(self._h.shape[1], int(horizon), len(ask))}")
        if trained:
            # a network's quantile heads are not constrained to be ordered, and Chronos-Bolt's do cross
            # (the more so beyond its trained prediction length, which it extends autoregressively):
            # sort each step's quantiles (monotone rearrangement, which never moves them further from
            # the true quantile curve: Chernozhukov, Fernandez-Val & Galichon 2010, Econometrica 78,
            # 1093), then interpolate the asked levels
            q = np.sort(q, axis=2)
            q = np.apply_along_axis(lambda v: np.interp(levels, ask, v), 2, q)
        return np.transpose(q, (2, 1, 0))


SPECS = [
    ModelSpec("chronos", "chaoszoo.forecast.models.hub:Chronos", "deep",
              "Chronos / Chronos-Bolt / Chronos-2 (hub name or folder), zero-shot, per variable, median",
              extra="chronos", requires=("chronos", "torch"), params={"model": "amazon/chronos-bolt-small"},
              multivariate=False, citation=CHRONOS_CITATION),
]
