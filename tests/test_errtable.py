"""Error-mapping tables: the seed's rows, and the reST they render as."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docutils.core
import docutils.nodes
import docutils.parsers.rst.roles
import pytest

from mdoc2rst.contract.errtable import rows, to_rst
from mdoc2rst.contract.spec import Spec, extract, extract_file
from mdoc2rst.reader import parse

SEED = Path(__file__).parent.parent / "docs" / "man3" / "sctp_connectx.3"


def publish(text: str) -> tuple[str, str, docutils.nodes.document]:
    """The HTML body, every message of level 2 (warning) and up, and the doctree."""
    stream = io.StringIO()
    settings = {"report_level": 2, "halt_level": 5, "warning_stream": stream}
    doctree = docutils.core.publish_doctree(text, settings_overrides=settings)
    html = docutils.core.publish_from_doctree(
        doctree, writer="html5", settings_overrides=settings
    ).decode()
    return html, stream.getvalue(), doctree


def test_seed_rows() -> None:
    got = [(r.name, r.linux, r.freebsd, r.exception) for r in rows(extract_file(SEED))]
    assert got == [
        ("EINVAL", 22, 22, "OSError"),
        ("E2BIG", 7, 7, "OSError"),
        ("EBADF", 9, 9, "OSError"),
        ("ENOTSOCK", 88, 38, "OSError"),
    ]


def test_table_renders_with_docutils_without_messages() -> None:
    html, messages, _ = publish(to_rst(extract_file(SEED), link=False))
    assert messages == ""
    assert "The argument s is not a socket." in html
    assert html.count("<tr") == 5


def test_links_point_at_the_errors_entries() -> None:
    text = to_rst(extract_file(SEED))
    assert ":ref:`EINVAL <sctp_connectx.3-errno-EINVAL>`" in text


# -- page text that would be markup -------------------------------------------

LONG = "E" + "X" * 5000  # no errno: not linked

#: (the .Er argument as the page has it, the name as it must print)
HOSTILE = [
    ('"EFOO` <javascript:alert(1)>`_"', "EFOO` <javascript:alert(1)>`_"),
    ('"E|sub|"', "E|sub|"),
    ('"E`x`"', "E`x`"),
    ('"E<x>"', "E<x>"),
    ('"E:ref:`x`"', "E:ref:`x`"),
    ('"<script>alert(1)</script>"', "<script>alert(1)</script>"),
    (r'"E\[u2028].. raw:: html"', "E .. raw:: html"),
    (r'"E\[u2029]x\[u2028]y"', "E x y"),
    ('"E\\e"', "E\\"),
    ('"-"', "-"),
    ('"_E_"', "_E_"),
    ('"e_lower"', "e_lower"),
    ('"E`' + "e" * 6000 + '"', "E`" + "e" * 6000),
    ('"' + "E ==== " * 2000 + '"', " ".join(["E ===="] * 2000)),
    ("E_UNDER_", "E_UNDER_"),
    ("EINVAL", "EINVAL"),
    (LONG, LONG),
]

HOSTILE_PAGE = """\
.Dd May 1, 2020
.Dt HOSTILE 3
.Os
.Sh NAME
.Nm "host|sub|`x <javascript:alert(1)>`_"
.Nd a page whose errno names are markup
.Sh ERRORS
.Bl -tag -width Er
{items}.El
"""

CONDITION = "When |sub| and `x <javascript:alert(2)>`_ and :raw:`<b>` happen."


def hostile_spec() -> Spec:
    items = "".join(f".It Bq Er {arg}\n{CONDITION}\n" for arg, _ in HOSTILE)
    data = HOSTILE_PAGE.format(items=items).encode()
    return extract(parse(data, "hostile.3"), data)


def test_hostile_names_are_read_as_written() -> None:
    names = [r.name for r in rows(hostile_spec())]
    assert [" ".join(n.split()) for n in names] == [want for _, want in HOSTILE]


@pytest.fixture
def ref_role(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str]]]:
    """A stand-in for Sphinx's ``:ref:`` in plain docutils: it records its text."""
    seen: list[tuple[str, str]] = []

    def role(name: str, rawtext: str, text: str, *args: Any, **kwargs: Any) -> Any:
        seen.append((rawtext, text))
        title = text.rsplit(" <", 1)[0] if text.endswith(">") else text
        return [docutils.nodes.inline(rawtext, title)], []

    monkeypatch.setitem(docutils.parsers.rst.roles._roles, "ref", role)  # type: ignore[attr-defined]
    yield seen


@pytest.mark.parametrize("link", [False, True])
def test_hostile_names_stay_text(link: bool, ref_role: list[tuple[str, str]]) -> None:
    text = to_rst(hostile_spec(), link=link)
    html, messages, doctree = publish(text)
    assert messages == ""
    assert not list(doctree.findall(docutils.nodes.problematic))
    assert not list(doctree.findall(docutils.nodes.substitution_reference))
    assert not list(doctree.findall(docutils.nodes.raw))
    assert 'href="javascript' not in html and "<script" not in html
    assert "<a " not in html  # nothing on the page makes a link in plain docutils
    assert html.count("<tr") == len(HOSTILE) + 1
    # Each name prints as the page has it; line ends, and breaks in words too
    # long for a line of reST, print as blanks.
    cells = [
        "".join(row.children[0].astext().split()) for row in doctree.findall(docutils.nodes.row)
    ]
    assert cells[1:] == ["".join(want.split()) for _, want in HOSTILE]
    short = [row.children[0].astext() for row in doctree.findall(docutils.nodes.row)][1:13]
    assert short == [want for _, want in HOSTILE[:12]]
    conditions = {row.children[4].astext() for row in doctree.findall(docutils.nodes.row)}
    assert conditions == {"Condition (from the page)", CONDITION}
    # Only errno macro names are links; their targets are plain labels.
    linked = [t for _, t in ref_role]
    if link:
        pid = "host-sub-x-javascript-alert-1-_.3"  # the writer's label for the page
        assert linked == [f"E_UNDER_ <{pid}-errno-E_UNDER_>", f"EINVAL <{pid}-errno-EINVAL>"]
    else:
        assert linked == []


def test_hostile_title_is_text() -> None:
    _, messages, doctree = publish(to_rst(hostile_spec(), link=False))
    assert messages == ""
    (title,) = doctree.findall(docutils.nodes.title)
    assert title.astext() == "Errors documented in host|sub|`x <javascript:alert(1)>`_(3)"
