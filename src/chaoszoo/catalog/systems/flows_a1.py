"""Continuous-time chaotic systems, part A1 (Aizawa to BurkeShaw, alphabetically).

Names, parameters, initial conditions, periods and time steps follow the ``dysts``
catalogue (Gilpin 2021) so that results stay comparable; the equations follow the cited
papers. Where a forced system carries its forcing phase as a state variable, the state
layout is kept (phase last) and ``extra["postprocess"]`` maps the phase (and any angle)
to a bounded observable, as dysts does for its output.
"""

from chaoszoo.catalog.declaration import flow


# --- output transforms (values: (n, d) array, params: mapping) -------------------------------
def _abc_output(values, params):
    import numpy as np

    v = np.array(values, dtype=float)
    v[:, 0], v[:, 1], v[:, 2] = np.sin(v[:, 0]), np.cos(v[:, 1]), np.sin(v[:, 2])
    return v


def _arnold_web_output(values, params):
    import numpy as np

    v = np.array(values, dtype=float)
    v[:, 2], v[:, 3], v[:, 4] = np.sin(v[:, 2]), np.sin(v[:, 3]), np.cos(v[:, 4])
    return v


def _bickley_output(values, params):
    import numpy as np

    v = np.array(values, dtype=float)
    k_min = min(params["k1"], params["k2"], params["k3"])
    s_min = min(params["sigma1"], params["sigma2"], params["sigma3"])
    v[:, 1] = np.sin(k_min * v[:, 1])
    v[:, 2] = np.sin(params["omega"] * v[:, 2] * k_min * s_min)
    return v


def _polar_stirrer_output(values, params):
    import numpy as np

    v = np.array(values, dtype=float)
    r, th, tt = v[:, 0].copy(), v[:, 1].copy(), v[:, 2].copy()
    v[:, 0], v[:, 1] = r * np.cos(th), r * np.sin(th)
    v[:, 2] = np.sin(2 * np.pi * tt / params["tau"])
    return v


# --- helpers written against the array namespace ----------------------------------------------
def _rotlet(r, th, a, b, bc, xp):
    """Velocity (v_r, r * v_theta) of a rotlet at distance ``b`` from the centre of a disc of radius ``a``.

    ``bc`` switches on the image system that enforces no slip on the wall (1) or leaves the
    bare point vortex (0).
    """
    c = xp.cos(th)
    kappa = a**2 + b**2 * r**2 / a**2 - 2 * b * r * c
    gamma = (1 - r**2 / a**2) * (a**2 - b**2 * r**2 / a**2)
    iota = b**2 * r / a**2 - b * c
    zeta = b**2 + r**2 - 2 * b * r * c
    nu = a**2 + b**2 - 2 * b**2 * r**2 / a**2
    vr = b * xp.sin(th) * (-bc * gamma / kappa**2 - 1 / kappa + 1 / zeta)
    vth = bc * gamma * iota / kappa**2 + bc * r * nu / (a**2 * kappa) + iota / kappa - (r - b * c) / zeta
    return vr, vth


def _blinking_stirrer(X, p, xp):
    """Two stirrers at +-b that take turns (smoothed square-wave protocol of period tau)."""
    r, th, tt = X
    w = 0.5 + 0.5 * xp.tanh(20 * p.tau * xp.sin(2 * xp.pi * tt / p.tau))
    vr1, vth1 = _rotlet(r, th, p.a, p.b, p.bc, xp)
    vr2, vth2 = _rotlet(r, th, p.a, -p.b, p.bc, xp)
    dr = w * vr1 + (1 - w) * vr2
    dth = (w * vth1 + (1 - w) * vth2) / r
    return p.sigma * dr, p.sigma * dth, 1.0


