"""Run the `nhskg` command in-process and capture what it printed (shared by the test files)."""

from __future__ import annotations

import pytest

from graph_builder.cli.main import main


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Exit code, standard output and standard error of `nhskg ARGS`."""
    code = 0
    try:
        main(args)
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
