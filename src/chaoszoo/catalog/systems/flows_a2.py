"""Continuous-time chaotic systems, part A2 (CaTwoPlus to HastingsPowell, alphabetically).

Names, parameters, initial conditions, periods and time steps follow the ``dysts``
catalogue (Gilpin 2021) so that results stay comparable; the equations follow the cited
papers. Forced systems carry the forcing phase as their last state variable, with
``extra["postprocess"]`` mapping it to a bounded observable as dysts does for its output.
"""

from chaoszoo.catalog.declaration import flow


# --- output transforms (values: (n, d) array, params: mapping) -------------------------------
def _phase_output(index, fn):
    """A transform that replaces column ``index`` by ``fn`` (``"sin"`` or ``"cos"``) of it."""

    def transform(values, params):
        import numpy as np

        v = np.array(values, dtype=float)
        v[:, index] = getattr(np, fn)(v[:, index])
        return v

    transform.__name__ = f"{fn}_of_column_{index}"
    return transform


def _double_pendulum_output(values, params):
    import numpy as np

    v = np.array(values, dtype=float)
    v[:, 0], v[:, 1] = np.sin(v[:, 0]), np.sin(v[:, 1])
    return v


# --- helpers ------------------------------------------------------------------------------------
def _hill(x, k, n):
    """Hill function x^n / (k^n + x^n)."""
    return x**n / (k**n + x**n)


def _calcium(X, p, xp):
    """Houart-Dupont-Goldbeter model of cytosolic Ca2+ (z), stored Ca2+ (y) and IP3 (a)."""
    z, y, a = X
    v_in = p.V0 + p.V1 * p.beta
    v2 = p.Vm2 * _hill(z, p.K2, 2)
    v3 = p.Vm3 * _hill(z, p.Kz, p.m) * _hill(y, p.Ky, 2) * _hill(a, p.Ka, 4)
    v5 = p.Vm5 * _hill(a, p.K5, p.p) * _hill(z, p.Kd, p.n)
    return (
        v_in - v2 + v3 + p.kf * y - p.k * z,
        v2 - v3 - p.kf * y,
        p.beta * p.V4 - v5 - p.eps * a,
    )


def _arneodo(X, p):
    x, y, z = X
    return (y, z, -p.a * x - p.b * y - p.c * z + p.d * x**3)


def _ramp(x, xp):
    """Saturating output of a CNN cell: (|x + 1| - |x - 1|) / 2."""
    return 0.5 * (xp.abs(x + 1) - xp.abs(x - 1))


_HOUART_CITATION = (
    "Houart, G., Dupont, G. & Goldbeter, A. (1999). Bursting, chaos and birhythmicity originating from "
    "self-modulation of the inositol 1,4,5-trisphosphate signal in a model for intracellular Ca2+ "
    "oscillations. Bulletin of Mathematical Biology 61(3), 507-530."
)
_ARNEODO_CITATION = (
    "Arneodo, A., Coullet, P. & Tresser, C. (1980). Occurrence of strange attractors in "
    "three-dimensional Volterra equations. Physics Letters A 79(4), 259-263."
)


# --- declarations -----------------------------------------------------------------------------
@flow(
    variables="z y a",
    params=dict(K2=0.1, K5=0.3194, Ka=0.1, Kd=1.0, Ky=0.3, Kz=0.6, V0=2.0, V1=2.0, V4=3.0, Vm2=6.0,
                Vm3=30.0, Vm5=50.0, beta=0.65, eps=13.0, k=10.0, kf=1.0, m=2, n=4, p=1),
    integer_params=("m", "n", "p"),
    ic=(0.26162904, 1.0055612, 0.14407867),
    period=1.343, dt=0.000268644774129001,
    tags=("biology", "dissipative"),
    citation=_HOUART_CITATION,
    description="Intracellular calcium oscillations in which Ca2+ feeds back on the synthesis and breakdown of its messenger IP3, giving chaotic bursting.",
    notes="The Hill exponents m, n, p are structural integer parameters.",
)
def CaTwoPlus(X, t, p, xp):
    return _calcium(X, p, xp)


@flow(
    variables="z y a",
    params=dict(K2=0.1, K5=0.3, Ka=0.2, Kd=0.5, Ky=0.2, Kz=0.5, V0=2.0, V1=2.0, V4=5.0, Vm2=6.0,
                Vm3=20.0, Vm5=30.0, beta=0.51, eps=0.1, k=10.0, kf=1.0, m=2, n=4, p=2),
    integer_params=("m", "n", "p"),
    ic=(0.26321067, 0.87886607, 0.3148781),
    period=0.65614, dt=0.00013124987497917573,
    tags=("biology", "dissipative", "quasi-periodic"),
    citation=_HOUART_CITATION,
    description="The Houart-Dupont-Goldbeter calcium model at the parameter set the authors give for quasi-periodic bursting.",
    notes=(
        "Same equations as CaTwoPlus; the Hill exponents m, n, p are structural integer parameters. "
        "Quasi-periodic, not chaotic: after a 200-period transient, two states 1e-8 apart stay within "
        "about 1e-6 of each other for 400 periods, as expected on a torus (the paper uses this "
        "parameter set for quasi-periodic oscillations). Issue 13: the chaotic regime that Houart, Dupont "
        "& Goldbeter (1999) give for the same equations is the catalog's CaTwoPlus entry; switching this "
        "one to it would duplicate that entry, so it stays the paper's quasi-periodic example."
    ),
)
def CaTwoPlusQuasiperiodic(X, t, p, xp):
    return _calcium(X, p, xp)


