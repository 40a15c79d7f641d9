"""The statistics of the forecasting leaderboard (issue 24) on small tables worked out by hand:
failures imputed by the baseline's score (fev-bench's rule) or by the worst competitor's,
per-system medians over initial conditions before the median over systems, the spread over
initial conditions, a two-level bootstrap that depends on a model's own rows only, references
(the oracle) kept out of ranks, mixed data versions refused, and one "best model"."""

import numpy as np
import pandas as pd
import pytest

from chaoszoo.errors import DataVersionError
from chaoszoo.forecast.ranking import (best_model, check_data_versions, invariant_correlations, leaderboard,
                                       per_system, wide_leaderboard)
from chaoszoo.forecast.reproduction import reproduce


def _frame(values, variant="uni-clean", protocol="short-coarse", sha=None, family=None):
    """``values``: {model: {system: [score per ic, None = failed job]}} -> one row per job."""
    rows = []
    for model, per_sys in values.items():
        for system, scores in per_sys.items():
            for ic, v in enumerate(scores):
                rows.append({"system": system, "ic": ic, "variant": variant, "protocol": protocol, "model": model,
                             "setting": "default", "status": "failed" if v is None else "ok",
                             "smape": np.nan if v is None else float(v),
                             "data_sha256": sha or f"{system}-{ic}-{variant}".ljust(64, "0"),
                             **({"family": family.get(model, "baseline")} if family else {})})
    return pd.DataFrame(rows)


def _lb(df, **kw):
    return leaderboard(df, metric="smape", n_boot=kw.pop("n_boot", 200), **kw).set_index("model")


# --- failures count ------------------------------------------------------------------------

def test_a_failure_gets_the_baselines_score_on_the_same_task():
    df = _frame({"a": {"S1": [10], "S2": [None], "S3": [30]},
                 "naive-mean": {"S1": [100], "S2": [120], "S3": [140]},
                 "b": {"S1": [50], "S2": [60], "S3": [70]}})
    lb = _lb(df)
    # a on S2 is scored 120 (naive-mean's S2 score): median(10, 120, 30) = 30
    assert lb.loc["a", "median"] == 30.0
    assert per_system(df, "smape", baseline="naive-mean").loc["S2", "a"] == 120.0
    assert np.isnan(per_system(df, "smape").loc["S2", "a"])  # without a baseline: successful jobs only
    assert (lb.loc["a", "failed"], lb.loc["a", "n"], lb.loc["a", "uncovered"]) == (1, 2, 0)
    assert lb.loc["a", "coverage"] == pytest.approx(2 / 3) and lb.loc["b", "coverage"] == 1.0
    # ranks with the imputed score: S1 a 1, b 2, naive 3; S2 b 1, a = naive 2.5; S3 a 1, b 2, naive 3
    assert lb.loc["a", "mean_rank"] == pytest.approx((1 + 2.5 + 1) / 3)
    assert lb.loc["b", "mean_rank"] == pytest.approx((2 + 1 + 2) / 3)
    assert lb.loc["a", "win_rate"] == pytest.approx(2 / 3) and lb.loc["b", "win_rate"] == pytest.approx(1 / 3)
    # skill of a: 1 - 10/100, 1 - 120/120, 1 - 30/140 -> median 0.7857...
    assert lb.loc["a", "skill"] == pytest.approx(np.median([0.9, 0.0, 1 - 30 / 140]))
    # another baseline is another rule: scored as b (60) on S2
    assert leaderboard(df, metric="smape", baseline="b", n_boot=0).set_index("model").loc["a", "median"] == 30.0
    assert per_system(df, "smape", baseline="b").loc["S2", "a"] == 60.0


def test_without_a_baseline_score_a_failure_gets_the_worst_competitors_and_empty_tasks_stay_uncovered():
    df = _frame({"a": {"S1": [1], "S2": [None], "S3": [None]},
                 "naive-mean": {"S1": [8], "S2": [None], "S3": [None]},
                 "b": {"S1": [4], "S2": [5], "S3": [None]},
                 "c": {"S1": [6], "S2": [9], "S3": [None]},
                 "oracle": {"S1": [0.1], "S2": [100], "S3": [None]}},  # a reference: never the "worst"
                family={"oracle": "oracle"})
    table = per_system(df, "smape", baseline="naive-mean")
    assert table.loc["S2", "a"] == 9.0 and table.loc["S2", "naive-mean"] == 9.0  # worst competitor on S2: c
    assert "S3" not in table.index  # no job scored on S3: nothing to impute from
    lb = _lb(df)
    assert lb.loc["a", "median"] == 5.0  # median(1, 9)
    assert (lb.loc["a", "failed"], lb.loc["a", "uncovered"]) == (1, 1)
    # S3 scored no job: it says nothing about a model and is left out of coverage
    assert lb.loc["a", "coverage"] == 0.5 and lb.loc["b", "coverage"] == 1.0 and lb.loc["b", "uncovered"] == 1


