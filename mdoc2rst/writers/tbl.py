"""tbl(7) tables as reST: a grid table when one can carry the table, else text.

A table is a run of TBL nodes (:func:`table_at` collects it); each holds one
data row (:class:`~mdoc2rst.tbl.model.Span`).  :func:`write_table` turns
the rows into reST lines:

* a grid table, with horizontal spans (``s`` in the layout) and vertical
  ones (``^`` or ``\\^``) as spanned cells, a first row followed by a line
  as the header, text blocks (``T{``) wrapped;
* else (a span that overlaps another cell, text that would read as grid
  borders, a table wider than ``TableOptions.max_width``) the table as
  text, aligned as ``mandoc -T utf8`` aligns it, in a literal block: a
  table is never lost.

The caller chooses how a cell's roff text becomes inline reST (``inline``,
by default :func:`mdoc2rst.writers.base.escape_text` of the rendered text)
and how text becomes plain text for the literal block (``plain``, by
default :func:`mdoc2rst.roff.escape.render`).
"""

from __future__ import annotations

import textwrap
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mdoc2rst.roff.escape import render
from mdoc2rst.tbl.model import CellType, Dat, DataType, Font, Opt, Span, SpanType
from mdoc2rst.tree.nodes import TBL, Node


@dataclass(frozen=True, slots=True)
class TableOptions:
    """How tables are written."""

    max_width: int = 120  # the widest grid table; wider ones become text
    block_width: int = 40  # where the text of a T{ block wraps


def _inline(text: str) -> str:
    # Imported here: the writers' shared module imports this one to write
    # the tables of a page, with their own inline markup.
    from mdoc2rst.writers.base import escape_text

    # Word by word, each as if it started a line: "1. x" or "- x" in a
    # cell would otherwise read as a list.
    return " ".join(escape_text(word) for word in render(text).split(" "))


def width(text: str) -> int:
    """Display columns of ``text``: two for wide East Asian characters,
    none for combining ones (docutils measures grid tables so)."""
    if text.isascii():
        return len(text)
    total = 0
    for c in text:
        if unicodedata.combining(c):
            continue
        total += 2 if unicodedata.east_asian_width(c) in "WF" else 1
    return total


def table_at(siblings: Sequence[Node], start: int) -> tuple[list[Span], int]:
    """The data rows of the table whose TBL node is ``siblings[start]``:
    that node and the TBL nodes of the same table right after it.  Returns
    the rows and the index of the first sibling after them."""
    first = siblings[start].span
    if first is None:
        return [], start + 1
    rows = [first]
    k = start + 1
    while k < len(siblings):
        n = siblings[k]
        if n.type is not TBL or n.span is None or n.span.opts is not first.opts:
            break
        rows.append(n.span)
        k += 1
    return rows, k


def write_table(
    spans: Sequence[Span],
    options: TableOptions | None = None,
    inline: Callable[[str], str] = _inline,
    plain: Callable[[str], str] = render,
) -> list[str]:
    """The rows as reST lines, with no blank line around them; none for a
    table without cells."""
    opts = options or TableOptions()
    data = [sp for sp in spans if sp.pos is SpanType.DATA]
    cols = max((sp.opts.cols for sp in data), default=0)
    if len(data) * cols > _MATRIX_MAX:
        # Only hostile pages have such tables: the matrix of their cells
        # would grow with rows times columns.
        return _unaligned(data, plain)
    model = _Model.build(spans)
    if model is None:
        return []
    grid = _grid(model, opts, inline)
    if grid is not None:
        return grid
    if model.overlap:
        # A span hides text of another cell: each cell on its own instead.
        model = _Model.build(spans, joined=False) or model
    return _literal(model, spans, opts, plain)


#: The most cells (rows times columns) a table is laid out in; a table of
#: more is written one row a line, its cells' text separated by blanks.
_MATRIX_MAX = 1 << 20


def _unaligned(rows: Sequence[Span], plain: Callable[[str], str]) -> list[str]:
    """The rows' text, one row a line, in a literal block: linear in the cells."""
    out: list[str] = []
    for sp in rows:
        texts = (plain(d.string) for d in sp.cells if d.string and not _is_rule(d))
        line = "   ".join(" ".join(t.split()) for t in texts)
        out.append("    " + line if line else "")
    while out and not out[-1]:
        out.pop()
    return ["::", "", *out] if any(out) else []


# -- the table as a matrix of cells -------------------------------------------


@dataclass(slots=True)
class _Cell:
    """A cell of the matrix: its place, its extent and its text."""

    row: int
    col: int
    dat: Dat | None
    rows: int = 1
    cols: int = 1


def _is_continuation(dat: Dat) -> bool:
    """A cell that continues the one above (``^`` in the layout, ``\\^``)."""
    return dat.layout.pos is CellType.DOWN or dat.string == "\\^"


def _is_rule(dat: Dat) -> bool:
    return dat.pos is not DataType.DATA and dat.pos is not DataType.NONE


