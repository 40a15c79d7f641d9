"""A neural ODE on the project's JAX stack: an equinox MLP vector field, diffrax, optax.

The history is standardised per column; time is measured in samples. An MLP ``f`` defines
``dz/dtau = f(z)``; it is trained by integrating short windows (``window`` samples) from their
first point with diffrax (fixed-step Tsit5, ``substeps`` steps per sample, backpropagation
through the solver) and minimising the mean squared error to the observed window, with Adam
(optax) on random minibatches of windows. Short windows keep the gradients bounded on chaotic
data (multiple shooting in its simplest form). The forecast integrates the learned field from
the last observed sample.

References: Chen, R. T. Q. et al. Neural ordinary differential equations. NeurIPS 2018;
Kidger, P. On neural differential equations. PhD thesis, Oxford (2021).
"""

from __future__ import annotations

import functools

import numpy as np

from chaoszoo.errors import InvalidArgumentError, ModelError, NotFittedError
from chaoszoo.forecast.interface import ForecastInfo, as_history
from chaoszoo.forecast.registry import ModelSpec


def _mlp(d: int, width: int, depth: int, key):
    import equinox as eqx
    import jax

    return eqx.nn.MLP(d, d, width, depth, activation=jax.nn.tanh, key=key)


@functools.cache
def _functions(substeps: int):
    """Jitted rollout and training step (cached per substep count; jax caches per shape)."""
    import diffrax
    import equinox as eqx
    import jax
    import jax.numpy as jnp

    solver = diffrax.Tsit5()
    h = 1.0 / substeps

    def rollout(model, z0, n):
        # fixed steps of diffrax's Tsit5 in a scan: the same arithmetic as diffeqsolve with
        # ConstantStepSize, without its adaptive-loop and adjoint machinery, which compiles
        # several times slower (measured: the conformance test's compile went from ~40 s CPU)
        term = diffrax.ODETerm(lambda t, y, args: model(y))

        def one(carry, k):
            y, state = carry
            t0 = k * h
            y1, _, _, state, _ = solver.step(term, t0, t0 + h, y, None, state, made_jump=False)
            return (y1, state), None

        def sample(carry, i):
            carry, _ = jax.lax.scan(one, carry, i * substeps + jnp.arange(substeps, dtype=z0.dtype))
            return carry, carry[0]

        state0 = solver.init(term, 0.0, h, z0, None)
        _, ys = jax.lax.scan(sample, (z0, state0), jnp.arange(n, dtype=z0.dtype))
        return ys

    def loss(model, windows):
        pred = jax.vmap(lambda w: rollout(model, w[0], windows.shape[1] - 1))(windows)
        return jnp.mean((pred - windows[:, 1:]) ** 2)

    @eqx.filter_jit
    def train_step(model, opt_state, windows, optimizer):
        value, grads = eqx.filter_value_and_grad(loss)(model, windows)
        updates, opt_state = optimizer.update(grads, opt_state, eqx.filter(model, eqx.is_array))
        return eqx.apply_updates(model, updates), opt_state, value

    @eqx.filter_jit
    def forecast(model, z0, n):
        return rollout(model, z0, n)

    return train_step, forecast


@functools.cache
def _optimizer(learning_rate: float):
    """One optax object per learning rate, so the jitted step (static in it) compiles once."""
    import optax

    return optax.adam(learning_rate)


