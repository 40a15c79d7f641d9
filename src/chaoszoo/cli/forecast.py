"""Forecasting benchmark commands: ``chaoszoo forecast protocols | models | check | run | leaderboard | report |
restore | forget | verify | repair | merge | export | reproduce | costs | export-tasks | import-forecasts``."""

from __future__ import annotations

import contextlib
import sys

import click

from chaoszoo.cli import main


@contextlib.contextmanager
def _errors():
    """Ctrl-C says how to resume; chaoszoo's errors reach the CLI's error boundary, which prints
    them in one line (`chaoszoo --debug` for the traceback)."""
    try:
        yield
    except KeyboardInterrupt:
        click.echo("\ninterrupted: finished rows are saved; run the same command again to resume.", err=True)
        sys.exit(130)


def _key_values(items) -> dict:
    """``KEY=VALUE`` options as a dict (values as JSON where they parse); a key given twice or an
    item without ``=`` is a usage error."""
    import json

    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise click.UsageError(f"--param takes KEY=VALUE; got {item!r}.")
        if key in out:
            raise click.UsageError(f"--param {key} is given twice.")
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out


def _names(values, option: str | None = None) -> list[str]:
    """Names from a repeatable, comma-separated option. An option given but empty (``--systems ''``)
    is a usage error, not "everything"."""
    names = [n for item in values for n in item.replace(",", " ").split()]
    if values and not names and option:
        raise click.UsageError(f"{option} is empty; name at least one, or leave the option out.")
    return names


@main.group("forecast")
def forecast() -> None:
    """Run forecasting benchmarks, rank models, write reports.

    Models given as 'module:Class' are imported from the current directory too (as `python -m`
    would), so a model in ./mymodels.py runs as `-m mymodels:MyModel`."""
    import os

    here = os.getcwd()
    if here not in sys.path and "" not in sys.path:
        sys.path.insert(0, here)  # our own process; worker processes inherit the path


@forecast.command("protocols")
def protocols_cmd():
    """List the benchmark protocols."""
    from chaoszoo.forecast.protocols import PROTOCOLS

    for p in PROTOCOLS.values():
        variants = ", ".join(v.label for v in p.variants)
        click.echo(f"{p.name:14s} v{p.version}  {p.description}\n{'':18s}variants: {variants}; "
                   f"ICs: {p.default_ics} (up to {p.max_ics}); tuning: {'train split' if p.tune else 'none'}")


@forecast.command("models")
@click.option("--family", default=None, help="Only one family (baseline, deep, statistical, reservoir, ...).")
def models_cmd(family):
    """List every registered model with the extra it needs."""
    from chaoszoo.forecast.registry import FAMILIES, list_models

    if family is not None and family not in FAMILIES:
        raise click.UsageError(f"Unknown --family {family!r}; families: {', '.join(FAMILIES)}.")
    specs = list_models(family)
    click.echo(f"{'model':20s} {'family':18s} {'extra':10s} {'installed':9s} description")
    for s in specs:
        missing = s.missing()
        click.echo(f"{s.name:20s} {s.family:18s} {(s.extra or '-'):10s} {('yes' if not missing else 'no'):9s} {s.description}")
    click.echo(f"{len(specs)} models; install a missing extra with: pip install 'chaoszoo[EXTRA]'")


@forecast.command("check")
@click.argument("model")
@click.option("--full", is_flag=True, help="Check the default setting (default: the fast one).")
@click.option("--timeout", type=click.FloatRange(min=0), default=300.0, show_default=True,
              help="Seconds the whole check may take; 0: no limit.")
def check_cmd(model, full, timeout):
    """Run MODEL (a name or package.module:Class) through the conformance checker."""
    from chaoszoo.forecast.conformance import check_model

    with _errors():
        report = check_model(model, fast=not full, timeout=timeout or None)
    click.echo(str(report))
    if not report.passed:
        sys.exit(1)


@forecast.command("run")
@click.option("--protocol", "-p", required=True, help="short-coarse, short-fine, long-horizon, zero-shot or data-limited.")
@click.option("--models", "-m", "models", multiple=True, required=True,
              help="Model names or package.module:Class (comma-separated or repeated).")
