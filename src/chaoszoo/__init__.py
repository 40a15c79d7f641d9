"""chaoszoo: chaotic dynamical systems as an interpretable benchmark.

>>> import chaoszoo as cz
>>> s = cz.get("Lorenz")
>>> s.trajectory(1000, pts_per_period=100).values.shape
(1000, 3)
"""

from chaoszoo.catalog.registry import names
from chaoszoo.errors import (
    ChaoszooError,
    ConvergenceError,
    DatasetError,
    IntegrationError,
    InvalidArgumentError,
    UnknownParameterError,
    UnknownSystemError,
)
from chaoszoo.system import System, Trajectory, get

__version__ = "0.1.0"

_SUBPACKAGES = ("analysis", "data", "forecast", "features", "experiments", "symbolic", "atlas", "compat")


def __getattr__(name):
    """Subpackages as attributes (``cz.data``, ``cz.analysis``, ``cz.forecast``), imported on first use
    so that ``import chaoszoo`` stays fast."""
    if name in _SUBPACKAGES:
        import importlib

        return importlib.import_module(f"chaoszoo.{name}")
    raise AttributeError(f"module 'chaoszoo' has no attribute {name!r}")


__all__ = [
    "ChaoszooError", "ConvergenceError", "DatasetError", "IntegrationError", "InvalidArgumentError",
    "System", "Trajectory", "UnknownParameterError", "UnknownSystemError", "__version__", "get", "names",
]
