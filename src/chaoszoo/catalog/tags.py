"""The vocabulary of tags that slice the catalog.

Tags come in groups: the scientific *field* a system comes from, and *properties* of its
dynamics. The kind (flow, delay, map) is added automatically; ``high-dimensional`` is
meant for systems with more than ten state variables.
"""

from __future__ import annotations

from chaoszoo.errors import InvalidArgumentError

FIELDS = frozenset({
    "astrophysics", "biology", "chemistry", "climate", "ecology", "economics", "electronics",
    "fluids", "mechanics", "neuroscience", "optics", "physics", "mathematics", "medicine",
    "engineering", "epidemiology", "plasma", "geophysics",
})
PROPERTIES = frozenset({
    "dissipative", "conservative", "hamiltonian", "hyperchaotic", "nonautonomous",
    "stiff", "high-dimensional", "quasi-periodic", "periodic", "multistable", "piecewise",
    "spatiotemporal", "hidden-attractor", "no-equilibria", "transient-chaos",
})
KINDS = frozenset({"flow", "delay", "map"})
ALL = FIELDS | PROPERTIES | KINDS


def check(name: str, tags) -> None:
    unknown = sorted(set(tags) - ALL)
    if unknown:
        raise InvalidArgumentError(
            f"Declaration {name!r} uses unknown tag(s) {unknown}; add them to "
            "chaoszoo.catalog.tags (FIELDS or PROPERTIES) or use an existing one."
        )
    if not set(tags) & FIELDS:
        raise InvalidArgumentError(f"Declaration {name!r} needs at least one field tag from {sorted(FIELDS)}.")
