"""The cross-system drift table of the SCTP pages, from ``docs/drift.toml``.

FreeBSD's pages and lksctp-tools' pages of the same functions list
different errnos (``mdoc2rst spec-diff``).  ``drift.toml`` holds, for every
errno that one system documents and the other does not, what each of
sctpx's backends does about it: the test that produces it there, or the
reason it cannot be produced here.  It also holds the conflicts between the
FreeBSD prototypes and lksctp-tools' ``<netinet/sctp.h>`` (``mdoc2rst
check-header``), each with its reason.

:func:`load` reads and checks the file (``tests/test_drift.py`` checks it
against a fresh spec-diff and against the test suite); the directives
``sctp-drift-errnos``, ``sctp-drift-reasons`` and ``sctp-drift-header``
render it.  The loader imports nothing from Sphinx.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: The backends, in the order of the table's columns.
BACKENDS = ("kernel", "usrsctp", "freebsd")
SIDES = ("freebsd", "linux")
#: A test as pytest names it: ``tests/test_x.py::test_name`` or ``...::test_name[id]``.
TEST_ID = re.compile(r"tests/test_\w+\.py::test_\w+(?:\[[\w.-]+\])?")
_KEY = re.compile(r"[a-z][a-z0-9-]*")
_ERRNO = re.compile(r"E[A-Z0-9]+")
_FUNCTION = re.compile(r"[a-z_][a-z0-9_]*(?:, [a-z_][a-z0-9_]*)*")


class DriftError(ValueError):
    """``drift.toml`` is not what the table needs: the message names the entry."""


@dataclass(frozen=True, slots=True)
class Reason:
    key: str
    title: str
    text: str


@dataclass(frozen=True, slots=True)
class Backend:
    key: str
    title: str
    default: str | None  # a reason key for rows that name none


@dataclass(frozen=True, slots=True)
class Row:
    """An errno one system's page documents and the other's does not."""

    function: str  # the functions both pages declare, ", "-joined
    errno: str
    documented_by: str  # "freebsd" or "linux"
    freebsd_page: str  # relative to docs/: man3/sctp_connectx.3
    linux_page: str  # lksctp-tools' file name: sctp_connectx.3
    cells: dict[str, str]  # backend -> a test id or a reason key
    note: str | None

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.freebsd_page, self.linux_page, self.errno, self.documented_by)


@dataclass(frozen=True, slots=True)
class HeaderConflict:
    """A FreeBSD prototype that lksctp-tools' header declares otherwise."""

    function: str
    page: str
    page_says: str
    header_says: str
    reason: str
    binding: str


@dataclass(frozen=True, slots=True)
class Drift:
    backends: dict[str, Backend]
    reasons: dict[str, Reason]
    rows: list[Row]
    header: list[HeaderConflict]


def is_test(cell: str) -> bool:
    return TEST_ID.fullmatch(cell) is not None


