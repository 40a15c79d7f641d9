"""Importance sampling for training a forecaster (Gilpin 2021, sec. 6, "importance sampling").

A chaotic system can be re-integrated from any initial condition, so a forecaster's training
data can be *chosen*. Protocol, per flow (the published settings in brackets):

Our default epochs are a quarter of the published ones (``full_epochs`` 100, ``round_epochs``
10; the published ratio of training samples, full : importance ~ 2.5 : 1, becomes ~ 1.9 : 1) so
that the catalog fits in the time this 2-core machine has; the MLP has 32 hidden units.

1. One on-attractor trajectory of the observable, ``n_points`` samples at ``pts_per_period``
   points per period [1200 at 100]; the last ``horizon`` [200] are the test set.
2. **full**: the forecaster is trained on the training part for ``full_epochs`` [400].
3. **importance**: ``rounds`` [5] rounds; in each, ``n_ic`` [10] initial conditions are drawn
   from the states of the training trajectory, new trajectories of ``traj_len`` [150] samples
   (after ``transient`` [2]) are integrated from them (each perturbed by a uniform ``1e-2``
   relative kick), and the forecaster trains on them for ``round_epochs`` [30]. The first round
   draws uniformly; later rounds draw state ``i`` with probability proportional to ``e_i**4``,
   where ``e`` is the squared one-step backtest error over the training trajectory smoothed by a
   Savitzky-Golay filter (window 51, order 3) and clipped at zero (:func:`sampling_probabilities`).
4. **random**: the same rounds with uniform draws throughout (the control).

Each forecaster then forecasts the test horizon from the end of the training part; the score is
the sMAPE on the 0-2 scale (:func:`smape`), and the training wall time is recorded (for the two
sampling conditions it includes the backtests and the integrations, as in the published runs).

The forecaster is a small PyTorch MLP on a lag window (:class:`WindowMLP`), our own: the
published runs used a two-layer LSTM from darts, which on this 2-core machine would take
minutes per system and condition. It meets the benchmark's model interface (``fit(history,
info)``, ``predict(horizon)``) and adds ``partial_fit`` for training on further series.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from chaoszoo.experiments._io import write_json
from chaoszoo.errors import InvalidArgumentError, NotFittedError
from chaoszoo.forecast.interface import ForecastInfo, as_history, derive_seed

#: Published medians over n = 125 flows (Gilpin 2021, NeurIPS Datasets & Benchmarks, sec. 6,
#: as quoted in issue 11): sMAPE on the 0-2 scale and training time in seconds.
PUBLISHED = {"importance": {"smape": 0.909, "seconds": 95.0},
             "random": {"smape": 0.986, "seconds": 78.0},
             "full": {"smape": 1.002, "seconds": 190.0},
             "n_systems": 125}


@dataclass(frozen=True)
class Settings:
    n_points: int = 1200
    pts_per_period: int = 100
    horizon: int = 200
    window: int = 50
    hidden: int = 32
    full_epochs: int = 100
    rounds: int = 5
    n_ic: int = 10
    traj_len: int = 150
    transient: int = 2
    round_epochs: int = 10
    savgol_window: int = 51
    savgol_order: int = 3
    power: float = 4.0
    kick: float = 1e-2

    def __post_init__(self):
        from chaoszoo.data.files import finite_number, positive_int

        for name in ("n_points", "pts_per_period", "horizon", "window", "hidden", "rounds", "n_ic", "traj_len",
                     "savgol_window"):
            positive_int(getattr(self, name), f"Settings.{name}", 1)
        for name in ("transient", "full_epochs", "round_epochs"):
            positive_int(getattr(self, name), f"Settings.{name}", 0)
        positive_int(self.savgol_order, "Settings.savgol_order", 0)
        finite_number(self.power, "Settings.power", 0.0)
        finite_number(self.kick, "Settings.kick", 0.0)
        if self.n_points - self.horizon <= self.window + self.traj_len:
            raise InvalidArgumentError(
                f"Settings: the training part (n_points - horizon = {self.n_points - self.horizon}) must be longer "
                f"than window + traj_len ({self.window + self.traj_len}).")
        if self.traj_len <= self.window:
            raise InvalidArgumentError(f"Settings.traj_len ({self.traj_len}) must exceed the window ({self.window}).")


FAST = Settings(n_points=400, pts_per_period=40, horizon=60, window=20, hidden=16, full_epochs=20, rounds=3,
                n_ic=4, traj_len=60, round_epochs=5, savgol_window=11)


def smape(y_true, y_pred) -> float:
    """Symmetric MAPE on the 0-2 scale: ``mean(|y - f| / ((|y| + |f|) / 2))`` (0 where both are 0).

    The published experiment scored with sktime's symmetric MAPE, which is this formula.
    """
    y, f = np.asarray(y_true, float).ravel(), np.asarray(y_pred, float).ravel()
    den = (np.abs(y) + np.abs(f)) / 2
    ratio = np.divide(np.abs(y - f), den, out=np.zeros_like(den), where=den > 0)
    return float(ratio.mean())


def sampling_probabilities(sq_error, window: int = 51, order: int = 3, power: float = 4.0) -> np.ndarray:
    """Draw probabilities from a squared-error series: Savitzky-Golay smoothed, clipped at 0, to
    ``power``, normalised. Uniform when every smoothed error is zero."""
    from scipy.signal import savgol_filter

    e = np.asarray(sq_error, dtype=np.float64)
    if e.ndim != 1 or len(e) < 2 or not np.all(np.isfinite(e)):
        raise InvalidArgumentError("sq_error must be a finite 1-D array of length >= 2.")
    w = min(window, len(e) if len(e) % 2 else len(e) - 1)
    if w > order:
        e = savgol_filter(e, w, order)
    p = np.clip(e, 0.0, None) ** power
    total = p.sum()
    return p / total if total > 0 and np.isfinite(total) else np.full(len(e), 1.0 / len(e))


def draw_indices(sq_error, n: int, rng, window: int = 51, order: int = 3, power: float = 4.0) -> np.ndarray:
    """``n`` indices into ``sq_error``, drawn with replacement with :func:`sampling_probabilities`."""
    p = sampling_probabilities(sq_error, window, order, power)
    return rng.choice(len(p), size=int(n), p=p)


class WindowMLP:
    """A lag-window MLP forecaster: ``window`` past values -> the next one, iterated.

    Univariate (column 0 of the history). Inputs are scaled by the first history's mean and
    standard deviation. Deterministic given ``info.seed`` (single-threaded CPU PyTorch).
    """

    def __init__(self, window: int = 50, hidden: int = 64, epochs: int = 400, lr: float = 1e-3,
                 batch_size: int = 64):
        self.window, self.hidden, self.epochs, self.lr, self.batch_size = int(window), int(hidden), int(epochs), lr, int(batch_size)
        self._net = None

    def _build(self, seed: int):
        import torch

        torch.manual_seed(seed)
        self._rng = np.random.default_rng(seed)
        w, h = self.window, self.hidden
        self._net = torch.nn.Sequential(torch.nn.Linear(w, h), torch.nn.GELU(), torch.nn.Linear(h, h),
                                        torch.nn.GELU(), torch.nn.Linear(h, 1))
        self._opt = torch.optim.Adam(self._net.parameters(), lr=self.lr)

    def _windows(self, series_list):
        xs, ys = [], []
        for s in series_list:
            z = (np.asarray(s, float) - self._mu) / self._sd
            if len(z) <= self.window:
                continue
            idx = np.arange(len(z) - self.window)[:, None] + np.arange(self.window)[None, :]
            xs.append(z[idx])
            ys.append(z[self.window:])
        if not xs:
            raise InvalidArgumentError(f"every series is shorter than the window ({self.window}).")
        return np.concatenate(xs), np.concatenate(ys)

    def _train(self, series_list, epochs: int):
        import torch

        x, y = self._windows(series_list)
        xt, yt = torch.from_numpy(x.astype(np.float32)), torch.from_numpy(y.astype(np.float32))[:, None]
        for _ in range(int(epochs)):
            order = self._rng.permutation(len(x))
            for start in range(0, len(x), self.batch_size):
                b = order[start:start + self.batch_size]
                self._opt.zero_grad()
                loss = torch.mean((self._net(xt[b]) - yt[b]) ** 2)
                loss.backward()
                self._opt.step()

    def start(self, history, info: ForecastInfo | None = None):
        """Initialise (untrained) network and scaler from ``history``; it becomes the context."""
        h = as_history(history)[:, 0]
        self._mu, self._sd = float(h.mean()), float(h.std() or 1.0)
        self._build((info or ForecastInfo()).seed)
        self._h = h
        return self

    def fit(self, history, info: ForecastInfo | None = None):
        """Model interface: train on ``history`` for ``epochs`` epochs."""
        self.start(history, info)
        self._train([self._h], self.epochs)
        return self

    def partial_fit(self, series_list, epochs: int):
        """Train further on other series (the scaler and context stay those of the first fit)."""
        if self._net is None:
            raise NotFittedError("WindowMLP.partial_fit() called before start() or fit().")
        self._train(series_list, epochs)
        return self

    def one_step(self, series) -> np.ndarray:
        """One-step-ahead predictions of ``series[window:]`` from the true lags (a backtest)."""
        import torch

        z = (np.asarray(series, float) - self._mu) / self._sd
        idx = np.arange(len(z) - self.window)[:, None] + np.arange(self.window)[None, :]
        with torch.no_grad():
            out = self._net(torch.from_numpy(z[idx].astype(np.float32)))[:, 0].numpy().astype(np.float64)
        return out * self._sd + self._mu

    def predict(self, horizon: int) -> np.ndarray:
        import torch

        if self._net is None:
            raise NotFittedError("WindowMLP.predict() called before fit().")
        buf = list((self._h[-self.window:] - self._mu) / self._sd)
        out = []
        with torch.no_grad():
            for _ in range(int(horizon)):
                nxt = float(self._net(torch.tensor(buf[-self.window:], dtype=torch.float32)[None, :])[0, 0])
                if not np.isfinite(nxt) or abs(nxt) > 1e6:
                    nxt = float(np.clip(np.nan_to_num(nxt), -1e6, 1e6))
                buf.append(nxt)
                out.append(nxt)
        return (np.array(out) * self._sd + self._mu)[:, None]


def _integrator(system, st: Settings, k: int):
    """``f(ics (k, d)) -> (k, n, d)``: one fixed shape, so JAX compiles one solver per system."""
    n = max(st.n_points, st.traj_len + st.transient)

    def run(ics):
        return system.ensemble(n, ics=ics, pts_per_period=st.pts_per_period, rtol=1e-8, atol=1e-8)

    return run


def run_system(name: str, st: Settings = Settings(), seed: int = 0) -> dict:
    """The three conditions on one flow; returns scores, times and the draws' indices."""
    import torch

    import chaoszoo as cz
    from chaoszoo.data.generate import observable_index

    torch.set_num_threads(1)
    system = cz.get(name)
    obs = observable_index(system)
    k = st.n_ic
    integrate = _integrator(system, st, k)
    # from the catalog ic onto the attractor, then the base trajectory (same shape: one compile)
    warm = integrate(np.repeat(system.ic[None, :], k, axis=0))
    base_states = integrate(np.repeat(warm[0, -1][None, :], k, axis=0))[0, : st.n_points]
    y = base_states[:, obs]
    train, test = y[: -st.horizon], y[-st.horizon:]
    scale = base_states.std(axis=0) + 1e-12
    rng0 = np.random.default_rng(derive_seed("importance", name, seed))
    info = ForecastInfo(system=name, seed=derive_seed("importance-model", name, seed))

    def make():
        return WindowMLP(window=st.window, hidden=st.hidden, epochs=st.full_epochs)

    out = {"system": name, "settings": asdict(st)}
    t0 = time.perf_counter()
    m = make().fit(train, info)
    out["full_seconds"] = time.perf_counter() - t0
    out["full_smape"] = smape(test, m.predict(st.horizon))

    n_train = len(train)
    for cond in ("importance", "random"):
        rng = np.random.default_rng(rng0.integers(2**31) if cond == "importance" else derive_seed("random", name, seed))
        m = make().start(train, info)
        draws, int_s = [], 0.0
        t0 = time.perf_counter()
        for r in range(st.rounds):
            if cond == "importance" and r > 0:
                pred = m.one_step(train)
                err = (pred - train[st.window:]) ** 2
                idx = st.window + draw_indices(err, k, rng, st.savgol_window, st.savgol_order, st.power)
            else:
                idx = rng.integers(0, n_train - st.traj_len, size=k)
            draws.append(idx.tolist())
            ics = base_states[idx] + st.kick * scale * (rng.random((k, base_states.shape[1])) - 0.5)
            t1 = time.perf_counter()
            new = integrate(ics)[:, st.transient: st.transient + st.traj_len, obs]
            int_s += time.perf_counter() - t1
            m.partial_fit(list(new), st.round_epochs)
        out[f"{cond}_seconds"] = time.perf_counter() - t0
        out[f"{cond}_integration_seconds"] = int_s
        out[f"{cond}_smape"] = smape(test, m.predict(st.horizon))
        out[f"{cond}_draws"] = draws
    return out


