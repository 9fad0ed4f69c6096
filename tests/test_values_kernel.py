"""sctpx's typed values on the real Linux SCTP stack (run in tools/vmtest.py's VM).

Plain ``socket.socket`` objects carry the bytes sctpx._values,
sctpx._notifications and sctpx._options pack: socket options set and read
back, messages sent with SCTP_SNDINFO/SCTP_SNDRCV cmsgs and received with
SCTP_RCVINFO, notifications read as the kernel writes them.  The PPID is
also checked on the wire, through a raw IPPROTO_SCTP socket that sees the
DATA chunk the kernel sent (the VM runs the tests as root).

Marked ``kernel``: skipped where the kernel has no SCTP (tests/conftest.py).
Run with ``python3 tools/vmtest.py -- env PYTEST_DISABLE_PLUGIN_AUTOLOAD=1
python3 -m pytest -m kernel -q -p no:cacheprovider tests/test_values_kernel.py``.
"""

from __future__ import annotations

import select
import socket
import struct
import sys
from collections.abc import Iterator

import pytest
from oracle import unavailable

from sctpx import _layout
from sctpx import _notifications as n
from sctpx import _options as o
from sctpx import _values as v
from sctpx._addr import Address
from sctpx._linux import _option

pytestmark = [
    pytest.mark.kernel,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux kernel SCTP"),
]

A = _layout.LINUX
LEVEL = A.constant("IPPROTO_SCTP")
LOOPBACK = "127.0.0.1"
PPID = 0x01020304


def setopt(sock: socket.socket, name: str, value: object) -> None:
    opt = o.option(name)
    sock.setsockopt(LEVEL, opt.number(A), opt.pack(value, A))


def getopt(sock: socket.socket, name: str, query: object | None = None) -> object:
    """getsockopt with the option's typed value in (the kernel reads ids from it) and out."""
    opt = o.option(name)
    data = opt.pack(query, A) if query is not None else bytes(o.option_size(name, A))
    raw = _option(sock.fileno(), LEVEL, opt.number(A), data)
    assert raw is not None, f"getsockopt {name} failed"
    return opt.unpack(raw, A)


def subscribe(sock: socket.socket, *events: n.Event) -> None:
    for event in events:
        setopt(sock, "SCTP_EVENT", n.EventSetting(event, True))


def recv(sock: socket.socket) -> tuple[bytes, v.Received]:
    ready, _, _ = select.select([sock], [], [], 10)
    assert ready, "nothing arrived in 10 s"
    data, anc, flags, _ = sock.recvmsg(65536, socket.CMSG_SPACE(256))
    return data, v.parse_cmsgs(anc, flags, A)


