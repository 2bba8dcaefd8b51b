"""Rendering results for a terminal (rich) or a pipe (plain text). Only the CLI calls this."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from graph_builder.build.run import BuildResult
from graph_builder.core import resources


def render_build_summary(result: BuildResult, seconds: float) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=sys.stdout, soft_wrap=True)
    where = result.out_dir or "memory"
    console.print(
        f"Built {result.statements:,} statements from the {len(result.registers)} registers in "
        f"{_registers(result.data_dir)} into {where}/ in {seconds:.2f} s"
    )
    if result.reused and not result.rebuilt:
        console.print(f"nothing changed since the previous build: reused all {len(result.reused)} graphs and the store")
    elif result.reused:
        console.print(
            f"rebuilt {len(result.rebuilt)} of {len(result.rebuilt) + len(result.reused)} graphs "
            f"({', '.join(result.rebuilt)}); reused the rest unchanged from the previous build; "
            f"store {result.store}"
        )
    for section, counts in result.summary.items():
        table = Table(title=section, title_justify="left", show_header=False, box=None, pad_edge=False)
        table.add_column("what", style="bold" if console.is_terminal else "")
        table.add_column("count", justify="right")
        for label, n in counts.items():
            table.add_row(label, f"{n:,}")
        console.print(table)
    for name, size in result.files.items():
        console.print(f"wrote {where}/{name} ({size:,} bytes)")


def _registers(data_dir: Path | None) -> str:
    """The folder of registers a build read; for the copy shipped with the package, while the
    working folder has a data/ of its own that is not it, how to build that one instead."""
    if data_dir is None:
        return "(unknown)"
    shown = os.path.relpath(data_dir) if data_dir.resolve().is_relative_to(Path.cwd().resolve()) else str(data_dir)
    here = Path("data")
    if data_dir.resolve() == resources.data_dir().resolve() and here.is_dir() and here.resolve() != data_dir.resolve():
        return f"{shown}/ (the copy installed with the package, not ./data: `--data data` builds yours)"
    return f"{shown}/"
