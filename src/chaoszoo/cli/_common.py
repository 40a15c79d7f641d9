"""Helpers shared by the CLI commands."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click


def cache_dir() -> Path:
    """chaoszoo's cache directory (:func:`chaoszoo.data.load.cache_dir`, the one definition above
    the engine)."""
    from chaoszoo.data.load import cache_dir as root

    return root()


def enable_compilation_cache() -> None:
    """Turn on JAX's persistent compilation cache for this CLI process.

    This changes JAX configuration, so it is done only in the command-line tool (our own
    process), never by the library. Measured on a 2-core machine: ``chaoszoo simulate
    Lorenz --n 10000`` goes from ~4 s to ~2 s once the cache is warm.
    """
    if os.environ.get("CHAOSZOO_NO_JAX_CACHE"):
        return
    path = cache_dir() / "jax"
    if "jax" not in sys.modules:
        # JAX reads these when it is imported: no need to import it (seconds) before the
        # command has validated its input
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError:
            return
        os.environ.setdefault("JAX_COMPILATION_CACHE_DIR", str(path))
        os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS", "0")
        os.environ.setdefault("JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES", "0")
        return
    import jax

    try:
        path.mkdir(parents=True, exist_ok=True)
        jax.config.update("jax_compilation_cache_dir", str(path))
        jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
        jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)
    except (OSError, AttributeError):  # read-only home or an old JAX: run without the cache
        pass


def fail(message: str) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


#: Image formats ``plot`` and ``run`` can write (matplotlib's common raster and vector formats).
IMAGE_SUFFIXES = (".png", ".pdf", ".svg", ".jpg", ".jpeg")


def check_output_path(path: Path, suffixes: tuple[str, ...], option: str = "--out") -> Path:
    """Check, before any work, that ``path`` can be written; otherwise exit with one line.

    Refuses an unknown suffix, a missing directory, a directory in the file's place and a
    place this user cannot write.
    """
    path = Path(path).expanduser()
    if path.suffix.lower() not in suffixes:
        fail(f"{option} must end in one of {', '.join(suffixes)}; got {str(path)!r}.")
    if path.is_dir():
        fail(f"{option} {str(path)!r} is a directory; give a file name.")
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        fail(f"{option}: directory {str(parent)!r} does not exist; create it first or choose another path.")
    try:  # the real test (os.access says yes to root even on a read-only file system)
        import tempfile

        with tempfile.NamedTemporaryFile(dir=parent, prefix=f".{path.stem}.", suffix=".check"):
            pass
    except OSError as err:
        fail(f"{option}: cannot write in {str(parent)!r} ({err.strerror or err}); choose another path.")
    if path.exists() and not os.access(path, os.W_OK):
        fail(f"{option}: {str(path)!r} exists and is not writable; choose another path.")
    return path
