"""The Sphinx extension ``mdoc2rst.sphinx``, in real builds of a small project.

The project is made in a temporary folder at test time: the seed page and
the FreeBSD SCTP pages of the shared corpus under ``man3/`` and ``man4/``,
read as documents, and the FreeBSD copy of ``sctp_connectx.3`` kept outside
the documents and rendered with ``.. mdoc::``.  It is built in nitpicky mode
with warnings as errors.
"""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import oracle
import pytest

pytest.importorskip("sphinx", reason="Sphinx is not installed (pip install '.[sphinx]')")

from sphinx.application import Sphinx
from sphinx.errors import ConfigError
from sphinx.util.docutils import docutils_namespace, patch_docutils
from sphinx.util.inventory import InventoryFile

SEED = oracle.ROOT / "docs" / "man3" / "sctp_connectx.3"
PROTOTYPE = "int sctp_connectx(int sd, struct sockaddr *addrs, int addrcnt, sctp_assoc_t *id)"

CONF = """\
extensions = ["mdoc2rst.sphinx"]
exclude_patterns = ["_build", "outside"]
nitpicky = True
# The FreeBSD pages have style problems; the lint tests below check reporting.
mdoc2rst_lint_level = "error"
"""

INDEX = """\
SCTP pages
==========

.. toctree::
   :glob:

   man3/*
   man4/*
   included

See :mdoc:page:`sctp_bindx(3)`, :ref:`sctp_connectx.3` and :c:func:`sctp_connectx`.
"""

INCLUDED = """\
The FreeBSD copy
================

.. c:namespace:: freebsd

.. mdoc:: /outside/sctp_connectx.3
   :page-id: freebsd-sctp_connectx
   :no-index:
"""


@dataclass
class Build:
    """One build of the project: its folders and what it printed."""

    srcdir: Path
    outdir: Path
    status: str
    warnings: str
    app: Sphinx

    def html(self, docname: str) -> str:
        return (self.outdir / f"{docname}.html").read_text(encoding="utf-8")

    def read(self) -> list[str]:
        """The documents read in this build, from the progress lines."""
        return re.findall(r"reading sources\.\.\. \[\s*\d+%\] (\S+)", self.status)


def build(srcdir: Path, *, fresh: bool = False) -> Build:
    outdir, doctrees = srcdir / "_build" / "html", srcdir / "_build" / "doctrees"
    status, warnings = io.StringIO(), io.StringIO()
    with patch_docutils(srcdir), docutils_namespace():
        app = Sphinx(
            srcdir,
            srcdir,
            outdir,
            doctrees,
            "html",
            status=status,
            warning=warnings,
            freshenv=fresh,
            warningiserror=True,
        )
        app.build()
    return Build(srcdir, outdir, _plain(status.getvalue()), _plain(warnings.getvalue()), app)


def make_project(root: Path) -> Path:
    """Write the test project under ``root``; its pages come from the shared corpus."""
    oracle.require_shared()
    pages = oracle.freebsd_pages()
    if len(pages) != len(oracle.FREEBSD_NAMES):
        oracle.unavailable(
            f"expected the {len(oracle.FREEBSD_NAMES)} SCTP pages in {oracle.FREEBSD},"
            f" found {len(pages)}"
        )
    srcdir = root / "project"
    for folder in ("man3", "man4", "outside"):
        (srcdir / folder).mkdir(parents=True)
    for page in pages:
        if page.name == SEED.name:
            shutil.copy(page, srcdir / "outside" / page.name)
        else:
            shutil.copy(page, srcdir / f"man{page.suffix[1:]}" / page.name)
    shutil.copy(SEED, srcdir / "man3" / SEED.name)
    (srcdir / "conf.py").write_text(CONF, encoding="utf-8")
    (srcdir / "index.rst").write_text(INDEX, encoding="utf-8")
    (srcdir / "included.rst").write_text(INCLUDED, encoding="utf-8")
    return srcdir


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Build]:
    yield build(make_project(tmp_path_factory.mktemp("sphinx")), fresh=True)


def _plain(output: str) -> str:
    """Sphinx's console output without colours."""
    return re.sub(r"\x1b\[[0-9;]*m", "", output)


