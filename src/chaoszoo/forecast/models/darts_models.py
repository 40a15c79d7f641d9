"""The darts models of the 2021 benchmark: deep networks, tree ensembles, linear regression, Kalman.

One adapter, :class:`DartsForecaster`, wraps any darts forecasting model named by its class
(``darts_class="NBEATSModel"``); the registry entries below fix the class and its settings.
darts (and torch, lightning) are imported only when a model is fitted, so listing the
registry stays fast.

What the adapter does around darts:

* standardises each column with the history's mean and standard deviation (undone on the
  forecast): networks train badly on raw chaotic amplitudes, and it changes nothing for the
  linear and tree models;
* resolves ``"period/4"``-style grid values (:func:`chaoszoo.forecast.interface.resolve_value`)
  for ``lags`` and ``input_chunk_length``;
* seeds everything from ``info.seed`` (``random_state`` of darts, which seeds torch per fit and
  predict), trains on the CPU with lightning's progress bar, logger, summary and checkpoints off
  and its log messages silenced;
* refuses a history shorter than one training window with :class:`InvalidArgumentError`
  (instead of an error deep inside darts);
* pickles after fit: darts drops its lightning module when pickled, so the adapter carries
  the trained module beside it and puts it back.

Multivariate series are forecast jointly (every darts model used here is multivariate).
"""

from __future__ import annotations

import contextlib
import logging
import warnings

import numpy as np

from chaoszoo.errors import InvalidArgumentError, ModelError, NotFittedError
from chaoszoo.forecast.interface import ForecastInfo, as_history, resolve_value
from chaoszoo.forecast.registry import ModelSpec

_LIGHTNING_LOGGERS = ("pytorch_lightning", "lightning", "lightning.pytorch", "lightning_fabric", "darts")

#: darts classes trained with torch + lightning (the others are sklearn-, lightgbm- or nfoursid-based).
_TORCH_CLASSES = {"NBEATSModel", "NHiTSModel", "TCNModel", "TransformerModel", "RNNModel", "BlockRNNModel",
                  "DLinearModel", "NLinearModel", "TiDEModel", "TSMixerModel"}
#: constructor arguments that may be grid strings such as ``"period/4"`` (sample counts).
_WINDOW_KEYS = ("lags", "input_chunk_length", "training_length")
#: darts classes whose constructor takes ``random_state`` but no torch trainer.
_SEEDED_CLASSES = {"RandomForestModel", "LightGBMModel"}


@contextlib.contextmanager
def _quiet(torch_threads: bool = False):
    """Silence lightning's and darts's log records and warnings for the duration of a call.

    With ``torch_threads``, torch runs on one thread meanwhile (restored after): the nets here
    are tiny, and intra-op threads only add synchronisation cost (measured 5x slower fits on a
    loaded 2-core machine) and make the process-pool runner oversubscribe the cores.
    """
    saved = {}
    n_threads = None
    if torch_threads:
        import torch

        n_threads = torch.get_num_threads()
        torch.set_num_threads(1)
    for name in _LIGHTNING_LOGGERS:
        lg = logging.getLogger(name)
        saved[name] = lg.level
        lg.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)
        if n_threads is not None:
            import torch

            torch.set_num_threads(n_threads)


