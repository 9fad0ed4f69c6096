"""Batch conversion: folders, several processes, failures reported at the end."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import oracle
import pytest


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mdoc2rst", *args], capture_output=True, text=True, check=False
    )


def test_folder_on_two_processes_with_a_failing_page(tmp_path: Path) -> None:
    oracle.require_shared()
    pages = tmp_path / "pages"
    shutil.copytree(oracle.FREEBSD, pages, ignore=shutil.ignore_patterns("*.md"))
    out = tmp_path / "out"
    missing = str(tmp_path / "missing.3")
    proc = run("convert", "-j", "2", str(pages), missing, "-o", str(out))
    assert proc.returncode == 6
    written = sorted(p.name for p in out.iterdir())
    assert len(written) == 11 and "sctp_connectx.3.rst" in written and "sctp.4.rst" in written
    # The failure comes at the end, after the batch, in one line; no progress bar off a tty.
    lines = proc.stderr.strip().splitlines()
    assert lines[-2] == f"mdoc2rst: {missing}: No such file or directory"
    assert lines[-1] == "mdoc2rst: 1 of 12 pages failed"
    assert "[" not in proc.stderr and "Traceback" not in proc.stderr


def test_folders_keep_their_layout(tmp_path: Path) -> None:
    # Two pages with one name in different folders must not overwrite each other.
    for sub in ("a", "b"):
        (tmp_path / "src" / sub).mkdir(parents=True)
        page = f".Dd May 1, 2020\n.Dt X 1\n.Os\n.Sh NAME\n.Nm x\n.Nd from {sub}\n"
        (tmp_path / "src" / sub / "x.1").write_text(page)
    out = tmp_path / "out"
    assert run("convert", "-j", "2", str(tmp_path / "src"), "-o", str(out)).returncode == 0
    assert "from a" in (out / "a" / "x.1.rst").read_text()
    assert "from b" in (out / "b" / "x.1.rst").read_text()


def test_one_process_gives_the_same_files(tmp_path: Path) -> None:
    oracle.require_shared()
    a, b = tmp_path / "a", tmp_path / "b"
    assert run("convert", "-j", "1", str(oracle.FREEBSD), "-o", str(a)).returncode == 0
    assert run("convert", "-j", "2", str(oracle.FREEBSD), "-o", str(b)).returncode == 0
    files = sorted(f.relative_to(a) for f in a.rglob("*.rst"))
    assert len(files) == 11
    for f in files:
        assert (b / f).read_text() == (a / f).read_text()


def test_bad_job_count_is_one_line() -> None:
    proc = run("convert", "-j", "0", "x.3")
    assert proc.returncode != 0 and "Traceback" not in proc.stderr


# -- output names and symbolic links -------------------------------------------


def _page(name: str, sec: str, nm: str | None = None, nd: str = "a page") -> str:
    return f".Dd May 1, 2020\n.Dt {name} {sec}\n.Os\n.Sh NAME\n.Nm {nm or 'x'}\n.Nd {nd}\n"


def _files(root: Path) -> set[str]:
    """Every file and link below ``root``, as relative paths."""
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() or p.is_symlink()}


def test_output_names_come_from_the_file_not_the_page(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    hostile = {
        "dotdot.3": _page("../../../tmp/evil", "3"),
        "abs.3": _page("X", "3", nm=str(tmp_path / "abs")),
        "slash.3": _page("X", "3/../../y"),
        "both.5": _page("../../../both", "../../5", nm="../../../both"),
    }
    for name, text in hostile.items():
        (src / name).write_text(text)
    out = tmp_path / "x" / "y" / "out"  # deep enough for '../../../' to land in tmp_path
    before = _files(tmp_path)
    proc = run("convert", "-j", "2", *(str(src / n) for n in sorted(hostile)), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{n}.rst" for n in hostile)
    assert _files(tmp_path) - before == {f"x/y/out/{n}.rst" for n in hostile}


def test_one_page_named_into_a_folder_keeps_its_file_name(tmp_path: Path) -> None:
    page = tmp_path / "odd name.7"
    page.write_text(_page("OTHER", "3", nm="other"))
    out = tmp_path / "out"
    out.mkdir()
    assert run("convert", str(page), "-o", str(out)).returncode == 0
    assert [p.name for p in out.iterdir()] == ["odd name.7.rst"]


def test_two_pages_with_one_file_name_are_refused_not_overwritten(tmp_path: Path) -> None:
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        (tmp_path / sub / "x.1").write_text(_page("X", "1", nd=f"from {sub}"))
    a, b, out = tmp_path / "a" / "x.1", tmp_path / "b" / "x.1", tmp_path / "out"
    proc = run("convert", str(a), str(b), str(a), "-o", str(out))
    assert proc.returncode == 6
    assert [p.name for p in out.iterdir()] == ["x.1.rst"]
    assert "from a" in (out / "x.1.rst").read_text()
    # The same file named twice is no clash; the other file is the one refused.
    lines = proc.stderr.strip().splitlines()
    assert lines == [
        f"mdoc2rst: {b}: its output x.1.rst is that of {a}; not converted",
        "mdoc2rst: 1 of 2 pages failed",
    ]


def test_folder_links_out_of_it_are_not_followed(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    (secret / "deep").mkdir(parents=True)
    (secret / "s.3").write_text(_page("S", "3", nd="secret"))
    (secret / "deep" / "t.3").write_text(_page("T", "3", nd="secret"))
    src = tmp_path / "src"
    (src / "man3").mkdir(parents=True)
    (src / "man3" / "ok.3").write_text(_page("OK", "3", nd="fine"))
    (src / "man3" / "file.3").symlink_to(secret / "s.3")  # a file outside
    (src / "man3" / "dir").symlink_to(secret)  # a folder outside
    (src / "man3" / "alias.3").symlink_to("ok.3")  # a file inside: converted under its name
    (src / "man3" / "up").symlink_to("..")  # a folder inside, and a loop: not walked
    (src / "man3" / "self.3").symlink_to("self.3")  # a loop of links
    out = tmp_path / "out"
    proc = run("convert", "-j", "2", str(src), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert _files(out) == {"man3/ok.3.rst", "man3/alias.3.rst"}
    assert "secret" not in (out / "man3" / "alias.3.rst").read_text()
    assert sorted(proc.stderr.splitlines()) == [
        f"mdoc2rst: {src}/man3/dir: symbolic link out of {src}, not followed",
        f"mdoc2rst: {src}/man3/file.3: symbolic link out of {src}, not followed",
        f"mdoc2rst: {src}/man3/self.3: symbolic link loop, not followed",
    ]
    # To standard output the same.
    proc = run("convert", str(src))
    assert proc.returncode == 0 and "fine" in proc.stdout and "secret" not in proc.stdout
    assert proc.stderr.count("not followed") == 3


def test_a_folder_named_through_a_link_is_walked(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "x.3").write_text(_page("X", "3"))
    (tmp_path / "named").symlink_to(tmp_path / "real")
    out = tmp_path / "out"
    proc = run("convert", str(tmp_path / "named"), "-o", str(out))
    assert proc.returncode == 0 and proc.stderr == ""
    assert _files(out) == {"x.3.rst"}


def test_links_already_in_the_output_folder_are_not_written_through(tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    src = tmp_path / "src"
    (src / "man3").mkdir(parents=True)
    (src / "man3" / "y.3").write_text(_page("Y", "3"))
    (src / "x.3").write_text(_page("X", "3"))
    out = tmp_path / "out"
    out.mkdir()
    (out / "x.3.rst").symlink_to(victim)  # a file link: replaced
    (out / "man3").symlink_to(elsewhere)  # a folder link out: refused
    proc = run("convert", "-j", "1", str(src), "-o", str(out))
    assert proc.returncode == 6
    assert victim.read_text() == "precious\n"
    assert not (out / "x.3.rst").is_symlink() and "x(3)" in (out / "x.3.rst").read_text()
    assert list(elsewhere.iterdir()) == []
    assert f"symbolic link out of {out}, not written through" in proc.stderr
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_writes_stay_inside_the_output_folder(tmp_path: Path) -> None:
    from mdoc2rst.cli.convert import Job, _convert_one, _write_inside

    out = tmp_path / "out"
    out.mkdir()
    for rel in ("../x.rst", "/abs.rst", "a/../../x.rst", ""):
        with pytest.raises(OSError, match="not a plain relative path"):
            _write_inside(out, rel, "text")
    assert _files(tmp_path) == set()
    # A page found in a folder that became a link out of it since is refused.
    (tmp_path / "src").mkdir()
    (tmp_path / "outside.3").write_text(_page("O", "3"))
    (tmp_path / "src" / "o.3").symlink_to(tmp_path / "outside.3")
    job = Job(str(tmp_path / "src" / "o.3"), "o.3.rst", str((tmp_path / "src").resolve()))
    result = _convert_one(job, "sphinx", "", str(out), lint=False)
    assert result.output is None and result.error is not None
    assert "symbolic link out of" in result.error
    assert list(out.iterdir()) == []
