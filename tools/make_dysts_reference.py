"""Write tests/data/dysts_reference.npz: values computed by dysts itself.

Run with an interpreter that has dysts installed (it is *not* a chaoszoo dependency)::

    /tmp/dysts_env/bin/python tools/make_dysts_reference.py

The file is an independent reference for ``tests/test_compat_dysts.py``: every number in it
comes from dysts's own code, so the test compares chaoszoo against a separate implementation.

What is recorded (keys are ``"<kind>|<Name>|<field>"``; kind is ``flow``, ``delay`` or ``map``):

* ``flow|N|X`` (5, d) points drawn near dysts's default initial condition with a seeded
  ``numpy.random.Generator``; ``flow|N|dXdt`` the vector field ``rhs(X, t)`` at ``t = 0.3``;
  ``flow|N|ic`` the default initial condition; ``<kind>|N|period_dt`` dysts's period and dt.
* ``delay|N|x`` and ``delay|N|xd`` five (x(t), x(t - tau)) pairs; ``delay|N|dxdt`` the scalar
  delayed vector field at ``t = 0.3``.
* ``map|N|X`` / ``map|N|next`` five points and their images; ``map|N|ic`` the default initial
  condition and ``map|N|orbit`` (20, d) its first 20 images (``make_trajectory(20)``).
* ``<kind>|N|param_names`` / ``param_values`` the scalar default parameters, sorted by name.
* ``list|<sys_class>`` the names ``get_attractor_list(sys_class)`` returns.
* ``traj|...`` a few short trajectories and time grids from ``make_trajectory`` (Lorenz,
  DoubleGyre with its default postprocessing, MackeyGlass with its delay embedding).

The dysts version is stored under ``meta|dysts_version``.
"""

from __future__ import annotations

import sys
import warnings
from importlib import metadata
from pathlib import Path

import numpy as np

warnings.simplefilter("ignore")

import dysts.flows as dflows  # noqa: E402
import dysts.maps as dmaps  # noqa: E402
from dysts.systems import get_attractor_list  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "dysts_reference.npz"
N_POINTS = 5
T_EVAL = 0.3


def nearby(rng: np.random.Generator, centre: np.ndarray, good, tries: int = 50) -> np.ndarray:
    """``N_POINTS`` states scattered around ``centre`` (5 % relative, small absolute floor).

    A draw is kept only where ``good(x)`` holds (finite vector field); after ``tries`` failures
    the centre itself is used, so the file never holds NaN.
    """
    centre = np.asarray(centre, dtype=np.float64)
    scale = 0.05 * np.abs(centre) + 0.01
    rows = []
    for _ in range(N_POINTS):
        for _ in range(tries):
            x = centre + scale * rng.standard_normal(centre.shape)
            if good(x):
                break
        else:
            x = centre.copy()
        rows.append(x)
    return np.array(rows)


def param_arrays(model):
    """Names and values of the scalar default parameters (sorted); array-valued ones are skipped
    (chaoszoo spells those out as one scalar per entry, under its own names)."""
    keys = [k for k in sorted(model.params) if np.ndim(model.params[k]) == 0]
    values = np.array([float(model.params[k]) for k in keys], dtype=np.float64)
    return np.array(keys, dtype=str), values


def main() -> int:
    rng = np.random.default_rng(20240611)
    out: dict[str, np.ndarray] = {"meta|dysts_version": np.array(metadata.version("dysts"))}
    for cls in ("continuous", "continuous_no_delay", "delay", "discrete"):
        out[f"list|{cls}"] = np.array(get_attractor_list(cls), dtype=str)

    delays = set(get_attractor_list("delay"))
    for name in get_attractor_list("continuous"):
        model = getattr(dflows, name)()
        names, values = param_arrays(model)
        if name in delays:
            p = model.param_list

            def field(x, xd):
                return float(np.asarray(model._rhs(x, xd, T_EVAL, *p), dtype=np.float64))

            ic = np.asarray(model.ic, dtype=np.float64)
            pts = nearby(rng, np.array([ic[0], ic[-1]]), lambda v: np.isfinite(field(v[0], v[1])))
            out[f"delay|{name}|x"], out[f"delay|{name}|xd"] = pts[:, 0], pts[:, 1]
            out[f"delay|{name}|dxdt"] = np.array([field(a, b) for a, b in pts])
            out[f"delay|{name}|ic"] = ic
            kind = "delay"
        else:
            def field(x):
                return np.asarray(model.rhs(x, T_EVAL), dtype=np.float64)

            X = nearby(rng, model.ic, lambda x: np.isfinite(field(x)).all())
            out[f"flow|{name}|X"] = X
            out[f"flow|{name}|dXdt"] = np.array([field(x) for x in X])
            out[f"flow|{name}|ic"] = np.asarray(model.ic, dtype=np.float64)
            kind = "flow"
        out[f"{kind}|{name}|param_names"], out[f"{kind}|{name}|param_values"] = names, values
        out[f"{kind}|{name}|period_dt"] = np.array([model.period, model.dt], dtype=np.float64)

    for name in get_attractor_list("discrete"):
        model = getattr(dmaps, name)()
        ic = np.atleast_1d(np.asarray(model.ic, dtype=np.float64))

        def image(x):
            return np.asarray(model.rhs(np.asarray(x)[None, :]), dtype=np.float64).reshape(-1)

        X = nearby(rng, ic, lambda x: np.isfinite(image(x)).all())
        out[f"map|{name}|X"] = X
        out[f"map|{name}|next"] = np.array([image(x) for x in X])
        out[f"map|{name}|ic"] = ic
        out[f"map|{name}|orbit"] = np.asarray(model.make_trajectory(20), dtype=np.float64).reshape(20, -1)
        out[f"map|{name}|param_names"], out[f"map|{name}|param_values"] = param_arrays(model)

    # Short trajectories: the time grids and, over a couple of periods, the values.
    lorenz = dflows.Lorenz()
    t, x = lorenz.make_trajectory(200, return_times=True)
    out["traj|Lorenz|default|t"], out["traj|Lorenz|default|values"] = t, x
    t, _ = lorenz.make_trajectory(101, pts_per_period=37, return_times=True)
    out["traj|Lorenz|ppp37|t"] = t
    t, x = lorenz.make_trajectory(50, resample=False, return_times=True)
    out["traj|Lorenz|noresample|t"], out["traj|Lorenz|noresample|values"] = t, x
    gyre = dflows.DoubleGyre()
    t, x = gyre.make_trajectory(150, return_times=True)
    out["traj|DoubleGyre|default|t"], out["traj|DoubleGyre|default|values"] = t, x
    mg = dflows.MackeyGlass()
    t, x = mg.make_trajectory(300, return_times=True)
    out["traj|MackeyGlass|default|t"], out["traj|MackeyGlass|default|values"] = t, x

    OUT.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(OUT, **out)
    print(f"wrote {OUT} ({OUT.stat().st_size / 1024:.0f} KiB, {len(out)} arrays)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