# --- declarations -----------------------------------------------------------------------------
@flow(
    variables="x y z",
    params=dict(a=0.95, b=0.7, c=0.6, d=3.5, e=0.25, f=0.1),
    ic=(-0.78450179, -0.62887672, -0.17620268),
    period=2.5837, dt=0.0005168261376896056,
    tags=("mathematics", "dissipative"),
    citation=(
        "Aizawa, Y. & Uezu, T. (1982). Topological aspects in chaos and in 2^k-period doubling cascade. "
        "Progress of Theoretical Physics 67(3), 982-985. See also Langford, W. F. (1984). Numerical "
        "studies of torus bifurcations. In Numerical Methods for Bifurcation Problems, 285-295. "
        "Birkhauser, Basel."
    ),
    description="A rotating flow whose invariant torus breaks up into a chaotic, apple-shaped attractor with an axial tube.",
)
def Aizawa(X, t, p, xp):
    x, y, z = X
    return (
        (z - p.b) * x - p.d * y,
        p.d * x + (z - p.b) * y,
        p.c + p.a * z - z**3 / 3 - (x**2 + y**2) * (1 + p.e * z) + p.f * z * x**3,
    )


@flow(
    variables="x y z",
    params=dict(eta=0.5, mu=1.2),
    ic=(3.6225814, 3.3226339, 1.9973142),
    period=6.814, dt=0.001363027171195199,
    tags=("electronics", "physics", "dissipative", "piecewise"),
    citation=(
        "Anishchenko, V. S., Astakhov, V., Neiman, A., Vadivasova, T. & Schimansky-Geier, L. (2007). "
        "Nonlinear Dynamics of Chaotic and Stochastic Systems: Tutorial and Modern Developments "
        "(2nd ed.). Springer, Berlin."
    ),
    description="Self-oscillator with an inertial nonlinearity: a negative-resistance circuit whose gain is throttled by a rectified, slowly relaxing variable.",
    notes="The rectifier I(x) x^2 is written max(x, 0)^2 (identical values).",
)
def AnishchenkoAstakhov(X, t, p, xp):
    x, y, z = X
    return (p.mu * x + y - x * z, -x, p.eta * (xp.maximum(x, 0.0) ** 2 - z))


@flow(
    variables="x y z",
    params=dict(a=-5.5, b=4.5, c=1.0, d=-1.0),
    ic=(-2.7515698, 0.19079818, 3.4703629),
    period=3.1641, dt=0.000632925487581133,
    tags=("ecology", "mathematics", "dissipative"),
    citation=(
        "Arneodo, A., Coullet, P. & Tresser, C. (1980). Occurrence of strange attractors in "
        "three-dimensional Volterra equations. Physics Letters A 79(4), 259-263."
    ),
    description="Cubic jerk equation reached from a three-species Lotka-Volterra model, with a spiral Shilnikov-type attractor.",
)
def Arneodo(X, t, p, xp):
    x, y, z = X
    return (y, z, -p.a * x - p.b * y - p.c * z + p.d * x**3)


@flow(
    variables="x y z",
    params=dict(a=1.73205, b=1.41421, c=1.0),
    ic=(147.91266, -1762.805, -647.37622),
    period=2.8508, dt=0.0005702550425070285,
    tags=("fluids", "physics", "conservative"),
    citation=(
        "Arnold, V. I. (1966). Journal of Applied Mathematics and Mechanics 30, 223. See also Dombre, T., "
        "Frisch, U., Greene, J. M., Henon, M., Mehr, A. & Soward, A. M. (1986). Chaotic streamlines in "
        "the ABC flows. Journal of Fluid Mechanics 167, 353-391."
    ),
    description="Streamlines of a steady, divergence-free Beltrami solution of Euler's equations on the 3-torus; tracer paths wander chaotically.",
    notes=(
        "The coordinates are angles on the 3-torus and drift without bound; postprocess=True returns "
        "(sin x, cos y, sin z) as dysts does. The field is volume preserving, so there is no attractor."
    ),
    extra={"unbounded_indices": (0, 1, 2), "postprocess": _abc_output},
)
def ArnoldBeltramiChildress(X, t, p, xp):
    x, y, z = X
    return (
        p.a * xp.sin(z) + p.c * xp.cos(y),
        p.b * xp.sin(x) + p.a * xp.cos(z),
        p.c * xp.sin(y) + p.b * xp.cos(x),
    )


