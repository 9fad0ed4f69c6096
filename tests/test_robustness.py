"""Hostile pages end in bounded time with diagnostics, never an exception.

Each case was once found by fuzzing: an escaping control-flow exception,
recursion past Python's limit, and exponential macro expansion.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mdoc2rst import parse, parse_file
from mdoc2rst.reader import page_kind
from mdoc2rst.tree.dump import dump

HEADER = ".Dd May 1, 2020\n.Dt T 1\n.Os\n.Sh NAME\n.Nm t\n.Nd t\n.Sh DESCRIPTION\n"

CASES = {
    "break-outside-loop": HEADER + ".break\ntext\n",
    "deep-inline-nesting": HEADER + ".Aq" + " Aq" * 20_000 + " x\n",
    "deep-explicit-nesting": HEADER + ".Bo\n" * 20_000 + "x\n",
    "deep-lists": HEADER + ".Bl -tag\n.It a\n" * 5_000 + "x\n",
    "self-recursive-macro": HEADER + ".de X\n.X\n.X\n..\n.X\n",
    "exponential-string": HEADER + ".ds a xx\n" + ".ds a \\*a\\*a\n" * 40 + "\\*a\n",
    "endless-while": HEADER + ".nr i 1\n.while \\n[i] .nr i 1\n",
    "long-line": HEADER + "word " * 200_000 + "\n",
    "nul-and-controls": HEADER + "a\x00b\x01c\x7f\n",
    "invalid-utf8": HEADER + "caf\udce9\n",
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_page_is_bounded(name: str) -> None:
    text = CASES[name]
    data = text.encode("utf-8", "surrogateescape")
    doc = parse(data, f"{name}.1")
    assert dump(doc).startswith("title")
    assert doc.meta.title == "T"


def test_limits_are_reported() -> None:
    doc = parse(CASES["deep-explicit-nesting"], "deep.1")
    assert any(d.kind == "TOOLARGE" for d in doc.diagnostics)
    doc = parse(CASES["self-recursive-macro"], "macro.1")
    assert any(d.kind == "ROFFLOOP" for d in doc.diagnostics)
    doc = parse(CASES["endless-while"], "while.1")
    assert any(d.kind == "ROFFLOOP" for d in doc.diagnostics)


def test_bad_bytes_are_diagnosed() -> None:
    doc = parse(CASES["nul-and-controls"].encode(), "ctl.1")
    assert [d.kind for d in doc.diagnostics if d.kind.startswith("CHAR")] == [
        "CHAR_BAD",
        "CHAR_UNSUPP",
        "CHAR_BAD",
    ]
    doc = parse(CASES["invalid-utf8"].encode("utf-8", "surrogateescape"), "latin.1")
    assert any(d.kind == "ENCODING" for d in doc.diagnostics)


def test_every_node_knows_its_file(tmp_path: Path) -> None:
    (tmp_path / "part.inc").write_text("text from the part\n")
    page = tmp_path / "page.1"
    page.write_text(HEADER + "text of the page\n.so part.inc\n")
    doc = parse_file(page)
    files = {n.string: n.file for n in doc.root.walk() if n.type.value == "text"}
    assert files["text of the page"] == str(page)
    assert files["text from the part"] == str(tmp_path / "part.inc")
    assert all(n.file for n in doc.root.walk())


def test_files_read_with_so_are_listed_once_each(tmp_path: Path) -> None:
    (tmp_path / "a.inc").write_text("from a\n.so b.inc\n")
    (tmp_path / "b.inc").write_text("from b\n")
    page = tmp_path / "page.1"
    page.write_text(HEADER + ".so a.inc\n.so b.inc\n.so missing.inc\n")
    doc = parse_file(page)
    real = tmp_path.resolve()
    assert doc.includes == (str(real / "a.inc"), str(real / "b.inc"))
    assert parse_file(tmp_path / "b.inc").includes == ()


def test_so_root_fences_the_whole_tree(tmp_path: Path) -> None:
    # What the Sphinx extension does: .so may read within the source folder.
    src = tmp_path / "src"
    (src / "man3").mkdir(parents=True)
    (src / "common").mkdir()
    (src / "common" / "shared.inc").write_text("shared text\n")
    (tmp_path / "secret").write_text("secret text\n")
    (src / "man3" / "escape.inc").symlink_to(tmp_path / "secret")
    page = src / "man3" / "x.3"
    page.write_text(HEADER + ".so common/shared.inc\n.so escape.inc\n.so ../../secret\n")
    doc = parse_file(page, so_root=src)
    text = dump(doc)
    assert "shared text" in text and "secret text" not in text
    kinds = [d.kind for d in doc.diagnostics if d.kind.startswith("SO_")]
    assert kinds == ["SO_FAIL", "SO_PATH"]
    assert doc.includes == (str((src / "common" / "shared.inc").resolve()),)
    # Without a so_root only the page's own folder is readable.
    assert "shared text" not in dump(parse_file(page))


def test_a_man7_page_is_named_as_such() -> None:
    doc = parse('.\\" a comment first\n.TH LS 1\n.SH NAME\nls \\- list\n', "ls.1")
    assert (doc.macroset, page_kind(doc)) == ("man", "man")
    # Read as mandoc reads it: no message of our own about the language.
    assert not any(d.kind == "MAN_PAGE" for d in doc.diagnostics)
    mdoc = parse(HEADER, "t.1")
    assert (mdoc.macroset, page_kind(mdoc)) == ("mdoc", "mdoc")
