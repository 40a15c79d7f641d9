"""Extended catalog: chaotic systems from astrophysics, mechanics, fluids, plasma and electronics.

Every entry here is absent from dysts and was chosen to widen a forecasting benchmark:
conservative (Hamiltonian) orbits, periodically forced oscillators, point-vortex fluids,
wave interactions in plasmas and a piecewise-linear driven circuit.
"""

import math

import numpy as np

from chaoszoo.catalog.declaration import flow


def _sine_of_columns(columns):
    """A postprocess that replaces the given columns (angles that wind) by their sines: a
    bounded, continuous observable (a wrapped angle jumps by 2 pi at every turn), as dysts
    reports its pendulums' angles."""

    def sine(values, params):
        out = np.array(values, dtype=np.float64, copy=True)
        out[:, columns] = np.sin(out[:, columns])
        return out

    return sine


@flow(
    variables="x y vx vy",
    params=dict(mu=0.01215),
    ic=(0.1475807197, -0.2985211065, 1.0553332559, 1.2909414876),
    period=6.0, dt=0.05,
    tags=("astrophysics", "hamiltonian", "conservative", "quasi-periodic"),
    citation=("Poincare, H. (1890). Sur le probleme des trois corps et les equations de la dynamique. "
              "Acta Mathematica 13, 1-270."),
    description=("Planar circular restricted three-body problem in the frame co-rotating with two "
                 "primaries of mass 1-mu and mu: a test particle orbiting the heavy primary near the "
                 "L1 bottleneck."),
    notes=("The problem in which Poincare discovered chaos; the mass ratio is Earth-Moon, and the "
           "orbit (Jacobi constant above C1, so it cannot leave the heavy primary's realm) stays "
           "far from both primaries. Tagged quasi-periodic: from this ic the orbit lies on (or "
           "sticks to) a torus - chaoszoo annotate finds lambda_1 = 0.0005 +- 0.0005 over 97,000 "
           "time units at an RK4 step accurate to 1e-5 per period; at a 2.5x coarser step it had "
           "found a spurious 0.012. Issue 13: chaotic orbits of the restricted problem exist at this mass "
           "ratio, but no published initial condition with a verified exponent was found in the stored "
           "pages, so the orbit is left as is."),
)
def ThreeBody(X, t, p, xp):
    x, y, vx, vy = X
    r1 = xp.sqrt((x + p.mu) ** 2 + y**2)
    r2 = xp.sqrt((x - 1 + p.mu) ** 2 + y**2)
    ax = 2 * vy + x - (1 - p.mu) * (x + p.mu) / r1**3 - p.mu * (x - 1 + p.mu) / r2**3
    ay = -2 * vx + y - (1 - p.mu) * y / r1**3 - p.mu * y / r2**3
    return (vx, vy, ax, ay)


@flow(
    variables="x1 y1 x2 y2 x3 y3 x4 y4",
    params=dict(gamma=1.0),
    ic=(-0.5573451284, -0.4056956537, -0.9534181205, -0.1396954798, 0.60257219, 0.1846576676, -0.1716017956,
        -0.8155897391),
    period=10.0, dt=0.1,
    tags=("fluids", "hamiltonian", "conservative"),
    citation=("Aref, H., & Pomphrey, N. (1980). Integrable and chaotic motions of four vortices. "
              "Physics Letters A 78(4), 297-300."),
    description=("Four identical point vortices of circulation gamma in the unbounded plane, each "
                 "advected by the velocity field the other three induce."),
    notes=("Smallest chaotic point-vortex system (three vortices are integrable); a Lagrangian "
           "fluid model with conserved energy and angular impulse."),
)
def FourPointVortices(X, t, p, xp):
    xs = [X[0], X[2], X[4], X[6]]
    ys = [X[1], X[3], X[5], X[7]]
    out = []
    for i in range(4):
        u = 0.0
        w = 0.0
        for j in range(4):
            if j == i:
                continue
            dx = xs[i] - xs[j]
            dy = ys[i] - ys[j]
            r2 = dx**2 + dy**2
            u = u - p.gamma * dy / (2 * xp.pi * r2)
            w = w + p.gamma * dx / (2 * xp.pi * r2)
        out.extend([u, w])
    return tuple(out)


