"""libusrsctp.so.2 through ctypes: the functions, structures and constants.

The layouts follow ``/usr/include/usrsctp.h`` (usrsctp 0.9.5.0) on a Linux
host: usrsctp reuses the host's ``struct sockaddr*`` and ``<sys/socket.h>``
values, so ``SOL_SOCKET`` and ``SO_LINGER`` come from Python's own socket
module.  Only ``usrsctp_connectx`` takes its prototype from the generated
stub; every other prototype is written out here from the header.
"""

from __future__ import annotations

import ctypes
import socket
from functools import cache
from typing import Any

from sctpx import _stub
from sctpx._backend import FUNCTION, BackendUnavailable

LIBRARY = "libusrsctp.so.2"

IPPROTO_SCTP = 132
SCTP_REMOTE_UDP_ENCAPS_PORT = 0x24
SCTP_STATUS = 0x100
SCTP_BINDX_ADD_ADDR = 0x8001
SCTP_BINDX_REM_ADDR = 0x8002
SCTP_RECVRCVINFO = 0x1F
SCTP_RECVV_RCVINFO = 1
SCTP_SENDV_NOINFO = 0
SCTP_SENDV_SNDINFO = 1
MSG_NOTIFICATION = 0x2000

#: ``sstat_state`` values (usrsctp.h "user state values").
STATES: dict[int, str] = {
    0x0000: "CLOSED",
    0x1000: "BOUND",
    0x2000: "LISTEN",
    0x0002: "COOKIE_WAIT",
    0x0004: "COOKIE_ECHOED",
    0x0008: "ESTABLISHED",
    0x0010: "SHUTDOWN_SENT",
    0x0020: "SHUTDOWN_RECEIVED",
    0x0040: "SHUTDOWN_ACK_SENT",
    0x0080: "SHUTDOWN_PENDING",
}
SCTP_ESTABLISHED = 0x0008


class SockaddrStorage(ctypes.Structure):
    # 128 bytes, 8-byte aligned, like glibc's: the offsets below depend on it.
    _fields_ = (
        ("ss_family", ctypes.c_uint16),
        ("_data", ctypes.c_char * 118),
        ("_align", ctypes.c_uint64),
    )


class PaddrInfo(ctypes.Structure):
    _fields_ = (
        ("spinfo_address", SockaddrStorage),
        ("spinfo_assoc_id", ctypes.c_uint32),
        ("spinfo_state", ctypes.c_int32),
        ("spinfo_cwnd", ctypes.c_uint32),
        ("spinfo_srtt", ctypes.c_uint32),
        ("spinfo_rto", ctypes.c_uint32),
        ("spinfo_mtu", ctypes.c_uint32),
    )


class Status(ctypes.Structure):
    _fields_ = (
        ("sstat_assoc_id", ctypes.c_uint32),
        ("sstat_state", ctypes.c_int32),
        ("sstat_rwnd", ctypes.c_uint32),
        ("sstat_unackdata", ctypes.c_uint16),
        ("sstat_penddata", ctypes.c_uint16),
        ("sstat_instrms", ctypes.c_uint16),
        ("sstat_outstrms", ctypes.c_uint16),
        ("sstat_fragmentation_point", ctypes.c_uint32),
        ("sstat_primary", PaddrInfo),
    )


class UdpEncaps(ctypes.Structure):
    _fields_ = (
        ("sue_address", SockaddrStorage),
        ("sue_assoc_id", ctypes.c_uint32),
        ("sue_port", ctypes.c_uint16),  # network byte order
    )


class SndInfo(ctypes.Structure):
    _fields_ = (
        ("snd_sid", ctypes.c_uint16),
        ("snd_flags", ctypes.c_uint16),
        ("snd_ppid", ctypes.c_uint32),
        ("snd_context", ctypes.c_uint32),
        ("snd_assoc_id", ctypes.c_uint32),
    )


class RcvInfo(ctypes.Structure):
    _fields_ = (
        ("rcv_sid", ctypes.c_uint16),
        ("rcv_ssn", ctypes.c_uint16),
        ("rcv_flags", ctypes.c_uint16),
        ("rcv_ppid", ctypes.c_uint32),
        ("rcv_tsn", ctypes.c_uint32),
        ("rcv_cumtsn", ctypes.c_uint32),
        ("rcv_context", ctypes.c_uint32),
        ("rcv_assoc_id", ctypes.c_uint32),
    )


class Linger(ctypes.Structure):
    _fields_ = (("l_onoff", ctypes.c_int), ("l_linger", ctypes.c_int))


SOL_SOCKET = socket.SOL_SOCKET
SO_LINGER = socket.SO_LINGER

_P = ctypes.c_void_p
#: ``void (*upcall)(struct socket *, void *arg, int waitflag)``: usrsctp calls
#: it from its own threads when a socket can be read or written or has failed
#: (sctpx.aio wakes the event loop with it).
UPCALL = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)
NO_UPCALL = UPCALL()  # NULL: no upcall
_INT = ctypes.c_int
_U32 = ctypes.c_uint32
_SOCKLEN_P = ctypes.POINTER(ctypes.c_uint32)

