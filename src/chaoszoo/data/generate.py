"""Generation of one system's trajectories for a preset (pure computation, no files).

Steps for one system:

1. **Initial conditions on the attractor, each on an orbit of its own.** One trajectory per
   parameter set is integrated from the catalog's initial condition for ``transient_periods``
   periods (discarded), then for ``2 * n_ics * ic_spacing_periods`` more periods (the pool).
   The pool is cut into ``2 * n_ics`` equal blocks and one sample is drawn at random from each
   (a generator seeded by :func:`chaoszoo.engine.derived_seed` from the system name, the
   preset seed and the parameter-set index), so the starting points are spread along the
   attractor. A seeded permutation sends half of them to the training split and half to the
   testing split. Points of one orbit would make the trajectories stretches of that orbit,
   a training trajectory holding part of a test target; so each starting point is perturbed
   (Gaussian, ``1e-2`` times each variable's robust spread, seeded) and integrated for
   ``decorrelation_times`` Lyapunov times (:func:`decorrelation_span`), and the end of that
   run is the initial condition. A perturbation of ``1e-2`` grows to the attractor's size in
   about ``ln(100) = 4.6`` Lyapunov times, so after 10 the orbits are unrelated. (For flows
   and maps the pool and decorrelation runs have the shape of the later grid call, so JAX
   compiles the solver once per system.)
2. **Trajectories.** All members (both splits, every parameter set) are integrated in
   one vectorised :meth:`System.ensemble` call per setting: one clean and one noisy call
   for the fine and coarse grids together (sampled at ``lcm(fine_pts, coarse_pts)``
   points per period and thinned, so both granularities are the same solution), and one
   call for the Lyapunov-time grid (clean; noisy too with ``lyapunov_noisy``).
3. **Univariate view**: the documented observable, the first variable unless the
   declaration names another in ``extra["observable"]``.

Parameter perturbations (``n_param_sets > 1``) are drawn by :func:`sample_params`, which
rejects candidates whose integration blows up (:class:`IntegrationError`) or whose two
nearby trajectories stop separating (separation rate ``<= 0``, i.e. no longer chaotic).
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass, field

import numpy as np

from chaoszoo.data.presets import Preset
from chaoszoo.engine import derived_seed
from chaoszoo.errors import IntegrationError, InvalidArgumentError


@dataclass
class Block:
    """Trajectories of one setting: ``values (k, n, d)`` plus per-member labels."""

    split: list[str]
    ic_index: np.ndarray
    param_index: np.ndarray
    params: list[str]           # JSON text per member
    granularity: str
    noisy: bool
    noise: float
    univariate: bool
    variables: tuple[str, ...]
    dt: float
    pts_per_period: float
    values: np.ndarray


@dataclass
class SystemResult:
    """Everything generated for one system, plus facts for the manifest."""

    name: str
    blocks: list[Block] = field(default_factory=list)
    info: dict = field(default_factory=dict)
    skipped: dict = field(default_factory=dict)


def observable_index(system) -> int:
    """Index of the univariate observable: ``extra["observable"]`` (a name or an index) or 0."""
    obs = system.declaration.extra.get("observable", 0)
    if isinstance(obs, str):
        if obs not in system.variables:
            raise InvalidArgumentError(
                f"{system.name}: extra['observable'] = {obs!r} is not one of its variables {system.variables}.")
        return system.variables.index(obs)
    if isinstance(obs, (int, np.integer)) and 0 <= obs < system.dimension:
        return int(obs)
    raise InvalidArgumentError(f"{system.name}: extra['observable'] must be a variable name or index; got {obs!r}.")


def lyapunov_time(system) -> float | None:
    """The catalog's Lyapunov time of ``system`` (``None`` when it has none)."""
    v = getattr(system, "lyapunov_time", None)
    try:
        v = float(v)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) and v > 0 else None


def params_json(params: dict) -> str:
    """Canonical JSON text of a parameter mapping (sorted keys, shortest round-trip floats)."""
    return json.dumps({k: float(params[k]) for k in sorted(params)}, sort_keys=True, separators=(",", ":"))


# --- what the generated values depend on ------------------------------------------------
#: The code that determines generated values, besides each system's declaration (hashed per
#: system by :func:`chaoszoo.data.storage.system_hash`): the engine, the system API, this
#: module, the declaration machinery and its operator tables.
GENERATOR_SOURCES = ("engine/*.py", "system.py", "data/generate.py", "catalog/declaration.py", "catalog/ops.py")
#: Libraries whose versions can change the generated numbers (XLA's rounding, NumPy's RNG).
GENERATOR_LIBRARIES = ("numpy", "jax", "jaxlib", "diffrax", "equinox")