@flow(
    variables="c1 m1 x1 c2 m2 x2",
    params=dict(K=0.01, Kc=0.5, Kd1=0.02, Kim=0.65, V2=0.15, V4=0.05, Vm1=0.3, Vm3=0.1, kd1=0.001,
                vd=0.025, vi=0.05),
    ic=(0.71565329, 0.9489355, 0.98910371, 0.72138631, 0.94987035, 0.98912572),
    period=204.71, dt=0.04094882480413617,
    tags=("biology", "dissipative"),
    citation=(
        "Romond, P.-C., Rustici, M., Gonze, D. & Goldbeter, A. (1999). Alternating oscillations and "
        "chaos in a model of two coupled biochemical oscillators driving successive phases of the cell "
        "cycle. Annals of the New York Academy of Sciences 879, 180-193."
    ),
    description="Two mutually inhibiting cyclin/kinase oscillators of the Goldbeter mitotic type, one per cell-cycle phase; the inhibition constant Kim drives chaos.",
    notes=(
        "Variables per oscillator i: cyclin c_i, active cdc2 kinase m_i, active cyclin protease x_i. "
        "Both oscillators share the same constants and all Michaelis constants equal K."
    ),
)
def CellCycle(X, t, p, xp):
    c1, m1, x1, c2, m2, x2 = X
    v1 = p.Vm1 * c1 / (p.Kc + c1)
    u1 = p.Vm1 * c2 / (p.Kc + c2)
    v3, u3 = p.Vm3 * m1, p.Vm3 * m2
    return (
        p.vi * p.Kim / (p.Kim + m2) - p.vd * x1 * c1 / (p.Kd1 + c1) - p.kd1 * c1,
        v1 * (1 - m1) / (p.K + 1 - m1) - p.V2 * m1 / (p.K + m1),
        v3 * (1 - x1) / (p.K + 1 - x1) - p.V4 * x1 / (p.K + x1),
        p.vi * p.Kim / (p.Kim + m1) - p.vd * x2 * c2 / (p.Kd1 + c2) - p.kd1 * c2,
        u1 * (1 - m2) / (p.K + 1 - m2) - p.V2 * m2 / (p.K + m2),
        u3 * (1 - x2) / (p.K + 1 - x2) - p.V4 * x2 / (p.K + x2),
    )


@flow(
    variables="x y z",
    params=dict(a=4.4, b=3.21, c=1.1, d=1.24),
    ic=(-0.26574016, -0.36754928, -0.073094132),
    period=3.2, dt=0.0006401066844473746,
    tags=("electronics", "neuroscience", "dissipative", "piecewise"),
    citation=(
        "Arena, P., Caponetto, R., Fortuna, L. & Porto, D. (1998). Bifurcation and chaos in noninteger "
        "order cellular neural networks. International Journal of Bifurcation and Chaos 8(7), 1527-1539."
    ),
    description="Three coupled cells of a cellular neural network with piecewise-linear saturating outputs, in the integer-order case.",
    notes=(
        "The period is dysts's 3.2, the fast oscillation; the spectrum's highest peak is a slow "
        "modulation near 19.4, and the fast oscillation still holds more than 5% of its power."
    ),
)
def CellularNeuralNetwork(X, t, p, xp):
    x, y, z = X
    fx, fy, fz = _ramp(x, xp), _ramp(y, xp), _ramp(z, xp)
    return (
        -x + p.d * fx - p.b * fy - p.b * fz,
        -y - p.b * fx + p.c * fy - p.a * fz,
        -z - p.b * fx + p.a * fy + fz,
    )


@flow(
    variables="x y z",
    params=dict(a=35.0, b=3.0, c=28.0),
    ic=(3.2689697, 5.2990458, 19.435349),
    period=0.58689, dt=0.00011739756626106157,
    tags=("engineering", "mathematics", "dissipative"),
    citation=(
        "Chen, G. (1997). Proceedings of the First International Conference on Control of Oscillations "
        "and Chaos, St. Petersburg. See also Chen, G. & Ueta, T. (1999). Yet another chaotic attractor. "
        "International Journal of Bifurcation and Chaos 9(7), 1465-1466."
    ),
    description="Lorenz-like two-scroll system found by anti-control (chaotification) of a linear feedback loop; dual to Lorenz in the Vanecek-Celikovsky sense.",
)
def Chen(X, t, p, xp):
    x, y, z = X
    return (p.a * (y - x), (p.c - p.a) * x - x * z + p.c * y, x * y - p.b * z)


@flow(
    variables="x y z",
    params=dict(a=5.0, b=-10.0, c=-0.38),
    ic=(0.17177112, 0.10360479, 6.2553878),
    period=2.8043, dt=0.0005609534922487569,
    tags=("mechanics", "engineering", "dissipative"),
    citation=(
        "Chen, H.-K. & Lee, C.-I. (2004). Anti-control of chaos in rigid body motion. Chaos, Solitons "
        "& Fractals 21(4), 957-965."
    ),
    description="Euler's equations for a spinning rigid body with linear feedback on each angular velocity, chosen to make the motion chaotic.",
)
def ChenLee(X, t, p, xp):
    x, y, z = X
    return (p.a * x - y * z, p.b * y + x * z, p.c * z + x * y / 3)


