"""Files that are never half-written: :func:`replacing` (the one atomic-write helper of the
package, used by every layer) and trajectories to CSV, Parquet or NumPy, chosen by suffix."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from chaoszoo.errors import InvalidArgumentError

SUFFIXES = (".csv", ".parquet", ".npy")


@contextlib.contextmanager
def replacing(path: str | os.PathLike, *, fsync: bool = False) -> Iterator[Path]:
    """A temporary file beside ``path`` that replaces ``path`` when the block ends without error.

    Write to the yielded path (it keeps ``path``'s suffix, so writers that choose a format by
    suffix, such as matplotlib's ``savefig``, still do); on success it is renamed over ``path``
    with :func:`os.replace` (atomic on POSIX), after an ``fsync`` if asked. On any error,
    Ctrl-C included, the temporary file is removed and ``path`` keeps its previous content. The
    name holds the process and thread, so concurrent writers of one target do not collide.

        with replacing(out / "table.json") as tmp:
            tmp.write_text(text)
    """
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}-{threading.get_ident()}.tmp{path.suffix}")
    try:
        yield tmp
        if fsync:
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


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
    with replacing(path) as tmp:
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
    return path
