"""dysts-style system objects backed by immutable chaoszoo :class:`~chaoszoo.System` values.

Three base classes mirror the ones a dysts user knows:

* :class:`DynSys` - ordinary differential equations (chaoszoo kind ``"flow"``);
* :class:`DynSysDelay` - scalar delay equations, returned delay-embedded (kind ``"delay"``);
* :class:`DynMap` - discrete maps (kind ``"map"``).

One class per catalog entry is made on first use by :mod:`chaoszoo.compat.dysts.flows` and
:mod:`chaoszoo.compat.dysts.maps`; an instance holds a chaoszoo ``System`` and swaps it for a
new one whenever a parameter or the initial condition is assigned (``model.rho = 30``).

Time grids (dysts's conventions, reproduced exactly). With ``resample=True`` a trajectory of
``n`` samples spans ``[0, T n / p]`` where ``T`` is the dominant period (``timescale="Fourier"``)
or the Lyapunov time ``1 / lambda_max`` (``timescale="Lyapunov"``) and ``p = pts_per_period``;
the samples are ``numpy.linspace(0, T n / p, n)``, so the step is ``T n / (p (n - 1))`` - not
``T / p``. With ``resample=False`` the step is the system's ``dt``.

Delay embedding (dysts's layout). The scalar solution ``x`` of a delay equation is computed
at ``s_k = linspace(0, t_lim + tau, n)``; the returned array has ``m`` columns
(``m = dimension``, 10 for the catalog's delay systems); column ``j`` holds
``x(u_k - l_j)`` with ``u_k = linspace(tau, t_lim + tau, n)`` and ``l_j = linspace(0, tau, m)``,
read off ``x(s_k)`` by linear interpolation.

References:
    Gilpin, W. (2021). Chaos as an interpretable benchmark for forecasting and data-driven
    modelling. NeurIPS Datasets and Benchmarks. (The dysts package whose interface this is.)
"""

from __future__ import annotations

import difflib
import math
import warnings
from collections.abc import Callable, Mapping

import numpy as np

from chaoszoo.catalog.registry import declaration
from chaoszoo.engine.grid import positive_float, positive_int
from chaoszoo.errors import InvalidArgumentError, UnknownSystemError
from chaoszoo.system import System

#: dysts names whose chaoszoo entry is spelled differently, per kind.
RENAMED: dict[str, dict[str, str]] = {"map": {"Duffing": "DuffingMap"}}

#: Attributes (besides the parameters) that may be assigned on an instance.
_SETTABLE = frozenset({"ic", "params", "dt", "period", "mean", "std", "maximum_lyapunov_estimated"})

#: dysts's array parameters, flattened into scalar catalog parameters:
#: ``{system: {array name: (shape, first index, missing leading entries)}}``. Element
#: ``(i, j)`` of a matrix ``w`` is the scalar ``w{i + first}{j + first}``; element ``i`` of a
#: vector is ``name{i + first}``. MultiChua's ``c[0]`` (always 0, unused by the equations) has
#: no scalar: it reads as 0 and must stay 0 when assigned.
ARRAY_PARAMS: dict[str, dict[str, tuple[tuple[int, ...], int, int]]] = {
    "BeerRNN": {"tau": ((3,), 1, 0), "theta": ((3,), 1, 0), "w": ((3, 3), 1, 0)},
    "BickleyJet": {"eps": ((3,), 1, 0), "k": ((3,), 1, 0), "sigma": ((3,), 1, 0)},
    "Hopfield": {"k": ((6, 6), 0, 0)},
    "InteriorSquirmer": {"a": ((5,), 0, 0), "g": ((5,), 0, 0)},
    "MacArthur": {"c": ((5, 5), 0, 0), "k": ((5, 5), 0, 0), "s": ((5,), 0, 0)},
    "MultiChua": {"c": ((6,), 0, 1), "m": ((6,), 0, 0)},
}


def _array_names(system: str, array: str) -> list[str | None]:
    """Scalar parameter names of the elements of a dysts array, in C order (``None``: fixed 0)."""
    shape, first, missing = ARRAY_PARAMS[system][array]
    names: list[str | None] = []
    for flat, idx in enumerate(np.ndindex(*shape)):
        names.append(None if flat < missing else array + "".join(str(i + first) for i in idx))
    return names


def dysts_name(cz_name: str, kind: str) -> str:
    """The dysts spelling of a catalog name (identity except for :data:`RENAMED` entries)."""
    for old, new in RENAMED.get(kind, {}).items():
        if new == cz_name:
            return old
    return cz_name


