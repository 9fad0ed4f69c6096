"""The command line's edges: one line and a documented exit status, never a traceback.

Exit statuses follow mandoc: 0 to 4 the worst level of diagnostic (lint), 5
a bad command line or a file that is no manual page (neither mdoc(7) nor
man(7)), 6 a file that cannot be read.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import oracle
import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "docs" / "man3" / "sctp_connectx.3"
MAN_PAGE = ".TH FOO 1\n.SH NAME\nfoo \\- bar\n"
STYLE_ONLY = ".Dd May 1, 2020\n.Dt T 1\n.Os\n.Sh NAME\n.Nm t\n.Nd t\n.Sh DESCRIPTION\ntext \n"


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mdoc2rst", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=oracle.child_env(),
    )


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


@pytest.mark.parametrize(
    "args",
    [
        ("lint", "-W", "bogus", SEED),
        ("lint", "-W", "all,nonsense", SEED),
        ("convert", "--xr-url", "{bogus}", SEED),
        ("convert", "--xr-url", "https://x/{0}", SEED),
        ("convert", "-j", "0", SEED),
        ("convert", "-j", "many", SEED),
        ("tree",),
        ("stub", SEED, "--type", "x=__import__('os')"),
        ("spec",),
        ("lint", "--no-such-option", SEED),
    ],
    ids=lambda a: " ".join(map(str, a)),
)
def test_usage_errors_exit_5_on_one_line(args: tuple[str | Path, ...]) -> None:
    done = run(*args)
    assert done.returncode == 5
    assert one_line_error(done).startswith("mdoc2rst")


@pytest.mark.parametrize("command", ["convert", "spec", "stub", "check-header", "tree"])
def test_files_that_are_no_manual_page(command: str, tmp_path: Path) -> None:
    binary = tmp_path / "blob.bin"
    binary.write_bytes(bytes(range(256)) * 4)
    for path in (ROOT / "README.md", binary):
        done = run(command, path)
        if command == "tree":  # tree dumps whatever it parsed, as mandoc -T tree does
            assert done.returncode == 0
            continue
        assert done.returncode == 5
        assert "not a manual page" in one_line_error(done)


def test_a_man7_page_is_converted(tmp_path: Path) -> None:
    page = tmp_path / "foo.1"
    page.write_text(MAN_PAGE + ".SH DESCRIPTION\nSee\n.BR bar (1).\n")
    done = run(page, "--flavor", "docutils")
    assert done.returncode == 0 and done.stderr == ""
    assert "======\nfoo(1)\n======" in done.stdout
    assert "`bar(1) <https://man.freebsd.org/cgi/man.cgi?query=bar&sektion=1>`__" in done.stdout


def test_a_folder_of_man7_and_mdoc7_pages(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    (pages / "man1").mkdir(parents=True)
    (pages / "man1" / "foo.1").write_text(MAN_PAGE)
    (pages / "man1" / "t.1").write_text(STYLE_ONLY)
    done = run("convert", pages, "-o", tmp_path / "out", "-j", "1")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "out" / "man1").iterdir()) == [
        "foo.1.rst",
        "t.1.rst",
    ]
    assert "foo(1)" in (tmp_path / "out" / "man1" / "foo.1.rst").read_text()


def test_the_help_names_both_languages() -> None:
    done = run("--help")
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    assert "mdoc(7) and man(7)" in text
    assert "4 a man(7)" not in text


def test_the_spec_of_a_man7_page(tmp_path: Path) -> None:
    page = tmp_path / "foo.3"
    synopsis = '.SH SYNOPSIS\n.BI "int foo(int " x );\n'
    page.write_text(MAN_PAGE.replace("FOO 1", "FOO 3") + synopsis)
    done = run("spec", page)
    assert done.returncode == 0 and done.stderr == ""
    assert '"prototype": "int foo(int x)"' in done.stdout


def test_convert_of_a_folder_without_pages(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("no page here\n")
    done = run("convert", tmp_path, "-o", tmp_path / "out")
    assert done.returncode == 5
    assert "no manual pages found" in one_line_error(done)


def test_help_names_the_default_command() -> None:
    done = run("--help")
    assert done.returncode == 0
    assert "mdoc2rst PAGE" in done.stdout
    assert "Exit status" in done.stdout
    help_ch = run("check-header", "--help").stdout
    assert "-I DIR" in help_ch and "look for headers in DIR" in help_ch


@pytest.mark.parametrize(
    ("levels", "shown"),
    [
        ((), {"STYLE"}),
        (("all",), {"STYLE"}),
        (("base",), {"STYLE"}),
        (("style",), {"STYLE"}),
        (("warning",), set()),
        (("error,stop",), set()),
        (("unsupp",), set()),
        (("warning", "style"), {"STYLE"}),  # the last level given wins, as in mandoc
    ],
)
def test_lint_levels_are_mandocs(levels: tuple[str, ...], shown: set[str], tmp_path: Path) -> None:
    page = tmp_path / "t.1"
    page.write_text(STYLE_ONLY)
    done = run("lint", *(a for level in levels for a in ("-W", level)), page)
    found = {line.split(": ")[1] for line in done.stdout.splitlines()}
    assert found == shown
    assert done.returncode == (1 if shown else 0)


def test_lint_stop_ends_after_the_first_file_with_messages(tmp_path: Path) -> None:
    first, second = tmp_path / "a.1", tmp_path / "b.1"
    first.write_text(STYLE_ONLY)
    second.write_text(STYLE_ONLY)
    done = run("lint", "-W", "style,stop", first, second)
    assert done.returncode == 1
    assert all("a.1:" in line for line in done.stdout.splitlines())
    done = run("lint", "-W", "style", first, second)
    assert any("b.1:" in line for line in done.stdout.splitlines())


def test_lint_base_messages_only_with_base(tmp_path: Path) -> None:
    # An OpenBSD page without its RCS id: mandoc's base-system message.
    page = tmp_path / "t.1"
    page.write_text(STYLE_ONLY.replace(".Os\n", ".Os OpenBSD\n").replace("text \n", "text\n"))
    with_base = run("lint", "-W", "base", page).stdout
    without = run("lint", "-W", "style", page).stdout
    assert "RCS id missing" in with_base
    assert "RCS id missing" not in without


@pytest.mark.parametrize("preset", ["freebsd", "openbsd", "netbsd", "debian", "linux"])
def test_xr_url_presets(preset: str) -> None:
    done = run("convert", "--flavor", "docutils", "--xr-url", preset, SEED)
    assert done.returncode == 0, done.stderr
    assert {"freebsd": "man.freebsd.org", "openbsd": "man.openbsd.org",
            "netbsd": "man.netbsd.org", "debian": "manpages.debian.org",
            "linux": "man7.org"}[preset] in done.stdout  # fmt: skip
