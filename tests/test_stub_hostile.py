"""Hostile pages against the generated stub: page text stays data, never code.

The stub is a module that users import, and nearly all of it comes from page
text.  Every hostile page here (the ``tests/hostile/stub-*.mdoc`` pages, a
hostile file name, and pages generated with a hostile value in each slot
the stub reads) either fails with a StubError naming the page and line, or
yields a module that is printable ASCII, parses, and imports in a child
process under an audit hook that allows nothing beyond importing that file.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from mdoc2rst import parse
from mdoc2rst.contract.spec import Spec, extract, extract_file
from mdoc2rst.contract.stub import StubError, generate, parse_type_option

HOSTILE = Path(__file__).parent / "hostile"
PAGES = sorted(HOSTILE.glob("stub-*.mdoc"))

#: Stored pages the stub must refuse -> the start of the error (file name and line).
REFUSED = {
    "stub-errno-code": r"stub-errno-code\.mdoc:17: errno name ",
    "stub-funcname": r"stub-funcname\.mdoc:11: function name ",
}

# The child imports what a stub imports before it installs the hook, so that the
# stub's own import may raise only the events of finding, reading, compiling and
# running its one file; every other event (open, exec, import, os.system,
# subprocess.Popen, ctypes.dlopen, ...) is reported.
CHILD = r"""
import __future__, collections, ctypes, errno, json, os, sys, typing
import importlib.util

events = []
sys.addaudithook(lambda event, args: events.append((event, args)))


def expected(event, args, name, directory, source, cache):
    if event == "import":
        return args[0] == name and "import"
    if event == "os.listdir":
        return os.fspath(args[0]) == directory and "listdir"
    if event == "open" and args[1] == "r":
        return {source: "open source", cache: "open cache"}.get(args[0], False)
    if event == "compile":
        return args[1] == source and "compile"
    if event == "exec":
        return getattr(args[0], "co_filename", None) == source and "exec"
    return False


AT_MOST = {"import": 1, "listdir": 1, "open source": 1, "open cache": 1, "compile": 1, "exec": 1}
reports = []
for directory, name in zip(sys.argv[2::2], sys.argv[3::2]):
    source = os.path.join(directory, name + ".py")
    cache = importlib.util.cache_from_source(source)
    sys.path.insert(0, directory)
    error = None
    del events[:]
    try:
        module = __import__(name)
    except BaseException as exc:
        module, error = None, repr(exc)
    seen = list(events)
    sys.path.remove(directory)
    kinds = [expected(event, args, name, directory, source, cache) for event, args in seen]
    counts = collections.Counter(k for k in kinds if k)
    unexpected = [f"{e} {a!r}"[:300] for (e, a), k in zip(seen, kinds) if not k]
    unexpected += [f"{k} x{n}" for k, n in counts.items() if n > AT_MOST[k]]
    if counts["exec"] != 1:
        unexpected.append(f"the stub ran {counts['exec']} times")
    data = {}
    if module is not None:
        data["names"] = sorted(k for k in vars(module) if not k.startswith("__"))
    if hasattr(module, "ERRORS"):
        data |= {
            "doc": module.__doc__,
            "PAGES": module.PAGES,
            "DECLARATIONS": module.DECLARATIONS,
            "ERRORS": {
                f: {e: [cls.__name__, cond] for e, (cls, cond) in errs.items()}
                for f, errs in module.ERRORS.items()
            },
        }
    reports.append({"error": error, "unexpected": unexpected, **data})
with open(sys.argv[1], "w") as out:
    json.dump(reports, out)
