"""What the reST writers of both languages share.

Options, atoms (words in one style, or one link, and spacing marks), the
escaping that keeps page text from turning into reST markup, the
formatting of a paragraph (:class:`_Inline`), labels, and the part of the
writer that is no language's own: the page title, block output, word
spacing, the fonts of ``\\f`` escapes.  :mod:`mdoc2rst.writers.rst`
writes mdoc(7) pages, :mod:`mdoc2rst.writers.man` man(7) pages; each
subclasses :class:`PageWriter` with its own per-macro tables.  Names with a
leading underscore are this package's, not the public API.  Neither Sphinx
nor docutils is imported here.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import unicodedata
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from mdoc2rst.eqn.box import Box
from mdoc2rst.eqn.latex import to_latex
from mdoc2rst.eqn.text import to_text
from mdoc2rst.roff.escape import render, runs
from mdoc2rst.safe import one_line, safe_url
from mdoc2rst.tree.identity import Identity, identify
from mdoc2rst.tree.nodes import (
    COMMENT,
    EQN,
    TBL,
    TEXT,
    Document,
    Flag,
    Node,
)
from mdoc2rst.writers.tbl import table_at, write_table

Flavor = Literal["sphinx", "docutils"]


#: Where the manual pages of well-known systems are, for ``.Xr`` links out
#: of a site: ``{name}`` and ``{section}`` are filled in.
XR_PRESETS: Mapping[str, str] = MappingProxyType({
    "freebsd": "https://man.freebsd.org/cgi/man.cgi?query={name}&sektion={section}",
    "openbsd": "https://man.openbsd.org/{name}.{section}",
    "netbsd": "https://man.netbsd.org/{name}.{section}",
    "debian": "https://manpages.debian.org/{name}.{section}",
    "linux": "https://man7.org/linux/man-pages/man{section}/{name}.{section}.html",
})  # fmt: skip


def xr_template(value: str) -> str:
    """A preset's URL template, or ``value`` itself if it is one; ValueError if neither."""
    template = XR_PRESETS.get(value, value)
    try:
        template.format(name="x", section="1")
        if "{name}" not in template:
            raise ValueError("no {name} in it")
    except (KeyError, IndexError, ValueError) as exc:
        raise ValueError(
            f"{value!r} is neither a preset ({', '.join(XR_PRESETS)}) nor a URL with"
            f" {{name}} and {{section}} only ({type(exc).__name__}: {exc})"
        ) from None
    return template


@dataclass(frozen=True)
class RstOptions:
    """How to write a page; one value per page, nothing global."""

    flavor: Flavor = "sphinx"
    #: External link for ``.Xr name section``; ``{name}`` and ``{section}`` are filled in.
    xr_url: str = "https://man.freebsd.org/cgi/man.cgi?query={name}&sektion={section}"
    #: (name, section) -> Sphinx docname of a page of the same site.
    local_pages: Mapping[tuple[str, str], str] = field(
        default_factory=lambda: MappingProxyType({})
    )
    #: Prefix of the labels; default ``<name>.<section>`` from the prologue.
    page_id: str | None = None
    #: Which page this is (title, aliases); default: from the document.
    identity: Identity | None = None
    #: Sphinx flavour, in the extension: ``.Xr`` as the ``:mdoc:xr:`` role,
    #: which the extension resolves (pages, aliases, intersphinx, external).
    xr_role: bool = False
    #: Start the lines that come from a page line with ``\x01LINE\x01``, for
    #: the extension to take them off and know each line's page line.
    line_marks: bool = False
    #: The C names this page declares with an index entry; the others are
    #: declared with ``:no-index:`` (another page of the site owns them).
    #: None: all of the page's own names.
    indexed: frozenset[str] | None = None


# -- atoms --------------------------------------------------------------------

#: "math": LaTeX, for Sphinx's math role (an in-line equation).
Style = Literal["", "strong", "emph", "literal", "math"]


@dataclass(frozen=True, slots=True)
class _Ref:
    """A link: ``kind`` is url, label (an internal target), doc or func."""

    kind: str
    target: str
    title: str | None = None  # Sphinx roles: explicit title, when it differs


@dataclass(slots=True)
class _Word:
    text: str
    style: Style = ""
    ref: _Ref | None = None


