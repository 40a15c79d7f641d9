"""The generated-systems corpus: thousands of validated new chaotic systems, for pre-training.

A corpus build draws candidates (:mod:`chaoszoo.catalog.generated`: skew products of pairs of
catalog flows and parameter mutations), keeps those that pass the strange-attractor battery
(:mod:`chaoszoo.analysis.attractor`) and stores several trajectories of each, with a manifest
that lists every system's recipe, test results and split.

**Plan.** From the preset's seed: the eligible catalog flows are split into *training* and
*held-out* bases (``heldout_fraction`` of them, drawn at random); ordered pairs ``(driver,
response)`` are drawn within each group (never across), each with a coupling form; every base
also gets mutations. A generated system is held out when every catalog system it is made of is
held out, so the held-out split is made of dynamics a model trained on the training split has
never seen, not even as a component.

**Tasks.** One task per pair and one per base. A task validates candidates (seeds 0, 1, 2, ...) in
batches of ``batch``, integrated together by one compiled solver (the pair's structure: every
candidate of a pair shares it, parameters are data), until ``per_pair`` (``per_base``) have passed
or ``max_candidates`` have been tried; the accepted ones, in seed order, then get ``n_ics``
trajectories from initial conditions on their attractor (decorrelated by ``decorrelation_periods``
periods from perturbed points of the validation window), with the same solver. A candidate that
blows up or whose field is undefined is a rejected candidate with its reason, never a crash.

**Files.** ``DIR/manifest.json`` (written last), ``DIR/README.md`` and one Parquet shard per task
under ``DIR/systems/`` (columns in :data:`COLUMNS`). Resumable after ``kill -9`` at any moment
(completion records under ``DIR/.chaoszoo-build/``, every file written atomically), and
byte-reproducible: the same preset gives the same bytes (same package, JAX and pyarrow versions,
same machine type), the manifest assembled in task order. Executors: the local process pool or
Ray, as for the other collections (:mod:`chaoszoo.data.build`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import math
import shutil
import sys
import time
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from chaoszoo.data import storage
from chaoszoo.errors import ChaoszooError, DatasetError, InvalidArgumentError, MissingExtraError

FORMAT = "chaoszoo-generated-corpus"
FORMAT_VERSION = 1
SPLITS = ("train", "held-out")


@dataclass(frozen=True)
class CorpusPreset:
    """The settings of a corpus build (every number that determines its bytes).

    Arguments:
        name: identifier (letters, digits, ``-``, ``_``).
        pairs: driver-response pairs (ordered; drawn without repetition within each split).
        per_pair: validated skew products kept per pair.
        per_base: validated mutations kept per base flow (``0``: no mutations).
        max_candidates: candidates (seeds) tried per pair or base at most.
        batch: candidates validated together in one batch (one compiled solver per structure).
        heldout_fraction: share of the eligible catalog flows held out.
        bases: the catalog flows to draw from (``None``: every eligible flow).
        n_ics, n, pts_per_period: trajectories per system, samples each, samples per period.
        decorrelation_periods: periods each initial condition is integrated before its trajectory.
        seed: base seed of the plan.
        validator: settings of the battery (:class:`chaoszoo.analysis.attractor.Settings` fields).
    """

    name: str
    pairs: int = 2048
    per_pair: int = 4
    per_base: int = 16
    max_candidates: int = 16
    batch: int = 8
    heldout_fraction: float = 0.2
    bases: tuple[str, ...] | None = None
    n_ics: int = 4
    n: int = 1024
    pts_per_period: int = 32
    decorrelation_periods: float = 20.0
    seed: int = 0
    validator: dict = field(default_factory=dict)

    def __post_init__(self):
        bad = []
        if not isinstance(self.name, str) or not self.name or not all(c.isalnum() or c in "-_" for c in self.name):
            bad.append(f"name must be letters, digits, '-' or '_'; got {self.name!r}")
        for f in ("pairs", "per_pair", "per_base"):
            v = getattr(self, f)
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                bad.append(f"{f} must be a non-negative integer; got {v!r}")
        for f in ("max_candidates", "batch", "n_ics", "n", "pts_per_period"):
            v = getattr(self, f)
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                bad.append(f"{f} must be a positive integer; got {v!r}")
        if isinstance(self.batch, int) and not isinstance(self.batch, bool) and self.batch % 2:
            bad.append(f"batch must be even (members and their clones share one batch); got {self.batch}")
        if isinstance(self.pts_per_period, int) and self.pts_per_period > 63:
            bad.append(f"pts_per_period must be at most 63 (one period per engine call); got {self.pts_per_period}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            bad.append(f"seed must be a non-negative integer; got {self.seed!r}")
        hf = self.heldout_fraction
        if isinstance(hf, bool) or not isinstance(hf, (int, float)) or not 0 <= hf < 1:
            bad.append(f"heldout_fraction must be a number in [0, 1); got {hf!r}")
        d = self.decorrelation_periods
        if isinstance(d, bool) or not isinstance(d, (int, float)) or not (math.isfinite(d) and d >= 0):
            bad.append(f"decorrelation_periods must be a non-negative number; got {d!r}")
        if self.bases is not None:
            if isinstance(self.bases, str) or not all(isinstance(b, str) for b in self.bases):
                bad.append(f"bases must be a tuple of catalog names or None; got {self.bases!r}")
            else:
                object.__setattr__(self, "bases", tuple(sorted(set(self.bases))))
                if len(self.bases) < 2:
                    bad.append("bases must name at least two catalog flows")
        if not isinstance(self.validator, dict):
            bad.append(f"validator must be a dict of battery settings; got {self.validator!r}")
        else:
            from chaoszoo.analysis.attractor import Settings

            known = {f.name for f in dataclasses.fields(Settings)}
            unknown = set(self.validator) - known
            if unknown:
                bad.append(f"validator has unknown settings {sorted(unknown)} (known: {sorted(known)})")
        if self.pairs == 0 and self.per_base == 0:
            bad.append("the preset generates nothing (pairs = 0 and per_base = 0)")
        if bad:
            raise InvalidArgumentError("Invalid corpus preset: " + "; ".join(bad) + ".")

    def settings(self) -> dict:
        out = {}
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            out[f.name] = list(v) if isinstance(v, tuple) else (dict(v) if isinstance(v, dict) else v)
        return out

    def replace(self, **changes) -> "CorpusPreset":
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_settings(cls, settings: dict) -> "CorpusPreset":
        kw = {k: tuple(v) if isinstance(v, list) else v for k, v in settings.items()}
        return cls(**kw)

    def validator_settings(self):
        from chaoszoo.analysis.attractor import Settings

        return Settings(**self.validator)


#: The pre-training corpus: 2,560 pairs x 4 skew products + 109 bases x 8 mutations (at most
#: 11,112 systems if every task fills; a task stops after 16 candidates), 4 trajectories of 1,024
#: samples each. Not built yet: its acceptance rates and build time are not measured
#: (docs/generated.md).
PRESETS: dict[str, CorpusPreset] = {
    "corpus": CorpusPreset(name="corpus", pairs=2560, per_pair=4, per_base=8, max_candidates=16),
    # A few systems, for checks: 6 pairs and 3 bases.
    "corpus-tiny": CorpusPreset(name="corpus-tiny", pairs=6, per_pair=2, per_base=2, max_candidates=8, batch=4,
                                bases=("Aizawa", "Chen", "Lorenz", "Rossler", "SprottB", "Thomas", "Halvorsen",
                                       "Dadras"),
                                heldout_fraction=0.25, n_ics=2, n=256),
}


def get_preset(preset) -> CorpusPreset:
    if isinstance(preset, CorpusPreset):
        return preset
    try:
        return PRESETS[preset]
    except (KeyError, TypeError):
        raise InvalidArgumentError(f"Unknown corpus preset {preset!r}; choose one of {', '.join(PRESETS)} or pass a "
                                   "chaoszoo.data.corpus.CorpusPreset(...).") from None


# --------------------------------------------------------------------------- plan
def plan(preset) -> list[dict]:
    """The tasks of a preset, in order: every pair, then every base (deterministic from the seed)."""
    from chaoszoo.catalog.generated import eligible_flows
    from chaoszoo.catalog.generated.recipes import pair_is_ambiguous

    preset = get_preset(preset)
    flows = eligible_flows()
    bases = list(flows) if preset.bases is None else list(preset.bases)
    unknown = [b for b in bases if b not in flows]
    if unknown:
        from chaoszoo.catalog.generated import why_not_eligible

        raise InvalidArgumentError(f"Corpus preset {preset.name!r}: {unknown[0]} cannot be a base: "
                                   f"{why_not_eligible(unknown[0]) or 'not an eligible flow'}.")
    rng = np.random.default_rng([preset.seed, 27, 1])
    order = rng.permutation(len(bases))
    n_held = int(round(preset.heldout_fraction * len(bases)))
    held = sorted(bases[i] for i in order[:n_held])
    train = sorted(bases[i] for i in order[n_held:])
    tasks = []
    n_held_pairs = int(round(preset.pairs * preset.heldout_fraction)) if held else 0
    for split, group, count in (("train", train, preset.pairs - n_held_pairs), ("held-out", held, n_held_pairs)):
        candidates = [(d, r) for d in group for r in group if d != r and not pair_is_ambiguous(d, r, flows)]
        pick = np.random.default_rng([preset.seed, 27, 2, len(split)]).permutation(len(candidates))[:count]
        forms = np.random.default_rng([preset.seed, 27, 3, len(split)]).random(len(pick))
        for j, i in enumerate(sorted(pick)):
            d, r = candidates[i]
            form = "additive" if forms[j] < 0.5 else "activated"
            tasks.append({"kind": "skew", "driver": d, "response": r, "form": form, "split": split})
    if preset.per_base:
        for split, group in (("train", train), ("held-out", held)):
            tasks.extend({"kind": "mutation", "base": b, "split": split} for b in group)
    for t in tasks:
        t["id"] = task_id(t)
    return tasks


def task_id(task: dict) -> str:
    if task["kind"] == "skew":
        from chaoszoo.catalog.generated.recipes import FORMS

        return f"Skew{task['driver']}{task['response']}{FORMS[task['form']]}"
    return f"Mut{task['base']}"


# --------------------------------------------------------------------------- one task
COLUMNS = {
    "system": "generated system's name (its recipe is in manifest.json)",
    "split": "'train' or 'held-out'",
    "ic_index": "initial condition (0..n_ics-1)",
    "variables": "names of the state variables (all of them: a skew product's driver and response)",
    "observed": "indices of the generated part (a skew product's response; every variable otherwise)",
    "params": "parameter values, JSON object",
    "dt": "sampling step (time units)",
    "t0": "time of the first sample",
    "n": "number of samples",
    "values": "the trajectory, n lists of len(variables) float32 numbers",
}


def _candidate_decl(task: dict, seed: int):
    from chaoszoo.catalog.generated import mutation, skew_product

    if task["kind"] == "skew":
        return skew_product(task["driver"], task["response"], task["form"], seed)
    return mutation(task["base"], seed)


def _structure(task: dict):
    from chaoszoo.catalog.generated.build import mutation_structure, structure

    if task["kind"] == "skew":
        return structure(task["driver"], task["response"], task["form"])
    return mutation_structure(task["base"])


def run_task(out: str, settings: dict, task: dict) -> dict:
    """Validate a task's candidates, generate its accepted systems' trajectories, write its shard and
    its completion record (runs in a worker). Returns the record."""
    from chaoszoo.analysis.attractor import Blocks, confirm, confirms, screen
    from chaoszoo.catalog.generated import canonical_bytes
    from chaoszoo.engine import aot

    t_cpu = time.process_time()
    stats0 = dict(aot.STATS)
    preset = CorpusPreset.from_settings(settings)
    vset = preset.validator_settings()
    S = _structure(task)
    want = preset.per_pair if task["kind"] == "skew" else preset.per_base
    accepted, rejected, survivors = [], [], []
    seed, t_screen = 0, 0.0
    two_stages = confirms(vset)

    def padded(items):
        rows = [dict(d.params) for d in items] + [dict(items[-1].params)] * (preset.batch - len(items))
        names = [d.name for d in items] + ["padding"] * (preset.batch - len(items))
        return rows, names

    while len(accepted) < want and (seed < preset.max_candidates or survivors):
        # stage 1 (screen): the next batch of seeds
        if seed < preset.max_candidates and len(survivors) < want - len(accepted):
            seeds = list(range(seed, min(seed + preset.batch, preset.max_candidates)))
            seed = seeds[-1] + 1
            decls = []
            for s in seeds:
                try:
                    decls.append(_candidate_decl(task, s))
                except ChaoszooError as exc:  # an undefined field: rejected before any integration
                    rejected.append([f"{task['id']}S{s}", f"undefined: {exc}"])
            if decls:
                rows, names = padded(decls)
                ics = np.array([d.ic for d in decls] + [decls[-1].ic] * (preset.batch - len(decls)))
                verdicts, states, t_screen, windows = screen(S, rows, ics, names, settings=vset)
                for j, (d, v) in enumerate(zip(decls, verdicts)):
                    if not v.passed:
                        rejected.append([d.name, v.reason])
                    elif not two_stages:  # the screen is the whole battery
                        if len(accepted) < want:
                            accepted.append((d, v, windows[j]))
                    else:
                        survivors.append((d, states[j]))
            if seed < preset.max_candidates and len(survivors) < want - len(accepted) and len(survivors) < preset.batch:
                continue  # screen more before confirming: confirmations run in full batches
        if not survivors:
            continue
        # stage 2 (confirm): the survivors, in seed order, a batch at a time
        group, survivors = survivors[:preset.batch], survivors[preset.batch:]
        items = [d for d, _ in group]
        rows, names = padded(items)
        states = np.array([x for _, x in group] + [group[-1][1]] * (preset.batch - len(group)))
        verdicts, _, _, windows = confirm(S, rows, states, t_screen, names, settings=vset)
        for j, (d, v) in enumerate(zip(items, verdicts)):
            if v.passed and len(accepted) < want:
                accepted.append((d, v, windows[j]))
            elif not v.passed:
                rejected.append([d.name, v.reason])
    # trajectories of the accepted systems, on their attractors, with the same compiled solver
    systems, rows_out = [], []
    if accepted:
        traj, kept = _trajectories(S, accepted, preset, vset, Blocks)
        for (d, v, _), ys in zip(accepted, traj):
            if ys is None:
                rejected.append([d.name, "bounded: the integration failed from another initial condition"])
                continue
            systems.append({"name": d.name, "recipe": dict(d.recipe), "split": task["split"],
                            "tests": v.to_dict()["values"], "canonical_sha256": storage.sha256_bytes(canonical_bytes(d)),
                            "structure": S.name, "dimension": d.dimension, "period": d.period})
            rows_out.append((d, ys))
    record = {"task": task["id"], "kind": task["kind"], "split": task["split"], "structure": S.name,
              "candidates": seed, "systems": systems, "rejected": rejected}
    root = Path(out)
    if rows_out:
        data, nrows = _shard_bytes(rows_out, task["split"], preset)
        rel = f"{storage.SHARD_DIR}/{task['id']}.parquet"
        storage.atomic_write(root / rel, data)
        record.update(file=rel, sha256=storage.sha256_bytes(data), bytes=len(data), rows=nrows)
    else:
        record.update(file=None, rows=0)
    # not part of the manifest (machine-dependent): kept in the state record for the build's report
    record["cost"] = {"cpu_seconds": round(time.process_time() - t_cpu, 3),
                      "compiled": aot.STATS["compiled"] - stats0.get("compiled", 0),
                      "loaded": aot.STATS["loaded"] - stats0.get("loaded", 0)}
    storage.atomic_write(root / storage.STATE_DIR / f"{task['id']}.json", storage.json_bytes(record))
    return record


def _trajectories(S, accepted, preset: CorpusPreset, vset, Blocks):
    """``n_ics`` trajectories per accepted system, in batches of the validation's size (the same
    compiled solver). Returns one ``(n_ics, n, d)`` array per system (``None`` if one failed)."""
    slots = preset.batch  # the validation's batch size: the same compiled solver
    members = []  # (system index, ic index, initial state)
    for si, (d, v, window) in enumerate(accepted):
        rng = np.random.default_rng([preset.seed, 27, 4, int(d.recipe["seed"]),
                                     int(hashlib.sha256(d.name.encode()).hexdigest()[:8], 16)])
        scale = window.std(axis=0)
        picks = np.sort(rng.choice(len(window), size=preset.n_ics, replace=len(window) < preset.n_ics))
        for j, p in enumerate(picks):
            x0 = window[p] + 1e-3 * scale * rng.standard_normal(window.shape[1])
            members.append((si, j, x0))
    out = [np.zeros((preset.n_ics, preset.n, len(S.ic))) for _ in accepted]
    failed = np.zeros(len(accepted), bool)
    T = float(S.period)
    blocks_n = int(math.ceil(preset.n / preset.pts_per_period))
    for start in range(0, len(members), slots):
        chunk = members[start:start + slots]
        pad = slots - len(chunk)
        sys_idx = [m[0] for m in chunk] + [chunk[-1][0]] * pad
        params = {p: np.array([accepted[i][0].params[p] for i in sys_idx]) for p in S.params}
        x = np.array([m[2] for m in chunk] + [chunk[-1][2]] * pad)
        batch = Blocks(S, params, vset, preset.pts_per_period)
        ok = np.ones(len(x), bool)
        t = 0.0
        if preset.decorrelation_periods > 0:
            ys, good = batch.advance(x, t, preset.decorrelation_periods * T)
            ok &= good
            x = np.where(ok[:, None], ys[:, -1], x)
            t += preset.decorrelation_periods * T
        pieces = []
        for _ in range(blocks_n):
            ys, good = batch.advance(x, t, T)
            ok &= good
            pieces.append(ys[:, :-1])
            x = np.where(ok[:, None], ys[:, -1], x)
            t += T
        full = np.concatenate(pieces, axis=1)[:, :preset.n]
        for m, (si, j, _) in enumerate(chunk):
            if not ok[m]:
                failed[si] = True
            out[si][j] = full[m]
    return [None if failed[i] else out[i] for i in range(len(accepted))], ~failed


def _shard_bytes(rows, split: str, preset: CorpusPreset) -> tuple[bytes, int]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    cols = {k: [] for k in COLUMNS}
    for d, ys in rows:
        T = float(d.period)
        for j in range(len(ys)):
            cols["system"].append(d.name)
            cols["split"].append(split)
            cols["ic_index"].append(j)
            cols["variables"].append(list(d.variables))
            cols["observed"].append([int(i) for i in d.observed])
            cols["params"].append(json.dumps(dict(d.params), sort_keys=True))
            cols["dt"].append(T / preset.pts_per_period)
            cols["t0"].append(0.0)
            cols["n"].append(preset.n)
            cols["values"].append(np.asarray(ys[j], dtype=np.float32))
    values = pa.array([v.tolist() for v in cols["values"]], type=pa.list_(pa.list_(pa.float32())))
    table = pa.table({
        "system": pa.array(cols["system"], pa.string()), "split": pa.array(cols["split"], pa.string()),
        "ic_index": pa.array(cols["ic_index"], pa.int32()),
        "variables": pa.array(cols["variables"], pa.list_(pa.string())),
        "observed": pa.array(cols["observed"], pa.list_(pa.int32())),
        "params": pa.array(cols["params"], pa.string()), "dt": pa.array(cols["dt"], pa.float64()),
        "t0": pa.array(cols["t0"], pa.float64()), "n": pa.array(cols["n"], pa.int32()), "values": values,
    })
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, row_group_size=max(1, len(table)), **storage.PARQUET_OPTIONS)
    return sink.getvalue().to_pybytes(), len(table)


# --------------------------------------------------------------------------- build
@dataclass(frozen=True)
class CorpusResult:
    """What :func:`build_corpus` did."""

    path: Path
    manifest: dict
    generated: tuple[str, ...]
    reused: tuple[str, ...]
    seconds: float
    costs: dict


def fingerprint(preset: CorpusPreset, tasks: list[dict]) -> dict:
    """Everything a build's bytes depend on (a resumed build must have the same)."""
    from chaoszoo import __version__
    from chaoszoo.analysis.attractor import THRESHOLDS
    from chaoszoo.catalog.generated import GENERATOR_VERSION
    from chaoszoo.catalog.generated.build import _catalog, _code_fingerprint, scales_sha256
    from chaoszoo.data.generate import generator_fingerprint

    names = sorted({n for t in tasks for n in ((t["driver"], t["response"]) if t["kind"] == "skew" else (t["base"],))})
    return {"settings": preset.settings(), "tasks": [t["id"] for t in tasks], "package_version": __version__,
            "generator_version": GENERATOR_VERSION, "scales_sha256": scales_sha256(),
            "components": _code_fingerprint([_catalog()[n] for n in names]),
            "thresholds": dict(THRESHOLDS), "engine": generator_fingerprint()}


