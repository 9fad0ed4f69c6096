"""The checked API stub: ctypes prototypes and error checking from a page's spec.

``mdoc2rst stub PAGE... -o FILE`` writes a Python module (and a ``.pyi``
beside it) that a binding imports at run time instead of mdoc2rst: for
each documented function its ``argtypes`` and ``restype``, mapped from the
C types through a type map that users can extend, and an ``errcheck`` that
turns the documented failure return into the exception for the errno,
carrying the page's condition.  An errno the page does not document is
raised as well, marked as undocumented.  The module names its source
pages and their SHA-256, so a test can regenerate it and catch drift.

The stub is code that users import, and most of what it holds comes from
page text, so nothing of a page is pasted into it: every page-derived
value reaches the module through one of a few checked emitters.  Strings
become ``ascii()`` literals (one line, printable ASCII, no bidirectional
or line-separator character can survive), docstring text is escaped the
same way, and the only identifiers written are references from fixed sets
(an ``OSError`` subclass, a ctypes simple type); the module binds no name
a page chose.  Function and errno names that are not C identifiers are
refused with the page line, and the finished module is parsed back and
compared with the template's shape before it is returned.
"""

from __future__ import annotations

import ast
import builtins
import ctypes
import keyword
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from mdoc2rst import __version__
from mdoc2rst.contract.cdecl import CType, DeclError, parse_param
from mdoc2rst.contract.errnos import exception_name
from mdoc2rst.contract.spec import Function, Spec

#: C type names -> ctypes type names.  Extend with ``--type NAME=CTYPE``.
DEFAULT_TYPES: Mapping[str, str] = {
    "void": "None",
    "char": "c_char", "signed char": "c_byte", "unsigned char": "c_ubyte",
    "short": "c_short", "unsigned short": "c_ushort",
    "int": "c_int", "signed int": "c_int", "unsigned": "c_uint", "unsigned int": "c_uint",
    "long": "c_long", "unsigned long": "c_ulong",
    "long long": "c_longlong", "unsigned long long": "c_ulonglong",
    "float": "c_float", "double": "c_double", "_Bool": "c_bool", "bool": "c_bool",
    "size_t": "c_size_t", "ssize_t": "c_ssize_t", "off_t": "c_int64",
    "int8_t": "c_int8", "int16_t": "c_int16", "int32_t": "c_int32", "int64_t": "c_int64",
    "uint8_t": "c_uint8", "uint16_t": "c_uint16", "uint32_t": "c_uint32", "uint64_t": "c_uint64",
    "socklen_t": "c_uint32", "sa_family_t": "c_ushort",
    # SCTP's association id is a 32-bit unsigned integer on Linux, FreeBSD and usrsctp.
    "sctp_assoc_t": "c_uint32",
}  # fmt: skip


class StubError(ValueError):
    """What the stub cannot express or will not write, with the page and line where known."""


# C identifiers are ASCII; cdecl's tokenizer accepts any Unicode word (``x²``), which a
# dynamic linker will never find and which could hide look-alike characters.
_C_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*", re.ASCII)
_C_TAGS = frozenset({"struct", "union", "enum"})

#: Everything the generated module binds.  It binds no page-derived name; an identifier
#: it writes is a reference and must not be one of these either.
_MODULE_NAMES = frozenset(
    {"annotations", "ctypes", "errno", "os", "Any", "NoReturn",
     "SOURCES", "PAGES", "ERRORS", "PROTOTYPES", "DECLARATIONS", "FAILURE",
     "error", "raise_errno", "_errcheck", "bind"}
)  # fmt: skip


def _identifier(name: str) -> bool:
    """Whether ``name`` may be written as a reference in the generated module."""
    return (
        name.isascii()
        and name.isidentifier()
        and not keyword.iskeyword(name)
        and not keyword.issoftkeyword(name)
        and name not in _MODULE_NAMES
    )


