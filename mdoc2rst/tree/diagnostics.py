"""Diagnostics as values: what the parser found wrong, where, and how badly.

The levels and their order are mandoc's, so that the exit status of
``mdoc2rst lint`` can follow ``mandoc -T lint``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from mdoc2rst.safe import printable
from mdoc2rst.tree.messages import MESSAGES


class Level(enum.IntEnum):
    """Severity, in mandoc's order; the value is the lint exit status it causes."""

    STYLE = 1
    WARNING = 2
    ERROR = 3
    UNSUPP = 4
    BADARG = 5
    SYSERR = 6


_LEVEL_BY_NAME = dict(Level.__members__)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One message about the input, at a 1-based line and column."""

    level: Level
    kind: str
    file: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        # Always file:line:col, for editors and CI annotations to parse: a
        # message about the page as a whole (line 0: mandoc prints no line)
        # is given its first line.  Page text and file names may hold
        # anything: the line stays one line.
        where = f"{self.file}:{self.line}:{self.column}" if self.line else f"{self.file}:1:1"
        return printable(f"{where}: {self.level.name}: {self.message}")


@dataclass(slots=True)
class Reporter:
    """Collects diagnostics for one input file."""

    file: str
    items: list[Diagnostic] = field(default_factory=list)

    def __call__(self, kind: str, line: int, pos: int, args: str | None = None) -> None:
        """Record diagnostic ``kind`` at ``line`` and 0-based position ``pos``."""
        level_name, text = MESSAGES[kind]
        # mandoc prints ": " before an argument even when it is empty.
        message = f"{text}: {args}" if args is not None else text
        # Base-system conventions (emitted only for OpenBSD and NetBSD pages)
        # are printed by mandoc with the STYLE word and count as style.
        level = _LEVEL_BY_NAME["STYLE" if level_name == "BASE" else level_name]
        self.items.append(Diagnostic(level, kind, self.file, line, pos + 1, message))
