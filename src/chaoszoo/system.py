"""The public face of a catalog entry: an immutable :class:`System` value and :class:`Trajectory`."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from chaoszoo.catalog.declaration import Declaration, Params
from chaoszoo.catalog.ops import NUMPY
from chaoszoo.catalog.registry import declaration
from chaoszoo.engine import resolve_grid, run
from chaoszoo.engine.simulate import check_ics, check_params
from chaoszoo.errors import InvalidArgumentError, UnknownParameterError


def _number(value, what: str) -> float:
    """A finite float from a number (strings, booleans and arrays are refused)."""
    if isinstance(value, (str, bytes, bool, np.bool_)) or np.ndim(value) != 0:
        raise InvalidArgumentError(f"{what} must be a number; got {value!r} ({type(value).__name__}).")
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"{what} must be a number; got {value!r} ({type(value).__name__}).") from None
    if not math.isfinite(v):
        raise InvalidArgumentError(f"{what} must be finite; got {value!r}.")
    return v


def _numeric_array(value, what: str) -> np.ndarray:
    """A float64 array from numbers; strings, booleans and objects give a clear error."""
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError):  # ragged nesting
        raise InvalidArgumentError(f"{what} must be an array of numbers; got {value!r}.") from None
    if arr.dtype.kind not in "iuf" and not (arr.dtype.kind == "O" and arr.size and
                                          all(isinstance(x, (int, float, np.integer, np.floating))
                                              and not isinstance(x, bool) for x in arr.ravel())):
        shown = repr(value) if len(repr(value)) < 80 else repr(value)[:77] + "..."
        raise InvalidArgumentError(f"{what} must be an array of numbers; got {shown} (dtype {arr.dtype}).")
    return arr.astype(np.float64)


@dataclass(frozen=True)
class Trajectory:
    """A sampled trajectory: ``t`` of shape ``(n,)`` and ``values`` of shape ``(n, d)``."""

    system: str
    t: np.ndarray
    values: np.ndarray
    variables: tuple[str, ...]
    params: Mapping[str, float]

    def __len__(self) -> int:
        return len(self.t)

    def to_pandas(self):
        """A ``DataFrame`` indexed by time, one column per variable."""
        import pandas as pd

        return pd.DataFrame(self.values, index=pd.Index(self.t, name="t"), columns=list(self.variables))

    def to_xarray(self):
        """An ``xarray.DataArray`` with dimensions ``(t, variable)`` and the parameters as attributes."""
        import xarray as xr

        return xr.DataArray(
            self.values, dims=("t", "variable"),
            coords={"t": self.t, "variable": list(self.variables)},
            name=self.system, attrs={"system": self.system, **{f"param_{k}": v for k, v in self.params.items()}},
        )


class System:
    """A dynamical system from the catalog, with bound parameters. Immutable.

    Obtain one with :func:`chaoszoo.get`; derive variants with :meth:`with_params`.
    """

    __slots__ = ("_decl", "_params", "_ic")

    def __init__(self, decl: Declaration, params: Mapping[str, float] | None = None, ic=None):
        merged = dict(decl.params)
        if params:
            unknown = set(params) - set(decl.params)
            if unknown:
                raise UnknownParameterError(decl.name, unknown, decl.params)
            for k, v in params.items():
                merged[k] = _number(v, f"{decl.name}: parameter {k!r}")
        object.__setattr__(self, "_decl", decl)
        object.__setattr__(self, "_params", MappingProxyType(merged))
        ic_arr = np.array(decl.ic, dtype=np.float64) if ic is None else _numeric_array(ic, f"{decl.name}: ic").copy()
        if ic_arr.ndim != 1:
            raise InvalidArgumentError(f"{decl.name}: ic must be one state vector; got shape {ic_arr.shape}.")
        ic_arr = check_ics(decl, ic_arr[None, :])[0]
        ic_arr.setflags(write=False)
        object.__setattr__(self, "_ic", ic_arr)

    def __setattr__(self, name, value):
        raise AttributeError(f"System is immutable; use with_params(...) to change {name!r}.")

    def __repr__(self) -> str:
        changed = {k: v for k, v in self._params.items() if v != self._decl.params[k]}
        extra = f", {', '.join(f'{k}={v:g}' for k, v in changed.items())}" if changed else ""
        return f"System({self.name!r}, kind={self.kind!r}, dimension={self.dimension}{extra})"

    def __eq__(self, other) -> bool:
        return (isinstance(other, System) and other._decl is self._decl and dict(other._params) == dict(self._params)
                and np.array_equal(other._ic, self._ic))

    def __hash__(self) -> int:
        return hash((self.name, tuple(self._params.items()), self._ic.tobytes()))

    # --- metadata -----------------------------------------------------------------
    @property
    def declaration(self) -> Declaration:
        return self._decl

    name = property(lambda self: self._decl.name, doc="The system's name in the catalog.")
    kind = property(lambda self: self._decl.kind, doc="'flow', 'delay' or 'map'.")
    variables = property(lambda self: self._decl.variables if len(self._ic) == self._decl.dimension
                         else tuple(f"x{i}" for i in range(len(self._ic))), doc="State variable names.")
    dimension = property(lambda self: len(self._ic), doc="Number of state variables.")
    period = property(lambda self: self._decl.period, doc="Dominant period (iterations for maps).")
    dt = property(lambda self: self._decl.dt, doc="Default sampling step.")
    tags = property(lambda self: self._decl.tags, doc="Field, kind and property tags.")
    citation = property(lambda self: self._decl.citation, doc="Citation of the original source.")
    description = property(lambda self: self._decl.description, doc="One-line description.")
    delay = property(lambda self: self._decl.delay, doc="Name of the delay parameter (delay systems).")

    @property
    def params(self) -> dict[str, float]:
        """The parameters (a fresh dict: editing it does not change the system)."""
        return dict(self._params)

    @property
    def ic(self) -> np.ndarray:
        """The default initial condition (a fresh array)."""
        return self._ic.copy()

    def with_params(self, **params) -> "System":
        """A new system with some parameters changed (unknown names raise ``UnknownParameterError``)."""
        return System(self._decl, {**self._params, **params}, self._ic)

    def with_ic(self, ic) -> "System":
        """A new system with another default initial condition."""
        return System(self._decl, self._params, ic)

    # --- derived math -------------------------------------------------------------
    def _p(self, params) -> Params:
        if params is None:
            return Params(self._params)
        if not isinstance(params, Mapping):
            raise InvalidArgumentError(f"{self.name}: params must be a mapping of parameter name to number; "
                                       f"got {params!r}.")
        unknown = set(params) - set(self._params)
        if unknown:
            raise UnknownParameterError(self.name, unknown, self._params)
        return Params({**self._params, **{k: _number(v, f"{self.name}: parameter {k!r}") for k, v in params.items()}})

    def _x(self, x) -> np.ndarray:
        x = _numeric_array(x, f"{self.name}: state")
        if x.ndim != 1:
            raise InvalidArgumentError(f"{self.name}: expected one state of shape (d,); got shape {x.shape}.")
        return check_ics(self._decl, x[None, :])[0]

    def _xs(self, x) -> np.ndarray:
        """A state (d,) or a batch of states (n, d), validated; returned as (n, d)."""
        x = _numeric_array(x, f"{self.name}: state")
        if x.ndim not in (1, 2):
            raise InvalidArgumentError(f"{self.name}: expected a state of shape (d,) or a batch of shape (n, d); "
                                       f"got shape {x.shape}.")
        return check_ics(self._decl, np.atleast_2d(x))

    def rhs(self, x, t: float = 0.0, params: Mapping[str, float] | None = None, x_delayed=None) -> np.ndarray:
        """The vector field at ``x`` (for maps: the next state). NumPy evaluation.

        ``x`` is one state ``(d,)`` or a batch of states ``(n, d)``, one per row; the result has
        the same shape. For delay systems ``x_delayed`` is the state at ``t - tau`` (default:
        ``x``), of the same shape as ``x``.
        """
        single = np.ndim(x) == 1
        xs = self._xs(x)
        p = self._p(params)
        for k in self._decl.integer_params:
            p[k] = int(p[k])
        xd = xs
        if self.kind == "delay" and x_delayed is not None:
            xd = self._xs(x_delayed)
            if xd.shape != xs.shape:
                raise InvalidArgumentError(f"{self.name}: x_delayed has shape {np.shape(x_delayed)}, "
                                           f"but x has shape {np.shape(x)}.")

        def field(a, b):  # a, b: (d,) or (d, n) with one variable per row
            if self.kind == "delay":
                return self._decl.equations(a, b, t, p, NUMPY)
            return self._decl.equations(a, t, p, NUMPY)

        def stacked(out):  # a tuple of per-variable expressions (scalars or columns) -> (n, d)
            return np.stack(np.broadcast_arrays(*[np.asarray(o, dtype=np.float64) for o in out],
                                                np.empty(len(xs)))[:-1], axis=-1)

        with np.errstate(all="ignore"):
            first = field(xs[0], xd[0])
            per_variable = isinstance(first, (tuple, list))
            if len(xs) == 1:
                res = stacked(first) if per_variable else np.asarray(first, dtype=np.float64).reshape(xs.shape)
            elif per_variable:  # one expression per variable: every state at once, one variable per row
                res = stacked(field(xs.T, xd.T))
            else:  # whole-array declarations (rolls, FFTs along the state): one state at a time
                res = np.stack([np.asarray(field(u, v), dtype=np.float64).reshape(-1) for u, v in zip(xs, xd)])
        return res[0] if single else res

    def jacobian(self, x, t: float = 0.0, params: Mapping[str, float] | None = None, x_delayed=None) -> np.ndarray:
        """The exact Jacobian ``d rhs / d x`` at ``x`` (forward-mode autodiff through JAX)."""
        from chaoszoo.engine._jax import x64
        from chaoszoo.engine.fields import jacobian_fn

        x = self._x(x)
        p = {k: v for k, v in self._p(params).items()}
        with x64():
            import jax.numpy as jnp

            jp = {k: jnp.asarray(v) for k, v in p.items()}
            fn = jacobian_fn(self._decl)
            if self.kind == "delay":
                xd = x if x_delayed is None else self._x(x_delayed)
                J = fn(jnp.asarray(x), float(t), jp, jnp.asarray(xd))
            else:
                J = fn(jnp.asarray(x), float(t), jp)
            return np.asarray(J, dtype=np.float64)

    def latex(self) -> str:
        """The equations in LaTeX, derived symbolically from the declaration."""
        from chaoszoo.catalog.symbolic import latex

        return latex(self._decl)

    # --- recorded invariants (chaoszoo annotate) ------------------------------------
    @property
    def invariants(self) -> dict | None:
        """The recorded invariants with their provenance (settings, version), or ``None``.

        ``None`` when the system has not been annotated or its parameters differ from those
        the invariants were computed for.
        """
        from chaoszoo.catalog.invariants import invariants

        return invariants(self.name, params=dict(self._params))

    def _invariant(self, key):
        inv = self.invariants
        return None if inv is None else inv.get(key)

    @property
    def lyapunov_spectrum(self) -> np.ndarray | None:
        """Recorded Lyapunov exponents, descending (per unit time; per iteration for maps)."""
        v = self._invariant("lyapunov_spectrum")
        return None if v is None else np.asarray(v, dtype=np.float64)

    max_lyapunov = property(lambda self: self._invariant("max_lyapunov"), doc="Recorded largest Lyapunov exponent.")
    kaplan_yorke_dimension = property(lambda self: self._invariant("kaplan_yorke_dimension"),
                                      doc="Recorded Kaplan-Yorke dimension.")
    correlation_dimension = property(lambda self: self._invariant("correlation_dimension"),
                                     doc="Recorded correlation dimension (Grassberger-Procaccia).")
    pesin_entropy = property(lambda self: self._invariant("pesin_entropy"),
                             doc="Recorded Pesin entropy (sum of the positive exponents).")
    multiscale_entropy = property(lambda self: self._invariant("multiscale_entropy"),
                                  doc="Recorded multiscale entropy (mean sample entropy over scales 1-10).")

    @property
    def lyapunov_time(self) -> float | None:
        """``1 / max_lyapunov``; ``None`` if not recorded or not clearly positive.

        An exponent within two standard errors of zero, or below ``1e-6`` per period (a
        Lyapunov time longer than a million periods, as for the quasi-periodic Torus, whose
        recorded exponent is 3e-16), gives no finite Lyapunov time.
        """
        return None if self._no_lyapunov_time() else 1.0 / self.max_lyapunov

    def _no_lyapunov_time(self) -> str | None:
        """Why the system has no finite Lyapunov time (``None`` if it has one)."""
        lam = self.max_lyapunov
        if lam is None:
            return "it has no recorded largest Lyapunov exponent (run `chaoszoo annotate`)"
        err = (self._invariant("lyapunov_stderr") or [0.0])[0]
        if not (lam > 2 * err and lam * self.period > 1e-6):
            return (f"its recorded largest Lyapunov exponent, {lam:.3g} +- {err:.2g}, is zero within its error "
                    "(it is not chaotic at these parameters)")
        return None

    # --- simulation ---------------------------------------------------------------
    def trajectory(self, n: int, pts_per_period: int | None = None, dt: float | None = None,
                   t_end: float | None = None, ic=None, params: Mapping[str, float] | None = None,
                   transient: int = 0, noise=0.0, obs_noise: float = 0.0, seed: int | None = None,
                   rtol: float = 1e-10, atol: float = 1e-10, postprocess: bool = False,
                   pts_per_lyapunov_time: int | None = None, t_start: float = 0.0) -> Trajectory:
        """Simulate one trajectory of ``n`` samples.

        Arguments:
            n: number of samples returned.
            pts_per_period, dt, t_end: at most one; the sampling step is ``period / pts_per_period``,
                ``dt``, or ``t_end / (n - 1)``; by default 100 samples per period (``period / 100``,
                as dysts and the command line do; the declaration's finer ``dt`` is only a
                solver hint). Maps sample every iteration and accept none of them.
            ic: initial condition (default: the system's).
            params: parameter overrides for this call.
            transient: number of leading samples integrated and discarded.
            noise: amplitude of additive dynamical noise (``dX = f dt + noise dW``): a number, or
                one non-negative number per variable.
            obs_noise: observation noise, as a fraction of each variable's standard deviation.
            seed: random seed for the noise (default: derived from the system's name).
            rtol, atol: tolerances of the adaptive solver.
            pts_per_lyapunov_time: a fourth grid option, ``dt = lyapunov_time / pts``, using the
                recorded largest exponent (an error if none is recorded or it is not positive).
            postprocess: apply the entry's documented output transform (for example, wrap a
                forcing phase or an angle into a bounded range); off by default, so the raw state
                is returned. Systems without a transform ignore it.
            t_start: the time at which ``ic`` holds (flows only; default 0). It matters for the
                few flows whose field depends on time explicitly (a forced pendulum), to
                continue a trajectory from its state at a later time; ``t`` starts there.

        Raises:
            InvalidArgumentError: bad options; UnknownParameterError: unknown parameter names;
            IntegrationError: the solution blew up (names the time and the parameters).
        """
        if pts_per_lyapunov_time is not None and self.kind != "map" and self._no_lyapunov_time():
            raise InvalidArgumentError(
                f"{self.name} has no finite Lyapunov time: {self._no_lyapunov_time()}, so "
                "pts_per_lyapunov_time cannot be used. Use pts_per_period or dt instead.")
        grid, transient = resolve_grid(n, kind=self.kind, period=self.period,
                                       pts_per_period=pts_per_period, dt=dt, t_end=t_end, transient=transient,
                                       pts_per_lyapunov_time=pts_per_lyapunov_time,
                                       max_lyapunov=self.max_lyapunov if pts_per_lyapunov_time is not None else None)
        if not isinstance(postprocess, (bool, np.bool_)):
            raise InvalidArgumentError(f"postprocess must be True or False; got {postprocess!r}.")
        ic = self._ic if ic is None else _numeric_array(ic, f"{self.name}: ic")
        if np.ndim(ic) != 1:
            raise InvalidArgumentError(f"{self.name}: ic must be one state vector of length {self.dimension}; "
                                       f"got shape {np.shape(ic)}. Use ensemble() for several.")
        p = self._p(params)
        t, ys = run(self._decl, ic[None, :], p, grid, transient, noise=noise, obs_noise=obs_noise,
                    seed=seed, rtol=rtol, atol=atol, t_start=t_start)
        variables = self.variables if len(ic) == self.dimension else tuple(f"x{i}" for i in range(len(ic)))
        values = ys[0]
        transform = self._decl.extra.get("postprocess")
        if postprocess and transform is not None:
            values = np.asarray(transform(values, p), dtype=np.float64)
        return Trajectory(self.name, t, values, variables, MappingProxyType(dict(p)))

    def ensemble(self, n: int, ics=None, n_ics: int | None = None, params=None, *,
                 pts_per_period: int | None = None, dt: float | None = None, t_end: float | None = None,
                 transient: int = 0, noise=0.0, obs_noise: float = 0.0, seed: int | None = None,
                 rtol: float = 1e-10, atol: float = 1e-10, t_start: float = 0.0) -> np.ndarray:
        """Simulate many members in one vectorised call; returns ``(k, n, d)``.

        Arguments:
            ics: ``(k, d)`` initial conditions; or
            n_ics: draw ``k`` initial conditions near the default one (Gaussian, relative scale 1e-2,
                seeded by ``seed``); with neither, one member per parameter set.
            params: a mapping of parameter name to a scalar or to ``k`` values, or a list of ``k``
                mappings (one per member).
            other options: as in :meth:`trajectory` (``t_start`` included).
        """
        grid, transient = resolve_grid(n, kind=self.kind, period=self.period,
                                       pts_per_period=pts_per_period, dt=dt, t_end=t_end, transient=transient)
        if ics is not None and n_ics is not None:
            raise InvalidArgumentError("Give ics or n_ics, not both.")
        param_map = _param_arrays(self, params)
        k_params = max([len(np.atleast_1d(v)) for v in param_map.values()] or [1])
        if ics is not None:
            ics = _numeric_array(ics, f"{self.name}: ics")
            if ics.ndim == 1:
                ics = ics[None, :]
        elif n_ics is not None:
            from chaoszoo.engine.grid import positive_int
            from chaoszoo.engine.limits import check_run
            from chaoszoo.engine.simulate import derived_seed

            n_ics = positive_int(n_ics, "n_ics")
            # sized before the initial conditions are drawn
            check_run(self.name, self.kind, n_ics, grid.n + transient, self.dimension, grid.dt, self.period)
            rng = np.random.default_rng(derived_seed(self.name, "ensemble", seed))
            scale = 1e-2 * (np.abs(self._ic) + 1e-2)
            ics = self._ic + scale * rng.standard_normal((n_ics, self.dimension))
        else:
            ics = np.repeat(self._ic[None, :], k_params, axis=0)
        k = len(ics)
        if k_params not in (1, k):
            raise InvalidArgumentError(f"{self.name}: {k} initial conditions but {k_params} parameter sets; they must match (or one of them be 1).")
        full = {name: np.broadcast_to(np.asarray(param_map.get(name, v), dtype=np.float64), (k,))
                for name, v in self._params.items()}
        _, ys = run(self._decl, ics, full, grid, transient, noise=noise, obs_noise=obs_noise,
                    seed=seed, rtol=rtol, atol=atol, t_start=t_start)
        return ys


def _param_arrays(system: System, params) -> dict:
    if params is None:
        return {}
    if isinstance(params, Mapping):
        unknown = set(params) - set(system.params)
        if unknown:
            raise UnknownParameterError(system.name, unknown, system.params)
        return {k: _numeric_array(v, f"{system.name}: parameter {k!r}") for k, v in params.items()}
    rows = list(params)
    if not rows or not all(isinstance(r, Mapping) for r in rows):
        raise InvalidArgumentError("params must be a mapping of name to value(s) or a non-empty list of mappings.")
    names = set().union(*rows)
    unknown = names - set(system.params)
    if unknown:
        raise UnknownParameterError(system.name, unknown, system.params)
    return {n: np.array([_number(r.get(n, system.params[n]), f"{system.name}: parameter {n!r}") for r in rows])
            for n in names}


def get(name: str, **params) -> System:
    """The catalog system called ``name``, optionally with parameters changed.

    Raises:
        UnknownSystemError: (a ``KeyError``) with the closest names in its message.
    """
    sys = System(declaration(name))
    return sys.with_params(**params) if params else sys
