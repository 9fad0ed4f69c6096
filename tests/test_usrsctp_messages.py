"""Messages with metadata, notifications and socket options on usrsctp.

sctpx's public calls (``sctpx.sendmsg``, ``recvmsg``, ``subscribe``,
``setsockopt``, ``getsockopt``) on real associations over UDP on
loopback, each scenario in a child process as in tests/test_usrsctp.py.
The PPID is also read on the wire: the client's association runs through a
UDP relay in the child that reads every SCTP packet it forwards, so the
DATA chunk's PPID field is seen as the stack sent it, not as sctpx reads
it back.
"""

from __future__ import annotations

import errno
import socket
import struct
import sys
import threading
import time
from typing import Any

import test_usrsctp as base
from test_usrsctp import SCTP_PORT, Result, endpoint_pair, scenario

import sctpx
from sctpx import usrsctp

PPID = 0x01020304
IP_PKTINFO = getattr(socket, "IP_PKTINFO", 8)  # Linux's; Python has it from 3.12
_libusrsctp = base._libusrsctp  # the module's skip (or CI failure) without libusrsctp


def run(name: str) -> Result:
    return base.run(name, script=__file__)


def notification(sock: Any, timeout: float = 5) -> Any:
    """The next notification, skipping nothing: data first is a failure."""
    message = sock.recvmsg(65536, timeout=timeout)
    assert message.notification is not None, f"data, not a notification: {message!r}"
    return message.notification


def describe(note: Any) -> list[Any]:
    """A notification as JSON: its class and the fields the tests look at."""
    state = getattr(note, "state", None)
    return [
        type(note).__name__,
        getattr(state, "name", state),
        getattr(note, "outbound_streams", None),
        getattr(note, "inbound_streams", None),
    ]


# -- a relay that reads the packets it forwards -----------------------------------------


class Relay:
    """A UDP port that forwards every datagram to the stack's own port and
    records the DATA chunks (RFC 9260, 3.3.1) in the SCTP packets it carries.

    Over UDP encapsulation an SCTP address is the IP address of the UDP
    packet: the relay forwards each datagram to the address it was sent to,
    from the address it came from (IP_PKTINFO both ways), so the stack sees
    the addresses the association uses; a datagram to an address in
    ``dead`` is dropped, which makes that path fail.
    """

    def __init__(self, stack_port: int) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
        self.sock.bind(("0.0.0.0", 0))
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.stack_port = stack_port
        self.chunks: list[tuple[int, bytes, bytes]] = []  # (stream, PPID field, payload)
        self.dead: set[str] = set()
        self.dropped = 0
        self.running = True
        self.thread = threading.Thread(target=self._forward, daemon=True)
        self.thread.start()

    def _forward(self) -> None:
        while self.running:
            try:
                packet, ancdata, _flags, source = self.sock.recvmsg(65536, 256)
            except TimeoutError:
                continue
            except OSError:
                return
            # struct in_pktinfo: ifindex, the local address, the destination.
            info = next(d for level, kind, d in ancdata if kind == IP_PKTINFO)
            destination = socket.inet_ntoa(info[8:12])
            if destination in self.dead:
                self.dropped += 1
                continue
            self._read(packet)
            spec = struct.pack("i4s4s", 0, socket.inet_aton(source[0]), bytes(4))
            self.sock.sendmsg(
                [packet],
                [(socket.IPPROTO_IP, IP_PKTINFO, spec)],
                0,
                (destination, self.stack_port),
            )

    def _read(self, packet: bytes) -> None:
        at = 12  # the common header: ports, verification tag, checksum
        while at + 4 <= len(packet):
            kind, _flags, length = struct.unpack_from("!BBH", packet, at)
            if length < 4:
                return
            if kind == 0 and length >= 16:  # DATA
                stream = struct.unpack_from("!H", packet, at + 8)[0]
                self.chunks.append(
                    (stream, packet[at + 12 : at + 16], packet[at + 16 : at + length])
                )
            at += (length + 3) & ~3

    def close(self) -> None:
        self.running = False
        self.thread.join(2)
        self.sock.close()


# -- scenarios (run in the child) -------------------------------------------------------


