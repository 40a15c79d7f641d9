"""Building a collection: resumable, crash-safe, parallel over systems.

A build runs one task per system. A task generates the system's trajectories (one JAX
compilation per worker and system), writes its shard atomically, then writes a small
completion record (shard checksum, declaration hash, facts for the manifest) into the
hidden state directory ``DIR/.chaoszoo-build/``. When every task is done, the dataset card
and finally ``manifest.json`` are written (atomically), and the state directory removed.

Resuming: running the same build again (after ``kill -9`` at any moment, a full disk, a
crash) finds the state directory, keeps every shard whose record matches its SHA-256
checksum and its declaration, and regenerates only the rest. Because generation is
deterministic and the manifest is assembled from the records in a fixed order, the final
directory is byte-identical to that of an uninterrupted build.

Executors: ``"local"`` runs tasks in a :class:`concurrent.futures.ProcessPoolExecutor`
with the ``spawn`` start method (``jobs=1`` runs them in this process); ``"ray"`` submits
the same task function to a Ray cluster (``address=None`` starts a local Ray instance;
the output directory must be on a file system shared by all Ray nodes).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import sys
import time
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass
from pathlib import Path

from chaoszoo.data import storage
from chaoszoo.data.presets import Preset, get_preset
from chaoszoo.errors import DatasetError, IntegrationError, InvalidArgumentError, MissingExtraError

EXECUTORS = ("local", "ray")


@dataclass(frozen=True)
class BuildResult:
    """What :func:`build` did: the directory, its manifest, and how many shards it generated."""

    path: Path
    manifest: dict
    generated: tuple[str, ...]
    reused: tuple[str, ...]
    seconds: float


def resolve_systems(preset: Preset) -> tuple[str, ...]:
    """The preset's systems, checked against the catalog (all of it when ``systems`` is None).

    Raises:
        DatasetError: a named system is not in the catalog (names it, with suggestions).
    """
    import chaoszoo as cz
    from chaoszoo.errors import UnknownSystemError

    if preset.systems is None:
        return tuple(cz.names())
    known = cz.names()
    for name in preset.systems:
        if name not in known:
            hint = UnknownSystemError(name, known).message
            raise DatasetError(
                f"Preset {preset.name!r} needs system {name!r}, which is not in the catalog. {hint} "
                "Pass systems=... (or --systems) naming systems that exist."
            )
    return tuple(sorted(preset.systems))


def build_system(out: str, settings: dict, name: str) -> dict:
    """Generate one system's shard and completion record (runs in a worker). Returns the record."""
    import chaoszoo as cz
    from chaoszoo.data.generate import generate_system
    from chaoszoo.engine import shared_solvers

    root = Path(out)
    preset = Preset.from_settings(settings)
    system = cz.get(name)
    record = {"system": name, "declaration_hash": storage.system_hash(name),
              "period": system.period, "kind": system.kind, "dimension": system.dimension}
    try:
        # one compiled solver per state dimension, shared by every system a worker builds;
        # always on for builds, so the bytes never depend on the order systems arrive in
        with shared_solvers():
            result = generate_system(system, preset)
    except IntegrationError as err:
        record.update(file=None, failed=str(err))
    else:
        data, rows = storage.shard_bytes(result)
        rel = storage.shard_name(name)
        storage.atomic_write(root / rel, data)
        record.update(file=rel, sha256=storage.sha256_bytes(data), bytes=len(data), rows=rows,
                      trajectories=rows, skipped=result.skipped, **result.info)
    storage.atomic_write(root / storage.STATE_DIR / f"{name}.json", storage.json_bytes(record))
    return record


def _same_but_declarations(old, new: dict) -> bool:
    """Whether two build fingerprints differ at most in some systems' declaration hashes (an
    unfinished build then resumes, regenerating those systems' shards)."""
    if not isinstance(old, dict) or set(old) != set(new) or not isinstance(old.get("declarations"), dict):
        return False
    return all(old[k] == new[k] for k in new if k != "declarations") and set(old["declarations"]) == set(new["declarations"])


