"""Catalog layer: declarations of dynamical systems and their metadata."""

from chaoszoo.catalog.declaration import Declaration, Params, delay_flow, flow, iterated_map
from chaoszoo.catalog.registry import declaration, declarations, names

__all__ = ["Declaration", "Params", "declaration", "declarations", "delay_flow", "flow",
           "iterated_map", "names"]
