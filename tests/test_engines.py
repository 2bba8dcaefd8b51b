"""The same answers on every engine: each saved question, in each variant, gives byte-identical
CSV on the embedded store and on the Oxigraph, Virtuoso and Jena servers (issue 15).

Variants (`variants`): the required parameters at their example values and no optional one
(`plain`); that plus each optional parameter at its example (`+NAME`); and, for a question
that depends on time, the same with `--as-of 2018-01-31` (`as-of`, `as-of+all`). Each
(engine, question, variant) is its own test, so the list of failures reads as the per-engine
table. A query gets QUERY_TIMEOUT seconds; one that times out or leaves the server not
answering fails its own test with that said, and the server is replaced by a fresh one
(servers.py) before the next.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from servers import Server

from graph_builder.core.errors import ServerError
from graph_builder.questions.answers import render_answer
from graph_builder.questions.catalogue import Question, catalogue, run
from graph_builder.store.remote import RemoteStore

pytestmark = pytest.mark.slow
AS_OF = "2018-01-31"
ENGINES = ("oxigraph", "virtuoso", "jena")
QUERY_TIMEOUT = 30.0


@dataclass(frozen=True)
class Variant:
    question: str
    label: str
    params: tuple[tuple[str, str], ...]
    as_of: str | None = None

    @property
    def id(self) -> str:
        return f"{self.question}/{self.label}"


def variants(q: Question) -> Iterator[Variant]:
    required = tuple((p.name, p.example) for p in q.params if not p.optional)
    optional = [(p.name, p.example) for p in q.params if p.optional and p.example]
    yield Variant(q.name, "plain", required)
    for pair in optional:
        yield Variant(q.name, f"+{pair[0]}", (*required, pair))
    if q.as_of:
        yield Variant(q.name, "as-of", required, AS_OF)
        if optional:
            yield Variant(q.name, "as-of+all", (*required, *optional), AS_OF)


VARIANTS = [v for q in catalogue() for v in variants(q)]
_embedded: dict[Variant, str] = {}


def csv(variant: Variant, build: Path | None = None, server: Server | None = None) -> str:
    endpoint = server.endpoint if server else None
    answer = run(variant.question, dict(variant.params), variant.as_of, build or Path("build"), QUERY_TIMEOUT, endpoint)
    return render_answer(answer, "csv")


def embedded(variant: Variant, build: Path) -> str:
    if variant not in _embedded:
        _embedded[variant] = csv(variant, build=build)
    return _embedded[variant]


def difference(expected: str, got: str, most: int = 16) -> str:
    lines = list(difflib.unified_diff(expected.splitlines(), got.splitlines(), "embedded", "server", lineterm="", n=0))
    shown = lines[2 : 2 + most]
    more = f"\n… {len(lines) - 2 - most} more lines" if len(lines) - 2 > most else ""
    return "\n".join(shown) + more


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Server:
    server: Server = request.getfixturevalue(f"{request.param}_server")
    return server


@pytest.mark.parametrize("variant", VARIANTS, ids=[v.id for v in VARIANTS])
def test_the_same_csv_on_every_engine(engine: Server, variant: Variant, built) -> None:
    expected = embedded(variant, built.out_dir)
    try:
        got = csv(variant, server=engine)
    except ServerError as exc:
        got, failure = "", f"{engine.name}: {failed(engine, exc)}: {exc}"
    else:
        failure = "" if got == expected else f"{engine.name}: wrong answer{reordered(expected, got)}:\n"
        failure += difference(expected, got) if failure else ""
    if failure:
        pytest.fail(failure, pytrace=False)


def failed(engine: Server, exc: ServerError) -> str:
    """How the server failed: error, timeout or crash; after a timeout or a crash it is
    replaced by a fresh one (a query it still runs would slow every later test)."""
    if "no answer" in str(exc):
        engine.restart()
        return "timeout (server restarted)"
    if not engine.alive():
        engine.restart()
        return "crash (server restarted)"
    return "error"


def reordered(expected: str, got: str) -> str:
    return " (the same rows in another order)" if sorted(expected.splitlines()) == sorted(got.splitlines()) else ""


def test_a_query_that_hangs_fails_alone_and_the_server_is_replaced(jena_server: Server) -> None:
    """A query past its timeout is a `timeout`; the server, still busy with it, is replaced."""
    before = jena_server.process.pid if jena_server.process else None
    endless = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    with pytest.raises(ServerError) as hung:
        RemoteStore(jena_server.endpoint, timeout=1).select(endless)
    assert failed(jena_server, hung.value) == "timeout (server restarted)"
    assert jena_server.process is not None and jena_server.process.pid != before and jena_server.alive()


def test_a_server_that_dies_fails_alone_and_is_replaced(virtuoso_server: Server, built) -> None:
    """A crash (here: the process killed) is a `crash`; a fresh server, pushed again, answers."""
    assert virtuoso_server.process is not None
    virtuoso_server.process.kill()
    virtuoso_server.process.wait()
    plain = Variant("exemplars", "plain", ())
    with pytest.raises(ServerError) as crashed:
        csv(plain, server=virtuoso_server)
    assert failed(virtuoso_server, crashed.value) == "crash (server restarted)"
    assert csv(plain, server=virtuoso_server) == embedded(plain, built.out_dir)
