"""The header check: documented prototypes compiled against real headers."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from oracle import require_tool, unavailable
from pytest import MonkeyPatch

from mdoc2rst import parse
from mdoc2rst.contract.headercheck import CompilerMissing, Limits, check, translation_unit
from mdoc2rst.contract.spec import Spec, extract, extract_file

SEED = Path(__file__).parent.parent / "docs" / "man3" / "sctp_connectx.3"

# The shape of FreeBSD's declaration: const on the address list, which the page lacks.
DISAGREEING = """\
typedef unsigned int sctp_assoc_t;
struct sockaddr;
int sctp_connectx(int, const struct sockaddr *, int, sctp_assoc_t *);
"""


def test_translation_unit_puts_prototypes_at_page_lines() -> None:
    tu = translation_unit(extract_file(SEED))
    assert "#include <netinet/sctp.h>" in tu
    assert f'#line 43 "{SEED}"' in tu


def test_seed_agrees_with_linux_libsctp_header() -> None:
    require_tool("cc")
    if not Path("/usr/include/netinet/sctp.h").exists():
        unavailable("libsctp-dev is not installed (apt-get install libsctp-dev)")
    result = check(extract_file(SEED))
    assert result.diagnostics == []


def test_disagreeing_header_is_a_conflict_at_the_page_line(tmp_path: Path) -> None:
    require_tool("cc")
    (tmp_path / "netinet").mkdir()
    (tmp_path / "netinet" / "sctp.h").write_text(DISAGREEING)
    result = check(extract_file(SEED), [str(tmp_path)])
    (d,) = [d for d in result.diagnostics if d.kind == "HEADER_CONFLICT"]
    assert (d.file, d.line, d.level.name) == (str(SEED), 43, "ERROR")
    assert "conflicting types for" in d.message and "sctp_connectx" in d.message
    assert "netinet/sctp.h:3" in d.message  # where the header declares it


def test_command_line(tmp_path: Path) -> None:
    require_tool("cc")
    (tmp_path / "netinet").mkdir()
    (tmp_path / "netinet" / "sctp.h").write_text(DISAGREEING)
    proc = subprocess.run(
        [sys.executable, "-m", "mdoc2rst", "check-header", str(SEED), "-I", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 3
    assert f"{SEED}:43:1: ERROR: conflicting types" in proc.stdout


# --- Hostile pages: what the page names must not reach the compiler ---------------------------

HOSTILE = Path(__file__).parent / "hostile"
HOSTILE_PAGES = sorted(HOSTILE.glob("header-*.mdoc"))
# Each line of a hostile page that the check refuses ends in a roff comment naming the kind.
EXPECT = re.compile(r'\\" expect: (\w+)$')
# Every line of a translation unit: a comment of ours, a checked #include, a #line
# naming the page, or one declaration of C declaration characters.
TU_LINE = re.compile(
    r'/\* [^*]*\*/|#include <[A-Za-z0-9_.+/-]+>|#line \d+ "[^"\\]*"'
    r"|[A-Za-z0-9_ *()\[\],.+<>&|~!^-]+;"
)
MARKER = "SECRET_7f3a9c_MARKER"


PAGE_HEAD = ".Dd May 1, 2020\n.Dt T 3\n.Os\n.Sh NAME\n.Nm t\n.Nd t\n.Sh SYNOPSIS\n"


def page(synopsis: str, name: str = "t.3") -> Spec:
    """The spec of a page whose SYNOPSIS, from line 8, is ``synopsis``."""
    return extract(parse(PAGE_HEAD + synopsis, name))


def assert_unit_is_clean(source: str) -> None:
    for line in source.splitlines():
        assert TU_LINE.fullmatch(line), line
    for bad in ("/etc", "/dev", "/proc", "..", "\u2028", "\u2029", MARKER):
        assert bad not in source


@pytest.mark.parametrize("path", HOSTILE_PAGES, ids=[p.stem for p in HOSTILE_PAGES])
def test_hostile_page_is_refused_at_its_lines(path: Path) -> None:
    require_tool("cc")
    expected = [
        (n, m.group(1))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if (m := EXPECT.search(line))
    ]
    result = check(extract_file(path))
    assert sorted((d.line, d.kind) for d in result.diagnostics) == expected
    assert all(d.file == str(path) and d.level.name == "ERROR" for d in result.diagnostics)
    assert_unit_is_clean(result.source)
    assert "#include <stddef.h>" in result.source  # what is fine is still compiled


@pytest.mark.parametrize(
    "line",
    [
        ".In /etc/passwd",
        ".In ../../../etc/shadow",
        ".In sys/../../etc/passwd",
        ".In /dev/zero",
        '.Fd #include "/etc/passwd"',
        ".Fd #include </proc/self/environ>",
        ".Fd #include <../x.h>",
        ".Fd #include FOO",
        ".Fd #include <a b>",
        '.In "a b"',
        ".In foo.h>",
        ".In x\\[u2028]y.h",
        ".In x\\[u0085]y.h",
        ".In sys//x.h",
        ".In /",
    ],
)
def test_refused_header_is_a_diagnostic_at_its_line_and_not_compiled(line: str) -> None:
    spec = page(f'{line}\n.In stddef.h\n.Ft int\n.Fn f "int a"\n')
    source = translation_unit(spec)
    assert_unit_is_clean(source)
    assert source.count("#include") == 1  # only <stddef.h>
    require_tool("cc")
    result = check(spec)
    (d,) = result.diagnostics
    assert (d.kind, d.file, d.line, d.level.name) == ("HEADER_NAME", "t.3", 8, "ERROR")
    assert "not compiled" in d.message and "\n" not in d.message and "\u2028" not in d.message


def test_fd_lines_other_than_include_are_not_compiled() -> None:
    spec = page(
        '.Fd #define X "/etc/passwd"\n.Fd #pragma GCC poison int\n.Fd #include_next <x.h>\n'
        '.Fd #include <stddef.h>\n.Ft int\n.Fn f "int a"\n'
    )
    source = translation_unit(spec)
    assert "#define" not in source and "#pragma" not in source and "x.h" not in source
    assert "#include <stddef.h>" in source


@pytest.mark.parametrize(
    "prototype",
    [
        "int f(void);\n#include </etc/passwd>\nint g(void)",
        "int f(int a)\u2028#include </etc/passwd>",
        "int f(int a) */ #include </etc/passwd> /*",
        "int f(int a) // x",
        'int f(char a["])',
        "int f(int a\\\n)",
        "int f(int a)\x00",
        "int f(int a[1 %:include </etc/passwd>])",
    ],
)
def test_prototype_that_would_inject_is_not_compiled(prototype: str) -> None:
    spec = page('.In stddef.h\n.Ft int\n.Fn f "int a"\n')
    fn = replace(spec.functions[0], prototype=prototype)
    spec = replace(spec, functions=[fn])
    source = translation_unit(spec)
    assert_unit_is_clean(source)
    assert "#line" not in source
    require_tool("cc")
    (d,) = check(spec).diagnostics
    assert (d.kind, d.line) == ("HEADER_PROTOTYPE", 10)


@pytest.mark.parametrize("name", ['we"ird.3', "new\nline.3", "back\\slash.3", "x*/y.3", "a:1:2.3"])
def test_page_name_cannot_end_the_comment_or_line_string(name: str) -> None:
    spec = page('.In stddef.h\n.Ft int\n.Fn f "int a"\n.Fn g "long a"\n', name)
    source = translation_unit(spec)
    assert_unit_is_clean(source)
    assert len(source.splitlines()) == 6  # the comment, the include, two #line, two prototypes
    require_tool("cc")
    result = check(spec, [])
    assert result.diagnostics == []


def test_conflict_is_reported_at_the_page_line_under_any_page_name(tmp_path: Path) -> None:
    require_tool("cc")
    (tmp_path / "x.h").write_text("long f(int);\n")
    spec = page('.In x.h\n.Ft int\n.Fn f "int a"\n', 'we"ird\n#include <x>.3')
    (d,) = check(spec, [str(tmp_path)]).diagnostics
    assert (d.kind, d.file, d.line) == ("HEADER_CONFLICT", spec.source, 10)
    assert "conflicting types for" in d.message and f"{tmp_path}/x.h:1" in d.message


def test_message_quoting_a_prototype_is_not_taken_for_the_compiler_failing(
    tmp_path: Path,
) -> None:
    require_tool("cc")
    (tmp_path / "x.h").write_text("long MemoryError(int);\n")
    spec = page('.In x.h\n.Ft int\n.Fn MemoryError "int a"\n')
    (d,) = check(spec, [str(tmp_path)]).diagnostics
    assert (d.kind, d.line) == ("HEADER_CONFLICT", 10)


# --- Nothing of a file's content comes back ---------------------------------------------------


def secret_setup(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A secret file, an include directory with broken headers, and a page naming all of them."""
    secret = tmp_path / "secret" / "secret.h"
    secret.parent.mkdir()
    secret.write_text(f"{MARKER} this is = not C;\n#error {MARKER}\n")
    inc = tmp_path / "inc"
    (inc / "sys").mkdir(parents=True)
    # A header under -I with a syntax error, an #error and a #warning quoting the marker,
    # and one that includes the secret: the user's headers, but their text stays out.
    (inc / "broken.h").write_text(
        f'int ok;\n{MARKER} x y z;\n#warning "{MARKER}"\n#error "{MARKER}"\n'
        f'#pragma message "{MARKER}"\nint bad = {MARKER};\n'
    )
    (inc / "sys" / "nested.h").write_text(f'#include "../../secret/secret.h"\nint {MARKER}2 +;\n')
    depth = "../" * len(inc.parts)
    rel = f"{depth}{str(secret).lstrip('/')}"
    synopsis = "".join(
        f"{line}\n"
        for line in (
            f".In {secret}",
            f".In {rel}",
            f".In sys/{rel}",
            f".In ../secret/{secret.name}",
            f'.Fd #include "{secret}"',
            f".Fd #include <{secret}>",
            f".Fd #include <{rel}>",
            ".In broken.h",
            ".In sys/nested.h",
            ".Ft int",
            '.Fn f "int a"',
        )
    )
    p = tmp_path / "page.3"
    p.write_text(PAGE_HEAD + synopsis)
    return secret, inc, p


