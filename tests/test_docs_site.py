"""The documentation site builds with warnings as errors, and its key pages have their content.

The build is the one ``make docs`` runs (``sphinx-build -W --keep-going -b html docs ...``), here into
a temporary directory, in a process of its own (Sphinx and docutils keep global state). Sphinx,
MyST and sphinx-click come with the ``docs`` extra, which ``.[test]`` includes: a missing one fails.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from extras import require

ROOT = Path(__file__).resolve().parents[1]
# one worker builds the site once for all the tests of this module
pytestmark = pytest.mark.xdist_group("docs-site")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    for module in ("sphinx", "myst_parser", "sphinx_click"):
        require(module, "docs")
    out = tmp_path_factory.mktemp("docs-site")
    html = out / "html"
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-j", "1", "-b", "html",
         "-d", str(out / "doctrees"), str(ROOT / "docs"), str(html)],
        capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, f"sphinx-build failed (warnings are errors):\n{proc.stderr[-6000:]}"
    return html


def test_site_builds_with_its_pages(site):
    for page in ("index.html", "getting-started.html", "engine.html", "invariants.html", "reproduction.html",
                 "reference/catalog.html", "results/forecast/short-coarse/report.html"):
        assert (site / page).is_file(), page
    index = (site / "index.html").read_text()
    for caption in ("Getting started", "Tutorials", "How-to guides", "Reference", "Explanation", "Results"):
        assert caption in index, caption


def test_cli_reference_documents_every_command(site):
    cli = (site / "reference" / "cli.html").read_text()
    assert "forecast run" in cli
    assert "dataset build" in cli


def test_api_reference_renders_the_docstrings(site):
    """autodoc's output is rendered as objects (not as literal rST text), one page per layer."""
    for layer in ("system", "catalog", "engine", "analysis", "data", "forecast", "features", "experiments",
                  "symbolic", "atlas", "compat"):
        assert (site / "reference" / "api" / f"{layer}.html").is_file(), layer
    analysis = (site / "reference" / "api" / "analysis.html").read_text()
    assert 'id="chaoszoo.analysis.lyapunov.lyapunov_spectrum"' in analysis
    assert ".. py:function::" not in analysis
    system = (site / "reference" / "api" / "system.html").read_text()
    assert 'id="chaoszoo.system.System.trajectory"' in system


def test_catalog_page_lists_the_systems(site):
    import chaoszoo as cz

    catalog = (site / "reference" / "catalog.html").read_text()
    for name in ("Lorenz", "Rossler", cz.names()[-1]):
        assert f"<code class=\"docutils literal notranslate\"><span class=\"pre\">{name}</span></code>" in catalog, name
