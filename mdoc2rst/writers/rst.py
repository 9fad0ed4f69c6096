"""The reStructuredText writer: a validated mdoc tree to reST text.

The shape follows mandoc's markdown writer (mdoc_markdown.c): one action
table row per macro (:data:`_ACTS`: pre, post, prefix, suffix, font) and
the same word-spacing state (a space is due before the next word unless a
delimiter, ``.Ns``, ``.Pf``, ``.Ap`` or ``.Sm off`` took it away).

Words are first collected as *atoms* (text in one font, or one link), then
a paragraph is formatted in one go, so that escaping can see the whole
line: page text must never turn into reST markup.  Two flavours exist:
``sphinx`` uses the C domain and Sphinx roles; ``docutils`` is plain reST
that docutils alone renders without a message.  Neither Sphinx nor
docutils is imported here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from mdoc2rst.roff.escape import render
from mdoc2rst.safe import LINE_ENDS, safe_mail
from mdoc2rst.tree.nodes import (
    BLOCK,
    BODY,
    COMMENT,
    ELEM,
    ENDBODY_NOT,
    HEAD,
    ROOT,
    TEXT,
    Document,
    Flag,
    Node,
    Sec,
)
from mdoc2rst.tree.text import ENCLOSURES
from mdoc2rst.writers.base import (
    _C_NAME,
    _LONG,
    _MACRO_PARAM,
    C_KEYWORDS,
    LABEL_MAX,
    LINE_MARK,
    NEWLINE,
    XR_PRESETS,
    PageWriter,
    RstOptions,
    Style,
    _hang,
    _plain_text,
    _Ref,
    _rubric,
    _texts,
    _width,
    _Word,
    errno_label,
    escape_text,
    label,
    xr_template,
)
from mdoc2rst.writers.man import write_man

#: What other modules take from here: the writer, and the shared pieces
#: they knew this module for before the writers shared them.
__all__ = [
    "C_KEYWORDS",
    "LABEL_MAX",
    "LINE_MARK",
    "XR_PRESETS",
    "RstOptions",
    "errno_label",
    "escape_text",
    "label",
    "write",
    "xr_template",
]

# -- the action table ---------------------------------------------------------

_Pre = Callable[["_Writer", Node], bool]
_Post = Callable[["_Writer", Node], None]


@dataclass(frozen=True, slots=True)
class _Act:
    """One row of the table, like md_acts[]: what a macro does around its children."""

    pre: _Pre | None = None
    post: _Post | None = None
    prefix: str = ""
    suffix: str = ""
    style: Style = ""
    body_only: bool = False  # enclosures act on their body (md_cond_body)


def _pre_font(w: _Writer, n: Node) -> bool:
    act = _ACTS[n.tok]
    w.styles.append(act.style)
    if act.prefix:
        w.word(act.prefix, act.style)
        w.spc = False
    return True


def _post_font(w: _Writer, n: Node) -> None:
    act = _ACTS[n.tok]
    w.styles.pop()
    if act.suffix:
        w.spc = False
        w.word(act.suffix, act.style)


def _pre_enclose(w: _Writer, n: Node) -> bool:
    act = _ACTS[n.tok]
    w.word(_open_quote(n, act), w.style)
    w.spc = False
    if act.style:
        w.styles.append(act.style)
    return True


def _post_enclose(w: _Writer, n: Node) -> None:
    act = _ACTS[n.tok]
    if act.style:
        w.styles.pop()
    w.spc = False
    w.word(_close_quote(n, act), w.style)


def _angle_mail(n: Node) -> bool:
    # mandoc prints <user@host> rather than angle brackets around a lone .Mt.
    body = n if n.type is BODY else n.body_node
    kids = [c for c in (body.children if body else []) if c.type is not COMMENT]
    return len(kids) == 1 and kids[0].tok == "Mt"


def _open_quote(n: Node, act: _Act) -> str:
    return "<" if n.tok in ("Aq", "Ao") and _angle_mail(n) else act.prefix


def _close_quote(n: Node, act: _Act) -> str:
    return ">" if n.tok in ("Aq", "Ao") and _angle_mail(n) else act.suffix


def _pre_skip(w: _Writer, n: Node) -> bool:
    return False


def _pre_ns(w: _Writer, n: Node) -> bool:
    w.spc = False
    return False


def _pre_ap(w: _Writer, n: Node) -> bool:
    w.spc = False
    w.word("'", w.style)
    w.spc = False
    return False


def _post_pf(w: _Writer, n: Node) -> None:
    if n.next is not None and not n.next.flags & Flag.LINE:
        w.spc = False


def _pre_no(w: _Writer, n: Node) -> bool:
    w.spc_force = True
    w.styles.append("")
    return True


def _post_pop(w: _Writer, n: Node) -> None:
    w.styles.pop()


def _pre_sm(w: _Writer, n: Node) -> bool:
    arg = n.children[0].string if n.children else None
    w.sm = not w.sm if arg is None else arg == "on"
    if w.sm:
        w.spc = True
    return False


def _pre_fl(w: _Writer, n: Node) -> bool:
    w.word("-", "strong")
    w.spc = False
    w.styles.append("strong")
    return True


def _post_fl(w: _Writer, n: Node) -> None:
    w.styles.pop()
    nxt = n.next
    if not n.children and nxt is not None and nxt.type is not TEXT and not nxt.flags & Flag.LINE:
        w.spc = False


def _pre_ar(w: _Writer, n: Node) -> bool:
    w.styles.append("emph")
    if not n.children:
        # The validator supplies this text; until it has run, say it here.
        w.word("file ...", "emph")
    return True


def _pre_pa(w: _Writer, n: Node) -> bool:
    w.styles.append("emph")
    if not n.children and n.tok == "Pa":
        w.word("~", "emph")
    return True


def _pre_fa(w: _Writer, n: Node) -> bool:
    kids = [c for c in n.children if c.type is TEXT]
    for k, c in enumerate(kids):
        w.word(render(c.string), "emph")
        if k + 1 < len(kids):
            w.spc = False
            w.word(",")
    return False


def _post_fa(w: _Writer, n: Node) -> None:
    nxt = n.next
    if nxt is not None and nxt.tok == "Fa":
        w.spc = False
        w.word(",")


def _pre_fn(w: _Writer, n: Node) -> bool:
    kids = [c for c in n.children if c.type is TEXT]
    if not kids:
        return False
    name = render(kids[0].string)
    args = [render(c.string) for c in kids[1:]]
    if w.opts.flavor == "sphinx" and _C_NAME.fullmatch(name) and name not in C_KEYWORDS:
        title = f"{name}({', '.join(args)})" if args else None
        w.word(name, "", _Ref("func", name, title))
        return False
    w.word(name, "strong")
    w.spc = False
    w.word("(")
    for k, arg in enumerate(args):
        w.word(arg, "emph")
        if k + 1 < len(args):
            w.spc = False
            w.word(",")
    w.spc = False
    w.word(")")
    return False


def _pre_fo(w: _Writer, n: Node) -> bool:
    if n.type is HEAD:
        w.styles.append("strong")
    elif n.type is BODY:
        w.spc = False
        w.word("(")
    return True


def _post_fo(w: _Writer, n: Node) -> None:
    if n.type is HEAD:
        w.styles.pop()
    elif n.type is BODY:
        w.spc = False
        w.word(")")


def _pre_in(w: _Writer, n: Node) -> bool:
    w.word("<")
    w.spc = False
    w.styles.append("emph")
    return True


def _post_in(w: _Writer, n: Node) -> None:
    w.styles.pop()
    w.spc = False
    w.word(">")


def _pre_xr(w: _Writer, n: Node) -> bool:
    kids = [c for c in n.children if c.type is TEXT]
    if not kids:
        return False
    name = render(kids[0].string)
    if len(kids) == 1:
        w.word(name, "strong")
        return False
    sec = render(kids[1].string)
    w.word(f"{name}({sec})", "", w.xr_ref(name, sec))
    return False


def _pre_sx(w: _Writer, n: Node) -> bool:
    text = " ".join(render(c.string) for c in n.children if c.type is TEXT)
    target = w.sections.get(text)
    if target is None:
        w.styles.append("emph")
        return True
    w.word(text, "", _Ref("label", target))
    w.styles.append("")
    return False


def _pre_er(w: _Writer, n: Node) -> bool:
    text = " ".join(render(c.string) for c in n.children if c.type is TEXT)
    target = w.errnos.get(text)
    if target is None or w.in_errno_head:
        w.styles.append("literal")
        return True
    w.word(text, "", _Ref("label", target))
    w.styles.append("")
    return False


def _pre_lk(w: _Writer, n: Node) -> bool:
    kids = [c for c in n.children if c.type is TEXT]
    if not kids:
        return False
    url = render(kids[0].string)
    end = len(kids)
    while end > 1 and kids[end - 1].flags & Flag.DELIMC:
        end -= 1
    words = [render(c.string) for c in kids[1:end]] or [url]
    w.word(" ".join(words), "", _Ref("url", url))
    for c in kids[end:]:
        w.spc = False
        w.word(render(c.string))
    return False


def _pre_mt(w: _Writer, n: Node) -> bool:
    kids = [render(c.string) for c in n.children if c.type is TEXT]
    if not kids:
        kids = ["~"]
    for addr in kids:
        w.word(addr, "", _Ref("url", "mailto:" + addr) if safe_mail(addr) else None)
    return False


def _pre_nd(w: _Writer, n: Node) -> bool:
    if n.type is BODY:
        w.spc = True
        w.word("—")
    return n.type is not HEAD


def _pre_an(w: _Writer, n: Node) -> bool:
    if n.arg("split"):
        w.an_split, w.an_nosplit = True, False
        return False
    if n.arg("nosplit"):
        w.an_split, w.an_nosplit = False, True
        return False
    if w.an_split:
        w.linebreak()
    elif n.sec is Sec.AUTHORS and not w.an_nosplit:
        w.an_split = True
    return True


def _post_lb(w: _Writer, n: Node) -> None:
    if n.sec is Sec.LIBRARY:
        w.linebreak()


_BF_STYLES: dict[str, Style] = {"emphasis": "emph", "literal": "literal", "symbolic": "strong"}


def _pre_bf(w: _Writer, n: Node) -> bool:
    if n.type is not BODY:
        return n.type is BLOCK
    font = n.norm.font if n.norm is not None else None
    if font is None and n.parent is not None:
        font = next((a.name for a in n.parent.args or ()), None)
    w.styles.append(_BF_STYLES.get(font or "", ""))
    return True


def _post_bf(w: _Writer, n: Node) -> None:
    if n.type is BODY:
        w.styles.pop()


def _pre_eo(w: _Writer, n: Node) -> bool:
    if n.type is BODY:
        w.spc = False
    return True


def _post_eo(w: _Writer, n: Node) -> None:
    if n.type is BODY or (n.type is HEAD and n.children):
        w.spc = False


def _pre_rs(w: _Writer, n: Node) -> bool:
    if n.type is BLOCK and n.sec is Sec.SEE_ALSO and n.prev is not None:
        w.flush()
    return True


def _rs_has(n: Node, *toks: str) -> bool:
    return n.parent is not None and any(c.tok in toks for c in n.parent.children)


def _pre_field(w: _Writer, n: Node) -> bool:
    if n.tok == "%A":
        prev, nxt = n.prev, n.next
        if prev is not None and prev.tok == "%A" and (nxt is None or nxt.tok != "%A"):
            w.word("and")
    if n.tok == "%T" and _rs_has(n, "%B", "%J"):
        w.word("“")
        w.spc = False
        w.styles.append("")
    elif n.tok == "%U":
        kids = [render(c.string) for c in n.children if c.type is TEXT]
        w.word(" ".join(kids), "", _Ref("url", kids[0]) if kids else None)
        w.styles.append("")
        return False
    else:
        w.styles.append("emph" if n.tok in ("%B", "%I", "%J", "%T") else "")
    return True


def _post_field(w: _Writer, n: Node) -> None:
    w.styles.pop()
    if n.tok == "%T" and _rs_has(n, "%B", "%J"):
        w.spc = False
        w.word("”")
    if n.parent is None or n.parent.tok != "Rs":
        return
    w.spc = False
    w.word("," if n.next is not None else ".")


def _pre_pp(w: _Writer, n: Node) -> bool:
    w.paragraph_break()
    return False


def _pre_br(w: _Writer, n: Node) -> bool:
    w.linebreak()
    return False


def _pre_centered(w: _Writer, n: Node) -> bool:
    w.centered(n)
    return False


def _font(style: Style, prefix: str = "", suffix: str = "") -> _Act:
    return _Act(_pre_font, _post_font, prefix, suffix, style)


def _quote(prefix: str, suffix: str, style: Style = "") -> _Act:
    return _Act(_pre_enclose, _post_enclose, prefix, suffix, style, body_only=True)


_ACTS: dict[str, _Act] = {
    # Prologue and things the validator turns into text or drops.
    **{tok: _Act(_pre_skip) for tok in ("Dd", "Dt", "Os", "Tg", "Es", "Ot", "Hf", "Db")},
    "Pp": _Act(_pre_pp),
    "Lp": _Act(_pre_pp),
    "sp": _Act(_pre_pp),
    "br": _Act(_pre_br),
    "ce": _Act(_pre_centered),
    "rj": _Act(_pre_centered),
    # Fonts, as mandoc's markdown writer chooses them.
    **{tok: _font("emph") for tok in ("Ad", "Va", "Vt", "Em", "%I", "Fr")},
    **{tok: _font("strong") for tok in ("Cd", "Cm", "Ic", "Ms", "Sy", "Nm", "Fd")},
    **{tok: _font("literal") for tok in ("Dv", "Ev", "Li", "Tn")},
    "Ft": _font("emph"),
    "Ar": _Act(_pre_ar, _post_pop),
    "Pa": _Act(_pre_pa, _post_pop),
    "Fl": _Act(_pre_fl, _post_fl),
    "Er": _Act(_pre_er, _post_pop),
    "Sx": _Act(_pre_sx, _post_pop),
    "Fa": _Act(_pre_fa, _post_fa),
    "Fn": _Act(_pre_fn),
    "Fo": _Act(_pre_fo, _post_fo),
    "In": _Act(_pre_in, _post_in),
    "Xr": _Act(_pre_xr),
    "Lk": _Act(_pre_lk),
    "Mt": _Act(_pre_mt),
    "Nd": _Act(_pre_nd),
    "An": _Act(_pre_an),
    "Lb": _Act(None, _post_lb),
    "Bf": _Act(_pre_bf, _post_bf),
    "Eo": _Act(_pre_eo, _post_eo),
    "Ap": _Act(_pre_ap),
    "Ns": _Act(_pre_ns),
    "Pf": _Act(None, _post_pf),
    "No": _Act(_pre_no, _post_pop),
    "Sm": _Act(_pre_sm),
    "Rs": _Act(_pre_rs),
    **{
        tok: _Act(_pre_field, _post_field)
        for tok in ["%A", "%B", "%C", "%D", "%J", "%N", "%O", "%P", "%Q", "%R", "%T", "%U", "%V"]
    },
    # Enclosures, with the quotes of mandoc's UTF-8 output (one table, in tree/text.py).
    **{tok: _quote(*quotes) for tok, quotes in ENCLOSURES.items()},
    "Ql": _quote(*ENCLOSURES["Ql"], "literal"),
}

_BLOCK_TOKS = frozenset({"Sh", "Ss", "Bl", "Bd", "D1", "Dl", "It"})
_LIST_TYPES = ("tag", "hang", "ohang", "inset", "diag", "bullet", "dash", "hyphen",
               "enum", "item", "column")  # fmt: skip
_DISPLAYS = ("literal", "unfilled", "filled", "ragged", "centered")


def _list_type(bl: Node) -> str:
    if bl.norm is not None and bl.norm.list_type:
        return bl.norm.list_type
    for a in bl.args or ():
        if a.name in _LIST_TYPES:
            return a.name
    return "item"


def _display(bd: Node) -> tuple[str, str | None]:
    norm = bd.norm
    display = norm.display if norm is not None else None
    offset = norm.offset if norm is not None else None
    for a in bd.args or ():
        if display is None and a.name in _DISPLAYS:
            display = a.name
        if offset is None and a.name == "offset":
            offset = a.values[0] if a.values else "6n"
    return display or "ragged", offset


# -- the writer ---------------------------------------------------------------


class _Writer(PageWriter):
    """The mdoc(7) writer."""

    def _sections_and_errors(self) -> Iterator[Node]:
        """Section blocks, and everything inside ERRORS sections, in order.

        Only these can carry labels; walking the whole tree for them would
        cost a visit of every node of every page.
        """
        for sh in self.doc.root.children:
            if sh.type is not BLOCK or sh.tok not in ("Sh", "Ss"):
                continue
            if sh.tok == "Ss":  # a subsection before the first section
                yield sh
                continue
            if sh.sec is Sec.ERRORS:
                yield from sh.walk()
                continue
            yield sh
            body = sh.body_node
            for ss in body.children if body is not None else ():
                if ss.tok == "Ss" and ss.type is BLOCK:
                    yield ss

    def collect_targets(self) -> None:
        used: set[str] = set()
        for n in self._sections_and_errors():
            if n.tok in ("Sh", "Ss") and n.type is BLOCK and n.head is not None:
                title = self._head_text(n.head)
                if title:
                    self.section_target(n, title, used)
            elif n.tok == "It" and n.type is BLOCK and n.sec is Sec.ERRORS and n.head is not None:
                er = next((e for e in n.head.walk() if e.tok == "Er"), None)
                texts = _texts(er) if er is not None else []
                if texts:
                    self.errno_target(n, texts[0])

    # -- nodes

    def node(self, n: Node) -> None:
        if self.shared_node(n):
            return
        if self.nofill and n.flags & Flag.LINE and self.atoms:
            self.atoms.append(NEWLINE)
            self.spc = False
        if n.type is TEXT:
            self.text(n)
            return
        if n.type is ROOT:
            self.children(n)
            return
        block = _BLOCKS.get(n.tok)
        if block is not None and n.type is BLOCK and n.end is ENDBODY_NOT:
            block(self, n)
            return
        act = _ACTS.get(n.tok)
        if act is None:
            # Roff requests other than br and sp print nothing (md_node).
            if n.type is ELEM and len(n.tok) <= 2 and n.tok.islower():
                return
            self.children(n)
            return
        active = not act.body_only or n.type is BODY
        if n.end is not ENDBODY_NOT:
            # The end of a body broken by bad nesting: close it here.
            if n.body is not None and act.post is not None and id(n.body) not in self.ended:
                self.ended.add(id(n.body))
                act.post(self, n.body)
            return
        descend = True
        if active and act.pre is not None:
            descend = act.pre(self, n)
        if descend:
            self.children(n)
        if active and act.post is not None and id(n) not in self.ended:
            act.post(self, n)

    # -- block macros

    def section(self, n: Node) -> None:
        self.flush()
        head, body = n.head, n.body_node
        if n.tok == "Sh" and n.sec is Sec.NAME and self.depth == 0:
            # The NAME line is the first paragraph under the document title.
            if body is not None:
                self.children(body)
            self.flush()
            return
        atoms = self.capture(head.children) if head is not None else []
        title = self.inline.one_line(atoms)
        if len(title) > _LONG:
            # No title can take it: a rubric, its text over lines.
            target = self.item_labels.get(id(n))
            if target and self.depth == 0:
                self.emit([f".. _{target}:"])
            self.emit(_rubric(self.inline.lines(atoms)), n.line)
        elif title and self.depth == 0:
            level = "=" if n.tok == "Sh" or not self.in_sh else "-"
            self.in_sh = self.in_sh or level == "="
            target = self.item_labels.get(id(n))
            if target:
                self.emit([f".. _{target}:"])
            self.emit([title, level * _width(title)], n.line)
        elif title:
            self.emit([f"**{title}**" if "*" not in title else title])
        if body is not None:
            self.children(body)
        self.flush()

    def display(self, n: Node) -> None:
        body = n.body_node
        if body is None:
            return
        if self.nofill:
            self.children(body)
            return
        self.flush()
        display, offset = _display(n)
        if display in ("literal", "unfilled"):
            self.nofill = True
            self.children(body)
            self.flush()
            self.nofill = False
            return
        lines = self.blocks(body.children)
        if offset and offset != "left":
            self.quote(lines)
        else:
            self.emit(lines)

    def d1(self, n: Node) -> None:
        body = n.body_node
        if body is None or self.nofill:
            if body is not None:
                self.children(body)
            return
        self.flush()
        if n.tok == "Dl":
            atoms = self.capture(body.children)
            self.literal(_plain_text(atoms).split("\n"))
        else:
            self.quote(self.blocks(body.children))

    def bullets(self, n: Node) -> None:
        body = n.body_node
        if body is None:
            return
        if self.nofill:
            for item in body.children:
                self.atoms.append(NEWLINE)
                self.children(item)
            return
        self.flush()
        kind = _list_type(n)
        items = [c for c in body.children if c.tok == "It" and c.type is BLOCK]
        others = [c for c in body.children if not (c.tok == "It" and c.type is BLOCK)]
        if others:
            self.emit(self.blocks(others))
        if kind == "column":
            self.table(items)
            return
        lines: list[str] = []
        for number, item in enumerate(items, 1):
            item_lines = self.item(item, kind, number)
            if item_lines:
                if lines:
                    lines.append("")
                lines += item_lines
        self.emit(lines)

    def item(self, item: Node, kind: str, number: int) -> list[str]:
        head, body = item.head, item.body_node
        body_lines = self.blocks(body.children) if body is not None else []
        target = self.item_labels.get(id(item))
        if kind in ("bullet", "dash", "hyphen", "enum"):
            marker = {"bullet": "* ", "enum": "#. "}.get(kind, "- ")
            return _hang(marker, body_lines or [".."])
        if kind == "item":
            return body_lines
        # An errno's own entry does not link to itself.
        self.in_errno_head = item.sec is Sec.ERRORS
        atoms = self.capture(head.children) if head is not None else []
        self.in_errno_head = False
        if kind == "diag":
            atoms = [_Word(a.text, "strong", a.ref) if isinstance(a, _Word) else a for a in atoms]
        term = self.inline.one_line(atoms)
        if len(term) > _LONG:
            # A term is one line: a long one becomes a paragraph, its
            # definition a quote below it.
            lines = [f".. _{target}:", ""] if target else []
            lines += self.inline.lines(atoms)
            if body_lines:
                lines += ["", *("    " + x if x else "" for x in body_lines)]
            return lines
        if not term:
            # No term: a definition list item needs one, so the body stands
            # alone, indented, after an empty comment that ends the list.
            return (
                []
                if not body_lines
                else ["..", "", *("    " + x if x else "" for x in body_lines)]
            )
        definition = ([f".. _{target}:", ""] if target else []) + (body_lines or [".."])
        if self.opts.line_marks and item.line > 0:
            term = f"\x01{item.line}\x01{term}"
        return [term, *("    " + x if x else "" for x in definition)]

    def table(self, items: list[Node]) -> None:
        rows: list[list[list[str]]] = []
        for item in items:
            cells = [c for c in item.children if c.type is BODY]
            rows.append([self.blocks(c.children) for c in cells])
        width = max((len(r) for r in rows), default=0)
        if not width:
            return
        lines = [".. list-table::", ""]
        for row in rows:
            row += [[]] * (width - len(row))
            for k, cell in enumerate(row):
                marker = "* - " if k == 0 else "  - "
                cell_lines = _hang(marker, cell or [".."])
                lines += ["   " + x if x else "" for x in cell_lines]
        self.emit(lines)

    def synopsis_group(self, nodes: list[Node]) -> None:
        """SYNOPSIS declarations: C-domain directives (Sphinx) or literal text."""
        self.flush()
        sphinx = self.opts.flavor == "sphinx"
        includes: list[str] = []
        pending_type: str | None = None
        for n in nodes:
            if n.tok in ("In", "Fd"):
                text = " ".join(_texts(n))
                define = _define(text) if n.tok == "Fd" and sphinx else None
                if define is not None and self.declare(define[0]):
                    if includes:
                        self.literal(includes)
                        includes = []
                    self.c_directive("macro", define[1], define[0], n.line)
                    continue
                includes.append(f"#include <{text}>" if n.tok == "In" else text)
                continue
            if includes:
                self.literal(includes)
                includes = []
            if n.tok == "Ft":
                pending_type = " ".join(_texts(n))
                continue
            if n.tok in ("Fn", "Fo"):
                name, args = _prototype(n)
                head = f"{pending_type} " if pending_type else ""
                if head.endswith("* "):
                    head = head[:-1]
                proto = f"{head}{name}({', '.join(args)})"
                # No return type: a function-like macro (queue(3), tree(3)),
                # declared with its parameters' names.
                macro = _macro(name, args) if pending_type is None else None
                if sphinx and macro is not None and self.declare(name):
                    self.c_directive("macro", macro, name, n.line)
                elif sphinx and pending_type and len(proto) <= _LONG and self.declare(name):
                    self.c_directive("function", proto, name, n.line)
                else:
                    lines = [pending_type] if pending_type else []
                    self.literal([*lines, f"{name}({', '.join(args)});"])
                pending_type = None
                continue
            if n.tok == "Vt":
                decl = " ".join(_plain_text(self.capture([n])).split())
                if sphinx and len(decl) <= _LONG:
                    self.emit([_c_decl(decl)], n.line)
                else:
                    self.literal([decl])
        if includes:
            self.literal(includes)
        if pending_type:
            self.literal([pending_type])


def _prototype(n: Node) -> tuple[str, list[str]]:
    if n.tok == "Fn":
        texts = _texts(n)
        return (texts[0] if texts else ""), texts[1:]
    name = " ".join(_texts(n.head)) if n.head is not None else ""
    args: list[str] = []
    body = n.body_node
    for c in body.children if body is not None else []:
        if c.tok == "Fa":
            args += _texts(c)
    return name, args


def _macro(name: str, args: list[str]) -> str | None:
    """A function-like macro's signature for Sphinx: ``SLIST_EMPTY(head)``.

    Sphinx takes a macro's parameters as names only, so each argument the
    page gives as a declaration (``SLIST_HEAD *head``) is reduced to its
    last name; an argument without one makes it no macro (None).
    """
    if len(name) > _LONG or not _C_NAME.fullmatch(name) or name in C_KEYWORDS:
        return None
    params: list[str] = []
    for arg in args:
        found = _MACRO_PARAM.findall(arg)
        if not found:
            return None
        params.append(found[-1])
    return f"{name}({', '.join(params)})"


#: ``#define NAME`` or ``#define NAME(params)``, and the rest.
_DEFINE = re.compile(r"#\s*define\s+([A-Za-z_][A-Za-z0-9_]*)(\([^()]*\))?")


def _define(text: str) -> tuple[str, str] | None:
    """The name and signature of an ``.Fd #define`` line, or None."""
    m = _DEFINE.match(text)
    if m is None:
        return None
    name = m.group(1)
    if m.group(2) is None:
        return name, name
    params = [p.strip() for p in m.group(2)[1:-1].split(",") if p.strip()]
    if not all(_MACRO_PARAM.fullmatch(p) for p in params):
        return None
    return name, f"{name}({', '.join(params)})"


