"""A page to Sphinx-flavour reST, with a line map and the page's diagnostics as warnings."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.domains.c._parser import DefinitionParser
from sphinx.util import logging
from sphinx.util.cfamily import DefinitionError

from mdoc2rst.contract.spec import extract
from mdoc2rst.reader import parse
from mdoc2rst.roff.escape import render as render_escapes
from mdoc2rst.safe import LINE_ENDS, printable
from mdoc2rst.sphinx.config import C_DECL, READ_FAILED, WARNING_TYPE, MdocConfig
from mdoc2rst.sphinx.domain import ErrnoEntry, domain_of, title_of
from mdoc2rst.tree.identity import Identity, file_page
from mdoc2rst.tree.nodes import TEXT, Document
from mdoc2rst.writers.man import page_identity
from mdoc2rst.writers.rst import LINE_MARK, RstOptions, errno_label, label, write

if TYPE_CHECKING:
    from sphinx.environment import BuildEnvironment


logger = logging.getLogger(__name__)


# -- rendering ----------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    """A page as reST lines, each tagged with the page's path and line."""

    doc: Document
    content: StringList
    label: str
    identity: Identity
    #: The pages its ``.Xr`` refer to, ``name(section)``.
    xrefs: tuple[str, ...] = ()
    #: Its ERRORS list, each errno with its condition and target.
    errnos: tuple[ErrnoEntry, ...] = ()


def render(
    text: str | bytes,
    source: str,
    env: BuildEnvironment,
    *,
    docname: str | None = None,
    page_id: str | None = None,
    indexed: frozenset[str] | None = None,
) -> Rendered:
    """Parse a page and write it as Sphinx-flavour reST, each line tagged
    with its page line.

    ``docname``: the page is that document, named after its file; ``indexed``:
    the C names it declares with an index entry (default: the census's
    choice for a document, else all of its own).
    """
    # .so may read within the project's source tree, never outside it.
    doc = parse(text, filename=source, path=Path(source), so_root=Path(env.srcdir))
    note_includes(env, doc)
    identity = page_identity(doc, source)
    if page_id is None:
        key = file_page(source) or (identity.name, identity.section)
        page_id = f"{key[0]}.{key[1]}" if key[1] else key[0]
    if indexed is None and docname is not None:
        indexed = domain_of(env).indexed(docname)
    options = RstOptions(
        flavor="sphinx",
        page_id=page_id,
        identity=identity,
        xr_role=True,
        line_marks=True,
        indexed=indexed,
    )
    lines = one_line_each(write(doc, options))
    items = take_line_marks(lines, source, _first_line(doc))
    lines, items = checked_declarations(lines, items, env, docname)
    page_label = label(page_id)
    return Rendered(
        doc,
        StringList(lines, items=items),
        page_label,
        identity,
        tuple(_xrefs(doc) if doc.macroset != "man" else _role_xrefs(lines)),
        tuple(_errnos(doc, lines, page_label, identity)),
    )


def one_line_each(text: str) -> list[str]:
    """The writer's lines, split at its own line ends only (safe.py)."""
    return text.translate(LINE_ENDS).split("\n")


def take_line_marks(lines: list[str], source: str, first: int) -> list[tuple[str, int]]:
    """Take the writer's line marks off ``lines``; each line's (source, offset).

    A line without a mark belongs where the line before it does: it goes on
    with the same paragraph, list or table.
    """
    items: list[tuple[str, int]] = []
    current = first
    for i, line in enumerate(lines):
        if "\x01" in line:
            m = LINE_MARK.search(line)
            if m is not None:
                current = int(m.group(1))
                lines[i] = line[: m.start()] + line[m.end() :]
        items.append((source, current - 1))
    return items


def note_includes(env: BuildEnvironment, doc: Document) -> None:
    """Editing a file the page pulled in with ``.so`` rebuilds the page."""
    for path in doc.includes:
        env.note_dependency(path)


def _first_line(doc: Document) -> int:
    return next((n.line for n in doc.root.walk() if n.line > 0), 1)


def _xrefs(doc: Document) -> Iterator[str]:
    """``name(section)`` of each ``.Xr`` with a section."""
    for n in doc.root.walk():
        if n.tok == "Xr":
            texts = [render_escapes(c.string) for c in n.children if c.type is TEXT]
            if len(texts) >= 2:
                yield title_of(texts[0], texts[1])


#: A page reference the writer made: ``:mdoc:xr:`title <name(section)>```.
_XR_ROLE: Final = re.compile(r":mdoc:xr:`(?:[^`\\]|\\.)*?<((?:[^`>\\]|\\.)*)>`")


def _role_xrefs(lines: list[str]) -> Iterator[str]:
    """``name(section)`` of each page reference of a man(7) page: man(7) has
    no ``.Xr``, the writer finds them in the text (``.BR name (2)``)."""
    for line in lines:
        if ":mdoc:xr:" in line:
            for m in _XR_ROLE.finditer(line):
                yield m.group(1).replace("\\", "")


