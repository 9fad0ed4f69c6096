"""Contract lint: what a page promises, checked against the page, the machine and the site.

mandoc's lint checks how a page is written; this checks what it says.
Each finding is a diagnostic at the page line, of a kind (:data:`KINDS`)
that users select or leave out (``mdoc2rst lint --contract=KIND,...``,
``mdoc2rst_contract`` in Sphinx, where the warnings have the type
``mdoc_contract`` and the kind as subtype):

- the text against the prototypes: ``.Fa`` names that no parameter has (the
  seed's ``s`` for ``sd``), parameters the text never names, names of NAME
  that SYNOPSIS does not declare and prototypes that NAME does not list;
- the errors: ``.Er`` named in the text but missing from ERRORS, entries
  listed twice, names that are no errno on Linux or FreeBSD, or on one
  only, and two names that are one errno (``ENOTSUP``, ``EOPNOTSUPP``);
- the return values: ``.Rv -std`` for a function that does not return
  ``int``, a RETURN VALUES convention the prototypes contradict;
- the machine (when asked): headers that do not exist, prototypes that
  differ from the headers', types the headers do not declare, functions
  the library of ``.Lb`` does not give a program, ``.Xr`` pages neither in
  the site nor installed.

A page says more than its C: ``.Fa`` also names structure members (mdoc(7)
says so), a prototype may be a macro's that no C compiler reads, NAME may
name the topic of the page or a family (``nvlist_get`` for
``nvlist_get_bool`` and its kin), an errno in the text may be another
call's.  Each of those is read as the page means it, not reported: a
finding is something its author would want to change.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Final

from mdoc2rst.contract.errnos import FREEBSD, FREEBSD_KERNEL, LINUX
from mdoc2rst.contract.machine import Machine
from mdoc2rst.contract.spec import VALUE_ARG, Function, Spec
from mdoc2rst.roff.escape import render
from mdoc2rst.tree.diagnostics import Diagnostic, Level
from mdoc2rst.tree.nodes import BLOCK, BODY, ELEM, HEAD, ROOT, TEXT, Document, Flag, Node, Sec
from mdoc2rst.tree.text import plain

#: kind -> (level, message).  The kind names what users select or suppress.
KINDS: Final[dict[str, tuple[Level, str]]] = {
    "fa_unknown": (Level.WARNING, "argument that no prototype of the page has"),
    "param_undescribed": (Level.STYLE, "parameter that the text never names"),
    "name_no_prototype": (Level.WARNING, "name of NAME that SYNOPSIS does not declare"),
    "prototype_not_named": (Level.STYLE, "prototype of a function that NAME does not list"),
    "er_not_in_errors": (Level.WARNING, "errno that the text gives and ERRORS does not list"),
    "er_repeated": (Level.WARNING, "ERRORS entry listed twice"),
    "er_unknown": (Level.WARNING, "no errno of Linux or FreeBSD"),
    "er_one_system": (Level.STYLE, "errno of one system only"),
    "er_same": (Level.STYLE, "errnos that the page tells apart are one"),
    "rv_not_int": (Level.WARNING, ".Rv -std for a function that does not return int"),
    "rv_contradicts": (Level.WARNING, "RETURN VALUES contradicts the prototype"),
    "header_missing": (Level.WARNING, "header not found on this machine"),
    "header_conflict": (Level.ERROR, "prototype differs from the header's"),
    "header_undeclared": (Level.WARNING, "the page's headers do not declare this here"),
    "library_missing": (Level.STYLE, "library not found on this machine"),
    "symbol_missing": (Level.WARNING, "function that the page's library does not give"),
    "xr_missing": (Level.STYLE, "page referenced that neither the site nor this machine has"),
}


def _set(words: str) -> frozenset[str]:
    return frozenset(words.split())


#: Where functions live: the sections of system calls, library functions
#: and kernel interfaces, whose NAME lists functions.
_FUNCTION_SECTIONS: Final = ("2", "3", "9")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_DEFINE = re.compile(r"#\s*define\s+([A-Za-z_][A-Za-z0-9_]*)")
#: ``p->member``, ``s.member``: a name after a member operator is a member.
_MEMBER = re.compile(r"[\w\])](?:->|\.)([A-Za-z_][A-Za-z0-9_]*)")
#: ``void (*handler)(int)``: the name of a function pointer.
_FUNCTION_POINTER = re.compile(r"\(\s*\*+\s*([A-Za-z_][A-Za-z0-9_]*)\s*\)")
#: C comments in a display: their words are prose, not names of the code.
_COMMENT = re.compile(r"/\*.*?(?:\*/|$)|//[^\n]*", re.DOTALL)
_ERRNO_SHAPE = re.compile(r"E[A-Z0-9_]+")
#: Words of C types, never the name of a parameter.
_TYPE_WORDS: Final = _set(
    "void char short int long float double signed unsigned const volatile restrict"
    " struct union enum register _Bool bool"
)
#: Words near a ``.Fa`` that say it names a member of a structure.
_MEMBER_WORDS: Final = _set(
    "field fields member members structure structures struct element elements variable variables"
)
#: Integer types that a function failing with NULL cannot return.  A name
#: not here may be a pointer typedef (``device_t``), so it is never judged.
_INTEGER_TYPES: Final = _set(
    "char short int long unsigned signed size_t ssize_t off_t pid_t uid_t gid_t mode_t"
    " time_t int8_t int16_t int32_t int64_t uint8_t uint16_t uint32_t uint64_t u_int"
    " u_long u_short u_char intptr_t uintptr_t socklen_t id_t key_t dev_t ino_t nlink_t"
    " clock_t useconds_t suseconds_t in_addr_t in_port_t sctp_assoc_t"
)
#: Macros that end a paragraph: the text beside a ``.Fa`` or ``.Er`` stops there.
_BREAKS: Final = frozenset({"Pp", "Lp", "Bl", "Bd", "Sh", "Ss", "Dl", "D1", "It"})
#: Macros that name a function, a page, or the page's own name.
_CALLERS: Final = frozenset({"Fn", "Fo", "Xr"})
_DISPLAYS: Final = frozenset({"literal", "unfilled"})
#: Bounds on what a finding suggests and lists (see _close, _listing).
_MAX_SUGGEST: Final = 200
_MAX_LISTED: Final = 24


@dataclass(frozen=True)
class ContractOptions:
    """Which findings to look for, and where to look."""

    kinds: frozenset[str] = frozenset(KINDS)
    #: The machine to ask about headers, libraries and man pages; None: ask nothing.
    machine: Machine | None = None
    #: Whether the site has the page ``(name, section)``, for ``.Xr``; looked
    #: at before the machine, and only with one.
    site_has: Callable[[str, str], bool] | None = None
    #: Compile the prototypes against the headers (header_conflict).
    compile_headers: bool = True


@dataclass
class _Findings:
    """Diagnostics of one page, of the kinds asked for."""

    doc: Document
    options: ContractOptions
    items: list[Diagnostic] = field(default_factory=list)

    def add(
        self, kind: str, line: int, column: int, argument: str, level: Level | None = None
    ) -> None:
        if kind not in self.options.kinds:
            return
        default, text = KINDS[kind]
        level = default if level is None else level
        self.items.append(
            Diagnostic(
                level,
                f"CONTRACT_{kind.upper()}",
                self.doc.filename,
                line,
                column + 1,
                f"{text}: {argument} [contract.{kind}]",
            )
        )


@dataclass(frozen=True)
class _Prototype:
    """A function of SYNOPSIS as the page writes it, C or not (a macro's
    ``.Fn SYSCTL_NODE parent number name`` counts as much as a prototype)."""

    name: str
    line: int
    parameters: tuple[str, ...]


@dataclass
class _Page:
    """What a page declares, read from its tree once."""

    title: str
    names: list[tuple[str, int, int]]  # NAME's .Nm words, with line and column
    prototypes: list[_Prototype]
    synopsis: set[str]  # every identifier that SYNOPSIS shows, but header names
    displays: set[str]  # every identifier of the literal displays
    #: Names the text itself declares: members (after ``->`` or ``.``),
    #: ``.Va`` names, arguments of calls the text shows (``.Fn S_ISDIR m``),
    #: ``.Fa "mode_t mode"`` (the argument ``open`` takes after its ``...``)
    #: and macro arguments (``.Dv MAP_ALIGNED Ns Pq Fa n``).
    elsewhere: set[str]
    text: set[str]  # every identifier outside SYNOPSIS
    variadic: bool = False  # a prototype ends in ``...``

    @property
    def parameters(self) -> set[str]:
        return {p for f in self.prototypes for p in f.parameters}

    def own(self, spec: Spec) -> set[str]:
        """The functions the page documents."""
        return {f.name for f in self.prototypes} | set(spec.names)


def check(doc: Document, spec: Spec, options: ContractOptions | None = None) -> list[Diagnostic]:
    """The contract findings of one page, in page order."""
    found = _Findings(doc, options or ContractOptions())
    page = _read(doc)
    _arguments(found, page, spec)
    _names(found, page, spec)
    _errors(found, page, spec)
    _returns(found, spec)
    if found.options.machine is not None:
        _headers(found, spec, found.options.machine)
        _symbols(found, spec, found.options.machine)
    _references(found)
    return sorted(found.items, key=lambda d: (d.line, d.column))


# -- what the page declares ----------------------------------------------------------


def _texts(n: Node) -> list[str]:
    return [render(c.string) for c in n.children if c.type is TEXT and not c.flags & Flag.NOPRT]


def _read(doc: Document) -> _Page:
    page = _Page(doc.meta.title or "", [], [], set(), set(), set(), set())
    # (title, names, prototypes, synopsis, displays, elsewhere, text)
    for n in doc.root.walk():
        if n.flags & Flag.NOSRC:
            continue
        if n.type is TEXT:
            line = render(n.string)
            parent = n.parent
            if n.sec is Sec.SYNOPSIS:
                if parent is None or parent.tok != "In":
                    page.synopsis.update(_IDENT.findall(line))
            else:
                page.text.update(_IDENT.findall(line))
            page.elsewhere.update(_MEMBER.findall(line))
        elif n.tok == "Nm" and n.type is ELEM and n.sec is Sec.NAME:
            for c in n.children:
                if c.type is TEXT and not c.flags & Flag.NOPRT:
                    word = render(c.string).strip(",")
                    if word:
                        page.names.append((word, c.line, c.pos))
        elif n.sec is Sec.SYNOPSIS and n.tok == "Fn" and n.type is ELEM:
            words = _texts(n)
            if words[1:] and all(VALUE_ARG.fullmatch(w) for w in words[1:]):
                pass  # a call, ``.Fn socket AF_INET SOCK_STREAM IPPROTO_SCTP``
            elif words:
                page.prototypes.append(_prototype(words[0], words[1:], n.line))
                page.variadic |= "..." in words[1:]
        elif n.sec is Sec.SYNOPSIS and n.tok == "Fo" and n.type is BLOCK:
            head, body = n.head, n.body_node
            name = " ".join(_texts(head)) if head is not None else ""
            fas = [c for c in (body.children if body else []) if c.tok == "Fa"]
            params = [t for c in fas for t in _texts(c)]
            if name:
                page.prototypes.append(_prototype(name, params, n.line))
                page.variadic |= "..." in params
        elif n.tok == "Bd" and n.type is BLOCK and n.norm and n.norm.display in _DISPLAYS:
            code = "\n".join(render(t.string) for t in n.walk() if t.type is TEXT)
            page.displays.update(_IDENT.findall(_COMMENT.sub(" ", code)))
        elif n.tok == "Dl" and n.type is ELEM:
            page.displays.update(w for t in _texts(n) for w in _IDENT.findall(t))
        elif n.tok == "Fa" and n.type is ELEM and n.sec is not Sec.SYNOPSIS:
            if _macro_argument(n):
                page.elsewhere.update(w for t in _texts(n) for w in _IDENT.findall(t)[:1])
            for word in _texts(n):
                declared = _parameter_name(word) if " " in word.strip() else None
                if declared is not None:
                    page.elsewhere.add(declared)
        elif n.tok in ("Va", "Fn") and n.type is ELEM and n.sec is not Sec.SYNOPSIS:
            words = _texts(n)
            start = 1 if n.tok == "Fn" else 0
            page.elsewhere.update(w for t in words[start:] for w in _IDENT.findall(t))
    return page


def _prototype(name: str, arguments: Sequence[str], line: int) -> _Prototype:
    params = (_parameter_name(a) for a in arguments)
    return _Prototype(name, line, tuple(p for p in params if p is not None))


def _parameter_name(argument: str) -> str | None:
    """The name a prototype's argument declares: ``struct cv *cvp`` declares
    ``cvp``, ``void (*disp)(int)`` ``disp``, a lone ``lock`` (a macro's, or
    the page's shorthand) ``lock``; a type alone (``struct cv *``,
    ``size_t``, ``...``) none."""
    m = _FUNCTION_POINTER.search(argument)
    if m is not None:
        return m.group(1)
    words: list[str] = _IDENT.findall(re.sub(r"\[[^\]]*\]", "", argument))
    if not words:
        return None
    last = words[-1]
    if last in _TYPE_WORDS or (len(words) > 1 and words[-2] in ("struct", "union", "enum")):
        return None
    if len(words) == 1 and (last.endswith("_t") or last.startswith("u_")):
        return None
    return last


def _macro_argument(n: Node) -> bool:
    """Whether ``.Fa`` is a macro's argument written in the text, as in
    ``.Dv MAP_ALIGNED Ns Pq Fa n``: the page declares ``n`` right there."""
    block = n.parent.parent if n.parent is not None and n.parent.type is BODY else None
    if block is None or block.tok not in ("Pq", "Po"):
        return False
    before = block.prev
    if before is not None and before.tok == "Ns":
        before = before.prev
    return before is not None and before.tok in ("Dv", "Fn", "Nm", "Ic", "Va", "Cd")


def _top(n: Node) -> Node:
    """The ancestor of ``n`` just below the nearest body (or list item head):
    the node whose siblings make up the paragraph of ``n``."""
    top = n
    while top.parent is not None and top.parent.type not in (BODY, ROOT) and not (
        top.parent.type is HEAD and top.parent.parent is not None
        and top.parent.parent.tok == "It"
    ):  # fmt: skip
        top = top.parent
    return top


@dataclass(frozen=True)
class _Part:
    """What one paragraph (or list item) says, as the checks ask it."""

    member: bool  # a word that calls something a field, member, ...
    other: bool  # names a function or page that is not the page's own
    calls: bool  # names any function, or the page (``.Nm``)


@dataclass
class _Around:
    """The text around a ``.Fa`` or ``.Er``: its paragraph, and in a list,
    its item and the paragraph before the list.  Pages may hold thousands
    of those in one paragraph, so each part is split and read once."""

    own: set[str]  # the page's functions
    _spans: dict[int, tuple[list[int], list[tuple[int, int]]]] = field(default_factory=dict)
    _parts: dict[tuple[int, int], _Part] = field(default_factory=dict)

    def paragraph(self, n: Node) -> _Part:
        top = _top(n)
        parent = top.parent
        if parent is None:
            return self._read((id(top), -1), [top])
        split = self._spans.get(id(parent))
        if split is None:
            numbers: list[int] = []
            spans: list[tuple[int, int]] = []
            for i, c in enumerate(parent.children):
                if c.tok in _BREAKS or not spans:
                    spans.append((i, i + 1))
                else:
                    spans[-1] = (spans[-1][0], i + 1)
                numbers.append(len(spans) - 1)
            split = self._spans[id(parent)] = (numbers, spans)
        k = split[0][top.index()]
        key = (id(parent), k)
        if key not in self._parts:
            start, end = split[1][k]
            return self._read(key, parent.children[start:end])
        return self._parts[key]

    def context(self, n: Node) -> list[_Part]:
        """The paragraph, and in a list the whole item and the paragraph
        that introduces the list."""
        parts = [self.paragraph(n)]
        item = _item(n)
        if item is not None:
            parts.append(self._read((id(item), -1), [item]))
            intro = _intro(item)
            if intro is not None:
                parts.append(self.paragraph(intro))
        return parts

    def _read(self, key: tuple[int, int], nodes: list[Node]) -> _Part:
        part = self._parts.get(key)
        if part is None:
            words = _words(nodes)
            named = _callers(nodes)
            part = _Part(bool(_MEMBER_WORDS & words), bool(named - self.own - {""}), bool(named))
            self._parts[key] = part
        return part


def _intro(item: Node) -> Node | None:
    """The node before the list of ``item``, when it is text and not a break."""
    bl = item.parent.parent if item.parent is not None else None
    before = bl.prev if bl is not None else None
    return before if before is not None and before.tok not in _BREAKS else None


def _item(n: Node) -> Node | None:
    """The ``.It`` around ``n``, if any."""
    p = n.parent
    while p is not None and p.type is not ROOT:
        if p.tok == "It" and p.type is BLOCK:
            return p
        p = p.parent
    return None


def _member(n: Node, around: _Around) -> bool:
    """Whether the text calls the ``.Fa`` a member of a structure: "the
    ``ai_asid`` variable", "the field ``aq_minfree``", or a list of them
    (``.It Fa ru_maxrss``) that a paragraph on fields introduces."""
    before, after = n.prev, n.next
    near: list[str] = []
    if before is not None and before.type is TEXT:
        near += _IDENT.findall(render(before.string))[-1:]
    if after is not None and after.type is TEXT:
        near += _IDENT.findall(render(after.string))[:1]
    if _MEMBER_WORDS & {w.lower() for w in near}:
        return True
    item = _item(n)
    if item is None or n.parent is None or n.parent.type is not HEAD:
        return False
    intro = _intro(item)
    return intro is not None and around.paragraph(intro).member


def _words(nodes: Iterable[Node]) -> set[str]:
    return {
        w.lower()
        for top in nodes
        for t in top.walk()
        if t.type is TEXT
        for w in _IDENT.findall(render(t.string))
    }


def _outside(doc: Document, skip: Sec, tok: str) -> Iterator[Node]:
    """Elements ``tok`` of the page that are not in section ``skip``."""
    for n in doc.root.walk():
        if n.tok == tok and n.type is ELEM and n.sec is not skip and not n.flags & Flag.NOSRC:
            yield n


# -- the text against the prototypes --------------------------------------------------


def _argument_name(word: str) -> str | None:
    """The parameter an ``.Fa`` word names: ``addr->sa_len`` and ``*id`` name
    ``addr`` and ``id``; ``struct sockaddr *addr`` (a declaration) ``addr``;
    a type alone (``struct route``, ``off_t``, ``char *``) none."""
    names: list[str] = _IDENT.findall(word)
    if not names or word.startswith(("'", "\u2019")):
        return None  # ``.Fa sig 's``: the possessive is a word of the macro too
    if " " not in word.strip():
        only = names[0]
        return None if only in _TYPE_WORDS or only.endswith("_t") else only
    return _parameter_name(word)


def _arguments(found: _Findings, page: _Page, spec: Spec) -> None:
    if not page.prototypes:
        return
    params = page.parameters
    functions = {f.name for f in page.prototypes} - params
    known = (params | page.synopsis | page.displays | page.elsewhere) - functions
    own = page.own(spec)
    prefixes = _member_prefixes(found.doc, params | own)
    around = _Around(own)
    close_to: dict[str, list[str]] = {}
    listing = _listing(params)
    for n in _outside(found.doc, Sec.SYNOPSIS, "Fa"):
        unknown: dict[str, str] = {}  # name -> the word as written
        for c in n.children:
            if c.type is TEXT and not c.flags & Flag.NOPRT:
                word = render(c.string)
                name = _argument_name(word)
                if name is not None and name not in known:
                    unknown.setdefault(name, word)
        unknown = {k: v for k, v in unknown.items() if _prefix(k) not in prefixes}
        if not unknown:
            continue
        if _member(n, around):
            continue
        if any(part.other for part in around.context(n)):
            continue  # an argument of another call that the paragraph names
        if len(unknown) > 1:
            # ``.Fa data must point to the integer variable``: a sentence
            # that went into the macro, one finding for all its words.
            text = " ".join(_texts(n))
            found.add("fa_unknown", n.line, n.pos, f"{text} (text inside .Fa)")
            continue
        for name, word in unknown.items():
            if name not in close_to:
                close_to[name] = _close(name, params)
            close = close_to[name]
            if page.variadic and not close:
                continue  # the page may name what its ``...`` stands for
            message = _fa_message(name, word, listing, own, close)
            found.add("fa_unknown", n.line, n.pos, message)
    for f in page.prototypes:
        for p in f.parameters:
            if p not in page.text:
                found.add("param_undescribed", f.line, 0, f"{p} of {f.name}")


#: The prefix that BSD structures give their members: ``st_`` of ``st_mode``.
_PREFIX = re.compile(r"[a-z]{1,4}_(?=[a-z0-9])")


def _prefix(name: str) -> str | None:
    m = _PREFIX.match(name)
    return None if m is None else m.group(0)


def _member_prefixes(doc: Document, taken: set[str]) -> set[str]:
    """Member prefixes the text uses: two names or more of one short prefix
    (``msg_name``, ``msg_namelen``) that no parameter or function of the page
    (``taken``) has are members of a structure the page describes, even
    where it does not say so."""
    names: dict[str, set[str]] = {}
    for n in doc.root.walk():
        if n.tok in ("Fa", "Va") and n.type is ELEM and n.sec is not Sec.SYNOPSIS:
            for word in _texts(n):
                prefix = _prefix(word)
                if prefix is not None:
                    names.setdefault(prefix, set()).add(_IDENT.findall(word)[0])
    used = {_prefix(p) for p in taken}
    return {p for p, of in names.items() if len(of) > 1 and p not in used}


def _close(name: str, params: set[str]) -> list[str]:
    """The parameter ``name`` is most likely a misspelling of, if any.
    Comparing is quadratic in the lengths: a page with more parameters, or
    longer names, than any real one gets no suggestion."""
    if len(params) > _MAX_SUGGEST or len(name) > 64:
        return []
    return difflib.get_close_matches(name, sorted(params), n=1, cutoff=0.75)


def _listing(names: set[str]) -> str:
    """Some of ``names``, for a message: a page may have thousands."""
    shown = sorted(names)[:_MAX_LISTED]
    more = len(names) - len(shown)
    return ", ".join(shown) + (f" and {more} more" if more else "") or "none"


def _fa_message(name: str, word: str, listing: str, own: set[str], close: list[str]) -> str:
    """The finding, with what the author most likely meant."""
    if "/" in word or "<" in word or word.endswith(".h"):
        return f"{word} (a header: .In)"
    if name in own:
        return f"{name} (a function of the page: .Fn)"
    if name.isupper() and len(name) > 1:
        return f"{name} (a constant: .Dv)"
    if close:
        return f"{name} (the parameter is {close[0]})"
    return f"{name} (parameters: {listing})"


def _names(found: _Findings, page: _Page, spec: Spec) -> None:
    if (spec.section or "")[:1] not in _FUNCTION_SECTIONS or not page.prototypes:
        return
    declared = page.synopsis | {d for n in found.doc.root.walk() if n.tok == "Fd"
                                for d in _DEFINE.findall(" ".join(_texts(n)))}  # fmt: skip
    title = page.title.lower()
    families = {s for d in declared for s in _stems(d)}
    for name, line, pos in page.names:
        if name in declared or name.lower() == title or name in families:
            continue
        found.add("name_no_prototype", line, pos, name)
    listed = {name for name, _, _ in page.names}
    functions = {f.name for f in page.prototypes}
    if not listed & (functions | {s for f in functions for s in _stems(f)}):
        return  # NAME names a topic (UMA, refcount), not the functions
    for f in page.prototypes:
        if "(" in f.name:
            continue  # ``.Fn "(*osd_destructor_t)"``: a type of function, named by none
        if f.name not in listed and not listed & set(_stems(f.name)):
            found.add("prototype_not_named", f.line, 0, f.name)


def _stems(name: str) -> Iterator[str]:
    """The family names ``name`` belongs to: ``nvlist_get_bool`` is of
    ``nvlist`` and ``nvlist_get``."""
    at = name.find("_", 1)
    while at != -1:
        yield name[:at]
        at = name.find("_", at + 1)


# -- errors --------------------------------------------------------------------------


def _errno_known(name: str, section: str) -> bool:
    return name in LINUX or name in FREEBSD or (section == "9" and name in FREEBSD_KERNEL)


def _errors(found: _Findings, page: _Page, spec: Spec) -> None:
    section = (spec.section or "")[:1]
    listed = {e.name for e in spec.errors}
    around = _Around(page.own(spec))
    for n in _outside(found.doc, Sec.ERRORS, "Er"):
        unknown: list[str] = []
        for word in _texts(n):
            name = word.rstrip(".,;:")
            if name.isdigit():
                continue  # intro(2) gives each errno's number beside its name
            if not _ERRNO_SHAPE.fullmatch(name) or not _errno_known(name, section):
                unknown.append(name)
            elif spec.errors and name not in listed and _speaks_of(n, around):
                found.add("er_not_in_errors", n.line, n.pos, name)
        if unknown:
            # ``.Er ENOMEM ; otherwise it will`` makes every word an errno: one finding
            found.add("er_unknown", n.line, n.pos, " ".join(unknown))
    _repeated(found)
    seen: set[str] = set()
    for e in spec.errors:
        if e.name in seen:
            continue
        seen.add(e.name)
        linux = e.name in LINUX
        freebsd = e.name in FREEBSD or (section == "9" and e.name in FREEBSD_KERNEL)
        if not linux and not freebsd:
            found.add("er_unknown", e.line, 0, e.name)
        elif not (linux and freebsd) and section != "9":
            # A kernel page is one kernel's by nature: only the errnos that
            # programs see (sections 2 and 3) are judged for portability.
            system = "Linux" if linux else "FreeBSD"
            found.add("er_one_system", e.line, 0, f"{e.name} ({system} only)")
    names = sorted(n for n in seen if n in LINUX or n in FREEBSD)  # a few hundred at most
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            same = [s for s, table in (("Linux", LINUX), ("FreeBSD", FREEBSD))
                    if a in table and b in table and table[a] == table[b]]  # fmt: skip
            if same:
                line = next(e.line for e in spec.errors if e.name == b)
                found.add("er_same", line, 0, f"{a} and {b} on {' and '.join(same)}")


def _callers(context: Iterable[Node]) -> set[str]:
    """The functions and pages that ``.Fn``, ``.Fo``, ``.Xr`` and ``.Nm`` name
    in ``context``; "" for ``.Nm`` alone, the page's own name."""
    named: set[str] = set()
    for top in context:
        for t in top.walk():
            if t.tok == "Nm" and t.type is ELEM and not _texts(t):
                named.add("")
            elif t.tok in _CALLERS or t.tok == "Nm":
                head = t.head
                words = _texts(t) if t.type is ELEM else _texts(head) if head else []
                named.update(words[:1])
    return named


