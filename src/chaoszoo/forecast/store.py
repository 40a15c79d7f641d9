"""The results store: one SQLite database in WAL mode per results directory.

Why SQLite and not append-only Parquet parts: a benchmark run writes one small row per job
(tens of thousands in a full run). SQLite commits each row in its own transaction, so a
``kill -9`` at any moment loses at most the row being written and never corrupts the ones
before it (write-ahead log); finding which jobs are done is an indexed query; concurrent
readers (a leaderboard while a run goes on) are allowed; and the directory stays one file
instead of tens of thousands of parts that would need compaction. Measured with
``benchmarks/bench_store.py`` (2,000 rows of 24 metrics, this 2-core machine while heavily
shared, load ~27): 240 committed rows per second, read back in 3.4 s, against 4 rows per
second and 80 s for one Parquet part per row (fsync + rename): 67x. Either rate is far above
the rate at which models produce rows. Parquet remains the export format (:func:`export_parquet`).

Layout: ``DIR/results.sqlite`` with a ``meta`` table (format version, protocol settings) and
a ``results`` table (key columns plus the whole row as JSON, and optionally the forecast as
``.npy`` bytes so metrics can be recomputed without refitting).
"""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import numpy as np

from chaoszoo.errors import InvalidArgumentError, ResultsStoreError

FORMAT = "chaoszoo-forecast-results"
FORMAT_VERSION = 1
DB = "results.sqlite"
_ALLOWED_EXTRA = {"report", "leaderboard.md", ".DS_Store", DB + "-wal", DB + "-shm", DB + "-journal", "parts"}


def _connect(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(str(path), timeout=30.0, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")  # durable across process crashes (not OS crashes) in WAL mode
    return con


class ResultsStore:
    """A results directory opened for reading and writing (see the module docstring)."""

    def __init__(self, path, protocol_settings: dict | None = None, *, create: bool = True):
        self.path = Path(path).expanduser()
        db = self.path / DB
        if self.path.exists() and not self.path.is_dir():
            raise ResultsStoreError(f"{self.path} is a file, not a results directory.")
        if not db.is_file():
            if not create:
                raise ResultsStoreError(f"No results in {self.path} (no {DB}); run `chaoszoo forecast run ... --out {self.path}`.")
            if self.path.is_dir() and any(p.name not in _ALLOWED_EXTRA for p in self.path.iterdir()):
                raise ResultsStoreError(
                    f"{self.path} is not empty and holds no chaoszoo results; choose a new --out directory "
                    "(nothing in it was changed).")
            if protocol_settings is None:
                raise ResultsStoreError(f"{self.path} holds no results yet.")
            self.path.mkdir(parents=True, exist_ok=True)
        self._con = _connect(db)
        self._con.executescript(
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
            "CREATE TABLE IF NOT EXISTS results (job_id TEXT PRIMARY KEY, system TEXT, model TEXT, status TEXT,"
            " row TEXT NOT NULL, forecast BLOB);"
            "CREATE INDEX IF NOT EXISTS results_status ON results(status);")
        meta = self.meta()
        if not meta:
            if protocol_settings is None:
                raise ResultsStoreError(f"{self.path / DB} has no metadata; it was not written by chaoszoo.")
            with self._con:
                self._con.execute("BEGIN")
                self._con.executemany("INSERT INTO meta VALUES (?, ?)", [
                    ("format", FORMAT), ("format_version", str(FORMAT_VERSION)),
                    ("protocol", json.dumps(protocol_settings, sort_keys=True))])
            meta = self.meta()
        if meta.get("format") != FORMAT:
            raise ResultsStoreError(f"{self.path / DB} is not a chaoszoo results store.")
        if int(meta.get("format_version", 0)) > FORMAT_VERSION:
            raise ResultsStoreError(f"{self.path} was written by a newer chaoszoo (format {meta['format_version']}); upgrade.")
        self.protocol = json.loads(meta["protocol"])
        if protocol_settings is not None:
            mine = (protocol_settings["name"], protocol_settings["version"])
            theirs = (self.protocol["name"], self.protocol["version"])
            if mine != theirs or protocol_settings != self.protocol:
                what = "another protocol" if mine[0] != theirs[0] else (
                    "another version of the protocol" if mine[1] != theirs[1] else "different protocol settings")
                raise ResultsStoreError(
                    f"{self.path} holds results of {theirs[0]!r} v{theirs[1]}, written with {what} than "
                    f"{mine[0]!r} v{mine[1]}; use another --out directory (the stored rows were left untouched).")

    def meta(self) -> dict:
        return dict(self._con.execute("SELECT key, value FROM meta").fetchall())

    @property
    def wall_seconds(self) -> float:
        """The wall time of the runs that wrote this store, summed over sessions (seconds)."""
        return float(self.meta().get("wall_seconds", 0.0))

    def add_wall_seconds(self, seconds: float) -> None:
        """Add a run's wall time to the store's total (the shipped tables report it)."""
        with self._con:
            self._con.execute("BEGIN IMMEDIATE")
            total = self.wall_seconds + float(seconds)  # read inside the transaction: concurrent runs add up
            self._con.execute("INSERT OR REPLACE INTO meta VALUES ('wall_seconds', ?)", (repr(total),))

    def done(self, include_failed: bool = True) -> set[str]:
        q = "SELECT job_id FROM results" + ("" if include_failed else " WHERE status = 'ok'")
        return {r[0] for r in self._con.execute(q)}

    def put(self, row: dict, forecast: np.ndarray | None = None) -> None:
        """Write one row atomically (replacing a row with the same ``job_id``)."""
        blob = None
        if forecast is not None:
            buf = io.BytesIO()
            np.save(buf, np.asarray(forecast), allow_pickle=False)
            blob = buf.getvalue()
        text = json.dumps(row, sort_keys=True, default=_jsonable, allow_nan=True)
        with self._con:
            self._con.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?)",
                              (row["job_id"], row["system"], row["model"], row["status"], text, blob))

    def rows(self) -> list[dict]:
        return [json.loads(r[0]) for r in self._con.execute("SELECT row FROM results ORDER BY job_id")]

    def forget(self, models=None, systems=None, *, failed_only: bool = False) -> int:
        """Delete the rows of some models and/or systems, so that the next run redoes those jobs
        (after a model changed, say). ``None`` matches every model (system); at least one of the
        two must be given. Returns the number of rows deleted, all in one transaction."""
        if not models and not systems:
            raise InvalidArgumentError("forget() needs models or systems (it does not empty a whole store).")
        where, args = [], []
        for col, values in (("model", models), ("system", systems)):
            if values:
                values = [values] if isinstance(values, str) else list(values)
                where.append(f"{col} IN ({', '.join('?' * len(values))})")
                args += values
        if failed_only:
            where.append("status != 'ok'")
        with self._con:
            self._con.execute("BEGIN IMMEDIATE")
            return self._con.execute("DELETE FROM results WHERE " + " AND ".join(where), args).rowcount

    def forecast(self, job_id: str) -> np.ndarray | None:
        r = self._con.execute("SELECT forecast FROM results WHERE job_id = ?", (job_id,)).fetchone()
        if r is None or r[0] is None:
            return None
        return np.load(io.BytesIO(r[0]), allow_pickle=False)

    def close(self) -> None:
        self._con.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _jsonable(x):
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, (set, tuple)):
        return list(x)
    raise TypeError(f"not JSON serialisable: {type(x).__name__}")


