"""Tree and lint parity with mandoc on the man pages of a fixed set of packages.

``tools/man_sample.py`` measures parity on a sample of whatever pages the
machine has, so its figure depends on the machine.  These are the pages of
the Debian packages ``tools/test.sh`` installs, which every machine that
runs the suite has: lksctp-tools' man(7) pages of the functions sctpx binds
(libsctp-dev), DocBook's (valgrind, kmod), hand-written ones full of tables
and displays (iproute2), Sphinx's (QEMU), pod2man's (busybox) and mandoc's
own mdoc(7) manuals.  Each page is read where dpkg put it and compared with
``mandoc -T tree`` and ``mandoc -T lint -W all`` byte for byte; a page that
differs is listed below with the reason, and a listed page that matches
fails the test.
"""

from __future__ import annotations

import gzip
import re
import shutil
import subprocess
from pathlib import Path

import oracle
import pytest

from mdoc2rst import parse
from mdoc2rst.tree.dump import dump

#: The packages, each installed by tools/test.sh when the machine lacks it.
PACKAGES = (
    "libsctp-dev",
    "valgrind",
    "kmod",
    "iproute2",
    "qemu-system-common",
    "busybox-static",
    "mandoc",
)

#: Pages that differ from mandoc on purpose, by file name, with the reason.
EXPECTED_DIFFERENCES = {
    "tc-bpf.8.gz": "'.B ... tr '\\\\\\\\n' ...': mandoc 1.14.6 reads the two "
    "backslash pairs of a macro argument as two escapes of its own (roff_getarg marks "
    "them, then roff_expand counts only real backslashes as escaped), so \\n' ' becomes a "
    "register and the line prints tr '  ','; groff prints tr '\\n' ',', and so does "
    "mdoc2rst, whose tree keeps \\\\n",
}

_PAGE = re.compile(r"/usr/share/man/man[1-9][^/]*/[^/]+\.gz")
_SO_LINK = re.compile(rb"\A\s*[.']so\s+\S+\s*\Z")


def pages_of(package: str) -> list[Path]:
    """The English man pages dpkg installed for ``package``."""
    if shutil.which("dpkg-query") is None:
        oracle.unavailable("dpkg-query is not here: the packages are Debian's")
    listing = subprocess.run(
        ["dpkg-query", "-L", package], capture_output=True, text=True, check=False
    )
    if listing.returncode != 0:
        oracle.unavailable(f"{package} is not installed (tools/test.sh installs it)")
    pages = sorted(Path(p) for p in listing.stdout.split("\n") if _PAGE.fullmatch(p))
    pages = [p for p in pages if p.is_file()]
    if not pages:
        oracle.unavailable(f"{package} has no man pages here (does dpkg exclude /usr/share/man?)")
    return pages


def differences(page: Path) -> list[str]:
    """What differs between mandoc's tree and lint of ``page`` and ours."""
    data = gzip.decompress(page.read_bytes())
    if _SO_LINK.match(data):
        return []  # a link to another page: nothing of its own
    name = page.name.removesuffix(".gz")
    text = data.decode("utf-8", "surrogateescape")
    doc = parse(data, name)
    found = []
    theirs = oracle.mandoc_tree(text, name).splitlines()
    ours = dump(doc).splitlines()
    if theirs != ours:
        first = next(
            (k for k, (a, b) in enumerate(zip(theirs, ours, strict=False)) if a != b),
            min(len(theirs), len(ours)),
        )
        found.append(
            f"tree line {first + 1}: mandoc {theirs[first : first + 1]}, "
            f"ours {ours[first : first + 1]}"
        )
    theirs_lint = sorted(oracle.mandoc_lint(text, name))
    ours_lint = sorted(
        line
        for line in map(oracle.mandoc_style, doc.diagnostics)
        if oracle._MACHINE_DEPENDENT not in line
    )
    if theirs_lint != ours_lint:
        only = sorted(set(theirs_lint) ^ set(ours_lint))
        found.append(f"lint: {only[:3]}")
    return found


@pytest.mark.parametrize("package", PACKAGES)
def test_pages_of_a_package_match_mandoc(package: str) -> None:
    oracle.require_tool("mandoc")
    pages = pages_of(package)
    problems = []
    for page in pages:
        found = differences(page)
        expected = page.name in EXPECTED_DIFFERENCES
        if found and not expected:
            problems.append(f"{page}: " + "; ".join(found))
        elif expected and not found:
            problems.append(f"{page} matches now: drop it from EXPECTED_DIFFERENCES")
    print(f"{package}: {len(pages) - len(problems)} of {len(pages)} pages as expected")
    assert not problems, "\n".join(problems)
