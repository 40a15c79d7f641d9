"""The atlas's optional inputs: forecasting results and features.

The shipped sources (the default) are read defensively: a reader returns nothing when they are
absent, and the pages say which command produces them. A folder the user names is read
strictly: a folder that does not exist, holds no results, or holds a damaged file is an error
that says what to do (a typo must not silently give an atlas without results). ``False``
builds without the source.

A results folder holds ``<protocol>.parquet`` (or ``.csv``) tables with their ``.json``
sidecars (``chaoszoo forecast export``, the shipped layout), or is a run folder of
``chaoszoo forecast run`` (``results.sqlite``), read as one protocol.
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
FEATURES_COMMAND = "chaoszoo features compute --ship && chaoszoo features analyse --ship"

#: Columns that identify a job rather than score it.
ID_COLUMNS = {"system", "model", "ic", "variant", "status", "protocol", "protocol_version", "job_id", "seed",
              "ic_index", "param_index", "missing", "error", "data_sha256", "univariate", "noise", "history",
              "granularity", "kind", "seconds", "fit_seconds", "predict_seconds", "n_train", "n_test",
              "horizon", "version", "chaoszoo_version", "members"}
#: Preferred headline metrics, in order.
HEADLINE = ("crps", "smape", "mase", "nrmse", "mae", "rmse")  # crps: a table of the probabilistic track
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
        for m in (("pvpt",) if self.headline == "crps" else ()) + ("vpt_smape", "vpt_nrmse"):
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


def _run_folder(d: Path) -> Protocol:
    """A ``chaoszoo forecast run`` folder (``results.sqlite``) as one protocol."""
    from chaoszoo.errors import ChaoszooError, DatasetError
    from chaoszoo.forecast.store import ResultsStore, load_results

    try:
        df = load_results(d)
        with ResultsStore(d, create=False) as st:
            proto = dict(st.protocol)
    except ChaoszooError as err:
        raise DatasetError(f"--results-dir {d} is a forecasting run folder that cannot be read ({err}).") from None
    except Exception as err:  # noqa: BLE001 - sqlite and JSON errors of a damaged store
        raise DatasetError(f"--results-dir {d}: its results.sqlite is damaged ({type(err).__name__}: "
                           f"{str(err)[:200]}); rerun `chaoszoo forecast run` into a new folder.") from None
    if not len(df) or not {"system", "model"} <= set(df.columns):
        raise DatasetError(f"--results-dir {d} is a forecasting run folder without any result yet; run "
                           f"`chaoszoo forecast run ... --out {d}` first, or leave --results-dir out.")
    name = str(proto.get("name") or d.name)
    meta = {k: proto[k] for k in ("name", "version", "description", "citation") if k in proto}
    meta.update(protocol=name, display_name=name)
    return Protocol(name, df, meta, [], d)


def forecast_results(results_dir=None) -> list[Protocol]:
    """Every ``<protocol>.parquet`` (or ``.csv``) under the results folder, with its ``.json``;
    a ``chaoszoo forecast run`` folder as one protocol. ``None``: the shipped results (read
    defensively); ``False``: none; a folder: read strictly (see the module docstring)."""
    from chaoszoo.errors import DatasetError, InvalidArgumentError

    if results_dir is False:
        return []
    strict = results_dir is not None
    if strict:
        from chaoszoo.data.files import input_dir

        d = input_dir(results_dir, "--results-dir")
        if (d / "results.sqlite").is_file():
            return [_run_folder(d)]
    else:
        d = RESULTS_DIR
    if not d.is_dir():
        return []
    tables = [p for p in sorted([*d.glob("*.parquet"), *d.glob("*.csv")]) if not p.name.startswith(".")]
    if strict and not tables:
        raise InvalidArgumentError(
            f"--results-dir {d} holds no forecasting results: no <protocol>.parquet table (`chaoszoo forecast "
            "export`) and no results.sqlite (a `chaoszoo forecast run` folder). Give such a folder, or use "
            "--no-results to build without results.")
    out = []
    for path in tables:
        try:
            df = _read_table(path)
        except Exception as exc:  # noqa: BLE001 - a broken file is reported on the page, not fatal
            if strict:
                raise DatasetError(f"--results-dir: {path} cannot be read ({type(exc).__name__}: {str(exc)[:200]}); "
                                   "it is damaged or not a results table. Remove it from the folder or re-export "
                                   "it with `chaoszoo forecast export`.") from None
            warnings.warn(f"atlas: cannot read {path}: {exc}", stacklevel=2)
            continue
        if not {"system", "model"} <= set(df.columns) or not len(df):
            if strict:
                raise DatasetError(f"--results-dir: {path} is not a forecasting results table (it lacks the "
                                   "'system'/'model' columns or rows). Remove it from the folder or give another one.")
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


def features(features_dir=None) -> Features | None:
    """The shipped catch22 table reduced to one vector per system, plus a 2-D map.

    The map is the shipped embedding (``embedding.parquet``, from ``chaoszoo features
    analyse``) when present, otherwise the first two principal components of the same vectors.
    ``None``: the shipped tables (read defensively); ``False``: none; a folder: read strictly
    (it must hold a readable ``catch22.parquet``).
    """
    import pandas as pd

    from chaoszoo.errors import DatasetError, InvalidArgumentError

    if features_dir is False:
        return None
    strict = features_dir is not None
    if strict:
        from chaoszoo.data.files import input_dir, read_parquet

        d = input_dir(features_dir, "--features-dir")
        table_path = d / "catch22.parquet"
        if not table_path.is_file():
            raise InvalidArgumentError(
                f"--features-dir {d} holds no catch22.parquet; write one with `chaoszoo features compute --out "
                f"{table_path}` (and `chaoszoo features analyse --table {table_path} --report-dir {d}` for the "
                "map), or use --no-features to build without features.")
        read_parquet(table_path, "features table", f"Recompute it with `chaoszoo features compute --out {table_path}`.",
                     columns=("system",))
    else:
        d = FEATURES_DIR
        table_path = d / "catch22.parquet"
    if not table_path.exists():
        return None
    try:
        table = pd.read_parquet(table_path)
        meta_cols = {"system", "variable", "kind", "field", "status", "error"}
        cols = [c for c in table.columns if c not in meta_cols and table[c].dtype.kind in "fiu"]
        if "system" not in table.columns or not cols:
            if strict:
                raise DatasetError(f"{table_path} has no numeric feature columns; recompute it with `chaoszoo features "
                                   "compute`.")
            return None
        per_system = table.groupby("system", sort=True)[cols].mean()
        per_system = per_system.loc[:, per_system.nunique(dropna=True) > 1]
        per_system = per_system.fillna(per_system.median()).dropna(axis=1)
        if per_system.shape[0] < 3 or per_system.shape[1] < 2:
            if strict:
                raise DatasetError(f"{table_path} has {per_system.shape[0]} system(s) and {per_system.shape[1]} "
                                   "varying feature(s); the atlas needs at least 3 and 2.")
            return None
        from sklearn.preprocessing import QuantileTransformer

        qt = QuantileTransformer(n_quantiles=min(1000, len(per_system)), output_distribution="normal")
        X = qt.fit_transform(per_system.to_numpy(dtype=np.float64))
        names = [str(n) for n in per_system.index]
    except DatasetError:
        raise
    except Exception as exc:  # noqa: BLE001
        if strict:
            raise DatasetError(f"{table_path} cannot be used as a features table ({type(exc).__name__}: "
                               f"{str(exc)[:200]}); recompute it with `chaoszoo features compute`.") from None
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
        except Exception as exc:  # noqa: BLE001
            if strict:
                raise DatasetError(f"--features-dir: {cand} cannot be read as an embedding ({type(exc).__name__}: "
                                   f"{str(exc)[:200]}); delete it or recompute it with `chaoszoo features analyse`."
                                   ) from None
            continue
    if xy is None:
        from sklearn.decomposition import PCA

        xy = PCA(n_components=2).fit_transform(X)
        how = "the first two principal components of the per-system catch22 vectors (normal scores)"
    return Features(names, X, list(per_system.columns), xy, how, meta)
