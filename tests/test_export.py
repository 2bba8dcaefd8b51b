"""Every export format, read back by an independent reader, agrees with the graph.

Readers: networkx (GraphML, GEXF), python-igraph (GraphML), pydot (DOT), the json module
(Cytoscape.js JSON, which has a fixed schema), rdflib (Turtle, N-Triples, JSON-LD).
Expected values come from data/partnerships.csv and the projection, not from the writers.
"""

from __future__ import annotations

import csv
import json
import warnings
import weakref
from datetime import date
from pathlib import Path

import networkx as nx
import pytest
from clirun import run_cli as cli

from graph_builder.export import views as export_views
from graph_builder.export.graph import LIST_SEPARATOR
from graph_builder.export.model import EXPORT_FORMATS, export
from graph_builder.questions import projection as network_projection
from graph_builder.questions import projection_queries
from graph_builder.questions.node_facts import add_node_facts
from graph_builder.questions.temporal import in_effect, validity
from graph_builder.store.embedded import open_store

ID = "https://w3id.org/nhs-dkg/id/"
ORG = ID + "org/"


@pytest.fixture(scope="session")
def build_dir(built) -> Path:
    return built.out_dir


@pytest.fixture(scope="session")
def partnerships(shipped_data) -> list[dict[str, str]]:
    with (shipped_data / "partnerships.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="session")
def exported(build_dir, tmp_path_factory):
    """Export (format, view, as_of) once per session; returns the file."""
    folder = tmp_path_factory.mktemp("exports")
    made: dict[tuple[str, str, str | None], Path] = {}

    def make(fmt: str, view: str = "followers", as_of: str | None = None) -> Path:
        key = (fmt, view, as_of)
        if key not in made:
            out = folder / f"{view}-{as_of or 'all'}.{fmt}"
            export(build_dir, fmt, out, view, as_of)
            made[key] = out
        return made[key]

    return make


@pytest.fixture(scope="session")
def projection(build_dir):
    """The whole projection, made as the exports make the all view: every relation and node, then their facts."""
    store = open_store(build_dir)
    graph = network_projection.project(store, projection_queries.RELATIONS, every_node=True).copy()
    add_node_facts(graph, store)
    return graph


def expected(projection, view: str, as_of: str | None = None) -> nx.MultiDiGraph:
    return export_views.select(projection, view, date.fromisoformat(as_of) if as_of else None)


def pairs(rows) -> set[tuple[str, str, str]]:
    return {(ORG + r["follower"], ORG + r["exemplar"], r["status"]) for r in rows}


def register(shipped_data: Path, name: str) -> list[dict[str, str]]:
    with (shipped_data / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def systems_from_registers(shipped_data: Path) -> tuple[set[str], list[tuple[str, str]]]:
    """The systems view read off the registers: every system and supplier, every organisation with a
    deployment (in-house and no-EPR ones too); an edge per deployment that names a system or supplier,
    and system → supplier."""
    deployments, systems = register(shipped_data, "deployments"), register(shipped_data, "systems")
    suppliers = [r["key"] for r in register(shipped_data, "bodies") if r["kind"] == "supplier"]
    nodes = {ID + "system/" + r["key"] for r in systems} | {ID + "supplier/" + key for key in suppliers}
    nodes |= {ORG + r["organisation"] for r in deployments}
    edges = [
        (ORG + r["organisation"], ID + ("system/" + r["system"] if r["system"] else "supplier/" + r["supplier"]))
        for r in deployments
        if r["system"] or r["supplier"]
    ]
    edges += [(ID + "system/" + r["key"], ID + "supplier/" + r["supplier"]) for r in systems if r["supplier"]]
    return nodes, edges


def areas_from_registers(shipped_data: Path, as_of: str | None = None) -> list[tuple[str, str]]:
    """The areas view's edges read off memberships.csv: (member, group) of the rows that held on `as_of`."""
    return [
        (ORG + r["member"], ORG + r["group"])
        for r in register(shipped_data, "memberships")
        if as_of is None or r["start"] <= as_of <= r["end"]
    ]


# --- GraphML --------------------------------------------------------------------------------


def test_graphml_followers_read_by_networkx(exported, partnerships):
    graph = nx.read_graphml(exported("graphml"), force_multigraph=True)
    assert graph.number_of_edges() == len(partnerships) == 14
    assert {(u, v, d["status"]) for u, v, d in graph.edges(data=True)} == pairs(partnerships)
    assert all(d["relation"] == "partnership" and d["source"] for _, _, d in graph.edges(data=True))
    ral = graph.nodes[ORG + "RAL"]
    assert ral["kind"] == "acute-trust" and ral["code"] == "RAL" and ral["role"] == "exemplar"
    assert ral["anchor"] is True  # typed key: boolean
    assert ral["name"] == "Royal Free London NHS Foundation Trust"
    dropped = [d for u, v, d in graph.edges(data=True) if d["status"] == "dropped"]
    assert dropped == [pytest.approx(dropped[0])] and dropped[0]["end"] == "2018-01"


def test_graphml_declares_typed_keys_and_yed_graphics(exported):
    text = exported("graphml", "systems").read_text(encoding="utf-8")
    assert 'attr.name="register_row" attr.type="int"' in text
    assert 'attr.name="kind" attr.type="string"' in text
    assert 'yfiles.type="nodegraphics"' in text and "<y:NodeLabel" in text and "<y:Fill color=" in text


def test_graphml_read_by_igraph(exported, projection, shipped_data):
    igraph = pytest.importorskip("igraph")
    graph = igraph.Graph.Read_GraphML(str(exported("graphml", "followers")))
    want = expected(projection, "followers")
    assert (graph.vcount(), graph.ecount()) == (want.number_of_nodes(), want.number_of_edges())
    assert graph.is_directed()
    assert set(graph.vs["id"]) == set(want.nodes)
    kinds = dict(zip(graph.vs["id"], graph.vs["kind"], strict=True))
    assert all(kinds[n] == d["kind"] for n, d in want.nodes(data=True))
    graph = igraph.Graph.Read_GraphML(str(exported("graphml", "systems")))
    nodes, edges = systems_from_registers(shipped_data)
    assert set(graph.vs["id"]) == nodes
    ids = graph.vs["id"]
    assert sorted((ids[e.source], ids[e.target]) for e in graph.es) == sorted(edges)


def test_all_view_keeps_every_node_and_relation(exported, projection):
    graph = nx.read_graphml(exported("graphml", "all"), force_multigraph=True)
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (
        projection.number_of_nodes(),
        projection.number_of_edges(),
    )
    relations = {d["relation"] for *_, d in graph.edges(data=True)}
    assert relations == set(projection_queries.RELATIONS)


def test_multi_valued_attributes_are_kept(exported, projection):
    many = [(n, d["alt_labels"]) for n, d in projection.nodes(data=True) if len(d.get("alt_labels", [])) > 1]
    assert many, "the shipped graph has organisations with several names"
    node, names = many[0]
    graph = nx.read_graphml(exported("graphml", "all"), force_multigraph=True)
    assert graph.nodes[node]["alt_labels"].split(LIST_SEPARATOR) == sorted(names)
    cyjs = json.loads(exported("cyjs", "all").read_text(encoding="utf-8"))
    item = next(n["data"] for n in cyjs["elements"]["nodes"] if n["data"]["id"] == node)
    assert item["alt_labels"] == sorted(names)


# --- GEXF -----------------------------------------------------------------------------------


def test_gexf_read_by_networkx_with_colours(exported, partnerships):
    path = exported("gexf")
    assert 'version="1.3"' in path.read_text(encoding="utf-8")[:400]
    graph = nx.read_gexf(path)
    assert {(u, v, d["status"]) for u, v, d in graph.edges(data=True)} == pairs(partnerships)
    ral = graph.nodes[ORG + "RAL"]
    assert ral["viz"]["color"] == {"r": 31, "g": 119, "b": 180, "a": 1.0}  # acute trust blue
    assert ral["kind"] == "acute-trust" and "position" in ral["viz"]
    mental = graph.nodes[ORG + "RX4"]
    assert mental["viz"]["color"] != ral["viz"]["color"]


def test_gexf_areas_as_of_a_date(exported, shipped_data):
    graph = nx.read_gexf(exported("gexf", "areas", "2018-01-01"))
    want = areas_from_registers(shipped_data, "2018-01-01")
    assert sorted(graph.edges()) == sorted(want) and want
    assert set(graph.nodes) == {end for edge in want for end in edge}
    assert all(d["valid_from"] <= "2018-01-01" < d["valid_until"] for *_, d in graph.edges(data=True))
    assert {d["relation"] for *_, d in graph.edges(data=True)} == {"membership"}


def test_gexf_keeps_the_preferred_label_apart_from_its_own_label(exported, projection):
    graph = nx.read_gexf(exported("gexf", "all"))
    ral = graph.nodes[ORG + "RAL"]
    assert ral["pref_label"] == projection.nodes[ORG + "RAL"]["label"] == "ROYAL FREE LONDON NHS FOUNDATION TRUST"
    assert ral["label"] == "Royal Free London NHS Foundation Trust"  # GEXF's own label: the display name


# --- Cytoscape.js JSON ----------------------------------------------------------------------


def test_cyjs_schema_and_counts(exported, shipped_data):
    doc = json.loads(exported("cyjs", "systems").read_text(encoding="utf-8"))
    nodes, edges = doc["elements"]["nodes"], doc["elements"]["edges"]
    want_nodes, want_edges = systems_from_registers(shipped_data)
    ids = {n["data"]["id"] for n in nodes}
    assert len(ids) == len(nodes) and ids == want_nodes
    assert sorted((e["data"]["source"], e["data"]["target"]) for e in edges) == sorted(want_edges)
    assert all({"x", "y"} <= set(n["position"]) and n["data"]["color"].startswith("#") for n in nodes)
    deployments = [e["data"] for e in edges if e["data"]["relation"] == "deployment"]
    assert deployments and all(d["as_of"] and d["status"] and d["sources"] for d in deployments)
    register_rows = [n["data"]["register_row"] for n in nodes if "register_row" in n["data"]]
    assert register_rows and all(isinstance(r, int) for r in register_rows)
    in_house = next(n["data"] for n in nodes if n["data"]["id"] == ORG + "RA9")  # no EPR: no edge, still shown
    assert in_house["provisions"] == [
        {"as_of": "2024-10-01", "provision": "none", "source": "nhse-epr-foi-2024", "status": "planned"}
    ]


def test_cyjs_round_trips_through_networkx(exported, partnerships):
    """networkx.cytoscape_graph reads the file back: ends, citations and parallel edges kept."""
    for view in export_views.VIEWS:
        doc = json.loads(exported("cyjs", view).read_text(encoding="utf-8"))
        graph = nx.cytoscape_graph(doc)
        assert (graph.number_of_nodes(), graph.number_of_edges()) == (
            len(doc["elements"]["nodes"]),
            len(doc["elements"]["edges"]),
        ), view
    graph = nx.cytoscape_graph(json.loads(exported("cyjs", "followers").read_text(encoding="utf-8")))
    cited = {(u, v): d["sources"] for u, v, d in graph.edges(data=True)}
    assert cited == {(ORG + r["follower"], ORG + r["exemplar"]): r["source"] for r in partnerships}


def ids_in(path: Path, fmt: str) -> list[str]:
    """Every node and edge id a file declares, as its format's readers see them."""
    import xml.etree.ElementTree as ET

    if fmt in ("graphml", "gexf"):
        tags = ("node", "edge")
        return [e.get("id", "") for e in ET.parse(path).iter() if e.tag.rsplit("}", 1)[-1] in tags]
    if fmt == "cyjs":
        doc = json.loads(path.read_text(encoding="utf-8"))
        return [item["data"]["id"] for group in ("nodes", "edges") for item in doc["elements"][group]]
    if fmt == "html":
        text = path.read_text(encoding="utf-8")
        start = text.index('id="graph-data">') + len('id="graph-data">')
        data = json.loads(text[start : text.index("</script>", start)])
        return [item["id"] for group in ("nodes", "edges") for item in data[group]]
    graph = read_dot(path)
    nodes = [n.get_name().strip('"') for n in graph.get_nodes() if n.get_name() not in ("node", "edge", "graph")]
    return nodes + [e.get("id").strip('"') for e in graph.get_edges()]


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "cyjs", "dot", "html"])
def test_every_id_is_unique_in_every_view(fmt, exported):
    for view in export_views.VIEWS:
        ids = ids_in(exported(fmt, view), fmt)
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        assert not repeated, f"{view}: {len(repeated)} ids repeat, e.g. {repeated[:2]}"


