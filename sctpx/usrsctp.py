"""SCTP in user space: ``sctp_connectx(3)`` on usrsctp, the FreeBSD stack as a library.

usrsctp runs one SCTP stack per process, on its own threads, and carries
SCTP over UDP (RFC 6951), so it needs neither kernel SCTP nor privileges::

    with sctpx.usrsctp.start(9899) as stack:
        server = sctpx.usrsctp.Socket()
        server.bind(("127.0.0.1", 5001))
        server.listen(1)
        client = sctpx.usrsctp.Socket()
        client.bind(("127.0.0.1", 0))
        client.set_udp_encaps(9899)
        assoc_id = sctpx.connectx(client, [("127.0.0.1", 5001)])
        client.wait_established(5)
        peer, address = server.accept(timeout=5)

Bind both ends to 127.0.0.1: an unbound endpoint advertises every address
of the machine, and the peer would then send to them too.

Two traps of the library shape this module.  A thread blocked in
``usrsctp_accept`` (or a blocking receive) is never woken by close or
shutdown, and ``usrsctp_finish`` then hangs; so every wait here polls a
non-blocking handle from Python with a deadline.  ``usrsctp_finish``
returns -1 while any association remains; so :meth:`Stack.stop` aborts the
sockets still open, retries for a bounded time and reports failure instead
of waiting forever.

``connectx`` checks its address list in Python first (EINVAL, and E2BIG
past the page's 2048-byte buffer, which keeps usrsctp's own ENOMEM for an
over-long list out of reach), then the handle (EBADF for a closed socket),
as usrsctp itself orders the checks.  ENOTSOCK cannot happen: a handle is
a ``struct socket *``, never a descriptor of something else.
"""

from __future__ import annotations

import ctypes
import errno
import os
import socket
import threading
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar

from sctpx import _usrsctp_lib as _lib
from sctpx._addr import SOCKADDR_IN6_SIZE, SOCKADDR_IN_SIZE, Address, pack, parse_addresses
from sctpx._errors import error

__all__ = ["Socket", "Stack", "Status", "running", "start"]

#: How often the polling loops look again: short next to an RTO, long
#: enough not to spin.
POLL_INTERVAL = 0.005

_WOULD_BLOCK = frozenset({errno.EAGAIN, errno.EWOULDBLOCK, errno.EINPROGRESS})

AddressTuple = tuple[str, int] | tuple[str, int, int, int]
_T = TypeVar("_T")


def _oserror(err: int, function: str) -> OSError:
    """An errno from a usrsctp call other than connectx: no page documents it."""
    return OSError(err, f"{os.strerror(err)} [{function}]")


def _check(result: int, function: str) -> int:
    if result < 0:
        raise _oserror(ctypes.get_errno(), function)
    return result


# -- the stack ----------------------------------------------------------------


class Stack:
    """The process's usrsctp stack: made by :func:`start`, ended by :meth:`stop`.

    It owns every :class:`Socket` opened while it runs, so that ``stop``
    can close what the caller left open (a socket dropped without close()
    is therefore not collected: usrsctp_close never runs behind the
    caller's back, from a finaliser).
    """

    def __init__(self, lib: _lib.Library, udp_port: int) -> None:
        self._lib = lib
        self.udp_port = udp_port
        self.running = True
        self._sockets: set[Socket] = set()
        self._lock = threading.Lock()

    def set_sysctl(self, name: str, value: int) -> None:
        """Set ``sctp_<name>`` (e.g. ``rto_initial_default``, ``blackhole``).

        Sysctls are defaults copied into each new association, so set them
        before connecting.  Unknown names raise AttributeError, values out
        of the sysctl's range EINVAL.
        """
        try:
            setter = self._lib.sysctl_setter(name)
        except AttributeError:
            raise AttributeError(f"usrsctp has no sysctl sctp_{name}") from None
        _check(setter(value), f"usrsctp_sysctl_set_sctp_{name}")

    def _add(self, sock: Socket) -> None:
        with self._lock:
            self._sockets.add(sock)

    def _discard(self, sock: Socket) -> None:
        with self._lock:
            self._sockets.discard(sock)

    def stop(self, timeout: float = 3.0) -> bool:
        """Abort the sockets still open and end the stack within ``timeout`` seconds.

        Returns True once ``usrsctp_finish`` succeeded.  When associations
        outlive the bound (a peer that never answers a graceful SHUTDOWN of
        a socket closed earlier), warns, returns False and leaves the stack
        running and usable; calling ``stop`` again retries.
        """
        if not self.running:
            return True
        with self._lock:
            left = list(self._sockets)
        for sock in left:
            sock.close(abort=True)
        deadline = time.monotonic() + timeout
        while True:
            if self._lib.finish() == 0:
                self.running = False
                _forget(self)
                return True
            if time.monotonic() >= deadline:
                warnings.warn(
                    f"usrsctp_finish still refused after {timeout:g} s (associations "
                    "remain); the usrsctp stack keeps running",
                    RuntimeWarning,
                    stacklevel=2,
                )
                return False
            time.sleep(POLL_INTERVAL)

    def __enter__(self) -> Stack:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<usrsctp Stack udp_port={self.udp_port} {state}>"


