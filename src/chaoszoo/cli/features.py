"""``chaoszoo features ...`` (catalog feature analysis) and ``chaoszoo symbolic run`` (the
symbolic-regression benchmark)."""

from __future__ import annotations

import json
import shlex
import sys
from pathlib import Path

import click

from chaoszoo.cli import main
from chaoszoo.cli._common import enable_compilation_cache

#: A small, varied subset for ``--fast`` (flows of several fields, a map, a delay equation).
FAST_FEATURE_SYSTEMS = ("Lorenz", "Rossler", "Thomas", "Chen", "Duffing", "DoublePendulum", "Henon", "Logistic",
                        "Ikeda", "MackeyGlass", "HindmarshRose", "Lorenz96")
FAST_SYMBOLIC_SYSTEMS = ("Lorenz", "Thomas")


def _names(systems: str | None, fast_default) -> list[str] | None:
    if systems:
        import chaoszoo as cz

        names = [n.strip() for n in systems.split(",") if n.strip()]
        for n in names:
            cz.get(n)  # unknown names raise with suggestions
        return names
    return list(fast_default) if fast_default else None


def _command_line() -> str:
    return "chaoszoo " + " ".join(shlex.quote(a) for a in sys.argv[1:])


@main.group("features")
def features_group() -> None:
    """Time-series features of the catalog: compute (catch22, tsfresh) and analyse."""


@features_group.command("compute")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Parquet file (default: the shipped table; with --fast: ./catch22-fast.parquet).")
@click.option("--method", type=click.Choice(["catch22", "tsfresh"]), default="catch22", show_default=True)
@click.option("--systems", default=None, help="Comma-separated system names (default: every system).")
@click.option("--fast", is_flag=True, help="12 varied systems, 500 samples each (a smoke run).")
def features_compute(out, method, systems, fast):
    """Features of every variable of every system; writes OUT and OUT.json (settings, timings)."""
    enable_compilation_cache()
    from chaoszoo.errors import ChaoszooError
    from chaoszoo.features.compute import CATCH22_PATH, Sampling, compute_and_write

    try:
        names = _names(systems, FAST_FEATURE_SYSTEMS if fast else None)
        sampling = Sampling(n=500, transient=500) if fast else Sampling()
        out = out or (Path("catch22-fast.parquet") if fast else CATCH22_PATH)
        table, meta = compute_and_write(out, names, sampling, method, command=_command_line())
    except ChaoszooError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{meta['rows']} rows ({meta['systems']} systems) in {meta['wall_seconds']} s "
               f"(CPU {meta['cpu_seconds']} s) -> {out}")
    for name, reason in meta["failed"].items():
        click.echo(f"  FAILED {name}: {reason}", err=True)


