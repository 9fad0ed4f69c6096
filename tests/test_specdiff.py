"""spec-diff: two pages that document the same functions, compared field by field.

``tests/fixtures/specdiff/bsd.3`` and ``linux.3`` document one call the way
two systems would; ``bsd-linux.diff`` is what ``mdoc2rst spec-diff`` prints
for them, read before committing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from oracle import child_env

from mdoc2rst.contract.spec import extract_file
from mdoc2rst.contract.specdiff import FIELDS, c_type, compare

FIXTURES = Path(__file__).parent / "fixtures" / "specdiff"


def run(*args: str, cwd: Path = FIXTURES) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mdoc2rst", "spec-diff", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
        env=child_env(),
    )


def test_readable_output() -> None:
    done = run("bsd.3", "linux.3")
    assert done.returncode == 1 and done.stderr == ""
    assert done.stdout == (FIXTURES / "bsd-linux.diff").read_text(encoding="utf-8")


def test_json_output_and_what_is_not_a_difference() -> None:
    done = run("--json", "bsd.3", "linux.3")
    data = json.loads(done.stdout)
    assert (data["a"], data["b"]) == ("bsd.3", "linux.3")
    found = {(d["field"], d["subject"]) for d in data["differences"]}
    assert ("parameter", "sd_connect #2 (addrs)") in found  # const on one side
    assert ("errno", "EINVAL") in found and ("errno", "EACCES") in found
    assert ("condition", "EBADF") in found  # "s" against "sd"
    # Spacing of types ("struct sockaddr*addrs"), parameter names, the
    # punctuation of a condition and the wording of a return convention
    # ("-1 ... errno" either way) are no differences.
    assert ("parameter", "sd_connect #1 (s/sd)") not in found
    assert ("condition", "ENOTSOCK") not in found
    assert not {f for f, _ in found} & {"return_success", "return_failure", "return_errno"}
    assert all(d["field"] in FIELDS for d in data["differences"])


def test_a_page_against_itself() -> None:
    done = run("bsd.3", "bsd.3")
    assert done.returncode == 0 and done.stdout == "--- bsd.3\n+++ bsd.3\n"
    spec = extract_file(FIXTURES / "bsd.3")
    assert compare(spec, spec) == []


@pytest.mark.parametrize(
    ("page", "status"),
    [("missing.3", 6), ("bsd-linux.diff", 5)],
)
def test_pages_it_cannot_compare(page: str, status: int) -> None:
    done = run("bsd.3", page)
    assert done.returncode == status and done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("char*", "char *"),
        ("char  **", "char **"),
        ("struct sockaddr * restrict", "struct sockaddr *restrict"),
        ("const char * const", "const char *const"),
    ],
)
def test_one_spelling_of_a_type(a: str, b: str) -> None:
    assert c_type(a) == c_type(b)


def test_qualifiers_count() -> None:
    assert c_type("const void *") != c_type("void *")
