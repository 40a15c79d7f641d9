"""Build the atlas: the orchestration behind ``chaoszoo atlas build``.

* The output folder carries a marker file (:data:`MARKER`) listing every file the atlas
  wrote; a non-empty folder without it is refused, and a file the atlas did not write is
  never overwritten.
* Pictures and MathML are cached per system under ``.atlas-cache/`` keyed by a hash of the
  declaration (:func:`declaration_key`), so a rebuild after one change re-simulates one
  system, and every file is written only when its bytes change (a rebuild after one change
  touches that system's page and pictures, plus the index if its row changed).
* Systems are simulated in a process pool (``chaoszoo.workers.process_pool``: spawn, workers
  die with the parent, Ctrl-C stops them) with a tqdm progress bar.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import chaoszoo
from chaoszoo.errors import InvalidArgumentError
from chaoszoo.io import replacing

MARKER = ".chaoszoo-atlas.json"
CACHE = ".atlas-cache"
#: Bump to redraw every picture and equation (a change of the drawing or MathML code).
PICTURE_VERSION = 2
STATIC = Path(__file__).with_name("static")


def declaration_key(decl) -> str:
    """SHA-256 of everything that determines a system's pictures and equations."""
    try:
        source = inspect.getsource(decl.equations)
    except (OSError, TypeError):
        source = repr(decl.equations)
    payload = json.dumps({
        "picture_version": PICTURE_VERSION, "name": decl.name, "kind": decl.kind, "variables": decl.variables,
        "params": dict(decl.params), "ic": decl.ic, "period": decl.period, "dt": decl.dt, "delay": decl.delay,
        "latex": decl.latex, "integer_params": decl.integer_params, "source": source,
        "extra": sorted(map(str, decl.extra)),
    }, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass
class BuildStats:
    out: Path
    systems: int = 0
    rendered: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    pages: int = 0
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: int = 0
    bytes: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"{self.pages} pages ({self.systems} systems; {len(self.rendered)} simulated and drawn, "
                f"{len(self.failed)} failed), {len(self.written)} files written, {self.unchanged} unchanged, "
                f"{self.removed} stale removed; {self.bytes / 1e6:.1f} MB in {self.out}; {self.seconds:.1f} s")


class _Writer:
    """Writes files under ``out`` atomically, only when their bytes change; tracks what it wrote."""

    def __init__(self, out: Path, owned: set[str], stats: BuildStats):
        self.out, self.owned, self.stats = out, owned, stats
        self.now: set[str] = set()

    def write(self, rel: str, data: bytes | str) -> None:
        if isinstance(data, str):
            data = data.encode("utf-8")
        path = self.out / rel
        self.now.add(rel)
        if path.exists():
            if rel not in self.owned:
                raise InvalidArgumentError(f"{path} exists and was not written by the atlas; move it away or choose "
                                           "another --out folder.")
            if path.read_bytes() == data:
                self.stats.unchanged += 1
                return
        path.parent.mkdir(parents=True, exist_ok=True)
        with replacing(path) as tmp:
            tmp.write_bytes(data)
        self.stats.written.append(rel)

    def keep(self, rel: str) -> None:
        """A file written by a worker (a picture): record it as ours."""
        self.now.add(rel)


