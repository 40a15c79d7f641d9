"""An echo state network (reservoir computing) built from reservoirpy's nodes.

A fixed random leaky-tanh reservoir is driven by the (standardised) history; a ridge readout
of the reservoir state and the current input is trained to give the next sample; the forecast
runs the network closed-loop, its output fed back as the next input. The leak rate (the
reservoir's time scale relative to the sampling step) is the hyperparameter that matters most
across sampling rates, so it is in the grid, with the ridge penalty.

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


class EchoStateNetwork:
    """Leaky echo state network with a ridge readout, run closed-loop to forecast.

    Arguments:
        units: reservoir size.
        lr: leak rate in (0, 1] (1: no leak).
        sr: spectral radius of the recurrent matrix.
        input_scaling: scale of the input weights (inputs are z-scored).
        rc_connectivity: density of the recurrent matrix.
        ridge: ridge penalty of the readout.
        warmup: reservoir states discarded before training the readout (washout).
    """

    def __init__(self, units: int = 500, lr: float = 0.5, sr: float = 0.9, input_scaling: float = 0.5,
                 rc_connectivity: float = 0.1, ridge: float = 1e-6, warmup: int = 50):
        self.units = int(units)
        self.lr = float(lr)
        self.sr = float(sr)
        self.input_scaling = float(input_scaling)
        self.rc_connectivity = float(rc_connectivity)
        self.ridge = float(ridge)
        self.warmup = int(warmup)
        if not 0 < self.lr <= 1:
            raise InvalidArgumentError(f"lr (leak rate) must be in (0, 1]; got {lr!r}.")
        if self.units < 1 or self.ridge < 0 or self.warmup < 0:
            raise InvalidArgumentError("units must be positive; ridge and warmup non-negative.")
        self._res = None

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

        from reservoirpy.nodes import Reservoir, Ridge

        res = Reservoir(units=self.units, lr=self.lr, sr=self.sr, input_scaling=self.input_scaling,
                        rc_connectivity=self.rc_connectivity, input_connectivity=min(1.0, max(0.1, 1.0 / d)),
                        seed=int(info.seed), input_dim=d)
        states = np.asarray(res.run(z[:-1]))
        feats = np.hstack([states, z[:-1]])
        readout = Ridge(ridge=self.ridge)
        try:
            readout.fit(feats[warmup:], z[1 + warmup:])
        except Exception as err:  # noqa: BLE001
            raise ModelError(f"EchoStateNetwork readout failed: {type(err).__name__}: {err}") from err
        self._res, self._readout = res, readout
        self._state = copy.deepcopy(res.state)  # reservoir state after the history up to z[-2]
        self._last = z[-1].copy()
        return self

    def predict(self, horizon: int) -> np.ndarray:
        if self._res is None:
            raise NotFittedError("EchoStateNetwork.predict() called before fit().")
        n = int(horizon)
        if n < 1:
            raise InvalidArgumentError(f"horizon must be a positive integer; got {horizon!r}.")
        self._res.state = copy.deepcopy(self._state)  # predict is repeatable
        x = self._last
        out = np.empty((n, x.size))
        for k in range(n):
            s = np.asarray(self._res.step(x)).ravel()
            x = np.asarray(self._readout.step(np.concatenate([s, x]))).ravel()
            if not np.all(np.isfinite(x)) or np.max(np.abs(x)) > 1e6:
                raise ModelError(f"EchoStateNetwork forecast blew up at step {k + 1}; try a smaller leak rate, "
                                 "spectral radius or a larger ridge penalty.")
            out[k] = x
        return out * self._sd + self._mu


SPECS = [
    ModelSpec("esn", "chaoszoo.forecast.models.reservoir:EchoStateNetwork", "reservoir",
              "echo state network (leaky tanh reservoir, ridge readout), run closed-loop",
              extra="reservoir", requires=("reservoirpy",),
              params={"units": 500, "lr": 0.5, "sr": 0.9, "ridge": 1e-6},
              grid={"lr": [0.1, 0.3, 0.6, 1.0], "ridge": [1e-8, 1e-6, 1e-4]},
              fast={"units": 100, "warmup": 20},
              citation="Jaeger, H. GMD Report 148 (2001); Pathak, J. et al. Phys. Rev. Lett. 120, 024102 (2018); "
                       "Trouvain, N. et al. ReservoirPy, ICANN 2020."),
]
