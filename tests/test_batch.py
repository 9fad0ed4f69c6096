"""Batch conversion: folders, several processes, failures reported at the end."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import oracle


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
