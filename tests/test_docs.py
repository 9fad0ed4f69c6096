"""The project's own documentation site builds clean, as the README's main command does.

It ships the sctp_* family's pages (``tests/family.py``): they are FreeBSD's
copied byte for byte, render as pages of the site, and refer to each other
inside it.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from family import DOCS, ORIGINS, origin, relative, shipped
from oracle import CORPUS, SEED, require_shared, unavailable

from mdoc2rst.contract.errtable import rows
from mdoc2rst.contract.spec import extract_file

pytest.importorskip("sphinx", reason="Sphinx is not installed (pip install '.[sphinx]')")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "html"
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-n", "--keep-going", "-q", str(DOCS), str(out)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    return out


def test_docs_build_clean(site: Path) -> None:
    page = (site / "man3" / "sctp_connectx.html").read_text(encoding="utf-8")
    assert "sctp_connectx" in page and "ENOTSOCK" in page
    contract = (site / "contract.html").read_text(encoding="utf-8")
    assert 'href="man3/sctp_connectx.html#sctp-connectx-3-errno-enotsock"' in contract


def test_the_family_is_shipped() -> None:
    assert [p.name for p in shipped()] == sorted(ORIGINS, key=lambda n: (n[-2:], n))


@pytest.mark.parametrize("page", shipped(), ids=lambda p: p.name)
def test_shipped_page_is_its_source_byte_for_byte(page: Path) -> None:
    require_shared()
    source = origin(page)
    if not source.is_file():
        unavailable(f"{source} is missing from the shared corpus")
    assert page.read_bytes() == source.read_bytes(), f"{relative(page)} differs from {source}"
    assert page.read_bytes().startswith(b'.\\"'), "the licence header comes first"


def test_the_seed_is_kept_where_the_corpus_differs() -> None:
    corpus = CORPUS / "freebsd" / "sctp_connectx.3"
    if not corpus.is_file() or not SEED.is_file():
        unavailable("the shared corpus is not there (set MDOC2RST_SHARED)")
    # FreeBSD's older copy (four-clause licence, RCS id, a final period in
    # .Nd): the project's seed is the newer one, and stays.
    assert corpus.read_bytes() != SEED.read_bytes()
    assert (DOCS / "man3" / "sctp_connectx.3").read_bytes() == SEED.read_bytes()


@pytest.mark.parametrize("page", shipped(), ids=lambda p: p.name)
def test_page_renders_in_the_site(site: Path, page: Path) -> None:
    index = (DOCS / "index.rst").read_text(encoding="utf-8")
    doc = relative(page).rsplit(".", 1)[0]
    assert f"\n   {doc}\n" in index, f"{doc} is not in the toctree of docs/index.rst"
    html = (site / f"{doc}.html").read_text(encoding="utf-8")
    spec = extract_file(page)
    assert f'id="{spec.names[0].replace("_", "-")}-{spec.section}"' in html
    for error in spec.errors:
        assert error.name in html


@pytest.mark.parametrize("page", shipped(), ids=lambda p: p.name)
def test_references_between_the_pages_stay_in_the_site(site: Path, page: Path) -> None:
    """Every .Xr to a page of the family links to its page here, not to man.freebsd.org."""
    # A page answers for every name of its NAME section: sctp_getladdrs(3) is sctp_getpaddrs.3.
    pages = {
        (name, p.suffix[1:]): relative(p).rsplit(".", 1)[0]
        for p in shipped()
        for name in extract_file(p).names
    }
    doc = relative(page).rsplit(".", 1)[0]
    html = (site / f"{doc}.html").read_text(encoding="utf-8")
    refs = extract_file(page).see_also
    for target in [pages[r.name, r.section] for r in refs if (r.name, r.section) in pages]:
        link = _relative_link(doc, target)
        assert f'href="{link}.html' in html, f"{doc} does not link to {target}"
    for ref in [r for r in refs if (r.name, r.section) not in pages]:
        assert f"query={ref.name}&amp;sektion={ref.section}" in html


def _relative_link(doc: str, target: str) -> str:
    """``man3/sctp_send`` -> ``man4/sctp``: ``../man4/sctp``; same folder: ``sctp_bindx``."""
    here, there = doc.split("/"), target.split("/")
    return there[1] if here[0] == there[0] else f"../{target}"


@pytest.mark.parametrize("page", shipped(), ids=lambda p: p.name)
def test_error_table_of_every_page(site: Path, page: Path) -> None:
    """docs/errors.rst renders each ERRORS section as a table that links to the page."""
    spec = extract_file(page)
    tables = (DOCS / "errors.rst").read_text(encoding="utf-8")
    directive = f".. mdoc-errors:: {relative(page)}\n"
    assert (directive in tables) == bool(spec.errors)
    html = (site / "errors.html").read_text(encoding="utf-8")
    doc = relative(page).rsplit(".", 1)[0]
    for error in spec.errors:
        anchor = f"{spec.names[0]}-{spec.section}-errno-{error.name}".replace("_", "-").lower()
        assert f'href="{doc}.html#{anchor}"' in html


def test_an_errno_listed_for_two_causes_shows_both(site: Path) -> None:
    """sctp_recvmsg(3) gives ENOBUFS twice: its table row has both conditions."""
    (row,) = [
        r for r in rows(extract_file(DOCS / "man3" / "sctp_recvmsg.3")) if r.name == "ENOBUFS"
    ]
    assert row.condition.startswith("The system was unable to allocate an internal buffer.")
    assert row.condition.endswith("but may be caused by transient congestion.")
    html = (site / "errors.html").read_text(encoding="utf-8")
    assert "The output queue for a network interface was full." in html