def test_secret_content_never_comes_back(tmp_path: Path) -> None:
    require_tool("cc")
    secret, inc, p = secret_setup(tmp_path)
    assert MARKER in secret.read_text()
    result = check(extract_file(p), [str(inc)])
    text = "\n".join(str(d) for d in result.diagnostics)
    assert MARKER not in text and MARKER not in result.source
    refused = [d.line for d in result.diagnostics if d.kind == "HEADER_NAME"]
    assert refused == [8, 9, 10, 11, 12, 13, 14]
    errors = [d for d in result.diagnostics if d.kind == "HEADER_ERROR"]
    assert {d.line for d in errors} == {15, 16}  # at the .In lines of the broken headers
    assert any(f"{inc}/broken.h" in d.message for d in errors)
    # The user's header includes the secret: its place is named, never its text.
    assert any("secret/secret.h (from <sys/nested.h>)" in d.message for d in errors)

    proc = run_cli(str(p), "-I", str(inc), "--show")
    assert proc.returncode == 3
    assert MARKER not in proc.stdout and MARKER not in proc.stderr
    assert f"{p}:15:1: ERROR: " in proc.stdout


def test_failed_compiler_output_is_not_echoed(tmp_path: Path) -> None:
    cc = fake_compiler(tmp_path, f"echo 'cc1: internal {MARKER}' >&2; exit 1")
    (d,) = check(page(".In x.h\n"), compiler=cc).diagnostics
    assert d.kind == "HEADER_LIMIT" and "exit status 1" in d.message and MARKER not in d.message