def _text(html: str) -> str:
    """The visible text of an HTML page, on one line."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_no_warnings(built: Build) -> None:
    assert built.warnings == ""
    assert built.app.statuscode == 0


def test_pages_are_documents(built: Build) -> None:
    docs = built.app.env.found_docs
    assert {"man3/sctp_connectx", "man3/sctp_bindx", "man4/sctp", "included"} <= docs
    assert len([d for d in docs if d.startswith(("man3/", "man4/"))]) == 11


def test_c_function_signature(built: Build) -> None:
    domain = built.app.env.get_domain("c")
    found = [
        (name, docname)
        for name, _, typ, docname, _, _ in domain.get_objects()
        if name == "sctp_connectx" and typ == "function"
    ]
    assert found == [("sctp_connectx", "man3/sctp_connectx")]
    html = built.html("man3/sctp_connectx")
    signature = re.search(
        r'<dt class="sig sig-object c" id="c\.sctp_connectx">(.*?)</dt>', html, re.S
    )
    assert signature is not None
    text = _text(signature.group(1)).replace("¶", "").strip()
    text = re.sub(r"\s*([(),*])\s*", r"\1", text)
    assert text == re.sub(r"\s*([(),*])\s*", r"\1", PROTOTYPE)


def test_c_func_references_link(built: Build) -> None:
    html = built.html("man3/sctp_connectx")
    assert re.search(r'<a class="reference internal" href="#c\.sctp_connectx"', html)
    index = built.html("index")
    assert 'href="man3/sctp_connectx.html#c.sctp_connectx"' in index


def _see_also(html: str) -> str:
    return html[html.index("SEE ALSO") :]


def test_xr_links_local_pages(built: Build) -> None:
    connectx = _see_also(built.html("man3/sctp_connectx"))
    assert re.search(r'<a class="reference internal" href="\.\./man4/sctp\.html', connectx)
    assert "man.freebsd.org" in connectx  # connect(2) is not in the project
    sctp = _see_also(built.html("man4/sctp"))
    for page in ("sctp_bindx", "sctp_connectx", "sctp_opt_info", "sctp_recvmsg"):
        assert re.search(rf'<a class="reference internal" href="\.\./man3/{page}\.html', sctp)
    recvmsg = _see_also(built.html("man3/sctp_recvmsg"))
    assert re.search(r'<a class="reference internal" href="sctp_send\.html', recvmsg)


def test_errors_list(built: Build) -> None:
    html = built.html("man3/sctp_connectx")
    errors = _text(html[html.index("ERRORS") : html.index("SEE ALSO")])
    for name, condition in [
        ("EINVAL", "An address listed has an invalid family"),
        ("E2BIG", "The size of the address list exceeds"),
        ("EBADF", "is not a valid descriptor"),
        ("ENOTSOCK", "is not a socket"),
    ]:
        assert name in errors
        assert condition in errors
        assert errors.index(name) < errors.index(condition)
    assert 'id="sctp-connectx-3-errno-einval"' in html


def test_inventory(built: Build) -> None:
    data = (built.outdir / "objects.inv").read_bytes()
    inventory = InventoryFile.loads(data, uri="").data
    assert "sctp_connectx" in inventory["c:function"]
    assert "sctp_connectx" in inventory["c:function"]["sctp_connectx"].uri.split("#")[0]
    pages = inventory["mdoc:page"]
    assert {"sctp_connectx(3)", "sctp_bindx(3)", "sctp(4)"} <= set(pages)
    assert pages["sctp(4)"].uri.startswith("man4/sctp.html#")
    labels = inventory["std:label"]
    assert "sctp_connectx.3" in labels
    assert "sctp_connectx.3-errno-EINVAL".lower() in {k.lower() for k in labels}


def test_index_entries(built: Build) -> None:
    genindex = built.html("genindex")
    # The included FreeBSD copy has the same entry, so the seed's may be a "[1]".
    assert re.search(r'">sctp_connectx \(3\)</a>', genindex)
    assert 'href="man3/sctp_connectx.html#index-0"' in genindex
    assert re.search(r'href="man4/sctp\.html#[^"]*">sctp \(4\)</a>', genindex)
    # Sphinx files the C function under the same name: "sctp_connectx" / "(C function)".
    assert 'href="man3/sctp_connectx.html#c.sctp_connectx">(C function)</a>' in genindex


def test_directive_renders_page(built: Build) -> None:
    html = built.html("included")
    text = _text(html)
    assert "connect an SCTP socket with multiple destination addresses" in text
    assert 'id="c.freebsd.sctp_connectx"' in html
    assert "ENOTSOCK" in text


def test_rebuild_after_touching_included_page(tmp_path: Path) -> None:
    srcdir = make_project(tmp_path)
    first = build(srcdir, fresh=True)
    assert first.warnings == ""
    assert "included" in first.read()
    second = build(srcdir)
    assert second.read() == []
    page = srcdir / "outside" / "sctp_connectx.3"
    page.write_text(
        page.read_text(encoding="utf-8").replace(
            "multiple destination addresses", "many destination addresses"
        ),
        encoding="utf-8",
    )
    third = build(srcdir)
    assert third.read() == ["included"]
    assert "many destination addresses" in _text(third.html("included"))


SO_PAGE = """\
.Dd June 19, 2007
.Dt SHARED 3
.Os
.Sh NAME
.Nm shared
.Nd a page that pulls in a common part
.so common.inc
"""


def test_editing_a_file_pulled_in_with_so_rereads_the_page(tmp_path: Path) -> None:
    srcdir = one_page_project(tmp_path, "shared", SO_PAGE)
    common = srcdir / "man3" / "common.inc"
    common.write_text(".Sh DESCRIPTION\nThe first wording.\n", encoding="utf-8")
    first = build(srcdir, fresh=True)
    assert "The first wording." in _text(first.html("man3/shared"))
    assert build(srcdir).read() == []
    common.write_text(".Sh DESCRIPTION\nThe second wording.\n", encoding="utf-8")
    third = build(srcdir)
    assert third.read() == ["man3/shared"]
    assert "The second wording." in _text(third.html("man3/shared"))


def test_new_page_turns_xr_local(tmp_path: Path) -> None:
    """A page added to the project makes the other pages link to it."""
    srcdir = make_project(tmp_path)
    moved = srcdir / "man4" / "sctp.4"
    keep = tmp_path / "sctp.4"
    shutil.move(moved, keep)
    first = build(srcdir, fresh=True)
    see_also = first.html("man3/sctp_connectx")
    assert "../man4/sctp.html" not in see_also
    shutil.move(keep, moved)
    second = build(srcdir)
    # Written again with the link, without being read again: .Xr links are
    # resolved when pages are written.
    assert "man3/sctp_connectx" not in second.read()
    assert "../man4/sctp.html" in second.html("man3/sctp_connectx")


BAD_PAGE = """\
.Dd June 19, 2007
.Dt BAD 3
.Os
.Sh NAME
.Nm bad
.Nd a page with problems
.Sh DESCRIPTION
.Em
Some text.
"""


def _build_quietly(srcdir: Path, **overrides: object) -> str:
    """Build without warnings as errors; return the warnings."""
    warnings = io.StringIO()
    with patch_docutils(srcdir), docutils_namespace():
        app = Sphinx(
            srcdir,
            srcdir,
            srcdir / "_build" / "html",
            srcdir / "_build" / "doctrees",
            "html",
            confoverrides=dict(overrides),
            status=io.StringIO(),
            warning=warnings,
            freshenv=True,
        )
        app.build()
    return _plain(warnings.getvalue())


def one_page_project(root: Path, name: str, page: str) -> Path:
    """A project of one page, ``man3/<name>.3``, with the extension and nothing else."""
    srcdir = root / name
    (srcdir / "man3").mkdir(parents=True)
    (srcdir / "man3" / f"{name}.3").write_text(page, encoding="utf-8")
    (srcdir / "conf.py").write_text('extensions = ["mdoc2rst.sphinx"]\n', encoding="utf-8")
    index = f"{name}\n{'=' * len(name)}\n\n.. toctree::\n\n   man3/{name}\n"
    (srcdir / "index.rst").write_text(index, encoding="utf-8")
    return srcdir


@pytest.fixture
def bad_project(tmp_path: Path) -> Path:
    return one_page_project(tmp_path, "bad", BAD_PAGE)


def test_warning_location_type_and_suppression(bad_project: Path) -> None:
    warnings = _build_quietly(bad_project)
    line = next(w for w in warnings.splitlines() if "[mdoc." in w)
    assert re.search(
        r"man3/bad\.3:8: WARNING: .* \(mdoc warning\) \[mdoc\.macro_empty\]$", line
    ), line
    assert "[mdoc." not in _build_quietly(bad_project, suppress_warnings=["mdoc"])
    quiet = _build_quietly(bad_project, suppress_warnings=["mdoc.macro_empty"])
    assert "mdoc.macro_empty" not in quiet


def test_lint_level(bad_project: Path) -> None:
    assert "[mdoc." not in _build_quietly(bad_project, mdoc2rst_lint_level="error")
    style = _build_quietly(bad_project, mdoc2rst_lint_level="style")
    assert "(mdoc style)" in style or "[mdoc.macro_empty]" in style


def test_setup_metadata() -> None:
    import mdoc2rst
    import mdoc2rst.sphinx

    class Recorder:
        def __getattr__(self, name: str) -> object:
            return lambda *args, **kwargs: None

    meta = mdoc2rst.sphinx.setup(Recorder())  # type: ignore[arg-type]
    assert meta == {
        "version": mdoc2rst.__version__,
        "parallel_read_safe": True,
        "parallel_write_safe": True,
        "env_version": 2,
    }


def test_only_the_extension_imports_sphinx() -> None:
    for module in sorted((oracle.ROOT / "mdoc2rst").glob("*.py")):
        if module.name == "sphinx.py":
            continue
        source = module.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(from|import) sphinx\b", source, re.M), module.name


UNDECLARED = """\
.Dd June 19, 2007
.Dt CALLER 3
.Os
.Sh NAME
.Nm caller
.Nd a page that names a function nobody declares
.Sh DESCRIPTION
The first paragraph says nothing much.
.Pp
Then it calls
.Fn frobnicate
and stops.
"""


@pytest.mark.parametrize("nitpick_c", [False, True])
def test_undeclared_c_names(tmp_path: Path, nitpick_c: bool) -> None:
    """Reference warnings point at the page's line; nitpick_c turns them on."""
    srcdir = one_page_project(tmp_path, "caller", UNDECLARED)
    warnings = _build_quietly(srcdir, nitpicky=True, mdoc2rst_nitpick_c=nitpick_c)
    if nitpick_c:
        # The reST line "Then it calls :c:func:`frobnicate` and stops." maps to
        # the page line where its text starts (10); .Fn is on line 11.
        found = re.search(r"man3/caller\.3:(\d+): WARNING: c:func reference target not", warnings)
        assert found is not None, warnings
        assert found.group(1) in {"10", "11"}
    else:
        assert warnings == ""


