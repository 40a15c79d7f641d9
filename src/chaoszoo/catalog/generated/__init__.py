"""Generated systems: skew products of catalog flows and parameter mutations (issue 27).

A generated system is a declaration like any catalog entry (symbolic field, exact Jacobian,
LaTeX, integration by the engine), made from a :class:`~chaoszoo.catalog.generated.recipes.Recipe`
and an integer seed, with a name that says how it was made::

    from chaoszoo.catalog import generated

    d = generated.skew_product("Lorenz", "Rossler", "additive", seed=12)   # SkewLorenzRosslerAddS12
    m = generated.mutation("Lorenz", seed=7)                               # MutLorenzS7
    cz.get("SkewLorenzRosslerAddS12")                                      # found by name, built on demand

Generated systems live in their own registry family: :func:`chaoszoo.names` lists the catalog
alone unless asked (``names(generated=True)`` adds the generated systems registered in this
process, by :func:`register` or by loading a corpus manifest), so the catalog's numbers and
tables do not change. Equations, coupling forms and rules: :mod:`.build` and docs/generated.md.
"""

from __future__ import annotations

from chaoszoo.catalog.generated.build import (
    GeneratedDeclaration,
    canonical,
    canonical_bytes,
    eligible_flows,
    from_name,
    from_recipe,
    mutation,
    scales,
    skew_product,
    structure,
    why_not_eligible,
)
from chaoszoo.catalog.generated.recipes import FORMS, GENERATOR_VERSION, Recipe, check_seed

_FAMILY: dict[str, GeneratedDeclaration] = {}


def skew_products(pairs, seeds=(0,), form: str = "additive") -> list[GeneratedDeclaration]:
    """Skew products of every ``(driver, response)`` pair with every seed, pair by pair.

    Everything is checked before anything is generated: an empty pair list, a pair that is not
    two names, a system coupled with itself, a delay equation or map, a seed that is not an
    integer raise :class:`~chaoszoo.errors.InvalidArgumentError`. A draw whose field is undefined
    at its initial condition raises too (see :func:`skew_product`).
    """
    from chaoszoo.catalog.generated.build import structure
    from chaoszoo.errors import InvalidArgumentError

    try:
        pairs = [tuple(p) for p in pairs]
        seeds = list(seeds)
    except TypeError:
        raise InvalidArgumentError(f"pairs must be a list of (driver, response) names; got {pairs!r}.") from None
    if not pairs:
        raise InvalidArgumentError("the pair list is empty: give at least one (driver, response) pair of catalog flows.")
    if not seeds:
        raise InvalidArgumentError("the seed list is empty: give at least one integer seed.")
    for p in pairs:
        if len(p) != 2:
            raise InvalidArgumentError(f"each pair is (driver, response); got {p!r}.")
        structure(p[0], p[1], form)
    seeds = [check_seed(s) for s in seeds]
    return [skew_product(d, r, form, s) for d, r in pairs for s in seeds]


def register(decl: GeneratedDeclaration) -> GeneratedDeclaration:
    """Add a generated declaration to the family (listed by ``names(generated=True)``)."""
    from chaoszoo.errors import InvalidArgumentError

    if not isinstance(decl, GeneratedDeclaration):
        raise InvalidArgumentError(f"only generated declarations join the generated family; got {decl!r}.")
    _FAMILY[decl.name] = decl
    return decl


def registered() -> list[str]:
    """Names of the generated systems registered in this process, sorted."""
    return sorted(_FAMILY)


def lookup(name: str) -> GeneratedDeclaration | None:
    """The generated declaration called ``name``: registered, or built from a generated name;
    ``None`` when ``name`` is not a generated name."""
    decl = _FAMILY.get(name)
    if decl is not None:
        return decl
    return from_name(name)  # a generated name whose draw is refused raises with the reason


__all__ = [
    "FORMS", "GENERATOR_VERSION", "GeneratedDeclaration", "Recipe", "canonical", "canonical_bytes", "check_seed",
    "eligible_flows", "from_name", "from_recipe", "lookup", "mutation", "register", "registered", "scales",
    "skew_product", "skew_products", "structure", "why_not_eligible",
]