@scenario
def metadata(args: list[str]) -> Result:
    """Streams, PPIDs, unordered messages and contexts, sent and received typed."""
    with endpoint_pair() as (_, server, client, udp):
        relay = Relay(udp)
        client.set_udp_encaps(relay.port)
        for sock in (server, client):
            sctpx.setsockopt(sock, "SCTP_INITMSG", sctpx.InitMsg(num_ostreams=6, max_instreams=6))
        assoc_id = sctpx.connectx(client, [("127.0.0.1", SCTP_PORT)])
        peer, _ = server.accept(timeout=5)
        sent = [
            sctpx.sendmsg(client, b"first", sctpx.SendInfo(stream=3, ppid=PPID, context=7)),
            sctpx.sendmsg(
                client,
                b"second",
                sctpx.SendInfo(stream=5, ppid=0xFFFFFFFF, flags=sctpx.MsgFlag.UNORDERED),
            ),
            sctpx.sendmsg(client, bytearray(b"third")),
        ]
        got = [peer.recvmsg(100, timeout=5) for _ in range(3)]
        peer.sendmsg(b"back", sctpx.SendInfo(stream=2, ppid=42))
        back = sctpx.recvmsg(client)
        status = sctpx.getsockopt(client, "SCTP_STATUS")
        assert isinstance(status, sctpx.Status)
        relay.close()
        return {
            "sent": sent,
            "got": sorted(
                [m.data.decode(), m.stream, m.ppid, m.unordered, m.eor, m.assoc_id == peer_id]
                for m, peer_id in zip(got, [peer.status().assoc_id] * 3, strict=True)
            ),
            "back": [back.data.decode(), back.stream, back.ppid, back.assoc_id, back.eor],
            "assoc_id": assoc_id,
            "streams": [status.outstrms, status.instrms],
            "state": getattr(status.state, "name", status.state),
            "wire": sorted([s, p.hex(), d.decode()] for s, p, d in relay.chunks),
            "bad_info": base.raised(lambda: sctpx.sendmsg(client, b"x", 5)),  # type: ignore[arg-type]
            "bad_stream": base.raised(
                lambda: sctpx.sendmsg(client, b"x", sctpx.SendInfo(stream=1 << 16))
            ),
            "stream_too_high": base.raised(
                lambda: sctpx.sendmsg(client, b"x", sctpx.SendInfo(stream=6))
            ),
        }


@scenario
def notifications(args: list[str]) -> Result:
    """Association change, sender dry and shutdown as typed notifications."""
    with endpoint_pair() as (_, server, client, _udp):
        sctpx.subscribe(
            client, sctpx.Event.ASSOC_CHANGE, sctpx.Event.SHUTDOWN, sctpx.Event.SENDER_DRY
        )
        subscribed = sctpx.getsockopt(
            client, "SCTP_EVENT", sctpx.EventSetting(sctpx.Event.SHUTDOWN)
        )
        not_subscribed = sctpx.getsockopt(
            client, "SCTP_EVENT", sctpx.EventSetting(sctpx.Event.PEER_ADDR_CHANGE)
        )
        sctpx.connectx(client, [("127.0.0.1", SCTP_PORT)])
        peer, _ = server.accept(timeout=5)
        seen = [describe(notification(client))]
        client.send(b"data")
        seen.append(describe(notification(client)))  # sender dry once it is acknowledged
        peer.recv(100, timeout=5)
        peer.close()
        seen += [describe(notification(client)), describe(notification(client))]
        return {
            "seen": seen,
            "subscribed": [subscribed.event.name, subscribed.on],  # type: ignore[attr-defined]
            "not_subscribed": not_subscribed.on,  # type: ignore[attr-defined]
            "data_io": base.raised(lambda: sctpx.subscribe(client, sctpx.Event.DATA_IO)),
            "not_event": base.raised(lambda: sctpx.subscribe(client, "x")),  # type: ignore[arg-type]
        }