@click.option("--systems", multiple=True, help="Only these systems (default: every system).")
@click.option("--tag", multiple=True, help="Only systems with this tag (give it once).")
@click.option("--ics", type=int, default=None, help="Initial conditions per system (default: the protocol's).")
@click.option("--horizon", type=int, default=None,
              help="Forecast this many samples instead of the protocol's horizon (a protocol of its own, recorded).")
@click.option("--history", type=int, default=None,
              help="Fit on this many samples before the target (a protocol of its own, recorded).")
@click.option("--variants", default=None, help="Only these variants, e.g. uni-clean,uni-noisy.")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Results directory (resumed if it exists).")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=None, help="Worker processes (default: all cores; 0: in this process).")
@click.option("--executor", type=click.Choice(["local", "ray"]), default="local", show_default=True)
@click.option("--address", default=None, help="Ray cluster address (default: a local Ray instance).")
@click.option("--timeout", type=click.FloatRange(min=0), default=1800.0, show_default=True,
              help="Seconds a job may take (tuning included) before it is killed and recorded as failed; 0: no limit.")
@click.option("--max-memory", type=float, default=None, help="MB of resident memory a job may use.")
@click.option("--fast", is_flag=True, help="Use each model's quick setting.")
@click.option("--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A constructor argument for every model, repeatable (e.g. train_loop=torch-fused); values are "
                   "read as JSON when they parse (numbers, true/false), else as text. Recorded in the setting; the "
                   "grid search runs over the hyperparameters not given.")
@click.option("--keep-forecasts", is_flag=True, help="Store the forecasts (metrics can be recomputed later).")
@click.option("--no-attractor-metrics", is_flag=True, help="Skip the attractor-level metrics (faster).")
@click.option("--retry-failed", is_flag=True, help="Run again the jobs whose stored row failed.")
@click.option("--no-progress", is_flag=True, help="Do not show progress bars.")
def run_cmd(protocol, models, systems, tag, ics, horizon, history, variants, out, jobs, executor, address, timeout,
            max_memory, fast, params, keep_forecasts, no_attractor_metrics, retry_failed, no_progress):
    """Run a protocol for some models; one row per job is written to OUT as it finishes."""
    from chaoszoo.cli._common import enable_compilation_cache
    from chaoszoo.forecast.protocols import get_protocol
    from chaoszoo.forecast.runner import run

    if len(tag) > 1:
        raise click.UsageError(f"--tag is given {len(tag)} times ({', '.join(tag)}); give one tag.")
    overrides = _key_values(params)
    models, systems = _names(models, "--models"), _names(systems, "--systems") or None
    if horizon is not None or history is not None:
        protocol = get_protocol(protocol).with_lengths(horizon=horizon, history=history)
    enable_compilation_cache()
    with _errors():
        summary = run(protocol, models, systems=systems, tag=tag[0] if tag else None, ics=ics, out=out,
                      jobs=jobs, executor=executor, address=address, timeout=timeout or None, max_memory_mb=max_memory,
                      fast=fast, params=overrides or None, keep_forecasts=keep_forecasts,
                      attractor_metrics=not no_attractor_metrics,
                      variants=variants, retry_failed=retry_failed, progress=not no_progress)
    click.echo(str(summary))
    click.echo(f"next: chaoszoo forecast leaderboard {out}")


def _results_of(directories, shipped):
    """Results directories, or the shipped rows of one protocol (exactly one of the two)."""
    if bool(directories) == bool(shipped):
        raise click.UsageError("Give results directories or --shipped PROTOCOL (one of the two).")
    if shipped:
        from chaoszoo.forecast.store import shipped_results

        return shipped_results(shipped)
    return list(directories)


_SHIPPED = click.option("--shipped", default=None, metavar="PROTOCOL",
                        help="Use the results shipped in the package for this protocol instead of directories.")


@forecast.command("leaderboard")
@click.argument("directories", nargs=-1, type=click.Path(exists=True, file_okay=False))
@_SHIPPED
@click.option("--metric", default="smape", show_default=True)
@click.option("--by", default="variant", show_default=True, help="Group by these columns (comma-separated; '' for none).")
@click.option("--baseline", default="naive-mean", show_default=True,
              help="The model skill is measured against, and whose score a failed job gets.")
