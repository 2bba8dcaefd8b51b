"""The `nhskg` command: the group, the options its commands share, and the one place errors
are rendered (`main`): each error carries its exit code (core/errors.py); anything else is a
bug and exits 3 with a one-line message (the traceback only with `--verbose`).

Each command lives in a module of its own (build, ask, validate, export, store, docs) that
imports its stage; the group loads a command's module only when that command runs
(click's lazy group), and lists the commands from their docstrings without loading any,
so `nhskg --help` imports no engine.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from graph_builder import __version__
from graph_builder.core.errors import InputError, NhskgError, UsageError

if TYPE_CHECKING:
    from click.decorators import FC

COMMANDS = {
    "build": "graph_builder.cli.build.build_command",
    "docs": "graph_builder.cli.docs.docs_command",
    "export": "graph_builder.cli.export.export_command",
    "push": "graph_builder.cli.store.push_command",
    "query": "graph_builder.cli.ask.query_command",
    "questions": "graph_builder.cli.ask.questions_command",
    "serve": "graph_builder.cli.store.serve_command",
    "sparql": "graph_builder.cli.ask.sparql_command",
    "validate": "graph_builder.cli.validate.validate_command",
}
"""Each command and the click command object that is it (module.name), imported when used."""


class LazyGroup(click.Group):
    """click's lazy group ("Defining the lazy group" in click's documentation): a command's
    module is imported when the command is looked up. The command list of `--help` is made
    from the commands' docstrings, read from source, so that it imports none of them."""

    def __init__(self, *args: Any, lazy_subcommands: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lazy_subcommands = lazy_subcommands or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return super().list_commands(ctx) + sorted(self.lazy_subcommands)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_subcommands:
            return self._lazy_load(cmd_name)
        return super().get_command(ctx, cmd_name)

    def _lazy_load(self, cmd_name: str) -> click.Command:
        module_name, name = self.lazy_subcommands[cmd_name].rsplit(".", 1)
        command = getattr(importlib.import_module(module_name), name)
        if not isinstance(command, click.Command):
            raise TypeError(f"{self.lazy_subcommands[cmd_name]} is not a click command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list, as click writes it, each command's short help from its docstring."""
        names = self.list_commands(ctx)
        if not names:
            return
        limit = formatter.width - 6 - max(len(name) for name in names)
        # a stand-in command of the same help, shortened as click shortens it
        rows = [
            (name, click.Command(name, help=self.command_docstring(ctx, name)).get_short_help_str(limit))
            for name in names
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def command_docstring(self, ctx: click.Context, cmd_name: str) -> str:
        """A command's docstring, read from its module's source without importing it."""
        if cmd_name not in self.lazy_subcommands:
            command = super().get_command(ctx, cmd_name)
            return (command.help if command is not None else None) or ""
        module_name, name = self.lazy_subcommands[cmd_name].rsplit(".", 1)
        spec = importlib.util.find_spec(module_name)
        if spec is None or spec.origin is None:
            raise ModuleNotFoundError(module_name)
        tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
        found = (n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == name)
        return ast.get_docstring(next(found)) or ""


@click.group(cls=LazyGroup, lazy_subcommands=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="nhskg")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
@click.option("-v", "--verbose", is_flag=True, help="Explain each step; show tracebacks of internal errors.")
@click.pass_context
def cli(ctx: click.Context, quiet: bool, verbose: bool) -> None:
    """The NHS digital knowledge graph.

    Exit codes: 0 ok, 1 validation found violations, 2 bad input or usage, 3 internal error,
    4 a SPARQL server failed.
    """
    ctx.obj = {"quiet": quiet, "verbose": verbose}


def _in_a_folder(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """An output's folder must exist: a mistyped path is refused, not created."""
    if value is None or value.absolute().parent.is_dir():
        return value
    if value.absolute().parent.exists():
        raise UsageError(f"{value}: cannot be written ({value.parent} is not a folder)")
    raise UsageError(f"{value}: the folder {value.parent} does not exist; create it first or correct the path")


def output_option(metavar: str, what: str, *aliases: str, **kwargs: Any) -> Callable[[FC], FC]:
    """-o/--output, the one spelling of every command's output (build keeps --out as an alias)."""
    return click.option(
        "--output",
        "-o",
        *aliases,
        "output",
        type=click.Path(path_type=Path),
        metavar=metavar,
        callback=_in_a_folder,
        help=what,
        **kwargs,
    )


build_option = click.option(
    "--build",
    "build_dir",
    type=click.Path(path_type=Path),
    default=Path("build"),
    show_default=True,
    help="Build folder made by `nhskg build` (its store/ is opened read-only; else graph.nq is loaded).",
)
timeout_option = click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds a query may run before it is stopped (exit 2).",
)


def count(n: int, thing: str) -> str:
    """`1 violation`, `2 violations`."""
    return f"{n:,} {thing}{'' if n == 1 else 's'}"


WRITERS = ("build", "export", "docs")
"""The commands that write files (and validate with -o)."""


def _writes(argv: list[str]) -> bool:
    """Whether the command would have written something (the group's options are all flags)."""
    command = next((a for a in argv if not a.startswith("-")), "")
    output = any(a in ("-o", "--output") or a.startswith(("-o", "--output=")) for a in argv)
    return command in WRITERS or (command == "validate" and output)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script."""
    verbose = "-v" in (argv or sys.argv) or "--verbose" in (argv or sys.argv)
    try:
        cli.main(args=argv, prog_name="nhskg", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("nhskg: aborted", err=True)
        sys.exit(2)
    except click.ClickException as exc:
        # One line, like every other error: click's own rendering spans several.
        hint = ""
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            hint = f" (see '{exc.ctx.command_path} --help')"
        click.echo(f"nhskg: {exc.format_message()}{hint}", err=True)
        sys.exit(2)
    except InputError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        written = "; nothing was written" if _writes(argv if argv is not None else sys.argv[1:]) else ""
        click.echo(f"nhskg: {count(len(exc.problems), 'problem')}{written}", err=True)
        sys.exit(exc.exit_code)
    except NhskgError as exc:
        click.echo(f"nhskg: {exc}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("nhskg: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:
        if verbose:
            raise
        message = f"nhskg: internal error: {type(exc).__name__}: {exc}"
        click.echo(f"{message} (run with --verbose for the traceback)", err=True)
        sys.exit(3)
