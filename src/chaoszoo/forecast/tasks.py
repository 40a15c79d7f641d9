"""Forecasting tasks: a protocol's trajectories cut into history and target.

Each system's data are built once into the cache (one dataset directory per system, so that
a run over a few systems builds only those, and every system's bytes are the same whichever
others are built); a task records the SHA-256 of the shard its numbers come from.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from chaoszoo.errors import DatasetError, InvalidArgumentError
from chaoszoo.forecast.interface import ForecastInfo, derive_seed
from chaoszoo.forecast.protocols import ForecastProtocol, Variant, get_protocol


def data_root(protocol: ForecastProtocol) -> Path:
    """Where a protocol's per-system datasets live (under chaoszoo's cache directory)."""
    from chaoszoo.data.load import cache_dir

    p = protocol.preset
    return cache_dir() / "forecast-data" / f"{p.name}-{p.fingerprint()[:12]}"


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
    result = build(protocol.preset.replace(systems=(system,)), out, jobs=1, progress=False)
    rec = result.manifest.get("systems", {}).get(system)
    if rec is None:
        rec = result.manifest.get("failed", {}).get(system, {})
        reason = rec.get("failed") or rec.get("error") or "unknown reason"
        raise DatasetError(f"No {protocol.preset.name} data for {system!r}: generation failed ({reason}).")
    return rec["sha256"]


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
    obs_meta, series = _pick(data[("test", variant.univariate)], ic) if variant.univariate else (meta, full)
    hist_n, horizon = protocol.split_lengths(len(series), variant)
    end = len(series) - horizon
    label = variant.label
    noisy_series = _noisy(series, variant.noise, derive_seed(protocol.name, system, ic, label, "test-noise"))
    history = noisy_series[end - hist_n:end]
    target = noisy_series[end:]
    target_clean = series[end:]

    train_history = train_target = None
    if protocol.tune and ("train", variant.univariate) in data:
        _, tseries = _pick(data[("train", variant.univariate)], ic)
        th, thor = protocol.split_lengths(len(tseries), variant)
        tend = len(tseries) - thor
        tnoisy = _noisy(tseries, variant.noise, derive_seed(protocol.name, system, ic, label, "train-noise"))
        train_history, train_target = tnoisy[tend - th:tend], tnoisy[tend:]

    dt = float(obs_meta["dt"])
    ppp = obs_meta.get("pts_per_period")
    ppp = float(ppp) if ppp is not None and np.isfinite(ppp) and sysobj.kind != "map" else None
    lt = sysobj.lyapunov_time
    variables = tuple(obs_meta["variables"])
    state_cols = [sysobj.variables.index(v) for v in tuple(meta["variables"])] if sysobj.kind != "delay" else None
    privileged = None
    if state_cols is not None and len(state_cols) == sysobj.dimension:
        privileged = {"state": full[end - 1].copy(), "params": dict(sysobj.params), "std": full.std(axis=0)}
    info = ForecastInfo(system=system, dt=dt, pts_per_period=ppp,
                        lyapunov_time=float(lt) if lt is not None and np.isfinite(lt) else None,
                        kind=sysobj.kind, variables=variables, seed=0, noise=float(variant.noise),
                        privileged_state=privileged)
    return Task(protocol.name, system, int(ic), variant, history, target, target_clean, train_history,
                train_target, info, data["sha"])
