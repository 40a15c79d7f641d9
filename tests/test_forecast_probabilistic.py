"""The probabilistic track end to end: what a model may return and the clear errors for what it
must not, the scores of a row against scoringrules and direct formulas, the floor and ceiling
models, the distributions of the analogues, NVAR and ESN, rows, store, export, leaderboard,
report and verify, and the perfect-model ensemble ahead of every model at every lead time on
clean data. Small protocols of the same shape as short-fine-prob, in a private data cache."""

import json
import math

import numpy as np
import pytest
import scoringrules as sr

from chaoszoo.data.presets import Preset
from chaoszoo.errors import ModelError
from chaoszoo.forecast import get_protocol, leaderboard, load_results, run, write_report
from chaoszoo.forecast.interface import ForecastInfo
from chaoszoo.forecast.probabilistic import (Distribution, ceiling_gaps, predict_distribution, pvpt,
                                             score_distribution, skill_between)
from chaoszoo.forecast.registry import make

pytestmark = [pytest.mark.xdist_group("forecast-probabilistic"), pytest.mark.usefixtures("private_cache")]

SMALL = Preset(name="forecast-test", n_ics=3, periods=12.0, fine_pts=30, coarse_pts=15, noise_level=0.0,
               lyapunov=False, transient_periods=10.0)
PROTO = get_protocol("short-fine-prob").replace(name="test-prob", preset=SMALL, default_ics=1, members=20)
RNG = np.random.default_rng(7)


def _fitted(name, history, seed=1):
    return make(name).fit(history, ForecastInfo(seed=seed))


# --- what a model returns ---------------------------------------------------------------------------

def test_the_three_kinds_of_distribution():
    h = RNG.standard_normal((100, 2))
    levels = get_protocol("short-fine-prob").quantile_levels
    d = predict_distribution(_fitted("forecast_prob_models:GaussianSamples", h), 10, 2, 30, levels)
    assert (d.kind, d.members, d.values.shape, d.note) == ("samples", 30, (30, 10, 2), "")
    q = predict_distribution(_fitted("forecast_prob_models:GaussianQuantiles", h), 10, 2, 30, levels)
    assert (q.kind, q.members, q.values.shape) == ("quantiles", None, (19, 10, 2))
    np.testing.assert_allclose(q.point(), np.tile(h[-1], (10, 1)))  # the median
    p = predict_distribution(_fitted("naive-mean", h), 10, 2, 30, levels)
    assert (p.kind, p.members, p.values.shape) == ("point", 1, (1, 10, 2)) and "one-member ensemble" in p.note
    n = predict_distribution(_fitted("forecast_prob_models:NoDistribution", h), 10, 2, 30, levels)
    assert n.kind == "point" and "no likelihood here" in n.note


@pytest.mark.parametrize("model, match", [
    ("forecast_prob_models:NaNSamples", r"non-finite values \(first in member 3 at step 5"),
    ("forecast_prob_models:WrongShapeSamples", r"shape \(30, 11, 2\), expected .* \(30, 10, 2\)"),
    ("forecast_prob_models:OneMember", "a single member where 30 were asked"),
    ("forecast_prob_models:CrossingQuantiles", r"quantiles cross: at step 7, variable 0, the 0.25 quantile"),
])
def test_bad_distributions_are_clear_model_errors(model, match):
    h = RNG.standard_normal((100, 2))
    with pytest.raises(ModelError, match=match):
        predict_distribution(_fitted(model, h), 10, 2, 30, get_protocol("short-fine-prob").quantile_levels)


# --- the scores of a row ------------------------------------------------------------------------------

def _direct_pvpt(crps_t, clim_t, ls):
    c = r = 0.0
    for t, (a, b) in enumerate(zip(crps_t, clim_t)):
        c, r = c + a, r + b
        if 1 - c / r < 0.5:
            return t / ls
    return len(crps_t) / ls


