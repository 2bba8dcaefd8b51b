"""The command line itself: one lazy group, option choices from the stages, `validate --whole`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from clirun import run_cli

from graph_builder.cli.main import COMMANDS, cli
from graph_builder.export.model import EXPORT_FORMATS
from graph_builder.export.views import VIEWS
from graph_builder.questions.answers import ANSWER_FORMATS
from graph_builder.store.endpoint import LAYOUTS
from graph_builder.store.push import METHODS
from graph_builder.validate.report import FAIL_ON, REPORT_FORMATS
from graph_builder.validate.shapes import MODES

ENGINES = ("rdflib", "pyshacl", "networkx", "matplotlib", "pyoxigraph", "rich", "httpx")


def _command(name: str) -> click.Command:
    command = cli.get_command(click.Context(cli), name)
    assert command is not None
    return command


def _option(command: str, name: str) -> click.Parameter:
    return next(p for p in _command(command).params if p.name == name)


def test_help_imports_no_engine():
    """`nhskg --help` lists every command without importing one: no engine is loaded."""
    shown = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "graph_builder", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    imported = {line.split("|")[-1].strip().split(".")[0] for line in shown.stderr.splitlines()}
    assert not imported & set(ENGINES), sorted(imported & set(ENGINES))
    assert all(f"  {name} " in shown.stdout for name in COMMANDS)


def test_the_command_list_is_clicks_own(monkeypatch):
    """The list read from the commands' docstrings is the one click makes from the loaded commands."""
    for width in (50, 80, 200):
        monkeypatch.setenv("COLUMNS", str(width))
        lazy = cli.get_help(click.Context(cli, info_name="nhskg"))
        loaded = click.Group("nhskg", commands={name: _command(name) for name in COMMANDS}, params=cli.params)
        loaded.help = cli.help
        loaded.context_settings = cli.context_settings
        assert lazy == loaded.get_help(click.Context(loaded, info_name="nhskg"))


@pytest.mark.parametrize(
    ("command", "option", "stage"),
    [
        ("questions", "fmt", ANSWER_FORMATS),
        ("query", "fmt", ANSWER_FORMATS),
        ("sparql", "fmt", ANSWER_FORMATS),
        ("query", "layout", LAYOUTS),
        ("sparql", "layout", LAYOUTS),
        ("push", "layout", LAYOUTS),
        ("push", "method", METHODS),
        ("validate", "fmt", REPORT_FORMATS),
        ("validate", "fail_on", FAIL_ON),
        ("validate", "shapes_mode", MODES),
    ],
)
def test_each_choice_is_the_stages(command: str, option: str, stage: object):
    """click offers exactly what the stage can do, in its order."""
    choice = _option(command, option).type
    assert isinstance(choice, click.Choice)
    assert tuple(choice.choices) == tuple(stage)  # type: ignore[call-overload]


def test_export_lists_the_stages_formats_and_views():
    """export checks --format and --view itself (a one-line error); its help names every one."""
    assert (
        _option("export", "fmt").help == f"One of {', '.join(EXPORT_FORMATS)} (default: from the suffix of --output)."
    )
    assert _option("export", "view").help == f"One of {', '.join(VIEWS)}."


def test_validate_whole_finds_what_validating_graph_nq_finds(built, tmp_path: Path, capsys):
    build = str(built.out_dir)
    code, _, err = run_cli(
        ["validate", "--whole", "--against", build, "--format", "json", "-o", str(tmp_path / "w.json")], capsys
    )
    assert code == 0, err
    code, _, err = run_cli(
        ["validate", f"{build}/graph.nq", "--against", build, "--format", "json", "-o", str(tmp_path / "f.json")],
        capsys,
    )
    assert code == 0, err
    whole, files = (json.loads((tmp_path / name).read_text(encoding="utf-8")) for name in ("w.json", "f.json"))
    assert whole["results"] and whole["results"] == files["results"]
    assert {k: v for k, v in whole.items() if k != "focus_nodes"} == {
        k: v for k, v in files.items() if k != "focus_nodes"
    }


def test_validate_wants_files_or_whole_not_both(built, capsys):
    build = str(built.out_dir)
    code, _, err = run_cli(["validate", "--against", build], capsys)
    assert (code, err) == (2, "nhskg: Missing argument 'FILES...'. (see 'nhskg validate --help')\n")
    code, _, err = run_cli(["validate", "--whole", f"{build}/graph.nq", "--against", build], capsys)
    assert code == 2 and err.startswith("nhskg: give FILES or --whole, not both"), err