class NeuralODE:
    """MLP vector field trained on short windows, integrated forward to forecast.

    Arguments:
        width, depth: hidden width and number of hidden layers of the MLP.
        window: samples per training window (the rollout length is ``window - 1``).
        steps: Adam steps; batch_size: windows per step; learning_rate: Adam's step size.
        substeps: solver steps per sample.
    """

    def __init__(self, width: int = 64, depth: int = 2, window: int = 8, steps: int = 1000, batch_size: int = 32,
                 learning_rate: float = 3e-3, substeps: int = 2):
        self.width, self.depth, self.window = int(width), int(depth), int(window)
        self.steps, self.batch_size, self.substeps = int(steps), int(batch_size), int(substeps)
        self.learning_rate = float(learning_rate)
        if min(self.width, self.depth, self.steps, self.batch_size, self.substeps) < 1 or self.window < 2:
            raise InvalidArgumentError("width, depth, steps, batch_size and substeps must be positive; window >= 2.")
        self._leaves = None

    def _model(self, d: int, leaves):
        """The MLP rebuilt from its array leaves (kept as NumPy so the fitted model pickles)."""
        import equinox as eqx
        import jax

        from chaoszoo.engine._jax import x64

        with x64():
            params, static = eqx.partition(_mlp(d, self.width, self.depth, jax.random.PRNGKey(0)), eqx.is_array)
            treedef = jax.tree_util.tree_structure(params)
            params = jax.tree_util.tree_unflatten(treedef, [jax.numpy.asarray(v) for v in leaves])
            return eqx.combine(params, static)

    def fit(self, history, info: ForecastInfo | None = None):
        info = info if info is not None else ForecastInfo()
        h = as_history(history)
        n, d = h.shape
        if n < self.window + 1:
            raise InvalidArgumentError(f"NeuralODE needs more than window={self.window} samples of history; got {n}.")
        self._mu = h.mean(axis=0)
        sd = h.std(axis=0)
        self._sd = np.where(sd > 0, sd, 1.0)
        z = (h - self._mu) / self._sd
        starts = np.arange(n - self.window + 1)
        windows_all = np.stack([z[s:s + self.window] for s in starts])
        rng = np.random.default_rng(int(info.seed))

        import equinox as eqx
        import jax

        from chaoszoo.engine._jax import x64

        train_step, _ = _functions(self.substeps)
        with x64():
            model = _mlp(d, self.width, self.depth, jax.random.PRNGKey(int(info.seed)))
            # start near the zero field: the last layer scaled down, so early rollouts stay bounded
            last = model.layers[-1]
            model = eqx.tree_at(lambda m: (m.layers[-1].weight, m.layers[-1].bias), model,
                                (last.weight * 0.1, last.bias * 0.0))
            optimizer = _optimizer(self.learning_rate)
            opt_state = optimizer.init(eqx.filter(model, eqx.is_array))
            b = min(self.batch_size, len(windows_all))
            value = np.nan
            for _ in range(self.steps):
                idx = rng.choice(len(windows_all), size=b, replace=False)
                model, opt_state, value = train_step(model, opt_state, jax.numpy.asarray(windows_all[idx]), optimizer)
            value = float(value)
            if not np.isfinite(value):
                raise ModelError("NeuralODE training diverged (non-finite loss); lower the learning rate or the window.")
            self._leaves = [np.asarray(v) for v in jax.tree_util.tree_leaves(eqx.filter(model, eqx.is_array))]
        self.train_loss_ = value
        self._d = d
        self._z0 = z[-1].copy()
        self._bound = 1e3 * max(1.0, float(np.max(np.abs(z))))
        return self

    def predict(self, horizon: int) -> np.ndarray:
        if self._leaves is None:
            raise NotFittedError("NeuralODE.predict() called before fit().")
        n = int(horizon)
        if n < 1:
            raise InvalidArgumentError(f"horizon must be a positive integer; got {horizon!r}.")
        import jax.numpy as jnp

        from chaoszoo.engine._jax import x64

        _, forecast = _functions(self.substeps)
        with x64():
            model = self._model(self._d, self._leaves)
            zs = np.asarray(forecast(model, jnp.asarray(self._z0), n), dtype=np.float64)
        if not np.all(np.isfinite(zs)) or np.max(np.abs(zs)) > self._bound:
            raise ModelError("The NeuralODE forecast blew up (the learned field is unstable); train longer or on "
                             "shorter windows.")
        return zs * self._sd + self._mu


SPECS = [
    ModelSpec("neural-ode", "chaoszoo.forecast.models.neural_ode:NeuralODE", "dynamical-systems",
              "neural ODE: equinox MLP vector field trained on short windows through diffrax, Adam (optax)",
              extra="neuralode", requires=("optax",),
              params={"width": 64, "depth": 2, "window": 8, "steps": 1000},
              grid={"window": [4, 8, 16], "width": [32, 64]},
              fast={"width": 16, "depth": 1, "window": 4, "steps": 40, "batch_size": 16},
              citation="Chen, R. T. Q. et al. Neural ordinary differential equations. NeurIPS 2018; Kidger, P. "
                       "On neural differential equations. PhD thesis, Oxford (2021)."),
]
