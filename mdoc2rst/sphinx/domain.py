"""The ``mdoc`` domain: man pages as objects, found by name, alias or section.

Every page is an object ``name(section)`` (``:mdoc:page:``, listed in
objects.inv for intersphinx), and so is every name of its NAME section, and
its title under the section of its file name when ``.Dt`` says another
(``foo.3bsd`` with ``.Dt FOO 3``).  ``.Xr`` becomes the ``:mdoc:xr:`` role,
resolved here when the site has the page, then by intersphinx, then to an
external address for its section (:func:`external_xr`).

Before each read the census scans the NAME sections of all pages (a line
scan, cached by modification time) to decide which page owns each C name:
the page named like it, else the first that lists it.  Only the owner
declares it with an index entry, so that two pages documenting one
function make no duplicate declaration.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Set
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote

from docutils import nodes
from docutils.utils import get_source_line
from sphinx.domains import Domain, ObjType
from sphinx.roles import XRefRole
from sphinx.util import logging
from sphinx.util.nodes import make_refnode

from mdoc2rst.reader import decode_lenient
from mdoc2rst.roff.escape import render
from mdoc2rst.sphinx.config import WARNING_TYPE, MdocConfig, is_man_suffix
from mdoc2rst.sphinx.encoding import choose_decoding
from mdoc2rst.tree.identity import Identity

if TYPE_CHECKING:
    from sphinx.addnodes import pending_xref
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.environment import BuildEnvironment


logger = logging.getLogger(__name__)

_TITLE = re.compile(r"(?s)(.*)\(([^()]*)\)")


def page_key(docname: str, suffix: str) -> tuple[str, str] | None:
    """``(name, section)`` of the document ``docname`` read from a file ending in
    ``suffix``, or None when it is no man page."""
    if not is_man_suffix(suffix):
        return None
    return PurePosixPath(docname).name, suffix[1:]


def title_of(name: str, section: str) -> str:
    """A page's object name: ``name(section)``, on one line."""
    name = " ".join(name.split())
    return f"{name}({section})" if section else name


# -- the census: who owns which C name ---------------------------------------------


