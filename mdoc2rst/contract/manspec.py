"""The API spec of a man(7) page: the same schema as an mdoc(7) page's.

man(7) has no semantic macros, so the spec is read from the conventions of
the Linux man-pages project and of the libraries that follow it
(lksctp-tools' pages among them):

- NAME: ``name1, name2 \\- description``;
- SYNOPSIS: ``#include <...>`` lines and C declarations ending in ``;``,
  written with font macros (``.BI "int sctp_connectx(int " sd ", ..."``),
  usually in no-fill mode; ``Link with -lsctp`` (or a LIBRARY section:
  ``Standard C library (libc, -lc)``) names the library;
- RETURN VALUE (or VALUES): the convention in prose;
- ERRORS: ``.TP`` (or ``.IP``) items whose head is one errno or several
  (``EACCES, EPERM``);
- SEE ALSO: ``.BR name (3)``, or ``name(3)`` in text (mandoc 1.14.6, and
  so this parser, does not know groff's ``.MR``).

A declaration that does not parse as C is an error at its page line, as
for mdoc pages.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Final

from mdoc2rst.contract.spec import (
    ErrorEntry,
    Function,
    HeaderRef,
    Library,
    Reference,
    Spec,
    declaration,
    return_values,
)
from mdoc2rst.roff.escape import render
from mdoc2rst.tree.diagnostics import Diagnostic
from mdoc2rst.tree.nodes import BLOCK, ELEM, TEXT, Document, Flag, Node

#: Font macros whose arguments alternate fonts: printed without a space between.
_ALTERNATING: Final = frozenset({"BI", "BR", "IB", "IR", "RB", "RI"})
_ERRNO: Final = re.compile(r"\bE[A-Z0-9]{2,}\b")
_INCLUDE: Final = re.compile(r"^\s*#\s*include\s*(\S*)\s*$")
_LINK_WITH: Final = re.compile(r"[Ll]ink with\s+-l\s*([A-Za-z0-9_+.-]+)")
_LIBRARY_SECTION: Final = re.compile(r"\(\s*lib([A-Za-z0-9_+.-]+)\s*,\s*-l")
_REFERENCE: Final = re.compile(r"([A-Za-z_][\w.+-]*)\s*\(([0-9][A-Za-z0-9]*)\)")
#: The dash between names and description: ``\-``, rendered as a minus sign.
_NAME_DASH: Final = re.compile(r"\s+(?:\\-|-|\u2212|\u2013|\u2014)\s+")


def extract(doc: Document, data: bytes | None = None) -> Spec:
    """Build the spec of a parsed man(7) page."""
    sections = _sections(doc)
    diagnostics: list[Diagnostic] = []
    name_text = _plain(sections.get("NAME", []))
    names, description = _name_line(name_text)
    synopsis = sections.get("SYNOPSIS", [])
    refs, functions = _synopsis(doc.filename, synopsis, diagnostics)
    library = _library(synopsis, sections.get("LIBRARY", []))
    returns = sections.get("RETURN VALUE") or sections.get("RETURN VALUES")
    errors = _errors(sections.get("ERRORS", []))
    return Spec(
        source=doc.filename,
        sha256=hashlib.sha256(data).hexdigest() if data is not None else None,
        names=names,
        section=doc.meta.msec,
        title=doc.meta.title,
        description=description,
        library=library,
        headers=[r.name for r in refs],
        functions=functions,
        calls=[],
        variables=[],
        return_values=return_values(_plain(returns), bool(errors)) if returns else None,
        errors=errors,
        see_also=_see_also(sections.get("SEE ALSO", [])),
        diagnostics=diagnostics,
        header_refs=refs,
    )


def name_names(doc: Document) -> list[str]:
    """The names of the NAME section, ``name1, name2 \\- description``."""
    return _name_line(_plain(_sections(doc).get("NAME", [])))[0]


def _sections(doc: Document) -> dict[str, list[Node]]:
    """Each ``.SH`` section's body nodes, by its title in capitals."""
    out: dict[str, list[Node]] = {}
    for sh in doc.root.children:
        if sh.tok != "SH" or sh.type is not BLOCK:
            continue
        head, body = sh.head, sh.body_node
        title = " ".join(_plain([head]).split()).upper() if head is not None else ""
        if title and title not in out:
            out[title] = body.children if body is not None else []
    return out


def _text(n: Node) -> str:
    """A node's printed words; the arguments of ``.BI`` and its kin join
    without a space, as they print."""
    if n.type is TEXT:
        return "" if n.flags & Flag.NOPRT else render(n.string)
    parts = [_text(c) for c in n.children]
    joiner = "" if n.tok in _ALTERNATING else " "
    return joiner.join(p for p in parts if p)


