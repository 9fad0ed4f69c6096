"""The table model, as mandoc's tbl.h: options, layout rows, data rows.

A table is read line by line, and the tree holds one node per data row
(:class:`Span`) as soon as the row exists; later lines still change the
rows already in the tree (a ``T{`` block fills its cell, a data row may add
layout cells, a cell spanned from below counts one more vertical span), as
they do in mandoc, whose tree dump prints the table as it ends.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Final

#: Rows that the walks up from cells spanned from above may visit in one
#: table.  Walks are shared per row and column, but a crafted table (each
#: row continuing a cell far to the right, then a row of many cells spanned
#: from above) still makes them grow with the square of its size, as they
#: do in mandoc; real tables take a few thousand steps.
WALK_STEPS: Final = 2_000_000


class Opt:
    """Option bits of a whole table (``TBL_OPT_*``)."""

    ALLBOX: Final = 1 << 0
    BOX: Final = 1 << 1
    CENTRE: Final = 1 << 2
    DBOX: Final = 1 << 3
    EXPAND: Final = 1 << 4
    NOKEEP: Final = 1 << 5
    NOSPACE: Final = 1 << 6
    NOWARN: Final = 1 << 7


class CellFlag:
    """Layout cell modifiers that are flags (``TBL_CELL_*``)."""

    TALIGN: Final = 1 << 2  # t
    UP: Final = 1 << 3  # u
    BALIGN: Final = 1 << 4  # d
    WIGN: Final = 1 << 5  # z
    EQUAL: Final = 1 << 6  # e
    WMAX: Final = 1 << 7  # x


class CellType(enum.Enum):
    """What a layout cell holds; the value is the letter mandoc's tree dump prints."""

    CENTRE = "c"
    RIGHT = "r"
    LEFT = "L"
    NUMBER = "n"
    SPAN = "s"
    LONG = "a"
    DOWN = "^"
    HORIZ = "-"
    DHORIZ = "="


class Font(enum.Enum):
    """A cell's font; the value is the suffix mandoc's tree dump prints."""

    ROMAN = ""
    BOLD = "b"
    ITALIC = "i"
    BI = "bi"
    CR = "c"
    CB = "cb"
    CI = "ci"


class DataType(enum.Enum):
    """What a data cell holds: text, or a horizontal line of some kind."""

    NONE = 0  # a T{ block that got no line yet
    DATA = 1
    HORIZ = 2  # _
    DHORIZ = 3  # =
    NHORIZ = 4  # \_ (a line only as wide as the text)
    NDHORIZ = 5  # \=


class SpanType(enum.Enum):
    """A data row: cells, or a line across the whole table."""

    DATA = 0
    HORIZ = 1
    DHORIZ = 2


@dataclass(slots=True)
class Opts:
    """Options of the whole table, and what the layout taught about it."""

    opts: int = 0
    cols: int = 0  # number of columns
    lvert: int = 0  # vertical lines at the left margin (0-2)
    rvert: int = 0  # and at the right
    tab: str = "\t"  # the cell separator
    decimal: str = "."


@dataclass(slots=True, eq=False)
class Cell:
    """A cell of a layout row: its kind and modifiers."""

    pos: CellType
    col: int
    width: str | None = None  # the w modifier, as written
    spacing: int = -1  # the number modifier (0-9); -1: the default
    vert: int = 0  # vertical lines to its right (0-2)
    flags: int = 0
    font: Font = Font.ROMAN


@dataclass(slots=True, eq=False)
class Row:
    """A layout row: the cells of one line (or comma-separated part) of the layout."""

    cells: list[Cell] = field(default_factory=list)
    vert: int = 0  # vertical lines at its left
    next: Row | None = None  # the layout row below
    #: Known ends of runs of spanned cells: index -> the first index at or
    #: after it that is not a span.  Every data row in this layout row
    #: looks for them; a long run is walked once.
    span_end: dict[int, int] = field(default_factory=dict)
    rules_only: bool | None = None  # all its cells are lines (None: not known yet)

    def skip_spans(self, k: int) -> int:
        """The first cell at or after index ``k`` that is not a span.

        A result stays right when the row grows: cells added later (by
        data rows wider than their layout) are never spans.
        """
        end = self.span_end.get(k)
        if end is None:
            cells = self.cells
            end = k
            while end < len(cells) and cells[end].pos is CellType.SPAN:
                end += 1
            self.span_end[k] = end
        return end

    def only_rules(self) -> bool:
        """Are all its cells horizontal lines?"""
        if self.rules_only is None:
            rules = (CellType.HORIZ, CellType.DHORIZ)
            self.rules_only = all(c.pos in rules for c in self.cells)
        return self.rules_only


