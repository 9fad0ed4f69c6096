"""Hostile pages: crafted inputs beside the diagnostics and output they must produce.

Each ``tests/hostile/NAME.mdoc`` comes with ``NAME.lint``, the exact lint
lines expected, and ``NAME.rst``, the exact plain-docutils reST
(``python tests/test_hostile.py --regen`` rewrites both; read the diff).
Every page must also pass every stage within a bounded time, under the
checks of mutate.run_all_stages: one-line diagnostics, no line end in the
reST but its own, no line docutils refuses, no docutils message of level 2
or more, no markup smuggled in (raw, substitution, footnote, comment), no
live link with an unsafe scheme.  Huge inputs (100,000-deep nesting, a
10 MB line, a million paragraph macros) are generated here rather than
stored.
"""

from __future__ import annotations

import hashlib
import re
import sys
import tracemalloc
from pathlib import Path

import docutils.core
import docutils.nodes
import pytest
from mutate import deadline, run_all_stages

from mdoc2rst import parse, parse_file
from mdoc2rst.tree.dump import dump
from mdoc2rst.writers.rst import RstOptions, write

HOSTILE = Path(__file__).parent / "hostile"
PAGES = sorted(HOSTILE.glob("*.mdoc"))
SECONDS = 20  # far above what any of these takes; a hang fails instead of blocking CI


def lint_lines(page: Path) -> list[str]:
    doc = parse_file(page)
    prefix = str(page.parent) + "/"
    return [str(d).replace(prefix, "") for d in doc.diagnostics]


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_expected_diagnostics(page: Path) -> None:
    with deadline(SECONDS):
        got = lint_lines(page)
    expected = page.with_suffix(".lint").read_text(encoding="utf-8").splitlines()
    assert got == expected


def rst_text(page: Path) -> str:
    return write(parse_file(page), RstOptions(flavor="docutils"))


#: Expected reST larger than this is kept as its SHA-256 and length
#: (NAME.rst.sha256): the pages that multiply text make megabytes of it.
STORED_MAX = 64 * 1024


def digest(text: str) -> str:
    data = text.encode("utf-8")
    return f"{hashlib.sha256(data).hexdigest()} {len(data)}\n"


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_expected_output(page: Path) -> None:
    with deadline(SECONDS):
        got = rst_text(page)
    stored = page.with_suffix(".rst")
    if stored.exists():
        assert got == stored.read_text(encoding="utf-8")
    else:
        assert digest(got) == page.with_suffix(".rst.sha256").read_text(encoding="utf-8")


#: A raw or include directive: page text may say ".. raw::", never start one.
DIRECTIVE = re.compile(r"^[ \t]*\.\.[ \t]+(?:raw|include)[ \t]*::", re.M)


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_every_stage_survives(page: Path) -> None:
    with deadline(SECONDS):
        run_all_stages(page.read_bytes(), page.name)
        doc = parse_file(page)
        for flavor in ("sphinx", "docutils"):
            rst = write(doc, RstOptions(flavor=flavor))  # type: ignore[arg-type]
            if flavor == "docutils":
                html = docutils.core.publish_parts(rst, writer="html5")["body"]
                assert "<script" not in html
                assert "root:" not in html  # nothing of /etc/passwd
                assert 'href="javascript' not in html.lower()
            assert not DIRECTIVE.search(rst), DIRECTIVE.search(rst)


def test_injection_text_stays_text() -> None:
    doc = parse_file(HOSTILE / "rst-injection.mdoc")
    rst = write(doc, RstOptions(flavor="docutils"))
    html = docutils.core.publish_parts(rst, writer="html5")["body"]
    for literal in ("|sub|", "`target`_", "**bold**", ":math:`x`", "_`tgt`", "include::"):
        assert literal.replace("&", "&amp;") in html.replace("&#x60;", "`")
    assert "<strong>bold</strong>" not in html and "<script" not in html


HEADER = ".Dd May 1, 2020\n.Dt T 1\n.Os\n.Sh NAME\n.Nm t\n.Nd t\n.Sh DESCRIPTION\n"
HUGE = {
    "Bo-100000": HEADER + ".Bo\n" * 100_000 + "x\n",
    "Aq-100000": HEADER + ".Aq" + " Aq" * 100_000 + " x\n",
    "Bl-100000": HEADER + ".Bl -tag\n.It a\n" * 100_000 + "x\n",
    "line-10MB": HEADER + "word " * 2_000_000 + "\n",
    "Ql-10MB-one-macro": HEADER + ".Ql " + "a" * 10_000_000 + "\n",
}


