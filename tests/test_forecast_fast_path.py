"""The darts adapter's plain torch training loops train the same models as darts's Lightning path.

* ``"torch"`` (the default): every parameter after training equals Lightning's bit for bit, for
  every darts torch model of the registry (fast settings), and for the published N-BEATS;
* ``"torch-fused"`` (torch's fused Adam kernel): from the same initial weights one step gives the
  same loss and the same parameters to float32 rounding, and over 10 systems x 5 initial
  conditions the median sMAPE of each system equals Lightning's within the spread over initial
  conditions (the 10-system comparison at the published architecture is
  ``benchmarks/bench_published_nets.py --equivalence``, recorded in docs/models.md);
* configurations the loop does not support are trained by Lightning, as before;
* bad input: a loop that does not exist, epochs or batch sizes darts would hand to Lightning
  unchecked, a training that diverges, a configuration darts refuses and a grid with no window
  that fits the history are errors, and failed rows with the reason in a run.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from extras import require

from chaoszoo.errors import InvalidArgumentError, ModelError
from chaoszoo.forecast import registry
from chaoszoo.forecast.interface import ForecastInfo
from chaoszoo.forecast.models.darts_models import _TORCH_CLASSES
from chaoszoo.forecast.models.torch_trainer import FlatAdam, IrregularGradients

require("darts", "darts")
torch = require("torch", "darts")

DARTS_TORCH = sorted(s.name for s in registry.list_models()
                     if s.target.endswith("darts_models:DartsForecaster") and s.params.get("darts_class") in _TORCH_CLASSES)
INFO = ForecastInfo(pts_per_period=15.0, seed=5)


@pytest.fixture(autouse=True)
def one_thread():
    """As the adapter and the runner's workers train: intra-op threads spin on a loaded machine."""
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def _history(n=150, d=2, seed=0):
    x = np.cumsum(np.random.default_rng(seed).normal(size=(n, d)), axis=0)
    return x + np.sin(np.arange(n) / 2.4)[:, None]


def _params(model) -> torch.Tensor:
    return torch.cat([p.detach().reshape(-1) for p in model._model.model.parameters()])


def _fit(name, loop, history, *, fast=True, **kw):
    m = registry.make(name, fast=fast, train_loop=loop, **kw)
    m.fit(history, INFO)
    return m


def test_the_registry_has_the_darts_torch_models():
    assert {"nbeats", "nhits", "tcn", "transformer", "lstm", "block-rnn", "dlinear", "nlinear", "tide",
            "tsmixer"} <= set(DARTS_TORCH)


@pytest.mark.parametrize("name", DARTS_TORCH)
def test_torch_loop_gives_lightnings_parameters_bit_for_bit(name):
    h = _history()
    light = _fit(name, "lightning", h, n_epochs=2)
    plain = _fit(name, "torch", h, n_epochs=2)
    assert light.trained_by == "lightning" and plain.trained_by == "torch"
    assert torch.equal(_params(light), _params(plain))
    np.testing.assert_array_equal(light.predict(12), plain.predict(12))


def test_torch_loop_is_the_default_and_the_environment_chooses_another(monkeypatch):
    monkeypatch.delenv("CHAOSZOO_TRAIN_LOOP", raising=False)
    assert registry.make("nbeats").train_loop == "torch"
    monkeypatch.setenv("CHAOSZOO_TRAIN_LOOP", "lightning")
    assert registry.make("nbeats").train_loop == "lightning"
    # a loop that changes the numbers is a parameter (recorded in the rows), never the environment's
    assert registry.make("nbeats", train_loop="torch-fused").train_loop == "torch-fused"
    monkeypatch.setenv("CHAOSZOO_TRAIN_LOOP", "torch-fused")
    with pytest.raises(InvalidArgumentError, match="--param train_loop=torch-fused"):
        registry.make("nbeats")
    monkeypatch.setenv("CHAOSZOO_TRAIN_LOOP", "turbo")
    with pytest.raises(InvalidArgumentError, match="CHAOSZOO_TRAIN_LOOP"):
        registry.make("nbeats")