def _shown(text: str) -> str:
    """``text`` for a one-line message: backslashes, controls and non-ASCII escaped."""
    return ascii(text)[1:-1]


def _literal(value: str) -> str:
    """A Python string literal for ``value``: one line of printable ASCII.

    ``ascii()`` rather than ``repr()``: repr keeps printable non-ASCII, and the
    module is easier to trust when it is ASCII throughout.
    """
    text = ascii(value)
    # Cannot fail for a str; checked because a literal that decodes to something
    # else would be code, not data.
    if not text.isprintable() or not text.isascii() or ast.literal_eval(text) != value:
        raise StubError(f"cannot write {text} as a string literal")
    return text


def _doc(value: str) -> str:
    """``value`` for inside a ``\"\"\"`` docstring, escaped as in a string literal.

    Printable ASCII stays readable; a backslash or a double quote (which could
    end the docstring) is escaped, and anything else (controls, line and
    paragraph separators, bidirectional and other format characters, all
    non-ASCII) is written as a ``\\x``, ``\\u`` or ``\\U`` escape, so that
    ``__doc__`` still holds the page's text.
    """
    return "".join(map(_doc_char, value))


def _doc_char(ch: str) -> str:
    if ch == '"':
        return '\\"'
    return ch if " " <= ch <= "~" and ch != "\\" else ascii(ch)[1:-1]


# -- the type map ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CtypesType:
    """A checked ctypes type: a simple type's name (``None`` for void) and a pointer depth."""

    name: str
    pointers: int = 0

    def expr(self) -> str:
        """The expression in the generated module, e.g. ``ctypes.POINTER(ctypes.c_int)``."""
        out = "None" if self.name == "None" else f"ctypes.{self.name}"
        for _ in range(self.pointers):
            out = f"ctypes.POINTER({out})"
        return out

    def __str__(self) -> str:
        return self.name + "*" * self.pointers


def _ctypes_simple(name: str) -> bool:
    """Whether ``name`` is one of ctypes' simple types (``c_int``, ``c_uint32``, ``c_void_p``)."""
    if not (name.startswith("c_") and _identifier(name)):
        return False
    cls = getattr(ctypes, name, None)
    return isinstance(cls, type) and issubclass(cls, ctypes._SimpleCData)


_POINTER = re.compile(r"(?:ctypes\.)?POINTER\((.*)\)", re.ASCII | re.DOTALL)


def ctypes_type(text: str) -> CtypesType:
    """Check a ctypes type as a user writes it; anything unexpected is a StubError.

    Accepted: a ctypes simple type (``c_int``, ``ctypes.c_uint32``), ``None``
    for void, and pointers to a simple type as ``POINTER(c_int)`` or
    ``c_int*`` (both nest).  The name is looked up in ctypes itself, so the
    stub can only ever say ``ctypes.<a simple type>``.
    """
    rest = text.strip()
    pointers = 0
    while True:
        if m := _POINTER.fullmatch(rest):
            rest = m.group(1).strip()
        elif rest.endswith("*"):
            rest = rest[:-1].rstrip()
        else:
            break
        pointers += 1
    rest = rest.removeprefix("ctypes.")
    if rest == "None" and not pointers:
        return CtypesType("None")
    if not _ctypes_simple(rest):
        raise StubError(
            f"{text!a} is not a ctypes type: want a ctypes simple type such as"
            " c_uint32, None, or a pointer to one as POINTER(c_int) or c_int*"
        )
    return CtypesType(rest, pointers)


