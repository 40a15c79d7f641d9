"""Dataset builds: determinism, resumption after kill -9, verification, errors, disk full."""

import errno
import hashlib
import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import chaoszoo as cz
from chaoszoo.cli import main as cli
from chaoszoo.data import Preset, build, load, storage, verify
from chaoszoo.errors import DatasetError, InvalidArgumentError
from extras import require
from reference import reference_flow
from test_data_fixtures import BUILD_SCRIPT, TINY, tiny_copy, tiny_dir, tree_bytes  # noqa: F401


def test_manifest_lists_every_file_with_its_sha256(tiny_dir):
    m = json.loads((tiny_dir / "manifest.json").read_text())
    on_disk = {p.relative_to(tiny_dir).as_posix() for p in tiny_dir.rglob("*") if p.is_file()} - {"manifest.json"}
    assert set(m["files"]) == on_disk == {"README.md", "systems/Lorenz.parquet", "systems/Rossler.parquet"}
    for rel, info in m["files"].items():
        data = (tiny_dir / rel).read_bytes()
        assert hashlib.sha256(data).hexdigest() == info["sha256"] and len(data) == info["bytes"]
    assert m["preset"]["n_ics"] == 2 and m["package_version"] == cz.__version__
    assert len(m["catalog_version"]) == 64
    # rows: 2 splits x 2 ics x (multi, uni) x [2 granularities x (clean, noisy) + clean Lyapunov grid].
    # Variants that could not be generated are left out with their reason recorded (Rossler's noisy
    # run can blow up: additive noise on z may push the state below the z > 0 sheet it needs).
    for name in ("Lorenz", "Rossler"):
        info = m["systems"][name]
        table = pq.read_table(tiny_dir / f"systems/{name}.parquet")
        variants = 2 * (1 if "noisy" in info["skipped"] else 2) + (0 if "lyapunov" in info["skipped"] else 1)
        assert table.num_rows == info["rows"] == 2 * 2 * 2 * variants
        assert set(table.column("system").to_pylist()) == {name}
        assert ("lyapunov" in info["skipped"]) == (cz.get(name).lyapunov_time is None)
    assert "noisy" not in m["systems"]["Lorenz"]["skipped"]
    assert all("blow-up" in r["skipped"].get("noisy", "blow-up") for r in m["systems"].values())
    assert not (tiny_dir / storage.STATE_DIR).exists()


def test_two_builds_are_byte_identical(tiny_dir, tmp_path):
    res = build(TINY, tmp_path / "again", jobs=1, progress=False)
    assert res.generated == ("Lorenz", "Rossler")
    assert tree_bytes(tmp_path / "again") == tree_bytes(tiny_dir)
    # a finished build is recognised and left alone
    again = build(TINY, tmp_path / "again", jobs=1, progress=False)
    assert again.generated == () and again.reused == ("Lorenz", "Rossler")


def test_trajectories_solve_the_equations(tiny_dir):
    """Clean fine rows agree with SciPy's DOP853 from the stored first sample; coarse rows are
    every 4th fine sample; univariate rows are the first variable; noisy rows differ."""
    s = cz.get("Lorenz")
    d = load(tiny_dir, system="Lorenz", split="train", noisy=False, univariate=False)
    fine = d.meta.index[d.meta.granularity == "fine"]
    coarse = d.meta.index[d.meta.granularity == "coarse"]
    for i, j in zip(fine, coarse):
        v = d.values[i]
        ref = reference_flow(s, d.times(i), ic=v[0])
        assert np.abs(v - ref).max() <= 1e-6 * np.abs(ref).max()
        assert d.meta.dt[i] == pytest.approx(s.period / 20) and d.meta.dt[j] == pytest.approx(s.period / 5)
        np.testing.assert_array_equal(d.values[j], v[::4][: len(d.values[j])])
    uni = load(tiny_dir, system="Lorenz", split="train", noisy=False, univariate=True, granularity="fine")
    np.testing.assert_array_equal(uni.array()[..., 0], np.stack([d.values[i][:, 0] for i in fine]))
    noisy = load(tiny_dir, system="Lorenz", split="train", noisy=True, univariate=False, granularity="fine")
    assert noisy.meta.noise.iloc[0] > 0
    np.testing.assert_array_equal(noisy.array()[:, 0], np.stack([d.values[i][0] for i in fine]))
    assert np.abs(noisy.array() - np.stack([d.values[i] for i in fine])).max() > 1e-3


