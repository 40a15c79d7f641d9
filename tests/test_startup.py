"""Start-up (issue 13 item 6): compiled solvers persist on disk, so a fresh process loads them.

Two fresh processes share one cache directory: the first compiles Lorenz's solver and stores
it, the second must load it without compiling (``chaoszoo.engine.aot.STATS``) and return the
same bytes. JAX's global configuration is left as it was.
"""

import json
import subprocess
import sys

SCRIPT = """
import json, sys
import jax
before = {k: jax.config.values.get(k) for k in ("jax_compilation_cache_dir", "jax_enable_x64")}
import chaoszoo as cz
from chaoszoo.engine import aot
tr = cz.get("Lorenz").trajectory(500)
after = {k: jax.config.values.get(k) for k in before}
print(json.dumps({"stats": aot.STATS, "values": tr.values.tobytes().hex(), "config_unchanged": before == after}))
"""


def _fresh(env):
    res = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, env=env, timeout=600)
    assert res.returncode == 0, res.stderr[-2000:]
    return json.loads(res.stdout.strip().splitlines()[-1])


def test_fresh_process_loads_the_compiled_solver(tmp_path):
    import os

    env = dict(os.environ, CHAOSZOO_CACHE=str(tmp_path))
    env.pop("CHAOSZOO_NO_SOLVER_CACHE", None)
    first = _fresh(env)
    assert first["stats"] == {"loaded": 0, "compiled": 1} and first["config_unchanged"]
    assert len(list((tmp_path / "solvers").glob("*.bin"))) == 1
    second = _fresh(env)
    assert second["stats"] == {"loaded": 1, "compiled": 0} and second["config_unchanged"]
    assert second["values"] == first["values"]  # the loaded executable computes the same bytes
    off = _fresh(dict(env, CHAOSZOO_NO_SOLVER_CACHE="1"))  # compiles in-process, stores nothing
    assert off["stats"] == {"loaded": 0, "compiled": 1} and off["values"] == first["values"]
    assert len(list((tmp_path / "solvers").glob("*.bin"))) == 1


def test_a_loaded_executable_that_loses_a_function_later_is_recompiled(tmp_path, monkeypatch):
    """XLA on CPU can fail a deserialised executable after good runs ("NOT_FOUND: Function
    convert_clamp_fusion not found", seen in a long benchmark worker): the call is redone with an
    executable compiled in the process; other errors of a trusted executable still propagate."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    from chaoszoo.engine import aot

    monkeypatch.setenv("CHAOSZOO_CACHE", str(tmp_path))
    monkeypatch.delenv("CHAOSZOO_NO_SOLVER_CACHE", raising=False)
    solver = aot.cached(jax.jit(lambda x: jnp.cumsum(x) * 2.0), key=("test-recompile",))
    x = np.arange(5.0)
    first = np.asarray(solver(x))            # compiled and stored
    np.testing.assert_array_equal(first, np.cumsum(x) * 2.0)
    sig = next(iter(solver._compiled))

    class Lost:
        def __call__(self, *a):
            raise RuntimeError("NOT_FOUND: Function convert_clamp_fusion not found (type id: 1)")

    class Broken:
        def __call__(self, *a):
            raise RuntimeError("INTERNAL: something else")

    solver._from_disk.add(sig)               # as if loaded from disk and already run once
    solver._compiled[sig] = Lost()
    compiled_before = aot.STATS["compiled"]
    np.testing.assert_array_equal(np.asarray(solver(x)), first)
    assert aot.STATS["compiled"] == compiled_before + 1 and sig not in solver._from_disk
    solver._from_disk.add(sig)
    solver._compiled[sig] = Broken()
    import pytest

    with pytest.raises(RuntimeError, match="something else"):
        solver(x)


def test_a_loaded_executable_whose_failure_surfaces_when_awaited_is_recompiled_and_never_stored_again(
        tmp_path, monkeypatch):
    """The failure of a deserialised executable can surface only when its result is awaited
    (asynchronous dispatch): seen for 4-variable flows' ensembles, "NOT_FOUND: Function
    bitcast_concatenate_fusion.28 not found", each time the entry was loaded. The first call
    waits for the result, recompiles, and marks the entry so later processes compile instead."""
    import jax
    import jax.numpy as jnp
    import numpy as np

    from chaoszoo.engine import aot

    monkeypatch.setenv("CHAOSZOO_CACHE", str(tmp_path))
    monkeypatch.delenv("CHAOSZOO_NO_SOLVER_CACHE", raising=False)
    fn = jax.jit(lambda x: jnp.cumsum(x) * 3.0)
    x = np.arange(4.0)
    aot.cached(fn, key=("test-awaited",))(x)  # compiled and stored
    (entry,) = list((tmp_path / "solvers").glob("*.bin"))

    class Pending:  # a result whose error is raised when awaited, as XLA's are
        def block_until_ready(self):
            raise RuntimeError("NOT_FOUND: Function bitcast_concatenate_fusion.28 not found (type id: 1)")

    from jax.experimental import serialize_executable as se

    monkeypatch.setattr(se, "deserialize_and_load", lambda *a, **k: (lambda *args: Pending()))
    loaded = aot.cached(fn, key=("test-awaited",))  # a new process: loads the entry
    out = loaded(x)
    np.testing.assert_array_equal(np.asarray(out), np.cumsum(x) * 3.0)
    assert entry.read_bytes() == aot.UNLOADABLE
    again = aot.cached(fn, key=("test-awaited",))  # the next process compiles, loads nothing
    before = dict(aot.STATS)
    np.testing.assert_array_equal(np.asarray(again(x)), np.cumsum(x) * 3.0)
    assert aot.STATS["compiled"] == before["compiled"] + 1 and aot.STATS["loaded"] == before["loaded"]
    assert entry.read_bytes() == aot.UNLOADABLE
