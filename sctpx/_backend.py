"""What every backend provides: the C function, bound from the generated stub."""

from __future__ import annotations

import ctypes
from collections.abc import Sequence
from typing import Any, Protocol

from sctpx import _stub
from sctpx._addr import Layout

FUNCTION = "sctp_connectx"


class BackendUnavailable(OSError):
    """The C library or the kernel support a backend needs is missing."""


class Waiter(Protocol):
    """What a kernel backend can tell about an association being set up."""

    def one_to_many(self, fd: int) -> bool: ...
    def so_error(self, fd: int) -> int: ...
    def established(self, fd: int, assoc_id: int) -> bool: ...
    def find(self, fd: int, packed: Sequence[bytes]) -> int | None: ...


class Backend(Protocol):
    name: str
    layout: Layout  # how sockaddrs are packed
    #: None: connectx cannot wait for an association (then a socket timeout
    #: and EINTR come back as the C call returns them).
    waiter: Waiter | None

    def connectx(self, fd: int, packed: bytes, count: int) -> int: ...


def prototype() -> Any:
    """The ctypes function type of sctp_connectx, from the stub's prototype."""
    restype, argtypes = _stub.PROTOTYPES[FUNCTION]
    return ctypes.CFUNCTYPE(restype, *argtypes, use_errno=True)


def call(func: Any, fd: int, packed: bytes, count: int) -> int:
    """Call a bound sctp_connectx; the association id, also on EINPROGRESS."""
    buf = ctypes.create_string_buffer(packed, len(packed))
    assoc = ctypes.c_uint32(0)
    try:
        func(fd, buf, count, ctypes.byref(assoc))
    except OSError as exc:
        # A non-blocking socket reports EINPROGRESS with the id already set.
        exc.assoc_id = assoc.value  # type: ignore[attr-defined]
        raise
    return assoc.value
