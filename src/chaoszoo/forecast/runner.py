"""The benchmark runner: every (system, initial condition, variant, model) job of a protocol,
in parallel, crash-safe and resumable.

>>> import chaoszoo as cz
>>> summary = cz.forecast.run("short-coarse", ["naive-mean", "nvar"], systems=["Lorenz"],
...                           out="results/short-coarse")                     # doctest: +SKIP

Executors: ``"local"`` (default) runs jobs in worker processes of our own (spawned, each
exiting when this process dies), one job per worker at a time, so that a job past its time
or memory limit, or one that crashes its process, is killed and recorded as a failed row
while the run goes on; ``jobs=0`` runs everything in this process (no limits; for
debugging). ``"ray"`` submits jobs as Ray tasks (a local Ray instance by default).

A run first builds the protocol's data for the systems it needs (cached), then skips every
job whose row is already in the results directory, so an interrupted run (Ctrl-C, a crash,
``kill -9``) continues where it stopped when started again; for deterministic models the
rows equal those of an uninterrupted run.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import time
from dataclasses import dataclass
from multiprocessing.connection import wait as wait_connections
from pathlib import Path

from chaoszoo.errors import DatasetError, InvalidArgumentError
from chaoszoo.forecast.jobs import Job, _rss_mb, execute, failed_row
from chaoszoo.forecast.protocols import ForecastProtocol, get_protocol
from chaoszoo.forecast.store import ResultsStore
from chaoszoo.workers import WORKER_ENV, sigterm_raises

EXECUTORS = ("local", "ray")


@dataclass(frozen=True)
class RunSummary:
    out: Path
    total: int
    skipped: int
    ok: int
    failed: int
    seconds: float
    left_out: tuple[str, ...] = ()  # selected systems the protocol does not apply to
    redone: int = 0  # stored rows run again because their task's data changed

    def __str__(self) -> str:
        out = (f"{self.total} jobs: {self.skipped} already done, {self.ok} ok, {self.failed} failed, "
               f"in {self.seconds:.1f} s -> {self.out}")
        if self.redone:
            out += (f" ({self.redone} stored rows were computed on data that the current code no longer "
                    "generates, or with other model settings, and were run again)")
        if self.left_out:
            out += f" ({len(self.left_out)} systems left out: the protocol does not apply to them)"
        return out


def _listed(values, what: str) -> list | None:
    """A list of names from a comma-separated string or a sequence; ``None`` stays ``None``
    (everything). An empty list, an empty name or a name given twice is an error: none of them
    may silently mean something else."""
    if values is None:
        return None
    if isinstance(values, str):
        values = values.split(",")
    elif isinstance(values, (bytes, dict)) or not hasattr(values, "__iter__"):
        raise InvalidArgumentError(f"{what} must be a list of names or a comma-separated string; got {values!r}.")
    values = list(values)
    if not values:
        raise InvalidArgumentError(f"{what} is empty; name at least one (or leave it out for every one).")
    out = []
    for v in values:
        if isinstance(v, str):
            v = v.strip()
            if not v:
                raise InvalidArgumentError(f"{what} has an empty name in {values!r}.")
        if v in out:
            raise InvalidArgumentError(f"{what} names {v!r} twice.")
        out.append(v)
    return out


def select_systems(systems=None, tag=None) -> list[str]:
    """Catalog names from an explicit list and/or a tag (default: every system)."""
    import chaoszoo as cz
    from chaoszoo.errors import UnknownSystemError

    systems = _listed(systems, "systems")
    names = list(systems) if systems else cz.names()
    known = set(cz.names())
    for n in names:
        if not isinstance(n, str):
            raise InvalidArgumentError(f"A system is named by a string; got {n!r}.")
        if n not in known:
            raise UnknownSystemError(n, known)
    if tag is not None and (not isinstance(tag, str) or not tag.strip()):
        raise InvalidArgumentError(f"tag must be a non-empty string; got {tag!r}.")
    if tag:
        tagged = [n for n in names if tag in cz.get(n).tags]
        if not tagged:
            raise InvalidArgumentError(f"No system{' of those given' if systems else ''} has the tag {tag!r}.")
        names = tagged
    return names


def _applicable(protocol: ForecastProtocol, names: list[str], *, explicit: bool) -> list[str]:
    """``names`` without the systems ``protocol`` does not apply to; systems named by the user
    that it does not apply to are refused before any work, with the reason."""
    import chaoszoo as cz

    why = {n: r for n in names if (r := protocol.excludes(cz.get(n)))}
    if why and explicit:
        by_reason: dict[str, list[str]] = {}
        for n, r in why.items():
            by_reason.setdefault(r, []).append(n)
        detail = "; ".join(f"{', '.join(ns)}: {r}" for r, ns in by_reason.items())
        raise InvalidArgumentError(f"The {protocol.name!r} protocol does not apply to {detail}. Leave them out.")
    kept = [n for n in names if n not in why]
    if not kept:
        raise InvalidArgumentError(f"The {protocol.name!r} protocol applies to none of the systems selected.")
    return kept


def plan(protocol, models, systems, *, ics=None, fast=False, params=None, keep_forecasts=False,
         attractor_metrics=True, variants=None) -> list[Job]:
    """Every job of a run, in a fixed order."""
    from chaoszoo.forecast.registry import get_spec

    from chaoszoo.forecast.registry import model_path

    protocol = get_protocol(protocol)
    if models is None or (not isinstance(models, str) and not models):
        raise InvalidArgumentError("Name at least one model (`chaoszoo forecast models` lists them).")
    models = [model_path(m) for m in ([models] if isinstance(models, type) else _listed(models, "models"))]
    if len(set(models)) != len(models):
        raise InvalidArgumentError(f"models names one model twice: {models}.")
    for m in models:
        if get_spec(m).family == "user":  # unknown names fail here; a user's class is checked once, now
            _check_user_model(m, fast, params)
    if params is not None and not isinstance(params, dict):
        raise InvalidArgumentError(f"params must be a dict of constructor arguments; got {params!r}.")
    if not isinstance(fast, bool):
        raise InvalidArgumentError(f"fast must be True or False; got {fast!r}.")
    n_ics = protocol.default_ics if ics is None else ics
    if isinstance(n_ics, bool) or not isinstance(n_ics, int) or not 1 <= n_ics <= protocol.max_ics:
        raise InvalidArgumentError(f"ics must be an integer from 1 to {protocol.max_ics} for {protocol.name!r}; got {ics!r}.")
    if isinstance(systems, str) or not isinstance(systems, (list, tuple)) or not systems:
        raise InvalidArgumentError(f"plan() needs a non-empty list of system names; got {systems!r}.")
    import chaoszoo as cz
    from chaoszoo.errors import UnknownSystemError

    known = set(cz.names())
    for name in systems:
        if name not in known:
            raise UnknownSystemError(str(name), known)
    chosen = protocol.variants
    if variants is not None:
        labels = {v.label: v for v in protocol.variants}
        wanted = _listed(variants, "variants")
        bad = [w for w in wanted if w not in labels]
        if bad:
            raise InvalidArgumentError(f"Unknown variant(s) {bad}; {protocol.name!r} has {', '.join(labels)}.")
        chosen = tuple(labels[w] for w in wanted)
    ptuple = tuple(sorted((params or {}).items()))
    return [Job(protocol, s, ic, v, m, fast, ptuple, keep_forecasts, attractor_metrics)
            for s in systems for ic in range(n_ics) for v in chosen for m in models]


def _check_user_model(name: str, fast: bool, params) -> None:
    """Make one instance of a user's model and check its interface before any job runs: a
    mistake (not a class, a constructor that refuses the arguments, no ``fit`` or ``predict``)
    is one error now instead of one failed row per job."""
    from chaoszoo.errors import ChaoszooError, ModelError
    from chaoszoo.forecast.registry import make

    try:
        make(name, fast=fast, **(params or {}))
    except ChaoszooError as err:
        raise type(err)(f"{err} (checked before the run; nothing was written)") if isinstance(
            err, (InvalidArgumentError, ModelError)) else err
    except Exception as err:  # noqa: BLE001 - the user's constructor raised
        raise ModelError(f"Making the model {name!r} raised {type(err).__name__}: {err} (checked before the run; "
                         "nothing was written).") from None


def _progress(total: int, enabled: bool, desc: str):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=desc, unit="job", disable=not enabled, dynamic_ncols=True, file=sys.stderr,
                smoothing=0.1)


# --- local worker pool ------------------------------------------------------------------------

def _worker_main(conn, single_thread: bool) -> None:
    try:
        from chaoszoo.workers import die_with_parent

        die_with_parent()
    except ImportError:  # pragma: no cover - older tree
        pass
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides what Ctrl-C does
    if single_thread:
        try:
            import torch

            torch.set_num_threads(1)
        except ImportError:
            pass
    # import what every job needs before saying ready, so a job's time limit counts the job only
    import chaoszoo.forecast.metrics  # noqa: F401
    import chaoszoo.forecast.registry  # noqa: F401
    import chaoszoo.forecast.tasks  # noqa: F401

    conn.send(("ready",))
    while True:
        try:
            item = conn.recv()
        except EOFError:
            return
        if item is None:
            return
        kind, payload = item
        if kind == "job":
            conn.send(execute(payload))
        else:  # ("data", (protocol, system))
            from chaoszoo.forecast.tasks import ensure_data

            try:
                ensure_data(*payload)
                conn.send(("ok", payload[1], None))
            except Exception as err:  # noqa: BLE001
                conn.send(("failed", payload[1], f"{type(err).__name__}: {err}"))


_THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "XLA_FLAGS")


class _Pool:
    """Worker processes that each run one item at a time and can be killed individually."""

    def __init__(self, n: int):
        self.ctx = multiprocessing.get_context("spawn")
        self.n = n
        self.workers: list[dict] = []
        for _ in range(n):
            self._spawn()

    def _spawn(self) -> dict:
        parent, child = self.ctx.Pipe()
        saved = {k: os.environ.get(k) for k in _THREAD_VARS}
        # one thread per worker, however many workers: the workers are the parallelism, and a row
        # must not depend on --jobs (BLAS sums in another order with more threads: a ridge fit of
        # KuramotoSivashinsky moved by 1.1e-9 relative between --jobs 2 and --jobs 1)
        for k in _THREAD_VARS[:3]:
            os.environ.setdefault(k, "1")
        os.environ.setdefault("XLA_FLAGS", WORKER_ENV["XLA_FLAGS"])
        try:
            p = self.ctx.Process(target=_worker_main, args=(child, True), daemon=True)
            p.start()
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
        child.close()
        w = {"proc": p, "conn": parent, "item": None, "started": 0.0, "ready": False}
        self.workers.append(w)
        return w

    def idle(self) -> list[dict]:
        return [w for w in self.workers if w["item"] is None and w["ready"]]

    def booting(self) -> list[dict]:
        return [w for w in self.workers if not w["ready"]]

    def submit(self, w: dict, item) -> None:
        w["item"], w["started"] = item, time.monotonic()
        w["conn"].send(item)

    def replace(self, w: dict) -> None:
        w["proc"].kill()
        w["proc"].join(5)
        w["conn"].close()
        self.workers.remove(w)
        self._spawn()

    def busy(self) -> list[dict]:
        return [w for w in self.workers if w["item"] is not None]

    def close(self, kill: bool = False) -> None:
        for w in self.workers:
            try:
                if kill:
                    w["proc"].kill()
                else:
                    w["conn"].send(None)
            except (OSError, ValueError):
                pass
        for w in self.workers:
            w["proc"].join(2 if not kill else 5)
            if w["proc"].is_alive():
                w["proc"].kill()
                w["proc"].join(5)
            w["conn"].close()
        self.workers = []


#: Worker processes that may die while starting, one after another, before a run gives up
#: (a worker that cannot import chaoszoo or the main module would otherwise be respawned for ever).
MAX_BOOT_FAILURES = 3


def _run_local(items, jobs, timeout, max_memory_mb, on_result, on_failure) -> None:
    """Run ``items`` (("job", Job) or ("data", ...)) on a pool; results go to the callbacks."""
    from chaoszoo.errors import ChaoszooError

    pool = _Pool(min(jobs, len(items)))
    queue = list(items)
    boot_failures = 0

    def boot_failed(w):
        nonlocal boot_failures
        boot_failures += 1
        w["proc"].join(2)
        code = w["proc"].exitcode
        if boot_failures >= MAX_BOOT_FAILURES:
            raise ChaoszooError(
                f"{boot_failures} worker processes died while starting (last exit code {code}); a worker must be "
                "able to import chaoszoo and the program that started the run. Run the program from a .py file "
                "(guarded by `if __name__ == \"__main__\":`), or pass jobs=0 (--jobs 0) to run in this process.")
        pool.replace(w)

    try:
        while queue or pool.busy():
            for w in pool.idle():
                if not queue:
                    break
                pool.submit(w, queue.pop(0))
            busy = pool.busy()
            booting = pool.booting()
            ready = wait_connections([w["conn"] for w in busy + booting], timeout=0.25)
            for w in booting:
                if w["conn"] in ready:
                    try:
                        w["conn"].recv()
                        w["ready"] = True
                        boot_failures = 0
                    except (EOFError, OSError):  # died while starting: start another, a few times
                        boot_failed(w)
                elif not w["proc"].is_alive():
                    boot_failed(w)
            now = time.monotonic()
            for w in list(busy):
                item = w["item"]
                if w["conn"] in ready:
                    try:
                        res = w["conn"].recv()
                    except (EOFError, OSError):
                        res = None
                    if res is not None:
                        w["item"] = None
                        on_result(item, res)
                        continue
                if not w["proc"].is_alive() or (w["conn"] in ready):
                    w["proc"].join(2)
                    code = w["proc"].exitcode
                    why = "killed by the system, probably out of memory" if code in (-9, 137) else f"exit code {code}"
                    on_failure(item, f"WorkerDied: the worker process died ({why})")
                    pool.replace(w)
                elif timeout and now - w["started"] > timeout:
                    on_failure(item, f"TimeoutError: exceeded the time limit of {timeout:g} s")
                    pool.replace(w)
                elif max_memory_mb and _rss_mb(w["proc"].pid) > max_memory_mb:
                    on_failure(item, f"MemoryError: exceeded the memory limit of {max_memory_mb:g} MB")
                    pool.replace(w)
    except BaseException:
        pool.close(kill=True)
        raise
    pool.close()


def _run_ray(items, timeout, address, on_result, on_failure) -> None:
    try:
        import ray
    except ImportError:
        from chaoszoo.errors import MissingExtraError

        raise MissingExtraError("The ray executor", "ray", "ray") from None
    started = not ray.is_initialized()
    if started:
        from chaoszoo.workers import check_ray_address

        check_ray_address(address)
        ray.init(address=address, include_dashboard=False, log_to_driver=False,
                 runtime_env={"env_vars": {"EQX_ON_ERROR": os.environ.get("EQX_ON_ERROR", "nan")}})
    try:
        task = ray.remote(num_cpus=1, max_retries=0)(_ray_item)
        pending = {task.remote(item): (item, time.monotonic()) for item in items}
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1, timeout=0.5)
            for ref in ready:
                item, _ = pending.pop(ref)
                try:
                    on_result(item, ray.get(ref))
                except ray.exceptions.RayError as err:
                    on_failure(item, f"RayError: {type(err).__name__}: {str(err)[:300]}")
            if timeout:
                now = time.monotonic()
                for ref, (item, t0) in list(pending.items()):
                    if now - t0 > timeout:
                        ray.cancel(ref, force=True)
                        pending.pop(ref)
                        on_failure(item, f"TimeoutError: exceeded the time limit of {timeout:g} s")
    finally:
        if started:
            ray.shutdown()


def _ray_item(item):
    kind, payload = item
    if kind == "job":
        return execute(payload)
    from chaoszoo.forecast.tasks import ensure_data

    try:
        ensure_data(*payload)
        return ("ok", payload[1], None)
    except Exception as err:  # noqa: BLE001
        return ("failed", payload[1], f"{type(err).__name__}: {err}")


#: Seconds a job may take by default before it is killed and recorded as failed (tuning
#: included). The slowest shipped jobs (long-horizon tree ensembles) take about 110 s; a job
#: that hangs (a model that never returns, a solver that spins) would otherwise stop a run.
DEFAULT_TIMEOUT = 1800.0


def run(protocol, models, *, systems=None, tag=None, ics=None, out, jobs: int | None = None,
        executor: str = "local", timeout: float | None = DEFAULT_TIMEOUT, max_memory_mb: float | None = None,
        fast: bool = False, params: dict | None = None, keep_forecasts: bool = False,
        attractor_metrics: bool = True, variants=None, retry_failed: bool = False, address: str | None = None,
        progress: bool = True) -> RunSummary:
    """Run a protocol for some models and systems, writing one row per job into ``out``.

    Arguments:
        protocol: a name from :data:`chaoszoo.forecast.protocols.PROTOCOLS` or a protocol value.
        models: registry names or ``"package.module:Class"`` paths (a list or a comma-separated string).
        systems, tag: which systems (default: every system of the catalog).
        ics: initial conditions per system (default: the protocol's; more give error bars).
        out: the results directory (created; an existing one of the same protocol is resumed).
        jobs: worker processes (default: the number of CPU cores; ``0``: in this process).
        executor: ``"local"`` or ``"ray"``.
        timeout: seconds a job may take (tuning included) before it is killed and recorded as
            failed; default :data:`DEFAULT_TIMEOUT`; ``0`` or ``None`` for no limit.
        max_memory_mb: resident memory a worker may reach before its job is killed and recorded as failed.
        fast: use each model's quick setting. params: constructor overrides for every model.
        keep_forecasts: store each forecast, so metrics can be recomputed without refitting.
        attractor_metrics: compute the attractor-level metrics (slower).
        variants: restrict to some variant labels (e.g. ``"uni-clean,uni-noisy"``).
        retry_failed: run again the jobs whose stored row failed.

    A stored row counts as done only if it was computed on the task's current data: a row whose
    data fingerprint differs from the task's (the data changed since: another engine, generator
    or catalog entry) is run again, and the summary says how many were.

    Hyperparameters are searched once per (system, variant, model): the jobs of initial
    condition 0 run first, and the other initial conditions reuse what their search chose.

    Returns:
        :class:`RunSummary`. Rows are read back with :func:`chaoszoo.forecast.load_results`.
    """
    t0, cpu0 = time.perf_counter(), _cpu_seconds()
    protocol = get_protocol(protocol)
    if executor not in EXECUTORS:
        raise InvalidArgumentError(f"executor must be one of {', '.join(EXECUTORS)}; got {executor!r}.")
    if executor == "ray":
        import importlib.util

        if importlib.util.find_spec("ray") is None:
            from chaoszoo.errors import MissingExtraError

            raise MissingExtraError("The ray executor", "ray", "ray")
        from chaoszoo.workers import check_ray_address

        check_ray_address(address)
    if jobs is None:
        jobs = os.cpu_count() or 1
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 0:
        raise InvalidArgumentError(f"jobs must be a non-negative integer; got {jobs!r}.")
    timeout = _limit(timeout, "timeout", "seconds")
    max_memory_mb = _limit(max_memory_mb, "max_memory_mb", "MB")
    if isinstance(out, bytes) or not isinstance(out, (str, os.PathLike)) or not str(out):
        raise InvalidArgumentError(f"out must be the path of a results directory; got {out!r}.")
    if address is not None and executor != "ray":
        raise InvalidArgumentError(f"address ({address!r}) is the Ray cluster's; it needs executor='ray' "
                                   "(--executor ray). Leave it out to run on this machine.")
    for name, v in (("keep_forecasts", keep_forecasts), ("attractor_metrics", attractor_metrics),
                    ("retry_failed", retry_failed), ("progress", progress)):
        if not isinstance(v, bool):
            raise InvalidArgumentError(f"{name} must be True or False; got {v!r}.")
    selected = select_systems(systems, tag)
    names = _applicable(protocol, selected, explicit=bool(systems))
    all_jobs = plan(protocol, models, names, ics=ics, fast=fast, params=params, keep_forecasts=keep_forecasts,
                    attractor_metrics=attractor_metrics, variants=variants)
    if executor == "local" and jobs > 0:
        _check_spawnable()
    from chaoszoo.forecast.store import DB

    created = not (Path(out).expanduser() / DB).exists()
    store = ResultsStore(out, protocol.settings())
    summary: dict = {}
    try:
        _run_into(store, protocol, all_jobs, jobs, executor, address, timeout, max_memory_mb, retry_failed, progress,
                  t0, cpu0, summary)
    except BaseException as err:
        if created and not isinstance(err, KeyboardInterrupt) and not store.done():
            store.remove()  # a run that failed before its first row leaves no empty store behind
        raise
    finally:
        store.close()
    return RunSummary(Path(out), len(all_jobs), len(all_jobs) - summary["todo"], summary["ok"], summary["failed"],
                      time.perf_counter() - t0, tuple(n for n in selected if n not in set(names)), summary["stale"])


def _run_into(store, protocol, all_jobs, jobs, executor, address, timeout, max_memory_mb, retry_failed, progress,
              t0, cpu0, summary: dict) -> None:
    """The body of :func:`run`: decide what to (re)do, then do it into ``store``; the counts go
    into ``summary``."""
    summary.update(todo=0, ok=0, failed=0, stale=0)
    counts = {"ok": 0, "failed": 0}
    data_failed = _ensure_data(protocol, sorted({j.system for j in all_jobs}), jobs, executor, address, progress)
    current = _fingerprints(protocol, all_jobs, data_failed)
    stored = store.fingerprints()
    specs = _model_fingerprints(all_jobs)
    todo, stale = [], 0
    for j in all_jobs:
        have = stored.get(j.job_id)
        if have is None:
            todo.append(j)
            continue
        status, sha, msha = have
        now = current.get((j.system, j.ic, j.variant.label))
        # a row without a fingerprint failed before its data existed (or predates fingerprints)
        other_data = now is not None and sha != now
        other_model = msha is not None and specs.get(j.model) not in (None, msha)
        if other_data or other_model:
            todo.append(j)
            stale += 1
        elif status != "ok" and retry_failed:
            todo.append(j)
    if todo:
        bar = _progress(len(todo), progress, f"chaoszoo forecast {protocol.name}")
        tuned = _TuningShare(protocol, store, current)

        def on_result(item, res):
            row, forecast = res
            store.put(row, forecast)
            tuned.saw(item[1], row)
            counts[row["status"]] += 1
            bar.set_postfix_str(f"{counts['failed']} failed", refresh=False)
            bar.update(1)

        def on_failure(item, reason):
            job = item[1]
            store.put(failed_row(job, reason, current.get((job.system, job.ic, job.variant.label))))
            counts["failed"] += 1
            bar.set_postfix_str(f"{counts['failed']} failed", refresh=False)
            bar.update(1)

        first, later = [], []
        for j in todo:
            if j.system in data_failed:
                on_failure(("job", j), f"DatasetError: {data_failed[j.system]}")
            else:
                (later if tuned.waits(j) else first).append(j)
        try:
            # SIGTERM (kill, timeout, batch schedulers; a run a shell started in the background
            # ignores SIGINT) stops the run as Ctrl-C does, so its wall time is recorded too
            with sigterm_raises():
                for wave in (first, later):
                    items = [("job", tuned.give(j)) for j in wave]
                    _dispatch(items, jobs, executor, timeout, max_memory_mb, address, on_result, on_failure)
        finally:
            bar.close()
            # interrupted runs count too; CPU: this process and its finished workers
            store.add_wall_seconds(time.perf_counter() - t0, _cpu_seconds() - cpu0)
            summary.update(todo=len(todo), ok=counts["ok"], failed=counts["failed"], stale=stale)
    summary.update(todo=len(todo), ok=counts["ok"], failed=counts["failed"], stale=stale)


def _cpu_seconds() -> float:
    """User + system CPU seconds of this process and of its children that have exited."""
    import resource

    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _limit(value, name: str, unit: str) -> float | None:
    """A positive limit, or ``None`` for none (``0`` or ``None``)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (value >= 0) or value != value:
        raise InvalidArgumentError(f"{name} must be a non-negative number of {unit} (0 for no limit); got {value!r}.")
    return float(value) or None


