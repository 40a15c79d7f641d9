"""One forecasting job: tune on the train split, fit on the history, forecast, score.

:func:`execute` is what every executor runs (in this process, a worker process or a Ray
task); it never raises for a model's failure: the row says ``status = "failed"`` with the
reason, so a run goes on.
"""

from __future__ import annotations

import functools
import itertools
import json
import os
import platform
import threading
import time
import traceback
from dataclasses import dataclass

import numpy as np

from chaoszoo.errors import ModelError
from chaoszoo.forecast.interface import derive_seed
from chaoszoo.forecast.protocols import Variant


@dataclass(frozen=True)
class Job:
    """A (system, initial condition, variant, model) of a protocol; picklable."""

    protocol: object  # ForecastProtocol
    system: str
    ic: int
    variant: Variant
    model: str
    fast: bool = False
    params: tuple = ()  # sorted (name, value) pairs of constructor overrides
    keep_forecast: bool = False
    attractor_metrics: bool = True
    #: hyperparameters already chosen for this (system, variant, model, setting) by the job of
    #: initial condition 0 (sorted pairs), so the search is not repeated: the protocol tunes
    #: once per system, and a job that is given none tunes itself and finds the same values
    tuned: tuple | None = None

    @classmethod
    def from_row(cls, protocol, row: dict) -> "Job":
        """The job that wrote ``row`` (a stored or shipped result row), to run it again."""
        from chaoszoo.errors import InvalidArgumentError

        labels = {v.label: v for v in protocol.variants}
        if row.get("variant") not in labels:
            raise InvalidArgumentError(f"Row {row.get('job_id')!r}: variant {row.get('variant')!r} is not one of "
                                       f"{protocol.name!r}'s ({', '.join(labels)}).")
        setting = str(row.get("setting") or "default")
        if setting == "external":
            raise InvalidArgumentError(f"Row {row.get('job_id')!r} holds a forecast made elsewhere (imported with "
                                       "`chaoszoo forecast import-forecasts`); it cannot be re-run here.")
        base, _, extra = setting.partition("+")
        if base not in ("default", "fast"):
            raise InvalidArgumentError(f"Row {row.get('job_id')!r}: unknown setting {setting!r}.")
        params = tuple(sorted(json.loads(extra).items())) if extra else ()
        attractor = row.get("attractor_metrics")
        job = cls(protocol, str(row["system"]), int(row["ic"]), labels[row["variant"]], str(row["model"]),
                  base == "fast", params, False, True if attractor is None else bool(attractor))
        if job.job_id != row.get("job_id"):
            raise InvalidArgumentError(f"Row {row.get('job_id')!r} does not describe one job (rebuilt as {job.job_id!r}).")
        return job

    @property
    def setting(self) -> str:
        s = "fast" if self.fast else "default"
        return s + ("+" + json.dumps(dict(self.params), sort_keys=True) if self.params else "")

    @property
    def job_id(self) -> str:
        return f"{self.system}|ic{self.ic}|{self.variant.label}|{self.model}|{self.setting}"

    @property
    def seed(self) -> int:
        return derive_seed(self.protocol.name, self.system, self.ic, self.variant.label, self.model)

    @property
    def tuning_seed(self) -> int:
        """The seed of the hyperparameter search: the same for every initial condition, since
        the search (on the train trajectory of initial condition 0) is one per system."""
        return derive_seed(self.protocol.name, self.system, "tuning", self.variant.label, self.model)


class _PeakRSS:
    """Peak resident memory of this process while the block runs (sampled every 20 ms)."""

    def __enter__(self):
        self.base = _rss_mb()
        self.peak = self.base
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()
        return self

    def _run(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss_mb())

    def __exit__(self, *exc):
        self._stop.set()
        self._t.join()
        self.peak = max(self.peak, _rss_mb())

    @property
    def used_mb(self) -> float:
        return max(0.0, self.peak - self.base)


def _rss_mb(pid: int | str = "self") -> float:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _grid(spec, fixed=()) -> list[dict]:
    """The candidates of ``spec``'s grid, over the hyperparameters a job's parameters do not fix."""
    keys = sorted(k for k in spec.grid if k not in set(fixed))
    if not keys:
        return [{}]
    return [dict(zip(keys, combo)) for combo in itertools.product(*(spec.grid[k] for k in keys))]


