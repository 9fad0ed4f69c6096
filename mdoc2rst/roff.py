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
cut-off is a diagnostic, never an exception.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Final

from mdoc2rst.chars import PREDEFINED_STRINGS
from mdoc2rst.chars import lookup as char_lookup
from mdoc2rst.diagnostics import Reporter
from mdoc2rst.escape import Esc, escaped, render, scan_escape
from mdoc2rst.macros import MACROS
from mdoc2rst.nodes import ASCII_HYPH
from mdoc2rst.parser import MdocParser, St

EXPAND_LIMIT: Final = 1000  # escape expansions on one line, as in mandoc
MACRO_DEPTH: Final = 64  # nested user macro calls and .so files
LOOP_LIMIT: Final = 1000  # iterations of one .while loop
EXPANSION_BUDGET: Final = 20_000  # macro-generated lines for one input line
STRING_LIMIT: Final = 1 << 20  # characters in one string
LINE_LIMIT: Final = 1 << 22  # characters in one expanded line

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
        "in",
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
#: Layout requests that stay in the tree as elements, with how many arguments.
_ELEMENTS: Final[dict[str, int]] = {
    "br": 0, "brp": 0, "fi": 0, "nf": 0,
    "ce": 1, "ft": 1, "ll": 1, "mc": 1, "po": 1, "rj": 1, "sp": 1, "ti": 1,
    "ta": -1,
}  # fmt: skip
_DEFINERS: Final = frozenset({"de", "de1", "dei", "dei1", "am", "am1", "ami", "ami1", "ig"})
_READONLY_REGS: Final[dict[str, int]] = {".A": 0, ".g": 1, ".H": 24, ".T": 0, ".V": 40}


@dataclass(slots=True)
class _Scope:
    """An open conditional: next-line scope or a ``\\{ ... \\}`` block."""

    rule: bool
    brace: bool


@dataclass(slots=True)
class _Definition:
    """A ``.de`` or ``.ig`` block being collected."""

    name: str | None  # None for .ig
    end: str
    append: bool
    indirect: bool
    lines: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Frame:
    """A running user macro: its arguments, for ``\\$n``."""

    args: list[str]


