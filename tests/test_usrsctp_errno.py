"""The errnos of the pages' ERRORS sections, made to happen on usrsctp.

As tests/test_errno_kernel.py does on the Linux kernel: each case sets up
what a page's condition describes, makes the call through sctpx and
records the errno (in a child process, as every usrsctp scenario runs:
see tests/test_usrsctp.py); the test checks it, and how sctpx marks it.
docs/drift.toml names these cases for the rows of the drift table.
"""

from __future__ import annotations

import errno
import socket
import sys
import time
from collections.abc import Callable

import pytest
import test_usrsctp as base
from test_usrsctp import SCTP_PORT, Result, endpoint_pair, scenario

import sctpx
from sctpx import usrsctp

_libusrsctp = base._libusrsctp  # the module's skip (or CI failure) without libusrsctp


@scenario
def errnos(args: list[str]) -> Result:
    """Each case of CASES, in one stack."""
    with endpoint_pair() as (_stack, server, client, udp):
        sctpx.connectx(client, [("127.0.0.1", SCTP_PORT)])
        peer, _ = server.accept(timeout=5)

        def fresh_pair() -> tuple[usrsctp.Socket, usrsctp.Socket]:
            c = base.client_to(udp)
            sctpx.connectx(c, [("127.0.0.1", SCTP_PORT)])
            p, _ = server.accept(timeout=5)
            return c, p

        def closed() -> usrsctp.Socket:
            s = usrsctp.Socket()
            s.close()
            return s

        def many() -> usrsctp.Socket:
            s = usrsctp.Socket(socket.AF_INET, socket.SOCK_SEQPACKET)
            s.bind(("127.0.0.1", 0))
            return s

        def fill() -> object:
            client.settimeout(0)
            for _ in range(10**6):
                sctpx.sendmsg(client, b"y" * 1000)
            return None

        def after_abort(call: Callable[[usrsctp.Socket], object]) -> Callable[[], object]:
            def run() -> object:
                c, p = fresh_pair()
                p.close(abort=True)
                time.sleep(0.3)
                return call(c)

            return run

        def after_shutdown() -> object:
            c, _p = fresh_pair()
            c.shutdown(socket.SHUT_WR)
            return sctpx.sendmsg(c, b"x")

        def nothing_to_receive() -> object:
            peer.settimeout(0)
            return sctpx.recvmsg(peer)

        cases: dict[str, Callable[[], object]] = {
            "sctp_sendmsg EBADF": lambda: sctpx.sendmsg(closed(), b"x"),
            "sctp_sendmsg EMSGSIZE": lambda: sctpx.sendmsg(client, b"x" * (1 << 24)),
            "sctp_sendmsg ECONNRESET": after_abort(lambda s: sctpx.sendmsg(s, b"x")),
            "sctp_sendmsg EPIPE": after_shutdown,
            "sctp_sendmsg ENOTCONN": lambda: sctpx.sendmsg(usrsctp.Socket(), b"x"),
            "sctp_sendmsg ENOENT": lambda: sctpx.sendmsg(
                many(), b"x", sctpx.SendInfo(assoc_id=77)
            ),
            "sctp_recvmsg EBADF": lambda: sctpx.recvmsg(closed()),
            "sctp_recvmsg EAGAIN": nothing_to_receive,
            "sctp_recvmsg ENOTCONN": lambda: usrsctp.Socket().recvmsg(100, timeout=0),
            "sctp_recvmsg ECONNRESET": after_abort(lambda s: s.recvmsg(100, timeout=2)),
            "sctp_getladdrs EINVAL": lambda: sctpx.getladdrs(many(), 77),
            "sctp_getladdrs EBADF": lambda: sctpx.getladdrs(closed()),
            "sctp_bindx EINVAL": lambda: sctpx.bindx(client, [("192.0.2.1", SCTP_PORT)]),
            "sctp_bindx EBADF": lambda: sctpx.bindx(closed(), [("127.0.0.1", 0)]),
            "sctp_peeloff EBADF": lambda: sctpx.peeloff(closed(), 1),
            "sctp_peeloff ENOTCONN": lambda: sctpx.peeloff(many(), 78),
            "sctp_getassocid ENOENT": lambda: sctpx.getassocid(many(), ("127.0.0.1", 9)),
            "sctp_getassocid EBADF": lambda: sctpx.getassocid(closed(), ("127.0.0.1", 9)),
            "sctp_opt_info EINVAL": lambda: sctpx.getsockopt(
                many(), "SCTP_STATUS", sctpx.Status(assoc_id=77)
            ),
            "sctp_opt_info EBADF": lambda: sctpx.getsockopt(closed(), "SCTP_STATUS"),
            "sctp_getaddrlen EINVAL": lambda: sctpx.getaddrlen(socket.AF_UNIX),
            # Last: it fills the client's send buffer for good.
            "sctp_sendmsg EAGAIN": fill,
        }
        return {name: base.observed(call) for name, call in cases.items()}


