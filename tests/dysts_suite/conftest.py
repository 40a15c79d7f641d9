"""dysts 0.96's own tests, vendored: run only through tests/test_compat_dysts_suite.py.

Collected directly they would import the real dysts package, so pytest ignores them here.
"""

collect_ignore_glob = ["test_*.py", "run_suite.py"]