# --- DOT ------------------------------------------------------------------------------------


def read_dot(path: Path):
    pydot = pytest.importorskip("pydot")
    with warnings.catch_warnings():  # pydot 4 calls pyparsing names that pyparsing 3.3 deprecates
        warnings.simplefilter("ignore", DeprecationWarning)
        (graph,) = pydot.graph_from_dot_file(str(path))
    return graph


def test_dot_read_by_pydot(exported, partnerships):
    graph = read_dot(exported("dot"))
    nodes = [n for n in graph.get_nodes() if n.get_name() not in ("node", "edge", "graph")]
    assert len(nodes) == 40
    found = {
        (e.get_source().strip('"'), e.get_destination().strip('"'), e.get("status").strip('"'))
        for e in graph.get_edges()
    }
    assert found == pairs(partnerships)
    ral = graph.get_node(f'"{ORG}RAL"')[0]
    assert ral.get("label") == '"RAL"' and ral.get("fillcolor") == '"#1f77b4"'
    assert "splines" not in (graph.get_graph_defaults() or [{}])[0]  # spline routing takes minutes on all


@pytest.mark.parametrize("view", list(export_views.VIEWS))
def test_dot_keeps_every_edge_of_every_view(view, exported, shipped_data):
    """pydot reads every edge GraphML has (read by networkx), relation by relation."""
    dot = read_dot(exported("dot", view))
    found = sorted(
        (
            e.get_source().strip('"'),
            e.get_destination().strip('"'),
            e.get("id").strip('"'),
            e.get("relation").strip('"'),
        )
        for e in dot.get_edges()
    )
    graph = nx.read_graphml(exported("graphml", view), force_multigraph=True)
    assert found == sorted((u, v, k, d["relation"]) for u, v, k, d in graph.edges(keys=True, data=True))
    memberships = sum(1 for *_, relation in found if relation == "membership")
    assert memberships == (len(areas_from_registers(shipped_data)) if view in ("areas", "all") else 0)


