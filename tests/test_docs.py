"""The project's own documentation site builds clean, as the README's main command does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinx", reason="Sphinx is not installed (pip install '.[sphinx]')")

DOCS = Path(__file__).parent.parent / "docs"


def test_docs_build_clean(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-n", "--keep-going", "-q", str(DOCS),
         str(tmp_path / "html")],
        capture_output=True,
        text=True,
        check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    page = (tmp_path / "html" / "man3" / "sctp_connectx.html").read_text(encoding="utf-8")
    assert "sctp_connectx" in page and "ENOTSOCK" in page
    contract = (tmp_path / "html" / "contract.html").read_text(encoding="utf-8")
    assert 'href="man3/sctp_connectx.html#sctp-connectx-3-errno-enotsock"' in contract
