"""Low-dimensional chaotic maps ``X_{n+1} = F(X_n)`` (one- and two-dimensional).

The state layout and parameter names follow dysts's ``discrete_maps.json`` so that
iterates agree with it. Maps that live on a circle or torus (Circle, Chirikov) are
iterated on the lift, without reduction, exactly as dysts does; ``postprocess=True``
wraps the angle. The Baker and Kaplan-Yorke maps keep dysts's slightly-less-than-two
stretching (``2 - 1e-10``) or modulus (``0.99999995``), which stops the binary
floating-point representation from collapsing onto 0 after ~53 doublings.

Three of dysts's 26 listed maps have no implementation there (Zaslavskii and
ZeraouliaSprott are commented out; EndCap has neither equations nor a reference and is
not declared here). Their equations below come from the original papers.
"""

import numpy as np

from chaoszoo.catalog.declaration import iterated_map

_TWO_PI = 2 * np.pi


def _wrap_unit(values, params):
    out = np.array(values, dtype=float, copy=True)
    out[:, 0] = np.mod(out[:, 0], 1.0)
    return out


def _wrap_angle_second(values, params):
    out = np.array(values, dtype=float, copy=True)
    out[:, 1] = np.mod(out[:, 1], _TWO_PI)
    return out


# --------------------------------------------------------------------------- 1-D maps


@iterated_map(
    variables="x",
    params=dict(r=3.9),
    ic=(0.51,),
    period=1, dt=1,
    tags=("ecology", "biology", "dissipative"),
    citation="May, R. M. (1976). Simple mathematical models with very complicated dynamics. "
             "Nature 261(5560), 459-467.",
    description="Quadratic population update with growth rate r and crowding; the textbook "
                "route to chaos through period doubling.",
)
def Logistic(X, t, p, xp):
    (x,) = X
    return (p.r * x * (1 - x),)


@iterated_map(
    variables="x",
    params=dict(a=6.0),
    ic=(0.51,),
    period=1, dt=1,
    tags=("mathematics",),
    citation="Geisel, T., Fairen, V. (1984). Statistical properties of chaos in Chebyshev "
             "maps. Physics Letters A 105(6), 263-266.",
    description="Chebyshev polynomial of degree a acting on [-1, 1], written as "
                "cos(a arccos x); fully chaotic with Lyapunov exponent ln a.",
)
def Chebyshev(X, t, p, xp):
    (x,) = X
    return (xp.cos(p.a * xp.arccos(x)),)


@iterated_map(
    variables="x",
    params=dict(a=3.3),
    ic=(0.51,),
    period=1, dt=1,
    tags=("ecology", "biology", "dissipative"),
    citation="Ricker, W. E. (1954). Stock and recruitment. Journal of the Fisheries Research "
             "Board of Canada 11(5), 559-623.",
    description="Fish stock-recruitment model with exponential overcompensation: large "
                "spawning stocks depress the next generation.",
)
def Ricker(X, t, p, xp):
    (x,) = X
    return (x * xp.exp(p.a - x),)


@iterated_map(
    variables="x",
    params=dict(mu=0.95),
    ic=(0.51,),
    period=1, dt=1,
    tags=("mathematics", "piecewise"),
    citation="Yoshida, T., Mori, H., Shigematsu, H. (1983). Analytic study of chaos of the "
             "tent map: band structures, power spectra, and critical behaviors. Journal of "
             "Statistical Physics 31(2), 279-308.",
    description="Piecewise-linear unimodal map of slope 2 mu; stretching and folding of the "
                "unit interval in its simplest form.",
)
def Tent(X, t, p, xp):
    (x,) = X
    return (p.mu * (1 - 2 * xp.abs(x - 0.5)),)


@iterated_map(
    variables="x",
    params=dict(a=4.9, b=-0.5),
    ic=(0.5,),
    period=1, dt=1,
    tags=("mathematics",),
    citation="Hilborn, R. C. (2000). Chaos and Nonlinear Dynamics: An Introduction for "
             "Scientists and Engineers, 2nd ed., Oxford University Press (the Gaussian map).",
    description="A Gaussian bump exp(-a x^2) shifted by b; its bifurcation diagram shows "
                "period-doubling cascades in both directions ('mouse map').",
)
def Gauss(X, t, p, xp):
    (x,) = X
    return (xp.exp(-p.a * x**2) + p.b,)


