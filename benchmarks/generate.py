"""Write a synthetic set of registers for benchmarks: every register, national scale, seeded.

    python benchmarks/generate.py --orgs 100000 --seed 42 --out benchmarks/data/orgs-100000

The registers are in the project's own formats (data/README.md), in canonical order,
and `nhskg build --data DIR` accepts them. Everything cites the synthetic sources
`synthetic-<seed>` (the newer listing) and `synthetic-<seed>-2016` (an older listing),
whose notes say the data is made up. About 1% of the rows of each register carry a fault
of each class the SHACL shapes check and the build lets through (a membership outside an
organisation's open period, a partnership whose exemplar holds no exemplar
participation, a trust with no membership...), so validation has real work. The counts
of each fault class, the sizes and the parameters the benchmarks use go to
`DIR/benchmark.json`.

The organisations are made one at a time in code order (benchmarks/synthetic.py) and
every register is written while they stream past: nothing of the size of the
population is kept. The rows of the trusts' registers (a few thousand) are sorted in
memory.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, TextIO

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import GP_NOTE, REGIONS, Org, Population
from synthetic_small import Small

HEADERS = {
    "sources": "key,kind,title,publisher,date,url,path,licence,note",
    "organisations": "code,name,kind,ons_code,open_date,close_date,latitude,longitude,country,source,note",
    "bodies": "key,name,kind,source,note",
    "memberships": "member,group,start,end,source,note",
    "successions": "event,kind,date,predecessor,successor,source,note",
    "programmes": "key,name,kind,parent,funded_by,funder,start,end,source,note",
    "participations": "organisation,programme,role,cohort,announced,status,funding_gbp,source,note",
    "partnerships": "follower,exemplar,programme,status,start,end,source,note",
    "systems": "key,name,category,supplier,source,note",
    "deployments": "organisation,system,supplier,provision,status,as_of,source,note",
    "assessments": "organisation,model,stage,date,site,source,note",
    "blueprints": "key,title,author,system,published,source,note",
    "adoptions": "blueprint,adopter,date,source,note",
    "people": "key,name,other_names,source,note",
    "posts": "key,holder,title,role,organisation,start,end,source,note",
    "documents": "key,title,kind,author,issued,led_to,source,note",
    "claims": "key,kind,subject,value,unit,counts,qualifier,date,statement,attributed_to,source,note",
}
GP_SYSTEMS = (("emis-web", "emis", 55), ("systmone", "tpp", 40), ("vision", "cegedim", 5))
ICB_PERIOD = ("2022-07-01", "2023-03-31")
STP_PERIOD = ("2017-04-01", "2018-03-31")
CCG_PERIOD = ("2022-01-01", "2022-01-31")
OLD_PERIOD = ("1995-04-01", "1996-03-31")  # a period before most practices opened (a fault)


class Registers:
    """One open CSV writer per register, and the rows and faults written so far."""

    def __init__(self, out: Path) -> None:
        out.mkdir(parents=True, exist_ok=True)
        self.files: dict[str, TextIO] = {}
        self.writers: dict[str, Any] = {}
        self.rows: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        for name, header in HEADERS.items():
            f = (out / f"{name}.csv").open("w", encoding="utf-8", newline="", buffering=1 << 20)
            self.files[name] = f
            self.writers[name] = csv.writer(f, lineterminator="\n")
            f.write(header + "\n")

    def write(self, name: str, rows: list[tuple[str, ...]]) -> None:
        self.writers[name].writerows(rows)
        self.rows[name] += len(rows)

    def close(self) -> None:
        for f in self.files.values():
            f.close()


class Generator:
    """The streaming pass over the organisations, and the small registers after it."""

    def __init__(self, orgs: int, seed: int, out: Path) -> None:
        self.pop = Population(orgs, seed)
        self.src = f"synthetic-{seed}"
        self.old = f"synthetic-{seed}-2016"
        self.out = out
        self.reg = Registers(out)
        self.seen: Counter[str] = Counter()  # candidates met per fault class, for the 1-in-100 choice
        self.small = Small(self.pop, self.src, self.pick)

    def pick(self, fault: str, slot: int, every: int = 100) -> bool:
        """True for about one candidate in `every` (the slot-th, then every `every`-th) of a class."""
        n = self.seen[fault]
        self.seen[fault] += 1
        if n % every == slot:
            self.reg.faults[fault] += 1
            return True
        return False

    def run(self) -> dict[str, Any]:
        started = time.perf_counter()
        try:
            for org in self.pop.all():
                self.organisation(org)
                self.memberships(org)
                self.succession(org)
                self.reg.write("participations", self.small.participations(org))
                self.deployments(org)
                self.reg.write("assessments", self.small.assessments(org))
            for name, rows in self.small.registers(self.pop.seed, self.old).items():
                self.reg.write(name, rows)
        finally:
            self.reg.close()
        summary = {
            "synthetic": True,
            "seed": self.pop.seed,
            "orgs": {
                "requested": self.pop.n_gp + len(REGIONS) + len(self.pop.icb_codes) + self.pop.n_ccg + self.pop.n_trust,
                "regions": len(REGIONS),
                "icbs": len(self.pop.icb_codes),
                "ccgs": self.pop.n_ccg,
                "trusts": self.pop.n_trust,
                "gp_practices": self.pop.n_gp,
            },
            "rows": dict(sorted(self.reg.rows.items())),
            "faults": dict(sorted(self.reg.faults.items())),
            "params": self.small.params(),
            "seconds": round(time.perf_counter() - started, 2),
        }
        (self.out / "benchmark.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        return summary

    # --- the registers keyed by organisation ----------------------------------------------

    def organisation(self, org: Org) -> None:
        gp = org.family == "gp"
        if org.family == "site":  # a trust's 5-character site code listed as a trust (benchmarks/synthetic.py)
            self.reg.faults["org-site-code-listed-as-trust"] += 1
        opened, lat, lon, ons = org.opened, org.lat, org.lon, org.ons
        if gp and self.pick("org-ons-code-of-another-kind", 11):
            ons = f"E54{org.icb + 50:06d}"  # its ICB's ONS code, where a CCG's (E38) belongs
        if lat and self.pick("org-coordinates-swapped", 17):
            lat, lon = lon, lat
        country = "england" if org.family in ("trust", "site") else ""
        note = (
            GP_NOTE if gp else ("A trust's site listed as a trust (synthetic fault)." if org.family == "site" else "")
        )
        rows = [(org.code, org.name, org.kind, ons, opened, org.closed, lat, lon, country, self.src, note)]
        if org.family == "icb":
            stp = org.name.replace("Integrated Care Board", "STP").replace("NHS ", "")
            rows.append((org.code, stp, "stp", org.ons, "", "", "", "", "", self.old, ""))
        elif org.family in ("trust", "gp") and org.opened < "2016" and org.h % 10 == 3:
            name = org.name
            if self.pick("org-listed-under-other-name", 3, every=10):
                name = "Old " + name
            kind = "nhs-trust" if org.family == "trust" else org.kind
            rows.append((org.code, name, kind, "", org.opened, "", "", "", country, self.old, GP_NOTE if gp else ""))
        self.reg.write("organisations", rows)

    def memberships(self, org: Org) -> None:
        gp = org.family == "gp"
        icb = self.pop.icb_codes[org.icb]
        rows: list[tuple[str, ...]] = []
        if org.family == "icb":
            rows.append((org.code, REGIONS[org.index % len(REGIONS)][0], *ICB_PERIOD, self.src, ""))
        elif org.family == "ccg":
            rows.append((org.code, icb, *CCG_PERIOD, self.src, ""))
        elif org.family in ("trust", "gp"):
            if org.family == "trust" and not org.closed and self.pick("trust-without-membership", 7):
                return
            if not org.closed or self.pick(f"membership-{org.family}-closed-before-period", 1, every=10):
                group = icb
                start = ICB_PERIOD[0]
                if self.pick("membership-group-not-an-area", 5):
                    group = self.pop.trust_codes[org.h % self.pop.n_trust]
                rows.append((org.code, group, start, ICB_PERIOD[1], self.src, ""))
            if gp and org.opened > OLD_PERIOD[1] and self.pick("membership-before-member-opened", 9):
                rows.append((org.code, icb, *OLD_PERIOD, self.old, ""))
            if (
                org.family == "trust"
                and org.opened <= STP_PERIOD[1]
                and (not org.closed or org.closed >= STP_PERIOD[0])
            ):
                rows.append((org.code, icb, *STP_PERIOD, self.old, ""))
        self.reg.write("memberships", sorted(rows, key=lambda r: (r[0], r[1], r[4])))

    def succession(self, org: Org) -> None:
        """The change event this organisation anchors: the successor's, or its own closure."""
        if org.family not in ("trust", "gp"):
            return
        family = 4 if org.family == "trust" else 5
        rows: list[tuple[str, ...]] = []
        date = self.pop.event_date(family, org.index)
        event = f"{org.code.lower()}-{date[:7]}"
        if org.slot == 10 and org.event:
            rows.append((event, "closure", date, org.code, "", self.src, ""))
        elif org.slot == 21:
            kind = "acquisition"
            fault = self.pop.succession_fault(family, org.index)
            if fault == "split-with-one-successor":
                kind = "split"
            if fault:
                self.reg.faults[f"succession-{fault}"] += 1
            rows.append((event, kind, date, self.pop.code_of(family, org.index - 1), org.code, self.src, ""))
        elif org.slot == 39:
            fault = self.pop.succession_fault(family, org.index)
            if fault == "successor-opened-before-predecessor-closed":
                self.reg.faults[f"succession-{fault}"] += 1
            for pred in (org.index - 2, org.index - 1):
                rows.append((event, "merger", date, self.pop.code_of(family, pred), org.code, self.src, ""))
        self.reg.write("successions", rows)

    def deployments(self, org: Org) -> None:
        rows: list[tuple[str, ...]] = []
        if org.family == "gp":
            if org.closed and not self.pick("deployment-after-close", 1, every=10):
                return
            share = org.h % 100
            system, supplier = (
                GP_SYSTEMS[0][:2] if share < 55 else GP_SYSTEMS[1][:2] if share < 95 else GP_SYSTEMS[2][:2]
            )
            if self.pick("deployment-supplier-not-system-supplier", 4):
                supplier = "tpp" if supplier != "tpp" else "emis"
            rows.append((org.code, system, supplier, "supplier", "live", "2022-04-01", self.src, ""))
        elif org.family == "trust":
            rows = self.small.trust_deployments(org)
        self.reg.write("deployments", sorted(rows, key=lambda r: (r[0], r[1], r[2], r[5], r[6])))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orgs", type=int, required=True, help="number of organisations (codes), e.g. 100000")
    parser.add_argument("--seed", type=int, default=42, help="random seed (the same seed gives the same files)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the registers into")
    args = parser.parse_args(argv)
    if args.orgs < 200:
        parser.error("--orgs must be at least 200")
    summary = Generator(args.orgs, args.seed, args.out).run()
    rows = sum(summary["rows"].values())
    print(
        f"wrote {rows:,} rows for {args.orgs:,} organisations to {args.out} in {summary['seconds']} s; "
        f"{sum(summary['faults'].values()):,} faulty rows in {len(summary['faults'])} classes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
