"""Forecasts made elsewhere: export-tasks, forecast_tasks, import-forecasts; hub models (Chronos)."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from click.testing import CliRunner

from chaoszoo.cli import main
from chaoszoo.errors import InvalidArgumentError
from chaoszoo.forecast import external
from chaoszoo.forecast.protocols import get_protocol
from chaoszoo.forecast.store import ResultsStore, load_results
from chaoszoo.forecast.tasks import make_task

SYSTEMS = ["Lorenz", "Rossler"]


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export") / "tasks"
    external.export_tasks("zero-shot", folder, systems=SYSTEMS, ics=2)
    return folder


def _copy(folder, tmp_path):
    dst = tmp_path / "tasks"
    shutil.copytree(folder, dst)
    return dst


def test_export_writes_histories_fingerprints_and_settings_but_no_targets(exported):
    doc = json.loads((exported / "tasks.json").read_text())
    proto = get_protocol("zero-shot")
    assert doc["format"] == "chaoszoo-forecast-tasks" and doc["format_version"] == 1
    assert doc["protocol"] == json.loads(json.dumps(proto.settings(), default=str))
    assert [(t["system"], t["ic"], t["variant"]) for t in doc["tasks"]] == [
        (s, ic, "multi-clean") for s in SYSTEMS for ic in (0, 1)]
    export = external.read_tasks(exported)
    for t in export.tasks:
        task = make_task(proto, t["system"], t["ic"], proto.variants[0])
        assert t["data_sha256"] == task.data_sha256 and (t["horizon"], t["dims"], t["history_len"]) == (300, 3, 512)
        assert t["dt"] == task.info.dt and t["variables"] == list(task.info.variables) and t["lyapunov_steps"] == 30.0
        np.testing.assert_array_equal(export.histories[t["key"]], task.history)
        with np.load(exported / "tasks.npz") as z:   # nothing of the target leaves
            assert sorted(z.files) == sorted(x["key"] for x in doc["tasks"])
            assert not any(np.isin(task.target, z[k]).any() for k in z.files)


def test_export_refuses_to_overwrite_unasked_and_foreign_folders(exported, tmp_path):
    folder = _copy(exported, tmp_path)
    with pytest.raises(InvalidArgumentError, match="already holds an export"):
        external.export_tasks("zero-shot", folder, systems=["Lorenz"], ics=1)
    external.export_tasks("zero-shot", folder, systems=["Lorenz"], ics=1, force=True)
    assert len(external.read_tasks(folder).tasks) == 1
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine")
    with pytest.raises(InvalidArgumentError, match="not a chaoszoo task export"):
        external.export_tasks("zero-shot", tmp_path / "mine", systems=["Lorenz"], ics=1)
    with pytest.raises(InvalidArgumentError, match="does not apply"):
        external.export_tasks("zero-shot", tmp_path / "maps", systems=["Henon"], ics=1)


def test_imported_forecasts_score_as_a_run_scores_them(exported, tmp_path):
    """forecast_tasks runs a model on the exported histories with the seeds a run gives it; the
    imported rows then hold every number the run's rows hold (kl_divergence aside: its Monte
    Carlo draws are seeded by the job, whose model name differs)."""
    import chaoszoo as cz

    fc = external.forecast_tasks(exported, "parroting", tmp_path / "parrot.npz")
    side = json.loads(fc.with_suffix(".json").read_text())
    assert side["model"] == "parroting" and side["failed"] == {}
    summary = external.import_forecasts(exported, fc, tmp_path / "res", "parroting-elsewhere", family="baseline")
    assert (summary.written, summary.refused, summary.tasks) == (4, (), 4)
    cz.forecast.run("zero-shot", ["parroting"], systems=SYSTEMS, ics=2, out=tmp_path / "run", jobs=0, progress=False)
    a = load_results(tmp_path / "res").sort_values("job_id").reset_index(drop=True)
    b = load_results(tmp_path / "run").sort_values("job_id").reset_index(drop=True)
    assert set(a["setting"]) == {"external"} and set(a["model"]) == {"parroting-elsewhere"}
    assert set(a["status"]) == {"ok"} and set(a["family"]) == {"baseline"}
    assert a["job_id"].str.endswith("|parroting-elsewhere|external").all()
    assert a["data_sha256"].tolist() == b["data_sha256"].tolist()
    from chaoszoo.forecast.metrics import METRICS

    for m in METRICS:
        if m in a.columns and m != "kl_divergence":
            assert a[m].astype(str).tolist() == b[m].astype(str).tolist(), m
    with ResultsStore(tmp_path / "res", create=False) as st:   # the forecast is stored with its row
        row = st.rows()[0]
        y = st.forecast(row["job_id"])
    with np.load(fc) as z:
        np.testing.assert_array_equal(y, z[row["data_sha256"]])
    # the CLI: the same file into another store, and the leaderboard reads it
    res = CliRunner().invoke(main, ["forecast", "import-forecasts", str(exported), str(fc), "-m", "parroting-elsewhere",
                                    "--family", "baseline", "--out", str(tmp_path / "cli")])
    assert res.exit_code == 0 and "scored 4 forecasts of parroting-elsewhere" in res.output, res.output
    res = CliRunner().invoke(main, ["forecast", "leaderboard", str(tmp_path / "cli"), "--baseline", "parroting-elsewhere"])
    assert res.exit_code == 0 and "parroting-elsewhere" in res.output, res.output


def _forecasts(export, tweak=None):
    out = {t["data_sha256"]: np.zeros((t["horizon"], t["dims"])) + 1.0 for t in export.tasks}
    if tweak:
        tweak(out)
    return out


@pytest.mark.parametrize("problem", ["shape", "nan", "foreign", "not-a-fingerprint", "changed-data"])
def test_bad_forecasts_are_refused_and_no_row_is_written(exported, tmp_path, problem):
    folder = _copy(exported, tmp_path)
    export = external.read_tasks(folder)
    first = export.tasks[0]["data_sha256"]
    if problem == "shape":
        fc, match = _forecasts(export, lambda d: d.__setitem__(first, np.zeros((299, 3)))), "shape"
    elif problem == "nan":
        fc, match = _forecasts(export, lambda d: d[first].__setitem__((17, 1), np.nan)), "non-finite"
    elif problem == "foreign":
        fc, match = _forecasts(export, lambda d: d.__setitem__("ab" * 32, np.zeros((300, 3)))), "no exported task"
    elif problem == "not-a-fingerprint":
        fc, match = _forecasts(export, lambda d: d.__setitem__("Lorenz", np.zeros((300, 3)))), "not a task fingerprint"
    else:   # the manifest names a fingerprint that the current data do not have
        doc = json.loads((folder / "tasks.json").read_text())
        doc["tasks"][0]["data_sha256"] = "cd" * 32
        (folder / "tasks.json").write_text(json.dumps(doc))
        export = external.read_tasks(folder)
        fc, match = _forecasts(export), "changed since the export"
    np.savez(tmp_path / "fc.npz", **fc)
    with pytest.raises(InvalidArgumentError, match=match) as err:
        external.import_forecasts(folder, tmp_path / "fc.npz", tmp_path / "res", "elsewhere")
    assert "nothing was written" in str(err.value) and not (tmp_path / "res").exists()
    res = CliRunner().invoke(main, ["forecast", "import-forecasts", str(folder), str(tmp_path / "fc.npz"), "-m",
                                    "elsewhere", "--out", str(tmp_path / "res")])
    assert res.exit_code == 2 and "error:" in res.output and "Traceback" not in res.output, res.output
    assert not (tmp_path / "res").exists()
    # --skip-invalid: the valid ones are scored, the bad one is listed and has no row
    s = external.import_forecasts(folder, tmp_path / "fc.npz", tmp_path / "res", "elsewhere", skip_invalid=True,
                                  attractor_metrics=False)
    refused = dict(s.refused)
    assert len(refused) == 1 and s.written == len(fc) - 1
    shas = {r["data_sha256"] for r in load_results(tmp_path / "res").to_dict("records")}
    assert not shas & set(refused)


def test_bad_folders_files_and_names(exported, tmp_path):
    folder = _copy(exported, tmp_path)
    export = external.read_tasks(folder)
    np.savez(tmp_path / "fc.npz", **_forecasts(export))
    for model, match in (("parroting", "a model chaoszoo can run"), ("m:Cls", "a model chaoszoo can run"),
                         ("a|b", "without"), ("", "without")):
        with pytest.raises(InvalidArgumentError, match=match):
            external.import_forecasts(folder, tmp_path / "fc.npz", tmp_path / "res", model)
    with pytest.raises(InvalidArgumentError, match="family"):
        external.import_forecasts(folder, tmp_path / "fc.npz", tmp_path / "res", "x", family="foundation")
    (tmp_path / "junk.npz").write_bytes(b"not an npz")
    with pytest.raises(InvalidArgumentError, match="cannot be read"):
        external.import_forecasts(folder, tmp_path / "junk.npz", tmp_path / "res", "x")
    np.save(tmp_path / "one.npy", np.zeros(3))
    with pytest.raises(InvalidArgumentError, match=r"\.npz"):
        external.import_forecasts(folder, tmp_path / "one.npy", tmp_path / "res", "x")
    with np.load(folder / "tasks.npz") as z:   # histories altered after the export
        arrays = {k: z[k] + (1.0 if k == "t00001" else 0.0) for k in z.files}
    np.savez_compressed(folder / "tasks.npz", **arrays)
    with pytest.raises(InvalidArgumentError, match="SHA-256 differs"):
        external.read_tasks(folder)
    with pytest.raises(InvalidArgumentError, match="holds no tasks.json"):
        external.read_tasks(tmp_path)
    assert not (tmp_path / "res").exists()


def test_a_store_of_another_protocol_is_refused(exported, tmp_path):
    import chaoszoo as cz
    from chaoszoo.errors import ResultsStoreError

    cz.forecast.run("short-coarse", ["naive-mean"], systems=["Henon"], ics=1, variants="uni-clean",
                    out=tmp_path / "res", jobs=0, progress=False)
    export = external.read_tasks(exported)
    np.savez(tmp_path / "fc.npz", **_forecasts(export))
    with pytest.raises(ResultsStoreError, match="another protocol"):
        external.import_forecasts(exported, tmp_path / "fc.npz", tmp_path / "res", "elsewhere")


# --------------------------------------------------------------------------- hub models
def _import_or_fail(module: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as err:
        pytest.fail(f"{module} is not installed ({err}); it comes with chaoszoo[chronos] (`make test` installs it).")


def _tiny_chronos_bolt(folder):
    """A Chronos-Bolt checkpoint with random weights (9,680 parameters), made here: the hub
    cannot be reached from the test machines."""
    torch = _import_or_fail("torch")
    _import_or_fail("chronos")
    from chronos.chronos_bolt import ChronosBoltModelForForecasting
    from transformers import T5Config

    cfg = T5Config(d_model=16, d_kv=8, d_ff=32, num_layers=1, num_decoder_layers=1, num_heads=2, vocab_size=2,
                   decoder_start_token_id=0, pad_token_id=0, eos_token_id=1,
                   chronos_config={"context_length": 64, "prediction_length": 16, "input_patch_size": 8,
                                   "input_patch_stride": 8, "quantiles": [0.1, 0.5, 0.9], "use_reg_token": True},
                   chronos_pipeline_class="ChronosBoltPipeline", architectures=["ChronosBoltModelForForecasting"])
    torch.manual_seed(0)
    ChronosBoltModelForForecasting(cfg).save_pretrained(folder)
    return folder


def test_chronos_loads_a_checkpoint_through_its_package_and_runs_on_exported_tasks(exported, tmp_path):
    from chaoszoo.forecast import registry
    from chaoszoo.forecast.conformance import check_model
    from chaoszoo.forecast.interface import ForecastInfo

    path = str(_tiny_chronos_bolt(tmp_path / "bolt"))
    spec = registry.get_spec("chronos")
    assert spec.extra == "chronos" and "chronos" in spec.requires
    h = external.read_tasks(exported).histories["t00000"]
    m = registry.make("chronos", model=path).fit(h, ForecastInfo(seed=1))
    y = m.predict(40)
    assert y.shape == (40, 3) and np.all(np.isfinite(y))
    np.testing.assert_array_equal(y, registry.make("chronos", model=path).fit(h, ForecastInfo(seed=1)).predict(40))
    # each variable alone gives the same forecast as within the context (univariate, per variable)
    np.testing.assert_allclose(registry.make("chronos", model=path).fit(h[:, [1]], ForecastInfo(seed=1)).predict(40)[:, 0],
                               y[:, 1], rtol=1e-4, atol=1e-4)   # float32 batches round differently
    registry.register(registry.ModelSpec("chronos-tiny-random", spec.target, "deep", "a tiny random Chronos-Bolt",
                                         params={"model": path}), replace=True)
    try:
        report = check_model("chronos-tiny-random", horizon=20)
        assert report.passed, str(report)
    finally:
        registry._USER.pop("chronos-tiny-random", None)
    fc = external.forecast_tasks(exported, "chronos", tmp_path / "chronos.npz", params={"model": path})
    assert json.loads(fc.with_suffix(".json").read_text())["failed"] == {}
    s = external.import_forecasts(exported, fc, tmp_path / "res", "chronos-tiny-random")
    assert s.written == 4 and set(load_results(tmp_path / "res")["status"]) == {"ok"}
    with pytest.raises(Exception, match="could not load") as err:
        registry.make("chronos", model=str(tmp_path / "no-such-model")).fit(h).predict(5)
    assert type(err.value).__name__ == "ModelError"