def _check_spawnable() -> None:
    """Worker processes are started with ``spawn``, which re-imports the main module: a script
    fed on standard input (``python - <<EOF``) has no file to import, and every worker would
    die at start. Refuse it before any work, with the ways out."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or getattr(main, "__spec__", None) is not None:
        return  # python -m module, or an interactive/embedded interpreter that spawn handles
    if path is None:
        return  # the interactive interpreter: spawn starts workers without re-importing __main__
    if str(path) in ("<stdin>", "<string>", "-") or not os.path.exists(path):
        raise InvalidArgumentError(
            "This program runs from standard input, so worker processes (started with "
            "'spawn') cannot re-import it. Save it to a .py file and run that (with the run guarded by "
            "`if __name__ == \"__main__\":`), or pass jobs=0 to run every job in this process.")


def _model_fingerprints(all_jobs) -> dict:
    """``{model: settings fingerprint}`` of the models of a run (:meth:`ModelSpec.fingerprint`)."""
    from chaoszoo.forecast.registry import get_spec

    return {m: get_spec(m).fingerprint() for m in sorted({j.model for j in all_jobs})}


def _fingerprints(protocol, all_jobs, data_failed) -> dict:
    """``{(system, ic, variant label): fingerprint}`` of the current data of every task of a run."""
    from chaoszoo.forecast.tasks import task_fingerprints

    wanted: dict = {}
    for j in all_jobs:
        if j.system not in data_failed:
            wanted.setdefault(j.system, (set(), {}))
            wanted[j.system][0].add(j.ic)
            wanted[j.system][1][j.variant.label] = j.variant
    out = {}
    for system, (ics, variants) in wanted.items():
        try:
            fps = task_fingerprints(protocol, system, max(ics) + 1, list(variants.values()))
        except DatasetError as err:  # its data failed to generate: its jobs fail with the reason
            data_failed[system] = str(err)
            continue
        out.update({(system, ic, label): fp for (ic, label), fp in fps.items()})
    return out


class _TuningShare:
    """The hyperparameters chosen by each (system, variant, model, setting)'s job of initial
    condition 0, handed to that group's other jobs so the search runs once per system (the
    values a job would find itself: same train trajectory, same seed)."""

    def __init__(self, protocol, store: ResultsStore, current: dict):
        from chaoszoo.forecast.registry import get_spec

        self._spec = get_spec
        self.tunes = protocol.tune
        self.chosen: dict = {}
        models: dict = {}
        for row in store.rows_where_ic(0) if protocol.tune else ():
            m = row.get("model")
            if m not in models:
                try:
                    models[m] = get_spec(m).fingerprint()
                except Exception:  # noqa: BLE001 - a model no longer importable: its rows are not reused
                    models[m] = None
            if (row.get("status") == "ok" and row.get("model_sha256") == models[m]
                    and row.get("data_sha256") == current.get((row.get("system"), 0, row.get("variant")))):
                self.chosen[self._key(row["system"], row["variant"], m, row["setting"])] = row.get("params")

    @staticmethod
    def _key(system, variant, model, setting):
        return (system, variant, model, setting)

    def _grid_keys(self, job) -> list:
        """The hyperparameters the search chooses for ``job`` (its grid's, less those it fixes)."""
        try:
            return sorted(k for k in self._spec(job.model).grid if k not in dict(job.params))
        except Exception:  # noqa: BLE001 - an unknown model fails in its own job
            return []

    def waits(self, job) -> bool:
        """Whether ``job`` should run after its group's job of initial condition 0."""
        return self.tunes and job.ic > 0 and bool(self._grid_keys(job))

    def saw(self, job, row: dict) -> None:
        if job.ic == 0:
            key = self._key(job.system, job.variant.label, job.model, job.setting)
            if row.get("status") == "ok":
                self.chosen[key] = row.get("params")
            else:
                self.chosen.pop(key, None)  # the later jobs search themselves

    def give(self, job):
        """``job`` with its group's chosen hyperparameters, when known."""
        import dataclasses

        if not self.waits(job):
            return job
        params = self.chosen.get(self._key(job.system, job.variant.label, job.model, job.setting))
        if not isinstance(params, dict):
            return job  # the search failed or has not run: the job searches itself
        keys = self._grid_keys(job)
        if not all(k in params for k in keys):
            return job
        return dataclasses.replace(job, tuned=tuple(sorted((k, params[k]) for k in keys)))


def _dispatch(items, jobs, executor, timeout, max_memory_mb, address, on_result, on_failure) -> None:
    if not items:
        return
    if executor == "ray":
        _run_ray(items, timeout, address, on_result, on_failure)
    elif jobs == 0:
        for item in items:
            on_result(item, _ray_item(item))
    else:
        _run_local(items, jobs, timeout, max_memory_mb, on_result, on_failure)


def _ensure_data(protocol: ForecastProtocol, systems, jobs, executor, address, progress) -> dict:
    """Build the protocol's data for ``systems`` (cached); returns ``{system: error}`` of failures."""
    from chaoszoo.data import storage
    from chaoszoo.forecast.tasks import system_dir

    missing, failed = [], {}
    for s in systems:
        root = system_dir(protocol, s)
        if not (root / storage.MANIFEST).is_file():
            missing.append(s)
            continue
        try:  # built before: its generation may have failed (recorded in its manifest)
            rec = storage.read_manifest(root).get("failed", {}).get(s)
        except Exception:  # noqa: BLE001 - a damaged manifest: build again (the builder checks it)
            missing.append(s)
            continue
        if rec is not None:
            why = rec.get("failed") or rec.get("error") or "unknown reason" if isinstance(rec, dict) else rec
            failed[s] = f"No {protocol.preset.name} data for {s!r}: generation failed ({why})."
    if not missing:
        return failed
    bar = _progress(len(missing), progress, f"data for {protocol.name}")

    def on_result(item, res):
        status, system, err = res
        if status != "ok":
            failed[system] = err
        bar.update(1)

    def on_failure(item, reason):
        failed[item[1][1]] = reason
        bar.update(1)

    try:
        _dispatch([("data", (protocol, s)) for s in missing], jobs, executor, None, None, address, on_result, on_failure)
    finally:
        bar.close()
    return failed
