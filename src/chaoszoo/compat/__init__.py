"""Compatibility layers that let code written for other packages run on the chaoszoo catalog.

* :mod:`chaoszoo.compat.dysts` - the object interface of ``dysts`` (``flows.Lorenz()``,
  ``make_trajectory``, ``get_attractor_list`` ...): switch by changing one import.

Nothing here is imported by ``import chaoszoo``; the layers sit on top of the public API.
"""
