"""Probabilistic scoring: chaoszoo.forecast.metrics.proper against scoringrules, side by side.

Run from the repository root::

    .venv/bin/python benchmarks/bench_scoring.py                 # 10,000 ensembles of 50 x 300 x 3
    .venv/bin/python benchmarks/bench_scoring.py --n 1000        # smaller

Target (issue 29): scoring 10,000 ensembles of 50 members x 300 steps x 3 variables in at most
10 CPU-s. ``score_ensembles`` computes everything a row of the probabilistic track needs: the
fair CRPS of every value, the quantiles of the 50% and 90% intervals and the median, the
weighted interval score and coverage, the members' mean and variance (spread/skill), the
randomised ranks (PIT histogram), and the fair energy score of the whole state at every step.
The energy score is timed apart: it needs every pair of members at every step (m^2 / 2 = 1,225
distances per step), which no sorting can avoid, and it dominates the cost.

Peers, timed on ``--compare`` ensembles and scaled to ``--n`` (the data are the same arrays):
scoringrules 0.10 (the ``bench`` extra installs it) with its ``numpy`` and ``numba`` backends and
its ``jax`` backend under ``jax.jit`` (float64, through chaoszoo's x64 context): the fair CRPS
(``crps_ensemble(estimator="fair")``), the fair energy score (``es_ensemble(estimator="fair")``),
and the weighted interval score from the same quantiles (numba backend: its numpy and jax ones of
0.10.0 add the median instead of its absolute error). Every peer's values are checked against ours.

Both wall-clock and CPU time of this process are printed (CPU time is what the computation costs
on a shared machine); each figure is the median over chunks of ``--chunk`` ensembles. Data
generation is not timed: targets are Lorenz windows, members the target plus a spread growing
like exp(t / Lyapunov time), so ensembles look like real forecasts.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402

from chaoszoo.forecast.metrics import proper  # noqa: E402

M, H, D = 50, 300, 3
PTS_PER_LYAP = 30.0


def lorenz_windows():
    import chaoszoo as cz

    lyap_time = 1.0 / 0.9056
    return cz.get("Lorenz").trajectory(20_000, dt=lyap_time / PTS_PER_LYAP, transient=1000).values


def make_chunk(traj, b: int, seed: int):
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, len(traj) - H, b)
    y = np.stack([traj[a:a + H] for a in starts])
    growth = np.exp(np.arange(H) / PTS_PER_LYAP)[None, None, :, None]
    eps = 10.0 ** rng.uniform(-3, -1, (b, 1, 1, 1))
    spread = np.minimum(eps * growth, 1.0) * traj.std(axis=0)
    x = y[:, None] + spread * rng.standard_normal((b, M, H, D)) + 0.3 * spread * rng.standard_normal((b, 1, H, D))
    return y, x


def timed(fn, *args, **kw):
    w, c = time.perf_counter(), time.process_time()
    out = fn(*args, **kw)
    return out, time.perf_counter() - w, time.process_time() - c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=10_000, help="ensembles to score (default 10,000)")
    ap.add_argument("--chunk", type=int, default=50, help="ensembles per call (bounds memory)")
    ap.add_argument("--compare", type=int, default=100, help="ensembles the scoringrules peers are timed on")
    args = ap.parse_args()
    import scoringrules as sr

    from chaoszoo.engine._jax import x64

    traj = lorenz_windows()
    n_chunks = max(1, args.n // args.chunk)
    scale = args.n / (n_chunks * args.chunk)
    # warm up (jit compilation of the energy-score kernel for the chunk's shape)
    y, x = make_chunk(traj, args.chunk, 0)
    proper.score_ensembles(y, x)

    wall = {"rest": [], "energy": []}
    cpu = {"rest": [], "energy": []}
    for k in range(n_chunks):
        y, x = make_chunk(traj, args.chunk, k + 1)
        _, w, c = timed(proper.score_ensembles, y, x, energy=False)
        wall["rest"].append(w)
        cpu["rest"].append(c)
        f = np.ascontiguousarray(np.transpose(x, (0, 2, 3, 1))).reshape(-1, D, M)  # untimed: the layout copy is in "rest"
        _, w, c = timed(proper._energy, y.reshape(-1, D), f, True)
        wall["energy"].append(w)
        cpu["energy"].append(c)
    per = {k: float(np.median(v)) * n_chunks * scale for k, v in cpu.items()}
    perw = {k: float(np.median(v)) * n_chunks * scale for k, v in wall.items()}
    print(f"chaoszoo.forecast.metrics.proper, {args.n:,} ensembles of {M} x {H} x {D} (median chunk of {args.chunk}, "
          "scaled):")
    print(f"  CRPS, quantiles, WIS, coverage, mean/variance, PIT: {per['rest']:7.2f} CPU-s  ({perw['rest']:.2f} wall-s)")
    print(f"  energy score (fair, every pair of members):         {per['energy']:7.2f} CPU-s  ({perw['energy']:.2f} wall-s)")
    total = per["rest"] + per["energy"]
    print(f"  all of score_ensembles:                             {total:7.2f} CPU-s   target 10 CPU-s: "
          f"{'met' if total <= 10 else 'missed'} ({'met' if per['rest'] <= 10 else 'missed'} without the energy score)")

    # --- the peers, on the same arrays --------------------------------------------------------------
    nc = max(1, args.compare // 10)
    chunks = [make_chunk(traj, 10, 10_000 + k) for k in range(nc)]
    sc = args.n / (nc * 10)

    def peer(fn):
        times, outs = [], []
        fn(*chunks[0])  # warm up (numba and jit compile)
        for y, x in chunks:
            out, _, c = timed(fn, y, x)
            times.append(c)
            outs.append(np.asarray(out))
        return float(np.median(times)) * nc * sc, outs

    ours_crps = peer(lambda y, x: proper.score_ensembles(y, x, energy=False)["crps"])
    ours_crps_only = peer(lambda y, x: proper.crps_ensemble(y, np.moveaxis(x, 1, 0)))
    ours_es = peer(lambda y, x: proper._energy(y.reshape(-1, D), np.ascontiguousarray(
        np.transpose(x, (0, 2, 3, 1))).reshape(-1, D, M), True).reshape(y.shape[:2]))
    with x64():
        import jax

        jcrps = jax.jit(lambda y, x: sr.crps_ensemble(y, x, m_axis=1, estimator="fair", backend="jax"))
        jes = jax.jit(lambda y, x: sr.es_ensemble(y, x, estimator="fair", backend="jax"))
        rows = [
            ("CRPS (fair)", "ours, crps_ensemble", ours_crps_only, None),
            ("CRPS (fair)", "scoringrules numpy", peer(lambda y, x: sr.crps_ensemble(
                y, x, m_axis=1, estimator="fair", backend="numpy")), ours_crps_only),
            ("CRPS (fair)", "scoringrules numba", peer(lambda y, x: sr.crps_ensemble(
                y, x, m_axis=1, estimator="fair", backend="numba")), ours_crps_only),
            ("CRPS (fair)", "scoringrules jax (jit)", peer(lambda y, x: jcrps(y, x).block_until_ready()),
             ours_crps_only),
            ("energy score (fair)", "ours, XLA kernel", ours_es, None),
            ("energy score (fair)", "scoringrules numba", peer(lambda y, x: sr.es_ensemble(
                y, np.moveaxis(x, 1, 2), estimator="fair", backend="numba")), ours_es),
            ("energy score (fair)", "scoringrules jax (jit)", peer(lambda y, x: jes(
                y, np.moveaxis(x, 1, 2)).block_until_ready()), ours_es),
        ]
    q = proper.INTERVAL_LEVELS

    def wis_sr(y, x):
        qs = np.quantile(x, q, axis=1)
        return sr.weighted_interval_score(y, qs[2], np.stack([qs[1], qs[0]], -1), np.stack([qs[3], qs[4]], -1),
                                          np.array([0.5, 0.1]), backend="numba")

    ours_wis = peer(lambda y, x: proper.score_ensembles(y, x, energy=False)["wis"])
    rows += [("WIS (50%, 90%, median)", "ours, within score_ensembles", ours_wis, None),
             ("WIS (50%, 90%, median)", "scoringrules numba (+ np.quantile)", peer(wis_sr), ours_wis)]
    print(f"\nPeers on {nc * 10} ensembles, CPU-s scaled to {args.n:,} (ratio: theirs / ours; max |difference|):")
    print(f"  {'score':24s} {'implementation':36s} {'CPU-s':>8s} {'ratio':>7s} {'max diff':>9s}")
    for score, impl, (t, outs), ref in rows:
        if ref is None:
            print(f"  {score:24s} {impl:36s} {t:8.2f} {'1.0':>7s} {'-':>9s}")
            continue
        diff = max(float(np.max(np.abs(np.asarray(a) - np.asarray(b)))) for a, b in zip(outs, ref[1]))
        print(f"  {score:24s} {impl:36s} {t:8.2f} {t / ref[0]:7.1f} {diff:9.1e}")
    print(f"\n(score_ensembles' CRPS pass, which also gives the quantiles, WIS, coverage, variance and ranks: "
          f"{ours_crps[0]:.2f} CPU-s for the same arrays)")


if __name__ == "__main__":
    main()
