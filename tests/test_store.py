"""The embedded store: the build's persistent store opened read-only, graph.nq as the fallback."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph_builder.core.errors import UsageError
from graph_builder.questions.answers import render_answer
from graph_builder.questions.catalogue import catalogue, run
from graph_builder.store.embedded import EmbeddedStore, open_store, store_dir


def fingerprint(folder: Path) -> dict[str, str]:
    """Every file of a folder with its SHA-256 (what "not changed" means)."""
    return {
        str(f.relative_to(folder)): hashlib.sha256(f.read_bytes()).hexdigest()
        for f in sorted(folder.rglob("*"))
        if f.is_file()
    }


@pytest.fixture(scope="module")
def build_dir(built) -> Path:
    return built.out_dir


@pytest.fixture(scope="module")
def nquads_only(tmp_path_factory, build_dir) -> Path:
    """A build folder from before the store: graph.nq alone."""
    folder = tmp_path_factory.mktemp("nq-only")
    shutil.copy(build_dir / "graph.nq", folder / "graph.nq")
    return folder


def examples(name: str) -> dict[str, str]:
    q = next(q for q in catalogue() if q.name == name)
    return {p.name: p.example for p in q.params if not p.optional and p.example}


def test_the_build_store_is_opened_read_only_and_left_unchanged(build_dir):
    before = fingerprint(build_dir / "store")
    store = open_store(build_dir)
    assert isinstance(store, EmbeddedStore) and store.persistent
    assert store.path == (build_dir / "store").resolve()
    assert len(store) == (build_dir / "graph.nq").read_bytes().count(b"\n")
    run("who-follows-whom", build=build_dir)
    with pytest.raises(RuntimeError, match="read-write"):  # read-only: pyoxigraph refuses to write
        store._store.add(ox.Quad(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("o")))
    assert fingerprint(build_dir / "store") == before


def test_a_build_without_a_store_falls_back_to_graph_nq(nquads_only, build_dir):
    store = open_store(nquads_only)
    assert not store.persistent and store_dir(nquads_only) is None
    assert len(store) == len(open_store(build_dir))


def test_memory_loads_graph_nq_even_beside_a_store(build_dir):
    store = open_store(build_dir, memory=True)
    assert not store.persistent and store is not open_store(build_dir)
    assert len(store) == len(open_store(build_dir))


def unordered_lists(csv_text: str) -> list[list[str]]:
    """CSV rows with the parts of each `;`-joined cell sorted.

    GROUP_CONCAT joins values in the order the engine meets them: the persistent store
    (ordered by key) and an in-memory store (ordered by insertion) may join the same
    sources in another order. A remote Oxigraph server keeps the persistent order.
    """
    rows = [line.split(",") for line in csv_text.splitlines()]
    return [[";".join(sorted(p.strip() for p in cell.split(";"))) for cell in row] for row in rows]


@pytest.mark.parametrize("name", [q.name for q in catalogue()])
def test_both_engines_give_the_same_answer(name, build_dir, nquads_only):
    """The persistent store and graph.nq in memory: the same rows for every saved question."""
    params = examples(name)
    on_disk = render_answer(run(name, params, build=build_dir), "csv")
    in_memory = render_answer(run(name, params, build=nquads_only), "csv")
    assert unordered_lists(on_disk) == unordered_lists(in_memory)


def test_an_unchanged_build_is_opened_once_and_a_new_one_again(tmp_path, build_dir):
    assert open_store(build_dir) is open_store(build_dir)
    copy = tmp_path / "copy"
    shutil.copytree(build_dir, copy)
    first = open_store(copy)
    shutil.rmtree(copy)
    shutil.copytree(build_dir, copy)  # `nhskg build` replaces the whole folder, as here
    assert open_store(copy) is not first


@pytest.mark.parametrize("content", [None, "graph.nq only, not N-Quads\n"])
def test_a_folder_that_is_not_a_build_is_a_usage_error(tmp_path, content):
    if content:
        (tmp_path / "graph.nq").write_text(content)
    with pytest.raises(UsageError, match="nhskg build"):
        open_store(tmp_path)
    with pytest.raises(UsageError, match="run `nhskg build` first"):
        open_store(tmp_path / "absent")


def test_a_damaged_store_is_a_usage_error(tmp_path, build_dir):
    shutil.copytree(build_dir / "store", tmp_path / "store")
    for sst in (tmp_path / "store").glob("*.sst"):
        sst.unlink()
    with pytest.raises(UsageError, match="cannot open the store read-only"):
        open_store(tmp_path)


def test_graph_sizes_and_ntriples_agree_with_the_store(build_dir):
    store = open_store(build_dir)
    sizes = store.graph_sizes()
    assert sorted(sizes) == [g.value for g in store.named_graphs()]
    assert sum(sizes.values()) == len(store)
    organisations = ox.NamedNode("https://w3id.org/nhs-dkg/graph/organisations")
    parsed = list(ox.parse(store.ntriples(organisations), format=ox.RdfFormat.N_TRIPLES))
    assert len(parsed) == sizes[organisations.value]


def test_rdflib_sees_the_same_store(build_dir):
    """rdflib stays the API where it costs nothing: oxrdflib over the same read-only store."""
    from rdflib import URIRef

    store = open_store(build_dir)
    dataset = store.rdflib_dataset()
    rows = list(dataset.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"))
    assert int(rows[0][0]) == len(store)
    answer = dataset.query("ASK { ?org ?p ?o }", initBindings={"org": URIRef("https://w3id.org/nhs-dkg/id/org/RQ6")})
    assert answer.askAnswer is True


def test_literals_are_written_as_the_store_answers_them(build_dir):
    """graph.nq writes every typed literal in the form the store gives back (canonical: a
    decimal 23000000, not 23000000.0), so an engine that keeps lexical forms as loaded (Jena)
    answers as the embedded store does."""
    written = {
        (q.predicate, q.object.datatype, q.object.value)  # blank nodes are named anew on loading
        for q in ox.parse(path=str(build_dir / "graph.nq"), format=ox.RdfFormat.N_QUADS)
        if isinstance(q.object, ox.Literal) and q.object.datatype.value.endswith(("#decimal", "#integer", "#boolean"))
    }
    assert any(d.value.endswith("#decimal") for _, d, _ in written)
    store = open_store(build_dir)
    answered = {
        (row[0], row[1].datatype, row[1].value)
        for row in store.select(
            "SELECT ?p ?o WHERE { GRAPH ?g { ?s ?p ?o FILTER(isLiteral(?o) && DATATYPE(?o) IN "
            "(<http://www.w3.org/2001/XMLSchema#decimal>, <http://www.w3.org/2001/XMLSchema#integer>, "
            "<http://www.w3.org/2001/XMLSchema#boolean>)) } }"
        ).rows
    }
    assert written == answered, sorted(written ^ answered, key=str)[:5]
