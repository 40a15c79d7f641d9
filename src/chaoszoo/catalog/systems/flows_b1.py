"""Continuous flows, second batch (part 1): Henon-Heiles through the lid-driven cavity.

Equations, parameter values, initial conditions, periods and time steps follow the
entries of the same names in ``dysts`` (Gilpin 2021) and the papers cited on each entry.
Parameters that ``dysts`` stores as arrays are flattened into scalars named after the
array and its (0-based) indices: ``k01`` is ``k[0][1]``, ``a3`` is ``a[3]``.

Nonautonomous entries keep the forcing phase as an extra state variable ``tt`` with
``d tt / dt = 1`` (so the vector field is autonomous in the enlarged state); the phase is
listed in ``extra["unbounded_indices"]`` and ``extra["postprocess"]`` maps it (and any
angle) to a bounded observable, as ``dysts`` does for its output.
"""

import numpy as np

from chaoszoo.catalog.declaration import flow

LEWIS_GLASS_K = (
    (0, -1, 0, 0, -1, -1),
    (0, 0, 0, -1, -1, -1),
    (-1, -1, 0, 0, -1, 0),
    (-1, -1, -1, 0, 0, 0),
    (-1, -1, 0, -1, 0, 0),
    (0, -1, -1, -1, 0, 0),
)


def _matrix_params(name, rows):
    """``{name}{i}{j}: rows[i][j]`` for a small matrix of parameters."""
    return {f"{name}{i}{j}": float(v) for i, row in enumerate(rows) for j, v in enumerate(row)}


def _vector_params(name, values):
    """``{name}{i}: values[i]``."""
    return {f"{name}{i}": float(v) for i, v in enumerate(values)}


def _switch(tt, tau, xp, stiffness=20):
    """Smooth square wave in [0, 1] with period ``tau``: ``(1 + tanh(s tau sin(2 pi tt / tau))) / 2``."""
    return 0.5 + 0.5 * xp.tanh(tau * stiffness * xp.sin(2 * xp.pi * tt / tau))


@flow(
    variables="x y px py",
    params=dict(lam=1.0),
    ic=(0.561564420890597, -0.27167378034412226, -0.028508813302716568, 0.20475577623663124),
    period=6.37, dt=0.0012742123687280581,
    tags=("astrophysics", "mechanics", "hamiltonian", "conservative"),
    citation="Henon, M., & Heiles, C. (1964). The applicability of the third integral of motion: "
             "some numerical experiments. The Astronomical Journal 69, 73-79.",
    description="Star moving in an axisymmetric galactic potential with cubic corrections; "
                "regular and chaotic orbits share one energy shell.",
    notes="Initial condition differs from dysts's, whose orbit lies on a regular (KAM) torus "
          "where nearby orbits do not separate: ours has the same energy H = 0.13696 but "
          "sits in the chaotic sea (a point of a long orbit started at x=0, y=-0.1, py=0).",
)
def HenonHeiles(X, t, p, xp):
    x, y, px, py = X
    return (px, py, -x - 2 * p.lam * x * y, -y - p.lam * x**2 + p.lam * y**2)


@flow(
    variables="x y z",
    params=dict(a=0.49, b=1.0, c=0.0322, d=1.0, s=1.0, tx=0.03, tz=0.8),
    ic=(0.031111835, -0.021557059, 0.041475046),
    period=8.6, dt=0.000350458409734955,
    tags=("neuroscience", "biology", "dissipative"),
    citation="Hindmarsh, J. L., & Rose, R. M. (1984). A model of neuronal bursting using three "
             "coupled first order differential equations. Proceedings of the Royal Society of "
             "London B 221, 87-102. Time-scaled form and parameters from Marhl, M., & Perc, M. "
             "(2005). Chaos, Solitons & Fractals.",
    description="Three-variable neuron with fast spiking and slow adaptation currents that "
                "produces irregular bursts of spikes.",
    notes="Period set from the power spectrum (bursting period, about 8.6 time units); "
          "dysts's 1.752 is near the spacing of single spikes, and the spectrum of a long "
          "run peaks at 8.2-9.1. dt is dysts's.",
)
def HindmarshRose(X, t, p, xp):
    x, y, z = X
    dx = -x + (y - p.a * x**3 + p.b * x**2 + z) / p.tx
    dy = -p.a * x**3 - (p.d - p.b) * x**2 + z
    dz = (-p.s * x - z + p.c) / p.tz
    return (dx, dy, dz)


