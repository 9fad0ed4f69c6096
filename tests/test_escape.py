"""Tests of mdoc2rst.roff.escape: escape classification and UTF-8 rendering.

The expected values were checked against ``mandoc -T utf8`` (mandoc 1.14.6);
``test_render_matches_mandoc`` repeats that check whenever mandoc is installed.
"""

from __future__ import annotations

import re
import subprocess

import pytest
from hypothesis import given
from hypothesis import strategies as st
from oracle import require_tool

from mdoc2rst.roff.escape import Esc, Escape, Run, render, runs, scan_escape, strip_escapes

# source, kind, end, arg; the escape always starts at index 0.
SCAN_CASES: list[tuple[str, Esc, int, str]] = [
    # Special characters in their three forms.
    (r"\(em", Esc.SPECIAL, 4, "em"),
    (r"\[em]", Esc.SPECIAL, 5, "em"),
    (r"\C'em'", Esc.SPECIAL, 6, "em"),
    (r"\[lq]x", Esc.SPECIAL, 5, "lq"),
    (r"\(xy", Esc.SPECIAL, 4, "xy"),  # unknown names are still SPECIAL
    (r"\[-]", Esc.SPECIAL, 4, "-"),
    (r"\[e]", Esc.ERROR, 4, "e"),  # only \[-] may bracket a one-letter name
    (r"\[\(em]", Esc.SPECIAL, 7, r"\(em"),
    (r"\E(em", Esc.SPECIAL, 5, "em"),
    # One-character specials and undefined escapes.
    (r"\-", Esc.SPECIAL, 2, "-"),
    (r"\e", Esc.SPECIAL, 2, "e"),
    ("\\ ", Esc.SPECIAL, 2, " "),
    (r"\~", Esc.SPECIAL, 2, "~"),
    (r"\0", Esc.SPECIAL, 2, "0"),
    (r"\'", Esc.SPECIAL, 2, "'"),
    (r"\`", Esc.SPECIAL, 2, "`"),
    (r"\.", Esc.SPECIAL, 2, "."),
    (r"\:", Esc.SPECIAL, 2, ":"),
    (r"\q", Esc.UNDEF, 2, "q"),
    (r"\\", Esc.UNDEF, 2, "\\"),
    # Unicode and numbered characters.
    (r"\[u2014]", Esc.UNICODE, 8, "u2014"),
    (r"\[u1F600]", Esc.UNICODE, 9, "u1F600"),
    (r"\[u10FFFF]", Esc.UNICODE, 10, "u10FFFF"),
    (r"\[u110000]", Esc.SPECIAL, 10, "u110000"),
    (r"\[uD800]", Esc.SPECIAL, 8, "uD800"),
    (r"\[ud800]", Esc.UNICODE, 8, "ud800"),  # mandoc checks upper case only
    (r"\[u41]", Esc.SPECIAL, 6, "u41"),
    (r"\[u00041]", Esc.SPECIAL, 9, "u00041"),
    (r"\[u0041_0301]", Esc.SPECIAL, 13, "u0041_0301"),
    (r"\[char65]", Esc.NUMBERED, 9, "65"),
    (r"\[char127]", Esc.SPECIAL, 10, "char127"),
    (r"\N'65'", Esc.NUMBERED, 6, "65"),
    (r"\N'65x", Esc.NUMBERED, 6, "65"),
    (r"\N'abc'", Esc.NUMBERED, 4, ""),
    (r"\N5", Esc.IGNORE, 3, "5"),
    # Fonts.
    (r"\fB", Esc.FONTBOLD, 3, "B"),
    (r"\fI", Esc.FONTITALIC, 3, "I"),
    (r"\fR", Esc.FONTROMAN, 3, "R"),
    (r"\fP", Esc.FONTPREV, 3, "P"),
    (r"\f1", Esc.FONTROMAN, 3, "1"),
    (r"\f2", Esc.FONTITALIC, 3, "2"),
    (r"\f3", Esc.FONTBOLD, 3, "3"),
    (r"\f4", Esc.FONTBI, 3, "4"),
    (r"\f(BI", Esc.FONTBI, 5, "BI"),
    (r"\f(CW", Esc.FONTCR, 5, "CW"),
    (r"\f[CR]", Esc.FONTCR, 6, "CR"),
    (r"\f[CB]", Esc.FONTCB, 6, "CB"),
    (r"\f[CI]", Esc.FONTCI, 6, "CI"),
    (r"\f[]", Esc.FONTPREV, 4, ""),
    (r"\fX", Esc.ERROR, 3, "X"),
    (r"\f[BX]", Esc.ERROR, 6, "BX"),
    # Escapes without arguments.
    (r"\&", Esc.IGNORE, 2, ""),
    (r"\|", Esc.IGNORE, 2, ""),
    (r"\^", Esc.IGNORE, 2, ""),
    (r"\%", Esc.IGNORE, 2, ""),
    (r"\{", Esc.IGNORE, 2, ""),
    (r"\}", Esc.IGNORE, 2, ""),
    (r"\)", Esc.IGNORE, 2, ""),
    (r"\/", Esc.IGNORE, 2, ""),
    (r"\,", Esc.IGNORE, 2, ""),
    (r"\a", Esc.IGNORE, 2, ""),
    (r"\d", Esc.IGNORE, 2, ""),
    (r"\u", Esc.IGNORE, 2, ""),
    (r"\r", Esc.IGNORE, 2, ""),
    (r"\t", Esc.IGNORE, 2, ""),
    (r"\c", Esc.NOSPACE, 2, ""),
    (r"\p", Esc.BREAK, 2, ""),
    (r"\z", Esc.SKIPCHAR, 2, ""),
    (r"\!", Esc.UNSUPP, 2, ""),
    (r"\?", Esc.UNSUPP, 2, ""),
    # Opaque \Xc, \X(cc, \X[name] escapes.
    (r"\*(.T", Esc.DEVICE, 5, ".T"),
    (r"\*[.T]", Esc.DEVICE, 6, ".T"),
    (r"\kx", Esc.IGNORE, 3, "x"),
    (r"\m(ab", Esc.IGNORE, 5, "ab"),
    (r"\M[red]", Esc.IGNORE, 7, "red"),
    (r"\n(xy", Esc.IGNORE, 5, "xy"),
    (r"\Fx", Esc.IGNORE, 3, "x"),
    (r"\gx", Esc.IGNORE, 3, "x"),
    (r"\Vx", Esc.IGNORE, 3, "x"),
    (r"\Yx", Esc.IGNORE, 3, "x"),
    (r"\O1", Esc.IGNORE, 3, "1"),
    (r"\O0", Esc.UNSUPP, 3, "0"),
    (r"\O5", Esc.ERROR, 3, "5"),
    (r"\O[5x]", Esc.UNSUPP, 6, "5x"),
    (r"\O[6]", Esc.ERROR, 5, "6"),
    (r"\O(12", Esc.ERROR, 5, "12"),
    # Quoted arguments with any delimiter.
    (r"\D'l 1 2'", Esc.IGNORE, 9, "l 1 2"),
    (r"\X'tty: link'", Esc.IGNORE, 13, "tty: link"),
    (r"\Z|xx|", Esc.IGNORE, 6, "xx"),
    (r"\o'xy'", Esc.OVERSTRIKE, 6, "xy"),
    (r"\X'\(em'", Esc.IGNORE, 8, r"\(em"),
    (r"\X'\[ x'", Esc.ERROR, 6, ""),  # an invalid nested escape spoils the argument
    # Numeric arguments.
    (r"\h'3n'", Esc.HORIZ, 6, "3n"),
    (r"\l'3n\(em'", Esc.HLINE, 10, r"3n\(em"),
    (r"\v'1'", Esc.IGNORE, 5, "1"),
    (r"\L'1'", Esc.IGNORE, 5, "1"),
    (r"\h1", Esc.ERROR, 3, ""),  # digits cannot delimit
    ("\\h ", Esc.ERROR, 3, ""),
    # Sizes.
    (r"\s0", Esc.IGNORE, 3, "0"),
    (r"\s12", Esc.IGNORE, 4, "12"),
    (r"\s36", Esc.IGNORE, 4, "36"),
    (r"\s40", Esc.IGNORE, 3, "4"),
    (r"\s+12", Esc.IGNORE, 4, "1"),  # no two-digit size after a sign
    (r"\s-2", Esc.IGNORE, 4, "2"),
    (r"\s(12", Esc.IGNORE, 5, "12"),
    (r"\s+(12", Esc.IGNORE, 6, "12"),
    (r"\s'12'", Esc.IGNORE, 6, "12"),
    (r"\s[+2]", Esc.IGNORE, 6, "+2"),
    # Malformed and truncated escapes.
    ("\\", Esc.ERROR, 1, ""),
    (r"\E", Esc.ERROR, 2, ""),
    (r"\(", Esc.ERROR, 2, ""),
    (r"\(e", Esc.ERROR, 2, ""),  # mandoc resumes after "\(" and prints the "e"
    (r"\f(B", Esc.ERROR, 3, ""),
    (r"\f", Esc.ERROR, 2, ""),
    (r"\[unterminated", Esc.ERROR, 14, ""),
    (r"\[ x]", Esc.ERROR, 3, ""),
    (r"\Cx", Esc.ERROR, 2, ""),
    (r"\C", Esc.ERROR, 2, ""),
    (r"\N", Esc.ERROR, 2, ""),
    (r"\N'", Esc.NUMBERED, 3, ""),
    (r"\o", Esc.ERROR, 2, ""),
    (r"\h'", Esc.ERROR, 3, ""),
    (r"\s", Esc.ERROR, 2, ""),
    (r"\s+", Esc.ERROR, 3, ""),
    (r"\s(1", Esc.ERROR, 3, ""),
    (r"\*(", Esc.ERROR, 3, ""),
]