def build_corpus(preset="corpus", out=None, *, executor: str = "local", jobs: int | None = None,
                 address: str | None = None, progress: bool = True, tasks: int | None = None) -> CorpusResult:
    """Build (or resume, or confirm) a corpus in directory ``out``.

    ``tasks`` keeps only the first so many tasks of the plan (a smaller corpus of the same
    design, for checks). Other arguments as :func:`chaoszoo.data.build`.
    """
    from chaoszoo import __version__

    t0 = time.perf_counter()
    preset = get_preset(preset)
    if out is None:
        raise InvalidArgumentError("out: the corpus needs an output directory.")
    if executor not in ("local", "ray"):
        raise InvalidArgumentError(f"executor must be 'local' or 'ray'; got {executor!r}.")
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1):
        raise InvalidArgumentError(f"jobs must be a positive integer or None; got {jobs!r}.")
    if executor == "ray" and importlib.util.find_spec("ray") is None:
        raise MissingExtraError("The ray executor", "ray", "ray")
    todo = plan(preset)
    if tasks is not None:
        if isinstance(tasks, bool) or not isinstance(tasks, int) or tasks < 1:
            raise InvalidArgumentError(f"tasks must be a positive integer or None; got {tasks!r}.")
        todo = _first_tasks(todo, tasks)
    if not todo:
        raise InvalidArgumentError(f"Corpus preset {preset.name!r} plans no task (no pair, no base).")
    fp = fingerprint(preset, todo)
    root = Path(out).expanduser().resolve()
    manifest_path = root / storage.MANIFEST
    if manifest_path.is_file() and not (root / storage.STATE_DIR).exists():
        doc = _read_manifest(root)
        if doc.get("build") == fp and _verify(root, doc):
            return CorpusResult(root, doc, (), tuple(t["id"] for t in todo), time.perf_counter() - t0, {})
    done = _prepare(root, fp, todo)
    pending = [t for t in todo if t["id"] not in done]
    records = dict(done)
    settings = preset.settings()
    bar = _progress(len(todo), progress, f"chaoszoo corpus {preset.name}")
    bar.update(len(done))

    def finished(rec):
        records[rec["task"]] = rec
        bar.update(1)
        bar.set_postfix_str(f"{sum(len(r['systems']) for r in records.values())} systems")

    try:
        if pending:
            if executor == "ray":
                _run_ray(str(root), settings, pending, address, finished)
            elif (jobs or 1) == 1:
                for t in pending:
                    finished(run_task(str(root), settings, t))
            else:
                _run_pool(str(root), settings, pending, jobs, finished)
    except BaseException:
        storage.remove_temp_files(root)
        raise
    finally:
        bar.close()
    costs = {tid: r.get("cost", {}) for tid, r in records.items() if tid in {t["id"] for t in pending}}
    manifest = _finish(root, preset, todo, fp, records, __version__)
    return CorpusResult(root, manifest, tuple(t["id"] for t in pending), tuple(sorted(done)),
                        time.perf_counter() - t0, costs)


