"""The atlas: build rules (marker, cache, missing sources) and the site in a real browser.

The site is built once per module on three systems (a flow, a map, a delay equation) with
synthetic forecasting results and features tables whose expected rankings and neighbours
are known by construction. Browser tests use Debian's Chromium through Playwright
(``tools/ensure_browser.sh`` installs it); screenshots go to ``.pytest_artifacts/atlas/``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import numpy as np
import pandas as pd
import pytest

import chaoszoo as cz
from chaoszoo.atlas import MARKER, build
from chaoszoo.errors import InvalidArgumentError

# the tests share one built site: keep them in one pytest-xdist worker
pytestmark = pytest.mark.xdist_group("atlas")

SYSTEMS = ["Henon", "Lorenz", "MackeyGlass"]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / ".pytest_artifacts" / "atlas"


def _results(path: Path) -> None:
    """Forecast results where model 'good' beats 'bad' on every system, one 'flaky' job failed."""
    rows = []
    for s in SYSTEMS + ["Rossler"]:          # a system outside the build must not break anything
        for ic in range(3):
            rows.append(dict(system=s, model="good", ic=ic, variant="multi-clean", status="ok",
                             smape=10.0 + ic, vpt_smape=2.0))
            rows.append(dict(system=s, model="bad", ic=ic, variant="multi-clean", status="ok",
                             smape=40.0 + ic, vpt_smape=0.5))
            rows.append(dict(system=s, model="flaky", ic=ic, variant="multi-clean",
                             status="failed" if ic == 0 else "ok", smape=np.nan if ic == 0 else 25.0, vpt_smape=1.0))
    path.mkdir(parents=True)
    pd.DataFrame(rows).to_parquet(path / "toy-protocol.parquet")
    (path / "toy-protocol.json").write_text(json.dumps({"name": "toy-protocol", "version": 3,
                                                        "command": "chaoszoo forecast run --protocol toy"}))


def _features(path: Path) -> None:
    """Features where Lorenz's nearest neighbour is Rossler-like 'MackeyGlass' by construction."""
    rng = np.random.default_rng(0)
    base = {"Lorenz": 0.0, "MackeyGlass": 0.1, "Henon": 5.0, "Rossler": 9.0, "Chen": 12.0}
    rows = []
    for s, b in base.items():
        for v in range(2):
            rows.append({"system": s, "variable": f"x{v}", "kind": "flow",
                         **{f"f{j}": b * (j + 1) + 1e-3 * rng.standard_normal() for j in range(6)}})
    path.mkdir(parents=True)
    pd.DataFrame(rows).to_parquet(path / "catch22.parquet")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("atlas")
    _results(root / "results")
    _features(root / "features")
    out = root / "site"
    # through the command line, in its own process: it uses JAX's persistent compilation cache.
    # The on-disk solver cache (engine.aot) is off: with it, loading a stored Lorenz solver failed
    # here with "Function wrapped_iota not found" (reported to the engine's owner).
    env = {**os.environ, "CHAOSZOO_NO_SOLVER_CACHE": "1"}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", "from chaoszoo.cli import main; main()", "atlas", "build", "--out", str(out), "--systems",
                           ",".join(SYSTEMS), "--jobs", "1", "--per-system-solvers", "--quiet",
                           "--results-dir", str(root / "results"), "--features-dir", str(root / "features")],
                          capture_output=True, text=True, timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    print(f"\natlas test build: {proc.stdout.splitlines()[0]} ({time.perf_counter() - t0:.1f} s)")
    stats = json.loads((out / MARKER).read_text())
    return out, stats, root


# --- build rules ----------------------------------------------------------------------------
def test_refuses_a_folder_it_did_not_write(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(InvalidArgumentError, match="not written by"):
        build(tmp_path, ["Henon"], jobs=1, progress=False)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]  # nothing written
    (tmp_path / "notes.txt").unlink()
    (tmp_path / "site").write_text("a file")
    with pytest.raises(InvalidArgumentError, match="is a file"):
        build(tmp_path / "site", ["Henon"], jobs=1, progress=False)


def test_does_not_overwrite_a_foreign_file_inside_its_folder(site, tmp_path):
    out, _, root = site
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    (copy / "leaderboard" / "index.html").unlink()
    marker = json.loads((copy / MARKER).read_text())
    marker["files"].remove("leaderboard/index.html")
    (copy / MARKER).write_text(json.dumps(marker))
    (copy / "leaderboard" / "index.html").write_text("someone else's page")
    with pytest.raises(InvalidArgumentError, match="was not written by the atlas"):
        build(copy, SYSTEMS, jobs=1, results_dir=root / "results", features_dir=root / "features", progress=False)
    assert (copy / "leaderboard" / "index.html").read_text() == "someone else's page"


