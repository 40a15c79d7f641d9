"""Generated systems: ``chaoszoo generated make | validate | catalog | corpus | fingerprint | scales``.

Errors print one ``error:`` line and exit with status 2 (the CLI's error boundary).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from chaoszoo.cli import main


@main.group("generated")
def generated() -> None:
    """New chaotic systems: skew products and mutations of catalog flows (docs/generated.md)."""


@generated.command("make")
@click.option("--driver", default=None, help="Driver flow of a skew product.")
@click.option("--response", default=None, help="Response flow of a skew product.")
@click.option("--form", type=click.Choice(["additive", "activated"]), default="additive", show_default=True)
@click.option("--base", default=None, help="Base flow of a mutation (instead of --driver/--response).")
@click.option("--seed", required=True, help="Integer seed.")
def make_cmd(driver, response, form, base, seed):
    """Print a generated system's name and its canonical description (JSON)."""
    from chaoszoo.catalog import generated as g
    from chaoszoo.errors import InvalidArgumentError

    try:
        seed_value = int(seed)
    except ValueError:
        raise InvalidArgumentError(f"--seed must be an integer; got {seed!r}.") from None
    if str(seed_value) != seed.strip():
        raise InvalidArgumentError(f"--seed must be an integer; got {seed!r}.")
    if base is not None:
        if driver is not None or response is not None:
            raise InvalidArgumentError("give --base (a mutation) or --driver and --response (a skew product), not both.")
        decl = g.mutation(base, seed_value)
    else:
        if driver is None or response is None:
            raise InvalidArgumentError("a skew product needs --driver and --response (or give --base for a mutation).")
        decl = g.skew_product(driver, response, form, seed_value)
    click.echo(decl.name)
    click.echo(json.dumps(g.canonical(decl), indent=1, sort_keys=True))


@generated.command("validate")
@click.argument("names", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="Print the verdicts as JSON.")
def validate_cmd(names, as_json):
    """Run the strange-attractor battery on NAMES (generated or catalog systems)."""
    import chaoszoo as cz
    from chaoszoo.analysis.attractor import validate

    systems = [cz.get(n) for n in names]  # unknown names fail before any work
    verdicts = validate(systems)
    if as_json:
        click.echo(json.dumps([v.to_dict() for v in verdicts], indent=1))
        return
    for v in verdicts:
        click.echo(f"{v.system}: {'valid' if v.passed else 'rejected'}" + (f" ({v.reason})" if v.reason else ""))


@generated.command("catalog")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False), help="Verdicts and table (JSON).")
@click.option("--systems", multiple=True, help="Only these catalog systems (default: all).")
def catalog_cmd(out, systems):
    """Measure the battery on the catalog: the confusion table against its regular tags."""
    import chaoszoo as cz
    from chaoszoo.analysis.attractor import Settings, THRESHOLDS, catalog_confusion, validate
    from chaoszoo.data.files import name_list, output_file
    from chaoszoo.data.storage import atomic_write

    path = output_file(out, (".json",), "--out")
    names = name_list(systems, "--systems") if systems else cz.names()
    for n in names:
        cz.get(n)
    verdicts = []
    # one solver per system, as a generated system has one per structure (the catalog-wide shared
    # solvers have one step budget per call, which a 25-period transient of HyperLu exhausts)
    with click.progressbar(names, label="validating", file=sys.stderr) as bar:
        for n in bar:
            verdicts.extend(validate([n]))
    table = catalog_confusion(verdicts)
    doc = {"settings": Settings().to_dict(), "thresholds": dict(THRESHOLDS), "confusion": table,
           "verdicts": [v.to_dict() for v in verdicts]}
    atomic_write(path, (json.dumps(doc, indent=1, sort_keys=True) + "\n").encode())
    c = table["counts"]
    click.echo(f"chaotic: {c['chaotic']['passed']} passed, {c['chaotic']['rejected']} rejected "
               f"({', '.join(table['chaotic_rejected']) or 'none'})")
    click.echo(f"regular: {c['regular']['passed']} passed ({', '.join(table['regular_passed']) or 'none'}), "
               f"{c['regular']['rejected']} rejected")


@generated.command("corpus")
@click.option("--preset", default="corpus", show_default=True, help="corpus or corpus-tiny.")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Output directory.")
@click.option("--tasks", type=click.IntRange(min=1), default=None,
              help="Only the first TASKS tasks of the plan (pairs and bases alternately), for checks.")