@flow(
    variables="x0 x1 x2 x3 x4 x5",
    params=dict(beta=0.5, eps=10.0, tau=2.5, **_matrix_params("k", LEWIS_GLASS_K)),
    ic=(-0.67127393, -0.2420173, -0.055676628, 0.34697948, 0.45273118, 0.78389688),
    period=10.865, dt=0.002173362227038069,
    tags=("neuroscience", "dissipative"),
    citation="Lewis, J. E., & Glass, L. (1992). Nonlinear dynamics and symbolic dynamics of "
             "neural networks. Neural Computation 4(5), 621-642.",
    description="Six graded-response neurons with sigmoidal activation and frustrated "
                "inhibitory wiring, leaking back to rest with time constant tau.",
    notes="dysts's 6x6 connectivity array k is flattened into scalar parameters k{i}{j} "
          "(row i receives from neuron j).",
)
def Hopfield(X, t, p, xp):
    out = []
    for i in range(6):
        drive = sum(p[f"k{i}{j}"] * X[j] for j in range(6))
        out.append(-X[i] / p.tau + (1 + xp.tanh(p.eps * drive)) / 2 - p.beta)
    return tuple(out)


@flow(
    variables="x y z w",
    params=dict(a=36.0, b=3.0, c=20.0, d=0.1, e=21.0),
    ic=(9.271308063781017, 9.752247178805291, 23.919154915696105, -16.69675939965203),
    period=0.5831505997603473, dt=0.00011664956154566752,
    tags=("mathematics", "hyperchaotic", "dissipative"),
    citation="Bao, B.-C., & Liu, Z. (2008). A hyperchaotic attractor coined from the chaotic "
             "Lu system. Chinese Physics Letters 25(7), 2396-2399.",
    description="Lu system with a fourth state fed back into the first equation, giving two "
                "positive Lyapunov exponents.",
    notes="Equations and parameters as in dysts 0.96 (a = 36, b = 3, c = 20, d = 0.1, e = 21; dw/dt = e x + "
          "d y z). Issue 13 check: another implementation citing the same paper uses c = 20.5 and "
          "dw/dt = k x - d y z. The paper itself (Chin. Phys. Lett. 25(7), 2396, doi:10.1088/0256-307X/25/7/018) "
          "could not be read here: searches of the stored pages, docs and code corpora for the paper, for "
          "'hyperchaotic Bao system' and for the two parameter sets found only implementations that repeat "
          "dysts's form (two Python libraries and a Julia port of dysts) and Vaidyanathan (2012), Anti-synchronization of "
          "hyperchaotic Bao and hyperchaotic Xu systems via active control, IJCSEIT 2(3), 81, whose "
          "equation section was not retrievable. With no verified source for either form, the entry keeps "
          "dysts's; it is hyperchaotic as declared (chaoszoo annotate: lambda = 0.72 +- 0.04, 0.15 +- 0.05, "
          "0.00, -19.87). Check the paper's Eq. (1) before relying on the sign of the y z term or on c.",
)
def HyperBao(X, t, p, xp):
    x, y, z, w = X
    return (p.a * (y - x) + w, p.c * y - x * z, x * y - p.b * z, p.e * x + p.d * y * z)


@flow(
    variables="x y z w",
    params=dict(a=27.5, b=3.0, c=19.3, d=2.9, e=3.3),
    ic=(-10.691273602120157, -15.541159376570342, 18.388272900250726, -14.904493939514888),
    period=0.6113936187028436, dt=0.0001222991069250412,
    tags=("economics", "mathematics", "hyperchaotic", "dissipative"),
    citation="Cai, G., & Huang, J. (2007). A new finance chaotic attractor. International "
             "Journal of Nonlinear Science 3(3), 213-220.",
    description="Four-dimensional quadratic flow from the finance-attractor literature whose "
                "extra variable integrates the first one, making it hyperchaotic.",
    notes="The fourth variable w has no self-damping (dw/dt does not depend on w) and wanders "
          "slowly as the orbit switches between wings, so the summed power spectrum is red "
          "(highest at the lowest resolved frequency) and has no peak near dysts's period, "
          "which is that of the fast x-y oscillation (spectral peak of x, y near 0.87).",
)
def HyperCai(X, t, p, xp):
    x, y, z, w = X
    return (p.a * (y - x), p.b * x + p.c * y - x * z + w, -p.d * z + y**2, -p.e * x)