def test_source_line_that_looks_like_a_message_is_not_trusted(tmp_path: Path) -> None:
    # A compiler that echoes source lines: a line of a file that reads like a
    # message must not become one (its "file" is no file).
    cc = fake_compiler(tmp_path, f"echo '    2 | {MARKER}:1:1: error: {MARKER}' >&2; exit 1")
    (d,) = check(page(".In x.h\n"), compiler=cc).diagnostics
    assert d.kind == "HEADER_LIMIT" and MARKER not in str(d)


# --- Limits -----------------------------------------------------------------------------------


def test_dev_zero_is_refused_at_once() -> None:
    require_tool("cc")
    start = time.monotonic()
    result = check(page(".In /dev/zero\n.Fd #include </dev/zero>\n"))
    assert time.monotonic() - start < 10
    assert [(d.kind, d.line) for d in result.diagnostics] == [
        ("HEADER_NAME", 8),
        ("HEADER_NAME", 9),
    ]


def test_device_under_an_include_dir_meets_the_memory_limit(tmp_path: Path) -> None:
    # The include directories are the user's choice; even there /dev/zero ends quickly.
    require_tool("cc")
    (tmp_path / "zero.h").symlink_to("/dev/zero")
    start = time.monotonic()
    result = check(page(".In zero.h\n"), [str(tmp_path)], limits=Limits(seconds=20))
    assert time.monotonic() - start < 20
    assert "ran out of memory" in result.diagnostics[-1].message