@flow(
    variables="p1 p2 x1 x2 z",
    params=dict(mu=0.01, w=1.0),
    ic=(0.10469507, 0.0892929984, 11025.3686, 6055.32273, 0.1),
    period=67.25, dt=0.013452242040339115,
    tags=("physics", "mechanics", "hamiltonian", "conservative", "nonautonomous"),
    citation=(
        "Froeschle, C., Guzzo, M. & Lega, E. (2000). Graphical evolution of the Arnold web: from order "
        "to chaos. Science 289(5487), 2108-2110."
    ),
    description="Nearly integrable Hamiltonian with two actions, two angles and a periodic perturbation; orbits creep along the web of resonances.",
    notes=(
        "Hamiltonian H = (p1^2 + p2^2)/2 + mu / (4 + cos x1 + cos x2 + cos z) with the time-like "
        "angle z = w t carried as a state variable. The angles x1, x2 and z grow without bound; "
        "postprocess=True returns (p1, p2, sin x1, sin x2, cos z) as dysts does."
    ),
    extra={"unbounded_indices": (2, 3, 4), "postprocess": _arnold_web_output},
)
def ArnoldWeb(X, t, p, xp):
    p1, p2, x1, x2, z = X
    denom = 4 + xp.cos(z) + xp.cos(x1) + xp.cos(x2)
    return (-p.mu * xp.sin(x1) / denom**2, -p.mu * xp.sin(x2) / denom**2, p1, p2, p.w)


@flow(
    variables="x y z",
    params=dict(alpha=-2.0, beta=-5.0, mu1=0.05, mu2=-0.01, omega=3.0, sigma=1.1),
    ic=(0.026544189906947246, 0.20580772677536016, 0.43758119702219506),
    period=89.59496756697331, dt=0.01792198051014566,
    tags=("climate", "geophysics", "dissipative"),
    citation=(
        "Tuwankotta, J. M. (2006). Chaos in a coupled oscillators system with widely spaced frequencies "
        "and energy-preserving non-linearity. International Journal of Non-Linear Mechanics 41(2), 180-191."
    ),
    description="Low-order model of atmospheric regime changes: a slow mode coupled to a fast oscillator through energy-conserving quadratic terms.",
)
def AtmosphericRegime(X, t, p, xp):
    x, y, z = X
    return (
        p.mu1 * x + p.sigma * x * y,
        p.mu2 * y + p.omega * z + p.alpha * y * z + p.beta * z**2 - p.sigma * x**2,
        p.mu2 * z - p.omega * y - p.alpha * y**2 - p.beta * y * z,
    )


@flow(
    variables="y1 y2 y3",
    params=dict(
        tau1=1.0, tau2=2.5, tau3=1.0,
        theta1=-4.108, theta2=-2.787, theta3=-1.114,
        w11=5.422, w12=-0.018, w13=2.75,
        w21=-0.24, w22=4.59, w23=1.21,
        w31=0.535, w32=-2.25, w33=3.885,
    ),
    ic=(1.5014532, 2.3742845, 0.65819415),
    period=181.58, dt=0.03632205367561255,
    tags=("neuroscience", "dissipative"),
    citation=(
        "Beer, R. D. (1995). On the dynamics of small continuous-time recurrent neural networks. "
        "Adaptive Behavior 3(4), 469-509."
    ),
    description="Three-neuron continuous-time recurrent network with sigmoid firing rates and a chaotic weight matrix.",
    notes=(
        "dysts stores tau, theta (3-vectors) and w (3x3 matrix) as arrays; here they are the scalar "
        "parameters tau_i, theta_i and w_ij (row i = receiving neuron), with the same values."
    ),
)
def BeerRNN(X, t, p, xp):
    y1, y2, y3 = X
    s1 = 1 / (1 + xp.exp(-(y1 + p.theta1)))
    s2 = 1 / (1 + xp.exp(-(y2 + p.theta2)))
    s3 = 1 / (1 + xp.exp(-(y3 + p.theta3)))
    return (
        (-y1 + p.w11 * s1 + p.w12 * s2 + p.w13 * s3) / p.tau1,
        (-y2 + p.w21 * s1 + p.w22 * s2 + p.w23 * s3) / p.tau2,
        (-y3 + p.w31 * s1 + p.w32 * s2 + p.w33 * s3) / p.tau3,
    )


