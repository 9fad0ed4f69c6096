#!/usr/bin/env python3
"""Run the contract lint over a set of pages and print how many findings of each kind.

    python3 tools/contract_report.py PAGE_OR_DIR... [--site DIR]... [--library NAME=FILE]
        [--samples N] [--no-machine] [--kinds KIND,...]

The pages given, and those of the --site folders (a whole manual set, its
aliases included), are the site that ``.Xr`` may point into.  For each kind it
prints the count, the pages with findings, and N sample lines to read by
hand: the figures the docs' contract page quotes come from here.
"""

from __future__ import annotations

import argparse
import collections
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mdoc2rst.cli.contract import _site_pages  # noqa: E402
from mdoc2rst.contract.lint import KINDS, ContractOptions, check  # noqa: E402
from mdoc2rst.contract.machine import Machine  # noqa: E402
from mdoc2rst.contract.spec import extract  # noqa: E402
from mdoc2rst.reader import page_kind, parse_file  # noqa: E402
from mdoc2rst.tree.identity import MAN_SUFFIX  # noqa: E402


def pages_of(items: list[str]) -> list[str]:
    out: list[str] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            out += sorted(str(f) for f in p.rglob("*") if MAN_SUFFIX.fullmatch(f.suffix))
        else:
            out.append(item)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("pages", nargs="+", metavar="PAGE_OR_DIR")
    ap.add_argument("--site", action="append", default=[], metavar="DIR")
    ap.add_argument("--library", action="append", default=[], metavar="NAME=FILE")
    ap.add_argument("--samples", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--no-machine", action="store_true")
    ap.add_argument("--kinds", default=",".join(KINDS))
    args = ap.parse_args()
    pages = pages_of(args.pages)
    aliases = dict(item.split("=", 1) for item in args.library)
    machine = None if args.no_machine else Machine(aliases=aliases)
    site = _site_pages(pages + pages_of(args.site))
    options = ContractOptions(
        kinds=frozenset(args.kinds.split(",")),
        machine=machine,
        site_has=lambda n, s: (n, s) in site or (n, s[:1]) in site,
    )
    findings: dict[str, list[str]] = collections.defaultdict(list)
    read = skipped = 0
    for page in pages:
        doc = parse_file(page)
        if page_kind(doc) != "mdoc":
            skipped += 1
            continue
        read += 1
        for d in check(doc, extract(doc), options):
            findings[d.kind.removeprefix("CONTRACT_").lower()].append(str(d))
    print(f"{read} pages checked ({skipped} not mdoc(7) skipped), "
          f"{sum(map(len, findings.values()))} findings")  # fmt: skip
    print()
    print("| findings | pages | kind |")
    print("| ---: | ---: | --- |")
    for kind in KINDS:
        lines = findings.get(kind, [])
        pages_with = len({line.split(":", 1)[0] for line in lines})
        print(f"| {len(lines)} | {pages_with} | {kind} |")
    rnd = random.Random(args.seed)
    for kind in KINDS:
        lines = findings.get(kind, [])
        if not lines or args.samples <= 0:
            continue
        print(f"\n{kind}: {min(args.samples, len(lines))} of {len(lines)}")
        for line in sorted(rnd.sample(lines, min(args.samples, len(lines)))):
            print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