def _first_tasks(todo: list[dict], count: int) -> list[dict]:
    """``count`` tasks spread evenly over the plan, pairs and bases in proportion to their numbers
    (at least one of each when both exist), so that a small check samples the whole design."""
    pairs = [t for t in todo if t["kind"] == "skew"]
    bases = [t for t in todo if t["kind"] != "skew"]
    if count >= len(todo):
        return list(todo)
    n_b = min(len(bases), max(1 if bases else 0, round(count * len(bases) / len(todo))))
    n_p = min(len(pairs), count - n_b)
    n_b = min(len(bases), count - n_p)

    def spread(items, n):
        return [items[int(i * len(items) / n)] for i in range(n)] if n else []

    chosen = {t["id"] for t in spread(pairs, n_p) + spread(bases, n_b)}
    return [t for t in todo if t["id"] in chosen]


def _read_manifest(root: Path) -> dict:
    try:
        doc = json.loads((root / storage.MANIFEST).read_text())
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DatasetError(f"{root / storage.MANIFEST} cannot be read ({exc}).") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise DatasetError(f"{root} holds no chaoszoo corpus (manifest format {doc.get('format') if isinstance(doc, dict) else None!r}).")
    return doc


def _verify(root: Path, doc: dict) -> bool:
    for rel, info in doc.get("files", {}).items():
        p = root / rel
        if not p.is_file() or p.stat().st_size != info.get("bytes") or storage.sha256_file(p) != info.get("sha256"):
            return False
    return True


