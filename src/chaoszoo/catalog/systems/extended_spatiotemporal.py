"""Extended catalog: spatially extended chaotic systems (PDE discretisations, lattices, networks).

These are the high-dimensional entries of the catalog, meant to stress forecasting methods
with many coupled degrees of freedom; each has a resizable or moderate dimension.
"""

import math

import numpy as np

from chaoszoo.catalog.declaration import flow, iterated_map

# A state on the L = 22 attractor (after a transient of 2000 time units from a smooth field).
_KS_IC = (
    1.3044746949, 1.4344800649, 1.4561561975, 1.3387504789, 1.0702509204, 0.6659714660,
    0.1705801292, -0.3493980082, -0.8212960639, -1.1844723612, -1.4037364440, -1.4735589557,
    -1.4133652050, -1.2577773984, -1.0463490488, -0.8157779881, -0.5954671179, -0.4058475165,
    -0.2583870702, -0.1563848745, -0.0960718600, -0.0678983288, -0.0580591558, -0.0502926907,
    -0.0278759307, 0.0243629035, 0.1182013058, 0.2604374156, 0.4515083289, 0.6841786176,
    0.9422618402, 1.1996682544, 1.4205898338, 1.5621159245, 1.5805791511, 1.4419229764,
    1.1341590700, 0.6773290902, 0.1252513043, -0.4443374643, -0.9490947411, -1.3233019460,
    -1.5323137861, -1.5755386924, -1.4792784732, -1.2846516526, -1.0359799994, -0.7727162017,
    -0.5254133161, -0.3146986561, -0.1518565298, -0.0399773081, 0.0248171179, 0.0521268138,
    0.0558627371, 0.0525474147, 0.0593481637, 0.0920122831, 0.1629296247, 0.2794812637,
    0.4426942473, 0.6461180439, 0.8748800754, 1.1051270321,
)


