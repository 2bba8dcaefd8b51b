"""`nhskg docs`."""

from __future__ import annotations

from pathlib import Path

import click

from graph_builder.cli.main import output_option
from graph_builder.core.errors import UsageError
from graph_builder.docs.site import write_docs


@click.command("docs")
@output_option("DIR", "The folder to write the pages into (replaced only once the new pages are whole).")
@click.pass_context
def docs_command(ctx: click.Context, output: Path | None) -> None:
    """Write HTML pages for the ontology and the SHACL shapes, linked from index.html."""
    if output is None:
        raise UsageError("give the folder to write with -o DIR, e.g. -o site")
    pages = write_docs(output)
    if not ctx.obj["quiet"]:
        click.echo(f"wrote {len(pages)} pages to {output} (open {output / 'index.html'})")