@flow(
    variables="x y z",
    params=dict(alpha=15.6, beta=28.0, m0=-1.142857, m1=-0.71429),
    ic=(1.1262351, -0.11386474, -0.78324421),
    period=1.4235, dt=0.0002847474579095888,
    tags=("electronics", "dissipative", "piecewise"),
    citation=(
        "Chua, L. O. (1969). Introduction to Nonlinear Network Theory. McGraw-Hill, New York. See also "
        "Matsumoto, T. (1984). A chaotic attractor from Chua's circuit. IEEE Transactions on Circuits "
        "and Systems 31(12), 1055-1058."
    ),
    description="Dimensionless Chua circuit: two capacitors, an inductor and a piecewise-linear negative-resistance diode produce the double-scroll attractor.",
)
def Chua(X, t, p, xp):
    x, y, z = X
    diode = p.m1 * x + 0.5 * (p.m0 - p.m1) * (xp.abs(x + 1) - xp.abs(x - 1))
    return (p.alpha * (y - x - diode), x - y + z, -p.beta * y)


@flow(
    variables="m fc fs fn th",
    params=dict(Ki=1.0, k=0.5, k1=0.3, k2=0.15, kd=1.4, kdn=0.4, km=0.4, ks=1.0, n=4, ps=24.0,
                vc=2.5, vd=6.0, vdn=1.5, vm=0.7, vmax=4.7, vmin=1.0),
    integer_params=("n",),
    ic=(1.5401187, 5.3707921, 41.054266, 11.619073, 2004.0233),
    period=27.0, dt=0.005400900150025336,
    tags=("biology", "dissipative", "nonautonomous", "quasi-periodic"),
    citation=(
        "Leloup, J.-C., Gonze, D. & Goldbeter, A. (1999). Limit cycle models for circadian rhythms based "
        "on transcriptional regulation in Drosophila and Neurospora. Journal of Biological Rhythms 14(6), "
        "433-448. Gonze, D., Leloup, J.-C. & Goldbeter, A. (2000). Theoretical models for circadian "
        "rhythms in Neurospora and Drosophila. Comptes Rendus de l'Academie des Sciences III 323(1), 57-67."
    ),
    description="Negative-feedback clock gene model (mRNA, cytosolic and nuclear protein) whose transcription is modulated by a 24 h light cycle.",
    notes=(
        "Variables: mRNA m, cytosolic protein fc, a sink pool fs, nuclear protein fn and the light phase "
        "th (dth/dt = 2 pi / ps). The Hill exponent n is a structural integer. th grows without bound; "
        "postprocess=True returns cos(th) in its place, as dysts does. At these (dysts's) parameters "
        "the forced clock is quasi-periodic rather than chaotic: after a 200-period transient two "
        "states 3e-5 apart stay within 1e-5..4e-3 of each other over 400 periods (no exponential "
        "growth). Issue 13 literature check: the stored pages were searched for a chaotic response of "
        "this light-forced clock (the cited papers and later work on entrainment versus chaos under "
        "light-dark cycles); no parameter values of a chaotic regime were retrievable, so dysts's "
        "values stay."
    ),
    extra={"unbounded_indices": (4,), "postprocess": _phase_output(4, "cos")},
)
def CircadianRhythm(X, t, p, xp):
    m, fc, fs, fn, th = X
    vs = p.vc * ((0.5 + 0.5 * xp.cos(th)) + p.vmin) * (p.vmax - p.vmin)
    return (
        vs * p.Ki**p.n / (p.Ki**p.n + fn**p.n) - p.vm * m / (p.km + m),
        p.ks * m - p.k1 * fc + p.k2 * fn - p.k * fc,
        p.k * fc - p.vd * fs / (p.kd + fs),
        p.k1 * fc - p.k2 * fn - p.vdn * fn / (p.kdn + fn),
        2 * xp.pi / p.ps,
    )


@flow(
    variables="x y alpha",
    params=dict(a1=2.5, a2=0.05, a3=0.4, b1=6.0, b2=1.333, d1=0.16, d2=0.004, delta=1.0, k1=6.0,
                k2=9.0, k4=9.0, vv=0.33333),
    ic=(0.10946017, 0.46664421, 0.66580212),
    period=122.77, dt=0.02455809301550289,
    tags=("ecology", "biology", "dissipative"),
    citation=(
        "Gilpin, W. & Feldman, M. W. (2017). A phase transition induces chaos in a predator-prey "
        "ecosystem with a dynamic fitness landscape. PLOS Computational Biology 13(7), e1005644."
    ),
    description="Prey, predator and a heritable prey trait that climbs a fitness landscape shaped by predation (eco-evolutionary feedback).",
)
def CoevolvingPredatorPrey(X, t, p, xp):
    x, y, al = X
    ad = al * p.delta
    return (
        x * (
            -p.a3 * y / (1 + p.b2 * x)
            + p.a1 * al * (1 - p.k1 * x * (ad - al)) / (1 + p.b1 * al)
            - p.d1 * (1 - p.k2 * (ad**2 - al**2) + p.k4 * (ad**4 - al**4))
        ),
        (-p.d2 + p.a2 * x / (1 + p.b2 * x)) * y,
        p.vv * (
            -p.a1 * p.k1 * x * al * p.delta / (1 + p.b1 * al)
            - p.d1 * (-2 * p.k2 * al * p.delta**2 + 4 * p.k4 * al**3 * p.delta**4)
        ),
    )


