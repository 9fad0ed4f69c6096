"""Every page of the shared corpus parses, and dumps a readable tree, without an exception.

The pages are read as they are (no $Mdocdate$ expansion), through parse_file:
once in the language mandoc would choose, once in the other one (as
``mandoc -man`` or ``-mdoc`` would force it), within a deadline.
"""

from __future__ import annotations

from pathlib import Path

import oracle
import pytest
from mutate import deadline

REGRESS_INPUTS = [
    *oracle.regress_inputs("mdoc"),
    *oracle.regress_inputs("roff"),
    *oracle.regress_inputs("man"),
    *oracle.regress_inputs("tbl"),
    *oracle.regress_inputs("eqn"),
    *oracle.regress_inputs("char"),
]
OTHER_PAGES = [
    *oracle.manual_pages(),
    *[p for p in oracle.language_manuals() if p.is_file()],
    *oracle.freebsd_pages(),
    oracle.SEED,
]


def _id(path: Path) -> str:
    if path.is_relative_to(oracle.REGRESS):
        return oracle.regress_name(path).removesuffix(".in")
    return f"{path.parent.name}/{path.name}"


@pytest.mark.parametrize("path", [*REGRESS_INPUTS, *OTHER_PAGES], ids=_id)
def test_page_parses(path: Path) -> None:
    oracle.require_page(path)
    import mdoc2rst
    from mdoc2rst.tree.dump import dump

    with deadline(20):
        document = mdoc2rst.parse_file(path)
        other = mdoc2rst.parse_file(path, macroset="mdoc" if document.macroset == "man" else "man")
    for doc in (document, other):
        assert all(str(d) for d in doc.diagnostics)
        tree = dump(doc)
        oracle.tree_meta(tree)
        if doc.macroset == "mdoc":  # the records reader knows mdoc(7) trees only
            oracle.tree_records(tree)


def test_corpus_is_complete() -> None:
    """A missing corpus must not pass as zero collected tests."""
    oracle.require_shared()
    counts = {
        "mdoc regress inputs": len(oracle.regress_inputs("mdoc")),
        "roff regress inputs": len(oracle.regress_inputs("roff")),
        "mandoc manuals": len(oracle.manual_pages()),
        "FreeBSD pages": len(oracle.freebsd_pages()),
        "seed pages": int(oracle.SEED.is_file()),
    }
    # At least what the corpus held when these tests were written: it may grow.
    least = {
        "mdoc regress inputs": 282,
        "roff regress inputs": 126,
        "mandoc manuals": 3,
        "FreeBSD pages": 11,
        "seed pages": 1,
    }
    assert {k: v for k, v in counts.items() if v < least[k]} == {}
    assert len(REGRESS_INPUTS) >= 408