def test_row_scores_of_an_ensemble_against_scoringrules():
    history = RNG.standard_normal((300, 3)) * [1.0, 5.0, 0.1]
    target = RNG.standard_normal((40, 3)) * [1.0, 5.0, 0.1]
    samples = RNG.standard_normal((25, 40, 3)) * [1.0, 5.0, 0.1] * np.linspace(0.2, 1.5, 40)[None, :, None]
    m, mis, prob = score_distribution(target, Distribution("samples", samples), history, lyapunov_steps=8.0,
                                      lead_bins=4)
    sd = history.std(axis=0)
    zt, z, zh = target / sd, samples / sd, history / sd
    crps = sr.crps_ensemble(zt, z, m_axis=0, estimator="fair", backend="numpy")
    assert m["crps"] == pytest.approx(crps.mean(), rel=1e-12)
    es = sr.es_ensemble(zt, np.moveaxis(z, 0, 1), estimator="fair", backend="numpy")
    assert m["energy_score"] == pytest.approx(es.mean(), rel=1e-12)
    q = np.quantile(z, [0.05, 0.25, 0.5, 0.75, 0.95], axis=0)
    wis = sr.weighted_interval_score(zt, q[2], np.stack([q[1], q[0]], -1), np.stack([q[3], q[4]], -1),
                                     np.array([0.5, 0.1]), backend="numba")
    assert m["wis"] == pytest.approx(wis.mean(), rel=1e-12)
    assert m["coverage_90"] == pytest.approx(np.mean((zt >= q[0]) & (zt <= q[4])))
    assert m["coverage_50_error"] == pytest.approx(abs(np.mean((zt >= q[1]) & (zt <= q[3])) - 0.5))
    ssr = math.sqrt(26 / 25) * math.sqrt(z.var(axis=0, ddof=1).mean()) / math.sqrt(((z.mean(0) - zt) ** 2).mean())
    assert m["spread_skill"] == pytest.approx(ssr, rel=1e-12)
    assert m["spread_skill_error"] == pytest.approx(abs(math.log(ssr)), rel=1e-12)
    clim = np.array([[sr.crps_ensemble(zt[t, j], zh[:, j], estimator="nrg", backend="numpy") for j in range(3)]
                     for t in range(40)]).mean(axis=1)
    assert m["crps_skill"] == pytest.approx(1 - crps.mean() / clim.mean(), rel=1e-10)
    assert m["pvpt"] == pytest.approx(_direct_pvpt(crps.mean(axis=1), clim, 8.0))
    assert prob["kind"] == "samples" and prob["members"] == 25 and sum(prob["pit"]) == 120
    np.testing.assert_allclose(prob["crps_by_variable"], crps.mean(axis=0) * sd, rtol=1e-12)
    c = prob["curve"]
    assert c["unit"] == "lyapunov" and c["t"] == [10 / 8, 20 / 8, 30 / 8, 40 / 8]
    np.testing.assert_allclose(c["crps"], crps.mean(axis=1).reshape(4, 10).mean(axis=1), rtol=1e-12)
    np.testing.assert_allclose(c["spread"], np.sqrt(z.var(axis=0, ddof=1).mean(axis=1).reshape(4, 10).mean(axis=1)),
                               rtol=1e-10)
    assert not mis


def test_row_scores_of_quantiles_and_of_a_point():
    from scipy.stats import norm

    history = RNG.standard_normal((200, 2))
    target = RNG.standard_normal((30, 2))
    levels = get_protocol("short-fine-prob").quantile_levels
    q = np.asarray(norm.ppf(levels))[:, None, None] * np.ones((1, 30, 2)) * 0.8
    m, mis, prob = score_distribution(target, Distribution("quantiles", q, levels), history, lyapunov_steps=None)
    sd = history.std(axis=0)
    zt, zq = target / sd, q / sd
    pinball = np.mean([((zt < zq[k]) - lv) * (zq[k] - zt) for k, lv in enumerate(levels)], axis=0)
    assert m["crps"] == pytest.approx(2 * pinball.mean(), rel=1e-12)
    assert m["coverage_90"] == pytest.approx(np.mean((zt >= zq[0]) & (zt <= zq[-1])))
    assert m["energy_score"] is None and "no joint distribution" in mis["energy_score"]
    assert "no members" in mis["spread_skill"] and mis["pvpt"] == "no Lyapunov time"
    assert prob["members"] is None and prob["levels"] == list(levels)
    # a point forecast: one member, CRPS = mean absolute error, energy score = mean Euclidean error
    y = target + 0.3
    m, mis, prob = score_distribution(target, Distribution("point", y[None], note="point"), history)
    assert m["crps"] == pytest.approx(np.mean(np.abs(y - target) / sd), rel=1e-12)
    assert m["energy_score"] == pytest.approx(np.mean(np.linalg.norm((y - target) / sd, axis=1)), rel=1e-12)
    assert m["wis"] == pytest.approx(m["crps"], rel=1e-12)
    assert mis["spread_skill"] == "one member: no spread" and prob["members"] == 1


