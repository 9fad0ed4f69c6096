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
        assoc_id = sctpx.connectx(client, [("127.0.0.1", 5001)])  # waits until it is up
        peer, address = server.accept(timeout=5)

Bind both ends to 127.0.0.1: an unbound endpoint advertises every address
of the machine, and the peer would then send to them too.

Sockets block, time out and fail as kernel SCTP sockets do in Python:
``settimeout``/``setblocking`` as on ``socket.socket``; a blocking
``connectx`` returns once the association is up (usrsctp's own returns
before the handshake), a non-blocking one raises BlockingIOError
(EINPROGRESS) carrying ``assoc_id``, one with a timeout raises TimeoutError
carrying ``assoc_id`` when the association is not up in time.

Three traps of the library shape this module.  A thread blocked inside
usrsctp (``usrsctp_accept``, a blocking receive) is never woken by close
or shutdown, and ``usrsctp_finish`` then hangs; so every handle is
non-blocking and every wait polls from Python, where close, a timeout or a
signal can end it.  ``usrsctp_close`` frees the socket while another
thread may still be using the pointer; so each socket's handle counts the
calls in flight, a close ends them with EBADF and frees the pointer only
when the last one is out (``sctpx._handle``).  ``usrsctp_finish``
returns -1 while any association remains; so :meth:`Stack.stop` aborts the
sockets still open, retries for a bounded time and reports failure instead
of waiting forever, and start, stop and socket creation hold one process
lock so that no socket is ever made on a stack being finished.

``connectx`` checks its address list in Python first (EINVAL, and E2BIG
past the page's 2048-byte buffer, which keeps usrsctp's own ENOMEM for an
over-long list out of reach), then the handle (EBADF for a closed socket),
as usrsctp itself orders the checks.  ENOTSOCK cannot happen: a handle is
a ``struct socket *``, never a descriptor of something else.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import dataclasses
import enum
import errno
import os
import socket
import threading
import time
import warnings
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Final, TypeVar

from sctpx import _assoc, _checks
from sctpx import _usrsctp_lib as _lib
from sctpx._addr import SOCKADDR_IN6_SIZE, SOCKADDR_IN_SIZE, Address, pack, parse_addresses
from sctpx._assoc import POLL_INTERVAL, Deadline
from sctpx._backend import FUNCTION
from sctpx._errors import oserror
from sctpx._handle import Handle
from sctpx._layout import USRSCTP
from sctpx._message import Message
from sctpx._notifications import Event, EventSetting, parse_notification
from sctpx._options import option, option_size
from sctpx._sockets import OPT_PAGE, RECV_PAGE, SEND_PAGE, check_event, destinations
from sctpx._values import SendInfo, msg_flags, sendv_info, unpack_rcvinfo

__all__ = [
    "POLL_INTERVAL",
    "SOCKET_TIMEOUT",
    "Message",
    "Socket",
    "Stack",
    "Status",
    "running",
    "start",
]

_WOULD_BLOCK = frozenset({errno.EAGAIN, errno.EWOULDBLOCK, errno.EINPROGRESS})
#: The ABI of usrsctp's structs (sctpx._layout), for options and metadata.
_USRSCTP: Final = USRSCTP

AddressTuple = tuple[str, int] | tuple[str, int, int, int]
_T = TypeVar("_T")


class _Default(enum.Enum):
    SOCKET_TIMEOUT = enum.auto()


#: The default of every ``timeout`` argument: the socket's own timeout
#: (:meth:`Socket.settimeout`), as ``socket.socket`` methods use theirs.
SOCKET_TIMEOUT: Final = _Default.SOCKET_TIMEOUT
Timeout = float | None | _Default