def _flatten(row: dict) -> dict:
    out = {k: v for k, v in row.items() if k not in ("metrics", "missing")}
    out.update(row.get("metrics") or {})
    if row.get("missing"):
        out["missing"] = row["missing"]
    return out


def load_results(paths, *, status: str | None = None):
    """Rows of one or several results directories as a ``pandas.DataFrame``.

    Each metric is a column (``NaN`` where missing; the reasons are in the ``missing``
    column). Stores from several machines merge: rows with the same ``job_id`` must come from
    the same protocol version, and the later directory's row wins.
    """
    import pandas as pd

    if isinstance(paths, (str, Path)):
        paths = [paths]
    rows, proto = {}, None
    for p in paths:
        with ResultsStore(p, create=False) as st:
            key = (st.protocol["name"], st.protocol["version"])
            if proto is not None and key != proto:
                raise ResultsStoreError(f"Cannot merge {p} ({key[0]} v{key[1]}) with {proto[0]} v{proto[1]} results.")
            proto = key
            for r in st.rows():
                rows[r["job_id"]] = _flatten(r)
    df = pd.DataFrame(list(rows.values()))
    if status is not None and len(df):
        if status not in ("ok", "failed"):
            raise InvalidArgumentError(f"status must be 'ok', 'failed' or None; got {status!r}.")
        df = df[df["status"] == status].reset_index(drop=True)
    return df


def merge(sources, out) -> int:
    """Copy every row (and stored forecast) of ``sources`` into the store ``out``; returns the count."""
    n = 0
    target = None
    for p in sources:
        with ResultsStore(p, create=False) as src:
            if target is None:
                target = ResultsStore(out, src.protocol)
            elif (src.protocol["name"], src.protocol["version"]) != (target.protocol["name"], target.protocol["version"]):
                raise ResultsStoreError(f"{p} holds another protocol's results than {out}.")
            for job_id, row, blob in src._con.execute("SELECT job_id, row, forecast FROM results"):
                r = json.loads(row)
                with target._con:
                    target._con.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?)",
                                        (job_id, r["system"], r["model"], r["status"], row, blob))
                n += 1
    if target is not None:
        target.close()
    return n


# Row fields holding dicts or lists (a VPT curve, hyperparameters, tuning record, versions, the
# reasons a metric is missing): Parquet files hold them as JSON text.
NESTED_COLUMNS = ("curve", "params", "tuning", "versions", "missing")


