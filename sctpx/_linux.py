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
from functools import cache
from typing import Any

from sctpx import _stub
from sctpx._addr import Layout
from sctpx._backend import FUNCTION, BackendUnavailable, call, prototype

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


class LinuxBackend:
    name = "linux"
    layout: Layout = "linux"

    def connectx(self, fd: int, packed: bytes, count: int) -> int:
        return call(_function(), fd, packed, count)

    @staticmethod
    def function() -> Any:
        """The bound C function (its argtypes and restype come from the stub)."""
        return _function()


@cache
def _paddrs() -> tuple[Any, Any]:
    """sctp_getpaddrs with its page's prototype and errors; sctp_freepaddrs."""
    lib = ctypes.CDLL(LIBRARY, use_errno=True)
    get = _stub.bind(lib.sctp_getpaddrs, "sctp_getpaddrs")
    # sctp_freepaddrs has a page of its own that sctpx does not ship; Linux
    # declares it returning int, FreeBSD void (SCTP.md): the result is unused.
    free = lib.sctp_freepaddrs
    free.restype = None
    free.argtypes = (ctypes.c_void_p,)
    return get, free


def getpaddrs(fd: int, assoc_id: int) -> list[tuple[str, int] | tuple[str, int, int, int]]:
    """The peer's addresses in the association (``sctp_getpaddrs``).

    Failures raise the page's OSError (the stub's errcheck on -1).
    """
    from sctpx._addr import SOCKADDR_IN6_SIZE, SOCKADDR_IN_SIZE, unpack

    get, free = _paddrs()
    ptr = ctypes.c_void_p()
    n = get(fd, assoc_id, ctypes.byref(ptr))
    try:
        if n == 0 or not ptr.value:
            return []
        # Walk the records by their family: reading n * 28 bytes at once
        # could run past the end of the block when the addresses are IPv4.
        data = b""
        address = ptr.value
        for _ in range(n):
            (family,) = struct.unpack("=H", ctypes.string_at(address, 2))
            size = SOCKADDR_IN6_SIZE if family == socket.AF_INET6 else SOCKADDR_IN_SIZE
            data += ctypes.string_at(address, size)
            address += size
        return unpack(data, n, "linux")
    finally:
        if ptr.value:
            free(ptr)
