"""Optional extras in the tests: imported for real, never skipped.

``make test`` installs ``.[test]``, which pulls in every extra the tests use (``chaoszoo[all]``,
psutil and Hugging Face datasets), so a missing one means a broken test environment: the test
fails and says which extra to install, instead of being skipped.
"""

from __future__ import annotations

import importlib
from types import ModuleType

import pytest


def require(module: str, extra: str) -> ModuleType:
    """Import ``module``, which comes with ``pip install 'chaoszoo[<extra>]'``; fail if it is missing."""
    try:
        return importlib.import_module(module)
    except ImportError as err:
        pytest.fail(f"{module} is not installed ({err}): it comes with the chaoszoo[{extra}] extra, which the tests "
                    "need (`make test` installs .[test], i.e. every extra): pip install -e '.[test]'", pytrace=False)