def chaoszoo_name(name: str, kind: str) -> str:
    """The catalog spelling of a dysts name."""
    return RENAMED.get(kind, {}).get(name, name)


def zscore(values: np.ndarray) -> np.ndarray:
    """Standardise along the time axis (axis ``-2``): ``(x - mean) / std``, a zero std counting as 1."""
    values = np.asarray(values, dtype=np.float64)
    std = values.std(axis=-2, keepdims=True)
    std[std == 0] = 1.0
    return (values - values.mean(axis=-2, keepdims=True)) / std


def _reject_unknown(kwargs: Mapping, where: str, accepted: str) -> None:
    if kwargs:
        raise InvalidArgumentError(
            f"{where}: unsupported argument(s) {', '.join(map(repr, sorted(kwargs)))}. "
            f"Accepted: {accepted}. (dysts passed unknown keywords on silently; this layer refuses "
            "them so that a typo is not ignored.)"
        )


def _as_states(x, name: str) -> tuple[np.ndarray, bool]:
    """``(k, d)`` float64 states and whether the input was a single 1-D state."""
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim == 1:
        return arr[None, :], True
    if arr.ndim == 2:
        return arr, False
    raise InvalidArgumentError(f"{name}: expected one state (d,) or a batch (k, d); got shape {arr.shape}.")


