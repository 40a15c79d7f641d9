"""Limits checked before any work starts, and Ctrl-C for long computations.

* Memory: a run's arrays are sized up front (:func:`run_bytes`); a request that would need
  more than the memory allowed (``$CHAOSZOO_MAX_MEMORY``, for example ``8G``; default 80% of
  this machine's physical memory) raises :class:`~chaoszoo.errors.InvalidArgumentError`
  naming the amount, before anything is allocated.
* Steps: one call integrates at most :data:`MAX_PERIODS` dominant periods per member (a
  step budget), so a request such as ``trajectory(10, dt=1e6)`` is refused at once instead
  of running for hours.
* Ctrl-C: :func:`interruptible` runs a computation in a helper thread while the main thread
  waits in small, signal-aware steps, so Ctrl-C raises ``KeyboardInterrupt`` at once even
  while XLA is busy (XLA itself cannot be cancelled: the abandoned computation finishes in
  the background, bounded by the step budget, and its result is discarded).
"""

from __future__ import annotations

import contextvars
import functools
import os
import threading

from chaoszoo.errors import InvalidArgumentError

#: The step budget: dominant periods one call may integrate per member. Lorenz at the default
#: tolerance takes ~50 adaptive steps per period (~10 microseconds each on one core), so the
#: budget bounds a call to minutes; longer runs are split by the caller.
MAX_PERIODS = 1_000_000


def memory_limit() -> int:
    """Bytes one computation may use: ``$CHAOSZOO_MAX_MEMORY`` (``123``, ``8G``, ``500M``) or 80% of RAM."""
    text = os.environ.get("CHAOSZOO_MAX_MEMORY", "").strip()
    if text:
        units = {"K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
        try:
            scale = units.get(text[-1].upper(), 1)
            return int(float(text[:-1] if text[-1].upper() in units else text) * scale)
        except ValueError:
            raise InvalidArgumentError(
                f"CHAOSZOO_MAX_MEMORY must be a number of bytes such as 8G or 500M; got {text!r}.") from None
    try:
        return int(0.8 * os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - non-POSIX
        return 16 * 2**30


def format_bytes(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB", "PB"):
        if n < 1024 or unit == "PB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} PB"  # pragma: no cover


def check_memory(what: str, nbytes: float, advice: str) -> None:
    """Raise :class:`InvalidArgumentError` if ``nbytes`` exceeds :func:`memory_limit`."""
    limit = memory_limit()
    if nbytes > limit:
        raise InvalidArgumentError(
            f"{what} would need about {format_bytes(nbytes)} of memory; at most {format_bytes(limit)} is "
            f"allowed on this machine (80% of its memory, or $CHAOSZOO_MAX_MEMORY). {advice}")


def _bucket(n: int) -> int:
    return max(64, 1 << max(0, int(n) - 1).bit_length())


def run_bytes(kind: str, k: int, n_total: int, d: int, *, delay_steps: tuple[int, int] | None = None,
              noisy: bool = False) -> float:
    """Peak bytes of one engine run: ``k`` members, ``n_total`` samples, dimension ``d``.

    The output is padded to a power of two and exists ~3 times at once (solver output, the
    NumPy copy, the blow-up mask); delay equations also store every step and derivative
    (``delay_steps = (steps per delay, total steps)``) and maps with noise their increments.
    """
    out = 3.0 * 8 * k * _bucket(n_total) * d
    if delay_steps is not None:
        m, n_steps = delay_steps
        out += 8.0 * k * d * (2 * (m + 1) + (3 if noisy else 2) * _bucket(n_steps))
    elif kind == "map" and noisy:
        out += 8.0 * k * _bucket(n_total) * d
    return out


def check_run(name: str, kind: str, k: int, n_total: int, d: int, dt: float, period: float, *,
              delay_steps: tuple[int, int] | None = None, noisy: bool = False) -> None:
    """Refuse, before any allocation, a run that would exceed the memory or the step budget."""
    members = f"{k} members x " if k > 1 else ""
    check_memory(
        f"{name}: {members}{n_total:,} samples x {d} variables"
        + (f" (the delay history alone has {delay_steps[0]:,} steps per delay)" if delay_steps else ""),
        run_bytes(kind, k, n_total, d, delay_steps=delay_steps, noisy=noisy),
        "Use fewer samples or members, a shorter transient, or split the run.")
    span = (n_total - 1) * dt
    if kind != "map" and span / period > MAX_PERIODS:
        raise InvalidArgumentError(
            f"{name}: the requested run spans t = 0 .. {span:.4g}, {span / period:.3g} periods of this system "
            f"({n_total} samples every {dt:.4g}); one call integrates at most {MAX_PERIODS:,} periods (the step "
            "budget), which would take hours. Use fewer samples, a smaller step (pts_per_period or dt) or a "
            "shorter transient, or split the run.")


def interruptible(fn):
    """Decorator: run ``fn`` so that Ctrl-C interrupts the caller at once (see the module notes).

    Only in the main thread (the one that receives Ctrl-C); elsewhere ``fn`` is called directly.
    Context variables (such as :func:`chaoszoo.engine.shared_solvers`) are carried over.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if threading.current_thread() is not threading.main_thread() or getattr(_inside, "active", False):
            return fn(*args, **kwargs)
        ctx = contextvars.copy_context()
        box: dict = {}
        done = threading.Event()

        def target():
            _inside.active = True
            try:
                box["value"] = ctx.run(fn, *args, **kwargs)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
                box["error"] = exc
            finally:
                done.set()

        thread = threading.Thread(target=target, name=f"chaoszoo-{fn.__name__}", daemon=True)
        thread.start()
        try:
            while not done.wait(0.1):  # a short wait, so a signal handler runs promptly
                pass
        except BaseException:  # Ctrl-C: leave the computation behind (it cannot be cancelled)
            _abandon(thread)
            raise
        if "error" in box:
            raise box.pop("error")
        return box["value"]

    return wrapper


_inside = threading.local()
_abandoned: list[threading.Thread] = []


def _abandon(thread: threading.Thread) -> None:
    if not _abandoned:
        import atexit

        atexit.register(_exit_now_if_busy)
    _abandoned.append(thread)


def _exit_now_if_busy() -> None:
    """At exit, skip interpreter finalisation while an interrupted XLA computation still runs.

    Finalising Python under a thread that is inside XLA aborts the process ("terminate called
    ..."), so the process ends here instead, with the status of an interrupted program (130).
    """
    if any(t.is_alive() for t in _abandoned):
        import sys

        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:  # noqa: BLE001 - closed or replaced streams
                pass
        os._exit(130)
