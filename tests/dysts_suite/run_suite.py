"""Run dysts 0.96's own test suite (vendored in this folder) against chaoszoo.compat.dysts.

Usage: ``python tests/dysts_suite/run_suite.py [OUT.json]``. The ``dysts`` modules the tests
import are mapped onto the compatibility layer before the tests are loaded, so the real dysts
package (if installed) is never imported. ``random`` is seeded (the tests draw random systems)
so that a run is reproducible. Every solve runs inside ``chaoszoo.engine.shared_solvers()``
(one compiled solver per state dimension, the same numbers), so that the ~100 systems the
suite draws do not compile one solver each. Prints a JSON summary: tests run, passed, and
every failure, error and skip with its message.
"""

import json
import os
import random
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


def alias_dysts() -> None:
    import chaoszoo.compat.dysts as cd

    sys.modules["dysts"] = cd
    for sub in ("analysis", "base", "flows", "maps", "metrics", "sampling", "systems", "utils"):
        sys.modules[f"dysts.{sub}"] = getattr(cd, sub) if sub != "base" else sys.modules["chaoszoo.compat.dysts.base"]


def main(out=None) -> dict:
    alias_dysts()
    random.seed(0)
    from chaoszoo.engine import shared_solvers

    suite = unittest.defaultTestLoader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    with shared_solvers():
        result = unittest.TextTestRunner(verbosity=2, stream=sys.stderr).run(suite)
    summary = {
        "run": result.testsRun,
        "passed": result.testsRun - len(result.failures) - len(result.errors) - len(result.skipped),
        "failures": {t.id(): msg[-1500:] for t, msg in result.failures},
        "errors": {t.id(): msg[-1500:] for t, msg in result.errors},
        "skipped": {t.id(): msg for t, msg in result.skipped},
    }
    text = json.dumps(summary, indent=1)
    if out:
        with open(out, "w") as fh:
            fh.write(text)
    print(text)
    return summary


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
