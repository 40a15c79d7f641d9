"""Forecasts made elsewhere: export a protocol's tasks, score forecasts made on another machine.

Pretrained hub models (Chronos, TimesFM, Panda, ...) need a GPU and the hub; the benchmark's
machines have neither. The exchange goes through two files:

``export_tasks(protocol, out)`` (``chaoszoo forecast export-tasks``)
    writes the folder ``out`` with ``tasks.npz`` (one array per task: the history a model sees,
    ``(history_len, dims)`` float64, under the key ``t00000``, ``t00001``, ...) and ``tasks.json``,
    the manifest: the format (``chaoszoo-forecast-tasks``, version 1), the protocol's settings,
    the SHA-256 of ``tasks.npz``, and per task its key, its identity (system, initial condition,
    variant), its fingerprint ``data_sha256`` (:func:`chaoszoo.forecast.tasks.task_fingerprint`,
    which covers the target too, so a forecast is tied to the exact data it is scored on), the
    horizon to forecast, ``dt``, the variables, points per period, Lyapunov time and the seed a
    chaoszoo model would get. The targets are not exported.
``forecast_tasks(folder, model, out_file)``
    runs any chaoszoo model (a registry name such as ``chronos``, or ``module:Class``) on every
    task of the folder, on the machine that has the model, and writes the forecasts file.
the forecasts file
    an ``.npz`` whose keys are the tasks' fingerprints (``data_sha256``) and whose values are the
    forecasts, ``(horizon, dims)`` float arrays (``(horizon,)`` for one variable). Any program
    can write it: ``numpy.savez(path, **{task["data_sha256"]: forecast, ...})``.
``import_forecasts(folder, forecasts, out, model)`` (``chaoszoo forecast import-forecasts``)
    rebuilds each task from the protocol, checks that its fingerprint is the one in the file, and
    scores the forecast through the very code a run uses (``jobs._checked``, ``jobs._score``),
    writing one row per task into the results store ``out`` as the model ``model`` with setting
    ``"external"`` (the forecast is stored with it). A forecast under a fingerprint the folder
    does not hold, of the wrong shape, with NaN or infinity, or for a task whose data the current
    chaoszoo no longer generates is refused with a clear error, and no row is written for it:
    by default nothing is written at all (``skip_invalid=True`` writes the others and lists the
    refused).
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from chaoszoo.errors import InvalidArgumentError
from chaoszoo.io import replacing

FORMAT = "chaoszoo-forecast-tasks"
FORMAT_VERSION = 1
MANIFEST = "tasks.json"
ARRAYS = "tasks.npz"
SETTING = "external"
_HEX = frozenset("0123456789abcdef")


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _finite_or_none(v):
    return None if v is None or not np.isfinite(v) else float(v)


# --------------------------------------------------------------------------- export
def export_tasks(protocol, out, *, systems=None, tag=None, ics: int | None = None, variants=None,
                 horizon: int | None = None, history: int | None = None, force: bool = False) -> Path:
    """Write the tasks of ``protocol`` (its histories, fingerprints and settings) into the folder
    ``out`` (see the module docstring); returns the manifest's path.

    Arguments:
        protocol: a protocol name or :class:`~chaoszoo.forecast.protocols.ForecastProtocol`.
        systems, tag: which systems (default: every system the protocol applies to).
        ics: initial conditions per system (default: the protocol's).
        variants: only these variants (labels, or a comma-separated string).
        horizon, history: other lengths (a protocol of its own, as ``forecast run``).
        force: replace the files of an earlier export in ``out``.
    """
    from chaoszoo.data.files import output_dir
    from chaoszoo.data.storage import atomic_write
    from chaoszoo.errors import ChaoszooError
    from chaoszoo.forecast.protocols import get_protocol
    from chaoszoo.forecast.runner import _applicable, plan, select_systems
    from chaoszoo.forecast.tasks import make_task

    protocol = get_protocol(protocol)
    if horizon is not None or history is not None:
        protocol = protocol.with_lengths(horizon=horizon, history=history)
    if not isinstance(force, bool):
        raise InvalidArgumentError(f"force must be True or False; got {force!r}.")
    out = output_dir(out)
    if out.is_dir():
        ours = (out / MANIFEST).is_file() and _is_manifest(out / MANIFEST)
        others = [p.name for p in out.iterdir() if p.name not in (MANIFEST, ARRAYS)]
        if others or ((out / MANIFEST).exists() and not ours):
            raise InvalidArgumentError(f"{out} holds files that are not a chaoszoo task export; choose a new folder.")
        if ours and not force:
            raise InvalidArgumentError(f"{out} already holds an export of tasks; pass force=True (--force) to replace "
                                       "it, or choose a new folder.")
    names = _applicable(protocol, select_systems(systems, tag), explicit=bool(systems))
    jobs = plan(protocol, ["naive-mean"], names, ics=ics, variants=variants)  # the (system, ic, variant) grid
    tasks, arrays, skipped = [], {}, {}
    for job in jobs:
        if job.system in skipped:
            continue
        try:
            task = make_task(protocol, job.system, job.ic, job.variant)
        except ChaoszooError as err:  # data that cannot be generated: recorded, not exported
            skipped[job.system] = f"{type(err).__name__}: {err}"
            continue
        key = f"t{len(tasks):05d}"
        arrays[key] = task.history
        info = task.info
        tasks.append({
            "key": key, "task": task.key, "system": task.system, "ic": task.ic, "variant": task.variant.label,
            "data_sha256": task.data_sha256, "history_len": int(len(task.history)), "horizon": int(len(task.target)),
            "dims": int(task.history.shape[1]), "dt": float(info.dt), "variables": list(info.variables),
            "kind": info.kind, "noise": float(info.noise), "pts_per_period": _finite_or_none(info.pts_per_period),
            "lyapunov_time": _finite_or_none(info.lyapunov_time),
            "lyapunov_steps": _finite_or_none(info.lyapunov_steps),
        })
    if not tasks:
        raise InvalidArgumentError("No task could be exported: " + "; ".join(f"{k}: {v}" for k, v in skipped.items()))
    out.mkdir(parents=True, exist_ok=True)
    with replacing(out / ARRAYS) as tmp:
        np.savez_compressed(tmp, **arrays)
    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "chaoszoo": _version(),
        "protocol": protocol.settings(), "arrays": ARRAYS, "arrays_sha256": _sha256(out / ARRAYS),
        "forecasts": ("an .npz whose keys are the tasks' data_sha256 and whose values are (horizon, dims) float "
                      "forecasts; score it with `chaoszoo forecast import-forecasts`"),
        "seed": "a chaoszoo model gets derive_seed(protocol name, system, ic, variant, model name)",
        "tasks": tasks, "skipped": skipped,
    }
    atomic_write(out / MANIFEST, (json.dumps(manifest, indent=1, sort_keys=True, default=str) + "\n").encode())
    return out / MANIFEST


def _version() -> str:
    import importlib.metadata as md

    try:
        return md.version("chaoszoo")
    except md.PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def _is_manifest(path: Path) -> bool:
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError, UnicodeDecodeError):
        return False
    return isinstance(doc, dict) and doc.get("format") == FORMAT


# --------------------------------------------------------------------------- reading an export
@dataclass(frozen=True)
class TaskExport:
    """An exported folder of tasks, checked: its manifest, protocol and histories."""

    folder: Path
    manifest: dict
    protocol: object  # ForecastProtocol
    tasks: tuple  # the manifest's task records
    histories: dict = field(repr=False)  # key -> (history_len, dims) array

    def by_fingerprint(self) -> dict:
        return {t["data_sha256"]: t for t in self.tasks}


def read_tasks(folder) -> TaskExport:
    """Read and check a folder written by :func:`export_tasks`: a manifest of this format, the
    arrays file it names with the SHA-256 it records, one history of the recorded shape per
    task, and a protocol that the current chaoszoo defines with the same settings."""
    from chaoszoo.data.files import input_dir
    from chaoszoo.forecast.protocols import PROTOCOLS, ForecastProtocol

    folder = input_dir(folder, "tasks folder")
    path = folder / MANIFEST
    advice = "export the tasks again with `chaoszoo forecast export-tasks`"
    try:
        doc = json.loads(path.read_text())
    except FileNotFoundError:
        raise InvalidArgumentError(f"{folder} holds no {MANIFEST}: it is not a folder written by "
                                   "`chaoszoo forecast export-tasks`.") from None
    except (OSError, ValueError, UnicodeDecodeError) as err:
        raise InvalidArgumentError(f"{path} cannot be read ({err}); {advice}.") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise InvalidArgumentError(f"{path} is not a chaoszoo task manifest (no format {FORMAT!r}).")
    if doc.get("format_version") != FORMAT_VERSION:
        raise InvalidArgumentError(f"{path} has format version {doc.get('format_version')!r}; this chaoszoo reads "
                                   f"{FORMAT_VERSION}; {advice}.")
    tasks = doc.get("tasks")
    required = ("key", "system", "ic", "variant", "data_sha256", "horizon", "dims", "history_len")
    if not isinstance(tasks, list) or not tasks or not all(isinstance(t, dict) and all(k in t for k in required)
                                                             for t in tasks):
        raise InvalidArgumentError(f"{path} lists no valid tasks; {advice}.")
    arrays = folder / str(doc.get("arrays") or ARRAYS)
    if arrays.parent != folder or not arrays.is_file():
        raise InvalidArgumentError(f"{folder} has no {arrays.name}, the histories the manifest names; {advice}.")
    if _sha256(arrays) != doc.get("arrays_sha256"):
        raise InvalidArgumentError(f"{arrays} is not the file the manifest was written with (its SHA-256 differs); "
                                   f"{advice}.")
    try:
        with np.load(arrays, allow_pickle=False) as z:
            histories = {t["key"]: np.asarray(z[t["key"]], dtype=np.float64) for t in tasks}
    except (KeyError, ValueError, OSError) as err:
        raise InvalidArgumentError(f"{arrays} cannot be read ({err}); {advice}.") from None
    for t in tasks:
        if histories[t["key"]].shape != (t["history_len"], t["dims"]):
            raise InvalidArgumentError(f"{arrays}: the history of {t['key']} does not have the manifest's shape; "
                                       f"{advice}.")
    settings = doc.get("protocol")
    try:
        protocol = ForecastProtocol.from_settings(settings)
    except InvalidArgumentError as err:
        raise InvalidArgumentError(f"{path}: {err} {advice.capitalize()}.") from None
    base = PROTOCOLS.get(protocol.name.split("[")[0])
    if base is not None and base.version != protocol.version:
        raise InvalidArgumentError(f"{path} holds tasks of {protocol.name!r} v{protocol.version}; this chaoszoo has "
                                   f"v{base.version}; {advice}.")
    return TaskExport(folder, doc, protocol, tuple(tasks), histories)


# --------------------------------------------------------------------------- the remote side
def forecast_tasks(folder, model, out_file, *, fast: bool = False, params: dict | None = None,
                   progress: bool = False) -> Path:
    """Run a chaoszoo model on every task of an exported folder and write the forecasts file
    (``.npz`` keyed by fingerprint) that :func:`import_forecasts` scores. For the machine that
    has the model (a GPU, the hub): ``forecast_tasks("tasks/", "chronos", "chronos.npz")``.

    A task on which the model fails is left out of the file; the failures, with the model name,
    its settings and the seconds per task, are in the sidecar ``<out_file>.json``.
    """
    from chaoszoo.data.files import output_file
    from chaoszoo.data.storage import atomic_write
    from chaoszoo.forecast.interface import ForecastInfo, derive_seed, resolve_params
    from chaoszoo.forecast.jobs import _checked
    from chaoszoo.forecast.registry import get_spec, make, model_path

    export = read_tasks(folder)
    out_file = output_file(out_file, (".npz",), "out_file")
    name = model_path(model)
    spec = get_spec(name)
    forecasts, failed, seconds = {}, {}, {}
    tasks = export.tasks
    if progress:
        from tqdm.auto import tqdm

        tasks = tqdm(tasks, desc=f"{spec.name} on {export.folder.name}", unit="task")
    for t in tasks:
        info = ForecastInfo(system=t["system"], dt=float(t["dt"]), pts_per_period=t.get("pts_per_period"),
                            lyapunov_time=t.get("lyapunov_time"), kind=t.get("kind", "flow"),
                            variables=tuple(t.get("variables") or ()), noise=float(t.get("noise") or 0.0),
                            seed=derive_seed(export.protocol.name, t["system"], t["ic"], t["variant"], name))
        t0 = time.perf_counter()
        try:
            m = make(name, fast=fast, **resolve_params(dict(params or {}), info))
            m.fit(export.histories[t["key"]].copy(), info)
            forecasts[t["data_sha256"]] = _checked(m.predict(int(t["horizon"])), int(t["horizon"]), int(t["dims"]))
        except Exception as err:  # noqa: BLE001 - recorded, as a run records a failed job
            failed[t["data_sha256"]] = f"{type(err).__name__}: {err}"[:500]
        seconds[t["data_sha256"]] = time.perf_counter() - t0
    with replacing(out_file) as tmp:
        np.savez_compressed(tmp, **forecasts)
    side = {"generator": "chaoszoo.forecast.external.forecast_tasks", "model": name, "fast": fast,
            "params": params or {}, "tasks": str(export.folder), "sha256": _sha256(out_file), "failed": failed,
            "seconds": seconds, "host": platform.node()}
    atomic_write(out_file.with_suffix(".json"), (json.dumps(side, indent=1, sort_keys=True, default=str) + "\n").encode())
    return out_file


# --------------------------------------------------------------------------- import
@dataclass(frozen=True)
class ImportSummary:
    out: Path
    model: str
    written: int
    refused: tuple  # (fingerprint or key, reason)
    tasks: int

    def __str__(self) -> str:
        text = f"scored {self.written} forecasts of {self.model} ({self.tasks} tasks exported) -> {self.out}"
        if self.refused:
            text += f"; refused {len(self.refused)}: " + "; ".join(f"{k[:12]}: {r}" for k, r in self.refused[:5])
        return text


def _forecast_problems(export: TaskExport, forecasts: dict) -> tuple[dict, list]:
    """``(accepted {fingerprint: array}, refused [(key, reason)])``: a key that is no task's
    fingerprint, a forecast of the wrong shape or with non-finite values is refused."""
    from chaoszoo.errors import ModelError
    from chaoszoo.forecast.jobs import _checked

    known = export.by_fingerprint()
    ok, refused = {}, []
    for key in sorted(forecasts):
        t = known.get(key)
        if t is None:
            looks = len(key) == 64 and set(key) <= _HEX
            refused.append((key, "a fingerprint that no exported task has (a forecast of other data)" if looks else
                            "not a task fingerprint (the keys are the tasks' data_sha256)"))
            continue
        try:
            ok[key] = _checked(forecasts[key], int(t["horizon"]), int(t["dims"]))
        except ModelError as err:
            refused.append((key, str(err)))
    return ok, refused


def _read_forecasts(path: Path) -> dict:
    try:
        with np.load(path, allow_pickle=False) as z:
            if not hasattr(z, "files"):
                raise ValueError("a single array, not an .npz of named forecasts")
            return {k: z[k] for k in z.files}
    except (ValueError, OSError, EOFError) as err:
        raise InvalidArgumentError(f"{path} cannot be read as an .npz of forecasts keyed by task fingerprint "
                                   f"({type(err).__name__}: {str(err)[:200]}).") from None


def import_forecasts(folder, forecasts, out, model: str, *, family: str = "deep", description: str | None = None,
                     skip_invalid: bool = False, attractor_metrics: bool = True) -> ImportSummary:
    """Score forecasts made elsewhere (see the module docstring) into the results store ``out``.

    Arguments:
        folder: the folder :func:`export_tasks` wrote.
        forecasts: the ``.npz`` of forecasts keyed by task fingerprint.
        out: results directory (created, or one of the same protocol).
        model: the name the rows get; not the name of a registered model (rows of a registered
            model are re-run by ``forecast verify``; these cannot be).
        family: the model's family (one of the registry's families).
        skip_invalid: write the valid forecasts and list the refused ones, instead of refusing all.

    Raises:
        InvalidArgumentError: a bad folder or file, or any refused forecast (unless
            ``skip_invalid``); nothing is written then.
    """
    from chaoszoo.data.files import as_path, input_file
    from chaoszoo.forecast.jobs import Job, _row_base, _score, versions
    from chaoszoo.forecast.registry import FAMILIES, list_models
    from chaoszoo.forecast.store import ResultsStore
    from chaoszoo.forecast.tasks import make_task

    if not isinstance(model, str) or not model.strip() or any(c in model for c in "|\n\r\t"):
        raise InvalidArgumentError(f"model must be a name without '|' or line breaks; got {model!r}.")
    model = model.strip()
    if model in {s.name for s in list_models()} or ":" in model:
        raise InvalidArgumentError(f"{model!r} is the name of a model chaoszoo can run; name the imported forecasts "
                                   f"apart (e.g. {model.split(':')[-1]}-external), since `forecast verify` would try "
                                   "to re-run rows of a runnable model.")
    if family not in FAMILIES:
        raise InvalidArgumentError(f"family must be one of {', '.join(FAMILIES)}; got {family!r}.")
    for name, v in (("skip_invalid", skip_invalid), ("attractor_metrics", attractor_metrics)):
        if not isinstance(v, bool):
            raise InvalidArgumentError(f"{name} must be True or False; got {v!r}.")
    export = read_tasks(folder)
    path = input_file(forecasts, "forecasts", (".npz",))
    out = as_path(out, "out")
    sha = _sha256(path)
    accepted, refused = _forecast_problems(export, _read_forecasts(path))
    known = export.by_fingerprint()
    protocol = export.protocol
    labels = {v.label: v for v in protocol.variants}
    scored = []
    for key, y in accepted.items():
        t = known[key]
        if t["variant"] not in labels:
            refused.append((key, f"variant {t['variant']!r} is not one of {protocol.name!r}'s"))
            continue
        task = make_task(protocol, t["system"], int(t["ic"]), labels[t["variant"]])
        if task.data_sha256 != key:
            refused.append((key, f"the data of {task.key} have changed since the export (fingerprint now "
                                 f"{task.data_sha256[:12]}); export the tasks again and forecast them again"))
            continue
        scored.append((task, y))
    if not scored and not refused:
        raise InvalidArgumentError(f"{path} holds no forecasts.")
    if refused and not skip_invalid:
        lines = "; ".join(f"{k[:16]}: {r}" for k, r in refused[:8])
        more = f" (and {len(refused) - 8} more)" if len(refused) > 8 else ""
        raise InvalidArgumentError(f"{path}: {len(refused)} of {len(refused) + len(scored)} forecasts refused, nothing "
                                   f"was written: {lines}{more}. Fix them, or pass skip_invalid=True "
                                   "(--skip-invalid) to score the others.")
    if not scored:
        raise InvalidArgumentError(f"{path}: every forecast was refused: "
                                   + "; ".join(f"{k[:16]}: {r}" for k, r in refused[:8]))
    description = description or f"forecasts made elsewhere, scored from {path.name}"
    written = 0
    with ResultsStore(out, protocol.settings()) as store:
        for task, y in scored:
            t0 = time.perf_counter()
            job = Job(protocol, task.system, task.ic, task.variant, model, keep_forecast=True,
                      attractor_metrics=attractor_metrics)
            row = _row_base(job)
            row.update(job_id=f"{task.system}|ic{task.ic}|{task.variant.label}|{model}|{SETTING}", setting=SETTING,
                       data_sha256=task.data_sha256, history_len=len(task.history), horizon=len(task.target),
                       dims=task.history.shape[1], lyapunov_steps=task.info.lyapunov_steps,
                       pts_per_period=task.info.pts_per_period, family=family, model_sha256=sha,
                       description=description, params={},
                       tuning={"candidates": 1, "source": SETTING, "forecasts_file": path.name,
                               "forecasts_sha256": sha})
            row.update(_score(task, y, job))
            row.update(status="ok", versions=versions(), device=SETTING, seconds=time.perf_counter() - t0,
                       pid=os.getpid())
            store.put(row, y)
            written += 1
    return ImportSummary(out, model, written, tuple(refused), len(export.tasks))