def test_a_fixed_parameter_leaves_the_grid_search_to_the_others():
    from chaoszoo.forecast.jobs import _grid

    spec = registry.get_spec("nvar")
    assert len(spec.grid) >= 2
    full = _grid(spec)
    assert len(full) == int(np.prod([len(v) for v in spec.grid.values()]))
    fixed = sorted(spec.grid)[0]
    part = _grid(spec, {fixed: spec.grid[fixed][0], "train_loop": "x"})
    assert len(part) == len(full) // len(spec.grid[fixed]) and all(fixed not in c for c in part)
    assert _grid(spec, dict.fromkeys(spec.grid)) == [{}]


def test_param_option_reads_key_values_and_refuses_bad_ones():
    import click

    from chaoszoo.cli.forecast import _key_values

    assert _key_values(["alpha=0.5", "train_loop=torch-fused", "flag=true"]) == {
        "alpha": 0.5, "train_loop": "torch-fused", "flag": True}
    for bad in (["alpha"], ["=1"], ["a=1", "a=2"]):
        with pytest.raises(click.UsageError):
            _key_values(bad)


def test_published_nbeats_one_epoch_bit_for_bit():
    """The published architecture (30 stacks of 4 x 256, 6 M parameters, its last backcast head
    without gradient), one epoch of 5 batches."""
    h = _history(d=1)
    light = _fit("nbeats", "lightning", h, fast=False, n_epochs=1)
    plain = _fit("nbeats", "torch", h, fast=False, n_epochs=1)
    assert torch.equal(_params(light), _params(plain))


def _module_and_loader(name="nbeats", fast=False, columns=1):
    """darts's lightning module and training data loader of a fit, built by darts, not trained."""
    import types

    import darts.models
    from darts import TimeSeries

    from chaoszoo.forecast.models.darts_models import DartsForecaster, _quiet

    spec = registry.get_spec(name)
    ad = DartsForecaster(**{**spec.params, **(spec.fast if fast else {})})
    kw = ad._constructor_kwargs(INFO)
    got = {}

    def capture(self, trainer, model, datamodule, load_best=False):
        got.update(module=model, loader=datamodule.train_dataloader())

    with _quiet(True):
        tfm = getattr(darts.models, ad.darts_class)(**kw)
        tfm._train = types.MethodType(capture, tfm)
        tfm.fit(TimeSeries.from_values(_history(d=columns).astype(np.float32)), verbose=False,
                dataloader_kwargs={"pin_memory": False})
    return got["module"], got["loader"]


def _loss(module, batch):
    from darts.utils.data.torch_datasets.utils import ModuleStage

    out = module(batch.to_module_input(stage=ModuleStage.TRAIN))
    return module._compute_loss(out, batch.future_target, module.train_criterion, batch.sample_weight)


def test_fused_loop_one_step_matches_darts_adam_to_float_rounding():
    """Same initial weights and batches: the first loss is identical (no update yet), the weights
    after one Adam step agree to float32 rounding of a 1e-3 step, and so does the next loss."""
    module, loader = _module_and_loader("nbeats", fast=False)
    b1, b2 = list(loader)[:2]
    ref, fused = module, copy.deepcopy(module)
    opt_ref = torch.optim.Adam(ref.parameters())  # darts's configure_optimizers: Adam, its defaults
    opt_f = FlatAdam(fused.parameters(), fused=True)
    with torch.enable_grad():
        l_ref, l_f = _loss(ref, b1), _loss(fused, b1)
        assert l_ref.item() == l_f.item()
        opt_ref.zero_grad()
        l_ref.backward()
        opt_ref.step()
        opt_f.zero_grad()
        l_f.backward()
        opt_f.step()
        moved = max((a - b).abs().max().item() for a, b in zip(ref.parameters(), fused.parameters()))
        assert moved < 1e-6  # the step itself is ~1e-3 per weight
        l2_ref, l2_f = _loss(ref, b2).item(), _loss(fused, b2).item()
    assert abs(l2_ref - l2_f) <= 1e-5 * abs(l2_ref)
    opt_f.release()


