"""The distribution's licence file, and the rule that a missing optional extra fails a test."""

from __future__ import annotations

import hashlib
import sys
import tomllib
from pathlib import Path

import pytest

from extras import require

ROOT = Path(__file__).resolve().parents[1]
#: sha256 of https://www.apache.org/licenses/LICENSE-2.0.txt, reproduced verbatim
APACHE_2_SHA256 = "cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30"


def test_license_file_is_the_declared_apache_2_text_and_is_packaged():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "Apache-2.0"
    assert project["license-files"] == ["LICENSE"]  # setuptools puts it in the wheel and the sdist
    text = (ROOT / "LICENSE").read_bytes()
    assert text.startswith(b"\n                                 Apache License\n                           Version 2.0,")
    assert hashlib.sha256(text).hexdigest() == APACHE_2_SHA256, "LICENSE is not the verbatim Apache License 2.0"


def test_a_missing_extra_fails_the_test_instead_of_skipping_it(monkeypatch):
    assert require("xarray", "xarray") is sys.modules["xarray"]
    monkeypatch.setitem(sys.modules, "xarray", None)  # as if chaoszoo[xarray] were not installed
    with pytest.raises(pytest.fail.Exception, match=r"xarray is not installed .*chaoszoo\[xarray\]"):
        require("xarray", "xarray")