@flow(
    variables="x y z",
    params=dict(a=30.0, b=0.8, c=20.0, d=0.08, e=10.0),
    ic=(8.9389043, 0.64637337, 8.7869304),
    period=4.2676, dt=0.0008536622770461122,
    tags=("electronics", "dissipative", "piecewise"),
    citation=(
        "Kennedy, M. P. (1994). Chaos in the Colpitts oscillator. IEEE Transactions on Circuits and "
        "Systems I 41(11), 771-774. See also Li, Zhou & Yang, Chaos, Solitons & Fractals."
    ),
    description="Single-transistor Colpitts sine-wave oscillator driven into chaos, with the transistor as a piecewise-linear exponential-like element.",
    notes="The transistor's conduction term -u (1 - H(u)), u = z - (e - 1), is written max(-u, 0) (identical values).",
)
def Colpitts(X, t, p, xp):
    x, y, z = X
    u = z - (p.e - 1)
    return (y - p.a * xp.maximum(-u, 0.0), p.c - x - p.b * y - z, y - p.d * z)


@flow(
    variables="x y z",
    params=dict(a=-0.8, b=1.1, c=0.45, d=-1.0),
    ic=(0.34539837958549907, 0.4284701181998099, 0.086983698175975),
    period=5.7663, dt=0.0011534522420402027,
    tags=("ecology", "mathematics", "dissipative", "transient-chaos"),
    citation=_ARNEODO_CITATION,
    description="The Arneodo-Coullet-Tresser cubic jerk flow at a second, weakly damped parameter set.",
    notes="Same equations as Arneodo. Tagged transient-chaos: from this ic an accurate run (Dopri8, "
          "rtol 1e-10) wanders irregularly for about 900 periods, then the means of x over 100-period "
          "windows repeat with a 500-period cycle; RK4 at 1,000 steps per period gives lambda_1 = "
          "0.062, 0.031, 0.018 and 0.016 over 100, 300, 1,000 and 3,000 periods. The annotated "
          "0.137 (RK4, 4 x 300 periods) measures the transient, whose length depends on the "
          "integrator (0.028 at 400 steps per period). Issue 13: the chaotic set of Arneodo, Coullet & "
          "Tresser for the same equations is the catalog's Arneodo entry; no other published chaotic set "
          "for these (dysts's) parameters was found, so the entry is left as dysts has it.",
)
def Coullet(X, t, p, xp):
    return _arneodo(X, p)


@flow(
    variables="x y z",
    params=dict(c=2.0, e=9.0, o=2.7, p=3.0, r=1.7),
    ic=(1.0284085, -3.5348655, -0.72081646),
    period=3.2886, dt=0.0006578296382730287,
    tags=("mathematics", "electronics", "dissipative"),
    citation=(
        "Dadras, S. & Momeni, H. R. (2009). A novel three-dimensional autonomous chaotic system "
        "generating two, three and four-scroll attractors. Physics Letters A 373(40), 3637-3642."
    ),
    description="Quadratic three-dimensional flow whose attractor grows two, three or four scrolls as its parameters change.",
)
def Dadras(X, t, p, xp):
    x, y, z = X
    return (y - p.p * x + p.o * y * z, p.r * y - x * z + z, p.c * x * y - p.e * z)


@flow(
    variables="x y z",
    params=dict(a=40.0, c=1.833, d=0.16, eps=0.65, f=20.0, k=55.0),
    ic=(-11.395722, -104.12614, 202.46173),
    period=1.716, dt=1.6763993998996084e-05,
    tags=("mathematics", "dissipative", "periodic"),
    citation="Li, D. (2008). A three-scroll chaotic attractor. Physics Letters A 372(4), 387-393.",
    description="Three-scroll unified chaotic system (TSUCS-1) obtained by generalising the Lorenz family.",
    notes=("Not chaotic at the paper's (and dysts's) parameters: the adaptive tangent integration "
           "finds (0.0014 +- 0.012, -0.164, -1.53), a limit cycle, and 50 random initial conditions "
           "(x, y in +-250, z in -100..400) all settle on that one cycle (|x| <= 134.4). Trajectories "
           "1e-8 apart separate to attractor size only at a loose tolerance (rtol 1e-3, like an ode45 "
           "default), so the published three-scroll chaos is probably a tolerance artefact; nearby "
           "c = 1.8 or 1.9 (not published) gives lambda_1 of about 0.55-0.66. "
        "The period is the dominant spectral peak of a long run (1.72, switching between scrolls); "
        "dysts's 0.083806 is twenty times shorter, the fast spiralling within a scroll. Issue 13 "
        "literature check: no other published parameter set of this system was found in the stored "
        "pages (searched with the TSUCS family, whose TSUCS2 member shares the equations); the c = 1.8-1.9 "
        "values above are not published, so the paper's parameters stay."
    ),
)
def DequanLi(X, t, p, xp):
    x, y, z = X
    return (p.a * (y - x) + p.d * x * z, p.k * x + p.f * y - x * z, p.c * z + x * y - p.eps * x**2)


