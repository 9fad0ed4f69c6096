"""The roff layer: the language beneath mdoc.

It reads the page line by line and handles what roff(7) does before any
mdoc macro sees a line: comments, escaped newlines, strings (``.ds``,
``\\*``), number registers (``.nr``, ``\\n``), conditionals (``.if``,
``.ie``, ``.el``, ``.while``), macro definitions (``.de``), file
inclusion (``.so``), character translation (``.tr``), the control and
escape characters (``.cc``, ``.ec``, ``.eo``) and the layout requests.
What remains, macro lines and text lines, goes to the mdoc layer.

Every construct that can repeat or grow is bounded (expansion count,
macro nesting, loop iterations, string length, include depth), and each
cut-off is a diagnostic, never an exception.  Limits per input line, as
mandoc has them, do not bound a page: a macro calling ten others that each
call ten more stays under every one of them on every line.  So the work of
the whole page is bounded too: lines run from macro bodies and loops,
bytes of expanded text handed to the mdoc parser, escapes that expansion
brings in, bytes copied while expanding, and files read with ``.so``.
Each budget, when spent, is reported once (TOOLARGE); what would spend
more is then dropped.

Numbers are mandoc's: C ``int`` arithmetic, which wraps around at 32 bits
(mandoc 1.14.6 does not check for overflow; ``.nr x 2147483647`` and
``.nr x +1`` give -2147483648 there, and so here, with a diagnostic).
"""

from __future__ import annotations

import errno
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Final

from mdoc2rst.eqn.delim import eqndelim
from mdoc2rst.eqn.parser import EqnParser
from mdoc2rst.roff.builder import ELEMENT_ARGS, Builder, Mode
from mdoc2rst.roff.chars import PREDEFINED_STRINGS
from mdoc2rst.roff.chars import lookup as char_lookup
from mdoc2rst.roff.escape import Esc, escaped, scan, scan_escape
from mdoc2rst.tbl import reader as tbl_reader
from mdoc2rst.tbl.model import Table
from mdoc2rst.tree.diagnostics import Reporter
from mdoc2rst.tree.nodes import ASCII_HYPH, Flag, Node

EXPAND_LIMIT: Final = 1000  # escape expansions on one line, as in mandoc
MACRO_DEPTH: Final = 64  # nested user macro calls and .so files
REPARSE_LIMIT: Final = 1000  # in-line equation rewrites of one input line (read.c)
# Requests running the rest of their line (.if, .nop, .while) nest on one
# line: with the macros and files around them, they stay this shallow, well
# within Python's recursion limit (mandoc loops instead, without a bound).
NEST_LIMIT: Final = 128
LOOP_LIMIT: Final = 1000  # iterations of one .while loop
EXPANSION_BUDGET: Final = 20_000  # macro-generated lines for one input line
STRING_LIMIT: Final = 1 << 20  # characters in one string
LINE_LIMIT: Final = 1 << 22  # characters in one expanded line
# What one page may cost in all.  Each is far above what real pages use (no
# page of the corpora uses 2% of any: the most is a regress test of loops)
# and low enough that the pure-Python build spends it in about a second.
PAGE_LINES: Final = 100_000  # lines run from macro bodies and .while loops
PAGE_TEXT: Final = 1 << 23  # bytes that expansion adds to lines for the mdoc parser
# Escapes that expansion brings in (each substitution counts one more): each
# costs a scan in Python here and another in the parser, so this bounds the
# time, where PAGE_TEXT bounds the size.
PAGE_ESCAPES: Final = 1_000_000
PAGE_COPY: Final = 1 << 30  # bytes copied while splicing expansions into lines
LINE_COPY: Final = 1 << 26  # the same for one line
SO_LIMIT: Final = 1000  # files read with .so, repeats included
SO_BYTES: Final = 1 << 26  # bytes of text read with .so, repeats included

INT_MIN: Final = -(1 << 31)
INT_MAX: Final = (1 << 31) - 1

_IGNORED: Final = frozenset(
    [
        "ad",
        "af",
        "backtrace",
        "bd",
        "bleedat",
        "bp",
        "breakchar",
        "brnl",
        "brpnl",
        "cflags",
        "ch",
        "class",
        "color",
        "cp",
        "cropat",
        "cs",
        "cu",
        "defcolor",
        "errprint",
        "fallback",
        "fam",
        "fcolor",
        "fdeferlig",
        "feature",
        "fkern",
        "fl",
        "flig",
        "fp",
        "fps",
        "fspacewidth",
        "fspecial",
        "ftr",
        "fzoom",
        "gcolor",
        "hc",
        "hcode",
        "hidechar",
        "hla",
        "hlm",
        "hpf",
        "hpfa",
        "hpfcode",
        "hw",
        "hy",
        "hylang",
        "hylen",
        "hym",
        "hypp",
        "hys",
        "IX",
        "kern",
        "kernafter",
        "kernbefore",
        "kernpair",
        "letadj",
        "lg",
        "lhang",
        "ls",
        "lt",
        "mediasize",
        "minss",
        "mk",
        "na",
        "ne",
        "nh",
        "nhychar",
        "nroff",
        "ns",
        "os",
        "padj",
        "papersize",
        "pc",
        "pev",
        "pl",
        "pm",
        "pn",
        "pnr",
        "ps",
        "ptr",
        "pvs",
        "rd",
        "recursionlimit",
        "rhang",
        "rs",
        "rt",
        "sentchar",
        "shc",
        "sizes",
        "spacewidth",
        "special",
        "spreadwarn",
        "ss",
        "sty",
        "sv",
        "tkf",
        "tm",
        "tm1",
        "tmc",
        "track",
        "transchar",
        "trimat",
        "troff",
        "uf",
        "ul",
        "unwatch",
        "unwatchn",
        "vpt",
        "vs",
        "warn",
        "warnscale",
        "watch",
        "watchlength",
        "watchn",
        "xflag",
    ]
)
_UNSUPPORTED: Final = frozenset(
    [
        "ab",
        "aln",
        "asciify",
        "blm",
        "box",
        "boxa",
        "BP",
        "c2",
        "chop",
        "CL",
        "composite",
        "continue",
        "da",
        "dch",
        "device",
        "devicem",
        "di",
        "do",
        "dwh",
        "dt",
        "ecr",
        "ecs",
        "em",
        "EP",
        "ev",
        "evc",
        "ex",
        "fc",
        "fchar",
        "fschar",
        "index",
        "itc",
        "lc",
        "lc_ctype",
        "lds",
        "length",
        "linetabs",
        "lnr",
        "lnrf",
        "lpfx",
        "lsm",
        "nm",
        "nn",
        "nrf",
        "output",
        "PI",
        "psbb",
        "pshape",
        "rchar",
        "rfschar",
        "rnn",
        "schar",
        "substring",
        "tc",
        "tl",
        "trin",
        "trnt",
        "unformat",
        "wh",
    ]
)
_INSECURE: Final = frozenset(
    [
        "cf",
        "close",
        "lf",
        "mso",
        "nx",
        "open",
        "opena",
        "pi",
        "pso",
        "sy",
        "trf",
        "write",
        "writec",
        "writem",
    ]
)
#: The requests that start a page, and the language each starts (roff_Dd).
_PROLOGUES: Final = {"Dd": "mdoc", "TH": "man"}
_DEFINERS: Final = frozenset({"de", "de1", "dei", "dei1", "am", "am1", "ami", "ami1", "ig"})
_READONLY_REGS: Final[dict[str, int]] = {".A": 0, ".g": 1, ".H": 24, ".j": 0, ".T": 1, ".V": 40}


@dataclass(slots=True)
class _Opened:
    """Where a conditional or a definition was opened, for end-of-input messages."""

    request: str
    file: str
    line: int
    pos: int


@dataclass(slots=True)
class _Scope:
    """An open conditional: next-line scope or a ``\\{ ... \\}`` block."""

    rule: bool
    brace: bool
    opened: _Opened | None = None


@dataclass(slots=True)
class _Definition:
    """A ``.de`` or ``.ig`` block being collected."""

    name: str | None  # None for .ig
    end: str
    append: bool
    indirect: bool
    lines: list[str] = field(default_factory=list)
    opened: _Opened | None = None  # None inside a false conditional, as in mandoc


@dataclass(slots=True)
class _Frame:
    """A running user macro: its arguments, for ``\\$n``."""

    args: list[str]


class _Table:
    """Named strings or macro bodies; appending costs the length appended.

    ``.as`` and ``.am`` append to a value; rebuilding it each time would
    make a page of many appends quadratic.  Appended pieces wait in
    ``more`` until the value is read.  ``text`` holds every defined name,
    so that ``name in table.text`` is the cheap test for one.
    """

    def __init__(self, initial: Mapping[str, str]) -> None:
        self.text: dict[str, str] = dict(initial)
        self.more: dict[str, list[str]] = {}
        self.size: dict[str, int] = {}  # full length, for names with pieces waiting

    def get(self, name: str) -> str | None:
        pieces = self.more.pop(name, None)
        if pieces is None:
            return self.text.get(name)
        del self.size[name]
        value = self.text[name] + "".join(pieces)
        self.text[name] = value
        return value

    def length(self, name: str) -> int:
        size = self.size.get(name)
        return size if size is not None else len(self.text.get(name, ""))

    def set(self, name: str, value: str) -> None:
        self.text[name] = value
        if name in self.more:
            del self.more[name]
            del self.size[name]

    def append(self, name: str, value: str) -> None:
        if name not in self.text:
            self.text[name] = value
            return
        pieces = self.more.get(name)
        if pieces is None:
            pieces = self.more[name] = []
            self.size[name] = len(self.text[name])
        pieces.append(value)
        self.size[name] += len(value)

    def pop(self, name: str) -> str | None:
        value = self.get(name)
        self.text.pop(name, None)
        return value

    def remove(self, name: str) -> None:
        self.text.pop(name, None)
        if name in self.more:
            del self.more[name]
            del self.size[name]


