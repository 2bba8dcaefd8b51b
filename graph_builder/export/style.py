"""How the exports look: colours by kind, display names and captions, edge styles, legend.

One palette serves every format (GEXF `viz:color`, yEd fills, DOT `fillcolor`, the
Cytoscape `color` data field, the HTML viewer and the pictures), so a kind has the same
colour everywhere. Where the nodes go is layout.py.
"""

from __future__ import annotations

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
    "acute-trust": "acute trust",
    "mental-health-trust": "mental health trust",
    "mental-health-and-community-trust": "mental health and community trust",
    "community-trust": "community trust",
    "ambulance-trust": "ambulance trust",
    "care-trust": "care trust",
    "specialist-trust": "specialist trust",
    "nhs-trust": "NHS trust (kind not given)",
    "ccg": "CCG",
    "stp": "STP / ICS",
    "icb": "ICB",
    "region": "region",
    "supplier": "IT supplier",
    "system": "clinical system",
    "programme": "programme",
    "blueprint": "blueprint",
    "place": "place",
    "national-body": "national body",
    "overseas-organisation": "overseas organisation",
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
