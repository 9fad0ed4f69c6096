"""Hostile pages end in bounded time with diagnostics, never an exception.

Each case was once found by fuzzing: an escaping control-flow exception,
recursion past Python's limit, and exponential macro expansion.
"""

from __future__ import annotations

import pytest

from mdoc2rst import parse
from mdoc2rst.tree import dump

HEADER = ".Dd May 1, 2020\n.Dt T 1\n.Os\n.Sh NAME\n.Nm t\n.Nd t\n.Sh DESCRIPTION\n"

CASES = {
    "break-outside-loop": HEADER + ".break\ntext\n",
    "deep-inline-nesting": HEADER + ".Aq" + " Aq" * 20_000 + " x\n",
    "deep-explicit-nesting": HEADER + ".Bo\n" * 20_000 + "x\n",
    "deep-lists": HEADER + ".Bl -tag\n.It a\n" * 5_000 + "x\n",
    "self-recursive-macro": HEADER + ".de X\n.X\n.X\n..\n.X\n",
    "exponential-string": HEADER + ".ds a xx\n" + ".ds a \\*a\\*a\n" * 40 + "\\*a\n",
    "endless-while": HEADER + ".nr i 1\n.while \\n[i] .nr i 1\n",
    "long-line": HEADER + "word " * 200_000 + "\n",
    "nul-and-controls": HEADER + "a\x00b\x01c\x7f\n",
    "invalid-utf8": HEADER + "caf\udce9\n",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_page_is_bounded(name: str) -> None:
    text = CASES[name]
    data = text.encode("utf-8", "surrogateescape")
    doc = parse(data, f"{name}.1")
    assert dump(doc).startswith("title")
    assert doc.meta.title == "T"


def test_limits_are_reported() -> None:
    doc = parse(CASES["deep-explicit-nesting"], "deep.1")
    assert any(d.kind == "TOOLARGE" for d in doc.diagnostics)
    doc = parse(CASES["self-recursive-macro"], "macro.1")
    assert any(d.kind == "ROFFLOOP" for d in doc.diagnostics)
    doc = parse(CASES["endless-while"], "while.1")
    assert any(d.kind == "ROFFLOOP" for d in doc.diagnostics)


def test_bad_bytes_are_diagnosed() -> None:
    doc = parse(CASES["nul-and-controls"].encode(), "ctl.1")
    assert [d.kind for d in doc.diagnostics if d.kind.startswith("CHAR")] == [
        "CHAR_BAD",
        "CHAR_UNSUPP",
        "CHAR_BAD",
    ]
    doc = parse(CASES["invalid-utf8"].encode("utf-8", "surrogateescape"), "latin.1")
    assert any(d.kind == "ENCODING" for d in doc.diagnostics)
