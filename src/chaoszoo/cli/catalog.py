"""Catalog commands: list, show, simulate, plot, run."""

from __future__ import annotations

import collections
import os
import time
from pathlib import Path

import click

from chaoszoo.cli import main
from chaoszoo.cli._common import IMAGE_SUFFIXES, check_output_path, enable_compilation_cache, fail


@main.command("list")
@click.option("--kind", type=click.Choice(["flow", "delay", "map"]), default=None, help="Only this kind.")
@click.option("--tag", "tags", multiple=True,
              help="Only systems with this tag (field or property); repeated, only systems with every tag given.")
@click.option("--counts/--no-counts", default=True, help="Print counts per kind and field after the list.")
def list_cmd(kind, tags, counts):
    """List the systems in the catalog, with counts per kind and field."""
    import chaoszoo as cz
    from chaoszoo.catalog import tags as vocab
    from chaoszoo.catalog.registry import declarations

    try:
        selected = cz.names(kind=kind)
        for tag in dict.fromkeys(tags):  # every tag is checked (an unknown one is an error), all must hold
            with_tag = set(cz.names(kind=kind, tag=tag))
            selected = [n for n in selected if n in with_tag]
    except cz.ChaoszooError as exc:
        fail(str(exc))
    decls = declarations()
    for name in selected:
        d = decls[name]
        fields = ",".join(t for t in d.tags if t in vocab.FIELDS)
        click.echo(f"{name:<28} {d.kind:<6} d={d.dimension:<4} {fields}")
    if counts:
        by_kind = collections.Counter(decls[n].kind for n in selected)
        by_field = collections.Counter(t for n in selected for t in decls[n].tags if t in vocab.FIELDS)
        click.echo(f"\n{len(selected)} systems: " + ", ".join(f"{k} {v}" for k, v in sorted(by_kind.items())))
        click.echo("by field: " + ", ".join(f"{k} {v}" for k, v in by_field.most_common()))


@main.command("show")
@click.argument("name")
def show_cmd(name):
    """Equations, parameters and metadata of one system."""
    import chaoszoo as cz

    try:
        s = cz.get(name)
    except cz.ChaoszooError as exc:
        fail(str(exc))
    click.echo(f"{s.name}  ({s.kind}, dimension {s.dimension})")
    click.echo(f"  {s.description}")
    click.echo(f"\nEquations (LaTeX):\n{s.latex()}\n")
    click.echo("Parameters:")
    for k, v in s.params.items():
        click.echo(f"  {k} = {v:.10g}")
    click.echo(f"\nVariables:      {', '.join(s.variables)}")
    click.echo(f"Initial cond.:  {', '.join(f'{v:.8g}' for v in s.ic)}")
    click.echo(f"Period:         {s.period:.6g}    default step: {s.dt:.6g}")
    if s.delay:
        click.echo(f"Delay:          {s.delay} = {s.params[s.delay]:g}")
    click.echo(f"Tags:           {', '.join(s.tags)}")
    click.echo(f"Citation:       {s.citation}")
    if s.declaration.notes:
        click.echo(f"Notes:          {s.declaration.notes}")


def _grid_options(f):
    f = click.option("--n", "n", type=int, default=10000, show_default=True, help="Number of samples.")(f)
    f = click.option("--pts-per-period", type=int, default=None, help="Samples per period (default 100 for flows).")(f)
    f = click.option("--dt", type=float, default=None, help="Explicit sampling step instead of --pts-per-period.")(f)
    f = click.option("--transient", type=int, default=0, show_default=True, help="Leading samples discarded.")(f)
    f = click.option("--noise", type=float, default=0.0, show_default=True, help="Dynamical noise amplitude.")(f)
    f = click.option("--seed", type=int, default=None, help="Seed for the noise (default: from the name).")(f)
    f = click.option("--param", "-p", multiple=True, metavar="NAME=VALUE", help="Change a parameter.")(f)
    return f


def _simulate(name, n, pts_per_period, dt, transient, noise, seed, param):
    import chaoszoo as cz

    overrides = {}
    for item in param:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            fail(f"--param expects NAME=VALUE; got {item!r}.")
        if key in overrides:
            fail(f"--param {key} is given twice; give each parameter once.")
        try:
            overrides[key] = float(value)
        except ValueError:
            fail(f"--param {key}: {value!r} is not a number.")
    s = cz.get(name)
    if s.kind != "map" and pts_per_period is None and dt is None:
        pts_per_period = 100
    return s, s.trajectory(n, pts_per_period=pts_per_period, dt=dt, transient=transient, noise=noise,
                           seed=seed, params=overrides or None)