def test_pvpt_by_hand():
    # cumulative skill 0.75, 0.75, 1 - 5/10 = 0.5 (not below), 1 - 9/12 = 0.25: below at step 3
    assert pvpt([1, 1, 3, 4], [4, 4, 2, 2]) == 3.0
    assert pvpt([1, 1, 3, 4], [4, 4, 2, 2], lyapunov_steps=4.0) == 0.75
    assert pvpt([0, 0, 0], [1, 1, 1]) == 3.0  # never: the whole horizon
    assert pvpt([0, 0], [0, 0]) == 2.0  # a constant target and exact forecast: no loss of skill


# --- the models' distributions ------------------------------------------------------------------------

def test_climatology_draws_states_of_the_history():
    h = RNG.standard_normal((80, 3))
    m = _fitted("climatology", h, seed=5)
    s = m.predict_samples(12, 40)
    rows = {tuple(r) for r in h}
    assert s.shape == (40, 12, 3) and all(tuple(v) in rows for v in s.reshape(-1, 3))
    assert np.array_equal(s, _fitted("climatology", h, seed=5).predict_samples(12, 40))
    np.testing.assert_allclose(m.predict(4), np.tile(h.mean(axis=0), (4, 1)))


def test_analogues_members_are_the_nearest_continuations():
    # a stretch [0, 1, 2] occurs three times, followed by 10, 20 and 30; the history ends with it
    base = RNG.uniform(50, 60, size=40)
    z = base.copy()
    for pos, nxt in ((5, 10.0), (15, 20.0), (25, 30.0)):
        z[pos:pos + 3] = [0.0, 1.0, 2.0]
        z[pos + 3] = nxt
    z = np.concatenate([z, [0.0, 1.0, 2.0]])[:, None]
    m = make("analogues", window=3).fit(z, ForecastInfo())
    s = m.predict_samples(1, 3)
    assert sorted(s[:, 0, 0].round(9).tolist()) == [10.0, 20.0, 30.0]
    # member 0 is the one-neighbour forecast itself
    long = make("analogues", window=3).fit(np.sin(np.arange(200) / 5)[:, None] + 0.01 * RNG.standard_normal((200, 1)),
                                           ForecastInfo())
    np.testing.assert_array_equal(long.predict_samples(60, 5)[0], long.predict(60))


def test_nvar_and_esn_ensembles():
    import chaoszoo as cz

    h = cz.get("Lorenz").trajectory(700, pts_per_period=50).values
    for name in ("nvar", "esn"):
        m = make(name, fast=True).fit(h[:600], ForecastInfo(seed=4))
        point = m.predict(50)
        s = m.predict_samples(50, 16)
        assert s.shape == (16, 50, 3) and np.isfinite(s).all()
        assert np.array_equal(s, make(name, fast=True).fit(h[:600], ForecastInfo(seed=4)).predict_samples(50, 16))
        np.testing.assert_array_equal(m.predict(50), point)  # sampling leaves the point forecast alone
        spread = s.std(axis=0).mean(axis=1)
        assert spread[0] > 0 and spread[-1] > spread[0]  # the one-step errors grow along the horizon


def test_perfect_ensemble_is_exact_without_noise_and_spread_with_it():
    from chaoszoo.forecast.tasks import make_task

    clean, noisy = (v for v in PROTO.variants if not v.univariate)
    task = make_task(PROTO, "Henon", 0, clean)
    m = make("perfect-ensemble").fit(task.history, task.info.replace(seed=3))
    s = m.predict_samples(len(task.target), 8)
    assert np.allclose(s, task.target_clean[None], rtol=0, atol=1e-9)  # the data's own continuation
    task = make_task(PROTO, "Henon", 0, noisy)
    s = make("perfect-ensemble").fit(task.history, task.info.replace(seed=3)).predict_samples(len(task.target), 8)
    assert (s.std(axis=0) > 0).all()
    assert np.array_equal(s, make("perfect-ensemble").fit(task.history, task.info.replace(seed=3))
                          .predict_samples(len(task.target), 8))


# --- the runner, store, tables --------------------------------------------------------------------------