@flow(
    variables="x y z w",
    params=dict(a=10.0, b=28.0, c=2.667, d=1.3),
    ic=(13.76544888070825, 20.203791990082554, 32.08179795423583, -51.189321449994914),
    period=0.8564467295817622, dt=0.00017131789889951677,
    tags=("mathematics", "hyperchaotic", "dissipative"),
    citation="Meier, J. (2003). Presentation of attractors with Cinema 4D (online attractor "
             "gallery).",
    description="Lorenz equations extended by a self-exciting fourth variable driven by -xz "
                "and fed back into the x equation.",
)
def HyperJha(X, t, p, xp):
    x, y, z, w = X
    return (p.a * (y - x) + w, -x * z + p.b * x - y, x * y - p.c * z, -x * z + p.d * w)


@flow(
    variables="x y z w",
    params=dict(a=10.0, b=2.667, c=28.0, d=1.1),
    ic=(-9.186073735061425, -0.6744570634419695, 16.440536886214517, -145.0243848950473),
    period=1.277546730110058, dt=0.00025555193801167774,
    tags=("mathematics", "hyperchaotic", "dissipative"),
    citation="Meier, J. (2003). Presentation of attractors with Cinema 4D (online attractor "
             "gallery).",
    description="Four-variable Lorenz extension in which a growing feedback state w enters "
                "the x equation, producing hyperchaos.",
)
def HyperLorenz(X, t, p, xp):
    x, y, z, w = X
    return (p.a * (y - x) + w, -x * z + p.c * x - y, -p.b * z + x * y, p.d * w - x * z)


@flow(
    variables="x y z w",
    params=dict(a=36.0, b=3.0, c=20.0, d=1.3),
    ic=(8.11348619, 10.55664382, 18.44590719, -28.38151717),
    period=0.7162856981996777, dt=0.00014328101980993325,
    tags=("mathematics", "hyperchaotic", "dissipative"),
    citation="Chen, A., Lu, J., Lu, J., & Yu, S. (2006). Generating hyperchaotic Lu attractor "
             "via state feedback control. Physica A 364, 103-110.",
    description="Lu system augmented with a state-feedback controller w that turns its "
                "chaos into hyperchaos.",
)
def HyperLu(X, t, p, xp):
    x, y, z, w = X
    return (p.a * (y - x) + w, -x * z + p.c * y, x * y - p.b * z, p.d * w + x * z)


@flow(
    variables="x y z w",
    params=dict(a=36.0, b=3.0, c=20.0, d=2.0),
    ic=(8.40863585, 4.67210241, 27.91032548, -1.26300886),
    period=0.8439374360017028, dt=0.0001688156231375615,
    tags=("mathematics", "hyperchaotic", "dissipative"),
    citation="Pang, S., & Liu, Y. (2011). A new hyperchaotic system from the Lu system and its "
             "control. Journal of Computational and Applied Mathematics 235(8), 2775-2789.",
    description="Lu-type flow with a linear fourth state integrating -(x + y) and feeding the "
                "y equation.",
    notes="The fourth variable w has no self-damping (dw/dt does not depend on w) and wanders "
          "slowly as the orbit switches between wings, so the summed power spectrum is red "
          "(highest at the lowest resolved frequency) and has no peak near dysts's period, "
          "which is that of the fast x-y oscillation (spectral peak of x, y near 1.9).",
)
def HyperPang(X, t, p, xp):
    x, y, z, w = X
    return (p.a * (y - x), -x * z + p.c * y + w, x * y - p.b * z, -p.d * (x + y))


