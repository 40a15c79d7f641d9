"""The dysts compatibility layer, checked against values computed by dysts 0.96 itself.

``tests/data/dysts_reference.npz`` is written by ``tools/make_dysts_reference.py`` running
dysts (an independent implementation): vector fields at random states near each default
initial condition, the first 20 iterates of every map, the default parameters, dysts's system
lists and a few short trajectories with their time grids.

Every dysts system must be in the catalog under its dysts name (the Duffing map as
``DuffingMap``); a missing one fails. A catalog entry may differ from dysts on purpose (equations
that follow the original paper, parameters where dysts's are not chaotic, a period taken from the
power spectrum), but only in the comparisons listed in ``DYSTS_EXEMPT`` with their reason, each
also explained in the entry's ``notes``. A listed comparison must still fail (a difference that
is gone fails the test until its exemption is removed); a mismatch that is not listed fails.
Where the catalog keeps dysts's parameter values in ``extra["dysts_params"]``, the vector field
and the map iterates are compared at those values, so the equations are checked to agree even
where the default parameters differ (those differences are listed one parameter at a time).

Tolerances: vector fields, map images and the first 20 iterates of every map agree to 1e-10
relative (to the largest magnitude in the compared block). A chaotic map multiplies last-bit
differences between numba's and JAX's elementary functions by about ``exp(lambda k)`` after
``k`` iterates; over 20 iterates the largest deviation measured was 6e-12 (Duffing map), so no
looser tolerance is needed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import chaoszoo as cz
from chaoszoo.compat.dysts import DynMap, DynSys, DynSysDelay, flows, maps, systems
from chaoszoo.compat.dysts.base import chaoszoo_name
from chaoszoo.errors import InvalidArgumentError, UnknownParameterError
from reference import reference_delay

REF = np.load(Path(__file__).parent / "data" / "dysts_reference.npz")
KEYS = set(REF.files)


def _ref_names(kind: str) -> list[str]:
    return sorted({k.split("|")[1] for k in KEYS if k.startswith(f"{kind}|")})


FLOWS, DELAYS, MAPS = _ref_names("flow"), _ref_names("delay"), _ref_names("map")
RTOL = 1e-10


def _catalog_entry(name: str, kind: str) -> cz.System:
    cz_name = chaoszoo_name(name, kind)
    if cz_name not in cz.names():
        pytest.fail(f"dysts system {name!r} is missing from the catalog (expected as {cz_name!r}, kind {kind!r}).")
    s = cz.get(cz_name)
    assert s.kind == kind, f"{cz_name} has kind {s.kind!r}; dysts has it as a {kind}"
    return s


#: The comparisons in which a catalog entry differs from dysts 0.96 on purpose, as
#: ``(catalog name, check): reason``. ``check`` is ``"rhs"`` (vector field of a flow or delay
#: equation), ``"image"`` (one step of a map), ``"orbit"`` (a map's first 20 iterates),
#: ``"parameter <name>"`` (a default parameter), ``"period"`` or ``"dt"``. Each entry's ``notes``
#: give the full account; each listed comparison is checked to fail (the difference still exists).
DYSTS_EXEMPT = {
    # equations that follow the original paper
    ("BickleyJet", "rhs"): "the paper's eastward jet; dysts has the negated field (a westward jet, regular advection)",
    ("BurkeShaw", "rhs"): "Shaw (1981): dy/dt = -y - n x z; dysts has +y",
    ("DoublePendulum", "rhs"): "Hamilton's equations; dysts's sin(2(th1 - th2)) term does not conserve H",
    ("LiuChen", "rhs"): "the Liu-Chen paper's equations; dysts's Sakarya template is this system with y -> -y",
    ("LiuChen", "parameter c"): "the paper's sign, c = 5; dysts's template has c = -5",
    **{("LiuChen", f"parameter {p}"): "a coefficient of dysts's Sakarya template, absent from the paper's equations"
       for p in ("h", "p", "q", "r", "s")},
    ("BlinkingVortexMap", "orbit"): "the vortex alternates between +b and -b (Aref); dysts 0.96 never flips the sign",
    # parameters at which dysts's system is not chaotic (dysts's values in extra["dysts_params"])
    **{("ForcedVanDerPol", f"parameter {p}"): "the chaotic point of Parlitz & Lauterborn (1987); dysts's values "
                                              "give a torus" for p in ("a", "mu", "w")},
    ("PanXuZhou", "parameter k"): "k = 20; at dysts's k = 16 the foci are stable and the chaos is transient",
    **{("GumowskiMira", f"parameter {p}"): "dysts's a = -1.1, b = -0.2 give no chaotic attractor" for p in ("a", "b")},
    ("MackeyGlass", "parameter tau"): "tau = 17, the standard chaotic case; at dysts's tau = 16 the orbit is "
                                      "nearly periodic",
    # time units: the period is the dominant peak of the power spectrum of a long run
    ("BickleyJet", "period"): "the dominant spectral period of y (6.26e5 s) for the paper's chaotic zone",
    ("Bouali", "period"): "the slow modulation (12.8); dysts's 3.04 is the fast oscillation, a secondary peak",
    ("Bouali2", "period"): "the dominant slow band (about 114); dysts's 7.68 is the fast oscillation",
    ("DequanLi", "period"): "switching between scrolls (1.72); dysts's 0.084 is the fast spiralling within one",
    ("ExcitableCell", "period"): "the bursting period (about 8.6); dysts's 1.0 is a placeholder",
    ("ForcedVanDerPol", "period"): "four forcing periods at the catalog's w = 2.466; dysts's 14.48 is for its w",
    ("ForcedVanDerPol", "dt"): "period / 5000 for the catalog's period, as dysts's dt is for its own",
    ("HindmarshRose", "period"): "the bursting period (about 8.6); dysts's 1.75 is the spacing of single spikes",
    ("HyperRossler", "period"): "the rotation of the x-y oscillator (6.8); dysts's 1.12 is six times shorter",
    ("HyperWang", "period"): "the highest peak of the summed spectrum (3.03); dysts's 0.65 is the fast y oscillation",
    ("KawczynskiStrizhak", "period"): "the spectral peak near 37; dysts's 10.99 is six times shorter",
    ("StickSlipOscillator", "period"): "the spectral peak (4.59); dysts's 1.61 holds 1e-4 of the peak power",
}


def _compare(s: cz.System, check: str, compare) -> None:
    """Run the comparison ``compare`` (it raises AssertionError on a mismatch). It must pass,
    unless ``(s.name, check)`` is in DYSTS_EXEMPT, where it must fail: the difference still exists."""
    reason = DYSTS_EXEMPT.get((s.name, check))
    if reason is None:
        compare()
        return
    try:
        compare()
    except AssertionError:
        return  # the listed difference is still there
    pytest.fail(f"{s.name} now agrees with dysts in {check!r}: remove ({s.name!r}, {check!r}) from DYSTS_EXEMPT "
                f"(its reason was: {reason}) and update the entry's notes.")


def _at_dysts_parameters(model, s: cz.System):
    """``model`` with dysts's parameter values where the catalog records them (extra["dysts_params"])."""
    dysts_params = s.declaration.extra.get("dysts_params", {})
    if dysts_params:
        model.params = dict(dysts_params)
    return model


