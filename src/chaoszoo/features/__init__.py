"""Time-series features of the catalog (catch22; tsfresh optional) and their analysis.

``chaoszoo features compute`` computes the table (into ``./catch22.parquet``; with ``--ship``
it regenerates the shipped ``features/data/catch22.parquet``); ``chaoszoo features analyse``
embeds (UMAP), clusters (HDBSCAN) and correlates it with the invariants (into
``./features-analysis/``; with ``--ship``, the shipped embedding and ``docs/features/``). See
``docs/features.md``.
"""

from chaoszoo.features.analysis import analyse, plot_embedding
from chaoszoo.features.compute import (
    CATCH22_PATH, Sampling, catch22, catch22_names, compute_table, load_table, tsfresh_features,
)

EMBEDDING_PATH = CATCH22_PATH.with_name("embedding.parquet")


def load_embedding(path=EMBEDDING_PATH):
    """The shipped (or a given) embedding (system, x, y, cluster, ...) as a pandas DataFrame."""
    from chaoszoo.data.files import as_path, read_parquet
    from chaoszoo.errors import InvalidArgumentError

    path = as_path(path, "path")
    if not path.is_file():
        raise InvalidArgumentError(f"No embedding at {path}; run `chaoszoo features analyse --embedding-out {path}`.")
    return read_parquet(path, "features embedding", "Recompute it with `chaoszoo features analyse`.",
                        columns=("system", "x", "y"))


__all__ = ["CATCH22_PATH", "EMBEDDING_PATH", "Sampling", "analyse", "catch22", "catch22_names", "compute_table",
           "load_embedding", "load_table", "plot_embedding", "tsfresh_features"]