def next_notification(sock: socket.socket) -> n.Notification:
    data, got = recv(sock)
    assert got.notification, f"expected a notification, got data {data!r}"
    return n.parse_notification(data, A)


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    """A connected one-to-one pair: (client, server side), 5 streams each way."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM, LEVEL) as srv:
        setopt(srv, "SCTP_INITMSG", o.InitMsg(num_ostreams=5, max_instreams=5))
        srv.bind((LOOPBACK, 0))
        srv.listen(1)
        cli = socket.socket(socket.AF_INET, socket.SOCK_STREAM, LEVEL)
        setopt(cli, "SCTP_INITMSG", o.InitMsg(num_ostreams=5, max_instreams=5))
        cli.connect(srv.getsockname())
        conn, _ = srv.accept()
        with cli, conn:
            yield cli, conn


def test_initmsg_reads_back() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM, LEVEL) as s:
        value = o.InitMsg(num_ostreams=7, max_instreams=9, max_attempts=3, max_init_timeo=2000)
        setopt(s, "SCTP_INITMSG", value)
        assert getopt(s, "SCTP_INITMSG") == value


def test_ppid_stream_and_flags_arrive_as_sent(pair: tuple[socket.socket, socket.socket]) -> None:
    cli, srv = pair
    srv.setsockopt(LEVEL, A.constant("SCTP_RECVRCVINFO"), 1)
    info = v.SendInfo(stream=3, ppid=PPID, flags=v.MsgFlag.UNORDERED, context=77)
    assert cli.sendmsg([b"hello"], v.send_cmsgs(info, A)) == 5
    data, got = recv(srv)
    assert data == b"hello" and got.eor and not got.notification
    assert got.info is not None
    assert (got.info.stream, got.info.ppid) == (3, PPID)
    assert v.MsgFlag.UNORDERED in got.info.flags
    # The older interface: one SCTP_SNDRCV, read back the same way.
    legacy = v.SendInfo(stream=1, ppid=0xA0B0C0D0)
    cli.sendmsg([b"again"], v.send_cmsgs(legacy, A, legacy=True))
    data, got = recv(srv)
    assert data == b"again" and got.info is not None
    assert (got.info.stream, got.info.ppid) == (1, 0xA0B0C0D0)


def test_ppid_on_the_wire_is_the_int_in_network_order(
    pair: tuple[socket.socket, socket.socket],
) -> None:
    """A raw socket sees the DATA chunk: its PPID field holds 01 02 03 04."""
    cli, srv = pair
    try:
        raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, LEVEL)
    except PermissionError:
        unavailable("a raw socket needs root (tools/vmtest.py's VM runs as root)")
    with raw:
        raw.settimeout(10)
        cli.sendmsg([b"wire"], v.send_cmsgs(v.SendInfo(stream=2, ppid=PPID), A))
        assert recv(srv)[0] == b"wire"
        for _ in range(50):
            packet = raw.recv(65536)
            chunk = _data_chunk(packet)
            if chunk is not None:
                break
        else:
            raise AssertionError("no DATA chunk seen")
    # DATA: type, flags, length, TSN, stream, SSN, PPID, user data (RFC 9260 3.3.1)
    _, _, length, _, stream, _, ppid = struct.unpack_from("!BBHIHH4s", chunk)
    assert (stream, ppid, chunk[16:length]) == (2, b"\x01\x02\x03\x04", b"wire")


def _data_chunk(packet: bytes) -> bytes | None:
    """The first DATA chunk of an IPv4 SCTP packet, or None."""
    at = (packet[0] & 0x0F) * 4 + 12  # IPv4 header, SCTP common header
    while at + 4 <= len(packet):
        kind, _, length = struct.unpack_from("!BBH", packet, at)
        if kind == 0:
            return packet[at : at + length]
        if length < 4:
            return None
        at += (length + 3) & ~3
    return None


def test_notifications_come_typed(pair: tuple[socket.socket, socket.socket]) -> None:
    cli, srv = pair
    subscribe(srv, n.Event.SHUTDOWN)
    # Linux says at once that a sender with nothing outstanding is dry.
    subscribe(cli, n.Event.SENDER_DRY)
    assert isinstance(next_notification(cli), n.SenderDry)
    cli.sendmsg([b"x"], v.send_cmsgs(v.SendInfo(), A))
    assert recv(srv)[0] == b"x"
    cli.shutdown(socket.SHUT_WR)
    assert isinstance(next_notification(srv), n.Shutdown)


def test_assoc_change_on_a_one_to_many_socket() -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_SEQPACKET, LEVEL) as srv,
        socket.socket(socket.AF_INET, socket.SOCK_SEQPACKET, LEVEL) as cli,
    ):
        setopt(srv, "SCTP_INITMSG", o.InitMsg(num_ostreams=4, max_instreams=6))
        srv.bind((LOOPBACK, 0))
        srv.listen(1)
        subscribe(srv, n.Event.ASSOC_CHANGE)
        setopt(cli, "SCTP_INITMSG", o.InitMsg(num_ostreams=3, max_instreams=8))
        cli.sendto(b"hi", srv.getsockname())
        note = next_notification(srv)
        assert isinstance(note, n.AssocChange)
        assert note.state is n.AssocState.COMM_UP
        assert (note.outbound_streams, note.inbound_streams) == (4, 3)
        assert recv(srv)[0] == b"hi"
        setopt(srv, "SCTP_AUTOCLOSE", 30)
        assert getopt(srv, "SCTP_AUTOCLOSE") == 30
        status = getopt(srv, "SCTP_STATUS", o.Status(assoc_id=note.assoc_id))
        assert isinstance(status, o.Status)
        assert (status.assoc_id, status.state) == (note.assoc_id, o.AssocStatus.ESTABLISHED)


def test_status_and_peer_address_info(pair: tuple[socket.socket, socket.socket]) -> None:
    cli, srv = pair
    status = getopt(cli, "SCTP_STATUS", o.Status())
    assert isinstance(status, o.Status)
    assert status.state is o.AssocStatus.ESTABLISHED
    assert (status.instrms, status.outstrms) == (5, 5)
    peer = srv.getsockname()
    assert isinstance(status.primary.address, Address)
    assert status.primary.address.as_tuple() == peer
    assert status.primary.state is o.PathState.ACTIVE
    info = getopt(cli, "SCTP_GET_PEER_ADDR_INFO", o.PeerAddrInfo(0, peer))
    assert isinstance(info, o.PeerAddrInfo)
    assert (info.assoc_id, info.state, info.mtu) == (
        status.assoc_id,
        o.PathState.ACTIVE,
        status.primary.mtu,
    )


def test_options_read_back(pair: tuple[socket.socket, socket.socket]) -> None:
    cli, srv = pair
    setopt(cli, "SCTP_NODELAY", True)
    assert getopt(cli, "SCTP_NODELAY") is True
    rto = o.RtoInfo(0, initial=2000, max=10000, min=500)
    setopt(cli, "SCTP_RTOINFO", rto)
    got = getopt(cli, "SCTP_RTOINFO", o.RtoInfo())
    assert isinstance(got, o.RtoInfo) and (got.initial, got.max, got.min) == (2000, 10000, 500)
    assoc = getopt(cli, "SCTP_ASSOCINFO", o.AssocParams())
    assert isinstance(assoc, o.AssocParams) and assoc.number_peer_destinations == 1
    peer = srv.getsockname()
    params = o.PeerAddrParams(0, peer, hbinterval=5000, flags=o.PathFlag.HB_ENABLE)
    setopt(cli, "SCTP_PEER_ADDR_PARAMS", params)
    got = getopt(cli, "SCTP_PEER_ADDR_PARAMS", o.PeerAddrParams(0, peer))
    assert isinstance(got, o.PeerAddrParams)
    assert got.hbinterval == 5000 and o.PathFlag.HB_ENABLE in got.flags
    default = v.SendInfo(stream=2, ppid=PPID, context=5)
    setopt(cli, "SCTP_DEFAULT_SNDINFO", default)
    got = getopt(cli, "SCTP_DEFAULT_SNDINFO", v.SendInfo())
    assert isinstance(got, v.SendInfo) and (got.stream, got.ppid, got.context) == (2, PPID, 5)
    # The default reaches the wire: a message sent with no cmsg carries it.
    srv.setsockopt(LEVEL, A.constant("SCTP_RECVRCVINFO"), 1)
    cli.send(b"default")
    data, received = recv(srv)
    assert data == b"default" and received.info is not None
    assert (received.info.stream, received.info.ppid) == (2, PPID)


def test_event_subscriptions_read_back() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_SEQPACKET, LEVEL) as s:
        events = frozenset({n.Event.ASSOC_CHANGE, n.Event.DATA_IO, n.Event.SENDER_DRY})
        setopt(s, "SCTP_EVENTS", events)
        assert getopt(s, "SCTP_EVENTS") == events
        setopt(s, "SCTP_EVENT", n.EventSetting(n.Event.SENDER_DRY, False))
        got = getopt(s, "SCTP_EVENT", n.EventSetting(n.Event.SENDER_DRY, True))
        assert got == n.EventSetting(n.Event.SENDER_DRY, False)
        assert getopt(s, "SCTP_EVENTS") == events - {n.Event.SENDER_DRY}