def load(path: Path) -> Drift:
    """Read and check ``drift.toml``; a DriftError names what is wrong and where."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise DriftError(f"{path}: {exc}") from None
    reasons = {
        key: Reason(key, _text(value, "title", f"reasons.{key}"), _text(value, "text", key))
        for key, value in _table(data, "reasons", str(path)).items()
        if _checked_key(key, "reason")
    }
    backends: dict[str, Backend] = {}
    for key in BACKENDS:
        value = _table(_table(data, "backends", str(path)), key, "backends")
        default = value.get("default")
        if default is not None and default not in reasons:
            raise DriftError(f"backends.{key}: default {default!r} is no reason")
        backends[key] = Backend(key, _text(value, "title", f"backends.{key}"), default)
    rows = [_row(i, value, backends, reasons) for i, value in enumerate(_list(data, "errno"))]
    seen: set[tuple[str, str, str, str]] = set()
    for row in rows:
        if row.key in seen:
            raise DriftError(f"errno {row.errno} of {row.function}: listed twice")
        seen.add(row.key)
    header = [_conflict(i, value) for i, value in enumerate(_list(data, "header"))]
    used = {cell for row in rows for cell in row.cells.values()}
    if unused := sorted(set(reasons) - used):
        raise DriftError(f"reasons that no row gives: {', '.join(unused)}")
    return Drift(backends, reasons, rows, header)


def _row(i: int, value: Any, backends: dict[str, Backend], reasons: dict[str, Reason]) -> Row:
    where = f"errno[{i}]"
    if not isinstance(value, dict):
        raise DriftError(f"{where}: want a table")
    known = {"function", "errno", "documented_by", "freebsd_page", "linux_page", "note", *BACKENDS}
    if extra := sorted(set(value) - known):
        raise DriftError(f"{where}: unknown keys {', '.join(extra)}")
    function = _text(value, "function", where, _FUNCTION)
    errno = _text(value, "errno", where, _ERRNO)
    where = f"errno {errno} of {function}"
    side = _text(value, "documented_by", where)
    if side not in SIDES:
        raise DriftError(f"{where}: documented_by is {side!r}, want one of {SIDES}")
    cells: dict[str, str] = {}
    for key, backend in backends.items():
        cell = value.get(key, backend.default)
        if cell is None:
            raise DriftError(f"{where}: no test or reason for {key}")
        if not isinstance(cell, str) or not (is_test(cell) or cell in reasons):
            raise DriftError(f"{where}: {key} is {cell!r}, neither a test id nor a reason key")
        cells[key] = cell
    note = value.get("note")
    if note is not None and not (isinstance(note, str) and note.strip()):
        raise DriftError(f"{where}: an empty note")
    return Row(
        function,
        errno,
        side,
        _text(value, "freebsd_page", where),
        _text(value, "linux_page", where),
        cells,
        note,
    )


def _conflict(i: int, value: Any) -> HeaderConflict:
    where = f"header[{i}]"
    if not isinstance(value, dict):
        raise DriftError(f"{where}: want a table")
    fields = ("function", "page", "page_says", "header_says", "reason", "binding")
    if extra := sorted(set(value) - set(fields)):
        raise DriftError(f"{where}: unknown keys {', '.join(extra)}")
    return HeaderConflict(*(_text(value, f, where) for f in fields))


def _checked_key(key: str, what: str) -> bool:
    if not _KEY.fullmatch(key):
        raise DriftError(f"{what} key {key!r}: want lower-case words joined by '-'")
    return True


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise DriftError(f"{where}: no table [{key}]")
    return value


def _list(data: dict[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise DriftError(f"{key}: want an array of tables [[{key}]]")
    return value


def _text(value: dict[str, Any], key: str, where: str, form: re.Pattern[str] | None = None) -> str:
    text = value.get(key)
    if not isinstance(text, str) or not text.strip():
        raise DriftError(f"{where}: {key} is missing or empty")
    if form is not None and not form.fullmatch(text):
        raise DriftError(f"{where}: {key} {text!r} is not of the form {form.pattern}")
    return text


# -- reST ------------------------------------------------------------------------------------


def _literal(text: str) -> str:
    return "``" + text.replace("`", "'") + "``"


def _reason_ref(key: str, drift: Drift) -> str:
    return f":ref:`{drift.reasons[key].title} <drift-reason-{key}>`"


def _cell(cell: str, drift: Drift) -> str:
    return _literal(cell.removeprefix("tests/")) if is_test(cell) else _reason_ref(cell, drift)


def _errno_cell(row: Row) -> str:
    if row.documented_by == "freebsd":
        page = Path(row.freebsd_page).name
        return f":ref:`{row.errno} <{page}-errno-{row.errno}>`"
    return _literal(row.errno)


def _page_cell(row: Row) -> str:
    if row.documented_by == "freebsd":
        name, section = Path(row.freebsd_page).name.rsplit(".", 1)
        return f"FreeBSD, :mdoc:page:`{name}({section})`"
    name, section = row.linux_page.rsplit(".", 1)
    return f"lksctp-tools, ``{name}({section})``"


def errno_table(drift: Drift) -> list[str]:
    backends = [drift.backends[k].title for k in BACKENDS]
    lines = [
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 14 14 16 20 20 16",
        "",
        "   * - function",
        "     - errno",
        "     - documented by",
        *(f"     - {title}" for title in backends),
    ]
    for row in drift.rows:
        errno = _errno_cell(row)
        lines += [
            f"   * - :c:func:`{row.function}`"
            if "," not in row.function
            else f"   * - {row.function}",
            f"     - {errno}",
        ]
        if row.note:
            lines += ["", f"       *{row.note}*"]
        lines.append(f"     - {_page_cell(row)}")
        lines += [f"     - {_cell(row.cells[k], drift)}" for k in BACKENDS]
    return lines


def reasons_list(drift: Drift) -> list[str]:
    lines: list[str] = []
    for key, reason in drift.reasons.items():
        lines += [f".. _drift-reason-{key}:", "", f"**{reason.title}**: {reason.text}", ""]
    return lines


def header_table(drift: Drift) -> list[str]:
    lines = [
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 16 18 18 48",
        "",
        "   * - function",
        "     - FreeBSD's page",
        "     - ``<netinet/sctp.h>``",
        "     - why, and what a binding does about it",
    ]
    for c in drift.header:
        name, section = Path(c.page).name.rsplit(".", 1)
        lines += [
            f"   * - :c:func:`{c.function}` (:mdoc:page:`{name}({section})`)",
            f"     - {c.page_says}",
            f"     - {c.header_says}",
            f"     - {c.reason}",
            "",
            f"       {c.binding}",
        ]
    return lines


def setup(app: Any) -> dict[str, Any]:
    """Register the directives; docutils and Sphinx are imported here only."""
    from docutils import nodes
    from docutils.statemachine import StringList
    from sphinx.util.docutils import SphinxDirective

    renderers = {
        "sctp-drift-errnos": errno_table,
        "sctp-drift-reasons": reasons_list,
        "sctp-drift-header": header_table,
    }

    class DriftDirective(SphinxDirective):
        required_arguments = 1

        def run(self) -> list[nodes.Node]:
            rel, path = self.env.relfn2path(self.arguments[0])
            self.env.note_dependency(rel)
            try:
                drift = load(Path(path))
            except (OSError, DriftError) as exc:
                raise self.error(str(exc)) from None
            lines = renderers[self.name](drift)
            box = nodes.container()
            self.state.nested_parse(StringList(lines, source=path), self.content_offset, box)
            return list(box.children)

    for name in renderers:
        app.add_directive(name, DriftDirective)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
