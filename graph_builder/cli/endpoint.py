"""The options that name a SPARQL server (query, sparql and push), and the Endpoint they make."""

from __future__ import annotations

import click

from graph_builder.registers import dataset_graphs
from graph_builder.store.endpoint import LAYOUTS, Credentials, Endpoint

endpoint_option = click.option(
    "--endpoint",
    metavar="URL",
    help="Ask a SPARQL server instead of the build: its base URL, e.g. http://127.0.0.1:7878 "
    "(credentials from NHSKG_USER/NHSKG_PASSWORD or NHSKG_TOKEN).",
)
query_url_option = click.option(
    "--query-url", metavar="URL", help="The server's SPARQL query URL, if not the layout's (default: ENDPOINT/query)."
)
layout_option = click.option(
    "--layout",
    type=click.Choice(tuple(LAYOUTS)),
    default="oxigraph",
    show_default=True,
    help="Where the server keeps its query, update and graph store URLs below ENDPOINT.",
)


def endpoint_from_options(
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
    credentials = Credentials.from_options(user, password, token)
    return Endpoint.from_options(endpoint, query_url, update_url, store_url, layout, credentials, dataset_graphs())