@dataclass(slots=True)
class _Model:
    """The data rows as a matrix: ``at[r][c]`` is the cell covering (r, c),
    ``rows[r]`` the data row (spans that are lines across the table are
    left out, and noted in ``rule_after``)."""

    rows: list[Span]
    cols: int
    at: list[list[_Cell]]
    cells: list[_Cell]
    rule_after: set[int]
    overlap: bool  # a span runs into another cell: no grid can show that

    @staticmethod
    def build(spans: Sequence[Span], joined: bool = True) -> _Model | None:
        """The matrix of the rows; ``joined`` False: each cell alone, spans
        ignored, for text that a span would hide."""
        rows: list[Span] = []
        rule_after: set[int] = set()
        for sp in spans:
            if sp.pos is not SpanType.DATA or (not sp.cells and sp.layout.only_rules()):
                rule_after.add(len(rows) - 1)
            else:
                rows.append(sp)
        cols = max((sp.opts.cols for sp in rows), default=0)
        if not rows or cols == 0:
            return None
        at: list[list[_Cell | None]] = [[None] * cols for _ in rows]
        cells: list[_Cell] = []
        overlap = False
        for r, sp in enumerate(rows):
            for dat in sp.cells:
                c = dat.layout.col
                if c >= cols:
                    continue
                if at[r][c] is not None:
                    # Covered by a span from the left or from above: text
                    # written there would be lost in a grid.
                    if not _is_continuation(dat) and not _is_rule(dat) and dat.string:
                        overlap = True
                    continue
                if _is_continuation(dat):
                    continue  # continues nothing here: left empty
                cell = _Cell(r, c, dat)
                if joined:
                    cell.rows = min(1 + dat.vspans, len(rows) - r)
                    cell.cols = min(1 + dat.hspans, cols - c)
                for rr in range(r, r + cell.rows):
                    for cc in range(c, c + cell.cols):
                        if at[rr][cc] is not None:
                            overlap = True
                        else:
                            at[rr][cc] = cell
                cells.append(cell)
        # Places no cell covers: empty cells of their own.
        full: list[list[_Cell]] = []
        for r in range(len(rows)):
            line: list[_Cell] = []
            for c in range(cols):
                cell_or_none = at[r][c]
                if cell_or_none is None:
                    cell_or_none = _Cell(r, c, None)
                    cells.append(cell_or_none)
                line.append(cell_or_none)
            full.append(line)
        return _Model(rows, cols, full, cells, rule_after, overlap)


#: A layout font as the escape that selects it.
_FONT_ESCAPE: dict[Font, str] = {
    Font.ROMAN: "",
    **{f: f"\\f[{f.value.upper()}]" for f in Font if f is not Font.ROMAN},
}


def _cell_lines(
    cell: _Cell, opts: TableOptions, text_of: Callable[[str], str], wrap: bool
) -> list[str]:
    """A cell's text as lines: a text block wraps, a rule is a line of
    dashes (in the literal text only)."""
    dat = cell.dat
    if dat is None or dat.string is None or _is_rule(dat):
        return []
    # The layout's font (``lb``, ``li``) as the font escape it stands for,
    # so that each writer shows it as it shows the page's fonts.
    text = text_of(_FONT_ESCAPE[dat.layout.font] + dat.string).strip()
    if not text:
        return []
    if dat.block and wrap:
        return textwrap.wrap(
            text, opts.block_width, break_long_words=False, break_on_hyphens=False
        ) or [text]
    return [text]


# -- a grid table --------------------------------------------------------------


def _grid(model: _Model, opts: TableOptions, inline: Callable[[str], str]) -> list[str] | None:
    """The matrix as a grid table, or None when it cannot be one."""
    if model.overlap:
        return None
    texts = {id(cell): _cell_lines(cell, opts, inline, True) for cell in model.cells}
    for cell in model.cells:
        if cell.rows == 1 and cell.cols == 1:
            continue
        for line in texts[id(cell)]:
            # Text across the inner borders of a spanning cell, that the
            # grid parser could take for borders.
            if "|" in line or "+" in line or line.strip("-= ") == "":
                return None
    nrows, ncols = len(model.rows), model.cols
    # Column widths (text and a blank each side), then rows' heights, from
    # cells of one column or row first; a spanning cell widens the last
    # column (or row) it spans when the rest is too narrow.
    colw = [3] * ncols
    rowh = [1] * nrows
    for cell in model.cells:
        need = max((width(t) for t in texts[id(cell)]), default=0) + 2
        if cell.cols == 1:
            colw[cell.col] = max(colw[cell.col], need)
        if cell.rows == 1:
            rowh[cell.row] = max(rowh[cell.row], len(texts[id(cell)]))
    for cell in model.cells:
        need = max((width(t) for t in texts[id(cell)]), default=0) + 2
        have = sum(colw[cell.col : cell.col + cell.cols]) + cell.cols - 1
        if need > have:
            colw[cell.col + cell.cols - 1] += need - have
        lines = len(texts[id(cell)])
        room = sum(rowh[cell.row : cell.row + cell.rows]) + cell.rows - 1
        if lines > room:
            rowh[cell.row + cell.rows - 1] += lines - room
    total = sum(colw) + ncols + 1
    if total > opts.max_width:
        return None
    xs = [0]
    for w in colw:
        xs.append(xs[-1] + w + 1)
    ys = [0]
    for h in rowh:
        ys.append(ys[-1] + h + 1)
    canvas = [[" "] * total for _ in range(ys[-1] + 1)]
    for cell in model.cells:
        x0, x1 = xs[cell.col], xs[cell.col + cell.cols]
        y0, y1 = ys[cell.row], ys[cell.row + cell.rows]
        for x in range(x0 + 1, x1):
            for y in (y0, y1):
                if canvas[y][x] != "+":
                    canvas[y][x] = "-"
        for y in range(y0 + 1, y1):
            for x in (x0, x1):
                if canvas[y][x] != "+":
                    canvas[y][x] = "|"
        for x, y in ((x0, y0), (x1, y0), (x0, y1), (x1, y1)):
            canvas[y][x] = "+"
    for cell in model.cells:
        x0, y0 = xs[cell.col], ys[cell.row]
        for i, line in enumerate(texts[id(cell)]):
            _paint(canvas[y0 + 1 + i], x0 + 2, line)
    out = ["".join(row).rstrip() for row in canvas]
    head = _header_line(model)
    if head is not None:
        out[ys[head]] = out[ys[head]].replace("-", "=")
    return out