def _plain(nodes: list[Node]) -> str:
    return " ".join(" ".join(_text(n) for n in nodes).split())


def _lines(nodes: list[Node]) -> list[tuple[int, int, str]]:
    """The text of ``nodes`` by source line: (line, column, text)."""
    out: dict[int, tuple[int, list[str]]] = {}
    for top in nodes:
        for n in _leaves(top):
            text = _text(n)
            if text:
                out.setdefault(n.line, (n.pos, []))[1].append(text)
    return [(line, pos, " ".join(parts)) for line, (pos, parts) in sorted(out.items())]


def _leaves(n: Node) -> list[Node]:
    """The elements and texts to read a line from: a font macro as a whole."""
    if n.type is TEXT or (n.type is ELEM and n.tok in _ALTERNATING | {"B", "I", "SM", "SB"}):
        return [n]
    return [leaf for c in n.children for leaf in _leaves(c)]


def _name_line(text: str) -> tuple[list[str], str]:
    parts = _NAME_DASH.split(text, maxsplit=1)
    names = [w.strip() for w in parts[0].split(",") if w.strip()]
    return names, parts[1].strip() if len(parts) > 1 else ""


@dataclass(frozen=True, slots=True)
class Declarations:
    """SYNOPSIS lines ``line`` to ``end`` that hold C declarations up to a ``;``."""

    line: int
    pos: int
    end: int
    texts: tuple[str, ...]  # each declaration, without its ';'


def synopsis_lines(
    nodes: list[Node],
) -> Iterator[tuple[int, str] | Declarations]:
    """A SYNOPSIS read line by line: ``#include`` lines as (line, what
    follows), and declarations, each run from its first line to ``;``.

    The spec and the reST writer (which makes them C declarations) read
    SYNOPSIS sections the same way, here.
    """
    pending: list[str] = []
    start = (0, 0)
    for line, pos, text in _lines(nodes):
        m = _INCLUDE.match(text)
        if m is not None and not pending:
            yield line, m.group(1)
            continue
        if not pending:
            if "(" not in text:
                continue  # prose: "Link with -lsctp.", "Feature Test Macro ..."
            start = (line, pos)
        pending.append(text)
        if ";" in text:  # joined only then: a SYNOPSIS without ';' stays linear
            decls = " ".join(pending).split(";")
            yield Declarations(start[0], start[1], line, tuple(d.strip() for d in decls))
            pending = []


def _synopsis(
    filename: str, nodes: list[Node], diagnostics: list[Diagnostic]
) -> tuple[list[HeaderRef], list[Function]]:
    """Headers and declarations: a declaration runs from its first line to ``;``."""
    refs: list[HeaderRef] = []
    functions: list[Function] = []
    for item in synopsis_lines(nodes):
        if isinstance(item, tuple):
            # What follows #include, as an .Fd line gives it: the header
            # check refuses anything but one <name> or "name".
            line, written = item
            refs.append(HeaderRef(written.strip('<>"'), "Fd", written, line))
            continue
        for decl in item.texts:
            if decl:
                declaration(filename, item.line, item.pos, decl, functions, diagnostics)
    return refs, functions


def _library(synopsis: list[Node], library: list[Node]) -> Library | None:
    text = _plain(library)
    m = _LIBRARY_SECTION.search(text)
    if m is not None:
        return Library(f"lib{m.group(1)}", text)
    text = _plain(synopsis)
    m = _LINK_WITH.search(text)
    if m is not None:
        return Library(f"lib{m.group(1).rstrip('.')}", m.group(0).rstrip("."))
    return None


def _errors(nodes: list[Node]) -> list[ErrorEntry]:
    out: list[ErrorEntry] = []
    for n in nodes:
        if n.tok not in ("TP", "TQ", "IP") or n.type is not BLOCK:
            continue
        head, body = n.head, n.body_node
        names = _ERRNO.findall(_plain([head])) if head is not None else []
        if not names and body is not None and body.children and n.tok in ("TP", "TQ"):
            # .TP: the first line of the body is the tag.
            first = body.children[0]
            names = _ERRNO.findall(_text(first))
            condition = _plain(body.children[1:])
        else:
            condition = _plain(body.children) if body is not None else ""
        out.extend(ErrorEntry(name, condition, n.line) for name in names)
    return out


def _see_also(nodes: list[Node]) -> list[Reference]:
    refs: list[Reference] = []
    for line, _, text in _lines(nodes):
        for m in _REFERENCE.finditer(text):
            refs.append(Reference(m.group(1), m.group(2), line))
    return refs
