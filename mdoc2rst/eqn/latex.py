"""An equation as LaTeX math, for Sphinx's ``math`` role and directive.

The box tree maps onto LaTeX directly: ``over`` is ``\\frac``, ``sub`` and
``sup`` are ``_`` and ``^``, ``from`` and ``to`` are limits (``\\sum\\limits``
on big operators, ``\\underset``/``\\overset`` on anything else), ``sqrt`` is
``\\sqrt``, piles are ``matrix`` environments of one column and matrices
of several, ``left``/``right`` are ``\\left``/``\\right``, diacritical marks
are accents (``\\hat``, ``\\vec``...).  Each text box carries its font
(mandoc's automatic rules included): italic words longer than a letter are
``\\mathit``, roman words ``\\mathrm``, bold ``\\mathbf``, fat
``\\boldsymbol``, and quoted text with blanks ``\\text``.  Named characters
become their LaTeX commands, other characters the Unicode ones in
``\\text``.  Point sizes (``size``, ``gsize``) are not rendered: math
renderers size formulas themselves.

The output stays within what docutils' own LaTeX-to-MathML converter
accepts, so it renders in every Sphinx builder.  The walk keeps its own
stack, so a deeply nested equation costs its size.
"""

from __future__ import annotations

from typing import Final

from mdoc2rst.eqn.box import Box, BoxType, Font, Pos
from mdoc2rst.roff.escape import Esc, render, scan

__all__ = ["to_latex"]

# One step of the output: a box to write, or text as it is.
_Step = Box | str

#: LaTeX for roff's named characters (those eqn produces, and a few more).
_CHARS: Final[dict[str, str]] = {
    "*a": "\\alpha", "*b": "\\beta", "*x": "\\chi", "*d": "\\delta", "*e": "\\epsilon",
    "*y": "\\eta", "*g": "\\gamma", "*i": "\\iota", "*k": "\\kappa", "*l": "\\lambda",
    "*m": "\\mu", "*n": "\\nu", "*w": "\\omega", "*o": "o", "*f": "\\phi", "*p": "\\pi",
    "*q": "\\psi", "*r": "\\rho", "*s": "\\sigma", "*t": "\\tau", "*h": "\\theta",
    "*u": "\\upsilon", "*c": "\\xi", "*z": "\\zeta", "*D": "\\Delta", "*G": "\\Gamma",
    "*L": "\\Lambda", "*W": "\\Omega", "*F": "\\Phi", "*P": "\\Pi", "*Q": "\\Psi",
    "*S": "\\Sigma", "*H": "\\Theta", "*U": "\\Upsilon", "*C": "\\Xi",
    "*A": "A", "*B": "B", "*E": "E", "*Z": "Z", "*Y": "H", "*I": "I", "*K": "K",
    "*M": "M", "*N": "N", "*O": "O", "*R": "P", "*T": "T", "*X": "X",
    "ca": "\\cap", "cu": "\\cup", "product": "\\prod", "integral": "\\int",
    "sum": "\\sum", "gr": "\\nabla", "mu": "\\times", "pc": "\\cdot", "~~": "\\approx",
    "fm": "\\prime", "12": "\\tfrac{1}{2}", "pd": "\\partial", "if": "\\infty",
    ">>": "\\gg", "<<": "\\ll", "<-": "\\leftarrow", "->": "\\rightarrow", "+-": "\\pm",
    "!=": "\\neq", "==": "\\equiv", "<=": "\\leq", ">=": "\\geq", "mi": "-", "sr": "\\surd",
    "lc": "\\lceil", "rc": "\\rceil", "lf": "\\lfloor", "rf": "\\rfloor", "**": "\\ast",
    "di": "\\div", "no": "\\neg", "AN": "\\wedge", "OR": "\\vee", "mo": "\\in",
    "sb": "\\subset", "sp": "\\supset", "es": "\\emptyset", "fa": "\\forall",
    "te": "\\exists", "<>": "\\leftrightarrow", "ua": "\\uparrow", "da": "\\downarrow",
    "lh": "\\langle", "rh": "\\rangle", "ba": "|", "br": "|", "or": "|", "ti": "\\sim",
    "ap": "\\sim", "bs": "\\backslash", "rs": "\\backslash", "ha": "\\hat{}",
    "hy": "-", "en": "\\text{\u2013}", "em": "\\text{\u2014}",
}  # fmt: skip

