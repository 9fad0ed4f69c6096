"""Validation of man(7) trees: the prologue, defaults, tags and diagnostics.

After the parser has built the tree, :func:`validate` walks it as mandoc's
man_validate.c does: depth first, each node after its children, through one
handler per macro (and per roff request, as roff_validate.c).  ``.LP`` and
``.P`` become ``.PP``; ``.TH`` fills the page's meta data and leaves the
tree; empty paragraphs go; tags are proposed for section headings and list
items (:mod:`mdoc2rst.mdoc.tags` places them).

A node deleted from the list being walked stays in it, marked DELETED,
until that list is done, and the node before it in the mandoc sense
(skipping comments and requests that print nothing) is known without
looking back: a page of a hundred thousand skipped ``.br`` lines stays
linear.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from mdoc2rst.man.macros import PARAGRAPHS, TRANSPARENT
from mdoc2rst.mdoc import dates
from mdoc2rst.mdoc.tables import SECTION_VOLUMES
from mdoc2rst.mdoc.tags import TAG_STRONG, TAG_WEAK, Tags, postprocess
from mdoc2rst.mdoc.validate import valid_font
from mdoc2rst.roff.escape import Esc, scan
from mdoc2rst.tree.diagnostics import Reporter
from mdoc2rst.tree.nodes import BLOCK, BODY, COMMENT, HEAD, ROOT, TEXT, Flag, Meta, Node

_BSD_VERSIONS: Final = {
    "3": "3rd Berkeley Distribution",
    "4": "4th Berkeley Distribution",
    "5": "4.2 Berkeley Distribution",
    "6": "4.3 Berkeley Distribution",
    "7": "4.4 Berkeley Distribution",
}
_UNIX_VERSIONS: Final = {"3": "7th Edition", "4": "System III", "5": "System V"}

#: Font macros whose first word is a list item's tag (post_TP).
_TAG_FONTS: Final = frozenset({"B", "BI", "BR", "I", "IB", "IR"})
#: Escapes that check_tag steps over before a tag.
_TAG_SKIP: Final = frozenset(
    {
        Esc.FONT,
        Esc.FONTBOLD,
        Esc.FONTITALIC,
        Esc.FONTBI,
        Esc.FONTROMAN,
        Esc.FONTCR,
        Esc.FONTCB,
        Esc.FONTCI,
        Esc.FONTPREV,
        Esc.IGNORE,
    }
)


def _transparent(n: Node) -> bool:
    """Prints nothing and keeps no place (roff_node_transparent)."""
    return n.type is COMMENT or bool(n.flags & Flag.NOPRT) or n.tok in TRANSPARENT


def _filesec(filename: str) -> str:
    """The section digit of a file name like ``ls.1``, as mandoc reads it."""
    k = filename.rfind(".")
    if k >= 0 and k + 1 < len(filename) and "1" <= filename[k + 1] <= "9":
        return filename[k + 1]
    return ""


_Handler = Callable[["ManValidator", Node, list[Node]], None]


class ManValidator:
    """One validation pass over one man(7) tree."""

    def __init__(self, root: Node, meta: Meta, report: Reporter) -> None:
        self.root = root
        self.meta = meta
        self.report = report
        self.tags = Tags()
        self.filesec = _filesec(report.file)
        self.os_e = "other"

    def run(self) -> None:
        self.meta.hasbody = False
        self.visit(self.root, [])
        postprocess(self.root)

    # ------------------------------------------------------------------
    # The walk

    def visit(self, n: Node, before: list[Node]) -> None:
        """Validate ``n`` after its children.

        ``before`` holds the live siblings before ``n`` that print, in
        order: what mandoc's roff_node_prev() finds is its last.
        """
        if n.tok in PARAGRAPHS:
            n.tok = "PP"
        kids = n.children
        if kids:
            mine: list[Node] = []
            deleted = False
            i = 0
            while i < len(kids):
                child = kids[i]
                i += 1
                if child.type is TEXT:
                    if "\t" in child.string and not child.flags & Flag.NOFILL:
                        self.check_text(child)
                    mine.append(child)
                    continue
                self.visit(child, mine)
                if child.flags & Flag.DELETED:
                    deleted = True
                elif not _transparent(child):
                    mine.append(child)
            if deleted or n.flags & Flag.TOMBS:
                self.compact(n)
        t = n.type
        if t is TEXT:
            self.check_text(n)
        elif t is ROOT:
            self.check_root(n)
        elif t is not COMMENT:
            handler = _HANDLERS.get(n.tok)
            if handler is not None:
                handler(self, n, before)

    @staticmethod
    def compact(n: Node) -> None:
        """Drop the children marked DELETED, and renumber the rest."""
        kept = [c for c in n.children if not c.flags & Flag.DELETED]
        for k, c in enumerate(kept):
            c.hint = k
        n.children = kept
        n.flags &= ~Flag.TOMBS

    def bury(self, n: Node, before: list[Node] | None = None) -> None:
        """Delete ``n`` from a list being walked: it stays there, marked,
        until the walk of that list is done (see compact)."""
        n.flags |= Flag.DELETED
        if n.parent is not None:
            n.parent.flags |= Flag.TOMBS
        if before and before[-1] is n:
            before.pop()

    @staticmethod
    def delete(n: Node) -> None:
        """Delete ``n`` from a list no walk is in (a finished one)."""
        if n.parent is not None:
            n.unlink()

    # ------------------------------------------------------------------
    # Text and the document

    def check_text(self, n: Node) -> None:
        if n.flags & Flag.NOFILL:
            return
        s = n.string
        k = s.find("\t")
        while k >= 0:
            self.report("FI_TAB", n.line, n.pos + k)
            k = s.find("\t", k + 1)

    def check_root(self, n: Node) -> None:
        meta = self.meta
        last = n.children[-1] if n.children else None
        if last is None or last.type is COMMENT:
            self.report("DOC_EMPTY", n.line, n.pos)
        else:
            meta.hasbody = True
        if meta.title is None:
            self.report("TH_NOTITLE", n.line, n.pos)
            meta.title = ""
            meta.msec = ""
            meta.date = dates.normdate(None, None, self.report)
        if self.os_e != "other" and self.os_e not in meta.rcsids:
            system = "(OpenBSD)" if self.os_e == "openbsd" else "(NetBSD)"
            self.report("RCS_MISSING", 0, 0, system)

    # ------------------------------------------------------------------
    # The prologue

    def post_th(self, n: Node, before: list[Node]) -> None:
        meta = self.meta
        meta.th = True
        meta.title = meta.vol = meta.date = meta.msec = meta.os = None
        args = [c for c in n.children if c.type is TEXT]
        title = args[0] if args else None
        if title is not None:
            for i, c in enumerate(title.string):
                if c.isascii() and c.isalpha() and not c.isupper():
                    self.report("TITLE_CASE", title.line, title.pos + i, f"TH {title.string}")
                    break
            meta.title = title.string
        else:
            meta.title = ""
            self.report("TH_NOTITLE", n.line, n.pos, "TH")
        sec = args[1] if len(args) > 1 else None
        if sec is not None:
            meta.msec = sec.string
            first = sec.string[:1]
            if self.filesec and first and self.filesec != first and "1" <= first <= "9":
                self.report("MSEC_FILE", sec.line, sec.pos, f"*.{self.filesec} vs TH ... {first}")
        else:
            meta.msec = ""
            self.report("MSEC_MISSING", n.line, n.pos, f"TH {meta.title}")
        meta.date = dates.normdate(args[2] if len(args) > 2 else None, n, self.report)
        if len(args) > 3:
            meta.os = args[3].string
        if self.os_e == "other" and meta.os is not None:
            if "OpenBSD" in meta.os:
                self.os_e = "openbsd"
            elif "NetBSD" in meta.os:
                self.os_e = "netbsd"
        meta.os_e = self.os_e
        if len(args) > 4:
            meta.vol = args[4].string
        elif meta.msec:
            meta.vol = SECTION_VOLUMES.get(meta.msec)
        if len(args) > 5:
            extra = args[5]
            self.report("ARG_EXCESS", extra.line, extra.pos, f"TH ... {extra.string}")
        self.bury(n, before)

    def post_uc(self, n: Node, before: list[Node]) -> None:
        first = n.first
        version = first.string if first is not None and first.type is TEXT else ""
        self.meta.os = _BSD_VERSIONS.get(version, _BSD_VERSIONS["3"])

    def post_at(self, n: Node, before: list[Node]) -> None:
        first = n.first
        version = first.string if first is not None and first.type is TEXT else ""
        os = _UNIX_VERSIONS.get(version, _UNIX_VERSIONS["3"])
        if version == "5":
            nn = first.next if first is not None else None
            if nn is not None and nn.type is TEXT and nn.string:
                os = "System V Release 2"
        self.meta.os = os

    # ------------------------------------------------------------------
    # Sections and paragraphs

    def post_sh(self, n: Node, before: list[Node]) -> None:
        if n.type is HEAD:
            self.tags.put_heading(n)
            return
        if n.type is not BODY or not n.children:
            return
        nc = n.children[0]
        body = nc.body_node if nc.tok == "PP" and nc.type is BLOCK else None
        if body is not None and body.children:
            # The first paragraph's content moves up: a paragraph right
            # after a heading is none.
            moved = body.children
            body.children = []
            for c in moved:
                c.parent = n
                c.depth = n.depth + 1
            n.children[0:0] = moved
            for k, c in enumerate(n.children):
                c.hint = k
        if nc.tok in ("PP", "sp", "br"):
            self.report("PAR_SKIP", nc.line, nc.pos, f"{nc.tok} after {n.tok}")
            self.delete(nc)
        last = n.children[-1] if n.children else None
        if last is not None and last.tok == "br":
            self.report("PAR_SKIP", last.line, last.pos, f"br at the end of {n.tok}")
            self.delete(last)

    def check_par(self, n: Node, before: list[Node]) -> None:
        if n.type is BLOCK:
            body = n.body_node
            if body is None or not body.children:
                self.bury(n, before)
        elif n.type is BODY:
            first = n.first
            if first is not None and first.tok in ("sp", "br"):
                self.report("PAR_SKIP", first.line, first.pos, f"{first.tok} after {n.tok}")
                self.delete(first)
            if not n.children:
                self.report("PAR_SKIP", n.line, n.pos, f"{n.tok} empty")
        elif n.type is HEAD and n.children:
            first = n.children[0]
            more = " ..." if len(n.children) > 1 else ""
            self.report("ARG_SKIP", n.line, n.pos, f"{n.tok} {first.string}{more}")

    def post_ip(self, n: Node, before: list[Node]) -> None:
        if n.type is BLOCK:
            head, body = n.head, n.body_node
            if (head is None or not head.children) and (body is None or not body.children):
                self.bury(n, before)
        elif n.type is HEAD:
            self.check_tag(n, n.first)
        elif n.type is BODY:
            block = n.parent
            head = block.head if block is not None else None
            if (head is None or not head.children) and not n.children:
                self.report("PAR_SKIP", n.line, n.pos, f"{n.tok} empty")

    def post_tp(self, n: Node, before: list[Node]) -> None:
        """The tag is the first word on the line after ``.TP``, or the
        first word of the font macro there."""
        if n.type is not HEAD:
            return
        nt: Node | None = None
        for c in n.children:
            if c.flags & Flag.LINE:
                nt = c
                break
        if nt is not None and nt.tok in _TAG_FONTS:
            nt = nt.first
        self.check_tag(n, nt)

    def check_tag(self, n: Node, nt: Node | None) -> None:
        """Propose ``n`` for the term in text node ``nt``: past blanks,
        dashes, font escapes and \\&, when a letter starts it."""
        if nt is None or nt.type is not TEXT:
            return
        s = nt.string
        prio = TAG_STRONG
        i = 0
        while i < len(s):
            c = s[i]
            if c in " \t":
                prio = TAG_WEAK
                i += 1
            elif c == "-":
                i += 1
            elif c == "\\":
                kind, end, arg = scan(s, i)
                if kind is Esc.SPECIAL:
                    if arg not in ("-", "e"):
                        return
                elif kind not in _TAG_SKIP:
                    return
                i = max(end, i + 1)
            else:
                if c.isascii() and c.isalpha():
                    self.tags.put(s[i:], prio, n, child_string=i == 0 and nt is n.first)
                return

    def check_part(self, n: Node, before: list[Node]) -> None:
        if n.type is BODY and not n.children:
            self.report("BLK_EMPTY", n.line, n.pos, n.tok)

    def post_ur(self, n: Node, before: list[Node]) -> None:
        if n.type is HEAD and not n.children:
            self.report("UR_NOHEAD", n.line, n.pos, n.tok)
        self.check_part(n, before)

    # ------------------------------------------------------------------
    # Elements

    def post_op(self, n: Node, before: list[Node]) -> None:
        kids = n.children
        if not kids:
            self.report("OP_EMPTY", n.line, n.pos, "OP")
        elif len(kids) > 2:
            extra = kids[2]
            self.report("ARG_EXCESS", extra.line, extra.pos, f"OP ... {extra.string}")

    def post_ex(self, n: Node, before: list[Node]) -> None:
        if n.flags & Flag.NOFILL:
            self.report("NF_SKIP", n.line, n.pos, "EX")

    def post_ee(self, n: Node, before: list[Node]) -> None:
        if not n.flags & Flag.NOFILL:
            self.report("FI_SKIP", n.line, n.pos, "EE")

    def post_in(self, n: Node, before: list[Node]) -> None:
        """``.in`` in a list item's head indents relative to it."""
        parent = n.parent
        first = n.first
        if (
            parent is None
            or parent.tok != "TP"
            or parent.type is not HEAD
            or first is None
            or first.string[:1] in ("+", "-")
        ):
            return
        first.string = "+" + first.string

    # ------------------------------------------------------------------
    # roff requests (roff_validate.c)

    def roff_br(self, n: Node, before: list[Node]) -> None:
        nxt = n.next
        if nxt is not None and nxt.type is TEXT and nxt.string.startswith(" "):
            self.report("PAR_SKIP", n.line, n.pos, "br before text line with leading blank")
            self.bury(n, before)
            return
        prev = before[-1] if before else None
        if prev is not None and prev.type is not TEXT and prev.tok in ("br", "sp"):
            self.report("PAR_SKIP", n.line, n.pos, f"br after {prev.tok}")
            self.bury(n, before)

    def roff_sp(self, n: Node, before: list[Node]) -> None:
        prev = before[-1] if before else None
        if prev is not None and prev.type is not TEXT and prev.tok == "br":
            self.report("PAR_SKIP", prev.line, prev.pos, "br before sp")
            self.bury(prev, before)

    def roff_fi(self, n: Node, before: list[Node]) -> None:
        if not n.flags & Flag.NOFILL:
            self.report("FI_SKIP", n.line, n.pos, "fi")

    def roff_nf(self, n: Node, before: list[Node]) -> None:
        if n.flags & Flag.NOFILL:
            self.report("NF_SKIP", n.line, n.pos, "nf")

    def roff_ft(self, n: Node, before: list[Node]) -> None:
        first = n.first
        if first is None:
            word = Node(TEXT, "", n.line, n.pos, Flag.VALID | Flag.ENDED, string="P")
            word.parent = n
            word.depth = n.depth + 1
            word.file = n.file
            n.children.append(word)
            return
        if valid_font(first.string):
            return
        self.report("FT_BAD", n.line, n.pos, f"ft {first.string}")
        self.bury(n, before)


#: Macro or request -> its check, as man_valids[] and roff_valids[].
_HANDLERS: Final[dict[str, _Handler]] = {
    "TH": ManValidator.post_th,
    "SH": ManValidator.post_sh,
    "SS": ManValidator.post_sh,
    "TP": ManValidator.post_tp,
    "TQ": ManValidator.post_tp,
    "PP": ManValidator.check_par,
    "IP": ManValidator.post_ip,
    "RS": ManValidator.check_part,
    "UC": ManValidator.post_uc,
    "AT": ManValidator.post_at,
    "in": ManValidator.post_in,
    "OP": ManValidator.post_op,
    "EX": ManValidator.post_ex,
    "EE": ManValidator.post_ee,
    "UR": ManValidator.post_ur,
    "MT": ManValidator.post_ur,
    "br": ManValidator.roff_br,
    "sp": ManValidator.roff_sp,
    "fi": ManValidator.roff_fi,
    "nf": ManValidator.roff_nf,
    "ft": ManValidator.roff_ft,
}


def validate(root: Node, meta: Meta, report: Reporter) -> None:
    """Validate a man(7) tree in place, filling ``meta`` and reporting."""
    ManValidator(root, meta, report).run()
