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


RESULT_FORMATS = ("table", "csv", "json")
"""--format choices of query and sparql: the keys of graph_builder.results.FORMATS (a test
checks they agree; they are spelled out here so that `nhskg --help` imports no engine)."""

_build_option = click.option(
    "--build", "build_dir", type=click.Path(path_type=Path), default=Path("build"), show_default=True,
    help="Build folder holding graph.nq (made by `nhskg build`).")
_format_option = click.option(
    "--format", "fmt", type=click.Choice(RESULT_FORMATS), default="table", show_default=True,
    help="table for reading; csv or json (W3C SPARQL 1.1 results formats) for programs.")
_timeout_option = click.option(
    "--timeout", type=click.FloatRange(min=0.1), default=30.0, show_default=True,
    help="Seconds a query may run before it is stopped (exit 2).")


@cli.command()
@click.argument("name", required=False)
@_format_option
def questions(name: str | None, fmt: str) -> None:
    """List the saved questions, or describe the question NAME."""
    from graph_builder.catalogue import catalogue, describe, question
    from graph_builder.results import render

    if name is None:
        click.echo(render(describe(catalogue()), fmt), nl=False)
        return
    q = question(name)
    lines = [f"{q.name}: {q.title}", "", q.description, "", f"engine: {q.engine}",
             f"--as-of: {'yes' if q.as_of else 'no (does not depend on time)'}"]
    for p in q.params:
        kind = f"choice of {', '.join(p.choices)}" if p.choices else p.type
        lines.append(f"--param {p.name}=… ({kind}{', optional' if p.optional else ''}): "
                     f"{p.description}{'; example: ' + p.example if p.example else ''}")
    example = " ".join(f"--param {p.name}={p.example}" for p in q.params if not p.optional and p.example)
    lines += ["", f"example: nhskg query {q.name} {example}".rstrip()]
    click.echo("\n".join(lines))


@cli.command()
@click.argument("name")
@click.option("--param", "-p", "params", multiple=True, metavar="KEY=VALUE",
              help="A parameter of the question (repeat for several); `nhskg questions NAME` lists them.")
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Answer as at this date (questions that depend on time).")
@_format_option
@_build_option
@_timeout_option
def query(name: str, params: tuple[str, ...], as_of: str | None, fmt: str, build_dir: Path, timeout: float) -> None:
    """Answer the saved question NAME from a build."""
    from graph_builder.catalogue import run
    from graph_builder.errors import UsageError
    from graph_builder.results import render

    given: dict[str, str] = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--param {item!r} is not KEY=VALUE, e.g. --param code=RQ6")
        if key.strip() in given:
            raise UsageError(f"--param {key.strip()} is given twice")
        given[key.strip()] = value
    result = run(name, given, as_of, build_dir, timeout)
    click.echo(render(result, fmt), nl=False)


@cli.command()
@click.argument("query_or_file")
@_format_option
@_build_option
@_timeout_option
def sparql(query_or_file: str, fmt: str, build_dir: Path, timeout: float) -> None:
    """Run an ad hoc read-only SPARQL query against a build.

    QUERY_OR_FILE is the query text or a file holding it. Only SELECT, ASK, CONSTRUCT
    and DESCRIBE over the local graph are run: updates, SERVICE and FROM / FROM NAMED
    are refused (exit 2). The default graph is the union of every named graph.
    """
    from graph_builder.catalogue import read_query, run_sparql
    from graph_builder.results import render

    result = run_sparql(read_query(query_or_file), build_dir, timeout)
    click.echo(render(result, fmt), nl=False)


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
        message = f"nhskg: internal error: {type(exc).__name__}: {exc}"
        click.echo(f"{message} (run with --verbose for the traceback)", err=True)
        sys.exit(3)