def _prepare(root: Path, fp: dict, todo: list[dict]) -> dict:
    state = root / storage.STATE_DIR
    if root.exists() and not root.is_dir():
        raise DatasetError(f"{root} exists and is not a directory; choose another output path.")
    existing = root.is_dir() and any(root.iterdir())
    records: dict = {}
    if existing:
        if (state / "build.json").is_file():
            try:
                old = json.loads((state / "build.json").read_text())
            except (OSError, json.JSONDecodeError):
                old = None
            if old != fp:
                raise DatasetError(f"{root} holds an unfinished corpus build with other settings; resume it with its "
                                   "original options, or choose another --out (or delete the directory).")
        elif (root / storage.MANIFEST).is_file():
            doc = _read_manifest(root)
            if doc.get("build") != fp:
                raise DatasetError(f"{root} holds a corpus built with other settings or versions; choose another --out, "
                                   "or delete it to rebuild.")
            records = {r["task"]: r for r in doc.get("task_records", [])}
        else:
            raise DatasetError(f"{root} is not empty and holds no chaoszoo corpus; choose an empty or new directory.")
    storage.begin_state(root, fp, records)
    return storage.reusable_records(root, [t["id"] for t in todo])


def _progress(total: int, enabled: bool, desc: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="task", disable=not enabled, dynamic_ncols=True, file=sys.stderr)


