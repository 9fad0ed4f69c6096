"""Plain text of a subtree, spaced the way mandoc prints words.

Used where the text of a node matters but not its markup: the spec's
descriptions, error conditions and return-value sentences.  Words are
joined by single spaces, except after opening delimiters, before closing
ones, and where ``.Ns``, ``.Ap`` or ``.Pf`` remove the space; ``.Fl``
gets its dash and enclosures their quotes.
"""

from __future__ import annotations

from mdoc2rst.roff.escape import render
from mdoc2rst.tree.nodes import BLOCK, BODY, COMMENT, ELEM, HEAD, TEXT, Flag, Node

#: Enclosures: macro -> (opening, closing), as mandoc's UTF-8 output prints them.
ENCLOSURES: dict[str, tuple[str, str]] = {
    "Aq": ("⟨", "⟩"), "Ao": ("⟨", "⟩"),
    "Bq": ("[", "]"), "Bo": ("[", "]"),
    "Brq": ("{", "}"), "Bro": ("{", "}"),
    "Dq": ("“", "”"), "Do": ("“", "”"),
    "Op": ("[", "]"), "Oo": ("[", "]"),
    "Pq": ("(", ")"), "Po": ("(", ")"),
    "Qq": ('"', '"'), "Qo": ('"', '"'),
    "Sq": ("‘", "’"), "So": ("‘", "’"),
    "Ql": ("‘", "’"),
}  # fmt: skip


class _Joiner:
    """Collects words; ``glue`` suppresses the space before the next word."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.glue = True

    def word(self, w: str, *, closing: bool = False, opening: bool = False) -> None:
        if not w:
            return
        if self.parts and not self.glue and not closing:
            self.parts.append(" ")
        self.parts.append(w)
        self.glue = opening

    def text(self) -> str:
        return "".join(self.parts)


def plain(node: Node) -> str:
    """The printed words of ``node``'s subtree as one line of text."""
    j = _Joiner()
    _walk(node, j)
    return " ".join(j.text().split())


def plain_children(node: Node) -> str:
    """Like :func:`plain` but for the children only (a body without its head)."""
    j = _Joiner()
    for c in node.children:
        _walk(c, j)
    return " ".join(j.text().split())


def _walk(n: Node, j: _Joiner) -> None:
    if n.flags & Flag.NOPRT:
        return
    if n.type is TEXT:
        j.word(
            render(n.string),
            closing=bool(n.flags & Flag.DELIMC),
            opening=bool(n.flags & Flag.DELIMO),
        )
        return
    if n.type is COMMENT:
        return
    tok = n.tok
    if tok in ("Ns", "Ap") and n.type is ELEM:
        if tok == "Ap":
            j.word("'", closing=True, opening=True)
        j.glue = True
        return
    if tok == "Fl" and n.type is ELEM:
        j.word("-", opening=True)
        for c in n.children:
            _walk(c, j)
        return
    enc = ENCLOSURES.get(tok)
    if enc is not None and n.type is BLOCK:
        for c in n.children:
            if c.type is BODY:
                j.word(enc[0], opening=True)
                for cc in c.children:
                    _walk(cc, j)
                j.word(enc[1], closing=True)
            elif c.type is not HEAD:
                _walk(c, j)
        return
    if tok == "Fn" and n.type is ELEM and n.children:
        name, *args = n.children
        _walk(name, j)
        j.word("(", closing=True, opening=True)
        for k, a in enumerate(args):
            if k:
                j.word(",", closing=True)
            _walk(a, j)
        j.word(")", closing=True)
        return
    for c in n.children:
        _walk(c, j)
    if tok == "Pf" and n.type is ELEM:
        j.glue = True


def deroff(n: Node) -> str | None:
    """The text of a subtree as mandoc's deroff() collects it.

    Leading blanks and blank-like escapes are dropped from each word, and
    trailing blanks from the first; later words keep theirs, as in mandoc.
    """
    acc: list[str] = []
    _deroff(n, acc)
    return acc[0] if acc else None


def _deroff(n: Node, acc: list[str]) -> None:
    if n.type is not TEXT:
        for c in n.children:
            _deroff(c, acc)
        return
    s = n.string
    i = 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s) and s[i + 1] in " %&0^|~":
            i += 2
        elif s[i] in " \t\n\v\f\r":
            i += 1
        else:
            break
    cp = s[i:]
    size = len(cp)
    if size > 0 and cp[-1] == "\\":
        size -= 1
    while size > 0 and cp[size - 1] in " \t\n\v\f\r":
        size -= 1
    if size == 0:
        return
    if not acc:
        acc.append(cp[:size])
    else:
        acc[0] = f"{acc[0]} {cp}"
