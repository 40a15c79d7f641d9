"""Dataset presets: every setting of a generated collection, as one frozen value.

A :class:`Preset` fixes everything that determines the bytes of a collection: which
systems, how many initial conditions, the trajectory length (in periods), the sampling
densities, the dynamical-noise level, the Lyapunov-time grid, the parameter perturbations
and the seed. Two builds of the same preset (with the same catalog and package versions)
produce byte-identical files.

The standard collection follows the design of the 2021 forecasting benchmark built on
the dysts catalog (Gilpin, W. (2021). Chaos as an interpretable benchmark for forecasting
and data-driven modelling. NeurIPS Datasets and Benchmarks): for every system, training
and testing trajectories from different initial conditions on the attractor, 12 periods
long, sampled finely (100 points per period) and coarsely (15 points per period),
multivariate and univariate, with and without dynamical noise.

Sampling, in formulas. For a flow with dominant period ``T``, granularity ``g`` with
``p_g`` points per period gives ``n_g = round(periods * p_g)`` samples at step
``dt_g = T / p_g``. The Lyapunov grid uses the Lyapunov time ``tau_L = 1 / lambda_max``:
``n_L = round(lyapunov_times * lyapunov_pts)`` samples at ``dt_L = tau_L / lyapunov_pts``.
Maps are sampled every iteration; their fine and coarse rows hold ``n_g`` consecutive
iterates (the same number of samples as a flow's), and they have no Lyapunov grid.

Dynamical noise solves ``dX = f(X) dt + diag(sigma) dW`` with one amplitude per variable,
``sigma_i = noise_level * s_i / sqrt(T)``, where ``s_i`` is the robust spread of variable
``i`` on the attractor (interquartile range / 1.349, equal to the standard deviation for a
Gaussian variable): over one period the noise alone would displace variable ``i`` by about
``noise_level * s_i``. A variable that stays near a boundary most of the time (Rossler's
``z`` near 0) thus gets little noise and is not pushed across it; drifting phases
(``extra["unbounded_indices"]``) get the root-mean-square of the other amplitudes.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from dataclasses import dataclass

from chaoszoo.errors import InvalidArgumentError

GRANULARITIES = ("fine", "coarse")
SPLITS = ("train", "test")


@dataclass(frozen=True)
class Preset:
    """The settings of a dataset build.

    Arguments:
        name: a short identifier (letters, digits, ``-`` and ``_``).
        systems: catalog names to include; ``None`` means every system in the catalog.
        n_ics: initial conditions per split (and per parameter set).
        periods: trajectory length, in periods of the system.
        fine_pts, coarse_pts: samples per period of the fine and coarse granularities.
        granularities: which of ``"fine"`` and ``"coarse"`` to generate.
        splits: which of ``"train"`` and ``"test"`` to generate (they use different
            initial conditions).
        noise_level: relative dynamical-noise level (see the module docstring); ``0``
            disables the noisy variant.
        univariate: also store the one-observable view of every trajectory.
        lyapunov: generate the Lyapunov-time-grid variant (systems without a Lyapunov time
            in the catalog skip it, with the reason recorded in the manifest).
        lyapunov_pts, lyapunov_times: samples per Lyapunov time and length in Lyapunov times.
        lyapunov_noisy: also generate the noisy version of the Lyapunov grid (off by default:
            each noisy grid costs one more compilation of the stochastic solver per system).
        transient_periods: periods integrated from the default initial condition and
            discarded before initial conditions are taken on the attractor.
        ic_spacing_periods: spacing (in periods) of the stretches of the attractor from which
            the starting points of the initial conditions are drawn, one per stretch.
        decorrelation_times: Lyapunov times each initial condition is integrated from its
            starting point, slightly perturbed, before its trajectory begins (bounded to 2-100
            periods; see :func:`chaoszoo.data.generate.decorrelation_span`), so that every
            trajectory follows an orbit of its own and no training trajectory shares a stretch
            with a test trajectory. ``0`` keeps the starting points themselves (points of one
            orbit, as builds before this setting existed did).
        pool_pts: samples per period of the run from which initial conditions are drawn.
        n_param_sets: number of parameter sets per system; ``1`` keeps the catalog values,
            ``m > 1`` adds ``m - 1`` accepted random perturbations (the pre-training corpus).
        param_scale: relative half-width of the uniform parameter perturbation.
        param_check_periods: length of the two-trajectory chaos check of a perturbation.
        max_param_draws: candidate perturbations tried per system before giving up.
        seed: base seed; every random choice is derived from it and from names/indices.
        rtol, atol: tolerances of the adaptive solver.
    """

    name: str
    systems: tuple[str, ...] | None = None
    n_ics: int = 20
    periods: float = 12.0
    fine_pts: int = 100
    coarse_pts: int = 15
    granularities: tuple[str, ...] = GRANULARITIES
    splits: tuple[str, ...] = SPLITS
    noise_level: float = 0.2
    univariate: bool = True
    lyapunov: bool = True
    lyapunov_pts: int = 15
    lyapunov_times: float = 12.0
    lyapunov_noisy: bool = False
    transient_periods: float = 20.0
    ic_spacing_periods: float = 1.0
    decorrelation_times: float = 10.0
    pool_pts: int = 15
    n_param_sets: int = 1
    param_scale: float = 0.1
    param_check_periods: float = 10.0
    max_param_draws: int = 64
    seed: int = 0
    rtol: float = 1e-10
    atol: float = 1e-10

    def __post_init__(self):
        bad = []
        if not isinstance(self.name, str) or not self.name or not all(c.isalnum() or c in "-_" for c in self.name):
            bad.append(f"name must be a non-empty identifier of letters, digits, '-' or '_'; got {self.name!r}")
        if self.systems is not None:
            if isinstance(self.systems, str) or not all(isinstance(s, str) for s in self.systems):
                bad.append(f"systems must be a tuple of names or None; got {self.systems!r}")
            else:
                object.__setattr__(self, "systems", tuple(self.systems))
                if not self.systems:
                    bad.append("systems must name at least one system (or be None for the whole catalog)")
                elif len(set(self.systems)) != len(self.systems):
                    bad.append(f"systems lists a name twice: {self.systems!r}")
        for field in ("n_ics", "fine_pts", "coarse_pts", "lyapunov_pts", "pool_pts", "n_param_sets", "max_param_draws"):
            v = getattr(self, field)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                bad.append(f"{field} must be a positive integer; got {v!r}")
        for field in ("periods", "lyapunov_times", "transient_periods", "ic_spacing_periods", "param_check_periods"):
            v = getattr(self, field)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not (math.isfinite(v) and v > 0):
                bad.append(f"{field} must be a positive number; got {v!r}")
        for field in ("noise_level", "param_scale", "decorrelation_times"):
            v = getattr(self, field)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not (math.isfinite(v) and v >= 0):
                bad.append(f"{field} must be a non-negative number; got {v!r}")
        for field in ("rtol", "atol"):
            v = getattr(self, field)
            if not isinstance(v, float) or not 0 < v < 1:
                bad.append(f"{field} must be a float in (0, 1); got {v!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            bad.append(f"seed must be a non-negative integer; got {self.seed!r}")
        for field, allowed in (("granularities", GRANULARITIES), ("splits", SPLITS)):
            v = getattr(self, field)
            if isinstance(v, str) or not v or any(x not in allowed for x in v) or len(set(v)) != len(v):
                bad.append(f"{field} must be a non-empty tuple of distinct values from {allowed}; got {v!r}")
            else:
                object.__setattr__(self, field, tuple(x for x in allowed if x in v))  # canonical order
        for field in ("univariate", "lyapunov", "lyapunov_noisy"):
            if not isinstance(getattr(self, field), bool):
                bad.append(f"{field} must be True or False; got {getattr(self, field)!r}")
        if bad:
            raise InvalidArgumentError("Invalid dataset preset: " + "; ".join(bad) + ".")

    # --- derived ----------------------------------------------------------------
    def settings(self) -> dict:
        """The settings as a JSON-ready dict (tuples become lists)."""
        out = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            out[f.name] = list(v) if isinstance(v, tuple) else v
        return out

    def fingerprint(self) -> str:
        """SHA-256 of the canonical JSON of the settings (identifies a build's configuration)."""
        text = json.dumps(self.settings(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def replace(self, **changes) -> "Preset":
        """A copy with some settings changed (validated again)."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_settings(cls, settings: dict) -> "Preset":
        """Rebuild a preset from :meth:`settings` (as stored in a manifest)."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(settings) - known
        if unknown:
            raise InvalidArgumentError(f"Unknown preset settings: {', '.join(sorted(unknown))}.")
        kw = {k: tuple(v) if isinstance(v, list) else v for k, v in settings.items()}
        kw.setdefault("decorrelation_times", 0.0)  # written before the setting existed: one-orbit ICs
        return cls(**kw)


#: Systems of the quick preset: a handful of classic flows of different shapes.
QUICK_SYSTEMS = ("Lorenz", "Rossler", "Thomas")

PRESETS: dict[str, Preset] = {
    # A handful of systems and short settings: builds in well under a minute on two cores.
    "quick": Preset(name="quick", systems=QUICK_SYSTEMS, n_ics=4, periods=6.0, fine_pts=30, coarse_pts=10,
                    lyapunov_pts=10, lyapunov_times=6.0, transient_periods=10.0),
    # The benchmark collection: every system, 20 initial conditions per split.
    "standard": Preset(name="standard"),
    # Pre-training corpus: 16 parameter sets (catalog values + 15 accepted perturbations of up
    # to +-10%) x 16 initial conditions, fine sampling, clean and noisy, training split only.
    "large": Preset(name="large", n_ics=16, n_param_sets=16, granularities=("fine",), splits=("train",),
                    univariate=False, lyapunov=False),
}


def get_preset(preset: "str | Preset") -> Preset:
    """The preset called ``preset`` (or ``preset`` itself when it is already a :class:`Preset`).

    Raises:
        InvalidArgumentError: unknown name (lists the known presets).
    """
    if isinstance(preset, Preset):
        return preset
    try:
        return PRESETS[preset]
    except (KeyError, TypeError):
        raise InvalidArgumentError(
            f"Unknown dataset preset {preset!r}; choose one of {', '.join(PRESETS)} "
            "or pass a chaoszoo.data.Preset(...) of your own."
        ) from None
