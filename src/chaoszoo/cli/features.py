"""``chaoszoo features ...`` (catalog feature analysis) and ``chaoszoo symbolic run`` (the
symbolic-regression benchmark).

Where they write: by default into the current directory (``./catch22.parquet``,
``./features-analysis/``, ``./symbolic.parquet`` and its figure), never into the installed
package or the repository's ``docs/``. ``--ship`` regenerates the shipped tables (and the
figures under ``docs/`` of a source checkout) instead. An existing output that chaoszoo did not
write is refused unless ``--force``. Every argument is checked before any work.
"""

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
#: Figure formats of ``symbolic run --figure``.
FIGURE_SUFFIXES = (".png", ".pdf", ".svg")
#: Files ``features analyse`` writes into its report folder.
REPORT_FILES = ("embedding.png", "separating_features.csv", "spearman.csv", "summary.json")
ANALYSE = "chaoszoo features analyse"


def _names(systems: str | None, fast_default, option: str = "--systems") -> list[str] | None:
    """The systems named by ``--systems`` (checked against the catalog); ``None`` when the option
    is absent (the command's default). An option that names nothing is an error."""
    if systems is None:
        return list(fast_default) if fast_default else None
    from chaoszoo.features.compute import system_names

    return system_names(systems, option)


def _command_line() -> str:
    return "chaoszoo " + " ".join(shlex.quote(a) for a in sys.argv[1:])


def _docs_dir() -> Path:
    """``docs/`` of the source checkout this chaoszoo runs from (``--ship`` writes figures there)."""
    import chaoszoo
    from chaoszoo.errors import InvalidArgumentError

    docs = Path(chaoszoo.__file__).resolve().parents[2] / "docs"
    if not docs.is_dir():
        raise InvalidArgumentError(f"--ship writes figures into the source checkout's docs/, and there is none at "
                                   f"{docs} (an installed chaoszoo); give the figure's path explicitly.")
    return docs


def _conflict(message: str):
    from chaoszoo.errors import InvalidArgumentError

    raise InvalidArgumentError(message)


@main.group("features")
def features_group() -> None:
    """Time-series features of the catalog: compute (catch22, tsfresh) and analyse."""


@features_group.command("compute")
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Parquet file to write, with <stem>.json beside it (default: ./catch22.parquet; with --fast: "
                   "./catch22-fast.parquet).")
@click.option("--ship", is_flag=True, help="Regenerate the table shipped inside the package (every system).")
@click.option("--force", is_flag=True, help="Overwrite an existing --out that chaoszoo did not write.")
@click.option("--method", type=click.Choice(["catch22", "tsfresh"]), default="catch22", show_default=True)
@click.option("--systems", default=None, help="Comma-separated system names (default: every system).")
@click.option("--fast", is_flag=True, help="12 varied systems, 500 samples each (a smoke run).")
def features_compute(out, ship, force, method, systems, fast):
    """Features of every variable of every system; writes OUT and OUT.json (settings, timings)."""
    from chaoszoo.features.compute import CATCH22_PATH, Sampling, check_output, compute_and_write

    if ship and (out is not None or fast or systems is not None):
        _conflict("--ship regenerates the shipped table of every system; it takes no --out, --fast or --systems.")
    names = _names(systems, FAST_FEATURE_SYSTEMS if fast else None)
    out = CATCH22_PATH if ship else (out or Path("catch22-fast.parquet" if fast else "catch22.parquet"))
    out = check_output(out, force=force or ship)
    sampling = Sampling(n=500, transient=500) if fast else Sampling()
    enable_compilation_cache()
    table, meta = compute_and_write(out, names, sampling, method, command=_command_line(), force=force or ship)
    click.echo(f"{meta['rows']} rows ({meta['systems']} systems) in {meta['wall_seconds']} s "
               f"(CPU {meta['cpu_seconds']} s) -> {out}")
    for name, reason in meta["failed"].items():
        click.echo(f"  FAILED {name}: {reason}", err=True)


def _report_dir_check(report_dir: Path, force: bool) -> Path:
    """The report folder: new, empty, holding no file of ours, or an earlier report of ``features
    analyse``; otherwise refused (unless ``force``)."""
    from chaoszoo.data.files import FORCE_HINT, output_dir
    from chaoszoo.errors import InvalidArgumentError

    report_dir = output_dir(report_dir, "--report-dir")
    if force or not report_dir.is_dir():
        return report_dir
    clashing = [f for f in REPORT_FILES if (report_dir / f).exists()]
    if clashing and not _ours_summary(report_dir / "summary.json"):
        raise InvalidArgumentError(f"{report_dir} holds {', '.join(clashing)} not written by `{ANALYSE}`, so nothing "
                                   f"was changed. Choose another --report-dir, or {FORCE_HINT}.")
    return report_dir


