"""The public API: names, get, System values, trajectories, ensembles."""

import numpy as np
import pytest

import chaoszoo as cz
from chaoszoo.errors import InvalidArgumentError
from reference import reference_flow


def test_names_filters_and_sorting():
    all_names = cz.names()
    assert all_names == sorted(all_names) and "Lorenz" in all_names
    flows = cz.names(kind="flow")
    assert "Lorenz" in flows and set(flows) <= set(all_names)
    assert all(cz.get(n).kind == "flow" for n in flows[:10])
    assert "Lorenz" in cz.names(tag="climate")
    assert "Lorenz" not in cz.names(kind="map")


def test_system_metadata():
    s = cz.get("Lorenz")
    assert (s.name, s.kind, s.dimension, s.variables) == ("Lorenz", "flow", 3, ("x", "y", "z"))
    assert s.params == {"beta": 2.667, "rho": 28.0, "sigma": 10.0}
    assert isinstance(s.ic, np.ndarray) and s.ic.shape == (3,)
    assert s.period > 0 and s.dt > 0 and "Lorenz" in s.citation and "flow" in s.tags


def test_system_is_immutable_value():
    s = cz.get("Lorenz")
    s.params["rho"] = 99.0
    s.ic[0] = 1e9
    assert s.params["rho"] == 28.0 and s.ic[0] != 1e9
    with pytest.raises(AttributeError):
        s.rho = 3
    t = s.with_params(rho=35.0)
    assert t.params["rho"] == 35.0 and s.params["rho"] == 28.0
    assert t != s and s == cz.get("Lorenz") and hash(s) == hash(cz.get("Lorenz"))
    assert cz.get("Lorenz", rho=35.0) == t


def test_rhs_and_exact_jacobian_of_lorenz():
    s = cz.get("Lorenz")
    x = np.array([1.0, 2.0, 3.0])
    sig, rho, beta = 10.0, 28.0, 2.667
    np.testing.assert_allclose(s.rhs(x), [sig * (2 - 1), 1 * (rho - 3) - 2, 1 * 2 - beta * 3], rtol=1e-15)
    J = np.array([[-sig, sig, 0], [rho - 3, -1, -1], [2, 1, -beta]])
    np.testing.assert_allclose(s.jacobian(x), J, rtol=1e-15)
    np.testing.assert_allclose(s.rhs(x, params={"rho": 10.0})[1], 1 * (10 - 3) - 2)


def test_latex_is_derived_from_the_equations():
    tex = cz.get("Lorenz").latex()
    assert tex.count("\\dot") == 3 and "\\sigma" in tex and "\\rho" in tex and "\\beta" in tex


def test_pts_per_period_grid_is_exact():
    s = cz.get("Lorenz")
    tr = s.trajectory(500, pts_per_period=37)
    np.testing.assert_array_equal(tr.t, np.arange(500) * (s.period / 37))
    assert tr.values.shape == (500, 3)


def test_dt_and_t_end_grids():
    s = cz.get("Lorenz")
    np.testing.assert_array_equal(s.trajectory(11, dt=0.1).t, np.arange(11) * 0.1)
    np.testing.assert_allclose(s.trajectory(11, t_end=2.0).t, np.linspace(0, 2.0, 11), rtol=1e-15)
    # the default grid is 100 samples per period, as in dysts (not the declaration's finer dt)
    np.testing.assert_allclose(np.diff(s.trajectory(5).t), s.period / 100, rtol=1e-12)
    np.testing.assert_allclose(np.diff(cz.get("MackeyGlass").trajectory(5).t), cz.get("MackeyGlass").period / 100,
                               rtol=1e-12)
    np.testing.assert_array_equal(cz.get("Henon").trajectory(5).t, np.arange(5.0))  # maps: every iteration


def test_trajectory_matches_high_precision_reference_over_ten_periods():
    s = cz.get("Lorenz")
    tr = s.trajectory(1001, pts_per_period=100)
    ref = reference_flow(s, tr.t)
    # chaotic error growth over 10 periods (~14 time units, lambda ~ 0.9) amplifies 1e-9 local errors by ~e^13
    err = np.abs(tr.values - ref).max(axis=1)
    assert err[:101].max() < 1e-7 * np.abs(ref).max()
    assert err.max() < 1e-2


def test_transient_is_discarded():
    s = cz.get("Lorenz")
    full = s.trajectory(300, pts_per_period=50)
    cut = s.trajectory(200, pts_per_period=50, transient=100)
    np.testing.assert_allclose(cut.t, full.t[100:], rtol=1e-14)
    np.testing.assert_allclose(cut.values, full.values[100:], rtol=1e-8, atol=1e-8)


