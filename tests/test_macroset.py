"""Which language a page is read in: mandoc's choice, and the option to force it.

mandoc (read.c: choose_parser) reads a page as mdoc(7) when the first line
that reaches a macro parser is ``.Dd``, as man(7) when it is ``.TH``; for
any other first line it looks for the first line of the page that starts
with ``.Dd`` or ``.TH`` (``'`` as well), and takes man(7) when there is
none, as it does for a page that no line of reaches a parser at all.
``parse(..., macroset=...)`` forces a language, as ``mandoc -mdoc`` and
``-man`` do.  Each case is compared with mandoc's tree and lint.
"""

from __future__ import annotations

import oracle
import pytest

from mdoc2rst import parse
from mdoc2rst.reader import page_kind
from mdoc2rst.tree.dump import dump

MDOC = ".Dd May 1, 2020\n.Dt X 1\n.Os\n.Sh NAME\n.Nm x\n.Nd y\n"
MAN = ".TH X 1 2020-05-01\n.SH NAME\nx \\- y\n"

#: name -> (page, the language mandoc reads it in)
CHOICES: dict[str, tuple[str, str]] = {
    "mdoc": (MDOC, "mdoc"),
    "man": (MAN, "man"),
    "text-then-Dd": ("text first\n" + MDOC, "mdoc"),
    "text-then-TH": ("text first\n" + MAN, "man"),
    "neither": ("just text\n.B bold\n", "man"),
    "nothing-reaches-a-parser": ('.\\" a comment\n.ds x y\n', "man"),
    "empty": ("", "man"),
    # The lookahead sees the .TH in the block .ig skips; the first line that
    # reaches a parser is .Dd, and decides.
    "Dd-after-ignored-TH": (".ig\n.TH X 1\n..\n" + MDOC, "mdoc"),
    # A first line that is neither: the lookahead finds the .TH in the .ig.
    "text-and-ignored-TH": ("text\n.ig\n.TH X 1\n..\n" + MDOC, "man"),
    "Dd-through-if": (".if n .Dd May 1, 2020\n.TH X 1\n.SH NAME\n", "mdoc"),
    "apostrophe-TH": ("text\n'TH X 1\n.SH NAME\nx\n", "man"),
}


@pytest.mark.parametrize("name", sorted(CHOICES))
def test_the_language_is_mandocs_choice(name: str) -> None:
    text, language = CHOICES[name]
    doc = parse(text, f"{name}.1")
    assert doc.macroset == language
    assert dump(doc) == oracle.mandoc_tree(text, f"{name}.1")
    assert sorted(map(oracle.mandoc_style, doc.diagnostics)) == sorted(
        oracle.mandoc_lint(text, f"{name}.1")
    )


@pytest.mark.parametrize("language", ["mdoc", "man"])
@pytest.mark.parametrize("page", ["mdoc", "man", "neither"])
def test_a_forced_language(language: str, page: str) -> None:
    text = CHOICES[page][0]
    doc = parse(text, "forced.1", macroset=language)
    assert doc.macroset == language
    assert dump(doc) == oracle.mandoc_tree(text, "forced.1", (f"-{language}",))
    assert sorted(map(oracle.mandoc_style, doc.diagnostics)) == sorted(
        oracle.mandoc_lint(text, "forced.1", (f"-{language}",))
    )


def test_an_unknown_language_is_refused() -> None:
    with pytest.raises(ValueError, match="macroset"):
        parse(MAN, "x.1", macroset="ms")


def test_page_kind_follows_the_language() -> None:
    assert page_kind(parse(MDOC, "x.1")) == "mdoc"
    assert page_kind(parse(MAN, "x.1")) == "man"
    assert page_kind(parse(".SH NAME\nno title\n", "x.1")) == "man"
    # Read as man(7) by mandoc, but no manual page: no .TH, no man(7) macro.
    assert page_kind(parse("# A README\n\nSome text.\n", "README")) == "none"
    assert page_kind(parse(MDOC, "x.1", macroset="man")) == "none"
