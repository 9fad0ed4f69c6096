"""The layout lines of a table, up to the full stop (mandoc's tbl_layout.c).

A layout row is a run of cell keys (``l c r n a s ^ _ - =``), each with
modifiers (fonts, widths, spacing, vertical bars); rows end at a comma or
at the end of an input line, and the layout at a full stop.
"""

from __future__ import annotations

from typing import Final

from mdoc2rst.tbl.model import Cell, CellFlag, CellType, Font, Row, Table
from mdoc2rst.tree.diagnostics import Reporter

#: Cell keys, case-insensitive.
KEYS: Final[dict[str, CellType]] = {
    "c": CellType.CENTRE,
    "r": CellType.RIGHT,
    "l": CellType.LEFT,
    "n": CellType.NUMBER,
    "s": CellType.SPAN,
    "a": CellType.LONG,
    "^": CellType.DOWN,
    "-": CellType.HORIZ,
    "_": CellType.HORIZ,
    "=": CellType.DHORIZ,
}

#: What ends a cell's list of modifiers: the next key or the row's end.
_MODS_END: Final = frozenset(".,-=^_ACLNRSaclnrs")

#: Modifiers that set a flag.
_FLAG_MODS: Final[dict[str, int]] = {
    "d": CellFlag.BALIGN,
    "e": CellFlag.EQUAL,
    "t": CellFlag.TALIGN,
    "u": CellFlag.UP,
    "x": CellFlag.WMAX,
    "z": CellFlag.WIGN,
}

#: Font names as mandoc_font() reads them; "P" and the rest are refused.
FONTS: Final[dict[str, Font]] = {
    "B": Font.BOLD,
    "3": Font.BOLD,
    "I": Font.ITALIC,
    "2": Font.ITALIC,
    "R": Font.ROMAN,
    "1": Font.ROMAN,
    "4": Font.BI,
    "BI": Font.BI,
    "CB": Font.CB,
    "CI": Font.CI,
    "CR": Font.CR,
    "CW": Font.CR,
}

#: strtoul's result when the number does not fit.
_ULONG_MAX: Final = (1 << 64) - 1


def _digits(p: str, pos: int) -> int:
    """Where the run of ASCII digits at ``pos`` ends."""
    n = len(p)
    while pos < n and "0" <= p[pos] <= "9":
        pos += 1
    return pos


def _mods(cp: Cell, report: Reporter, ln: int, p: str, pos: int) -> int:
    """The modifiers after a cell key; where the next key or row starts."""
    n = len(p)
    while True:
        while pos < n and p[pos] in " \t":
            pos += 1
        if pos >= n or p[pos] in _MODS_END:
            return pos
        c = p[pos]
        if c == "(":
            # A parenthesised expression is thrown away.
            close = p.find(")", pos + 1)
            if close < 0:
                report("TBLLAYOUT_PAR", ln, n)
                return n
            pos = close + 1
            continue
        if "0" <= c <= "9":
            end = _digits(p, pos)
            spacing = min(int(p[pos:end]), _ULONG_MAX)
            if spacing > 9:
                report("TBLLAYOUT_SPC", ln, pos, str(spacing))
            else:
                cp.spacing = spacing
            pos = end
            continue
        pos += 1
        key = c.lower() if c.isascii() else c
        if key in _FLAG_MODS:
            cp.flags |= _FLAG_MODS[key]
        elif key == "b":
            cp.font = Font.BOLD
        elif key == "i":
            cp.font = Font.ITALIC
        elif key == "m":
            report("TBLLAYOUT_MOD", ln, pos, "m")
        elif key in ("p", "v"):
            # Point size and vertical spacing: read and ignored.
            if pos < n and p[pos] in "+-":
                pos += 1
            pos = _digits(p, pos)
        elif key == "w":
            pos = _width(cp, p, pos)
        elif key == "|":
            if cp.vert < 2:
                cp.vert += 1
            else:
                report("TBLLAYOUT_VERT", ln, pos - 1)
        elif key == "f":
            pos = _font(cp, report, ln, p, pos)
        else:
            report("TBLLAYOUT_CHAR", ln, pos - 1, c)