@dataclass(slots=True, eq=False)
class Dat:
    """A data cell: its text and the layout cell it is in.

    The text of a ``T{`` block grows a line at a time: its lines are kept
    apart (``lines``) and joined when read, so that a block of many lines
    is not copied once per line.
    """

    layout: Cell
    text: str | None = None
    lines: list[str] | None = None
    hspans: int = 0  # layout cells to its right that it spans
    vspans: int = 0  # data rows below whose cell continues it
    block: bool = False  # a T{ ... T} text block
    pos: DataType = DataType.NONE
    size: int = 0  # the length of the block's text so far

    @property
    def string(self) -> str | None:
        """The cell's text (None: a block that got no line yet)."""
        lines = self.lines
        if lines:
            self.text = " ".join(lines) if self.text is None else " ".join([self.text, *lines])
            self.lines = None
        return self.text

    def head(self, limit: int) -> str:
        """The start of the text, up to ``limit`` characters, without
        joining all the lines of a long block."""
        if self.size <= limit:
            return self.string or ""
        pieces: list[str] = []
        got = 0
        for piece in ([self.text] if self.text is not None else []) + (self.lines or []):
            pieces.append(piece)
            got += len(piece) + 1
            if got > limit:
                break
        return " ".join(pieces)[:limit]

    def add_line(self, line: str) -> None:
        """One more line of a ``T{`` block."""
        if self.lines is None:
            self.lines = []
        self.lines.append(line)
        self.size += len(line) + (1 if self.size or self.text else 0)


@dataclass(slots=True, eq=False)
class Span:
    """A data row, with the options of its table and its layout row."""

    opts: Opts
    layout: Row
    line: int
    pos: SpanType = SpanType.DATA
    cells: list[Dat] = field(default_factory=list)
    cols: list[int] = field(default_factory=list)  # the column of each cell, for bisect
    prev: Span | None = None  # the data row above
    first: bool = False  # the table's first data row: the dump prints the options there
    #: The continued cell (or None) that a cell spanning down from this row
    #: finds above, by column: walks up the rows are shared, not repeated.
    above: dict[int, Dat | None] = field(default_factory=dict)


@dataclass(slots=True, eq=False)
class Table:
    """One table from ``.TS`` to ``.TE``: its options, layout and data rows.

    ``part`` is the section being read: "opts" (the first line, if it
    ends in a semicolon), "layout" (up to the full stop), "data", "cdata"
    (inside a ``T{`` block).  ``line`` and ``pos`` are where the table
    (or its last ``.T&``) starts, for messages about the whole table.
    """

    line: int
    pos: int
    opts: Opts = field(default_factory=Opts)
    part: str = "opts"
    first_row: Row | None = None
    last_row: Row | None = None
    spans: list[Span] = field(default_factory=list)
    emitted: int = 0  # data rows already handed to the tree
    last_data: Span | None = None  # the last row of cells, not a line
    #: The last layout row that an end of layout looked at: each ``.T&``
    #: adds rows, and only those are looked at again.
    checked: Row | None = None
    #: Layout rows by their number of cells: the most vertical lines
    #: right of their last cell.  A row that data rows widen later is
    #: narrower than the table by then, and never again as wide.
    right_lines: dict[int, int] = field(default_factory=dict)
    #: Rows the walks for vertical spans may still visit (data.WALK_STEPS);
    #: -1 once spent and reported.
    walk_steps: int = WALK_STEPS

    @property
    def last_span(self) -> Span | None:
        return self.spans[-1] if self.spans else None

    def cell_alloc(self, rp: Row, pos: CellType) -> Cell:
        """A new cell at the end of layout row ``rp``."""
        cp = Cell(pos, len(rp.cells))
        rp.cells.append(cp)
        rp.rules_only = None
        if self.opts.cols <= cp.col:
            self.opts.cols = cp.col + 1
        return cp

    def new_span(self, line: int, rp: Row) -> Span:
        """A new data row at the end, in layout row ``rp``."""
        sp = Span(self.opts, rp, line, prev=self.last_span, first=not self.spans)
        self.spans.append(sp)
        return sp

    def take_new(self) -> list[Span]:
        """The data rows made since the last call, for the tree."""
        new = self.spans[self.emitted :]
        self.emitted = len(self.spans)
        return new