class _Mark:
    """Spacing atoms between words."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


SPACE = _Mark("SPACE")
BREAK = _Mark("BREAK")  # a line break inside a paragraph (.br)
NEWLINE = _Mark("NEWLINE")  # an input line ends, in no-fill mode

_Atom = _Word | _Mark

_FONT_STYLE: dict[str, Style] = {
    "B": "strong",
    "BI": "strong",
    "CB": "strong",
    "I": "emph",
    "CI": "emph",
    "CR": "literal",
}

# mandoc's closing and opening delimiters (md_word).
_CLOSERS = frozenset("!),.:;?]")
_OPENERS = frozenset("([")

_WIDTH = 76
#: A token longer than this is cut over several lines (:func:`_cut_long`),
#: and a section title or list term longer than this is not written as one
#: (docutils refuses lines over 10,000 characters, and titles and terms
#: cannot go on over lines).
_LONG = 1000


# -- escaping -----------------------------------------------------------------

# Characters that start or end inline markup anywhere in a line: emphasis,
# literals, roles, references, targets, substitutions; ':' and '@' because
# docutils turns URIs and mail addresses into links by itself.
# Translation tables escape in C: this runs on every word of every page.
_PLAIN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_|:@"})
_EMPH_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*"})
_INTERP_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`<"})
_ENUMERATOR = re.compile(r"(?:[0-9]+|[A-Za-z]|[IVXLCDMivxlcdm]+|#)[.)]")


def _esc_plain(text: str, line_start: bool) -> str:
    # Letters and digits alone need nothing, and most words are just that.
    out = text if text.isalnum() else text.translate(_PLAIN_SPECIAL)
    if line_start and out:
        # At a line start any punctuation may begin a block construct (list,
        # comment, table, option, underline) and 'a.' or '1)' an enumerator.
        if _ENUMERATOR.fullmatch(text):
            out = out[:-1] + "\\" + out[-1]
        elif not out[0].isalnum() and out[0] != "\\":
            out = "\\" + out
        if set(out) == {"\\"}:
            out = "\\ " + out  # a line of backslashes alone reads as a transition
    return out


def escape_text(text: str) -> str:
    """Page text as reST that can only read as that text, wherever it stands."""
    return _esc_plain(one_line(text), True)


def _esc_interp(text: str) -> str:
    return text.translate(_INTERP_SPECIAL)


def _uri(url: str) -> str:
    """A URI safe inside ``<...>``: no blanks, brackets or backslashes, no trailing '_'."""
    url = urllib.parse.quote(url, safe="!#$%&'()*+,-./:;=?@[]^_{|}~")
    return url[:-1] + "%5F" if url.endswith("_") else url


def _width(text: str) -> int:
    """Display columns: wide East Asian characters take two (section underlines)."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


# -- formatting a paragraph ---------------------------------------------------


class _Markup:
    """A piece of a token that is finished reST; plain pieces are ``str``.

    A wrapper rather than a flag on every piece: most pieces are plain words,
    and they then cost no object beyond their text. Not a ``str`` subclass,
    so that the module compiles with mypyc, which cannot subclass ``str``.
    ``text[start:end]`` is the escaped page text inside the markup, where a
    token too long for one line may be cut (:func:`_cut_long`).
    """

    __slots__ = ("end", "start", "text")

    def __init__(self, text: str, start: int = 0, end: int = 0) -> None:
        self.text = text
        self.start = start
        self.end = end


_Piece = str | _Markup  # raw text, or finished reST


def _wrap(open_: str, inner: str, close: str) -> _Markup:
    return _Markup(open_ + inner + close, len(open_), len(open_) + len(inner))


def _cut_long(text: str, spans: list[tuple[int, int]], seps: frozenset[int]) -> list[str]:
    """A token too long for one line, cut into lines joined by escaped newlines.

    reST drops a backslash-escaped newline, in plain text and inside inline
    markup alike, so the token reads as before.  Cuts fall only inside
    ``spans`` (page text, never a markup delimiter or a URI), never inside
    an escape or before a blank, preferably before a letter, a digit or a
    backslash; a line that would start with other punctuation (which could
    read as a section underline) gets it escaped.  Between two pieces of
    markup, the escaped blank that separates them (at ``seps``) becomes the
    escaped newline.  A stretch with no place to cut stays whole.  Linear:
    each stretch of text is scanned once.
    """
    starts = [a for a, _ in spans]
    lines: list[str] = []
    start = 0
    head = ""  # an escape for the first character of the next line
    n = len(text)
    while n - start > _LONG:
        cut = _cut_back(text, start, starts, spans) or _cut_forth(text, start, starts, spans, seps)
        if not cut:
            break
        lines.append(_not_a_rule(head + text[start:cut] + "\\"))
        if cut in seps:
            head, start = "", cut + 2  # the next piece of markup starts the line
            continue
        head = "" if text[cut].isalnum() or text[cut] == "\\" else "\\"
        start = cut
    lines.append(_not_a_rule(head + text[start:]))
    return lines


def _in_text(i: int, starts: list[int], spans: list[tuple[int, int]]) -> bool:
    k = bisect.bisect_right(starts, i - 1) - 1
    return k >= 0 and i < spans[k][1]


