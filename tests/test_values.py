"""sctpx's typed values: round trips, boundaries, PPID byte order, hostile buffers.

What the C compiler can check is in tests/test_values_c.py and
tests/test_layout.py; this file checks what sctpx adds on top: range
errors that name the field, ABI differences that refuse rather than drop,
and notification buffers that lie about their length.
"""

from __future__ import annotations

import contextlib
import random
import socket
import struct

import pytest

from sctpx import _layout
from sctpx import _notifications as n
from sctpx import _options as o
from sctpx import _values as v
from sctpx._addr import parse_address

ABIS = sorted(_layout.ABIS)
CMSG_ABIS = ["freebsd", "linux"]


# --- Send side --------------------------------------------------------------------------------


@pytest.mark.parametrize("abi", ABIS)
def test_ppid_is_big_endian_in_every_struct(abi: str) -> None:
    """The int the user gives is the number on the wire: its bytes in network order."""
    a = _layout.abi(abi)
    info = v.SendInfo(ppid=0x01020304)
    at = a.struct("sctp_sndinfo").field("ppid").offset
    assert v.pack_sndinfo(info, a)[at : at + 4] == b"\x01\x02\x03\x04"
    at = a.struct("sctp_sndrcvinfo").field("ppid").offset
    assert v.pack_sndrcvinfo(info, a)[at : at + 4] == b"\x01\x02\x03\x04"
    # ... and read back as the same int: no swap on either side (pysctp swaps on receive).
    rcv = bytearray(a.struct("sctp_rcvinfo").size)
    rcv[8:12] = b"\x01\x02\x03\x04"
    assert v.unpack_rcvinfo(bytes(rcv), a).ppid == 0x01020304


@pytest.mark.parametrize("abi", ABIS)
@pytest.mark.parametrize(
    "info",
    [
        v.SendInfo(),
        v.SendInfo(stream=65535, ppid=0xFFFFFFFF, context=0xFFFFFFFF, assoc_id=1),
        v.SendInfo(stream=1, flags=v.MsgFlag.UNORDERED | v.MsgFlag.EOF, assoc_id=7),
        v.SendInfo(flags=v.MsgFlag.ABORT | v.MsgFlag.ADDR_OVER | v.MsgFlag.SENDALL),
    ],
)
def test_sndinfo_round_trip(abi: str, info: v.SendInfo) -> None:
    assert v.unpack_sndinfo(v.pack_sndinfo(info, abi), abi) == info


@pytest.mark.parametrize("abi", ABIS)
def test_sndrcvinfo_round_trip_keeps_ttl_and_policy(abi: str) -> None:
    info = v.SendInfo(stream=3, ppid=9, ttl=1500, policy=v.PrPolicy.RTX, assoc_id=4)
    packed = v.pack_sndrcvinfo(info, abi)
    assert v.unpack_sndrcvinfo_as_send(packed, abi) == info


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("stream", 65536, "SendInfo.stream must be from 0 to 65535 (uint16_t), not 65536"),
        ("stream", -1, "SendInfo.stream must be from 0 to 65535"),
        ("ppid", 1 << 32, "SendInfo.ppid must be from 0 to 4294967295"),
        ("context", -1, "SendInfo.context must be from 0 to 4294967295"),
    ],
)
@pytest.mark.parametrize("abi", ABIS)
def test_out_of_range_names_the_field(abi: str, field: str, value: int, message: str) -> None:
    info = v.SendInfo(**{field: value})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        v.pack_sndinfo(info, abi)


def test_ttl_range_and_assoc_id_sign_per_abi() -> None:
    with pytest.raises(ValueError, match=r"SendInfo\.ttl must be from 0 to 4294967295"):
        v.pack_sndrcvinfo(v.SendInfo(ttl=1 << 32), "linux")
    # sctp_assoc_t is signed on Linux, unsigned on the BSDs.
    with pytest.raises(ValueError, match=r"SendInfo\.assoc_id must be from -2147483648"):
        v.pack_sndinfo(v.SendInfo(assoc_id=1 << 31), "linux")
    assert v.pack_sndinfo(v.SendInfo(assoc_id=(1 << 32) - 1), "freebsd")[12:] == b"\xff" * 4
    with pytest.raises(ValueError, match=r"SendInfo\.assoc_id must be from 0"):
        v.pack_sndinfo(v.SendInfo(assoc_id=-1), "usrsctp")


