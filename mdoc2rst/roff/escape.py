"""Roff escape sequences: how mandoc 1.14.6 classifies them and prints them in UTF-8.

Text nodes keep their escapes exactly as written, the way mandoc keeps them until
output time.  :func:`scan_escape` classifies one escape sequence with the rules of
mandoc's ``mandoc_escape()``, including its quirks: the extent it reports for a
malformed escape is the place where mandoc resumes printing text, so ``\\(e`` at the
end of a line consumes only ``\\(`` and the ``e`` is printed.

:func:`render` turns such text into the characters that ``mandoc -T utf8`` prints,
:func:`runs` additionally splits it into runs of one font each.

Differences from ``mandoc -T utf8``, all on purpose:

* Non-ASCII characters count as one character each.  mandoc converts them to
  ``\\[uXXXX]`` before parsing, which only matters for nonsense such as ``\\(é``.
* ``\\z`` suppresses the next character instead of overstriking it with the one
  after it, which is what both the terminal and the HTML output end up showing.
* ``\\o'...'`` yields the last character of its argument, the one visible on top.
* ``\\p`` yields nothing; mandoc breaks the output line at the next blank.
* ``\\h'|N'`` (absolute position) and ``\\h'-N'`` (backward motion, which overwrites
  text on the terminal) yield nothing, because the output column is unknown here;
  the same holds for ``\\l`` without a positive length.
* Roff-level escapes (``\\*`` strings other than ``\\*(.T``, ``\\n`` registers,
  ``\\w``, ``\\B``, ``\\$``) must be expanded before, as mandoc's roff_expand()
  does.  Left in the text, they are classified like mandoc_escape() does: ``\\*`` and
  ``\\n`` print nothing, while ``\\w``, ``\\B`` and ``\\$`` are undefined escapes.
* Lone surrogates from ``\\[ud800]`` are dropped; mandoc prints garbage for them.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from mdoc2rst.roff.chars import lookup

__all__ = ["Esc", "Escape", "Run", "render", "runs", "scan", "scan_escape", "strip_escapes"]


class Esc(enum.Enum):
    """Escape classes of mandoc's ``enum mandoc_esc``, in the same order."""

    ERROR = enum.auto()  # unparsable; mandoc drops the consumed part
    UNSUPP = enum.auto()  # valid but unsupported by mandoc
    IGNORE = enum.auto()  # valid, produces no output
    UNDEF = enum.auto()  # undefined; the character after the backslash is printed
    SPECIAL = enum.auto()  # named special character
    FONT = enum.auto()
    FONTBOLD = enum.auto()
    FONTITALIC = enum.auto()
    FONTBI = enum.auto()
    FONTROMAN = enum.auto()
    FONTCR = enum.auto()
    FONTCB = enum.auto()
    FONTCI = enum.auto()
    FONTPREV = enum.auto()
    NUMBERED = enum.auto()  # \N'n' and \[charNN]
    UNICODE = enum.auto()  # \[uXXXX]
    DEVICE = enum.auto()  # \*(.T
    BREAK = enum.auto()  # \p
    NOSPACE = enum.auto()  # \c
    HORIZ = enum.auto()  # \h
    HLINE = enum.auto()  # \l
    SKIPCHAR = enum.auto()  # \z
    OVERSTRIKE = enum.auto()  # \o


@dataclass(frozen=True, slots=True)
class Escape:
    """One escape sequence: ``s[start:end]`` is its source text.

    ``arg`` is the argument proper: ``"em"`` for ``\\(em``, ``"B"`` for ``\\fB``,
    ``"u2014"`` for ``\\[u2014]``, ``"65"`` for ``\\N'65'`` and ``\\[char65]``,
    ``"-"`` for ``\\-``, ``"3n"`` for ``\\h'3n'``, ``""`` for ``\\&``.  For
    :attr:`Esc.ERROR` it is whatever could be read, often ``""``.
    """

    kind: Esc
    start: int
    end: int
    arg: str


