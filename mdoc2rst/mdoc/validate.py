"""The validator: mandoc's post-parse pass over the mdoc tree.

After the parser has built the tree, :func:`validate` walks it in
post-order, as mandoc 1.14.6 does in mdoc_validate.c and
roff_validate.c: every node is checked after its children.  The pass
fills the page's meta data from the prologue, generates the text of
macros such as ``.St`` or ``.Ex -std`` (such nodes carry ``NOSRC``),
normalises list and display arguments, removes paragraph macros that
would print nothing, and reports what it finds, with mandoc's kinds,
positions and wording.

The walk keeps mandoc's "current node" cursor (``last`` and
``child_next``) because several handlers insert or move nodes relative
to it, and the walk resumes after whatever node the cursor ends on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from mdoc2rst.mdoc import dates
from mdoc2rst.mdoc.macros import MACROS, F
from mdoc2rst.mdoc.tables import (
    ATT_VERSIONS,
    LIBRARIES,
    NETBSD_ARCHITECTURES,
    OPENBSD_ARCHITECTURES,
    SECTION_VOLUMES,
    STANDARDS,
)
from mdoc2rst.mdoc.tags import TAG_FALLBACK, TAG_MANUAL, TAG_STRONG, Tags, postprocess
from mdoc2rst.roff.escape import render
from mdoc2rst.safe import safe_mail, safe_url
from mdoc2rst.tree.diagnostics import Reporter
from mdoc2rst.tree.nodes import (
    BLOCK,
    BODY,
    COMMENT,
    ELEM,
    ENDBODY_NOT,
    HEAD,
    ROOT,
    TAIL,
    TEXT,
    Flag,
    Meta,
    Node,
    NodeType,
    Sec,
)
from mdoc2rst.tree.text import deroff

#: What mandoc prints for an empty ``.Os``: Debian builds it with OSNAME.
DEFAULT_OS = "Debian"

OS_OTHER, OS_NETBSD, OS_OPENBSD = "other", "netbsd", "openbsd"

#: Section titles by section, for messages.
SECNAMES: dict[Sec, str] = {
    Sec.NAME: "NAME",
    Sec.LIBRARY: "LIBRARY",
    Sec.SYNOPSIS: "SYNOPSIS",
    Sec.DESCRIPTION: "DESCRIPTION",
    Sec.CONTEXT: "CONTEXT",
    Sec.IMPLEMENTATION: "IMPLEMENTATION NOTES",
    Sec.RETURN_VALUES: "RETURN VALUES",
    Sec.ENVIRONMENT: "ENVIRONMENT",
    Sec.FILES: "FILES",
    Sec.EXIT_STATUS: "EXIT STATUS",
    Sec.EXAMPLES: "EXAMPLES",
    Sec.DIAGNOSTICS: "DIAGNOSTICS",
    Sec.COMPATIBILITY: "COMPATIBILITY",
    Sec.ERRORS: "ERRORS",
    Sec.SEE_ALSO: "SEE ALSO",
    Sec.STANDARDS: "STANDARDS",
    Sec.HISTORY: "HISTORY",
    Sec.AUTHORS: "AUTHORS",
    Sec.CAVEATS: "CAVEATS",
    Sec.BUGS: "BUGS",
    Sec.SECURITY: "SECURITY CONSIDERATIONS",
}

#: Order of the reference fields inside ``.Rs``.
RS_ORDER: dict[str, int] = {
    tok: i
    for i, tok in enumerate(
        ("%A", "%T", "%B", "%I", "%J", "%R", "%N", "%V", "%U", "%P", "%Q", "%C", "%D", "%O")
    )
}

#: List types of ``.Bl``, by argument name.
LIST_TYPES = frozenset(
    ("bullet", "dash", "enum", "hyphen", "item", "tag", "diag", "hang", "ohang", "inset", "column")
)

#: Display types of ``.Bd``, by argument name.
DISPLAY_TYPES = frozenset(("centered", "ragged", "unfilled", "filled", "literal"))

#: Default indentation of ``-width Xx`` / ``-offset Xx`` for macro names.
MACRO_WIDTHS: dict[str, int] = {
    "Ad": 12, "Ao": 12, "An": 12, "Aq": 12, "Ar": 12, "Bo": 12, "Bq": 12, "Cd": 12,
    "Cm": 10, "Do": 10, "Dq": 12, "Dv": 12, "Eo": 12, "Em": 10, "Er": 17, "Ev": 15,
    "Fa": 12, "Fl": 10, "Fo": 16, "Fn": 16, "Ic": 10, "Li": 16, "Ms": 6, "Nm": 10,
    "No": 12, "Oo": 10, "Op": 14, "Pa": 32, "Pf": 12, "Po": 12, "Pq": 12, "Ql": 16,
    "Qo": 12, "So": 12, "Sq": 12, "Sy": 6, "Sx": 16, "Tn": 10, "Va": 12, "Vt": 12,
    "Xr": 10,
}  # fmt: skip

#: Single-character delimiters: closing and middle ones trail a macro.
_CLOSE_DELIMS = frozenset(".,;:?!)]")
_MIDDLE_DELIMS = frozenset("|")
_OPEN_DELIMS = frozenset("([")


def _isalpha(c: str) -> bool:
    return c.isascii() and c.isalpha()


def _isalnum(c: str) -> bool:
    return c.isascii() and c.isalnum()


def _name(n: Node) -> str:
    """A node's macro name as mandoc prints it in messages."""
    return n.tok if n.tok and n.type is not TEXT else "text"


def _transparent(n: Node | None) -> bool:
    """Nodes that print nothing and keep no place (mandoc's roff_node_transparent)."""
    if n is None:
        return False
    if n.type is COMMENT or n.flags & Flag.NOPRT:
        return True
    return n.tok in ("ft", "ll", "mc", "po", "ta", "Db", "Es", "Sm", "Tg")


def similar(s1: str, s2: str) -> int | None:
    """A cheap upper bound of the edit distance, None when above 3."""
    maxdist = 3
    dist = 0
    i = j = 0
    while i < len(s1) and j < len(s2):
        if s1[i] == s2[j]:
            i += 1
            j += 1
            continue
        dist += 1
        if dist > maxdist:
            return None
        a1 = s1[i + 1] if i + 1 < len(s1) else ""
        b1 = s2[j + 1] if j + 1 < len(s2) else ""
        if a1 == b1:  # replacement
            i += 1
            j += 1
        elif s1[i] == b1 and a1 == s2[j]:  # transposition
            i += 2
            j += 2
        elif s1[i] == b1:  # insertion
            j += 1
        elif a1 == s2[j]:  # deletion
            i += 1
        else:
            return None
    dist += max(len(s1) - i, 0) + max(len(s2) - j, 0)
    return None if dist > maxdist else dist


def valid_font(s: str) -> bool:
    """Font names that ``.ft`` accepts (mandoc_font)."""
    return s in ("", "B", "3", "I", "2", "P", "R", "1", "4", "BI", "CB", "CI", "CR", "CW")


_Handler = Callable[["Validator", Node], None]