def test_wrong_types_are_type_errors() -> None:
    with pytest.raises(TypeError, match=r"SendInfo\.stream must be an int, not bool"):
        v.pack_sndinfo(v.SendInfo(stream=True), "linux")
    with pytest.raises(TypeError, match=r"SendInfo\.ppid must be an int, not str"):
        v.pack_sndinfo(v.SendInfo(ppid="1"), "linux")  # type: ignore[arg-type]


def test_a_flag_an_abi_lacks_is_refused() -> None:
    """Explicit EOR exists on the BSDs only: Linux refuses rather than dropping it."""
    info = v.SendInfo(flags=v.MsgFlag.EOR)
    with pytest.raises(ValueError, match="the linux ABI has no SCTP_EOR"):
        v.pack_sndinfo(info, "linux")
    assert struct.unpack_from("=H", v.pack_sndinfo(info, "freebsd"), 2)[0] == 0x2000


@pytest.mark.parametrize("abi", CMSG_ABIS)
def test_send_cmsgs(abi: str) -> None:
    a = _layout.abi(abi)
    level = a.constant("IPPROTO_SCTP")
    plain = v.send_cmsgs(v.SendInfo(stream=2), a)
    assert [(lvl, t) for lvl, t, _ in plain] == [(level, a.constant("SCTP_SNDINFO"))]
    full = v.send_cmsgs(v.SendInfo(ttl=100, auth_key=3), a)
    assert [t for _, t, _ in full] == [
        a.constant("SCTP_SNDINFO"),
        a.constant("SCTP_PRINFO"),
        a.constant("SCTP_AUTHINFO"),
    ]
    assert v.PrPolicy.TTL.number(a) == struct.unpack_from("=H", full[1][2])[0]
    (legacy,) = v.send_cmsgs(v.SendInfo(ttl=100), a, legacy=True)
    assert legacy[1] == a.constant("SCTP_SNDRCV")
    assert len(legacy[2]) == a.struct("sctp_sndrcvinfo").size


def test_usrsctp_takes_no_cmsgs_but_sendv_info() -> None:
    with pytest.raises(ValueError, match="the usrsctp ABI takes no cmsgs; use sendv_info"):
        v.send_cmsgs(v.SendInfo(), "usrsctp")
    infotype, data = v.sendv_info(v.SendInfo(stream=1), "usrsctp")
    assert (infotype, len(data)) == (1, 16)  # SCTP_SENDV_SNDINFO
    infotype, data = v.sendv_info(v.SendInfo(ttl=5), "usrsctp")
    assert (infotype, len(data)) == (4, 32)  # SCTP_SENDV_SPA
    assert struct.unpack_from("=I", data)[0] == 1 | 2  # SNDINFO_VALID | PRINFO_VALID


def test_auth_key_needs_sndinfo() -> None:
    with pytest.raises(ValueError, match="auth_key needs SCTP_AUTHINFO"):
        v.pack_sndrcvinfo(v.SendInfo(auth_key=1), "linux")


# --- Receive side -----------------------------------------------------------------------------


@pytest.mark.parametrize("abi", CMSG_ABIS)
def test_parse_cmsgs(abi: str) -> None:
    a = _layout.abi(abi)
    level = a.constant("IPPROTO_SCTP")
    rcv = bytearray(28)
    struct.pack_into("=HHH", rcv, 0, 4, 5, a.constant("SCTP_UNORDERED"))
    rcv[8:12] = (0xCAFE).to_bytes(4, "big")
    nxt = bytearray(16)
    struct.pack_into("=HH", nxt, 0, 6, a.constant("SCTP_NOTIFICATION"))
    struct.pack_into("=I", nxt, 8, 300)
    anc = [
        (socket.SOL_SOCKET, 1, b"ignored"),
        (level, a.constant("SCTP_RCVINFO"), bytes(rcv)),
        (level, a.constant("SCTP_NXTINFO"), bytes(nxt)),
    ]
    got = v.parse_cmsgs(anc, a.constant("MSG_EOR"), a)
    assert got.info == v.RecvInfo(stream=4, ppid=0xCAFE, flags=v.MsgFlag.UNORDERED, ssn=5)
    assert got.next == v.NextInfo(6, 0, v.MsgFlag.NOTIFICATION, 300, 0)
    assert (got.eor, got.notification) == (True, False)
    # msg_flags alone still say whether the piece ends its message.
    alone = v.parse_cmsgs([], a.constant("MSG_NOTIFICATION"), a)
    assert alone == v.Received(eor=False, notification=True)
    assert v.parse_cmsgs([], 0, a) == v.Received(eor=False, notification=False)
    with pytest.raises(ValueError, match="struct sctp_rcvinfo takes 28 bytes, got 27"):
        v.parse_cmsgs([(level, a.constant("SCTP_RCVINFO"), bytes(27))], 0, a)


