"""sctpx: the ``sctp_*`` family for Python, generated from its manual pages.

``connectx(sock, addresses)`` connects an SCTP socket to a peer given
several of its addresses and returns the association id; ``bindx``,
``getpaddrs``, ``getladdrs``, ``peeloff``, ``getassocid`` and
``getaddrlen`` do what their pages say; ``sendmsg`` and ``recvmsg`` carry
typed per-message metadata, ``subscribe`` typed notifications, and
``getsockopt``/``setsockopt`` typed option values.  :mod:`sctpx.aio` has
them as asyncio coroutines.  The ctypes prototypes and the error mapping
come from the stub that ``mdoc2rst stub`` generates from ``docs/man2`` and
``docs/man3``; the tests check the binding against the spec extracted from
those pages.

Backends: the Linux kernel through libsctp, FreeBSD's libc, and usrsctp
(the FreeBSD stack in user space, :mod:`sctpx.usrsctp`); the same calls on
each.  Errors are ``OSError``s whose message carries the page's condition;
``exc.documented`` tells whether the page lists that errno.
"""

from __future__ import annotations

import socket as _socket
import sys
from collections.abc import Sequence
from typing import Any

from sctpx import _checks
from sctpx._addr import BUFFER_SIZE, Address, parse_address, parse_addresses
from sctpx._backend import Backend, BackendUnavailable
from sctpx._errors import documented_errors, error
from sctpx._message import Message
from sctpx._notifications import (
    AdaptationIndication,
    AddrState,
    AssocChange,
    AssocReset,
    AssocState,
    Authentication,
    Event,
    EventSetting,
    Notification,
    PartialDelivery,
    PeerAddrChange,
    RemoteError,
    SenderDry,
    SendFailed,
    Shutdown,
    StreamChange,
    StreamReset,
    UnknownNotification,
)
from sctpx._options import (
    AssocParams,
    AssocStatus,
    InitMsg,
    PathFlag,
    PathState,
    PeerAddrInfo,
    PeerAddrParams,
    RtoInfo,
    Status,
)
from sctpx._undocumented import UNDOCUMENTED_ERRNOS, undocumented_reason
from sctpx._values import MsgFlag, PrPolicy, RecvInfo, SendInfo

__version__ = "0.1.0"

__all__ = [
    "BUFFER_SIZE",
    "UNDOCUMENTED_ERRNOS",
    "AdaptationIndication",
    "AddrState",
    "Address",
    "AssocChange",
    "AssocParams",
    "AssocReset",
    "AssocState",
    "AssocStatus",
    "Authentication",
    "BackendUnavailable",
    "Event",
    "EventSetting",
    "InitMsg",
    "Message",
    "MsgFlag",
    "Notification",
    "PartialDelivery",
    "PathFlag",
    "PathState",
    "PeerAddrChange",
    "PeerAddrInfo",
    "PeerAddrParams",
    "PrPolicy",
    "RecvInfo",
    "RemoteError",
    "RtoInfo",
    "SendFailed",
    "SendInfo",
    "SenderDry",
    "Shutdown",
    "Status",
    "StreamChange",
    "StreamReset",
    "UnknownNotification",
    "bindx",
    "connectx",
    "documented_errors",
    "getaddrlen",
    "getassocid",
    "getladdrs",
    "getpaddrs",
    "getsockopt",
    "peeloff",
    "platform_backend",
    "recvmsg",
    "sendmsg",
    "setsockopt",
    "socket",
    "subscribe",
    "undocumented_reason",
]

IPPROTO_SCTP = getattr(_socket, "IPPROTO_SCTP", 132)
_INT_MAX = 2**31 - 1


def platform_backend() -> Backend:
    """The backend for kernel sockets on this system."""
    if sys.platform.startswith("linux"):
        from sctpx._linux import LinuxBackend

        return LinuxBackend()
    if sys.platform.startswith("freebsd"):
        from sctpx._freebsd import FreeBSDBackend

        return FreeBSDBackend()
    raise BackendUnavailable(f"no kernel SCTP backend for {sys.platform}; use sctpx.usrsctp")


def _usrsctp_socket(sock: object) -> Any:
    """``sock`` if it is a usrsctp socket.  Without sctpx.usrsctp imported, none is."""
    module = sys.modules.get("sctpx.usrsctp")
    cls = getattr(module, "Socket", None)
    return sock if cls is not None and isinstance(sock, cls) else None


