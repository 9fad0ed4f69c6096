"""``.ce N`` and ``.rj N``: the next N text lines, as mandoc reads and prints them.

mandoc (roff.c: roff_onearg, roff_parsetext) makes the request an element
whose children are its line count (``1``, NOSRC, when none is given) and
the text lines it takes; a macro of the page's language, ``.Dd``, ``.TH``,
``.EQ`` or ``.TS`` ends it early, a second ``.ce`` replaces it, and roff
requests and empty lines do not count.  Its HTML output puts each of those
lines on a line of its own; the reST writers do the same with a line block.
The fixture pages beside the writers' goldens cover each of these cases in
both languages, and are compared here with mandoc's tree, lint and text.
"""

from __future__ import annotations

from pathlib import Path

import oracle
import pytest
from rst_check import fidelity, mandoc_words

from mdoc2rst import parse
from mdoc2rst.tree.dump import dump
from mdoc2rst.tree.nodes import TEXT, Node

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = [FIXTURES / "rst" / "centered.mdoc", FIXTURES / "rst_man" / "centered.man"]


def _regress() -> list[Path]:
    folder = oracle.REGRESS / "roff" / "ce"
    return sorted(folder.glob("*.in")) if folder.is_dir() else []


@pytest.mark.parametrize("page", [*PAGES, *_regress()], ids=lambda p: p.name)
def test_tree_and_lint_are_mandocs(page: Path) -> None:
    text = oracle.read_page(page)
    doc = parse(text, page.name)
    assert dump(doc) == oracle.mandoc_tree(text, page.name)
    assert sorted(map(oracle.mandoc_style, doc.diagnostics)) == sorted(
        oracle.mandoc_lint(text, page.name)
    )


def _centered(node: Node) -> list[Node]:
    found = [node] if node.tok in ("ce", "rj") and node.type is not TEXT else []
    for child in node.children:
        found += _centered(child)
    return found


def test_the_lines_are_the_requests_children() -> None:
    doc = parse(PAGES[0].read_text(), PAGES[0].name)
    lines = [[c.string for c in n.children] for n in _centered(doc.root)]
    assert lines[:4] == [["2", "one", "two"], ["x", "four", ""], ["0"], ["-1"]]


@pytest.mark.parametrize("page", [*PAGES, *_regress()], ids=lambda p: p.name)
def test_every_word_is_written_in_mandocs_order(page: Path) -> None:
    oracle.require_tool("mandoc")
    if not mandoc_words(page):
        pytest.skip("mandoc prints nothing for this page")
    ratio = fidelity(page)
    print(f"{page.name}: {ratio:.4f}")
    assert ratio >= 0.97
