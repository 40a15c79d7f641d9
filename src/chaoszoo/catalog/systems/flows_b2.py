"""Continuous flows, second batch (part 2): Liu-Chen through Rabinovich-Fabrikant.

Equations, parameter values, initial conditions, periods and time steps follow the
entries of the same names in ``dysts`` (Gilpin 2021) and the papers cited on each entry;
where ``dysts`` departs from the paper the paper is followed and ``notes`` says how.
Parameters that ``dysts`` stores as arrays are flattened into scalars named after the
array and its (0-based) indices: ``c01`` is ``c[0][1]``, ``s3`` is ``s[3]``.
"""

import numpy as np

from chaoszoo.catalog.declaration import flow

HUISMAN_WEISSING_C = (
    (0.04, 0.04, 0.07, 0.04, 0.04),
    (0.08, 0.08, 0.08, 0.1, 0.08),
    (0.1, 0.1, 0.1, 0.1, 0.14),
    (0.05, 0.03, 0.03, 0.03, 0.03),
    (0.07, 0.09, 0.07, 0.07, 0.07),
)
HUISMAN_WEISSING_K = (
    (0.39, 0.34, 0.3, 0.24, 0.23),
    (0.22, 0.39, 0.34, 0.3, 0.27),
    (0.27, 0.22, 0.39, 0.34, 0.3),
    (0.3, 0.24, 0.22, 0.39, 0.34),
    (0.34, 0.3, 0.22, 0.2, 0.39),
)
MULTICHUA_M = (-0.14285714, 0.28571429, -0.57142857, 0.28571429, -0.57142857, 0.28571429)
MULTICHUA_C = (1.0, 2.15, 3.6, 8.2, 13.0)  # breakpoints c1..c5 (dysts's c[0] = 0 is unused)


def _matrix_params(name, rows):
    return {f"{name}{i}{j}": float(v) for i, row in enumerate(rows) for j, v in enumerate(row)}


def _vector_params(name, values, start=0):
    return {f"{name}{i + start}": float(v) for i, v in enumerate(values)}


@flow(
    variables="x y z",
    params=dict(a=0.4, b=12.0, c=5.0),
    ic=(13.60231104580131, 3.243690248157537, 13.66899442606574),
    period=8.0164, dt=0.0016035472578764143,
    tags=("mathematics", "dissipative", "transient-chaos"),
    citation="Liu, W., & Chen, G. (2004). Can a three-dimensional smooth autonomous quadratic "
             "chaotic system generate a single four-scroll attractor? International Journal of "
             "Bifurcation and Chaos 14(4), 1395-1403.",
    description="Quadratic flow with a single cross-product term per equation that winds a "
                "single attractor around four scrolls.",
    notes="Follows the Liu-Chen paper: dx/dt = a x - y z, dy/dt = -b y + x z, "
          "dz/dt = -c z + x y. dysts evaluates LiuChen through its Sakarya template "
          "(dx/dt = a x + h y + s y z, dy/dt = -b y - p x + q x z, dz/dt = c z - r x y with "
          "a=0.4, b=12, c=-5, h=0, p=0, q=-1, r=1, s=1), which its issue tracker reports as "
          "wrong; at those values it is the paper's system with y replaced by -y. Here c "
          "takes the paper's sign (c=5); period and dt are dysts's. dysts's initial condition "
          "(mirrored: 4.67, -5e-10, -6e-10) sits on the invariant x-axis, where y and z are "
          "below integration tolerances; ours is a point of a long orbit from it. Orbits "
          "pass repeatedly very close to the x-axis, so long runs are tolerance-sensitive. "
          "Issue 13 check (chaoszoo stored lambda_1 = 0.0002, dysts about 0.2; dysts's version is this "
          "system with y -> -y, so the two share their exponents): both are right about different "
          "things - the chaos is transient. Measured: SciPy DOP853 with rtol 1e-11 and atol 1e-300 (so "
          "that y and z stay error-controlled near the invariant x-axis) gives lambda_1 over successive "
          "1,000-time-unit blocks from the catalog ic of 0.163, 0.146, 0.144, 0.147, 0.156, 0.156, 0.135, "
          "then 0.000, -0.003, 0.007: after about 7,000 time units (870 periods) the orbit settles on a "
          "regular attractor whose passages along the x-axis reach |y| + |z| = 6e-16 each time. "
          "chaoszoo's Dopri8 at rtol 1e-11, atol 1e-300 settles within 1,200 time units on the same "
          "regime (x maxima repeating -3.28, 34.2-34.4, 4.6-4.7, 15.2, 15.5-16.9) from the catalog ic and "
          "from (1, 1, 1) and (-5, 3, -2), and RK4 at h = 0.005 keeps it in float64 and in 80-bit long "
          "double alike (so it is not rounding); on it lambda_1 = 0.004 and lambda_2 = -0.097 (SciPy, 400 "
          "time units): a stable, long-period cycle. The annotated RK4 value "
          "(0.0002 +- 0.0009, lambda_2 = -0.030, 800 steps per period, 4 x 1,000 periods) and the adaptive "
          "Tsit5 run (per initial condition 0.155, 0.084, 0.013, 0.006 along one orbit) see that "
          "regime too. An absolute tolerance near 1e-10 (the trajectory default) "
          "stops y and z shrinking below about 1e-13, which keeps the orbit chaotic (lambda_1 = 0.149 "
          "+- 0.004 over 4,000 time units at rtol 1e-10, atol 1e-12; at rtol = atol = 1e-10 the orbit has "
          "not settled after 20,000 time units, its closest approach to the axis staying near 1e-13): "
          "dysts's 0.25 and the 0.15-0.18 of an earlier check measure the "
          "transient or this tolerance effect. The published attractor (Liu & Chen 2004; no Lyapunov "
          "exponents of theirs could be retrieved here, the stored pages were searched) is therefore "
          "taken to be a long chaotic transient; the transient-chaos tag and the recorded 0.0002 stand, "
          "and the ic stays on the transient so that default trajectories show the four-scroll motion.",
)
def LiuChen(X, t, p, xp):
    x, y, z = X
    return (p.a * x - y * z, -p.b * y + x * z, -p.c * z + x * y)


