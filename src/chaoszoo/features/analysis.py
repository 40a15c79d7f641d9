"""Analysis of the catalog's feature table: embedding, clustering, agreement with tags, and
rank correlations with the recorded invariants.

Per system, the features of its variables are averaged (a system is one point); every feature
is then mapped to normal scores by rank (scikit-learn's ``QuantileTransformer``), because several
catch22 features are heavy-tailed counts. Features constant over the catalog are dropped; a
system whose feature is undefined (a constant variable; NaN or infinite in the table) gets that
feature's catalog median.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from chaoszoo.errors import InvalidArgumentError, MissingExtraError

META_COLUMNS = ("system", "variable", "kind")
INVARIANTS = ("max_lyapunov", "lyapunov_per_period", "kaplan_yorke_dimension", "correlation_dimension",
              "pesin_entropy", "multiscale_entropy")


def feature_columns(table) -> list[str]:
    return [c for c in table.columns if c not in META_COLUMNS]


#: Fewest systems the analysis accepts (UMAP's spectral start and HDBSCAN need a few points).
MIN_SYSTEMS = 5


def check_table(table) -> list[str]:
    """Validate a features table before any work: a DataFrame with a ``system`` column naming
    catalog systems, numeric feature columns, at least :data:`MIN_SYSTEMS` systems. Returns the
    feature columns."""
    import pandas as pd

    import chaoszoo as cz

    if not isinstance(table, pd.DataFrame):
        raise InvalidArgumentError(f"The features table must be a pandas DataFrame; got {type(table).__name__}.")
    if "system" not in table.columns:
        raise InvalidArgumentError("The features table has no 'system' column; give a table of "
                                   "`chaoszoo features compute`.")
    cols = [c for c in feature_columns(table) if pd.api.types.is_numeric_dtype(table[c])
            and not pd.api.types.is_bool_dtype(table[c])]
    if not cols or table.empty:
        raise InvalidArgumentError("The features table has no numeric feature columns or no rows; give a table of "
                                   "`chaoszoo features compute`.")
    known = set(cz.names())
    unknown = sorted({str(n) for n in table["system"]} - known)
    if unknown:
        raise InvalidArgumentError(f"The features table names {len(unknown)} system(s) that are not in the catalog "
                                   f"({', '.join(unknown[:5])}{'...' if len(unknown) > 5 else ''}); recompute it with "
                                   "`chaoszoo features compute`.")
    n = table["system"].nunique()
    if n < MIN_SYSTEMS:
        raise InvalidArgumentError(f"The features table holds {n} system(s); the embedding and the clustering need "
                                   f"at least {MIN_SYSTEMS}.")
    return cols


def system_matrix(table):
    """``(names, X, columns)``: per-system mean features in normal scores, shape ``(n_systems, n_features)``."""
    import pandas as pd
    from sklearn.preprocessing import QuantileTransformer

    cols = check_table(table)
    # an infinite feature value is as undefined as a NaN one (it gets the catalog median below)
    per_system = table[["system", *cols]].replace([np.inf, -np.inf], np.nan).groupby("system", sort=True)[cols].mean()
    per_system = per_system.loc[:, per_system.nunique(dropna=True) > 1]
    if per_system.shape[1] < 2:
        raise InvalidArgumentError(f"Only {per_system.shape[1]} feature(s) vary between the systems of the table; "
                                   "the analysis needs at least 2.")
    per_system = per_system.fillna(per_system.median())
    qt = QuantileTransformer(n_quantiles=min(1000, len(per_system)), output_distribution="normal")
    X = qt.fit_transform(per_system.to_numpy(dtype=np.float64))
    return list(per_system.index), X, list(per_system.columns), pd.DataFrame(per_system)


def primary_field(system) -> str:
    """The first field tag of a system's declaration (the label used against clusters)."""
    from chaoszoo.catalog.tags import FIELDS

    for tag in system.tags:
        if tag in FIELDS:
            return tag
    return "none"


def invariant_table(names):
    """Recorded invariants per system (NaN where absent), plus ``lyapunov_per_period = λ1 · period``."""
    import pandas as pd

    import chaoszoo as cz

    rows = []
    for name in names:
        s = cz.get(name)
        inv = s.invariants or {}
        row = {"system": name, "kind": s.kind, "field": primary_field(s)}
        for key in INVARIANTS:
            v = inv.get(key)
            row[key] = float(v) if isinstance(v, (int, float)) and np.isfinite(v) else np.nan
        row["lyapunov_per_period"] = row["max_lyapunov"] * float(s.period)
        rows.append(row)
    return pd.DataFrame(rows).set_index("system")