def test_a_nonfinite_metric_of_a_successful_job_is_a_failure():
    df = _frame({"a": {"S1": [2], "S2": [4]}, "naive-mean": {"S1": [10], "S2": [20]}})
    df.loc[(df["model"] == "a") & (df["system"] == "S2"), "smape"] = np.inf
    lb = _lb(df)
    assert lb.loc["a", "median"] == 11.0 and lb.loc["a", "failed"] == 1  # median(2, 20)


# --- several initial conditions --------------------------------------------------------------

def test_per_system_median_over_ics_then_median_over_systems_and_the_ic_spread():
    df = _frame({"a": {"S1": [1, 2, 30], "S2": [4, 5, 6], "S3": [7, 8, 9]}})
    lb = _lb(df)
    # per system: 2, 5, 8 -> median 5 (the median of all nine jobs would be 6); quartiles of (2, 5, 8)
    assert (lb.loc["a", "median"], lb.loc["a", "q25"], lb.loc["a", "q75"]) == (5.0, 3.5, 6.5)
    assert per_system(df, "smape")["a"].tolist() == [2.0, 5.0, 8.0]
    # per IC index, the median over systems: ic0 (1, 4, 7) -> 4, ic1 (2, 5, 8) -> 5, ic2 (30, 6, 9) -> 9
    assert (lb.loc["a", "ic_min"], lb.loc["a", "ic_max"]) == (4.0, 9.0)
    # ranks stay per task (system, ic, variant): b beats a on 8 of the 9 tasks
    both = pd.concat([df, _frame({"b": {"S1": [0, 1, 2], "S2": [3, 4, 5], "S3": [6, 7, 10]}})])
    lb2 = _lb(both)
    assert lb2.loc["b", "win_rate"] == pytest.approx(8 / 9) and lb2.loc["a", "mean_rank"] == pytest.approx(17 / 9)
    one = _lb(_frame({"a": {"S1": [1], "S2": [2]}}))
    assert np.isnan(one.loc["a", "ic_min"]) and np.isnan(one.loc["a", "ic_max"])  # one IC: no spread


def test_the_bootstrap_resamples_initial_conditions_within_systems():
    # every system's median over ICs is 10, so resampling systems alone gives [10, 10]; resampling
    # each system's three ICs (0, 10, 20) makes a system's median 0 with probability 7/27, and the
    # median of three such systems 0 with probability ~0.17 > 2.5% (20 likewise): the interval is [0, 20]
    df = _frame({"a": {s: [0, 10, 20] for s in ("S1", "S2", "S3")}})
    lb = _lb(df, n_boot=2000)
    assert lb.loc["a", "median"] == 10.0 and (lb.loc["a", "ci_low"], lb.loc["a", "ci_high"]) == (0.0, 20.0)
    one_ic = _lb(_frame({"a": {s: [10] for s in ("S1", "S2", "S3")}}), n_boot=2000)
    assert (one_ic.loc["a", "ci_low"], one_ic.loc["a", "ci_high"]) == (10.0, 10.0)


def test_a_models_interval_does_not_change_when_another_model_joins():
    rng = np.random.default_rng(3)
    systems = [f"S{i}" for i in range(8)]
    m = {s: list(rng.uniform(10, 90, 5)) for s in systems}
    m["S2"][1] = None  # a failure, imputed by the baseline's score (which the newcomers leave alone)
    base = {s: list(rng.uniform(100, 150, 5)) for s in systems}
    alone = _lb(_frame({"m": m, "naive-mean": base}), n_boot=300)
    # the newcomers sort before m: one random stream shared by the models in turn would shift m's draws
    newcomer = {s: list(rng.uniform(0, 200, 5)) for s in systems}
    joined = _lb(_frame({"m": m, "naive-mean": base, "b": newcomer, "oracle": {s: [0.0] * 5 for s in systems}}),
                 n_boot=300)
    cols = ["median", "ci_low", "ci_high", "ic_min", "ic_max", "coverage"]
    assert alone.loc["m", cols].tolist() == joined.loc["m", cols].tolist()
    assert alone.loc["m", "ci_low"] < alone.loc["m", "median"] < alone.loc["m", "ci_high"]
    # and a different seed draws differently
    other = leaderboard(_frame({"m": m, "naive-mean": base}), metric="smape", n_boot=300, seed=1).set_index("model")
    interval = ["ci_low", "ci_high"]
    assert other.loc["m", interval].tolist() != alone.loc["m", interval].tolist()


