"""Cost of every registered forecasting model: fit and predict seconds and peak memory.

Run from the repository root::

    .venv/bin/python benchmarks/bench_zoo.py                      # every model, fast and default settings
    .venv/bin/python benchmarks/bench_zoo.py --settings fast      # only the fast settings
    .venv/bin/python benchmarks/bench_zoo.py --models esn,nbeats --out /tmp/zoo_cost.json

Each (model, setting) runs in a fresh child process on the same Lorenz history of 1000 x 3
samples (30 points per period) and forecasts 100 steps. The child reports: the time to import
the model's library (``import_s``); the first fit (``fit_s``, wall and CPU; it includes lazy
imports and any JIT compilation, which is what one benchmark job pays); a second fit of a fresh
instance in the same process (``fit2_s``, the warm cost; fast settings only); ``predict_s``;
and its peak resident memory (``ru_maxrss``: libraries included, as a pool worker would hold).
Results are appended to ``--out`` (JSON lines) as they come, so an interrupted run resumes;
``--markdown`` prints the table for docs/models.md. The CPU seconds are what the model costs;
on a shared machine the wall seconds also count the other jobs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np  # noqa: E402

N, D, HORIZON, PTS = 1000, 3, 100, 30


def _lorenz():
    """The Lorenz history, generated once and shared by the children through a temp file."""
    import tempfile

    path = Path(tempfile.gettempdir()) / f"chaoszoo_bench_zoo_lorenz_{N}_{PTS}.npz"
    if not path.exists():
        import chaoszoo as cz

        s = cz.get("Lorenz")
        tr = s.trajectory(N, pts_per_period=PTS, transient=200)
        tmp = path.with_suffix(f".{os.getpid()}.npz")
        np.savez(tmp, values=tr.values, dt=float(tr.t[1] - tr.t[0]), lyap=s.lyapunov_time,
                 names=list(s.params), params=list(s.params.values()))
        os.replace(tmp, path)
    z = np.load(path)
    return z["values"], float(z["dt"]), float(z["lyap"]), dict(zip(z["names"].tolist(), z["params"].tolist()))


def _child(name: str, setting: str) -> dict:
    import importlib
    import warnings

    warnings.filterwarnings("ignore")
    from chaoszoo.forecast import registry
    from chaoszoo.forecast.interface import ForecastInfo

    values, dt, lyap, params = _lorenz()
    info = ForecastInfo(system="Lorenz", dt=dt, pts_per_period=float(PTS), lyapunov_time=lyap,
                        variables=("x", "y", "z"), seed=1,
                        privileged_state={"state": values[-1].copy(), "params": params,
                                          "std": values.std(axis=0)})  # for the oracle
    spec = registry.get_spec(name)
    fast = setting == "fast"
    out = {"model": name, "setting": setting, "extra": spec.extra or "core", "family": spec.family}
    w = time.perf_counter()
    for mod in spec.requires:
        importlib.import_module(mod)
    out["import_s"] = time.perf_counter() - w

    def timed(fn):
        w, c = time.perf_counter(), time.process_time()
        r = fn()
        return r, time.perf_counter() - w, time.process_time() - c

    m = registry.make(name, fast=fast)
    _, out["fit_s"], out["fit_cpu_s"] = timed(lambda: m.fit(values, info))
    _, out["predict_s"], out["predict_cpu_s"] = timed(lambda: m.predict(HORIZON))
    if fast:
        m2 = registry.make(name, fast=fast)
        _, out["fit2_s"], out["fit2_cpu_s"] = timed(lambda: m2.fit(values, info))
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def _markdown(rows: list[dict]) -> str:
    from chaoszoo.forecast import registry

    by = {(r["model"], r["setting"]): r for r in rows}
    lines = ["| model | extra | fast: first fit, wall s (CPU s) | fast: warm fit, CPU s | fast: predict, CPU s "
             "| fast: peak MB | default: first fit, wall s (CPU s) | default: predict, CPU s | default: peak MB |",
             "|---|---|---|---|---|---|---|---|---|"]

    def cell(r, key, fmt="{:.2f}"):
        if r is None:
            return "not run"
        if "error" in r:
            return r["error"][:40]
        return fmt.format(r[key]) if key in r else ""

    for spec in registry.list_models():
        f, d = by.get((spec.name, "fast")), by.get((spec.name, "default"))
        if f is None and d is None:
            continue
        fit_f = f"{cell(f, 'fit_s')} ({cell(f, 'fit_cpu_s')})" if f and "error" not in f else cell(f, "fit_s")
        if d is None and not spec.fast:  # no separate fast setting: the default is the same
            d = {"error": "= fast"}
        fit_d = f"{cell(d, 'fit_s')} ({cell(d, 'fit_cpu_s')})" if d and "error" not in d else cell(d, "fit_s")
        lines.append(f"| {spec.name} | {spec.extra or 'core'} | {fit_f} | {cell(f, 'fit2_cpu_s')} | "
                     f"{cell(f, 'predict_cpu_s')} | {cell(f, 'peak_mb', '{:.0f}')} | {fit_d} | {cell(d, 'predict_cpu_s')} | "
                     f"{cell(d, 'peak_mb', '{:.0f}')} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--models", default="", help="comma-separated names (default: every registered model)")
    ap.add_argument("--settings", default="fast,default")
    ap.add_argument("--out", default="benchmarks/results/zoo_cost.jsonl")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per (model, setting)")
    ap.add_argument("--markdown", action="store_true", help="print the table of --out and exit")
    ap.add_argument("--child", nargs=2, metavar=("MODEL", "SETTING"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.child:
        print("RESULT " + json.dumps(_child(*a.child)), flush=True)
        return
    out = Path(a.out)
    rows = [json.loads(x) for x in out.read_text().splitlines() if x.strip()] if out.exists() else []
    if a.markdown:
        print(_markdown(rows))
        return
    from chaoszoo.forecast import registry

    names = [n for n in a.models.split(",") if n] or [s.name for s in registry.list_models()]
    done = {(r["model"], r["setting"]) for r in rows}
    out.parent.mkdir(parents=True, exist_ok=True)
    for setting in a.settings.split(","):
        for name in names:
            if (name, setting) in done:
                continue
            cmd = [sys.executable, __file__, "--child", name, setting]
            try:
                p = subprocess.run(cmd, capture_output=True, text=True, timeout=a.timeout)
                res = [ln for ln in p.stdout.splitlines() if ln.startswith("RESULT ")]
                row = json.loads(res[-1][7:]) if res else {
                    "model": name, "setting": setting,
                    "error": (p.stderr.strip().splitlines() or ["no output"])[-1]}
            except subprocess.TimeoutExpired:
                row = {"model": name, "setting": setting, "error": f"over {a.timeout:.0f} s"}
            with out.open("a") as fh:
                fh.write(json.dumps(row) + "\n")
            shown = row.get("error") or (f"fit {row['fit_s']:.2f} s (cpu {row['fit_cpu_s']:.2f}) "
                                         f"predict {row['predict_s']:.2f} s peak {row['peak_mb']:.0f} MB")
            print(f"{setting:8s} {name:18s} {shown}", flush=True)
    rows = [json.loads(x) for x in out.read_text().splitlines() if x.strip()]
    print(_markdown(rows))


if __name__ == "__main__":
    main()