def _close(got, want, rtol=RTOL, what=""):
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    scale = np.abs(want).max() if want.size else 1.0
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * max(scale, 1e-300), err_msg=what)


# --- the catalog holds every dysts system, with dysts's equations ---------------------------
def test_every_dysts_system_is_in_the_catalog():
    missing = [n for kind, names in (("flow", FLOWS), ("delay", DELAYS), ("map", MAPS))
               for n in names if chaoszoo_name(n, kind) not in cz.names(kind=kind)]
    assert not missing, f"{len(missing)} dysts systems are not in the catalog: {', '.join(missing)}"


def test_reference_file_covers_dysts_lists():
    # the reference holds every system dysts 0.96 lists (135 continuous, 6 delay, 23 maps)
    assert str(REF["meta|dysts_version"]) == "0.96"
    assert sorted(FLOWS + DELAYS) == sorted(REF["list|continuous"].tolist())
    assert DELAYS == sorted(REF["list|delay"].tolist()) and MAPS == sorted(REF["list|discrete"].tolist())
    assert (len(FLOWS), len(DELAYS), len(MAPS)) == (129, 6, 23)


@pytest.mark.parametrize("name", FLOWS)
def test_flow_rhs_matches_dysts(name):
    s = _catalog_entry(name, "flow")
    model = _at_dysts_parameters(getattr(flows, name)(), s)
    X, want = REF[f"flow|{name}|X"], REF[f"flow|{name}|dXdt"]

    def check():
        assert model.dimension == X.shape[1], f"dimension {model.dimension}, dysts {X.shape[1]}"
        for x, w in zip(X, want):
            _close(model.rhs(x, 0.3), w, what=f"{name} rhs at {x.tolist()}, t=0.3")

    _compare(s, "rhs", check)


