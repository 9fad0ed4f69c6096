"""Hostile tables: far beyond real pages, every pass stays linear and says what is wrong.

Small crafted tables are pages in tests/hostile/ (``tbl-*.mdoc``, with
their lint and reST, checked by tests/test_hostile.py).  The huge ones
are generated here: each is read, dumped and written within a deadline
that a quadratic step (a walk up every row above for each spanned cell,
a block's text copied once per line, a layout row's spans scanned once
per data row) would turn into a failure, and each gives the diagnostics
mandoc would.
"""

from __future__ import annotations

import pytest
from mutate import deadline

from mdoc2rst import parse
from mdoc2rst.tree.dump import dump
from mdoc2rst.writers.rst import RstOptions, write

HEADER = ".TH T 1 2020-05-01\n.SH NAME\nt \\- t\n.SH DESCRIPTION\n"


def table(layout: str, data: str, options: str = "", end: str = ".TE\n") -> str:
    return f"{HEADER}.TS\n{options}{layout}\n{data}{end}"


#: name -> (page, diagnostic kinds it must give, each at least once)
HUGE: dict[str, tuple[str, set[str]]] = {
    "million-columns": (table("l" * 1_000_000 + ".", "a\t" * 1_000_000 + "\n"), set()),
    "million-cells-one-column": (table("l.", "a\t" * 1_000_000 + "\n"), {"TBLDATA_EXTRA"}),
    "block-never-closed-200000": (
        table("l.", "T{\n" + "a line of the block\n" * 200_000, end=""),
        {"BLK_NOEND"},
    ),
    "block-in-down-cell-20000": (
        table("l\n^.", "a\nT{\n" + "more text\n" * 20_000 + "T}\n"),
        {"TBLDATA_SPAN"},
    ),
    "down-column-100000": (table("l\n^.", "a\n" + "\\^\n" * 100_000), set()),
    "spans-everywhere-300x300": (
        table("^ s " * 150 + "\n" + "l " * 300 + ".", ("\\^\t" * 300 + "\n") * 300),
        {"TBLLAYOUT_DOWN"},
    ),
    "long-span-run-reused-100000": (
        table("l" + " s" * 100_000 + " l.", "a\tb\n" * 100_000),
        set(),
    ),
    "rules-100000": (table("l.", "_\n=\n" * 50_000), {"TBLDATA_NONE"}),
    "bad-tab-option-1MB": (
        table("l.", "a\n", "tab(" + "x" * 1_000_000 + ");\n"),
        {"TBLOPT_ARGSZ"},
    ),
    "bad-options-100000": (table("l.", "a\n", "% tab() " * 100_000 + ";\n"), {"TBLOPT_ALPHA"}),
    "restart-100000": (table("l.", "a\n" + ".T&\nl.\nb\n" * 100_000), set()),
    "macros-in-table-100000": (table("l l.", ".B a\tb\n" * 100_000), {"TBLMACRO"}),
    # Each row continues a cell far right; each cell of the last row then
    # walks up every row: the walks are bounded, and say so.
    "far-continuations-3000x3000": (
        table(
            "l" + " s" * 3000 + " l.",
            "x\t\\^\n" * 3000 + ".T&\n" + "l " * 3001 + ".\n" + "\\^\t" * 3000 + "\n",
        ),
        {"TOOLARGE"},
    ),
    "tables-100000": (HEADER + ".TS\nl.\na\n.TE\n" * 100_000, set()),
    "unclosed-parens-layout": (table("l(" * 200_000 + ".", "a\n"), {"TBLLAYOUT_PAR"}),
}


@pytest.mark.parametrize("name", sorted(HUGE))
def test_huge_tables_stay_linear(name: str) -> None:
    page, kinds = HUGE[name]
    with deadline(60):
        doc = parse(page, f"{name}.1")
        if "columns" not in name and "span-run" not in name:
            # The dump prints each row's whole layout: for a layout of a
            # million cells that is output, not reading, that grows.
            dump(doc)
        write(doc, RstOptions(flavor="docutils"))
    found = {d.kind for d in doc.diagnostics}
    assert kinds <= found, f"missing {kinds - found}"
    assert all("\n" not in d.message for d in doc.diagnostics)


def test_block_messages_are_bounded() -> None:
    """A block in a cell spanned from above is reported on each of its
    lines with its text so far, as mandoc does; past 4096 characters the
    text is cut, else the messages would grow with the square of the block."""
    page, _ = HUGE["block-in-down-cell-20000"]
    doc = parse(page, "t.1")
    spans = [d for d in doc.diagnostics if d.kind == "TBLDATA_SPAN"]
    assert len(spans) == 20_000
    assert max(len(d.message) for d in spans) < 4096 + 100
    assert spans[-1].message.endswith("...")
