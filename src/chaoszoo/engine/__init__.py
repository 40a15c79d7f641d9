"""Engine layer: integration of declared systems (JAX + diffrax, float64 in a context)."""

from chaoszoo.engine.flows import shared_solvers
from chaoszoo.engine.grid import TimeGrid, resolve_grid
from chaoszoo.engine.simulate import derived_seed, run

__all__ = ["TimeGrid", "derived_seed", "resolve_grid", "run", "shared_solvers"]
