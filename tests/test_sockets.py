"""sctpx's calls on kernel sockets, the parts that need no SCTP in the kernel.

The real calls run in the VM (tests/test_values_kernel.py) and on usrsctp
(tests/test_usrsctp_messages.py); here: the choice between SCTP_EVENT and
SCTP_EVENTS, argument checks, and descriptors lent without being closed.
"""

from __future__ import annotations

import errno
import socket
from typing import Any

import pytest

import sctpx
from sctpx import _sockets


def test_subscribe_falls_back_to_sctp_events(monkeypatch: pytest.MonkeyPatch) -> None:
    """A stack without SCTP_EVENT (ENOPROTOOPT) gets SCTP_EVENTS, the current set changed."""
    written: list[tuple[str, object]] = []
    current = {"SCTP_EVENTS": frozenset({sctpx.Event.SHUTDOWN})}

    def setsockopt(sock: Any, name: str, value: object) -> None:
        if name == "SCTP_EVENT":
            raise OSError(errno.ENOPROTOOPT, "no SCTP_EVENT")
        written.append((name, value))

    monkeypatch.setattr(_sockets, "setsockopt", setsockopt)
    monkeypatch.setattr(_sockets, "getsockopt", lambda sock, name, query=None: current[name])
    _sockets.subscribe(None, [sctpx.Event.ASSOC_CHANGE], True, 0)
    assert written == [("SCTP_EVENTS", {sctpx.Event.SHUTDOWN, sctpx.Event.ASSOC_CHANGE})]
    written.clear()
    _sockets.subscribe(None, [sctpx.Event.SHUTDOWN], False, 0)
    assert written == [("SCTP_EVENTS", frozenset())]
    # SCTP_EVENTS has no association: a per-association setting cannot fall back.
    with pytest.raises(OSError) as exc:
        _sockets.subscribe(None, [sctpx.Event.SHUTDOWN], True, 5)
    assert exc.value.errno == errno.ENOPROTOOPT


def test_other_errors_of_sctp_event_are_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    def setsockopt(sock: Any, name: str, value: object) -> None:
        raise OSError(errno.EBADF, "closed")

    monkeypatch.setattr(_sockets, "setsockopt", setsockopt)
    with pytest.raises(OSError) as exc:
        _sockets.subscribe(None, [sctpx.Event.SHUTDOWN], True, 0)
    assert exc.value.errno == errno.EBADF


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda s: sctpx.sendmsg(s, b"x", info=3), TypeError),
        (lambda s: sctpx.sendmsg(s, b"x", sctpx.SendInfo(ppid=1 << 32)), ValueError),
        (lambda s: sctpx.sendmsg(s, b"x", to=("example.org", 1)), OSError),
        (lambda s: sctpx.recvmsg(s, 0), ValueError),
        (lambda s: sctpx.subscribe(s, sctpx.Event.DATA_IO), ValueError),
        (lambda s: sctpx.subscribe(s, "SHUTDOWN"), TypeError),
        (lambda s: sctpx.setsockopt(s, "SCTP_NOPE", 1), ValueError),
        (lambda s: sctpx.setsockopt(s, "SCTP_INITMSG", 1), TypeError),
        (lambda s: sctpx.getsockopt(s, "SCTP_NOPE"), ValueError),
    ],
    ids=[
        "info-not-sendinfo",
        "ppid-out-of-range",
        "name-not-address",
        "bufsize-0",
        "data-io",
        "not-an-event",
        "unknown-option",
        "wrong-value",
        "unknown-query",
    ],
)
def test_arguments_are_checked_before_any_call(call: Any, error: type[Exception]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s, pytest.raises(error) as exc:
        call(s)
    if error is OSError:
        assert exc.value.errno == errno.EINVAL  # type: ignore[attr-defined]
        assert "example.org" in str(exc.value)


def test_a_descriptor_is_lent_not_closed() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        with _sockets.as_socket(s.fileno()) as dup:
            assert dup.fileno() != s.fileno()
        s.getsockname()  # still open
    with pytest.raises(OSError) as exc, _sockets.as_socket(10**6):
        pass
    assert exc.value.errno == errno.EBADF


def test_an_ipv4_destination_on_an_ipv6_socket_is_mapped() -> None:
    (dest,) = _sockets.destinations(("127.0.0.1", 9))
    assert _sockets.tuple_for(dest, socket.AF_INET6) == ("::ffff:127.0.0.1", 9, 0, 0)
    assert _sockets.tuple_for(dest, socket.AF_INET) == ("127.0.0.1", 9)
