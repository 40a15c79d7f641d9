"""The forecasting harness without the runner: protocols, registry, baselines, store, leaderboard.

References are analytic: a sine obeys an exact linear two-term recursion; the logistic and
Henon maps are quadratic, so NVAR's quadratic features represent them exactly; a periodic
sequence is continued exactly by seasonal, analogue and Fourier forecasts.
"""

import numpy as np
import pandas as pd
import pytest

from chaoszoo.errors import InvalidArgumentError, MissingExtraError, NotFittedError, ResultsStoreError
from chaoszoo.forecast import ForecastInfo, ModelSpec, check_model, get_protocol, make, register
from chaoszoo.forecast.ranking import leaderboard
from chaoszoo.forecast.store import ResultsStore, load_results, merge


def test_protocol_lengths_match_the_publications():
    sc = get_protocol("short-coarse")
    v = sc.variants[0]
    assert sc.split_lengths(180, v) == (150, 30)          # 12 periods x 15; the last sixth forecast
    assert get_protocol("short-fine").split_lengths(1200, v) == (1000, 200)
    zs = get_protocol("zero-shot")
    assert zs.split_lengths(812, zs.variants[0]) == (512, 300)
    lh = get_protocol("long-horizon")
    assert lh.split_lengths(6000, lh.variants[0]) == (1000, 5000)
    dl = get_protocol("data-limited")
    assert [dl.split_lengths(1200, x)[0] for x in dl.variants] == [50, 100, 200, 400]


def test_unknown_names_suggest():
    with pytest.raises(InvalidArgumentError, match="short-coarse"):
        get_protocol("short-corse")
    with pytest.raises(InvalidArgumentError, match="naive-mean"):
        make("naive-men")
    with pytest.raises(InvalidArgumentError, match="Cannot import"):
        make("no_such_module_xyz:Model")
    with pytest.raises(InvalidArgumentError, match="broken on purpose"):
        make("forecast_broken_module:Model")
    with pytest.raises(InvalidArgumentError, match="has no attribute"):
        make("forecast_user_models:NoSuchClass")


def test_missing_extra_names_it():
    register(ModelSpec("needs-missing-extra", "forecast_user_models:MeanOfLast", "user", "test",
                       extra="imaginary", requires=("chaoszoo_no_such_dependency",)), replace=True)
    with pytest.raises(MissingExtraError, match=r"pip install 'chaoszoo\[imaginary\]'"):
        make("needs-missing-extra")


def test_user_model_meets_interface_without_inheritance():
    report = check_model("forecast_user_models:MeanOfLast")
    assert report.passed, str(report)
    bad = check_model("forecast_user_models:WrongShape")
    assert not bad.passed and "shape" in bad.checks["fit_predict_univariate"]


@pytest.mark.parametrize("name", ["naive-mean", "last-value", "drift", "seasonal", "ridge-ar", "fft", "analogues", "nvar"])
def test_baselines_conform(name):
    report = check_model(name)
    assert report.passed, str(report)
    with pytest.raises(NotFittedError):
        make(name).predict(3)


def test_naive_forecasts_exact():
    h = np.column_stack([np.arange(10.0), 2.0 * np.arange(10.0) + 1])
    info = ForecastInfo()
    np.testing.assert_allclose(make("naive-mean").fit(h, info).predict(3), np.tile(h.mean(0), (3, 1)))
    np.testing.assert_allclose(make("last-value").fit(h, info).predict(2), np.tile(h[-1], (2, 1)))
    # drift continues a straight line exactly
    np.testing.assert_allclose(make("drift").fit(h, info).predict(4), np.column_stack(
        [np.arange(10.0, 14.0), 2.0 * np.arange(10.0, 14.0) + 1]))


def _sine(n, period=20.0, phase=0.3):
    return np.sin(2 * np.pi * np.arange(n) / period + phase)[:, None]


def test_periodic_series_continued_exactly():
    x = _sine(200 + 40)
    h, truth = x[:200], x[200:]
    info = ForecastInfo(pts_per_period=20.0)
    np.testing.assert_allclose(make("seasonal").fit(h, info).predict(40), truth, atol=1e-12)
    np.testing.assert_allclose(make("analogues", window=5).fit(h, info).predict(40), truth, atol=1e-9)
    # 200 samples hold exactly 10 periods: one Fourier component reproduces the sine
    np.testing.assert_allclose(make("fft", harmonics=1).fit(h, info).predict(40), truth, atol=1e-9)
    # sin obeys x[t+1] = 2 cos(w) x[t] - x[t-1]: a two-lag linear model is exact
    np.testing.assert_allclose(make("ridge-ar", lags=2, alpha=1e-12).fit(h, info).predict(40), truth, atol=1e-6)