def _check(result: int, function: str) -> int:
    if result < 0:
        raise oserror(ctypes.get_errno(), function)
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
        # Guards _sockets and _open: taken by accept on a socket's behalf,
        # so it must never be held while waiting for a call to end.
        self._lock = threading.Lock()
        self._sockets: set[Socket] = set()
        self._open = True  # False while stop() closes the sockets: adopt none

    def set_sysctl(self, name: str, value: int) -> None:
        """Set ``sctp_<name>`` (e.g. ``rto_initial_default``, ``blackhole``).

        Sysctls are defaults copied into each new association, so set them
        before connecting.  Unknown names raise AttributeError, values that
        are no 32-bit unsigned int ValueError, values out of the sysctl's
        own range EINVAL.
        """
        setter = _sysctl_setter(self._lib, name, value)
        with _PROCESS.lock:
            if not self.running:
                raise RuntimeError("the usrsctp stack has been stopped")
            _check(setter(value), f"usrsctp_sysctl_set_sctp_{name}")

    def _adopt(self, sock: Socket) -> None:
        with self._lock:
            if not self._open:
                # stop() is closing every socket: a new one would outlive it.
                raise OSError(
                    errno.EBADF, f"{os.strerror(errno.EBADF)} [usrsctp: the stack is stopping]"
                )
            self._sockets.add(sock)

    def _discard(self, sock: Socket) -> None:
        with self._lock:
            self._sockets.discard(sock)

    def stop(self, timeout: float = 3.0) -> bool:
        """Abort the sockets still open and end the stack within ``timeout`` seconds.

        Returns True once ``usrsctp_finish`` succeeded.  When associations
        outlive the bound (a peer that never answers a graceful SHUTDOWN of
        a socket closed earlier), warns, returns False and leaves the stack
        running and usable; calling ``stop`` again retries.  Calls in flight
        on the sockets it closes end with EBADF.  :func:`start` and new
        sockets wait until ``stop`` is done.
        """
        seconds = _checks.timeout(timeout)
        with _PROCESS.lock:
            if not self.running:
                return True
            with self._lock:
                self._open = False
                left = list(self._sockets)
            try:
                for sock in left:
                    sock.close(abort=True)
                deadline = Deadline.after(seconds)
                while self._lib.finish() != 0:
                    if deadline.passed():
                        warnings.warn(
                            f"usrsctp_finish still refused after {timeout:g} s (associations "
                            "remain); the usrsctp stack keeps running",
                            RuntimeWarning,
                            stacklevel=2,
                        )
                        return False
                    time.sleep(POLL_INTERVAL)
                self.running = False
                if _PROCESS.stack is self:
                    _PROCESS.stack = None
                return True
            finally:
                if self.running:
                    with self._lock:
                        self._open = True

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


def _sysctl_setter(lib: _lib.Library, name: object, value: object) -> Any:
    """The setter of sysctl ``name`` after checking ``value`` fits its uint32_t."""
    if not isinstance(name, str):
        raise TypeError(f"sysctl names are str, not {type(name).__name__}")
    _checks.integer(f"sctp_{name}", value, 0, _checks.U32_MAX)
    try:
        return lib.sysctl_setter(name)
    except AttributeError:
        raise AttributeError(f"usrsctp has no sysctl sctp_{name}") from None


class _Process:
    """The stack of this process.

    Module-level state, against the house habit, because usrsctp's own
    state is process-wide: a second ``usrsctp_init`` while one runs would
    corrupt it, so the record of it cannot be narrower than the process.
    The lock makes start, stop and socket creation linearizable; it is
    re-entrant so that a signal handler calling ``stop()`` while its
    thread is inside ``start()`` does not deadlock.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.stack: Stack | None = None


_PROCESS = _Process()


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
    stack already running on another UDP port raises RuntimeError.  Values
    are checked before the stack starts; a stack this call started is
    stopped again if a sysctl is refused.

    Raises :class:`sctpx.BackendUnavailable` without libusrsctp.so.2.
    """
    _checks.integer("udp_port", udp_port, 0, _checks.U16_MAX)
    lib = _lib.load()
    wanted = dict(sysctls)
    if rto_initial is not None:
        wanted["rto_initial_default"] = rto_initial
    if blackhole is not None:
        wanted["blackhole"] = blackhole
    setters = {name: _sysctl_setter(lib, name, value) for name, value in wanted.items()}
    with _PROCESS.lock:
        stack = _PROCESS.stack
        made = stack is None
        if stack is None:
            lib.init(udp_port, None, None)
            stack = _PROCESS.stack = Stack(lib, udp_port)
        elif stack.udp_port != udp_port:
            raise RuntimeError(
                f"the usrsctp stack already runs on UDP port {stack.udp_port}; "
                "usrsctp allows one stack per process"
            )
        # After usrsctp_init: sctp_init() resets every sysctl to its default.
        try:
            for name, setter in setters.items():
                _check(setter(wanted[name]), f"usrsctp_sysctl_set_sctp_{name}")
        except OSError:
            if made:
                stack.stop()
            raise
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


def _prepare(lib: _lib.Library, pointer: int) -> None:
    """Make a new handle non-blocking and have receives report their association.

    Non-blocking for good: a thread inside a blocking usrsctp call could
    never be woken; the sockets' blocking mode lives in Python.
    """
    _check(lib.set_non_blocking(pointer, 1), "usrsctp_set_non_blocking")
    on = ctypes.c_int(1)
    _check(
        lib.setsockopt(
            pointer, _lib.IPPROTO_SCTP, _lib.SCTP_RECVRCVINFO, ctypes.byref(on), ctypes.sizeof(on)
        ),
        "SCTP_RECVRCVINFO",
    )


