"""The spec extracted from the seed page, field by field, and from the FreeBSD pages.

The spec of every page the project ships is kept beside the tests as
``tests/fixtures/spec/NAME.json`` (what ``mdoc2rst spec`` prints, run in
``docs/``), so that a change to a page or to the extractor shows as a diff
to read.  Regenerate with ``python tests/test_spec.py --regen``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import jsonschema
import pytest
from family import DOCS, relative, shipped
from oracle import FREEBSD, child_env, require_shared
from oracle import freebsd_pages as oracle_freebsd_pages

from mdoc2rst import parse
from mdoc2rst.contract.spec import SPEC_VERSION, extract, extract_file

SEED = Path(__file__).parent.parent / "docs" / "man3" / "sctp_connectx.3"
SPECS = Path(__file__).parent / "fixtures" / "spec"
SCHEMA = json.loads(files("mdoc2rst.contract").joinpath("spec.schema.json").read_text())


def freebsd_pages() -> list[Path]:
    return oracle_freebsd_pages() if FREEBSD.is_dir() else []


def test_seed_spec_field_by_field() -> None:
    spec = extract_file(SEED)
    assert spec.version == SPEC_VERSION
    assert spec.names == ["sctp_connectx"]
    assert (spec.title, spec.section) == ("SCTP_CONNECTX", "3")
    assert spec.description == "connect an SCTP socket with multiple destination addresses"
    assert spec.library is not None and spec.library.name == "libc"
    assert spec.headers == ["sys/types.h", "sys/socket.h", "netinet/sctp.h"]
    (fn,) = spec.functions
    assert fn.name == "sctp_connectx"
    assert fn.return_type == "int"
    assert [(p.type, p.name) for p in fn.parameters] == [
        ("int", "sd"),
        ("struct sockaddr *", "addrs"),
        ("int", "addrcnt"),
        ("sctp_assoc_t *", "id"),
    ]
    assert not fn.variadic
    assert fn.line == 43
    rv = spec.return_values
    assert rv is not None and (rv.success, rv.failure, rv.errno) == ("0", "-1", True)
    assert [(e.name, e.line) for e in spec.errors] == [
        ("EINVAL", 85),
        ("E2BIG", 88),
        ("EBADF", 91),
        ("ENOTSOCK", 95),
    ]
    conditions = {e.name: e.condition for e in spec.errors}
    assert conditions["EINVAL"] == (
        "An address listed has an invalid family or no addresses were provided."
    )
    assert conditions["E2BIG"] == (
        "The size of the address list exceeds the amount of data provided."
    )
    assert conditions["EBADF"] == "The argument s is not a valid descriptor."
    assert conditions["ENOTSOCK"] == "The argument s is not a socket."
    assert [(r.name, r.section) for r in spec.see_also] == [("connect", "2"), ("sctp", "4")]
    assert spec.sha256 is not None and len(spec.sha256) == 64
    jsonschema.validate(spec.to_json(), SCHEMA)


@pytest.mark.parametrize("page", freebsd_pages(), ids=lambda p: p.name)
def test_freebsd_prototypes_all_parse(page: Path) -> None:
    spec = extract_file(page)
    assert spec.diagnostics == []
    if page.suffix == ".3":
        assert spec.functions, "a library page documents at least one function"
    for fn in spec.functions:
        assert fn.prototype.startswith(fn.return_type)
        assert f"{fn.name}(" in fn.prototype
    jsonschema.validate(spec.to_json(), SCHEMA)


def test_freebsd_corpus_is_there() -> None:
    require_shared()
    assert len(freebsd_pages()) == 11


def test_bad_prototype_is_a_diagnostic_at_its_line() -> None:
    page = (
        ".Dd May 1, 2020\n.Dt X 3\n.Os\n.Sh NAME\n.Nm f\n.Nd f\n.Sh SYNOPSIS\n"
        '.Ft int\n.Fn f "int (broken"\n'
    )
    spec = extract(parse(page, "x.3"))
    (d,) = spec.diagnostics
    assert (d.file, d.line, d.level.name) == ("x.3", 9, "ERROR")
    assert "does not parse" in d.message
    assert spec.functions == []


def test_command_line_prints_json() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "mdoc2rst", "spec", str(SEED)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    data = json.loads(out)
    assert data["version"] == SPEC_VERSION
    jsonschema.validate(data, SCHEMA)


def test_section_4_call_forms_are_calls_not_prototypes() -> None:
    page = FREEBSD / "sctp.4"
    if not page.exists():
        require_shared()
    spec = extract_file(page)
    assert [(c.name, c.arguments) for c in spec.calls] == [
        ("socket", ["AF_INET", "SOCK_STREAM", "IPPROTO_SCTP"]),
        ("socket", ["AF_INET", "SOCK_SEQPACKET", "IPPROTO_SCTP"]),
    ]
    assert spec.functions == []


@pytest.mark.parametrize(
    ("lb", "name", "text"),
    [
        ("libc", "libc", "Standard C Library (libc, -lc)"),
        ("libsctp", "libsctp", "library \u201clibsctp\u201d"),
    ],
)
def test_library_name_known_to_mandoc_or_not(lb: str, name: str, text: str) -> None:
    page = f".Dd May 1, 2020\n.Dt T 3\n.Os\n.Sh NAME\n.Nm t\n.Nd t\n.Sh LIBRARY\n.Lb {lb}\n"
    library = extract(parse(page.encode(), "t.3")).library
    assert library is not None and (library.name, library.text) == (name, text)


def shipped_specs() -> dict[str, object]:
    """Page file name -> its spec as ``mdoc2rst spec`` prints it in docs/."""
    pages = shipped()
    done = subprocess.run(
        [sys.executable, "-m", "mdoc2rst", "spec", *map(relative, pages)],
        capture_output=True,
        text=True,
        check=True,
        cwd=DOCS,
        env=child_env(),
    )
    return {p.name: spec for p, spec in zip(pages, json.loads(done.stdout), strict=True)}


@pytest.fixture(scope="module")
def specs() -> dict[str, object]:
    return shipped_specs()


@pytest.mark.parametrize("page", shipped(), ids=lambda p: p.name)
def test_spec_of_every_shipped_page(specs: dict[str, object], page: Path) -> None:
    expected = json.loads((SPECS / f"{page.name}.json").read_text(encoding="utf-8"))
    assert specs[page.name] == expected, (
        "run `python tests/test_spec.py --regen` and read the diff"
    )
    jsonschema.validate(expected, SCHEMA)


def test_spec_fixtures_are_the_shipped_pages() -> None:
    assert sorted(p.name for p in SPECS.glob("*.json")) == sorted(
        f"{p.name}.json" for p in shipped()
    )


def _regen() -> None:
    for name, spec in shipped_specs().items():
        text = json.dumps(spec, indent=2, ensure_ascii=False) + "\n"
        (SPECS / f"{name}.json").write_text(text, encoding="utf-8")
        print(f"wrote {name}.json")


if __name__ == "__main__" and "--regen" in sys.argv:
    _regen()
