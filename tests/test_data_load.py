"""Loaders of built collections: arrays, xarray, pandas, PyTorch windows, darts, Hugging Face."""

import time

import numpy as np
import pyarrow.parquet as pq
import pytest

import chaoszoo as cz
from chaoszoo.data import load, storage
from chaoszoo.data.load import preset_path
from chaoszoo.data.generate import Block, SystemResult, separation_rate
from chaoszoo.errors import DatasetError, InvalidArgumentError, UnknownSystemError
from extras import require
from test_data_fixtures import TINY, tiny_dir  # noqa: F401


def _raw_rows(path, **eq):
    """Rows of a shard read with plain pyarrow (independent of the loader)."""
    rows = pq.read_table(path).to_pylist()
    return [r for r in rows if all(r[k] == v for k, v in eq.items())]


def test_load_filters_and_values_match_the_raw_parquet(tiny_dir):
    d = load(tiny_dir, system="Lorenz", split="test", granularity="coarse", noisy=False, univariate=False)
    raw = _raw_rows(tiny_dir / "systems/Lorenz.parquet", split="test", granularity="coarse", noisy=False,
                    univariate=False)
    assert len(d) == len(raw) == 2
    assert d.array().shape == (2, 10, 3)
    for i, r in enumerate(raw):
        np.testing.assert_array_equal(d.values[i], np.array(r["values"]))
        assert d.meta.ic_index[i] == r["ic_index"] and list(d.meta.variables[i]) == ["x", "y", "z"]
    np.testing.assert_allclose(d.times(0), np.arange(10) * cz.get("Lorenz").period / 5)
    everything = load(tiny_dir)
    assert len(everything) == sum(pq.read_metadata(p).num_rows for p in (tiny_dir / "systems").iterdir())
    uni = load(tiny_dir, system=["Lorenz"], univariate=True, split=["train", "test"])
    assert all(v.shape[1] == 1 for v in uni.values)


def test_load_rejects_bad_requests(tiny_dir, tmp_path):
    with pytest.raises(UnknownSystemError):
        load(tiny_dir, system="NoSuchSystem")
    other = next(n for n in cz.names() if n not in TINY.systems)
    with pytest.raises(DatasetError, match="not in the dataset"):
        load(tiny_dir, system=other)
    with pytest.raises(InvalidArgumentError, match="split"):
        load(tiny_dir, split="validation")
    with pytest.raises(InvalidArgumentError, match="noisy"):
        load(tiny_dir, noisy="yes")
    with pytest.raises(DatasetError, match="not a preset name"):
        load(tmp_path / "nothing-here")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DatasetError, match="no manifest.json"):
        load(tmp_path / "empty")
    with pytest.raises(InvalidArgumentError, match="differ in length"):
        load(tiny_dir, system="Lorenz").array()


def test_to_xarray_and_pandas_long_format(tiny_dir):
    require("xarray", "xarray")
    d = load(tiny_dir, system="Lorenz", granularity="fine", univariate=False)
    da = d.to_xarray()
    assert da.dims == ("trajectory", "step", "variable") and da.shape == (len(d), 40, 3)
    assert list(da["variable"].values) == ["x", "y", "z"]
    np.testing.assert_array_equal(da.sel(variable="y").values, d.array()[:, :, 1])
    np.testing.assert_allclose(da.t.values[0], d.times(0))
    assert set(da.split.values) == {"train", "test"}
    df = d.to_pandas()
    assert len(df) == len(d) * 40 * 3
    assert {"trajectory", "step", "t", "variable", "value", "system", "split", "noisy"} <= set(df.columns)
    back = df[df.trajectory == 3].pivot(index="step", columns="variable", values="value")[["x", "y", "z"]]
    np.testing.assert_array_equal(back.to_numpy(), d.values[3])


def test_torch_window_dataset(tiny_dir):
    torch = require("torch", "torch")
    d = load(tiny_dir, system="Lorenz", granularity="fine", univariate=False, noisy=False)
    ds = d.to_torch(context=10, horizon=5, stride=3)
    assert isinstance(ds, torch.utils.data.Dataset)
    per = len(range(0, 40 - 10 - 5 + 1, 3))
    assert len(ds) == len(d) * per
    c, t = ds[per + 2]  # third window of the second trajectory
    np.testing.assert_allclose(c.numpy(), d.values[1][6:16].astype(np.float32))
    np.testing.assert_allclose(t.numpy(), d.values[1][16:21].astype(np.float32))
    batch = next(iter(torch.utils.data.DataLoader(ds, batch_size=4)))
    assert batch[0].shape == (4, 10, 3) and batch[1].shape == (4, 5, 3)
    with pytest.raises(InvalidArgumentError, match="long enough"):
        d.to_torch(context=40, horizon=5)


