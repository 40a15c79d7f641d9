"""On-disk layout of a collection: Parquet shards, manifest, checksums, atomic writes.

Layout of a dataset directory::

    DIR/
      manifest.json            # written last, atomically: settings, versions, SHA-256 of every file
      README.md                # dataset card (how to load it with pandas / Hugging Face datasets)
      systems/<Name>.parquet   # one shard per system, one row per trajectory

Columns of a shard (one row per trajectory): ``system`` (string), ``split`` ("train" /
"test"), ``granularity`` ("fine" / "coarse" / "lyapunov"), ``noisy`` (bool), ``noise``
(amplitude ``sigma`` of the dynamical noise, 0 when clean), ``univariate`` (bool),
``variables`` (list<string>), ``param_index`` (int32, 0 = catalog values), ``ic_index``
(int32), ``params`` (JSON text), ``dt`` and ``t0`` (the sample times are
``t0 + dt * k``), ``pts_per_period`` (``period / dt``), ``n`` (number of samples) and
``values`` (list<list<double>>, shape ``(n, d)``).

Determinism: rows come in a fixed order, files carry no timestamps, and the Parquet
writer options (format version, zstd level, dictionary columns, row groups) are fixed,
so the same settings give byte-identical files with the same pyarrow version (recorded
in the manifest).

Crash safety: every file is first written under a temporary name in the same directory,
flushed to disk, then renamed over the target with :func:`os.replace` (atomic on POSIX),
so a reader never sees a half-written file. A full disk raises :class:`DatasetError`
after removing the temporary file.
"""

from __future__ import annotations

import dataclasses
import errno
import functools
import hashlib
import inspect
import json
import os
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from chaoszoo.errors import DatasetError

FORMAT = "chaoszoo-dataset"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
CARD = "README.md"
SHARD_DIR = "systems"
STATE_DIR = ".chaoszoo-build"
TMP_MARK = ".tmp-"

#: Fixed writer options (part of the determinism contract).
PARQUET_OPTIONS = dict(version="2.6", compression="zstd", compression_level=3, use_dictionary=True,
                       write_statistics=True, data_page_version="1.0", write_page_index=False,
                       store_schema=True)


def shard_name(system: str) -> str:
    return f"{SHARD_DIR}/{system}.parquet"


# --- hashing --------------------------------------------------------------------------
def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _canonical(value):
    if callable(value):
        try:
            return "source:" + inspect.getsource(value)
        except (OSError, TypeError):
            return "callable:" + getattr(value, "__qualname__", repr(value))
    if isinstance(value, Mapping):
        return {str(k): _canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (str, int, bool)) or value is None:
        return value
    return repr(value)


def declaration_hash(decl) -> str:
    """SHA-256 of a declaration's metadata and equation source (every dataclass field).

    Cached per declaration object (declarations are immutable), so the source text read
    on first use is the one hashed for the whole process. Generated declarations compare
    equal to the others of their structure (chaoszoo.catalog.generated), so they are hashed
    without the cache, which would otherwise return one system's hash for another.
    """
    if type(decl).__eq__ is not object.__eq__:
        return _declaration_hash.__wrapped__(decl)
    return _declaration_hash(decl)


@functools.cache
def _declaration_hash(decl) -> str:
    doc = {f.name: _canonical(getattr(decl, f.name)) for f in dataclasses.fields(decl)}
    return sha256_bytes(json.dumps(doc, sort_keys=True, separators=(",", ":")).encode())


def system_hash(name: str) -> str:
    """Hash of everything the catalog says about one system that a dataset depends on.

    The declaration (metadata and equation source, :func:`declaration_hash`) plus the
    recorded Lyapunov time, which lives outside the declaration.
    """
    import chaoszoo as cz
    from chaoszoo.catalog.registry import declaration

    tau = getattr(cz.get(name), "lyapunov_time", None)
    text = f"{declaration_hash(declaration(name))}|lyapunov_time={_canonical(tau)}"
    return sha256_bytes(text.encode())


