"""Training darts's torch models without Lightning's training loop: the same model, faster.

darts trains every torch model (``PLForecastingModule``) with a Lightning ``Trainer``; what that
loop does for the models and settings of this zoo is small: per epoch, iterate darts's own
shuffled ``DataLoader``; per batch, forward the module, compute darts's loss, zero the
gradients, back-propagate and step the optimiser (Adam, darts's default). :func:`train` does
exactly that, in that order, over the same module, data loader and optimiser settings, inside
darts's own seeded ``fit`` (so the initial weights and the batch order are darts's), and leaves
the darts model as Lightning would (trained module in ``model.model``, ``on_fit_end`` called).

Two loops (the adapter's ``train_loop``):

``"torch"``
    Bit-identical to darts's Lightning path: every parameter after training equals Lightning's
    bit for bit (``tests/test_forecast_fast_path.py`` checks every darts torch model of the
    registry and the published N-BEATS). Adam is applied to all parameters at once on one flat
    buffer (:class:`FlatAdam`): the element-wise operations of ``torch.optim.Adam``'s CPU path,
    in its order, so the same numbers, without its Python loop over the ~500 parameter tensors
    of the published N-BEATS.
``"torch-fused"``
    The same loop with torch's fused Adam kernel (one pass over the flat buffer) and, for
    darts's generic N-BEATS, the training step written out (:class:`NBeatsKernel`): the same
    model up to float32 rounding (same loss from the same weights, gradients within ~1e-6
    relative), so trajectories drift apart over training as any two float orders do; compared
    with Lightning over systems by ``benchmarks/bench_published_nets.py --equivalence``.

Measured (``benchmarks/bench_published_nets.py``; docs/models.md, "Published configurations at
lower cost"), one thread on the project's loaded 2-core AMD EPYC (Zen 4), the published N-BEATS
(6.07 M parameters) at 15 points per period, CPU-s per 100-epoch fit (medians of interleaved
runs): Lightning 39.6, ``"torch"`` 32.0 (x1.24), ``"torch-fused"`` 16.3 (x2.43); at 100 points
per period 227.5, 199.6 (x1.14), 106.0 (x2.15). The written-out step is used only where it
measured faster than autograd: ``"torch-fused"`` with autograd instead gave x1.24 and x1.52.

What the loop does not do falls back to Lightning, silently and exactly as before (the
reason is in :func:`unsupported`): validation sets, checkpoints, learning-rate schedulers, an
optimiser other than plain Adam, gradient clipping or accumulation, callbacks, precisions
other than float32, step or batch limits, modules that override a training hook.
"""

from __future__ import annotations

import contextlib
import math
import os
import types

#: training loops of the darts adapter: darts's own, and the two of this module.
LOOPS = ("lightning", "torch", "torch-fused")
#: ``"torch-fused"`` trains darts's generic N-BEATS with :class:`NBeatsKernel` (its forward and
#: backward written out) where it applies; False: with autograd, as ``"torch"`` (for measuring).
NBEATS_KERNEL = True
#: the environment variable that sets the adapter's default loop (for a whole run, its workers included).
ENV = "CHAOSZOO_TRAIN_LOOP"


#: The loops that train exactly Lightning's model, bit for bit: an environment variable may choose
#: among them, since the rows do not change. A loop that changes the numbers (``torch-fused``) is
#: a constructor argument, so it is part of the job's setting and recorded in every row.
IDENTICAL_LOOPS = ("torch", "lightning")


def default_loop() -> str:
    """``$CHAOSZOO_TRAIN_LOOP`` or ``"torch"``; a value that is not one of the bit-identical loops
    is an error naming them (``torch-fused`` is chosen per run as a model parameter,
    ``--param train_loop=torch-fused``, so that the rows record it)."""
    from chaoszoo.errors import InvalidArgumentError

    value = os.environ.get(ENV, "").strip() or "torch"
    if value not in IDENTICAL_LOOPS:
        raise InvalidArgumentError(
            f"${ENV} must be one of {', '.join(IDENTICAL_LOOPS)} (the loops that give Lightning's weights bit for bit); "
            f"got {value!r}. A loop that changes the numbers is a model parameter: --param train_loop={value}.")
    return value