class Roff:
    """Feeds one page's lines, after roff processing, to the macro parser."""

    def __init__(
        self,
        parser: Builder,
        report: Reporter,
        path: Path | None,
        read: Callable[[Path, Reporter], str],
        so_root: Path | None = None,
        choose: Callable[[str | None], Builder] | None = None,
    ) -> None:
        """``read`` returns a file's text for ``.so``, reporting what decoding
        finds; it raises OSError when it cannot, ``errno.EFBIG`` for a file
        too large to read.

        ``choose``, when given, picks the parser once the first line reaches
        one, as mandoc picks the language: it gets that line's macro name
        (None for a text line) and returns the parser to go on with, which
        takes over from ``parser``.
        """
        self.parser = parser
        self.choose = choose
        #: The macros of every language the page may turn out to be in,
        #: while ``choose`` is still to pick one.
        self.standard: frozenset[str] = parser.known
        self.report = report
        self.path = path
        self.read = read
        self.so_root = so_root
        self.includes: list[Path] = [path.resolve()] if path is not None else []
        self.sources: list[Path] = []  # every file .so read, once, in order
        self.so_texts: dict[Path, str] = {}  # each file is read once per page
        self.so_count = 0  # files read with .so so far, repeats included
        self.so_bytes = 0
        self.so_level = 0  # .so files being read now
        self.so_stop = False  # a .so limit was reached: leave the included files
        self.strings = _Table(PREDEFINED_STRINGS)
        self.macros = _Table({})
        #: New name -> the standard macro or request it calls (mandoc's
        #: rentab): ``.rn Dd xD`` keeps mdoc's .Dd callable as .xD while a
        #: page defines a .Dd of its own, to expand $Mdocdate$ first.
        self.renamed: dict[str, str] = {}
        self.regs: dict[str, int] = {}
        self.steps: dict[str, int] = {}  # increments of \\n+ and \\n-, set by .nr
        self.tr: dict[str, str] = {}  # .tr of one character
        self.tr_esc: list[tuple[str, str]] = []  # .tr of an escape, newest first
        self.control = "."
        self.escape: str | None = "\\"
        self.scopes: list[_Scope] = []
        self.else_stack: list[bool] = []
        self.defining: _Definition | None = None
        self.frames: list[_Frame] = []
        self.depth = 0
        self.nest = 0  # requests running the rest of their line, one inside another
        self.loops = 0  # running .while loops, for .break
        self.in_scope = False  # the current line is the body of a conditional
        # Macros calling themselves several times grow exponentially even
        # within the nesting bound: lines they may still generate.
        self.budget = EXPANSION_BUDGET
        # The whole page's budgets (see PAGE_LINES and after), and which of
        # them ran out: each says so once.
        self.page_lines = PAGE_LINES
        self.page_text = PAGE_TEXT
        self.page_copy = PAGE_COPY
        self.page_escapes = PAGE_ESCAPES
        self.spent: set[str] = set()
        self.owed = 0  # what _live charges when it runs the rest of a request's line
        self.raw: str | None = None  # the request's line as written, and where it starts
        self.raw_offs = 0
        self.at = 0  # where mandoc places the request being run
        self.loop_reported: set[tuple[str, int]] = set()
        self.truncated: set[str] = set()  # strings cut at STRING_LIMIT, reported once
        self.truncated_macros: set[str] = set()  # the same for macros
        self.rcsids: set[str] = set()  # systems whose RCS id a comment carries
        self.comments = True  # keep comments until the first macro or text
        self.trap_lines = 0  # .it: text lines until the trap springs
        #: A string called as a macro: its text, which the next input line
        #: is appended to (mandoc's ROFF_APPEND from roff_userdef).
        self.append: str | None = None
        self.line_end = -1  # the input line is too long: where to say so
        self.trap_macro = ""
        #: .ce and .rj: the request's node while it takes text lines, and
        #: how many more it takes (mandoc's roffce_node, roffce_lines).
        self.ce_node: Node | None = None
        self.ce_lines = 0
        #: The open preprocessor block (a table, an equation), which takes
        #: the lines up to its end.
        self.block: Preprocessor | None = None
        #: The document's equation parser, made at its first equation: the
        #: state it keeps (definitions, ``delim``, ``gsize``) outlives each
        #: equation, as mandoc's last_eqn does.
        self.eqn: EqnParser | None = None
        #: The open equation was opened by an in-line delimiter (eqn_inline).
        self.eqn_inline = False
        #: In-line equation rewrites of the current input line (reparse_count),
        #: and whether the line being read is one of them.
        self.reparses = 0
        #: The pieces of rewritten lines still to read (text, offset, owed,
        #: depth of rewriting), and the depth of the piece being read.
        self.reread: list[tuple[str, int, int, int]] = []
        self.reread_depth = 0
        parser.getreg = self.getreg
        parser.setreg = self.setreg
        parser.expand_arg = self.expand_arg

    # ------------------------------------------------------------------
    # Registers and strings

    def getreg(self, name: str) -> int:
        if name in _READONLY_REGS:
            return _READONLY_REGS[name]
        if name == ".$":
            return len(self.frames[-1].args) if self.frames else 0
        return self.regs.get(name, 0)

    def setreg(self, name: str, value: int) -> None:
        self.regs[name] = value

    def translate(self, s: str) -> str:
        """Apply ``.tr`` to text as it goes into the tree (roff_strdup):
        characters one by one, escapes whole, either of them replaced."""
        xtab, xmb = self.tr, self.tr_esc
        if (not xmb or "\\" not in s) and xtab.keys().isdisjoint(s):
            return s
        out: list[str] = []
        i = 0
        n = len(s)
        while i < n:
            c = s[i]
            if c != "\\":
                out.append(xtab.get(c, c))
                i += 1
                continue
            for key, value in xmb:
                if s.startswith(key, i):
                    out.append(value)
                    i += len(key)
                    break
            else:
                # Other escapes are copied whole: nothing is replaced inside.
                e = scan_escape(s, i)
                if e.kind is Esc.ERROR:
                    out.append(s[i:])
                    break
                end = max(e.end, i + 1)
                out.append(s[i:end])
                i = end
        return "".join(out)

    # ------------------------------------------------------------------
    # Input

    def run(self, text: str, line_offset: int = 0) -> None:
        """Process a whole file's text."""
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        i = 0
        while i < len(lines):
            if self.so_stop and self.so_level:
                return  # a .so limit was reached: back to the page itself
            lineno = i + 1 + line_offset
            buf = lines[i]
            i += 1
            if buf.endswith("\r"):
                buf = buf[:-1]
            # Where mandoc would report this line as too long: it counts the
            # newline it adds to the file's last line.
            self.line_end = len(buf) - (i < len(lines)) if len(buf) > 80 else -1
            if self.line_end >= 0:
                self._long_line(lineno, buf, self.line_end, 0)
            # An escaped newline joins the next line onto this one.  Most
            # lines do not end in a backslash: test that cheaply first.  The
            # pieces are joined once: a long run of continued lines would
            # otherwise be copied once per line.
            if self._continues(buf):
                pieces = [buf[:-1]]
                while i < len(lines):
                    # mandoc reports a joined line under its last physical line.
                    nxt = lines[i]
                    i += 1
                    lineno += 1
                    if nxt.endswith("\r"):
                        nxt = nxt[:-1]
                    # What came before ends in an even run of escape characters,
                    # so the piece alone tells whether the line goes on.
                    if not self._continues(nxt):
                        pieces.append(nxt)
                        break
                    pieces.append(nxt[:-1])
                buf = "".join(pieces)
                self.line_end = -1  # mandoc checks no joined line
            if self.depth == 0:
                self.budget = EXPANSION_BUDGET
                self.reparses = 0
            self.line(lineno, buf)

    def _continues(self, buf: str) -> bool:
        """Does the line go on with the next one?  It ends in an unescaped
        escape character, and that is no part of a comment: mandoc strips
        comments before it looks for the escaped newline."""
        if not _continues(buf, self.escape):
            return False
        return self.escape != "\\" or _comment_start(buf) == len(buf)

    def _long_line(self, ln: int, buf: str, end: int, pos: int) -> None:
        """A line longer than 80 bytes as read from the file: a style message
        when it would be filled text from ``pos`` on, as mandoc's
        roff_parseln() checks each line it reads (and again the rest of a
        line after a condition), before any expansion."""
        first = buf[pos : pos + 1]
        if (
            self.block is not None
            or first in " .\\"
            or (self.control != "." and first == self.control)
            or self.parser.flags & Mode.NOFILL
            or not 0 <= buf.find(" ") < 80
        ):
            return
        self.report("TEXT_LONG", ln, end, f"{buf[pos : pos + 20]}...")

    def end(self) -> None:
        """End of input: name the block still open, as mandoc's roff_endparse().

        Like mandoc, only the innermost (a definition, else a conditional),
        at the line and column of the request that opened it; then an open
        preprocessor block.
        """
        opened = self.defining.opened if self.defining is not None else None
        if opened is None and self.scopes:
            opened = self.scopes[-1].opened
        if opened is not None:
            saved = self.report.file
            self.report.file = opened.file
            try:
                self.report("BLK_NOEND", opened.line, opened.pos, opened.request)
            finally:
                self.report.file = saved
        while self.block is not None:
            # An equation first, then the table it may stand in.
            block, self.block = self.block, None
            block.finish(self, True)

    def line(self, ln: int, buf: str) -> None:
        """One input line, from the file or from a macro body."""
        if self.append is not None:
            buf, self.append = self.append + buf, None
        if len(buf) > LINE_LIMIT:
            self.report("TOOLARGE", ln, 0)
            buf = buf[:LINE_LIMIT]
        if self.defining is not None:
            self._collect(ln, buf)
            return
        scoped = bool(self.scopes)
        if scoped:
            top = self.scopes[-1]
            if not top.brace:
                self.scopes.pop()
                # mandoc ends a next-line scope before it reads the line
                # (roff_cond_checkend): a conditional request there runs in
                # the scopes around it, not in this false one.
                if (not top.rule or not self._active()) and not (
                    self._active() and self._conditional_request(buf)
                ):
                    self._skip_line(ln, buf)
                    return
                # fall through: this one line is live
            elif not self._active():
                self._skip_line(ln, buf)
                return
        if scoped and "\\}" in buf:
            # Only a line in a conditional's scope is searched for \}
            # (roff_cond_checkend); elsewhere it is an escape that prints
            # nothing.  A \} in a comment closes nothing: mandoc strips
            # comments first.
            cut = _comment_start(buf) if self.escape == "\\" else len(buf)
            ctl = self._control(buf)
            if ctl is not None and buf.startswith("\\}", ctl):
                # A macro line that starts with \} closes its scope and is
                # dropped whole, whatever follows (roff_cond_checkend).
                self._close_braces(ln, buf[:cut])
                return
            live = self._close_braces(ln, buf[:cut], True)
            if live is None:
                return
            buf = live + buf[cut:]
        saved = self.in_scope
        self.in_scope = scoped
        try:
            self._live(ln, buf)
        finally:
            self.in_scope = saved

    def _active(self) -> bool:
        return all(s.rule for s in self.scopes)

    def _delimited(self, ln: int, buf: str, offs: int, owed: int) -> bool:
        """In-line equations (roff_eqndelim): outside equations and tables,
        a line with the opening delimiter is read again as the lines
        ``text``, ``.EQ``, ``equation``; inside an in-line equation, one
        with the closing delimiter as ``equation``, ``.EN``, ``text``.
        False when the line has no delimiter to act on."""
        block = self.block
        inside = isinstance(block, EqnBlock) and block.outer is None and self.eqn_inline
        if block is not None and not inside:
            return False
        assert self.eqn is not None
        rewritten = eqndelim(buf, offs, self.eqn.state, inside)
        if rewritten is None:
            return False
        self.reparses += 1
        stack = self.reread
        depth = self.reread_depth
        if self.reparses > REPARSE_LIMIT:
            # mandoc gives up the lines this one came from (the rest of
            # the innermost rewrite), then goes on with the outer ones.
            self.report("ROFFLOOP", ln, len(buf) + 1)
            while stack and stack[-1][3] == depth:
                stack.pop()
            return True
        self.eqn_inline = not inside
        pieces = rewritten.split("\n")
        if inside and depth and pieces[-1] == ".EN":
            # mandoc 1.14.6 gives the text of a line it reads again an
            # empty "\\&" after an equation that ends it (the line an
            # equation opened on, closed on the same input line).
            pieces.append("\\&")
        # The same line number for each piece; the first goes on from where
        # the line did (after a condition), as mandoc reads it again.  A
        # piece may be rewritten in turn: the pieces wait on one stack, the
        # newest first, so that a line of a thousand equations nests no calls.
        owed = owed if owed < 0 else 0
        stack.extend(
            (piece, offs if k == 0 else 0, owed, depth + 1)
            for k, piece in reversed(list(enumerate(pieces)))
        )
        if depth:
            return True  # the outermost rewrite reads the stack
        try:
            while stack:
                piece, off, owe, self.reread_depth = stack.pop()
                self._live(ln, piece, off, owe)
        finally:
            stack.clear()
            self.reread_depth = 0
        return True

    def _spend(self, budget: str, ln: int, pos: int, what: str) -> None:
        """A page budget ran out: say so the first time."""
        if budget not in self.spent:
            self.spent.add(budget)
            self.report("TOOLARGE", ln, pos, what)

    def _skip_line(self, ln: int, buf: str) -> None:
        """An input line in a false conditional.  mandoc expands it all the
        same (with its messages), then looks only at its structure."""
        if "\\" in buf or self.escape != "\\":
            expanded = self.expand(ln, buf)
            if expanded is None:
                return
            buf = expanded
        self._skip(ln, buf)

    def _conditional_request(self, buf: str) -> bool:
        ctl = self._control(buf)
        return ctl is not None and _request_name(buf, ctl)[0] in ("if", "ie", "el", "while")

    def _skip(self, ln: int, buf: str) -> None:
        """A line in a false conditional: only its scope structure matters."""
        ctl = self._control(buf)
        if ctl is not None:
            name, pos = _request_name(buf, ctl)
            self._macro_line_ends_centering(name)  # run or not (roff_cond_sub)
            if name in ("if", "ie", "el", "while"):
                self.owed = 0
                self._cond(ln, buf, name, pos, self._where(buf, ctl, True), True)
                return
        self._close_braces(ln, buf)

    def _close_braces(self, ln: int, buf: str, live: bool = False, at: int = 0) -> str | None:
        """Remove ``\\}`` and close one brace scope for each.

        On a ``live`` line (its conditional true) a ``\\}`` before the end of
        the line becomes ``\\&``, as roff_cond_checkend makes it, so the
        words around it stay apart from whatever the line goes on with.
        ``at`` is where ``buf`` starts in the input line, for messages.
        """
        if self.escape is None or "\\}" not in buf:
            return buf
        out = []
        i = 0
        closed = False
        while True:
            j = buf.find("\\}", i)
            if j < 0:
                out.append(buf[i:])
                break
            if escaped(buf, j):
                out.append(buf[i : j + 2])
                i = j + 2
                continue
            out.append(buf[i:j])
            if live and j + 2 < len(buf):
                out.append("\\&")
            i = j + 2
            for k in range(len(self.scopes) - 1, -1, -1):
                if self.scopes[k].brace:
                    del self.scopes[k:]
                    break
            else:
                self.report("BLK_NOTOPEN", ln, at + j, "\\}")
            closed = True
        rest = "".join(out)
        if closed:
            stripped = rest.strip()
            if stripped in ("", self.control, "'"):
                return None
        return rest

    def _control(self, buf: str, offs: int = 0) -> int | None:
        """Position after the control character and blanks, or None for text."""
        if offs >= len(buf):
            return None
        if buf[offs] == self.control or buf[offs] == "'":
            pos = offs + 1
        elif buf.startswith("\\.", offs) and self.escape is not None:
            pos = offs + 2
        else:
            return None
        while pos < len(buf) and buf[pos] in " \t":
            pos += 1
        return pos

    def _live(self, ln: int, buf: str, offs: int = 0, owed: int = -1) -> None:
        """A line that takes effect; it starts at ``offs`` (after a conditional).

        ``owed`` is how much of the line escapes made, for PAGE_TEXT, when
        they are expanded already: for the rest of a request's line, which
        is not expanded again (mandoc does not either; it would double
        ``.ec`` conversions and cost a pass over the line per request).
        """
        if self.eqn is not None and self.eqn.state.delim and self._delimited(ln, buf, offs, owed):
            return
        raw: str | None = None  # the line as written, when it is expanded here
        if owed < 0:
            owed = 0
            raw = buf
            # Without a backslash there is no escape, comment or string to expand.
            if "\\" in buf or self.escape != "\\":
                expanded = self.expand(ln, buf[offs:])
                if expanded is None:
                    return
                owed = max(0, len(expanded) - (len(buf) - offs))
                buf = buf[:offs] + expanded
        if self.block is not None and self.block.owns(buf, offs):
            # An equation takes every line but its end, requests included.
            if not owed or self._charge(ln, owed):
                self.block.read(self, ln, buf, offs)
            return
        ctl = self._control(buf, offs)
        if self.block is not None and (ctl is None or ctl >= len(buf)):
            # Text and empty requests are the block's own.
            if not owed or self._charge(ln, owed):
                self.block.read(self, ln, buf, offs)
            return
        if ctl is None:
            if owed and not self._charge(ln, owed):
                return
            self.comments = False
            if self.choose is not None:
                self._choose(None)
            # An input trap (.it) springs after its last text line.
            spring = self.trap_lines == 1
            if self.trap_lines:
                self.trap_lines -= 1
            if self.ce_node is not None and offs < len(buf):
                if self.ce_lines < 1:
                    self._end_centering()
                else:
                    self.ce_lines -= 1
            self.parser.parse_line(ln, _mark_hyphens(buf), offs, False)
            if spring:
                # A line of its own (mandoc reparses "text\n.macro"), outside
                # the conditional whose body the text line may have been.
                saved = self.in_scope
                self.in_scope = False
                try:
                    self._live(ln, "." + self.trap_macro)
                finally:
                    self.in_scope = saved
            return
        if ctl >= len(buf):
            return  # an empty request line
        if buf[ctl] == '"':
            self.report("COMMENT_BAD", ln, ctl)
            return
        self.comments = False
        name, pos = _request_name(buf, ctl)
        if not name and self.depth and buf.startswith("\\}", ctl):
            # A stray "\}" request line in a macro body (Tcl's man.macros
            # have one in .BE): mandoc 1.14.6 passes over it in silence,
            # where at the top level it says "skipping unknown macro".
            return
        end = ctl + len(name)
        if end + 1 < len(buf) and buf[end] == "\\" and buf[end + 1] not in "{}\\":
            # An escape ends the name (roff_getname): it cannot be part of one.
            self.report("NAMESC", ln, offs, buf[ctl : end + 2])
        if (
            self.block is not None
            and not self.in_scope
            and self.block.macro(self, ln, buf, ctl, name, pos)
        ):
            return
        self._macro_line_ends_centering(name)
        if self.renamed and name in self.renamed and name not in self.macros.text:
            self._call_renamed(ln, buf, name, ctl, owed)
            return
        if name not in self.macros.text and self._user_string(name):
            # A string the page defined, called as a macro: mandoc finds
            # the page's strings and macros before anything else, and a
            # string, having no newline at its end, goes before the next line.
            if owed and not self._charge(ln, owed):
                return
            self.append = self.strings.get(name) or ""
            return
        if name in self.parser.known and name not in self.macros.text:
            # A macro of the page's language, the common case: no roff
            # request has its name.
            if owed and not self._charge(ln, owed):
                return
            self._to_parser(name)
            self.parser.parse_line(ln, buf, ctl, True)
            return
        if name in self.macros.text:
            self._call_macro(ln, buf, name, pos)
            return
        # Inside a conditional, mandoc places a request (and its messages)
        # where the conditional's body starts (roff_cond_sub gets the line's
        # offset): the start of a line in a block, else the control
        # character after the condition; elsewhere at its name.
        at = offs if self.in_scope else ctl
        handler = _REQUESTS.get(name)
        if handler is not None:
            self.owed = owed  # for the requests that run the rest of the line
            self.raw, self.raw_offs = raw, offs  # for .while
            self.at = at
            handler(self, ln, buf, name, pos, ctl)
            return
        if name in _IGNORED:
            return
        if name in _UNSUPPORTED:
            self.report("REQ_UNSUPP", ln, at, name)
        elif name in _INSECURE:
            self.report("REQ_INSEC", ln, at, name)
        elif not owed or self._charge(ln, owed):
            if name in ELEMENT_ARGS:
                self._element(ln, buf, name, pos, at)
            else:
                undecided = self.choose is not None
                self._to_parser(name)
                self.parser.parse_line(ln, buf, ctl, True)
                # (While the language is still undecided, mandoc counts the
                # macros of both; the first line's name is left alone here.)
                if not undecided:
                    self.forget(name)

    def _to_parser(self, name: str) -> None:
        """Macro line ``name`` goes to the parser.

        The first line to do so picks the parser, when ``choose`` is set.
        ``.Dd`` and ``.TH`` are requests too (mandoc's roff_Dd): each
        forgets the page's own macros and strings named like a macro of its
        language, so that a page cannot redefine them before its prologue.
        """
        if self.choose is not None:
            self._choose(name)
        language = _PROLOGUES.get(name)
        if language is not None and language == self.parser.macroset:
            for known in self.parser.known:
                if known in self.macros.text or known in self.strings.text:
                    self.macros.remove(known)
                    self.strings.remove(known)
                    # Predefined strings (\*R) are not the page's own.
                    if known in PREDEFINED_STRINGS:
                        self.strings.set(known, PREDEFINED_STRINGS[known])
                self.renamed.pop(known, None)

    def _choose(self, name: str | None) -> None:
        """The first line for a parser: let ``choose`` pick the parser."""
        choose = self.choose
        assert choose is not None
        self.choose = None
        parser = choose(name)
        if parser is not self.parser:
            parser.take_over(self.parser)
            self.parser = parser

    def _call_renamed(self, ln: int, buf: str, name: str, ctl: int, owed: int) -> None:
        """A renamed mdoc macro: the line, under its standard name.

        As mandoc's roff_renamed, the standard macro is called even when the
        page has defined a macro of its old name since.
        """
        if owed and not self._charge(ln, owed):
            return
        old = self.renamed[name]
        self._to_parser(old)
        self.parser.parse_line(ln, buf[:ctl] + old + buf[ctl + len(name) :], ctl, True)

    def _charge(self, ln: int, owed: int) -> bool:
        """Charge text that expansion made, against PAGE_TEXT; False when it is spent.

        What is charged: the lines of macro bodies and of repeated loop
        bodies, when they run; and what escapes add to a line, when the line
        goes to the mdoc parser.  Not what requests do with a long string
        (store it, compare it): STRING_LIMIT and PAGE_COPY bound that.
        """
        self.page_text -= owed
        if self.page_text >= 0:
            return True
        self._spend("text", ln, 0, f"expansion made over {PAGE_TEXT} bytes of text in the page")
        return False

    def _escapes(self, ln: int, pos: int, count: int) -> bool:
        """Charge escapes that expansion brings in against PAGE_ESCAPES."""
        self.page_escapes -= count
        if self.page_escapes >= 0:
            return True
        self._spend("escapes", ln, pos, f"expansion made over {PAGE_ESCAPES} escapes in the page")
        return False

    def _run_lines(self, ln: int, count: int) -> bool:
        """Charge lines run from macro bodies and loops against PAGE_LINES."""
        self.page_lines -= count
        if self.page_lines >= 0:
            return True
        self._spend("lines", ln, 0, f"macros and loops ran over {PAGE_LINES} lines in the page")
        return False

    # ------------------------------------------------------------------
    # Escapes

    def expand(self, ln: int, buf: str, comments: bool = True) -> str | None:
        """Strip comments and expand strings, registers and macro arguments.

        Returns None when the whole line is to be ignored.
        """
        esc = self.escape
        if esc is None:
            return buf.replace("\\", "\\e")
        if esc != "\\":
            buf = buf.replace("\\", "\\e").replace(esc, "\\")
        # Comments first: they end the line wherever they start.
        start = 0
        while comments:
            j = buf.find("\\", start)
            if j < 0 or j + 1 >= len(buf):
                break
            c = buf[j + 1]
            if c == "\\":
                start = j + 2
                continue
            if c in '"#':
                text = buf[j + 2 :]
                if "$" in text:
                    self._rcs_id(ln, j + 1, text)
                if text.rstrip(" \t") != text:
                    self.report("SPACE_EOL", ln, len(buf) - 1)
                if self.comments:
                    self.parser.comment_alloc(ln, j + 1, text.rstrip(" \t"))
                if c == "#":
                    # \# takes the newline too: what came before it goes
                    # before the next input line (mandoc's ROFF_APPEND).
                    self.append = buf[:j]
                    return None
                else:
                    k = j
                    while k > 0 and buf[k - 1] == " " and (k == 1 or buf[k - 2] != "\\"):
                        k -= 1
                    buf = buf[:k]
                if not buf.strip() or buf == self.control:
                    # A request line holding only a comment does not reach
                    # the parser; a text line is left blank, as in mandoc.
                    # Inside a table the request line is the table's.
                    if buf[:1] in (self.control, "'") and self.block is None:
                        return None
                    return buf
                break
            start = j + 2
        if "\\" not in buf:
            return buf
        return self._expand_escapes(ln, buf)

    def _expand_escapes(self, ln: int, buf: str) -> str | None:
        """roff_expand(): replace ``\\*`` ``\\n`` ``\\$`` ``\\w`` ``\\B``, check the rest.

        Like mandoc, from the end of the line backwards: an escape inside
        another's argument is expanded first (``\\h'\\w'abc''``), ``\\n+``
        steps run right to left, and a replacement is scanned again, from
        its own end.
        """
        count = 0
        copied = 0
        i = len(buf)  # escapes are looked for before i
        while True:
            j = buf.rfind("\\", 0, i)
            if j < 0:
                return buf
            k = j
            while k > 0 and buf[k - 1] == "\\":
                k -= 1
            if (j - k) % 2:
                i = k  # an even run: escaped backslashes only
                continue
            i = k  # after this escape, the even run before it
            if j + 1 >= len(buf):
                continue
            # \E is \ outside copy mode; like mandoc, keep it in the text.
            at = j + 2 if buf[j + 1] == "E" and j + 2 < len(buf) else j + 1
            c = buf[at]
            if c in "*n$wB":
                if self.page_escapes < 0 or self.page_copy < 0:
                    return None  # spent: said so once already
                count += 1
                if count > EXPAND_LIMIT:
                    self.report("ROFFLOOP", ln, j)
                    return None
                repl, end = self._substitute(ln, buf, j, at)
                if repl is None:
                    continue  # left for the formatter: \*(.T
                if not self._escapes(ln, j, 1 + repl.count("\\")):
                    return None
                size = len(buf) - (end - j) + len(repl)
                if size > LINE_LIMIT:
                    self.report("TOOLARGE", ln, j)
                    return None
                # Splicing copies the line: bounded per line by LINE_COPY,
                # per page by PAGE_COPY.
                copied += size
                self.page_copy -= size
                if copied > LINE_COPY:
                    self.report("TOOLARGE", ln, j, f"expansion copied over {LINE_COPY} bytes")
                    return None
                if self.page_copy < 0:
                    what = f"expansion copied over {PAGE_COPY} bytes in the page"
                    self._spend("copy", ln, j, what)
                    return None
                buf = buf[:j] + repl + buf[end:]
                # The replacement may hold escapes of its own; as in mandoc,
                # the scan goes on from the first character after it, which
                # it thus sees twice (an escaped backslash there reads as an
                # escape of its own).
                i = min(j + len(repl) + 1, len(buf))
                continue
            self._check_escape(ln, buf, j)

    def _check_escape(self, ln: int, buf: str, j: int) -> None:
        """Report the escape at ``j`` when it is invalid, undefined or unsupported."""
        kind, end, arg = scan(buf, j)
        if kind is Esc.SPECIAL and char_lookup(arg) is None:
            kind = Esc.ERROR
        if kind is Esc.ERROR:
            self.report("ESC_BAD", ln, j, buf[j:end])
        elif kind is Esc.UNDEF:
            self.report("ESC_UNDEF", ln, j, buf[j:end])
        elif kind is Esc.UNSUPP:
            self.report("ESC_UNSUPP", ln, j, buf[j:end])

    def _recheck_escapes(self, ln: int, buf: str, start: int) -> None:
        """The escapes of ``buf`` from ``start`` on, checked a second time.

        mandoc runs the rest of a conditional's line through roff_parseln
        again (ROFF_RERUN), and with it roff_expand: what it substitutes
        is gone by then, and what it only checks is reported again.
        """
        i = len(buf)
        while True:
            j = buf.rfind("\\", start, i)
            if j < 0:
                return
            k = j
            while k > start and buf[k - 1] == "\\":
                k -= 1
            i = k
            if (j - k) % 2 or j + 1 >= len(buf):
                continue  # an escaped backslash, or one that ends the line
            at = j + 2 if buf[j + 1] == "E" and j + 2 < len(buf) else j + 1
            if buf[at] not in "*n$wB":
                self._check_escape(ln, buf, j)

    def expand_arg(self, ln: int, word: str) -> str:
        """Second expansion of an argument whose ``\\\\`` became ``\\``."""
        result = self.expand(ln, word, comments=False)
        return "" if result is None else result

    def _rcs_id(self, ln: int, pos: int, text: str) -> None:
        """Note an OpenBSD or NetBSD RCS id in a comment (mandoc checks them)."""
        for system, key in (("openbsd", "$OpenBSD"), ("netbsd", "$NetBSD")):
            k = text.find(key)
            if k < 0:
                continue
            rest = text[k + len(key) :]
            if (rest[:1].isalnum()) or "$" not in rest:
                return
            if system in self.rcsids:
                self.report("RCS_REP", ln, pos, text)
            self.rcsids.add(system)
            return

    def _substitute(self, ln: int, buf: str, j: int, k: int) -> tuple[str | None, int]:
        """Expand ``\\*``, ``\\n``, ``\\$``, ``\\w``, ``\\B`` at ``j`` (its letter at ``k``).

        Returns the replacement (None to leave the escape alone) and the end
        of the escape.
        """
        kind = buf[k]
        k += 1
        sign = ""
        if kind == "n" and k < len(buf) and buf[k] in "+-":
            sign = buf[k]
            k += 1
        if kind == "w":
            return self._width(ln, buf, j, k)
        if kind == "B":
            if k >= len(buf):
                return "", k
            end = buf.find(buf[k], k + 1)
            if end < 0:
                self.report("ESC_BAD", ln, j, buf[j:])
                return "0", len(buf)
            # Whether the whole argument is a numeric expression (mandoc
            # checks the syntax only: no division is made, none reported).
            arg = buf[k + 1 : end]
            ev = _Eval(arg, None, ln)
            ok = ev.evalnum(0, True, False) is not None and ev.pos == len(arg)
            return ("1" if ok else "0"), end + 1
        name, end = _escape_name(buf, k)
        if name is None:
            self.report("ESC_BAD", ln, j, buf[j:end])
            return "", end
        if kind == "*":
            value = self.strings.get(name)
            if value is None:
                value = self.macros.get(name)
            if value is None:
                if name == ".T":
                    return None, end  # the output device: the formatter's business
                self.report("STR_UNDEF", ln, j, name)
                self.strings.set(name, "")
                return "", end
            return value, end
        if kind == "n":
            return str(self._readreg(ln, j, name, sign)), end
        # \$n: a macro argument
        if not self.frames:
            self.report("ARG_UNDEF", ln, j, buf[j:end])
            return "", end
        args = self.frames[-1].args
        if name in ("*", "@"):
            if name == "@":
                return " ".join(f'"{a}"' for a in args), end
            return " ".join(args), end
        if name.isdigit():
            idx = int(name) if len(name) < 10 else 0
            return (args[idx - 1] if 0 < idx <= len(args) else ""), end
        return "", end

    def _width(self, ln: int, buf: str, j: int, k: int) -> tuple[str, int]:
        """``\\w'text'``: 24 basic units per character, as mandoc counts them.

        Escapes inside count as one character when they print one (a special
        character, ``\\N``, an undefined escape, ``\\o``), else as none; a
        missing closing delimiter is reported and the rest of the line counts.
        """
        if k >= len(buf):
            return "", k
        term = buf[k]
        p = k + 1
        n = len(buf)
        count = 0
        while True:
            if p >= n:
                self.report("ESC_BAD", ln, j, buf[j:])
                break
            c = buf[p]
            if c == term:
                p += 1
                break
            if c != "\\":
                count += 1
                p += 1
                continue
            kind, end, _ = scan(buf, p)
            if kind in _PRINTING:
                count += 1
            p = max(end, p + 1)
        return str(24 * count), p

    def _readreg(self, ln: int, pos: int, name: str, sign: str) -> int:
        """``\\n``: a register's value; ``\\n+`` and ``\\n-`` step it first.

        As in mandoc, reading a register that does not exist creates it, and
        the step is the one ``.nr`` set, 0 by default.
        """
        if name in _READONLY_REGS or name == ".$":
            return self.getreg(name)
        value = self.regs.get(name)
        if value is None:
            self.regs[name] = 0
            return 0
        if sign:
            step = self.steps.get(name, 0)
            value = self._wrap(ln, pos, value + step if sign == "+" else value - step)
            self.regs[name] = value
        return value

    def _wrap(self, ln: int, pos: int, value: int) -> int:
        """``value`` as a C int: wrapped around at 32 bits, with a message if it had to be."""
        if INT_MIN <= value <= INT_MAX:
            return value
        self.report("NUM_WRAP", ln, pos)
        return _i32(value)

    # ------------------------------------------------------------------
    # Requests

    def _element(self, ln: int, buf: str, name: str, pos: int, at: int) -> None:
        parser = self.parser
        centering = name in ("ce", "rj")
        if centering and self.ce_node is not None:
            # A second .ce replaces the first: it goes after the first's node.
            parser.last, parser.child_next = self.ce_node, False
        parser.element(ln, buf, at, pos, name, _words(buf, pos))
        if centering:
            self._center(ln, buf, pos, parser.last)

    def _center(self, ln: int, buf: str, pos: int, node: Node) -> None:
        """``.ce N``, ``.rj N``: the next N text lines become the
        request's children (roff_onearg), until a macro of the page's
        language comes first."""
        parser = self.parser
        if not node.children:
            parser.last, parser.child_next = node, True
            parser.word_alloc(ln, pos, "1").flags |= Flag.NOSRC
        count = node.children[0].string
        lines = _Eval(count, self.report, ln).evalnum(0, False, False)
        if lines is None:
            self.report("CE_NONUM", ln, pos, f"ce {buf[pos:]}")
            lines = 1
        if lines < 1:
            parser.last, parser.child_next = node, False
            self.ce_node, self.ce_lines = None, 0
        else:
            parser.last, parser.child_next = node.children[-1], False
            self.ce_node, self.ce_lines = node, lines

    def _macro_line_ends_centering(self, name: str) -> None:
        """mandoc: "for now, let high level macros abort .ce mode": a macro
        of the language (or unknown), .Dd, .TH, .EQ or .TS."""
        if self.ce_node is not None and (name in _ENDS_CENTERING or not self.is_request(name)):
            self._end_centering()

    def _end_centering(self) -> None:
        """What follows goes after the .ce or .rj node, not into it."""
        assert self.ce_node is not None
        self.parser.last, self.parser.child_next = self.ce_node, False
        self.ce_node, self.ce_lines = None, 0

    def _req_ds(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        sname, rest = _name_and_rest(buf, pos)
        if not sname:
            return
        if rest.startswith('"'):
            rest = rest[1:]
        if "\\\\" in rest:
            rest = rest.replace("\\\\", "\\")  # mandoc's rudimentary copy mode
        append = name.startswith("as") and sname in self.strings.text
        have = self.strings.length(sname) if append else 0
        if have + len(rest) > STRING_LIMIT:
            if sname not in self.truncated:
                self.report("TOOLARGE", ln, pos, f"string {sname} over {STRING_LIMIT} bytes")
                self.truncated.add(sname)
            rest = rest[: max(0, STRING_LIMIT - have)]
        if append:
            self.strings.append(sname, rest)
        else:
            self.strings.set(sname, rest)
        self.macros.remove(sname)

    def _req_nr(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        words = _words(buf, pos)
        if not words:
            return
        rname = words[0][1]
        if len(words) < 2:
            return
        # As in mandoc: the value, then the step for \n+ and \n-, each a
        # numeric expression running to the first character it cannot read.
        start = words[1][0]
        sign = buf[start] if buf[start] in "+-" else ""
        val = buf[start + len(sign) :]
        ev = _Eval(val, self.report, ln)
        value = ev.evalnum(0, True, False)
        if value is None:
            return
        step_at = ev.pos
        while step_at < len(val) and val[step_at] in _SPACE:
            step_at += 1
        step = _Eval(val[step_at:], self.report, ln).evalnum(0, False, False)
        if ev.wrapped:
            self.report("NUM_WRAP", ln, start)
        if sign == "+":
            value = self._wrap(ln, start, self.regs.get(rname, 0) + value)
        elif sign == "-":
            value = self._wrap(ln, start, self.regs.get(rname, 0) - value)
        self.regs[rname] = value
        if step is not None:
            self.steps[rname] = _i32(step)

    def _req_rr(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        for _, w in _words(buf, pos):
            self.regs.pop(w, None)

    def _req_rm(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        for _, w in _words(buf, pos):
            self.strings.remove(w)
            self.macros.remove(w)

    def _req_rn(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        words = _words(buf, pos)
        if len(words) < 2:
            return
        old, new = words[0][1], words[1][1]
        # As mandoc's roff_rn: a string or macro of the page moves; a renamed
        # mdoc macro is renamed again; an mdoc macro gets a second name (its
        # own still calls it).  mandoc renames no request.
        for table in (self.strings, self.macros):
            value = table.pop(old)
            if value is not None:
                table.set(new, value)
                self.renamed.pop(old, None)
                return
        if old in self.renamed:
            self.renamed[new] = self.renamed.pop(old)
        elif old in self.parser.known:
            self.renamed[new] = old
        else:
            self.renamed.pop(new, None)
            return
        self.strings.pop(new)

    def _req_als(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        words = _words(buf, pos)
        if len(words) < 2:
            return
        new, old = words[0][1], words[1][1]
        value = self.macros.get(old)
        if value is not None:
            self.macros.set(new, value)
            return
        value = self.strings.get(old)
        if value is not None:
            self.strings.set(new, value)

    def _req_tr(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        """``.tr abcd``: pairs of characters, each an escape or one byte (roff_tr)."""
        if pos >= len(buf):
            self.report("REQ_EMPTY", ln, self.at, "tr")
            return
        i = pos
        n = len(buf)
        while i < n:
            first, i = self._tr_char(ln, buf, i)
            if first is None:
                return
            if i < n:
                second, i = self._tr_char(ln, buf, i)
                if second is None:
                    return
            else:
                self.report("TR_ODD", ln, i - len(first), f"tr {first}")
                second = " "
            if len(first) > 1:
                # An escape: the newest such entry is looked at first.
                self.tr_esc = [(k, v) for k, v in self.tr_esc if k != first]
                self.tr_esc.insert(0, (first, second))
            else:
                self.tr[first] = second
        # Words go through the table only once a page has one: most never
        # do, and a method call per word is not free.
        self.parser.translate = self.translate

    def _tr_char(self, ln: int, buf: str, i: int) -> tuple[str | None, int]:
        """One character of ``.tr`` at ``i`` and where the next starts."""
        if buf[i] != "\\":
            return buf[i], i + 1
        e = scan_escape(buf, i)
        if e.kind is Esc.ERROR:
            self.report("ESC_BAD", ln, e.end, buf[i:])
            return None, e.end
        return buf[i : e.end], max(e.end, i + 1)

    def _req_cc(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        arg = buf[pos:].strip()
        self.control = arg[0] if arg else "."

    def _req_ec(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        arg = buf[pos:].strip()
        self.escape = arg[0] if arg else "\\"

    def _req_eo(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        self.escape = None

    def _req_nop(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        if pos < len(buf) and self._nest(ln, ctl):
            try:
                self._live(ln, buf, pos, self.owed)
            finally:
                self.nest -= 1

    def _req_so(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        target = buf[pos:].strip()
        self.report("SO", ln, self.at, f"so {target}")
        if not target:
            self.report("REQ_EMPTY", ln, self.at, name)
            return
        rel = Path(target)
        if rel.is_absolute() or ".." in rel.parts:
            self.report("SO_PATH", ln, self.at, f".so {target}")
            self._so_missing(ln, target)
            return
        if self.depth >= MACRO_DEPTH:
            self.report("ROFFLOOP", ln, self.at)
            return
        if self.so_stop:
            self.report("SO_FAIL", ln, pos, f".so {target}: too many files read with .so")
            return
        found, why = self._so_target(rel)
        if found is None:
            self.report("SO_FAIL", ln, pos, f".so {target}: {why}")
            self._so_missing(ln, target)
            return
        if found in self.includes:
            # A page that includes itself, directly or not: mandoc would
            # repeat it until its depth limit; once is enough to report.
            self.report("ROFFLOOP", ln, self.at)
            return
        text = self.so_texts.get(found)
        if text is None:
            try:
                text = self._read(found)
            except OSError as exc:
                kind = "TOOLARGE" if exc.errno == errno.EFBIG else "SO_FAIL"
                self.report(kind, ln, pos, f".so {target}: {exc.strerror or exc}")
                return
            self.so_texts[found] = text
        # Inclusions multiply (a file reading another a thousand times, which
        # reads a third a thousand times): count them all, repeats included,
        # and when a bound is reached leave every included file for the page.
        self.so_count += 1
        self.so_bytes += len(text)
        if self.so_count > SO_LIMIT or self.so_bytes > SO_BYTES:
            self.so_stop = True
            what = f"{SO_LIMIT} files" if self.so_count > SO_LIMIT else f"{SO_BYTES} bytes"
            self.report("TOOLARGE", ln, pos, f".so {target}: over {what} read with .so")
            return
        if found not in self.sources:
            self.sources.append(found)
        self.depth += 1
        self.so_level += 1
        self.includes.append(found)
        saved = self.report.file
        self.report.file = str(found)
        try:
            self.run(text)
        finally:
            self.depth -= 1
            self.so_level -= 1
            self.includes.pop()
            self.report.file = saved

    def _so_missing(self, ln: int, target: str) -> None:
        """What mandoc reads in place of a file ``.so`` cannot read."""
        for text in (".sp", f"See the file {target}.", ".sp"):
            self._live(ln, text)

    def _read(self, path: Path) -> str:
        """A file's text for ``.so``; what decoding finds is reported against it."""
        saved = self.report.file
        self.report.file = str(path)
        try:
            return self.read(path, self.report)
        finally:
            self.report.file = saved

    def _so_target(self, rel: Path) -> tuple[Path | None, str]:
        """Where ``.so rel`` points, if that stays inside the allowed tree; else why not.

        The page's folder first, then the ``so_root`` (a manual root, where
        pages write ``.so man3/other.3``).  Nothing outside ``so_root`` (or,
        without one, outside the page's folder) is ever read, symbolic links
        included: a page cannot pull in /etc/passwd.  Only regular files are
        read: not a directory, a device or a FIFO (whose opening would wait
        for a writer).
        """
        base = self.path.parent if self.path is not None else None
        roots = [r for r in (base, self.so_root) if r is not None]
        if not roots:
            return None, "no file to be relative to"
        why = "No such file or directory"
        try:
            fence = (self.so_root or roots[0]).resolve()
            for root in roots:
                path = (root / rel).resolve()
                if not path.is_relative_to(fence):
                    why = "outside the folders .so may read"
                    continue
                if path.is_file():
                    return path, ""
                if path.exists():
                    why = "not a regular file"
        except (OSError, ValueError) as exc:
            # ENAMETOOLONG, ELOOP, EACCES; ValueError for a NUL in the name.
            why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return None, why

    def _req_it(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        """``.it N macro``: call the macro after the next N text lines."""
        ev = _Eval(buf, self.report, ln)
        lines = ev.evalnum(pos, False, False)
        if lines is None:
            self.report("IT_NONUM", ln, self.at, f"it {buf[pos:]}")
            return
        at = ev.pos
        while at < len(buf) and buf[at] in _SPACE:
            at += 1
        macro = buf[at:]
        # DocBook's man pages arm groff's internal an-trap; mandoc breaks
        # the line instead, and so here.
        self.trap_lines = lines
        self.trap_macro = "br" if lines == 1 and macro == "an-trap" else macro

    def _req_shift(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        if not self.frames:
            self.report("REQ_NOMAC", ln, self.at, name)
            return
        words = _words(buf, pos)
        n = 1
        if words and words[0][1].isdigit():
            n = _Eval(words[0][1], self.report, ln).evalnum(0, False, False) or 0
        del self.frames[-1].args[: max(n, 0)]

    def _req_return(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        if not self.frames:
            self.report("REQ_NOMAC", ln, self.at, name)
            return
        raise _Return

    def _req_break(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        if self.loops:
            raise _Break

    def _req_char(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        # Character definitions only affect glyph output; keep them as strings
        # so that \(xx and \[xx] of a defined name are not reported as bad.
        return

    def _req_unsupported_block(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        self.report("REQ_UNSUPP", ln, self.at, name)

    def is_request(self, name: str) -> bool:
        """Is ``name`` a roff request or a macro the page defined (what
        mandoc's roff_parse finds), rather than a macro of the language?"""
        return (
            name in _REQUESTS
            or name in _IGNORED
            or name in _UNSUPPORTED
            or name in _INSECURE
            or name in ELEMENT_ARGS
            or name in self.macros.text
            or name in self.renamed
            or self._user_string(name)
        )

    def forget(self, name: str) -> None:
        """A name that is no macro, request or string is defined empty
        once used, as mandoc's roff_parse does: only its first use is
        reported.  So is the empty name of a line whose name starts with
        an escape."""
        if name not in self.parser.known and name not in self.strings.text:
            self.macros.set(name, "")

    def _req_cblock(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        """``..`` (the request named "."), outside a definition: mandoc's
        roff_cblock, which ends a block only inside ``.de`` and its kin."""
        self.report("BLK_NOTOPEN", ln, self.at, "..")

    def _req_open(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        """A request opening a preprocessor block (``.TS``, ``.EQ``)."""
        self.block = _PREPROCESSORS[name](self, ln, buf, pos)

    def _req_EN(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        """``.EN``: the equation ends and is parsed (roff_EN)."""
        block = self.block
        if isinstance(block, EqnBlock):
            self.block = block.outer
            block.finish(self, False)
        else:
            self.report("BLK_NOTOPEN", ln, self.at, name)
        if pos < len(buf):
            self.report("ARG_SKIP", ln, pos, f"EN {buf[pos:]}")

    def _req_TE(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        """``.TE``: the table ends; one without data leaves vertical space."""
        self.parser.flags &= ~Mode.NONOFILL
        block = self.block
        if not isinstance(block, TblBlock):
            self.report("BLK_NOTOPEN", ln, self.at, name)
            return
        self.block = None
        if not block.finish(self, False):
            self._live(ln, ".sp")

    def _req_T_(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        """``.T&``: a new layout for the rest of the table."""
        block = self.block
        if not isinstance(block, TblBlock):
            self.report("BLK_NOTOPEN", ln, self.at, name)
            return
        tbl_reader.restart(block.table, self.report, ln, self.at)

    def _req_define(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        self._define(ln, buf, name, pos, self._where(buf, ctl, self.in_scope), False)

    def _define(self, ln: int, buf: str, name: str, pos: int, at: int, dry: bool) -> None:
        request = name.removesuffix("1")  # de1 is de here, as in mandoc
        words = _words(buf, pos)
        end = ".."
        opened = None if dry else self._opened(request, ln, at)
        if name == "ig":
            if words:
                end = "." + words[0][1]
            self.defining = _Definition(None, end, False, False, opened=opened)
            return
        mname = words[0][1] if words else ""
        indirect = name.startswith(("dei", "ami"))
        if indirect and mname:
            value = self.strings.get(mname)
            if value is None:
                self.report("STR_UNDEF", ln, words[0][0], mname)
            mname = value or ""
        if not mname:
            # mandoc ignores the request: no block opens.
            if not dry:
                self.report("REQ_EMPTY", ln, at, request)
            return
        if len(words) > 1:
            endname: str | None = words[1][1]
            if indirect:
                endname = self.strings.get(words[1][1])
                if endname is None:
                    self.report("STR_UNDEF", ln, words[1][0], words[1][1])
            if endname:
                end = "." + endname
        self.defining = _Definition(
            None if dry else mname, end, name.startswith("am"), indirect, opened=opened
        )

    def _collect(self, ln: int, buf: str) -> None:
        d = self.defining
        assert d is not None
        ctl = self._control(buf)
        if ctl is not None:
            word = buf[ctl:].split(" ", 1)[0].split("\t", 1)[0]
            if word == "." or "." + word == d.end:  # as in mandoc, ".." ends any block
                self.defining = None
                if d.name is not None:
                    body = "\n".join(d.lines)
                    append = d.append and d.name in self.macros.text
                    if append:
                        body = "\n" + body
                    have = self.macros.length(d.name) if append else 0
                    if have + len(body) > STRING_LIMIT:
                        if d.name not in self.truncated_macros:
                            self.truncated_macros.add(d.name)
                            self.report(
                                "TOOLARGE", ln, 0, f"macro {d.name} over {STRING_LIMIT} bytes"
                            )
                        body = body[: max(0, STRING_LIMIT - have)]
                    if append:
                        self.macros.append(d.name, body)
                    else:
                        self.macros.set(d.name, body)
                    self.strings.remove(d.name)
                return
        if d.name is not None:
            # Bodies are expanded once when defined and once when called, as in
            # mandoc: a page writes \\$1 to reach the call's argument.
            expanded = self.expand(ln, buf)
            if expanded is not None:
                d.lines.append(expanded.replace("\\\\", "\\"))

    def _call_macro(self, ln: int, buf: str, name: str, pos: int) -> None:
        if self.budget < 0:
            return  # this input line's expansion was cut off already
        if self.depth >= MACRO_DEPTH:
            self.report("ROFFLOOP", ln, 0)
            self.budget = -1
            return
        args = [w for _, w in _macro_args(buf, pos)]
        body = self.macros.get(name) or ""
        lines = body.split("\n") if body else []
        if len(lines) > self.budget:
            if self.budget >= 0:
                self.report("ROFFLOOP", ln, 0)
            self.budget = -1
            return
        self.budget -= len(lines)
        if not (
            self._run_lines(ln, len(lines))
            and self._charge(ln, len(body))
            and self._escapes(ln, 0, body.count("\\"))
        ):
            self.budget = -1
            return
        self.frames.append(_Frame(args))
        self.depth += 1
        line_end, self.line_end = self.line_end, -1
        try:
            for line in lines:
                self.line(ln, line)
            if self.append is not None:
                # A string called on the body's last line is a line of its own.
                pending, self.append = self.append, None
                self.line(ln, pending)
        except _Return:
            pass
        finally:
            self.depth -= 1
            self.frames.pop()
            self.line_end = line_end

    def _user_string(self, name: str) -> bool:
        """Whether ``name`` is a string the page defined (not one mandoc predefines)."""
        if name not in self.strings.text:
            return False
        predefined = PREDEFINED_STRINGS.get(name)
        return predefined is None or self.strings.get(name) != predefined

    def _req_cond(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        self._cond(ln, buf, name, pos, self._where(buf, ctl, self.in_scope), False)

    def _where(self, buf: str, ctl: int, scoped: bool) -> int:
        """Where mandoc places a request that opens a block: at its name, or
        at its control character when it runs inside a conditional."""
        start = ctl - 1
        while start > 0 and buf[start] in " \t":
            start -= 1
        return start if scoped or start > 0 else ctl

    def _opened(self, request: str, ln: int, at: int) -> _Opened:
        return _Opened(request, self.report.file, ln, at)

    def _cond(self, ln: int, buf: str, name: str, pos: int, at: int, forced_false: bool) -> None:
        if not self._nest(ln, at):
            return
        try:
            self._cond1(ln, buf, name, pos, at, forced_false)
        finally:
            self.nest -= 1

    def _nest(self, ln: int, at: int) -> bool:
        """Enter a request that runs the rest of its line; False when too deep."""
        if self.depth + self.nest >= NEST_LIMIT:
            key = (self.report.file, ln)
            if key not in self.loop_reported:
                self.loop_reported.add(key)
                self.report("TOOLARGE", ln, at, f"requests nested over {NEST_LIMIT} deep")
            return False
        self.nest += 1
        return True

    def _cond1(self, ln: int, buf: str, name: str, pos: int, at: int, forced_false: bool) -> None:
        owed = self.owed
        cond_at = pos
        if name == "el":
            rule = self.else_stack.pop() if self.else_stack else False
        else:
            rule, pos = self._evalcond(ln, buf, pos)
        if name == "ie":
            self.else_stack.append(not rule)
        if forced_false:
            rule = False
        if pos >= len(buf) and name != "while":
            self.scopes.append(_Scope(rule, False, self._opened(name, ln, at)))
            self._empty_body(ln, buf, pos, owed)
            return
        while pos < len(buf) and buf[pos] == " ":
            pos += 1
        brace = buf.startswith("\\{", pos)
        if brace:
            pos += 2
            while pos < len(buf) and buf[pos] == " ":
                pos += 1
        elif pos >= len(buf):
            self.report("COND_EMPTY", ln, at, name)
            if rule:
                self._empty_body(ln, buf, pos, owed)
            return
        rest = buf[pos:]
        if self.line_end >= 0:
            # mandoc parses the rest of the line again, and checks its
            # length again (against the line as read) from there.
            self._long_line(ln, buf, self.line_end, pos)
        if self.escape == "\\" and "\\" in rest:
            self._recheck_escapes(ln, buf, pos)
        if name == "while":
            self._while(ln, buf, pos, brace, rule, cond_at, at)
            return
        if brace:
            self.scopes.append(_Scope(rule, True, self._opened(name, ln, at)))
        if not rest:
            if rule:
                self._empty_body(ln, buf, pos, owed)
            return
        if rule and self._active():
            live = self._close_braces(ln, buf[pos:], True, pos)
            if live:
                saved = self.in_scope
                self.in_scope = True
                try:
                    self._live(ln, buf[:pos] + live, pos, owed)
                finally:
                    self.in_scope = saved
        else:
            self._skip(ln, rest)

    def _empty_body(self, ln: int, buf: str, pos: int, owed: int) -> None:
        """A true conditional with nothing after it (or after its ``\\{``):
        mandoc parses the empty rest of the line as a text line, which is a
        blank line there (roff_cond runs the line again from ``pos``)."""
        if not self._active():
            return
        saved = self.in_scope
        self.in_scope = True
        try:
            self._live(ln, buf, pos, owed)
        finally:
            self.in_scope = saved

    def _while(
        self, ln: int, buf: str, pos: int, brace: bool, rule: bool, cond_at: int, at: int
    ) -> None:
        """Run a one-line ``.while`` body while its condition holds, bounded.

        Each loop stops after LOOP_LIMIT rounds; loops inside loops multiply,
        so every round after the first also counts against PAGE_LINES and
        PAGE_ESCAPES, and its text against PAGE_TEXT when it reaches the
        mdoc parser.

        As in mandoc, each round reads the line again, so that escapes in the
        condition and the body see what the last round changed; that needs
        the line as written, which a ``.while`` inside another request's
        line does not have here: its condition is the expanded one.
        """
        if brace:
            self.report("WHILE_FAIL", ln, 0)
            self.scopes.append(_Scope(False, True, self._opened("while", ln, at)))
            self._skip(ln, buf[pos:])
            return
        owed = self.owed
        raw, offs = self.raw, self.raw_offs
        body_escapes = buf.count("\\", pos)
        self.loops += 1
        saved = self.in_scope
        self.in_scope = True
        try:
            for i in range(LOOP_LIMIT):
                if not rule:
                    return
                if i and not (self._run_lines(ln, 1) and self._escapes(ln, 0, body_escapes)):
                    return
                try:
                    self._live(ln, buf, pos, owed if i == 0 else len(buf) - pos)
                except _Break:
                    return
                if raw is not None:
                    again = self.expand(ln, raw[offs:])
                    ctl = None if again is None else self._control(raw[:offs] + again, offs)
                    if again is None or ctl is None:
                        return
                    buf = raw[:offs] + again
                    cond_at = _request_name(buf, ctl)[1]
                rule, pos = self._evalcond(ln, buf, cond_at)
                while pos < len(buf) and buf[pos] == " ":
                    pos += 1
            # Loops inside loops would say so once per round of the outer one.
            key = (self.report.file, ln)
            if key not in self.loop_reported:
                self.loop_reported.add(key)
                self.report("ROFFLOOP", ln, 0)
        finally:
            self.loops -= 1
            self.in_scope = saved

    def _evalcond(self, ln: int, buf: str, pos: int) -> tuple[bool, int]:
        want = True
        if pos < len(buf) and buf[pos] == "!":
            want = False
            pos += 1
        if pos >= len(buf):
            return False, pos
        c = buf[pos]
        if c in "no":
            return want, pos + 1
        if c in "etv":
            return not want, pos + 1
        if c == "c":
            pos += 1
            while pos < len(buf) and buf[pos] == " ":
                pos += 1
            if pos < len(buf) and buf[pos] == "\\":
                e = scan_escape(buf, pos)
                ok = e.kind in (Esc.UNICODE, Esc.NUMBERED) or (
                    e.kind is Esc.SPECIAL and char_lookup(e.arg) is not None
                )
                return ok == want, e.end
            return want, pos + 1
        if c in "dr":
            k = pos + 1
            while k < len(buf) and buf[k] == " ":
                k += 1
            rname, end, _, bad = _getname(buf, k)
            if bad is not None:
                self.report("NAMESC", ln, k, bad)
            if not rname:
                return False, end
            if c == "r":
                ok = rname in self.regs or rname in _READONLY_REGS
            else:
                # A string, a macro of the page or renamed, or a macro of
                # the language: of either while it is undecided (roff_getstrn,
                # ROFFDEF_ANY).
                standard = self.parser.known if self.choose is None else self.standard
                ok = (
                    rname in self.strings.text
                    or rname in self.macros.text
                    or rname in self.renamed
                    or rname in standard
                )
            return ok == want, end
        # A numeric expression; if none starts here, a string comparison.
        ev = _Eval(buf, self.report, ln)
        value = ev.evalnum(pos, True, False)
        if ev.wrapped:
            self.report("NUM_WRAP", ln, pos)
        if value is not None:
            return (value > 0) == want, ev.pos
        if ev.pos != pos:
            return False, ev.pos
        # String comparison: 'a'b' with any delimiter.
        delim = c
        a_end = buf.find(delim, pos + 1)
        b_end = buf.find(delim, a_end + 1) if a_end >= 0 else -1
        if a_end < 0 or b_end < 0:
            return False, len(buf)
        same = buf[pos + 1 : a_end] == buf[a_end + 1 : b_end]
        return same == want, b_end + 1


# The requests by name. Built after the class rather than in its body, so
# that the module also compiles with mypyc, whose classes cannot hold a
# table of their own methods.
_REQUESTS: Final[dict[str, Callable[[Roff, int, str, str, int, int], None]]] = {
    "ds": Roff._req_ds, "ds1": Roff._req_ds, "as": Roff._req_ds, "as1": Roff._req_ds,
    "nr": Roff._req_nr, "rr": Roff._req_rr, "rm": Roff._req_rm, "rn": Roff._req_rn,
    "als": Roff._req_als, "tr": Roff._req_tr, "cc": Roff._req_cc, "ec": Roff._req_ec,
    "eo": Roff._req_eo, "nop": Roff._req_nop, "so": Roff._req_so, "it": Roff._req_it,
    "shift": Roff._req_shift, "return": Roff._req_return, "break": Roff._req_break,
    "char": Roff._req_char,
    "if": Roff._req_cond, "ie": Roff._req_cond, "el": Roff._req_cond, "while": Roff._req_cond,
    "de": Roff._req_define, "de1": Roff._req_define, "dei": Roff._req_define,
    "dei1": Roff._req_define, "am": Roff._req_define, "am1": Roff._req_define,
    "ami": Roff._req_define, "ami1": Roff._req_define, "ig": Roff._req_define,
    ".": Roff._req_cblock,
    "TS": Roff._req_open, "TE": Roff._req_TE, "T&": Roff._req_T_,
    "EQ": Roff._req_open, "EN": Roff._req_EN,
}  # fmt: skip


class Preprocessor:
    """An open preprocessor block: the lines up to its closing request.

    The roff layer hands it each text line and empty request line
    (:meth:`read`) and offers it each macro line first (:meth:`macro`);
    :meth:`finish` ends it.  A preprocessor is one entry of
    :data:`_PREPROCESSORS`, by the request that opens its block, and its
    closing requests are in :data:`_REQUESTS`.
    """

    def read(self, roff: Roff, ln: int, buf: str, pos: int) -> None:
        raise NotImplementedError

    def owns(self, buf: str, offs: int) -> bool:
        """Whether the block takes this line whole, whatever it is, before
        the roff layer looks at it (an equation's lines up to ``.EN``)."""
        return False

    def macro(self, roff: Roff, ln: int, buf: str, ctl: int, name: str, pos: int) -> bool:
        """A macro line inside the block: True when the block took it."""
        raise NotImplementedError

    def finish(self, roff: Roff, still_open: bool) -> bool:
        """The block ends (``still_open``: the input does); False: it was empty."""
        raise NotImplementedError


#: Requests that end .ce and .rj as the macros of a language do (roff_parseln).
_ENDS_CENTERING: Final = frozenset({"Dd", "TH", "EQ", "TS"})

#: Requests that a table takes as lines rather than run (roff_parseln).
_TBL_SKIPPED: Final = frozenset({"TS", "br", "ce", "rj", "sp"})


class TblBlock(Preprocessor):
    """A table (``.TS``): its lines go to :mod:`mdoc2rst.tbl`, and each
    data row it makes becomes a TBL node at the cursor."""

    def __init__(self, line: int, pos: int) -> None:
        self.table = Table(line, pos)

    @staticmethod
    def open(roff: Roff, ln: int, buf: str, pos: int) -> Preprocessor:
        """``.TS`` (roff_TS): a table opened in an open one breaks it."""
        if roff.block is not None:
            # Only reachable through a conditional: inside a block, the
            # block sees its opening request as a misplaced macro.
            roff.report("BLK_BROKEN", ln, roff.at, "TS breaks TS")
            block, roff.block = roff.block, None
            block.finish(roff, False)
        roff.parser.flags |= Mode.NONOFILL
        return TblBlock(ln, roff.at)

    def read(self, roff: Roff, ln: int, buf: str, pos: int) -> None:
        tbl_reader.read(self.table, roff.report, ln, buf, pos)
        roff.parser.table(ln, self.table.take_new())

    def macro(self, roff: Roff, ln: int, buf: str, ctl: int, name: str, pos: int) -> bool:
        """A macro of the language, or a request that breaks a line, is
        skipped with a message; the rest of a macro's line is table data.
        Other requests run as anywhere else."""
        request = roff.is_request(name)
        if request and name not in _TBL_SKIPPED:
            return False
        if request:
            roff.report("TBLMACRO", ln, pos, buf[ctl:])
            return True
        roff.report("TBLMACRO", ln, ctl, buf[ctl:])
        roff.forget(name)
        k = ctl
        while k < len(buf) and buf[k] != " ":
            k += 1
        while k < len(buf) and buf[k] == " ":
            k += 1
        self.read(roff, ln, buf, k)
        return True

    def finish(self, roff: Roff, still_open: bool) -> bool:
        return tbl_reader.end(self.table, roff.report, still_open)


class EqnBlock(Preprocessor):
    """An equation (``.EQ``): its EQN node is placed at once, its lines are
    collected up to ``.EN`` and parsed then, with the document's state.

    An equation opened in a table (through a request the table runs) takes
    the lines before the table does, as in mandoc; ``outer`` is that table,
    open again when the equation ends.
    """

    def __init__(self, node: Node, outer: Preprocessor | None) -> None:
        self.node = node
        self.outer = outer
        self.lines: list[str] = []

    @staticmethod
    def open(roff: Roff, ln: int, buf: str, pos: int) -> Preprocessor:
        """``.EQ`` (roff_EQ): the node now, and what the request line has
        after its name skipped."""
        node = roff.parser.equation(ln, roff.at)
        if roff.eqn is None:
            roff.eqn = EqnParser(roff.report.file)
        if pos < len(buf):
            roff.report("ARG_SKIP", ln, pos, f".EQ {buf[pos:]}")
        return EqnBlock(node, roff.block)

    def owns(self, buf: str, offs: int) -> bool:
        return not buf.startswith(".EN", offs)

    def read(self, roff: Roff, ln: int, buf: str, pos: int) -> None:
        self.lines.append(buf[pos:])

    def macro(self, roff: Roff, ln: int, buf: str, ctl: int, name: str, pos: int) -> bool:
        return False  # every line but .EN was the equation's (owns)

    def finish(self, roff: Roff, still_open: bool) -> bool:
        n = self.node
        if still_open:
            roff.report("BLK_NOEND", n.line, n.pos, "EQ")
            roff.block = self.outer
        assert roff.eqn is not None
        eq = roff.eqn.parse(self.lines, n.line, n.pos)
        n.eqn = eq.root
        file = roff.report.file  # the file the equation was read from
        roff.report.items.extend(replace(d, file=file) for d in eq.diagnostics)
        return True


#: Preprocessors by the request that opens their block: each opens its
#: block as its request does.
_PREPROCESSORS: Final[dict[str, Callable[[Roff, int, str, int], Preprocessor]]] = {
    "TS": TblBlock.open,
    "EQ": EqnBlock.open,
}


# Escapes that \w counts as a character, as mandoc's roff_expand() does.
_PRINTING: Final = frozenset({Esc.SPECIAL, Esc.UNICODE, Esc.NUMBERED, Esc.UNDEF, Esc.OVERSTRIKE})


class _Return(Exception):
    """``.return``: leave the running macro."""


class _Break(Exception):
    """``.break``: leave the running ``.while`` loop."""


_NAME = re.compile(r"[^\s\\]+")
_WORD = re.compile(r"[^ \t]+")


def _i32(value: int) -> int:
    """``value`` wrapped around to a 32-bit two's complement int, as C's int arithmetic does."""
    value &= 0xFFFFFFFF
    return value - 0x100000000 if value & 0x80000000 else value


def _cdiv(a: int, b: int) -> int:
    """C's integer division: the quotient rounded toward zero (``b`` is not 0)."""
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


_SPACE: Final = frozenset(" \t\n\v\f\r")  # C's isspace()
_DIGIT: Final = frozenset("0123456789")
# roff_getop(): operator text -> the one-letter code used below.
_OPERATORS: Final[dict[str, str]] = {
    "+": "+", "-": "-", "*": "*", "/": "/", "%": "%", "&": "&", ":": ":",
    "<=": "l", "<>": "!", "<?": "i", "<": "<", ">=": "g", ">?": "a", ">": ">",
    "==": "=", "=": "=",
}  # fmt: skip


class _Eval:
    """mandoc's roff_evalnum(): a numeric expression in C ``int`` arithmetic.

    Left to right, no precedence; parentheses nest (iteratively here, so
    that no depth of them reaches Python's recursion limit).  Numbers have
    no fraction (``1.5i`` is 1, and the rest is not part of the number), an
    optional scaling unit, and wrap around at 32 bits like every result.
    ``report`` None only checks the syntax, as mandoc does with a NULL
    result: no arithmetic, so no division by zero either.
    """

    def __init__(self, v: str, report: Reporter | None, ln: int) -> None:
        self.v = v
        self.report = report
        self.ln = ln
        self.pos = 0
        self.wrapped = False  # some step overflowed

    def skip(self) -> None:
        v = self.v
        while self.pos < len(v) and v[self.pos] in _SPACE:
            self.pos += 1

    def evalnum(self, pos: int, scale: bool, white: bool) -> int | None:
        """The value of the expression at ``pos``, or None; ``self.pos`` ends after it."""
        v = self.v
        n = len(v)
        self.pos = pos
        # The enclosing levels while inside parentheses: their value so far,
        # the operator waiting for this level's value, and their blank rule.
        outer: list[tuple[int, str, bool]] = []
        res = 0
        op = ""  # the operator waiting for the next operand; "" for the first
        while True:
            if white:
                self.skip()
            if self.pos < n and v[self.pos] == "(":
                self.pos += 1
                outer.append((res, op, white))
                res, op, white = 0, "", True
                continue
            val = self.getnum(scale, white)
            if val is None:
                return None
            while True:
                if not op:
                    res = val
                else:
                    if white:
                        self.skip()
                    if self.report is not None:
                        res = self.apply(op, res, val)
                if white:
                    self.skip()
                op = self.getop()
                if op:
                    break  # on to the next operand
                if not outer:
                    return res
                if self.pos < n and v[self.pos] == ")":
                    self.pos += 1
                elif self.report is None:
                    return None  # mandoc's syntax check wants the parenthesis
                val = res
                res, op, white = outer.pop()

    def getop(self) -> str:
        v = self.v
        two = v[self.pos : self.pos + 2]
        code = _OPERATORS.get(two) if len(two) == 2 else None
        if code is not None:
            self.pos += 2
            return code
        code = _OPERATORS.get(v[self.pos : self.pos + 1])
        if code is None:
            return ""
        self.pos += 1
        return code

    def getnum(self, scale: bool, white: bool) -> int | None:
        """roff_getnum(): a signed integer and its optional scaling unit."""
        v = self.v
        n = len(v)
        start = self.pos
        p = start
        neg = p < n and v[p] == "-"
        if neg or (p < n and v[p] == "+"):
            p += 1
        if white:
            while p < n and v[p] in _SPACE:
                p += 1
        first = p
        while p < n and v[p] in _DIGIT:
            p += 1
        # mandoc's test: a lone "-" is no number, but a lone "+" is 0.
        if p == start + (1 if neg else 0):
            return None
        res = 0
        for k in range(first, p, 9):  # nine digits at a time stay exact
            chunk = v[k : min(k + 9, p)]
            res = res * 10 ** len(chunk) + int(chunk)
            if res > 0xFFFFFFFF:
                self.wrapped = True
                res &= 0xFFFFFFFF
        if res > INT_MAX:
            self.wrapped = True
        res = self.c_int(-_i32(res) if neg else _i32(res))
        unit = v[p] if p < n else ""
        if unit == "f":
            scaled = self.c_int(res * 65536)
        elif unit == "i":
            scaled = self.c_int(res * 240)
        elif unit == "c":
            scaled = int(self.c_int(res * 240) / 2.54)
        elif unit in ("v", "P"):
            scaled = self.c_int(res * 40)
        elif unit in ("m", "n"):
            scaled = self.c_int(res * 24)
        elif unit == "p":
            scaled = _cdiv(self.c_int(res * 10), 3)
        elif unit == "u":
            scaled = res
        elif unit == "M":
            scaled = _cdiv(self.c_int(res * 6), 25)
        else:
            scaled = res
            p -= 1
        if scale:
            res = scaled
        self.pos = p + 1
        return res

    def c_int(self, value: int) -> int:
        if INT_MIN <= value <= INT_MAX:
            return value
        self.wrapped = True
        return _i32(value)

    def apply(self, op: str, a: int, b: int) -> int:
        if op == "+":
            return self.c_int(a + b)
        if op == "-":
            return self.c_int(a - b)
        if op == "*":
            return self.c_int(a * b)
        if op in ("/", "%"):
            if b == 0:
                if self.report is not None:
                    self.report("DIVZERO", self.ln, self.pos, self.v)
                return 0
            q = _cdiv(a, b)
            return self.c_int(q) if op == "/" else a - b * q
        if op == "<":
            return int(a < b)
        if op == ">":
            return int(a > b)
        if op == "l":
            return int(a <= b)
        if op == "g":
            return int(a >= b)
        if op == "=":
            return int(a == b)
        if op == "!":
            return int(a != b)
        if op == "&":
            return int(a != 0 and b != 0)
        if op == ":":
            return int(a != 0 or b != 0)
        if op == "i":
            return min(a, b)
        return max(a, b)  # "a": >?


def _mark_hyphens(buf: str) -> str:
    """Mark hyphens between letters in text lines as breakable, as mandoc does.

    The mark is :data:`mdoc2rst.tree.nodes.ASCII_HYPH`; writers print it as ``-``.
    Hyphens right after an escape sequence are not marked.
    """
    if "-" not in buf:
        return buf
    out: list[str] | None = None
    n = len(buf)
    skip_to = 0  # end of the last escape and the hyphens right after it
    for m in _HYPHEN_OR_ESCAPE.finditer(buf):
        i = m.start()
        if i < skip_to:
            continue
        if buf[i] == "\\":
            e = scan_escape(buf, i)
            if e.kind is Esc.ERROR:
                break
            j = max(e.end, i + 1)
            while j < n and buf[j] == "-":
                j += 1
            skip_to = j
        elif 0 < i < n - 1 and _is_letter(buf[i - 1]) and _is_letter(buf[i + 1]):
            if out is None:
                out = list(buf)
            out[i] = ASCII_HYPH
    return buf if out is None else "".join(out)


_HYPHEN_OR_ESCAPE = re.compile(r"[-\\]")


def _is_letter(c: str) -> bool:
    return c.isascii() and c.isalpha()


def _continues(buf: str, esc: str | None) -> bool:
    """Does the line end in an unescaped escape character (a continuation)?"""
    if esc is None or not buf.endswith(esc):
        return False
    n = 0
    k = len(buf) - 1
    while k >= 0 and buf[k] == esc:
        n += 1
        k -= 1
    return n % 2 == 1


def _comment_start(buf: str) -> int:
    """Where a comment (``\\"`` or ``\\#``) starts in a line, or its length."""
    i = buf.find("\\")
    while 0 <= i < len(buf) - 1:
        c = buf[i + 1]
        if c in '"#':
            return i
        i = buf.find("\\", i + 2)
    return len(buf)


def _request_name(buf: str, ctl: int) -> tuple[str, int]:
    """The request or macro name after the control character, and where args start."""
    j = ctl
    n = len(buf)
    while j < n and buf[j] not in " \t\\":
        j += 1
    name = buf[ctl:j]
    # As mandoc's roff_getname: one blank ends the name, then spaces (not
    # tabs) are skipped.
    if j < n and buf[j] in " \t":
        j += 1
    while j < n and buf[j] == " ":
        j += 1
    return name, j


def _words(buf: str, pos: int) -> list[tuple[int, str]]:
    """Blank-separated words with their positions (no quoting)."""
    return [(m.start(), m.group(0)) for m in _WORD.finditer(buf, pos)]


def _macro_args(buf: str, pos: int) -> list[tuple[int, str]]:
    """Arguments of a user macro call, with roff quoting."""
    out: list[tuple[int, str]] = []
    i = pos
    n = len(buf)
    while i < n:
        while i < n and buf[i] == " ":
            i += 1
        if i >= n:
            break
        start = i
        if buf[i] == '"':
            i += 1
            parts: list[str] = []
            while i < n:
                if buf[i] == '"':
                    if i + 1 < n and buf[i + 1] == '"':
                        parts.append('"')
                        i += 2
                        continue
                    i += 1
                    break
                parts.append(buf[i])
                i += 1
            out.append((start, "".join(parts)))
        else:
            j = i
            while j < n and buf[j] != " ":
                j += 2 if buf[j] == "\\" else 1
            out.append((start, buf[i:j]))
            i = j
    return out


def _getname(buf: str, pos: int) -> tuple[str, int, int, str | None]:
    """A name as roff_getname reads it, from ``pos``.

    It ends at a blank or a tab, at ``\\{`` or ``\\}``, or at any other escape
    but ``\\\\`` (a pair of backslashes is part of the name).  Returns the
    name, where it ends, where what follows starts (past the blank, or past
    the escape that ended it, and past spaces), and the text to report as
    NAMESC when an escape ended it.  As in mandoc, the escape is skipped as
    if it started one character later.
    """
    n = len(buf)
    cp = pos
    end = pos
    bad = None
    while True:
        end = cp
        if cp >= n:
            break
        c = buf[cp]
        if c in " \t":
            cp += 1
            break
        if c != "\\":
            cp += 1
            continue
        if cp + 1 < n and buf[cp + 1] in "{}":
            break
        cp += 1
        if cp < n and buf[cp] == "\\":
            cp += 1
            continue
        bad = buf[pos : cp + 1]
        cp = scan(buf, cp)[1] if cp < n else cp
        break
    while cp < n and buf[cp] == " ":
        cp += 1
    return buf[pos:end], end, cp, bad


def _name_and_rest(buf: str, pos: int) -> tuple[str, str]:
    m = _NAME.match(buf, pos)
    if not m:
        return "", ""
    rest = buf[m.end() :]
    return m.group(0), rest.lstrip(" ")


def _escape_name(buf: str, k: int) -> tuple[str | None, int]:
    """The name of ``\\*x``, ``\\*(xx`` or ``\\*[name]`` starting at ``k``."""
    if k >= len(buf):
        return None, k
    c = buf[k]
    if c == "(":
        name = buf[k + 1 : k + 3]
        if len(name) < 2:
            return None, len(buf)  # cut short by the end of the line
        return name, k + 3
    if c == "[":
        end = buf.find("]", k + 1)
        if end < 0:
            return None, len(buf)
        # \*[name arg ...]: only the name matters here.
        return buf[k + 1 : end].split(" ", 1)[0], end + 1
    return c, k + 1
