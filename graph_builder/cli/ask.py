"""`nhskg questions`, `nhskg query` and `nhskg sparql`: asking the graph."""

from __future__ import annotations

from pathlib import Path

import click

from graph_builder.cli.endpoint import endpoint_from_options, endpoint_option, layout_option, query_url_option
from graph_builder.cli.main import build_option, timeout_option
from graph_builder.cli.terminal import table_width
from graph_builder.core.errors import UsageError
from graph_builder.questions.answers import ANSWER_FORMATS, render_answer
from graph_builder.questions.catalogue import catalogue, describe_catalogue, question, read_query, run, run_sparql

format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(tuple(ANSWER_FORMATS)),
    default="table",
    show_default=True,
    help="table for reading; csv or json (W3C SPARQL 1.1 results formats) for programs.",
)


@click.command("questions")
@click.argument("name", required=False)
@format_option
def questions_command(name: str | None, fmt: str) -> None:
    """List the saved questions, or describe the question NAME (csv and json: with its
    description, each parameter and an example)."""
    if name is None:
        click.echo(render_answer(describe_catalogue(catalogue()), fmt, table_width()), nl=False)
        return
    q = question(name)
    if fmt != "table":
        click.echo(render_answer(describe_catalogue([q], whole=True), fmt), nl=False)
        return
    lines = [
        f"{q.name}: {q.title}",
        "",
        q.description,
        "",
        f"engine: {q.engine}",
        f"--as-of: {'yes' if q.as_of else 'no (does not depend on time)'}",
        *(p.line() for p in q.params),
        "",
        f"example: {q.example()}",
    ]
    click.echo("\n".join(lines))


@click.command("query")
@click.argument("name")
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="KEY=VALUE",
    help="A parameter of the question (repeat for several); `nhskg questions NAME` lists them.",
)
@click.option("--as-of", "as_of", metavar="YYYY-MM-DD", help="Answer as at this date (questions that depend on time).")
@format_option
@build_option
@timeout_option
@endpoint_option
@query_url_option
@layout_option
def query_command(
    name: str,
    params: tuple[str, ...],
    as_of: str | None,
    fmt: str,
    build_dir: Path,
    timeout: float,
    endpoint: str | None,
    query_url: str | None,
    layout: str,
) -> None:
    """Answer the saved question NAME from a build, or from a SPARQL server (--endpoint)."""
    given = _parameters(params)
    remote = endpoint_from_options(endpoint, query_url, layout)
    result = run(name, given, as_of, build_dir, timeout, endpoint=remote)
    click.echo(render_answer(result, fmt, table_width()), nl=False)


def _parameters(params: tuple[str, ...]) -> dict[str, str]:
    """--param KEY=VALUE options as a dictionary; a malformed or repeated one is refused."""
    given: dict[str, str] = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--param {item!r} is not KEY=VALUE, e.g. --param code=RQ6")
        if key.strip() in given:
            raise UsageError(f"--param {key.strip()} is given twice")
        given[key.strip()] = value
    return given


@click.command("sparql")
@click.argument("query_or_file")
@format_option
@build_option
@timeout_option
@endpoint_option
@query_url_option
@layout_option
def sparql_command(
    query_or_file: str,
    fmt: str,
    build_dir: Path,
    timeout: float,
    endpoint: str | None,
    query_url: str | None,
    layout: str,
) -> None:
    """Run an ad hoc read-only SPARQL query against a build, or a SPARQL server (--endpoint).

    QUERY_OR_FILE is the query text or a file holding it. Only SELECT, ASK, CONSTRUCT
    and DESCRIBE over the local graph are run: updates, SERVICE and FROM / FROM NAMED
    are refused (exit 2). The default graph is the union of every named graph. The
    prefixes ndk:, org:, prov:, dcterms:, dcat:, skos:, schema:, time:, owl:, rdf:, rdfs:
    and xsd: are declared (a query's own PREFIX wins). A table is cut to the terminal's
    width; --format csv or json gives every value whole.
    """
    remote = endpoint_from_options(endpoint, query_url, layout)
    result = run_sparql(read_query(query_or_file), build_dir, timeout, endpoint=remote)
    click.echo(render_answer(result, fmt, table_width()), nl=False)