def _speaks_of(n: Node, around: _Around) -> bool:
    """Whether the text around an errno is about the page's own functions:
    an errno beside another call (``connect(2) fails with ECONNREFUSED``)
    is that call's, and the page need not list it.  RETURN VALUES speaks of
    the page unless it names another call; elsewhere the paragraph must
    name one of the page's functions (or be an item of a list that does)."""
    parts = around.context(n)
    if any(part.other for part in parts):
        return False
    return n.sec is Sec.RETURN_VALUES or any(part.calls for part in parts)


def _repeated(found: _Findings) -> None:
    """An errno listed twice in one ERRORS list with the same text: a copy.
    The same errno for different conditions, each in its own entry, is how
    BSD pages are written, and is left alone."""
    for bl in found.doc.root.walk():
        if bl.tok != "Bl" or bl.type is not BLOCK or bl.sec is not Sec.ERRORS:
            continue
        seen: set[tuple[str, str]] = set()
        body = bl.body_node
        for item in body.children if body is not None else []:
            head, text = item.head, item.body_node
            if item.tok != "It" or head is None:
                continue
            condition = plain(text) if text is not None else ""
            for er in head.walk():
                for name in _texts(er) if er.tok == "Er" and er.type is ELEM else []:
                    key = (name, condition)
                    if key in seen:
                        found.add("er_repeated", er.line, er.pos, name)
                    seen.add(key)


