"""Three-dimensional chaotic flows, R to Z: Sprott's minimal flows, convection and dynamo
models, forced oscillators and ecological models.

Every entry keeps the variable names, parameter names, defaults, initial condition,
period and sampling step of the corresponding ``dysts`` entry. Forced systems whose
forcing phase is carried as a state variable (``StickSlipOscillator``,
``TurchinHanski``) and the swinging Atwood machine keep ``dysts``'s state layout, so
their vector fields agree value for value; the growing phase or angle is listed in
``extra["unbounded_indices"]`` and ``extra["postprocess"]`` maps it to the bounded
quantity that ``dysts`` reports.
"""

import numpy as np

from chaoszoo.catalog.declaration import flow

_SPROTT_1994 = "Sprott, J. C. (1994). Some simple chaotic flows. Physical Review E 50(2), R647-R650."
_THOMAS_1999 = ("Thomas, R. (1999). Deterministic chaos seen in terms of feedback circuits: analysis, "
                "synthesis, 'labyrinth chaos'. International Journal of Bifurcation and Chaos 9(10), 1889-1905.")
_YU_WANG_2012 = ("Yu, F., Wang, C. (2012). A novel three dimension autonomous chaotic system with a quadratic "
                 "exponential nonlinear term. Engineering, Technology & Applied Science Research 2(2), 209-215.")


def _replace_column(values, index, fn):
    """Copy of ``values`` (n, d) with column ``index`` replaced by ``fn`` of itself."""
    out = np.array(values, dtype=np.float64, copy=True)
    out[:, index] = fn(out[:, index])
    return out


def _cos_of_phase_2(values, params):
    """Report the forcing phase (column 2) as its cosine, a bounded signal in [-1, 1]."""
    return _replace_column(values, 2, np.cos)


def _sin_of_phase_2(values, params):
    """Report the seasonal phase (column 2) as its sine, a bounded signal in [-1, 1]."""
    return _replace_column(values, 2, np.sin)


def _sin_of_angle_1(values, params):
    """Report the pendulum angle (column 1) as its sine, a bounded signal in [-1, 1]."""
    return _replace_column(values, 1, np.sin)


# --- convection, dynamos, chemistry -------------------------------------------------------

@flow(
    variables="x y z",
    params=dict(a=30.0, b=5.0, r=18.0),
    ic=(-15.660582, -13.32018, 26.879362),
    period=0.91967, dt=0.00018396466077678754,
    tags=("fluids", "physics", "dissipative"),
    citation="Yanagita, T., Kaneko, K. (1995). Rayleigh-Benard convection patterns, chaos, spatiotemporal "
             "chaos and turbulence. Physica D: Nonlinear Phenomena 82(3), 288-313.",
    description="Lorenz-like three-mode convection model in which the middle mode grows linearly at rate r.",
)
def RayleighBenard(X, t, p, xp):
    x, y, z = X
    return (p.a * (y - x), p.r * y - x * z, x * y - p.b * z)


@flow(
    variables="x y z",
    params=dict(a=1.0, mu=1.0),
    ic=(-0.7791562791136255, -0.6302244598741468, 2.671200187214492),
    period=5.8975, dt=0.0011796966161026034,
    tags=("geophysics", "physics", "dissipative"),
    citation="Rikitake, T. (1958). Oscillations of a system of disk dynamos. Mathematical Proceedings of the "
             "Cambridge Philosophical Society 54(1), 89-105.",
    description="Two coupled disk dynamos whose currents reverse polarity irregularly, a toy model of "
                "geomagnetic field reversals.",
)
def RikitakeDynamo(X, t, p, xp):
    x, y, z = X
    return (-p.mu * x + y * z, -p.mu * y - p.a * x + x * z, 1 - x * y)


@flow(
    variables="x y z",
    params=dict(a=0.2, b=0.2, c=5.7),
    ic=(6.5134412, 0.4772013, 0.34164294),
    period=5.9086, dt=0.001181916986164424,
    tags=("chemistry", "mathematics", "dissipative"),
    citation="Rossler, O. E. (1976). An equation for continuous chaos. Physics Letters A 57(5), 397-398.",
    description="Single-scroll spiral attractor with one quadratic term, built to mimic stirred chemical "
                "reactions with the fewest ingredients.",
)
def Rossler(X, t, p, xp):
    x, y, z = X
    return (-y - z, x + p.a * y, p.b + z * x - p.c * z)