@iterated_map(
    variables="theta",
    params=dict(k=5.7, omega=0.333),
    ic=(0.0,),
    period=1, dt=1,
    tags=("mathematics", "physics"),
    citation="Arnold, V. I. (1965). Small denominators. I. Mappings of the circumference onto "
             "itself. American Mathematical Society Translations, Series 2, 46, 213-284.",
    description="Sine-perturbed rotation of a circle (phase units of one turn); for coupling "
                "k > 1 it is non-invertible and chaotic.",
    notes="Iterated on the lift (theta is not reduced modulo 1), as in dysts, so theta drifts "
          "with the mean rotation; trajectory(postprocess=True) wraps it into [0, 1).",
    extra={"postprocess": _wrap_unit},
)
def Circle(X, t, p, xp):
    (theta,) = X
    return (theta + p.omega + p.k / (2 * xp.pi) * xp.sin(2 * xp.pi * theta),)


# --------------------------------------------------------------------------- 2-D maps


@iterated_map(
    variables="x y",
    params=dict(a=1.4, b=0.3),
    ic=(1.21674097, 0.03536533),
    period=1, dt=1,
    tags=("mathematics", "astrophysics", "dissipative"),
    citation="Henon, M. (1976). A two-dimensional mapping with a strange attractor. "
             "Communications in Mathematical Physics 50(1), 69-77.",
    description="Quadratic fold followed by a contraction by b; a Poincare-section caricature "
                "of the Lorenz flow with a fractal, horseshoe-like attractor.",
)
def Henon(X, t, p, xp):
    x, y = X
    return (1 - p.a * x**2 + y, p.b * x)


@iterated_map(
    variables="x y",
    params=dict(u=0.9),
    ic=(0.9, 0.55524451),
    period=1, dt=1,
    tags=("optics", "dissipative"),
    citation="Ikeda, K. (1979). Multiple-valued stationary state and its instability of the "
             "transmitted light by a ring cavity system. Optics Communications 30(2), 257-261.",
    description="Complex field in a lossy optical ring cavity, rotated by an intensity-"
                "dependent phase on every round trip.",
)
def Ikeda(X, t, p, xp):
    x, y = X
    phase = 0.4 - 6 / (1 + x**2 + y**2)
    c, s = xp.cos(phase), xp.sin(phase)
    return (1 + p.u * (x * c - y * s), p.u * (x * s + y * c))


@iterated_map(
    variables="x y",
    params=dict(a=0.9, b=-0.6013, c=2.0, d=0.5),
    ic=(0.13738266, -0.0308518),
    period=1, dt=1,
    tags=("mathematics", "dissipative"),
    citation="Nusse, H. E., Yorke, J. A. (1994). Dynamics: Numerical Explorations. Applied "
             "Mathematical Sciences 101, Springer, New York.",
    description="Quadratic map built from the square of a complex number plus linear terms; "
                "its attractor resembles a flying fairy.",
)
def Tinkerbell(X, t, p, xp):
    x, y = X
    return (x**2 - y**2 + p.a * x + p.b * y, 2 * x * y + p.c * x + p.d * y)


@iterated_map(
    variables="x y",
    params=dict(a=2.75, b=0.2),
    ic=(0.51, 0.1),
    period=1, dt=1,
    tags=("mechanics", "physics", "dissipative"),
    citation="Holmes, P. J. (1979). A nonlinear oscillator with a strange attractor. "
             "Philosophical Transactions of the Royal Society of London A 292(1394), 419-448.",
    description="Discrete analogue of a forced, damped two-well (Duffing) oscillator; the "
                "Jacobian determinant is the constant b.",
    notes="Named DuffingMap because the continuous Duffing oscillator is the flow 'Duffing'; "
          "dysts calls this map Duffing.",
)
def DuffingMap(X, t, p, xp):
    x, y = X
    return (y, -p.b * x + p.a * y - y**3)


@iterated_map(
    variables="x y",
    params=dict(a=0.87, b=0.75),
    ic=(0.0, 0.1),
    period=1, dt=1,
    tags=("ecology", "biology", "dissipative"),
    citation="Maynard Smith, J. (1968). Mathematical Ideas in Biology. Cambridge University "
             "Press, Cambridge.",
    description="Second-order population recursion in which the density two generations "
                "back limits growth through a quadratic term.",
)
def MaynardSmith(X, t, p, xp):
    x, y = X
    return (y, p.a * y + p.b - x**2)