def _paint(row: list[str], x: int, text: str) -> None:
    """Put ``text`` into a canvas row from column ``x``: a wide character
    takes two columns, the second left empty."""
    for c in text:
        if unicodedata.combining(c) and x > 0:
            row[x - 1] += c
            continue
        row[x] = c
        x += 1
        if unicodedata.east_asian_width(c) in "WF":
            row[x] = ""
            x += 1


def _header_line(model: _Model) -> int | None:
    """The row boundary after the first row, when a line follows that row
    and no cell spans across it: the table's header."""
    if 0 not in model.rule_after or len(model.rows) < 2:
        return None
    if any(cell.row == 0 and cell.rows > 1 for cell in model.cells):
        return None
    return 1


# -- the table as text -----------------------------------------------------------


def _align(text: str, size: int, how: CellType) -> str:
    pad = size - width(text)
    if how in (CellType.RIGHT, CellType.NUMBER):
        return " " * pad + text
    if how is CellType.CENTRE:
        return " " * (pad // 2) + text + " " * (pad - pad // 2)
    return text + " " * pad


def _literal(
    model: _Model, spans: Sequence[Span], opts: TableOptions, plain: Callable[[str], str]
) -> list[str]:
    """The table as text in a literal block, columns aligned, lines drawn."""
    texts = {id(cell): _cell_lines(cell, opts, plain, True) for cell in model.cells}
    colw = [0] * model.cols
    for cell in model.cells:
        if cell.cols == 1:
            need = max((width(t) for t in texts[id(cell)]), default=0)
            colw[cell.col] = max(colw[cell.col], need)
    gap = 3
    for cell in model.cells:
        need = max((width(t) for t in texts[id(cell)]), default=0)
        have = sum(colw[cell.col : cell.col + cell.cols]) + gap * (cell.cols - 1)
        if need > have:
            colw[cell.col + cell.cols - 1] += need - have
    total = sum(colw) + gap * (model.cols - 1)
    boxed = bool(spans and spans[0].opts.opts & (Opt.BOX | Opt.DBOX))
    out: list[str] = []

    def rule(char: str) -> str:
        return ("+" + char * (total + 2) + "+") if boxed else char * total

    if boxed:
        out.append(rule("-"))
    if -1 in model.rule_after:
        out.append(rule("-"))
    for r, _sp in enumerate(model.rows):
        # A cell spanning rows down prints all its lines in its first row.
        height = max((len(texts[id(cell)]) for cell in model.at[r] if cell.row == r), default=1)
        height = max(height, 1)
        starts = [cell for c, cell in enumerate(model.at[r]) if cell.col == c]
        for i in range(height):
            parts: list[str] = []
            for cell in starts:
                size = sum(colw[cell.col : cell.col + cell.cols]) + gap * (cell.cols - 1)
                lines = texts[id(cell)] if cell.row == r else []
                dat = cell.dat
                if dat is not None and _is_rule(dat) and cell.row == r:
                    char = "=" if dat.pos in (DataType.DHORIZ, DataType.NDHORIZ) else "-"
                    parts.append(char * size)
                    continue
                how = dat.layout.pos if dat is not None else CellType.LEFT
                text = lines[i] if i < len(lines) else ""
                parts.append(_align(text, size, how))
            line = (" " * gap).join(parts).rstrip()
            out.append(f"| {line.ljust(total)} |" if boxed else line)
        if r in model.rule_after:
            out.append(rule("-"))
    if boxed:
        out.append(rule("-"))
    return ["::", ""] + ["    " + line if line else "" for line in out]
