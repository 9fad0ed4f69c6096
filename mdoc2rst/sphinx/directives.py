"""``.. mdoc::`` and ``.. mdoc-errors::``: pages kept outside the documents."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Final

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import nested_parse_with_titles

from mdoc2rst.reader import parse
from mdoc2rst.sphinx.domain import domain_of
from mdoc2rst.sphinx.render import note_includes, one_line_each, read_failed, render, report
from mdoc2rst.writers.rst import LABEL_MAX, label

if TYPE_CHECKING:
    from sphinx.util.typing import OptionSpec


logger = logging.getLogger(__name__)


# -- the directive ------------------------------------------------------------


#: What ``:page-id:`` may be: a label as the writer makes them.
_PAGE_ID: Final = re.compile(
    rf"[A-Za-z0-9](?:[A-Za-z0-9._+-]{{0,{LABEL_MAX - 2}}}[A-Za-z0-9._+])?"
)


def page_id_option(argument: str | None) -> str:
    """``:page-id:``: letters, digits and ``. _ + -``, used as it is in labels."""
    if argument is None or not argument.strip():
        raise ValueError("argument required but none supplied")
    value = argument.strip()
    if not _PAGE_ID.fullmatch(value) or label(value) != value:
        raise ValueError(
            f"a page id is 1 to {LABEL_MAX} letters, digits and '._+-', starting with a letter "
            "or a digit and not ending with '-'"
        )
    return value


class _PageDirective(SphinxDirective):
    """A directive whose argument names a man page, which it depends on."""

    required_arguments = 1
    final_argument_whitespace = True

    def read_page(self) -> tuple[str, bytes]:
        """The page's path and bytes; editing the page rebuilds this document."""
        rel, path = self.env.relfn2path(self.arguments[0])
        self.env.note_dependency(rel)
        try:
            return path, Path(path).read_bytes()
        except OSError as exc:
            raise self.error(f"cannot read man page {rel}: {exc.strerror or exc}") from exc

    def parse_rst(self, content: StringList, *, titles: bool) -> list[nodes.Node]:
        holder = nodes.Element()
        holder.document = self.state.document
        if titles:
            nested_parse_with_titles(self.state, content, holder)
        else:
            self.state.nested_parse(content, 0, holder)
        return list(holder.children)

    def unreadable(self, path: str, exc: Exception, what: str) -> list[nodes.Node]:
        """Warn at the directive, and put a line in the page's place."""
        read_failed(path, exc, (self.env.docname, self.lineno))
        text = f"The {what} {self.arguments[0]} could not be read."
        return [nodes.paragraph(text, text)]


class MdocDirective(_PageDirective):
    """``.. mdoc:: PATH``: a page kept outside the documents, rendered in place.

    PATH is relative to the current document, or to the source folder when
    it starts with ``/``.  Editing the page rebuilds the document.  Options:
    ``:page-id:`` (the prefix of the page's labels) and ``:no-index:`` (no
    ``mdoc:page`` object for the page, when the page is a document too).
    """

    option_spec: ClassVar[OptionSpec] = {
        "page-id": page_id_option,
        "no-index": directives.flag,
    }

    def run(self) -> list[nodes.Node]:
        path, data = self.read_page()
        try:
            page = render(data, path, self.env, page_id=self.options.get("page-id"))
            report(page.doc, self.env, None)
        except Exception as exc:  # one odd page must not stop the build
            return self.unreadable(path, exc, "manual page")
        result = self.parse_rst(page.content, titles=True)
        if "no-index" not in self.options:
            domain_of(self.env).note_page(
                page.identity, self.env.docname, page.label, xrefs=page.xrefs, errnos=page.errnos
            )
        return result


class MdocErrorsDirective(_PageDirective):
    """``.. mdoc-errors:: PATH``: the error-mapping table of a page.

    One row per errno of the page's ERRORS section: its value on Linux and
    FreeBSD, the Python exception a generated binding raises, and the
    page's condition; errno names link to the entries of the rendered page
    (``:page-id:`` when the page was rendered with one; ``:no-links:`` when
    it is not part of the project).
    """

    option_spec: ClassVar[OptionSpec] = {
        "page-id": page_id_option,
        "no-links": directives.flag,
    }

    def run(self) -> list[nodes.Node]:
        from mdoc2rst.contract.errtable import to_rst
        from mdoc2rst.contract.spec import extract

        path, data = self.read_page()
        try:
            doc = parse(data, filename=path, path=Path(path), so_root=Path(self.env.srcdir))
            note_includes(self.env, doc)
            spec = extract(doc, data)
            link = "no-links" not in self.options
            text = to_rst(spec, link=link, pid=self.options.get("page-id"))
        except Exception as exc:  # one odd page must not stop the build
            return self.unreadable(path, exc, "errors of the manual page")
        return self.parse_rst(StringList(one_line_each(text), source=path), titles=False)
