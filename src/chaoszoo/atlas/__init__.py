"""The atlas: a self-contained static web site of the catalog (``chaoszoo atlas build``).

One page per system (equations as MathML derived from the declaration, parameters, initial
condition, invariants with provenance, notes, attractor pictures, time series, power spectrum,
copy-paste code, neighbours in feature space, forecasting results), an index with search,
filters and sorting, leaderboards and the feature map. Plain HTML, CSS and a little
JavaScript: nothing is fetched when it is viewed, so it works from ``file://``.

>>> from chaoszoo.atlas import build                        # doctest: +SKIP
>>> print(build("site", names=["Lorenz", "Henon"], jobs=1).summary())   # doctest: +SKIP
"""

from chaoszoo.atlas.build import MARKER, BuildStats, build, check_output_dir, declaration_key
from chaoszoo.atlas.serve import serve

__all__ = ["MARKER", "BuildStats", "build", "check_output_dir", "declaration_key", "serve"]
