"""`nhskg validate`: submitted files, or the whole built graph (--whole), against the shapes."""

from __future__ import annotations

from pathlib import Path

import click

from graph_builder.cli.main import count, output_option
from graph_builder.cli.terminal import progress
from graph_builder.core.errors import UsageError, ValidationFailed
from graph_builder.core.files import write_atomic
from graph_builder.validate import baseline as baselines
from graph_builder.validate import run as validating
from graph_builder.validate.emit import check_path
from graph_builder.validate.findings import Report
from graph_builder.validate.report import FAIL_ON, REPORT_FORMATS, stream_report
from graph_builder.validate.shapes import MODES
from graph_builder.validate.whole import validate_whole


@click.command("validate")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--whole",
    is_flag=True,
    help="Validate the whole graph of the build in --against instead of FILES (every node, in batches).",
)
@click.option(
    "--against",
    "against",
    type=click.Path(path_type=Path),
    default=Path("build"),
    show_default=True,
    help="Build folder whose graph.nq is the reference graph (made by `nhskg build`).",
)
@click.option(
    "--shapes",
    "shapes_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="A folder of SHACL shapes (*.ttl) to add to, or replace, the shipped ones.",
)
@click.option(
    "--shapes-mode",
    type=click.Choice(MODES),
    default="add",
    show_default=True,
    help="add: the folder's shapes and the shipped ones; replace: the folder's only.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(tuple(REPORT_FORMATS)),
    default="text",
    show_default=True,
    help="text for people, json for programs, turtle (SHACL report), junit for CI, jsonl (one result a line).",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default="violation",
    show_default=True,
    help="Exit 1 on violations only, or on warnings too.",
)
@click.option(
    "--max-size",
    type=click.IntRange(min=1),
    default=50 * 1024 * 1024,
    show_default=True,
    help="Largest file accepted, in bytes.",
)
@click.option(
    "--baseline",
    type=click.Path(path_type=Path),
    default=None,
    help="A baseline of accepted findings (--write-baseline): fail only on findings not in it.",
)
@click.option(
    "--write-baseline",
    type=click.Path(path_type=Path),
    default=None,
    help="Record the findings of this run as the accepted ones in FILE (then report against it).",
)
@click.option(
    "--emit-data",
    type=click.Path(path_type=Path),
    default=None,
    help="Also write the data graph checked (the build's graph with FILES merged in) to this .nt or .ttl file.",
)
@output_option("FILE", "Write the report to FILE (replaced only once whole) instead of standard output.")
@click.pass_context
def validate_command(
    ctx: click.Context,
    files: tuple[Path, ...],
    whole: bool,
    against: Path,
    shapes_dir: Path | None,
    shapes_mode: str,
    fmt: str,
    fail_on: str,
    max_size: int,
    baseline: Path | None,
    write_baseline: Path | None,
    emit_data: Path | None,
    output: Path | None,
) -> None:
    """Validate register CSVs or RDF files against the shapes, together with a build.

    FILES are register CSVs (recognised by their header) or RDF: Turtle (.ttl),
    N-Triples (.nt), N-Quads (.nq), TriG (.trig), JSON-LD (.jsonld). Only results about
    the files' own nodes are reported; --quiet prints no report (the exit code
    says). --whole checks every node of the build instead. Exit codes: 0 conforms,
    1 violations (or warnings with --fail-on warning), 2 bad input or usage, 3 internal
    error. With --baseline FILE only the findings not in FILE count.
    """
    if whole == bool(files):
        _wrong_files(ctx, whole)
    if baseline is not None and write_baseline is not None:
        raise UsageError("give --baseline or --write-baseline, not both (write it again to accept the findings)")
    for path in (output, write_baseline):
        if path is not None and path.resolve().is_relative_to(against.resolve()):
            raise UsageError(f"{path}: is inside the build folder {against}; write it elsewhere")
    accepted = baselines.read(baseline) if baseline is not None else None
    if emit_data is not None:
        check_path(emit_data, against)
    reference = validating.load_reference(against)
    shapes = validating.load_shapes(shapes_dir, shapes_mode)
    if whole:
        with progress(ctx.obj["quiet"], "validating the whole graph") as step:
            result = validate_whole(reference, shapes, str(against / "graph.nq"), progress=step, emit_data=emit_data)
    else:
        with progress(ctx.obj["quiet"], f"validating {count(len(files), 'file')}"):
            result = validating.validate(list(files), reference, shapes, max_size, emit_data=emit_data)
    if write_baseline is not None:
        baselines.write(write_baseline, result)
        baseline, accepted = write_baseline, baselines.read(write_baseline)
    if baseline is not None and accepted is not None:
        baselines.apply(result, accepted, str(baseline))
    _report(ctx, result, fmt, fail_on, output)


def _wrong_files(ctx: click.Context, whole: bool) -> None:
    """FILES and --whole: one of them, not both."""
    if whole:
        raise UsageError("give FILES or --whole, not both (--whole checks the whole build in --against)")
    files = next(p for p in ctx.command.params if p.name == "files")
    raise click.MissingParameter(ctx=ctx, param=files, param_hint="'FILES...'")


def _report(ctx: click.Context, result: Report, fmt: str, fail_on: str, output: Path | None) -> None:
    """Write or print the report; exit 1 (ValidationFailed) if it fails on `fail_on`."""
    rendered = stream_report(result, fmt, fail_on)  # jsonl a line at a time, written as it comes
    if output is not None:
        write_atomic(output, rendered)
    elif not ctx.obj["quiet"]:
        for piece in rendered:
            click.echo(piece, nl=False)
    if result.failed(fail_on):
        counts = result.counts()
        new = " not in the baseline" if result.baseline is not None else ""
        raise ValidationFailed(
            f"does not conform ({count(counts['Violation'], 'violation')}, "
            f"{count(counts['Warning'], 'warning')}{new}); exit 1"
        )