@flow(
    variables="x y z w",
    params=dict(a=50.0, b=24.0, c=13.0, d=8.0, e=33.0, f=30.0),
    ic=(11.250900857894639, -3.647077762541555, 50.16987924937642, -168.2485185683687),
    period=0.06186038560173437, dt=1.2374139476927226e-05,
    tags=("mathematics", "hyperchaotic", "dissipative"),
    citation="Qi, G., van Wyk, M. A., van Wyk, B. J., & Chen, G. (2008). On a new hyperchaotic "
             "system. Physics Letters A 372(2), 124-136.",
    description="Quadratic four-dimensional flow with a very broad power spectrum and two "
                "large positive Lyapunov exponents.",
)
def HyperQi(X, t, p, xp):
    x, y, z, w = X
    return (p.a * (y - x) + y * z, p.b * (x + y) - x * z, -p.c * z - p.e * w + x * y,
            -p.d * w + p.f * z + x * y)


@flow(
    variables="x y z w",
    params=dict(a=0.25, b=3.0, c=0.5, d=0.05),
    ic=(-93.667697, 15.5078, 0.032086964, 43.792796),
    period=6.83, dt=0.00022318673168449264,
    tags=("mathematics", "hyperchaotic", "dissipative"),
    citation="Rossler, O. E. (1979). An equation for hyperchaos. Physics Letters A 71(2-3), "
             "155-157.",
    description="The first hyperchaotic flow: a four-variable Rossler-type oscillator whose "
                "attractor stretches in two directions.",
    notes="Period set from the power spectrum of a long run (x, y and z all peak near 6.8, "
          "the rotation period of the x-y oscillator); dysts's 1.116 disagrees with it by a "
          "factor of six. dt is dysts's.",
)
def HyperRossler(X, t, p, xp):
    x, y, z, w = X
    return (-y - z, x + p.a * y + w, p.b + x * z, -p.c * z + p.d * w)


@flow(
    variables="x y z w",
    params=dict(a=10.0, b=40.0, c=2.5, d=10.6, e=4.0),
    ic=(0.16824907, 0.16854103, 37.04033781, -15.29027381),
    period=3.03, dt=0.0001296520200215312,
    tags=("mathematics", "hyperchaotic", "dissipative"),
    citation="Wang, Z., Sun, Y., van Wyk, B. J., Qi, G., & van Wyk, M. A. (2009). A 3-D "
             "four-wing attractor and its analysis. Brazilian Journal of Physics 39(3), 547-553.",
    description="Four-wing quadratic flow made hyperchaotic by a fourth state that integrates "
                "-x and drives the y equation.",
    notes="Period set from the summed power spectrum of a long run (highest peak near 3.03); "
          "dysts's 0.648 matches only the fast y oscillation. dt is dysts's.",
)
def HyperWang(X, t, p, xp):
    x, y, z, w = X
    return (p.a * (y - x), -x * z + p.b * x + w, -p.c * z + p.e * x**2, -p.d * x)


@flow(
    variables="x y z w",
    params=dict(a=10.0, b=40.0, c=2.5, d=2.0, e=16.0),
    ic=(0.68944486, -0.60254126, -0.5814657, 0.26629277),
    period=1.1328151255687646, dt=0.00022660079191240358,
    tags=("mathematics", "hyperchaotic", "dissipative"),
    citation="Letellier, C., & Rossler, O. E. (2007). Hyperchaos. Scholarpedia 2(8), 1936.",
    description="Quadratic four-variable flow from a survey of hyperchaotic systems, with "
                "feedback w into the first equation.",
    notes="The fourth variable w has no self-damping (dw/dt does not depend on w) and wanders "
          "slowly as the orbit switches between wings, so the summed power spectrum is red "
          "(highest at the lowest resolved frequency) and has no peak near dysts's period, "
          "which is that of the fast x-y oscillation (spectral peak of x, y near 1.39).",
)
def HyperXu(X, t, p, xp):
    x, y, z, w = X
    return (p.a * (y - x) + w, p.b * x + p.e * x * z, -p.c * z - x * y, x * z - p.d * y)