@pytest.mark.parametrize("name", DELAYS)
def test_delay_rhs_matches_dysts(name):
    s = _catalog_entry(name, "delay")
    model = _at_dysts_parameters(getattr(flows, name)(), s)
    xs, xds, want = REF[f"delay|{name}|x"], REF[f"delay|{name}|xd"], REF[f"delay|{name}|dxdt"]

    def check():
        got = [model.rhs(x, 0.3, x_delayed=xd) for x, xd in zip(xs, xds)]
        _close(got, want, what=f"{name} delayed rhs")
        np.testing.assert_array_equal(model.ic, REF[f"delay|{name}|ic"])
        assert model.dimension == len(REF[f"delay|{name}|ic"])

    _compare(s, "rhs", check)


@pytest.mark.parametrize("name", MAPS)
def test_map_images_match_dysts(name):
    s = _catalog_entry(name, "map")
    model = _at_dysts_parameters(getattr(maps, name)(), s)
    X, want = REF[f"map|{name}|X"], REF[f"map|{name}|next"]

    def check():
        for x, w in zip(X, want):
            _close(model.rhs(x), w, what=f"{name} image of {x.tolist()}")

    _compare(s, "image", check)


@pytest.mark.parametrize("name", MAPS)
def test_map_orbit_matches_dysts(name):
    s = _catalog_entry(name, "map")
    model = _at_dysts_parameters(getattr(maps, name)(), s)
    ic, want = REF[f"map|{name}|ic"], REF[f"map|{name}|orbit"]

    def check():
        got = np.asarray(model.make_trajectory(20, init_cond=ic)).reshape(want.shape)
        _close(got, want, what=f"{name} iterates 1-20")

    _compare(s, "orbit", check)


@pytest.mark.parametrize("kind,name", [("flow", n) for n in FLOWS + DELAYS] + [("map", n) for n in MAPS])
def test_default_parameters_match_dysts(kind, name):
    ref_kind = "delay" if name in DELAYS else kind
    s = _catalog_entry(name, ref_kind)
    names, values = REF[f"{ref_kind}|{name}|param_names"].tolist(), REF[f"{ref_kind}|{name}|param_values"]
    for p, want in zip(names, values):
        def check(p=p, want=want):
            assert p in s.params, f"{name}: dysts parameter {p!r} not found (catalog has {sorted(s.params)})"
            _close(s.params[p], want, rtol=1e-12, what=f"{name} default parameter {p}")

        _compare(s, f"parameter {p}", check)
    # dysts's values kept for the compat layer are dysts's, and only for parameters that differ
    dysts_params = s.declaration.extra.get("dysts_params", {})
    for p, v in dysts_params.items():
        assert p in names and (s.name, f"parameter {p}") in DYSTS_EXEMPT, (
            f"{name}: extra['dysts_params'][{p!r}] is not a listed difference")
        _close(v, values[names.index(p)], rtol=1e-12, what=f"{name} extra['dysts_params'][{p!r}]")


