"""The man(7) macro table: the one place that says what each macro is.

One row per macro, as mandoc 1.14.6's man_macros[]: the routine that
parses it and its scope flags.  The parser, the validator and the tree
dumper look macros up here; ``MR`` is not in it, since mandoc 1.14.6 does
not know it (an unknown macro there, as here).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final


class Kind(enum.Enum):
    """Parsing routines, as mandoc's man_macro.c names them."""

    BLK_IMP = "blk_imp"  # implicit block: head and body, closed by the next one
    BLK_EXP = "blk_exp"  # explicit block: RS, UR, MT, closed by its closer
    BLK_CLOSE = "blk_close"  # the closers: RE, YS, UE, ME
    IN_LINE_EOLN = "in_line_eoln"  # an element taking the rest of its line


class F:
    """Scope flags: plain int bits, tested on every macro line."""

    NONE: Final = 0
    BSCOPED: Final = 1 << 0  # an empty head takes the next line
    ESCOPED: Final = 1 << 1  # an empty element takes the next line
    NSCOPED: Final = 1 << 2  # allowed inside a next-line element scope
    XSCOPE: Final = 1 << 3  # ends a next-line block scope (it breaks the head)
    JOIN: Final = 1 << 4  # its words make one text node


@dataclass(frozen=True, slots=True)
class Macro:
    name: str
    kind: Kind
    flags: int


_IMP, _EXP, _CLOSE, _EOLN = Kind.BLK_IMP, Kind.BLK_EXP, Kind.BLK_CLOSE, Kind.IN_LINE_EOLN
_X, _B, _N, _E, _J = F.XSCOPE, F.BSCOPED, F.NSCOPED, F.ESCOPED, F.JOIN
_FONT = _N | _E | _J  # the one-font macros: B, I, R, SM, SB

# In mandoc's order (roff.h, MAN_TH to MAN_ME).
_ROWS: tuple[tuple[str, Kind, int], ...] = (
    ("TH", _EOLN, _X),
    ("SH", _IMP, _X | _B),
    ("SS", _IMP, _X | _B),
    ("TP", _IMP, _X | _B),
    ("TQ", _IMP, _X | _B),
    ("LP", _IMP, _X),
    ("PP", _IMP, _X),
    ("P", _IMP, _X),
    ("IP", _IMP, _X),
    ("HP", _IMP, _X),
    ("SM", _EOLN, _FONT),
    ("SB", _EOLN, _FONT),
    ("BI", _EOLN, F.NONE),
    ("IB", _EOLN, F.NONE),
    ("BR", _EOLN, F.NONE),
    ("RB", _EOLN, F.NONE),
    ("R", _EOLN, _FONT),
    ("B", _EOLN, _FONT),
    ("I", _EOLN, _FONT),
    ("IR", _EOLN, F.NONE),
    ("RI", _EOLN, F.NONE),
    ("RE", _CLOSE, _X),
    ("RS", _EXP, _X),
    ("DT", _EOLN, F.NONE),
    ("UC", _EOLN, F.NONE),
    ("PD", _EOLN, _N),
    ("AT", _EOLN, F.NONE),
    ("in", _EOLN, _N),
    ("SY", _IMP, _X),
    ("YS", _CLOSE, _X),
    ("OP", _EOLN, F.NONE),
    ("EX", _EOLN, _X),
    ("EE", _EOLN, _X),
    ("UR", _EXP, _X),
    ("UE", _CLOSE, _X),
    ("MT", _EXP, _X),
    ("ME", _CLOSE, _X),
)

MACROS: Final[dict[str, Macro]] = {name: Macro(name, kind, flags) for name, kind, flags in _ROWS}

#: A closing macro and the block it ends.
CLOSER_OF: Final[dict[str, str]] = {"RE": "RS", "YS": "SY", "UE": "UR", "ME": "MT"}

#: Paragraph macros: mandoc's validator makes LP and P into PP.
PARAGRAPHS: Final = frozenset({"LP", "PP", "P"})

#: Macros (and roff requests) that print nothing and keep no place in the
#: text, as mandoc's roff_node_transparent() lists them for man(7).
TRANSPARENT: Final = frozenset({"ft", "ll", "mc", "po", "ta", "DT", "UC", "PD", "AT"})
