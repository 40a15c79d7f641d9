"""Generated systems per CPU-second: chaoszoo's generator and validator against dysts 0.96's, side by side.

Same driver-response pairs, same number of candidates per pair, same trajectory length, one process:

* **dysts 0.96** (``dysts.generator.DynSysSampler`` with ``dysts.base.SkewProduct`` and
  ``dysts.coupling.RandomAdditiveCouplingMap``): the setting of the Panda study (Lai, Bao & Gilpin
  2025; its ``config/dysts.yaml``): 4,096 points over 40 periods, ``rtol = 1e-9``, ``atol = 1e-10``,
  dysts's default integrator, parameter perturbations ``SignedGaussianParamSampler(scale=0.5,
  sign_match_probability=0.5)``, the coupling scaled by the inverse root-mean-square of each
  flow's vector field on a reference trajectory (4,096 points, 40 periods, ``rtol = 1e-6``,
  ``atol = 1e-7``), the attractor tests of that configuration (``check_not_linear``,
  ``check_boundedness``, ``check_not_fixed_point``, ``check_zero_one_test``,
  ``check_power_spectrum``, ``check_stationarity``, dysts's default thresholds) with its 5 %
  transient, and the instability (1e4) and step-size (1e-10) events. The sampler validates the
  unperturbed system and ``candidates - 1`` perturbations of each pair, in this process
  (``use_multiprocessing=False``).
* **chaoszoo**: ``candidates`` seeds of each pair (:func:`chaoszoo.catalog.generated.skew_product`,
  additive coupling), validated together by :func:`chaoszoo.analysis.attractor.validate_members`
  (the whole battery: seven tests, the Lyapunov exponent by the two-trajectory method over 160
  periods), with a tested window of the same length: 40 periods at ``4096 / 40`` points per period
  (2 periods of transient, 38 tested, as dysts's 5 %). Compilation included: the on-disk solver
  cache is off, so every pair's structure is compiled in this run.

Both tools' CPU time is ``time.process_time()`` (all threads of this process; chaoszoo runs with
``CHAOSZOO_THREADS=1``). The ratio compares validated systems per CPU-second. The tests differ (each
tool's own battery), so the ratio measures the cost of producing validated systems, not identical
verdicts; both verdict counts are printed.

Run: ``python benchmarks/bench_generator.py --pairs 3 --candidates 4`` (dysts from the ``bench``
extra, or ``--dysts-path`` to an unpacked dysts 0.96). ``--skip-dysts`` prints chaoszoo alone.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import types
import warnings

os.environ.setdefault("CHAOSZOO_THREADS", "1")
os.environ.setdefault("CHAOSZOO_NO_SOLVER_CACHE", "1")
os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402

N_POINTS, N_PERIODS = 4096, 40


def _stub(name: str, **attrs) -> None:
    """An empty module for dysts's optional imports that the generator never calls here
    (``wandb`` for logging, ``gluonts`` for writing Arrow files)."""
    if name in sys.modules:
        return
    try:
        __import__(name)
        return
    except ImportError:
        pass
    parts = name.split(".")
    for i in range(1, len(parts) + 1):
        sub = ".".join(parts[:i])
        if sub not in sys.modules:
            sys.modules[sub] = types.ModuleType(sub)
        if i > 1:
            setattr(sys.modules[".".join(parts[:i - 1])], parts[i - 1], sys.modules[sub])
    for k, v in attrs.items():
        setattr(sys.modules[name], k, v)


def import_dysts(path: str | None):
    if path:
        sys.path.insert(0, path)
    _stub("wandb.sdk.wandb_run", Run=object)
    _stub("gluonts.dataset.arrow", ArrowWriter=object)
    import dysts  # noqa: F401
    import dysts.flows  # noqa: F401
    from dysts import generator  # noqa: F401

    return dysts


def pairs_for(n: int, seed: int) -> list[tuple[str, str]]:
    """``n`` ordered pairs of chaoszoo's eligible flows that dysts also has (same names), seeded."""
    from chaoszoo.catalog.generated import eligible_flows

    flows = eligible_flows()
    try:
        import dysts.flows as dfl
        flows = [f for f in flows if hasattr(dfl, f)]
    except ImportError:
        pass
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n:
        d, r = rng.choice(len(flows), 2, replace=False)
        pair = (flows[d], flows[r])
        if pair not in out:
            out.append(pair)
    return out