def flow_names(names=None, option: str = "names") -> list[str]:
    """:func:`chaoszoo.data.files.flow_names` for the importance-sampling experiment."""
    from chaoszoo.data.files import flow_names as checked

    return checked(names, option, "the importance-sampling experiment")


def load_results(path, st: "Settings | None" = None, seed: int | None = None) -> dict | None:
    """The results file at ``path`` (``None`` when absent), validated; with ``st`` and ``seed``,
    refused when it holds results of other settings (it would otherwise be overwritten).

    Raises:
        DatasetError: damaged, foreign, or of other settings.
    """
    from chaoszoo.data.files import read_json
    from chaoszoo.errors import DatasetError

    path = Path(path)
    if not path.exists():
        return None
    advice = f"Delete {path} (or choose another --out) to start again."
    old = read_json(path, "importance-sampling results file", advice)
    if not (isinstance(old.get("settings"), dict) and isinstance(old.get("systems"), dict)
            and isinstance(old.get("failed"), dict) and isinstance(old.get("seed"), int)
            and all(isinstance(r, dict) for r in old["systems"].values())):
        raise DatasetError(f"{path} is not an importance-sampling results file (it lacks the settings, seed, systems "
                           f"or failed entries). {advice}")
    if st is not None and (old["settings"] != json.loads(json.dumps(asdict(st))) or old["seed"] != seed):
        raise DatasetError(f"{path} holds results of other settings or another seed (seed {old['seed']}); they would "
                           "be overwritten. Rerun with the same options (--fast or not, --seed), choose another --out, "
                           "or delete the file.")
    return old


