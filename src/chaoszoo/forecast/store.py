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
the rate at which models produce rows. Parquet (or CSV) is the export format (:func:`export_results`).

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


def _damaged(path: Path, what: str) -> ResultsStoreError:
    return ResultsStoreError(
        f"The results store {path} is damaged ({what}). Nothing was changed. Recover its readable rows into a new "
        f"directory with `chaoszoo forecast repair {path.parent} --out NEW_DIR`, or run into another --out.")


_SCHEMA = ("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);"
           "CREATE TABLE IF NOT EXISTS results (job_id TEXT PRIMARY KEY, system TEXT, model TEXT, status TEXT,"
           " row TEXT NOT NULL, forecast BLOB);"
           "CREATE INDEX IF NOT EXISTS results_status ON results(status)")


def _inspect(db: Path) -> None:
    """Check an existing store read-only: a readable SQLite database that passes the integrity
    check and holds chaoszoo's tables and metadata. Raises :class:`ResultsStoreError` otherwise;
    writes nothing (an uncheckpointed write-ahead log of a killed run is read, not removed)."""
    if db.stat().st_size == 0:
        raise ResultsStoreError(f"{db} is an empty file, not a chaoszoo results store; remove it or run into another "
                                "--out directory.")
    # SQLite opens the journal files of a write-ahead-log database even to read it: the ones it
    # creates for a file that turns out damaged or foreign are removed again
    journals = [db.with_name(db.name + suffix) for suffix in ("-wal", "-shm")]
    before = {j for j in journals if j.exists()}
    try:
        _inspect_open(db)
    except ResultsStoreError:
        for j in journals:
            if j not in before:
                j.unlink(missing_ok=True)
        raise


def _inspect_open(db: Path) -> None:
    try:
        con = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=30.0)
    except sqlite3.DatabaseError as err:
        raise _damaged(db, f"not a readable SQLite database: {err}") from None
    try:
        # a partly overwritten file can open and fail only on a later read: check the whole
        # database now (about 0.1 s per 10,000 rows), before anything is written
        check = [r[0] for r in con.execute("PRAGMA quick_check(5)")]
        if check != ["ok"]:
            raise _damaged(db, "integrity check: " + "; ".join(check)[:300])
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"meta", "results"} <= tables:
            raise ResultsStoreError(f"{db} is an SQLite database, but not a chaoszoo results store (tables: "
                                    f"{', '.join(sorted(tables)) or 'none'}); nothing was changed. Run into another "
                                    "--out directory.")
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        if meta.get("format") != FORMAT:
            raise ResultsStoreError(f"{db} is not a chaoszoo results store (its metadata has no format "
                                    f"{FORMAT!r}); nothing was changed. Run into another --out directory.")
    except sqlite3.DatabaseError as err:
        raise _damaged(db, str(err)) from None
    finally:
        con.close()


