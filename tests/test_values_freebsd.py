"""FreeBSD's ABI, which no compiler here can check: byte images derived by hand.

Each expected image below is written out from FreeBSD's headers
(sys/netinet/sctp_uio.h, sctp.h, sys/socket.h in freebsd-src, the 14
branch), field by field, on a little-endian machine (amd64, arm64):
integers little-endian, PPIDs and ports big-endian, sockaddrs with
``sa_len`` and FreeBSD's AF_INET6 (28), and the padding a non-packed struct
gets from the 8-aligned ``sockaddr_storage``.  Spaces in the hex strings
separate fields.
"""

from __future__ import annotations

import sys

import pytest

from sctpx import _layout
from sctpx import _notifications as n
from sctpx import _options as o
from sctpx import _values as v
from sctpx._addr import parse_address

pytestmark = pytest.mark.skipif(
    sys.byteorder != "little", reason="the images are those of little-endian FreeBSD"
)

A = _layout.FREEBSD


def image(text: str) -> bytes:
    return bytes.fromhex(text.replace(" ", ""))


# sockaddr_in 192.0.2.1 port 9: sin_len 16, AF_INET 2, port, address, 8 bytes of zero.
SIN = "10 02 0009 c0000201 0000000000000000"
# sockaddr_in6 [fe80::1]:5000 flowinfo 0x12345 scope 3: sin6_len 28, AF_INET6 28.
SIN6 = "1c 1c 1388 00012345 fe800000000000000000000000000001 03000000"


def storage(sockaddr: str) -> str:
    """A sockaddr in its 128-byte sockaddr_storage."""
    return sockaddr + " " + "00" * (128 - len(image(sockaddr)))


def test_sndinfo() -> None:
    info = v.SendInfo(
        stream=7,
        ppid=0xDEADBEEF,
        flags=v.MsgFlag.UNORDERED | v.MsgFlag.SACK_IMMEDIATELY,
        context=0x11223344,
        assoc_id=42,
    )
    # snd_sid, snd_flags (0x0400 | 0x4000), snd_ppid, snd_context, snd_assoc_id
    expected = image("0700 0044 deadbeef 44332211 2a000000")
    assert v.pack_sndinfo(info, A) == expected
    level, kind, data = v.send_cmsgs(info, A)[0]
    assert (level, kind, data) == (132, 4, expected)  # IPPROTO_SCTP, SCTP_SNDINFO


def test_sndrcvinfo_has_the_policy_in_the_low_flag_bits() -> None:
    info = v.SendInfo(stream=1, flags=v.MsgFlag.EOF, ppid=0x01020304, ttl=500,
                      policy=v.PrPolicy.TTL, assoc_id=3)  # fmt: skip
    # stream, ssn, flags (SCTP_EOF 0x100 | SCTP_PR_SCTP_TTL 1), 2 bytes of padding,
    # ppid, context, timetolive 500, tsn, cumtsn, assoc_id, keynumber,
    # keynumber_valid, __reserve_pad[92]: 128 bytes.
    expected = image(
        "0100 0000 0101 0000 01020304 00000000 f4010000 00000000 00000000 03000000 0000 0000"
        + "00" * 92
    )
    assert v.pack_sndrcvinfo(info, A) == expected
    assert v.send_cmsgs(info, A, legacy=True) == [(132, 2, expected)]  # SCTP_SNDRCV
    assert v.unpack_sndrcvinfo_as_send(expected, A) == info


def test_prinfo_cmsg() -> None:
    # pr_policy SCTP_PR_SCTP_RTX (3), 2 bytes of padding, pr_value 4
    assert v.send_cmsgs(v.SendInfo(ttl=4, policy=v.PrPolicy.RTX), A)[1] == (
        132,
        7,  # SCTP_PRINFO
        image("0300 0000 04000000"),
    )


def test_rcvinfo_and_msg_flags() -> None:
    # rcv_sid 3, rcv_ssn 9, rcv_flags SCTP_UNORDERED, padding, ppid, tsn 100,
    # cumtsn 99, context 5, assoc_id 6
    data = image("0300 0900 0004 0000 01020304 64000000 63000000 05000000 06000000")
    got = v.parse_cmsgs([(132, 5, data)], 0x8, A)  # SCTP_RCVINFO; MSG_EOR is 0x8 here
    assert got.info == v.RecvInfo(
        stream=3, ppid=0x01020304, flags=v.MsgFlag.UNORDERED, context=5, assoc_id=6,
        ssn=9, tsn=100, cumtsn=99, eor=True, notification=False,
    )  # fmt: skip
    assert v.msg_flags(0x2000, A) == (False, True)  # MSG_NOTIFICATION is 0x2000