def _descriptor(sock: object) -> int:
    """The file descriptor of ``sock``; EBADF for anything that cannot be one."""
    if isinstance(sock, _socket.socket):
        return sock.fileno()  # -1 once closed: the C library answers EBADF
    if isinstance(sock, int) and not isinstance(sock, bool):
        if not -1 <= sock <= _INT_MAX:
            raise error(9)  # EBADF: no C int can hold it, so no descriptor has it
        return sock
    if hasattr(sock, "fileno") and callable(sock.fileno):
        try:
            fd = sock.fileno()
        except (ValueError, OSError):
            # A closed file object (ValueError) or one with no descriptor
            # (io.UnsupportedOperation): no valid descriptor, as the page says.
            raise error(9) from None
        if isinstance(fd, int) and not isinstance(fd, bool) and -1 <= fd <= _INT_MAX:
            return fd
    raise error(9)


def connectx(sock: Any, addresses: Sequence[Any]) -> int:
    """Connect ``sock`` to the peer at ``addresses``; return the association id.

    ``sock`` is a ``socket.socket`` (or its file descriptor) of type
    ``SOCK_STREAM`` or ``SOCK_SEQPACKET`` and protocol ``IPPROTO_SCTP``, or
    an :class:`sctpx.usrsctp.Socket`.  ``addresses`` is a non-empty
    sequence of ``(host, port)`` IPv4 or ``(host, port[, flowinfo,
    scope_id])`` IPv6 tuples with numeric hosts (``fe80::1%eth0`` names a
    scope); resolve names with ``socket.getaddrinfo`` first (a name raises
    EINVAL).

    Blocks as ``socket.connect`` does: a blocking socket returns once the
    association is up; a non-blocking one raises ``BlockingIOError``
    (EINPROGRESS) whose ``assoc_id`` holds the id of the association being
    set up; a socket with a timeout waits up to it, then raises
    ``TimeoutError`` with ``assoc_id``.  A signal runs its handler and the
    call goes on (PEP 475); an exception from the handler carries
    ``assoc_id``.  (On FreeBSD, not yet: there a timeout and EINTR come
    back as the C call returns them.  A bare descriptor's timeout is
    unknown: it behaves as the C call.)

    Raises ``OSError``: EINVAL for a missing, empty or malformed address
    list; E2BIG when the list exceeds the page's 2048-byte buffer (127
    IPv4 or 73 IPv6 addresses at most, on every backend); EBADF, ENOTSOCK
    and the stack's other errors from the C library (see
    ``UNDOCUMENTED_ERRNOS``).
    """
    user = _usrsctp_socket(sock)
    if user is not None:
        return int(user.connectx(addresses))
    addrs = parse_addresses(addresses)
    fd = _descriptor(sock)
    backend = platform_backend()
    from sctpx._addr import pack_one
    from sctpx._kernel import connect

    timeout = sock.gettimeout() if isinstance(sock, _socket.socket) else None
    return connect(backend, fd, [pack_one(a, backend.layout) for a in addrs], timeout)


def getpaddrs(sock: Any, assoc_id: int = 0) -> list[tuple[Any, ...]]:
    """The addresses of the peer of association ``assoc_id`` (0: the only one).

    Raises the errors of ``sctp_getpaddrs(3)``; an ``assoc_id`` that does
    not fit ``sctp_assoc_t`` is EINVAL, as an unknown association is.
    """
    _checks.assoc_id(assoc_id, "sctp_getpaddrs")
    user = _usrsctp_socket(sock)
    if user is not None:
        return list(user.getpaddrs(assoc_id))
    from sctpx import _calls

    return list(_calls.getaddrs(_descriptor(sock), assoc_id, "p"))


def getladdrs(sock: Any, assoc_id: int = 0) -> list[tuple[Any, ...]]:
    """The local addresses of association ``assoc_id`` (0: the endpoint's).

    Raises the errors of ``sctp_getladdrs(3)`` (the page of getpaddrs).
    """
    _checks.assoc_id(assoc_id, "sctp_getladdrs")
    user = _usrsctp_socket(sock)
    if user is not None:
        return list(user.getladdrs(assoc_id))
    from sctpx import _calls

    return list(_calls.getaddrs(_descriptor(sock), assoc_id, "l"))


def bindx(sock: Any, addresses: Sequence[Any], add: bool = True) -> None:
    """Add the local ``addresses`` to the socket's (``add=False``: remove them).

    A socket bound to several addresses is multi-homed: its associations
    can use each of them.  Addresses are ``(host, port)`` tuples as for
    :func:`connectx`, all with the socket's port (0 on the first bind picks
    one).  Raises the errors of ``sctp_bindx(3)``.
    """
    addrs = _bindx_addresses(addresses)
    user = _usrsctp_socket(sock)
    if user is not None:
        user.bindx([a.as_tuple() for a in addrs], add)
        return
    from sctpx import _calls

    _calls.bindx(_descriptor(sock), addrs, add)


