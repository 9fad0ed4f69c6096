"""A C declaration parser for the prototypes in SYNOPSIS sections.

It reads declarations such as ``int sctp_connectx(int sd, struct sockaddr
*addrs, int addrcnt, sctp_assoc_t *id)`` with a tokenizer and a
recursive-descent declarator parser (C11 6.7.6): pointers with
qualifiers, arrays, function declarators, function pointers, ``struct``
/ ``union`` / ``enum`` tags, typedef names and ``...``.  The result is a
small typed tree that the spec, the stub generator and the header check
share.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(r"\s*(?:(\.\.\.)|([A-Za-z_]\w*)|(\d\w*)|(.))")

QUALIFIERS = frozenset({"const", "volatile", "restrict", "__restrict", "_Atomic"})
STORAGE = frozenset({"extern", "static", "inline", "register", "auto", "_Noreturn"})
TAGS = frozenset({"struct", "union", "enum"})
BASIC = frozenset(
    {"void", "char", "short", "int", "long", "float", "double", "signed", "unsigned",
     "_Bool", "bool"}
)  # fmt: skip


class DeclError(ValueError):
    """A declaration that does not parse, with the offending text."""


@dataclass(frozen=True, slots=True)
class CType:
    """A C type as a chain of derivations around a base type.

    ``base`` is the specifier text (``int``, ``struct sockaddr``,
    ``sctp_assoc_t``); ``derived`` lists derivations from the outside in:
    ``("ptr", "const")``, ``("array", "10")``, ``("func", params)``.
    """

    base: str
    qualifiers: tuple[str, ...] = ()
    derived: tuple[Derivation, ...] = ()

    @property
    def pointer_depth(self) -> int:
        return sum(1 for d in self.derived if d.kind == "ptr")

    def is_pointer(self) -> bool:
        return bool(self.derived) and self.derived[0].kind == "ptr"

    def pointee(self) -> CType:
        """The type a pointer points to (or an array's element type)."""
        return CType(self.base, self.qualifiers, self.derived[1:])

    def render(self, name: str = "") -> str:
        """C source text for this type declaring ``name`` (may be empty)."""
        inner = name
        # Rebuild the declarator from the name outwards.
        for d in self.derived:
            if d.kind == "ptr":
                q = " ".join(d.qualifiers)
                inner = "*" + (f"{q} " if q and inner else q) + inner
            elif d.kind == "array":
                inner = _paren_if_ptr(inner) + f"[{d.size}]"
            else:
                params = ", ".join(p.render() for p in d.params) or "void"
                if d.variadic:
                    params += ", ..."
                inner = _paren_if_ptr(inner) + f"({params})"
        spec = " ".join((*self.qualifiers, self.base))
        return f"{spec} {inner}" if inner else spec


def _paren_if_ptr(inner: str) -> str:
    return f"({inner})" if inner.startswith("*") else inner


@dataclass(frozen=True, slots=True)
class Derivation:
    kind: str  # "ptr", "array" or "func"
    qualifiers: tuple[str, ...] = ()
    size: str = ""
    params: tuple[Param, ...] = ()
    variadic: bool = False


@dataclass(frozen=True, slots=True)
class Param:
    type: CType
    name: str | None

    def render(self) -> str:
        return self.type.render(self.name or "")


@dataclass(frozen=True, slots=True)
class Prototype:
    """A function declaration: return type, name, parameters."""

    name: str
    returns: CType
    params: tuple[Param, ...]
    variadic: bool = False

    @property
    def type(self) -> CType:
        """The function's own type: a function derivation around the return type."""
        fn = Derivation("func", params=self.params, variadic=self.variadic)
        r = self.returns
        return CType(r.base, r.qualifiers, (fn, *r.derived))

    def render(self) -> str:
        return self.type.render(self.name)


@dataclass(slots=True)
class _Parser:
    tokens: list[str]
    typedefs: frozenset[str]
    i: int = 0
    text: str = ""
    anonymous: list[str] = field(default_factory=list)

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.tokens[j] if j < len(self.tokens) else ""

    def take(self, expected: str | None = None) -> str:
        tok = self.peek()
        if not tok or (expected is not None and tok != expected):
            want = f"{expected!r}" if expected else "more input"
            raise DeclError(f"expected {want} at {tok or 'end'!r} in {self.text!r}")
        self.i += 1
        return tok

    def specifiers(self) -> tuple[str, tuple[str, ...]]:
        words: list[str] = []
        quals: list[str] = []
        while True:
            tok = self.peek()
            if tok in QUALIFIERS:
                quals.append(self.take())
            elif tok in STORAGE:
                self.take()
            elif tok in TAGS:
                self.take()
                tag = self.take()
                if not _is_ident(tag):
                    raise DeclError(f"{tok} needs a tag name in {self.text!r}")
                words.append(f"{tok} {tag}")
            elif tok in BASIC:
                words.append(self.take())
            elif _is_ident(tok) and not words:
                # A typedef name, unless it is the declarator's name: a typedef
                # name can only come first among the specifiers.
                nxt = self.peek(1)
                if (
                    (nxt and (_is_ident(nxt) or nxt in ("*", "(") or nxt in QUALIFIERS))
                    or tok in self.typedefs
                    or tok.endswith("_t")
                ):
                    words.append(self.take())
                else:
                    break
            else:
                break
        if not words:
            raise DeclError(f"no type in {self.text!r}")
        return " ".join(words), tuple(quals)

    def declarator(self) -> tuple[str | None, list[Derivation]]:
        """Parse a (possibly abstract) declarator; derivations outside in."""
        ptrs: list[Derivation] = []
        while self.peek() == "*":
            self.take()
            quals: list[str] = []
            while self.peek() in QUALIFIERS:
                quals.append(self.take())
            ptrs.append(Derivation("ptr", tuple(quals)))
        name: str | None = None
        inner: list[Derivation] = []
        if self.peek() == "(" and (self.peek(1) in ("*", "(") or self.peek(1) == "^"):
            self.take("(")
            name, inner = self.declarator()
            self.take(")")
        elif _is_ident(self.peek()) and self.peek() not in QUALIFIERS:
            name = self.take()
        suffixes: list[Derivation] = []
        while self.peek() in ("[", "("):
            if self.take() == "[":
                size = []
                while self.peek() != "]":
                    size.append(self.take())
                self.take("]")
                suffixes.append(Derivation("array", size=" ".join(size)))
            else:
                params, variadic = self.parameters()
                suffixes.append(Derivation("func", params=params, variadic=variadic))
        # C reads inside out: the inner declarator binds tighter than the
        # suffixes, which bind tighter than the pointers in front.
        return name, inner + suffixes + list(reversed(ptrs))

    def parameters(self) -> tuple[tuple[Param, ...], bool]:
        params: list[Param] = []
        variadic = False
        if self.peek() == ")":
            self.take()
            return (), False
        while True:
            if self.peek() == "...":
                self.take()
                variadic = True
                self.take(")")
                break
            params.append(self.parameter())
            if self.peek() == ",":
                self.take()
                continue
            self.take(")")
            break
        if len(params) == 1 and params[0].type.base == "void" and not params[0].type.derived:
            params = []
        return tuple(params), variadic

    def parameter(self) -> Param:
        base, quals = self.specifiers()
        name, derived = self.declarator()
        return Param(CType(base, quals, tuple(derived)), name)


def _is_ident(tok: str) -> bool:
    return bool(tok) and (tok[0].isalpha() or tok[0] == "_")


def tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            break
        tok = m.group(1) or m.group(2) or m.group(3) or m.group(4)
        if tok is not None and not tok.isspace():
            tokens.append(tok)
        pos = m.end()
    return tokens


def parse_param(text: str, typedefs: frozenset[str] = frozenset()) -> Param:
    """Parse one parameter declaration such as ``struct sockaddr *addrs``."""
    text = text.strip()
    if text == "...":
        raise DeclError("'...' is not a parameter declaration")
    p = _Parser(tokenize(text), typedefs, text=text)
    param = p.parameter()
    if p.peek():
        raise DeclError(f"unexpected {p.peek()!r} in {text!r}")
    return param


def parse_prototype(text: str, typedefs: frozenset[str] = frozenset()) -> Prototype:
    """Parse a function declaration; a trailing ``;`` is allowed."""
    text = text.strip().rstrip(";").strip()
    p = _Parser(tokenize(text), typedefs, text=text)
    base, quals = p.specifiers()
    name, derived = p.declarator()
    if p.peek():
        raise DeclError(f"unexpected {p.peek()!r} in {text!r}")
    if name is None:
        raise DeclError(f"no function name in {text!r}")
    # The outermost derivation applied to the name must be the function.
    funcs = [k for k, d in enumerate(derived) if d.kind == "func"]
    if not funcs or funcs[0] != 0:
        raise DeclError(f"{name!r} is not declared as a function in {text!r}")
    fn = derived[0]
    returns = CType(base, quals, tuple(derived[1:]))
    return Prototype(name, returns, fn.params, fn.variadic)
