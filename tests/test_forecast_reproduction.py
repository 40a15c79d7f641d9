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


@pytest.mark.parametrize("protocol", ["short-coarse", "short-fine", "zero-shot", "long-horizon", "data-limited"])
def test_a_sample_of_each_shipped_table_regenerates_from_the_current_code(protocol):
    """A shipped number is regenerable: two seeded rows of each table (of models with a tuned
    grid where the table has them, so that the search and its sharing across initial conditions
    are re-done too) are run again from nothing, data included, in a worker process as the runs
    were (one BLAS thread: a multi-threaded in-process re-run of a KuramotoSivashinsky ridge fit
    differs by 1.1e-9 relative), and every stored number must come back (bitwise, or within 1e-9
    relative). A row computed by older tuning or scoring code fails here although its data and
    model fingerprints are current."""
    from chaoszoo.forecast.verification import verify

    rows = cz.forecast.shipped_results(protocol)
    tuned = [m for m in ("analogues", "ridge-ar", "nvar") if m in set(rows["model"])]
    report = verify(shipped=protocol, sample=2, seed=1, models=tuned or ["naive-mean"], jobs=1, progress=False)
    assert len(report.verdicts) == 2 and report.passed, str(report)


def test_shipped_rows_decode_nested_fields_and_report(tmp_path):
    rows = cz.forecast.shipped_results("data-limited")
    ok = rows[rows["status"] == "ok"]
    assert len(ok) >= 0.9 * len(rows) >= 720  # naive-mean and the oracle over 20 systems x 4 variants x 5 ICs at least
    r = ok.iloc[0]
    # the horizon curve comes back as numbers: its first point is one step, in Lyapunov times
    assert r["curve"]["unit"] == "lyapunov"
    assert r["curve"]["t"][0] * r["lyapunov_steps"] == pytest.approx(1.0)
    assert isinstance(r["params"], dict) and isinstance(r["tuning"]["candidates"], int)
    from chaoszoo.cli import main

    res = CliRunner().invoke(main, ["forecast", "report", "--shipped", "data-limited", "--out", str(tmp_path / "rep")])
    assert res.exit_code == 0, res.output
    md = (tmp_path / "rep" / "report.md").read_text()
    assert f"{len(rows)} jobs over 20 systems" in md and rows["system"].nunique() == 20 and (tmp_path / "rep" / "horizon.png").stat().st_size > 10_000
    res = CliRunner().invoke(main, ["forecast", "report", "--out", str(tmp_path / "rep2")])
    assert res.exit_code == 2 and "--shipped" in res.output


def test_wide_leaderboard_orders_by_first_variant_and_drops_sampled_models():
    from chaoszoo.forecast.ranking import wide_leaderboard

    clean = {"analogues": [10, 20, 30, 40], "ridge-ar": [50, 60, 70, 80], "naive-mean": [150, 150, 150, 150]}
    noisy = {"analogues": [90, 90, 90, 90], "ridge-ar": [40, 40, 40, 40], "naive-mean": [140, 140, 140, 140]}
    df = pd.concat([_rows(m, v) for m, v in clean.items()] + [_rows(m, v, variant="uni-noisy") for m, v in noisy.items()]
                   + [_rows("lstm", [1.0])], ignore_index=True)  # on 1 system of 4: a sample, left out
    lines = wide_leaderboard(df, top=1, always=("naive-mean",)).splitlines()
    assert lines[0] == "| model | method | uni-clean | uni-noisy | mean rank of 3 (uni-clean) |"
    assert [ln.split(" | ")[0] for ln in lines[2:4]] == ["| analogues", "| naive-mean"]
    # the sample is named below the table and ranks nobody: analogues is first on all 4 systems
    # among the 3 models shown (with lstm's one system counted it would be 1.25)
    assert lines[2].endswith(" | 1.0 |") and lines[3].endswith(" | 3.0 |")
    assert lines[4:] == ["", "Left out (run so far on fewer than 90% of the 4 systems of uni-clean; systems run): lstm 1."]
    # analogues: median 25 clean (numpy), 90 noisy; bootstrap interval of the median within the data's range
    cells = lines[2].split(" | ")
    assert cells[2].startswith("25 [") and cells[3].startswith("90 [90, 90]")
    lo, hi = map(float, cells[2][4:-1].split(", "))
    assert 10 <= lo <= 25 <= hi <= 40
    with pytest.raises(InvalidArgumentError, match="Unknown variants"):
        wide_leaderboard(df, variants=["multi-clean"])


