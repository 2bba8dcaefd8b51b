"""`nhskg export`."""

from __future__ import annotations

from pathlib import Path

import click

from graph_builder.cli.main import build_option, output_option, timeout_option
from graph_builder.cli.terminal import progress
from graph_builder.core.errors import UsageError
from graph_builder.export.model import EXPORT_FORMATS
from graph_builder.export.model import export as exporting
from graph_builder.export.views import VIEWS


# --format and --view are checked by the API, not by click, so a wrong one is a one-line error (exit 2).
@click.command("export")
@click.option(
    "--format",
    "-f",
    "fmt",
    metavar="FORMAT",
    help=f"One of {', '.join(EXPORT_FORMATS)} (default: from the suffix of --output).",
)
@output_option("FILE", "The file to write, in a folder that exists (replaced only once the new one is whole).")
@click.option("--view", "view", default="all", show_default=True, metavar="VIEW", help=f"One of {', '.join(VIEWS)}.")
@click.option(
    "--as-of", "as_of", metavar="YYYY-MM-DD", help="Only what held on this date (html: the date the viewer opens at)."
)
@build_option
@timeout_option
@click.pass_context
def export_command(
    ctx: click.Context,
    fmt: str | None,
    output: Path | None,
    view: str,
    as_of: str | None,
    build_dir: Path,
    timeout: float,
) -> None:
    """Export a view of the graph for Gephi, Cytoscape, yEd, Graphviz, a browser or RDF tools.

    Views: followers (exemplars, fast followers, partnerships of every status), systems
    (organisations, systems, suppliers, deployments), areas (memberships of trusts and
    CCGs in STPs, ICBs and regions), all. The README section "Formats and how to open
    them" says how to open each format.
    """
    if output is None:
        raise UsageError("give the file to write with -o FILE, e.g. -o followers.graphml")
    with progress(ctx.obj["quiet"], f"exporting the {view} view to {output.name}"):
        done = exporting(build_dir, fmt, output, view, as_of, timeout)
    if not ctx.obj["quiet"]:
        click.echo(
            f"wrote {done.path} ({done.fmt}, {done.view} view: {done.nodes:,} nodes, "
            f"{done.edges:,} edges, {done.size:,} bytes)"
        )