def test_darts_series(tiny_dir):
    require("darts", "darts")
    d = load(tiny_dir, system="Lorenz", granularity="coarse", univariate=False, noisy=False)
    series = d.to_darts()
    assert len(series) == len(d)
    np.testing.assert_array_equal(series[0].values(), d.values[0])
    assert list(series[0].components) == ["x", "y", "z"]


def test_hugging_face_datasets_reads_the_layout(tiny_dir, tmp_path, monkeypatch):
    datasets = require("datasets", "test")
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    ds = datasets.load_dataset("parquet", data_files={"train": str(tiny_dir / "systems/*.parquet")},
                               cache_dir=str(tmp_path / "hf"))["train"]
    d = load(tiny_dir)
    assert ds.num_rows == len(d)
    row = ds[0]
    assert row["system"] == d.meta.system[0] and np.array_equal(np.array(row["values"]), d.values[0])


def test_preset_name_builds_into_the_cache_once(tiny_dir, tmp_path, monkeypatch, capsys):
    from chaoszoo.data import presets

    one = TINY.replace(systems=("Lorenz",))
    monkeypatch.setenv("CHAOSZOO_CACHE", str(tmp_path / "cache"))
    monkeypatch.setitem(presets.PRESETS, "tiny", one)
    d = load("tiny", system="Lorenz", split="train", progress=False)
    assert "building it once" in capsys.readouterr().err
    target = preset_path(one)
    assert target.parent.parent == tmp_path / "cache"
    assert (target / "systems/Lorenz.parquet").read_bytes() == (tiny_dir / "systems/Lorenz.parquet").read_bytes()
    again = load("tiny", system="Lorenz", split="train", progress=False)
    expected = len(load(tiny_dir, system="Lorenz", split="train", progress=False))
    assert "building" not in capsys.readouterr().err and len(again) == len(d) == expected > 0


def _standard_size_shard(root):
    """A shard of the standard preset's shape (20 ics, 3-D, 12 periods) with synthetic values."""
    rng = np.random.default_rng(0)
    blocks = []
    for gran, n in (("fine", 1200), ("coarse", 180), ("lyapunov", 180)):
        for noisy in (False, True):
            vals = rng.standard_normal((40, n, 3))
            for uni in (False, True):
                blocks.append(Block(split=["train"] * 20 + ["test"] * 20, ic_index=np.tile(np.arange(20), 2),
                                    param_index=np.zeros(40, int), params=['{"a":1.0}'] * 40, granularity=gran,
                                    noisy=noisy, noise=0.1 * noisy, univariate=uni,
                                    variables=("x",) if uni else ("x", "y", "z"), dt=0.01, pts_per_period=100.0,
                                    values=vals[..., :1] if uni else vals))
    data, rows = storage.shard_bytes(SystemResult("Lorenz", blocks))
    (root / "systems").mkdir(parents=True)
    storage.atomic_write(root / "systems/Lorenz.parquet", data)
    manifest = {"format": storage.FORMAT, "format_version": storage.FORMAT_VERSION, "preset": {"name": "x"},
                "catalog_version": "0" * 64, "systems": {"Lorenz": {"file": "systems/Lorenz.parquet"}},
                "files": {"systems/Lorenz.parquet": {"sha256": storage.sha256_bytes(data), "bytes": len(data)}}}
    storage.atomic_write(root / "manifest.json", storage.json_bytes(manifest))
    return rows


def test_loading_one_split_of_a_standard_size_shard_is_fast(tmp_path):
    assert _standard_size_shard(tmp_path) == 480
    load(tmp_path, system="Lorenz", split="train", granularity="fine")  # warm imports
    best = min(_timed(lambda: load(tmp_path, system="Lorenz", split="train", granularity="fine",
                                   noisy=False, univariate=False)) for _ in range(5))
    d = load(tmp_path, system="Lorenz", split="train", granularity="fine", noisy=False, univariate=False)
    assert d.array().shape == (20, 1200, 3)
    assert best < 0.05, f"{best * 1e3:.1f} ms"


def _timed(fn):
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def test_separation_rate_recovers_an_analytic_exponent():
    t = np.linspace(0, 10, 201)
    a = np.zeros((201, 2))
    b = np.stack([1e-8 * np.exp(0.7 * t), np.zeros_like(t)], axis=1)
    assert separation_rate(a, b, t, size=1.0) == pytest.approx(0.7, rel=1e-9)
    c = np.stack([1e-3 * np.exp(-0.5 * t), np.zeros_like(t)], axis=1)
    assert separation_rate(a, c, t, size=1.0) == pytest.approx(-0.5, rel=1e-9)
