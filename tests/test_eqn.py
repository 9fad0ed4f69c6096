"""The eqn(7) parser's interface, its document state, and hostile equations.

Parity with mandoc is tests/test_eqn_parity.py; the renderings are
tests/test_eqn_render.py.  Here: what the roff layer relies on (state kept
between equations, in-line delimiters, diagnostics at the ``.EQ`` macro) and
equations built to hurt (deep nesting, definitions that expand themselves,
a million tokens, an unterminated quote), which must stay linear, bounded
and reported.
"""

from __future__ import annotations

from mutate import deadline

from mdoc2rst.eqn import EqnParser, dump_boxes, eqndelim
from mdoc2rst.eqn.lexer import NEST_MAX


def _parse(parser: EqnParser, *lines: str) -> list[str]:
    return dump_boxes(parser.parse(list(lines), 7, 1).root)


def test_definitions_outlive_an_equation() -> None:
    parser = EqnParser("p.1")
    assert _parse(parser, "define sq 'sup 2'") == []
    assert _parse(parser, "x sq") == [
        "eqn-expr pos=sup args=2",
        '    eqn-text text="x" font=4',
        '    eqn-text text="2" font=1',
    ]
    _parse(parser, "undef sq")
    assert _parse(parser, "sq") == ['eqn-text text="sq" font=4']


def test_gsize_outlives_an_equation() -> None:
    parser = EqnParser()
    _parse(parser, "gsize 12")
    assert _parse(parser, "x") == ['eqn-text text="x" font=4 size=12']


def test_delim_state_and_inline_split() -> None:
    parser = EqnParser()
    assert parser.delimiters is None
    _parse(parser, "delim $$")
    assert parser.delimiters == ("$", "$")
    state = parser.state
    assert eqndelim("a $x$ b", 0, state, inside=False) == "a \\&\n.EQ\nx$ b"
    assert eqndelim("x$ b", 0, state, inside=True) == "x\n.EN\n\\& b"
    assert eqndelim("$  x", 0, state, inside=False) == ".EQ\nx"
    assert eqndelim("no delimiter", 0, state, inside=False) is None
    _parse(parser, "delim off")
    assert parser.delimiters is None
    assert eqndelim("a $x$", 0, state, inside=False) is None
    _parse(parser, "delim on")
    assert parser.delimiters == ("$", "$")


def test_diagnostics_name_the_eq_macro() -> None:
    eq = EqnParser("page.1").parse(["x", "above"], 12, 1)
    assert [str(d) for d in eq.diagnostics] == [
        "page.1:12:2: ERROR: skipping item outside list: above"
    ]


def test_empty_equation() -> None:
    eq = EqnParser().parse([], 3, 1)
    assert eq.root.children == [] and eq.diagnostics == ()


def test_nul_ends_a_line() -> None:
    assert _parse(EqnParser(), "x\0 y", "z") == [
        'eqn-text text="x" font=4',
        'eqn-text text="z" font=4',
    ]


# -- hostile equations ----------------------------------------------------------------


def test_a_million_tokens() -> None:
    with deadline(60):
        eq = EqnParser().parse(["x sub 1 + "] * 100_000 + ["a " * 500_000], 1, 1)
    assert len(eq.root.children) == 700_000  # "x sub 1" is one box, "+" another
    assert eq.diagnostics == ()


def test_deep_nesting() -> None:
    depth = 200_000
    with deadline(60):
        eq = EqnParser().parse(["{ " * depth + "x" + " }" * depth], 1, 1)
    box, levels = eq.root, 0
    while box.children:
        box, levels = box.children[0], levels + 1
    assert levels == depth + 1


def test_deep_nesting_with_stray_closers() -> None:
    # Each stray "}" looks for an open brace from the deepest box: one step
    # each, not one per level.
    depth = 100_000
    with deadline(60):
        eq = EqnParser().parse(["sqrt " * depth + "x " + "} " * depth + "above " * depth], 1, 1)
    kinds = {d.kind for d in eq.diagnostics}
    assert kinds == {"BLK_NOTOPEN", "IT_STRAY"}
    assert len(eq.diagnostics) == 2 * depth


def test_definition_that_expands_itself() -> None:
    eq = EqnParser().parse(["define key 'key' key"], 1, 1)
    assert [d.kind for d in eq.diagnostics] == ["ROFFLOOP"]
    eq = EqnParser().parse(["define key 'prefix key' key"], 1, 1)
    assert [d.kind for d in eq.diagnostics] == ["ROFFLOOP"]
    assert len(eq.root.children) == NEST_MAX


def test_definitions_that_grow_exponentially() -> None:
    # Ten definitions of four uses each: 4**10 words if expanded.
    defs = [f"define d{i} 'd{i + 1} d{i + 1} d{i + 1} d{i + 1}'" for i in range(10)]
    with deadline(60):
        eq = EqnParser().parse([*defs, "define d10 'x'", "d0"], 1, 1)
    assert [d.kind for d in eq.diagnostics] == ["ROFFLOOP"]
    assert len(eq.root.children) < 4**10


def test_definitions_that_leapfrog() -> None:
    # mandoc 1.14.6 never ends this one (regress define/infinite.in).
    with deadline(60):
        eq = EqnParser().parse(
            ['define inner "content"', 'define outer "inner outer"', "outer"], 1, 1
        )
    assert [d.kind for d in eq.diagnostics] == ["ROFFLOOP"]
    assert 1000 < len(eq.root.children) < 100_000


def test_unterminated_quote() -> None:
    with deadline(60):
        eq = EqnParser("q").parse(['x "' + "a " * 500_000], 4, 1)
    assert [str(d) for d in eq.diagnostics] == ["q:4:2: STYLE: unterminated quoted argument"]
    assert len(eq.root.children) == 2