def _connect(path: Path) -> sqlite3.Connection:
    try:
        con = sqlite3.connect(str(path), timeout=30.0, isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")  # durable across process crashes (not OS crashes) in WAL mode
    except sqlite3.DatabaseError as err:
        raise _damaged(path, f"not a readable SQLite database: {err}") from None
    return con


class ResultsStore:
    """A results directory opened for reading and writing (see the module docstring)."""

    def __init__(self, path, protocol_settings: dict | None = None, *, create: bool = True):
        import os

        if isinstance(path, bytes) or not isinstance(path, (str, os.PathLike)) or not str(path):
            raise InvalidArgumentError(f"A results directory is a path; got {path!r}.")
        if protocol_settings is not None and not (
                isinstance(protocol_settings, dict) and isinstance(protocol_settings.get("name"), str)
                and isinstance(protocol_settings.get("version"), int)):
            raise InvalidArgumentError("protocol_settings must be a protocol's settings (ForecastProtocol.settings(), "
                                       f"with its name and version); got {protocol_settings!r:.100}.")
        self.path = Path(path).expanduser()
        db = self.path / DB
        if self.path.exists() and not self.path.is_dir():
            raise ResultsStoreError(f"{self.path} is a file, not a results directory.")
        if not db.is_file():
            if db.exists():
                raise ResultsStoreError(f"{db} is not a file; this is not a chaoszoo results directory.")
            if not create:
                raise ResultsStoreError(f"No results in {self.path} (no {DB}); run `chaoszoo forecast run ... --out {self.path}`.")
            if self.path.is_dir() and any(p.name not in _ALLOWED_EXTRA for p in self.path.iterdir()):
                raise ResultsStoreError(
                    f"{self.path} is not empty and holds no chaoszoo results; choose a new --out directory "
                    "(nothing in it was changed).")
            if protocol_settings is None:
                raise ResultsStoreError(f"{self.path} holds no results yet.")
            self.path.mkdir(parents=True, exist_ok=True)
            self._db = db
            self._con = _connect(db)
            try:
                with self._con:
                    self._con.execute("BEGIN")
                    for stmt in _SCHEMA.split(";"):
                        if stmt.strip():
                            self._con.execute(stmt)
                    self._con.executemany("INSERT INTO meta VALUES (?, ?)", [
                        ("format", FORMAT), ("format_version", str(FORMAT_VERSION)),
                        ("protocol", json.dumps(protocol_settings, sort_keys=True))])
            except sqlite3.DatabaseError as err:
                self._con.close()
                raise _damaged(db, str(err)) from None
        else:
            # an existing file is inspected read-only first (a damaged or foreign database is
            # refused without a byte written, no journal files either), then opened for writing
            _inspect(db)
            self._db = db
            self._con = _connect(db)
        meta = self.meta()
        try:
            newer = int(meta.get("format_version", 0)) > FORMAT_VERSION
            self.protocol = json.loads(meta["protocol"])
            if not isinstance(self.protocol, dict) or "name" not in self.protocol or "version" not in self.protocol:
                raise ValueError("no protocol name and version")
        except (ValueError, KeyError, TypeError) as err:
            self._con.close()
            raise _damaged(db, f"unreadable metadata: {err}") from None
        if newer:
            self._con.close()
            raise ResultsStoreError(f"{self.path} was written by a newer chaoszoo (format {meta['format_version']}); upgrade.")
        if protocol_settings is not None:
            mine = (protocol_settings["name"], protocol_settings["version"])
            theirs = (self.protocol["name"], self.protocol["version"])
            if mine != theirs or protocol_settings != self.protocol:
                what = "another protocol" if mine[0] != theirs[0] else (
                    "another version of the protocol" if mine[1] != theirs[1] else "different protocol settings")
                self._con.close()
                raise ResultsStoreError(
                    f"{self.path} holds results of {theirs[0]!r} v{theirs[1]}, written with {what} than "
                    f"{mine[0]!r} v{mine[1]}; use another --out directory (the stored rows were left untouched).")

    def meta(self) -> dict:
        return dict(self._con.execute("SELECT key, value FROM meta").fetchall())

    @property
    def wall_seconds(self) -> float:
        """The wall time of the runs that wrote this store, summed over sessions (seconds)."""
        return float(self.meta().get("wall_seconds", 0.0))

    @property
    def cpu_seconds(self) -> float:
        """The CPU time (this process and its workers) of the runs that wrote this store, summed."""
        return float(self.meta().get("cpu_seconds", 0.0))

    def add_wall_seconds(self, seconds: float, cpu_seconds: float = 0.0) -> None:
        """Add a run's wall (and CPU) time to the store's totals (the shipped tables report them)."""
        with self._con:
            self._con.execute("BEGIN IMMEDIATE")
            meta = self.meta()  # read inside the transaction: concurrent runs add up
            wall = float(meta.get("wall_seconds", 0.0)) + float(seconds)
            cpu = float(meta.get("cpu_seconds", 0.0)) + float(cpu_seconds)
            self._con.execute("INSERT OR REPLACE INTO meta VALUES ('wall_seconds', ?)", (repr(wall),))
            self._con.execute("INSERT OR REPLACE INTO meta VALUES ('cpu_seconds', ?)", (repr(cpu),))

    def _query(self, sql: str, args=()) -> list:
        """Rows of ``sql``; a read that meets damage raises :class:`ResultsStoreError`."""
        try:
            return self._con.execute(sql, args).fetchall()
        except sqlite3.DatabaseError as err:
            raise _damaged(self._db, str(err)) from None

    def done(self, include_failed: bool = True) -> set[str]:
        q = "SELECT job_id FROM results" + ("" if include_failed else " WHERE status = 'ok'")
        return {r[0] for r in self._query(q)}

    def fingerprints(self) -> dict[str, tuple[str, str | None, str | None]]:
        """``{job_id: (status, data fingerprint, model settings fingerprint)}`` of every stored row
        (``None`` where a row has none)."""
        rows = self._query("SELECT job_id, status, json_extract(row, '$.data_sha256'), "
                           "json_extract(row, '$.model_sha256') FROM results")
        return {j: (st, sha, msha) for j, st, sha, msha in rows}

    def rows_where_ic(self, ic: int) -> list[dict]:
        """The stored rows of initial condition ``ic``."""
        return [_parse(self._db, r[0]) for r in self._query(
            "SELECT row FROM results WHERE json_extract(row, '$.ic') = ? ORDER BY job_id", (int(ic),))]

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
        return [_parse(self._db, r[0]) for r in self._query("SELECT row FROM results ORDER BY job_id")]

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

    def remove(self) -> None:
        """Close and delete this store's files (and its directory, if that leaves it empty): for a
        store created by a run that failed before its first row."""
        self._con.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            self._db.with_name(self._db.name + suffix).unlink(missing_ok=True)
        try:
            self.path.rmdir()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _parse(db: Path, text) -> dict:
    try:
        row = json.loads(text)
    except (TypeError, ValueError) as err:
        raise _damaged(db, f"a row is not valid JSON: {err}") from None
    if not isinstance(row, dict) or "job_id" not in row:
        raise _damaged(db, "a row is not a result row")
    return row


def repair(source, out) -> tuple[int, int]:
    """Copy every readable row of the (damaged) store ``source`` into a new store ``out``.

    Reads row by row, so a damaged page loses only the rows on it; rows that are not valid
    result rows are skipped. ``out`` must not hold results yet. Returns ``(copied, lost)``
    where ``lost`` counts the rows that could not be read (as far as SQLite can tell).
    """
    source = Path(source).expanduser()
    db = source / DB
    if not db.is_file():
        raise ResultsStoreError(f"No results in {source} (no {DB}).")
    out = Path(out).expanduser()
    if (out / DB).exists():
        raise ResultsStoreError(f"{out} already holds results; repair into a new directory.")
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        meta = dict(con.execute("SELECT key, value FROM meta").fetchall())
        settings = json.loads(meta["protocol"])
    except (sqlite3.DatabaseError, KeyError, ValueError) as err:
        raise ResultsStoreError(
            f"{db} is damaged beyond repair: its metadata (the protocol) cannot be read ({err}). "
            "Run the benchmark again into a new directory.") from None
    copied = lost = 0
    try:
        try:
            total = con.execute("SELECT max(rowid) FROM results").fetchone()[0] or 0
        except sqlite3.DatabaseError:
            total = 0
        with ResultsStore(out, settings) as target:
            rowid = 0
            while rowid < total:
                rowid += 1
                try:
                    r = con.execute("SELECT row, forecast FROM results WHERE rowid = ?", (rowid,)).fetchone()
                except sqlite3.DatabaseError:
                    lost += 1
                    continue
                if r is None:
                    continue
                try:
                    row = json.loads(r[0])
                    ok = isinstance(row, dict) and all(k in row for k in ("job_id", "system", "model", "status"))
                except (TypeError, ValueError):
                    ok = False
                if not ok:
                    lost += 1
                    continue
                blob = r[1]
                try:
                    forecast = np.load(io.BytesIO(blob), allow_pickle=False) if blob is not None else None
                except (ValueError, OSError):
                    forecast = None
                target.put(row, forecast)
                copied += 1
    finally:
        con.close()
    return copied, lost


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
    column). Stores from several machines merge: they must have the same protocol settings
    (:func:`check_same_settings`), and a row whose job is in several comes from the last one.
    """
    import pandas as pd

    _, rows = stored_rows(paths)
    df = pd.DataFrame([_flatten(r) for r in rows])
    if status is not None and len(df):
        if status not in ("ok", "failed"):
            raise InvalidArgumentError(f"status must be 'ok', 'failed' or None; got {status!r}.")
        df = df[df["status"] == status].reset_index(drop=True)
    return df


def _paths(value, what: str) -> list[Path]:
    """One path or a non-empty list of paths, as :class:`Path` objects; anything else is an error."""
    import os

    items = [value] if isinstance(value, (str, os.PathLike)) else value
    if isinstance(items, (str, bytes, dict)) or not isinstance(items, (list, tuple)) or not items or not all(
            isinstance(p, (str, os.PathLike)) and str(p) for p in items):
        raise InvalidArgumentError(f"{what} must be a path or a non-empty list of paths; got {value!r}.")
    return [Path(p).expanduser() for p in items]


def stored_rows(paths) -> tuple[dict, list[dict]]:
    """``(protocol settings, rows)`` of one or several results directories: the stores must have
    the same protocol settings (:func:`check_same_settings`), and a row whose job is in several
    comes from the last one. Rows are as stored (metrics nested)."""
    rows, first = {}, None
    for p in _paths(paths, "results directories"):
        with ResultsStore(p, create=False) as st:
            if first is None:
                first = (p, st.protocol)
            else:
                check_same_settings(first, (p, st.protocol))
            for r in st.rows():
                rows[r["job_id"]] = r
    return first[1], list(rows.values())


def check_same_settings(a: tuple, b: tuple) -> None:
    """Refuse to combine two stores ``(path, protocol settings)`` whose protocols differ in any
    setting (name, version, horizon, variants, data preset...), naming the settings that differ."""
    (pa, sa), (pb, sb) = a, b
    if sa == sb:
        return
    keys = sorted(k for k in set(sa) | set(sb) if sa.get(k) != sb.get(k))
    shown = "; ".join(f"{k}: {sa.get(k)!r} in {pa} vs {sb.get(k)!r} in {pb}" for k in keys[:4])[:600]
    raise ResultsStoreError(
        f"Cannot combine results of different protocol settings ({shown}). Rows of different settings are not "
        "comparable: rank or merge stores of one protocol version and one set of settings.")


def _task_versions(rows) -> dict:
    """``{(system, ic, variant): {fingerprint: [models]}}`` of the ok rows given as dicts."""
    out: dict = {}
    for r in rows:
        sha = r.get("data_sha256")
        if r.get("status") != "ok" or not isinstance(sha, str):
            continue
        out.setdefault((r.get("system"), r.get("ic"), r.get("variant")), {}).setdefault(sha, []).append(r.get("model"))
    return out


def with_reference(paths):
    """The rows of results directories beside the shipped reference rows of their protocol,
    restricted to the tasks (system, initial condition, variant) both have with equal data
    fingerprints: a user's run compared with the reference on common jobs and equal data.

    Raises :class:`ResultsStoreError` when the protocol has no shipped table, the shipped one was
    written with other settings, or no task is common with equal data."""
    import pandas as pd

    if isinstance(paths, (str, Path)):
        paths = [paths]
    mine = load_results(paths)
    with ResultsStore(paths[0], create=False) as st:
        settings = st.protocol
    name = settings["name"]
    files = {p.name[: -len(".parquet")]: p for p in shipped_files()}
    if name not in files:
        raise ResultsStoreError(f"No shipped reference for protocol {name!r}; shipped: {', '.join(sorted(files))}.")
    side = json.loads(sidecar_path(files[name]).read_text())
    if side.get("protocol") != json.loads(json.dumps(settings, default=str)):
        raise ResultsStoreError(f"The shipped {name!r} reference was written with other settings of the protocol than "
                                f"{paths[0]} (e.g. another version); the rows are not comparable.")
    ref = shipped_results(name)
    key = ["system", "ic", "variant"]

    def one_version(df):
        ok = df[(df["status"] == "ok") & df["data_sha256"].notna()]
        fp = ok.groupby(key)["data_sha256"].agg(lambda v: v.iloc[0] if v.nunique() == 1 else None)
        return fp.dropna()

    a, b = one_version(mine), one_version(ref)
    common = a.index.intersection(b.index)
    same = common[(a.loc[common] == b.loc[common]).to_numpy()]
    if not len(same):
        raise ResultsStoreError(f"{', '.join(map(str, paths))} and the shipped {name!r} reference have no task (system, "
                                "initial condition, variant) with the same data; run the same systems with the "
                                "current chaoszoo.")
    keep = pd.MultiIndex.from_tuples(list(same), names=key)
    ref = ref[~ref["job_id"].isin(set(mine["job_id"]))]
    both = pd.concat([ref, mine], ignore_index=True)
    return both[pd.MultiIndex.from_frame(both[key]).isin(keep)].reset_index(drop=True)


def mixed_tasks_error(versions: dict, what: str):
    """A :class:`DataVersionError` for the tasks of ``versions`` with more than one data
    fingerprint, or ``None`` when every task has one."""
    from chaoszoo.errors import DataVersionError

    mixed = {k: v for k, v in versions.items() if len(v) > 1}
    if not mixed:
        return None
    examples = []
    for (system, ic, variant), shas in sorted(mixed.items(), key=lambda kv: str(kv[0]))[:3]:
        parts = ", ".join(f"{sha[:10]} ({', '.join(sorted(set(map(str, ms)))[:3])})" for sha, ms in shas.items())
        examples.append(f"{system}|ic{ic}|{variant}: {parts}")
    return DataVersionError(
        f"{what}: {len(mixed)} tasks would hold rows computed on different versions of their data, e.g. "
        + "; ".join(examples) + ". Re-run the stale rows with the current code (`chaoszoo forecast run` with the "
        "same --out re-does them), or keep the stores apart.")


def merge(sources, out) -> int:
    """Copy every row (and stored forecast) of ``sources`` into the store ``out``; returns the count.

    Every store must have the same protocol settings, and no task (system, initial condition,
    variant) may end up with rows of two versions of its data; either is refused before anything
    is written. A row whose job is in several stores comes from the last one.
    """
    sources = _paths(sources, "sources")
    out = _paths(out, "out")[0]
    opened, existing = [], None
    try:
        for p in sources:
            opened.append(ResultsStore(p, create=False))
        first = (sources[0], opened[0].protocol)
        for p, st in zip(sources[1:], opened[1:]):
            check_same_settings(first, (p, st.protocol))
        if (out / DB).is_file():
            existing = ResultsStore(out, create=False)
            check_same_settings((out, existing.protocol), first)
        rows: dict = {}
        for st in ([existing] if existing is not None else []) + opened:
            for r in st.rows():
                rows[r["job_id"]] = r
        err = mixed_tasks_error(_task_versions(rows.values()), f"Merging {', '.join(map(str, sources))} into {out}")
        if err is not None:
            raise err
        if existing is not None:
            existing.close()
            existing = None
        n = 0
        with ResultsStore(out, opened[0].protocol) as target:
            for src in opened:
                for job_id, row, blob in src._query("SELECT job_id, row, forecast FROM results"):
                    r = _parse(src._db, row)
                    with target._con:
                        target._con.execute("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?, ?, ?)",
                                            (job_id, r["system"], r["model"], r["status"], row, blob))
                    n += 1
        return n
    finally:
        for st in opened:
            st.close()
        if existing is not None:
            existing.close()


# Row fields holding dicts or lists (a VPT curve, hyperparameters, tuning record, versions, the
# reasons a metric is missing): Parquet files hold them as JSON text.
NESTED_COLUMNS = ("curve", "params", "tuning", "versions", "missing", "prob")


#: Formats of an export, by file extension.
EXPORT_FORMATS = (".parquet", ".csv")
EXPORT_FORMAT = "chaoszoo-forecast-export"


def sidecar_path(file) -> Path:
    """The JSON sidecar of an exported or shipped table: ``x.parquet`` -> ``x.json``."""
    return Path(file).with_suffix(".json")


def _is_our_export(file: Path) -> bool:
    side = sidecar_path(file)
    try:
        doc = json.loads(side.read_text())
    except (OSError, ValueError):
        return False
    return isinstance(doc, dict) and isinstance(doc.get("protocol"), dict)


def export_results(paths, out_file, *, force: bool = False, sidecar: bool = True) -> Path:
    """Write the merged results of ``paths`` to one file, Parquet (``.parquet``) or CSV
    (``.csv``), by temp file + rename, rows sorted by job id and columns by name, with a JSON
    sidecar (``<name>.json``: the protocol settings and the stores' wall and CPU time) that
    :func:`import_results` reads back into a results store.

    An existing file is replaced only if it is a chaoszoo export (it has such a sidecar) or
    ``force`` is given: nothing a user wrote is overwritten without being asked.
    """
    out_file = _paths(out_file, "out_file")[0]
    suffix = out_file.suffix.lower()
    if suffix not in EXPORT_FORMATS:
        raise InvalidArgumentError(f"The export file must end in {' or '.join(EXPORT_FORMATS)}; got {str(out_file)!r}.")
    if out_file.is_dir():
        raise InvalidArgumentError(f"{out_file} is a directory; give a file name ending in {suffix}.")
    if out_file.exists() and not force and not _is_our_export(out_file):
        raise InvalidArgumentError(f"{out_file} exists and is not a chaoszoo export; choose another name, or pass "
                                   "force=True (--force) to replace it.")
    if sidecar and sidecar_path(out_file).exists() and not force and not _is_our_export(out_file):
        raise InvalidArgumentError(f"{sidecar_path(out_file)} (the export's sidecar) exists and is not one of "
                                   "chaoszoo's; choose another name, or pass force=True (--force).")
    if isinstance(paths, (str, Path)):
        paths = [paths]
    df = load_results(paths)
    meta = {"format": EXPORT_FORMAT, "protocol": None, "wall_seconds": 0.0, "cpu_seconds": 0.0, "rows": len(df)}
    for p in paths:
        with ResultsStore(p, create=False) as st:
            meta["protocol"] = st.protocol
            meta["wall_seconds"] += st.wall_seconds
            meta["cpu_seconds"] += st.cpu_seconds
    # rows by job id and columns by name, so the same rows give the same file from any store
    df = df.sort_values("job_id", kind="stable").reset_index(drop=True)[sorted(df.columns)]
    if not out_file.parent.is_dir():
        raise InvalidArgumentError(f"The directory {out_file.parent} does not exist; create it first.")
    for col in df.columns:  # nested values (dicts, lists) as JSON text, so the file is flat
        if df[col].map(lambda v: isinstance(v, (dict, list))).any():
            df[col] = df[col].map(lambda v: json.dumps(v, sort_keys=True, default=_jsonable) if isinstance(v, (dict, list)) else v)
    from chaoszoo.io import replacing

    with replacing(out_file) as tmp:
        if suffix == ".csv":
            df.to_csv(tmp, index=False)  # floats as their shortest round-trip text
        else:
            # zstd: a third smaller than the default snappy for these tables (short-coarse, 23,109 rows:
            # 9.9 MB against 14.5 MB), read by every Parquet reader
            df.to_parquet(tmp, index=False, compression="zstd")
    if sidecar:
        from chaoszoo.data.storage import atomic_write

        atomic_write(sidecar_path(out_file), (json.dumps(meta, indent=1, sort_keys=True) + "\n").encode())
    return out_file


def export_parquet(paths, out_file, **options) -> Path:
    """:func:`export_results` (kept for its old name)."""
    return export_results(paths, out_file, **options)


# The fields of a row besides its metrics (what jobs.execute writes); in a flat export every
# other column is a metric.
ROW_FIELDS = frozenset({
    "job_id", "protocol", "protocol_version", "system", "ic", "variant", "univariate", "noise", "model", "setting",
    "seed", "attractor_metrics", "host", "status", "data_sha256", "history_len", "horizon", "dims", "lyapunov_steps", "pts_per_period",
    "family", "model_sha256", "description", "tuning", "params", "fit_seconds", "predict_seconds", "peak_memory_mb", "peak_rss_mb", "curve",
    "missing", "error", "traceback", "versions", "device", "seconds", "pid",
    "members", "prob"})  # the probabilistic track's (chaoszoo.forecast.probabilistic)


def _read_export(file: Path) -> list[dict]:
    """The records of an exported table (Parquet or CSV); a damaged file is a clear error."""
    try:
        if file.suffix.lower() == ".csv":
            import pandas as pd

            df = pd.read_csv(file, float_precision="round_trip", keep_default_na=True)
            df = df.astype(object).where(df.notna(), None)
            return df.to_dict("records")
        import pyarrow.parquet as pq

        return pq.read_table(file).to_pylist()
    except Exception as err:  # noqa: BLE001 - pyarrow's and pandas's many parse errors
        raise InvalidArgumentError(f"{file} cannot be read as an exported results table ({type(err).__name__}: "
                                   f"{str(err)[:200]}).") from None


def import_results(file, out, protocol_settings: dict | None = None) -> int:
    """Re-create the results store ``out`` from an export (Parquet or CSV; for example a shipped
    table), so that ``run`` continues a benchmark where it stopped on another machine: the jobs
    in the file count as done. The protocol settings come from the JSON sidecar next to the file
    (``<name>.json``, key ``protocol``) unless given. Exports hold no forecasts, so neither does
    ``out``; the sidecar's wall and CPU time become the store's, to which later runs add theirs.
    Returns the number of rows written."""
    import math

    file = Path(file).expanduser()
    if file.suffix.lower() not in EXPORT_FORMATS:
        raise InvalidArgumentError(f"An exported table ends in {' or '.join(EXPORT_FORMATS)}; got {str(file)!r}.")
    if not file.is_file():
        raise InvalidArgumentError(f"No exported table at {file}.")
    side = sidecar_path(file)
    try:
        sidecar = json.loads(side.read_text()) if side.is_file() else {}
        if not isinstance(sidecar, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as err:
        raise InvalidArgumentError(f"The sidecar {side} cannot be read ({err}); it should be the JSON written with "
                                   "the export.") from None
    if protocol_settings is None:
        if not isinstance(sidecar.get("protocol"), dict):
            raise InvalidArgumentError(f"{file} has no sidecar {side.name} with its protocol settings; export it with "
                                       "`chaoszoo forecast export`, or pass the settings.")
        protocol_settings = sidecar["protocol"]
    if (Path(out).expanduser() / DB).exists():
        raise ResultsStoreError(f"{out} already holds results; restore into a new directory.")
    records = _read_export(file)
    bad = [i for i, r in enumerate(records) if not all(r.get(k) is not None for k in ("job_id", "system", "model", "status"))]
    if bad:
        raise InvalidArgumentError(f"{file}: row {bad[0]} is not a result row (it needs job_id, system, model and status).")
    n = 0
    with ResultsStore(out, protocol_settings) as st:
        if sidecar.get("wall_seconds") and not st.wall_seconds:  # the rows' cost travels with them
            st.add_wall_seconds(float(sidecar["wall_seconds"]), float(sidecar.get("cpu_seconds") or 0.0))
        for rec in records:
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


def import_parquet(file, out, protocol_settings: dict | None = None) -> int:
    """:func:`import_results` (kept for its old name)."""
    return import_results(file, out, protocol_settings)


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