# --- Options ----------------------------------------------------------------------------------

V6 = ("fe80::1", 5000, 0x12345, 3)
V4 = ("192.0.2.1", 9)


@pytest.mark.parametrize("abi", ABIS)
@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SCTP_INITMSG", o.InitMsg(10, 65535, 4, 60000)),
        ("SCTP_RTOINFO", o.RtoInfo(1, 3000, 60000, 1000)),
        ("SCTP_ASSOCINFO", o.AssocParams(1, 10, 2, 1 << 16, 1 << 17, 60000)),
        ("SCTP_PEER_ADDR_PARAMS", o.PeerAddrParams(3, V6, 1000, 5, 1400, 0, o.PathFlag.HB_ENABLE)),
        ("SCTP_PEER_ADDR_PARAMS", o.PeerAddrParams(0, V4, flags=o.PathFlag.PMTUD_DISABLE)),
        ("SCTP_PEER_ADDR_PARAMS", o.PeerAddrParams()),
        ("SCTP_NODELAY", True),
        ("SCTP_AUTOCLOSE", 30),
        ("SCTP_DEFAULT_SNDINFO", v.SendInfo(stream=2, ppid=0x01020304, assoc_id=1)),
        ("SCTP_EVENT", n.EventSetting(n.Event.SHUTDOWN, True, 1)),
    ],
)
def test_option_round_trip(abi: str, name: str, value: object) -> None:
    opt = o.option(name)
    data = opt.pack(value, _layout.abi(abi))
    assert len(data) == o.option_size(name, abi)
    assert opt.unpack(data, _layout.abi(abi)) == value


@pytest.mark.parametrize("abi", CMSG_ABIS)
def test_deprecated_options_round_trip(abi: str) -> None:
    a = _layout.abi(abi)
    send = v.SendInfo(stream=1, ttl=100, policy=v.PrPolicy.TTL, assoc_id=2)
    opt = o.option("SCTP_DEFAULT_SEND_PARAM")
    assert opt.unpack(opt.pack(send, a), a) == send
    events = frozenset({n.Event.ASSOC_CHANGE, n.Event.SENDER_DRY, n.Event.STREAM_RESET})
    opt = o.option("SCTP_EVENTS")
    assert opt.unpack(opt.pack(events, a), a) == events
    assert opt.number(a) == a.constant("SCTP_EVENTS")


def test_option_numbers_differ_per_abi() -> None:
    status = o.option("SCTP_STATUS")
    assert (status.number("linux"), status.number("freebsd"), status.number("usrsctp")) == (
        14,
        0x100,
        0x100,
    )
    with pytest.raises(NotImplementedError, match="the usrsctp ABI has no SCTP_EVENTS"):
        o.option("SCTP_EVENTS").number("usrsctp")
    with pytest.raises(ValueError, match="sctpx has no typed value for 'SCTP_MAXSEG'"):
        o.option("SCTP_MAXSEG")


def test_a_field_an_abi_lacks_must_stay_zero() -> None:
    value = o.PeerAddrParams(sackdelay=200)
    assert len(o.option("SCTP_PEER_ADDR_PARAMS").pack(value, _layout.LINUX)) == 156
    with pytest.raises(ValueError, match=r"PeerAddrParams\.sackdelay: the freebsd ABI has no"):
        o.option("SCTP_PEER_ADDR_PARAMS").pack(value, _layout.FREEBSD)
    flags = o.PeerAddrParams(flags=o.PathFlag.SACKDELAY_ENABLE)
    with pytest.raises(ValueError, match="the usrsctp ABI has no SPP_SACKDELAY_ENABLE"):
        o.option("SCTP_PEER_ADDR_PARAMS").pack(flags, _layout.USRSCTP)


