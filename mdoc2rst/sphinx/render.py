"""A page to Sphinx-flavour reST, with a line map and the page's diagnostics as warnings."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.util import logging

from mdoc2rst.reader import parse
from mdoc2rst.safe import LINE_ENDS, printable
from mdoc2rst.sphinx.config import READ_FAILED, WARNING_TYPE, MdocConfig
from mdoc2rst.sphinx.domain import domain_of
from mdoc2rst.tree.nodes import TEXT, Document
from mdoc2rst.writers.rst import RstOptions, label, write

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
    key: tuple[str, str]


def render(
    text: str | bytes,
    source: str,
    env: BuildEnvironment,
    *,
    key: tuple[str, str] | None = None,
    page_id: str | None = None,
) -> Rendered:
    """Parse a page and write it as Sphinx-flavour reST, with a line map."""
    config = MdocConfig.from_sphinx(env.config)
    # .so may read within the project's source tree, never outside it.
    doc = parse(text, filename=source, path=Path(source), so_root=Path(env.srcdir))
    note_includes(env, doc)
    if key is None:
        key = ((doc.meta.name or doc.meta.title or Path(source).stem), doc.meta.msec or "")
    name, section = key
    if page_id is None:
        page_id = f"{name}.{section}" if section else name
    local = _safe_docnames(domain_of(env).local_pages) if config.local_xr else {}
    options = RstOptions(
        flavor="sphinx", xr_url=config.xr_url, local_pages=dict(local), page_id=page_id
    )
    lines = one_line_each(write(doc, options))
    first = _first_line(doc)
    content = StringList(lines, items=[(source, n - 1) for n in line_map(doc, lines, first)])
    return Rendered(doc, content, label(page_id), (name, section))


def one_line_each(text: str) -> list[str]:
    """The writer's lines, split at its own line ends only (safe.py)."""
    return text.translate(LINE_ENDS).split("\n")


#: Characters that would end the target of the ``:doc:`` role the writer makes.
_DOCNAME_BREAKS: Final = re.compile(r"[`<>\\\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _safe_docnames(pages: Mapping[tuple[str, str], str]) -> dict[tuple[str, str], str]:
    """The local pages whose docnames can stand in a role; others link out."""
    return {k: d for k, d in pages.items() if not _DOCNAME_BREAKS.search(d)}


def note_includes(env: BuildEnvironment, doc: Document) -> None:
    """Editing a file the page pulled in with ``.so`` rebuilds the page."""
    for path in doc.includes:
        env.note_dependency(path)


def _first_line(doc: Document) -> int:
    return next((n.line for n in doc.root.walk() if n.line > 0), 1)


#: How many text nodes ahead a reST line may match; it keeps the map monotone
#: and cheap, at the price of a gap now and then.
_LOOKAHEAD = 40
_NEEDLE = 24


def _needle(text: str) -> re.Pattern[str]:
    """The start of a text node's words, matched as whole words in a reST line."""
    start = text[:_NEEDLE]
    end = r"(?!\w)" if len(text) <= _NEEDLE else ""
    return re.compile(r"(?<!\w)" + re.escape(start) + end)


def line_map(doc: Document, lines: list[str], first: int = 1) -> list[int]:
    """The page line of each reST line, as near as the text allows.

    The writer gives no map, so each reST line takes the line of the next
    text node of the page whose first words it contains, searching forward
    only; a line that matches none keeps the line before it.
    """
    anchors = [
        (n.line, _needle(n.string.strip()))
        for n in doc.root.walk()
        if n.type is TEXT and n.line > 0 and len(n.string.strip()) >= 4
    ]
    result: list[int] = []
    current, start = first, 0
    for line in lines:
        for k in range(start, min(start + _LOOKAHEAD, len(anchors))):
            if anchors[k][1].search(line):
                current, start = anchors[k][0], k + 1
                break
        result.append(current)
    return result


def report(doc: Document, env: BuildEnvironment, where: str | None) -> None:
    """Log the page's diagnostics, from the configured level up, as warnings.

    ``where`` is the docname of a page read as a document; for an included
    page it is None and the warning points at the page's own path.
    """
    min_level = MdocConfig.from_sphinx(env.config).min_level
    for d in doc.diagnostics:
        if d.level < min_level:
            continue
        location: tuple[str, int] | nodes.Node
        # Line 0 is the page as a whole: its first line, as lint says.
        if where is not None:
            location = (where, d.line or 1)
        else:
            location = nodes.Element()
            location.source, location.line = d.file, d.line or 1
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
