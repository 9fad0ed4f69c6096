"""Which page a document is: its name and section for titles, and its aliases.

A page's title is ``NAME(SECTION)`` from ``.Dt``, not from the first
``.Nm`` (``queue.3`` documents ``SLIST_EMPTY`` and forty other macros but is
the page ``queue(3)``).  mdoc wants ``.Dt`` in capitals; a site shows names
as they are spelled, so the title takes the spelling of the file's own name
or of a name in the NAME section that matches it ignoring case, else the
lower case of an all-capital ``.Dt`` (``SCTP_CONNECTX`` -> ``sctp_connectx``,
but ``CMSG_DATA`` stays when a NAME says ``CMSG_DATA``).  The section is
``.Dt``'s as written (``3``, ``3bsd``), else the file's.  Every name of the
NAME section is an alias that ``.Xr`` may use for the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePath

from mdoc2rst.roff.escape import render
from mdoc2rst.tree.nodes import BLOCK, TEXT, Document, Node, Sec

#: A man page's file suffix: a digit with letters after it (``.3``,
#: ``.3bsd``, ``.9freebsd``, ``.3p``, ``.1m``) or a letter section (``.n``,
#: ``.l``).
MAN_SUFFIX = re.compile(r"\.(?:[1-9][A-Za-z0-9_]*|[nl])")


@dataclass(frozen=True, slots=True)
class Identity:
    """A page's name and section as a site shows them, and its NAME names."""

    name: str
    section: str
    names: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return f"{self.name}({self.section})" if self.section else self.name


def file_page(filename: str) -> tuple[str, str] | None:
    """``(name, section)`` from a man page's file name, or None: ``queue.3bsd``."""
    path = PurePath(filename)
    suffix = path.suffix
    if not MAN_SUFFIX.fullmatch(suffix) or not path.stem:
        return None
    return path.stem, suffix[1:]


def name_section_names(doc: Document) -> tuple[str, ...]:
    """The names the NAME section gives with ``.Nm``, in order, each once."""
    names: list[str] = []
    for sh in doc.root.children:
        if sh.tok == "Sh" and sh.type is BLOCK and sh.sec is Sec.NAME and sh.body_node is not None:
            for n in sh.body_node.children:
                if n.tok == "Nm":
                    names += (t for t in _texts(n) if t not in names and t != ",")
    return tuple(names)


def _texts(n: Node) -> list[str]:
    """The words of ``n``, escapes resolved as the writers print them."""
    return [render(c.string) for c in n.children if c.type is TEXT]


def identify(doc: Document, filename: str | None = None) -> Identity:
    """The page's identity; ``filename`` (default: the document's) gives the
    spelling and the section when ``.Dt`` does not."""
    names = name_section_names(doc)
    from_file = file_page(filename if filename is not None else doc.filename)
    dt_name, dt_sec = _dt(doc)
    section = dt_sec or doc.meta.msec or (from_file[1] if from_file else "")
    if not dt_name or dt_name == "UNTITLED":
        name = (from_file[0] if from_file else "") or (names[0] if names else "") or "UNTITLED"
        return Identity(name, section, names)
    spellings = ([from_file[0]] if from_file else []) + list(names)
    folded = dt_name.casefold()
    spelled = next((s for s in spellings if s.casefold() == folded), None)
    if spelled is not None:
        return Identity(spelled, section, names)
    return Identity(dt_name.lower() if dt_name.isupper() else dt_name, section, names)


def _dt(doc: Document) -> tuple[str, str]:
    """``.Dt``'s title and section as written (escapes resolved)."""
    for n in doc.root.children:
        if n.tok == "Dt":
            args = _texts(n)
            return (args[0] if args else ""), (args[1] if len(args) > 1 else "")
    meta = doc.meta
    return meta.title or "", meta.msec or ""
