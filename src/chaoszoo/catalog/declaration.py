"""The declaration of a dynamical system: its equations as plain math, plus metadata.

A system is declared exactly once, by decorating a function that writes its equations
against an array namespace (see :mod:`chaoszoo.catalog.ops`)::

    @flow(
        variables="x y z",
        params=dict(sigma=10.0, rho=28.0, beta=8 / 3),
        ic=(-9.79, -15.04, 20.53),
        period=1.5008, dt=1e-3,
        tags=("climate", "fluids"),
        citation="Lorenz, E. N. (1963). Deterministic nonperiodic flow. J. Atmos. Sci. 20, 130-141.",
        description="Truncated convection model of a fluid layer heated from below.",
    )
    def Lorenz(X, t, p, xp):
        x, y, z = X
        return (p.sigma * (y - x), x * (p.rho - z) - y, x * y - p.beta * z)

The function's name is the system's name. ``X`` is the state (indexable, 1-D), ``t`` the
time (the iteration index for maps), ``p`` the parameters by name, ``xp`` the namespace.
Delay equations take the delayed state as a second argument: ``f(X, Xd, t, p, xp)`` with
``Xd = X(t - p.<delay>)``. Everything else - numerical vector field, Jacobian (autodiff),
LaTeX (SymPy) - is derived from this one function.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

import numpy as np

from chaoszoo.catalog import tags as tag_vocabulary
from chaoszoo.errors import InvalidArgumentError

Kind = Literal["flow", "delay", "map"]
KINDS: tuple[str, ...] = ("flow", "delay", "map")


class Params(dict):
    """Parameters by name, readable as attributes (``p.sigma``) inside equations."""

    __slots__ = ()

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(f"equations use unknown parameter {name!r}") from None


@dataclass(frozen=True, eq=False)
class Declaration:
    """One catalog entry: equations and metadata. Immutable; compared by identity."""

    name: str
    kind: Kind
    equations: Callable
    variables: tuple[str, ...]
    params: Mapping[str, float]
    ic: tuple[float, ...]
    period: float
    dt: float
    tags: tuple[str, ...]
    citation: str
    description: str
    delay: str | None = None
    resizable: bool = False
    latex: str | None = None
    notes: str = ""
    integer_params: tuple[str, ...] = ()
    module: str = ""
    extra: Mapping[str, object] = field(default_factory=dict)

    @property
    def dimension(self) -> int:
        return len(self.ic)


def _as_variables(variables: str | Iterable[str] | None, n: int, name: str) -> tuple[str, ...]:
    if variables is None:
        return tuple(f"x{i}" for i in range(n))
    if isinstance(variables, str):
        variables = variables.replace(",", " ").split()
    variables = tuple(variables)
    if len(variables) != n:
        raise InvalidArgumentError(
            f"Declaration {name!r}: {len(variables)} variable names but an initial condition "
            f"of length {n}; give one name per state variable."
        )
    return variables


_NAME = re.compile(r"^[A-Z][A-Za-z0-9]*$")


def _declare(kind: Kind, fn: Callable, *, variables, params, ic, period, dt, tags, citation,
             description, delay=None, resizable=False, latex=None, notes="",
             integer_params=(), extra=None) -> Declaration:
    name = fn.__name__
    if not _NAME.match(name):
        raise InvalidArgumentError(f"System names are CamelCase identifiers; got {name!r}.")
    ic_t = tuple(float(v) for v in np.ravel(ic))
    if not ic_t or not all(math.isfinite(v) for v in ic_t):
        raise InvalidArgumentError(f"Declaration {name!r}: the initial condition must be finite and non-empty.")
    params_d = {str(k): float(v) for k, v in dict(params or {}).items()}
    if not all(math.isfinite(v) for v in params_d.values()):
        raise InvalidArgumentError(f"Declaration {name!r}: parameter defaults must be finite.")
    if not (period > 0 and dt > 0):
        raise InvalidArgumentError(f"Declaration {name!r}: period and dt must be positive.")
    if kind == "delay" and delay not in params_d:
        raise InvalidArgumentError(f"Declaration {name!r}: delay={delay!r} must name one of its parameters.")
    tag_t = tuple(sorted(set(tags) | {kind}))
    tag_vocabulary.check(name, tag_t)
    return Declaration(
        name=name, kind=kind, equations=fn,
        variables=_as_variables(variables, len(ic_t), name),
        params=MappingProxyType(params_d), ic=ic_t, period=float(period), dt=float(dt),
        tags=tag_t, citation=citation.strip(), description=" ".join(description.split()),
        delay=delay, resizable=resizable, latex=latex, notes=" ".join(notes.split()),
        integer_params=tuple(integer_params), module=fn.__module__,
        extra=MappingProxyType(dict(extra or {})),
    )


def _decorator(kind: Kind, **meta):
    def register(fn: Callable) -> Declaration:
        from chaoszoo.catalog.registry import register as add

        decl = _declare(kind, fn, **meta)
        add(decl)
        return decl

    return register


def flow(**meta) -> Callable[[Callable], Declaration]:
    """Declare an ordinary differential equation ``dX/dt = f(X, t)``."""
    return _decorator("flow", **meta)


def delay_flow(*, delay: str, **meta) -> Callable[[Callable], Declaration]:
    """Declare a delay differential equation ``dX/dt = f(X(t), X(t - tau), t)``.

    ``delay`` names the parameter that holds ``tau``; the history before ``t = 0`` is
    constant and equal to the initial condition.
    """
    return _decorator("delay", delay=delay, **meta)


def iterated_map(**meta) -> Callable[[Callable], Declaration]:
    """Declare a discrete map ``X_{n+1} = f(X_n, n)``."""
    return _decorator("map", **meta)