@flow(
    variables="x y z w",
    params=dict(a=37.0, b=3.0, c=26.0, d=38.0),
    ic=(-6.576620730899293, -4.617145437320736, 17.796515255115004, 0.8072357311545831),
    period=0.9127028626966961, dt=0.00018257100103951984,
    tags=("mathematics", "hyperchaotic", "dissipative"),
    citation="Meier, J. (2003). Presentation of attractors with Cinema 4D (online attractor "
             "gallery).",
    description="Chen-like four-dimensional flow with extra cross products yz and xz coupling "
                "a strongly damped fourth variable.",
)
def HyperYan(X, t, p, xp):
    x, y, z, w = X
    return (p.a * (y - x), (p.c - p.a) * x - x * z + p.c * y,
            -p.b * z + x * y - y * z + x * z - w, -p.d * w + y * z - x * z)


@flow(
    variables="x y z w",
    params=dict(a=30.0, b=3.0, c=35.0, d=8.0),
    ic=(3.534464234888686, 4.82852516302869, 25.04917588890622, 17.118520274514353),
    period=0.9127028626966961, dt=0.00018257100103951984,
    tags=("mathematics", "hyperchaotic", "dissipative"),
    citation="Meier, J. (2003). Presentation of attractors with Cinema 4D (online attractor "
             "gallery).",
    description="Yang-Chen type quadratic flow with a linear fourth state integrating -x and "
                "feeding the y equation.",
)
def HyperYangChen(X, t, p, xp):
    x, y, z, w = X
    return (p.a * (y - x), p.c * x - x * z + w, -p.b * z + x * y, -p.d * x)


def _squirmer_output(values, params):
    r, th, tt = values[:, 0], values[:, 1], values[:, 2]
    return np.stack([r * np.cos(th), r * np.sin(th), np.sin(2 * np.pi * tt / params["tau"])], axis=1)


@flow(
    variables="r th tt",
    params=dict(tau=3.0, **_vector_params("a", [0.5] * 5), **_vector_params("g", [0.5] * 5)),
    ic=(0.6074565774717073, 4.181566677123694, 0.1),
    period=28.822573200111794, dt=0.005765475552614134,
    tags=("fluids", "nonautonomous", "conservative"),
    citation="Blake, J. R. (1971). Self propulsion due to oscillations on the surface of a "
             "cylinder at low Reynolds number. Bulletin of the Australian Mathematical Society "
             "5(2), 255-264.",
    description="Tracer advected by the Stokes flow inside a cylinder whose wall slip switches "
                "periodically between sine and cosine Fourier modes.",
    notes="State (r, theta, tt): polar position of the tracer and the forcing clock tt "
          "(d tt/dt = 1), as in dysts. Modes n = 1..5 with coefficients a{n-1}, g{n-1} "
          "(dysts's arrays a, g flattened); the a-modes act while sin(2 pi tt / tau) > 0 and "
          "the g-modes otherwise, through a smooth tanh switch. theta and tt grow without "
          "bound; postprocess gives (r cos theta, r sin theta, sin(2 pi tt / tau)). "
          "dysts's initial condition (0.1, 0.1, 0.1) starts next to the coordinate "
          "singularity at r = 0, where d theta/dt ~ 1/r; ours is a point of a long orbit "
          "from it (tt reduced modulo tau).",
    extra={"unbounded_indices": (1, 2), "postprocess": _squirmer_output},
)
def InteriorSquirmer(X, t, p, xp):
    r, th, tt = X
    on = _switch(tt, p.tau, xp)
    vr = 0
    vth = 0
    for i in range(5):
        n = i + 1
        a = p[f"a{i}"] * on
        g = p[f"g{i}"] * (1 - on)
        rn = r**n
        vr = vr + (g * xp.cos(n * th) + a * xp.sin(n * th)) * n * rn * (r**2 - 1) / r
        vth = vth + (2 * r + (r**2 - 1) * n / r) * (a * xp.cos(n * th) - g * xp.sin(n * th)) * rn
    return (vr, vth / r, 1)


