"""The cross-system drift table (docs/drift.toml) is whole, current, and names real tests.

For each FreeBSD page shipped in docs/ and each of lksctp-tools' pages that
declares a function in common with it (``libsctp-dev`` installs them in
/usr/share/man/man3), ``mdoc2rst spec-diff`` lists the errnos one page
documents and the other does not.  Each must have a row in drift.toml
saying, for every backend of sctpx, which test produces it there or why
none does; no row may be left over from pages that changed.  The
prototypes that conflict with lksctp-tools' ``<netinet/sctp.h>`` are listed
there too, and checked against ``mdoc2rst check-header`` the same way.
"""

from __future__ import annotations

import ast
import gzip
import importlib.util
import re
import subprocess
import sys
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from family import DOCS, ROOT, relative, stub_pages
from oracle import child_env, unavailable

from mdoc2rst.contract.headercheck import CompilerMissing, check
from mdoc2rst.contract.spec import Spec, extract_file
from mdoc2rst.contract.specdiff import compare

DRIFT = DOCS / "drift.toml"
#: Where libsctp-dev installs lksctp-tools' pages (gzip-compressed, as Debian ships them).
LINUX_MAN = Path("/usr/share/man/man3")
HEADER = Path("/usr/include/netinet/sctp.h")


def _loader() -> ModuleType:
    """docs/_ext/sctp_drift.py, the one reader of drift.toml (the site renders with it)."""
    path = DOCS / "_ext" / "sctp_drift.py"
    spec = importlib.util.spec_from_file_location("sctp_drift", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["sctp_drift"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


sctp_drift = _loader()


@pytest.fixture(scope="module")
def drift() -> Any:
    return sctp_drift.load(DRIFT)


@pytest.fixture(scope="module")
def linux_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Spec]:
    """lksctp-tools' pages of the sctp_* functions, by file name, decompressed."""
    found = sorted(LINUX_MAN.glob("sctp_*.3.gz"))
    if not found:
        unavailable(f"lksctp-tools' pages are not in {LINUX_MAN} (apt-get install libsctp-dev)")
    where = tmp_path_factory.mktemp("lksctp")
    specs = {}
    for gz in found:
        page = where / gz.name.removesuffix(".gz")
        page.write_bytes(gzip.decompress(gz.read_bytes()))
        specs[page.name] = extract_file(page)
    return specs


def expected_rows(linux: dict[str, Spec]) -> dict[tuple[str, str, str, str], str]:
    """(FreeBSD page, Linux page, errno, documented by) -> functions, from spec-diff."""
    out: dict[tuple[str, str, str, str], str] = {}
    for page in stub_pages():
        ours = extract_file(page)
        for name, theirs in linux.items():
            common = sorted({f.name for f in ours.functions} & {f.name for f in theirs.functions})
            if not common:
                continue
            for d in compare(ours, theirs):
                if d.field == "errno":
                    side = "freebsd" if d.b is None else "linux"
                    out[(relative(page), name, d.subject, side)] = ", ".join(common)
    return out


def test_every_errno_only_one_system_documents_has_a_row(
    drift: Any, linux_pages: dict[str, Spec]
) -> None:
    expected = expected_rows(linux_pages)
    rows = {row.key: row for row in drift.rows}
    missing = sorted(set(expected) - set(rows))
    stale = sorted(set(rows) - set(expected))
    assert not missing, f"errnos spec-diff finds that docs/drift.toml has no row for: {missing}"
    assert not stale, f"rows of docs/drift.toml that spec-diff no longer finds: {stale}"
    for key, functions in expected.items():
        assert rows[key].function == functions, key
    # The family as it is today: the figure the docs speak of.
    assert len(expected) == 64


def test_every_backend_has_a_test_or_a_reason(drift: Any) -> None:
    for row in drift.rows:
        assert set(row.cells) == set(sctp_drift.BACKENDS)
        for cell in row.cells.values():
            assert sctp_drift.is_test(cell) or cell in drift.reasons


@cache
def collected(files: tuple[str, ...]) -> frozenset[str]:
    """The ids pytest collects from these test files (collected only, never run)."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *files],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=child_env(),
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return frozenset(line for line in done.stdout.splitlines() if "::" in line)


def _named_tests(drift: Any) -> set[str]:
    return {c for row in drift.rows for c in row.cells.values() if sctp_drift.is_test(c)}


def test_every_named_test_exists(drift: Any) -> None:
    named = _named_tests(drift)
    assert named, "the table names the tests that produce its errnos"
    ids = collected(tuple(sorted({t.split("::")[0] for t in named})))
    for test in sorted(named):
        # A test named without a parameter stands for all of its parameters.
        assert test in ids or any(i.startswith(test + "[") for i in ids), f"no test {test}"


def _about(test: str) -> Callable[[str], bool]:
    """Whether the test's code (decorators included) or the line giving its parameter
    names an errno: the sanity check that a row names the test it means."""
    path, _, name = test.partition("::")
    function, _, param = name.partition("[")
    source = (ROOT / path).read_text(encoding="utf-8")
    lines = source.splitlines()
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and node.name == function:
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            body = "\n".join(lines[first - 1 : node.end_lineno])
            break
    else:
        raise AssertionError(f"{test}: no function {function}")
    cases = [p for p in param.rstrip("]").split("-") if p]
    around = [line for line in lines if any(f'"{c}"' in line for c in cases)]
    return lambda errno: re.search(rf"\b{errno}\b", "\n".join([body, *around])) is not None


def test_every_named_test_is_about_its_errno(drift: Any) -> None:
    for row in drift.rows:
        for test in (c for c in row.cells.values() if sctp_drift.is_test(c)):
            assert _about(test)(row.errno), f"{test} does not name {row.errno} ({row.function})"


def test_header_conflicts_are_the_header_checks(drift: Any) -> None:
    if not HEADER.is_file():
        unavailable(f"{HEADER} is missing (apt-get install libsctp-dev)")
    found: dict[str, str] = {}
    for page in stub_pages():
        try:
            result = check(extract_file(page))
        except CompilerMissing as exc:
            unavailable(str(exc))
        for d in result.diagnostics:
            if m := re.match(r"conflicting types for '(\w+)'", d.message):
                found[m.group(1)] = relative(page)
    listed = {c.function: c.page for c in drift.header}
    assert listed == found


def test_the_docs_render_the_table() -> None:
    contract = (DOCS / "contract.rst").read_text(encoding="utf-8")
    for directive in ("sctp-drift-errnos", "sctp-drift-reasons", "sctp-drift-header"):
        assert f".. {directive}:: drift.toml\n" in contract


GOOD_HEAD = """
[backends.kernel]
title = "k"
[backends.usrsctp]
title = "u"
[backends.freebsd]
title = "f"
default = "far"
[reasons.far]
title = "far"
text = "far away"
"""

GOOD_ROW = """
[[errno]]
function = "sctp_x"
errno = "EINVAL"
documented_by = "freebsd"
freebsd_page = "man3/sctp_x.3"
linux_page = "sctp_x.3"
kernel = "tests/test_kernel.py::test_a"
usrsctp = "far"
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD_HEAD + GOOD_ROW.replace('usrsctp = "far"', 'usrsctp = "near"'), "neither a test"),
        (GOOD_HEAD + GOOD_ROW.replace('usrsctp = "far"\n', ""), "no test or reason for usrsctp"),
        (GOOD_HEAD + GOOD_ROW + GOOD_ROW, "listed twice"),
        (GOOD_HEAD + "[reasons.idle]\ntitle = 'i'\ntext = 'i'\n" + GOOD_ROW, "no row gives: idle"),
        (GOOD_HEAD + GOOD_ROW.replace("test_a", "test a"), "neither a test"),
        (GOOD_HEAD + GOOD_ROW.replace('"linux"', '"x"').replace('"freebsd"\n', '"x"\n'), "want"),
        (GOOD_HEAD + GOOD_ROW.replace("EINVAL", "einval"), "not of the form"),
        (GOOD_HEAD + GOOD_ROW + "colour = 1\n", "unknown keys colour"),
        (GOOD_HEAD.replace('title = "u"', ""), "backends.usrsctp: title"),
        ("[[errno", "Expected"),
    ],
)
def test_a_bad_table_is_refused_with_its_entry(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "drift.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(sctp_drift.DriftError, match=re.escape(message)):
        sctp_drift.load(path)


def test_a_good_table_loads(tmp_path: Path) -> None:
    path = tmp_path / "drift.toml"
    path.write_text(GOOD_HEAD + GOOD_ROW, encoding="utf-8")
    (row,) = sctp_drift.load(path).rows
    assert row.cells == {
        "kernel": "tests/test_kernel.py::test_a",
        "usrsctp": "far",
        "freebsd": "far",
    }
