"""Catalog features: catch22 values against analytic properties, the table, the analysis."""

import json
import sys

import numpy as np
import pandas as pd
import pytest

import chaoszoo as cz
from chaoszoo.errors import InvalidArgumentError, MissingExtraError
from chaoszoo.features import CATCH22_PATH, EMBEDDING_PATH, catch22, catch22_names, compute_table, load_table
from chaoszoo.features.analysis import separating_features, spearman_table


def test_catch22_on_sine_and_white_noise():
    period = 100
    sine = np.sin(2 * np.pi * np.arange(2000) / period)
    noise = np.random.default_rng(0).standard_normal(2000)
    fs, fn = catch22(sine), catch22(noise)
    assert len(fs) == 22 and list(fs) == catch22_names()
    # autocorrelation of a sine is cos(2 pi tau / P): first 1/e crossing at P * arccos(1/e) / (2 pi)
    assert fs["CO_FirstCrossing_acf_1e_pointOfCrossing"] == pytest.approx(period * np.arccos(1 / np.e) / (2 * np.pi),
                                                                          abs=1.0)
    assert fs["CO_FirstMin_ac"] == pytest.approx(period / 2, abs=1)       # first minimum at half a period
    assert fs["PD_PeriodicityWang_th0_01"] == pytest.approx(period, abs=1)
    assert fn["CO_FirstCrossing_acf_1e_pointOfCrossing"] <= 1.5           # white noise decorrelates at once
    # the features are those of the z-scored series: invariant to affine rescaling
    shifted = catch22(3.0 * noise + 7.0)
    np.testing.assert_allclose([shifted[k] for k in fn], list(fn.values()), rtol=1e-9, atol=1e-9)


def test_catch22_constant_and_bad_series():
    assert all(np.isnan(v) for v in catch22(np.ones(100)).values())
    with pytest.raises(InvalidArgumentError, match="finite"):
        catch22([1.0, np.nan] * 10)


def test_feature_table_shape_for_maps():
    table, failed = compute_table(["Henon", "Logistic"], progress=False)
    assert failed == {}
    assert list(table["system"]) == ["Henon", "Henon", "Logistic"]
    assert list(table["variable"]) == list(cz.get("Henon").variables) + list(cz.get("Logistic").variables)
    assert table.shape == (3, 3 + 22) and np.isfinite(table[catch22_names()].to_numpy()).all()


def test_tsfresh_is_an_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "tsfresh", None)
    monkeypatch.setitem(sys.modules, "tsfresh.feature_extraction", None)
    from chaoszoo.features import tsfresh_features

    with pytest.raises(MissingExtraError, match=r"chaoszoo\[tsfresh\]"):
        tsfresh_features(np.arange(50.0))


def test_shipped_tables_cover_the_catalog():
    table = load_table()
    meta = json.loads(CATCH22_PATH.with_suffix(".json").read_text())
    assert meta["command"].startswith("chaoszoo features compute") and meta["failed"] == {}
    counts = table.groupby("system").size()
    assert set(counts.index) == set(cz.names())
    assert all(counts[n] == cz.get(n).dimension for n in counts.index)   # one row per variable
    emb = pd.read_parquet(EMBEDDING_PATH)
    assert set(emb["system"]) == set(cz.names()) and {"x", "y", "cluster"} <= set(emb.columns)


def test_spearman_and_separating_features_on_constructed_data():
    rng = np.random.default_rng(1)
    names = [f"S{i}" for i in range(30)]
    inv = pd.DataFrame({"lam": rng.uniform(0.1, 2.0, 30)}, index=names)
    feats = pd.DataFrame({"monotone": np.exp(inv["lam"]), "anti": -inv["lam"] ** 3,
                          "noise": rng.standard_normal(30)}, index=names)
    sp = spearman_table(feats, inv).set_index("feature")
    assert sp.loc["monotone", "rho"] == pytest.approx(1.0) and sp.loc["anti", "rho"] == pytest.approx(-1.0)
    assert sp.loc["noise", "q"] > 0.05
    labels = np.repeat([0, 1, -1], 10)
    X = np.column_stack([labels * 5.0 + rng.standard_normal(30) * 0.1, rng.standard_normal(30)])
    sep = separating_features(X, labels, ["split", "noise"])
    assert list(sep["feature"]) == ["split", "noise"] and sep.loc[0, "q"] < 1e-3
