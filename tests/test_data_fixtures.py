"""Shared presets and fixtures of the dataset tests (imported by the test_data_* modules).

The tiny presets keep every build short: two flows, two initial conditions per split,
two periods at 20 (fine) and 5 (coarse) points per period. Compilation dominates their
cost, so one session-wide build is shared and later builds in this process are warm.
"""

import shutil

import pytest

from chaoszoo.data import Preset, build

TINY = Preset(name="tiny", systems=("Lorenz", "Rossler"), n_ics=2, periods=2.0, fine_pts=20, coarse_pts=5,
              transient_periods=5.0, lyapunov_pts=5, lyapunov_times=2.0, noise_level=0.2)

#: The script run (and killed) in a subprocess by the resume test.
BUILD_SCRIPT = """
import sys
from chaoszoo.data import Preset, build
p = Preset(name="tiny", systems=("Lorenz", "Rossler"), n_ics=2, periods=2.0, fine_pts=20, coarse_pts=5,
           transient_periods=5.0, lyapunov_pts=5, lyapunov_times=2.0, noise_level=0.2)
build(p, sys.argv[1], jobs=int(sys.argv[2]), progress=False)
"""


@pytest.fixture(scope="session")
def tiny_dir(tmp_path_factory):
    """A finished build of :data:`TINY` (read-only for the tests: copy before editing)."""
    out = tmp_path_factory.mktemp("tiny") / "built"
    build(TINY, out, jobs=1, progress=False)
    return out


@pytest.fixture
def tiny_copy(tiny_dir, tmp_path):
    dst = tmp_path / "copy"
    shutil.copytree(tiny_dir, dst)
    return dst


def tree_bytes(root):
    """``{relative path: bytes}`` of every file under ``root``."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}
