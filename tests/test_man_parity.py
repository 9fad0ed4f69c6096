"""Parity of man(7) parsing with mandoc 1.14.6: the tree and the lint, exactly.

Every man(7) regress input (``regress/man/<Macro>/<test>.in``) is compared
with ``mandoc -T tree``, the whole dump byte for byte (meta lines, columns
and flags included), and with ``mandoc -T lint -W all``, every line (in any
order).  An input listed in EXPECTED_DIFFERENCES must differ, for the
reason given there; every other input must match, and the share of inputs
that match must stay at or above FLOOR.  Inputs mandoc itself crashes on
are not counted (tests/test_corpus_parses.py still reads them).

mandoc's manuals of man(7), eqn(7), tbl(7) and mandoc(1) (mdoc(7) pages,
read here because they describe the other languages) must match exactly too.

Run as a script to see the differences:

    python tests/test_man_parity.py               one line per input that differs
    python tests/test_man_parity.py TP/tag ...    the diff of trees and lint lines
"""

from __future__ import annotations

import argparse
import difflib
import functools
import importlib.util
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import oracle
import pytest

FLOOR = 0.95

#: Inputs that differ, and why.  Keep it honest: an input listed here that
#: matches now fails the test, as does one that differs and is not listed.
EXPECTED_DIFFERENCES: dict[str, str] = {}

#: The same for mandoc's manuals of the other languages, by file name.
EXPECTED_MANUAL_DIFFERENCES: dict[str, str] = {}

MAN_INPUTS = oracle.regress_inputs("man")

# Regress inputs whose lint exit status the command line must reproduce,
# spanning the levels mandoc gives these inputs (0 1 2 3; none is 4 but the
# tbl ones).
STATUS_INPUTS = ["man/EX/args", "man/TH/case", "man/B/args", "man/RS/lonelyRE"]


@dataclass(frozen=True)
class ManComparison:
    """mandoc's and our tree and lint for one page; mandoc None: it crashed."""

    name: str
    mandoc_tree: str | None
    mandoc_lint: tuple[str, ...]
    ours_tree: str | None
    ours_lint: tuple[str, ...]
    error: str | None = None

    @property
    def tree_matches(self) -> bool:
        return self.mandoc_tree is not None and self.mandoc_tree == self.ours_tree

    @property
    def lint_matches(self) -> bool:
        return self.mandoc_tree is not None and sorted(self.mandoc_lint) == sorted(self.ours_lint)

    @property
    def matches(self) -> bool:
        return self.tree_matches and self.lint_matches

    def summary(self) -> str:
        if self.mandoc_tree is None:
            return f"no oracle ({self.error})"
        if self.ours_tree is None:
            return f"an exception: {self.error}"
        found = []
        if not self.tree_matches:
            first = next(
                (
                    line
                    for line in difflib.unified_diff(
                        self.mandoc_tree.split("\n"), self.ours_tree.split("\n"), lineterm=""
                    )
                    if line[:1] in "-+" and line[:3] not in ("---", "+++")
                ),
                "",
            )
            found.append(f"tree ({first.strip()})")
        if not self.lint_matches:
            missing = sorted(set(self.mandoc_lint) - set(self.ours_lint))
            extra = sorted(set(self.ours_lint) - set(self.mandoc_lint))
            found.append(f"lint (-{missing[:2]} +{extra[:2]})")
        return "; ".join(found) or "match"


def compare(text: str, name: str) -> ManComparison:
    """Run mandoc and our parser on ``text`` saved as ``name``."""
    try:
        tree = oracle.mandoc_tree(text, name)
        lint = tuple(oracle.mandoc_lint(text, name))
    except oracle.MandocCrashed as crash:
        return ManComparison(name, None, (), None, (), str(crash))
    try:
        from mdoc2rst.tree.dump import dump

        doc = oracle.our_document(text, name)
        ours = tuple(oracle.mandoc_style(d) for d in doc.diagnostics)
        return ManComparison(name, tree, lint, dump(doc), ours)
    except Exception as failure:
        return ManComparison(name, tree, lint, None, (), f"{type(failure).__name__}: {failure}")


