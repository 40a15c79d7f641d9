"""JAX access for the engine: float64 as a *context*, never a global switch."""

from __future__ import annotations

import functools


@functools.cache
def _jax():
    import jax

    return jax


def x64():
    """Context in which JAX computes in float64 (``jax.enable_x64``), restoring the user's setting."""
    jax = _jax()
    try:
        return jax.enable_x64(True)
    except (AttributeError, TypeError):  # pragma: no cover - older JAX
        from jax.experimental import enable_x64

        return enable_x64()