@main.command("simulate")
@click.argument("name")
@_grid_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="Output file: .csv, .parquet or .npy (by suffix).")
def simulate_cmd(name, n, pts_per_period, dt, transient, noise, seed, param, out):
    """Simulate one trajectory and write it to a file."""
    import chaoszoo as cz
    from chaoszoo.io import SUFFIXES, write_trajectory

    out = check_output_path(out, SUFFIXES)
    enable_compilation_cache()
    t0 = time.perf_counter()
    try:
        with _spinner(f"simulating {name}"):
            s, tr = _simulate(name, n, pts_per_period, dt, transient, noise, seed, param)
        write_trajectory(tr, out)
    except cz.ChaoszooError as exc:
        fail(str(exc))
    click.echo(f"wrote {len(tr)} samples x {tr.values.shape[1]} variables of {s.name} to {out} "
               f"({time.perf_counter() - t0:.2f} s)")


@main.command("plot")
@click.argument("name")
@_grid_options
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="PNG file.")
def plot_cmd(name, n, pts_per_period, dt, transient, noise, seed, param, out):
    """Plot the attractor's pairwise projections to a PNG file."""
    import chaoszoo as cz
    from chaoszoo.plotting import plot_attractor

    out = check_output_path(out, IMAGE_SUFFIXES)
    enable_compilation_cache()
    try:
        with _spinner(f"simulating {name}"):
            s, tr = _simulate(name, n, pts_per_period, dt, transient, noise, seed, param)
    except cz.ChaoszooError as exc:
        fail(str(exc))
    plot_attractor(s, tr.values, out)
    click.echo(f"wrote {out}")


class _spinner:
    """A progress indicator for single long calls (compilation + integration)."""

    def __init__(self, label: str):
        self.label = label

    def __enter__(self):
        import threading

        from tqdm import tqdm

        self._bar = tqdm(total=None, desc=self.label, bar_format="{desc}: {elapsed}", leave=False,
                         disable=None, mininterval=0.5)
        self._stop = threading.Event()

        def tick():
            while not self._stop.wait(0.5):
                self._bar.update(0)
                self._bar.refresh()

        self._thread = threading.Thread(target=tick, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._bar.close()
        return False


def _run_one(name: str, periods: int, pts: int):
    """Worker: simulate one system for the gallery; returns a summary row and the values."""
    enable_compilation_cache()
    import numpy as np

    import chaoszoo as cz
    from chaoszoo.engine import shared_solvers

    s = cz.get(name)
    t0 = time.perf_counter()
    try:
        with shared_solvers():  # one compilation per state dimension, not per system
            if s.kind == "map":
                values = s.trajectory(2000).values
            else:
                values = s.trajectory(periods * pts, pts_per_period=pts).values
        status = "ok"
    except cz.ChaoszooError as exc:
        values, status = np.zeros((2, max(2, s.dimension))), f"FAILED: {exc}"
    return dict(name=name, kind=s.kind, dimension=s.dimension, seconds=time.perf_counter() - t0,
                absmax=float(np.abs(values).max()), status=status), values[:, :2]


@main.command("run")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("gallery.png"),
              show_default=True, help="Gallery image of every attractor.")
@click.option("--jobs", type=int, default=None, help="Worker processes (default: all cores).")
@click.option("--periods", type=int, default=40, show_default=True, help="Periods simulated per flow.")
@click.option("--kind", type=click.Choice(["flow", "delay", "map"]), default=None, help="Only this kind.")
def run_cmd(out, jobs, periods, kind):
    """The main job: simulate every system, print a summary table and write a gallery."""
    import concurrent.futures as cf

    from tqdm import tqdm

    import chaoszoo as cz
    from chaoszoo.plotting import plot_gallery

    out = check_output_path(out, IMAGE_SUFFIXES)  # before simulating everything
    if jobs is not None and jobs < 1:
        fail(f"--jobs must be a positive integer; got {jobs}.")
    if periods < 1:
        fail(f"--periods must be a positive integer; got {periods}.")
    names = cz.names(kind=kind)
    jobs = jobs or os.cpu_count() or 1
    t0 = time.perf_counter()
    rows, pictures = {}, {}
    from chaoszoo.workers import process_pool

    # workers die with this process (kill -9 included); Ctrl-C / SIGTERM terminate them
    with process_pool(jobs) as pool:
        futures = {pool.submit(_run_one, name, periods, 30): name for name in names}
        for fut in tqdm(cf.as_completed(futures), total=len(futures), desc="simulating", unit="system"):
            row, values = fut.result()
            rows[row["name"]], pictures[row["name"]] = row, values
    click.echo(f"\n{'system':<28}{'kind':<7}{'d':>4}{'seconds':>9}{'max|x|':>11}  status")
    for name in names:
        r = rows[name]
        click.echo(f"{name:<28}{r['kind']:<7}{r['dimension']:>4}{r['seconds']:>9.2f}{r['absmax']:>11.3g}  {r['status'][:60]}")
    failed = [n for n in names if rows[n]["status"] != "ok"]
    click.echo(f"\n{len(names) - len(failed)}/{len(names)} systems simulated in {time.perf_counter() - t0:.1f} s "
               f"with {jobs} workers.")
    plot_gallery([(n, rows[n]["kind"], pictures[n]) for n in names if n not in failed], out)
    click.echo(f"wrote gallery of {len(names) - len(failed)} attractors to {out}")
    if failed:
        raise SystemExit(1)
