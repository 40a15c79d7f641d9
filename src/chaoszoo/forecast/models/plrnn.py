"""A shallow piecewise-linear RNN trained with generalized teacher forcing (dynamical-systems reconstruction).

Model (the shallow PLRNN of Hess et al. 2023), latent ``z`` of dimension ``M >= d``::

    z_t = A z_{t-1} + W1 relu(W2 z_{t-1} + h2) + h1,        x_t = z_t[:d]

with ``A`` diagonal. The observation model is the identity on the first ``d`` latent units, so
a data point determines the observed part of the state exactly ("identity teacher forcing").

Generalized teacher forcing (GTF): during training, before every step the latent state is
pulled towards the data-inferred state ``z^ = (x_t, z_t[d:])``::

    z~_t = (1 - alpha) z_t + alpha z^_t

which bounds the products of Jacobians along the trajectory and hence the gradients, even on
chaotic data (Hess et al., Theorem 1). Hess et al. also give an adaptive ``alpha`` from an
estimate of the Jacobians' norm; here ``alpha`` is a fixed hyperparameter in the grid (the
adaptive rule is not implemented). The loss is the mean squared error of the predicted
observations over sequences of ``seq_len`` samples; Adam.

The fitted weights are kept as NumPy arrays: the forecast (closed-loop, from the state
inferred by running the model teacher-forced over the whole history) is NumPy, and the fitted
model pickles without torch.

Reference: Hess, F., Monfared, Z., Brenner, M. & Durstewitz, D. Generalized teacher forcing for
learning chaotic dynamics. ICML 2023, PMLR 202, 13017-13049. Written here because no maintained
library implements it (the authors' research code is not a package).
"""

from __future__ import annotations

import numpy as np

from chaoszoo.errors import InvalidArgumentError, ModelError, NotFittedError
from chaoszoo.forecast.interface import ForecastInfo, as_history
from chaoszoo.forecast.registry import ModelSpec


def _relu(x):
    return np.maximum(x, 0.0)