def export_parquet(paths, out_file) -> Path:
    """Write the merged results of ``paths`` to one Parquet file (temp file + rename), rows
    sorted by job id and columns by name."""
    import os
    import tempfile

    df = load_results(paths)
    # rows by job id and columns by name, so the same rows give the same file from any store
    df = df.sort_values("job_id", kind="stable").reset_index(drop=True)[sorted(df.columns)]
    out_file = Path(out_file)
    out_file.parent.mkdir(parents=True, exist_ok=True)
    for col in df.columns:  # nested values (dicts, lists) as JSON text, so the file is flat
        if df[col].map(lambda v: isinstance(v, (dict, list))).any():
            df[col] = df[col].map(lambda v: json.dumps(v, sort_keys=True, default=_jsonable) if isinstance(v, (dict, list)) else v)
    fd, tmp = tempfile.mkstemp(dir=out_file.parent, prefix=f".{out_file.name}.", suffix=".tmp")
    os.close(fd)
    try:
        # zstd: a third smaller than the default snappy for these tables (short-coarse, 23,109 rows:
        # 9.9 MB against 14.5 MB), read by every Parquet reader
        df.to_parquet(tmp, index=False, compression="zstd")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes the file private; a results file is not
        os.replace(tmp, out_file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out_file


# The fields of a row besides its metrics (what jobs.execute writes); in a flat export every
# other column is a metric.
ROW_FIELDS = frozenset({
    "job_id", "protocol", "protocol_version", "system", "ic", "variant", "univariate", "noise", "model", "setting",
    "seed", "host", "status", "data_sha256", "history_len", "horizon", "dims", "lyapunov_steps", "pts_per_period",
    "family", "tuning", "params", "fit_seconds", "predict_seconds", "peak_memory_mb", "peak_rss_mb", "curve",
    "missing", "error", "traceback", "versions", "device", "seconds", "pid"})


def import_parquet(file, out, protocol_settings: dict | None = None) -> int:
    """Re-create the results store ``out`` from a Parquet export (for example a shipped table),
    so that ``run`` continues a benchmark where it stopped on another machine: the jobs in the
    file count as done. The protocol settings come from the JSON sidecar next to the file
    (``<name>.json``, key ``protocol``) unless given. Exports hold no forecasts, so neither does
    ``out``; the sidecar's wall time becomes the store's, to which later runs add theirs.
    Returns the number of rows written."""
    import math

    import pyarrow.parquet as pq

    file = Path(file)
    if not file.is_file():
        raise InvalidArgumentError(f"No Parquet file at {file}.")
    side = file.with_suffix(".json")
    sidecar = json.loads(side.read_text()) if side.is_file() else {}
    if protocol_settings is None:
        if not sidecar:
            raise InvalidArgumentError(f"{file} has no sidecar {side.name} with its protocol settings; pass them.")
        protocol_settings = sidecar["protocol"]
    n = 0
    with ResultsStore(out, protocol_settings) as st:
        if sidecar.get("wall_seconds") and not st.wall_seconds:  # the rows' cost travels with them
            st.add_wall_seconds(float(sidecar["wall_seconds"]))
        for rec in pq.read_table(file).to_pylist():
            row, metrics = {}, {}
            ok = rec.get("status") == "ok"
            for k, v in rec.items():  # every column comes back, so the store exports the same file
                empty = v is None or (isinstance(v, float) and math.isnan(v))
                if k in ROW_FIELDS:
                    row[k] = json.loads(v) if k in NESTED_COLUMNS and isinstance(v, str) else (None if empty else v)
                elif ok or not empty:
                    metrics[k] = None if empty else v
            if ok or metrics:
                row["metrics"] = metrics
            st.put(row)
            n += 1
    return n


def shipped_files(protocols=None) -> list:
    """The shipped tables (``forecast/data/results/<protocol>.parquet``), each beside its JSON
    sidecar; ``protocols`` (names or one name) restricts them, and an unknown name is an error
    that lists the shipped ones."""
    import importlib.resources

    folder = importlib.resources.files("chaoszoo.forecast") / "data" / "results"
    files = sorted(p for p in folder.iterdir() if p.name.endswith(".parquet"))
    if isinstance(protocols, str):
        protocols = [protocols]
    if protocols is None:
        return files
    have = {p.name[: -len(".parquet")] for p in files}
    missing = [p for p in protocols if p not in have]
    if missing:
        raise InvalidArgumentError(f"No shipped results for {missing}; shipped: {', '.join(sorted(have)) or 'none'}.")
    return [p for p in files if p.name[: -len(".parquet")] in protocols]


def shipped_results(protocols=None):
    """The benchmark rows shipped in the package (:func:`shipped_files`), concatenated, as a
    ``pandas.DataFrame``; ``protocols`` restricts them (names or one name). The nested fields
    (:data:`NESTED_COLUMNS`) are decoded, so the frame has the form :func:`load_results` gives.
    The JSON sidecar next to each table records the command that regenerates it."""
    import pandas as pd

    frames = [pd.read_parquet(p) for p in shipped_files(protocols)]
    df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    for col in NESTED_COLUMNS:  # export_parquet stored them as JSON text; give back what load_results gives
        if col in df.columns:
            df[col] = df[col].map(lambda v: json.loads(v) if isinstance(v, str) and v[:1] in "[{" else v)
    return df