@pytest.mark.parametrize(("source", "kind", "end", "arg"), SCAN_CASES)
def test_scan_escape(source: str, kind: Esc, end: int, arg: str) -> None:
    assert scan_escape(source, 0) == Escape(kind, 0, end, arg)


def test_scan_escape_offsets_are_absolute() -> None:
    s = r"foo\fBbar\(emx"
    assert scan_escape(s, 3) == Escape(Esc.FONTBOLD, 3, 6, "B")
    assert scan_escape(s, 9) == Escape(Esc.SPECIAL, 9, 13, "em")


# source, rendered text (each checked with mandoc -T utf8).
RENDER_CASES: list[tuple[str, str]] = [
    ("plain text", "plain text"),
    ("", ""),
    (r"a\(emb", "a\u2014b"),
    (r"a\[em]b", "a\u2014b"),
    (r"a\C'em'b", "a\u2014b"),
    (r"a\(aqb", "a'b"),
    (r"\[lq]x\[rq]", "\u201cx\u201d"),
    (r"a\-b", "a-b"),  # mandoc prints U+002D, not U+2212
    (r"a\[-]b", "a-b"),
    ("a\\ b", "a\u00a0b"),  # mandoc -T utf8 does print NO-BREAK SPACE
    (r"a\~b", "a\u00a0b"),
    (r"a\0b", "a\u00a0b"),
    (r"a\eb", "a\\b"),
    (r"a\\b", "a\\b"),
    (r"a\'b", "a\u00b4b"),
    (r"a\`b", "a`b"),
    (r"a\.b", "a.b"),
    (r"a\_b", "a_b"),
    (r"a\&b\|c\^d\%e\:f\{g\}h", "abcdefgh"),
    (r"a\cb", "ab"),
    (r"a\/b\,c\)d", "abcd"),
    (r"a\qb", "aqb"),  # undefined escapes print the character
    (r"a\Eeb", "a\\b"),
    (r"a\[u00e9]b", "a\u00e9b"),
    (r"a\[u00E9]b", "a\u00e9b"),
    (r"a\[u1F600]b", "a\U0001f600b"),
    (r"a\[u10FFFF]b", "a\U0010ffffb"),
    (r"a\[u0001]b", "a\ufffdb"),
    (r"a\[u007F]b", "a\ufffdb"),
    (r"a\[u110000]b", "ab"),
    (r"a\[uD800]b", "ab"),
    (r"a\[ud800]b", "ab"),
    (r"a\[u41]b", "ab"),
    (r"a\[u0041_0301]b", "ab"),  # mandoc 1.14.6 rejects composed sequences
    (r"a\[char65]b", "aAb"),
    (r"a\[char065]b", "aAb"),
    (r"a\[char127]b", "ab"),
    (r"a\N'65'b", "aAb"),
    (r"a\N'0041'b", "a)b"),  # decimal, not hexadecimal
    (r"a\N'160'b", "a\u00a0b"),
    (r"a\N'1'b", "a\ufffdb"),
    (r"a\N'300'b", "ab"),
    (r"a\N'abc'b", "abc'b"),  # mandoc skips only the quote and one character
    (r"a\N5b", "ab"),
    (r"a\(xyb", "ab"),
    (r"a\[xyz]b", "ab"),
    (r"a\[e]b", "ab"),
    (r"a\fBb\fIc\fRd\fPe", "abcde"),
    (r"a\f(BIb\f[CW]c\f[]d", "abcd"),
    (r"a\fXb", "ab"),
    (r"a\s+2b\s0c\s(12d\s'10'e", "abcde"),
    (r"a\s40b", "a0b"),
    (r"a\s+12b", "a2b"),
    (r"a\*(.Tb", "autf8b"),
    (r"a\kxb\mxc\Mxd\Fxe\gxf\Vxg\Yxh\O1i", "abcdefghi"),
    (r"a\D'l 1 2'b\X'x'c\Z'xx'd\A'x'e\b'x'f", "abcdef"),
    (r"a\v'1'b\L'1'c\S'1'd\x'1'e\H'1'f\R'x 1'g", "abcdefg"),
    (r"a\!b\?c", "abc"),
    (r"a\h'3n'b", "a   b"),
    (r"a\h'2'b", "a  b"),
    (r"a\h'1i'b", "a          b"),
    (r"a\h'0.5n'b", "ab"),
    (r"a\h'-1n'b", "ab"),
    (r"a\l'3n'b", "a___b"),
    (r"a\lx3nyxb", "ayyyb"),
    (r"a\l'3n\(em'b", "a\u2014\u2014\u2014b"),
    (r"a\o'xy'b", "ayb"),
    (r"a\o'x\(emy'b", "ayb"),
    (r"a\zbc", "ac"),
    # Malformed escapes: dropped, resuming where mandoc does.
    ("a\\", "a"),
    (r"a\E", "a"),
    (r"a\(", "a"),
    (r"a\(e", "ae"),
    (r"a\f(B", "aB"),
    (r"a\[unterminated", "a"),
    (r"a\[ x]b", "ax]b"),
    (r"a\Cxb", "axb"),
    (r"a\N", "a"),
    (r"a\s+", "a"),
    (r"a\h1b", "ab"),
    (r"a\O6b", "ab"),
]


