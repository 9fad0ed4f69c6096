"""Small crafted pages where roff requests meet each other, against mandoc.

Each page came from a differential run of random request mixes (input
traps, centring, conditionals, macros, tables, equations) in both
languages; the tree and the lint must be mandoc's.  A page here once
differed.
"""

from __future__ import annotations

import oracle
import pytest

from mdoc2rst import parse
from mdoc2rst.tree.dump import dump

MAN = ".TH X 1 2020-01-01\n.SH NAME\nx \\- y\n.SH D\n"
MDOC = ".Dd May 1, 2020\n.Dt X 1\n.Os\n.Sh NAME\n.Nm x\n.Nd y\n.Sh D\n"

PAGES = {
    # The trap's macro is a line of its own, not part of the conditional
    # whose body the text line was: mandoc places it at its name.
    "trap-after-conditional-text": MAN + ".it 1 br\ntext\n.it 1 br\n.if 1 text in if\nafter\n",
    "trap-after-conditional-text-mdoc": MDOC + ".it 1 br\n.if 1 text in if\nafter\n",
    "trap-inside-centring": MAN + ".ce 2\n.it 1 br\none\ntwo\nthree\n",
    "centring-from-a-macro": MAN + ".de M\n.ce 1\n..\n.M\ncentred\nnot\n",
    "centring-in-no-fill": MAN + ".nf\n.ce x\n.ce\n.nf\ntext\n.if 1 .ce 2\n.B bold\n",
    # A string the page defined, called as a macro (roff_userdef): its text
    # goes before the next input line; at a macro's end, it is a line of its
    # own; at the end of the page, it is lost.  It is the page's own name,
    # so it neither ends centring nor yields to a macro of the language.
    "string-as-macro": MAN + ".ds S hello\n.S\nline one\nafter\n",
    "string-as-macro-in-a-macro": MAN
    + ".ds S hello\n.de M\n.S\nin macro\n..\n.M\n.de N\nfirst\n.S\n..\n.N\nafter\n",
    "string-shadows-a-macro": MAN + ".ds B bee\n.B bold\n.S arg1 arg2\n.B x\n",
    "string-as-macro-in-centring": MAN + ".ds S hello\n.ce 2\n.S\nline one\nline two\nafter\n",
    "string-as-macro-mdoc": MDOC + ".ds S hello\n.if 1 .S\nnext\n.S\n",
    "string-as-macro-in-a-table": MAN + ".ds S hello\n.TS\nl.\n.S\ncell\n.TE\n",
    # A stray "\}" request line: an error at the top level, nothing in a
    # macro body (Tcl's man.macros have one in .BE).
    "stray-brace": MAN + "text\n.\\}\nmore\n",
    "stray-brace-in-a-macro": MAN + ".de M\n.\\}\n.B x\n..\n.M\nmore\n",
    # A \} with no block open, on the rest of a conditional's line: the
    # message is at its place in the whole line.
    "stray-brace-after-a-condition": MAN + ".if 1 \\(lq text\\}more\n.if 1 \\{ a \\} b \\} c\n",
    # A next-line scope ends before its line is read: a conditional request
    # there is evaluated in the scopes around it, even when this one is false.
    "next-line-scope-of-a-conditional": MAN
    + ".if 0\n.if 1 text one\n.ie 0\n.el text two\n.if 0 \\{\\\n.if 1 text three\n.\\}\n"
    + ".ie 0\ntext four\n.el text five\n",
    # A macro line in a false conditional ends centring all the same.
    "centring-ended-in-a-false-conditional": MAN + ".ce 3\none\n.if 0 .B x\ntwo\nthree\n",
    # \# takes the newline with it: the line goes on with the next one
    # (procps' top.1 starts with such lines).
    "hash-comments-join-lines": MAN
    + "text \\# comment\nmore\n\\# whole line\nafter\n.B bold \\#c\nnext\n",
    # The rest of a conditional's line is parsed again: its escapes are
    # checked (and reported) once more for each conditional.
    "conditional-escapes-checked-again": MAN
    + ".if n .if n text \\fSa\n.if t \\{ text \\fSb\n.\\}\n"
    + ".ie n .ds A \\fSc\\*S\n.el x\n.if n \\{\\\n\\fSd\n.\\}\n",
}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_tree_and_lint_are_mandocs(name: str) -> None:
    text = PAGES[name]
    doc = parse(text, f"{name}.1")
    assert dump(doc) == oracle.mandoc_tree(text, f"{name}.1")
    assert sorted(map(oracle.mandoc_style, doc.diagnostics)) == sorted(
        oracle.mandoc_lint(text, f"{name}.1")
    )
