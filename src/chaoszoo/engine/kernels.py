"""How the engine's per-member computations are compiled and run over a batch.

On a CPU, XLA executes every fused operation of a program as a separate kernel, at a cost of
roughly 50-100 ns each. An adaptive Dormand-Prince 8(7) step of a 3-variable flow is some 35
such kernels around a few hundred floating-point operations, so dispatch dominated: Lorenz
cost 2.4 us per attempted step, where a numba loop takes 0.44 us. XLA:CPU can instead emit a
``call`` that carries the frontend attribute ``xla_cpu_small_call`` as *one* function (the
mechanism of its ``SmallWhileLoopHoistingPass``, which applies it by itself only to loops
that touch under 1 KB per iteration; no per-compilation option raises that threshold).
:func:`one_kernel` marks a function that way, and also ``inlineable = "false"`` so that
XLA's call inliner keeps the call. Measured on this project's 2-core machine
(``benchmarks/bench_engine.py --native-only``): Lorenz, 10,000 samples, 19 ms -> 2.6 ms,
with bitwise identical output.

A batch runs as :class:`MemberMap`: members are independent, so on a CPU the batch is split
into one chunk per core, each chunk a ``lax.map`` over its members inside one kernel, and the
chunks run concurrently from threads (XLA releases the GIL while it computes). Every member
executes the same code on the same inputs whatever the chunking, so results do not depend on
the number of threads. On other backends (GPU) the batch is one ``vmap``-ped program, which is
what those devices are built for. A program that XLA cannot emit as one kernel (its legacy
emitter lacks a few operations) is compiled the usual way instead, for the same results.
"""

from __future__ import annotations

import functools
import os
import threading

import numpy as np

#: Environment variable: the number of threads a batch is split over (default: usable cores).
THREADS_ENV = "CHAOSZOO_THREADS"
#: Environment variable: ``0`` compiles everything the usual way (one kernel per operation).
SINGLE_KERNEL_ENV = "CHAOSZOO_SINGLE_KERNEL"


def single_kernel_enabled() -> bool:
    """Whether CPU programs are compiled as single kernels (``$CHAOSZOO_SINGLE_KERNEL`` is not ``0``).

    The switch exists because XLA's single-kernel emitter is a narrower path than its usual
    one. On jaxlib 0.10.2 a kernel with many separate input buffers aborted the process with a
    failed internal check (the stochastic solver; ExcitableCell's adaptive Lyapunov block, 31
    parameters), which :func:`one_kernel` now avoids by packing its inputs; packed outputs made
    the delay solver fail to compile, and a compilation failure is caught and compiled the usual
    way. Every catalog system has run on each path in this mode (single trajectories, ensembles,
    shared solvers, noisy runs, the Lyapunov blocks of ``chaoszoo annotate --all``; 2 December
    2026, no abort); a user's own system that trips the emitter can run with this off.
    """
    return os.environ.get(SINGLE_KERNEL_ENV, "").strip() != "0"


def threads() -> int:
    """Threads a CPU batch is split over: ``$CHAOSZOO_THREADS`` or the cores this process may use."""
    text = os.environ.get(THREADS_ENV, "").strip()
    if text:
        if not text.isdigit() or int(text) < 1:
            from chaoszoo.errors import InvalidArgumentError

            raise InvalidArgumentError(f"{THREADS_ENV} must be a positive whole number of threads; got {text!r}.")
        return int(text)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - non-Linux
        return max(1, os.cpu_count() or 1)


def on_cpu() -> bool:
    import jax

    return jax.default_backend() == "cpu"


@functools.cache
def _metadata():
    try:
        from jax.experimental.xla_metadata import set_xla_metadata
    except ImportError:  # pragma: no cover - a JAX without it: the usual compilation
        return None
    return set_xla_metadata


def one_kernel(fn):
    """``fn`` (traceable) as a nested call that XLA:CPU compiles into a single kernel.

    Use inside a ``jax.jit``-ed function; off the CPU, or with a JAX that cannot attach
    frontend attributes, it is ``fn`` itself. The call's inputs are packed into one flat buffer
    per dtype (:func:`_pack`): with many separate input buffers (ExcitableCell's 31 parameters)
    XLA's single-kernel emitter aborts the process on jaxlib 0.10.2 ("All or none of the slices
    should have an explicit index"), which no fallback can catch. Its outputs are left as they
    are: packed too, the delay solver's failed to compile ("Invalid LLVM IR").
    """
    import jax

    @functools.wraps(fn)
    def call(*args):
        mark = _metadata()
        if mark is None or not on_cpu() or not single_kernel_enabled():
            return fn(*args)
        bufs, unpack = _pack(args)

        def packed(*bufs):
            return fn(*unpack(bufs))

        # tag the call operation that produces the outputs, and only it: as a context,
        # set_xla_metadata would also tag every operation inside, keeping the nested calls
        # of scans and helpers out of line (each a copy of its loop state per iteration)
        return mark(jax.jit(packed)(*bufs), xla_cpu_small_call="true", inlineable="false")

    return call


