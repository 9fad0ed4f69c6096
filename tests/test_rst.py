"""The reST writer: golden fixtures, injection, corpus cleanliness, text fidelity.

``tests/fixtures/rst/NAME.mdoc`` pages and ``tests/fixtures/rst_man/NAME.man``
pages (man(7)), and pages of either language with tables and equations in
``tests/fixtures/rst_tbl/``, sit beside ``NAME.sphinx.rst`` and ``NAME.docutils.rst``, the
expected output of each flavour.  Regenerate them with
``python tests/test_rst.py --regen`` and read the diff before committing.
"""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest

# Run as a script (--regen), the helpers and the project must be importable:
# the checkout goes last, so that an mdoc2rst already on the path (the
# compiled build under test) comes first.
sys.path.insert(0, str(Path(__file__).parent))
sys.path.append(str(Path(__file__).resolve().parents[1]))

from oracle import (
    SEED,
    freebsd_pages,
    manual_pages,
    regress_id,
    regress_inputs,
    require_shared,
    require_tool,
)
from rst_check import DOCUTILS, docutils_messages, fidelity, mandoc_words, render_html

from mdoc2rst import parse, parse_file
from mdoc2rst.writers.rst import RstOptions, write

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures" / "rst"
MAN_FIXTURES = Path(__file__).parent / "fixtures" / "rst_man"
#: tbl(7) tables and eqn(7) equations, in pages of both languages.
PREPROC_FIXTURES = Path(__file__).parent / "fixtures" / "rst_tbl"
CASES = sorted(
    [
        *FIXTURES.glob("*.mdoc"),
        *MAN_FIXTURES.glob("*.man"),
        *PREPROC_FIXTURES.glob("*.mdoc"),
        *PREPROC_FIXTURES.glob("*.man"),
    ]
)
FLAVORS = ("sphinx", "docutils")
FLOOR = 0.97


def options(flavor: str) -> RstOptions:
    """The options the goldens are written with: intro(7) is a page of the site."""
    return RstOptions(flavor=flavor, local_pages={("intro", "7"): "pages/intro.7"})  # type: ignore[arg-type]


def convert(page: Path, flavor: str) -> str:
    return write(parse(page.read_bytes(), page.name), options(flavor))


def _case_id(page: Path) -> str:
    return page.name


@pytest.mark.parametrize("flavor", FLAVORS)
@pytest.mark.parametrize("page", CASES, ids=_case_id)
def test_golden(page: Path, flavor: str) -> None:
    expected = page.with_suffix(f".{flavor}.rst").read_text(encoding="utf-8")
    assert convert(page, flavor) == expected


@pytest.mark.parametrize("page", CASES, ids=_case_id)
def test_fixture_parses_cleanly(page: Path) -> None:
    assert docutils_messages(convert(page, "docutils")) == []


def test_fixture_covers_the_sphinx_forms() -> None:
    text = convert(FIXTURES / "all.mdoc", "sphinx")
    for form in (
        ".. c:function:: int widget_open(const char *path, int flags)",
        ".. c:function:: void widget_close(struct widget *w)",
        ".. c:struct:: widget",
        "#include <sys/types.h>",
        ":c:func:`widget_open`",
        ":ref:`EINVAL <widget.3-errno-EINVAL>`",
        ".. _widget.3-errno-EINVAL:",
        ":doc:`intro(7) </pages/intro.7>`",
        "`open(2) <https://man.freebsd.org/cgi/man.cgi?query=open&sektion=2>`__",
        ":ref:`RETURN VALUES <widget.3-return-values>`",
        ".. index:: single: widget_open (3)",
        ".. list-table::",
    ):
        assert form in text


def _html_body(text: str) -> str:
    body = render_html(text)
    return body[body.index("<main") : body.index("</main>")]


def test_injection_stays_text() -> None:
    text = convert(FIXTURES / "injection.mdoc", "docutils")
    assert docutils_messages(text, min_level=1) == []
    body = _html_body(text)
    # Nothing the page text spells may become an element.
    for tag in ("<script", "<b>kept", "<strong>bold", "<em>emph", "<sub", "<math",
                "<ol", "<blockquote", "<table class=\"docutils field-list",
                "<span class=\"target\"", "<pre class=\"doctest", "<hr"):  # fmt: skip
        assert tag not in body, tag
    assert 'href="http://evil' not in body
    assert 'href="http://example.org/"' not in body  # no standalone link made
    assert 'href="mailto:mail' not in body
    plain = html.unescape(re.sub(r"<[^>]*>", "", body))
    for literal in (".. raw:: html", "<script>alert(1)</script>", "`x`_", "|sub|", "**strong**",
                    "*emph*", "``lit``", ":math:`x`", "- a bullet", "* a star", "#. auto",
                    "1. one", ">>> doctest", ":: literal marker", "marker::", "=====",
                    "\\\\\\\\", ":field: value", ".. comment", "_`inline target`",
                    "[1]_", "`TITLE`_ |sub|"):  # fmt: skip
        assert literal in plain, literal


def test_injection_same_in_sphinx_flavour() -> None:
    # Page text is escaped by the same code in both flavours; only the index
    # entries and the name of the class directive are Sphinx's own.
    sphinx = convert(FIXTURES / "injection.mdoc", "sphinx")
    plain = convert(FIXTURES / "injection.mdoc", "docutils")
    sphinx = sphinx.replace(".. index:: single: inject (7)\n\n", "")
    assert sphinx.replace(".. rst-class::", ".. class::") == plain