@flow(
    variables="alpha beta gamma",
    params=dict(delta=1.0, kappa=2.5, mu=0.29786, sigma=0.013),
    ic=(0.5141505602006595, 0.9984288208727641, 1.0061777118724),
    period=0.7302799999999999, dt=0.00014608034672445314,
    tags=("chemistry", "dissipative", "stiff"),
    citation="Petrov, V., Scott, S. K., & Showalter, K. (1992). Mixed-mode oscillations in "
             "chemical systems. The Journal of Chemical Physics 97(9), 6191-6198.",
    description="Autocatalytic isothermal reaction scheme whose fast-slow structure gives "
                "mixed-mode and chaotic oscillations of the concentrations.",
)
def IsothermalChemical(X, t, p, xp):
    a, b, c = X
    return (p.mu * (p.kappa + c) - a * b**2 - a, (a * b**2 + a - b) / p.sigma, (b - c) / p.delta)


@flow(
    variables="x y z",
    params=dict(a12=1.0, a13=2.5, a21=1.5, a31=0.2, d3=0.5, k3=1.0, r2=0.6, r3=4.5),
    ic=(0.051730215, 0.87071642, 0.015926427),
    period=49.74, dt=0.009949658276379978,
    tags=("medicine", "biology", "ecology", "dissipative"),
    citation="Itik, M., & Banks, S. P. (2010). Chaos in a three-dimensional cancer model. "
             "International Journal of Bifurcation and Chaos 20(1), 71-79.",
    description="Competition between tumour cells, healthy host cells and effector immune "
                "cells, written as a Lotka-Volterra type model.",
)
def ItikBanksTumor(X, t, p, xp):
    x, y, z = X
    return (x * (1 - x) - p.a12 * x * y - p.a13 * x * z,
            p.r2 * y * (1 - y) - p.a21 * x * y,
            p.r3 * x * z / (x + p.k3) - p.a31 * x * z - p.d3 * z)


@flow(
    variables="x y z",
    params=dict(eps=1e-09, y0=0.026),
    ic=(-1.300882, 0.065382947, 0.91801911),
    period=19.4546, dt=0.003891568594765431,
    tags=("electronics", "dissipative"),
    citation="Sprott, J. C. (2011). A new chaotic jerk circuit. IEEE Transactions on Circuits "
             "and Systems II: Express Briefs 58(4), 240-243.",
    description="Third-order jerk circuit whose only nonlinearity is the exponential "
                "current-voltage law of a diode.",
)
def JerkCircuit(X, t, p, xp):
    x, y, z = X
    return (y, z, -z - x - p.eps * (xp.exp(y / p.y0) - 1))


@flow(
    variables="x y z",
    params=dict(beta=-0.4, gamma=0.49, kappa=0.2, mu=2.1),
    ic=(-1.160501, 5.8636902, -1.2031947),
    period=37.2, dt=0.0015985997666280128,
    tags=("chemistry", "dissipative", "periodic"),
    citation="Strizhak, P. E., & Kawczynski, A. L. (1995). The Journal of Physical Chemistry "
             "99, 10830.",
    description="Reduced model of the Belousov-Zhabotinsky reaction with a cubic fast variable, "
                "showing mixed-mode oscillations.",
    notes="Not chaotic at these (dysts's) parameters: chaoszoo annotate (adaptive) finds |lambda_1| <= 0.0004 from the declared and five perturbed initial conditions, with the other exponents negative - a stable limit cycle. "
          "Period set from the power spectrum of a long run (peak near 37; dysts's 10.99 "
          "disagrees by a factor of six). At these parameters a long run settles close to a "
          "mixed-mode cycle: our largest Lyapunov exponent estimate is about 0.002, far "
          "below dysts's 0.076. Issue 13 literature check: the search found Goryachev, A., Strizhak, P. "
          "& Kapral, R. (1997), Slow manifold structure and the emergence of mixed-mode oscillations, J. "
          "Chem. Phys., on mixed-mode and chaotic states of a model of this kind; its model equations and "
          "parameter values were not in the retrievable text, so dysts's values stay.",
)
def KawczynskiStrizhak(X, t, p, xp):
    x, y, z = X
    return (p.gamma * (y - x**3 + 3 * p.mu * x), -2 * p.mu * x - y - z + p.beta,
            p.kappa * (x - z))