def _run_pool(out: str, settings: dict, tasks: list[dict], jobs: int, finished) -> None:
    from chaoszoo.workers import WORKER_ENV, process_pool

    env = {**WORKER_ENV, "CHAOSZOO_THREADS": "1"}
    with process_pool(min(jobs, len(tasks)), env=env) as pool:
        futures = {pool.submit(run_task, out, settings, t): t["id"] for t in tasks}
        remaining = set(futures)
        while remaining:
            complete, remaining = wait(remaining, return_when=FIRST_COMPLETED)
            for fut in complete:
                finished(fut.result())


def _run_ray(out: str, settings: dict, tasks: list[dict], address: str | None, finished) -> None:
    import ray

    from chaoszoo.workers import check_ray_address

    started = False
    if not ray.is_initialized():
        check_ray_address(address)
        env = {"env_vars": {"XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1",
                            "JAX_PLATFORMS": "cpu", "CHAOSZOO_THREADS": "1"}}
        ray.init(address=address, runtime_env=env, include_dashboard=False, log_to_driver=False)
        started = True
    try:
        remote = ray.remote(num_cpus=1, max_retries=2)(run_task)
        refs = [remote.remote(out, settings, t) for t in tasks]
        remaining = list(refs)
        while remaining:
            ready, remaining = ray.wait(remaining, num_returns=1)
            for ref in ready:
                try:
                    finished(ray.get(ref))
                except ray.exceptions.RayTaskError as err:
                    raise err.as_instanceof_cause() from None
    finally:
        if started:
            ray.shutdown()