#: Lightning hooks that a module may not override for the plain loop to be Lightning's.
_HOOKS = ("training_step", "_train_val_step", "_compute_loss", "configure_optimizers", "on_fit_start",
          "on_train_start", "on_train_epoch_start", "on_train_batch_start", "on_train_batch_end",
          "on_before_backward", "on_after_backward", "on_before_optimizer_step", "on_before_zero_grad",
          "optimizer_step", "optimizer_zero_grad", "configure_gradient_clipping", "on_train_epoch_end",
          "on_train_end", "backward", "lr_scheduler_step", "on_validation_model_train")


def unsupported(tfm, trainer, module, datamodule) -> str | None:
    """Why the plain loop cannot train this darts model as Lightning would (``None``: it can)."""
    try:
        return _unsupported(tfm, trainer, module, datamodule)
    except Exception as err:  # noqa: BLE001 - another darts or Lightning release: let Lightning train
        return f"could not inspect the trainer ({type(err).__name__}: {err})"


def _unsupported(tfm, trainer, module, datamodule) -> str | None:
    import pytorch_lightning as pl
    import torch

    from darts.models.forecasting.pl_forecasting_module import PLForecastingModule

    if not getattr(tfm, "_requires_training", True):
        return "the model needs no training"
    if datamodule.val_dataset is not None:
        return "a validation set"
    if getattr(tfm, "load_ckpt_path", None):
        return "resuming from a checkpoint"
    if module.lr_scheduler_cls is not None:
        return "a learning-rate scheduler"
    if module.optimizer_cls is not torch.optim.Adam:
        return f"optimizer {module.optimizer_cls.__name__} (the loop implements Adam)"
    extra = set(module.optimizer_kwargs) - {"lr", "betas", "eps"}
    if extra:
        return f"optimizer arguments {sorted(extra)}"
    if not getattr(module, "automatic_optimization", True):
        return "manual optimisation"
    if str(trainer.precision) != "32-true":
        return f"precision {trainer.precision}"
    if trainer.callbacks:
        return "callbacks"
    if (trainer.max_steps != -1 or trainer.limit_train_batches != 1.0 or trainer.accumulate_grad_batches != 1
            or trainer.gradient_clip_val is not None or trainer.max_epochs is None or trainer.max_epochs < 0
            or trainer.min_epochs not in (None, 0)):  # (a time limit would be a Timer callback)
        return "trainer limits, clipping or accumulation"
    if getattr(trainer.strategy, "root_device", torch.device("cpu")).type != "cpu":
        return "a device other than the CPU"
    cls = type(module)
    for hook in _HOOKS:
        mine = getattr(cls, hook, None)
        if mine is not getattr(PLForecastingModule, hook, None) and mine is not getattr(pl.LightningModule, hook, None):
            return f"{cls.__name__} overrides {hook}"
    if any(p.dtype != torch.float32 for p in module.parameters()):
        return "parameters that are not float32"
    return None


class IrregularGradients(Exception):
    """A parameter has a gradient at some steps only: the flat update does not apply (the fit is
    redone with Lightning from the same weights and random state)."""


