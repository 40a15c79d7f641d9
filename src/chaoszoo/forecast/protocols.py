"""Forecasting protocols: named, versioned, frozen values.

A :class:`ForecastProtocol` fixes everything that determines a benchmark's numbers: the data
(a dataset :class:`~chaoszoo.data.Preset`, generated into the cache on first use and
byte-reproducible), how each trajectory is cut into history and target, the variants
(univariate or multivariate, clean or with measurement noise, history length), whether
hyperparameters are tuned on a separate training trajectory, and how many initial conditions
are used by default. Every result row records the protocol's name and version and the
fingerprint of the task's data (:func:`chaoszoo.forecast.tasks.task_fingerprint`).

Version 2 of every protocol (December 2026) differs from version 1 in its data and in how it
tunes: each initial condition starts an orbit of its own (no train trajectory shares a stretch
with a test target), a variable that grows without bound is observed through its bounded
transform, hyperparameters are tuned once per system (on the train trajectory of initial
condition 0, as in 2021) and shared by every test initial condition, and the default number of
initial conditions is 5 (3 for ``short-fine``, whose jobs cost several times more; 20 for
``zero-shot``), so that leaderboards hold per-system medians over initial conditions and their
spread. Results stores of version 1 are refused.

The published protocols:

``short-coarse`` / ``short-fine``
    Gilpin, W. (2021). Chaos as an interpretable benchmark for forecasting and data-driven
    modelling. NeurIPS Datasets and Benchmarks. Per system a train trajectory (hyperparameters
    tuned on it, its last sixth as validation) and a test trajectory from another initial
    condition, 12 periods at 15 (coarse) or 100 (fine) points per period; fit on the first five
    sixths of the test trajectory, forecast the last sixth. Univariate and multivariate; clean,
    and with measurement noise of 0.2 x each variable's standard deviation added to the whole
    test series (scores against the noisy target, as published, and against the clean one).
``long-horizon``
    Gilpin, W. (2023). Model scale versus domain knowledge in statistical forecasting of chaotic
    systems. Phys. Rev. Research 5, 043252. Multivariate, 100 points per period, 1,000 points
    of history and 5,000 forecast points.
``zero-shot``
    Zhang, Y. & Gilpin, W. (2025). Zero-shot forecasting of chaotic systems. ICLR. Context 512,
    forecast 300, sampled at 30 points per Lyapunov time, 20 initial conditions per system; no
    training trajectory (the model sees only the context).
``data-limited``
    Histories cut to 50-400 points at 100 points per period (two periods forecast), the regime
    in which the 2023 study reports physics-based models to win.
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from dataclasses import dataclass

from chaoszoo.data.presets import Preset
from chaoszoo.errors import InvalidArgumentError


@dataclass(frozen=True)
class Variant:
    """One way of presenting a task: observed columns, measurement noise, history length."""

    univariate: bool
    noise: float = 0.0
    history: int | None = None

    @property
    def label(self) -> str:
        parts = ["uni" if self.univariate else "multi", "noisy" if self.noise > 0 else "clean"]
        if self.history is not None:
            parts.append(f"h{self.history}")
        return "-".join(parts)


@dataclass(frozen=True)
class ForecastProtocol:
    """Settings of a forecasting benchmark (see the module docstring).

    Attributes:
        name, version: identify the protocol; a results store refuses rows of another version.
        preset: the dataset preset the trajectories come from.
        granularity: ``"fine"``, ``"coarse"`` or ``"lyapunov"`` (which sampling of the preset).
        horizon: forecast length in samples, or ``None`` to use ``horizon_fraction``.
        horizon_fraction: the trailing fraction of each trajectory that is forecast.
        history: samples of history (the ones just before the target), ``None`` for all.
        variants: the :class:`Variant` s every model is run on.
        tune: search each model's grid on the train split (validation = its last part), once per
            system and variant: on the train trajectory of initial condition 0.
        default_ics: initial conditions per system unless ``ics`` is given (at most ``preset.n_ics``).
        citation: where the protocol was published.
    """

    name: str
    version: int
    description: str
    preset: Preset
    granularity: str
    variants: tuple[Variant, ...]
    horizon: int | None = None
    horizon_fraction: float | None = None
    history: int | None = None
    tune: bool = True
    default_ics: int = 1
    citation: str = ""

    def __post_init__(self):
        if (self.horizon is None) == (self.horizon_fraction is None):
            raise InvalidArgumentError("A protocol sets exactly one of horizon and horizon_fraction.")
        if self.granularity not in ("fine", "coarse", "lyapunov"):
            raise InvalidArgumentError(f"granularity must be fine, coarse or lyapunov; got {self.granularity!r}.")
        if not self.variants:
            raise InvalidArgumentError("A protocol needs at least one variant.")
        if isinstance(self.default_ics, bool) or not isinstance(self.default_ics, int) \
                or not 1 <= self.default_ics <= self.preset.n_ics:
            raise InvalidArgumentError(f"default_ics must be an integer from 1 to the preset's n_ics "
                                       f"({self.preset.n_ics}); got {self.default_ics!r}.")

    @property
    def max_ics(self) -> int:
        return self.preset.n_ics

    def excludes(self, system) -> str | None:
        """Why this protocol does not apply to ``system`` (a catalog system), or ``None`` when it does.

        A protocol sampled at so many points per Lyapunov time (``zero-shot``) applies to flows
        with a Lyapunov time: a map is sampled once per iteration, as in the published study,
        which benchmarks flows only.
        """
        if self.granularity != "lyapunov":
            return None
        if system.kind == "map":
            return "a map is sampled once per iteration, not at points per Lyapunov time"
        lt = getattr(system, "lyapunov_time", None)
        try:
            ok = lt is not None and math.isfinite(float(lt)) and float(lt) > 0
        except (TypeError, ValueError):
            ok = False
        return None if ok else "the catalog has no Lyapunov time for it"

    def split_lengths(self, n: int, variant: Variant) -> tuple[int, int]:
        """``(history, horizon)`` sample counts for a trajectory of ``n`` samples."""
        horizon = self.horizon if self.horizon is not None else int(round(n * self.horizon_fraction))
        avail = n - horizon
        hist = variant.history or self.history or avail
        if horizon < 1 or hist < 2 or hist > avail:
            raise InvalidArgumentError(
                f"Protocol {self.name!r} cannot cut a trajectory of {n} samples into {hist} + {horizon}.")
        return hist, horizon

    def settings(self) -> dict:
        """JSON-ready description (stored in every results directory)."""
        d = dataclasses.asdict(self)
        d["preset"] = self.preset.settings()
        d["preset_fingerprint"] = self.preset.fingerprint()
        d["variants"] = [dataclasses.asdict(v) | {"label": v.label} for v in self.variants]
        return d

    def replace(self, **changes) -> "ForecastProtocol":
        return dataclasses.replace(self, **changes)

    def with_lengths(self, *, horizon: int | None = None, history: int | None = None) -> "ForecastProtocol":
        """This protocol with another forecast length and/or history length: a protocol of its
        own, named after both (``short-coarse[horizon=50]``), so its results never mix with the
        original's."""
        for name, v in (("horizon", horizon), ("history", history)):
            if v is not None and (isinstance(v, bool) or not isinstance(v, int) or v < (1 if name == "horizon" else 2)):
                raise InvalidArgumentError(f"{name} must be an integer of at least {1 if name == 'horizon' else 2} "
                                           f"samples; got {v!r}.")
        if history is not None and any(v.history is not None for v in self.variants):
            raise InvalidArgumentError(f"The variants of {self.name!r} set their own history lengths "
                                       f"({', '.join(v.label for v in self.variants)}); --history does not apply.")
        changes, tags = {}, []
        if horizon is not None:
            changes.update(horizon=horizon, horizon_fraction=None)
            tags.append(f"horizon={horizon}")
        if history is not None:
            changes["history"] = history
            tags.append(f"history={history}")
        if not tags:
            return self
        base = self.name.split("[")[0]
        return dataclasses.replace(self, name=f"{base}[{','.join(tags)}]", **changes)

    @classmethod
    def from_settings(cls, settings: dict) -> "ForecastProtocol":
        """The protocol described by :meth:`settings` (as a results store records it)."""
        if cls is ForecastProtocol and isinstance(settings, dict) and "members" in settings:
            return ProbabilisticProtocol.from_settings(settings)  # the probabilistic track's settings
        try:
            kw = {f.name: settings[f.name] for f in dataclasses.fields(cls) if f.name in settings}
            kw["preset"] = Preset.from_settings(settings["preset"])
            kw["variants"] = tuple(Variant(bool(v["univariate"]), float(v.get("noise", 0.0)), v.get("history"))
                                   for v in settings["variants"])
            proto = cls(**kw)
        except (KeyError, TypeError, ValueError) as err:
            raise InvalidArgumentError(f"These are not a forecasting protocol's settings ({err}).") from None
        if proto.settings() != settings:
            raise InvalidArgumentError(f"The settings of protocol {settings.get('name')!r} do not describe one "
                                       "protocol of this chaoszoo (written by another version).")
        return proto


