"""Reading a built collection: NumPy arrays with metadata, xarray, pandas, PyTorch, darts.

``load(path_or_preset, ...)`` reads only the shards of the requested systems and, inside
them, only the row groups of the requested split/granularity/noise/univariate setting
(Parquet filters on row-group statistics), so loading one system's split of the standard
collection takes milliseconds. A preset name instead of a path loads that preset from the
cache directory (``$CHAOSZOO_CACHE``, default ``~/.cache/chaoszoo``), building it there
first if needed.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from chaoszoo.data import storage
from chaoszoo.data.presets import PRESETS, Preset
from chaoszoo.errors import DatasetError, InvalidArgumentError, UnknownSystemError

_META = ["system", "split", "granularity", "noisy", "noise", "univariate", "variables", "param_index",
         "ic_index", "params", "dt", "t0", "pts_per_period", "n"]


def cache_dir() -> Path:
    """chaoszoo's cache folder: ``$CHAOSZOO_CACHE`` (when set and not empty) or ``~/.cache/chaoszoo``;
    presets are built under it on first use. Every layer above the engine asks this function (the
    engine's solver cache, :func:`chaoszoo.engine.aot.cache_dir`, reads the same variable the same
    way; it is not imported from here because the engine sits below the data layer)."""
    return Path(os.environ.get("CHAOSZOO_CACHE") or Path.home() / ".cache" / "chaoszoo").expanduser()


def preset_path(preset: Preset) -> Path:
    """The cache directory of a preset (its name plus a hash of its settings)."""
    return cache_dir() / "datasets" / f"{preset.name}-{preset.fingerprint()[:12]}"


@dataclass(frozen=True)
class Trajectories:
    """Trajectories read from a collection.

    Attributes:
        meta: a ``pandas.DataFrame`` with one row per trajectory (every column but ``values``).
        values: list of ``(n, d)`` float64 arrays, aligned with ``meta``.
        manifest: the collection's manifest (settings, versions, checksums).
    """

    meta: object
    values: list
    manifest: dict

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, i: int) -> tuple[dict, np.ndarray]:
        """``(metadata dict, values (n, d))`` of trajectory ``i``."""
        return self.meta.iloc[i].to_dict(), self.values[i]

    def __repr__(self) -> str:
        systems = sorted(set(self.meta["system"])) if len(self) else []
        return f"Trajectories({len(self)} trajectories, systems={systems[:5]}{'...' if len(systems) > 5 else ''})"

    def times(self, i: int) -> np.ndarray:
        """Sample times of trajectory ``i``: ``t0 + dt * k``."""
        row = self.meta.iloc[i]
        return row["t0"] + row["dt"] * np.arange(int(row["n"]), dtype=np.float64)

    def _uniform(self, what: str):
        if not len(self):
            raise InvalidArgumentError(f"No trajectories match the filters; nothing to convert to {what}.")
        shapes = {v.shape for v in self.values}
        if len(shapes) != 1 or len({tuple(v) for v in self.meta["variables"]}) != 1:
            raise InvalidArgumentError(
                f"These {len(self)} trajectories differ in length or variables ({sorted(shapes)}); {what} needs "
                "one shape. Filter further, e.g. load(..., system='Lorenz', granularity='fine', univariate=False).")
        return shapes.pop()

    def array(self) -> np.ndarray:
        """All trajectories stacked, ``(k, n, d)`` (they must share one shape)."""
        self._uniform("one array")
        return np.stack(self.values)

    def to_xarray(self):
        """An ``xarray.DataArray`` with dimensions ``(trajectory, step, variable)``.

        Per-trajectory metadata are coordinates along ``trajectory``; ``t`` is a
        ``(trajectory, step)`` coordinate of sample times. Needs the ``xarray`` extra.
        """
        try:
            import xarray as xr
        except ImportError:
            raise ImportError("to_xarray() needs xarray: pip install 'chaoszoo[xarray]'") from None
        _, n, _ = (len(self),) + self._uniform("an xarray.DataArray")
        coords = {c: ("trajectory", self.meta[c].to_numpy()) for c in _META if c not in ("variables",)}
        coords["t"] = (("trajectory", "step"), np.stack([self.times(i) for i in range(len(self))]))
        coords["variable"] = list(self.meta["variables"].iloc[0])
        return xr.DataArray(self.array(), dims=("trajectory", "step", "variable"), coords=coords,
                            name="values", attrs={"preset": self.manifest["preset"]["name"],
                                                  "catalog_version": self.manifest["catalog_version"]})

    def to_pandas(self):
        """Long-format ``DataFrame``: one row per (trajectory, sample, variable) with its value."""
        import pandas as pd

        parts = []
        for i, v in enumerate(self.values):
            n, d = v.shape
            row = self.meta.iloc[i]
            t = self.times(i)
            parts.append(pd.DataFrame({
                "trajectory": np.full(n * d, i), "step": np.repeat(np.arange(n), d), "t": np.repeat(t, d),
                "variable": np.tile(np.asarray(row["variables"], dtype=object), n), "value": v.reshape(-1)}))
        if not parts:
            return pd.DataFrame(columns=["trajectory", "step", "t", "variable", "value"] + _META)
        long = pd.concat(parts, ignore_index=True)
        meta = self.meta.drop(columns=["variables"]).reset_index(drop=True)
        meta.insert(0, "trajectory", np.arange(len(meta)))
        return long.merge(meta, on="trajectory", how="left")

    def to_torch(self, context: int, horizon: int, stride: int = 1, dtype=None):
        """A PyTorch ``Dataset`` of sliding ``(context, target)`` windows (see :class:`WindowDataset`)."""
        from chaoszoo.data.windows import WindowDataset

        return WindowDataset(self.values, context, horizon, stride=stride, dtype=dtype)

    def to_darts(self) -> list:
        """One darts ``TimeSeries`` per trajectory (integer time index; needs the ``darts`` extra)."""
        try:
            from darts import TimeSeries
        except ImportError:
            raise ImportError("to_darts() needs darts: pip install 'chaoszoo[darts]'") from None
        out = []
        for i, v in enumerate(self.values):
            out.append(TimeSeries.from_values(v, columns=list(self.meta["variables"].iloc[i])))
        return out


def _choice(value, name: str, allowed: tuple):
    if value is None:
        return None
    if isinstance(value, (str, bool, np.bool_)):
        vals = (value,)
    elif isinstance(value, (list, tuple, set, frozenset)):
        vals = tuple(value)
    else:
        raise InvalidArgumentError(f"{name} must be one of {allowed} (or a list of them, or None); got {value!r}.")
    for v in vals:
        if v not in allowed or (isinstance(v, bool) != isinstance(allowed[0], bool)):
            raise InvalidArgumentError(f"{name} must be one of {allowed} (or a list of them, or None); got {value!r}.")
    return list(vals)


def _resolve(path_or_preset, progress: bool) -> Path:
    if isinstance(path_or_preset, Preset) or (isinstance(path_or_preset, str) and path_or_preset in PRESETS
                                               and not Path(path_or_preset).exists()):
        from chaoszoo.data.build import build

        preset = path_or_preset if isinstance(path_or_preset, Preset) else PRESETS[path_or_preset]
        target = preset_path(preset)
        if not (target / storage.MANIFEST).is_file():
            print(f"chaoszoo: dataset preset {preset.name!r} is not built yet; building it once into {target} "
                  "(set CHAOSZOO_CACHE to choose another place), in a separate process so that this works from "
                  "any script. Later loads read it from there.", file=sys.stderr)
            _build_in_subprocess(preset, target, progress)
        return target
    if not isinstance(path_or_preset, (str, os.PathLike)):
        raise InvalidArgumentError(f"load() takes a dataset directory or a preset name; got {path_or_preset!r}.")
    path = Path(path_or_preset).expanduser()
    if not path.is_dir():
        raise DatasetError(f"No dataset directory at {str(path)!r}, and it is not a preset name "
                           f"({', '.join(PRESETS)}). Build one with `chaoszoo dataset build --preset P --out DIR`.")
    return path


def _build_in_subprocess(preset: Preset, target: Path, progress: bool) -> None:
    """Build a preset in a fresh Python process.

    The build's process pool uses the ``spawn`` start method, which re-imports the caller's
    main module in every worker: from a plain script without an ``if __name__ == "__main__":``
    guard that would start the script again. A child process whose main module is chaoszoo's
    own does not have the problem. The child dies with this process (and so do its workers).
    """
    import json
    import subprocess

    code = ("import json, sys\n"
            "from chaoszoo.workers import die_with_parent\n"
            "die_with_parent()\n"
            "from chaoszoo.data.build import build\n"
            "from chaoszoo.data.presets import Preset\n"
            "from chaoszoo.workers import sigterm_raises\n"
            "with sigterm_raises():\n"
            "    build(Preset.from_settings(json.loads(sys.argv[1])), sys.argv[2], progress=sys.argv[3] == '1')\n")
    args = [sys.executable, "-c", code, json.dumps(preset.settings()), str(target), "1" if progress else "0"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL)  # stderr shared: the progress bar shows
    try:
        proc.wait()
    except BaseException:  # Ctrl-C: stop the build (it resumes next time)
        proc.terminate()
        proc.wait()
        raise
    if proc.returncode != 0:
        raise DatasetError(f"Building preset {preset.name!r} into {target} failed (exit status {proc.returncode}; "
                           f"the reason is printed above). `chaoszoo dataset build --preset {preset.name} --out "
                           f"{target}` resumes what was done.")


#: Shards whose checksum was confirmed: path -> (size, modification time in ns, sha256).
_VERIFIED: dict[str, tuple[int, int, str]] = {}


def check_shard(path: Path, expected: dict, root: Path) -> None:
    """Check a shard against the manifest's size and SHA-256 before reading it.

    The size is compared every time (a stat); the checksum once per file, then cached by
    size and modification time, so repeated loads cost nothing.

    Raises:
        DatasetError: the shard is missing, truncated or altered.
    """
    try:
        st = path.stat()
    except OSError:
        raise DatasetError(f"Shard {path} is missing; run `chaoszoo dataset verify {root}` and rebuild.") from None
    sha, size = expected.get("sha256"), expected.get("bytes")
    advice = (f"Run `chaoszoo dataset verify {root}`, then `chaoszoo dataset build` with the same options "
              "to regenerate it.")
    if size is not None and st.st_size != size:
        raise DatasetError(f"Shard {path} has {st.st_size} bytes but the manifest lists {size}: it is truncated "
                           f"or altered. {advice}")
    key = str(path.resolve())
    if _VERIFIED.get(key) == (st.st_size, st.st_mtime_ns, sha):
        return
    if sha is not None and storage.sha256_file(path) != sha:
        raise DatasetError(f"Shard {path} does not match its SHA-256 checksum in the manifest: its bytes were "
                           f"altered. {advice}")
    _VERIFIED[key] = (st.st_size, st.st_mtime_ns, sha)


def load(path_or_preset, system=None, split=None, granularity=None, noisy=None, univariate=None, *,
         progress: bool = True) -> Trajectories:
    """Load trajectories from a collection.

    Arguments:
        path_or_preset: a dataset directory, or a preset name / :class:`Preset` (built into the
            cache on first use).
        system: a name or a list of names (default: every system in the collection).
        split: ``"train"`` / ``"test"`` (or a list); granularity: ``"fine"`` / ``"coarse"`` /
            ``"lyapunov"``; noisy, univariate: ``True`` / ``False``. ``None`` keeps all.

    Returns:
        :class:`Trajectories`, rows ordered by system, then as stored.

    Raises:
        DatasetError: not a dataset directory, or a shard is missing, truncated or altered
            (checked against the manifest's sizes and SHA-256 checksums, once per file).
        UnknownSystemError: a name not in the catalog (``DatasetError`` if in the catalog but not in the collection).
        InvalidArgumentError: bad filter values.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.dataset as pads

    root = _resolve(path_or_preset, progress)
    manifest = storage.read_manifest(root)
    in_set = manifest["systems"]
    if system is None:
        names = sorted(in_set)
    else:
        names = [system] if isinstance(system, str) else list(system)
        for n in names:
            if n not in in_set:
                import chaoszoo as cz

                if n not in cz.names():
                    raise UnknownSystemError(str(n), list(in_set) or cz.names())
                raise DatasetError(f"System {n!r} is not in the dataset at {root} (it has {len(in_set)} systems: "
                                   f"{', '.join(sorted(in_set)[:8])}{'...' if len(in_set) > 8 else ''}"
                                   + ("; it failed to generate, see manifest['failed']" if n in manifest.get("failed", {}) else "")
                                   + ").")
    filters = {"split": _choice(split, "split", ("train", "test")),
               "granularity": _choice(granularity, "granularity", ("fine", "coarse", "lyapunov")),
               "noisy": _choice(noisy, "noisy", (False, True)),
               "univariate": _choice(univariate, "univariate", (False, True))}
    expr = None
    for col, vals in filters.items():
        if vals is not None:
            e = pc.field(col).isin(vals)
            expr = e if expr is None else expr & e
    metas, values = [], []
    for n in names:
        path = root / in_set[n]["file"]
        check_shard(path, manifest.get("files", {}).get(in_set[n]["file"], in_set[n]), root)
        try:
            table = pads.dataset(path, format="parquet").to_table(filter=expr)
        except (OSError, ValueError, pa.ArrowException) as err:  # unreadable despite the checksum
            raise DatasetError(f"Shard {path} cannot be read ({type(err).__name__}: {str(err)[:200]}). "
                               f"Run `chaoszoo dataset verify {root}` and rebuild it.") from None
        if not table.num_rows:
            continue
        metas.append(table.drop_columns(["values"]).to_pandas())
        values += _unpack(table.column("values"))
    meta = pd.concat(metas, ignore_index=True) if metas else pd.DataFrame(columns=_META)
    return Trajectories(meta, values, manifest)


def _unpack(column) -> list[np.ndarray]:
    """``list<list<double>>`` column -> list of ``(n, d)`` arrays (views on one flat buffer)."""
    out = []
    for chunk in column.chunks:
        rows = chunk.value_lengths().to_numpy(zero_copy_only=False)
        inner = chunk.flatten()
        d = inner.value_lengths().to_numpy(zero_copy_only=False)
        flat = inner.flatten().to_numpy(zero_copy_only=False)
        start = 0
        pos = 0
        for n in rows:
            width = int(d[pos]) if n else 0
            size = int(n) * width
            out.append(flat[start: start + size].reshape(int(n), width))
            start += size
            pos += int(n)
    return out


def info(path) -> dict:
    """Summary of a collection: settings, systems, trajectory counts, sizes, omissions.

    Raises:
        InvalidArgumentError: ``path`` is not a path.
        DatasetError: no valid manifest there.
    """
    from chaoszoo.data.files import as_path

    root = as_path(path, "path")
    m = storage.read_manifest(root)
    problem = storage._manifest_problem(m, require_all=True)
    if problem:
        raise DatasetError(f"{root / storage.MANIFEST} is incomplete: {problem}. Rebuild the dataset (`chaoszoo "
                           "dataset build` with its original options into a new --out).")
    return {
        "path": str(root), "preset": m["preset"]["name"], "settings": m["preset"],
        "package_version": m["package_version"], "catalog_version": m["catalog_version"],
        "systems": len(m["systems"]), "failed": sorted(m.get("failed", {})),
        "trajectories": m["trajectories"], "bytes": sum(f["bytes"] for f in m["files"].values()),
        "skipped": {n: r["skipped"] for n, r in m["systems"].items() if r.get("skipped")},
    }


def systems_in(path) -> list[str]:
    """Names of the systems stored in a collection."""
    from chaoszoo.data.files import as_path

    return sorted(storage.read_manifest(as_path(path, "path"))["systems"])