def _cut_back(text: str, start: int, starts: list[int], spans: list[tuple[int, int]]) -> int:
    """A cut within _LONG of ``start`` where no backslash is near, else 0.

    Without backslashes every position starts a character, so the search
    goes back from the limit and ends at once on the common case, a long
    word: pages of megabytes of one word are cut in linear time.
    """
    end = start + _LONG
    if "\\" in text[start : end + 1]:
        return 0
    ok = 0
    for i in range(end, start, -1):
        if text[i].isspace() or not _in_text(i, starts, spans):
            continue
        if text[i].isalnum() and i > start + _LONG // 2:
            return i
        if not ok:
            ok = i
        if i <= start + _LONG // 2:
            break
    return ok


def _cut_forth(
    text: str, start: int, starts: list[int], spans: list[tuple[int, int]], seps: frozenset[int]
) -> int:
    """A cut after ``start``, found from one character or escape to the next."""
    good = ok = 0  # the last cuts within _LONG, preferred and any
    i = start
    while i < len(text) - 1:
        i += 2 if text[i] == "\\" else 1
        if i in seps:
            if i > start + _LONG:
                return i
            ok = good = i
            continue
        if i >= len(text) or text[i].isspace():
            continue  # docutils would take a blank at the line start for indentation
        if not _in_text(i, starts, spans):
            continue  # not inside page text
        if i > start + _LONG:
            return good if good > start + _LONG // 2 else ok or i
        ok = i
        if text[i].isalnum() or text[i] == "\\":
            good = i
    return good if good > start + _LONG // 2 else ok


def _not_a_rule(line: str) -> str:
    """A line of backslashes alone would read as a title underline or a transition."""
    return "\\ " + line if line[:1] == "\\" and not line.rstrip().strip("\\") else line


