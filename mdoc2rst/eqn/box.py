"""The box tree of one equation, and its dump in the format of ``mandoc -T tree``.

A box is mandoc's ``struct eqn_box`` (eqn.h): a text, a list (braces, fonts,
sizes, diacritical marks), a binary or ternary subexpression (``over``,
``sub``, ``sup``, ``from``, ``to``, ``sqrt``), a pile, or a matrix.  The
parser keeps mandoc's bookkeeping (``args`` counted as mandoc counts them,
``expectargs``) because the dump prints it and the renderers read it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Final

#: mandoc's UINT_MAX for ``expectargs``: a box that takes any number of children.
UNLIMITED: Final = 0xFFFFFFFF


class BoxType(enum.Enum):
    """What a box is.  ``ROOT`` holds the equation; mandoc gives its root the
    type of a text box without text, which no rule ever matches."""

    ROOT = "eqn-root"
    TEXT = "eqn-text"
    SUBEXPR = "eqn-expr"
    LIST = "eqn-list"
    PILE = "eqn-pile"
    MATRIX = "eqn-matrix"


class Font(enum.IntEnum):
    """mandoc's ``enum eqn_fontt``: the dump prints the number."""

    NONE = 0
    ROMAN = 1
    BOLD = 2
    FAT = 3
    ITALIC = 4


class Pos(enum.Enum):
    """mandoc's ``enum eqn_post``: how the children of a subexpression combine."""

    NONE = ""
    SUP = "sup"
    SUBSUP = "subsup"
    SUB = "sub"
    TO = "to"
    FROM = "from"
    FROMTO = "fromto"
    OVER = "over"
    SQRT = "sqrt"


@dataclass(eq=False)
class Box:
    """One box.  ``size`` None is mandoc's EQN_DEFSIZE (no size given).

    The ``near_*`` fields are the parser's: the nearest box, this one or
    an ancestor, that a closing brace, ``right``, ``above`` or ``from``/``to``
    looks for, so that each of them costs one step however deep the box.
    """

    type: BoxType
    parent: Box | None = field(default=None, repr=False)
    children: list[Box] = field(default_factory=list, repr=False)
    text: str | None = None
    left: str | None = None
    right: str | None = None
    top: str | None = None
    bottom: str | None = None
    expectargs: int = UNLIMITED
    args: int = 0
    size: int | None = None
    font: Font = Font.NONE
    pos: Pos = Pos.NONE
    near_brace: Box | None = field(default=None, repr=False)
    near_fence: Box | None = field(default=None, repr=False)
    near_pile: Box | None = field(default=None, repr=False)
    near_script: Box | None = field(default=None, repr=False)


def box_line(box: Box) -> str:
    """The line tree.c's print_box() prints for ``box``, without indentation."""
    parts = [box.type.value]
    if box.pos is not Pos.NONE:
        parts.append(f"pos={box.pos.value}")
    strings = (
        ("left", box.left),
        ("right", box.right),
        ("top", box.top),
        ("bottom", box.bottom),
        ("text", box.text),
    )
    for name, value in strings:
        if value is not None:
            parts.append(f'{name}="{value}"')
    if box.font is not Font.NONE:
        parts.append(f"font={int(box.font)}")
    if box.size is not None:
        parts.append(f"size={box.size}")
    if box.expectargs != UNLIMITED and box.expectargs != box.args:
        parts.append(f"badargs={box.args}({box.expectargs})")
    elif box.args:
        parts.append(f"args={box.args}")
    return " ".join(parts)


def dump_boxes(root: Box, indent: int = 0) -> list[str]:
    """The lines mandoc prints for the boxes under ``root``, the first ones
    indented by ``indent`` and each level by four more.

    Iterative, so that an equation nested a hundred thousand deep dumps
    like any other.
    """
    out: list[str] = []
    stack: list[tuple[Box, int]] = [(child, indent) for child in reversed(root.children)]
    while stack:
        box, depth = stack.pop()
        out.append(" " * depth + box_line(box))
        stack.extend((child, depth + 4) for child in reversed(box.children))
    return out
