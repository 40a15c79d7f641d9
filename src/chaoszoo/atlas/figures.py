"""Pictures of one system for the atlas: simulate once, draw small compressed PNGs.

Runs in a worker process (:func:`render_system`); everything it returns is plain data
(JSON-able), so the parent only writes pages. Pictures are named by the declaration's hash
(:func:`chaoszoo.atlas.cache.declaration_key`), so an unchanged system is never redrawn.
"""

from __future__ import annotations

import io
import signal
from pathlib import Path

import numpy as np
from chaoszoo.io import replacing

#: Sampling used for every picture (also printed in the page's copy-paste code).
FLOW_PTS_PER_PERIOD = 40
FLOW_PERIODS = 100
FLOW_TRANSIENT_PERIODS = 20
MAP_N = 5000
MAP_TRANSIENT = 500

INK = "#1b3a5c"
COLORS = ("#1b3a5c", "#c8553d", "#2a7f62")


def sampling(kind: str) -> dict:
    """Keyword arguments of ``System.trajectory`` used for the atlas pictures."""
    if kind == "map":
        return dict(n=MAP_N, transient=MAP_TRANSIENT)
    return dict(n=FLOW_PERIODS * FLOW_PTS_PER_PERIOD, pts_per_period=FLOW_PTS_PER_PERIOD,
                transient=FLOW_TRANSIENT_PERIODS * FLOW_PTS_PER_PERIOD)


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    plt.rcParams.update({"font.size": 8, "axes.linewidth": 0.6, "axes.edgecolor": "#555555",
                         "xtick.major.width": 0.5, "ytick.major.width": 0.5, "svg.hashsalt": "chaoszoo"})
    return plt


