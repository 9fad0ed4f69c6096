"""The reST of tbl(7) tables: grid tables docutils reads back, else text.

Each case is a small man(7) page with one table; its rows are written with
:func:`mdoc2rst.writers.tbl.write_table`, and the reST is read back with
docutils: a grid table must come back with the cells, spans and header
the table has, a literal block with every cell's text.
"""

from __future__ import annotations

import docutils.core
import docutils.nodes
import pytest

from mdoc2rst import parse
from mdoc2rst.tbl.model import Span
from mdoc2rst.tree.nodes import TBL, Node
from mdoc2rst.writers.tbl import TableOptions, table_at, width, write_table

HEADER = ".TH T 1 2020-05-01\n.SH DESCRIPTION\n"


def tables(body: str) -> list[list[Span]]:
    doc = parse(HEADER + body, "t.1")
    found: list[list[Span]] = []
    for n in doc.root.walk():
        parent = n.parent
        if n.type is TBL and parent is not None and (n.index() == 0 or not _same(n)):
            found.append(table_at(parent.children, n.index())[0])
    return found


def _same(n: Node) -> bool:
    prev = n.prev
    return (
        prev is not None
        and prev.span is not None
        and n.span is not None
        and prev.span.opts is n.span.opts
    )


def rst_of(body: str, options: TableOptions | None = None) -> list[str]:
    (spans,) = tables(body)
    return write_table(spans, options)


def read_back(lines: list[str]) -> docutils.nodes.document:
    doc: docutils.nodes.document = docutils.core.publish_doctree(
        "\n".join(lines) + "\n", settings_overrides={"report_level": 5, "halt_level": 5}
    )
    messages = [m for m in doc.findall(docutils.nodes.system_message) if m["level"] >= 2]
    assert not messages, "\n".join(lines)
    return doc


def grid(lines: list[str]) -> list[list[tuple[str, int, int]]]:
    """The rows of the one table in the reST: (text, morecols, morerows) each."""
    doc = read_back(lines)
    (table,) = list(doc.findall(docutils.nodes.table))
    return [
        [
            (e.astext(), e.get("morecols", 0), e.get("morerows", 0))
            for e in row.children
            if isinstance(e, docutils.nodes.Element)
        ]
        for row in table.findall(docutils.nodes.row)
    ]


def test_plain_table() -> None:
    lines = rst_of(".TS\nl l.\na\tb\nc\td\n.TE\n")
    assert lines[0].startswith("+")
    assert grid(lines) == [[("a", 0, 0), ("b", 0, 0)], [("c", 0, 0), ("d", 0, 0)]]


def test_first_row_before_a_line_is_the_header() -> None:
    lines = rst_of(".TS\nl l.\nName\tValue\n_\nx\t1\n.TE\n")
    doc = read_back(lines)
    (thead,) = list(doc.findall(docutils.nodes.thead))
    assert thead.astext().split() == ["Name", "Value"]


def test_horizontal_span() -> None:
    lines = rst_of(".TS\nc s\nl l.\nboth columns\nx\ty\n.TE\n")
    assert grid(lines) == [[("both columns", 1, 0)], [("x", 0, 0), ("y", 0, 0)]]


def test_vertical_span() -> None:
    rows = grid(rst_of(".TS\nl l\n^ l.\ntall\tone\n\ttwo\n.TE\n"))
    assert rows == [[("tall", 0, 1), ("one", 0, 0)], [("two", 0, 0)]]


def test_vertical_span_by_data() -> None:
    rows = grid(rst_of(".TS\nl l.\ntall\tone\n\\^\ttwo\n.TE\n"))
    assert rows == [[("tall", 0, 1), ("one", 0, 0)], [("two", 0, 0)]]


def test_text_block_wraps_and_reads_back_whole() -> None:
    words = " ".join(f"word{i}" for i in range(30))
    lines = rst_of(f".TS\nl l.\nkey\tT{{\n{words}\nT}}\n.TE\n")
    assert max(map(len, lines)) < 60
    rows = grid(lines)
    assert [[" ".join(text.split()) for text, _, _ in row] for row in rows] == [["key", words]]