@flow(
    variables="x y z",
    params=dict(a=1.32, b=7.91, f=4.83, g=4.194),
    ic=(1.926479236120359, -0.13402110197257552, -1.72146730664761),
    period=6.2586, dt=0.0012519286547757248,
    tags=("climate", "geophysics", "dissipative"),
    citation="Lorenz, E. N. (1984). Irregularity: a fundamental property of the atmosphere. "
             "Tellus A 36(2), 98-110.",
    description="Low-order general circulation: a zonal westerly jet x exchanging energy with "
                "a pair of travelling eddy modes y, z under thermal forcing.",
    notes="A fixed RK4 step of 1/100 period turns this orbit into a spurious stable cycle "
          "(lambda_1 = 0.000); at 1/1000 period RK4 gives 0.428 and the adaptive method 0.437, "
          "so chaoszoo annotate records the adaptive result.",
)
def Lorenz84(X, t, p, xp):
    x, y, z = X
    return (-p.a * x - y**2 - z**2 + p.a * p.f, -y + x * y - p.b * x * z + p.g,
            -z + p.b * x * y + x * z)


@flow(
    variables="x0 x1 x2 x3",
    params=dict(f=20.0),
    ic=(-2.46820633, 0.09570264, 1.59270902, 10.21372147),
    period=2.1969, dt=0.00043945324220700854,
    tags=("climate", "geophysics", "spatiotemporal", "dissipative"),
    citation="Lorenz, E. N. (1996). Predictability: a problem partly solved. Proceedings of "
             "the Seminar on Predictability, Vol. 1, ECMWF, Reading, 1-18.",
    description="Ring of sites around a latitude circle with advection-like quadratic "
                "coupling, linear damping and constant forcing f.",
    notes="Any number of sites N >= 4: the dimension is the length of the initial condition "
          "(dx_i/dt = (x_{i+1} - x_{i-2}) x_{i-1} - x_i + f, indices mod N).",
    resizable=True,
)
def Lorenz96(X, t, p, xp):
    X = xp.asarray(X)
    return (xp.roll(X, -1) - xp.roll(X, 2)) * xp.roll(X, 1) - X + p.f


@flow(
    variables="x y z",
    params=dict(beta=2.667, r=64.0, rho=28.0, sigma=10.0),
    ic=(-13.284881, -12.444334, 34.188198),
    period=1.3716, dt=0.00027436572762127296,
    tags=("climate", "fluids", "dissipative"),
    citation="Sprott, J. C., & Xiong, A. (2015). Classifying and quantifying basins of "
             "attraction. Chaos 25(8), 083101.",
    description="Lorenz equations multiplied by a factor that vanishes on a sphere of radius "
                "r, so that every orbit stays confined.",
)
def LorenzBounded(X, t, p, xp):
    x, y, z = X
    shrink = 1 - (x**2 + y**2 + z**2) / p.r**2
    return (shrink * p.sigma * (y - x), shrink * (p.rho * x - x * z - y),
            shrink * (x * y - p.beta * z))