def _bindx_addresses(addresses: Sequence[Any]) -> list[Address]:
    try:
        return parse_addresses(addresses)
    except OSError as exc:
        raise error(exc.errno or 22, "sctp_bindx") from None


def peeloff(sock: Any, assoc_id: int) -> Any:
    """Branch association ``assoc_id`` off a one-to-many socket: a one-to-one
    socket of the same kind (a ``socket.socket``, or a usrsctp ``Socket``).

    The association leaves ``sock``; its data and notifications come to
    the new socket.  Raises the errors of ``sctp_peeloff(2)``.
    """
    _checks.assoc_id(assoc_id, "sctp_peeloff")
    user = _usrsctp_socket(sock)
    if user is not None:
        return user.peeloff(assoc_id)
    from sctpx import _calls

    fd = _calls.peeloff(_descriptor(sock), assoc_id)
    return _socket.socket(fileno=fd)


def getassocid(sock: Any, address: tuple[Any, ...]) -> int:
    """The id of the association whose peer has ``address``.

    Raises ENOENT when there is none, as ``sctp_getassocid(3)`` says (the
    Linux kernel answers EINVAL there; sctpx keeps the page's errno), and
    the page's other errors.
    """
    checked = parse_address(address)
    user = _usrsctp_socket(sock)
    if user is not None:
        return int(user.getassocid(checked.as_tuple()))
    from sctpx import _sockets

    query = PeerAddrInfo(address=checked)
    try:
        info = _sockets.getsockopt(sock, "SCTP_GET_PEER_ADDR_INFO", query)
    except OSError as exc:
        err = 2 if exc.errno == 22 else exc.errno or 2  # EINVAL: no such peer -> ENOENT
        raise error(err, "sctp_getassocid") from None
    assert isinstance(info, PeerAddrInfo)
    return info.assoc_id


def getaddrlen(family: int) -> int:
    """The size of a sockaddr of ``family`` (``sctp_getaddrlen(3)``); EINVAL
    for a family SCTP does not use.

    The system's SCTP library answers where there is one; elsewhere (a
    machine with usrsctp only) the sizes usrsctp's sockaddrs have.
    libsctp returns 0 for a family it does not know, where the page says
    -1 and EINVAL: sctpx raises the page's EINVAL on every backend.
    """
    _checks.integer("family", family, 0, 0xFFFF)
    from sctpx import _calls

    try:
        size = _calls.getaddrlen(family)
    except BackendUnavailable:
        sizes: dict[int, int] = {_socket.AF_INET: 16, _socket.AF_INET6: 28}
        size = sizes.get(family, 0)
    if size <= 0:
        raise error(22, "sctp_getaddrlen")
    return size


def sendmsg(
    sock: Any,
    data: bytes | bytearray | memoryview,
    info: SendInfo | None = None,
    *,
    to: tuple[Any, ...] | Sequence[tuple[Any, ...]] | None = None,
) -> int:
    """Send ``data`` as one message with ``info``'s metadata; the byte count.

    ``info`` is a :class:`SendInfo`: the stream, the PPID (an int, which the
    peer reads as the same int: it goes on the wire in network byte
    order), flags such as ``MsgFlag.UNORDERED``, the context, a PR-SCTP
    lifetime, and on a one-to-many socket the association.  ``to`` is a
    peer address instead of an association, or a list of the peer's
    addresses, as ``sctp_sendx(3)`` and ``sctp_sendmsgx(3)`` take (a
    one-to-many socket sets the association up on the way, with each of
    them: on Linux the further ones go as SCTP_DSTADDRV4/V6 ancillary
    data).  A kernel socket sends with SCTP_SNDINFO ancillary
    data (blocking, timeouts and signals as ``socket.sendmsg``); a usrsctp
    socket with ``usrsctp_sendv``.  Errors are those of
    ``sctp_sendmsg(3)``, marked documented or not.
    """
    user = _usrsctp_socket(sock)
    if user is not None:
        return int(user.sendmsg(data, info, to=to))
    from sctpx import _sockets

    return _sockets.sendmsg(sock, data, info, to)