@flow(
    variables="x y z",
    params=dict(alpha=0.1, eps=0.1, omega=0.62832),
    ic=(1.5327241, 0.99802126, 3879.3323),
    period=13.953, dt=0.002791065177530072,
    tags=("fluids", "conservative", "nonautonomous"),
    citation=(
        "Shadden, S. C., Lekien, F. & Marsden, J. E. (2005). Definition and properties of Lagrangian "
        "coherent structures from finite-time Lyapunov exponents in two-dimensional aperiodic flows. "
        "Physica D 212(3-4), 271-304."
    ),
    description="Two counter-rotating gyres in a box whose shared wall oscillates sideways; the standard test flow for Lagrangian coherent structures.",
    notes=(
        "alpha is the velocity amplitude (A in the paper). The forcing phase z (dz/dt = omega) grows "
        "without bound; postprocess=True returns sin(z) in its place, as dysts does."
    ),
    extra={"unbounded_indices": (2,), "postprocess": _phase_output(2, "sin")},
)
def DoubleGyre(X, t, p, xp):
    x, y, z = X
    a = p.eps * xp.sin(z)
    b = 1 - 2 * p.eps * xp.sin(z)
    f = a * x**2 + b * x
    return (
        -p.alpha * xp.pi * xp.sin(xp.pi * f) * xp.cos(xp.pi * y),
        p.alpha * xp.pi * xp.cos(xp.pi * f) * xp.sin(xp.pi * y) * (2 * a * x + b),
        p.omega,
    )


@flow(
    variables="th1 th2 p1 p2",
    params=dict(g=9.81, l1=1.0, l2=1.0, m1=1.0, m2=1.0),
    ic=(-44.334542, 223.53554, -1.2249799, 2.535486),
    period=4.0234, dt=0.0008048141356891847,
    tags=("mechanics", "physics", "hamiltonian", "conservative"),
    citation=(
        "See, for example, Thornton, S. T. & Marion, J. B. (2004). Classical Dynamics of Particles and "
        "Systems (5th ed.). Brooks/Cole."
    ),
    description="Frictionless planar double pendulum in Hamiltonian form (angles and conjugate momenta).",
    notes=(
        "Hamilton's equations for H = [m2 l2^2 p1^2 + (m1 + m2) l1^2 p2^2 - 2 m2 l1 l2 p1 p2 cos(th1 - th2)]"
        " / [2 m2 l1^2 l2^2 (m1 + m2 sin^2(th1 - th2))] - (m1 + m2) g l1 cos th1 - m2 g l2 cos th2 "
        "(checked against finite differences of H). dysts's sin(2(th1 - th2)) term differs: it has "
        "m2 l2 p1^2 / l1 in place of m2 l2^2 p1^2 and a coefficient 1 in place of 2 on the "
        "p1 p2 cos term, so its flow does not conserve H; rhs values differ from dysts's by about "
        "0.03% of the momentum rates at a sample state. The angles drift without "
        "bound once the pendulum flips; postprocess=True returns their sines, as dysts does."
    ),
    extra={"unbounded_indices": (0, 1), "postprocess": _double_pendulum_output},
)
def DoublePendulum(X, t, p, xp):
    th1, th2, p1, p2 = X
    s, c = xp.sin(th1 - th2), xp.cos(th1 - th2)
    mass = p.m1 + p.m2 * s**2
    d = p.l1 * p.l2 * mass
    dth1 = (p.l2 * p1 - p.l1 * p2 * c) / (p.l1 * d)
    dth2 = ((p.m1 + p.m2) * p.l1 * p2 - p.m2 * p.l2 * p1 * c) / (p.m2 * p.l2 * d)
    h1 = p1 * p2 * s / d
    h2 = (p.m2 * p.l2**2 * p1**2 + (p.m1 + p.m2) * p.l1**2 * p2**2 - 2 * p.m2 * p.l1 * p.l2 * p1 * p2 * c) / (2 * d**2)
    h2 = h2 * xp.sin(2 * (th1 - th2))
    return (
        dth1,
        dth2,
        -(p.m1 + p.m2) * p.g * p.l1 * xp.sin(th1) - h1 + h2,
        -p.m2 * p.g * p.l2 * xp.sin(th2) + h1 - h2,
    )


@flow(
    variables="x y z",
    params=dict(alpha=1.0, beta=-1.0, delta=0.1, gamma=0.35, omega=1.4),
    ic=(-1.1635382, -0.5092374, 0.0),
    period=7.4496, dt=0.0014901683613936711,
    tags=("mechanics", "physics", "dissipative", "nonautonomous"),
    citation=(
        "Duffing, G. (1918). Erzwungene Schwingungen bei veraenderlicher Eigenfrequenz und ihre "
        "technische Bedeutung. Heft 41/42, Vieweg, Braunschweig."
    ),
    description="Damped, periodically driven oscillator with a cubic restoring force; here a double-well (beta < 0) potential.",
    notes="The forcing phase z (dz/dt = omega) grows without bound; postprocess=True returns cos(z), as dysts does.",
    extra={"unbounded_indices": (2,), "postprocess": _phase_output(2, "cos")},
)
def Duffing(X, t, p, xp):
    x, y, z = X
    return (y, -p.delta * y - p.beta * x - p.alpha * x**3 + p.gamma * xp.cos(z), p.omega)