def test_option_value_errors() -> None:
    with pytest.raises(ValueError, match=r"InitMsg\.num_ostreams must be from 0 to 65535"):
        o.option("SCTP_INITMSG").pack(o.InitMsg(num_ostreams=65536), _layout.LINUX)
    with pytest.raises(TypeError, match="SCTP_INITMSG takes a InitMsg, not RtoInfo"):
        o.option("SCTP_INITMSG").pack(o.RtoInfo(), _layout.LINUX)
    with pytest.raises(ValueError, match=r"PeerAddrParams\.address: .*not a numeric"):
        o.PeerAddrParams(address=("example.org", 1))
    with pytest.raises(ValueError, match="SCTP_AUTOCLOSE must be from -2147483648"):
        o.option("SCTP_AUTOCLOSE").pack(1 << 31, _layout.LINUX)
    with pytest.raises(ValueError, match="struct sctp_status takes 176 bytes, got 175"):
        o.option("SCTP_STATUS").unpack(bytes(175), _layout.LINUX)


@pytest.mark.parametrize("abi", ABIS)
def test_status_query_carries_only_the_assoc_id(abi: str) -> None:
    a = _layout.abi(abi)
    data = o.option("SCTP_STATUS").pack(o.Status(assoc_id=7), a)
    assert len(data) == 176 and data[:4] == (7).to_bytes(4, "little" if _little() else "big")
    assert data[4:] == bytes(172)


def test_scope_id_travels_inside_the_address() -> None:
    for abi in ABIS:
        a = _layout.abi(abi)
        value = o.PeerAddrInfo(1, ("fe80::1%1", 80))
        data = o.option("SCTP_GET_PEER_ADDR_INFO").pack(value, a)
        read = o.option("SCTP_GET_PEER_ADDR_INFO").unpack(data, a)
        assert isinstance(read, o.PeerAddrInfo)
        assert read.address == parse_address(("fe80::1%1", 80))
        assert read.address is not None and read.address.scope_id == 1


def _little() -> bool:
    import sys

    return sys.byteorder == "little"


# --- Notifications ----------------------------------------------------------------------------


def _note(a: _layout.Abi, c_type: str, struct_name: str, fields: dict[str, object]) -> bytes:
    st = a.struct(struct_name)
    values = {"type": a.constant(c_type), "length": st.size, **fields}
    return _layout.pack(st, a, values)


@pytest.mark.parametrize("abi", ABIS)
def test_short_and_lying_buffers_are_value_errors(abi: str) -> None:
    a = _layout.abi(abi)
    good = _note(a, "SCTP_SHUTDOWN_EVENT", "sctp_shutdown_event", {"assoc_id": 3})
    assert n.parse_notification(good, a) == n.Shutdown(3)
    with pytest.raises(ValueError, match="7 bytes is shorter than its 8-byte header"):
        n.parse_notification(good[:7], a)
    lying = good[:4] + struct.pack("=I", 13) + good[8:]
    with pytest.raises(ValueError, match="says it has 13 bytes but 12 arrived"):
        n.parse_notification(lying, a)
    tiny = good[:4] + struct.pack("=I", 4) + good[8:]
    with pytest.raises(ValueError, match="says it has 4 bytes, less than its 8-byte header"):
        n.parse_notification(tiny, a)
    short = good[:4] + struct.pack("=I", 10) + good[8:10]
    with pytest.raises(ValueError, match=r"SHUTDOWN notification of 10 bytes: .* needs 12"):
        n.parse_notification(short, a)
    # Bytes after the length the header gives are not the notification's.
    assert n.parse_notification(good + b"junk", a) == n.Shutdown(3)


@pytest.mark.parametrize("abi", ABIS)
def test_unknown_type_keeps_its_bytes(abi: str) -> None:
    a = _layout.abi(abi)
    data = struct.pack("=HHI", 0x7777, 5, 12) + b"\x01\x02\x03\x04"
    assert n.parse_notification(data, a) == n.UnknownNotification(0x7777, 5, data)


@pytest.mark.parametrize("abi", ABIS)
def test_random_buffers_never_raise_anything_but_value_error(abi: str) -> None:
    """Linear in the input, and never an IndexError or struct.error."""
    a = _layout.abi(abi)
    rng = random.Random(15)
    types = [a.constants[str(e.value)] for e in n.READERS if str(e.value) in a.constants]
    for _ in range(3000):
        size = rng.randrange(0, 200)
        body = bytearray(rng.randbytes(size))
        if size >= 8:
            struct.pack_into("=H", body, 0, rng.choice(types))
            if rng.random() < 0.7:
                struct.pack_into("=I", body, 4, rng.randrange(0, size + 1))
        with contextlib.suppress(ValueError):
            n.parse_notification(bytes(body), a)