@pytest.mark.parametrize("name", FLOWS + DELAYS)
def test_time_units_match_dysts(name):
    # period and dt set dysts's time grids; a different value changes every trajectory, so it
    # is allowed only where DYSTS_EXEMPT lists it (an entry's extra["dysts_period"] /
    # extra["dysts_dt"] make this layer use dysts's values instead, as for MackeyGlass)
    kind = "delay" if name in DELAYS else "flow"
    s = _catalog_entry(name, kind)
    model = getattr(flows, name)()
    period, dt = REF[f"{kind}|{name}|period_dt"]
    _compare(s, "period", lambda: _close(model.period, period, rtol=1e-12, what=f"{name} period"))
    _compare(s, "dt", lambda: _close(model.dt, dt, rtol=1e-12, what=f"{name} dt"))


def test_every_exemption_names_a_comparison_and_is_explained():
    """A key of DYSTS_EXEMPT must be a comparison the tests above make (a misspelt one would
    exempt nothing and never be checked), and the entry's notes must explain the difference."""
    systems_by_name = {chaoszoo_name(n, kind): (kind, n) for kind, names in
                       (("flow", FLOWS), ("delay", DELAYS), ("map", MAPS)) for n in names}
    for (cz_name, check), reason in DYSTS_EXEMPT.items():
        assert cz_name in systems_by_name, f"{cz_name!r} is not a dysts system"
        kind, name = systems_by_name[cz_name]
        params = REF[f"{kind}|{name}|param_names"].tolist()
        checks = {"image", "orbit"} if kind == "map" else {"rhs", "period", "dt"}
        assert check in checks | {f"parameter {p}" for p in params}, (
            f"({cz_name!r}, {check!r}): no such comparison for a dysts {kind}; one of {sorted(checks)} or "
            f"'parameter <name>' with a dysts parameter of {name} ({params})")
        assert reason.strip()
        assert "dysts" in cz.get(cz_name).declaration.notes.lower(), f"{cz_name}: notes do not explain the difference"


def test_an_unlisted_mismatch_fails_and_a_listed_agreement_fails(monkeypatch):
    """The exemptions can fail both ways: without its entry BurkeShaw's rhs (dysts's sign of y) is
    a failure, and an entry for a comparison that agrees (Lorenz's rhs) is a failure too."""
    monkeypatch.delitem(DYSTS_EXEMPT, ("BurkeShaw", "rhs"))
    with pytest.raises(AssertionError, match="BurkeShaw rhs"):
        test_flow_rhs_matches_dysts("BurkeShaw")
    monkeypatch.delitem(DYSTS_EXEMPT, ("MackeyGlass", "parameter tau"))
    with pytest.raises(AssertionError, match="MackeyGlass default parameter tau"):
        test_default_parameters_match_dysts("flow", "MackeyGlass")
    monkeypatch.setitem(DYSTS_EXEMPT, ("Lorenz", "rhs"), "planted")
    with pytest.raises(pytest.fail.Exception, match=r"Lorenz now agrees with dysts in 'rhs'"):
        test_flow_rhs_matches_dysts("Lorenz")
    monkeypatch.setitem(DYSTS_EXEMPT, ("Lorenz", "period"), "planted")
    with pytest.raises(pytest.fail.Exception, match=r"Lorenz now agrees with dysts in 'period'"):
        test_time_units_match_dysts("Lorenz")


