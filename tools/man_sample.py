#!/usr/bin/env python3
"""Tree parity with ``mandoc -T tree`` on a sample of installed man(7) pages.

    python3 tools/man_sample.py [--root /usr/share/man] [--size 600] [--seed 0]
        [--lint] [--show N] [--diff PAGE]

Takes the gzip'd pages of ROOT/man*/ in a shuffled order fixed by --seed
(one page of each family of names in turn: one package may install
thousands of generated pages), keeps those mandoc reads as man(7) (not
mdoc(7), not a one-line ``.so`` link), up to --size of them, and compares
mdoc2rst's tree with mandoc's, byte for byte, and with --lint the lint
lines too.  It prints the share
that matches, on all pages, on those with tbl(7) tables, and on those
without eqn(7) (which mdoc2rst does not parse yet), and the first lines
that differ on up to --show pages.  More pages: ``apt-get install manpages manpages-dev ...``.
"""

from __future__ import annotations

import argparse
import difflib
import gzip
import os
import random
import re
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import oracle  # noqa: E402

from mdoc2rst import Document, parse  # noqa: E402
from mdoc2rst.tree.dump import dump  # noqa: E402

_TABLE = re.compile(rb"^[.'][ \t]*TS\b", re.M)
_EQUATION = re.compile(rb"^[.'][ \t]*EQ\b", re.M)
_SO_LINK = re.compile(rb"\A\s*[.']so\s+\S+\s*\Z")


@dataclass(frozen=True)
class Result:
    name: str
    path: Path
    tree_ok: bool
    lint_ok: bool | None
    tables: bool  # the page has tbl(7) input
    equations: bool  # the page has eqn(7) input
    first_diff: str
    first_lint: str = ""


def _family(path: Path) -> str:
    """Pages of one family share the start of their names (gcloud_..., EVP_...)."""
    return re.split(r"[-_.:]", path.name, maxsplit=1)[0].lower()


def candidates(root: Path, seed: int) -> list[Path]:
    """The gzip'd pages of the English sections under ``root``, shuffled so
    that no family crowds out the rest: one page of each family in turn
    (one installed package may bring thousands of generated pages)."""
    pages = sorted(p for d in sorted(root.glob("man[1-9]*")) for p in d.glob("*.gz"))
    rng = random.Random(seed)
    families: dict[str, list[Path]] = {}
    for p in pages:
        families.setdefault(_family(p), []).append(p)
    groups = list(families.values())
    for g in groups:
        rng.shuffle(g)
    rng.shuffle(groups)
    out: list[Path] = []
    for k in range(max(map(len, groups), default=0)):
        out.extend(g[k] for g in groups if k < len(g))
    return out


def page_text(path: Path) -> bytes | None:
    try:
        return gzip.decompress(path.read_bytes())
    except (OSError, EOFError):
        return None


def _page_name(path: Path) -> str:
    return path.name.removesuffix(".gz")


#: Where the pages seem to be, for .so: a folder that does not exist, as the
#: empty folder mandoc runs in has no file .so could read either.
_NOWHERE = Path(tempfile.gettempdir(), "mdoc2rst-man-sample-nowhere")


def our_parse(data: bytes, name: str) -> Document:
    return parse(data, name, path=_NOWHERE / name)


def mandoc_lines(doc_lines: list[str]) -> list[str]:
    return sorted(line for line in doc_lines if oracle._MACHINE_DEPENDENT not in line)


def our_lint(data: bytes, name: str) -> list[str]:
    """Our diagnostics in the form mandoc prints them (no line: none)."""
    out = []
    for d in our_parse(data, name).diagnostics:
        where = f"{d.file}:{d.line}:{d.column}" if d.line else d.file
        out.append(f"{where}: {d.level.name}: {d.message}")
    return out


