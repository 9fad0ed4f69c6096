"""sctpx against its generated spec: prototypes, errors, address packing (no SCTP stack needed).

The C library paths here run on this machine without kernel SCTP: libsctp
checks the address families and the descriptor before the kernel is
involved.  Associations are tested over usrsctp (test_usrsctp.py) and in a
VM with the real Linux stack (test_kernel.py).
"""

from __future__ import annotations

import ctypes
import errno
import io
import os
import re
import socket
import struct
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from oracle import unavailable

import sctpx
from mdoc2rst.contract.spec import extract_file
from sctpx import _addr, _checks, _stub

SEED = Path(__file__).parent.parent / "docs" / "man3" / "sctp_connectx.3"
SPEC = extract_file(SEED)
LOCAL = [("127.0.0.1", 9)]


def linux_backend() -> None:
    if not sys.platform.startswith("linux"):
        pytest.skip("the Linux backend runs on Linux")
    try:
        from sctpx._linux import LinuxBackend

        LinuxBackend.function()
    except sctpx.BackendUnavailable as exc:
        unavailable(str(exc))


# -- the binding against the spec -----------------------------------------------


def test_every_documented_errno_is_mapped_with_its_condition() -> None:
    assert sctpx.documented_errors() == {e.name: e.condition for e in SPEC.errors}


def test_linux_prototype_equals_the_stub() -> None:
    linux_backend()
    from sctpx._linux import LinuxBackend

    func = LinuxBackend.function()
    restype, argtypes = _stub.PROTOTYPES["sctp_connectx"]
    assert func.restype is restype
    assert tuple(func.argtypes) == argtypes
    assert func.errcheck is not None


def test_stub_matches_spec_parameters() -> None:
    (fn,) = SPEC.functions
    _, argtypes = _stub.PROTOTYPES[fn.name]
    assert len(argtypes) == len(fn.parameters) == 4
    assert _stub.DECLARATIONS[fn.name] == fn.prototype


# -- the page's errors on the Linux backend (no kernel SCTP needed) ------------


@pytest.mark.parametrize("fd", [-1, "closed"])
def test_ebadf(fd: object) -> None:
    linux_backend()
    if fd == "closed":
        r, w = os.pipe()
        os.close(r)
        os.close(w)
        fd = r
    with pytest.raises(OSError) as info:
        sctpx.connectx(fd, LOCAL)
    assert info.value.errno == errno.EBADF
    assert info.value.documented is True  # type: ignore[attr-defined]
    assert "not a valid descriptor" in str(info.value)


def test_ebadf_for_a_closed_socket_object() -> None:
    linux_backend()
    s = socket.socket()
    s.close()
    with pytest.raises(OSError) as info:
        sctpx.connectx(s, LOCAL)
    assert info.value.errno == errno.EBADF


@pytest.mark.parametrize("bad", [object(), "3", 3.0, 2**40, -2])
def test_ebadf_for_what_is_no_descriptor(bad: object) -> None:
    with pytest.raises(OSError) as info:
        sctpx.connectx(bad, LOCAL)
    assert info.value.errno == errno.EBADF


def test_enotsock_for_a_pipe() -> None:
    linux_backend()
    r, w = os.pipe()
    try:
        with pytest.raises(OSError) as info:
            sctpx.connectx(r, LOCAL)
    finally:
        os.close(r)
        os.close(w)
    assert info.value.errno == errno.ENOTSOCK
    assert info.value.documented is True  # type: ignore[attr-defined]
    assert "not a socket" in str(info.value)


BAD_LISTS: list[object] = [
    None,
    [],
    (),
    "127.0.0.1",
    ("127.0.0.1", 9),  # one address, not a list of them
    [("127.0.0.1",)],
    [("127.0.0.1", 9, 0)],
    [("127.0.0.1", -1)],
    [("127.0.0.1", 65536)],
    [("127.0.0.1", "9")],
    [(b"127.0.0.1", 9)],
    [("localhost", 9)],  # names are refused: resolve with getaddrinfo first
    [("/tmp/sock", 9)],  # an AF_UNIX path
    [("::1", 9, 2**20, 0)],
    [("::1", 9, 0, -1)],
    [("127.0.0.1", 9), None],
    12,
    # Scopes: only after an IPv6 address that takes one, naming a real interface.
    [("::1%zz", 9)],
    [("::1%lo", 9)],  # loopback takes no scope (getaddrinfo refuses it too)
    [("127.0.0.1%eth0", 9)],
    [("fe80::1%", 9)],
    [("fe80::1%no-such-if0", 9)],
    [("fe80::1%lo\0", 9)],
    [("fe80::1%" + "x" * 300, 9)],
    [("fe80::1%lo", 9, 0, 999)],  # two different scopes
]