class _Process:
    """The stack of this process.

    Module-level state, against the house habit, because usrsctp's own
    state is process-wide: a second ``usrsctp_init`` while one runs would
    corrupt it, so the record of it cannot be narrower than the process.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.stack: Stack | None = None


_PROCESS = _Process()


def _forget(stack: Stack) -> None:
    with _PROCESS.lock:
        if _PROCESS.stack is stack:
            _PROCESS.stack = None


def running() -> Stack | None:
    """The running stack, if any."""
    return _PROCESS.stack


def start(
    udp_port: int = 0,
    *,
    rto_initial: int | None = None,
    blackhole: int | None = None,
    **sysctls: int,
) -> Stack:
    """Start this process's usrsctp stack, or return the one already running.

    ``udp_port`` is the local UDP port for SCTP over UDP (0: none, then
    usrsctp tries raw IP sockets, which need root).  ``rto_initial`` (ms)
    and ``blackhole`` (0: answer stray packets with ABORT, 1: not for
    INIT, 2: never) set the sysctls ``sctp_rto_initial_default`` and
    ``sctp_blackhole``; ``sysctls`` sets any other ``sctp_<name>``.  A
    stack already running on another UDP port raises RuntimeError.

    Raises :class:`sctpx.BackendUnavailable` without libusrsctp.so.2.
    """
    if not 0 <= udp_port <= 0xFFFF:
        raise ValueError(f"udp_port must be from 0 to 65535, not {udp_port}")
    lib = _lib.load()
    with _PROCESS.lock:
        stack = _PROCESS.stack
        if stack is None:
            lib.init(udp_port, None, None)
            stack = _PROCESS.stack = Stack(lib, udp_port)
        elif stack.udp_port != udp_port:
            raise RuntimeError(
                f"the usrsctp stack already runs on UDP port {stack.udp_port}; "
                "usrsctp allows one stack per process"
            )
    # After usrsctp_init: sctp_init() resets every sysctl to its default.
    if rto_initial is not None:
        stack.set_sysctl("rto_initial_default", rto_initial)
    if blackhole is not None:
        stack.set_sysctl("blackhole", blackhole)
    for name, value in sysctls.items():
        stack.set_sysctl(name, value)
    return stack


def _require_stack() -> Stack:
    stack = _PROCESS.stack
    if stack is None:
        # usrsctp_socket before usrsctp_init dereferences uninitialised state.
        raise RuntimeError("the usrsctp stack is not running: call sctpx.usrsctp.start() first")
    return stack


# -- sockets ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Status:
    """What ``SCTP_STATUS`` reports for one association."""

    assoc_id: int
    state: int  # SCTP_ESTABLISHED etc.
    primary: AddressTuple | None  # the primary path's peer address
    inbound_streams: int
    outbound_streams: int

    @property
    def state_name(self) -> str:
        return _lib.STATES.get(self.state, f"0x{self.state:x}")

    @property
    def established(self) -> bool:
        return self.state == _lib.SCTP_ESTABLISHED


def _sockaddr(address: object, function: str) -> tuple[Address, bytes]:
    """One ``(host, port)`` tuple as a packed sockaddr; EINVAL when malformed."""
    try:
        (checked,) = parse_addresses([address])
    except OSError as exc:
        # Not the page's EINVAL: bind is not sctp_connectx.
        raise OSError(
            errno.EINVAL, f"{os.strerror(errno.EINVAL)} [{function}: bad address {address!r}]"
        ) from exc
    return checked, pack([checked], "linux")


def _read_sockaddrs(ptr: int, count: int) -> list[AddressTuple]:
    """``count`` sockaddrs at ``ptr``, read no further than they reach."""
    from sctpx._addr import unpack

    size = 0
    for _ in range(count):
        family = ctypes.c_uint16.from_address(ptr + size).value
        if family == socket.AF_INET:
            size += SOCKADDR_IN_SIZE
        elif family == socket.AF_INET6:
            size += SOCKADDR_IN6_SIZE
        else:
            break  # AF_CONN: never used here (no conn_output callback)
    return unpack(ctypes.string_at(ptr, size), count, "linux")


def _from_storage(storage: _lib.SockaddrStorage) -> AddressTuple | None:
    if storage.ss_family not in (socket.AF_INET, socket.AF_INET6):
        return None
    return _read_sockaddrs(ctypes.addressof(storage), 1)[0]


class Socket:
    """A usrsctp socket: ``SOCK_STREAM`` (one-to-one) or ``SOCK_SEQPACKET``.

    The handle is usrsctp's ``struct socket *``, not a file descriptor.
    A closed socket raises EBADF (the page's condition) from every method.
    Waiting methods (:meth:`accept`, :meth:`recv`, :meth:`send`,
    :meth:`wait_established`) poll with a deadline: no thread ever sleeps
    inside usrsctp.
    """

    def __init__(
        self,
        family: int = socket.AF_INET,
        type: int = socket.SOCK_STREAM,
        *,
        _handle: int | None = None,
    ) -> None:
        self._stack = _require_stack()
        self._lib = self._stack._lib
        self.family = family
        self.type = type
        if _handle is None:
            if type not in (socket.SOCK_STREAM, socket.SOCK_SEQPACKET):
                raise _oserror(errno.EPROTOTYPE, "usrsctp_socket")
            handle = self._lib.socket(family, type, _lib.IPPROTO_SCTP, None, None, 0, None)
            if not handle:
                raise _oserror(ctypes.get_errno(), "usrsctp_socket")
            _handle = handle
        self._handle: int | None = _handle
        self._blocking = True
        self._stack._add(self)

    # The handle, or EBADF: usrsctp answers a NULL socket with EBADF too,
    # but a freed one would be a use after free.
    def _so(self, function: str = "sctp_connectx") -> int:
        if self._handle is None:
            raise error(errno.EBADF, function)
        return self._handle

    @property
    def closed(self) -> bool:
        return self._handle is None

    def setblocking(self, flag: bool) -> None:
        """``usrsctp_set_non_blocking``.  The waiting methods poll either way."""
        _check(
            self._lib.set_non_blocking(self._so(), 0 if flag else 1), "usrsctp_set_non_blocking"
        )
        self._blocking = flag

    def getblocking(self) -> bool:
        return self._blocking

    def _poll(
        self, attempt: Callable[[int], _T | None], function: str, timeout: float | None, what: str
    ) -> _T:
        """Call ``attempt(handle)`` on the handle made non-blocking until it gives a value.

        ``attempt`` returns None when the call would block; any other errno
        is raised.  The caller's blocking mode is put back afterwards.
        """
        so = self._so()
        _check(self._lib.set_non_blocking(so, 1), "usrsctp_set_non_blocking")
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while True:
                result = attempt(so)
                if result is not None:
                    return result
                err = ctypes.get_errno()
                if err not in _WOULD_BLOCK:
                    raise _oserror(err, function)
                if deadline is not None and time.monotonic() >= deadline:
                    raise TimeoutError(errno.ETIMEDOUT, f"{what} in {timeout:g} s")
                time.sleep(POLL_INTERVAL)
        finally:
            if self._blocking and self._handle == so:
                self._lib.set_non_blocking(so, 0)

    # -- addresses --

    def bind(self, address: AddressTuple) -> None:
        """Bind to one local ``(host, port)``; bind to 127.0.0.1, not all addresses."""
        so = self._so()
        _, packed = _sockaddr(address, "usrsctp_bind")
        buf = ctypes.create_string_buffer(packed, len(packed))
        _check(self._lib.bind(so, buf, len(packed)), "usrsctp_bind")

    def bindx(self, addresses: Sequence[AddressTuple], add: bool = True) -> None:
        """Add (or remove) local addresses: ``usrsctp_bindx``."""
        so = self._so()
        try:
            addrs = parse_addresses(addresses)
        except OSError as exc:
            raise _oserror(exc.errno or errno.EINVAL, "usrsctp_bindx") from exc
        packed = pack(addrs, "linux")
        buf = ctypes.create_string_buffer(packed, len(packed))
        flags = _lib.SCTP_BINDX_ADD_ADDR if add else _lib.SCTP_BINDX_REM_ADDR
        _check(self._lib.bindx(so, buf, len(addrs), flags), "usrsctp_bindx")

    def listen(self, backlog: int = 5) -> None:
        _check(self._lib.listen(self._so(), backlog), "usrsctp_listen")

    def accept(self, timeout: float | None = None) -> tuple[Socket, AddressTuple | None]:
        """Wait up to ``timeout`` seconds (None: until one comes) for an association.

        Polls a non-blocking listener: a thread inside ``usrsctp_accept``
        could never be woken, and would hang ``usrsctp_finish``.  Raises
        TimeoutError when none arrives in time.
        """
        storage = _lib.SockaddrStorage()

        def attempt(so: int) -> tuple[Socket, AddressTuple | None] | None:
            length = ctypes.c_uint32(ctypes.sizeof(storage))
            new = self._lib.accept(so, ctypes.byref(storage), ctypes.byref(length))
            if not new:
                return None
            # Blocking, as socket.accept() returns them: the new socket
            # inherits the listener's non-blocking flag.
            self._lib.set_non_blocking(new, 0)
            return Socket(self.family, self.type, _handle=new), _from_storage(storage)

        return self._poll(attempt, "usrsctp_accept", timeout, "no association to accept")

    def connectx(self, addresses: Sequence[AddressTuple]) -> int:
        """``usrsctp_connectx``: start an association to ``addresses``; its id.

        usrsctp returns at once, blocking or not; the association comes up
        later (see :meth:`wait_established`).  The documented errors are
        raised as the page describes them; the stack may add others
        (EADDRINUSE for a one-to-one socket already connected, EALREADY
        when an association to one of the addresses exists).
        """
        addrs = parse_addresses(addresses)
        so = self._so()
        packed = pack(addrs, "linux")
        buf = ctypes.create_string_buffer(packed, len(packed))
        assoc = ctypes.c_uint32(0)
        # The bound function raises the page's OSError on -1 (stub errcheck).
        self._lib.connectx(so, buf, len(addrs), ctypes.byref(assoc))
        return assoc.value

    def _addrs(self, assoc_id: int, which: str) -> list[AddressTuple]:
        so = self._so(f"sctp_get{which}addrs")
        get = self._lib.getpaddrs if which == "p" else self._lib.getladdrs
        free = self._lib.freepaddrs if which == "p" else self._lib.freeladdrs
        ptr = ctypes.c_void_p()
        # The stub's errcheck raises sctp_getpaddrs(3)'s documented errors.
        count = get(so, assoc_id, ctypes.byref(ptr))
        if not ptr.value:
            return []
        try:
            return _read_sockaddrs(ptr.value, count)
        finally:
            free(ptr)

    def getpaddrs(self, assoc_id: int = 0) -> list[AddressTuple]:
        """The peer's addresses in association ``assoc_id`` (0: a one-to-one socket's)."""
        return self._addrs(assoc_id, "p")

    def getladdrs(self, assoc_id: int = 0) -> list[AddressTuple]:
        """The local addresses of association ``assoc_id`` (0: the endpoint's)."""
        return self._addrs(assoc_id, "l")

    # -- options --

    def _setsockopt(self, level: int, name: int, value: ctypes.Structure, function: str) -> None:
        so = self._so()
        result = self._lib.setsockopt(so, level, name, ctypes.byref(value), ctypes.sizeof(value))
        _check(result, function)

    def set_udp_encaps(self, remote_port: int, assoc_id: int = 0) -> None:
        """Send to the peer over UDP port ``remote_port`` (SCTP_REMOTE_UDP_ENCAPS_PORT)."""
        encaps = _lib.UdpEncaps()
        encaps.sue_assoc_id = assoc_id
        encaps.sue_port = socket.htons(remote_port)
        self._setsockopt(
            _lib.IPPROTO_SCTP,
            _lib.SCTP_REMOTE_UDP_ENCAPS_PORT,
            encaps,
            "SCTP_REMOTE_UDP_ENCAPS_PORT",
        )

    def status(self, assoc_id: int = 0) -> Status:
        """``SCTP_STATUS`` of association ``assoc_id`` (0: a one-to-one socket's)."""
        so = self._so()
        raw = _lib.Status()
        raw.sstat_assoc_id = assoc_id
        length = ctypes.c_uint32(ctypes.sizeof(raw))
        result = self._lib.getsockopt(
            so, _lib.IPPROTO_SCTP, _lib.SCTP_STATUS, ctypes.byref(raw), ctypes.byref(length)
        )
        _check(result, "SCTP_STATUS")
        return Status(
            assoc_id=raw.sstat_assoc_id,
            state=raw.sstat_state,
            primary=_from_storage(raw.sstat_primary.spinfo_address),
            inbound_streams=raw.sstat_instrms,
            outbound_streams=raw.sstat_outstrms,
        )

    def so_error(self) -> int:
        """The pending socket error (SO_ERROR), e.g. ECONNREFUSED after an ABORT."""
        so = self._so()
        value = ctypes.c_int(0)
        length = ctypes.c_uint32(ctypes.sizeof(value))
        result = self._lib.getsockopt(
            so, _lib.SOL_SOCKET, socket.SO_ERROR, ctypes.byref(value), ctypes.byref(length)
        )
        _check(result, "SO_ERROR")
        return value.value

    def wait_established(self, timeout: float, assoc_id: int = 0) -> Status:
        """Poll SCTP_STATUS until the association is ESTABLISHED.

        usrsctp_connectx returns before the handshake, so its failures come
        later: an association that ends (an ABORT, INIT retries exhausted)
        raises the socket's error (SO_ERROR, e.g. ECONNREFUSED) as an
        OSError.  TimeoutError when it is neither up nor failed in time.
        """
        deadline = time.monotonic() + timeout
        while True:
            try:
                status = self.status(assoc_id)
            except OSError as exc:
                # EINVAL: no association (yet, or any more).
                if exc.errno != errno.EINVAL:
                    raise
                status = None
                failed = self.so_error()
                if failed:
                    raise _oserror(failed, "usrsctp association") from None
            if status is not None and status.established:
                return status
            if time.monotonic() >= deadline:
                seen = status.state_name if status else "no association"
                raise TimeoutError(errno.ETIMEDOUT, f"association not established ({seen})")
            time.sleep(POLL_INTERVAL)

    # -- data --

    def send(self, data: bytes, *, assoc_id: int = 0, timeout: float | None = 5.0) -> int:
        """Send one message; the byte count.  Waits for buffer space up to ``timeout``."""
        info: Any = None
        infolen, infotype = 0, _lib.SCTP_SENDV_NOINFO
        if assoc_id:
            # One-to-many sockets name the association in an sctp_sndinfo.
            snd = _lib.SndInfo(snd_assoc_id=assoc_id)
            info, infolen, infotype = (
                ctypes.byref(snd),
                ctypes.sizeof(snd),
                _lib.SCTP_SENDV_SNDINFO,
            )
        buf = ctypes.create_string_buffer(bytes(data), len(data))

        def attempt(so: int) -> int | None:
            sent = self._lib.sendv(so, buf, len(data), None, 0, info, infolen, infotype, 0)
            return int(sent) if sent >= 0 else None

        return self._poll(attempt, "usrsctp_sendv", timeout, "no send buffer space")

    def recv(self, bufsize: int, timeout: float | None = 5.0) -> bytes:
        """Receive one message (up to ``bufsize`` bytes); b"" once the peer has shut down.

        Notifications are skipped (none are subscribed to).  Raises
        TimeoutError when nothing arrives within ``timeout`` seconds.
        """
        buf = ctypes.create_string_buffer(bufsize)
        storage = _lib.SockaddrStorage()
        info = _lib.RcvInfo()

        def attempt(so: int) -> bytes | None:
            while True:
                fromlen = ctypes.c_uint32(ctypes.sizeof(storage))
                infolen = ctypes.c_uint32(ctypes.sizeof(info))
                infotype = ctypes.c_uint(0)
                flags = ctypes.c_int(0)
                got = self._lib.recvv(
                    so,
                    buf,
                    bufsize,
                    ctypes.byref(storage),
                    ctypes.byref(fromlen),
                    ctypes.byref(info),
                    ctypes.byref(infolen),
                    ctypes.byref(infotype),
                    ctypes.byref(flags),
                )
                if got < 0:
                    return None
                if not flags.value & _lib.MSG_NOTIFICATION:
                    return buf.raw[:got]

        return self._poll(attempt, "usrsctp_recvv", timeout, "nothing received")

    # -- closing --

    def close(self, *, abort: bool = False) -> None:
        """Close the socket (a graceful SHUTDOWN; ``abort``: an ABORT at once).

        Idempotent.  After it every method raises EBADF.
        """
        so, self._handle = self._handle, None
        if so is None:
            return
        if abort:
            # SO_LINGER with a zero timeout: usrsctp_close sends ABORT and
            # frees the association now, so usrsctp_finish can succeed.
            linger = _lib.Linger(1, 0)
            self._lib.setsockopt(
                so, _lib.SOL_SOCKET, _lib.SO_LINGER, ctypes.byref(linger), ctypes.sizeof(linger)
            )
        self._lib.close(so)
        self._stack._discard(self)

    def __enter__(self) -> Socket:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        where = "closed" if self._handle is None else f"handle=0x{self._handle:x}"
        return f"<usrsctp Socket family={self.family} type={self.type} {where}>"