@pytest.mark.parametrize(("source", "expected"), RENDER_CASES)
def test_render(source: str, expected: str) -> None:
    assert render(source) == expected
    assert strip_escapes(source) == expected


def test_render_without_backslash_returns_the_same_object() -> None:
    s = "no escapes here"
    assert render(s) is s


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (r"a\[xyz]b", r"a\[xyz]b"),
        (r"a\(e", r"a\(e"),
        (r"a\[uD800]b", r"a\[uD800]b"),
        (r"a\!b", r"a\!b"),
        (r"a\fXb\&c", r"a\fXbc"),
        (r"a\qb\(emc", "aqb\u2014c"),  # undefined escapes are printable, not unknown
    ],
)
def test_render_keep_unknown(source: str, expected: str) -> None:
    assert render(source, keep_unknown=True) == expected


@pytest.mark.parametrize(
    ("source", "initial", "expected"),
    [
        ("", "R", []),
        ("plain", "I", [Run("I", "plain")]),
        (
            r"\fBbold\fR and \f(CWcode\fP.",
            "R",
            [Run("B", "bold"), Run("R", " and "), Run("CR", "code"), Run("R", ".")],
        ),
        # \fP swaps the current and the previous font, as mandoc's HTML output shows.
        (
            r"a\fBx\fIy\fPz\fPw\fRv\f[]q",
            "R",
            [
                Run("R", "a"),
                Run("B", "x"),
                Run("I", "y"),
                Run("B", "z"),
                Run("I", "w"),
                Run("R", "v"),
                Run("I", "q"),
            ],
        ),
        (r"\f4a\f3b\f2c\f1d", "R", [Run("BI", "a"), Run("B", "b"), Run("I", "c"), Run("R", "d")]),
        (r"\f[CB]a\f[CI]b", "R", [Run("CB", "a"), Run("CI", "b")]),
        (r"a\fXb\fBc", "I", [Run("I", "ab"), Run("B", "c")]),  # invalid font: no change
        (r"a\fB\fRb", "R", [Run("R", "ab")]),  # empty runs vanish, neighbours merge
        (r"\fBa\(emb\fP", "R", [Run("B", "a\u2014b")]),
        (r"\fPa", "B", [Run("B", "a")]),
    ],
)
def test_runs(source: str, initial: str, expected: list[Run]) -> None:
    assert runs(source, initial) == expected


