"""The ``mdoc`` domain: man pages as objects, the census of the project's pages, C names."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Set
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, ClassVar

from docutils import nodes
from docutils.utils import get_source_line
from sphinx.domains import Domain, ObjType
from sphinx.roles import XRefRole
from sphinx.util import logging
from sphinx.util.nodes import make_refnode

from mdoc2rst.sphinx.config import SUFFIXES, WARNING_TYPE, MdocConfig
from mdoc2rst.sphinx.encoding import choose_decoding

if TYPE_CHECKING:
    from sphinx.addnodes import pending_xref
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment


logger = logging.getLogger(__name__)


# -- the man pages of the project ---------------------------------------------


def page_key(docname: str, suffix: str) -> tuple[str, str] | None:
    """``(name, section)`` of the document ``docname`` read from a file ending in
    ``suffix``, or None when it is no man page."""
    if suffix not in SUFFIXES:
        return None
    return PurePosixPath(docname).name, suffix[1:]


def find_pages(env: BuildEnvironment) -> dict[tuple[str, str], str]:
    """``(name, section) -> docname`` of every man page among the documents."""
    pages: dict[tuple[str, str], str] = {}
    for docname in sorted(env.found_docs):
        key = page_key(docname, Path(env.doc2path(docname)).suffix)
        if key is not None:
            pages.setdefault(key, docname)
    return pages


def before_read(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Take the census of man pages once per build.

    When a page comes or goes, every page is read again: their ``.Xr`` links
    may have to change between local and external.
    """
    domain = domain_of(env)
    pages = find_pages(env)
    if pages != domain.local_pages:
        if domain.local_pages:
            docnames.extend(sorted(set(pages.values()) - set(docnames)))
        domain.local_pages = pages
    choose_decoding(env, docnames)


# -- C names that nothing declares ----------------------------------------------


def unlinked_c_name(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: nodes.TextElement
) -> nodes.TextElement | None:
    """Let a C name of a man page that nothing declares stay plain text.

    Man pages name system types (``struct sockaddr``) and functions of other
    pages (``connect``) all the time; in nitpicky mode each would be a
    warning.  This runs after intersphinx, so names that another project
    documents are linked still.
    """
    if node.get("refdomain") != "c" or MdocConfig.from_sphinx(env.config).nitpick_c:
        return None
    source, _ = get_source_line(node)
    if source is None or Path(source).suffix not in SUFFIXES:
        return None
    return contnode


# -- the domain: pages as objects, for :mdoc:page: and objects.inv -------------


@dataclass(frozen=True)
class PageEntry:
    docname: str
    anchor: str


class MdocDomain(Domain):
    """Man pages as objects: ``:mdoc:page:`sctp_connectx(3)```, listed in objects.inv."""

    name = "mdoc"
    label = "mdoc"
    object_types: ClassVar[dict[str, ObjType]] = {"page": ObjType("manual page", "page")}
    roles: ClassVar[dict[str, Any]] = {"page": XRefRole()}
    initial_data: ClassVar[dict[str, Any]] = {"pages": {}, "local_pages": {}}
    data_version = 1

    @property
    def pages(self) -> dict[str, PageEntry]:
        """``name(section)`` -> where the page is."""
        pages: dict[str, PageEntry] = self.data.setdefault("pages", {})
        return pages

    @property
    def local_pages(self) -> dict[tuple[str, str], str]:
        """The census of man page documents taken before the last read."""
        local: dict[tuple[str, str], str] = self.data.setdefault("local_pages", {})
        return local

    @local_pages.setter
    def local_pages(self, value: Mapping[tuple[str, str], str]) -> None:
        self.data["local_pages"] = dict(value)

    def note_page(self, key: tuple[str, str], docname: str, label: str) -> None:
        name, section = key
        # One line, one blank between words: objects.inv lists each object on
        # a line, and intersphinx splits it with str.splitlines().
        title = " ".join((f"{name}({section})" if section else name).split()) or "?"
        other = self.pages.get(title)
        if other is not None and other.docname != docname:
            logger.warning(
                "duplicate man page %s, other instance in %s",
                title,
                other.docname,
                type=WARNING_TYPE,
                subtype="duplicate_page",
                location=docname,
            )
        self.pages[title] = PageEntry(docname, nodes.make_id(label))

    def clear_doc(self, docname: str) -> None:
        for title, entry in list(self.pages.items()):
            if entry.docname == docname:
                del self.pages[title]

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        for title, entry in otherdata["pages"].items():
            if entry.docname in docnames:
                self.pages[title] = entry

    def resolve_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        typ: str,
        target: str,
        node: pending_xref,
        contnode: nodes.Element,
    ) -> nodes.reference | None:
        entry = self.pages.get(target)
        if entry is None:
            return None
        return make_refnode(builder, fromdocname, entry.docname, entry.anchor, contnode, target)

    def resolve_any_xref(
        self,
        env: BuildEnvironment,
        fromdocname: str,
        builder: Builder,
        target: str,
        node: pending_xref,
        contnode: nodes.Element,
    ) -> list[tuple[str, nodes.reference]]:
        found = self.resolve_xref(env, fromdocname, builder, "page", target, node, contnode)
        return [] if found is None else [("mdoc:page", found)]

    def get_objects(self) -> Iterator[tuple[str, str, str, str, str, int]]:
        for title, entry in sorted(self.pages.items()):
            yield title, title, "page", entry.docname, entry.anchor, 1


def domain_of(env: BuildEnvironment) -> MdocDomain:
    domain = env.get_domain(MdocDomain.name)
    assert isinstance(domain, MdocDomain)
    return domain