# --- references apart ------------------------------------------------------------------------

def test_ranks_and_win_rates_leave_out_the_oracle():
    values = {"a": {"S1": [1], "S2": [3]}, "b": {"S1": [2], "S2": [1]}, "naive-mean": {"S1": [4], "S2": [2]},
              "oracle": {"S1": [0.0], "S2": [0.0]}, "my-ensemble": {"S1": [0.5], "S2": [0.5]}}
    df = _frame(values, family={"oracle": "oracle", "my-ensemble": "oracle"})
    lb = leaderboard(df, metric="smape", n_boot=100)
    # ranked among a, b, naive-mean only: S1 a 1, b 2, naive 3; S2 b 1, naive 2, a 3
    r = lb.set_index("model")
    assert (r.loc["a", "mean_rank"], r.loc["b", "mean_rank"], r.loc["naive-mean", "mean_rank"]) == (2.0, 1.5, 2.5)
    assert (r.loc["a", "win_rate"], r.loc["b", "win_rate"], r.loc["naive-mean", "win_rate"]) == (0.5, 0.5, 0.0)
    assert np.isnan(r.loc["oracle", "mean_rank"]) and np.isnan(r.loc["oracle", "win_rate"])
    assert r.loc["oracle", "median"] == 0.0  # scored, just not ranked
    # the references come after the competitors although their medians are the lowest
    assert list(lb["model"]) == ["b", "a", "naive-mean", "oracle", "my-ensemble"]
    assert list(lb["reference"]) == [False, False, False, True, True]
    assert best_model(df, "smape") == "b"
    # without a family column the registry's family decides ("oracle" is of the family oracle)
    assert _lb(_frame({k: v for k, v in values.items() if k != "my-ensemble"})).loc["oracle", "reference"]
    lines = wide_leaderboard(df, top=5).splitlines()
    assert lines[0] == "| model | method | uni-clean | mean rank of 3 (uni-clean) |"
    assert [ln.split(" | ")[0][2:] for ln in lines[2:]] == ["b", "a", "naive-mean", "*reference (not ranked)*",
                                                            "oracle", "my-ensemble"]
    assert lines[5] == "| *reference (not ranked)* | | | |" and lines[6].endswith("| 0 [0, 0] | - |")


def test_wide_cells_give_coverage_and_the_ic_range():
    values = {"a": {"S1": [10, 20, None], "S2": [30, 40, 50], "S3": [60, 70, 80], "S4": [5, 5, 5]},
              "naive-mean": {"S1": [100, 100, 100], "S2": [100, 100, 100], "S3": [100, 100, 100],
                             "S4": [100, 100, 100]}}
    lines = wide_leaderboard(_frame(values), n_boot=200).splitlines()
    assert lines[0] == "| model | method | uni-clean | range over ICs (uni-clean) | mean rank of 2 (uni-clean) |"
    cells = dict((ln.split(" | ")[0][2:], ln.split(" | ")) for ln in lines[2:])
    # a: S1 (10, 20, 100 imputed) -> 20, S2 40, S3 70, S4 5: median 30; 11 of 12 jobs ok -> 91%
    assert cells["a"][2].startswith("30 [") and cells["a"][2].endswith("] (91% ok)")
    # per IC: ic0 (10, 30, 60, 5) -> 20, ic1 (20, 40, 70, 5) -> 30, ic2 (100, 50, 80, 5) -> 65
    assert cells["a"][3] == "20 to 65"
    assert cells["naive-mean"][2] == "100 [100, 100]"  # every job ok: no coverage note


# --- data versions -----------------------------------------------------------------------------