@scenario
def options(args: list[str]) -> Result:
    """Options set and read back as typed values."""
    with endpoint_pair() as (_, server, client, _udp):
        sock: Any = client
        sctpx.setsockopt(sock, "SCTP_NODELAY", True)
        sctpx.setsockopt(sock, "SCTP_RTOINFO", sctpx.RtoInfo(initial=700, max=9000, min=300))
        assocparams = sctpx.getsockopt(sock, "SCTP_ASSOCINFO")
        sctpx.connectx(client, [("127.0.0.1", SCTP_PORT)])
        server.accept(timeout=5)
        path = sctpx.getsockopt(
            sock, "SCTP_PEER_ADDR_PARAMS", sctpx.PeerAddrParams(address=("127.0.0.1", SCTP_PORT))
        )
        sctpx.setsockopt(
            sock,
            "SCTP_PEER_ADDR_PARAMS",
            sctpx.PeerAddrParams(
                address=("127.0.0.1", SCTP_PORT),
                hbinterval=4321,
                flags=sctpx.PathFlag.HB_ENABLE,
            ),
        )
        after = sctpx.getsockopt(
            sock, "SCTP_PEER_ADDR_PARAMS", sctpx.PeerAddrParams(address=("127.0.0.1", SCTP_PORT))
        )
        info = sctpx.getsockopt(
            sock, "SCTP_GET_PEER_ADDR_INFO", sctpx.PeerAddrInfo(address=("127.0.0.1", SCTP_PORT))
        )
        sctpx.setsockopt(sock, "SCTP_DEFAULT_SNDINFO", sctpx.SendInfo(stream=1, ppid=PPID))
        rto = sctpx.getsockopt(sock, "SCTP_RTOINFO")
        return {
            "nodelay": sctpx.getsockopt(sock, "SCTP_NODELAY"),
            "rto": [rto.initial, rto.max, rto.min],  # type: ignore[attr-defined]
            "assocparams": type(assocparams).__name__,
            "hbinterval": [path.hbinterval, after.hbinterval],  # type: ignore[attr-defined]
            "path_state": getattr(info.state, "name", info.state),  # type: ignore[attr-defined]
            "path_mtu": info.mtu,  # type: ignore[attr-defined]
            "default": [
                sctpx.getsockopt(sock, "SCTP_DEFAULT_SNDINFO").stream,  # type: ignore[attr-defined]
                sctpx.getsockopt(sock, "SCTP_DEFAULT_SNDINFO").ppid,  # type: ignore[attr-defined]
            ],
            "unknown": base.raised(lambda: sctpx.getsockopt(sock, "SCTP_NO_SUCH")),
            "wrong_type": base.raised(lambda: sctpx.setsockopt(sock, "SCTP_RTOINFO", 5)),
            "closed": base.raised(
                lambda: (client.close(), sctpx.getsockopt(sock, "SCTP_NODELAY"))
            ),
        }


@scenario
def peeloff(args: list[str]) -> Result:
    """A one-to-many server with two associations, each branched off to a socket of its own."""
    udp = base.free_udp_port()
    with usrsctp.start(udp):
        server = usrsctp.Socket(socket.AF_INET, socket.SOCK_SEQPACKET)
        server.bind(("127.0.0.1", SCTP_PORT))
        server.listen(4)
        sctpx.subscribe(server, sctpx.Event.ASSOC_CHANGE)
        clients = [base.client_to(udp), base.client_to(udp)]
        for number, client in enumerate(clients):
            sctpx.connectx(client, [("127.0.0.1", SCTP_PORT)])
            client.send(f"hello {number}".encode())
        ids, before = [], []
        while len(ids) < 2 or len(before) < 2:
            message = server.recvmsg(1000, timeout=5)
            if isinstance(message.notification, sctpx.AssocChange):
                ids.append(message.notification.assoc_id)
            else:
                before.append([message.assoc_id, message.data.decode()])
        by_address = [sctpx.getassocid(server, c.getladdrs()[0]) for c in clients]
        peeled = [sctpx.peeloff(server, assoc_id) for assoc_id in by_address]
        for client in clients:
            client.send(b"after")
        got = [p.recv(100, timeout=5).decode() for p in peeled]
        for p in peeled:
            p.send(b"answer " + str(p.status().assoc_id).encode())
        answers = [c.recv(100, timeout=5).decode() for c in clients]
        return {
            "ids": sorted(ids),
            "by_address": sorted(by_address),
            "kinds": [type(p).__name__ for p in peeled],
            "types": [p.type for p in peeled],
            "before": sorted(before),
            "got": got,
            "answers": len(answers),
            "server_laddrs": sctpx.getladdrs(server),
            "peeled_status": [p.status().state_name for p in peeled],
            "again": base.raised(lambda: sctpx.peeloff(server, by_address[0])),
            "unknown_peer": base.raised(lambda: sctpx.getassocid(server, ("127.0.0.1", 9))),
            "one_to_one": base.raised(lambda: sctpx.peeloff(peeled[0], 1)),
            "bad_id": base.raised(lambda: sctpx.peeloff(server, -1)),
            "addrlen": [sctpx.getaddrlen(socket.AF_INET), sctpx.getaddrlen(socket.AF_INET6)],
        }


