"""Every bad input raises a clear exception of the package's hierarchy."""

import numpy as np
import pytest

import chaoszoo as cz
from chaoszoo.errors import (ChaoszooError, IntegrationError, InvalidArgumentError, UnknownParameterError,
                             UnknownSystemError)


def test_unknown_name_suggests_close_names():
    with pytest.raises(UnknownSystemError) as info:
        cz.get("Lornez")
    assert isinstance(info.value, KeyError) and isinstance(info.value, ChaoszooError)
    assert "'Lorenz'" in str(info.value)
    with pytest.raises(KeyError, match="lorenz"):
        cz.get("lorenz")


@pytest.mark.parametrize("ic", [[1.0, 2.0], [1.0, 2.0, 3.0, 4.0], [[1.0, 2.0, 3.0]]])
def test_wrong_ic_length(ic):
    with pytest.raises(InvalidArgumentError, match="(length|shape)"):
        cz.get("Lorenz").trajectory(10, ic=ic)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_ic_and_params(bad):
    s = cz.get("Lorenz")
    with pytest.raises(InvalidArgumentError, match="NaN or infinity"):
        s.trajectory(10, ic=[1.0, bad, 3.0])
    with pytest.raises(InvalidArgumentError, match="finite"):
        s.with_params(rho=bad)
    with pytest.raises(InvalidArgumentError, match="finite"):
        s.trajectory(10, params={"rho": bad})


def test_unknown_parameter_names():
    s = cz.get("Lorenz")
    with pytest.raises(UnknownParameterError, match="'rho'"):
        s.with_params(rh0=1.0)
    with pytest.raises(KeyError):
        s.trajectory(10, params={"gamma": 1.0})
    with pytest.raises(UnknownParameterError):
        cz.get("Lorenz", sigmaa=3.0)
    with pytest.raises(UnknownParameterError):
        s.ensemble(10, params={"beta2": [1.0, 2.0]})


@pytest.mark.parametrize("n", [0, -5, 2.5, "10", None])
def test_bad_n(n):
    with pytest.raises(InvalidArgumentError, match="n must be a positive integer"):
        cz.get("Lorenz").trajectory(n)


@pytest.mark.parametrize("p", [0, -1])
def test_bad_pts_per_period(p):
    with pytest.raises(InvalidArgumentError, match="pts_per_period"):
        cz.get("Lorenz").trajectory(10, pts_per_period=p)


def test_two_grid_options_at_once():
    s = cz.get("Lorenz")
    for kw in ({"pts_per_period": 10, "dt": 0.1}, {"dt": 0.1, "t_end": 3.0}, {"pts_per_period": 5, "t_end": 1.0}):
        with pytest.raises(InvalidArgumentError, match="at most one"):
            s.trajectory(10, **kw)


def test_bad_noise_seed_and_tolerances():
    s = cz.get("Lorenz")
    with pytest.raises(InvalidArgumentError, match="noise"):
        s.trajectory(10, noise=-1.0)
    with pytest.raises(InvalidArgumentError, match="seed"):
        s.trajectory(10, noise=0.1, seed=-3)
    with pytest.raises(InvalidArgumentError, match="rtol"):
        s.trajectory(10, rtol=0.0)
    with pytest.raises(InvalidArgumentError, match="ics or n_ics"):
        s.ensemble(10, ics=[s.ic], n_ics=3)


def test_blow_up_is_reported_not_returned_as_nan():
    # With sigma < 0 and beta < 0, x grows like e^{10 t} while y, z oscillate ever faster
    s = cz.get("Lorenz").with_params(beta=-5.0, sigma=-10.0)
    with pytest.raises(IntegrationError) as info:
        s.trajectory(400, pts_per_period=20)
    msg = str(info.value)
    assert "Lorenz" in msg and "beta=-5" in msg and "sigma=-10" in msg and "t = " in msg and "blow-up" in msg
    assert info.value.params["beta"] == -5.0 and info.value.time > 0
    # a map that escapes to infinity: x -> r x (1 - x) with r = 5 leaves [0, 1]
    logistic = cz.get("Logistic")  # a missing entry is a failure (UnknownSystemError), not a skipped check
    assert list(logistic.params) == ["r"]
    with pytest.raises(IntegrationError, match="blow-up"):
        logistic.with_params(r=5.0).trajectory(200)