@features_group.command("analyse")
@click.option("--table", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Features table (default: the shipped catch22 table).")
@click.option("--embedding-out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Embedding Parquet (default: the shipped embedding.parquet).")
@click.option("--report-dir", type=click.Path(file_okay=False, path_type=Path), default=Path("docs/features"),
              show_default=True, help="Figure, CSV tables and summary JSON.")
@click.option("--seed", type=int, default=0, show_default=True, help="UMAP seed.")
@click.option("--min-cluster-size", type=int, default=5, show_default=True, help="HDBSCAN min_cluster_size.")
def features_analyse(table, embedding_out, report_dir, seed, min_cluster_size):
    """UMAP embedding, HDBSCAN clusters vs tags (ARI), separating features, Spearman vs invariants."""
    import io

    from chaoszoo.data.storage import atomic_write, json_bytes
    from chaoszoo.errors import ChaoszooError
    from chaoszoo.features import EMBEDDING_PATH
    from chaoszoo.features.analysis import analyse, plot_embedding
    from chaoszoo.features.compute import CATCH22_PATH, load_table

    try:
        res = analyse(load_table(table or CATCH22_PATH), seed=seed, min_cluster_size=min_cluster_size)
    except ChaoszooError as exc:
        raise click.ClickException(str(exc)) from None
    embedding_out = embedding_out or EMBEDDING_PATH
    buf = io.BytesIO()
    res.embedding[["system", "x", "y", "cluster", "kind", "field", "lyapunov_per_period"]].to_parquet(buf, index=False)
    atomic_write(embedding_out, buf.getvalue())
    report_dir.mkdir(parents=True, exist_ok=True)
    plot_embedding(res.embedding, report_dir / "embedding.png")
    atomic_write(report_dir / "separating_features.csv", res.separating.to_csv(index=False, float_format="%.6g").encode())
    atomic_write(report_dir / "spearman.csv", res.spearman.to_csv(index=False, float_format="%.6g").encode())
    atomic_write(report_dir / "summary.json", json_bytes({"command": _command_line(), **res.summary, "ari": res.ari}))
    click.echo(json.dumps({**res.summary, "ari": {k: round(v, 3) for k, v in res.ari.items()}}, indent=1))
    click.echo("\nfeatures that separate the clusters most (Kruskal-Wallis):")
    click.echo(res.separating[["feature", "H", "q"]].head(8).to_string(index=False))
    sig = res.spearman[res.spearman["q"] < 0.05]
    click.echo(f"\n{len(sig)} of {len(res.spearman)} feature-invariant Spearman correlations have q < 0.05; strongest:")
    click.echo(res.spearman.reindex(res.spearman["rho"].abs().sort_values(ascending=False).index)
               .head(8).to_string(index=False))
    click.echo(f"\nwrote {embedding_out} and {report_dir}/")


@main.group("symbolic")
def symbolic_group() -> None:
    """Symbolic-regression benchmark scored against the exact equations."""


@symbolic_group.command("run")
@click.option("--fast", is_flag=True, help="Lorenz and Thomas, short series, tiny GP budget (a smoke run).")
@click.option("--systems", default=None, help="Comma-separated flow names (default: every flow).")
@click.option("--methods", default="sindy-poly,sindy-fourier,operon", show_default=True,
              help="Comma-separated methods: sindy-poly, sindy-fourier, operon.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Results Parquet (default: the shipped results; with --fast: ./symbolic-fast.parquet).")
@click.option("--figure", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Figure (default: docs/symbolic.png; with --fast: next to --out).")
@click.option("--restart", is_flag=True, help="Ignore rows already in --out (default: resume).")
@click.option("--retry-failed", is_flag=True, help="Recompute the chosen flows' rows that were skipped or failed.")
@click.option("--forecast-table", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Forecast errors to correlate with: a `chaoszoo forecast run` results Parquet (best model per "
                   "system on uni-clean, oracle excluded) or a CSV/Parquet with columns system, score "
                   "(default: the shipped short-coarse results).")
@click.option("--no-forecast", is_flag=True, help="Skip the correlation with forecast errors.")
def symbolic_run(fast, systems, methods, out, figure, restart, retry_failed, forecast_table, no_forecast):
    """Discover each flow's equations (SINDy, pyoperon) and score sMAPE and term recovery; resumable."""
    enable_compilation_cache()
    import pandas as pd

    from chaoszoo.errors import ChaoszooError
    from chaoszoo.symbolic.benchmark import (
        FAST, RESULTS_PATH, Protocol, correlate_with_invariants, forecast_scores, plot_results, record_correlations,
        run_benchmark, summarise,
    )
    from chaoszoo.symbolic.methods import OperonBudget

    try:
        names = _names(systems, FAST_SYMBOLIC_SYSTEMS if fast else None)
        method_list = tuple(m.strip() for m in methods.split(",") if m.strip())
        out = out or (Path("symbolic-fast.parquet") if fast else RESULTS_PATH)
        budget = OperonBudget(population_size=60, generations=5, max_evaluations=5000, samples=200) if fast else None
        results = run_benchmark(names, method_list, FAST if fast else Protocol(), out, budget,
                                command=_command_line(), resume=not restart, retry=retry_failed)
    except ChaoszooError as exc:
        raise click.ClickException(str(exc)) from None
    figure = figure or (out.with_suffix(".png") if fast else Path("docs/symbolic.png"))
    ok = results[results["status"] == "ok"]
    skipped = results[results["status"] != "ok"]
    click.echo(f"{ok['system'].nunique()} flows scored, {len(skipped)} (system, method) pairs skipped or failed")
    if len(ok):
        forecast = corr = None
        if not no_forecast and ok["system"].nunique() >= 5:
            try:
                forecast = forecast_scores(forecast_table)
                corr = record_correlations(results, out, forecast_table)
            except ChaoszooError as exc:
                raise click.ClickException(str(exc)) from None
        figure.parent.mkdir(parents=True, exist_ok=True)
        plot_results(results, figure, forecast)
        pd.set_option("display.width", 200)
        click.echo(summarise(results).to_string(index=False, float_format=lambda v: f"{v:.3g}"))
        if ok["system"].nunique() >= 5:
            inv = pd.DataFrame(corr["invariants"]) if corr else correlate_with_invariants(results)
            click.echo("\nSpearman: best sMAPE vs invariants")
            click.echo(inv.to_string(index=False, float_format=lambda v: f"{v:.3g}"))
        if corr:
            f = corr["forecast"]
            models = f" (best of {', '.join(f['models'])} on {f['variant']})" if "models" in f else ""
            click.echo(f"\nSpearman: best symbolic sMAPE vs best forecast sMAPE{models}: rho = {f['rho']:.3f}, "
                       f"p = {f['p']:.3g}, n = {f['n']} (published: {corr['published_forecast_rho']})")
    for _, r in skipped.drop_duplicates("system").iterrows():
        click.echo(f"  {r['system']}: {r['status']}", err=True)
    click.echo(f"results: {out}; figure: {figure}")
