"""The man(7) layer: macro lines and text lines become the document tree.

Input comes from the roff layer (:mod:`mdoc2rst.roff.layer`) one line at a
time.  A macro line is dispatched through :data:`mdoc2rst.man.macros.MACROS`
to one of four routines (implicit block, explicit block, closer, element),
which follow mandoc's man_macro.c and man.c: an implicit block is closed by
the next one of its rank, a macro with nothing on its line may take the
next line (next-line scope, for a block head or an element), and a macro
that may not stand in such a scope breaks it, with a message.  Nothing here
knows about defaults or tags: that is :mod:`mdoc2rst.man.validate`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from mdoc2rst.man.macros import CLOSER_OF, MACROS, PARAGRAPHS, F, Kind
from mdoc2rst.mdoc.parser import is_eos
from mdoc2rst.roff.builder import Builder, Mode
from mdoc2rst.tbl.model import Span
from mdoc2rst.tree.diagnostics import Reporter
from mdoc2rst.tree.nodes import BLOCK, ELEM, EQN, HEAD, ROOT, TEXT, Flag, Node

#: Deepest tree the parser builds; a macro that would open a scope deeper
#: is dropped with a message.  Real pages nest a dozen levels at most;
#: nested .RS, .UR and empty font macros have no bound in mandoc, and
#: every later stage walks the tree recursively.
MAX_DEPTH = 120


class St:
    """man(7) parse flags, beside the shared :class:`Mode` bits (plain ints)."""

    ELINE: Final = 1 << 20  # an element waits for the next line
    BLINE: Final = 1 << 21  # a block head waits for the next line


#: Layout requests that break a next-line scope (roff.c: roff_noarg and
#: roff_onearg); .nf and .fi only end a section heading's (man_breakscope).
_BREAKING: Final = frozenset({"br", "brp", "fi", "nf", "ce", "rj", "sp", "ti"})
_NOARG: Final = frozenset({"br", "brp", "fi", "nf"})
_FILL: Final = frozenset({"fi", "nf"})
_CENTER: Final = frozenset({"ce", "rj"})

#: strtod's reading of the start of a string (the RS indent).
_FLOAT = re.compile(r"[ \t\n\v\f\r]*([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")
#: strtol's reading (the RE argument).
_INT = re.compile(r"[ \t\n\v\f\r]*([+-]?\d+)")


def _flags(tok: str) -> int:
    """A macro's scope flags; none for roff requests, text and the root."""
    m = MACROS.get(tok)
    return m.flags if m is not None else 0


def _hasc(s: str) -> bool:
    """Does ``s`` end in ``\\c`` that is not itself escaped (man_hasc)?"""
    if len(s) < 2 or not s.endswith("\\c"):
        return False
    k = len(s) - 2
    run = 0
    while k - run - 1 >= 0 and s[k - run - 1] == "\\":
        run += 1
    return run % 2 == 0


def _c_long(value: int) -> int:
    """An int as C's strtol clamps it, then as it is stored in an int."""
    value = max(-(1 << 63), min((1 << 63) - 1, value))
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


