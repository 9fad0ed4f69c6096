"""tbl(7) tables and eqn(7) equations of both languages in a Sphinx site.

The pages of tests/fixtures/rst_tbl/ built as a site, nitpicky with
warnings as errors (``-W -n``): every table is a table of the HTML, or its
text a literal block, in the right place; every equation is math (a block
for ``.EQ``, in-line between delimiters), or text where LaTeX cannot go.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("sphinx", reason="Sphinx is not installed (pip install '.[sphinx]')")

from test_sphinx_man import build

FIXTURES = Path(__file__).parent / "fixtures" / "rst_tbl"
PAGES = sorted([*FIXTURES.glob("*.mdoc"), *FIXTURES.glob("*.man")])
TABLE_PAGES = [p for p in PAGES if p.stem.endswith("-tables")]
EQUATION_PAGES = [p for p in PAGES if p.stem.endswith("-equations")]

CONF = """\
extensions = ["mdoc2rst.sphinx"]
exclude_patterns = ["_build"]
nitpicky = True
# The fixtures' deliberate errors (a cell past the layout, a table with no
# data), that mandoc reports too: suppressed by name, as users do.
suppress_warnings = ["mdoc.tbldata_extra", "mdoc.tbldata_none"]
"""

INDEX = """\
Tables
======

.. toctree::
   :glob:

   man7/*
"""

INTRO = """\
.Dd May 1, 2024
.Dt INTRO 7
.Os
.Sh NAME
.Nm intro
.Nd the page the fixtures refer to
"""


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    srcdir = tmp_path_factory.mktemp("sphinx-tbl") / "project"
    (srcdir / "man7").mkdir(parents=True)
    for page in PAGES:
        shutil.copy(page, srcdir / "man7" / f"{page.stem}.7")
    (srcdir / "man7" / "intro.7").write_text(INTRO, encoding="utf-8")
    (srcdir / "conf.py").write_text(CONF, encoding="utf-8")
    (srcdir / "index.rst").write_text(INDEX, encoding="utf-8")
    app, warnings = build(srcdir, strict=True)
    assert warnings == ""
    assert app.statuscode == 0
    yield srcdir / "_build" / "html"


@pytest.mark.parametrize("page", TABLE_PAGES, ids=lambda p: p.name)
def test_page_builds_with_its_tables(site: Path, page: Path) -> None:
    html = (site / "man7" / f"{page.stem}.html").read_text(encoding="utf-8")
    assert html.count("<table") >= 3
    text = _text(html)
    # Each table where it stands: between the text before and after it.
    before = text.index("A table after a paragraph")
    assert before < text.index("Text after the table.")
    assert text.index("An item with a table") < text.index("and text after it.")


def test_cells_keep_fonts_and_links(site: Path) -> None:
    html = (site / "man7" / "man-tables.html").read_text(encoding="utf-8")
    assert "<strong>-x</strong>" in html
    assert 'href="intro.html' in html
    mdoc = (site / "man7" / "mdoc-tables.html").read_text(encoding="utf-8")
    assert "<strong>first</strong>" in mdoc
    # Too wide for a grid: the table as text.
    assert re.search(r"<pre>.*a{68}.*b{74}", mdoc)


def test_there_are_pages_of_both_kinds() -> None:
    assert len(TABLE_PAGES) == 2
    assert len(EQUATION_PAGES) == 2


@pytest.mark.parametrize("page", EQUATION_PAGES, ids=lambda p: p.name)
def test_equations_are_math(site: Path, page: Path) -> None:
    html = (site / "man7" / f"{page.stem}.html").read_text(encoding="utf-8")
    blocks = re.findall(r'<div class="math[^"]*">', html)
    inline = re.findall(r'<span class="math[^"]*">', html)
    assert len(blocks) >= 2
    assert len(inline) >= 2
    text = _text(html)
    # In-line equations stay inside their sentence.
    assert re.search(r"the sum \\\(.*\\\) is|In-line \\\(.*\\\) and", text)


def test_equations_text_where_latex_cannot_go(site: Path) -> None:
    html = (site / "man7" / "man-equations.html").read_text(encoding="utf-8")
    text = _text(html)
    assert "Text with a backtick: ` here." in text
    # No-fill text is a literal block: the equation is its text there.
    assert re.search(r"no fill\s+y = x", text)
