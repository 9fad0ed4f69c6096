"""Two pages that document the same functions, compared field by field.

FreeBSD's ``sctp_connectx.3`` and lksctp-tools' say different things about
one call: its prototype (``const`` on one system), its headers, its
library, its return convention, the errnos each lists and what each says
they mean.  :func:`compare` turns two specs into the list of those
differences, each a :class:`Difference` with the value on either side and
the page lines, for ``mdoc2rst spec-diff A B`` and its JSON.

Types are compared as C spells them, spacing aside (``char*`` is ``char
*``); qualifiers count (``restrict``, ``const``).  Parameter names do not:
``s`` and ``sd`` are the same parameter, and the contract lint (not this)
checks that a page's text uses its own names.  Conditions are compared as
words, case and punctuation aside: two systems rarely word an error alike,
so "conditions differ" shows both texts for a reader to judge.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any, Final

from mdoc2rst.contract.spec import ErrorEntry, Function, Spec
from mdoc2rst.safe import printable

#: The kinds of difference, in the order they are listed.
FIELDS: Final = (
    "name",
    "function",
    "return_type",
    "parameters",
    "parameter",
    "variadic",
    "header",
    "library",
    "return_success",
    "return_failure",
    "return_errno",
    "errno",
    "condition",
)

_SPACE_AROUND_STAR = re.compile(r"\s*\*\s*")
_WORD = re.compile(r"[A-Za-z0-9_]+")


@dataclass(frozen=True)
class Difference:
    """One field that the pages ``a`` and ``b`` give differently.

    ``a`` or ``b`` is None where that page does not have the thing at all
    (an errno only one lists); lines are the page lines, where known.
    """

    field: str
    subject: str
    a: str | None
    b: str | None
    line_a: int | None = None
    line_b: int | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def compare(a: Spec, b: Spec) -> list[Difference]:
    """The differences between two pages' specs, field by field."""
    out: list[Difference] = []
    _sets(out, "name", a.names, b.names)
    _functions(out, a, b)
    _sets(out, "header", a.headers, b.headers)
    lib_a = a.library.name if a.library else None
    lib_b = b.library.name if b.library else None
    if lib_a != lib_b:
        out.append(Difference("library", "LIBRARY", lib_a, lib_b))
    _returns(out, a, b)
    _errors(out, a.errors, b.errors)
    order = {f: i for i, f in enumerate(FIELDS)}
    return sorted(out, key=lambda d: order[d.field])


def c_type(text: str) -> str:
    """A C type as one spelling: ``char*``, ``char *`` and ``char  *`` alike."""
    spaced = _SPACE_AROUND_STAR.sub(" *", " ".join(text.split()))
    return spaced.replace("* ", "*").strip()


def _sets(out: list[Difference], field: str, a: list[str], b: list[str]) -> None:
    only_b = set(b) - set(a)
    for name in a:
        if name not in b:
            out.append(Difference(field, name, name, None))
    out.extend(Difference(field, name, None, name) for name in b if name in only_b)


def _functions(out: list[Difference], a: Spec, b: Spec) -> None:
    theirs = {f.name: f for f in b.functions}
    ours = {f.name for f in a.functions}
    for fa in a.functions:
        fb = theirs.get(fa.name)
        if fb is None:
            out.append(Difference("function", fa.name, fa.prototype, None, fa.line, None))
        else:
            _prototype(out, fa, fb)
    for fb in b.functions:
        if fb.name not in ours:
            out.append(Difference("function", fb.name, None, fb.prototype, None, fb.line))


def _prototype(out: list[Difference], fa: Function, fb: Function) -> None:
    lines = (fa.line, fb.line)
    if c_type(fa.return_type) != c_type(fb.return_type):
        out.append(Difference("return_type", fa.name, fa.return_type, fb.return_type, *lines))
    if len(fa.parameters) != len(fb.parameters):
        out.append(
            Difference(
                "parameters", fa.name, str(len(fa.parameters)), str(len(fb.parameters)), *lines
            )
        )
    for i, (pa, pb) in enumerate(zip(fa.parameters, fb.parameters, strict=False), 1):
        if c_type(pa.type) != c_type(pb.type):
            names = "/".join(dict.fromkeys(n for n in (pa.name, pb.name) if n))
            subject = f"{fa.name} #{i}" + (f" ({names})" if names else "")
            out.append(Difference("parameter", subject, pa.type, pb.type, *lines))
    if fa.variadic != fb.variadic:
        out.append(Difference("variadic", fa.name, str(fa.variadic), str(fb.variadic), *lines))


def _returns(out: list[Difference], a: Spec, b: Spec) -> None:
    ra, rb = a.return_values, b.return_values
    pairs = (
        ("return_success", ra.success if ra else None, rb.success if rb else None),
        ("return_failure", ra.failure if ra else None, rb.failure if rb else None),
        ("return_errno", str(ra.errno) if ra else None, str(rb.errno) if rb else None),
    )
    for field, va, vb in pairs:
        if va != vb:
            out.append(Difference(field, "RETURN VALUES", va, vb))


def _errors(out: list[Difference], a: list[ErrorEntry], b: list[ErrorEntry]) -> None:
    by_a, by_b = _by_name(a), _by_name(b)
    for name, entries in by_a.items():
        theirs = by_b.get(name)
        text_a = " / ".join(e.condition for e in entries)
        if theirs is None:
            out.append(Difference("errno", name, text_a, None, entries[0].line, None))
            continue
        text_b = " / ".join(e.condition for e in theirs)
        if _words(text_a) != _words(text_b):
            out.append(
                Difference("condition", name, text_a, text_b, entries[0].line, theirs[0].line)
            )
    for name, entries in by_b.items():
        if name not in by_a:
            text_b = " / ".join(e.condition for e in entries)
            out.append(Difference("errno", name, None, text_b, None, entries[0].line))


def _by_name(errors: list[ErrorEntry]) -> dict[str, list[ErrorEntry]]:
    out: dict[str, list[ErrorEntry]] = {}
    for e in errors:
        out.setdefault(e.name, []).append(e)
    return out


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def render(a: Spec, b: Spec, found: list[Difference]) -> str:
    """The differences for a reader: one line each, conditions beneath."""
    lines = [printable(f"--- {a.source}"), printable(f"+++ {b.source}")]
    for d in found:
        where_a = f"{a.source}:{d.line_a}" if d.line_a else a.source
        where_b = f"{b.source}:{d.line_b}" if d.line_b else b.source
        if d.a is None:
            lines.append(f"{d.field} {d.subject}: only in {where_b}")
        elif d.b is None:
            lines.append(f"{d.field} {d.subject}: only in {where_a}")
        else:
            lines.append(f"{d.field} {d.subject}:")
            lines.append(f"  - {d.a}  [{where_a}]")
            lines.append(f"  + {d.b}  [{where_b}]")
    return "\n".join(printable(line) for line in lines) + "\n"
