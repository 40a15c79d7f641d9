"""Command-line interface: ``chaoszoo <command>``.

Each command lives in its own module of this package and registers itself on :data:`main`
when imported; the modules are listed in ``_COMMAND_MODULES``.

Errors: every command runs inside one error boundary (:class:`ErrorBoundaryGroup`). A
chaoszoo error prints one line, ``error: <what happened and what to do>``, and exits with
status 2; an unexpected exception (a bug, or an input chaoszoo does not yet check) prints one
line naming its type and the way to get the traceback, and exits with status 1. ``chaoszoo
--debug <command>`` (or ``CHAOSZOO_DEBUG=1``) lets the traceback through instead.
"""

from __future__ import annotations

import importlib
import os
import sys

# The command-line tool is our own process, so it may configure JAX/equinox for itself
# (the library never does). Equinox's runtime checks compile to host callbacks, and JAX
# does not store executables with host callbacks in its persistent compilation cache;
# with EQX_ON_ERROR=nan those checks yield NaN, which the engine reports as an error.
# Measured: compiling the Lorenz solver takes 2.0 s cold and 0.17 s from the cache.
os.environ.setdefault("EQX_ON_ERROR", "nan")

import click

from chaoszoo import __version__

#: Exit status of a chaoszoo error (bad input, a damaged file, a failed computation).
EXIT_ERROR = 2
#: Exit status of an unexpected exception.
EXIT_BUG = 1


def debug_enabled() -> bool:
    """Whether tracebacks should be shown (``--debug`` or ``CHAOSZOO_DEBUG=1``)."""
    return os.environ.get("CHAOSZOO_DEBUG", "").strip() not in ("", "0")


def error_line(err: BaseException) -> str:
    """The one line the CLI prints for ``err`` (without the ``error:`` prefix)."""
    from chaoszoo.errors import ChaoszooError

    if isinstance(err, ChaoszooError):
        return str(err)
    if isinstance(err, OSError):
        where = f" {err.filename!r}" if getattr(err, "filename", None) else ""
        what = err.strerror or str(err) or type(err).__name__
        return f"cannot use{where}: {what}. Check the path and its permissions, or choose another one."
    if isinstance(err, MemoryError):
        return "out of memory. Use fewer systems, fewer workers (--jobs) or smaller settings."
    text = str(err).strip().splitlines()[0] if str(err).strip() else ""
    return (f"unexpected {type(err).__name__}{': ' + text[:300] if text else ''}. This is a chaoszoo bug or an "
            "input it does not check yet: rerun with `chaoszoo --debug ...` for the traceback and report it.")


class ErrorBoundaryGroup(click.Group):
    """A click group whose subcommands' exceptions become one ``error:`` line (see the module
    docstring). Click's own exceptions (usage errors), ``SystemExit`` and Ctrl-C pass through."""

    def invoke(self, ctx):
        from chaoszoo.errors import ChaoszooError

        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort, SystemExit,
                KeyboardInterrupt, GeneratorExit):
            raise
        except Exception as err:  # noqa: BLE001 - the boundary: one line, no traceback
            if debug_enabled():
                raise
            click.echo(f"error: {error_line(err)}", err=True)
            sys.exit(EXIT_ERROR if isinstance(err, (ChaoszooError, OSError)) else EXIT_BUG)


def _debug_option(ctx, param, value):
    if value:
        os.environ["CHAOSZOO_DEBUG"] = "1"  # our own process; worker processes inherit it
    return value


@click.group(cls=ErrorBoundaryGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="chaoszoo")
@click.option("--debug", is_flag=True, expose_value=False, is_eager=True, callback=_debug_option,
              help="Show the full traceback of an error instead of one line.")
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
    "chaoszoo.cli.generated",
)

for _module in _COMMAND_MODULES:
    importlib.import_module(_module)