class Validator:
    """One validation pass over one document tree."""

    #: Macro name -> post-handler; the same for every document (see the end
    #: of the module), so it is not rebuilt per page.
    handlers: ClassVar[dict[str, _Handler]]

    def __init__(self, root: Node, meta: Meta, report: Reporter) -> None:
        self.root = root
        self.meta = meta
        self.report = report
        self.last: Node = root  # mandoc's cursor: where new nodes go
        self.child_next = True  # ... as its first child, or after it
        self.pbody = False  # a body macro was seen: the prologue is over
        self.synopsis = False
        self.lastsec = Sec.NONE
        self.lastnamed = Sec.NONE
        self.fn_prio = TAG_STRONG
        self.tags = Tags()
        self.xrs: dict[tuple[str, str], int] = {}
        self.os_e = OS_OTHER
        self.filesec = _filesec(report.file)
        self.loop_parent: Node | None = None  # whose children visit() walks now

    # ------------------------------------------------------------------
    # Siblings, through the positions each node remembers (Node.index).
    #
    # A node deleted from the list whose children are being visited stays
    # in it, marked DELETED, until the visit of that list ends (bury):
    # deleting from a Python list moves everything after the node, and a
    # page of a million paragraph macros, each deleting the one before,
    # would take that many moves of a million.  Sibling lookups here step
    # over such nodes; each remembers the node before it (skip), so a run of
    # them is crossed in one step.  Any other change to such a list first
    # drops them (compact), so that the list never shifts under them.

    @staticmethod
    def _index_of(n: Node) -> int:
        return n.index()

    def next_of(self, n: Node) -> Node | None:
        if n.parent is None:
            return None
        k = self._index_of(n) + 1
        sibs = n.parent.children
        while k < len(sibs) and sibs[k].flags & Flag.DELETED:
            k += 1
        return sibs[k] if k < len(sibs) else None

    def prev_of(self, n: Node) -> Node | None:
        if n.parent is None:
            return None
        k = self._index_of(n)
        if k == 0:
            return None
        prev = n.parent.children[k - 1]
        return _live_before(prev) if prev.flags & Flag.DELETED else prev

    def node_child(self, n: Node) -> Node | None:
        """The first child that is not transparent."""
        for c in n.children:
            if not _transparent(c):
                return c
        return None

    def node_prev(self, n: Node) -> Node | None:
        """The closest preceding sibling that is not transparent."""
        p = self.prev_of(n)
        while p is not None and _transparent(p):
            p = self.prev_of(p)
        return p

    def node_next(self, n: Node) -> Node | None:
        """The closest following sibling that is not transparent."""
        p = self.next_of(n)
        while p is not None and _transparent(p):
            p = self.next_of(p)
        return p

    # ------------------------------------------------------------------
    # Tree surgery, relative to the cursor as in mandoc's roff.c

    def _append(self, n: Node) -> Node:
        last = self.last
        if self.child_next:
            if last.flags & Flag.TOMBS:
                _compact(last)
            n.parent = last
            last.children.insert(0, n)
        else:
            parent = last.parent
            assert parent is not None
            if parent.flags & Flag.TOMBS:
                _compact(parent)
            n.parent = parent
            k = last.index() + 1
            parent.children.insert(k, n)
            n.hint = k
        self.last = n
        if n.type in (HEAD, BODY, TAIL) and n.parent is not None:
            n.norm = n.parent.norm
        if n.parent is not None:
            n.file = n.parent.file  # generated text belongs where its macro is
        return n

    def _new(self, t: NodeType, tok: str, line: int, pos: int) -> Node:
        n = Node(t, tok, line, pos)
        n.sec = self.lastsec
        if self.synopsis:
            n.flags |= Flag.SYNPRETTY
        return n

    def word(self, line: int, pos: int, text: str, flags: int = Flag.NOSRC) -> Node:
        """Insert a generated text node at the cursor."""
        n = self._new(TEXT, "", line, pos)
        n.string = text
        self._append(n)
        n.flags |= Flag.VALID | Flag.ENDED | flags
        self.child_next = False
        return n

    def elem(self, line: int, pos: int, tok: str, flags: int = Flag.NOSRC) -> Node:
        """Insert a generated element at the cursor; what follows goes inside."""
        n = self._new(ELEM, tok, line, pos)
        self._append(n)
        n.flags |= flags
        self.child_next = True
        return n

    def block(self, t: NodeType, line: int, pos: int, tok: str) -> Node:
        n = self._new(t, tok, line, pos)
        self._append(n)
        self.child_next = True
        return n

    def unlink(self, n: Node, bury: bool = False) -> None:
        """Take ``n`` out of its list, moving the cursor off it first.

        ``bury``: leave it in place, marked DELETED (see prev_of).
        """
        if self.last is n:
            prev = self.prev_of(n)
            if prev is None:
                assert n.parent is not None
                self.last = n.parent
                self.child_next = True
            else:
                self.last = prev
                self.child_next = False
        parent = n.parent
        assert parent is not None
        if bury:
            k = n.index()
            n.skip = parent.children[k - 1] if k else None
            n.flags |= Flag.DELETED
            parent.flags |= Flag.TOMBS
            n.parent = None
            return
        if parent.flags & Flag.TOMBS:
            _compact(parent)
        n.unlink()

    def delete(self, n: Node, top: bool = True) -> None:
        if n.flags & Flag.TOMBS:
            _compact(n)
        while n.children:
            # From the end: nothing moves in the list.
            self.delete(n.children[-1], False)
        if n.parent is not None:
            self.unlink(n, bury=top and n.parent is self.loop_parent)

    def relink(self, n: Node) -> None:
        """Move ``n`` to the cursor."""
        self.unlink(n)
        self._append(n)

    def msg(self, kind: str, line: int, pos: int, args: str | None = None) -> None:
        self.report(kind, line, pos, args)

    # ------------------------------------------------------------------
    # The walk

    def run(self) -> None:
        self.visit(self.root)
        postprocess(self.root)

    def visit(self, n: Node) -> None:
        ntype = n.type
        if ntype is TEXT:
            # Text has no children and no handler: the most common node.
            self.last = n
            self.child_next = False
            self.check_text_node(n)
            return
        # Obsolete macros become their modern forms before anything else.
        if n.tok == "Lp":
            n.tok = "Pp"
        elif n.tok == "Ot":
            self.post_obsolete(n)
            n.tok = "Ft"

        # A handler may edit the tree around the cursor, so the next child
        # is found from where the cursor ended, not from a saved position.
        # Text children are checked in place: they have no children and no
        # handler, and they are half of all nodes.
        visit = self.visit
        text = TEXT
        # Text needs checking only for tabs, "--", or at the top of an item
        # or section (check_text_node); the last is the same for all children.
        top = n.tok == "It" or (ntype is BODY and n.tok in ("Sh", "Ss"))
        outer = self.loop_parent
        self.loop_parent = n
        sibs = n.children
        k = 0
        while k < len(sibs):
            child = sibs[k]
            if child.flags & Flag.DELETED:
                k += 1
                continue
            pos = k
            self.last = child
            if child.type is text:
                self.child_next = False
                string = child.string
                if top or "\t" in string or "--" in string:
                    self.check_text_node(child)
                k += 1
                continue
            visit(child)
            last = self.last
            if last is n:
                sibs = n.children
                k = 0
            else:
                parent = last.parent
                if parent is None:
                    break
                sibs = parent.children
                k = last.index() + 1
            if child.flags & Flag.DELETED and k <= pos < len(sibs) and sibs[pos] is child:
                # The child deleted itself and the cursor went back to the
                # node before it: go on after the child, not through the
                # deleted nodes between them again.
                k = pos + 1
        self.loop_parent = outer
        if n.flags & Flag.TOMBS:
            _compact(n)

        self.last = n
        self.child_next = False
        if ntype is COMMENT:
            pass
        elif ntype is ROOT:
            self.post_root(n)
        else:
            if n.args:
                self.check_args(n)
            # Closing delimiters are not special at the start of a
            # macro, nor opening ones at its end.
            kids = n.children
            if kids:
                kids[0].flags &= ~Flag.DELIMC
                kids[-1].flags &= ~Flag.DELIMO
            handler = self.handlers.get(n.tok)
            if handler is not None:
                handler(self, n)
            if self.last is n:
                self.state(n)

    def state(self, n: Node) -> None:
        """The parser state a closed macro leaves behind (mdoc_state)."""
        macro = MACROS.get(n.tok)
        if macro is None:
            return
        if not macro.flags & F.PROLOGUE:
            self.pbody = True
        if n.tok == "Bl" and n.type is HEAD:
            block = n.parent
            if block is not None and block.args and n.norm is not None:
                for a in block.args:
                    if a.name in ("diag", "column"):
                        n.norm.list_type = a.name
                        break
        elif n.tok == "Sh" and n.type is HEAD:
            self.lastsec = n.sec
            self.synopsis = n.sec is Sec.SYNOPSIS

    @classmethod
    def _dispatch(cls) -> dict[str, _Handler]:
        """The post-handler of each macro, built once for the class."""
        h: dict[str, _Handler] = {
            "Dd": cls.post_dd,
            "Dt": cls.post_dt,
            "Os": cls.post_os,
            "Sh": cls.post_sh,
            "Ss": cls.post_section,
            "Pp": cls.post_par,
            "D1": cls.post_display,
            "Dl": cls.post_display,
            "Bd": cls.post_display,
            "Bl": cls.post_bl,
            "It": cls.post_it,
            "An": cls.post_an,
            "Ar": cls.post_defaults,
            "Pa": cls.post_defaults,
            "Mt": cls.post_mt,
            "Lk": cls.post_lk,
            "%U": cls.post_url,
            "Er": cls.post_er,
            "Ex": cls.post_ex,
            "Fa": cls.post_fa,
            "Fl": cls.post_fl,
            "Fn": cls.post_fn,
            "Nd": cls.post_nd,
            "Nm": cls.post_nm,
            "Rv": cls.post_rv,
            "St": cls.post_st,
            "Xr": cls.post_xr,
            "At": cls.post_at,
            "Bf": cls.post_bf,
            "Bx": cls.post_bx,
            "Em": cls.post_em,
            "Sy": cls.post_em,
            "Ns": cls.post_ns,
            "Rs": cls.post_rs,
            "Sm": cls.post_sm,
            "Sx": cls.post_sx,
            "Tn": cls.post_useless,
            "Fo": cls.post_fo,
            "Bk": cls.post_bk,
            "Bt": cls.post_eoln,
            "Ud": cls.post_eoln,
            "Lb": cls.post_lb,
            "Es": cls.post_es,
            "En": cls.post_en,
            "Tg": cls.post_tg,
            # roff requests (the parser reports a needless nf or fi, as
            # mandoc's roff_valid_nf and roff_valid_fi do, once)
            "br": cls.roff_br,
            "ft": cls.roff_ft,
            "sp": cls.roff_sp,
        }
        for tok in ("Ad", "Ft", "In", "Op", "Vt", "Aq", "Pq", "Ql", "Qq", "Sq", "Brq"):
            h[tok] = cls.post_delim_nb
        for tok in ("Cm", "Dv", "Ev", "Ic", "Li", "Va", "Ms", "No"):
            h[tok] = cls.post_tag
        for tok in ("%B", "%N", "%O", "%R", "%T"):
            h[tok] = cls.post_hyph
        for tok in ("Db", "Hf", "Fr"):
            h[tok] = cls.post_obsolete
        for tok in ("Bsx", "Dx", "Fx", "Nx", "Ox", "Ux"):
            h[tok] = cls.post_xx
        return h

    # ------------------------------------------------------------------
    # Text checks

    def check_text_node(self, n: Node) -> None:
        np = n.parent
        if np is None:
            return
        # Both checks look for characters most text lacks: test for them
        # first, in C, before the conditions and the call.
        s = n.string
        ptok = np.tok
        if "\t" in s and (n.sec is not Sec.SYNOPSIS or ptok not in ("Cd", "Fd")):
            self.check_text(n, n.line, n.pos, s)
        if (
            "--" in s
            and not n.flags & Flag.NOFILL
            and not (ptok == "It" and np.type is HEAD and _list_type(np) == "diag")
        ):
            self.check_text_em(n)
        if ptok == "It" or (np.type is BODY and ptok in ("Sh", "Ss")):
            self.check_toptext(n.line, n.pos, n.string)

    def check_args(self, n: Node) -> None:
        for a in n.args or ():
            for v in a.values:
                self.check_text(n, a.line, a.pos, v)

    def check_text(self, n: Node, line: int, pos: int, s: str) -> None:
        """Tabs in filled text."""
        if n.flags & Flag.NOFILL:
            return
        i = s.find("\t")
        while i >= 0:
            self.msg("FI_TAB", line, pos + i)
            i = s.find("\t", i + 1)

    def check_text_em(self, n: Node) -> None:
        """Em-dashes wrongly written as ``--``."""
        s = n.string
        if "--" not in s:
            return  # the common case, found in C
        size = len(s)

        def at(k: int) -> str:
            return s[k] if 0 <= k < size else ""

        i = 0
        while i < size:
            if s[i] != "-" or at(i + 1) != "-":
                i += 1
                continue
            i += 1
            # Longer runs of dashes are something else.
            if at(i + 1) == "-":
                while at(i + 1) == "-":
                    i += 1
                i += 1
                continue
            # So are dashes attached to other characters.
            if (i > 1 and s[i - 2] != " ") or (at(i + 1) not in ("", " ")):
                i += 1
                continue
            if i > 2:
                before = _isalpha(s[i - 3])
            else:
                p = self.prev_of(n)
                before = (
                    p is not None and p.type is TEXT and p.string != "" and _isalpha(p.string[-1])
                )
            if at(i + 1) != "" and at(i + 2) != "":
                after = _isalpha(s[i + 2])
            else:
                nx = self.next_of(n)
                after = nx is not None and nx.type is TEXT and _isalpha(nx.string[:1])
            if before or after:
                self.msg("DASHDASH", n.line, n.pos + i - 1)
                break
            i += 1

    def check_toptext(self, line: int, pos: int, s: str) -> None:
        """OS names and function names without markup at the top level."""
        # Most text names neither a system nor a function: two or three
        # substring tests in C settle that before the loops.
        if "BSD" in s or "DragonFly" in s:
            for word, macro in (
                ("OpenBSD", "Ox"),
                ("NetBSD", "Nx"),
                ("FreeBSD", "Fx"),
                ("DragonFly", "Dx"),
            ):
                k = s.find(word)
                if k >= 0:
                    self.msg("BX", line, pos + k, macro)
        if "()" not in s:
            return
        c = 0
        while True:
            c = s.find("()", c + 1)
            if c < 0:
                break
            r = c - 1
            while r >= 0 and (s[r] == "_" or _isalnum(s[r])):
                r -= 1
            if (r < 0 or s[r] == " ") and r + 1 < c:
                self.msg("FUNC", line, pos + r + 1, f"{s[r + 1 : c]}()")

    # ------------------------------------------------------------------
    # Trailing delimiters

    def post_delim(self, n: Node) -> None:
        nch = n.last
        if nch is None or nch.type is not TEXT or not nch.string:
            return
        lc = nch.string[-1]
        if lc not in _CLOSE_DELIMS and lc not in _MIDDLE_DELIMS:
            return
        if lc == ")" and n.tok in ("Nd", "Sh", "Ss", "Fo"):
            return
        self.msg("DELIM", nch.line, nch.pos + len(nch.string) - 1, _delim_arg(n, nch))

    def post_delim_nb(self, n: Node) -> None:
        nch = n.last
        if nch is None or nch.type is not TEXT:
            return
        s = nch.string
        k = len(s) - 1
        if k <= 0:
            return
        lc = s[k]
        if lc not in _CLOSE_DELIMS and lc not in _MIDDLE_DELIMS:
            return
        # Reduce false positives by allowing various cases.
        if k > 1 and s[k - 2] == "\\" and s[k - 1] in "&e":
            return
        if lc == ")" and "(" in s:
            return
        if lc == "." and (s[k - 1] == "." or (k > 1 and s[k - 2 : k] == "..")):
            return
        if lc == ";" and n.tok == "Vt":
            return
        if lc == "?" and s[k - 1] == "?":
            return
        if lc == "]" and "[" in s:
            return
        if lc == "|" and k == 1 and s[0] == "|":
            return
        if k == 1 and not _isalnum(s[0]):
            return
        # At least three alphabetic words with a sentence ending.
        if lc in "!.:?" and n.tok in ("Em", "Li", "Pq", "Sy"):
            nw = 0
            j = k - 1
            while j >= 0:
                c = s[j]
                if c == " ":
                    nw += 1
                    if j > 0 and s[j - 1] == ",":
                        j -= 1
                elif _isalpha(c):
                    if nw > 1:
                        return
                else:
                    break
                j -= 1
        self.msg("DELIM_NB", nch.line, nch.pos + k, _delim_arg(n, nch))

    # ------------------------------------------------------------------
    # Prologue

    def post_dd(self, n: Node) -> None:
        n.flags |= Flag.NOPRT
        if self.meta.date is not None:
            self.msg("PROLOG_REP", n.line, n.pos, "Dd")
        elif self.pbody:
            self.msg("PROLOG_LATE", n.line, n.pos, "Dd")
        elif self.meta.title is not None:
            self.msg("PROLOG_ORDER", n.line, n.pos, "Dd after Dt")
        elif self.meta.os is not None:
            self.msg("PROLOG_ORDER", n.line, n.pos, "Dd after Os")
        self.meta.date = self.normdate(n.first, n)

    def normdate(self, nch: Node | None, nbl: Node | None) -> str:
        """The date of ``.Dd``, normalised as mandoc_normdate() does."""
        return dates.normdate(nch, nbl, self.report)

    def post_dt(self, n: Node) -> None:
        n.flags |= Flag.NOPRT
        meta = self.meta
        if self.pbody:
            self.msg("DT_LATE", n.line, n.pos, "Dt")
            return
        if meta.title is not None:
            self.msg("PROLOG_REP", n.line, n.pos, "Dt")
        elif meta.os is not None:
            self.msg("PROLOG_ORDER", n.line, n.pos, "Dt after Os")
        meta.title = meta.msec = meta.vol = meta.arch = None

        # Mandatory first argument: the title.
        nn = n.first
        if nn is None or nn.string == "":
            self.msg("DT_NOTITLE", n.line, n.pos, "Dt")
            meta.title = "UNTITLED"
        else:
            meta.title = nn.string
            for i, c in enumerate(nn.string):
                if c.isascii() and c.islower():
                    self.msg("TITLE_CASE", nn.line, nn.pos + i, f"Dt {nn.string}")
                    break

        # Mandatory second argument: the section, which gives the volume.
        if nn is not None:
            nn = self.next_of(nn)
        if nn is None:
            self.msg("MSEC_MISSING", n.line, n.pos, f"Dt {meta.title}")
            meta.vol = "LOCAL"
            return
        meta.msec = nn.string
        vol = SECTION_VOLUMES.get(nn.string)
        if vol is None:
            self.msg("MSEC_BAD", nn.line, nn.pos, f"Dt ... {nn.string}")
            meta.vol = nn.string
        else:
            meta.vol = vol
            first = nn.string[:1]
            if self.filesec and self.filesec != first and "1" <= first <= "9":
                self.msg("MSEC_FILE", nn.line, nn.pos, f"*.{self.filesec} vs Dt ... {first}")

        # Optional third argument: the architecture, in lower case.
        nn = self.next_of(nn)
        if nn is None:
            return
        nn.string = _ascii_lower(nn.string)
        meta.arch = nn.string

        nn = self.next_of(nn)
        if nn is not None:
            self.msg("ARG_EXCESS", nn.line, nn.pos, f"Dt ... {nn.string}")

    def post_os(self, n: Node) -> None:
        n.flags |= Flag.NOPRT
        meta = self.meta
        if meta.os is not None:
            self.msg("PROLOG_REP", n.line, n.pos, "Os")
        elif self.pbody:
            self.msg("PROLOG_LATE", n.line, n.pos, "Os")
        self.post_delim(n)

        meta.os = deroff(n)
        if meta.os is None:
            meta.os = DEFAULT_OS
        if self.os_e == OS_OTHER:
            if "OpenBSD" in meta.os:
                self.os_e = OS_OPENBSD
            elif "NetBSD" in meta.os:
                self.os_e = OS_NETBSD
        meta.os_e = self.os_e

        family = "OpenBSD" if self.os_e == OS_OPENBSD else "NetBSD"
        if n.first is not None:
            self.msg("OS_ARG", n.first.line, n.first.pos, f"Os {n.first.string} ({family})")

        # Only now is the system known that decides the Mdocdate convention.
        dd: Node | None = n
        while dd is not None and dd.tok != "Dd":
            dd = self.prev_of(dd)
        if dd is None or dd.first is None:
            return
        d = dd.first
        if not d.string.startswith("$Mdocdate"):
            if self.os_e == OS_OPENBSD:
                self.msg("MDOCDATE_MISSING", d.line, d.pos, f"Dd {d.string} (OpenBSD)")
        elif self.os_e == OS_NETBSD:
            self.msg("MDOCDATE", d.line, d.pos, f"Dd {d.string} (NetBSD)")

    def post_root(self, root: Node) -> None:
        meta = self.meta
        if meta.date is None:
            meta.date = self.normdate(None, None)
        if meta.title is None:
            self.msg("DT_NOTITLE", 0, 0, "EOF")
            meta.title = "UNTITLED"
        if meta.vol is None:
            meta.vol = "LOCAL"
        if meta.os is None:
            self.msg("OS_MISSING", 0, 0)
            meta.os = ""
        elif self.os_e != OS_OTHER and self.os_e not in meta.rcsids:
            system = "OpenBSD" if self.os_e == OS_OPENBSD else "NetBSD"
            self.msg("RCS_MISSING", 0, 0, f"({system})")
        if meta.arch is not None and not self.arch_valid(meta.arch):
            self.report_arch(root, meta.arch)

        # The document should begin with a section header.
        first: Node | None = None
        for c in root.children:
            macro = MACROS.get(c.tok)
            if c.type is COMMENT or (
                c.type is not TEXT and macro is not None and macro.flags & F.PROLOGUE
            ):
                continue
            first = c
            break
        if first is None:
            self.msg("DOC_EMPTY", 0, 0)
        elif first.tok != "Sh":
            self.msg("SEC_BEFORE", first.line, first.pos, _name(first))

    def arch_valid(self, arch: str) -> bool:
        if self.os_e == OS_OPENBSD:
            return arch in OPENBSD_ARCHITECTURES
        if self.os_e == OS_NETBSD:
            return arch in NETBSD_ARCHITECTURES
        return True

    def report_arch(self, root: Node, arch: str) -> None:
        for c in root.children:
            if c.tok == "Dt" and len(c.children) >= 3:
                a = c.children[2]
                family = "OpenBSD" if self.os_e == OS_OPENBSD else "NetBSD"
                self.msg("ARCH_BAD", a.line, a.pos, f"Dt ... {arch} ({family})")
                return

    # ------------------------------------------------------------------
    # Sections

    def post_sh(self, n: Node) -> None:
        self.post_section(n)
        if n.type is HEAD:
            self.post_sh_head(n)
        elif n.type is BODY:
            if self.lastsec is Sec.NAME:
                self.post_sh_name(n)
            elif self.lastsec is Sec.SEE_ALSO:
                self.post_sh_see_also(n)
            elif self.lastsec is Sec.AUTHORS:
                self.post_sh_authors(n)

    def post_section(self, n: Node) -> None:
        if n.type is BLOCK:
            self.post_prevpar(n)
            return
        if n.type is HEAD:
            self.tags.put_heading(n)
            self.post_delim(n)
            self.post_hyph(n)
            return
        if n.type is not BODY:
            return
        nch = n.first
        if nch is not None and nch.tok in ("Pp", "br", "sp") and nch.type is ELEM:
            self.msg("PAR_SKIP", nch.line, nch.pos, f"{nch.tok} after {n.tok}")
            self.delete(nch)
        nch = n.last
        if nch is not None and nch.tok in ("Pp", "br") and nch.type is ELEM:
            self.msg("PAR_SKIP", nch.line, nch.pos, f"{nch.tok} at the end of {n.tok}")
            self.delete(nch)

    def post_sh_head(self, n: Node) -> None:
        sec = n.sec
        if sec is not Sec.NAME and self.lastnamed is Sec.NONE:
            if sec is not Sec.CUSTOM:
                what = SECNAMES.get(sec, "")
            else:
                nch = n.first
                what = "" if nch is None else nch.string if nch.type is TEXT else nch.tok
            self.msg("NAMESEC_FIRST", n.line, n.pos, f"Sh {what}")

        self.synopsis = sec is Sec.SYNOPSIS
        if sec is Sec.DESCRIPTION:
            self.fn_prio = TAG_STRONG
        self.lastsec = sec

        if sec is Sec.CUSTOM:
            nch = n.first
            if nch is None or nch.type is not TEXT or self.next_of(nch) is not None:
                return
            best: str | None = None
            mindist: int | None = None
            for name in SECNAMES.values():
                dist = similar(nch.string, name)
                if dist is not None and (mindist is None or dist < mindist):
                    best, mindist = name, dist
            if best is not None:
                self.msg("SEC_TYPO", nch.line, nch.pos, f"Sh {nch.string} instead of {best}")
            return

        if sec == self.lastnamed:
            self.msg("SEC_REP", n.line, n.pos, f"Sh {SECNAMES.get(sec, '')}")
        if sec < self.lastnamed:
            self.msg("SEC_ORDER", n.line, n.pos, f"Sh {SECNAMES.get(sec, '')}")
        self.lastnamed = sec

        msec = self.meta.msec
        if msec is None:
            return
        first = msec[:1]
        goodsec: str | None = None
        if sec is Sec.ERRORS:
            if first == "4":
                return
            goodsec = "2, 3, 4, 9"
        if sec in (Sec.ERRORS, Sec.RETURN_VALUES, Sec.LIBRARY):
            if first in ("2", "3"):
                return
            goodsec = goodsec or "2, 3, 9"
        if sec in (Sec.ERRORS, Sec.RETURN_VALUES, Sec.LIBRARY, Sec.CONTEXT):
            if first == "9":
                return
            goodsec = goodsec or "9"
            self.msg("SEC_MSEC", n.line, n.pos, f"Sh {SECNAMES[sec]} for {goodsec} only")

    def post_sh_name(self, body: Node) -> None:
        hasnm = hasnd = False
        children = body.children
        i = 0
        while i < len(children):
            n = children[i]
            i += 1
            if n.tok == "Nm" and n.type is not TEXT:
                if hasnm and n.first is not None:
                    self.msg("NAMESEC_PUNCT", n.line, n.pos, f"Nm {n.first.string}")
                hasnm = True
                continue
            if n.tok == "Nd" and n.type is not TEXT:
                hasnd = True
                if self.next_of(n) is not None:
                    self.msg("NAMESEC_ND", n.line, n.pos)
                break
            if (
                n.type is TEXT
                and n.string == ","
                and i < len(children)
                and children[i].tok == "Nm"
            ):
                i += 1
                continue
            self.msg("NAMESEC_BAD", n.line, n.pos, _name(n))
        if not hasnm:
            self.msg("NAMESEC_NONM", body.line, body.pos)
        if not hasnd:
            self.msg("NAMESEC_NOND", body.line, body.pos)

    def post_sh_see_also(self, body: Node) -> None:
        n = body.first
        lastname = lastsec = lastpunct = ""
        have_last = False
        while n is not None:
            if n.tok != "Xr" or len(n.children) < 2:
                break
            name = n.children[0].string
            sec = n.children[1].string
            if have_last:
                if lastpunct != ",":
                    self.msg("XR_PUNCT", n.line, n.pos, f"{lastpunct} before {name}({sec})")
                if lastsec > sec:
                    self.msg(
                        "XR_ORDER", n.line, n.pos, f"{name}({sec}) after {lastname}({lastsec})"
                    )
                elif lastsec == sec and _strcasecmp(lastname, name) > 0:
                    self.msg("XR_ORDER", n.line, n.pos, f"{name} after {lastname}")
            lastname, lastsec, have_last = name, sec, True

            n = self.next_of(n)
            if n is None:
                break
            if n.tok == "Xr":
                lastpunct = "none"
                continue
            if n.type is not TEXT:
                break
            if any(_isalpha(c) for c in n.string):
                return
            lastpunct = n.string
            after = self.next_of(n)
            if after is None or after.tok == "Rs":
                self.msg("XR_PUNCT", n.line, n.pos, f"{lastpunct} after {lastname}({lastsec})")
            n = after

    def post_sh_authors(self, body: Node) -> None:
        if not _child_an(body):
            self.msg("AN_MISSING", body.line, body.pos)

    # ------------------------------------------------------------------
    # Paragraphs and breaks

    def post_prevpar(self, n: Node) -> None:
        """No paragraph break right before a paragraph-like block."""
        if n.type not in (ELEM, BLOCK):
            return
        np = self.node_prev(n)
        if np is None or np.tok not in ("Pp", "br") or np.type is TEXT:
            return
        norm = n.norm
        if n.tok in ("Bl", "Bd") and norm is not None and norm.compact:
            return
        parent_norm = n.parent.norm if n.parent is not None else None
        if n.tok == "It" and parent_norm is not None and parent_norm.compact:
            return
        self.msg("PAR_SKIP", np.line, np.pos, f"{np.tok} before {n.tok}")
        self.delete(np)

    def post_par(self, n: Node) -> None:
        self.fn_prio = TAG_STRONG
        self.post_prevpar(n)
        if n.first is not None:
            self.msg("ARG_SKIP", n.line, n.pos, f"{n.tok} {n.first.string}")

    def roff_br(self, n: Node) -> None:
        nx = self.next_of(n)
        if nx is not None and nx.type is TEXT and nx.string.startswith(" "):
            self.msg("PAR_SKIP", n.line, n.pos, "br before text line with leading blank")
            self.delete(n)
            return
        np = self.node_prev(n)
        if np is not None and np.type is not TEXT and np.tok in ("br", "sp", "Pp"):
            self.msg("PAR_SKIP", n.line, n.pos, f"br after {np.tok}")
            self.delete(n)

    def roff_sp(self, n: Node) -> None:
        np = self.node_prev(n)
        if np is None or np.type is TEXT:
            return
        if np.tok == "br":
            self.msg("PAR_SKIP", np.line, np.pos, "br before sp")
            self.delete(np)
        elif np.tok == "Pp":
            self.msg("PAR_SKIP", n.line, n.pos, "sp after Pp")
            self.delete(n)

    def roff_ft(self, n: Node) -> None:
        if n.first is None:
            self.child_next = True
            self.word(n.line, n.pos, "P", Flag.NONE)
            self.last = n
            return
        s = n.first.string
        if valid_font(s):
            return
        self.msg("FT_BAD", n.line, n.pos, f"ft {s}")
        self.delete(n)

    # ------------------------------------------------------------------
    # Lists

    def post_bl(self, n: Node) -> None:
        if n.type is BLOCK:
            self.post_bl_block(n)
        elif n.type is HEAD:
            self.post_bl_head(n)
        elif n.type is BODY and n.end is ENDBODY_NOT:
            self.post_bl_body(n)

    def post_bl_norm(self, head: Node) -> None:
        """Settle the list type, width and offset from the arguments."""
        bl = head.parent
        norm = head.norm
        if bl is None or norm is None:
            return
        norm.list_type = None
        norm.width = norm.offset = None
        norm.compact = False
        args = bl.args or []
        wa = args[0] if args else None
        ltarg: str | None = None
        for a in args:
            if a.name == "compact":
                if norm.compact:
                    self.msg("ARG_REP", a.line, a.pos, "Bl -compact")
                norm.compact = True
                continue
            if a.name == "width":
                wa = a
                if not a.values:
                    self.msg("ARG_EMPTY", a.line, a.pos, "Bl -width")
                    norm.width = "0n"
                    continue
                if norm.width is not None:
                    self.msg("ARG_REP", a.line, a.pos, f"Bl -width {a.values[0]}")
                a.values[0] = macro2len(a.values[0])
                norm.width = a.values[0]
                continue
            if a.name == "offset":
                if not a.values:
                    self.msg("ARG_EMPTY", a.line, a.pos, "Bl -offset")
                    continue
                if norm.offset is not None:
                    self.msg("ARG_REP", a.line, a.pos, f"Bl -offset {a.values[0]}")
                a.values[0] = macro2len(a.values[0])
                norm.offset = a.values[0]
                continue
            if a.name not in LIST_TYPES:
                continue
            ltarg = a.name
            if norm.list_type is not None:
                self.msg("BL_REP", bl.line, bl.pos, f"Bl -{a.name}")
                continue
            # The list type should come first.
            if norm.width is not None or norm.offset is not None or norm.compact:
                self.msg("BL_LATETYPE", bl.line, bl.pos, f"Bl -{args[0].name}")
            norm.list_type = a.name
            if a.name == "column":
                norm.columns = a.values
                norm.count = len(a.values)

        if norm.list_type is None:
            self.msg("BL_NOTYPE", bl.line, bl.pos, "Bl")
            norm.list_type = "item"
            ltarg = "item"

        lt = norm.list_type
        if lt == "tag":
            if norm.width is None:
                self.msg("BL_NOWIDTH", bl.line, bl.pos, "Bl -tag")
        elif lt in ("column", "diag", "ohang", "inset", "item"):
            if norm.width is not None and wa is not None:
                self.msg("BL_SKIPW", wa.line, wa.pos, f"Bl -{ltarg}")
            norm.width = None
        elif lt in ("bullet", "dash", "hyphen"):
            if norm.width is None:
                norm.width = "2n"
        elif lt == "enum" and norm.width is None:
            norm.width = "3n"

    def post_bl_head(self, head: Node) -> None:
        self.post_bl_norm(head)
        norm = head.norm
        if norm is None:
            return
        if norm.list_type != "column":
            nch = head.first
            if nch is None:
                return
            self.msg("ARG_EXCESS", nch.line, nch.pos, f"Bl ... {nch.string}")
            while head.children:
                self.delete(head.children[0])
            return

        # Old-style column lists give the widths as words after the
        # arguments: they become values of -column.
        if not head.children:
            return
        bl = head.parent
        col = next((a for a in (bl.args or ()) if a.name == "column"), None) if bl else None
        if col is None:
            return
        col.values.extend(c.string for c in head.children)
        norm.columns = col.values
        norm.count = len(col.values)
        for c in list(head.children):
            c.unlink()

    def post_bl_block(self, n: Node) -> None:
        self.post_prevpar(n)
        body = n.body_node
        norm = n.norm
        if body is None:
            return
        for ni in list(body.children):
            if ni.parent is not body:
                continue
            ibody = ni.body_node if ni.type is BLOCK else None
            if ibody is None:
                continue
            nc = ibody.last
            while nc is not None and nc.tok in ("Pp", "br") and nc.type is ELEM:
                if self.next_of(ni) is None:
                    self.msg("PAR_MOVE", nc.line, nc.pos, nc.tok)
                    self.relink(nc)
                elif norm is not None and not norm.compact and norm.list_type != "column":
                    self.msg("PAR_SKIP", nc.line, nc.pos, f"{nc.tok} before It")
                    self.delete(nc)
                else:
                    break
                nc = ibody.last

    def post_bl_body(self, nbody: Node) -> None:
        # Up to the first item, move nodes out in front of the list, but
        # leave transparent nodes in place if they precede an item.
        nchild: Node | None = nbody
        while True:
            if nchild is self.last:
                nchild = self.node_child(nbody)
            if nchild is None:
                self.last = nbody
                self.msg("BLK_EMPTY", nbody.line, nbody.pos, "Bl")
                return
            if nchild.tok == "It":
                self.last = nbody
                break
            moved = nbody.first
            assert moved is not None
            self.msg("BL_MOVE", moved.line, moved.pos, _name(moved))
            block = nbody.parent
            assert block is not None
            prev = self.prev_of(block)
            if prev is None:
                assert block.parent is not None
                self.last = block.parent
                self.child_next = True
            else:
                self.last = prev
                self.child_next = False
            self.relink(moved)

        # Column lists may have rows without .It; roff nodes after them
        # are wrapped into an implicit row.
        while nchild is not None:
            if nchild.tok == "It":
                nchild = self.node_next(nchild)
                continue
            before = self.prev_of(nchild)
            if nchild.parent is not nbody or before is None:
                break
            nnext = self.next_of(nchild)
            self.last = before
            self.child_next = False
            self.block(BLOCK, nchild.line, nchild.pos, "It")
            self.block(HEAD, nchild.line, nchild.pos, "It")
            self.child_next = False
            self.block(BODY, nchild.line, nchild.pos, "It")
            while nchild.tok != "It":
                self.relink(nchild)
                if nnext is None:
                    break
                nchild = nnext
                nnext = self.next_of(nchild)
                self.child_next = False
            self.last = nbody
            if nnext is None:
                break

        if self.os_e != OS_NETBSD:
            return
        prev_er: str | None = None
        for item in nbody.children:
            if item.tok != "It" or item.type is TEXT:
                continue
            head = item.head
            nn = head.first if head is not None else None
            if nn is None:
                continue
            if nn.type is BLOCK:
                b = nn.body_node
                nn = b.first if b is not None else None
            if nn is None or nn.tok != "Er" or nn.first is None:
                continue
            er = nn.first
            if prev_er is not None:
                if prev_er > er.string:
                    self.msg("ER_ORDER", er.line, er.pos, f"Er {prev_er} {er.string} (NetBSD)")
                elif prev_er == er.string:
                    self.msg("ER_REP", er.line, er.pos, f"Er {prev_er} (NetBSD)")
            prev_er = er.string

    def post_it(self, nit: Node) -> None:
        self.post_prevpar(nit)
        if nit.type is not BLOCK:
            return
        nbl = nit.parent.parent if nit.parent is not None else None
        if nbl is None or nbl.norm is None:
            return
        lt = nbl.norm.list_type
        first_arg = nbl.args[0].name if nbl.args else "item"
        head = nit.head
        if lt in ("tag", "hang", "ohang", "inset", "diag"):
            if head is None or not head.children:
                self.msg("IT_NOHEAD", nit.line, nit.pos, f"Bl -{first_arg} It")
        elif lt in ("bullet", "dash", "enum", "hyphen", "item"):
            if lt != "item":
                body = nit.body_node
                if body is None or not body.children:
                    self.msg("IT_NOBODY", nit.line, nit.pos, f"Bl -{first_arg} It")
            nch = head.first if head is not None else None
            if nch is not None:
                what = nch.string if nch.type is TEXT else nch.tok
                self.msg("ARG_SKIP", nit.line, nit.pos, f"It {what}")
        elif lt == "column":
            self.post_it_column(nit, nbl.norm.count)

    def post_it_column(self, nit: Node, cols: int) -> None:
        head = nit.head
        after = self.next_of(head) if head is not None else None
        if after is None or (not after.children and self.next_of(after) is None):
            self.msg("MACRO_EMPTY", nit.line, nit.pos, "It")
            self.delete(nit)
            return
        cells = 0
        for nch in nit.children:
            if nch.type is not BODY:
                continue
            if cells and nch.flags & Flag.LINE:
                self.msg("TA_LINE", nch.line, nch.pos, "Ta")
            cells += 1
        if cells < cols or cells > cols + 1:
            self.msg("BL_COL", nit.line, nit.pos, f"{cols} columns, {cells} cells")
        elif after.first is not None and after.first.flags & Flag.LINE:
            self.msg("IT_NOARG", nit.line, nit.pos, "Bl -column It")

    # ------------------------------------------------------------------
    # Displays and other blocks

    def post_display(self, n: Node) -> None:
        if n.type is BODY:
            if n.end is not ENDBODY_NOT:
                body = n.body
                if (
                    n.tok == "Bd"
                    and body is not None
                    and body.parent is not None
                    and body.parent.args is None
                ):
                    self.delete(n)
            elif not n.children:
                self.msg("BLK_EMPTY", n.line, n.pos, n.tok)
            elif n.tok == "D1":
                self.post_hyph(n)
            return
        if n.type is not BLOCK:
            return
        if n.tok == "Bd":
            if n.args is None:
                self.msg("BD_NOARG", n.line, n.pos, "Bd")
                self.child_next = False
                body = n.body_node
                while body is not None and body.children:
                    self.relink(body.children[0])
                self.delete(n)
                return
            self.post_bd(n)
            self.post_prevpar(n)
        np = n.parent
        while np is not None:
            if np.type is BLOCK and np.tok == "Bd":
                self.msg("BD_NEST", n.line, n.pos, f"{n.tok} in Bd")
                break
            np = np.parent

    def post_bd(self, n: Node) -> None:
        norm = n.norm
        if norm is None:
            return
        norm.display = None
        for a in n.args or ():
            if a.name == "file":
                self.msg("BD_FILE", n.line, n.pos)
            elif a.name == "offset":
                if not a.values:
                    self.msg("ARG_EMPTY", a.line, a.pos, "Bd -offset")
                    continue
                if norm.offset is not None:
                    self.msg("ARG_REP", a.line, a.pos, f"Bd -offset {a.values[0]}")
                a.values[0] = macro2len(a.values[0])
                norm.offset = a.values[0]
            elif a.name == "compact":
                if norm.compact:
                    self.msg("ARG_REP", a.line, a.pos, "Bd -compact")
                norm.compact = True
            elif a.name in DISPLAY_TYPES:
                if norm.display is None:
                    norm.display = a.name
                else:
                    self.msg("BD_REP", n.line, n.pos, f"Bd -{a.name}")
        if norm.display is None:
            self.msg("BD_NOTYPE", n.line, n.pos, "Bd")
            norm.display = "ragged"

    def post_bf(self, head: Node) -> None:
        if head.type is not HEAD or head.parent is None:
            return
        bf = head.parent
        norm = head.norm
        nch = head.first
        if bf.args is None:
            if nch is None:
                self.msg("BF_NOFONT", head.line, head.pos, "Bf")
                return
            nch = self.next_of(nch)
        if nch is not None:
            self.msg("ARG_EXCESS", nch.line, nch.pos, f"Bf ... {nch.string}")
        if bf.args:
            font = {"emphasis": "Em", "literal": "Li", "symbolic": "Sy"}.get(bf.args[0].name)
            if norm is not None:
                norm.font = font
            return
        first = head.first
        assert first is not None
        if first.string in ("Em", "Li", "Sy"):
            if norm is not None:
                norm.font = first.string
        else:
            self.msg("BF_BADFONT", first.line, first.pos, f"Bf {first.string}")

    def post_bk(self, n: Node) -> None:
        if n.type is BLOCK:
            body = n.body_node
            if body is None or not body.children:
                self.msg("BLK_EMPTY", n.line, n.pos, "Bk")
                self.delete(n)

    def post_rs(self, n: Node) -> None:
        if n.type is not BODY:
            return
        if not n.children:
            self.msg("RS_EMPTY", n.line, n.pos, "Rs")
            return
        # An insertion sort into the conventional order of the fields;
        # anything else sorts first.
        kids = n.children
        for k in range(1, len(kids)):
            nch = kids[k]
            order = RS_ORDER.get(nch.tok, -1) if nch.type is not TEXT else -1
            if order < 0:
                self.msg("RS_BAD", nch.line, nch.pos, _name(nch))
            j = k - 1
            while j >= 0:
                p = kids[j]
                porder = RS_ORDER.get(p.tok, -1) if p.type is not TEXT else -1
                if porder <= order:
                    break
                j -= 1
            del kids[k]
            kids.insert(j + 1, nch)

    # ------------------------------------------------------------------
    # In-line macros with generated text

    def post_nm(self, n: Node) -> None:
        meta = self.meta
        first = n.first
        if (
            n.sec is Sec.NAME
            and first is not None
            and first.type is TEXT
            and meta.msec is not None
        ):
            self.xr_add(meta.msec, first.string, -1)
        if n.last is not None and n.last.tok == "Pp" and n.last.type is ELEM:
            self.relink(n.last)
        if meta.name is None:
            meta.name = deroff(n)
        if meta.name is None or (self.lastsec is Sec.NAME and n.first is None):
            self.msg("NM_NONAME", n.line, n.pos, "Nm")
        cur = self.last
        if n.type is ELEM:
            self.post_delim_nb(cur)
        elif n.type is HEAD:
            self.post_delim(cur)
        else:
            return
        first = n.first
        if (first is not None and first.type is TEXT) or meta.name is None:
            return
        self.child_next = True
        self.word(n.line, n.pos, meta.name)
        self.last = n

    def post_nd(self, n: Node) -> None:
        if n.type is not BODY:
            return
        if n.sec is not Sec.NAME:
            self.msg("ND_LATE", n.line, n.pos, "Nd")
        if not n.children:
            self.msg("ND_EMPTY", n.line, n.pos, "Nd")
        else:
            self.post_delim(n)
        self.post_hyph(n)

    def post_std(self, n: Node) -> None:
        self.post_delim(n)
        if n.args and len(n.args) == 1 and n.args[0].name == "std":
            return
        self.msg("ARG_STD", n.line, n.pos, n.tok)

    def build_list(self, tok: str) -> int:
        """Wrap each argument into ``tok``, joined with commas and "and"."""
        cur = self.next_of(self.last)
        count = 1
        while cur is not None:
            self.elem(cur.line, cur.pos, tok)
            self.relink(cur)
            el = self.last.parent
            assert el is not None
            self.last = el
            self.child_next = False
            after = self.next_of(el)
            if after is None:
                return count
            if count > 1 or self.next_of(after) is not None:
                self.word(el.line, el.pos, ",", Flag.DELIMC | Flag.NOSRC)
            cur = self.next_of(self.last)
            assert cur is not None
            if self.next_of(cur) is None:
                self.word(cur.line, cur.pos, "and")
            count += 1
        return count

    def post_ex(self, n: Node) -> None:
        self.post_std(n)
        self.child_next = True
        the = self.word(n.line, n.pos, "The")
        if self.next_of(the) is not None:
            count = self.build_list("Nm")
        elif self.meta.name is not None:
            self.elem(n.line, n.pos, "Nm")
            self.word(n.line, n.pos, self.meta.name)
            assert self.last.parent is not None
            self.last = self.last.parent
            self.child_next = False
            count = 1
        else:
            self.msg("EX_NONAME", n.line, n.pos, "Ex")
            count = 0
        self.word(n.line, n.pos, "utilities exit\\~0" if count > 1 else "utility exits\\~0")
        self.word(n.line, n.pos, "on success, and\\~>0 if an error occurs.", Flag.EOS | Flag.NOSRC)
        self.last = n

    def post_rv(self, n: Node) -> None:
        self.post_std(n)
        self.child_next = True
        if n.children:
            self.word(n.line, n.pos, "The")
            count = self.build_list("Fn")
            self.word(n.line, n.pos, "functions return" if count > 1 else "function returns")
            self.word(n.line, n.pos, "the value\\~0 if successful;")
        else:
            self.word(n.line, n.pos, "Upon successful completion, the value\\~0 is returned;")
        self.word(n.line, n.pos, "otherwise the value\\~\\-1 is returned and the global variable")
        va = self.elem(n.line, n.pos, "Va")
        self.word(n.line, n.pos, "errno")
        self.last = va
        self.child_next = False
        self.word(n.line, n.pos, "is set to indicate the error.", Flag.EOS | Flag.NOSRC)
        self.last = n

    def post_lb(self, n: Node) -> None:
        self.post_delim_nb(n)
        nch = n.first
        if nch is None or nch.type is not TEXT:
            return
        self.child_next = True
        lib = LIBRARIES.get(nch.string)
        if lib is not None:
            nch.flags |= Flag.NOPRT
            self.word(n.line, n.pos, lib).flags = Flag.NOSRC
            self.last = n
            return
        self.msg("LB_BAD", nch.line, nch.pos, f"Lb {nch.string}")
        self.word(n.line, n.pos, "library").flags = Flag.NOSRC
        self.word(n.line, n.pos, "\\(lq").flags = Flag.DELIMO | Flag.NOSRC
        nxt = self.next_of(self.last)
        if nxt is not None:
            self.last = nxt
        self.word(n.line, n.pos, "\\(rq").flags = Flag.DELIMC | Flag.NOSRC
        self.last = n

    def post_st(self, n: Node) -> None:
        nch = n.first
        if nch is None or nch.type is not TEXT:
            return
        text = STANDARDS.get(nch.string)
        if text is None:
            self.msg("ST_BAD", nch.line, nch.pos, f"St {nch.string}")
            self.delete(n)
            return
        nch.flags |= Flag.NOPRT
        self.child_next = True
        self.word(nch.line, nch.pos, text)
        self.last = n

    def post_at(self, n: Node) -> None:
        nch = n.first
        att: str | None = None
        if nch is not None:
            att = ATT_VERSIONS.get(nch.string) if nch.type is TEXT else None
            if att is None:
                self.msg("AT_BAD", nch.line, nch.pos, f"At {nch.string}")
        self.child_next = True
        if att is not None and nch is not None:
            self.word(nch.line, nch.pos, att)
            nch.flags |= Flag.NOPRT
        else:
            self.word(n.line, n.pos, "AT&T UNIX")
        self.last = n

    def post_xx(self, n: Node) -> None:
        self.post_delim_nb(n)
        os = {
            "Bsx": "BSD/OS",
            "Dx": "DragonFly",
            "Fx": "FreeBSD",
            "Nx": "NetBSD",
            "Ox": "OpenBSD",
            "Ux": "UNIX",
        }[n.tok]
        nch = n.first
        if n.tok == "Nx" and nch is not None and _netbsd_version(nch.string):
            # Old NetBSD releases are written with an upper case letter.
            v = nch.string
            nch.flags |= Flag.NOPRT
            self.child_next = True
            self.word(nch.line, nch.pos, v[:3] + v[3].upper())
            self.last = n
        self.child_next = True
        self.word(n.line, n.pos, os)
        self.last = n

    def post_bx(self, n: Node) -> None:
        self.post_delim_nb(n)
        nch = n.first
        if nch is not None:
            macro = {"Open": "Ox", "Net": "Nx", "Free": "Fx", "DragonFly": "Dx"}.get(nch.string)
            if macro is not None:
                self.msg("BX", n.line, n.pos, macro)
            self.last = nch
            nch = self.next_of(nch)
            self.child_next = False
            self.elem(n.line, n.pos, "Ns")
            self.child_next = False
        else:
            self.child_next = True
        self.word(n.line, n.pos, "BSD")
        if nch is None:
            self.last = n
            return
        self.elem(n.line, n.pos, "Ns")
        self.child_next = False
        self.word(n.line, n.pos, "-")
        self.elem(n.line, n.pos, "Ns")
        self.last = n
        # The version always starts with a capital, whatever the input.
        if nch.string:
            nch.string = _ascii_upper(nch.string[0]) + nch.string[1:]

    # ------------------------------------------------------------------
    # Links: only safe schemes become links (safe.py); the writers show
    # the others as text, and this says so at the page line.

    def post_lk(self, n: Node) -> None:
        self.post_delim_nb(n)
        self.post_url(n)

    def post_url(self, n: Node) -> None:
        """``.Lk`` and ``%U``: the first argument is the URL."""
        url = next((c for c in n.children if c.type is TEXT), None)
        if url is not None and not safe_url(render(url.string)):
            self.msg("URL_UNSAFE", url.line, url.pos, url.string or '""')

    def post_mt(self, n: Node) -> None:
        for c in n.children:
            if c.type is TEXT and not safe_mail(render(c.string)):
                self.msg("URL_UNSAFE", c.line, c.pos, f"mailto:{c.string}")
        self.post_defaults(n)

    def post_defaults(self, n: Node) -> None:
        if n.children:
            self.post_delim_nb(n)
            return
        self.child_next = True
        if n.tok == "Ar":
            self.word(n.line, n.pos, "file")
            self.word(n.line, n.pos, "...")
        else:
            self.word(n.line, n.pos, "~")
        self.last = n

    def post_eoln(self, n: Node) -> None:
        self.post_useless(n)
        if n.first is not None:
            self.msg("ARG_SKIP", n.line, n.pos, f"{n.tok} {n.first.string}")
        while n.children:
            self.delete(n.children[0])
        text = "is currently in beta test." if n.tok == "Bt" else "currently under development."
        self.word(n.line, n.pos, text, Flag.EOS | Flag.NOSRC)
        self.last = n

    # ------------------------------------------------------------------
    # Other in-line macros

    def post_an(self, n: Node) -> None:
        norm = n.norm
        args = n.args or []
        for a in args[1:]:
            self.msg("AN_REP", a.line, a.pos, f"An -{a.name}")
        split: bool | None = None
        if args:
            split = args[0].name == "split"
            if norm is not None:
                norm.split = split
        nch = n.first
        if split is None:
            if nch is None:
                self.msg("MACRO_EMPTY", n.line, n.pos, "An")
            else:
                self.post_delim_nb(n)
        elif nch is not None:
            self.msg("ARG_EXCESS", nch.line, nch.pos, f"An ... {nch.string}")

    def post_tag(self, n: Node) -> None:
        """Tag a term at the start of a list item."""
        prev = self.prev_of(n)
        parent = n.parent
        if (
            (prev is None or (prev.type is TEXT and prev.string == "|"))
            and parent is not None
            and (parent.tok == "It" or (parent.tok == "Xo" and _xo_starts_item(parent)))
        ):
            self.tags.put(None, TAG_STRONG, n)
        self.post_delim_nb(n)

    def post_em(self, n: Node) -> None:
        self.post_tag(n)
        self.tags.put(None, TAG_FALLBACK, n)

    def post_er(self, n: Node) -> None:
        parent = n.parent
        if (
            n.sec is Sec.ERRORS
            and parent is not None
            and (
                parent.tok == "It"
                or (
                    parent.tok == "Bq"
                    and parent.parent is not None
                    and parent.parent.parent is not None
                    and parent.parent.parent.tok == "It"
                )
            )
        ):
            self.tags.put(None, TAG_STRONG, n)
        self.post_delim_nb(n)

    def post_fl(self, n: Node) -> None:
        # ".Fl Fl long" becomes ".Fl \-long".
        prev = self.prev_of(n)
        first = n.first
        if (
            prev is not None
            and prev.tok == "Fl"
            and prev.type is not TEXT
            and not prev.children
            and first is not None
            and not n.flags & Flag.LINE
        ):
            first.string = "\\-" + first.string
            self.delete(prev)
        self.post_tag(n)

    def post_fname(self, n: Node) -> None:
        nch = n.first
        if nch is None:
            return
        cp = nch.string
        if cp.startswith("("):
            if len(cp) > 1 and cp[-1] == ")":
                return
            pos = 0
        else:
            pos = next((i for i, c in enumerate(cp) if c in "()"), -1)
            if pos < 0:
                if n.sec in (Sec.DESCRIPTION, Sec.CUSTOM):
                    self.tags.put(None, self.fn_prio, n)
                    self.fn_prio += 1
                return
        self.msg("FN_PAREN", nch.line, nch.pos + pos, cp)

    def post_fn(self, n: Node) -> None:
        self.post_fname(n)
        self.post_fa(n)

    def post_fo(self, n: Node) -> None:
        if n.type is not HEAD:
            return
        if not n.children:
            self.msg("FO_NOHEAD", n.line, n.pos, "Fo")
            return
        if len(n.children) > 1:
            extra = n.children[1]
            self.msg("ARG_EXCESS", extra.line, extra.pos, f"Fo ... {extra.string}")
            while len(n.children) > 1:
                self.delete(n.children[-1])
        else:
            self.post_delim(n)
        self.post_fname(n)

    def post_fa(self, n: Node) -> None:
        for c in n.children:
            if c.type is not TEXT:
                continue
            for i, ch in enumerate(c.string):
                if ch in "({":
                    break  # callbacks and alterations
                if ch == ",":
                    self.msg("FA_COMMA", c.line, c.pos + i, c.string)
                    break
        self.post_delim_nb(n)

    def post_xr(self, n: Node) -> None:
        nch = n.first
        if nch is not None:
            sec = self.next_of(nch)
            if sec is None:
                self.msg("XR_NOSEC", n.line, n.pos, f"Xr {nch.string}")
            elif self.xr_add(sec.string, nch.string, nch.line):
                self.msg("XR_SELF", nch.line, nch.pos, f"Xr {nch.string} {sec.string}")
        self.post_delim_nb(n)

    def xr_add(self, sec: str, name: str, line: int) -> bool:
        """Record a reference; true when it refers to the page itself."""
        key = (sec, name)
        old = self.xrs.get(key)
        if old is None:
            self.xrs[key] = line
            return False
        if line == -1:
            self.xrs[key] = -1
        return (old == -1) != (line == -1)

    def post_ns(self, n: Node) -> None:
        nx = self.next_of(n)
        if n.flags & Flag.LINE or (nx is not None and nx.flags & Flag.DELIMC):
            self.msg("NS_SKIP", n.line, n.pos)

    def post_sx(self, n: Node) -> None:
        self.post_delim(n)
        self.post_hyph(n)

    def post_sm(self, n: Node) -> None:
        nch = n.first
        if nch is None or nch.string in ("on", "off"):
            return
        self.msg("SM_BAD", nch.line, nch.pos, f"{n.tok} {nch.string}")
        self.relink(nch)

    def post_hyph(self, n: Node) -> None:
        """Hyphens between letters may break lines: mark them so."""
        for c in n.children:
            if c.type is not TEXT or not c.string:
                continue
            chars = list(c.string)
            for i in range(1, len(chars) - 1):
                if chars[i] == "-" and _isalpha(chars[i - 1]) and _isalpha(chars[i + 1]):
                    if n.tag is None and n.flags & Flag.ID:
                        n.tag = "".join(chars)
                    chars[i] = "\x1e"
            c.string = "".join(chars)

    def post_useless(self, n: Node) -> None:
        self.msg("MACRO_USELESS", n.line, n.pos, n.tok)

    def post_obsolete(self, n: Node) -> None:
        if n.type in (ELEM, BLOCK):
            self.msg("MACRO_OBS", n.line, n.pos, n.tok)

    def post_es(self, n: Node) -> None:
        self.post_obsolete(n)

    def post_en(self, n: Node) -> None:
        self.post_obsolete(n)

    def post_tg(self, n: Node) -> None:
        """``.Tg``: tag the next node, or this one."""
        # The next node, climbing out of the enclosing blocks if needed.
        nn: Node | None = n
        while nn is not None:
            if self.next_of(nn) is not None:
                nn = self.next_of(nn)
                break
            nn = nn.parent
        nch = n.first
        nt = nch
        if nch is None and nn is not None and nn.first is not None and nn.first.type is TEXT:
            nt = nn.first
        if nt is None or nt.string == "":
            self.msg("MACRO_EMPTY", n.line, n.pos, "Tg")
        if nt is None:
            self.delete(n)
            return
        size = next((i for i, c in enumerate(nt.string) if c in " \t\\"), len(nt.string))
        if size < len(nt.string):
            self.msg("TG_SPC", nt.line, nt.pos + size, f"Tg {nt.string}")
        extra = self.next_of(nch) if nch is not None else None
        if nch is not None and extra is not None:
            self.msg("ARG_EXCESS", extra.line, extra.pos, f"Tg ... {extra.string}")
            del_from = self._index_of(nch) + 1
            parent = nch.parent
            while parent is not None and len(parent.children) > del_from:
                self.delete(parent.children[-1])  # from the end: nothing moves
        if size == 0 or size < len(nt.string):
            self.delete(n)
            return

        target = self.tg_target(n, nn)
        self.tags.put(nt.string, TAG_MANUAL, target, child_string=target.first is nt)
        if target is not n:
            n.flags |= Flag.NOPRT

    def tg_target(self, n: Node, nn: Node | None) -> Node:
        """The node that ``.Tg`` tags explicitly."""
        if nn is None or nn.flags & Flag.ID:
            return n
        tok = nn.tok if nn.type is not TEXT else ""
        if tok in ("Sh", "Ss", "Fo"):
            head = nn.head
            return n if head is None or not head.children else head
        if tok == "It":
            np = nn.parent
            while np is not None and np.tok != "Bl":
                np = np.parent
            lt = np.norm.list_type if np is not None and np.norm is not None else None
            if lt == "column":
                return nn
            if lt in ("diag", "hang", "inset", "ohang", "tag"):
                return nn.head or n
            body = nn.body_node
            return n if body is None or not body.children else body
        if tok in ("Bd", "Bl", "D1", "Dl"):
            body = nn.body_node
            return n if body is None or not body.children else body
        if tok == "Pp":
            return nn
        if tok in ("Cm", "Dv", "Em", "Er", "Ev", "Fl", "Fn", "Ic", "Li", "Ms", "No", "Sy"):
            return n if not nn.children else nn
        return n


