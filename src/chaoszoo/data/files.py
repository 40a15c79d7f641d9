"""Result files of chaoszoo's commands, checked before and while they are used.

* Where a command may write (:func:`output_file`, :func:`output_dir`): a path of the right
  kind and suffix, in a folder that exists and can be written. Checked before any work, so a
  bad ``--out`` fails in milliseconds instead of after an hour of computing.
* Whose a file is (:func:`check_replaceable`): a table chaoszoo writes carries a sidecar
  ``<stem>.json`` naming the writer (``"generator"``, or for older files the ``"command"``
  that wrote it) and the table's SHA-256; an existing file without such a sidecar belongs to
  someone else and is never overwritten unless the caller says so (``--force``).
* Reading back (:func:`read_parquet`, :func:`read_json`, :func:`check_sidecar_checksum`): a
  damaged, truncated, foreign or altered file becomes one :class:`~chaoszoo.errors.DatasetError`
  that names the file and says what to do, never a pyarrow or ``UnicodeDecodeError`` traceback,
  and never a silently accepted file.
* Names lists (:func:`name_list`): ``"Lorenz, Henon"`` or a sequence; an empty list is an error,
  not "everything".
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path

from chaoszoo.errors import DatasetError, InvalidArgumentError

#: Words of the hint that tells the Python and the command-line user how to overwrite.
FORCE_HINT = "pass --force (force=True in Python) to overwrite it"


def as_path(value, option: str = "--out") -> Path:
    """``value`` as a :class:`~pathlib.Path` (``~`` expanded); refuses ``None``, ``""`` and non-paths."""
    if isinstance(value, bool) or not isinstance(value, (str, os.PathLike)) or not str(os.fspath(value)).strip():
        raise InvalidArgumentError(f"{option} must be a path; got {value!r}.")
    return Path(os.fspath(value)).expanduser()


def _probe(directory: Path, option: str) -> None:
    """Create and delete a file in ``directory`` (``os.access`` says yes to root on a read-only mount)."""
    try:
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".chaoszoo-", suffix=".check"):
            pass
    except OSError as err:
        raise InvalidArgumentError(f"{option}: cannot write in {str(directory)!r} ({err.strerror or err}); "
                                   "choose another path.") from None


def output_file(path, suffixes: tuple[str, ...], option: str = "--out") -> Path:
    """Check, before any work, that the file ``path`` can be written; returns it as a Path.

    Refuses ``None``, a suffix not in ``suffixes``, a directory in the file's place, a missing
    folder and a folder this user cannot write (all as :class:`InvalidArgumentError`).
    """
    path = as_path(path, option)
    if suffixes and path.suffix.lower() not in suffixes:
        raise InvalidArgumentError(f"{option} must end in {' or '.join(suffixes)}; got {str(path)!r}.")
    if path.is_dir():
        raise InvalidArgumentError(f"{option} {str(path)!r} is a directory; give a file name.")
    parent = path.parent
    if not parent.is_dir():
        raise InvalidArgumentError(f"{option}: directory {str(parent)!r} does not exist; create it first or "
                                   "choose another path.")
    _probe(parent, option)
    if path.exists() and not os.access(path, os.W_OK):
        raise InvalidArgumentError(f"{option}: {str(path)!r} exists and is not writable; choose another path.")
    return path


def output_dir(path, option: str = "--out") -> Path:
    """Check, before any work, that the folder ``path`` can be created or written into."""
    path = as_path(path, option)
    if path.exists() and not path.is_dir():
        raise InvalidArgumentError(f"{option} {str(path)!r} is a file; give a folder.")
    existing = path
    while not existing.exists():
        if existing.parent == existing:
            break
        existing = existing.parent
    if not existing.is_dir():
        raise InvalidArgumentError(f"{option}: {str(existing)!r} is a file, so {str(path)!r} cannot be a folder; "
                                   "choose another path.")
    _probe(existing, option)
    return path


def input_file(path, option: str, suffixes: tuple[str, ...] | None = None) -> Path:
    """An existing file to read: refuses ``None``, a missing path, a folder and a wrong suffix."""
    path = as_path(path, option)
    if not path.exists():
        raise InvalidArgumentError(f"{option}: {str(path)!r} does not exist.")
    if path.is_dir():
        raise InvalidArgumentError(f"{option}: {str(path)!r} is a folder; give a file.")
    if suffixes and path.suffix.lower() not in suffixes:
        raise InvalidArgumentError(f"{option} must be a {' or '.join(suffixes)} file; got {str(path)!r}.")
    return path


def input_dir(path, option: str) -> Path:
    """An existing folder to read."""
    path = as_path(path, option)
    if not path.exists():
        raise InvalidArgumentError(f"{option}: {str(path)!r} does not exist.")
    if not path.is_dir():
        raise InvalidArgumentError(f"{option}: {str(path)!r} is a file; give a folder.")
    return path


# --- ownership of an existing output -----------------------------------------------------
def sidecar(path) -> Path:
    """The JSON file that describes a table: ``<stem>.json`` beside it."""
    return Path(path).with_suffix(".json")


def _sidecar_doc(path) -> dict | None:
    try:
        doc = json.loads(sidecar(path).read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def written_by(path, generator: str) -> bool:
    """Whether the sidecar of ``path`` says ``generator`` (a command such as ``"chaoszoo
    features compute"``) wrote it: its ``generator`` field, or for files written before that
    field existed, its ``command``."""
    doc = _sidecar_doc(path)
    if doc is None:
        return False
    if doc.get("generator") == generator:
        return True
    command = doc.get("command")
    return isinstance(command, str) and (command == generator or command.startswith(generator + " "))


def check_replaceable(path, generator: str, *, force: bool = False, option: str = "--out") -> None:
    """Refuse to overwrite ``path`` or its sidecar unless ``generator`` wrote them or ``force``."""
    path = Path(path)
    present = [p for p in (path, sidecar(path)) if p.exists()]
    if not present or force or written_by(path, generator):
        return
    raise InvalidArgumentError(
        f"{present[0]} exists and was not written by `{generator}`, so it was left untouched. Choose another "
        f"{option}, or {FORCE_HINT}.")


# --- validated reads -----------------------------------------------------------------------
def read_parquet(path, what: str, advice: str, columns=()):
    """A Parquet file as a pandas DataFrame, or :class:`DatasetError` saying it is damaged or foreign.

    ``columns``: columns the file must have (checked after reading).
    """
    import pandas as pd

    path = Path(path)
    try:
        frame = pd.read_parquet(path)
    except Exception as err:  # noqa: BLE001 - pyarrow raises many types for a damaged file
        text = str(err).strip().splitlines()[0][:200] if str(err).strip() else type(err).__name__
        raise DatasetError(f"{path} is not a readable Parquet {what} ({text}): it is damaged, truncated or "
                           f"not a Parquet file. {advice}") from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DatasetError(f"{path} is not a {what}: it lacks the column(s) {', '.join(missing)} "
                           f"(it has {', '.join(map(str, frame.columns[:12])) or 'none'}). {advice}")
    return frame


def read_json(path, what: str, advice: str) -> dict:
    """A JSON object from ``path``, or :class:`DatasetError` saying it is damaged or foreign."""
    path = Path(path)
    try:
        doc = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise DatasetError(f"{path} is not a readable {what}: it is not text (binary or damaged). {advice}") from None
    except ValueError as err:
        raise DatasetError(f"{path} is not a readable {what} (invalid JSON: {err}). {advice}") from None
    except OSError as err:
        raise DatasetError(f"{path} cannot be read ({err.strerror or err}). {advice}") from None
    if not isinstance(doc, dict):
        raise DatasetError(f"{path} is not a readable {what}: it holds a JSON {type(doc).__name__}, not an object. "
                           f"{advice}")
    return doc


def check_sidecar_checksum(path, advice: str) -> None:
    """Compare ``path`` with the SHA-256 its sidecar records (files written before checksums were
    recorded have none and pass)."""
    from chaoszoo.data.storage import sha256_file

    doc = _sidecar_doc(path)
    expected = doc.get("sha256") if doc else None
    if not isinstance(expected, str) or not Path(path).is_file():
        return
    if sha256_file(Path(path)) != expected:
        raise DatasetError(f"{path} does not match the SHA-256 checksum recorded in {sidecar(path).name}: it was "
                           f"altered, truncated or damaged after chaoszoo wrote it. {advice}")


# --- arguments ------------------------------------------------------------------------------
def name_list(value, option: str, what: str = "system") -> list[str]:
    """Names from a comma/space separated string or a sequence of strings, in order. An empty
    list is an error (never "everything"), and so is a name given twice."""
    if isinstance(value, str):
        items = [n.strip() for part in value.split(",") for n in part.split()]
    elif isinstance(value, (list, tuple)) or (hasattr(value, "__iter__") and not isinstance(value, (bytes, dict))):
        items = []
        for v in value:
            if not isinstance(v, str):
                raise InvalidArgumentError(f"{option} must hold {what} names (strings); got {v!r}.")
            items += [n.strip() for part in v.split(",") for n in part.split()]
    else:
        raise InvalidArgumentError(f"{option} must be {what} names (a list or a comma-separated string); got {value!r}.")
    names = [n for n in items if n]
    if not names:
        raise InvalidArgumentError(f"{option}: no {what} named; give at least one name (or leave it out for the "
                                   "default).")
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:  # a repeated name never silently means "once"
        raise InvalidArgumentError(f"{option} names {', '.join(map(repr, twice))} twice; give each {what} once.")
    return names


def flow_names(names=None, option: str = "names", purpose: str = "this experiment") -> list[str]:
    """Flows from a sequence or a comma-separated string, checked against the catalog before any
    work (unknown names with suggestions; maps and delay equations refused, since ``purpose``
    integrates flows only); ``None``: every flow of the catalog."""
    import chaoszoo as cz

    if names is None:
        return list(cz.names(kind="flow"))
    names = name_list(names, option)
    for n in names:
        kind = cz.get(n).kind
        if kind != "flow":
            raise InvalidArgumentError(f"{n} is a {kind}; {purpose} takes flows only (`chaoszoo list --kind flow` "
                                       "lists them).")
    return names


def positive_int(value, option: str, minimum: int = 1) -> int:
    """An integer ``>= minimum`` (bools and floats refused)."""
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise InvalidArgumentError(f"{option} must be an integer >= {minimum}; got {value!r}.")
    return int(value)


def finite_number(value, option: str, minimum: float | None = None) -> float:
    """A finite real number, ``>= minimum`` when given."""
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(float(value)):
        raise InvalidArgumentError(f"{option} must be a finite number; got {value!r}.")
    if minimum is not None and value < minimum:
        raise InvalidArgumentError(f"{option} must be >= {minimum:g}; got {value!r}.")
    return float(value)
