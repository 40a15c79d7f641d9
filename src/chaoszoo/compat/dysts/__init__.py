"""A drop-in replacement for the object interface of ``dysts``, backed by the chaoszoo catalog.

Switch by changing one import::

    # from dysts import flows, maps, systems
    from chaoszoo.compat.dysts import flows, maps, systems

    model = flows.Lorenz()
    model.rho = 30.0                       # parameters are attributes (typos raise AttributeError)
    traj = model.make_trajectory(1000, pts_per_period=100)   # dysts's time grid, exactly
    names = systems.get_attractor_list("continuous")

The rest of dysts 0.96's modules are here too: ``metrics`` (over
:mod:`chaoszoo.forecast.metrics`), ``analysis`` (over :mod:`chaoszoo.analysis`), ``utils`` and
``sampling``. What remains different from dysts is listed in ``docs/compat-dysts.md``.
"""

from chaoszoo.compat.dysts import analysis, flows, maps, metrics, sampling, systems, utils
from chaoszoo.compat.dysts.base import DynMap, DynSys, DynSysDelay

__all__ = ["DynMap", "DynSys", "DynSysDelay", "analysis", "flows", "maps", "metrics", "sampling", "systems", "utils"]