def test_rebuild_touches_only_what_changed(site, tmp_path, monkeypatch):
    out, _, root = site
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    kw = dict(jobs=1, shared_solvers=False, results_dir=root / "results", features_dir=root / "features", progress=False)
    again = build(copy, SYSTEMS, **kw)
    assert again.rendered == [] and again.written == [] and again.removed == 0
    # one declaration changes (its hash): one system is redrawn, its old pictures removed
    atlas_build = sys.modules["chaoszoo.atlas.build"]
    real = atlas_build.declaration_key
    monkeypatch.setattr(atlas_build, "declaration_key",
                        lambda d: real(d)[::-1] if d.name == "Henon" else real(d))
    changed = build(copy, SYSTEMS, **kw)
    assert changed.rendered == ["Henon"]
    pages = sorted(p for p in changed.written if p.endswith(".html"))
    assert pages == ["index.html", "systems/Henon.html"]   # the index row's thumbnail name changed
    assert all("Henon" in p or p in ("index.html", MARKER) for p in changed.written)
    assert changed.removed == 5                             # the five old Henon pictures


def test_missing_sources_say_what_to_run(site, tmp_path):
    out = tmp_path / "site"
    shutil.copytree(site[0], out)
    build(out, SYSTEMS, jobs=1, results_dir=False, features_dir=False, progress=False)
    assert not (out / "leaderboard" / "toy-protocol.html").exists()   # the stale page is removed
    lb = (out / "leaderboard" / "index.html").read_text()
    assert "No forecasting results are shipped yet" in lb and "chaoszoo forecast run" in lb
    fm = (out / "features.html").read_text()
    assert "No features table" in fm and "chaoszoo features compute" in fm
    page = (out / "systems" / "Henon.html").read_text()
    assert "chaoszoo features compute" in page and 'href="../leaderboard/index.html"' in page


def test_equations_are_mathml_of_the_published_form(site):
    """Lorenz (1963): dx/dt = sigma (y - x); the page carries SymPy's presentation MathML of it."""
    import sympy as sp

    out, _, _ = site
    html = (out / "systems" / "Lorenz.html").read_text()
    x, y, z, sigma, rho, beta = sp.symbols("x y z sigma rho beta")
    for rhs in (sigma * (y - x), x * (rho - z) - y, x * y - beta * z):
        assert sp.mathml(rhs, printer="presentation") in html
    assert html.count("<mtr>") == 3 and '<math display="block"' in html
    henon = (out / "systems" / "Henon.html").read_text()  # maps: x_{n+1} = 1 - a x_n^2 + y_n
    xn, yn, a = sp.symbols("x_n y_n a")
    assert sp.mathml(1 - a * xn**2 + yn, printer="presentation") in henon


def test_results_and_neighbours_on_system_pages(site):
    out, marker, _ = site
    assert sorted(f for f in marker["files"] if f.endswith(".html")) == [
        "about.html", "features.html", "index.html", "leaderboard/index.html", "leaderboard/toy-protocol.html",
        "systems/Henon.html", "systems/Lorenz.html", "systems/MackeyGlass.html"]
    html = (out / "systems" / "Lorenz.html").read_text()
    ranks = re.findall(r"<tr><td>(\d|–)</td><td>(\w+)</td><td>([\d.–]+)</td>", html)
    assert ranks[:3] == [("1", "good", "11"), ("2", "flaky", "25"), ("3", "bad", "41")]
    nb = re.search(r'Neighbours in feature space.*?<ol>(.*?)</ol>', html, flags=re.S).group(1)
    assert re.findall(r'href="(\w+)\.html"', nb)[:2] == ["MackeyGlass", "Henon"]   # Rossler/Chen not in this build
    lb = (out / "leaderboard" / "toy-protocol.html").read_text()
    assert lb.index(">good<") < lb.index(">flaky<") < lb.index(">bad<")
    assert "chaoszoo forecast run --protocol toy" in lb


def test_pages_are_light(site):
    out, _, _ = site
    for name in SYSTEMS:
        page = out / "systems" / f"{name}.html"
        images = re.findall(r'src="\.\./(img/[^"]+)"', page.read_text())
        total = page.stat().st_size + sum((out / i).stat().st_size for i in set(images))
        print(f"{name}: page + pictures {total / 1e3:.0f} kB")
        assert len(images) == 4 and total < 400_000


# --- the site in a real browser -----------------------------------------------------------------
@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: run `tools/ensure_browser.sh` (or `apt-get install -y chromium`).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


def _open(browser, url, width=1280, height=900):
    page = browser.new_page(viewport={"width": width, "height": height})
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url, wait_until="load")
    return page, errors