def run_chaoszoo(pairs, candidates: int) -> dict:
    from chaoszoo.analysis.attractor import Settings, validate_members
    from chaoszoo.catalog.generated import skew_product
    from chaoszoo.catalog.generated.build import structure
    from chaoszoo.engine import aot

    settings = Settings(transient_periods=2.0, window_periods=38.0, pts_per_period=N_POINTS // N_PERIODS)
    t0, w0 = time.process_time(), time.perf_counter()
    c0 = aot.STATS["compiled"]
    valid, verdicts, per_pair = 0, {}, []
    for d, r in pairs:
        t1 = time.process_time()
        S = structure(d, r, "additive")
        decls = [skew_product(d, r, "additive", s) for s in range(candidates)]
        vs = validate_members(S, [x.params for x in decls], np.array([x.ic for x in decls]),
                              names=[x.name for x in decls], settings=settings)
        for v in vs:
            verdicts[v.system] = v.reason or "valid"
            valid += v.passed
        per_pair.append({"pair": f"{d}->{r}", "cpu_s": time.process_time() - t1, "valid": sum(v.passed for v in vs),
                         "candidates": candidates})
    return {"cpu_s": time.process_time() - t0, "wall_s": time.perf_counter() - w0, "valid": int(valid),
            "candidates": len(pairs) * candidates, "compilations": aot.STATS["compiled"] - c0, "verdicts": verdicts,
            "per_pair": per_pair}


def run_dysts(pairs, candidates: int, seed: int) -> dict:
    import dysts.flows as dfl
    from dysts.attractor import (check_boundedness, check_not_fixed_point, check_not_linear, check_power_spectrum,
                                 check_stationarity, check_zero_one_test)
    from dysts.base import SkewProduct
    from dysts.coupling import RandomAdditiveCouplingMap
    from dysts.generator import DynSysSampler
    from dysts.sampling import InstabilityEvent, SignedGaussianParamSampler, TimeStepEvent

    def flow_rms(sys_) -> float:
        traj = sys_.make_trajectory(N_POINTS, pts_per_period=N_POINTS // N_PERIODS, atol=1e-7, rtol=1e-6)
        traj = traj[int(0.5 * len(traj)):]
        f = np.array([sys_.rhs(x, 0.0) for x in traj])
        return float(np.sqrt(np.mean(np.sum(f ** 2, axis=1))))

    t0, w0 = time.process_time(), time.perf_counter()
    valid, per_pair, failed_checks, failed_integrations = 0, [], {}, {}
    for i, (d, r) in enumerate(pairs):  # one sampler per pair, so that each pair's cost is measured
        t1 = time.process_time()
        drv, rsp = getattr(dfl, d)(), getattr(dfl, r)()
        cmap = RandomAdditiveCouplingMap(drv.dimension, rsp.dimension, driver_scale=1.0 / flow_rms(drv),
                                         response_scale=1.0 / flow_rms(rsp), random_seed=seed + i)
        system = SkewProduct(driver=drv, response=rsp, coupling_map=cmap)
        sampler = DynSysSampler(
            rseed=seed + i, num_points=N_POINTS, num_periods=N_PERIODS,
            param_sampler=SignedGaussianParamSampler(random_seed=seed + i, scale=0.5, sign_match_probability=0.5),
            num_ics=1, num_param_perturbations=max(1, candidates - 1), split_coords=False, verbose=False,
            attractor_tests=[check_not_linear, check_boundedness, check_not_fixed_point, check_zero_one_test,
                             check_power_spectrum, check_stationarity],
            events=[lambda system: InstabilityEvent(system, threshold=1e4),
                    lambda system: TimeStepEvent(system, min_step=1e-10)],
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sampler.sample_ensembles([system], save_dir=None, use_multiprocessing=False, silent_errors=True,
                                     atol=1e-10, rtol=1e-9)
        summary = sampler.save_summary(None)
        n_valid = int(sum(summary["valid_dyst_counts"].values()))
        valid += n_valid
        per_pair.append({"pair": f"{d}->{r}", "cpu_s": time.process_time() - t1, "valid": n_valid,
                         "candidates": 1 + max(1, candidates - 1)})
        failed_checks.update({k: [c for lst in v for c in (lst if isinstance(lst, list) else [lst])]
                              for k, v in summary["failed_checks"].items()})
        failed_integrations.update({k: list(v) for k, v in summary["failed_integrations"].items()})
    return {"cpu_s": time.process_time() - t0, "wall_s": time.perf_counter() - w0, "valid": valid,
            "candidates": len(pairs) * (1 + max(1, candidates - 1)), "per_pair": per_pair,
            "failed_checks": failed_checks, "failed_integrations": failed_integrations}


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=3)
    ap.add_argument("--candidates", type=int, default=4, help="candidates per pair (dysts: the default + perturbations)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--dysts-path", default=os.environ.get("CHAOSZOO_DYSTS_PATH"))
    ap.add_argument("--skip-dysts", action="store_true")
    ap.add_argument("--out", default=None, help="write the results as JSON here")
    args = ap.parse_args(argv)
    dysts_ok = False
    if not args.skip_dysts:
        try:
            import_dysts(args.dysts_path)
            dysts_ok = True
        except ImportError as exc:
            print(f"dysts 0.96 is not importable ({exc}); install the bench extra or pass --dysts-path.")
    pairs = pairs_for(args.pairs, args.seed)
    print("pairs:", ", ".join(f"{d}->{r}" for d, r in pairs))
    res = {"pairs": pairs, "candidates_per_pair": args.candidates, "points": N_POINTS, "periods": N_PERIODS}
    res["chaoszoo"] = cz = run_chaoszoo(pairs, args.candidates)
    print(f"chaoszoo: {cz['valid']}/{cz['candidates']} valid in {cz['cpu_s']:.1f} CPU-s "
          f"({cz['compilations']} compilations) -> {cz['valid'] / cz['cpu_s']:.3f} valid per CPU-s")
    if dysts_ok:
        res["dysts"] = dy = run_dysts(pairs, args.candidates, args.seed)
        print(f"dysts 0.96: {dy['valid']}/{dy['candidates']} valid in {dy['cpu_s']:.1f} CPU-s "
              f"-> {dy['valid'] / dy['cpu_s']:.4f} valid per CPU-s")
        rate_cz = cz["valid"] / cz["cpu_s"]
        rate_dy = dy["valid"] / dy["cpu_s"]
        per_candidate = (dy["cpu_s"] / dy["candidates"]) / (cz["cpu_s"] / cz["candidates"])
        res["ratio_valid_per_cpu_s"] = rate_cz / rate_dy if rate_dy > 0 else float("inf")
        res["ratio_cpu_per_candidate"] = per_candidate
        ratios = [(b["cpu_s"] / b["candidates"]) / (a["cpu_s"] / a["candidates"])
                  for a, b in zip(cz["per_pair"], dy["per_pair"])]
        res["per_pair_cpu_per_candidate_ratios"] = ratios
        res["median_cpu_per_candidate_ratio"] = float(np.median(ratios))
        for a, b, q in zip(cz["per_pair"], dy["per_pair"], ratios):
            print(f"  {a['pair']}: chaoszoo {a['valid']}/{a['candidates']} in {a['cpu_s']:.1f} CPU-s, dysts "
                  f"{b['valid']}/{b['candidates']} in {b['cpu_s']:.1f} CPU-s: {q:.1f}x per candidate")
        print(f"ratio, validated systems per CPU-second: {res['ratio_valid_per_cpu_s']:.1f}x "
              f"(CPU per candidate: {per_candidate:.1f}x overall, median over pairs {np.median(ratios):.1f}x)")
    if args.out:
        with open(args.out, "w") as fh:
            json.dump(res, fh, indent=1, default=str)
    return res


if __name__ == "__main__":
    main()
