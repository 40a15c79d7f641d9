"""Time-series features of the catalog (catch22; tsfresh optional) and their analysis.

``chaoszoo features compute`` regenerates the shipped table ``features/data/catch22.parquet``;
``chaoszoo features analyse`` embeds (UMAP), clusters (HDBSCAN) and correlates it with the
invariants. See ``docs/features.md``.
"""

from chaoszoo.features.analysis import analyse, plot_embedding
from chaoszoo.features.compute import (
    CATCH22_PATH, Sampling, catch22, catch22_names, compute_table, load_table, tsfresh_features,
)

EMBEDDING_PATH = CATCH22_PATH.with_name("embedding.parquet")


def load_embedding(path=EMBEDDING_PATH):
    """The shipped embedding (system, x, y, cluster, ...) as a pandas DataFrame."""
    import pandas as pd

    from chaoszoo.errors import InvalidArgumentError

    from pathlib import Path

    if not Path(path).exists():
        raise InvalidArgumentError(f"No embedding at {path}; run `chaoszoo features analyse`.")
    return pd.read_parquet(path)


__all__ = ["CATCH22_PATH", "EMBEDDING_PATH", "Sampling", "analyse", "catch22", "catch22_names", "compute_table",
           "load_embedding", "load_table", "plot_embedding", "tsfresh_features"]