@pytest.mark.parametrize("columns", [1, 3])
def test_written_out_nbeats_step_is_autograds_step(columns):
    """The published N-BEATS: from the same weights, the written-out step gives the loss of
    darts's module bit for bit, its gradients to float32 rounding, and after a fused Adam update
    the same next loss to float32 rounding."""
    from chaoszoo.forecast.models.torch_trainer import NBeatsKernel

    module, loader = _module_and_loader("nbeats", fast=False, columns=columns)
    assert NBeatsKernel.unsupported(module) is None
    b1, b2 = list(loader)[:2]
    ref = copy.deepcopy(module)
    opt_ref = FlatAdam(ref.parameters(), fused=True)
    opt = FlatAdam(module.parameters(), fused=True)
    kernel = NBeatsKernel(module, opt)
    with torch.enable_grad():
        loss = _loss(ref, b1)
        opt_ref.zero_grad()
        loss.backward()
    assert kernel.step(b1) == loss.item()
    trained = [p for p in ref.parameters() if p.requires_grad]  # darts freezes the last backcast head
    assert len(trained) == len(opt.grad_views())
    for p, g in zip(trained, opt.grad_views()):
        assert torch.allclose(g, p.grad, rtol=1e-4, atol=1e-6 * float(p.grad.abs().max()) + 1e-12)
    opt_ref.step()
    opt.step(gathered=True)
    with torch.enable_grad():
        l2 = _loss(ref, b2).item()
    assert abs(kernel.step(b2) - l2) <= 1e-5 * abs(l2)
    opt.release()
    opt_ref.release()


def test_the_written_out_step_is_only_for_generic_relu_nbeats():
    from chaoszoo.forecast.models.torch_trainer import NBeatsKernel

    module, _ = _module_and_loader("nbeats", fast=True)
    assert NBeatsKernel.unsupported(module) is None
    tcn, _ = _module_and_loader("tcn", fast=True)
    assert NBeatsKernel.unsupported(tcn) == "not darts's N-BEATS module"
    m = _fit("nbeats", "torch-fused", _history(), n_epochs=1, activation="Tanh")
    assert m.trained_by == "torch-fused"  # autograd: the written-out step knows ReLU only
    assert _fit("nbeats", "torch-fused", _history(), n_epochs=1).trained_by == "torch-fused (N-BEATS kernel)"


