"""Error-mapping tables: the seed's rows, and the reST they render as."""

from __future__ import annotations

from pathlib import Path

import docutils.core
import docutils.utils

from mdoc2rst.errtable import rows, to_rst
from mdoc2rst.spec import extract_file

SEED = Path(__file__).parent.parent / "docs" / "man3" / "sctp_connectx.3"


def test_seed_rows() -> None:
    got = [(r.name, r.linux, r.freebsd, r.exception) for r in rows(extract_file(SEED))]
    assert got == [
        ("EINVAL", 22, 22, "OSError"),
        ("E2BIG", 7, 7, "OSError"),
        ("EBADF", 9, 9, "OSError"),
        ("ENOTSOCK", 88, 38, "OSError"),
    ]


def test_table_renders_with_docutils_without_messages() -> None:
    text = to_rst(extract_file(SEED), link=False)
    messages: list[str] = []
    doctree = docutils.core.publish_doctree(
        text, settings_overrides={"report_level": 5, "halt_level": 5}
    )
    for node in doctree.findall(docutils.nodes.system_message):
        messages.append(node.astext())
    assert messages == []
    html = docutils.core.publish_parts(text, writer="html5")["body"]
    assert "The argument s is not a socket." in html
    assert html.count("<tr") == 5


def test_links_point_at_the_errors_entries() -> None:
    text = to_rst(extract_file(SEED))
    assert ":ref:`EINVAL <sctp_connectx.3-errno-EINVAL>`" in text
