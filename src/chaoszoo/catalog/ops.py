"""Array namespaces that a declaration's equations are written against.

A system's equations are plain Python over an *array namespace* ``xp`` (``xp.sin``,
``xp.roll``, ...). The same function is evaluated with three namespaces:

* :data:`NUMPY` - fast scalar/array evaluation at the public boundary;
* ``jax_ops()`` - traced by JAX for integration, ensembles and autodiff Jacobians;
* :data:`SYMPY` - symbolic evaluation, from which the LaTeX of the equations is derived.

Only the functions listed in :data:`FUNCTIONS` may be used in declarations, so every
declaration evaluates under all three namespaces.
"""

from __future__ import annotations

import math
from types import SimpleNamespace

import numpy as np

#: Elementwise functions available in every namespace.
FUNCTIONS = (
    "sin", "cos", "tan", "exp", "log", "sqrt", "abs", "tanh", "sinh", "cosh",
    "arctan", "arcsin", "arccos", "arctan2", "sign", "floor", "mod", "maximum",
    "minimum", "heaviside", "where", "power", "cbrt",
)
#: Array functions (act on the whole state vector) available in every namespace.
ARRAY_FUNCTIONS = ("roll", "sum", "stack", "concatenate", "asarray", "zeros_like")


def _numpy_ops() -> SimpleNamespace:
    ns = {name: getattr(np, name) for name in FUNCTIONS if hasattr(np, name)}
    ns["heaviside"] = lambda x: np.heaviside(x, 0.5)
    ns.update(roll=np.roll, sum=np.sum, stack=np.stack, concatenate=np.concatenate,
              asarray=np.asarray, zeros_like=np.zeros_like, pi=math.pi, name="numpy",
              fft=np.fft)
    return SimpleNamespace(**ns)


NUMPY = _numpy_ops()


def jax_ops() -> SimpleNamespace:
    """The JAX namespace (imported lazily so that importing the catalog stays cheap)."""
    global _JAX_OPS
    if _JAX_OPS is None:
        import jax.numpy as jnp

        ns = {name: getattr(jnp, name) for name in FUNCTIONS if hasattr(jnp, name)}
        ns["heaviside"] = lambda x: jnp.heaviside(x, 0.5)
        ns.update(roll=jnp.roll, sum=jnp.sum, stack=jnp.stack, concatenate=jnp.concatenate,
                  asarray=jnp.asarray, zeros_like=jnp.zeros_like, pi=math.pi, name="jax",
                  fft=jnp.fft)
        _JAX_OPS = SimpleNamespace(**ns)
    return _JAX_OPS


_JAX_OPS = None


def _sympy_ops() -> SimpleNamespace:
    import sympy as sp

    def elementwise(fn):
        def apply(*args):
            if any(isinstance(a, np.ndarray) for a in args):
                return np.vectorize(fn, otypes=[object])(*args)
            return fn(*args)

        return apply

    table = {
        "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "exp": sp.exp, "log": sp.log,
        "sqrt": sp.sqrt, "abs": sp.Abs, "tanh": sp.tanh, "sinh": sp.sinh, "cosh": sp.cosh,
        "arctan": sp.atan, "arcsin": sp.asin, "arccos": sp.acos,
        "arctan2": lambda y, x: sp.atan2(y, x), "sign": sp.sign, "floor": sp.floor,
        "mod": lambda a, b: sp.Mod(a, b), "maximum": lambda a, b: sp.Max(a, b),
        "minimum": lambda a, b: sp.Min(a, b), "heaviside": lambda x: sp.Heaviside(x, sp.S.Half),
        "where": lambda c, a, b: sp.Piecewise((a, c), (b, True)),
        "power": lambda a, b: a**b, "cbrt": lambda x: sp.sign(x) * sp.Abs(x) ** sp.Rational(1, 3),
    }
    ns = {k: elementwise(v) for k, v in table.items()}
    ns.update(
        roll=np.roll,
        sum=lambda a, axis=None: sp.Add(*np.asarray(a, dtype=object).ravel()) if axis is None else np.sum(a, axis=axis),
        stack=lambda xs, axis=0: np.array(list(xs), dtype=object),
        concatenate=lambda xs, axis=0: np.concatenate([np.asarray(x, dtype=object) for x in xs]),
        asarray=lambda a, dtype=None: np.asarray(a, dtype=object),
        zeros_like=lambda a: np.zeros(np.shape(a), dtype=object) * 0,
        pi=sp.pi, name="sympy", fft=None,
    )
    return SimpleNamespace(**ns)


_SYMPY_OPS = None


def sympy_ops() -> SimpleNamespace:
    """The SymPy namespace (SymPy imported lazily)."""
    global _SYMPY_OPS
    if _SYMPY_OPS is None:
        _SYMPY_OPS = _sympy_ops()
    return _SYMPY_OPS