@functools.lru_cache(maxsize=1)
def generator_fingerprint() -> str:
    """SHA-256 of the generator: the source of :data:`GENERATOR_SOURCES` and the versions of
    :data:`GENERATOR_LIBRARIES`.

    It is part of every build's fingerprint and of the forecasting data's cache key, so a change
    to the engine or to the generation code gives new data instead of a stale cache. It is
    deliberately coarse (a comment changes it too): what it costs is one regeneration of the
    cache, while the rows of a results table are tied to the exact values by each task's own
    fingerprint (:func:`chaoszoo.forecast.tasks.task_fingerprint`), which changes only when the
    numbers do.
    """
    import hashlib
    import importlib.metadata as md
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for pattern in GENERATOR_SOURCES:
        for f in sorted(root.glob(pattern)):
            h.update(f.relative_to(root).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    for lib in GENERATOR_LIBRARIES:
        try:
            version = md.version(lib)
        except md.PackageNotFoundError:
            version = "-"
        h.update(f"{lib}={version}\n".encode())
    return h.hexdigest()


# --- initial conditions ---------------------------------------------------------------
def _pool_layout(system, preset: Preset) -> tuple[int, int, int, float | None]:
    """``(transient, n_pool, block, pts)`` in samples for the attractor run."""
    blocks = 2 * preset.n_ics
    if system.kind == "map":
        per = max(1.0, system.period)
        transient = max(100, round(preset.transient_periods * per))
        block = max(10, round(preset.ic_spacing_periods * per))
        return transient, blocks * block, block, None
    transient = round(preset.transient_periods * preset.pool_pts)
    block = max(2, round(preset.ic_spacing_periods * preset.pool_pts))
    return transient, blocks * block, block, preset.pool_pts


def _pool_kwargs(system, pts):
    return {} if system.kind == "map" else {"pts_per_period": pts}


def attractor_ics(system, preset: Preset, pool: np.ndarray, tag: int) -> tuple[np.ndarray, np.ndarray]:
    """Pick ``n_ics`` training and ``n_ics`` testing initial conditions from a pool run.

    The pool (post-transient samples of one trajectory) is cut into ``2 * n_ics`` equal
    blocks; one sample is drawn from each, and a permutation sends half to each split.
    Returns ``(train (n_ics, d), test (n_ics, d))``.
    """
    rng = np.random.default_rng(derived_seed(system.name, "dataset-ics", preset.seed, tag))
    m = 2 * preset.n_ics
    edges = np.linspace(0, len(pool), m + 1).astype(np.int64)
    picks = rng.integers(edges[:-1], np.maximum(edges[1:], edges[:-1] + 1))
    order = rng.permutation(m)
    chosen = pool[picks[order]]
    return chosen[: preset.n_ics], chosen[preset.n_ics:]


def attractor_pools(system, preset: Preset, param_sets: list[dict], k_grid: int, n_grid: int) -> np.ndarray:
    """Post-transient samples ``(n_sets, m, d)`` of one trajectory per parameter set.

    Each trajectory starts at the catalog's initial condition, runs ``transient_periods``
    periods (discarded) and then ``2 * n_ics * ic_spacing_periods`` periods (the pool).
    For flows and maps the run is shaped like the later grid call (``k_grid`` members,
    ``n_grid`` samples rounded up as the engine pads them), so the compiled solver is
    shared and each system compiles once; the members beyond the parameter sets repeat
    them and are discarded. Delay systems (whose compiled solver depends on the time
    span anyway) run one member per parameter set.
    """
    from chaoszoo.engine.flows import bucket

    n_sets = len(param_sets)
    transient, n_pool, _, pts = _pool_layout(system, preset)
    common = dict(rtol=preset.rtol, atol=preset.atol)
    if system.kind == "delay":
        starts = np.repeat(system.ic[None, :], n_sets, axis=0)
        return system.ensemble(n_pool, ics=starts, params=param_sets, transient=transient,
                               pts_per_period=pts, **common)
    n = bucket(n_grid)
    members = [param_sets[i % n_sets] for i in range(k_grid)]
    starts = np.repeat(system.ic[None, :], k_grid, axis=0)
    if system.kind == "map":
        if n < transient + n_pool:
            n = transient + n_pool
        ys = system.ensemble(n, ics=starts, params=members, **common)
        return ys[:n_sets, transient:]
    span_tr = preset.transient_periods * system.period
    span = span_tr + 2 * preset.n_ics * preset.ic_spacing_periods * system.period
    if n * (1 - span_tr / span) < 4 * preset.n_ics:  # too few samples in the shared shape
        n = transient + n_pool
    dt = span / (n - 1)
    ys = system.ensemble(n, ics=starts, params=members, dt=dt, **common)
    first = int(math.ceil(span_tr / dt - 1e-9))
    return ys[:n_sets, first:]


def attractor_scales(system, pool: np.ndarray) -> np.ndarray:
    """Robust per-variable spread on the attractor: interquartile range / 1.349, shape ``(d,)``.

    The interquartile range divided by 1.349 equals the standard deviation for a Gaussian
    variable but ignores rare excursions: Rossler's ``z`` sits within 0.2 of zero three
    quarters of the time and spikes to about 20 (std 2.8, IQR/1.349 0.13), so noise scaled by
    its std pushes ``z`` below zero, where the flow diverges, while noise scaled by its IQR
    does not. Variables listed in ``extra["unbounded_indices"]`` (drifting phases, whose
    spread only grows with the run length) get the root-mean-square of the others' scales.
    """
    flat = pool.reshape(-1, pool.shape[-1])
    q25, q75 = np.percentile(flat, [25.0, 75.0], axis=0)
    scales = (q75 - q25) / 1.349
    skip = set(system.declaration.extra.get("unbounded_indices", ()))
    keep = [i for i in range(flat.shape[-1]) if i not in skip]
    if skip and keep:
        rms = float(np.sqrt(np.mean(scales[keep] ** 2)))
        scales[[i for i in skip if i < len(scales)]] = rms
    return scales


def attractor_scale(system, pool: np.ndarray) -> float:
    """Root-mean-square over the variables of :func:`attractor_scales` (one summary number)."""
    return float(np.sqrt(np.mean(attractor_scales(system, pool) ** 2)))


#: Relative size of the perturbation that starts each initial condition's own orbit (times
#: each variable's robust spread, :func:`attractor_scales`).
IC_PERTURBATION = 1e-2
#: Bounds of the decorrelation run in periods (iterations times the period for maps): at
#: least 2 periods, so that even a non-chaotic system's starts move on; at most 100, so a
#: weakly chaotic system (Lyapunov time of hundreds of periods) costs what one of its
#: trajectories costs. Such a system's orbits separate less than the others' (recorded in
#: the manifest as ``ic_decorrelation``).
DECORRELATION_PERIODS = (2.0, 100.0)


def decorrelation_span(system, preset: Preset) -> float:
    """How long each initial condition is integrated from its perturbed starting point: time
    units for flows and delay equations, iterations for maps; ``0`` when the preset keeps the
    starting points (``decorrelation_times = 0``).

    ``decorrelation_times`` Lyapunov times, bounded to :data:`DECORRELATION_PERIODS` periods;
    a system without a Lyapunov time (not chaotic) gets the lower bound.
    """
    if preset.decorrelation_times == 0:
        return 0.0
    per = max(1.0, system.period) if system.kind == "map" else system.period
    lo, hi = DECORRELATION_PERIODS[0] * per, DECORRELATION_PERIODS[1] * per
    tau = lyapunov_time(system)
    span = lo if tau is None else min(hi, max(lo, preset.decorrelation_times * tau))
    return float(max(1.0, round(span))) if system.kind == "map" else float(span)


#: Sizes of the perturbation tried in turn (times :data:`IC_PERTURBATION`) when a member's run
#: blows up: a start pushed out of its basin is retried closer to the orbit it came from.
PERTURBATION_FACTORS = (1.0, 1e-2, 1e-4)


def decorrelated_ics(system, preset: Preset, starts: np.ndarray, member_params: list[dict], scales: np.ndarray,
                     n_grid: int, factor: float = 1.0) -> tuple[np.ndarray, dict]:
    """Initial conditions on orbits of their own: each starting point perturbed (Gaussian, seeded)
    by ``factor`` times :data:`IC_PERTURBATION` times, per variable, the smaller of its robust
    spread (``scales``) and its own magnitude (so that a positive variable, a population or a
    concentration, stays positive), then integrated for :func:`decorrelation_span`. Returns
    ``(ics (k, d), facts for the manifest)``; raises :class:`IntegrationError` if a member blows up.
    """
    span = decorrelation_span(system, preset)
    if span == 0:
        return starts, {}
    rng = np.random.default_rng(derived_seed(system.name, "dataset-ic-perturbation", preset.seed))
    size = np.minimum(np.asarray(scales, dtype=np.float64)[None, :], np.abs(starts))
    x0 = starts + factor * IC_PERTURBATION * size * rng.standard_normal(starts.shape)
    common = dict(params=member_params, rtol=preset.rtol, atol=preset.atol)
    if system.kind == "map":
        ys = system.ensemble(int(span) + 1, ics=x0, **common)
    elif system.kind == "delay":
        ys = system.ensemble(2, ics=x0, t_end=span, **common)
    else:  # shaped like the grid call, so the compiled solver is shared
        from chaoszoo.engine.flows import bucket

        n = bucket(n_grid)
        ys = system.ensemble(n, ics=x0, dt=span / (n - 1), **common)
    tau = lyapunov_time(system)
    return np.ascontiguousarray(ys[:, -1]), {"span": span, "perturbation": IC_PERTURBATION * factor,
                                             "lyapunov_times": span / tau if tau else None}


# --- parameter sampler ----------------------------------------------------------------
def separation_rate(a: np.ndarray, b: np.ndarray, t: np.ndarray, size: float) -> float:
    """Exponential separation rate of two trajectories: slope of ``log |a - b|`` over time.

    The fit stops where the distance first exceeds ``0.1 * size`` (saturation on the
    attractor). A positive rate means nearby trajectories diverge (chaos); a rate ``<= 0``
    means they stay together or converge (a fixed point, a limit cycle, a torus).
    """
    d = np.linalg.norm(a - b, axis=-1)
    d = np.maximum(d, 1e-300)
    over = np.nonzero(d > 0.1 * size)[0]
    stop = max(int(over[0]) if len(over) else len(d), 3)
    slope = np.polyfit(t[:stop], np.log(d[:stop]), 1)[0]
    return float(slope) if np.isfinite(slope) else -math.inf


def _perturbable(system) -> list[str]:
    decl = system.declaration
    return [k for k in system.params if k not in decl.integer_params and k != decl.delay]


def sample_params(system, preset: Preset) -> tuple[list[dict], dict]:
    """Parameter sets for ``system``: the catalog values plus ``n_param_sets - 1`` accepted draws.

    A candidate multiplies every non-integer, non-delay parameter by ``1 + param_scale * u``
    with ``u ~ U(-1, 1)`` (seeded from the system name and preset seed). It is rejected when
    the integration blows up (:class:`IntegrationError`) or when the separation rate of two
    trajectories started ``1e-8`` apart on the attractor is ``<= 0``.

    Returns ``(param sets, report)`` where the report counts draws and rejections.
    Raises :class:`IntegrationError` if too few candidates are accepted within ``max_param_draws``.
    """
    base = system.params
    wanted = preset.n_param_sets - 1
    report = {"drawn": 0, "rejected_blowup": 0, "rejected_not_chaotic": 0}
    if wanted == 0:
        return [base], report
    rng = np.random.default_rng(derived_seed(system.name, "dataset-params", preset.seed))
    names = _perturbable(system)
    accepted: list[dict] = []
    transient, _, _, pts = _pool_layout(system, preset)
    kw = _pool_kwargs(system, pts)
    n_check = (max(200, round(preset.param_check_periods * system.period)) if system.kind == "map"
               else round(preset.param_check_periods * preset.pool_pts))
    while len(accepted) < wanted and report["drawn"] < preset.max_param_draws:
        batch = min(wanted - len(accepted), preset.max_param_draws - report["drawn"])
        u = rng.uniform(-1.0, 1.0, size=(batch, len(names)))
        cands = [{**base, **{k: float(base[k] * (1 + preset.param_scale * u[i, j])) for j, k in enumerate(names)}}
                 for i in range(batch)]
        report["drawn"] += batch
        # 1. transient to the (perturbed) attractor; blow-ups are rejected
        ends, alive = _transient_ends(system, cands, transient, kw, preset)
        report["rejected_blowup"] += batch - len(alive)
        if not alive:
            continue
        # 2. two nearby trajectories from there: positive separation rate required
        size = np.array([max(1e-12, np.abs(ends[i]).max()) for i in alive])
        x0 = np.stack([ends[i] for i in alive])
        d0 = 1e-8 * (1.0 + size)[:, None] / math.sqrt(system.dimension)
        pairs = np.concatenate([x0, x0 + d0])
        P = [cands[i] for i in alive] * 2
        try:
            ys = system.ensemble(n_check, ics=pairs, params=P, rtol=preset.rtol, atol=preset.atol, **kw)
        except IntegrationError:
            report["rejected_blowup"] += len(alive)
            continue
        m = len(alive)
        t = np.arange(n_check) * (1.0 if system.kind == "map" else system.period / preset.pool_pts)
        for j, i in enumerate(alive):
            a, b = ys[j], ys[m + j]
            span = float(np.ptp(a, axis=0).max())
            if span > 0 and separation_rate(a, b, t, span) > 0:
                accepted.append(cands[i])
            else:
                report["rejected_not_chaotic"] += 1
    if len(accepted) < wanted:
        raise IntegrationError(
            system.name, None, base,
            f"only {len(accepted)} of {wanted} parameter perturbations were accepted in "
            f"{report['drawn']} draws (rejections: {report['rejected_blowup']} blow-ups, "
            f"{report['rejected_not_chaotic']} not chaotic); lower param_scale or raise max_param_draws")
    return [base] + accepted[:wanted], report


def _transient_ends(system, cands, transient, kw, preset):
    """Final states after the transient for each candidate; members that blow up are dropped."""
    k = len(cands)
    ics = np.repeat(system.ic[None, :], k, axis=0)
    try:
        ys = system.ensemble(transient + 1, ics=ics, params=cands, rtol=preset.rtol, atol=preset.atol, **kw)
        return {i: ys[i, -1] for i in range(k)}, list(range(k))
    except IntegrationError:
        pass
    ends = {}
    for i, c in enumerate(cands):  # find the culprits one by one (rare)
        try:
            ends[i] = system.ensemble(transient + 1, ics=system.ic[None, :], params=[c], rtol=preset.rtol,
                                      atol=preset.atol, **kw)[0, -1]
        except IntegrationError:
            pass
    return ends, sorted(ends)


# --- trajectories ---------------------------------------------------------------------
def generate_system(system, preset: Preset) -> SystemResult:
    """Generate every trajectory of ``system`` under ``preset``.

    Raises:
        IntegrationError: the clean trajectories (or the attractor run) could not be computed.
        A failure of only the noisy variant is recorded in ``result.skipped`` instead.
    """
    res = SystemResult(system.name)
    obs = observable_index(system)
    param_sets, report = sample_params(system, preset)
    if preset.n_param_sets > 1:
        res.info["param_sampler"] = report

    # initial conditions: one attractor run per parameter set (vectorised over the sets)
    k_grid = len(param_sets) * len(preset.splits) * preset.n_ics
    pools = attractor_pools(system, preset, param_sets, k_grid, _grid_total(system, preset))
    scales = attractor_scales(system, pools[0])
    scale = float(np.sqrt(np.mean(scales ** 2)))
    ics, split, ic_index, param_index, pjson = [], [], [], [], []
    for j, ps in enumerate(param_sets):
        train, test = attractor_ics(system, preset, pools[j], j)
        for name, arr in (("train", train), ("test", test)):
            if name not in preset.splits:
                continue
            ics.append(arr)
            split += [name] * len(arr)
            ic_index.append(np.arange(len(arr)))
            param_index.append(np.full(len(arr), j))
            pjson += [params_json(ps)] * len(arr)
    member_params = [param_sets[j] for j in np.concatenate(param_index)]
    starts = np.concatenate(ics)
    labels = dict(split=split, ic_index=np.concatenate(ic_index).astype(np.int32),
                  param_index=np.concatenate(param_index).astype(np.int32), params=pjson)
    # per-variable amplitudes sigma_i = level * scale_i / sqrt(T); the rows' `noise` column holds
    # their root-mean-square (the observable's own amplitude in the univariate view)
    sigmas = preset.noise_level * scales / math.sqrt(system.period) if preset.noise_level > 0 else np.zeros_like(scales)
    noise = float(np.sqrt(np.mean(sigmas ** 2)))
    res.info.update(observable=system.variables[obs], noise_amplitude=noise,
                    noise_amplitudes=[float(v) for v in sigmas], attractor_scale=scale,
                    n_param_sets=len(param_sets))

    variants = [False] + ([True] if noise > 0 else [])
    # each initial condition on an orbit of its own; a perturbed start whose run blows up (pushed
    # out of its basin) is retried closer to the orbit it came from
    for factor in PERTURBATION_FACTORS:
        try:
            ics, decorrelation = decorrelated_ics(system, preset, starts, member_params, scales,
                                                  _grid_total(system, preset), factor)
            clean_blocks = _grid_blocks(system, preset, ics, member_params, labels, False, sigmas, obs)
            break
        except IntegrationError:
            if factor == PERTURBATION_FACTORS[-1] or not preset.decorrelation_times:
                raise
    if decorrelation:
        res.info["ic_decorrelation"] = decorrelation
    res.blocks += clean_blocks
    if noise > 0:
        # A system that still leaves its attractor under the robust per-variable noise (a
        # population map pushed below zero, a flow kicked out of its basin) gets the largest of
        # 1, 1/2, 1/4, 1/8 times that noise with which every member stays bounded; the factor
        # used is recorded (manifest: noise_factor, noise_amplitudes; rows: noise)
        last = None
        for factor in NOISE_FACTORS:
            try:
                blocks = _grid_blocks(system, preset, ics, member_params, labels, True, sigmas * factor, obs)
            except IntegrationError as err:
                last = err
                continue
            res.blocks += blocks
            sigmas = sigmas * factor
            res.info.update(noise_factor=factor, noise_amplitude=float(np.sqrt(np.mean(sigmas ** 2))),
                            noise_amplitudes=[float(v) for v in sigmas])
            noise = res.info["noise_amplitude"]
            break
        else:
            # No dynamical noise keeps every member bounded (a population map or a basin with an
            # escape route near the attractor: Henon, Logistic, several Sprott flows). The noisy
            # variant is then the clean trajectories plus measurement noise of the preset's level
            # (sd = level x each variable's robust spread), so no variant is left out; the
            # manifest says which kind each system got (noise_kind) and why.
            sigmas = preset.noise_level * scales
            res.blocks += _observation_noise(system, preset, [b for b in res.blocks if not b.noisy], sigmas, obs)
            res.info.update(noise_kind="observation", noise_factor=None,
                            noise_amplitude=float(np.sqrt(np.mean(sigmas ** 2))),
                            noise_amplitudes=[float(v) for v in sigmas],
                            noise_fallback=(f"dynamical noise failed even at {NOISE_FACTORS[-1]:g} times the "
                                            f"preset's level: {last}"))
            noise = res.info["noise_amplitude"]
    # Lyapunov-time grid
    if preset.lyapunov:
        tau = lyapunov_time(system)
        if system.kind == "map":
            res.skipped["lyapunov"] = "maps are sampled once per iteration; a Lyapunov-time grid does not apply"
        elif tau is None:
            res.skipped["lyapunov"] = "the catalog has no Lyapunov time for this system"
        else:
            res.info["lyapunov_time"] = tau
            n = max(2, round(preset.lyapunov_times * preset.lyapunov_pts))
            dt = tau / preset.lyapunov_pts
            clean_lyapunov = []
            for noisy in variants[: 2 if preset.lyapunov_noisy else 1]:
                if noisy and "noisy" in res.skipped:
                    continue
                if noisy and res.info.get("noise_kind") == "observation":
                    res.blocks += _observation_noise(system, preset, clean_lyapunov, sigmas, obs)
                    continue
                try:
                    ys = system.ensemble(n, ics=ics, params=member_params, dt=dt, noise=sigmas if noisy else 0.0,
                                         seed=derived_seed(system.name, "dataset-noise-lyapunov", preset.seed),
                                         rtol=preset.rtol, atol=preset.atol)
                except IntegrationError as err:
                    if noisy:
                        res.skipped["lyapunov-noisy"] = f"integration with dynamical noise failed: {err}"
                        continue
                    res.skipped["lyapunov"] = f"integration on the Lyapunov grid failed: {err}"
                    break
                views = _views(system, preset, labels, "lyapunov", noisy, sigmas, dt, ys, obs)
                res.blocks += views
                if not noisy:
                    clean_lyapunov = views
    return res


def _observation_noise(system, preset, clean: list[Block], sigmas, obs) -> list[Block]:
    """Noisy copies of ``clean`` blocks: Gaussian measurement noise of sd ``sigmas[i]`` added to
    each variable (seeded from the system's name and the granularity). A univariate view gets
    the observable's column of its multivariate view's noisy values, as with dynamical noise."""
    import dataclasses

    sigmas = np.asarray(sigmas, dtype=np.float64)

    def noisy(b, scale):
        rng = np.random.default_rng(derived_seed(system.name, "dataset-observation-noise", b.granularity, preset.seed))
        return b.values + rng.standard_normal(b.values.shape) * scale

    out, noisy_multi = [], {}
    for b in sorted(clean, key=lambda b: b.univariate):  # multivariate views first
        if not b.univariate:
            values = noisy_multi[b.granularity] = noisy(b, sigmas)
            noise = float(np.sqrt(np.mean(sigmas ** 2)))
        else:
            full = noisy_multi.get(b.granularity)  # None: a preset without multivariate views
            values = noisy(b, sigmas[obs]) if full is None else np.ascontiguousarray(full[:, :, obs: obs + 1])
            noise = float(sigmas[obs])
        out.append(dataclasses.replace(b, noisy=True, noise=noise, values=values))
    return out


#: Fractions of the preset's noise tried in turn for a system whose noisy run blows up.
NOISE_FACTORS = (1.0, 0.5, 0.25, 0.125)


def _grid_groups(system, preset) -> list[tuple[int | None, dict, dict, int]]:
    """Sampling plan of the fine/coarse grids: ``(pts, strides, samples, total)`` per call."""
    wanted = {g: {"fine": preset.fine_pts, "coarse": preset.coarse_pts}[g] for g in preset.granularities}
    if system.kind == "map":
        n = {g: max(2, round(preset.periods * p)) for g, p in wanted.items()}
        return [(None, {g: 1 for g in wanted}, n, max(n.values()))]
    base = math.lcm(*wanted.values())
    if base > 6 * max(wanted.values()):  # incommensurate densities: one call per granularity
        groups = [(p, {g: 1}) for g, p in wanted.items()]
    else:
        groups = [(base, {g: base // p for g, p in wanted.items()})]
    out = []
    for pts, strides in groups:
        n = {g: max(2, round(preset.periods * (pts // s))) for g, s in strides.items()}
        out.append((pts, strides, n, max((n[g] - 1) * s + 1 for g, s in strides.items())))
    return out


def _grid_total(system, preset) -> int:
    return _grid_groups(system, preset)[0][3]


def _grid_blocks(system, preset, ics, member_params, labels, noisy, sigmas, obs) -> list[Block]:
    """Fine and coarse blocks from one ensemble call (thinned from a common grid).

    ``sigmas``: the per-variable noise amplitudes (used when ``noisy``)."""
    seed = derived_seed(system.name, "dataset-noise", preset.seed)
    common = dict(ics=ics, params=member_params, noise=sigmas if noisy else 0.0, seed=seed,
                  rtol=preset.rtol, atol=preset.atol)
    out = []
    for pts, strides, n, total in _grid_groups(system, preset):
        kw = {} if pts is None else {"pts_per_period": pts}
        ys = system.ensemble(total, **common, **kw)
        for g, stride in strides.items():
            dt = 1.0 if pts is None else system.period / (pts // stride)
            out += _views(system, preset, labels, g, noisy, sigmas, dt, ys[:, : (n[g] - 1) * stride + 1: stride], obs)
    return out


def _views(system, preset, labels, granularity, noisy, sigmas, dt, ys, obs) -> list[Block]:
    kinds = [False] + ([True] if preset.univariate else [])
    out = []
    sigmas = np.asarray(sigmas, dtype=np.float64)
    for uni in kinds:
        # the row's `noise`: the observable's amplitude, or the rms over the stored variables
        noise = float(sigmas[obs]) if uni else float(np.sqrt(np.mean(sigmas ** 2)))
        values = np.ascontiguousarray(ys[:, :, obs: obs + 1] if uni else ys)
        variables = (system.variables[obs],) if uni else tuple(system.variables)
        out.append(Block(split=labels["split"], ic_index=labels["ic_index"], param_index=labels["param_index"],
                         params=labels["params"], granularity=granularity, noisy=noisy,
                         noise=noise if noisy else 0.0, univariate=uni, variables=variables, dt=float(dt),
                         pts_per_period=float(system.period / dt), values=values))
    return out
