"""The header check: documented prototypes compiled against real headers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from oracle import require_tool, unavailable

from mdoc2rst.headercheck import check, translation_unit
from mdoc2rst.spec import extract_file

SEED = Path(__file__).parent.parent / "docs" / "man3" / "sctp_connectx.3"

# The shape of FreeBSD's declaration: const on the address list, which the page lacks.
DISAGREEING = """\
typedef unsigned int sctp_assoc_t;
struct sockaddr;
int sctp_connectx(int, const struct sockaddr *, int, sctp_assoc_t *);
"""


def test_translation_unit_puts_prototypes_at_page_lines() -> None:
    tu = translation_unit(extract_file(SEED))
    assert "#include <netinet/sctp.h>" in tu
    assert f'#line 43 "{SEED}"' in tu


def test_seed_agrees_with_linux_libsctp_header() -> None:
    require_tool("cc")
    if not Path("/usr/include/netinet/sctp.h").exists():
        unavailable("libsctp-dev is not installed (apt-get install libsctp-dev)")
    result = check(extract_file(SEED))
    assert result.diagnostics == []


def test_disagreeing_header_is_a_conflict_at_the_page_line(tmp_path: Path) -> None:
    require_tool("cc")
    (tmp_path / "netinet").mkdir()
    (tmp_path / "netinet" / "sctp.h").write_text(DISAGREEING)
    result = check(extract_file(SEED), [str(tmp_path)])
    (d,) = [d for d in result.diagnostics if d.kind == "HEADER_CONFLICT"]
    assert (d.file, d.line, d.level.name) == (str(SEED), 43, "ERROR")
    assert "conflicting types for" in d.message and "sctp_connectx" in d.message
    assert "netinet/sctp.h:3" in d.message  # where the header declares it


def test_command_line(tmp_path: Path) -> None:
    require_tool("cc")
    (tmp_path / "netinet").mkdir()
    (tmp_path / "netinet" / "sctp.h").write_text(DISAGREEING)
    proc = subprocess.run(
        [sys.executable, "-m", "mdoc2rst", "check-header", str(SEED), "-I", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 3
    assert f"{SEED}:43:1: ERROR: conflicting types" in proc.stdout