class _Base:
    """Shared machinery: the held :class:`System`, attribute access and metadata."""

    _cz_name: str = ""          # set on each generated subclass
    _kind: str = ""

    def __init__(self, parameters: Mapping[str, float] | None = None, dt: float | None = None,
                 period: float | None = None, maximum_lyapunov_estimated: float | None = None,
                 initial_conditions=None, mean=None, std=None, **metadata):
        """Make the object for one catalog entry.

        Arguments:
            parameters: parameter values to change (merged into the defaults; unknown names
                raise :class:`~chaoszoo.UnknownParameterError`).
            dt, period, maximum_lyapunov_estimated: replace the catalog's values for this object.
            initial_conditions: replace the default initial condition.
            mean, std: statistics used by ``make_trajectory(standardize=True)``.

        Raises:
            InvalidArgumentError: on a base class (use ``flows.<Name>()`` or ``maps.<Name>()``),
                or for any other keyword (dysts's ``metadata_path`` included).
        """
        if not type(self)._cz_name:
            raise InvalidArgumentError(
                f"{type(self).__name__} is a base class; create systems with "
                "chaoszoo.compat.dysts.flows.<Name>() or chaoszoo.compat.dysts.maps.<Name>(). "
                "User-defined dysts subclasses (with their own _rhs) are not supported: declare the "
                "system with chaoszoo.catalog.declaration instead."
            )
        _reject_unknown(metadata, type(self).__name__,
                        "parameters, dt, period, maximum_lyapunov_estimated, initial_conditions, mean, std")
        object.__setattr__(self, "_system", System(declaration(self._cz_name)))
        object.__setattr__(self, "_overrides", {})
        object.__setattr__(self, "_delay_ic", None)
        if parameters:
            self.params = parameters
        for key, value in (("dt", dt), ("period", period), ("mean", mean), ("std", std),
                           ("maximum_lyapunov_estimated", maximum_lyapunov_estimated),
                           ("ic", initial_conditions)):
            if value is not None:
                setattr(self, key, value)

    # --- attribute protocol -------------------------------------------------------
    def __getattr__(self, name: str):
        # only reached when ordinary lookup fails: parameters read as attributes
        if not name.startswith("_"):
            params = object.__getattribute__(self, "_system").params
            if name in params:
                return params[name]
            if name in ARRAY_PARAMS.get(type(self)._cz_name, {}):
                return self._get_array(name)
        raise AttributeError(self._no_attribute(name))

    def __setattr__(self, name: str, value) -> None:
        system: System = self._system
        if name in system.params:
            object.__setattr__(self, "_system", system.with_params(**self._checked_params({name: value})))
        elif name in ARRAY_PARAMS.get(type(self)._cz_name, {}):
            self._set_array(name, value)
        elif name in _SETTABLE:
            getattr(type(self), "_set_" + name)(self, value)
        elif hasattr(type(self), name) and not name.startswith("_"):
            raise AttributeError(f"{self.name}.{name} is read-only.")
        else:
            raise AttributeError(self._no_attribute(name) + " Assigning it would have no effect, so it is refused.")

    def __dir__(self):
        return sorted(set(super().__dir__()) | set(self._system.params)
                      | set(ARRAY_PARAMS.get(type(self)._cz_name, {})))

    # --- parameters: integers and dysts's arrays ----------------------------------------
    def _checked_params(self, values: Mapping) -> dict:
        """``values`` as plain floats; integer parameters must be given integral values."""
        out = {}
        integer = self._system.declaration.integer_params
        for key, v in values.items():
            if key in integer:
                try:
                    f = float(np.asarray(v, dtype=np.float64))
                except (TypeError, ValueError):
                    f = math.nan
                if not math.isfinite(f) or f != round(f):
                    raise InvalidArgumentError(
                        f"{self.name}.{key} must be an integer (it counts something in the equations); "
                        f"got {v!r}. Assign a whole number, e.g. {self.name}.{key} = {int(self.params[key])}.")
                v = float(round(f))
            out[key] = v
        return out

    def _get_array(self, array: str) -> np.ndarray:
        shape = ARRAY_PARAMS[type(self)._cz_name][array][0]
        p = self._system.params
        return np.array([0.0 if k is None else p[k] for k in _array_names(type(self)._cz_name, array)]).reshape(shape)

    def _set_array(self, array: str, value) -> None:
        shape = ARRAY_PARAMS[type(self)._cz_name][array][0]
        try:
            arr = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise InvalidArgumentError(f"{self.name}.{array} must be a numeric array of shape {shape}; got {value!r}.") from None
        if arr.shape != shape:
            raise InvalidArgumentError(f"{self.name}.{array} must have shape {shape} (dysts's layout); got {arr.shape}.")
        names = _array_names(type(self)._cz_name, array)
        flat = arr.reshape(-1)
        for k, v in zip(names, flat):
            if k is None and v != 0.0:
                raise InvalidArgumentError(f"{self.name}.{array}[0] is not used by the equations and must be 0; got {v!r}.")
        new = {k: float(v) for k, v in zip(names, flat) if k is not None}
        object.__setattr__(self, "_system", self._system.with_params(**new))

    def _no_attribute(self, name: str) -> str:
        params = list(object.__getattribute__(self, "_system").params)
        close = difflib.get_close_matches(name, params + sorted(_SETTABLE), n=1, cutoff=0.6)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        return (f"{type(self).__name__} has no parameter or attribute {name!r}.{hint} "
                f"Its parameters are: {', '.join(params) if params else '(none)'}.")

    def _set_params(self, value) -> None:
        if not isinstance(value, Mapping):
            raise InvalidArgumentError(f"{self.name}.params must be a mapping of parameter name to value; got {value!r}.")
        value = dict(value)
        arrays = ARRAY_PARAMS.get(type(self)._cz_name, {})
        for array in [k for k in value if k in arrays and k not in self._system.params]:
            self._set_array(array, value.pop(array))
        object.__setattr__(self, "_system", self._system.with_params(**self._checked_params(value)))

    def _set_ic(self, value) -> None:
        object.__setattr__(self, "_system", self._system.with_ic(np.atleast_1d(np.asarray(value, dtype=np.float64))))

    def _set_dt(self, value) -> None:
        self._overrides["dt"] = positive_float(value, f"{self.name}.dt")

    def _set_period(self, value) -> None:
        self._overrides["period"] = positive_float(value, f"{self.name}.period")

    def _set_maximum_lyapunov_estimated(self, value) -> None:
        self._overrides["maximum_lyapunov_estimated"] = None if value is None else positive_float(
            value, f"{self.name}.maximum_lyapunov_estimated")

    def _set_mean(self, value) -> None:
        self._overrides["mean"] = self._stat_vector(value, "mean")

    def _set_std(self, value) -> None:
        self._overrides["std"] = self._stat_vector(value, "std")

    def _stat_vector(self, value, label: str) -> np.ndarray:
        arr = np.asarray(value, dtype=np.float64).reshape(-1)
        if len(arr) != self.dimension or not np.isfinite(arr).all():
            raise InvalidArgumentError(f"{self.name}.{label} must be {self.dimension} finite numbers; got {value!r}.")
        return arr

    def __repr__(self) -> str:
        changed = {k: v for k, v in self.params.items() if v != self._system.declaration.params[k]}
        shown = "".join(f", {k}={v:g}" for k, v in changed.items())
        return f"{self.name}({shown.lstrip(', ')})  # chaoszoo.compat.dysts, catalog entry {self._cz_name!r}"

    # --- metadata -------------------------------------------------------------------
    @property
    def name(self) -> str:
        """The dysts name of the system (the class name)."""
        return type(self).__name__

    @property
    def system(self) -> System:
        """The chaoszoo :class:`~chaoszoo.System` currently held (parameters and ic included)."""
        return self._system

    @property
    def params(self) -> dict[str, float]:
        """The parameters (a fresh dict; assign ``model.params = {...}`` or ``model.<name> = v`` to change)."""
        return self._system.params

    @params.setter
    def params(self, value) -> None:
        self._set_params(value)

    @property
    def param_list(self) -> list[float]:
        """Parameter values in alphabetical order of their names (dysts's positional order)."""
        p = self._system.params
        return [p[k] for k in sorted(p)]

    @property
    def ic(self) -> np.ndarray:
        """The default initial condition (a fresh array; assign to change)."""
        return self._system.ic

    @ic.setter
    def ic(self, value) -> None:
        self._set_ic(value)

    @property
    def dimension(self) -> int:
        return self._system.dimension

    @property
    def citation(self) -> str:
        return self._system.citation

    @property
    def description(self) -> str:
        return self._system.description

    @property
    def variables(self) -> tuple[str, ...]:
        return self._system.variables

    @property
    def unbounded_indices(self) -> list[int]:
        """Indices of state variables that grow without bound (for example a forcing phase)."""
        return [int(i) for i in self._system.declaration.extra.get("unbounded_indices", ())]

    @property
    def hamiltonian(self) -> bool:
        return "hamiltonian" in self._system.tags

    @property
    def nonautonomous(self) -> bool:
        return "nonautonomous" in self._system.tags

    @property
    def delay(self) -> bool:
        return self._kind == "delay"

    @property
    def mean(self) -> np.ndarray | None:
        """Per-column mean used by ``standardize=True`` (``None``: the trajectory's own mean)."""
        return self._stat("mean")

    @mean.setter
    def mean(self, value) -> None:
        self._set_mean(value)

    @property
    def std(self) -> np.ndarray | None:
        """Per-column standard deviation used by ``standardize=True`` (``None``: the trajectory's own)."""
        return self._stat("std")

    @std.setter
    def std(self, value) -> None:
        self._set_std(value)

    def _stat(self, label: str):
        if label in self._overrides:
            return self._overrides[label].copy()
        value = self._system.declaration.extra.get(label)
        return None if value is None else np.asarray(value, dtype=np.float64)

    def has_jacobian(self) -> bool:
        """``True``: chaoszoo derives every Jacobian by automatic differentiation (delay systems: ``False``)."""
        return True

    def transform_ic(self, transform_fn: Callable) -> bool:
        """Replace the initial condition by ``transform_fn(ic, system=self)``; ``None`` leaves it and returns False."""
        new = transform_fn(self.ic, system=self)
        if new is None:
            return False
        self.ic = new
        return True

    def transform_params(self, transform_fn: Callable) -> bool:
        """Replace every parameter by ``transform_fn(name, value, system=self)``.

        Integer parameters (counts such as a Hill exponent) are left unchanged (dysts perturbed
        them into non-integers). Returns False, changing nothing, when any call returns ``None``.
        """
        integer = self._system.declaration.integer_params
        new = {k: transform_fn(k, v, system=self) for k, v in sorted(self.params.items()) if k not in integer}
        if any(v is None for v in new.values()):
            return False
        self.params = {k: float(np.asarray(v, dtype=np.float64)) for k, v in new.items()}
        return True

    # --- shared pieces of make_trajectory ------------------------------------------
    def _time_span(self, n: int, resample: bool, pts_per_period, timescale: str) -> float:
        """dysts's ``t_lim``: ``(n - 1) dt`` without resampling, else ``T n / pts_per_period``."""
        if not resample:
            return (n - 1) * self.dt
        if timescale == "Fourier":
            scale = self.period
        elif timescale == "Lyapunov":
            lam = self.maximum_lyapunov_estimated
            if lam is None:
                raise InvalidArgumentError(
                    f"{self.name}: timescale='Lyapunov' needs the largest Lyapunov exponent, which the "
                    "catalog does not list for this system. Set model.maximum_lyapunov_estimated = <value> "
                    "(e.g. from chaoszoo.analysis.lyapunov.max_lyapunov), or use timescale='Fourier'."
                )
            scale = 1.0 / lam
        else:
            raise InvalidArgumentError(f"timescale must be 'Fourier' or 'Lyapunov'; got {timescale!r}.")
        return scale * n / positive_float(pts_per_period, "pts_per_period")

    def _dysts_value(self, key: str) -> float:
        # an entry whose catalog value deliberately differs from dysts's may record dysts's
        # number as extra["dysts_<key>"]; the compatibility layer then uses dysts's
        if key in self._overrides:
            return self._overrides[key]
        recorded = self._system.declaration.extra.get(f"dysts_{key}")
        return float(recorded) if recorded is not None else getattr(self._system, key)

    @property
    def dt(self) -> float:
        """Integration/sampling step used when ``resample=False``."""
        return self._dysts_value("dt")

    @dt.setter
    def dt(self, value) -> None:
        self._set_dt(value)

    @property
    def period(self) -> float:
        """Dominant period (the ``timescale="Fourier"`` unit); dysts's value where the catalog records it."""
        return self._dysts_value("period")

    @period.setter
    def period(self, value) -> None:
        self._set_period(value)

    @property
    def maximum_lyapunov_estimated(self) -> float | None:
        """Largest Lyapunov exponent from the catalog (``None`` when it does not list one)."""
        if "maximum_lyapunov_estimated" in self._overrides:
            return self._overrides["maximum_lyapunov_estimated"]
        value = self._recorded("max_lyapunov")
        if value is None:
            value = self._system.declaration.extra.get("max_lyapunov")
        return None if value is None or not math.isfinite(float(value)) or float(value) <= 0 else float(value)

    @maximum_lyapunov_estimated.setter
    def maximum_lyapunov_estimated(self, value) -> None:
        self._set_maximum_lyapunov_estimated(value)

    def _recorded(self, key: str):
        value = getattr(self._system, key, None)
        return None if callable(value) else value

    lyapunov_spectrum_estimated = property(lambda self: self._recorded("lyapunov_spectrum"),
                                           doc="Recorded Lyapunov spectrum (``None`` when not recorded).")
    kaplan_yorke_dimension = property(lambda self: self._recorded("kaplan_yorke_dimension"),
                                      doc="Recorded Kaplan-Yorke dimension (``None`` when not recorded).")
    correlation_dimension = property(lambda self: self._recorded("correlation_dimension"),
                                     doc="Recorded correlation dimension (``None`` when not recorded).")
    pesin_entropy = property(lambda self: self._recorded("pesin_entropy"),
                             doc="Recorded Pesin entropy (``None`` when not recorded).")
    multiscale_entropy = property(lambda self: self._recorded("multiscale_entropy"),
                                  doc="Recorded multiscale entropy (``None`` when not recorded).")

    def _standardize(self, values: np.ndarray) -> np.ndarray:
        mean, std = self.mean, self.std
        if mean is None or std is None or values.shape[-1] != len(mean):
            return zscore(values)
        return (values - mean) / np.where(std == 0, 1.0, std)


