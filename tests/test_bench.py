"""The benchmark script runs and measures what it says; no timing is asserted."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import oracle
import pytest

import mdoc2rst

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_groups_split_pages_by_first_folder(bench: ModuleType, tmp_path: Path) -> None:
    for rel in ("a/x.1", "a/deep/y.1", "b/z.3", "top.7"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(".Dd\n")
    pages = bench.pages_under([tmp_path])
    found = bench.groups(pages, [tmp_path])
    groups = {Path(name).name: sorted(p.name for p in ps) for name, ps in found}
    assert groups == {"a": ["x.1", "y.1"], "b": ["z.3"], tmp_path.name: ["top.7"]}


def test_a_peer_that_refuses_or_loops_on_a_page_is_measured_on_the_rest(
    bench: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A stand-in peer: fails on pages saying FAIL, and takes 30 s over pages
    # saying SLOW, which a time limit of 1 s per page must refuse.
    peer = tmp_path / "peer"
    peer.write_text(
        "#!/bin/sh\n"
        'for f in "$@"; do\n'
        '  grep -q FAIL "$f" && exit 1\n'
        '  grep -q SLOW "$f" && sleep 30\n'
        "done\nexit 0\n"
    )
    peer.chmod(0o755)
    pages = []
    for i, text in enumerate(["ok", "FAIL", "SLOW", "ok"]):
        pages.append(tmp_path / f"p{i}.1")
        pages[-1].write_text(text)
    monkeypatch.setattr(bench, "PEER_TIMEOUT", 1)
    seconds, ok, how = bench.bench_peer([str(peer)], pages, 1, memory=1 << 30)
    assert ok == [0, 3] and how == "one process" and seconds >= 0


def test_copies_get_a_section_suffix(bench: ModuleType, tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.in").write_text("x")
    (src / "b.3").write_text("y")
    out = tmp_path / "out"
    out.mkdir()
    copies = bench.copy_pages([src / "a.in", src / "b.3"], out)
    assert [c.name for c in copies] == ["p0.1", "p1.3"]
    assert [c.read_text() for c in copies] == ["x", "y"]


def test_the_script_prints_every_figure_without_peers() -> None:
    oracle.require_shared()
    # The build these tests import: the checkout, or the compiled build
    # (MDOC2RST_BUILD=compiled), which the script must say it measured.
    site = Path(mdoc2rst.__file__).resolve().parent.parent
    compiled = os.environ.get("MDOC2RST_BUILD") == "compiled"
    build = "compiled with mypyc" if compiled else "pure Python"
    proc = subprocess.run(
        [
            sys.executable,
            str(BENCH),
            "--no-peers",
            "--no-sphinx",
            "--repeat",
            "1",
            "--site",
            str(site),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    for expected in (
        f"mdoc2rst: {build}, from {site}",
        "mdoc2rst (parse, validate, reST)",
        "By folder (one process each):",
        "freebsd (11 pages",
        "Peak memory on the largest page (mdoc.7",
        "mdoc2rst PAGE",
        "mdoc2rst convert -j",
    ):
        assert expected in out, expected
    assert "Traceback" not in proc.stderr


def test_a_site_without_mdoc2rst_is_refused(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, str(BENCH), "--no-peers", "--no-sphinx", "--site", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stderr == f"bench: no mdoc2rst package in {tmp_path.resolve()}\n"
