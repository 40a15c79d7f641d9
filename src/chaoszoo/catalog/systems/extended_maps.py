"""Extended catalog: chaotic maps absent from dysts (mathematics, neuroscience, ecology, economics).

Maps are the cheapest chaotic benchmarks; these add a piecewise-linear Henon relative, two
standard-map family members (dissipative and web), an Anosov automorphism, a hyperchaotic
Henon generalisation, three neuron maps, two population maps, a Burgers turbulence map and
a Cournot duopoly.
"""

from chaoszoo.catalog.declaration import iterated_map


@iterated_map(
    variables="x y",
    params=dict(a=1.7, b=0.5),
    ic=(-0.8978199849, 0.5291509165),
    period=1, dt=1,
    tags=("mathematics", "dissipative", "piecewise"),
    citation=("Lozi, R. (1978). Un attracteur etrange (?) du type attracteur de Henon. Journal de "
              "Physique Colloques 39(C5), 9-10."),
    description="Piecewise-linear version of the Henon map: x' = 1 - a|x| + y, y' = b x.",
    notes=("Its strange attractor is provably hyperbolic (Misiurewicz 1980), a rigorous "
           "counterpart to Henon with a non-smooth fold; dysts has Henon but not Lozi."),
)
def Lozi(X, t, p, xp):
    x, y = X
    return (1 - p.a * xp.abs(x) + y, p.b * x)


@iterated_map(
    variables="theta I",
    params=dict(b=0.3, k=5.0),
    ic=(3.4842786835, 2.6507722524),
    period=1, dt=1,
    tags=("mathematics", "physics", "dissipative"),
    citation=("Schmidt, G., & Wang, B. W. (1985). Dissipative standard map. Physical Review A 32(5), "
              "2994-2999."),
    description=("Kicked rotor with friction: I' = b I + k sin(theta), theta' = theta + I' (mod 2 pi); "
                 "b = 1 recovers the Chirikov standard map."),
    notes=("Standard-map family member with a strange attractor instead of a stochastic sea; dysts "
           "has the conservative Chirikov map and the Zaslavskii map but not this one."),
)
def DissipativeStandardMap(X, t, p, xp):
    theta, I = X
    I_next = p.b * I + p.k * xp.sin(theta)
    return (xp.mod(theta + I_next, 2 * xp.pi), I_next)


@iterated_map(
    variables="x y",
    params=dict(),
    ic=(0.8652573131, 0.7232993893),
    period=1, dt=1,
    tags=("mathematics", "conservative"),
    citation=("Arnold, V. I., & Avez, A. (1968). Ergodic Problems of Classical Mechanics. W. A. Benjamin, "
              "New York."),
    description="Hyperbolic toral automorphism (x, y) -> (2x + y, x + y) mod 1.",
    notes=("The textbook uniformly hyperbolic (Anosov) map: Lyapunov exponent log((3+sqrt 5)/2) known "
           "exactly, useful as an analytic reference for estimators."),
)
def ArnoldCat(X, t, p, xp):
    x, y = X
    return (xp.mod(2 * x + y, 1.0), xp.mod(x + y, 1.0))


@iterated_map(
    variables="x y z",
    params=dict(a=1.76, b=0.1),
    ic=(-0.6246338577, 1.4164761814, 1.5268340886),
    period=1, dt=1,
    tags=("mathematics", "dissipative", "hyperchaotic"),
    citation=("Baier, G., & Klein, M. (1990). Maximum hyperchaos in generalized Henon maps. Physics "
              "Letters A 151(6-7), 281-284."),
    description="Three-dimensional Henon generalisation x' = a - y^2 - b z, y' = x, z' = y.",
    notes=("Smallest hyperchaotic Henon-type map (two positive Lyapunov exponents), giving maps "
           "of higher attractor dimension than Henon."),
)
def GeneralizedHenon(X, t, p, xp):
    x, y, z = X
    return (p.a - y**2 - p.b * z, x, y)


