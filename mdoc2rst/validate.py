from __future__ import annotations

from mdoc2rst.nodes import Meta, Node
from mdoc2rst.diagnostics import Reporter


def validate(root: Node, meta: Meta, report: Reporter) -> None:
    return