# --- RDF ------------------------------------------------------------------------------------


def test_rdf_exports_agree_and_hold_the_relation_nodes(exported, partnerships):
    from rdflib import Graph, URIRef
    from rdflib.compare import isomorphic

    graphs = {}
    for fmt, parser in (("nt", "nt"), ("ttl", "turtle"), ("jsonld", "json-ld")):
        graph = Graph()
        with warnings.catch_warnings():  # rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph
            warnings.simplefilter("ignore", DeprecationWarning)
            graph.parse(exported(fmt), format=parser)
        graphs[fmt] = graph
    assert isomorphic(graphs["nt"], graphs["ttl"]) and isomorphic(graphs["nt"], graphs["jsonld"])
    ndk = "https://w3id.org/nhs-dkg/def#"
    found = set(
        graphs["nt"].subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(ndk + "Partnership"))
    )
    assert len(found) == len(partnerships)
    sources = set(graphs["nt"].subjects(URIRef("http://purl.org/dc/terms/identifier"), None))
    assert len(sources) > len(found)  # the cited sources are described too


# --- determinism, atomicity, bad input -------------------------------------------------------


@pytest.mark.parametrize("fmt", [f for f in EXPORT_FORMATS if f != "png"])
def test_exports_are_deterministic(fmt, build_dir, tmp_path):
    first, second = tmp_path / f"a.{fmt}", tmp_path / f"b.{fmt}"
    export(build_dir, fmt, first, "followers")
    export(build_dir, fmt, second, "followers")
    assert first.read_bytes() == second.read_bytes()