@pytest.mark.parametrize("addresses", BAD_LISTS, ids=repr)
def test_einval_before_the_c_library(addresses: object) -> None:
    # The descriptor is bad too: EINVAL must win, as the page's order has it.
    with pytest.raises(OSError) as info:
        sctpx.connectx(-1, addresses)  # type: ignore[arg-type]
    assert info.value.errno == errno.EINVAL
    assert info.value.documented is True  # type: ignore[attr-defined]
    assert "invalid family or no addresses" in str(info.value)


@pytest.mark.parametrize(("host", "fits", "over"), [("127.0.0.1", 127, 128), ("::1", 73, 74)])
def test_e2big_at_the_pages_buffer_size(host: str, fits: int, over: int) -> None:
    addrs = [(host, 9)] * fits
    assert len(_addr.parse_addresses(addrs)) == fits
    with pytest.raises(OSError) as info:
        sctpx.connectx(-1, [(host, 9)] * over)
    assert info.value.errno == errno.E2BIG
    assert "exceeds the amount of data provided" in str(info.value)


class CountingList(Sequence[tuple[str, int]]):
    """A long address list that records which items were read.

    Reading past the page's limit fails at once, so a binding that parses
    every address fails this test instead of running for ever.
    """

    def __init__(self, length: int) -> None:
        self.length = length
        self.read: list[int] = []

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: Any) -> Any:
        self.read.append(index)
        if len(self.read) > 128:
            raise AssertionError("read more addresses than the 2048-byte buffer can hold")
        return ("127.0.0.1", 9)


@pytest.mark.parametrize("length", [128, 10**6, sys.maxsize])
def test_e2big_before_reading_any_address(length: int) -> None:
    # 128 IPv4 addresses can never fit: E2BIG without parsing a million of them.
    addrs = CountingList(length)
    with pytest.raises(OSError) as info:
        sctpx.connectx(-1, addrs)
    assert info.value.errno == errno.E2BIG
    assert addrs.read == []


def test_e2big_wins_over_a_malformed_address_past_the_limit() -> None:
    # FreeBSD sizes its buffer before it reads the addresses; so does sctpx.
    with pytest.raises(OSError) as info:
        sctpx.connectx(-1, [("127.0.0.1", 9)] * 127 + [("nonsense", 9)])
    assert info.value.errno == errno.E2BIG


LO = socket.if_nametoindex("lo")


@pytest.mark.parametrize(
    ("item", "scope_id"),
    [
        (("fe80::1%lo", 9), LO),
        (("fe80::1%1", 9), 1),
        (("fe80::1%lo", 9, 0, 0), LO),  # the socket module would overwrite it with 0
        (("fe80::1%lo", 9, 0, LO), LO),
        (("fe80::1", 9, 0, 7), 7),  # an explicit scope_id is honoured as given
        (("ff02::1%lo", 9), LO),
        (("::1", 9, 0, 0), 0),
    ],
    ids=repr,
)
def test_ipv6_scope_is_kept(item: tuple[Any, ...], scope_id: int) -> None:
    (addr,) = _addr.parse_addresses([item])
    assert (addr.host, addr.scope_id) == (item[0].split("%")[0], scope_id)
    packed = _addr.pack([addr], "linux")
    assert struct.unpack_from("=I", packed, 24) == (scope_id,)


def test_closed_file_object_is_ebadf(tmp_path: Path) -> None:
    f = (tmp_path / "f").open("w")
    f.close()
    for sock in (f, io.BytesIO()):
        with pytest.raises(OSError) as info:
            sctpx.connectx(sock, LOCAL)
        assert info.value.errno == errno.EBADF
        assert info.value.documented is True  # type: ignore[attr-defined]