@flow(
    variables="v n c",
    params=dict(aho=2.5, ahr=0.05, ahs=0.07, ams=0.1, amvb=25.0, amvo=2.5, ans=0.01, anvb=20.0,
                anvo=2.0, ar=0.1, bho=2.0, bhr=0.1, bmo=2.7777777777777777, bmr=0.05555555555555555,
                bms=4.0, bno=0.375, bnr=0.0125, bns=0.125, gi=1800.0, gkc=11.0, gkv=1700.0, gl=7.0,
                kc=0.183333, rho=0.27, tscl=230.0, vc=100.0, vi=100.0, vk=-75.0, vl=-40.0, vm=-50.0,
                vn=-30.0),
    ic=(-45.458429791102986, 0.15757358260782506, 0.47676569750044767),
    period=8.623, dt=0.00011057842973826836,
    tags=("neuroscience", "biology", "dissipative"),
    citation=(
        "Chay, T. R. (1985). Chaos in a three-variable model of an excitable cell. Physica D 16(2), "
        "233-242."
    ),
    description="Hodgkin-Huxley-type bursting cell with fast sodium activation slaved, a voltage-gated potassium gate and a calcium-activated potassium current.",
    notes=(
        "vm and vn are listed for completeness but do not enter the equations (as in dysts). The period "
        "is the bursting period from the spectrum of a long run (about 8.6; dysts gives 1.0, a "
        "placeholder), and the ic is a point on the attractor (from dysts's ic the first burst is too "
        "sensitive to reproduce to 1e-7)."
    ),
)
def ExcitableCell(X, t, p, xp):
    v, n, c = X
    alpha_m = p.ams * (p.amvb + v) / (1 - xp.exp(-p.ar * v - p.amvo))
    beta_m = p.bms * xp.exp(-p.bmr * v - p.bmo)
    m_inf = alpha_m / (alpha_m + beta_m)
    alpha_h = p.ahs * xp.exp(-p.ahr * v - p.aho)
    beta_h = 1 / (1 + xp.exp(-p.bhr * v - p.bho))
    h_inf = alpha_h / (alpha_h + beta_h)
    alpha_n = p.ans * (p.anvb + v) / (1 - xp.exp(-p.ar * v - p.anvo))
    beta_n = p.bns * xp.exp(-p.bnr * v - p.bno)
    n_inf = alpha_n / (alpha_n + beta_n)
    inv_tau_n = p.tscl * (alpha_n + beta_n)
    gate = m_inf**3 * h_inf
    return (
        p.gi * gate * (p.vi - v) + p.gkv * n**4 * (p.vk - v) + p.gkc * c / (1 + c) * (p.vk - v)
        + p.gl * (p.vl - v),
        (n_inf - n) * inv_tau_n,
        p.rho * (gate * (p.vc - v) - p.kc * c),
    )


@flow(
    variables="x y z",
    params=dict(a=0.001, b=0.2, c=1.1),
    ic=(-0.51664739, -3.9568707, 0.0012893581),
    period=9.8932, dt=0.001978969828304571,
    tags=("economics", "dissipative"),
    citation=(
        "Cai, G. & Huang, J. (2007). A new finance chaotic attractor. International Journal of "
        "Nonlinear Science 3(3), 213-220."
    ),
    description="Macroeconomic model of the interest rate, investment demand and price index.",
    notes=(
        "The paper writes dy/dt = 1 - b y - x^2 and dx/dt = z + (y - a) x; here, as in dysts, y is "
        "shifted by its offset 1/b (y_paper = y + 1/b), which removes the constant and leaves the "
        "dynamics unchanged."
    ),
)
def Finance(X, t, p, xp):
    x, y, z = X
    return ((1 / p.b - p.a) * x + z + x * y, -p.b * y - x**2, -x - p.c * z)


@flow(
    variables="x y th",
    params=dict(gamma=1.82, psi=0.01019, w=1.21),
    ic=(-0.65820064, -2.8807787, 0.1),
    period=7.7351, dt=0.0015472778796464582,
    tags=("fluids", "mechanics", "dissipative", "nonautonomous", "piecewise"),
    citation=(
        "Gilet, T. & Bush, J. W. M. (2009). The fluid trampoline: droplets bouncing on a soap film. "
        "Journal of Fluid Mechanics 625, 167-203."
    ),
    description="Droplet bouncing on a vibrated soap film: free flight under gravity alternates with a linear-spring, quadratically damped contact phase.",
    notes=(
        "Contact acts while x < 0. The forcing phase th (dth/dt = w) grows without bound; "
        "postprocess=True returns cos(th), as dysts does."
    ),
    extra={"unbounded_indices": (2,), "postprocess": _phase_output(2, "cos")},
)
def FluidTrampoline(X, t, p, xp):
    x, y, th = X
    contact = xp.where(x < 0, x + p.psi * y * xp.abs(y), 0.0)
    return (y, -1 - contact + p.gamma * xp.cos(th), p.w)


@flow(
    variables="x y z",
    params=dict(a=0.4, b=1.2, f=0.05, w=0.81),
    ic=(0.40635464, 1.8192295, 6381.6484),
    period=20.411, dt=0.004082880480079893,
    tags=("chemistry", "dissipative", "nonautonomous"),
    citation=(
        "Prigogine, I. (1980). From Being to Becoming: Time and Complexity in the Physical Sciences. "
        "W. H. Freeman, New York."
    ),
    description="Brusselator autocatalytic reaction scheme with a periodic modulation of the inflow of species x.",
    notes="The forcing phase z (dz/dt = w) grows without bound; postprocess=True returns sin(z), as dysts does.",
    extra={"unbounded_indices": (2,), "postprocess": _phase_output(2, "sin")},
)
def ForcedBrusselator(X, t, p, xp):
    x, y, z = X
    return (p.a + x**2 * y - (p.b + 1) * x + p.f * xp.cos(z), p.b * x - x**2 * y, p.w)