class _Inline:
    """Turns atoms into reST lines; the only place where inline markup is made."""

    def __init__(self, flavor: Flavor) -> None:
        self.flavor = flavor

    def markup(self, text: str, style: Style, ref: _Ref | None) -> _Markup:
        if ref is not None:
            return self.link(text, ref)
        if style == "literal":
            return _wrap(":literal:`", _esc_interp(text), "`")
        if style == "math":
            # The role keeps backslashes as written (LaTeX commands).
            return _wrap(":math:`", text, "`")
        if "*" in text:
            # An escaped '*' right before the end-string confuses the end
            # recognition; the role form has only '`' as delimiter.
            role = "strong" if style == "strong" else "emphasis"
            return _wrap(f":{role}:`", _esc_interp(text), "`")
        mark = "**" if style == "strong" else "*"
        return _wrap(mark, text.translate(_EMPH_SPECIAL), mark)

    def link(self, text: str, ref: _Ref) -> _Markup:
        title = _esc_interp(text)
        if ref.kind == "url":
            if not title:
                return _Markup(f"`<{_uri(ref.target)}>`__")
            return _wrap("`", title, f" <{_uri(ref.target)}>`__")
        if ref.kind == "label":
            if self.flavor == "sphinx":
                return _wrap(":ref:`", title, f" <{ref.target}>`")
            return _wrap("`", title, f" <{ref.target}_>`__")
        if ref.kind == "doc":
            return _wrap(":doc:`", title, f" <{ref.target}>`")
        if ref.kind == "xr":
            return _wrap(":mdoc:xr:`", title, f" <{_esc_interp(ref.target)}>`")
        # func: Sphinx adds the parentheses itself unless a title is given.
        if ref.title is None:
            return _Markup(f":c:func:`{_esc_interp(ref.target)}`")
        return _wrap(":c:func:`", _esc_interp(ref.title), f" <{_esc_interp(ref.target)}>`")

    def tokens(self, atoms: list[_Atom]) -> list[list[_Piece]]:
        """Group atoms into unbreakable tokens of pieces; blanks separate tokens."""
        tokens: list[list[_Piece]] = []
        cur: list[_Piece] = []

        def plain(text: str) -> None:
            # The first part continues the current token, the last starts
            # the next one, and those between are whole tokens: a text line
            # of many words is split once, with no call per word.
            nonlocal cur
            parts = text.split(" ")
            first = parts[0]
            if first:
                if cur and type(cur[-1]) is str:
                    cur[-1] += first
                else:
                    cur.append(first)
            if len(parts) == 1:
                return
            if cur:
                tokens.append(cur)
            tokens.extend([part] for part in parts[1:-1] if part)
            last = parts[-1]
            cur = [last] if last else []

        i = 0
        n = len(atoms)
        while i < n:
            atom = atoms[i]
            if not isinstance(atom, _Word):
                if cur:
                    tokens.append(cur)
                    cur = []
                i += 1
                continue
            if atom.style == "" and atom.ref is None:
                text = atom.text
                if " " in text:
                    plain(text)
                elif text:
                    # The common case, a plain word without blanks: what
                    # plain() does, without the split and the call.
                    if cur and type(cur[-1]) is str:
                        cur[-1] += text
                    else:
                        cur.append(text)
                i += 1
                continue
            # One markup span: the words of one style or one link, with the
            # blanks between them.
            parts = [atom.text]  # joined once: a span may have thousands of words
            j = i + 1
            while j < len(atoms):
                nxt = atoms[j]
                if nxt is SPACE and j + 1 < len(atoms):
                    after = atoms[j + 1]
                    if (
                        isinstance(after, _Word)
                        and after.style == atom.style
                        and after.ref is atom.ref
                    ):
                        parts += (" ", after.text)
                        j += 2
                        continue
                if isinstance(nxt, _Word) and nxt.style == atom.style and nxt.ref is atom.ref:
                    parts.append(nxt.text)
                    j += 1
                    continue
                break
            i = j
            text = parts[0] if len(parts) == 1 else "".join(parts)
            core = text.strip()
            if not core and atom.ref is None:
                plain(text)
                continue
            lead = text[: len(text) - len(text.lstrip())]
            trail = text[len(text.rstrip()) :]
            plain(lead)
            cur.append(self.markup(core, atom.style, atom.ref))
            plain(trail)
        if cur:
            tokens.append(cur)
        return tokens

    @staticmethod
    def join(token: list[_Piece], line_start: bool) -> str:
        if len(token) == 1:
            piece = token[0]  # the common case: one word
            return piece.text if isinstance(piece, _Markup) else _esc_plain(piece, line_start)
        raw = [piece.text if isinstance(piece, _Markup) else piece for piece in token]
        out: list[str] = []
        for k, piece in enumerate(token):
            markup = isinstance(piece, _Markup)
            text = raw[k]
            # Markup must be separated from adjacent characters.
            if (
                k
                and (markup or isinstance(token[k - 1], _Markup))
                and not (raw[k - 1][-1].isspace() or text[0].isspace())
            ):
                out.append("\\ ")
            out.append(text if markup else _esc_plain(text, line_start and k == 0))
        return "".join(out)

    @staticmethod
    def join_spans(
        token: list[_Piece], line_start: bool
    ) -> tuple[str, list[tuple[int, int]], frozenset[int]]:
        """What :meth:`join` gives, with the spans of page text in it and the
        places of the escaped blanks that separate pieces of markup."""
        out: list[str] = []
        spans: list[tuple[int, int]] = []
        seps: list[int] = []
        pos = 0
        prev = ""
        for k, piece in enumerate(token):
            markup = isinstance(piece, _Markup)
            text = piece.text if isinstance(piece, _Markup) else piece
            if (
                k
                and (markup or isinstance(token[k - 1], _Markup))
                and not (prev[-1].isspace() or text[0].isspace())
            ):
                out.append("\\ ")
                seps.append(pos)
                pos += 2
            prev = text
            if isinstance(piece, _Markup):
                spans.append((pos + piece.start, pos + piece.end))
            else:
                text = _esc_plain(text, line_start and k == 0)
                spans.append((pos, pos + len(text)))
            out.append(text)
            pos += len(text)
        return "".join(out), spans, frozenset(seps)

    def lines(self, atoms: list[_Atom], width: int = _WIDTH) -> list[str]:
        """A paragraph, wrapped; every line start is made harmless."""
        result: list[str] = []
        line = ""
        used = 0  # display width of line, kept as it grows
        join = self.join
        for token in self.tokens(atoms):
            if len(token) == 1 and type(token[0]) is str:
                # One plain word, the common case: join() inlined.
                text = token[0]
                if not text.isalnum():
                    text = text.translate(_PLAIN_SPECIAL)
            else:
                text = join(token, False)
            if len(text) > _LONG:
                # Only hostile pages have such words: cut over lines.
                if line:
                    result.append(line)
                cut = _cut_long(*self.join_spans(token, True))
                result += cut[:-1]
                line = cut[-1]
                used = _width(line)
                continue
            text_w = len(text) if text.isascii() else _width(text)
            if line and used + 1 + text_w <= width:
                line += " " + text
                used += 1 + text_w
            else:
                if line:
                    result.append(line)
                line = _not_a_rule(join(token, True))
                used = len(line) if line.isascii() else _width(line)
        if line:
            result.append(line)
        return result

    def one_line(self, atoms: list[_Atom]) -> str:
        return " ".join(self.join(t, line_start=i == 0) for i, t in enumerate(self.tokens(atoms)))


def _plain_text(atoms: Iterable[_Atom]) -> str:
    out: list[str] = []
    for atom in atoms:
        if isinstance(atom, _Word):
            out.append(atom.text)
        elif atom is SPACE:
            out.append(" ")
        else:
            out.append("\n")
    return "".join(out)