@pytest.mark.parametrize("target", ["closed", "pipe"])
def test_getpaddrs_errors_are_its_pages(target: str) -> None:
    linux_backend()
    r, w = os.pipe()
    if target == "closed":
        os.close(r)
    try:
        with pytest.raises(OSError) as info:
            sctpx.getpaddrs(r)
    finally:
        if target != "closed":
            os.close(r)
        os.close(w)
    err = errno.EBADF if target == "closed" else errno.ENOTSOCK
    assert info.value.errno == err
    assert info.value.documented is True  # type: ignore[attr-defined]
    assert info.value.function == "sctp_getpaddrs"  # type: ignore[attr-defined]
    assert "not documented" not in str(info.value)


@pytest.mark.parametrize("assoc_id", [2**32, 2**32 + 3, -1, 2**64])
def test_getpaddrs_assoc_id_out_of_range_is_einval(assoc_id: int) -> None:
    # ctypes would pass 2**32 + 3 as association 3.
    with pytest.raises(OSError) as info:
        sctpx.getpaddrs(-1, assoc_id)
    assert info.value.errno == errno.EINVAL
    assert str(assoc_id) in str(info.value)


def test_a_huge_int_is_still_a_clear_error() -> None:
    # Printing an int of more than 4300 digits raises ValueError itself: the
    # message names its size instead, and the error stays the documented one.
    huge = 10**5000
    with pytest.raises(OSError) as info:
        sctpx.getpaddrs(-1, huge)
    assert info.value.errno == errno.EINVAL
    assert "an int of 16610 bits" in str(info.value)
    with pytest.raises(ValueError, match="16610 bits"):
        _checks.integer("value", -huge, 0, _checks.U32_MAX)
    with pytest.raises(ValueError, match="fits a float"):
        _checks.timeout(huge)


@pytest.mark.parametrize("bad", ["1", 1.0, True, None])
def test_getpaddrs_assoc_id_of_another_type_is_typeerror(bad: object) -> None:
    with pytest.raises(TypeError):
        sctpx.getpaddrs(-1, bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "error"),
    [(-1, ValueError), (2**32, ValueError), (1.5, TypeError), (True, TypeError)],
)
def test_integers_out_of_range_never_reach_ctypes(value: object, error: type) -> None:
    with pytest.raises(error):
        _checks.integer("value", value, 0, _checks.U32_MAX)


@pytest.mark.parametrize(
    ("value", "error"),
    [(-0.1, ValueError), (float("nan"), ValueError), (10**400, ValueError), ("1", TypeError)],
)
def test_bad_timeouts(value: object, error: type) -> None:
    with pytest.raises(error):
        _checks.timeout(value)
    assert _checks.timeout(None) is None and _checks.timeout(2) == 2.0


def test_undocumented_eopnotsupp_on_a_tcp_socket() -> None:
    linux_backend()
    assert sctpx.undocumented_reason("linux", errno.EOPNOTSUPP)
    with socket.socket() as s, pytest.raises(OSError) as info:
        sctpx.connectx(s, LOCAL)
    assert info.value.errno == errno.EOPNOTSUPP
    assert info.value.documented is False  # type: ignore[attr-defined]
    assert "not documented in sctp_connectx(3)" in str(info.value)


def test_missing_kernel_sctp_is_a_clear_error() -> None:
    try:
        s = sctpx.socket()
    except sctpx.BackendUnavailable as exc:
        assert "no SCTP" in str(exc)
    else:
        s.close()  # this kernel has SCTP: nothing to report


# -- address packing -----------------------------------------------------------


class SockaddrIn(ctypes.Structure):
    _fields_ = [
        ("family", ctypes.c_ushort),
        ("port", ctypes.c_uint16),
        ("addr", ctypes.c_uint8 * 4),
        ("zero", ctypes.c_uint8 * 8),
    ]