def test_mixed_data_versions_are_refused_and_named(tmp_path):
    df = _frame({"a": {"Lorenz": [1, 2], "Rossler": [3, 4], "Chen": [5, 6]},
                 "b": {"Lorenz": [2, 3], "Rossler": [4, 5], "Chen": [6, 7]}})
    stale = (df["model"] == "b") & (df["system"] == "Lorenz") & (df["ic"] == 1)
    df.loc[stale, "data_sha256"] = "beefcafe" + "0" * 56
    with pytest.raises(DataVersionError) as err:
        check_data_versions(df)
    msg = str(err.value)
    assert msg.startswith("1 task mix") and "Lorenz|ic1|uni-clean" in msg and "beefcafe b" in msg
    assert "Lorenz-1 a" in msg and "re-run those jobs with the current code" in msg  # fingerprints: 8 characters
    for call in (lambda: leaderboard(df), lambda: wide_leaderboard(df), lambda: per_system(df),
                 lambda: invariant_correlations(df), lambda: best_model(df, "smape"), lambda: reproduce(df),
                 lambda: __import__("chaoszoo.forecast.report", fromlist=["x"]).write_report(df, tmp_path / "r")):
        with pytest.raises(DataVersionError, match=r"Lorenz\|ic1\|uni-clean"):
            call()
    assert not (tmp_path / "r").exists()
    # a failed job, or a row without a fingerprint, is not checked; one version is fine
    df.loc[stale, "status"] = "failed"
    check_data_versions(df)
    df.loc[stale, ["status", "data_sha256"]] = ["ok", None]
    assert leaderboard(df, n_boot=0).set_index("model").loc["b", "n"] == 6
    # the same task of another protocol is another task (other data)
    other = _frame({"a": {"Lorenz": [1]}}, protocol="short-fine", sha="f" * 64)
    check_data_versions(pd.concat([df, other]))


# --- one best model ----------------------------------------------------------------------------

SEVEN = ["Lorenz", "Rossler", "Chen", "Halvorsen", "Thomas", "Aizawa", "SprottB"]


def test_best_model_is_the_same_in_the_report_and_the_reproduction(tmp_path):
    from chaoszoo.forecast.report import write_report

    # p beats q on 6 of 7 systems (better mean rank) but q has the lower median (4 against 5):
    # the best model is q, by median, wherever it is named
    q = [1, 2, 3, 4, 100, 100, 100]
    p = [0.5, 1.5, 2.5, 5, 6, 7, 8]
    df = _frame({"q": dict(zip(SEVEN, [[v] for v in q])), "p": dict(zip(SEVEN, [[v] for v in p])),
                 "naive-mean": {s: [150] for s in SEVEN}, "oracle": {s: [0.0] for s in SEVEN}})
    lb = _lb(df)
    assert lb.loc["p", "mean_rank"] < lb.loc["q", "mean_rank"] and lb.loc["q", "median"] < lb.loc["p", "median"]
    assert best_model(df, "smape", "uni-clean") == "q"
    t = reproduce(df, n_boot=100)
    row = t[t["claim"].str.contains("Spearman") & (t["protocol"] == "short-coarse")].iloc[0]
    assert row["model"] == "q" and row["n"] == 7
    md = write_report(df, tmp_path / "rep").read_text()
    assert "## Error against chaos (q, uni-clean)" in md and "here q (uni-clean)" in md
    assert "1 initial condition (IC) per system and variant" in md and "fev-bench" in md


def test_best_model_needs_coverage_and_breaks_ties_by_mean_rank_then_name():
    systems = [f"S{i}" for i in range(10)]
    df = _frame({"a": {s: [5] for s in systems},
                 "b": {s: [v] for s, v in zip(systems, [5] * 6 + [9] * 4)},
                 "c": {s: [v] for s, v in zip(systems, [5] * 6 + [1] * 4)},
                 "lucky": {"S0": [0.1]}})  # the best median, but run on 1 of 10 systems
    # a, b and c all have median 5; mean ranks over the 10 tasks: S0 lucky 1, a = b = c 3;
    # S1-S5 a = b = c 2; S6-S9 c 1, a 2, b 3 -> a 2.1, b 2.5, c 1.7
    lb = _lb(df)
    assert lb.loc[["a", "b", "c"], "mean_rank"].tolist() == pytest.approx([2.1, 2.5, 1.7])
    assert best_model(df, "smape") == "c"
    assert best_model(df, "smape", min_coverage=0.05) == "lucky"
    tie = _frame({"y": {s: [1] for s in systems}, "x": {s: [1] for s in systems}})
    assert best_model(tie, "smape") == "x"
    assert best_model(df, "smape", variant="multi-clean") is None