def before_read(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Take the census of the man pages' NAME sections, once per build.

    A page whose names change owners is read again, so that its
    declarations gain or lose their index entries.
    """
    domain = domain_of(env)
    census = domain.census
    pages: dict[str, tuple[str, ...]] = {}
    for docname in sorted(env.found_docs):
        path = Path(env.doc2path(docname))
        if not is_man_suffix(path.suffix):
            continue
        try:
            mtime = path.stat().st_mtime_ns
        except OSError:
            continue
        cached = census.get(docname)
        if cached is None or cached[0] != mtime:
            cached = (mtime, scan_names(path))
            census[docname] = cached
        pages[docname] = cached[1]
    for gone in set(census) - set(pages):
        del census[gone]
    owners = own_names(pages)
    old = domain.owners
    gaining = {d for name, d in owners.items() if old.get(name) != d}
    losing = {d for name, d in old.items() if owners.get(name) != d and d in pages}
    if old and (gaining or losing):
        # Pages that give names up are read first: Sphinx clears each page
        # just before it reads it, and the new owner must not declare a
        # name while the old one still does.
        rest = [d for d in docnames if d not in losing]
        docnames[:] = sorted(losing) + rest + sorted(gaining - losing - set(rest))
    domain.owners = owners
    choose_decoding(env, docnames)


_NAME_SH = re.compile(r"\.\s*Sh\s+\"?NAME\"?\s*$")
_SH = re.compile(r"\.\s*Sh\b")
_NM = re.compile(r"\.\s*Nm\b(.*)")
#: man(7): ``.SH NAME``, the next ``.SH``, and the dash before the description.
_MAN_NAME_SH = re.compile(r"\.\s*SH\s+\"?NAME\"?\s*$", re.IGNORECASE)
_MAN_SH = re.compile(r"\.\s*SH\b")
_MAN_DASH = re.compile(r"\s\\?-\s|\s\\\(em\s")


def scan_names(path: Path) -> tuple[str, ...]:
    """The names of a page's NAME section, by a scan of its lines: mdoc(7)'s
    ``.Nm`` lines, or man(7)'s ``name1, name2 \\- description`` text.

    Cheaper than a parse, and enough to know who documents what before the
    pages are read; a page that keeps its NAME elsewhere (``.so``) has none.
    """
    try:
        text = decode_lenient(path.read_bytes()[: 1 << 20])
    except OSError:
        return ()
    names: list[str] = []
    in_name = in_man_name = False
    man_text: list[str] = []
    for line in text.splitlines():
        if in_man_name:
            if _MAN_SH.match(line):
                break
            if not line.startswith((".", "'")):
                man_text.append(line)
                if _MAN_DASH.search(line):
                    break
            continue
        if _MAN_NAME_SH.match(line) and not _NAME_SH.match(line):
            in_man_name = True
        elif _NAME_SH.match(line):
            in_name = True
        elif _SH.match(line):
            if in_name:
                break
        elif in_name and (m := _NM.match(line)):
            for word in m.group(1).replace('"', " ").split():
                word = render(word).strip(",")
                if word and word not in names:
                    names.append(word)
    if man_text:
        head = _MAN_DASH.split(" ".join(man_text), maxsplit=1)[0]
        for word in head.split(","):
            word = render(word.strip())
            if word and word not in names:
                names.append(word)
    return tuple(names)


def own_names(pages: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """C name -> the page that owns it: the page named like it, else the first
    that lists it (in the order of docnames, the same in every build)."""
    owners: dict[str, str] = {}
    named: set[str] = set()
    for docname, names in sorted(pages.items()):
        stem = PurePosixPath(docname).name
        for name in names:
            if name == stem and name not in named:
                owners[name] = docname
                named.add(name)
            else:
                owners.setdefault(name, docname)
    return owners


# -- C names that nothing declares ----------------------------------------------


def unlinked_c_name(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: nodes.TextElement
) -> nodes.Element | None:
    """Link a C function reference to a macro; let other undeclared C names be.

    ``.Fn SLIST_EMPTY`` names a function-like macro, which Sphinx keeps
    apart from functions.  Man pages name system types (``struct
    sockaddr``) and functions of other pages (``connect``) all the time; in
    nitpicky mode each would be a warning.  This runs after intersphinx,
    so names that another project documents are linked still.
    """
    if node.get("refdomain") != "c":
        return None
    if node.get("reftype") == "func":
        found = env.get_domain("c").resolve_xref(
            env, node["refdoc"], app.builder, "macro", node["reftarget"], node, contnode
        )
        if found is not None:
            return found
    if MdocConfig.from_sphinx(env.config).nitpick_c:
        return None
    source, _ = get_source_line(node)
    if source is None or not is_man_suffix(Path(source).suffix):
        return None
    return contnode


def external_xr(
    app: Sphinx, env: BuildEnvironment, node: pending_xref, contnode: nodes.TextElement
) -> nodes.Element | None:
    """An ``.Xr`` that neither the site nor intersphinx has: the external page."""
    if node.get("refdomain") != "mdoc" or node.get("reftype") != "xr":
        return None
    m = _TITLE.fullmatch(node["reftarget"])
    if m is None:
        return contnode
    name, section = m.group(1), m.group(2)
    uri = _inventory_near(env, name, section)
    if uri is not None:
        return nodes.reference("", "", contnode, internal=False, refuri=uri)
    url = MdocConfig.from_sphinx(env.config).xr_url_for(section)
    refuri = url.format(name=quote(name, safe=""), section=quote(section, safe=""))
    return nodes.reference("", "", contnode, internal=False, refuri=refuri)


def _inventory_near(env: BuildEnvironment, name: str, section: str) -> str | None:
    """An intersphinx page of ``name`` whose section has letters after the one
    asked for (``strlcat(3)`` finds ``strlcat(3bsd)``), as within the site;
    intersphinx itself found no exact match."""
    pages = getattr(env, "intersphinx_inventory", {}).get("mdoc:page", {})
    for title, item in pages.items():
        t = _TITLE.fullmatch(title)
        if t is not None and t.group(1) == name and t.group(2)[:1] == section[:1]:
            uri = getattr(item, "uri", None)
            return str(uri if uri is not None else item[2])
    return None


# -- the domain: pages as objects, for :mdoc:page: and objects.inv -------------


@dataclass(frozen=True)
class PageEntry:
    docname: str
    anchor: str


@dataclass(frozen=True)
class ErrnoEntry:
    """One errno of one page's ERRORS list, for the errno index."""

    errno: str
    page: str  # the page's title, name(section)
    docname: str
    anchor: str
    condition: str


class MdocDomain(Domain):
    """Man pages as objects: ``:mdoc:page:`sctp_connectx(3)```, listed in objects.inv."""

    name = "mdoc"
    label = "mdoc"
    object_types: ClassVar[dict[str, ObjType]] = {
        "page": ObjType("manual page", "page", "xr"),
    }
    roles: ClassVar[dict[str, Any]] = {"page": XRefRole(), "xr": XRefRole()}
    initial_data: ClassVar[dict[str, Any]] = {
        "pages": {},
        "aliases": {},
        "xrefs": {},
        "errnos": {},
        "census": {},
        "owners": {},
    }
    data_version = 2
    _index: dict[str, list[tuple[str, str, PageEntry]]] | None = None

    # -- the data

    @property
    def pages(self) -> dict[str, PageEntry]:
        """``name(section)`` -> where the page is, for each page's own title."""
        pages: dict[str, PageEntry] = self.data.setdefault("pages", {})
        return pages

    @property
    def aliases(self) -> dict[str, PageEntry]:
        """``name(section)`` -> the page, for the other names of each page."""
        aliases: dict[str, PageEntry] = self.data.setdefault("aliases", {})
        return aliases

    @property
    def xrefs(self) -> dict[str, list[str]]:
        """docname -> the titles its ``.Xr`` refer to, for the back-links."""
        xrefs: dict[str, list[str]] = self.data.setdefault("xrefs", {})
        return xrefs

    @property
    def errnos(self) -> dict[str, list[ErrnoEntry]]:
        """docname -> the errors of its ERRORS list, for the errno index."""
        errnos: dict[str, list[ErrnoEntry]] = self.data.setdefault("errnos", {})
        return errnos

    @property
    def census(self) -> dict[str, tuple[int, tuple[str, ...]]]:
        """docname -> (modification time, NAME names): the last census."""
        census: dict[str, tuple[int, tuple[str, ...]]] = self.data.setdefault("census", {})
        return census

    @property
    def owners(self) -> dict[str, str]:
        """C name -> the docname of the page that declares it with an index entry."""
        owners: dict[str, str] = self.data.setdefault("owners", {})
        return owners

    @owners.setter
    def owners(self, value: dict[str, str]) -> None:
        self.data["owners"] = value

    def indexed(self, docname: str) -> frozenset[str]:
        """The C names ``docname`` owns."""
        return frozenset(name for name, owner in self.owners.items() if owner == docname)

    # -- pages

    def note_page(
        self,
        identity: Identity,
        docname: str,
        label: str,
        file_key: tuple[str, str] | None = None,
        xrefs: Iterable[str] = (),
        errnos: Iterable[ErrnoEntry] = (),
    ) -> None:
        """Record a page read into ``docname``: its title, its aliases, its links."""
        self._index = None
        entry = PageEntry(docname, nodes.make_id(label))
        title = title_of(identity.name, identity.section)
        if file_key is not None and file_key[0] != identity.name:
            # A copy of a page under another of its names (FreeBSD installs
            # settimeofday.2 as a link to gettimeofday.2): it is the page of
            # its file name, and the title .Dt gives is only an alias.
            self.aliases.setdefault(title, entry)
            title = title_of(*file_key)
        other = self.pages.get(title)
        if other is not None and other.docname != docname:
            logger.warning(
                "duplicate man page %s, other instance in %s",
                title,
                other.docname,
                type=WARNING_TYPE,
                subtype="duplicate_page",
                location=(docname, 1),
            )
        self.pages[title] = entry
        sections = {identity.section}
        if file_key is not None:
            sections.add(file_key[1])
            self.aliases.setdefault(title_of(*file_key), entry)
        for name in (identity.name, *identity.names):
            for section in sections:
                self.aliases.setdefault(title_of(name, section), entry)
        # A document may hold several pages (.. mdoc::): theirs add up.
        self.xrefs[docname] = sorted({*self.xrefs.get(docname, ()), *xrefs})
        self.errnos.setdefault(docname, []).extend(
            replace(e, docname=docname, page=title) for e in errnos
        )

    def find(self, target: str, local: bool = True) -> PageEntry | None:
        """The page ``name(section)`` refers to: a title, an alias, a page of a
        section with a suffix (``queue(3)`` finds ``queue(3bsd)``), or the
        same in another letter case."""
        if not local:
            return None
        entry = self.pages.get(target) or self.aliases.get(target)
        if entry is not None:
            return entry
        m = _TITLE.fullmatch(target)
        if m is None:
            return None
        name, section = m.group(1), m.group(2)
        folded = name.casefold()
        near: PageEntry | None = None
        for t_name, t_section, found in self._by_name().get(folded, ()):
            if t_name == name and t_section[:1] == section[:1]:
                return found
            if t_section == section and near is None:
                near = found
        return near

    def _by_name(self) -> dict[str, list[tuple[str, str, PageEntry]]]:
        """Titles by their name in lower case, pages before aliases; kept until
        the data changes (a page is read or cleared)."""
        if self._index is None:
            index: dict[str, list[tuple[str, str, PageEntry]]] = {}
            for table in (self.pages, self.aliases):
                for title, entry in table.items():
                    t = _TITLE.fullmatch(title)
                    if t is not None:
                        index.setdefault(t.group(1).casefold(), []).append(
                            (t.group(1), t.group(2), entry)
                        )
            self._index = index
        return self._index

    def clear_doc(self, docname: str) -> None:
        self._index = None
        for table in (self.pages, self.aliases):
            for title, entry in list(table.items()):
                if entry.docname == docname:
                    del table[title]
        self.xrefs.pop(docname, None)
        self.errnos.pop(docname, None)

    def merge_domaindata(self, docnames: Set[str], otherdata: dict[str, Any]) -> None:
        self._index = None
        for key in ("pages", "aliases"):
            table = self.data.setdefault(key, {})
            for title, entry in otherdata.get(key, {}).items():
                if entry.docname in docnames:
                    table[title] = entry if key == "pages" else table.get(title, entry)
        for key in ("xrefs", "errnos"):
            mine = self.data.setdefault(key, {})
            for docname, value in otherdata.get(key, {}).items():
                if docname in docnames:
                    mine[docname] = value

    # -- references

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
        local = typ != "xr" or MdocConfig.from_sphinx(env.config).local_xr
        entry = self.find(target, local)
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
        for title, entry in sorted(self.aliases.items()):
            if title not in self.pages:
                yield title, title, "page", entry.docname, entry.anchor, 2


def domain_of(env: BuildEnvironment) -> MdocDomain:
    domain = env.get_domain(MdocDomain.name)
    assert isinstance(domain, MdocDomain)
    return domain