def test_initial_conditions_lie_on_the_attractor_and_differ_between_splits(tiny_dir):
    s = cz.get("Lorenz")
    t = np.linspace(0, 60 * s.period, 6001)
    ref = reference_flow(s, t)[1000:]  # SciPy, after a transient
    lo, hi = ref.min(0), ref.max(0)
    pad = 0.05 * (hi - lo)
    d = load(tiny_dir, system="Lorenz", granularity="fine", noisy=False, univariate=False)
    ics = {(r.split, r.ic_index): d.values[i][0] for i, r in enumerate(d.meta.itertuples())}
    assert len(ics) == 4
    for x in ics.values():
        assert np.all(x >= lo - pad) and np.all(x <= hi + pad)
        # close to the reference attractor: within a few percent of its size of some point on it
        assert np.min(np.linalg.norm(ref - x, axis=1)) < 0.05 * np.linalg.norm(hi - lo)
    train = [ics["train", k] for k in range(2)]
    test = [ics["test", k] for k in range(2)]
    assert min(np.linalg.norm(a - b) for a in train for b in test) > 1e-3


def test_resume_after_kill9_gives_identical_files(tiny_dir, tmp_path):
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, "-c", BUILD_SCRIPT, str(out), "2"], start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    state = out / storage.STATE_DIR
    deadline = time.monotonic() + 600
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if state.is_dir() and any(p.suffix == ".json" and p.name != "build.json" for p in state.iterdir()):
                break
            time.sleep(0.05)
        assert proc.poll() is None, f"the build ended before it could be killed: {proc.stderr.read().decode()[-2000:]}"
    finally:
        os.killpg(proc.pid, signal.SIGKILL)  # the build and its pool workers
        proc.wait()
    assert not (out / "manifest.json").exists()
    done = [p.stem for p in state.iterdir() if p.name != "build.json" and p.suffix == ".json"]
    assert 1 <= len(done) <= 2
    res = build(TINY, out, jobs=1, progress=False)
    assert set(res.reused) >= set(done) - set(res.generated)
    assert tree_bytes(out) == tree_bytes(tiny_dir)


def test_disk_full_raises_dataset_error_and_loses_nothing(tiny_dir, tmp_path, monkeypatch):
    out = tmp_path / "full"
    real_open = open

    class FullFile:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    def fake_open(path, mode="r", *a, **k):
        f = real_open(path, mode, *a, **k)
        return FullFile(f) if "Rossler.parquet" in str(path) and "w" in mode else f

    monkeypatch.setattr(storage, "open", fake_open, raising=False)
    with pytest.raises(DatasetError, match="No space left"):
        build(TINY, out, jobs=1, progress=False)
    leftovers = [p.name for p in out.rglob("*") if storage.TMP_MARK in p.name]
    assert leftovers == []
    assert (out / "systems/Lorenz.parquet").read_bytes() == (tiny_dir / "systems/Lorenz.parquet").read_bytes()
    assert not (out / "manifest.json").exists()
    monkeypatch.undo()
    res = build(TINY, out, jobs=1, progress=False)
    assert res.reused == ("Lorenz",) and res.generated == ("Rossler",)
    assert tree_bytes(out) == tree_bytes(tiny_dir)


def test_verify_reports_corrupt_missing_and_extra_files(tiny_dir, tiny_copy):
    runner = CliRunner()
    ok = runner.invoke(cli, ["dataset", "verify", str(tiny_dir)])
    assert ok.exit_code == 0 and "OK: 3 files" in ok.output
    shard = tiny_copy / "systems/Lorenz.parquet"
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0xFF
    shard.write_bytes(bytes(data))
    (tiny_copy / "README.md").unlink()
    (tiny_copy / "systems/Intruder.parquet").write_bytes(b"x")
    report = verify(tiny_copy)
    assert report.corrupt == ["systems/Lorenz.parquet"]
    assert report.missing == ["README.md"]
    assert report.extra == ["systems/Intruder.parquet"]
    bad = runner.invoke(cli, ["dataset", "verify", str(tiny_copy)])
    assert bad.exit_code == 1
    assert "corrupt (checksum mismatch): systems/Lorenz.parquet" in bad.output and "missing: README.md" in bad.output