class Roff:
    """Feeds one page's lines, after roff processing, to the mdoc parser."""

    def __init__(
        self,
        parser: MdocParser,
        report: Reporter,
        path: Path | None,
        read: Callable[[Path], str | None],
        so_root: Path | None = None,
    ) -> None:
        self.parser = parser
        self.report = report
        self.path = path
        self.read = read
        self.so_root = so_root
        self.includes: list[Path] = [path.resolve()] if path is not None else []
        self.sources: list[Path] = []  # every file .so read, once, in order
        self.strings: dict[str, str] = dict(PREDEFINED_STRINGS)
        self.macros: dict[str, str] = {}
        self.regs: dict[str, int] = {}
        self.tr: dict[str, str] = {}
        self.control = "."
        self.escape: str | None = "\\"
        self.scopes: list[_Scope] = []
        self.else_stack: list[bool] = []
        self.defining: _Definition | None = None
        self.frames: list[_Frame] = []
        self.depth = 0
        self.loops = 0  # running .while loops, for .break
        # Macros calling themselves several times grow exponentially even
        # within the nesting bound: lines they may still generate.
        self.budget = EXPANSION_BUDGET
        self.truncated: set[str] = set()  # strings cut at STRING_LIMIT, reported once
        self.rcsids: set[str] = set()  # systems whose RCS id a comment carries
        self.comments = True  # keep comments until the first macro or text
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
        if not self.tr:
            return s
        return "".join(self.tr.get(ch, ch) for ch in s)

    # ------------------------------------------------------------------
    # Input

    def run(self, text: str, line_offset: int = 0) -> None:
        """Process a whole file's text."""
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        i = 0
        while i < len(lines):
            lineno = i + 1 + line_offset
            buf = lines[i]
            i += 1
            if buf.endswith("\r"):
                buf = buf[:-1]
            # An escaped newline joins the next line onto this one.  Most
            # lines do not end in a backslash: test that cheaply first.
            if buf.endswith("\\") or (self.escape is not None and buf.endswith(self.escape)):
                while _continues(buf, self.escape) and i < len(lines):
                    # mandoc reports a joined line under its last physical line.
                    nxt = lines[i]
                    i += 1
                    lineno += 1
                    buf = buf[:-1] + (nxt[:-1] if nxt.endswith("\r") else nxt)
                if _continues(buf, self.escape):
                    buf = buf[:-1]
            if self.depth == 0:
                self.budget = EXPANSION_BUDGET
            self.line(lineno, buf)

    def line(self, ln: int, buf: str) -> None:
        """One input line, from the file or from a macro body."""
        if len(buf) > LINE_LIMIT:
            self.report("TOOLARGE", ln, 0)
            buf = buf[:LINE_LIMIT]
        if self.defining is not None:
            self._collect(ln, buf)
            return
        if self.scopes:
            top = self.scopes[-1]
            if not top.brace:
                self.scopes.pop()
                if not top.rule or not self._active():
                    self._skip(ln, buf)
                    return
                # fall through: this one line is live
            elif not self._active():
                self._skip(ln, buf)
                return
        if "\\}" in buf:
            live = self._close_braces(ln, buf)
            if live is None:
                return
            buf = live
        self._live(ln, buf)

    def _active(self) -> bool:
        return all(s.rule for s in self.scopes)

    def _skip(self, ln: int, buf: str) -> None:
        """A line in a false conditional: only its scope structure matters."""
        ctl = self._control(buf)
        if ctl is not None:
            name, pos = _request_name(buf, ctl)
            if name in ("if", "ie", "el", "while"):
                self._cond(ln, buf, name, pos, forced_false=True)
                return
            if name in _DEFINERS:
                self._define(ln, buf, name, pos, dry=True)
                return
        self._close_braces(ln, buf)

    def _close_braces(self, ln: int, buf: str) -> str | None:
        """Remove ``\\}`` and close one brace scope for each."""
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
            i = j + 2
            for k in range(len(self.scopes) - 1, -1, -1):
                if self.scopes[k].brace:
                    del self.scopes[k:]
                    break
            else:
                self.report("BLK_NOTOPEN", ln, j, "\\}")
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

    def _live(self, ln: int, buf: str, offs: int = 0) -> None:
        """A line that takes effect; it starts at ``offs`` (after a conditional)."""
        # Without a backslash there is no escape, comment or string to expand.
        if "\\" in buf or self.escape != "\\":
            expanded = self.expand(ln, buf[offs:])
            if expanded is None:
                return
            buf = buf[:offs] + expanded
        ctl = self._control(buf, offs)
        if ctl is None:
            self.comments = False
            if len(buf) > 80 and not self.parser.flags & St.NOFILL and buf[:1] not in " .\\":
                first = buf.find(" ")
                if first < 0 or first < 80:
                    self.report("TEXT_LONG", ln, len(buf) - 1, f"{buf[:20]}...")
            self.parser.parse_line(ln, _mark_hyphens(buf), offs, False)
            return
        if ctl >= len(buf):
            return  # an empty request line
        if buf[ctl] == '"':
            self.report("COMMENT_BAD", ln, ctl)
            return
        self.comments = False
        name, pos = _request_name(buf, ctl)
        if name in MACROS and name not in self.macros:
            # An mdoc macro, the common case: no roff request has its name.
            self.parser.parse_line(ln, buf, ctl, True)
            return
        if name in self.macros:
            self._call_macro(ln, buf, name, pos)
            return
        handler = _REQUESTS.get(name)
        if handler is not None:
            handler(self, ln, buf, name, pos, ctl)
            return
        if name in _ELEMENTS:
            self._element(ln, buf, name, pos, ctl)
        elif name in _IGNORED:
            pass
        elif name in _UNSUPPORTED:
            self.report("REQ_UNSUPP", ln, ctl - 1 if ctl else 0, name)
        elif name in _INSECURE:
            self.report("REQ_INSEC", ln, ctl - 1 if ctl else 0, name)
        else:
            self.parser.parse_line(ln, buf, ctl, True)

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
                    buf = buf[:j]
                else:
                    k = j
                    while k > 0 and buf[k - 1] == " " and (k == 1 or buf[k - 2] != "\\"):
                        k -= 1
                    buf = buf[:k]
                if not buf.strip() or buf == self.control:
                    # A line holding only a comment does not reach the parser.
                    return None if buf[:1] in (self.control, "'") or not buf else buf
                break
            start = j + 2
        if "\\" not in buf:
            return buf
        count = 0
        i = 0
        while True:
            j = buf.find("\\", i)
            if j < 0:
                return buf
            if j + 1 >= len(buf):
                return buf
            c = buf[j + 1]
            if c == "\\":
                i = j + 2
                continue
            if c == "E" and j + 2 < len(buf):
                buf = buf[: j + 1] + buf[j + 2 :]
                c = buf[j + 1]
            if c in "*n$wB":
                count += 1
                if count > EXPAND_LIMIT:
                    self.report("ROFFLOOP", ln, j)
                    return None
                repl, end = self._substitute(ln, buf, j)
                if len(buf) - (end - j) + len(repl) > LINE_LIMIT:
                    self.report("TOOLARGE", ln, j)
                    return None
                buf = buf[:j] + repl + buf[end:]
                i = j  # the replacement may hold escapes of its own
                continue
            e = scan_escape(buf, j)
            kind = e.kind
            if kind is Esc.SPECIAL and char_lookup(e.arg) is None:
                kind = Esc.ERROR
            if kind is Esc.ERROR:
                self.report("ESC_BAD", ln, j, buf[j : e.end])
            elif kind is Esc.UNDEF:
                self.report("ESC_UNDEF", ln, j, buf[j : e.end])
            elif kind is Esc.UNSUPP:
                self.report("ESC_UNSUPP", ln, j, buf[j : e.end])
            i = max(e.end, j + 1)

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

    def _substitute(self, ln: int, buf: str, j: int) -> tuple[str, int]:
        """Expand ``\\*``, ``\\n``, ``\\$``, ``\\w``, ``\\B`` at ``j``."""
        kind = buf[j + 1]
        k = j + 2
        sign = ""
        if kind == "n" and k < len(buf) and buf[k] in "+-":
            sign = buf[k]
            k += 1
        if kind in "wB":
            if k >= len(buf):
                return "", k
            term = buf[k]
            end = buf.find(term, k + 1)
            if end < 0:
                self.report("ESC_BAD", ln, j, buf[j:])
                return "", len(buf)
            arg = buf[k + 1 : end]
            if kind == "w":
                return str(24 * len(render(arg))), end + 1
            return ("1" if _NUMERIC.fullmatch(arg.strip()) else "0"), end + 1
        name, end = _escape_name(buf, k)
        if name is None:
            self.report("ESC_BAD", ln, j, buf[j:end])
            return "", end
        if kind == "*":
            value = self.strings.get(name)
            if value is None:
                value = self.macros.get(name)
            if value is None:
                self.report("STR_UNDEF", ln, j, name)
                self.strings[name] = ""
                return "", end
            return value, end
        if kind == "n":
            if sign:
                step = 1
                cur = self.regs.get(name, 0) + (step if sign == "+" else -step)
                self.regs[name] = cur
            return str(self.getreg(name)), end
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
            idx = int(name)
            return (args[idx - 1] if 0 < idx <= len(args) else ""), end
        return "", end

    # ------------------------------------------------------------------
    # Requests

    def _element(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        nargs = _ELEMENTS[name]
        words = _words(buf, pos)
        if nargs == 0 and words:
            self.report("ARG_SKIP", ln, ctl - 1, f"{name} {buf[pos:]}")
            words = []
        elif nargs == 1 and len(words) > 1:
            self.report("ARG_EXCESS", ln, words[1][0], f"{name} ... {buf[words[1][0] :]}")
            words = words[:1]
        parser = self.parser
        nofill = bool(parser.flags & St.NOFILL)
        if name == "nf" and nofill:
            self.report("NF_SKIP", ln, ctl - 1, "nf")
        elif name == "fi" and not nofill:
            self.report("FI_SKIP", ln, ctl - 1, "fi")
        parser.flags |= St.NEWLINE
        parser.roff_elem(ln, ctl, name, words)
        if name == "nf":
            parser.flags |= St.NOFILL
        elif name == "fi":
            parser.flags &= ~St.NOFILL

    def _req_ds(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        sname, rest = _name_and_rest(buf, pos)
        if not sname:
            self.report("REQ_EMPTY", ln, ctl - 1, name)
            return
        if rest.startswith('"'):
            rest = rest[1:]
        if name.startswith("as"):
            rest = self.strings.get(sname, "") + rest
        if len(rest) > STRING_LIMIT:
            if sname not in self.truncated:
                self.report("TOOLARGE", ln, pos, f"string {sname} over {STRING_LIMIT} bytes")
                self.truncated.add(sname)
            rest = rest[:STRING_LIMIT]
        self.strings[sname] = rest
        self.macros.pop(sname, None)

    def _req_nr(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        words = _words(buf, pos)
        if not words:
            self.report("REQ_EMPTY", ln, ctl - 1, name)
            return
        rname = words[0][1]
        if len(words) < 2:
            return
        expr = words[1][1]
        sign = ""
        if expr[:1] in "+-":
            sign, expr = expr[0], expr[1:]
        value = self._evalnum(ln, expr)
        if value is None:
            return
        if sign == "+":
            value = self.regs.get(rname, 0) + value
        elif sign == "-":
            value = self.regs.get(rname, 0) - value
        self.regs[rname] = value

    def _req_rr(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        for _, w in _words(buf, pos):
            self.regs.pop(w, None)

    def _req_rm(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        for _, w in _words(buf, pos):
            self.strings.pop(w, None)
            self.macros.pop(w, None)

    def _req_rn(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        words = _words(buf, pos)
        if len(words) < 2:
            return
        old, new = words[0][1], words[1][1]
        for table in (self.strings, self.macros):
            if old in table:
                table[new] = table.pop(old)

    def _req_als(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        words = _words(buf, pos)
        if len(words) < 2:
            return
        new, old = words[0][1], words[1][1]
        if old in self.macros:
            self.macros[new] = self.macros[old]
        elif old in self.strings:
            self.strings[new] = self.strings[old]

    def _req_tr(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        chars = _split_chars(buf[pos:])
        if len(chars) % 2:
            chars.append(" ")
        for a, b in zip(chars[::2], chars[1::2], strict=True):
            if a == b:
                self.tr.pop(a, None)
            else:
                self.tr[a] = b
        # Words go through the table only once a page has one: most never
        # do, and a method call per word is not free.
        self.parser.translate = self.translate

    def _req_cc(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        arg = buf[pos:].strip()
        self.control = arg[0] if arg else "."

    def _req_ec(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        arg = buf[pos:].strip()
        self.escape = arg[0] if arg else "\\"

    def _req_eo(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        self.escape = None

    def _req_nop(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        if pos < len(buf):
            self._live(ln, buf, pos)

    def _req_so(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        target = buf[pos:].strip()
        self.report("SO", ln, ctl - 1, f"so {target}")
        if not target:
            self.report("REQ_EMPTY", ln, ctl - 1, name)
            return
        rel = Path(target)
        if rel.is_absolute() or ".." in rel.parts:
            self.report("SO_PATH", ln, ctl - 1, f"so {target}")
            return
        if self.depth >= MACRO_DEPTH:
            self.report("ROFFLOOP", ln, ctl - 1)
            return
        base = self.path.parent if self.path is not None else None
        candidate = rel if base is None else base / rel
        found = self._so_target(rel, base)
        text = self.read(found) if found is not None else None
        if found is None or text is None:
            self.report("SO_FAIL", ln, ctl - 1, f"so {candidate.name}")
            return
        if found in self.includes:
            # A page that includes itself, directly or not: mandoc would
            # repeat it until its depth limit; once is enough to report.
            self.report("ROFFLOOP", ln, ctl - 1)
            return
        if found not in self.sources:
            self.sources.append(found)
        self.depth += 1
        self.includes.append(found)
        saved = self.report.file
        self.report.file = str(found)
        try:
            self.run(text)
        finally:
            self.depth -= 1
            self.includes.pop()
            self.report.file = saved

    def _so_target(self, rel: Path, base: Path | None) -> Path | None:
        """Where ``.so rel`` points, if that stays inside the allowed tree.

        The page's folder first, then the ``so_root`` (a manual root, where
        pages write ``.so man3/other.3``).  Nothing outside ``so_root`` (or,
        without one, outside the page's folder) is ever read, symbolic links
        included: a page cannot pull in /etc/passwd.
        """
        roots = [r for r in (base, self.so_root) if r is not None]
        if not roots:
            return None  # text without a file: nothing is relative to it
        fence = (self.so_root or roots[0]).resolve()
        for root in roots:
            path = (root / rel).resolve()
            if path.is_relative_to(fence) and path.is_file():
                return path
        return None

    def _req_it(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        words = _words(buf, pos)
        if not words or not words[0][1].isdigit():
            self.report("IT_NONUM", ln, ctl - 1, f"it {buf[pos:]}")

    def _req_shift(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        if not self.frames:
            self.report("REQ_NOMAC", ln, ctl - 1, name)
            return
        words = _words(buf, pos)
        n = int(words[0][1]) if words and words[0][1].isdigit() else 1
        del self.frames[-1].args[:n]

    def _req_return(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        if not self.frames:
            self.report("REQ_NOMAC", ln, ctl - 1, name)
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
        self.report("REQ_UNSUPP", ln, ctl - 1, name)

    def _req_define(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        self._define(ln, buf, name, pos, dry=False)

    def _define(self, ln: int, buf: str, name: str, pos: int, dry: bool) -> None:
        words = _words(buf, pos)
        end = ".."
        if name == "ig":
            if words:
                end = "." + words[0][1]
            self.defining = _Definition(None, end, False, False)
            return
        if not words:
            self.report("REQ_EMPTY", ln, 0, name)
            self.defining = _Definition(None, end, False, False)
            return
        mname = words[0][1]
        indirect = name.startswith(("dei", "ami"))
        if indirect:
            mname = self.strings.get(mname, "")
        if len(words) > 1:
            endname = words[1][1]
            if indirect:
                endname = self.strings.get(endname, endname)
            end = "." + endname
        self.defining = _Definition(None if dry else mname, end, name.startswith("am"), indirect)

    def _collect(self, ln: int, buf: str) -> None:
        d = self.defining
        assert d is not None
        ctl = self._control(buf)
        if ctl is not None:
            word = buf[ctl:].split(" ", 1)[0].split("\t", 1)[0]
            if "." + word == d.end or (d.end == ".." and word == "."):
                self.defining = None
                if d.name is not None:
                    body = "\n".join(d.lines)
                    if d.append and d.name in self.macros:
                        body = self.macros[d.name] + "\n" + body
                    if len(body) > STRING_LIMIT:
                        self.report("TOOLARGE", ln, 0)
                        body = body[:STRING_LIMIT]
                    self.macros[d.name] = body
                    self.strings.pop(d.name, None)
                return
        if d.name is not None:
            # Bodies are expanded once when defined and once when called, as in
            # mandoc: a page writes \\$1 to reach the call's argument.
            expanded = self.expand(ln, buf, comments=False)
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
        body = self.macros[name]
        lines = body.split("\n") if body else []
        if len(lines) > self.budget:
            if self.budget >= 0:
                self.report("ROFFLOOP", ln, 0)
            self.budget = -1
            return
        self.budget -= len(lines)
        self.frames.append(_Frame(args))
        self.depth += 1
        try:
            for line in lines:
                self.line(ln, line)
        except _Return:
            pass
        finally:
            self.depth -= 1
            self.frames.pop()

    def _req_cond(self, ln: int, buf: str, name: str, pos: int, ctl: int) -> None:
        self._cond(ln, buf, name, pos, forced_false=False)

    def _cond(self, ln: int, buf: str, name: str, pos: int, forced_false: bool) -> None:
        if name == "el":
            rule = self.else_stack.pop() if self.else_stack else False
        else:
            rule, pos = self._evalcond(ln, buf, pos)
        if name == "ie":
            self.else_stack.append(not rule)
        if forced_false:
            rule = False
        if pos >= len(buf) and name != "while":
            self.scopes.append(_Scope(rule, brace=False))
            return
        while pos < len(buf) and buf[pos] == " ":
            pos += 1
        brace = buf.startswith("\\{", pos)
        if brace:
            pos += 2
            while pos < len(buf) and buf[pos] == " ":
                pos += 1
        elif pos >= len(buf):
            self.report("COND_EMPTY", ln, 0, name)
            return
        rest = buf[pos:]
        if name == "while":
            self._while(ln, buf, pos, brace, rule)
            return
        if brace:
            self.scopes.append(_Scope(rule, brace=True))
        if not rest:
            return
        if rule and self._active():
            live = self._close_braces(ln, buf[pos:])
            if live:
                self._live(ln, buf[:pos] + live, pos)
        else:
            self._skip(ln, rest)

    def _while(self, ln: int, buf: str, pos: int, brace: bool, rule: bool) -> None:
        """Run a one-line ``.while`` body while its condition holds, bounded."""
        if brace:
            self.report("WHILE_FAIL", ln, 0)
            self.scopes.append(_Scope(False, brace=True))
            self._skip(ln, buf[pos:])
            return
        ctl = self._control(buf)
        cond_pos = _request_name(buf, ctl or 0)[1]
        self.loops += 1
        try:
            for _ in range(LOOP_LIMIT):
                if not rule:
                    return
                try:
                    self._live(ln, buf, pos)
                except _Break:
                    return
                rule, _ = self._evalcond(ln, buf, cond_pos)
            self.report("ROFFLOOP", ln, 0)
        finally:
            self.loops -= 1

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
            m = _NAME.match(buf, k)
            rname = m.group(0) if m else ""
            end = k + len(rname)
            if not rname:
                return False, end
            if c == "r":
                ok = rname in self.regs or rname in _READONLY_REGS
            else:
                ok = rname in self.strings or rname in self.macros
            return ok == want, end
        m = _NUMEXPR.match(buf, pos)
        if m and m.group(0):
            value = self._evalnum(ln, m.group(0))
            return ((value or 0) > 0) == want, m.end()
        # String comparison: 'a'b' with any delimiter.
        delim = c
        a_end = buf.find(delim, pos + 1)
        b_end = buf.find(delim, a_end + 1) if a_end >= 0 else -1
        if a_end < 0 or b_end < 0:
            return False, len(buf)
        same = buf[pos + 1 : a_end] == buf[a_end + 1 : b_end]
        return same == want, b_end + 1

    def _evalnum(self, ln: int, expr: str) -> int | None:
        """Evaluate a roff numeric expression, left to right as roff does."""
        try:
            return _Num(expr, self.getreg).value()
        except ZeroDivisionError:
            self.report("DIVZERO", ln, 0)
            return None
        except ValueError:
            return None


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
    "TS": Roff._req_unsupported_block, "EQ": Roff._req_unsupported_block,
}  # fmt: skip


class _Return(Exception):
    """``.return``: leave the running macro."""


class _Break(Exception):
    """``.break``: leave the running ``.while`` loop."""


_NAME = re.compile(r"[^\s\\]+")
_WORD = re.compile(r"[^ \t]+")
_NUMERIC = re.compile(r"[-+]?\d+(\.\d*)?[ciPpmnuvfM]?")
_NUMEXPR = re.compile(r"[-+(0-9][-+*/%<>=&:()0-9.ciPpmnuvfM]*")


class _Num:
    """A tiny recursive reader for roff numeric expressions."""

    def __init__(self, text: str, getreg: Callable[[str], int]) -> None:
        self.s = text
        self.i = 0
        self.getreg = getreg

    def value(self) -> int:
        v = self.expr()
        return v

    def expr(self) -> int:
        v = self.term()
        ops = (
            ">=",
            "<=",
            "==",
            "<>",
            "<?",
            ">?",
            "=",
            "<",
            ">",
            "&",
            ":",
            "+",
            "-",
            "*",
            "/",
            "%",
        )
        while self.i < len(self.s):
            for op in ops:
                if self.s.startswith(op, self.i):
                    self.i += len(op)
                    w = self.term()
                    v = _apply(op, v, w)
                    break
            else:
                break
        return v

    def term(self) -> int:
        s = self.s
        if self.i < len(s) and s[self.i] == "(":
            self.i += 1
            v = self.expr()
            if self.i < len(s) and s[self.i] == ")":
                self.i += 1
            return v
        sign = 1
        if self.i < len(s) and s[self.i] in "+-":
            sign = -1 if s[self.i] == "-" else 1
            self.i += 1
        m = re.compile(r"\d+(\.\d*)?|\.\d+").match(s, self.i)
        if not m:
            raise ValueError(s)
        self.i = m.end()
        number = float(m.group(0))
        if self.i < len(s) and s[self.i] in "ciPpmnuvfM":
            unit = s[self.i]
            self.i += 1
            number *= {"c": 945, "i": 240, "P": 40, "p": 10 / 3, "m": 24, "n": 24,
                       "u": 1, "v": 40, "f": 65536, "M": 0.24}[unit]  # fmt: skip
        return sign * int(number)


def _apply(op: str, a: int, b: int) -> int:
    table: dict[str, Callable[[int, int], int]] = {
        "+": lambda x, y: x + y,
        "-": lambda x, y: x - y,
        "*": lambda x, y: x * y,
        "/": lambda x, y: int(x / y),
        "%": lambda x, y: x % y,
        "<": lambda x, y: int(x < y),
        ">": lambda x, y: int(x > y),
        "<=": lambda x, y: int(x <= y),
        ">=": lambda x, y: int(x >= y),
        "=": lambda x, y: int(x == y),
        "==": lambda x, y: int(x == y),
        "<>": lambda x, y: int(x != y),
        "&": lambda x, y: int(x > 0 and y > 0),
        ":": lambda x, y: int(x > 0 or y > 0),
        "<?": min,
        ">?": max,
    }
    if op in ("/", "%") and b == 0:
        raise ZeroDivisionError
    return table[op](a, b)


def _mark_hyphens(buf: str) -> str:
    """Mark hyphens between letters in text lines as breakable, as mandoc does.

    The mark is :data:`mdoc2rst.nodes.ASCII_HYPH`; writers print it as ``-``.
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


def _request_name(buf: str, ctl: int) -> tuple[str, int]:
    """The request or macro name after the control character, and where args start."""
    j = ctl
    n = len(buf)
    while j < n and buf[j] not in " \t\\":
        j += 1
    name = buf[ctl:j]
    while j < n and buf[j] in " \t":
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


def _split_chars(s: str) -> list[str]:
    """Split ``.tr`` arguments into characters, keeping escapes whole."""
    out: list[str] = []
    i = 0
    while i < len(s):
        if s[i] == "\\":
            e = scan_escape(s, i)
            out.append(s[i : e.end])
            i = max(e.end, i + 1)
        else:
            out.append(s[i])
            i += 1
    return out
