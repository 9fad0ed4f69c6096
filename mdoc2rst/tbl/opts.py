"""The options line of a table, up to its semicolon (mandoc's tbl_opts.c)."""

from __future__ import annotations

from typing import Final

from mdoc2rst.tbl.model import Opt, Opts
from mdoc2rst.tree.diagnostics import Reporter

#: Options that are flags, by name (mandoc's spellings and aliases).
FLAGS: Final[dict[str, int]] = {
    "allbox": Opt.ALLBOX | Opt.BOX,
    "box": Opt.BOX,
    "frame": Opt.BOX,
    "center": Opt.CENTRE,
    "centre": Opt.CENTRE,
    "doublebox": Opt.DBOX,
    "doubleframe": Opt.DBOX,
    "expand": Opt.EXPAND,
    "nokeep": Opt.NOKEEP,
    "nospaces": Opt.NOSPACE,
    "nowarn": Opt.NOWARN,
}

#: Options that take a parenthesised argument, with the length it must have
#: (0: any).
ARGS: Final[dict[str, int]] = {"decimalpoint": 1, "delim": 2, "linesize": 0, "tab": 1}


def _arg(opts: Opts, report: Reporter, ln: int, p: str, pos: int, name: str) -> int:
    """The argument of option ``name``; where the options go on."""
    n = len(p)
    while pos < n and p[pos] in " \t":
        pos += 1
    size = 0
    if pos < n and p[pos] == "(":
        pos += 1
        # An argument runs to its parenthesis; mandoc's reader never sees
        # the semicolon line without it (tbl_read checks for an active
        # semicolon), but a missing one ends the argument at the line's end.
        close = p.find(")", pos)
        size = (close if close >= 0 else n) - pos
    want = ARGS[name]
    value = p[pos : pos + size]
    if name == "delim":
        report("TBLOPT_EQN", ln, pos, value)
    elif size == want == 1:
        if name == "tab":
            opts.tab = value
        else:
            opts.decimal = value
    if size == 0:
        report("TBLOPT_NOARG", ln, pos, name)
    elif want and size != want:
        report("TBLOPT_ARGSZ", ln, pos, f"{name} want {want} have {size}")
    pos += size
    if pos < n and p[pos] == ")":
        pos += 1
    return pos


def read_options(opts: Opts, report: Reporter, ln: int, p: str, pos: int) -> int:
    """Read the options of line ``p`` from ``pos`` up to the semicolon,
    which the caller knows is there; where the layout starts."""
    n = len(p)
    while True:
        while pos < n and p[pos] in " \t,":
            pos += 1
        if pos >= n or p[pos] == ";":
            return pos + 1 if pos < n else pos
        end = pos
        while end < n and p[end].isascii() and p[end].isalpha():
            end += 1
        if end == pos:
            report("TBLOPT_ALPHA", ln, pos, p[pos])
            pos += 1
            continue
        word = p[pos:end].lower()
        if word in FLAGS:
            opts.opts |= FLAGS[word]
            pos = end
        elif word in ARGS:
            pos = _arg(opts, report, ln, p, end, word)
        else:
            report("TBLOPT_BAD", ln, pos, p[pos:end])
            pos = end
