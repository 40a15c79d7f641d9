"""Numerical functions derived from a declaration: JAX vector field and Jacobian."""

from __future__ import annotations

import functools

from chaoszoo.catalog.declaration import Declaration, Params
from chaoszoo.catalog.ops import jax_ops


def jax_field(decl: Declaration):
    """``f(t, y, params, y_delayed=None) -> dy`` as a JAX-traceable function.

    ``params`` is a mapping of parameter name to (traced) scalar.
    """
    return _jax_field(decl)


@functools.cache
def _jax_field(decl: Declaration):
    import jax.numpy as jnp

    xp = jax_ops()
    eq = decl.equations
    ints = decl.integer_params

    def as_params(params):
        p = Params(params)
        for k in ints:  # structural integer parameters stay Python ints
            p[k] = int(decl.params[k]) if k not in params else params[k]
        return p

    if decl.kind == "delay":
        def field(t, y, params, y_delayed):
            out = eq(y, y_delayed, t, as_params(params), xp)
            return jnp.reshape(jnp.stack([jnp.asarray(v, dtype=y.dtype) for v in out]) if isinstance(out, (tuple, list)) else jnp.asarray(out, dtype=y.dtype), y.shape)
    else:
        def field(t, y, params, y_delayed=None):
            out = eq(y, t, as_params(params), xp)
            if isinstance(out, (tuple, list)):
                out = jnp.stack([jnp.asarray(v, dtype=y.dtype) * jnp.ones((), y.dtype) for v in out])
            return jnp.reshape(jnp.asarray(out, dtype=y.dtype), y.shape)

    return field


@functools.cache
def jacobian_fn(decl: Declaration):
    """A jitted ``J(t, y, params[, y_delayed]) -> (d, d)``, by forward-mode autodiff."""
    import jax

    field = _jax_field(decl)
    if decl.kind == "delay":
        return jax.jit(jax.jacfwd(lambda y, t, params, yd: field(t, y, params, yd)))
    return jax.jit(jax.jacfwd(lambda y, t, params: field(t, y, params)))