@scenario
def sendx(args: list[str]) -> Result:
    """A send to a peer's address list sets the association up, failing over."""
    # blackhole=2: nobody answers the INIT to 127.0.0.3; it times out after
    # rto_initial and the next address is tried, as for connectx.
    with endpoint_pair(rto_initial=300, blackhole=2) as (_, server, _client, udp):
        many = base.client_to(udp, socket.SOCK_SEQPACKET)
        peer_list = [("127.0.0.3", SCTP_PORT), ("127.0.0.1", SCTP_PORT)]
        sent = sctpx.sendmsg(many, b"to the list", sctpx.SendInfo(ppid=5), to=peer_list)
        peer, _ = server.accept(timeout=5)
        got = peer.recvmsg(100, timeout=5)
        return {
            "sent": sent,
            "got": [got.data.decode(), got.ppid],
            "paddrs": sctpx.getpaddrs(many, sctpx.getassocid(many, ("127.0.0.1", SCTP_PORT))),
            "empty": base.raised(lambda: sctpx.sendmsg(many, b"x", to=[])),
        }


@scenario
def path_failure(args: list[str]) -> Result:
    """A multi-homed association whose primary path dies (needs 127.0.0.2: under
    unshare -n): the client hears SCTP_ADDR_UNREACHABLE, and data goes on."""
    udp = base.free_udp_port()
    with usrsctp.start(udp):
        server = base.listener()
        sctpx.bindx(server, [("127.0.0.2", SCTP_PORT)])
        relay = Relay(udp)
        client = usrsctp.Socket()
        client.bind(("127.0.0.1", 0))
        client.set_udp_encaps(relay.port)
        sctpx.subscribe(client, sctpx.Event.PEER_ADDR_CHANGE)
        sctpx.setsockopt(client, "SCTP_RTOINFO", sctpx.RtoInfo(initial=100, max=200, min=50))
        assoc_id = sctpx.connectx(client, [("127.0.0.2", SCTP_PORT)])
        peer, _ = server.accept(timeout=5)
        paths = sorted(sctpx.getpaddrs(client, assoc_id))
        for host in ("127.0.0.1", "127.0.0.2"):
            params = sctpx.PeerAddrParams(
                address=(host, SCTP_PORT),
                hbinterval=100,
                pathmaxrxt=1,
                flags=sctpx.PathFlag.HB_ENABLE,
            )
            sctpx.setsockopt(client, "SCTP_PEER_ADDR_PARAMS", params)
        relay.dead.add("127.0.0.2")
        changes = []
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            note = client.recvmsg(1000, timeout=max(0.0, deadline - time.monotonic())).notification
            if isinstance(note, sctpx.PeerAddrChange) and note.address is not None:
                changes.append([note.address.host, getattr(note.state, "name", note.state)])
                if changes[-1] == ["127.0.0.2", "UNREACHABLE"]:
                    break
        sctpx.sendmsg(client, b"over the other path")
        got = peer.recvmsg(100, timeout=5).data.decode()
        states = {
            host: getattr(
                sctpx.getsockopt(
                    client,
                    "SCTP_GET_PEER_ADDR_INFO",
                    sctpx.PeerAddrInfo(address=(host, SCTP_PORT)),
                ).state,  # type: ignore[attr-defined]
                "name",
                None,
            )
            for host in ("127.0.0.1", "127.0.0.2")
        }
        relay.close()
        return {
            "paths": paths,
            "changes": changes,
            "got": got,
            "states": states,
            "dropped": relay.dropped,
        }


# -- the tests (the parent) ------------------------------------------------------------


