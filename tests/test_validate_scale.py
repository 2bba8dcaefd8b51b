"""validate --whole at scale: the store, batches, workers and direct SPARQL constraints
give exactly pySHACL's results on the whole graph (the shipped build; benchmarks/ at 10k)."""

from __future__ import annotations

from pathlib import Path

from rdflib import URIRef

from graph_builder.validate import findings
from graph_builder.validate import run as validating
from graph_builder.validate.context import as_graph, quiet_rdflib, run_pyshacl
from graph_builder.validate.whole import validate_whole


def _keys(report: findings.Report) -> list[tuple[str | None, ...]]:
    return sorted(
        ((r.severity, r.focus, r.path, r.shape, r.value, r.message, r.source) for r in report.results),
        key=lambda key: [str(k) for k in key],
    )


def test_whole_graph_in_batches_equals_pyshacl_on_the_whole_graph(built):
    reference = validating.load_reference(built.out_dir)
    shapes = validating.load_shapes()
    steps: list[tuple[str, int, int | None]] = []
    batched = validate_whole(reference, shapes, processes=2, batch=700, progress=lambda *step: steps.append(step))
    phases: dict[str, list[tuple[int, int | None]]] = {}
    for what, done, total in steps:
        phases.setdefault(what, []).append((done, total))
    assert len(steps) > 1 and "running the compiled checks" in phases
    for seen in phases.values():  # told each step of each phase done, out of all of them
        assert [done for done, _ in seen] == list(range(1, len(seen) + 1))
        assert {total for _, total in seen} == {len(seen)}
    store = reference.store()
    with quiet_rdflib():
        data = as_graph(reference.with_submission([], set()).everything())
        results = run_pyshacl(data, shapes.base, shapes.resolve(store, None))
        everything = {s for s in data.subjects() if isinstance(s, URIRef)}
        whole = findings.report(results, data, shapes.graph, everything, {}, ["graph.nq"], shapes.counts())
    assert _keys(batched) == _keys(whole)
    assert batched.focus_nodes == whole.focus_nodes
    assert len(batched.graph) == len(whole.graph)


def test_the_reference_is_read_only_when_needed(built, tmp_path):
    """load_reference parses nothing: the store is opened (read-only) and the registers read on first use."""
    reference = validating.load_reference(built.out_dir)
    assert reference._store is None and reference._context is None
    assert len(reference.ontology) > 100
    assert reference.persistent


def test_direct_constraints_are_most_of_the_shipped_ones():
    shapes = validating.load_shapes()
    assert len(shapes.direct()) >= 40


def test_a_folder_without_a_build_is_refused(tmp_path: Path):
    import pytest

    from graph_builder.core.errors import UsageError

    with pytest.raises(UsageError, match="run nhskg build first"):
        validating.load_reference(tmp_path)
