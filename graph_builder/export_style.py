"""How the exports look: colours by kind, display names and captions, edge styles, layout.

One palette serves every format (GEXF `viz:color`, yEd fills, DOT `fillcolor`, the
Cytoscape `color` data field, the HTML viewer and the pictures), so a kind has the same
colour everywhere. The layout is computed here too, once per export, and is
deterministic: each connected component is laid out by a force-directed
(Fruchterman-Reingold) pass from a fixed seed, and the components are packed in rows,
largest first, with single nodes in a tidy grid at the end.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

KIND_COLOURS: dict[str, str] = {
    "acute-trust": "#1f77b4",
    "mental-health-trust": "#9467bd",
    "mental-health-and-community-trust": "#c39bd3",
    "community-trust": "#2ca02c",
    "ambulance-trust": "#e6550d",
    "care-trust": "#98df8a",
    "specialist-trust": "#17becf",
    "nhs-trust": "#7f7f7f",
    "ccg": "#bcbd22",
    "stp": "#8c564b",
    "icb": "#d4a373",
    "region": "#393b79",
    "supplier": "#d62728",
    "system": "#f4a6a6",
    "programme": "#e7ba52",
    "blueprint": "#f7b6d2",
    "place": "#6baed6",
    "national-body": "#525252",
    "overseas-organisation": "#ad494a",
}
OTHER_COLOUR = "#bdbdbd"

KIND_NAMES: dict[str, str] = {
    "acute-trust": "acute trust", "mental-health-trust": "mental health trust",
    "mental-health-and-community-trust": "mental health and community trust", "community-trust": "community trust",
    "ambulance-trust": "ambulance trust", "care-trust": "care trust", "specialist-trust": "specialist trust",
    "nhs-trust": "NHS trust (kind not given)", "ccg": "CCG", "stp": "STP / ICS", "icb": "ICB", "region": "region",
    "supplier": "IT supplier", "system": "clinical system", "programme": "programme", "blueprint": "blueprint",
    "place": "place", "national-body": "national body", "overseas-organisation": "overseas organisation",
}

EDGE_STYLES: dict[str, tuple[str, str]] = {
    "confirmed": ("#222222", "solid"),
    "proposed": ("#1f77b4", "dashed"),
    "dropped": ("#d62728", "dotted"),
    "live": ("#555555", "solid"),
    "chosen": ("#2ca02c", "dashed"),
    "planned": ("#2ca02c", "dashed"),
    "withdrawn": ("#d62728", "dotted"),
}
"""Edge colour and line style by status (partnerships, deployments); others grey, solid."""
EDGE_DEFAULT = ("#9e9e9e", "solid")

_CODED = re.compile(r"trust$|^ccg$")
_SUFFIXES = (" NHS Foundation Trust", " NHS Trust", " Foundation Trust", " NHS FT", " Integrated Care Board")


def colour(kind: str) -> str:
    return KIND_COLOURS.get(kind, OTHER_COLOUR)


def rgb(hex_colour: str) -> tuple[int, int, int]:
    value = hex_colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def edge_style(data: Mapping[str, Any]) -> tuple[str, str]:
    return EDGE_STYLES.get(str(data.get("status") or ""), EDGE_DEFAULT)


_ACRONYMS = {"NHS", "CCG", "CCGS", "ICB", "ICS", "STP", "UK", "GP", "IT", "EPR", "CIC", "LLP", "PLC", "II"}
_ODS_NAMED = re.compile(r"trust$|^(ccg|stp|icb|region)$")
_SMALL_WORDS = {"and", "of", "the", "for", "in", "on", "at", "with", "to", "upon"}


def display_name(attrs: Mapping[str, Any]) -> str:
    """The name for display: the label, or its mixed-case form where a source gives one, else
    the upper-case label in title case (acronyms such as NHS kept). The `label` attribute
    itself is never changed."""
    label = str(attrs.get("label") or attrs.get("code") or "")
    if not label.isupper() or label == attrs.get("code") or not _ODS_NAMED.search(str(attrs.get("kind") or "")):
        return label
    for alt in attrs.get("alt_labels") or []:
        if str(alt).upper() == label:
            return str(alt)
    words = []
    for i, word in enumerate(label.split()):
        if word in _ACRONYMS or (len(word) <= 2 and word.lower() not in _SMALL_WORDS) or any(c.isdigit() for c in word):
            words.append(word)
        elif i and word.lower() in _SMALL_WORDS:
            words.append(word.lower())
        else:
            words.append("-".join(part.capitalize() for part in word.split("-")))
    return " ".join(words)


def short_name(attrs: Mapping[str, Any]) -> str:
    """The display name without the trailing 'NHS Foundation Trust' and the like."""
    name = display_name(attrs)
    for suffix in _SUFFIXES:
        if name.lower().endswith(suffix.lower()) and len(name) > len(suffix):
            return name[: -len(suffix)].rstrip(" ,")
    return name


def caption(attrs: Mapping[str, Any]) -> str:
    """A node's short caption: the code of a trust or CCG, else its short name."""
    kind = str(attrs.get("kind") or "")
    if _CODED.search(kind) and attrs.get("code"):
        return str(attrs["code"])
    return short_name(attrs)


def legend(kinds: Iterable[str]) -> list[tuple[str, str, str]]:
    """(kind, name, colour) for the kinds given, in palette order (unknown kinds last)."""
    present = set(kinds)
    order = [k for k in KIND_COLOURS if k in present] + sorted(present - set(KIND_COLOURS))
    return [(k, KIND_NAMES.get(k, k or "other"), colour(k)) for k in order]


def layout(nodes: list[str], edges: list[tuple[str, str]], width: float = 1000.0, seed: int = 7
           ) -> dict[str, tuple[float, float]]:
    """Positions (x right, y down, in 0..width) for nodes joined by edges; deterministic."""
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


def _force(part: list[str], neighbours: dict[str, set[str]], seed: int,
           iterations: int = 200) -> dict[str, tuple[float, float]]:
    """Fruchterman-Reingold from seeded random positions, centred on (0, 0)."""
    import numpy as np

    index = {n: i for i, n in enumerate(part)}
    count = len(part)
    rng = np.random.default_rng(seed)
    pos = rng.uniform(-1.0, 1.0, size=(count, 2))
    adjacency = np.zeros((count, count))
    for node in part:
        for other in neighbours[node]:
            adjacency[index[node], index[other]] = 1.0
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
    return {node: (float(pos[index[node], 0]), float(pos[index[node], 1])) for node in part}


def _fit(positions: dict[str, tuple[float, float]], width: float) -> dict[str, tuple[float, float]]:
    """Scale to `width` across (keeping the aspect), shift to a margin of 20, round to 0.1."""
    if not positions:
        return {}
    xs = [p[0] for p in positions.values()]
    ys = [p[1] for p in positions.values()]
    span = max(max(xs) - min(xs), 1.0)
    factor = width / span
    return {n: (round((x - min(xs)) * factor + 20.0, 1), round((y - min(ys)) * factor + 20.0, 1))
            for n, (x, y) in positions.items()}