@functools.cache
def compare_regress(path: Path) -> ManComparison:
    return compare(oracle.read_page(path), oracle.regress_name(path))


def parity(results: list[ManComparison]) -> tuple[int, int, int]:
    """Inputs whose tree matches, whose lint matches, and those compared."""
    compared = [r for r in results if r.mandoc_tree is not None]
    return (
        sum(r.tree_matches for r in compared),
        sum(r.lint_matches for r in compared),
        len(compared),
    )


def report(results: list[ManComparison]) -> str:
    lines = [
        f"{r.name}: {r.summary()}"
        + (
            f" [expected: {EXPECTED_DIFFERENCES[oracle.regress_id(Path(r.name))]}]"
            if oracle.regress_id(Path(r.name)) in EXPECTED_DIFFERENCES
            else ""
        )
        for r in results
        if not r.matches
    ]
    trees, lints, compared = parity(results)
    if compared:
        lines.append(
            f"man(7) parity: tree {trees}/{compared} ({trees / compared:.1%}),"
            f" lint {lints}/{compared} ({lints / compared:.1%}), floor {FLOOR:.0%};"
            f" {len(results) - compared} without a mandoc answer"
        )
    return "\n".join(lines)


def compare_all(
    paths: list[Path], compare_one: Callable[[Path], ManComparison], kind: str
) -> list[ManComparison]:
    """Every input of a floor test compared, mandoc's answers fetched in
    parallel first; skipped (failed under CI) without mandoc or inputs."""
    oracle.require_tool("mandoc")
    if not paths:
        oracle.unavailable(f"no {kind} regress inputs under {oracle.REGRESS}")
    oracle.prefetch(paths, oracle.mandoc_tree)
    oracle.prefetch(paths, oracle.mandoc_lint)
    return [compare_one(path) for path in paths]


def check_input(comparison: ManComparison, key: str, expected: dict[str, str]) -> None:
    """One input matches mandoc, or differs and is listed in ``expected``
    (EXPECTED_DIFFERENCES) with the reason; a listed input that matches
    fails.  Parity tests of other languages share it."""
    if comparison.mandoc_tree is None:
        pytest.skip(f"mandoc has no answer: {comparison.error}")
    assert comparison.ours_tree is not None, comparison.error
    if key in expected:
        assert not comparison.matches, f"{key} matches now: drop it from EXPECTED_DIFFERENCES"
        pytest.xfail(expected[key])
    assert comparison.matches, comparison.summary()


def check_floor(
    results: list[ManComparison], keys: set[str], expected: dict[str, str], floor: float
) -> None:
    """Tree and lint parity stay at or above ``floor``, and ``expected``
    names only inputs that exist (``keys``)."""
    trees, lints, compared = parity(results)
    assert compared, "mandoc answered for no input"
    assert trees / compared >= floor, f"tree parity {trees}/{compared} is under {floor:.0%}"
    assert lints / compared >= floor, f"lint parity {lints}/{compared} is under {floor:.0%}"
    unknown = set(expected) - keys
    assert not unknown, f"EXPECTED_DIFFERENCES names inputs that do not exist: {unknown}"


# -- the tests ----------------------------------------------------------------


@pytest.mark.parametrize("path", MAN_INPUTS, ids=oracle.regress_id)
def test_regress_input(path: Path) -> None:
    """Each input matches, unless it is listed with the reason it does not."""
    check_input(compare_regress(path), oracle.regress_id(path), EXPECTED_DIFFERENCES)


def test_man_parity_floor() -> None:
    results = compare_all(MAN_INPUTS, compare_regress, "man")
    print(report(results))
    keys = {oracle.regress_id(p) for p in MAN_INPUTS}
    check_floor(results, keys, EXPECTED_DIFFERENCES, FLOOR)


