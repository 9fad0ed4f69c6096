"""The FreeBSD backend: ``sctp_connectx`` in libc, sockaddrs with ``sa_len``.

FreeBSD checks the address list before the descriptor and copies it into
a buffer; sctpx has already refused what FreeBSD would (EINVAL for a bad
family or count, E2BIG past the page's 2048-byte limit).
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache
from typing import Any

from sctpx import _stub
from sctpx._addr import Layout
from sctpx._backend import FUNCTION, BackendUnavailable, Waiter, call, prototype


@cache
def _function() -> Any:
    path = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(path, use_errno=True)
        address = ctypes.cast(getattr(libc, FUNCTION), ctypes.c_void_p).value
    except (OSError, AttributeError):
        raise BackendUnavailable(f"this C library has no {FUNCTION} (FreeBSD libc has)") from None
    return _stub.bind(prototype()(address), FUNCTION)


class FreeBSDBackend:
    name = "freebsd"
    layout: Layout = "bsd"
    # Not yet: FreeBSD's SCTP_STATUS and SCTP_GET_PEER_ADDR_INFO differ from
    # Linux's, and no FreeBSD machine runs the tests.  A socket timeout and
    # EINTR come back as sctp_connectx returns them.
    waiter: Waiter | None = None

    def connectx(self, fd: int, packed: bytes, count: int) -> int:
        return call(_function(), fd, packed, count)
