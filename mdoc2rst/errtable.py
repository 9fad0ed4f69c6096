"""Error-mapping tables: what each documented errno is, everywhere it matters.

One row per errno in a page's ERRORS section: its name, its value on Linux
and on FreeBSD, the Python exception a binding raises for it, and the
page's condition text.  :func:`rows` gives the data; :func:`to_rst` a reST
table whose errno names link to the entries of the rendered page.
"""

from __future__ import annotations

from dataclasses import dataclass

from mdoc2rst.errnos import FREEBSD, LINUX, exception_name
from mdoc2rst.rst import escape_text, label
from mdoc2rst.spec import Spec


@dataclass(frozen=True, slots=True)
class Row:
    name: str
    linux: int | None
    freebsd: int | None
    exception: str
    condition: str
    line: int


def rows(spec: Spec) -> list[Row]:
    """The page's errors in page order; a repeated errno keeps its first condition."""
    out: list[Row] = []
    seen: set[str] = set()
    for e in spec.errors:
        if e.name in seen:
            continue
        seen.add(e.name)
        row = Row(e.name, LINUX.get(e.name), FREEBSD.get(e.name), exception_name(e.name),
                  e.condition, e.line)  # fmt: skip
        out.append(row)
    return out


def page_id(spec: Spec) -> str:
    """The label prefix the reST writer uses for this page."""
    name = spec.names[0] if spec.names else (spec.title or "page").lower()
    return f"{name}.{spec.section}" if spec.section else name


def to_rst(spec: Spec, *, link: bool = True, pid: str | None = None) -> str:
    """A reST ``list-table``; with ``link``, errno names are ``:ref:`` links.

    Links need the page rendered in the same Sphinx project (the writer gives
    each ERRORS entry the label ``<page_id>-errno-<NAME>``).
    """
    pid = pid or page_id(spec)
    title = f"{spec.names[0]}({spec.section})" if spec.names and spec.section else spec.source
    out = [
        f".. list-table:: Errors documented in {escape_text(title)}",
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
        name = f":ref:`{r.name} <{label(pid + '-errno-' + r.name)}>`" if link else f"``{r.name}``"
        out += [
            f"   * - {name}",
            f"     - {r.linux if r.linux is not None else '—'}",
            f"     - {r.freebsd if r.freebsd is not None else '—'}",
            f"     - ``{r.exception}``",
            f"     - {escape_text(r.condition) or '—'}",
        ]
    return "\n".join(out) + "\n"
