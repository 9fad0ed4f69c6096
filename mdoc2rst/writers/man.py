"""The reStructuredText writer for man(7) pages.

The shape follows mandoc's man_html.c: one table row per macro
(:data:`_MACROS`), called with the writer and the node.  What the mdoc
writer does too (escaping, paragraphs, line blocks, literal blocks,
labels, links, the title and the page furniture) is the shared
:class:`~mdoc2rst.writers.base.PageWriter`'s; this module adds only what
man(7) has of its own: sections, ``TP``/``TQ``/``IP`` items as definition
lists, ``RS`` as an indented block, the font macros, ``UR``/``MT`` links,
``SY``/``OP`` synopses, no-fill mode read from each node's flag, and page
references written ``name(section)``.

In the Sphinx flavour, SYNOPSIS declarations in the Linux man-pages style
become C-domain declarations when they parse as C: the SYNOPSIS is read as
the spec extractor reads it (:func:`mdoc2rst.contract.manspec.synopsis_lines`),
so what the site declares is what ``mdoc2rst spec`` finds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from mdoc2rst.roff.escape import render
from mdoc2rst.safe import LINE_ENDS, safe_mail
from mdoc2rst.tree.identity import Identity, identify
from mdoc2rst.tree.nodes import (
    BLOCK,
    BODY,
    COMMENT,
    ELEM,
    ROOT,
    TEXT,
    Document,
    Flag,
    Node,
)
from mdoc2rst.writers.base import (
    _FONT_STYLE,
    _LONG,
    NEWLINE,
    PageWriter,
    RstOptions,
    Style,
    _Atom,
    _hang,
    _plain_text,
    _Ref,
    _rubric,
    _width,
    _Word,
)

__all__ = ["page_identity", "write_man"]

#: The styles of the alternating font macros: odd and even arguments.
_ALTERNATING: dict[str, tuple[Style, Style]] = {
    "BI": ("strong", "emph"),
    "IB": ("emph", "strong"),
    "BR": ("strong", ""),
    "RB": ("", "strong"),
    "IR": ("emph", ""),
    "RI": ("", "emph"),
}

#: The one-font macros.  SM (small) prints as the text around it.
_ONE_FONT: dict[str, Style] = {"B": "strong", "SB": "strong", "I": "emph", "R": "", "SM": ""}

#: Fonts of ``\f`` escapes in man(7) text; R and P go back to the macro's font.
_ESCAPE_STYLE: dict[str, Style] = {
    **_FONT_STYLE,
    "C": "literal",
    "CW": "literal",
}

#: ``name(section)`` in text: a page reference, as ``.Xr`` is in mdoc(7).
#: Sections are a digit 1 to 9 with letters (``3p``, ``3ssl``), or n or l.
_PAGE_REF = re.compile(r"([A-Za-z_][A-Za-z0-9_.+:-]*)\(([1-9][A-Za-z]*|n|l)\)")
#: The section part alone, at the start of the argument after a name.
_SECTION_PART = re.compile(r"\(([1-9][A-Za-z]*|n|l)\)")
#: A name that may stand before ``(section)``.
_PAGE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.+:-]*")
#: An errno name in the head of an ERRORS item.
_ERRNO = re.compile(r"E[A-Z0-9]{2,}")

#: The roff requests mandoc prints as a line break (roff_html.c, man_html.c).
_BREAKS = frozenset({"br", "in", "ti"})


def page_identity(doc: Document, filename: str | None = None) -> Identity:
    """The page's identity; a man(7) page's aliases are the names of its
    NAME section (``name1, name2 \\- description``)."""
    base = identify(doc, filename)
    if doc.macroset != "man":
        return base
    # Imported here: the contract layer is not part of the conversion
    # pipeline that the compiled build holds, nor of an mdoc page's run.
    from mdoc2rst.contract.manspec import name_names

    names = tuple(dict.fromkeys(n for n in name_names(doc) if n and len(n) <= _LONG))
    spelled = next((n for n in names if n.casefold() == base.name.casefold()), None)
    return replace(base, name=spelled or base.name, names=names)


class _ManWriter(PageWriter):
    """The man(7) writer."""

    def __init__(self, doc: Document, opts: RstOptions) -> None:
        if opts.identity is None:
            opts = replace(opts, identity=page_identity(doc))
        #: Sphinx flavour: SYNOPSIS line -> the declarations that start there,
        #: and every line they cover.
        self.decl_start: dict[int, list[tuple[str, str]]] = {}
        self.decl_lines: set[int] = set()
        #: The SYNOPSIS section, and whether it is being written: only its
        #: lines are replaced (a file read with .so has lines of the same numbers).
        self.synopsis_sh: Node | None = None
        self.in_synopsis = False
        super().__init__(doc, opts)

    # -- labels and declarations, before anything is written

    def collect_targets(self) -> None:
        used: set[str] = set()
        for sh in self.doc.root.children:
            if sh.type is not BLOCK or sh.tok not in ("SH", "SS"):
                continue
            self._target(sh, used)
            body = sh.body_node
            if body is None:
                continue
            title = self._head_text(sh.head) if sh.head is not None else ""
            for c in body.children:
                if c.type is BLOCK and c.tok == "SS":
                    self._target(c, used)
                elif title.upper() == "ERRORS" and c.type is BLOCK and c.tok in ("TP", "TQ", "IP"):
                    self._errno_target(c)
            if (
                title.upper() == "SYNOPSIS"
                and self.opts.flavor == "sphinx"
                and not self.synopsis_sh
            ):
                self.synopsis_sh = sh
                self._declarations(body.children)

    def _target(self, n: Node, used: set[str]) -> None:
        title = self._head_text(n.head) if n.head is not None else ""
        if title:
            self.section_target(n, title, used)

    def _errno_target(self, item: Node) -> None:
        m = _ERRNO.match(self._head_text(item.head)) if item.head is not None else None
        if m is not None:
            self.errno_target(item, m.group(0))

    def _declarations(self, nodes: list[Node]) -> None:
        """The SYNOPSIS declarations that become C declarations: all of a
        run's declarations parse as C and are the page's own names."""
        from mdoc2rst.contract.cdecl import DeclError, parse_prototype
        from mdoc2rst.contract.manspec import Declarations, synopsis_lines

        for item in synopsis_lines(nodes):
            if not isinstance(item, Declarations):
                continue
            decls: list[tuple[str, str]] = []
            for text in item.texts:
                if not text:
                    continue
                try:
                    proto = parse_prototype(text)
                except DeclError:
                    decls = []
                    break
                decls.append((proto.name, proto.render()))
            own = self._name_list()
            if not decls or any(name not in own for name, _ in decls):
                continue  # text, as written
            self.decl_start[item.line] = decls
            self.decl_lines.update(range(item.line, item.end + 1))

    # -- nodes

    def node(self, n: Node) -> None:
        if self.shared_node(n):
            return
        if n.type is ROOT:
            self.children(n)
            return
        if n.type is TEXT or n.type is ELEM:
            if self.in_synopsis and self._declared(n):
                return
            if n.flags & Flag.LINE:
                self._fill_mode(bool(n.flags & Flag.NOFILL))
                if self.nofill and self.atoms:
                    self.atoms.append(NEWLINE)
                    self.spc = False
        if n.type is TEXT:
            self.text(n)
            return
        if n.type is BLOCK:
            block = _BLOCKS.get(n.tok)
            if block is not None:
                block(self, n)
                return
        elif n.type is ELEM:
            elem = _ELEMS.get(n.tok)
            if elem is not None:
                elem(self, n)
                return
            if n.tok in _SILENT:
                return
        self.other(n)

    def other(self, n: Node) -> None:
        """A node no table row knows (a request mandoc ignores): its text,
        so that nothing of the page is lost.  Tables are written by the
        shared walk over siblings (:meth:`PageWriter.walk`)."""
        if n.string and n.type is not ELEM:
            self.word(render(n.string), self.style)
        self.children(n)

    def _fill_mode(self, nofill: bool) -> None:
        """No-fill mode (``nf``, ``EX``) as each line's flag says: a change
        ends the pending paragraph or literal block."""
        if nofill != self.nofill:
            self.flush()
            self.nofill = nofill

    def _declared(self, n: Node) -> bool:
        """Whether ``n`` is on a SYNOPSIS line that a C declaration replaces;
        the declarations are written at the first node of their first line."""
        if n.line not in self.decl_lines:
            return False
        decls = self.decl_start.pop(n.line, None)
        if decls is not None:
            self.flush()
            for name, signature in decls:
                if len(signature) <= _LONG and self.declare(name):
                    self.c_directive("function", signature, name, n.line)
                else:
                    self.literal([signature + ";"])
        return True

    # -- words

    def text(self, n: Node) -> None:
        if not self.nofill and n.flags & Flag.LINE and n.string[:1] == " ":
            self.linebreak()  # a text line that starts with a blank starts a line
        super().text(n)
        if n.string.endswith("\\c"):
            self.spc = False  # \c joins the next line to this one

    def font_style(self, font: str, current: Style) -> Style:
        """man(7) pages also use the constant-width fonts, and P, the previous."""
        if font in ("R", "P"):
            return current
        return _ESCAPE_STYLE.get(font, current)

    def words(self, text: str, style: Style) -> None:
        """Text in one font; ``name(section)`` in it becomes a page reference.

        A name in one font followed by ``(section)`` in the next run (``\\fBopen\\fP(2)``)
        is one too: the section run joins the word before it.
        """
        if self.nofill or "(" not in text:
            self.word(text, style)
            return
        m = _SECTION_PART.match(text)
        if m is not None and not self.spc and self._page_ref_before(m.group(1)):
            text = text[m.end() :]
            if not text:
                return
            self.spc = False
        start = 0
        for m in _PAGE_REF.finditer(text):
            if m.start() > start:
                self.word(text[start : m.start()], style)
                self.spc = False
            self.word(m.group(0), "", self.xr_ref(m.group(1), m.group(2)))
            self.spc = False
            start = m.end()
        if start < len(text):
            self.word(text[start:], style)
        elif start:
            self.spc = True

    def _page_ref_before(self, sec: str) -> bool:
        """Make the word just written, a name, a reference to ``name(sec)``."""
        last: _Atom | None = self.atoms[-1] if self.atoms else None
        if not isinstance(last, _Word) or last.ref is not None:
            return False
        head, _, name = last.text.rpartition(" ")
        if not _PAGE_NAME.fullmatch(name):
            return False
        if head:
            last.text = head + " "
        else:
            self.atoms.pop()
        self.spc = False
        self.word(f"{name}({sec})", "", self.xr_ref(name, sec))
        return True

    # -- blocks

    def section(self, n: Node) -> None:
        self.flush()
        self._fill_mode(False)
        head, body = n.head, n.body_node
        atoms = self.capture(head.children) if head is not None else []
        title = self.inline.one_line(atoms)
        target = self.item_labels.get(id(n))
        if target:
            self.emit([f".. _{target}:"])
        if len(title) > _LONG:
            self.emit(_rubric(self.inline.lines(atoms)), n.line)
        elif title:
            level = "=" if n.tok == "SH" or not self.in_sh else "-"
            self.in_sh = self.in_sh or level == "="
            self.emit([title, level * _width(title)], n.line)
        if body is not None:
            self.in_synopsis = n is self.synopsis_sh
            self.children(body)
            self.in_synopsis = False
        self.flush()

    def paragraph(self, n: Node) -> None:
        self.paragraph_break()
        body = n.body_node
        if body is not None:
            self.children(body)

    def item(self, n: Node) -> None:
        """``TP``, ``TQ``, ``IP``: a definition list item.

        The term is what mandoc's man_IP_pre prints: IP's first argument
        (the second is a width), TP's next-line head (its arguments are a
        width).  Runs of IP items tagged ``*``, ``\\(bu`` or ``\\-`` are
        bullet and dash lists, as mandoc makes them.
        """
        head, body = n.head, n.body_node
        terms = [] if head is None else _terms(n, head)
        if self.nofill:
            self.paragraph_break()
            if terms:
                self.children(_holder(head or n, terms))
                self.atoms.append(NEWLINE)
            if body is not None:
                self.children(body)
            return
        self.flush()
        target = self.item_labels.get(id(n))
        body_lines = self.blocks(body.children) if body is not None else []
        label_lines = [f".. _{target}:", ""] if target else []
        bullet = _bullet_of(n)
        if bullet and (_bullet_of(n.prev) == bullet or _bullet_of(n.next) == bullet):
            self.emit(label_lines + _hang(_MARKERS[bullet], body_lines or [".."]), n.line)
            return
        atoms = self.capture(terms)
        term = self.inline.one_line(atoms)
        if len(term) > _LONG:
            lines = label_lines + self.inline.lines(atoms)
            if body_lines:
                lines += ["", *("    " + x if x else "" for x in body_lines)]
            self.emit(lines, n.line)
            return
        if not term:
            # No tag: an indented paragraph.
            self.emit(label_lines)
            self.quote(body_lines)
            return
        if self.opts.line_marks and n.line > 0:
            term = f"\x01{n.line}\x01{term}"
        definition = label_lines + (body_lines or [".."])
        self.emit([term, *("    " + x if x else "" for x in definition)])

    def indent(self, n: Node) -> None:
        """``RS``: an indented block; its head is the indent, not printed."""
        body = n.body_node
        if body is None:
            return
        if self.nofill:
            self.children(body)
            return
        self.flush()
        lines = self.blocks(body.children)
        self.quote(lines)

    def link(self, n: Node) -> None:
        """``UR``/``MT``: the head is the address, the body the link text."""
        head, body = n.head, n.body_node
        address = (
            " ".join(render(c.string) for c in head.children if c.type is TEXT) if head else ""
        )
        atoms = self.capture(body.children) if body is not None else []
        text = " ".join(_plain_text(atoms).split()) or address
        ref: _Ref | None = None
        if n.tok == "UR" and address:
            ref = _Ref("url", address)
        elif n.tok == "MT" and safe_mail(address):
            ref = _Ref("url", "mailto:" + address)
        if text:
            self.word(text, self.style if ref is None else "", ref)
        nxt = n.next
        if nxt is not None and nxt.type is TEXT and nxt.pos > 0:
            self.spc = False  # the closer's arguments follow the link: ".UE ,"

    def synopsis(self, n: Node) -> None:
        """``SY``: the command in bold, its arguments after it, a paragraph."""
        head, body = n.head, n.body_node
        self.flush()
        if head is not None:
            self.styles.append("strong")
            self.children(head)
            self.styles.pop()
        if body is not None:
            self.children(body)
        self.flush()

    # -- elements

    def one_font(self, n: Node) -> None:
        self.styles.append(_ONE_FONT[n.tok])
        self.children(n)
        self.styles.pop()

    def alternating(self, n: Node) -> None:
        """``BR`` and its kin: the arguments alternate two fonts, with no
        blank between them; ``.BR name (2)`` is a page reference."""
        styles = _ALTERNATING[n.tok]
        kids = [c for c in n.children if c.type is not COMMENT]
        for k, c in enumerate(kids):
            if k:
                self.spc = False
            self.styles.append(styles[k % 2])
            self.node(c)
            self.styles.pop()

    def option(self, n: Node) -> None:
        """``OP key value``: ``[key value]``, the key bold, the value italic."""
        kids = [render(c.string) for c in n.children if c.type is TEXT]
        self.word("[", self.style)
        if kids:
            self.word(kids[0], "strong")
        if len(kids) > 1:
            self.word(kids[1], "emph")
        self.spc = False
        self.word("]", self.style)

    def page_ref(self, n: Node) -> None:
        """``MR name section [suffix]`` (groff 1.23): a page reference."""
        kids = [render(c.string) for c in n.children if c.type is TEXT]
        if not kids:
            return
        if len(kids) == 1:
            self.word(kids[0], "emph")
            return
        self.word(f"{kids[0]}({kids[1]})", "", self.xr_ref(kids[0], kids[1]))
        if len(kids) > 2:
            self.spc = False
            self.word(kids[2], self.style)

    def linebreak_elem(self, n: Node) -> None:
        self.linebreak()

    def fill(self, n: Node) -> None:
        """``nf``, ``EX`` start no-fill mode, ``fi``, ``EE`` end it; the text
        after them carries the mode too (:meth:`node`)."""
        self._fill_mode(n.tok in ("nf", "EX"))
        self.children(n)  # mandoc prints EX's arguments

    def space(self, n: Node) -> None:
        self.paragraph_break()


def _terms(item: Node, head: Node) -> list[Node]:
    """The head nodes that make an item's term (man_IP_pre)."""
    kids = [c for c in head.children if c.type is not COMMENT]
    if item.tok == "IP":
        return kids[:1]
    for k, c in enumerate(kids):
        if c.flags & Flag.LINE:
            return kids[k:]
    return []


def _holder(parent: Node, kids: list[Node]) -> Node:
    """A node to walk ``kids`` through, not linked into the tree."""
    holder = Node(BODY, parent.tok, parent.line, parent.pos)
    holder.children = kids
    return holder


#: IP tags that make bullet and dash lists (list_continues in man_html.c).
_BULLETS: dict[str, str] = {"*": "*", "\\(bu": "*", "\\-": "-"}
_MARKERS: dict[str, str] = {"*": "* ", "-": "- "}


def _bullet_of(n: Node | None) -> str:
    """The kind of list an IP item belongs to, or empty."""
    if n is None or n.type is not BLOCK or n.tok != "IP" or n.head is None:
        return ""
    first = n.head.children[0] if n.head.children else None
    return _BULLETS.get(first.string, "") if first is not None and first.type is TEXT else ""


_BLOCKS: dict[str, Callable[[_ManWriter, Node], None]] = {
    "SH": _ManWriter.section,
    "SS": _ManWriter.section,
    "PP": _ManWriter.paragraph,
    "LP": _ManWriter.paragraph,
    "P": _ManWriter.paragraph,
    "HP": _ManWriter.paragraph,  # mandoc prints a hanging paragraph as a paragraph
    "TP": _ManWriter.item,
    "TQ": _ManWriter.item,
    "IP": _ManWriter.item,
    "RS": _ManWriter.indent,
    "UR": _ManWriter.link,
    "MT": _ManWriter.link,
    "SY": _ManWriter.synopsis,
}

_ELEMS: dict[str, Callable[[_ManWriter, Node], None]] = {
    **{tok: _ManWriter.one_font for tok in _ONE_FONT},
    **{tok: _ManWriter.alternating for tok in _ALTERNATING},
    "OP": _ManWriter.option,
    "MR": _ManWriter.page_ref,
    **{tok: _ManWriter.linebreak_elem for tok in _BREAKS},
    "sp": _ManWriter.space,
    "ce": _ManWriter.centered,
    "rj": _ManWriter.centered,
    **{tok: _ManWriter.fill for tok in ("nf", "fi", "EX", "EE")},
}

#: Elements that print nothing: the prologue, closers, and the requests
#: mandoc's HTML output ignores.
_SILENT = frozenset({"TH", "RE", "YS", "UE", "ME", "DT", "UC", "PD", "AT",
                     "ft", "ll", "mc", "po", "ta", "brp"})  # fmt: skip


_DEFAULTS = RstOptions()


def write_man(doc: Document, options: RstOptions = _DEFAULTS) -> str:
    """A man(7) page as reStructuredText, in the flavour ``options`` asks for."""
    return _ManWriter(doc, options).write().translate(LINE_ENDS)