#: Longest label; a longer one keeps its start and a hash of the whole.
LABEL_MAX = 120


def _short(text: str) -> str:
    if len(text) <= LABEL_MAX:
        return text
    digest = hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:12]
    return f"{text[: LABEL_MAX - 13].rstrip('-')}-{digest}"


def _slug(text: str) -> str:
    return _short(re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")) or "section"


def label(text: str) -> str:
    """A label for ``text``: one reference name for docutils and Sphinx alike.

    It starts with a letter or digit: ``.. __exit.2:`` would be an anonymous
    target, so ``_exit.2`` becomes ``u_exit.2``.
    """
    name = _short(re.sub(r"[^A-Za-z0-9._+-]+", "-", text).strip("-"))
    if not name:
        return "page"
    return name if name[0].isalnum() else "u" + name


def errno_label(page_label: str, name: str) -> str:
    """The label of the ERRORS entry of errno ``name`` on the page ``page_label``."""
    return _short(f"{page_label}-errno-{label(name)}")


#: A C name that Sphinx's C domain takes as a function or macro name.
_C_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,199}")
#: C's keywords: never a function (``.Fn sizeof`` is an operator).
C_KEYWORDS = frozenset({
    "auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else",
    "enum", "extern", "float", "for", "goto", "if", "inline", "int", "long", "register",
    "restrict", "return", "short", "signed", "sizeof", "static", "struct", "switch",
    "typedef", "union", "unsigned", "void", "volatile", "while", "_Alignas", "_Alignof",
    "_Atomic", "_Bool", "_Complex", "_Generic", "_Imaginary", "_Noreturn", "_Static_assert",
    "_Thread_local",
})  # fmt: skip
#: What a parameter of a function-like macro may be in Sphinx's C domain.
_MACRO_PARAM = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\.\.\.")
#: A line mark (RstOptions.line_marks).
LINE_MARK = re.compile("\x01([0-9]+)\x01")


def _texts(n: Node) -> list[str]:
    return [render(c.string) for c in n.children if c.type is TEXT]


# -- the writer ---------------------------------------------------------------