@click.option("--executor", type=click.Choice(["local", "ray"]), default="local", show_default=True)
@click.option("--address", default=None, help="Ray cluster address, with --executor ray.")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default 1: this process).")
@click.option("--no-progress", is_flag=True, help="Do not show the progress bar.")
@click.option("--costs", "costs", default=None, type=click.Path(dir_okay=False),
              help="Write each task's CPU seconds and compilations here (JSON; not part of the corpus).")
def corpus_cmd(preset, out, tasks, executor, address, jobs, no_progress, costs):
    """Build (or resume) a corpus of validated generated systems in OUT."""
    from chaoszoo.data.corpus import build_corpus, corpus_fingerprint, get_preset
    from chaoszoo.data.files import output_dir
    from chaoszoo.errors import InvalidArgumentError
    from chaoszoo.workers import check_ray_address

    get_preset(preset)
    out = output_dir(out)
    if address is not None:
        if executor != "ray":
            raise InvalidArgumentError("--address is the address of a Ray cluster; it needs --executor ray.")
        check_ray_address(address)
    res = build_corpus(preset, out, executor=executor, jobs=jobs, address=address, progress=not no_progress,
                       tasks=tasks)
    c = res.manifest["counts"]
    click.echo(f"{res.path}: {c['systems']} systems ({c['train']} train, {c['held-out']} held-out) of "
               f"{c['candidates']} candidates; {len(res.generated)} tasks run, {len(res.reused)} reused, "
               f"{res.seconds:.1f} s.")
    click.echo(f"fingerprint (SHA-256 of manifest.json): {corpus_fingerprint(res.path)}")
    if res.costs:
        cpu = sum(c.get("cpu_seconds", 0.0) for c in res.costs.values())
        compiled = sum(c.get("compiled", 0) for c in res.costs.values())
        loaded = sum(c.get("loaded", 0) for c in res.costs.values())
        click.echo(f"tasks run: {cpu:.1f} CPU-s in the tasks, {compiled} solvers compiled, {loaded} loaded from the cache.")
    if costs:
        from chaoszoo.data.files import output_file
        from chaoszoo.data.storage import atomic_write

        path = output_file(costs, (".json",), "--costs")
        atomic_write(path, (json.dumps(res.costs, indent=1, sort_keys=True) + "\n").encode())


@generated.command("fingerprint")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
def fingerprint_cmd(directory):
    """Print a finished corpus's fingerprint (the SHA-256 of its manifest.json)."""
    from chaoszoo.data.corpus import corpus_fingerprint

    click.echo(corpus_fingerprint(directory))


@generated.command("scales")
@click.option("--out", "out", default=None, type=click.Path(dir_okay=False),
              help="Write the table here (default: the catalog's generated_scales.json).")
def scales_cmd(out):
    """Recompute the attractor statistics (mean, spread, field RMS) the generator normalises by."""
    import numpy as np

    import chaoszoo as cz
    from chaoszoo.analysis.attractor import attractor_statistics
    from chaoszoo.catalog.generated.build import SCALES_PATH, scale_candidates
    from chaoszoo.engine import shared_solvers
    from chaoszoo.errors import ChaoszooError
    from chaoszoo.data.storage import atomic_write

    systems, failed = {}, {}
    with shared_solvers():
        for name in scale_candidates():
            try:
                st = attractor_statistics(cz.get(name))
                if not all(np.isfinite(np.asarray(v)).all() for v in st.values()):
                    raise ValueError("non-finite statistics")
                systems[name] = {k: [float(f"{x:.6g}") for x in v] for k, v in st.items()}
            except (ChaoszooError, ValueError) as exc:
                failed[name] = str(exc)
    doc = {"format": 1, "settings": {"transient_periods": 50.0, "periods": 100.0, "pts_per_period": 20,
                                     "initial_condition": "catalog", "parameters": "catalog",
                                     "rounding": "6 significant digits",
                                     "integrator": "chaoszoo engine, shared solvers, rtol=atol=1e-10"},
           "systems": systems, "failed": failed}
    atomic_write(Path(out) if out else SCALES_PATH, (json.dumps(doc, indent=1, sort_keys=True) + "\n").encode())
    click.echo(f"{len(systems)} flows, {len(failed)} failed -> {out or SCALES_PATH}")
