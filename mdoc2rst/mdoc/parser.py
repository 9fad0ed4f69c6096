"""The mdoc layer: macro lines and text lines become the document tree.

Input comes from the roff layer (:mod:`mdoc2rst.roff.layer`) one line at a time.
A macro line is dispatched through :data:`mdoc2rst.mdoc.macros.MACROS` to one of
the class routines below (in-line, fixed count, rest of line, full block,
partial implicit, partial explicit, closer, ``Ta``), which follow mandoc's
scope rules, including its recovery from badly nested blocks.  Nothing
here knows about defaults or generated text: that is the validator's job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from mdoc2rst.mdoc.macros import (
    ARG_MULTI,
    ARG_SINGLE,
    ARGN_MAX,
    CLOSER_OF,
    EMPTY_OK,
    MACROS,
    TRANSPARENT,
    F,
    Kind,
)
from mdoc2rst.roff.builder import ELEMENT_ARGS, Builder, Mode
from mdoc2rst.roff.escape import escaped
from mdoc2rst.tree.diagnostics import Reporter
from mdoc2rst.tree.nodes import (
    BLOCK,
    BODY,
    ELEM,
    ENDBODY_NOT,
    ENDBODY_SPACE,
    EQN,
    HEAD,
    SECTION_NAMES,
    TEXT,
    Arg,
    Flag,
    Node,
    Norm,
    Sec,
)
from mdoc2rst.tree.text import deroff

#: Deepest tree the parser builds; deeper macro calls are dropped with a message.
MAX_DEPTH = 120
#: Calls of macros by macros on one line that are still running.  Calls in
#: tail position are a loop (see _After); the others nest a block in a
#: block, which MAX_DEPTH bounds too, but a line that opens and closes
#: blocks in turn could nest calls without deepening the tree: this keeps
#: any line far from Python's recursion limit.
MAX_CALLS = 150


class St:
    """Parser state flags (mandoc's MDOC_* and ROFF_* parse flags), as plain int bits."""

    NONE: Final = 0
    NEWLINE: Final = Mode.NEWLINE
    SYNOPSIS: Final = Mode.SYNOPSIS
    KEEP: Final = 1 << 2  # inside .Bk
    SMOFF: Final = 1 << 3  # .Sm off
    PHRASE: Final = 1 << 4  # inside a column phrase
    PHRASELIT: Final = 1 << 5  # inside a quoted literal of a phrase
    PHRASEQF: Final = 1 << 6  # the next word is right after a tab: not a macro
    PHRASEQL: Final = 1 << 7  # the last word before a tab
    PHRASEQN: Final = 1 << 8  # a tab right before the next word
    FREECOL: Final = 1 << 9  # a column list item opened implicitly
    NODELIMC: Final = 1 << 10  # the next closing delimiter keeps its space
    NOFILL: Final = 1 << 11
    NONOFILL: Final = 1 << 12  # inside an .Ss head: no-fill does not apply
    PBODY: Final = 1 << 13  # past the prologue


_DONE = Flag.VALID | Flag.ENDED  # closed nodes are complete


class A:
    """What one call of the argument scanner found.

    Plain ints, like the flags: the scanner answers once per word, and an
    Enum member read through its class costs a Python-level hook on 3.11.
    """

    EOLN: Final = 0
    WORD: Final = 1  # a word (a quoted phrase literal)
    PUNCT: Final = 2  # only closing delimiters remain on the line
    PHRASE: Final = 3  # a column phrase up to a tab
    ALLOC: Final = 4  # a word


class Delim:
    """The delimiter class of a word; plain ints, as for ``A``."""

    NONE: Final = 0
    OPEN: Final = 1
    MIDDLE: Final = 2
    CLOSE: Final = 3


_DELIMS = {
    "(": Delim.OPEN,
    "[": Delim.OPEN,
    "|": Delim.MIDDLE,
    ".": Delim.CLOSE,
    ",": Delim.CLOSE,
    ";": Delim.CLOSE,
    ":": Delim.CLOSE,
    "?": Delim.CLOSE,
    "!": Delim.CLOSE,
    ")": Delim.CLOSE,
    "]": Delim.CLOSE,
    "\\.": Delim.CLOSE,
    "\\fR|\\fP": Delim.MIDDLE,
}


#: First characters of the closing delimiters, and the blank before a word.
_CLOSE_STARTS = frozenset(w[0] for w, d in _DELIMS.items() if d == Delim.CLOSE) | {" "}


#: The longest delimiter word: a longer word is none, without hashing it
#: (the text a macro line joins into one node grows word by word).
_DELIM_MAX = max(len(w) for w in _DELIMS)


def isdelim(p: str) -> int:
    """The delimiter class of a whole word (only exact words count)."""
    return _DELIMS.get(p, Delim.NONE) if len(p) <= _DELIM_MAX else Delim.NONE


def is_eos(p: str) -> bool:
    """Does text end a sentence?  Closing quotes and brackets may follow."""
    found = enclosed = False
    for ch in reversed(p):
        if ch in "\"')]":
            if not found:
                enclosed = True
        elif ch in ".!?":
            found = True
        else:
            return found and (not enclosed or ch.isalnum())
    return found and not enclosed


class Line:
    """One input line being parsed, with the scanning position.

    Positions are indices into the original line, so that node columns
    and diagnostics match mandoc's.
    """

    __slots__ = ("buf", "line", "pos")

    def __init__(self, buf: str, line: int, pos: int) -> None:
        self.buf = buf
        self.line = line
        self.pos = pos

    def at_end(self) -> bool:
        return self.pos >= len(self.buf)

    def char(self, i: int) -> str:
        return self.buf[i] if 0 <= i < len(self.buf) else ""


@dataclass(frozen=True, slots=True)
class _After:
    """What a macro still does once the macros it handed its line to are done.

    A macro that calls the next macro of its line as the last thing it does
    (mandoc's in_line, in_line_argn, phrase_ta) does not call it: it names it
    (:meth:`MdocParser.tail`) and leaves what comes after in one of these, so
    that a line of thousands of callable macros is a loop, not a recursion
    as deep as the line is long.  ``tok`` empty: append the line's trailing
    delimiters; ``close`` set: end that block as blk_exp_close does after
    the macro ``tok`` it called; else report ``tok`` as empty.
    """

    ln: Line
    line: int = 0
    pos: int = 0
    tok: str = ""
    close: Node | None = None


class MdocParser(Builder):
    """Builds the tree from lines, one call of :meth:`parse_line` per line."""

    def __init__(self, report: Reporter, root: Node, regs: Callable[[str], int]) -> None:
        super().__init__(report, root, regs)
        self.macroset = "mdoc"
        self.known = frozenset(MACROS)
        self.phrase_end = 0  # where the last column phrase ended in its line
        self.too_deep = False  # reported the nesting limit already
        self.next_tok: str | None = None  # the macro named by tail(), and where
        self.next_pos = 0
        self.after: list[_After] = []  # what tail-calling macros still do
        self.calls = 0  # nested calls of call() (MAX_CALLS)

    # ------------------------------------------------------------------
    # Node allocation (the rest is the Builder's)

    def block_alloc(self, line: int, pos: int, tok: str, args: list[Arg] | None) -> Node:
        n = Node(BLOCK, tok, line, pos, args=args)
        if tok in ("Bd", "Bf", "Bl", "En", "Rs"):
            n.norm = Norm()
        self._append(n)
        self.child_next = True
        return n

    def elem_alloc(self, line: int, pos: int, tok: str, args: list[Arg] | None) -> Node:
        n = Node(ELEM, tok, line, pos, args=args)
        if tok == "An":
            n.norm = Norm()
        self._append(n)
        self.child_next = True
        return n

    def element(
        self, line: int, buf: str, at: int, pos: int, name: str, words: list[tuple[int, str]]
    ) -> None:
        """A roff request kept in the tree (``br``, ``sp``, ``ft``...)."""
        nargs = ELEMENT_ARGS[name]
        if nargs == 0 and words:
            self.report("ARG_SKIP", line, pos, f"{name} {buf[pos:]}")
            words = []
        elif nargs == 1 and len(words) > 1:
            self.report("ARG_EXCESS", line, words[1][0], f"{name} ... {buf[words[1][0] :]}")
            words = words[:1]
        nofill = bool(self.flags & St.NOFILL)
        if name == "nf" and nofill:
            self.report("NF_SKIP", line, at, "nf")
        elif name == "fi" and not nofill:
            self.report("FI_SKIP", line, at, "fi")
        self.flags |= St.NEWLINE
        n = self.node(ELEM, name, line, at)
        for apos, word in words:
            self.word_alloc(line, apos, word)
        self.last = n
        n.flags |= Flag.VALID | Flag.ENDED
        self.child_next = False
        if name == "nf":
            self.flags |= St.NOFILL
        elif name == "fi":
            self.flags &= ~St.NOFILL

    def endbody_alloc(self, line: int, pos: int, tok: str, body: Node) -> Node:
        body.flags |= Flag.ENDED
        assert body.parent is not None
        body.parent.flags |= Flag.ENDED
        n = Node(BODY, tok, line, pos, end=ENDBODY_SPACE, body=body)
        n.norm = body.norm
        norm = n.norm
        self._append(n)
        n.norm = norm
        self.child_next = False
        return n

    # ------------------------------------------------------------------
    # Scope handling

    def state(self, n: Node) -> None:
        """Parse-time effects of closing a node (mandoc's mdoc_state)."""
        tok = n.tok
        macro = MACROS.get(tok)
        if macro is None:
            return
        if not macro.flags & F.PROLOGUE:
            self.flags |= St.PBODY
        if tok == "Bl" and n.type is HEAD and n.parent and n.parent.args:
            assert n.norm is not None
            for a in n.parent.args:
                if a.name in ("diag", "column"):
                    n.norm.list_type = a.name
                    break
        elif tok == "Sh" and n.type is HEAD:
            if not n.flags & Flag.VALID:
                name = deroff(n)
                sec = SECTION_NAMES.get(name, Sec.CUSTOM) if name is not None else Sec.CUSTOM
                n.sec = sec
                if n.parent is not None:
                    n.parent.sec = sec
                for c in n.children:
                    c.sec = sec
            self.lastsec = n.sec
            synopsis = n.sec is Sec.SYNOPSIS
            self.setreg("nS", 1 if synopsis else 0)
            if synopsis:
                self.flags |= St.SYNOPSIS
            else:
                self.flags &= ~St.SYNOPSIS
        elif tok == "Sm" and n.type is ELEM:
            first = n.first
            if first is None:
                self.flags ^= St.SMOFF
            elif first.string == "on":
                self.flags &= ~St.SMOFF
            elif first.string == "off":
                self.flags |= St.SMOFF

    def rew_last(self, to: Node) -> None:
        """Close every open node up to and including ``to``."""
        if to.flags & Flag.VALID:
            return
        last = self.last
        while last is not to:
            if last.tok:  # text has no state to leave behind
                self.state(last)
            last.flags |= _DONE
            parent = last.parent
            if parent is None:
                break
            last = self.last = parent
        if last.tok:
            self.state(last)
        last.flags |= _DONE
        self.child_next = False

    def rew_pending(self, n: Node) -> None:
        """Close up to block ``n``, and every block that broke it."""
        while True:
            self.rew_last(n)
            if self.last is n:
                if n.type is HEAD:
                    self.body_alloc(n.line, n.pos, n.tok)
                    if n.tok == "Ss":
                        self.flags &= ~St.NONOFILL
                elif n.type is not BLOCK:
                    return
                if not n.flags & Flag.BROKEN:
                    return
            else:
                n = self.last
            while True:
                p = n.parent
                if p is None:
                    return
                n = p
                if n.type in (BLOCK, HEAD):
                    if n.flags & Flag.ENDED:
                        break
                    return

    def rew_elem(self, tok: str) -> None:
        n = self.last
        if n.type is not ELEM and n.parent is not None:
            n = n.parent
        self.rew_last(n)

    @staticmethod
    def break_intermediate(n: Node | None, breaker: Node) -> None:
        if n is None:
            return
        if (
            n is not breaker
            and n.type not in (BLOCK, HEAD)
            and (n.type is not BODY or n.end is not ENDBODY_NOT)
        ):
            n = n.parent
        while n is not None and n is not breaker:
            if not n.flags & Flag.VALID:
                n.flags |= Flag.BROKEN
            n = n.parent

    def find_pending(self, tok: str, line: int, ppos: int, target: Node) -> bool:
        """Postpone closing ``target`` while an explicit sub-block is open."""
        if target.flags & Flag.VALID:
            return False
        irc = False
        n: Node | None = self.last
        while n is not None and n is not target:
            if not n.flags & Flag.ENDED and (n.type is BLOCK and MACROS[n.tok].flags & F.EXPLICIT):
                irc = True
                self.break_intermediate(self.last, target)
                if target.type is HEAD:
                    target.flags |= Flag.ENDED
                elif not target.flags & Flag.ENDED:
                    self.report("BLK_NEST", line, ppos, f"{tok} breaks {n.tok}")
                    self.endbody_alloc(line, ppos, tok, target)
            n = n.parent
        return irc

    # ------------------------------------------------------------------
    # Words and arguments

    def lookup(self, frm: str | None, line: int, ppos: int, p: str) -> str | None:
        if self.flags & St.PHRASEQF:
            self.flags &= ~St.PHRASEQF
            return None
        if frm is None or MACROS[frm].flags & F.PARSED:
            m = MACROS.get(p)
            if m is not None:
                if m.flags & F.CALLABLE:
                    return p
                self.report("MACRO_CALL", line, ppos, p)
        return None

    def dword(self, line: int, col: int, p: str, d: int | None, may_append: bool) -> None:
        if d is None:
            d = isdelim(p)
        last = self.last
        if (
            may_append
            and not self.flags & (St.SYNOPSIS | St.KEEP | St.SMOFF)
            and d == Delim.NONE
            and last.type is TEXT
            and isdelim(last.string) == Delim.NONE
        ):
            self.word_append(p)
            return
        n = self.word_alloc(line, col, p)
        if d == Delim.OPEN:
            n.flags |= Flag.DELIMO
        elif (
            d == Delim.CLOSE
            and not self.flags & St.NODELIMC
            and (n.parent is None or n.parent.tok != "Fd")
        ):
            n.flags |= Flag.DELIMC
        self.flags &= ~St.NODELIMC

    def append_delims(self, ln: Line) -> None:
        if ln.at_end():
            return
        while True:
            la = ln.pos
            ac, p = self.args(ln, None)
            if ac == A.EOLN:
                break
            self.dword(ln.line, la, p, None, True)
            if is_eos(p):
                self.last.flags |= Flag.EOS

    def macro_or_word(
        self, tok: str | None, ln: Line, ppos: int, p: str, parsed: bool, tail: bool = False
    ) -> bool:
        """A word, or a call of the macro it names; ``tail``: the caller ends then."""
        ntok = (
            None
            if ln.char(ppos) == '"' or not parsed or self.flags & St.PHRASELIT
            else self.lookup(tok, ln.line, ppos, p)
        )
        if ntok is None:
            self.dword(ln.line, ppos, p, None, tok is None or bool(MACROS[tok].flags & F.JOIN))
            return False
        if tok is not None and MACROS[tok].kind is Kind.IN_LINE_EOLN:
            self.rew_elem(tok)
        if tail:
            if tok is None:
                self.after.append(_After(ln))
            self.tail(ntok, ppos)
            return True
        self.call(ntok, ln, ppos)
        if tok is None:
            self.append_delims(ln)
        return True

    def take_tail(self) -> str | None:
        """The macro that tail() named, if any, forgetting it."""
        tok = self.next_tok
        self.next_tok = None
        return tok

    def tail(self, tok: str, ppos: int) -> None:
        """Have :meth:`call` run ``tok`` next; the caller returns right after."""
        self.next_tok = tok
        self.next_pos = ppos

    def call(self, tok: str, ln: Line, ppos: int) -> None:
        """Run macro ``tok``, and the macros it hands the rest of its line to."""
        base = len(self.after)
        self.calls += 1
        while True:
            if self.last.depth >= MAX_DEPTH or self.calls > MAX_CALLS:
                # Real pages nest a few dozen levels at most; a deeper tree is
                # hostile input, and every later stage walks the tree recursively.
                if not self.too_deep:
                    what = (
                        f"macro calls nested deeper than {MAX_CALLS}"
                        if self.calls > MAX_CALLS
                        else f"nesting deeper than {MAX_DEPTH}"
                    )
                    self.report("TOOLARGE", ln.line, ppos, what)
                self.too_deep = True
                ln.pos = len(ln.buf)
                break
            _ROUTINE_OF[tok](self, tok, ln, ppos)
            # Read through a method: mypy would narrow the attribute to
            # None after an assignment here, and mypyc compile that in.
            nxt = self.take_tail()
            if nxt is None:
                break
            tok, ppos = nxt, self.next_pos
        self.calls -= 1
        # What the tail-calling macros left to do, the last one's first, as
        # the returns of nested calls would have done it.
        after = self.after
        while len(after) > base:
            a = after.pop()
            if a.close is not None:
                self.close_after_call(a.close, a.tok, a.line, a.pos)
            elif a.tok:
                self.report("MACRO_EMPTY", a.line, a.pos, a.tok)
            else:
                self.append_delims(a.ln)

    def args(self, ln: Line, tok: str | None) -> tuple[int, str]:
        """Scan the next argument (mandoc's mdoc_args)."""
        delim = tok is not None and MACROS[tok].delim
        tabsep = False
        if tok == "It":
            n: Node | None = self.last
            while n is not None:
                if n.tok == "Bl":
                    if n.norm is not None and n.norm.list_type == "column":
                        tabsep = True
                        delim = False
                    break
                n = n.parent
        return self._args(ln, delim, tabsep)

    def _args(self, ln: Line, delim: bool, tabsep: bool) -> tuple[int, str]:
        buf = ln.buf
        if ln.pos >= len(buf):
            if self.flags & St.PHRASELIT and not self.flags & St.PHRASE:
                self.report("ARG_QUOTE", ln.line, ln.pos)
                self.flags &= ~St.PHRASELIT
            self.flags &= ~St.PHRASEQL
            return A.EOLN, ""
        start = ln.pos
        if delim and _checkpunct(buf, start):
            return A.PUNCT, ""
        if tabsep:
            return self._phrase(ln)
        if self.flags & St.PHRASELIT or (self.flags & St.PHRASE and buf[start] == '"'):
            return self._phrase_literal(ln)
        word, ln.pos = self.getarg(ln.buf, ln.pos, ln.line)
        if ln.pos >= len(buf) and self.flags & St.PHRASEQL:
            self.flags &= ~St.PHRASEQL
            self.flags |= St.PHRASEQF
        return A.ALLOC, word

    def _phrase(self, ln: Line) -> tuple[int, str]:
        buf = ln.buf
        start = ln.pos
        tab = buf.find("\t", start)
        if tab >= 0:
            end = tab
            if tab > 0 and buf[tab - 1] != " ":
                self.flags |= St.PHRASEQL
            if tab + 1 >= len(buf) or buf[tab + 1] != " ":
                self.flags |= St.PHRASEQN
            pos = tab + 1
            while pos + 1 < len(buf) and buf[pos] == " " and buf[pos + 1] == " ":
                pos += 1
            if pos >= len(buf) or pos + 1 >= len(buf):
                self.flags |= St.PHRASEQN
            ln.pos = pos
        else:
            end = len(buf)
            if buf[end - 1] == " ":
                self.report("SPACE_EOL", ln.line, start)
            ln.pos = end
        while end > start and buf[end - 1] == " " and (end - 1 == start or buf[end - 2] != "\\"):
            end -= 1
        self.phrase_end = end
        return A.PHRASE, buf[start:end]

    def _phrase_literal(self, ln: Line) -> tuple[int, str]:
        buf = ln.buf
        if not self.flags & St.PHRASELIT:
            ln.pos += 1
            self.flags |= St.PHRASELIT
        out: list[str] = []
        i = ln.pos
        n = len(buf)
        while i < n:
            ch = buf[i]
            if ch == '"':
                if i + 1 < n and buf[i + 1] == '"':
                    out.append('"')
                    i += 2
                    continue
                break
            out.append(ch)
            i += 1
        word = "".join(out)
        if i >= n:
            ln.pos = i
            if not self.flags & St.PHRASE:
                self.report("ARG_QUOTE", ln.line, i)
            return A.WORD, word
        self.flags &= ~St.PHRASELIT
        i += 1
        if i >= n:
            ln.pos = i
            return A.WORD, word
        while i < n and buf[i] == " ":
            i += 1
        ln.pos = i
        if i >= n:
            self.report("SPACE_EOL", ln.line, i)
        return A.WORD, word

    def argv(self, tok: str, ln: Line) -> list[Arg] | None:
        """Read leading ``-flag`` arguments that ``tok`` accepts."""
        table = MACROS[tok].argv
        if not table:
            return None
        buf = ln.buf
        result: list[Arg] | None = None
        ipos = ln.pos
        while ipos < len(buf) and buf[ipos] == "-":
            start = ipos + 1
            j = start
            while j < len(buf) and not (buf[j] == " " and buf[j - 1] != "\\"):
                j += 1
            name = buf[start:j]
            if name not in table:
                break
            ipos = j + 1 if j < len(buf) else j
            while ipos < len(buf) and buf[ipos] == " ":
                ipos += 1
            arg = Arg(name, ln.line, ln.pos)
            if name in ARG_SINGLE:
                if ipos < len(buf):
                    word, ipos = self.getarg(buf, ipos, ln.line)
                    arg.values.append(word)
            elif name in ARG_MULTI:
                while ipos < len(buf) and buf[ipos] != "-":
                    word, ipos = self.getarg(buf, ipos, ln.line)
                    arg.values.append(word)
            if result is None:
                result = []
            result.append(arg)
            ln.pos = ipos
        return result

    # ------------------------------------------------------------------
    # Lines

    def parse_line(self, lineno: int, buf: str, offs: int, control: bool) -> None:
        last = self.last
        if last.type is not EQN or lineno > last.line:
            # Text after an in-line equation goes on the equation's line.
            self.flags |= St.NEWLINE
        if self.getreg("nS"):
            self.flags |= St.SYNOPSIS
        else:
            self.flags &= ~St.SYNOPSIS
        if control:
            self.pmacro(lineno, buf, offs)
        else:
            self.ptext(lineno, buf, offs)

    def _in_column_list(self) -> bool:
        n = self.last
        if (
            n.tok == "Bl"
            and n.type is BODY
            and n.end is ENDBODY_NOT
            and n.norm is not None
            and n.norm.list_type == "column"
        ):
            return True
        p = n.parent
        return (
            p is not None and p.tok == "Bl" and p.norm is not None and p.norm.list_type == "column"
        )

    def ptext(self, lineno: int, buf: str, offs: int) -> None:
        if self._in_column_list():
            self.flags |= St.FREECOL
            self.call("It", Line(buf, lineno, offs), offs)
            return
        # Trailing blanks: spaces always end the text; tabs only in no-fill
        # mode (in fill mode they count, and affect the next line); both
        # are reported.  An escaped blank is text.
        nofill = bool(self.flags & St.NOFILL)
        end = _unescaped_rstrip(buf, offs, " \t" if nofill else " ")
        ws = _unescaped_rstrip(buf, offs, " \t")
        ws = ws if ws < len(buf) else -1
        text = buf[offs:end]
        if ws >= 0:
            self.report("SPACE_EOL", lineno, ws)
        if not text and not nofill:
            last = self.last
            if last.type is TEXT and _ends_in_c(last.string):
                last.string = last.string[:-2]
                return
            self.report("FI_BLANK", lineno, len(buf))
            node = self.node(ELEM, "sp", lineno, offs)
            node.flags |= Flag.VALID | Flag.ENDED
            self.child_next = False
            return
        node = self.word_alloc(lineno, offs, text)
        if nofill:
            return
        if is_eos(text):
            node.flags |= Flag.EOS
        self._check_eos_spacing(lineno, buf, offs, end)

    def _check_eos_spacing(self, lineno: int, buf: str, offs: int, end: int) -> None:
        """Warn about a sentence that starts in the middle of a line."""
        c = buf.find(".", offs)
        while c >= 0:
            if c - offs < 2:
                c = buf.find(".", c + 1)
                continue
            if end - c < 3:
                break
            a, b = buf[c - 2], buf[c - 1]
            if (
                buf[c + 1] == " "
                and a.isascii()
                and a.isalnum()
                and b.isascii()
                and b.isalnum()
                and (a, b) not in (("n", "c"), ("v", "s"))
            ):
                k = c + 2
                if k < len(buf) and buf[k] == " ":
                    k += 1
                if k < len(buf) and buf[k] == " ":
                    k += 1
                if k < len(buf) and buf[k].isascii() and buf[k].isupper():
                    self.report("EOS", lineno, k)
            c = buf.find(".", c + 1)

    def pmacro(self, lineno: int, buf: str, offs: int) -> None:
        sv = offs
        tok, offs = self.macro_name(buf, offs)
        if len(tok) not in (2, 3) or tok not in MACROS:
            self.report("MACRO", lineno, sv, buf[sv - 1 :] if sv > 0 else buf)
            return
        offs = self.macro_args(lineno, buf, offs)
        ln = Line(buf, lineno, offs)
        if tok in ("It", "El") or tok in TRANSPARENT:
            self.call(tok, ln, sv)
            return
        if self._in_column_list():
            self.flags |= St.FREECOL
            self.call("It", Line(buf, lineno, sv), sv)
            return
        self.call(tok, ln, sv)

    def endparse(self) -> None:
        n: Node | None = self.last
        if n is not None and n.flags & Flag.VALID:
            n = n.parent
        while n is not None:
            if n.type is BLOCK and MACROS[n.tok].flags & F.EXPLICIT:
                self.report("BLK_NOEND", n.line, n.pos, n.tok)
            n = n.parent
        self.rew_last(self.root)

    # ------------------------------------------------------------------
    # Macro classes

    def blk_exp_close(self, tok: str, ln: Line, ppos: int) -> None:
        nl = bool(self.flags & St.NEWLINE)
        maxargs = 1 if tok == "Ec" else 0
        if tok == "Ek":
            self.flags &= ~St.KEEP
        atok = CLOSER_OF.get(tok, tok)
        body: Node | None = None
        n: Node | None = self.last
        while n is not None:
            if (
                not n.flags & Flag.ENDED
                and n.tok == atok
                and n.type is BODY
                and n.end is ENDBODY_NOT
            ):
                body = n
                break
            n = n.parent

        endbody = itblk = later = None
        n = self.last
        while n is not None:
            if n.flags & Flag.ENDED or body is None or n.type is not BLOCK:
                n = n.parent
                continue
            if n.tok == "Nm":
                if later is not None:
                    n.flags |= Flag.BROKEN | Flag.ENDED
                n = n.parent
                continue
            if n.tok == "It":
                itblk = n
                n = n.parent
                continue
            if atok == n.tok:
                if later is None or (tok == "El" and itblk is None):
                    break
                self.report("BLK_NEST", ln.line, ppos, f"{atok} breaks {later.tok}")
                endbody = self.endbody_alloc(ln.line, ppos, atok, body)
                if tok == "El" and itblk is not None:
                    itblk.flags |= Flag.ENDED | Flag.BROKEN
                if maxargs:
                    self.child_next = True
                break
            if n.tok == "Nd":
                if later is not None:
                    n.flags |= Flag.BROKEN | Flag.ENDED
                else:
                    self.rew_last(n)
                n = n.parent
                continue
            self.break_intermediate(self.last, body)
            n.flags |= Flag.BROKEN
            if later is None:
                later = n
            n = n.parent

        if body is None:
            self.report("BLK_NOTOPEN", ln.line, ppos, tok)
            if maxargs and endbody is None:
                self.node(ELEM, "br", ln.line, ppos)
                self.rew_elem("br")
        elif endbody is None:
            self.rew_last(body)
            if maxargs:
                self.tail_alloc(ln.line, ppos, atok)

        if not MACROS[tok].flags & F.PARSED:
            if not ln.at_end():
                self.report("ARG_SKIP", ln.line, ppos, f"{tok} {ln.buf[ln.pos :]}")
            if endbody is None and n is not None:
                self.rew_pending(n)
            if tok == "Ed" and body is not None:
                if body.flags & Flag.NOFILL:
                    self.flags |= St.NOFILL
                else:
                    self.flags &= ~St.NOFILL
            return

        if endbody is not None:
            n = endbody
        ntok: str | None = None
        j = 0
        while True:
            lastarg = ln.pos
            if j == maxargs and n is not None:
                self.rew_last(n)
            ac, p = self.args(ln, tok)
            if ac in (A.PUNCT, A.EOLN):
                break
            ntok = self.lookup(tok, ln.line, lastarg, p)
            if ntok is None:
                self.dword(ln.line, lastarg, p, None, bool(MACROS[tok].flags & F.JOIN))
                j += 1
                continue
            if n is not None:
                self.rew_last(n)
            self.flags &= ~St.NEWLINE
            # What follows the call is left to call() (see _After), so that
            # a line of closers and openers is a loop: the delimiters last.
            if nl:
                self.after.append(_After(ln))
            if n is not None:
                self.after.append(_After(ln, ln.line, ppos, ntok, n))
            self.tail(ntok, lastarg)
            return

        if n is not None:
            self.close_after_call(n, None, ln.line, ppos)
        if nl:
            self.append_delims(ln)

    def close_after_call(self, n: Node, ntok: str | None, line: int, ppos: int) -> None:
        """The end of blk_exp_close: rewind the closed block, unless a later
        macro of the line (``ntok``) still holds a scope it broke."""
        pending = False
        if ntok is not None and n.flags & Flag.BROKEN:
            target = n
            while True:
                assert target.parent is not None
                target = target.parent
                if target.flags & Flag.ENDED:
                    break
            pending = self.find_pending(ntok, line, ppos, target)
        if not pending:
            self.rew_pending(n)

    def in_line(self, tok: str, ln: Line, ppos: int) -> None:
        nl = bool(self.flags & St.NEWLINE)
        nc = tok in EMPTY_OK
        arg = self.argv(tok, ln)
        d = Delim.NONE
        firstarg = True
        mayopen = True
        cnt = 0
        scope = False
        line = ln.line
        while True:
            la = ln.pos
            ac, p = self.args(ln, tok)
            if ac == A.EOLN:
                if d == Delim.OPEN:
                    self.last.flags &= ~Flag.DELIMO
                break
            if ac == A.PUNCT:
                if cnt == 0 and (not nc or tok == "An"):
                    self.flags |= St.NODELIMC
                break
            ntok = None if (tok == "Fn" and not cnt) else self.lookup(tok, line, la, p)
            if ntok is not None:
                if scope:
                    self.rew_elem(tok)
                if nc and not cnt:
                    self.elem_alloc(line, ppos, tok, arg)
                    self.rew_last(self.last)
                elif not nc and not cnt:
                    self.report("MACRO_EMPTY", line, ppos, tok)
                if nl:
                    self.after.append(_After(ln))
                self.tail(ntok, la)
                return
            d = isdelim(p)
            if d != Delim.NONE:
                if (
                    (d == Delim.CLOSE or (d == Delim.MIDDLE and tok == "Fl"))
                    and not cnt
                    and not scope
                    and nc
                    and mayopen
                ):
                    self.elem_alloc(line, ppos, tok, arg)
                    scope = True
                    cnt += 1
                    if tok == "Nm":
                        mayopen = False
                if scope and tok != "Lk":
                    self.rew_elem(tok)
                    scope = False
                    if tok == "Fn":
                        mayopen = False
            elif mayopen and not scope:
                self.elem_alloc(line, ppos, tok, arg)
                scope = True
                cnt += 1
            self.dword(line, la, p, d, bool(MACROS[tok].flags & F.JOIN))
            if firstarg and d == Delim.CLOSE and not nc:
                self.last.flags &= ~Flag.DELIMC
            firstarg = False
            if scope and tok == "Fl":
                self.rew_elem(tok)
                scope = False
        if scope and tok != "Lk":
            self.rew_elem(tok)
            scope = False
        if not cnt:
            if nc:
                self.elem_alloc(line, ppos, tok, arg)
                self.rew_last(self.last)
            else:
                self.report("MACRO_EMPTY", line, ppos, tok)
        if nl:
            self.append_delims(ln)
        if scope:
            self.rew_elem(tok)

    def blk_full(self, tok: str, ln: Line, ppos: int) -> None:
        nl = bool(self.flags & St.NEWLINE)
        line = ln.line
        if ln.at_end() and tok in ("Sh", "Ss"):
            self.report("MACRO_EMPTY", line, ppos, tok)
            return
        macro = MACROS[tok]
        if not macro.flags & F.EXPLICIT:
            blk: Node | None = None
            n: Node | None = self.last
            while n is not None:
                if n.flags & Flag.ENDED:
                    if not n.flags & Flag.VALID:
                        n.flags |= Flag.BROKEN
                    n = n.parent
                    continue
                if n.type is not BLOCK:
                    n = n.parent
                    continue
                if tok == "It" and n.tok == "Bl":
                    if blk is not None:
                        self.report("BLK_BROKEN", line, ppos, f"It breaks {blk.tok}")
                        self.rew_pending(blk)
                    break
                if MACROS[n.tok].flags & F.EXPLICIT:
                    if tok in ("Sh", "Ss"):
                        self.report("BLK_BROKEN", line, ppos, f"{tok} breaks {n.tok}")
                        self.rew_pending(n)
                        n = self.last
                        continue
                    if tok == "It":
                        blk = n
                        n = n.parent
                        continue
                    break
                if tok != "Sh" and (
                    n.tok == "Sh"
                    or (tok != "Ss" and (n.tok == "Ss" or (tok != "It" and n.tok == "It")))
                ):
                    break
                if blk is not None:
                    self.report("BLK_BROKEN", line, ppos, f"It breaks {blk.tok}")
                    self.rew_pending(blk)
                    blk = None
                self.rew_pending(n)
                n = n.parent if n.parent is not None else None
                # mandoc continues from the closed node's parent.
            if tok == "It" and (n is None or n.tok != "Bl"):
                self.report("IT_STRAY", line, ppos, f"It {ln.buf[ln.pos :]}")
                self.node(ELEM, "br", line, ppos)
                self.rew_elem("br")
                return

        if tok == "Sh":
            self.flags &= ~St.NOFILL
        elif tok == "Ss":
            self.flags |= St.NONOFILL
        arg = self.argv(tok, ln)
        blk_node = self.block_alloc(line, ppos, tok, arg)
        head: Node | None = None
        body: Node | None = None
        parent = blk_node.parent
        parsed = not (
            tok == "It"
            and parent is not None
            and parent.tok == "Bl"
            and parent.norm is not None
            and parent.norm.list_type == "diag"
        )
        if tok == "Nd":
            head = self.head_alloc(line, ppos, tok)
            self.rew_last(head)
            body = self.body_alloc(line, ppos, tok)
        if tok == "Bk":
            self.flags |= St.KEEP

        ac = A.EOLN
        while True:
            if self.flags & St.PHRASEQN:
                self.flags &= ~St.PHRASEQN
                self.flags |= St.PHRASEQF
            la = ln.pos
            lac = ac
            ac, p = self.args(ln, tok)
            if ac == A.EOLN:
                if lac != A.PHRASE or not self.flags & St.PHRASEQF:
                    break
                # The line ends in a tab: start the next column, with a blank.
                if body is not None:
                    self.rew_last(body)
                body = self.body_alloc(line, ppos, tok)
                self.word_alloc(line, ppos, "\\&")
                break
            if tok in ("Bd", "Bk"):
                self.report("ARG_EXCESS", line, la, f"{tok} ... {ln.buf[la:]}")
                break
            if tok == "Rs":
                self.report("ARG_SKIP", line, la, f"Rs {ln.buf[la:]}")
                break
            if ac == A.PUNCT:
                break
            if head is None and ac != A.PHRASE and isdelim(p) == Delim.OPEN:
                self.dword(line, la, p, Delim.OPEN, False)
                continue
            if head is None:
                head = self.head_alloc(line, ppos, tok)
            if ac == A.PHRASE:
                self.rew_last(body if body is not None else head)
                body = self.body_alloc(line, ppos, tok)
                self.flags |= St.PHRASE
                self.parse_rest(None, Line(ln.buf[: self.phrase_end], line, la))
                self.flags &= ~St.PHRASE
                # The phrase may have opened more columns (Ta): go on from
                # the last one, the parent's last child.
                if body.parent is not None:
                    body = body.parent.children[-1]
                continue
            if self.macro_or_word(tok, ln, la, p, parsed):
                break

        if blk_node.flags & Flag.VALID:
            return
        if head is None:
            head = self.head_alloc(line, ppos, tok)
        if nl and tok not in ("Bd", "Bl", "Rs"):
            self.append_delims(ln)
        if body is None:
            if self.find_pending(tok, line, ppos, head):
                return
            self.rew_last(head)
            body = self.body_alloc(line, ppos, tok)
            if tok == "Ss":
                self.flags &= ~St.NONOFILL
            if tok == "Bd" and arg:
                for a in arg:
                    if a.name in ("unfilled", "literal"):
                        self.flags |= St.NOFILL
                        break
                    if a.name in ("filled", "ragged", "centered"):
                        self.flags &= ~St.NOFILL
                        break
        if self.flags & St.FREECOL:
            self.rew_last(body)
            self.rew_last(blk_node)
            self.flags &= ~St.FREECOL

    def blk_part_imp(self, tok: str, ln: Line, ppos: int) -> None:
        nl = bool(self.flags & St.NEWLINE)
        line = ln.line
        blk = self.block_alloc(line, ppos, tok, None)
        self.rew_last(self.head_alloc(line, ppos, tok))
        body: Node | None = None
        while True:
            la = ln.pos
            ac, p = self.args(ln, tok)
            if ac in (A.EOLN, A.PUNCT):
                break
            if body is None and isdelim(p) == Delim.OPEN:
                self.dword(line, la, p, Delim.OPEN, False)
                continue
            if body is None:
                body = self.body_alloc(line, ppos, tok)
            if self.macro_or_word(tok, ln, la, p, True):
                break
        if body is None:
            body = self.body_alloc(line, ppos, tok)
        if self.find_pending(tok, line, ppos, body):
            return
        self.rew_last(body)
        if nl:
            self.append_delims(ln)
        self.rew_pending(blk)
        # A trailing .Ns belongs after the block, not inside it.
        if body.children and body.children[-1].tok == "Ns":
            ns = body.children[-1]
            ns.unlink()
            self._relink_after(ns)

    def _relink_after(self, n: Node) -> None:
        self.child_next = False
        self._append(n)
        self.child_next = False

    def blk_part_exp(self, tok: str, ln: Line, ppos: int) -> None:
        nl = bool(self.flags & St.NEWLINE)
        line = ln.line
        self.block_alloc(line, ppos, tok, None)
        head: Node | None = None
        while True:
            la = ln.pos
            ac, p = self.args(ln, tok)
            if ac in (A.PUNCT, A.EOLN):
                break
            if head is None and isdelim(p) == Delim.OPEN:
                self.dword(line, la, p, Delim.OPEN, False)
                continue
            if head is None:
                head = self.head_alloc(line, ppos, tok)
                if tok == "Eo":
                    self.dword(line, la, p, None, False)
                self.rew_last(head)
                self.body_alloc(line, ppos, tok)
                if tok == "Eo":
                    continue
            if self.macro_or_word(tok, ln, la, p, True, tail=True):
                # The block stays open for later lines; only the delimiters
                # are left to do once the called macros are done (_After).
                if nl:
                    self.after.append(_After(ln))
                return
        if head is None:
            self.rew_last(self.head_alloc(line, ppos, tok))
            self.body_alloc(line, ppos, tok)
        if nl:
            self.append_delims(ln)

    def in_line_argn(self, tok: str, ln: Line, ppos: int) -> None:
        nl = bool(self.flags & St.NEWLINE)
        line = ln.line
        maxargs = ARGN_MAX.get(tok, 1)
        igndelim = bool(MACROS[tok].flags & F.IGNDELIM)
        arg = self.argv(tok, ln)
        state = -1
        p: str | None = None
        while True:
            la = ln.pos
            ac, word = self.args(ln, tok)
            if ac in (A.WORD, A.ALLOC):
                p = word
            if (
                ac in (A.WORD, A.ALLOC)
                and state == -1
                and not igndelim
                and isdelim(word) == Delim.OPEN
            ):
                self.dword(line, la, word, Delim.OPEN, False)
                continue
            if state == -1 and tok not in ("In", "St", "Xr"):
                self.elem_alloc(line, ppos, tok, arg)
                state = 0
            if ac in (A.PUNCT, A.EOLN):
                if abs(state) < 2 and tok == "Pf":
                    self.report("PF_SKIP", line, ppos, f"Pf {'at eol' if p is None else p}")
                break
            if state == maxargs:
                self.rew_elem(tok)
                state = -2
            ntok = None if (tok == "Pf" and state == 0) else self.lookup(tok, line, la, word)
            if ntok is not None:
                if state >= 0:
                    self.rew_elem(tok)
                    state = -2
                # What the end of this routine would do with state -1 or -2.
                if state == -1:
                    self.after.append(_After(ln, line, ppos, tok))
                elif nl:
                    self.after.append(_After(ln))
                self.tail(ntok, la)
                return
            if igndelim or isdelim(word) == Delim.NONE:
                if state == -1:
                    self.elem_alloc(line, ppos, tok, arg)
                    state = 1
                elif state >= 0:
                    state += 1
            elif state >= 0:
                self.rew_elem(tok)
                state = -2
            self.dword(line, la, word, None, bool(MACROS[tok].flags & F.JOIN))
            p = self.last.string
        if state == -1:
            self.report("MACRO_EMPTY", line, ppos, tok)
            return
        if state == 0 and tok == "Pf":
            self.append_delims(ln)
        if state >= 0:
            self.rew_elem(tok)
        if nl:
            self.append_delims(ln)

    def in_line_eoln(self, tok: str, ln: Line, ppos: int) -> None:
        if tok in ("Pp", "Lp") and not self.flags & St.SYNOPSIS:
            n = self.last
            if not self.child_next and n.parent is not None:
                n = n.parent
            if n.tok == "Nm" and n.parent is not None:
                self.rew_last(n.parent)
        if ln.at_end() and (tok == "Fd" or tok.startswith("%")):
            self.report("MACRO_EMPTY", ln.line, ppos, tok)
            return
        arg = self.argv(tok, ln)
        self.elem_alloc(ln.line, ppos, tok, arg)
        if self.parse_rest(tok, ln, tail=True):
            return
        self.rew_elem(tok)

    def parse_rest(self, tok: str | None, ln: Line, tail: bool = False) -> bool:
        """Words and macros to the end of the line; True if a macro took it over."""
        while True:
            la = ln.pos
            ac, p = self.args(ln, tok)
            if ac == A.EOLN:
                return False
            if self.macro_or_word(tok, ln, la, p, True, tail):
                return True

    def ctx_synopsis(self, tok: str, ln: Line, ppos: int) -> None:
        if (self.flags & (St.SYNOPSIS | St.NEWLINE)) != (St.SYNOPSIS | St.NEWLINE):
            self.in_line(tok, ln, ppos)
        elif tok == "Nm":
            self.blk_full(tok, ln, ppos)
        else:
            self.blk_part_imp(tok, ln, ppos)

    def phrase_ta(self, tok: str, ln: Line, ppos: int) -> None:
        body: Node | None = None
        n: Node | None = self.last
        while n is not None:
            if not n.flags & Flag.ENDED:
                if n.tok == "It" and n.type is BODY:
                    body = n
                if n.tok == "Bl" and n.end is ENDBODY_NOT:
                    break
            n = n.parent
        if n is None or n.norm is None or n.norm.list_type != "column" or body is None:
            self.report("TA_STRAY", ln.line, ppos, "Ta")
            return
        self.rew_last(body)
        self.body_alloc(ln.line, ppos, "It")
        self.parse_rest(None, ln, tail=True)


_Routine = Callable[[MdocParser, str, Line, int], None]

_ROUTINES: dict[Kind, _Routine] = {
    Kind.IN_LINE: MdocParser.in_line,
    Kind.IN_LINE_ARGN: MdocParser.in_line_argn,
    Kind.IN_LINE_EOLN: MdocParser.in_line_eoln,
    Kind.BLK_FULL: MdocParser.blk_full,
    Kind.BLK_PART_IMP: MdocParser.blk_part_imp,
    Kind.BLK_PART_EXP: MdocParser.blk_part_exp,
    Kind.BLK_EXP_CLOSE: MdocParser.blk_exp_close,
    Kind.CTX_SYNOPSIS: MdocParser.ctx_synopsis,
    Kind.PHRASE_TA: MdocParser.phrase_ta,
}

#: Macro name -> the routine of its class, built once: looked up by name on
#: every macro call (str keys hash in C, Enum members through a Python call).
_ROUTINE_OF: dict[str, _Routine] = {name: _ROUTINES[m.kind] for name, m in MACROS.items()}


def _checkpunct(buf: str, i: int) -> bool:
    """Is the rest of the line only closing (or middle) delimiters?"""
    if buf[i] not in _CLOSE_STARTS:
        return False  # the common case: the next word is no closing delimiter
    words = buf[i:].split(" ")
    first = True
    seen = False
    for w in words:
        if not w:
            continue
        if len(w) >= 6:
            return False
        d = isdelim(w)
        if first:
            if d != Delim.CLOSE:
                return False
            first = False
        elif d in (Delim.NONE, Delim.OPEN):
            return False
        seen = True
    return seen


def _unescaped_rstrip(buf: str, start: int, chars: str) -> int:
    """Where ``buf`` ends once trailing ``chars`` are dropped, keeping escaped ones."""
    end = len(buf)
    while end > start and buf[end - 1] in chars:
        end -= 1
    if end < len(buf) and escaped(buf, end, start):
        end += 1  # the first dropped blank was escaped: it is text
    return end


def _ends_in_c(s: str) -> bool:
    """Does text end in an unescaped ``\\c``?"""
    return s.endswith("\\c") and not escaped(s, len(s) - 2)