@dataclass(frozen=True, slots=True)
class Run:
    """Rendered text in one font: ``R``, ``B``, ``I``, ``BI``, ``CR``, ``CB`` or ``CI``."""

    font: str
    text: str


# --------------------------------------------------------------------------- scanning

# What the scanners return: kind, end, argument.  Plain tuples, because building a
# frozen dataclass costs more than the scanning itself.
_Scan = tuple[Esc, int, str]
_Scanner = Callable[[str, int], _Scan]

_DIGITS: Final = frozenset("0123456789")
# groff would parse a numeric expression starting with these, so mandoc refuses
# them as delimiters of \h, \v and friends.
_BAD_NUMERIC_DELIMS: Final = frozenset(" %&()*+-./0123456789:<=>")
# ASCII_HYPH: the parser may already have turned a breakable '-' into it.
_SIZE_SIGNS: Final = frozenset("+-\x1e")

_DIGIT_RUN: Final = re.compile(r"[0-9]*")
_CHAR_NUMBER: Final = re.compile(r"char[0-9]{2,3}")
# Only length and range are checked, exactly like mandoc; lower case surrogates
# slip through there and are rejected at rendering time.
_UNICODE_NAME: Final = re.compile(
    r"u(?:10[0-9A-Fa-f]{4}|[1-9A-Fa-f][0-9A-Fa-f]{4}|(?!D[89A-F])[0-9A-Fa-f]{4})"
)

_FONTS: Final[dict[str, Esc]] = {
    "": Esc.FONTPREV,
    "P": Esc.FONTPREV,
    "R": Esc.FONTROMAN,
    "1": Esc.FONTROMAN,
    "I": Esc.FONTITALIC,
    "2": Esc.FONTITALIC,
    "B": Esc.FONTBOLD,
    "3": Esc.FONTBOLD,
    "4": Esc.FONTBI,
    "BI": Esc.FONTBI,
    "CR": Esc.FONTCR,
    "CW": Esc.FONTCR,
    "CB": Esc.FONTCB,
    "CI": Esc.FONTCI,
}


def _finish(kind: Esc, end: int, arg: str) -> _Scan:
    """Apply mandoc's post-processing of font and special character names."""
    if kind is Esc.FONT:
        return (_FONTS.get(arg, Esc.ERROR), end, arg)
    if kind is Esc.SPECIAL and arg[:1] in ("c", "u"):
        if _CHAR_NUMBER.fullmatch(arg):
            code = int(arg[4:])
            if 0x21 <= code <= 0x7E or 0xA0 <= code <= 0xFF:
                return (Esc.NUMBERED, end, arg[4:])
        elif _UNICODE_NAME.fullmatch(arg):
            return (Esc.UNICODE, end, arg)
    return (kind, end, arg)


def _fixed(s: str, start: int, size: int, kind: Esc) -> _Scan:
    end = start + size
    if end > len(s):
        # mandoc does not advance past a truncated name, so its remnant prints as text.
        return (Esc.ERROR, start, "")
    return _finish(kind, end, s[start:end])


def _delimited(s: str, start: int, term: str, kind: Esc) -> _Scan:
    n = len(s)
    pos = start
    while True:
        stop = s.find(term, pos)
        if stop < 0:
            stop = n
        # An escape before the terminator may hide a terminator inside it.
        nested = s.find("\\", pos, stop)
        if nested < 0:
            break
        inner, pos, _ = _scan(s, nested)
        if inner is Esc.ERROR:
            return (Esc.ERROR, pos, "")
    if stop >= n:
        return (Esc.ERROR, n, "")
    arg = s[start:stop]
    # One-character names are only valid without brackets, \[-] excepted.
    if kind is Esc.SPECIAL and len(arg) == 1 and arg != "-":
        return (Esc.ERROR, stop + 1, arg)
    return _finish(kind, stop + 1, arg)


