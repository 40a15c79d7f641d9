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
* trains torch models with a plain torch loop over darts's own module, data and optimiser
  settings (:mod:`chaoszoo.forecast.models.torch_trainer`; bit-identical to Lightning's by
  default, ``train_loop``);
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
        train_loop: how torch models are trained (:mod:`chaoszoo.forecast.models.torch_trainer`):
            ``"torch"``, a plain torch loop over darts's own module, data loader and Adam
            settings that gives Lightning's parameters bit for bit at a fraction of its
            overhead; ``"lightning"``, darts's Lightning ``Trainer``; ``"torch-fused"``, the plain
            loop with torch's fused Adam kernel and, for the generic N-BEATS, its training step
            written out (the same model up to float32 rounding; x2.2-2.4 less CPU than Lightning
            on the published N-BEATS, docs/models.md).
            Default: ``$CHAOSZOO_TRAIN_LOOP`` (``"torch"`` or ``"lightning"`` only: they give the
            same weights), else ``"torch"``. ``"torch-fused"`` changes the numbers, so it is
            chosen as a parameter (``--param train_loop=torch-fused``), which the job's setting
            and every row record; the grid search still runs over the other hyperparameters.
            What the plain loop does not support is trained by Lightning (``trained_by`` says
            which loop trained the last fit).
        kwargs: passed to the darts constructor; ``lags`` and ``input_chunk_length`` may be
            grid strings such as ``"period/4"``. Torch models also get ``n_epochs``,
            ``batch_size`` and the CPU trainer settings; ``random_state`` comes from ``info.seed``.
    """

    def __init__(self, darts_class: str, *, standardize: bool = True, train_loop: str | None = None, **kwargs):
        from chaoszoo.forecast.models.torch_trainer import LOOPS, default_loop

        self.darts_class = str(darts_class)
        self.standardize = bool(standardize)
        train_loop = default_loop() if train_loop is None else train_loop
        if train_loop not in LOOPS:
            raise InvalidArgumentError(f"train_loop must be one of {', '.join(map(repr, LOOPS))}; got {train_loop!r}.")
        self.train_loop = train_loop
        self.trained_by = None
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
        if self.darts_class in _TORCH_CLASSES and isinstance(kw.get("likelihood"), str):
            kw["likelihood"] = _torch_likelihood(kw.pop("likelihood"), kw.pop("quantiles", None))
        if self.darts_class in _TORCH_CLASSES:
            # darts hands these to Lightning unchecked: n_epochs = -1 trains for ever (Lightning's
            # "no limit"), 0 not at all; refused here, with the value
            for key in ("n_epochs", "batch_size", "output_chunk_length"):
                v = kw.get(key, 1)
                if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < 1:
                    raise InvalidArgumentError(f"{self.darts_class}: {key} must be a positive integer; got {v!r}.")
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
                    from chaoszoo.forecast.models.torch_trainer import installed

                    with installed(model, self.train_loop):
                        model.fit(series, verbose=False, dataloader_kwargs={"pin_memory": False})
                    self.trained_by = getattr(model, "_chaoszoo_trained_by", "lightning")
                else:
                    model.fit(series)
            except ModelError as err:  # the plain loop saw the loss diverge
                raise ModelError(f"{self.darts_class} failed to fit: {err}") from err
            except Exception as err:  # noqa: BLE001 - report darts's failure as ours
                raise ModelError(f"{self.darts_class} failed to fit: {type(err).__name__}: {err}") from err
        self._model = model
        self._module = getattr(model, "model", None) if self.darts_class in _TORCH_CLASSES else None
        self._d = h.shape[1]
        self._seed = int(info.seed) & 0x7FFFFFFF
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
        # a model with a likelihood draws its forecast: one sample path, seeded per call (so that
        # every call, and a pickled copy's, gives the same); the probabilistic track asks for many
        seeded = {"random_state": self._seed} if self.kwargs.get("likelihood") else {}
        with _quiet(self.darts_class in _TORCH_CLASSES), guard:
            try:
                if self.darts_class in _TORCH_CLASSES:
                    out = self._model.predict(n, verbose=False, dataloader_kwargs={"pin_memory": False}, **seeded)
                else:
                    out = self._model.predict(n, **seeded)
            except FloatingPointError as err:
                raise ModelError(f"{self.darts_class}: the filter's covariance diverged ({err}); the identified "
                                 "state-space model is numerically unstable; try another dim_x.") from err
            except Exception as err:  # noqa: BLE001
                raise ModelError(f"{self.darts_class} failed to predict: {type(err).__name__}: {err}") from err
        y = np.asarray(out.values(), dtype=np.float64).reshape(n, self._d)
        return y * self._sd + self._mu

    def predict_samples(self, horizon: int, n: int) -> np.ndarray:
        """``n`` sample paths ``(n, horizon, d)`` from a model fitted with a likelihood
        (``likelihood="quantile"`` or, for the torch models, ``"gaussian"``): darts draws each
        step from the predicted distribution and feeds the draw back (seeded by ``info.seed``).
        A model without a likelihood gives point forecasts only: ``NotImplementedError``, which
        the probabilistic track reads as "score ``predict`` as a one-member ensemble"."""
        if self._model is None:
            raise NotFittedError(f"{self.darts_class}.predict_samples() called before fit().")
        if not self.kwargs.get("likelihood") or not getattr(self._model, "supports_probabilistic_prediction", False):
            raise NotImplementedError(f"{self.darts_class} without a likelihood: point forecasts only")
        h, n = int(horizon), int(n)
        if h < 1 or n < 1:
            raise InvalidArgumentError(f"horizon and n must be positive integers; got {horizon!r}, {n!r}.")
        torch_model = self.darts_class in _TORCH_CLASSES
        # the Kalman filter's covariance can overflow (see predict)
        guard = np.errstate(over="raise") if self.darts_class == "KalmanForecaster" else contextlib.nullcontext()
        with _quiet(torch_model), guard:
            try:
                kw = {"verbose": False, "dataloader_kwargs": {"pin_memory": False}} if torch_model else {}
                # seeded per call: every call gives the same paths (darts's own stream would advance)
                out = self._model.predict(h, num_samples=n, random_state=self._seed, **kw)
            except FloatingPointError as err:
                raise ModelError(f"{self.darts_class}: the filter's covariance diverged ({err}).") from err
            except Exception as err:  # noqa: BLE001
                raise ModelError(f"{self.darts_class} failed to sample: {type(err).__name__}: {err}") from err
        y = np.asarray(out.all_values(copy=False), dtype=np.float64).reshape(h, self._d, n)
        return np.transpose(y, (2, 0, 1)) * self._sd + self._mu

    # -- pickling (process pools) ----------------------------------------------------------
    def __getstate__(self):
        state = dict(self.__dict__)
        # darts's own __getstate__ drops the trained lightning module; keep it beside the model
        state["_module"] = self._module
        return state

    def __setstate__(self, state):
        state.setdefault("train_loop", "lightning")  # pickled before the plain loop existed
        state.setdefault("trained_by", None)
        self.__dict__.update(state)
        if self._model is not None and self._module is not None:
            self._model.model = self._module


def _torch_likelihood(name: str, quantiles=None):
    """The darts likelihood object of a torch model named by ``name`` (``"gaussian"`` or
    ``"quantile"``, with ``quantiles``), so that registry settings stay plain values."""
    from darts.utils.likelihood_models import GaussianLikelihood, QuantileRegression

    if name == "gaussian":
        return GaussianLikelihood()
    if name == "quantile":
        return QuantileRegression(quantiles=list(quantiles or PROB_QUANTILES))
    raise InvalidArgumentError(f"likelihood must be 'gaussian' or 'quantile'; got {name!r}.")


#: The quantiles the probabilistic darts models learn (darts samples between them).
PROB_QUANTILES = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95]

# -- registry ---------------------------------------------------------------------------------
#
# The default setting (``params`` and ``grid``) of every model that Gilpin's 2021 or 2023 study
# ran is that study's published configuration; ``fast`` settings are ours (CI, quick looks).
# Sources, all in the public repository williamgilpin/dysts (path @ commit):
#
#   [G21-grid]  benchmarks/find_hyperparameters.py @ 18883c92b07e5b314370ca36e3b8d45164c12f72:
#               the 2021 search space (``parameter_candidates``); its 100-points-per-period lines
#               (network_inputs = [5, 10, int(0.25 p), int(0.5 p), p], commented out in that commit)
#               match the values of the 100-point JSON below; at 15 points per period it used [5, 10, int(0.5 p), p]
#               ("can't have kernel less than 5").
#   [G21-json]  benchmarks/hyperparameters/hyperparameters_train_univariate__pts_per_period_100__periods_12.json
#               @ 922d7c68e1e646629b11fe72abf25f9c87be7db8: the chosen values (networks pick from
#               {5, 10, 25, 50, 100}; the RNNModel entries read (the first 28 systems) all have model LSTM,
#               n_rnn_layers 2, n_epochs 200).
#   [G21-run]   benchmarks/compute_benchmarks.py @ fb3cff25a7461b1c561b09231d79b73db8a2263b:
#               each model is built from its tuned values alone, so every other argument is
#               the darts default of the time.
#   [G21-darts] benchmarks/requirements.txt @ 1353dc632e9269c3b22f334fbe48e734548be666 pins
#               darts==0.10.1; the JSON's RandomForest argument ``lags_exog`` exists only up to
#               darts 0.9.x. The defaults below were read from the darts 0.9.1 and 0.10.1 wheels
#               (identical for every argument used here).
#   [G23-grid]  benchmarks/find_hyperparameters_multivariate.py @ 1353dc632e9269c3b22f334fbe48e734548be666:
#               the 2023 search space (Phys. Rev. Research 5, 043252): network input chunk
#               [5, 10, int(0.25 p), int(0.5 p), p] at p = 100, output chunk [1], lags [3, 5, 10,
#               int(0.25 p)], RNNModel LSTM / 2 layers / 200 epochs, KalmanForecaster {} (no search),
#               tuned by validation sMAPE (2021: MSE).
#   [G23-json]  benchmarks/hyperparameters/hyperparameters_multivariate_train_multivariate__pts_per_period_100__periods_12.json
#               @ 922d7c68e1e646629b11fe72abf25f9c87be7db8 (used by compute_benchmarks_multivariate.py
#               @ 07b6454f844988909baf189a27c6be6ed48e497d and multivariate_data_limited.py
#               @ 0979b1e1df41f720709f99fda5aa3b45cf363f42, which also use darts defaults otherwise).
#   [G23-darts] the 2023 darts release is not pinned (requirements.txt still names 0.10.1, which
#               has no NHiTS, DLinear, NLinear or KalmanForecaster); defaults below were read from
#               the darts 0.23.1 and 0.27.0 wheels (identical for every argument used here).
#
# "p" is the series' points per period: "period/4" etc. resolve per series
# (chaoszoo.forecast.interface.resolve_value), so at 100 points per period the network grid is
# exactly {5, 10, 25, 50, 100}. At 15 points per period the 2021 code searched {5, 7, 10, 15}
# (no quarter period); ours resolves to {5, 10, 4, 8, 15} (one extra candidate, and
# round(7.5) = 8 where the study's int() gave 7).
# Where a study tuned a value, ``params`` holds a member of its grid, used only by protocols that
# do not tune (zero-shot); both studies always tuned.

_T = "chaoszoo.forecast.models.darts_models:DartsForecaster"
_REQ = ("darts", "torch")
_REQ_LIGHT = ("darts",)

# [G21-grid] network_inputs at pts_per_period = 100 (the lines for that setting, commented out in
# that commit) and [G23-grid] network_inputs; the [G21-json] / [G23-json] entries read choose only
# from {5, 10, 25, 50, 100}.
_CHUNK_GRID = {"input_chunk_length": [5, 10, "period/4", "period/2", "period"]}
# [G21-grid] / [G23-grid] time_delays = [3, 5, 10, int(0.25 p)] for LinearRegressionModel and
# RandomForest. ([G21-json] also holds lags = 1 for some systems, outside this grid: the script
# keeps earlier entries (SKIP_EXISTING = True), and earlier versions searched other delays; the
# grid of its final version and of [G23-grid] is this one.)
_LAG_GRID = {"lags": [3, 5, 10, "period/4"]}
# tide and tsmixer are in neither study: their grid is the one this registry used before.
_CHUNK_GRID_UNPUBLISHED = {"input_chunk_length": [5, 10, "period/2", "period"]}

# network_outputs = [1] in [G21-grid] and [G23-grid]; input_chunk_length 10 is the untuned
# fallback (a grid member); batch_size 32 and n_epochs 100 are darts's TorchForecastingModel
# defaults in 0.9.1, 0.10.1, 0.23.1 and 0.27.0, which neither study changed ([G21-run], [G23-json]).
_NET = {"output_chunk_length": 1, "input_chunk_length": 10, "batch_size": 32, "n_epochs": 100}
_NET_FAST = {"input_chunk_length": 10, "n_epochs": 2, "batch_size": 64}

# NBEATSModel: darts 0.9.1/0.10.1 defaults [G21-darts] (the same in 0.23.1/0.27.0 [G23-darts]).
# dropout and activation are not arguments in 0.9/0.10 (its blocks use ReLU and no dropout);
# they are mapped to darts 0.48's equivalents 0.0 and "ReLU".
_NBEATS = {"generic_architecture": True, "num_stacks": 30, "num_blocks": 1, "num_layers": 4, "layer_widths": 256,
           "expansion_coefficient_dim": 5, "trend_polynomial_degree": 2, "dropout": 0.0, "activation": "ReLU"}
# NHiTSModel (2023 only): darts 0.23.1/0.27.0 defaults [G23-darts].
_NHITS = {"num_stacks": 3, "num_blocks": 1, "num_layers": 2, "layer_widths": 512, "pooling_kernel_sizes": None,
          "n_freq_downsample": None, "dropout": 0.1, "activation": "ReLU", "MaxPool1d": True}
# TCNModel: darts 0.9.1/0.10.1 defaults [G21-darts] (the same in 0.23.1/0.27.0). The adapter
# caps kernel_size at input_chunk_length - 1 (darts 0.48 refuses a longer kernel).
_TCN = {"kernel_size": 3, "num_filters": 3, "num_layers": None, "dilation_base": 2, "weight_norm": False,
        "dropout": 0.2}
# TransformerModel: darts 0.9.1/0.10.1 defaults [G21-darts] (the same in 0.23.1/0.27.0). The
# registry used d_model 32, 2 + 2 layers, feed-forward 64 before: not the published model.
_TRANSFORMER = {"d_model": 64, "nhead": 4, "num_encoder_layers": 3, "num_decoder_layers": 3,
                "dim_feedforward": 512, "dropout": 0.1, "activation": "relu"}
# RNNModel: model "LSTM", n_rnn_layers 2, n_epochs 200 are the fixed entries of
# parameter_candidates["RNNModel"] in [G21-grid] and [G23-grid] (as in every RNNModel entry
# of [G21-json] and [G23-json] read here); hidden_dim 25, dropout 0.0, training_length 24 are
# darts defaults [G21-darts].
# darts 0.9/0.10 trained on sequences of training_length whatever input_chunk_length was; darts
# 0.48 refuses training_length < input_chunk_length, so the adapter raises it to
# input_chunk_length + 1 for the windows 25, 50 and 100 (24 is kept for 5 and 10).
_LSTM = {"model": "LSTM", "hidden_dim": 25, "n_rnn_layers": 2, "dropout": 0.0, "training_length": 24,
         "n_epochs": 200}
# BlockRNNModel (2023 only): [G23-grid] searches only the chunk lengths, so the cell is darts's
# default "RNN" (a vanilla Elman RNN, not an LSTM) with hidden_dim 25, one layer [G23-darts].
_BLOCK_RNN = {"model": "RNN", "hidden_dim": 25, "n_rnn_layers": 1, "hidden_fc_sizes": None, "dropout": 0.0}
# DLinearModel (2023 only): darts 0.23.1/0.27.0 defaults [G23-darts].
_DLINEAR = {"shared_weights": False, "kernel_size": 25, "const_init": True}
# NLinearModel (2023 only): darts 0.23.1/0.27.0 defaults [G23-darts]. normalize was False in those
# releases; darts 0.48 defaults to True, so it is set explicitly.
_NLINEAR = {"shared_weights": False, "const_init": True, "normalize": False}


def _deep(name, cls, description, citation, params=None, fast=None, grid=None):
    return ModelSpec(name, _T, "deep", description, extra="darts", requires=_REQ,
                     params={"darts_class": cls, **_NET, **(params or {})},
                     grid=dict(_CHUNK_GRID if grid is None else grid),
                     fast={**_NET_FAST, **(fast or {})}, citation=citation)


SPECS = [
    # 2021 and 2023 ([G21-grid] NBEATSModel, [G23-grid] NBEATSModel).
    _deep("nbeats", "NBEATSModel", "N-BEATS: stacks of fully connected blocks with backward/forward residual links",
          "Oreshkin, B. N. et al. N-BEATS: Neural basis expansion analysis for interpretable time series forecasting. ICLR 2020.",
          params=_NBEATS,
          fast={"num_stacks": 2, "num_blocks": 1, "num_layers": 2, "layer_widths": 16}),
    # 2023 only ([G23-grid] NHiTSModel).
    _deep("nhits", "NHiTSModel", "N-HiTS: N-BEATS with multi-rate pooling and hierarchical interpolation",
          "Challu, C. et al. N-HiTS: Neural hierarchical interpolation for time series forecasting. AAAI 2023.",
          params=_NHITS,
          fast={"num_stacks": 2, "num_blocks": 1, "num_layers": 2, "layer_widths": 16}),
    # 2021 and 2023 ([G21-grid] TCNModel, [G23-grid] TCNModel).
    _deep("tcn", "TCNModel", "temporal convolutional network (dilated causal convolutions)",
          "Bai, S., Kolter, J. Z. & Koltun, V. An empirical evaluation of generic convolutional and recurrent "
          "networks for sequence modeling. arXiv:1803.01271 (2018).",
          params=_TCN,
          fast={"num_filters": 4, "kernel_size": 3}),
    # 2021 and 2023 ([G21-grid] TransformerModel, [G23-grid] TransformerModel).
    _deep("transformer", "TransformerModel", "encoder-decoder transformer on the input window",
          "Vaswani, A. et al. Attention is all you need. NeurIPS 2017.",
          params=_TRANSFORMER,
          fast={"d_model": 8, "nhead": 2, "num_encoder_layers": 1, "num_decoder_layers": 1, "dim_feedforward": 16}),
    # 2021 and 2023 ([G21-grid] RNNModel, [G23-grid] RNNModel). The fast setting keeps its one
    # layer, and training_length 1 lets the adapter use input_chunk_length + 1, as it did before.
    _deep("lstm", "RNNModel", "autoregressive LSTM (darts RNNModel, one step at a time)",
          "Hochreiter, S. & Schmidhuber, J. Long short-term memory. Neural Computation 9, 1735 (1997).",
          params=_LSTM,
          fast={"hidden_dim": 8, "n_rnn_layers": 1, "training_length": 1}),
    # 2023 only ([G23-grid] BlockRNNModel). The fast setting keeps the LSTM cell it had before.
    _deep("block-rnn", "BlockRNNModel",
          "RNN encoder of the input window with a dense output block (darts BlockRNNModel; vanilla RNN cell, "
          "darts's default, as the 2023 study ran it)",
          "darts BlockRNNModel (Herzen, J. et al. Darts: user-friendly modern machine learning for time series. "
          "JMLR 23, 1 (2022)).",
          params=_BLOCK_RNN,
          fast={"model": "LSTM", "hidden_dim": 8}),
    # 2023 only ([G23-grid] DLinearModel).
    _deep("dlinear", "DLinearModel", "DLinear: linear maps of the trend and remainder of the window",
          "Zeng, A. et al. Are transformers effective for time series forecasting? AAAI 2023.",
          params=_DLINEAR),
    # 2023 only ([G23-grid] NLinearModel). The fast setting keeps darts 0.48's normalize=True it had before.
    _deep("nlinear", "NLinearModel", "NLinear: a linear map of the window relative to its last value",
          "Zeng, A. et al. Are transformers effective for time series forecasting? AAAI 2023.",
          params=_NLINEAR, fast={"normalize": True}),
    # In neither study: no published setting; unchanged (darts 0.48 defaults, 100 epochs, the
    # registry's former chunk grid).
    _deep("tide", "TiDEModel", "TiDE: dense encoder-decoder with residual MLP blocks",
          "Das, A. et al. Long-term forecasting with TiDE: time-series dense encoder. TMLR 2023.",
          fast={"hidden_size": 16, "decoder_output_dim": 4, "temporal_decoder_hidden": 8},
          grid=_CHUNK_GRID_UNPUBLISHED),
    _deep("tsmixer", "TSMixerModel", "TSMixer: MLPs mixing along time and along features",
          "Chen, S.-A. et al. TSMixer: an all-MLP architecture for time series forecasting. TMLR 2023.",
          fast={"hidden_size": 16, "ff_size": 16, "num_blocks": 1},
          grid=_CHUNK_GRID_UNPUBLISHED),
    # 2021 and 2023 ([G21-grid] / [G23-grid] LinearRegressionModel: lags only; output chunk 1 is
    # the darts default). lags 10 is the untuned fallback.
    ModelSpec("linear-regression", _T, "machine-learning", "least-squares linear regression on lagged values",
              extra="darts", requires=_REQ_LIGHT,
              params={"darts_class": "LinearRegressionModel", "lags": 10, "output_chunk_length": 1},
              grid=dict(_LAG_GRID), fast={"lags": 10},
              citation="Herzen, J. et al. Darts. JMLR 23, 1 (2022)."),
    # 2021 and 2023 ([G21-grid] / [G23-grid] RandomForest: lags only; darts 0.9/0.10's
    # lags_exog=None is 0.48's default lags_past_covariates=None). n_estimators 100 and max_depth
    # None are darts's RandomForest defaults [G21-darts] [G23-darts].
    ModelSpec("random-forest", _T, "machine-learning", "random forest regression on lagged values",
              extra="darts", requires=_REQ_LIGHT,
              params={"darts_class": "RandomForestModel", "lags": 10, "output_chunk_length": 1, "n_estimators": 100,
                      "max_depth": None},
              grid=dict(_LAG_GRID), fast={"lags": 10, "n_estimators": 10, "max_depth": 8},
              citation="Breiman, L. Random forests. Machine Learning 45, 5 (2001)."),
    # In neither study: darts 0.9/0.10 had no LightGBMModel, and [G23-grid] has its entry
    # (lags grid as above) commented out; it ran XGBModel instead, which this registry lacks.
    # Unchanged: darts/LightGBM defaults and the published lag grid.
    ModelSpec("lightgbm", _T, "machine-learning", "gradient-boosted trees (LightGBM) on lagged values",
              extra="darts", requires=("darts", "lightgbm"),
              params={"darts_class": "LightGBMModel", "lags": 10, "output_chunk_length": 1},
              grid=dict(_LAG_GRID), fast={"lags": 10, "n_estimators": 20, "num_leaves": 15},
              citation="Ke, G. et al. LightGBM: a highly efficient gradient boosting decision tree. NeurIPS 2017."),
    # 2023 only ([G23-grid] parameter_candidates["KalmanForecaster"] = {}; every [G23-json] entry
    # read here is {}): darts's default dim_x = 1 [G23-darts], no search. The registry used dim_x 4 and the
    # grid {2, 4, 8} before; the fast setting keeps dim_x 4.
    # The probabilistic track (chaoszoo.forecast.probabilistic): quantile regression of the
    # linear and tree models and a quantile-loss N-HiTS, sampled step by step by darts. Ours, in
    # neither study; not tuned (fixed lags / window) to keep a catalog-wide run affordable.
    ModelSpec("linear-regression-q", _T, "machine-learning",
              "linear quantile regression on lagged values, sampled step by step (probabilistic)",
              extra="darts", requires=_REQ_LIGHT,
              params={"darts_class": "LinearRegressionModel", "lags": 10, "output_chunk_length": 1,
                      "likelihood": "quantile", "quantiles": PROB_QUANTILES},
              citation="Koenker, R. & Bassett, G. Regression quantiles. Econometrica 46, 33 (1978); darts."),
    ModelSpec("lightgbm-q", _T, "machine-learning",
              "gradient-boosted trees (LightGBM) with quantile loss on lagged values, sampled step by step "
              "(probabilistic)",
              extra="darts", requires=("darts", "lightgbm"),
              params={"darts_class": "LightGBMModel", "lags": 10, "output_chunk_length": 1, "likelihood": "quantile",
                      "quantiles": PROB_QUANTILES},
              fast={"n_estimators": 20, "num_leaves": 15},
              citation="Ke, G. et al. LightGBM. NeurIPS 2017; darts."),
    ModelSpec("nhits-q", _T, "deep", "N-HiTS trained with the quantile loss, sampled step by step (probabilistic)",
              extra="darts", requires=_REQ,
              params={"darts_class": "NHiTSModel", **_NET, **_NHITS, "input_chunk_length": "period/4",
                      "likelihood": "quantile", "quantiles": PROB_QUANTILES},
              fast={**_NET_FAST, "input_chunk_length": "period/4", "num_stacks": 2, "num_blocks": 1, "num_layers": 2,
                    "layer_widths": 16},
              citation="Challu, C. et al. N-HiTS. AAAI 2023; quantile loss: Koenker & Bassett (1978)."),
    ModelSpec("kalman", _T, "statistical", "Kalman filter of a linear state-space model identified by N4SID",
              extra="darts", requires=("darts", "nfoursid"),
              params={"darts_class": "KalmanForecaster", "dim_x": 1}, grid={}, fast={"dim_x": 4},
              citation="Kalman, R. E. A new approach to linear filtering and prediction problems. J. Basic Eng. 82, 35 "
                       "(1960); Van Overschee, P. & De Moor, B. N4SID. Automatica 30, 75 (1994)."),
]
