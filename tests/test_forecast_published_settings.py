"""The default settings of the models of Gilpin's 2021 and 2023 forecasting studies are the
published ones, and the fast settings still build the models they built before.

The reference is the table below, typed from the public code of the studies (repository
williamgilpin/dysts) and from the darts releases they ran on; it is not read from the registry.
Nothing here trains a model: the checks build the darts and statsforecast objects only.
"""

from __future__ import annotations

import inspect
import itertools

import pytest

from chaoszoo.forecast import registry
from chaoszoo.forecast.interface import ForecastInfo, resolve_params

# -- sources ------------------------------------------------------------------------------------
G21_GRID = "williamgilpin/dysts benchmarks/find_hyperparameters.py @ 18883c92 (parameter_candidates, 100 pts/period)"
G21_JSON = ("williamgilpin/dysts benchmarks/hyperparameters/hyperparameters_train_univariate__pts_per_period_100__"
            "periods_12.json @ 922d7c68")
G21_DARTS = "darts 0.9.1 / 0.10.1 constructor defaults (benchmarks/requirements.txt @ 1353dc63 pins 0.10.1)"
G23_GRID = "williamgilpin/dysts benchmarks/find_hyperparameters_multivariate.py @ 1353dc63 (parameter_candidates)"
G23_DARTS = "darts 0.23.1 / 0.27.0 constructor defaults (the 2023 release is not pinned)"
PMDARIMA = "pmdarima auto_arima defaults (darts AutoARIMA() in compute_benchmarks.py @ fb3cff25 passes none)"

NET_CHUNKS = [5, 10, "period/4", "period/2", "period"]   # G21_GRID / G23_GRID network_inputs, p = 100
LAGS = [3, 5, 10, "period/4"]                            # G21_GRID / G23_GRID time_delays
# what every published network had besides its architecture: output chunk 1 (network_outputs),
# the untuned fallback window 10 (a grid member), darts's batch 32 and 100 epochs
NET = {"output_chunk_length": 1, "input_chunk_length": 10, "batch_size": 32, "n_epochs": 100}