def c_type_name(text: str) -> str:
    """Check a C type name as a type-map key and return it as cdecl renders it.

    Words that are C identifiers (an optional ``struct``, ``union`` or ``enum``
    tag first, followed by one), then optional ``*``s: ``sctp_assoc_t``,
    ``unsigned long``, ``struct sockaddr *``.
    """
    words = text.replace("*", " * ").split()
    stars = len(words) - len(names := [w for w in words if w != "*"])
    ok = (
        bool(names)
        and words[len(names) :] == ["*"] * stars
        and all(_C_IDENT.fullmatch(w) for w in names)
        and all(w not in _C_TAGS for w in names[1:])
        and (names[0] not in _C_TAGS or len(names) == 2)
    )
    if ok:
        try:
            param = parse_param(text, typedefs=frozenset(names[:1]))
        except DeclError:
            pass
        else:
            if param.name is None:  # "sctp_assoc_t id" declares a parameter, not a type
                return param.type.render()
    raise StubError(
        f"{text!a} is not a C type name: want words that are C identifiers"
        " (e.g. sctp_assoc_t, unsigned long, struct sockaddr), optionally followed by *"
    )


def parse_type_option(item: str) -> tuple[str, str]:
    """Check a ``--type NAME=CTYPE`` option; the C name and the ctypes type, normalised."""
    name, sep, ctype = item.partition("=")
    if not sep:
        raise StubError(f"--type wants NAME=CTYPE, not {item!a}")
    try:
        return c_type_name(name), str(ctypes_type(ctype))
    except StubError as exc:
        raise StubError(f"--type {item!a}: {exc}") from None


def type_table(types: Mapping[str, str] | None = None) -> dict[str, CtypesType]:
    """The default type map extended by ``types``, every entry checked."""
    table: dict[str, CtypesType] = {}
    for name, ctype in [*DEFAULT_TYPES.items(), *(types or {}).items()]:
        try:
            table[c_type_name(name)] = ctypes_type(ctype)
        except StubError as exc:
            raise StubError(f"type map entry {name!a}: {exc}") from None
    return table


def ctype_expr(t: CType, types: Mapping[str, CtypesType], where: str) -> str:
    """The ctypes expression for a C type, e.g. ``ctypes.POINTER(ctypes.c_uint32)``."""
    if not t.derived:
        mapped = types.get(t.base)
        if mapped is None:
            raise StubError(f"{where}: no ctypes mapping for C type {t.render()!a}")
        return mapped.expr()
    if (mapped := types.get(t.render())) is not None:
        return mapped.expr()  # the map names this pointer type itself
    d = t.derived[0]
    if d.kind in ("ptr", "array"):
        inner = t.pointee()
        if not inner.derived and inner.base == "char":
            return "ctypes.c_char_p"
        if not inner.derived and (
            inner.base == "void" or inner.base.startswith(("struct ", "union "))
        ):
            # Opaque data: the binding packs or allocates the bytes itself.
            return "ctypes.c_void_p"
        if inner.derived and inner.derived[0].kind == "func":
            raise StubError(f"{where}: function pointer {t.render()!a} is not supported")
        return f"ctypes.POINTER({ctype_expr(inner, types, where)})"
    raise StubError(f"{where}: no ctypes mapping for C type {t.render()!a}")


# -- the pages ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Proto:
    function: Function
    restype: str
    argtypes: tuple[str, ...]
    page: str


def _where(spec: Spec, line: int) -> str:
    return f"{_shown(spec.source)}:{line}"


def _protos(specs: Sequence[Spec], types: Mapping[str, CtypesType]) -> list[_Proto]:
    out: list[_Proto] = []
    # Every table is keyed by function name: a second page (or a second
    # prototype) for one name would be a duplicate key, which Python keeps
    # silently, the last one winning.  Which page is the contract is the
    # user's choice, so both places are named and nothing is written.
    first: dict[str, str] = {}
    for spec in specs:
        for fn in spec.functions:
            where = _where(spec, fn.line)
            if not _C_IDENT.fullmatch(fn.name):
                raise StubError(f"{where}: function name {fn.name!a} is not a C identifier")
            if fn.name in first:
                raise StubError(
                    f"{where}: function {fn.name} is documented at {first[fn.name]} too;"
                    " generate the stub from one page per function"
                )
            first[fn.name] = where
            try:
                ret = parse_param(fn.return_type).type
                params = [parse_param(p.type).type for p in fn.parameters]
            except DeclError as exc:
                raise StubError(f"{where}: {str(exc)!a}") from None
            args = tuple(ctype_expr(p, types, where) for p in params)
            out.append(_Proto(fn, ctype_expr(ret, types, where), args, spec.source))
    return out