# --- grids: dysts's linspace, not t_k = k T / p ---------------------------------------------------
def test_resampled_grid_is_dysts_linspace():
    model = flows.Lorenz()
    n, p = 101, 37
    t, x = model.make_trajectory(n, pts_per_period=p, return_times=True)
    # dysts: linspace(0, T n / p, n); its step T n / (p (n - 1)) is not T / p
    np.testing.assert_allclose(t, np.linspace(0.0, 1.5008 * n / p, n), rtol=1e-13, atol=0)
    np.testing.assert_allclose(t, REF["traj|Lorenz|ppp37|t"], rtol=1e-13, atol=0)
    assert abs((t[1] - t[0]) - 1.5008 / p) > 1e-4
    assert x.shape == (n, 3)


def test_lorenz_trajectory_matches_dysts():
    t, x = flows.Lorenz().make_trajectory(200, return_times=True)
    np.testing.assert_allclose(t, REF["traj|Lorenz|default|t"], rtol=1e-13, atol=0)
    # dysts: Radau at rtol = atol = 1e-12; two periods of a chaotic flow
    np.testing.assert_allclose(x, REF["traj|Lorenz|default|values"], rtol=0, atol=1e-5)


def test_no_resampling_steps_by_dt():
    model = flows.Lorenz()
    t, x = model.make_trajectory(50, resample=False, return_times=True)
    np.testing.assert_allclose(t, np.arange(50) * 0.0003002100350058257, rtol=1e-12, atol=1e-18)
    np.testing.assert_allclose(t, REF["traj|Lorenz|noresample|t"], rtol=1e-12, atol=1e-18)
    np.testing.assert_allclose(x, REF["traj|Lorenz|noresample|values"], rtol=1e-9, atol=1e-9)


def test_lyapunov_timescale():
    model = flows.Lorenz()
    assert model.maximum_lyapunov_estimated == cz.get("Lorenz").max_lyapunov > 0  # the catalog's value
    model.maximum_lyapunov_estimated = None  # as for an entry without a recorded exponent
    with pytest.raises(InvalidArgumentError, match="Lyapunov"):
        model.make_trajectory(10, timescale="Lyapunov")
    model.maximum_lyapunov_estimated = 0.9056  # any positive value sets the time unit 1 / lambda
    t, _ = model.make_trajectory(20, timescale="Lyapunov", pts_per_period=10, return_times=True)
    np.testing.assert_allclose(t, np.linspace(0.0, (1 / 0.9056) * 20 / 10, 20), rtol=1e-13, atol=0)
    with pytest.raises(ValueError, match="timescale"):
        model.make_trajectory(10, timescale="fourier")


def test_postprocessing_is_on_by_default_as_in_dysts():
    model = flows.DoubleGyre()
    t, x = model.make_trajectory(150, return_times=True)
    np.testing.assert_allclose(t, REF["traj|DoubleGyre|default|t"], rtol=1e-13, atol=0)
    np.testing.assert_allclose(x, REF["traj|DoubleGyre|default|values"], rtol=0, atol=1e-6)
    raw = model.make_trajectory(150, postprocess=False)
    # dz/dt = omega: the raw phase grows linearly; the default output is its sine
    np.testing.assert_allclose(raw[:, 2], model.ic[2] + model.omega * t, rtol=1e-10)
    np.testing.assert_allclose(x[:, 2], np.sin(raw[:, 2]), atol=1e-9)


# --- parameters and attributes --------------------------------------------------------------------
def test_parameters_are_settable_attributes():
    model = flows.Lorenz()
    before = model.system
    model.rho = 30.0
    assert model.rho == 30.0 and model.params["rho"] == 30.0
    assert before.params["rho"] == 28.0 and model.system is not before  # the held System was replaced
    x, y, z = model.ic
    expected = (10.0 * (y - x), x * (30.0 - z) - y, x * y - 2.667 * z)  # Lorenz (1963), rho = 30
    np.testing.assert_allclose(model.rhs(model.ic, 0.0), expected, rtol=1e-14)
    assert flows.Lorenz().rho == 28.0  # objects do not share state
    model.params = {"sigma": 11.0}
    assert (model.sigma, model.rho) == (11.0, 30.0)
    assert flows.Lorenz(parameters={"rho": 99.0}).params == {"beta": 2.667, "rho": 99.0, "sigma": 10.0}