def _integration_ics(model: _Base, init_cond) -> tuple[np.ndarray, bool]:
    ics = model.ic if init_cond is None else init_cond
    return _as_states(ics, f"{model.name}.make_trajectory(init_cond=...)")


class DynSys(_Base):
    """A system of ordinary differential equations, dysts style. Create with ``flows.<Name>()``."""

    _kind = "flow"

    def rhs(self, X, t: float = 0.0) -> np.ndarray:
        """The vector field ``dX/dt`` at state ``X`` (shape ``(d,)``, or ``(k, d)`` row by row) and time ``t``."""
        states, single = _as_states(X, f"{self.name}.rhs")
        out = np.stack([self._system.rhs(x, t) for x in states])
        return out[0] if single else out

    def __call__(self, X, t: float = 0.0) -> np.ndarray:
        return self.rhs(X, t)

    def jac(self, X, t: float = 0.0) -> np.ndarray:
        """The Jacobian ``d(dX/dt)/dX``, shape ``(d, d)`` (exact, by automatic differentiation)."""
        return self._system.jacobian(np.asarray(X, dtype=np.float64), t)

    def make_trajectory(self, n: int, dt: float | None = None, init_cond=None, resample: bool = True,
                        pts_per_period: float = 100, return_times: bool = False, standardize: bool = False,
                        postprocess: bool = True, noise: float = 0.0, timescale: str = "Fourier",
                        method: str | None = None, random_seed: int = 0, rtol: float = 1e-10,
                        atol: float = 1e-10, verbose: bool = False, events=None, **kwargs):
        """A trajectory of ``n`` samples, on dysts's time grid.

        Arguments:
            n: number of samples.
            dt: ignored, as in dysts (the step used without resampling is ``model.dt``; assign
                that to change it). A value different from ``model.dt`` gives a warning.
            init_cond: initial condition ``(d,)``, or ``(k, d)`` for ``k`` trajectories.
            resample: sample ``linspace(0, T n / pts_per_period, n)`` (see the module docstring);
                ``False`` samples every ``model.dt``.
            pts_per_period: samples per period ``T`` when resampling.
            return_times: also return the sample times.
            standardize: return ``(x - mean) / std`` with the catalog's statistics when it lists
                them (``model.mean``/``model.std``), else with the trajectory's own.
            postprocess: apply the catalog entry's output transform (for example a phase wrapped
                into a bounded range), as dysts does by default.
            noise: amplitude of additive dynamical noise ``dX = f dt + noise dW``.
            timescale: ``"Fourier"`` (``T`` = period) or ``"Lyapunov"`` (``T = 1 / lambda_max``).
            method: ignored (chaoszoo integrates with an adaptive 8th-order Dormand-Prince scheme);
                a value gives a warning.
            random_seed: seed of the noise (no global NumPy seeding takes place).
            rtol, atol: solver tolerances.
            verbose: accepted for compatibility; there is nothing extra to report.
            events: must be ``None`` (solver events are not supported).

        Returns:
            ``values`` of shape ``(n, d)`` (``(k, n, d)`` for several initial conditions, squeezed
            as in dysts), or ``(t, values)`` with ``return_times=True``.

        Raises:
            InvalidArgumentError: bad options or unknown keywords;
            IntegrationError: the solution blew up (dysts returned ``None`` instead).
        """
        _reject_unknown(kwargs, f"{self.name}.make_trajectory",
                        "n, dt, init_cond, resample, pts_per_period, return_times, standardize, postprocess, "
                        "noise, timescale, method, random_seed, rtol, atol, verbose, events")
        if events is not None:
            raise InvalidArgumentError("events are not supported by chaoszoo.compat.dysts; pass events=None.")
        if dt is not None and dt != self.dt:
            warnings.warn(f"{self.name}.make_trajectory: dt={dt!r} is ignored, as in dysts; the step is "
                          f"model.dt = {self.dt!r} (assign model.dt to change it).", UserWarning, stacklevel=2)
        if method is not None:
            warnings.warn(f"{self.name}.make_trajectory: method={method!r} is ignored; chaoszoo uses its own "
                          "adaptive solver (tolerances: rtol, atol).", UserWarning, stacklevel=2)
        n = positive_int(n, "n")
        t_lim = self._time_span(n, resample, pts_per_period, timescale)
        ics, _ = _integration_ics(self, init_cond)
        grid = dict(t_end=t_lim) if n > 1 else {}
        options = dict(noise=noise, seed=random_seed, rtol=rtol, atol=atol)
        if len(ics) == 1:
            tr = self._system.trajectory(n, ic=ics[0], **grid, **options)
            t, values = tr.t, tr.values[None]
        else:
            values = self._system.ensemble(n, ics=ics, **grid, **options)
            t = np.linspace(0.0, t_lim, n)
        if standardize:
            values = self._standardize(values)
        transform = self._system.declaration.extra.get("postprocess")
        if postprocess and transform is not None:
            p = self._system.params
            values = np.stack([np.asarray(transform(v, p), dtype=np.float64) for v in values])
        values = np.squeeze(values)
        return (t, values) if return_times else values