class FlatAdam:
    """``torch.optim.Adam`` (no weight decay, no amsgrad, not maximising) on all parameters at once.

    The parameters are moved into one flat float32 buffer (each as a view, at a 64-byte aligned
    offset, so every matrix product sees the alignment it had), the gradients are gathered into
    another, and the update is applied to the whole buffer. With ``fused=False`` the update is
    the sequence of element-wise operations of ``torch.optim.Adam``'s single-tensor CPU path
    (torch 2.x: ``lerp_``, ``mul_``, ``addcmul_``, ``sqrt``, ``div``, ``add_``, ``addcdiv_``, the
    bias corrections in Python floats), hence the same numbers; with ``fused=True`` it is torch's
    fused Adam kernel (``torch._fused_adam_``) in one call.
    """

    _ALIGN = 16  # float32 elements per 64 bytes

    def __init__(self, params, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, fused=False):
        import torch

        self.params = [p for p in params if p.requires_grad]
        self.lr, (self.beta1, self.beta2), self.eps = float(lr), (float(betas[0]), float(betas[1])), float(eps)
        self.fused = bool(fused)
        offsets, n = [], 0
        for p in self.params:
            offsets.append(n)
            n += -(-p.numel() // self._ALIGN) * self._ALIGN
        self.flat = torch.zeros(n, dtype=torch.float32)
        self.grad = torch.zeros(n, dtype=torch.float32)
        self.exp_avg = torch.zeros(n, dtype=torch.float32)
        self.exp_avg_sq = torch.zeros(n, dtype=torch.float32)
        self._denom = torch.empty(0 if self.fused else n, dtype=torch.float32)
        self._slices = []
        with torch.no_grad():
            for p, off in zip(self.params, offsets):
                view = self.flat[off:off + p.numel()].view_as(p)
                view.copy_(p)
                p.data = view
                self._slices.append((off, p.numel()))
        self._grad_views = [self.grad[o:o + k] for o, k in self._slices]
        self._has_grad = [True] * len(self.params)
        self.step_count = 0
        self._step_t = torch.zeros((), dtype=torch.float32)

    def grad_views(self) -> list:
        """The flat gradient buffer's slice of each parameter, shaped like it."""
        return [v.view_as(p) for v, p in zip(self._grad_views, self.params)]

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def step(self, gathered: bool = False) -> None:
        """Apply one update; ``gathered``: the gradients are already in the flat buffer
        (:class:`NBeatsKernel` writes them there), else they are copied from ``p.grad``."""
        import torch

        if gathered:
            self.step_count += 1
            self._update(torch)
            return
        first = self.step_count == 0
        for i, (view, p) in enumerate(zip(self._grad_views, self.params)):
            if p.grad is None:
                # torch's Adam skips a parameter without gradient; one that never has one (N-BEATS's
                # last backcast head) keeps a zero gradient here and zero moments, so its update is
                # exactly zero. One that has a gradient only at some steps cannot share the flat update.
                if first:
                    self._has_grad[i] = False
                elif self._has_grad[i]:
                    raise IrregularGradients(f"parameter {i} lost its gradient at step {self.step_count + 1}")
                continue
            if not first and not self._has_grad[i]:
                raise IrregularGradients(f"parameter {i} gained a gradient at step {self.step_count + 1}")
            view.copy_(p.grad.reshape(-1))
        self.step_count += 1
        self._update(torch)

    def _update(self, torch) -> None:
        if self.fused:
            self._step_t += 1
            torch._fused_adam_([self.flat], [self.grad], [self.exp_avg], [self.exp_avg_sq], [], [self._step_t],
                               amsgrad=False, lr=self.lr, beta1=self.beta1, beta2=self.beta2, weight_decay=0.0,
                               eps=self.eps, maximize=False, grad_scale=None, found_inf=None)
            return
        # torch.optim.adam._single_tensor_adam, capturable=False, differentiable=False, amsgrad=False
        step = float(self.step_count)
        self.exp_avg.lerp_(self.grad, 1 - self.beta1)
        self.exp_avg_sq.mul_(self.beta2).addcmul_(self.grad, self.grad, value=1 - self.beta2)
        bias_correction1 = 1 - self.beta1 ** step
        bias_correction2 = 1 - self.beta2 ** step
        step_size = self.lr / bias_correction1
        bias_correction2_sqrt = bias_correction2 ** 0.5
        # ``(exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)`` into a buffer kept across steps:
        # the same kernels, element by element; a fresh 24 MB tensor per step (the published
        # N-BEATS) costs page faults, measured 36 ms per update against 13 with the buffer
        denom = torch.sqrt(self.exp_avg_sq, out=self._denom)
        denom.div_(bias_correction2_sqrt).add_(self.eps)
        self.flat.addcdiv_(self.exp_avg, denom, value=-step_size)

    def release(self) -> None:
        """Give every parameter its own storage again (as Lightning leaves them)."""
        for p in self.params:
            p.data = p.data.clone()
            p.grad = None


class NBeatsKernel:
    """One training step of darts's generic N-BEATS written out: forward, MSE loss and backward
    with preallocated buffers and no autograd, the gradients written straight into
    :class:`FlatAdam`'s flat buffer.

    The same computation as darts's ``_NBEATSModule`` with autograd: per block, fully connected
    ReLU layers, the backcast and forecast heads (``Linear`` to the expansion coefficients), the
    generic basis (``Linear`` back to the window and the horizon); the residual ``x - x_hat``
    feeds the next block and the forecasts add up; the loss is the mean squared error. Products
    are the same ``addmm``/``mm`` calls autograd makes, so the loss of a step from the same
    weights is identical and the gradients agree to float32 rounding (the order of some sums
    differs; tests/test_forecast_fast_path.py). What it saves is autograd's bookkeeping (~1,000
    small nodes a step) and the copy of the gradients: on the published N-BEATS, forward and
    backward took 50 (15 points per period) and 40 (100) CPU-ms a step with autograd, 39 and 29
    written out; a whole fit with the fused update, x1.96 and x1.41 less than the same loop with
    autograd (``benchmarks/bench_published_nets.py``, medians of interleaved fits).
    """

    def __init__(self, module, opt: "FlatAdam"):
        import torch

        self.blocks = []
        views = {id(p): v for p, v in zip(opt.params, opt.grad_views())}
        for stack in module.stacks_list:
            for blk in stack.blocks_list:
                fc = list(blk.linear_layer_stack_list)
                heads = (blk.backcast_linear_layer, blk.forecast_linear_layer, blk.backcast_g, blk.forecast_g)
                layers = fc + list(heads)
                self.blocks.append([(m.weight, m.bias, views.get(id(m.weight)), views.get(id(m.bias))) for m in layers])
        self.n_fc = len(fc)
        self._buf = {}
        self._torch = torch

    @staticmethod
    def unsupported(module) -> str | None:
        """Why the written-out step does not apply to ``module`` (``None``: it does)."""
        import torch

        try:
            from darts.models.forecasting.nbeats import _GType, _NBEATSModule
        except ImportError as err:  # another darts release
            return f"darts's N-BEATS module is not where it was ({err})"
        if type(module) is not _NBEATSModule:
            return "not darts's N-BEATS module"
        if module.use_reversible_instance_norm or module.likelihood is not None or module.nr_params != 1:
            return "instance normalisation or a likelihood"
        if module.input_dim != module.output_dim:
            return "covariates"
        if type(module.train_criterion) is not torch.nn.MSELoss or module.train_criterion.reduction != "mean":
            return "a loss other than the mean squared error"
        for stack in module.stacks_list:
            for blk in stack.blocks_list:
                if blk.g_type != _GType.GENERIC or blk.batch_norm or blk.dropout > 0:
                    return "an interpretable stack, batch normalisation or dropout"
                if type(blk.activation) is not torch.nn.ReLU:
                    return f"activation {type(blk.activation).__name__}"
                if not all(type(m) is torch.nn.Linear for m in blk.linear_layer_stack_list):
                    return "a layer other than Linear in a block"
        return None

    def _buffers(self, b: int, x_width: int, y_width: int):
        key = (b, x_width, y_width)
        if key not in self._buf:
            t = self._torch
            per = []
            for layers in self.blocks:
                fc = [t.empty(b, w.shape[0]) for w, *_ in layers[:self.n_fc]]
                wb, wf = layers[self.n_fc][0], layers[self.n_fc + 1][0]
                per.append({"h": fc, "tb": t.empty(b, wb.shape[0]), "tf": t.empty(b, wf.shape[0])})
            width = max(w.shape[0] for layers in self.blocks for w, *_ in layers[:self.n_fc])
            self._buf[key] = {"blocks": per, "x": [t.empty(b, x_width) for _ in range(len(self.blocks) + 1)],
                              "xhat": t.empty(b, x_width), "yhat": t.empty(b, y_width), "y": t.empty(b, y_width),
                              "dy": t.empty(b, y_width), "dx": t.empty(b, x_width), "dxb": t.empty(b, x_width),
                              "dh": t.empty(b * width), "dh2": t.empty(b * width)}
        return self._buf[key]

    def step(self, batch) -> float:
        """Forward, loss and backward of one batch; the gradients are in the flat buffer."""
        t = self._torch
        mm, addmm = t.mm, t.addmm
        threshold_backward = t.ops.aten.threshold_backward.grad_input
        b = batch.past_target.shape[0]
        x0 = batch.past_target.reshape(b, -1)
        target = batch.future_target.reshape(b, -1)
        buf = self._buffers(b, x0.shape[1], target.shape[1])
        nfc = self.n_fc
        xs = buf["x"]
        xs[0].copy_(x0)
        y = buf["y"]
        with t.no_grad():
            for i, layers in enumerate(self.blocks):
                bb = buf["blocks"][i]
                h = xs[i]
                for k in range(nfc):
                    w, bias = layers[k][:2]
                    addmm(bias, h, w.t(), out=bb["h"][k])
                    bb["h"][k].relu_()
                    h = bb["h"][k]
                (wb, bb_, _, _), (wf, bf, _, _), (gb, gbb, _, _), (gf, gfb, _, _) = layers[nfc:]
                addmm(bb_, h, wb.t(), out=bb["tb"])
                addmm(bf, h, wf.t(), out=bb["tf"])
                addmm(gbb, bb["tb"], gb.t(), out=buf["xhat"])
                t.sub(xs[i], buf["xhat"], out=xs[i + 1])
                if i == 0:
                    addmm(gfb, bb["tf"], gf.t(), out=y)
                else:
                    addmm(gfb, bb["tf"], gf.t(), out=buf["yhat"])
                    y.add_(buf["yhat"])
            loss = t.nn.functional.mse_loss(y, target)
            # d loss / d y of the mean squared error: 2 (y - target) / n, as MseLossBackward computes it
            dy = t.sub(y, target, out=buf["dy"]).mul_(2.0 / y.numel())
            dx = buf["dx"].zero_()  # gradient of the residual leaving the block (none after the last)
            for i in range(len(self.blocks) - 1, -1, -1):
                layers = self.blocks[i]
                bb = buf["blocks"][i]
                (wb, _, gwb, gbb_), (wf, _, gwf, gbf), (gb, _, ggb, ggbb), (gf, _, ggf, ggfb) = layers[nfc:]
                hn = bb["h"][nfc - 1]
                # forecast head: y_hat = tf @ Gf^T + gf; tf = h @ Wf^T + bf
                dtf = mm(dy, gf)
                mm(dy.t(), bb["tf"], out=ggf)
                t.sum(dy, 0, out=ggfb)
                mm(dtf.t(), hn, out=gwf)
                t.sum(dtf, 0, out=gbf)
                dh = mm(dtf, wf, out=buf["dh"][:b * hn.shape[1]].view(b, hn.shape[1]))
                if gwb is not None:  # the last block's backcast has no gradient (darts freezes it)
                    dxb = t.neg(dx, out=buf["dxb"])  # d x_hat
                    dtb = mm(dxb, gb)
                    mm(dxb.t(), bb["tb"], out=ggb)
                    t.sum(dxb, 0, out=ggbb)
                    mm(dtb.t(), hn, out=gwb)
                    t.sum(dtb, 0, out=gbb_)
                    dh.addmm_(dtb, wb)
                for k in range(nfc - 1, -1, -1):
                    w, _, gw, gbias = layers[k]
                    hk = bb["h"][k]
                    # ReLU: autograd's own kernel, in place (its output is positive where its input was);
                    # masked_fill_ with a comparison measured ~10x slower here
                    threshold_backward(dh, hk, 0.0, grad_input=dh)
                    h_in = bb["h"][k - 1] if k > 0 else xs[i]
                    mm(dh.t(), h_in, out=gw)
                    t.sum(dh, 0, out=gbias)
                    if k > 0:
                        other = buf["dh2"] if dh.data_ptr() == buf["dh"].data_ptr() else buf["dh"]
                        dh = mm(dh, w, out=other[:b * w.shape[1]].view(b, w.shape[1]))
                    elif i > 0:
                        dx.addmm_(dh, w)  # into the residual entering this block
        return float(loss)


def train(tfm, trainer, model, datamodule, load_best: bool = False, *, fused: bool = False) -> None:
    """Train ``module`` as ``TorchForecastingModel._train`` does with Lightning, without Lightning.

    The signature is darts's ``_train``'s (:func:`installed` puts it on the model for one fit).
    What the loop does not support (:func:`unsupported`) is trained by Lightning instead.
    Raises :class:`chaoszoo.errors.ModelError` when the loss stops being finite (the model
    diverged): Lightning would go on to the end and give a non-finite forecast.
    """
    import torch

    from chaoszoo.errors import ModelError
    from darts.utils.data.torch_datasets.utils import ModuleStage

    module = model  # darts's name for the lightning module (``tfm.model`` after training)
    lightning = type(tfm)._train
    why = unsupported(tfm, trainer, module, datamodule)
    if why is not None:
        tfm._chaoszoo_trained_by = f"lightning ({why})"
        return lightning(tfm, trainer, module, datamodule, load_best)
    rng = torch.random.get_rng_state()
    initial = {k: v.clone() for k, v in module.state_dict().items()}
    tfm._fit_called = True
    kw = module.optimizer_kwargs
    opt = FlatAdam(module.parameters(), lr=kw.get("lr", 1e-3), betas=kw.get("betas", (0.9, 0.999)),
                   eps=kw.get("eps", 1e-8), fused=fused)
    loader = datamodule.train_dataloader()
    criterion = module.train_criterion
    module.train()
    kernel = NBeatsKernel(module, opt) if fused and NBEATS_KERNEL and NBeatsKernel.unsupported(module) is None else None
    irregular = None
    try:
        with torch.enable_grad():
            for epoch in range(int(trainer.max_epochs)):
                for step, batch in enumerate(loader):  # iter() per epoch draws the shuffle as Lightning's does
                    if kernel is not None and batch.sample_weight is None:
                        value = kernel.step(batch)
                    else:
                        out = module(batch.to_module_input(stage=ModuleStage.TRAIN))
                        loss = module._compute_loss(out, batch.future_target, criterion, batch.sample_weight)
                        opt.zero_grad()
                        loss.backward()
                        value = float(loss.detach())
                    if not math.isfinite(value):
                        raise ModelError(f"training diverged: the loss is {value} at epoch {epoch + 1}, batch "
                                         f"{step + 1} (learning rate {opt.lr:g}).")
                    opt.step(gathered=kernel is not None and batch.sample_weight is None)
    except IrregularGradients as err:
        irregular = str(err)
    finally:
        opt.release()
    if irregular is not None:  # start again with Lightning from the same weights and random state
        module.load_state_dict(initial)
        torch.random.set_rng_state(rng)
        tfm._chaoszoo_trained_by = f"lightning ({irregular})"
        return lightning(tfm, trainer, module, datamodule, load_best)
    module.on_fit_end()
    tfm.model = module
    tfm.trainer = trainer
    tfm._chaoszoo_trained_by = ("torch-fused" + (" (N-BEATS kernel)" if kernel is not None else "")) if fused else "torch"


@contextlib.contextmanager
def installed(tfm, loop: str):
    """``tfm`` (a darts ``TorchForecastingModel``) trains with ``loop`` (one of :data:`LOOPS`)
    for the duration of the block; nothing is left on the model afterwards (it pickles as before)."""
    if loop == "lightning":
        yield tfm
        return
    if loop not in LOOPS:
        raise ValueError(f"train_loop must be one of {', '.join(LOOPS)}; got {loop!r}.")
    fused = loop == "torch-fused"
    tfm._train = types.MethodType(lambda self, *a, **k: train(self, *a, fused=fused, **k), tfm)
    try:
        yield tfm
    finally:
        tfm.__dict__.pop("_train", None)
