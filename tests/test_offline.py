"""Nothing fetched: build, validate, query, sparql, export and docs make no network connection
and open no file outside their inputs, their output, the package's resources and Python's
own install.

Each command runs in a process of its own (an audit hook cannot be removed) under
tests/offline_driver.py, which reports every `open`, socket, urllib and process-start
audit event outside the allowed places; the processes run at once, two cores at a time.
The one exception allowed is matplotlib's own cache and configuration folders and the
system's fonts, which the picture exports (png, svg) read through matplotlib.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
DRIVER = Path(__file__).with_name("offline_driver.py")
COMMANDS = ("build", "validate", "query", "sparql", "export", "docs")
EXPORTED = ("graphml", "cyjs", "dot", "html", "svg", "jsonld")  # one format of each writer module


def matplotlib_places() -> list[str]:
    import matplotlib
    from matplotlib import font_manager

    home = Path.home()
    return [
        matplotlib.get_cachedir(),
        matplotlib.get_configdir(),
        *font_manager.X11FontDirectories,
        str(home / ".fonts"),
        str(home / ".local" / "share" / "fonts"),
        "/usr/share/fonts",
        "/usr/local/share/fonts",
        "/etc/fonts",
    ]


def drive(name: str, allowed: list[str], commands: list[list[str]], work: Path) -> tuple[int, str, str]:
    """Run the commands under the audit hook, in `work`: (exit status, stdout, stderr)."""
    listing = work / f"allowed-{name}.json"
    listing.write_text(json.dumps(allowed), encoding="utf-8")
    args: list[str] = []
    for command in commands:
        args += [*(["++"] if args else []), *command]
    done = subprocess.run(
        [sys.executable, str(DRIVER), str(listing), "--", *args],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    return done.returncode, done.stdout, done.stderr


@pytest.fixture(scope="module")
def runs(built, tmp_path_factory) -> dict[str, tuple[int, str, str]]:
    """Every command under the hook, two processes at a time; results by command name."""
    work = tmp_path_factory.mktemp("offline")
    build_dir = str(built.out_dir)
    submission = work / "submission"
    submission.mkdir()
    (submission / "partnerships.csv").write_text(
        "follower,exemplar,programme,status,start,end,source,note\n"
        "RAP,RAL,global-digital-exemplar,confrmed,2017-09,,dhn-nmuh,\n",
        encoding="utf-8",
    )
    (submission / "submitted.ttl").write_text(
        '<https://w3id.org/nhs-dkg/id/org/RAL> <https://w3id.org/nhs-dkg/def#odsCode> "RAX" .\n', encoding="utf-8"
    )
    files = sorted(str(p) for p in submission.iterdir())
    plans: dict[str, tuple[list[str], list[list[str]]]] = {
        "build": ([str(work / "built")], [["build", "--out", str(work / "built" / "out")]]),
        "validate": (
            [build_dir, str(submission), str(work / "reports")],
            [
                [
                    "validate",
                    *files,
                    "--against",
                    build_dir,
                    "--format",
                    "json",
                    "-o",
                    str(work / "reports" / "report.json"),
                ]
            ],
        ),
        "query": (
            [build_dir],
            [
                ["query", "organisation", "-p", "code=RAL", "--build", build_dir],
                ["query", "who-follows-whom", "--as-of", "2018-01-31", "--build", build_dir],
                ["query", "shortest-path", "-p", "from=RVW", "-p", "to=REP", "--build", build_dir],
                ["questions"],
            ],
        ),
        "sparql": (
            [build_dir],
            [
                ["sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", "--build", build_dir],
                [
                    "sparql",
                    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5",
                    "--build",
                    build_dir,
                    "--format",
                    "json",
                ],
            ],
        ),
        "export": (
            [build_dir, str(work / "exports"), *matplotlib_places()],
            [
                [
                    "export",
                    "-o",
                    str(work / "exports" / f"followers.{fmt}"),
                    "--view",
                    "followers",
                    "--build",
                    build_dir,
                ]
                for fmt in EXPORTED
            ],
        ),
        "docs": ([str(work / "site")], [["docs", "-o", str(work / "site")]]),
    }
    for folder in ("built", "reports", "exports"):
        (work / folder).mkdir()
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {
            name: pool.submit(drive, name, [*allowed, str(work)], commands, work)
            for name, (allowed, commands) in plans.items()
        }
        return {name: future.result() for name, future in futures.items()}


@pytest.mark.parametrize("command", COMMANDS)
def test_nothing_is_fetched_or_opened_elsewhere(command, runs):
    code, _, err = runs[command]
    forbidden = [line for line in err.splitlines() if line.startswith("FORBIDDEN")]
    assert forbidden == [], "\n".join(forbidden)
    expected = 1 if command == "validate" else 0  # the submission has violations on purpose
    assert code == expected, err[-2000:]
    assert "Traceback" not in err


def test_the_outputs_were_written(runs, built, tmp_path_factory):
    """The commands ran for real (the hook did not stop them early)."""
    assert runs["query"][1].count("(") >= 3 and "RAL" in runs["query"][1]
    assert "Built " in runs["build"][1]
    assert "wrote 14 pages" in runs["docs"][1] or "pages to" in runs["docs"][1]
    assert runs["export"][1].count("wrote ") == len(EXPORTED)


# --- the hook itself sees what it must: otherwise the tests above would prove nothing ------------


def test_the_hook_reports_a_network_attempt(built, tmp_path):
    code, _, err = drive(
        "network", [str(tmp_path)], [["query", "exemplars", "--endpoint", "http://127.0.0.1:9"]], tmp_path
    )
    assert code != 0 and any(line.startswith(("FORBIDDEN socket.", "FORBIDDEN urllib.")) for line in err.splitlines())


def test_the_hook_reports_a_file_outside_the_allowed_places(built, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "q.rq").write_text("ASK { ?s ?p ?o }", encoding="utf-8")
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    code, _, err = drive(
        "elsewhere",
        [str(allowed), str(built.out_dir)],
        [["sparql", str(elsewhere / "q.rq"), "--build", str(built.out_dir)]],
        allowed,
    )
    assert code == 0 and f"FORBIDDEN open {elsewhere / 'q.rq'}" in err.splitlines(), err
