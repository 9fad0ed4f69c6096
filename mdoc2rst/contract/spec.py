"""The API spec of a manual page: what the page promises, as data.

From a parsed page it extracts the names, section, title and one-line
description, the library (``.Lb``), the headers (``.In``, ``.Fd
#include``), every prototype in the SYNOPSIS parsed as a C declaration,
the RETURN VALUES text with its success and failure values, the ERRORS
list (errno name, condition, source line, in order), and the SEE ALSO
references.  ``mdoc2rst spec`` prints it as JSON that follows the schema
shipped as ``mdoc2rst/spec.schema.json``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mdoc2rst.contract.cdecl import DeclError, Prototype, parse_prototype
from mdoc2rst.roff.escape import render
from mdoc2rst.tree.diagnostics import Diagnostic, Level
from mdoc2rst.tree.nodes import BLOCK, ELEM, TEXT, Document, Flag, Node, Sec
from mdoc2rst.tree.text import plain, plain_children

#: Version of the JSON format; bump the major part on incompatible changes.
SPEC_VERSION = "1.0"


@dataclass(frozen=True, slots=True)
class Parameter:
    name: str | None
    type: str


@dataclass(frozen=True, slots=True)
class Function:
    name: str
    return_type: str
    parameters: list[Parameter]
    variadic: bool
    prototype: str
    line: int


@dataclass(frozen=True, slots=True)
class Call:
    """A SYNOPSIS line that shows a call rather than a declaration.

    Section 4 pages write ``.Fn socket AF_INET SOCK_STREAM IPPROTO_SCTP``:
    the arguments are values, so there is no prototype to check.
    """

    name: str
    arguments: list[str]
    line: int


@dataclass(frozen=True, slots=True)
class Variable:
    declaration: str
    line: int


@dataclass(frozen=True, slots=True)
class HeaderRef:
    """Where the page names a header, for the header check.

    ``written`` is the text as the page gives it: the ``.In`` argument, or
    everything after ``#include`` on an ``.Fd`` line, so that the check can
    refuse ``#include FOO`` or ``#include <a b>``, and report at ``line``.
    Not part of the JSON spec, whose ``headers`` lists the names.
    """

    name: str
    macro: str  # "In" or "Fd"
    written: str
    line: int


@dataclass(frozen=True, slots=True)
class Library:
    name: str
    text: str


@dataclass(frozen=True, slots=True)
class ReturnValues:
    """The RETURN VALUES section and the convention read from it.

    ``success`` and ``failure`` are the C values the text names (``"0"``,
    ``"-1"``, ``"NULL"``) or None when the text names none.
    """

    text: str
    success: str | None
    failure: str | None
    errno: bool


@dataclass(frozen=True, slots=True)
class ErrorEntry:
    name: str
    condition: str
    line: int


@dataclass(frozen=True, slots=True)
class Reference:
    name: str
    section: str
    line: int


@dataclass(slots=True)
class Spec:
    source: str
    sha256: str | None
    names: list[str]
    section: str | None
    title: str | None
    description: str
    library: Library | None
    headers: list[str]
    functions: list[Function]
    calls: list[Call]
    variables: list[Variable]
    return_values: ReturnValues | None
    errors: list[ErrorEntry]
    see_also: list[Reference]
    diagnostics: list[Diagnostic] = field(default_factory=list)
    version: str = SPEC_VERSION
    # One per entry of ``headers``; kept out of the JSON, which has no lines for them.
    header_refs: list[HeaderRef] = field(default_factory=list)

    def conditions(self) -> dict[str, tuple[str, int]]:
        """errno -> (its conditions, the line of its first entry), in page order.

        A page may list one errno for two causes (``sctp_recvmsg(3)`` gives
        ENOBUFS for a failed allocation and for a full interface queue): the
        conditions are joined with " / ", as spec-diff shows them, so that
        neither is lost.  An entry repeated word for word counts once.
        """
        found: dict[str, tuple[list[str], int]] = {}
        for e in self.errors:
            texts, _ = found.setdefault(e.name, ([], e.line))
            if e.condition not in texts:
                texts.append(e.condition)
        return {name: (" / ".join(texts), line) for name, (texts, line) in found.items()}

    def function(self, name: str) -> Function:
        for f in self.functions:
            if f.name == name:
                return f
        raise KeyError(name)

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict in the shape of ``spec.schema.json``."""
        data = asdict(self)
        data["diagnostics"] = [str(d) for d in self.diagnostics]
        del data["header_refs"]
        return {"version": data.pop("version"), **data}


