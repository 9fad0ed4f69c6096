"""The pages' functions on kernel sockets, through the system's C library.

Linux has them in libsctp (``libsctp.so.1``), FreeBSD in libc; each is
bound with the prototype and the error check the stub generated from its
page, so a failure raises the page's OSError.  Addresses are packed in the
platform's layout (FreeBSD's sockaddrs carry ``sa_len``).  ``sctp_connectx``
is not here: Linux needs a versioned symbol for it (sctpx._linux).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import socket
import struct
import sys
from collections.abc import Sequence
from functools import cache
from typing import Any

from sctpx import _stub
from sctpx._addr import SOCKADDR_IN6_SIZE, SOCKADDR_IN_SIZE, Address, Layout, pack, unpack
from sctpx._backend import BackendUnavailable

LINUX_LIBRARY = "libsctp.so.1"
#: sctp_bindx's flags: (add, remove) per layout (<netinet/sctp.h>).
BINDX_FLAGS: dict[Layout, tuple[int, int]] = {"linux": (0x01, 0x02), "bsd": (0x8001, 0x8002)}
AddressTuple = tuple[str, int] | tuple[str, int, int, int]


@cache
def _library() -> tuple[ctypes.CDLL, Layout]:
    if sys.platform.startswith("linux"):
        try:
            return ctypes.CDLL(LINUX_LIBRARY, use_errno=True), "linux"
        except OSError as exc:
            raise BackendUnavailable(
                f"{LINUX_LIBRARY} is not installed (Debian: apt-get install libsctp1): {exc}"
            ) from None
    if sys.platform.startswith("freebsd"):
        return ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True), "bsd"
    raise BackendUnavailable(f"no kernel SCTP library for {sys.platform}; use sctpx.usrsctp")


def layout() -> Layout:
    return _library()[1]


@cache
def function(name: str) -> Any:
    """The C function ``name`` with its page's prototype and error check."""
    lib, _ = _library()
    try:
        func = getattr(lib, name)
    except AttributeError:
        raise BackendUnavailable(f"the system's SCTP library has no {name}") from None
    return _stub.bind(func, name)


@cache
def _free(name: str) -> Any:
    """sctp_freepaddrs, sctp_freeladdrs: Linux declares them returning int,
    FreeBSD void (SCTP.md); the result is never used."""
    func = getattr(_library()[0], name)
    func.restype = None
    func.argtypes = (ctypes.c_void_p,)
    return func


def bindx(fd: int, addrs: Sequence[Address], add: bool) -> None:
    """``sctp_bindx``: add (or remove) local addresses."""
    where = layout()
    packed = pack(addrs, where)
    buf = ctypes.create_string_buffer(packed, len(packed))
    flag = BINDX_FLAGS[where][0 if add else 1]
    function("sctp_bindx")(fd, buf, len(addrs), flag)


def getaddrs(fd: int, assoc_id: int, which: str) -> list[AddressTuple]:
    """``sctp_getpaddrs`` (``which`` "p") or ``sctp_getladdrs`` ("l")."""
    get = function(f"sctp_get{which}addrs")
    ptr = ctypes.c_void_p()
    n = get(fd, assoc_id, ctypes.byref(ptr))
    where = layout()
    try:
        if n == 0 or not ptr.value:
            return []
        # Walk the records by their family: reading n * 28 bytes at once
        # could run past the end of the block when the addresses are IPv4.
        data = b""
        address = ptr.value
        for _ in range(n):
            size = _record_size(address, where)
            if size == 0:
                break  # a family sctpx does not read (AF_CONN): stop, never guess
            data += ctypes.string_at(address, size)
            address += size
        return unpack(data, n, where)
    finally:
        if ptr.value:
            _free(f"sctp_free{which}addrs")(ptr)


def _record_size(address: int, where: Layout) -> int:
    if where == "bsd":
        length, family = struct.unpack("BB", ctypes.string_at(address, 2))
        return int(length) if family in (2, 28) else 0
    (family,) = struct.unpack("=H", ctypes.string_at(address, 2))
    if family == socket.AF_INET:
        return SOCKADDR_IN_SIZE
    return SOCKADDR_IN6_SIZE if family == socket.AF_INET6 else 0


def peeloff(fd: int, assoc_id: int) -> int:
    """``sctp_peeloff``: a new one-to-one descriptor for association ``assoc_id``."""
    return int(function("sctp_peeloff")(fd, assoc_id))


def getaddrlen(family: int) -> int:
    """``sctp_getaddrlen``: the size of the family's sockaddr."""
    return int(function("sctp_getaddrlen")(family))