def _checked(y, horizon: int, d: int) -> np.ndarray:
    try:
        y = np.asarray(y, dtype=np.float64)
    except (TypeError, ValueError) as err:
        raise ModelError(f"the forecast is not a numeric array ({err})") from None
    if y.ndim == 1 and d == 1:
        y = y[:, None]
    if y.shape != (horizon, d):
        raise ModelError(f"the forecast has shape {y.shape}, expected {(horizon, d)}")
    if not np.all(np.isfinite(y)):
        bad = int(np.argmax(~np.all(np.isfinite(y), axis=1)))
        raise ModelError(f"the forecast has non-finite values (first at step {bad} of {horizon})")
    return y


def _fit_predict(name: str, fast: bool, params: dict, history, info, horizon):
    from chaoszoo.forecast.interface import resolve_params
    from chaoszoo.forecast.registry import make

    model = make(name, fast=fast, **resolve_params(params, info))
    t0 = time.perf_counter()
    model.fit(history.copy(), info)
    t1 = time.perf_counter()
    y = model.predict(horizon)
    t2 = time.perf_counter()
    return _checked(y, horizon, history.shape[1]), t1 - t0, t2 - t1


def tune(job: Job, task, spec) -> tuple[dict, dict]:
    """Grid search on the train split by validation MSE (columns standardised). Returns the
    chosen values and a summary (candidates, failures, seconds). A job given the values the
    search chose for initial condition 0 (``job.tuned``) reuses them (the summary says so)."""
    grid = _grid(spec, dict(job.params))  # a parameter the job fixes is not searched; the others are
    summary = {"candidates": len(grid), "failed": 0, "seconds": 0.0}
    if len(grid) == 1 or task.train_history is None:
        return grid[0], summary
    if job.tuned is not None:
        return dict(job.tuned), {"candidates": len(grid), "shared": True}
    t0 = time.perf_counter()
    scale = task.train_history.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    best, best_err = None, np.inf
    info = task.info.replace(seed=job.tuning_seed, privileged_state=None)
    for cand in grid:
        try:
            y, _, _ = _fit_predict(job.model, job.fast, {**dict(job.params), **cand}, task.train_history, info,
                                   len(task.train_target))
            err = float(np.mean(((y - task.train_target) / scale) ** 2))
        except Exception:  # noqa: BLE001 - a candidate that fails is skipped
            summary["failed"] += 1
            continue
        if err < best_err:
            best, best_err = cand, err
    summary["seconds"] = time.perf_counter() - t0
    summary["validation_mse"] = best_err if best is not None else None
    return (best if best is not None else grid[0]), summary


def versions(extra_modules=()) -> dict:
    """Versions of the packages a row depends on (looked up once per process: 16 ms a call)."""
    return dict(_versions(tuple(extra_modules)))


@functools.lru_cache(maxsize=None)
def _versions(extra_modules: tuple) -> tuple:
    import importlib.metadata as md

    out = {"python": platform.python_version()}
    for pkg in ("chaoszoo", "numpy", "scipy", "jax", "diffrax", *extra_modules):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            pass
    return tuple(out.items())


def _device() -> str:
    try:
        import sys

        if "torch" in sys.modules:
            import torch

            if torch.cuda.is_available():
                return f"cuda:{torch.cuda.get_device_name(0)}"
    except Exception:  # noqa: BLE001
        pass
    return "cpu"


def _score(task, y: np.ndarray, job: Job) -> dict:
    from chaoszoo.forecast import metrics

    ls = task.info.lyapunov_steps
    sc = metrics.compute(task.target, y, y_train=task.history, lyapunov_steps=ls, dt=task.info.dt,
                         attractor=job.attractor_metrics, seed=job.seed)
    out = {"metrics": dict(sc.values), "missing": dict(sc.missing)}
    if task.variant.noise > 0:  # also against the noise-free truth
        clean = metrics.compute(task.target_clean, y, y_train=task.history, lyapunov_steps=ls, dt=task.info.dt,
                                attractor=False, seed=job.seed)
        for k in ("smape", "mse", "mae", "nrmse", "vpt_smape", "vpt_nrmse"):
            if k in clean.values:
                out["metrics"][f"clean_{k}"] = clean.values[k]
    t, curve = metrics.horizon_curve(task.target, y, metric="smape", lyapunov_steps=ls)
    pick = np.unique(np.linspace(0, len(t) - 1, min(20, len(t))).round().astype(int))
    out["curve"] = {"t": np.asarray(t)[pick].tolist(), "smape": np.asarray(curve, dtype=float)[pick].tolist(),
                    "unit": "lyapunov" if ls else "steps"}
    return out


