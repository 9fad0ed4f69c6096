"""Fixture tests: small pages beside the tree mandoc prints for them.

Each ``tests/fixtures/tree/NAME.mdoc`` is a page exercising one macro class
(or the roff layer), each ``NAME.man`` a man(7) page exercising one group
of its macros; ``NAME.tree`` is its expected tree, in the format of
``mandoc -T tree``, produced by mandoc 1.14.6 and read before committing.
A man(7) page also has ``NAME.lint``, the lines of ``mandoc -T lint -W all``
in their order.  Regenerate with ``python tests/test_fixtures.py --regen``
(needs mandoc).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import oracle
import pytest

from mdoc2rst import parse
from mdoc2rst.tree.dump import dump

FIXTURES = Path(__file__).parent / "fixtures" / "tree"
CASES = sorted([*FIXTURES.glob("*.mdoc"), *FIXTURES.glob("*.man")])


@pytest.mark.parametrize("page", CASES, ids=[p.stem for p in CASES])
def test_tree_fixture(page: Path) -> None:
    expected = page.with_suffix(".tree").read_text(encoding="utf-8")
    doc = parse(page.read_bytes(), page.name)
    assert dump(doc) == expected
    lint = page.with_suffix(".lint")
    if lint.exists():
        assert [oracle.mandoc_style(d) for d in doc.diagnostics] == lint.read_text(
            encoding="utf-8"
        ).splitlines()


def test_fixture_set_is_complete() -> None:
    # One fixture per macro class at least, plus the roff layer.
    names = {p.stem for p in CASES}
    for required in ("in_line", "in_line_argn", "in_line_eoln", "blk_full", "blk_part_imp",
                     "blk_part_exp", "column", "synopsis", "roff"):  # fmt: skip
        assert required in names
    # man(7): each group of macros, the next-line scopes, the prologue.
    for required in ("man_blocks", "man_fonts", "man_scopes", "man_misc", "man_prologue"):
        assert required in names
        assert (FIXTURES / f"{required}.lint").exists()


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
        if page.suffix == ".man":
            lint = subprocess.run(
                ["mandoc", "-T", "lint", "-W", "all", page.name],
                cwd=FIXTURES,
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            lines = [line.removeprefix("mandoc: ") for line in lint.splitlines()]
            page.with_suffix(".lint").write_text("".join(f"{x}\n" for x in lines), "utf-8")
            print(f"wrote {page.with_suffix('.lint').name}")


if __name__ == "__main__" and "--regen" in sys.argv:
    _regen()