def check_output_dir(out: Path) -> set[str]:
    """The files a previous build wrote; refuses a non-empty folder that the atlas did not make."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InvalidArgumentError(f"--out {out} is a file; give a folder for the site.")
    marker = out / MARKER
    if out.is_dir() and any(out.iterdir()):
        if not marker.exists():
            raise InvalidArgumentError(
                f"{out} is not empty and holds no {MARKER} marker, so it was not written by `chaoszoo atlas build`; "
                "nothing was changed. Choose an empty or new folder.")
        try:
            info = json.loads(marker.read_text(encoding="utf-8"))
            return set(info.get("files", []))
        except (OSError, ValueError):
            raise InvalidArgumentError(f"{marker} is unreadable; delete the folder {out} and build again.") from None
    return set()


def _write_marker(out: Path, files) -> None:
    text = json.dumps({"format": 1, "generator": f"chaoszoo {chaoszoo.__version__} atlas", "files": sorted(files)},
                      indent=0)
    with replacing(out / MARKER) as tmp:
        tmp.write_text(text, encoding="utf-8")


def _worker_init(jax_cache: str | None) -> None:
    if jax_cache:
        try:
            import jax

            jax.config.update("jax_compilation_cache_dir", jax_cache)
            jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
            jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
        except Exception:  # noqa: BLE001 - the cache is an optimisation only
            pass


def _render_all(todo: list[tuple[str, str]], img_dir: Path, jobs: int, shared: bool, jax_cache: str | None,
                progress: bool, done=None) -> dict[str, dict]:
    """Simulate and draw ``todo``; ``done(result)`` is called as each finishes (so an
    interrupted build resumes where it stopped)."""
    from tqdm import tqdm

    from chaoszoo.atlas.figures import render_system

    results = {}
    if not todo:
        return results
    bar = tqdm(total=len(todo), desc="atlas: simulating and drawing", unit="system", disable=not progress)
    try:
        if jobs <= 1:
            _worker_init(jax_cache)
            for name, key in todo:
                results[name] = render_system(name, str(img_dir), key, shared)
                if done is not None:
                    done(results[name])
                bar.update()
            return results
        import concurrent.futures as cf

        from chaoszoo.workers import process_pool

        with process_pool(jobs, initializer=_worker_init, initargs=(jax_cache,)) as pool:
            futures = {pool.submit(render_system, name, str(img_dir), key, shared): name for name, key in todo}
            for fut in cf.as_completed(futures):
                r = fut.result()
                results[r["name"]] = r
                if done is not None:
                    done(r)
                bar.update()
    finally:
        bar.close()
    return results


def build(out, names=None, *, jobs: int | None = None, shared_solvers: bool = True, results_dir=None,
          features_dir=None, dataset=None, jax_cache: str | None = None, progress: bool = True,
          render: bool = True) -> BuildStats:
    """Write the atlas into ``out``; returns :class:`BuildStats`.

    Arguments:
        names: the systems (default: the whole catalog).
        jobs: worker processes for simulating and drawing (default: every core; 1: in this process).
        shared_solvers: compile one solver per state dimension (``chaoszoo.engine.shared_solvers``);
            faster for the whole catalog, slower for a handful of systems.
        results_dir, features_dir: where the forecasting results and features tables are read
            (default: the shipped ones inside the package; ``False``: none). A folder given here
            must exist and hold readable tables (see :mod:`chaoszoo.atlas.sources`); a
            ``chaoszoo forecast run`` folder is read as one protocol.
        dataset: a dataset folder (``chaoszoo dataset build``); pages link to its shards.
        jax_cache: a JAX persistent compilation cache folder for the workers.
        render: ``False`` for a quick preview: systems without cached pictures get pages
            that say so (nothing is simulated).
    """
    from chaoszoo.atlas import figures, sources
    from chaoszoo.atlas.pages import index_page, system_page
    from chaoszoo.atlas.results_pages import about_page, feature_map_page, leaderboard_index, leaderboard_page
    from chaoszoo.catalog import tags as vocab

    from chaoszoo.data.files import input_dir, name_list, output_dir, positive_int

    t0 = time.perf_counter()
    out = output_dir(out)
    if dataset is False:
        dataset = None
    all_names = chaoszoo.names()
    if names is None:
        names = all_names
    else:
        names = sorted(name_list(names, "names"))
        for n in names:
            chaoszoo.get(n)  # unknown names raise with suggestions
    if jobs is not None:
        jobs = positive_int(jobs, "jobs")
    for value, option in ((results_dir, "--results-dir"), (features_dir, "--features-dir"), (dataset, "--dataset")):
        if value is not None and value is not False:
            input_dir(value, option)
    if dataset is not None:
        from chaoszoo.data.storage import read_manifest

        read_manifest(Path(dataset))  # a folder that is not a built dataset: its pages would link nowhere
    owned = check_output_dir(out)
    protocols = sources.forecast_results(results_dir)
    feats = sources.features(features_dir)
    if feats is None and features_dir not in (None, False):
        raise InvalidArgumentError(f"--features-dir {features_dir} gave no features table.")
    out.mkdir(parents=True, exist_ok=True)
    if not (out / MARKER).exists():
        _write_marker(out, owned)  # claim the folder before writing anything into it
    stats = BuildStats(out=out, systems=len(names))
    w = _Writer(out, owned, stats)
    cache_dir = out / CACHE
    cache_dir.mkdir(exist_ok=True)
    img_dir = out / "img"
    img_dir.mkdir(exist_ok=True)

    # 1. pictures and MathML: reuse the cache where the declaration's hash matches
    systems = {n: chaoszoo.get(n) for n in names}
    keys = {n: declaration_key(s.declaration) for n, s in systems.items()}
    data, todo = {}, []
    for n in names:
        c = cache_dir / f"{n}.json"
        try:
            cached = json.loads(c.read_text(encoding="utf-8")) if c.exists() else None
        except ValueError:
            cached = None
        if (cached and cached.get("key") == keys[n]
                and all((img_dir / f).exists() for f in cached.get("images", {}).values())):
            data[n] = cached
        else:
            todo.append((n, keys[n]))
    if not render:
        for n, key in todo:
            data[n] = {"name": n, "key": key, "images": {}, "mathml": None, "error": None, "preview": True}
        todo = []

    def done(r):
        if r.get("error"):
            return  # not cached: the next build tries again
        w.write(f"{CACHE}/{r['name']}.json", json.dumps(r, sort_keys=True))
        # record the new files at once: an interrupted build must still own what it wrote
        owned.update(f"img/{f}" for f in r["images"].values())
        owned.add(f"{CACHE}/{r['name']}.json")
        _write_marker(out, owned)

    rendered = _render_all(todo, img_dir, jobs or os.cpu_count() or 1, shared_solvers, jax_cache, progress, done)
    for n in sorted(rendered):
        data[n] = rendered[n]
        stats.rendered.append(n)
        stats.written.extend(f"img/{f}" for f in rendered[n]["images"].values())
    for n in names:
        if (cache_dir / f"{n}.json").exists() and not data[n].get("error"):
            w.now.add(f"{CACHE}/{n}.json")
        for f in data[n].get("images", {}).values():
            w.keep(f"img/{f}")
        if data[n].get("error"):
            stats.failed[n] = data[n]["error"]

    # 2. optional sources (read before any work: a bad folder fails at once)
    if feats is not None:  # neighbours and the map show only systems of this build (links must resolve)
        keep = [i for i, n in enumerate(feats.names) if n in systems]
        feats = sources.Features([feats.names[i] for i in keep], feats.X[keep], feats.columns, feats.xy[keep],
                                 feats.embedding, feats.meta) if keep else None

    # 3. pages
    rows = []
    for n in names:
        s = systems[n]
        rows.append(dict(name=n, kind=s.kind, dimension=s.dimension, tags=s.tags, description=s.description,
                         lyap=s.max_lyapunov, dky=s.kaplan_yorke_dimension, thumb=data[n].get("images", {}).get("thumb")))
    w.write("index.html", index_page(rows))
    for i, n in enumerate(names):
        link = None
        if dataset is not None:
            shard = Path(dataset) / "systems" / f"{n}.parquet"
            if shard.exists():
                link = os.path.relpath(shard.resolve(), (out / "systems").resolve())
        pn = (names[i - 1] if i else None, names[i + 1] if i + 1 < len(names) else None)
        w.write(f"systems/{n}.html", system_page(systems[n], data[n], figures.sampling(systems[n].kind), protocols,
                                                 feats, link, pn))
    w.write("leaderboard/index.html", leaderboard_index(protocols))
    for proto in protocols:
        w.write(f"leaderboard/{proto.name}.html", leaderboard_page(proto))
        for fig in proto.figures:
            w.write(f"leaderboard/figures/{fig.name}", fig.read_bytes())
    fields = {n: next((t for t in systems[n].tags if t in vocab.FIELDS), "?") for n in names}
    w.write("features.html", feature_map_page(feats, fields))
    sampling_txt = (f"flows and delays: {figures.FLOW_PERIODS} periods at {figures.FLOW_PTS_PER_PERIOD} points per "
                    f"period after {figures.FLOW_TRANSIENT_PERIODS} transient periods; maps: {figures.MAP_N} "
                    f"iterations after {figures.MAP_TRANSIENT}")
    w.write("about.html", about_page(dict(version=chaoszoo.__version__, systems=len(names), sampling=sampling_txt)))
    for f in sorted(STATIC.iterdir()):
        if f.is_file() and not f.name.startswith("."):
            w.write(f"static/{f.name}", f.read_bytes())
    stats.pages = sum(1 for r in w.now if r.endswith(".html"))

    # 4. remove what earlier builds wrote and this one did not (old picture hashes, dropped systems)
    for rel in sorted(owned - w.now - {MARKER}):
        p = out / rel
        if p.is_file():
            p.unlink()
            stats.removed += 1
    _write_marker(out, w.now | {MARKER})
    stats.bytes = sum((out / r).stat().st_size for r in w.now if (out / r).is_file() and not r.startswith(CACHE))
    stats.seconds = time.perf_counter() - t0
    return stats
