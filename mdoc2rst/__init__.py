"""mdoc2rst: a faithful mdoc(7) parser that turns BSD man pages into reStructuredText.

The pipeline runs one way: the roff layer, the mdoc parser with its macro
table, the validator, and then writers (tree dump, reST, spec).
"""

from mdoc2rst.reader import parse, parse_file
from mdoc2rst.tree.diagnostics import Diagnostic, Level
from mdoc2rst.tree.nodes import Document, Meta, Node, NodeType

__version__ = "0.1.0"

__all__ = [
    "Diagnostic",
    "Document",
    "Level",
    "Meta",
    "Node",
    "NodeType",
    "__version__",
    "parse",
    "parse_file",
]