@pytest.mark.parametrize("name", sorted(HUGE))
def test_resource_bounds(name: str) -> None:
    tracemalloc.start()
    try:
        with deadline(60):
            doc = parse(HUGE[name], f"{name}.1")
            dump(doc)
            write(doc, RstOptions(flavor="docutils"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 400 * 2**20, f"peak {peak / 2**20:.0f} MiB"
    if "100000" in name:
        assert any(d.kind == "TOOLARGE" for d in doc.diagnostics)


# Passes that must stay linear: each case is far beyond real pages (tens of
# thousands of lines at most) and ends in seconds; a quadratic step makes it
# run for minutes, which the deadline turns into a failure.  The figures are
# in bench/hostile.py.
LINEAR = {
    "Pp-300000": HEADER + ".Pp\n" * 300_000,
    "br-after-Pp-300000": HEADER + ".Pp\n" + ".br\n" * 300_000,
    "Pp-in-item-200000": HEADER + ".Bl -tag\n.It a\n" + ".Pp\n" * 200_000 + ".El\n",
    "Fl-chain-50000": HEADER + ".Fl" + " Fl" * 50_000 + " x\n",
    "Ta-chain-20000": HEADER + ".Bl -column a b\n.It a" + " Ta b" * 20_000 + "\n.El\n",
    "Ao-Ac-chain-20000": HEADER + ".Ao" + " Ao Ac" * 20_000 + "\n",
    "Xc-chain-50000": HEADER + ".Xc" + " Xc" * 50_000 + "\n",
    "column-tabs-100000": HEADER + ".Bl -column a\n.It a" + "\tb" * 100_000 + "\n.El\n",
    "Em-font-words-100000": HEADER + ".Em " + "x\\fBy\\fIz\\fR " * 100_000 + "\n",
    "Fl-arguments-100000": HEADER + ".Fl" + " a" * 100_000 + "\n",
    "equal-titles-40000": HEADER + ".Sh x\ntext\n" * 40_000,
    "Tg-arguments-100000": HEADER + ".Tg" + " a" * 100_000 + "\nx\n",
}


@pytest.mark.parametrize("name", sorted(LINEAR))
def test_linear_passes(name: str) -> None:
    with deadline(60):
        doc = parse(LINEAR[name], f"{name}.1")
        dump(doc)
        write(doc, RstOptions(flavor="docutils"))
        write(doc, RstOptions(flavor="sphinx"))
    assert not any(d.kind == "TOOLARGE" for d in doc.diagnostics if "chain" not in name)


MAN_HEADER = ".TH T 1 2020-05-01\n.SH NAME\nt \\- t\n.SH DESCRIPTION\n"
# man(7) pages that nest or grow without bound in mandoc: the nesting (or
# the line) is cut, with one TOOLARGE; and pages far beyond real ones whose
# every pass must stay linear (a quadratic step turns seconds into minutes,
# which the deadline makes a failure).
MAN_HUGE = {
    "RS-100000": MAN_HEADER + ".RS\n" * 100_000 + "x\n",
    "UR-100000": MAN_HEADER + ".UR x\n" * 100_000 + "x\n",
    "B-next-line-100000": MAN_HEADER + ".B\n" * 100_000 + "x\n",
    "RS-TP-100000": MAN_HEADER + ".RS\n.TP\n" * 100_000 + "x\n",
    "line-10MB": MAN_HEADER + "word " * 2_000_000 + "\n",  # over the roff layer's line bound
}
MAN_LINEAR = {
    "TP-100000": MAN_HEADER + ".TP\ntag\nbody\n" * 100_000,
    "RE-100000": MAN_HEADER + ".RE\n" * 100_000,
    "RS-RE-100000": MAN_HEADER + ".RS\ntext\n.RE\n" * 100_000,
    "PP-300000": MAN_HEADER + ".PP\n" * 300_000,
    "br-300000": MAN_HEADER + "text\n" + ".br\n" * 300_000,
    "ft-br-100000": MAN_HEADER + "text\n" + ".ft B\n.br\n" * 100_000,
    "B-words-100000": MAN_HEADER + ".B" + " a" * 100_000 + "\n",
    "IP-empty-100000": MAN_HEADER + ".IP\n" * 100_000,
    "TP-unclosed-eof": MAN_HEADER + ".TP\n.B\n",
    "SY-YS-50000": MAN_HEADER + ".SY cmd\n.OP -a\n.YS\n" * 50_000,
}


@pytest.mark.parametrize("name", sorted(MAN_HUGE))
def test_man_nesting_is_bounded(name: str) -> None:
    tracemalloc.start()
    try:
        with deadline(60):
            doc = parse(MAN_HUGE[name], f"{name}.1")
            dump(doc)
            write(doc, RstOptions(flavor="docutils"))
            write(doc, RstOptions(flavor="sphinx"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert doc.macroset == "man"
    assert peak < 400 * 2**20, f"peak {peak / 2**20:.0f} MiB"
    assert [d.kind for d in doc.diagnostics].count("TOOLARGE") == 1


@pytest.mark.parametrize("name", sorted(MAN_LINEAR))
def test_man_passes_are_linear(name: str) -> None:
    with deadline(60):
        doc = parse(MAN_LINEAR[name], f"{name}.1")
        dump(doc)
        write(doc, RstOptions(flavor="docutils"))
        write(doc, RstOptions(flavor="sphinx"))
    assert doc.macroset == "man"
    assert not any(d.kind == "TOOLARGE" for d in doc.diagnostics)


# What the writer builds stays well formed however long the page text in
# it: titles, terms, cells, words, literal lines, URLs, labels of 12,000
# characters, past the 10,000 that docutils takes on one line.
LONG = "x" * 12_000
LONG_WORDS = " ".join(["title"] * 2_400)
LONG_CONSTRUCTS = {
    "section-title": f".Sh {LONG_WORDS}\ntext\n.Ss {LONG}\ntext\n",
    "tag-head": f".Bl -tag\n.It {LONG_WORDS}\nbody\n.It Fl {LONG}\nbody\n.El\n",
    "column-cell": f".Bl -column a b\n.It {LONG} Ta {'*_`' * 4_000}\n.El\n",
    "bullet-word": f".Bl -bullet\n.It\n{LONG}\n.It\n{'=' * 12_000}\n.El\n",
    "literal-line": f".Bd -literal\n{LONG}\n.Ed\n.Dl {LONG}\n",
    "backslashes": "\\e" * 12_000 + "\n",
    "url": f".Lk http://example.com/{LONG} text\n.Lk http://example.com/ {LONG}\n",
    "name": f".Nm {LONG}\n.Sh SEE ALSO\n.Xr {LONG} 1\n",
    "font-runs": "x\\fBy\\fIz\\fR" * 4_000 + "\n",
    "unbreakable-strong": ".Sy " + "a\\ " * 6_000 + "\n",
}


@pytest.mark.parametrize("name", sorted(LONG_CONSTRUCTS))
def test_long_constructs_stay_well_formed(name: str) -> None:
    with deadline(SECONDS):
        run_all_stages((HEADER + LONG_CONSTRUCTS[name]).encode(), f"{name}.1")


MAN_LONG_CONSTRUCTS = {
    "section-title": f".SH {LONG_WORDS}\ntext\n.SS {LONG}\ntext\n",
    "tag-head": f".TP\n{LONG_WORDS}\nbody\n.TP\n.B {LONG}\nbody\n.IP {LONG}\nbody\n",
    "bullet-word": f".IP \\(bu\n{LONG}\n.IP \\(bu\n{'=' * 12_000}\n",
    "literal-line": f".nf\n{LONG}\n.fi\n.EX\n{LONG}\n.EE\n",
    "url": f".UR http://example.com/{LONG}\ntext\n.UE\n.UR http://example.com/\n{LONG}\n.UE\n",
    "mail": f".MT {LONG}@example.org\n.ME\n",
    "page-reference": f".BR {LONG} (1),\n{LONG}(2)\n",
    "font-runs": "x\\fBy\\fIz\\fR" * 4_000 + "\n",
    "alternating": ".BI" + " a b" * 6_000 + "\n",
    "synopsis": '.SH SYNOPSIS\n.nf\n.BI "int t(int ' + "a, int " * 3_000 + 'z);"\n.fi\n',
    "schemes": "".join(
        f".UR {scheme}:x\nlink\n.UE\n.MT {scheme}:x\n.ME\n"
        for scheme in ("javascript", "data", "vbscript", "file", "JaVaScRiPt")
    ),
}


@pytest.mark.parametrize("name", sorted(MAN_LONG_CONSTRUCTS))
def test_man_long_constructs_stay_well_formed(name: str) -> None:
    page = (MAN_HEADER + MAN_LONG_CONSTRUCTS[name]).encode()
    with deadline(SECONDS):
        run_all_stages(page, f"{name}.1")
    assert parse(page, f"{name}.1").macroset == "man"


def _regen() -> None:
    for page in PAGES:
        out = "".join(line + "\n" for line in lint_lines(page))
        page.with_suffix(".lint").write_text(out, encoding="utf-8")
        text = rst_text(page)
        for old in (page.with_suffix(".rst"), page.with_suffix(".rst.sha256")):
            old.unlink(missing_ok=True)
        if len(text.encode("utf-8")) > STORED_MAX:
            page.with_suffix(".rst.sha256").write_text(digest(text), encoding="utf-8")
        else:
            page.with_suffix(".rst").write_text(text, encoding="utf-8")
        print(f"wrote {page.with_suffix('.lint').name} and the expected reST")


if __name__ == "__main__" and "--regen" in sys.argv:
    _regen()