def recvmsg(sock: Any, bufsize: int = 65536) -> Message:
    """The next message, a piece of one, or a notification: a :class:`Message`.

    ``Message.info`` carries the metadata (stream, PPID, flags, association
    id; SCTP_RCVINFO), ``eor`` whether this piece ends its message, and
    ``notification`` the typed notification when the bytes are one (see
    :func:`subscribe`).  Blocks as the socket's ``recvmsg`` does.
    """
    user = _usrsctp_socket(sock)
    if user is not None:
        message: Message = user.recvmsg(bufsize)
        return message
    from sctpx import _sockets

    return _sockets.recvmsg(sock, bufsize)


def setsockopt(sock: Any, name: str, value: object) -> None:
    """Set SCTP option ``name`` (its C name, ``"SCTP_INITMSG"``) to a typed value.

    The options: SCTP_INITMSG (:class:`InitMsg`), SCTP_RTOINFO
    (:class:`RtoInfo`), SCTP_ASSOCINFO (:class:`AssocParams`),
    SCTP_PEER_ADDR_PARAMS (:class:`PeerAddrParams`), SCTP_NODELAY (bool),
    SCTP_AUTOCLOSE (seconds), SCTP_DEFAULT_SNDINFO and
    SCTP_DEFAULT_SEND_PARAM (:class:`SendInfo`), SCTP_EVENT
    (:class:`EventSetting`) and SCTP_EVENTS (a set of :class:`Event`).
    """
    user = _usrsctp_socket(sock)
    if user is not None:
        user.setsockopt(name, value)
        return
    from sctpx import _sockets

    _sockets.setsockopt(sock, name, value)


def getsockopt(sock: Any, name: str, query: object | None = None) -> object:
    """SCTP option ``name`` as its typed value.

    ``query`` names what to read where the option reads it from the
    caller: the association (``Status(assoc_id=...)`` for SCTP_STATUS) or
    the peer address (``PeerAddrInfo(address=...)`` for
    SCTP_GET_PEER_ADDR_INFO); the options of :func:`setsockopt`, and
    SCTP_STATUS and SCTP_GET_PEER_ADDR_INFO, which are read only.
    """
    user = _usrsctp_socket(sock)
    if user is not None:
        return user.getsockopt(name, query)
    from sctpx import _sockets

    return _sockets.getsockopt(sock, name, query)


def subscribe(sock: Any, *events: Event, on: bool = True, assoc_id: int = 0) -> None:
    """Have :func:`recvmsg` return notifications of ``events`` (``on=False``: stop).

    One call for several kinds: SCTP_EVENT for each where the stack has
    it, else SCTP_EVENTS with the socket's current subscriptions changed.
    """
    user = _usrsctp_socket(sock)
    if user is not None:
        user.subscribe(*events, on=on, assoc_id=assoc_id)
        return
    from sctpx import _sockets

    _sockets.subscribe(sock, events, on, assoc_id)


#: Flags Linux lets ``type`` carry besides the socket type.
_TYPE_FLAGS = getattr(_socket, "SOCK_NONBLOCK", 0) | getattr(_socket, "SOCK_CLOEXEC", 0)


def _sctp_kind(family: int, type: int) -> bool:
    """Whether a kernel with SCTP makes this socket (else EPROTONOSUPPORT is about it)."""
    return family in (_socket.AF_INET, _socket.AF_INET6) and (type & ~_TYPE_FLAGS) in (
        _socket.SOCK_STREAM,
        _socket.SOCK_SEQPACKET,
    )


def socket(family: int = _socket.AF_INET, type: int = _socket.SOCK_STREAM) -> _socket.socket:
    """A kernel SCTP socket, with a clear error when the kernel has no SCTP.

    ``family`` is AF_INET or AF_INET6, ``type`` SOCK_STREAM (one-to-one) or
    SOCK_SEQPACKET (one-to-many).  Others raise the kernel's error (a
    datagram SCTP socket: EPROTONOSUPPORT, not "no SCTP"); numbers that no
    C int holds raise ValueError.
    """
    _checks.integer("family", family, -_INT_MAX - 1, _INT_MAX)
    _checks.integer("type", type, -_INT_MAX - 1, _INT_MAX)
    try:
        return _socket.socket(family, type, IPPROTO_SCTP)
    except OSError as exc:
        if exc.errno in (93, 43) and _sctp_kind(family, type):  # EPROTONOSUPPORT: Linux, FreeBSD
            raise BackendUnavailable(
                exc.errno,
                "the kernel has no SCTP (Linux: modprobe sctp; or use sctpx.usrsctp)",
            ) from None
        raise
