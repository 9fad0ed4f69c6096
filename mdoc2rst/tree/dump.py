"""The tree dumper: the document in the format of ``mandoc -T tree``.

Used to compare the parser with mandoc node by node, and by
``mdoc2rst tree``.  mdoc(7) and man(7) trees print alike (tree.c's
print_mdoc and print_man), but for the line a man(7) page without a body
gets.
"""

from __future__ import annotations

from mdoc2rst.tree.nodes import (
    BLOCK,
    BODY,
    COMMENT,
    ELEM,
    ENDBODY_NOT,
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
    p = n.string if n.type in (TEXT, COMMENT) else n.tok
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
