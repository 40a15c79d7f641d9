"""The model registry: every model by name, with the extra it needs, its grid and fast setting.

A :class:`ModelSpec` names a class by import path (``"package.module:Class"``), so listing the
registry imports nothing heavy; the class is imported when a model is made. Built-in specs are
declared in the ``SPECS`` list of each module named in :data:`MODEL_MODULES`; a user's class
is registered with :func:`register`, or used directly as ``"package.module:Class"`` wherever a
model name is accepted.

>>> from chaoszoo.forecast import registry
>>> m = registry.make("last-value")
>>> m.fit([[1.0], [2.0]], registry.ForecastInfo()).predict(2).ravel().tolist()
[2.0, 2.0]
"""

from __future__ import annotations

import difflib
import importlib
import importlib.util
from dataclasses import dataclass, field

from chaoszoo.errors import InvalidArgumentError, MissingExtraError, ModelError
from chaoszoo.forecast.interface import ForecastInfo, Model

__all__ = ["ForecastInfo", "ModelSpec", "MODEL_MODULES", "get_spec", "list_models", "make", "register", "load_class",
           "model_path"]

#: Modules (under ``chaoszoo.forecast.models``) whose ``SPECS`` lists make the built-in registry.
MODEL_MODULES = ("baselines", "darts_models", "statistical", "reservoir", "sindy", "neural_ode", "plrnn",
                 "parroting", "dynamix", "hub", "ensembles")

FAMILIES = ("baseline", "statistical", "machine-learning", "deep", "reservoir", "equation-learning",
            "dynamical-systems", "oracle", "user")


@dataclass(frozen=True)
class ModelSpec:
    """How to make one registered model.

    Attributes:
        name: registry name (lower case, ``-`` separated).
        target: ``"package.module:Class"`` of the model class.
        family: one of :data:`FAMILIES`.
        description: one line.
        extra: the package extra that installs its dependencies (``None``: core install).
        requires: importable module names the model needs (checked before import).
        params: constructor keyword arguments always passed.
        grid: hyperparameter grid ``{name: [values, ...]}`` searched on the train trajectory.
        fast: constructor arguments of the quick setting (CI, quick looks); override ``params``.
        multivariate: whether it forecasts ``d > 1`` columns jointly (else column by column).
        deterministic: same ``info.seed`` gives the same forecast.
        citation: the method's reference.
    """

    name: str
    target: str
    family: str
    description: str
    extra: str | None = None
    requires: tuple[str, ...] = ()
    params: dict = field(default_factory=dict)
    grid: dict = field(default_factory=dict)
    fast: dict = field(default_factory=dict)
    multivariate: bool = True
    deterministic: bool = True
    citation: str = ""

    def fingerprint(self) -> str:
        """SHA-256 of the settings that decide what the model computes (its class, parameters,
        grid and fast setting). Every result row stores it (``model_sha256``), and a run re-does a
        row whose model settings have changed since; a change of the model's code is not seen
        (`chaoszoo forecast forget` the model's rows after one)."""
        import hashlib
        import json

        doc = {"target": self.target, "params": self.params, "grid": self.grid, "fast": self.fast,
               "multivariate": self.multivariate}
        return hashlib.sha256(json.dumps(doc, sort_keys=True, default=repr).encode()).hexdigest()

    def missing(self) -> list[str]:
        """The required modules that are not importable."""
        return [m for m in self.requires if importlib.util.find_spec(m) is None]


_USER: dict[str, ModelSpec] = {}
_BUILTIN: dict[str, ModelSpec] | None = None


def _builtin() -> dict[str, ModelSpec]:
    global _BUILTIN
    if _BUILTIN is None:
        specs = {}
        for mod in MODEL_MODULES:
            for spec in importlib.import_module(f"chaoszoo.forecast.models.{mod}").SPECS:
                if spec.name in specs:
                    raise RuntimeError(f"model name {spec.name!r} is registered twice")
                specs[spec.name] = spec
        _BUILTIN = specs
    return _BUILTIN


def register(spec: ModelSpec, *, replace: bool = False) -> ModelSpec:
    """Add a user model to the registry (in this process)."""
    if not isinstance(spec, ModelSpec):
        raise InvalidArgumentError(f"register() takes a ModelSpec; got {type(spec).__name__}.")
    if not replace and (spec.name in _builtin() or spec.name in _USER):
        raise InvalidArgumentError(f"A model called {spec.name!r} is already registered; pass replace=True.")
    _USER[spec.name] = spec
    return spec


def list_models(family: str | None = None) -> list[ModelSpec]:
    """Every registered model (built-in, then user), optionally of one family."""
    specs = {**_builtin(), **_USER}
    out = list(specs.values())
    return [s for s in out if family is None or s.family == family]