def test_build_repairs_a_corrupt_shard(tiny_dir, tiny_copy):
    shard = tiny_copy / "systems/Rossler.parquet"
    shard.write_bytes(shard.read_bytes()[:-10])
    res = build(TINY, tiny_copy, jobs=1, progress=False)
    assert res.generated == ("Rossler",) and res.reused == ("Lorenz",)
    assert tree_bytes(tiny_copy) == tree_bytes(tiny_dir)


def test_foreign_or_mismatched_directories_are_refused(tiny_copy, tmp_path):
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(DatasetError, match="not empty and holds no chaoszoo dataset"):
        build(TINY, foreign, jobs=1, progress=False)
    assert sorted(p.name for p in foreign.iterdir()) == ["notes.txt"]
    with pytest.raises(DatasetError, match="other settings"):
        build(TINY.replace(n_ics=3), tiny_copy, jobs=1, progress=False)
    result = CliRunner().invoke(cli, ["dataset", "build", "--preset", "quick", "--systems", "Lorenz",
                                      "--out", str(foreign), "--no-progress"])
    assert result.exit_code == 2 and "holds no chaoszoo dataset" in result.output


def test_unknown_preset_system_and_bad_options():
    with pytest.raises(InvalidArgumentError, match="quick, standard, large"):
        build("huge", "/nonexistent/never-written")
    with pytest.raises(DatasetError, match="'Lorenzz'.*Did you mean 'Lorenz'"):
        build(TINY, "/nonexistent/never-written", systems=["Lorenzz"])
    with pytest.raises(InvalidArgumentError, match="executor"):
        build(TINY, "/nonexistent/never-written", executor="dask")
    with pytest.raises(InvalidArgumentError, match="jobs"):
        build(TINY, "/nonexistent/never-written", jobs=0)
    with pytest.raises(InvalidArgumentError, match="n_ics"):
        Preset(name="bad", n_ics=0)
    with pytest.raises(InvalidArgumentError, match="granularities"):
        Preset(name="bad", granularities=("medium",))


def test_info_command(tiny_dir):
    result = CliRunner().invoke(cli, ["dataset", "info", str(tiny_dir)])
    assert result.exit_code == 0, result.output
    assert "preset:          tiny" in result.output and "trajectories:" in result.output


@pytest.mark.slow
def test_ray_executor_builds_the_same_bytes(tiny_dir, tmp_path):
    ray = require("ray", "ray")
    one = TINY.replace(systems=("Lorenz",))
    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False,
             runtime_env={"env_vars": {"XLA_FLAGS": os.environ.get("XLA_FLAGS", ""), "JAX_PLATFORMS": "cpu"}})
    try:
        res = build(one, tmp_path / "ray", executor="ray", progress=False)
    finally:
        ray.shutdown()
    assert res.generated == ("Lorenz",)
    assert (tmp_path / "ray/systems/Lorenz.parquet").read_bytes() == (tiny_dir / "systems/Lorenz.parquet").read_bytes()
    assert verify(tmp_path / "ray").ok


def test_unfinished_build_resumes_after_catalog_edits_regenerating_only_those_systems(tiny_dir, tmp_path,
                                                                                       monkeypatch, capsys):
    """A catalog entry edited while a long build is unfinished: the build resumes, regenerates
    that system's shard and reuses the others; the result equals a fresh build byte for byte."""
    import importlib

    mod = importlib.import_module("chaoszoo.data.build")
    real_hash = storage.system_hash
    out = tmp_path / "b"
    with monkeypatch.context() as m:
        m.setattr(storage, "system_hash", lambda n: "edited-later" if n == "Rossler" else real_hash(n))

        def interrupted(*a, **k):
            raise KeyboardInterrupt

        m.setattr(mod, "_finish", interrupted)
        with pytest.raises(KeyboardInterrupt):
            build(TINY, out, jobs=1, progress=False)
    assert not (out / storage.MANIFEST).exists()
    res = build(TINY, out, jobs=1, progress=False)
    assert res.generated == ("Rossler",) and res.reused == ("Lorenz",)
    assert "1 catalog entries changed since this build started (Rossler)" in capsys.readouterr().err
    assert tree_bytes(out) == tree_bytes(tiny_dir)
    # a finished collection is never modified in place: other catalog entries are refused
    monkeypatch.setattr(storage, "system_hash", lambda n: "edited-again" if n == "Lorenz" else real_hash(n))
    with pytest.raises(DatasetError, match="other settings, systems or catalog entries"):
        build(TINY, out, jobs=1, progress=False)