class PageWriter:
    """The writer's state and output; a subclass knows its language's nodes."""

    def __init__(self, doc: Document, opts: RstOptions) -> None:
        self.doc = doc
        self.opts = opts
        self.inline = _Inline(opts.flavor)
        # Word spacing, as mandoc's outflags: a blank is due; due even
        # before a closing delimiter; spacing mode (.Sm) is on.
        self.spc = False
        self.spc_force = False
        self.sm = True
        self.styles: list[Style] = [""]
        self.an_split = False
        self.an_nosplit = False
        self.in_errno_head = False
        self.ended: set[int] = set()
        self.atoms: list[_Atom] = []
        self.out: list[str] = []
        self.nofill = False
        self.depth = 0  # nesting in lists and quotes: no section titles there
        self.in_sh = False
        self.identity = opts.identity or identify(doc)
        self.name, self.msec = self.identity.name, self.identity.section
        self.page_id = label(opts.page_id or f"{self.name}.{self.msec}".rstrip("."))
        self.cur_line = 0  # the page line of the node being written (line marks)
        self.para_line = 0  # the page line where the pending paragraph starts
        self.sections: dict[str, str] = {}
        self.errnos: dict[str, str] = {}
        self.item_labels: dict[int, str] = {}
        self.declared: set[str] = set()
        self.next_number: dict[str, int] = {}
        self.collect_targets()

    # -- the page as a whole

    def collect_targets(self) -> None:
        """Labels of sections and entries, before anything is written."""

    def _name_list(self) -> list[str]:
        return list(self.identity.names) or [self.name]

    def section_target(self, n: Node, title: str, used: set[str]) -> None:
        """Label the section or subsection ``n`` titled ``title``, once per page."""
        base = target = f"{self.page_id}-{_slug(title)}"
        # Numbered from where the last title of this base stopped:
        # a page of thousands of equal titles stays linear.
        k = self.next_number.get(base, 1)
        while target in used:
            k += 1
            target = f"{base}-{k}"
        self.next_number[base] = k
        used.add(target)
        self.sections.setdefault(title, target)
        self.item_labels[id(n)] = target

    def errno_target(self, n: Node, name: str) -> None:
        """Label the ERRORS entry ``n`` of errno ``name``, the first of that name."""
        if name not in self.errnos:
            target = errno_label(self.page_id, name)
            self.errnos[name] = target
            self.item_labels[id(n)] = target

    def _head_text(self, head: Node) -> str:
        return " ".join(_plain_text(self.capture(head.children)).split())

    def write(self) -> str:
        name = f"{self.name}({self.msec})" if self.msec else self.name
        title = self.inline.one_line([_Word(_clip(name))])
        rule = "=" * _width(title)
        self.emit([f".. _{self.page_id}:"])
        self.emit([rule, title, rule])
        if self.opts.flavor == "sphinx":
            sec = _index_term(self.msec) or "?"
            entries = (_index_term(n) for n in self._name_list())
            self.emit([f".. index:: single: {n} ({sec})" for n in entries if n])
        meta = self.doc.meta
        self.furniture("mdoc-volume", [meta.vol, meta.arch])
        for n in self.doc.root.children:
            self.node(n)
        self.flush()
        self.furniture("mdoc-footer", [meta.os, meta.date])
        text = "\n".join(self.out).rstrip("\n")
        return text + "\n"

    def furniture(self, cls: str, parts: list[str | None]) -> None:
        """What mandoc prints around the text: the volume above, OS and date below."""
        words = [" ".join(p.split()) for p in parts if p and p.strip()]
        if not words:
            return
        directive = "rst-class" if self.opts.flavor == "sphinx" else "class"
        self.emit([f".. {directive}:: {cls}"])
        self.emit([escape_text(_clip(" — ".join(words)))])

    # -- output of blocks

    def emit(self, lines: list[str], line: int = 0) -> None:
        """Append a block, separated from the previous one by a blank line.

        ``line``: the page line it comes from, marked when the options ask.
        """
        if not lines:
            return
        if self.out and self.out[-1] != "":
            self.out.append("")
        if line > 0 and self.opts.line_marks:
            lines = [f"\x01{line}\x01{lines[0]}", *lines[1:]]
        self.out.extend(lines)

    def capture(self, nodes: Iterable[Node]) -> list[_Atom]:
        """The atoms of inline nodes, without touching the pending paragraph."""
        saved = self.atoms, self.spc, self.spc_force
        self.atoms = []
        self.spc = False
        for n in nodes:
            self.node(n)
        atoms = self.atoms
        self.atoms, self.spc, self.spc_force = saved
        return atoms

    def blocks(self, nodes: Sequence[Node]) -> list[str]:
        """The reST lines of ``nodes``, rendered on their own."""
        saved = self.atoms, self.out, self.spc
        self.atoms, self.out, self.spc = [], [], False
        self.depth += 1
        self.walk(nodes)
        self.flush()
        lines = self.out
        self.depth -= 1
        self.atoms, self.out, self.spc = saved
        while lines and lines[-1] == "":
            lines.pop()
        return lines

    def flush(self) -> None:
        atoms = self.atoms
        self.atoms = []
        self.spc = False
        if self.nofill:
            self.literal(_plain_text(atoms).split("\n"))
            return
        while atoms and not isinstance(atoms[-1], _Word):
            atoms.pop()
        while atoms and not isinstance(atoms[0], _Word):
            atoms.pop(0)
        if not atoms:
            return
        if BREAK not in atoms:
            self.emit(self.inline.lines(atoms), self.para_line)
            return
        # Line breaks: a line block, one line per segment.
        lines: list[str] = []
        segment: list[_Atom] = []
        for atom in [*atoms, BREAK]:
            if atom is not BREAK:
                segment.append(atom)
                continue
            wrapped = self.inline.lines(segment) or [""]
            lines.append(("| " + wrapped[0]).rstrip())
            lines += ["  " + x for x in wrapped[1:]]
            segment = []
        self.emit(lines, self.para_line)

    def literal(self, lines: list[str]) -> None:
        lines = [x.replace("\t", "        ").rstrip() for x in lines]
        if any(len(x) > _LONG for x in lines):
            # Nothing can be escaped in a literal block: a line too long
            # for docutils goes on over lines of its own.
            lines = [x[k : k + _LONG] for x in lines for k in range(0, len(x) or 1, _LONG)]
        while lines and not lines[0].strip():
            lines.pop(0)
        while lines and not lines[-1].strip():
            lines.pop()
        if lines:
            self.emit(["::"])
            self.emit(["    " + x if x else "" for x in lines])

    def quote(self, lines: list[str]) -> None:
        # The empty comment ends a preceding list or definition, which an
        # indented block would otherwise continue.
        if lines:
            self.emit([".."])
            self.emit(["    " + x if x else "" for x in lines])

    def paragraph_break(self) -> None:
        if self.nofill:
            self.atoms += [NEWLINE, NEWLINE]
        else:
            self.flush()

    def linebreak(self) -> None:
        if self.nofill:
            self.atoms.append(NEWLINE)
        elif any(isinstance(a, _Word) for a in self.atoms):
            self.atoms.append(BREAK)
            self.spc = False

    def centered(self, n: Node) -> None:
        """``.ce N`` and ``.rj N``: each of the lines they take on a line of
        its own, as mandoc's HTML output writes them (the first child is the
        count).  reST has no centring; the lines stay lines."""
        self.linebreak()
        for c in n.children[1:]:
            if c.type is TEXT and c.flags & Flag.LINE and not self.nofill:
                self.linebreak()
            self.node(c)
        self.linebreak()

    def c_directive(self, kind: str, signature: str, name: str, line: int) -> None:
        """A C-domain declaration, or C code when another page owns ``name``:
        Sphinx's C domain has no declaration without an object, and two
        objects of one name are an error."""
        indexed = self.opts.indexed
        if indexed is not None and name not in indexed:
            self.emit([".. code-block:: c", "", f"   {signature};"], line)
            return
        self.emit([f".. c:{kind}:: {signature}"], line)

    def declare(self, name: str) -> bool:
        """Whether a SYNOPSIS prototype becomes a C declaration.

        Only the page's own names, once each: a SYNOPSIS may also show calls
        of other functions (sctp(4) shows socket() twice), which Sphinx would
        report as duplicate declarations; those stay literal text.
        """
        if name in self.declared or not _C_NAME.fullmatch(name) or name not in self._name_list():
            return False
        self.declared.add(name)
        return True

    def xr_ref(self, name: str, sec: str) -> _Ref:
        if self.opts.xr_role and self.opts.flavor == "sphinx":
            return _Ref("xr", " ".join(f"{name}({sec})".split()))
        docname = self.opts.local_pages.get((name, sec))
        if docname is not None and self.opts.flavor == "sphinx":
            return _Ref("doc", docname if docname.startswith("/") else "/" + docname)
        url = self.opts.xr_url.format(
            name=urllib.parse.quote(name, safe=""), section=urllib.parse.quote(sec, safe="")
        )
        return _Ref("url", url)

    # -- words

    @property
    def style(self) -> Style:
        return self.styles[-1]

    def word(self, text: str, style: Style = "", ref: _Ref | None = None) -> None:
        """md_word(): one word with mandoc's spacing rules."""
        if len(text) == 1 and text in _CLOSERS and not self.spc_force:
            self.spc = False
        if self.spc and self.atoms:
            self.atoms.append(SPACE)
        self.spc_force = False
        self.spc = self.sm
        if not text:
            return
        if ref is not None and ref.kind == "url" and not safe_url(ref.target):
            ref = None  # shown as text; the validator said why (URL_UNSAFE)
        if not self.atoms:
            self.para_line = self.cur_line
        self.atoms.append(_Word(text, style, ref))
        if len(text) == 1 and text in _OPENERS:
            self.spc = False

    def text(self, n: Node) -> None:
        if n.flags & Flag.DELIMC:
            self.spc = self.spc_force = False
        elif self.sm:
            self.spc_force = True
        s = n.string
        if "\t" in s and not self.nofill:
            s = s.replace("\t", " ")
        current = self.styles[-1]
        if "\\" not in s:
            self.words(render(s) if s else "", current)
        else:
            pieces = runs(s)
            if not pieces:
                self.word("", current)
            for k, run in enumerate(pieces):
                if k:
                    self.spc = False
                self.words(run.text, self.font_style(run.font, current))
        if n.flags & Flag.DELIMO:
            self.spc = False
        elif self.sm:
            self.spc = True

    def words(self, text: str, style: Style) -> None:
        """A run of text in one font; a language may find links in it."""
        self.word(text, style)

    def font_style(self, font: str, current: Style) -> Style:
        """The style of a ``\\f`` font escape; R goes back to the macro's."""
        return _FONT_STYLE.get(font, current) if font != "R" else current

    # -- nodes

    def shared_node(self, n: Node) -> bool:
        """Write what both languages write alike (nothing for comments and
        unprinted nodes; tables; equations) and say so; for any other node,
        note its line for the output's line map and return False."""
        if n.type is COMMENT or n.flags & Flag.NOPRT:
            return True
        if n.type is TBL:
            self.tbl([n], 0)  # a row met alone, not in a run of siblings
            return True
        if n.type is EQN:
            self.equation(n)
            return True
        if n.line > 0:
            self.cur_line = n.line
        return False

    def node(self, n: Node) -> None:
        """Write one node and what is below it; each language has its own."""
        raise NotImplementedError

    def children(self, n: Node) -> None:
        self.walk(n.children)

    def walk(self, nodes: Sequence[Node]) -> None:
        """Write sibling nodes; a run of TBL nodes is one table."""
        k, end = 0, len(nodes)
        while k < end:  # the writer never edits the tree
            c = nodes[k]
            if c.type is TBL:
                k = self.tbl(nodes, k)
            else:
                self.node(c)
                k += 1

    # -- equations

    def equation(self, n: Node) -> None:
        """An eqn(7) equation.  In the Sphinx flavour, LaTeX: the math
        directive for one on lines of its own (``.EQ``), the math role for
        one in text (between delimiters).  In the docutils flavour, and in
        no-fill text, the text ``mandoc -T utf8`` prints, in the flow of the
        paragraph as mandoc prints every equation.

        docutils has a math role too, but only its HTML and LaTeX writers
        render it; its other writers, and a reader of the reST, get LaTeX
        source.  The text reads the same everywhere.
        """
        box = n.eqn
        if box is None or not box.children:
            return
        latex = _math(box) if self.opts.flavor == "sphinx" and not self.nofill else ""
        displayed = _displayed(n)
        block = _math_lines(latex) if displayed and latex else None
        fits = block is not None if displayed else len(latex) <= _LONG - len(":math:``")
        if not fits:
            # Over-long tokens are cut by escaped line ends, which math
            # would keep as LaTeX: an equation in-line that long, or one
            # with a word too long for a line of the math directive (only
            # a runaway define or a hostile page makes either), is text.
            latex = ""
        if not n.flags & Flag.LINE:
            # In-line, the text around says where blanks go (mdoc_term.c).
            self.spc = False
        if not latex:
            if self.nofill and n.flags & Flag.LINE and self.atoms:
                self.atoms.append(NEWLINE)  # a line of its own in the literal text
                self.spc = False
            self.word(to_text(box), self.style)
        elif block is not None:
            self.flush()
            self.emit([".. math::", "", *("   " + x for x in block)], n.line)
        else:
            self.word(latex, "math")
        nxt = n.next
        if nxt is not None and not nxt.flags & Flag.LINE:
            self.spc = False

    # -- tables

    def tbl(self, nodes: Sequence[Node], start: int) -> int:
        """The tbl(7) table whose first row is ``nodes[start]``, as a block
        of its own where it stands; returns the index of the node after it."""
        spans, after = table_at(nodes, start)
        lines = write_table(spans, inline=self.cell)
        if not lines:
            return after
        self.flush()
        if lines[0] == "::":
            # The table as text: a literal block, cut as any other is.
            self.literal([x[4:] for x in lines[2:]])
        else:
            self.emit(lines, nodes[start].line)
        return after

    def cell(self, text: str) -> str:
        """A table cell's roff text as inline reST, with the page's fonts
        and links; every word escaped as if it started a line, as a text
        block's lines are wrapped after this."""
        saved = self.styles
        self.styles = [""]
        atoms = self.capture([Node(TEXT, "", 0, 0, string=text)])
        self.styles = saved
        tokens = self.inline.tokens(atoms)
        return " ".join(self.inline.join(t, line_start=True) for t in tokens)


