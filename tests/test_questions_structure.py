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