@flow(
    variables="x y z",
    params=dict(a=2.0, b=6.7),
    ic=(1.9257158, 3.1923835, 5.7829655),
    period=6.0721, dt=0.0012146224370729896,
    tags=("fluids", "physics", "dissipative"),
    citation="Rucklidge, A. M. (1992). Chaos in models of double convection. Journal of Fluid Mechanics 237, "
             "209-229.",
    description="Truncated model of convection in a magnetic field or a rotating layer, showing "
                "Shilnikov-type chaos.",
    notes="dx/dt = -a x + b y - y z, dy/dt = x, dz/dt = -z + y^2 at Rucklidge's chaotic point a = 2, "
          "b = 6.7 (kappa, lambda in Sprott, J. C. (2003), Chaos and Time-Series Analysis, Oxford, "
          "Appendix A.5.15, which starts from (1, 0, 4.5)). Issue 13 check of the exponent: that table "
          "gives lambda_1 = 0.0643 (base e, per unit time; value as transcribed in a public port of "
          "Appendix A - the printed page was not reachable here). The equations, parameters and time unit "
          "are the same as here, so the factor of three is not a convention: an independent SciPy DOP853 "
          "Benettin run (rtol = atol = 1e-10, QR every time unit, 3,000 time units) from Sprott's initial "
          "condition gives (0.189 +- 0.001, 0.000, -3.189), from the catalog ic 0.192 +- 0.003, and the "
          "exponents sum to -3.000 = -(a + 1), the trace of the Jacobian, as they must. chaoszoo annotate "
          "records 0.192 +- 0.004 and dysts 0.96 lists 0.183. Our value stands; the table's 0.0643 is not "
          "reproduced by any integration tried.",
)
def Rucklidge(X, t, p, xp):
    x, y, z = X
    return (-p.a * x + p.b * y - y * z, x, -z + y ** 2)


@flow(
    variables="x y z",
    params=dict(a=-1.0, b=1.0, c=1.0, h=1.0, p=1.0, q=0.4, r=0.3, s=1.0),
    ic=(-2.8976045, 3.8877978, 3.07465),
    period=4.9844, dt=0.0009970461743625946,
    tags=("electronics", "mathematics", "dissipative"),
    citation="Li, C., Pehlivan, I., Sprott, J. C., Akgul, A. (2015). A novel four-wing strange attractor born "
             "in bistability. IEICE Electronics Express 12(4), 20141116.",
    description="Four-wing attractor formed when two coexisting symmetric attractors merge into one.",
    notes="Follows the Sakarya paper: dx/dt = -x + y + yz, dy/dt = -x - y + 0.4 xz, dz/dt = z - 0.3 xy, "
          "written with dysts's general coefficients (a, h, s, b, p, q, c, r), which reproduce it exactly at "
          "the defaults. dysts implements LiuChen as a subclass of this same vector field (reported on its "
          "issue tracker); that sharing concerns LiuChen only, not this entry.",
)
def Sakarya(X, t, p, xp):
    x, y, z = X
    return (p.a * x + p.h * y + p.s * y * z,
            -p.b * y - p.p * x + p.q * x * z,
            p.c * z - p.r * x * y)


# --- ecology ------------------------------------------------------------------------------

@flow(
    variables="x y z",
    params=dict(a=15.0, d=8.3, k=400.0, lam=0.06, m=15.5, mu=3.4, r=22.0, th=10.0),
    ic=(231.92548, 89.511944, 56.753804),
    period=0.96738, dt=0.00019350825137522067,
    tags=("ecology", "epidemiology", "biology", "dissipative"),
    citation="Upadhyay, R. K., Bairagi, N., Kundu, K., Chattopadhyay, J. (2007). Chaos in eco-epidemiological "
             "problem of the Salton Sea and its possible control. Applied Mathematics and Computation.",
    description="Healthy fish x, infected fish y and fish-eating pelicans z at the Salton Sea, with "
                "logistic growth, mass-action infection and a Holling type II predator.",
)
def SaltonSea(X, t, p, xp):
    x, y, z = X
    return (p.r * x * (1 - (x + y) / p.k) - p.lam * x * y,
            p.lam * x * y - p.m * y * z / (y + p.a) - p.mu * y,
            p.th * y * z / (y + p.a) - p.d * z)


@flow(
    variables="x y z",
    params=dict(a=2.0),
    ic=(0.63878078, 1.0901873, 2.4479814),
    period=7.4654, dt=0.0014933288881479711,
    tags=("electronics", "piecewise", "dissipative"),
    citation="San-Um, W., Srisuchinwong, B. (2012). Highly complex chaotic system with piecewise linear "
             "nonlinearity and compound structures. Journal of Computers 7(4), 1041-1047.",
    description="Circuit-friendly flow with a hyperbolic-tangent product and an absolute-value term, "
                "giving a compound multi-lobe attractor.",
)
def SanUmSrisuchinwong(X, t, p, xp):
    x, y, z = X
    return (y - x, -z * xp.tanh(x), -p.a + x * y + xp.abs(y))


@flow(
    variables="x y z",
    params=dict(a=0.85, b=0.5),
    ic=(0.016838697, 0.03489384, 0.35346848),
    period=12.038, dt=0.002408001333556058,
    tags=("physics", "fluids", "dissipative"),
    citation="Shimizu, T., Morioka, N. (1980). On the bifurcation of a symmetric limit cycle to an asymmetric "
             "one in a simple model. Physics Letters A 76(3-4), 201-204.",
    description="Symmetric Lorenz-type model of convection and lasers whose limit cycles break symmetry "
                "and cascade into a two-lobed attractor.",
)
def ShimizuMorioka(X, t, p, xp):
    x, y, z = X
    return (y, x - p.a * y - x * z, -p.b * z + x ** 2)


