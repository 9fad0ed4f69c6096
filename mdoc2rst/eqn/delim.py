"""In-line equations: where a text line opens or closes one (roff.c: roff_eqndelim).

Once an equation has set ``delim xy``, the roff layer looks for ``x`` in each
text line outside equations, and for ``y`` in the lines of an in-line
equation, and rewrites the line around the first one it finds into lines of
their own (``.EQ`` or ``.EN``), which it then reads again as if they were
the input, under the same line number.  Blanks that follow an opening
delimiter are dropped, and ``\\&`` keeps the blanks next to the equation in
the text around it.
"""

from __future__ import annotations

from mdoc2rst.eqn.parser import EqnState

__all__ = ["eqndelim"]


def eqndelim(buf: str, pos: int, state: EqnState, inside: bool) -> str | None:
    """The line ``buf`` rewritten around its first in-line delimiter from
    ``pos`` on, or None if it has none (or ``delim`` is off).

    ``inside`` is True within an in-line equation: the closing delimiter is
    looked for then, the opening one otherwise.  The result holds newlines:
    the roff layer reads each of its lines in turn, as mandoc does with the
    buffer of a ROFF_REPARSE.
    """
    if not state.delim:
        return None
    wanted = state.cdelim if inside else state.odelim
    found = buf.find(wanted, pos) if wanted else -1
    if found < 0:
        return None
    before, after = buf[:found], buf[found + 1 :]
    if not inside:
        after = after.lstrip(" ")
    pieces = [before]
    if before:
        if not inside:
            pieces.append("\\&")
        pieces.append("\n")
    pieces.append(".EN" if inside else ".EQ")
    if after:
        pieces.append("\n")
        if inside:
            pieces.append("\\&")
    pieces.append(after)
    return "".join(pieces)
