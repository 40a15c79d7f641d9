"""Shared fixtures. JAX float64 is never switched on globally: the package uses a context."""

import os

os.environ.setdefault("XLA_FLAGS", "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import pytest  # noqa: E402


@pytest.fixture(scope="module")
def private_cache(tmp_path_factory):
    """A data cache of the test module's own (``$CHAOSZOO_CACHE``), restored afterwards: forecast
    tests that build protocol data do not read or fill the user's cache. Use it with
    ``pytestmark = pytest.mark.usefixtures("private_cache")`` or as an argument."""
    old = os.environ.get("CHAOSZOO_CACHE")
    os.environ["CHAOSZOO_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if old is None:
        os.environ.pop("CHAOSZOO_CACHE")
    else:
        os.environ["CHAOSZOO_CACHE"] = old
