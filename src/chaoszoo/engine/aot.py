"""Compiled solvers cached on disk, so that a fresh Python process neither traces nor compiles.

A first ``trajectory`` in a new process used to spend seconds tracing and compiling its
solver. :func:`cached` wraps a jitted solver: the first call with a given argument signature
compiles it as usual (``jit(...).lower(...).compile()``) and stores the executable
(``jax.experimental.serialize_executable``) under ``$CHAOSZOO_CACHE/solvers`` (default
``~/.cache/chaoszoo/solvers``); a later process with the same chaoszoo sources, JAX version and
CPU loads it in milliseconds. JAX's own configuration is never touched (this is not JAX's
global persistent compilation cache). ``CHAOSZOO_NO_SOLVER_CACHE=1`` turns it off.

Entries are keyed by a hash of everything that determines the executable: the declaration(s)
(name, variables, parameter names and the compiled code of the equations), the solver's
static settings, the arguments' shapes and dtypes, the sources of the engine, and the JAX,
jaxlib and Python versions, the backend and the CPU's instruction-set flags. Unreadable or
incompatible entries are ignored and rewritten.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import marshal
import os
import pickle
import platform
import sys
import tempfile
import threading
from pathlib import Path


#: What this process did: executables loaded from the cache, and compiled (and stored).
STATS = {"loaded": 0, "compiled": 0}
#: The content of an entry whose executable failed to run once loaded: compile, do not store.
UNLOADABLE = b"chaoszoo: this executable cannot run once deserialised; it is compiled in each process\n"


def enabled() -> bool:
    return not os.environ.get("CHAOSZOO_NO_SOLVER_CACHE")


def cache_dir() -> Path:
    base = os.environ.get("CHAOSZOO_CACHE") or Path.home() / ".cache" / "chaoszoo"
    return Path(base).expanduser() / "solvers"


@functools.cache
def _environment() -> str:
    """Versions, backend, CPU flags and the engine's sources: what an executable depends on."""
    import jax
    import jaxlib

    h = hashlib.sha256()
    for part in (jax.__version__, jaxlib.__version__, sys.version, platform.machine(),
                 jax.default_backend(), str(jax.devices()[0].client.platform_version)):
        h.update(str(part).encode() + b"\x1f")
    try:
        with open("/proc/cpuinfo") as fh:
            flags = next((ln for ln in fh if ln.startswith(("flags", "Features"))), "")
        h.update(flags.encode())
    except OSError:
        pass
    here = Path(__file__).resolve().parent
    for p in sorted(here.glob("*.py")) + sorted((here.parent / "catalog").glob("*.py")):
        h.update(p.read_bytes())
    return h.hexdigest()


def _code_bytes(code) -> bytes:
    try:
        return marshal.dumps(code)
    except ValueError:  # pragma: no cover - unmarshallable constants
        return repr(code).encode()


def declaration_key(decl) -> str:
    """A stable identity of a declaration's compiled form (changes when its equations do)."""
    h = hashlib.sha256()
    h.update(repr((decl.name, decl.kind, tuple(decl.variables), tuple(decl.params),
                   getattr(decl, "delay", None))).encode())
    fn = decl.equations
    h.update(_code_bytes(getattr(fn, "__code__", None)))
    for cell in getattr(fn, "__closure__", None) or ():
        try:
            h.update(repr(cell.cell_contents).encode())
        except ValueError:
            pass
    return h.hexdigest()


def _stable(part) -> str:
    from chaoszoo.catalog.declaration import Declaration

    if isinstance(part, Declaration):
        return "decl:" + declaration_key(part)
    if isinstance(part, tuple):
        return "(" + ",".join(_stable(p) for p in part) + ")"
    return repr(part)


def _signature(args) -> tuple[str, tuple]:
    import jax
    import numpy as np

    leaves, tree = jax.tree_util.tree_flatten(args)
    sig = []
    for x in leaves:
        if isinstance(x, (bool, int, float, complex)):
            sig.append(("py", type(x).__name__))
        else:
            sig.append((tuple(np.shape(x)), str(getattr(x, "dtype", type(x).__name__)),
                        bool(getattr(x, "weak_type", False))))
    return str(tree), tuple(sig)


