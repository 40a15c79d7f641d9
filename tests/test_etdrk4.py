"""ETDRK4 (chaoszoo.engine.etdrk4) against exact solutions and a high-precision reference.

References: Cox & Matthews (2002), J. Comput. Phys. 176, 430-455; Kassam & Trefethen (2005),
SIAM J. Sci. Comput. 26, 1214-1233.
"""


import numpy as np
import pytest
from scipy.integrate import solve_ivp

import chaoszoo as cz
from chaoszoo.catalog.declaration import Declaration
from chaoszoo.engine import etdrk4
from chaoszoo.engine._jax import x64
from chaoszoo.errors import InvalidArgumentError


def _declaration(name, equations, semilinear, period=1.0, params=None, n=16):
    """A throwaway flow declaration (not registered in the catalog)."""
    from types import MappingProxyType

    return Declaration(
        name=name, kind="flow", equations=equations, variables=tuple(f"u{i}" for i in range(n)),
        params=MappingProxyType(dict(params or {})), ic=(0.0,) * n, period=period, dt=period / 20,
        tags=("flow", "mathematics"), citation="test", description="test",
        extra=MappingProxyType({"semilinear": semilinear}),
    )


def _integrate(decl, y0, ts, rtol=1e-10, params=None):
    import jax.numpy as jnp

    y0 = np.atleast_2d(y0)
    k = len(y0)
    with x64():
        jp = {name: jnp.full((k,), v) for name, v in (params or dict(decl.params)).items()}
        ys, ok = etdrk4.integrate(decl, y0, jp, np.asarray(ts), rtol=rtol)
    return ys, ok


def test_coefficients_match_closed_forms():
    # Away from L = 0 the phi-functions have closed forms (Cox & Matthews 2002, eq. 26).
    L = np.array([-50.0, -3.0, -0.5, 0.7, 2.0])
    h = 0.1
    with x64():
        E, E2, Q, f1, f2, f3 = (np.asarray(c) for c in etdrk4.coefficients(L, h))
    z = h * L
    np.testing.assert_allclose(E.real, np.exp(z), rtol=1e-13)
    np.testing.assert_allclose(Q.real, h * (np.exp(z / 2) - 1) / z, rtol=1e-10)
    np.testing.assert_allclose(f1.real, h * (-4 - z + np.exp(z) * (4 - 3 * z + z**2)) / z**3, rtol=1e-8)
    np.testing.assert_allclose(f2.real, h * (2 + z + np.exp(z) * (z - 2)) / z**3, rtol=1e-8)
    np.testing.assert_allclose(f3.real, h * (-4 - 3 * z - z**2 + np.exp(z) * (4 - z)) / z**3, rtol=1e-8)
    # at hL = 0 the coefficients tend to h/2, h/6, h/6, h/6 (limits of the phi-functions)
    with x64():
        _, _, Q0, f10, f20, f30 = (np.asarray(c) for c in etdrk4.coefficients(np.array([0.0]), h))
    np.testing.assert_allclose([Q0.real[0], f10.real[0], f20.real[0], f30.real[0]],
                               [h / 2, h / 6, h / 6, h / 6], rtol=1e-12)