# --- Sprott's simple flows ----------------------------------------------------------------

@flow(
    variables="x y z",
    params=dict(),
    ic=(-0.5180436238458673, 3.791585240955654, -0.8026871822499836),
    period=6.3728461538461545, dt=0.001274781694385183,
    tags=("mathematics", "physics", "conservative", "no-equilibria"),
    citation=_SPROTT_1994,
    description="Case A of Sprott's list, the Nose-Hoover thermostatted oscillator: a time-reversible "
                "flow without equilibria whose chaotic sea conserves phase volume on average.",
    notes="The chaotic sea is interleaved with invariant tori. dysts's initial condition (1.5413, "
          "1.4308, -1.5256; kept in extra['dysts_ic']) lies on a torus: lambda_1 = 0.0009 +- 0.0010. "
          "This ic is a point of the orbit from Sprott's (0, 5, 0) after 100 periods, in the sea: "
          "lambda_1 = 0.0165 +- 0.003 (RK4, 4 x 300 periods).",
    extra={"dysts_ic": (1.54131864, 1.43079727, -1.52555412)},
)
def SprottA(X, t, p, xp):
    x, y, z = X
    return (y, -x + y * z, 1 - y ** 2)


@flow(
    variables="x y z",
    params=dict(),
    ic=(1.6878282, 1.4848132, -0.53706628),
    period=11.050142857142857, dt=0.0022103969709235116,
    tags=("mathematics", "dissipative"),
    citation=_SPROTT_1994,
    description="Case B of Sprott's list: five terms, two quadratic products (yz and xy).",
)
def SprottB(X, t, p, xp):
    x, y, z = X
    return (y * z, x - y, 1 - x * y)


@flow(
    variables="x y z",
    params=dict(),
    ic=(-0.47199823, -0.27198066, 1.9418244),
    period=8.8852, dt=0.001777336222703525,
    tags=("mathematics", "dissipative"),
    citation=_SPROTT_1994,
    description="Case C of Sprott's list: like case B with the xy product replaced by a square of x.",
)
def SprottC(X, t, p, xp):
    x, y, z = X
    return (y * z, x - y, 1 - x ** 2)


@flow(
    variables="x y z",
    params=dict(),
    ic=(-1.3396906, -0.21238338, 0.32982163),
    period=4.8333, dt=0.0009668211368563107,
    tags=("mathematics", "dissipative"),
    citation=_SPROTT_1994,
    description="Case D of Sprott's list: a rotation in x-y coupled to z through xz and 3y^2.",
)
def SprottD(X, t, p, xp):
    x, y, z = X
    return (-y, x + z, x * z + 3 * y ** 2)


@flow(
    variables="x y z",
    params=dict(),
    ic=(0.6173759, 0.66599285, -1.6575023),
    period=7.6275, dt=0.0015257542923819757,
    tags=("mathematics", "dissipative"),
    citation=_SPROTT_1994,
    description="Case E of Sprott's list: quadratic terms yz and x^2 with a linear drive 1 - 4x.",
)
def SprottE(X, t, p, xp):
    x, y, z = X
    return (y * z, x ** 2 - y, 1 - 4 * x)


@flow(
    variables="x y z",
    params=dict(a=0.5),
    ic=(-0.98941275, -1.4191706, 0.85797204),
    period=19.244, dt=0.0038494415735954137,
    tags=("mathematics", "dissipative"),
    citation=_SPROTT_1994,
    description="Case F of Sprott's list: an unstable oscillator in x-y fed back through a filtered x^2.",
)
def SprottF(X, t, p, xp):
    x, y, z = X
    return (y + z, -x + p.a * y, x ** 2 - z)


@flow(
    variables="x y z",
    params=dict(a=0.4),
    ic=(-0.77182478, -0.74756595, 1.3073285),
    period=8.7097, dt=0.0017422303717285104,
    tags=("mathematics", "dissipative"),
    citation=_SPROTT_1994,
    description="Case G of Sprott's list: six terms with a single xz product.",
)
def SprottG(X, t, p, xp):
    x, y, z = X
    return (p.a * x + z, x * z - y, -x + y)


@flow(
    variables="x y z",
    params=dict(a=0.5),
    ic=(-1.360042, 0.62585352, -1.2788196),
    period=20.229, dt=0.004046474412402859,
    tags=("mathematics", "dissipative"),
    citation=_SPROTT_1994,
    description="Case H of Sprott's list: an unstable x-y spiral with z^2 feedback from a low-pass filter of x.",
)
def SprottH(X, t, p, xp):
    x, y, z = X
    return (-y + z ** 2, x + p.a * y, x - z)


