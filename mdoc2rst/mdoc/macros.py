"""The mdoc macro table: the one place that says what each macro is.

Each row gives the macro's parsing class (which parser routine handles
it), its flags, whether its arguments are scanned for delimiters, and
which ``-flag`` arguments it accepts.  The parser, the validator and the
writers all look macros up here.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Final


class Kind(enum.Enum):
    """Parsing classes, as mdoc(7) and mandoc define them."""

    IN_LINE = "in_line"  # any number of arguments
    IN_LINE_ARGN = "in_line_argn"  # a fixed number of arguments
    IN_LINE_EOLN = "in_line_eoln"  # the rest of the line, not parsed
    BLK_FULL = "blk_full"  # full blocks: head and body
    BLK_PART_IMP = "blk_part_imp"  # partial, implicit: scope is the line
    BLK_PART_EXP = "blk_part_exp"  # partial, explicit: closed by a closer
    BLK_EXP_CLOSE = "blk_exp_close"  # the closers
    CTX_SYNOPSIS = "ctx_synopsis"  # Nm, Vt: depend on the SYNOPSIS
    PHRASE_TA = "phrase_ta"  # Ta in column lists


class F:
    """Macro flags: plain int bits, tested on every macro call."""

    NONE: Final = 0
    CALLABLE: Final = 1  # may be called from another macro's arguments
    PARSED: Final = 2  # its own arguments are scanned for macro names
    EXPLICIT: Final = 4  # block closed by an explicit closer
    PROLOGUE: Final = 8  # Dd, Dt, Os
    IGNDELIM: Final = 16  # delimiters are plain words here
    JOIN: Final = 32  # adjacent words merge into one text node


@dataclass(frozen=True, slots=True)
class Macro:
    name: str
    kind: Kind
    flags: int
    delim: bool = False  # arguments scanned for trailing delimiters
    argv: tuple[str, ...] = ()  # accepted -flag arguments


C, P, X, J, IG = F.CALLABLE, F.PARSED, F.EXPLICIT, F.JOIN, F.IGNDELIM
CP = C | P

_BD_ARGS = ("ragged", "unfilled", "filled", "literal", "file", "offset", "compact", "centered")
_BL_ARGS = (
    "bullet", "dash", "hyphen", "item", "enum", "tag", "diag", "hang", "ohang",
    "inset", "column", "width", "offset", "compact", "nested",
)  # fmt: skip

# name, class, flags, delimiter scanning, accepted arguments
_ROWS: tuple[tuple[str, Kind, int, bool, tuple[str, ...]], ...] = (
    ("Dd", Kind.IN_LINE_EOLN, F.PROLOGUE | J, False, ()),
    ("Dt", Kind.IN_LINE_EOLN, F.PROLOGUE, False, ()),
    ("Os", Kind.IN_LINE_EOLN, F.PROLOGUE, False, ()),
    ("Sh", Kind.BLK_FULL, P | J, False, ()),
    ("Ss", Kind.BLK_FULL, P | J, False, ()),
    ("Pp", Kind.IN_LINE_EOLN, F.NONE, False, ()),
    ("D1", Kind.BLK_PART_IMP, P | J, True, ()),
    ("Dl", Kind.BLK_PART_IMP, P | J, True, ()),
    ("Bd", Kind.BLK_FULL, X, False, _BD_ARGS),
    ("Ed", Kind.BLK_EXP_CLOSE, X | J, False, ()),
    ("Bl", Kind.BLK_FULL, X, False, _BL_ARGS),
    ("El", Kind.BLK_EXP_CLOSE, X | J, False, ()),
    ("It", Kind.BLK_FULL, P | J, False, ()),
    ("Ad", Kind.IN_LINE, CP, True, ()),
    ("An", Kind.IN_LINE, CP | J, True, ("split", "nosplit")),
    ("Ap", Kind.IN_LINE_ARGN, CP | IG | J, True, ()),
    ("Ar", Kind.IN_LINE, CP, True, ()),
    ("Cd", Kind.IN_LINE, CP | J, True, ()),
    ("Cm", Kind.IN_LINE, CP, True, ()),
    ("Dv", Kind.IN_LINE, CP, True, ()),
    ("Er", Kind.IN_LINE, CP, True, ()),
    ("Ev", Kind.IN_LINE, CP, True, ()),
    ("Ex", Kind.IN_LINE_EOLN, F.NONE, False, ("std",)),
    ("Fa", Kind.IN_LINE, CP, True, ()),
    ("Fd", Kind.IN_LINE_EOLN, F.NONE, False, ()),
    ("Fl", Kind.IN_LINE, CP, True, ()),
    ("Fn", Kind.IN_LINE, CP, True, ()),
    ("Ft", Kind.IN_LINE, CP, True, ()),
    ("Ic", Kind.IN_LINE, CP | J, True, ()),
    ("In", Kind.IN_LINE_ARGN, CP, True, ()),
    ("Li", Kind.IN_LINE, CP | J, True, ()),
    ("Nd", Kind.BLK_FULL, J, False, ()),
    ("Nm", Kind.CTX_SYNOPSIS, CP, True, ()),
    ("Op", Kind.BLK_PART_IMP, CP, True, ()),
    ("Ot", Kind.IN_LINE, CP, True, ()),
    ("Pa", Kind.IN_LINE, CP, True, ()),
    ("Rv", Kind.IN_LINE_EOLN, F.NONE, False, ("std",)),
    ("St", Kind.IN_LINE_ARGN, CP, True, ()),
    ("Va", Kind.IN_LINE, CP, True, ()),
    ("Vt", Kind.CTX_SYNOPSIS, CP, True, ()),
    ("Xr", Kind.IN_LINE_ARGN, CP, True, ()),
    ("%A", Kind.IN_LINE_EOLN, J, False, ()),
    ("%B", Kind.IN_LINE_EOLN, J, False, ()),
    ("%D", Kind.IN_LINE_EOLN, J, False, ()),
    ("%I", Kind.IN_LINE_EOLN, J, False, ()),
    ("%J", Kind.IN_LINE_EOLN, J, False, ()),
    ("%N", Kind.IN_LINE_EOLN, F.NONE, False, ()),
    ("%O", Kind.IN_LINE_EOLN, J, False, ()),
    ("%P", Kind.IN_LINE_EOLN, F.NONE, False, ()),
    ("%R", Kind.IN_LINE_EOLN, J, False, ()),
    ("%T", Kind.IN_LINE_EOLN, J, False, ()),
    ("%V", Kind.IN_LINE_EOLN, F.NONE, False, ()),
    ("Ac", Kind.BLK_EXP_CLOSE, CP | X | J, True, ()),
    ("Ao", Kind.BLK_PART_EXP, CP | X | J, False, ()),
    ("Aq", Kind.BLK_PART_IMP, CP | J, True, ()),
    ("At", Kind.IN_LINE_ARGN, CP, True, ()),
    ("Bc", Kind.BLK_EXP_CLOSE, CP | X | J, True, ()),
    ("Bf", Kind.BLK_FULL, X, False, ("emphasis", "literal", "symbolic")),
    ("Bo", Kind.BLK_PART_EXP, CP | X | J, False, ()),
    ("Bq", Kind.BLK_PART_IMP, CP | J, True, ()),
    ("Bsx", Kind.IN_LINE_ARGN, CP, True, ()),
    ("Bx", Kind.IN_LINE_ARGN, CP, True, ()),
    ("Db", Kind.IN_LINE_EOLN, F.NONE, False, ()),
    ("Dc", Kind.BLK_EXP_CLOSE, CP | X | J, True, ()),
    ("Do", Kind.BLK_PART_EXP, CP | X | J, False, ()),
    ("Dq", Kind.BLK_PART_IMP, CP | J, True, ()),
    ("Ec", Kind.BLK_EXP_CLOSE, CP | X, True, ()),
    ("Ef", Kind.BLK_EXP_CLOSE, X | J, False, ()),
    ("Em", Kind.IN_LINE, CP | J, True, ()),
    ("Eo", Kind.BLK_PART_EXP, CP | X, False, ()),
    ("Fx", Kind.IN_LINE_ARGN, CP, True, ()),
    ("Ms", Kind.IN_LINE, CP, True, ()),
    ("No", Kind.IN_LINE, CP | J, True, ()),
    ("Ns", Kind.IN_LINE_ARGN, CP | IG | J, True, ()),
    ("Nx", Kind.IN_LINE_ARGN, CP, True, ()),
    ("Ox", Kind.IN_LINE_ARGN, CP, True, ()),
    ("Pc", Kind.BLK_EXP_CLOSE, CP | X | J, True, ()),
    ("Pf", Kind.IN_LINE_ARGN, CP | IG, True, ()),
    ("Po", Kind.BLK_PART_EXP, CP | X | J, False, ()),
    ("Pq", Kind.BLK_PART_IMP, CP | J, True, ()),
    ("Qc", Kind.BLK_EXP_CLOSE, CP | X | J, True, ()),
    ("Ql", Kind.BLK_PART_IMP, CP | J, True, ()),
    ("Qo", Kind.BLK_PART_EXP, CP | X | J, False, ()),
    ("Qq", Kind.BLK_PART_IMP, CP | J, True, ()),
    ("Re", Kind.BLK_EXP_CLOSE, X | J, False, ()),
    ("Rs", Kind.BLK_FULL, X, False, ()),
    ("Sc", Kind.BLK_EXP_CLOSE, CP | X | J, True, ()),
    ("So", Kind.BLK_PART_EXP, CP | X | J, False, ()),
    ("Sq", Kind.BLK_PART_IMP, CP | J, True, ()),
    ("Sm", Kind.IN_LINE_ARGN, F.NONE, False, ()),
    ("Sx", Kind.IN_LINE, CP | J, True, ()),
    ("Sy", Kind.IN_LINE, CP | J, True, ()),
    ("Tn", Kind.IN_LINE, CP, True, ()),
    ("Ux", Kind.IN_LINE_ARGN, CP | J, True, ()),
    ("Xc", Kind.BLK_EXP_CLOSE, X | CP, True, ()),
    ("Xo", Kind.BLK_PART_EXP, CP | X, False, ()),
    ("Fo", Kind.BLK_FULL, X | C, False, ()),
    ("Fc", Kind.BLK_EXP_CLOSE, CP | X | J, True, ()),
    ("Oo", Kind.BLK_PART_EXP, CP | X | J, False, ()),
    ("Oc", Kind.BLK_EXP_CLOSE, CP | X | J, True, ()),
    ("Bk", Kind.BLK_FULL, X, False, ("words",)),
    ("Ek", Kind.BLK_EXP_CLOSE, X | J, False, ()),
    ("Bt", Kind.IN_LINE_EOLN, F.NONE, False, ()),
    ("Hf", Kind.IN_LINE_EOLN, F.NONE, False, ()),
    ("Fr", Kind.IN_LINE, CP, True, ()),
    ("Ud", Kind.IN_LINE_EOLN, F.NONE, False, ()),
    ("Lb", Kind.IN_LINE, F.NONE, True, ()),
    ("Lp", Kind.IN_LINE_EOLN, F.NONE, False, ()),
    ("Lk", Kind.IN_LINE, CP, True, ()),
    ("Mt", Kind.IN_LINE, CP, True, ()),
    ("Brq", Kind.BLK_PART_IMP, CP | J, True, ()),
    ("Bro", Kind.BLK_PART_EXP, CP | X | J, False, ()),
    ("Brc", Kind.BLK_EXP_CLOSE, CP | X | J, True, ()),
    ("%C", Kind.IN_LINE_EOLN, J, False, ()),
    ("Es", Kind.IN_LINE_ARGN, CP, False, ()),
    ("En", Kind.BLK_PART_IMP, CP | J, True, ()),
    ("Dx", Kind.IN_LINE_ARGN, CP, True, ()),
    ("%Q", Kind.IN_LINE_EOLN, J, False, ()),
    ("%U", Kind.IN_LINE_EOLN, F.NONE, False, ()),
    ("Ta", Kind.PHRASE_TA, CP | J, False, ()),
    ("Tg", Kind.IN_LINE_EOLN, F.NONE, False, ()),
)

MACROS: Final[dict[str, Macro]] = {
    name: Macro(name, kind, flags, delim, argv) for name, kind, flags, delim, argv in _ROWS
}

#: Arguments that take one value, and the one that takes many.
ARG_SINGLE: Final = frozenset({"file", "offset", "width"})
ARG_MULTI: Final = frozenset({"column"})

#: A closing macro and the opening macro whose scope it ends.
CLOSER_OF: Final[dict[str, str]] = {
    "Ac": "Ao", "Bc": "Bo", "Brc": "Bro", "Dc": "Do", "Ec": "Eo", "Ed": "Bd",
    "Ef": "Bf", "Ek": "Bk", "El": "Bl", "Fc": "Fo", "Oc": "Oo", "Pc": "Po",
    "Qc": "Qo", "Re": "Rs", "Sc": "So", "Xc": "Xo",
}  # fmt: skip

#: Macros (and roff requests) that print nothing and keep no place in the text.
TRANSPARENT: Final = frozenset({"ft", "ll", "mc", "po", "ta", "Db", "Es", "Sm", "Tg"})

#: Number of arguments of fixed-count macros.
ARGN_MAX: Final[dict[str, int]] = {"Ap": 0, "Ns": 0, "Ux": 0, "Bx": 2, "Es": 2, "Xr": 2}

#: Macros that make an element even with no words of their own.
EMPTY_OK: Final = frozenset({"An", "Ar", "Fl", "Mt", "Nm", "Pa"})
