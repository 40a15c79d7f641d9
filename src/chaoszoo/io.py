"""Writing trajectories to files: CSV, Parquet or NumPy, chosen by suffix, atomically."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from chaoszoo.errors import InvalidArgumentError

SUFFIXES = (".csv", ".parquet", ".npy")


def write_trajectory(trajectory, path: str | os.PathLike) -> Path:
    """Write ``trajectory`` to ``path`` (``.csv``, ``.parquet`` or ``.npy``).

    The file is written to a temporary name in the same directory and renamed into place,
    so a failure never leaves a partial file. ``.npy`` holds ``values`` only; the other
    formats have a ``t`` column and one column per variable.
    """
    path = Path(path)
    if path.suffix not in SUFFIXES:
        raise InvalidArgumentError(f"Output file must end in one of {', '.join(SUFFIXES)}; got {str(path)!r}.")
    if not path.parent.exists():
        raise InvalidArgumentError(f"Output directory {str(path.parent)!r} does not exist; create it first.")
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")
    try:
        if path.suffix == ".npy":
            with open(tmp, "wb") as fh:
                np.save(fh, trajectory.values)
        elif path.suffix == ".csv":
            header = ",".join(("t",) + tuple(trajectory.variables))
            np.savetxt(tmp, np.column_stack([trajectory.t, trajectory.values]), delimiter=",",
                       header=header, comments="", fmt="%.17g")
        else:
            import pyarrow as pa
            import pyarrow.parquet as pq

            cols = {"t": trajectory.t, **{v: trajectory.values[:, i] for i, v in enumerate(trajectory.variables)}}
            table = pa.table(cols).replace_schema_metadata(
                {"system": trajectory.system, **{f"param.{k}": repr(v) for k, v in trajectory.params.items()}}
            )
            pq.write_table(table, tmp)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path