@flow(
    variables="x1 y1 z1 x2 y2 z2",
    params=dict(beta=2.667, eps=2.85, rho=28.0, rho1=35.0, rho2=1.15, sigma=10.0),
    ic=(7.0921483, 10.117408, 25.708428, 2.1689893, 0.96121877, 0.89550187),
    period=1.6207, dt=0.0003241940323387382,
    tags=("climate", "fluids", "dissipative"),
    citation="Lorenz, E. N. (1963). Deterministic nonperiodic flow. Journal of the Atmospheric "
             "Sciences 20(2), 130-141.",
    description="A chaotic Lorenz system driving, through diffusive x coupling, a second copy "
                "held below its convective threshold.",
    notes="rho is kept for compatibility with dysts but does not enter the equations; the two "
          "copies use rho1 and rho2.",
)
def LorenzCoupled(X, t, p, xp):
    x1, y1, z1, x2, y2, z2 = X
    return (p.sigma * (y1 - x1), p.rho1 * x1 - x1 * z1 - y1, x1 * y1 - p.beta * z1,
            p.sigma * (y2 - x2) + p.eps * (x1 - x2), p.rho2 * x2 - x2 * z2 - y2,
            x2 * y2 - p.beta * z2)


@flow(
    variables="x y z w",
    params=dict(a=2.0, b=0.7, c=26.0, d=1.5),
    ic=(4.233438598886809, 9.08970605484108, 21.86662535600487, -1.4080695182833802),
    period=3.8877142857142855, dt=0.0007776724692212156,
    tags=("climate", "geophysics", "hyperchaotic", "dissipative"),
    citation="Stenflo, L. (1996). Generalized Lorenz equations for acoustic-gravity waves in "
             "the atmosphere. Physica Scripta 53(1), 83-84. See also Letellier, C., & "
             "Rossler, O. E. (2007). Hyperchaos. Scholarpedia 2(8), 1936.",
    description="Lorenz equations extended by a rotation mode, describing acoustic-gravity "
                "waves in a rotating atmosphere.",
)
def LorenzStenflo(X, t, p, xp):
    x, y, z, w = X
    return (p.a * (y - x) + p.d * w, p.c * x - x * z - y, x * y - p.b * z, -x - p.a * w)


@flow(
    variables="x y z",
    params=dict(a=36.0, b=3.0, c=18.0),
    ic=(10.956479, 9.8813092, 22.676714),
    period=2.3385, dt=0.00046777796299380726,
    tags=("mathematics", "dissipative"),
    citation="Lu, J., & Chen, G. (2002). A new chaotic attractor coined. International Journal "
             "of Bifurcation and Chaos 12(3), 659-661.",
    description="Three-parameter quadratic flow bridging the Lorenz and Chen attractors as c "
                "is varied.",
    notes="A fixed RK4 step of 1/100 period turns this orbit into a spurious stable cycle "
          "(lambda_1 = -0.0003); at 1/1000 period RK4 gives 0.315 and the adaptive method 0.312, "
          "so chaoszoo annotate records the adaptive result.",
)
def LuChen(X, t, p, xp):
    x, y, z = X
    return (p.a * (y - x), -x * z + p.c * y, x * y - p.b * z)


@flow(
    variables="x y z",
    params=dict(a=-10.0, b=-4.0, c=18.1),
    ic=(-5.5177615, 2.4990595, 10.461798),
    period=0.92333, dt=0.00018469678279714685,
    tags=("mathematics", "dissipative"),
    citation="Lu, J., Chen, G., & Cheng, D. (2004). A new chaotic system and beyond: the "
             "generalized Lorenz-like system. International Journal of Bifurcation and Chaos "
             "14(5), 1507-1537.",
    description="Quadratic flow with a constant drive c in the x equation that can produce a "
                "four-scroll attractor.",
)
def LuChenCheng(X, t, p, xp):
    x, y, z = X
    return (-(p.a * p.b) / (p.a + p.b) * x - y * z + p.c, p.a * y + x * z, p.b * z + x * y)


