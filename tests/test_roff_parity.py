"""Parity of the roff layer with mandoc 1.14.6 on its roff regress inputs.

Every ``regress/roff/<group>/<test>.in`` is compared with ``mandoc -T
tree`` and ``mandoc -T lint -W all``, as tests/test_man_parity.py does for
man(7).  An input listed in EXPECTED_DIFFERENCES must differ, for the
reason given (a listed input that matches fails, so the list stays true);
every other input must match, and the share that matches must stay at or
above FLOOR.  Most of the differences are mandoc's own quirks at the edges
of roff (names with escapes in them, second readings of escapes, .while
loops) that no installed page in 6,000 sampled meets
(tools/man_sample.py).
"""

from __future__ import annotations

from pathlib import Path

import oracle
import pytest
from test_man_parity import ManComparison, check_floor, check_input, compare, compare_all, parity

FLOOR = 0.75

_ESCNAME = (
    "a name with an escape in it (roff_getname): mandoc ends the name at the escape, "
    "reports it, and skips the escape as if it began one character later; mdoc2rst's "
    ".de, .ds, .nr and .rn read the name up to the next blank"
)
_ARGESC = (
    "mandoc re-reads the backslash pairs of a macro argument as escapes of its own "
    "(roff_getarg marks them ASCII_ESC for a second roff_expand), a reading mdoc2rst "
    "does not copy (see tests/test_installed_man.py: groff prints what mdoc2rst prints)"
)
_WHILE = (
    ".while: mandoc runs a loop's body again from its own copy of the lines and reports "
    "loops that end in another scope; mdoc2rst runs loops whose body it can hold, and "
    "says 'cannot continue this .while loop' where mandoc goes on"
)
_EXCESS = "mandoc's 'skipping excess arguments' for .cc, .ig and .. is not given"
_APPEND = (
    ".am and .rn of a macro of the language (Bo): mandoc appends to or renames the "
    "language's own macro; mdoc2rst appends to an empty definition"
)

#: Inputs that differ, and why, by their path under the regress folder without .in.
EXPECTED_DIFFERENCES: dict[str, str] = {
    "roff/args/esc": _ARGESC,
    "roff/args/infrec": _ARGESC + "; the recursion then ends at another depth",
    "roff/args/roff": _ARGESC + "; mandoc also reports trailing blanks inside quoted arguments",
    "roff/char/basic": _ARGESC + " (.char's definition)",
    "roff/esc/bs_man": _ARGESC,
    "roff/esc/bs_mdoc": _ARGESC,
    "roff/cc/basic": _EXCESS,
    "roff/ig/basic": _EXCESS,
    "roff/cond/de": _EXCESS + "; a .de in a one-line conditional ends differently",
    "roff/char/badarg": (
        ".char's checks of its argument ('argument is not a character') are not given"
    ),
    "roff/cond/register": _ESCNAME + " (in .rr, and a second NAMESC on the rerun of the line)",
    "roff/cond/string": _ESCNAME + " (in .rm, and a second NAMESC on the rerun of the line)",
    "roff/de/escname": _ESCNAME,
    "roff/ds/escname": _ESCNAME,
    "roff/nr/escname": _ESCNAME,
    "roff/string/name": _ESCNAME,
    "roff/de/tab": "a tab in a macro name: mandoc's name ends at it, mdoc2rst's at a blank",
    "roff/rn/tab": "a tab in a macro name: mandoc's name ends at it, mdoc2rst's at a blank",
    "roff/nr/tab": "a tab after a register name: mandoc's name ends at it, mdoc2rst's at a blank",
    "roff/de/append": _APPEND,
    "roff/rn/append": _APPEND,
    "roff/de/infinite": "a macro that calls itself without end: mandoc stops at its "
    "input stack limit one line later than mdoc2rst's bound, and reports another column",
    "roff/esc/argmiss": "escapes whose argument is missing (\\B, \\w): mandoc checks "
    "and substitutes them in another order, and reports other columns",
    "roff/it/badarg": "'.it' with a blank after it: mandoc's message omits the blank",
    "roff/nr/int": "mdoc2rst says where a number wraps around at 32 bits; mandoc 1.14.6 "
    "wraps in silence there",
    "roff/string/std": "a string named like a macro of the language, defined before the "
    "prologue: mandoc 1.14.6 forgets it at .Dd and then says it is undefined",
    "roff/while/badargs": _WHILE,
    "roff/while/basic": _WHILE,
    "roff/while/break": _WHILE,
    "roff/while/into": _WHILE,
    "roff/while/nesting": _WHILE,
    "roff/while/outof": _WHILE,
}

ROFF_INPUTS = oracle.regress_inputs("roff") if oracle.REGRESS.is_dir() else []


def key(path: Path) -> str:
    return oracle.regress_name(path).removesuffix(".in")


def compare_input(path: Path) -> ManComparison:
    return compare(oracle.expand_mdocdate(oracle.read_page(path)), oracle.regress_name(path))


@pytest.mark.parametrize("path", ROFF_INPUTS, ids=key)
def test_roff_input(path: Path) -> None:
    """Each input matches, unless it is listed with the reason it does not."""
    check_input(compare_input(path), key(path), EXPECTED_DIFFERENCES)


def test_roff_parity_floor() -> None:
    results = compare_all(ROFF_INPUTS, compare_input, "roff")
    trees, lints, compared = parity(results)
    print(f"roff parity: tree {trees}/{compared}, lint {lints}/{compared}")
    check_floor(results, {key(p) for p in ROFF_INPUTS}, EXPECTED_DIFFERENCES, FLOOR)