@click.option("--wide", is_flag=True, help="One row per model, a column per variant: median [95% CI] (the README's table).")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True,
              help="With --wide: the best this many models (and the baseline).")
@click.option("--with-shipped", "with_shipped", is_flag=True,
              help="Rank the directories' models beside the shipped reference run of their protocol, on the jobs "
                   "both have with equal data (same tasks, same data fingerprints).")
@click.pass_context
def leaderboard_cmd(ctx, directories, shipped, metric, by, baseline, wide, top, with_shipped):
    """Rank the models of one or more results directories (merged), or of the shipped results."""
    from click.core import ParameterSource

    from chaoszoo.errors import InvalidArgumentError
    from chaoszoo.forecast.ranking import format_table, leaderboard, wide_leaderboard

    with _errors():
        if with_shipped:
            if shipped or not directories:
                raise click.UsageError("--with-shipped compares results directories with the shipped reference; "
                                       "give directories (and no --shipped).")
            from chaoszoo.forecast.store import with_reference

            results = with_reference(list(directories))
        else:
            results = _results_of(directories, shipped)
        if ctx.get_parameter_source("baseline") is not ParameterSource.DEFAULT:
            import pandas as pd

            from chaoszoo.forecast.store import load_results

            frame = results if isinstance(results, pd.DataFrame) else load_results(results)
            if baseline not in set(frame["model"]):
                raise InvalidArgumentError(f"--baseline {baseline!r} is not a model of these results; they have "
                                           f"{', '.join(sorted(map(str, set(frame['model']))))}.")
            results = frame
        if wide:
            click.echo(wide_leaderboard(results, metric=metric, top=top, always=(baseline,)))
            return
        lb = leaderboard(results, metric=metric, by=tuple(b for b in by.split(",") if b), baseline=baseline)
    click.echo(format_table(lb))


@forecast.command("report")
@click.argument("directories", nargs=-1, type=click.Path(exists=True, file_okay=False))
@_SHIPPED
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Report directory.")
@click.option("--metric", default="smape", show_default=True)
@click.option("--variant", default=None, help="Variant of the per-system figures (default: the first).")
def report_cmd(directories, shipped, out, metric, variant):
    """Write figures and a Markdown summary for results directories (or the shipped results)."""
    from chaoszoo.forecast.report import write_report

    with _errors():
        md = write_report(_results_of(directories, shipped), out, metric=metric, variant=variant)
    click.echo(f"wrote {md}")


@forecast.command("restore")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False))
@_SHIPPED
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Results directory to create.")
def restore_cmd(file, shipped, out):
    """Re-create a results directory from an export (FILE, .parquet or .csv, with its .json
    sidecar) or from the results shipped for a protocol, so that `forecast run --out` continues
    that run here."""
    from chaoszoo.forecast.store import import_results, shipped_files

    if bool(file) == bool(shipped):
        raise click.UsageError("Give an exported FILE or --shipped PROTOCOL (one of the two).")
    with _errors():
        n = import_results(shipped_files(shipped)[0] if shipped else file, out)
    click.echo(f"restored {n} rows into {out}; `chaoszoo forecast run ... --out {out}` runs only the jobs not in them")


@forecast.command("forget")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("-m", "--models", multiple=True, help="Models whose rows to delete (comma-separated or repeated).")
@click.option("--systems", multiple=True, help="Systems whose rows to delete (comma-separated or repeated).")
@click.option("--failed-only", is_flag=True, help="Delete only the failed rows.")
def forget_cmd(directory, models, systems, failed_only):
    """Delete some models' (or systems') rows from a results directory, so that the next
    `forecast run --out DIRECTORY` redoes those jobs: after a model changed, for example."""
    from chaoszoo.forecast.store import ResultsStore

    from chaoszoo.errors import InvalidArgumentError

    with _errors():
        with ResultsStore(directory, create=False) as store:
            models, systems = _names(models, "--models") or None, _names(systems, "--systems") or None
            rows = store.rows()
            for what, names, col in (("model", models, "model"), ("system", systems, "system")):
                have = {r.get(col) for r in rows}
                absent = [n for n in names or () if n not in have]
                if absent:
                    raise InvalidArgumentError(f"{directory} has no rows of the {what}(s) {', '.join(absent)}; it has "
                                               f"{', '.join(sorted(map(str, have))) or 'none'}. Nothing was deleted.")
            n = store.forget(models, systems, failed_only=failed_only)
    click.echo(f"deleted {n} rows from {directory}; `chaoszoo forecast run ... --out {directory}` runs those jobs again")


