"""The checked API stub: generated from the shipped pages, checked for drift, and its errcheck."""

from __future__ import annotations

import ctypes
import errno
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from family import STUB_COMMAND, stub_pages

from mdoc2rst import parse
from mdoc2rst.contract.spec import extract, extract_file
from mdoc2rst.contract.stub import StubError, generate

ROOT = Path(__file__).parent.parent
SEED = ROOT / "docs" / "man3" / "sctp_connectx.3"
GETPADDRS = ROOT / "docs" / "man3" / "sctp_getpaddrs.3"
#: Every page of the family with functions, in the order the stub lists them.
PAGES = stub_pages()
SHIPPED = ROOT / "sctpx" / "_stub.py"


def load(source: str, name: str = "stub_under_test") -> ModuleType:
    spec = importlib.util.spec_from_loader(name, loader=None)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    exec(compile(source, name, "exec"), module.__dict__)
    return module


def test_shipped_stub_matches_its_page() -> None:
    module, pyi = generate([extract_file(page) for page in PAGES])
    assert SHIPPED.read_text(encoding="utf-8") == module, (
        f"sctpx/_stub.py is out of date or was edited: run `{STUB_COMMAND}`"
    )
    assert SHIPPED.with_suffix(".pyi").read_text(encoding="utf-8") == pyi


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_any_change_of_a_page_is_drift(page: Path, tmp_path: Path) -> None:
    """A comment added to a page (no word of the API changes) still fails the test above."""
    changed = tmp_path / page.name
    changed.write_bytes(page.read_bytes() + b'.\\" one more line\n')
    specs = [extract_file(changed if p == page else p) for p in PAGES]
    assert generate(specs)[0] != SHIPPED.read_text(encoding="utf-8")


def test_the_stub_covers_every_function_of_the_family() -> None:
    stub = load(SHIPPED.read_text(encoding="utf-8"))
    functions = {fn.name: page for page in PAGES for fn in extract_file(page).functions}
    assert set(stub.PAGES) == set(stub.PROTOTYPES) == set(stub.DECLARATIONS) == set(functions)
    assert len(functions) == 15
    for name, page in functions.items():
        assert stub.PAGES[name] == f"{extract_file(page).names[0]}({page.suffix[1:]})"
    # sctp_sendx and sctp_sendmsgx (FreeBSD only) share their pages' errors.
    assert stub.ERRORS["sctp_sendx"] == stub.ERRORS["sctp_send"]
    assert stub.ERRORS["sctp_sendmsgx"] == stub.ERRORS["sctp_sendmsg"]
    # void functions have no failure value; sctp_getassocid fails with 0.
    assert "sctp_freepaddrs" not in stub.FAILURE and stub.FAILURE["sctp_getassocid"] == 0


def test_stub_names_its_pages_and_hashes() -> None:
    stub = load(SHIPPED.read_text(encoding="utf-8"))
    assert {page.name: extract_file(page).sha256 for page in PAGES} == stub.SOURCES


def test_prototype_types() -> None:
    stub = load(SHIPPED.read_text(encoding="utf-8"))
    restype, argtypes = stub.PROTOTYPES["sctp_connectx"]
    assert restype is ctypes.c_int
    assert argtypes == (
        ctypes.c_int,
        ctypes.c_void_p,
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_uint32),
    )
    for name in ("sctp_getpaddrs", "sctp_getladdrs"):
        assert stub.PROTOTYPES[name] == (
            ctypes.c_int,
            (ctypes.c_int, ctypes.c_uint32, ctypes.POINTER(ctypes.c_void_p)),
        )
    assert {n: stub.FAILURE[n] for n in ("sctp_connectx", "sctp_getpaddrs", "sctp_getladdrs")} == {
        "sctp_connectx": -1,
        "sctp_getpaddrs": -1,
        "sctp_getladdrs": -1,
    }
    # The page's types, const and restrict aside (ctypes has neither): ssize_t,
    # socklen_t *, a struct passed by pointer, and FreeBSD's sctp_sendmsgx.
    restype, argtypes = stub.PROTOTYPES["sctp_sendmsgx"]
    assert restype is ctypes.c_ssize_t
    assert argtypes == (
        ctypes.c_int,
        ctypes.c_void_p,
        ctypes.c_size_t,
        ctypes.c_void_p,
        ctypes.c_int,
        *(ctypes.c_uint32,) * 2,
        ctypes.c_uint16,
        *(ctypes.c_uint32,) * 2,
    )
    assert stub.PROTOTYPES["sctp_opt_info"][1][-1] == ctypes.POINTER(ctypes.c_uint32)
    assert stub.PROTOTYPES["sctp_freepaddrs"] == (None, (ctypes.c_void_p,))


def test_getpaddrs_errors_are_its_pages() -> None:
    stub = load(SHIPPED.read_text(encoding="utf-8"))
    documented = {e.name: e.condition for e in extract_file(GETPADDRS).errors}
    assert set(documented) == {"EINVAL", "ENOMEM", "EBADF", "ENOTSOCK"}
    for name in ("sctp_getpaddrs", "sctp_getladdrs"):
        assert {n: c for n, (_, c) in stub.ERRORS[name].items()} == documented
        assert stub.PAGES[name] == "sctp_getpaddrs(3)"
    exc = stub.error("sctp_getpaddrs", errno.ENOMEM)
    assert exc.documented is True
    assert "cannot allocate memory to hold the socket addresses" in str(exc)


