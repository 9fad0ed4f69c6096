"""Dates of the prologue, parsed and normalised as mandoc does.

mandoc reads ``.Dd`` (and man(7)'s ``.TH``) with strptime(3) in the C
locale and prints the date back as ``Month D, YYYY``; anything else is kept
verbatim.
"""

from __future__ import annotations

import datetime as dt
import re

from mdoc2rst.tree.diagnostics import Reporter
from mdoc2rst.tree.nodes import Node

_MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
_MONTH_NAMES = tuple(m.capitalize() for m in _MONTHS)

# glibc's strptime: a blank in the format matches any run of blanks,
# numbers may be preceded by blanks, month names match in full or
# abbreviated and in any case.
_SP = r"\s*"
_NUM1 = r"\s*([0-9]{1,2})"
_YEAR = r"\s*([+-]?[0-9]{1,4})"
_MONTH = r"([A-Za-z]+)"
_MDOCDATE = re.compile(r"\$Mdocdate:" + _SP + _MONTH + _SP + _NUM1 + _SP + _YEAR + _SP + r"\$")
_PLAIN = re.compile(_MONTH + _SP + _NUM1 + "," + _SP + _YEAR)
_LEGACY = re.compile(r"\s*([+-]?[0-9]{1,4})-" + _NUM1 + "-" + _NUM1)


def _month(word: str) -> int | None:
    w = word.lower()
    for i, name in enumerate(_MONTHS):
        if w == name or w == name[:3]:
            return i + 1
    return None


def _make(year: int, month: int, day: int) -> dt.date | None:
    # mktime(3) normalises out-of-range days, as in "February 30".
    if not 1 <= day <= 31 or not 1 <= year <= 9999:
        return None
    try:
        return dt.date(year, month, 1) + dt.timedelta(days=day - 1)
    except (ValueError, OverflowError):
        return None


def parse_mdoc_date(s: str) -> dt.date | None:
    """An mdoc(7) date, ``$Mdocdate: May 1 2020 $`` or ``May 1, 2020``."""
    m = _MDOCDATE.fullmatch(s) or _PLAIN.fullmatch(s)
    if m is None:
        return None
    month = _month(m.group(1))
    if month is None:
        return None
    return _make(int(m.group(3)), month, int(m.group(2)))


def parse_legacy_date(s: str) -> dt.date | None:
    """A man(7) style ``YYYY-MM-DD`` date."""
    m = _LEGACY.fullmatch(s)
    if m is None:
        return None
    month = int(m.group(2))
    if not 1 <= month <= 12:
        return None
    return _make(int(m.group(1)), month, int(m.group(3)))


def format_date(d: dt.date) -> str:
    """``Month D, YYYY``, the way mandoc prints a date."""
    return f"{_MONTH_NAMES[d.month - 1]} {d.day}, {d.year}"


def is_future(d: dt.date) -> bool:
    """More than a day ahead of now, mandoc's threshold for a warning."""
    start = dt.datetime(d.year, d.month, d.day)
    return start > dt.datetime.now() + dt.timedelta(days=1)


def today() -> str:
    return format_date(dt.date.today())


def normdate(nch: Node | None, nbl: Node | None, report: Reporter) -> str:
    """The date in text node ``nch`` of macro ``nbl`` (``.Dd``, ``.TH``),
    normalised as mandoc_normdate() does, with its messages."""
    if nch is None:
        if nbl is None:
            report("DATE_MISSING", 0, 0)
        else:
            report("DATE_MISSING", nbl.line, nbl.pos, nbl.tok)
        return ""
    tok = nbl.tok if nbl is not None else "Dd"
    s = nch.string
    if s == "":
        report("DATE_MISSING", nch.line, nch.pos, tok)
        return ""
    if s == "$Mdocdate$":
        return today()
    d = parse_mdoc_date(s)
    if d is not None:
        cp = format_date(d)
        if is_future(d):
            report("DATE_FUTURE", nch.line, nch.pos, f"{tok} {cp}")
        elif not s.startswith("$") and s != cp:
            report("DATE_NORM", nch.line, nch.pos, f"{tok} {cp}")
        return cp
    d = parse_legacy_date(s)
    if d is None:
        report("DATE_BAD", nch.line, nch.pos, f"{tok} {s}")
    elif is_future(d):
        report("DATE_FUTURE", nch.line, nch.pos, f"{tok} {s}")
    elif tok == "Dd":
        report("DATE_LEGACY", nch.line, nch.pos, f"Dd {s}")
    return s
