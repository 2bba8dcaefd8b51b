"""What the command line does differently on a terminal: progress on stderr, tables fitted
to its width. In a pipe, or with --quiet, there is no progress and tables stay whole."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

Step = Callable[[str, int, int | None], None]
"""Progress of a long command: (what it is doing, how many steps are done, out of how many or None)."""


@contextmanager
def progress(quiet: bool, doing: str) -> Iterator[Step | None]:
    """A rich progress line on stderr while the block runs (a spinner, `doing`, a bar once the
    number of steps is known, the time taken), removed at the end; None when stderr is not a
    terminal or with --quiet. The one progress display of every long command."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as shown:
        task = shown.add_task(doing, total=None)

        def step(what: str, done: int, total: int | None) -> None:
            shown.update(task, description=what, completed=done, total=total)

        yield step


def table_width() -> int | None:
    """The width a table is fitted to: COLUMNS when set, else the terminal's when standard
    output is one; None (whole rows) in a pipe."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if sys.stdout.isatty():
        return shutil.get_terminal_size().columns
    return None