@iterated_map(
    variables="x y",
    params=dict(eps=0.0, k=1.2, mu=0.0),
    ic=(0.51, 0.2),
    period=5, dt=1,
    tags=("mathematics", "conservative", "quasi-periodic"),
    citation="Arrowsmith, D. K., Cartwright, J. H. E., Lansbury, A. N., Place, C. M. (1993). "
             "The Bogdanov map: bifurcations, mode locking, and chaos in a dissipative system. "
             "International Journal of Bifurcation and Chaos 3(4), 803-842; after Bogdanov, "
             "R. I. (1981). Bifurcations of a limit cycle for a family of vector fields on the "
             "plane. Selecta Mathematica Sovietica 1, 373-388.",
    description="Euler-like discretisation of the Bogdanov-Takens normal form; damping eps "
                "and the cross term mu control dissipation.",
    notes="With dysts's defaults eps = mu = 0 the map preserves area (Jacobian determinant 1). "
          "The default initial condition lies on a KAM invariant circle around the elliptic "
          "fixed point (0, 0) (largest Lyapunov exponent ~1e-3 over 3,000 iterates), so the "
          "orbit is quasi-periodic; the chaotic layers near the separatrix of the saddle "
          "(1, 0) are thin and their orbits mostly escape to infinity. Rotation per iterate "
          "about (0, 0) is about 0.18 turn, hence period 5. Issue 13 literature check: the stored pages "
          "were searched for a published chaotic (dissipative) parameter set of this map (the cited "
          "Arrowsmith et al. 1993 and later uses); none with values was retrievable, so dysts's "
          "area-preserving defaults stay.",
)
def Bogdanov(X, t, p, xp):
    x, y = X
    y_next = (1 + p.eps) * y + p.k * x * (x - 1) + p.mu * x * y
    return (x + y_next, y_next)


@iterated_map(
    variables="x y",
    params=dict(a=1.0),
    ic=(0.04995935, 0.363224),
    period=1, dt=1,
    tags=("mathematics", "piecewise", "conservative"),
    citation="Farmer, J. D., Ott, E., Yorke, J. A. (1983). The dimension of chaotic "
             "attractors. Physica D 7(1-3), 153-180.",
    description="Kneading of the unit square: stretch x by two and cut, stacking the halves "
                "in y with contraction a (area-preserving for a = 1).",
    notes="As in dysts the stretch factor is 2 - 1e-10 rather than 2, so that binary "
          "floating point does not collapse x onto 0 after ~53 iterations.",
)
def Baker(X, t, p, xp):
    x, y = X
    s = 2.0 - 1e-10
    fold = xp.floor(s * x)
    return (s * x - fold, (p.a * y + fold) / 2)


@iterated_map(
    variables="x y",
    params=dict(alpha=0.2),
    ic=(0.2, 0.2),
    period=1, dt=1,
    tags=("mathematics", "dissipative"),
    citation="Kaplan, J. L., Yorke, J. A. (1979). Chaotic behavior of multidimensional "
             "difference equations. In Functional Differential Equations and Approximation of "
             "Fixed Points, Lecture Notes in Mathematics 730, Springer, 204-227.",
    description="Angle doubling driving a linearly contracting variable through a cosine; "
                "the example behind the Kaplan-Yorke dimension conjecture.",
    notes="As in dysts the doubling is taken modulo 0.99999995 instead of 1, so that binary "
          "floating point does not collapse x onto 0.",
)
def KaplanYorke(X, t, p, xp):
    x, y = X
    return (xp.mod(2 * x, 0.99999995), p.alpha * y + xp.cos(4 * xp.pi * x))


@iterated_map(
    variables="x y",
    params=dict(),
    ic=(0.5, -0.5),
    period=1, dt=1,
    tags=("mathematics", "piecewise", "conservative"),
    citation="Devaney, R. L. (1984). A piecewise linear model for the zones of instability of "
             "an area-preserving map. Physica D 10(3), 387-393.",
    description="Area-preserving piecewise-linear map whose chaotic zone, riddled with "
                "hexagonal islands of period-6 motion, is shaped like a gingerbread man.",
    notes="dysts starts from (0.51, 0.1), which lies in a hexagonal island of period-6 orbits "
          "(zero Lyapunov exponent); this initial condition is in the chaotic zone "
          "(largest Lyapunov exponent ~0.09 over 20,000 iterates).",
    extra={"dysts_ic": (0.51, 0.1)},
)
def Gingerbreadman(X, t, p, xp):
    x, y = X
    return (1 - y + xp.abs(x), x)


