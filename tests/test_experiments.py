"""The generative experiments (chaoszoo.experiments) at tiny sizes, against independent references."""

from __future__ import annotations

import json

import numpy as np
import pytest

from chaoszoo.errors import DatasetError, InvalidArgumentError
from chaoszoo.experiments import importance, surrogates, transfer
from extras import require

torch = require("torch", "torch")  # the experiments' networks
require("aeon", "features")
require("pycatch22", "features")

torch.set_num_threads(1)  # tiny networks: threads only add overhead (this is the test process's setting)


# ----------------------------------------------------------------------------- transfer pieces

def test_dominant_period_of_sines_is_their_period():
    t = np.arange(200)
    rng = np.random.default_rng(0)
    X = np.sin(2 * np.pi * t / 25 + rng.uniform(0, 2 * np.pi, (12, 1))) + 0.1 * rng.standard_normal((12, 200))
    assert transfer.dominant_period(X) == pytest.approx(25.0)
    X2 = 3 + 2 * np.sin(2 * np.pi * t / 40)[None, :]     # offset and scale do not matter
    assert transfer.dominant_period(X2) == pytest.approx(40.0)


def test_resample_gives_the_requested_points_per_period():
    # a banked sine (BANK_PTS points per period) resampled at 25 and 7.5 points per period is the
    # analytic sine sampled at that density (cubic spline; z-scored)
    k = np.arange(surrogates.BANK_PTS * 30)
    bank = np.sin(2 * np.pi * k / surrogates.BANK_PTS).astype(np.float32)
    for pts in (25.0, 7.5, 20.0):
        y = surrogates.resample(bank, pts, 150)
        ref = np.sin(2 * np.pi * np.arange(150) / pts)
        ref = (ref - ref.mean()) / ref.std()
        assert np.max(np.abs(y - ref)) < 2e-3
    assert len(surrogates.resample(bank, 4.0, 10_000)) < 10_000   # too short at that density


def test_autoencoder_is_causal_and_learns():
    model = transfer.CausalAutoencoder()
    x = torch.randn(1, 1, 100)
    x2 = x.clone()
    x2[..., 60:] += 1.0
    with torch.no_grad():
        z, z2 = model.encoder(x), model.encoder(x2)
    # latent sample j (stride 3, padding 1) sees inputs up to 3j + 1: those ending before 60 are unchanged
    j = np.arange(z.shape[-1])
    before = 3 * j + 1 < 60
    assert torch.allclose(z[..., before], z2[..., before])
    assert not torch.allclose(z[..., ~before], z2[..., ~before])

    t = np.arange(400)
    series = np.array([np.sin(2 * np.pi * t / p) for p in (13.0, 21.0, 34.0)])
    st = transfer.Settings(window=61, n_windows=192, epochs=10, seeds=1)
    _, losses = transfer.train_autoencoder(series, st, seed=1)
    assert losses[-1] < 0.1 * losses[0]    # measured: 0.54 -> 0.022 (a zero output scores 0.5)
    with pytest.raises(InvalidArgumentError, match="multiple of 3"):
        transfer.train_autoencoder(series, transfer.Settings(window=60), seed=1)


def test_untrained_control_is_the_transfer_encoders_starting_point():
    """The untrained control's weights are the ones training starts from (same seed), and
    training moves them; a different seed gives other weights."""
    series = np.array([np.sin(2 * np.pi * np.arange(300) / p) for p in (13.0, 21.0)])
    start = transfer.initial_autoencoder(7).state_dict()
    untouched, _ = transfer.train_autoencoder(series, transfer.Settings(window=61, n_windows=64, epochs=0, seeds=1), 7)
    assert all(torch.equal(v, untouched.state_dict()[k]) for k, v in start.items())
    trained, _ = transfer.train_autoencoder(series, transfer.Settings(window=61, n_windows=64, epochs=1, seeds=1), 7)
    assert not torch.equal(start["encoder.1.weight"], trained.state_dict()["encoder.1.weight"])
    assert not torch.equal(start["encoder.1.weight"], transfer.initial_autoencoder(8).state_dict()["encoder.1.weight"])