@flow(
    variables="theta omega",
    params=dict(q=2.0, g=1.5, omega_d=2.0 / 3.0),
    ic=(62.7953577495, 1.4078856718),
    period=3 * math.pi, dt=0.15,
    tags=("mechanics", "physics", "dissipative", "nonautonomous"),
    citation=("D'Humieres, D., Beasley, M. R., Huberman, B. A., & Libchaber, A. (1982). Chaotic states "
              "and routes to chaos in the forced pendulum. Physical Review A 26(6), 3483-3496."),
    description=("Damped pendulum driven by a sinusoidal torque: theta'' + theta'/q + sin(theta) = "
                 "g cos(omega_d t); also the RCSJ model of a Josephson junction."),
    notes=("Textbook driven pendulum (parameters of Baker & Gollub, Chaotic Dynamics, 1990); the angle "
           "winds without bound, so postprocess returns sin(theta) in its place (bounded and continuous, "
           "as dysts reports its pendulums)."),
    extra={"unbounded_indices": (0,), "postprocess": _sine_of_columns([0])},
)
def ForcedPendulum(X, t, p, xp):
    theta, omega = X
    return (omega, -omega / p.q - xp.sin(theta) + p.g * xp.cos(p.omega_d * t))


@flow(
    variables="theta omega",
    params=dict(gamma=0.1, a=1.5, w=1.6),
    ic=(0.5, 0.0),
    period=2 * math.pi / 1.6, dt=0.05,
    tags=("mechanics", "physics", "dissipative", "nonautonomous"),
    citation=("Leven, R. W., & Koch, B. P. (1981). Chaotic behaviour of a parametrically excited damped "
              "pendulum. Physics Letters A 86(2), 71-74."),
    description=("Damped pendulum whose pivot is shaken vertically: theta'' + gamma theta' + "
                 "(1 + a cos(w t)) sin(theta) = 0."),
    notes=("Parametric (rather than additive) forcing, a different route to chaos than the driven "
           "pendulum; gamma, a, w are chosen here in a chaotic region (Lyapunov exponent about 0.26 "
           "measured here); the angle can wind, so postprocess returns sin(theta) in its place."),
    extra={"unbounded_indices": (0,), "postprocess": _sine_of_columns([0])},
)
def ParametricPendulum(X, t, p, xp):
    theta, omega = X
    return (omega, -p.gamma * omega - (1 + p.a * xp.cos(p.w * t)) * xp.sin(theta))


@flow(
    variables="x y",
    params=dict(beta=1.0, nu=0.015, a=-1.02, b=-0.55, F=0.15, omega=0.75),
    ic=(-1.3569751021, 1.135245019),
    period=2 * math.pi / 0.75, dt=0.1,
    tags=("electronics", "dissipative", "nonautonomous", "piecewise"),
    citation=("Murali, K., Lakshmanan, M., & Chua, L. O. (1994). The simplest dissipative nonautonomous "
              "chaotic circuit. IEEE Transactions on Circuits and Systems I 41(6), 462-463."),
    description=("Sinusoidally driven series LCR circuit with a Chua diode in parallel with the "
                 "capacitor; x is the capacitor voltage, y the inductor current (scaled)."),
    notes=("Minimal driven circuit (one nonlinear element, second order) that is chaotic; its "
           "piecewise-linear diode adds kinks that smooth benchmark systems lack."),
)
def MuraliLakshmananChua(X, t, p, xp):
    x, y = X
    diode = p.b * x + 0.5 * (p.a - p.b) * (xp.abs(x + 1) - xp.abs(x - 1))
    return (y - diode, -p.beta * (1 + p.nu) * y - p.beta * x + p.F * xp.sin(p.omega * t))