@flow(
    variables="x z v",
    params=dict(
        c1=-8.03474, c2=0.05408, c3=-0.0115886, c4=832.587, c5=-0.029155, c6=0.00321617,
        c7=-0.01352, c8=-0.0831709, c9=-0.0199985, c10=0.0223915, c11=7.53559e-05,
        c12=8.07384e-06, c13=-0.000499825, ci=0.000833, kf=0.00035, t0=2308.62,
        y0=7.72571e-06, yb1=6.92813e-07, yb2=2.00869, yb3=0.01352, z0=8.33e-06,
    ),
    ic=(0.05670430945194389, 0.6569284930847883, 0.8451619321429478),
    period=0.038257, dt=3.6520086681113285e-06,
    tags=("chemistry", "dissipative", "stiff"),
    citation=(
        "Gyorgyi, L. & Field, R. J. (1992). A three-variable model of deterministic chaos in the "
        "Belousov-Zhabotinsky reaction. Nature 355, 808-810."
    ),
    description="Three-variable reduction of the Belousov-Zhabotinsky reaction in a stirred flow reactor; the flow rate kf tunes period doubling into chaos.",
    notes=("Chaotic at these parameters (lambda_1 about 24-26 per unit time, 0.9-1.0 per period, from "
           "the adaptive method and from RK4 at 1,600 steps per period); RK4 at 100 steps per period "
           "gives a spurious stable cycle. The chaotic window in kf is narrow: accurate trajectories "
           "are chaotic at kf = 3.5e-4 and 3.6e-4 but periodic at 3.3e-4 and 3.7e-4 to 5e-4. "
        "Scaled variables x (HBrO2), z (Ce4+), v (organic radical); the bromide level ybar is "
        "adiabatically eliminated. The square root uses max(x, 0) so that the field stays real for "
        "slightly negative x, as in dysts; under the square root the floor is 1e-300 instead of 0, which "
        "changes the field by at most 1e-150 but keeps its Jacobian finite where the orbit reaches x <= 0 "
        "(sqrt has an infinite derivative at 0, which made the tangent dynamics NaN). The ic is a point on the attractor from a long run (dysts's "
        "ic starts a stretch so sensitive that the first period is not reproducible to 1e-7 at "
        "rtol 1e-10)."
    ),
)
def BelousovZhabotinsky(X, t, p, xp):
    x, z, v = X
    ybar = p.yb1 * z * v / (p.y0 * (p.yb2 * x + p.yb3 + p.kf))
    xc = xp.maximum(x, 0.0)
    rf = (p.ci - p.z0 * z) * xp.sqrt(xp.maximum(x, 1e-300))
    dx = p.c1 * xc * ybar + p.c2 * ybar + p.c3 * xc**2 + p.c4 * rf + p.c5 * xc * z - p.kf * xc
    dz = p.c6 / p.z0 * rf + p.c7 * xc * z + p.c8 * z * v + p.c9 * z - p.kf * z
    dv = p.c10 * xc * ybar + p.c11 * ybar + p.c12 * xc**2 + p.c13 * z * v - p.kf * v
    return (p.t0 * dx, p.t0 * dz, p.t0 * dv)


