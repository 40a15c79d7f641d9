"""``chaoszoo annotate``: recompute the invariants of catalog systems into invariants.json."""

from __future__ import annotations

import os

import click

from chaoszoo.cli import main


def _worker_init() -> None:
    from chaoszoo.workers import WORKER_ENV

    for key, value in WORKER_ENV.items():
        os.environ.setdefault(key, value)


def _work(name: str):
    """Run in a worker process: ``(name, entry or None, error message or None)``."""
    from chaoszoo.analysis.annotate import compute
    from chaoszoo.errors import ChaoszooError

    try:
        return name, compute(name), None
    except ChaoszooError as exc:
        return name, None, str(exc)
    except Exception as exc:  # noqa: BLE001 - report any failure of one system, keep going
        return name, None, f"{type(exc).__name__}: {exc}"


def _check_output(path):
    """The output JSON, checked before any work: writable, and new or a readable invariants table."""
    from chaoszoo.data.files import output_file, read_json
    from chaoszoo.errors import DatasetError

    path = output_file(path, (".json",), "--output")
    if path.exists():
        advice = "Choose another --output, or delete it to start a new table."
        doc = read_json(path, "invariants table", advice)
        if not isinstance(doc.get("systems"), dict) or not all(isinstance(e, dict) for e in doc["systems"].values()):
            raise DatasetError(f"{path} is not an invariants table written by `chaoszoo annotate` (it has no "
                               f"'systems' object), so it was left untouched. {advice}")
    return path


@main.command("annotate")
@click.argument("names", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Annotate every system in the catalog.")
@click.option("--jobs", "-j", type=click.IntRange(1, None), default=1, show_default=True,
              help="Worker processes.")
@click.option("--force", is_flag=True, help="Recompute systems already annotated with the same settings.")
@click.option("--output", type=click.Path(), default=None,
              help="JSON file to create or update (default: ./invariants.json).")
@click.option("--ship", is_flag=True, help="Update the catalog's invariants.json inside the package (what "
                                           "chaoszoo.get(...).invariants reads).")
def annotate_cmd(names, all_, jobs, force, output, ship):
    """Recompute Lyapunov spectrum, dimensions, entropies and period of NAMES (or --all).

    Results are merged into the output file after every system (atomic write), so an
    interrupted run resumes where it stopped; systems already done with the same settings
    and parameters are skipped. Estimates that become non-finite are reported, not written;
    finite ones whose standard error stays too large are written with
    "lyapunov_converged": false and reported.
    """
    import concurrent.futures as cf

    from tqdm import tqdm

    import chaoszoo as cz
    from chaoszoo.analysis.annotate import SETTINGS
    from chaoszoo.catalog import invariants as store

    if all_ and names:
        raise click.UsageError("Give system NAMES or --all, not both.")
    if not all_ and not names:
        raise click.UsageError("Give one or more system NAMES, or --all.")
    if ship and output is not None:
        raise click.UsageError("Give --output or --ship, not both.")
    todo = cz.names() if all_ else list(dict.fromkeys(names))
    for n in todo:
        cz.get(n)  # unknown names fail early, with suggestions
    output = str(store.PATH) if ship else str(_check_output(output or "invariants.json"))
    table = store.load(output)
    done = table["systems"]
    if not force:
        skipped = [n for n in todo if n in done and done[n].get("settings") == SETTINGS
                   and done[n].get("params") == cz.get(n).params and done[n].get("version") == cz.__version__]
        todo = [n for n in todo if n not in skipped]
        if skipped:
            click.echo(f"{len(skipped)} system(s) already annotated with these settings; skipping them.")
    if not todo:
        click.echo("Nothing to do.")
        return
    # longest first (by the time recorded last run; new systems first of all), so that no
    # slow system starts last and leaves the other workers idle
    todo.sort(key=lambda n: -done.get(n, {}).get("seconds", float("inf")))
    failures, unconverged = [], []
    bar = tqdm(total=len(todo), unit="system", desc="annotate")

    def record(name, entry, error):
        if entry is None:
            failures.append(name)
            tqdm.write(f"{name}: not written - {error}")
        else:
            if not entry.get("lyapunov_converged", True):
                unconverged.append(name)
                tqdm.write(f"{name}: written as NOT converged - {entry.get('lyapunov_note', '')}")
            current = store.load(output)
            current["systems"][name] = entry
            store.write(current, output)
        bar.update(1)

    if jobs == 1:
        _worker_init()
        for n in todo:
            record(*_work(n))
    else:
        from chaoszoo.workers import process_pool

        # workers die with this process (kill -9 included); Ctrl-C / SIGTERM terminate them
        with process_pool(jobs) as pool:
            futures = [pool.submit(_work, n) for n in todo]
            for fut in cf.as_completed(futures):
                record(*fut.result())
    bar.close()
    click.echo(f"Annotated {len(todo) - len(failures)} of {len(todo)} system(s)"
               + (f"; not written (failed): {', '.join(sorted(failures))}" if failures else "")
               + (f"; written but not converged: {', '.join(sorted(unconverged))}" if unconverged else "")
               + ".")