_LABEL_LINE: Final = re.compile(r"\s*\.\. _([^:`]+):$")


def _errnos(
    doc: Document, lines: list[str], page_label: str, identity: Identity
) -> Iterator[ErrnoEntry]:
    """The page's ERRORS entries that the writer gave a target, with their condition."""
    labels = {m.group(1) for line in lines if (m := _LABEL_LINE.match(line))}
    if not any("-errno-" in lab for lab in labels):
        return
    seen: set[str] = set()
    for error in extract(doc).errors:
        target = errno_label(page_label, error.name)
        if error.name in seen or target not in labels:
            continue
        seen.add(error.name)
        condition = " ".join(error.condition.split())
        yield ErrnoEntry(error.name, identity.title, "", nodes.make_id(target), condition)


# -- C declarations Sphinx cannot take --------------------------------------------

_DECLARATION: Final = re.compile(r"(\s*)\.\. c:(function|macro|var|struct|union|enum|type):: (.*)")
#: Directive -> the object type Sphinx's C parser wants.
_OBJECT_TYPE: Final = {"var": "member"}


def checked_declarations(
    lines: list[str], items: list[tuple[str, int]], env: BuildEnvironment, docname: str | None
) -> tuple[list[str], list[tuple[str, int]]]:
    """Each C declaration that Sphinx's C domain cannot parse becomes literal text.

    That is the page's own error (or a construct Sphinx does not know), so it
    is one warning of type ``mdoc.c_decl`` at the page line, instead of an
    "Invalid C declaration" from Sphinx that nothing could silence.
    """
    out_lines: list[str] = []
    out_items: list[tuple[str, int]] = []
    skip_options = False
    for line, item in zip(lines, items, strict=True):
        if skip_options:
            if line.strip().startswith(":"):
                continue
            skip_options = False
        m = _DECLARATION.fullmatch(line)
        if m is not None:
            indent, kind, signature = m.groups()
            problem = _c_problem(signature, kind, env)
            if problem is not None:
                logger.warning(
                    "Sphinx's C domain cannot take this declaration, shown as text: %s (%s)",
                    printable(signature),
                    problem,
                    type=WARNING_TYPE,
                    subtype=C_DECL,
                    location=page_location(docname, item[0], item[1] + 1),
                )
                block = [f"{indent}.. code-block:: c", "", f"{indent}   {signature};"]
                out_lines += block
                out_items += [item] * len(block)
                skip_options = True
                continue
        out_lines.append(line)
        out_items.append(item)
    return out_lines, out_items


def _c_problem(signature: str, kind: str, env: BuildEnvironment) -> str | None:
    """Why Sphinx's C parser refuses ``signature``, or None if it takes it."""
    parser = DefinitionParser(signature, location=("", 0), config=env.config)
    try:
        parser.parse_declaration(_OBJECT_TYPE.get(kind, kind), kind)
        parser.skip_ws()
        parser.assert_end()
    except DefinitionError as exc:
        return " ".join(str(exc).split("\n")[0].split())[:160]
    return None


def page_location(docname: str | None, source: str, line: int) -> tuple[str, int] | nodes.Node:
    """Where a warning about a page line points: the document, or the page's own file."""
    if docname is not None:
        return (docname, line)
    location = nodes.Element()
    location.source, location.line = source, line
    return location


def report(doc: Document, env: BuildEnvironment, where: str | None) -> None:
    """Log the page's diagnostics, from the configured level up, as warnings.

    ``where`` is the docname of a page read as a document; for an included
    page it is None and the warning points at the page's own path.
    """
    min_level = MdocConfig.from_sphinx(env.config).min_level
    for d in doc.diagnostics:
        if d.level < min_level:
            continue
        # Line 0 is the page as a whole: its first line, as lint says.
        location = page_location(where, d.file, d.line or 1)
        logger.warning(
            "%s (mdoc %s)",
            printable(d.message),
            d.level.name.lower(),
            type=WARNING_TYPE,
            subtype=d.kind.lower(),
            location=location,
        )


def _failure(exc: BaseException) -> str:
    """The exception in a few words, on one line."""
    text = " ".join(str(exc).split())
    if len(text) > 160:
        text = text[:159] + "…"
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def read_failed(page: str, exc: Exception, location: str | tuple[str, int]) -> None:
    """Warn that ``page`` could not be read; the traceback goes to the debug log."""
    logger.warning(
        "cannot read man page %s (%s); please report it with the page",
        page,
        _failure(exc),
        type=WARNING_TYPE,
        subtype=READ_FAILED,
        location=location,
    )
    logger.debug("[mdoc2rst] reading %s failed", page, exc_info=exc)
