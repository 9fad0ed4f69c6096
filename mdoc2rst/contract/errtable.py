"""Error-mapping tables: what each documented errno is, everywhere it matters.

One row per errno in a page's ERRORS section: its name, its value on Linux
and on FreeBSD, the Python exception a binding raises for it, and the
page's condition text.  :func:`rows` gives the data; :func:`to_rst` a reST
table whose errno names link to the entries of the rendered page.

Every name and text in the table comes from the page, so none is pasted
into reST markup as it is: an errno name is linked only when it is a C
macro name (nothing in it can end a role), anything else is escaped plain
text on one line.
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass

from mdoc2rst.contract.errnos import FREEBSD, LINUX, exception_name
from mdoc2rst.contract.spec import Spec
from mdoc2rst.writers.rst import errno_label, escape_text, label


@dataclass(frozen=True, slots=True)
class Row:
    name: str
    linux: int | None
    freebsd: int | None
    exception: str
    condition: str
    line: int


def rows(spec: Spec) -> list[Row]:
    """The page's errors in page order, one row per errno.

    An errno the page lists twice for two causes shows both conditions
    (:meth:`Spec.conditions`), at the line of its first entry.
    """
    return [
        Row(name, LINUX.get(name), FREEBSD.get(name), exception_name(name), condition, line)
        for name, (condition, line) in spec.conditions().items()
    ]


def page_id(spec: Spec) -> str:
    """The label prefix the reST writer uses for this page."""
    name = spec.names[0] if spec.names else (spec.title or "page").lower()
    return f"{name}.{spec.section}" if spec.section else name


#: An errno name that can stand in role content and literals as it is; a
#: longer one is no errno, and would make a line docutils refuses.
ERRNO_NAME = re.compile(r"[A-Z][A-Z0-9_]{0,63}")
#: What str.splitlines() and docutils take for a line end, and the other
#: control characters: in a table cell each would end the line or worse.
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
#: Page text is wrapped to lines of this many characters (at most twice as
#: long escaped): docutils drops a line longer than 10,000 with an error.
_WIDTH = 1000
_CELL_INDENT = " " * 7  # the column of a cell's text after "   * - " and "     - "
_TITLE_MAX = 200


def _text_lines(text: str) -> list[str]:
    """Page text as escaped reST lines that read as plain text, wrapped.

    Each line is escaped as a line start: a continuation line such as
    ``====`` must not read as a section underline either.
    """
    plain = _BREAKS.sub(" ", text).strip()
    pieces = textwrap.wrap(plain, _WIDTH, break_on_hyphens=False) if plain else []
    return [escape_text(p) for p in pieces] or ["—"]


def _name_lines(name: str, target: str | None) -> list[str]:
    if not ERRNO_NAME.fullmatch(name):
        return _text_lines(name)
    if target is None or len(target) > _WIDTH:  # a page name too long for one line
        return [f"``{name}``"]
    return [f":ref:`{name} <{target}>`"]


def _code_lines(name: str) -> list[str]:
    if name.isascii() and name.isidentifier() and len(name) <= 64:
        return [f"``{name}``"]
    return _text_lines(name)


def _title(spec: Spec) -> str:
    title = f"{spec.names[0]}({spec.section})" if spec.names and spec.section else spec.source
    title = " ".join(_BREAKS.sub(" ", title).split())
    if len(title) > _TITLE_MAX:
        title = title[: _TITLE_MAX - 1] + "…"
    return escape_text(title)


def _row(cells: list[list[str]]) -> list[str]:
    out: list[str] = []
    for i, lines in enumerate(cells):
        out.append(("   * - " if i == 0 else "     - ") + lines[0])
        out += [_CELL_INDENT + line for line in lines[1:]]
    return out


def to_rst(spec: Spec, *, link: bool = True, pid: str | None = None) -> str:
    """A reST ``list-table``; with ``link``, errno names are ``:ref:`` links.

    Links need the page rendered in the same Sphinx project (the writer gives
    each ERRORS entry the label ``<page_id>-errno-<NAME>``).  A name that is
    not an errno macro name (:data:`ERRNO_NAME`) is not linked.
    """
    pid = pid or page_id(spec)
    out = [
        f".. list-table:: Errors documented in {_title(spec)}",
        "   :header-rows: 1",
        "   :widths: auto",
        "",
        "   * - errno",
        "     - Linux",
        "     - FreeBSD",
        "     - Python exception",
        "     - Condition (from the page)",
    ]
    for r in rows(spec):
        target = errno_label(label(pid), r.name) if link else None
        out += _row([
            _name_lines(r.name, target),
            [str(r.linux) if r.linux is not None else "—"],
            [str(r.freebsd) if r.freebsd is not None else "—"],
            _code_lines(r.exception),
            _text_lines(r.condition),
        ])  # fmt: skip
    return "\n".join(out) + "\n"