def run(names=None, out_path=None, st: Settings = Settings(), seed: int = 0, progress: bool = True,
        deadline: float | None = None) -> dict:
    """Run :func:`run_system` over ``names`` (default: every flow), resuming from ``out_path``
    (a JSON file rewritten atomically after each system). Stops cleanly at ``deadline`` (epoch s).

    Raises:
        InvalidArgumentError: before any work: an empty or unknown name, a map or delay equation,
            bad settings, seed or deadline, an output that cannot be written.
        DatasetError: ``out_path`` is damaged, foreign, or holds results of other settings.
    """
    import numbers

    from tqdm import tqdm

    from chaoszoo.data.files import finite_number, output_file

    names = flow_names(names)
    if not isinstance(st, Settings):
        raise InvalidArgumentError(f"st must be a chaoszoo.experiments.importance.Settings; got {st!r}.")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise InvalidArgumentError(f"seed must be an integer; got {seed!r}.")
    if deadline is not None:
        finite_number(deadline, "deadline")
    results = {"settings": asdict(st), "seed": seed, "systems": {}, "failed": {}}
    path = output_file(out_path, (".json",), "out_path") if out_path is not None else None
    if path is not None:
        results = load_results(path, st, seed) or results
    todo = [n for n in names if n not in results["systems"] and n not in results["failed"]]
    for name in tqdm(todo, desc="importance sampling", unit="system", disable=not progress):
        if deadline is not None and time.time() > deadline:
            break
        try:
            results["systems"][name] = run_system(name, st, seed)
        except Exception as err:  # noqa: BLE001 - one system's failure is recorded, the run goes on
            results["failed"][name] = f"{type(err).__name__}: {err}"
        if path:
            write_json(path, results)
    return results


def summary(results: dict) -> dict:
    """Medians of sMAPE and seconds per condition, paired Wilcoxon tests, and the published row."""
    from scipy.stats import wilcoxon

    rows = list(results["systems"].values())
    s = {"n_systems": len(rows), "published": PUBLISHED}
    for c in ("importance", "random", "full"):
        s[c] = {"smape": float(np.median([r[f"{c}_smape"] for r in rows])) if rows else None,
                "seconds": float(np.median([r[f"{c}_seconds"] for r in rows])) if rows else None}
    for a, b in (("importance", "random"), ("importance", "full"), ("random", "full")):
        x = np.array([r[f"{a}_smape"] for r in rows])
        y = np.array([r[f"{b}_smape"] for r in rows])
        if len(rows) >= 6 and np.any(x != y):
            s[f"wilcoxon_{a}_vs_{b}"] = float(wilcoxon(x, y).pvalue)
            s[f"{a}_better_than_{b}"] = int(np.sum(x < y))
    return s