MODELS = ["naive-mean", "climatology", "analogues", "nvar", "perfect-ensemble",
          "forecast_prob_models:GaussianSamples", "forecast_prob_models:GaussianQuantiles"]


@pytest.fixture(scope="module")
def henon_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("prob") / "run"
    s = run(PROTO, MODELS, systems=["Henon"], out=out, jobs=0, progress=False, keep_forecasts=True,
            attractor_metrics=False)
    return out, s


def test_rows_of_the_probabilistic_track(henon_run):
    out, s = henon_run
    assert (s.total, s.ok, s.failed) == (28, 28, 0)
    df = load_results(out)
    by = df.set_index(["model", "variant"])
    for col in ("crps", "energy_score", "wis", "coverage_90", "smape"):
        assert by[col].notna().any()
    naive = by.loc[("naive-mean", "multi-clean")]
    assert naive["members"] == 1 and "one-member ensemble" in naive["prob"]["note"]
    assert naive["missing"]["spread_skill"] == "one member: no spread"
    assert by.loc[("climatology", "multi-noisy")]["members"] == 20
    assert np.isnan(by.loc[("forecast_prob_models:GaussianQuantiles", "multi-clean")]["members"])
    assert by.loc[("forecast_prob_models:GaussianQuantiles", "multi-clean")]["prob"]["kind"] == "quantiles"
    # the point metrics score the members' mean: the ceiling's on clean data is the exact continuation
    assert by.loc[("perfect-ensemble", "multi-clean")]["smape"] < 1e-6
    assert by.loc[("perfect-ensemble", "multi-noisy")]["clean_crps"] > 0
    from chaoszoo.forecast.store import ResultsStore

    with ResultsStore(out, create=False) as st:
        f = st.forecast(by.loc[("climatology", "multi-clean")]["job_id"])
        q = st.forecast(by.loc[("forecast_prob_models:GaussianQuantiles", "uni-clean")]["job_id"])
    assert f.dtype == np.float32 and f.shape == (20, 60, 2) and q.shape == (19, 60, 1)
    assert set(df["protocol"]) == {"test-prob"}


def test_a_point_protocol_is_unchanged(tmp_path):
    """The same tasks under the point protocol: no distribution asked, no probabilistic field, and
    the point metrics of a deterministic model equal to the probabilistic track's for a model that
    gives a point forecast (its distribution is that point)."""
    point = get_protocol("short-fine").replace(name="test-point", preset=SMALL, default_ics=1)
    run(point, ["naive-mean", "nvar"], systems=["Henon"], variants="multi-clean", out=tmp_path / "p", jobs=0,
        progress=False, attractor_metrics=False)
    run(PROTO, ["naive-mean"], systems=["Henon"], variants="multi-clean", out=tmp_path / "q", jobs=0,
        progress=False, attractor_metrics=False)
    a, b = load_results(tmp_path / "p"), load_results(tmp_path / "q")
    assert not {"prob", "members", "crps"} & set(a.columns)
    na, nb = a[a["model"] == "naive-mean"].iloc[0], b.iloc[0]
    for k in ("smape", "mse", "mae", "vpt_smape"):
        assert na[k] == nb[k]


def test_export_restore_leaderboard_report_verify(henon_run, tmp_path):
    from chaoszoo.forecast.store import export_results, import_results
    from chaoszoo.forecast.verification import verify

    out, _ = henon_run
    f = export_results(out, tmp_path / "prob.parquet")
    import_results(f, tmp_path / "restored")
    a = load_results(out).set_index("job_id").sort_index()
    b = load_results(tmp_path / "restored").set_index("job_id").sort_index()
    assert json.dumps(a["prob"].tolist(), sort_keys=True) == json.dumps(b["prob"].tolist(), sort_keys=True)
    np.testing.assert_array_equal(a["crps"].to_numpy(), b["crps"].to_numpy())
    lb = leaderboard(out, metric="crps", by="variant")
    ref = lb[lb["model"] == "perfect-ensemble"]
    assert ref["reference"].all() and ref["mean_rank"].isna().all()
    lb = leaderboard(out, metric="pvpt", by="variant")  # higher is better: the best first
    comp = lb[(lb["variant"] == "multi-noisy") & ~lb["reference"]]
    assert comp["median"].is_monotonic_decreasing
    sk = skill_between(out).set_index(["variant", "model"])["skill"]
    assert sk[("multi-noisy", "climatology")] == 0 and sk[("multi-noisy", "perfect-ensemble")] == 1
    md = write_report(out, tmp_path / "report", metric="crps", variant="multi-noisy")
    text = md.read_text()
    for fig in ("prob_lead_time.png", "prob_pit.png"):
        assert (tmp_path / "report" / fig).is_file() and fig in text
    assert "Between the floor and the ceiling" in text
    rep = verify(out, sample=6, jobs=0, progress=False)
    assert rep.passed, str(rep)


