"""The `nhskg` command: parse arguments, call one function of the API, render the result.

Errors are rendered in one place (`main`): each carries its exit code (errors.py);
anything else is a bug and exits 3 with a one-line message (the traceback only with
`--verbose`).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from graph_builder import __version__
from graph_builder.cli.terminal import progress, table_width
from graph_builder.core.errors import InputError, NhskgError, UsageError

if TYPE_CHECKING:  # imported when used, so that `nhskg --help` stays fast
    from click.decorators import FC

    from graph_builder.store.remote import Endpoint

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


def _in_a_folder(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """An output's folder must exist: a mistyped path is refused, not created."""
    if value is None or value.absolute().parent.is_dir():
        return value
    if value.absolute().parent.exists():
        raise UsageError(f"{value}: cannot be written ({value.parent} is not a folder)")
    raise UsageError(f"{value}: the folder {value.parent} does not exist; create it first or correct the path")


def _output_option(metavar: str, what: str, *aliases: str, **kwargs: Any) -> Callable[[FC], FC]:
    """-o/--output, the one spelling of every command's output (build keeps --out as an alias)."""
    return click.option(
        "--output",
        "-o",
        *aliases,
        "output",
        type=click.Path(path_type=Path),
        metavar=metavar,
        callback=_in_a_folder,
        help=what,
        **kwargs,
    )


@cli.command()
@click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder of registers (default: the registers shipped with the package).",
)
@_output_option(
    "DIR",
    "Folder the build is written to (also --out); replaced only once the new build is whole.",
    "--out",
    default=Path("build"),
    show_default=True,
)
@click.option("--full", is_flag=True, help="Rebuild every register, even those unchanged since the build in --out.")
@click.pass_context
def build(ctx: click.Context, data_dir: Path | None, output: Path, full: bool) -> None:
    """Build the graph from the registers and print what was built."""
    from graph_builder.build import run as building
    from graph_builder.cli.render import render_build
    from graph_builder.core import resources

    started = time.perf_counter()
    with progress(ctx.obj["quiet"], "building"):
        result = building.build(data_dir or resources.data_dir(), output, full=full)
    if not ctx.obj["quiet"]:
        render_build(result, time.perf_counter() - started)


RESULT_FORMATS = ("table", "csv", "json")
"""--format choices of query and sparql: the keys of graph_builder.questions.answers.FORMATS (a test
checks they agree; they are spelled out here so that `nhskg --help` imports no engine)."""

_build_option = click.option(
    "--build",
    "build_dir",
    type=click.Path(path_type=Path),
    default=Path("build"),
    show_default=True,
    help="Build folder made by `nhskg build` (its store/ is opened read-only; else graph.nq is loaded).",
)
_format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(RESULT_FORMATS),
    default="table",
    show_default=True,
    help="table for reading; csv or json (W3C SPARQL 1.1 results formats) for programs.",
)
_timeout_option = click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds a query may run before it is stopped (exit 2).",
)

SERVER_LAYOUTS = ("oxigraph", "fuseki", "graphdb", "virtuoso")
"""--layout choices: the keys of graph_builder.store.remote.LAYOUTS (a test checks they agree)."""
PUSH_METHODS = ("gsp", "update")
"""--method choices of push: graph_builder.store.push.METHODS (a test checks they agree)."""

_endpoint_option = click.option(
    "--endpoint",
    metavar="URL",
    help="Ask a SPARQL server instead of the build: its base URL, e.g. http://127.0.0.1:7878 "
    "(credentials from NHSKG_USER/NHSKG_PASSWORD or NHSKG_TOKEN).",
)
_query_url_option = click.option(
    "--query-url", metavar="URL", help="The server's SPARQL query URL, if not the layout's (default: ENDPOINT/query)."
)
_layout_option = click.option(
    "--layout",
    type=click.Choice(SERVER_LAYOUTS),
    default="oxigraph",
    show_default=True,
    help="Where the server keeps its query, update and graph store URLs below ENDPOINT.",
)