@iterated_map(
    variables="x y",
    params=dict(alpha=4.3, mu=0.001, sigma=-1.0),
    ic=(1.0248038303, -2.8435214723),
    period=1, dt=1,
    tags=("neuroscience", "dissipative"),
    citation=("Rulkov, N. F. (2001). Regularization of synchronized chaotic bursts. Physical Review "
              "Letters 86(1), 183-186."),
    description=("Two-variable neuron map: fast membrane variable x' = alpha/(1 + x^2) + y driven by a "
                 "slow variable y' = y - mu (x - sigma)."),
    notes=("Chaotic spiking-bursting with two time scales (slow variable ~1/mu iterations), a map "
           "analogue of Hindmarsh-Rose for large network simulations."),
)
def RulkovMap(X, t, p, xp):
    x, y = X
    return (p.alpha / (1 + x**2) + y, y - p.mu * (x - p.sigma))


@iterated_map(
    variables="x y",
    params=dict(a=0.89, b=0.18, c=0.28, k=0.03),
    ic=(0.0406704198, 2.0027152093),
    period=1, dt=1,
    tags=("neuroscience", "dissipative"),
    citation=("Chialvo, D. R. (1995). Generic excitable dynamics on a two-dimensional map. Chaos, "
              "Solitons & Fractals 5(3-4), 461-479."),
    description=("Excitable neuron map: activation x' = x^2 exp(y - x) + k, recovery y' = a y - b x + c."),
    notes=("Minimal excitable-neuron map, chaotic at these parameters (Lyapunov exponent about "
           "0.06 measured here); complements Rulkov with an exponential nonlinearity."),
)
def ChialvoMap(X, t, p, xp):
    x, y = X
    return (x**2 * xp.exp(y - x) + p.k, p.a * y - p.b * x + p.c)


@iterated_map(
    variables="N P",
    params=dict(r=3.0, a=5.0, c=1.0),
    ic=(0.2239661673, 0.1213669817),
    period=1, dt=1,
    tags=("ecology", "dissipative"),
    citation=("Beddington, J. R., Free, C. A., & Lawton, J. H. (1975). Dynamic complexity in "
              "predator-prey models framed in difference equations. Nature 255(5503), 58-60."),
    description=("Prey with Ricker growth (carrying capacity 1) and a Nicholson-Bailey predator: "
                 "N' = N exp(r (1 - N) - a P), P' = c N (1 - exp(-a P))."),
    notes=("Classic discrete-generation predator-prey model showing chaos for high prey growth; "
           "r, a, c are chosen here inside its chaotic region (Lyapunov exponent about 0.19 measured here)."),
)
def BeddingtonPredatorPrey(X, t, p, xp):
    N, P = X
    return (N * xp.exp(p.r * (1 - N) - p.a * P), p.c * N * (1 - xp.exp(-p.a * P)))


@iterated_map(
    variables="x y",
    params=dict(a=0.75, b=1.75),
    ic=(-2.3263996944, -0.2643365200),
    period=1, dt=1,
    tags=("fluids", "mathematics", "dissipative"),
    citation=("Whitehead, R. R., & MacDonald, N. (1984). A chaotic mapping that displays its own "
              "homoclinic structure. Physica D 13(3), 401-407."),
    description=("Discretisation of Burgers' two-mode model of turbulence: x' = a x - y^2, "
                 "y' = b y + x y."),
    notes=("Map descended from Burgers' toy model of turbulence, whose attractor traces its own "
           "homoclinic tangle; a fluids-flavoured map absent from dysts."),
)
def BurgersMap(X, t, p, xp):
    x, y = X
    return (p.a * x - y**2, p.b * y + x * y)


