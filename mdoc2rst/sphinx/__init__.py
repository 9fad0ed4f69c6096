"""The Sphinx extension: man pages as documents, and a directive for the others.

``extensions = ["mdoc2rst.sphinx"]`` makes Sphinx read files named
``NAME.1`` ... ``NAME.9`` (usually kept in ``man1/`` ... ``man9/``) as
documents, and adds ``.. mdoc:: PATH`` for pages kept outside the source
folder.  Both turn the page into Sphinx-flavour reST with
:func:`mdoc2rst.writers.rst.write` and hand that to Sphinx's reST parser, with every
line tagged with the page's path and, as near as can be found, its line, so
that warnings point into the page.

The parser's diagnostics become Sphinx warnings of type ``mdoc`` and subtype
the diagnostic's kind in lower case (``mdoc.macro_empty``), so that
``suppress_warnings`` can silence them.  The writer gives each page a label
and an index entry; this module adds an object of the ``mdoc`` domain
(``:mdoc:page:`name(3)```), which objects.inv lists for intersphinx, and
lets C names that nothing declares (``struct sockaddr``) stay plain text.

A page that the extension cannot read (a bug of the parser or the writer,
found by an odd page) is one warning of type ``mdoc.read_failed`` at that
page, which becomes a document of a title and a line saying so; the build
goes on.  Sphinx decodes a document strictly before any parser sees it, so
when a man page to be read is not in ``source_encoding`` the pages are read
for that build with a codec that keeps the bytes it cannot decode
(surrogateescape), and the page is decoded as mandoc does (UTF-8, else
ISO-8859-1, with a diagnostic); another document with such bytes still
stops the build, as it would without the extension.

Page text reaches Sphinx as reST that the writer escaped; the characters
that Python and docutils would take for line ends inside one of its lines
(U+2028 and the like) become blanks first, so that no page text starts a
line of reST of its own.  ``:page-id:`` is checked to be a label, and the
fallback document of an unreadable page is built as nodes, not as reST.

This is the only module that imports Sphinx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mdoc2rst
from mdoc2rst.sphinx.config import FILETYPE, add_config_values, check_config, register_suffixes
from mdoc2rst.sphinx.contract import check_contract_config
from mdoc2rst.sphinx.directives import MdocDirective, MdocErrorsDirective
from mdoc2rst.sphinx.domain import MdocDomain, before_read, external_xr, unlinked_c_name
from mdoc2rst.sphinx.encoding import guard_encoding, register_codec
from mdoc2rst.sphinx.indices import ErrnoIndex, FunctionIndex, add_backlinks, updated_pages
from mdoc2rst.sphinx.source import MdocParser

if TYPE_CHECKING:
    from sphinx.application import Sphinx
    from sphinx.util.typing import ExtensionMetadata


# -- setup --------------------------------------------------------------------


def setup(app: Sphinx) -> ExtensionMetadata:
    add_config_values(app)
    register_codec()
    for n in range(1, 10):  # the other man-page suffixes when the config is read
        app.add_source_suffix(f".{n}", FILETYPE)
    app.add_source_parser(MdocParser)
    app.add_directive("mdoc", MdocDirective)
    app.add_directive("mdoc-errors", MdocErrorsDirective)
    app.add_domain(MdocDomain)
    app.add_index_to_domain("mdoc", ErrnoIndex)
    app.add_index_to_domain("mdoc", FunctionIndex)
    app.connect("config-inited", check_config)
    app.connect("config-inited", check_contract_config)
    # Before Sphinx merges the extensions' suffixes into source_suffix (800).
    app.connect("config-inited", register_suffixes, priority=500)
    app.connect("env-before-read-docs", before_read)
    # Before other extensions edit the text, and never after a parser read it.
    app.connect("source-read", guard_encoding, priority=100)
    # After intersphinx (500): the site first, then inventories, then these.
    app.connect("missing-reference", unlinked_c_name, priority=900)
    app.connect("missing-reference", external_xr, priority=910)
    app.connect("env-get-updated", updated_pages)
    app.connect("doctree-resolved", add_backlinks)
    return {
        "version": mdoc2rst.__version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
        "env_version": 2,
    }