def _two_char_name(s: str, p: int) -> _Scan:
    return _fixed(s, p, 2, Esc.SPECIAL)


def _bracket_name(s: str, p: int) -> _Scan:
    if s.startswith(" ", p):
        return (Esc.ERROR, p + 1, "")
    return _delimited(s, p, "]", Esc.SPECIAL)


def _quoted_name(s: str, p: int) -> _Scan:
    if not s.startswith("'", p):
        return (Esc.ERROR, p, "")
    return _delimited(s, p + 1, "'", Esc.SPECIAL)


def _bare(kind: Esc) -> _Scanner:
    def scan(s: str, p: int) -> _Scan:
        return (kind, p, "")

    return scan


def _one_char(kind: Esc) -> _Scanner:
    def scan(s: str, p: int) -> _Scan:
        # The escape character itself is the argument.
        return (kind, p, s[p - 1])

    return scan


def _opaque(kind: Esc) -> _Scanner:
    """\\Xc, \\X(cc and \\X[name] forms."""

    def scan(s: str, p: int) -> _Scan:
        c = s[p : p + 1]
        if c == "(":
            return _fixed(s, p + 1, 2, kind)
        if c == "[":
            return _delimited(s, p + 1, "]", kind)
        return _fixed(s, p, 1, kind)

    return scan


def _scan_O(s: str, p: int) -> _Scan:
    # mandoc supports only the \O levels that matter for terminal output.
    c = s[p : p + 1]
    if c == "(":
        return _fixed(s, p + 1, 2, Esc.ERROR)
    if c == "[":
        kind = Esc.UNSUPP if s.startswith("5", p + 1) else Esc.ERROR
        return _delimited(s, p + 1, "]", kind)
    if c == "0":
        kind = Esc.UNSUPP
    elif c and c in "1234":
        kind = Esc.IGNORE
    else:
        kind = Esc.ERROR
    return _fixed(s, p, 1, kind)


def _quoted(kind: Esc) -> _Scanner:
    """\\X'string' forms: any character may serve as the delimiter."""

    def scan(s: str, p: int) -> _Scan:
        if p >= len(s):
            return (Esc.ERROR, p, "")
        return _delimited(s, p + 1, s[p], kind)

    return scan


def _numeric(kind: Esc) -> _Scanner:
    """\\X'N' forms taking a numeric expression."""

    def scan(s: str, p: int) -> _Scan:
        if p >= len(s):
            return (Esc.ERROR, p, "")
        if s[p] in _BAD_NUMERIC_DELIMS:
            return (Esc.ERROR, p + 1, "")
        return _delimited(s, p + 1, s[p], kind)

    return scan


def _scan_N(s: str, p: int) -> _Scan:
    n = len(s)
    if p >= n:
        return (Esc.ERROR, p, "")
    if s[p] in _DIGITS:
        return (Esc.IGNORE, p + 1, s[p])
    # mandoc neither checks the closing delimiter nor requires digits: it skips
    # the digits and then one more character, whatever it is.
    start = p + 1
    digits = _DIGIT_RUN.match(s, start)
    stop = digits.end() if digits else start
    return (Esc.NUMBERED, stop + 1 if stop < n else stop, s[start:stop])


def _scan_s(s: str, p: int) -> _Scan:
    e = p + 1 if s[p : p + 1] in _SIZE_SIGNS else p
    c = s[e : e + 1]
    if c == "(":
        return _fixed(s, e + 1, 2, Esc.IGNORE)
    if c == "[":
        return _delimited(s, e + 1, "]", Esc.IGNORE)
    if c == "'":
        return _delimited(s, e + 1, "'", Esc.IGNORE)
    # Sizes 10 to 39 take two digits, but only without a sign.
    size = 2 if c and c in "123" and e == p and s[e + 1 : e + 2] in _DIGITS else 1
    return _fixed(s, e, size, Esc.IGNORE)