"""

#: What the generated module binds, and nothing else.
NAMES = sorted(
    [
        *("annotations", "ctypes", "errno", "os", "Any", "NoReturn"),
        *("SOURCES", "PAGES", "ERRORS", "PROTOTYPES", "DECLARATIONS", "FAILURE"),
        *("error", "raise_errno", "_errcheck", "bind"),
    ]
)


def import_in_child(modules: list[str], tmp_path: Path) -> list[dict[str, Any]]:
    """Import each module source in one child process; one report per module."""
    report = tmp_path / "imports.json"
    argv: list[str] = [str(report)]
    for i, source in enumerate(modules):
        directory = tmp_path / f"import{i}"
        directory.mkdir()
        (directory / f"hostile_stub_{i}.py").write_text(source, encoding="utf-8")
        argv += [str(directory), f"hostile_stub_{i}"]
    proc = subprocess.run(
        [sys.executable, "-I", "-B", "-c", CHILD, *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    reports: list[dict[str, Any]] = json.loads(report.read_text(encoding="utf-8"))
    assert proc.stdout == "", reports  # os.system's output, say
    return reports


def assert_safe_text(source: str) -> None:
    """Printable ASCII: no control, format (bidi), or line-separator character."""
    assert source.isascii()
    bad = [c for c in source if c != "\n" and unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp")]
    assert bad == []
    ast.parse(source)


def assert_refusal(exc: StubError, source: str) -> None:
    message = str(exc)
    assert message.isascii() and message.isprintable(), message
    assert message.startswith(ascii(source)[1:-1] + ":"), message
    assert re.match(r"\d+: ", message[len(ascii(source)) - 1 :]), message


def page_name(spec: Spec) -> str:
    name = spec.names[0] if spec.names else (spec.title or "page").lower()
    return f"{name}({spec.section})" if spec.section else name


def assert_faithful(report: dict[str, Any], spec: Spec) -> None:
    """The imported stub holds the page's text as written: escaped, not lost."""
    assert report["error"] is None
    assert report["unexpected"] == []
    assert report["names"] == NAMES
    functions = [f.name for f in spec.functions]
    assert list(report["PAGES"]) == functions
    name = page_name(spec)
    assert set(report["PAGES"].values()) <= {name}
    assert name in report["doc"]
    assert report["DECLARATIONS"] == {f.name: f.prototype for f in spec.functions}
    conditions: dict[str, str] = {}
    for e in spec.errors:
        conditions.setdefault(e.name, e.condition)
    for errors in report["ERRORS"].values():
        assert {e: cond for e, (_, cond) in errors.items()} == conditions


# -- the stored pages -----------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_stored_page_is_refused_or_safe(page: Path, tmp_path: Path) -> None:
    spec = extract_file(page)
    if page.stem in REFUSED:
        with pytest.raises(StubError, match=REFUSED[page.stem]) as info:
            generate([spec])
        assert_refusal(info.value, spec.source)
        return
    module, pyi = generate([spec])
    assert_safe_text(module)
    assert_safe_text(pyi)
    [report] = import_in_child([module], tmp_path)
    assert_faithful(report, spec)


def test_section_that_was_code_is_text(tmp_path: Path) -> None:
    """Before the fix this page's section ended the docstring and ran os.system."""
    spec = extract_file(HOSTILE / "stub-docstring.mdoc")
    module, _ = generate([spec])
    assert "__import__('os').system('echo PWNED')" in (spec.section or "")
    [report] = import_in_child([module], tmp_path)
    assert report["unexpected"] == [] and spec.section in report["doc"]
    assert report["ERRORS"]["stub_docstring"]["EINVAL"] == ["OSError", "'''; Y = {1: { #"]
    assert "\u202e" in report["doc"] and "\u202e" not in module  # escaped, not dropped


def test_python_names_stay_strings(tmp_path: Path) -> None:
    module, _ = generate([extract_file(HOSTILE / "stub-names.mdoc")])
    [report] = import_in_child([module], tmp_path)
    assert list(report["PAGES"]) == ["class", "ctypes", "os", "bind"]
    errors = report["ERRORS"]["class"]
    # Unknown errno names keep their entry, as plain OSError; known ones their class.
    assert errors["class"][0] == errors["EFOO"][0] == errors["ctypes"][0] == "OSError"
    assert errors["ECONNREFUSED"][0] == "ConnectionRefusedError"


