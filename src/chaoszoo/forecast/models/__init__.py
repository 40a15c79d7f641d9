"""Forecasting models behind the one interface (see :mod:`chaoszoo.forecast.interface`).

Each module declares a ``SPECS`` list of :class:`~chaoszoo.forecast.registry.ModelSpec`; the
registry collects the modules named in :data:`chaoszoo.forecast.registry.MODEL_MODULES`.
Heavy dependencies are imported inside the models, never at module import.
"""
