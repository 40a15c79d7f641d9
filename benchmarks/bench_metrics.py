"""Forecast metrics: chaoszoo.forecast.metrics against dysts.metrics, side by side.

Run from the repository root::

    .venv/bin/python benchmarks/bench_metrics.py            # 10,000 forecasts of 300 x 3 points
    .venv/bin/python benchmarks/bench_metrics.py --n 2000   # smaller

Target (issue 9): every pointwise metric plus both valid prediction times for 10,000
forecasts of 300 x 3 points within 10 s (``compute_batch``). Both wall-clock and CPU time of
this process are printed: on a shared machine the wall time measures the other jobs too, and
the CPU time is what the computation costs. The peer, ``dysts.metrics.compute_metrics``
(installed by the ``bench`` extra), scores one forecast per call; it is timed on a subset and
scaled to the same count. Then the cost per call of each attractor-level metric on one
300 x 3 forecast, with dysts' two attractor metrics beside ours.

Data: windows of one long Lorenz trajectory as targets; forecasts are the target plus an
error growing like exp(t / Lyapunov time) from a random small start, so valid prediction
times spread over the horizon as real forecasts do. Data generation is not timed.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402

from chaoszoo.forecast import metrics as fm  # noqa: E402

H, D = 300, 3
PTS_PER_LYAP = 30.0


def make_data(n: int, seed: int = 0):
    import chaoszoo as cz

    s = cz.get("Lorenz")
    lyap_time = 1.0 / 0.9056  # Sprott (2003)
    dt = lyap_time / PTS_PER_LYAP
    traj = s.trajectory(20_000, dt=dt, transient=1000).values
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, len(traj) - 2 * H, n)
    y = np.stack([traj[a + H:a + 2 * H] for a in starts])
    hist = np.stack([traj[a:a + H] for a in starts])
    growth = np.exp(np.arange(H) / PTS_PER_LYAP)[None, :, None]
    eps = 10.0 ** rng.uniform(-4, -1, (n, 1, 1))
    noise = rng.standard_normal((n, H, D)).cumsum(axis=1) / np.sqrt(np.arange(1, H + 1))[None, :, None]
    p = y + eps * growth * noise * traj.std(axis=0)
    return y, p, hist, dt


def timed(fn, *args, **kw):
    w, c = time.perf_counter(), time.process_time()
    out = fn(*args, **kw)
    return out, time.perf_counter() - w, time.process_time() - c


def dysts_metrics():
    try:
        import dysts.metrics as dm
    except ImportError:
        return None
    return dm


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--peer-n", type=int, default=40)
    args = ap.parse_args()

    y, p, hist, dt = make_data(args.n)
    print(f"{args.n} forecasts of {H} x {D} points; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")

    fm.compute_batch(y[:50], p[:50], PTS_PER_LYAP, hist[:50])  # imports, warm-up
    res, wall, cpu = timed(fm.compute_batch, y, p, PTS_PER_LYAP, hist)
    n_metrics = len(res)
    print(f"chaoszoo compute_batch: {n_metrics} metrics (16 pointwise + 2 VPT): wall {wall:.2f} s, CPU {cpu:.2f} s "
          f"(target 10 s: {'met' if cpu <= 10 else 'NOT met'} in CPU time)")
    med = {k: float(np.nanmedian(v)) for k, v in res.items()}
    print(f"  medians: smape {med['smape']:.1f}, vpt_smape {med['vpt_smape']:.2f} Lyapunov times, "
          f"vpt_nrmse {med['vpt_nrmse']:.2f}")

    dm = dysts_metrics()
    if dm is not None:
        k = min(args.peer_n, args.n)
        names = ["mse", "mae", "rmse", "nrmse", "marre", "r2_score", "rmsle", "smape", "mape", "wape",
                 "spearman", "pearson", "kendall", "coefficient_of_variation", "mutual_information"]
        _, pw, pc = timed(lambda: [dm.compute_metrics(y[i], p[i], include=names) for i in range(k)])
        scale = args.n / k
        print(f"dysts compute_metrics (15 pointwise, one forecast per call): {pc / k * 1e3:.1f} ms CPU per forecast, "
              f"{pc * scale:.0f} s CPU for {args.n} (scaled from {k}); chaoszoo is {pc * scale / cpu:.0f}x faster")
        # the same numbers where the definitions agree (dysts 0.96 halves sMAPE and adds eps)
        ref = [dm.compute_metrics(y[i], p[i], include=["mse", "smape", "kendall"]) for i in range(5)]
        dif = max(max(abs(r["mse"] - res["mse"][i]) / r["mse"], abs(2 * r["smape"] - res["smape"][i]) / (2 * r["smape"]),
                      abs(r["kendall"] - res["kendall"][i]))
                  for i, r in enumerate(ref))
        print(f"  agreement with dysts on mse, 2 x smape, kendall (5 forecasts): max relative difference {dif:.1e}")
    else:
        print("dysts not installed (pip install 'chaoszoo[bench]'): peer column skipped")

    print("attractor-level metrics, cost per call on one 300 x 3 forecast (CPU, median of 5):")
    yy, pp = y[0], p[0]
    calls = {
        "kl_divergence": lambda: fm.kl_divergence(yy, pp, seed=0),
        "hellinger_spectrum": lambda: fm.hellinger_spectrum(yy, pp),
        "spectral_divergence": lambda: fm.spectral_divergence(yy, pp),
        "spectral_residual": lambda: fm.spectral_residual(yy, pp),
        "dimension_error": lambda: fm.dimension_error(yy, pp),
        "lyapunov_error": lambda: fm.lyapunov_error(yy, pp, dt=dt),
    }
    peers = {}
    if dm is not None:
        peers = {"kl_divergence": lambda: dm.estimate_kl_divergence(yy, pp),
                 "hellinger_spectrum": lambda: dm.average_hellinger_distance(yy, pp)}
    for name, fn in calls.items():
        fn()
        cost = np.median([timed(fn)[2] for _ in range(5)])
        line = f"  {name:20s} {cost * 1e3:8.1f} ms"
        if name in peers:
            peers[name]()
            pc = np.median([timed(peers[name])[2] for _ in range(3)])
            line += f"   dysts {pc * 1e3:8.1f} ms  ({pc / cost:.1f}x)"
        print(line)


if __name__ == "__main__":
    main()