def _prepare(root: Path, preset: Preset, systems: tuple[str, ...], fingerprint: dict) -> dict[str, dict]:
    """Check/prepare the directory; returns the completion records that can be reused."""
    state = root / storage.STATE_DIR
    if root.exists() and not root.is_dir():
        raise DatasetError(f"{root} exists and is not a directory; choose another output path.")
    existing = root.is_dir() and any(root.iterdir())
    records: dict[str, dict] = {}
    if existing:
        if (state / "build.json").is_file():
            try:
                old = json.loads((state / "build.json").read_text())
            except (OSError, json.JSONDecodeError):
                old = None
            if old != fingerprint and not _same_but_declarations(old, fingerprint):
                raise DatasetError(
                    f"{root} holds an unfinished chaoszoo build with other settings or systems. Resume it with "
                    "its original options, or choose another --out (or delete the directory).")
            if old != fingerprint:  # catalog entries changed since the build started: redo only those
                changed = sorted(n for n in systems if old["declarations"].get(n) != fingerprint["declarations"][n])
                print(f"chaoszoo: {len(changed)} catalog entries changed since this build started "
                      f"({', '.join(changed)}); their shards are regenerated", file=sys.stderr)
                storage.atomic_write(state / "build.json", storage.json_bytes(fingerprint))
        elif (root / storage.MANIFEST).is_file():
            doc = storage.read_manifest(root)
            if doc.get("build") != fingerprint:
                why = ("by another version of chaoszoo's engine or generator"
                       if isinstance(doc.get("build"), dict) and doc["build"].get("generator") != fingerprint["generator"]
                       and {k: v for k, v in doc["build"].items() if k not in ("generator", "package_version")}
                       == {k: v for k, v in fingerprint.items() if k not in ("generator", "package_version")}
                       else "with other settings, systems or catalog entries")
                raise DatasetError(
                    f"{root} holds a chaoszoo dataset built {why} "
                    f"(preset {doc.get('preset', {}).get('name')!r}). Choose another --out, or delete it to rebuild.")
            # same build: reuse records from the manifest (corrupt shards are regenerated below)
            for name, info in doc.get("systems", {}).items():
                records[name] = info
            for name, reason in doc.get("failed", {}).items():
                records[name] = reason
        else:
            raise DatasetError(
                f"{root} is not empty and holds no chaoszoo dataset (no {storage.MANIFEST}); refusing to write "
                "into it. Choose an empty or new directory for --out.")
    storage.begin_state(root, fingerprint, records)

    def current(name, rec):  # a record of this system's declaration: a shard, or a recorded failure
        return (rec.get("declaration_hash") == fingerprint["declarations"][name]
                and (rec.get("file") is not None or bool(rec.get("failed"))))

    return storage.reusable_records(root, systems, current)


def _progress(total: int, enabled: bool, desc: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="trajectory", disable=not enabled, dynamic_ncols=True,
                file=sys.stderr)


def expected_trajectories(name: str, preset: Preset) -> int:
    """Trajectories a system contributes when no variant is skipped (the progress bar's unit)."""
    import chaoszoo as cz

    system = cz.get(name)
    members = len(preset.splits) * preset.n_ics * preset.n_param_sets
    views = 2 if preset.univariate else 1
    noisy = 2 if preset.noise_level > 0 else 1
    grids = len(preset.granularities) * noisy
    if preset.lyapunov and system.kind != "map" and system.lyapunov_time is not None:
        grids += noisy if preset.lyapunov_noisy else 1
    return members * views * grids


#: Systems per worker below which another worker does not pay for its start-up: each worker
#: imports JAX and compiles its own solvers (10-20 s per state dimension on one core). The
#: quick preset (3 systems) took 25 s in one process and 52-113 s with two workers.
SYSTEMS_PER_WORKER = 8