class CachedSolver:
    """A jitted function whose compiled executables persist on disk (see the module notes)."""

    def __init__(self, jitted, key, fallback=None):
        self._jitted = jitted
        self._key = key
        self._fallback = fallback  # compiled instead when ``jitted`` cannot be (same values)
        self._lock = threading.Lock()
        self._compiled: dict = {}
        self._loaded: set = set()  # signatures whose executable came from disk and has not run yet
        self._from_disk: set = set()  # signatures whose current executable came from disk

    def __call__(self, *args):
        sig = _signature(args)
        compiled = self._compiled.get(sig)
        if compiled is None:
            with self._lock:  # threads running chunks of one batch compile it once
                compiled = self._compiled.get(sig)
                if compiled is None:
                    compiled = self._load_or_compile(args, sig) if enabled() else self._compile(args)
                    self._compiled[sig] = compiled
        import jax

        try:
            # wait for the result here: an executable's failure surfaces when its result is
            # awaited (dispatch is asynchronous), which would otherwise be outside this block
            out = jax.block_until_ready(compiled(*args))
            self._loaded.discard(sig)  # it ran once
            return out
        except Exception as err:  # noqa: BLE001 - a loaded executable that cannot run here
            # Seen on CPU, on the first call ("Function wrapped_iota not found"; for 4-variable
            # flows' ensembles, "bitcast_concatenate_fusion.28 not found", every time the entry
            # was loaded) and also after many good calls, once other executables had come and
            # gone in the same process ("NOT_FOUND: Function convert_clamp_fusion not found"): a
            # deserialised executable can refer to a function of another compilation. Compile in
            # this process instead (the run is repeated from its inputs, so no state is lost).
            # The same "Function ... not found" also met an executable compiled in this process
            # (a map's 32-member ensemble in a forecasting worker that had run other jobs, loaded
            # through JAX's own persistent compilation cache): recompile and run once more.
            first = sig in self._loaded
            if not first and "not found" not in str(err).lower():
                raise  # a genuine error of a run that has worked before
            self._loaded.discard(sig)
            if first:  # an entry that cannot run once loaded: never store this one again
                _write_atomic(self._path(sig), UNLOADABLE)
                STATS["loaded"] -= 1
            self._from_disk.discard(sig)
            STATS["load_failed"] = STATS.get("load_failed", 0) + 1
            compiled = self._compiled[sig] = self._compile(args, fresh=True)
            return jax.block_until_ready(compiled(*args))

    def __getattr__(self, name):  # lower, trace, eval_shape, ... of the jitted function
        return getattr(self._jitted, name)

    def _compile(self, args, fresh: bool = False):
        """Compile for ``args``; ``fresh`` bypasses JAX's own persistent compilation cache (which
        the command-line tool turns on), so a broken executable is not loaded from it again."""
        import contextlib

        import jax

        ctx = contextlib.nullcontext()
        if fresh and hasattr(jax.config, "jax_enable_compilation_cache"):
            ctx = _compilation_cache_off()
        with ctx:
            try:
                compiled = self._jitted.lower(*args).compile()
            except Exception:  # noqa: BLE001 - e.g. an operation XLA cannot emit in a single kernel
                if self._fallback is None:
                    raise
                compiled = self._fallback.lower(*args).compile()
                STATS["fallback"] = STATS.get("fallback", 0) + 1
        STATS["compiled"] += 1
        return compiled

    def _path(self, sig) -> Path:
        import jax

        text = "|".join((_environment(), _stable(self._key), repr(sig), str(jax.config.jax_enable_x64)))
        return cache_dir() / f"{hashlib.sha256(text.encode()).hexdigest()[:40]}.bin"

    def _load_or_compile(self, args, sig):
        from jax.experimental import serialize_executable as se

        path = self._path(sig)
        try:
            blob = path.read_bytes()
        except OSError:  # no entry yet
            blob = b""
        if blob == UNLOADABLE:  # marked: compiled in each process, never stored again
            return self._compile(args)
        compiled = _deserialize(blob) if blob else None
        if compiled is not None:
            STATS["loaded"] += 1
            self._loaded.add(sig)
            self._from_disk.add(sig)
            return compiled
        compiled = self._compile(args)  # no entry, or a stale or foreign one: compile and replace it
        try:
            data = pickle.dumps(se.serialize(compiled))
        except Exception:  # noqa: BLE001 - not serialisable (host callbacks): kept in this process only
            return compiled
        _write_atomic(path, data)
        return compiled


@contextlib.contextmanager
def _compilation_cache_off():
    """JAX's persistent compilation cache off for the block, then as it was. Only reached in a
    process that has met a broken executable; the setting is restored even on error."""
    import jax

    before = jax.config.jax_enable_compilation_cache
    jax.config.update("jax_enable_compilation_cache", False)
    try:
        yield
    finally:
        jax.config.update("jax_enable_compilation_cache", before)


def _deserialize(blob: bytes):
    """The executable stored in ``blob``, or ``None`` when it cannot be loaded here."""
    from jax.experimental import serialize_executable as se

    try:
        payload, in_tree, out_tree = pickle.loads(blob)
        return se.deserialize_and_load(payload, in_tree, out_tree)
    except Exception:  # noqa: BLE001 - stale (other versions) or foreign entry
        return None


def _write_atomic(path: Path, data: bytes) -> None:
    """Write ``path`` by temp file + rename; a cache that cannot be written stores nothing."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except OSError:  # a read-only or full cache: leave no partial file behind
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


def cached(jitted, key, fallback=None) -> CachedSolver:
    """Wrap ``jitted`` (a ``jax.jit`` function) so its executables are cached on disk under ``key``;
    ``fallback`` (a ``jax.jit`` function computing the same values) is compiled instead when
    ``jitted`` fails to compile."""
    return CachedSolver(jitted, key, fallback)
