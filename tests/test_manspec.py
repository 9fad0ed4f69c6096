"""The API spec of man(7) pages: fixture pages beside the spec expected for them.

``tests/fixtures/manspec/NAME.3`` is a man(7) page in the Linux man-pages
style; ``NAME.json`` is its spec (``mdoc2rst spec``) with the hash left out
and the source and diagnostics named by file name, read before committing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from oracle import child_env

from mdoc2rst.contract.spec import extract_file

FIXTURES = Path(__file__).parent / "fixtures" / "manspec"
PAGES = sorted(FIXTURES.glob("*.3"))
SPECDIFF = Path(__file__).parent / "fixtures" / "specdiff"


def shown(page: Path) -> dict[str, object]:
    data = extract_file(page).to_json()
    data.pop("sha256")
    data["source"] = page.name
    data["diagnostics"] = [str(d).rsplit("/", 1)[-1] for d in data["diagnostics"]]
    return data


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_spec_of_a_man7_page(page: Path) -> None:
    assert shown(page) == json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))


def test_a_declaration_that_is_no_c_is_an_error_at_its_line() -> None:
    (d,) = extract_file(FIXTURES / "mf_open.3").diagnostics
    assert (d.line, d.level.name, d.kind) == (15, "ERROR", "SPEC_PROTOTYPE")


def test_an_mdoc_page_against_a_man_page() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mdoc2rst", "spec-diff", "bsd.3", "linux-man.3"],
        capture_output=True,
        text=True,
        check=False,
        cwd=SPECDIFF,
        env=child_env(),
    )
    assert done.returncode == 1 and done.stderr == ""
    assert done.stdout == (SPECDIFF / "bsd-linux-man.diff").read_text(encoding="utf-8")
