"""From bytes or text to a validated document: the pipeline's driver.

Decoding follows mandoc: UTF-8 when the input is valid UTF-8, else
ISO-8859-1 (with a diagnostic); non-ASCII characters reach the parser as
``\\[uXXXX]`` escapes, as mandoc's preconv does, and control characters
become ``?`` with a diagnostic.  One exception: a page that starts with a
UTF-16 or UTF-32 byte-order mark is decoded as such (with a diagnostic),
where mandoc would read every other byte as a NUL.
"""

from __future__ import annotations

import codecs
import errno
import gc
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Final

from mdoc2rst.man.macros import MACROS as MAN_MACROS
from mdoc2rst.man.parser import ManParser
from mdoc2rst.man.validate import validate as validate_man
from mdoc2rst.mdoc.parser import MdocParser
from mdoc2rst.mdoc.validate import validate
from mdoc2rst.roff.builder import Builder
from mdoc2rst.roff.layer import Roff
from mdoc2rst.tree.diagnostics import Reporter
from mdoc2rst.tree.nodes import ROOT, Document, Flag, Meta, Node

_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


# Files read with .so: at most this many bytes each.  mandoc's bound is
# 2 GiB, which in Python (a str, then its lines) would exhaust the memory of
# most machines before a diagnostic; 64 MiB is some 800 times the largest
# manual in the corpora (80 KB) and still a bounded read and parse.  The
# same as roff.SO_BYTES, the bound for all of a page's .so files together.
SO_FILE_LIMIT: Final = 1 << 26

# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS: Final = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32LE"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32BE"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16LE"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16BE"),
)


def decode(data: bytes, report: Reporter) -> str:
    """Bytes to text: UTF-8, or ISO-8859-1 when the bytes are not UTF-8.

    A UTF-16 or UTF-32 byte-order mark selects that encoding instead;
    characters it cannot decode become U+FFFD.
    """
    if data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) or data[:4] == codecs.BOM_UTF32_BE:
        for bom, codec, label in _BOMS:
            if data.startswith(bom):
                report("ENCODING_UTF16", 1, 0, label)
                return data[len(bom) :].decode(codec, "replace")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        report("ENCODING", line, exc.start - (data.rfind(b"\n", 0, exc.start) + 1))
        text = data.decode("latin-1")
    if text.startswith("\ufeff"):
        text = text[1:]
    return text


def decode_lenient(data: bytes) -> str:
    """Bytes to text as :func:`decode` reads them, without diagnostics."""
    return decode(data, Reporter("<bytes>"))


def _sanitize(text: str, report: Reporter) -> str:
    """Escape non-ASCII characters and replace control characters, by line."""
    if _CONTROL.search(text):
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if not _CONTROL.search(line):
                continue
            out = []
            for col, ch in enumerate(line):
                c = ord(ch)
                if c == 0x7F or (c < 0x20 and c != 0x09):
                    if ch == "\r" and col == len(line) - 1:
                        out.append(ch)  # CRLF line end: the roff layer drops it
                        continue
                    kind = "CHAR_BAD" if c in (0, 4) or c > 0x0A else "CHAR_UNSUPP"
                    report(kind, i + 1, col, f"0x{c:x}")
                    if ch != "\r":
                        out.append("?")
                    continue
                out.append(ch)
            lines[i] = "".join(out)
        text = "\n".join(lines)
    if _NON_ASCII.search(text):
        text = _NON_ASCII.sub(_uescape, text)
    return text


def _uescape(m: re.Match[str]) -> str:
    return f"\\[u{ord(m.group(0)):04X}]"


#: A line that starts with .Dd or .TH: mandoc looks for one to pick the
#: language when the first line it parses is neither (read.c: choose_parser).
_FORMAT_LINE = re.compile(r"^[.'](Dd|TH)", re.M)

#: The two languages, by name.
MACROSETS: Final = ("mdoc", "man")


def _lookahead(text: str) -> str:
    """The language of the first .Dd or .TH line; man(7) without either."""
    m = _FORMAT_LINE.search(text)
    return "mdoc" if m is not None and m.group(1) == "Dd" else "man"


