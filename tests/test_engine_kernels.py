"""Single-kernel compilation and batch chunking (chaoszoo.engine.kernels).

References: the same programs compiled the usual way (``CHAOSZOO_SINGLE_KERNEL=0``), and
SciPy's DOP853 at 1e-13 for the values themselves.
"""

import numpy as np
import pytest
from scipy.integrate import solve_ivp

import chaoszoo as cz
from chaoszoo.engine import kernels


def _lorenz_ensemble(monkeypatch, threads=None, single_kernel=True):
    if threads is not None:
        monkeypatch.setenv(kernels.THREADS_ENV, str(threads))
    else:
        monkeypatch.delenv(kernels.THREADS_ENV, raising=False)
    monkeypatch.setenv(kernels.SINGLE_KERNEL_ENV, "1" if single_kernel else "0")
    s = cz.get("Lorenz")
    ics = s.ic + np.linspace(-1, 1, 7)[:, None]
    return s.ensemble(300, ics=ics, pts_per_period=50)


def test_results_do_not_depend_on_the_number_of_threads(monkeypatch):
    one = _lorenz_ensemble(monkeypatch, threads=1)
    for t in (2, 3, 7):
        np.testing.assert_array_equal(_lorenz_ensemble(monkeypatch, threads=t), one)


def test_single_kernel_agrees_with_the_usual_compilation_and_scipy(monkeypatch):
    fast = _lorenz_ensemble(monkeypatch)
    usual = _lorenz_ensemble(monkeypatch, single_kernel=False)
    s = cz.get("Lorenz")
    dt = s.period / 50
    k = 51  # one period
    np.testing.assert_allclose(fast[:, :k], usual[:, :k], rtol=0, atol=1e-10)
    ics = s.ic + np.linspace(-1, 1, 7)[:, None]
    for ic, row in zip(ics, fast):
        ref = solve_ivp(lambda t, y: s.rhs(y, t), (0, (k - 1) * dt), ic, method="DOP853",
                        t_eval=np.arange(k) * dt, rtol=1e-13, atol=1e-13).y.T
        assert np.abs(row[:k] - ref).max() < 1e-7


def test_a_program_that_cannot_be_one_kernel_falls_back(tmp_path, monkeypatch):
    """A LAPACK call (QR) needs XLA's runtime: the single kernel fails to compile, and the
    usual compilation is used instead, with the same values."""
    import jax.numpy as jnp

    from chaoszoo.engine import aot
    from chaoszoo.engine._jax import x64

    monkeypatch.setenv("CHAOSZOO_CACHE", str(tmp_path))
    monkeypatch.setenv(kernels.THREADS_ENV, "2")
    monkeypatch.delenv(kernels.SINGLE_KERNEL_ENV, raising=False)

    def one(a, scale):
        q, r = jnp.linalg.qr(a)
        return jnp.abs(jnp.diagonal(r)) * scale

    mm = kernels.MemberMap(one, (0, None), ("test-fallback",))
    rng = np.random.default_rng(0)
    a = rng.standard_normal((5, 4, 4))
    before = aot.STATS.get("fallback", 0)
    with x64():
        out = mm(jnp.asarray(a), 2.0)
    assert aot.STATS.get("fallback", 0) > before
    expected = np.stack([np.abs(np.diag(np.linalg.qr(x)[1])) * 2.0 for x in a])
    np.testing.assert_allclose(out, expected, rtol=1e-12)
    with x64():  # one member runs without the member loop, and falls back the same way
        np.testing.assert_allclose(mm(jnp.asarray(a[:1]), 2.0), expected[:1], rtol=1e-12)


def test_a_bad_thread_count_is_refused(monkeypatch):
    from chaoszoo.errors import InvalidArgumentError

    for bad in ("0", "two", "-3"):
        monkeypatch.setenv(kernels.THREADS_ENV, bad)
        with pytest.raises(InvalidArgumentError, match="CHAOSZOO_THREADS"):
            kernels.threads()


@pytest.mark.parametrize("name", ["MackeyGlass", "Henon"])
def test_delay_and_map_paths_agree_with_the_usual_compilation(monkeypatch, name):
    s = cz.get(name)
    kw = {} if s.kind == "map" else dict(pts_per_period=100)
    ics = np.stack([s.ic, s.ic * 1.001, s.ic * 0.999])
    monkeypatch.setenv(kernels.SINGLE_KERNEL_ENV, "1")
    fast = s.ensemble(400, ics=ics, **kw)
    monkeypatch.setenv(kernels.SINGLE_KERNEL_ENV, "0")
    usual = s.ensemble(400, ics=ics, **kw)
    k = 60 if s.kind == "map" else 101  # before chaos amplifies rounding
    np.testing.assert_allclose(fast[:, :k], usual[:, :k], rtol=0, atol=1e-9 * np.abs(usual).max())


def test_many_parameters_and_the_noise_path_compile_as_one_kernel(monkeypatch):
    """Inputs are packed into one buffer per dtype: with ExcitableCell's 31 parameters as
    separate buffers, XLA's single-kernel emitter aborted the process (jaxlib 0.10.2), and so it
    did on the stochastic solver. Both now run as one kernel, equal to the usual compilation."""
    from chaoszoo.engine import aot

    s = cz.get("ExcitableCell")
    ics = np.stack([s.ic, s.ic * 1.0001])
    runs = {}
    for mode in ("1", "0"):
        monkeypatch.setenv(kernels.SINGLE_KERNEL_ENV, mode)
        before = aot.STATS.get("fallback", 0)
        runs[mode] = (s.ensemble(200, ics=ics, pts_per_period=100),
                      cz.get("Lorenz").ensemble(300, ics=np.stack([[1.0, 1.0, 1.0], [2.0, 1.0, 1.0]]), noise=0.05))
        assert aot.STATS.get("fallback", 0) == before  # compiled as one kernel, no fallback
    (clean, noisy), (clean0, noisy0) = runs["1"], runs["0"]
    np.testing.assert_allclose(clean[:, :101], clean0[:, :101], rtol=0, atol=1e-8 * np.abs(clean0).max())
    np.testing.assert_allclose(noisy[:, :100], noisy0[:, :100], rtol=0, atol=1e-9 * np.abs(noisy0).max())


def test_noisy_delay_equation_runs_as_one_kernel_and_its_path_does_not_depend_on_length(monkeypatch):
    """The noise of each delay interval is drawn inside the kernel from the member's key folded
    with the interval's index (drawn for the whole run at once, it made the kernel fail to
    compile and fall back): a longer run extends the same path."""
    from chaoszoo.engine import aot

    monkeypatch.setenv(kernels.SINGLE_KERNEL_ENV, "1")
    s = cz.get("MackeyGlass")
    before = aot.STATS.get("fallback", 0)
    short = np.asarray(s.trajectory(300, noise=0.01, seed=3).values)
    long = np.asarray(s.trajectory(600, noise=0.01, seed=3).values)
    assert aot.STATS.get("fallback", 0) == before
    np.testing.assert_array_equal(long[:300], short)
    clean = np.asarray(s.trajectory(300).values)
    assert 0 < np.abs(short - clean).max() < 0.5  # the noise acts, and stays a perturbation