@flow(
    variables="x y z",
    params=dict(a=0.2),
    ic=(-0.060099389, -0.49558355, 0.023159035),
    period=10.93, dt=0.002186364394065663,
    tags=("mathematics", "dissipative"),
    citation=_SPROTT_1994,
    description="Case I of Sprott's list: a single nonlinearity y^2 in the z equation.",
)
def SprottI(X, t, p, xp):
    x, y, z = X
    return (-p.a * y, x + z, x + y ** 2 - z)


@flow(
    variables="x y z",
    params=dict(),
    ic=(4.4786928, 2.2977432, 6.5847115),
    period=4.836, dt=0.0009673612268710486,
    tags=("mathematics", "dissipative"),
    citation=_SPROTT_1994,
    description="Case J of Sprott's list: linear couplings plus one y^2 term in the z equation.",
)
def SprottJ(X, t, p, xp):
    x, y, z = X
    return (2 * z, -2 * y + z, -x + y + y ** 2)


@flow(
    variables="x y z",
    params=dict(mu=2.017),
    ic=(-0.54106056, 0.59383201, 0.45127217),
    period=11.921, dt=0.0023845974329054797,
    tags=("mathematics", "dissipative"),
    citation="Sprott, J. C. (1997). Simplest dissipative chaotic flow. Physics Letters A 228(4-5), 271-274.",
    description="Third-order jerk equation x''' = -mu x'' + x'^2 - x, the algebraically simplest "
                "dissipative chaotic flow known.",
)
def SprottJerk(X, t, p, xp):
    x, y, z = X
    return (y, z, -x + y ** 2 - p.mu * z)


@flow(
    variables="x y z",
    params=dict(a=0.3),
    ic=(-1.3165015, -1.5429951, 0.664053),
    period=7.006, dt=0.0014014335722617943,
    tags=("mathematics", "dissipative"),
    citation=_SPROTT_1994,
    description="Case K of Sprott's list: an xy product in the first equation, the rest linear.",
)
def SprottK(X, t, p, xp):
    x, y, z = X
    return (x * y - z, x - y, x + p.a * z)


@flow(
    variables="x y z",
    params=dict(a=0.9, b=3.9),
    ic=(4.3611557, 13.705573, -2.6835659),
    period=6.7262, dt=0.0013454642440407839,
    tags=("mathematics", "dissipative"),
    citation=_SPROTT_1994,
    description="Case L of Sprott's list: a filtered x^2 drives y, with a constant-offset integrator in z.",
)
def SprottL(X, t, p, xp):
    x, y, z = X
    return (y + p.b * z, p.a * x ** 2 - y, 1 - x)


@flow(
    variables="x y z",
    params=dict(a=1.7),
    ic=(1.6024402, -1.5983203, -2.6236374),
    period=5.3644, dt=0.0010730588431405862,
    tags=("mathematics", "dissipative"),
    citation=_SPROTT_1994,
    description="Case M of Sprott's list: a -x^2 term in y with affine feedback a(1 + x) into z.",
)
def SprottM(X, t, p, xp):
    x, y, z = X
    return (-z, -x ** 2 - y, p.a + p.a * x + y)


@flow(
    variables="x y z",
    params=dict(),
    ic=(-1.3396906, -0.21238338, 0.32982163),
    period=6.62095890410959, dt=0.0013244125162412957,
    tags=("mathematics", "piecewise", "no-equilibria", "hidden-attractor", "dissipative"),
    citation="Sprott, J. C. (2020). Do we need more chaos examples? Chaos Theory and Applications 2(2), 1-3.",
    description="Oscillator whose damping switches sign with z, while z is driven by kinetic energy minus "
                "a Gaussian of x; it has no equilibria, so its attractor is hidden.",
    notes="Weakly chaotic (issue 13 check; re-measured for issue 14): the adaptive tangent integration "
          "gives lambda_1 = 0.0025 +- 0.0004 over 100 periods from two initial conditions, 0.0011 +- 0.0007 "
          "over 4 x 300 periods and 0.00037 +- 0.00016 over 4 x 1,500 (the recorded value), positive but "
          "falling with the averaging length, so the chaos may be weak or slowly transient. "
          "dysts lists 1.09 (and 0.33 in another of its tables); neither is reproduced. The field is "
          "discontinuous across z = 0 (sign(z)), where finite-difference Jacobians along a trajectory - "
          "dysts's estimator - see spurious stretching, the likely source of its large values. The "
          "exponents in Sprott (2020) were not checked here.",
)
def SprottMore(X, t, p, xp):
    x, y, z = X
    return (y, -x - xp.sign(z) * y, y ** 2 - xp.exp(-x ** 2))


@flow(
    variables="x y z",
    params=dict(),
    ic=(-8.3258705, 7.3033716, 3.2798909),
    period=4.8135, dt=0.0009628604767459592,
    tags=("mathematics", "dissipative"),
    citation=_SPROTT_1994,
    description="Case N of Sprott's list: a z^2 term in y and a damped z driven by y.",
)
def SprottN(X, t, p, xp):
    x, y, z = X
    return (-2 * y, x + z ** 2, 1 + y - 2 * z)


