"""Copy a benchmark run into the package: the rows as Parquet plus a JSON sidecar with the
protocol, the command that regenerated them, the leaderboard and the invariant correlations.

    .venv/bin/python tools/ship_forecast_results.py results/short-coarse \
        --command "chaoszoo forecast run -p short-coarse -m ... --variants uni-clean,uni-noisy --out results/short-coarse"

Writes ``src/chaoszoo/forecast/data/results/<protocol>.parquet`` and ``<protocol>.json``
(read by the atlas and by ``chaoszoo.forecast.shipped_results``).
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import numpy as np


def planned_jobs(commands) -> set:
    """The job ids the ``chaoszoo forecast run`` commands plan (parsed as the CLI parses them)."""
    import shlex

    from chaoszoo.cli.forecast import _key_values, _names, run_cmd
    from chaoszoo.forecast.protocols import get_protocol
    from chaoszoo.forecast.runner import _applicable, plan, select_systems

    ids = set()
    for command in commands:
        args = shlex.split(command, comments=True)
        ctx = run_cmd.make_context("run", args[3:])
        p = ctx.params
        protocol = get_protocol(p["protocol"])
        systems = _names(p["systems"]) or None
        tag = p["tag"][0] if p["tag"] else None  # --tag is repeatable on the CLI, which refuses two
        names = _applicable(protocol, select_systems(systems, tag), explicit=bool(systems))
        jobs = plan(protocol, _names(p["models"]), names, ics=p["ics"], fast=p["fast"], variants=p["variants"],
                    params=_key_values(p["params"]) or None, attractor_metrics=not p["no_attractor_metrics"])
        ids |= {j.job_id for j in jobs}
    return ids


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("directories", nargs="+")
    ap.add_argument("--command", required=True, action="append",
                    help="the exact command that produced a run (repeat for each directory's run)")
    ap.add_argument("--wall-seconds", type=float, default=None,
                    help="measured wall time of the run (default: the total the stores recorded, over sessions)")
    args = ap.parse_args()

    from chaoszoo.forecast.ranking import cost_table, invariant_correlations, leaderboard
    from chaoszoo.forecast.store import ResultsStore, export_parquet, load_results

    df = load_results(args.directories)
    protocols, recorded, cpu = [], 0.0, 0.0
    for d in args.directories:
        with ResultsStore(d, create=False) as st:
            protocols.append(st.protocol)
            recorded += st.wall_seconds  # what the runs writing the store took, over sessions
            cpu += st.cpu_seconds
    protocol = protocols[0]
    wall = args.wall_seconds if args.wall_seconds is not None else (round(recorded) or None)
    name = protocol["name"]
    out = Path(__file__).resolve().parents[1] / "src" / "chaoszoo" / "forecast" / "data" / "results"
    out.mkdir(parents=True, exist_ok=True)
    export_parquet(args.directories, out / f"{name}.parquet")
    lb = leaderboard(df, metric="smape", by=("variant",))
    costs = cost_table(df)
    corr = {v: invariant_correlations(df, "smape", v).replace({np.nan: None}).to_dict("records")
            for v in sorted(df["variant"].unique())}
    planned = planned_jobs(args.command)
    missing = sorted(planned - set(df["job_id"]))
    meta = {"protocol": protocol, "command": " && ".join(args.command), "commands": args.command,
            "wall_seconds": wall, "cpu_seconds": round(cpu) or None,
            "job_seconds": round(float(df["seconds"].fillna(0).sum())) if "seconds" in df else None,
            "planned_jobs": len(planned), "missing_jobs": len(missing), "complete": not missing,
            "jobs": int(len(df)), "failed": int((df["status"] != "ok").sum()),
            "systems": int(df["system"].nunique()), "models": sorted(df["model"].unique()),
            "leaderboard_smape": lb.replace({np.nan: None}).to_dict("records"),
            "costs": costs.replace({np.nan: None}).to_dict("records"),
            "invariant_correlations_smape": corr}
    tmp = out / f".{name}.json.tmp"
    tmp.write_text(json.dumps(meta, indent=1, sort_keys=True, default=float) + "\n")
    os.replace(tmp, out / f"{name}.json")
    print(f"wrote {out / (name + '.parquet')} ({len(df)} rows; {len(missing)} of the {len(planned)} planned jobs "
          f"missing) and {name}.json")


if __name__ == "__main__":
    main()
