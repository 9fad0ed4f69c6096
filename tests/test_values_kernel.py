"""sctpx's typed values on the real Linux SCTP stack (run in tools/vmtest.py's VM).

Plain ``socket.socket`` objects (and their descriptors) go through sctpx's
public calls: options set and read back (``sctpx.setsockopt``,
``getsockopt``), messages sent with ``sctpx.sendmsg`` (SCTP_SNDINFO) and
received with ``sctpx.recvmsg`` (SCTP_RCVINFO), notifications subscribed
with ``sctpx.subscribe`` and read typed.  The older SCTP_SNDRCV cmsg is
packed with sctpx._values directly.  The PPID is also checked on the wire,
through a raw IPPROTO_SCTP socket that sees the DATA chunk the kernel sent
(the VM runs the tests as root).  tests/test_usrsctp_messages.py makes the
same calls on usrsctp.

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

import sctpx
from sctpx import _layout
from sctpx import _notifications as n
from sctpx import _options as o
from sctpx import _values as v
from sctpx._addr import Address

pytestmark = [
    pytest.mark.kernel,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux kernel SCTP"),
]

A = _layout.LINUX
LEVEL = A.constant("IPPROTO_SCTP")
LOOPBACK = "127.0.0.1"
PPID = 0x01020304


setopt = sctpx.setsockopt
getopt = sctpx.getsockopt
subscribe = sctpx.subscribe


def recv(sock: socket.socket) -> tuple[bytes, sctpx.Message]:
    ready, _, _ = select.select([sock], [], [], 10)
    assert ready, "nothing arrived in 10 s"
    message = sctpx.recvmsg(sock)
    return message.data, message


def next_notification(sock: socket.socket) -> n.Notification:
    data, got = recv(sock)
    assert got.notification is not None, f"expected a notification, got data {data!r}"
    return got.notification


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
    info = v.SendInfo(stream=3, ppid=PPID, flags=v.MsgFlag.UNORDERED, context=77)
    assert sctpx.sendmsg(cli, b"hello", info) == 5
    data, got = recv(srv)
    assert data == b"hello" and got.eor and got.notification is None
    assert got.info is not None
    assert (got.stream, got.ppid, got.unordered) == (3, PPID, True)
    assert got.assoc_id == getopt(srv, "SCTP_STATUS").assoc_id  # type: ignore[attr-defined]
    # A descriptor works as the socket does; no metadata: stream 0, PPID 0.
    assert sctpx.sendmsg(cli.fileno(), bytearray(b"plain")) == 5
    data, got = recv(srv)
    assert (data, got.stream, got.ppid, got.unordered) == (b"plain", 0, 0, False)
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
        sctpx.sendmsg(cli, b"wire", sctpx.SendInfo(stream=2, ppid=PPID))
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
    sctpx.sendmsg(cli, b"x")
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
        # To an address: the one-to-many socket sets the association up.
        sctpx.sendmsg(cli, b"hi", sctpx.SendInfo(ppid=9), to=srv.getsockname())
        note = next_notification(srv)
        assert isinstance(note, n.AssocChange)
        assert note.state is n.AssocState.COMM_UP
        assert (note.outbound_streams, note.inbound_streams) == (4, 3)
        data, got = recv(srv)
        assert (data, got.ppid, got.assoc_id) == (b"hi", 9, note.assoc_id)
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


def test_data_errors_are_the_pages(pair: tuple[socket.socket, socket.socket]) -> None:
    cli, srv = pair
    # A stream past the association's five: the kernel's EINVAL, which
    # sctp_sendmsg(3) does not list.
    with pytest.raises(OSError) as bad_stream:
        sctpx.sendmsg(cli, b"x", sctpx.SendInfo(stream=5))
    assert bad_stream.value.errno == 22 and bad_stream.value.documented is False  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="stream"):
        sctpx.sendmsg(cli, b"x", sctpx.SendInfo(stream=-1))
    srv.settimeout(0.2)
    with pytest.raises(TimeoutError):
        sctpx.recvmsg(srv)  # the socket's timeout, as socket.recvmsg keeps it
    cli.close()
    with pytest.raises(OSError) as closed:
        sctpx.sendmsg(cli, b"x")
    assert closed.value.errno == 9 and closed.value.documented is True  # type: ignore[attr-defined]


def test_subscribe_turns_kinds_off_again() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_SEQPACKET, LEVEL) as s:
        sctpx.subscribe(s, n.Event.ASSOC_CHANGE, n.Event.SHUTDOWN)
        assert getopt(s, "SCTP_EVENTS") == {n.Event.ASSOC_CHANGE, n.Event.SHUTDOWN}
        sctpx.subscribe(s, n.Event.SHUTDOWN, on=False)
        assert getopt(s, "SCTP_EVENTS") == {n.Event.ASSOC_CHANGE}