def test_ensemble_members_equal_single_trajectories():
    s = cz.get("Lorenz")
    ics = s.ic + np.array([[0.0, 0, 0], [0.1, -0.2, 0.3], [1.0, 1.0, -1.0]])
    ens = s.ensemble(200, ics=ics, pts_per_period=40)
    assert ens.shape == (3, 200, 3)
    for k in range(3):
        single = s.trajectory(200, pts_per_period=40, ic=ics[k]).values
        np.testing.assert_allclose(ens[k], single, rtol=1e-9, atol=1e-9)


def test_ensemble_over_parameter_sets():
    s = cz.get("Lorenz")
    rhos = [24.0, 28.0, 32.0]
    ens = s.ensemble(100, params={"rho": rhos}, pts_per_period=40)
    assert ens.shape == (3, 100, 3)
    for k, rho in enumerate(rhos):
        np.testing.assert_allclose(ens[k], s.trajectory(100, pts_per_period=40, params={"rho": rho}).values,
                                   rtol=1e-9, atol=1e-9)
    ens2 = s.ensemble(100, params=[{"rho": r} for r in rhos], pts_per_period=40)
    np.testing.assert_array_equal(ens, ens2)


def test_n_ics_is_seeded_and_reproducible():
    s = cz.get("Lorenz")
    a = s.ensemble(50, n_ics=4, seed=3, pts_per_period=20)
    b = s.ensemble(50, n_ics=4, seed=3, pts_per_period=20)
    c = s.ensemble(50, n_ics=4, seed=4, pts_per_period=20)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a[:, 0], c[:, 0])


def test_lorenz96_any_dimension():
    s = cz.get("Lorenz96")
    ic = np.full(40, s.params.get("f", 8.0))
    ic[0] += 0.01
    tr = s.trajectory(50, dt=0.05, ic=ic)
    assert tr.values.shape == (50, 40) and np.isfinite(tr.values).all()
    ref = reference_flow(s, tr.t, ic=ic)
    # the first 6 samples (0.25 time units); the start next to the unstable uniform state
    # (f = 20) amplifies 1e-10 tolerances by orders of magnitude within a time unit
    np.testing.assert_allclose(tr.values[:6], ref[:6], rtol=1e-6, atol=1e-6)


def test_to_pandas_and_xarray():
    tr = cz.get("Lorenz").trajectory(20, pts_per_period=10)
    df = tr.to_pandas()
    assert list(df.columns) == ["x", "y", "z"] and df.index.name == "t"
    np.testing.assert_array_equal(df.to_numpy(), tr.values)
    da = tr.to_xarray()
    assert da.dims == ("t", "variable") and da.attrs["param_rho"] == 28.0
    np.testing.assert_array_equal(da.values, tr.values)


def test_float64_is_scoped_to_the_package():
    import jax
    import jax.numpy as jnp

    before = jax.config.jax_enable_x64
    # with float64 already on globally (JAX_ENABLE_X64) a leak could not be seen
    assert not before, "JAX float64 is on before the package ran (JAX_ENABLE_X64 set?): unset it to run the tests"
    cz.get("Lorenz").trajectory(10, pts_per_period=10)
    assert not jax.config.jax_enable_x64
    assert jnp.zeros(1).dtype == jnp.float32
    assert cz.get("Lorenz").trajectory(10, pts_per_period=10).values.dtype == np.float64


def test_rhs_of_a_batch_of_states_is_one_rhs_per_row():
    """``rhs`` of an (n, d) batch equals ``rhs`` of each row alone, for every system (per-variable
    declarations are evaluated column-wise, whole-array ones such as Kuramoto-Sivashinsky row by
    row); Lorenz is also checked against its equations written out here."""
    rng = np.random.default_rng(7)
    for name in cz.names():
        s = cz.get(name)
        X = np.asarray(s.ic)[None, :] * (1 + 0.01 * rng.normal(size=(3, len(s.ic))))
        batch = s.rhs(X)
        assert batch.shape == X.shape, name
        np.testing.assert_allclose(batch, np.stack([s.rhs(x) for x in X]), rtol=1e-12, atol=1e-12, err_msg=name)
    lor = cz.get("Lorenz")
    p = lor.params
    X = rng.normal(size=(5, 3)) * 10
    x, y, z = X.T
    exact = np.stack([p["sigma"] * (y - x), x * (p["rho"] - z) - y, x * y - p["beta"] * z], axis=1)
    np.testing.assert_allclose(lor.rhs(X), exact, rtol=1e-13)
    with pytest.raises(InvalidArgumentError, match=r"\(n, d\)"):
        lor.rhs(np.zeros((2, 2, 3)))
    with pytest.raises(InvalidArgumentError, match=r"one state"):
        lor.jacobian(X)