def _ours_summary(path: Path) -> bool:
    try:
        doc = json.loads(path.read_bytes().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return isinstance(doc, dict) and (doc.get("generator") == ANALYSE
                                      or str(doc.get("command", "")).startswith(ANALYSE))


def _embedding_ours(path: Path) -> bool:
    """Whether an existing embedding Parquet carries the mark ``features analyse`` writes."""
    try:
        import pyarrow.parquet as pq

        meta = pq.read_schema(path).metadata or {}
    except Exception:  # noqa: BLE001 - unreadable: not ours
        return False
    return meta.get(b"chaoszoo") == ANALYSE.encode()


@features_group.command("analyse")
@click.option("--table", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Features table (default: the shipped catch22 table).")
@click.option("--report-dir", type=click.Path(path_type=Path), default=None,
              help="Folder for the figure, CSV tables and summary JSON (default: ./features-analysis).")
@click.option("--embedding-out", type=click.Path(path_type=Path), default=None,
              help="Embedding Parquet (default: embedding.parquet in the report folder).")
@click.option("--ship", is_flag=True,
              help="Write the shipped embedding inside the package and the report into the source checkout's "
                   "docs/features (what the repository ships).")
@click.option("--force", is_flag=True, help="Overwrite outputs that chaoszoo did not write.")
@click.option("--seed", type=click.IntRange(0, 2**32 - 1), default=0, show_default=True, help="UMAP seed.")
@click.option("--min-cluster-size", type=click.IntRange(min=2), default=5, show_default=True,
              help="HDBSCAN min_cluster_size.")
def features_analyse(table, report_dir, embedding_out, ship, force, seed, min_cluster_size):
    """UMAP embedding, HDBSCAN clusters vs tags (ARI), separating features, Spearman vs invariants."""
    import io

    from chaoszoo.data.files import FORCE_HINT, output_file
    from chaoszoo.data.storage import atomic_write, json_bytes
    from chaoszoo.errors import InvalidArgumentError
    from chaoszoo.features import EMBEDDING_PATH
    from chaoszoo.features.analysis import analyse, check_table, plot_embedding
    from chaoszoo.features.compute import CATCH22_PATH, load_table

    if ship and (report_dir is not None or embedding_out is not None):
        _conflict("--ship writes the shipped embedding and docs/features; it takes no --report-dir or --embedding-out.")
    if ship:
        report_dir, embedding_out = _docs_dir() / "features", EMBEDDING_PATH
    report_dir = _report_dir_check(report_dir or Path("features-analysis"), force or ship)
    if embedding_out is not None or report_dir.is_dir():
        embedding_out = output_file(embedding_out or report_dir / "embedding.parquet", (".parquet",), "--embedding-out")
    else:  # inside a report folder still to be made (its nearest existing parent was checked)
        embedding_out = report_dir / "embedding.parquet"
    if embedding_out.exists() and not (force or ship or _embedding_ours(embedding_out)):
        raise InvalidArgumentError(f"{embedding_out} exists and was not written by `{ANALYSE}`, so it was left "
                                   f"untouched. Choose another --embedding-out, or {FORCE_HINT}.")
    frame = load_table(table or CATCH22_PATH)
    check_table(frame)
    n = int(frame["system"].nunique())
    if min_cluster_size > n:
        raise InvalidArgumentError(f"--min-cluster-size {min_cluster_size} is larger than the {n} systems of the "
                                   f"table; choose at most {n}.")
    res = analyse(frame, seed=seed, min_cluster_size=min_cluster_size)
    report_dir.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    emb = res.embedding[["system", "x", "y", "cluster", "kind", "field", "lyapunov_per_period"]]
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = pa.Table.from_pandas(emb, preserve_index=False)
    arrow = arrow.replace_schema_metadata({**(arrow.schema.metadata or {}), b"chaoszoo": ANALYSE.encode()})
    pq.write_table(arrow, buf)
    atomic_write(embedding_out, buf.getvalue())
    plot_embedding(res.embedding, report_dir / "embedding.png")
    atomic_write(report_dir / "separating_features.csv", res.separating.to_csv(index=False, float_format="%.6g").encode())
    atomic_write(report_dir / "spearman.csv", res.spearman.to_csv(index=False, float_format="%.6g").encode())
    ari = {k: (None if v != v else v) for k, v in res.ari.items()}  # NaN (undefined) is null in JSON
    atomic_write(report_dir / "summary.json", json_bytes({"generator": ANALYSE, "command": _command_line(),
                                                          **res.summary, "ari": ari}))
    click.echo(json.dumps({**res.summary, "ari": {k: (None if v is None else round(v, 3)) for k, v in ari.items()}},
                          indent=1))
    if res.summary.get("clusters", 0) == 0:
        click.echo(f"\nno cluster found: {res.summary['note']}")
    else:
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
@click.option("--out", type=click.Path(path_type=Path), default=None,
              help="Results Parquet, with <stem>.json beside it (default: ./symbolic.parquet; with --fast: "
                   "./symbolic-fast.parquet).")
@click.option("--figure", type=click.Path(path_type=Path), default=None,
              help="Figure (.png, .pdf or .svg; default: next to --out, with its suffix changed).")
@click.option("--ship", is_flag=True,
              help="Update the results shipped inside the package and the source checkout's docs/symbolic.png.")
@click.option("--force", is_flag=True, help="Overwrite an existing --out (or figure) that chaoszoo did not write.")
@click.option("--restart", is_flag=True, help="Ignore rows already in --out (default: resume).")
@click.option("--retry-failed", is_flag=True, help="Recompute the chosen flows' rows that were skipped or failed.")
@click.option("--forecast-table", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="Forecast errors to correlate with: a `chaoszoo forecast export` results Parquet (best model per "
                   "system on uni-clean, oracle excluded) or a CSV/Parquet with columns system, score "
                   "(default: the shipped short-coarse results).")
@click.option("--no-forecast", is_flag=True, help="Skip the correlation with forecast errors.")
def symbolic_run(fast, systems, methods, out, figure, ship, force, restart, retry_failed, forecast_table,
                 no_forecast):
    """Discover each flow's equations (SINDy, pyoperon) and score sMAPE and term recovery; resumable."""
    from chaoszoo.data.files import FORCE_HINT, output_file, written_by
    from chaoszoo.errors import ChaoszooError, InvalidArgumentError
    from chaoszoo.symbolic.benchmark import (
        FAST, GENERATOR, RESULTS_PATH, Protocol, check_output, flow_names, forecast_scores, method_names,
    )

    if ship and (out is not None or figure is not None or fast):
        _conflict("--ship updates the shipped results and docs/symbolic.png; it takes no --out, --figure or --fast.")
    names = flow_names(systems, "--systems") if systems is not None else (list(FAST_SYMBOLIC_SYSTEMS) if fast else None)
    method_list = method_names(methods, "--methods")
    if ship:
        out, figure = RESULTS_PATH, _docs_dir() / "symbolic.png"
    out = check_output(out or Path("symbolic-fast.parquet" if fast else "symbolic.parquet"), force=force or ship)
    default_figure = figure is None
    figure = output_file(figure or out.with_suffix(".png"), FIGURE_SUFFIXES, "--figure")
    if default_figure and figure.exists() and not (force or written_by(out, GENERATOR)):
        raise InvalidArgumentError(f"{figure} exists and was not written by `{GENERATOR}`, so it was left untouched. "
                                   f"Choose another --out or --figure, or {FORCE_HINT}.")
    if forecast_table is not None and not no_forecast:
        forecast_scores(forecast_table)  # a damaged or foreign table fails now, not after the fits
    enable_compilation_cache()
    import pandas as pd

    from chaoszoo.symbolic.benchmark import (
        correlate_with_invariants, plot_results, record_correlations, run_benchmark, summarise,
    )
    from chaoszoo.symbolic.methods import OperonBudget

    budget = OperonBudget(population_size=60, generations=5, max_evaluations=5000, samples=200) if fast else None
    results = run_benchmark(names, method_list, FAST if fast else Protocol(), out, budget,
                            command=_command_line(), resume=not restart, retry=retry_failed, force=force or ship)
    ok = results[results["status"] == "ok"]
    skipped = results[results["status"] != "ok"]
    click.echo(f"{ok['system'].nunique()} flows scored, {len(skipped)} (system, method) pairs skipped or failed")
    for _, r in skipped.drop_duplicates("system").iterrows():
        click.echo(f"  {r['system']}: {r['status']}", err=True)
    if not len(ok):
        raise ChaoszooError(f"No flow was scored (the reasons are above and in {out}); nothing to summarise or draw.")
    forecast = corr = None
    if not no_forecast and ok["system"].nunique() >= 5:
        forecast = forecast_scores(forecast_table)
        corr = record_correlations(results, out, forecast_table)
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
    click.echo(f"results: {out}; figure: {figure}")
