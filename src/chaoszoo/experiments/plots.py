"""Figures of the experiments (matplotlib, Agg; written atomically)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from chaoszoo.io import replacing


def _save(fig, path) -> None:
    import matplotlib.pyplot as plt

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with replacing(path) as tmp:
            fig.savefig(tmp, dpi=110, bbox_inches="tight")
    finally:
        plt.close(fig)


def plot_transfer(results: dict, path) -> None:
    """Accuracy per data set and condition, with the published medians as dashed lines."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from chaoszoo.experiments.transfer import CONDITIONS, PUBLISHED

    rows = results["datasets"]
    names = list(rows)
    fig, ax = plt.subplots(figsize=(1.2 * len(names) + 3, 3.6))
    x = np.arange(len(names))
    colors = {"transfer": "C0", "random": "C1", "untrained": "C3", "raw": "C2"}
    conds = [c for c in CONDITIONS if all(c in rows[n] for n in names)]
    w = 0.8 / max(1, len(conds))
    for i, c in enumerate(conds):
        ax.bar(x + (i - (len(conds) - 1) / 2) * w, [rows[n][c] for n in names], w, label=c, color=colors[c])
        if c in PUBLISHED:
            ax.axhline(PUBLISHED[c], color=colors[c], ls="--", lw=1)
    ax.set_xticks(x, names, rotation=30, ha="right")
    ax.set_ylabel("test accuracy")
    ax.set_ylim(0, 1.05)
    ax.set_title("Surrogate transfer learning (dashed: published medians, 90 UCR sets)")
    ax.legend(loc="lower right", fontsize=8)
    _save(fig, path)


def plot_importance(results: dict, path) -> None:
    """sMAPE and training time per condition over the systems (box plots)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from chaoszoo.experiments.importance import PUBLISHED

    rows = list(results["systems"].values())
    conds = ("importance", "random", "full")
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.4))
    for ax, key, label in ((axes[0], "smape", "sMAPE (0-2)"), (axes[1], "seconds", "training time (s)")):
        data = [[r[f"{c}_{key}"] for r in rows] for c in conds]
        if rows:
            ax.boxplot(data)
        ax.set_xticks(range(1, 4), conds)
        ax.scatter(range(1, 4), [PUBLISHED[c][key] for c in conds], marker="*", color="k", zorder=3,
                   label="published median" if key == "smape" else None)
        ax.set_ylabel(label)
    axes[0].legend(fontsize=8)
    fig.suptitle(f"Importance sampling for training ({len(rows)} flows)")
    _save(fig, path)