def test_nvar_learns_quadratic_maps_exactly():
    r = 3.9
    x = np.empty(400)
    x[0] = 0.3
    for i in range(399):
        x[i + 1] = r * x[i] * (1 - x[i])
    m = make("nvar", k=1, k_univariate=1, alpha=1e-12).fit(x[:300, None], ForecastInfo(kind="map"))
    np.testing.assert_allclose(m.predict(8)[:, 0], x[300:308], rtol=1e-6)
    # Henon (a = 1.4, b = 0.3): quadratic in the joint state
    s = np.empty((400, 2))
    s[0] = (0.1, 0.1)
    for i in range(399):
        s[i + 1] = (1 - 1.4 * s[i, 0] ** 2 + s[i, 1], 0.3 * s[i, 0])
    m = make("nvar", k=1, alpha=1e-12).fit(s[:300], ForecastInfo(kind="map"))
    np.testing.assert_allclose(m.predict(8), s[300:308], rtol=1e-6, atol=1e-8)


def test_oracle_matches_an_independent_integration():
    import chaoszoo as cz
    from chaoszoo.forecast.conformance import lorenz_fixture

    hist, target, info = lorenz_fixture()
    y = make("oracle").fit(hist, info).predict(len(target))
    # the fixture's target comes from one continuous adaptive integration at 1e-10
    assert np.max(np.abs(y - target)) < 1e-5 * np.ptp(target)
    with pytest.raises(Exception, match="privileged_state"):
        make("oracle").fit(hist, info.replace(privileged_state=None))


# --- store -----------------------------------------------------------------------------------

def _row(job, model="m", status="ok", smape=1.0, system="Lorenz"):
    return {"job_id": job, "system": system, "model": model, "status": status, "ic": 0, "variant": "uni-clean",
            "protocol": "short-coarse", "metrics": {"smape": smape}, "missing": {}}


def test_store_roundtrip_and_refusals(tmp_path):
    proto = get_protocol("short-coarse")
    with ResultsStore(tmp_path / "r", proto.settings()) as st:
        st.put(_row("a"), forecast=np.arange(6.0).reshape(3, 2))
        st.put(_row("b", status="failed"))
        assert st.done() == {"a", "b"} and st.done(include_failed=False) == {"a"}
        np.testing.assert_array_equal(st.forecast("a"), np.arange(6.0).reshape(3, 2))
    df = load_results(tmp_path / "r")
    assert sorted(df["job_id"]) == ["a", "b"] and df.loc[df["job_id"] == "a", "smape"].item() == 1.0
    # another protocol version: refused, rows untouched
    newer = proto.replace(version=proto.version + 1)
    with pytest.raises(ResultsStoreError, match="another version"):
        ResultsStore(tmp_path / "r", newer.settings())
    assert len(load_results(tmp_path / "r")) == 2
    # a directory holding something else
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("mine")
    with pytest.raises(ResultsStoreError, match="holds no chaoszoo results"):
        ResultsStore(tmp_path / "other", proto.settings())
    assert (tmp_path / "other" / "notes.txt").read_text() == "mine"
    # merge from two machines
    with ResultsStore(tmp_path / "r2", proto.settings()) as st:
        st.put(_row("c"))
    assert merge([tmp_path / "r", tmp_path / "r2"], tmp_path / "all") == 3
    assert sorted(load_results(tmp_path / "all")["job_id"]) == ["a", "b", "c"]


def test_leaderboard_by_hand():
    # two systems x one ic; model a wins on S1, b on S2; c fails on S2 and is scored as the
    # baseline (naive-mean) there: 2.0
    rows = []
    for sysname, vals in (("S1", {"a": 1.0, "b": 2.0, "c": 3.0, "naive-mean": 4.0}),
                          ("S2", {"a": 3.0, "b": 1.0, "c": None, "naive-mean": 2.0})):
        for m, v in vals.items():
            rows.append({"system": sysname, "ic": 0, "variant": "uni-clean", "model": m,
                         "status": "ok" if v is not None else "failed", "smape": np.nan if v is None else v,
                         "protocol": "short-coarse", "noise": 0.0, "univariate": True})
    lb = leaderboard(pd.DataFrame(rows), metric="smape", n_boot=200).set_index("model")
    assert lb.loc["a", "median"] == 2.0 and lb.loc["b", "median"] == 1.5
    assert lb.loc["c", "median"] == 2.5  # median(3, imputed 2)
    # S2 with c imputed: b 1, c = naive-mean 2 (tie: 2.5 each), a 4
    assert lb.loc["a", "mean_rank"] == 2.5 and lb.loc["b", "mean_rank"] == 1.5   # (1 + 4)/2 and (2 + 1)/2
    assert lb.loc["c", "mean_rank"] == 2.75  # 3rd of 4 on S1, tied 2nd-3rd on S2
    assert lb.loc["a", "win_rate"] == 0.5 and lb.loc["c", "failed"] == 1 and lb.loc["c", "coverage"] == 0.5
    # skill: median of 1 - a/naive = median(0.75, -0.5) = 0.125; c: median(0.25, 0 where imputed)
    assert lb.loc["a", "skill"] == pytest.approx(0.125) and lb.loc["c", "skill"] == pytest.approx(0.125)
    with pytest.raises(InvalidArgumentError, match="Unknown metric"):
        leaderboard(pd.DataFrame(rows), metric="smapee")