@iterated_map(
    variables="x y",
    params=dict(mu1=3.8, mu2=3.8, rho=0.8),
    ic=(0.9364668494, 0.4125432621),
    period=1, dt=1,
    tags=("economics", "dissipative"),
    citation=("Kopel, M. (1996). Simple and complex adjustment dynamics in Cournot duopoly models. "
              "Chaos, Solitons & Fractals 7(12), 2031-2048."),
    description=("Two firms adjust their outputs part-way (weight rho) towards logistic-shaped best "
                 "replies to the rival's last output: x' = (1 - rho) x + rho mu1 y (1 - y), and symmetrically."),
    notes=("Cournot duopoly with adaptive adjustment, a standard chaotic model of oligopoly in "
           "economics; mu and rho are chosen here in a chaotic regime (Lyapunov exponent about 0.18)."),
)
def KopelDuopoly(X, t, p, xp):
    x, y = X
    return ((1 - p.rho) * x + p.rho * p.mu1 * y * (1 - y), (1 - p.rho) * y + p.rho * p.mu2 * x * (1 - x))


@iterated_map(
    variables="y",
    params=dict(k=0.7, alpha=1.0, eps=0.02, a=0.65),
    ic=(0.3289483207,),
    period=1, dt=1,
    tags=("neuroscience", "dissipative"),
    citation=("Aihara, K., Takabe, T., & Toyoda, M. (1990). Chaotic neural networks. Physics Letters A "
              "144(6-7), 333-340."),
    description=("Single chaotic neuron with refractoriness: internal state y' = k y - alpha / (1 + "
                 "exp(-y/eps)) + a, output the steep sigmoid of y."),
    notes=("The building block of chaotic neural networks (graded refractoriness plus a steep "
           "sigmoid); k, alpha, eps are Aihara's values, the bias a = 0.65 is chosen here in a chaotic window."),
)
def AiharaNeuron(X, t, p, xp):
    (y,) = X
    return (p.k * y - p.alpha / (1 + xp.exp(-y / p.eps)) + p.a,)


@iterated_map(
    variables="x y",
    params=dict(a=2.27),
    ic=(0.0820608559, 0.1794319420),
    period=1, dt=1,
    tags=("ecology", "mathematics", "dissipative"),
    citation=("Aronson, D. G., Chory, M. A., Hall, G. R., & McGehee, R. P. (1982). Bifurcations from an "
              "invariant circle for two-parameter families of maps of the plane: a computer-assisted "
              "study. Communications in Mathematical Physics 83(3), 303-354."),
    description=("Logistic growth with a one-generation lag in density dependence, x_{n+1} = a x_n "
                 "(1 - x_{n-1}), written as a planar map (x, y) = (x_{n-1}, x_n)."),
    notes=("Chaos here arises from the break-up of an invariant circle (a torus route), unlike the "
           "period-doubling of the ordinary logistic map; slightly larger a lets orbits escape."),
)
def DelayedLogistic(X, t, p, xp):
    x, y = X
    return (y, p.a * y * (1 - x))


@iterated_map(
    variables="u v",
    params=dict(K=1.5, q=4.0),
    ic=(0.5, 3.1),
    period=1, dt=1,
    tags=("plasma", "physics", "conservative"),
    citation=("Zaslavsky, G. M., Zakharov, M. Yu., Sagdeev, R. Z., Usikov, D. A., & Chernikov, A. A. "
              "(1986). Stochastic web and diffusion of particles in a magnetic field. Soviet Physics "
              "JETP 64(2), 294-303."),
    description=("Charged particle gyrating in a magnetic field and kicked by a wave packet: a kick "
                 "u -> u + K sin v followed by a rotation by 2 pi / q in the (u, v) plane."),
    notes=("Standard-map family member (kicked oscillator instead of kicked rotor) whose chaotic "
           "orbits spread along a stochastic web; dysts has Chirikov and Zaslavskii but not the web "
           "map. The web is unbounded, so orbits diffuse slowly outwards."),
)
def ZaslavskyWebMap(X, t, p, xp):
    u, v = X
    kicked = u + p.K * xp.sin(v)
    alpha = 2 * xp.pi / p.q
    return (kicked * xp.cos(alpha) + v * xp.sin(alpha), -kicked * xp.sin(alpha) + v * xp.cos(alpha))
