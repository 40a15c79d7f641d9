"""The exception hierarchy of chaoszoo.

Every error the package raises on purpose derives from :class:`ChaoszooError`, and
additionally from the built-in class a user would expect (``KeyError`` for an unknown
name, ``ValueError`` for a bad value), so that ``except ValueError`` keeps working.
Messages name the argument, echo the value and say what to change.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class ChaoszooError(Exception):
    """Base class of every error raised on purpose by chaoszoo."""


class InvalidArgumentError(ChaoszooError, ValueError):
    """An argument has a value the function cannot accept."""


class UnknownSystemError(ChaoszooError, KeyError):
    """A system name that is not in the catalog."""

    def __init__(self, name: str, known: Iterable[str]):
        self.name = name
        close = difflib.get_close_matches(name, list(known), n=5, cutoff=0.5)
        if not close:
            lower = {k.lower(): k for k in known}
            close = [lower[name.lower()]] if name.lower() in lower else []
        hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
        self.message = (
            f"Unknown system {name!r}.{hint} "
            "Run `chaoszoo list` or `chaoszoo.names()` to see every available system."
        )
        super().__init__(self.message)

    def __str__(self) -> str:  # KeyError would otherwise print the repr of the message
        return self.message


class UnknownParameterError(ChaoszooError, KeyError):
    """A parameter name that the system does not declare."""

    def __init__(self, system: str, names: Iterable[str], known: Iterable[str]):
        names = sorted(names)
        known = sorted(known)
        hints = []
        for n in names:
            close = difflib.get_close_matches(n, known, n=1, cutoff=0.5)
            if close:
                hints.append(f"{n!r} -> {close[0]!r}?")
        hint = f" ({'; '.join(hints)})" if hints else ""
        self.message = (
            f"System {system!r} has no parameter(s) {', '.join(map(repr, names))}{hint}. "
            f"Its parameters are: {', '.join(known) if known else '(none)'}."
        )
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class IntegrationError(ChaoszooError, RuntimeError):
    """The numerical solution blew up, produced non-finite values, or the solver failed.

    Attributes:
        system: the system's name.
        time: the first sampled time at which the state was non-finite or too large
            (``None`` when the solver failed before producing output).
        params: the parameters in use.
    """

    def __init__(self, system: str, time: float | None, params: dict, reason: str):
        self.system = system
        self.time = time
        self.params = dict(params)
        where = f" at t = {time:.6g}" if time is not None else ""
        shown = ", ".join(f"{k}={v:.6g}" for k, v in self.params.items()) or "(none)"
        super().__init__(
            f"Integration of {system!r} failed{where}: {reason}. Parameters: {shown}. "
            "Try parameters closer to the defaults, an initial condition on the attractor, "
            "a smaller noise level, or a shorter trajectory."
        )


class DatasetError(ChaoszooError, ValueError):
    """A dataset directory, manifest or file is missing, foreign or corrupt."""


class ConvergenceError(ChaoszooError, RuntimeError):
    """An estimator did not converge to a trustworthy value."""


class NotFittedError(ChaoszooError, RuntimeError):
    """A model's ``predict`` was called before ``fit``."""


class MissingExtraError(ChaoszooError, ImportError):
    """An optional dependency (an extra of the package) is not installed.

    The message names the extra to install, for example ``pip install 'chaoszoo[darts]'``.
    """

    def __init__(self, what: str, extra: str, module: str):
        self.extra = extra
        self.module = module
        super().__init__(
            f"{what} needs the optional dependency {module!r}, which is not installed. "
            f"Install it with: pip install 'chaoszoo[{extra}]'"
        )


class ModelError(ChaoszooError, RuntimeError):
    """A forecasting model failed: it raised, returned the wrong shape or non-finite values."""


class ResultsStoreError(ChaoszooError, ValueError):
    """A results directory is foreign, written by another protocol version, or corrupt."""


class DataVersionError(ResultsStoreError):
    """Results computed on different versions of a task's data were mixed, or a results
    directory holds rows of data that the current code no longer generates.

    The message names the tasks (system, initial condition, variant), the models and the data
    fingerprints involved, and says how to redo the stale rows.
    """