def test_flat_adam_equals_torch_adam_and_refuses_irregular_gradients():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(7, 33), torch.nn.ReLU(), torch.nn.Linear(33, 3))
    unused = torch.nn.Linear(5, 5)  # never receives a gradient, as N-BEATS's last backcast head
    params = list(net.parameters()) + list(unused.parameters())
    twin = copy.deepcopy(params)
    flat = FlatAdam(params)
    ref = torch.optim.Adam(twin)
    x, y = torch.randn(32, 7), torch.randn(32, 3)
    for _ in range(5):
        for ps, opt in ((params, flat), (twin, ref)):
            w1, b1, w2, b2 = ps[:4]
            loss = ((torch.relu(x @ w1.T + b1) @ w2.T + b2 - y) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            opt.step()
    assert all(torch.equal(a, b) for a, b in zip(params, twin))
    params[4].grad = torch.ones_like(params[4])  # the unused head suddenly has a gradient
    with pytest.raises(IrregularGradients):
        flat.step()


SYSTEMS = ("Lorenz", "Rossler", "Chen", "Thomas", "Halvorsen", "SprottA", "Aizawa", "Dadras", "Arneodo", "Lorenz84")


def test_fused_loop_matches_lightning_over_ten_systems():
    """N-BEATS (fast architecture, 10 epochs, window 10) on 150 samples of the first variable of
    5 initial conditions per system (15 points per period, 30 forecast): per system, the median
    sMAPE of the two loops differ by less than the initial-condition spread (the larger
    interquartile range of the two)."""
    import chaoszoo as cz
    from chaoszoo.forecast.metrics import smape

    far = []
    for name in SYSTEMS:
        s = cz.get(name)
        ens = s.ensemble(180, n_ics=5, pts_per_period=15, seed=0, transient=200)[:, :, :1]
        sm = {"lightning": [], "torch-fused": []}
        for ic in range(5):
            hist, target = ens[ic, :150], ens[ic, 150:]
            info = ForecastInfo(pts_per_period=15.0, seed=100 + ic)
            for loop in sm:
                m = registry.make("nbeats", fast=True, n_epochs=10, batch_size=32, train_loop=loop)
                m.fit(hist, info)
                sm[loop].append(float(smape(target, m.predict(30))))
        spread = max(float(np.subtract(*np.percentile(v, [75, 25]))) for v in sm.values())
        diff = abs(np.median(sm["lightning"]) - np.median(sm["torch-fused"]))
        if diff > spread:
            far.append((name, diff, spread))
    assert not far, far


def test_unsupported_configurations_are_trained_by_lightning():
    h = _history()
    m = _fit("nbeats", "torch", h, n_epochs=2, lr_scheduler_cls=torch.optim.lr_scheduler.StepLR,
             lr_scheduler_kwargs={"step_size": 1})
    assert m.trained_by == "lightning (a learning-rate scheduler)"
    m2 = _fit("nbeats", "torch", h, n_epochs=2, optimizer_cls=torch.optim.SGD, optimizer_kwargs={"lr": 0.01})
    assert m2.trained_by.startswith("lightning (optimizer SGD")
    ref = _fit("nbeats", "lightning", h, n_epochs=2, optimizer_cls=torch.optim.SGD, optimizer_kwargs={"lr": 0.01})
    assert torch.equal(_params(m2), _params(ref))


def test_pickled_after_the_plain_loop():
    import pickle

    m = _fit("tcn", "torch", _history())
    y = m.predict(7)
    m2 = pickle.loads(pickle.dumps(m))
    assert "_train" not in vars(m2._model)
    np.testing.assert_array_equal(m2.predict(7), y)


# -- bad input --------------------------------------------------------------------------------------
@pytest.mark.parametrize(("kw", "match"), [
    ({"train_loop": "turbo"}, "train_loop must be one of"),
    ({"n_epochs": -1}, "n_epochs must be a positive integer"),  # Lightning would train for ever
    ({"n_epochs": 0}, "n_epochs must be a positive integer"),
    ({"batch_size": 2.5}, "batch_size must be a positive integer"),
])
def test_bad_settings_are_clear_errors(kw, match):
    with pytest.raises(InvalidArgumentError, match=match):
        registry.make("nbeats", fast=True, **kw).fit(_history(), INFO)


def test_diverging_training_is_a_model_error_not_a_silent_nan():
    with pytest.raises(ModelError, match="training diverged: the loss is (nan|inf)"):
        _fit("nbeats", "torch", _history(), optimizer_kwargs={"lr": 1e8})


def _run(tmp_path, protocol="short-coarse", **kw):
    import chaoszoo as cz

    out = tmp_path / "res"
    cz.forecast.run(protocol, ["nbeats"], systems=["Lorenz"], ics=1, variants="uni-clean", fast=True, out=out, jobs=0,
                    progress=False, **kw)
    rows = cz.forecast.load_results(out)
    return rows.to_dict("records") if hasattr(rows, "to_dict") else list(rows)


@pytest.mark.parametrize(("params", "reason"), [
    ({"optimizer_kwargs": {"lr": 1e8}}, "training diverged"),
    ({"num_stacks": 0}, "NBEATSModel failed to fit"),               # darts refuses it inside fit
    ({"layer_widths": -3}, "negative dimension"),
    ({"n_epochs": -1}, "n_epochs must be a positive integer"),
])
def test_bad_configurations_are_failed_rows_with_the_reason(private_cache, tmp_path, params, reason):
    (row,) = _run(tmp_path, params=params)
    assert row["status"] == "failed" and reason in row["error"], row.get("error")


def test_a_grid_with_no_window_for_the_history_is_a_failed_row(private_cache, tmp_path):
    """A 5-sample history: every window of the grid {4, 5, 8, 10, 15} needs more (window + output
    + 1); the search records its failures and the job fails with the window it needed, not a crash."""
    from chaoszoo.forecast.protocols import get_protocol

    proto = get_protocol("short-coarse").with_lengths(history=5)
    (row,) = _run(tmp_path, protocol=proto)
    assert row["status"] == "failed"
    assert "needs a history of at least" in row["error"] and "got 5" in row["error"], row["error"]
    assert row["tuning"]["failed"] == row["tuning"]["candidates"] == 5