@flow(
    variables="x y z",
    params=dict(a=2.7),
    ic=(0.20549455, 0.022792985, 0.93636949),
    period=9.755, dt=0.001951325220870217,
    tags=("mathematics", "dissipative"),
    citation=_SPROTT_1994,
    description="Case O of Sprott's list: an xz product in the z equation, otherwise linear.",
)
def SprottO(X, t, p, xp):
    x, y, z = X
    return (y, x - z, x + x * z + p.a * y)


@flow(
    variables="x y z",
    params=dict(a=2.7),
    ic=(0.83420675, 0.14915817, 0.44028635),
    period=5.3414, dt=0.0010684580763461328,
    tags=("mathematics", "dissipative"),
    citation=_SPROTT_1994,
    description="Case P of Sprott's list: a y^2 term in the y equation, otherwise linear.",
)
def SprottP(X, t, p, xp):
    x, y, z = X
    return (p.a * y + z, -x + y ** 2, x + y)


@flow(
    variables="x y z",
    params=dict(a=3.1, b=0.5),
    ic=(2.978102, -0.065260683, -2.8031286),
    period=4.8443, dt=0.0009690215035840311,
    tags=("mathematics", "dissipative"),
    citation=_SPROTT_1994,
    description="Case Q of Sprott's list: a y^2 term and an unstable linear part in the z equation.",
)
def SprottQ(X, t, p, xp):
    x, y, z = X
    return (-z, x - y, p.a * x + y ** 2 + p.b * z)


@flow(
    variables="x y z",
    params=dict(a=0.9, b=0.4),
    ic=(-1.6914909, -1.9783678, 1.9807775),
    period=7.0133, dt=0.0014028938156360482,
    tags=("mathematics", "dissipative"),
    citation=_SPROTT_1994,
    description="Case R of Sprott's list: constant offsets in x and y, with an xy product driving z.",
)
def SprottR(X, t, p, xp):
    x, y, z = X
    return (p.a - y, p.b + z, x * y - z)


@flow(
    variables="x y z",
    params=dict(),
    ic=(0.12635702, 0.12260693, 1.2215429),
    period=3.3505, dt=0.0006702117019503362,
    tags=("mathematics", "dissipative"),
    citation=_SPROTT_1994,
    description="Case S of Sprott's list: a damped x-y loop with z^2 feedback and z integrating 1 + x.",
)
def SprottS(X, t, p, xp):
    x, y, z = X
    return (-x - 4 * y, x + z ** 2, 1 + x)


@flow(
    variables="x y z",
    params=dict(),
    ic=(-0.2531148499, -0.2008844654, 0.9290788337),
    period=13.607, dt=0.0027218536422742544,
    tags=("mathematics", "multistable", "no-equilibria", "hidden-attractor"),
    citation="Sprott, J. C. (2014). A dynamical system with a strange attractor and invariant tori. "
             "Physics Letters A 378(20), 1361-1363.",
    description="Quadratic flow in which a strange attractor coexists with a nested family of invariant tori.",
    notes="The flow has no equilibria (eliminating z from the three conditions leaves -x^2 = 0 with x = 0 "
          "impossible), so its strange attractor is hidden. The initial condition is a point of the strange "
          "attractor reached from dysts's (0.6883476, -0.18017646, 0.58539724) by a long run; the first "
          "period from dysts's point passes a strongly stretching stretch where two accurate integrators "
          "disagree at the 1e-5 level, while from this point they agree to about 1e-9.",
)
def SprottTorus(X, t, p, xp):
    x, y, z = X
    return (y + 2 * x * y + x * z, 1 - 2 * x ** 2 + y * z, x - x ** 2 - y ** 2)


# --- forced and mechanical oscillators ----------------------------------------------------

@flow(
    variables="x v th",
    params=dict(a=1.0, alpha=0.3, b=1.0, beta=0.3, eps=0.05, gamma=1.0, t0=0.3, vs=0.4, w=2.0, delta=1e-3),
    ic=(0.85539847, -0.39125834, 0.0),
    period=4.59, dt=0.00032263377229540424,
    tags=("mechanics", "engineering", "nonautonomous", "piecewise", "dissipative", "quasi-periodic"),
    citation="Awrejcewicz, J., Holicke, M. M. (1999). Melnikov's method and stick-slip chaotic oscillations "
             "in very weakly forced mechanical systems. International Journal of Bifurcation and Chaos 9(3), "
             "505-518.",
    description="Weakly forced Duffing oscillator on a moving belt, with a discontinuous dry-friction torque "
                "of the relative velocity v - vs.",
    notes="The forcing phase th (dth/dt = w) is a state variable, as in dysts; it grows without bound "
          "(unbounded_indices) and trajectory(postprocess=True) reports cos(th) in its place, as dysts does. "
          "Difference from dysts: the Coulomb friction sign(v - vs) is regularised as tanh((v - vs) / delta) "
          "with delta = 1e-3 (a new parameter; equal to sign to machine precision for |v - vs| > 0.02). With "
          "the discontinuous sign, orbits that reach the sliding surface v = vs make any adaptive solver "
          "chatter: the step size collapses after ~230 time units (measured). The period 4.59 is the "
          "spectral peak of a long run; dysts's 1.61 holds 1e-4 of the peak power. Tagged quasi-periodic: "
          "two trajectories 1e-9 apart do not separate 20-fold within 920 time units at these parameters "
          "(dysts's own estimate of the largest exponent is only 0.064), so the entry is kept for "
          "compatibility but not counted as chaotic. Issue 13 literature check: the stored pages were "
          "searched for the chaotic stick-slip regime of Awrejcewicz & Holicke (1999); no parameter values "
          "were retrievable, so dysts's values stay.",
    extra={"unbounded_indices": (2,), "postprocess": _cos_of_phase_2},
)
def StickSlipOscillator(X, t, p, xp):
    x, v, th = X
    u = v - p.vs
    # sign(u) regularised as tanh(u / delta): identical to machine precision for |u| > 20 delta,
    # and smooth across the sliding surface u = 0, where sign() chatters (see notes)
    torque = p.t0 * xp.tanh(u / p.delta) - p.alpha * v + p.beta * u ** 3
    return (v, p.eps * (p.gamma * xp.cos(th) - torque) + p.a * x - p.b * x ** 3, p.w)


