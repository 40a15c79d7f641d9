"""Command-line interface: ``chaoszoo <command>``.

Each command lives in its own module of this package and registers itself on :data:`main`
when imported; the modules are listed in ``_COMMAND_MODULES``.
"""

from __future__ import annotations

import importlib

import click

from chaoszoo import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="chaoszoo")
def main() -> None:
    """chaoszoo: chaotic dynamical systems as an interpretable benchmark."""


_COMMAND_MODULES = (
    "chaoszoo.cli.catalog",
)

for _module in _COMMAND_MODULES:
    importlib.import_module(_module)
