"""``dysts.sampling``: random initial conditions and parameters, and the solver event classes.

The samplers are callables with dysts's signatures, so they plug into
``model.transform_ic(sampler)`` and ``model.transform_params(sampler)``; each holds its own
``numpy.random.Generator`` seeded by ``random_seed`` (no global state).

The event classes (``TimeLimitEvent``, ``InstabilityEvent``, ``TimeStepEvent``) are the
``solve_ivp``-style event functions of dysts, provided so that code constructing them runs;
chaoszoo's solvers do not take events (``make_trajectory(events=...)`` refuses them) because
they bound every solve themselves: a step budget, and a blow-up check that raises
:class:`~chaoszoo.errors.IntegrationError`. Use them with SciPy's ``solve_ivp`` directly.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from chaoszoo.errors import InvalidArgumentError

__all__ = [
    "BaseSampler", "GaussianInitialConditionSampler", "InstabilityEvent", "OnAttractorInitCondSampler",
    "SignedGaussianParamSampler", "TimeLimitEvent", "TimeStepEvent",
]


@dataclass
class BaseSampler:
    """A seeded random transformation (``rng`` is made from ``random_seed``)."""

    random_seed: int = 0

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng(self.random_seed)

    def set_rng(self, rng: np.random.Generator) -> None:
        """Use another generator (for example one per worker process)."""
        self.rng = rng


@dataclass
class SignedGaussianParamSampler(BaseSampler):
    """Perturb a parameter by Gaussian noise of standard deviation ``sqrt((scale |p|)^2 + eps)``.

    Arguments:
        scale: relative size of the perturbation.
        eps: added to the variance, so a zero parameter is perturbed too.
        sign_match_probability: probability that the perturbation takes the sign of the parameter.
        ignore_probability: probability of leaving the parameter unchanged (reduced as
            ``ignore_probability (1 - exp(-n))`` for a system with ``n`` parameters).
    """

    scale: float = 1e-2
    eps: float = 1e-6
    sign_match_probability: float = 0.0
    ignore_probability: float = 0.0
    verbose: bool = False

    def __call__(self, name: str, param, system=None):
        p_ignore = self.ignore_probability
        if system is not None:
            p_ignore *= 1 - np.exp(-len(system.param_list))
        if self.rng.random() < p_ignore:
            return param
        value = np.asarray(param, dtype=np.float64)
        sd = np.sqrt((self.scale * np.abs(value)) ** 2 + self.eps)
        delta = self.rng.standard_normal(value.shape) * sd
        if self.rng.random() < self.sign_match_probability:
            delta = np.sign(value) * np.abs(delta)
        out = value + delta
        return float(out) if np.ndim(param) == 0 else out


@dataclass
class GaussianInitialConditionSampler(BaseSampler):
    """Perturb each component ``x_i`` of an initial condition by ``N(0, (scale x_i)^2)``."""

    scale: float = 1e-4
    verbose: bool = False

    def __call__(self, ic, system=None) -> np.ndarray:
        ic = np.asarray(ic, dtype=np.float64)
        return ic + self.scale * np.abs(ic) * self.rng.standard_normal(ic.shape)


@dataclass
class OnAttractorInitCondSampler(BaseSampler):
    """Draw an initial condition from a reference trajectory on the system's attractor.

    The reference (``reference_traj_length`` samples over ``reference_traj_n_periods``
    periods, the first ``reference_traj_transient`` fraction dropped) is computed once per
    system name and cached.
    """

    reference_traj_length: int = 4096
    reference_traj_transient: float = 0.2
    reference_traj_n_periods: int = 40
    reference_traj_atol: float = 1e-7
    reference_traj_rtol: float = 1e-6
    trajectory_cache: dict = field(default_factory=dict)
    silence_integration_errors: bool = False
    recompute_standardization: bool = False
    events: list | None = None
    verbose: int = 0

    def __post_init__(self) -> None:
        super().__post_init__()
        if not 0 < self.reference_traj_transient < 1:
            raise InvalidArgumentError(
                f"reference_traj_transient must be a fraction in (0, 1); got {self.reference_traj_transient!r}.")
        self.transient = int(self.reference_traj_length * self.reference_traj_transient)

    def clear_cache(self) -> None:
        self.trajectory_cache.clear()

    def __call__(self, ic, system) -> np.ndarray | None:
        from chaoszoo.errors import IntegrationError

        ref = self.trajectory_cache.get(system.name)
        if ref is None:
            try:
                ref = system.make_trajectory(
                    self.reference_traj_length,
                    pts_per_period=self.reference_traj_length // self.reference_traj_n_periods,
                    standardize=False, atol=self.reference_traj_atol, rtol=self.reference_traj_rtol)
            except IntegrationError:
                if not self.silence_integration_errors:
                    raise
                return None
            if self.recompute_standardization:
                system.mean, system.std = ref.mean(axis=0), ref.std(axis=0)
            ref = np.asarray(ref)[self.transient:]
            self.trajectory_cache[system.name] = ref.copy()
        return ref[self.rng.integers(len(ref))].copy()


@dataclass
class TimeLimitEvent:
    """Terminal event: 0 once ``max_duration`` wall-clock seconds have passed since creation/``reset``."""

    system: object
    max_duration: float
    terminal: bool = True
    verbose: bool = False

    def __post_init__(self) -> None:
        self.start_time = time.time()

    def reset(self) -> None:
        self.start_time = time.time()

    def __call__(self, t, y) -> int:
        return 0 if time.time() - self.start_time > self.max_duration else 1


@dataclass
class InstabilityEvent:
    """Terminal event: 0 when a bounded variable exceeds ``threshold`` in magnitude or the state is NaN."""

    system: object
    threshold: float
    terminal: bool = True
    verbose: bool = False

    def __call__(self, t, y) -> int:
        y = np.asarray(y, dtype=np.float64)
        skip = list(getattr(self.system, "unbounded_indices", []) or [])
        bounded = np.abs(np.delete(y, skip)) if skip else np.abs(y)
        return 0 if np.any(bounded > self.threshold) or np.any(np.isnan(y)) else 1


@dataclass
class TimeStepEvent:
    """Terminal event: 0 when two successive calls are closer than ``min_step`` in time."""

    system: object
    min_step: float = 1e-10
    terminal: bool = True
    verbose: bool = False

    def __post_init__(self) -> None:
        self.last_t = float("inf")

    def reset(self) -> None:
        self.last_t = float("inf")

    def __call__(self, t, y) -> int:
        small = abs(t - self.last_t) < self.min_step
        self.last_t = t
        return 0 if small else 1