# -- return values -------------------------------------------------------------------


def _returns(found: _Findings, spec: Spec) -> None:
    functions = {f.name: f for f in spec.functions}
    for n in found.doc.root.walk():
        if n.tok != "Rv" or n.type is not ELEM or not n.arg("std"):
            continue
        named = [t for c in n.children if c.tok == "Fn" for t in _texts(c)[:1]]
        named += [t for t in _texts(n)]
        for name in named or list(functions):
            f = functions.get(name)
            if f is not None and f.return_type != "int":
                found.add("rv_not_int", n.line, n.pos, f"{f.name} returns {f.return_type}")
    rv = spec.return_values
    if rv is None or rv.failure is None:
        return
    typed = [f for f in spec.functions if f.return_type != "void"]
    line = _section_line(found.doc, Sec.RETURN_VALUES)
    if typed and all(_contradicts(rv.failure, f) for f in typed):
        for f in typed:
            found.add("rv_contradicts", line, 0, f"{f.name} returns {f.return_type}, "
                      f"the text says it fails with {rv.failure}")  # fmt: skip


def _contradicts(failure: str, f: Function) -> bool:
    """-1 from a pointer, NULL from an integer.  A typedef's name says nothing
    of what it stands for (``device_t`` is a pointer), so only the types
    known to be integers are judged for NULL."""
    if failure == "-1":
        return f.return_type.rstrip().endswith("*")
    words = f.return_type.replace("const", " ").split()
    return failure == "NULL" and bool(words) and all(w in _INTEGER_TYPES for w in words)