# name -> (restype, argtypes), from usrsctp.h.  usrsctp_init's callbacks are
# passed as NULL (c_void_p): debug_printf is variadic, which ctypes cannot
# implement.  The one Python callback is a socket's upcall (UPCALL), which
# only hands a wake-up to the event loop's thread.
_PROTOTYPES: dict[str, tuple[Any, tuple[Any, ...]]] = {
    "usrsctp_init": (None, (ctypes.c_uint16, _P, _P)),
    "usrsctp_finish": (_INT, ()),
    "usrsctp_socket": (_P, (_INT, _INT, _INT, _P, _P, _U32, _P)),
    "usrsctp_close": (None, (_P,)),
    "usrsctp_bind": (_INT, (_P, _P, _U32)),
    "usrsctp_bindx": (_INT, (_P, _P, _INT, _INT)),
    "usrsctp_listen": (_INT, (_P, _INT)),
    "usrsctp_accept": (_P, (_P, _P, _SOCKLEN_P)),
    "usrsctp_setsockopt": (_INT, (_P, _INT, _INT, _P, _U32)),
    "usrsctp_getsockopt": (_INT, (_P, _INT, _INT, _P, _SOCKLEN_P)),
    "usrsctp_freepaddrs": (None, (_P,)),
    "usrsctp_freeladdrs": (None, (_P,)),
    "usrsctp_sendv": (
        ctypes.c_ssize_t,
        (_P, _P, ctypes.c_size_t, _P, _INT, _P, _U32, ctypes.c_uint, _INT),
    ),
    "usrsctp_recvv": (
        ctypes.c_ssize_t,
        (
            _P,
            _P,
            ctypes.c_size_t,
            _P,
            _SOCKLEN_P,
            _P,
            _SOCKLEN_P,
            ctypes.POINTER(ctypes.c_uint),
            ctypes.POINTER(_INT),
        ),
    ),
    "usrsctp_set_non_blocking": (_INT, (_P, _INT)),
    "usrsctp_shutdown": (_INT, (_P, _INT)),
    # sctp_peeloff(2) returns a descriptor, usrsctp a handle: written out here.
    "usrsctp_peeloff": (_P, (_P, _U32)),
    "usrsctp_set_upcall": (_INT, (_P, UPCALL, _P)),
}


#: usrsctp functions that are a page's function with a handle for the
#: descriptor: their prototypes and errors come from the stub.
PAGE_FUNCTIONS: dict[str, str] = {
    "usrsctp_connectx": FUNCTION,
    "usrsctp_getpaddrs": "sctp_getpaddrs",
    "usrsctp_getladdrs": "sctp_getladdrs",
    "usrsctp_getassocid": "sctp_getassocid",
}


def stub_prototype(function: str = FUNCTION) -> tuple[Any, tuple[Any, ...]]:
    """The stub's prototype of ``function`` with a ``struct socket *`` first.

    Built from the stub so the two cannot drift: usrsctp_connectx is
    sctp_connectx with the descriptor replaced by the stack's socket handle,
    and so on.
    """
    restype, argtypes = _stub.PROTOTYPES[function]
    return restype, (ctypes.c_void_p, *argtypes[1:])


class Library:
    """The loaded library with every prototype set; the page's functions check errors."""

    def __init__(self, cdll: ctypes.CDLL) -> None:
        self.cdll = cdll
        for name, (restype, argtypes) in _PROTOTYPES.items():
            func = getattr(cdll, name)
            func.restype = restype
            func.argtypes = argtypes
            setattr(self, name.removeprefix("usrsctp_"), func)
        # The stub's bind() gives the documented prototype and its error
        # check (-1 -> the page's OSError); only the handle type differs.
        for name, function in PAGE_FUNCTIONS.items():
            func = _stub.bind(getattr(cdll, name), function)
            func.restype, func.argtypes = stub_prototype(function)
            setattr(self, name.removeprefix("usrsctp_"), func)

    def __getattr__(self, name: str) -> Any:
        # Typed access to the functions set in __init__ (mypy sees Any).
        raise AttributeError(name)

    def sysctl_setter(self, name: str) -> Any:
        """``usrsctp_sysctl_set_sctp_<name>``; AttributeError if there is none."""
        func = getattr(self.cdll, f"usrsctp_sysctl_set_sctp_{name.removeprefix('sctp_')}")
        func.restype = _INT
        func.argtypes = (_U32,)
        return func


@cache
def load() -> Library:
    """The library, loaded once with ``use_errno`` so errno survives each call."""
    try:
        cdll = ctypes.CDLL(LIBRARY, use_errno=True)
    except OSError as exc:
        raise BackendUnavailable(
            f"{LIBRARY} is not installed (Debian: apt-get install libusrsctp2): {exc}"
        ) from None
    return Library(cdll)
