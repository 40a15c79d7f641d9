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
    off = _fresh(dict(env, CHAOSZOO_NO_SOLVER_CACHE="1"))
    assert off["stats"] == {"loaded": 0, "compiled": 0} and off["values"] == first["values"]