_BIG_OPERATORS: Final = frozenset({"\\[sum]", "\\[product]", "\\[integral]", "\\[ca]", "\\[cu]"})

# ASCII characters that mean something to LaTeX.
_ESCAPES: Final[dict[str, str]] = {
    "\\": "\\backslash ", "{": "\\{", "}": "\\}", "#": "\\#", "$": "\\$",
    "%": "\\%", "&": "\\&", "_": "\\_", "^": "\\hat{}", "~": "\\sim ",
}  # fmt: skip

_FONT_COMMANDS: Final[dict[Font, str]] = {
    Font.ROMAN: "\\mathrm",
    Font.ITALIC: "\\mathit",
    Font.BOLD: "\\mathbf",
    Font.FAT: "\\boldsymbol",
}

#: Accents by the mark the parser puts above (or below) a box.
_ACCENTS: Final[dict[str, str]] = {
    "\\[ad]": "\\ddot",
    "\\[->]": "\\vec",
    "\\[<>]": "\\overleftrightarrow",
    "\\[a~]": "\\tilde",
    "\\[rn]": "\\overline",
    "\\[a.]": "\\dot",
    "\\[ha]": "\\hat",
    "\\[ul]": "\\underline",
}

#: What can follow \left and \right.
_FENCES: Final[dict[str, str]] = {
    "(": "(", ")": ")", "[": "[", "]": "]", "{": "\\{", "}": "\\}", "|": "|",
    "||": "\\|", "<": "\\langle", ">": "\\rangle", "": ".",
    "\\[lc]": "\\lceil", "\\[rc]": "\\rceil", "\\[lf]": "\\lfloor", "\\[rf]": "\\rfloor",
    "\\[la]": "\\langle", "\\[ra]": "\\rangle", "\\[br]": "|", "\\[ba]": "|",
}  # fmt: skip

_ASCII_LETTERS: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def to_latex(root: Box) -> str:
    """LaTeX math for the equation under ``root`` (or for any box)."""
    out: list[str] = []
    stack: list[_Step] = [root]
    while stack:
        step = stack.pop()
        if isinstance(step, str):
            out.append(step)
        else:
            stack.extend(reversed(_steps(step)))
    return "".join(out)


def _steps(box: Box) -> list[_Step]:
    if box.type is BoxType.TEXT:
        return [_text(box)]
    if box.type is BoxType.SUBEXPR:
        return _subexpression(box)
    if box.type is BoxType.PILE:
        return _matrix([box.children])
    if box.type is BoxType.MATRIX:
        return _matrix(_columns(box))
    return _list(box)


def _slot(box: Box, i: int) -> _Step:
    """Child ``i``, or nothing where mandoc found no box."""
    return box.children[i] if i < len(box.children) else ""


def _subexpression(box: Box) -> list[_Step]:
    pos, first = box.pos, _slot(box, 0)
    if pos is Pos.SQRT:
        return ["\\sqrt{", first, "}"]
    if pos is Pos.OVER:
        return ["\\frac{", first, "}{", _slot(box, 1), "}"]
    if pos in (Pos.FROM, Pos.TO, Pos.FROMTO):
        return _limits(box)
    steps: list[_Step] = ["{", first, "}"]
    steps += ["^{" if pos is Pos.SUP else "_{", _slot(box, 1), "}"]
    if pos is Pos.SUBSUP:
        steps += ["^{", _slot(box, 2), "}"]
    return steps


def _limits(box: Box) -> list[_Step]:
    first, lower = _slot(box, 0), _slot(box, 1)
    below = box.pos is not Pos.TO
    upper = _slot(box, 2) if box.pos is Pos.FROMTO else lower
    if isinstance(first, Box) and first.type is BoxType.TEXT and first.text in _BIG_OPERATORS:
        # \limits must follow the operator itself, not a group.
        steps: list[_Step] = [_text(first), "\\limits"]
        if below:
            steps += ["_{", lower, "}"]
        if box.pos is not Pos.FROM:
            steps += ["^{", upper, "}"]
        return steps
    if box.pos is Pos.FROMTO:
        return ["\\underset{", lower, "}{\\overset{", upper, "}{", first, "}}"]
    command = "\\underset{" if below else "\\overset{"
    return [command, lower, "}{", first, "}"]