class DynSysDelay(_Base):
    """A scalar delay differential equation, returned delay-embedded as dysts did.

    ``ic`` has the dysts length (``dimension``, 10 for the catalog's entries); only its first
    entry is used, as the constant history ``x(t) = ic[0]`` for ``t <= 0``.
    """

    _kind = "delay"

    @property
    def dimension(self) -> int:
        """Number of delay-embedding columns that ``make_trajectory`` returns."""
        return int(self._system.declaration.extra.get("dysts_embedding_dimension", self._system.dimension))

    @property
    def ic(self) -> np.ndarray:
        if self._delay_ic is not None:
            return self._delay_ic.copy()
        stored = self._system.declaration.extra.get("dysts_ic")
        return np.array(stored if stored is not None else self._system.ic, dtype=np.float64)

    @ic.setter
    def ic(self, value) -> None:
        self._set_ic(value)

    def _set_ic(self, value) -> None:
        arr = np.atleast_1d(np.asarray(value, dtype=np.float64)).reshape(-1)
        if arr.size == 0 or not np.isfinite(arr).all():
            raise InvalidArgumentError(f"{self.name}.ic must be finite numbers (the first is the constant history); got {value!r}.")
        arr.setflags(write=False)
        object.__setattr__(self, "_delay_ic", arr)

    def has_jacobian(self) -> bool:
        """``False``, as in dysts: ``jac`` needs the delayed state too, so ``jac(X, t)`` of a flow does not apply."""
        return False

    @property
    def tau(self) -> float:
        """The delay (a parameter; assign ``model.tau`` to change it)."""
        return self._system.params[self._system.delay]

    def rhs(self, x, t: float = 0.0, x_delayed=None) -> float:
        """``dx/dt`` given ``x = x(t)`` and ``x_delayed = x(t - tau)`` (default: ``x``)."""
        xd = x if x_delayed is None else x_delayed
        return float(self._system.rhs(np.atleast_1d(x), t, x_delayed=np.atleast_1d(xd))[0])

    def delayed_rhs(self, X: Callable[[float], float], t: float, tau: float) -> float:
        """dysts's form: ``X`` is a function of time; returns ``f(X(t), X(t - tau), t)``."""
        return self.rhs(np.ravel(X(t))[0], t, np.ravel(X(t - tau))[0])

    def jac(self, x, t: float = 0.0, x_delayed=None) -> np.ndarray:
        """``d(dx/dt)/dx(t)`` as a ``(1, 1)`` array (the delayed argument held fixed)."""
        xd = x if x_delayed is None else x_delayed
        return self._system.jacobian(np.atleast_1d(x), t, x_delayed=np.atleast_1d(xd))

    def make_trajectory(self, n: int, init_cond=None, dt: float | None = None, tau: float | None = None,
                        resample: bool = True, pts_per_period: float = 100, standardize: bool = False,
                        timescale: str = "Fourier", return_times: bool = False, embedding_dim: int | None = None,
                        history_function=None, random_seed: int = 0, noise: float = 0.0,
                        rtol: float = 1e-10, kind: str = "linear", **kwargs):
        """A delay-embedded trajectory ``(n, m)`` in dysts's layout (see the module docstring).

        Arguments:
            n: number of samples.
            init_cond: dysts-style initial condition; its first entry is the constant history.
            dt, tau: ignored as in dysts (``model.dt`` and the parameter ``model.tau`` are used);
                a different value gives a warning.
            resample, pts_per_period, timescale: the time grid, as for flows.
            standardize: z-score each column over the trajectory.
            return_times: also return the integration grid ``linspace(0, t_lim + tau, n)``
                (what dysts returned; the embedded rows sit at ``linspace(tau, t_lim + tau, n)``).
            embedding_dim: number of columns ``m`` (default ``model.dimension``).
            history_function: must be ``None`` (the history is constant).
            random_seed, noise: additive dynamical noise and its seed (dysts ignored noise here).
            rtol: tolerance that sets the delay solver's step.
            kind: interpolation between samples; only ``"linear"`` (dysts's default).

        Raises:
            InvalidArgumentError: bad options; IntegrationError: the solution blew up.
        """
        _reject_unknown(kwargs, f"{self.name}.make_trajectory",
                        "n, init_cond, dt, tau, resample, pts_per_period, standardize, timescale, return_times, "
                        "embedding_dim, history_function, random_seed, noise, rtol, kind")
        if history_function is not None:
            raise InvalidArgumentError("history_function is not supported: the history is constant and equal to "
                                       "init_cond[0] (set model.ic or pass init_cond).")
        if kind != "linear":
            raise InvalidArgumentError(f"Only linear interpolation (kind='linear') is supported; got {kind!r}.")
        for label, given, used in (("dt", dt, self.dt), ("tau", tau, self.tau)):
            if given is not None and given != used:
                warnings.warn(f"{self.name}.make_trajectory: {label}={given!r} is ignored, as in dysts; "
                              f"model.{label} = {used!r} is used (assign it to change).", UserWarning, stacklevel=2)
        n = positive_int(n, "n")
        m = self.dimension if embedding_dim is None else positive_int(embedding_dim, "embedding_dim")
        delay = self.tau
        t_lim = self._time_span(n, resample, pts_per_period, timescale)
        history = np.ravel(np.asarray(self.ic if init_cond is None else init_cond, dtype=np.float64))
        if history.size == 0:
            raise InvalidArgumentError(f"{self.name}: init_cond must hold at least one number.")
        span = t_lim + delay
        if n > 1:
            tr = self._system.trajectory(n, t_end=span, ic=history[:1], noise=noise, seed=random_seed, rtol=rtol)
            grid, x = np.linspace(0.0, span, n), tr.values[:, 0]
        else:
            grid, x = np.zeros(1), np.array([history[0]])
        rows = np.linspace(delay, span, n)
        lags = np.linspace(0.0, delay, m)
        values = np.stack([np.interp(rows - lag, grid, x) for lag in lags], axis=1)
        if standardize:
            values = zscore(values)
        return (grid, values) if return_times else values