def test_fifo_header_meets_the_time_limit(tmp_path: Path) -> None:
    require_tool("cc")
    os.mkfifo(tmp_path / "fifo.h")
    start = time.monotonic()
    result = check(page(".In fifo.h\n"), [str(tmp_path)], limits=Limits(seconds=2))
    assert time.monotonic() - start < 10
    (d,) = result.diagnostics
    assert (d.kind, d.level.name, d.file) == ("HEADER_LIMIT", "ERROR", "t.3")
    assert d.message == "the compiler ran out of time (2 s) and was stopped"


def fake_compiler(tmp_path: Path, body: str, shell: str = "/bin/sh") -> str:
    """A script for CC: answers --version, then runs ``body`` as the compiler."""
    cc = tmp_path / "fakecc"
    if shell == "/bin/sh":
        cc.write_text(
            f'#!/bin/sh\ncase "$1" in --version) echo fakecc 1.0; exit 0;; esac\n{body}\n'
        )
    else:
        cc.write_text(
            f'#!{shell}\nimport sys\nif "--version" in sys.argv:\n    print("fakecc 1.0")\n'
            f"    sys.exit(0)\n{body}\n"
        )
    cc.chmod(0o755)
    return str(cc)


def test_compiler_that_sleeps_forever_is_stopped(tmp_path: Path) -> None:
    # It leaves a child behind in the background, as a driver leaves cc1.
    pidfile = tmp_path / "pid"
    cc = fake_compiler(tmp_path, f"sleep 1000 &\necho $! > {pidfile}\nwait")
    start = time.monotonic()
    (d,) = check(page(".In stddef.h\n"), compiler=cc, limits=Limits(seconds=2)).diagnostics
    assert 2 <= time.monotonic() - start < 10
    assert (d.kind, d.message) == (
        "HEADER_LIMIT",
        "the compiler ran out of time (2 s) and was stopped",
    )
    child = Path(f"/proc/{pidfile.read_text().strip()}/stat")
    deadline = time.monotonic() + 5
    while child.exists() and ") Z " not in child.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not child.exists() or ") Z " in child.read_text()  # gone, or a zombie


def test_compiler_that_allocates_is_stopped_by_the_memory_limit(tmp_path: Path) -> None:
    # 2 GiB would be granted without the limit (the pages are never touched), so
    # the compiler would exit 0 and the test fail, harmlessly.
    cc = fake_compiler(tmp_path, "block = bytearray(2 << 30)\nprint(len(block))", sys.executable)
    limits = Limits(seconds=20, memory=512 << 20)
    (d,) = check(page(".In stddef.h\n"), compiler=cc, limits=limits).diagnostics
    assert (d.kind, d.message) == ("HEADER_LIMIT", "the compiler ran out of memory (512 MiB)")


def test_compiler_that_prints_without_end_is_stopped(tmp_path: Path) -> None:
    cc = fake_compiler(tmp_path, "yes 'x.h:1:1: error: y'")
    limits = Limits(seconds=20, output=1 << 20)
    result = check(page(".In x.h\n"), compiler=cc, limits=limits)
    assert result.diagnostics[-1].message == (
        "the compiler printed more than 1048576 bytes and was stopped"
    )


def test_compiler_that_cannot_run_is_reported(tmp_path: Path) -> None:
    cc = tmp_path / "notexec"
    cc.write_text("#!/bin/sh\n")
    with pytest.raises(CompilerMissing, match="cannot run the C compiler"):
        check(page(".In x.h\n"), compiler=str(cc))


def test_compiler_gets_a_minimal_environment(tmp_path: Path, monkeypatch: MonkeyPatch) -> None:
    dump = tmp_path / "env"
    cc = fake_compiler(tmp_path, f"env > {dump}")
    monkeypatch.setenv("CPATH", str(tmp_path))
    monkeypatch.setenv("DEPENDENCIES_OUTPUT", str(tmp_path / "deps"))
    assert check(page(".In x.h\n"), compiler=cc).diagnostics == []
    names = {line.partition("=")[0] for line in dump.read_text().splitlines()}
    assert "CPATH" not in names and "DEPENDENCIES_OUTPUT" not in names
    assert "LC_ALL" in names


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mdoc2rst", "check-header", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
