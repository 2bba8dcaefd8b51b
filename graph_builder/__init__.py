"""The NHS digital knowledge graph: build, validate, query and export it.

The package API is what the `nhskg` command wraps; nothing in it prints.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("nhs-dkg")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

__all__ = ["__version__"]
