"""The atlas's optional inputs, read defensively: shipped forecasting results and features.

Each reader returns ``None`` (never raises) when its source is absent or unreadable, together
with the command that produces it, so a page can say what to run instead of vanishing.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

import chaoszoo

PACKAGE = Path(chaoszoo.__file__).parent
RESULTS_DIR = PACKAGE / "forecast" / "data" / "results"
FEATURES_DIR = PACKAGE / "features" / "data"

FORECAST_COMMAND = "chaoszoo forecast run --protocol short-coarse --out results/short-coarse"
FEATURES_COMMAND = "chaoszoo features compute && chaoszoo features analyse"

#: Columns that identify a job rather than score it.
ID_COLUMNS = {"system", "model", "ic", "variant", "status", "protocol", "protocol_version", "job_id", "seed",
              "ic_index", "param_index", "missing", "error", "data_sha256", "univariate", "noise", "history",
              "granularity", "kind", "seconds", "fit_seconds", "predict_seconds", "n_train", "n_test",
              "horizon", "version", "chaoszoo_version"}
#: Preferred headline metrics, in order.
HEADLINE = ("smape", "mase", "nrmse", "mae", "rmse")
#: Metrics in which larger is better (shared with chaoszoo.forecast.ranking when available).
try:
    from chaoszoo.forecast.ranking import HIGHER_IS_BETTER
except Exception:  # noqa: BLE001 - the forecast layer is optional for the atlas
    HIGHER_IS_BETTER = frozenset({"r2_score", "spearman", "pearson", "kendall", "mutual_information", "vpt_smape",
                                  "vpt_nrmse", "clean_vpt_smape", "clean_vpt_nrmse"})


@dataclass
class Protocol:
    """One protocol's shipped results."""

    name: str
    frame: object                      # pandas.DataFrame, one row per job
    meta: dict = field(default_factory=dict)
    figures: list[Path] = field(default_factory=list)
    source: Path | None = None

    @property
    def metrics(self) -> list[str]:
        df = self.frame
        return [c for c in df.columns if c not in ID_COLUMNS and df[c].dtype.kind in "fiu"
                and not c.endswith(("_seconds", "_index", "_stderr"))]

    @property
    def headline(self) -> str | None:
        ms = self.metrics
        for m in HEADLINE:
            if m in ms:
                return m
        return ms[0] if ms else None

    @property
    def vpt(self) -> str | None:
        ms = self.metrics
        for m in ("vpt_smape", "vpt_nrmse"):
            if m in ms:
                return m
        vs = [m for m in ms if "vpt" in m]
        return vs[0] if vs else None

    @property
    def command(self) -> str:
        for k in ("command", "regenerate", "regeneration_command", "regeneration", "cmd"):
            if isinstance(self.meta.get(k), str):
                return self.meta[k]
        return f"chaoszoo forecast run --protocol {self.name}"

    def ok(self):
        df = self.frame
        if "status" in df.columns:
            df = df[df["status"].astype(str) == "ok"]
        return df


def _read_table(path: Path):
    import pandas as pd

    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    if path.suffix == ".csv":
        return pd.read_csv(path)
    raise ValueError(path)


