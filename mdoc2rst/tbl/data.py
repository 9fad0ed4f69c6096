"""The data lines of a table (mandoc's tbl_data.c).

A data line is a row of cells separated by the tab character of the
options; a line of only ``_`` or ``=`` is a horizontal line across the
table; a cell of only ``T{`` opens a text block that runs over the lines
that follow, up to a line starting with ``T}``.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Final

from mdoc2rst.roff.escape import scan_escape
from mdoc2rst.tbl.model import WALK_STEPS, CellType, Dat, DataType, Opt, Span, SpanType, Table
from mdoc2rst.tree.diagnostics import Reporter

#: Data cells that are horizontal lines, by their whole text.
_LINES: Final[dict[str, DataType]] = {
    "_": DataType.HORIZ,
    "=": DataType.DHORIZ,
    "\\_": DataType.NHORIZ,
    "\\=": DataType.NDHORIZ,
}

#: Layout cells that take no data: what is written there is ignored.
_NO_DATA: Final = frozenset({CellType.HORIZ, CellType.DHORIZ, CellType.DOWN})

#: The longest text of a block that a message about it quotes.
MESSAGE_TEXT: Final = 4096


def _cell_end(p: str, pos: int, tab: str) -> int:
    """Where the cell starting at ``pos`` ends: at the tab character or the
    end of the line; a tab inside an escape sequence does not count."""
    n = len(p)
    while pos < n:
        c = p[pos]
        if c == tab:
            return pos
        if c == "\\":
            pos = min(n, max(scan_escape(p, pos).end, pos + 1))
        else:
            pos += 1
    return n


def _continued(tbl: Table, sp: Span, col: int, report: Reporter, ln: int) -> Dat | None:
    """The cell that a cell in column ``col`` of the row below ``sp``
    continues downwards: the first cell at or right of ``col`` in the
    nearest row above that is not itself spanned from above (None when a
    row above has no such cell).  Results are kept per row and column, so
    a column of ``^`` cells is walked once, not once per cell."""
    walked: list[Span] = []
    row: Span | None = sp
    found: Dat | None = None
    while row is not None:
        if col in row.above:
            found = row.above[col]
            break
        if tbl.walk_steps <= 0:
            if tbl.walk_steps == 0:
                tbl.walk_steps = -1
                report("TOOLARGE", ln, 0, f"more than {WALK_STEPS} rows walked for vertical spans")
            return None
        tbl.walk_steps -= 1
        walked.append(row)
        k = bisect_left(row.cols, col)
        if k == len(row.cells):
            found = None
            break
        dat = row.cells[k]
        if dat.layout.pos is not CellType.DOWN and dat.string != "\\^":
            found = dat
            break
        row = row.prev
    for row in walked:
        row.above[col] = found
    return found


def _getdata(tbl: Table, sp: Span, report: Reporter, ln: int, p: str, pos: int) -> int:
    """One cell of data row ``sp`` from ``pos``; where the next one starts."""
    opts = tbl.opts
    n = len(p)
    start = pos
    pos = _cell_end(p, pos, opts.tab)
    # The next layout cell, past the spanned ones.
    row = sp.layout
    cells = row.cells
    k = row.skip_spans(sp.cells[-1].layout.col + 1 if sp.cells else 0)
    if k >= len(cells):
        # Out of layout cells: a new one when another row is wider, else
        # the rest of the line is dropped.
        if cells[-1].col + 1 < opts.cols:
            tbl.cell_alloc(sp.layout, CellType.LEFT)
        else:
            report("TBLDATA_EXTRA", ln, start, p[start:])
            return n
    cp = cells[k]
    dat = Dat(cp)
    if cp.pos is CellType.DOWN or (pos - start == 2 and p[start : start + 2] == "\\^"):
        above = _continued(tbl, sp.prev, cp.col, report, ln) if sp.prev is not None else None
        if above is not None:
            above.vspans += 1
    # Spanned cells to the right: a matter of the layout alone.
    dat.hspans = row.skip_spans(k + 1) - (k + 1)
    sp.cells.append(dat)
    sp.cols.append(cp.col)
    end = pos
    if opts.opts & Opt.NOSPACE:
        while start < end and p[start] == " ":
            start += 1
        while end > start and p[end - 1] == " ":
            end -= 1
    if p[start:end] == "T{":
        # A text block: the lines that follow fill it.  The parse point
        # stays at the tab, so an empty cell follows when more is written.
        tbl.part = "cdata"
        return pos
    text = p[start:end]
    dat.text = text
    if pos < n:
        pos += 1
    dat.pos = _LINES.get(text, DataType.DATA)
    if cp.pos in _NO_DATA and dat.pos is DataType.DATA and text:
        report("TBLDATA_SPAN", ln, start, text)
    return pos


def read_cdata(tbl: Table, report: Reporter, ln: int, p: str, pos: int) -> None:
    """A line of a ``T{`` text block: more text, or ``T}`` and more cells."""
    sp = tbl.last_span
    assert sp is not None and sp.cells, "a text block is open in a cell"
    dat = sp.cells[-1]
    n = len(p)
    if p.startswith("T}", pos):
        pos += 2
        if tbl.opts.opts & Opt.NOSPACE:
            while pos < n and p[pos] == " ":
                pos += 1
        if pos < n and p[pos] == tbl.opts.tab:
            tbl.part = "data"
            pos += 1
            while pos < n:
                pos = _getdata(tbl, sp, report, ln, p, pos)
            return
        if pos >= n:
            tbl.part = "data"
            return
        # Else T} starts a word: what follows it is text of the block.
    dat.pos = DataType.DATA
    dat.block = True
    dat.add_line(p[pos:])
    if dat.layout.pos is CellType.DOWN:
        # The block so far: cut, as a block of many lines would otherwise
        # make messages of a size growing with the square of its length.
        text = dat.head(MESSAGE_TEXT)
        report("TBLDATA_SPAN", ln, pos, text + "..." if dat.size > MESSAGE_TEXT else text)


def read_data(tbl: Table, report: Reporter, ln: int, p: str, pos: int) -> None:
    """A data line: ``p`` is the whole input line, data start at ``pos``."""
    last_data = tbl.last_data
    rp = tbl.first_row if last_data is None else last_data.layout.next or last_data.layout
    assert rp is not None, "the layout ended before data"
    if p in ("_", "="):
        tbl.new_span(ln, rp).pos = SpanType.HORIZ if p == "_" else SpanType.DHORIZ
        return
    if p == ".":
        # An empty request line: it ended the layout, it is nothing here.
        return
    # Layout rows of nothing but lines take an empty data row each.
    while rp.next is not None:
        if rp.cells[-1].col + 1 < tbl.opts.cols:
            break
        if not rp.only_rules():
            break
        tbl.last_data = tbl.new_span(ln, rp)
        rp = rp.next
    sp = tbl.last_data = tbl.new_span(ln, rp)
    n = len(p)
    while pos < n:
        pos = _getdata(tbl, sp, report, ln, p, pos)
