"""Hostile pages: crafted inputs beside the diagnostics they must produce.

Each ``tests/hostile/NAME.mdoc`` comes with ``NAME.lint``, the exact lint
lines expected (``python tests/test_hostile.py --regen`` rewrites them; read
the diff).  Every page must also finish in bounded time, convert to reST in
both flavours that docutils parses without errors, smuggle no markup
through, and yield a spec.  Huge inputs (100,000-deep nesting, a 10 MB line)
are generated here rather than stored.
"""

from __future__ import annotations

import sys
import tracemalloc
from pathlib import Path

import docutils.core
import docutils.nodes
import pytest
from mutate import deadline

from mdoc2rst import parse, parse_file
from mdoc2rst.rst import RstOptions, write
from mdoc2rst.spec import extract
from mdoc2rst.tree import dump

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


def system_messages(text: str) -> list[str]:
    doctree = docutils.core.publish_doctree(
        text, settings_overrides={"report_level": 5, "halt_level": 5}
    )
    return [m.astext() for m in doctree.findall(docutils.nodes.system_message) if m["level"] >= 3]


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_every_stage_survives(page: Path) -> None:
    with deadline(SECONDS):
        doc = parse_file(page)
        dump(doc)
        extract(doc)
        for flavor in ("sphinx", "docutils"):
            rst = write(doc, RstOptions(flavor=flavor))  # type: ignore[arg-type]
            if flavor == "docutils":
                assert system_messages(rst) == []
                html = docutils.core.publish_parts(rst, writer="html5")["body"]
                assert "<script" not in html
                assert "root:" not in html  # nothing of /etc/passwd
            assert ".. raw::" not in rst and ".. include::" not in rst


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


def _regen() -> None:
    for page in PAGES:
        out = "".join(line + "\n" for line in lint_lines(page))
        page.with_suffix(".lint").write_text(out, encoding="utf-8")
        print(f"wrote {page.with_suffix('.lint').name}")


if __name__ == "__main__" and "--regen" in sys.argv:
    _regen()