MAN7_PAGE = """\
.TH OPIE 4 "January 10, 1995"
.SH NAME
opie \\- one-time passwords
.SH DESCRIPTION
.B opie
is a one-time password system.
.TP
.B \\-f
A flag.
"""


def test_a_man7_page_is_read(tmp_path: Path) -> None:
    """A man(7) page is a document like an mdoc(7) page (tests/test_sphinx_man.py)."""
    srcdir = one_page_project(tmp_path, "opie", MAN7_PAGE)
    warnings = _build_quietly(srcdir)
    assert "[mdoc.man_page]" not in warnings
    html = (srcdir / "_build" / "html" / "man3" / "opie.html").read_text(encoding="utf-8")
    assert "opie(4)" in html and "is a one-time password system." in html
    assert "<strong>-f</strong>" in html


def test_contract_lint_warnings(tmp_path: Path) -> None:
    srcdir = one_page_project(tmp_path, "sctp_connectx", SEED.read_text(encoding="utf-8"))
    assert "mdoc_contract" not in _build_quietly(srcdir)  # off unless asked for
    warnings = _build_quietly(srcdir, mdoc2rst_contract=["fa_unknown"])
    found = [w for w in warnings.splitlines() if "[mdoc_contract." in w]
    lines = [n for n, t in enumerate(SEED.read_text().splitlines(), 1) if t.strip() == ".Fa s"]
    assert [int(w.split(".3:")[1].split(":")[0]) for w in found] == lines
    assert all(w.endswith("[mdoc_contract.fa_unknown]") for w in found)
    quiet = _build_quietly(
        srcdir, mdoc2rst_contract=True, suppress_warnings=["mdoc_contract.fa_unknown"]
    )
    assert "mdoc_contract.fa_unknown" not in quiet


@pytest.mark.parametrize("value", ["yes", ["fa_unknown", "nonsense"], [3]])
def test_contract_setting_is_checked(tmp_path: Path, value: object) -> None:
    srcdir = one_page_project(tmp_path, "t", BAD_PAGE)
    with pytest.raises(ConfigError, match="mdoc2rst_contract"):
        _build_quietly(srcdir, mdoc2rst_contract=value)