def _read_so(path: Path, report: Reporter) -> str:
    """A file's text for ``.so``; OSError when it cannot be read, EFBIG when too large.

    Opened without blocking (a FIFO put in its place since it was checked
    opens at once) and without following a symbolic link put there; only a
    regular file is read, and never more than SO_FILE_LIMIT bytes, whatever
    its size claims (files in /proc say 0).
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
    flags |= getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(path, flags)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        if st.st_size > SO_FILE_LIMIT:
            raise OSError(errno.EFBIG, f"file of {st.st_size} bytes, over {SO_FILE_LIMIT}")
        chunks = []
        size = 0
        while size <= SO_FILE_LIMIT:
            chunk = os.read(fd, min(1 << 20, SO_FILE_LIMIT + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > SO_FILE_LIMIT:
            raise OSError(errno.EFBIG, f"file over {SO_FILE_LIMIT} bytes")
    finally:
        os.close(fd)
    return _sanitize(decode(b"".join(chunks), report), report)


def parse(
    text: str | bytes,
    filename: str = "<stdin>",
    *,
    path: Path | None = None,
    so_root: Path | None = None,
    macroset: str | None = None,
) -> Document:
    """Parse a manual page and validate it.  Never raises on bad input.

    The language is mdoc(7) or man(7), chosen as mandoc chooses it: by the
    first line that reaches a macro parser when it is ``.Dd`` or ``.TH``,
    else by the first ``.Dd`` or ``.TH`` line of the page, else man(7).
    ``macroset`` ("mdoc" or "man") forces one, as ``mandoc -mdoc`` and
    ``-man`` do.

    ``path`` is where the page lives, for ``.so``; ``so_root`` is the folder
    tree ``.so`` may read from (default: the page's own folder).  Without
    ``path`` and ``so_root``, ``.so`` reads nothing.
    """
    if macroset is not None and macroset not in MACROSETS:
        raise ValueError(f"macroset {macroset!r}: one of {', '.join(MACROSETS)}")
    # The cyclic collector is paused while the tree is built: a parse
    # allocates tens of thousands of nodes that stay alive (and form
    # parent/child cycles), and collections during it only rescan them.  It
    # runs again afterwards, as before.  A plain try/finally rather than a
    # context manager: this runs once per page, and a generator-based one
    # costs more than the small pages take to parse.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _parse(text, filename, path, so_root, macroset)
    finally:
        if enabled:
            gc.enable()


def _chooser(mdoc: Builder, man: Builder, guess: str) -> Callable[[str | None], Builder]:
    """Picks the parser at the first line that reaches one (mandoc's
    choose_parser): ``.Dd`` or ``.TH`` there decides, else the lookahead."""

    def choose(name: str | None) -> Builder:
        if name == "Dd":
            return mdoc
        if name == "TH":
            return man
        return mdoc if guess == "mdoc" else man

    return choose


def _parse(
    text: str | bytes,
    filename: str,
    path: Path | None,
    so_root: Path | None,
    macroset: str | None,
) -> Document:
    report = Reporter(filename)
    if isinstance(text, bytes):
        text = decode(text, report)
    text = _sanitize(text, report)
    root = Node(ROOT, "root", 0, 0, file=filename)
    mdoc = MdocParser(report, root, lambda name: 0)
    man = ManParser(report, root, lambda name: 0)
    if macroset is None:
        guess = _lookahead(text)
        first: Builder = mdoc if guess == "mdoc" else man
        roff = Roff(first, report, path, _read_so, so_root, _chooser(mdoc, man, guess))
        roff.standard = mdoc.known | man.known
    else:
        roff = Roff(mdoc if macroset == "mdoc" else man, report, path, _read_so, so_root)
    roff.run(text)
    # No line reached a parser: mandoc reads such a page as man(7).
    parser = man if roff.choose is not None else roff.parser
    if parser is man and roff.parser is not man:
        man.take_over(roff.parser)
    parser.endparse()
    roff.end()  # after the blocks, as mandoc's mparse_end() does
    meta = Meta(rcsids=frozenset(roff.rcsids))
    root.flags |= Flag.VALID
    if parser is man:
        validate_man(root, meta, report)
    else:
        validate(root, meta, report)
    includes = tuple(str(f) for f in roff.sources)
    return Document(filename, root, meta, report.items, parser.macroset, includes=includes)


#: The macros only an mdoc(7) page has at its top level.
_MDOC_MARKS = frozenset({"Dd", "Dt", "Os", "Sh"})


def page_kind(doc: Document) -> str:
    """``mdoc``, ``man`` (a man(7) page: mdoc2rst parses it, but does not
    convert it yet), or ``none``: no manual page at all (a README, a binary)."""
    if doc.macroset == "man":
        if doc.meta.th or any(n.tok in MAN_MACROS for n in doc.root.children):
            return "man"
        return "none"
    if any(n.tok in _MDOC_MARKS for n in doc.root.children):
        return "mdoc"
    return "none"


def parse_file(
    path: str | Path, *, so_root: Path | None = None, macroset: str | None = None
) -> Document:
    """Read and parse a page; a missing or unreadable file raises OSError."""
    p = Path(path)
    data = p.read_bytes()
    return parse(data, str(path), path=p, so_root=so_root, macroset=macroset)