def test_wide_leaderboard_says_when_a_variant_is_still_partly_run():
    from chaoszoo.forecast.ranking import wide_leaderboard

    df = pd.concat([_rows("analogues", [10, 20, 30, 40]), _rows("naive-mean", [150] * 4),
                    _rows("analogues", [50, 60, 70, 80], variant="multi-clean"),
                    _rows("naive-mean", [140], variant="multi-clean")],  # 1 of 4 systems so far
                   ignore_index=True)
    lines = wide_leaderboard(df, top=2).splitlines()
    rows = {ln.split(" | ")[0][2:]: ln.split(" | ") for ln in lines[2:]}
    assert lines[0].startswith("| model | method | uni-clean | multi-clean |")
    assert rows["analogues"][3].startswith("65 [") and rows["naive-mean"][3] == "- (1 of 4 systems run)"
    assert rows["naive-mean"][2].startswith("150 [150, 150]")


def test_variants_sort_by_history_length_as_numbers():
    from chaoszoo.forecast.ranking import variant_order

    df = pd.concat([_rows("sindy", [1.0, 2.0], protocol="data-limited", variant=f"multi-clean-h{h}")
                    for h in (400, 50, 200, 100)], ignore_index=True)
    want = ["multi-clean-h50", "multi-clean-h100", "multi-clean-h200", "multi-clean-h400"]
    assert variant_order(df["variant"]) == want
    assert list(leaderboard(df)["variant"]) == want
    assert variant_order(["multi-noisy", "uni-noisy", "multi-clean", "uni-clean"]) == [
        "uni-clean", "uni-noisy", "multi-clean", "multi-noisy"]  # univariate first, as published


def test_shipped_results_restore_into_a_resumable_directory(tmp_path):
    import json

    from chaoszoo.cli import main
    from chaoszoo.forecast import get_protocol
    from chaoszoo.forecast.store import ResultsStore, load_results

    res = CliRunner().invoke(main, ["forecast", "restore", "--shipped", "data-limited", "--out", str(tmp_path / "dl")])
    shipped = cz.forecast.shipped_results("data-limited").sort_values("job_id").reset_index(drop=True)
    assert res.exit_code == 0 and f"restored {len(shipped)} rows" in res.output, res.output
    back = load_results(tmp_path / "dl").sort_values("job_id").reset_index(drop=True)
    for col in ("status", "model", "variant", "smape", "vpt_smape", "seed"):
        assert back[col].astype(str).tolist() == shipped[col].astype(str).tolist()
    # the stored protocol is today's: `forecast run --out` on it resumes instead of refusing
    with ResultsStore(tmp_path / "dl", create=False) as st:
        assert st.protocol == json.loads(json.dumps(get_protocol("data-limited").settings()))

    # forgetting a model's rows (after the model changed) leaves every other row, so the next run
    # redoes exactly those jobs
    # (the oracle cannot integrate the delay equation ScrollDelay: its failed rows)
    mean = shipped[shipped.model == "naive-mean"]
    failed_oracle = shipped[(shipped.model == "oracle") & (shipped.status != "ok")]
    assert len(mean) == 400 and set(failed_oracle.system) == {"ScrollDelay"}
    res = CliRunner().invoke(main, ["forecast", "forget", str(tmp_path / "dl"), "-m", "naive-mean"])
    assert res.exit_code == 0 and f"deleted {len(mean)} rows" in res.output, res.output
    res = CliRunner().invoke(main, ["forecast", "forget", str(tmp_path / "dl"), "-m", "oracle", "--failed-only"])
    assert res.exit_code == 0 and f"deleted {len(failed_oracle)} rows" in res.output, res.output
    with ResultsStore(tmp_path / "dl", create=False) as st:
        assert st.done() == set(shipped.job_id) - set(mean.job_id) - set(failed_oracle.job_id)
    res = CliRunner().invoke(main, ["forecast", "forget", str(tmp_path / "dl")])
    assert res.exit_code != 0 and "needs models or systems" in res.output


def test_a_claims_interval_does_not_depend_on_the_other_claims_data():
    rng = np.random.default_rng(1)
    coarse = _rows("nbeats", rng.uniform(20, 80, 10))
    fine = _rows("nbeats", rng.uniform(20, 80, 10), protocol="short-fine")
    alone = reproduce(coarse, n_boot=300)
    both = reproduce(pd.concat([fine, coarse], ignore_index=True), n_boot=300)
    pick = (alone["protocol"] == "short-coarse") & alone["claim"].str.startswith("N-BEATS")
    assert alone[pick][["ours", "ci_low", "ci_high"]].equals(both[pick][["ours", "ci_low", "ci_high"]])
