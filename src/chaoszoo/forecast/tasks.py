"""Forecasting tasks: a protocol's trajectories cut into history and target.

Each system's data are built once into the cache (one dataset directory per system, so that
a run over a few systems builds only those, and every system's bytes are the same whichever
others are built). The cache key holds the preset's settings, the system's declaration and
the generator (:func:`chaoszoo.data.generate.generator_fingerprint`: the engine's and the
generation code's source and the numerical libraries' versions), so changed code gives fresh
data instead of a stale cache.

What a model sees is the stored trajectory through the system's bounded observable: a
variable that grows without bound (a winding angle, a forcing phase) is replaced by the
bounded transform its declaration gives (``extra["postprocess"]``, e.g. its sine), as the
2021 benchmark did; otherwise a drifting series would be "forecast" by any trend model.

Every task carries its fingerprint (:func:`task_fingerprint`): the SHA-256 of the arrays a
model is given and scored against. A result row stores it as ``data_sha256``; a run re-does a
stored job whose fingerprint differs from the current task's, and leaderboards refuse a
table that mixes fingerprints within a task.
"""

from __future__ import annotations

import contextlib
import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from chaoszoo.errors import DatasetError, InvalidArgumentError
from chaoszoo.forecast.interface import ForecastInfo, derive_seed
from chaoszoo.forecast.protocols import ForecastProtocol, Variant, get_protocol


def data_root(protocol: ForecastProtocol) -> Path:
    """Where a protocol's per-system datasets live (under chaoszoo's cache directory): named by
    the preset and a hash of its settings and of the generator, so that changed settings or
    changed engine or generation code never reuse stale data."""
    import hashlib

    from chaoszoo.data.generate import generator_fingerprint
    from chaoszoo.data.load import cache_dir

    p = protocol.preset
    key = hashlib.sha256(f"{p.fingerprint()}|{generator_fingerprint()}".encode()).hexdigest()
    return cache_dir() / "forecast-data" / f"{p.name}-{key[:16]}"


def system_dir(protocol: ForecastProtocol, system: str) -> Path:
    """The data directory of one system: named by the system and the hash of its declaration,
    so that a changed catalog entry gets fresh data instead of a stale cache."""
    from chaoszoo.data.storage import system_hash

    return data_root(protocol) / f"{system}-{system_hash(system)[:12]}"


def ensure_data(protocol: "str | ForecastProtocol", system: str) -> str:
    """Build (or confirm) ``system``'s data for ``protocol``; returns the shard's SHA-256."""
    from chaoszoo.data.build import build

    protocol = get_protocol(protocol)
    out = system_dir(protocol, system)
    with _build_lock(out):  # two processes that need the same system's data build it once
        result = build(protocol.preset.replace(systems=(system,)), out, jobs=1, progress=False)
    rec = result.manifest.get("systems", {}).get(system)
    if rec is None:
        rec = result.manifest.get("failed", {}).get(system, {})
        reason = rec.get("failed") or rec.get("error") or "unknown reason"
        raise DatasetError(f"No {protocol.preset.name} data for {system!r}: generation failed ({reason}).")
    return rec["sha256"]