def test_every_page_loads_and_every_link_resolves(site, browser):
    out, _, _ = site
    pages = sorted(out.rglob("*.html"))
    assert len(pages) == 8
    for path in pages:
        page, errors = _open(browser, path.as_uri())
        refs = page.eval_on_selector_all(
            "a[href], img[src], link[href], script[src]",
            "els => els.map(e => new URL(e.getAttribute('href') || e.getAttribute('src'), document.baseURI).href)")
        broken = page.eval_on_selector_all("img", "els => els.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)")
        alts = page.eval_on_selector_all("img", "els => els.filter(i => !i.alt).map(i => i.src)")
        page.close()
        assert errors == [], f"{path}: {errors}"
        assert broken == [] and alts == [], (path, broken, alts)
        assert len(refs) >= 8
        for ref in refs:  # nothing is fetched from elsewhere, and every reference resolves
            u = urlparse(ref)
            assert u.scheme == "file", f"{path.name}: external reference {ref}"
            assert Path(unquote(u.path)).exists(), f"{path.name}: broken link {ref}"


def test_search_filters_and_sorting(site, browser):
    out, _, _ = site
    page, errors = _open(browser, (out / "index.html").as_uri())
    shown = "els => els.map(e => e.textContent)"
    rows = "#systems tbody tr:not([hidden]) th a"
    t0 = time.perf_counter()
    page.fill("#q", "mackey")
    page.wait_for_function("document.getElementById('count').textContent.startsWith('1 of')")
    print(f"\nindex: search responded in {1e3 * (time.perf_counter() - t0):.0f} ms")
    assert page.eval_on_selector_all(rows, shown) == ["MackeyGlass"]
    page.fill("#q", "lorenz")      # the name, and Henon's description ("... caricature of the Lorenz flow")
    assert page.eval_on_selector_all(rows, shown) == ["Henon", "Lorenz"]
    page.fill("#q", "convection")  # words of a description
    assert page.eval_on_selector_all(rows, shown) == ["Lorenz"]
    page.fill("#q", "")
    page.select_option("#f-kind", "map")
    assert page.eval_on_selector_all("#systems tbody tr:not([hidden]) th a", "els => els.map(e => e.textContent)") == ["Henon"]
    page.select_option("#f-kind", "")
    page.select_option("#f-dim", "1")
    assert page.eval_on_selector_all("#systems tbody tr:not([hidden]) th a", "els => els.map(e => e.textContent)") == ["MackeyGlass"]
    assert page.text_content("#count") == "1 of 3 systems shown"
    page.select_option("#f-dim", "")
    page.focus("#systems thead button[data-sort='lyap']")      # sorting works from the keyboard
    page.keyboard.press("Enter")
    names = page.eval_on_selector_all("#systems tbody th a", "els => els.map(e => e.textContent)")
    lyap = {n: cz.get(n).max_lyapunov for n in SYSTEMS}
    assert names == sorted(SYSTEMS, key=lambda n: lyap[n])
    page.keyboard.press("Enter")
    assert page.eval_on_selector_all("#systems tbody th a", "els => els.map(e => e.textContent)") == names[::-1]
    page.close()
    assert errors == []


def test_system_page_renders_math_and_screenshots(site, browser):
    out, _, _ = site
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page, errors = _open(browser, (out / "systems" / "Lorenz.html").as_uri())
    box = page.locator("math.equations").bounding_box()
    # rendered MathML: a laid-out block with three rows; the dotted x is drawn as an over-script
    assert box is not None and box["height"] > 40 and box["width"] > 100
    rows = page.eval_on_selector_all("math.equations mtr", "els => els.map(e => e.getBoundingClientRect().height)")
    assert len(rows) == 3 and all(h > 10 for h in rows)
    page.screenshot(path=str(ARTIFACTS / "system-desktop.png"), full_page=False)
    page.set_viewport_size({"width": 390, "height": 844})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1, f"the page scrolls sideways on a phone ({width} px)"
    page.screenshot(path=str(ARTIFACTS / "system-phone.png"), full_page=False)
    page.close()
    page, errors2 = _open(browser, (out / "index.html").as_uri())
    page.screenshot(path=str(ARTIFACTS / "index-desktop.png"))
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    page.screenshot(path=str(ARTIFACTS / "index-phone.png"))
    page.close()
    assert errors == [] and errors2 == []
    assert all((ARTIFACTS / f).stat().st_size > 5000 for f in ("system-desktop.png", "index-phone.png"))


def test_serve_over_http(site, tmp_path):
    import threading
    import urllib.request

    from chaoszoo.atlas.serve import make_server

    with pytest.raises(InvalidArgumentError, match="no built atlas"):
        make_server(tmp_path, port=0)
    server = make_server(site[0], port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        with urllib.request.urlopen(base + "systems/Lorenz.html", timeout=30) as r:
            assert r.status == 200 and b"<math" in r.read()
    finally:
        server.shutdown()
        server.server_close()
