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

__all__ = [
    "ChaoszooError", "ConvergenceError", "DatasetError", "IntegrationError", "InvalidArgumentError",
    "System", "Trajectory", "UnknownParameterError", "UnknownSystemError", "__version__", "get", "names",
]