def model_path(model) -> str:
    """The name under which ``model`` runs: a registry name or ``"module:Class"`` path as given,
    or, for a class object, the ``"module:Qualified.Name"`` path that imports it (worker
    processes import it by that path, so it must be importable: defined at the top level of a
    module, or of a script run as a file)."""
    if isinstance(model, str):
        return model
    if isinstance(model, type):
        path = f"{model.__module__}:{model.__qualname__}"
        if "<locals>" in model.__qualname__:
            raise InvalidArgumentError(
                f"The model class {model.__qualname__} is defined inside a function; worker processes can only "
                "import classes defined at the top level of a module. Move it there (or pass jobs=0).")
        try:
            found = load_class(path)
        except InvalidArgumentError:
            found = None
        if found is not model:
            raise InvalidArgumentError(
                f"The model class {model.__qualname__} cannot be imported back as {path!r} (defined in an interactive "
                "session or replaced since); put it in a module, or pass its 'module:Class' path.")
        return path
    raise InvalidArgumentError(f"A model is a registry name, a 'package.module:Class' path or a class; got {model!r} "
                               f"({type(model).__name__}).")


def _first_line(doc) -> str:
    lines = [ln.strip() for ln in (doc or "").strip().splitlines() if ln.strip()]
    return lines[0] if lines else ""


def get_spec(name) -> ModelSpec:
    """The spec of ``name``; a ``"package.module:Class"`` path (or a class) gives an ad-hoc user
    spec, whose description is the first line of the class's docstring."""
    if isinstance(name, type):
        name = model_path(name)
    if not isinstance(name, str) or not name:
        raise InvalidArgumentError(f"A model name must be a non-empty string; got {name!r}.")
    specs = {**_builtin(), **_USER}
    if name in specs:
        return specs[name]
    if ":" in name:
        cls = load_class(name)  # fail early with a clear message
        return ModelSpec(name=name, target=name, family="user",
                         description=_first_line(getattr(cls, "__doc__", None)) or f"user model {name}")
    close = difflib.get_close_matches(name, list(specs), n=4, cutoff=0.5)
    hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
    raise InvalidArgumentError(
        f"Unknown model {name!r}.{hint} Run `chaoszoo forecast models` to list them, "
        "or pass your own class as 'package.module:Class'."
    )


def load_class(target: str):
    """Import ``"package.module:Class"`` and return the class (or factory)."""
    mod_name, _, attr = target.partition(":")
    if not mod_name or not attr:
        raise InvalidArgumentError(f"A model path must look like 'package.module:Class'; got {target!r}.")
    try:
        module = importlib.import_module(mod_name)
    except ImportError as err:
        raise InvalidArgumentError(f"Cannot import the model module {mod_name!r}: {err}.") from err
    except Exception as err:  # a module that raises at import time
        raise InvalidArgumentError(f"Importing the model module {mod_name!r} failed: {type(err).__name__}: {err}.") from err
    obj = module
    for part in attr.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError:
            raise InvalidArgumentError(f"Module {mod_name!r} has no attribute {attr!r}.") from None
    return obj


def make(name: str, *, fast: bool = False, **params) -> Model:
    """A new, unfitted instance of model ``name``.

    Arguments:
        name: a registry name or ``"package.module:Class"``.
        fast: use the model's quick setting.
        params: constructor arguments (override the spec's).

    Raises:
        InvalidArgumentError: unknown name or bad constructor arguments.
        MissingExtraError: the model's extra is not installed (names the extra).
    """
    spec = get_spec(name)
    missing = spec.missing()
    if missing:
        raise MissingExtraError(f"Model {spec.name!r}", spec.extra or spec.name, missing[0])
    cls = load_class(spec.target)
    if not callable(cls):
        raise ModelError(f"{spec.target} is a {type(cls).__name__}, not a class: a model is a class with "
                         "fit(history, info) and predict(horizon).")
    kwargs = {**spec.params, **(spec.fast if fast else {}), **params}
    try:
        model = cls(**kwargs)
    except TypeError as err:
        if not isinstance(cls, type):
            raise ModelError(f"{spec.target} is a {type(cls).__name__}, not a class, and calling it with {kwargs} "
                             f"failed ({err}): a model is a class with fit(history, info) and predict(horizon) "
                             "(or a function that returns one).") from None
        raise InvalidArgumentError(f"Model {spec.name!r} does not accept these arguments {kwargs}: {err}.") from err
    if not (callable(getattr(model, "fit", None)) and callable(getattr(model, "predict", None))):
        raise ModelError(f"{spec.target} does not meet the model interface: it needs fit(history, info) and predict(horizon).")
    return model
