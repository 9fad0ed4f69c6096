"""eqn(7): equations, parsed as mandoc 1.14.6 parses them, and rendered.

``box`` (the box tree and its ``-T tree`` dump), ``lexer`` (tokens and
``define`` substitution), ``parser`` (the box tree of one equation, and the
state a document keeps between equations), ``delim`` (in-line equations in
text lines), ``latex`` and ``text`` (renderings for the writers).
"""

from mdoc2rst.eqn.box import Box, BoxType, Font, Pos, dump_boxes
from mdoc2rst.eqn.delim import eqndelim
from mdoc2rst.eqn.parser import EqnParser, EqnState, Equation

__all__ = [
    "Box",
    "BoxType",
    "EqnParser",
    "EqnState",
    "Equation",
    "Font",
    "Pos",
    "dump_boxes",
    "eqndelim",
]