def macro2len(value: str) -> str:
    """A macro name as a width or offset stands for that macro's default width."""
    if value == "Ds":
        return "6n"
    if value in MACROS:
        return f"{MACRO_WIDTHS.get(value, 0)}n"
    return value


def _delim_arg(n: Node, nch: Node) -> str:
    more = "" if nch is n.first else " ..."
    return f"{n.tok}{more} {nch.string}"


def _list_type(head: Node) -> str | None:
    """The list type of the list an ``.It`` head belongs to."""
    block = head.parent
    bl = block.parent.parent if block is not None and block.parent is not None else None
    if bl is None or bl.norm is None:
        return None
    return bl.norm.list_type


def _xo_starts_item(xo: Node) -> bool:
    """Is this ``.Xo`` body the first thing of an ``.It`` head?"""
    block = xo.parent
    return (
        block is not None
        and block.parent is not None
        and block.parent.children[0] is block
        and block.parent.tok == "It"
    )


def _child_an(n: Node) -> bool:
    for c in n.children:
        if (c.tok == "An" and c.type is not TEXT and c.children) or _child_an(c):
            return True
    return False


def _netbsd_version(v: str) -> bool:
    """Old NetBSD versions like ``1.5a``."""
    return (
        len(v) == 4 and v[0] in "01" and v[1] == "." and "0" <= v[2] <= "9" and "a" <= v[3] <= "z"
    )


