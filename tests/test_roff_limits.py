"""The roff layer is bounded like mandoc and reports like mandoc.

Numbers are C ints that wrap around at 32 bits; every construct that can
repeat or grow (macros calling macros, loops in loops, strings naming
strings, files including files) is bounded per line and per page; ``.so``
reads only regular files of bounded size; end-of-input messages name the
line that opened the block; a UTF-16 page is read as such.  Each case ends
within DEADLINE seconds with a diagnostic, never an exception.  The inputs
are generated here: most are too large to store (see tests/hostile for the
small ones).
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from mutate import deadline

from mdoc2rst import parse, parse_file
from mdoc2rst.mdoc.parser import MdocParser
from mdoc2rst.reader import _read_so
from mdoc2rst.roff.layer import Roff
from mdoc2rst.tree.diagnostics import Reporter
from mdoc2rst.tree.dump import dump
from mdoc2rst.tree.nodes import ROOT, Document, Node
from mdoc2rst.writers.rst import RstOptions, write

HEADER = ".Dd May 1, 2020\n.Dt T 1\n.Os\n.Sh NAME\n.Nm t\n.Nd t\n.Sh DESCRIPTION\n"
# Each case takes well under a second here; the bound is 5 s, doubled for
# slow machines.  A hang fails instead of blocking the run.
DEADLINE = 10


def run(body: str, name: str = "limits.1") -> Document:
    """Parse a page and write it, within the deadline."""
    with deadline(DEADLINE):
        doc = parse(HEADER + body, name)
        write(doc, RstOptions(flavor="docutils"))
    return doc


def kinds(doc: Document) -> list[str]:
    return [d.kind for d in doc.diagnostics]


def texts(doc: Document) -> list[str]:
    return [n.string for n in doc.root.walk() if n.type.value == "text"]


# -- arithmetic ----------------------------------------------------------------

# Each sets register r (from 0: a leading sign subtracts or adds) and prints
# it; the value is what mandoc 1.14.6 prints, but for the last two, which it
# cannot compute.
ARITHMETIC = {
    "digits": ("99999999999999999999999999", "-469762049"),
    "int-max-plus-one": ("2147483647+1", "-2147483648"),
    "int-min": ("-2147483648", "-2147483648"),
    "exponent": ("1e999", "1"),
    "fraction": ("3.7", "3"),
    "inches": ("100000i", "24000000"),
    "inches-wrap": ("10000000i", "-1894967296"),
    "centimetres": ("9999999c", "-746050211"),
    "fontsize-wrap": ("9999999999f", "-469827584"),
    "points": ("10p", "33"),
    "negative-points": ("-10p", "-33"),
    "millimetres": ("10M", "2"),
    "product-wrap": ("65536*65536", "0"),
    "double-wrap": ("2147483647*2", "-2"),
    "division-truncates": ("-7/2", "-3"),
    "remainder-sign": ("-7%2", "-1"),
    "divide-by-zero": ("1/0+3", "3"),
    "remainder-by-zero": ("5%0", "0"),
    "left-to-right": ("1+2*3", "9"),
    "parentheses": ("((2+3)*(4-1))", "15"),
    "minimum": ("3<?4", "3"),
    "maximum": ("3>?4", "4"),
    "or": ("0:-1", "1"),
    "and": ("1&-1", "1"),
    "lone-plus": ("+", "0"),
    "huge-quotient": ("9" * 5000 + "/7", "0"),
    "nested-parentheses": ("(" * 100 + "7" + ")" * 100, "7"),
    # mandoc cannot: a line this long exceeds its buffer; C recursion, ours not.
    "deep-parentheses": ("(" * 100_000 + "7" + ")" * 100_000, "7"),
    # mandoc dies of SIGFPE: INT_MIN / -1 traps on x86.
    "quotient-overflow": ("0-2147483647-1/-1", "-2147483648"),
}


@pytest.mark.parametrize("name", sorted(ARITHMETIC))
def test_arithmetic_is_mandocs(name: str) -> None:
    expr, value = ARITHMETIC[name]
    doc = run(f".nr r 0\n.nr r {expr}\n\\nr\n")
    assert texts(doc)[-1] == value


def test_overflow_and_division_by_zero_are_reported() -> None:
    doc = run(".nr a 99999999999999999999\n.nr b 2147483647\n.nr b +1\n.nr c 1/0\n.nr d 7\n")
    found = [(d.kind, d.line, d.column) for d in doc.diagnostics]
    assert found == [("NUM_WRAP", 8, 7), ("NUM_WRAP", 10, 7), ("DIVZERO", 11, 4)]
    assert doc.diagnostics[-1].message == "divide by zero: 1/0"  # as mandoc words it


def test_registers_step_like_mandoc() -> None:
    # \n+ adds the step .nr set (none: 0); a register read before it is set exists.
    doc = run(".nr s 5 3\n.nr t 7\n\\n+s \\n+t\n.if r u x\n\\nu\n.if r u y\n")
    assert texts(doc)[-3:] == ["8 7", "0", "y"]


def test_registers_growing_in_a_loop_wrap() -> None:
    doc = run(
        ".nr a 3\n"
        + ".nr a \\na*\\na\n" * 1000
        + ".nr x 1\n"
        + ".nr x +\\nx\n" * 1000
        + "\\na \\nx\n"
    )
    assert texts(doc)[-1] == "0 0"
    assert "NUM_WRAP" in kinds(doc)


@pytest.mark.parametrize(
    "escape", ["\\h'1e308m'", "\\l'1e308m'", "\\h'" + "9" * 400 + "'", "\\l'" + "9" * 400 + "u'"]
)
def test_widths_out_of_range_render(escape: str) -> None:
    # A width beyond a double's range saturates; the line drawn stays short.
    doc = run(f"a{escape}b\n")
    rst = write(doc, RstOptions(flavor="docutils"))
    assert max(len(line) for line in rst.splitlines()) < 3000


def test_width_and_numeric_test_escapes() -> None:
    doc = run("\\w'abc' \\w'\\(em\\fBx' \\B'1+2' \\B'1+' \\B'(1' \\B'" + "1+" * 100_000 + "1'\n")
    assert texts(doc)[-1] == "72 48 1 0 0 1"


# -- work that multiplies --------------------------------------------------------


def _fanout(levels: int, calls: int, leaf: str) -> str:
    """Macros M0..M{levels-1}, each calling the one below ``calls`` times."""
    page = f".de M0\n{leaf}\n..\n"
    for level in range(1, levels):
        page += f".de M{level}\n" + f".M{level - 1}\n" * calls + "..\n"
    return page


MULTIPLYING: dict[str, tuple[str, str]] = {
    # name: (page body, a diagnostic it must give)
    "fanout-text": (_fanout(10, 10, "leaf") + ".M9\n" * 1000, "TOOLARGE"),
    "fanout-requests": (_fanout(10, 10, ".nr x +1") + ".M9\n" * 1000, "TOOLARGE"),
    "fanout-long-lines": (_fanout(6, 10, "y" * 100_000) + ".M5\n" * 1000, "TOOLARGE"),
    "self-calls": (".de X\n.X\n.X\n..\n" + ".X\n" * 1000, "ROFFLOOP"),
    "nested-while": (".while 1 .while 1 .while 1 .nr i +1\n", "TOOLARGE"),
    "while-in-macros": (
        ".de A\n.while 1 .B\n..\n.de B\n.while 1 .C\n..\n.de C\n.while 1 .nr i +1\n..\n.A\n" * 20,
        "TOOLARGE",
    ),
    "string-doubling": (
        ".ds a \\\\fB\\\\fI\\\\fR\n" + ".ds a \\*a\\*a\n" * 40 + "\\*a\n" * 1000,
        "TOOLARGE",
    ),
    "string-recursion": (".ds a \\\\*a\n" + "\\*a\n" * 10_000, "ROFFLOOP"),
    "string-growing": (".ds a " + "x" * 30_000 + "\\\\*a\n" + "\\*a\n" * 1000, "TOOLARGE"),
    "macro-arguments": (
        ".de X\n" + "\\\\$*" * 900 + "\n..\n" + (".X " + "a " * 2000 + "\n") * 100,
        "TOOLARGE",
    ),
    "appends": (".as a xxxxxxxxxx\n" * 300_000 + ".am X\nxxxxxxxxxx\n..\n" * 100_000, "TOOLARGE"),
    "inline-conditionals": (".if 1 " * 100_000 + "x\n" + ".nop " * 100_000 + "x\n", "TOOLARGE"),
    "brace-scopes": (".if 1 \\{\\\n" * 50_000 + "x\n" + ".\\}\n" * 50_000, "TOOLARGE"),
}


@pytest.mark.parametrize("name", sorted(MULTIPLYING))
def test_multiplying_work_is_bounded(name: str) -> None:
    body, kind = MULTIPLYING[name]
    doc = run(body + "text after\n")
    assert kind in kinds(doc)
    assert dump(doc).startswith("title")


def test_a_loop_that_ends_runs_to_its_end() -> None:
    # Each round reads the line again, as in mandoc: the condition changes.
    doc = run(".nr c 11 1\n.de m\n\\\\n-[c]\n..\n.while \\n[c] .m\n")
    assert texts(doc)[-11:] == [str(n) for n in range(10, -1, -1)]
    assert "ROFFLOOP" not in kinds(doc)


LONG_LINES = {
    "font-escapes": "a" + "\\fB\\fI\\fR" * 100_000 + "\n",
    "font-escapes-in-macro": ".Em " + "\\fB\\fI\\fR" * 100_000 + "\n",
    "E-escapes": "\\Ee" * 100_000 + "\n",
    "backslashes": "\\" * 300_001 + "\n",
    "continued-lines": "ab\\\n" * 300_000 + "x\n",
    "user-macro-arguments": ".de X\n\\\\$1\n..\n.X" + ' "a b" c\\ d' * 100_000 + "\n",
    "request-arguments": ".nr x" + " 1" * 100_000 + "\n.tr" + " ab" * 100_000 + "\n",
    "string-references": ".ds s y\n" + "\\*s" * 100_000 + "\n",
}


@pytest.mark.parametrize("name", sorted(LONG_LINES))
def test_long_lines_take_linear_time(name: str) -> None:
    # Measured when written: ten times the input took about ten times as
    # long.  Here the deadline only catches a quadratic step coming back.
    doc = run(LONG_LINES[name])
    assert dump(doc).startswith("title")


# -- .so -------------------------------------------------------------------------


def _page(folder: Path, body: str) -> Path:
    page = folder / "page.1"
    page.write_text(HEADER + body + "text after\n")
    return page


def _lint(page: Path, **options: Path) -> list[str]:
    with deadline(DEADLINE):
        doc = parse_file(page, **options)
    assert "text after" in texts(doc)
    prefix = str(page.parent) + "/"
    return [str(d).replace(prefix, "") for d in doc.diagnostics if d.kind != "SO"]


def test_so_refuses_special_files(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")  # opening it for reading would wait for a writer
    (tmp_path / "folder").mkdir()
    (tmp_path / "zero").symlink_to("/dev/zero")
    (tmp_path / "proc").symlink_to("/proc/self/environ")
    page = _page(tmp_path, ".so fifo\n.so folder\n.so zero\n.so proc\n")
    assert _lint(page) == [
        "page.1:8:5: ERROR: .so request failed: .so fifo: not a regular file",
        "page.1:9:5: ERROR: .so request failed: .so folder: not a regular file",
        "page.1:10:5: ERROR: .so request failed: .so zero: outside the folders .so may read",
        "page.1:11:5: ERROR: .so request failed: .so proc: outside the folders .so may read",
        # In place of each file, mandoc reads "See the file NAME." between
        # two .sp: the first .sp comes right after the section heading.
        "page.1:8:2: WARNING: skipping paragraph macro: sp after Sh",
    ]


def test_so_refuses_huge_files_unread(tmp_path: Path) -> None:
    with open(tmp_path / "sparse.inc", "wb") as f:
        f.truncate(3 << 30)  # sparse: three gigabytes that take no room
    page = _page(tmp_path, ".so sparse.inc\n")
    assert _lint(page) == [
        "page.1:8:5: UNSUPP: input too large: .so sparse.inc: "
        "file of 3221225472 bytes, over 67108864",
    ]


def test_so_survives_impossible_names(tmp_path: Path) -> None:
    page = _page(tmp_path, f".so {'x' * 5000}\n.so {'d/' * 3000}x\n")
    failed = [line.rsplit(": ", 1)[1] for line in _lint(page) if "request failed" in line]
    assert failed == ["File name too long"] * 2
    # A NUL cannot come from a page (it becomes "?"), but the lookup survives it.
    report = Reporter("page.1")
    roff = Roff(
        MdocParser(report, Node(ROOT, "root", 0, 0), lambda name: 0), report, page, _read_so
    )
    assert roff._so_target(Path("a\x00b"))[0] is None


def test_so_read_checks_what_it_opened(tmp_path: Path) -> None:
    report = Reporter("x")
    (tmp_path / "folder").mkdir()
    with pytest.raises(OSError, match="not a regular file"):
        _read_so(tmp_path / "folder", report)
    (tmp_path / "big").write_bytes(b"x" * ((1 << 26) + 1))
    with pytest.raises(OSError, match="over 67108864"):
        _read_so(tmp_path / "big", report)


def test_so_include_loops_and_bombs(tmp_path: Path) -> None:
    (tmp_path / "a.inc").write_text("from a\n.so b.inc\n")
    (tmp_path / "b.inc").write_text("from b\n.so a.inc\n")
    # One file reading another a thousand times, which reads a third a
    # thousand times: a million inclusions.
    (tmp_path / "bomb1.inc").write_text(".so bomb2.inc\n" * 1000)
    (tmp_path / "bomb2.inc").write_text(".so bomb3.inc\n" * 1000)
    (tmp_path / "bomb3.inc").write_text("leaf\n")
    page = _page(tmp_path, ".so a.inc\n.so bomb1.inc\n.so bomb3.inc\n")
    found = _lint(page)
    assert found == [
        "b.inc:2:2: ERROR: input stack limit exceeded, infinite loop?",
        "bomb2.inc:997:5: UNSUPP: input too large: .so bomb3.inc: over 1000 files read with .so",
        "page.1:10:5: ERROR: .so request failed: .so bomb3.inc: too many files read with .so",
    ]


def test_so_decoding_is_reported_against_the_file(tmp_path: Path) -> None:
    (tmp_path / "latin.inc").write_bytes(b"caf\xe9\n")
    page = _page(tmp_path, ".so latin.inc\n")
    assert _lint(page) == ["latin.inc:1:4: WARNING: invalid UTF-8, reading the file as ISO-8859-1"]


# -- end of input ----------------------------------------------------------------

# Where mandoc 1.14.6 reports a block left open at the end: the line and column
# of the request that opened it (the innermost one only).
END_OF_INPUT = {
    "de": (".de X\nbody\n", "8:2: ERROR: appending missing end of block: de"),
    "am": (".am X\nbody\n", "8:2: ERROR: appending missing end of block: am"),
    "de-blanks": (".  de X\nbody\n", "8:4: ERROR: appending missing end of block: de"),
    "ig": (".ig\nbody\n", "8:2: ERROR: appending missing end of block: ig"),
    "if-brace": (".if 1 \\{\\\nbody\nmore\n", "9:2: ERROR: appending missing end of block: if"),
    "if-next-line": ("text\n.ie 1\n", "9:2: ERROR: appending missing end of block: ie"),
    "if-inner": (".if 1 \\{ x\n.if 0 \\{ y\n", "9:1: ERROR: appending missing end of block: if"),
    "de-in-if": (".if 1 .de X\nbody\n", "8:7: ERROR: appending missing end of block: de"),
    "de-after-if": (".if 1\n.de X\nbody\n", "9:1: ERROR: appending missing end of block: de"),
    "de-in-false-if": (
        ".if 0 \\{\\\n.de X\nbody\n",
        "9:2: ERROR: appending missing end of block: if",
    ),
}


@pytest.mark.parametrize("name", sorted(END_OF_INPUT))
def test_end_of_input_names_the_opening_line(name: str) -> None:
    body, expected = END_OF_INPUT[name]
    doc = run(body, "eof.1")
    found = [str(d) for d in doc.diagnostics if d.kind == "BLK_NOEND"]
    assert found == [f"eof.1:{expected}"]
    assert all(d.line > 0 for d in doc.diagnostics)


def test_no_block_is_left_open_by_a_false_conditional() -> None:
    doc = run(".if 0 .de X\nbody\n")
    assert "BLK_NOEND" not in kinds(doc)


# -- encodings -------------------------------------------------------------------

BOMS: dict[str, tuple[str, Callable[[str], bytes]]] = {
    "UTF-16LE": ("utf-16-le", lambda s: codecs.BOM_UTF16_LE + s.encode("utf-16-le")),
    "UTF-16BE": ("utf-16-be", lambda s: codecs.BOM_UTF16_BE + s.encode("utf-16-be")),
    "UTF-32LE": ("utf-32-le", lambda s: codecs.BOM_UTF32_LE + s.encode("utf-32-le")),
    "UTF-32BE": ("utf-32-be", lambda s: codecs.BOM_UTF32_BE + s.encode("utf-32-be")),
}


@pytest.mark.parametrize("label", sorted(BOMS))
def test_a_page_with_a_byte_order_mark_is_decoded(label: str) -> None:
    data = BOMS[label][1](HEADER + "caf\u00e9 \u2014 text\n")
    doc = parse(data, "wide.1")
    assert [str(d) for d in doc.diagnostics] == [
        f"wide.1:1:1: WARNING: byte-order mark found, reading the file as: {label}"
    ]
    assert doc.meta.title == "T"
    assert texts(doc)[-1] == "caf\\[u00E9] \\[u2014] text"


def test_a_truncated_utf16_page_is_still_read() -> None:
    data = BOMS["UTF-16LE"][1](HEADER + "text\n")[:-1]
    doc = parse(data, "cut.1")
    assert kinds(doc)[0] == "ENCODING_UTF16"
    assert doc.meta.title == "T"