def test_command_line_refuses_in_one_line() -> None:
    page = HOSTILE / "stub-errno-code.mdoc"
    proc = subprocess.run(
        [sys.executable, "-m", "mdoc2rst", "stub", str(page)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 3 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "stub-errno-code.mdoc:17: errno name" in proc.stderr


# -- a hostile file name --------------------------------------------------------------------

#: Before the fix, these two together ran os.system at import: the file name ends
#: the docstring on its own line and opens a string that the page name closes.
EVIL_FILE = (
    'a"""\nfrom __future__ import annotations\n__import__("os").system("echo PWNED")\nX = \'\'\''
)
EVIL_NAME = "'''; Y = { #"


def test_file_name_is_text(tmp_path: Path) -> None:
    path = tmp_path / EVIL_FILE
    path.write_text(
        ".Dd May 1, 2020\n.Dt EVIL 3\n.Os\n.Sh NAME\n"
        f'.Nm "{EVIL_NAME}" evil\n.Nd x\n.Sh SYNOPSIS\n.Ft int\n.Fn evil "int a"\n'
        ".Sh RETURN VALUES\n.Rv -std evil\n",
        encoding="utf-8",
    )
    spec = extract_file(path)
    module, pyi = generate([spec])
    assert_safe_text(module)
    assert_safe_text(pyi)
    [report] = import_in_child([module], tmp_path)
    assert_faithful(report, spec)
    assert EVIL_FILE in report["doc"]


def test_file_name_in_an_error_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / EVIL_FILE
    path.write_bytes((HOSTILE / "stub-errno-code.mdoc").read_bytes())
    with pytest.raises(StubError) as info:
        generate([extract_file(path)])
    assert_refusal(info.value, str(path))
    assert "\n" not in str(info.value) and ":17: errno name " in str(info.value)


# -- a hostile value in every slot ----------------------------------------------------------

TEMPLATE = """\
.Dd May 1, 2020
.Dt {title} {section}
.Os
.Sh NAME
.Nm {name}
.Nd hostile values in every slot
.Sh SYNOPSIS
.Ft int
.Fo {function}
.Fa "{ptype} *{param}"
.Fc
.Sh RETURN VALUES
.Rv -std
.Sh ERRORS
.Bl -tag -width Er
.It Bq Er {errno}
\\&{condition}
.El
"""
DEFAULTS = {
    "title": "HOSTILE",
    "section": "3",
    "name": "hostile",
    "function": "hostile",
    "ptype": "int",
    "param": "fd",
    "errno": "EINVAL",
    "condition": "A condition.",
}
#: Values as roff source: code, quotes, escapes, Trojan Source, names Python binds.
VALUES = [
    r"\(dq\(dq\(dq;__import__(\(aqos\(aq).system(\(aqecho PWNED\(aq);\(dq\(dq\(dq",
    r"\(aq\(aq\(aq; Y = {1: { #",
    'q""""""q',
    r"\(aq); __import__(\(aqos\(aq).system(\(aqecho PWNED\(aq); (\(aq",
    r"EFOO);__import__('os').system('echo PWNED');(",
    r"\[u202E]\[u2066]trojan\[u2069]\[u202C]",
    r"line\[u2028]sep\[u2029]arator\[u0085]next",
    r"zero\[u200B]width\[uFEFF]\[u00AD]\[u061C]",
    r"back\e\eslash\eN{",
    r"x\[u00B2]",
    "class",
    "None",
    "ctypes",
    "errno",
    "os",
    "OSError",
    "Any",
    "__import__",
    "bind",
]


def quoted(slot: str, value: str) -> str:
    # Quote the arguments that are one word by design; the others take the value raw.
    return f'"{value}"' if slot in ("title", "section", "name") else value


@pytest.mark.parametrize("slot", sorted(DEFAULTS))
def test_hostile_value_in_slot(slot: str, tmp_path: Path) -> None:
    modules: list[str] = []
    specs: list[Spec] = []
    for i, value in enumerate(VALUES):
        text = TEMPLATE.format(**{**DEFAULTS, slot: quoted(slot, value)})
        if slot == "title":
            text = text.replace(".Nm hostile\n", "")  # the stub names a page by its title then
        spec = extract(parse(text, f"slot-{slot}-{i}.3"), text.encode())
        try:
            module, pyi = generate([spec])
        except StubError as exc:
            assert_refusal(exc, spec.source)
            continue
        assert_safe_text(module)
        assert_safe_text(pyi)
        modules.append(module)
        specs.append(spec)
    assert modules  # most values are data in every slot
    for report, spec in zip(import_in_child(modules, tmp_path), specs, strict=True):
        assert_faithful(report, spec)


# -- the check itself -----------------------------------------------------------------------

TAMPERED = [
    '"""x"""\nimport subprocess\n',
    '"""x"""\n__import__("os").system("true")\n',
    '"""x"""\nopen(__file__).close()\n',
    '"""x"""\nexec("y = 1")\n',
    '"""x"""\nimport ctypes\nctypes.CDLL(None)\n',
]


def test_the_audit_check_catches_code(tmp_path: Path) -> None:
    for report in import_in_child(TAMPERED, tmp_path):
        assert report["unexpected"], report


def test_generate_checks_its_own_output(monkeypatch: pytest.MonkeyPatch) -> None:
    """With string literals pasted as the old generator did, the shape check fails."""
    import mdoc2rst.contract.stub

    monkeypatch.setattr(mdoc2rst.contract.stub, "_literal", lambda value: f"'{value}'")
    text = TEMPLATE.format(
        **{**DEFAULTS, "condition": "x'), 'k': __import__('os').system('echo PWNED'), 'j': ('"}
    )
    spec = extract(parse(text, "tampered.3"))
    with pytest.raises(StubError, match="failed its own check: 'ERRORS = <code>'"):
        generate([spec])


# -- --type NAME=CTYPE ----------------------------------------------------------------------

ACCEPTED = {
    "sctp_assoc_t=c_uint32": ("sctp_assoc_t", "c_uint32"),
    " widget_id_t = ctypes.c_uint64 ": ("widget_id_t", "c_uint64"),
    "handle_t=None": ("handle_t", "None"),
    "unsigned   long=c_ulong": ("unsigned long", "c_ulong"),
    "struct widget=c_int": ("struct widget", "c_int"),
    "buf_t=POINTER(c_char)": ("buf_t", "c_char*"),
    "buf_t=ctypes.POINTER(ctypes.POINTER(c_int))": ("buf_t", "c_int**"),
    "buf_t=c_uint8 **": ("buf_t", "c_uint8**"),
    "buf_t=POINTER(c_int)*": ("buf_t", "c_int**"),
    "widget_t*=c_void_p": ("widget_t *", "c_void_p"),
}

REFUSED_TYPES = [
    '__import__("os").system("id")',
    'x=__import__("os").system("id")',
    "x=c_int; import os",
    "x=c_int\nimport os",
    "x=POINTER(os)",
    "x=POINTER(c_int",
    "x=c_int)(",
    "x=c_int * 2",
    "x=c_int.__class__",
    "x=",
    "=c_int",
    "",
    "=",
    "x=c_nope",
    "x=os",
    "x=py_object",
    "x=_SimpleCData",
    "x=None*",
    "x y=c_int",
    "struct=c_int",
    "struct a b=c_int",
    "x;y=c_int",
    "x*y=c_int",
    "x\u202e=c_int",
    "x\x1b[31m=c_int",
    "x\u00b2=c_int",
]


@pytest.mark.parametrize("item", sorted(ACCEPTED))
def test_type_option_accepts(item: str) -> None:
    assert parse_type_option(item) == ACCEPTED[item]


@pytest.mark.parametrize("item", REFUSED_TYPES, ids=[ascii(i) for i in REFUSED_TYPES])
def test_type_option_refuses(item: str) -> None:
    with pytest.raises(StubError) as info:
        parse_type_option(item)
    message = str(info.value)
    assert message.startswith("--type ") and message.isascii() and message.isprintable()


@pytest.mark.parametrize("item", ['x=__import__("os").system("id")', "x=c_int; import os", "x"])
def test_command_line_refuses_type_in_one_line(item: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "mdoc2rst", "stub", "--type", item, str(PAGES[0])],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 5 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("mdoc2rst stub: --type ")


WIDGET = (
    ".Dd May 1, 2020\n.Dt W 3\n.Os\n.Sh NAME\n.Nm w\n.Nd w\n.Sh SYNOPSIS\n"
    '.Ft int\n.Fn w "widget_t *w" "widget_id_t id"\n'
)


def test_type_map_from_the_library_is_checked_too() -> None:
    spec = extract(parse(WIDGET, "w.3"))
    with pytest.raises(StubError, match="type map entry 'widget_id_t'"):
        generate([spec], {"widget_t *": "c_void_p", "widget_id_t": "__import__('os')"})
    module, _ = generate([spec], {"widget_t *": "c_void_p", "widget_id_t": "POINTER(c_int)"})
    assert "'w': (ctypes.c_int, (ctypes.c_void_p, ctypes.POINTER(ctypes.c_int)))," in module
