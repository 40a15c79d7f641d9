"""An echo state network (reservoir computing) built from reservoirpy's nodes.

A fixed random leaky-tanh reservoir is driven by the (standardised) history; a ridge readout
of the reservoir state and the current input is trained to give the next sample; the forecast
runs the network closed-loop, its output fed back as the next input. The leak rate (the
reservoir's time scale relative to the sampling step) is the hyperparameter that matters most
across sampling rates, so it is in the grid, with the ridge penalty.

Where a protocol does not tune (zero-shot: one context, no training trajectory), the default
``ridge="auto"`` chooses the penalty on the history itself: the readout is fitted on all but
its last fifth for each of ``AUTO_RIDGES``, run closed-loop over that last fifth, and the
penalty with the smallest error (a forecast that blows up loses) is refitted on the whole
history. Measured on the zero-shot task (16 random flows x 4 contexts of 512 samples, 100
units): a fixed penalty of 1e-6 kept 16 of 64 forecasts bounded, 0.1 kept 60 and ``"auto"`` 61,
with the lowest median sMAPE and the longest mean valid time (docs/models.md has the table).

References: Jaeger, H. The "echo state" approach to analysing and training recurrent neural
networks. GMD Report 148 (2001); Pathak, J. et al. Model-free prediction of large
spatiotemporally chaotic systems from data: a reservoir computing approach. Phys. Rev. Lett.
120, 024102 (2018); Trouvain, N. et al. ReservoirPy. ICANN 2020.
"""

from __future__ import annotations

import copy

import numpy as np

from chaoszoo.errors import InvalidArgumentError, ModelError, NotFittedError
from chaoszoo.forecast.interface import ForecastInfo, as_history
from chaoszoo.forecast.registry import ModelSpec


AUTO_RIDGES = (1e-6, 1e-4, 1e-2, 1e-1, 1.0)