class ManParser(Builder):
    """Builds the man(7) tree from lines, one call of :meth:`parse_line` per line."""

    def __init__(self, report: Reporter, root: Node, regs: Callable[[str], int]) -> None:
        super().__init__(report, root, regs)
        self.macroset = "man"
        self.known = frozenset(MACROS)
        #: RS block -> the indent it added to the an-margin register.
        self.margins: dict[Node, int] = {}
        self.too_deep = False  # reported the nesting limit already

    # ------------------------------------------------------------------
    # Allocation and deletion

    def block_alloc(self, line: int, pos: int, tok: str) -> Node:
        return self.node(BLOCK, tok, line, pos)

    def elem_alloc(self, line: int, pos: int, tok: str) -> Node:
        return self.node(ELEM, tok, line, pos)

    def delete(self, n: Node) -> None:
        """Remove ``n`` and all below it (roff_node_delete).

        When the cursor is inside, it moves to the node before ``n``, or
        to its parent when there is none, as mandoc's unlinking leaves it.
        """
        parent = n.parent
        if parent is None:
            return
        k = n.index()
        m: Node | None = self.last
        while m is not None and m is not n:
            m = m.parent
        if m is n:
            if k > 0:
                self.last = parent.children[k - 1]
                self.child_next = False
            else:
                self.last = parent
                self.child_next = True
        del parent.children[k]
        n.parent = None

    # ------------------------------------------------------------------
    # Scopes

    def unscope(self, to: Node | None) -> None:
        """Close every node from the cursor up to ``to`` (man_unscope).

        ``to`` None: the end of the input; an element or block head still
        waiting for its next line is then deleted, and an explicit block
        still open is reported.
        """
        stop = to.parent if to is not None else None
        n = self.last
        while n is not stop:
            if stop is None and not n.flags & Flag.VALID:
                fl = self.flags
                if fl & (St.BLINE | St.ELINE) and _flags(n.tok) & (F.BSCOPED | F.NSCOPED):
                    self.report("BLK_LINE", n.line, n.pos, f"EOF breaks {n.tok}")
                    if fl & St.ELINE:
                        parent = n.parent
                        if parent is None or not _flags(parent.tok) & F.ESCOPED:
                            self.flags &= ~St.ELINE
                    else:
                        if n.type is HEAD and n.parent is not None:
                            n = n.parent
                        self.flags &= ~St.BLINE
                    doomed = n
                    self.last = n
                    parent = n.parent
                    self.delete(doomed)
                    if parent is None:
                        break
                    n = parent
                    continue
                if n.type is BLOCK and MACROS[n.tok].kind is Kind.BLK_EXP:
                    self.report("BLK_NOEND", n.line, n.pos, n.tok)
            self.last = n
            n.flags |= Flag.VALID
            parent = n.parent
            if parent is None:
                break
            n = parent
        self.child_next = self.last is stop

    def rew_scope(self, tok: str) -> None:
        """Close the blocks a new ``tok`` ends: those below it in rank."""
        n = self.last
        # An empty paragraph before .RS stays open: the RS goes inside it.
        if tok == "RS" and not n.children and n.tok in PARAGRAPHS:
            return
        while True:
            if n.type is ROOT:
                return
            parent = n.parent
            assert parent is not None
            if n.flags & Flag.VALID:
                n = parent
                continue
            if n.type is not BLOCK:
                if parent.type is ROOT:
                    self.unscope(n)
                    return
                n = parent
                continue
            if tok != "SH" and (
                n.tok == "SH"
                or (tok != "SS" and (n.tok == "SS" or MACROS[n.tok].kind is Kind.BLK_EXP))
            ):
                return
            self.unscope(n)
            n = self.last

    def descope(self, line: int, offs: int, start: str | None) -> None:
        """A line ended: close the next-line scope waiting for it, if any.

        A trailing ``\\c`` keeps the scope open for one more line.
        """
        if start is not None and _hasc(start):
            return
        if self.flags & St.ELINE:
            while True:
                parent = self.last.parent
                if parent is None or parent.type is ROOT or not _flags(parent.tok) & F.ESCOPED:
                    break
                self.unscope(parent)
            self.flags &= ~St.ELINE
        if not self.flags & St.BLINE:
            return
        self.open_body(line, offs)

    def open_body(self, line: int, pos: int) -> None:
        """Close the head waiting for its next line and open the body."""
        head = self.last.parent
        if head is not None:
            self.unscope(head)
        self.body_alloc(line, pos, self.last.tok)
        self.flags &= ~(St.BLINE | Mode.NONOFILL)

    def breakscope(self, tok: str) -> None:
        """A macro or request that may not stand in an open next-line scope
        ends it: the waiting element or block is deleted (man_breakscope)."""
        fl = self.flags
        if fl & St.ELINE and not _flags(tok) & F.NSCOPED:
            # The element waiting for its line: the last node, or its parent
            # when that is text or an element that takes no next line.
            n = self.last
            if n.type is TEXT and n.parent is not None:
                n = n.parent
            scope = _flags(n.tok) & (F.NSCOPED | F.ESCOPED)
            if (n.tok not in MACROS or scope == F.NSCOPED) and n.parent is not None:
                n = n.parent
            self.report("BLK_LINE", n.line, n.pos, f"{tok} breaks {n.tok}")
            self.delete(n)
            self.flags &= ~St.ELINE
        # Switching fill mode closes a section heading's next-line scope.
        if self.flags & St.BLINE and tok in _FILL and self.last.tok in ("SH", "SS"):
            n = self.last
            self.unscope(n)
            self.body_alloc(n.line, n.pos, n.tok)
            self.flags &= ~(St.BLINE | Mode.NONOFILL)
        if (
            self.flags & St.BLINE
            and tok not in _FILL
            and (tok not in MACROS or _flags(tok) & F.XSCOPE)
        ):
            n = self.last
            if n.type is TEXT and n.parent is not None:
                n = n.parent
            if (n.tok not in MACROS or not _flags(n.tok) & F.XSCOPE) and n.parent is not None:
                n = n.parent
            block = n.parent if n.type is HEAD else None
            if block is not None and block.type is BLOCK:
                self.report("BLK_LINE", block.line, block.pos, f"{tok} breaks {block.tok}")
                self.delete(block)
            self.flags &= ~(St.BLINE | Mode.NONOFILL)

    # ------------------------------------------------------------------
    # Arguments

    def args(self, buf: str, pos: int, line: int) -> tuple[str | None, int]:
        """The next argument of a macro line and where the one after starts;
        None at the end of the line (man_args)."""
        if pos >= len(buf):
            return None, pos
        return self.getarg(buf, pos, line)

    # ------------------------------------------------------------------
    # Macro routines

    def blk_imp(self, tok: str, line: int, ppos: int, buf: str, pos: int) -> None:
        self.rew_scope(tok)
        self.flags |= Mode.NONOFILL
        if tok in ("SH", "SS"):
            self.flags &= ~Mode.NOFILL
        self.block_alloc(line, ppos, tok)
        head = self.head_alloc(line, ppos, tok)
        while True:
            la = pos
            word, pos = self.args(buf, pos, line)
            if word is None:
                break
            self.word_alloc(line, la, word)
        # An empty head (always, for TP and TQ) takes the next line.
        if _flags(tok) & F.BSCOPED and (tok in ("TP", "TQ") or self.last is head):
            self.flags |= St.BLINE
            return
        self.unscope(head)
        self.body_alloc(line, ppos, tok)
        self.flags &= ~Mode.NONOFILL

    def blk_exp(self, tok: str, line: int, ppos: int, buf: str, pos: int) -> None:
        if tok == "RS":
            self.rew_scope(tok)
            self.flags |= Mode.NONOFILL
        block = self.block_alloc(line, ppos, tok)
        head = self.head_alloc(line, ppos, tok)
        la = pos
        word, pos = self.args(buf, pos, line)
        if word is not None:
            self.word_alloc(line, la, word)
            if tok == "RS":
                if self.getreg("an-margin") == 0:
                    self.setreg("an-margin", 7 * 24)
                indent = _indent(word)
                if indent > 0:
                    self.margins[block] = indent
                    self.setreg("an-margin", self.getreg("an-margin") + indent)
        if pos < len(buf):
            self.report("ARG_EXCESS", line, pos, f"{tok} ... {buf[pos:]}")
        self.unscope(head)
        self.body_alloc(line, ppos, tok)
        self.flags &= ~Mode.NONOFILL

    def blk_close(self, tok: str, line: int, ppos: int, buf: str, pos: int) -> None:
        ntok = CLOSER_OF[tok]
        nrew = 1
        if tok == "RE":
            la = pos
            word, pos = self.args(buf, pos, line)
            if word is not None:
                nn = self.last.parent
                while nn is not None:
                    if nn.tok == "RS" and nn.type is BLOCK:
                        nrew += 1
                    nn = nn.parent
                m = _INT.match(word)
                target = _c_long(int(m.group(1))) if m is not None else 0
                rest = word[m.end() :] if m is not None else word
                if rest:
                    at = la + (buf[la] == '"') + len(word) - len(rest)
                    self.report("ARG_EXCESS", line, at, f"RE ... {rest}")
                if target == 0:
                    target = 1
                nrew -= target
                if nrew < 1:
                    self.report("RE_NOTOPEN", line, ppos, f"RE {target}")
                    return
        found = self.last.parent
        while found is not None:
            if found.tok == ntok and found.type is BLOCK:
                nrew -= 1
                if nrew == 0:
                    break
            found = found.parent
        if found is None:
            self.report("BLK_NOTOPEN", line, ppos, tok)
            self.rew_scope("PP")
            if tok == "RE":
                n = self.elem_alloc(line, ppos, "br")
                n.flags |= Flag.LINE | Flag.VALID | Flag.ENDED
                self.child_next = False
            return
        last = self.last
        cline, cpos, ctok = last.line, last.pos, last.tok
        self.unscope(found)
        if tok == "RE":
            indent = self.margins.pop(found, 0)
            if indent > 0:
                self.setreg("an-margin", self.getreg("an-margin") - indent)
        # Words after the closer are text after the block.
        if pos < len(buf):
            text = self.word_alloc(line, ppos, buf[pos:])
            text.flags |= Flag.DELIMC
            if is_eos(text.string):
                text.flags |= Flag.EOS
        # A paragraph open at the end of the block goes on after it.
        if ctok in PARAGRAPHS:
            self.blk_imp(ctok, cline, cpos, buf, len(buf))
        # The end of a synopsis block needs a marker for its spacing.
        if tok == "YS" and self.last is found:
            self.elem_alloc(line, ppos, tok)
            self.unscope(self.last)

    def in_line_eoln(self, tok: str, line: int, ppos: int, buf: str, pos: int) -> None:
        n = self.elem_alloc(line, ppos, tok)
        if tok == "EX":
            self.flags |= Mode.NOFILL
        elif tok == "EE":
            self.flags &= ~Mode.NOFILL
        join = bool(_flags(tok) & F.JOIN)
        joined: list[str] = []
        while True:
            if pos < len(buf) and self.last is not n and tok == "PD":
                self.report("ARG_EXCESS", line, pos, f"{tok} ... {buf[pos:]}")
                break
            la = pos
            word, pos = self.args(buf, pos, line)
            if word is None:
                break
            if join and self.last.type is TEXT:
                # Gathered and joined once: appending to a string held by
                # a node would copy it again for every word.
                joined.append(self.translate(word))
            else:
                self.word_alloc(line, la, word)
        if joined:
            self.last.string = " ".join([self.last.string, *joined])
        last = self.last
        if last is not n and is_eos(last.string):
            last.flags |= Flag.EOS
        if last is n and _flags(tok) & F.ESCOPED:
            self.flags |= St.ELINE
            return
        self.child_next = False
        m: Node | None = last
        while m is not None:
            m.flags |= Flag.VALID
            self.last = m
            if m is n:
                break
            m = m.parent
        if _flags(tok) & F.ESCOPED:
            self.descope(line, ppos, None)

    # ------------------------------------------------------------------
    # Lines

    def parse_line(self, lineno: int, buf: str, offs: int, control: bool) -> None:
        last = self.last
        if last.type is not EQN or lineno > last.line:
            # Text after an in-line equation goes on the equation's line.
            self.flags |= Mode.NEWLINE
        if control:
            self.pmacro(lineno, buf, offs)
        else:
            self.ptext(lineno, buf, offs)

    def ptext(self, line: int, buf: str, offs: int) -> None:
        # In no-fill mode, blanks are kept.
        if self.flags & Mode.NOFILL:
            self.word_alloc(line, offs, buf[offs:])
            self.descope(line, offs, buf[offs:])
            return
        i = offs
        n = len(buf)
        while i < n and buf[i] == " ":
            i += 1
        if i >= n:
            # A blank line: nothing in a next-line scope or right after a
            # heading; it cancels a \c before it; else vertical space.
            if self.flags & (St.ELINE | St.BLINE):
                self.report("BLK_BLANK", line, 0)
                return
            last = self.last
            if last.tok in ("SH", "SS"):
                return
            if last.type is TEXT and _hasc(last.string):
                last.string = last.string[:-2]
                return
            self.elem_alloc(line, offs, "sp")
            self.child_next = False
            return
        end = n
        if buf[end - 1] in " \t":
            if end > 1 and buf[end - 2] != "\\":
                self.report("SPACE_EOL", line, end - 1)
            k = end - 1
            while k and buf[k] == " ":
                k -= 1
            end = k + (2 if buf[k] == "\\" else 1)
            buf = buf[:end]
        text = self.word_alloc(line, offs, buf[offs:])
        if is_eos(buf[:end]):
            text.flags |= Flag.EOS
        self.descope(line, offs, buf[offs:])

    def pmacro(self, line: int, buf: str, offs: int) -> None:
        ppos = offs
        tok, offs = self.macro_name(buf, offs)
        macro = MACROS.get(tok) if 0 < len(tok) < 4 else None
        if macro is None:
            self.report("MACRO", line, ppos, buf[ppos - 1 :] if ppos > 0 else buf)
            return
        offs = self.macro_args(line, buf, offs)
        if macro.kind is not Kind.BLK_CLOSE and self.last.depth >= MAX_DEPTH:
            if not self.too_deep:
                self.report("TOOLARGE", line, ppos, f"nesting deeper than {MAX_DEPTH}")
                self.too_deep = True
            return
        self.breakscope(tok)
        bline = bool(self.flags & St.BLINE)
        # A line in next-line scope that ends in \c keeps the scope open.
        if bline and _hasc(buf[offs:]):
            bline = False
        _ROUTINES[macro.kind](self, tok, line, ppos, buf, offs)
        if (
            not bline
            or not self.flags & St.BLINE
            or self.flags & St.ELINE
            or macro.flags & F.NSCOPED
        ):
            return
        self.open_body(line, ppos)

    def element(
        self, line: int, buf: str, at: int, pos: int, name: str, words: list[tuple[int, str]]
    ) -> None:
        """A roff layout request; those that end a line break a next-line scope."""
        if self.flags & (St.BLINE | St.ELINE) and name in _BREAKING:
            self.breakscope(name)
        if name in _NOARG:
            tok = "br" if name == "brp" else name
            self.flags |= Mode.NEWLINE
            n = self.elem_alloc(line, at, tok)
            if pos < len(buf):
                self.report("ARG_SKIP", line, pos, f"{tok} {buf[pos:]}")
            if tok == "nf":
                self.flags |= Mode.NOFILL
            elif tok == "fi":
                self.flags &= ~Mode.NOFILL
            n.flags |= Flag.LINE | Flag.VALID | Flag.ENDED
            self.child_next = False
            return
        self.flags |= Mode.NEWLINE
        n = self.elem_alloc(line, at, name)
        if name == "ta":
            for wpos, word in _blank_words(buf, pos):
                self.word_alloc(line, wpos, word)
        elif pos < len(buf):
            end = buf.find(" ", pos)
            if end < 0:
                end = len(buf)
            k = end
            while k < len(buf) and buf[k] == " ":
                k += 1
            if k < len(buf):
                self.report("ARG_EXCESS", line, k, f"{name} ... {buf[k:]}")
            self.word_alloc(line, pos, buf[pos:end])
        n.flags |= Flag.LINE | Flag.VALID | Flag.ENDED
        self.last = n
        self.child_next = False

    def table(self, line: int, spans: list[Span]) -> None:
        """A line of a table breaks a next-line scope, as a macro would
        (roff_addtbl), whether or not it makes a data row."""
        self.breakscope("TS")
        super().table(line, spans)

    def equation(self, line: int, pos: int) -> Node:
        """An equation breaks a next-line scope too (roff_EQ)."""
        self.breakscope("EQ")
        return super().equation(line, pos)

    def endparse(self) -> None:
        self.unscope(None)


def _blank_words(buf: str, pos: int) -> list[tuple[int, str]]:
    """Words separated by spaces only, with their positions (roff_manyarg)."""
    out: list[tuple[int, str]] = []
    n = len(buf)
    i = pos
    while i < n:
        j = buf.find(" ", i)
        if j < 0:
            j = n
        out.append((i, buf[i:j]))
        while j < n and buf[j] == " ":
            j += 1
        i = j
    return out


def _indent(word: str) -> int:
    """The indent of ``.RS word`` in basic units: strtod's number times 24."""
    m = _FLOAT.match(word)
    if m is None:
        return 0
    try:
        value = float(m.group(1)) * 24.0
    except (OverflowError, ValueError):
        return 0
    if value != value or abs(value) >= 1 << 31:
        return 0
    return int(value)


_Routine = Callable[[ManParser, str, int, int, str, int], None]

_ROUTINES: Final[dict[Kind, _Routine]] = {
    Kind.BLK_IMP: ManParser.blk_imp,
    Kind.BLK_EXP: ManParser.blk_exp,
    Kind.BLK_CLOSE: ManParser.blk_close,
    Kind.IN_LINE_EOLN: ManParser.in_line_eoln,
}
