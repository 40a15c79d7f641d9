"""Catalog commands: list, show, simulate, plot, run."""

from __future__ import annotations

import click

from chaoszoo.cli import main


@main.command("list")
@click.option("--kind", type=click.Choice(["flow", "delay", "map"]), default=None, help="Only this kind.")
@click.option("--tag", default=None, help="Only systems with this tag (field or property).")
def list_cmd(kind, tag):
    """List the systems in the catalog."""
    import chaoszoo as cz

    for name in cz.names(kind=kind, tag=tag):
        click.echo(name)