class DynMap(_Base):
    """A discrete map, dysts style. Create with ``maps.<Name>()``."""

    _kind = "map"

    def rhs(self, X, t: float = 0.0) -> np.ndarray:
        """The image of ``X`` under the map (same shape as ``X``: ``(d,)`` or ``(k, d)``)."""
        states, single = _as_states(np.atleast_1d(X), f"{self.name}.rhs")
        out = np.stack([self._system.rhs(x, t) for x in states])
        return out[0] if single else out

    def __call__(self, X) -> np.ndarray:
        return self.rhs(X)

    def rhs_inv(self, Xp):
        """Not available: the catalog declares forward maps only (dysts 0.96 raised NotImplementedError too)."""
        raise InvalidArgumentError(f"{self.name}: inverse maps are not available in chaoszoo.")

    def jac(self, X, t: float = 0.0) -> np.ndarray:
        """The Jacobian of the map, ``(d, d)``."""
        return self._system.jacobian(np.atleast_1d(np.asarray(X, dtype=np.float64)), t)

    def make_trajectory(self, n: int, init_cond=None, inverse: bool = False, return_times: bool = False,
                        standardize: bool = False, noise: float = 0.0, random_seed: int = 0, **kwargs):
        """The ``n`` iterates ``f(x0), f(f(x0)), ...`` - the initial condition itself is *not* included.

        Arguments:
            n: number of iterates.
            init_cond: ``(d,)``, or ``(k, d)`` for ``k`` orbits.
            inverse: must be ``False`` (no inverse maps).
            return_times: also return ``arange(n)`` (dysts's iteration labels).
            standardize: z-score each variable over the orbit.
            noise, random_seed: additive noise after each iteration, and its seed (dysts had none).

        Returns:
            ``(n, d)`` (``(k, n, d)`` for several orbits), squeezed as in dysts (a 1-D map gives
            ``(n,)``), or ``(arange(n), values)``.
        """
        _reject_unknown(kwargs, f"{self.name}.make_trajectory",
                        "n, init_cond, inverse, return_times, standardize, noise, random_seed")
        if inverse:
            self.rhs_inv(None)
        n = positive_int(n, "n")
        ics, _ = _integration_ics(self, None if init_cond is None else np.atleast_1d(init_cond))
        if len(ics) == 1:
            values = self._system.trajectory(n + 1, ic=ics[0], noise=noise, seed=random_seed).values[None, 1:]
        else:
            values = self._system.ensemble(n + 1, ics=ics, noise=noise, seed=random_seed)[:, 1:]
        values = np.squeeze(values)
        if standardize:
            values = zscore(values if values.ndim > 1 else values[:, None]).reshape(values.shape)
        return (np.arange(len(values)), values) if return_times else values


