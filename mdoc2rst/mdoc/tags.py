"""Tags: where a term is documented, as mandoc's tag.c decides it.

The validator proposes anchors (``tag_put``) with a priority; once the
whole tree is validated, :func:`postprocess` decides where the anchors
and their permalinks go.  ``mandoc -T tree`` shows the outcome as
``ID``, ``HREF`` and ``=tag`` on the nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mdoc2rst.tree.nodes import ELEM, TEXT, Flag, Node
from mdoc2rst.tree.text import deroff

TAG_MANUAL = 1  # set with a .Tg macro
TAG_STRONG = 2  # good automatic tagging
TAG_WEAK = (1 << 31) - 3  # dubious automatic tagging
TAG_FALLBACK = (1 << 31) - 2  # tag only used if it occurs exactly once
TAG_DELETE = (1 << 31) - 1  # tag not used at all

_BREAK = " \t\\"


@dataclass(slots=True)
class _Entry:
    prio: int = TAG_DELETE
    nodes: list[Node] = field(default_factory=list)


def _span(s: str) -> int:
    """Length of the leading part of ``s`` free of blanks and escapes."""
    for i, c in enumerate(s):
        if c in _BREAK:
            return i
    return len(s)


class Tags:
    """The table of proposed anchors of one document."""

    def __init__(self) -> None:
        self._entries: dict[str, _Entry] = {}

    def put(self, s: str | None, prio: int, n: Node, *, child_string: bool = False) -> None:
        """Propose ``n`` as the place where term ``s`` is defined.

        With ``s`` None, the term is the node's first text child, minus a
        leading dash.  ``child_string`` says that an explicit ``s`` is
        that very child string: mandoc then needs no separate tag text.
        """
        if s is None:
            first = n.first
            if first is None or first.type is not TEXT:
                return
            s = first.string
            child_string = True
            if s.startswith("-"):
                s = s[1:]
                child_string = False
            elif len(s) > 1 and s[0] == "\\" and s[1] in "&-e":
                s = s[2:]
                child_string = False

        # Whitespace or escapes cut the term short and make it dubious.
        length = _span(s)
        if length == 0:
            return
        rest = s[length:]
        if rest and prio < TAG_WEAK:
            prio = TAG_WEAK
        key = s[:length]

        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = _Entry()
        elif entry.prio < prio:
            return  # a better place is known already
        elif entry.prio > prio or prio == TAG_FALLBACK:
            # A worse place is forgotten; a fallback used twice is no use.
            for old in entry.nodes:
                old.flags &= ~Flag.ID
                old.tag = None
            entry.nodes.clear()
            if prio == TAG_FALLBACK:
                entry.prio = TAG_DELETE
                return

        entry.nodes.append(n)
        entry.prio = prio
        n.flags |= Flag.ID
        if n.first is None or not child_string or rest:
            n.tag = key

    def put_heading(self, head: Node) -> None:
        """Propose a section heading for its own text, blanks made ``_``
        (mandoc's post_section and man(7)'s post_SH): strongly when the
        heading is that one word, else only if no other place claims it."""
        tag = deroff(head)
        if tag is None:
            return
        tag = tag.replace(" ", "_")
        first = head.first
        if first is not None and first.type is TEXT and first.string == tag:
            self.put(None, TAG_STRONG, head)
        else:
            self.put(tag, TAG_FALLBACK, head)


#: Where the search for an element's paragraph stops: items, paragraphs
#: and major blocks.
_STOPS = frozenset(("It", "Pp", "Sh", "Ss", "Bd", "Bl", "D1", "Dl", "Rs"))


def postprocess(root: Node) -> None:
    """Place permalinks and move anchors to their paragraphs."""
    _postprocess(root, root if root.tok in _STOPS else None)


def _postprocess(parent: Node, stop: Node | None) -> None:
    """Visit the children of ``parent`` in document order.

    ``stop`` is the closest node before the current one (a preceding
    sibling, an ancestor, or one of their preceding siblings) where the
    search for the enclosing paragraph ends.  Carrying it along keeps the
    walk linear where mandoc searches backwards each time.
    """
    kids = parent.children
    i = 0
    while i < len(kids):  # live: split text nodes are visited too
        n = kids[i]
        if n.flags & Flag.ID:
            _place(n, kids[i + 1] if i + 1 < len(kids) else None, stop)
        is_stop = n.tok in _STOPS and n.type is not TEXT
        if n.children:  # most nodes are leaves (text): skip the call
            _postprocess(n, n if is_stop else stop)
        if is_stop:
            stop = n
        i += 1


def _place(n: Node, following: Node | None, stop: Node | None) -> None:
    """Decide where the anchor and permalink of a tagged node go."""
    if n.tok == "Pp":
        _move_href(following, n.tag)
    elif n.tok in ("Bd", "D1", "Dl"):
        _move_href(n.first, n.tag)
    elif n.tok == "Bl":
        pass  # mandoc gives lists no permalink
    else:
        if n.type is ELEM or n.tok == "Fo":
            _move_id(n, stop)
        if n.tok != "Tg":
            n.flags |= Flag.HREF
        elif not n.flags & Flag.ID:
            n.flags |= Flag.NOPRT
            n.tag = None


def _move_id(n: Node, np: Node | None) -> None:
    """Move the anchor of an in-line element to its enclosing paragraph."""
    if np is None:
        return
    if np.tok == "It":
        bl = np.parent.parent if np.parent is not None else None
        lt = bl.norm.list_type if bl is not None and bl.norm is not None else None
        target: Node | None = np
        if lt == "column":
            target = np.parent  # the row's block
        elif lt in ("diag", "hang", "inset", "ohang", "tag"):
            target = np.parent.head if np.parent is not None else None
        if target is not None:
            _take_id(target, n)
    elif np.tok == "Pp":
        _take_id(np, n)
    # Other stops are major blocks: the anchor stays where it is.


def _take_id(np: Node, n: Node) -> None:
    if np.tag is not None:
        return
    if n.tag is not None:
        np.tag = n.tag
    else:
        first = n.first
        np.tag = first.string if first is not None else ""
    np.flags |= Flag.ID
    n.flags &= ~Flag.ID


def _move_href(n: Node | None, tag: str | None) -> None:
    """Put the permalink of a tagged paragraph on its first few words."""
    if n is None or n.type is not TEXT or not n.string or n.string[0] == " ":
        return
    s = n.string
    cut: int | None = 0
    while cut is not None and cut < 5:
        found = s.find(" ", cut + 1)
        cut = found if found >= 0 else None
    # A longer first text node is split after those words.
    if cut is not None and cut + 1 < len(s) and n.parent is not None:
        rest = Node(TEXT, "", n.line, n.pos + cut, string=s[cut + 1 :], file=n.file)
        rest.flags = n.flags & ~Flag.LINE
        rest.sec = n.sec
        rest.parent = n.parent
        sibs = n.parent.children
        sibs.insert(next(i for i, x in enumerate(sibs) if x is n) + 1, rest)
        n.string = s[:cut]
    n.tag = tag
    n.flags |= Flag.HREF
