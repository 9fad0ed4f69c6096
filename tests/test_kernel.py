"""sctpx's Linux backend against the real Linux SCTP stack.

Every test here is marked ``kernel``: it needs SCTP in the running kernel,
which the development machine lacks, so ``python3 tools/vmtest.py`` runs
this file inside a QEMU VM (Debian's kernel, ``modprobe sctp``); elsewhere
the tests are skipped (tests/conftest.py).

The tests that change the network configuration or the SCTP sysctls (the
failover ones) also need ``SCTPX_VMTEST=1``, which only the VM sets, so a
host with kernel SCTP is never reconfigured.  Addresses used: 127.0.0.1 and
127.0.0.2 (loopback) and, on interfaces created inside the VM, 169.254.98.1
(a live link-local address on ``lo``) and 169.254.99.2 (a black hole: a
non-local address routed to a ``dummy`` interface, which drops every packet
without an answer).  The VM has no network card; nothing leaves it.

sctp_connectx(3) documents EINVAL, E2BIG, EBADF and ENOTSOCK only.  What the
Linux kernel answers besides, checked here and marked undocumented by
sctpx (``exc.documented`` is False): EISCONN (connecting a connected
one-to-one socket), EINPROGRESS (non-blocking socket, the id already set),
ECONNREFUSED (the peer answers with ABORT), ETIMEDOUT (no answer from any
address), EADDRNOTAVAIL (an address listed twice), EOPNOTSUPP (a TCP or
UDP socket: libsctp's VERS_3 answer).
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import sctpx

pytestmark = [
    pytest.mark.kernel,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux kernel SCTP"),
]

IPPROTO_SCTP = 132
# <linux/sctp.h>
SCTP_STATUS = 14
SCTP_COOKIE_WAIT = 2
SCTP_COOKIE_ECHOED = 3
SCTP_ESTABLISHED = 4
# struct sctp_status: sstat_assoc_id, sstat_state, sstat_rwnd, 4 x u16, u32
# fragmentation point (24 bytes), then the packed struct sctp_paddrinfo
# sstat_primary: spinfo_assoc_id and a struct sockaddr_storage (128), then
# five 32-bit fields.
STATUS_SIZE = 24 + 4 + 128 + 5 * 4
PRIMARY_ADDRESS_OFFSET = 24 + 4

LOOPBACK = "127.0.0.1"
LOOPBACK_ABORTS = "127.0.0.2"  # local, but nobody listens there: INIT -> ABORT
LIVE = "169.254.98.1"  # added to lo inside the VM
BLACK_HOLE_NET = "169.254.99.1/24"  # on the dummy interface bh0
BLACK_HOLE = "169.254.99.2"  # routed to bh0, which drops it
SYSCTL = Path("/proc/sys/net/sctp")


# -- helpers ----------------------------------------------------------------------

_libc = ctypes.CDLL(None, use_errno=True)
_libc.getsockopt.argtypes = (
    ctypes.c_int,
    ctypes.c_int,
    ctypes.c_int,
    ctypes.c_void_p,
    ctypes.POINTER(ctypes.c_uint32),
)
_libc.getsockopt.restype = ctypes.c_int


@dataclass(frozen=True)
class Status:
    assoc_id: int
    state: int
    primary: tuple[str, int]


def _sockaddr(data: bytes) -> tuple[str, int]:
    family, port = struct.unpack_from("=H", data)[0], struct.unpack_from("!H", data, 2)[0]
    if family == socket.AF_INET:
        return socket.inet_ntop(family, data[4:8]), port
    if family == socket.AF_INET6:
        return socket.inet_ntop(family, data[8:24]), port
    raise AssertionError(f"unexpected address family {family}")


def status(sock: socket.socket, assoc_id: int = 0) -> Status:
    """getsockopt(SCTP_STATUS) for ``assoc_id`` (ignored on one-to-one sockets)."""
    buf = ctypes.create_string_buffer(struct.pack("=i", assoc_id), STATUS_SIZE)
    size = ctypes.c_uint32(STATUS_SIZE)
    if _libc.getsockopt(sock.fileno(), IPPROTO_SCTP, SCTP_STATUS, buf, ctypes.byref(size)) < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"getsockopt(SCTP_STATUS): {os.strerror(err)}")
    raw = buf.raw
    got_id, state = struct.unpack_from("=iI", raw)
    return Status(got_id, state, _sockaddr(raw[PRIMARY_ADDRESS_OFFSET:]))


def wait_established(sock: socket.socket, assoc_id: int, timeout: float = 10.0) -> Status:
    deadline = time.monotonic() + timeout
    while True:
        st = status(sock, assoc_id)
        if st.state == SCTP_ESTABLISHED or time.monotonic() > deadline:
            return st
        time.sleep(0.01)


def raises(err: int, call: Callable[[], Any]) -> OSError:
    """Run ``call``; it must raise OSError ``err``.  Returns the exception."""
    with pytest.raises(OSError) as info:
        call()
    exc = info.value
    assert exc.errno == err, f"expected {errno.errorcode[err]}, got {exc!r}"
    return exc


def free_port(host: str = LOOPBACK) -> int:
    """A port nothing listens on (bound once, then released)."""
    with sctpx.socket() as s:
        s.bind((host, 0))
        port: int = s.getsockname()[1]
    return port


def _run(*argv: str) -> None:
    subprocess.run(argv, check=True, capture_output=True, text=True)


# -- fixtures ---------------------------------------------------------------------


@pytest.fixture
def listener() -> Iterator[tuple[socket.socket, int]]:
    """A listening one-to-one SCTP socket on 127.0.0.1."""
    with sctpx.socket() as srv:
        srv.bind((LOOPBACK, 0))
        srv.listen(8)
        yield srv, srv.getsockname()[1]


@pytest.fixture
def in_vm() -> None:
    if os.environ.get("SCTPX_VMTEST") != "1" or os.geteuid() != 0:
        pytest.skip(
            "changes the network configuration and SCTP sysctls: "
            "runs only inside tools/vmtest.py's VM"
        )


@contextmanager
def sctp_sysctls(**values: int) -> Iterator[None]:
    """Set net.sctp.* values for the duration, then restore them."""
    saved = {name: (SYSCTL / name).read_text() for name in values}
    try:
        for name, value in values.items():
            (SYSCTL / name).write_text(f"{value}\n")
        yield
    finally:
        for name, text in saved.items():
            (SYSCTL / name).write_text(text)


@pytest.fixture(scope="module")
def black_hole_net() -> Iterator[None]:
    """bh0, a dummy interface on 169.254.99.1/24, and 169.254.98.1 on lo.

    Packets to 169.254.99.2 are routed to bh0 and dropped there: no ABORT,
    no ICMP, no ARP (a dummy is NOARP), the silent loss that makes SCTP try
    the next address.  Made only inside the VM (the tests check in_vm first).
    """
    if os.environ.get("SCTPX_VMTEST") != "1":
        pytest.skip("runs only inside tools/vmtest.py's VM")
    ip = shutil.which("ip") or "/sbin/ip"
    # The kernel's own module autoload runs outside the VM's chroot: load by hand.
    modprobe = shutil.which("modprobe") or "/sbin/modprobe"
    _run(modprobe, "dummy")
    _run(ip, "link", "add", "bh0", "type", "dummy")
    try:
        _run(ip, "addr", "add", BLACK_HOLE_NET, "dev", "bh0")
        _run(ip, "link", "set", "bh0", "up")
        _run(ip, "addr", "add", f"{LIVE}/32", "dev", "lo")
        yield
    finally:
        subprocess.run([ip, "addr", "del", f"{LIVE}/32", "dev", "lo"], capture_output=True)
        subprocess.run([ip, "link", "del", "bh0"], capture_output=True)


# -- associations -----------------------------------------------------------------


def test_connectx_returns_the_id_of_an_established_association(
    listener: tuple[socket.socket, int],
) -> None:
    srv, port = listener
    with sctpx.socket() as c:
        assoc_id = sctpx.connectx(c, [(LOOPBACK, port)])
        assert assoc_id > 0
        st = status(c)
        assert st.state == SCTP_ESTABLISHED
        assert st.assoc_id == assoc_id
        assert st.primary == (LOOPBACK, port)
        peer, _ = srv.accept()
        peer.close()


def test_getpaddrs_lists_the_peer(listener: tuple[socket.socket, int]) -> None:
    _, port = listener
    with sctpx.socket() as c:
        assoc_id = sctpx.connectx(c, [(LOOPBACK, port)])
        assert sctpx.getpaddrs(c) == [(LOOPBACK, port)]
        assert sctpx.getpaddrs(c, assoc_id) == [(LOOPBACK, port)]


def test_ipv4_peer_on_an_ipv6_socket_is_v4_mapped(listener: tuple[socket.socket, int]) -> None:
    _, port = listener
    with sctpx.socket(socket.AF_INET6) as c:
        assoc_id = sctpx.connectx(c, [(LOOPBACK, port)])
        assert status(c).state == SCTP_ESTABLISHED
        assert sctpx.getpaddrs(c, assoc_id) == [("::ffff:127.0.0.1", port, 0, 0)]


def test_connected_one_to_one_socket_gives_eisconn(listener: tuple[socket.socket, int]) -> None:
    _, port = listener
    with sctpx.socket() as c:
        sctpx.connectx(c, [(LOOPBACK, port)])
        exc = raises(errno.EISCONN, lambda: sctpx.connectx(c, [(LOOPBACK, port)]))
        assert exc.documented is False  # type: ignore[attr-defined]
        assert sctpx.undocumented_reason("linux", exc.errno), "list it in UNDOCUMENTED_ERRNOS"


@pytest.mark.parametrize("kind", [socket.SOCK_SEQPACKET, socket.SOCK_STREAM])
def test_non_blocking_socket_gives_einprogress_with_the_id(
    listener: tuple[socket.socket, int], kind: int
) -> None:
    _, port = listener
    with sctpx.socket(socket.AF_INET, kind) as c:
        c.setblocking(False)
        with pytest.raises(BlockingIOError) as info:
            sctpx.connectx(c, [(LOOPBACK, port)])
        exc = info.value
        assert exc.errno == errno.EINPROGRESS
        assert exc.documented is False  # type: ignore[attr-defined]
        assert sctpx.undocumented_reason("linux", exc.errno), "list it in UNDOCUMENTED_ERRNOS"
        assoc_id = exc.assoc_id  # type: ignore[attr-defined]
        assert assoc_id != 0
        st = wait_established(c, assoc_id)
        assert st.state == SCTP_ESTABLISHED
        assert st.assoc_id == assoc_id
        assert sctpx.getpaddrs(c, assoc_id) == [(LOOPBACK, port)]


# -- ABORT, black holes, failover --------------------------------------------------


def test_abort_gives_econnrefused() -> None:
    port = free_port()
    with sctpx.socket() as c:
        exc = raises(errno.ECONNREFUSED, lambda: sctpx.connectx(c, [(LOOPBACK, port)]))
        assert exc.documented is False  # type: ignore[attr-defined]
        assert sctpx.undocumented_reason("linux", exc.errno), "list it in UNDOCUMENTED_ERRNOS"


def test_abort_from_the_first_address_is_not_failed_over(
    listener: tuple[socket.socket, int],
) -> None:
    """An ABORT ends the attempt at once: the live second address is never tried."""
    _, port = listener
    with sctpx.socket() as c:
        raises(
            errno.ECONNREFUSED,
            lambda: sctpx.connectx(c, [(LOOPBACK_ABORTS, port), (LOOPBACK, port)]),
        )


def test_black_hole_alone_times_out(in_vm: None, black_hole_net: None) -> None:
    """The black hole is silent (no ABORT, no ICMP): INITs just time out."""
    port = free_port()
    with sctp_sysctls(rto_initial=300, max_init_retransmits=1), sctpx.socket() as c:
        start = time.monotonic()
        exc = raises(errno.ETIMEDOUT, lambda: sctpx.connectx(c, [(BLACK_HOLE, port)]))
        assert time.monotonic() - start >= 0.6  # two INITs, 300 + 600 ms
        assert exc.documented is False  # type: ignore[attr-defined]
        assert sctpx.undocumented_reason("linux", exc.errno), "list it in UNDOCUMENTED_ERRNOS"


def test_failover_from_a_black_hole_to_the_live_address(in_vm: None, black_hole_net: None) -> None:
    with sctpx.socket() as srv:
        srv.bind((LIVE, 0))
        srv.listen(8)
        port = srv.getsockname()[1]
        with sctp_sysctls(rto_initial=300), sctpx.socket() as c:
            start = time.monotonic()
            assoc_id = sctpx.connectx(c, [(BLACK_HOLE, port), (LIVE, port)])
            elapsed = time.monotonic() - start
            st = status(c)
            assert st.state == SCTP_ESTABLISHED
            assert st.assoc_id == assoc_id
            assert st.primary == (LIVE, port)
            # Only the addresses the peer confirmed remain: the black hole is gone.
            assert sctpx.getpaddrs(c, assoc_id) == [(LIVE, port)]
            # The first INIT went to the black hole and waited one RTO.
            assert 0.25 <= elapsed < 10, elapsed


def test_failover_across_scopes_needs_the_scope_policy_off(
    in_vm: None, black_hole_net: None, listener: tuple[socket.socket, int]
) -> None:
    """Linux scopes an association by its first address.

    With a link-local black hole first, the local addresses the association
    may use leave out the loopback ones, and a loopback peer second never
    answers: ETIMEDOUT.  With ``net.sctp.addr_scope_policy`` 0 (no scoping)
    the same list fails over to 127.0.0.1.
    """
    _, port = listener
    addresses = [(BLACK_HOLE, port), (LOOPBACK, port)]
    with sctp_sysctls(rto_initial=300, max_init_retransmits=1), sctpx.socket() as c:
        raises(errno.ETIMEDOUT, lambda: sctpx.connectx(c, addresses))
    with sctp_sysctls(rto_initial=300, addr_scope_policy=0), sctpx.socket() as c:
        assoc_id = sctpx.connectx(c, addresses)
        assert status(c).primary == (LOOPBACK, port)
        assert sctpx.getpaddrs(c, assoc_id) == [(LOOPBACK, port)]


def test_an_address_listed_twice_gives_eaddrnotavail(listener: tuple[socket.socket, int]) -> None:
    _, port = listener
    with sctpx.socket() as c:
        exc = raises(
            errno.EADDRNOTAVAIL, lambda: sctpx.connectx(c, [(LOOPBACK, port), (LOOPBACK, port)])
        )
        assert exc.documented is False  # type: ignore[attr-defined]
        assert sctpx.undocumented_reason("linux", exc.errno), "list it in UNDOCUMENTED_ERRNOS"


# -- the page's documented errors, on the kernel backend ----------------------------


def _never_reaches_the_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> None:
        raise AssertionError("the call reached the C library")

    monkeypatch.setattr(sctpx, "platform_backend", refuse)


def test_ebadf_closed_socket() -> None:
    c = sctpx.socket()
    fd = c.fileno()
    c.close()
    for target in (c, fd, -1):
        exc = raises(errno.EBADF, lambda t=target: sctpx.connectx(t, [(LOOPBACK, 9)]))  # type: ignore[misc]
        assert exc.documented is True  # type: ignore[attr-defined]


def test_enotsock_pipe_and_file(tmp_path: Path) -> None:
    r, w = os.pipe()
    try:
        for fd in (r, w):
            exc = raises(errno.ENOTSOCK, lambda fd=fd: sctpx.connectx(fd, [(LOOPBACK, 9)]))  # type: ignore[misc]
            assert exc.documented is True  # type: ignore[attr-defined]
    finally:
        os.close(r)
        os.close(w)
    with (tmp_path / "f").open("w") as f:
        raises(errno.ENOTSOCK, lambda: sctpx.connectx(f, [(LOOPBACK, 9)]))


def test_einval_no_addresses_never_reaches_the_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    with sctpx.socket() as c:
        _never_reaches_the_backend(monkeypatch)
        exc = raises(errno.EINVAL, lambda: sctpx.connectx(c, []))
        assert exc.documented is True  # type: ignore[attr-defined]


def test_einval_no_addresses_from_the_kernel_too() -> None:
    """Below sctpx, libsctp passes addrcnt 0 on and the kernel answers EINVAL."""
    from sctpx._linux import LinuxBackend

    with sctpx.socket() as c:
        exc = raises(errno.EINVAL, lambda: LinuxBackend().connectx(c.fileno(), b"", 0))
        assert exc.documented is True  # type: ignore[attr-defined]


def test_einval_bad_family() -> None:
    from sctpx._linux import LinuxBackend

    unix = struct.pack("=H", socket.AF_UNIX) + bytes(14)
    with sctpx.socket() as c:
        # sctpx refuses what is not an IPv4 or IPv6 address...
        raises(errno.EINVAL, lambda: sctpx.connectx(c, [("/tmp/sock", 0)]))
        # ...libsctp refuses an AF_UNIX sockaddr...
        raises(errno.EINVAL, lambda: LinuxBackend().connectx(c.fileno(), unix, 1))
        # ...and the kernel an IPv6 address on an IPv4 socket.
        exc = raises(errno.EINVAL, lambda: sctpx.connectx(c, [("::1", 9)]))
        assert exc.documented is True  # type: ignore[attr-defined]
        # None of them touched the socket: it still connects.
        with sctpx.socket() as srv:
            srv.bind((LOOPBACK, 0))
            srv.listen(1)
            sctpx.connectx(c, [(LOOPBACK, srv.getsockname()[1])])
            assert status(c).state == SCTP_ESTABLISHED


def test_e2big_before_the_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    """128 IPv4 addresses (2052 bytes with the count) exceed the page's 2048."""
    port = free_port()
    too_many = [(f"127.0.0.{i}", port) for i in range(1, 129)]
    with sctpx.socket() as c:
        # 127 fit: the list reaches the kernel (ABORT from the first address).
        raises(errno.ECONNREFUSED, lambda: sctpx.connectx(c, too_many[:127]))
    with sctpx.socket() as c, monkeypatch.context() as m:
        _never_reaches_the_backend(m)
        exc = raises(errno.E2BIG, lambda: sctpx.connectx(c, too_many))
        assert exc.documented is True  # type: ignore[attr-defined]


def test_eopnotsupp_on_a_tcp_or_udp_socket() -> None:
    for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        with socket.socket(socket.AF_INET, kind) as s:
            exc = raises(errno.EOPNOTSUPP, lambda s=s: sctpx.connectx(s, [(LOOPBACK, 9)]))  # type: ignore[misc]
            assert exc.documented is False  # type: ignore[attr-defined]
            assert sctpx.undocumented_reason("linux", exc.errno), "list it in UNDOCUMENTED_ERRNOS"