def test_stiff_forced_linear_problem_matches_exact_solution():
    """u' = -D u + cos(t) cos(2 pi x / n), D diagonal in Fourier space with rates up to 4e4.

    Exact: u_k(t) = e^{-d_k t} u_k(0) + int_0^t e^{-d_k (t-s)} g_k(s) ds (variation of constants).
    """
    n = 16
    q = np.arange(n // 2 + 1, dtype=float)
    decay = 1.0 + 10.0 * q**4          # rates up to 4e4: explicit methods would need h < 1e-4
    profile = np.cos(2 * np.pi * np.arange(n) / n)

    def eq(X, t, p, xp):
        u_hat = xp.fft.rfft(X)
        forcing = xp.cos(t) * profile
        return xp.fft.irfft(-decay * u_hat, n=X.shape[0]) + forcing

    decl = _declaration("StiffLinear", eq, lambda N, p: -decay)
    x = np.arange(n)
    y0 = np.sin(2 * np.pi * x / n) + 0.3 * np.cos(6 * np.pi * x / n)
    ts = np.linspace(0.0, 2.0, 21)
    ys, ok = _integrate(decl, y0, ts)
    assert ok.all()
    # exact: the sin(2 pi x/n) and cos(6 pi x/n) parts decay with rates 11 and 811; the forcing
    # cos(t) cos(2 pi x/n) drives mode 1 (rate d = 11): int_0^t e^{-d(t-s)} cos s ds
    d1, d3 = decay[1], decay[3]
    t = ts[:, None]
    forced = (d1 * np.cos(t) + np.sin(t) - d1 * np.exp(-d1 * t)) / (d1**2 + 1)
    exact = (np.exp(-d1 * t) * np.sin(2 * np.pi * x / n) + 0.3 * np.exp(-d3 * t) * np.cos(6 * np.pi * x / n)
             + forced * np.cos(2 * np.pi * x / n))
    np.testing.assert_allclose(ys[0], exact, atol=1e-9)


def test_fourth_order_convergence_on_a_nonlinear_semilinear_problem():
    """u' = u_xx + sin(u) (spectral): the error falls ~16-fold when the step halves."""
    n = 16

    def eq(X, t, p, xp):
        N = X.shape[0]
        q = xp.fft.rfftfreq(N, 1.0 / N)
        return xp.fft.irfft(-(q**2) * xp.fft.rfft(X), n=N) + xp.sin(X)

    decl = _declaration("SemiNonlinear", eq, lambda N, p: -(np.arange(N // 2 + 1, dtype=float) ** 2))
    x = 2 * np.pi * np.arange(n) / n
    y0 = np.cos(x) + 0.5 * np.sin(2 * x)

    def rhs(t, y):
        q = np.fft.rfftfreq(n, 1.0 / n)
        return np.fft.irfft(-(q**2) * np.fft.rfft(y), n=n) + np.sin(y)

    ref = solve_ivp(rhs, (0, 1), y0, method="DOP853", rtol=1e-13, atol=1e-13).y[:, -1]
    errs = []
    for rtol in (1e-4, 1e-4 / 16):            # step scales as rtol**(1/4): h halves
        ys, _ = _integrate(decl, y0, np.array([0.0, 1.0]), rtol=rtol)
        errs.append(np.abs(ys[0, -1] - ref).max())
    assert 10 < errs[0] / errs[1] < 24, errs


@pytest.mark.slow
def test_kuramoto_sivashinsky_matches_high_precision_reference():
    """Over t in [0, 5] from the catalog state, ETDRK4 at rtol=1e-10 vs DOP853 at 1e-13."""
    s = cz.get("KuramotoSivashinsky")
    ts = np.linspace(0.0, 5.0, 11)
    ref = solve_ivp(lambda t, y: s.rhs(y, t), (0, 5), s.ic, method="DOP853", t_eval=ts,
                    rtol=1e-13, atol=1e-13).y.T
    got = s.trajectory(11, dt=0.5).values
    assert np.abs(got - ref).max() <= 1e-8 * np.abs(ref).max()
    # the mean of u is conserved exactly by the PDE
    assert abs(got[-1].mean() - s.ic.mean()) < 1e-12


def test_kuramoto_sivashinsky_vector_field_is_the_pde():
    """The pseudo-spectral field equals -u u_x - u_xx - u_xxxx for a single Fourier mode."""
    s = cz.get("KuramotoSivashinsky")
    L = s.params["L"]
    n = 64
    x = L * np.arange(n) / n
    k = 2 * np.pi / L
    u = np.sin(k * x)
    # u u_x = k sin cos = (k/2) sin 2kx ; u_xx = -k^2 sin ; u_xxxx = k^4 sin
    expected = -(k / 2) * np.sin(2 * k * x) + k**2 * np.sin(k * x) - k**4 * np.sin(k * x)
    np.testing.assert_allclose(s.rhs(u), expected, atol=1e-12)


def test_resizing_and_errors():
    s = cz.get("KuramotoSivashinsky")
    x = 22 * np.arange(32) / 32
    u0 = 0.1 * np.cos(2 * np.pi * x / 22)
    tr = s.trajectory(5, dt=0.5, ic=u0)
    assert tr.values.shape == (5, 32)
    assert np.isfinite(tr.values).all()
    with pytest.raises(InvalidArgumentError):
        etdrk4.integrate(cz.get("Lorenz").declaration, np.zeros((1, 3)), {}, np.array([0.0, 1.0]), rtol=1e-8)