@given(st.text(alphabet="\\([]'fBCNshlzoe-0123u48D|x ", max_size=16))
def test_never_raises(s: str) -> None:
    for i, c in enumerate(s):
        if c == "\\":
            esc = scan_escape(s, i)
            assert i < esc.end <= len(s)
    text = render(s)
    assert isinstance(text, str)
    assert "".join(r.text for r in runs(s)) == text


# Differential test against the real thing.

_HEADER = ".Dd May 1, 2020\n.Dt T 1\n.Os\n.Sh NAME\n.Nm t\n.Nd t\n.Sh DESCRIPTION\n"
# Where render() differs from the terminal on purpose (see the module documentation
# of mdoc2rst.roff.escape): \z, lone surrogates, backward motion.  A backslash at the end
# of an input line continues the line in roff, so mandoc never sees it in text.
_DIFFERS_ON_PURPOSE = (r"\z", "ud800", r"\h'-")


def _comparable(src: str) -> bool:
    return not any(d in src for d in _DIFFERS_ON_PURPOSE) and not src.endswith(("\\", r"\E"))


def _mandoc_utf8(lines: list[str]) -> dict[int, str]:
    mandoc = require_tool("mandoc")
    src = _HEADER + "".join(f".Pp\nQ{k}:{line}\n" for k, line in enumerate(lines))
    proc = subprocess.run(
        [mandoc, "-T", "utf8", "-O", "width=1000"],
        input=src.encode(),
        capture_output=True,
        check=False,
        timeout=60,
    )
    # Bold and underline are overstrikes; keep the character on top.
    out = re.sub(r".\x08", "", proc.stdout.decode("utf-8", "replace"))
    found: dict[int, str] = {}
    for line in out.splitlines():
        m = re.match(r"\s*Q(\d+):(.*)$", line)
        if m:
            found[int(m.group(1))] = m.group(2)
    return found


def test_render_matches_mandoc() -> None:
    sources = ["a" + src for src, _ in RENDER_CASES if src and _comparable(src)]
    printed = _mandoc_utf8(sources)
    mismatches = [
        (src, printed.get(k), render(src).rstrip())
        for k, src in enumerate(sources)
        if printed.get(k) != render(src).rstrip()
    ]
    assert mismatches == []