def _section_line(doc: Document, sec: Sec) -> int:
    return next((n.line for n in doc.root.children if n.tok == "Sh" and n.sec is sec), 1)


# -- the machine ---------------------------------------------------------------------

#: What the compiler says of a prototype line when the page's headers do not
#: declare a name it uses; anything else it says there is a difference
#: between the page's prototype and the header's.
_UNDECLARED = re.compile(
    r"unknown type name|declared inside parameter list|undeclared|expected .* before"
)


def _headers(found: _Findings, spec: Spec, machine: Machine) -> None:
    from mdoc2rst.contract.headercheck import CompilerMissing, check, header_problem

    kinds = found.options.kinds
    missing = [
        ref for ref in spec.header_refs
        if header_problem(ref) is None and machine.has_header(ref.name) is False
    ]  # fmt: skip
    for ref in missing:
        found.add("header_missing", ref.line, 0, ref.name)
    asked = {"header_conflict", "header_undeclared"} & kinds
    if not asked or not found.options.compile_headers or not spec.functions:
        return
    try:
        result = check(spec, machine.include_dirs, machine.compiler)
    except CompilerMissing:
        return
    for d in result.diagnostics:
        if d.kind != "HEADER_CONFLICT":
            continue
        if "deprecated" in d.message:
            continue  # the header's opinion of the function, not a difference
        if not _UNDECLARED.search(d.message):
            # An error (conflicting types) or a warning (an array parameter
            # declared as a pointer): the compiler's level is the finding's.
            found.add("header_conflict", d.line, d.column - 1, d.message, d.level)
        elif not missing:
            # With a header missing, every name it declares is unknown too:
            # the one finding that matters is already there.
            found.add("header_undeclared", d.line, d.column - 1, d.message)


