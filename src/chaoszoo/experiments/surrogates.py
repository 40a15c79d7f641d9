"""A bank of surrogate series: one long on-attractor trajectory per catalog flow, resampled at will.

The transfer-learning experiment needs every flow of the catalog at the dominant timescale of
each target data set (and at random timescales, for the baseline). Compiling a solver costs far
more than integrating (measured here: ~15 s per system on a loaded 2-core machine, against a
fraction of a second of integration), so each flow is integrated **once**, finely sampled
(``BANK_PTS`` points per period, ``BANK_PERIODS`` periods after a transient), and any
``pts_per_period`` is then obtained by cubic-spline resampling of that one solution. At 40 points
per period a cubic spline's relative error is of order ``(2*pi/40)**4 ~ 6e-4``, far below the
differences that matter for classification features.

The bank is cached (one ``.npy`` per system, written atomically), so an interrupted build
resumes, and later runs pay nothing.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from chaoszoo.errors import InvalidArgumentError
from chaoszoo.io import replacing

BANK_PTS = 40
BANK_PERIODS = 250
TRANSIENT_PERIODS = 20


def default_cache() -> Path:
    from chaoszoo.data.load import cache_dir

    return cache_dir() / "experiments" / f"surrogate-bank-{BANK_PTS}x{BANK_PERIODS}"


def flow_names() -> list[str]:
    """The catalog's flows (ODEs): the systems the published experiment integrates."""
    import chaoszoo as cz

    return list(cz.names(kind="flow"))


def bank_series(name: str, cache: Path | None = None) -> np.ndarray | None:
    """The banked observable of flow ``name`` (z-scored, ``BANK_PTS`` per period), computing it if
    absent. ``None`` when the system cannot be integrated (the reason is cached beside it)."""
    import chaoszoo as cz
    from chaoszoo.data.generate import observable_index
    from chaoszoo.errors import ChaoszooError

    cache = Path(cache) if cache is not None else default_cache()
    cache.mkdir(parents=True, exist_ok=True)
    path, bad = cache / f"{name}.npy", cache / f"{name}.failed"
    if path.exists():
        return np.load(path)
    if bad.exists():
        return None
    system = cz.get(name)
    try:
        x = system.trajectory(BANK_PTS * BANK_PERIODS, pts_per_period=BANK_PTS,
                              transient=BANK_PTS * TRANSIENT_PERIODS, rtol=1e-8, atol=1e-8).values
        y = x[:, observable_index(system)]
        if not np.all(np.isfinite(y)) or np.std(y) == 0:
            raise ChaoszooError(f"{name}: constant or non-finite observable")
    except ChaoszooError as err:
        bad.write_text(str(err))
        return None
    y = ((y - y.mean()) / y.std()).astype(np.float32)
    with replacing(path) as tmp:
        np.save(tmp, y)
    return y


def build_bank(names=None, cache: Path | None = None, progress: bool = True) -> dict[str, np.ndarray]:
    """Every flow's banked series (computed where missing); systems that fail are left out."""
    from tqdm import tqdm

    names = flow_names() if names is None else list(names)
    out = {}
    for name in tqdm(names, desc="surrogate bank", unit="system", disable=not progress):
        y = bank_series(name, cache)
        if y is not None:
            out[name] = y
    return out


def resample(series: np.ndarray, pts_per_period: float, n: int) -> np.ndarray:
    """``n`` samples of a banked series at ``pts_per_period`` points per period (cubic spline),
    z-scored. Fewer than ``n`` come back when the bank is too short at that density."""
    from scipy.interpolate import CubicSpline

    if not pts_per_period > 0:
        raise InvalidArgumentError(f"pts_per_period must be positive; got {pts_per_period!r}.")
    step = BANK_PTS / float(pts_per_period)          # bank samples per new sample
    m = min(n, int((len(series) - 1) / step) + 1)
    if step == round(step):
        y = np.asarray(series[: (m - 1) * int(step) + 1 : int(step)], dtype=np.float64)
    else:
        grid = np.arange(len(series), dtype=np.float64)
        y = CubicSpline(grid, series)(np.arange(m) * step)
    sd = y.std()
    return (y - y.mean()) / (sd if sd > 0 else 1.0)


def cached_bank(cache: Path | None = None) -> dict[str, np.ndarray]:
    """The flows already in the bank (nothing is computed), in catalog order."""
    cache = Path(cache) if cache is not None else default_cache()
    return {n: np.load(cache / f"{n}.npy") for n in flow_names() if (cache / f"{n}.npy").exists()}
