"""Iteration of discrete maps with ``jax.lax.scan``."""

from __future__ import annotations

import functools

import numpy as np

from chaoszoo.catalog.declaration import Declaration
from chaoszoo.engine.fields import jax_field
from chaoszoo.engine.kernels import MemberMap


@functools.cache
def _iterator(decl: Declaration, n: int, noisy: bool):
    import jax
    import jax.numpy as jnp

    field = jax_field(decl)

    def one(y0, params, noise, key):
        def step(y, k):
            t, eps = k
            nxt = field(t, y, params)
            if noisy:
                nxt = nxt + noise * eps
            return nxt, y

        eps = jax.random.normal(key, (n, y0.shape[0]), dtype=y0.dtype) if noisy else jnp.zeros((n, 0))
        ks = jnp.arange(n, dtype=y0.dtype)
        _, ys = jax.lax.scan(step, y0, (ks, eps) if noisy else (ks, jnp.zeros((n,))))
        return ys

    return MemberMap(one, (0, 0, None, 0), ("map", decl, n, noisy))


def iterate(decl: Declaration, y0, params, n: int, *, noise: float = 0.0, keys=None):
    """Iterate a batch of initial conditions ``n`` times (the first sample is ``y0``)."""
    import jax
    import jax.numpy as jnp

    from chaoszoo.engine.flows import bucket

    m = bucket(n)
    if keys is None:
        keys = jnp.zeros((len(y0), 2), dtype=jnp.uint32)
    ys = _iterator(decl, m, bool(np.any(np.asarray(noise) > 0)))(jnp.asarray(y0), params, jnp.asarray(noise), keys)
    ys = ys[:, :n]
    return ys, np.isfinite(ys).all(axis=(1, 2))