PUBLISHED = {
    "nbeats": ({"darts_class": "NBEATSModel", **NET, "generic_architecture": True, "num_stacks": 30, "num_blocks": 1,
                "num_layers": 4, "layer_widths": 256, "expansion_coefficient_dim": 5, "trend_polynomial_degree": 2,
                "dropout": 0.0, "activation": "ReLU"},
               {"input_chunk_length": NET_CHUNKS}, f"{G21_GRID}; {G21_DARTS}; {G23_GRID}"),
    "nhits": ({"darts_class": "NHiTSModel", **NET, "num_stacks": 3, "num_blocks": 1, "num_layers": 2,
               "layer_widths": 512, "pooling_kernel_sizes": None, "n_freq_downsample": None, "dropout": 0.1,
               "activation": "ReLU", "MaxPool1d": True},
              {"input_chunk_length": NET_CHUNKS}, f"{G23_GRID}; {G23_DARTS}"),
    "tcn": ({"darts_class": "TCNModel", **NET, "kernel_size": 3, "num_filters": 3, "num_layers": None,
             "dilation_base": 2, "weight_norm": False, "dropout": 0.2},
            {"input_chunk_length": NET_CHUNKS}, f"{G21_GRID}; {G21_DARTS}; {G23_GRID}"),
    "transformer": ({"darts_class": "TransformerModel", **NET, "d_model": 64, "nhead": 4, "num_encoder_layers": 3,
                     "num_decoder_layers": 3, "dim_feedforward": 512, "dropout": 0.1, "activation": "relu"},
                    {"input_chunk_length": NET_CHUNKS}, f"{G21_GRID}; {G21_DARTS}; {G23_GRID}"),
    # RNNModel: LSTM, 2 layers, 200 epochs fixed in parameter_candidates (and in the G21_JSON entries read)
    "lstm": ({"darts_class": "RNNModel", **NET, "n_epochs": 200, "model": "LSTM", "hidden_dim": 25, "n_rnn_layers": 2,
              "dropout": 0.0, "training_length": 24},
             {"input_chunk_length": NET_CHUNKS}, f"{G21_GRID}; {G21_JSON}; {G21_DARTS}; {G23_GRID}"),
    "block-rnn": ({"darts_class": "BlockRNNModel", **NET, "model": "RNN", "hidden_dim": 25, "n_rnn_layers": 1,
                   "hidden_fc_sizes": None, "dropout": 0.0},
                  {"input_chunk_length": NET_CHUNKS}, f"{G23_GRID}; {G23_DARTS}"),
    "dlinear": ({"darts_class": "DLinearModel", **NET, "shared_weights": False, "kernel_size": 25, "const_init": True},
                {"input_chunk_length": NET_CHUNKS}, f"{G23_GRID}; {G23_DARTS}"),
    "nlinear": ({"darts_class": "NLinearModel", **NET, "shared_weights": False, "const_init": True, "normalize": False},
                {"input_chunk_length": NET_CHUNKS}, f"{G23_GRID}; {G23_DARTS}"),
    "linear-regression": ({"darts_class": "LinearRegressionModel", "lags": 10, "output_chunk_length": 1},
                          {"lags": LAGS}, f"{G21_GRID}; {G23_GRID}"),
    "random-forest": ({"darts_class": "RandomForestModel", "lags": 10, "output_chunk_length": 1, "n_estimators": 100,
                       "max_depth": None},
                      {"lags": LAGS}, f"{G21_GRID}; {G21_DARTS}; {G23_GRID}"),
    # KalmanForecaster: {} in G23_GRID (no search), so darts's dim_x = 1
    "kalman": ({"darts_class": "KalmanForecaster", "dim_x": 1}, {}, f"{G23_GRID}; {G23_DARTS}"),
    # AutoARIMA: {} in G21_GRID, pmdarima defaults (m = 1, AIC); statsforecast names ic, season_length
    "auto-arima": ({"sf_class": "AutoARIMA", "season_length": 1, "start_p": 2, "start_q": 2, "max_p": 5, "max_q": 5,
                    "max_d": 2, "max_order": 5, "ic": "aic", "test": "kpss", "stepwise": True},
                   {}, f"{G21_GRID}; {PMDARIMA}"),
    # ExponentialSmoothing: seasonal in {ADDITIVE, NONE}, additive trend, undamped, 12-sample season
    "ets": ({"sf_class": "AutoETS", "model": "AAA", "damped": False, "season_length": 12},
            {"model": ["AAA", "AAN"], "season_length": [12], "damped": [False]}, f"{G21_GRID}; {G21_DARTS}"),
    # Theta / FourTheta: season_mode in {ADDITIVE, NONE}
    "theta": ({"sf_class": "Theta", "decomposition_type": "additive"},
              {"season_length": [1, "period"]}, f"{G21_GRID}; {G21_DARTS}"),
    "four-theta": ({"sf_class": "DynamicOptimizedTheta", "decomposition_type": "additive"},
                   {"season_length": [1, "period"]}, f"{G21_GRID}; {G21_DARTS}"),
}

# In neither study: their default setting is the one the registry had before.
UNPUBLISHED = {
    "tide": ({"darts_class": "TiDEModel", **NET}, {"input_chunk_length": [5, 10, "period/2", "period"]}),
    "tsmixer": ({"darts_class": "TSMixerModel", **NET}, {"input_chunk_length": [5, 10, "period/2", "period"]}),
    "lightgbm": ({"darts_class": "LightGBMModel", "lags": 10, "output_chunk_length": 1}, {"lags": LAGS}),
}

