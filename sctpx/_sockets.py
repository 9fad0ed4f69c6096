"""Messages, socket options and notifications on kernel SCTP sockets.

The kernel carries SCTP's per-message metadata as ancillary data: sendmsg
takes SCTP_SNDINFO (with SCTP_PRINFO and SCTP_AUTHINFO when a value needs
them), and recvmsg returns SCTP_RCVINFO once the socket asks for it
(SCTP_RECVRCVINFO).  Python's ``socket.sendmsg`` and ``socket.recvmsg``
carry ancillary data, so data needs no C function of libsctp; the bytes
of every struct come from sctpx._values, sctpx._options and
sctpx._notifications, checked against the headers.  Options are read
through libc's ``getsockopt``, because many of them read an association
id (or an address) from the caller's buffer, which ``socket.getsockopt``
cannot pass.

Errors of data calls are those of the pages (``sctp_sendmsg(3)``,
``sctp_recvmsg(3)``): the same errnos, marked documented or not.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import socket
import sys
from collections.abc import Iterator, Sequence
from functools import cache
from typing import Any

from sctpx import _stub
from sctpx._addr import Address, parse_address, parse_addresses
from sctpx._errors import oserror
from sctpx._message import AddressTuple, Message
from sctpx._notifications import Event, EventSetting, parse_notification
from sctpx._options import option, option_size
from sctpx._values import SendInfo, parse_cmsgs, send_cmsgs

#: The ABI of the kernel's structs: Linux, or FreeBSD's own.
ABI = "freebsd" if sys.platform.startswith("freebsd") else "linux"
IPPROTO_SCTP = 132
#: Room for every SCTP item a receive can carry (SCTP_RCVINFO, SCTP_NXTINFO).
_ANCILLARY = socket.CMSG_SPACE(256) if hasattr(socket, "CMSG_SPACE") else 512
SEND_PAGE = "sctp_sendmsg"
RECV_PAGE = "sctp_recvmsg"
OPT_PAGE = "sctp_opt_info"


@cache
def _getsockopt() -> Any:
    libc = ctypes.CDLL(None, use_errno=True)
    func = libc.getsockopt
    func.restype = ctypes.c_int
    func.argtypes = (
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.c_void_p,
        ctypes.POINTER(ctypes.c_uint32),
    )
    return func


def getsockopt_raw(fd: int, level: int, name: int, value: bytes) -> bytes:
    """getsockopt with ``value`` in (ids, addresses) and out; OSError on failure."""
    buf = ctypes.create_string_buffer(value, len(value))
    size = ctypes.c_uint32(len(value))
    if _getsockopt()(fd, level, name, buf, ctypes.byref(size)) < 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))
    return buf.raw[: size.value]


@contextlib.contextmanager
def as_socket(sock: Any, page: str = SEND_PAGE) -> Iterator[socket.socket]:
    """A ``socket.socket`` for ``sock``: itself, or a duplicate of a descriptor
    (closed afterwards, leaving the caller's descriptor alone).  A descriptor
    that is no socket raises ``page``'s ENOTSOCK, a bad one its EBADF."""
    if isinstance(sock, socket.socket):
        yield sock
        return
    from sctpx import _descriptor

    fd = _descriptor(sock)
    try:
        dup = socket.socket(fileno=os.dup(fd))
    except OSError as exc:
        raise _stub.error(page, exc.errno or errno.EBADF) from None
    with dup:
        yield dup


def _page_error(exc: OSError, page: str) -> OSError:
    """The page's OSError for a failed call; timeouts stay Python's TimeoutError."""
    if exc.errno is None or isinstance(exc, TimeoutError):
        return exc
    return _stub.error(page, exc.errno)


def destinations(to: object) -> list[Address]:
    """The checked destination: one address tuple, or a list of them (as
    ``sctp_sendx`` and ``sctp_sendmsgx`` take: the addresses of one peer to
    set the association up with).  EINVAL naming the problem when malformed,
    E2BIG past the page's 2048-byte list, as for :func:`sctpx.connectx`."""
    single = isinstance(to, tuple) and bool(to) and isinstance(to[0], str)
    try:
        return [parse_address(to)] if single else parse_addresses(to)
    except OSError as exc:
        err = exc.errno or errno.EINVAL
        # parse_address's own words follow the page's condition: "[...] (why)".
        why = (exc.strerror or "").partition("] (")[2].removesuffix(")") or repr(to)
        raise OSError(err, f"{os.strerror(err)} [sctp_sendmsg: bad destination: {why}]") from None


def _extra_destinations(addresses: Sequence[Address]) -> list[tuple[int, int, bytes]]:
    """The addresses after the first, as SCTP_DSTADDRV4/V6 ancillary data
    (RFC 6458 5.3.9, 5.3.10): the further addresses of the peer."""
    a = _abi()
    out = []
    for address in addresses:
        kind = "SCTP_DSTADDRV6" if address.family == socket.AF_INET6 else "SCTP_DSTADDRV4"
        out.append(
            (IPPROTO_SCTP, a.constant(kind), socket.inet_pton(address.family, address.host))
        )
    return out


def tuple_for(address: Address, family: int) -> AddressTuple:
    """The tuple ``socket.sendmsg`` takes for ``address`` on a ``family`` socket."""
    if address.family == socket.AF_INET6:
        return (address.host, address.port, address.flowinfo, address.scope_id)
    if family == socket.AF_INET6:
        return ("::ffff:" + address.host, address.port, 0, 0)  # IPv4 on a v6 socket
    return (address.host, address.port)


def sendmsg(
    sock: Any, data: bytes | bytearray | memoryview, info: SendInfo | None, to: object | None
) -> int:
    """Send ``data`` as one message with ``info``'s metadata; the byte count."""
    if info is not None and not isinstance(info, SendInfo):
        raise TypeError(f"info must be a SendInfo, not {type(info).__name__}")
    payload = memoryview(data)
    with as_socket(sock) as s:
        cmsgs = send_cmsgs(info, ABI) if info is not None else []
        addresses = destinations(to) if to is not None else []
        cmsgs += _extra_destinations(addresses[1:])
        try:
            if not addresses:
                return s.sendmsg([payload], cmsgs)
            return s.sendmsg([payload], cmsgs, 0, tuple_for(addresses[0], s.family))
        except OSError as exc:
            raise _page_error(exc, SEND_PAGE) from None


def recvmsg(sock: Any, bufsize: int) -> Message:
    """The next message (or piece of one, or notification), with its metadata."""
    from sctpx import _checks

    _checks.integer("bufsize", bufsize, 1, _checks.INT_MAX)
    with as_socket(sock, RECV_PAGE) as s:
        try:
            # Idempotent and cheap; without it the kernel attaches no SCTP_RCVINFO.
            s.setsockopt(IPPROTO_SCTP, option_number("SCTP_RECVRCVINFO"), 1)
            data, ancdata, flags, address = s.recvmsg(bufsize, _ANCILLARY)
        except OSError as exc:
            raise _page_error(exc, RECV_PAGE) from None
    got = parse_cmsgs(ancdata, flags, ABI)
    note = parse_notification(data, ABI) if got.notification and got.eor else None
    peer = address if isinstance(address, tuple) and address else None
    return Message(data, got.eor, peer, got.info, note, flags)


def option_number(c_name: str) -> int:
    from sctpx._layout import abi

    return abi(ABI).constant(c_name)


def setsockopt(sock: Any, name: str, value: object) -> None:
    """Set option ``name`` (its C name, ``"SCTP_INITMSG"``) to the typed ``value``."""
    opt = option(name)
    raw = opt.pack(value, _abi())
    with as_socket(sock, OPT_PAGE) as s:
        try:
            s.setsockopt(IPPROTO_SCTP, opt.number(ABI), raw)
        except OSError as exc:
            raise oserror(exc.errno or errno.EINVAL, f"setsockopt {name}") from None


def getsockopt(sock: Any, name: str, query: object | None = None) -> object:
    """Option ``name`` as its typed value; ``query`` names what to read (an
    association id, a peer address) where the option takes one."""
    opt = option(name)
    a = _abi()
    data = opt.pack(query, a) if query is not None else bytes(option_size(name, a))
    with as_socket(sock, OPT_PAGE) as s:
        try:
            raw = getsockopt_raw(s.fileno(), IPPROTO_SCTP, opt.number(a), data)
        except OSError as exc:
            # sctp_opt_info(3) is the page of reading an option: its errors.
            raise _stub.error(OPT_PAGE, exc.errno or errno.EINVAL) from None
    return opt.unpack(raw, a)


def subscribe(sock: Any, events: Sequence[Event], on: bool, assoc_id: int) -> None:
    """Turn notifications of ``events`` on (or off): SCTP_EVENT for each, or,
    on a stack without it, SCTP_EVENTS with the current subscriptions changed."""
    for event in events:
        check_event(event)
    try:
        for event in events:
            setsockopt(sock, "SCTP_EVENT", EventSetting(event, on, assoc_id))
    except OSError as exc:
        if exc.errno not in (errno.ENOPROTOOPT, errno.EINVAL) or assoc_id:
            raise
        current = getsockopt(sock, "SCTP_EVENTS")
        assert isinstance(current, frozenset)
        wanted = current | set(events) if on else current - set(events)
        setsockopt(sock, "SCTP_EVENTS", frozenset(wanted))


def check_event(event: object) -> None:
    if not isinstance(event, Event):
        raise TypeError(f"expected an sctpx.Event, not {event!r}")
    if event is Event.DATA_IO:
        raise ValueError(
            "DATA_IO is no notification: recvmsg reports every message's metadata anyway"
        )


def _abi() -> Any:
    from sctpx._layout import abi

    return abi(ABI)