def _ks_linear(N, p):
    """Diagonal of ``-d^2/dx^2 - d^4/dx^4`` on the real-FFT modes: ``q^2 - q^4``, ``q = 2 pi k / L``."""
    q = (2.0 * math.pi / p.L) * np.arange(N // 2 + 1, dtype=np.float64)
    return q**2 - q**4


@flow(
    variables=None,
    params=dict(L=22.0),
    ic=_KS_IC,
    period=25.0, dt=0.5,
    tags=("fluids", "dissipative", "spatiotemporal", "high-dimensional", "stiff"),
    citation=("Kuramoto, Y., & Tsuzuki, T. (1976). Persistent propagation of concentration waves in "
              "dissipative media far from thermal equilibrium. Progress of Theoretical Physics 55(2), "
              "356-369; Sivashinsky, G. I. (1977). Nonlinear analysis of hydrodynamic instability in "
              "laminar flames - I. Derivation of basic equations. Acta Astronautica 4(11-12), 1177-1206."),
    description=("Flame-front / phase-turbulence PDE u_t + u u_x + u_xx + u_xxxx = 0 on a periodic "
                 "domain, discretised on N equispaced points with Fourier derivatives."),
    notes=("The canonical spatiotemporally chaotic PDE of forecasting benchmarks (L=22 is the "
           "standard minimal chaotic box); integrated with ETDRK4 (Kassam & Trefethen 2005) because "
           "the fourth derivative makes it stiff."),
    resizable=True,
    latex=(r"u_t = -u\,u_x - u_{xx} - u_{xxxx},\quad x \in [0, L)\ \text{periodic};\quad "
           r"\hat u_k' = (q_k^2 - q_k^4)\,\hat u_k - \tfrac{i q_k}{2}\,\widehat{(u^2)}_k,\ q_k = 2\pi k/L"),
    extra={"semilinear": _ks_linear},
)
def KuramotoSivashinsky(X, t, p, xp):
    N = X.shape[0]
    q = (2.0 * xp.pi / p.L) * xp.fft.rfftfreq(N, 1.0 / N)
    u_hat = xp.fft.rfft(X)
    linear = (q**2 - q**4) * u_hat
    advection = -0.5j * q * xp.fft.rfft(X * X)
    return xp.fft.irfft(linear + advection, n=N)


_L96_K, _L96_J = 8, 4


@flow(
    variables=[f"X{k}" for k in range(_L96_K)] + [f"Y{j}_{k}" for k in range(_L96_K) for j in range(_L96_J)],
    params=dict(F=10.0, b=10.0, c=10.0, h=1.0),
    ic=(10.5529134865, 5.8209906849, -5.1366189976, 1.152921071, 5.8810024609, 0.8006888141, -2.4938370364, 0.4311805176, 0.8266708168, -0.1227073939, 0.2058620001, 0.9895366742, -0.1775406904, -0.4289606234, 0.3902189483, 0.3525351305, -0.3831819596, -0.1689683355, 0.0070240084, -0.2097238177, 0.1645059076, 0.0006484125, 0.0142094275, 0.1225261212, -0.0413712951, 0.1983000048, 0.3023191193, 0.2970828349, 0.4422679831, 0.1679255309, -0.0852252939, -0.069548865, -0.1592476997, -0.1566984626, -0.0106089707, -0.2892579202, -0.1720475951, 0.108189368, -0.0718143877, 0.2988790064),
    period=0.6, dt=0.03,
    tags=("climate", "dissipative", "high-dimensional", "spatiotemporal"),
    citation=("Lorenz, E. N. (1996). Predictability - a problem partly solved. Proceedings of the "
              "ECMWF Seminar on Predictability, Vol. 1, 1-18, Reading, UK."),
    description=("Two-tier ring model of the midlatitude atmosphere: K slow large-scale variables, each "
                 "driving and damped by J fast small-scale variables (here K=8, J=4)."),
    notes=("Multiscale test case for forecasting and parametrisation (slow variables forced by "
           "unresolved fast ones); dysts only has the single-scale Lorenz96."),
)
def Lorenz96TwoScale(X, t, p, xp):
    K, J = _L96_K, _L96_J
    x = X[:K]
    y = X[K:]
    coupling = p.h * p.c / p.b
    y_sum = xp.sum(xp.stack([y[j::J] for j in range(J)]), axis=0)
    dx = (xp.roll(x, 1) * (xp.roll(x, -1) - xp.roll(x, 2)) - x + p.F - coupling * y_sum)
    x_of_y = xp.stack([x[k] for k in range(K) for _ in range(J)])
    dy = (-p.c * p.b * xp.roll(y, -1) * (xp.roll(y, -2) - xp.roll(y, 1)) - p.c * y + coupling * x_of_y)
    return xp.concatenate([dx, dy])


@iterated_map(
    variables=None,
    params=dict(a=1.9, eps=0.3),
    ic=(-0.0499909815, 0.3478446712, 0.0197594137, 0.0746393697, 0.1264519571, -0.3857623512, -0.3830934725, 0.2375292988,
        0.5451177271, 0.40537757, 0.2106165866, 0.8407339138, 0.8395669053, 0.1188936427, -0.406251718, -0.4441752999),
    period=1, dt=1,
    tags=("physics", "mathematics", "spatiotemporal", "high-dimensional", "dissipative"),
    citation=("Kaneko, K. (1989). Pattern dynamics in spatiotemporal chaos: pattern selection, diffusion "
              "of defect and pattern competition intermittency. Physica D 34(1-2), 1-41."),
    description=("Ring of logistic (quadratic) maps, each site mixed diffusively with its two neighbours "
                 "after the local update: x_i <- (1-eps) f(x_i) + eps/2 (f(x_{i-1}) + f(x_{i+1}))."),
    notes=("The standard coupled map lattice of spatiotemporal chaos; resizable, so a benchmark "
           "can scale the number of sites freely."),
    resizable=True,
)
def KanekoLattice(X, t, p, xp):
    f = 1.0 - p.a * X * X
    return (1.0 - p.eps) * f + 0.5 * p.eps * (xp.roll(f, 1) + xp.roll(f, -1))
