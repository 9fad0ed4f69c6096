"""sctpx's C layout tables against the real headers, compiled here.

For each ABI whose headers are installed (the Linux kernel's through
lksctp-tools' <netinet/sctp.h>; usrsctp's <usrsctp.h>), a small C program
prints sizeof, _Alignof and offsetof of every struct and field
sctpx/_layout.py encodes, and the value of every constant; the test
compares them with the tables.  FreeBSD's headers cannot be compiled here:
tests/test_values_freebsd.py checks that table with hand-made byte images.
"""

from __future__ import annotations

import itertools
import subprocess
from pathlib import Path

import pytest
from oracle import unavailable

from mdoc2rst.contract.headercheck import CompilerMissing, find_compiler
from sctpx import _layout
from sctpx._layout import Abi, Struct

HEADERS = {
    "linux": ("/usr/include/netinet/sctp.h", "libsctp-dev", "#include <netinet/sctp.h>"),
    "usrsctp": ("/usr/include/usrsctp.h", "libusrsctp-dev", "#include <usrsctp.h>"),
}


def _fields(a: Abi, st: Struct, prefix: str = "") -> list[tuple[str, int]]:
    """(C member path, offset) of every field, nested ones through their parent."""
    out = []
    for f in st.fields:
        out.append((prefix + f.c_name, f.offset))
        if f.kind is None:
            inner = _fields(a, a.struct(f.nested), f"{prefix}{f.c_name}.")
            out += [(path, f.offset + off) for path, off in inner]
    return out


def _checked(a: Abi) -> list[Struct]:
    """The structs the header declares as the table has them."""
    return [
        st
        for name, st in a.structs.items()
        if name not in a.internal
        and not (a.name == "usrsctp" and name in _layout.USRSCTP_HEADER_DRIFT)
    ]


def expected(a: Abi) -> list[str]:
    lines = []
    for st in _checked(a):
        lines.append(f"struct {st.c_name} size {st.size} align {st.align}")
        lines += [f"field {st.c_name}.{path} {off}" for path, off in _fields(a, st)]
    if a.name == "usrsctp":
        for name, (offsets, size) in _layout.USRSCTP_HEADER_DRIFT.items():
            lines.append(f"struct {name} size {size}")
            st = a.struct(name)
            for f in st.fields:
                at = offsets.get(f.name, f.offset)
                if at is not None:
                    lines.append(f"field {name}.{f.c_name} {at}")
    lines += [f"constant {name} {value}" for name, value in sorted(a.constants.items())]
    return lines


def program(a: Abi) -> str:
    """A C program that prints, from the header, the lines ``expected`` predicts."""
    body = []
    for st in _checked(a):
        t = f"struct {st.c_name}"
        body.append(
            f'printf("struct {st.c_name} size %zu align %zu\\n", sizeof({t}), _Alignof({t}));'
        )
        for path, _ in _fields(a, st):
            body.append(f'printf("field {st.c_name}.{path} %zu\\n", offsetof({t}, {path}));')
    if a.name == "usrsctp":
        for name, (offsets, _) in _layout.USRSCTP_HEADER_DRIFT.items():
            t = f"struct {name}"
            body.append(f'printf("struct {name} size %zu\\n", sizeof({t}));')
            for f in a.struct(name).fields:
                if offsets.get(f.name, f.offset) is not None:
                    body.append(
                        f'printf("field {name}.{f.c_name} %zu\\n", offsetof({t}, {f.c_name}));'
                    )
    for name in sorted(a.constants):
        body.append(f'printf("constant {name} %lld\\n", (long long)({name}));')
    include = HEADERS[a.name][2]
    lines = "\n    ".join(body)
    return (
        f"#include <stddef.h>\n#include <stdio.h>\n#include <sys/socket.h>\n{include}\n"
        f"int main(void) {{\n    {lines}\n    return 0;\n}}\n"
    )


def _compiler() -> str:
    try:
        return find_compiler()
    except CompilerMissing as exc:
        unavailable(str(exc))


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_tables_match_headers(name: str, tmp_path: Path) -> None:
    header, package, _ = HEADERS[name]
    if not Path(header).exists():
        unavailable(f"{header} is missing (apt-get install {package})")
    cc = _compiler()
    a = _layout.abi(name)
    source = tmp_path / "layout.c"
    source.write_text(program(a))
    binary = tmp_path / "layout"
    built = subprocess.run(
        [cc, "-std=gnu11", "-o", str(binary), str(source)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert built.returncode == 0, built.stderr
    run = subprocess.run([str(binary)], capture_output=True, text=True, check=True, timeout=30)
    assert run.stdout.splitlines() == expected(a)


def test_usrsctp_table_is_freebsds_but_for_sockaddrs() -> None:
    """usrsctp's library is FreeBSD's stack: the same structs, byte for byte."""
    assert _layout.USRSCTP.structs == _layout.FREEBSD.structs
    only_freebsd = set(_layout.FREEBSD.constants) - set(_layout.USRSCTP.constants)
    assert only_freebsd == {
        "SCTP_DEFAULT_SEND_PARAM",
        "SCTP_EVENTS",
        "SCTP_INIT",
        "SCTP_SNDRCV",
        "SCTP_EXTRCV",
        "SCTP_SNDINFO",
        "SCTP_RCVINFO",
        "SCTP_NXTINFO",
        "SCTP_PRINFO",
        "SCTP_AUTHINFO",
        "SCTP_DSTADDRV4",
        "SCTP_DSTADDRV6",
    }
    shared = set(_layout.USRSCTP.constants) - {"MSG_EOR"}
    assert all(_layout.USRSCTP.constants[n] == _layout.FREEBSD.constants[n] for n in shared)


@pytest.mark.parametrize("name", sorted(_layout.ABIS))
def test_fields_fit_and_do_not_overlap(name: str) -> None:
    """Each table is self-consistent: fields inside the struct, none over another."""
    a = _layout.ABIS[name]
    for st in a.structs.values():
        spans = sorted(
            (f.offset, f.offset + (f.size or a.struct(f.nested).size)) for f in st.fields
        )
        assert spans[-1][1] <= st.size, st.c_name
        assert all(end <= nxt for (_, end), (nxt, _) in itertools.pairwise(spans)), st.c_name
        assert st.size % st.align == 0, st.c_name