def default_jobs(pending: int) -> int:
    """Worker processes when ``jobs`` is not given: ``$CHAOSZOO_JOBS`` if set, else one per
    core but at least :data:`SYSTEMS_PER_WORKER` systems per worker (so small builds run in
    this process)."""
    env = os.environ.get("CHAOSZOO_JOBS", "").strip()
    if env:
        if not env.isdigit() or int(env) < 1:
            raise InvalidArgumentError(f"CHAOSZOO_JOBS must be a positive integer; got {env!r}.")
        return int(env)
    return max(1, min(os.cpu_count() or 1, pending // SYSTEMS_PER_WORKER))


def build(preset: "str | Preset", out, *, systems=None, executor: str = "local", jobs: int | None = None,
          address: str | None = None, progress: bool = True) -> BuildResult:
    """Build (or resume, or confirm) a collection in directory ``out``.

    Arguments:
        preset: a preset name (``"quick"``, ``"standard"``, ``"large"``) or a :class:`Preset`.
        out: output directory: new, empty, an unfinished build of the same settings (resumed),
            or a finished one (checked; corrupt or missing shards are regenerated).
        systems: restrict the preset to these catalog names.
        executor: ``"local"`` (process pool) or ``"ray"``.
        jobs: worker processes for the local executor (default: :func:`default_jobs`, one per
            core but at least 8 systems per worker, so small builds run in this process;
            ``1`` runs in this process).
        address: Ray cluster address (default: start a local Ray instance).
        progress: show a tqdm progress bar on stderr.

    Returns:
        :class:`BuildResult`.

    Raises:
        InvalidArgumentError: unknown preset or executor, bad ``jobs``.
        DatasetError: ``out`` holds something else, a system is missing from the catalog,
            or the disk is full (completed shards are kept; run again to resume).
        MissingExtraError: ``executor="ray"`` without Ray installed (nothing is created).
    """
    from chaoszoo import __version__

    t_start = time.perf_counter()
    preset = get_preset(preset)
    if systems is not None:
        systems = (systems,) if isinstance(systems, str) else tuple(systems)
        preset = preset.replace(systems=systems)
    if executor not in EXECUTORS:
        raise InvalidArgumentError(f"executor must be one of {', '.join(EXECUTORS)}; got {executor!r}.")
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise InvalidArgumentError(f"jobs must be a positive integer or None; got {jobs!r}.")
    if executor == "ray" and importlib.util.find_spec("ray") is None:  # before touching the output directory
        raise MissingExtraError("The ray executor", "ray", "ray")
    if address is not None:
        if executor != "ray":
            raise InvalidArgumentError(f"address ({address!r}) is the Ray cluster's; it needs executor='ray'.")
        from chaoszoo.workers import check_ray_address

        check_ray_address(address)  # ray.init would wait for minutes for a cluster that is not there
    names = resolve_systems(preset)
    decl_hashes = {n: storage.system_hash(n) for n in names}
    from chaoszoo.data.generate import generator_fingerprint

    fingerprint = {"settings": preset.settings(), "systems": list(names), "declarations": decl_hashes,
                   "package_version": __version__, "generator": generator_fingerprint()}
    root = Path(out).expanduser().resolve()
    if (root / storage.MANIFEST).is_file() and not (root / storage.STATE_DIR).exists():
        try:
            doc = storage.read_manifest(root)
        except DatasetError:
            doc = None
        if doc is not None and doc.get("build") == fingerprint and storage.verify(root).ok:
            return BuildResult(root, doc, (), names, time.perf_counter() - t_start)  # already complete
    done = _prepare(root, preset, names, fingerprint)
    pending = [n for n in names if n not in done]
    records = dict(done)
    nominal = {n: expected_trajectories(n, preset) for n in names}
    bar = _progress(sum(nominal.values()), progress, f"chaoszoo dataset {preset.name}")
    counts = {"systems": 0, "trajectories": 0, "t0": time.perf_counter()}

    def advance(rec: dict) -> None:
        # the bar counts trajectories; a system's skipped variants leave the total
        made = rec.get("trajectories", 0) or 0
        bar.total -= nominal[rec["system"]] - made
        counts["systems"] += 1
        bar.update(made)

    for rec in done.values():
        advance(rec)

    def finished(rec: dict) -> None:
        records[rec["system"]] = rec
        counts["trajectories"] += rec.get("trajectories", 0) or 0
        rate = counts["trajectories"] / max(1e-9, time.perf_counter() - counts["t0"])
        bar.set_postfix_str(f"{counts['systems'] + 1}/{len(names)} systems, last {rec['system']}, {rate:.0f}/s")
        advance(rec)

    settings = preset.settings()
    try:
        if pending:
            if executor == "ray":
                _run_ray(str(root), settings, pending, address, finished)
            elif (jobs or default_jobs(len(pending))) == 1:
                for name in pending:
                    finished(build_system(str(root), settings, name))
            else:
                _run_pool(str(root), settings, pending, jobs or default_jobs(len(pending)), finished)
    except BaseException:
        storage.remove_temp_files(root)
        raise
    finally:
        bar.close()
    manifest = _finish(root, preset, names, fingerprint, records)
    return BuildResult(root, manifest, tuple(pending), tuple(sorted(done)), time.perf_counter() - t_start)


def _run_pool(out: str, settings: dict, names: list[str], jobs: int, finished) -> None:
    from chaoszoo.workers import process_pool

    # workers die with this process (kill -9 included); Ctrl-C / SIGTERM terminate them
    with process_pool(min(jobs, len(names))) as pool:
        futures = {pool.submit(build_system, out, settings, n): n for n in names}
        remaining = set(futures)
        while remaining:
            complete, remaining = wait(remaining, return_when=FIRST_COMPLETED)
            for fut in complete:
                finished(fut.result())


def _run_ray(out: str, settings: dict, names: list[str], address: str | None, finished) -> None:
    try:
        import ray
    except ImportError:
        raise InvalidArgumentError(
            "The ray executor needs Ray: install it with `pip install 'chaoszoo[ray]'` (or `pip install ray`)."
        ) from None
    started = False
    if not ray.is_initialized():
        from chaoszoo.workers import WORKER_ENV, check_ray_address

        env = {"env_vars": dict(WORKER_ENV)}

        check_ray_address(address)
        ray.init(address=address, runtime_env=env, include_dashboard=False, log_to_driver=False)
        started = True
    try:
        task = ray.remote(num_cpus=1, max_retries=2)(build_system)
        refs = {task.remote(out, settings, n): n for n in names}
        remaining = list(refs)
        while remaining:
            ready, remaining = ray.wait(remaining, num_returns=1)
            for ref in ready:
                try:
                    finished(ray.get(ref))
                except ray.exceptions.RayTaskError as err:
                    cause = err.as_instanceof_cause()
                    raise cause from None
    finally:
        if started:
            ray.shutdown()


def _finish(root: Path, preset: Preset, names, fingerprint: dict, records: dict) -> dict:
    from chaoszoo import __version__
    import pyarrow

    from chaoszoo.data.card import dataset_card

    systems, failed, files = {}, {}, {}
    for name in names:
        rec = records[name]
        if rec.get("file") is None:
            failed[name] = rec
            continue
        systems[name] = rec
        files[rec["file"]] = {"sha256": rec["sha256"], "bytes": rec["bytes"]}
    manifest = {
        "format": storage.FORMAT, "format_version": storage.FORMAT_VERSION,
        "preset": preset.settings(), "build": fingerprint,
        "package_version": __version__, "pyarrow_version": pyarrow.__version__,
        "catalog_version": storage.catalog_version(),
        "systems": systems, "failed": failed,
        "trajectories": sum(r["rows"] for r in systems.values()),
        "columns": COLUMNS,
    }
    card = dataset_card(manifest).encode()
    storage.atomic_write(root / storage.CARD, card)
    files[storage.CARD] = {"sha256": storage.sha256_bytes(card), "bytes": len(card)}
    manifest["files"] = dict(sorted(files.items()))
    storage.atomic_write(root / storage.MANIFEST, storage.json_bytes(manifest))
    shutil.rmtree(root / storage.STATE_DIR, ignore_errors=True)
    return manifest


COLUMNS = {
    "system": "catalog name of the system",
    "split": "'train' or 'test' (different initial conditions on the attractor)",
    "granularity": "'fine', 'coarse' or 'lyapunov' (sampling grid)",
    "noisy": "true when integrated with additive dynamical noise",
    "noise": "amplitude sigma of the dynamical noise dX = f dt + sigma dW (0 when clean)",
    "univariate": "true for the one-observable view",
    "variables": "names of the stored variables",
    "param_index": "parameter set (0 = catalog values)",
    "ic_index": "initial condition within the split",
    "params": "parameter values, JSON object",
    "dt": "sampling step (time units; 1 iteration for maps)",
    "t0": "time of the first sample; sample k is at t0 + k dt",
    "pts_per_period": "samples per dominant period (period / dt)",
    "n": "number of samples",
    "values": "the trajectory, n lists of len(variables) numbers",
}