@flow(
    variables="y x z",
    params=dict(
        ell=1.77, omega=1.0, u=6.266e-05,
        eps1=0.0075, eps2=0.15, eps3=0.3,
        k1=0.313922, k2=0.627845, k3=0.941767,
        sigma1=9.05854e-06, sigma2=1.28453e-05, sigma3=2.88863e-05,
    ),
    ic=(2.5, 0.3, 0.0),
    period=626000.0, dt=17.56824204034172,
    tags=("fluids", "geophysics", "climate", "hamiltonian", "conservative", "nonautonomous"),
    citation=(
        "Hadjighasem, A., Karrasch, D., Teramoto, H. & Haller, G. (2016). Spectral-clustering approach "
        "to Lagrangian vortex detection. Physical Review E 93(6), 063107."
    ),
    description="Tracer motion in a meandering zonal jet flanked by travelling Rossby waves, an idealised stratospheric polar-night jet.",
    notes=(
        "Lengths in Mm, time in s. State (y, x, z): meridional and zonal position and the clock "
        "z (dz/dt = omega). dysts stores eps, k and sigma (the wave phase speeds c_n) as 3-vectors; here "
        "they are eps1..3, k1..3, sigma1..3. Follows the paper: dx/dt = -dpsi/dy, dy/dt = dpsi/dx for "
        "psi = -U L tanh(y/L) + U L sech^2(y/L) sum eps_n cos(k_n (x - c_n t)), an eastward jet. dysts "
        "has the negated field (a westward jet), for which u(y) never matches the wave speeds c_n > 0, "
        "so there are no critical layers and the advection is regular. Because of that change the ic "
        "(2.5, 0.3, 0) is taken in the chaotic zone (dysts: (-0.4, 0.3, 0), regular here), and the "
        "period (dysts: 97826.57 s) is the dominant spectral period of y, about 6.26e5 s. x and z grow "
        "without bound; postprocess=True maps them as dysts does."
    ),
    extra={"unbounded_indices": (1, 2), "postprocess": _bickley_output},
)
def BickleyJet(X, t, p, xp):
    y, x, z = X
    sech2 = 1 / xp.cosh(y / p.ell) ** 2
    ph1, ph2, ph3 = p.k1 * (x - z * p.sigma1), p.k2 * (x - z * p.sigma2), p.k3 * (x - z * p.sigma3)
    cos_sum = p.eps1 * xp.cos(ph1) + p.eps2 * xp.cos(ph2) + p.eps3 * xp.cos(ph3)
    sin_sum = p.eps1 * p.k1 * xp.sin(ph1) + p.eps2 * p.k2 * xp.sin(ph2) + p.eps3 * p.k3 * xp.sin(ph3)
    return (
        -p.ell * p.u * sech2 * sin_sum,
        p.u * sech2 * (1 + 2 * cos_sum * xp.tanh(y / p.ell)),
        p.omega,
    )


@flow(
    variables="x y z",
    params=dict(a=1.0, alpha1=0.2, alpha2=1.0, b=1.0, c=10.0, k1=0.05, k2=0.0, zs=0.006),
    ic=(4.031713, 5.1113788, 0.016508812),
    period=6.6038, dt=0.0013209801633604456,
    tags=("ecology", "biology", "dissipative"),
    citation=(
        "Blasius, B., Huppert, A. & Stone, L. (1999). Complex dynamics and phase synchronization in "
        "spatially extended ecological systems. Nature 399, 354-359."
    ),
    description="Vegetation-herbivore-predator food chain with saturating consumption whose peaks are chaotic while the phase stays regular (UPCA chaos).",
)
def Blasius(X, t, p, xp):
    x, y, z = X
    graze = p.alpha1 * x * y / (1 + p.k1 * x)
    prey = p.alpha2 * y * z / (1 + p.k2 * y)
    return (p.a * x - graze, -p.b * y + graze - prey, -p.c * (z - p.zs) + prey)


@flow(
    variables="r theta tt",
    params=dict(a=1.0, b=0.5298833894399929, bc=1.0, sigma=-1.0, tau=3.0),
    ic=(-0.08541919, -0.05204435, 0.0),
    period=2.9520625, dt=0.0005905109184863022,
    tags=("fluids", "hamiltonian", "conservative", "nonautonomous"),
    citation=(
        "Meleshko, V. V. & Aref, H. (1996). A blinking rotlet model for chaotic advection. Physics of "
        "Fluids 8(12), 3215-3217. See also Tallapragada, P. & Sudarsanam, S. (2019). Physical Review E."
    ),
    description="Stokes-flow stirring in a circular cavity by two rotlets placed symmetrically off-centre and switched on in turn.",
    notes=(
        "Polar coordinates (r, theta) and the clock tt; the protocol is a tanh-smoothed square wave of "
        "period tau. b is chosen so that the idle rotlet's position is a stagnation point. theta and tt "
        "grow without bound; postprocess=True returns (r cos theta, r sin theta, sin(2 pi tt / tau)) "
        "as dysts does. The default ic has r < 0, which the polar form tolerates."
    ),
    extra={"unbounded_indices": (1, 2), "postprocess": _polar_stirrer_output},
)
def BlinkingRotlet(X, t, p, xp):
    return _blinking_stirrer(X, p, xp)