def test_unknown_or_read_only_attributes_raise():
    model = flows.Lorenz()
    with pytest.raises(AttributeError, match="'rho'"):
        model.rhoo = 30.0  # a typo must not silently do nothing
    assert model.rho == 28.0
    with pytest.raises(AttributeError, match="read-only"):
        model.dimension = 4
    with pytest.raises(AttributeError):
        model.nonexistent
    assert not hasattr(model, "nonexistent")
    with pytest.raises(UnknownParameterError):
        model.params = {"rhoo": 1.0}
    with pytest.raises(InvalidArgumentError):
        model.rho = "thirty"
    with pytest.raises(InvalidArgumentError, match="unsupported"):
        model.make_trajectory(10, pts_per_perod=5)
    with pytest.raises(AttributeError, match="Lorenz"):
        flows.Lorenzz


def test_no_parameter_is_shadowed_by_an_attribute():
    # ``model.<param>`` must read the parameter; a catalog parameter named like a method or a
    # metadata attribute of the compat classes (rhs, dt, period, ...) would be unreachable
    from chaoszoo.compat.dysts.base import BASES

    clashes = {n: [p for p in cz.get(n).params if hasattr(BASES[cz.get(n).kind], p)
                   and not (cz.get(n).kind == "delay" and p == cz.get(n).delay)]
               for n in cz.names()}
    assert not {n: c for n, c in clashes.items() if c}


def test_metadata_and_shapes():
    model = flows.Lorenz()
    assert isinstance(model, DynSys) and model.name == "Lorenz" and type(model).__name__ == "Lorenz"
    assert (model.dimension, model.period, model.dt) == (3, 1.5008, 0.0003002100350058257)
    assert "Lorenz" in model.citation and model.description
    assert model.param_list == [2.667, 28.0, 10.0]  # alphabetical order, as dysts passes them
    assert model.jac(model.ic, 0.0).shape == (3, 3) and model.has_jacobian()
    batch = np.stack([model.ic, 2 * model.ic])
    np.testing.assert_allclose(model.rhs(batch, 0.0)[1], model.rhs(2 * model.ic, 0.0))
    model.ic = [1.0, 2.0, 3.0]
    np.testing.assert_array_equal(model.ic, [1.0, 2.0, 3.0])
    two = model.make_trajectory(30, init_cond=np.stack([model.ic, model.ic + 0.1]))
    assert two.shape == (2, 30, 3)
    np.testing.assert_allclose(two[0], model.make_trajectory(30), rtol=1e-12, atol=1e-12)
    with pytest.raises(InvalidArgumentError):
        model.ic = [1.0, 2.0]


def test_standardize_uses_given_statistics():
    model = flows.Lorenz()
    raw = model.make_trajectory(100)
    model.mean, model.std = [1.0, 2.0, 3.0], [2.0, 4.0, 8.0]
    np.testing.assert_allclose(model.make_trajectory(100, standardize=True),
                               (raw - [1.0, 2.0, 3.0]) / [2.0, 4.0, 8.0], rtol=1e-12)


