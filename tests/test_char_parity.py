"""Parity with mandoc 1.14.6 on the character regress inputs: tree and lint.

Every input under ``regress/char/`` (special characters, ``\\N``,
accents, hyphens, spaces, Unicode input) is compared with ``mandoc -T
tree`` and ``mandoc -T lint -W all`` as tests/test_man_parity.py compares
man(7) inputs.  An input listed in EXPECTED_DIFFERENCES must differ, for
the reason given; every other input must match, and the share that
matches must stay at or above FLOOR.
"""

from __future__ import annotations

from pathlib import Path

import oracle
import pytest
from test_man_parity import ManComparison, check_floor, check_input, compare, compare_all, parity

FLOOR = 0.95

#: Inputs that differ, and why.  One that matches now fails the test.
EXPECTED_DIFFERENCES: dict[str, str] = {
    "unicode/input": "bytes that are not UTF-8: mandoc reads each as a bad character "
    "(ERROR, printed ?), mdoc2rst's reader escapes it as \\[uDCxx] (a warning)",
}

CHAR_INPUTS = oracle.regress_inputs("char")


def compare_input(path: Path) -> ManComparison:
    return compare(oracle.read_page(path), oracle.regress_name(path))


@pytest.mark.parametrize("path", CHAR_INPUTS, ids=oracle.regress_id)
def test_char_input(path: Path) -> None:
    """Each input matches, unless it is listed with the reason it does not."""
    check_input(compare_input(path), oracle.regress_id(path), EXPECTED_DIFFERENCES)


def test_char_parity_floor() -> None:
    results = compare_all(CHAR_INPUTS, compare_input, "char")
    trees, lints, compared = parity(results)
    print(f"char parity: tree {trees}/{compared}, lint {lints}/{compared}")
    keys = {oracle.regress_id(p) for p in CHAR_INPUTS}
    check_floor(results, keys, EXPECTED_DIFFERENCES, FLOOR)