def test_png_is_a_picture(exported):
    data = exported("png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


def test_svg_is_an_svg_with_the_codes(exported):
    text = exported("svg", "followers").read_text(encoding="utf-8")
    assert "<svg" in text and "RAL" in text and "partnership (confirmed)" in text


def test_cli_export_infers_the_format_from_the_suffix(build_dir, tmp_path, capsys):
    out = tmp_path / "f.gexf"
    code, stdout, _ = cli(["export", "-o", str(out), "--view", "followers", "--build", str(build_dir)], capsys)
    assert code == 0 and "14 edges" in stdout and out.is_file()


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--format", "pdf"], "unknown export format 'pdf'"),
        (["--view", "everything"], "unknown view 'everything'"),
        (["--view", "followers", "--as-of", "1990-01-01"], "selects nothing on 1990-01-01"),
        (
            ["--view", "areas", "--as-of", "2019-06-01"],
            "the areas view selects nothing on 2019-06-01: its memberships "
            "hold from 2017-04-01 to 2018-03-31, from 2021-04-01 to 2022-03-31 and from 2023-04-01 to 2023-06-30 "
            "(snapshots); choose --as-of within one",
        ),
        (["--as-of", "31/01/2018"], "is not a date"),
    ],
)
def test_bad_input_is_one_line_exit_2(args, needle, build_dir, tmp_path, capsys):
    out = tmp_path / "x.graphml"
    code, _, err = cli(["export", "-o", str(out), "--build", str(build_dir), *args], capsys)
    assert code == 2 and needle in err and len(err.strip().splitlines()) == 1
    assert not out.exists() and not list(tmp_path.iterdir())