@flow(
    variables="v w z",
    params=dict(a=0.7, b=0.8, curr=0.965, f=0.4008225, gamma=0.08, omega=0.043650793650793655),
    ic=(-1.2155252, -0.046470891, 0.0),
    period=42.12235294117647, dt=0.008425874900717644,
    tags=("neuroscience", "biology", "dissipative", "nonautonomous", "quasi-periodic"),
    citation=(
        "FitzHugh, R. (1961). Impulses and physiological states in theoretical models of nerve "
        "membrane. Biophysical Journal 1(6), 445-466."
    ),
    description="FitzHugh-Nagumo excitable neuron under a constant plus sinusoidal input current.",
    notes="Not chaotic at these (dysts's) parameters: chaoszoo annotate finds lambda_1 = -0.0001 and lambda_2 = -0.0003 (both zero within error) from the declared and from five perturbed initial conditions - the response lies on a torus. "
          "The forcing phase z (dz/dt = omega) grows without bound; postprocess=True returns sin(z), as dysts does. "
          "Issue 13 literature check: chaos in the periodically forced FitzHugh-Nagumo equations is reported "
          "by Chou, M. H. & Lin, Y. T. (1996), Exotic dynamic behavior of the forced FitzHugh-Nagumo "
          "equations, Comput. Math. Appl. 32(10), 109-124, but the stored abstract gives no parameter "
          "values, so no published chaotic point could be verified and dysts's values stay.",
    extra={"unbounded_indices": (2,), "postprocess": _phase_output(2, "sin")},
)
def ForcedFitzHughNagumo(X, t, p, xp):
    v, w, z = X
    return (v - v**3 / 3 - w + p.curr + p.f * xp.sin(z), p.gamma * (v + p.a - p.b * w), p.omega)


@flow(
    variables="x y z",
    params=dict(a=5.0, mu=5.0, w=2.466),
    ic=(0.9343178550859437, 4.023439601125626, 6.208004063850886),
    period=10.2041, dt=0.0020408,
    tags=("electronics", "physics", "dissipative", "nonautonomous"),
    citation=(
        "van der Pol, B. (1920). A theory of the amplitude of free and forced triode vibrations. "
        "Radio Review 1, 701-710, 754-762; chaotic parameters: Parlitz, U. & Lauterborn, W. (1987). "
        "Period-doubling cascades and devil's staircases of the driven van der Pol oscillator. "
        "Physical Review A 36(3), 1428-1434."
    ),
    description="Strongly nonlinear relaxation oscillator (triode circuit) under sinusoidal forcing.",
    notes="x'' - mu (1 - x^2) x' + x = a sin(w t) at the chaotic point mu = 5, a = 5, w = 2.466 of "
          "Parlitz & Lauterborn (1987, Fig. 10a) used by Geist, Parlitz & Lauterborn (1990), Comparison of "
          "different methods for computing Lyapunov exponents, Prog. Theor. Phys. 83, 875-893, Fig. 6, whose "
          "exponents are lambda_1 = 0.085 and lambda_3 = -6.7 per unit time (values as read off that figure "
          "by the LyapunovExponents.jl van der Pol demo, which uses the same d = 5, a = 5, w = 2.466 with "
          "cos forcing, a phase shift of ours; the papers themselves were not checked here). chaoszoo "
          "annotate records lambda_1 = 0.102 +- 0.004 and lambda_3 = -6.84 (adaptive). The earlier "
          "w = 2.463 sat at the edge of chaos (lambda_1 = 0.033). dysts's parameters (a = 1.2, mu = 8.53, "
          "w = 0.63, kept in extra['dysts_params']) give a torus: lambda_1 = 0.000 and lambda_2 = -0.014. "
          "The period is the spectral peak of a long run (four forcing periods; dysts: 14.48); the ic is a "
          "point of a long orbit. The forcing phase z (dz/dt = w) grows without bound; postprocess=True "
          "returns sin(z), as dysts does.",
    extra={"unbounded_indices": (2,), "postprocess": _phase_output(2, "sin"),
           "dysts_params": {"a": 1.2, "mu": 8.53, "w": 0.63}},
)
def ForcedVanDerPol(X, t, p, xp):
    x, y, z = X
    return (y, p.mu * (1 - x**2) * y - x + p.a * xp.sin(z), p.w)


@flow(
    variables="x y z",
    params=dict(a=0.44, b=1.1, c=1.0),
    ic=(-0.053772565, -0.26162564, 0.33501557),
    period=5.9431, dt=0.0011888181363559625,
    tags=("engineering", "mathematics", "dissipative"),
    citation=(
        "Genesio, R. & Tesi, A. (1992). Harmonic balance methods for the analysis of chaotic dynamics "
        "in nonlinear systems. Automatica 28(3), 531-548."
    ),
    description="Quadratic jerk equation from a linear feedback loop with a square-law element, studied by harmonic balance.",
)
def GenesioTesi(X, t, p, xp):
    x, y, z = X
    return (y, z, -p.c * x - p.b * y - p.a * z + x**2)