class _Watch:
    """The asyncio futures waiting on one socket, woken by usrsctp's upcall.

    usrsctp calls the upcall from its own threads whenever the socket can
    be read or written, or has failed; the upcall only hands each waiting
    future to its event loop's thread (``call_soon_threadsafe``), which
    then retries its call.  A wake-up without progress costs one retry, and
    nothing ever polls.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: set[Any] = set()
        # Kept alive here for as long as usrsctp may call it.
        self.callback = _lib.UPCALL(self._upcall)

    def arm(self, future: Any) -> None:
        with self._lock:
            self._waiters.add(future)

    def disarm(self, future: Any) -> None:
        with self._lock:
            self._waiters.discard(future)

    def wake_all(self) -> None:
        with self._lock:
            waiters, self._waiters = self._waiters, set()
        for future in waiters:
            # RuntimeError: its loop is closed, and nobody waits any more.
            with contextlib.suppress(RuntimeError):
                future.get_loop().call_soon_threadsafe(_resolve, future)

    def _upcall(self, so: int | None, arg: int | None, flags: int) -> None:
        # On a usrsctp thread: an exception here could only be printed.
        with contextlib.suppress(BaseException):
            self.wake_all()


def _resolve(future: Any) -> None:
    if not future.done():
        future.set_result(None)


#: Sockets with an upcall set, whose upcalls are cleared at exit: usrsctp's
#: threads outlive the interpreter's finalisation and must not call into it.
_WATCHED: weakref.WeakSet[Socket] = weakref.WeakSet()


@atexit.register
def _clear_upcalls() -> None:
    for sock in list(_WATCHED):
        sock._unwatch()


def _freer(lib: _lib.Library) -> Callable[[int, bool], None]:
    def free(pointer: int, abort: bool) -> None:
        lib.set_upcall(pointer, _lib.NO_UPCALL, None)  # no upcall into a socket being freed
        if abort:
            # SO_LINGER with a zero timeout: usrsctp_close sends ABORT and
            # frees the association now, so usrsctp_finish can succeed.
            linger = _lib.Linger(1, 0)
            lib.setsockopt(
                pointer,
                _lib.SOL_SOCKET,
                _lib.SO_LINGER,
                ctypes.byref(linger),
                ctypes.sizeof(linger),
            )
        lib.close(pointer)

    return free


class Socket:
    """A usrsctp socket: ``SOCK_STREAM`` (one-to-one) or ``SOCK_SEQPACKET`` (one-to-many).

    The handle is usrsctp's ``struct socket *``, not a file descriptor; it
    stays valid for every call in flight.  A closed socket raises EBADF
    from every method, and a close from another thread (or by
    :meth:`Stack.stop`) ends the calls waiting on it with EBADF.  Waiting
    methods (:meth:`accept`, :meth:`connectx`, :meth:`recv`, :meth:`send`,
    :meth:`wait_established`) poll from Python: no thread ever sleeps
    inside usrsctp.  Their ``timeout`` defaults to the socket's
    (:meth:`settimeout`); 0 means do not wait (BlockingIOError), None wait
    as long as it takes.
    """

    def __init__(self, family: int = socket.AF_INET, type: int = socket.SOCK_STREAM) -> None:
        if family not in (socket.AF_INET, socket.AF_INET6):
            raise oserror(errno.EAFNOSUPPORT, "usrsctp_socket")
        if type not in (socket.SOCK_STREAM, socket.SOCK_SEQPACKET):
            raise oserror(errno.EPROTOTYPE, "usrsctp_socket")
        # Under the process lock: stop() cannot finish the stack between the
        # check that it runs and the socket joining it.
        with _PROCESS.lock:
            stack = _PROCESS.stack
            if stack is None:
                # usrsctp_socket before usrsctp_init dereferences uninitialised state.
                raise RuntimeError(
                    "the usrsctp stack is not running: call sctpx.usrsctp.start() first"
                )
            lib = stack._lib
            pointer = lib.socket(family, type, _lib.IPPROTO_SCTP, None, None, 0, None)
            if not pointer:
                raise oserror(ctypes.get_errno(), "usrsctp_socket")
            self._setup(stack, pointer, family, type)

    @classmethod
    def _adopt(cls, stack: Stack, pointer: int, family: int, type: int) -> Socket:
        """A Socket for a handle usrsctp made (accept); the handle is closed if that fails."""
        sock = cls.__new__(cls)
        sock._setup(stack, pointer, family, type)
        return sock

    def _setup(self, stack: Stack, pointer: int, family: int, type: int) -> None:
        free = _freer(stack._lib)
        try:
            _prepare(stack._lib, pointer)
            self._stack = stack
            self._lib = stack._lib
            self.family = family
            self.type = type
            self._timeout = _checks.timeout(socket.getdefaulttimeout())
            self._handle = Handle(pointer, free)
            # usrsctp leaves receives on one socket unserialised in user
            # space (sctp_sorecvmsg takes the socket buffer's sblock only in
            # FreeBSD's kernel), so the calls on a socket go into usrsctp one
            # at a time.  Held for one C call only, never for a wait.
            self._io = threading.Lock()
            self._watcher: _Watch | None = None
            self._watch_lock = threading.Lock()
            stack._adopt(self)
        except BaseException:
            free(pointer, True)  # never leak a handle usrsctp made
            raise

    @contextmanager
    def _use(self, function: str) -> Iterator[int]:
        """The handle's pointer, held for the duration; EBADF once closed."""
        with self._handle.use(lambda: _closed(function)) as pointer:
            yield pointer

    @property
    def closed(self) -> bool:
        return self._handle.closed

    # -- blocking and timeouts, as on socket.socket --

    def settimeout(self, value: float | None) -> None:
        """None: block; 0: non-blocking; seconds: wait at most that long."""
        self._timeout = _checks.timeout(value)

    def gettimeout(self) -> float | None:
        return self._timeout

    def setblocking(self, flag: bool) -> None:
        """``setblocking(flag)`` is ``settimeout(None if flag else 0)``."""
        self.settimeout(None if flag else 0.0)

    def getblocking(self) -> bool:
        return self._timeout != 0.0

    def _deadline(self, timeout: Timeout) -> Deadline:
        seconds = self._timeout if timeout is SOCKET_TIMEOUT else _checks.timeout(timeout)
        return Deadline.after(seconds)

    def _poll(
        self,
        attempt: Callable[[int], _T | None],
        function: str,
        timeout: Timeout,
        what: str,
    ) -> _T:
        """Call ``attempt(pointer)`` until it gives a value, the timeout passes or close.

        ``attempt`` returns None when the call would block; any other errno
        is raised, and so is the would-block errno (BlockingIOError) when
        the timeout is 0.
        """
        deadline = self._deadline(timeout)
        with self._use(function) as pointer:
            while True:
                if self._handle.closed:
                    raise _closed(function)
                result = attempt(pointer)
                if result is not None:
                    return result
                err = ctypes.get_errno()
                if err not in _WOULD_BLOCK:
                    raise oserror(err, function)
                if deadline.timeout == 0:
                    raise oserror(err, function)  # BlockingIOError
                if deadline.passed():
                    raise TimeoutError(errno.ETIMEDOUT, f"{what} in {deadline.timeout:g} s")
                time.sleep(POLL_INTERVAL)

    # -- asyncio (sctpx.aio) --

    def _watch(self) -> _Watch:
        """The socket's watch, its upcall set on first use."""
        with self._watch_lock:
            if self._watcher is None:
                watcher = _Watch()
                with self._use("usrsctp_set_upcall") as so:
                    _check(self._lib.set_upcall(so, watcher.callback, None), "usrsctp_set_upcall")
                self._watcher = watcher
                _WATCHED.add(self)
            return self._watcher

    def _unwatch(self) -> None:
        """Clear the upcall (at exit); waiters are woken to meet what follows."""
        with contextlib.suppress(OSError), self._use("usrsctp_set_upcall") as so:
            self._lib.set_upcall(so, _lib.NO_UPCALL, None)
        if self._watcher is not None:
            self._watcher.wake_all()

    # -- addresses --

    def bind(self, address: AddressTuple) -> None:
        """Bind to one local ``(host, port)``; bind to 127.0.0.1, not all addresses."""
        _, packed = _sockaddr(address, "usrsctp_bind")
        buf = ctypes.create_string_buffer(packed, len(packed))
        with self._use("usrsctp_bind") as so:
            with self._io:
                result = self._lib.bind(so, buf, len(packed))
            _check(result, "usrsctp_bind")

    def bindx(self, addresses: Sequence[AddressTuple], add: bool = True) -> None:
        """Add (or remove) local addresses: ``usrsctp_bindx``."""
        try:
            addrs = parse_addresses(addresses)
        except OSError as exc:
            raise oserror(exc.errno or errno.EINVAL, "sctp_bindx") from exc
        packed = pack(addrs, "linux")
        buf = ctypes.create_string_buffer(packed, len(packed))
        flags = _lib.SCTP_BINDX_ADD_ADDR if add else _lib.SCTP_BINDX_REM_ADDR
        with self._use("sctp_bindx") as so:
            with self._io:
                result = self._lib.bindx(so, buf, len(addrs), flags)
            _check(result, "sctp_bindx")

    def listen(self, backlog: int = 5) -> None:
        _checks.integer("backlog", backlog, 0, _checks.INT_MAX)
        with self._use("usrsctp_listen") as so:
            with self._io:
                result = self._lib.listen(so, backlog)
            _check(result, "usrsctp_listen")

    def accept(self, timeout: Timeout = SOCKET_TIMEOUT) -> tuple[Socket, AddressTuple | None]:
        """Wait for an association and return a socket for it, with the peer's address.

        Polls the non-blocking listener: a thread inside ``usrsctp_accept``
        could never be woken, and would hang ``usrsctp_finish``.  Raises
        TimeoutError when none arrives within the timeout, BlockingIOError
        at once when the timeout is 0.  The new socket takes the default
        timeout (``socket.getdefaulttimeout()``, normally None: it blocks),
        as ``socket.accept`` gives it.
        """
        storage = _lib.SockaddrStorage()

        def attempt(so: int) -> tuple[Socket, AddressTuple | None] | None:
            length = ctypes.c_uint32(ctypes.sizeof(storage))
            with self._io:
                new = self._lib.accept(so, ctypes.byref(storage), ctypes.byref(length))
            if not new:
                return None
            sock = Socket._adopt(self._stack, new, self.family, self.type)
            return sock, _from_storage(storage)

        return self._poll(attempt, "usrsctp_accept", timeout, "no association to accept")

    def connectx(self, addresses: Sequence[AddressTuple]) -> int:
        """``usrsctp_connectx``: set up an association to ``addresses``; its id.

        As on a kernel socket: a blocking socket returns once the
        association is up and raises its error (e.g. ECONNREFUSED after an
        ABORT) if it fails; a non-blocking socket raises BlockingIOError
        (EINPROGRESS) with the id in ``assoc_id``; a socket with a timeout
        raises TimeoutError with ``assoc_id`` when the association is not
        up in time.  (usrsctp_connectx itself always returns at once.)  The
        documented errors are raised as the page describes them; the stack
        may add others (EADDRINUSE for a one-to-one socket already
        connected, EALREADY when an association to one of the addresses
        exists).  A listening one-to-one socket connects, as on FreeBSD
        (Linux raises EISCONN).
        """
        assoc_id = self._start_connectx(addresses)
        try:
            if self._timeout == 0:
                # As the kernel's: EINPROGRESS once the INIT is on its way,
                # even if an ABORT already came back (wait_established says).
                raise _assoc.in_progress(assoc_id, FUNCTION)
            self._wait_up(assoc_id, SOCKET_TIMEOUT, FUNCTION)
        except BaseException as exc:
            # Whatever ends the wait -- the association's error, the timeout,
            # a close, a signal handler's exception -- says which association.
            _assoc.carry(exc, assoc_id)
            raise
        return assoc_id

    def _association_to(self, peer: Sequence[Address]) -> int:
        """The association to the peer at ``peer``: set up now, or the one there is."""
        try:
            return self._start_connectx([a.as_tuple() for a in peer])
        except OSError as exc:
            if exc.errno not in (errno.EALREADY, errno.EISCONN, errno.EADDRINUSE):
                raise
        # One exists (being set up, or up): it is the association to send on.
        return self.getassocid(peer[0].as_tuple())

    def _start_connectx(self, addresses: Sequence[AddressTuple]) -> int:
        """``usrsctp_connectx`` alone: the INIT goes out; the association's id."""
        addrs = parse_addresses(addresses)
        packed = pack(addrs, "linux")
        buf = ctypes.create_string_buffer(packed, len(packed))
        assoc = ctypes.c_uint32(0)
        # The bound function raises the page's OSError on -1 (stub errcheck).
        with self._use(FUNCTION) as so, self._io:
            self._lib.connectx(so, buf, len(addrs), ctypes.byref(assoc))
        return assoc.value

    def _addrs(self, assoc_id: int, which: str) -> list[AddressTuple]:
        function = f"sctp_get{which}addrs"
        _checks.assoc_id(assoc_id, function)
        get = self._lib.getpaddrs if which == "p" else self._lib.getladdrs
        free = self._lib.freepaddrs if which == "p" else self._lib.freeladdrs
        ptr = ctypes.c_void_p()
        # The stub's errcheck raises sctp_getpaddrs(3)'s documented errors.
        with self._use(function) as so, self._io:
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

    def getassocid(self, address: AddressTuple) -> int:
        """The id of the association whose peer has ``address``; ENOENT for none.

        ``usrsctp_getassocid`` with ``sctp_getassocid(3)``'s errors.
        """
        _, packed = _sockaddr(address, "sctp_getassocid")
        buf = ctypes.create_string_buffer(packed, len(packed))
        with self._use("sctp_getassocid") as so, self._io:
            return int(self._lib.getassocid(so, buf))

    def peeloff(self, assoc_id: int) -> Socket:
        """Branch association ``assoc_id`` off this one-to-many socket: a new
        one-to-one :class:`Socket` for it (``usrsctp_peeloff``), with this
        socket's timeout.  Raises the errors of ``sctp_peeloff(2)``.
        """
        _checks.assoc_id(assoc_id, "sctp_peeloff")
        with self._use("sctp_peeloff") as so:
            with self._io:
                new = self._lib.peeloff(so, assoc_id)
            if not new:
                raise oserror(ctypes.get_errno(), "sctp_peeloff")
            sock = Socket._adopt(self._stack, new, self.family, socket.SOCK_STREAM)
        sock._timeout = self._timeout
        return sock

    # -- options --

    def _setsockopt(self, level: int, name: int, value: ctypes.Structure, function: str) -> None:
        with self._use(function) as so, self._io:
            result = self._lib.setsockopt(
                so, level, name, ctypes.byref(value), ctypes.sizeof(value)
            )
        _check(result, function)

    def setsockopt(self, name: str, value: object) -> None:
        """Set SCTP option ``name`` (its C name, ``"SCTP_INITMSG"``) to the typed ``value``.

        The same options and values as :func:`sctpx.setsockopt` on a kernel
        socket, packed as usrsctp's structs are laid out.
        """
        opt = option(name)
        raw = opt.pack(value, _USRSCTP)
        buf = ctypes.create_string_buffer(raw, len(raw))
        function = f"usrsctp_setsockopt {name}"
        with self._use(function) as so:
            with self._io:
                result = self._lib.setsockopt(
                    so, _lib.IPPROTO_SCTP, opt.number(_USRSCTP), buf, len(raw)
                )
            _check(result, function)

    def getsockopt(self, name: str, query: object | None = None) -> object:
        """SCTP option ``name`` as its typed value; ``query`` names what to read
        (an association id, a peer address) where the option takes one."""
        opt = option(name)
        empty = bytes(option_size(name, _USRSCTP))
        data = empty if query is None else opt.pack(query, _USRSCTP)
        buf = ctypes.create_string_buffer(data, len(data))
        size = ctypes.c_uint32(len(data))
        function = OPT_PAGE  # sctp_opt_info(3) is the page of reading an option
        with self._use(function) as so:
            with self._io:
                result = self._lib.getsockopt(
                    so, _lib.IPPROTO_SCTP, opt.number(_USRSCTP), buf, ctypes.byref(size)
                )
            _check(result, function)
        return opt.unpack(buf.raw[: size.value], _USRSCTP)

    def subscribe(self, *events: Event, on: bool = True, assoc_id: int = 0) -> None:
        """Receive notifications of ``events`` (or stop, ``on=False``) through
        :meth:`recvmsg`; SCTP_EVENT for each kind."""
        for event in events:
            check_event(event)
        for event in events:
            self.setsockopt("SCTP_EVENT", EventSetting(event, on, assoc_id))

    def set_udp_encaps(self, remote_port: int, assoc_id: int = 0) -> None:
        """Send to the peer over UDP port ``remote_port`` (SCTP_REMOTE_UDP_ENCAPS_PORT)."""
        _checks.integer("remote_port", remote_port, 0, _checks.U16_MAX)
        encaps = _lib.UdpEncaps()
        encaps.sue_assoc_id = _checks.assoc_id(assoc_id, "SCTP_REMOTE_UDP_ENCAPS_PORT")
        encaps.sue_port = socket.htons(remote_port)
        self._setsockopt(
            _lib.IPPROTO_SCTP,
            _lib.SCTP_REMOTE_UDP_ENCAPS_PORT,
            encaps,
            "SCTP_REMOTE_UDP_ENCAPS_PORT",
        )

    def _status(self, so: int, assoc_id: int) -> Status | int:
        """SCTP_STATUS of ``assoc_id`` on a held handle, or the errno of its failure."""
        raw = _lib.Status()
        raw.sstat_assoc_id = assoc_id
        length = ctypes.c_uint32(ctypes.sizeof(raw))
        with self._io:
            result = self._lib.getsockopt(
                so, _lib.IPPROTO_SCTP, _lib.SCTP_STATUS, ctypes.byref(raw), ctypes.byref(length)
            )
        if result < 0:
            return ctypes.get_errno()
        return Status(
            assoc_id=raw.sstat_assoc_id,
            state=raw.sstat_state,
            primary=_from_storage(raw.sstat_primary.spinfo_address),
            inbound_streams=raw.sstat_instrms,
            outbound_streams=raw.sstat_outstrms,
        )

    def status(self, assoc_id: int = 0) -> Status:
        """``SCTP_STATUS`` of association ``assoc_id`` (0: a one-to-one socket's)."""
        _checks.assoc_id(assoc_id, "SCTP_STATUS")
        with self._use("SCTP_STATUS") as so:
            status = self._status(so, assoc_id)
        if isinstance(status, int):
            raise oserror(status, "SCTP_STATUS")
        return status

    def _so_error(self, so: int) -> int:
        value = ctypes.c_int(0)
        length = ctypes.c_uint32(ctypes.sizeof(value))
        with self._io:
            result = self._lib.getsockopt(
                so, _lib.SOL_SOCKET, socket.SO_ERROR, ctypes.byref(value), ctypes.byref(length)
            )
        _check(result, "SO_ERROR")
        return value.value

    def so_error(self) -> int:
        """The pending socket error (SO_ERROR), e.g. ECONNREFUSED after an ABORT."""
        with self._use("SO_ERROR") as so:
            return self._so_error(so)

    def _wait_up(self, assoc_id: int, timeout: Timeout, function: str) -> Status:
        """Wait for association ``assoc_id`` to be ESTABLISHED, as the kernel's connect does.

        An association that ends raises the socket's error (SO_ERROR, e.g.
        ECONNREFUSED) on a one-to-one socket, ECONNABORTED on a one-to-many
        one, where usrsctp keeps no error for it.
        """
        deadline = self._deadline(timeout)
        with self._use(function) as so:
            while True:
                status = self._up(so, assoc_id, function)
                if status is not None:
                    return status
                if deadline.timeout == 0:
                    raise _assoc.in_progress(assoc_id, function)
                if deadline.passed():
                    raise _assoc.timed_out(assoc_id, deadline, function)
                time.sleep(POLL_INTERVAL)

    def _up(self, so: int, assoc_id: int, function: str) -> Status | None:
        """One look at association ``assoc_id``: its status once ESTABLISHED,
        None while it is being set up; its failure raised."""
        if self._handle.closed:
            raise _closed(function)
        status = self._status(so, assoc_id)
        if isinstance(status, Status):
            return status if status.established else None
        # EINVAL (one-to-one) or ENOENT (one-to-many): no association.
        if status not in (errno.EINVAL, errno.ENOENT):
            raise oserror(status, function)
        failed = self._so_error(so)
        raise oserror(failed, function) if failed else _assoc.ended(assoc_id, function)

    def wait_established(self, timeout: Timeout = SOCKET_TIMEOUT, assoc_id: int = 0) -> Status:
        """Wait until association ``assoc_id`` is ESTABLISHED; its status.

        For an association set up by a non-blocking :meth:`connectx`
        (``BlockingIOError.assoc_id``).  Its failure raises the socket's
        error (SO_ERROR, e.g. ECONNREFUSED) as an OSError; TimeoutError
        (with ``assoc_id``) when it is neither up nor failed in time.
        """
        _checks.assoc_id(assoc_id, "SCTP_STATUS")
        return self._wait_up(assoc_id, timeout, "wait_established")

    # -- data --

    def send(
        self,
        data: bytes | bytearray | memoryview,
        *,
        assoc_id: int = 0,
        timeout: Timeout = SOCKET_TIMEOUT,
    ) -> int:
        """Send ``data`` as one message; the byte count.  Waits for buffer space.

        On a one-to-many socket ``assoc_id`` names the association.  With
        no association to send on raises ENOTCONN on a one-to-one socket
        (not connected yet, or ended; usrsctp says ENOENT), and the page's
        ENOENT on a one-to-many socket (none, or no such ``assoc_id``).
        """
        _checks.assoc_id(assoc_id, SEND_PAGE)
        info = SendInfo(assoc_id=assoc_id) if assoc_id else None
        return self.sendmsg(data, info, timeout=timeout)

    def sendmsg(
        self,
        data: bytes | bytearray | memoryview,
        info: SendInfo | None = None,
        *,
        to: AddressTuple | Sequence[AddressTuple] | None = None,
        timeout: Timeout = SOCKET_TIMEOUT,
    ) -> int:
        """Send ``data`` as one message with ``info``'s metadata; the byte count.

        ``info`` (an :class:`sctpx.SendInfo`) gives the stream, the PPID (an
        int, sent in network byte order), flags such as
        ``MsgFlag.UNORDERED``, the context, a PR-SCTP lifetime and, on a
        one-to-many socket, the association; ``to`` a peer address instead,
        or a list of the peer's addresses (``sctp_sendx``): a one-to-many
        socket sets the association up on the way.  Waits
        for buffer space.  Errors are ``sctp_sendmsg(3)``'s; with no
        association to send on, ENOTCONN on a one-to-one socket (usrsctp
        says ENOENT) and ENOENT on a one-to-many one, as the page says.
        """
        if info is not None and not isinstance(info, SendInfo):
            raise TypeError(f"info must be a SendInfo, not {type(info).__name__}")
        payload = bytes(memoryview(data))  # a buffer; bytes(5) would be five zero bytes
        addrs: Any = None
        addrcnt = 0
        if to is not None:
            peer = destinations(to)
            if len(peer) > 1:
                # usrsctp_sendv takes one address: as FreeBSD's sctp_sendx does,
                # set the association up to all of them, then send on it (the
                # message waits in the stack until the association is up).
                assoc = self._association_to(peer)
                info = dataclasses.replace(info or SendInfo(), assoc_id=assoc)
                peer = []
            packed = pack(peer, "linux")
            addrs = ctypes.create_string_buffer(packed, len(packed)) if peer else None
            addrcnt = len(peer)
        info_buf: Any = None
        infolen, infotype = 0, _lib.SCTP_SENDV_NOINFO
        if info is not None:
            infotype, raw = sendv_info(info, "usrsctp")
            info_buf = ctypes.create_string_buffer(raw, len(raw))
            infolen = len(raw)
        buf = ctypes.create_string_buffer(payload, len(payload))
        assoc_id = 0 if info is None else info.assoc_id

        def attempt(so: int) -> int | None:
            with self._io:
                sent = self._lib.sendv(
                    so, buf, len(payload), addrs, addrcnt, info_buf, infolen, infotype, 0
                )
            if sent < 0 and ctypes.get_errno() == errno.ENOENT and to is None:
                if self.type == socket.SOCK_SEQPACKET:
                    # The page's own case: no association to send on
                    # found on a one-to-many socket.
                    exc = oserror(errno.ENOENT, SEND_PAGE)
                    if assoc_id:
                        exc.strerror = f"{exc.strerror} (no association {assoc_id})"
                    raise exc
                # The page's ENOTCONN for a one-to-one socket.
                exc = oserror(errno.ENOTCONN, SEND_PAGE)
                exc.strerror = f"{exc.strerror} (connect first, or it has ended)"
                raise exc
            return int(sent) if sent >= 0 else None

        return self._poll(attempt, SEND_PAGE, timeout, "no send buffer space")

    def recvmsg(self, bufsize: int, timeout: Timeout = SOCKET_TIMEOUT) -> Message:
        """Receive the next piece of a message, or a notification, up to ``bufsize`` bytes.

        ``Message.eor`` is True when this piece ends its message (MSG_EOR);
        a message longer than ``bufsize`` comes in several receives.
        ``Message.info`` has the metadata (stream, PPID, flags, association);
        a notification subscribed to (:meth:`subscribe`) comes as a message
        whose ``notification`` is the typed value.  TimeoutError when
        nothing arrives within the timeout.
        """
        return self._recvmsg(bufsize, timeout, notifications=True)

    def _recvmsg(self, bufsize: int, timeout: Timeout, notifications: bool) -> Message:
        _checks.integer("bufsize", bufsize, 1, _checks.INT_MAX)
        buf = ctypes.create_string_buffer(bufsize)
        storage = _lib.SockaddrStorage()
        info = _lib.RcvInfo()

        def attempt(so: int) -> Message | None:
            while True:
                fromlen = ctypes.c_uint32(ctypes.sizeof(storage))
                infolen = ctypes.c_uint32(ctypes.sizeof(info))
                infotype = ctypes.c_uint(0)
                flags = ctypes.c_int(0)
                with self._io:
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
                data = buf.raw[:got]
                eor, is_note = msg_flags(flags.value, "usrsctp")
                if is_note:
                    if not notifications:
                        continue
                    note = parse_notification(data, "usrsctp") if eor else None
                    return Message(data, eor, None, None, note, flags.value)
                rcv = None
                if infotype.value == _lib.SCTP_RECVV_RCVINFO:
                    raw = ctypes.string_at(ctypes.addressof(info), ctypes.sizeof(info))
                    rcv = unpack_rcvinfo(raw, "usrsctp", flags.value)
                address = _from_storage(storage) if got else None
                return Message(data, eor, address, rcv, None, flags.value)

        return self._poll(attempt, RECV_PAGE, timeout, "nothing received")

    def recv(self, bufsize: int, timeout: Timeout = SOCKET_TIMEOUT) -> bytes:
        """Receive up to ``bufsize`` bytes of the next message; b"" once it has ended.

        As ``socket.recv`` on a kernel SCTP socket: a message longer than
        ``bufsize`` comes in pieces, with no mark of where it ends -- use
        :meth:`recvmsg` to see message boundaries.  Notifications are
        skipped: :meth:`recvmsg` returns them.
        """
        return self._recvmsg(bufsize, timeout, notifications=False).data

    # -- closing --

    def shutdown(self, how: int) -> None:
        """``usrsctp_shutdown``: SHUT_RD, SHUT_WR or SHUT_RDWR, as ``socket.shutdown``.

        SCTP has no half-open association: SHUT_WR starts the graceful
        SHUTDOWN, after which the peer reads what was sent and then b"",
        and neither side can send more; what the peer had sent before can
        still be received here.  One-to-many sockets raise EOPNOTSUPP.
        """
        if how not in (socket.SHUT_RD, socket.SHUT_WR, socket.SHUT_RDWR):
            raise oserror(errno.EINVAL, "usrsctp_shutdown")
        with self._use("usrsctp_shutdown") as so:
            with self._io:
                result = self._lib.shutdown(so, how)
            _check(result, "usrsctp_shutdown")

    def close(self, *, abort: bool = False) -> None:
        """Close the socket (a graceful SHUTDOWN; ``abort``: an ABORT at once).

        Idempotent.  Calls in flight on this socket in other threads end
        with EBADF before the handle is freed; after it every method raises
        EBADF.
        """
        if self._handle.close(abort):
            self._stack._discard(self)
        if self._watcher is not None:
            self._watcher.wake_all()  # asyncio waiters retry, and meet EBADF

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
        pointer = self._handle.pointer
        where = "closed" if pointer is None else f"handle=0x{pointer:x}"
        return f"<usrsctp Socket family={self.family} type={self.type} {where}>"


def _closed(function: str) -> OSError:
    """EBADF for a closed socket: the page's error for the page's functions."""
    exc = oserror(errno.EBADF, function)
    # The page's condition speaks of descriptors; say what happened here.
    exc.strerror = f"{exc.strerror} (the socket is closed)"
    return exc