def _columns(box: Box) -> list[list[Box]]:
    """A matrix's columns, each a list of cells (eqn_term.c reads them so too)."""
    kids = box.children
    if kids and kids[0].type is BoxType.LIST and kids[0].expectargs > 1:
        kids = kids[0].children
    return [k.children if k.type is BoxType.PILE else [k] for k in kids]


def _matrix(columns: list[list[Box]]) -> list[_Step]:
    steps: list[_Step] = ["\\begin{matrix} "]
    rows = max((len(c) for c in columns), default=0)
    for r in range(rows):
        if r:
            steps.append(" \\\\ ")
        for c, column in enumerate(columns):
            if c:
                steps.append(" & ")
            if r < len(column):
                steps.append(column[r])
    steps.append(" \\end{matrix}")
    return steps


def _list(box: Box) -> list[_Step]:
    steps: list[_Step] = []
    for i, child in enumerate(box.children):
        if i:
            steps.append(" ")
        steps.append(child)
    if box.left is not None or box.right is not None:
        steps = _fenced(box, steps)
    elif box.type is BoxType.LIST and box.expectargs > 1 and len(box.children) > 1:
        steps = ["{", *steps, "}"]
    for mark in (box.top, box.bottom):
        if mark is not None:
            steps = [_ACCENTS.get(mark, "\\overline") + "{", *steps, "}"]
    return steps


def _fenced(box: Box, inner: list[_Step]) -> list[_Step]:
    """``\\left ... \\right``; a fence LaTeX has no delimiter for is text beside it."""
    left = _FENCES.get(box.left if box.left is not None else "")
    right = _FENCES.get(box.right if box.right is not None else "")
    before = _plain(box.left or "") if left is None else ""
    after = _plain(box.right or "") if right is None else ""
    if left is None and right is None:
        return [f"{before} " if before else "", *inner, f" {after}" if after else ""]
    return [f"{before}\\left{left or '.'} ", *inner, f" \\right{right or '.'}{after}"]


# -- text ---------------------------------------------------------------------------


def _text(box: Box) -> str:
    text = box.text or ""
    if not text:
        return "{}"
    # Math mode drops blanks: quoted words are set one by one, with a space
    # of their own between them.
    return "\\ ".join(_word(word, box.font) for word in text.split(" "))


def _word(word: str, font: Font) -> str:
    if not word:
        return ""
    body = _convert(word)
    command = _FONT_COMMANDS.get(font)
    if command is None:
        return body
    if command == "\\mathit" and len(word) == 1 and word in _ASCII_LETTERS:
        return body  # a lone letter is italic anyway
    if command == "\\mathrm" and not any(c in _ASCII_LETTERS for c in word):
        return body  # digits and signs are upright anyway
    return f"{command}{{{body}}}"


def _convert(text: str) -> str:
    """The characters of ``text`` as LaTeX: ASCII kept or escaped, named
    characters as commands, anything else as Unicode in ``\\text``."""
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c != "\\":
            out.append(_char(c))
            i += 1
            continue
        kind, end, arg = scan(text, i)
        end = max(end, i + 1)
        command = _CHARS.get(arg) if kind is Esc.SPECIAL else None
        if command is not None:
            out.append(command + " ")
        else:
            out.extend(_char(r) for r in render(text[i:end]))
        i = end
    return "".join(out)


def _char(c: str) -> str:
    if c in _ESCAPES:
        return _ESCAPES[c]
    if c.isascii():
        return c if c.isprintable() else ""
    return f"\\text{{{c}}}"


def _plain(text: str) -> str:
    """A fence LaTeX cannot stretch, as plain upright text."""
    return _word(text, Font.ROMAN).replace(" ", "\\ ")