class DartsForecaster:
    """Any darts forecasting model behind the chaoszoo model interface.

    Arguments:
        darts_class: the class name in :mod:`darts.models` (``"NBEATSModel"``, ``"LightGBMModel"``...).
        standardize: z-score each column with the history's statistics before fitting.
        kwargs: passed to the darts constructor; ``lags`` and ``input_chunk_length`` may be
            grid strings such as ``"period/4"``. Torch models also get ``n_epochs``,
            ``batch_size`` and the CPU trainer settings; ``random_state`` comes from ``info.seed``.
    """

    def __init__(self, darts_class: str, *, standardize: bool = True, **kwargs):
        self.darts_class = str(darts_class)
        self.standardize = bool(standardize)
        self.kwargs = dict(kwargs)
        self._model = None
        self._module = None

    # -- fitting ---------------------------------------------------------------------------
    def _window(self, kw: dict) -> int:
        """Samples one training example needs (input window plus output)."""
        out = int(kw.get("output_chunk_length", 1))
        if "input_chunk_length" in kw:
            need = int(kw["input_chunk_length"]) + out
            if self.darts_class == "RNNModel":
                need = max(need, int(kw.get("training_length", 0)) + 1)
            return need
        if "lags" in kw:
            return int(kw["lags"]) + out
        if self.darts_class == "KalmanForecaster":
            return 2 * int(kw.get("dim_x", 1)) + 2
        return 2

    def _constructor_kwargs(self, info: ForecastInfo) -> dict:
        kw = {k: resolve_value(v, info) if k in _WINDOW_KEYS else v for k, v in self.kwargs.items()}
        for key in ("lags", "input_chunk_length", "training_length"):
            if key in kw and (not isinstance(kw[key], (int, np.integer)) or kw[key] < 1):
                raise InvalidArgumentError(f"{self.darts_class}: {key} must be a positive integer; got {kw[key]!r}.")
        seed = int(info.seed) & 0x7FFFFFFF
        if self.darts_class in _TORCH_CLASSES:
            if self.darts_class == "RNNModel":
                kw["training_length"] = max(int(kw.get("training_length", 0)), kw["input_chunk_length"] + 1)
            if self.darts_class == "TCNModel":
                kw["kernel_size"] = min(int(kw.get("kernel_size", 3)), kw["input_chunk_length"] - 1)
            kw["random_state"] = seed
            trainer = dict(accelerator="cpu", devices=1, enable_progress_bar=False, logger=False,
                           enable_model_summary=False, enable_checkpointing=False)
            trainer.update(kw.pop("pl_trainer_kwargs", {}) or {})
            kw["pl_trainer_kwargs"] = trainer
        elif self.darts_class in _SEEDED_CLASSES:
            kw["random_state"] = seed
        if self.darts_class == "LightGBMModel":
            kw.setdefault("verbose", -1)
            kw.setdefault("n_jobs", 1)  # threads would make the boosting order-dependent
        return kw

    def fit(self, history, info: ForecastInfo | None = None):
        info = info if info is not None else ForecastInfo()
        h = as_history(history)
        kw = self._constructor_kwargs(info)
        need = self._window(kw)
        if len(h) < need + 1:
            raise InvalidArgumentError(
                f"{self.darts_class} needs a history of at least {need + 1} samples for its window "
                f"({', '.join(f'{k}={kw[k]}' for k in ('lags', 'input_chunk_length', 'output_chunk_length', 'training_length') if k in kw)}); "
                f"got {len(h)}. Use a longer history or a shorter window.")
        self._mu = h.mean(axis=0) if self.standardize else np.zeros(h.shape[1])
        sd = h.std(axis=0) if self.standardize else np.ones(h.shape[1])
        self._sd = np.where(sd > 1e-12 * max(1.0, float(np.max(np.abs(h)))), sd, 1.0)
        z = (h - self._mu) / self._sd

        import darts.models
        from darts import TimeSeries

        cls = getattr(darts.models, self.darts_class, None)
        if cls is None:
            raise InvalidArgumentError(f"darts has no model class {self.darts_class!r}.")
        series = TimeSeries.from_values(z.astype(np.float32 if self.darts_class in _TORCH_CLASSES else np.float64))
        with _quiet(self.darts_class in _TORCH_CLASSES):
            try:
                model = cls(**kw)
            except (TypeError, ValueError) as err:
                raise InvalidArgumentError(f"{self.darts_class} does not accept {kw}: {err}") from err
            try:
                if self.darts_class in _TORCH_CLASSES:
                    model.fit(series, verbose=False, dataloader_kwargs={"pin_memory": False})
                else:
                    model.fit(series)
            except Exception as err:  # noqa: BLE001 - report darts's failure as ours
                raise ModelError(f"{self.darts_class} failed to fit: {type(err).__name__}: {err}") from err
        self._model = model
        self._module = getattr(model, "model", None) if self.darts_class in _TORCH_CLASSES else None
        self._d = h.shape[1]
        return self

    def predict(self, horizon: int) -> np.ndarray:
        if self._model is None:
            raise NotFittedError(f"{self.darts_class}.predict() called before fit().")
        n = int(horizon)
        if n < 1:
            raise InvalidArgumentError(f"horizon must be a positive integer; got {horizon!r}.")
        # The Kalman filter (nfoursid's covariance recursion, run over the history and the horizon)
        # can diverge for an identified model that is ill-conditioned; once its covariance holds
        # inf, LAPACK's SVD inside pinv spins for minutes (measured: short-fine BurkeShaw,
        # multi-clean, dim_x=4, over 600 s). Overflow raised as an error stops it at once (0.45 s)
        # and leaves every forecast that never overflows bit-identical.
        guard = np.errstate(over="raise") if self.darts_class == "KalmanForecaster" else contextlib.nullcontext()
        with _quiet(self.darts_class in _TORCH_CLASSES), guard:
            try:
                if self.darts_class in _TORCH_CLASSES:
                    out = self._model.predict(n, verbose=False, dataloader_kwargs={"pin_memory": False})
                else:
                    out = self._model.predict(n)
            except FloatingPointError as err:
                raise ModelError(f"{self.darts_class}: the filter's covariance diverged ({err}); the identified "
                                 "state-space model is numerically unstable; try another dim_x.") from err
            except Exception as err:  # noqa: BLE001
                raise ModelError(f"{self.darts_class} failed to predict: {type(err).__name__}: {err}") from err
        y = np.asarray(out.values(), dtype=np.float64).reshape(n, self._d)
        return y * self._sd + self._mu

    # -- pickling (process pools) ----------------------------------------------------------
    def __getstate__(self):
        state = dict(self.__dict__)
        # darts's own __getstate__ drops the trained lightning module; keep it beside the model
        state["_module"] = self._module
        return state

    def __setstate__(self, state):
        self.__dict__.update(state)
        if self._model is not None and self._module is not None:
            self._model.model = self._module


