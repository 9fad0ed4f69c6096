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

import codecs
import contextlib
import re
from collections.abc import Iterator, Mapping, Set
from dataclasses import dataclass, field, fields
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, ClassVar, Final

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from docutils.utils import get_source_line
from sphinx.config import ENUM
from sphinx.domains import Domain, ObjType
from sphinx.errors import ConfigError, SphinxError
from sphinx.parsers import RSTParser
from sphinx.roles import XRefRole
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import make_refnode, nested_parse_with_titles

import mdoc2rst
from mdoc2rst.reader import parse
from mdoc2rst.safe import LINE_ENDS, printable
from mdoc2rst.tree.diagnostics import Level
from mdoc2rst.tree.nodes import TEXT, Document
from mdoc2rst.writers.rst import LABEL_MAX, RstOptions, label, write

if TYPE_CHECKING:
    from sphinx.addnodes import pending_xref
    from sphinx.application import Sphinx
    from sphinx.builders import Builder
    from sphinx.config import Config
    from sphinx.environment import BuildEnvironment
    from sphinx.util.typing import ExtensionMetadata, OptionSpec

logger = logging.getLogger(__name__)

#: The manual sections whose file suffixes are read as man pages.
SECTIONS: Final = tuple(str(n) for n in range(1, 10))
SUFFIXES: Final = tuple(f".{s}" for s in SECTIONS)
#: The file type that the suffixes map to, and that the parser supports.
FILETYPE: Final = "mdoc"
#: Warning type of every diagnostic; the subtype is its kind in lower case.
WARNING_TYPE: Final = "mdoc"
#: Subtype of the warning for a page that could not be read at all.
READ_FAILED: Final = "read_failed"

_LINT_LEVELS: Final = {
    "style": Level.STYLE,
    "warning": Level.WARNING,
    "error": Level.ERROR,
    "unsupp": Level.UNSUPP,
}


# -- configuration ------------------------------------------------------------


@dataclass(frozen=True)
class MdocConfig:
    """The extension's settings; field ``x`` is the Sphinx config value ``mdoc2rst_x``."""

    xr_url: str = field(
        default=RstOptions().xr_url,
        metadata={"help": "URL of an .Xr page not in the project; {name} and {section}"},
    )
    lint_level: str = field(
        default="warning",
        metadata={
            "help": "lowest diagnostic level reported as a warning",
            "choices": tuple(_LINT_LEVELS),
        },
    )
    local_xr: bool = field(
        default=True,
        metadata={"help": "link .Xr to man pages of the project with :doc:"},
    )
    nitpick_c: bool = field(
        default=False,
        metadata={"help": "report C names in man pages that nothing in the project declares"},
    )

    @classmethod
    def from_sphinx(cls, config: Config) -> MdocConfig:
        return cls(**{f.name: getattr(config, f"mdoc2rst_{f.name}") for f in fields(cls)})

    @property
    def min_level(self) -> Level:
        return _LINT_LEVELS[self.lint_level]


def _add_config_values(app: Sphinx) -> None:
    for f in fields(MdocConfig):
        choices = f.metadata.get("choices")
        types: Any = ENUM(*choices) if choices else frozenset({type(f.default)})
        app.add_config_value(
            f"mdoc2rst_{f.name}", f.default, "env", types=types, description=f.metadata["help"]
        )


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


def _before_read(app: Sphinx, env: BuildEnvironment, docnames: list[str]) -> None:
    """Take the census of man pages once per build.

    When a page comes or goes, every page is read again: their ``.Xr`` links
    may have to change between local and external.
    """
    domain = _domain(env)
    pages = find_pages(env)
    if pages != domain.local_pages:
        if domain.local_pages:
            docnames.extend(sorted(set(pages.values()) - set(docnames)))
        domain.local_pages = pages
    _choose_decoding(env, docnames)


# -- man pages that are not in the source encoding ------------------------------

#: The codec ``mdoc2rst_lenient_ENC`` decodes as ENC does, keeping each byte
#: it cannot decode as a lone surrogate (the surrogateescape error handler),
#: from which the parser gets the page's bytes back.
_LENIENT: Final = "mdoc2rst_lenient_"
_ESCAPED_BYTE: Final = re.compile("[\udc80-\udcff]")


def _lenient_codec(name: str) -> codecs.CodecInfo | None:
    """The codec search function (names come lower case, with ``_`` for ``-``)."""
    if not name.startswith(_LENIENT):
        return None
    try:
        base = codecs.lookup(name.removeprefix(_LENIENT))
    except LookupError:
        return None
    incremental = base.incrementaldecoder
    if incremental is None:
        return None

    def decode(data: Any, errors: str = "strict", /) -> tuple[str, int]:  # Any: a buffer
        return base.decode(data, "surrogateescape")

    def decoder(errors: str = "strict") -> codecs.IncrementalDecoder:
        return incremental("surrogateescape")

    return codecs.CodecInfo(
        base.encode,
        decode,
        incrementalencoder=base.incrementalencoder,
        incrementaldecoder=decoder,
        name=name,
    )


def _register_codec() -> None:
    try:
        codecs.lookup(_LENIENT + "utf-8")
    except LookupError:
        codecs.register(_lenient_codec)


def _undecodable(path: Path, encoding: str) -> bool:
    try:
        path.read_bytes().decode(encoding)
    except UnicodeError:
        return True
    except (OSError, LookupError):  # Sphinx says so when it reads the file
        return False
    return False


