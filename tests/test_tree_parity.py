"""Parity of the parse tree with ``mandoc -T tree``.

Every mdoc regress input is compared, node line by node line (depth, kind,
name or text, input line) and meta line by meta line; what matters is the share
that matches exactly, which must stay at or above FLOOR.  The seed page and the
FreeBSD pages must match exactly; mandoc's own manuals may differ only on the
lines listed in KNOWN_DIFFERENCES.

Run as a script to see the differences (mandoc's runs go in parallel):

    python tests/test_tree_parity.py                 one line per mismatching input
    python tests/test_tree_parity.py Bl/bareIt ...   unified diff, mandoc vs ours
    python tests/test_tree_parity.py --diff roff/de/Dd ../shared/seed/sctp_connectx.3
    python tests/test_tree_parity.py --records Bl/bareIt   diff of the compared records only

An input is named by its test id (``Bl/bareIt``, ``mdoc/Bl/bareIt.in``,
``roff/de/Dd``) or by the path of any page.
"""

from __future__ import annotations

import argparse
import difflib
import functools
import importlib.util
import os
import re
import shutil
import sys
import time
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import oracle
import pytest
from oracle import TreeRecord

FLOOR = 0.90

# mandoc's manuals: page -> (input line, reason) of every record allowed to
# differ; line 0 stands for the meta lines.  Keep it honest: an entry whose
# line no longer differs fails the test too.
KNOWN_DIFFERENCES: dict[str, list[tuple[int, str]]] = {}

MDOC_INPUTS = oracle.regress_inputs("mdoc")
EXACT_PAGES = [oracle.SEED, *oracle.freebsd_pages()]

# -- comparing one page -------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """One place where the trees differ: an input line and what is seen there."""

    line: int
    mandoc: str
    ours: str

    def __str__(self) -> str:
        where = "meta" if self.line == 0 else f"line {self.line}"
        return f"{where}: mandoc {self.mandoc} | ours {self.ours}"


def _shown(records: Iterable[TreeRecord], most: int = 4) -> str:
    texts = [f"{record.name} ({record.kind})" for record in records]
    if len(texts) > most:
        texts[most:] = [f"... {len(texts) - most} more"]
    return "; ".join(texts) or "nothing"


def record_differences(mandoc: list[TreeRecord], ours: list[TreeRecord]) -> list[Difference]:
    """Where two record sequences differ, in order (aligned as a diff aligns lines)."""
    matcher = difflib.SequenceMatcher(None, mandoc, ours, autojunk=False)
    found: list[Difference] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        theirs, mine = mandoc[i1:i2], ours[j1:j2]
        lines = sorted({record.line for record in (*theirs, *mine)})
        for line in lines:
            found.append(
                Difference(
                    line,
                    _shown(r for r in theirs if r.line == line),
                    _shown(r for r in mine if r.line == line),
                )
            )
    return found


def meta_differences(mandoc: dict[str, str], ours: dict[str, str]) -> list[Difference]:
    """The meta lines (title, date, os...) that differ, as one line-0 difference."""
    keys = [key for key in sorted(mandoc.keys() | ours.keys()) if mandoc.get(key) != ours.get(key)]
    if not keys:
        return []
    return [
        Difference(
            0,
            ", ".join(f"{key}={mandoc.get(key)!r}" for key in keys),
            ", ".join(f"{key}={ours.get(key)!r}" for key in keys),
        )
    ]