CASES: list[tuple[str, str]] = [
    ("sctp_sendmsg", "EBADF"),
    ("sctp_sendmsg", "EMSGSIZE"),
    ("sctp_sendmsg", "ECONNRESET"),
    ("sctp_sendmsg", "EPIPE"),
    ("sctp_sendmsg", "ENOTCONN"),
    ("sctp_sendmsg", "ENOENT"),
    ("sctp_sendmsg", "EAGAIN"),
    ("sctp_recvmsg", "EBADF"),
    ("sctp_recvmsg", "EAGAIN"),
    ("sctp_recvmsg", "ENOTCONN"),
    ("sctp_recvmsg", "ECONNRESET"),
    ("sctp_getladdrs", "EINVAL"),
    ("sctp_getladdrs", "EBADF"),
    ("sctp_bindx", "EINVAL"),
    ("sctp_bindx", "EBADF"),
    ("sctp_peeloff", "EBADF"),
    ("sctp_peeloff", "ENOTCONN"),
    ("sctp_getassocid", "ENOENT"),
    ("sctp_getassocid", "EBADF"),
    ("sctp_opt_info", "EINVAL"),
    ("sctp_opt_info", "EBADF"),
    ("sctp_getaddrlen", "EINVAL"),
]

#: Cases where usrsctp gives another errno than the page's: case -> usrsctp's.
OTHER_ERRNO: dict[tuple[str, str], tuple[str, ...]] = {
    # An aborted association is gone: a later send finds none to send on.
    ("sctp_sendmsg", "ECONNRESET"): ("ENOTCONN",),
    # A send after the socket's own SHUT_WR: usrsctp says reset while the
    # SHUTDOWN is under way, and finds no association once it is over
    # (which of the two depends on how fast the stack's thread is).
    ("sctp_sendmsg", "EPIPE"): ("ECONNRESET", "ENOTCONN"),
    # An association id the socket does not have: usrsctp fails to size the
    # address list (ENOMEM, which the page also lists) rather than EINVAL.
    ("sctp_getladdrs", "EINVAL"): ("ENOMEM",),
    ("sctp_peeloff", "ENOTCONN"): ("ENOENT",),
    ("sctp_opt_info", "EINVAL"): ("ENOENT",),
}


@pytest.fixture(scope="module")
def seen() -> Result:
    return base.run("errnos", script=__file__)


@pytest.mark.parametrize(("function", "name"), CASES, ids=str)
def test_errno(seen: Result, function: str, name: str) -> None:
    case = f"{function} {name}"
    got_number = seen[case].get("errno")
    assert got_number is not None, f"{case}: no error: {seen[case]}"
    got = errno.errorcode.get(got_number, str(got_number))
    want = OTHER_ERRNO.get((function, name), (name,))
    assert got in want, f"{case}: got {got}: {seen[case]['message']}"
    if got in sctpx.documented_errors(function):
        assert seen[case]["documented"] is True, seen[case]
    else:
        assert seen[case]["documented"] is False, seen[case]
        assert sctpx.undocumented_reason("usrsctp", got_number, function), (
            f"{case}: list usrsctp's {got} in UNDOCUMENTED_BY_FUNCTION"
        )


def test_every_case_is_checked(seen: Result) -> None:
    assert sorted(seen) == sorted(f"{f} {e}" for f, e in CASES)


if __name__ == "__main__":
    base._child_main(sys.argv[1:])