def test_linux_layout_is_struct_sockaddr_in() -> None:
    packed = _addr.pack(_addr.parse_addresses([("192.0.2.7", 8080)]), "linux")
    s = SockaddrIn.from_buffer_copy(packed)
    assert s.family == socket.AF_INET
    assert s.port == socket.htons(8080)
    assert bytes(s.addr) == bytes([192, 0, 2, 7])
    assert len(packed) == ctypes.sizeof(SockaddrIn) == 16


def test_linux_layout_ipv6() -> None:
    packed = _addr.pack(_addr.parse_addresses([("2001:db8::1", 443, 5, 3)]), "linux")
    assert len(packed) == 28
    (family,) = struct.unpack_from("=H", packed, 0)
    port, flow = struct.unpack_from("!HI", packed, 2)
    assert (family, port, flow) == (socket.AF_INET6, 443, 5)
    assert packed[8:24] == socket.inet_pton(socket.AF_INET6, "2001:db8::1")
    assert struct.unpack_from("=I", packed, 24) == (3,)


def test_bsd_layout_has_sa_len() -> None:
    v4, v6 = _addr.parse_addresses([("127.0.0.1", 80), ("::1", 80)])
    p4, p6 = _addr.pack_one(v4, "bsd"), _addr.pack_one(v6, "bsd")
    assert p4[:2] == bytes([16, 2])  # sa_len 16, AF_INET 2
    assert p6[:2] == bytes([28, 28])  # sa_len 28, AF_INET6 28 on FreeBSD
    assert p4[2:4] == struct.pack("!H", 80) and p4[4:8] == bytes([127, 0, 0, 1])
    assert len(p4) == 16 and len(p6) == 28


def test_unpack_round_trip() -> None:
    items = [("127.0.0.1", 1), ("::1", 2, 0, 0), ("10.0.0.1", 3)]
    for layout in ("linux", "bsd"):
        data = _addr.pack(_addr.parse_addresses(items), layout)  # type: ignore[arg-type]
        assert _addr.unpack(data, 3, layout) == items  # type: ignore[arg-type]


# -- connectx on kernel sockets: socket.connect's timeout and PEP 475 -------------
# The flow in sctpx._kernel against a fake backend; the real kernel runs it in
# test_kernel.py (the VM stage).


class FakeWaiter:
    """An association that comes up after ``polls`` looks, or ends (``gone``)."""

    def __init__(self, assoc_id: int = 7, polls: int = 2, *, many: bool = False) -> None:
        self.assoc_id, self.polls, self.many = assoc_id, polls, many
        self.gone = False
        self.error = 0

    def one_to_many(self, fd: int) -> bool:
        return self.many

    def so_error(self, fd: int) -> int:
        return self.error

    def established(self, fd: int, assoc_id: int) -> bool:
        self.polls -= 1
        return assoc_id == self.assoc_id and self.polls < 0 and not self.gone

    def find(self, fd: int, packed: Sequence[bytes]) -> int | None:
        return None if self.gone else self.assoc_id


class FakeBackend:
    name = "fake"
    layout = "linux"

    def __init__(self, *raises: OSError, waiter: FakeWaiter | None = None) -> None:
        self.raises = list(raises)
        self.waiter = waiter if waiter is not None else FakeWaiter()
        self.calls = 0

    def connectx(self, fd: int, packed: bytes, count: int) -> int:
        self.calls += 1
        if self.raises:
            raise self.raises.pop(0)
        return self.waiter.assoc_id


def in_progress(assoc_id: int = 7) -> OSError:
    exc = _stub.error("sctp_connectx", errno.EINPROGRESS)
    exc.assoc_id = assoc_id  # type: ignore[attr-defined]
    return exc


def kernel_connect(backend: FakeBackend, timeout: float | None) -> int:
    from sctpx._kernel import connect

    return connect(backend, 3, [b"\0" * 16], timeout)  # type: ignore[arg-type]


def test_eintr_waits_for_the_association_it_interrupted() -> None:
    backend = FakeBackend(_stub.error("sctp_connectx", errno.EINTR))
    assert kernel_connect(backend, None) == 7
    assert backend.calls == 1  # waited for it, no second call (EALREADY)


def test_eintr_before_the_association_exists_calls_again() -> None:
    waiter = FakeWaiter()
    waiter.gone = True  # find() sees nothing yet
    backend = FakeBackend(_stub.error("sctp_connectx", errno.EINTR), waiter=waiter)
    assert kernel_connect(backend, None) == 7
    assert backend.calls == 2


