"""Discrete maps of the catalog as dysts-style classes: ``maps.Henon()``.

Every catalog entry of kind ``"map"`` is an attribute of this module (a
:class:`~chaoszoo.compat.dysts.base.DynMap`), made on first access. dysts's names are kept:
``maps.Duffing`` is the catalog's ``DuffingMap`` (the catalog name works as well).
"""

from __future__ import annotations

from chaoszoo.compat.dysts.base import DynMap, listed, system_class

KINDS = ("map",)

__all__ = ["DynMap"]


def __getattr__(name: str):
    if name.startswith("_"):
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return system_class(name, KINDS, __name__)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(listed(KINDS)))
