"""Parity of the diagnostics with ``mandoc -T lint -W all``.

Diagnostics are compared as (input line, LEVEL) pairs over the mdoc regress
inputs.  The test prints precision and recall overall and recall per level,
and fails when the recall of mandoc's ERROR pairs is under ERROR_RECALL_FLOOR.
``python -m mdoc2rst lint`` must also exit with mandoc's status.

Run as a script to see the differences:

    python tests/test_lint_parity.py             the scores, then the misses of each input
    python tests/test_lint_parity.py Bl/bareIt   mandoc's and our lines, marked
                                                 (- mandoc only, + ours only)
"""

from __future__ import annotations

import argparse
import importlib.util
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import oracle
import pytest

ERROR_RECALL_FLOOR = 0.90

MDOC_INPUTS = oracle.regress_inputs("mdoc")

# Inputs whose lint exit status the command line must reproduce, spanning
# the levels (mandoc's status here: 0 0 1 1 2 2 3 3 3 4).  None uses .Xr,
# whose check depends on the manuals installed on the machine.
STATUS_INPUTS = [
    "mdoc/Ad/font",
    "mdoc/Bd/nf",
    "mdoc/Aq/empty",
    "mdoc/Dt/case",
    "mdoc/At/invalid",
    "mdoc/Bd/blank",
    "mdoc/Bl/bareIt",
    "mdoc/Bd/unclosed",
    "mdoc/An/break",
    "roff/while/nesting",
]

Pair = tuple[int, str]


@dataclass(frozen=True)
class LintComparison:
    """mandoc's and our (line, LEVEL) pairs for one input; mandoc None: it crashed."""

    name: str
    mandoc: frozenset[Pair] | None
    ours: frozenset[Pair]
    error: str | None = None


def our_pairs(text: str, name: str) -> frozenset[Pair]:
    """Our diagnostics as (line, LEVEL); line 0 where mandoc would print none."""
    document = oracle.our_document(text, name)
    return frozenset((max(d.line, 0), d.level.name) for d in document.diagnostics)


def compare_lint(path: Path) -> LintComparison:
    text, name = oracle.expand_mdocdate(oracle.read_page(path)), oracle.page_name(path)
    try:
        mandoc = frozenset(oracle.lint_pairs(oracle.mandoc_lint(text, name)))
    except oracle.MandocCrashed as crash:
        return LintComparison(name, None, frozenset(), str(crash))
    try:
        ours = our_pairs(text, name)
    except Exception as failure:
        return LintComparison(name, mandoc, frozenset(), f"{type(failure).__name__}: {failure}")
    return LintComparison(name, mandoc, ours)


@dataclass(frozen=True)
class Scores:
    """Pair counts over all inputs: mandoc's, ours, and both, per level."""

    mandoc: Counter[str]
    ours: Counter[str]
    both: Counter[str]

    @classmethod
    def of(cls, comparisons: list[LintComparison]) -> Scores:
        mandoc: Counter[str] = Counter()
        ours: Counter[str] = Counter()
        both: Counter[str] = Counter()
        for c in comparisons:
            if c.mandoc is None:
                continue
            mandoc.update(level for _, level in c.mandoc)
            ours.update(level for _, level in c.ours)
            both.update(level for _, level in c.mandoc & c.ours)
        return cls(mandoc, ours, both)

    def recall(self, level: str | None = None) -> float:
        found, wanted = self._count(self.both, level), self._count(self.mandoc, level)
        return found / wanted if wanted else 1.0

    def precision(self, level: str | None = None) -> float:
        found, given = self._count(self.both, level), self._count(self.ours, level)
        return found / given if given else 1.0

    @staticmethod
    def _count(counter: Counter[str], level: str | None) -> int:
        return counter[level] if level else counter.total()

    def __str__(self) -> str:
        lines = [
            f"lint parity: precision {self.precision():.1%}, recall {self.recall():.1%}"
            f" ({self.both.total()} pairs of mandoc's {self.mandoc.total()},"
            f" ours {self.ours.total()})"
        ]
        unknown = sorted(self.ours.keys() - set(oracle.LEVELS))  # shown, so they are seen
        for level in [*oracle.LEVELS, *unknown]:
            if self.mandoc[level] or self.ours[level]:
                recall = f"{self.recall(level):6.1%}" if self.mandoc[level] else "   n/a"
                lines.append(
                    f"  {level:8} recall {recall}"
                    f" ({self.both[level]}/{self.mandoc[level]}),"
                    f" precision {self.precision(level):6.1%} (ours {self.ours[level]})"
                )
        return "\n".join(lines)


