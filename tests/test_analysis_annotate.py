"""``chaoszoo annotate``, the invariants store and the System properties that read it.

Published values: Sprott, J. C. (2003). Chaos and Time-Series Analysis, Appendix A
(Lorenz: 0.9056, 0, -14.5723; D_KY = 2.0621); Grassberger, P. & Procaccia, I. (1983),
Physica D 9, 189-208 (Lorenz correlation exponent 2.05 +- 0.01).
"""

import json

import numpy as np
import pytest
from click.testing import CliRunner

import chaoszoo as cz
from chaoszoo.catalog import invariants as store
from chaoszoo.cli import main
from chaoszoo.errors import InvalidArgumentError


@pytest.fixture(scope="module")
def annotated(tmp_path_factory):
    path = tmp_path_factory.mktemp("inv") / "invariants.json"
    result = CliRunner().invoke(main, ["annotate", "Lorenz", "--output", str(path)])
    assert result.exit_code == 0, result.output
    return path, result.output


def test_annotate_writes_lorenz_invariants(annotated):
    path, output = annotated
    data = json.loads(path.read_text())
    e = data["systems"]["Lorenz"]
    # the catalog's beta = 2.667 differs from 8/3 by 1e-4: far inside these tolerances
    assert e["max_lyapunov"] == pytest.approx(0.9056, rel=0.02)
    assert abs(e["lyapunov_spectrum"][1]) < 0.01
    assert sum(e["lyapunov_spectrum"]) == pytest.approx(-(10 + 1 + 2.667), rel=0.005)
    assert e["kaplan_yorke_dimension"] == pytest.approx(2.06, rel=0.03)
    assert e["correlation_dimension"] == pytest.approx(2.05, rel=0.03)
    assert e["pesin_entropy"] == pytest.approx(e["max_lyapunov"], rel=0.05)
    assert 0 < e["multiscale_entropy"] < 3
    assert 0.5 < e["dominant_period"] < 2.0
    assert len(e["lyapunov_stderr"]) == 3 and all(v >= 0 for v in e["lyapunov_stderr"])
    assert e["version"] == cz.__version__ and e["params"] == cz.get("Lorenz").params
    assert "settings" in e and e["lyapunov_converged"] is True and "lyapunov_note" not in e


def test_unconverged_estimate_is_flagged_and_reported(tmp_path, monkeypatch):
    """With an unreachable acceptance threshold the estimate is written flagged, with its
    standard error and the reason, and the command says so; converged entries say True."""
    from chaoszoo.analysis import annotate

    monkeypatch.setattr(annotate, "ACCEPT_REL", 1e-9)
    monkeypatch.setattr(annotate, "ACCEPT_ABS", 1e-9)
    monkeypatch.setattr(annotate, "EXTEND_MAX_FACTOR", 0.0)  # no extension run
    path = tmp_path / "inv.json"
    r = CliRunner().invoke(main, ["annotate", "Henon", "--output", str(path)])
    assert r.exit_code == 0, r.output
    assert "Henon: written as NOT converged" in r.output and "written but not converged: Henon" in r.output
    e = json.loads(path.read_text())["systems"]["Henon"]
    assert e["lyapunov_converged"] is False and "did not converge" in e["lyapunov_note"]
    assert e["max_lyapunov"] == pytest.approx(0.41922, rel=0.02)  # Sprott 2003: still a good estimate
    assert e["lyapunov_stderr"][0] > 0


def test_annotate_resumes(annotated):
    path, _ = annotated
    before = path.read_text()
    again = CliRunner().invoke(main, ["annotate", "Lorenz", "--output", str(path)])
    assert again.exit_code == 0
    assert "already annotated" in again.output and "Nothing to do" in again.output
    assert path.read_text() == before


def test_annotate_usage_errors(tmp_path):
    r = CliRunner().invoke(main, ["annotate", "--output", str(tmp_path / "x.json")])
    assert r.exit_code != 0 and "NAMES" in r.output
    r = CliRunner().invoke(main, ["annotate", "Lorenz", "--all", "--output", str(tmp_path / "x.json")])
    assert r.exit_code != 0
    r = CliRunner().invoke(main, ["annotate", "Lorenzz", "--output", str(tmp_path / "x.json")])
    assert r.exit_code != 0 and not (tmp_path / "x.json").exists()


def test_store_atomic_write_and_load(tmp_path):
    p = tmp_path / "inv.json"
    assert store.load(p) == {"format": store.FORMAT, "systems": {}}
    store.write({"format": 1, "systems": {"A": {"max_lyapunov": 1.0, "params": {"k": 2.0}}}}, p)
    assert store.invariants("A", path=p)["max_lyapunov"] == 1.0
    assert store.invariants("A", params={"k": 3.0}, path=p) is None  # other parameters
    assert store.invariants("B", path=p) is None
    assert not list(tmp_path.glob(".*tmp"))  # no temporary file left behind
    with pytest.raises(ValueError):  # NaN is not valid JSON: refuse rather than corrupt the file
        store.write({"format": 1, "systems": {"A": {"x": float("nan")}}}, p)
    assert store.invariants("A", path=p)["max_lyapunov"] == 1.0