def test_timeout_waits_then_returns_the_id() -> None:
    assert kernel_connect(FakeBackend(in_progress()), 5.0) == 7


def test_timeout_expires_with_the_id() -> None:
    backend = FakeBackend(in_progress(), waiter=FakeWaiter(polls=10**9))
    with pytest.raises(TimeoutError) as info:
        kernel_connect(backend, 0.05)
    assert info.value.assoc_id == 7  # type: ignore[attr-defined]
    assert "not established within 0.05 s" in str(info.value)


def test_non_blocking_and_ealready_come_back_as_the_c_call_gives_them() -> None:
    for timeout in (0.0, None):
        with pytest.raises(BlockingIOError) as info:
            kernel_connect(FakeBackend(in_progress()), timeout)
        assert info.value.errno == errno.EINPROGRESS
    with pytest.raises(BlockingIOError) as info:
        kernel_connect(FakeBackend(_stub.error("sctp_connectx", errno.EALREADY)), 5.0)
    assert info.value.errno == errno.EALREADY


@pytest.mark.parametrize(
    ("many", "err"), [(False, errno.ECONNREFUSED), (True, errno.ECONNABORTED)]
)
def test_an_association_that_ends_while_waiting(many: bool, err: int) -> None:
    waiter = FakeWaiter(polls=10**9, many=many)
    waiter.gone, waiter.error = True, errno.ECONNREFUSED
    backend = FakeBackend(in_progress(), waiter=waiter)
    with pytest.raises(OSError) as info:
        kernel_connect(backend, 5.0)
    assert info.value.errno == err
    assert info.value.assoc_id == 7  # type: ignore[attr-defined]
    assert sctpx.undocumented_reason("linux", err)


def test_a_signal_handlers_exception_carries_the_id(monkeypatch: pytest.MonkeyPatch) -> None:
    from sctpx import _kernel

    class Interrupted(Exception):
        pass

    def handler() -> None:
        raise Interrupted

    monkeypatch.setattr(_kernel, "_run_signal_handlers", handler)
    backend = FakeBackend(_stub.error("sctp_connectx", errno.EINTR))
    with pytest.raises(Interrupted) as info:
        kernel_connect(backend, None)
    assert info.value.assoc_id == 7  # type: ignore[attr-defined]


def test_socket_errors_that_are_not_a_missing_stack() -> None:
    # A datagram SCTP socket is EPROTONOSUPPORT with SCTP in the kernel or
    # without: the kernel's error, not "the kernel has no SCTP".
    with pytest.raises(OSError) as info:
        sctpx.socket(type=socket.SOCK_DGRAM)
    assert info.value.errno == errno.EPROTONOSUPPORT
    assert not isinstance(info.value, sctpx.BackendUnavailable)
    for family, kind in ((2**40, socket.SOCK_STREAM), (socket.AF_INET, -(2**40))):
        with pytest.raises(ValueError):
            sctpx.socket(family, kind)
    with pytest.raises(TypeError):
        sctpx.socket("inet")  # type: ignore[arg-type]


def test_the_docs_table_lists_every_undocumented_errno() -> None:
    # docs/sctpx.rst's table of (backend, errno) rows, against the dict.
    text = (SEED.parent.parent / "sctpx.rst").read_text()
    rows = re.findall(r"^   \* - (\w+)\n     - (E[A-Z0-9]+)$", text, re.MULTILINE)
    assert sorted(rows) == sorted(sctpx.UNDOCUMENTED_ERRNOS)


def test_the_docs_table_lists_every_undocumented_errno_of_the_family() -> None:
    # docs/sctpx.rst's (function, backend, errno) rows, against the dict.
    text = (SEED.parent.parent / "sctpx.rst").read_text()
    rows = re.findall(
        r"^   \* - (sctp_\w+)\n     - (\w+)\n     - (E[A-Z0-9]+)$", text, re.MULTILINE
    )
    assert rows and sorted(rows) == sorted(sctpx._undocumented.UNDOCUMENTED_BY_FUNCTION)