@flow(
    variables="x y z",
    params=dict(a=10.0, b=1.0, c=5.0, d=-1.0, h=-5.0, k=-6.0),
    ic=(-2.540801356216252, -1.940570579119389, -2.9680975444071955),
    period=0.94667, dt=0.00018936556092683077,
    tags=("optics", "electronics", "dissipative"),
    citation="Abooee, A., Yaghini-Bonabi, H. A., & Jahed-Motlagh, M. R. (2013). Analysis and "
             "circuitry realization of a novel three-dimensional chaotic system. Communications "
             "in Nonlinear Science and Numerical Simulation 18(5), 1235-1245.",
    description="Three-dimensional flow with cubic xz^2 and yz^2 couplings, related to "
                "semiconductor-laser rate equations and built as a circuit.",
)
def Laser(X, t, p, xp):
    x, y, z = X
    return (p.a * (y - x) + p.b * y * z**2, p.c * x + p.d * x * z**2, p.h * z + p.k * x**2)


def _cavity_velocity(x, y, a, b, u1, u2, xp):
    """Stokes flow in a rectangular cavity [0, a] x [-b, b] driven by its walls (two modes)."""
    pi = xp.pi
    d1 = 2 * b * pi + a * xp.sinh(2 * pi * b / a)
    d2 = 4 * b * pi + a * xp.sinh(4 * pi * b / a)
    s1, c1 = xp.sinh(pi * b / a), xp.cosh(pi * b / a)
    s2, c2 = xp.sinh(2 * pi * b / a), xp.cosh(2 * pi * b / a)
    vx = (2 * u1 * xp.sin(pi * x / a) / d1
          * (-b * pi * s1 * xp.sinh(pi * y / a)
             + c1 * (pi * y * xp.cosh(pi * y / a) + a * xp.sinh(pi * y / a)))
          + 2 * u2 * xp.sin(2 * pi * x / a) / d2
          * (-2 * b * pi * s2 * xp.sinh(2 * pi * y / a)
             + c2 * (2 * pi * y * xp.cosh(2 * pi * y / a) + a * xp.sinh(2 * pi * y / a))))
    vy = (2 * pi * u1 * xp.cos(pi * x / a) / d1
          * (b * s1 * xp.cosh(pi * y / a) - c1 * y * xp.sinh(pi * y / a))
          + 4 * pi * u2 * xp.cos(2 * pi * x / a) / d2
          * (b * s2 * xp.cosh(2 * pi * y / a) - c2 * y * xp.sinh(2 * pi * y / a)))
    return vx, vy


def _cavity_output(values, params):
    out = np.array(values, dtype=float, copy=True)
    out[:, 2] = np.sin(2 * np.pi * values[:, 2] / params["tau"])
    return out


@flow(
    variables="x y tt",
    params=dict(a=6.0, b=1.0, tau=1.1, u1=9.92786, u2=8.34932),
    ic=(3.966790341130254, 0.18425981346720144, 0.0),
    period=2.7333134945588955, dt=0.000546753824549171,
    tags=("fluids", "nonautonomous", "conservative"),
    citation="Grover, P., Ross, S. D., Stremler, M. A., & Kumar, P. (2012). Topological chaos, "
             "braiding and bifurcation of almost-cyclic sets. Chaos 22(4), 043135.",
    description="Fluid particle in a two-dimensional Stokes cavity flow whose lids move in "
                "alternation, stirring the fluid chaotically.",
    notes="State (x, y, tt) with the forcing clock tt (d tt/dt = 1), as in dysts; a smooth "
          "tanh switch of period tau alternates between the flow with wall speeds (u1, u2) "
          "and (-u1, u2). tt grows without bound; postprocess replaces it by "
          "sin(2 pi tt / tau).",
    extra={"unbounded_indices": (2,), "postprocess": _cavity_output},
)
def LidDrivenCavityFlow(X, t, p, xp):
    x, y, tt = X
    w = _switch(tt, p.tau, xp)
    vx1, vy1 = _cavity_velocity(x, y, p.a, p.b, p.u1, p.u2, xp)
    vx2, vy2 = _cavity_velocity(x, y, p.a, p.b, -p.u1, p.u2, xp)
    return (w * vx1 + (1 - w) * vx2, w * vy1 + (1 - w) * vy2, 1)