def test_metadata_arrives_as_sent_and_the_ppid_in_network_order() -> None:
    seen = run("metadata")
    assert seen["sent"] == [5, 6, 5]
    assert seen["got"] == [
        ["first", 3, PPID, False, True, True],
        ["second", 5, 0xFFFFFFFF, True, True, True],
        ["third", 0, 0, False, True, True],
    ]
    assert seen["back"] == ["back", 2, 42, seen["assoc_id"], True]
    assert seen["streams"] == [6, 6]
    assert seen["state"] == "ESTABLISHED"
    # On the wire, as the relay read the DATA chunks: PPID 0x01020304 is
    # the bytes 01 02 03 04, network byte order.
    assert seen["wire"] == [
        [0, "00000000", "third"],
        [2, "0000002a", "back"],
        [3, "01020304", "first"],
        [5, "ffffffff", "second"],
    ]
    assert seen["bad_info"]["type"] == "TypeError"
    assert seen["bad_stream"]["type"] == "ValueError"
    # A stream past the association's six: usrsctp refuses it with EINVAL,
    # which sctp_sendmsg(3) does not list.
    assert seen["stream_too_high"]["errno"] == errno.EINVAL
    assert seen["stream_too_high"]["documented"] is False
    assert sctpx.undocumented_reason("usrsctp", errno.EINVAL, "sctp_sendmsg")


def test_notifications_come_typed() -> None:
    seen = run("notifications")
    assert seen["seen"][0] == ["AssocChange", "COMM_UP", 10, 10]
    assert seen["seen"][1][0] == "SenderDry"
    assert sorted(kind[:2] for kind in seen["seen"][2:]) == [
        ["AssocChange", "SHUTDOWN_COMP"],
        ["Shutdown", None],
    ]
    assert seen["subscribed"] == ["SHUTDOWN", True]
    assert seen["not_subscribed"] is False
    assert seen["data_io"]["type"] == "ValueError"
    assert seen["not_event"]["type"] == "TypeError"


def test_options_read_back() -> None:
    seen = run("options")
    assert seen["nodelay"] is True
    assert seen["rto"] == [700, 9000, 300]
    assert seen["assocparams"] == "AssocParams"
    assert seen["hbinterval"][1] == 4321
    assert seen["path_state"] == "ACTIVE"
    assert seen["path_mtu"] > 0
    assert seen["default"] == [1, PPID]
    assert seen["unknown"]["type"] == "ValueError"
    assert seen["wrong_type"]["type"] == "TypeError"
    assert seen["closed"]["errno"] == 9


def test_peeloff_gives_one_to_one_sockets_of_the_same_kind() -> None:
    seen = run("peeloff")
    assert seen["ids"] == seen["by_address"] and len(set(seen["ids"])) == 2
    assert [m[0] for m in seen["before"]] == seen["ids"]  # data names its association
    assert seen["kinds"] == ["Socket", "Socket"]
    assert seen["types"] == [socket.SOCK_STREAM] * 2
    assert seen["got"] == ["after", "after"]  # what came after the branch goes to it
    assert seen["answers"] == 2
    assert seen["peeled_status"] == ["ESTABLISHED", "ESTABLISHED"]
    assert [tuple(a) for a in seen["server_laddrs"]] == [("127.0.0.1", SCTP_PORT)]
    assert seen["unknown_peer"]["errno"] == errno.ENOENT
    assert seen["unknown_peer"]["documented"] is True  # sctp_getassocid(3) lists it
    assert seen["bad_id"]["errno"] == errno.EINVAL
    assert seen["addrlen"] == [16, 28]
    for case in ("again", "one_to_one"):
        err = seen[case]["errno"]
        assert seen[case]["documented"] is False
        assert sctpx.undocumented_reason("usrsctp", err, "sctp_peeloff"), case


def test_a_send_to_an_address_list_sets_the_association_up() -> None:
    seen = run("sendx")
    assert seen["sent"] == len("to the list")
    assert seen["got"] == ["to the list", 5]
    # The unanswered address is dropped, as connectx's page says.
    assert [tuple(a) for a in seen["paddrs"]] == [("127.0.0.1", SCTP_PORT)]
    assert seen["empty"]["errno"] == errno.EINVAL


def test_a_dead_path_is_reported_and_data_goes_on() -> None:
    base.require_netns()
    seen = base.run("path_failure", netns=True, script=__file__)
    assert [tuple(p) for p in seen["paths"]] == [
        ("127.0.0.1", SCTP_PORT),
        ("127.0.0.2", SCTP_PORT),
    ]
    assert ["127.0.0.2", "UNREACHABLE"] in seen["changes"]
    assert seen["got"] == "over the other path"
    assert seen["states"] == {"127.0.0.1": "ACTIVE", "127.0.0.2": "INACTIVE"}
    assert seen["dropped"] > 0


if __name__ == "__main__":
    base._child_main(sys.argv[1:])