def test_summary_pairs_the_untrained_control_like_the_other_baselines():
    from scipy.stats import wilcoxon

    acc = {"transfer": [0.9, 0.8, 0.7, 0.95, 0.6, 0.85], "random": [0.88, 0.79, 0.7, 0.9, 0.55, 0.8],
           "untrained": [0.8, 0.81, 0.6, 0.9, 0.5, 0.7], "raw": [0.7, 0.6, 0.65, 0.8, 0.5, 0.75]}
    res = {"datasets": {f"D{i}": {c: acc[c][i] for c in acc} for i in range(6)}}
    s = transfer.summary(res)
    t = s["transfer_vs_untrained"]
    assert (t["wins"], t["ties"], t["losses"]) == (5, 0, 1)
    assert t["wilcoxon_p"] == pytest.approx(wilcoxon(acc["transfer"], acc["untrained"]).pvalue)
    assert t["median_difference"] == pytest.approx(np.median(np.subtract(acc["transfer"], acc["untrained"])))
    assert s["untrained"]["median"] == pytest.approx(np.median(acc["untrained"]))
    assert "wilcoxon_vs_published_p" not in s["untrained"]       # nothing published to compare with
    # a file from before the control existed still summarises (the control is left out)
    old = {"datasets": {k: {c: v[c] for c in ("transfer", "random", "raw")} for k, v in res["datasets"].items()}}
    assert "untrained" not in transfer.summary(old) and "transfer_vs_raw" in transfer.summary(old)


def test_catch22_features_match_pycatch22_and_classifier_separates():
    import pycatch22

    rng = np.random.default_rng(3)
    x = rng.standard_normal(64)
    f = transfer.catch22_features(x[None, :])
    assert np.allclose(f[0], pycatch22.catch22_all(x.tolist(), catch24=True)["values"])
    # two classes (sines vs noise) are perfectly separated by a ridge classifier on catch22
    t = np.arange(64)
    A = np.sin(2 * np.pi * t / 16 + rng.uniform(0, 6, (20, 1)))
    B = rng.standard_normal((20, 64))
    X, y = np.vstack([A, B]), np.array([0] * 20 + [1] * 20)
    F = transfer.catch22_features(transfer.zscore_rows(X))
    assert transfer.classify(F[::2], y[::2], F[1::2], y[1::2]) == 1.0


def test_shipped_datasets_and_bad_name():
    shipped = transfer.shipped_datasets()
    assert shipped["GunPoint"] == "ok" and shipped["BasicMotions"] == "multivariate"
    Xtr, ytr, Xte, yte = transfer.load_dataset("GunPoint")
    assert Xtr.shape == (50, 150) and Xte.shape == (150, 150)          # UCR archive: GunPoint 50/150, length 150
    with pytest.raises(DatasetError, match="GunPoint"):
        transfer.load_dataset("NoSuchSet")
    with pytest.raises(DatasetError, match="multivariate"):
        transfer.load_dataset("BasicMotions")


# ----------------------------------------------------------------------------- importance pieces

def _local_poly_smooth(e, window, order):
    """Savitzky-Golay smoothing written independently: a least-squares polynomial per window,
    evaluated at the centre (interior) or at the point (the first and last windows, for edges)."""
    h, n = window // 2, len(e)
    out = np.empty(n)
    for i in range(n):
        lo = min(max(i - h, 0), n - window)
        xs = np.arange(lo, lo + window)
        out[i] = np.polyval(np.polyfit(xs - i, e[lo:lo + window], order), 0.0)
    return out


def test_sampling_probabilities_follow_the_formula_and_draws_follow_them():
    from scipy.stats import chisquare

    rng = np.random.default_rng(5)
    t = np.arange(300)
    sq_err = (1 + np.sin(2 * np.pi * t / 100)) ** 2 + 0.05 * rng.random(300)
    p = importance.sampling_probabilities(sq_err, window=51, order=3, power=4)
    ref = np.clip(_local_poly_smooth(sq_err, 51, 3), 0, None) ** 4
    ref /= ref.sum()
    assert np.allclose(p, ref, rtol=1e-8, atol=1e-12)
    # draws: chi-square goodness of fit against the formula, on 10 bins of indices
    draws = importance.draw_indices(sq_err, 40_000, np.random.default_rng(7), window=51, order=3, power=4)
    edges = np.linspace(0, 300, 11).astype(int)
    observed = np.histogram(draws, bins=edges)[0]
    expected = np.array([ref[a:b].sum() for a, b in zip(edges[:-1], edges[1:])]) * len(draws)
    assert chisquare(observed, expected).pvalue > 1e-3
    # zero error everywhere: uniform
    assert np.allclose(importance.sampling_probabilities(np.zeros(60), 11, 3), 1 / 60)