BASES: dict[str, type[_Base]] = {"flow": DynSys, "delay": DynSysDelay, "map": DynMap}
_CLASSES: dict[tuple[str, str], type[_Base]] = {}


def system_class(name: str, kinds: tuple[str, ...], module: str) -> type[_Base]:
    """The (cached) class for dysts name ``name`` among catalog entries of ``kinds``.

    Raises:
        AttributeError: no such entry (with the closest names); module ``__getattr__`` needs this type.
    """
    from chaoszoo.catalog.registry import declarations

    for kind in kinds:
        cz = chaoszoo_name(name, kind)
        key = (kind, cz)
        if key in _CLASSES:
            return _CLASSES[key]
        try:
            decl = declaration(cz)
        except UnknownSystemError:
            continue
        if decl.kind != kind:
            continue
        base = BASES[kind]
        cls = type(dysts_name(cz, kind), (base,), {
            "_cz_name": cz, "__module__": module, "__qualname__": dysts_name(cz, kind),
            "__doc__": f"{decl.description}\n\n{decl.citation}\n\n(chaoszoo catalog entry {cz!r}.)",
        })
        _CLASSES[key] = cls
        return cls
    if name == "EndCap":
        raise AttributeError(
            "dysts lists a map 'EndCap' in its metadata but gives it no equations and no citation "
            "(its entry copies the Henon parameters); chaoszoo has no EndCap. Use maps.Henon instead.")
    known = [dysts_name(n, d.kind) for n, d in declarations().items() if d.kind in kinds]
    close = difflib.get_close_matches(name, known, n=3, cutoff=0.5)
    hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
    raise AttributeError(f"module {module!r} has no system {name!r}.{hint} "
                         f"See chaoszoo.compat.dysts.systems.get_attractor_list().")


def listed(kinds: tuple[str, ...]) -> list[str]:
    """Sorted dysts names of the catalog entries of ``kinds``."""
    from chaoszoo.catalog.registry import declarations

    return sorted(dysts_name(n, d.kind) for n, d in declarations().items() if d.kind in kinds)