def forecast_results(results_dir: Path | None = None) -> list[Protocol]:
    """Every ``<protocol>.parquet`` (or ``.csv``) under the results folder, with its ``.json``."""
    d = Path(results_dir) if results_dir is not None else RESULTS_DIR
    if not d.is_dir():
        return []
    out = []
    for path in sorted([*d.glob("*.parquet"), *d.glob("*.csv")]):
        if path.name.startswith("."):
            continue
        try:
            df = _read_table(path)
        except Exception as exc:  # noqa: BLE001 - a broken file is reported on the page, not fatal
            warnings.warn(f"atlas: cannot read {path}: {exc}", stacklevel=2)
            continue
        if not {"system", "model"} <= set(df.columns) or not len(df):
            warnings.warn(f"atlas: {path} lacks 'system'/'model' columns or rows; skipped", stacklevel=2)
            continue
        meta = {}
        mpath = path.with_suffix(".json")
        if mpath.exists():
            try:
                meta = json.loads(mpath.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                meta = {}
        if isinstance(meta, dict) and isinstance(meta.get("protocol"), dict):
            # the forecast package's sidecar nests the protocol's settings under "protocol"
            proto_settings = meta["protocol"]
            for k in ("name", "version", "description", "citation"):
                if k in proto_settings:
                    meta.setdefault(k, proto_settings[k])
            meta["protocol"] = proto_settings.get("name", path.stem)
        name = str(meta.get("name") or meta.get("protocol") or path.stem) if isinstance(meta, dict) else path.stem
        figures = sorted(p for p in d.glob(f"{path.stem}*") if p.suffix in (".png", ".svg", ".jpg"))
        sub = d / path.stem
        if sub.is_dir():
            figures += sorted(p for p in sub.iterdir() if p.suffix in (".png", ".svg", ".jpg"))
        if any(p.name == path.stem for p in out):
            continue
        out.append(Protocol(path.stem, df, meta if isinstance(meta, dict) else {}, figures, path))
        out[-1].meta.setdefault("display_name", name)
    return out


@dataclass
class Features:
    """Per-system feature vectors (normal scores) and a 2-D map of the catalog."""

    names: list[str]
    X: np.ndarray
    columns: list[str]
    xy: np.ndarray                     # (n_systems, 2)
    embedding: str                     # how xy was made
    meta: dict = field(default_factory=dict)

    def neighbours(self, name: str, k: int = 6) -> list[tuple[str, float]]:
        if name not in self._index:
            return []
        i = self._index[name]
        dist = np.sqrt(((self.X - self.X[i]) ** 2).sum(axis=1))
        order = [j for j in np.argsort(dist, kind="stable") if j != i][:k]
        return [(self.names[j], float(dist[j])) for j in order]

    def __post_init__(self):
        self._index = {n: i for i, n in enumerate(self.names)}


def features(features_dir: Path | None = None) -> Features | None:
    """The shipped catch22 table reduced to one vector per system, plus a 2-D map.

    The map is the shipped embedding (``embedding.parquet``, from ``chaoszoo features
    analyse``) when present, otherwise the first two principal components of the same vectors.
    """
    import pandas as pd

    d = Path(features_dir) if features_dir is not None else FEATURES_DIR
    table_path = d / "catch22.parquet"
    if not table_path.exists():
        return None
    try:
        table = pd.read_parquet(table_path)
        meta_cols = {"system", "variable", "kind", "field", "status", "error"}
        cols = [c for c in table.columns if c not in meta_cols and table[c].dtype.kind in "fiu"]
        if "system" not in table.columns or not cols:
            return None
        per_system = table.groupby("system", sort=True)[cols].mean()
        per_system = per_system.loc[:, per_system.nunique(dropna=True) > 1]
        per_system = per_system.fillna(per_system.median()).dropna(axis=1)
        if per_system.shape[0] < 3 or per_system.shape[1] < 2:
            return None
        from sklearn.preprocessing import QuantileTransformer

        qt = QuantileTransformer(n_quantiles=min(1000, len(per_system)), output_distribution="normal")
        X = qt.fit_transform(per_system.to_numpy(dtype=np.float64))
        names = [str(n) for n in per_system.index]
    except Exception as exc:  # noqa: BLE001
        warnings.warn(f"atlas: cannot read {table_path}: {exc}", stacklevel=2)
        return None
    meta = {}
    if table_path.with_suffix(".json").exists():
        try:
            meta = json.loads(table_path.with_suffix(".json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            meta = {}
    xy, how = None, ""
    for cand in sorted(d.glob("*embed*")) + sorted(d.glob("*umap*")):
        if cand.suffix not in (".parquet", ".csv"):
            continue
        try:
            emb = _read_table(cand)
            emb = emb.set_index("system")
            xcol, ycol = ("x", "y") if {"x", "y"} <= set(emb.columns) else \
                [c for c in emb.columns if emb[c].dtype.kind == "f"][:2]
            pts = emb.reindex(names)[[xcol, ycol]].to_numpy(dtype=np.float64)
            if np.isfinite(pts).all():
                xy, how = pts, f"the shipped embedding ({cand.name}, from chaoszoo features analyse)"
                break
        except Exception:  # noqa: BLE001
            continue
    if xy is None:
        from sklearn.decomposition import PCA

        xy = PCA(n_components=2).fit_transform(X)
        how = "the first two principal components of the per-system catch22 vectors (normal scores)"
    return Features(names, X, list(per_system.columns), xy, how, meta)