def _finish(root: Path, preset: CorpusPreset, todo: list[dict], fp: dict, records: dict, version: str) -> dict:
    import pyarrow

    systems, rejected, files, task_records = {}, {}, {}, []
    counts = {"candidates": 0, "train": 0, "held-out": 0}
    by_test: dict = {}
    for t in todo:
        rec = {k: v for k, v in records[t["id"]].items() if k != "cost"}
        task_records.append(rec)
        counts["candidates"] += rec["candidates"]
        for s in rec["systems"]:
            systems[s["name"]] = {**s, "shard": rec["file"]}
            counts[s["split"]] += 1
        for name, reason in rec["rejected"]:
            rejected[name] = reason
            test = str(reason).split(":", 1)[0]
            by_test[test] = by_test.get(test, 0) + 1
        if rec.get("file"):
            files[rec["file"]] = {"sha256": rec["sha256"], "bytes": rec["bytes"]}
    counts["systems"] = len(systems)
    counts["rejected_by_first_failed_test"] = dict(sorted(by_test.items()))
    from chaoszoo.analysis.attractor import THRESHOLDS

    manifest = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "preset": preset.settings(), "build": fp,
        "package_version": version, "pyarrow_version": pyarrow.__version__,
        "validator": {"settings": preset.validator_settings().to_dict(), "thresholds": dict(THRESHOLDS)},
        "counts": counts, "columns": COLUMNS, "systems": systems, "rejected": rejected,
        "task_records": task_records,
    }
    card = _card(manifest).encode()
    storage.atomic_write(root / storage.CARD, card)
    files[storage.CARD] = {"sha256": storage.sha256_bytes(card), "bytes": len(card)}
    manifest["files"] = dict(sorted(files.items()))
    storage.atomic_write(root / storage.MANIFEST, storage.json_bytes(manifest))
    shutil.rmtree(root / storage.STATE_DIR, ignore_errors=True)
    return manifest


