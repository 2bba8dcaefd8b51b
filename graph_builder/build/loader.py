"""Filling the build's persistent store: bulk-loaded on other threads as parts are written,
or patched graph by graph from the previous build's."""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graph_builder.build import parts
from graph_builder.build.pipeline import Part

LOAD_SLICE = 32 << 20  # bytes of N-Quads per bulk-load call (about 160,000 statements)
LOADERS = 2  # bulk-load calls at a time


def _slices(path: Path) -> Iterator[bytes]:
    """An N-Quads file in slices of about LOAD_SLICE bytes, each ending at a line end."""
    with open(path, "rb") as f:
        rest = b""
        while block := f.read(LOAD_SLICE):
            block = rest + block
            cut = block.rfind(b"\n") + 1
            rest = block[cut:]
            if cut:
                yield block[:cut]
        if rest:
            yield rest


class StoreLoader:
    """Bulk-loads N-Quads files into a persistent store on other threads, as they are given.

    pyoxigraph's bulk loader releases the GIL, so the store fills while Python builds the next
    register. One call keeps its whole input in memory until it ends (1.9 GB for the 4.75M
    statements of the 100,000 set at once), so files go in slices, two calls at a time:
    0.57 GB and 56 s against 1.9 GB and 49-108 s at once, the same store, queries as fast
    (benchmarks/README.md).
    """

    def __init__(self, path: Path, store: Any = None) -> None:
        import pyoxigraph as ox

        self._ox = ox
        self.store = store if store is not None else ox.Store(str(path))
        self._files: queue.Queue[Path | None] = queue.Queue()
        self._slices: queue.Queue[bytes | None] = queue.Queue(maxsize=LOADERS)
        self._failed: list[BaseException] = []
        self._threads = [threading.Thread(target=self._feed, name="nhskg-store-feed", daemon=True)]
        self._threads += [
            threading.Thread(target=self._load, name=f"nhskg-store-{i}", daemon=True) for i in range(LOADERS)
        ]
        for thread in self._threads:
            thread.start()

    def add(self, written: parts.Written) -> None:
        self._files.put(written.nquads)

    def add_file(self, path: Path) -> None:
        self._files.put(path)

    def _feed(self) -> None:
        try:
            for path in iter(self._files.get, None):
                for block in () if self._failed else _slices(path):
                    self._slices.put(block)
        except BaseException as exc:  # handed to the building thread in close()
            self._failed.append(exc)
            for _ in iter(self._files.get, None):  # let close() finish
                pass
        finally:
            for _ in range(LOADERS):
                self._slices.put(None)

    def _load(self) -> None:
        for block in iter(self._slices.get, None):
            if self._failed:
                continue
            try:  # lenient: the quads are the build's own checked terms
                self.store.bulk_load(input=block, format=self._ox.RdfFormat.N_QUADS, lenient=True)
            except BaseException as exc:
                self._failed.append(exc)

    def close(self) -> None:
        self._files.put(None)
        for thread in self._threads:
            thread.join()
        if self._failed:
            raise self._failed[0]
        self.store.flush()
        # Compacted once loaded: a store bulk-loaded in slices holds many overlapping RocksDB
        # files, and the read-only handles that answer questions never compact them. At 100,000
        # organisations the questions answer 2-4x faster for about a minute more of build
        # (benchmarks/README.md, issue 15).
        self.store.optimize()
        del self.store  # closes the database before the folder is renamed


def patch_store(previous: Path, path: Path, rebuilt: list[Part], old: dict[str, dict[str, Any]]) -> None:
    """A copy of the previous store (hard links: `backup`) with the rebuilt graphs replaced."""
    import pyoxigraph as ox

    ox.Store.read_only(str(previous)).backup(str(path))
    store = ox.Store(str(path))
    for part in rebuilt:
        if part.name in old:
            store.remove_graph(ox.NamedNode(part.graph[1:-1]))
    loader = StoreLoader(path, store)
    del store
    for part in rebuilt:
        assert part.nq is not None
        loader.add_file(part.nq.path)
    loader.close()


def load_store(nquads: Path, path: Path) -> None:
    """A new persistent store of the whole graph.nq."""

    loader = StoreLoader(path)
    loader.add_file(nquads)
    loader.close()