@forecast.command("verify")
@click.argument("directories", nargs=-1, type=click.Path(exists=True, file_okay=False))
@_SHIPPED
@click.option("--sample", type=int, default=20, show_default=True, help="Rows to re-run (a seeded random sample).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the sample.")
@click.option("--models", "-m", "models", multiple=True, help="Only rows of these models.")
@click.option("--jobs", "-j", type=click.IntRange(min=0), default=None, help="Worker processes (default: all cores).")
@click.option("--timeout", type=float, default=None,
              help="Seconds a re-run may take (default: the run's default, 1800; 0: no limit).")
@click.option("--no-progress", is_flag=True, help="Do not show a progress bar.")
def verify_cmd(directories, shipped, sample, seed, models, jobs, timeout, no_progress):
    """Re-run a seeded sample of stored rows from scratch and compare every number: the data
    fingerprint, the hyperparameters and each metric (bitwise, or within 1e-9 relative).
    Exits with status 1 if any row disagrees."""
    from chaoszoo.forecast.verification import verify

    if bool(directories) == bool(shipped):
        raise click.UsageError("Give results directories or --shipped PROTOCOL (one of the two).")
    with _errors():
        report = verify(list(directories) or None, shipped=shipped, sample=sample, seed=seed,
                        models=_names(models, "--models") or None, jobs=jobs, timeout=timeout,
                        progress=not no_progress)
    click.echo(str(report))
    if not report.passed:
        sys.exit(1)


@forecast.command("repair")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--out", required=True, type=click.Path(file_okay=False), help="New results directory.")
def repair_cmd(directory, out):
    """Copy every readable row of a damaged results directory into a new one (OUT); the damaged
    directory is left as it is."""
    from chaoszoo.forecast.store import repair

    with _errors():
        copied, lost = repair(directory, out)
    click.echo(f"copied {copied} rows into {out}; {lost} could not be read. "
               f"`chaoszoo forecast run ... --out {out}` runs the missing jobs again")


