"""The command-line interface, driven through click's test runner."""

import numpy as np
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

import chaoszoo as cz
from chaoszoo.cli import main


@pytest.fixture()
def runner(monkeypatch, tmp_path):
    monkeypatch.setenv("CHAOSZOO_CACHE", str(tmp_path / "cache"))
    return CliRunner()


def test_list_counts_and_filters(runner):
    out = runner.invoke(main, ["list"])
    assert out.exit_code == 0
    assert f"{len(cz.names())} systems" in out.output and "by field:" in out.output
    maps = runner.invoke(main, ["list", "--kind", "map", "--no-counts"]).output.split()
    assert "Lorenz" not in maps
    bad = runner.invoke(main, ["list", "--tag", "nonsense"])
    assert bad.exit_code == 2 and "Unknown tag" in bad.output


def test_show(runner):
    out = runner.invoke(main, ["show", "Lorenz"])
    assert out.exit_code == 0
    assert "\\dot{x}" in out.output and "rho = 28" in out.output and "Lorenz, E. N." in out.output
    bad = runner.invoke(main, ["show", "Lornez"])
    assert bad.exit_code == 2 and "Did you mean 'Lorenz'" in bad.output


@pytest.mark.parametrize("suffix", [".csv", ".parquet", ".npy"])
def test_simulate_writes_each_format(runner, tmp_path, suffix):
    out = tmp_path / f"lorenz{suffix}"
    res = runner.invoke(main, ["simulate", "Lorenz", "--n", "300", "--pts-per-period", "50", "--out", str(out)])
    assert res.exit_code == 0, res.output
    expected = cz.get("Lorenz").trajectory(300, pts_per_period=50)
    if suffix == ".npy":
        values = np.load(out)
    elif suffix == ".csv":
        data = np.loadtxt(out, delimiter=",", skiprows=1)
        np.testing.assert_array_equal(data[:, 0], expected.t)
        values = data[:, 1:]
    else:
        table = pq.read_table(out)
        assert table.column_names == ["t", "x", "y", "z"]
        values = np.column_stack([table[c].to_numpy() for c in "xyz"])
    np.testing.assert_array_equal(values, expected.values)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_simulate_failure_leaves_no_file(runner, tmp_path):
    out = tmp_path / "boom.csv"
    res = runner.invoke(main, ["simulate", "Lorenz", "--n", "400", "--pts-per-period", "20",
                               "-p", "beta=-5", "-p", "sigma=-10", "--out", str(out)])
    assert res.exit_code == 2 and "failed" in res.output
    assert list(tmp_path.glob("*boom*")) == [] and list(tmp_path.glob(".*")) == []


def test_simulate_bad_inputs(runner, tmp_path):
    assert runner.invoke(main, ["simulate", "Lorenz", "--out", str(tmp_path / "x.txt")]).exit_code == 2
    res = runner.invoke(main, ["simulate", "Lorenz", "--n", "0", "--out", str(tmp_path / "x.npy")])
    assert res.exit_code == 2 and "positive integer" in res.output
    res = runner.invoke(main, ["simulate", "Lorenz", "-p", "rh0=3", "--out", str(tmp_path / "x.npy")])
    assert res.exit_code == 2 and "'rho'" in res.output
    assert not (tmp_path / "x.npy").exists()


def test_plot(runner, tmp_path):
    out = tmp_path / "lorenz.png"
    res = runner.invoke(main, ["plot", "Lorenz", "--n", "500", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000