#: Quantile levels a probabilistic protocol asks of a model that forecasts quantiles: 0.05 to 0.95
#: by 0.05 (the 50% and 90% central intervals and the median among them).
QUANTILE_LEVELS = tuple(round(0.05 * k, 2) for k in range(1, 20))


@dataclass(frozen=True)
class ProbabilisticProtocol(ForecastProtocol):
    """A protocol of the probabilistic track: the tasks of a point protocol, forecast as
    distributions (:mod:`chaoszoo.forecast.probabilistic`). Its rows hold the point metrics of
    the ensemble mean and the proper scores of the distribution; being a protocol of its own
    (its name and settings), they never mix with a point protocol's.

    Attributes (besides :class:`ForecastProtocol`'s):
        members: ensemble members asked of a model (``predict_samples(horizon, members)``).
        quantile_levels: levels asked of a model that forecasts quantiles instead.
        lead_bins: lead-time bins of the score curves kept in each row.
    """

    members: int = 50
    quantile_levels: tuple = QUANTILE_LEVELS
    lead_bins: int = 20

    def __post_init__(self):
        super().__post_init__()
        if isinstance(self.members, bool) or not isinstance(self.members, int) or self.members < 2:
            raise InvalidArgumentError(f"members must be an integer of at least 2; got {self.members!r}.")
        if isinstance(self.lead_bins, bool) or not isinstance(self.lead_bins, int) or self.lead_bins < 1:
            raise InvalidArgumentError(f"lead_bins must be a positive integer; got {self.lead_bins!r}.")
        try:
            levels = tuple(float(v) for v in self.quantile_levels)
        except (TypeError, ValueError):
            raise InvalidArgumentError(f"quantile_levels must be numbers; got {self.quantile_levels!r}.") from None
        if not levels or any(not 0 < v < 1 for v in levels) or any(b <= a for a, b in zip(levels, levels[1:])) \
                or not {0.05, 0.25, 0.5, 0.75, 0.95} <= set(levels):
            raise InvalidArgumentError("quantile_levels must increase inside (0, 1) and hold 0.05, 0.25, 0.5, 0.75 and "
                                       f"0.95 (the 50% and 90% intervals and the median); got {self.quantile_levels!r}.")
        object.__setattr__(self, "quantile_levels", levels)

    def settings(self) -> dict:
        d = super().settings()
        d["quantile_levels"] = list(self.quantile_levels)
        return d