def test_markup_characters_stay_text() -> None:
    rows = grid(rst_of(".TS\nl l.\n*not* `code`\t- not a list\n|x|\t1. no\n.TE\n"))
    assert rows == [
        [("*not* `code`", 0, 0), ("- not a list", 0, 0)],
        [("|x|", 0, 0), ("1. no", 0, 0)],
    ]


def test_escapes_are_rendered() -> None:
    rows = grid(rst_of(".TS\nl l.\n\\fBbold\\fR\t\\(em\n.TE\n"))
    assert rows == [[("bold", 0, 0), ("\u2014", 0, 0)]]


def test_wide_characters() -> None:
    rows = grid(rst_of(".TS\nl l.\n\u65e5\u672c\u8a9e\tx\n.TE\n"))
    assert rows == [[("\u65e5\u672c\u8a9e", 0, 0), ("x", 0, 0)]]
    assert width("\u65e5\u672c") == 4


#: A \\^ in the second column continues the first cell at or right of it
#: in the row above (mandoc's tbl_data.c), here one in the third column,
#: whose span then covers the y below it.
HIDING = ".TS\nl s l\nl l l.\na\tb\nx\t\\^\ty\n.TE\n"


def test_a_span_hiding_text_gives_text_with_every_cell() -> None:
    lines = rst_of(HIDING)
    assert lines[:2] == ["::", ""]
    doc = read_back(lines)
    (block,) = list(doc.findall(docutils.nodes.literal_block))
    assert block.astext().split() == ["a", "b", "x", "y"]


def test_text_in_a_down_cell_is_dropped_as_mandoc_drops_it() -> None:
    rows = grid(rst_of(".TS\nl l\nl ^\nl l.\na\tb\nc\tstray\nd\te\n.TE\n"))
    assert rows == [[("a", 0, 0), ("b", 0, 1)], [("c", 0, 0)], [("d", 0, 0), ("e", 0, 0)]]


def test_too_wide_becomes_text() -> None:
    lines = rst_of(".TS\nl l.\n" + "x" * 200 + "\ty\n.TE\n", TableOptions(max_width=80))
    assert lines[:2] == ["::", ""]
    assert "x" * 200 in read_back(lines).astext()


def test_bars_in_a_spanning_cell_become_text() -> None:
    lines = rst_of(".TS\nl s\nl l.\na | b\nc\td\n.TE\n")
    assert lines[:2] == ["::", ""]
    assert "a | b" in read_back(lines).astext()


def test_boxed_text_has_borders_and_lines() -> None:
    lines = rst_of(HIDING.replace(".TS\n", ".TS\nbox;\n").replace(".TE", "_\nx\ty\tz\n.TE"))
    body = [line.strip() for line in lines[2:]]
    assert body[0].startswith("+-") and body[-1].startswith("+-")
    assert any(line.startswith("| x") for line in body)


def test_rules_and_empty_rows_do_not_make_rows() -> None:
    rows = grid(rst_of(".TS\n_\nl l.\na\tb\n=\nc\td\n_\n.TE\n"))
    assert [[cell[0] for cell in row] for row in rows] == [["a", "b"], ["c", "d"]]


def test_a_table_without_cells_writes_nothing() -> None:
    assert tables(".TS\nl.\n_\n.TE\n") == [[]] or all(
        write_table(t) == [] for t in tables(".TS\nl.\n_\n.TE\n")
    )


def test_table_at_takes_one_table() -> None:
    found = tables(".TS\nl.\na\nb\n.TE\n.TS\nl.\nc\n.TE\n")
    assert [len(t) for t in found] == [2, 1]


@pytest.mark.parametrize(
    "body",
    [
        ".TS\nl l l\n^ s l\nl ^ ^.\na\tb\tc\nd\te\tf\ng\th\ti\n.TE\n",
        ".TS\nallbox;\nc s s\nl l l.\ntitle\nT{\na long block of text\nT}\tx\ty\n.TE\n",
        ".TS\nl l.\n\\^\ta\n\\^\t\\^\n.TE\n",
    ],
)
def test_tables_read_back(body: str) -> None:
    for spans in tables(body):
        read_back(write_table(spans))
