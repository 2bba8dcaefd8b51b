"""What the README and `--help` point a newcomer to exists in the repository."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import click
import pytest

from graph_builder.cli.main import cli

REPO = Path(__file__).resolve().parent.parent
# Markdown links and back-quoted file names: `docs/design.md`, [x](docs/img/a.png)
_LINK = re.compile(r"\]\(([^)#\s]+)\)")
_NAMED = re.compile(r"`((?:\.\./)?[\w./-]+\.(?:md|png|svg|toml|ttl|rq|csv))`")


def _named_files(text: str) -> set[str]:
    found = {m for m in _LINK.findall(text) if "://" not in m} | set(_NAMED.findall(text))
    # paths only (a bare `ndk.ttl` is named beside its folder), and no placeholders (`queries/NAME.rq`)
    return {name for name in found if "/" in name and not re.search(r"[{*]|\b(NAME|FILE|DIR)\b", name)}


def _help_texts() -> dict[str, str]:
    texts = {"nhskg": cli.get_help(click.Context(cli, info_name="nhskg"))}
    for name, command in cli.commands.items():
        texts[f"nhskg {name}"] = command.get_help(click.Context(command, info_name=name))
    return texts


def test_every_file_the_readme_names_is_in_the_repository():
    missing = sorted(
        name
        for name in _named_files((REPO / "README.md").read_text(encoding="utf-8"))
        if name.startswith("../") or not (REPO / name).exists()
    )
    assert not missing, f"README.md names files a clone does not have: {missing}"


@pytest.mark.parametrize("command", sorted(_help_texts()))
def test_every_file_a_help_text_names_exists(command):
    names = {m for m in re.findall(r"[\w./-]+\.md\b", _help_texts()[command])}
    missing = sorted(name for name in names if not (REPO / name).exists())
    assert not missing, f"`{command} --help` names files that do not exist: {missing}"


def test_the_licence_file_is_the_licence_pyproject_declares():
    declared = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["license"]["text"]
    assert declared == "MIT"
    assert (REPO / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")


def _anchors(page: Path) -> set[str]:
    """GitHub's anchors of a page's headings (outside code blocks)."""
    text = re.sub(r"```.*?```", "", page.read_text(encoding="utf-8"), flags=re.S)
    headings = re.findall(r"^#+ (.*)$", text, flags=re.M)
    return {re.sub(r"[^\w\- ]", "", h.strip().lower()).replace(" ", "-") for h in headings}


@pytest.mark.parametrize("page", ["README.md", *sorted(p.name for p in (REPO / "docs").glob("*.md"))])
def test_every_link_of_the_readme_and_docs_pages_lands(page):
    """The README is a front door to docs/: each link reaches a file, and a heading where it names one."""
    path = REPO / page if page == "README.md" else REPO / "docs" / page
    broken = []
    for link in re.findall(r"\]\(([^)\s]+)\)", path.read_text(encoding="utf-8")):
        target, _, anchor = link.partition("#")
        if "://" in link:
            continue
        found = (path.parent / target).resolve() if target else path
        if not found.exists() or (anchor and found.suffix == ".md" and anchor not in _anchors(found)):
            broken.append(link)
    assert not broken, f"{page} links to what is not there: {broken}"