@forecast.command("merge")
@click.argument("sources", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--out", required=True, type=click.Path(file_okay=False))
def merge_cmd(sources, out):
    """Merge results directories (for example from several machines) into OUT."""
    from chaoszoo.forecast.store import merge

    with _errors():
        n = merge(list(sources), out)
    click.echo(f"merged {n} rows into {out}")


@forecast.command("export")
@click.argument("directories", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="A .parquet or .csv file.")
@click.option("--force", is_flag=True, help="Replace an existing file that chaoszoo did not write.")
def export_cmd(directories, out, force):
    """Export results to one Parquet or CSV file, with a JSON sidecar (OUT's name, .json) that
    `chaoszoo forecast restore` reads back."""
    from chaoszoo.forecast.store import export_results, sidecar_path

    with _errors():
        path = export_results(list(directories), out, force=force)
    click.echo(f"wrote {path} and {sidecar_path(path)}")


def _rows(directories):
    """Rows of results directories, or the tables shipped in the package when none is given."""
    from chaoszoo.forecast.store import load_results, shipped_results

    return load_results(list(directories)) if directories else shipped_results()


@forecast.command("reproduce")
@click.argument("directories", nargs=-1, type=click.Path(exists=True, file_okay=False))
@click.option("--out", default=None, type=click.Path(dir_okay=False), help="Also write the table to this .md file.")
def reproduce_cmd(directories, out):
    """The published results (2021, 2023) beside ours, from results directories or, with none
    given, from the results shipped in the package."""
    from chaoszoo.forecast.reproduction import format_reproduction, reproduce

    with _errors():
        text = format_reproduction(reproduce(_rows(directories)))
        if out:
            from pathlib import Path

            from chaoszoo.data.storage import atomic_write

            atomic_write(Path(out), (text + "\n").encode())
    click.echo(text)


@forecast.command("costs")
@click.argument("directories", nargs=-1, type=click.Path(exists=True, file_okay=False))
def costs_cmd(directories):
    """Fit, predict and job seconds and memory per model (medians over jobs), from results
    directories or the shipped results."""
    from chaoszoo.forecast.ranking import cost_table, format_table

    with _errors():
        click.echo(format_table(cost_table(_rows(directories))))


@forecast.command("export-tasks")
@click.option("--protocol", "-p", required=True, help="short-coarse, short-fine, long-horizon, zero-shot or data-limited.")
@click.option("--systems", multiple=True, help="Only these systems (default: every system the protocol applies to).")
@click.option("--tag", multiple=True, help="Only systems with this tag (give it once).")
@click.option("--ics", type=int, default=None, help="Initial conditions per system (default: the protocol's).")
@click.option("--variants", default=None, help="Only these variants, e.g. multi-clean.")
@click.option("--horizon", type=int, default=None, help="Another forecast length (a protocol of its own, recorded).")
@click.option("--history", type=int, default=None, help="Another history length (a protocol of its own, recorded).")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Folder for tasks.json and tasks.npz.")
@click.option("--force", is_flag=True, help="Replace an earlier export in OUT.")
def export_tasks_cmd(protocol, systems, tag, ics, variants, horizon, history, out, force):
    """Write a protocol's tasks (histories, fingerprints, horizons, settings; no targets) for a
    model run elsewhere; score its forecasts with `chaoszoo forecast import-forecasts`."""
    from chaoszoo.forecast.external import export_tasks, read_tasks

    if len(tag) > 1:
        raise click.UsageError(f"--tag is given {len(tag)} times ({', '.join(tag)}); give one tag.")
    with _errors():
        path = export_tasks(protocol, out, systems=_names(systems, "--systems") or None, tag=tag[0] if tag else None,
                            ics=ics, variants=variants, horizon=horizon, history=history, force=force)
        export = read_tasks(path.parent)
    skipped = export.manifest.get("skipped") or {}
    click.echo(f"wrote {len(export.tasks)} tasks of {export.protocol.name} to {path.parent}"
               + (f" ({len(skipped)} systems skipped: {', '.join(sorted(skipped))})" if skipped else ""))
    click.echo(f"next: forecast them elsewhere into an .npz keyed by data_sha256, then "
               f"chaoszoo forecast import-forecasts {path.parent} FORECASTS.npz --model NAME --out RESULTS_DIR")


@forecast.command("import-forecasts")
@click.argument("tasks", type=click.Path(exists=True, file_okay=False))
@click.argument("forecasts", type=click.Path(exists=True, dir_okay=False))
@click.option("--model", "-m", required=True, help="The name the rows get (not a registered model's).")
@click.option("--out", required=True, type=click.Path(file_okay=False), help="Results directory (created, or extended).")
@click.option("--family", default="deep", show_default=True, help="The model's family (see `forecast models`).")
@click.option("--description", default=None, help="One line about the model, stored in every row.")
@click.option("--skip-invalid", is_flag=True, help="Score the valid forecasts and list the refused ones "
                                                   "(default: refuse the file if any forecast is invalid).")
@click.option("--no-attractor-metrics", is_flag=True, help="Skip the attractor-level metrics (faster).")
def import_forecasts_cmd(tasks, forecasts, model, out, family, description, skip_invalid, no_attractor_metrics):
    """Score FORECASTS (an .npz keyed by task fingerprint, made elsewhere on the TASKS that
    `export-tasks` wrote) into a results directory, as rows of MODEL with setting 'external'."""
    from chaoszoo.forecast.external import import_forecasts

    with _errors():
        summary = import_forecasts(tasks, forecasts, out, model, family=family, description=description,
                                   skip_invalid=skip_invalid, attractor_metrics=not no_attractor_metrics)
    click.echo(str(summary))
    click.echo(f"next: chaoszoo forecast leaderboard {out}")