def _exception(spec: Spec, name: str, line: int) -> str:
    """The exception class for errno ``name``: a builtin OSError, from a fixed table.

    A name that is a C identifier but no errno we know (a platform's own, or a
    typo the lint reports) maps to OSError and stays only a string key: the
    page still documents it, and the stub stays generable.  A name that is not
    a C identifier cannot be an errno macro at all; writing it down would make
    ERRORS lie, so it is refused like an unmapped type.
    """
    if not _C_IDENT.fullmatch(name):
        raise StubError(f"{_where(spec, line)}: errno name {name!a} is not a C identifier")
    cls = exception_name(name)
    if not (_identifier(cls) and _is_oserror(getattr(builtins, cls, None))):
        raise StubError(f"{_where(spec, line)}: {cls!a} is not a builtin OSError class")
    return cls


def _is_oserror(obj: object) -> bool:
    return isinstance(obj, type) and issubclass(obj, OSError)


def _page_name(spec: Spec) -> str:
    name = spec.names[0] if spec.names else (spec.title or "page").lower()
    return f"{name}({spec.section})" if spec.section else name


def _file_name(spec: Spec) -> str:
    return spec.source.rsplit("/", 1)[-1]


def _one_file_per_name(specs: Sequence[Spec]) -> None:
    """SOURCES is keyed by file name: two pages of one name would leave one hash."""
    seen: dict[str, str] = {}
    for spec in specs:
        name = _file_name(spec)
        if name in seen:
            raise StubError(
                f"{_shown(spec.source)}: a page named {_literal(name)} is given already"
                f" ({_shown(seen[name])}); SOURCES names each page once"
            )
        seen[name] = spec.source


# -- the module -----------------------------------------------------------------------------

#: The module's functions: fixed text that no page reaches.
_RUNTIME = '''

def error(function: str, err: int) -> OSError:
    """The exception for ``err`` from ``function``: documented or not."""
    name = errno.errorcode.get(err, f"errno {err}")
    entry = ERRORS.get(function, {}).get(name)
    page = PAGES.get(function, function)
    reason = os.strerror(err)
    if entry is not None:
        cls, condition = entry
        exc = cls(err, f"{reason} [{name}: {condition}]")
    else:
        exc = OSError(err, f"{reason} [{name}: not documented in {page}]")
        condition = None
    exc.function = function  # type: ignore[attr-defined]
    exc.condition = condition  # type: ignore[attr-defined]
    exc.documented = entry is not None  # type: ignore[attr-defined]
    return exc


def raise_errno(function: str, err: int) -> NoReturn:
    raise error(function, err)


def _errcheck(function: str) -> Any:
    failure = FAILURE.get(function)

    def errcheck(result: Any, func: Any, args: tuple[Any, ...]) -> Any:
        if result == failure:
            raise_errno(function, ctypes.get_errno())
        return result

    return errcheck


def bind(func: Any, name: str) -> Any:
    """Give a ctypes function pointer the documented prototype and error check.

    The library must be loaded with ``use_errno=True``.
    """
    restype, argtypes = PROTOTYPES[name]
    func.restype = restype
    func.argtypes = argtypes
    if name in FAILURE:
        func.errcheck = _errcheck(name)
    return func
'''

#: The ``.pyi`` after its docstring: fixed text too.
_PYI = """
from typing import Any, NoReturn

SOURCES: dict[str, str]
PAGES: dict[str, str]
ERRORS: dict[str, dict[str, tuple[type[OSError], str]]]
PROTOTYPES: dict[str, tuple[Any, tuple[Any, ...]]]
DECLARATIONS: dict[str, str]
FAILURE: dict[str, int | None]

def error(function: str, err: int) -> OSError: ...
def raise_errno(function: str, err: int) -> NoReturn: ...
def bind(func: Any, name: str) -> Any: ...
"""

