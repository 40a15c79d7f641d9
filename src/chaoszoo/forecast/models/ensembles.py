"""The floor and the ceiling of the probabilistic track (:mod:`chaoszoo.forecast.probabilistic`).

``climatology`` (a baseline, ranked): every member's value at every step is a state drawn at
random from the history, the climatological distribution a model with no skill at all can give.

``perfect-ensemble`` (a reference, not ranked): the perfect-model ensemble, the true equations
integrated from the true last state perturbed at the observation-noise level; the best
achievable distribution per system and lead time, given the noise.
"""

from __future__ import annotations

import math

import numpy as np

from chaoszoo.errors import InvalidArgumentError
from chaoszoo.forecast.interface import ForecastInfo, as_history
from chaoszoo.forecast.models.baselines import Oracle, _Fitted
from chaoszoo.forecast.registry import ModelSpec


def _count(n) -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise InvalidArgumentError(f"n must be a positive integer; got {n!r}.")
    return int(n)


class Climatology(_Fitted):
    """The climatology of the history: members whose value at each step is a state of the
    history drawn at random (with replacement, seeded), so every step's distribution is the
    history's; the point forecast is the history's mean (as ``naive-mean``). The floor of the
    probabilistic track."""

    def fit(self, history, info: ForecastInfo | None = None):
        self._h = as_history(history)
        self._seed = int(info.seed) if info is not None else 0
        return self

    def predict(self, horizon: int) -> np.ndarray:
        n = self._check(horizon)
        return np.tile(self._h.mean(axis=0), (n, 1))

    def predict_samples(self, horizon: int, n: int) -> np.ndarray:
        h, n = self._check(horizon), _count(n)
        idx = np.random.default_rng([self._seed, 11]).integers(0, len(self._h), size=(n, h))
        return self._h[idx]


class PerfectEnsemble(Oracle):
    """A reference, not a competitor: the perfect-model ensemble. Each of ``n`` members starts
    from the true last state of the history perturbed at the observation-noise level
    (``info.noise`` times each variable's attractor standard deviation, seeded, as
    ``oracle-ensemble``'s), is integrated with the true equations and seen through the series'
    observables; in a noisy variant each member then gets observation noise of the variant's
    level (the history's standard deviation times ``noise / sqrt(1 + noise^2)``: the clean
    series' spread), so that the ensemble is the distribution of what is observed, the target
    it is scored against. Without noise every member is the exact continuation. The point
    forecast is the members' mean. The ceiling of the probabilistic track."""

    def __init__(self, members: int = 50, floor: float = 0.0):
        super().__init__(floor)
        self.members = _count(members)

    def predict(self, horizon: int) -> np.ndarray:
        return self.predict_samples(horizon, self.members).mean(axis=0)

    def predict_samples(self, horizon: int, n: int) -> np.ndarray:
        h, n = self._check(horizon), _count(n)
        perturbed = bool(np.any(self._kick))  # the noise level (or floor) is above zero
        rng = np.random.default_rng([int(self._info.seed), 29])
        if perturbed:
            starts = self._state + self._kick * rng.standard_normal((n, self._state.size))
        else:  # every member is the same: integrate one
            starts = self._state[None, :]
        saved = self._states
        self._states = starts
        try:
            ys = self._trajectories(h)
        finally:
            self._states = saved
        if not perturbed:
            return np.repeat(ys, n, axis=0)
        noise = self._info.noise
        if noise > 0:
            obs_sd = noise * self._h.std(axis=0) / math.sqrt(1.0 + noise * noise)
            ys = ys + obs_sd * rng.standard_normal(ys.shape)
        return ys


SPECS = [
    ModelSpec("climatology", "chaoszoo.forecast.models.ensembles:Climatology", "baseline",
              "the history's climatology: members drawn at random from the history's states (the probabilistic floor)",
              citation="Murphy, A. H. (1988). Skill scores based on the mean square error and their relationships to "
                       "the correlation coefficient. Mon. Weather Rev. 116, 2417."),
    ModelSpec("perfect-ensemble", "chaoszoo.forecast.models.ensembles:PerfectEnsemble", "oracle",
              "reference: perfect-model ensemble, the true equations from the true last state perturbed at the noise "
              "level, members returned as samples (the probabilistic ceiling)",
              citation="Leith, C. E. (1974). Theoretical skill of Monte Carlo forecasts. Mon. Weather Rev. 102, 409."),
]