def test_unwritable_output_is_one_line_exit_2(build_dir, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    code, _, err = cli(["export", "-o", str(blocker / "x.dot"), "--build", str(build_dir)], capsys)
    assert code == 2 and "cannot be written" in err and len(err.strip().splitlines()) == 1
    code, _, err = cli(["export", "-o", str(tmp_path), "-f", "dot", "--build", str(build_dir)], capsys)
    assert code == 2 and "is a folder" in err
    code, _, err = cli(["export", "--build", str(build_dir)], capsys)
    assert code == 2 and "-o FILE" in err


def test_a_failed_export_leaves_the_previous_file(build_dir, tmp_path, monkeypatch):
    out = tmp_path / "keep.graphml"
    out.write_text("previous")
    import graph_builder.export.xml as writers

    def broken(graph):
        yield b"<?xml"  # a first piece is written to the temporary file, then the writer fails
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(writers, "stream_graphml", broken)
    with pytest.raises(RuntimeError):
        export(build_dir, "graphml", out, "followers")
    assert out.read_text() == "previous" and [p.name for p in tmp_path.iterdir()] == ["keep.graphml"]


def test_validity_is_the_in_effect_rule(projection):
    days = [date(y, m, 1) for y in range(2015, 2026) for m in (1, 4, 7, 10)]
    for *_, data in projection.edges(data=True):
        start, until = validity(data)
        for day in days:
            held = (start is None or start <= day) and (until is None or day < until)
            assert held == in_effect(data, day), (data, day)


# --- large views: the scalable layout, bulk pictures, refusal, streaming --------------------


def test_large_layout_is_linear_deterministic_and_separates_components():
    import time

    from graph_builder.export import layout as export_layout

    nodes = [f"n{i:05d}" for i in range(6_000)]
    edges = [(nodes[i], nodes[i // 8]) for i in range(1, 5_000)]  # one tree of 5,000 nodes
    edges += [(nodes[i], nodes[i + 1]) for i in range(5_000, 5_600, 2)]  # 300 pairs; 400 single nodes
    start = time.perf_counter()
    first = export_layout.layout(nodes, edges)
    assert time.perf_counter() - start < 30  # the exact force would need 6,000² pairs each of 200 rounds
    assert first == export_layout.layout(nodes, edges) and set(first) == set(nodes)
    xs = [x for x, _ in first.values()]
    assert min(xs) == 20.0 and max(xs) == pytest.approx(1020.0, abs=0.1)
    tree = {first[n] for n in nodes[:5_000]}
    assert len(tree) > 4_000  # spread out, not collapsed onto a few points
    pair = first[nodes[5_000]], first[nodes[5_001]]
    assert 0 < abs(pair[0][0] - pair[1][0]) + abs(pair[0][1] - pair[1][1]) < 60


def test_small_views_keep_the_exact_layout(build_dir, monkeypatch):
    """Up to LARGE nodes the layout is the exact one, so the shipped pictures do not change."""
    from graph_builder.export import layout as export_layout
    from graph_builder.export.view_graph import property_graph

    def refuse(*args, **kwargs):
        raise AssertionError("a small view took the large-view layout")

    monkeypatch.setattr(export_layout, "_layout_large", refuse)
    monkeypatch.setattr(export_layout, "_spread", refuse)
    graph = property_graph(open_store(build_dir), "all")
    assert len(graph.nodes) <= export_layout.LARGE
    positions = graph.positions()
    assert len(positions) == len(graph.nodes) and len(set(positions.values())) == len(positions)


@pytest.mark.parametrize("fmt", ["svg", "graphml", "html"])
def test_the_large_path_on_the_shipped_build(fmt, build_dir, tmp_path, monkeypatch):
    """With the thresholds lowered, the shipped views take the large-view code and still export."""
    from graph_builder.export import layout as export_layout
    from graph_builder.export import picture as export_picture

    monkeypatch.setattr(export_layout, "LARGE", 20)
    monkeypatch.setattr(export_layout, "EXACT", 5)
    monkeypatch.setattr(export_picture, "LARGE", 20)
    out = tmp_path / f"areas.{fmt}"
    done = export(build_dir, fmt, out, "areas")
    assert done.nodes > 20 and out.stat().st_size == done.size
    if fmt == "svg":
        text = out.read_text(encoding="utf-8")
        assert "<svg" in text and "membership: " in text


def test_too_large_a_picture_is_refused_with_one_line(build_dir, tmp_path, capsys, monkeypatch):
    from graph_builder.export import picture as export_picture

    monkeypatch.setattr(export_picture, "LIMIT", 30)
    out = tmp_path / "all.png"
    code, _, err = cli(["export", "-o", str(out), "--build", str(build_dir)], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "too many for a readable png" in err and "--view" in err and "gexf" in err
    assert not out.exists() and not list(tmp_path.iterdir())


def test_streamed_pages_are_the_whole_document(build_dir):
    from graph_builder.export import html as export_html
    from graph_builder.export import xml as export_xml
    from graph_builder.export.view_graph import property_graph

    graph = property_graph(open_store(build_dir), "followers", whole=True)
    text = "".join(export_html._script_json_pieces(graph))
    assert text == export_html._script_json(export_html.viewer_data(graph))
    assert b"".join(export_xml.stream_gexf(graph)) == export_xml.gexf(graph)
    pieces = list(export_xml._chunks(iter([["a" * 10]] * 5), size=25))
    assert [len(p) for p in pieces] == [33, 22] and b"".join(pieces) == ("a" * 10 + "\n").encode() * 5


def _normal(graph: nx.MultiDiGraph) -> tuple[dict, list]:
    def tidy(data: dict) -> dict:
        return {k: sorted(v, key=str) if isinstance(v, list) else v for k, v in data.items()}

    nodes = {n: tidy(d) for n, d in graph.nodes(data=True)}
    edges = sorted(((u, v, k, sorted(tidy(d).items())) for u, v, k, d in graph.edges(keys=True, data=True)), key=str)
    return nodes, edges


@pytest.mark.parametrize("few", ["one", "values", "scan"], ids=["node-by-node", "in-bulk", "every-node"])
@pytest.mark.parametrize("as_of", [None, date(2018, 1, 1)])
def test_a_view_read_alone_is_the_view_of_the_whole_projection(build_dir, projection, monkeypatch, few, as_of):
    """Each view reads only its relations and its nodes' facts, and gets what the whole projection gives."""
    store = open_store(build_dir)
    if few != "one":
        monkeypatch.setattr(projection_queries, "FEW_NODES", 0)
    if few == "scan":
        monkeypatch.setattr(projection_queries, "MANY_NODES", 0)
    for name in export_views.VIEWS:
        got = export_views.select(export_views.projection(store, name), name, as_of)
        export_views.add_facts(got, store, name)
        assert _normal(got) == _normal(export_views.select(projection, name, as_of)), name


def test_a_view_reads_only_its_relations(build_dir, monkeypatch):
    read: list[str] = []
    original = network_projection.select_rows

    def spy(store, query, timeout):
        read.append(query)
        return original(store, query, timeout)

    monkeypatch.setattr(network_projection, "select_rows", spy)
    monkeypatch.setattr(network_projection, "_PARTS", weakref.WeakKeyDictionary())  # nothing read before counts
    store = open_store(build_dir)
    export_views.projection(store, "followers")
    assert (
        projection_queries.RELATION_QUERIES["partnership"] in read
        and projection_queries.RELATION_QUERIES["participation"] in read
    )
    assert not {projection_queries.RELATION_QUERIES[r] for r in ("deployment", "membership", "succession")} & set(read)
    assert projection_queries.NODE_SCAN not in read


def test_export_help_points_to_a_page_that_exists(capsys):
    """`export --help` says where to read how to open each format: a heading of the README."""
    import re

    code, stdout, _ = cli(["export", "--help"], capsys)
    found = re.search(r'README section "([^"]+)"', " ".join(stdout.split()))
    assert code == 0 and found, stdout
    readme = Path(__file__).resolve().parent.parent / "README.md"
    assert f"### {found.group(1)}\n" in readme.read_text(encoding="utf-8")
