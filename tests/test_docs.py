"""`nhskg docs`: the ontology and shape pages build, link up, and show every rule with its example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS

from graph_builder.cli.main import main
from graph_builder.core import resources
from graph_builder.core.errors import UsageError
from graph_builder.docs.site import build_pages, write_docs

SH = "http://www.w3.org/ns/shacl#"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("docs") / "site"
    write_docs(out)
    return out


@pytest.fixture(scope="module")
def shapes() -> Graph:
    graph = Graph()
    for path in sorted(resources.resource_dir("shapes").glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def test_index_links_to_every_page_and_every_link_resolves(site):
    pages = {p.name: p.read_text(encoding="utf-8") for p in site.glob("*.html")}
    shape_files = sorted(resources.resource_dir("shapes").glob("*.ttl"))
    assert set(pages) == {"index.html", "ontology.html"} | {f"shapes-{p.stem}.html" for p in shape_files}
    for name in pages:
        if name != "index.html":
            assert f'href="{name}"' in pages["index.html"], name
    ids = {name: set(re.findall(r'id="([^"]+)"', text)) for name, text in pages.items()}
    for name, text in pages.items():
        for target, fragment in re.findall(r'href="([^"#:]+\.html)(?:#([^"]*))?"', text):
            assert target in pages, f"{name} links to missing {target}"
            if fragment:
                assert fragment in ids[target], f"{name} links to {target}#{fragment}, which has no such id"


def test_ontology_page_describes_every_class_and_property(site):
    ontology = Graph()
    for path in resources.ontology_files():
        ontology.parse(path, format="turtle")
    text = (site / "ontology.html").read_text(encoding="utf-8")
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty):
        for term in ontology.subjects(RDF.type, kind):
            if str(term).startswith("https://w3id.org/nhs-dkg/def#"):
                label = str(ontology.value(term, RDFS.label))
                assert label.replace("'", "&#x27;") in text, term
                assert f'id="ndk-{str(term).rsplit("#", 1)[1]}"' in text, term
    assert "Organisation types" in text  # a concept scheme, with its concepts
    assert "acute-trust" in text


def test_every_rule_is_shown_with_severity_message_and_an_example_where_one_can_be_made(site, shapes):
    text = "".join(p.read_text(encoding="utf-8") for p in site.glob("shapes-*.html"))
    rules = set(shapes.objects(None, shapes.namespace_manager.expand_curie("sh:property")))
    rules |= set(shapes.objects(None, shapes.namespace_manager.expand_curie("sh:sparql")))
    shown = text.count('<div class="rule"')
    assert shown >= len(rules) > 100
    assert text.count('class="sev sev-') == shown
    assert text.count("<th>message</th>") >= shown
    examples = text.count("A failing submission")
    assert examples >= 100, f"only {examples} rules have a proven example"
    assert text.count("The report says:") == examples
    assert "sev-Warning" in text and "sev-Violation" in text


def test_a_core_rule_has_a_proven_example(site):
    text = (site / "shapes-partnerships.html").read_text(encoding="utf-8")
    rule = text[text.index('id="nsh-Partnership-follower"') :]
    rule = rule[: rule.index("</div>")]
    assert "ndk:Partnership" in rule and "A failing submission" in rule
    assert "Set follower to one ODS code" in rule  # the message pySHACL reported for the example


def test_pages_are_deterministic():
    assert build_pages() == build_pages()


def test_docs_refuses_a_folder_it_did_not_write(tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.txt").write_text("precious")
    with pytest.raises(UsageError, match="holds no previous docs"):
        write_docs(mine)
    assert (mine / "thesis.txt").read_text() == "precious"
    try:
        main(["docs", "-o", str(mine)])
    except SystemExit as exc:
        assert exc.code == 2
    assert "holds no previous docs" in capsys.readouterr().err


def test_cli_docs_writes_and_rewrites(tmp_path, capsys):
    out = tmp_path / "site"
    for _ in range(2):  # the second run replaces the first
        try:
            main(["docs", "-o", str(out)])
        except SystemExit as exc:
            assert exc.code in (0, None)
        assert "index.html" in capsys.readouterr().out
    assert (out / "index.html").is_file() and not list(tmp_path.glob(".site*"))
