"""The eqn(7) lexer: tokens, quoted strings and ``define`` substitution.

This is eqn_next() of mandoc 1.14.6's eqn.c.  mandoc keeps the equation in
one buffer and splices the value of a defined name into it, then reads on
from the start of that value; the substitution counter that stops a name
expanding itself is reset once the reader has moved past the end of the
*most recent* substitution (mandoc keeps that counter and that position in
function statics, so both carry over from one equation to the next; here
they live in :class:`Substitutions`, one per document).

Splicing into a flat string costs the length of the rest of the equation
each time, which is quadratic on a long equation full of defined names; the
reader here is a stack of strings instead (the value on top of what is left
of the text below it), which reads the same characters in the same order
and keeps mandoc's positions in one counter.

mandoc 1.14.6 has one loop it never leaves: a name whose value reaches past
the end of the previous substitution before using the name again (``define
outer "inner outer"``) resets the counter forever and grows the buffer until
memory runs out.  The total length of substituted text is therefore capped
here (:data:`EXPANSION_FLOOR`, or :data:`EXPANSION_FACTOR` times the length
of the equation if that is more); past it, the equation ends with mandoc's
"input stack limit exceeded" message, which is what mandoc says when its own
counter runs out.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final


class Tok(enum.Enum):
    """mandoc's ``enum eqn_tok``: the keywords, then the other token classes."""

    DYAD = "dyad"
    VEC = "vec"
    UNDER = "under"
    BAR = "bar"
    TILDE = "tilde"
    HAT = "hat"
    DOT = "dot"
    DOTDOT = "dotdot"
    FWD = "fwd"
    BACK = "back"
    DOWN = "down"
    UP = "up"
    FAT = "fat"
    ROMAN = "roman"
    ITALIC = "italic"
    BOLD = "bold"
    SIZE = "size"
    SUB = "sub"
    SUP = "sup"
    SQRT = "sqrt"
    OVER = "over"
    FROM = "from"
    TO = "to"
    BRACE_OPEN = "{"
    BRACE_CLOSE = "}"
    GSIZE = "gsize"
    GFONT = "gfont"
    MARK = "mark"
    LINEUP = "lineup"
    LEFT = "left"
    RIGHT = "right"
    PILE = "pile"
    LPILE = "lpile"
    RPILE = "rpile"
    CPILE = "cpile"
    MATRIX = "matrix"
    CCOL = "ccol"
    LCOL = "lcol"
    RCOL = "rcol"
    DELIM = "delim"
    DEFINE = "define"
    TDEFINE = "tdefine"
    NDEFINE = "ndefine"
    UNDEF = "undef"
    ABOVE = "above"
    # Not keywords: what a word turned out to be.
    FUNC = " func"
    QUOTED = " quoted"
    SYM = " sym"
    TEXT = " text"
    EOF = " eof"


KEYWORDS: Final[dict[str, Tok]] = {t.value: t for t in Tok if not t.value.startswith(" ")}

#: Words set in roman type (eqn.c: eqn_func).
FUNCTIONS: Final = frozenset(
    {"acos", "acsc", "and", "arc", "asec", "asin", "atan", "cos", "cosh", "coth", "csc",
     "det", "exp", "for", "if", "lim", "ln", "log", "max", "min", "sec", "sin", "sinh",
     "tan", "tanh", "Im", "Re"}
)  # fmt: skip

#: Named characters: the word, and the roff character it stands for (eqn.c: eqnsyms).
SYMBOLS: Final[dict[str, str]] = {
    "alpha": "*a",
    "beta": "*b",
    "chi": "*x",
    "delta": "*d",
    "epsilon": "*e",
    "eta": "*y",
    "gamma": "*g",
    "iota": "*i",
    "kappa": "*k",
    "lambda": "*l",
    "mu": "*m",
    "nu": "*n",
    "omega": "*w",
    "omicron": "*o",
    "phi": "*f",
    "pi": "*p",
    "psi": "*q",
    "rho": "*r",
    "sigma": "*s",
    "tau": "*t",
    "theta": "*h",
    "upsilon": "*u",
    "xi": "*c",
    "zeta": "*z",
    "DELTA": "*D",
    "GAMMA": "*G",
    "LAMBDA": "*L",
    "OMEGA": "*W",
    "PHI": "*F",
    "PI": "*P",
    "PSI": "*Q",
    "SIGMA": "*S",
    "THETA": "*H",
    "UPSILON": "*U",
    "XI": "*C",
    "inter": "ca",
    "union": "cu",
    "prod": "product",
    "int": "integral",
    "sum": "sum",
    "grad": "gr",
    "del": "gr",
    "times": "mu",
    "cdot": "pc",
    "nothing": "&",
    "approx": "~~",
    "prime": "fm",
    "half": "12",
    "partial": "pd",
    "inf": "if",
    ">>": ">>",
    "<<": "<<",
    "<-": "<-",
    "->": "->",
    "+-": "+-",
    "!=": "!=",
    "==": "==",
    "<=": "<=",
    ">=": ">=",
    "-": "mi",
}


class Mode(enum.Enum):
    """How the next token is read (eqn.c: enum parse_mode)."""

    QUOTED = enum.auto()  # the first character delimits the token, whatever it is
    NOSUB = enum.auto()  # a word, not substituted
    SUB = enum.auto()  # a word, defined names substituted
    TOK = enum.auto()  # a word, substituted, then classified


#: Substitutions in a row before mandoc gives up (eqn.c: EQN_NEST_MAX).
NEST_MAX: Final = 128
#: The cap on substituted text in one equation, in characters (see above).
EXPANSION_FLOOR: Final = 1 << 16
EXPANSION_FACTOR: Final = 16