def compare(path: Path, data: bytes, lint: bool) -> Result:
    name = _page_name(path)
    text = data.decode("utf-8", "surrogateescape")
    theirs = oracle.mandoc_tree(text, name)
    ours = dump(our_parse(data, name))
    tree_ok = theirs == ours
    first = ""
    if not tree_ok:
        diff = [
            line
            for line in difflib.unified_diff(theirs.split("\n"), ours.split("\n"), lineterm="")
            if line[:1] in "-+" and not line.startswith(("---", "+++"))
        ]
        first = " | ".join(diff[:4])
    lint_ok = None
    first_lint = ""
    if lint:
        theirs_lint = mandoc_lines(oracle.mandoc_lint(text, name))
        ours_lint = mandoc_lines(our_lint(data, name))
        lint_ok = theirs_lint == ours_lint
        first_lint = " | ".join(
            [f"-{x}" for x in theirs_lint if x not in ours_lint][:2]
            + [f"+{x}" for x in ours_lint if x not in theirs_lint][:2]
        )
    return Result(
        name,
        path,
        tree_ok,
        lint_ok,
        bool(_TABLE.search(data)),
        bool(_EQUATION.search(data)),
        first,
        first_lint,
    )


def is_man(data: bytes, name: str) -> bool:
    """mandoc would read it as man(7) (mdoc2rst picks the language as mandoc)."""
    if _SO_LINK.match(data) or not data.strip():
        return False
    return our_parse(data, name).macroset == "man"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--root", type=Path, default=Path("/usr/share/man"))
    ap.add_argument("--size", type=int, default=600)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lint", action="store_true", help="compare the lint lines too")
    ap.add_argument("--show", type=int, default=20, help="mismatching pages to show")
    ap.add_argument("--diff", metavar="PAGE", help="the full diff of one page (a path)")
    args = ap.parse_args(argv)
    if not any(os.access(Path(d) / "mandoc", os.X_OK) for d in os.get_exec_path()):
        print("mandoc is not installed (apt-get install mandoc)", file=sys.stderr)
        return 2
    if args.diff:
        path = Path(args.diff)
        data = page_text(path) if path.suffix == ".gz" else path.read_bytes()
        if data is None:
            print(f"{path}: cannot read", file=sys.stderr)
            return 2
        name = _page_name(path)
        theirs = oracle.mandoc_tree(data.decode("utf-8", "surrogateescape"), name)
        ours = dump(our_parse(data, name))
        sys.stdout.writelines(
            difflib.unified_diff(
                theirs.splitlines(True), ours.splitlines(True), "mandoc", "mdoc2rst"
            )
        )
        return 0 if theirs == ours else 1
    chosen: list[tuple[Path, bytes]] = []
    for path in candidates(args.root, args.seed):
        data = page_text(path)
        if data is not None and is_man(data, _page_name(path)):
            chosen.append((path, data))
            if len(chosen) == args.size:
                break
    if not chosen:
        print(f"no man(7) pages under {args.root}", file=sys.stderr)
        return 2

    def prefetch(item: tuple[Path, bytes]) -> None:
        path, data = item
        text = data.decode("utf-8", "surrogateescape")
        oracle.mandoc_tree(text, _page_name(path))
        if args.lint:
            oracle.mandoc_lint(text, _page_name(path))

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        list(pool.map(prefetch, chosen))
    results = [compare(path, data, args.lint) for path, data in chosen]
    bad = [r for r in results if not r.tree_ok or r.lint_ok is False]
    for r in bad[: args.show]:
        kind = "eqn" if r.equations else "tbl" if r.tables else "other"
        if not r.tree_ok:
            print(f"{r.path} [{kind}] tree: {r.first_diff[:300]}")
        if r.lint_ok is False:
            print(f"{r.path} [{kind}] lint: {r.first_lint[:300]}")
    groups = (
        ("with tbl", [r for r in results if r.tables]),
        ("without eqn", [r for r in results if not r.equations]),
        ("without tbl or eqn", [r for r in results if not r.tables and not r.equations]),
    )
    n, ok = len(results), sum(r.tree_ok for r in results)
    print(f"tree parity: {ok}/{n} pages match ({ok / n:.1%})")
    for label, group in groups:
        if group:
            gok = sum(r.tree_ok for r in group)
            print(f"  {label}: {gok}/{len(group)} ({gok / len(group):.1%})")
    if args.lint:
        lok = sum(bool(r.lint_ok) for r in results)
        print(f"lint parity: {lok}/{n} pages match ({lok / n:.1%})")
        for label, group in groups:
            if group:
                gok = sum(bool(r.lint_ok) for r in group)
                print(f"  {label}: {gok}/{len(group)} ({gok / len(group):.1%})")
    sections = Counter(r.path.parent.name for r in results)
    print("pages by section: " + ", ".join(f"{k} {v}" for k, v in sorted(sections.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