_SCANNERS: Final[dict[str, _Scanner]] = {
    "(": _two_char_name,
    "[": _bracket_name,
    "C": _quoted_name,
    "N": _scan_N,
    "s": _scan_s,
    "O": _scan_O,
    "c": _bare(Esc.NOSPACE),
    "p": _bare(Esc.BREAK),
    "z": _bare(Esc.SKIPCHAR),
    "f": _opaque(Esc.FONT),
    "*": _opaque(Esc.DEVICE),
    "o": _quoted(Esc.OVERSTRIKE),
    "h": _numeric(Esc.HORIZ),
    "l": _numeric(Esc.HLINE),
}
_SCANNERS.update(dict.fromkeys("!?", _bare(Esc.UNSUPP)))
_SCANNERS.update(dict.fromkeys("%&),/^adrtu{|}", _bare(Esc.IGNORE)))
_SCANNERS.update(dict.fromkeys("FgkMmnVY", _opaque(Esc.IGNORE)))
_SCANNERS.update(dict.fromkeys("AbDRXZ", _quoted(Esc.IGNORE)))
_SCANNERS.update(dict.fromkeys("HLSvx", _numeric(Esc.IGNORE)))
_SCANNERS.update(dict.fromkeys(" '-.0:_`e~", _one_char(Esc.SPECIAL)))
_UNDEF: Final = _one_char(Esc.UNDEF)


def scan_escape(s: str, i: int) -> Escape:
    """Classify the escape sequence whose backslash is ``s[i]``; never raises.

    ``end`` is where mandoc resumes reading text.  An escape truncated by the end
    of ``s`` is :attr:`Esc.ERROR`; ``end`` is then ``len(s)`` unless mandoc stops
    earlier, which it does after the introducer of a fixed-length name (``\\(e``
    ends after ``\\(``).
    """
    kind, end, arg = _scan(s, i)
    return Escape(kind, i, end, arg)


def scan(s: str, i: int) -> tuple[Esc, int, str]:
    """:func:`scan_escape` as a plain tuple (kind, end, argument), for hot loops."""
    return _scan(s, i)


def _scan(s: str, i: int) -> _Scan:
    j = i + 1
    # \E is \ outside copy mode.
    if s.startswith("E", j):
        j += 1
    if j >= len(s):
        return (Esc.ERROR, len(s), "")
    return _SCANNERS.get(s[j], _UNDEF)(s, j + 1)


# -------------------------------------------------------------------------- rendering

_FONT_NAMES: Final[dict[Esc, str]] = {
    Esc.FONT: "R",
    Esc.FONTROMAN: "R",
    Esc.FONTBOLD: "B",
    Esc.FONTITALIC: "I",
    Esc.FONTBI: "BI",
    Esc.FONTCR: "CR",
    Esc.FONTCB: "CB",
    Esc.FONTCI: "CI",
}

