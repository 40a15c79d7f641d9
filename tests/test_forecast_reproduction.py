"""The reproduction table (published claims beside ours), the cost table, setting labels and the
shipped results, on small synthetic tables whose answers are known independently."""

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import chaoszoo as cz
from chaoszoo.errors import InvalidArgumentError
from chaoszoo.forecast.ranking import cost_table, leaderboard, with_setting_labels
from chaoszoo.forecast.reproduction import CLAIMS, format_reproduction, reproduce

SYSTEMS = ["Lorenz", "Rossler", "Chen", "Halvorsen", "Thomas", "Aizawa", "SprottB", "Duffing", "Chua", "Henon"]


def _rows(model, values, protocol="short-coarse", variant="uni-clean", setting="default", metric="smape"):
    return pd.DataFrame({"system": SYSTEMS[: len(values)], "model": model, "protocol": protocol, "variant": variant,
                         "setting": setting, "status": "ok", "ic": 0, metric: np.asarray(values, dtype=float),
                         "fit_seconds": 1.0, "predict_seconds": 0.5, "seconds": 2.0, "peak_memory_mb": 3.0})


def test_medians_prefer_the_default_setting_and_match_numpy():
    rng = np.random.default_rng(0)
    nb_default, nb_fast = rng.uniform(20, 80, 10), rng.uniform(100, 150, 10)
    df = pd.concat([_rows("nbeats", nb_default), _rows("nbeats", nb_fast, setting="fast"),
                    _rows("lstm", rng.uniform(50, 90, 7), setting="fast")], ignore_index=True)
    t = reproduce(df, n_boot=500)
    nb = t[(t["claim"] == "N-BEATS median sMAPE") & (t["protocol"] == "short-coarse") & (t["variant"] == "uni-clean")].iloc[0]
    assert nb["ours"] == pytest.approx(np.median(nb_default)) and nb["setting"] == "default" and nb["n"] == 10
    assert nb["ci_low"] <= nb["ours"] <= nb["ci_high"] and nb["published"] == 50.6
    lstm = t[(t["claim"] == "LSTM median sMAPE") & (t["protocol"] == "short-coarse") & (t["variant"] == "uni-clean")].iloc[0]
    assert lstm["setting"] == "fast" and lstm["n"] == 7
    fine = t[(t["protocol"] == "short-fine") & (t["claim"] == "N-BEATS median sMAPE")].iloc[0]
    assert fine["n"] == 0 and fine["note"].startswith("not run: chaoszoo forecast run -p short-fine -m nbeats")
    assert len(t) == len(CLAIMS)
    md = format_reproduction(t)
    assert md.count("\n") == len(CLAIMS) + 1 and "50.6" in md


def test_spearman_claim_uses_the_best_model_and_the_catalog_exponents():
    lam = np.array([cz.get(s).invariants["max_lyapunov"] for s in SYSTEMS])
    good = 10 + 5 * lam                         # increasing in lambda_1: rho = 1 exactly
    bad = np.linspace(150, 160, len(SYSTEMS))
    df = pd.concat([_rows("analogues", good), _rows("naive-mean", bad), _rows("oracle", np.zeros(10))],
                   ignore_index=True)
    t = reproduce(df, n_boot=200)
    row = t[t["claim"].str.contains("Spearman") & (t["protocol"] == "short-coarse")].iloc[0]
    assert row["model"] == "analogues"          # the oracle is never the "best model"
    assert row["ours"] == pytest.approx(1.0) and row["n"] == 10


def test_data_limited_claim_names_the_best_physics_based_model():
    df = pd.concat([_rows("nbeats", np.full(6, 50.0), protocol="data-limited", variant="multi-clean-h50"),
                    _rows("esn", np.full(6, 70.0), protocol="data-limited", variant="multi-clean-h50"),
                    _rows("naive-mean", np.full(6, 120.0), protocol="data-limited", variant="multi-clean-h50")],
                   ignore_index=True)
    t = reproduce(df, n_boot=100)
    row = t[(t["protocol"] == "data-limited") & (t["variant"] == "multi-clean-h50")].iloc[0]
    assert row["model"] == "nbeats" and row["ours"] == 50.0
    assert "best physics-based: esn (reservoir), rank 2 of 3" in row["note"]


def test_setting_labels_and_costs():
    df = pd.concat([_rows("nbeats", np.full(4, 10.0)), _rows("nbeats", np.full(4, 20.0), setting="fast"),
                    _rows("ridge-ar", np.full(4, 30.0))], ignore_index=True)
    labelled = with_setting_labels(df)
    assert set(labelled["model"]) == {"nbeats (default)", "nbeats (fast)", "ridge-ar"}
    lb = leaderboard(df, metric="smape")
    assert dict(zip(lb["model"], lb["median"])) == {"nbeats (default)": 10.0, "nbeats (fast)": 20.0, "ridge-ar": 30.0}
    df.loc[0, "status"] = "failed"
    ct = cost_table(df)
    r = ct[(ct["model"] == "nbeats") & (ct["setting"] == "default")].iloc[0]
    assert (r["fit_s"], r["predict_s"], r["job_s"], r["jobs"], r["failed"], r["total_s"]) == (1.0, 0.5, 2.0, 4, 1, 8.0)


def test_shipped_results_and_cli(tmp_path):
    rows = cz.forecast.shipped_results()
    assert {"short-coarse"} <= set(rows["protocol"]) and len(rows) >= 3348
    with pytest.raises(InvalidArgumentError, match="No shipped results"):
        cz.forecast.shipped_results("no-such-protocol")
    from chaoszoo.cli import main

    out = tmp_path / "repro.md"
    res = CliRunner().invoke(main, ["forecast", "reproduce", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_text().startswith("| study |") and "naive mean median sMAPE" in res.output
    res = CliRunner().invoke(main, ["forecast", "costs"])
    assert res.exit_code == 0 and "analogues" in res.output
