"""The documentation's examples run and print what the docs say."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from oracle import unavailable

EXAMPLES = Path(__file__).parent.parent / "docs" / "examples"


def require_libusrsctp() -> None:
    try:
        from sctpx import _usrsctp_lib

        _usrsctp_lib.load()
    except Exception as exc:  # libusrsctp missing: skip, or fail under CI
        unavailable(f"libusrsctp is not usable: {exc}")


def run_python(*args: str) -> str:
    """Run Python with ``args`` (needs libusrsctp); what it printed, once it exited 0."""
    require_libusrsctp()
    proc = subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_usrsctp_multihomed_example() -> None:
    lines = run_python(str(EXAMPLES / "usrsctp_multihomed.py")).splitlines()
    assert lines[0].startswith("association ") and "established" in lines[0]
    assert lines[1] == "peer addresses now: [('127.0.0.1', 5001)]"
    assert lines[2] == "server received: b'hello over SCTP'"
    assert "EINVAL: An address listed has an invalid family" in lines[3]


def test_asyncio_echo_example() -> None:
    assert run_python(str(EXAMPLES / "asyncio_echo.py")).splitlines() == [
        f"{name.upper()} ON STREAM {n} (stream {n}, ppid {1001 + n})"
        for name in ("alice", "bob")
        for n in range(3)
    ]


def test_readme_python_example_runs_as_written() -> None:
    """The README's Python block, copied as a user would, runs and prints."""
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```python\n(.*?)```", readme, re.S)
    assert block is not None and "sctpx.connectx" in block.group(1)
    printed = run_python("-c", block.group(1))
    assert re.fullmatch(r"association \d+ up; the server got b'hello', PPID 42\n", printed)


@pytest.mark.parametrize("page", ["sctpx.rst"])
def test_docs_show_the_examples_current_output(page: str) -> None:
    text = (Path(__file__).parent.parent / "docs" / page).read_text()
    assert "peer addresses now: [('127.0.0.1', 5001)]" in text
