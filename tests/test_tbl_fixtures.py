"""Fixture tests of tbl(7): small pages beside the tree and lint mandoc gives them.

Each ``tests/fixtures/tbl/NAME.man`` (or ``NAME.mdoc``) exercises one part
of tbl(7) (options, layout, data, its place among roff requests, the man(7)
scopes it breaks, tables in mdoc(7)); ``NAME.tree`` is the tree ``mandoc
-T tree`` prints for it and ``NAME.lint`` the lines of ``mandoc -T lint -W
all`` in their order, both from mandoc 1.14.6 and read before committing.
Regenerate with ``python tests/test_tbl_fixtures.py --regen`` (needs mandoc).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import oracle
import pytest

from mdoc2rst import parse
from mdoc2rst.tree.dump import dump

FIXTURES = Path(__file__).parent / "fixtures" / "tbl"
CASES = sorted([*FIXTURES.glob("*.man"), *FIXTURES.glob("*.mdoc")])


@pytest.mark.parametrize("page", CASES, ids=[p.stem for p in CASES])
def test_tbl_fixture(page: Path) -> None:
    doc = parse(page.read_bytes(), page.name)
    assert dump(doc) == page.with_suffix(".tree").read_text(encoding="utf-8")
    expected = page.with_suffix(".lint").read_text(encoding="utf-8").splitlines()
    assert [oracle.mandoc_style(d) for d in doc.diagnostics] == expected


def test_fixture_set_is_complete() -> None:
    names = {p.stem for p in CASES}
    assert {"options", "layout", "data", "roff", "scopes", "mdoc"} <= names


def _mandoc(*args: str) -> str:
    run = subprocess.run(
        ["mandoc", *args], cwd=FIXTURES, capture_output=True, text=True, check=False
    )
    return run.stdout


def _regen() -> None:
    for page in CASES:
        page.with_suffix(".tree").write_text(_mandoc("-T", "tree", page.name), encoding="utf-8")
        lint = _mandoc("-T", "lint", "-W", "all", page.name).splitlines()
        lines = "".join(f"{line.removeprefix('mandoc: ')}\n" for line in lint)
        page.with_suffix(".lint").write_text(lines, encoding="utf-8")
        print(f"wrote {page.stem}.tree and {page.stem}.lint")


if __name__ == "__main__" and "--regen" in sys.argv:
    _regen()
