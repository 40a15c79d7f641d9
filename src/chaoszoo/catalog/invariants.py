"""Recorded invariants of the catalog systems (Lyapunov spectrum, dimensions, entropies).

The numbers live in ``catalog/data/invariants.json``, written by ``chaoszoo annotate``
(:mod:`chaoszoo.cli.annotate`) from the equations; this module only reads that file.
Layout::

    {"format": 1,
     "systems": {"Lorenz": {"lyapunov_spectrum": [...], "lyapunov_stderr": [...],
                            "max_lyapunov": ..., "kaplan_yorke_dimension": ...,
                            "correlation_dimension": ..., "pesin_entropy": ...,
                            "multiscale_entropy": ..., "dominant_period": ...,
                            "settings": {...}, "version": "0.1.0", "params": {...}}}}

An entry is only valid for the parameters it was computed with (``params``); a system
whose parameters differ from those gets no invariants.
"""

from __future__ import annotations

import copy
import functools
import json
import os
from pathlib import Path

from chaoszoo.errors import DatasetError

#: The file read and written by this module.
PATH = Path(__file__).with_name("data") / "invariants.json"
FORMAT = 1


def _empty() -> dict:
    return {"format": FORMAT, "systems": {}}


@functools.cache
def _load(path: str, mtime: float) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{path} is not valid JSON ({exc}); restore it or re-run `chaoszoo annotate`.") from None
    if not isinstance(data, dict) or not isinstance(data.get("systems"), dict):
        raise DatasetError(f"{path} lacks a 'systems' table; re-run `chaoszoo annotate`.")
    return data


def load(path: str | os.PathLike | None = None) -> dict:
    """The whole table (a deep copy), or an empty table when the file does not exist."""
    p = Path(path) if path is not None else PATH
    if not p.exists():
        return _empty()
    return copy.deepcopy(_load(str(p), p.stat().st_mtime))


def invariants(name: str, params=None, path: str | os.PathLike | None = None) -> dict | None:
    """The recorded invariants of system ``name``, or ``None`` if it has not been annotated.

    With ``params`` (a mapping), ``None`` is also returned when the entry was computed for
    other parameter values.
    """
    p = Path(path) if path is not None else PATH
    if not p.exists():
        return None
    entry = _load(str(p), p.stat().st_mtime)["systems"].get(name)
    if entry is None:
        return None
    if params is not None and "params" in entry:
        recorded = entry["params"]
        if set(recorded) != set(params) or any(
                abs(float(params[k]) - float(v)) > 1e-12 * max(1.0, abs(float(v))) for k, v in recorded.items()):
            return None
    return copy.deepcopy(entry)


def write(table: dict, path: str | os.PathLike | None = None) -> None:
    """Write the table atomically (temporary file in the same folder, then ``os.replace``)."""
    from chaoszoo.io import replacing

    p = Path(path) if path is not None else PATH
    p.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(table, indent=1, sort_keys=True, allow_nan=False)  # fails before touching disk
    with replacing(p, fsync=True) as tmp:
        tmp.write_text(text + "\n", encoding="utf-8")