# Blanks between tokens: '~' and '^' are eqn's spaces, which mandoc drops.
_BLANKS: Final = re.compile(r"[ \t~^]*")
_BLANK_CHARS: Final = frozenset(" \t~^")
_WORD: Final = re.compile(r'[^ ^~"{}\t]*')

#: A diagnostic callback: message kind and its argument text.
Report = Callable[[str, str | None], None]


@dataclass(slots=True)
class Substitutions:
    """The ``define``\\ d names of a document, and mandoc's substitution
    counter and the end of the last substitution, which outlive equations."""

    defs: dict[str, str] = field(default_factory=dict)
    count: int = 0
    reach: int = 0


class Lexer:
    """Reads the tokens of one equation's text."""

    def __init__(self, text: str, subs: Substitutions, report: Report) -> None:
        # The unread text: a stack of strings, each with its read position;
        # the top one is read first.
        self._texts: list[str] = [text]
        self._poss: list[int] = [0]
        #: mandoc's ``ep->end - ep->data``: where the reader stands in its buffer.
        self.offset = 0
        #: The current token: its text, or ``\\[xx]`` for a named character.
        self.token = ""
        self._subs = subs
        self._report = report
        self._budget = max(EXPANSION_FLOOR, EXPANSION_FACTOR * len(text))

    # -- reading the stack of strings ------------------------------------------

    def peek(self) -> str:
        """The next character, or "" at the end of the equation."""
        texts, poss = self._texts, self._poss
        while texts:
            top, pos = texts[-1], poss[-1]
            if pos < len(top):
                return top[pos]
            texts.pop()
            poss.pop()
        return ""

    def lookahead(self, n: int) -> str:
        """The next ``n`` characters (fewer at the end), not read."""
        self.peek()
        pieces: list[str] = []
        wanted = n
        for top, pos in zip(reversed(self._texts), reversed(self._poss), strict=True):
            piece = top[pos : pos + wanted]
            pieces.append(piece)
            wanted -= len(piece)
            if wanted == 0:
                break
        return "".join(pieces)

    def skip(self) -> None:
        """Step over the next character (there must be one)."""
        self.peek()
        self._poss[-1] += 1
        self.offset += 1

    def skip_blanks(self) -> None:
        """Step over spaces, tabs, ``~`` and ``^``."""
        self._span(_BLANKS)

    def _span(self, pattern: re.Pattern[str]) -> str:
        """Read the longest run of characters matching ``pattern`` (a class, starred)."""
        texts, poss = self._texts, self._poss
        pieces: list[str] = []
        while texts:
            top, pos = texts[-1], poss[-1]
            end = pattern.match(top, pos).end()  # type: ignore[union-attr]
            pieces.append(top[pos:end])
            self.offset += end - pos
            if end < len(top):
                poss[-1] = end
                break
            texts.pop()
            poss.pop()
        return pieces[0] if len(pieces) == 1 else "".join(pieces)

    def _until(self, stop: str) -> tuple[str, bool]:
        """Read up to the next ``stop``, not included; and whether there was one."""
        texts, poss = self._texts, self._poss
        pieces: list[str] = []
        while texts:
            top, pos = texts[-1], poss[-1]
            end = top.find(stop, pos)
            found = end >= 0
            if not found:
                end = len(top)
            pieces.append(top[pos:end])
            self.offset += end - pos
            if found:
                poss[-1] = end
                return "".join(pieces), True
            texts.pop()
            poss.pop()
        return "".join(pieces), False

    def _substitute(self, start: int, value: str) -> None:
        """Read ``value`` next, in place of the word that began at ``start``."""
        self.peek()  # drop what is used up, so that the stack stays shallow
        self.offset = start
        if value:
            self._texts.append(value)
            self._poss.append(0)

    # -- tokens ----------------------------------------------------------------

    def next(self, mode: Mode) -> Tok:
        """Read the next token (eqn.c: eqn_next); its text is in :attr:`token`."""
        subs = self._subs
        if self.offset >= subs.reach:
            subs.count = 0
        quoted = mode is Mode.QUOTED
        while True:
            c = self.peek()
            if c == "":
                self.token = ""
                return Tok.EOF
            if c == '"':
                quoted = True
            elif c in _BLANK_CHARS and not quoted:
                self.skip_blanks()
                continue
            if quoted:
                self.skip()
                self.token, closed = self._until(c)
                if closed:
                    self.skip()
                else:
                    self._report("ARG_QUOTE", None)
                self.skip_blanks()
                return Tok.QUOTED
            start = self.offset
            if c in "{}":
                self.skip()
                word = c
            else:
                word = self._span(_WORD)
            if mode is not Mode.NOSUB:
                value = subs.defs.get(word)
                if value is not None:
                    subs.count += 1
                    self._budget -= len(value)
                    if subs.count > NEST_MAX or self._budget < 0:
                        # mandoc has read the word and the blanks after it.
                        self.skip_blanks()
                        self._report("ROFFLOOP", None)
                        self.token = ""
                        return Tok.EOF
                    self._substitute(start, value)
                    subs.reach = start + len(value)
                    continue
            self.skip_blanks()
            self.token = word
            if mode is not Mode.TOK:
                return Tok.TEXT
            return self._classify(word)

    def _classify(self, word: str) -> Tok:
        keyword = KEYWORDS.get(word)
        if keyword is not None:
            return keyword
        symbol = SYMBOLS.get(word)
        if symbol is not None:
            self.token = f"\\[{symbol}]"
            return Tok.SYM
        return Tok.FUNC if word in FUNCTIONS else Tok.TEXT
