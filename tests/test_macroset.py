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

from pathlib import Path

import oracle
import pytest

from mdoc2rst import parse
from mdoc2rst.cli import main
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


# -- the command line's -m ----------------------------------------------------

#: mdoc(7) by mandoc's choice (the first macro is .Dd), a man(7) page when forced.
BOTH = ".Dd May 1, 2020\n.TH X 1 2020-05-01\n.SH NAME\nx \\- y\n"


@pytest.mark.parametrize(
    ("spelling", "language"),
    [
        (("-mdoc",), "mdoc"),
        (("-m", "doc"), "mdoc"),
        (("-m", "mdoc"), "mdoc"),
        (("-man",), "man"),
        (("-m", "man"), "man"),
        (("-mandoc",), None),
        (("-m", "AUTO"), None),
    ],
    ids=lambda v: " ".join(v) if isinstance(v, tuple) else str(v),
)
@pytest.mark.parametrize("page", ["mdoc", "man", "neither"])
def test_tree_and_lint_take_mandocs_m_option(
    spelling: tuple[str, ...],
    language: str | None,
    page: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = CHOICES[page][0]
    path = tmp_path / "forced.1"
    path.write_text(text)
    mandoc_option = (f"-{language}",) if language else ()
    main(["tree", *spelling, str(path)])
    assert capsys.readouterr().out == oracle.mandoc_tree(text, "forced.1", mandoc_option)
    main(["lint", *spelling, str(path)])
    shown = capsys.readouterr().out.splitlines()
    expected = oracle.mandoc_lint(text, "forced.1", mandoc_option)

    # The level and the message; the positions are test_a_forced_language's.
    def said(line: str) -> str:
        return line.split(": ", 1)[1].lstrip("0123456789:").strip()

    assert sorted(map(said, shown)) == sorted(map(said, expected))


def test_convert_and_spec_read_the_forced_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "x.1"
    page.write_text(BOTH)
    # Chosen as mandoc chooses: mdoc(7), where .TH and .SH are unknown macros.
    assert main([str(page)]) == 0
    out = capsys.readouterr().out
    assert "LOCAL" in out and "NAME\n====" not in out
    # Forced, before the page as after the command.
    for argv in (["-m", "man", str(page)], ["convert", str(page), "-man"]):
        assert main(argv) == 0
        out = capsys.readouterr().out
        assert "General Commands Manual" in out and "NAME\n====" in out
    # A folder goes through the worker processes: the option travels with the jobs.
    folder = tmp_path / "out"
    assert main(["convert", "-j", "2", "-m", "man", str(tmp_path), "-o", str(folder)]) == 0
    assert "NAME\n====" in (folder / "x.1.rst").read_text()
    assert main(["spec", "-m", "man", str(page)]) == 0
    assert '"x"' in capsys.readouterr().out


def test_forcing_mdoc_on_a_man_page_says_it_is_no_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    page = tmp_path / "x.1"
    page.write_text(MAN)
    assert main(["convert", "-m", "mdoc", str(page)]) == 5
    assert "not a manual page" in capsys.readouterr().err


def test_an_unknown_language_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["tree", "-m", "ms", "x.1"])
    assert exc.value.code == 5
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown language 'ms'" in err[0]