def _png_bytes(fig, dpi: int, colors: int = 48) -> bytes:
    """Render ``fig`` and compress it: an adaptive palette (the line art needs few colours)."""
    from PIL import Image

    plt = _pyplot()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    plt.close(fig)
    buf.seek(0)
    img = Image.open(buf).convert("RGB").quantize(colors=colors, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _adjust(fig, left=0.5, bottom=0.42, right=0.1, top=0.1, wspace=0.5, hspace=0.1) -> None:
    """Fixed margins in inches (tight_layout costs a third of the drawing time)."""
    w, h = fig.get_size_inches()
    ncols = max(1, len(fig.axes))
    fig.subplots_adjust(left=left / w, right=1 - right / w, bottom=bottom / h, top=1 - top / h,
                        wspace=wspace * ncols / max(w - left - right, 1e-3), hspace=hspace)


def _pair(values: np.ndarray, i: int, j: int, lag: int):
    """Coordinates of a 2-D projection; a 1-D state is delay-embedded (x(t), x(t - lag))."""
    if values.shape[1] > max(i, j):
        return values[:, i], values[:, j]
    x = values[:, 0]
    return x[lag:], x[:-lag]


def _labels(variables, d: int, kind: str, lag_label: str):
    if d > 1:
        return list(variables)
    v = variables[0]
    return [f"{v}(n)" if kind == "map" else f"{v}(t)", f"{v}(n+1)" if kind == "map" else f"{v}({lag_label})"]


def _draw_xy(ax, x, y, kind: str, lw: float, color=INK):
    if kind == "map":
        ax.plot(x, y, ",", color=color, alpha=0.7, rasterized=False)
    else:
        ax.plot(x, y, lw=lw, color=color, alpha=0.85)


def _lag(system) -> int:
    if system.kind == "map":
        return 1
    if system.kind == "delay" and system.delay:
        tau = system.params[system.delay]
        return max(1, int(round(tau / (system.period / FLOW_PTS_PER_PERIOD))))
    return max(1, FLOW_PTS_PER_PERIOD // 8)


def draw(system, t: np.ndarray, values: np.ndarray) -> dict[str, bytes]:
    """Every picture of the system page, as PNG bytes: thumb, proj2d, proj3d (d >= 3), series, spectrum."""
    plt = _pyplot()
    d = values.shape[1]
    kind = system.kind
    lag = _lag(system)
    lag_label = f"t-{system.delay}" if kind == "delay" else "t-lag"
    names = _labels(system.variables, d, kind, lag_label)
    out = {}

    # thumbnail: first projection, no axes
    fig = plt.figure(figsize=(1.0, 1.0))
    ax = fig.add_axes((0.03, 0.03, 0.94, 0.94))
    x, y = _pair(values, 0, 1, lag)
    _draw_xy(ax, x, y, kind, lw=0.3)
    ax.axis("off")
    out["thumb"] = _png_bytes(fig, dpi=96, colors=16)

    # 2-D projections: every pair of the first three variables
    pairs = [(0, 1), (0, 2), (1, 2)] if d >= 3 else [(0, 1)]
    fig, axes = plt.subplots(1, len(pairs), figsize=(2.5 * len(pairs), 2.5), squeeze=False)
    for ax, (i, j) in zip(axes[0], pairs):
        x, y = _pair(values, i, j, lag)
        _draw_xy(ax, x, y, kind, lw=0.3)
        ax.set_xlabel(names[i] if d > 1 else names[0])
        ax.set_ylabel(names[j] if d > 1 else names[1])
    _adjust(fig)
    out["proj2d"] = _png_bytes(fig, dpi=100)

    # 3-D projection of the first three variables (delay-embedded when d < 3)
    if True:
        if d >= 3:
            X, Y, Z = values[:, 0], values[:, 1], values[:, 2]
            zl = names[:3]
        elif d == 2:
            X, Y, Z = values[lag:, 0], values[lag:, 1], values[:-lag, 0]
            zl = [names[0], names[1], f"{system.variables[0]}(lagged)"]
        else:
            x = values[:, 0]
            X, Y, Z = x[2 * lag:], x[lag:-lag], x[:-2 * lag]
            zl = [names[0], names[1], names[1].replace(lag_label, f"{lag_label}2") if kind != "map" else "x(n+2)"]
        fig = plt.figure(figsize=(3.0, 3.0))
        ax = fig.add_subplot(projection="3d")
        if kind == "map":
            ax.scatter(X, Y, Z, s=0.3, color=INK, alpha=0.6, depthshade=False)
        else:
            ax.plot(X, Y, Z, lw=0.3, color=INK, alpha=0.85)
        ax.set_xlabel(zl[0], labelpad=-8)
        ax.set_ylabel(zl[1], labelpad=-8)
        ax.set_zlabel(zl[2], labelpad=-8)
        ax.tick_params(labelsize=0, length=0)
        fig.subplots_adjust(left=0, right=0.95, bottom=0.02, top=1)
        out["proj3d"] = _png_bytes(fig, dpi=100)

    # time series (a space-time image for spatially extended systems)
    n_show = len(t)
    if d > 10:
        fig, ax = plt.subplots(figsize=(7.0, 2.4))
        ax.imshow(values[:n_show].T, aspect="auto", origin="lower", cmap="RdBu_r",
                  extent=(t[0], t[n_show - 1], 0, d), interpolation="nearest")
        ax.set_xlabel("n" if kind == "map" else "t")
        ax.set_ylabel("variable index")
        _adjust(fig)
        out["series"] = _png_bytes(fig, dpi=100, colors=64)
    else:
        k = min(d, 3)
        span = min(n_show, 300 if kind == "map" else 20 * FLOW_PTS_PER_PERIOD)
        fig, axes = plt.subplots(k, 1, figsize=(7.0, 0.9 * k + 0.5), sharex=True, squeeze=False)
        for m in range(k):
            ax = axes[m, 0]
            if kind == "map":
                ax.plot(t[:span], values[:span, m], ".", ms=1.5, color=COLORS[m])
            else:
                ax.plot(t[:span], values[:span, m], lw=0.7, color=COLORS[m])
            ax.set_ylabel(system.variables[m])
        axes[-1, 0].set_xlabel("n" if kind == "map" else "t")
        fig.subplots_adjust(left=0.5 / 7.0, right=1 - 0.1 / 7.0, bottom=0.4 / (0.9 * k + 0.5),
                            top=1 - 0.08 / (0.9 * k + 0.5), hspace=0.12)
        out["series"] = _png_bytes(fig, dpi=100)

    # power spectrum (Welch), first three variables
    from scipy.signal import welch

    step = 1.0 if kind == "map" else float(t[1] - t[0])
    fig, ax = plt.subplots(figsize=(4.2, 2.6))
    for m in range(min(d, 3)):
        v = values[:, m] - values[:, m].mean()
        if not np.any(v):
            continue
        f, p = welch(v, fs=1.0 / step, nperseg=min(1024, len(v)))
        keep = (f > 0) & (p > 0)
        ax.semilogy(f[keep], p[keep], lw=0.8, color=COLORS[m], label=system.variables[m])
    ax.set_xlabel("frequency (1/iteration)" if kind == "map" else "frequency (1/time)")
    ax.set_ylabel("power spectral density")
    if d > 1:
        ax.legend(frameon=False, fontsize=7)
    fig.subplots_adjust(left=0.6 / 4.2, right=1 - 0.1 / 4.2, bottom=0.42 / 2.6, top=1 - 0.1 / 2.6)
    out["spectrum"] = _png_bytes(fig, dpi=100)
    return out


def _mathml_with_deadline(decl, seconds: int = 30):
    """MathML of the declaration, or ``None`` when SymPy cannot derive it within ``seconds``."""
    from chaoszoo.atlas.mathml import equations_mathml

    if decl.latex is not None:  # hand-written LaTeX: the SymPy form is not the displayed one
        return None
    use_alarm = hasattr(signal, "SIGALRM") and _main_thread()

    def _timeout(*_):
        raise TimeoutError

    old = signal.signal(signal.SIGALRM, _timeout) if use_alarm else None
    try:
        if use_alarm:
            signal.alarm(seconds)
        return equations_mathml(decl)
    except Exception:  # noqa: BLE001 - any SymPy failure: the page shows the LaTeX source instead
        return None
    finally:
        if use_alarm:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, old)


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def render_system(name: str, img_dir: str, key: str, shared: bool = True) -> dict:
    """Worker: simulate ``name``, write its pictures into ``img_dir``; return the page's data.

    Returns ``{"name", "key", "images": {role: filename}, "mathml", "error"}``; a simulation
    that fails (blows up) gives ``error`` and no pictures, never NaN pictures.
    """
    import chaoszoo as cz
    from chaoszoo.engine import shared_solvers

    s = cz.get(name)
    result = {"name": name, "key": key, "images": {}, "mathml": _mathml_with_deadline(s.declaration), "error": None}
    try:
        with shared_solvers(shared):
            tr = s.trajectory(**sampling(s.kind))
        values = np.asarray(tr.values, dtype=np.float64)
        if not np.all(np.isfinite(values)):
            raise cz.IntegrationError(f"{name}: non-finite values in the trajectory")
        pictures = draw(s, np.asarray(tr.t), values)
    except cz.ChaoszooError as exc:
        result["error"] = str(exc)
        return result
    except Exception as exc:  # noqa: BLE001 - one system's failure must not sink the whole site;
        # it is printed by the CLI, shown on the page, and not cached (the next build retries)
        result["error"] = f"{type(exc).__name__}: {exc}"
        return result
    img_dir = Path(img_dir)
    img_dir.mkdir(parents=True, exist_ok=True)
    for role, data in pictures.items():
        fname = f"{name}-{key[:12]}-{role}.png"
        target = img_dir / fname
        with replacing(target) as tmp:
            tmp.write_bytes(data)
        result["images"][role] = fname
    return result
