"""bench/site.py lays a manual set out as FreeBSD does and prints every figure.

A tiny set named as Debian's freebsd-manpages names its pages: a gzipped
page with a hard link and a symbolic link to it, a plain page, a ``.so``
stub, a link to a page of a section not built, a dangling link and a libbsd
page.  One Sphinx build of four pages, with one job, takes a few seconds; no
figure's value is asserted.
"""

from __future__ import annotations

import gzip
import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import mdoc2rst

SITE = Path(__file__).resolve().parent.parent / "bench" / "site.py"

ALPHA = """\
.Dd January 1, 2020
.Dt ALPHA 2
.Os
.Sh NAME
.Nm alpha ,
.Nm aardvark
.Nd the first page
.Sh DESCRIPTION
.Nm
calls
.Xr beta 2 .
"""

BETA = """\
.Dd January 1, 2020
.Dt BETA 2
.Os
.Sh NAME
.Nm beta
.Nd the second page
.Sh DESCRIPTION
See
.Xr alpha .
"""

ZETA = """\
.Dd January 1, 2020
.Dt ZETA 4
.Os
.Sh NAME
.Nm zeta
.Nd a page of a section that is not built
"""


@pytest.fixture(scope="module")
def site() -> ModuleType:
    # Not named "site": that is the standard library's module.
    spec = importlib.util.spec_from_file_location("bench_site", SITE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # Its dataclasses look their module up in sys.modules.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    """The tiny set, as ``usr/share/man`` of the unpacked package."""
    man = tmp_path / "usr" / "share" / "man"
    for sec in ("2", "3", "4", "9"):
        (man / f"man{sec}").mkdir(parents=True)
    (man / "man2" / "alpha.2freebsd.gz").write_bytes(gzip.compress(ALPHA.encode()))
    # Sorts first, but the page's .Dt says it is alpha.
    os.link(man / "man2" / "alpha.2freebsd.gz", man / "man2" / "aardvark.2freebsd.gz")
    (man / "man2" / "gamma.2freebsd.gz").symlink_to("alpha.2freebsd.gz")
    (man / "man2" / "gone.2freebsd").symlink_to("nothing.2freebsd")
    (man / "man2" / "beta.2freebsd").write_text(BETA)
    (man / "man9" / "delta.9freebsd").write_text('.\\" a stub\n.so man2/aardvark.2freebsd.gz\n')
    (man / "man4" / "zeta.4freebsd").write_text(ZETA)
    (man / "man9" / "zeta.9freebsd").symlink_to("../man4/zeta.4freebsd")
    (man / "man3" / "queue.3bsd.gz").write_bytes(gzip.compress(b".Dd\n.Dt QUEUE 3\n"))
    return tmp_path


def test_the_project_is_laid_out_as_freebsd_does(
    site: ModuleType, pages: Path, tmp_path: Path
) -> None:
    src = tmp_path / "src"
    project = site.prepare(pages, ["2", "3", "9"], src)
    files = sorted(str(p.relative_to(src)) for p in src.rglob("*") if p.is_file())
    assert files == [
        "conf.py",
        "index.rst",
        "man2/alpha.2",
        "man2/beta.2",
        "man9/delta.9",
        "man9/zeta.9",
    ]
    assert (src / "man2" / "alpha.2").read_text() == ALPHA
    assert (src / "man9" / "zeta.9").read_text() == ZETA
    assert (src / "man9" / "delta.9").read_text() == '.\\" a stub\n.so man2/alpha.2\n'
    assert dict(project.pages) == {"2": 2, "9": 2}
    assert (project.links_skipped, project.links_copied) == (2, 1)
    assert (project.dangling, project.stubs) == (1, 1)
    conf = (src / "conf.py").read_text()
    assert 'extensions = ["mdoc2rst.sphinx"]' in conf
    assert 'html_sidebars = {"**": []}' in conf
    index = (src / "index.rst").read_text()
    assert "   man2/*\n" in index and "   man9/*\n" in index and "man3" not in index


def test_warnings_are_counted_by_their_tag(site: ModuleType) -> None:
    text = (
        "/s/man2/a.2:3: WARNING: no section: Xr a [mdoc.xr_nosec]\n"
        "/s/man2/a.2:9: ERROR: Unknown directive type.\n"
        "\n"
        ".. foo::\n"
        " [docutils]\n"
        "WARNING: no tag here\n"
    )
    assert site.warnings(text) == [
        ("mdoc.xr_nosec", "/s/man2/a.2:3: WARNING: no section: Xr a [mdoc.xr_nosec]"),
        ("docutils", "/s/man2/a.2:9: ERROR: Unknown directive type."),
        ("(none)", "WARNING: no tag here"),
    ]


def script(*args: str) -> subprocess.CompletedProcess[str]:
    # The build these tests import: the checkout, or an install of it.
    build = Path(mdoc2rst.__file__).resolve().parent.parent
    return subprocess.run(
        [sys.executable, str(SITE), "--site", str(build), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_the_script_prints_every_figure(pages: Path, tmp_path: Path) -> None:
    pytest.importorskip("sphinx")
    keep = tmp_path / "keep"
    proc = script("--pages", str(pages), "--sections", "2,9", "--jobs", "1", "--keep", str(keep))
    assert proc.returncode == 0, proc.stderr
    for expected in (
        "mdoc2rst: ",
        "| pages | 4 (man2 2, man9 2) |",
        "| links skipped (names of a page already in the set) |",
        "| links copied (their page is not in the set) |",
        "| dangling links |",
        "| .so stubs kept |",
        "| full build |",
        "| rebuild after touching man2/alpha.2 |",
        " re-read (doctrees written; Sphinx says ",
        " HTML pages written |",
        "| peak memory, main Sphinx process (VmHWM) |",
        "| peak memory, largest Sphinx process, -j workers included (ru_maxrss) |",
        "| warnings (full build) |",
        "Warnings by type.subtype:",
        "By type: ",
        "Examples of ",
    ):
        assert expected in proc.stdout, expected
    assert (keep / "out" / "man9" / "delta.html").is_file()
    assert (keep / "warnings.txt").is_file()


@pytest.mark.parametrize(
    ("pages", "message"),
    [
        ("missing", "site: {pages} is neither a folder nor a .deb\n"),
        ("empty", "site: no pages of sections 2,4,9 under {pages}\n"),
    ],
)
def test_pages_that_cannot_be_found_exit_with_2(tmp_path: Path, pages: str, message: str) -> None:
    folder = tmp_path / pages
    if pages == "empty":
        folder.mkdir()
    proc = script("--pages", str(folder))
    assert proc.returncode == 2
    assert proc.stderr == message.format(pages=folder)
    assert proc.stdout == ""