def report(comparisons: list[LintComparison]) -> str:
    """The scores, then what each input misses (-) or adds (+)."""
    lines = [str(Scores.of(comparisons))]
    for c in comparisons:
        if c.mandoc is None:
            lines.append(f"{c.name}: no oracle ({c.error})")
        elif c.error is not None:
            lines.append(f"{c.name}: {c.error}")
        elif c.mandoc != c.ours:
            missing, extra = sorted(c.mandoc - c.ours), sorted(c.ours - c.mandoc)
            lines.append(f"{c.name}: -{missing} +{extra}")
    return "\n".join(lines)


def all_comparisons() -> list[LintComparison]:
    oracle.prefetch(MDOC_INPUTS, oracle.mandoc_lint)
    return [compare_lint(path) for path in MDOC_INPUTS]


# -- the tests ----------------------------------------------------------------


def test_lint_parity() -> None:
    oracle.require_tool("mandoc")
    if not MDOC_INPUTS:
        oracle.unavailable(f"no mdoc regress inputs under {oracle.REGRESS}")
    comparisons = all_comparisons()
    scores = Scores.of(comparisons)
    print(report(comparisons))
    assert scores.mandoc["ERROR"] > 0, "mandoc reported no ERROR: the oracle is broken"
    assert scores.recall("ERROR") >= ERROR_RECALL_FLOOR, (
        f"ERROR recall {scores.recall('ERROR'):.1%} is under {ERROR_RECALL_FLOOR:.0%}"
    )


def _status_input(test: str) -> tuple[str, str]:
    path = oracle.REGRESS / f"{test}.in"
    return oracle.expand_mdocdate(oracle.require_page(path)), oracle.regress_name(path)


@pytest.mark.parametrize("test", STATUS_INPUTS)
def test_cli_lint_exit_status(test: str) -> None:
    text, name = _status_input(test)
    try:
        expected = oracle.mandoc_lint_status(text, name)
    except oracle.MandocCrashed as crash:
        pytest.fail(f"mandoc crashed on a chosen input: {crash}")
    with tempfile.TemporaryDirectory(prefix="mdoc2rst-lint-") as tmp:
        page = Path(tmp, name)
        page.parent.mkdir(parents=True)
        page.write_text(text, encoding="utf-8", errors="surrogateescape")
        done = oracle.run_cli(["lint", name], Path(tmp))
    mandoc = "\n".join(oracle.mandoc_lint(text, name))
    assert done.returncode == expected, (
        f"exit status {done.returncode}, mandoc's {expected}\n"
        f"mandoc:\n{mandoc}\nours:\n{done.stdout}{done.stderr}"
    )
    oracle.lint_pairs([line for line in done.stdout.split("\n") if line])  # all lint lines


def test_status_inputs_span_the_levels() -> None:
    oracle.require_tool("mandoc")
    inputs = [_status_input(test) for test in STATUS_INPUTS]
    assert {oracle.mandoc_lint_status(text, name) for text, name in inputs} == {0, 1, 2, 3, 4}
    with_xr = [name for text, name in inputs if ".Xr" in text]
    assert not with_xr, f"the status of .Xr depends on the installed manuals: {with_xr}"


# -- the script ---------------------------------------------------------------


def show(path: Path) -> None:
    """mandoc's and our lint lines; - for a pair only mandoc has, + for ours only."""
    text, name = oracle.expand_mdocdate(oracle.read_page(path)), oracle.page_name(path)
    comparison = compare_lint(path)
    print(f"== {name}")
    if comparison.mandoc is None or comparison.error is not None:
        print(comparison.error)
        return
    for line in oracle.mandoc_lint(text, name):
        pair = next(iter(oracle.lint_pairs([line])))
        print(f"{' ' if pair in comparison.ours else '-'} mandoc: {line}")
    for diagnostic in oracle.our_document(text, name).diagnostics:
        pair = (max(diagnostic.line, 0), diagnostic.level.name)
        print(f"{' ' if pair in comparison.mandoc else '+'} ours:   {diagnostic}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Compare mdoc2rst's diagnostics with mandoc's.")
    parser.add_argument("inputs", nargs="*", help="test ids (Bl/bareIt, roff/de/Dd)")
    args = parser.parse_args(argv)
    if shutil.which("mandoc") is None or not oracle.REGRESS.is_dir():
        print(f"needs mandoc and the corpus at {oracle.REGRESS}", file=sys.stderr)
        return 2
    if importlib.util.find_spec("mdoc2rst") is None:
        sys.path.insert(1, str(oracle.ROOT))  # the work tree, when not installed
    for spec in args.inputs:
        show(oracle.find_input(spec))
    if not args.inputs:
        print(report(all_comparisons()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