@flow(
    variables="r th pr pth",
    params=dict(m1=1.0, m2=4.5),
    ic=(0.113296, 1.5707963267948966, 0.10992, 0.17747),
    period=0.3417647058823529, dt=6.836433523233154e-05,
    tags=("mechanics", "physics", "hamiltonian", "conservative"),
    citation="Tufillaro, N. B., Abbott, T. A., Griffiths, D. J. (1984). Swinging Atwood's machine. "
             "American Journal of Physics 52(10), 895-903.",
    description="Atwood machine whose lighter mass m1 swings as a pendulum of variable length r against "
                "the hanging mass m2; Hamilton's equations in polar coordinates.",
    notes="Gravity is fixed at g = 9.82 as in dysts. The angle th is unbounded (it may wind); "
          "trajectory(postprocess=True) reports sin(th) in its place, as dysts does.",
    extra={"unbounded_indices": (1,), "postprocess": _sin_of_angle_1},
)
def SwingingAtwood(X, t, p, xp):
    r, th, pr, pth = X
    g = 9.82
    return (pr / (p.m1 + p.m2),
            pth / (p.m1 * r ** 2),
            pth ** 2 / (p.m1 * r ** 3) - p.m2 * g + p.m1 * g * xp.cos(th),
            -p.m1 * g * r * xp.sin(th))


# --- feedback circuits and geometric examples ---------------------------------------------

@flow(
    variables="x y z",
    params=dict(a=1.85, b=10.0),
    ic=(2.199442, 2.3634225, 3.220197),
    period=4.969, dt=0.0009939656609435589,
    tags=("biology", "mathematics", "dissipative"),
    citation=_THOMAS_1999,
    description="Cyclically symmetric feedback circuit, each variable damped and driven by the sine of the "
                "next.",
    notes="Written with an amplitude b on the sines (as in dysts); dividing by b recovers Thomas's form "
          "dx/dt = sin y - (a/b) x on the time scale b t.",
)
def Thomas(X, t, p, xp):
    x, y, z = X
    return (-p.a * x + p.b * xp.sin(y), -p.a * y + p.b * xp.sin(z), -p.a * z + p.b * xp.sin(x))


@flow(
    variables="x y z",
    params=dict(a=0.5, b=10.0),
    ic=(7.2274723791, 3.7698026463, 2.4086976137),
    period=6.05, dt=0.0012102017002834486,
    tags=("biology", "mathematics", "dissipative"),
    citation=_THOMAS_1999,
    description="Thomas's cyclic sine circuit at weak damping, where orbits wander through a lattice of "
                "cells ('labyrinth chaos').",
    notes="Same vector field as Thomas with a smaller damping ratio a/b = 0.05. The initial condition is a "
          "point of the attractor reached from dysts's (-4.9599545, 1.0302034, -4.6883893) by a long run: "
          "stretching is strong here (largest Lyapunov exponent about 1.3, times a period of 6.05), and from "
          "dysts's point the first period magnifies solver tolerances about 1e5-fold, so two accurate "
          "integrators disagree at the 1e-6 level; from this point they agree to 1e-9.",
)
def ThomasLabyrinth(X, t, p, xp):
    x, y, z = X
    return (-p.a * x + p.b * xp.sin(y), -p.a * y + p.b * xp.sin(z), -p.a * z + p.b * xp.sin(x))