@iterated_map(
    variables="p x",
    params=dict(k=0.971635),
    ic=(0.1, 0.1),
    period=1, dt=1,
    tags=("physics", "conservative", "hamiltonian"),
    citation="Chirikov, B. V. (1979). A universal instability of many-dimensional oscillator "
             "systems. Physics Reports 52(5), 263-379.",
    description="Standard map of a periodically kicked rotor, at the kick strength where the "
                "last golden-mean invariant circle breaks up.",
    notes="State order (momentum p, angle x) as in dysts, iterated on the lift: the angle is "
          "not reduced modulo 2 pi and drifts; trajectory(postprocess=True) wraps it into "
          "[0, 2 pi).",
    extra={"unbounded_indices": (1,), "postprocess": _wrap_angle_second},
)
def Chirikov(X, t, p, xp):
    mom, ang = X
    mom_next = mom + p.k * xp.sin(ang)
    return (mom_next, ang + mom_next)


@iterated_map(
    variables="x y",
    params=dict(a=1.641, b=1.902, c=0.316, d=1.525),
    ic=(1.78166133, -1.15791549),
    period=1, dt=1,
    tags=("mathematics", "dissipative"),
    citation="Peter de Jong's attractor, as catalogued by Bourke, P. 'Peter de Jong "
             "attractors', paulbourke.net/fractals/peterdejong (1990s).",
    description="Trigonometric map of the plane in which each coordinate is a difference of a "
                "sine and a cosine of the other; produces filamentary attractors.",
)
def DeJong(X, t, p, xp):
    x, y = X
    return (xp.sin(p.a * y) - xp.cos(p.b * x), xp.sin(p.c * x) - xp.cos(p.d * y))


@iterated_map(
    variables="x y",
    params=dict(a=1.5, b=-1.8, c=1.6, d=0.9),
    ic=(0.5, 0.5),
    period=1, dt=1,
    tags=("mathematics", "dissipative"),
    citation="Johnny Svensson's attractor, as catalogued by Bourke, P. 'Johnny Svensson "
             "attractors', paulbourke.net/fractals/peterdejong (1990s).",
    description="Sine-cosine map of the plane related to de Jong's, with amplitudes c and d "
                "weighting the two coordinates.",
)
def Svensson(X, t, p, xp):
    x, y = X
    return (p.d * xp.sin(p.a * x) - xp.sin(p.b * y), p.c * xp.cos(p.a * x) + xp.cos(p.b * y))


@iterated_map(
    variables="x y",
    params=dict(a=-0.67, b=0.83),
    ic=(0.5, 0.5),
    period=1, dt=1,
    tags=("mathematics", "dissipative"),
    citation="Ivan Emrich's 'Bedhead' attractor, as catalogued by Bourke, P. 'Bedhead "
             "attractor', paulbourke.net/fractals/bedhead (2009).",
    description="Trigonometric map mixing the product x y inside a sine with a cosine of "
                "a x - y; its attractor looks like tousled hair.",
)
def Bedhead(X, t, p, xp):
    x, y = X
    return (xp.sin(x * y / p.b) * y + xp.cos(p.a * x - y), x + xp.sin(y) / p.b)


@iterated_map(
    variables="x y",
    params=dict(a=-1.4, b=1.6, c=1.0, d=0.7),
    ic=(-0.97631884, -1.2040783),
    period=1, dt=1,
    tags=("mathematics", "dissipative"),
    citation="Pickover, C. A. (1990). Computers, Pattern, Chaos and Beauty. St. Martin's "
             "Press, New York.",
    description="Sum of a sine and a weighted cosine in each coordinate (the 'Clifford' "
                "attractor family), giving smooth, veil-like attractors.",
)
def Pickover(X, t, p, xp):
    x, y = X
    return (xp.sin(p.a * y) + p.c * xp.cos(p.a * x), xp.sin(p.b * x) + p.d * xp.cos(p.b * y))


@iterated_map(
    variables="x y",
    params=dict(a=3.1, b=2.5, c=4.2),
    ic=(0.1, 0.1),
    period=1, dt=1,
    tags=("mathematics", "conservative"),
    citation="Barry Martin's map, in Dewdney, A. K. (1986). Computer recreations: wallpaper "
             "for the mind. Scientific American 255(3), 14-23.",
    description="Area-preserving map with a signed square-root kick whose orbit hops around "
                "the plane tracing quilt-like patterns.",
    notes="Shifted form used by dysts: the kick is sqrt|b x - 1 - c| sign(x - 1) and the "
          "second component is a - x - 1.",
)
def Hopalong(X, t, p, xp):
    x, y = X
    kick = xp.sqrt(xp.abs(p.b * x - 1 - p.c)) * xp.sign(x - 1)
    return (y - 1 - kick, p.a - x - 1)