def _symbols(found: _Findings, spec: Spec, machine: Machine) -> None:
    if spec.library is None or not spec.functions:
        return
    path = machine.library(spec.library.name)
    line = _lb_line(found.doc)
    if path is None:
        found.add("library_missing", line, 0, spec.library.name)
        return
    symbols = machine.linked_symbols(path)
    if symbols is None:
        return
    for f in spec.functions:
        if f.name not in symbols:
            found.add("symbol_missing", f.line, 0, f"{f.name} is not in {path}")


def _lb_line(doc: Document) -> int:
    return next((n.line for n in doc.root.walk() if n.tok == "Lb" and n.type is ELEM), 1)


def _references(found: _Findings) -> None:
    machine, site_has = found.options.machine, found.options.site_has
    if "xr_missing" not in found.options.kinds or machine is None:
        return  # without the machine, a page outside the site may be anywhere
    for n in found.doc.root.walk():
        if n.tok != "Xr" or n.type is not ELEM:
            continue
        words = _texts(n)
        if len(words) < 2:
            continue
        name, section = words[0], words[1]
        if site_has is not None and site_has(name, section):
            continue
        if machine.has_page(name, section):
            continue
        found.add("xr_missing", n.line, n.pos, f"{name}({section})")


# -- the site as a whole -------------------------------------------------------------


def undocumented(specs: Sequence[Spec], machine: Machine) -> dict[str, list[str]]:
    """For each library that the pages name, the functions it exports that no
    page documents (in NAME or SYNOPSIS), by path."""
    documented = {n for s in specs for n in s.names} | {f.name for s in specs for f in s.functions}
    report: dict[str, list[str]] = {}
    for library in sorted({s.library.name for s in specs if s.library is not None}):
        path = machine.library(library)
        symbols = machine.symbols(path) if path is not None else None
        if path is None or symbols is None:
            continue
        missing = sorted(
            n for n in symbols.versions if n not in documented and not n.startswith("_")
        )
        report[path] = missing
    return report