def _c_decl(decl: str) -> str:
    words = decl.rstrip(";").split()
    if len(words) > 2 and words[0] == "typedef":
        # Sphinx's c:type takes the declaration without its "typedef".
        return f".. c:type:: {' '.join(words[1:])}"
    if len(words) == 2 and words[0] in ("struct", "union", "enum"):
        return f".. c:{words[0]}:: {words[1]}"
    if len(words) >= 2:
        return f".. c:var:: {' '.join(words)}"
    return f".. c:type:: {' '.join(words)}"


_SYNOPSIS_DECLS = frozenset({"In", "Fd", "Ft", "Fn", "Fo", "Vt"})


def _section(w: _Writer, n: Node) -> None:
    if n.sec is Sec.SYNOPSIS and n.tok == "Sh" and w.depth == 0 and n.body_node is not None:
        _synopsis(w, n)
        return
    w.section(n)


def _synopsis(w: _Writer, n: Node) -> None:
    """SYNOPSIS: runs of declarations become declarations, the rest is text."""
    w.flush()
    head, body = n.head, n.body_node
    assert body is not None
    atoms = w.capture(head.children) if head is not None else []
    title = w.inline.one_line(atoms)
    if title:
        target = w.item_labels.get(id(n))
        if target:
            w.emit([f".. _{target}:"])
        if len(title) > _LONG:
            w.emit(_rubric(w.inline.lines(atoms)), n.line)
        else:
            w.emit([title, "=" * _width(title)], n.line)
        w.in_sh = True
    group: list[Node] = []
    for c in body.children:
        if c.tok in _SYNOPSIS_DECLS and c.type in (ELEM, BLOCK):
            group.append(c)
            continue
        if group:
            w.synopsis_group(group)
            group = []
        w.node(c)
    if group:
        w.synopsis_group(group)
    w.flush()


_BLOCKS: dict[str, Callable[[_Writer, Node], None]] = {
    "Sh": _section,
    "Ss": _Writer.section,
    "Bd": _Writer.display,
    "Bl": _Writer.bullets,
    "D1": _Writer.d1,
    "Dl": _Writer.d1,
}


_DEFAULTS = RstOptions()


def write(doc: Document, options: RstOptions = _DEFAULTS) -> str:
    """The page as reStructuredText, in the flavour ``options`` asks for;
    a man(7) page goes to :func:`mdoc2rst.writers.man.write_man`.

    The writer ends lines with ``\\n`` only; any other character that ends a
    line for docutils came from the page and becomes a blank (safe.py).
    """
    if doc.macroset == "man":
        return write_man(doc, options)
    return _Writer(doc, options).write().translate(LINE_ENDS)
