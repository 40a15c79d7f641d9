"""Surrogate transfer learning for time-series classification (Gilpin 2021, sec. 6).

Protocol, per target data set (the published settings in brackets):

1. Every series is z-scored.
2. The data set's dominant timescale is the period of the peak of the mean periodogram of its
   training series (:func:`dominant_period`), in samples.
3. Every catalog flow is sampled at that many points per period, ``surrogate_len`` [1000]
   samples of its observable, z-scored (from the surrogate bank, :mod:`.surrogates`).
4. A causal dilated-CNN autoencoder (:class:`CausalAutoencoder`) is trained to reconstruct
   ``n_windows`` [10 000] random windows of ``window`` [100] samples of the surrogates, for
   ``epochs`` [200] (Adam, learning rate 1e-3, batch 64, MSE).
5. The encoder maps each target series to 8 latent channels; features of each channel are
   extracted and concatenated; a ridge classifier with its penalty chosen by leave-one-out
   cross-validation (scikit-learn ``RidgeClassifierCV``, alphas ``logspace(-3, 3, 10)``) is fitted
   on the training split and scored (accuracy) on the test split.

Baselines as published: **raw**, the same features of the z-scored series themselves; **random**,
the same pipeline with surrogates at random timescales (each flow at an integer number of points
per period drawn uniformly from 10..99, seeded), one ensemble for every data set. A control the
published run lacks: **untrained**, the transfer condition's encoder with its initial random
weights (the same seeds, so the very weights the transfer encoder starts from), never trained;
the transfer gain over it is what training on surrogates adds to a random convolutional feature
map of the same size.

Where we differ, and why: the features are catch22 (pycatch22, 24 features with mean and
standard deviation) instead of tsfresh's comprehensive set (tsfresh is not installed here, and its
comprehensive set costs about a second per series, hours per data set on this 2-core machine);
the autoencoder sees ``n_windows`` = 2000 windows for ``epochs`` = 5 (not 10 000 for 200: on
this shared 2-core machine one published-size training takes over ten minutes; the loss
already falls below 1% of its start);
results are averaged over ``seeds`` autoencoder trainings. The targets are the univariate,
equal-length UCR/UEA classification sets that the installed ``aeon`` wheel ships inside itself
(:func:`shipped_datasets`), not the 90 of the published run, which were downloaded.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from chaoszoo.experiments._io import write_json
from chaoszoo.errors import DatasetError, InvalidArgumentError, MissingExtraError
from chaoszoo.forecast.interface import derive_seed

#: Published medians over 90 UCR data sets (Gilpin 2021, NeurIPS Datasets & Benchmarks, sec. 6,
#: as quoted in issue 11): classification accuracy.
PUBLISHED = {"transfer": 0.844, "raw": 0.808, "random": 0.820, "n_datasets": 90}

#: Conditions; ``untrained`` (the encoder's initial random weights) has no published value.
CONDITIONS = ("transfer", "random", "untrained", "raw")
#: Paired comparisons reported by :func:`summary` (first minus second).
COMPARISONS = (("transfer", "raw"), ("transfer", "random"), ("transfer", "untrained"), ("random", "raw"),
               ("random", "untrained"), ("untrained", "raw"))


@dataclass(frozen=True)
class Settings:
    surrogate_len: int = 1000
    window: int = 100
    n_windows: int = 2000
    epochs: int = 5
    batch_size: int = 64
    lr: float = 1e-3
    seeds: int = 2
    random_pts: tuple[int, int] = (10, 99)

    def __post_init__(self):
        from chaoszoo.data.files import finite_number, positive_int

        for name in ("surrogate_len", "window", "n_windows", "batch_size", "seeds"):
            positive_int(getattr(self, name), f"Settings.{name}", 1)
        positive_int(self.epochs, "Settings.epochs", 0)  # 0: the untrained encoder
        if finite_number(self.lr, "Settings.lr") <= 0:
            raise InvalidArgumentError(f"Settings.lr must be positive; got {self.lr!r}.")
        if self.window % 3 != 1:
            raise InvalidArgumentError(f"Settings.window must be 1 more than a multiple of 3 (e.g. 100); got {self.window}.")
        if self.surrogate_len < self.window:
            raise InvalidArgumentError(f"Settings.surrogate_len ({self.surrogate_len}) must be at least the window "
                                       f"({self.window}).")
        lo_hi = tuple(self.random_pts) if isinstance(self.random_pts, (tuple, list)) else ()
        if len(lo_hi) != 2 or not all(isinstance(v, int) and not isinstance(v, bool) for v in lo_hi) \
                or not 4 <= lo_hi[0] <= lo_hi[1]:
            raise InvalidArgumentError(f"Settings.random_pts must be two integers 4 <= lo <= hi; got {self.random_pts!r}.")


FAST = Settings(surrogate_len=300, window=61, n_windows=256, epochs=2, seeds=1)


# ----------------------------------------------------------------------------- data sets

def _aeon_data_dir() -> Path:
    try:
        import aeon.datasets
    except ImportError as err:
        raise MissingExtraError("The transfer-learning experiment's target data", "features", "aeon") from err
    return Path(aeon.datasets.__file__).parent / "data"


def shipped_datasets() -> dict[str, str]:
    """Every data set with a ``_TRAIN.ts`` and ``_TEST.ts`` inside the installed aeon wheel, mapped
    to ``"ok"`` (a univariate, equal-length classification set of the UCR archive: used) or the
    reason it is not used. ``PickupGestureWiimoteZ_eq`` is the archive's equal-length version of a
    variable-length set."""
    from aeon.datasets import load_from_ts_file
    from aeon.datasets.tsc_datasets import univariate as ucr_archive

    out = {}
    root = _aeon_data_dir()
    for train in sorted(root.glob("*/*_TRAIN.ts")):
        name = train.name[: -len("_TRAIN.ts")]
        if not (train.parent / f"{name}_TEST.ts").exists():
            continue
        try:
            X, y, meta = load_from_ts_file(str(train), return_meta_data=True)
        except Exception as err:  # noqa: BLE001 - a file aeon cannot read is reported, not used
            out[name] = f"unreadable: {err}"
            continue
        if not meta.get("classlabel", True) or y is None:
            out[name] = "not a classification set"
        elif not meta.get("univariate", False):
            out[name] = "multivariate"
        elif not meta.get("equallength", True) or isinstance(X, list):
            out[name] = "unequal lengths"
        elif name not in ucr_archive and name.removesuffix("_eq") not in ucr_archive:
            out[name] = "not a UCR archive data set (aeon's own test data)"
        else:
            out[name] = "ok"
    return out


def dataset_files() -> list[str]:
    """Names of the data sets with a ``_TRAIN.ts`` and a ``_TEST.ts`` in the installed aeon wheel
    (a directory listing: fast; :func:`shipped_datasets` says which are usable)."""
    root = _aeon_data_dir()
    return sorted(p.name[: -len("_TRAIN.ts")] for p in root.glob("*/*_TRAIN.ts")
                  if (p.parent / p.name.replace("_TRAIN.ts", "_TEST.ts")).exists())


def check_datasets(names, option: str = "datasets") -> list[str]:
    """``names`` (a sequence or a comma-separated string) checked before any work: each must be a
    usable data set shipped by aeon. Misspelt names fail at once (a directory listing); the
    usability check reads the files (about 2 s)."""
    import difflib

    from chaoszoo.data.files import name_list

    names = name_list(names, option, "data set")
    files = dataset_files()
    for n in names:
        if n not in files:
            close = difflib.get_close_matches(n, files, n=3, cutoff=0.5)
            hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
            raise DatasetError(f"No data set {n!r} is shipped by the installed aeon.{hint} Available: "
                               f"{', '.join(files)}.")
    shipped = shipped_datasets()
    for n in names:
        if shipped.get(n) != "ok":
            usable = [k for k, v in shipped.items() if v == "ok"]
            raise DatasetError(f"Data set {n!r} cannot be used ({shipped.get(n)}); the usable univariate "
                               f"classification sets are: {', '.join(usable)}.")
    return names


def load_dataset(name: str):
    """``(X_train (n, L), y_train, X_test (m, L), y_test)`` of a shipped univariate data set."""
    from aeon.datasets import load_from_ts_file

    shipped = shipped_datasets()
    if shipped.get(name) != "ok":
        usable = [k for k, v in shipped.items() if v == "ok"]
        why = f" ({shipped[name]})" if name in shipped else ""
        raise DatasetError(f"No installed package ships a usable univariate classification data set {name!r}{why}. "
                           f"Shipped by aeon here: {', '.join(usable)}.")
    parts = []
    for split in ("TRAIN", "TEST"):
        path = next(_aeon_data_dir().glob(f"*/{name}_{split}.ts"))
        X, y = load_from_ts_file(str(path))
        parts += [np.asarray(X, dtype=np.float64)[:, 0, :], np.asarray(y)]
    return tuple(parts)


def zscore_rows(X) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    X = np.nan_to_num(X - np.nanmean(X, axis=-1, keepdims=True))
    sd = X.std(axis=-1, keepdims=True)
    return X / np.where(sd > 0, sd, 1.0)


def dominant_period(X) -> float:
    """Period, in samples, of the highest peak of the mean periodogram of the rows of ``X``
    (zero frequency excluded)."""
    from scipy.signal import periodogram

    X = zscore_rows(np.atleast_2d(X))
    if X.shape[-1] < 4:
        raise InvalidArgumentError(f"series of length {X.shape[-1]} are too short for a period.")
    f, p = periodogram(X, axis=-1, detrend="constant")
    p = p.mean(axis=0)
    k = 1 + int(np.argmax(p[1:]))
    return float(1.0 / f[k])


# ----------------------------------------------------------------------------- model

def _torch():
    try:
        import torch
    except ImportError as err:
        raise MissingExtraError("The transfer-learning experiment", "zoo", "torch") from err
    return torch


def CausalAutoencoder():
    """Encoder: a causal dilated convolution block (1 -> 16 channels, kernel 3, dilations 1 and 2,
    left padding only, ELU, residual 1x1) then a stride-3 convolution to 8 channels; decoder:
    transposed convolutions back to the window length (a multiple of 3 plus 1, e.g. 100)."""
    torch = _torch()
    nn = torch.nn

    class CausalConv(nn.Module):
        def __init__(self, cin, cout, dilation):
            super().__init__()
            self.pad = 2 * dilation
            self.conv = nn.Conv1d(cin, cout, 3, dilation=dilation)

        def forward(self, x):
            return self.conv(nn.functional.pad(x, (self.pad, 0)))

    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.c1, self.c2, self.skip = CausalConv(1, 16, 1), CausalConv(16, 16, 2), nn.Conv1d(1, 16, 1)

        def forward(self, x):
            h = nn.functional.elu(self.c1(x))
            return nn.functional.elu(self.c2(h)) + self.skip(x)

    class AE(nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = nn.Sequential(Block(), nn.Conv1d(16, 8, 3, stride=3, padding=1))
            self.decoder = nn.Sequential(nn.ConvTranspose1d(8, 16, 3, padding=1), nn.ELU(),
                                         nn.ConvTranspose1d(16, 8, 3, stride=3, padding=1), nn.ELU(),
                                         nn.ConvTranspose1d(8, 1, 3, padding=1))

        def forward(self, x):
            return self.decoder(self.encoder(x))

    return AE()


def random_windows(series: np.ndarray, window: int, n: int, rng) -> np.ndarray:
    """``n`` windows ``(n, 1, window)`` drawn uniformly over the rows and offsets of ``series``."""
    series = np.asarray(series, dtype=np.float32)
    if series.shape[1] < window:
        raise InvalidArgumentError(f"surrogates of length {series.shape[1]} are shorter than the window {window}.")
    rows = rng.integers(0, len(series), n)
    offs = rng.integers(0, series.shape[1] - window + 1, n)
    return series[rows[:, None], offs[:, None] + np.arange(window)][:, None, :]


def initial_autoencoder(seed: int):
    """A :func:`CausalAutoencoder` with PyTorch's default random initialisation under ``seed``: the
    weights :func:`train_autoencoder` starts from with the same seed (the untrained control)."""
    torch = _torch()
    torch.manual_seed(seed)
    return CausalAutoencoder()


def train_autoencoder(series: np.ndarray, st: Settings, seed: int):
    """Train a :func:`CausalAutoencoder` on random windows of ``series`` ``(k, n)``; returns the
    model and the per-epoch mean reconstruction losses."""
    torch = _torch()
    if st.window % 3 != 1:
        raise InvalidArgumentError(f"the autoencoder's window must be 1 more than a multiple of 3 (e.g. 100); got {st.window}.")
    model = initial_autoencoder(seed)
    rng = np.random.default_rng(seed)
    data = torch.from_numpy(random_windows(series, st.window, st.n_windows, rng))
    opt = torch.optim.Adam(model.parameters(), lr=st.lr)
    losses = []
    for _ in range(st.epochs):
        order = rng.permutation(len(data))
        total = 0.0
        for start in range(0, len(data), st.batch_size):
            b = data[order[start:start + st.batch_size]]
            opt.zero_grad()
            loss = torch.mean((model(b) - b) ** 2)
            loss.backward()
            opt.step()
            total += loss.item() * len(b)
        losses.append(total / len(data))
    return model, losses


def encode(model, X) -> np.ndarray:
    """Latent channels ``(n, 8, ceil(L / 3))`` of the rows of ``X``."""
    torch = _torch()
    with torch.no_grad():
        return model.encoder(torch.from_numpy(np.asarray(X, np.float32)[:, None, :])).numpy().astype(np.float64)


# ----------------------------------------------------------------------------- features, classifier

def catch22_features(X) -> np.ndarray:
    """catch22 (+ mean and standard deviation) of every row of ``X`` ``(n, L)`` or of every
    channel of ``X`` ``(n, c, L)``, concatenated per row; non-finite values become 0."""
    try:
        import pycatch22
    except ImportError as err:
        raise MissingExtraError("catch22 features", "features", "pycatch22") from err
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 2:
        X = X[:, None, :]
    feats = np.array([[v for c in row for v in pycatch22.catch22_all(c.tolist(), catch24=True)["values"]]
                      for row in X], dtype=np.float64)
    return np.nan_to_num(feats, nan=0.0, posinf=0.0, neginf=0.0)


def classify(F_train, y_train, F_test, y_test) -> float:
    """Test accuracy of a standardised ridge classifier, penalty by leave-one-out CV."""
    from sklearn.linear_model import RidgeClassifierCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    clf = make_pipeline(StandardScaler(), RidgeClassifierCV(alphas=np.logspace(-3, 3, 10)))
    clf.fit(F_train, y_train)
    return float(clf.score(F_test, y_test))


# ----------------------------------------------------------------------------- experiment

def surrogate_ensemble(bank: dict, pts_per_period, n: int) -> np.ndarray:
    """``(k, n)`` z-scored surrogates: every banked flow at ``pts_per_period`` (one number, or a
    mapping name -> number); flows too short at that density are left out."""
    from chaoszoo.experiments.surrogates import resample

    rows = []
    for name, series in bank.items():
        p = pts_per_period[name] if isinstance(pts_per_period, dict) else pts_per_period
        y = resample(series, p, n)
        if len(y) == n:
            rows.append(y)
    if not rows:
        raise DatasetError(f"No surrogate of length {n} at {pts_per_period} points per period; the bank is empty or too short.")
    return np.array(rows)


def random_timescales(names, st: Settings, seed: int = 0) -> dict:
    rng = np.random.default_rng(derive_seed("transfer-random-timescales", seed))
    lo, hi = st.random_pts
    return {n: int(rng.integers(lo, hi + 1)) for n in names}


def run_dataset(name: str, bank: dict, st: Settings = Settings(), seed: int = 0, conditions=CONDITIONS,
                previous: dict | None = None) -> dict:
    """The ``conditions`` on one data set, added to ``previous`` (a row of an earlier run, whose
    conditions are kept)."""
    _torch().set_num_threads(1)
    unknown = set(conditions) - set(CONDITIONS)
    if unknown:
        raise InvalidArgumentError(f"Unknown transfer conditions {sorted(unknown)}; choose from {CONDITIONS}.")
    Xtr, ytr, Xte, yte = load_dataset(name)
    Xtr, Xte = zscore_rows(Xtr), zscore_rows(Xte)
    period = dominant_period(Xtr)
    out = dict(previous or {})
    out.update({"dataset": name, "n_train": len(Xtr), "n_test": len(Xte), "length": Xtr.shape[1],
                "n_classes": int(len(np.unique(ytr))), "dominant_period": period})
    if "raw" in conditions:
        t0 = time.perf_counter()
        out["raw"] = classify(catch22_features(Xtr), ytr, catch22_features(Xte), yte)
        out["raw_seconds"] = time.perf_counter() - t0
    # the surrogates' timescale: the target's period, in points per period (at least 4: the bank's floor)
    timescales = {"transfer": max(4.0, period), "random": random_timescales(sorted(bank), st, seed)}
    for cond in ("transfer", "random", "untrained"):
        if cond not in conditions:
            continue
        accs, losses = [], []
        t0 = time.perf_counter()
        series = surrogate_ensemble(bank, timescales[cond], st.surrogate_len) if cond != "untrained" else None
        for s in range(st.seeds):
            if cond == "untrained":  # the transfer encoder's starting weights, never trained
                model = initial_autoencoder(derive_seed("transfer", name, "transfer", seed, s))
            else:
                model, loss = train_autoencoder(series, st, derive_seed("transfer", name, cond, seed, s))
                losses.append([loss[0], loss[-1]])
            accs.append(classify(catch22_features(encode(model, Xtr)), ytr, catch22_features(encode(model, Xte)), yte))
        out[cond] = float(np.mean(accs))
        out[f"{cond}_per_seed"] = accs
        if series is not None:
            out[f"{cond}_loss_first_last"] = losses
            out[f"{cond}_n_surrogates"] = int(len(series))
        out[f"{cond}_seconds"] = time.perf_counter() - t0
    return out


def run(datasets=None, out_path=None, st: Settings = Settings(), seed: int = 0, bank: dict | None = None,
        progress: bool = True) -> dict:
    """Run every shipped data set (or ``datasets``), resuming from ``out_path`` (JSON, rewritten
    atomically after each data set). A data set already there that lacks a condition (a file from
    before the condition existed) gets only the missing ones."""
    from tqdm import tqdm

    import numbers

    from chaoszoo.data.files import output_file
    from chaoszoo.experiments.surrogates import build_bank

    if not isinstance(st, Settings):
        raise InvalidArgumentError(f"st must be a chaoszoo.experiments.transfer.Settings; got {st!r}.")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise InvalidArgumentError(f"seed must be an integer; got {seed!r}.")
    if bank is not None and not isinstance(bank, dict):
        raise InvalidArgumentError(f"bank must be a dict of surrogate series (surrogates.build_bank()); got {bank!r}.")
    if datasets is None:
        datasets = [k for k, v in shipped_datasets().items() if v == "ok"]
    else:
        datasets = check_datasets(datasets)
    path = output_file(out_path, (".json",), "out_path") if out_path is not None else None
    old = load_results(path) if path is not None else None  # damaged or foreign: fail before the bank
    bank = build_bank(progress=progress) if bank is None else bank
    if not bank:
        raise DatasetError("The surrogate bank is empty: no flow could be integrated (or, with --bank-only, none is "
                           "cached yet); run without --bank-only to build it.")
    results = {"settings": asdict(st), "seed": seed, "systems": sorted(bank), "datasets": {}}
    if old is not None:
        if old.get("settings") != json.loads(json.dumps(results["settings"])) or old.get("seed") != seed \
                or old.get("systems") != results["systems"]:
            raise DatasetError(f"{path} holds results of other settings, another seed or another surrogate bank; "
                               "they would be overwritten. Rerun with the same options (--fast or not, --seed, "
                               "--bank-only), choose another --out, or delete the file.")
        results = old
    def missing(name):
        return [c for c in CONDITIONS if c not in results["datasets"].get(name, {})]

    for name in tqdm([d for d in datasets if missing(d)], desc="transfer", unit="dataset", disable=not progress):
        results["datasets"][name] = run_dataset(name, bank, st, seed, missing(name), results["datasets"].get(name))
        if path:
            write_json(path, results)
    return results


def load_results(path) -> dict | None:
    """The results file at ``path`` (``None`` when absent), validated.

    Raises:
        DatasetError: damaged or not a transfer results file.
    """
    from chaoszoo.data.files import read_json

    path = Path(path)
    if not path.exists():
        return None
    advice = f"Delete {path} (or choose another --out) to start again."
    old = read_json(path, "transfer results file", advice)
    if not (isinstance(old.get("settings"), dict) and isinstance(old.get("datasets"), dict)
            and isinstance(old.get("systems"), list) and isinstance(old.get("seed"), int)
            and all(isinstance(r, dict) for r in old["datasets"].values())):
        raise DatasetError(f"{path} is not a transfer results file (it lacks the settings, seed, systems or "
                           f"datasets entries). {advice}")
    return old


def summary(results: dict) -> dict:
    """Median accuracy per condition beside the published medians; paired Wilcoxon tests between
    conditions (:data:`COMPARISONS`), and one-sample Wilcoxon tests of each published condition
    against its published median."""
    from scipy.stats import wilcoxon

    rows = list(results["datasets"].values())
    s = {"n_datasets": len(rows), "published": PUBLISHED}
    conds = [c for c in CONDITIONS if all(c in r for r in rows)]
    acc = {c: np.array([r[c] for r in rows]) for c in conds}
    for c in conds:
        s[c] = {"median": float(np.median(acc[c])) if rows else None,
                "mean": float(np.mean(acc[c])) if rows else None}
        if c in PUBLISHED:
            d = acc[c] - PUBLISHED[c]
            if np.any(d != 0):
                s[c]["wilcoxon_vs_published_p"] = float(wilcoxon(d).pvalue)
    for a, b in COMPARISONS:
        if a not in acc or b not in acc:
            continue
        d = acc[a] - acc[b]
        s[f"{a}_vs_{b}"] = {"wins": int(np.sum(d > 0)), "ties": int(np.sum(d == 0)), "losses": int(np.sum(d < 0)),
                            "median_difference": float(np.median(d)) if rows else None,
                            "wilcoxon_p": float(wilcoxon(acc[a], acc[b]).pvalue) if np.any(d != 0) else 1.0}
    return s
