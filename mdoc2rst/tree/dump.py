"""The tree dumper: the document in the format of ``mandoc -T tree``.

Used to compare the parser with mandoc node by node, and by
``mdoc2rst tree``.  mdoc(7) and man(7) trees print alike (tree.c's
print_mdoc and print_man), but for the line a man(7) page without a body
gets.
"""

from __future__ import annotations

from mdoc2rst.eqn.box import dump_boxes
from mdoc2rst.tbl.model import CellFlag, DataType, Opt, Span, SpanType
from mdoc2rst.tree.nodes import (
    BLOCK,
    BODY,
    COMMENT,
    ELEM,
    ENDBODY_NOT,
    EQN,
    TEXT,
    Document,
    Flag,
    Meta,
    Node,
)

_META_FIELDS = (
    ("title", "title"),
    ("name", "name "),
    ("msec", "sec  "),
    ("vol", "vol  "),
    ("arch", "arch "),
    ("os", "os   "),
    ("date", "date "),
)


def dump(doc: Document) -> str:
    """The whole tree, meta data first, as mandoc prints it."""
    out: list[str] = []
    _meta(doc.meta, out)
    if doc.macroset == "man" and not doc.meta.hasbody:
        out.append("body  = empty")
    out.append("")
    for child in doc.root.children:
        _node(child, 0, out)
    return "\n".join(out) + "\n"


def _meta(meta: Meta, out: list[str]) -> None:
    for attr, label in _META_FIELDS:
        value = getattr(meta, attr)
        if value is not None:
            out.append(f'{label} = "{value}"')


def _node(n: Node, indent: int, out: list[str]) -> None:
    if n.span is not None:
        _span(n.span, " " * indent, out)
        return
    p = n.string if n.type in (TEXT, COMMENT) else "EQ" if n.type is EQN else n.tok
    t = n.type.value
    if n.type is BODY and n.end is not ENDBODY_NOT:
        t = "body-end"
    parts = [" " * indent, f"{p} ({t})"]
    if n.type in (BLOCK, ELEM) and n.args:
        for a in n.args:
            parts.append(f" -{a.name}")
            if a.values:
                parts.append(" [")
                parts.extend(f" [{v}]" for v in a.values)
                parts.append(" ]")
    parts.append(_attrs(n))
    out.append("".join(parts))
    if n.eqn is not None:
        out.extend(dump_boxes(n.eqn, indent + 4))
    step = 2 if n.type is BLOCK else 4
    for c in n.children:
        _node(c, indent + step, out)


def _attrs(n: Node) -> str:
    f = n.flags
    s = [" "]
    if f & Flag.DELIMO:
        s.append("(")
    if f & Flag.LINE:
        s.append("*")
    s.append(f"{n.line}:{n.pos + 1}")
    if f & Flag.DELIMC:
        s.append(")")
    if f & Flag.EOS:
        s.append(".")
    if f & Flag.ID:
        s.append(" ID")
        if f & Flag.HREF:
            s.append("=HREF")
    elif f & Flag.HREF:
        s.append(" HREF")
    elif n.tag is not None:
        s.append(" STRAYTAG")
    if n.tag is not None:
        s.append(f"={n.tag}")
    for flag, word in (
        (Flag.BROKEN, " BROKEN"),
        (Flag.NOFILL, " NOFILL"),
        (Flag.NOSRC, " NOSRC"),
        (Flag.NOPRT, " NOPRT"),
    ):
        if f & flag:
            s.append(word)
    return "".join(s)


#: Table options in the order tree.c prints them.
_OPT_WORDS = (
    (Opt.CENTRE, " center"),
    (Opt.EXPAND, " expand"),
    (Opt.ALLBOX, " allbox"),
    (Opt.BOX, " box"),
    (Opt.DBOX, " doublebox"),
    (Opt.NOKEEP, " nokeep"),
    (Opt.NOSPACE, " nospaces"),
    (Opt.NOWARN, " nowarn"),
)
_CELL_FLAGS = (
    (CellFlag.TALIGN, "t"),
    (CellFlag.UP, "u"),
    (CellFlag.BALIGN, "d"),
    (CellFlag.WIGN, "z"),
    (CellFlag.EQUAL, "e"),
    (CellFlag.WMAX, "x"),
)
_RULE_MARKS = {
    DataType.HORIZ: "-",
    DataType.NHORIZ: "-",
    DataType.DHORIZ: "=",
    DataType.NDHORIZ: "=",
}


def _span(sp: Span, pad: str, out: list[str]) -> None:
    """A table's data row as tree.c's print_span: the table's options
    before its first row, then the row's layout and its cells."""
    if sp.first:
        words = "".join(w for bit, w in _OPT_WORDS if sp.opts.opts & bit)
        out.append(f"{pad}{sp.opts.cols}{words} (tbl options) {sp.line}:1")
    if sp.pos is SpanType.HORIZ:
        out.append(f"{pad}- (tbl) {sp.line}:1")
        return
    if sp.pos is SpanType.DHORIZ:
        out.append(f"{pad}= (tbl) {sp.line}:1")
        return
    parts = [pad, "".join(c.pos.value for c in sp.layout.cells), " "]
    for dat in sp.cells:
        cp = dat.layout
        parts.append(f"{cp.col}{cp.pos.value}{cp.font.value}")
        parts.extend(letter for bit, letter in _CELL_FLAGS if cp.flags & bit)
        mark = _RULE_MARKS.get(dat.pos)
        if mark is not None:
            parts.append(mark)
        elif dat.block:
            parts.append(f"{{{dat.string or ''}}}")
        else:
            parts.append(f"[{dat.string or ''}]")
        if dat.hspans:
            parts.append(f">{dat.hspans}")
        if dat.vspans:
            parts.append(f"v{dat.vspans}")
        parts.append(" ")
    parts.append(f"(tbl) {sp.line}:1")
    out.append("".join(parts))
