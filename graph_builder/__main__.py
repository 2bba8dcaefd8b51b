"""`python -m graph_builder` is the `nhskg` command."""

from graph_builder.cli.main import main

main()