def test_paddrparams() -> None:
    value = o.PeerAddrParams(
        4,
        ("192.0.2.1", 9),
        hbinterval=1000,
        pathmaxrxt=5,
        pathmtu=1400,
        flags=o.PathFlag.HB_ENABLE | o.PathFlag.PMTUD_DISABLE,
    )
    # spp_address first; then assoc_id, hbinterval, pathmtu, flags (0x01 | 0x10),
    # ipv6_flowlabel, pathmaxrxt, dscp, one byte of padding: 152 bytes.
    expected = image(
        storage(SIN) + "04000000 e8030000 78050000 11000000 00000000 0500 00 00"
    )  # fmt: skip
    opt = o.option("SCTP_PEER_ADDR_PARAMS")
    assert opt.number(A) == 0x0A
    assert opt.pack(value, A) == expected
    assert opt.unpack(expected, A) == value


def test_status() -> None:
    data = image(
        # assoc_id, state SCTP_ESTABLISHED (8), rwnd 106496, unackdata, penddata,
        # instrms 10, outstrms 11, fragmentation_point 1452
        "03000000 08000000 00a00100 0100 0200 0a00 0b00 ac050000"
        # sstat_primary: address, assoc_id, state SCTP_ACTIVE (1), cwnd 4380,
        # srtt 12, rto 1000, mtu 1500
        + storage(SIN)
        + "03000000 01000000 1c110000 0c000000 e8030000 dc050000"
    )
    assert len(data) == 176
    primary = o.PeerAddrInfo(3, ("192.0.2.1", 9), o.PathState.ACTIVE, 4380, 12, 1000, 1500)
    expected = o.Status(3, o.AssocStatus.ESTABLISHED, 106496, 1, 2, 10, 11, 1452, primary)
    opt = o.option("SCTP_STATUS")
    assert opt.number(A) == 0x100
    assert opt.unpack(data, A) == expected


def test_paddr_change_notification() -> None:
    # type SCTP_PEER_ADDR_CHANGE, flags, length 152, spc_aaddr, state
    # SCTP_ADDR_UNREACHABLE (2), error 5, assoc_id 2, 4 bytes of padding.
    data = image("0200 0000 98000000 " + storage(SIN6) + " 02000000 05000000 02000000 00000000")
    address = parse_address(("fe80::1", 5000, 0x12345, 3))
    expected = n.PeerAddrChange(2, address, n.AddrState.UNREACHABLE, 5)
    assert n.parse_notification(data, A) == expected


def test_assoc_change_features() -> None:
    # type, flags, length 22, state SCTP_COMM_UP (1), error, outbound 10,
    # inbound 5, assoc_id 1, sac_info: SCTP_ASSOC_SUPPORTS_PR, _AUTH
    data = image("0100 0000 16000000 0100 0000 0a00 0500 01000000 01 02")
    assert n.parse_notification(data, A) == n.AssocChange(
        1, n.AssocState.COMM_UP, 0, 10, 5, (n.Feature.PR, n.Feature.AUTH)
    )


def test_pdapi_notification() -> None:
    # type 7, flags, length 20, indication SCTP_PARTIAL_DELIVERY_ABORTED (1),
    # stream 3, seq 9 (16 bits each on FreeBSD), assoc_id 11
    data = image("0700 0000 14000000 01000000 0300 0900 0b000000")
    assert n.parse_notification(data, A) == n.PartialDelivery(
        11, n.PartialDeliveryIndication.ABORTED, 3, 9
    )


def test_subscriptions() -> None:
    # se_assoc_id 1, se_type SCTP_SHUTDOWN_EVENT (5), se_on, one byte of padding
    setting = n.EventSetting(n.Event.SHUTDOWN, True, 1)
    assert o.option("SCTP_EVENT").pack(setting, A) == image("01000000 0500 01 00")
    assert o.option("SCTP_EVENT").number(A) == 0x1E
    # sctp_event_subscribe: 11 bytes, association (1) and sender dry (9) on
    events = frozenset({n.Event.ASSOC_CHANGE, n.Event.SENDER_DRY})
    assert o.option("SCTP_EVENTS").pack(events, A) == image("00 01 00 00 00 00 00 00 00 01 00")
    assert o.option("SCTP_EVENTS").number(A) == 0x0C
