"""`nhskg build`."""

from __future__ import annotations

import time
from pathlib import Path

import click

from graph_builder.build import run as building
from graph_builder.cli.main import output_option
from graph_builder.cli.render import render_build_summary
from graph_builder.cli.terminal import progress
from graph_builder.core import resources


@click.command("build")
@click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder of registers (default: the registers shipped with the package).",
)
@output_option(
    "DIR",
    "Folder the build is written to (also --out); replaced only once the new build is whole.",
    "--out",
    default=Path("build"),
    show_default=True,
)
@click.option("--full", is_flag=True, help="Rebuild every register, even those unchanged since the build in --out.")
@click.pass_context
def build_command(ctx: click.Context, data_dir: Path | None, output: Path, full: bool) -> None:
    """Build the graph from the registers and print what was built."""
    started = time.perf_counter()
    with progress(ctx.obj["quiet"], "building"):
        result = building.build(data_dir or resources.data_dir(), output, full=full)
    if not ctx.obj["quiet"]:
        render_build_summary(result, time.perf_counter() - started)
