"""The Linux kernel backend: libsctp's ``sctp_connectx`` at symbol version VERS_3.

libsctp exports three versions of ``sctp_connectx``; a plain ctypes lookup
finds the oldest, which returns 0 but never writes the association id.
The version a C program gets when it links with ``-lsctp`` is VERS_3, so
it is looked up with ``dlvsym``.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import socket
import struct
from collections.abc import Sequence
from functools import cache
from typing import Any

from sctpx import _stub
from sctpx._addr import Layout
from sctpx._backend import FUNCTION, BackendUnavailable, Waiter, call, prototype
from sctpx._sockets import getsockopt_raw

LIBRARY = "libsctp.so.1"
VERSION = b"VERS_3"


@cache
def _function() -> Any:
    try:
        lib = ctypes.CDLL(LIBRARY, use_errno=True)
    except OSError as exc:
        raise BackendUnavailable(
            f"{LIBRARY} is not installed (Debian: apt-get install libsctp1): {exc}"
        ) from None
    libc = ctypes.CDLL(None, use_errno=True)
    dlvsym = libc.dlvsym
    dlvsym.restype = ctypes.c_void_p
    dlvsym.argtypes = (ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p)
    address = dlvsym(lib._handle, FUNCTION.encode(), VERSION)
    if not address:
        raise BackendUnavailable(f"{LIBRARY} has no {FUNCTION}@{VERSION.decode()}")
    return _stub.bind(prototype()(address), FUNCTION)


# <linux/sctp.h>
SOL_SCTP = 132
SCTP_STATUS = 14
SCTP_GET_PEER_ADDR_INFO = 15
SCTP_STATE_ESTABLISHED = 4  # enum sctp_sstat_state; the SHUTDOWN states follow it
# struct sctp_status: 24 bytes, then a struct sctp_paddrinfo (packed, 4-aligned):
# spinfo_assoc_id, a struct sockaddr_storage, five 32-bit fields.
PADDRINFO_SIZE = 4 + 128 + 5 * 4
STATUS_SIZE = 24 + PADDRINFO_SIZE


def _option(fd: int, level: int, name: int, value: bytes) -> bytes | None:
    """getsockopt with ``value`` in and out; None when it fails."""
    try:
        return getsockopt_raw(fd, level, name, value)
    except OSError:
        return None


class LinuxWaiter:
    """What the kernel tells about an association being set up (see sctpx._kernel)."""

    def one_to_many(self, fd: int) -> bool:
        raw = _option(fd, socket.SOL_SOCKET, socket.SO_TYPE, bytes(4))
        return raw is not None and struct.unpack("=i", raw[:4])[0] == socket.SOCK_SEQPACKET

    def so_error(self, fd: int) -> int:
        """SO_ERROR, which reading clears (a one-to-many socket never sets it)."""
        raw = _option(fd, socket.SOL_SOCKET, socket.SO_ERROR, bytes(4))
        return 0 if raw is None else int(struct.unpack("=i", raw[:4])[0])

    def established(self, fd: int, assoc_id: int) -> bool:
        """Whether association ``assoc_id`` reached ESTABLISHED (or has moved past it).

        On a one-to-one socket the kernel ignores the id, and answers only
        once the association is up.
        """
        query = struct.pack("=I", assoc_id).ljust(STATUS_SIZE, b"\0")
        raw = _option(fd, SOL_SCTP, SCTP_STATUS, query)
        return raw is not None and struct.unpack_from("=i", raw, 4)[0] >= SCTP_STATE_ESTABLISHED

    def find(self, fd: int, packed: Sequence[bytes]) -> int | None:
        """The id of the association to any of these peer addresses, if there is one.

        SCTP_GET_PEER_ADDR_INFO looks the association up by a peer address,
        also while it is being set up, on both kinds of socket.
        """
        for sockaddr in packed:
            # spinfo_assoc_id 0 (look up by address), then the sockaddr_storage.
            query = (bytes(4) + sockaddr).ljust(PADDRINFO_SIZE, b"\0")
            raw = _option(fd, SOL_SCTP, SCTP_GET_PEER_ADDR_INFO, query)
            if raw is not None:
                return int(struct.unpack_from("=I", raw)[0])
        return None


class LinuxBackend:
    name = "linux"
    layout: Layout = "linux"
    waiter: Waiter | None = LinuxWaiter()

    def connectx(self, fd: int, packed: bytes, count: int) -> int:
        return call(_function(), fd, packed, count)

    @staticmethod
    def function() -> Any:
        """The bound C function (its argtypes and restype come from the stub)."""
        return _function()
