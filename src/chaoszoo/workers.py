"""Worker processes that never outlive the command that started them.

Every parallel command (dataset builds, ``annotate``, ``run``, the forecasting runner)
starts its workers through this module, so that:

* a worker exits within a fraction of a second when its parent dies for any reason,
  ``kill -9`` included (:func:`die_with_parent`, called first in each worker);
* Ctrl-C (SIGINT, delivered by the terminal to the whole process group) and SIGTERM stop
  the command cleanly: workers ignore SIGINT and leave the decision to the parent, which
  raises :class:`KeyboardInterrupt` in its main thread, terminates its workers and
  removes its temporary files on the way out (:func:`process_pool`).

Measured on Linux (2 cores): after ``kill -9`` of a ``chaoszoo dataset build`` the
workers are gone in well under a second (``tests/test_workers.py``).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import multiprocessing
import os
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor

#: Environment every compute worker gets: one core per worker (JAX must not spread each
#: worker over every core) and the CPU backend.
WORKER_ENV = {
    "XLA_FLAGS": "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1",
    "JAX_PLATFORMS": "cpu",
}

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
_watchdog_started = False


def _set_parent_death_signal(sig: int) -> bool:
    """Ask the Linux kernel to send ``sig`` to this process when its parent dies."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def die_with_parent(poll_interval: float = 0.25) -> None:
    """Make this process exit as soon as its parent process dies (``kill -9`` included).

    Call it first thing in a worker process (for example as, or inside, a process pool's
    ``initializer``). Two mechanisms, so that it works everywhere:

    * Linux: ``prctl(PR_SET_PDEATHSIG, SIGKILL)``: the kernel kills this process the moment
      its parent exits. (The kernel tracks the parent *thread* that started the process, so
      start workers from a thread that lives as long as the pool, such as the main thread.)
    * everywhere: a daemon thread that checks ``os.getppid()`` every ``poll_interval``
      seconds and exits the process (``os._exit``) once the process has been re-parented.

    The parent's identity is taken at the call, so a parent that died before this function
    ran is detected too. Idempotent.
    """
    global _watchdog_started
    parent = os.getppid()
    _set_parent_death_signal(signal.SIGKILL)
    if os.getppid() != parent or parent == 1:  # the parent died before we got here
        os._exit(1)
    if _watchdog_started:
        return
    _watchdog_started = True

    def watch() -> None:
        import time

        while True:
            time.sleep(poll_interval)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="chaoszoo-die-with-parent", daemon=True).start()


def worker_init(env: dict | None = None, extra=None) -> None:
    """Initializer of every chaoszoo worker process.

    Dies with the parent, ignores SIGINT (the parent receives Ctrl-C too and shuts the pool
    down; a worker printing its own ``KeyboardInterrupt`` traceback helps nobody), sets the
    worker environment (``env``, default :data:`WORKER_ENV`; existing values win), then runs
    ``extra()`` if given.
    """
    die_with_parent()
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread (a thread-based executor): nothing to do
        pass
    for k, v in (WORKER_ENV if env is None else env).items():
        os.environ.setdefault(k, v)
    if extra is not None:
        extra()


@contextlib.contextmanager
def sigterm_raises():
    """Within this context, SIGTERM raises :class:`KeyboardInterrupt` in the main thread.

    So ``kill PID`` runs the same clean-up as Ctrl-C (``finally`` blocks, temp-file removal,
    terminating workers) instead of killing the process on the spot. A no-op outside the
    main thread.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise KeyboardInterrupt(f"terminated by signal {signum}")

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def terminate_pool(pool: ProcessPoolExecutor, timeout: float = 5.0) -> None:
    """Stop a process pool now: cancel queued work, terminate and reap its workers."""
    procs = [p for p in (getattr(pool, "_processes", None) or {}).values()]
    for p in procs:
        with contextlib.suppress(Exception):
            p.terminate()
    with contextlib.suppress(Exception):
        pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        with contextlib.suppress(Exception):
            p.join(timeout)
            if p.is_alive():
                p.kill()
                p.join(1.0)


@contextlib.contextmanager
def process_pool(jobs: int, initializer=None, initargs: tuple = (), env: dict | None = None):
    """A ``spawn`` :class:`~concurrent.futures.ProcessPoolExecutor` whose workers die with us.

    Workers run :func:`worker_init` (die with the parent, ignore SIGINT, one core each) and
    then ``initializer(*initargs)``. While the context is open SIGTERM raises
    ``KeyboardInterrupt``; on any exception (Ctrl-C included) the workers are terminated
    at once instead of finishing their current task. Start it from the main thread (see
    :func:`die_with_parent`).
    """
    extra = functools.partial(initializer, *initargs) if initializer is not None else None
    ctx = multiprocessing.get_context("spawn")  # JAX is not fork-safe
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=worker_init,
                               initargs=(env, extra))
    with sigterm_raises():
        try:
            yield pool
        except BaseException:
            terminate_pool(pool)
            raise
        else:
            pool.shutdown(wait=True)


#: Seconds to wait for a Ray cluster's address to accept a connection before giving up
#: (``ray.init`` itself retries a dead address for minutes).
RAY_CONNECT_TIMEOUT = 10.0


def check_ray_address(address: str | None, timeout: float = RAY_CONNECT_TIMEOUT) -> None:
    """Fail fast, with the reason, when a Ray cluster ``address`` (``host:port`` or
    ``ray://host:port``) accepts no connection within ``timeout`` seconds. ``None``,
    ``"local"`` and ``"auto"`` (a new or the already running local instance) are not checked."""
    import socket

    from chaoszoo.errors import InvalidArgumentError

    if address is None:
        return
    if not isinstance(address, str) or not address.strip():
        raise InvalidArgumentError(f"A Ray address is host:port (or ray://host:port, auto, local); got {address!r}.")
    text = address.strip()
    if text in ("local", "auto"):
        return
    text = text.split("://", 1)[1] if "://" in text else text
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InvalidArgumentError(f"A Ray address must be host:port (or ray://host:port, auto, local); got {address!r}.")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            pass
    except OSError as err:
        raise InvalidArgumentError(
            f"Nothing answers at the Ray address {address!r} ({err.strerror or err}, waited up to {timeout:g} s). "
            "Start the cluster (`ray start --head`), check the address, or leave --address out to use a local "
            "Ray instance.") from None
