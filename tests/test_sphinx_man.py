"""man(7) pages in a Sphinx site, read as mdoc(7) pages are.

A small project made at test time: two man(7) pages in the Linux
man-pages and lksctp-tools style (``man3/frob_open.3``, ``man2/frob.2``)
and an mdoc(7) page (``man3/widget.3``) that refer to each other.  The
build is nitpicky with warnings as errors: titles, labels, NAME aliases,
the index, C declarations from the SYNOPSIS and links both ways must all
resolve.  A page with a problem gives its warning at its page line.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("sphinx", reason="Sphinx is not installed (pip install '.[sphinx]')")

from sphinx.application import Sphinx
from sphinx.util.docutils import docutils_namespace, patch_docutils

CONF = """\
extensions = ["mdoc2rst.sphinx"]
exclude_patterns = ["_build"]
nitpicky = True
"""

INDEX = """\
Frob pages
==========

.. toctree::
   :glob:

   man2/*
   man3/*

See :mdoc:page:`frob_open(3)`, :mdoc:page:`frob_close(3)`, :c:func:`frob_open`
and :ref:`EBADF <frob_open.3-errno-EBADF>`.
"""

FROB_OPEN = r""".TH FROB_OPEN 3 2024-05-01 "frob 1.0" "Frob Library Manual"
.SH NAME
frob_open, frob_close \- open and close a frob
.SH SYNOPSIS
.nf
.B #include <frob.h>
.PP
.BI "int frob_open(const char *" path ", int " flags );
.BI "int frob_close(int " fd );
.fi
.PP
Link with \fI\-lfrob\fP.
.SH DESCRIPTION
.BR frob_open ()
opens the frob at
.IR path ;
see
.BR frob (2).
Also \fBwidget\fP(3) and frob(2) in running text.
.TP
.B FROB_RDONLY
Read only.
.TQ
.B FROB_RDWR
Read and write.
.IP \(bu 2
a bullet
.IP \(bu
another
.RS
.PP
Indented text.
.EX
frob_open("/dev/frob0", FROB_RDONLY);
.EE
.RE
.SS Details
See
.UR https://example.org/frob
the frob site
.UE .
Mail
.MT frob@example.org
the maintainers
.ME .
.SH RETURN VALUE
.BR frob_open ()
returns a descriptor, or \-1 on error.
.SH ERRORS
.TP
.B EBADF
.I fd
is not a valid descriptor.
.TP
.B ENOENT
.I path
does not exist.
.SH SEE ALSO
.BR frob (2),
.BR widget (3)
"""

FROB = r""".TH FROB 2 2024-05-01 "frob 1.0"
.SH NAME
frob \- the frob system call
.SH SYNOPSIS
.nf
.B #include <frob.h>
.PP
.BI "int frob(int " op ", ...);"
.BI "K&R style " garbage ( a )
.fi
.SH DESCRIPTION
.SY frobctl
.OP \-v
.OP \-o file
.YS
Calls
.BR frob_open (3).
.SH SEE ALSO
.BR frob_open (3)
"""

WIDGET = """\
.Dd May 1, 2024
.Dt WIDGET 3
.Os
.Sh NAME
.Nm widget
.Nd a widget
.Sh DESCRIPTION
A widget uses
.Xr frob_open 3
and
.Xr frob_close 3
and
.Xr frob 2 .
"""


def _plain(output: str) -> str:
    return re.sub(r"\x1b\[[0-9;]*m", "", output)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def make_project(root: Path, frob_open: str = FROB_OPEN) -> Path:
    srcdir = root / "project"
    for folder in ("man2", "man3"):
        (srcdir / folder).mkdir(parents=True)
    (srcdir / "man3" / "frob_open.3").write_text(frob_open, encoding="utf-8")
    (srcdir / "man2" / "frob.2").write_text(FROB, encoding="utf-8")
    (srcdir / "man3" / "widget.3").write_text(WIDGET, encoding="utf-8")
    (srcdir / "conf.py").write_text(CONF, encoding="utf-8")
    (srcdir / "index.rst").write_text(INDEX, encoding="utf-8")
    return srcdir


def build(srcdir: Path, *, strict: bool) -> tuple[Sphinx, str]:
    warnings = io.StringIO()
    with patch_docutils(srcdir), docutils_namespace():
        app = Sphinx(
            srcdir,
            srcdir,
            srcdir / "_build" / "html",
            srcdir / "_build" / "doctrees",
            "html",
            status=io.StringIO(),
            warning=warnings,
            freshenv=True,
            warningiserror=strict,
        )
        app.build()
    return app, _plain(warnings.getvalue())


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sphinx, Path]]:
    srcdir = make_project(tmp_path_factory.mktemp("sphinx-man"))
    app, warnings = build(srcdir, strict=True)
    assert warnings == ""
    assert app.statuscode == 0
    yield app, srcdir / "_build" / "html"


def _html(out: Path, docname: str) -> str:
    return (out / f"{docname}.html").read_text(encoding="utf-8")


def test_title_furniture_and_sections(site: tuple[Sphinx, Path]) -> None:
    _, out = site
    html = _html(out, "man3/frob_open")
    assert "<h1>frob_open(3)" in html
    text = _text(html)
    assert "Frob Library Manual" in text and "frob 1.0 — 2024-05-01" in text
    assert 'id="frob-open-3-synopsis"' in html or 'id="frob-open.3-synopsis"' in html
    for words in ("Read only.", "Indented text.", "a bullet", "Details"):
        assert words in text


def test_synopsis_declarations(site: tuple[Sphinx, Path]) -> None:
    app, out = site
    found = sorted(
        (name, docname)
        for name, _, typ, docname, _, _ in app.env.get_domain("c").get_objects()
        if typ == "function"
    )
    assert found == [
        ("frob", "man2/frob"),
        ("frob_close", "man3/frob_open"),
        ("frob_open", "man3/frob_open"),
    ]
    html = _html(out, "man3/frob_open")
    signature = re.search(r'<dt class="sig sig-object c" id="c\.frob_open">(.*?)</dt>', html, re.S)
    assert signature is not None
    text = _text(signature.group(1)).replace("¶", "")
    assert (
        re.sub(r"\s*([(),*])\s*", r"\1", text).strip()
        == "int frob_open(const char*path,int flags)"
    )
    # A line that is no C declaration stays text.
    assert "garbage" in _text(_html(out, "man2/frob"))


def test_links_both_ways(site: tuple[Sphinx, Path]) -> None:
    _, out = site
    widget = _html(out, "man3/widget")
    # frob_close(3) is an alias: a name of frob_open(3)'s NAME section.
    assert widget.count('href="frob_open.html') >= 2
    assert 'href="../man2/frob.html' in widget
    frob_open = _html(out, "man3/frob_open")
    assert 'href="widget.html' in frob_open
    assert 'href="../man2/frob.html' in frob_open
    assert 'href="https://example.org/frob"' in frob_open
    assert 'href="mailto:frob' in frob_open  # the address is cloaked
    assert 'href="../man3/frob_open.html' in _html(out, "man2/frob")


def test_index_and_errno_labels(site: tuple[Sphinx, Path]) -> None:
    _, out = site
    genindex = _text(_html(out, "genindex"))
    for entry in ("frob_open (3)", "frob_close (3)", "frob (2)"):
        assert entry in genindex
    index = _html(out, "index")
    assert 'href="man3/frob_open.html#frob-open-3-errno-ebadf"' in index
    assert 'href="man3/frob_open.html#c.frob_open"' in index


def test_warnings_at_page_lines(tmp_path: Path) -> None:
    # groff's .MR, which mandoc 1.14.6 does not know: its message, at its line.
    page = FROB_OPEN.replace(".SH DESCRIPTION\n", ".SH DESCRIPTION\n.MR widget 3\n", 1)
    _, warnings = build(make_project(tmp_path, page), strict=False)
    line = 1 + page.splitlines().index(".MR widget 3")
    found = [w for w in warnings.splitlines() if "[mdoc." in w]
    assert found, warnings
    assert any(f"frob_open.3:{line}:" in w for w in found), warnings
