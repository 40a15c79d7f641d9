"""Scalar delay differential equations ``dx/dt = f(x(t), x(t - tau))``.

Each system here has a single state variable; the history before ``t = 0`` is constant and
equal to the initial condition. A delay equation is infinite-dimensional, so dysts returned
its solution delay-embedded into ten columns (lags spread evenly over ``[0, tau]``); the
ten values it listed as initial condition and that embedding dimension are kept in
``extra["dysts_ic"]`` and ``extra["dysts_embedding_dimension"]`` for the compatibility
layer, while the state here is the scalar ``x`` started from the first of those values.

Equations (``x_tau = x(t - tau)``):

* MackeyGlass:      ``x' = beta x_tau / (1 + x_tau^n) - gamma x``
* IkedaDelay:       ``x' = mu sin(x_tau - x0) - c x``
* SprottDelay:      the same form with ``c = 0, mu = 1, x0 = 0``: ``x' = sin(x_tau)``
* VossDelay:        ``x' = -alpha x + f(x_tau)``, ``f`` a cubic fitted to the circuit
* ScrollDelay:      ``x' = -alpha x_tau + beta tanh(10 x_tau)``
* PiecewiseCircuit: ``x' = -alpha x_tau + beta (3 x_tau / c - (x_tau / c)^3)``
"""

from chaoszoo.catalog.declaration import delay_flow

_EMBED = 10


def _sine_of_x(values, params):
    """SprottDelay's bounded observable: sin(x) in place of the drifting x."""
    import numpy as np

    return np.sin(np.asarray(values, dtype=np.float64))


def _extra(dysts_ic, **more):
    return {"dysts_ic": tuple(dysts_ic), "dysts_embedding_dimension": _EMBED, **more}


_MG_IC = (0.83347846, 1.04053938, 1.25764979, 0.38088098, 0.92160075,
          1.14714708, 0.80463944, 0.86849516, 1.16961728, 0.76980123)


@delay_flow(
    delay="tau",
    variables="x",
    params=dict(beta=0.2, gamma=0.1, n=10.0, tau=17.0),
    ic=(_MG_IC[0],),
    period=50.87, dt=0.0012027363718948435,
    tags=("biology", "medicine", "dissipative"),
    citation="Mackey, M. C., Glass, L. (1977). Oscillation and chaos in physiological control "
             "systems. Science 197(4300), 287-289.",
    description="Blood-cell production whose rate responds, after a maturation delay, to a "
                "steeply saturating function of the past cell count.",
    notes="tau = 17, the standard chaotic case (Farmer 1982, Physica D 4, 366-393): chaoszoo "
          "annotate finds lambda_1 = 0.0056 +- 0.0004 per unit time. dysts uses tau = 16 (kept in "
          "extra['dysts_params']), where the orbit is nearly periodic: lambda_1 = 0.0002 +- 0.0002 "
          "(40 and 80 buffer points per delay agree). Period is the Welch spectral peak of a long "
          "run (50.87); dysts lists 5.96, a harmonic of its delay-embedded output.",
    extra=_extra(_MG_IC, dysts_period=5.9612230962292045, dysts_params={"tau": 16.0}),
)
def MackeyGlass(X, Xd, t, p, xp):
    (x,) = X
    (xd,) = Xd
    return (p.beta * xd / (1 + xp.power(xd, p.n)) - p.gamma * x,)


_IKEDA_IC = (0.024144317, 3.79262024, 3.17466302, -3.87959208, 2.05198674,
             0.95755518, 1.45382405, 3.04462032, -1.70340258, 1.00350536)


@delay_flow(
    delay="tau",
    variables="x",
    params=dict(c=1.0, mu=-20.0, tau=2.0, x0=0.0),
    ic=(_IKEDA_IC[0],),
    period=3.486528, dt=0.00029831999999998973,
    tags=("optics", "dissipative"),
    citation="Ikeda, K., Matsumoto, K. (1987). High-dimensional chaotic behavior in systems "
             "with time-delayed feedback. Physica D 29(1-2), 223-235.",
    description="Phase of light in a passive ring resonator whose nonlinear medium feeds back "
                "the interference signal after one round-trip time.",
    extra=_extra(_IKEDA_IC),
)
def IkedaDelay(X, Xd, t, p, xp):
    (x,) = X
    (xd,) = Xd
    return (p.mu * xp.sin(xd - p.x0) - p.c * x,)


_SPROTT_IC = (9.30770542, 12.7465327, 9.98335715, 7.33212279, 8.554363,
              11.19207081, 10.35063786, 6.07706904, 8.05360832, 8.98894939)


