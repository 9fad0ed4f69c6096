"""The eqn(7) parser: one equation's text to a box tree, as mandoc 1.14.6 builds it.

This is eqn_parse() of mandoc's eqn.c: one handler per token class in
:data:`_HANDLERS`, each moving the insertion point (``parent``) the way
mandoc does.  :class:`EqnParser` holds what outlives an equation in a
document: the defined names, ``delim``, ``gsize``.

mandoc reports every problem of an equation at its ``.EQ`` macro, so the
diagnostics here carry that line and column too, and a page gets the lines
``mandoc -T lint`` prints.

Every pass is linear: the lexer reads each character of the text and of the
substituted values once, the insertion point climbs no higher than boxes
were opened below it, and the searches for an open brace, pile or script
read a pointer each box keeps (Box.near_*).  Nothing recurses, so an
equation nested a hundred thousand deep is parsed and dumped like any other.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Final

from mdoc2rst.eqn.box import UNLIMITED, Box, BoxType, Font, Pos
from mdoc2rst.eqn.lexer import Lexer, Mode, Substitutions, Tok
from mdoc2rst.roff.escape import scan as scan_escape
from mdoc2rst.tree.diagnostics import Diagnostic, Reporter

__all__ = ["EqnParser", "EqnState", "Equation"]

# mandoc's size of an int, which strtol's result is clamped to.
_INT_MIN: Final = -(1 << 31)
_INT_MAX: Final = (1 << 31) - 1
_STRTOL: Final = re.compile(r"[ \t\n\v\f\r]*[+-]?[0-9]+")


@dataclass(slots=True)
class EqnState:
    """What one equation leaves to the next in a document (eqn.c: struct eqn_node)."""

    subs: Substitutions = field(default_factory=Substitutions)
    #: The size of every new box (``gsize``); None: none given.
    gsize: int | None = None
    #: Whether in-line equations are on, and their delimiters ("" until set).
    delim: bool = False
    odelim: str = ""
    cdelim: str = ""


@dataclass(frozen=True, slots=True)
class Equation:
    """One parsed equation: its root box (the dump prints its children), the
    line and 0-based position of its ``.EQ`` macro, and what was wrong."""

    root: Box
    line: int
    pos: int
    diagnostics: tuple[Diagnostic, ...]


class EqnParser:
    """Parses the equations of one document, in order."""

    def __init__(self, filename: str = "<stdin>") -> None:
        self.filename = filename
        self.state = EqnState()

    @property
    def delimiters(self) -> tuple[str, str] | None:
        """The opening and closing in-line delimiters while ``delim`` is on."""
        s = self.state
        return (s.odelim, s.cdelim) if s.delim else None

    def parse(self, lines: Iterable[str], line: int, pos: int) -> Equation:
        """Parse the text lines between ``.EQ`` (at ``line``, macro name at
        0-based ``pos``) and ``.EN``, as the roff layer passed them on: whole
        lines, control lines other than ``.EN`` included, escapes expanded."""
        reporter = Reporter(self.filename)

        def report(kind: str, args: str | None) -> None:
            reporter(kind, line, pos, args)

        root = Box(BoxType.ROOT)
        # mandoc joins the lines with blanks; a C string ends at a NUL.
        texts = [text.partition("\0")[0] for text in lines]
        if texts:
            _Parse(Lexer(" ".join(texts), self.state.subs, report), self.state, root, report).run()
        return Equation(root, line, pos, tuple(reporter.items))


# -- the parse ---------------------------------------------------------------------


class _Parse:
    """One run of eqn_parse(): the lexer and the insertion point."""

    def __init__(
        self, lexer: Lexer, state: EqnState, root: Box, report: Callable[[str, str | None], None]
    ) -> None:
        self.lexer = lexer
        self.state = state
        self.parent = root
        self.report = report

    def run(self) -> None:
        lexer = self.lexer
        while True:
            tok = lexer.next(Mode.TOK)
            if tok is Tok.EOF:
                return
            _HANDLERS[tok](self, tok)

    def alloc(self, parent: Box, kind: BoxType, expectargs: int = UNLIMITED) -> Box:
        """A new last child of ``parent`` (eqn.c: eqn_box_alloc)."""
        box = Box(kind, parent, font=parent.font, size=self.state.gsize, expectargs=expectargs)
        parent.children.append(box)
        parent.args += 1
        _link(box)
        return box

    def makebinary(self, parent: Box) -> Box:
        """Move the last child of ``parent`` into a new subexpression in its place."""
        last = parent.children.pop()
        parent.args -= 1
        box = self.alloc(parent, BoxType.SUBEXPR, 2)
        box.args = 1
        box.children.append(last)
        last.parent = box
        return box

    def climb(self) -> Box:
        """Leave the boxes that have all their children (the usual first step)."""
        parent = self.parent
        while parent.args == parent.expectargs:
            parent = _up(parent)
        self.parent = parent
        return parent

    def ensure_box(self, tok: Tok) -> None:
        """An operator with nothing before it gets an empty text box."""
        if not self.parent.children:
            self.report("EQN_NOBOX", tok.value)
            self.alloc(self.parent, BoxType.TEXT).text = ""

    def argument(self, tok: Tok) -> bool:
        """Read the word a keyword takes; False (and a warning) if there is none."""
        if self.lexer.next(Mode.SUB) is Tok.EOF:
            self.report("REQ_EMPTY", tok.value)
            return False
        return True


def _up(box: Box) -> Box:
    parent = box.parent
    assert parent is not None, "the root is never full nor closed"
    return parent


_SCRIPTS: Final = frozenset({Pos.SUB, Pos.SUP, Pos.SUBSUP, Pos.SQRT, Pos.OVER})


def _link(box: Box) -> None:
    """Set the ``near_*`` pointers of a new box from its parent's.

    A box's kind, limits, fence and position class do not change once its
    handler has set them, except a move under a new subexpression
    (makebinary), after which the insertion point never returns inside the
    moved box; so the pointers are refreshed by the handlers that set those
    attributes, and stay right for every box a search can start from.
    """
    parent = box.parent
    assert parent is not None
    brace = box.type is BoxType.LIST and box.expectargs > 1
    box.near_brace = box if brace else parent.near_brace
    box.near_fence = box if brace and box.left is not None else parent.near_fence
    box.near_pile = box if box.type is BoxType.PILE else parent.near_pile
    box.near_script = box if box.pos in _SCRIPTS else parent.near_script


# -- control statements --------------------------------------------------------------


def _define(p: _Parse, tok: Tok) -> None:
    lexer, defs = p.lexer, p.state.subs.defs
    if lexer.next(Mode.NOSUB) is Tok.EOF:
        p.report("REQ_EMPTY", "define")
        return
    key = lexer.token
    if lexer.next(Mode.QUOTED) is Tok.EOF:
        p.report("REQ_EMPTY", f"define {key}")
        defs.pop(key, None)
        return
    # mandoc never finds an empty name: it marks a free slot.
    if key:
        defs[key] = lexer.token


def _undef(p: _Parse, tok: Tok) -> None:
    if p.lexer.next(Mode.NOSUB) is Tok.EOF:
        p.report("REQ_EMPTY", "undef")
        return
    p.state.subs.defs.pop(p.lexer.token, None)


def _tdefine(p: _Parse, tok: Tok) -> None:
    # troff-only definitions: read and dropped.
    if p.lexer.next(Mode.NOSUB) is Tok.EOF or p.lexer.next(Mode.QUOTED) is Tok.EOF:
        p.report("REQ_EMPTY", "tdefine")


def _delim(p: _Parse, tok: Tok) -> None:
    # The argument is read right after the blanks that followed "delim",
    # two characters or "on" or "off", with no blank needed after it.
    lexer, state = p.lexer, p.state
    ahead = lexer.lookahead(3)
    if len(ahead) < 2:
        p.report("REQ_EMPTY", "delim")
        if ahead:
            lexer.skip()
    elif ahead == "off":
        state.delim = False
        _skip(lexer, 3)
    elif ahead.startswith("on"):
        if state.odelim and state.cdelim:
            state.delim = True
        _skip(lexer, 2)
    else:
        state.odelim, state.cdelim = ahead[0], ahead[1]
        state.delim = True
        _skip(lexer, 2)


def _skip(lexer: Lexer, n: int) -> None:
    for _ in range(n):
        lexer.skip()


def _gsize_or_size(p: _Parse, tok: Tok) -> None:
    if not p.argument(tok):
        return
    size = _strntoi(p.lexer.token)
    if size == -1:
        p.report("IT_NONUM", tok.value)
        return
    # INT_MIN is mandoc's "no size".
    value = None if size == _INT_MIN else size
    if tok is Tok.GSIZE:
        p.state.gsize = value
        return
    box = p.alloc(p.climb(), BoxType.LIST, 1)
    box.size = value
    p.parent = box


def _strntoi(word: str) -> int:
    """mandoc_strntoi(): a decimal int, or -1 (also for a genuine -1)."""
    if len(word) > 31 or _STRTOL.fullmatch(word) is None:
        return -1
    return max(_INT_MIN, min(_INT_MAX, int(word.strip(" \t\n\v\f\r"))))


def _read_and_ignore(p: _Parse, tok: Tok) -> None:
    # gfont, fwd, back, down, up: the argument is read and not used.
    p.argument(tok)


def _ignore(p: _Parse, tok: Tok) -> None:
    # mark, lineup
    return


# -- operators --------------------------------------------------------------------------

# The mark above (or below) a box, by diacritical keyword.
_DIACRITICS: Final[dict[Tok, tuple[str | None, str | None]]] = {
    Tok.DOTDOT: ("\\[ad]", None),
    Tok.VEC: ("\\[->]", None),
    Tok.DYAD: ("\\[<>]", None),
    Tok.TILDE: ("\\[a~]", None),
    Tok.UNDER: (None, "\\[ul]"),
    Tok.BAR: ("\\[rn]", None),
    Tok.DOT: ("\\[a.]", None),
    Tok.HAT: ("\\[ha]", None),
}


def _diacritic(p: _Parse, tok: Tok) -> None:
    p.ensure_box(tok)
    box = p.makebinary(p.parent)
    box.type = BoxType.LIST
    box.expectargs = 1
    box.font = Font.ROMAN
    box.top, box.bottom = _DIACRITICS[tok]
    _link(box)


_FONTS: Final[dict[Tok, Font]] = {
    Tok.FAT: Font.FAT,
    Tok.ROMAN: Font.ROMAN,
    Tok.ITALIC: Font.ITALIC,
    Tok.BOLD: Font.BOLD,
}


def _font(p: _Parse, tok: Tok) -> None:
    # The font applies to the next box: a list that takes one child.
    box = p.alloc(p.climb(), BoxType.LIST, 1)
    box.font = _FONTS[tok]
    p.parent = box


_POSITIONS: Final[dict[Tok, Pos]] = {
    Tok.FROM: Pos.FROM,
    Tok.TO: Pos.TO,
    Tok.SUP: Pos.SUP,
    Tok.SUB: Pos.SUB,
}


def _script(p: _Parse, tok: Tok) -> None:
    # from, to, sub, sup: the box before becomes the first child of a new
    # subexpression, the next box its second; "sup" after "sub" (and "to"
    # after "from") adds a third child to it instead.
    p.ensure_box(tok)
    parent = p.parent
    while parent.expectargs == 1 and parent.args == 1:
        parent = _up(parent)
    if tok is Tok.FROM or tok is Tok.TO:
        script = parent.near_script
        if script is not None:
            parent = _up(script)
    if tok is Tok.SUP and parent.pos is Pos.SUB:
        parent.expectargs = 3
        parent.pos = Pos.SUBSUP
    elif tok is Tok.TO and parent.pos is Pos.FROM:
        parent.expectargs = 3
        parent.pos = Pos.FROMTO
    else:
        parent = p.makebinary(parent)
        parent.pos = _POSITIONS[tok]
        _link(parent)
    p.parent = parent


def _sqrt(p: _Parse, tok: Tok) -> None:
    box = p.alloc(p.climb(), BoxType.SUBEXPR, 1)
    box.pos = Pos.SQRT
    _link(box)
    p.parent = box


def _over(p: _Parse, tok: Tok) -> None:
    # The fraction takes the whole subexpression before it.
    p.ensure_box(tok)
    parent = p.climb()
    while parent.type is BoxType.SUBEXPR:
        parent = _up(parent)
    box = p.makebinary(parent)
    box.pos = Pos.OVER
    _link(box)
    p.parent = box


_FENCE_WORDS: Final[dict[str, tuple[str, str]]] = {
    "ceiling": ("\\[lc]", "\\[rc]"),
    "floor": ("\\[lf]", "\\[rf]"),
}


def _close(p: _Parse, tok: Tok) -> None:
    # "}" closes the nearest open list; "right" the nearest one with a "left".
    found = p.parent.near_brace if tok is Tok.BRACE_CLOSE else p.parent.near_fence
    if found is None:
        p.report("BLK_NOTOPEN", tok.value)
        return
    p.parent = found
    if tok is Tok.RIGHT:
        if not p.argument(tok):
            return
        word = p.lexer.token
        found.right = _FENCE_WORDS[word][1] if word in _FENCE_WORDS else word
    parent = _up(found)
    if tok is Tok.BRACE_CLOSE and parent.type in (BoxType.PILE, BoxType.MATRIX):
        parent = _up(parent)
    # Close the one-child lists (fonts, sizes) the closed list completes.
    while parent.type is BoxType.LIST and parent.expectargs == 1 and parent.args == 1:
        parent = _up(parent)
    p.parent = parent


def _open(p: _Parse, tok: Tok) -> None:
    parent = p.climb()
    if tok is Tok.LEFT and not p.argument(tok):
        return
    box = p.alloc(parent, BoxType.LIST)
    if tok is Tok.LEFT:
        word = p.lexer.token
        box.left = _FENCE_WORDS[word][0] if word in _FENCE_WORDS else word
        _link(box)
    p.parent = box


def _pile(p: _Parse, tok: Tok) -> None:
    # pile, lpile, cpile, rpile and the matrix columns are alike to mandoc.
    box = p.alloc(p.climb(), BoxType.PILE, 1)
    p.parent = box


def _above(p: _Parse, tok: Tok) -> None:
    pile = p.parent.near_pile
    if pile is None:
        p.report("IT_STRAY", tok.value)
        return
    p.parent = p.alloc(pile, BoxType.LIST)


def _matrix(p: _Parse, tok: Tok) -> None:
    box = p.alloc(p.climb(), BoxType.MATRIX, 1)
    p.parent = box


# -- words -----------------------------------------------------------------------------

_LET, _DIG, _PUN = 0, 1, 2
_ALPHA: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_DIGITS: Final = frozenset("0123456789")


def _word(p: _Parse, tok: Tok) -> None:
    parent = p.climb()
    box = p.alloc(parent, BoxType.TEXT)
    box.text = p.lexer.token
    if tok is Tok.FUNC:
        box.font = Font.ROMAN
    elif tok is Tok.QUOTED:
        if box.font is Font.NONE:
            box.font = Font.ITALIC
    elif tok is Tok.TEXT and box.font is Font.NONE and box.text:
        _split_word(p, parent, box)


def _split_word(p: _Parse, parent: Box, box: Box) -> None:
    """Split a word where letters meet digits or punctuation, and at commas:
    letters are set in italic, the rest in roman (eqn.c, the default case).

    The indices follow mandoc's pointers, quirks included: after an escape
    sequence, the class of the character after the backslash is compared.
    """
    text = box.text or ""
    split: Box | None = None
    cpn = -1
    ccln = _LET
    while True:
        cp = cpn
        cpn += 1
        ccl = ccln
        c = text[cpn] if cpn < len(text) else ""
        if c in _ALPHA:
            ccln = _LET
        elif c in _DIGITS or (
            c == "." and (ccl == _DIG or (cpn + 1 < len(text) and text[cpn + 1] in _DIGITS))
        ):
            ccln = _DIG
        else:
            ccln = _PUN
        if cp < 0:
            continue
        box.font = Font.ITALIC if ccl == _LET else Font.ROMAN
        if text[cp] == "\\":
            cpn = min(scan_escape(text, cp)[1], len(text))
        if cpn >= len(text):
            break
        if ccln == ccl and text[cp] != "," and text[cpn] != ",":
            continue
        # A boundary: the rest of the word becomes a box of its own.
        if parent.args == parent.expectargs:
            # The parent is full: put the pieces in a list in the word's place.
            parent.children.pop()
            parent.args -= 1
            split = p.alloc(parent, BoxType.LIST)
            split.children.append(box)
            box.parent = split
            parent = split
        rest = p.alloc(parent, BoxType.TEXT)
        rest.text = text[cpn:]
        box.text = text[:cpn]
        box = rest
        text = rest.text
        cpn = -1
        ccln = _LET
    if split is not None:
        p.parent = _up(split)


_Handler = Callable[[_Parse, Tok], None]

_HANDLERS: Final[dict[Tok, _Handler]] = {
    Tok.UNDEF: _undef,
    Tok.NDEFINE: _define,
    Tok.DEFINE: _define,
    Tok.TDEFINE: _tdefine,
    Tok.DELIM: _delim,
    Tok.GFONT: _read_and_ignore,
    Tok.MARK: _ignore,
    Tok.LINEUP: _ignore,
    **dict.fromkeys(_DIACRITICS, _diacritic),
    Tok.FWD: _read_and_ignore,
    Tok.BACK: _read_and_ignore,
    Tok.DOWN: _read_and_ignore,
    Tok.UP: _read_and_ignore,
    **dict.fromkeys(_FONTS, _font),
    Tok.SIZE: _gsize_or_size,
    Tok.GSIZE: _gsize_or_size,
    **dict.fromkeys(_POSITIONS, _script),
    Tok.SQRT: _sqrt,
    Tok.OVER: _over,
    Tok.RIGHT: _close,
    Tok.BRACE_CLOSE: _close,
    Tok.BRACE_OPEN: _open,
    Tok.LEFT: _open,
    Tok.PILE: _pile,
    Tok.LPILE: _pile,
    Tok.RPILE: _pile,
    Tok.CPILE: _pile,
    Tok.CCOL: _pile,
    Tok.LCOL: _pile,
    Tok.RCOL: _pile,
    Tok.ABOVE: _above,
    Tok.MATRIX: _matrix,
    Tok.FUNC: _word,
    Tok.QUOTED: _word,
    Tok.SYM: _word,
    Tok.TEXT: _word,
}
