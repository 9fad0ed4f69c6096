"""A table's lines in, its data rows out (mandoc's tbl.c).

The roff layer opens a :class:`~mdoc2rst.tbl.model.Table` at ``.TS``,
hands each line of it to :func:`read`, puts the data rows it makes
(:meth:`~mdoc2rst.tbl.model.Table.take_new`) into the tree, and calls
:func:`restart` at ``.T&`` and :func:`end` at ``.TE`` or the end of input.
"""

from __future__ import annotations

from mdoc2rst.tbl.data import read_cdata, read_data
from mdoc2rst.tbl.layout import read_layout
from mdoc2rst.tbl.model import Table
from mdoc2rst.tbl.opts import read_options
from mdoc2rst.tree.diagnostics import Reporter


def _has_options(p: str, pos: int) -> bool:
    """Does the line end its options with a semicolon?  One inside an
    option's parenthesised argument does not count."""
    active = True
    for c in p[pos:]:
        if c == "(":
            active = False
        elif c == ")":
            active = True
        elif c == ";" and active:
            return True
    return False


def read(tbl: Table, report: Reporter, ln: int, p: str, pos: int) -> None:
    """One line of the table: ``p`` is the whole line, the table's text
    starts at ``pos``."""
    if tbl.part == "opts":
        # Options only on the first line, and only when it has a semicolon.
        tbl.part = "layout"
        if _has_options(p, pos):
            pos = read_options(tbl.opts, report, ln, p, pos)
            if pos >= len(p):
                return
    if tbl.part == "layout":
        read_layout(tbl, report, ln, p, pos)
    elif tbl.part == "cdata":
        read_cdata(tbl, report, ln, p, pos)
    else:
        read_data(tbl, report, ln, p, pos)


def restart(tbl: Table, report: Reporter, line: int, pos: int) -> None:
    """``.T&``: a new layout for the rows that follow."""
    if tbl.part == "cdata":
        report("TBLDATA_BLK", line, pos, "T&")
    tbl.part = "layout"
    tbl.line = line
    tbl.pos = pos


def end(tbl: Table, report: Reporter, still_open: bool) -> bool:
    """The table ends (``still_open``: at the end of the input, without
    ``.TE``).  False when it has no data cell at all: mandoc then puts
    vertical space where it was."""
    if still_open:
        report("BLK_NOEND", tbl.line, tbl.pos, "TS")
    elif tbl.part == "cdata":
        report("TBLDATA_BLK", tbl.line, tbl.pos, "TE")
    if any(sp.cells for sp in tbl.spans):
        return True
    report("TBLDATA_NONE", tbl.line, tbl.pos)
    return False
