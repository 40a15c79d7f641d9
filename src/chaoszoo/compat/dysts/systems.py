"""Catalog-wide helpers in dysts's form: listing systems and simulating many at once."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from chaoszoo.compat.dysts import flows as _flows
from chaoszoo.compat.dysts import maps as _maps
from chaoszoo.compat.dysts.base import _Base, listed, system_class
from chaoszoo.errors import ChaoszooError, IntegrationError, InvalidArgumentError

#: dysts's system classes and the catalog kinds each one covers.
SYS_CLASSES: dict[str, tuple[str, ...]] = {
    "continuous": ("flow", "delay"),
    "continuous_no_delay": ("flow",),
    "delay": ("delay",),
    "discrete": ("map",),
}


def _kinds(sys_class: str) -> tuple[str, ...]:
    try:
        return SYS_CLASSES[sys_class]
    except (KeyError, TypeError):
        raise InvalidArgumentError(
            f"sys_class must be one of {', '.join(map(repr, SYS_CLASSES))}; got {sys_class!r}."
        ) from None


def get_attractor_list(sys_class: str = "continuous", exclude: Sequence[str] = ()) -> list[str]:
    """Sorted names (dysts spelling) of the catalog systems in ``sys_class``.

    Arguments:
        sys_class: ``"continuous"`` (flows and delay equations), ``"continuous_no_delay"``,
            ``"delay"`` or ``"discrete"`` (maps).
        exclude: names to leave out.

    Raises:
        InvalidArgumentError: unknown ``sys_class``.
    """
    if isinstance(exclude, str):
        exclude = (exclude,)
    skip = set(exclude)
    return [n for n in listed(_kinds(sys_class)) if n not in skip]


def _resolve(system, sys_class: str) -> _Base:
    if isinstance(system, _Base):
        return system
    if not isinstance(system, str):
        raise InvalidArgumentError(
            f"subset entries must be system names or chaoszoo.compat.dysts objects; got {system!r}."
        )
    module = _maps if sys_class == "discrete" else _flows
    try:
        return getattr(module, system)()
    except AttributeError:
        other = _flows if module is _maps else _maps
        try:
            return getattr(other, system)()
        except AttributeError:
            pass
        raise


def make_trajectory_ensemble(n: int, use_tqdm: bool = True, use_multiprocessing: bool = False,
                             subset: Sequence | None = None, event_fns=None, silent_errors: bool = False,
                             multiprocessing_kwargs: dict | None = None, sys_class: str = "continuous",
                             exclude: Sequence[str] = (), **kwargs) -> dict[str, np.ndarray | None]:
    """Simulate many systems with the same ``make_trajectory`` options; returns ``{name: trajectory}``.

    Arguments:
        n: samples per trajectory.
        use_tqdm: show a progress bar.
        use_multiprocessing: accepted; systems run one after another in this process (each
            simulation is already compiled and vectorised by JAX), with the same results.
        subset: names or objects to simulate; default: every system in ``sys_class``
            (less ``exclude``). Names resolve among maps first when ``sys_class="discrete"``,
            otherwise among flows first.
        event_fns: must be ``None`` (solver events are not supported).
        silent_errors: on a failing system (bad options) store ``None`` instead of raising. A
            system whose solution blows up is always stored as ``None`` with a warning, as dysts
            does (its ``make_trajectory`` returns ``None`` on a solver failure).
        multiprocessing_kwargs: accepted and unused.
        kwargs: passed to every ``make_trajectory`` call.

    Raises:
        InvalidArgumentError: ``event_fns`` given, or a bad option; chaoszoo errors from a failing
        system unless ``silent_errors``.
    """
    if event_fns is not None:
        raise InvalidArgumentError("event_fns are not supported by chaoszoo.compat.dysts; pass event_fns=None.")
    if subset is None:
        subset = get_attractor_list(sys_class, exclude)
    else:
        _kinds(sys_class)
    items = list(subset)
    if use_tqdm:
        from tqdm import tqdm

        items = tqdm(items, desc="Integrating systems")
    out: dict[str, np.ndarray | None] = {}
    for entry in items:
        model = _resolve(entry, sys_class)
        try:
            out[model.name] = model.make_trajectory(n, **kwargs)
        except IntegrationError as err:
            # dysts's make_trajectory returns None when the solver fails (a blow-up), and the
            # ensemble stores that None whatever silent_errors says; so does this layer, with a warning
            warnings.warn(f"make_trajectory_ensemble: {model.name} blew up; its entry is None. {err}",
                          UserWarning, stacklevel=2)
            out[model.name] = None
        except ChaoszooError:
            if not silent_errors:
                raise
            out[model.name] = None
    return out


def get_system_data(sys_class: str = "continuous", exclude: Sequence[str] = ()) -> dict[str, dict]:
    """Metadata of every system in ``sys_class``, by dysts name (a subset of dysts's JSON fields).

    Each value holds ``parameters``, ``initial_conditions``, ``dt``, ``period``, ``citation``,
    ``description``, ``dimension``/``embedding_dimension``, ``delay``, ``hamiltonian``,
    ``nonautonomous``, ``unbounded_indices`` and ``maximum_lyapunov_estimated`` (``None`` when
    the catalog lists none).
    """
    kinds = _kinds(sys_class)
    data = {}
    for name in get_attractor_list(sys_class, exclude):
        model = system_class(name, kinds, _maps.__name__ if kinds == ("map",) else _flows.__name__)()
        entry = {
            "parameters": model.params, "initial_conditions": model.ic.tolist(),
            "citation": model.citation, "description": model.description,
            "hamiltonian": model.hamiltonian, "unbounded_indices": model.unbounded_indices,
        }
        if kinds != ("map",):
            entry.update(dt=model.dt, period=model.period, delay=model.delay, nonautonomous=model.nonautonomous,
                         embedding_dimension=model.dimension,
                         maximum_lyapunov_estimated=model.maximum_lyapunov_estimated)
        data[name] = entry
    return data
