"""Command-line interface: ``chaoszoo <command>``.

Each command lives in its own module of this package and registers itself on :data:`main`
when imported; the modules are listed in ``_COMMAND_MODULES``.
"""

from __future__ import annotations

import importlib
import os

# The command-line tool is our own process, so it may configure JAX/equinox for itself
# (the library never does). Equinox's runtime checks compile to host callbacks, and JAX
# does not store executables with host callbacks in its persistent compilation cache;
# with EQX_ON_ERROR=nan those checks yield NaN, which the engine reports as an error.
# Measured: compiling the Lorenz solver takes 2.0 s cold and 0.17 s from the cache.
os.environ.setdefault("EQX_ON_ERROR", "nan")

import click

from chaoszoo import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="chaoszoo")
def main() -> None:
    """chaoszoo: chaotic dynamical systems as an interpretable benchmark."""


_COMMAND_MODULES = (
    "chaoszoo.cli.catalog",
    "chaoszoo.cli.dataset",
    "chaoszoo.cli.annotate",
    "chaoszoo.cli.forecast",
    "chaoszoo.cli.experiments",
    "chaoszoo.cli.features",
    "chaoszoo.cli.atlas",
)

for _module in _COMMAND_MODULES:
    importlib.import_module(_module)