def catalog_version() -> str:
    """Hash over every catalog system's :func:`system_hash` (changes when any entry changes)."""
    from chaoszoo.catalog.registry import declarations

    h = hashlib.sha256()
    for name in declarations():
        h.update(f"{name}:{system_hash(name)}\n".encode())
    return h.hexdigest()


# --- atomic files ---------------------------------------------------------------------
def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and :func:`os.replace`.

    Raises:
        DatasetError: the disk is full (``ENOSPC``) or the quota is exceeded; the
            temporary file is removed and the previous content of ``path`` is untouched.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}{TMP_MARK}{os.getpid()}")
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except OSError as err:
        try:
            tmp.unlink()
        except FileNotFoundError:
            pass
        if err.errno in (errno.ENOSPC, errno.EDQUOT):
            raise DatasetError(
                f"No space left on the device while writing {path} ({len(data)} bytes). Free some "
                "space (or choose another --out) and run the same build again: completed files are "
                "kept and the build resumes where it stopped."
            ) from err
        raise
    _fsync_dir(path.parent)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def json_bytes(doc) -> bytes:
    return (json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


def remove_temp_files(root: Path) -> int:
    """Remove leftover temporary files of interrupted writes under ``root``; returns the count."""
    count = 0
    for directory in (root, root / SHARD_DIR, root / STATE_DIR):
        if directory.is_dir():
            for p in directory.iterdir():
                if p.name.startswith(".") and TMP_MARK in p.name and p.is_file():
                    p.unlink(missing_ok=True)
                    count += 1
    return count


# --- resumable builds -----------------------------------------------------------------
def begin_state(root: Path, fingerprint: dict, records: dict) -> None:
    """Open the build state of ``root`` (a dataset or a corpus) for writing: the shard folder and
    the state folder exist, leftover temporary files are gone, the state holds the build's
    fingerprint (and, when it starts from a finished build, that build's completion records), and
    the manifest is removed until the build finishes again."""
    state = root / STATE_DIR
    (root / SHARD_DIR).mkdir(parents=True, exist_ok=True)
    state.mkdir(exist_ok=True)
    remove_temp_files(root)
    if not (state / "build.json").is_file():
        atomic_write(state / "build.json", json_bytes(fingerprint))
        for key, rec in records.items():  # carry a finished build's records into the state
            atomic_write(state / f"{key}.json", json_bytes(rec))
    (root / MANIFEST).unlink(missing_ok=True)


def reusable_records(root: Path, keys, accept=None) -> dict:
    """The completion records of the build state of ``root`` that a resumed build keeps: for each
    of ``keys`` with a readable record that ``accept(key, record)`` approves (default: every one),
    a record without a shard, or one whose shard has its recorded size and SHA-256."""
    state = root / STATE_DIR
    reusable = {}
    for key in keys:
        p = state / f"{key}.json"
        if not p.is_file():
            continue
        try:
            rec = json.loads(p.read_text())
        except (OSError, json.JSONDecodeError):
            continue
        if accept is not None and not accept(key, rec):
            continue
        if rec.get("file") is None:
            reusable[key] = rec
            continue
        shard = root / str(rec["file"])
        if shard.is_file() and shard.stat().st_size == rec.get("bytes") and sha256_file(shard) == rec.get("sha256"):
            reusable[key] = rec
    return reusable


# --- parquet --------------------------------------------------------------------------
def schema():
    import pyarrow as pa

    return pa.schema([
        ("system", pa.string()), ("split", pa.string()), ("granularity", pa.string()),
        ("noisy", pa.bool_()), ("noise", pa.float64()), ("univariate", pa.bool_()),
        ("variables", pa.list_(pa.string())), ("param_index", pa.int32()), ("ic_index", pa.int32()),
        ("params", pa.string()), ("dt", pa.float64()), ("t0", pa.float64()),
        ("pts_per_period", pa.float64()), ("n", pa.int32()),
        ("values", pa.list_(pa.list_(pa.float64()))),
    ])


def block_table(system: str, block):
    """An Arrow table with one row per member of a :class:`~chaoszoo.data.generate.Block`."""
    import pyarrow as pa

    k, n, d = block.values.shape
    flat = pa.array(np.ascontiguousarray(block.values, dtype=np.float64).reshape(-1), type=pa.float64())
    inner = pa.ListArray.from_arrays(pa.array(np.arange(k * n + 1, dtype=np.int32) * d), flat)
    outer = pa.ListArray.from_arrays(pa.array(np.arange(k + 1, dtype=np.int32) * n), inner)
    cols = {
        "system": pa.array([system] * k, pa.string()),
        "split": pa.array(list(block.split), pa.string()),
        "granularity": pa.array([block.granularity] * k, pa.string()),
        "noisy": pa.array([block.noisy] * k, pa.bool_()),
        "noise": pa.array([block.noise] * k, pa.float64()),
        "univariate": pa.array([block.univariate] * k, pa.bool_()),
        "variables": pa.array([list(block.variables)] * k, pa.list_(pa.string())),
        "param_index": pa.array(block.param_index, pa.int32()),
        "ic_index": pa.array(block.ic_index, pa.int32()),
        "params": pa.array(list(block.params), pa.string()),
        "dt": pa.array([block.dt] * k, pa.float64()),
        "t0": pa.array([0.0] * k, pa.float64()),
        "pts_per_period": pa.array([block.pts_per_period] * k, pa.float64()),
        "n": pa.array([n] * k, pa.int32()),
        "values": outer.cast(pa.list_(pa.list_(pa.float64()))),
    }
    return pa.Table.from_pydict(cols, schema=schema())


_SPLIT_ORDER = {"train": 0, "test": 1}
_GRAN_ORDER = {"fine": 0, "coarse": 1, "lyapunov": 2}


def shard_bytes(result) -> tuple[bytes, int]:
    """Serialise a :class:`~chaoszoo.data.generate.SystemResult` to Parquet bytes.

    Row groups: one per (split, granularity, noisy, univariate) setting, in a fixed order,
    rows within a group by ``(param_index, ic_index)``; readers filtering on those columns
    skip the other groups by their statistics.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    groups = []
    for block in result.blocks:
        for split in ("train", "test"):
            idx = [i for i, s in enumerate(block.split) if s == split]
            if not idx:
                continue
            idx = np.array(sorted(idx, key=lambda i: (block.param_index[i], block.ic_index[i])))
            sub = dataclasses.replace(
                block, split=[split] * len(idx), ic_index=block.ic_index[idx], param_index=block.param_index[idx],
                params=[block.params[i] for i in idx], values=block.values[idx])
            key = (_SPLIT_ORDER[split], _GRAN_ORDER[block.granularity], block.noisy, block.univariate)
            groups.append((key, sub))
    groups.sort(key=lambda kv: kv[0])
    sink = pa.BufferOutputStream()
    rows = 0
    with pq.ParquetWriter(sink, schema(), **PARQUET_OPTIONS) as writer:
        for _, sub in groups:
            table = block_table(result.name, sub)
            writer.write_table(table, row_group_size=max(1, table.num_rows))
            rows += table.num_rows
    return sink.getvalue().to_pybytes(), rows


# --- manifest -------------------------------------------------------------------------
def read_manifest(root: Path) -> dict:
    """The manifest of a dataset directory.

    Raises:
        DatasetError: missing, unreadable or not a chaoszoo manifest.
    """
    path = Path(root) / MANIFEST
    if not path.is_file():
        raise DatasetError(f"{root} has no {MANIFEST}: it is not a built chaoszoo dataset (or its build has not "
                           "finished; run `chaoszoo dataset build` with the same options to resume it).")
    try:
        doc = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        raise DatasetError(f"{path} is not valid JSON ({err}); rebuild the dataset.") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise DatasetError(f"{path} is not a chaoszoo dataset manifest (no \"format\": \"{FORMAT}\").")
    if doc.get("format_version") != FORMAT_VERSION:
        raise DatasetError(f"{path} has format version {doc.get('format_version')!r}; this chaoszoo reads "
                           f"version {FORMAT_VERSION}. Rebuild the dataset with this version.")
    problem = _manifest_problem(doc)
    if problem:
        raise DatasetError(f"{path} is damaged or was edited: {problem}. Rebuild the dataset (`chaoszoo dataset "
                           "build` with its original options into a new --out).")
    return doc


def _inside(rel) -> bool:
    """Whether ``rel`` is a relative path that stays inside the dataset folder."""
    if not isinstance(rel, str) or not rel or rel.startswith(("/", "\\")) or "\\" in rel:
        return False
    return ".." not in Path(rel).parts and not Path(rel).is_absolute()


#: Manifest entries: (key, type, needed by every reader).
MANIFEST_ENTRIES = (("preset", dict, True), ("systems", dict, True), ("files", dict, True), ("failed", dict, False),
                    ("trajectories", int, False), ("package_version", str, False), ("catalog_version", str, False))


def _manifest_problem(doc: dict, require_all: bool = False) -> str | None:
    """What is wrong with the structure of a manifest (``None`` when it is sound). Entries that
    only some readers use (:func:`chaoszoo.data.info`) may be absent unless ``require_all``."""
    for key, kind, needed in MANIFEST_ENTRIES:
        if key not in doc and not (needed or require_all):
            continue
        if not isinstance(doc.get(key), kind) or isinstance(doc.get(key), bool):
            return f"its {key!r} entry is missing or not a {kind.__name__}"
    if not isinstance(doc["preset"].get("name"), str):
        return "its preset has no name"
    for name, rec in doc["systems"].items():
        if not isinstance(rec, dict) or not _inside(rec.get("file")):
            return f"system {name!r} names no shard file inside the dataset"
        if not isinstance(rec.get("skipped", {}), dict):
            return f"system {name!r} has a 'skipped' entry that is not an object"
    for rel, info in doc["files"].items():
        if not _inside(rel):
            return f"it lists the file {rel!r}, which is not inside the dataset folder"
        if not isinstance(info, dict) or not isinstance(info.get("sha256"), str) \
                or not isinstance(info.get("bytes"), int) or isinstance(info.get("bytes"), bool):
            return f"its entry for {rel!r} has no sha256 and byte count"
    return None


def is_ours(root: Path) -> bool:
    """Whether ``root`` holds a chaoszoo dataset or an unfinished chaoszoo build."""
    root = Path(root)
    if (root / STATE_DIR / "build.json").is_file():
        return True
    try:
        read_manifest(root)
        return True
    except DatasetError:
        return False


@dataclasses.dataclass
class VerifyReport:
    """Outcome of :func:`verify`: files missing, corrupt (checksum mismatch) or extra."""

    root: Path
    checked: int
    missing: list[str]
    corrupt: list[str]
    extra: list[str]

    @property
    def ok(self) -> bool:
        return not (self.missing or self.corrupt or self.extra)

    def summary(self) -> str:
        if self.ok:
            return f"OK: {self.checked} files in {self.root} match their SHA-256 checksums."
        lines = [f"PROBLEMS in {self.root} ({self.checked} files listed in the manifest):"]
        lines += [f"  missing: {p}" for p in self.missing]
        lines += [f"  corrupt (checksum mismatch): {p}" for p in self.corrupt]
        lines += [f"  extra (not in the manifest): {p}" for p in self.extra]
        lines.append("Run `chaoszoo dataset build` with the same options to repair missing or corrupt shards.")
        return "\n".join(lines)


def verify(root) -> VerifyReport:
    """Check every file of a dataset against the manifest's SHA-256 checksums.

    Raises:
        DatasetError: the directory has no valid manifest.
    """
    from chaoszoo.data.files import as_path

    root = as_path(root, "directory")
    doc = read_manifest(root)
    files = doc.get("files", {})
    missing, corrupt = [], []
    for rel, info in sorted(files.items()):
        p = root / rel
        if not p.is_file():
            missing.append(rel)
        elif p.stat().st_size != info.get("bytes") or sha256_file(p) != info.get("sha256"):
            corrupt.append(rel)
    listed = set(files) | {MANIFEST}
    extra = sorted(p.relative_to(root).as_posix() for p in root.rglob("*")
                   if (p.is_file() or p.is_symlink()) and p.relative_to(root).as_posix() not in listed)
    return VerifyReport(root, len(files), missing, corrupt, extra)