class FakeFunction:
    """Stands in for a ctypes function pointer: bind() sets these attributes."""

    restype: Any = None
    argtypes: Any = None
    errcheck: Any = None


@pytest.mark.parametrize("name", ["EINVAL", "E2BIG", "EBADF", "ENOTSOCK"])
def test_errcheck_raises_the_documented_error(name: str) -> None:
    stub = load(SHIPPED.read_text(encoding="utf-8"))
    fn = stub.bind(FakeFunction(), "sctp_connectx")
    conditions = {e.name: e.condition for e in extract_file(SEED).errors}
    ctypes.set_errno(getattr(errno, name))
    with pytest.raises(OSError) as info:
        fn.errcheck(-1, fn, ())
    exc = info.value
    assert exc.errno == getattr(errno, name)
    assert exc.documented is True  # type: ignore[attr-defined]
    assert exc.condition == conditions[name]  # type: ignore[attr-defined]
    assert conditions[name] in str(exc)
    assert fn.errcheck(0, fn, ()) == 0


def test_errcheck_raises_undocumented_errors_too() -> None:
    stub = load(SHIPPED.read_text(encoding="utf-8"))
    fn = stub.bind(FakeFunction(), "sctp_connectx")
    ctypes.set_errno(errno.ECONNREFUSED)
    with pytest.raises(ConnectionRefusedError) as info:
        fn.errcheck(-1, fn, ())
    assert info.value.documented is False  # type: ignore[attr-defined]
    assert "not documented in sctp_connectx(3)" in str(info.value)


PAGE = (
    ".Dd May 1, 2020\n.Dt W 3\n.Os\n.Sh NAME\n.Nm w\n.Nd w\n.Sh SYNOPSIS\n"
    '.Ft int\n.Fn w "struct widget value" "widget_id_t *id"\n'
    ".Sh RETURN VALUES\nThe call returns 0 on success and -1 upon failure.\n"
)


def test_unmapped_type_names_the_type_and_line() -> None:
    spec = extract(parse(PAGE, "w.3"))
    with pytest.raises(StubError, match=r"w\.3:9: no ctypes mapping for C type 'struct widget'"):
        generate([spec])


def test_type_map_is_extensible() -> None:
    page = PAGE.replace("struct widget value", "int value")
    spec = extract(parse(page, "w.3"))
    with pytest.raises(StubError, match="widget_id_t"):
        generate([spec])
    module, _ = generate([spec], {"widget_id_t": "c_uint64"})
    stub = load(module)
    assert stub.PROTOTYPES["w"][1] == (ctypes.c_int, ctypes.POINTER(ctypes.c_uint64))


def test_command_line_writes_module_and_pyi(tmp_path: Path) -> None:
    out = tmp_path / "gen.py"
    subprocess.run(
        [sys.executable, "-m", "mdoc2rst", "stub", *map(str, PAGES), "-o", str(out)],
        check=True,
    )
    assert out.read_text() == SHIPPED.read_text()
    assert out.with_suffix(".pyi").exists()
    bad = subprocess.run(
        [sys.executable, "-m", "mdoc2rst", "stub", str(SEED), "--type", "oops"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert bad.returncode != 0 and "NAME=CTYPE" in bad.stderr and "Traceback" not in bad.stderr


def test_a_function_of_two_pages_names_both() -> None:
    # FreeBSD documents sctp_freepaddrs on its own page, lksctp-tools beside
    # sctp_getpaddrs: a stub from both would hold two entries for one name.
    first = extract(parse(PAGE.replace("struct widget value", "int value"), "w.3"))
    second = extract(parse(PAGE.replace("Dt W 3", "Dt V 3"), "v.3"))
    with pytest.raises(StubError, match=r"v\.3:9: function w is documented at w\.3:9 too"):
        generate([first, second], {"widget_id_t": "c_uint64", "struct widget": "c_int"})


def test_two_pages_of_one_file_name_are_refused() -> None:
    # SOURCES names a page by its file name: a second x.3 would hide the first's hash.
    page = PAGE.replace("struct widget value", "int value")
    first = extract(parse(page, "bsd/w.3"))
    second = extract(parse(page.replace("Fn w ", "Fn v "), "linux/w.3"))
    with pytest.raises(StubError, match=r"linux/w\.3: a page named 'w\.3' is given already"):
        generate([first, second], {"widget_id_t": "c_uint64"})
    with pytest.raises(
        StubError, match=r"bsd/w\.3: a page named 'w\.3' is given already \(bsd/w\.3\)"
    ):
        generate([first, first], {"widget_id_t": "c_uint64"})


def test_an_errno_listed_for_two_causes_keeps_both() -> None:
    # sctp_recvmsg(3) gives ENOBUFS twice: a failed allocation, a full queue.
    stub = load(SHIPPED.read_text(encoding="utf-8"))
    _, condition = stub.ERRORS["sctp_recvmsg"]["ENOBUFS"]
    assert condition.startswith("The system was unable to allocate an internal buffer.")
    assert " / The output queue for a network interface was full." in condition
    page = PAGE.replace("struct widget value", "int value") + (
        ".Sh ERRORS\n.Bl -tag -width Er\n.It Bq Er EIO\nOne.\n.It Bq Er EIO\nTwo.\n"
        ".It Bq Er EIO\nOne.\n.El\n"
    )
    module, _ = generate([extract(parse(page, "w.3"))], {"widget_id_t": "c_uint64"})
    assert load(module).ERRORS["w"] == {"EIO": (OSError, "One. / Two.")}