@flow(
    variables="n0 n1 n2 n3 n4 r0 r1 r2 r3 r4",
    params=dict(d=0.25, m=0.25, r=1.0, **_matrix_params("c", HUISMAN_WEISSING_C),
                **_matrix_params("k", HUISMAN_WEISSING_K),
                **_vector_params("s", (6.0, 10.0, 14.0, 4.0, 9.0))),
    ic=(9.4323333, 18.838654, 34.37572, 15.08545, 42.228427,
        0.17030505, 0.10144427, 0.3148045, 0.21253581, 0.22598604),
    period=43.406, dt=0.008682647107852971,
    tags=("ecology", "biology", "dissipative"),
    citation="MacArthur, R. (1969). Species packing, and what competition minimizes. "
             "Proceedings of the National Academy of Sciences 64(4), 1369-1371. Parameters from "
             "Huisman, J., & Weissing, F. J. (1999). Biodiversity of plankton by species "
             "oscillations and chaos. Nature 402, 407-410.",
    description="Five phytoplankton species competing for five nutrients, each growing at the "
                "rate of its scarcest resource (Liebig's law of the minimum).",
    notes="n_i are species abundances, r_j resource concentrations. Growth of species i is "
          "min_j r * r_j / (k{j}{i} + r_j); c{j}{i} is the content of resource j in species i, "
          "s{j} the supply of resource j (dysts's arrays k, c, s flattened). Time is in days. "
          "Issue 13 check of lambda_1: the recorded 0.0215 per day (RK4 at 1,520 steps per period) is "
          "confirmed by the adaptive tangent integration, 0.0210 +- 0.0024 over 100 periods from two "
          "initial conditions, i.e. one Lyapunov time of about 47 days, close to the 43-day period. "
          "dysts lists 0.25 per day (a Lyapunov time of 4 days, a tenth of the oscillation period); "
          "it is not reproduced, and the min() in the growth law (a kink) is the kind of place where "
          "dysts's finite-difference estimator overestimates.",
)
def MacArthur(X, t, p, xp):
    n, res = X[:5], X[5:]
    mu = []
    for i in range(5):
        g = p.r * res[0] / (p[f"k0{i}"] + res[0])
        for j in range(1, 5):
            g = xp.minimum(g, p.r * res[j] / (p[f"k{j}{i}"] + res[j]))
        mu.append(g)
    dn = [n[i] * (mu[i] - p.m) for i in range(5)]
    dres = [p.d * (p[f"s{j}"] - res[j]) - sum(p[f"c{j}{i}"] * mu[i] * n[i] for i in range(5))
            for j in range(5)]
    return tuple(dn + dres)


@flow(
    variables="x y z",
    params=dict(a=10.0, b=4.0, eps=9.0),
    ic=(-3.4733266, 19.666962, -3.8262485),
    period=1.2887, dt=0.00025778296382725327,
    tags=("astrophysics", "dissipative"),
    citation="Moore, D. W., & Spiegel, E. A. (1966). A thermally excited non-linear "
             "oscillator. The Astrophysical Journal 143, 871-887.",
    description="Fluid element oscillating in a stratified stellar atmosphere while exchanging "
                "heat with its surroundings; a third-order nonlinear oscillator.",
)
def MooreSpiegel(X, t, p, xp):
    x, y, z = X
    return (y, p.a * z, -z + p.eps * y - y * x**2 - p.b * x)


@flow(
    variables="x y z",
    params=dict(a=9.0, b=14.286, **_vector_params("m", MULTICHUA_M),
                **_vector_params("c", MULTICHUA_C, start=1)),
    ic=(-21.160123, 1.0322356, 27.405269),
    period=2.2586, dt=0.00045179529921654196,
    tags=("electronics", "piecewise", "dissipative"),
    citation="Yalcin, M. E., Suykens, J. A. K., & Vandewalle, J. (2005). Cellular Neural "
             "Networks, Multi-Scroll Chaos and Synchronization. World Scientific.",
    description="Chua's circuit with a many-segment piecewise-linear resistor, giving an "
                "attractor with several scrolls in a row.",
    notes="Slopes m0..m5 and breakpoints c1..c5 are dysts's arrays m and c (c[0] = 0 is not "
          "used by the characteristic and is dropped).",
)
def MultiChua(X, t, p, xp):
    x, y, z = X
    h = p.m5 * x
    for i in range(1, 6):
        ci = p[f"c{i}"]
        h = h + 0.5 * (p[f"m{i - 1}"] - p[f"m{i}"]) * (xp.abs(x + ci) - xp.abs(x - ci))
    return (p.a * (y - h), x - y + z, -p.b * y)