def test_usrsctp_pdapi_follows_the_library_not_the_header() -> None:
    """usrsctp fills FreeBSD's 16-bit stream and seq, and the assoc id at 16."""
    a = _layout.USRSCTP
    data = struct.pack("=HHIIHHI", 7, 0, 20, 1, 3, 9, 11)
    assert n.parse_notification(data, a) == n.PartialDelivery(
        11, n.PartialDeliveryIndication.ABORTED, 3, 9
    )


def test_freebsd_paddr_change_may_stop_at_its_last_field() -> None:
    """148 bytes of fields, padded to 152 by sockaddr_storage's alignment."""
    a = _layout.FREEBSD
    full = _note(a, "SCTP_PEER_ADDR_CHANGE", "sctp_paddr_change", {"state": 1, "assoc_id": 2})
    cut = full[:4] + struct.pack("=I", 148) + full[8:148]
    assert n.parse_notification(cut, a) == n.PeerAddrChange(2, None, n.AddrState.AVAILABLE, 0)


def test_an_address_family_sctpx_does_not_model_reads_as_none() -> None:
    a = _layout.USRSCTP
    data = bytearray(_note(a, "SCTP_PEER_ADDR_CHANGE", "sctp_paddr_change", {"assoc_id": 1}))
    struct.pack_into("=H", data, 8, 123)  # AF_CONN
    note = n.parse_notification(bytes(data), a)
    assert isinstance(note, n.PeerAddrChange) and note.address is None


def test_states_an_abi_does_not_name_stay_ints() -> None:
    a = _layout.LINUX
    data = _note(a, "SCTP_ASSOC_CHANGE", "sctp_assoc_change", {"state": 99, "assoc_id": 1})
    note = n.parse_notification(data, a)
    assert isinstance(note, n.AssocChange) and note.state == 99


def test_comm_lost_keeps_the_abort_chunk() -> None:
    a = _layout.FREEBSD
    st = a.struct("sctp_assoc_change")
    chunk = b"\x06\x00\x00\x08\x00\x0c\x00\x04"  # ABORT, user-initiated abort cause
    head = _layout.pack(
        st, a, {"type": 1, "length": st.size + len(chunk), "state": 2, "assoc_id": 5}
    )
    note = n.parse_notification(head + chunk, a)
    assert note == n.AssocChange(5, n.AssocState.COMM_LOST, 0, 0, 0, (), chunk)


@pytest.mark.parametrize("abi", CMSG_ABIS)
def test_legacy_send_failed(abi: str) -> None:
    a = _layout.abi(abi)
    st = a.struct("sctp_send_failed")
    sent = a.constant("SCTP_DATA_SENT")
    info = {"stream": 2, "ppid": 0x0A0B0C0D, "timetolive": 30, "assoc_id": 4}
    head = _layout.pack(
        st,
        a,
        {"type": a.constant("SCTP_SEND_FAILED"), "length": st.size + 2, "flags": sent,
         "error": 1, "info": info, "assoc_id": 4},
    )  # fmt: skip
    note = n.parse_notification(head + b"hi", a)
    expected_info = v.SendInfo(stream=2, ppid=0x0A0B0C0D, ttl=30, assoc_id=4)
    assert note == n.SendFailed(4, 1, True, expected_info, b"hi", legacy=True)


@pytest.mark.parametrize("abi", ABIS)
def test_event_settings(abi: str) -> None:
    a = _layout.abi(abi)
    for event in n.Event:
        setting = n.EventSetting(event, False, 3)
        if not a.has(str(event.value)):
            with pytest.raises(ValueError, match="has no SCTP_DATA_IO_EVENT"):
                n.pack_event(setting, a)
            continue
        assert n.unpack_event(n.pack_event(setting, a), a) == setting
    with pytest.raises(ValueError, match=r"EventSetting\.assoc_id must be from"):
        n.pack_event(n.EventSetting(n.Event.SHUTDOWN, True, -(1 << 40)), a)


def test_event_subscribe_bytes() -> None:
    with pytest.raises(ValueError, match="freebsd ABI's sctp_event_subscribe has no"):
        n.pack_event_subscribe({n.Event.SEND_FAILED_EVENT}, "freebsd")
    data = n.pack_event_subscribe({n.Event.SEND_FAILED_EVENT, n.Event.DATA_IO}, "linux")
    assert data == b"\x01" + bytes(12) + b"\x01"
