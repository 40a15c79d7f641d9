"""Classic low-dimensional chaotic flows that every benchmark starts from."""

from chaoszoo.catalog.declaration import flow


@flow(
    variables="x y z",
    params=dict(beta=2.667, rho=28.0, sigma=10.0),
    ic=(-9.7869288, -15.03852, 20.533978),
    period=1.5008, dt=0.0003002100350058257,
    tags=("climate", "fluids", "dissipative"),
    citation="Lorenz, E. N. (1963). Deterministic nonperiodic flow. Journal of the Atmospheric Sciences 20(2), 130-141.",
    description="Three-mode truncation of Rayleigh-Benard convection; the first strange attractor found in a weather-like model.",
)
def Lorenz(X, t, p, xp):
    x, y, z = X
    return (p.sigma * (y - x), x * (p.rho - z) - y, x * y - p.beta * z)
