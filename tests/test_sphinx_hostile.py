"""The Sphinx extension against pages that crash the pipeline or carry markup.

Each test builds a small project in process (so that the pipeline can be
made to fail on one page with monkeypatch) without warnings as errors, and
checks that the build goes on, what the bad page becomes, and what the
warnings say.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("sphinx", reason="Sphinx is not installed (pip install '.[sphinx]')")

from sphinx.application import Sphinx
from sphinx.errors import SphinxError
from sphinx.util.docutils import docutils_namespace, patch_docutils
from sphinx.util.inventory import InventoryFile

import mdoc2rst.reader
import mdoc2rst.sphinx
import mdoc2rst.sphinx.directives
import mdoc2rst.sphinx.render
import mdoc2rst.writers.rst


def page(name: str, body: str = "", nd: str = "a page") -> str:
    return (
        f".Dd May 1, 2020\n.Dt {name.upper()} 3\n.Os\n.Sh NAME\n.Nm {name}\n.Nd {nd}\n"
        f".Sh DESCRIPTION\nThe text of {name}.\n{body}"
    )


INDEX = """\
Pages
=====

.. toctree::
   :glob:

   man3/*
   included

See :mdoc:page:`crash(3)` and :mdoc:page:`good(3)`.
"""

INCLUDED = """\
Included
========

.. mdoc:: /outside/crash.3
   :page-id: outside-crash

.. mdoc-errors:: /outside/crash.3

.. mdoc:: /outside/good.3
   :page-id: outside-good
"""


@dataclass
class Built:
    app: Sphinx
    outdir: Path
    warnings: str

    def html(self, docname: str) -> str:
        return (self.outdir / f"{docname}.html").read_text(encoding="utf-8")

    def lines(self, pattern: str) -> list[str]:
        return [w for w in self.warnings.splitlines() if re.search(pattern, w)]


def build(srcdir: Path, **overrides: Any) -> Built:
    outdir = srcdir / "_build" / "html"
    warnings = io.StringIO()
    with patch_docutils(srcdir), docutils_namespace():
        app = Sphinx(
            srcdir,
            srcdir,
            outdir,
            srcdir / "_build" / "doctrees",
            "html",
            confoverrides=overrides,
            status=io.StringIO(),
            warning=warnings,
            freshenv=True,
        )
        app.build()
    plain = re.sub(r"\x1b\[[0-9;]*m", "", warnings.getvalue())
    return Built(app, outdir, plain)


def project(root: Path, pages: Mapping[str, str | bytes], files: Mapping[str, str]) -> Path:
    """A project of ``pages`` (paths below the source folder) and reST ``files``."""
    srcdir = root / "project"
    for rel, text in {**pages, **files}.items():
        path = srcdir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    conf = 'extensions = ["mdoc2rst.sphinx"]\nexclude_patterns = ["_build", "outside"]\n'
    (srcdir / "conf.py").write_text(conf, encoding="utf-8")
    return srcdir


# -- a page that crashes the pipeline -----------------------------------------


@pytest.fixture
def crashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pipeline fails on every page named crash.3, wherever it is read from."""
    real = mdoc2rst.reader.parse

    def parse(text: str | bytes, filename: str = "<stdin>", **kwargs: Any) -> Any:
        if Path(filename).name == "crash.3":
            raise RuntimeError("boom\nwith a second line")
        return real(text, filename, **kwargs)

    for module in (mdoc2rst.sphinx.render, mdoc2rst.sphinx.directives):
        monkeypatch.setattr(module, "parse", parse)


@pytest.fixture
def crash_project(tmp_path: Path) -> Path:
    pages = {
        "man3/good.3": page("good"),
        "man3/crash.3": page("crash"),
        "outside/good.3": page("good", nd="kept outside"),
        "outside/crash.3": page("crash"),
    }
    return project(tmp_path, pages, {"index.rst": INDEX, "included.rst": INCLUDED})


@pytest.mark.usefixtures("crashing")
def test_a_crashing_page_is_a_warning_and_the_build_goes_on(crash_project: Path) -> None:
    built = build(crash_project)
    assert built.app.statuscode == 0
    # The good pages are written as ever.
    assert "The text of good." in built.html("man3/good")
    included = built.html("included")
    assert "kept outside" in included
    # The crashing page is a document with its title and a line saying so.
    crash = built.html("man3/crash")
    assert "<h1>crash(3)" in crash
    assert "This manual page could not be read" in crash
    # It is in the toctree, and :mdoc:page: finds it.
    index = built.html("index")
    assert re.search(
        r'<a class="reference internal" href="man3/crash\.html">crash\(3\)</a>', index
    )
    assert 'href="man3/crash.html#crash-3"' in index
    # The directives put a line where the page would be.
    assert "The manual page /outside/crash.3 could not be read." in included
    assert "The errors of the manual page /outside/crash.3 could not be read." in included
    # One warning for each, at the page or at the directive, that names the exception.
    failed = built.lines(r"\[mdoc\.read_failed\]$")
    assert len(failed) == 3, built.warnings
    message = "cannot read man page .*crash\\.3 \\(RuntimeError: boom with a second line\\)"
    at_page = [w for w in failed if re.search(rf"man3/crash\.3:1: WARNING: {message}", w)]
    at_directive = [w for w in failed if re.search(rf"included\.rst:\d+: WARNING: {message}", w)]
    assert len(at_page) == 1 and len(at_directive) == 2, failed
    assert "Traceback" not in built.warnings


@pytest.mark.usefixtures("crashing")
def test_the_warning_can_be_suppressed(crash_project: Path) -> None:
    built = build(crash_project, suppress_warnings=["mdoc.read_failed"])
    assert built.lines("read_failed") == []
    assert "This manual page could not be read" in built.html("man3/crash")


def test_a_page_that_crashes_for_real_is_caught(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any exception of the pipeline, here from the writer, is caught the same way."""
    srcdir = project(tmp_path, {"man3/good.3": page("good"), "man3/crash.3": page("crash")},
                     {"index.rst": INDEX, "included.rst": "Included\n========\n"})  # fmt: skip
    real = mdoc2rst.writers.rst.write

    def write(doc: Any, options: Any) -> str:
        if doc.meta.name == "crash":
            raise RecursionError("maximum recursion depth exceeded")
        return real(doc, options)

    monkeypatch.setattr(mdoc2rst.sphinx.render, "write", write)
    built = build(srcdir)
    assert built.app.statuscode == 0
    assert len(built.lines(r"RecursionError: maximum recursion.*\[mdoc\.read_failed\]")) == 1
    assert "The text of good." in built.html("man3/good")


# -- bytes that are not UTF-8 --------------------------------------------------

LATIN1 = page("latin", body="Caf\xe9 cr\xe8me.\n").encode("latin-1")


def test_a_page_in_latin1_is_read_as_mandoc_reads_it(tmp_path: Path) -> None:
    srcdir = project(tmp_path, {"man3/good.3": page("good"), "man3/latin.3": LATIN1},
                     {"index.rst": INDEX, "included.rst": "Included\n========\n"})  # fmt: skip
    built = build(srcdir)
    assert built.app.statuscode == 0
    assert "Café crème." in built.html("man3/latin")
    assert "The text of good." in built.html("man3/good")
    (encoding,) = built.lines(r"\[mdoc\.encoding\]")
    assert re.search(r"man3/latin\.3:\d+: WARNING: .*ISO-8859-1", encoding)
    assert built.lines(r"mdoc\.(date|sec)") == []  # the page was read from its start


def test_other_documents_still_must_decode(tmp_path: Path) -> None:
    files = {"index.rst": INDEX, "included.rst": "Included\n========\n\nCaf\xe9.\n"}
    srcdir = project(tmp_path, {"man3/latin.3": LATIN1}, files)
    (srcdir / "included.rst").write_bytes(files["included.rst"].encode("latin-1"))
    with pytest.raises(SphinxError, match=r"included\.rst: not valid utf-8"):
        build(srcdir)


# -- page text that would be markup --------------------------------------------

HOSTILE = r""".Sh ERRORS
.Bl -tag -width Er
.It Bq Er "EFOO` <javascript:alert(1)>`_"
Bad |sub| and `x <javascript:alert(2)>`_ here.
.It Bq Er "E\[u2028].. raw:: html"
Line separator.
.It Bq Er "<script>alert(3)</script>"
Script.
.It Bq Er EINVAL
Fine.
.El
.Sh "FOO\[u2028]x std:label -1 http://evil.example/ Evil"
Text\[u2028].. raw:: html
.Pp
  <script>alert(4)</script>
"""

HOSTILE_INCLUDED = """\
Included
========

.. mdoc-errors:: /man3/hostile.3
   :page-id: hostile.3

.. mdoc:: /outside/good.3
   :page-id: a`b <javascript:alert(5)>`_
"""


def test_page_text_stays_text(tmp_path: Path) -> None:
    pages = {"man3/hostile.3": page("hostile", HOSTILE), "outside/good.3": page("good")}
    files = {"index.rst": INDEX.replace(" and :mdoc:page:`good(3)`", ""),
             "included.rst": HOSTILE_INCLUDED}  # fmt: skip
    built = build(project(tmp_path, pages, files))
    html = built.html("man3/hostile") + built.html("included")
    assert "javascript:" not in "".join(re.findall(r'href="([^"]*)"', html))
    assert "<script>alert" not in html and "alert(4)" in html  # shown as text
    assert not re.search(r"Undefined substitution|Unknown interpreted|raw", built.warnings)
    assert built.warnings.count("[docutils]") == 1  # the bad :page-id: below, no other
    # The errno names that are macro names link to the page's entries.
    assert re.search(r'<a class="reference internal" href="man3/hostile\.html#[^"]*einval"', html)
    # A bad :page-id: is a directive error; the rest of the document is built.
    assert re.search(
        r'included\.rst:\d+: ERROR: Error in "mdoc" directive:\ninvalid option value: '
        r'\(option: "page-id".*\)\na page id is ',
        built.warnings,
    ), built.warnings
    # objects.inv has one line per object: a line separator in a title adds none.
    data = (built.outdir / "objects.inv").read_bytes()
    inventory = InventoryFile.loads(data, uri="").data
    uris = [item.uri for objects in inventory.values() for item in objects.values()]
    assert uris and not [u for u in uris if "://" in u]


@pytest.mark.parametrize(
    "value",
    ["ok", "sctp_connectx.3", "a+b-c.d_e", "x" * mdoc2rst.writers.rst.LABEL_MAX],
)
def test_page_id_option_accepts_labels(value: str) -> None:
    assert mdoc2rst.sphinx.directives.page_id_option(value) == value


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        " ",
        "a b",
        "a`b",
        "a<b>",
        "-a",
        "a-",
        "_a",
        "a\u2028b",
        "é",
        "x" * (mdoc2rst.writers.rst.LABEL_MAX + 1),
        "a:b",
    ],
)
def test_page_id_option_refuses_others(value: str | None) -> None:
    with pytest.raises(ValueError, match=r"page id is|argument required"):
        mdoc2rst.sphinx.directives.page_id_option(value)
