"""The source parser: a man page file, mdoc(7) or man(7), read as a Sphinx document."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from docutils import nodes
from docutils.statemachine import StringList
from sphinx.parsers import RSTParser
from sphinx.util import logging

from mdoc2rst.sphinx.config import FILETYPE
from mdoc2rst.sphinx.contract import contract_warnings
from mdoc2rst.sphinx.domain import domain_of, page_key
from mdoc2rst.sphinx.encoding import page_source
from mdoc2rst.sphinx.render import read_failed, render, report
from mdoc2rst.tree.identity import Identity

if TYPE_CHECKING:
    from sphinx.environment import BuildEnvironment


logger = logging.getLogger(__name__)


# -- the source parser --------------------------------------------------------


class MdocParser(RSTParser):
    """Reads a man page file as a Sphinx document."""

    supported = (FILETYPE,)

    def parse(self, inputstring: str | StringList, document: nodes.document) -> None:
        env: BuildEnvironment = document.settings.env
        docname = env.docname
        path = env.doc2path(docname)
        key = page_key(docname, Path(path).suffix)
        text = inputstring if isinstance(inputstring, str) else "\n".join(inputstring)
        name, section = key or (PurePosixPath(docname).name, "")
        title = f"{name}({section})" if section else name
        try:
            page = render(page_source(text, env), str(path), env, docname=docname)
            report(page.doc, env, docname)
        except Exception as exc:  # one odd page must not stop the build
            read_failed(str(path), exc, (docname, 1))
            anchor = _unreadable_document(document, title, str(path), _UNREADABLE)
            domain_of(env).note_page(Identity(name, section), docname, anchor)
            return
        super().parse(page.content, document)
        contract_warnings(env, docname, page.doc)
        domain_of(env).note_page(
            page.identity, docname, page.label, key, xrefs=page.xrefs, errnos=page.errnos
        )


_UNREADABLE = "This manual page could not be read; the build's warnings say why."


def _unreadable_document(document: nodes.document, title: str, source: str, text: str) -> str:
    """Make ``document`` a title and a line saying why the page is not there.

    Built as nodes, not reST, so that no name can be read as markup; the
    title keeps the toctree and the page's links working.  Returns the
    section's id.
    """
    section = nodes.section()
    section.source, section.line = source, 1
    section += nodes.title(title, title)
    section += nodes.paragraph(text, text)
    section["names"].append(nodes.fully_normalize_name(title))
    document.note_implicit_target(section, section)
    document += section
    ids: list[str] = section["ids"]
    return ids[0]