def _width(cp: Cell, p: str, pos: int) -> int:
    """The argument of a ``w`` modifier: digits, or anything in parentheses."""
    n = len(p)
    if pos < n and p[pos] == "(":
        pos += 1
        close = p.find(")", pos)
        end = close if close >= 0 else n
    else:
        end = _digits(p, pos)
    if end > pos:
        cp.width = p[pos:end]
        pos = end
        if pos < n and p[pos] == ")":
            pos += 1
    return pos


def _font(cp: Cell, report: Reporter, ln: int, p: str, pos: int) -> int:
    """The name after an ``f`` modifier: one character, or two when the
    second is not a blank or the full stop (parenthesised names are skipped
    by the caller, as any parenthesised expression)."""
    n = len(p)
    while pos < n and p[pos] in " \t":
        pos += 1
    if pos < n and p[pos] == "(":
        return pos
    size = 0
    if pos < n:
        size = 1
        if pos + 1 < n and p[pos + 1] not in " \t.":
            size = 2
    font = FONTS.get(p[pos : pos + size]) if size else None
    if font is None:
        report("FT_BAD", ln, pos, f"TS {p[pos - 1 :]}")
    else:
        cp.font = font
    return pos + size


def _cell(tbl: Table, rp: Row, report: Reporter, ln: int, p: str, pos: int) -> int:
    """One cell key of row ``rp`` and its modifiers, after the bars that
    start the row; where the next one starts."""
    n = len(p)
    while pos < n and p[pos] in " \t|":
        if p[pos] == "|":
            if rp.vert < 2:
                rp.vert += 1
            else:
                report("TBLLAYOUT_VERT", ln, pos)
        pos += 1
    while True:
        while pos < n and p[pos] in " \t":
            pos += 1
        if pos >= n or p[pos] == ".":
            return pos
        c = p[pos]
        key = KEYS.get(c.lower() if c.isascii() else c)
        if key is not None:
            break
        report("TBLLAYOUT_CHAR", ln, pos, c)
        pos += 1
    if key is CellType.SPAN:
        if not rp.cells:
            report("TBLLAYOUT_SPAN", ln, pos)
        elif rp.cells[-1].pos in (CellType.HORIZ, CellType.DHORIZ):
            # A span of a line is more of the line.
            key = rp.cells[-1].pos
    elif key is CellType.DOWN and rp is tbl.first_row:
        report("TBLLAYOUT_DOWN", ln, pos)
    return _mods(tbl.cell_alloc(rp, key), report, ln, p, pos + 1)


def read_layout(tbl: Table, report: Reporter, ln: int, p: str, pos: int) -> None:
    """One line of the layout, from ``pos``."""
    n = len(p)
    rp: Row | None = None
    while True:
        while pos < n and p[pos] in " \t":
            pos += 1
        if pos >= n:
            return  # the row goes on, or a new one starts, on the next line
        if p[pos] == ",":
            pos += 1
            rp = None
            continue
        if p[pos] == ".":
            _end(tbl, report, ln, pos + 1)
            return
        if rp is None:
            last = tbl.last_row
            if last is None or last.cells:
                rp = Row()
                if last is None:
                    tbl.first_row = rp
                else:
                    last.next = rp
                tbl.last_row = rp
            else:
                rp = last
        pos = _cell(tbl, rp, report, ln, p, pos)


def _end(tbl: Table, report: Reporter, ln: int, pos: int) -> None:
    """The full stop: data follow.  An empty layout is one left column."""
    tbl.part = "data"
    first = tbl.first_row
    if first is None:
        first = tbl.first_row = tbl.last_row = Row()
    opts = tbl.opts
    if not first.cells:
        report("TBLLAYOUT_NONE", ln, pos)
        tbl.cell_alloc(first, CellType.LEFT)
        opts.lvert = max(opts.lvert, first.vert)
        return
    # The widest lines along the left and right margins; a last row left
    # empty (by a comma or bars at the end) is dropped.  Rows read before
    # an earlier end of layout are as they were then.
    rp: Row | None = first if tbl.checked is None else tbl.checked.next
    widths = tbl.right_lines
    while rp is not None:
        opts.lvert = max(opts.lvert, rp.vert)
        if rp.cells:
            width = rp.cells[-1].col + 1
            widths[width] = max(widths.get(width, 0), rp.cells[-1].vert)
        nxt = rp.next
        if nxt is not None and not nxt.cells:
            rp.next = None
            tbl.last_row = rp
        tbl.checked = rp
        rp = rp.next
    opts.rvert = max(opts.rvert, widths.get(opts.cols, 0))
