"""The tree builder beneath both macro parsers, and what the roff layer calls.

mandoc keeps one parse state (``struct roff_man``: the cursor, the parse
flags) and one way to add nodes (roff.c's roff_node_alloc and
roff_node_append) for mdoc(7) and man(7) alike; the roff layer adds its
own nodes (comments, ``.br``, ``.sp``...) through them before it knows
which language a page is written in.  :class:`Builder` is that state and
those routines; :class:`mdoc2rst.mdoc.parser.MdocParser` and
:class:`mdoc2rst.man.parser.ManParser` build on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from mdoc2rst.eqn.box import Box, BoxType
from mdoc2rst.roff.escape import scan_escape
from mdoc2rst.tbl.model import Span
from mdoc2rst.tree.diagnostics import Reporter
from mdoc2rst.tree.nodes import (
    BODY,
    COMMENT,
    EQN,
    HEAD,
    TAIL,
    TBL,
    TEXT,
    Flag,
    Node,
    NodeType,
    Sec,
)


class Mode:
    """Parse-state bits that the roff layer and both parsers read and set.

    Each parser keeps its own bits in the same int (``Builder.flags``),
    clear of these.
    """

    NEWLINE: Final = 1 << 0  # the next node is the first of its input line
    SYNOPSIS: Final = 1 << 1  # mdoc: in the SYNOPSIS section
    NOFILL: Final = 1 << 11  # no-fill mode
    NONOFILL: Final = 1 << 12  # no-fill mode does not apply here (a heading)


#: Layout requests that stay in the tree as elements, with how many arguments
#: they take (-1: any number).
ELEMENT_ARGS: Final[dict[str, int]] = {
    "br": 0, "brp": 0, "fi": 0, "nf": 0,
    "ce": 1, "ft": 1, "ll": 1, "mc": 1, "po": 1, "rj": 1, "sp": 1, "ti": 1,
    "ta": -1,
}  # fmt: skip

_NOFILL_BITS: Final = Mode.NOFILL | Mode.NONOFILL
_DONE: Final = Flag.VALID | Flag.ENDED  # text nodes are complete when made
#: What a parser taking over from another keeps of its state.
_SHARED: Final = Mode.NEWLINE | Mode.NOFILL | Mode.NONOFILL


class Builder:
    """The cursor into the tree and node allocation at it.

    A new node goes in as a child of ``last`` (``child_next``) or
    right after it.  The roff layer reaches the parser through the methods
    and the callbacks here (registers, ``.tr``, the second expansion of an
    argument), which it sets once it exists.
    """

    def __init__(self, report: Reporter, root: Node, regs: Callable[[str], int]) -> None:
        self.report = report
        self.root = root
        self.last: Node = root
        self.child_next = True  # append the next node as a child of last
        self.flags = 0
        self.lastsec = Sec.NONE
        self.getreg = regs
        self.setreg: Callable[[str, int], None] = lambda name, value: None
        self.translate: Callable[[str], str] = str
        self.expand_arg: Callable[[int, str], str] = lambda line, word: word
        #: The language the subclass reads, "mdoc" or "man", and its macros.
        self.macroset = ""
        self.known: frozenset[str] = frozenset()

    def parse_line(self, lineno: int, buf: str, offs: int, control: bool) -> None:
        """One line that no roff request took: a macro line or a text line."""
        raise NotImplementedError

    def element(
        self, line: int, buf: str, at: int, pos: int, name: str, words: list[tuple[int, str]]
    ) -> None:
        """A layout request that stays in the tree (``br``, ``sp``, ``ft``...).

        ``at`` is where mandoc places it in ``buf`` (its name, or inside a
        conditional where the conditional's body starts), ``pos`` where its
        arguments start; ``words`` are those arguments, split at blanks,
        with their positions.
        """
        raise NotImplementedError

    def endparse(self) -> None:
        """End of input: close what is still open."""
        raise NotImplementedError

    def take_over(self, other: Builder) -> None:
        """Go on where ``other`` stopped: its cursor and the shared mode bits.

        The roff layer adds nodes before it knows the page's language; the
        parser it then chooses continues from there.
        """
        self.last = other.last
        self.child_next = other.child_next
        self.flags = (self.flags & ~_SHARED) | (other.flags & _SHARED)
        self.getreg, self.setreg = other.getreg, other.setreg
        self.translate, self.expand_arg = other.translate, other.expand_arg

    # ------------------------------------------------------------------
    # Arguments

    def getarg(self, buf: str, pos: int, line: int) -> tuple[str, int]:
        """Read one roff argument at ``pos``: quoting, ``\\ `` and ``""``."""
        n = len(buf)
        if pos < n and buf[pos] != '"':
            # Most words have neither quotes nor escapes: find their end in C.
            end = buf.find(" ", pos)
            word = buf[pos:] if end < 0 else buf[pos:end]
            if "\\" not in word:
                if end < 0:
                    return word, n
                i = end + 1
                while i < n and buf[i] == " ":
                    i += 1
                if i >= n:
                    self.report("SPACE_EOL", line, i)
                return word, i
        i = pos
        quoted = 0
        if i < n and buf[i] == '"':
            quoted = 1
            i += 1
        out: list[str] = []
        white = False
        newesc = False
        while i < n:
            ch = buf[i]
            if ch == "\\":
                nxt = buf[i + 1] if i + 1 < n else ""
                if nxt in ("a", "t"):
                    out.append("\t")
                    i += 2
                    continue
                if nxt == "\\":
                    out.append("\\")
                    newesc = True
                    i += 2
                    continue
                if nxt == " " and not quoted:
                    out.append("\\ ")
                    i += 2
                    continue
                out.append(ch)
                i += 1
                continue
            if not quoted:
                if ch == " ":
                    white = True
                    break
            elif ch == '"':
                if i + 1 < n and buf[i + 1] == '"':
                    out.append('"')
                    i += 2
                    continue
                quoted = 2
                break
            out.append(ch)
            i += 1
        if quoted == 1:
            self.report("ARG_QUOTE", line, pos)
        if i < n:
            i += 1
            while i < n and buf[i] == " ":
                i += 1
        if i >= n and (white or (i > 0 and buf[i - 1] == " ")):
            self.report("SPACE_EOL", line, i)
        word = "".join(out)
        if newesc:
            word = self.expand_arg(line, word)
        return word, i

    # ------------------------------------------------------------------
    # Node allocation

    def _append(self, n: Node) -> Node:
        fl = self.flags
        flags = n.flags
        if fl & Mode.SYNOPSIS:
            flags |= Flag.SYNPRETTY
        if fl & _NOFILL_BITS == Mode.NOFILL:
            flags |= Flag.NOFILL
        if fl & Mode.NEWLINE:
            flags |= Flag.LINE
            self.flags = fl & ~Mode.NEWLINE
        n.flags = flags
        n.sec = self.lastsec
        last = self.last
        parent = last if self.child_next else last.parent
        assert parent is not None, "the root is never a sibling"
        n.parent = parent
        n.depth = parent.depth + 1
        n.file = self.report.file
        sibs = parent.children
        # Each node learns its position as it is placed (Node.index).
        if self.child_next or not sibs or sibs[-1] is last:
            n.hint = len(sibs)
            sibs.append(n)
        else:
            # Insert right after last: an end marker may sit behind it.
            for i in range(len(sibs) - 2, -1, -1):
                if sibs[i] is last:
                    n.hint = i + 1
                    sibs.insert(i + 1, n)
                    break
            else:
                n.hint = len(sibs)
                sibs.append(n)
        self.last = n
        t = n.type  # identity tests: hashing an Enum member is a Python call
        if t is HEAD or t is BODY or t is TAIL:
            n.norm = parent.norm
        return n

    def node(self, t: NodeType, tok: str, line: int, pos: int) -> Node:
        """A macro node at the cursor; what follows goes inside it."""
        n = self._append(Node(t, tok, line, pos))
        self.child_next = True
        return n

    def head_alloc(self, line: int, pos: int, tok: str) -> Node:
        return self.node(HEAD, tok, line, pos)

    def body_alloc(self, line: int, pos: int, tok: str) -> Node:
        return self.node(BODY, tok, line, pos)

    def tail_alloc(self, line: int, pos: int, tok: str) -> Node:
        return self.node(TAIL, tok, line, pos)

    @staticmethod
    def macro_name(buf: str, offs: int) -> tuple[str, int]:
        """The macro name at ``offs`` and the position after it: at most
        four characters, up to a blank or an escape (mdoc_pmacro and
        man_pmacro read it alike; each language judges the name)."""
        end = offs
        n = len(buf)
        while end - offs < 4 and end < n and buf[end] not in " \t\\":
            end += 1
        return buf[offs:end], end

    def macro_args(self, line: int, buf: str, offs: int) -> int:
        """Where a macro's arguments start after its name at ``offs``: one
        escape or tab right after the name is skipped, then blanks; blanks
        that end the line are reported."""
        n = len(buf)
        if offs < n and buf[offs] == "\\":
            offs = scan_escape(buf, offs).end
        elif offs < n and buf[offs] == "\t":
            offs += 1
        while offs < n and buf[offs] == " ":
            offs += 1
        if offs >= n and offs > 0 and buf[offs - 1] == " ":
            self.report("SPACE_EOL", line, offs - 1)
        return offs

    def word_alloc(self, line: int, pos: int, word: str) -> Node:
        n = self._append(Node(TEXT, "", line, pos, _DONE, string=self.translate(word)))
        self.child_next = False
        return n

    def word_append(self, word: str) -> None:
        self.last.string += " " + self.translate(word)
        self.child_next = False

    def table(self, line: int, spans: list[Span]) -> None:
        """The data rows a line of a table made, one TBL node each
        (roff_addtbl); ``line`` is the line that made them."""
        for span in spans:
            n = self._append(Node(TBL, "", line, 0, span=span))
            n.flags |= _DONE
            self.child_next = False

    def equation(self, line: int, pos: int) -> Node:
        """The EQN node of an equation whose ``.EQ`` is at ``line``, ``pos``
        (roff_EQ); its boxes come at ``.EN``.  It starts a line of output
        when it is the first node of its input line, or below one."""
        n = Node(EQN, "", line, pos, eqn=Box(BoxType.ROOT))
        if line > self.last.line:
            n.flags |= Flag.LINE
        n = self._append(n)
        n.flags |= _DONE
        self.child_next = False
        return n

    def comment_alloc(self, line: int, pos: int, text: str) -> None:
        n = self._append(Node(COMMENT, "", line, pos, string=text))
        n.flags |= Flag.VALID | Flag.ENDED
        self.child_next = False