def extract(doc: Document, data: bytes | None = None) -> Spec:
    """Build the spec of a parsed page; ``data`` (the page's bytes) gives the hash."""
    if doc.macroset == "man":
        from mdoc2rst.contract import manspec

        return manspec.extract(doc, data)
    sections = {n.sec: n for n in doc.root.children if n.tok == "Sh" and n.sec is not Sec.CUSTOM}
    diagnostics: list[Diagnostic] = []
    synopsis = sections.get(Sec.SYNOPSIS)
    functions, calls, variables, refs = _synopsis(doc.filename, synopsis, diagnostics)
    library = _library(sections.get(Sec.LIBRARY) or synopsis)
    return Spec(
        source=doc.filename,
        sha256=hashlib.sha256(data).hexdigest() if data is not None else None,
        names=_names(sections.get(Sec.NAME)),
        section=doc.meta.msec,
        title=doc.meta.title,
        description=_description(sections.get(Sec.NAME)),
        library=library,
        headers=[r.name for r in refs],
        functions=functions,
        calls=calls,
        variables=variables,
        return_values=_return_values(sections.get(Sec.RETURN_VALUES), Sec.ERRORS in sections),
        errors=_errors(sections.get(Sec.ERRORS)),
        see_also=_see_also(sections.get(Sec.SEE_ALSO)),
        diagnostics=diagnostics,
        header_refs=refs,
    )


def extract_file(path: str | Path) -> Spec:
    """Parse a page file and extract its spec."""
    from mdoc2rst.reader import parse

    p = Path(path)
    data = p.read_bytes()
    return extract(parse(data, str(path), path=p), data)


def _body(sh: Node | None) -> list[Node]:
    if sh is None:
        return []
    body = sh.body_node
    return body.children if body is not None else []


def _texts(n: Node) -> list[str]:
    """The printed text children of an element, each rendered."""
    return [render(c.string) for c in n.children if c.type is TEXT and not c.flags & Flag.NOPRT]


def _names(sh: Node | None) -> list[str]:
    # A dict keeps the page order and drops repeats in one step each: a
    # NAME of many thousand entries must not cost a scan per entry.
    names: dict[str, None] = {}
    for n in _body(sh):
        if n.tok == "Nm":
            names.update((t, None) for t in _texts(n) if t not in ",")
    return list(names)


def _description(sh: Node | None) -> str:
    for n in _body(sh):
        if n.tok == "Nd" and n.type is BLOCK and n.body_node is not None:
            return plain_children(n.body_node)
    return ""


def _library(sh: Node | None) -> Library | None:
    for top in _body(sh):
        for n in top.walk():
            if n.tok == "Lb" and n.type is ELEM:
                # A known library: its name is kept unprinted beside the
                # title (libc -> "Standard C Library"); an unknown one is
                # printed as 'library "libfoo"', the name the only word
                # that came from the page.
                name = next((c.string for c in n.children if c.flags & Flag.NOPRT), None)
                if name is None:
                    name = next((c.string for c in n.children if not c.flags & Flag.NOSRC), None)
                shown = plain(n)
                if name is None:
                    name = shown
                return Library(render(name), shown)
    return None


def _synopsis(
    filename: str, sh: Node | None, diagnostics: list[Diagnostic]
) -> tuple[list[Function], list[Call], list[Variable], list[HeaderRef]]:
    functions: list[Function] = []
    calls: list[Call] = []
    variables: list[Variable] = []
    headers: list[HeaderRef] = []
    ftype = ""
    for n in _body(sh):
        tok = n.tok
        if tok == "In":
            headers.extend(HeaderRef(t, "In", t, n.line) for t in _texts(n))
        elif tok == "Fd":
            words = _texts(n)
            if words and words[0] == "#include" and len(words) > 1:
                name = words[1].strip('<>"')
                headers.append(HeaderRef(name, "Fd", " ".join(words[1:]), n.line))
        elif tok == "Ft":
            ftype = " ".join(_texts(n))
        elif tok == "Fn" and n.type is ELEM:
            words = _texts(n)
            if words and words[1:] and all(VALUE_ARG.fullmatch(w) for w in words[1:]):
                calls.append(Call(words[0], words[1:], n.line))
            elif words:
                _function(filename, n, ftype, words[0], words[1:], functions, diagnostics)
            ftype = ""
        elif tok == "Fo" and n.type is BLOCK:
            head, body = n.head, n.body_node
            name = " ".join(_texts(head)) if head is not None else ""
            params = [
                t for fa in (body.children if body else []) if fa.tok == "Fa" for t in _texts(fa)
            ]
            _function(filename, n, ftype, name, params, functions, diagnostics)
            ftype = ""
        elif tok == "Vt":
            decl = plain(n).rstrip(" ;")
            if decl:
                variables.append(Variable(decl, n.line))
    return functions, calls, variables, headers


#: An argument that is a value (a constant, a number), not a parameter declaration.
VALUE_ARG = re.compile(r"[A-Z_][A-Z0-9_]*(?:\s*\|\s*[A-Z_][A-Z0-9_]*)*|-?\d+|NULL")


def _function(
    filename: str,
    n: Node,
    ftype: str,
    name: str,
    params: list[str],
    out: list[Function],
    diagnostics: list[Diagnostic],
) -> None:
    text = f"{ftype or 'int'} {name}({', '.join(params) or 'void'})"
    declaration(filename, n.line, n.pos, text, out, diagnostics)


