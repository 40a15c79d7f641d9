"""``chaoszoo experiment transfer|importance``: the generative experiments of Gilpin (2021), sec. 6.

Every argument (systems, data sets, budget, output folder, an earlier results file there) is
checked before any work; a run in which no system or data set gave a result is an error, and
the reasons of those that failed are printed, not only recorded in the JSON.
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import click

from chaoszoo.cli import main


@main.group("experiment")
def experiment() -> None:
    """Experiments that use the catalog as a generator (see docs/transfer.md, docs/importance-sampling.md)."""


def _setup() -> None:
    from chaoszoo.cli._common import enable_compilation_cache

    enable_compilation_cache()


@experiment.command("transfer")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="Output directory.")
@click.option("--fast", is_flag=True, help="Tiny settings: one small data set, a few flows, a short training.")
@click.option("--dataset", "datasets", multiple=True,
              help="Data set(s) to run: repeat the option or separate names with commas (default: every shipped one).")
@click.option("--bank-only", is_flag=True, help="Use only the flows already in the surrogate bank (no integration).")
@click.option("--seed", type=int, default=0, show_default=True)
def transfer_cmd(out, fast, datasets, bank_only, seed):
    """Surrogate transfer learning for classification on the UCR sets shipped by aeon.

    Writes OUT/transfer.json (resumable: rerun the same command to continue) and OUT/transfer.png.
    """
    from chaoszoo.data.files import output_dir
    from chaoszoo.errors import ChaoszooError, DatasetError
    from chaoszoo.experiments import surrogates, transfer

    out = output_dir(out)
    datasets = transfer.check_datasets(datasets, "--dataset") if datasets else None
    transfer.load_results(out / "transfer.json")  # a damaged or foreign file fails now, before the bank
    st = transfer.FAST if fast else transfer.Settings()
    _setup()
    from chaoszoo.experiments.plots import plot_transfer

    if fast:
        names = surrogates.flow_names()[:4]
        bank = surrogates.build_bank(names)
        datasets = datasets or ["ItalyPowerDemand"]
    else:
        bank = surrogates.cached_bank() if bank_only else surrogates.build_bank()
    if not bank:
        raise DatasetError("The surrogate bank is empty: "
                           + ("no flow is cached yet; run without --bank-only to build it." if bank_only else
                              "no flow could be integrated."))
    t0 = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    res = transfer.run(datasets, out / "transfer.json", st, seed, bank)
    if not res["datasets"]:
        raise ChaoszooError(f"No data set gave a result; nothing was written to {out}.")
    summ = transfer.summary(res)
    summ["wall_seconds_this_call"] = time.perf_counter() - t0
    _write(out / "transfer_summary.json", summ)
    plot_transfer(res, out / "transfer.png")
    conds = [c for c in ("raw", "untrained", "random", "transfer") if c in summ]
    click.echo(f"{'data set':28s} " + " ".join(f"{c:>9s}" for c in conds))
    for name, r in res["datasets"].items():
        click.echo(f"{name:28s} " + " ".join(f"{r[c]:9.3f}" for c in conds))
    p = transfer.PUBLISHED
    click.echo(f"{'median (ours, n=' + str(summ['n_datasets']) + ')':28s} "
               + " ".join(f"{summ[c]['median']:9.3f}" for c in conds))
    click.echo(f"{'median (published, n=90)':28s} "
               + " ".join(f"{p[c]:9.3f}" if c in p else f"{'-':>9s}" for c in conds))
    click.echo(f"{len(bank)} flows as surrogates; wall time {summ['wall_seconds_this_call']:.0f} s; results in {out}")


@experiment.command("importance")
@click.option("--out", "out", type=click.Path(path_type=Path), required=True, help="Output directory.")
@click.option("--fast", is_flag=True, help="Tiny settings on one flow (Lorenz).")
@click.option("--system", "systems", multiple=True,
              help="Flow(s) to run: repeat the option or separate names with commas (default: every flow).")
@click.option("--budget", type=float, default=None,
              help="Stop starting new systems after this many seconds (0: only summarise the results already in OUT).")
@click.option("--seed", type=int, default=0, show_default=True)
def importance_cmd(out, fast, systems, budget, seed):
    """Importance sampling vs uniform draws vs full training of a forecaster, over the flows.

    Writes OUT/importance_sampling.json (resumable) and OUT/importance_sampling.png.
    """
    from chaoszoo.data.files import output_dir
    from chaoszoo.errors import ChaoszooError, InvalidArgumentError
    from chaoszoo.experiments import importance

    out = output_dir(out)
    if budget is not None and not (math.isfinite(budget) and budget >= 0):
        raise InvalidArgumentError(f"--budget must be a number of seconds >= 0; got {budget!r}.")
    names = importance.flow_names(systems, "--system") if systems else (["Lorenz"] if fast else None)
    st = importance.FAST if fast else importance.Settings()
    importance.load_results(out / "importance_sampling.json", st, seed)  # damaged, foreign or other settings
    _setup()
    from chaoszoo.experiments.plots import plot_importance

    t0 = time.perf_counter()
    deadline = time.time() + budget if budget is not None else None
    out.mkdir(parents=True, exist_ok=True)
    res = importance.run(names, out / "importance_sampling.json", st, seed, deadline=deadline)
    for name in (names or []):
        if name in res["failed"]:
            click.echo(f"  FAILED {name}: {res['failed'][name]}", err=True)
    if not res["systems"]:
        why = "; ".join(f"{k}: {v[:200]}" for k, v in list(res["failed"].items())[:5])
        raise ChaoszooError("No system has results" + (f" ({len(res['failed'])} failed: {why})" if why else
                                                       " yet (the budget ran out before the first system)")
                            + f"; see {out / 'importance_sampling.json'}.")
    summ = importance.summary(res)
    summ["wall_seconds_this_call"] = time.perf_counter() - t0
    _write(out / "importance_summary.json", summ)
    plot_importance(res, out / "importance_sampling.png")
    p = importance.PUBLISHED
    click.echo(f"{'condition':12s} {'median sMAPE':>12s} {'median s':>9s} {'published sMAPE':>16s} {'published s':>12s}")
    for c in ("importance", "random", "full"):
        click.echo(f"{c:12s} {summ[c]['smape']:12.3f} {summ[c]['seconds']:9.1f} "
                   f"{p[c]['smape']:16.3f} {p[c]['seconds']:12.0f}")
    click.echo(f"{summ['n_systems']} systems ({len(res['failed'])} failed); wall time {summ['wall_seconds_this_call']:.0f} s; "
               f"results in {out}")


def _write(path: Path, obj) -> None:
    from chaoszoo.experiments._io import write_json

    write_json(path, json.loads(json.dumps(obj, default=float)))
