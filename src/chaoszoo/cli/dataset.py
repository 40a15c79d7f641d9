"""Dataset commands: ``chaoszoo dataset build | info | verify``.

Errors (a bad option, a damaged manifest, a foreign folder) print one ``error:`` line and exit
with status 2 (the CLI's error boundary); ``verify`` exits with status 1 when it finds missing,
corrupt or extra files.
"""

from __future__ import annotations

import sys

import click

from chaoszoo.cli import main


@main.group("dataset")
def dataset() -> None:
    """Build, describe and check trajectory collections."""


@dataset.command("build")
@click.option("--preset", "preset", default="quick", show_default=True, help="quick, standard or large.")
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Output directory.")
@click.option("--systems", "systems", multiple=True,
              help="Only these systems (repeat the option, or separate names with commas).")
@click.option("--executor", type=click.Choice(["local", "ray"]), default="local", show_default=True)
@click.option("--address", default=None,
              help="Ray cluster address, with --executor ray (default: start a local Ray instance). Checked first: "
                   "nothing answering there is an error within seconds.")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Worker processes (default: one per core, at least 8 systems each; $CHAOSZOO_JOBS).")
@click.option("--no-progress", is_flag=True, help="Do not show progress bars.")
def build_cmd(preset, out, systems, executor, address, jobs, no_progress):
    """Build (or resume) a collection in OUT."""
    from chaoszoo.data.files import name_list, output_dir
    from chaoszoo.data.presets import get_preset
    from chaoszoo.errors import InvalidArgumentError
    from chaoszoo.workers import check_ray_address

    get_preset(preset)  # an unknown preset fails before anything else
    names = name_list(systems, "--systems") if systems else None
    out = output_dir(out)
    if address is not None:
        if executor != "ray":
            raise InvalidArgumentError("--address is the address of a Ray cluster; it needs --executor ray.")
        check_ray_address(address)  # ray.init would otherwise wait for minutes for a cluster that is not there
    from chaoszoo.data import build

    res = build(preset, out, systems=names, executor=executor, jobs=jobs, address=address, progress=not no_progress)
    m = res.manifest
    click.echo(f"{res.path}: {len(m['systems'])} systems, {m['trajectories']} trajectories "
               f"({len(res.generated)} generated, {len(res.reused)} reused) in {res.seconds:.1f} s.")
    if m["failed"]:
        click.echo(f"Failed systems (see manifest.json): {', '.join(sorted(m['failed']))}", err=True)


@dataset.command("info")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
def info_cmd(directory):
    """Describe the collection in DIRECTORY."""
    from chaoszoo.data import info

    d = info(directory)
    click.echo(f"path:            {d['path']}")
    click.echo(f"preset:          {d['preset']}")
    click.echo(f"chaoszoo:        {d['package_version']} (catalog {d['catalog_version'][:16]})")
    click.echo(f"systems:         {d['systems']}" + (f" (+{len(d['failed'])} failed: {', '.join(d['failed'])})" if d["failed"] else ""))
    click.echo(f"trajectories:    {d['trajectories']}")
    click.echo(f"size:            {d['bytes'] / 2**20:.1f} MiB")
    for k, v in d["settings"].items():
        if k != "systems":
            click.echo(f"  {k:<20} {v}")
    if d["skipped"]:
        reasons = {}
        for name, sk in d["skipped"].items():
            for variant, why in sk.items():
                reasons.setdefault((variant, why), []).append(name)
        for (variant, why), names in sorted(reasons.items()):
            click.echo(f"skipped {variant} for {len(names)} systems: {why}")


@dataset.command("verify")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
def verify_cmd(directory):
    """Check every file in DIRECTORY against the manifest's SHA-256 checksums (exit 1 on problems;
    exit 2 when DIRECTORY holds no valid manifest)."""
    from chaoszoo.data import verify

    report = verify(directory)
    click.echo(report.summary())
    sys.exit(0 if report.ok else 1)