def test_smape_scale():
    assert importance.smape([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert importance.smape([1.0], [3.0]) == pytest.approx(1.0)       # |1-3| / ((1+3)/2)
    assert importance.smape([1.0], [-1.0]) == pytest.approx(2.0)      # the top of the 0-2 scale


def test_window_mlp_meets_the_model_interface_and_learns_a_sine():
    from chaoszoo.forecast import ForecastInfo, check_model  # noqa: F401  (interface import)

    t = np.arange(300)
    y = np.sin(2 * np.pi * t / 20)
    m = importance.WindowMLP(window=20, hidden=16, epochs=25)
    m.fit(y[:260, None], ForecastInfo(seed=3))
    f = m.predict(40)
    assert f.shape == (40, 1)
    assert np.sqrt(np.mean((f[:20, 0] - y[260:280]) ** 2)) < 0.2
    m2 = importance.WindowMLP(window=20, hidden=16, epochs=25).fit(y[:260, None], ForecastInfo(seed=3))
    assert np.array_equal(m2.predict(40), f)                            # seeded: reproducible


# ----------------------------------------------------------------------------- commands, end to end

def test_cli_transfer_fast(tmp_path, monkeypatch):
    """`chaoszoo experiment transfer --fast` on a bank pre-filled with synthetic series (the
    integration of flows is the engine's, tested there)."""
    from click.testing import CliRunner

    from chaoszoo.cli import main

    monkeypatch.setenv("CHAOSZOO_CACHE", str(tmp_path / "cache"))
    bank_dir = surrogates.default_cache()
    bank_dir.mkdir(parents=True)
    k = np.arange(surrogates.BANK_PTS * surrogates.BANK_PERIODS)
    for i, name in enumerate(surrogates.flow_names()[:4]):
        y = np.sin(2 * np.pi * k / surrogates.BANK_PTS) + 0.3 * np.sin(2 * np.pi * k * (1.7 + 0.2 * i) / surrogates.BANK_PTS)
        np.save(bank_dir / f"{name}.npy", ((y - y.mean()) / y.std()).astype(np.float32))
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["experiment", "transfer", "--fast", "--out", str(out)])
    assert res.exit_code == 0, res.output
    data = json.loads((out / "transfer.json").read_text())
    row = data["datasets"]["ItalyPowerDemand"]
    # ItalyPowerDemand: 67 train / 1029 test series of length 24, two classes (UCR archive)
    assert (row["n_train"], row["n_test"], row["length"], row["n_classes"]) == (67, 1029, 24, 2)
    assert "untrained" in transfer.CONDITIONS and len(row["untrained_per_seed"]) == transfer.FAST.seeds
    for c in transfer.CONDITIONS:
        assert 0.5 < row[c] <= 1.0                                      # better than chance on two classes
    summ = json.loads((out / "transfer_summary.json").read_text())
    assert set(summ["transfer_vs_untrained"]) >= {"wins", "ties", "losses", "wilcoxon_p"}
    assert "untrained" in res.output
    assert (out / "transfer.png").stat().st_size > 0
    assert "published" in res.output


def test_cli_importance_fast(tmp_path):
    from click.testing import CliRunner

    from chaoszoo.cli import main

    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["experiment", "importance", "--fast", "--out", str(out)])
    assert res.exit_code == 0, res.output
    data = json.loads((out / "importance_sampling.json").read_text())
    r = data["systems"]["Lorenz"]
    st = importance.FAST
    for c in ("importance", "random", "full"):
        assert 0 <= r[f"{c}_smape"] <= 2 and r[f"{c}_seconds"] > 0
    assert len(r["importance_draws"]) == st.rounds and all(len(d) == st.n_ic for d in r["importance_draws"])
    # resumable: a second call does no work and changes nothing
    before = (out / "importance_sampling.json").read_text()
    assert CliRunner().invoke(main, ["experiment", "importance", "--fast", "--out", str(out)]).exit_code == 0
    assert (out / "importance_sampling.json").read_text() == before