def execute(job: Job) -> tuple[dict, np.ndarray | None]:
    """Run one job; returns ``(row, forecast or None)``. Never raises for a model's failure."""
    from chaoszoo.forecast.registry import get_spec
    from chaoszoo.forecast.tasks import make_task

    t_start = time.perf_counter()
    row = _row_base(job)
    forecast = None
    try:
        task = make_task(job.protocol, job.system, job.ic, job.variant)
        row.update(data_sha256=task.data_sha256, history_len=len(task.history), horizon=len(task.target),
                   dims=task.history.shape[1], lyapunov_steps=task.info.lyapunov_steps,
                   pts_per_period=task.info.pts_per_period)
        spec = get_spec(job.model)
        row["family"] = spec.family
        row["model_sha256"] = spec.fingerprint()
        row["description"] = spec.description
        chosen, tsum = tune(job, task, spec) if job.protocol.tune else ({}, {"candidates": 1})
        row["tuning"] = tsum
        params = {**dict(job.params), **chosen}
        row["params"] = params
        info = task.info.replace(seed=job.seed)
        if spec.family != "oracle":
            info = info.replace(privileged_state=None)
        dist = None
        with _PeakRSS() as mem:
            if getattr(job.protocol, "members", None) is not None:  # the probabilistic track
                from chaoszoo.forecast.probabilistic import fit_predict_distribution

                y, dist, fit_s, pred_s = fit_predict_distribution(job.model, job.fast, params, task.history, info,
                                                                  len(task.target), job.protocol)
            else:
                y, fit_s, pred_s = _fit_predict(job.model, job.fast, params, task.history, info, len(task.target))
        row.update(fit_seconds=fit_s, predict_seconds=pred_s, peak_memory_mb=mem.used_mb, peak_rss_mb=mem.peak)
        row.update(_score(task, y, job))
        if dist is not None:
            from chaoszoo.forecast.probabilistic import score_row

            score_row(row, task, dist, job)
        row["status"] = "ok"
        forecast = (y if dist is None else dist.stored()) if job.keep_forecast else None
    except KeyboardInterrupt:
        raise
    except Exception as err:  # noqa: BLE001 - recorded in the row
        row["error"] = f"{type(err).__name__}: {err}"
        row["traceback"] = traceback.format_exc(limit=6)[-2000:]
    row["versions"] = versions(_extra_modules(job.model))
    row["device"] = _device()
    row["seconds"] = time.perf_counter() - t_start
    row["pid"] = os.getpid()
    return row, forecast


def _extra_modules(model: str) -> tuple:
    try:
        from chaoszoo.forecast.registry import get_spec

        return tuple(get_spec(model).requires)
    except Exception:  # noqa: BLE001
        return ()


def _row_base(job: Job) -> dict:
    """The fields every row of ``job`` has, ok or failed."""
    return {"job_id": job.job_id, "protocol": job.protocol.name, "protocol_version": job.protocol.version,
            "system": job.system, "ic": job.ic, "variant": job.variant.label, "univariate": job.variant.univariate,
            "noise": job.variant.noise, "model": job.model, "setting": job.setting, "seed": job.seed,
            "attractor_metrics": job.attractor_metrics, "host": platform.node(), "status": "failed"}


def failed_row(job: Job, reason: str, data_sha256: str | None = None) -> dict:
    """The row of a job that did not return (time limit, memory limit, a dead worker), with its
    task's data fingerprint when the runner knows it."""
    row = {**_row_base(job), "error": reason, "versions": versions()}
    if data_sha256:
        row["data_sha256"] = data_sha256
    return row
