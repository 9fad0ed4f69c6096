"""The backends' own hand-written layouts agree with sctpx._layout's checked tables.

sctpx._linux packs SCTP_STATUS and SCTP_GET_PEER_ADDR_INFO queries by hand,
and sctpx._usrsctp_lib declares ctypes Structures for usrsctp's structs;
both can be replaced by sctpx._layout and sctpx._options, and until they
are, these tests keep them from drifting apart.
"""

from __future__ import annotations

import ctypes

import pytest

from sctpx import _layout, _linux, _options, _usrsctp_lib
from sctpx._addr import pack_one, parse_address

LINUX = _layout.LINUX
USRSCTP = _layout.USRSCTP


def test_linux_backend_constants_and_sizes() -> None:
    by_hand = {
        "IPPROTO_SCTP": _linux.SOL_SCTP,
        "SCTP_STATUS": _linux.SCTP_STATUS,
        "SCTP_GET_PEER_ADDR_INFO": _linux.SCTP_GET_PEER_ADDR_INFO,
        "SCTP_ESTABLISHED": _linux.SCTP_STATE_ESTABLISHED,
    }
    assert by_hand == {name: LINUX.constant(name) for name in by_hand}
    sizes = {"sctp_status": _linux.STATUS_SIZE, "sctp_paddrinfo": _linux.PADDRINFO_SIZE}
    assert sizes == {name: LINUX.struct(name).size for name in sizes}


@pytest.mark.parametrize("item", [("192.0.2.1", 9), ("fe80::1", 5000, 0x12345, 3)])
def test_linux_backend_queries_are_the_typed_values(item: tuple[object, ...]) -> None:
    """The bytes sctpx._linux builds by hand are what sctpx._options packs."""
    address = parse_address(item)
    by_hand = (bytes(4) + pack_one(address, "linux")).ljust(_linux.PADDRINFO_SIZE, b"\0")
    info = _options.option("SCTP_GET_PEER_ADDR_INFO")
    assert info.pack(_options.PeerAddrInfo(0, address), LINUX) == by_hand
    status_by_hand = (7).to_bytes(4, "little").ljust(_linux.STATUS_SIZE, b"\0")
    status = _options.option("SCTP_STATUS")
    assert status.pack(_options.Status(assoc_id=7), LINUX) == status_by_hand


def _offsets(cls: type[ctypes.Structure]) -> dict[str, int]:
    return {name: getattr(cls, name).offset for name, *_ in cls._fields_}


@pytest.mark.parametrize(
    ("cls", "c_struct"),
    [
        (_usrsctp_lib.Status, "sctp_status"),
        (_usrsctp_lib.PaddrInfo, "sctp_paddrinfo"),
        (_usrsctp_lib.SndInfo, "sctp_sndinfo"),
        (_usrsctp_lib.RcvInfo, "sctp_rcvinfo"),
    ],
)
def test_usrsctp_ctypes_structures(cls: type[ctypes.Structure], c_struct: str) -> None:
    st = USRSCTP.struct(c_struct)
    assert (ctypes.sizeof(cls), ctypes.alignment(cls)) == (st.size, st.align)
    offsets = _offsets(cls)
    assert {f.c_name: f.offset for f in st.fields} == {
        name: offsets[name] for name in (f.c_name for f in st.fields)
    }


def test_usrsctp_backend_constants() -> None:
    for name in (
        "IPPROTO_SCTP",
        "SCTP_STATUS",
        "SCTP_RECVRCVINFO",
        "SCTP_RECVV_RCVINFO",
        "SCTP_SENDV_NOINFO",
        "SCTP_SENDV_SNDINFO",
        "MSG_NOTIFICATION",
        "SCTP_ESTABLISHED",
    ):
        assert getattr(_usrsctp_lib, name) == USRSCTP.constant(name), name
    for number, name in _usrsctp_lib.STATES.items():
        assert USRSCTP.constant(f"SCTP_{name}") == number
