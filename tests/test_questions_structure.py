"""One definition of an exemplar, read alike by the analyses, the followers view and the
funding check. (Import cycles and module sizes: tests/test_architecture.py, for every stage.)"""

from __future__ import annotations

from datetime import date

from graph_builder.export import views
from graph_builder.questions import exemplars as exemplar_rules
from graph_builder.questions.projection import project
from graph_builder.store.embedded import open_store


def test_the_followers_view_the_analyses_and_the_funding_check_count_the_same_exemplars(built):
    store = open_store(built.out_dir)
    graph = project(store, ("partnership", "participation"))
    for day in (date(2016, 12, 31), date(2018, 1, 31), None):
        view = views.select(views.projection(store, "followers"), "followers", day)
        shown = {n for n, d in view.nodes(data=True) if "exemplar" in str(d.get("role", "")).split(";")}
        assert shown == set(exemplar_rules.exemplars(graph, day)), day
    exemplar_roles = {data["role"] for _, data in exemplar_rules.exemplar_participations(graph)}
    assert exemplar_roles == set(exemplar_rules.EXEMPLAR_ROLES)
    assert set(exemplar_rules.COUNTED_ROLES) & exemplar_roles == {"exemplar"}  # a joint exemplar shares a place


def test_nodes_read_one_by_one_in_values_blocks_or_all_at_once_are_the_same(built, monkeypatch):
    """A projection's nodes (kind, label, code) whichever way `node_rows` reads them."""
    import weakref

    from graph_builder.questions import projection, projection_queries

    relations = ("partnership", "participation", "deployment", "supplied-by", "authorship")

    def nodes(few: int, many: int, batch: int) -> dict[str, dict]:
        monkeypatch.setattr(projection_queries, "FEW_NODES", few)
        monkeypatch.setattr(projection_queries, "MANY_NODES", many)
        monkeypatch.setattr(projection_queries, "BATCH", batch)
        monkeypatch.setattr(projection, "_PARTS", weakref.WeakKeyDictionary())
        graph = project(open_store(built.out_dir), relations)
        return {n: {k: d[k] for k in ("kind", "label", "code")} for n, d in graph.nodes(data=True)}

    one_by_one = nodes(10**9, 10**9, 1000)
    assert len(one_by_one) > 100 and {"system", "programme"} <= {d["kind"] for d in one_by_one.values()}
    assert nodes(0, 10**9, 7) == one_by_one  # VALUES blocks of 7
    assert nodes(0, 0, 1000) == one_by_one  # every node read, some kept
