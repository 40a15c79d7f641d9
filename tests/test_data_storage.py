"""Presets, atomic writes and the Parquet layout (no integration needed)."""

import errno
import json

import numpy as np
import pyarrow.parquet as pq
import pytest

from chaoszoo.data import PRESETS, Preset, get_preset, storage
from chaoszoo.data.generate import Block, SystemResult, attractor_ics
from chaoszoo.errors import DatasetError, InvalidArgumentError


def test_presets_are_frozen_validated_and_fingerprinted():
    assert set(PRESETS) == {"quick", "standard", "large"}
    std = get_preset("standard")
    assert (std.n_ics, std.periods, std.fine_pts, std.coarse_pts, std.systems) == (20, 12.0, 100, 15, None)
    assert get_preset("large").n_param_sets > 1
    with pytest.raises(AttributeError):
        std.n_ics = 3
    assert std.fingerprint() == Preset.from_settings(json.loads(json.dumps(std.settings()))).fingerprint()
    assert std.fingerprint() != std.replace(seed=1).fingerprint()
    with pytest.raises(InvalidArgumentError, match="Unknown dataset preset 'nope'"):
        get_preset("nope")
    for bad in (dict(periods=-1.0), dict(noise_level=float("nan")), dict(systems=("A", "A")), dict(splits=())):
        with pytest.raises(InvalidArgumentError):
            Preset(name="x", **bad)


def test_atomic_write_on_a_full_disk_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "f.bin"
    storage.atomic_write(target, b"old")
    real_open = open

    class Full:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *a):
            self.f.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage, "open", lambda p, m="r", *a, **k: Full(real_open(p, m, *a, **k)), raising=False)
    with pytest.raises(DatasetError, match="No space left"):
        storage.atomic_write(target, b"new content")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]


def test_initial_conditions_one_per_block_and_disjoint_splits():
    class S:
        name = "Fake"

    pool = np.arange(400.0)[:, None]  # value = index
    p = Preset(name="x", n_ics=5)
    train, test = attractor_ics(S, p, pool, 0)
    picks = np.concatenate([train, test])[:, 0].astype(int)
    assert sorted(picks // 40) == list(range(10))  # exactly one pick in each of the 10 blocks
    again = attractor_ics(S, p, pool, 0)
    np.testing.assert_array_equal(again[0], train)  # seeded
    assert not np.array_equal(attractor_ics(S, p, pool, 1)[0], train)


def test_shard_rows_roundtrip_through_plain_pyarrow(tmp_path):
    rng = np.random.default_rng(3)
    vals = rng.standard_normal((4, 7, 2))
    block = Block(split=["test", "train", "test", "train"], ic_index=np.array([1, 0, 0, 1]),
                  param_index=np.zeros(4, int), params=['{"a":1.5}'] * 4, granularity="fine", noisy=True,
                  noise=0.25, univariate=False, variables=("u", "v"), dt=0.5, pts_per_period=4.0, values=vals)
    data, rows = storage.shard_bytes(SystemResult("Fake", [block]))
    assert rows == 4
    assert data == storage.shard_bytes(SystemResult("Fake", [block]))[0]  # deterministic bytes
    (tmp_path / "s.parquet").write_bytes(data)
    table = pq.read_table(tmp_path / "s.parquet")
    got = table.to_pylist()
    # train rows first, then test; ic_index ascending within a split
    assert [(r["split"], r["ic_index"]) for r in got] == [("train", 0), ("train", 1), ("test", 0), ("test", 1)]
    src = {("test", 1): 0, ("train", 0): 1, ("test", 0): 2, ("train", 1): 3}
    for r in got:
        np.testing.assert_array_equal(np.array(r["values"]), vals[src[r["split"], r["ic_index"]]])
        assert r["variables"] == ["u", "v"] and r["noise"] == 0.25 and r["n"] == 7 and r["t0"] == 0.0
    assert pq.ParquetFile(tmp_path / "s.parquet").metadata.num_row_groups == 2
