"""The `nhskg` command: parse arguments, call one function of the API, render the result.

Errors are rendered in one place (`main`): each carries its exit code (errors.py);
anything else is a bug and exits 3 with a one-line message (the traceback only with
`--verbose`).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from graph_builder import __version__
from graph_builder.errors import InputError, NhskgError

EXIT_CODES = {0: "ok", 1: "validation found violations", 2: "bad input or usage", 3: "internal error"}


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nhskg")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("-v", "--verbose", is_flag=True, help="Explain each step; show tracebacks of internal errors.")
@click.pass_context
def cli(ctx: click.Context, quiet: bool, verbose: bool) -> None:
    """The NHS digital knowledge graph.

    Exit codes: 0 ok, 1 validation found violations, 2 bad input or usage, 3 internal error.
    """
    ctx.obj = {"quiet": quiet, "verbose": verbose}


@cli.command()
@click.option("--data", "data_dir", type=click.Path(path_type=Path), default=None,
              help="Folder of registers (default: the registers shipped with the package).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("build"), show_default=True,
              help="Folder the build is written to; replaced only once the new build is whole.")
@click.pass_context
def build(ctx: click.Context, data_dir: Path | None, out_dir: Path) -> None:
    """Build the graph from the registers and print what was built."""
    from graph_builder import build as building
    from graph_builder import resources
    from graph_builder.render import render_build

    started = time.perf_counter()
    result = building.build(data_dir or resources.data_dir(), out_dir)
    if not ctx.obj["quiet"]:
        render_build(result, time.perf_counter() - started)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    verbose = "-v" in (argv or sys.argv) or "--verbose" in (argv or sys.argv)
    try:
        cli.main(args=argv, prog_name="nhskg", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("nhskg: aborted", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except InputError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"nhskg: {len(exc.problems)} problem(s); nothing was written", err=True)
        sys.exit(exc.exit_code)
    except NhskgError as exc:
        click.echo(f"nhskg: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("nhskg: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        if verbose:
            raise
        click.echo(f"nhskg: internal error: {type(exc).__name__}: {exc} (run with --verbose for the traceback)", err=True)
        sys.exit(3)