@flow(
    variables="a b c",
    params=dict(d=0.0, k=4.422, l1=500000000.0, l2=100.0, nu=1.0, q1=50.0, q2=0.02, s1=22.2222,
                s2=22.2222),
    ic=(29.453349256846987, 130.19350141357407, 0.18407087674169492),
    period=50.45999420049144, dt=0.010091998840098313,
    tags=("biology", "chemistry", "dissipative"),
    citation=(
        "Decroly, O. & Goldbeter, A. (1982). Birhythmicity, chaos, and other patterns of temporal "
        "self-organization in a multiply regulated biochemical system. Proceedings of the National "
        "Academy of Sciences USA 79(22), 6917-6921."
    ),
    description="Two allosteric enzymes in series, each activated by its product (Monod-Wyman-Changeux kinetics), driven by a constant substrate input.",
    notes=(
        "dysts's metadata pairs this reference with the title of a different paper (Goldbeter & "
        "Koshland 1981); the title here is that of Decroly & Goldbeter 1982, PNAS 79, 6917-6921."
    ),
)
def GlycolyticOscillation(X, t, p, xp):
    a, b, c = X
    phi = a * (1 + a) * (1 + b) ** 2 / (p.l1 + (1 + a) ** 2 * (1 + b) ** 2)
    eta = b * (1 + p.d * b) * (1 + c) ** 2 / (p.l2 + (1 + p.d * b) ** 2 * (1 + c) ** 2)
    return (p.nu - p.s1 * phi, p.q1 * p.s1 * phi - p.s2 * eta, p.q2 * p.s2 * eta - p.k * c)


@flow(
    variables="x y z",
    params=dict(a=0.4, b=20.25, c=3.0, d=1.6, e=1.7, f=0.44),
    ic=(-0.55582369, 0.05181624, 0.37766104),
    period=0.3076923076923077, dt=6.154871965840413e-05,
    tags=("mathematics", "dissipative"),
    citation=(
        "Guckenheimer, J. & Holmes, P. (1983). Nonlinear Oscillations, Dynamical Systems, and "
        "Bifurcations of Vector Fields. Applied Mathematical Sciences 42. Springer, New York."
    ),
    description="Normal-form-like flow near a Hopf/saddle-node interaction, in which a rotating torus breaks down into chaos.",
)
def GuckenheimerHolmes(X, t, p, xp):
    x, y, z = X
    rho2 = x**2 + y**2
    return (
        p.a * x - p.b * y + p.c * z * x + p.d * z * rho2,
        p.a * y + p.b * x + p.c * z * y,
        p.e - z**2 - p.f * rho2 - p.a * z**3,
    )


@flow(
    variables="x y z",
    params=dict(a=0.2, b=4.0, f=9.0, g=1.0),
    ic=(1.3664423, 0.9309146, 0.64283417),
    period=1.4541, dt=0.00029086847807974437,
    tags=("climate", "geophysics", "dissipative"),
    citation=(
        "Lorenz, E. N. (1984). Irregularity: a fundamental property of the atmosphere. Tellus A 36(2), "
        "98-110. After Hadley, G. (1735). Concerning the cause of the general trade-winds. "
        "Philosophical Transactions of the Royal Society 39, 58-62."
    ),
    description="Lorenz's 1984 model of the Hadley circulation: a zonal westerly current exchanging energy with a pair of travelling eddy modes.",
    notes=(
        "These are the equations of Lorenz (1984), known as the Lorenz-84 or Hadley-circulation "
        "model; f and g are the thermal forcings F and G."
    ),
)
def Hadley(X, t, p, xp):
    x, y, z = X
    return (-(y**2) - z**2 - p.a * x + p.a * p.f, x * y - p.b * x * z - y + p.g, p.b * x * y + x * z - z)


@flow(
    variables="x y z",
    params=dict(a=1.4, b=4.0),
    ic=(-8.6807408, -2.4741399, 0.070775762),
    period=1.4889, dt=0.000297829638273015,
    tags=("mathematics", "dissipative"),
    citation=(
        "Sprott, J. C. (2010). Elegant Chaos: Algebraically Simple Chaotic Flows. World Scientific, "
        "Singapore."
    ),
    description="Cyclically symmetric quadratic flow (x -> y -> z -> x) with a three-lobed attractor.",
)
def Halvorsen(X, t, p, xp):
    x, y, z = X
    return (
        -p.a * x - p.b * (y + z) - y**2,
        -p.a * y - p.b * (z + x) - z**2,
        -p.a * z - p.b * (x + y) - x**2,
    )


@flow(
    variables="x y z",
    params=dict(a1=5.0, a2=0.1, b1=3.0, b2=2.0, d1=0.4, d2=0.01),
    ic=(0.73207001, 0.17549271, 9.9014657),
    period=135.19, dt=0.02704250708451582,
    tags=("ecology", "biology", "dissipative"),
    citation=(
        "Hastings, A. & Powell, T. (1991). Chaos in a three-species food chain. Ecology 72(3), 896-903."
    ),
    description="Logistic prey, an intermediate consumer and a top predator linked by Holling type II feeding: the teacup attractor.",
)
def HastingsPowell(X, t, p, xp):
    x, y, z = X
    eat1 = p.a1 * x * y / (1 + p.b1 * x)
    eat2 = p.a2 * y * z / (1 + p.b2 * y)
    return (x * (1 - x) - eat1, eat1 - eat2 - p.d1 * y, eat2 - p.d2 * z)
