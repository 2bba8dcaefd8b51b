"""The HTML viewer draws in a real browser: headless Chromium (Debian `chromium`, installed by .ci/run).

Each test exports a view, opens the file in a fresh headless Chromium (its own profile
folder, no network features), and reads the DOM after the page's script ran: the page
sets `data-rendered` (visible nodes) and `data-edges` on <body>. A screenshot of the
follower network is saved in the test's temporary folder (its path is printed).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from graph_builder.export import views as export_views
from graph_builder.export.model import export
from graph_builder.questions.node_facts import add_node_facts
from graph_builder.questions.projection import project
from graph_builder.questions.projection_queries import RELATIONS
from graph_builder.store.embedded import open_store

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        CHROMIUM is None, reason="Debian chromium is not installed (.ci/run installs it: apt-get install chromium)"
    ),
]
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1400,900",
    "--virtual-time-budget=5000",
    "--hide-scrollbars",
]


@pytest.fixture(scope="module")
def build_dir(built) -> Path:
    return built.out_dir


@pytest.fixture(scope="module")
def projection(build_dir):
    store = open_store(build_dir)
    graph = project(store, RELATIONS, every_node=True).copy()
    add_node_facts(graph, store)
    return graph


def chromium(tmp_path: Path, url: str, *extra: str) -> str:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    assert CHROMIUM is not None
    done = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *extra, url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def dom(tmp_path: Path, page: Path, fragment: str = "") -> str:
    return chromium(tmp_path, page.resolve().as_uri() + fragment, "--dump-dom")


def body_number(html: str, name: str) -> int:
    found = re.search(rf'<body[^>]*\b{name}="(\d+)"', html)
    assert found, f"<body> has no {name}: the page's script did not run"
    return int(found.group(1))


def visible(html: str, tag: str, css: str) -> int:
    return sum(
        1
        for attrs in re.findall(rf"<{tag} ([^>]*)>", html)
        if re.search(rf'class="{css}(?: [^"]*)?"', attrs) and "hidden" not in attrs
    )


def test_followers_view_draws_every_node_and_a_screenshot(build_dir, projection, tmp_path):
    page = tmp_path / "followers.html"
    export(build_dir, "html", page, "followers")
    want = export_views.select(projection, "followers")
    html = dom(tmp_path, page)
    assert body_number(html, "data-rendered") == want.number_of_nodes() == 40
    assert body_number(html, "data-edges") == want.number_of_edges() == 14
    assert visible(html, "circle", "node") == 40 and visible(html, "line", "edge") == 14
    assert "acute trust (25)" in html and "partnership (proposed) (6)" in html  # the legend
    shot = tmp_path / "followers-screenshot.png"
    chromium(tmp_path, page.resolve().as_uri(), f"--screenshot={shot}")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    print(f"screenshot: {shot}")


def test_as_of_opens_at_that_date(build_dir, projection, tmp_path):
    page = tmp_path / "followers-2018.html"
    export(build_dir, "html", page, "followers", "2018-01-01")
    want = export_views.select(projection, "followers", date(2018, 1, 1))
    html = dom(tmp_path, page)
    assert body_number(html, "data-rendered") == want.number_of_nodes()
    assert body_number(html, "data-edges") == want.number_of_edges() < 14
    later = dom(tmp_path, page, "#date=2024-12-31")  # the slider's date, from the address
    assert (
        body_number(later, "data-edges")
        == export_views.select(projection, "followers", date(2024, 12, 31)).number_of_edges()
    )


def test_a_selected_node_shows_its_facts_and_sources(build_dir, tmp_path):
    page = tmp_path / "followers.html"
    export(build_dir, "html", page, "followers")
    html = dom(tmp_path, page, "#select=RQ6")
    details = html[html.index('id="details"') :]
    assert "Liverpool" in details and "RQ6" in details
    assert "partnership" in details and "REP" in details and "RVW" in details  # its followers
    assert "dhn-ff18" in details and "18 nhs hospital fast followers named" in details  # a source, with its title


def test_search_by_name_or_code(build_dir, tmp_path):
    page = tmp_path / "followers.html"
    export(build_dir, "html", page, "followers")
    html = dom(tmp_path, page, "#q=sheffield")
    matches = html[html.index('id="matches"') : html.index("</ol>", html.index('id="matches"'))]
    assert "TAH" in matches
    assert 'class="node match"' in html


def test_systems_view_draws_and_is_offline(build_dir, projection, tmp_path):
    page = tmp_path / "systems.html"
    export(build_dir, "html", page, "systems")
    text = page.read_text(encoding="utf-8")
    assert "<script src" not in text and "<link " not in text and "default-src 'none'" in text
    html = dom(tmp_path, page)
    assert body_number(html, "data-rendered") == export_views.select(projection, "systems").number_of_nodes()


CYTOSCAPE = Path(__file__).parent / "vendor" / "cytoscape-3.34.4.min.js"
"""cytoscape.js 3.34.4 (MIT, its licence is at the head of the file), as published on npm (`npm pack
cytoscape@3.34.4`, dist/cytoscape.min.js): the viewer draws with its own script, so the Cytoscape JSON
is loaded here into the library its users load it into."""


def test_cytoscape_js_loads_every_node_and_edge_of_every_view(build_dir, tmp_path):
    """cytoscape.js drops an element whose id another element already has: count what it keeps."""
    import json

    docs = {}
    for view in export_views.VIEWS:
        out = tmp_path / f"{view}.cyjs"
        export(build_dir, "cyjs", out, view)
        docs[view] = json.loads(out.read_text(encoding="utf-8"))
    payload = json.dumps({v: d["elements"] for v, d in docs.items()}).replace("</", "<\\/")
    page = tmp_path / "cytoscape.html"
    page.write_text(
        f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<script src="{CYTOSCAPE.resolve().as_uri()}"></script></head><body>
<script type="application/json" id="docs">{payload}</script>
<script>
var docs = JSON.parse(document.getElementById("docs").textContent), counts = {{}};
Object.keys(docs).forEach(function (view) {{
  var cy = cytoscape({{headless: true, elements: docs[view]}});
  counts[view] = [cy.nodes().length, cy.edges().length];
}});
document.body.setAttribute("data-counts", JSON.stringify(counts));
</script></body></html>""",
        encoding="utf-8",
    )
    html = dom(tmp_path, page)
    found = re.search(r'data-counts="([^"]*)"', html)
    assert found, "cytoscape.js did not run"
    counts = json.loads(found.group(1).replace("&quot;", '"'))
    for view, doc in docs.items():
        written = [len(doc["elements"]["nodes"]), len(doc["elements"]["edges"])]
        assert counts[view] == written, f"{view}: cytoscape.js kept {counts[view]} of {written} (nodes, edges)"


def test_areas_view_says_when_memberships_hold_and_a_screenshot(build_dir, tmp_path):
    """Memberships are snapshots: on a date between them the page says so and offers the periods."""
    page = tmp_path / "areas.html"
    export(build_dir, "html", page, "areas")
    html = dom(tmp_path, page, "#date=2019-06-01")
    assert body_number(html, "data-edges") == 0
    periods = html[html.index('id="periods"') : html.index("</ul>", html.index('id="periods"'))]
    assert re.findall(r'data-date="([\d-]+)"', periods) == ["2017-04-01", "2021-04-01", "2023-04-01"]
    assert "2017-04-01 to 2018-03-31" in periods and "2023-04-01 to 2023-06-30" in periods
    assert "No membership held on 2019-06-01" in html
    inside = dom(tmp_path, page, "#date=2021-06-01")
    assert body_number(inside, "data-edges") > 0 and "No membership held" not in inside
    shot = tmp_path / "areas-screenshot.png"
    chromium(tmp_path, page.resolve().as_uri() + "#date=2019-06-01", f"--screenshot={shot}")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    print(f"screenshot: {shot}")