@flow(
    variables="x y z",
    params=dict(a=0.5, n=15.3, r=1.0),
    ic=(-13.72884, 1.9094726, 0.72831447),
    period=6.36, dt=0.0012722120353390665,
    tags=("mathematics", "nonautonomous", "quasi-periodic"),
    citation="Strogatz, S. H. (1994). Nonlinear Dynamics and Chaos. Addison-Wesley. (Flow on a torus, as an "
             "example.)",
    description="Time derivative of a curve winding around a torus with frequency ratio n; the orbit is a "
                "quasi-periodic torus knot, offset by the initial condition.",
    notes="Not chaotic: the vector field depends only on t, so every orbit is the same translated curve and "
          "nearby orbits never separate; with the irrational-looking ratio n = 15.3 the motion is "
          "quasi-periodic (tagged so, which exempts it from the separation test). Issue 13: no parameter "
          "values can make it chaotic (the orbits are translates of one another), so it stays.",
)
def Torus(X, t, p, xp):
    x, y, z = X
    rad = p.r + p.a * xp.cos(p.n * t)
    drad = -p.a * p.n * xp.sin(p.n * t)
    return (drad * xp.cos(t) - rad * xp.sin(t),
            drad * xp.sin(t) + rad * xp.cos(t),
            p.a * p.n * xp.cos(p.n * t))


@flow(
    variables="x y z",
    params=dict(a=40.0, c=0.833, d=0.5, eps=0.65, f=20.0, k=0.0),
    ic=(1.2969944, 1.12138, 50.028988),
    period=0.34526, dt=6.906351058511007e-05,
    tags=("electronics", "mathematics", "dissipative", "periodic"),
    citation="Pan, L., Zhou, W., Li, Z. (2013). Synchronization of three-scroll unified chaotic system (TSUCS) "
             "and its hyper-chaotic system using active pinning control. Nonlinear Dynamics.",
    description="Three-scroll unified chaotic system: a Lorenz-family flow with an extra xz term in x and "
                "an -eps x^2 term in z.",
    notes=("Not chaotic at these parameters: 30 random initial conditions all reach one limit cycle "
           "(|x| <= 68.5), two trajectories 1e-8 apart stay within 1e-5 for 150 time units at rtol 1e-6 "
           "(they separate only at a loose rtol 1e-3), and RK4 over 1,000 periods gives lambda_1 = "
           "-0.0009 +- 0.008; the cycle is periodic for c between 0.6 and 1.0. "
          "Same vector field as dysts's DequanLi family, at the TSUCS2 parameters (k = 0). Issue 13 "
          "literature check: the stored pages were searched for the TSUCS papers (Pan, Zhou & Li 2013) and "
          "the parameter set; no published chaotic set was retrievable, so dysts's values stay."),
)
def Tsucs2(X, t, p, xp):
    x, y, z = X
    return (p.a * (y - x) + p.d * x * z, p.k * x + p.f * y - x * z, p.c * z + x * y - p.eps * x ** 2)


@flow(
    variables="n p z",
    params=dict(a=8.0, d=0.04, e=0.5, g=0.1, h=0.8, lamb=1.0, r=8.12, s=1.25),
    ic=(0.018027788, 0.013649976, 3.498595708237872),
    period=4.40529411764706, dt=0.0008812056911446575,
    tags=("ecology", "biology", "nonautonomous", "dissipative"),
    citation="Turchin, P., Hanski, I. (1997). An empirically based model for latitudinal gradient in vole "
             "population dynamics. The American Naturalist 149(5), 842-874. Turchin, P., Hanski, I. (2000). "
             "Ecology.",
    description="Seasonally forced vole-weasel model: logistic voles n with generalist predation and a "
                "specialist predator p whose carrying capacity follows the voles.",
    notes="The seasonal phase z (dz/dt = 2 pi lamb) is a state variable, as in dysts; it grows without bound "
          "(unbounded_indices) and trajectory(postprocess=True) reports sin(z) in its place, as dysts does. "
          "The initial phase is dysts's 30363.85 reduced modulo 2 pi (3.4986): the vector field depends on z "
          "only through sin(z), so the orbit is the same, and the Jacobian is not evaluated at a huge phase.",
    extra={"unbounded_indices": (2,), "postprocess": _sin_of_phase_2},
)
def TurchinHanski(X, t, p, xp):
    n, pr, z = X
    season = 1 - p.e * xp.sin(z)
    return (p.r * season * n - p.r * n ** 2 - p.g * n ** 2 / (n ** 2 + p.h ** 2) - p.a * n * pr / (n + p.d),
            p.s * season * pr - p.s * pr ** 2 / n,
            2 * xp.pi * p.lamb)


# --- climate, space weather and other three-dimensional flows -----------------------------

@flow(
    variables="x y z",
    params=dict(b=102.0, c=3.0, p=0.0),
    ic=(-6.99286331487343, 0.023254276622294345, -0.1658177563067799),
    period=2.2087, dt=0.00044181363560596765,
    tags=("climate", "geophysics", "fluids", "dissipative"),
    citation="Vallis, G. K. (1988). Conceptual models of El Nino and the southern oscillation. Journal of "
             "Geophysical Research: Oceans 93(C11), 13979-13991.",
    description="Box model of the equatorial Pacific: surface current x and east-west and mean temperature "
                "anomalies y, z, a Lorenz-like El Nino oscillator.",
)
def VallisElNino(X, t, p, xp):
    x, y, z = X
    return (p.b * y - p.c * x - p.c * p.p, -y + x * z, -z - x * y + 1)


