"""The `nhskg` command: parses arguments, calls one function of a stage, renders its result."""