def declaration(
    filename: str,
    line: int,
    pos: int,
    text: str,
    out: list[Function],
    diagnostics: list[Diagnostic],
) -> None:
    """Parse the C declaration ``text`` of a page line into ``out``, or say why not."""
    try:
        proto: Prototype = parse_prototype(text)
    except DeclError as exc:
        diagnostics.append(
            Diagnostic(
                Level.ERROR,
                "SPEC_PROTOTYPE",
                filename,
                line,
                pos + 1,
                f"prototype does not parse as a C declaration: {text}: {exc}",
            )
        )
        return
    out.append(
        Function(
            name=proto.name,
            return_type=proto.returns.render(),
            parameters=[Parameter(p.name, p.type.render()) for p in proto.params],
            variadic=proto.variadic,
            prototype=proto.render(),
            line=line,
        )
    )


# A return value as RETURN VALUES sections name it: a C value or a short
# noun phrase ("the number of bytes received", "the association id").
_VALUE = (
    r"(-1|0|NULL|a null pointer|the association id"
    r"|(?:(?:a|the)\s+)?(?:count|number)\s+of(?:\s+(?!upon\b|on\b|if\b)\w+){1,8})"
)
_FAILURE = [
    re.compile(
        rf"{_VALUE}\s+(?:is returned\s+)?(?:on|upon|if|when)\s+(?:an?\s+)?(?:failure|error)",
        re.I,
    ),
    re.compile(rf"(?:failure|error)[^.]*?(?:returns?|is returned|value)\s+{_VALUE}", re.I),
    re.compile(rf"otherwise[^.]*?value\s+{_VALUE}\s+is returned", re.I),
    re.compile(r",?\s+or\s+(-1|0|NULL)\b", re.I),
    # Linux man-pages: "On failure, -1 is returned", "On error, NULL is returned",
    # "On error, sctp_getpaddrs returns -1".
    re.compile(rf"(?:on|upon)\s+(?:failure|error),?\s+{_VALUE}\s+is\s+returned", re.I),
    re.compile(rf"(?:on|upon)\s+(?:failure|error),?\s+(?:\w+\s+)?returns\s+{_VALUE}", re.I),
]
_SUCCESS = [
    re.compile(rf"{_VALUE}\s+(?:is returned\s+)?(?:on|upon|if)\s+(?:successful|success)", re.I),
    re.compile(rf"{_VALUE}(?:\s+\w+){{0,3}}\s+(?:on|upon)\s+success", re.I),
    re.compile(rf"returns?\s+(?:the value\s+)?{_VALUE}\s+if\s+successful", re.I),
    re.compile(rf"returns\s+{_VALUE}(?:,\s+or|\s+or)\s", re.I),
    # Linux man-pages: "On success, 0 is returned", "On successful completion, ...",
    # "On success, sctp_opt_info returns 0".
    re.compile(rf"(?:on|upon)\s+success,?\s+(?:\w+\s+)?returns\s+{_VALUE}", re.I),
    re.compile(rf"(?:on|upon)\s+success(?:ful completion)?,?\s+{_VALUE}\s+is\s+returned", re.I),
]


def _convention(text: str, patterns: list[re.Pattern[str]]) -> str | None:
    for p in patterns:
        m = p.search(text)
        if m:
            value = m.group(1).strip()
            return "NULL" if value.lower() == "a null pointer" else value
    return None


def _return_values(sh: Node | None, has_errors: bool) -> ReturnValues | None:
    if sh is None or sh.body_node is None:
        return None
    return return_values(plain_children(sh.body_node), has_errors)


def return_values(text: str, has_errors: bool) -> ReturnValues:
    """The return convention that a RETURN VALUES text states."""
    failure = _convention(text, _FAILURE)
    success = _convention(text, _SUCCESS)
    errno = "errno" in text or has_errors
    return ReturnValues(text, success, failure, errno)


def _errors(sh: Node | None) -> list[ErrorEntry]:
    out: list[ErrorEntry] = []
    for top in _body(sh):
        if top.tok != "Bl" or top.type is not BLOCK:
            continue
        body = top.body_node
        for item in body.children if body else []:
            if item.tok != "It" or item.type is not BLOCK:
                continue
            head, ibody = item.head, item.body_node
            if head is None:
                continue
            names = [t for n in head.walk() if n.tok == "Er" for t in _texts(n)]
            condition = plain_children(ibody) if ibody is not None else ""
            out.extend(ErrorEntry(name, condition, item.line) for name in names)
    return out


def _see_also(sh: Node | None) -> list[Reference]:
    refs: list[Reference] = []
    for top in _body(sh):
        for n in top.walk():
            if n.tok == "Xr" and n.type is ELEM:
                words = _texts(n)
                if words:
                    refs.append(Reference(words[0], words[1] if len(words) > 1 else "", n.line))
    return refs