@delay_flow(
    delay="tau",
    variables="x",
    params=dict(c=0.0, mu=1.0, tau=5.1, x0=0.0),
    ic=(_SPROTT_IC[0],),
    period=20.15628, dt=0.0028125,
    tags=("mathematics", "dissipative"),
    citation="Sprott, J. C. (2007). A simple chaotic delay differential equation. Physics "
             "Letters A 366(4-5), 397-402.",
    description="Perhaps the simplest chaotic delay equation: the rate of change is the sine "
                "of the state one delay earlier (the Ikeda form with its damping removed).",
    notes="Shares the Ikeda form mu sin(x(t - tau) - x0) - c x; the defaults c = 0, mu = 1, "
          "x0 = 0 reduce it to Sprott's dx/dt = sin(x(t - tau)). x drifts without bound (the field "
          "is 2 pi-periodic in x), so postprocess returns sin(x), the bounded observable the field "
          "itself reads.",
    extra=_extra(_SPROTT_IC, unbounded_indices=(0,), postprocess=_sine_of_x),
)
def SprottDelay(X, Xd, t, p, xp):
    (x,) = X
    (xd,) = Xd
    return (p.mu * xp.sin(xd - p.x0) - p.c * x,)


_VOSS_IC = (0.24640194, 0.02997028, 0.02899997, 0.07092207, 0.29465271,
            -0.46294535, 0.27610925, -0.52696993, 0.19878552, -0.23221942)


@delay_flow(
    delay="tau",
    variables="x",
    params=dict(alpha=3.24, tau=13.28),
    ic=(_VOSS_IC[0],),
    period=10.0, dt=0.0053123603161361645,
    tags=("electronics", "dissipative"),
    citation="Voss, H. U. (2002). Real-time anticipation of chaotic states of an electronic "
             "circuit. International Journal of Bifurcation and Chaos 12(7), 1619-1625.",
    description="Voltage of an electronic delay-line oscillator: linear relaxation driven by "
                "a cubic nonlinearity, measured from the circuit, of the delayed voltage.",
    notes="The cubic coefficients (-10.44, -13.95, -3.63, 0.85) are the fit to the circuit's "
          "nonlinear element used by dysts.",
    extra=_extra(_VOSS_IC),
)
def VossDelay(X, Xd, t, p, xp):
    (x,) = X
    (xd,) = Xd
    f = -10.44 * xd**3 - 13.95 * xd**2 - 3.63 * xd + 0.85
    return (-p.alpha * x + f,)


_SCROLL_IC = (-0.70009241, -0.1619611, -1.3858096, -2.00973849, -0.3170297,
              0.33881451, 0.97378904, 1.95957145, 0.89772925, -0.340544)


@delay_flow(
    delay="tau",
    variables="x",
    params=dict(alpha=0.2, beta=0.2, tau=10.0),
    ic=(_SCROLL_IC[0],),
    period=152.40701151828662, dt=0.030694772119777555,
    tags=("electronics", "dissipative"),
    citation="Driver, R. D. (1977). Ordinary and Delay Differential Equations. Springer, "
             "New York.",
    description="Delay loop in which the rate depends only on the delayed state, through a "
                "linear restoring term plus a steep tanh switching element.",
    notes="As in dysts, both terms act on the delayed state x(t - tau); there is no "
          "instantaneous damping.",
    extra=_extra(_SCROLL_IC),
)
def ScrollDelay(X, Xd, t, p, xp):
    (xd,) = Xd
    return (-p.alpha * xd + p.beta * xp.tanh(10 * xd),)


_PWC_IC = (-0.37155972, -0.55024994, -1.07760125, -2.08210946, -2.92172609,
           0.22026821, 2.18909877, 1.43553442, 0.47734972, 1.36510289)


@delay_flow(
    delay="tau",
    variables="x",
    params=dict(alpha=1.0, beta=1.0, c=2.24, tau=4.9),
    ic=(_PWC_IC[0],),
    period=52.99484890125133, dt=0.01059473019233792,
    tags=("electronics", "dissipative"),
    citation="Tamasevicius, A., Mykolaitis, G., Bumeliene, S. (2006). Delayed feedback "
             "chaotic oscillator with improved spectral characteristics. Electronics "
             "Letters 42(13), 736-737.",
    description="Delayed-feedback electronic oscillator whose rate is a cubic (N-shaped) "
                "function of the delayed voltage minus a linear term in it.",
    notes="As in dysts, both the linear and the cubic term act on the delayed state "
          "x(t - tau).",
    extra=_extra(_PWC_IC),
)
def PiecewiseCircuit(X, Xd, t, p, xp):
    (xd,) = Xd
    u = xd / p.c
    return (-p.alpha * xd + p.beta * (3 * u - u**3),)
