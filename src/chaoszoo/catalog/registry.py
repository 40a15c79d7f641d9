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
    """The declaration called ``name``; raises :class:`UnknownSystemError` with suggestions.

    A name that is not in the catalog may be a generated system's (its own registry family,
    :mod:`chaoszoo.catalog.generated`), which is then built from its name.
    """
    _load()
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        pass
    if isinstance(name, str) and name.startswith(("Skew", "Mut")):
        from chaoszoo.catalog.generated import lookup

        found = lookup(name)
        if found is not None:
            return found
    raise UnknownSystemError(str(name), _REGISTRY) from None


def names(kind: str | None = None, tag: str | None = None, generated: bool = False) -> list[str]:
    """Sorted names of the systems, optionally only those of one kind and/or tag.

    ``generated=True`` adds the generated systems registered in this process
    (:func:`chaoszoo.catalog.generated.register`); by default only the catalog is listed.
    """
    _load()
    if not isinstance(generated, bool):
        raise InvalidArgumentError(f"generated must be True or False; got {generated!r}.")
    if kind is not None and kind not in KINDS:
        raise InvalidArgumentError(f"kind must be one of {', '.join(KINDS)} or None; got {kind!r}.")
    if tag is not None and tag not in tag_vocabulary.ALL:
        raise InvalidArgumentError(
            f"Unknown tag {tag!r}. Known tags: {', '.join(sorted(tag_vocabulary.ALL))}."
        )
    pool = dict(_REGISTRY)
    if generated:
        from chaoszoo.catalog.generated import _FAMILY

        pool.update(_FAMILY)
    return [
        n for n, d in sorted(pool.items())
        if (kind is None or d.kind == kind) and (tag is None or tag in d.tags)
    ]