@flow(
    variables="r theta tt",
    params=dict(a=1.0, b=0.5, bc=0.0, sigma=-1.0, tau=3.0),
    ic=(-0.4291965856404279, 5.536779185123379, 2.2222222222222854),
    period=2.7616666666666667, dt=0.0005524254042340715,
    tags=("fluids", "hamiltonian", "conservative", "nonautonomous"),
    citation="Aref, H. (1984). Stirring by chaotic advection. Journal of Fluid Mechanics 143, 1-21.",
    description="Two point vortices inside a circular wall blink on and off alternately, the classic model of chaotic advection.",
    notes=(
        "Same field as BlinkingRotlet with the wall image switched off (bc = 0), i.e. a point "
        "vortex; theta and tt grow without bound, postprocess=True maps them as dysts does. The ic is a "
        "point of a long run from dysts's ic (-0.0854, -0.0520, 0), with theta and tt reduced modulo "
        "2 pi and tau: from dysts's ic the radius stays trapped for long stretches."
    ),
    extra={"unbounded_indices": (1, 2), "postprocess": _polar_stirrer_output},
)
def BlinkingVortex(X, t, p, xp):
    return _blinking_stirrer(X, p, xp)


_BOUALI_CITATION = (
    "Bouali, S. (1999). Feedback loop in extended van der Pol's equation applied to an economic model "
    "of cycles. International Journal of Bifurcation and Chaos 9(4), 745-756."
)


@flow(
    variables="x y z",
    params=dict(a=1.0, b=-0.3, bb=1.0, c=0.05, g=1.0, m=1.0, y0=4.0),
    ic=(0.38673159, 3.0544196, -0.0067836194),
    period=12.78, dt=0.0006083213868978987,
    tags=("economics", "dissipative"),
    citation=_BOUALI_CITATION,
    description="Business-cycle model: a van der Pol-like oscillator with a slow feedback loop standing in for fluctuating demand.",
    notes=(
        "The period is the dominant spectral peak of a long run (12.8, the slow modulation of the "
        "cycles); dysts's 3.0411 is the fast oscillation inside it, a secondary peak."
    ),
)
def Bouali(X, t, p, xp):
    x, y, z = X
    return (
        p.a * x * (p.y0 - y) - p.b * z,
        p.g * y * (x**2 - 1),
        -1.5 * p.m * x + p.m * p.bb * x * z - p.c * z,
    )


@flow(
    variables="x y z",
    params=dict(a=3.0, b=2.2, bb=0.0, c=0.0, g=1.0, m=-0.0026667, y0=1.0),
    ic=(-0.79392257, 1.3617589, -0.030578888),
    period=114.4, dt=0.0005356692782129358,
    tags=("economics", "dissipative"),
    citation=_BOUALI_CITATION,
    description="Bouali's cycle model at a second parameter set, where the feedback loop is a weak linear integrator.",
    notes=(
        "The period is the dominant spectral peak of a long run (about 114, a broad slow band); dysts's "
        "7.6779 is the fast oscillation, which carries much less power."
    ),
)
def Bouali2(X, t, p, xp):
    x, y, z = X
    return (
        p.a * x * (p.y0 - y) - p.b * z,
        p.g * y * (x**2 - 1),
        -1.5 * p.m * x + p.m * p.bb * x * z - p.c * z,
    )


@flow(
    variables="x y z",
    params=dict(e=13.0, n=10.0),
    ic=(-0.79153188, 0.65244479, 0.22517831),
    period=0.78333, dt=0.00015669211535254134,
    tags=("physics", "mathematics", "dissipative"),
    citation=(
        "Shaw, R. (1981). Strange attractors, chaotic behavior, and information flow. Zeitschrift fur "
        "Naturforschung A 36(1), 80-112."
    ),
    description="Burke and Shaw's Lorenz-like flow with a two-lobed scroll attractor symmetric under (x, y) -> (-x, -y).",
    notes=(
        "Follows Shaw (1981, p. 104): dy/dt = -y - n x z. dysts has +y in place of -y; both versions "
        "are chaotic with attractors of similar size, so dysts's ic, period and dt are kept."
    ),
)
def BurkeShaw(X, t, p, xp):
    x, y, z = X
    return (-p.n * (x + y), -y - p.n * x * z, p.n * x * y + p.e)
