"""docs/sctpx.rst's comparison of sctpx, pysctp and the socket module: every
"yes" names tests, and each of them exists."""

from __future__ import annotations

import re
from pathlib import Path

import test_drift

import sctpx

DOC = Path(__file__).resolve().parent.parent / "docs" / "sctpx.rst"
_TEST = re.compile(r"``(tests/test_\w+\.py::\w+(?:\[[^\]]*\])?)``")


def table() -> list[list[str]]:
    """The comparison table's rows, each a list of its cells' text."""
    text = DOC.read_text(encoding="utf-8")
    start = text.index("sctpx, pysctp and the socket module\n")
    body = text[start : text.index("\nasyncio\n-------", start)]
    rows: list[list[str]] = []
    for line in body.splitlines():
        if line.startswith("   * - "):
            rows.append([line[7:]])
        elif line.startswith("     - "):
            rows[-1].append(line[7:])
        elif line.startswith("       ") and rows:
            rows[-1][-1] += " " + line.strip()
    return rows


def test_every_yes_names_tests_that_exist() -> None:
    rows = table()
    assert rows[0] == ["Feature", "sctpx", "pysctp 0.7.3", "socket"]
    named = []
    for row in rows[1:]:
        assert len(row) == 4, row
        for cell in row[1:]:
            tests = _TEST.findall(cell)
            if cell.startswith("yes"):
                assert tests, f"{row[0]}: a yes without a test: {cell}"
            named += tests
    ids = test_drift.collected(tuple(sorted({t.split("::")[0] for t in named})))
    for test in named:
        assert test in ids or any(i.startswith(test + "[") for i in ids), f"no test {test}"


def test_sctpx_is_pure_python() -> None:
    """sctpx needs no compiler: every file of the package is Python or data."""
    package = Path(sctpx.__file__).parent
    files = [p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    assert files
    assert {p.suffix for p in files} <= {".py", ".pyi", ".typed"}
