"""Fixture tests: small pages beside the tree mandoc prints for them.

Each ``tests/fixtures/tree/NAME.mdoc`` is a page exercising one macro class
(or the roff layer); ``NAME.tree`` is its expected tree, in the format of
``mandoc -T tree``, produced by mandoc 1.14.6 and read before committing.
Regenerate with ``python tests/test_fixtures.py --regen`` (needs mandoc).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from mdoc2rst import parse
from mdoc2rst.tree.dump import dump

FIXTURES = Path(__file__).parent / "fixtures" / "tree"
CASES = sorted(FIXTURES.glob("*.mdoc"))


@pytest.mark.parametrize("page", CASES, ids=[p.stem for p in CASES])
def test_tree_fixture(page: Path) -> None:
    expected = page.with_suffix(".tree").read_text(encoding="utf-8")
    doc = parse(page.read_bytes(), page.name)
    assert dump(doc) == expected


def test_fixture_set_is_complete() -> None:
    # One fixture per macro class at least, plus the roff layer.
    names = {p.stem for p in CASES}
    for required in ("in_line", "in_line_argn", "in_line_eoln", "blk_full", "blk_part_imp",
                     "blk_part_exp", "column", "synopsis", "roff"):  # fmt: skip
        assert required in names


def _regen() -> None:
    for page in CASES:
        out = subprocess.run(
            ["mandoc", "-T", "tree", page.name],
            cwd=FIXTURES,
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        page.with_suffix(".tree").write_text(out, encoding="utf-8")
        print(f"wrote {page.with_suffix('.tree').name}")


if __name__ == "__main__" and "--regen" in sys.argv:
    _regen()
