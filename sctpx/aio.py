"""asyncio for sctpx: associations, messages and accepts awaited without polling.

The same calls as sctpx's, as coroutines, for both kinds of socket:

* a kernel socket (``socket.socket``), which must be non-blocking
  (``sock.setblocking(False)``), as ``loop.sock_recv`` wants: a call that
  would block waits for the event loop's reader or writer callback on the
  descriptor, then is made again;
* a usrsctp :class:`~sctpx.usrsctp.Socket`, whatever its timeout: usrsctp
  calls the socket's upcall from its own thread whenever the socket can be
  read or written or has failed, and the upcall wakes the loop
  (``call_soon_threadsafe``).

Neither ever sleeps or polls on a timer; wrap a call in
``asyncio.wait_for`` for a timeout.  Cancelling a call leaves the socket as
it was (nothing is half sent: a message goes whole or not at all).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import sctpx
from sctpx import _assoc, _sockets
from sctpx._backend import FUNCTION
from sctpx._errors import error
from sctpx._message import AddressTuple, Message
from sctpx._values import SendInfo

__all__ = ["accept", "connectx", "recvmsg", "sendmsg"]

_T = TypeVar("_T")


async def connectx(sock: Any, addresses: Sequence[Any]) -> int:
    """Set up an association to ``addresses``; its id once it is up.

    A one-to-one kernel socket waits until the descriptor is writable and
    raises the association's error (SO_ERROR: ECONNREFUSED, ETIMEDOUT).  A
    one-to-many kernel socket returns the id once the INIT is on its way:
    its descriptor says nothing about one association (subscribe to
    ``Event.ASSOC_CHANGE`` to hear how it ends); messages sent to it
    meanwhile wait in the stack.  A usrsctp socket of either kind waits
    until the association is ESTABLISHED.
    """
    user = sctpx._usrsctp_socket(sock)
    if user is not None:
        assoc_id: int = user._start_connectx(addresses)
        try:
            with user._use(FUNCTION) as so:
                await _usrsctp_wait(user, lambda: user._up(so, assoc_id, FUNCTION))
        except BaseException as exc:
            _assoc.carry(exc, assoc_id)
            raise
        return assoc_id
    _require_non_blocking(sock)
    try:
        return sctpx.connectx(sock, addresses)
    except BlockingIOError as exc:
        assoc_id = int(getattr(exc, "assoc_id", 0))
    if sock.type == socket.SOCK_SEQPACKET:
        return assoc_id
    await _ready(sock.fileno(), write=True)
    err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if err:
        failure = error(err)
        _assoc.carry(failure, assoc_id)
        raise failure
    return assoc_id


async def sendmsg(
    sock: Any,
    data: bytes | bytearray | memoryview,
    info: SendInfo | None = None,
    *,
    to: tuple[Any, ...] | None = None,
) -> int:
    """:func:`sctpx.sendmsg`, waiting for room in the send buffer."""
    user = sctpx._usrsctp_socket(sock)
    if user is not None:
        return await _usrsctp_retry(user, lambda: user.sendmsg(data, info, to=to, timeout=0))
    _require_non_blocking(sock)
    return await _kernel_retry(sock, lambda: _sockets.sendmsg(sock, data, info, to), write=True)


async def recvmsg(sock: Any, bufsize: int = 65536) -> Message:
    """:func:`sctpx.recvmsg`, waiting for a message (or notification) to arrive."""
    user = sctpx._usrsctp_socket(sock)
    if user is not None:
        message: Message = await _usrsctp_retry(user, lambda: user.recvmsg(bufsize, timeout=0))
        return message
    _require_non_blocking(sock)
    return await _kernel_retry(sock, lambda: _sockets.recvmsg(sock, bufsize), write=False)


async def accept(sock: Any) -> tuple[Any, AddressTuple | None]:
    """The next association on a listening one-to-one socket: a new socket
    (non-blocking, for a kernel socket) and the peer's address."""
    user = sctpx._usrsctp_socket(sock)
    if user is not None:
        pair: tuple[Any, AddressTuple | None] = await _usrsctp_retry(
            user, lambda: user.accept(timeout=0)
        )
        return pair
    _require_non_blocking(sock)
    conn, address = await _kernel_retry(sock, sock.accept, write=False)
    conn.setblocking(False)
    return conn, address


# -- kernel sockets: the loop's reader and writer callbacks -------------------------


def _require_non_blocking(sock: Any) -> None:
    if not isinstance(sock, socket.socket):
        raise TypeError(f"sctpx.aio takes a socket.socket or a usrsctp Socket, not {sock!r}")
    if sock.gettimeout() != 0:
        raise ValueError("the socket must be non-blocking: call sock.setblocking(False)")


#: (loop, descriptor, writing) -> the futures waiting on it.  A loop keeps
#: one reader and one writer callback per descriptor, so tasks waiting on
#: the same socket (several accepts, a send and a receive) share them.
_WAITING: dict[tuple[asyncio.AbstractEventLoop, int, bool], set[asyncio.Future[None]]] = {}


async def _ready(fd: int, *, write: bool) -> None:
    """Until the loop sees ``fd`` readable (or writable)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[None] = loop.create_future()
    key = (loop, fd, write)
    waiting = _WAITING.get(key)
    if waiting is None:
        waiting = _WAITING[key] = set()

        def wake() -> None:
            # Every waiter retries its call; those still blocked wait again.
            for each in _WAITING.pop(key, set()):
                if not each.done():
                    each.set_result(None)
            (loop.remove_writer if write else loop.remove_reader)(fd)

        (loop.add_writer if write else loop.add_reader)(fd, wake)
    waiting.add(future)
    try:
        await future
    finally:
        left = _WAITING.get(key)
        if left is not None:
            left.discard(future)
            if not left:  # the last waiter gave up (cancelled): nobody needs the callback
                del _WAITING[key]
                (loop.remove_writer if write else loop.remove_reader)(fd)


async def _kernel_retry(sock: socket.socket, call: Callable[[], _T], *, write: bool) -> _T:
    while True:
        try:
            return call()
        except BlockingIOError:
            pass
        await _ready(sock.fileno(), write=write)


# -- usrsctp sockets: the upcall ----------------------------------------------------


async def _usrsctp_wait(user: Any, look: Callable[[], _T | None]) -> _T:
    """Until ``look()`` gives a value; woken by the socket's upcall.

    The future is armed before each look, so an event between the look and
    the wait still wakes it.
    """
    watch = user._watch()
    loop = asyncio.get_running_loop()
    while True:
        future: asyncio.Future[None] = loop.create_future()
        watch.arm(future)
        try:
            value = look()
            if value is not None:
                return value
            await future
        finally:
            watch.disarm(future)


async def _usrsctp_retry(user: Any, call: Callable[[], _T]) -> _T:
    def look() -> _T | None:
        try:
            return call()
        except BlockingIOError:
            return None

    return await _usrsctp_wait(user, look)
