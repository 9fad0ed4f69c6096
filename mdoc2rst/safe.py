"""What page text may become in output: never a line of its own, never a live link.

Page text reaches reST, Sphinx warnings, diagnostics and generated code.
Three rules hold everywhere:

- **One line stays one line.**  docutils ends lines where Python's
  ``str.splitlines()`` does: at ``\\n`` and ``\\r``, and also at ``\\v``,
  ``\\f``, U+001C-U+001E, U+0085 (NEL), U+2028 and U+2029.  A page that
  carries one of these (in UTF-8, as ``\\[u2028]``, through ``.tr`` or a
  string) would start a reST line that no writer escaped as one, and from
  there a directive.  Every writer translates them with :data:`LINE_ENDS`;
  each is a kind of blank, and a blank is what it becomes.
- **Links run nothing.**  Only :data:`SAFE_SCHEMES` and relative
  references become links; the scheme is read as a browser reads it
  (character references decoded, tabs and newlines dropped, leading
  blanks and control characters stripped), so ``JaVaScRiPt:``,
  ``java&#x09;script:`` and `` javascript:`` are all caught.
- **A diagnostic is one visible line.**  :func:`printable` shows control,
  separator and bidi characters of page text and file names as escapes.
"""

from __future__ import annotations

import html
import re
import unicodedata
from typing import Final

#: The line ends of ``str.splitlines()`` other than ``\n``, each to a blank.
LINE_ENDS: Final = str.maketrans(dict.fromkeys("\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029", " "))


def one_line(text: str) -> str:
    """``text`` with every line end but ``\\n`` made a blank (a no-op for most text)."""
    if text.isascii() and text.isprintable():
        return text  # the common case, tested in C
    return text.translate(LINE_ENDS)


#: Characters shown as escapes in a line for a terminal or a log: controls
#: (but tab), line and paragraph separators, format characters (the bidi
#: overrides of "Trojan Source" among them), and lone surrogates (bytes of
#: a file name that are not UTF-8).
_HIDDEN: Final = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})


def printable(text: str) -> str:
    """``text`` for one line of a terminal: what could hide or break it, escaped."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(_show(c) for c in text)


def _show(c: str) -> str:
    if c == "\t" or unicodedata.category(c) not in _HIDDEN:
        return c
    code = ord(c)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


#: Schemes whose links are followed; the rest are shown as text.
SAFE_SCHEMES: Final = frozenset({"http", "https", "ftp", "mailto"})

_SCHEME: Final = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
# What a browser strips from the start of a URL (C0 controls and blank;
# any blank here, to be safe), and what it drops anywhere in it (tab,
# newline, carriage return).
_LEAD: Final = re.compile(r"^[\s\x00-\x20]+")
_DROPPED: Final = str.maketrans("", "", "\t\n\r")

#: Longest URL made a link: longer ones are shown as text.  2,000 is what
#: browsers and servers have long been known to take; and percent-encoded
#: (up to three times as long) it still fits a line docutils accepts.
MAX_URL: Final = 2000


def url_scheme(url: str) -> str | None:
    """The scheme a browser would see in ``url``, in lower case; None if relative."""
    if "&" in url:
        url = html.unescape(url)
    m = _SCHEME.match(_LEAD.sub("", url).translate(_DROPPED))
    return m.group(1).lower() if m else None


def safe_url(url: str) -> bool:
    """Whether ``url`` may be a link: not empty, not too long, a safe scheme or none."""
    if not url.strip() or len(url) > MAX_URL:
        return False
    scheme = url_scheme(url)
    return scheme is None or scheme in SAFE_SCHEMES


def safe_mail(address: str) -> bool:
    """Whether ``address`` may follow ``mailto:``: an address, not a URL of its own."""
    return bool(address.strip()) and len(address) <= MAX_URL and url_scheme(address) is None