def test_system_properties_and_lyapunov_grid(annotated, monkeypatch):
    path, _ = annotated
    monkeypatch.setattr(store, "PATH", path)
    s = cz.get("Lorenz")
    lam = s.max_lyapunov
    assert lam == pytest.approx(0.9056, rel=0.02)
    assert s.lyapunov_time == pytest.approx(1 / lam)
    assert isinstance(s.lyapunov_spectrum, np.ndarray) and s.lyapunov_spectrum.shape == (3,)
    assert s.kaplan_yorke_dimension == pytest.approx(2.06, rel=0.03)
    assert s.correlation_dimension is not None and s.pesin_entropy is not None
    assert s.multiscale_entropy is not None and "settings" in s.invariants
    # other parameters: the recorded numbers do not apply
    assert s.with_params(rho=35.0).invariants is None
    assert s.with_params(rho=35.0).max_lyapunov is None
    tr = s.trajectory(50, pts_per_lyapunov_time=20)
    assert np.diff(tr.t) == pytest.approx(np.full(49, 1 / lam / 20))
    with pytest.raises(InvalidArgumentError, match="at most one"):
        s.trajectory(50, pts_per_lyapunov_time=20, dt=0.01)
    with pytest.raises(InvalidArgumentError, match="annotate"):
        s.with_params(rho=35.0).trajectory(50, pts_per_lyapunov_time=20)


def test_unannotated_system_has_no_invariants(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "PATH", tmp_path / "none.json")
    s = cz.get("Lorenz")
    assert s.invariants is None and s.lyapunov_spectrum is None and s.lyapunov_time is None
    with pytest.raises(InvalidArgumentError, match="pts_per_lyapunov_time"):
        s.trajectory(10, pts_per_lyapunov_time=5)


# ----------------------------------------------------------------------- the shipped catalog table
#: Tags that explain a largest exponent indistinguishable from zero (the entry's notes say why).
NOT_CHAOTIC = {"quasi-periodic", "periodic", "transient-chaos"}


def test_every_system_is_annotated_with_the_current_settings():
    """The catalog's invariants.json was written by `chaoszoo annotate` for every system, at
    the declared parameters and with the settings of this version of the code."""
    from chaoszoo.analysis.annotate import SETTINGS

    table = store.load()["systems"]
    stale = []
    for name in sorted(cz.names()):
        e = table.get(name)
        s = cz.get(name)
        if e is None or e["params"] != dict(s.params) or e["settings"] != json.loads(json.dumps(SETTINGS)):
            stale.append(name)
        elif not e["lyapunov_converged"]:
            assert "did not converge" in e["lyapunov_note"] and np.isfinite(e["lyapunov_stderr"][0]), name
    assert not stale, f"re-run `chaoszoo annotate {' '.join(stale)}`"


def test_every_system_is_chaotic_or_says_why_not():
    """Each annotated largest exponent is positive beyond two standard errors, or the system
    carries a tag saying why not (quasi-periodic) and notes giving the reason."""
    table = store.load()["systems"]
    unexplained = []
    for name, e in table.items():
        lam, err = e["max_lyapunov"], e["lyapunov_stderr"][0]
        if lam > 2 * err and lam > 0:
            continue
        s = cz.get(name)
        if not (set(s.tags) & NOT_CHAOTIC and s.declaration.notes):
            unexplained.append((name, lam, err))
    assert not unexplained


def test_shipped_delay_entries_are_embedded():
    """A delay equation's scalar output is delay-embedded before Grassberger-Procaccia: the
    shipped Mackey-Glass (tau = 17) entry is near nu = 1.95 +- 0.03 (Grassberger & Procaccia
    1983, Physica D 9, 189-208), not the 1.0 of a one-dimensional state, and its lambda_1 is
    positive (Farmer 1982, Physica D 4, 366-393: chaotic at tau = 17)."""
    s = cz.get("MackeyGlass")
    assert s.params["tau"] == 17.0
    assert s.correlation_dimension == pytest.approx(1.95, rel=0.05)
    assert s.max_lyapunov > 3 * s.invariants["lyapunov_stderr"][0]


def test_a_short_run_that_cannot_tell_chaos_is_repeated_longer(monkeypatch):
    """A converged short run whose lambda_1 is not clearly positive (within 2 standard errors of
    zero) is repeated at the long length, and the long estimate is kept if it converges; if it
    does not, the short one stands. (Weakly chaotic SprottMore: 0.0011 +- 0.0007 over 4 x 300
    periods, 0.00037 +- 0.00016 over 4 x 1,500.)"""
    from chaoszoo.analysis import annotate
    from chaoszoo.analysis.lyapunov import LyapunovResult

    calls = []

    def fake(long_err):
        def run(system, n_exponents=None, t_total=None, **kw):
            calls.append(t_total)
            lam, err = (0.001, 0.0008) if len(calls) == 1 else (0.0005, long_err)
            return LyapunovResult(mean=np.array([lam, -1.0]), stderr=np.array([err, 0.01]),
                                  settings={"method": "map", "averaging_time": float(t_total)})
        return run

    henon = cz.get("Henon")  # a map: attempts are the short run, then 5x longer
    monkeypatch.setattr(annotate, "lyapunov_spectrum_with_error", fake(0.0001))
    res = annotate._spectrum(henon)
    assert calls == [20000, 100000] and float(res.mean[0]) == 0.0005

    calls.clear()
    monkeypatch.setattr(annotate, "lyapunov_spectrum_with_error", fake(0.5))  # long run too noisy
    res = annotate._spectrum(henon)
    assert calls == [20000, 100000] and float(res.mean[0]) == 0.001

    calls.clear()
    monkeypatch.setattr(annotate, "lyapunov_spectrum_with_error",
                        lambda system, t_total=None, **kw: calls.append(t_total) or LyapunovResult(
                            mean=np.array([0.4, -1.6]), stderr=np.array([0.004, 0.01]),
                            settings={"method": "map", "averaging_time": float(t_total)}))
    annotate._spectrum(henon)
    assert calls == [20000]  # clearly chaotic: accepted at once