def _pack(tree):
    """``(buffers, unpack)``: the leaves of ``tree`` raveled and concatenated into one 1-D
    buffer per dtype, and the function that rebuilds ``tree`` from them (leaves come back as
    arrays of their dtype; a weakly typed scalar becomes a strongly typed one)."""
    import jax
    import jax.numpy as jnp

    leaves, treedef = jax.tree.flatten(tree)
    leaves = [jnp.asarray(x) for x in leaves]
    groups: dict = {}
    for i, x in enumerate(leaves):
        groups.setdefault(x.dtype, []).append(i)
    order = list(groups)
    bufs = [jnp.concatenate([jnp.ravel(leaves[i]) for i in groups[d]]) for d in order]
    spec = [(x.shape, x.size) for x in leaves]

    def unpack(bufs):
        out = [None] * len(spec)
        for d, buf in zip(order, bufs):
            at = 0
            for i in groups[d]:
                shape, size = spec[i]
                out[i] = buf[at:at + size].reshape(shape)
                at += size
        return jax.tree.unflatten(treedef, out)

    return bufs, unpack


def _leaf_axes(in_axes, args) -> list:
    """``in_axes`` (as for ``vmap``: ``0``, ``None`` or nested tuples of them) per leaf of ``args``."""
    import jax

    out = []
    for arg, ax in zip(args, in_axes):
        if isinstance(ax, tuple):
            out += _leaf_axes(ax, arg)
        else:
            out += [ax] * len(jax.tree.leaves(arg))
    return out


def _mapped(one, in_axes):
    """``lax.map`` of ``one`` over axis 0 of the batched arguments (the others are shared)."""
    import jax

    def run(*args):
        leaves, tree = jax.tree.flatten(args)
        axes = _leaf_axes(in_axes, args)
        batched = [x for x, ax in zip(leaves, axes) if ax == 0]

        def member(xs):
            it = iter(xs)
            return one(*jax.tree.unflatten(tree, [next(it) if ax == 0 else x for x, ax in zip(leaves, axes)]))

        return jax.lax.map(member, batched)

    return run


class MemberMap:
    """A per-member function ``one(*args)`` run over a batch (axis 0 of the arguments whose
    ``in_axes`` entry is 0), returning NumPy arrays with the batch first.

    ``vmap_one`` (default ``one``) is the member function used under ``vmap`` off the CPU and
    when a single kernel cannot be compiled; it must compute the same values. ``key``
    identifies the computation in the on-disk executable cache (:mod:`chaoszoo.engine.aot`).
    """

    def __init__(self, one, in_axes, key, vmap_one=None):
        self.one, self.in_axes, self.key = one, tuple(in_axes), key
        self.vmap_one = vmap_one if vmap_one is not None else one

    @functools.cached_property
    def _vmapped(self):
        import jax

        from chaoszoo.engine.aot import cached

        return cached(jax.jit(jax.vmap(self.vmap_one, in_axes=self.in_axes)), (*self.key, "vmap"))

    @functools.cached_property
    def _chunk(self):
        import jax

        from chaoszoo.engine.aot import cached

        fallback = jax.jit(jax.vmap(self.vmap_one, in_axes=self.in_axes))
        return cached(jax.jit(one_kernel(_mapped(self.one, self.in_axes))), (*self.key, "kernel"), fallback=fallback)

    @functools.cached_property
    def _single(self):
        import jax

        from chaoszoo.engine.aot import cached

        return cached(jax.jit(one_kernel(self.one)), (*self.key, "single"), fallback=jax.jit(self.one))

    def __call__(self, *args):
        """Run over the batch (a batch of one runs ``one`` alone, without a member loop)."""
        import jax

        if not on_cpu() or not single_kernel_enabled():
            return jax.tree.map(np.asarray, self._vmapped(*args))
        leaves, tree = jax.tree.flatten(args)
        axes = _leaf_axes(self.in_axes, args)
        k = next(len(x) for x, ax in zip(leaves, axes) if ax == 0)
        if k == 1:  # one member: no member loop
            one = jax.tree.unflatten(tree, [x[0] if ax == 0 else x for x, ax in zip(leaves, axes)])
            return jax.tree.map(lambda x: np.asarray(x)[None], self._single(*one))
        n_threads = min(threads(), k)
        size = -(-k // n_threads)
        padded = [x if ax != 0 else _pad_rows(x, size * n_threads) for x, ax in zip(leaves, axes)]

        def chunk(i):
            return jax.tree.unflatten(tree, [x if ax != 0 else x[i * size:(i + 1) * size]
                                             for x, ax in zip(padded, axes)])

        if n_threads == 1:
            outs = [self._chunk(*chunk(0))]
        else:
            outs = _in_threads(self._chunk, [chunk(i) for i in range(n_threads)])
        return jax.tree.map(lambda *parts: np.concatenate([np.asarray(p) for p in parts])[:k], *outs)


def _pad_rows(x, rows: int):
    """``x`` with its last row repeated up to ``rows`` rows (padding members are discarded)."""
    import jax.numpy as jnp

    if len(x) == rows:
        return x
    return jnp.concatenate([x, jnp.repeat(x[-1:], rows - len(x), axis=0)])


def _in_threads(fn, arg_lists):
    """``[fn(*args) for args in arg_lists]``, each in its own thread, with the caller's JAX
    precision setting (``jax.enable_x64`` is a thread-local context)."""
    import jax

    x64 = bool(jax.config.jax_enable_x64)
    results: list = [None] * len(arg_lists)
    errors: list = []

    def work(i):
        try:
            with jax.enable_x64(x64):
                results[i] = jax.block_until_ready(fn(*arg_lists[i]))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            errors.append(exc)

    workers = [threading.Thread(target=work, args=(i,), daemon=True, name=f"chaoszoo-chunk-{i}")
               for i in range(1, len(arg_lists))]
    for w in workers:
        w.start()
    work(0)  # the caller's thread takes the first chunk
    for w in workers:
        w.join()
    if errors:
        raise errors[0]
    return results
