"""Continuous-time systems of the catalog as dysts-style classes: ``flows.Lorenz()``.

Every catalog entry of kind ``"flow"`` (a :class:`~chaoszoo.compat.dysts.base.DynSys`) or
``"delay"`` (a :class:`~chaoszoo.compat.dysts.base.DynSysDelay`) is an attribute of this module,
made on first access::

    from chaoszoo.compat.dysts import flows
    model = flows.Lorenz()
    model.rho = 30.0
    x = model.make_trajectory(1000, pts_per_period=100)

An unknown name raises ``AttributeError`` naming the closest systems.
"""

from __future__ import annotations

from chaoszoo.compat.dysts.base import DynSys, DynSysDelay, listed, system_class

KINDS = ("flow", "delay")

__all__ = ["DynSys", "DynSysDelay"]


def __getattr__(name: str):
    if name.startswith("_"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return system_class(name, KINDS, __name__)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(listed(KINDS)))