def test_man_injection_stays_text() -> None:
    text = convert(MAN_FIXTURES / "injection.man", "docutils")
    assert docutils_messages(text, min_level=1) == []
    body = _html_body(text)
    for tag in ("<script", "<b>", "<ol", "<blockquote", '<table class="docutils field-list',
                '<span class="target"', '<pre class="doctest', "<hr", "<sub"):  # fmt: skip
        assert tag not in body, tag
    assert 'href="http://example.org/"' not in body and 'href="mailto:mail' not in body
    plain = " ".join(html.unescape(re.sub(r"<[^>]*>", "", body)).split())
    for literal in ("<script>alert(1)</script>", ".. comment", "- a bullet", "* a star",
                    "#. auto", "1. one", ">>> doctest", ":field: value", "=====",
                    "`x`_ |sub| **strong** *emph* ``lit`` :math:`x` _`inline target` [1]_",
                    "**term** : classifier", ":: literal marker", "marker::",
                    "`TITLE`_ |sub|", "`bold`_", "|italic|"):  # fmt: skip
        assert literal in plain, literal


def test_man_fixtures_cover_the_sphinx_forms() -> None:
    text = convert(MAN_FIXTURES / "synopsis.man", "sphinx")
    for form in (
        ".. c:function:: int synopsis_demo(int sd, struct sockaddr *addrs, int addrcnt,"
        " int flags)",
        ".. c:function:: void synopsis_other(void)",
        "    int socket(int domain, int type, int protocol);",  # not this page's: text
        "    not C at all (x);",
        ".. index:: single: synopsis_other (3)",
        ".. _synopsis_demo.3-errno-EBADF:",
    ):
        assert form in text
    assert "c:function:: int socket" not in text
    plain = convert(MAN_FIXTURES / "synopsis.man", "docutils")
    assert ".. c:" not in plain and ".. index::" not in plain


def test_man_page_reference_macro() -> None:
    # mandoc 1.14.6, and so the parser, does not know groff's .MR yet; the
    # writer has its row: a tree as the parser will give it (an element
    # holding name, section and punctuation) becomes a page reference.
    doc = parse(".TH X 1\n.SH NAME\nx \\- y\n.SH DESCRIPTION\nSee\n.BR open 2 ,\nnow.\n", "x.1")
    element = next(n for n in doc.root.walk() if n.tok == "BR")
    element.tok = "MR"
    text = write(doc, options("docutils"))
    assert (
        "See `open(2) <https://man.freebsd.org/cgi/man.cgi?query=open&sektion=2>`__\\ , now."
        in (" ".join(text.split()))
    )


def _man_fidelity_pages() -> list[Path]:
    """man(7) pages whose text does not depend on the machine: the fixtures and
    mandoc's regress inputs.  Those with tables (tbl(7)) wait for the tbl writer."""
    pages = [*MAN_FIXTURES.glob("*.man"), *regress_inputs("man")]
    return sorted(p for p in pages if b"\n.TS" not in b"\n" + p.read_bytes())


@pytest.mark.parametrize("page", _man_fidelity_pages(), ids=lambda p: p.name)
def test_man_text_fidelity(page: Path) -> None:
    require_tool("mandoc")
    if not mandoc_words(page):
        pytest.skip("mandoc prints nothing for this page (it fails an assertion)")
    ratio = fidelity(page)
    print(f"{page.name}: {ratio:.4f}")
    assert ratio >= FLOOR


def _corpus() -> list[Path]:
    return [SEED, *freebsd_pages(), *manual_pages()]


@pytest.mark.parametrize("page", _corpus(), ids=lambda p: p.name)
def test_corpus_parses_cleanly(page: Path) -> None:
    require_shared()
    doc = parse_file(page)
    assert docutils_messages(write(doc, DOCUTILS)) == []
    write(doc, RstOptions())  # the Sphinx flavour must not fail either


@pytest.mark.parametrize("page", regress_inputs(), ids=regress_id)
def test_regress_parses_cleanly(page: Path) -> None:
    require_shared()
    assert docutils_messages(write(parse_file(page), DOCUTILS)) == []


@pytest.mark.parametrize("page", _corpus(), ids=lambda p: p.name)
def test_text_fidelity(page: Path) -> None:
    require_shared()
    require_tool("mandoc")
    ratio = fidelity(page)
    print(f"{page.name}: {ratio:.4f}")
    assert ratio >= FLOOR


def test_cli_convert(tmp_path: Path) -> None:
    page = FIXTURES / "all.mdoc"
    run = [sys.executable, "-m", "mdoc2rst"]  # from ROOT: this checkout, not an install
    done = subprocess.run(
        [*run, str(page), "--flavor", "docutils"],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout == page.with_suffix(".docutils.rst").read_text(encoding="utf-8")
    done = subprocess.run(
        [*run, "convert", str(page), str(FIXTURES / "injection.mdoc"), "-o", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    # Output names come from the input files' names, never from page text.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["all.mdoc.rst", "injection.mdoc.rst"]
    done = subprocess.run(
        [*run, "convert", str(tmp_path / "missing.3")],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode != 0
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr


def test_writer_imports_neither_sphinx_nor_docutils() -> None:
    code = (
        "import sys, mdoc2rst.writers.rst, mdoc2rst.cli; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('sphinx', 'docutils')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == "[]"


def _regen() -> None:
    for page in CASES:
        for flavor in FLAVORS:
            out = page.with_suffix(f".{flavor}.rst")
            out.write_text(convert(page, flavor), encoding="utf-8")
            print(f"wrote {out.name}")


if __name__ == "__main__" and "--regen" in sys.argv:
    _regen()