@pytest.mark.parametrize("path", oracle.language_manuals(), ids=lambda p: p.name)
def test_language_manual(path: Path) -> None:
    comparison = compare(oracle.require_page(path), path.name)
    if comparison.mandoc_tree is None:
        pytest.fail(f"mandoc has no answer for {path}: {comparison.error}")
    if path.name in EXPECTED_MANUAL_DIFFERENCES:
        assert not comparison.matches, f"{path.name} matches now: drop it from the table"
        pytest.xfail(EXPECTED_MANUAL_DIFFERENCES[path.name])
    assert comparison.matches, comparison.summary()


def _status_input(test: str) -> tuple[str, str]:
    path = oracle.REGRESS / f"{test}.in"
    return oracle.require_page(path), oracle.regress_name(path)


@pytest.mark.parametrize("test", STATUS_INPUTS)
def test_cli_lint_and_tree_of_a_man_page(test: str) -> None:
    """``mdoc2rst lint`` exits as mandoc does; ``mdoc2rst tree`` prints its tree."""
    text, name = _status_input(test)
    try:
        expected = oracle.mandoc_lint_status(text, name)
    except oracle.MandocCrashed as crash:
        pytest.fail(f"mandoc crashed on a chosen input: {crash}")
    with tempfile.TemporaryDirectory(prefix="mdoc2rst-man-") as tmp:
        page = Path(tmp, name)
        page.parent.mkdir(parents=True)
        page.write_text(text, encoding="utf-8", errors="surrogateescape")
        lint = oracle.run_cli(["lint", name], Path(tmp))
        tree = oracle.run_cli(["tree", name], Path(tmp))
    assert lint.returncode == expected, lint.stdout + lint.stderr
    assert tree.returncode == 0, tree.stderr
    assert tree.stdout == oracle.mandoc_tree(text, name)


def test_status_inputs_span_the_levels() -> None:
    oracle.require_tool("mandoc")
    statuses = {oracle.mandoc_lint_status(*_status_input(test)) for test in STATUS_INPUTS}
    assert statuses == {0, 1, 2, 3}


# -- the script ---------------------------------------------------------------


def show(path: Path) -> None:
    """mandoc's and our tree (a unified diff) and lint lines (- mandoc only, + ours only)."""
    text, name = oracle.read_page(path), oracle.page_name(path)
    comparison = compare(text, name)
    print(f"== {name}: {comparison.summary()}")
    if comparison.mandoc_tree is None or comparison.ours_tree is None:
        return
    sys.stdout.writelines(
        difflib.unified_diff(
            comparison.mandoc_tree.splitlines(True),
            comparison.ours_tree.splitlines(True),
            f"mandoc -T tree {name}",
            f"mdoc2rst tree {name}",
        )
    )
    for line in comparison.mandoc_lint:
        print(f"{' ' if line in comparison.ours_lint else '-'} {line}")
    for line in comparison.ours_lint:
        if line not in comparison.mandoc_lint:
            print(f"+ {line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compare mdoc2rst's man(7) reading with mandoc.")
    parser.add_argument("inputs", nargs="*", help="test ids (TP/tag, man/TP/tag.in) or paths")
    args = parser.parse_args(argv)
    if shutil.which("mandoc") is None or not oracle.REGRESS.is_dir():
        print(f"needs mandoc and the corpus at {oracle.REGRESS}", file=sys.stderr)
        return 2
    if importlib.util.find_spec("mdoc2rst") is None:
        sys.path.insert(1, str(oracle.ROOT))  # the work tree, when not installed
    for spec in args.inputs:
        found = Path(spec) if Path(spec).is_file() else oracle.REGRESS / "man"
        if not Path(spec).is_file():
            found = found / f"{spec.removeprefix('man/').removesuffix('.in')}.in"
        show(found)
    if not args.inputs:
        oracle.prefetch(MAN_INPUTS, oracle.mandoc_tree)
        oracle.prefetch(MAN_INPUTS, oracle.mandoc_lint)
        print(report([compare_regress(path) for path in MAN_INPUTS]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
