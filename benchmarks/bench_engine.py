"""Engine benchmark: chaoszoo against dysts and a compiled native reference, side by side in one run.

The native reference is ``native_dop853.py``: Hairer's DOP853 in numba (verified against
SciPy's DOP853 at 1e-13 at every run), at the same tolerance, on the same output grid. Its
time is the floor a compiled single-trajectory loop reaches on this machine; chaoszoo's time
is printed as a ratio against it, with attempted steps, right-hand-side evaluations and time
per evaluation for both. The machine is shared, so every figure is a median of repeats taken
in this one run, chaoszoo and the reference interleaved.

Cases (from the foundation issue):
  1. Lorenz, 10,000 points at 100 points per period: chaoszoo cold (fresh process, library
     and CLI) and warm, against dysts's default and dysts with DOP853 at rtol=atol=1e-10.
     Accuracy: maximum error over the first 10 periods against SciPy DOP853 at 1e-13 on each
     tool's own time grid.
  2. Ensemble of 1,024 initial conditions x 1,000 points (100 per period): one vectorised
     chaoszoo call against dysts looping over the initial conditions with DOP853 at 1e-10
     (dysts timed on --dysts-members members and scaled to 1,024; the scaling is printed).
  3. Every catalog system x 1,000 points: chaoszoo in a fresh process (compilation included,
     one shared solver per state dimension) against dysts DOP853 at 1e-10 (delay systems: its
     default), over the names both have.

  4. The native reference on cases 1 and 2 (numba, one thread and all threads).

Run: ``make bench`` (installs dysts and numba through the ``bench`` extra). Prints medians and
ratios. Use --skip-dysts-default to leave out dysts's slow default integrator (~100 s).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import warnings

import numpy as np
from scipy.integrate import solve_ivp

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

N, PPP = 10_000, 100


def timed(fn, repeat=1):
    times, out = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def reference(rhs, ic, t):
    sol = solve_ivp(lambda tt, y: rhs(y, tt), (t[0], t[-1]), ic, method="DOP853", t_eval=t, rtol=1e-13, atol=1e-13)
    return sol.y.T


def fresh_process(code: str, env=None) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, env=env, capture_output=True)
    return time.perf_counter() - t0


def _diffrax_before(decl, ic, params):
    """The engine before issue 14: ``diffrax.diffeqsolve`` with ``Dopri8`` and its saving loop."""
    from chaoszoo.engine import flows
    from chaoszoo.engine._jax import x64

    with x64():
        import diffrax
        import jax
        import jax.numpy as jnp

        term = diffrax.ODETerm(flows._vector_field(decl))

        @jax.jit
        def one(y0, args, ts):
            c = diffrax.PIDController(rtol=1e-10, atol=1e-10, dtmin=ts[-1] * 1e-14)
            return diffrax.diffeqsolve(term, diffrax.Dopri8(), ts[0], ts[-1], None, y0, args,
                                       saveat=diffrax.SaveAt(ts=ts), stepsize_controller=c,
                                       max_steps=2**21, throw=False).ys

    def run(ts):
        with x64():
            pad = np.concatenate([ts, np.full(flows.bucket(len(ts)) - len(ts), ts[-1])])
            return np.asarray(one(jnp.asarray(ic), {k: jnp.asarray(v[0]) for k, v in params.items()}, jnp.asarray(pad)))

    return run


def _per_operation_kernels(decl, ic, params):
    """The same written-out solver compiled the usual way, one XLA kernel per fused operation
    (the engine between the step rewrite and the single-kernel compilation of issue 14)."""
    import jax

    from chaoszoo.engine import dopri8, flows
    from chaoszoo.engine._jax import x64

    with x64():
        solve = jax.jit(dopri8.make_solve(flows._vector_field(decl)))

    def run(ts):
        with x64():
            import jax.numpy as jnp

            pad = np.concatenate([ts, np.full(flows.bucket(len(ts)) - len(ts), ts[-1])])
            out = solve(jnp.asarray(ic), {k: jnp.asarray(v[0]) for k, v in params.items()}, jnp.asarray(pad),
                        len(ts), 1e-10, 1e-10, ts[-1] * 1e-14 + 1e-300, 10**8)
            return np.asarray(out[0])

    return run


def native_reference(s, res, repeat):
    """Cases 1 and 2 against the numba DOP853, interleaved with chaoszoo in the same loop."""
    import native_dop853 as nd
    from chaoszoo.engine import flows
    from chaoszoo.engine._jax import x64

    err, stats, _ = nd.verify()
    res["native_vs_scipy_1e13_one_period"] = err
    p = np.array([s.params[k] for k in ("sigma", "rho", "beta")])
    dt = s.period / PPP
    nd.solve(nd.lorenz_rhs, s.ic, p, dt=dt, n=N)
    s.trajectory(N, pts_per_period=PPP)
    decl = s._decl if hasattr(s, "_decl") else s.declaration
    ts = np.arange(N) * dt
    params = {k: np.array([float(v)]) for k, v in s.params.items()}

    def engine():  # the engine call alone, without the System API's checks and thread
        with x64():
            return flows.integrate(decl, np.asarray(s.ic)[None], params, ts, rtol=1e-10, atol=1e-10)

    engine()
    before = _diffrax_before(decl, s.ic, params)
    before(ts)
    per_op = _per_operation_kernels(decl, s.ic, params)
    per_op(ts)
    t_nat, t_cz, t_eng, t_old, t_ops = [], [], [], [], []
    for _ in range(repeat):
        t_nat.append(timed(lambda: nd.solve(nd.lorenz_rhs, s.ic, p, dt=dt, n=N))[0])
        t_cz.append(timed(lambda: s.trajectory(N, pts_per_period=PPP))[0])
        t_eng.append(timed(engine)[0])
        t_old.append(timed(lambda: before(ts))[0])
        t_ops.append(timed(lambda: per_op(ts))[0])
    res["diffrax_before_s"] = statistics.median(t_old)
    res["per_operation_before_s"] = statistics.median(t_ops)
    ys_nat, (steps, acc, nfev) = nd.solve(nd.lorenz_rhs, s.ic, p, dt=dt, n=N)
    with x64():
        import jax
        import jax.numpy as jnp

        pad = np.concatenate([ts, np.full(flows.bucket(N) - N, ts[-1])])
        out = flows._ode_solver(decl)(jnp.asarray(s.ic)[None], {k: jnp.asarray(v) for k, v in params.items()},
                                      jnp.asarray(pad), N, 1e-10, 1e-10, ts[-1] * 1e-14 + 1e-300, 10**8)
        cz_steps, cz_acc = int(out[2]), int(out[3])
    k1 = PPP + 1
    ref = reference(s.rhs, s.ic, ts[:k1])
    res.update(
        native_s=statistics.median(t_nat), cz_api_s=statistics.median(t_cz), cz_engine_s=statistics.median(t_eng),
        native_steps=int(steps), native_accepted=int(acc), native_rhs=int(nfev),
        cz_steps=cz_steps, cz_accepted=cz_acc, cz_rhs=13 * cz_steps + 1,
        native_err_one_period=float(np.abs(ys_nat[:k1] - ref).max()),
        cz_err_one_period=float(np.abs(s.trajectory(k1, pts_per_period=PPP).values - ref).max()),
    )
    # ensemble: 1,024 x 1,000, one thread and all threads
    rng = np.random.default_rng(0)
    ics = s.ic + rng.standard_normal((1024, 3))
    for par in (False, True):
        nd.solve_ensemble(nd.lorenz_rhs, ics[:2], p, dt=dt, n=1000, parallel=par)
    s.ensemble(1000, ics=ics, pts_per_period=PPP)

    def one_thread():  # chaoszoo on one core (kernels.THREADS_ENV), as the 1-thread native loop
        os.environ["CHAOSZOO_THREADS"] = "1"
        try:
            return s.ensemble(1000, ics=ics, pts_per_period=PPP)
        finally:
            os.environ.pop("CHAOSZOO_THREADS")

    with x64():
        import jax.numpy as jnp

        ts_e = np.arange(1000) * dt
        pad_e = jnp.asarray(np.concatenate([ts_e, np.full(flows.bucket(1000) - 1000, ts_e[-1])]))
        pe = {k: jnp.full(1024, float(v)) for k, v in s.params.items()}
        vmapped = flows._ode_solver(decl)._vmapped  # the ensemble path before: one vmap-ped program

        def before_ens():
            with x64():
                return np.asarray(vmapped(jnp.asarray(ics), pe, pad_e, 1000, 1e-10, 1e-10,
                                          ts_e[-1] * 1e-14 + 1e-300, 10**8)[0])

        before_ens()
    one_thread()
    t1, t2, tc, tc1, tb = [], [], [], [], []
    for _ in range(max(3, repeat // 2)):
        t1.append(timed(lambda: nd.solve_ensemble(nd.lorenz_rhs, ics, p, dt=dt, n=1000))[0])
        t2.append(timed(lambda: nd.solve_ensemble(nd.lorenz_rhs, ics, p, dt=dt, n=1000, parallel=True))[0])
        tc.append(timed(lambda: s.ensemble(1000, ics=ics, pts_per_period=PPP))[0])
        tc1.append(timed(one_thread)[0])
        tb.append(timed(before_ens)[0])
    _, est = nd.solve_ensemble(nd.lorenz_rhs, ics, p, dt=dt, n=1000)
    import numba

    from chaoszoo.engine.kernels import threads

    res.update(native_ens_1thread_s=statistics.median(t1), native_ens_threads_s=statistics.median(t2),
               native_threads=numba.get_num_threads(), cz_ens_s=statistics.median(tc),
               cz_ens_1thread_s=statistics.median(tc1), cz_threads=threads(),
               cz_ens_before_s=statistics.median(tb),
               native_ens_steps=int(est[0]), native_ens_rhs=int(est[2]))


def report_native(res):
    if "native_s" not in res:
        return
    us = 1e6
    print("\nNative reference (numba DOP853, Hairer's coefficients; "
          f"vs SciPy DOP853 at 1e-13 over one period: {res['native_vs_scipy_1e13_one_period']:.1e})")
    print("Lorenz, 10,000 points at 100 per period, rtol = atol = 1e-10, warm (medians, interleaved)")
    print(f"  native       {res['native_s'] * 1e3:8.2f} ms  steps {res['native_steps']:6d}  rhs {res['native_rhs']:7d}"
          f"  {res['native_s'] / res['native_rhs'] * us * 1e3:6.1f} ns/rhs  one-period err {res['native_err_one_period']:.1e}")
    print(f"  chaoszoo API {res['cz_api_s'] * 1e3:8.2f} ms  steps {res['cz_steps']:6d}  rhs {res['cz_rhs']:7d}"
          f"  {res['cz_api_s'] / res['cz_rhs'] * us * 1e3:6.1f} ns/rhs  one-period err {res['cz_err_one_period']:.1e}"
          f"  -> {res['cz_api_s'] / res['native_s']:.1f}x native")
    print(f"  chaoszoo engine call alone {res['cz_engine_s'] * 1e3:8.2f} ms"
          f"  -> {res['cz_engine_s'] / res['native_s']:.1f}x native")
    print(f"  before: written-out step, one kernel per operation {res['per_operation_before_s'] * 1e3:8.2f} ms"
          f"  -> {res['per_operation_before_s'] / res['native_s']:.1f}x native")
    print(f"  before: diffrax diffeqsolve Dopri8 {res['diffrax_before_s'] * 1e3:8.2f} ms"
          f"  -> {res['diffrax_before_s'] / res['native_s']:.1f}x native")
    print("Ensemble, 1,024 x 1,000 points")
    print(f"  native, 1 thread   {res['native_ens_1thread_s']:.3f} s  (steps {res['native_ens_steps']}, rhs {res['native_ens_rhs']})")
    print(f"  native, {res['native_threads']} threads  {res['native_ens_threads_s']:.3f} s")
    print(f"  chaoszoo, {res['cz_threads']} threads {res['cz_ens_s']:.3f} s  -> {res['cz_ens_s'] / res['native_ens_threads_s']:.2f}x "
          f"native on {res['native_threads']} threads")
    print(f"  chaoszoo, 1 thread  {res['cz_ens_1thread_s']:.3f} s  -> {res['cz_ens_1thread_s'] / res['native_ens_1thread_s']:.2f}x "
          "native on 1")
    print(f"  before: one vmap-ped program {res['cz_ens_before_s']:.3f} s  -> "
          f"{res['cz_ens_before_s'] / res['native_ens_threads_s']:.2f}x native on {res['native_threads']} threads")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--skip-dysts-default", action="store_true")
    ap.add_argument("--dysts-members", type=int, default=32)
    ap.add_argument("--skip-catalog", action="store_true")
    ap.add_argument("--json", default=None, help="Also write the figures to this JSON file.")
    ap.add_argument("--native-only", action="store_true",
                    help="Only chaoszoo against the native reference (cases 1 and 2, warm); no dysts, no fresh processes.")
    ap.add_argument("--repeat", type=int, default=7, help="Repeats per timing (medians are printed).")
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    import chaoszoo as cz

    try:
        import dysts.flows as dflows
    except ImportError:
        dflows = None
        print("dysts is not installed (pip install -e '.[bench]'); printing chaoszoo figures only.")
    res = {}
    s = cz.get("Lorenz")
    if args.native_only:
        dflows = None
    native_reference(s, res, args.repeat)
    if args.native_only:
        report_native(res)
        if args.json:
            with open(args.json, "w") as fh:
                json.dump(res, fh, indent=1)
        return

    # ---- 1. single trajectory -------------------------------------------------------------
    code = "import chaoszoo as cz; cz.get('Lorenz').trajectory(10000, pts_per_period=100)"
    res["cz_cold_library_s"] = statistics.median(fresh_process(code) for _ in range(3))
    import tempfile

    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "CHAOSZOO_CACHE": cache}
        cli = f"from chaoszoo.cli import main; main(['simulate','Lorenz','--n','10000','--out','{cache}/l.npy'])"
        fresh_process(cli, env)  # fills the persistent compilation cache
        res["cz_cold_cli_s"] = statistics.median(fresh_process(cli, env) for _ in range(3))
    s.trajectory(N, pts_per_period=PPP)
    res["cz_warm_s"], tr = timed(lambda: s.trajectory(N, pts_per_period=PPP), repeat=7)
    k10 = 10 * PPP + 1
    res["cz_err_10_periods"] = float(np.abs(tr.values[:k10] - reference(s.rhs, s.ic, tr.t[:k10])).max())
    if dflows is not None:
        m = dflows.Lorenz()
        m.make_trajectory(100, pts_per_period=PPP, method="DOP853", rtol=1e-10, atol=1e-10)
        res["dysts_dop853_s"], (t_d, y_d) = timed(lambda: m.make_trajectory(
            N, pts_per_period=PPP, method="DOP853", rtol=1e-10, atol=1e-10, return_times=True), repeat=3)
        res["dysts_dop853_err_10_periods"] = float(np.abs(y_d[:k10] - reference(s.rhs, s.ic, t_d[:k10])).max())
        if not args.skip_dysts_default:
            res["dysts_default_s"], (t_d, y_d) = timed(lambda: m.make_trajectory(N, pts_per_period=PPP, return_times=True))
            res["dysts_default_err_10_periods"] = float(np.abs(y_d[:k10] - reference(s.rhs, s.ic, t_d[:k10])).max())

    # ---- 2. ensemble ------------------------------------------------------------------------
    rng = np.random.default_rng(0)
    ics = s.ic + rng.standard_normal((1024, 3))
    s.ensemble(1000, ics=ics, pts_per_period=PPP)
    res["cz_ensemble_s"], _ = timed(lambda: s.ensemble(1000, ics=ics, pts_per_period=PPP), repeat=3)
    if dflows is not None:
        k = args.dysts_members
        t_k, _ = timed(lambda: [m.make_trajectory(1000, pts_per_period=PPP, init_cond=ic, method="DOP853",
                                                  rtol=1e-10, atol=1e-10) for ic in ics[:k]])
        res["dysts_ensemble_s"] = t_k * 1024 / k
        res["dysts_ensemble_members_timed"] = k

    # ---- 3. every system --------------------------------------------------------------------
    if not args.skip_catalog:
        names = cz.names()
        # catalog-wide work shares one compiled solver per state dimension (shared_solvers)
        code = ("import time, json, chaoszoo as cz\nfrom chaoszoo.engine import shared_solvers\nout={}\n"
                f"for n in {names!r}:\n    s=cz.get(n); t=time.perf_counter()\n"
                "    with shared_solvers():\n"
                "        (s.trajectory(1000) if s.kind=='map' else s.trajectory(1000, pts_per_period=100))\n"
                "    out[n]=time.perf_counter()-t\nprint(json.dumps(out))")
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout
        res["cz_catalog_total_s"] = time.perf_counter() - t0
        per = json.loads(out.strip().splitlines()[-1])
        res["cz_catalog_systems"] = len(per)
        if dflows is not None:
            import dysts.maps as dmaps

            shared, t_dysts, t_cz = 0, 0.0, 0.0
            for name in names:
                sysd = cz.get(name)
                try:
                    if sysd.kind == "map":
                        dm = getattr(dmaps, "Duffing" if name == "DuffingMap" else name)()
                        t, _ = timed(lambda: dm.make_trajectory(1000))
                    else:
                        dm = getattr(dflows, name)()
                        kw = {} if sysd.kind == "delay" else dict(method="DOP853", rtol=1e-10, atol=1e-10)
                        t, _ = timed(lambda: dm.make_trajectory(1000, pts_per_period=100, **kw))
                except Exception:  # a dysts system that fails or does not exist there
                    continue
                shared += 1
                t_dysts += t
                t_cz += per[name]
            res.update(dysts_catalog_s=t_dysts, cz_catalog_shared_s=t_cz, catalog_shared=shared)

    # ---- report -----------------------------------------------------------------------------
    report_native(res)
    def ratio(a, b):
        return f"{res[a] / res[b]:.1f}x" if a in res and b in res else "n/a"

    print("\nLorenz, 10,000 points at 100 per period (medians, seconds; error = max over first 10 periods)")
    print(f"  chaoszoo warm          {res['cz_warm_s']:.3f}   err {res['cz_err_10_periods']:.2e}")
    print(f"  chaoszoo cold library  {res['cz_cold_library_s']:.2f}  (fresh process)")
    print(f"  chaoszoo cold CLI      {res['cz_cold_cli_s']:.2f}  (fresh process, warm compilation cache, to file)")
    if "dysts_dop853_s" in res:
        print(f"  dysts DOP853 1e-10     {res['dysts_dop853_s']:.3f}   err {res['dysts_dop853_err_10_periods']:.2e}"
              f"   -> chaoszoo warm is {ratio('dysts_dop853_s', 'cz_warm_s')} faster")
    if "dysts_default_s" in res:
        print(f"  dysts default          {res['dysts_default_s']:.2f}   err {res['dysts_default_err_10_periods']:.2e}"
              f"   -> {ratio('dysts_default_s', 'cz_warm_s')} (warm), {ratio('dysts_default_s', 'cz_cold_library_s')} (cold)")
    print("\nEnsemble, 1,024 initial conditions x 1,000 points")
    print(f"  chaoszoo (one call)    {res['cz_ensemble_s']:.2f}")
    if "dysts_ensemble_s" in res:
        print(f"  dysts loop (DOP853)    {res['dysts_ensemble_s']:.1f}  (timed {res['dysts_ensemble_members_timed']} members, scaled)"
              f"   -> {ratio('dysts_ensemble_s', 'cz_ensemble_s')}")
    if "cz_catalog_total_s" in res:
        print(f"\nEvery system x 1,000 points: chaoszoo {res['cz_catalog_systems']} systems in "
              f"{res['cz_catalog_total_s']:.1f} s (fresh process, compilation included)")
        if "dysts_catalog_s" in res:
            print(f"  shared {res['catalog_shared']} systems: chaoszoo {res['cz_catalog_shared_s']:.1f} s, "
                  f"dysts DOP853 {res['dysts_catalog_s']:.1f} s -> {ratio('dysts_catalog_s', 'cz_catalog_shared_s')}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(res, fh, indent=1)


if __name__ == "__main__":
    main()