def _math(box: Box) -> str:
    """An equation as LaTeX for the math role and directive, or empty when
    it cannot be one there (a backtick would end the role, and a line end
    the directive's argument)."""
    latex = " ".join(to_latex(box).split())
    return "" if "`" in latex or latex.endswith("\\") else latex


def _math_lines(latex: str) -> list[str] | None:
    """The math directive's content: LaTeX cut at blanks into lines of at
    most ``_LONG`` characters (a line end is a blank to TeX), so that a
    huge equation (a runaway ``define``) makes no line too long to read;
    None when a stretch without blanks is longer than that."""
    lines: list[str] = []
    start, n = 0, len(latex)
    while n - start > _LONG:
        cut = latex.rfind(" ", start + 1, start + _LONG)
        if cut < 0:
            return None
        lines.append(latex[start:cut])
        start = cut + 1
    lines.append(latex[start:])
    return lines


def _displayed(n: Node) -> bool:
    """Whether an equation stands on a line of its own, as a ``.EQ`` block
    does, rather than in-line in text (delimiters): it starts its line and
    nothing that follows continues that line."""
    if not n.flags & Flag.LINE:
        return False
    nxt = n.next
    return nxt is None or nxt.line != n.line or bool(nxt.flags & Flag.LINE)


def _hang(marker: str, lines: list[str]) -> list[str]:
    pad = " " * len(marker)
    return [marker + lines[0], *(pad + x if x else "" for x in lines[1:])]


def _clip(text: str) -> str:
    """A page's name for its title: one blank between words (docutils counts
    a tab as eight columns), and a name too long for a title cut short.

    The NAME section still shows it whole.
    """
    text = " ".join(text.split())
    return text if len(text) <= 200 else text[:199] + "…"


def _index_term(text: str) -> str:
    """Page text as one term of an ``index`` directive, or empty.

    ``;`` separates sub-terms and a leading ``!`` marks a main entry there;
    both are page text here, not markup.
    """
    return _clip(text.replace(";", ",")).lstrip("!")


def _rubric(lines: list[str]) -> list[str]:
    """A rubric whose text goes on over several lines."""
    return [f".. rubric:: {lines[0]}", *("   " + x for x in lines[1:])] if lines else []
