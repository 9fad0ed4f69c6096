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
sctpx (``exc.documented`` is False): EISCONN (connecting a connected or
listening one-to-one socket, or a one-to-many one to a peer already
associated), EINPROGRESS (non-blocking socket, the id already set),
EALREADY (the association to that peer is still being set up), EINTR (a
signal, seen only by a direct call of the C function), ECONNREFUSED (the
peer answers with ABORT), ETIMEDOUT (no answer from any address, or the
socket's timeout), ECONNABORTED (sctpx's report of a one-to-many
association that failed while it waited), ENETUNREACH (no local address in
scope), EADDRNOTAVAIL (an address listed twice), EOPNOTSUPP (a TCP or UDP
socket: libsctp's VERS_3 answer).

The association ids are checked where a wrong one shows: every connectx
that succeeds is checked against the id SCTP_STATUS reports (``connect``),
and on one-to-many sockets two associations at once are checked against
SCTP_STATUS, getpaddrs and the data path (the kernel ignores the id asked
for on a one-to-one socket, so there only SCTP_STATUS's own id tells).
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import signal
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
V6_SECOND = "fd00:5c7b::1"  # a second IPv6 address of the VM, on bh0 (ULA)
LINK_LOCAL = "fe80::5c7b"  # a link-local address on bh0: needs bh0's scope
UNROUTED = "192.0.2.1"  # TEST-NET-1: the VM has no route to it
SYSCTL = Path("/proc/sys/net/sctp")
# <linux/sctp.h>: ancillary data and options for data on one-to-many sockets
SCTP_SNDINFO = 2
SCTP_RCVINFO = 3
SCTP_RECVRCVINFO = 32
SCTP_SOCKOPT_BINDX_ADD = 100


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


def connect(sock: socket.socket, addresses: list[tuple[Any, ...]]) -> int:
    """``sctpx.connectx``, the id it returns checked against the kernel's own.

    The kernel fills in SCTP_STATUS's ``sstat_assoc_id`` itself: on a
    one-to-one socket it ignores the id asked for and reports the
    association's, on a one-to-many socket the id picks the association
    (EINVAL when none has it; the other one's port when two are up).  So
    every test that connects fails on a wrong id, not only those about ids.
    """
    assoc_id = sctpx.connectx(sock, addresses)
    st = status(sock, assoc_id)
    assert (st.assoc_id, st.state) == (assoc_id, SCTP_ESTABLISHED), (st, assoc_id)
    assert st.primary[1] in {a[1] for a in addresses}, (st, addresses)
    return assoc_id


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
    the next address.  bh0 also carries fd00:5c7b::1 (a second IPv6 address
    of the VM: local, answered through lo) and fe80::5c7b (link-local: only
    with bh0's scope).  Made only inside the VM (the tests check in_vm first).
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
        _run(ip, "addr", "add", f"{V6_SECOND}/64", "dev", "bh0", "nodad")
        _run(ip, "addr", "add", f"{LINK_LOCAL}/64", "dev", "bh0", "nodad")
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
        assoc_id = connect(c, [(LOOPBACK, port)])
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
        assoc_id = connect(c, [(LOOPBACK, port)])
        assert sctpx.getpaddrs(c) == [(LOOPBACK, port)]
        assert sctpx.getpaddrs(c, assoc_id) == [(LOOPBACK, port)]


def test_ipv4_peer_on_an_ipv6_socket_is_v4_mapped(listener: tuple[socket.socket, int]) -> None:
    _, port = listener
    with sctpx.socket(socket.AF_INET6) as c:
        assoc_id = connect(c, [(LOOPBACK, port)])
        assert status(c).state == SCTP_ESTABLISHED
        assert sctpx.getpaddrs(c, assoc_id) == [("::ffff:127.0.0.1", port, 0, 0)]


def test_connected_one_to_one_socket_gives_eisconn(listener: tuple[socket.socket, int]) -> None:
    _, port = listener
    with sctpx.socket() as c:
        connect(c, [(LOOPBACK, port)])
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
            assoc_id = connect(c, [(BLACK_HOLE, port), (LIVE, port)])
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
        assoc_id = connect(c, addresses)
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
            connect(c, [(LOOPBACK, srv.getsockname()[1])])
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


# -- ids on one-to-many sockets, data both ways ------------------------------------

_libsctp = ctypes.CDLL("libsctp.so.1", use_errno=True)


def bindx_add(sock: socket.socket, *addresses: tuple[Any, ...]) -> None:
    """Add local addresses to a bound socket (SCTP_SOCKOPT_BINDX_ADD)."""
    from sctpx import _addr

    packed = _addr.pack(_addr.parse_addresses(list(addresses)), "linux")
    sock.setsockopt(IPPROTO_SCTP, SCTP_SOCKOPT_BINDX_ADD, packed)


def send_on(sock: socket.socket, data: bytes, assoc_id: int) -> None:
    """sendmsg on association ``assoc_id`` of a one-to-many socket (SCTP_SNDINFO)."""
    info = struct.pack("=HHIIi", 0, 0, 0, 0, assoc_id)
    assert sock.sendmsg([data], [(IPPROTO_SCTP, SCTP_SNDINFO, info)]) == len(data)


def receive_with_id(sock: socket.socket) -> tuple[bytes, int]:
    """recvmsg with SCTP_RCVINFO: the data and the association it came on."""
    data, ancillary, flags, _ = sock.recvmsg(1000, socket.CMSG_SPACE(64))
    assert flags & socket.MSG_EOR
    for level, kind, raw in ancillary:
        if (level, kind) == (IPPROTO_SCTP, SCTP_RCVINFO):
            # struct sctp_rcvinfo: sid, ssn, flags, (2 pad), ppid, tsn, cumtsn, context, id
            return data, struct.unpack_from("=HHH2xIIIIi", raw)[-1]
    raise AssertionError(f"no SCTP_RCVINFO in {ancillary}")


@pytest.fixture
def two_listeners() -> Iterator[list[tuple[socket.socket, int]]]:
    with sctpx.socket() as first, sctpx.socket() as second:
        for srv in (first, second):
            srv.bind((LOOPBACK, 0))
            srv.listen(8)
        yield [(first, first.getsockname()[1]), (second, second.getsockname()[1])]


def test_one_to_many_ids_name_two_associations_at_once(
    two_listeners: list[tuple[socket.socket, int]],
) -> None:
    """Each id finds its own association: a wrong id would find the other one, or none."""
    (srv_a, port_a), (srv_b, port_b) = two_listeners
    with sctpx.socket(type=socket.SOCK_SEQPACKET) as c:
        c.setsockopt(IPPROTO_SCTP, SCTP_RECVRCVINFO, 1)
        a = connect(c, [(LOOPBACK, port_a)])
        b = connect(c, [(LOOPBACK, port_b)])
        assert a != b
        for assoc_id, port in ((a, port_a), (b, port_b)):
            st = status(c, assoc_id)
            assert (st.assoc_id, st.state, st.primary) == (
                assoc_id,
                SCTP_ESTABLISHED,
                (LOOPBACK, port),
            )
            assert sctpx.getpaddrs(c, assoc_id) == [(LOOPBACK, port)]
        peer_a, _ = srv_a.accept()
        peer_b, _ = srv_b.accept()
        with peer_a, peer_b:
            # Data both ways, each message on the association its id names.
            send_on(c, b"to a", a)
            send_on(c, b"to b", b)
            assert (peer_a.recv(100), peer_b.recv(100)) == (b"to a", b"to b")
            peer_b.send(b"from b")
            peer_a.send(b"from a")
            got = sorted(receive_with_id(c) for _ in range(2))
            assert got == sorted([(b"from a", a), (b"from b", b)])


def test_one_to_one_data_both_ways(listener: tuple[socket.socket, int]) -> None:
    srv, port = listener
    with sctpx.socket() as c:
        assoc_id = connect(c, [(LOOPBACK, port)])
        peer, _ = srv.accept()
        with peer:
            c.send(b"ping")
            assert peer.recv(100) == b"ping"
            peer.send(b"pong")
            assert c.recv(100) == b"pong"
            assert status(peer).state == SCTP_ESTABLISHED
            assert status(c).assoc_id == assoc_id


# -- IPv6 --------------------------------------------------------------------------


def test_ipv6_address_list(in_vm: None, black_hole_net: None) -> None:
    """::1 and a second IPv6 address of the peer: both confirmed, data flows."""
    with sctpx.socket(socket.AF_INET6) as srv:
        srv.bind(("::1", 0))
        port = srv.getsockname()[1]
        bindx_add(srv, (V6_SECOND, port, 0, 0))
        srv.listen(8)
        with sctpx.socket(socket.AF_INET6) as c:
            assoc_id = connect(c, [("::1", port), (V6_SECOND, port)])
            assert status(c).assoc_id == assoc_id
            assert sorted(sctpx.getpaddrs(c, assoc_id)) == sorted(
                [("::1", port, 0, 0), (V6_SECOND, port, 0, 0)]
            )
            peer, _ = srv.accept()
            with peer:
                c.send(b"over IPv6")
                assert peer.recv(100) == b"over IPv6"


def test_mixed_ipv4_and_ipv6_list_on_a_dual_stack_socket() -> None:
    with sctpx.socket(socket.AF_INET6) as srv:
        srv.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        srv.bind(("::1", 0))
        port = srv.getsockname()[1]
        bindx_add(srv, (LOOPBACK, port))
        srv.listen(8)
        with sctpx.socket(socket.AF_INET6) as c:
            c.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            assoc_id = connect(c, [(LOOPBACK, port), ("::1", port)])
            st = status(c)
            assert (st.assoc_id, st.state) == (assoc_id, SCTP_ESTABLISHED)
            assert sorted(sctpx.getpaddrs(c, assoc_id)) == sorted(
                [("::ffff:127.0.0.1", port, 0, 0), ("::1", port, 0, 0)]
            )
            peer, _ = srv.accept()
            with peer:
                peer.send(b"dual stack")
                assert c.recv(100) == b"dual stack"


def test_link_local_peer_by_interface_name(in_vm: None, black_hole_net: None) -> None:
    """("fe80::5c7b%bh0", port) keeps its scope; without one the kernel refuses it."""
    index = socket.if_nametoindex("bh0")
    with sctpx.socket(socket.AF_INET6) as srv:
        srv.bind((LINK_LOCAL, 0, 0, index))
        srv.listen(8)
        port = srv.getsockname()[1]
        with sctpx.socket(socket.AF_INET6) as c:
            assoc_id = connect(c, [(f"{LINK_LOCAL}%bh0", port)])
            assert sctpx.getpaddrs(c, assoc_id) == [(LINK_LOCAL, port, 0, index)]
        with sctpx.socket(socket.AF_INET6) as c:
            raises(errno.EINVAL, lambda: sctpx.connectx(c, [(LINK_LOCAL, port)]))


# -- timeouts, signals, and the errnos they bring ----------------------------------


def find(sock: socket.socket, host: str, port: int) -> int | None:
    """The id of the association to (host, port), established or not."""
    from sctpx import _addr
    from sctpx._linux import LinuxWaiter

    (addr,) = _addr.parse_addresses([(host, port)])
    return LinuxWaiter().find(sock.fileno(), [_addr.pack_one(addr, "linux")])


@pytest.mark.parametrize("kind", [socket.SOCK_STREAM, socket.SOCK_SEQPACKET])
def test_socket_timeout_waits_for_the_association(
    listener: tuple[socket.socket, int], kind: int
) -> None:
    # A socket with a timeout is non-blocking underneath: the C call alone
    # raised EINPROGRESS at once.
    _, port = listener
    with sctpx.socket(type=kind) as c:
        c.settimeout(5)
        assoc_id = connect(c, [(LOOPBACK, port)])
        st = status(c, assoc_id)
        assert (st.assoc_id, st.state) == (assoc_id, SCTP_ESTABLISHED)


@pytest.mark.parametrize("kind", [socket.SOCK_STREAM, socket.SOCK_SEQPACKET])
def test_socket_timeout_expires_with_the_id(in_vm: None, black_hole_net: None, kind: int) -> None:
    port = free_port()
    with sctpx.socket(type=kind) as c:
        c.settimeout(0.5)
        start = time.monotonic()
        with pytest.raises(TimeoutError) as info:
            sctpx.connectx(c, [(BLACK_HOLE, port)])
        assert 0.5 <= time.monotonic() - start < 3
        exc = info.value
        assert exc.errno == errno.ETIMEDOUT
        assert sctpx.undocumented_reason("linux", exc.errno), "list it in UNDOCUMENTED_ERRNOS"
        # The id is the association still being set up...
        assert exc.assoc_id == find(c, BLACK_HOLE, port)  # type: ignore[attr-defined]
        # ...so a second call meets it: EALREADY (undocumented).
        again = raises(errno.EALREADY, lambda: sctpx.connectx(c, [(BLACK_HOLE, port)]))
        assert sctpx.undocumented_reason("linux", again.errno), "list it in UNDOCUMENTED_ERRNOS"


def test_socket_timeout_with_an_abort(listener: tuple[socket.socket, int]) -> None:
    port = free_port()
    with sctpx.socket() as c:
        # One-to-one: the kernel's own reason, from SO_ERROR.
        c.settimeout(5)
        exc = raises(errno.ECONNREFUSED, lambda: sctpx.connectx(c, [(LOOPBACK, port)]))
        assert exc.assoc_id > 0  # type: ignore[attr-defined]
    with sctpx.socket(type=socket.SOCK_SEQPACKET) as c:
        # One-to-many: the kernel keeps none for sctpx to report.
        c.settimeout(5)
        exc = raises(errno.ECONNABORTED, lambda: sctpx.connectx(c, [(LOOPBACK, port)]))
        assert exc.assoc_id > 0  # type: ignore[attr-defined]
        assert sctpx.undocumented_reason("linux", exc.errno), "list it in UNDOCUMENTED_ERRNOS"


class Interrupted(Exception):
    """Raised by a signal handler."""


@contextmanager
def alarm(after: float, handler: Callable[[int, Any], None]) -> Iterator[None]:
    previous = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, after)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.mark.parametrize("kind", [socket.SOCK_STREAM, socket.SOCK_SEQPACKET])
def test_signal_during_a_blocking_connectx_is_pep_475(
    in_vm: None, black_hole_net: None, kind: int
) -> None:
    """The handler runs, the call goes on, and returns the id of the association."""
    calls: list[int] = []
    with sctpx.socket() as srv:
        srv.bind((LIVE, 0))
        srv.listen(8)
        port = srv.getsockname()[1]
        with (
            sctp_sysctls(rto_initial=300),
            sctpx.socket(type=kind) as c,
            alarm(0.1, lambda signum, frame: calls.append(signum)),
        ):
            assoc_id = connect(c, [(BLACK_HOLE, port), (LIVE, port)])
            assert calls == [signal.SIGALRM]
            st = status(c, assoc_id)
            assert (st.assoc_id, st.state) == (assoc_id, SCTP_ESTABLISHED)
            assert st.primary == (LIVE, port)


def test_exception_from_the_handler_carries_the_id(in_vm: None, black_hole_net: None) -> None:
    def interrupt(signum: int, frame: Any) -> None:
        raise Interrupted

    port = free_port()
    with sctp_sysctls(rto_initial=300), sctpx.socket() as c:
        with alarm(0.1, interrupt), pytest.raises(Interrupted) as info:
            sctpx.connectx(c, [(BLACK_HOLE, port)])
        assert info.value.assoc_id == find(c, BLACK_HOLE, port)  # type: ignore[attr-defined]


def test_the_c_function_itself_gives_eintr(in_vm: None, black_hole_net: None) -> None:
    """Where EINTR occurs: only a direct call of sctp_connectx meets it."""
    from sctpx import _addr
    from sctpx._linux import LinuxBackend

    port = free_port()
    packed = _addr.pack(_addr.parse_addresses([(BLACK_HOLE, port)]), "linux")
    with sctp_sysctls(rto_initial=300), sctpx.socket() as c:
        with alarm(0.1, lambda signum, frame: None):
            exc = raises(errno.EINTR, lambda: LinuxBackend().connectx(c.fileno(), packed, 1))
        assert sctpx.undocumented_reason("linux", exc.errno), "list it in UNDOCUMENTED_ERRNOS"


def test_no_local_address_in_scope_gives_enetunreach(in_vm: None, black_hole_net: None) -> None:
    """Bound to loopback only, the socket has no source address for an outside peer."""
    with sctpx.socket() as c:
        c.bind((LOOPBACK, 0))
        exc = raises(errno.ENETUNREACH, lambda: sctpx.connectx(c, [(UNROUTED, 9)]))
        assert sctpx.undocumented_reason("linux", exc.errno), "list it in UNDOCUMENTED_ERRNOS"


def test_eisconn_on_a_listening_socket_and_on_one_to_many(
    listener: tuple[socket.socket, int],
) -> None:
    srv, port = listener
    exc = raises(errno.EISCONN, lambda: sctpx.connectx(srv, [(LOOPBACK, port)]))
    assert sctpx.undocumented_reason("linux", exc.errno), "list it in UNDOCUMENTED_ERRNOS"
    with sctpx.socket(type=socket.SOCK_SEQPACKET) as c:
        connect(c, [(LOOPBACK, port)])
        raises(errno.EISCONN, lambda: sctpx.connectx(c, [(LOOPBACK, port)]))