# -- registry ---------------------------------------------------------------------------------

_T = "chaoszoo.forecast.models.darts_models:DartsForecaster"
_REQ = ("darts", "torch")
_REQ_LIGHT = ("darts",)
_CHUNK_GRID = {"input_chunk_length": [5, 10, "period/2", "period"]}
_LAG_GRID = {"lags": [3, 5, 10, "period/4"]}
# published grids (Gilpin 2021): lags {3, 5, 10, period/4} for the regression models; network
# input chunk {5, 10, period/2, period}; output chunk 1 throughout.
_NET = {"output_chunk_length": 1, "input_chunk_length": 10, "batch_size": 32, "n_epochs": 100}
_NET_FAST = {"input_chunk_length": 10, "n_epochs": 2, "batch_size": 64}


def _deep(name, cls, description, citation, params=None, fast=None):
    return ModelSpec(name, _T, "deep", description, extra="darts", requires=_REQ,
                     params={"darts_class": cls, **_NET, **(params or {})}, grid=dict(_CHUNK_GRID),
                     fast={**_NET_FAST, **(fast or {})}, citation=citation)


SPECS = [
    _deep("nbeats", "NBEATSModel", "N-BEATS: stacks of fully connected blocks with backward/forward residual links",
          "Oreshkin, B. N. et al. N-BEATS: Neural basis expansion analysis for interpretable time series forecasting. ICLR 2020.",
          fast={"num_stacks": 2, "num_blocks": 1, "num_layers": 2, "layer_widths": 16}),
    _deep("nhits", "NHiTSModel", "N-HiTS: N-BEATS with multi-rate pooling and hierarchical interpolation",
          "Challu, C. et al. N-HiTS: Neural hierarchical interpolation for time series forecasting. AAAI 2023.",
          fast={"num_stacks": 2, "num_blocks": 1, "num_layers": 2, "layer_widths": 16}),
    _deep("tcn", "TCNModel", "temporal convolutional network (dilated causal convolutions)",
          "Bai, S., Kolter, J. Z. & Koltun, V. An empirical evaluation of generic convolutional and recurrent "
          "networks for sequence modeling. arXiv:1803.01271 (2018).",
          fast={"num_filters": 4, "kernel_size": 3}),
    _deep("transformer", "TransformerModel", "encoder-decoder transformer on the input window",
          "Vaswani, A. et al. Attention is all you need. NeurIPS 2017.",
          params={"d_model": 32, "nhead": 4, "num_encoder_layers": 2, "num_decoder_layers": 2, "dim_feedforward": 64},
          fast={"d_model": 8, "nhead": 2, "num_encoder_layers": 1, "num_decoder_layers": 1, "dim_feedforward": 16}),
    _deep("lstm", "RNNModel", "autoregressive LSTM (darts RNNModel, one step at a time)",
          "Hochreiter, S. & Schmidhuber, J. Long short-term memory. Neural Computation 9, 1735 (1997).",
          params={"model": "LSTM", "hidden_dim": 25, "n_rnn_layers": 1},
          fast={"hidden_dim": 8}),
    _deep("block-rnn", "BlockRNNModel", "LSTM encoder of the input window with a dense output block",
          "darts BlockRNNModel (Herzen, J. et al. Darts: user-friendly modern machine learning for time series. "
          "JMLR 23, 1 (2022)).",
          params={"model": "LSTM", "hidden_dim": 25, "n_rnn_layers": 1},
          fast={"hidden_dim": 8}),
    _deep("dlinear", "DLinearModel", "DLinear: linear maps of the trend and remainder of the window",
          "Zeng, A. et al. Are transformers effective for time series forecasting? AAAI 2023."),
    _deep("nlinear", "NLinearModel", "NLinear: a linear map of the window relative to its last value",
          "Zeng, A. et al. Are transformers effective for time series forecasting? AAAI 2023."),
    _deep("tide", "TiDEModel", "TiDE: dense encoder-decoder with residual MLP blocks",
          "Das, A. et al. Long-term forecasting with TiDE: time-series dense encoder. TMLR 2023.",
          fast={"hidden_size": 16, "decoder_output_dim": 4, "temporal_decoder_hidden": 8}),
    _deep("tsmixer", "TSMixerModel", "TSMixer: MLPs mixing along time and along features",
          "Chen, S.-A. et al. TSMixer: an all-MLP architecture for time series forecasting. TMLR 2023.",
          fast={"hidden_size": 16, "ff_size": 16, "num_blocks": 1}),
    ModelSpec("linear-regression", _T, "machine-learning", "least-squares linear regression on lagged values",
              extra="darts", requires=_REQ_LIGHT,
              params={"darts_class": "LinearRegressionModel", "lags": 10, "output_chunk_length": 1},
              grid=dict(_LAG_GRID), fast={"lags": 10},
              citation="Herzen, J. et al. Darts. JMLR 23, 1 (2022)."),
    ModelSpec("random-forest", _T, "machine-learning", "random forest regression on lagged values",
              extra="darts", requires=_REQ_LIGHT,
              params={"darts_class": "RandomForestModel", "lags": 10, "output_chunk_length": 1, "n_estimators": 100},
              grid=dict(_LAG_GRID), fast={"lags": 10, "n_estimators": 10, "max_depth": 8},
              citation="Breiman, L. Random forests. Machine Learning 45, 5 (2001)."),
    ModelSpec("lightgbm", _T, "machine-learning", "gradient-boosted trees (LightGBM) on lagged values",
              extra="darts", requires=("darts", "lightgbm"),
              params={"darts_class": "LightGBMModel", "lags": 10, "output_chunk_length": 1},
              grid=dict(_LAG_GRID), fast={"lags": 10, "n_estimators": 20, "num_leaves": 15},
              citation="Ke, G. et al. LightGBM: a highly efficient gradient boosting decision tree. NeurIPS 2017."),
    ModelSpec("kalman", _T, "statistical", "Kalman filter of a linear state-space model identified by N4SID",
              extra="darts", requires=("darts", "nfoursid"),
              params={"darts_class": "KalmanForecaster", "dim_x": 4}, grid={"dim_x": [2, 4, 8]}, fast={"dim_x": 4},
              citation="Kalman, R. E. A new approach to linear filtering and prediction problems. J. Basic Eng. 82, 35 "
                       "(1960); Van Overschee, P. & De Moor, B. N4SID. Automatica 30, 75 (1994)."),
]
