"""`nhskg push` and `nhskg serve`: the build on a SPARQL server."""

from __future__ import annotations

import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

import click

from graph_builder.cli.endpoint import endpoint_from_options, layout_option
from graph_builder.cli.main import build_option
from graph_builder.cli.terminal import Step, progress
from graph_builder.core.errors import ServerError
from graph_builder.store.push import METHODS
from graph_builder.store.push import push as pushing
from graph_builder.store.serve import serve_build


@click.command("push")
@click.option("--endpoint", metavar="URL", help="The server's base URL, e.g. http://127.0.0.1:7878.")
@click.option("--query-url", metavar="URL", help="Its SPARQL query URL (default: from --layout).")
@click.option("--update-url", metavar="URL", help="Its SPARQL update URL (default: from --layout).")
@click.option("--store-url", metavar="URL", help="Its Graph Store Protocol URL (default: from --layout).")
@layout_option
@click.option(
    "--method",
    type=click.Choice(METHODS),
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
@build_option
@click.pass_context
def push_command(
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
    which old (exit 4); push again to complete it. A read-only server (`nhskg serve`
    without --read-write) refuses it. Repeating a push changes nothing.
    """
    remote = endpoint_from_options(endpoint, query_url, layout, update_url, store_url, user, password, token)
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


def _each_graph(step: Step | None) -> Callable[..., None] | None:
    """push's progress (event, graph, position, number of graphs) shown as a step."""
    if step is None:
        return None

    def shown(event: str, item: object, position: int, total: int) -> None:
        graph = str(getattr(item, "graph", "")).rsplit("/", 1)[-1]
        step(f"{event} {graph}", position - (event == "sending"), total)

    return shown


@click.command("serve")
@build_option
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
def serve_command(build_dir: Path, bind: str, read_write: bool, copy_to: Path | None) -> None:
    """Serve the build as a SPARQL endpoint (the Oxigraph server) until interrupted."""
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
        raise ServerError(f"the Oxigraph server stopped (exit {status}): {server.last_words()}", server.url)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)
    finally:
        server.stop()