# --- delay systems: dysts's 10-column embedding ----------------------------------------------------
def test_delay_embedding_layout():
    model = flows.MackeyGlass()
    assert isinstance(model, DynSysDelay) and model.dimension == 10 and model.ic.shape == (10,)
    model.period = REF["delay|MackeyGlass|period_dt"][0]  # dysts's time unit (the catalog may differ)
    model.tau = 16.0  # dysts's delay (the catalog uses the chaotic tau = 17)
    n, tau, period = 300, 16.0, model.period
    t, x = model.make_trajectory(n, return_times=True)
    assert x.shape == (n, 10)
    span = period * n / 100 + tau
    np.testing.assert_allclose(t, np.linspace(0.0, span, n), rtol=1e-13, atol=0)
    np.testing.assert_allclose(t, REF["traj|MackeyGlass|default|t"], rtol=1e-13, atol=0)
    # dysts's own numbers carry its solver's error (ddeint interpolates the history linearly
    # between output samples, here 0.11 apart): about 1e-2 on values of order 1
    np.testing.assert_allclose(x, REF["traj|MackeyGlass|default|values"], rtol=0, atol=3e-2)
    # the same layout built from SciPy's method-of-steps solution: column j is x(u - l_j),
    # u = linspace(tau, span, n), l_j = linspace(0, tau, 10), linearly interpolated on t
    scalar = reference_delay(model.system.with_ic(model.ic[:1]), t)[:, 0]
    u = np.linspace(tau, span, n)
    expected = np.stack([np.interp(u - lag, t, scalar) for lag in np.linspace(0.0, tau, 10)], axis=1)
    np.testing.assert_allclose(x, expected, rtol=0, atol=1e-7)
    assert model.make_trajectory(50, embedding_dim=3).shape == (50, 3)
    model.tau = 18.0
    assert model.params["tau"] == 18.0


# --- maps ---------------------------------------------------------------------------------------
def test_map_trajectory_starts_after_the_initial_condition():
    model = maps.Henon()
    assert isinstance(model, DynMap)
    t, x = model.make_trajectory(10, return_times=True)
    a, b = model.a, model.b
    x0, y0 = model.ic
    np.testing.assert_allclose(x[0], (1 - a * x0**2 + y0, b * x0), rtol=1e-14)  # Henon (1976)
    np.testing.assert_array_equal(t, np.arange(10))
    with pytest.raises(InvalidArgumentError, match="inverse"):
        model.make_trajectory(10, inverse=True)


def test_map_names_and_squeezing():
    duffing = maps.Duffing()
    assert duffing.name == "Duffing" and duffing.system.name == "DuffingMap"
    assert flows.Duffing().system.name == "Duffing"
    logistic = maps.Logistic()
    assert logistic.make_trajectory(25).shape == (25,)  # a 1-D map comes back squeezed, as in dysts


# --- catalog-wide helpers -------------------------------------------------------------------------
def test_get_attractor_list():
    cont = systems.get_attractor_list("continuous")
    no_delay = systems.get_attractor_list("continuous_no_delay")
    delay = systems.get_attractor_list("delay")
    discrete = systems.get_attractor_list("discrete")
    assert cont == sorted(no_delay + delay) and not set(no_delay) & set(delay)
    assert len(no_delay) == len(cz.names(kind="flow")) and len(delay) == len(cz.names(kind="delay"))
    assert len(discrete) == len(cz.names(kind="map"))
    assert cont == systems.get_attractor_list()
    for cls in ("continuous", "continuous_no_delay", "delay", "discrete"):
        missing = sorted(set(REF[f"list|{cls}"].tolist()) - set(systems.get_attractor_list(cls)))
        assert not missing, f"{cls}: dysts lists {missing}, missing here"
    assert "Lorenz" not in systems.get_attractor_list(exclude=["Lorenz"])
    with pytest.raises(ValueError, match="sys_class"):
        systems.get_attractor_list("chaotic")


def test_make_trajectory_ensemble():
    out = systems.make_trajectory_ensemble(40, subset=["Lorenz", "MackeyGlass"], use_tqdm=False,
                                           pts_per_period=20)
    assert sorted(out) == ["Lorenz", "MackeyGlass"]
    assert out["Lorenz"].shape == (40, 3) and out["MackeyGlass"].shape == (40, 10)
    np.testing.assert_allclose(out["Lorenz"], flows.Lorenz().make_trajectory(40, pts_per_period=20),
                               rtol=1e-12, atol=1e-12)
    with pytest.raises(AttributeError):
        systems.make_trajectory_ensemble(10, subset=["NoSuchSystem"], use_tqdm=False)
    with pytest.raises(InvalidArgumentError):
        systems.make_trajectory_ensemble(10, subset=["Lorenz"], use_tqdm=False, event_fns=[lambda t, y: y[0]])
