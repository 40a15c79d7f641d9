"""Pictures of attractors (matplotlib, imported lazily, non-interactive backend)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from chaoszoo.io import replacing


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def _draw(ax, values: np.ndarray, kind: str, i: int = 0, j: int = 1, lw: float = 0.4) -> None:
    x = values[:, i]
    y = values[:, j] if values.shape[1] > j else np.roll(values[:, i], -1)[:-1]
    if values.shape[1] <= j:
        x = x[:-1]
    if kind == "map":
        ax.plot(x, y, ",", color="k", alpha=0.6)
    else:
        ax.plot(x, y, lw=lw, color="k", alpha=0.8)


def plot_attractor(system, values: np.ndarray, out: str | os.PathLike) -> Path:
    """Write the pairwise projections of a trajectory (up to four variables) to ``out``."""
    plt = _pyplot()
    d = values.shape[1]
    pairs = [(i, j) for i in range(min(d, 4)) for j in range(i + 1, min(d, 4))] or [(0, 1)]
    fig, axes = plt.subplots(1, len(pairs), figsize=(3.2 * len(pairs), 3.2), squeeze=False)
    names = list(system.variables) + ["x(n+1)"]
    for ax, (i, j) in zip(axes[0], pairs):
        _draw(ax, values, system.kind, i, j)
        ax.set_xlabel(names[i])
        ax.set_ylabel(names[j] if d > 1 else f"{names[0]} (next)")
    fig.suptitle(f"{system.name} ({system.kind}, d={d})")
    fig.tight_layout()
    return _save(fig, out)


def plot_gallery(items, out: str | os.PathLike, columns: int = 12) -> Path:
    """A grid with one attractor projection per system; ``items`` is ``[(name, kind, values)]``."""
    plt = _pyplot()
    rows = max(1, -(-len(items) // columns))
    fig, axes = plt.subplots(rows, columns, figsize=(1.6 * columns, 1.7 * rows), squeeze=False)
    for ax in axes.ravel():
        ax.axis("off")
    for ax, (name, kind, values) in zip(axes.ravel(), items):
        _draw(ax, values, kind, lw=0.25)
        ax.set_title(name, fontsize=6)
    fig.tight_layout(pad=0.2)
    return _save(fig, out, dpi=110)


def _save(fig, out, dpi: int = 120) -> Path:
    plt = _pyplot()
    out = Path(out)
    try:
        with replacing(out) as tmp:
            fig.savefig(tmp, dpi=dpi)
    finally:
        plt.close(fig)
    return out