# The fast settings as the registry resolved them before the published defaults ({**params, **fast}).
FAST_BEFORE = {
    "nbeats": {"darts_class": "NBEATSModel", "output_chunk_length": 1, "input_chunk_length": 10, "batch_size": 64,
               "n_epochs": 2, "num_stacks": 2, "num_blocks": 1, "num_layers": 2, "layer_widths": 16},
    "nhits": {"darts_class": "NHiTSModel", "output_chunk_length": 1, "input_chunk_length": 10, "batch_size": 64,
              "n_epochs": 2, "num_stacks": 2, "num_blocks": 1, "num_layers": 2, "layer_widths": 16},
    "tcn": {"darts_class": "TCNModel", "output_chunk_length": 1, "input_chunk_length": 10, "batch_size": 64,
            "n_epochs": 2, "num_filters": 4, "kernel_size": 3},
    "transformer": {"darts_class": "TransformerModel", "output_chunk_length": 1, "input_chunk_length": 10,
                    "batch_size": 64, "n_epochs": 2, "d_model": 8, "nhead": 2, "num_encoder_layers": 1,
                    "num_decoder_layers": 1, "dim_feedforward": 16},
    "lstm": {"darts_class": "RNNModel", "output_chunk_length": 1, "input_chunk_length": 10, "batch_size": 64,
             "n_epochs": 2, "model": "LSTM", "hidden_dim": 8, "n_rnn_layers": 1},
    "block-rnn": {"darts_class": "BlockRNNModel", "output_chunk_length": 1, "input_chunk_length": 10, "batch_size": 64,
                  "n_epochs": 2, "model": "LSTM", "hidden_dim": 8, "n_rnn_layers": 1},
    "dlinear": {"darts_class": "DLinearModel", "output_chunk_length": 1, "input_chunk_length": 10, "batch_size": 64,
                "n_epochs": 2},
    "nlinear": {"darts_class": "NLinearModel", "output_chunk_length": 1, "input_chunk_length": 10, "batch_size": 64,
                "n_epochs": 2},
    "tide": {"darts_class": "TiDEModel", "output_chunk_length": 1, "input_chunk_length": 10, "batch_size": 64,
             "n_epochs": 2, "hidden_size": 16, "decoder_output_dim": 4, "temporal_decoder_hidden": 8},
    "tsmixer": {"darts_class": "TSMixerModel", "output_chunk_length": 1, "input_chunk_length": 10, "batch_size": 64,
                "n_epochs": 2, "hidden_size": 16, "ff_size": 16, "num_blocks": 1},
    "linear-regression": {"darts_class": "LinearRegressionModel", "lags": 10, "output_chunk_length": 1},
    "random-forest": {"darts_class": "RandomForestModel", "lags": 10, "output_chunk_length": 1, "n_estimators": 10,
                      "max_depth": 8},
    "lightgbm": {"darts_class": "LightGBMModel", "lags": 10, "output_chunk_length": 1, "n_estimators": 20,
                 "num_leaves": 15},
    "kalman": {"darts_class": "KalmanForecaster", "dim_x": 4},
    "auto-arima": {"sf_class": "AutoARIMA", "max_p": 3, "max_q": 3, "max_P": 0, "max_Q": 0, "approximation": True},
    "ets": {"sf_class": "AutoETS"},
    "theta": {"sf_class": "Theta"},
    "four-theta": {"sf_class": "DynamicOptimizedTheta"},
}

FINE, COARSE = ForecastInfo(pts_per_period=100.0, seed=3), ForecastInfo(pts_per_period=15.0, seed=3)
_MISSING = object()


def _effective(name: str, fast: bool) -> dict:
    spec = registry.get_spec(name)
    return {**spec.params, **(spec.fast if fast else {})}


def _darts(eff: dict, info: ForecastInfo):
    """(darts class, its constructor defaults, the keyword arguments the adapter would pass it)."""
    import darts.models

    from chaoszoo.forecast.models.darts_models import DartsForecaster

    m = DartsForecaster(**eff)
    cls = getattr(darts.models, m.darts_class)
    return cls, _defaults(cls), m._constructor_kwargs(info)


def _stats(eff: dict):
    """(statsforecast class, its constructor defaults, the keyword arguments the adapter passes it)."""
    import statsforecast.models

    eff = dict(eff)
    cls = getattr(statsforecast.models, eff.pop("sf_class"))
    return cls, _defaults(cls), {"season_length": 1, **eff}


def _defaults(cls) -> dict:
    return {k: p.default for k, p in inspect.signature(cls.__init__).parameters.items()
            if p.default is not inspect.Parameter.empty}


@pytest.mark.parametrize("name", sorted(PUBLISHED))
def test_default_setting_is_the_published_one(name):
    params, grid, source = PUBLISHED[name]
    spec = registry.get_spec(name)
    assert spec.params == params, f"{name}: default params differ from {source}"
    assert spec.grid == grid, f"{name}: grid differs from {source}"