@dataclass(frozen=True)
class Comparison:
    """mandoc's and our tree for one page.  ``mandoc`` is None when mandoc crashed."""

    name: str
    mandoc: str | None
    ours: str | None
    error: str | None = None

    @functools.cached_property
    def differences(self) -> list[Difference]:
        if self.mandoc is None:
            return []
        if self.ours is None:
            return [Difference(0, "a tree", f"an exception: {self.error}")]
        try:
            records = oracle.tree_records(self.ours)
            meta = oracle.tree_meta(self.ours)
        except ValueError as unreadable:
            return [Difference(0, "a tree", f"an unreadable dump: {unreadable}")]
        return meta_differences(oracle.tree_meta(self.mandoc), meta) + record_differences(
            oracle.tree_records(self.mandoc), records
        )

    @property
    def matches(self) -> bool:
        return self.mandoc is not None and not self.differences

    def summary(self) -> str:
        """One line: why this page does not match."""
        if self.mandoc is None:
            return f"no oracle ({self.error})"
        found = self.differences
        if not found:
            return "match"
        # Show the first node that differs even when the meta lines differ too.
        shown = found[:2] if found[0].line == 0 else found[:1]
        more = f" (+{len(found) - len(shown)} more)" if len(found) > len(shown) else ""
        return "; ".join(str(d) for d in shown) + more


def _our_tree(text: str, name: str) -> tuple[str | None, str | None]:
    try:
        return oracle.our_tree(text, name), None
    except Exception as failure:
        frame = traceback.extract_tb(failure.__traceback__)[-1]
        where = f"{Path(frame.filename).name}:{frame.lineno}"
        return None, f"{type(failure).__name__}: {failure} ({where})"


def compare(text: str, name: str) -> Comparison:
    """Run mandoc and our parser on ``text`` saved as ``name``."""
    try:
        mandoc = oracle.mandoc_tree(text, name)
    except oracle.MandocCrashed as crash:
        return Comparison(name, None, None, str(crash))
    ours, error = _our_tree(text, name)
    return Comparison(name, mandoc, ours, error)


# Comparisons of regress inputs by test id, kept for the floor test.
RESULTS: dict[str, Comparison] = {}


def compare_regress(path: Path) -> Comparison:
    key = oracle.regress_id(path)
    if key not in RESULTS:
        text = oracle.expand_mdocdate(oracle.read_page(path))
        RESULTS[key] = compare(text, oracle.regress_name(path))
    return RESULTS[key]


# -- the tests ----------------------------------------------------------------


@pytest.mark.parametrize("path", MDOC_INPUTS, ids=oracle.regress_id)
def test_regress_input(path: Path) -> None:
    """Record one input; a mismatch shows as xfail, and only the floor can fail."""
    comparison = compare_regress(path)
    if comparison.mandoc is None:
        pytest.skip(f"mandoc has no tree: {comparison.error}")
    if not comparison.matches:
        pytest.xfail(comparison.summary())


def test_tree_parity_floor() -> None:
    oracle.require_tool("mandoc")
    if not MDOC_INPUTS:
        oracle.unavailable(f"no mdoc regress inputs under {oracle.REGRESS}")
    oracle.prefetch(MDOC_INPUTS, oracle.mandoc_tree)  # a no-op after the per-input tests
    results = [compare_regress(path) for path in MDOC_INPUTS]
    print(report(results))
    matching, compared = parity(results)
    assert compared, "mandoc gave no tree for any input"
    share = matching / compared
    assert share >= FLOOR, f"tree parity {share:.1%} is under the floor of {FLOOR:.0%}"