@flow(
    variables="x y z",
    params=dict(a=0.4, b=0.175),
    ic=(0.29430753, 0.10649486, 0.29081125),
    period=8.5095, dt=0.0017021836972827486,
    tags=("mechanics", "multistable", "dissipative"),
    citation="Leipnik, R. B., & Newton, T. A. (1981). Double strange attractors in rigid body "
             "motion with linear feedback control. Physics Letters A 86(2), 63-67.",
    description="Euler's rigid-body equations with linear feedback; two symmetric strange "
                "attractors coexist.",
)
def NewtonLiepnik(X, t, p, xp):
    x, y, z = X
    return (-p.a * x + y + 10 * y * z, -x - 0.4 * y + 5 * x * z, p.b * z - 5 * x * y)


@flow(
    variables="x y z",
    params=dict(a=1.5),
    ic=(-1.9758582, 0.24647527, 0.79024299),
    period=5.8673, dt=0.0011736556092682804,
    tags=("physics", "conservative"),
    citation="Nose, S. (1984). A unified formulation of the constant temperature molecular "
             "dynamics methods. The Journal of Chemical Physics 81(1), 511-519. Hoover, W. G. "
             "(1985). Canonical dynamics: equilibrium phase-space distributions. Physical "
             "Review A 31(3), 1695-1697.",
    description="Harmonic oscillator coupled to a Nose-Hoover thermostat variable z that "
                "steers its kinetic energy towards a target temperature a.",
)
def NoseHoover(X, t, p, xp):
    x, y, z = X
    return (y, -x + y * z, p.a - y**2)


@flow(
    variables="q1 q2 p1 p2",
    params=dict(a=1.0, b=0.55, d=0.4),
    ic=(-0.85591178, 1.48078342, -0.85075322, 1.63576085),
    period=6.023076923076923, dt=0.0012048161873133268,
    tags=("physics", "hamiltonian", "conservative"),
    citation="Baran, V., & Raduta, A. A. (1998). International Journal of Modern Physics E 7, "
             "527-551.",
    description="Classical limit of a quadrupole boson Hamiltonian for nuclear surface "
                "vibrations; chaos arises from overlapping resonances.",
)
def NuclearQuadrupole(X, t, p, xp):
    q1, q2, p1, p2 = X
    r2 = xp.sqrt(2.0)
    return (p.a * p1, p.a * p2,
            -p.a * q1 + 3 / r2 * p.b * (q1**2 - q2**2) - p.d * q1 * (q1**2 + q2**2),
            -p.a * q2 - 3 * r2 * p.b * q1 * q2 - p.d * q2 * (q1**2 + q2**2))


def _oscillating_output(values, params):
    return np.stack([np.cos(params["k"] * values[:, 0]), values[:, 1], np.sin(values[:, 2])],
                    axis=1)


@flow(
    variables="x y z",
    params=dict(b=0.48, k=1.0, omega=0.49, u=0.72),
    ic=(3.14159265, 1.04719755, 0.4),
    period=23.857, dt=0.004772195365894731,
    tags=("fluids", "nonautonomous"),
    citation="Solomon, T. H., & Gollub, J. P. (1988). Chaotic particle transport in "
             "time-dependent Rayleigh-Benard convection. Physical Review A 38(12), 6280-6286.",
    description="Tracer in a row of convection rolls whose boundaries oscillate laterally, "
                "so particles hop chaotically between rolls.",
    notes="z is the forcing phase (dz/dt = omega), as in dysts; the tracer drifts along x "
          "between rolls, so x and z grow without bound and postprocess maps them to "
          "(cos(k x), y, sin z). Parameters are the paper's rescaled by k.",
    extra={"unbounded_indices": (0, 2), "postprocess": _oscillating_output},
)
def OscillatingFlow(X, t, p, xp):
    x, y, z = X
    f = x + p.b * xp.sin(z)
    return (p.u * xp.cos(p.k * y) * xp.sin(p.k * f), -p.u * xp.sin(p.k * y) * xp.cos(p.k * f),
            p.omega)