@contextlib.contextmanager
def _build_lock(directory: Path):
    """An exclusive lock (``flock``) on ``directory``'s lock file for the duration of a build;
    where file locks are not available, no lock."""
    directory.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    with open(directory.with_name(directory.name + ".lock"), "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@dataclass(frozen=True)
class Task:
    """One (system, initial condition, variant) of a protocol, ready for any model.

    ``target`` is what the model is scored against (noisy in noisy variants, as published);
    ``target_clean`` is the noise-free truth. ``train_history``/``train_target`` come from the
    train split (another initial condition) and are used only to tune hyperparameters.
    """

    protocol: str
    system: str
    ic: int
    variant: Variant
    history: np.ndarray
    target: np.ndarray
    target_clean: np.ndarray
    train_history: np.ndarray | None
    train_target: np.ndarray | None
    info: ForecastInfo
    data_sha256: str

    @property
    def key(self) -> str:
        return f"{self.system}|ic{self.ic}|{self.variant.label}"


def task_fingerprint(history, target, target_clean, train_history, train_target, info: ForecastInfo) -> str:
    """SHA-256 of everything a task gives a model and scores it by: the arrays (shapes and
    float64 bytes, little-endian), the sampling step, the points per period, the Lyapunov
    time and the oracle's privileged state. Independent of file formats and library versions
    that do not change the numbers."""
    import hashlib

    h = hashlib.sha256(b"chaoszoo-task-v1")
    priv = info.privileged_state or {}
    arrays = (history, target, target_clean, train_history, train_target, priv.get("state"), priv.get("std"),
              None if priv.get("time") is None else np.array([priv["time"]]))
    for a in arrays:
        if a is None:
            h.update(b"|none")
            continue
        a = np.ascontiguousarray(a, dtype="<f8")
        h.update(f"|{a.shape}".encode())
        h.update(a.tobytes())
    h.update(repr((float(info.dt), info.pts_per_period, info.lyapunov_time, info.variables)).encode())
    return h.hexdigest()


def _rows(root: Path, system: str, split: str, granularity: str, univariate: bool):
    from chaoszoo.data.load import load

    d = load(root, system=system, split=split, granularity=granularity, noisy=False, univariate=univariate,
             progress=False)
    if not len(d):
        raise DatasetError(f"No {split}/{granularity} trajectories of {system!r} in {root}.")
    return d


def _pick(d, ic: int):
    sel = np.flatnonzero((d.meta["ic_index"].to_numpy() == ic) & (d.meta["param_index"].to_numpy() == 0))
    if not len(sel):
        raise InvalidArgumentError(f"Initial condition {ic} is not in the data (it has {d.meta['ic_index'].max() + 1}).")
    i = int(sel[0])
    return d.meta.iloc[i].to_dict(), np.asarray(d.values[i], dtype=np.float64)


def bounded_observables(system, full: np.ndarray) -> np.ndarray:
    """The full stored state ``(n, d)`` seen through the system's bounded transform
    (``extra["postprocess"]``): unchanged for a system without one."""
    transform = system.declaration.extra.get("postprocess")
    if transform is None:
        return full
    out = np.asarray(transform(full, dict(system.params)), dtype=np.float64)
    if out.shape != full.shape:
        raise DatasetError(f"{system.name}: its postprocess changes the shape {full.shape} -> {out.shape}.")
    return out


def attractor_std(system, full: np.ndarray) -> np.ndarray:
    """Each variable's standard deviation over a raw trajectory, with the variables that grow
    without bound (``extra["unbounded_indices"]``, whose spread only measures the run's length)
    given the root-mean-square of the others' (as the dataset's noise amplitudes are)."""
    std = full.std(axis=0)
    skip = [i for i in system.declaration.extra.get("unbounded_indices", ()) if i < len(std)]
    keep = [i for i in range(len(std)) if i not in skip]
    if skip and keep:
        std[skip] = float(np.sqrt(np.mean(std[keep] ** 2)))
    return std


def _noisy(x: np.ndarray, level: float, seed: int) -> np.ndarray:
    """``x`` plus Gaussian measurement noise of ``level`` times each column's standard deviation."""
    if level <= 0:
        return x
    rng = np.random.default_rng(seed)
    return x + level * x.std(axis=0) * rng.standard_normal(x.shape)


@functools.lru_cache(maxsize=64)
def _system_data(protocol_name: str, protocol_key: str, system: str):
    protocol = get_protocol(protocol_name) if protocol_name in _REGISTERED else _ADHOC[protocol_key]
    sha = ensure_data(protocol, system)
    root = system_dir(protocol, system)
    g = protocol.granularity
    out = {"sha": sha}
    for split in protocol.preset.splits:
        for uni in (False, True) if protocol.preset.univariate else (False,):
            out[(split, uni)] = _rows(root, system, split, g, uni)
    return out


_REGISTERED: set = set()
_ADHOC: dict = {}


def _data(protocol: ForecastProtocol, system: str):
    from chaoszoo.forecast.protocols import PROTOCOLS

    if PROTOCOLS.get(protocol.name) == protocol:
        _REGISTERED.add(protocol.name)
        return _system_data(protocol.name, protocol.name, system)
    key = repr(protocol.settings())
    _ADHOC[key] = protocol
    return _system_data("", key, system)


def make_task(protocol: "str | ForecastProtocol", system: str, ic: int, variant: Variant) -> Task:
    """The task of ``system``'s initial condition ``ic`` under ``variant``."""
    import chaoszoo as cz

    protocol = get_protocol(protocol)
    if variant.univariate and not protocol.preset.univariate:
        raise InvalidArgumentError(f"Protocol {protocol.name!r} has no univariate data.")
    sysobj = cz.get(system)
    data = _data(protocol, system)
    meta, full = _pick(data[("test", False)], ic)
    obs_meta, series = _observed(sysobj, data, "test", ic, variant.univariate, meta, full)
    hist_n, horizon = protocol.split_lengths(len(series), variant)
    end = len(series) - horizon
    label = variant.label
    noisy_series = _noisy(series, variant.noise, derive_seed(protocol.name, system, ic, label, "test-noise"))
    history = noisy_series[end - hist_n:end]
    target = noisy_series[end:]
    target_clean = series[end:]

    train_history = train_target = None
    if protocol.tune and ("train", False) in data:
        # hyperparameters are tuned once per system, on the train trajectory of initial
        # condition 0 (one train trajectory per system, as in the 2021 benchmark), whichever
        # test initial condition the task is
        tmeta, tfull = _pick(data[("train", False)], 0)
        _, tseries = _observed(sysobj, data, "train", 0, variant.univariate, tmeta, tfull)
        th, thor = protocol.split_lengths(len(tseries), variant)
        tend = len(tseries) - thor
        tnoisy = _noisy(tseries, variant.noise, derive_seed(protocol.name, system, 0, label, "train-noise"))
        train_history, train_target = tnoisy[tend - th:tend], tnoisy[tend:]

    dt = float(obs_meta["dt"])
    ppp = obs_meta.get("pts_per_period")
    ppp = float(ppp) if ppp is not None and np.isfinite(ppp) and sysobj.kind != "map" else None
    lt = sysobj.lyapunov_time
    variables = tuple(obs_meta["variables"])
    state_cols = [sysobj.variables.index(v) for v in tuple(meta["variables"])] if sysobj.kind != "delay" else None
    privileged = None
    if state_cols is not None and len(state_cols) == sysobj.dimension:
        t_last = float(meta.get("t0") or 0.0) + (end - 1) * float(meta["dt"])
        privileged = {"state": full[end - 1].copy(), "params": dict(sysobj.params), "std": attractor_std(sysobj, full),
                      "time": t_last if sysobj.kind == "flow" else 0.0,
                      "postprocess": sysobj.declaration.extra.get("postprocess") is not None}
    info = ForecastInfo(system=system, dt=dt, pts_per_period=ppp,
                        lyapunov_time=float(lt) if lt is not None and np.isfinite(lt) else None,
                        kind=sysobj.kind, variables=variables, seed=0, noise=float(variant.noise),
                        privileged_state=privileged)
    fingerprint = task_fingerprint(history, target, target_clean, train_history, train_target, info)
    return Task(protocol.name, system, int(ic), variant, history, target, target_clean, train_history,
                train_target, info, fingerprint)


def _observed(sysobj, data, split: str, ic: int, univariate: bool, meta: dict, full: np.ndarray):
    """``(meta, series)`` of what a model observes of ``full`` (the raw stored state of ``ic``):
    the bounded observables (:func:`bounded_observables`), all of them or the univariate one."""
    bounded = bounded_observables(sysobj, full)
    if not univariate:
        return meta, bounded
    obs_meta, _ = _pick(data[(split, True)], ic)
    col = list(meta["variables"]).index(tuple(obs_meta["variables"])[0])
    return obs_meta, np.ascontiguousarray(bounded[:, col: col + 1])


def _protocol_key(protocol: ForecastProtocol) -> str:
    import hashlib
    import json

    return hashlib.sha256(json.dumps(protocol.settings(), sort_keys=True, default=str).encode()).hexdigest()


def task_fingerprints(protocol: "str | ForecastProtocol", system: str, ics: int, variants) -> dict:
    """``{(ic, variant label): fingerprint}`` of ``system``'s tasks under ``protocol``
    (:func:`task_fingerprint`), for initial conditions ``0 .. ics - 1``.

    Computing one means cutting the task from the data (built on first use); the values are
    kept in a small file under the protocol's data cache, whose key changes whenever the data
    could, so later runs read them instead.
    """
    import json

    from chaoszoo.data.storage import atomic_write, system_hash

    protocol = get_protocol(protocol)
    cache = data_root(protocol) / ".fingerprints" / f"{system}-{system_hash(system)[:12]}-{_protocol_key(protocol)[:16]}.json"
    try:
        known = json.loads(cache.read_text()) if cache.is_file() else {}
        if not isinstance(known, dict):
            known = {}
    except (OSError, ValueError):  # a damaged cache file is recomputed
        known = {}
    out, added = {}, False
    for ic in range(ics):
        for v in variants:
            key = f"{ic}|{v.label}"
            if not isinstance(known.get(key), str):
                known[key] = make_task(protocol, system, ic, v).data_sha256
                added = True
            out[(ic, v.label)] = known[key]
    if added:
        cache.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(cache, json.dumps(known, sort_keys=True, indent=0).encode())
    return out
