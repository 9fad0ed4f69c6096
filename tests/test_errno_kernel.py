"""The errnos of the pages' ERRORS sections, made to happen on the Linux kernel.

Each case sets up what a page's condition describes and makes the call
through sctpx; the test checks the errno the kernel gives and how sctpx
marks it: documented by the page, or listed in
``sctpx._undocumented.UNDOCUMENTED_BY_FUNCTION`` with the reason.
docs/drift.toml names these cases for the rows of the cross-system drift
table; tests/test_usrsctp_errno.py does the same on usrsctp.  Runs in
tools/vmtest.py's VM, as root (one case drops to an unprivileged user in a
child process).

Marked ``kernel``: skipped where the kernel has no SCTP (tests/conftest.py).
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import struct
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

import sctpx
from sctpx import _calls

pytestmark = [
    pytest.mark.kernel,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux kernel SCTP"),
]

LOOPBACK = "127.0.0.1"
NO_SUCH_DESCRIPTOR = 10**5


@contextlib.contextmanager
def connected() -> Iterator[tuple[socket.socket, socket.socket]]:
    """A one-to-one association on loopback: (client, server side)."""
    with sctpx.socket() as srv:
        srv.bind((LOOPBACK, 0))
        srv.listen(1)
        cli = sctpx.socket()
        cli.connect(srv.getsockname())
        conn, _ = srv.accept()
        with cli, conn:
            yield cli, conn


@contextlib.contextmanager
def pipe_end() -> Iterator[int]:
    """A descriptor that is no socket."""
    r, w = os.pipe()
    try:
        yield r
    finally:
        os.close(r)
        os.close(w)


def closed_socket() -> socket.socket:
    s = sctpx.socket()
    s.close()
    return s


def aborted(call: Callable[[socket.socket], object]) -> Callable[[], object]:
    """``call`` on the client after the peer aborted the association."""

    def run() -> object:
        with connected() as (cli, conn):
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()
            time.sleep(0.2)  # the ABORT crosses loopback
            return call(cli)

    return run


def shut_down(call: Callable[[socket.socket], object]) -> Callable[[], object]:
    def run() -> object:
        with connected() as (cli, _conn):
            cli.shutdown(socket.SHUT_WR)
            return call(cli)

    return run


def full_send_buffer() -> object:
    with connected() as (cli, _conn):
        cli.setblocking(False)
        for _ in range(10**6):  # the peer reads nothing: the buffer fills
            sctpx.sendmsg(cli, b"y" * 1000)
    return None


def too_big_for_the_send_buffer() -> object:
    with connected() as (cli, _conn):
        cli.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        return sctpx.sendmsg(cli, b"x" * 200_000)


def nothing_to_receive() -> object:
    with connected() as (_cli, conn):
        conn.setblocking(False)
        return sctpx.recvmsg(conn)


def with_pipe(call: Callable[[int], object]) -> Callable[[], object]:
    def run() -> object:
        with pipe_end() as fd:
            return call(fd)

    return run


def one_to_many(call: Callable[[socket.socket], object]) -> Callable[[], object]:
    def run() -> object:
        with sctpx.socket(socket.AF_INET, socket.SOCK_SEQPACKET) as s:
            s.bind((LOOPBACK, 0))
            return call(s)

    return run


def unprivileged(call: Callable[[], object]) -> Callable[[], object]:
    """``call`` in a child process that runs as nobody; the errno it met."""

    def run() -> object:
        # Loaded as root first: the VM's file system need not let nobody read them.
        _calls.function("sctp_bindx")
        reader, writer = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: report the errno, never return into pytest
            report = b"0 returned"
            try:
                os.setgid(65534)
                os.setuid(65534)
                call()
            except OSError as exc:
                report = f"{exc.errno} {exc}".encode()
            except BaseException as exc:
                report = f"0 {exc!r}".encode()
            finally:
                os.write(writer, report)
                os._exit(0)
        os.close(writer)
        os.waitpid(pid, 0)
        with os.fdopen(reader, "rb") as f:
            code, _, what = f.read().decode().partition(" ")
        if int(code):
            raise sctpx.error(int(code), "sctp_bindx")
        raise AssertionError(f"the unprivileged child: {what}")

    return run


def bind_privileged_port() -> object:
    with sctpx.socket() as s:
        sctpx.bindx(s, [(LOOPBACK, 80)])
    return None


#: (function, the errno the page names) -> the call that meets the page's condition.
CASES: dict[tuple[str, str], Callable[[], object]] = {
    ("sctp_sendmsg", "EBADF"): lambda: sctpx.sendmsg(closed_socket(), b"x"),
    ("sctp_sendmsg", "ENOTSOCK"): with_pipe(lambda fd: sctpx.sendmsg(fd, b"x")),
    ("sctp_sendmsg", "EMSGSIZE"): too_big_for_the_send_buffer,
    ("sctp_sendmsg", "EAGAIN"): full_send_buffer,
    ("sctp_sendmsg", "ECONNRESET"): aborted(lambda s: sctpx.sendmsg(s, b"x")),
    ("sctp_sendmsg", "EPIPE"): shut_down(lambda s: sctpx.sendmsg(s, b"x")),
    # The page's ENOTCONN (not connected) and ENOENT (no association to
    # send on): Linux says EPIPE for both.
    ("sctp_sendmsg", "ENOTCONN"): lambda: sctpx.sendmsg(sctpx.socket(), b"x"),
    ("sctp_sendmsg", "ENOENT"): one_to_many(
        lambda s: sctpx.sendmsg(s, b"x", sctpx.SendInfo(assoc_id=77))
    ),
    ("sctp_recvmsg", "EBADF"): lambda: sctpx.recvmsg(closed_socket()),
    ("sctp_recvmsg", "ENOTSOCK"): with_pipe(sctpx.recvmsg),
    ("sctp_recvmsg", "EAGAIN"): nothing_to_receive,
    ("sctp_recvmsg", "ENOTCONN"): lambda: sctpx.recvmsg(sctpx.socket()),
    ("sctp_recvmsg", "ECONNRESET"): aborted(sctpx.recvmsg),
    ("sctp_getladdrs", "EINVAL"): one_to_many(lambda s: sctpx.getladdrs(s, 77)),
    ("sctp_getladdrs", "EBADF"): lambda: sctpx.getladdrs(NO_SUCH_DESCRIPTOR),
    ("sctp_getladdrs", "ENOTSOCK"): with_pipe(sctpx.getladdrs),
    ("sctp_getpaddrs", "ENOTSOCK"): with_pipe(sctpx.getpaddrs),
    ("sctp_bindx", "EINVAL"): lambda: sctpx.bindx(sctpx.socket(), [("127.0.0.1", 1), ("::1", 1)]),
    ("sctp_bindx", "EBADF"): lambda: sctpx.bindx(NO_SUCH_DESCRIPTOR, [(LOOPBACK, 0)]),
    ("sctp_bindx", "ENOTSOCK"): with_pipe(lambda fd: sctpx.bindx(fd, [(LOOPBACK, 0)])),
    ("sctp_bindx", "EACCES"): unprivileged(bind_privileged_port),
    ("sctp_peeloff", "EBADF"): lambda: sctpx.peeloff(NO_SUCH_DESCRIPTOR, 1),
    ("sctp_peeloff", "ENOTSOCK"): with_pipe(lambda fd: sctpx.peeloff(fd, 1)),
    ("sctp_peeloff", "EINVAL"): one_to_many(lambda s: sctpx.peeloff(s, 77)),
    # The page's ENOTCONN (no such association): Linux says EINVAL.
    ("sctp_peeloff", "ENOTCONN"): one_to_many(lambda s: sctpx.peeloff(s, 78)),
    ("sctp_getassocid", "ENOENT"): one_to_many(lambda s: sctpx.getassocid(s, (LOOPBACK, 9))),
    ("sctp_getassocid", "EBADF"): lambda: sctpx.getassocid(NO_SUCH_DESCRIPTOR, (LOOPBACK, 9)),
    ("sctp_getassocid", "ENOTSOCK"): with_pipe(lambda fd: sctpx.getassocid(fd, (LOOPBACK, 9))),
    ("sctp_opt_info", "EINVAL"): one_to_many(
        lambda s: sctpx.getsockopt(s, "SCTP_STATUS", sctpx.Status(assoc_id=77))
    ),
    ("sctp_opt_info", "EBADF"): lambda: sctpx.getsockopt(NO_SUCH_DESCRIPTOR, "SCTP_STATUS"),
    ("sctp_opt_info", "ENOTSOCK"): with_pipe(lambda fd: sctpx.getsockopt(fd, "SCTP_STATUS")),
    ("sctp_getaddrlen", "EINVAL"): lambda: sctpx.getaddrlen(socket.AF_UNIX),
}

#: Cases where Linux gives another errno than the page's: (function, page's) -> Linux's.
OTHER_ERRNO = {
    ("sctp_sendmsg", "ENOTCONN"): "EPIPE",
    ("sctp_sendmsg", "ENOENT"): "EPIPE",
    ("sctp_peeloff", "ENOTCONN"): "EINVAL",
}


def met(call: Callable[[], object]) -> OSError:
    try:
        result = call()
    except OSError as exc:
        return exc
    raise AssertionError(f"no error: returned {result!r}")


@pytest.mark.parametrize(("function", "name"), sorted(CASES), ids=lambda v: str(v))
def test_errno(function: str, name: str) -> None:
    exc: Any = met(CASES[function, name])
    got = errno.errorcode.get(exc.errno, str(exc.errno))
    want = OTHER_ERRNO.get((function, name), name)
    assert got == want, f"{function}: expected {want}, got {got}: {exc}"
    if got in sctpx.documented_errors(function):
        assert exc.documented is True, exc
    else:
        assert exc.documented is False, exc
        why = sctpx.undocumented_reason("linux", exc.errno, function)
        assert why, f"{function} {got}: list it in UNDOCUMENTED_BY_FUNCTION"


@contextlib.contextmanager
def ephemeral_ports(low: int, high: int) -> Iterator[None]:
    path = "/proc/sys/net/ipv4/ip_local_port_range"
    with open(path) as f:
        saved = f.read()
    try:
        with open(path, "w") as f:
            f.write(f"{low} {high}")
    except OSError as exc:
        pytest.skip(f"cannot set the ephemeral port range here: {exc}")
    try:
        yield
    finally:
        with open(path, "w") as f:
            f.write(saved)


def test_connectx_without_a_free_local_port_is_eagain() -> None:
    """lksctp-tools' page lists EAGAIN: no local port left for the association."""
    with sctpx.socket() as srv:
        srv.bind((LOOPBACK, 0))  # before the range shrinks: its port is not from it
        srv.listen(8)
        with ephemeral_ports(40100, 40101):
            opened = [sctpx.socket() for _ in range(3)]
            try:
                sctpx.connectx(opened[0], [srv.getsockname()])
                sctpx.connectx(opened[1], [srv.getsockname()])
                with pytest.raises(OSError) as exc:
                    sctpx.connectx(opened[2], [srv.getsockname()])
            finally:
                for s in opened:
                    s.close()
    assert exc.value.errno == errno.EAGAIN
    assert exc.value.documented is False  # type: ignore[attr-defined]
    assert sctpx.undocumented_reason("linux", errno.EAGAIN)


@pytest.mark.parametrize("peer", ["255.255.255.255", "224.0.0.1"])
def test_broadcast_and_multicast_peers_are_einval(peer: str) -> None:
    """connect(2)'s EACCES and EPERM are about broadcast: SCTP refuses such a peer."""
    with sctpx.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        with pytest.raises(OSError) as exc:
            sctpx.connectx(s, [(peer, 9)])
    assert exc.value.errno == errno.EINVAL


def test_a_second_socket_on_the_same_address_and_peer() -> None:
    """Two sockets on one address and port (SO_REUSEADDR) to one peer: the
    second meets EADDRNOTAVAIL, not the EADDRINUSE of lksctp-tools' page."""
    with sctpx.socket() as srv, sctpx.socket() as a, sctpx.socket() as b:
        srv.bind((LOOPBACK, 0))
        srv.listen(8)
        for s in (a, b):
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((LOOPBACK, 40200))
        sctpx.connectx(a, [srv.getsockname()])
        with pytest.raises(OSError) as exc:
            sctpx.connectx(b, [srv.getsockname()])
    assert exc.value.errno == errno.EADDRNOTAVAIL
    assert sctpx.undocumented_reason("linux", errno.EADDRNOTAVAIL)