class EchoStateNetwork:
    """Leaky echo state network with a ridge readout, run closed-loop to forecast.

    Arguments:
        units: reservoir size.
        lr: leak rate in (0, 1] (1: no leak).
        sr: spectral radius of the recurrent matrix.
        input_scaling: scale of the input weights (inputs are z-scored).
        rc_connectivity: density of the recurrent matrix.
        ridge: ridge penalty of the readout, or ``"auto"``: chosen from ``AUTO_RIDGES`` by a
            closed-loop forecast of the last fifth of the history (see the module docstring).
        warmup: reservoir states discarded before training the readout (washout).
    """

    def __init__(self, units: int = 500, lr: float = 0.5, sr: float = 0.9, input_scaling: float = 0.5,
                 rc_connectivity: float = 0.1, ridge: float | str = "auto", warmup: int = 50):
        self.units = int(units)
        self.lr = float(lr)
        self.sr = float(sr)
        self.input_scaling = float(input_scaling)
        self.rc_connectivity = float(rc_connectivity)
        if ridge != "auto":
            try:
                ridge = float(ridge)
            except (TypeError, ValueError):
                raise InvalidArgumentError(f"ridge must be a non-negative number or 'auto'; got {ridge!r}.") from None
            if ridge < 0:
                raise InvalidArgumentError(f"ridge must be a non-negative number or 'auto'; got {ridge!r}.")
        self.ridge = ridge
        self.warmup = int(warmup)
        if not 0 < self.lr <= 1:
            raise InvalidArgumentError(f"lr (leak rate) must be in (0, 1]; got {lr!r}.")
        if self.units < 1 or self.warmup < 0:
            raise InvalidArgumentError("units must be positive; warmup non-negative.")
        self._res = None
        self.ridge_ = None  # the penalty the readout was fitted with (the chosen one for "auto")

    def fit(self, history, info: ForecastInfo | None = None):
        info = info if info is not None else ForecastInfo()
        h = as_history(history)
        warmup = min(self.warmup, max(0, (len(h) - 1) // 3))
        if len(h) - 1 - warmup < 4:
            raise InvalidArgumentError(f"EchoStateNetwork needs at least {warmup + 5} samples of history; got {len(h)}.")
        self._mu = h.mean(axis=0)
        sd = h.std(axis=0)
        self._sd = np.where(sd > 0, sd, 1.0)
        z = (h - self._mu) / self._sd
        d = z.shape[1]

        from reservoirpy.nodes import Reservoir

        res = Reservoir(units=self.units, lr=self.lr, sr=self.sr, input_scaling=self.input_scaling,
                        rc_connectivity=self.rc_connectivity, input_connectivity=min(1.0, max(0.1, 1.0 / d)),
                        seed=int(info.seed), input_dim=d)
        states = np.asarray(res.run(z[:-1]))  # states[t]: the reservoir after reading z[t]
        feats = np.hstack([states, z[:-1]])
        end_state = copy.deepcopy(res.state)  # after the history up to z[-2]
        ridge = self._choose_ridge(res, states, feats, z, warmup) if self.ridge == "auto" else self.ridge
        readout = self._readout_fit(ridge, feats[warmup:], z[1 + warmup:])
        self._res, self._readout, self.ridge_ = res, readout, ridge
        # the readout's one-step errors on the history, which predict_samples draws from
        self._resid = z[1 + warmup:] - (feats[warmup:] @ np.asarray(readout.Wout) + np.asarray(readout.bias).ravel())
        self._seed = int(info.seed)
        self._state = end_state
        self._last = z[-1].copy()
        return self

    @staticmethod
    def _readout_fit(ridge: float, x, y):
        from reservoirpy.nodes import Ridge

        readout = Ridge(ridge=ridge)
        try:
            readout.fit(x, y)
        except Exception as err:  # noqa: BLE001
            raise ModelError(f"EchoStateNetwork readout failed: {type(err).__name__}: {err}") from err
        return readout

    def _choose_ridge(self, res, states, feats, z, warmup: int) -> float:
        """The penalty of ``AUTO_RIDGES`` whose readout, fitted on the history but its last fifth,
        forecasts that fifth closed-loop with the smallest mean squared error (z-scored)."""
        n_val = len(z) // 5
        split = len(z) - n_val  # validate on z[split:]; the readout learns z[warmup + 1:split]
        if n_val < 2 or split - 1 - warmup < 4:
            return AUTO_RIDGES[-1]  # too short to validate: the most stable penalty
        best, best_err = AUTO_RIDGES[-1], np.inf
        for ridge in AUTO_RIDGES:
            try:
                readout = self._readout_fit(ridge, feats[warmup:split - 1], z[warmup + 1:split])
                y = self._closed_loop(res, {"out": states[split - 2].copy()}, readout, z[split - 1], n_val)
            except ModelError:
                continue
            err = float(np.mean((y - z[split:]) ** 2))
            if err < best_err:
                best, best_err = ridge, err
        return best

    @staticmethod
    def _closed_loop(res, state, readout, x, n: int, noise=None, freeze: bool = False) -> np.ndarray:
        """``n`` steps of the network fed its own output, from reservoir ``state`` and input ``x``
        (plus ``noise[k]`` at step ``k`` when given). A run that blows up raises, or with
        ``freeze`` stays at its last value from then on."""
        res.state = copy.deepcopy(state)
        out = np.empty((n, x.size))
        for k in range(n):
            s = np.asarray(res.step(x)).ravel()
            x = np.asarray(readout.step(np.concatenate([s, x]))).ravel()
            if noise is not None:
                x = x + noise[k]
            if not np.all(np.isfinite(x)) or np.max(np.abs(x)) > 1e6:
                if freeze:
                    out[k:] = out[k - 1] if k else 0.0
                    break
                raise ModelError(f"EchoStateNetwork forecast blew up at step {k + 1}; try a smaller leak rate, "
                                 "spectral radius or a larger ridge penalty.")
            out[k] = x
        return out

    def predict(self, horizon: int) -> np.ndarray:
        if self._res is None:
            raise NotFittedError("EchoStateNetwork.predict() called before fit().")
        n = int(horizon)
        if n < 1:
            raise InvalidArgumentError(f"horizon must be a positive integer; got {horizon!r}.")
        out = self._closed_loop(self._res, self._state, self._readout, self._last, n)  # repeatable
        return out * self._sd + self._mu

    def predict_samples(self, horizon: int, n: int) -> np.ndarray:
        """``n`` members ``(n, horizon, d)``: the network run closed-loop with noise, its output
        at each step plus a one-step error of the readout on the history drawn at random (a
        residual bootstrap, seeded by ``info.seed``): the model's own error propagated by its
        dynamics. A member that blows up (leaves ``|z| < 1e6``, standardised) stays at its last
        value from then on, as NVAR's do."""
        if self._res is None:
            raise NotFittedError("EchoStateNetwork.predict_samples() called before fit().")
        h, n = int(horizon), int(n)
        if h < 1 or n < 1:
            raise InvalidArgumentError(f"horizon and n must be positive integers; got {horizon!r}, {n!r}.")
        rng = np.random.default_rng([self._seed, 29])
        draws = rng.integers(0, len(self._resid), size=(n, h))
        out = np.stack([self._closed_loop(self._res, self._state, self._readout, self._last, h, self._resid[draws[i]],
                                          freeze=True) for i in range(n)])
        return out * self._sd + self._mu


SPECS = [
    ModelSpec("esn", "chaoszoo.forecast.models.reservoir:EchoStateNetwork", "reservoir",
              "echo state network (leaky tanh reservoir, ridge readout), run closed-loop",
              extra="reservoir", requires=("reservoirpy",),
              params={"units": 500, "lr": 0.5, "sr": 0.9, "ridge": "auto"},
              grid={"lr": [0.1, 0.3, 0.6, 1.0], "ridge": [1e-8, 1e-6, 1e-4]},
              fast={"units": 100, "warmup": 20},
              citation="Jaeger, H. GMD Report 148 (2001); Pathak, J. et al. Phys. Rev. Lett. 120, 024102 (2018); "
                       "Trouvain, N. et al. ReservoirPy, ICANN 2020."),
]