def _card(manifest: dict) -> str:
    c = manifest["counts"]
    p = manifest["preset"]
    return (f"# chaoszoo generated corpus `{p['name']}`\n\n"
            f"{c['systems']} validated generated systems ({c['train']} train, {c['held-out']} held-out) out of "
            f"{c['candidates']} candidates; {p['n_ics']} trajectories of {p['n']} samples each "
            f"({p['pts_per_period']} per period).\n\n"
            "Every system's recipe, test results and split are in `manifest.json`; rebuild a system with\n"
            "`chaoszoo.catalog.generated.from_recipe(recipe)` or by name with `chaoszoo.get(name)`.\n"
            "Shards: `systems/<task>.parquet`, one row per trajectory (columns listed in the manifest).\n")


def corpus_fingerprint(path) -> str:
    """SHA-256 of a finished corpus's ``manifest.json`` (which holds every file's SHA-256)."""
    root = Path(path)
    doc_path = root / storage.MANIFEST
    if not doc_path.is_file():
        raise DatasetError(f"{root} holds no finished corpus (no {storage.MANIFEST}).")
    return storage.sha256_file(doc_path)


def load(path, register: bool = True) -> dict:
    """Read a corpus's manifest; with ``register`` its systems join the generated family, so that
    ``chaoszoo.names(generated=True)`` lists them. Returns the manifest."""
    from chaoszoo.catalog.generated import from_recipe, register as add

    root = Path(path)
    doc = _read_manifest(root)
    if register:
        for name, info in doc["systems"].items():
            add(from_recipe(info["recipe"]))
    return doc