_SHORT = Preset(name="forecast-short", n_ics=10, periods=12.0, fine_pts=100, coarse_pts=15, noise_level=0.0,
                univariate=True, lyapunov=False)
_LONG = Preset(name="forecast-long", n_ics=5, periods=60.0, fine_pts=100, granularities=("fine",), noise_level=0.0,
               univariate=False, lyapunov=False)
_ZERO = Preset(name="forecast-zeroshot", n_ics=20, periods=1.0, granularities=("coarse",), splits=("test",),
               noise_level=0.0, univariate=False, lyapunov=True, lyapunov_pts=30, lyapunov_times=812 / 30)

_SHORT_VARIANTS = (Variant(True), Variant(True, 0.2), Variant(False), Variant(False, 0.2))
_2021 = ("Gilpin, W. (2021). Chaos as an interpretable benchmark for forecasting and data-driven modelling. "
         "NeurIPS Datasets and Benchmarks Track.")

PROTOCOLS: dict[str, ForecastProtocol] = {p.name: p for p in (
    ForecastProtocol("short-coarse", 2, "2021 benchmark, 15 points per period: forecast the last sixth (2 periods)",
                     _SHORT, "coarse", _SHORT_VARIANTS, horizon_fraction=1 / 6, default_ics=5, citation=_2021),
    ForecastProtocol("short-fine", 2, "2021 benchmark, 100 points per period: forecast the last sixth (2 periods)",
                     _SHORT, "fine", _SHORT_VARIANTS, horizon_fraction=1 / 6, default_ics=3, citation=_2021),
    ForecastProtocol("long-horizon", 2, "2023 study: 1,000 points of history, 5,000 forecast, 100 per period",
                     _LONG, "fine", (Variant(False),), horizon=5000, history=1000, default_ics=5,
                     citation="Gilpin, W. (2023). Model scale versus domain knowledge in statistical forecasting "
                              "of chaotic systems. Phys. Rev. Research 5, 043252."),
    ForecastProtocol("zero-shot", 2, "2025 study: context 512, forecast 300 at 30 points per Lyapunov time, 20 ICs",
                     _ZERO, "lyapunov", (Variant(False),), horizon=300, history=512, tune=False, default_ics=20,
                     citation="Zhang, Y. & Gilpin, W. (2025). Zero-shot forecasting of chaotic systems. ICLR."),
    ForecastProtocol("data-limited", 2, "histories of 50-400 points at 100 per period, forecast 200 (2 periods)",
                     _SHORT, "fine", tuple(Variant(False, history=h) for h in (50, 100, 200, 400)), horizon=200,
                     default_ics=5,
                     citation="Gilpin, W. (2023), Phys. Rev. Research 5, 043252 (the data-limited regime)."),
    ProbabilisticProtocol("short-fine-prob", 1, "short-fine's tasks forecast as distributions: 50 members (or "
                          "quantiles), scored by CRPS, energy and interval scores, against a perfect-model ensemble",
                          _SHORT, "fine", _SHORT_VARIANTS, horizon_fraction=1 / 6, default_ics=3,
                          citation=_2021 + " Probabilistic scoring: Gneiting, T. & Raftery, A. E. (2007), JASA 102, 359."),
)}


def get_protocol(protocol: "str | ForecastProtocol") -> ForecastProtocol:
    """The protocol called ``protocol`` (or ``protocol`` itself); unknown names suggest close ones."""
    if isinstance(protocol, ForecastProtocol):
        return protocol
    if isinstance(protocol, str) and protocol in PROTOCOLS:
        return PROTOCOLS[protocol]
    close = difflib.get_close_matches(str(protocol), list(PROTOCOLS), n=3, cutoff=0.4)
    hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
    raise InvalidArgumentError(f"Unknown protocol {protocol!r}.{hint} Known: {', '.join(PROTOCOLS)}.")