class PLRNN:
    """Shallow PLRNN trained with generalized teacher forcing (fixed ``alpha``).

    Arguments:
        latent: latent dimension ``M`` (at least the number of observed columns).
        hidden: width ``L`` of the ReLU layer.
        alpha: GTF forcing strength in [0, 1] (1: classic teacher forcing, 0: free running).
        seq_len: training sequence length in samples.
        steps: Adam steps; batch_size: sequences per step; learning_rate: Adam's step size.
    """

    def __init__(self, latent: int = 16, hidden: int = 64, alpha: float = 0.2, seq_len: int = 30, steps: int = 1500,
                 batch_size: int = 16, learning_rate: float = 1e-3):
        self.latent, self.hidden, self.seq_len = int(latent), int(hidden), int(seq_len)
        self.alpha, self.steps, self.batch_size = float(alpha), int(steps), int(batch_size)
        self.learning_rate = float(learning_rate)
        if not 0.0 <= self.alpha <= 1.0:
            raise InvalidArgumentError(f"alpha must be in [0, 1]; got {alpha!r}.")
        if min(self.latent, self.hidden, self.steps, self.batch_size) < 1 or self.seq_len < 2:
            raise InvalidArgumentError("latent, hidden, steps and batch_size must be positive; seq_len >= 2.")
        self._w = None

    # -- training (torch) -------------------------------------------------------------------
    def fit(self, history, info: ForecastInfo | None = None):
        info = info if info is not None else ForecastInfo()
        h = as_history(history)
        n, d = h.shape
        if n < self.seq_len + 1:
            raise InvalidArgumentError(f"PLRNN needs more than seq_len={self.seq_len} samples of history; got {n}.")
        m = max(self.latent, d)
        self._mu = h.mean(axis=0)
        sd = h.std(axis=0)
        self._sd = np.where(sd > 0, sd, 1.0)
        x = (h - self._mu) / self._sd

        import torch

        threads = torch.get_num_threads()
        torch.set_num_threads(1)  # tiny matrices: one thread is faster and keeps runs deterministic
        try:
            w = self._train(torch, x, m, int(info.seed))
        finally:
            torch.set_num_threads(threads)
        self._w = w
        self._d, self._m = d, m
        # the latent state at the end of the history, inferred as in training: from (x, 0) seq_len
        # samples back, run with the same forcing; the observed units are then set to the last sample
        z = np.concatenate([x[n - 1 - self.seq_len], np.zeros(m - d)])
        for t in range(n - self.seq_len, n):
            z = self._step(z)
            z[:d] = (1 - self.alpha) * z[:d] + self.alpha * x[t]
        z[:d] = x[-1]
        self._z_last = z.copy()
        self._bound = 1e3 * max(1.0, float(np.max(np.abs(x))))
        return self

    def _train(self, torch, x: np.ndarray, m: int, seed: int) -> dict:
        d = x.shape[1]
        gen = torch.Generator().manual_seed(seed)
        dt = torch.float64
        # initialisation after Hess et al.: A near identity (slow modes), small random W1, W2
        A = torch.full((m,), 0.9, dtype=dt).requires_grad_()
        W1 = (0.1 * torch.randn(m, self.hidden, generator=gen, dtype=dt) / np.sqrt(self.hidden)).requires_grad_()
        W2 = (torch.randn(self.hidden, m, generator=gen, dtype=dt) / np.sqrt(m)).requires_grad_()
        h1 = torch.zeros(m, dtype=dt, requires_grad=True)
        h2 = (0.1 * torch.randn(self.hidden, generator=gen, dtype=dt)).requires_grad_()
        params = [A, W1, W2, h1, h2]
        opt = torch.optim.Adam(params, lr=self.learning_rate)
        data = torch.as_tensor(x, dtype=dt)
        rng = np.random.default_rng(seed)
        n_seq = len(x) - self.seq_len
        b = min(self.batch_size, n_seq)
        alpha = self.alpha
        loss_value = float("nan")
        for _ in range(self.steps):
            starts = rng.choice(n_seq, size=b, replace=False)
            seqs = torch.stack([data[s:s + self.seq_len + 1] for s in starts])  # (b, T+1, d)
            z = torch.zeros(b, m, dtype=dt)
            z = torch.cat([seqs[:, 0], z[:, d:]], dim=1)
            loss = 0.0
            for t in range(1, self.seq_len + 1):
                z = A * z + torch.relu(z @ W2.T + h2) @ W1.T + h1
                loss = loss + torch.mean((z[:, :d] - seqs[:, t]) ** 2)
                # generalized teacher forcing: pull the observed units towards the data
                z = torch.cat([(1 - alpha) * z[:, :d] + alpha * seqs[:, t], z[:, d:]], dim=1)
            loss = loss / self.seq_len
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss_value = float(loss.detach())
            if not np.isfinite(loss_value):
                raise ModelError("PLRNN training diverged (non-finite loss); lower the learning rate or raise alpha.")
        self.train_loss_ = loss_value
        return {k: v.detach().numpy().copy() for k, v in zip(("A", "W1", "W2", "h1", "h2"), params)}

    # -- forecasting (NumPy) ----------------------------------------------------------------
    def _step(self, z):
        w = self._w
        return w["A"] * z + w["W1"] @ _relu(w["W2"] @ z + w["h2"]) + w["h1"]

    def predict(self, horizon: int) -> np.ndarray:
        if self._w is None:
            raise NotFittedError("PLRNN.predict() called before fit().")
        n = int(horizon)
        if n < 1:
            raise InvalidArgumentError(f"horizon must be a positive integer; got {horizon!r}.")
        z = self._z_last.copy()
        out = np.empty((n, self._d))
        for k in range(n):
            z = self._step(z)
            if not np.all(np.isfinite(z)) or np.max(np.abs(z[: self._d])) > self._bound:
                raise ModelError(f"The PLRNN forecast blew up at step {k + 1}; train longer or with a larger alpha.")
            out[k] = z[: self._d]
        return out * self._sd + self._mu


SPECS = [
    ModelSpec("plrnn", "chaoszoo.forecast.models.plrnn:PLRNN", "dynamical-systems",
              "shallow piecewise-linear RNN trained with generalized teacher forcing (fixed alpha)",
              extra="torch", requires=("torch",),
              params={"latent": 16, "hidden": 64, "alpha": 0.2, "seq_len": 30, "steps": 1500},
              grid={"alpha": [0.05, 0.1, 0.2, 0.4], "hidden": [32, 64]},
              fast={"latent": 6, "hidden": 16, "seq_len": 10, "steps": 30, "batch_size": 8, "learning_rate": 3e-3},
              citation="Hess, F., Monfared, Z., Brenner, M. & Durstewitz, D. Generalized teacher forcing for learning "
                       "chaotic dynamics. ICML 2023, PMLR 202:13017-13049."),
]