def _ascii_lower(s: str) -> str:
    return "".join(c.lower() if c.isascii() else c for c in s)


def _ascii_upper(s: str) -> str:
    return "".join(c.upper() if c.isascii() else c for c in s)


def _strcasecmp(a: str, b: str) -> int:
    x, y = _ascii_lower(a), _ascii_lower(b)
    return (x > y) - (x < y)


def _live_before(dead: Node) -> Node | None:
    """The closest node before the DELETED node ``dead`` that is not deleted.

    Follows the skip references, and points every deleted node passed at
    the answer, so that the next search from any of them is one step.
    """
    live = dead.skip
    while live is not None and live.flags & Flag.DELETED:
        live = live.skip
    x: Node | None = dead
    while x is not None and x.flags & Flag.DELETED and x.skip is not live:
        x.skip, x = live, x.skip
    return live


def _compact(parent: Node) -> None:
    """Drop the DELETED nodes from ``parent``'s children, in one pass."""
    kids = [c for c in parent.children if not c.flags & Flag.DELETED]
    for i, c in enumerate(kids):
        c.hint = i
    parent.children[:] = kids
    parent.flags &= ~Flag.TOMBS


def _filesec(filename: str) -> str:
    """The section digit of a file name like ``ls.1``, as mandoc reads it."""
    k = filename.rfind(".")
    if k >= 0 and k + 1 < len(filename) and "1" <= filename[k + 1] <= "9":
        return filename[k + 1]
    return ""


Validator.handlers = Validator._dispatch()


def validate(root: Node, meta: Meta, report: Reporter) -> None:
    """Validate the parsed tree in place, fill ``meta`` and report findings."""
    Validator(root, meta, report).run()
