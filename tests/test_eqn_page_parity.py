"""Parity of whole pages with equations with mandoc 1.14.6: tree and lint, exactly.

tests/test_eqn_parity.py compares each equation's boxes; here every eqn
regress input (``regress/eqn/<group>/<test>.in``) goes through the whole
pipeline, the roff layer placing the EQN nodes (``.EQ``/``.EN``, an
unterminated ``.EQ``, in-line equations between ``delim`` characters), and
the full ``mandoc -T tree`` dump and ``mandoc -T lint -W all`` lines must
match, as tests/test_man_parity.py compares man(7) pages.

Run as a script to see the differences:

    python tests/test_eqn_page_parity.py                 one line per input that differs
    python tests/test_eqn_page_parity.py delim/basic     the diff of trees and lint lines
"""

from __future__ import annotations

import sys
from pathlib import Path

import oracle
import pytest
from test_man_parity import ManComparison, compare, show

#: Inputs mandoc does not finish on, and why they are left to
#: tests/test_eqn_parity.py, which runs mandoc under a memory limit.
SKIPPED: dict[str, str] = {
    "eqn/define/infinite": "mandoc 1.14.6 substitutes until memory runs out on its fifth "
    "equation; tests/test_eqn_parity.py compares the first four",
}


def key(path: Path) -> str:
    return oracle.regress_name(path).removesuffix(".in")


EQN_INPUTS = (
    [p for p in sorted((oracle.REGRESS / "eqn").glob("*/*.in")) if key(p) not in SKIPPED]
    if oracle.REGRESS.is_dir()
    else []
)


def compare_input(path: Path) -> ManComparison:
    return compare(oracle.read_page(path), oracle.regress_name(path))


@pytest.mark.parametrize("path", EQN_INPUTS, ids=key)
def test_eqn_page(path: Path) -> None:
    comparison = compare_input(path)
    if comparison.mandoc_tree is None:
        pytest.fail(f"mandoc has no answer for {path}: {comparison.error}")
    assert comparison.ours_tree is not None, comparison.error
    assert comparison.matches, comparison.summary()


def test_there_are_inputs() -> None:
    oracle.require_tool("mandoc")
    if not EQN_INPUTS:
        oracle.unavailable(f"no eqn regress inputs under {oracle.REGRESS}")
    assert len(EQN_INPUTS) >= 20
    assert set(SKIPPED) <= {key(p) for p in sorted((oracle.REGRESS / "eqn").glob("*/*.in"))}


def main(argv: list[str]) -> int:
    wanted = [a.removeprefix("eqn/") for a in argv]
    for path in EQN_INPUTS:
        name = key(path).removeprefix("eqn/")
        if wanted and name not in wanted:
            continue
        comparison = compare_input(path)
        if wanted:
            show(path)
        elif not comparison.matches:
            print(f"{name}: {comparison.summary()}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