@flow(
    variables="x y z",
    params=dict(a=0.2, b=-0.01, d=-0.4, e=-1.0, f=-1.0, q=1.0),
    ic=(-0.54770787, 0.73876479, -0.0049284531),
    period=26.958, dt=0.005392498749791912,
    tags=("mathematics", "dissipative"),
    citation="Wang, Z., Sun, Y., van Wyk, B. J., Qi, G., van Wyk, M. A. (2009). A 3-D four-wing attractor and "
             "its analysis. Brazilian Journal of Physics 39(3), 547-553.",
    description="Quadratic flow with three cross-product terms producing a four-wing butterfly attractor.",
)
def WangSun(X, t, p, xp):
    x, y, z = X
    return (p.a * x + p.q * y * z, p.b * x + p.d * y - x * z, p.e * z + p.f * x * y)


@flow(
    variables="i v p",
    params=dict(a1=0.247, b1=10.8, b2=0.0752, b3=1.06, d1=2200.0, vsw=5.0),
    ic=(0.93337506, 6.2678923, 41.969547),
    period=4.6733, dt=0.0009348158026337216,
    tags=("plasma", "geophysics", "dissipative"),
    citation="Smith, J. P., Thiffeault, J.-L., Horton, W. (2000). Dynamical range of the WINDMI model: an "
             "exploration of possible magnetospheric plasma states. Journal of Geophysical Research 105(A6), "
             "12983-12996. Horton, W., Weigel, R. S., Sprott, J. C. (2001). Chaos and the limits of "
             "predictability for the solar-wind-driven magnetosphere-ionosphere system. Physics of Plasmas 8(6), "
             "2946-2952.",
    description="Three-variable reduction of the WINDMI circuit model of the solar-wind-driven "
                "magnetosphere: current i, voltage v and plasma pressure p, with a sharp unloading threshold.",
    notes="The voltage equation's pressure term is b2 p / 2, as dysts evaluates it. This may be a transcription of b2 * p**(1/2); the papers could not be "
          "checked here, and dysts's initial condition and period belong to the p / 2 form, so it is kept.",
)
def WindmiReduced(X, t, p, xp):
    i, v, pp = X
    return (p.a1 * (p.vsw - v),
            p.b1 * i - p.b2 * pp / 2 - p.b3 * v,
            p.vsw ** 2 - pp ** 1.25 * p.vsw ** 0.5 * (1 + xp.tanh(p.d1 * (i - 1))) / 2)


@flow(
    variables="x y z",
    params=dict(a=10.0, b=40.0, c=2.0, d=2.5),
    ic=(-0.21422356, -0.17935495, 14.105516),
    period=1.3366, dt=0.00026736456076008607,
    tags=("electronics", "mathematics", "dissipative"),
    citation=_YU_WANG_2012,
    description="Lorenz-like flow whose z equation is driven by the exponential exp(xy).",
)
def YuWang(X, t, p, xp):
    x, y, z = X
    return (p.a * (y - x), p.b * x - p.c * x * z, xp.exp(x * y) - p.d * z)


@flow(
    variables="x y z",
    params=dict(a=10.0, b=30.0, c=2.0, d=2.5),
    ic=(0.12581483, 1.2467348, 18.358568),
    period=0.39265, dt=7.854309051509745e-05,
    tags=("electronics", "mathematics", "dissipative"),
    citation=_YU_WANG_2012,
    description="Variant of the Yu-Wang flow with cosh(xy) in place of exp(xy), making it symmetric under "
                "(x, y) -> (-x, -y).",
)
def YuWang2(X, t, p, xp):
    x, y, z = X
    return (p.a * (y - x), p.b * x - p.c * x * z, xp.cosh(x * y) - p.d * z)


@flow(
    variables="x y z",
    params=dict(a=2.97, b=0.15, c=-3.0, d=1.0, e=-8.78),
    ic=(2.9304064892, -3.4007870255, 0.7194604996),
    period=0.87518, dt=0.00017506517752959638,
    tags=("mathematics", "dissipative"),
    citation="Zhou, T., Chen, G. (2004). A simple smooth chaotic system with a 3-layer attractor. "
             "International Journal of Bifurcation and Chaos.",
    description="Smooth quadratic flow whose attractor is stacked in three layers.",
    notes="Hops between the layers give a broadband, low-frequency-heavy spectrum (Welch peak near a period "
          "of 80-130 in long runs, against oscillations near dysts's period 0.875). The initial condition is a "
          "point of the attractor reached from dysts's (-0.60390203, 0.012111953, 0.00083277923) by a long "
          "run; over the first 50 periods from dysts's point the spectrum held only 4% of its peak power at "
          "the declared period, from this point about 16%.",
)
def ZhouChen(X, t, p, xp):
    x, y, z = X
    return (p.a * x + p.b * y + y * z, p.c * y - x * z + p.d * y * z, p.e * z - x * y)
