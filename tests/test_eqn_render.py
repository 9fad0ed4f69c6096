"""The renderings of equations: plain text as ``mandoc -T utf8`` prints it, and LaTeX.

Fixtures: each ``tests/fixtures/eqn/NAME.eqn`` holds the lines of one
equation; ``NAME.expected`` its box tree, text, LaTeX and diagnostics.
Regenerate with ``python tests/test_eqn_render.py --regen`` and read the
diff; the trees and texts are checked against mandoc besides.

Text: every block equation of the eqn regress inputs, of the fixtures and of
random pages is compared with what ``mandoc -T utf8`` prints for it.

LaTeX: every equation's LaTeX must pass docutils' LaTeX-to-MathML converter
(which raises on unknown commands, environments and characters, and on
missing arguments) and a balance check of groups, ``\\left``/``\\right`` and
environments (which that converter does not make).
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

import oracle
import pytest
from test_eqn_parity import compare, our_equations

from mdoc2rst.eqn import EqnParser, Equation, dump_boxes
from mdoc2rst.eqn.box import Box
from mdoc2rst.eqn.latex import to_latex
from mdoc2rst.eqn.text import to_text

FIXTURES = Path(__file__).parent / "fixtures" / "eqn"
CASES = sorted(FIXTURES.glob("*.eqn"))
RANDOM_SEEDS = range(8)

_PROLOGUE = ".Dd May 1, 2020\n.Dt EQN 1\n.Os\n.Sh NAME\n.Nm eqn\n.Nd equations\n.Sh DESCRIPTION\n"


def _parse_fixture(path: Path) -> Equation:
    text = path.read_text(encoding="utf-8")
    return EqnParser(path.name).parse(text.splitlines(), 1, 1)


def _expected(eq: Equation) -> str:
    return "".join(
        [
            "tree:\n",
            *(f"{line}\n" for line in dump_boxes(eq.root, 4)),
            f"text: {to_text(eq.root)}\n",
            f"latex: {to_latex(eq.root)}\n",
            "diagnostics:\n",
            *(f"    {d}\n" for d in eq.diagnostics),
        ]
    )


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_fixture(path: Path) -> None:
    expected = path.with_suffix(".expected").read_text(encoding="utf-8")
    assert _expected(_parse_fixture(path)) == expected


def _page(equations: list[str]) -> str:
    """A page with each equation between marker words: BEGIN<n> ... END<n>."""
    body = "".join(f"BEGIN{n}\n.EQ\n{eq}.EN\nEND{n}\n" for n, eq in enumerate(equations))
    return _PROLOGUE + body


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_fixture_is_mandoc(path: Path) -> None:
    """The fixture's tree and text are mandoc's."""
    text = path.read_text(encoding="utf-8")
    page = _page([text])
    comparison = compare(page, f"{path.stem}.in")
    assert comparison.matches, comparison.summary()
    eq = our_equations(page, "f")[0]
    assert mandoc_texts(page) == [to_text(eq.root).strip()]


# -- text, compared with mandoc -T utf8 ----------------------------------------------

_OVERSTRIKE = re.compile(".\b")
_MARKED = re.compile(r"BEGIN(\d+)(.*?)END\1", re.DOTALL)


def mandoc_texts(page: str) -> list[str]:
    """What ``mandoc -T utf8`` prints between the markers of a page, in order."""
    mandoc = oracle.require_tool("mandoc")
    with tempfile.TemporaryDirectory(prefix="mdoc2rst-eqn-") as tmp:
        Path(tmp, "page.in").write_text(page, encoding="utf-8")
        done = subprocess.run(
            [mandoc, "-T", "utf8", "-O", "width=1000", "page.in"],
            cwd=tmp,
            capture_output=True,
            timeout=60,
            check=True,
        )
    printed = _OVERSTRIKE.sub("", done.stdout.decode("utf-8"))
    return [m.group(2).strip() for m in _MARKED.finditer(" ".join(printed.split("\n")))]


def _marked(text: str) -> str:
    """A page with marker words around its block equations, each in a paragraph."""
    out: list[str] = []
    count = 0
    for line in text.split("\n"):
        if re.match(r"\.[ \t]*EQ(?:[ \t]|$)", line):
            # A paragraph of its own: no line of the output wraps.
            out += [".Pp", f"BEGIN{count}"]
        out.append(line)
        if line.startswith(".EN"):
            out.append(f"END{count}")
            count += 1
    return "\n".join(out)


# In-line equations have no markers; mandoc never finishes define/infinite.
TEXT_INPUTS = [
    p
    for p in oracle.regress_inputs("eqn")
    if oracle.regress_id(p) not in {"delim/basic", "define/infinite"}
]


@pytest.mark.parametrize("path", TEXT_INPUTS, ids=oracle.regress_id)
def test_text_is_mandoc(path: Path) -> None:
    page = _marked(oracle.expand_mdocdate(oracle.read_page(path)))
    ours = [to_text(eq.root).strip() for eq in our_equations(page, path.name)]
    assert ours == mandoc_texts(page)


@pytest.mark.parametrize("seed", RANDOM_SEEDS)
def test_random_text_is_mandoc(seed: int) -> None:
    from test_eqn_parity import _random_page

    page = _random_page(seed, 30)
    if compare(page, f"random{seed}.in", "define/infinite").mandoc is None:
        pytest.skip("mandoc 1.14.6 does not finish this page")
    # In-line equations have no markers: drop them, and the lines that
    # could set delimiters.
    page = "\n".join(line for line in page.split("\n") if "$" not in line and "delim" not in line)
    marked = _marked(page)
    ours = [to_text(eq.root).strip() for eq in our_equations(marked, "r")]
    assert ours == mandoc_texts(marked)


def _box(source: str) -> Box:
    """The box tree of a one-line equation."""
    return EqnParser().parse([source], 1, 1).root


def test_text_of_examples() -> None:
    def text(source: str) -> str:
        return to_text(_box(source))

    assert text("sum from { i = 1 } to inf 1 over i sup 2") == "∑_(i = 1)^∞ 1/(i^2)"
    assert text("sqrt { x sup 2 + y sup 2 }") == "√(x^2 + y^2)"
    assert text("left [ x right ]") == "[x]"
    assert text("") == ""


# -- LaTeX ---------------------------------------------------------------------------------


def latex_problem(latex: str) -> str | None:
    """Why ``latex`` is not valid math, or None: docutils' converter, then
    the balance of groups, \\left/\\right and environments."""
    from docutils.utils.math import latex2mathml

    try:
        latex2mathml.tex2mathml(latex)
    except Exception as failure:  # the converter raises assorted errors on bad input
        return f"{type(failure).__name__}: {failure}"
    depth = 0
    opened: list[str] = []
    for token in re.findall(r"\\(?:[A-Za-z]+|.)|[{}]", latex):
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth < 0:
                return "a } closes no group"
        elif token in ("\\left", "\\begin"):
            opened.append(token)
        elif token in ("\\right", "\\end"):
            want = "\\left" if token == "\\right" else "\\begin"
            if not opened or opened.pop() != want:
                return f"{token} closes nothing"
    if depth:
        return f"{depth} groups left open"
    if opened:
        return f"{opened} left open"
    return None


def _all_equations() -> list[tuple[str, Equation]]:
    found: list[tuple[str, Equation]] = []
    for path in oracle.regress_inputs("eqn"):
        for n, eq in enumerate(our_equations(oracle.read_page(path), path.name)):
            found.append((f"{oracle.regress_id(path)}#{n}", eq))
    for path in CASES:
        found.append((path.stem, _parse_fixture(path)))
    from test_eqn_parity import _random_page

    for seed in range(40):
        for n, eq in enumerate(our_equations(_random_page(seed, 30), "r")):
            found.append((f"random{seed}#{n}", eq))
    return found


def test_latex_is_valid() -> None:
    oracle.require_shared()
    bad = []
    checked = 0
    for name, eq in _all_equations():
        latex = to_latex(eq.root)
        if len(latex) > 5_000:
            continue  # the capped loop of define/infinite: docutils is slow on it
        checked += 1
        problem = latex_problem(latex)
        if problem is not None:
            bad.append(f"{name}: {problem}: {latex[:200]}")
    assert checked > 1000
    assert not bad, "\n".join(bad[:20])


def test_latex_problem_finds_problems() -> None:
    assert latex_problem("\\frac{a}{b}") is None
    assert latex_problem("\\frac{a}") is not None
    assert latex_problem("{a") is not None
    assert latex_problem("\\left( a") is not None
    assert latex_problem("\\nosuchcommand") is not None


def test_latex_of_examples() -> None:
    def latex(source: str) -> str:
        return to_latex(_box(source))

    assert latex("x sup 2 over 2") == "\\frac{{x}^{2}}{2}"
    assert latex("sum from i to n x") == "\\sum \\limits_{i}^{n} x"
    assert latex("left ( a right )") == "\\left( a \\right)"
    assert latex("alpha") == "\\alpha "
    assert latex("roman sin x") == "\\mathrm{sin} x"
    assert latex("pile { a above b }") == "\\begin{matrix} a \\\\ b \\end{matrix}"
    assert latex('"ab cd"') == "\\mathit{ab}\\ \\mathit{cd}"
    assert latex("") == ""


def test_deep_equation_renders() -> None:
    depth = 100_000
    eq = EqnParser().parse(["{ " * depth + "x" + " }" * depth], 1, 1)
    assert to_text(eq.root) == "(" * depth + "x" + ")" * depth
    assert to_latex(eq.root) == "x"  # groups of one box need no braces
    nested = EqnParser().parse(["sqrt " * depth + "x"], 1, 1)
    assert to_latex(nested.root) == "\\sqrt{" * depth + "x" + "}" * depth


def _regen() -> None:
    for path in CASES:
        path.with_suffix(".expected").write_text(_expected(_parse_fixture(path)), encoding="utf-8")
        print(f"wrote {path.with_suffix('.expected').name}")


if __name__ == "__main__" and "--regen" in sys.argv:
    _regen()