_STRTOD: Final = re.compile(r"[ \t\n\v\f\r]*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# Basic units per scaling unit on a terminal, where 1n = 1m = 24u (term_ascii.c).
_BASIC_UNITS: Final[dict[str, float]] = {
    "c": 240.0 / 2.54,
    "i": 240.0,
    "f": 65536.0,
    "M": 0.24,
    "m": 24.0,
    "n": 24.0,
    "P": 40.0,
    "p": 10.0 / 3.0,
    "u": 1.0,
    "v": 40.0,
}
# A page asking for a million blanks must not cost a megabyte per text node.
_MAX_COLUMNS: Final = 1024
_BU_LIMIT: Final = float(1 << 31)  # basic units: a C int's range, as in mandoc


def _printable(code: int) -> str:
    if (code < 0x20 and code != 0x09) or 0x7F <= code < 0xA0:
        return "\ufffd"
    return chr(code)


def _columns(s: str, pos: int) -> tuple[int, int] | None:
    """Width in terminal columns of the scaling width at ``s[pos:]`` (default unit m).

    Returns the width and the index just past the number and its unit.
    """
    m = _STRTOD.match(s, pos)
    if m is None:
        return None
    end = m.end()
    factor = _BASIC_UNITS.get(s[end : end + 1])
    if factor is None:
        factor = 24.0
    else:
        end += 1
    # Digits or an exponent beyond a double's range give infinity: saturate,
    # as nothing wider than the 1024 columns drawn matters.
    bu = min(max(float(m.group()) * factor, -_BU_LIMIT), _BU_LIMIT)
    units = int(bu + 0.01) if bu > 0.0 else int(bu - 0.01)
    cols = (units + 11) // 24 if units >= 0 else -((-units + 11) // 24)
    return cols, end


def _arg_start(end: int, arg: str) -> int:
    # Only for delimited forms, whose closing delimiter is the last character.
    return end - 1 - len(arg)


def _render_special(s: str, end: int, arg: str) -> str | None:
    return lookup(arg)


def _render_unicode(s: str, end: int, arg: str) -> str | None:
    code = int(arg[1:], 16)
    if 0xD800 <= code <= 0xDFFF:
        return None
    return _printable(code)


def _render_numbered(s: str, end: int, arg: str) -> str | None:
    if not arg or len(arg) > 31:
        return None
    code = int(arg)
    return _printable(code) if code < 256 else None


def _render_undef(s: str, end: int, arg: str) -> str | None:
    return _printable(ord(arg))


def _render_device(s: str, end: int, arg: str) -> str | None:
    return "utf8" if arg == ".T" else None


def _render_horiz(s: str, end: int, arg: str) -> str | None:
    if arg.startswith("|"):
        return ""
    width = _columns(s, _arg_start(end, arg))
    if width is None or width[0] <= 0:
        return ""
    return " " * min(width[0], _MAX_COLUMNS)


def _line_char(s: str, pos: int, delim: str) -> str:
    """The character \\l draws with: the one after the length, else an underscore."""
    c = s[pos : pos + 1]
    if not c or c == delim:
        return "_"
    if c != "\\":
        text: str | None = c
    else:
        kind, end, arg = _scan(s, pos)
        render_one = _GLYPHS.get(kind)
        text = render_one(s, end, arg) if render_one is not None else None
    if not text or len(text) != 1:
        return "_"
    code = ord(text)
    return "_" if code < 0x20 or 0x7F <= code < 0xA0 else text


def _width(c: str) -> int:
    if unicodedata.combining(c):
        return 0
    return 2 if unicodedata.east_asian_width(c) in ("W", "F") else 1


def _render_hline(s: str, end: int, arg: str) -> str | None:
    start = _arg_start(end, arg)
    found = _columns(s, start)
    # A non-positive length means "to the right margin", which is unknown here.
    if found is None or found[0] <= 0:
        return ""
    c = _line_char(s, found[1], s[start - 1])
    w = _width(c)
    return c * (min(found[0], _MAX_COLUMNS) // w) if w else ""


def _render_overstrike(s: str, end: int, arg: str) -> str | None:
    # The terminal stacks the plain characters with backspaces and skips nested
    # escapes; the last one is what shows.
    k = 0
    last = ""
    while k < len(arg):
        if arg[k] == "\\":
            k = _scan(arg, k)[1]
        else:
            last = arg[k]
            k += 1
    return last


def _render_nothing(s: str, end: int, arg: str) -> str | None:
    return ""


def _render_unsupported(s: str, end: int, arg: str) -> str | None:
    return None


_Renderer = Callable[[str, int, str], str | None]

# Escapes that stand for one glyph; also what \l accepts as its line character.
_GLYPHS: Final[dict[Esc, _Renderer]] = {
    Esc.SPECIAL: _render_special,
    Esc.UNICODE: _render_unicode,
    Esc.NUMBERED: _render_numbered,
    Esc.UNDEF: _render_undef,
}

# None from a renderer means mandoc cannot print the escape: it is dropped, or
# kept verbatim with keep_unknown.  ERROR, SKIPCHAR and fonts are handled in _walk.
_RENDERERS: Final[dict[Esc, _Renderer]] = {
    **_GLYPHS,
    Esc.DEVICE: _render_device,
    Esc.HORIZ: _render_horiz,
    Esc.HLINE: _render_hline,
    Esc.OVERSTRIKE: _render_overstrike,
    Esc.UNSUPP: _render_unsupported,
    Esc.IGNORE: _render_nothing,
    Esc.BREAK: _render_nothing,
    Esc.NOSPACE: _render_nothing,
}


def _walk(s: str, keep_unknown: bool, out: list[Run] | None, font: str) -> tuple[list[str], str]:
    """Render ``s``; with ``out``, also emit a run at every font change.

    Returns the pieces of text not yet emitted as a run and their font.
    """
    parts: list[str] = []
    previous = font
    skip = False
    pos = 0
    while True:
        k = s.find("\\", pos)
        chunk = s[pos:] if k < 0 else s[pos:k]
        if chunk:
            if skip:
                chunk = chunk[1:]
                skip = False
            parts.append(chunk)
        if k < 0:
            return parts, font
        kind, pos, arg = _scan(s, k)
        name = _FONT_NAMES.get(kind)
        if name is not None or kind is Esc.FONTPREV:
            if out is not None:
                _emit(out, font, parts)
                parts = []
                font, previous = (previous, font) if name is None else (name, font)
            continue
        if kind is Esc.SKIPCHAR:
            skip = True
            continue
        if kind is Esc.ERROR:
            # mandoc's HTML output lets \z skip past an invalid escape; so do we.
            text = None
        elif skip:
            skip = False
            continue
        else:
            text = _RENDERERS[kind](s, pos, arg)
        if text is None:
            if keep_unknown:
                parts.append(s[k:pos])
        elif text:
            parts.append(text)


def _emit(out: list[Run], font: str, parts: list[str]) -> None:
    text = "".join(parts)
    if not text:
        return
    if out and out[-1].font == font:
        out[-1] = Run(font, out[-1].text + text)
    else:
        out.append(Run(font, text))


def escaped(s: str, i: int, start: int = 0) -> bool:
    """Is ``s[i]`` escaped: preceded by an odd run of backslashes (from ``start``)?"""
    k = i
    while k > start and s[k - 1] == "\\":
        k -= 1
    return (i - k) % 2 == 1


def render(s: str, *, keep_unknown: bool = False) -> str:
    """Text as ``mandoc -T utf8`` prints it, escapes resolved and fonts dropped.

    Escapes mandoc cannot print (invalid ones, unknown character names, unsupported
    ones) are dropped, or kept verbatim if ``keep_unknown`` is true.
    """
    if "\x1e" in s:
        # mandoc's breakable hyphen (nodes.ASCII_HYPH) prints as a hyphen.
        s = s.replace("\x1e", "-")
    if "\\" not in s:
        return s
    return "".join(_walk(s, keep_unknown, None, "R")[0])


def runs(s: str, initial_font: str = "R") -> list[Run]:
    """Split ``s`` on font escapes into rendered runs; empty runs are left out.

    ``\\fP`` and ``\\f[]`` swap the current and the previous font, like mandoc.
    Adjacent runs in the same font are merged.
    """
    if "\x1e" in s:
        s = s.replace("\x1e", "-")
    if "\\" not in s:
        return [Run(initial_font, s)] if s else []
    out: list[Run] = []
    tail, font = _walk(s, False, out, initial_font)
    _emit(out, font, tail)
    return out


def strip_escapes(s: str) -> str:
    """Plain text of ``s`` for comparisons: :func:`render` with fonts dropped."""
    return render(s)
