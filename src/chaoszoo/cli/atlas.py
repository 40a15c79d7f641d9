"""``chaoszoo atlas build`` and ``chaoszoo atlas serve``: the static web site of the catalog."""

from __future__ import annotations

from pathlib import Path

import click

from chaoszoo.cli import main
from chaoszoo.cli._common import cache_dir


@main.group("atlas")
def atlas_group() -> None:
    """The atlas: a self-contained static web site of every system."""


@atlas_group.command("build")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("site"), show_default=True,
              help="Output folder (new, empty, or an earlier atlas build).")
@click.option("--systems", default=None, help="Comma-separated system names (default: the whole catalog).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes (default: all cores).")
@click.option("--dataset", type=click.Path(exists=True, file_okay=False, path_type=Path), default=None,
              help="A dataset folder (chaoszoo dataset build); system pages link to its shards.")
@click.option("--per-system-solvers", is_flag=True,
              help="Compile one solver per system instead of one per dimension (faster for a few systems).")
@click.option("--results-dir", type=click.Path(path_type=Path), default=None,
              help="Forecasting results: a folder of <protocol>.parquet + .json (`chaoszoo forecast export`) or a "
                   "`chaoszoo forecast run` folder (default: the shipped results).")
@click.option("--no-results", is_flag=True, help="Build without forecasting results.")
@click.option("--features-dir", type=click.Path(path_type=Path), default=None,
              help="Features folder (catch22.parquet, embedding; default: the shipped tables).")
@click.option("--no-features", is_flag=True, help="Build without features.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.option("--preview", is_flag=True, help="Simulate nothing: pages for every system, pictures only where cached.")
def build_cmd(out, systems, jobs, dataset, per_system_solvers, results_dir, no_results, features_dir, no_features,
              quiet, preview):
    """Write the atlas into OUT (only changed files are rewritten)."""
    from chaoszoo.atlas import build
    from chaoszoo.data.files import name_list
    from chaoszoo.errors import InvalidArgumentError

    if no_results and results_dir is not None:
        raise InvalidArgumentError("Give --results-dir or --no-results, not both.")
    if no_features and features_dir is not None:
        raise InvalidArgumentError("Give --features-dir or --no-features, not both.")
    names = name_list(systems, "--systems") if systems is not None else None
    jax_cache = None
    import os

    if not os.environ.get("CHAOSZOO_NO_JAX_CACHE"):
        jax_cache = str(cache_dir() / "jax")
        try:
            Path(jax_cache).mkdir(parents=True, exist_ok=True)
        except OSError:  # an unwritable cache: build without it
            jax_cache = None
    stats = build(out, names, jobs=jobs, shared_solvers=not per_system_solvers, dataset=dataset,
                  jax_cache=jax_cache, results_dir=False if no_results else results_dir,
                  features_dir=False if no_features else features_dir, progress=not quiet, render=not preview)
    click.echo(stats.summary())
    for name, reason in stats.failed.items():
        click.echo(f"  not simulated: {name}: {reason}", err=True)
    click.echo(f"open {out / 'index.html'} or run `chaoszoo atlas serve --out {out}`")


@atlas_group.command("serve")
@click.option("--out", "site", type=click.Path(file_okay=False, path_type=Path), default=Path("site"),
              show_default=True, help="The built atlas folder.")
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8000, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True)
def serve_cmd(site, port, host):
    """Serve a built atlas on http://HOST:PORT/ until Ctrl-C."""
    from chaoszoo.atlas.serve import make_server

    server = make_server(site, port, host)
    click.echo(f"serving {site} at http://{host}:{server.server_address[1]}/ (Ctrl-C to stop)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
