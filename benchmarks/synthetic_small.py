"""The trusts' registers of the synthetic set: participations, partnerships, deployments
and assessments of trusts, blueprints, adoptions and claims (the fixed registers are in
synthetic_fixed.py). Trusts number a few thousand at most, so their
roles and pairings are kept in memory; see benchmarks/generate.py.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from synthetic import Org, Population
from synthetic_fixed import (
    ACUTE_EPR,
    GDE,
    MH_EPR,
    PLACES,
    SUPPLIER_OF,
    SYSTEMS,
    bodies,
    documents,
    people,
    posts,
    programmes,
    sources,
)

Row = tuple[str, ...]
Pick = Callable[..., bool]
ACUTE = ("acute-trust", "specialist-trust")


class Small:
    """Roles of the trusts (exemplar, fast follower), their pairings, and the small registers."""

    def __init__(self, pop: Population, src: str, pick: Pick) -> None:
        self.pop, self.src, self.pick = pop, src, pick
        self.trusts = [t for t in pop.trusts() if t.family == "trust"]
        self.role: dict[str, str] = {}  # of the open trusts in code order: 1 in 12 exemplars, 2 in 12 followers
        for j, t in enumerate(t for t in self.trusts if not t.closed):
            if j % 12 == 0:
                self.role[t.code] = "exemplar"
            elif j % 12 in (5, 9):
                self.role[t.code] = "fast-follower"
        self.blueprints: list[Row] = []
        self.epr: dict[str, str] = {}

    @staticmethod
    def acute(t: Org) -> bool:
        return t.kind in ACUTE

    def exemplars(self) -> list[Org]:
        return [t for t in self.trusts if self.role.get(t.code) == "exemplar"]

    def exemplar_for(self, t: Org) -> Org:
        same = [e for e in self.exemplars() if self.acute(e) == self.acute(t)] or self.exemplars()
        return same[(t.h >> 8) % len(same)]

    # --- rows written during the streaming pass -----------------------------------------

    def participations(self, org: Org) -> list[Row]:
        pick = self.pick
        role = self.role.get(org.code) if org.family == "trust" else None
        h = org.h
        if role == "exemplar":
            cohort = (
                ("acute-wave-1" if (h >> 56) % 2 else "acute-wave-2")
                if self.acute(org)
                else ("ambulance" if org.kind == "ambulance-trust" else "mental-health")
            )
            announced = {"acute-wave-1": "2016-09", "acute-wave-2": "2017-02", "ambulance": "2017-07"}.get(
                cohort, "2017-04"
            )
            if pick("participation-announced-before-programme", 2):
                announced = "2015-06"
            funding = "10000000" if self.acute(org) else "5000000"
            return [(org.code, GDE, "exemplar", cohort, announced, "confirmed", funding, self.src, "")]
        if role == "fast-follower":
            cohort = "fast-follower-wave-1" if self.acute(org) else "mental-health-fast-follower"
            if pick("participation-cohort-not-of-role", 3):
                cohort = "acute-wave-1"
            funding = "5000000" if self.acute(org) else ""
            return [(org.code, GDE, "fast-follower", cohort, "2017-09", "confirmed", funding, self.src, "")]
        if org.family != "gp":
            return []
        pilot = (org.code, "nhs-app-pilot", "pilot-area", "nhs-app-pilot", "2018-09", "confirmed", "", self.src, "")
        if not org.closed:
            if (h >> 40) % 50 == 0:
                return [pilot]
            if pick("participation-fast-follower-not-a-trust", 1, every=5000):
                return [
                    (org.code, GDE, "fast-follower", "fast-follower-wave-1", "2017-09", "confirmed", "", self.src, "")
                ]
        elif org.closed < "2018-09" and pick("participation-after-participant-closed", 0, every=200):
            return [pilot]
        return []

    def assessments(self, org: Org) -> list[Row]:
        pick = self.pick
        if org.family != "trust":
            return []
        h = org.h
        if org.closed:
            if pick("assessment-after-close", 0, every=20):
                return [(org.code, "emram", "2", "2023-06", "", self.src, "")]
            return []
        exemplar = self.role.get(org.code) == "exemplar"
        rows: list[Row] = []
        if self.acute(org) and (exemplar or (h >> 28) % 2 == 0):
            stage = 6 + (h >> 4) % 2 if exemplar else (h >> 4) % 6
            rows.append(
                (org.code, "emram", str(stage), f"{2017 + (h >> 12) % 7}-{1 + (h >> 16) % 12:02d}", "", self.src, "")
            )
            if (h >> 29) % 10 == 0:
                rows.append((org.code, "o-emram", str((h >> 5) % 4), f"{2019 + (h >> 13) % 4}", "", self.src, ""))
        return sorted(rows, key=lambda r: (r[0], r[1], r[2], r[3], r[5]))

    def trust_deployments(self, org: Org) -> list[Row]:
        pick = self.pick
        h = org.h
        if org.closed:
            if pick("deployment-after-close", 1, every=10):
                return [(org.code, "lorenzo", "dxc", "supplier", "live", "2024-10-01", self.src, "")]
            return []
        if (h >> 36) % 20 == 0:
            return [(org.code, "", "", "none", "live", "2024-10-01", self.src, "")]
        choices = ACUTE_EPR if self.acute(org) else ("ortivus-mobimed",) if org.kind == "ambulance-trust" else MH_EPR
        system = choices[(h >> 40) % len(choices)]
        self.epr[org.code] = system
        supplier = SUPPLIER_OF[system]
        if pick("deployment-supplier-not-system-supplier", 4):
            supplier = "dxc" if supplier != "dxc" else "cerner"
        rows = [(org.code, system, supplier, "supplier", "live", "2024-10-01", self.src, "")]
        if org.opened < "2016" and (h >> 44) % 10 < 3:
            old = choices[((h >> 40) + 1) % len(choices)]
            if old != system:
                rows.append((org.code, old, SUPPLIER_OF[old], "supplier", "withdrawn", "2016-04-01", self.src, ""))
        return rows

    # --- the registers written after the pass ---------------------------------------------

    def registers(self, seed: int, old: str) -> dict[str, list[Row]]:
        self.pick("programme-starts-before-parent", 0, every=1)  # see synthetic_fixed.py
        places = [
            (
                k,
                "local-health-and-care-record-exemplar",
                "place-based-exemplar",
                cohort,
                announced,
                "confirmed",
                "7500000",
                self.src,
                "",
            )
            for k, _, cohort, announced in PLACES
        ]
        partnerships, adoptions = self.partnerships()
        return {
            "participations": places,
            "partnerships": partnerships,
            "blueprints": sorted(self.blueprints),
            "adoptions": sorted(adoptions),
            "claims": self.claims(),
            "programmes": programmes(self.src),
            "systems": [(k, n, c, s, self.src, "") for k, n, c, s in SYSTEMS],
            "bodies": bodies(self.src),
            "people": people(self.src),
            "posts": posts(self.src),
            "documents": documents(self.src),
            "sources": sources(self.src, seed, old),
        }

    def partnerships(self) -> tuple[list[Row], list[Row]]:
        rows: list[Row] = []
        adoptions: list[Row] = []
        first_blueprint = self.write_blueprints()
        idle = [t for t in self.trusts if not t.closed and t.code not in self.role]
        for t in self.trusts:
            role = self.role.get(t.code)
            if role == "fast-follower":
                exemplar, status, start, end = self.exemplar_for(t).code, "confirmed", "2017-09", ""
                r = (t.h >> 20) % 20
                if r == 17:
                    status = "proposed"
                elif r >= 18:
                    status, end = "dropped", "2019-03"
                if self.pick("partnership-exemplar-not-an-exemplar", 1) and idle:
                    exemplar = idle[t.h % len(idle)].code
                elif self.pick("partnership-starts-before-programme", 1):
                    status, start, end = "confirmed", "2015-06", ""
                rows.append((t.code, exemplar, GDE, status, start, end, self.src, ""))
                blueprint = first_blueprint.get(exemplar)
                if blueprint and status == "confirmed":
                    key, published = blueprint
                    year = int(published[:4]) + 1
                    if self.pick("adoption-before-published", 1):
                        year -= 2
                    adoptions.append((key, t.code, f"{year}{published[4:]}", self.src, ""))
            elif not t.closed and role is None and self.pick("partnership-follower-not-a-follower", 9, every=1000):
                rows.append((t.code, self.exemplar_for(t).code, GDE, "proposed", "2018-01", "", self.src, ""))
        return sorted(rows), adoptions

    def write_blueprints(self) -> dict[str, tuple[str, str]]:
        """Each exemplar's blueprints (a few authored by a non-exemplar: a fault); the first of each."""
        first: dict[str, tuple[str, str]] = {}
        followers = [t for t in self.trusts if self.role.get(t.code) == "fast-follower"]
        for e in self.exemplars():
            h = e.h
            published = f"{2018 + (h >> 6) % 3}-{1 + (h >> 9) % 12:02d}"
            system = self.epr.get(e.code, "")
            key = f"{e.code.lower()}-{system or 'digital'}-blueprint"
            self.blueprints.append(
                (key, f"{e.name}: {system or 'digital'} blueprint", e.code, system, published, self.src, "")
            )
            first[e.code] = (key, published)
            if (h >> 7) % 2:
                self.blueprints.append(
                    (
                        f"{e.code.lower()}-digital-pathways-blueprint",
                        f"{e.name}: digital pathways",
                        e.code,
                        "",
                        published,
                        self.src,
                        "",
                    )
                )
            if self.pick("blueprint-author-not-an-exemplar", 1) and followers:
                f = followers[h % len(followers)]
                self.blueprints.append(
                    (
                        f"{f.code.lower()}-{e.code.lower()}-local-blueprint",
                        f"{f.name}: local blueprint",
                        f.code,
                        "",
                        published,
                        self.src,
                        "",
                    )
                )
        return first

    def claims(self) -> list[Row]:
        exemplars = self.exemplars()
        rows: list[Row] = [
            (
                "gde-exemplar-count",
                "count",
                GDE,
                str(len(exemplars)),
                "trust",
                "exemplars",
                "exact",
                "2017-04",
                f"{len(exemplars)} trusts are global digital exemplars (synthetic).",
                "",
                self.src,
                "",
            ),
            (
                "gde-funding-total",
                "funding",
                GDE,
                "385000000",
                "GBP",
                "the exemplars and fast followers",
                "up-to",
                "2016-09",
                "Up to £385m for the exemplar programme (synthetic).",
                "synthetic-cio",
                self.src,
                "",
            ),
        ]
        for e in exemplars:
            value = "10000000" if self.acute(e) else "5000000"
            if self.pick("claim-funding-under-1000", 1):
                value = "10"
            rows.append(
                (
                    f"{e.code.lower()}-funding",
                    "funding",
                    e.code,
                    value,
                    "GBP",
                    "its exemplar programme",
                    "exact",
                    "2017",
                    f"{e.name} was given £{int(value) / 1e6:g}m as an exemplar (synthetic).",
                    "",
                    self.src,
                    "",
                )
            )
        return sorted(rows)

    def params(self) -> dict[str, dict[str, Any]]:
        """Parameters for the saved questions that take them: codes that exist in this set."""
        followers = [t for t in self.trusts if self.role.get(t.code) == "fast-follower"]
        follower = followers[0] if followers else self.trusts[0]
        exemplar = self.exemplar_for(follower)
        merged = next((t for t in self.trusts if t.event and t.event[2]), self.trusts[0])
        return {
            "followers-of": {"code": exemplar.code},
            "exemplar-of": {"code": follower.code},
            "organisation": {"code": merged.code},
            "successor-of": {"code": merged.code},
            "maturity": {"code": exemplar.code},
            "system-peers": {"code": exemplar.code},
            "shortest-path": {"from": follower.code, "to": exemplar.code},
            "funding": {"programme": GDE},
        }
