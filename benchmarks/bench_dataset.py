"""Benchmark: building the standard collection with chaoszoo vs generating the same points with dysts.

chaoszoo side: ``chaoszoo.data.build`` of the standard preset (optionally restricted with
``--systems`` / ``--n-ics``), wall time and points per second. Two variants are timed:
the full preset (clean + noisy + univariate views + Lyapunov grid where available) and the
"clean" one (noise-free fine and coarse grids only), which is what the dysts side produces.

dysts side (when dysts is importable here, or through ``--dysts-python``, by default the
scratch environment /tmp/dysts_env): for the same systems, ``2 * n_ics`` initial conditions
per system integrated with ``make_trajectory`` on the fine grid (12 periods at 100 points
per period) and on the coarse grid (12 periods at 15 points per period), the same number of
points as chaoszoo's clean variant, at dysts' default solver settings.

Usage::

    python benchmarks/bench_dataset.py                          # whole standard preset
    python benchmarks/bench_dataset.py --systems Lorenz Rossler Thomas --n-ics 4 --jobs 2
    python benchmarks/bench_dataset.py --status /tmp/standard    # figures of a (partial) build
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


def chaoszoo_side(args) -> dict:
    from chaoszoo.data import get_preset, build, load

    base = get_preset("standard")
    changes = {}
    if args.n_ics:
        changes["n_ics"] = args.n_ics
    if args.systems:
        changes["systems"] = tuple(args.systems)
    out = {}
    for label, extra in (("clean", dict(noise_level=0.0, lyapunov=False, univariate=False)), ("full", {})):
        preset = base.replace(**changes, **extra)
        tmp = tempfile.mkdtemp(prefix=f"cz-bench-{label}-")
        try:
            t = time.perf_counter()
            res = build(preset, tmp, jobs=args.jobs, progress=not args.quiet)
            seconds = time.perf_counter() - t
            d = load(tmp, univariate=False, progress=False)
            points = int(sum(v.size for v in d.values))
            size = sum(f["bytes"] for f in res.manifest["files"].values())
            out[label] = dict(seconds=seconds, systems=len(res.manifest["systems"]),
                              failed=sorted(res.manifest["failed"]), trajectories=res.manifest["trajectories"],
                              points=points, bytes=size, points_per_second=points / seconds)
            if label == "clean":
                out["systems"] = sorted(res.manifest["systems"])
                out["n_ics"] = preset.n_ics
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return out


def dysts_side(systems, n_ics: int) -> dict:
    import numpy as np
    import dysts.flows as flows

    total, done, skipped = 0, [], []
    t = time.perf_counter()
    for name in systems:
        cls = getattr(flows, name, None)
        if cls is None:
            skipped.append(name)
            continue
        model = cls()
        rng = np.random.default_rng(0)
        ic = np.asarray(model.ic, float)
        ics = ic + 1e-2 * (np.abs(ic) + 1e-2) * rng.standard_normal((2 * n_ics, len(ic)))
        for pts in (100, 15):
            traj = model.make_trajectory(12 * pts, pts_per_period=pts, init_cond=ics)
            if traj is not None:
                total += int(np.asarray(traj).size)
        done.append(name)
    seconds = time.perf_counter() - t
    return dict(seconds=seconds, systems=len(done), not_in_dysts=skipped, points=total,
                points_per_second=total / seconds if seconds else float("nan"))


def build_status(path: str) -> dict:
    """Figures of a finished or interrupted build in ``path``: systems done, rows, bytes, and,
    when finished, the SHA-256 of manifest.json (the fingerprint published in docs/datasets.md)."""
    import hashlib
    from pathlib import Path

    root = Path(path)
    manifest = root / "manifest.json"
    if manifest.is_file():
        doc = json.loads(manifest.read_text())
        return dict(finished=True, systems=len(doc["systems"]), failed=sorted(doc["failed"]),
                    trajectories=doc["trajectories"], bytes=sum(f["bytes"] for f in doc["files"].values()),
                    manifest_sha256=hashlib.sha256(manifest.read_bytes()).hexdigest())
    records = [json.loads(p.read_text()) for p in sorted((root / ".chaoszoo-build").glob("*.json")) if p.name != "build.json"]
    planned = len(json.loads((root / ".chaoszoo-build" / "build.json").read_text())["systems"])
    return dict(finished=False, systems=len(records), planned=planned,
                trajectories=sum(r.get("rows", 0) or 0 for r in records),
                bytes=sum(r.get("bytes", 0) or 0 for r in records))


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--status", default=None, metavar="DIR",
                   help="only print the figures of a (possibly unfinished) build in DIR")
    p.add_argument("--systems", nargs="*", default=None, help="restrict to these systems")
    p.add_argument("--n-ics", type=int, default=None, help="initial conditions per split (default: preset's 20)")
    p.add_argument("--jobs", type=int, default=None, help="worker processes (default: all cores)")
    p.add_argument("--dysts-python", default="/tmp/dysts_env/bin/python",
                   help="interpreter with dysts installed, used when dysts is not importable here")
    p.add_argument("--dysts-only", default=None, help=argparse.SUPPRESS)  # internal: JSON [systems, n_ics]
    p.add_argument("--quiet", action="store_true")
    args = p.parse_args(argv)
    if args.status:
        print(json.dumps(build_status(args.status), indent=1))
        return
    if args.dysts_only:
        systems, n_ics = json.loads(args.dysts_only)
        print(json.dumps(dysts_side(systems, n_ics)))
        return

    cz = chaoszoo_side(args)
    for label in ("clean", "full"):
        r = cz[label]
        print(f"chaoszoo {label:5s}: {r['systems']} systems, {r['trajectories']} trajectories, {r['points']:,} numbers, "
              f"{r['bytes'] / 2**20:.1f} MiB in {r['seconds']:.1f} s ({r['points_per_second']:,.0f} numbers/s)"
              + (f"; failed: {', '.join(r['failed'])}" if r["failed"] else ""))
    try:
        import dysts  # noqa: F401
        dy = dysts_side(cz["systems"], cz["n_ics"])
    except ImportError:
        if args.dysts_python and os.path.exists(args.dysts_python):
            proc = subprocess.run([args.dysts_python, __file__, "--dysts-only", json.dumps([cz["systems"], cz["n_ics"]])],
                                  capture_output=True, text=True)
            if proc.returncode != 0:
                print("dysts run failed:\n" + proc.stderr[-2000:])
                return
            dy = json.loads(proc.stdout.strip().splitlines()[-1])
        else:
            print("dysts is not installed: chaoszoo figures only.")
            return
    print(f"dysts          : {dy['systems']} systems, {dy['points']:,} numbers in {dy['seconds']:.1f} s "
          f"({dy['points_per_second']:,.0f} numbers/s)"
          + (f"; not in dysts: {', '.join(dy['not_in_dysts'])}" if dy["not_in_dysts"] else ""))
    print(f"speed-up (clean variant, same points): {dy['seconds'] / cz['clean']['seconds']:.2f}x")


if __name__ == "__main__":
    main()
