"""Where the nodes of a view go: a deterministic layout, computed once per export.

Only the formats that draw positions (GraphML, GEXF, Cytoscape, HTML, the pictures) ask
for it. Each connected component is laid out by a force-directed (Fruchterman-Reingold)
pass from a fixed seed, and the components are packed in rows, largest first, with single
nodes in a tidy grid at the end.

Up to `LARGE` nodes the force is exact (every pair of nodes repels: quadratic time and
memory, so the shipped views look as they always have). Above it, components of up to
`EXACT` nodes keep the exact force and larger ones get `_spread`: the same forces with the
repulsion read off a grid (the nodes' density convolved with the 1/r field by FFT, as a
particle-mesh code does) and a bounded number of iterations, so time and memory grow
linearly with the nodes and edges (about 3 s for 100,000 nodes).
"""

from __future__ import annotations

import math
from typing import Any


def layout(
    nodes: list[str], edges: list[tuple[str, str]], width: float = 1000.0, seed: int = 7
) -> dict[str, tuple[float, float]]:
    """Positions (x right, y down, in 0..width) for nodes joined by edges; deterministic."""
    if len(nodes) > LARGE:
        return _layout_large(nodes, edges, width, seed)
    neighbours: dict[str, set[str]] = {n: set() for n in nodes}
    for u, v in edges:
        if u != v and u in neighbours and v in neighbours:
            neighbours[u].add(v)
            neighbours[v].add(u)
    parts = _components(sorted(nodes), neighbours)
    placed: list[tuple[list[str], dict[str, tuple[float, float]], float]] = []
    singles = [p[0] for p in parts if len(p) == 1]
    for part in (p for p in parts if len(p) > 1):
        local = _force(part, neighbours, seed)
        radius = max(math.hypot(px, py) for px, py in local.values()) + 15.0
        placed.append((part, local, radius))
    positions: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    gap = 40.0  # between rows; across, a component has room for labels on its right
    area = sum((2 * r + 4 * gap) * (2 * r + gap) for *_, r in placed) + len(singles) * _CELL[0] * _CELL[1]
    shelf = max(math.sqrt(area * 4 / 3), max((2 * r for *_, r in placed), default=0.0))
    for _part, local, radius in placed:
        if x and x + 2 * radius > shelf + gap:
            x, y, row_height = 0.0, y + row_height + gap, 0.0
        for node, (px, py) in local.items():
            positions[node] = (x + radius + px, y + radius + py)
        x += 2 * radius + 4 * gap
        row_height = max(row_height, 2 * radius)
    if singles:
        y = y + row_height + gap if positions else 0.0
        per_row = max(1, int(shelf // _CELL[0]))
        for i, node in enumerate(singles):
            positions[node] = (20.0 + _CELL[0] * (i % per_row), y + 20.0 + _CELL[1] * (i // per_row))
    return _fit(positions, width)


def _components(nodes: list[str], neighbours: dict[str, set[str]]) -> list[list[str]]:
    seen: set[str] = set()
    parts = []
    for start in nodes:
        if start in seen:
            continue
        part, stack = [], [start]
        seen.add(start)
        while stack:
            node = stack.pop()
            part.append(node)
            for other in sorted(neighbours[node] - seen):
                seen.add(other)
                stack.append(other)
        parts.append(sorted(part))
    return sorted(parts, key=lambda p: (-len(p), p[0]))


_CELL = (150.0, 60.0)
"""Room for a node without edges (with its label) in the grid below the components."""
EDGE_LENGTH = 45.0
"""The ideal edge length of the force-directed layout, in layout units before fitting."""


def _force(
    part: list[str], neighbours: dict[str, set[str]], seed: int, iterations: int = 200
) -> dict[str, tuple[float, float]]:
    """Fruchterman-Reingold from seeded random positions, centred on (0, 0)."""
    import numpy as np

    index = {n: i for i, n in enumerate(part)}
    pairs = [(index[node], index[other]) for node in part for other in neighbours[node]]
    ends = np.array(pairs, dtype=np.int64).reshape(-1, 2)
    pos = _exact(len(part), ends[:, 0], ends[:, 1], seed, iterations)
    return {node: (float(pos[index[node], 0]), float(pos[index[node], 1])) for node in part}


def _exact(count: int, u: Any, v: Any, seed: int, iterations: int = 200) -> Any:
    """Fruchterman-Reingold with every pair repelling (quadratic): an array of positions
    centred on (0, 0) for nodes 0..count-1 joined by the edges u[i]-v[i]."""
    import numpy as np

    rng = np.random.default_rng(seed)
    pos = rng.uniform(-1.0, 1.0, size=(count, 2))
    adjacency = np.zeros((count, count))
    adjacency[u, v] = 1.0
    adjacency[v, u] = 1.0
    radius = EDGE_LENGTH * math.sqrt(count) / 2
    pos = pos * radius / max(float(np.abs(pos).max()), 1.0)
    k = EDGE_LENGTH
    temperature = radius / 2
    np.fill_diagonal(adjacency, 0.0)
    for _ in range(iterations):
        dx = pos[:, 0, None] - pos[None, :, 0]
        dy = pos[:, 1, None] - pos[None, :, 1]
        squared = np.maximum(dx * dx + dy * dy, 1e-4)
        coefficient = k * k / squared - adjacency * np.sqrt(squared) / k
        move = np.stack(((coefficient * dx).sum(axis=1), (coefficient * dy).sum(axis=1)), axis=1)
        length = np.maximum(np.hypot(move[:, 0], move[:, 1]), 0.01)[:, None]
        pos += move / length * np.minimum(length, temperature)
        pos -= pos.mean(axis=0)
        temperature *= 0.97
    return pos


LARGE = 2_000
"""Views with more nodes than this are laid out by `_layout_large` (linear per iteration)."""
EXACT = 300
"""In a large view, components up to this size still get the exact (quadratic) force."""
SPREAD_ITERATIONS = 120
"""Iterations of the grid-accelerated force (`_spread`) for a large component."""
GRID = 256
"""Cells across the grid on which `_spread` computes the repulsion (at most)."""
NEAR = 6
"""`_spread` also repels each node exactly from the next NEAR nodes of its grid cell (in x order)."""


def _layout_large(
    nodes: list[str], edges: list[tuple[str, str]], width: float, seed: int
) -> dict[str, tuple[float, float]]:
    """`layout` for a large view, on integer arrays: the same packing of components as for a
    small one; components above `EXACT` nodes laid out by `_spread`."""
    import numpy as np

    names = sorted(nodes)
    index = {n: i for i, n in enumerate(names)}
    count = len(names)
    pairs = np.fromiter(
        (x for a, b in edges if a != b and a in index and b in index for x in (index[a], index[b])), dtype=np.int64
    ).reshape(-1, 2)
    keys = np.unique(pairs.min(axis=1) * count + pairs.max(axis=1))  # each pair once, either way round
    u, v = keys // count, keys % count
    labels = _component_labels(count, u, v)
    by_label = np.argsort(labels, kind="stable")  # members of a component in name order
    roots, starts, sizes = np.unique(labels[by_label], return_index=True, return_counts=True)
    order = np.lexsort((roots, -sizes))  # largest first, then by the first name, as `_components`
    edge_label = labels[u]
    edge_order = np.argsort(edge_label, kind="stable")
    edge_roots, edge_starts, edge_counts = np.unique(edge_label[edge_order], return_index=True, return_counts=True)
    edge_slices = {int(r): (int(s), int(c)) for r, s, c in zip(edge_roots, edge_starts, edge_counts, strict=True)}
    local_index = np.empty(count, dtype=np.int64)
    xy = np.zeros((count, 2))
    placed: list[tuple[Any, Any, float]] = []
    singles: list[int] = []
    for c in order:
        members = by_label[starts[c] : starts[c] + sizes[c]]
        if sizes[c] == 1:
            singles.append(int(members[0]))
            continue
        local_index[members] = np.arange(len(members))
        first, many = edge_slices[int(roots[c])]
        chosen = edge_order[first : first + many]
        lu, lv = local_index[u[chosen]], local_index[v[chosen]]
        if len(members) == 2:  # where the force would settle them: an edge length apart
            local = np.array([[-EDGE_LENGTH / 2, 0.0], [EDGE_LENGTH / 2, 0.0]])
        else:
            local = (_exact if len(members) <= EXACT else _spread)(len(members), lu, lv, seed)
        radius = float(np.hypot(local[:, 0], local[:, 1]).max()) + 15.0
        placed.append((members, local, radius))
    _pack_on_shelves(xy, placed, singles)
    span = max(float(np.ptp(xy[:, 0])), 1.0)
    fitted = np.round((xy - xy.min(axis=0)) * (width / span) + 20.0, 1)
    return dict(zip(names, zip(fitted[:, 0].tolist(), fitted[:, 1].tolist(), strict=True), strict=True))


def _pack_on_shelves(xy: Any, placed: list[tuple[Any, Any, float]], singles: list[int]) -> None:
    """Place the laid-out components on shelves, largest first, then the lone nodes on a grid
    below them (into `xy`, a row per node)."""
    import numpy as np

    x = y = row_height = 0.0
    gap = 40.0
    area = sum((2 * r + 4 * gap) * (2 * r + gap) for *_, r in placed) + len(singles) * _CELL[0] * _CELL[1]
    shelf = max(math.sqrt(area * 4 / 3), max((2 * r for *_, r in placed), default=0.0))
    for members, local, radius in placed:
        if x and x + 2 * radius > shelf + gap:
            x, y, row_height = 0.0, y + row_height + gap, 0.0
        xy[members] = local + np.array([x + radius, y + radius])
        x += 2 * radius + 4 * gap
        row_height = max(row_height, 2 * radius)
    if singles:
        y = y + row_height + gap if placed else 0.0
        per_row = max(1, int(shelf // _CELL[0]))
        i = np.arange(len(singles))
        xy[singles, 0] = 20.0 + _CELL[0] * (i % per_row)
        xy[singles, 1] = y + 20.0 + _CELL[1] * (i // per_row)


def _component_labels(count: int, u: Any, v: Any) -> Any:
    """For nodes 0..count-1 joined by edges u-v: each node's component, named by its smallest
    node (hooking and pointer jumping, a few passes over the edges)."""
    import numpy as np

    labels = np.arange(count)
    while True:
        lu, lv = labels[u], labels[v]
        low = np.minimum(lu, lv)
        before = labels.copy()
        np.minimum.at(labels, lu, low)
        np.minimum.at(labels, lv, low)
        while True:
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped
        if np.array_equal(labels, before):
            return labels


def _spread(count: int, u: Any, v: Any, seed: int, iterations: int = SPREAD_ITERATIONS) -> Any:
    """Fruchterman-Reingold for a large component in linear time per iteration: attraction
    along the edges as in `_exact`; the repulsion of every other node (k²/d) as the field of
    the nodes' density on a grid (cloud-in-cell), convolved with d/|d|² by FFT, plus the exact
    repulsion of the next few nodes of the same cell, which the grid cannot resolve."""
    import numpy as np

    rng = np.random.default_rng(seed)
    k = EDGE_LENGTH
    radius = k * math.sqrt(count) / 2
    angle = rng.uniform(0.0, 2 * math.pi, count)
    distance = radius * np.sqrt(rng.uniform(0.0, 1.0, count))
    pos = np.stack((distance * np.cos(angle), distance * np.sin(angle)), axis=1)
    cells = int(min(GRID, max(32, 2 ** math.floor(math.log2(math.sqrt(count))))))  # ~1 node a cell
    offsets = np.fft.fftfreq(2 * cells, 1.0 / (2 * cells))
    ox, oy = np.meshgrid(offsets, offsets, indexing="ij")
    squared = ox * ox + oy * oy
    squared[0, 0] = 1.0
    kernel_x, kernel_y = ox / squared, oy / squared
    kernel_x[0, 0] = kernel_y[0, 0] = 0.0
    fourier_x, fourier_y = np.fft.rfft2(kernel_x), np.fft.rfft2(kernel_y)
    shifts = np.array([0, 1, cells, cells + 1])[:, None]  # the four cells around a node
    temperature = radius / 2
    cooling = (2.0 / temperature) ** (1.0 / iterations) if temperature > 2.0 else 1.0
    for _ in range(iterations):
        low = pos.min(axis=0)
        step = max(float((pos.max(axis=0) - low).max()), 1.0) / (cells - 1.001)
        grid = (pos - low) / step
        corner = np.minimum(grid.astype(np.int64), cells - 2)
        fx, fy = (grid - corner).T
        index = (corner[:, 0] * cells + corner[:, 1])[None, :] + shifts
        weights = np.stack(((1 - fx) * (1 - fy), (1 - fx) * fy, fx * (1 - fy), fx * fy))
        padded = np.zeros((2 * cells, 2 * cells))
        padded[:cells, :cells] = np.bincount(index.ravel(), weights.ravel(), cells * cells).reshape(cells, cells)
        spectrum = np.fft.rfft2(padded)
        field_x = np.fft.irfft2(spectrum * fourier_x, padded.shape)[:cells, :cells].ravel()
        field_y = np.fft.irfft2(spectrum * fourier_y, padded.shape)[:cells, :cells].ravel()
        move = np.stack(((field_x[index] * weights).sum(axis=0), (field_y[index] * weights).sum(axis=0)), axis=1)
        move *= k * k / step
        cell = index[0]
        order = np.lexsort((pos[:, 0], cell))
        for offset in range(1, NEAR + 1):  # the field is smooth within a cell: repel close neighbours exactly
            a, b = order[:-offset], order[offset:]
            same = cell[a] == cell[b]
            a, b = a[same], b[same]
            apart = pos[a] - pos[b]
            push = apart * (k * k / np.maximum((apart * apart).sum(axis=1), 1e-2))[:, None]
            for axis in (0, 1):
                move[:, axis] += np.bincount(a, push[:, axis], count) - np.bincount(b, push[:, axis], count)
        delta = pos[u] - pos[v]
        pull = delta * (np.hypot(delta[:, 0], delta[:, 1]) / k)[:, None]
        for axis in (0, 1):
            move[:, axis] -= np.bincount(u, pull[:, axis], count)
            move[:, axis] += np.bincount(v, pull[:, axis], count)
        length = np.maximum(np.hypot(move[:, 0], move[:, 1]), 0.01)[:, None]
        pos += move / length * np.minimum(length, temperature)
        pos -= pos.mean(axis=0)
        temperature *= cooling
    return pos


def _fit(positions: dict[str, tuple[float, float]], width: float) -> dict[str, tuple[float, float]]:
    """Scale to `width` across (keeping the aspect), shift to a margin of 20, round to 0.1."""
    if not positions:
        return {}
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    span = max(max(xs) - min(xs), 1.0)
    factor = width / span
    return {
        n: (round((x - min(xs)) * factor + 20.0, 1), round((y - min(ys)) * factor + 20.0, 1))
        for n, (x, y) in positions.items()
    }
