"""The registry of declared systems, filled by importing the declaration modules."""

from __future__ import annotations

import importlib
import pkgutil

from chaoszoo.catalog.declaration import KINDS, Declaration
from chaoszoo.catalog import tags as tag_vocabulary
from chaoszoo.errors import InvalidArgumentError, UnknownSystemError

_REGISTRY: dict[str, Declaration] = {}
_LOADED = False


def register(decl: Declaration) -> None:
    if decl.name in _REGISTRY and _REGISTRY[decl.name].module != decl.module:
        raise InvalidArgumentError(
            f"System {decl.name!r} is declared twice ({_REGISTRY[decl.name].module} and "
            f"{decl.module}); names are unique across the catalog."
        )
    _REGISTRY[decl.name] = decl


def _load() -> None:
    global _LOADED
    if _LOADED:
        return
    from chaoszoo.catalog import systems

    for info in sorted(pkgutil.iter_modules(systems.__path__), key=lambda m: m.name):
        if not info.name.startswith("_"):
            importlib.import_module(f"{systems.__name__}.{info.name}")
    _LOADED = True


def declarations() -> dict[str, Declaration]:
    """Every declaration, by name, in alphabetical order."""
    _load()
    return {k: _REGISTRY[k] for k in sorted(_REGISTRY)}


def declaration(name: str) -> Declaration:
    """The declaration called ``name``; raises :class:`UnknownSystemError` with suggestions."""
    _load()
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise UnknownSystemError(str(name), _REGISTRY) from None


def names(kind: str | None = None, tag: str | None = None) -> list[str]:
    """Sorted names of the systems, optionally only those of one kind and/or tag."""
    _load()
    if kind is not None and kind not in KINDS:
        raise InvalidArgumentError(f"kind must be one of {', '.join(KINDS)} or None; got {kind!r}.")
    if tag is not None and tag not in tag_vocabulary.ALL:
        raise InvalidArgumentError(
            f"Unknown tag {tag!r}. Known tags: {', '.join(sorted(tag_vocabulary.ALL))}."
        )
    return [
        n for n, d in sorted(_REGISTRY.items())
        if (kind is None or d.kind == kind) and (tag is None or tag in d.tags)
    ]
