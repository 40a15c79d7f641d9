"""Lyapunov spectra: chaoszoo (JAX tangent dynamics) against published values and dysts.

Run from the repository root::

    .venv/bin/python benchmarks/bench_lyapunov.py
    # side by side with dysts installed in another environment of the same Python version:
    # its site-packages is appended to sys.path (after ours, so our packages take precedence)
    DYSTS_SITE=/tmp/dysts_env/lib/python3.11/site-packages .venv/bin/python benchmarks/bench_lyapunov.py

dysts is optional: without it only the chaoszoo column is printed. Timings are wall-clock
on whatever machine runs the script; chaoszoo is timed once compiled ("warm") and the
first call (compilation included) is reported separately.

Published values: Sprott, J. C. (2003). Chaos and Time-Series Analysis, Appendix A.
"""

from __future__ import annotations

import math
import os
import sys
import time

os.environ.setdefault("JAX_PLATFORMS", "cpu")
if os.environ.get("DYSTS_SITE"):
    sys.path.append(os.environ["DYSTS_SITE"])

import numpy as np  # noqa: E402

import chaoszoo as cz  # noqa: E402
from chaoszoo.analysis.lyapunov import lyapunov_spectrum  # noqa: E402

#: (system, parameters, published spectrum, source)
CASES = [
    ("Lorenz", dict(sigma=10.0, rho=28.0, beta=8 / 3), (0.9056, 0.0, -14.5723), "Sprott 2003"),
    ("Rossler", dict(a=0.2, b=0.2, c=5.7), (0.0714, 0.0, -5.3943), "Sprott 2003"),
    ("Henon", dict(a=1.4, b=0.3), (0.41922, -1.62319), "Sprott 2003"),
    ("Ikeda", dict(u=0.9), (0.5076, -0.7183), "Sprott 2003"),
    ("Logistic", dict(r=4.0), (math.log(2),), "analytic (ln 2)"),
]


def _dysts_model(name, params):
    """The dysts model with these parameters, or None when dysts is not importable."""
    try:
        import dysts.flows as flows
    except ImportError:
        return None
    cls = getattr(flows, name, None)
    return None if cls is None else cls(parameters=params)


def _dysts_spectrum(model, n_pts):
    from dysts.analysis import find_lyapunov_exponents

    return find_lyapunov_exponents(model, n_pts, pts_per_period=100)


def _time(fn, repeat=1):
    t0 = time.perf_counter()
    for _ in range(repeat):
        out = fn()
    return out, (time.perf_counter() - t0) / repeat


#: Length of the dysts run: 50 periods at 100 points per period (its cost is a Python loop
#: over the points after a tight-tolerance SciPy integration, so longer runs take minutes).
DYSTS_POINTS = 50 * 100


def main() -> None:
    have = set(cz.names())
    print(f"{'system':10s} {'source':16s} {'published':>28s} {'chaoszoo':>28s} {'rel.err l1':>10s} "
          f"{'warm s':>7s} {'cold s':>7s} {'dysts l1':>9s} {'dysts s':>8s} {'ratio':>6s}", flush=True)
    any_dysts = False
    for name, params, pub, source in CASES:
        if name not in have:
            print(f"{name}: not in the catalog, skipped", flush=True)
            continue
        s = cz.get(name).with_params(**params)
        _, cold = _time(lambda: lyapunov_spectrum(s))
        lam, warm = _time(lambda: lyapunov_spectrum(s, seed=1))
        d_lam = d_time = None
        model = _dysts_model(name, params) if s.kind == "flow" else None
        if model is not None:
            try:
                # dysts: backward-Euler tangent steps along a resampled trajectory
                d_lam, d_time = _time(lambda: _dysts_spectrum(model, DYSTS_POINTS))
                any_dysts = True
            except Exception as exc:  # noqa: BLE001 - the comparison is optional
                print(f"{name}: dysts failed ({exc})", flush=True)
        pub_s = ", ".join(f"{v:.4f}" for v in pub)
        lam_s = ", ".join(f"{v:.4f}" for v in lam[: len(pub)])
        err = abs(lam[0] - pub[0]) / abs(pub[0])
        d1 = f"{d_lam[0]:.4f}" if d_lam is not None else "-"
        dt = f"{d_time:.2f}" if d_time is not None else "-"
        ratio = f"{d_time / warm:.0f}x" if d_time is not None else "-"
        print(f"{name:10s} {source:16s} {pub_s:>28s} {lam_s:>28s} {err:10.2%} {warm:7.3f} {cold:7.2f} "
              f"{d1:>9s} {dt:>8s} {ratio:>6s}", flush=True)
    if not any_dysts:
        print("\n(dysts not importable: set DYSTS_SITE to the site-packages of an environment with dysts)",
              file=sys.stderr)


if __name__ == "__main__":
    np.set_printoptions(precision=4)
    main()
