"""Parity of tbl(7) reading with mandoc 1.14.6: the tree and the lint, exactly.

Every tbl regress input (``regress/tbl/<group>/<test>.in``, man(7) and
mdoc(7) pages with tables) and every other regress input that holds a
table is compared with ``mandoc -T tree`` (the whole dump, the ``(tbl)``
and ``(tbl options)`` lines included) and ``mandoc -T lint -W all``, as
tests/test_man_parity.py does for man(7).  An input listed in
EXPECTED_DIFFERENCES must differ, for the reason given; every other input
must match, and the share that matches must stay at or above FLOOR.

Run as a script to see the differences:

    python tests/test_tbl_parity.py                   one line per input that differs
    python tests/test_tbl_parity.py tbl/opt/box ...   the diff of trees and lint lines
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
from pathlib import Path

import oracle
import pytest
from test_man_parity import (
    ManComparison,
    check_floor,
    check_input,
    compare,
    compare_all,
    parity,
    show,
)

FLOOR = 0.95

#: Inputs that differ, and why, by their path under the regress folder
#: without ``.in``.  An input listed here that matches fails the test, as
#: does one that differs and is not listed.
EXPECTED_DIFFERENCES: dict[str, str] = {
    "char/unicode/input": "bytes that are not UTF-8: mandoc reads each as a bad character "
    "(ERROR, printed ?), mdoc2rst's reader escapes it as \\[uDCxx] (a warning); the same "
    "outside tables",
}


def _has_table(path: Path) -> bool:
    return any(line.startswith(".TS") for line in oracle.read_page(path).splitlines())


def tbl_inputs() -> list[Path]:
    """The tbl regress inputs, then the other regress inputs with a table."""
    own = sorted((oracle.REGRESS / "tbl").glob("*/*.in"))
    others = [
        path
        for kind in ("mdoc", "man", "roff", "char", "eqn")
        for path in sorted((oracle.REGRESS / kind).glob("**/*.in"))
        if _has_table(path)
    ]
    return own + others


TBL_INPUTS = tbl_inputs() if oracle.REGRESS.is_dir() else []


def key(path: Path) -> str:
    return oracle.regress_name(path).removesuffix(".in")


def compare_input(path: Path) -> ManComparison:
    return compare(oracle.read_page(path), oracle.regress_name(path))


def report(results: list[tuple[Path, ManComparison]]) -> str:
    lines = [
        f"{key(path)}: {r.summary()}"
        + (
            f" [expected: {EXPECTED_DIFFERENCES[key(path)]}]"
            if key(path) in EXPECTED_DIFFERENCES
            else ""
        )
        for path, r in results
        if not r.matches
    ]
    trees, lints, compared = parity([r for _, r in results])
    if compared:
        lines.append(
            f"tbl(7) parity: tree {trees}/{compared} ({trees / compared:.1%}),"
            f" lint {lints}/{compared} ({lints / compared:.1%}), floor {FLOOR:.0%};"
            f" {len(results) - compared} without a mandoc answer"
        )
    return "\n".join(lines)


@pytest.mark.parametrize("path", TBL_INPUTS, ids=key)
def test_tbl_input(path: Path) -> None:
    """Each input matches, unless it is listed with the reason it does not."""
    check_input(compare_input(path), key(path), EXPECTED_DIFFERENCES)


def test_tbl_parity_floor() -> None:
    results = list(zip(TBL_INPUTS, compare_all(TBL_INPUTS, compare_input, "tbl"), strict=True))
    print(report(results))
    keys = {key(p) for p in TBL_INPUTS}
    check_floor([r for _, r in results], keys, EXPECTED_DIFFERENCES, FLOOR)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compare mdoc2rst's tbl(7) reading with mandoc.")
    parser.add_argument("inputs", nargs="*", help="inputs (tbl/opt/box, man/TS/break) or paths")
    args = parser.parse_args(argv)
    if shutil.which("mandoc") is None or not oracle.REGRESS.is_dir():
        print(f"needs mandoc and the corpus at {oracle.REGRESS}", file=sys.stderr)
        return 2
    if importlib.util.find_spec("mdoc2rst") is None:
        sys.path.insert(1, str(oracle.ROOT))  # the work tree, when not installed
    for spec in args.inputs:
        found = (
            Path(spec)
            if Path(spec).is_file()
            else oracle.REGRESS / f"{spec.removesuffix('.in')}.in"
        )
        show(found)
    if not args.inputs:
        oracle.prefetch(TBL_INPUTS, oracle.mandoc_tree)
        oracle.prefetch(TBL_INPUTS, oracle.mandoc_lint)
        print(report([(path, compare_input(path)) for path in TBL_INPUTS]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