def _choose_decoding(env: BuildEnvironment, docnames: list[str]) -> None:
    """Read this build's documents leniently when a man page among them needs it.

    Sphinx decodes every document strictly with ``source_encoding`` before
    a parser sees it, and stops the whole build at the first byte it cannot
    decode; mandoc reads such a page as ISO-8859-1.  Only a build that has
    such a page reads leniently, so that nothing changes for the others.
    """
    encoding: str = env.config.source_encoding
    chosen = encoding
    paths = (env.doc2path(d) for d in docnames)
    if any(_undecodable(path, encoding) for path in paths if path.suffix in SUFFIXES):
        # A codec without an incremental decoder has no lenient twin: as before.
        with contextlib.suppress(LookupError):
            chosen = codecs.lookup(_LENIENT + encoding).name
    env.settings["input_encoding"] = chosen


def _page_source(text: str, env: BuildEnvironment) -> str | bytes:
    """What the parser reads: the page's own bytes when some did not decode."""
    if _ESCAPED_BYTE.search(text) is None:
        return text
    encoding = codecs.lookup(env.config.source_encoding).name
    # The bytes after the BOM, which Sphinx took off; the reader wants none.
    if encoding == "utf-8-sig":
        encoding = "utf-8"
    return text.encode(encoding, "surrogateescape")


def _guard_encoding(app: Sphinx, docname: str, source: list[str]) -> None:
    """A document other than a man page still may not have undecodable bytes."""
    env = app.env
    if not str(env.settings.get("input_encoding", "")).startswith(_LENIENT):
        return
    path = env.doc2path(docname)
    if path.suffix in SUFFIXES or _ESCAPED_BYTE.search(source[0]) is None:
        return
    encoding = env.config.source_encoding
    raise SphinxError(f"{path}: not valid {encoding} (only man pages may be ISO-8859-1)")


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
    _note_includes(env, doc)
    if key is None:
        key = ((doc.meta.name or doc.meta.title or Path(source).stem), doc.meta.msec or "")
    name, section = key
    if page_id is None:
        page_id = f"{name}.{section}" if section else name
    local = _safe_docnames(_domain(env).local_pages) if config.local_xr else {}
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


def _note_includes(env: BuildEnvironment, doc: Document) -> None:
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


# -- C names that nothing declares ----------------------------------------------


def _unlinked_c_name(
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
        try:
            page = render(_page_source(text, env), str(path), env, key=key)
            report(page.doc, env, docname)
        except Exception as exc:  # one odd page must not stop the build
            read_failed(str(path), exc, (docname, 1))
            name, section = key or (PurePosixPath(docname).name, "")
            title = f"{name}({section})" if section else name
            anchor = _unreadable_document(document, title, str(path))
            _domain(env).note_page((name, section), docname, anchor)
            return
        super().parse(page.content, document)
        _domain(env).note_page(page.key, docname, page.label)


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


def _unreadable_document(document: nodes.document, title: str, source: str) -> str:
    """Make ``document`` a title and a line saying the page could not be read.

    Built as nodes, not reST, so that no name can be read as markup; the
    title keeps the toctree and the page's links working.  Returns the
    section's id.
    """
    section = nodes.section()
    section.source, section.line = source, 1
    section += nodes.title(title, title)
    text = "This manual page could not be read; the build's warnings say why."
    section += nodes.paragraph(text, text)
    section["names"].append(nodes.fully_normalize_name(title))
    document.note_implicit_target(section, section)
    document += section
    ids: list[str] = section["ids"]
    return ids[0]


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
            _domain(self.env).note_page(page.key, self.env.docname, page.label)
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
            _note_includes(self.env, doc)
            spec = extract(doc, data)
            link = "no-links" not in self.options
            text = to_rst(spec, link=link, pid=self.options.get("page-id"))
        except Exception as exc:  # one odd page must not stop the build
            return self.unreadable(path, exc, "errors of the manual page")
        return self.parse_rst(StringList(one_line_each(text), source=path), titles=False)


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


def _domain(env: BuildEnvironment) -> MdocDomain:
    domain = env.get_domain(MdocDomain.name)
    assert isinstance(domain, MdocDomain)
    return domain


# -- setup --------------------------------------------------------------------


def _check_config(app: Sphinx, config: Config) -> None:
    level = config.mdoc2rst_lint_level
    if level not in _LINT_LEVELS:
        raise ConfigError(
            f"mdoc2rst_lint_level must be one of {', '.join(_LINT_LEVELS)}, not {level!r}"
        )


def setup(app: Sphinx) -> ExtensionMetadata:
    _add_config_values(app)
    _register_codec()
    for suffix in SUFFIXES:
        app.add_source_suffix(suffix, FILETYPE)
    app.add_source_parser(MdocParser)
    app.add_directive("mdoc", MdocDirective)
    app.add_directive("mdoc-errors", MdocErrorsDirective)
    app.add_domain(MdocDomain)
    app.connect("config-inited", _check_config)
    app.connect("env-before-read-docs", _before_read)
    # Before other extensions edit the text, and never after a parser read it.
    app.connect("source-read", _guard_encoding, priority=100)
    app.connect("missing-reference", _unlinked_c_name, priority=900)
    return {
        "version": mdoc2rst.__version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
        "env_version": 1,
    }