def test_perfect_ensemble_is_ahead_of_every_model_at_every_lead_time_on_clean_data(tmp_path):
    models = ["naive-mean", "climatology", "analogues", "nvar", "esn", "perfect-ensemble"]
    s = run(PROTO, models, systems=["Henon", "Lorenz", "Rossler"], variants="uni-clean,multi-clean",
            out=tmp_path / "ceiling", jobs=0, progress=False, attractor_metrics=False, fast=True)
    df = load_results(tmp_path / "ceiling")
    assert s.ok == s.total == 36, df[df["status"] != "ok"][["model", "system", "error"]].to_string()
    for metric in ("crps", "energy_score"):
        gaps = ceiling_gaps(df, metric)
        assert gaps.empty, gaps.to_string()


def test_chronos_quantiles_from_its_trained_levels(tmp_path):
    """The hub adapter's predict_quantiles: a tiny random Chronos-Bolt (trained levels 0.1, 0.5,
    0.9), the asked levels interpolated between the pipeline's own quantiles, sorted where its
    heads cross, and held beyond them; where they do not cross the median is predict()'s forecast."""
    import torch

    from test_forecast_external import _tiny_chronos_bolt

    path = str(_tiny_chronos_bolt(tmp_path / "bolt"))
    h = RNG.standard_normal((120, 2)).cumsum(axis=0)
    m = make("chronos", model=path).fit(h, ForecastInfo(seed=2))
    levels = get_protocol("short-fine-prob").quantile_levels
    q = m.predict_quantiles(16, levels)
    assert q.shape == (19, 16, 2)
    from chaoszoo.forecast.models.hub import _chronos_pipeline

    torch.manual_seed(2)
    ref, _ = _chronos_pipeline(path, "cpu").predict_quantiles(
        [torch.tensor(h[:, c], dtype=torch.float32) for c in range(2)], prediction_length=16,
        quantile_levels=[0.1, 0.5, 0.9])
    raw = np.transpose(ref.to(torch.float64).numpy(), (2, 1, 0))  # (3, 16, 2)
    # random heads cross; the adapter sorts each step's trained quantiles (monotone rearrangement)
    ref = np.sort(raw, axis=0)
    assert np.all(np.diff(q, axis=0) >= 0)
    at = {v: q[levels.index(v)] for v in (0.05, 0.1, 0.3, 0.5, 0.7, 0.95)}
    ordered = (raw[0] <= raw[1]) & (raw[1] <= raw[2])
    assert ordered.any() and not ordered.all()
    np.testing.assert_array_equal(at[0.5][ordered], m.predict(16)[ordered])  # the median is predict's forecast
    np.testing.assert_array_equal(at[0.5], ref[1])
    np.testing.assert_array_equal(at[0.05], ref[0])
    np.testing.assert_array_equal(at[0.95], ref[2])
    np.testing.assert_allclose(at[0.3], 0.5 * (ref[0] + ref[1]), rtol=1e-12)
    np.testing.assert_allclose(at[0.7], 0.5 * (ref[1] + ref[2]), rtol=1e-12)


def test_the_conformance_checker_checks_distributions():
    from chaoszoo.forecast.conformance import check_model

    for name in ("climatology", "perfect-ensemble", "analogues", "forecast_prob_models:GaussianQuantiles"):
        r = check_model(name, horizon=12)
        assert r.passed and r.checks["distribution_multivariate"] == "ok", str(r)
    assert not any(k.startswith("distribution") for k in check_model("naive-mean", horizon=12).checks)
    r = check_model("forecast_prob_models:NaNSamples", horizon=12)
    assert "non-finite values (first in member 3 at step 5" in r.checks["distribution_univariate"]
    r = check_model("forecast_prob_models:CrossingQuantiles", horizon=12)
    assert "the quantiles cross" in r.checks["distribution_multivariate"]
