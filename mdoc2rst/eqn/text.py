"""An equation as plain text, the way ``mandoc -T utf8`` prints it (eqn_term.c).

mandoc writes an equation on one line: ``1/(i^2)`` for a fraction,
``x_1^2`` for scripts, ``√(x)`` for a root, parentheses where grouping must
show, and the marks of diacritical boxes after them (``x^``, ``x~``).
Words are separated by blanks unless punctuation or the shape of the tree
says otherwise; the rules here are eqn_term.c's, word for word.  Fonts are
dropped: this is plain text.

The walk keeps its own stack, so a deeply nested equation costs its size.
"""

from __future__ import annotations

from typing import Final

from mdoc2rst.eqn.box import Box, BoxType, Pos
from mdoc2rst.roff.escape import render

__all__ = ["to_text"]

# One step of the output: a box to print (with its neighbours, which the
# spacing rules look at), a word, or None: no blank before the next word.
_Visit = tuple[Box, Box | None, Box | None]
_Step = _Visit | str | None

_NO_BLANK_BEFORE: Final = frozenset("!\"'),.:;?]}")
_NO_BLANK_AFTER: Final = frozenset("\"'([{")
_ALPHA: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_OPERATOR: Final[dict[Pos, str]] = {Pos.OVER: "/", Pos.SUP: "^", Pos.TO: "^"}
_THREE: Final = frozenset({Pos.FROMTO, Pos.SUBSUP})


def to_text(root: Box) -> str:
    """The text of the equation under ``root`` (or of any box)."""
    out: list[str] = []
    nospace = True
    stack: list[_Step] = [(root, None, None)]
    while stack:
        step = stack.pop()
        if step is None:
            nospace = True
        elif isinstance(step, str):
            if not nospace:
                out.append(" ")
            out.append(render(step))
            nospace = False
        else:
            stack.extend(reversed(_steps(*step)))
    return "".join(out)


def _visit(siblings: list[Box], i: int) -> _Visit:
    return (
        siblings[i],
        siblings[i - 1] if i > 0 else None,
        siblings[i + 1] if i + 1 < len(siblings) else None,
    )


def _delimited(bp: Box, prev: Box | None, nxt: Box | None) -> bool:
    """Whether the box is printed in parentheses (or its left and right)."""
    if bp.type is BoxType.LIST and bp.expectargs > 1:
        return True
    if bp.type is BoxType.PILE and (prev is not None or nxt is not None):
        return True
    parent = bp.parent
    if parent is None:
        return False
    if parent.pos is Pos.SQRT:
        return True
    # A diacritical mark followed by ^ or _.
    if (
        (bp.top is not None or bp.bottom is not None)
        and parent.type is BoxType.SUBEXPR
        and parent.pos is not Pos.OVER
        and nxt is not None
    ):
        return True
    # A nested over, sub, sup, from or to.
    return (
        bp.type is BoxType.SUBEXPR
        and bp.pos is not Pos.SQRT
        and (
            (parent.type is BoxType.LIST and bp.expectargs == 1) or parent.type is BoxType.SUBEXPR
        )
    )


def _glued_to_previous(bp: Box, prev: Box | None) -> bool:
    """Whether no blank goes before the opening parenthesis."""
    parent = bp.parent
    if parent is not None and parent.type is BoxType.SUBEXPR and prev is not None:
        return True
    if bp.type is not BoxType.LIST or not bp.children or prev is None:
        return False
    if bp.children[0].type in (BoxType.PILE, BoxType.MATRIX):
        return False
    if prev.type is BoxType.LIST:
        return True
    first = (prev.text or "")[:1]
    return prev.type is BoxType.TEXT and (first == "\\" or first in _ALPHA)


def _steps(bp: Box, prev: Box | None, nxt: Box | None) -> list[_Step]:
    """What eqn_term.c's eqn_box() prints for one box, its children as boxes."""
    steps: list[_Step] = []
    delim = _delimited(bp, prev, nxt)
    if delim:
        if _glued_to_previous(bp, prev):
            steps.append(None)
        steps += ["(" if bp.left is None else bp.left, None]
    text = bp.text
    if text is not None:
        # mandoc's strchr() finds the terminating NUL of an empty text too.
        if not text or text[0] in _NO_BLANK_BEFORE:
            steps.append(None)
        steps.append(text)
        if text and (
            text[-1] in _NO_BLANK_AFTER
            or (prev is None and (text[-1] == "-" or text.endswith("\\[mi]")))
        ):
            steps.append(None)
    kids = bp.children
    if bp.pos is Pos.SQRT:
        steps.append("\\(sr")
        if kids:
            steps += [None, _visit(kids, 0)]
    elif bp.type is BoxType.SUBEXPR:
        steps += [_visit(kids, 0), None, _OPERATOR.get(bp.pos, "_")]
        if len(kids) > 1:
            steps += [None, _visit(kids, 1)]
            if bp.pos in _THREE:
                steps += [None, "^", None]
                if len(kids) > 2:
                    steps.append(_visit(kids, 2))
    else:
        if (
            bp.type is BoxType.MATRIX
            and kids
            and kids[0].type is BoxType.LIST
            and kids[0].expectargs > 1
        ):
            kids = kids[0].children
        for i, child in enumerate(kids):
            # A pile prints the only box of a row, not the row.
            if (
                bp.type is BoxType.PILE
                and child.type is BoxType.LIST
                and child.expectargs > 1
                and child.args == 1
                and child.children
            ):
                steps.append(_visit(child.children, 0))
            else:
                steps.append(_visit(kids, i))
    if bp.top is not None:
        steps += [None, bp.top]
    if bp.bottom is not None:
        steps += [None, "_"]
    if delim:
        steps += [None, ")" if bp.right is None else bp.right]
        if bp.parent is not None and bp.parent.type is BoxType.SUBEXPR and nxt is not None:
            steps.append(None)
    return steps