#: The failure values RETURN VALUES can name, as Python values.
_FAILURE_VALUES: Mapping[str, str] = {"-1": "-1", "0": "0", "NULL": "None"}


def generate(specs: Sequence[Spec], types: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The module source and its ``.pyi`` for these pages' specs."""
    table = type_table(types)
    _one_file_per_name(specs)
    protos = _protos(specs, table)
    sources = ", ".join(_file_name(s) for s in specs)
    doc = [
        f"ctypes prototypes and error checks for {', '.join(_page_name(s) for s in specs)}.",
        "",
        f"Generated by mdoc2rst {__version__} from the manual page(s) {sources}.",
        "Do not edit: regenerate with ``mdoc2rst stub``; a test fails when this",
        "file no longer matches its pages.",
        "",
    ]
    lines = [
        '"""' + "\n".join(_doc(d) for d in doc) + '"""',
        "",
        "from __future__ import annotations",
        "",
        "import ctypes",
        "import errno",
        "import os",
        "from typing import Any, NoReturn",
        "",
        "#: The pages this module was generated from, with the SHA-256 of each.",
        "SOURCES: dict[str, str] = {",
    ]
    for s in specs:
        lines.append(f"    {_literal(_file_name(s))}: {_literal(s.sha256 or '')},")
    lines += [
        "}",
        "",
        "#: function -> manual page that documents it.",
        "PAGES: dict[str, str] = {",
    ]
    for s in specs:
        for fn in s.functions:
            lines.append(f"    {_literal(fn.name)}: {_literal(_page_name(s))},")
    lines += [
        "}",
        "",
        "#: function -> errno name -> (exception class, condition the page documents).",
        "ERRORS: dict[str, dict[str, tuple[type[OSError], str]]] = {",
    ]
    for s in specs:
        for fn in s.functions:
            lines.append(f"    {_literal(fn.name)}: {{")
            for name, (condition, line) in s.conditions().items():
                cls = _exception(s, name, line)
                lines.append(f"        {_literal(name)}: ({cls}, {_literal(condition)}),")
            lines.append("    },")
    lines += [
        "}",
        "",
        "#: function -> (restype, argtypes), from the SYNOPSIS prototypes.",
        "PROTOTYPES: dict[str, tuple[Any, tuple[Any, ...]]] = {",
    ]
    for p in protos:
        args = ", ".join(p.argtypes) + ("," if len(p.argtypes) == 1 else "")
        lines.append(f"    {_literal(p.function.name)}: ({p.restype}, ({args})),")
    lines += [
        "}",
        "",
        "#: function -> the C prototype as the page documents it.",
        "DECLARATIONS: dict[str, str] = {",
    ]
    for p in protos:
        lines.append(f"    {_literal(p.function.name)}: {_literal(p.function.prototype)},")
    lines += [
        "}",
        "",
        "#: function -> the return value that signals failure (RETURN VALUES).",
        "FAILURE: dict[str, int | None] = {",
    ]
    for s in specs:
        rv = s.return_values
        value = _FAILURE_VALUES.get(rv.failure or "") if rv is not None else None
        for fn in s.functions:
            if value:
                lines.append(f"    {_literal(fn.name)}: {value},")
    lines.append("}")
    module = "\n".join(lines) + "\n" + _RUNTIME
    pyi_doc = f"Type stub for the generated module (from {sources})."
    pyi = f'"""{_doc(pyi_doc)}"""\n' + _PYI
    _check_module(module, "\n".join(doc))
    _check_pyi(pyi, pyi_doc)
    return module, pyi


# -- the last check -------------------------------------------------------------------------

_TABLES = ("SOURCES", "PAGES", "ERRORS", "PROTOTYPES", "DECLARATIONS", "FAILURE")
_SHAPE = (
    "doc", "from __future__ import annotations", "import ctypes", "import errno", "import os",
    "from typing import Any, NoReturn", *(f"{t} =" for t in _TABLES),
    "def error", "def raise_errno", "def _errcheck", "def bind",
)  # fmt: skip


def _statement(node: ast.stmt) -> str:
    """One top-level statement reduced to what the shape check compares."""
    match node:
        case ast.Expr(value=ast.Constant(value=str())):
            return "doc"
        case ast.Import(names=names):
            return "import " + ", ".join(a.name for a in names if a.asname is None)
        case ast.ImportFrom(module=module, names=names, level=0):
            return f"from {module} import " + ", ".join(a.name for a in names if a.asname is None)
        case ast.AnnAssign(target=ast.Name(id=name), value=ast.AST() as value):
            return f"{name} =" if _data(value) else f"{name} = <code>"
        case ast.FunctionDef(name=name, decorator_list=[]):
            return f"def {name}"
    return type(node).__name__


def _data(node: ast.AST) -> bool:
    """Whether a table's value holds only literals, exception classes and ctypes types."""
    match node:
        case ast.Constant(value=None | str() | int()):
            return not isinstance(node.value, bool)
        case ast.UnaryOp(op=ast.USub(), operand=ast.Constant(value=int())):
            return True
        case ast.Dict(keys=keys, values=values):
            # A repeated key would drop an entry without a word.
            unique = len({ast.dump(k) for k in keys if k is not None}) == len(keys)
            return (
                unique
                and all(k is not None and _data(k) for k in keys)
                and all(map(_data, values))
            )
        case ast.Tuple(elts=elts):
            return all(map(_data, elts))
        case ast.Name(id=name):
            return _is_oserror(getattr(builtins, name, None))
        case ast.Attribute(value=ast.Name(id="ctypes"), attr=attr):
            return _ctypes_simple(attr)
        case ast.Call(
            func=ast.Attribute(value=ast.Name(id="ctypes"), attr="POINTER"),
            args=[arg],
            keywords=[],
        ):
            return _data(arg)
    return False


def _check_module(source: str, doc: str) -> None:
    """Parse the generated module back and compare it with the template's shape.

    The emitters above make a mismatch impossible; this is the belt to their
    braces, so that a future edit that pastes page text fails here, loudly.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise StubError(f"generated module does not parse: {exc}") from None
    shape = tuple(_statement(n) for n in tree.body)
    problems = [
        f"{got!r} where the template has {want!r}"
        for got, want in zip(shape, _SHAPE, strict=False)
        if got != want
    ]
    if len(shape) != len(_SHAPE):
        problems.append(f"{len(shape)} statements where the template has {len(_SHAPE)}")
    if not source.isascii() or any(not (c.isprintable() or c == "\n") for c in source):
        problems.append("a character that is not printable ASCII")
    if ast.get_docstring(tree, clean=False) != doc:
        problems.append("a docstring that does not say what was written")
    runtime = ast.parse(_RUNTIME).body
    if [ast.dump(n) for n in tree.body[-len(runtime) :]] != [ast.dump(n) for n in runtime]:
        problems.append("functions that differ from the template's")
    if problems:
        raise StubError("generated module failed its own check: " + "; ".join(problems))


def _check_pyi(source: str, doc: str) -> None:
    """The ``.pyi`` is its docstring and the fixed text, and nothing else."""
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise StubError(f"generated .pyi does not parse: {exc}") from None
    body = [ast.dump(n) for n in tree.body[1:]]
    if (
        not source.isascii()
        or ast.get_docstring(tree, clean=False) != doc
        or body != [ast.dump(n) for n in ast.parse(_PYI).body]
    ):
        raise StubError("generated .pyi failed its own check")
