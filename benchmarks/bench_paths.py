"""The engine's other paths against compiled references, in one run (issue 14, item 4).

Paths and references (medians of repeats; chaoszoo warm, i.e. compiled):

* delay equations (method of steps): Mackey-Glass, 2,000 samples at 100 per period
  (``rtol = 1e-10``: 7,068 RK4 steps per delay, 2^21 steps in all), one trajectory and an
  ensemble of 16, against ``native_paths.mackey_glass`` (the same algorithm in numba), whose
  states are checked against chaoszoo's to rounding;
* maps (``lax.scan``): Henon, 10^6 iterations, and 64 members x 10^5, against a numba loop;
* the stochastic solver (ShARK, additive noise): Lorenz, 1,000 samples, one trajectory and 16
  members, against the same ShARK steps in numba (``native_paths.lorenz_shark``);
* the tangent integration of the Lyapunov code: Lorenz's full spectrum with the defaults, against
  the same RK4 tangent scheme and QR interval in numba (``native_paths.lorenz_lyapunov``).

Run ``python benchmarks/bench_paths.py`` (numba from the ``bench`` extra). To compare two
versions of chaoszoo, run it once per version (``PYTHONPATH=<other checkout>/src``): each
run times its native references again, so ratios are always taken within one run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))


def median_time(fn, repeat):
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--json", default=None, help="Also write the figures to this JSON file.")
    args = ap.parse_args()
    import native_paths as nat

    import chaoszoo as cz
    from chaoszoo.analysis.lyapunov import lyapunov_spectrum
    from chaoszoo.engine import delays

    res = {"chaoszoo": os.path.dirname(cz.__file__)}
    r = args.repeat

    # ---- delay ----------------------------------------------------------------------------
    mg = cz.get("MackeyGlass")
    p = mg.params
    n = 2000
    dt = mg.period / 100
    m = delays.step_count(mg.declaration, p["tau"], 1e-10, dt)
    h = p["tau"] / m
    n_steps = int(math.ceil((n - 1) * dt / h)) + 2
    x0 = float(mg.ic[0])
    ics = x0 * (1 + 0.01 * np.arange(16))[:, None]
    res["delay_steps"] = n_steps
    res["delay_single_s"] = median_time(lambda: mg.trajectory(n, pts_per_period=100), r)
    res["delay_ens16_s"] = median_time(lambda: mg.ensemble(n, ics=ics, pts_per_period=100), r)
    res["delay_native_s"] = median_time(lambda: nat.mackey_glass(x0, p["beta"], p["gamma"], p["n"], h, m, n_steps), r)
    xs, _ = nat.mackey_glass(x0, p["beta"], p["gamma"], p["n"], h, m, n_steps)
    # chaoszoo's samples at step times (every sample falls on a step when dt is a multiple of h)
    ts = np.arange(n) * dt
    idx = np.round(ts / h).astype(int)
    on_step = np.abs(ts / h - idx) < 1e-9
    cz_vals = mg.trajectory(n, pts_per_period=100).values[:, 0]
    k1 = int(mg.period / dt) + 1
    res["delay_vs_native_one_period"] = float(np.abs(cz_vals[:k1][on_step[:k1]] - xs[idx[:k1][on_step[:k1]]]).max()) \
        if on_step[:k1].any() else None

    # ---- map --------------------------------------------------------------------------------
    he = cz.get("Henon")
    a, b = he.params["a"], he.params["b"]
    hic = np.asarray(he.ic)
    hics = hic * (1 + 1e-3 * np.arange(64))[:, None]
    res["map_single_s"] = median_time(lambda: he.trajectory(10**6), r)
    res["map_native_s"] = median_time(lambda: nat.henon(hic[0], hic[1], a, b, 10**6), r)
    res["map_ens64_s"] = median_time(lambda: he.ensemble(10**5, ics=hics), r)
    res["map_native_ens64_s"] = median_time(lambda: nat.henon_ensemble(hics, a, b, 10**5), r)
    res["map_vs_native_20"] = float(np.abs(he.trajectory(20).values - nat.henon(hic[0], hic[1], a, b, 20)).max())

    # ---- stochastic ---------------------------------------------------------------------------
    lo = cz.get("Lorenz")
    lics = lo.ic + 0.1 * np.arange(16)[:, None]
    sub = 2  # ShARK steps per sample at 100 samples per period (period / 200 per step)
    res["sde_steps_single"] = 999 * sub
    res["sde_single_s"] = median_time(lambda: lo.trajectory(1000, pts_per_period=100, noise=0.5), r)
    res["sde_ens16_s"] = median_time(lambda: lo.ensemble(1000, ics=lics, pts_per_period=100, noise=0.5), r)

    # the same ShARK steps in numba, fed increments drawn with NumPy (their drawing is timed too)
    try:
        from chaoszoo.engine.shark import coefficients

        k = coefficients()
        coef = np.array([k["a21"], k["c2"], k["b"][0], k["b"][1], k["aw"][0], k["aw"][1], k["ah"][0], k["ah"][1],
                         k["bw"], k["bh"]])
        lp = lo.params
        sig = np.full(3, 0.5)
        h_sde = lo.period / 100 / sub

        def native_sde():
            g = np.random.default_rng(0)
            WH = np.empty((res["sde_steps_single"], 2, 3))
            WH[:, 0] = g.standard_normal((res["sde_steps_single"], 3)) * np.sqrt(h_sde)
            WH[:, 1] = g.standard_normal((res["sde_steps_single"], 3)) * np.sqrt(h_sde / 12)
            return nat.lorenz_shark(np.asarray(lo.ic, float), lp["sigma"], lp["rho"], lp["beta"], sig, h_sde,
                                    res["sde_steps_single"], WH, coef)

        res["sde_native_s"] = median_time(native_sde, r)
    except ImportError:  # an older chaoszoo (diffrax's ShARK): no coefficients to share
        res["sde_native_s"] = None

    # ---- tangent ------------------------------------------------------------------------------
    from chaoszoo.analysis.lyapunov import lyapunov_spectrum_with_error

    spec = lyapunov_spectrum_with_error(lo)
    st = spec.settings
    res["tangent_lorenz_s"] = median_time(lambda: lyapunov_spectrum(lo), r)
    res["tangent_lorenz_exponents"] = [float(v) for v in np.asarray(spec.mean)]
    h_t, q = st["step"], st["qr_every"]
    n_tr = int(math.ceil(st["transient"] * lo.period / h_t / q))
    n_qr = int(math.ceil(st["t_total"] * lo.period / h_t / q))
    V0 = np.linalg.qr(np.random.default_rng(0).standard_normal((3, 3)))[0]
    lp = lo.params
    args_t = (np.asarray(lo.ic, float), np.ascontiguousarray(V0), lp["sigma"], lp["rho"], lp["beta"], h_t, q, n_tr, n_qr)
    res["tangent_native_s"] = median_time(lambda: nat.lorenz_lyapunov(*args_t), r)
    res["tangent_native_exponents"] = [float(v) for v in nat.lorenz_lyapunov(*args_t)]
    res["tangent_steps"] = (n_tr + n_qr) * q

    us = 1e6
    print(f"chaoszoo from {res['chaoszoo']}")
    print(f"Delay (Mackey-Glass, {n} samples, {n_steps:,} RK4 steps of the method of steps)")
    print(f"  chaoszoo one trajectory {res['delay_single_s'] * 1e3:8.2f} ms  "
          f"({res['delay_single_s'] / n_steps * 1e9:.0f} ns/step)  -> {res['delay_single_s'] / res['delay_native_s']:.2f}x native")
    print(f"  chaoszoo 16 members     {res['delay_ens16_s'] * 1e3:8.2f} ms  -> "
          f"{res['delay_ens16_s'] / (16 * res['delay_native_s']):.2f}x native (16 sequential native runs)")
    print(f"  native (numba)          {res['delay_native_s'] * 1e3:8.2f} ms; max difference over one period "
          f"{res['delay_vs_native_one_period']}")
    print("Map (Henon)")
    print(f"  chaoszoo 10^6 iterations {res['map_single_s'] * 1e3:7.2f} ms, native {res['map_native_s'] * 1e3:.2f} ms "
          f"-> {res['map_single_s'] / res['map_native_s']:.2f}x; difference over 20 iterations {res['map_vs_native_20']:.1e}")
    print(f"  chaoszoo 64 x 10^5       {res['map_ens64_s'] * 1e3:7.2f} ms, native (parallel) "
          f"{res['map_native_ens64_s'] * 1e3:.2f} ms -> {res['map_ens64_s'] / res['map_native_ens64_s']:.2f}x")
    print("Stochastic (Lorenz, ShARK, 1,000 samples, 1,998 steps)")
    print(f"  one trajectory {res['sde_single_s'] * 1e3:8.2f} ms ({res['sde_single_s'] / res['sde_steps_single'] * us:.1f} us/step); "
          f"16 members {res['sde_ens16_s'] * 1e3:.2f} ms")
    if res["sde_native_s"]:
        print(f"  native (numba, same steps, increments drawn by NumPy) {res['sde_native_s'] * 1e3:.3f} ms "
              f"-> chaoszoo {res['sde_single_s'] / res['sde_native_s']:.0f}x")
    print(f"Tangent (Lorenz, full spectrum, defaults: {res['tangent_steps']:,} RK4 steps): {res['tangent_lorenz_s'] * 1e3:.1f} ms, "
          f"exponents {np.round(res['tangent_lorenz_exponents'], 4).tolist()}")
    print(f"  native (numba, same steps and QR interval) {res['tangent_native_s'] * 1e3:.1f} ms, exponents "
          f"{np.round(res['tangent_native_exponents'], 4).tolist()} -> chaoszoo {res['tangent_lorenz_s'] / res['tangent_native_s']:.1f}x")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(res, fh, indent=1)


if __name__ == "__main__":
    main()