def embed(X, seed: int = 0, n_neighbors: int = 15, min_dist: float = 0.1) -> np.ndarray:
    """Two-dimensional UMAP embedding (seeded: UMAP then runs single-threaded and reproducibly)."""
    try:
        import umap
    except ImportError:
        raise MissingExtraError("The feature embedding", "features", "umap-learn") from None
    reducer = umap.UMAP(n_components=2, n_neighbors=min(n_neighbors, len(X) - 1), min_dist=min_dist,
                        random_state=seed, n_jobs=1)
    return np.asarray(reducer.fit_transform(X), dtype=np.float64)


def cluster(Y, min_cluster_size: int = 5) -> np.ndarray:
    """HDBSCAN (scikit-learn) labels of the embedded points; ``-1`` marks noise."""
    from sklearn.cluster import HDBSCAN

    return HDBSCAN(min_cluster_size=min_cluster_size, copy=True).fit_predict(Y)


def separating_features(X, labels, columns):
    """Which features separate the clusters: Kruskal-Wallis H per feature (noise excluded),
    with p-values and Benjamini-Hochberg q-values, sorted by H."""
    import pandas as pd
    from scipy.stats import false_discovery_control, kruskal

    keep = labels >= 0
    groups = sorted(set(labels[keep]))
    rows = []
    for j, col in enumerate(columns):
        samples = [X[keep & (labels == g), j] for g in groups]
        if len(groups) < 2:
            h, p = np.nan, np.nan
        else:
            h, p = kruskal(*samples)
        top = {f"mean_z_cluster_{g}": float(np.mean(s)) for g, s in zip(groups, samples)}
        rows.append({"feature": col, "H": float(h), "p": float(p), **top})
    out = pd.DataFrame(rows)
    ok = out["p"].notna()
    out["q"] = np.nan
    if ok.any():
        out.loc[ok, "q"] = false_discovery_control(out.loc[ok, "p"].to_numpy())
    return out.sort_values("H", ascending=False, na_position="last").reset_index(drop=True)


def spearman_table(per_system, invariants):
    """Spearman ρ, p-value, BH q-value and n for every (feature, invariant) pair (pairwise complete)."""
    import pandas as pd
    from scipy.stats import false_discovery_control, spearmanr

    rows = []
    for feat in per_system.columns:
        for inv in invariants.columns:
            if inv in ("kind", "field"):
                continue
            a = per_system[feat].to_numpy(dtype=float)
            b = invariants.loc[per_system.index, inv].to_numpy(dtype=float)
            ok = np.isfinite(a) & np.isfinite(b)
            if ok.sum() < 5 or np.ptp(a[ok]) == 0 or np.ptp(b[ok]) == 0:
                rho, p = np.nan, np.nan
            else:
                rho, p = spearmanr(a[ok], b[ok])
            rows.append({"feature": feat, "invariant": inv, "rho": float(rho), "p": float(p), "n": int(ok.sum())})
    out = pd.DataFrame(rows)
    ok = out["p"].notna()
    out["q"] = np.nan
    if ok.any():
        out.loc[ok, "q"] = false_discovery_control(out.loc[ok, "p"].to_numpy())
    return out.sort_values("p", na_position="last").reset_index(drop=True)


@dataclass
class FeatureAnalysis:
    embedding: object          # DataFrame: system, x, y, cluster, kind, field, lyapunov_per_period
    ari: dict                  # adjusted Rand index of clusters vs labels
    separating: object         # DataFrame (separating_features)
    spearman: object           # DataFrame (spearman_table)
    summary: dict = field(default_factory=dict)


def agreement(reference, labels) -> float:
    """Adjusted Rand index of ``labels`` against ``reference``, or NaN where it says nothing:
    fewer than 2 points, or either labelling with a single class (the ARI of two one-class
    labellings is 1.0 by convention, which would read as perfect agreement)."""
    from sklearn.metrics import adjusted_rand_score

    reference, labels = np.asarray(reference), np.asarray(labels)
    if len(labels) < 2 or len(set(reference.tolist())) < 2 or len(set(labels.tolist())) < 2:
        return float("nan")
    return float(adjusted_rand_score(reference, labels))