@pytest.mark.parametrize("path", EXACT_PAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_page_matches_exactly(path: Path) -> None:
    comparison = compare(oracle.require_page(path), path.name)
    if comparison.mandoc is None:
        pytest.fail(f"mandoc has no tree for {path}: {comparison.error}")
    found = comparison.differences
    if found:
        shown = "\n".join(str(d) for d in found[:40])
        pytest.fail(f"{len(found)} differences from mandoc:\n{shown}", pytrace=False)


def test_cli_tree_is_the_dump() -> None:
    text = oracle.require_page(oracle.SEED)
    done = oracle.run_cli(["tree", oracle.SEED.name], oracle.SEED.parent)
    assert done.returncode in range(5), done.stderr
    assert done.stdout == oracle.our_tree(text, oracle.SEED.name)


@pytest.mark.parametrize("path", oracle.manual_pages(), ids=lambda p: p.name)
def test_manual_differs_only_where_known(path: Path) -> None:
    comparison = compare(oracle.read_page(path), path.name)
    if comparison.mandoc is None:
        pytest.fail(f"mandoc has no tree for {path}: {comparison.error}")
    found = comparison.differences
    known = {line for line, _reason in KNOWN_DIFFERENCES.get(path.name, [])}
    unlisted = [d for d in found if d.line not in known]
    stale = sorted(known - {d.line for d in found})
    problems = []
    if unlisted:
        lines = sorted({d.line for d in unlisted})
        problems.append(
            f"{len(lines)} lines differ and are not in KNOWN_DIFFERENCES[{path.name!r}]: "
            f"{lines}\n" + "\n".join(str(d) for d in unlisted[:40])
        )
    if stale:
        problems.append(f"listed in KNOWN_DIFFERENCES[{path.name!r}] but equal now: {stale}")
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


def test_expand_mdocdate_gives_the_expected_footer_date() -> None:
    """The expanded date is the one in the footers the corpus expects."""
    oracle.require_tool("mandoc")
    # The corpus README: only mdoc/Oo/punct's footer has another date.
    odd = {"mdoc/Oo/punct.in"}
    checked, wrong = 0, []
    for path in [*oracle.regress_inputs("mdoc"), *oracle.regress_inputs("roff")]:
        text = oracle.read_page(path)
        expected = path.with_suffix(".out_ascii")
        name = oracle.regress_name(path)
        if oracle.expand_mdocdate(text) == text or not expected.exists() or name in odd:
            continue
        last_line = expected.read_text(encoding="utf-8").rstrip().rsplit("\n", 1)[-1]
        footer = re.search(r"[A-Z][a-z]+ \d{1,2}, \d{4}", last_line)
        try:
            tree = oracle.mandoc_tree(oracle.expand_mdocdate(text), name)
        except oracle.MandocCrashed:
            continue
        checked += 1
        date = oracle.tree_meta(tree).get("date")
        if footer is None or footer.group() != date:
            wrong.append(f"{name}: tree {date!r}, footer {footer and footer.group()!r}")
    if checked == 0:
        oracle.unavailable("no regress input with $Mdocdate$ and an expected output")
    assert not wrong, "\n".join(wrong)


TREE = """\
title = "X"
os    = "Debian"
body  = empty

 $OpenBSD: x.in,v 1.1 $ (comment) 1:3
Sh (block) *5:2
  Sh (head) 5:2 ID=HREF
      a (b) (text) 3:1 (text) 5:5
  Sh (body) 5:2 BROKEN
      Bl (block) -column -width [ [x (text) 1:1] ] *6:2
        ( (text) (6:7
        Bl (head) 6:2
      Sy (elem) *7:2 ID=HREF=foo NOFILL
          x (text) 7:5.
          y (text) 7:7)
          z (text) *8:1 NOFILL
      Bd (body-end) *9:2
        lead (text) *10:1 NOSRC NOPRT
"""


def test_tree_records_read_the_tree_format() -> None:
    assert oracle.tree_meta(TREE) == {"title": "X", "os": "Debian", "body": "empty"}
    assert [(r.depth, r.kind, r.name, r.line) for r in oracle.tree_records(TREE)] == [
        (0, "comment", " $OpenBSD: x.in,v 1.1 $", 1),
        (0, "block", "Sh", 5),
        (1, "head", "Sh", 5),
        (2, "text", "a (b) (text) 3:1", 5),
        (1, "body", "Sh", 5),
        (2, "block", "Bl", 6),
        (3, "text", "(", 6),
        (3, "head", "Bl", 6),
        (2, "elem", "Sy", 7),
        (3, "text", "x", 7),
        (3, "text", "y", 7),
        (2, "text", "    z", 8),
        (2, "body-end", "Bd", 9),
        (2, "text", "  lead", 10),
    ]
    with pytest.raises(ValueError, match="not a -T tree node line"):
        oracle.tree_records(TREE + "Sh (block)\n")


def test_differences_are_found() -> None:
    mandoc = oracle.tree_records(TREE)
    changed = [
        *mandoc[:9],
        TreeRecord(3, "text", "x!", 7),
        *mandoc[10:12],
        TreeRecord(3, "text", "lead", 10),
    ]
    assert record_differences(mandoc, mandoc) == []
    assert [d.line for d in record_differences(mandoc, changed)] == [7, 9, 10]
    assert [d.line for d in meta_differences({"os": "Debian"}, {"os": "OpenBSD"})] == [0]


# -- the script ---------------------------------------------------------------


def parity(results: list[Comparison]) -> tuple[int, int]:
    """How many inputs match, of those mandoc has a tree for."""
    return sum(r.matches for r in results), sum(r.mandoc is not None for r in results)


def report(results: list[Comparison]) -> str:
    """One line per input that does not match, then the share that does."""
    lines = [f"{r.name}: {r.summary()}" for r in results if not r.matches]
    matching, compared = parity(results)
    share = matching / compared if compared else 0.0
    lines.append(
        f"tree parity: {matching}/{compared} match ({share:.1%}, floor {FLOOR:.0%});"
        f" {len(results) - compared} without a mandoc tree"
    )
    return "\n".join(lines)


def _records_text(tree: str) -> list[str]:
    meta = [f"{key} = {value!r}" for key, value in oracle.tree_meta(tree).items()]
    return [*meta, "", *(str(record) for record in oracle.tree_records(tree))]


def show_diff(path: Path, records_only: bool) -> bool:
    """Print the unified diff of mandoc's and our tree; return whether they match."""
    name = oracle.page_name(path)
    comparison = compare(oracle.expand_mdocdate(oracle.read_page(path)), name)
    print(f"== {name}: {comparison.summary()}")
    if comparison.mandoc is None:
        return False
    if comparison.ours is None:
        try:
            oracle.our_tree(oracle.expand_mdocdate(oracle.read_page(path)), name)
        except Exception:
            traceback.print_exc(file=sys.stdout)
        return False
    if records_only:
        theirs, mine = _records_text(comparison.mandoc), _records_text(comparison.ours)
    else:
        theirs, mine = comparison.mandoc.split("\n"), comparison.ours.split("\n")
    diff = difflib.unified_diff(
        theirs, mine, f"mandoc -T tree {name}", f"mdoc2rst tree {name}", lineterm=""
    )
    sys.stdout.writelines(line + "\n" for line in diff)
    return comparison.matches


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Compare mdoc2rst's tree with mandoc -T tree.",
        epilog="Without inputs (or with --all): one line per mismatching mdoc regress input.",
    )
    parser.add_argument("inputs", nargs="*", help="test ids (Bl/bareIt) or page paths to diff")
    parser.add_argument("--diff", action="append", default=[], metavar="INPUT", help="diff this")
    parser.add_argument("--all", action="store_true", help="summary of all mdoc regress inputs")
    parser.add_argument("--records", action="store_true", help="diff the compared records only")
    args = parser.parse_args(argv)
    if shutil.which("mandoc") is None:
        print("mandoc is not installed (apt-get install mandoc)", file=sys.stderr)
        return 2
    if not oracle.REGRESS.is_dir():
        print(f"no corpus at {oracle.REGRESS} (set MDOC2RST_SHARED)", file=sys.stderr)
        return 2
    if importlib.util.find_spec("mdoc2rst") is None:
        sys.path.insert(1, str(oracle.ROOT))  # the work tree, when not installed
    specs = [*args.inputs, *args.diff]
    if specs and not args.all:
        matches = [show_diff(oracle.find_input(spec), args.records) for spec in specs]
        return 0 if all(matches) else 1
    start = time.perf_counter()
    oracle.prefetch(MDOC_INPUTS, oracle.mandoc_tree)
    middle = time.perf_counter()
    results = [compare_regress(path) for path in MDOC_INPUTS]
    end = time.perf_counter()
    print(report(results))
    print(
        f"time: mandoc {middle - start:.1f} s ({len(MDOC_INPUTS)} inputs,"
        f" {os.cpu_count()} threads), mdoc2rst {end - middle:.1f} s"
    )
    matching, compared = parity(results)
    return 0 if matching == compared else 1


if __name__ == "__main__":
    sys.exit(main())