@iterated_map(
    variables="x y",
    params=dict(a=-0.7, b=0.9),
    ic=(-3.08394541, -3.59111459),
    period=1, dt=1,
    tags=("physics", "mathematics", "dissipative", "transient-chaos"),
    citation="Gumowski, I., Mira, C. (1980). Recurrences and Discrete Dynamic Systems. "
             "Lecture Notes in Mathematics 809, Springer, Berlin.",
    description="Recurrence from particle-accelerator beam studies built on the rational "
                "function a x + 2 (1 - a) x^2 / (1 + x^2); Jacobian determinant b.",
    notes="dysts's defaults a = -1.1, b = -0.2 give no chaotic attractor (orbits settle on "
          "a stable cycle or escape); dysts's values are kept in extra['dysts_params']. At a = -0.7, "
          "b = 0.9 the chaos is transient: over 20,000 iterations lambda_1 = 0.18, over 100,000 "
          "-0.006 +- 0.039, and over 2 million -0.050 +- 0.002 with lambda_2 = -0.055 (their sum is "
          "ln b): the orbit ends on a stable cycle. Issue 13 literature check: a = -0.7, b = 0.9 is not a "
          "published value; the stored pages searched for this form give only area-preserving pattern "
          "values (b = 1, a = -0.406 or -0.148, from graphics demonstrations, not papers), so no published "
          "dissipative chaotic set could be verified and the entry stays.",
    extra={"dysts_params": {"a": -1.1, "b": -0.2}, "dysts_ic": (0.1, 0.1)},
)
def GumowskiMira(X, t, p, xp):
    x, y = X

    def g(u):
        return p.a * u + 2 * (1 - p.a) * u**2 / (1 + u**2)

    x_next = p.b * y + g(x)
    return (x_next, g(x_next) - x)


@iterated_map(
    variables="x y",
    params=dict(eps=5.0, nu=0.2, r=1.0),
    ic=(0.26024461, -1.3977229),
    period=1, dt=1,
    tags=("physics", "dissipative"),
    citation="Zaslavsky, G. M. (1978). The simplest case of a strange attractor. Physics "
             "Letters A 69(3), 145-147.",
    description="Kicked, damped rotator: the phase advances by nu with a kick eps cos(2 pi "
                "x) while the action decays by exp(-r) per kick.",
    notes="Not implemented in dysts 0.96 (commented out). x is reduced modulo 1. dysts's "
          "listed defaults eps = 5, nu = 0.2, r = 2 give only stable cycles (Lyapunov exponents "
          "~ -1); with the damping lowered to r = 1 the map has a strange attractor (largest "
          "Lyapunov exponent ~0.55 over 20,000 iterates). The classic attractor of Grassberger, "
          "P., Procaccia, I. (1983), Physica D 9, 189-208 (eps = 0.3, nu = 400/3, r = 3) is "
          "also reachable via params, but its exponent ~3.7 per iterate amplifies rounding "
          "differences beyond any iterate-by-iterate comparison after a few steps.",
    extra={"dysts_params": {"eps": 5.0, "nu": 0.2, "r": 2.0}, "dysts_ic": (0.51, 0.1)},
)
def Zaslavskii(X, t, p, xp):
    x, y = X
    mu = (1 - xp.exp(-p.r)) / p.r
    kick = xp.cos(2 * xp.pi * x)
    x_next = xp.mod(x + p.nu * (1 + mu * y) + p.eps * p.nu * mu * kick, 1.0)
    return (x_next, xp.exp(-p.r) * (y + p.eps * kick))