def analyse(table, seed: int = 0, min_cluster_size: int = 5) -> FeatureAnalysis:
    """Embed, cluster and correlate a features table (see the module docstring).

    Where HDBSCAN finds no cluster (every system is noise), or a single one, its ARI values are
    NaN (not the 1.0 that the ARI of two one-class labellings gives) and ``summary["note"]`` says
    so; :func:`agreement` gives the rule.
    """
    import numbers

    from sklearn.cluster import AgglomerativeClustering

    from chaoszoo import get as cz_get

    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or not 0 <= seed < 2**32:
        raise InvalidArgumentError(f"seed must be an integer in [0, 2**32); got {seed!r}.")
    if isinstance(min_cluster_size, bool) or not isinstance(min_cluster_size, numbers.Integral) \
            or min_cluster_size < 2:
        raise InvalidArgumentError(f"min_cluster_size must be an integer >= 2; got {min_cluster_size!r}.")
    check_table(table)
    n_systems = int(table["system"].nunique())
    if min_cluster_size > n_systems:
        raise InvalidArgumentError(f"min_cluster_size ({min_cluster_size}) is larger than the number of systems "
                                   f"in the table ({n_systems}); choose at most {n_systems}.")
    names, X, cols, per_system = system_matrix(table)
    inv = invariant_table(names)
    Y = embed(X, seed=seed)
    labels = cluster(Y, min_cluster_size=min_cluster_size)
    emb = inv[["kind", "field", "max_lyapunov", "lyapunov_per_period"]].copy()
    emb.insert(0, "x", Y[:, 0])
    emb.insert(1, "y", Y[:, 1])
    emb.insert(2, "cluster", labels.astype(np.int64))
    emb = emb.reset_index()
    clustered = labels >= 0
    n_fields = int(inv["field"].nunique())
    agglo = AgglomerativeClustering(n_clusters=n_fields, linkage="ward").fit_predict(X)
    ari = {
        "hdbscan_vs_field": agreement(inv["field"][clustered], labels[clustered]),
        "hdbscan_vs_kind": agreement(inv["kind"][clustered], labels[clustered]),
        "agglomerative_vs_field": agreement(inv["field"], agglo),
        "agglomerative_vs_kind": agreement(inv["kind"], agglo),
    }
    # one-vs-rest agreement with each property tag carried by at least 5 systems
    from chaoszoo.catalog.tags import PROPERTIES

    tags = {name: set(cz_get(name).tags) for name in names}
    for prop in sorted(PROPERTIES):
        member = np.array([prop in tags[n] for n in names])
        if member.sum() >= 5:
            ari[f"hdbscan_vs_tag_{prop}"] = agreement(member[clustered], labels[clustered])
    n_clusters = int(labels.max() + 1) if len(labels) else 0
    summary = {
        "systems": len(names), "features": len(cols), "clusters": n_clusters,
        "noise_points": int((~clustered).sum()), "fields": n_fields, "seed": seed,
        "min_cluster_size": min_cluster_size,
    }
    if n_clusters == 0:
        summary["note"] = (f"HDBSCAN found no cluster: all {len(names)} systems are noise at min_cluster_size "
                           f"{min_cluster_size}, so its agreement with the tags is undefined (ARI NaN). Try a "
                           "smaller --min-cluster-size or more systems.")
    elif n_clusters == 1:
        summary["note"] = ("HDBSCAN found a single cluster, so its agreement with the tags is undefined (ARI NaN). "
                           "Try a smaller --min-cluster-size.")
    return FeatureAnalysis(emb, ari, separating_features(X, labels, cols), spearman_table(per_system, inv.drop(
        columns=["kind", "field"])), summary)


def plot_embedding(emb, out) -> None:
    """Three panels of the embedding, coloured by field, by kind and by λ1 per period."""
    from chaoszoo.plotting import _pyplot, _save

    plt = _pyplot()
    fig, axes = plt.subplots(1, 3, figsize=(17, 5.4))
    cmap = plt.get_cmap("tab20")
    for ax, col in zip(axes[:2], ("field", "kind")):
        for i, (lab, g) in enumerate(sorted(emb.groupby(col), key=lambda kv: -len(kv[1]))):
            ax.scatter(g["x"], g["y"], s=16, color=cmap(i % 20), label=f"{lab} ({len(g)})", edgecolor="none")
        ax.legend(fontsize=6, loc="best", ncol=2, markerscale=0.8)
        ax.set_title(f"coloured by {col}")
    lam = emb["lyapunov_per_period"].to_numpy(dtype=float)
    ok = np.isfinite(lam) & (lam > 0)
    axes[2].scatter(emb["x"][~ok], emb["y"][~ok], s=12, color="lightgrey", label="λ1 ≤ 0 or unknown")
    loglam = np.log10(lam[ok])
    lo, hi = np.percentile(loglam, [5, 95]) if ok.any() else (0.0, 1.0)
    sc = axes[2].scatter(emb["x"][ok], emb["y"][ok], s=16, c=np.clip(loglam, lo, hi), cmap="viridis",
                         edgecolor="none")
    fig.colorbar(sc, ax=axes[2], label="log10(λ1 × period), clipped to its 5-95th percentiles")
    axes[2].legend(fontsize=6, loc="best")
    axes[2].set_title("coloured by the largest Lyapunov exponent")
    for ax in axes:
        ax.set_xticks([])
        ax.set_yticks([])
        for g in sorted(set(emb["cluster"])):
            if g < 0:
                continue
            c = emb[emb["cluster"] == g]
            ax.annotate(str(g), (c["x"].mean(), c["y"].mean()), fontsize=9, weight="bold", alpha=0.7)
    fig.suptitle("chaoszoo catalog embedded by catch22 features (UMAP); numbers: HDBSCAN clusters")
    fig.tight_layout()
    _save(fig, out, dpi=110)