@pytest.mark.parametrize("name", sorted(UNPUBLISHED))
def test_models_of_neither_study_keep_their_former_default(name):
    params, grid = UNPUBLISHED[name]
    spec = registry.get_spec(name)
    assert spec.params == params and spec.grid == grid


def test_published_grids_resolve_to_the_studies_sample_counts_at_100_points_per_period():
    # network_inputs = [5, 10, int(0.25 * 100), int(0.5 * 100), 100]; time_delays = [3, 5, 10, int(0.25 * 100)]
    chunks = [resolve_params({"input_chunk_length": v}, FINE)["input_chunk_length"] for v in NET_CHUNKS]
    lags = [resolve_params({"lags": v}, FINE)["lags"] for v in LAGS]
    assert chunks == [5, 10, 25, 50, 100] and lags == [3, 5, 10, 25]
    for name in ("nbeats", "tcn", "transformer", "lstm"):
        g = registry.get_spec(name).grid["input_chunk_length"]
        assert sorted(resolve_params({"w": v}, FINE)["w"] for v in g) == [5, 10, 25, 50, 100]


def test_the_lstm_of_the_2021_benchmark_has_two_layers_and_200_epochs():
    p = registry.get_spec("lstm").params
    assert (p["model"], p["n_rnn_layers"], p["n_epochs"]) == ("LSTM", 2, 200)


_WINDOWED = [(n, w) for n, eff in sorted(FAST_BEFORE.items())
             for w in ([None, 5, 25, 100] if ("input_chunk_length" in eff or "lags" in eff) else [None])]


@pytest.mark.parametrize(("name", "window"), _WINDOWED)
def test_fast_setting_builds_the_same_model_as_before(name, window):
    """Values the fast setting now states explicitly are the library defaults it used implicitly."""
    new, old = _effective(name, fast=True), dict(FAST_BEFORE[name])
    if window is not None:  # a tuned run overrides the window (network) or the lags (regression)
        key = "input_chunk_length" if "input_chunk_length" in old else "lags"
        new[key] = old[key] = window
    if "darts_class" in old:
        cls, defaults, kw_new = _darts(new, FINE)
        _, _, kw_old = _darts(old, FINE)
    else:
        cls, defaults, kw_new = _stats(new)
        _, _, kw_old = _stats(old)
    for key in set(kw_new) | set(kw_old):
        a, b = kw_old.get(key, defaults.get(key, _MISSING)), kw_new.get(key, defaults.get(key, _MISSING))
        assert a == b and a is not _MISSING, f"{name}: {key} was {a!r}, now {b!r}"


@pytest.mark.parametrize("name", sorted(n for n in PUBLISHED if "darts_class" in PUBLISHED[n][0]))
def test_published_darts_settings_construct(name):
    """Every grid candidate at 100 and at 15 points per period builds its darts model (no training)."""
    from chaoszoo.forecast.models.darts_models import _quiet

    spec = registry.get_spec(name)
    keys = sorted(spec.grid)
    candidates = [{}] if not keys else [{keys[0]: v} for v in spec.grid[keys[0]]]
    assert registry.make(name) is not None
    for info in (FINE, COARSE):
        for cand in candidates:
            eff = {**spec.params, **resolve_params(cand, info)}
            cls, _, kw = _darts(eff, info)
            with _quiet():
                model = cls(**kw)
            published = {k: v for k, v in PUBLISHED[name][0].items() if k != "darts_class" and k not in cand
                         and k not in ("kernel_size", "training_length")}  # the adapter may shorten or lengthen these
            got = {k: model.model_params.get(k, _MISSING) for k in published}
            assert got == published, name


@pytest.mark.parametrize("name", ["auto-arima", "ets", "theta", "four-theta"])
def test_published_statsforecast_settings_construct(name):
    spec = registry.get_spec(name)
    keys = sorted(spec.grid)
    combos = [dict(zip(keys, c)) for c in itertools.product(*(spec.grid[k] for k in keys))] or [{}]
    assert registry.make(name) is not None
    for cand in combos:
        cls, _, kw = _stats({**spec.params, **resolve_params(cand, FINE)})
        cls(**kw)