@iterated_map(
    variables="x y",
    params=dict(a=4.0, b=0.9),
    ic=(2.52754881, -1.95180871),
    period=1, dt=1,
    tags=("mathematics", "dissipative"),
    citation="Zeraoulia, E., Sprott, J. C. (2011). On the dynamics of a new simple 2-D "
             "rational discrete mapping. International Journal of Bifurcation and Chaos "
             "21(1), 155-160.",
    description="Minimal rational map of the plane, x -> -a x / (1 + y^2), y -> x + b y, "
                "whose denominator never vanishes.",
    notes="Not implemented in dysts 0.96 (commented out). dysts's listed defaults a = 1.641, "
          "b = 1.902 (copied from DeJong) make y grow without bound; a = 4, b = 0.9 lies in "
          "the chaotic region (largest Lyapunov exponent ~0.27). See also Somarakis, C., "
          "Baras, J. S. (2013), Int. J. Bifurcation Chaos 23(6), 1330021.",
    extra={"dysts_params": {"a": 1.641, "b": 1.902}, "dysts_ic": (1.78166133, -1.15791549)},
)
def ZeraouliaSprott(X, t, p, xp):
    x, y = X
    return (-p.a * x / (1 + y**2), x + p.b * y)



_NEWTON_STEPS = 30


@iterated_map(
    variables="r theta",
    params=dict(a=1.0, b=0.5, gamma=1.0, t=1.5, blink=1.0),
    ic=(0.17, 0.33),
    period=2, dt=1,
    tags=("fluids", "conservative", "hamiltonian", "nonautonomous"),
    citation="Aref, H. (1984). Stirring by chaotic advection. Journal of Fluid Mechanics 143, "
             "1-21.",
    description="Fluid particle in a circular dish of radius a stirred by a point vortex of "
                "strength gamma that blinks between x = b and x = -b every stirring time t.",
    notes="State is the particle's polar position (r, theta). During one stirring interval the "
          "particle moves along its streamline, the Apollonius circle of the vortex and its "
          "image at a^2/b, with the Kepler-like law E - e sin E = const + 2 pi t / T; E is "
          "found by 30 Newton steps started at pi (dysts uses scipy's fsolve on the same "
          "equation). blink = 1 alternates the vortex between +b (even n) and -b (odd n), as "
          "in Aref's model; dysts 0.96 intends this but never actually flips the sign, so its "
          "iterates equal blink = 0, where each step is a rotation along a fixed streamline "
          "and the motion is integrable.",
    latex=r"\begin{aligned}"
          r"&s_n = 1 - 2\,\mathrm{blink}\,(n \bmod 2),\quad z_n = s_n r_n e^{i\theta_n},"
          r"\quad \lambda^2 = \frac{|z_n - b|^2}{|z_n - a^2/b|^2},\\"
          r"&\eta = \frac{b - \lambda^2 a^2/b}{1-\lambda^2},\quad"
          r"\rho = \left|\frac{\lambda (a^2/b - b)}{1-\lambda^2}\right|,\quad"
          r"e = \frac{2\lambda}{1+\lambda^2},\quad"
          r"T_\lambda = \frac{4\pi^2\rho^2}{\gamma}\,\frac{1+\lambda^2}{1-\lambda^2},\\"
          r"&E - e\sin E = \phi - e \sin\phi + \frac{2\pi t}{T_\lambda},"
          r"\quad \phi = \arg(z_n - \eta),\\"
          r"&r_{n+1} e^{i\theta_{n+1}} = s_n\,(\eta + \rho e^{iE})"
          r"\end{aligned}",
    extra={"dysts_ic": (0.17, 0.33)},
)
def BlinkingVortexMap(X, t, p, xp):
    r, theta = X
    # vortex at s * b: reflect through the centre so that it sits at +b
    s = 1 - 2 * p.blink * xp.mod(t, 2)
    c, sn = s * xp.cos(theta), s * xp.sin(theta)
    b, image = p.b, p.a**2 / p.b
    lam2 = (b**2 + r**2 - 2 * b * r * c) / (image**2 + r**2 - 2 * image * r * c)
    lam = xp.sqrt(lam2)
    centre = (b - lam2 * image) / (1 - lam2)
    radius = xp.abs(lam * (image - b) / (1 - lam2))
    ecc = 2 * lam / (1 + lam2)
    period = (2 * xp.pi) ** 2 * (radius**2 / p.gamma) * (1 + lam2) / (1 - lam2)
    phi = xp.arctan2(r * sn, r * c - centre)
    target = phi - ecc * xp.sin(phi) + 2 * xp.pi * p.t / period
    reduced = xp.mod(target, 2 * xp.pi)
    E = reduced * 0 + xp.pi
    for _ in range(_NEWTON_STEPS):
        E = E - (E - ecc * xp.sin(E) - reduced) / (1 - ecc * xp.cos(E))
    E = E + (target - reduced)
    u = centre + radius * xp.cos(E)
    v = radius * xp.sin(E)
    return (xp.sqrt(u**2 + v**2), xp.arctan2(s * v, s * u))