@flow(
    variables="x y z",
    params=dict(a=10.0, c=-2.6667, d=0.0, eps=0.0, f=0.0, k=20.0),
    ic=(-1.7082877, 0.51269713, 18.59919486),
    period=1.7829, dt=0.00035663943990670076,
    tags=("mathematics", "dissipative"),
    citation="Zhou, W., Xu, Y., Lu, H., & Pan, L. (2008). On dynamics analysis of a new "
             "chaotic attractor. Physics Letters A 372(36), 5773-5777.",
    description="Lorenz-like quadratic flow from the Dequan Li family, here with the extra "
                "couplings switched off.",
    notes="At dysts's k = 16 the chaos is transient: the foci x = y = +-6.53, z = 16 are stable "
          "(eigenvalues -0.055 +- 8.24i) and orbits from 8 random initial conditions all settle "
          "on them before t = 2500 (SciPy DOP853, 1e-9), so chaoszoo annotate measured "
          "lambda_1 = -0.054. k = 20 makes the foci unstable (real part +0.108) and the attractor "
          "persists; the initial condition is a point of a long orbit at k = 20. dysts's values "
          "are kept in extra['dysts_params'].",
    extra={"dysts_params": {"k": 16.0}, "dysts_ic": (-3.03805747, -1.98052429, 14.65665869)},
)
def PanXuZhou(X, t, p, xp):
    x, y, z = X
    return (p.a * (y - x) + p.d * x * z, p.k * x + p.f * y - x * z, p.c * z + x * y - p.eps * x**2)


@flow(
    variables="x y z",
    params=dict(),
    ic=(0.21665608, 0.86710502, 0.50627859),
    period=3.7487330316742087, dt=0.0007498715849322934,
    tags=("electronics", "dissipative"),
    citation="Pehlivan, I., & Wei, Z. (2012). Analysis, nonlinear control, and chaos generator "
             "circuit of another strange chaotic system. Turkish Journal of Electrical "
             "Engineering & Computer Sciences 20, 1229-1239.",
    description="Parameter-free quadratic flow realised as an analogue chaos-generator "
                "circuit.",
)
def PehlivanWei(X, t, p, xp):
    x, y, z = X
    return (y - y * z, y + y * z - 2 * x, 2 - x * y - y**2)


@flow(
    variables="x y z w",
    params=dict(a=45.0, b=10.0, c=1.0, d=10.0),
    ic=(0.2562042648386667, 0.1956116640569919, 7.259823760387948, 1.3162558970131963),
    period=0.40820999999999996, dt=8.165560926819638e-05,
    tags=("mathematics", "hyperchaotic", "dissipative"),
    citation="Qi, G., van Wyk, M. A., van Wyk, B. J., & Chen, G. (2008). On a new hyperchaotic "
             "system. Physics Letters A 372(2), 124-136.",
    description="Four-dimensional flow whose every equation carries a cubic product of the "
                "other three states; hyperchaotic with a wide spectrum.",
)
def Qi(X, t, p, xp):
    x, y, z, w = X
    return (p.a * (y - x) + y * z * w, p.b * (x + y) - x * z * w, -p.c * z + x * y * w,
            -p.d * w + x * y * z)


@flow(
    variables="x y z",
    params=dict(a=38.0, b=2.666, c=80.0),
    ic=(17.420882, 5.5459627, 78.89139),
    period=0.39179, dt=7.837106184364728e-05,
    tags=("mathematics", "dissipative"),
    citation="Qi, G., Chen, G., et al. (2008). Chaos, Solitons & Fractals.",
    description="Lorenz-like quadratic flow with an extra yz term; its double-wing attractor "
                "grows out of two coexisting ones.",
)
def QiChen(X, t, p, xp):
    x, y, z = X
    return (p.a * (y - x) + y * z, p.c * x + y - x * z, x * y - p.b * z)


@flow(
    variables="x y z",
    params=dict(a=1.1, g=0.87),
    ic=(-1.8207276, 0.83440917, 0.2078248),
    period=2.3356, dt=0.0004671978663111531,
    tags=("physics", "plasma", "dissipative"),
    citation="Rabinovich, M. I., & Fabrikant, A. L. (1979). Stochastic self-modulation of waves "
             "in nonequilibrium media. Soviet Physics JETP 50(2), 311-317.",
    description="Amplitude equations for interacting waves in an unstable dissipative medium "
                "such as a plasma, showing self-modulation.",
)
def RabinovichFabrikant(X, t, p, xp):
    x, y, z = X
    return (y * (z - 1 + x**2) + p.g * x, x * (3 * z + 1 - x**2) + p.g * y,
            -2 * z * (p.a + x * y))