def _endpoint(
    endpoint: str | None,
    query_url: str | None,
    layout: str,
    update_url: str | None = None,
    store_url: str | None = None,
    user: str | None = None,
    password: str | None = None,
    token: str | None = None,
) -> Endpoint | None:
    """An Endpoint from the options (credentials: options, else NHSKG_* variables); None for the build."""
    if endpoint is None and query_url is None and update_url is None and store_url is None:
        return None
    from graph_builder.store.remote import Credentials, Endpoint

    credentials = Credentials.from_options(user, password, token)
    return Endpoint.from_options(endpoint, query_url, update_url, store_url, layout, credentials)


@cli.command()
@click.argument("name", required=False)
@_format_option
def questions(name: str | None, fmt: str) -> None:
    """List the saved questions, or describe the question NAME (csv and json: with its
    description, each parameter and an example)."""
    from graph_builder.questions.answers import render_answer
    from graph_builder.questions.catalogue import catalogue, describe_catalogue, question

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


@cli.command()
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
@_format_option
@_build_option
@_timeout_option
@_endpoint_option
@_query_url_option
@_layout_option
def query(
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
    from graph_builder.core.errors import UsageError
    from graph_builder.questions.answers import render_answer
    from graph_builder.questions.catalogue import run

    given: dict[str, str] = {}
    for item in params:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--param {item!r} is not KEY=VALUE, e.g. --param code=RQ6")
        if key.strip() in given:
            raise UsageError(f"--param {key.strip()} is given twice")
        given[key.strip()] = value
    remote = _endpoint(endpoint, query_url, layout)
    result = run(name, given, as_of, build_dir, timeout, endpoint=remote)
    click.echo(render_answer(result, fmt, table_width()), nl=False)


@cli.command()
@click.argument("query_or_file")
@_format_option
@_build_option
@_timeout_option
@_endpoint_option
@_query_url_option
@_layout_option
def sparql(
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
    from graph_builder.questions.answers import render_answer
    from graph_builder.questions.catalogue import read_query, run_sparql

    remote = _endpoint(endpoint, query_url, layout)
    result = run_sparql(read_query(query_or_file), build_dir, timeout, endpoint=remote)
    click.echo(render_answer(result, fmt, table_width()), nl=False)


EXPORT_FORMATS = ("graphml", "gexf", "cyjs", "dot", "html", "png", "svg", "jsonld", "ttl", "nt")
EXPORT_VIEWS = ("followers", "systems", "areas", "all")
"""--format and --view of export: the keys of graph_builder.export.model.FORMATS and
export_views.VIEWS (a test checks they agree). They are checked by the API, not by
click, so a wrong one is a one-line error (exit 2)."""


@cli.command()
@click.option(
    "--format",
    "-f",
    "fmt",
    metavar="FORMAT",
    help=f"One of {', '.join(EXPORT_FORMATS)} (default: from the suffix of --output).",
)
@_output_option("FILE", "The file to write, in a folder that exists (replaced only once the new one is whole).")
@click.option(
    "--view", "view", default="all", show_default=True, metavar="VIEW", help=f"One of {', '.join(EXPORT_VIEWS)}."
)
@click.option(
    "--as-of", "as_of", metavar="YYYY-MM-DD", help="Only what held on this date (html: the date the viewer opens at)."
)
@_build_option
@_timeout_option
@click.pass_context
def export(
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
    from graph_builder.export.model import export as exporting

    if output is None:
        raise UsageError("give the file to write with -o FILE, e.g. -o followers.graphml")
    with progress(ctx.obj["quiet"], f"exporting the {view} view to {output.name}"):
        done = exporting(build_dir, fmt, output, view, as_of, timeout)
    if not ctx.obj["quiet"]:
        click.echo(
            f"wrote {done.path} ({done.fmt}, {done.view} view: {done.nodes:,} nodes, "
            f"{done.edges:,} edges, {done.size:,} bytes)"
        )


@cli.command()
@_output_option("DIR", "The folder to write the pages into (replaced only once the new pages are whole).")
@click.pass_context
def docs(ctx: click.Context, output: Path | None) -> None:
    """Write HTML pages for the ontology and the SHACL shapes, linked from index.html."""
    from graph_builder.docs.site import write_docs

    if output is None:
        raise UsageError("give the folder to write with -o DIR, e.g. -o site")
    pages = write_docs(output)
    if not ctx.obj["quiet"]:
        click.echo(f"wrote {len(pages)} pages to {output} (open {output / 'index.html'})")


VALIDATE_FORMATS = ("text", "json", "turtle", "junit")
"""--format of validate: the keys of graph_builder.validate.report.FORMATS (a test checks they agree)."""


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
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
    type=click.Choice(["add", "replace"]),
    default="add",
    show_default=True,
    help="add: the folder's shapes and the shipped ones; replace: the folder's only.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(VALIDATE_FORMATS),
    default="text",
    show_default=True,
    help="text for people, json for programs, turtle (SHACL report), junit for CI.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["violation", "warning"]),
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
@_output_option("FILE", "Write the report to FILE (replaced only once whole) instead of standard output.")
@click.pass_context
def validate(
    ctx: click.Context,
    files: tuple[Path, ...],
    against: Path,
    shapes_dir: Path | None,
    shapes_mode: str,
    fmt: str,
    fail_on: str,
    max_size: int,
    output: Path | None,
) -> None:
    """Validate register CSVs or RDF files against the shapes, together with a build.

    FILES are register CSVs (recognised by their header) or RDF: Turtle (.ttl),
    N-Triples (.nt), N-Quads (.nq), TriG (.trig), JSON-LD (.jsonld). Only results about
    the files' own nodes are reported; --quiet prints no report (the exit code
    says). Exit codes: 0 conforms, 1 violations (or warnings with --fail-on
    warning), 2 bad input or usage, 3 internal error.
    """
    from graph_builder.build.canonical import write_atomic
    from graph_builder.core.errors import ValidationFailed
    from graph_builder.validate import report as reporting
    from graph_builder.validate import run as validating

    if output is not None and output.resolve().is_relative_to(against.resolve()):
        raise UsageError(f"{output}: is inside the build folder {against}; write the report elsewhere")
    reference = validating.load_reference(against)
    shapes = validating.load_shapes(shapes_dir, shapes_mode)
    with progress(ctx.obj["quiet"], f"validating {_count(len(files), 'file')}"):
        result = validating.validate(list(files), reference, shapes, max_size)
    rendered = reporting.render(result, fmt, fail_on)
    if output is not None:
        write_atomic(output, [rendered])
    elif not ctx.obj["quiet"]:
        click.echo(rendered, nl=False)
    if result.failed(fail_on):
        counts = result.counts()
        raise ValidationFailed(
            f"does not conform ({_count(counts['Violation'], 'violation')}, "
            f"{_count(counts['Warning'], 'warning')}); exit 1"
        )


@cli.command()
@click.option("--endpoint", metavar="URL", help="The server's base URL, e.g. http://127.0.0.1:7878.")
@click.option("--query-url", metavar="URL", help="Its SPARQL query URL (default: from --layout).")
@click.option("--update-url", metavar="URL", help="Its SPARQL update URL (default: from --layout).")
@click.option("--store-url", metavar="URL", help="Its Graph Store Protocol URL (default: from --layout).")
@_layout_option
@click.option(
    "--method",
    type=click.Choice(PUSH_METHODS),
    default="gsp",
    show_default=True,
    help="gsp: PUT each graph (Graph Store Protocol); update: one SPARQL Update per graph.",
)
@click.option("--user", envvar="NHSKG_USER", help="User for HTTP basic auth [env NHSKG_USER].")
@click.option("--password", envvar="NHSKG_PASSWORD", help="Its password; prefer the variable [env NHSKG_PASSWORD].")
@click.option("--token", envvar="NHSKG_TOKEN", help="A bearer token instead [env NHSKG_TOKEN].")
@click.option(
    "--retries",
    type=click.IntRange(min=0),
    default=3,
    show_default=True,
    help="Tries again after a failure that may pass, waiting longer each time.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=60.0,
    show_default=True,
    help="Seconds to wait for the server on each request.",
)
@_build_option
@click.pass_context
def push(
    ctx: click.Context,
    endpoint: str | None,
    query_url: str | None,
    update_url: str | None,
    store_url: str | None,
    layout: str,
    method: str,
    user: str | None,
    password: str | None,
    token: str | None,
    retries: int,
    timeout: float,
    build_dir: Path,
) -> None:
    """Publish the build to a SPARQL 1.1 server, each named graph replaced whole.

    After the push the triples of every graph are counted on the server and compared with
    the build. A push that fails part-way is retried, then lists which graphs are new and
    which old (exit 3); push again to complete it. A read-only server (`nhskg serve`
    without --read-write) refuses it. Repeating a push changes nothing.
    """
    from graph_builder.store.push import push as pushing

    remote = _endpoint(endpoint, query_url, layout, update_url, store_url, user, password, token)
    if remote is None:
        raise click.UsageError("give the server's base URL with --endpoint (or --store-url and --query-url)")
    started = time.perf_counter()
    with progress(ctx.obj["quiet"], "pushing") as step:
        report = pushing(build_dir, remote, method, retries, timeout, progress=_each_graph(step))
    if not ctx.obj["quiet"]:
        target = remote.store_url if method == "gsp" else remote.update_url
        click.echo(
            f"Pushed {len(report.graphs)} graphs ({report.triples:,} triples) to {target} "
            f"in {time.perf_counter() - started:.2f} s; read back: every graph's count matches"
        )
        if ctx.obj["verbose"]:
            for item in report.graphs:
                click.echo(f"  {item.graph}  {item.triples:,} triples  {item.seconds:.2f} s")


def _each_graph(step: Callable[[str, int, int | None], None] | None) -> Callable[..., None] | None:
    """push's progress (event, graph, position, number of graphs) shown as a step."""
    if step is None:
        return None

    def shown(event: str, item: object, position: int, total: int) -> None:
        graph = str(getattr(item, "graph", "")).rsplit("/", 1)[-1]
        step(f"{event} {graph}", position - (event == "sending"), total)

    return shown


def _count(n: int, thing: str) -> str:
    """`1 violation`, `2 violations`."""
    return f"{n:,} {thing}{'' if n == 1 else 's'}"


@cli.command()
@_build_option
@click.option(
    "--bind",
    default="127.0.0.1:7878",
    show_default=True,
    metavar="HOST:PORT",
    help="Address to listen on; 0.0.0.0 opens it to the network.",
)
@click.option(
    "--read-write", is_flag=True, help="Accept updates and pushes, on a copy of the store (the build is never changed)."
)
@click.option(
    "--copy-to",
    type=click.Path(path_type=Path),
    metavar="DIR",
    help="With --read-write: keep the copy here (default: a temporary folder removed at exit).",
)
def serve(build_dir: Path, bind: str, read_write: bool, copy_to: Path | None) -> None:
    """Serve the build as a SPARQL endpoint (the Oxigraph server) until interrupted."""
    import signal

    from graph_builder.store.serve import serve_build

    server = serve_build(build_dir, bind, read_write, copy_to)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        if read_write:
            where = copy_to or "a temporary copy (removed at exit)"
            what = f"read-write on {where}; {build_dir}/store is not changed"
        else:
            what = f"read-only from {build_dir}/store"
        click.echo(f"Serving {what}")
        click.echo(f"SPARQL endpoint: {server.url}/query (base URL {server.url})")
        click.echo(f"Ask it: nhskg query who-follows-whom --endpoint {server.url}")
        click.echo("Press Ctrl-C to stop.")
        status = server.wait()
        from graph_builder.store.remote import ServerError

        raise ServerError(f"the Oxigraph server stopped (exit {status}): {server.last_words()}")
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        server.stop()


WRITERS = ("build", "export", "docs")
"""The commands that write files (and validate with -o)."""


def _writes(argv: list[str]) -> bool:
    """Whether the command would have written something (the group's options are all flags)."""
    command = next((a for a in argv if not a.startswith("-")), "")
    output = any(a in ("-o", "--output") or a.startswith(("-o", "--output=")) for a in argv)
    return command in WRITERS or (command == "validate" and output)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    verbose = "-v" in (argv or sys.argv) or "--verbose" in (argv or sys.argv)
    try:
        cli.main(args=argv, prog_name="nhskg", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("nhskg: aborted", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        # One line, like every other error: click's own rendering spans several.
        hint = ""
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            hint = f" (see '{exc.ctx.command_path} --help')"
        click.echo(f"nhskg: {exc.format_message()}{hint}", err=True)
        sys.exit(2)
    except InputError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        written = "; nothing was written" if _writes(argv if argv is not None else sys.argv[1:]) else ""
        click.echo(f"nhskg: {_count(len(exc.problems), 'problem')}{written}", err=True)
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
